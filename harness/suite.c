/* SPDX-License-Identifier: MIT */
/*
 * The suite model: a suite file read into typed configurations and
 * workloads (the validator, suite_check.c, reads and checks it), the suite
 * as run, and its lifetime.
 */
#include "suite.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../common/cleanup.h"
#include "../common/rng.h"
#include "../common/util.h"
#include "suite-internal.h"

const bench_opt_spec suite_fields[] = {
        /* a STRING's choices: the example its messages give */
        {"name", BENCH_OPT_STRING, NULL, "startup-overhead", 0, 0, "what this suite measures"},
        {"description", BENCH_OPT_TEXT, NULL, NULL, 0, 0, "free text"},
        {"repetitions", BENCH_OPT_UINT, "5", NULL, 1, 100000, "measured repetitions"},
        {"warmup", BENCH_OPT_UINT, "1", NULL, 0, 1000, "discarded repetitions before them"},
        /* no default: from the clock; at most the 15 digits cJSON prints back exactly */
        {"seed", BENCH_OPT_UINT, NULL, NULL, 0, 999999999999999ull,
         "shuffle seed; default: from the clock, recorded in the result"},
        {"timeout_s", BENCH_OPT_SECONDS, "300", NULL, 0, 0, "per environment run"},
        /* adaptive repetitions: without precision, max_repetitions and max_time are refused */
        {"precision", BENCH_OPT_PERCENT, NULL, "2%", 0, 100,
         "repeat until every median's 95% interval is within this of it (repetitions is then the minimum)"},
        {"max_repetitions", BENCH_OPT_UINT, "100", NULL, 1, 100000,
         "with precision: at most this many measured repetitions (at least repetitions)"},
        {"max_time", BENCH_OPT_SECONDS, NULL, NULL, 0, 0,
         "with precision: seconds; no repetition starts that would likely end past it"},
        {"pinning", BENCH_OPT_CPULIST, "auto", "auto|none", 0, 0,
         "auto (hwloc), none, or the workload's cpu list"},
        {0},
};

static uint64_t seed_from_clock(void) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        /* splitmix64 of the clock: runs started together still differ */
        uint64_t z = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec + bench_now_ns() +
                     ((uint64_t)getpid() << 32);
        return bench_splitmix64(&z) & 0xffffffffull; /* short enough to retype on a command line */
}

/* The suite's fields as given (the validator checked them and the overrides), else their defaults. */
static int read_fields(suite *s, const cJSON *root, const suite_overrides *ov) {
        char buf[64];
        s->repetitions = ov && ov->repetitions >= 0
                                 ? (unsigned)ov->repetitions
                                 : (unsigned)bench_opt_uint(root, suite_fields, "repetitions");
        s->warmup = ov && ov->warmup >= 0 ? (unsigned)ov->warmup
                                          : (unsigned)bench_opt_uint(root, suite_fields, "warmup");
        s->seed = ov && ov->has_seed                            ? ov->seed
                  : bench_opt_given(root, suite_fields, "seed") ? bench_opt_uint(root, suite_fields, "seed")
                                                                : seed_from_clock();
        s->timeout_s = bench_opt_seconds(root, suite_fields, "timeout_s");
        /* the overrides' text was checked like the file's values */
        const bench_opt_spec *f = bench_opt_find(suite_fields, "precision");
        s->precision = (ov && ov->precision ? bench_opt_text_percent(f, ov->precision, NULL)
                                            : bench_opt_percent(root, suite_fields, "precision")) /
                       100;
        if (s->precision > 0) {
                s->max_repetitions =
                        ov && ov->has_max_repetitions
                                ? (unsigned)ov->max_repetitions
                                : (unsigned)bench_opt_uint(root, suite_fields, "max_repetitions");
                f = bench_opt_find(suite_fields, "max_time");
                s->max_time_s = ov && ov->max_time ? bench_opt_text_seconds(f, ov->max_time, NULL)
                                                   : bench_opt_seconds(root, suite_fields, "max_time");
        }
        const char *pin = bench_opt_cpulist(root, suite_fields, "pinning", buf, sizeof(buf));
        s->pin_mode = !strcmp(pin, "auto")   ? SUITE_PIN_AUTO
                      : !strcmp(pin, "none") ? SUITE_PIN_NONE
                                             : SUITE_PIN_CPUS;
        if (s->pin_mode == SUITE_PIN_CPUS && !(s->pin_cpus = strdup(pin)))
                return -ENOMEM;
        return (s->name = strdup(bench_opt_string(root, suite_fields, "name"))) ? 0 : -ENOMEM;
}

/* Keeps the configurations named in list ("a,b", --configs; the validator checked the names). */
static void keep_configs(suite *s, const char *list) {
        size_t w = 0;
        for (size_t i = 0; i < s->n_configs; i++) {
                const char *name = s->configs[i].name;
                bool keep = false;
                for (const char *p = list; *p && !keep; p += *p == ',') {
                        size_t len = strcspn(p, ",");
                        keep = len == strlen(name) && !strncmp(p, name, len);
                        p += len;
                }
                if (keep) {
                        s->configs[w++] = s->configs[i];
                        continue;
                }
                free(s->configs[i].name);
                cJSON_Delete(s->configs[i].options);
        }
        s->n_configs = w;
}

/* {"name": name, "kind": kind}, appended to arr; NULL if out of memory. */
static cJSON *add_named(cJSON *arr, const char *name, const char *kind) {
        cJSON *o = cJSON_CreateObject();
        if (!o || !cJSON_AddItemToArray(arr, o)) {
                cJSON_Delete(o);
                return NULL;
        }
        if (!cJSON_AddStringToObject(o, "name", name) || !cJSON_AddStringToObject(o, "kind", kind))
                return NULL;
        return o;
}

/* A copy of v as o's key; false if out of memory. */
static bool add_copy(cJSON *o, const char *key, const cJSON *v) {
        cJSON *dup = cJSON_Duplicate(v, true);
        if (!dup || !cJSON_AddItemToObject(o, key, dup)) {
                cJSON_Delete(dup);
                return false;
        }
        return true;
}

/* The suite as it will run: overrides applied, defaults filled in, seed recorded. */
static cJSON *suite_to_json(const suite *s, const cJSON *root) {
        const char *description = bench_opt_string(root, suite_fields, "description");
        cJSON *j = cJSON_CreateObject();
        if (!j)
                return NULL;
        bool ok = cJSON_AddStringToObject(j, "name", s->name);
        if (description)
                ok = ok && cJSON_AddStringToObject(j, "description", description);
        ok = ok && cJSON_AddNumberToObject(j, "repetitions", s->repetitions);
        ok = ok && cJSON_AddNumberToObject(j, "warmup", s->warmup);
        ok = ok && cJSON_AddNumberToObject(j, "seed", (double)s->seed);
        ok = ok && cJSON_AddNumberToObject(j, "timeout_s", s->timeout_s);
        if (s->precision > 0) {
                char pct[64];
                snprintf(pct, sizeof(pct), "%.15g%%", s->precision * 100);
                ok = ok && cJSON_AddStringToObject(j, "precision", pct);
                ok = ok && cJSON_AddNumberToObject(j, "max_repetitions", s->max_repetitions);
                if (s->max_time_s > 0)
                        ok = ok && cJSON_AddNumberToObject(j, "max_time", s->max_time_s);
        }
        ok = ok && cJSON_AddStringToObject(j, "pinning",
                                           s->pin_mode == SUITE_PIN_AUTO   ? "auto"
                                           : s->pin_mode == SUITE_PIN_NONE ? "none"
                                                                           : s->pin_cpus);
        cJSON *cfgs = ok ? cJSON_AddArrayToObject(j, "configurations") : NULL;
        for (size_t i = 0; cfgs && ok && i < s->n_configs; i++) {
                cJSON *o = add_named(cfgs, s->configs[i].name, s->configs[i].kind->name);
                ok = o != NULL;
                for (const cJSON *ch = o ? s->configs[i].options->child : NULL; ok && ch; ch = ch->next)
                        ok = add_copy(o, ch->string, ch);
        }
        cJSON *wls = ok && cfgs ? cJSON_AddArrayToObject(j, "workloads") : NULL;
        for (size_t i = 0; wls && ok && i < s->n_workloads; i++) {
                const suite_workload *w = &s->workloads[i];
                cJSON *o = add_named(wls, w->name, w->spec->name);
                ok = o && (!w->params_json || add_copy(o, "params", w->params_json));
                cJSON *cl = ok && w->configs ? cJSON_AddArrayToObject(o, "configurations") : NULL;
                for (size_t k = 0; cl && ok && k < w->n_configs; k++)
                        ok = cJSON_AddItemToArray(cl, cJSON_CreateString(w->configs[k]));
                ok = ok && (!w->configs || cl);
        }
        if (!ok || !wls) {
                cJSON_Delete(j);
                return NULL;
        }
        return j;
}

int suite_parse(const char *text, const char *path, const suite_overrides *ov, suite **ret,
                bench_diags *diags) {
        const char *file = path ? path : "<suite>";
        size_t n_before = diags->n;
        if (!text)
                return -EINVAL;
        if (!strncmp(text, "\xEF\xBB\xBF", 3)) /* a UTF-8 BOM some editors add */
                text += 3;
        suite_checker c = {.text = text, .file = file, .d = diags};
        _cleanup_json_ cJSON *root = suite_check_text(&c);
        if (!root)
                return -EINVAL;
        suite *s = calloc(1, sizeof(*s));
        if (!s || (path && !(s->path = strdup(path)))) {
                free(s);
                bench_diags_add(diags, "%s: out of memory", file);
                return -ENOMEM;
        }
        bool failed = suite_check(&c, root, ov, s) < 0;
        if (!failed && !c.oom) {
                if (ov && ov->configs)
                        keep_configs(s, ov->configs);
                if (read_fields(s, root, ov) < 0 || !(s->json = suite_to_json(s, root)))
                        c.oom = true;
        }
        if (!failed && !c.oom && ov && ov->check_host)
                failed = suite_check_on_host(&c, root, s) < 0;
        if (c.oom && diags->n == n_before)
                bench_diags_add(diags, "%s: out of memory", file);
        if (failed || c.oom) {
                suite_free(s);
                return c.oom ? -ENOMEM : -EINVAL;
        }
        *ret = s;
        return 0;
}

int suite_load(const char *path, const suite_overrides *ov, suite **ret, bench_diags *diags) {
        _cleanup_free_ char *text = NULL;
        _cleanup_error_ bench_error *err = NULL;
        size_t len = 0;
        int r = bench_read_file(path, &text, &len, &err);
        if (r < 0) {
                if (r == -ENOENT)
                        bench_diags_add(diags,
                                        "%s: no such file (check the path; example suites are in suites/)",
                                        path);
                else if (r == -EISDIR)
                        bench_diags_add(diags,
                                        "%s: is a directory, not a suite file (name a .json file in it)",
                                        path);
                else
                        bench_diags_add(diags, "%s: cannot read: %s", path, strerror(-r));
                return r;
        }
        if (strlen(text) != len) {
                unsigned l, col;
                json_line_col(text, strlen(text), &l, &col);
                bench_diags_add(diags, "%s:%u:%u: invalid JSON: a NUL byte (is this a binary file?)", path, l,
                                col);
                return -EINVAL;
        }
        return suite_parse(text, path, ov, ret, diags);
}

static void set_string(cJSON *o, const char *key, const char *value) {
        cJSON *v = cJSON_CreateString(value);
        if (!v)
                return;
        if (cJSON_HasObjectItem(o, key))
                cJSON_ReplaceItemInObjectCaseSensitive(o, key, v);
        else
                cJSON_AddItemToObject(o, key, v);
}

void suite_set_kind_option(suite *s, const char *kind, const char *option, const char *value) {
        for (size_t i = 0; i < s->n_configs; i++)
                if (!strcmp(s->configs[i].kind->name, kind) && s->configs[i].options)
                        set_string(s->configs[i].options, option, value);
        const cJSON *cfgs = cJSON_GetObjectItemCaseSensitive(s->json, "configurations");
        cJSON *c;
        cJSON_ArrayForEach(c, cfgs) {
                const cJSON *k = cJSON_GetObjectItemCaseSensitive(c, "kind");
                if (cJSON_IsString(k) && !strcmp(k->valuestring, kind))
                        set_string(c, option, value);
        }
}

void suite_free(suite *s) {
        if (!s)
                return;
        free(s->path);
        free(s->name);
        free(s->pin_cpus);
        for (size_t i = 0; i < s->n_configs; i++) {
                free(s->configs[i].name);
                cJSON_Delete(s->configs[i].options);
        }
        free(s->configs);
        for (size_t i = 0; i < s->n_workloads; i++) {
                free(s->workloads[i].name);
                for (size_t k = 0; k < s->workloads[i].n_params; k++) {
                        free(s->workloads[i].params[k].key);
                        free(s->workloads[i].params[k].value);
                }
                free(s->workloads[i].params);
                cJSON_Delete(s->workloads[i].params_json);
                bench_strv_free(s->workloads[i].configs);
        }
        free(s->workloads);
        cJSON_Delete(s->json);
        free(s);
}

bool suite_workload_applies(const suite_workload *w, const suite_config *cfg) {
        if (!w->configs)
                return true;
        for (size_t i = 0; i < w->n_configs; i++)
                if (!strcmp(w->configs[i], cfg->name))
                        return true;
        return false;
}
