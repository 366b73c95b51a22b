/* SPDX-License-Identifier: MIT */
#include "result.h"

#include <errno.h>
#include <locale.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "../common/cleanup.h"
#include "../common/jsonpos.h"
#include "../common/util.h"
#include "reader.h"

#define FOOTPRINT_METRIC "footprint_kib"
#define OVERHEAD_METRIC "overhead_kib"

/* ---- the model ---- */

res_file *res_file_new(void) {
        return calloc(1, sizeof(res_file));
}

static void series_clear(res_series *s) {
        free(s->workload);
        free(s->kind);
        free(s->configuration);
        free(s->config_kind);
        free(s->metric);
        free(s->unit);
        free(s->better);
        free(s->accel);
        free(s->runtime);
        cJSON_Delete(s->params);
        free(s->samples);
        res_stats_clear(&s->stats);
        *s = (res_series){0};
}

static void worst_clear(res_worst *w) {
        free(w->workload);
        free(w->configuration);
        free(w->metric);
        *w = (res_worst){0};
}

static void concurrent_free(res_concurrent *c, size_t n) {
        for (size_t i = 0; i < n; i++) {
                free(c[i].suite);
                free(c[i].started_at);
        }
        free(c);
}

int res_set_concurrent(res_file *f, const res_concurrent *runs, size_t n) {
        res_concurrent *c = n ? calloc(n, sizeof(*c)) : NULL;
        if (n && !c)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                c[i] = (res_concurrent){.pid = runs[i].pid,
                                        .suite = strdup(runs[i].suite ? runs[i].suite : ""),
                                        .started_at = strdup(runs[i].started_at ? runs[i].started_at : ""),
                                        .allow_concurrent = runs[i].allow_concurrent};
                if (!c[i].suite || !c[i].started_at) {
                        concurrent_free(c, i + 1);
                        return -ENOMEM;
                }
        }
        concurrent_free(f->concurrent, f->n_concurrent);
        f->concurrent = c;
        f->n_concurrent = n;
        return 0;
}

static void issue_clear(res_issue *i) {
        free(i->configuration);
        free(i->workload);
        free(i->reason);
        *i = (res_issue){0};
}

void res_file_free(res_file *f) {
        if (!f)
                return;
        cJSON_Delete(f->host);
        cJSON_Delete(f->suite);
        cJSON_Delete(f->pinning);
        cJSON_Delete(f->activity);
        free(f->started_at);
        free(f->finished_at);
        free(f->interrupted);
        worst_clear(&f->adaptive.worst);
        concurrent_free(f->concurrent, f->n_concurrent);
        for (size_t i = 0; i < f->n_series; i++)
                series_clear(&f->series[i]);
        free(f->series);
        for (size_t i = 0; i < f->n_skipped; i++)
                issue_clear(&f->skipped[i]);
        free(f->skipped);
        for (size_t i = 0; i < f->n_errors; i++)
                issue_clear(&f->errors[i]);
        free(f->errors);
        for (size_t i = 0; i < f->n_notes; i++)
                issue_clear(&f->notes[i]);
        free(f->notes);
        free(f);
}

/* Makes room for one more element of size elem in *array. */
static int grow(void **array, size_t n, size_t *cap, size_t elem) {
        if (n < *cap)
                return 0;
        size_t ncap = *cap ? *cap * 2 : 8;
        void *p = reallocarray(*array, ncap, elem);
        if (!p)
                return -ENOMEM;
        *array = p;
        *cap = ncap;
        return 0;
}

/* The key of a series: workload, configuration, metric, and density's k and n. */
static ssize_t series_index_at(const res_file *f, const char *workload, const char *configuration,
                               const char *metric, unsigned k, unsigned n) {
        for (size_t i = 0; i < f->n_series; i++) {
                const res_series *s = &f->series[i];
                if (!strcmp(s->workload, workload) && !strcmp(s->configuration, configuration) &&
                    !strcmp(s->metric, metric) && s->k == k && s->n == n)
                        return (ssize_t)i;
        }
        return -1;
}

static ssize_t series_index(const res_file *f, const char *workload, const char *configuration,
                            const char *metric) {
        return series_index_at(f, workload, configuration, metric, 0, 0);
}

const res_series *res_find(const res_file *f, const char *workload, const char *configuration,
                           const char *metric) {
        if (!f || !workload || !configuration || !metric)
                return NULL;
        ssize_t i = series_index(f, workload, configuration, metric);
        return i < 0 ? NULL : &f->series[i];
}

const res_series *res_find_like(const res_file *f, const res_series *like, const char *configuration) {
        if (!f || !like)
                return NULL;
        ssize_t i = series_index_at(f, like->workload, configuration ? configuration : like->configuration,
                                    like->metric, like->k, like->n);
        return i < 0 ? NULL : &f->series[i];
}

const char *res_metric_label(const res_series *s, char *buf, size_t len) {
        if (s->k && s->n)
                snprintf(buf, len, "%s k=%u n=%u", s->metric, s->k, s->n);
        else if (s->k || s->n)
                snprintf(buf, len, "%s %s=%u", s->metric, s->k ? "k" : "n", s->k ? s->k : s->n);
        else
                snprintf(buf, len, "%s", s->metric);
        return buf;
}

res_series *res_series_get(res_file *f, const char *workload, const char *kind, const char *configuration,
                           const char *config_kind, const char *metric, const char *unit, const char *better,
                           const cJSON *params) {
        return res_series_get_at(f, workload, kind, configuration, config_kind, metric, unit, better, params,
                                 0, 0);
}

res_series *res_series_get_at(res_file *f, const char *workload, const char *kind, const char *configuration,
                              const char *config_kind, const char *metric, const char *unit,
                              const char *better, const cJSON *params, unsigned k, unsigned n) {
        if (!f || !workload || !kind || !configuration || !config_kind || !metric || !unit || !better)
                return NULL;
        ssize_t i = series_index_at(f, workload, configuration, metric, k, n);
        if (i >= 0)
                return &f->series[i];
        if (grow((void **)&f->series, f->n_series, &f->cap_series, sizeof(res_series)) < 0)
                return NULL;
        res_series s = {
                .workload = strdup(workload),
                .kind = strdup(kind),
                .configuration = strdup(configuration),
                .config_kind = strdup(config_kind),
                .metric = strdup(metric),
                .unit = strdup(unit),
                .better = strdup(better),
                .params = params ? cJSON_Duplicate(params, true) : NULL,
                .k = k,
                .n = n,
        };
        if (!s.workload || !s.kind || !s.configuration || !s.config_kind || !s.metric || !s.unit ||
            !s.better || (params && !s.params)) {
                series_clear(&s);
                return NULL;
        }
        f->series[f->n_series] = s;
        return &f->series[f->n_series++];
}

int res_series_add(res_series *s, double value) {
        if (!s || !isfinite(value))
                return -EINVAL;
        if (grow((void **)&s->samples, s->n_samples, &s->cap, sizeof(double)) < 0)
                return -ENOMEM;
        s->samples[s->n_samples++] = value;
        return 0;
}

static const char *const stop_names[] = {
        [RES_STOP_NONE] = NULL,
        [RES_STOP_PRECISION] = "precision",
        [RES_STOP_MAX_REPETITIONS] = "max_repetitions",
        [RES_STOP_MAX_TIME] = "max_time",
        [RES_STOP_INTERRUPTED] = "interrupted",
};

const char *res_stop_name(res_stop s) {
        return (size_t)s < ELEMENTSOF(stop_names) ? stop_names[s] : NULL;
}

static char *strdup_or_null(const char *s) {
        return s ? strdup(s) : NULL;
}

static void add_issue(res_issue **array, size_t *n, size_t *cap, const char *configuration,
                      const char *workload, int repetition, bool warmup, const char *fmt, va_list ap)
        __attribute__((format(printf, 8, 0)));
static void add_issue(res_issue **array, size_t *n, size_t *cap, const char *configuration,
                      const char *workload, int repetition, bool warmup, const char *fmt, va_list ap) {
        res_issue i = {.repetition = repetition < 0 ? -1 : repetition, .warmup = warmup};
        if (vasprintf(&i.reason, fmt, ap) < 0)
                return; /* out of memory: nothing sensible left to record */
        i.configuration = strdup_or_null(configuration);
        i.workload = strdup_or_null(workload);
        if ((configuration && !i.configuration) || (workload && !i.workload) ||
            grow((void **)array, *n, cap, sizeof(res_issue)) < 0) {
                issue_clear(&i);
                return;
        }
        (*array)[(*n)++] = i;
}

void res_add_skip(res_file *f, const char *configuration, const char *workload, int repetition, bool warmup,
                  const char *fmt, ...) {
        if (!f)
                return;
        va_list ap;
        va_start(ap, fmt);
        add_issue(&f->skipped, &f->n_skipped, &f->cap_skipped, configuration, workload, repetition, warmup,
                  fmt, ap);
        va_end(ap);
}

void res_add_error(res_file *f, const char *configuration, const char *workload, int repetition, bool warmup,
                   const char *fmt, ...) {
        if (!f)
                return;
        va_list ap;
        va_start(ap, fmt);
        add_issue(&f->errors, &f->n_errors, &f->cap_errors, configuration, workload, repetition, warmup, fmt,
                  ap);
        va_end(ap);
}

void res_add_note(res_file *f, const char *configuration, const char *workload, int repetition, bool warmup,
                  const char *fmt, ...) {
        if (!f)
                return;
        va_list ap;
        va_start(ap, fmt);
        add_issue(&f->notes, &f->n_notes, &f->cap_notes, configuration, workload, repetition, warmup, fmt,
                  ap);
        va_end(ap);
}

/* ---- finalize: derived series and stats ---- */

static int median_of(const res_series *s, double *ret) {
        _cleanup_free_ double *sorted = malloc(s->n_samples * sizeof(double));
        if (!sorted)
                return -ENOMEM;
        memcpy(sorted, s->samples, s->n_samples * sizeof(double));
        res_sort(sorted, s->n_samples);
        *ret = bench_percentile_sorted(sorted, s->n_samples, 50);
        return 0;
}

/* The first bare configuration's footprint series of this workload, if any has samples. */
static const res_series *bare_footprint(const res_file *f, const char *workload) {
        for (size_t i = 0; i < f->n_series; i++) {
                const res_series *s = &f->series[i];
                if (!strcmp(s->config_kind, "bare") && !strcmp(s->metric, FOOTPRINT_METRIC) &&
                    !strcmp(s->workload, workload) && s->n_samples > 0)
                        return s;
        }
        return NULL;
}

bool res_series_is_derived(const res_series *s) {
        return !strcmp(s->metric, OVERHEAD_METRIC) && strcmp(s->config_kind, "bare") != 0;
}

static void series_remove(res_file *f, size_t i) {
        series_clear(&f->series[i]);
        memmove(&f->series[i], &f->series[i + 1], (f->n_series - i - 1) * sizeof(res_series));
        f->n_series--;
}

/*
 * overhead_kib = footprint_kib - median of the bare footprint of the same
 * workload. Rebuilt from scratch each time so finalize is idempotent. Works
 * with indices: res_series_get may move the array.
 */
static int derive_overhead(res_file *f, bench_error **err) {
        for (size_t i = 0; i < f->n_series; i++) {
                if (strcmp(f->series[i].metric, FOOTPRINT_METRIC) != 0 ||
                    !strcmp(f->series[i].config_kind, "bare"))
                        continue;
                const res_series *bare = bare_footprint(f, f->series[i].workload);
                ssize_t o =
                        series_index(f, f->series[i].workload, f->series[i].configuration, OVERHEAD_METRIC);
                if (!bare || f->series[i].n_samples == 0) {
                        /* the bare run is gone or failed: a stale overhead would lie */
                        if (o >= 0) {
                                series_remove(f, (size_t)o);
                                if ((size_t)o < i)
                                        i--;
                        }
                        continue;
                }
                double base;
                if (median_of(bare, &base) < 0)
                        return bench_error_set(err, ENOMEM, "out of memory");
                const res_series *fp = &f->series[i];
                res_series *ov = res_series_get(f, fp->workload, fp->kind, fp->configuration, fp->config_kind,
                                                OVERHEAD_METRIC, "KiB", "lower", fp->params);
                if (!ov)
                        return bench_error_set(err, ENOMEM, "out of memory");
                fp = &f->series[i];
                if ((fp->accel && !ov->accel && !(ov->accel = strdup(fp->accel))) ||
                    (fp->runtime && !ov->runtime && !(ov->runtime = strdup(fp->runtime))))
                        return bench_error_set(err, ENOMEM, "out of memory");
                ov->n_samples = 0;
                for (size_t k = 0; k < fp->n_samples; k++) {
                        int r = res_series_add(ov, fp->samples[k] - base);
                        if (r < 0)
                                return bench_error_set(err, r, "%s/%s: cannot derive %s from sample %zu",
                                                       fp->workload, fp->configuration, OVERHEAD_METRIC, k);
                }
        }
        return 0;
}

int res_finalize(res_file *f, bench_error **err) {
        if (!f)
                return bench_error_set(err, EINVAL, "no result");
        int r = derive_overhead(f, err);
        if (r < 0)
                return r;
        for (size_t i = 0; i < f->n_series; i++) {
                res_series *s = &f->series[i];
                res_stats_clear(&s->stats);
                s->has_stats = false;
                if (s->n_samples == 0)
                        continue;
                r = res_stats_compute(s->samples, s->n_samples, &s->stats, err);
                if (r < 0) {
                        if (err)
                                bench_error_prefix(err, "%s/%s/%s", s->workload, s->configuration, s->metric);
                        return r;
                }
                s->has_stats = true;
        }
        return 0;
}

/* ---- writing ---- */

/*
 * Doubles as the shortest of %.15g/%.16g/%.17g that reads back to the same
 * bits. cJSON's own printer accepts a 15-digit form within an epsilon, which
 * is not exact, and prints inf/NaN as null.
 */
static void format_double(double v, char *buf, size_t len) {
        if (!isfinite(v)) {
                snprintf(buf, len, "null"); /* never reached: samples and stats are finite */
                return;
        }
        for (int prec = 15; prec <= 17; prec++) {
                snprintf(buf, len, "%.*g", prec, v);
                if (strtod(buf, NULL) == v)
                        break;
        }
        /* printf follows LC_NUMERIC; JSON wants '.' */
        const char *dp = localeconv()->decimal_point;
        if (dp && dp[0] && dp[0] != '.' && !dp[1])
                for (char *p = buf; *p; p++)
                        if (*p == dp[0])
                                *p = '.';
}

static cJSON *number(double v) {
        char buf[64];
        format_double(v, buf, sizeof(buf));
        return cJSON_CreateRaw(buf);
}

static cJSON *integer(long long v) {
        char buf[32];
        snprintf(buf, sizeof(buf), "%lld", v);
        return cJSON_CreateRaw(buf);
}

static cJSON *string_or_null(const char *s) {
        return s ? cJSON_CreateString(s) : cJSON_CreateNull();
}

static cJSON *copy_or_null(const cJSON *j) {
        return j ? cJSON_Duplicate(j, true) : cJSON_CreateNull();
}

/* Adds item to obj; false if item is NULL (allocation failed). */
static bool put(cJSON *obj, const char *key, cJSON *item) {
        if (!item)
                return false;
        if (!cJSON_AddItemToObject(obj, key, item)) {
                cJSON_Delete(item);
                return false;
        }
        return true;
}

static bool append(cJSON *array, cJSON *item) {
        if (!item)
                return false;
        if (!cJSON_AddItemToArray(array, item)) {
                cJSON_Delete(item);
                return false;
        }
        return true;
}

static cJSON *stats_to_json(const res_stats *st) {
        _cleanup_(cjson_deletep) cJSON *o = cJSON_CreateObject();
        if (!o)
                return NULL;
        bool ok = put(o, "n", integer((long long)st->n)) && put(o, "mean", number(st->mean)) &&
                  put(o, "median", number(st->median)) && put(o, "stddev", number(st->stddev)) &&
                  put(o, "cv", number(st->cv)) && put(o, "min", number(st->min)) &&
                  put(o, "max", number(st->max)) && put(o, "p05", number(st->p05)) &&
                  put(o, "p95", number(st->p95)) && put(o, "ci95_low", number(st->ci95_low)) &&
                  put(o, "ci95_high", number(st->ci95_high)) && put(o, "ci_level", number(st->ci_level));
        cJSON *outliers = ok ? cJSON_AddArrayToObject(o, "outliers") : NULL;
        if (!outliers)
                return NULL;
        for (size_t i = 0; i < st->n_outliers; i++)
                if (!append(outliers, integer((long long)st->outliers[i])))
                        return NULL;
        return steal_pointer(&o);
}

/* {"reached": 0.013 or null, "met": true} */
static cJSON *precision_to_json(const res_precision *p) {
        _cleanup_(cjson_deletep) cJSON *o = cJSON_CreateObject();
        if (!o || !put(o, "reached", p->has_reached ? number(p->reached) : cJSON_CreateNull()) ||
            !put(o, "met", cJSON_CreateBool(p->met)))
                return NULL;
        return steal_pointer(&o);
}

static cJSON *series_to_json(const res_series *s) {
        _cleanup_(cjson_deletep) cJSON *o = cJSON_CreateObject();
        if (!o)
                return NULL;
        if (!put(o, "workload", cJSON_CreateString(s->workload)) ||
            !put(o, "kind", cJSON_CreateString(s->kind)) ||
            !put(o, "configuration", cJSON_CreateString(s->configuration)) ||
            !put(o, "config_kind", cJSON_CreateString(s->config_kind)) ||
            !put(o, "metric", cJSON_CreateString(s->metric)) ||
            !put(o, "unit", cJSON_CreateString(s->unit)) || !put(o, "better", cJSON_CreateString(s->better)))
                return NULL;
        if (s->accel && !put(o, "accel", cJSON_CreateString(s->accel)))
                return NULL;
        if (s->runtime && !put(o, "runtime", cJSON_CreateString(s->runtime)))
                return NULL;
        if (s->depth && !put(o, "depth", integer(s->depth)))
                return NULL;
        if (s->k && !put(o, "k", integer(s->k)))
                return NULL;
        if (s->n && !put(o, "n", integer(s->n)))
                return NULL;
        if (s->params && !put(o, "params", cJSON_Duplicate(s->params, true)))
                return NULL;
        cJSON *samples = cJSON_AddArrayToObject(o, "samples");
        if (!samples)
                return NULL;
        for (size_t i = 0; i < s->n_samples; i++)
                if (!append(samples, number(s->samples[i])))
                        return NULL;

        /* stats that match the samples; computed here if finalize has not run since the last sample */
        cJSON *stats;
        if (s->n_samples == 0) {
                stats = cJSON_CreateNull();
        } else if (s->has_stats && s->stats.n == s->n_samples) {
                stats = stats_to_json(&s->stats);
        } else {
                res_stats st = {0};
                if (res_stats_compute(s->samples, s->n_samples, &st, NULL) < 0)
                        return NULL;
                stats = stats_to_json(&st);
                res_stats_clear(&st);
        }
        if (!put(o, "stats", stats))
                return NULL;
        if (s->precision.assessed && !put(o, "precision", precision_to_json(&s->precision)))
                return NULL;
        return steal_pointer(&o);
}

/* The series key of the worst, its reached and met; null before any series was assessed. */
static cJSON *worst_to_json(const res_worst *w) {
        if (!w->workload)
                return cJSON_CreateNull();
        _cleanup_(cjson_deletep) cJSON *o = cJSON_CreateObject();
        if (!o || !put(o, "workload", cJSON_CreateString(w->workload)) ||
            !put(o, "configuration", cJSON_CreateString(w->configuration)) ||
            !put(o, "metric", cJSON_CreateString(w->metric)) || (w->k && !put(o, "k", integer(w->k))) ||
            (w->n && !put(o, "n", integer(w->n))) ||
            !put(o, "reached",
                 w->precision.has_reached ? number(w->precision.reached) : cJSON_CreateNull()) ||
            !put(o, "met", cJSON_CreateBool(w->precision.met)))
                return NULL;
        return steal_pointer(&o);
}

static cJSON *adaptive_to_json(const res_adaptive *a) {
        _cleanup_(cjson_deletep) cJSON *o = cJSON_CreateObject();
        if (!o || !put(o, "precision", number(a->precision)) ||
            !put(o, "max_repetitions", integer(a->max_repetitions)) ||
            !put(o, "max_time_s", a->max_time_s > 0 ? number(a->max_time_s) : cJSON_CreateNull()) ||
            !put(o, "stopped_by", string_or_null(res_stop_name(a->stopped_by))) ||
            !put(o, "repetitions", integer(a->repetitions)) || !put(o, "worst", worst_to_json(&a->worst)))
                return NULL;
        return steal_pointer(&o);
}

static cJSON *issue_to_json(const res_issue *i) {
        _cleanup_(cjson_deletep) cJSON *o = cJSON_CreateObject();
        if (!o)
                return NULL;
        if (!put(o, "configuration", string_or_null(i->configuration)) ||
            !put(o, "workload", string_or_null(i->workload)) ||
            !put(o, "repetition", integer(i->repetition)) || !put(o, "warmup", cJSON_CreateBool(i->warmup)) ||
            !put(o, "reason", cJSON_CreateString(i->reason ? i->reason : "")))
                return NULL;
        return steal_pointer(&o);
}

static bool issues_to_json(cJSON *root, const char *key, const res_issue *issues, size_t n) {
        cJSON *a = cJSON_AddArrayToObject(root, key);
        if (!a)
                return false;
        for (size_t i = 0; i < n; i++)
                if (!append(a, issue_to_json(&issues[i])))
                        return false;
        return true;
}

static bool concurrent_to_json(cJSON *root, const res_file *f) {
        cJSON *a = cJSON_AddArrayToObject(root, "concurrent");
        if (!a)
                return false;
        for (size_t i = 0; i < f->n_concurrent; i++) {
                const res_concurrent *c = &f->concurrent[i];
                _cleanup_(cjson_deletep) cJSON *o = cJSON_CreateObject();
                if (!o || !put(o, "pid", integer(c->pid)) || !put(o, "suite", cJSON_CreateString(c->suite)) ||
                    !put(o, "started_at", cJSON_CreateString(c->started_at)) ||
                    !put(o, "allow_concurrent", cJSON_CreateBool(c->allow_concurrent)) ||
                    !append(a, steal_pointer(&o)))
                        return false;
        }
        return true;
}

char *res_to_json(const res_file *f) {
        if (!f)
                return NULL;
        _cleanup_(cjson_deletep) cJSON *root = cJSON_CreateObject();
        if (!root)
                return NULL;
        if (!put(root, "schema", cJSON_CreateString(RES_SCHEMA)) ||
            !put(root, "complete", cJSON_CreateBool(f->complete)) ||
            !put(root, "interrupted", string_or_null(f->interrupted)) ||
            !put(root, "started_at", string_or_null(f->started_at)) ||
            !put(root, "finished_at", string_or_null(f->finished_at)) ||
            !put(root, "repetitions_done", integer(f->repetitions_done)) ||
            (f->adaptive.on && !put(root, "adaptive", adaptive_to_json(&f->adaptive))) ||
            !put(root, "host", copy_or_null(f->host)) || !put(root, "suite", copy_or_null(f->suite)) ||
            !put(root, "pinning", copy_or_null(f->pinning)) ||
            !put(root, "activity", copy_or_null(f->activity)) ||
            !put(root, "allow_concurrent", cJSON_CreateBool(f->allow_concurrent)) ||
            !concurrent_to_json(root, f))
                return NULL;
        cJSON *results = cJSON_AddArrayToObject(root, "results");
        if (!results)
                return NULL;
        for (size_t i = 0; i < f->n_series; i++)
                if (!append(results, series_to_json(&f->series[i])))
                        return NULL;
        if (!issues_to_json(root, "skipped", f->skipped, f->n_skipped) ||
            !issues_to_json(root, "errors", f->errors, f->n_errors) ||
            !issues_to_json(root, "notes", f->notes, f->n_notes))
                return NULL;
        char *text = cJSON_Print(root);
        if (!text)
                return NULL;
        /* a text file ends with a newline */
        size_t len = strlen(text);
        char *nl = realloc(text, len + 2);
        if (!nl) {
                free(text);
                return NULL;
        }
        nl[len] = '\n';
        nl[len + 1] = '\0';
        return nl;
}

int res_write(const res_file *f, const char *path, bench_error **err) {
        _cleanup_free_ char *text = res_to_json(f);
        if (!text)
                return bench_error_set(err, ENOMEM, "%s: cannot format the result (out of memory?)", path);
        return bench_write_file_atomic(path, text, strlen(text), err);
}

/* ---- reading ---- */

/* the reader: results/reader.h */
typedef json_reader reader;

enum {
        OPT_NULLABLE = 1 << 0, /* null is accepted (and read as NULL) */
        OPT_OPTIONAL = 1 << 1, /* the key may be missing */
};

/* Looks key up and pushes it on the path; *ret NULL if null/missing and allowed. */
static int field(reader *rd, const cJSON *obj, const char *key, unsigned flags, bool (*is)(const cJSON *),
                 const char *expected, const cJSON **ret, size_t *ret_mark) {
        const cJSON *j = cJSON_GetObjectItemCaseSensitive(obj, key);
        *ret_mark = json_path_push_key(&rd->path, key);
        *ret = NULL;
        if (!j) {
                if (flags & OPT_OPTIONAL)
                        return 0;
                return json_fail(rd, "missing (expected %s)", expected);
        }
        if (cJSON_IsNull(j) && (flags & OPT_NULLABLE))
                return 0;
        if (!is(j))
                return json_fail(rd, "expected %s, got %s", expected, json_type_name(j));
        *ret = j;
        return 0;
}

static bool is_string(const cJSON *j) {
        return cJSON_IsString(j);
}
static bool is_number(const cJSON *j) {
        return cJSON_IsNumber(j);
}
static bool is_bool(const cJSON *j) {
        return cJSON_IsBool(j);
}
static bool is_object(const cJSON *j) {
        return cJSON_IsObject(j);
}
static bool is_array(const cJSON *j) {
        return cJSON_IsArray(j);
}

static int get_string(reader *rd, const cJSON *obj, const char *key, unsigned flags, char **ret) {
        const cJSON *j;
        size_t mark;
        int r = field(rd, obj, key, flags, is_string, "a string", &j, &mark);
        if (r < 0)
                return r;
        *ret = NULL;
        if (j && !(*ret = strdup(j->valuestring)))
                return bench_error_set(rd->err, ENOMEM, "out of memory");
        json_path_pop(&rd->path, mark);
        return 0;
}

static int get_enum(reader *rd, const cJSON *obj, const char *key, const char *const *values, char **ret) {
        const cJSON *j;
        size_t mark;
        int r = field(rd, obj, key, 0, is_string, "a string", &j, &mark);
        if (r < 0)
                return r;
        bool ok = false;
        for (const char *const *v = values; *v && !ok; v++)
                ok = !strcmp(j->valuestring, *v);
        if (!ok)
                return json_fail(rd, "unknown value `%s`", j->valuestring);
        if (!(*ret = strdup(j->valuestring)))
                return bench_error_set(rd->err, ENOMEM, "out of memory");
        json_path_pop(&rd->path, mark);
        return 0;
}

static int get_bool(reader *rd, const cJSON *obj, const char *key, bool *ret) {
        const cJSON *j;
        size_t mark;
        int r = field(rd, obj, key, 0, is_bool, "a boolean", &j, &mark);
        if (r < 0)
                return r;
        *ret = cJSON_IsTrue(j);
        json_path_pop(&rd->path, mark);
        return 0;
}

static int check_number(reader *rd, const cJSON *j, double *ret) {
        if (!cJSON_IsNumber(j))
                return json_fail(rd, "expected a number, got %s", json_type_name(j));
        if (!isfinite(j->valuedouble))
                return json_fail(rd, "number out of range");
        *ret = j->valuedouble;
        return 0;
}

static int check_integer(reader *rd, const cJSON *j, long long min, long long max, long long *ret) {
        double v;
        int r = check_number(rd, j, &v);
        if (r < 0)
                return r;
        if (v != floor(v) || v < (double)min || v > (double)max)
                return json_fail(rd, "expected an integer from %lld to %lld, got %.17g", min, max, v);
        *ret = (long long)v;
        return 0;
}

static int get_double(reader *rd, const cJSON *obj, const char *key, double *ret) {
        const cJSON *j;
        size_t mark;
        int r = field(rd, obj, key, 0, is_number, "a number", &j, &mark);
        if (r < 0 || (r = check_number(rd, j, ret)) < 0)
                return r;
        json_path_pop(&rd->path, mark);
        return 0;
}

static int get_integer(reader *rd, const cJSON *obj, const char *key, long long min, long long max,
                       long long *ret) {
        const cJSON *j;
        size_t mark;
        int r = field(rd, obj, key, 0, is_number, "an integer", &j, &mark);
        if (r < 0 || (r = check_integer(rd, j, min, max, ret)) < 0)
                return r;
        json_path_pop(&rd->path, mark);
        return 0;
}

/* An open object (host, suite, pinning): copied as is, after its required keys are checked. */
static int get_object(reader *rd, const cJSON *obj, const char *key, unsigned flags, cJSON **ret) {
        const cJSON *j;
        size_t mark;
        int r = field(rd, obj, key, flags, is_object, "an object", &j, &mark);
        if (r < 0)
                return r;
        *ret = NULL;
        if (j && !(*ret = cJSON_Duplicate(j, true)))
                return bench_error_set(rd->err, ENOMEM, "out of memory");
        json_path_pop(&rd->path, mark);
        return 0;
}

/* host.allocation (harness/allocation.h): optional; fleet reports key hosts by its slurm.node. */
static int check_allocation(reader *rd, const cJSON *host) {
        static const char *const slurm_keys[] = {"job_id",  "step_id",   "node",
                                                 "cluster", "partition", "job_name"};
        const cJSON *a, *j;
        size_t mark, m;
        int r = field(rd, host, "allocation", OPT_OPTIONAL, is_object, "an object", &a, &mark);
        if (r < 0 || !a) {
                if (r >= 0)
                        json_path_pop(&rd->path, mark);
                return r;
        }
        if ((r = field(rd, a, "cpus", OPT_NULLABLE, is_string, "a string", &j, &m)) < 0)
                return r;
        json_path_pop(&rd->path, m);
        static const char *const counts[] = {"n_cpus", "memory_limit_bytes"};
        for (size_t i = 0; i < ELEMENTSOF(counts); i++) {
                long long v;
                if ((r = field(rd, a, counts[i], OPT_NULLABLE, is_number, "an integer", &j, &m)) < 0 ||
                    (j && (r = check_integer(rd, j, 0, INT64_MAX / 2, &v)) < 0))
                        return r;
                json_path_pop(&rd->path, m);
        }
        bool delegated;
        if ((r = get_bool(rd, a, "delegated", &delegated)) < 0)
                return r;
        const cJSON *cg;
        if ((r = field(rd, a, "cgroups", 0, is_object, "an object", &cg, &m)) < 0)
                return r;
        for (const cJSON *e = cg->child; e; e = e->next) {
                size_t k = json_path_push_key(&rd->path, e->string);
                if (!cJSON_IsString(e))
                        return json_fail(rd, "expected a string, got %s", json_type_name(e));
                json_path_pop(&rd->path, k);
        }
        json_path_pop(&rd->path, m);
        const cJSON *sl;
        if ((r = field(rd, a, "slurm", OPT_OPTIONAL, is_object, "an object", &sl, &m)) < 0)
                return r;
        for (size_t i = 0; sl && i < ELEMENTSOF(slurm_keys); i++) {
                size_t k;
                if ((r = field(rd, sl, slurm_keys[i], OPT_NULLABLE, is_string, "a string", &j, &k)) < 0)
                        return r;
                json_path_pop(&rd->path, k);
        }
        json_path_pop(&rd->path, m);
        json_path_pop(&rd->path, mark);
        return 0;
}

/* The keys compare and reports rely on (harness/host.h). */
static int check_host(reader *rd, const cJSON *host) {
        static const char *const strings[] = {"hostname", "kernel", "cpu_model", "cgroup_mode",
                                              "bench_version"};
        static const char *const counts[] = {"cores", "memory_kib"};
        size_t mark = json_path_push_key(&rd->path, "host");
        for (size_t i = 0; i < ELEMENTSOF(strings); i++) {
                _cleanup_free_ char *s = NULL;
                int r = get_string(rd, host, strings[i], 0, &s);
                if (r < 0)
                        return r;
        }
        for (size_t i = 0; i < ELEMENTSOF(counts); i++) {
                long long v;
                int r = get_integer(rd, host, counts[i], 0, INT64_MAX / 2, &v);
                if (r < 0)
                        return r;
        }
        int r = check_allocation(rd, host);
        if (r < 0)
                return r;
        json_path_pop(&rd->path, mark);
        return 0;
}

static int check_pinning(reader *rd, const cJSON *pinning) {
        static const char *const strings[] = {"mode", "harness_cpus", "workload_cpus"};
        size_t mark = json_path_push_key(&rd->path, "pinning");
        for (size_t i = 0; i < ELEMENTSOF(strings); i++) {
                _cleanup_free_ char *s = NULL;
                int r = get_string(rd, pinning, strings[i], 0, &s);
                if (r < 0)
                        return r;
        }
        json_path_pop(&rd->path, mark);
        return 0;
}

static int read_stats(reader *rd, const cJSON *o, size_t n_samples, res_stats *ret) {
        static const char *const keys[] = {"n",         "mean",     "median",   "stddev", "cv",
                                           "min",       "max",      "p05",      "p95",    "ci95_low",
                                           "ci95_high", "ci_level", "outliers", NULL};
        int r = json_check_keys(rd, o, keys);
        if (r < 0)
                return r;
        res_stats st = {0};
        long long n;
        if ((r = get_integer(rd, o, "n", 1, INT64_MAX / 2, &n)) < 0)
                return r;
        if ((size_t)n != n_samples) {
                size_t mark = json_path_push_key(&rd->path, "n");
                r = json_fail(rd, "%lld, but there are %zu samples", n, n_samples);
                json_path_pop(&rd->path, mark);
                return r;
        }
        st.n = (size_t)n;
        struct {
                const char *key;
                double *dst;
        } nums[] = {
                {"mean", &st.mean},         {"median", &st.median},
                {"stddev", &st.stddev},     {"cv", &st.cv},
                {"min", &st.min},           {"max", &st.max},
                {"p05", &st.p05},           {"p95", &st.p95},
                {"ci95_low", &st.ci95_low}, {"ci95_high", &st.ci95_high},
                {"ci_level", &st.ci_level},
        };
        for (size_t i = 0; i < ELEMENTSOF(nums); i++)
                if ((r = get_double(rd, o, nums[i].key, nums[i].dst)) < 0)
                        return r;
        const cJSON *a;
        size_t mark;
        if ((r = field(rd, o, "outliers", 0, is_array, "an array", &a, &mark)) < 0)
                return r;
        size_t count = (size_t)cJSON_GetArraySize(a);
        _cleanup_free_ size_t *idx = count ? calloc(count, sizeof(size_t)) : NULL;
        if (count && !idx)
                return bench_error_set(rd->err, ENOMEM, "out of memory");
        size_t k = 0;
        for (const cJSON *e = a->child; e; e = e->next, k++) {
                size_t m = json_path_push_index(&rd->path, k);
                long long v;
                if ((r = check_integer(rd, e, 0, n - 1, &v)) < 0)
                        return r;
                idx[k] = (size_t)v;
                json_path_pop(&rd->path, m);
        }
        json_path_pop(&rd->path, mark);
        st.outliers = steal_pointer(&idx);
        st.n_outliers = count;
        *ret = st;
        return 0;
}

/* "reached" (a number >= 0 or null) and "met" (a bool, true only with a reached value) of o */
static int read_reached_met(reader *rd, const cJSON *o, res_precision *ret) {
        res_precision p = {.assessed = true};
        const cJSON *j;
        size_t mark;
        int r = field(rd, o, "reached", OPT_NULLABLE, is_number, "a number or null", &j, &mark);
        if (r < 0)
                return r;
        if (j) {
                if ((r = check_number(rd, j, &p.reached)) < 0)
                        return r;
                if (p.reached < 0)
                        return json_fail(rd, "%.17g is below 0 (it is a relative half-width)", p.reached);
                p.has_reached = true;
        }
        json_path_pop(&rd->path, mark);
        if ((r = get_bool(rd, o, "met", &p.met)) < 0)
                return r;
        if (p.met && !p.has_reached) {
                json_path_push_key(&rd->path, "met");
                return json_fail(rd, "true, but `reached` is null (no interval to have met the target with)");
        }
        *ret = p;
        return 0;
}

/* A series' "precision": {"reached", "met"} */
static int read_precision(reader *rd, const cJSON *o, res_precision *ret) {
        static const char *const keys[] = {"reached", "met", NULL};
        int r = json_check_keys(rd, o, keys);
        return r < 0 ? r : read_reached_met(rd, o, ret);
}

static const char *const config_kinds[] = {"bare", "container", "vm", "oci", NULL};
static const char *const directions[] = {"lower", "higher", NULL};

static int read_series(reader *rd, const cJSON *o, res_series *s) {
        static const char *const keys[] = {"workload",  "kind",   "configuration", "config_kind", "metric",
                                           "unit",      "better", "accel",         "runtime",     "depth",
                                           "k",         "n",      "params",        "samples",     "stats",
                                           "precision", NULL};
        int r = json_check_keys(rd, o, keys);
        if (r < 0 || (r = get_string(rd, o, "workload", 0, &s->workload)) < 0 ||
            (r = get_string(rd, o, "kind", 0, &s->kind)) < 0 ||
            (r = get_string(rd, o, "configuration", 0, &s->configuration)) < 0 ||
            (r = get_enum(rd, o, "config_kind", config_kinds, &s->config_kind)) < 0 ||
            (r = get_string(rd, o, "metric", 0, &s->metric)) < 0 ||
            (r = get_string(rd, o, "unit", 0, &s->unit)) < 0 ||
            (r = get_enum(rd, o, "better", directions, &s->better)) < 0 ||
            (r = get_string(rd, o, "accel", OPT_OPTIONAL, &s->accel)) < 0 ||
            (r = get_string(rd, o, "runtime", OPT_OPTIONAL, &s->runtime)) < 0 ||
            (r = get_object(rd, o, "params", OPT_OPTIONAL, &s->params)) < 0)
                return r;

        const cJSON *a;
        size_t mark;
        /* optional: files from before depth tagging have none */
        if ((r = field(rd, o, "depth", OPT_OPTIONAL, is_number, "an integer", &a, &mark)) < 0)
                return r;
        if (a) {
                long long depth;
                if ((r = check_integer(rd, a, 1, 500, &depth)) < 0)
                        return r;
                s->depth = (unsigned)depth;
        }
        json_path_pop(&rd->path, mark);
        /* optional: density's k-th environment and N environments up */
        static const char *const at_keys[] = {"k", "n"};
        unsigned *at[] = {&s->k, &s->n};
        for (size_t i = 0; i < ELEMENTSOF(at_keys); i++) {
                if ((r = field(rd, o, at_keys[i], OPT_OPTIONAL, is_number, "an integer", &a, &mark)) < 0)
                        return r;
                if (a) {
                        long long v;
                        if ((r = check_integer(rd, a, 1, RES_MAX_ENVS, &v)) < 0)
                                return r;
                        *at[i] = (unsigned)v;
                }
                json_path_pop(&rd->path, mark);
        }

        if ((r = field(rd, o, "samples", 0, is_array, "an array", &a, &mark)) < 0)
                return r;
        size_t count = (size_t)cJSON_GetArraySize(a);
        if (count) {
                s->samples = calloc(count, sizeof(double));
                if (!s->samples)
                        return bench_error_set(rd->err, ENOMEM, "out of memory");
                s->cap = count;
        }
        size_t k = 0;
        for (const cJSON *e = a->child; e; e = e->next, k++) {
                size_t m = json_path_push_index(&rd->path, k);
                if ((r = check_number(rd, e, &s->samples[k])) < 0)
                        return r;
                json_path_pop(&rd->path, m);
        }
        s->n_samples = count;
        json_path_pop(&rd->path, mark);

        const cJSON *st;
        if ((r = field(rd, o, "stats", OPT_NULLABLE, is_object, "an object or null", &st, &mark)) < 0)
                return r;
        if (!st && count > 0)
                return json_fail(rd, "null, but there are %zu samples", count);
        if (st && (r = read_stats(rd, st, count, &s->stats)) < 0)
                return r;
        s->has_stats = st != NULL;
        json_path_pop(&rd->path, mark);

        /* optional: adaptive runs only (read_adaptive checks it against the target) */
        if ((r = field(rd, o, "precision", OPT_OPTIONAL, is_object, "an object", &st, &mark)) < 0)
                return r;
        if (st && (r = read_precision(rd, st, &s->precision)) < 0)
                return r;
        json_path_pop(&rd->path, mark);
        return 0;
}

/* adaptive.worst: a series key, its reached and met; it must name a series with a precision record. */
static int read_worst(reader *rd, const res_file *f, const cJSON *o, res_worst *w) {
        static const char *const keys[] = {"workload", "configuration", "metric", "k",
                                           "n",        "reached",       "met",    NULL};
        int r = json_check_keys(rd, o, keys);
        if (r < 0 || (r = get_string(rd, o, "workload", 0, &w->workload)) < 0 ||
            (r = get_string(rd, o, "configuration", 0, &w->configuration)) < 0 ||
            (r = get_string(rd, o, "metric", 0, &w->metric)) < 0)
                return r;
        static const char *const at_keys[] = {"k", "n"};
        unsigned *at[] = {&w->k, &w->n};
        for (size_t i = 0; i < ELEMENTSOF(at_keys); i++) {
                const cJSON *a;
                size_t mark;
                if ((r = field(rd, o, at_keys[i], OPT_OPTIONAL, is_number, "an integer", &a, &mark)) < 0)
                        return r;
                long long v;
                if (a && (r = check_integer(rd, a, 1, RES_MAX_ENVS, &v)) < 0)
                        return r;
                if (a)
                        *at[i] = (unsigned)v;
                json_path_pop(&rd->path, mark);
        }
        if ((r = read_reached_met(rd, o, &w->precision)) < 0)
                return r;
        ssize_t i = series_index_at(f, w->workload, w->configuration, w->metric, w->k, w->n);
        if (i < 0 || !f->series[i].precision.assessed)
                return json_fail(rd, "names %s/%s/%s, which is no series of results with a precision record",
                                 w->workload, w->configuration, w->metric);
        return 0;
}

static const char *const stop_values[] = {"precision", "max_repetitions", "max_time", "interrupted", NULL};

/*
 * "adaptive": the target and caps, why the run stopped, its worst series;
 * checked against the rest of the file so that a cap is never read as the
 * target reached (stopped_by "precision" with a series that did not meet it).
 */
static int read_adaptive(reader *rd, const cJSON *a, res_file *f) {
        static const char *const keys[] = {"precision",   "max_repetitions", "max_time_s", "stopped_by",
                                           "repetitions", "worst",           NULL};
        res_adaptive *ad = &f->adaptive;
        const cJSON *j;
        size_t mark;
        long long v;
        int r = json_check_keys(rd, a, keys);
        if (r < 0 || (r = get_double(rd, a, "precision", &ad->precision)) < 0)
                return r;
        if (!(ad->precision > 0 && ad->precision < 1)) {
                mark = json_path_push_key(&rd->path, "precision");
                return json_fail(rd, "expected a fraction above 0 and below 1 (0.02 = 2%%), got %.17g",
                                 ad->precision);
        }
        if ((r = get_integer(rd, a, "max_repetitions", 1, UINT32_MAX, &v)) < 0)
                return r;
        ad->max_repetitions = (unsigned)v;
        if ((r = field(rd, a, "max_time_s", OPT_NULLABLE, is_number, "a number or null", &j, &mark)) < 0 ||
            (j && (r = check_number(rd, j, &ad->max_time_s)) < 0))
                return r;
        if (j && !(ad->max_time_s > 0))
                return json_fail(rd, "expected seconds above 0 or null (no cap), got %.17g", ad->max_time_s);
        json_path_pop(&rd->path, mark);
        if ((r = field(rd, a, "stopped_by", OPT_NULLABLE, is_string, "a string or null", &j, &mark)) < 0)
                return r;
        for (size_t i = 0; j && stop_values[i] && !ad->stopped_by; i++)
                if (!strcmp(j->valuestring, stop_values[i]))
                        ad->stopped_by = (res_stop)(i + 1);
        if (j && !ad->stopped_by)
                return json_fail(rd,
                                 "unknown value `%s` (precision, max_repetitions, max_time or interrupted)",
                                 j->valuestring);
        /* the same run's other fields: a finished run stopped for a reason, an interrupted one by its signal
         */
        bool capped = ad->stopped_by == RES_STOP_PRECISION || ad->stopped_by == RES_STOP_MAX_REPETITIONS ||
                      ad->stopped_by == RES_STOP_MAX_TIME;
        if (f->complete && !capped)
                return json_fail(rd, "%s, but the run is complete (it stopped at the target or a cap)",
                                 j ? j->valuestring : "null");
        if (!f->complete && capped)
                return json_fail(rd, "%s, but the run is not complete", j->valuestring);
        if ((ad->stopped_by == RES_STOP_INTERRUPTED) != (f->interrupted != NULL))
                return json_fail(rd, "%s, but `interrupted` is %s", j ? j->valuestring : "null",
                                 f->interrupted ? f->interrupted : "null");
        json_path_pop(&rd->path, mark);
        if ((r = get_integer(rd, a, "repetitions", 0, ad->max_repetitions, &v)) < 0)
                return r;
        ad->repetitions = (unsigned)v;
        if (ad->repetitions != f->repetitions_done ||
            (ad->stopped_by == RES_STOP_MAX_REPETITIONS && ad->repetitions != ad->max_repetitions)) {
                mark = json_path_push_key(&rd->path, "repetitions");
                return json_fail(rd, "%u, but repetitions_done is %u%s", ad->repetitions, f->repetitions_done,
                                 ad->stopped_by == RES_STOP_MAX_REPETITIONS ? " and the cap stopped the run"
                                                                            : "");
        }
        if ((r = field(rd, a, "worst", OPT_NULLABLE, is_object, "an object or null", &j, &mark)) < 0 ||
            (j && (r = read_worst(rd, f, j, &ad->worst)) < 0))
                return r;
        json_path_pop(&rd->path, mark);
        ad->on = true;

        /* every record against the target: met means reached it; stopped at the target means all met */
        for (size_t i = 0; i < f->n_series; i++) {
                const res_precision *p = &f->series[i].precision;
                if (!p->assessed)
                        continue;
                bool met_right = p->met == (p->has_reached && p->reached <= ad->precision);
                if (met_right && (p->met || ad->stopped_by != RES_STOP_PRECISION))
                        continue;
                json_path_pop(&rd->path, 0); /* from the top: results[i].precision */
                json_path_push_key(&rd->path, "results");
                json_path_push_index(&rd->path, i);
                json_path_push_key(&rd->path, "precision");
                if (met_right)
                        return json_fail(rd,
                                         "not met, but adaptive.stopped_by is `precision` (every series met "
                                         "the target)");
                char reached[64] = "null";
                if (p->has_reached)
                        snprintf(reached, sizeof(reached), "%.17g", p->reached);
                return json_fail(rd, "met is %s, but reached %s against the target %.17g",
                                 p->met ? "true" : "false", reached, ad->precision);
        }
        return 0;
}

static int read_issues(reader *rd, const cJSON *root, const char *key, res_issue **ret_array, size_t *ret_n,
                       size_t *ret_cap) {
        static const char *const keys[] = {"configuration", "workload", "repetition",
                                           "warmup",        "reason",   NULL};
        const cJSON *a;
        size_t mark;
        int r = field(rd, root, key, 0, is_array, "an array", &a, &mark);
        if (r < 0)
                return r;
        size_t count = (size_t)cJSON_GetArraySize(a);
        if (count && !(*ret_array = calloc(count, sizeof(res_issue))))
                return bench_error_set(rd->err, ENOMEM, "out of memory");
        *ret_cap = count;
        size_t k = 0;
        for (const cJSON *e = a->child; e; e = e->next, k++) {
                size_t m = json_path_push_index(&rd->path, k);
                if (!cJSON_IsObject(e))
                        return json_fail(rd, "expected an object, got %s", json_type_name(e));
                res_issue *i = &(*ret_array)[k];
                *ret_n = k + 1; /* so that the caller frees what was read */
                long long rep;
                if ((r = json_check_keys(rd, e, keys)) < 0 ||
                    (r = get_string(rd, e, "configuration", OPT_NULLABLE, &i->configuration)) < 0 ||
                    (r = get_string(rd, e, "workload", OPT_NULLABLE, &i->workload)) < 0 ||
                    (r = get_integer(rd, e, "repetition", -1, INT32_MAX, &rep)) < 0 ||
                    (r = get_bool(rd, e, "warmup", &i->warmup)) < 0 ||
                    (r = get_string(rd, e, "reason", 0, &i->reason)) < 0)
                        return r;
                i->repetition = (int)rep;
                json_path_pop(&rd->path, m);
        }
        json_path_pop(&rd->path, mark);
        return 0;
}

/* Optional: files from before bench knew of other runs have neither field. */
static int read_concurrent(reader *rd, const cJSON *root, res_file *f) {
        static const char *const keys[] = {"pid", "suite", "started_at", "allow_concurrent", NULL};
        const cJSON *j, *a;
        size_t mark;
        int r = field(rd, root, "allow_concurrent", OPT_OPTIONAL, is_bool, "a boolean", &j, &mark);
        if (r < 0)
                return r;
        f->allow_concurrent = cJSON_IsTrue(j);
        json_path_pop(&rd->path, mark);
        if ((r = field(rd, root, "concurrent", OPT_OPTIONAL, is_array, "an array", &a, &mark)) < 0)
                return r;
        if (!a) {
                json_path_pop(&rd->path, mark);
                return 0;
        }
        size_t count = (size_t)cJSON_GetArraySize(a);
        if (count && !(f->concurrent = calloc(count, sizeof(res_concurrent))))
                return bench_error_set(rd->err, ENOMEM, "out of memory");
        size_t k = 0;
        for (const cJSON *e = a->child; e; e = e->next, k++) {
                size_t m = json_path_push_index(&rd->path, k);
                if (!cJSON_IsObject(e))
                        return json_fail(rd, "expected an object, got %s", json_type_name(e));
                res_concurrent *c = &f->concurrent[k];
                f->n_concurrent = k + 1; /* so that res_file_free frees what was read */
                long long pid;
                if ((r = json_check_keys(rd, e, keys)) < 0 ||
                    (r = get_integer(rd, e, "pid", 1, INT32_MAX, &pid)) < 0 ||
                    (r = get_string(rd, e, "suite", 0, &c->suite)) < 0 ||
                    (r = get_string(rd, e, "started_at", 0, &c->started_at)) < 0 ||
                    (r = get_bool(rd, e, "allow_concurrent", &c->allow_concurrent)) < 0)
                        return r;
                c->pid = (int)pid;
                json_path_pop(&rd->path, m);
        }
        json_path_pop(&rd->path, mark);
        return 0;
}

static int read_file(reader *rd, const cJSON *root, res_file *f) {
        static const char *const keys[] = {
                "schema",   "complete", "interrupted", "started_at",       "finished_at", "repetitions_done",
                "adaptive", "host",     "suite",       "pinning",          "activity",    "results",
                "skipped",  "errors",   "notes",       "allow_concurrent", "concurrent",  NULL};
        int r;
        if (!cJSON_IsObject(root))
                return json_fail(rd, "expected an object, got %s", json_type_name(root));

        /* the schema first: a file of another kind or version gets one clear message */
        _cleanup_free_ char *schema = NULL;
        if ((r = get_string(rd, root, "schema", 0, &schema)) < 0)
                return r;
        if (strcmp(schema, RES_SCHEMA) != 0) {
                size_t mark = json_path_push_key(&rd->path, "schema");
                r = json_fail(rd, "`%s` is not a result file of this version (expected `%s`)", schema,
                              RES_SCHEMA);
                json_path_pop(&rd->path, mark);
                return r;
        }
        long long reps;
        if ((r = json_check_keys(rd, root, keys)) < 0 ||
            (r = get_bool(rd, root, "complete", &f->complete)) < 0 ||
            (r = get_string(rd, root, "interrupted", OPT_NULLABLE, &f->interrupted)) < 0 ||
            (r = get_string(rd, root, "started_at", OPT_NULLABLE, &f->started_at)) < 0 ||
            (r = get_string(rd, root, "finished_at", OPT_NULLABLE, &f->finished_at)) < 0 ||
            (r = get_integer(rd, root, "repetitions_done", 0, UINT32_MAX, &reps)) < 0 ||
            (r = get_object(rd, root, "host", OPT_NULLABLE, &f->host)) < 0 ||
            (r = get_object(rd, root, "suite", OPT_NULLABLE, &f->suite)) < 0 ||
            (r = get_object(rd, root, "pinning", OPT_NULLABLE, &f->pinning)) < 0 ||
            /* older files have none */
            (r = get_object(rd, root, "activity", OPT_NULLABLE | OPT_OPTIONAL, &f->activity)) < 0 ||
            (r = read_concurrent(rd, root, f)) < 0)
                return r;
        f->repetitions_done = (unsigned)reps;
        if (f->host && (r = check_host(rd, f->host)) < 0)
                return r;
        if (f->pinning && (r = check_pinning(rd, f->pinning)) < 0)
                return r;

        const cJSON *a;
        size_t mark;
        if ((r = field(rd, root, "results", 0, is_array, "an array", &a, &mark)) < 0)
                return r;
        size_t count = (size_t)cJSON_GetArraySize(a);
        if (count && !(f->series = calloc(count, sizeof(res_series))))
                return bench_error_set(rd->err, ENOMEM, "out of memory");
        f->cap_series = count;
        size_t k = 0;
        for (const cJSON *e = a->child; e; e = e->next, k++) {
                size_t m = json_path_push_index(&rd->path, k);
                if (!cJSON_IsObject(e))
                        return json_fail(rd, "expected an object, got %s", json_type_name(e));
                f->n_series = k + 1; /* so that res_file_free frees what was read */
                if ((r = read_series(rd, e, &f->series[k])) < 0)
                        return r;
                res_series *s = &f->series[k];
                if (series_index_at(f, s->workload, s->configuration, s->metric, s->k, s->n) != (ssize_t)k) {
                        char label[256];
                        return json_fail(rd, "a second series for %s/%s/%s", s->workload, s->configuration,
                                         res_metric_label(s, label, sizeof(label)));
                }
                json_path_pop(&rd->path, m);
        }
        json_path_pop(&rd->path, mark);

        if ((r = read_issues(rd, root, "skipped", &f->skipped, &f->n_skipped, &f->cap_skipped)) < 0 ||
            (r = read_issues(rd, root, "errors", &f->errors, &f->n_errors, &f->cap_errors)) < 0 ||
            (r = read_issues(rd, root, "notes", &f->notes, &f->n_notes, &f->cap_notes)) < 0)
                return r;

        /* after the results: the block is checked against them */
        if ((r = field(rd, root, "adaptive", OPT_OPTIONAL, is_object, "an object", &a, &mark)) < 0 ||
            (a && (r = read_adaptive(rd, a, f)) < 0))
                return r;
        json_path_pop(&rd->path, mark);
        for (size_t i = 0; !f->adaptive.on && i < f->n_series; i++)
                if (f->series[i].precision.assessed) {
                        json_path_push_key(&rd->path, "results");
                        json_path_push_index(&rd->path, i);
                        json_path_push_key(&rd->path, "precision");
                        return json_fail(
                                rd, "a precision record, but the file has no `adaptive` block (no target)");
                }
        return 0;
}

int res_read_file(const char *path, res_file **ret, bench_error **err) {
        _cleanup_free_ char *text = NULL;
        int r = bench_read_file(path, &text, NULL, err);
        return r < 0 ? r : res_from_json(text, path, ret, err);
}

int res_from_json(const char *text, const char *path, res_file **ret, bench_error **err) {
        if (!text)
                return bench_error_set(err, EINVAL, "%s: no text", path ? path : "result");
        const char *end = NULL;
        _cleanup_(cjson_deletep) cJSON *root = cJSON_ParseWithOpts(text, &end, true);
        if (!root) {
                unsigned line, col;
                size_t off = end && end >= text ? (size_t)(end - text) : 0;
                json_line_col(text, off, &line, &col);
                json_syntax_error why;
                if (json_check_syntax(text, &why) < 0 && why.truncated)
                        return bench_error_set(err, EINVAL,
                                               "%s:%u:%u: invalid JSON: the text ends early (truncated?)",
                                               path ? path : "result", line, col);
                return bench_error_set(err, EINVAL, "%s:%u:%u: invalid JSON", path ? path : "result", line,
                                       col);
        }
        _cleanup_(res_file_freep) res_file *f = res_file_new();
        if (!f)
                return bench_error_set(err, ENOMEM, "out of memory");
        reader rd = {.file = path, .err = err};
        int r = read_file(&rd, root, f);
        if (r < 0)
                return r;
        *ret = steal_pointer(&f);
        return 0;
}

const char *res_bare_configuration(const res_file *f) {
        for (size_t i = 0; i < f->n_series; i++)
                if (!strcmp(f->series[i].config_kind, "bare"))
                        return f->series[i].configuration;
        const cJSON *cfgs = f->suite ? cJSON_GetObjectItemCaseSensitive(f->suite, "configurations") : NULL;
        for (const cJSON *c = cJSON_IsArray(cfgs) ? cfgs->child : NULL; c; c = c->next) {
                const cJSON *n = cJSON_GetObjectItemCaseSensitive(c, "name");
                const cJSON *k = cJSON_GetObjectItemCaseSensitive(c, "kind");
                if (cJSON_IsString(n) && cJSON_IsString(k) && !strcmp(k->valuestring, "bare"))
                        return n->valuestring;
        }
        return NULL;
}
