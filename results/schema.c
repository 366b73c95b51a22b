/* SPDX-License-Identifier: MIT */
/*
 * The schemas from the tables (schema.h). The skeletons hold what no table
 * states: the suite's lists and required keys, the value formats
 * ($defs/size_string, ...), the result's statistics. Filled in here:
 *   suite:  the top-level fields from suite_fields[]; $defs/configuration and
 *           $defs/workload: the enum of `kind`, and an allOf branch per kind
 *           with its options or params;
 *   result: $defs/series: the enums of `config_kind` and `kind`, and per
 *           workload the unit and better of each of its metrics.
 * A value's schema takes what harness/suite_check.c takes for the option's type.
 */
#include "schema.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/cleanup.h"
#include "../common/json.h"
#include "../harness/suite.h"
#include "../runtimes/driver.h"
#include "../workloads/catalog.h"
#include "schema-skeletons.h"

/* cJSON calls take NULL parents: a failed allocation is noted and the build runs to its end. */
typedef struct gen {
        bool oom;
        const char *missing; /* a skeleton path the generator fills in, absent */
} gen;

/* Adds item to parent under key (to an array: key NULL): item, or NULL (item freed). */
static cJSON *put(gen *g, cJSON *parent, const char *key, cJSON *item) {
        if (item && parent &&
            (key ? cJSON_AddItemToObject(parent, key, item) : cJSON_AddItemToArray(parent, item)))
                return item;
        cJSON_Delete(item);
        g->oom = true;
        return NULL;
}

static cJSON *put_obj(gen *g, cJSON *parent, const char *key) {
        return put(g, parent, key, cJSON_CreateObject());
}

static cJSON *put_arr(gen *g, cJSON *parent, const char *key) {
        return put(g, parent, key, cJSON_CreateArray());
}

static void put_str(gen *g, cJSON *parent, const char *key, const char *value) {
        put(g, parent, key, cJSON_CreateString(value));
}

static void put_num(gen *g, cJSON *parent, const char *key, double value) {
        put(g, parent, key, cJSON_CreateNumber(value));
}

static void put_bool(gen *g, cJSON *parent, const char *key, bool value) {
        put(g, parent, key, cJSON_CreateBool(value));
}

/* The node at the skeleton path (NULL-terminated keys), which must be there. */
static cJSON *at_path(gen *g, cJSON *node, const char *const *path) {
        for (; node && *path; path++) {
                node = cJSON_GetObjectItemCaseSensitive(node, *path);
                if (!node && !g->missing)
                        g->missing = *path;
        }
        return node;
}
#define AT(g, node, ...) at_path(g, node, (const char *const[]){__VA_ARGS__, NULL})

/*
 * Appends {"if": {"properties": {key: match}, "required": [key]}, "then": {}}
 * to all_of and returns its then: what holds where key matches.
 */
static cJSON *branch(gen *g, cJSON *all_of, const char *key, cJSON *match) {
        cJSON *b = put_obj(g, all_of, NULL), *cond = put_obj(g, b, "if");
        put(g, put_obj(g, cond, "properties"), key, match);
        put_str(g, put_arr(g, cond, "required"), NULL, key);
        return put_obj(g, b, "then");
}

static cJSON *match_const(gen *g, const char *value) {
        cJSON *m = cJSON_CreateObject();
        put_str(g, m, "const", value);
        return m;
}

/* A metric name; "phase.*_ms" matches what wl_metric_find matches: "phase.clone_ms". */
static cJSON *match_metric(gen *g, const char *name) {
        const char *star = strchr(name, '*');
        if (!star)
                return match_const(g, name);
        char re[256];
        size_t n = 0;
        re[n++] = '^';
        for (const char *p = name; *p && n < sizeof(re) - 5; p++) {
                if (p == star) {
                        re[n++] = '.';
                        re[n++] = '+';
                        continue;
                }
                if (strchr(".+?()[]{}|^$\\", *p))
                        re[n++] = '\\';
                re[n++] = *p;
        }
        re[n++] = '$';
        re[n] = '\0';
        cJSON *m = cJSON_CreateObject();
        put_str(g, m, "pattern", re);
        return m;
}

/* {"type": type, min_key: min[, "maximum": max]} into r: the option's range (max 0 = none) */
static cJSON *put_range(gen *g, cJSON *r, const char *type, const char *min_key, const bench_opt_spec *o) {
        put_str(g, r, "type", type);
        put_num(g, r, min_key, (double)o->min);
        if (o->max)
                put_num(g, r, "maximum", (double)o->max);
        return r;
}

static cJSON *range(gen *g, const char *type, const bench_opt_spec *o) {
        return put_range(g, cJSON_CreateObject(), type, "minimum", o);
}

/* a JSON number in the option's range, or a string in one of the skeleton's formats */
static void number_or_string(gen *g, cJSON *s, const char *type, const bench_opt_spec *o,
                             const char *format) {
        cJSON *any = put_arr(g, s, "anyOf");
        put(g, any, NULL, range(g, type, o));
        put_str(g, put_obj(g, any, NULL), "$ref", format);
}

static void put_default(gen *g, cJSON *s, const bench_opt_spec *o) {
        if (!o->def)
                return;
        if (o->type == BENCH_OPT_UINT || o->type == BENCH_OPT_UINT_OR_STRLIST || o->type == BENCH_OPT_SECONDS)
                put_num(g, s, "default", strtod(o->def, NULL));
        else if (o->type == BENCH_OPT_BOOL)
                put_bool(g, s, "default", !strcmp(o->def, "true"));
        else
                put_str(g, s, "default", o->def);
}

/* {"enum": ["a", "b"]} of "a|b" into s */
static void put_choices(gen *g, cJSON *s, const char *choices) {
        cJSON *list = put_arr(g, s, "enum");
        for (const char *p = choices; p && *p;) {
                size_t len = strcspn(p, "|");
                _cleanup_free_ char *choice = strndup(p, len);
                put(g, list, NULL, choice ? cJSON_CreateString(choice) : NULL);
                p += len + (p[len] == '|');
        }
}

/*
 * The schema of a kind option's or a workload param's value, or with
 * json_typed of a suite field's, which takes its JSON type only (a count is
 * a number, a cpu list a string).
 */
static cJSON *opt_schema(gen *g, const bench_opt_spec *o, bool json_typed) {
        cJSON *s = cJSON_CreateObject();
        if (o->help)
                put_str(g, s, "description", o->help);
        put_default(g, s, o);
        switch (o->type) {
        case BENCH_OPT_SIZE:
                number_or_string(g, s, "integer", o, "#/$defs/size_string");
                break;
        case BENCH_OPT_UINT:
                if (!json_typed) {
                        number_or_string(g, s, "integer", o, "#/$defs/uint_string");
                        break;
                }
                put_range(g, s, "integer", "minimum", o);
                break;
        case BENCH_OPT_SECONDS:
                put_range(g, s, "number", "exclusiveMinimum", o); /* more than min */
                break;
        case BENCH_OPT_DURATION:
                number_or_string(g, s, "number", o, "#/$defs/duration_string");
                break;
        case BENCH_OPT_PERCENT:
                /* the range (more than min, less than max) is not a pattern's: the validator's */
                put_str(g, s, "$ref", "#/$defs/percent_string");
                if (o->choices)
                        put_str(g, put_arr(g, s, "examples"), NULL, o->choices);
                break;
        case BENCH_OPT_CPULIST: {
                /* a cpu list, or one of its words ("auto", "none") */
                cJSON *any = put_arr(g, s, "anyOf");
                if (!json_typed)
                        put(g, any, NULL, range(g, "integer", o));
                else
                        put_str(g, s, "type", "string");
                if (o->choices)
                        put_choices(g, put_obj(g, any, NULL), o->choices);
                put_str(g, put_obj(g, any, NULL), "$ref", "#/$defs/cpulist");
                break;
        }
        case BENCH_OPT_BOOL:
                put_str(g, s, "type", "boolean");
                break;
        case BENCH_OPT_STRING:
                put_str(g, s, "type", "string");
                put_num(g, s, "minLength", 1);
                if (o->choices)
                        put_str(g, put_arr(g, s, "examples"), NULL, o->choices);
                break;
        case BENCH_OPT_TEXT:
                put_str(g, s, "type", "string");
                break;
        case BENCH_OPT_ENUM:
                put_choices(g, s, o->choices);
                break;
        case BENCH_OPT_STRLIST:
                put_str(g, s, "$ref", "#/$defs/strlist");
                break;
        case BENCH_OPT_UINT_OR_STRLIST: {
                /* a count, or as many strings as the count may be */
                cJSON *any = put_arr(g, s, "anyOf");
                put(g, any, NULL, range(g, "integer", o));
                cJSON *list = put_obj(g, any, NULL);
                put_str(g, list, "$ref", "#/$defs/strlist");
                put_num(g, list, "minItems", (double)o->min);
                if (o->max)
                        put_num(g, list, "maxItems", (double)o->max);
                break;
        }
        }
        return s;
}

static void fill_suite(gen *g, cJSON *root) {
        cJSON *top = AT(g, root, "properties");
        for (const bench_opt_spec *f = suite_fields; f->name; f++)
                put(g, top, f->name, opt_schema(g, f, true));

        cJSON *conf = AT(g, root, "$defs", "configuration");
        cJSON *names = put_arr(g, AT(g, conf, "properties", "kind"), "enum");
        cJSON *all_of = put_arr(g, conf, "allOf");
        for (const rt_kind *k = rt_kinds; k->name; k++) {
                put_str(g, names, NULL, k->name);
                cJSON *then = branch(g, all_of, "kind", match_const(g, k->name));
                cJSON *props = put_obj(g, then, "properties");
                put_bool(g, props, "name", true);
                put_bool(g, props, "kind", true);
                for (const bench_opt_spec *o = k->options; o && o->name; o++)
                        put(g, props, o->name, opt_schema(g, o, false));
                put_bool(g, then, "additionalProperties", false);
        }

        cJSON *wl = AT(g, root, "$defs", "workload");
        names = put_arr(g, AT(g, wl, "properties", "kind"), "enum");
        all_of = put_arr(g, wl, "allOf");
        for (size_t i = 0; wl_catalog[i]; i++) {
                const wl_spec *w = wl_catalog[i];
                put_str(g, names, NULL, w->name);
                cJSON *then = branch(g, all_of, "kind", match_const(g, w->name));
                put_str(g, then, "description", w->summary);
                cJSON *params = put_obj(g, put_obj(g, then, "properties"), "params");
                put_str(g, params, "type", "object");
                cJSON *props = put_obj(g, params, "properties");
                for (const bench_opt_spec *p = w->params; p && p->name; p++)
                        put(g, props, p->name, opt_schema(g, p, false));
                put_bool(g, params, "additionalProperties", false);
        }
}

static void fill_result(gen *g, cJSON *root) {
        cJSON *series = AT(g, root, "$defs", "series");
        cJSON *names = put_arr(g, AT(g, series, "properties", "config_kind"), "enum");
        for (const rt_kind *k = rt_kinds; k->name; k++)
                put_str(g, names, NULL, k->name);

        names = put_arr(g, AT(g, series, "properties", "kind"), "enum");
        cJSON *all_of = put_arr(g, series, "allOf");
        for (size_t i = 0; wl_catalog[i]; i++) {
                const wl_spec *w = wl_catalog[i];
                put_str(g, names, NULL, w->name);
                /* other metrics may come from the configuration's driver: only the catalog's are pinned */
                cJSON *metrics = put_arr(g, branch(g, all_of, "kind", match_const(g, w->name)), "allOf");
                for (const wl_metric_spec *m = w->metrics; m && m->name; m++) {
                        cJSON *props = put_obj(g, branch(g, metrics, "metric", match_metric(g, m->name)),
                                               "properties");
                        put_str(g, put_obj(g, props, "unit"), "const", m->unit);
                        put_str(g, put_obj(g, props, "better"), "const", m->better);
                }
        }
}

static const struct schema {
        const char *name;
        const char *skeleton; /* results/NAME.schema.in.json */
        void (*fill)(gen *g, cJSON *root);
} schemas[] = {
        {"suite", suite_schema_skeleton, fill_suite},
        {"result", result_schema_skeleton, fill_result},
};

int res_schema_generate(const char *name, char **ret_text, bench_error **err) {
        const struct schema *s = NULL;
        for (size_t i = 0; i < ELEMENTSOF(schemas); i++)
                if (name && !strcmp(schemas[i].name, name))
                        s = &schemas[i];
        if (!s)
                return bench_error_set(err, EINVAL, "unknown schema `%s` (suite or result)",
                                       name ? name : "");

        _cleanup_json_ cJSON *root = cJSON_Parse(s->skeleton);
        if (!root)
                return bench_error_set(err, EINVAL, "the built-in skeleton of the %s schema is not JSON",
                                       name);
        gen g = {0};
        s->fill(&g, root);
        if (g.missing)
                return bench_error_set(err, EINVAL, "the %s schema's skeleton lacks `%s` (%s.schema.in.json)",
                                       name, g.missing, name);
        if (g.oom)
                return bench_error_set(err, ENOMEM, "out of memory");
        _cleanup_free_ char *text = cJSON_Print(root);
        char *out = NULL;
        if (!text || asprintf(&out, "%s\n", text) < 0)
                return bench_error_set(err, ENOMEM, "out of memory");
        *ret_text = out;
        return 0;
}
