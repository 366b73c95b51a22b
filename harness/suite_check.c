/* SPDX-License-Identifier: MIT */
/*
 * The suite validator: checks a suite file against the suite's rules and
 * the kinds' option and workloads' param tables (bench_opt_spec), and reads
 * what is valid into the model (suite.c). It reports every problem, each
 * located in the text and with a fix.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "density.h"
#include "../common/cleanup.h"
#include "../common/util.h"
#include "suite-internal.h"

enum { AT_VALUE = 0, AT_KEY = JSON_AT_KEY };

/* A field's name in messages: "workloads[2].kind"; the root is "top level". */
static const char *field_name(const json_path *p, char *buf, size_t len) {
        return p->n ? json_path_str(p, buf, len) : "top level";
}

/* FILE:LINE:COL: FIELD: what (fix); the position of at (its key with AT_KEY, the nth of that key). */
static void report(suite_checker *c, const json_path *at, unsigned flags, size_t nth, const char *field,
                   const char *fmt, ...) __attribute__((format(printf, 6, 7)));
static void report(suite_checker *c, const json_path *at, unsigned flags, size_t nth, const char *field,
                   const char *fmt, ...) {
        char fbuf[512], where[64] = "";
        size_t off;
        if (at && json_path_offset(c->text, at, nth, flags, &off) == 0) {
                unsigned l, col;
                json_line_col(c->text, off, &l, &col);
                snprintf(where, sizeof(where), "%u:%u:", l, col);
        }
        if (!field)
                field = at ? field_name(at, fbuf, sizeof(fbuf)) : "top level";
        _cleanup_free_ char *msg = NULL;
        va_list ap;
        va_start(ap, fmt);
        int r = vasprintf(&msg, fmt, ap);
        va_end(ap);
        if (r < 0) {
                c->oom = true;
                return;
        }
        bench_diags_add(c->d, "%s:%s %s: %s", c->file, where, field, msg);
}

/* The user's value as they wrote it: numbers from the text ("1e3" stays 1e3). */
static char *describe(suite_checker *c, const json_path *at, const cJSON *v, bool quote_strings) {
        char *out = NULL;
        size_t off, len;
        if (cJSON_IsNumber(v) && at && json_path_offset(c->text, at, 0, AT_VALUE, &off) == 0 &&
            (len = json_value_len(c->text, off)) && asprintf(&out, "%.*s", (int)len, c->text + off) >= 0)
                return out;
        if (cJSON_IsNumber(v))
                return asprintf(&out, "%.17g", v->valuedouble) < 0 ? NULL : out;
        if (cJSON_IsString(v))
                return quote_strings ? cJSON_PrintUnformatted(v) : strdup(v->valuestring);
        if (cJSON_IsTrue(v))
                return strdup("true");
        if (cJSON_IsFalse(v))
                return strdup("false");
        if (cJSON_IsNull(v))
                return strdup("null");
        if (cJSON_IsArray(v))
                return strdup("an array");
        return strdup("an object");
}

/* A number as the agent gets it: integral as an integer, else %.17g. */
static char *number_canon(double v) {
        char *out = NULL;
        int r = v == floor(v) && fabs(v) < 1e18 ? asprintf(&out, "%.0f", v) : asprintf(&out, "%.17g", v);
        return r < 0 ? NULL : out;
}

static bool name_ok(const char *s) {
        if (!*s)
                return false;
        for (; *s; s++)
                if (!isalnum((unsigned char)*s) && *s != '_' && *s != '.' && *s != '-')
                        return false;
        return true;
}

/* "a, b or c" (conj " or ") into buf. */
static const char *join_names(const char *const *names, size_t n, const char *conj, char *buf, size_t len) {
        size_t w = 0;
        buf[0] = '\0';
        for (size_t i = 0; i < n && w < len; i++) {
                int r = snprintf(buf + w, len - w, "%s%s", i == 0 ? "" : i + 1 < n ? ", " : conj, names[i]);
                if (r < 0)
                        break;
                w += (size_t)r;
        }
        return buf;
}

/* " (did you mean `x`?)" or " (expected one of a, b or c)" */
static const char *suggest(const char *word, const char *const *names, size_t n, const char *what, char *buf,
                           size_t len) {
        const char *dym = bench_did_you_mean(word, names, n);
        char list[512];
        if (dym)
                snprintf(buf, len, " (did you mean `%s`?)", dym);
        else if (n)
                snprintf(buf, len, " (%s %s)", what,
                         join_names(names, n, strstr(what, "one of") ? " or " : " and ", list, sizeof(list)));
        else
                buf[0] = '\0';
        return buf;
}

/* Every object: a key given twice is an error (cJSON would keep both). */
static void check_duplicates(suite_checker *c, const cJSON *node, const json_path *at) {
        if (at->n >= JSON_PATH_MAX - 1)
                return;
        size_t i = 0;
        for (const cJSON *ch = node->child; ch; ch = ch->next, i++) {
                if (cJSON_IsObject(node)) {
                        size_t nth = 0;
                        for (const cJSON *prev = node->child; prev != ch; prev = prev->next)
                                if (prev->string && ch->string && !strcmp(prev->string, ch->string))
                                        nth++;
                        json_path kp = json_path_key(*at, ch->string);
                        if (nth) {
                                char first[64] = "";
                                size_t off;
                                if (json_path_offset(c->text, &kp, 0, AT_KEY, &off) == 0) {
                                        unsigned l, col;
                                        json_line_col(c->text, off, &l, &col);
                                        snprintf(first, sizeof(first), " at %u:%u", l, col);
                                }
                                char f[512];
                                report(c, &kp, AT_KEY, nth, field_name(at, f, sizeof(f)),
                                       "duplicate key `%s` (already set%s; keep one)", ch->string, first);
                                continue; /* its insides cannot be located by path */
                        }
                        check_duplicates(c, ch, &kp);
                } else if (cJSON_IsArray(node)) {
                        json_path ip = json_path_index(*at, i);
                        check_duplicates(c, ch, &ip);
                }
        }
}

static bool is_one_of(const char *s, const char *const *names, size_t n) {
        for (size_t i = 0; i < n; i++)
                if (!strcmp(s, names[i]))
                        return true;
        return false;
}

/* Unknown keys of an object, against allowed[]; false if there are any. */
static bool check_keys(suite_checker *c, const cJSON *obj, const json_path *at, const char *const *allowed,
                       size_t n) {
        char f[512], sug[640];
        bool ok = true;
        for (const cJSON *ch = obj->child; ch; ch = ch->next) {
                if (is_one_of(ch->string, allowed, n))
                        continue;
                json_path kp = json_path_key(*at, ch->string);
                report(c, &kp, AT_KEY, 0, field_name(at, f, sizeof(f)), "unknown key `%s`%s", ch->string,
                       suggest(ch->string, allowed, n, "allowed:", sug, sizeof(sug)));
                ok = false;
        }
        return ok;
}

static const char *get_string(suite_checker *c, const cJSON *obj, const json_path *at, const char *key,
                              const char *what) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
        if (!v)
                return NULL;
        json_path vp = json_path_key(*at, key);
        if (cJSON_IsString(v))
                return v->valuestring;
        _cleanup_free_ char *got = describe(c, &vp, v, true);
        report(c, &vp, AT_VALUE, 0, NULL, "must be a string (%s), got %s", what, got ? got : "?");
        return NULL;
}

/* A strlist value; returns the number of items or -1 after reporting. */
static long check_strlist(suite_checker *c, const cJSON *v, const json_path *vp, char **ret_joined) {
        if (!cJSON_IsArray(v))
                return -1;
        long n = 0;
        size_t total = 1;
        bool ok = true;
        for (const cJSON *e = v->child; e; e = e->next, n++) {
                json_path ep = json_path_index(*vp, (size_t)n);
                if (!cJSON_IsString(e) || !*e->valuestring) {
                        _cleanup_free_ char *got = describe(c, &ep, e, true);
                        report(c, &ep, AT_VALUE, 0, NULL, "expected a non-empty string, got %s",
                               got ? got : "?");
                        ok = false;
                        continue;
                }
                total += strlen(e->valuestring) + 1;
        }
        if (!ok)
                return -1;
        if (ret_joined) {
                char *j = calloc(1, total), *w = j;
                if (!j) {
                        c->oom = true;
                        return -1;
                }
                for (const cJSON *e = v->child; e; e = e->next)
                        w += sprintf(w, "%s%s", w == j ? "" : ",", e->valuestring);
                *ret_joined = j;
        }
        return n;
}

/*
 * One kind option or workload param against its spec. JSON numbers, bools
 * and strings are taken where they make sense; the canonical string form
 * (what the agent gets) goes to ret_canon.
 */
static bool check_opt_value(suite_checker *c, const bench_opt_spec *spec, const cJSON *v, const json_path *vp,
                            char **ret_canon) {
        _cleanup_free_ char *canon = NULL, *shown = NULL;
        char why[256];
        bool number_ok = false, string_ok = false;
        const char *tname = bench_opt_type_name(spec->type);
        switch (spec->type) {
        case BENCH_OPT_SIZE:
        case BENCH_OPT_UINT:
        case BENCH_OPT_DURATION:
        case BENCH_OPT_CPULIST:
                number_ok = string_ok = true;
                break;
        case BENCH_OPT_STRING:
        case BENCH_OPT_TEXT:
        case BENCH_OPT_ENUM:
        case BENCH_OPT_PERCENT:
                string_ok = true;
                break;
        case BENCH_OPT_SECONDS:
                number_ok = true;
                break;
        case BENCH_OPT_BOOL:
                if (cJSON_IsBool(v)) {
                        canon = strdup(cJSON_IsTrue(v) ? "true" : "false");
                        goto done;
                }
                shown = describe(c, vp, v, true);
                report(c, vp, AT_VALUE, 0, NULL, "`%s`: expected true or false%s", shown ? shown : "?",
                       cJSON_IsString(v) ? " (a JSON boolean, without quotes)" : "");
                return false;
        case BENCH_OPT_STRLIST:
                if (check_strlist(c, v, vp, &canon) >= 0)
                        goto done;
                if (!cJSON_IsArray(v)) {
                        shown = describe(c, vp, v, true);
                        report(c, vp, AT_VALUE, 0, NULL,
                               "`%s`: expected a list of strings such as [\"a\", \"b\"]",
                               shown ? shown : "?");
                }
                return false;
        case BENCH_OPT_UINT_OR_STRLIST:
                if (cJSON_IsArray(v)) {
                        long n = check_strlist(c, v, vp, &canon);
                        if (n < 0)
                                return false;
                        if ((uint64_t)n < spec->min || (spec->max && (uint64_t)n > spec->max)) {
                                report(c, vp, AT_VALUE, 0, NULL,
                                       "a list of %ld: must hold between %llu and %llu items", n,
                                       (unsigned long long)spec->min, (unsigned long long)spec->max);
                                return false;
                        }
                        goto done;
                }
                number_ok = true;
                break;
        }
        if (cJSON_IsNumber(v) && number_ok)
                canon = number_canon(v->valuedouble);
        else if (cJSON_IsString(v) && string_ok)
                canon = strdup(v->valuestring);
        else {
                shown = describe(c, vp, v, true);
                if (spec->type == BENCH_OPT_ENUM)
                        bench_opt_check(spec, "", why, sizeof(why)); /* its list of choices */
                else if (spec->type == BENCH_OPT_UINT_OR_STRLIST)
                        snprintf(why, sizeof(why), "expected a count or a list of strings");
                else
                        snprintf(why, sizeof(why), "expected a %s%s", tname,
                                 spec->type == BENCH_OPT_STRING ? " in double quotes" : "");
                report(c, vp, AT_VALUE, 0, NULL, "`%s`: %s", shown ? shown : "?", why);
                return false;
        }
        if (!canon) {
                c->oom = true;
                return false;
        }
        {
                bench_opt_spec scalar = *spec;
                if (scalar.type == BENCH_OPT_UINT_OR_STRLIST)
                        scalar.type = BENCH_OPT_UINT;
                if (bench_opt_check(&scalar, canon, why, sizeof(why)) < 0) {
                        shown = cJSON_IsNumber(v) ? describe(c, vp, v, false) : NULL;
                        report(c, vp, AT_VALUE, 0, NULL, "`%s`: %s", shown ? shown : canon, why);
                        return false;
                }
        }
done:
        if (!canon) {
                c->oom = true;
                return false;
        }
        if (ret_canon)
                *ret_canon = steal_pointer(&canon);
        return true;
}

/* The top level's keys besides suite_fields[]: its lists. */
static const char *const top_lists[] = {"configurations", "workloads"};
static const char *const config_fixed_keys[] = {"name", "kind"};
static const char *const workload_keys[] = {"name", "kind", "params", "configurations"};

/* Names of an opt table (plus fixed keys) for suggestions. */
static size_t opt_names(const bench_opt_spec *t, const char *const *fixed, size_t n_fixed, const char **out,
                        size_t max) {
        size_t n = 0;
        for (size_t i = 0; i < n_fixed && n < max; i++)
                out[n++] = fixed[i];
        for (const bench_opt_spec *s = t; s && s->name && n < max; s++)
                out[n++] = s->name;
        return n;
}

/* Whose option table an object is checked against, for messages. */
typedef struct opt_owner {
        const bench_opt_spec *table;
        const char *what;         /* "kind", "workload" */
        const char *name;         /* "vm" */
        const char *noun;         /* an unknown "key", "param" */
        const char *plural;       /* "options", "params" */
        const char *const *fixed; /* the object's other keys: not checked, but suggested */
        size_t n_fixed;
} opt_owner;

/*
 * Every key of obj but the fixed ones against the owner's table: unknown keys
 * with a suggestion, values by check_opt_value(). With ret_params (room for
 * every key), the valid ones in canonical form. False if any is wrong.
 */
static bool check_opts(suite_checker *c, const cJSON *obj, const json_path *at, const opt_owner *o,
                       suite_param *ret_params, size_t *ret_n) {
        const char *names[64];
        size_t n = opt_names(o->table, o->fixed, o->n_fixed, names, ELEMENTSOF(names));
        char f[512], sug[640], list[512];
        bool ok = true;
        for (const cJSON *ch = obj->child; ch; ch = ch->next) {
                if (is_one_of(ch->string, o->fixed, o->n_fixed))
                        continue;
                json_path chp = json_path_key(*at, ch->string);
                const bench_opt_spec *spec = bench_opt_find(o->table, ch->string);
                if (!spec) {
                        const char *dym = bench_did_you_mean(ch->string, names, n);
                        if (dym)
                                snprintf(sug, sizeof(sug), " (did you mean `%s`?)", dym);
                        else if (n > o->n_fixed)
                                snprintf(sug, sizeof(sug), " (its %s: %s)", o->plural,
                                         join_names(names + o->n_fixed, n - o->n_fixed, " and ", list,
                                                    sizeof(list)));
                        else
                                snprintf(sug, sizeof(sug), " (%s %s takes no %s)", o->what, o->name,
                                         o->plural);
                        report(c, &chp, AT_KEY, 0, field_name(at, f, sizeof(f)),
                               "unknown %s `%s` for %s %s%s", o->noun, ch->string, o->what, o->name, sug);
                        ok = false;
                        continue;
                }
                char *canon = NULL;
                if (!check_opt_value(c, spec, ch, &chp, ret_params ? &canon : NULL)) {
                        ok = false;
                        continue;
                }
                if (ret_params) {
                        suite_param *p = &ret_params[(*ret_n)++];
                        p->value = canon;
                        if (!(p->key = strdup(ch->string)))
                                c->oom = true;
                }
        }
        return ok;
}

/* An array item that must be an object (example: what one looks like). */
static bool check_item_object(suite_checker *c, const cJSON *o, const json_path *op, const char *example) {
        if (cJSON_IsObject(o))
                return true;
        _cleanup_free_ char *got = describe(c, op, o, true);
        report(c, op, AT_VALUE, 0, NULL, "must be an object such as %s, got %s", example, got ? got : "?");
        return false;
}

/* An item's "kind": one of names[] (what: "kind", "workload"), or NULL after reporting. */
static const char *get_kind(suite_checker *c, const cJSON *o, const json_path *op, const char *const *names,
                            size_t n, const char *what, const char *hint) {
        char sug[640];
        const char *kind = get_string(c, o, op, "kind", hint);
        if (!cJSON_GetObjectItemCaseSensitive(o, "kind")) {
                report(c, op, AT_VALUE, 0, NULL, "missing `kind` (one of %s)",
                       join_names(names, n, " or ", sug, sizeof(sug)));
                return NULL;
        }
        if (kind && !is_one_of(kind, names, n)) {
                json_path kp = json_path_key(*op, "kind");
                report(c, &kp, AT_VALUE, 0, NULL, "unknown %s `%s`%s", what, kind,
                       suggest(kind, names, n, "expected one of", sug, sizeof(sug)));
                return NULL;
        }
        return kind;
}

/* A name of the user's (np: where it is) as names must be; false after reporting. */
static bool check_name_chars(suite_checker *c, const char *name, const json_path *np) {
        if (name_ok(name))
                return true;
        report(c, np, AT_VALUE, 0, NULL,
               "`%s`: use only letters, digits, `_`, `.` and `-` (and at least one)", name);
        return false;
}

/*
 * Records item i's name in names[] and whether an earlier item of list
 * ("workloads") has it; reports that at at, as the item's own name or as its
 * default.
 */
static bool name_taken(suite_checker *c, const char **names, size_t i, const char *name, const json_path *at,
                       const char *list, bool is_default) {
        names[i] = name;
        for (size_t k = 0; k < i; k++) {
                if (!names[k] || strcmp(names[k], name))
                        continue;
                if (is_default)
                        report(c, at, AT_VALUE, 0, NULL,
                               "its name `%s` (the default: its kind) is already the name of %s[%zu] (add a "
                               "unique \"name\")",
                               name, list, k);
                else
                        report(c, at, AT_VALUE, 0, NULL,
                               "`%s` is already the name of %s[%zu] (names must be unique)", name, list, k);
                return true;
        }
        return false;
}

static void check_configs(suite_checker *c, const cJSON *arr, suite *s) {
        json_path root = {0}, ap = json_path_key(root, "configurations");
        char kinds_list[256];
        const char *kinds[16];
        size_t nk = 0;
        for (const rt_kind *k = rt_kinds; k->name && nk < ELEMENTSOF(kinds); k++)
                kinds[nk++] = k->name;
        join_names(kinds, nk, " or ", kinds_list, sizeof(kinds_list));
        size_t n = (size_t)cJSON_GetArraySize(arr);
        s->configs = calloc(n ? n : 1, sizeof(*s->configs));
        /* names of every configuration seen, valid or not, for duplicate checks */
        _cleanup_free_ const char **names = calloc(n ? n : 1, sizeof(*names));
        if (!s->configs || !names) {
                c->oom = true;
                return;
        }
        size_t i = 0;
        for (const cJSON *o = arr->child; o; o = o->next, i++) {
                json_path op = json_path_index(ap, i), np = json_path_key(op, "name");
                if (!check_item_object(c, o, &op, "{\"name\": \"bare\", \"kind\": \"bare\"}"))
                        continue;
                bool ok = true;
                const char *name = get_string(c, o, &op, "name", "the configuration's name");
                const cJSON *kv = cJSON_GetObjectItemCaseSensitive(o, "kind");
                if (!cJSON_GetObjectItemCaseSensitive(o, "name")) {
                        report(c, &op, AT_VALUE, 0, NULL, "missing `name` (add e.g. \"name\": \"%s\")",
                               cJSON_IsString(kv) ? kv->valuestring : "bare");
                        ok = false;
                } else if (!name || !check_name_chars(c, name, &np) ||
                           name_taken(c, names, i, name, &np, "configurations", false))
                        ok = false;
                const char *kind_name = get_kind(c, o, &op, kinds, nk, "kind", kinds_list);
                const rt_kind *kind = kind_name ? rt_kind_find(kind_name) : NULL;
                if (!kind)
                        ok = false;
                else {
                        const opt_owner owner = {
                                .table = kind->options,
                                .what = "kind",
                                .name = kind->name,
                                .noun = "key",
                                .plural = "options",
                                .fixed = config_fixed_keys,
                                .n_fixed = ELEMENTSOF(config_fixed_keys),
                        };
                        if (!check_opts(c, o, &op, &owner, NULL, NULL))
                                ok = false;
                }
                if (!ok)
                        continue;
                suite_config *sc = &s->configs[s->n_configs++];
                sc->name = strdup(name);
                sc->kind = kind;
                /* its options: the object without name and kind */
                sc->options = cJSON_Duplicate(o, true);
                if (!sc->name || !sc->options) {
                        c->oom = true;
                        return;
                }
                for (size_t k = 0; k < ELEMENTSOF(config_fixed_keys); k++)
                        cJSON_DeleteItemFromObjectCaseSensitive(sc->options, config_fixed_keys[k]);
        }
}

/*
 * A workload's "configurations": the names of the configurations it runs in
 * (default: all). Checked against every configuration the file names, valid
 * or not (an invalid one has its own message). Returns the names, or NULL
 * with *ok false after reporting.
 */
static char **check_workload_configs(suite_checker *c, const cJSON *v, const json_path *vp, const cJSON *cfgs,
                                     size_t *ret_n, bool *ok) {
        const char *names[256];
        size_t nn = 0;
        char sug[640];
        for (const cJSON *o = cJSON_IsArray(cfgs) ? cfgs->child : NULL; o && nn < ELEMENTSOF(names);
             o = o->next) {
                const cJSON *nv = cJSON_GetObjectItemCaseSensitive(o, "name");
                if (cJSON_IsString(nv))
                        names[nn++] = nv->valuestring;
        }
        if (cJSON_IsArray(v) && !v->child) {
                report(c, vp, AT_VALUE, 0, NULL,
                       "empty (name at least one configuration, or drop the key to run it in all)");
                *ok = false;
                return NULL;
        }
        if (!cJSON_IsArray(v)) {
                _cleanup_free_ char *got = describe(c, vp, v, true);
                report(c, vp, AT_VALUE, 0, NULL,
                       "must be an array of configuration names such as [\"%s\"], got %s",
                       nn ? names[0] : "bare", got ? got : "?");
                *ok = false;
                return NULL;
        }
        size_t n = (size_t)cJSON_GetArraySize(v), i = 0;
        char **out = calloc(n + 1, sizeof(char *));
        if (!out) {
                c->oom = true;
                return NULL;
        }
        for (const cJSON *e = v->child; e; e = e->next, i++) {
                json_path ep = json_path_index(*vp, i);
                if (!cJSON_IsString(e)) {
                        _cleanup_free_ char *got = describe(c, &ep, e, true);
                        report(c, &ep, AT_VALUE, 0, NULL, "expected a configuration's name, got %s",
                               got ? got : "?");
                        *ok = false;
                        continue;
                }
                if (!is_one_of(e->valuestring, names, nn)) {
                        report(c, &ep, AT_VALUE, 0, NULL, "unknown configuration `%s`%s", e->valuestring,
                               suggest(e->valuestring, names, nn, "the suite has", sug, sizeof(sug)));
                        *ok = false;
                        continue;
                }
                if (is_one_of(e->valuestring, (const char *const *)out, *ret_n)) {
                        report(c, &ep, AT_VALUE, 0, NULL, "`%s` is listed twice (keep one)", e->valuestring);
                        *ok = false;
                        continue;
                }
                if (!(out[(*ret_n)++] = strdup(e->valuestring)))
                        c->oom = true;
        }
        return out;
}

static void check_workloads(suite_checker *c, const cJSON *arr, const cJSON *cfgs, suite *s) {
        json_path root = {0}, ap = json_path_key(root, "workloads");
        size_t n = (size_t)cJSON_GetArraySize(arr);
        s->workloads = calloc(n ? n : 1, sizeof(*s->workloads));
        /* names of every workload seen, valid or not, for duplicate checks */
        _cleanup_free_ const char **names = calloc(n ? n : 1, sizeof(*names));
        if (!s->workloads || !names) {
                c->oom = true;
                return;
        }
        const char *wl_names[32];
        size_t nwl = 0;
        for (size_t k = 0; wl_catalog[k] && nwl < ELEMENTSOF(wl_names); k++)
                wl_names[nwl++] = wl_catalog[k]->name;
        size_t i = 0;
        for (const cJSON *o = arr->child; o; o = o->next, i++) {
                json_path op = json_path_index(ap, i), np = json_path_key(op, "name");
                if (!check_item_object(c, o, &op, "{\"kind\": \"startup\"}"))
                        continue;
                bool ok = check_keys(c, o, &op, workload_keys, ELEMENTSOF(workload_keys));
                const char *kind_name =
                        get_kind(c, o, &op, wl_names, nwl, "workload", "a workload such as startup");
                const wl_spec *spec = kind_name ? wl_catalog_find(kind_name) : NULL;
                if (!spec)
                        ok = false;

                const cJSON *nv = cJSON_GetObjectItemCaseSensitive(o, "name");
                const char *name = get_string(c, o, &op, "name", "a unique name for this workload");
                if (nv && !name)
                        ok = false;
                else if (name && !check_name_chars(c, name, &np)) {
                        ok = false;
                        name = NULL;
                }
                if (!nv)
                        name = spec ? spec->name : NULL;
                if (name && name_taken(c, names, i, name, nv ? &np : &op, "workloads", !nv))
                        ok = false;

                const cJSON *pv = cJSON_GetObjectItemCaseSensitive(o, "params");
                json_path pp = json_path_key(op, "params");
                size_t np_count = 0;
                _cleanup_free_ suite_param *params = NULL;
                if (pv && !cJSON_IsObject(pv)) {
                        _cleanup_free_ char *got = describe(c, &pp, pv, true);
                        report(c, &pp, AT_VALUE, 0, NULL,
                               "must be an object such as {\"size\": \"64M\"}, got %s", got ? got : "?");
                        ok = false;
                } else if (pv && spec) {
                        size_t cnt = (size_t)cJSON_GetArraySize(pv);
                        params = calloc(cnt ? cnt : 1, sizeof(*params));
                        if (!params) {
                                c->oom = true;
                                return;
                        }
                        const opt_owner owner = {
                                .table = spec->params,
                                .what = "workload",
                                .name = spec->name,
                                .noun = "param",
                                .plural = "params",
                        };
                        if (!check_opts(c, pv, &pp, &owner, params, &np_count))
                                ok = false;
                        /* what the type cannot say: a list's form (density's n) */
                        for (size_t k = 0; ok && spec->check && k < np_count; k++) {
                                char why[256];
                                if (spec->check(params[k].key, params[k].value, why, sizeof(why)) < 0) {
                                        json_path kp = json_path_key(pp, params[k].key);
                                        report(c, &kp, AT_VALUE, 0, NULL, "%s", why);
                                        ok = false;
                                }
                        }
                }
                const cJSON *cfv = cJSON_GetObjectItemCaseSensitive(o, "configurations");
                json_path cfp = json_path_key(op, "configurations");
                size_t n_cfg = 0;
                char **cfg_names = cfv ? check_workload_configs(c, cfv, &cfp, cfgs, &n_cfg, &ok) : NULL;
                if (!ok || c->oom) {
                        for (size_t k = 0; params && k < np_count; k++) {
                                free(params[k].key);
                                free(params[k].value);
                        }
                        bench_strv_free(cfg_names);
                        continue;
                }
                suite_workload *w = &s->workloads[s->n_workloads++];
                w->spec = spec;
                w->name = strdup(name);
                w->params = steal_pointer(&params);
                w->n_params = np_count;
                w->params_json = pv ? cJSON_Duplicate(pv, true) : NULL;
                w->configs = cfg_names;
                w->n_configs = n_cfg;
                if (!w->name || (pv && !w->params_json))
                        c->oom = true;
        }
}
/* --configs: names of the suite's configurations, at least one. */
static void check_config_filter(suite_checker *c, const suite *s, const char *list) {
        _cleanup_free_ char *copy = strdup(list);
        const char *names[256];
        size_t nn = 0;
        char sug[640];
        if (!copy) {
                c->oom = true;
                return;
        }
        for (size_t i = 0; i < s->n_configs && nn < ELEMENTSOF(names); i++)
                names[nn++] = s->configs[i].name;
        char *save = NULL;
        bool any = false;
        for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
                if (!is_one_of(tok, names, nn))
                        report(c, NULL, 0, 0, "--configs", "unknown configuration `%s`%s", tok,
                               suggest(tok, names, nn, "the suite has", sug, sizeof(sug)));
                any = true;
        }
        if (!any)
                report(c, NULL, 0, 0, "--configs",
                       "`%s`: name at least one configuration (e.g. --configs %s)", list,
                       nn ? names[0] : "bare");
}

/* A number field's range, for messages: "a percentage above 0% and below 100%". */
static const char *field_range(const bench_opt_spec *f, char *buf, size_t len) {
        if (f->type == BENCH_OPT_PERCENT && f->max)
                snprintf(buf, len, "a percentage above %llu%% and below %llu%%", (unsigned long long)f->min,
                         (unsigned long long)f->max);
        else if (f->type == BENCH_OPT_PERCENT)
                snprintf(buf, len, "a percentage above %llu%%", (unsigned long long)f->min);
        else if (f->max)
                snprintf(buf, len, "a number of seconds greater than %llu and at most %llu",
                         (unsigned long long)f->min, (unsigned long long)f->max);
        else
                snprintf(buf, len, "a number of seconds greater than %llu", (unsigned long long)f->min);
        return buf;
}

/* What a suite field (suite_fields[]) must be, for messages: "an integer between 1 and 100000". */
static const char *field_expect(const bench_opt_spec *f, char *buf, size_t len) {
        /* the choices quoted, and what else it may be: "\"auto\", \"none\" or a cpu list ..." */
        char quoted[8][64];
        const char *items[ELEMENTSOF(quoted) + 1];
        size_t n = 0;
        for (const char *p = f->choices; f->type != BENCH_OPT_STRING && p && *p && n < ELEMENTSOF(quoted);) {
                size_t l = strcspn(p, "|");
                snprintf(quoted[n], sizeof(quoted[n]), "\"%.*s\"", (int)l, p);
                items[n] = quoted[n];
                n++;
                p += l + (p[l] == '|');
        }
        switch (f->type) {
        case BENCH_OPT_UINT:
                snprintf(buf, len, "an integer between %llu and %llu", (unsigned long long)f->min,
                         (unsigned long long)f->max);
                break;
        case BENCH_OPT_SECONDS:
        case BENCH_OPT_PERCENT:
                field_range(f, buf, len);
                if (f->type == BENCH_OPT_PERCENT && f->choices) {
                        size_t w = strlen(buf);
                        snprintf(buf + w, len - w, " such as \"%s\"", f->choices);
                }
                break;
        case BENCH_OPT_CPULIST:
                items[n++] = "a cpu list such as \"1\" or \"2-3\"";
                join_names(items, n, " or ", buf, len);
                break;
        case BENCH_OPT_ENUM:
                join_names(items, n, " or ", buf, len);
                break;
        case BENCH_OPT_STRING:
        case BENCH_OPT_TEXT:
                snprintf(buf, len, "a string (%s)", f->help);
                break;
        case BENCH_OPT_SIZE:
        case BENCH_OPT_DURATION:
        case BENCH_OPT_BOOL:
        case BENCH_OPT_STRLIST:
        case BENCH_OPT_UINT_OR_STRLIST:
                snprintf(buf, len, "a %s", bench_opt_type_name(f->type));
                break;
        }
        return buf;
}

/*
 * One of the suite's own fields, as JSON-typed as its schema: true, or false
 * after reporting. The value's limits are bench_opt_check()'s, as for kind
 * options, but one message says what the field must be.
 */
static bool check_field(suite_checker *c, const bench_opt_spec *f, const cJSON *v, const json_path *vp) {
        _cleanup_free_ char *text = NULL;
        char why[256];
        bool numeric = f->type == BENCH_OPT_UINT || f->type == BENCH_OPT_SECONDS;
        if (numeric ? cJSON_IsNumber(v) : cJSON_IsString(v)) {
                /* + 0.0: -0 is 0 here, as it was before these fields had a table */
                text = numeric ? number_canon(v->valuedouble + 0.0) : strdup(v->valuestring);
                if (!text) {
                        c->oom = true;
                        return false;
                }
                if (f->type == BENCH_OPT_STRING && !*text) {
                        report(c, vp, AT_VALUE, 0, NULL, "must not be empty (e.g. \"%s\")", f->choices);
                        return false;
                }
                if (bench_opt_check(f, text, why, sizeof(why)) == 0)
                        return true;
        }
        _cleanup_free_ char *got = describe(c, vp, v, true);
        report(c, vp, AT_VALUE, 0, NULL, "must be %s, got %s", field_expect(f, why, sizeof(why)),
               got ? got : "?");
        return false;
}

/* --repetitions N and friends: the field's limits, named as the option */
static bool check_override(suite_checker *c, const char *option, const char *field, uint64_t value) {
        const bench_opt_spec *f = bench_opt_find(suite_fields, field);
        char text[32], why[256];
        snprintf(text, sizeof(text), "%llu", (unsigned long long)value);
        if (bench_opt_check(f, text, why, sizeof(why)) == 0)
                return true;
        report(c, NULL, 0, 0, option, "must be %s, got %s", field_expect(f, why, sizeof(why)), text);
        return false;
}

/* --precision 2%, --max-time 300: what the command line gave, against the field's limits */
static bool check_override_text(suite_checker *c, const char *option, const char *field, const char *value,
                                const char *noun, const char *example) {
        const bench_opt_spec *f = bench_opt_find(suite_fields, field);
        char why[256], range[128];
        if (bench_opt_check(f, value, why, sizeof(why)) == 0)
                return true;
        report(c, NULL, 0, 0, option, "`%s` is not %s; give %s, e.g. %s %s", value, noun,
               field_range(f, range, sizeof(range)), option, example);
        return false;
}

/* A suite field's value as a number when it is given and valid (check_field said why if not). */
static bool field_number(const cJSON *root, const char *name, double *ret) {
        const bench_opt_spec *f = bench_opt_find(suite_fields, name);
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(root, name);
        char why[256];
        _cleanup_free_ char *text = cJSON_IsNumber(v) ? number_canon(v->valuedouble + 0.0) : NULL;
        if (!text || bench_opt_check(f, text, why, sizeof(why)) < 0)
                return false;
        *ret = v->valuedouble;
        return true;
}

/*
 * precision and its caps: max_repetitions and max_time mean nothing without
 * a precision (refused, so that nobody believes a cap holds), and
 * max_repetitions may not be below repetitions (the minimum). The file's
 * values and the overrides together; only values valid on their own.
 */
static void check_adaptive(suite_checker *c, const cJSON *root, const suite_overrides *ov, bool ov_ok) {
        json_path top = {0};
        bool precision = cJSON_GetObjectItemCaseSensitive(root, "precision") || (ov && ov->precision);
        static const struct {
                const char *field, *option;
        } caps[] = {{"max_repetitions", "--max-repetitions"}, {"max_time", "--max-time"}};
        if (!precision) {
                for (size_t i = 0; i < ELEMENTSOF(caps); i++) {
                        json_path vp = json_path_key(top, caps[i].field);
                        if (cJSON_GetObjectItemCaseSensitive(root, caps[i].field))
                                report(c, &vp, AT_KEY, 0, caps[i].field,
                                       "has no effect without `precision` (add e.g. \"precision\": \"2%%\", "
                                       "or remove it)");
                }
                if (ov && ov->has_max_repetitions)
                        report(c, NULL, 0, 0, "--max-repetitions",
                               "has no effect without a precision (give --precision 2%% too, or set "
                               "\"precision\" in the suite)");
                if (ov && ov->max_time)
                        report(c, NULL, 0, 0, "--max-time",
                               "has no effect without a precision (give --precision 2%% too, or set "
                               "\"precision\" in the suite)");
                return;
        }
        if (!ov_ok)
                return;
        double reps = 0, max = 0;
        if (ov && ov->repetitions >= 0)
                reps = (double)ov->repetitions;
        else if (!cJSON_GetObjectItemCaseSensitive(root, "repetitions"))
                reps = strtod(bench_opt_find(suite_fields, "repetitions")->def, NULL);
        else if (!field_number(root, "repetitions", &reps))
                return;
        bool given = cJSON_GetObjectItemCaseSensitive(root, "max_repetitions") != NULL;
        if (ov && ov->has_max_repetitions)
                max = (double)ov->max_repetitions;
        else if (!given)
                max = strtod(bench_opt_find(suite_fields, "max_repetitions")->def, NULL);
        else if (!field_number(root, "max_repetitions", &max))
                return;
        if (max >= reps)
                return;
        json_path vp = json_path_key(top, "max_repetitions");
        if (ov && ov->has_max_repetitions)
                report(c, NULL, 0, 0, "--max-repetitions",
                       "%.0f is below the %.0f repetitions measured first (give at least %.0f)", max, reps,
                       reps);
        else if (given)
                report(c, &vp, AT_VALUE, 0, NULL,
                       "%.0f is below the %.0f repetitions measured first (set at least %.0f)", max, reps,
                       reps);
        else
                report(c, NULL, 0, 0, "max_repetitions",
                       "the default %.0f is below the %.0f repetitions measured first "
                       "(set \"max_repetitions\" to at least %.0f, or give --max-repetitions)",
                       max, reps, reps);
}

static void check_top(suite_checker *c, const cJSON *root, const suite_overrides *ov, suite *s) {
        json_path top = {0};
        const char *keys[32];
        size_t nk = opt_names(suite_fields, NULL, 0, keys, ELEMENTSOF(keys) - ELEMENTSOF(top_lists));
        for (size_t i = 0; i < ELEMENTSOF(top_lists); i++)
                keys[nk++] = top_lists[i];
        check_keys(c, root, &top, keys, nk);

        for (const bench_opt_spec *f = suite_fields; f->name; f++) {
                const cJSON *v = cJSON_GetObjectItemCaseSensitive(root, f->name);
                json_path vp = json_path_key(top, f->name);
                if (v)
                        check_field(c, f, v, &vp);
        }
        /* the one field a suite must give; the schema skeleton's "required" says so too */
        if (!cJSON_GetObjectItemCaseSensitive(root, "name"))
                report(c, NULL, 0, 0, "name", "missing (add e.g. \"name\": \"%s\")",
                       bench_opt_find(suite_fields, "name")->choices);

        const cJSON *cv = cJSON_GetObjectItemCaseSensitive(root, "configurations");
        json_path cp = json_path_key(top, "configurations");
        if (!cv)
                report(c, NULL, 0, 0, "configurations",
                       "missing (add at least one configuration, e.g. {\"name\": \"bare\", \"kind\": "
                       "\"bare\"})");
        else if (!cJSON_IsArray(cv)) {
                _cleanup_free_ char *got = describe(c, &cp, cv, true);
                report(c, &cp, AT_VALUE, 0, NULL,
                       "must be an array of configurations such as [{\"name\": \"bare\", \"kind\": "
                       "\"bare\"}], got %s",
                       got ? got : "?");
        } else if (!cv->child)
                report(c, &cp, AT_VALUE, 0, NULL,
                       "empty (add at least one configuration, e.g. {\"name\": \"bare\", \"kind\": "
                       "\"bare\"})");
        else
                check_configs(c, cv, s);

        const cJSON *wv = cJSON_GetObjectItemCaseSensitive(root, "workloads");
        json_path wp = json_path_key(top, "workloads");
        if (!wv)
                report(c, NULL, 0, 0, "workloads",
                       "missing (add at least one workload, e.g. {\"kind\": \"startup\"})");
        else if (!cJSON_IsArray(wv)) {
                _cleanup_free_ char *got = describe(c, &wp, wv, true);
                report(c, &wp, AT_VALUE, 0, NULL,
                       "must be an array of workloads such as [{\"kind\": \"startup\"}], got %s",
                       got ? got : "?");
        } else if (!wv->child)
                report(c, &wp, AT_VALUE, 0, NULL,
                       "empty (add at least one workload, e.g. {\"kind\": \"startup\"})");
        else
                check_workloads(c, wv, cv, s);

        /* overrides: checked like the file's values, named as the options (the model applies them) */
        bool ov_ok = true; /* the caps are compared with valid overrides only */
        if (ov && ov->repetitions >= 0)
                ov_ok &= check_override(c, "--repetitions", "repetitions", (uint64_t)ov->repetitions);
        if (ov && ov->warmup >= 0)
                check_override(c, "--warmup", "warmup", (uint64_t)ov->warmup);
        if (ov && ov->has_seed)
                check_override(c, "--seed", "seed", ov->seed);
        if (ov && ov->precision)
                ov_ok &= check_override_text(c, "--precision", "precision", ov->precision, "a precision",
                                             "2%");
        if (ov && ov->has_max_repetitions)
                ov_ok &= check_override(c, "--max-repetitions", "max_repetitions", ov->max_repetitions);
        if (ov && ov->max_time)
                ov_ok &= check_override_text(c, "--max-time", "max_time", ov->max_time, "a time", "300");
        check_adaptive(c, root, ov, ov_ok);
        if (ov && ov->configs && cv && cJSON_IsArray(cv) && cv->child)
                check_config_filter(c, s, ov->configs);
}

/* A syntax error, or a cJSON failure our own scanner did not catch (it is stricter). */
static void report_syntax(suite_checker *c, size_t at, const char *what) {
        unsigned l, col;
        json_line_col(c->text, at, &l, &col);
        bench_diags_add(c->d, "%s:%u:%u: invalid JSON: %s", c->file, l, col, what);
}

/* "FILE:L:C: ..." -> L, C; messages without a position sort last */
static void diag_position(const char *msg, size_t skip, unsigned long *ret_line, unsigned long *ret_col) {
        char *end;
        *ret_line = *ret_col = ~0ul;
        if (strlen(msg) <= skip || msg[skip] != ':' || !isdigit((unsigned char)msg[skip + 1]))
                return;
        unsigned long l = strtoul(msg + skip + 1, &end, 10);
        if (*end != ':' || !isdigit((unsigned char)end[1]))
                return;
        *ret_col = strtoul(end + 1, &end, 10);
        *ret_line = l;
}

/* Problems in file order, which is how people fix them (stable). */
static void sort_by_position(bench_diags *d, size_t file_len) {
        for (size_t i = 1; i < d->n; i++) {
                char *m = d->msgs[i];
                unsigned long l, c, pl, pc;
                diag_position(m, file_len, &l, &c);
                size_t k = i;
                for (; k > 0; k--) {
                        diag_position(d->msgs[k - 1], file_len, &pl, &pc);
                        if (pl < l || (pl == l && pc <= c))
                                break;
                        d->msgs[k] = d->msgs[k - 1];
                }
                d->msgs[k] = m;
        }
}

/* Adds the problems collected in mine to c's list in file order; -EINVAL if there were any. */
static int add_sorted(suite_checker *c, bench_diags *mine) {
        sort_by_position(mine, strlen(c->file));
        for (size_t i = 0; i < mine->n; i++)
                bench_diags_add(c->d, "%s", mine->msgs[i]);
        int r = mine->n ? -EINVAL : 0;
        bench_diags_clear(mine);
        return r;
}

int suite_check(suite_checker *c, const cJSON *root, const suite_overrides *ov, suite *s) {
        /* count and sort only the problems of this suite */
        bench_diags mine = {0}, *all = c->d;
        c->d = &mine;
        json_path top = {0};
        check_duplicates(c, root, &top);
        check_top(c, root, ov, s);
        c->d = all;
        return add_sorted(c, &mine);
}

/*
 * density: the largest N of each configuration must fit the host's
 * available memory (the kind's estimate per environment), fd and task limits.
 */
static void check_density(suite_checker *c, const suite *s, bench_diags *d) {
        density_host host;
        density_host_read(&host);
        for (size_t i = 0; i < s->n_workloads; i++) {
                const suite_workload *w = &s->workloads[i];
                unsigned n;
                if (!(w->spec->flags & WL_HOST_DENSITY) || density_max_n(w, &n) < 0)
                        continue;
                for (size_t k = 0; k < s->n_configs; k++) {
                        const suite_config *sc = &s->configs[k];
                        if (!sc->kind->driver || !suite_workload_applies(w, sc))
                                continue;
                        rt_estimate e;
                        char why[512], where[64];
                        density_estimate(sc->kind->driver, sc->options, &e);
                        if (density_fits(n, sc->kind->name, &e, &host, why, sizeof(why)) == 0)
                                continue;
                        unsigned line, col;
                        snprintf(where, sizeof(where), "workloads[%zu].params.n", i);
                        if (json_locate(c->text, where, &line, &col) < 0) {
                                snprintf(where, sizeof(where), "workloads[%zu]", i);
                                if (json_locate(c->text, where, &line, &col) < 0)
                                        line = col = 0;
                        }
                        if (line)
                                bench_diags_add(d, "%s:%u:%u: %s: workload `%s` in configuration `%s`: %s",
                                                c->file, line, col, where, w->name, sc->name, why);
                        else
                                bench_diags_add(d, "%s: %s: workload `%s` in configuration `%s`: %s", c->file,
                                                where, w->name, sc->name, why);
                }
        }
}

/*
 * The host's word on each configuration (layer dirs, capability names,
 * cpusets, cgroup controllers): bad input is caught before anything is made.
 */
int suite_check_on_host(suite_checker *c, const cJSON *root, const suite *s) {
        bench_diags mine = {0};
        const cJSON *cfgs = cJSON_GetObjectItemCaseSensitive(root, "configurations"), *e;
        int k = 0;
        cJSON_ArrayForEach(e, cfgs) {
                const cJSON *nv = cJSON_GetObjectItemCaseSensitive(e, "name");
                const suite_config *sc = NULL;
                for (size_t i = 0; cJSON_IsString(nv) && i < s->n_configs; i++)
                        if (!strcmp(s->configs[i].name, nv->valuestring))
                                sc = &s->configs[i];
                if (sc && sc->kind->driver && sc->kind->driver->check) {
                        _cleanup_error_ bench_error *err = NULL;
                        if (sc->kind->driver->check(sc->options, &err) < 0) {
                                char where[64];
                                unsigned line, col;
                                snprintf(where, sizeof(where), "configurations[%d]", k);
                                if (json_locate(c->text, where, &line, &col) == 0)
                                        bench_diags_add(&mine, "%s:%u:%u: %s (`%s`): %s", c->file, line, col,
                                                        where, sc->name,
                                                        err && err->msg ? err->msg : "refused");
                                else
                                        bench_diags_add(&mine, "%s: %s (`%s`): %s", c->file, where, sc->name,
                                                        err && err->msg ? err->msg : "refused");
                        }
                }
                k++;
        }
        check_density(c, s, &mine);
        return add_sorted(c, &mine);
}

cJSON *suite_check_text(suite_checker *c) {
        const char *p = c->text;
        while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
                p++;
        if (!*p) {
                bench_diags_add(
                        c->d,
                        "%s: the file is empty (a suite is a JSON object such as {\"name\": \"quick\", "
                        "\"configurations\": [{\"name\": \"bare\", \"kind\": \"bare\"}], \"workloads\": "
                        "[{\"kind\": \"startup\"}]})",
                        c->file);
                return NULL;
        }
        json_syntax_error e;
        if (json_check_syntax(c->text, &e) < 0) {
                report_syntax(c, e.offset, e.msg);
                return NULL;
        }
        const char *end = NULL;
        cJSON *root = cJSON_ParseWithOpts(c->text, &end, true);
        if (!root) {
                report_syntax(c, end ? (size_t)(end - c->text) : 0, "cJSON cannot parse this");
                return NULL;
        }
        if (!cJSON_IsObject(root)) {
                json_path top = {0};
                _cleanup_free_ char *got = describe(c, &top, root, true);
                report(c, &top, AT_VALUE, 0, NULL,
                       "a suite must be a JSON object {\"name\": ..., \"configurations\": [...], "
                       "\"workloads\": "
                       "[...]}, got %s",
                       got ? got : "?");
                cJSON_Delete(root);
                return NULL;
        }
        return root;
}
