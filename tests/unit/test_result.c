/* SPDX-License-Identifier: MIT */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../common/cleanup.h"
#include "../../common/util.h"
#include "../../results/result.h"

/* 1.0000000000000002: cJSON's printer would write "1" (its check allows one epsilon) */
#define ONE_ULP_ABOVE_1 0x1.0000000000001p+0

static cJSON *make_host(void) {
        cJSON *h = cJSON_CreateObject();
        cJSON_AddStringToObject(h, "hostname", "testhost");
        cJSON_AddStringToObject(h, "kernel", "6.1.0-test");
        cJSON_AddStringToObject(h, "cpu_model", "Test CPU @ 2.0GHz");
        cJSON_AddNumberToObject(h, "cores", 2);
        cJSON_AddNumberToObject(h, "memory_kib", 4028520);
        cJSON_AddStringToObject(h, "cgroup_mode", "hybrid");
        cJSON_AddStringToObject(h, "bench_version", "0.1.0");
        return h;
}

static res_series *get(res_file *f, const char *workload, const char *kind, const char *configuration,
                       const char *config_kind, const char *metric, const char *unit, const char *better) {
        res_series *s =
                res_series_get(f, workload, kind, configuration, config_kind, metric, unit, better, NULL);
        assert_non_null(s);
        return s;
}

static void add(res_file *f, const char *workload, const char *configuration, const char *metric,
                const double *v, size_t n) {
        res_series *s = (res_series *)res_find(f, workload, configuration, metric);
        assert_non_null(s);
        for (size_t i = 0; i < n; i++)
                assert_int_equal(res_series_add(s, v[i]), 0);
}

/* A model with several series (bare, container, vm), params, accel, skips and errors. */
static res_file *make_model(void) {
        res_file *f = res_file_new();
        assert_non_null(f);
        f->host = make_host();
        f->suite = cJSON_Parse("{\"name\":\"t\",\"repetitions\":3}");
        f->pinning = cJSON_Parse(
                "{\"mode\":\"auto\",\"harness_cpus\":\"0\",\"workload_cpus\":\"1\",\"note\":\"\"}");
        f->started_at = strdup("2024-05-01T10:00:00Z");
        f->finished_at = strdup("2024-05-01T10:05:00Z");
        f->complete = true;
        f->repetitions_done = 3;

        cJSON *params = cJSON_Parse("{\"size\":\"64M\",\"iterations\":3}");
        res_series *s =
                res_series_get(f, "cpu", "cpu", "host", "bare", "ops_per_s", "ops/s", "higher", params);
        assert_non_null(s);
        assert_non_null(s->params);
        assert_ptr_not_equal(s->params, params); /* a copy */
        cJSON_Delete(params);
        get(f, "cpu", "cpu", "ctr", "container", "ops_per_s", "ops/s", "higher");
        s = get(f, "cpu", "cpu", "vm1", "vm", "ops_per_s", "ops/s", "higher");
        s->accel = strdup("tcg");
        get(f, "mem", "memory", "host", "bare", "footprint_kib", "KiB", "lower");
        get(f, "mem", "memory", "ctr", "container", "footprint_kib", "KiB", "lower");

        /* values that only survive an exact printer */
        const double tricky[] = {0.1, 1e-300, 123456.789, ONE_ULP_ABOVE_1, 0.1 + 0.2, -2.5e-7, 1e300};
        add(f, "cpu", "host", "ops_per_s", tricky, 7);
        const double c[] = {101.5, 99.25, 100.0};
        add(f, "cpu", "ctr", "ops_per_s", c, 3);
        const double v[] = {50.125};
        add(f, "cpu", "vm1", "ops_per_s", v, 1);
        const double mb[] = {1000, 1100, 1050};
        add(f, "mem", "host", "footprint_kib", mb, 3);
        const double mc[] = {3000, 3100};
        add(f, "mem", "ctr", "footprint_kib", mc, 2);
        /* a depth workload (bottom=true of an 8-layer stack) */
        s = get(f, "fio-bottom", "fileio", "ctr-8", "container", "rand_read.iops", "IOPS", "higher");
        s->depth = 8;
        const double fd[] = {2000, 2100};
        add(f, "fio-bottom", "ctr-8", "rand_read.iops", fd, 2);
        /* an OCI runtime's series says which runtime, and its version */
        s = get(f, "cpu", "cpu", "crun", "oci", "ops_per_s", "ops/s", "higher");
        s->runtime = strdup("crun 1.8.1");
        add(f, "cpu", "crun", "ops_per_s", c, 3);

        res_add_skip(f, "vm1", "mem", -1, false, "no %s here", "KVM");
        res_add_skip(f, NULL, NULL, -1, false, "whole run: %d", 1);
        res_add_error(f, "ctr", "cpu", 2, false, "agent exited with status %d", 3);
        res_add_error(f, "ctr", NULL, 0, true, "timeout after %.1f s", 1.5);
        res_add_note(f, "host", "fio", 1, false, "direct=true: %s refuses O_DIRECT; using buffered I/O",
                     "/x");
        return f;
}

static res_file *parse_ok(const char *text) {
        res_file *g = NULL;
        bench_error *err = NULL;
        int r = res_from_json(text, "t.json", &g, &err);
        if (r < 0)
                fail_msg("res_from_json: %s", err ? err->msg : "?");
        assert_non_null(g);
        return g;
}

static void assert_same_issue(const res_issue *a, const res_issue *b) {
        if (a->configuration)
                assert_string_equal(a->configuration, b->configuration);
        else
                assert_null(b->configuration);
        if (a->workload)
                assert_string_equal(a->workload, b->workload);
        else
                assert_null(b->workload);
        assert_int_equal(a->repetition, b->repetition);
        assert_int_equal(a->warmup, b->warmup);
        assert_string_equal(a->reason, b->reason);
}

static void test_round_trip(void **state) {
        res_file *f = make_model();
        assert_int_equal(res_finalize(f, NULL), 0);
        char *text = res_to_json(f);
        assert_non_null(text);
        /* the shortest exact forms, not 17-digit noise */
        assert_non_null(strstr(text, "0.1,"));
        assert_non_null(strstr(text, "1e-300,"));
        assert_non_null(strstr(text, "123456.789,"));
        assert_null(strstr(text, "nan"));
        assert_null(strstr(text, "inf"));

        res_file *g = parse_ok(text);
        assert_int_equal(g->complete, true);
        assert_int_equal(g->repetitions_done, 3);
        assert_string_equal(g->started_at, "2024-05-01T10:00:00Z");
        assert_string_equal(g->finished_at, "2024-05-01T10:05:00Z");
        assert_null(g->interrupted);
        assert_true(cJSON_Compare(f->host, g->host, true));
        assert_true(cJSON_Compare(f->suite, g->suite, true));
        assert_true(cJSON_Compare(f->pinning, g->pinning, true));

        assert_int_equal(g->n_series, f->n_series);
        for (size_t i = 0; i < f->n_series; i++) {
                const res_series *a = &f->series[i], *b = &g->series[i];
                assert_string_equal(a->workload, b->workload);
                assert_string_equal(a->kind, b->kind);
                assert_string_equal(a->configuration, b->configuration);
                assert_string_equal(a->config_kind, b->config_kind);
                assert_string_equal(a->metric, b->metric);
                assert_string_equal(a->unit, b->unit);
                assert_string_equal(a->better, b->better);
                if (a->accel)
                        assert_string_equal(a->accel, b->accel);
                else
                        assert_null(b->accel);
                if (a->runtime)
                        assert_string_equal(a->runtime, b->runtime);
                else
                        assert_null(b->runtime);
                assert_int_equal(a->depth, b->depth);
                assert_true(a->params ? cJSON_Compare(a->params, b->params, true) : b->params == NULL);
                assert_int_equal(a->n_samples, b->n_samples);
                /* bit for bit */
                assert_memory_equal(a->samples, b->samples, a->n_samples * sizeof(double));
                assert_true(b->has_stats);
                const res_stats *sa = &a->stats, *sb = &b->stats;
                assert_int_equal(sa->n, sb->n);
                const double da[] = {sa->mean, sa->median, sa->stddev,   sa->cv,        sa->min,     sa->max,
                                     sa->p05,  sa->p95,    sa->ci95_low, sa->ci95_high, sa->ci_level};
                const double db[] = {sb->mean, sb->median, sb->stddev,   sb->cv,        sb->min,     sb->max,
                                     sb->p05,  sb->p95,    sb->ci95_low, sb->ci95_high, sb->ci_level};
                assert_memory_equal(da, db, sizeof(da));
                assert_int_equal(sa->n_outliers, sb->n_outliers);
                if (sa->n_outliers)
                        assert_memory_equal(sa->outliers, sb->outliers, sa->n_outliers * sizeof(size_t));
        }
        const res_series *cpu = res_find(g, "cpu", "host", "ops_per_s");
        assert_non_null(cpu);
        assert_true(cpu->samples[3] == ONE_ULP_ABOVE_1);
        assert_true(cpu->samples[1] == 1e-300);
        assert_true(cpu->samples[2] == 123456.789);
        assert_string_equal(res_find(g, "cpu", "vm1", "ops_per_s")->accel, "tcg");
        assert_string_equal(res_find(g, "cpu", "crun", "ops_per_s")->runtime, "crun 1.8.1");
        assert_int_equal(res_find(g, "fio-bottom", "ctr-8", "rand_read.iops")->depth, 8);
        assert_int_equal(cpu->depth, 0);

        assert_int_equal(g->n_skipped, 2);
        assert_int_equal(g->n_errors, 2);
        for (size_t i = 0; i < 2; i++) {
                assert_same_issue(&f->skipped[i], &g->skipped[i]);
                assert_same_issue(&f->errors[i], &g->errors[i]);
        }
        assert_string_equal(g->skipped[0].reason, "no KVM here");
        assert_string_equal(g->errors[1].reason, "timeout after 1.5 s");
        assert_true(g->errors[1].warmup);
        assert_int_equal(g->n_notes, 1);
        assert_same_issue(&f->notes[0], &g->notes[0]);
        assert_string_equal(g->notes[0].reason, "direct=true: /x refuses O_DIRECT; using buffered I/O");

        /* and the text is a fixed point */
        char *again = res_to_json(g);
        assert_non_null(again);
        assert_string_equal(text, again);
        free(again);
        free(text);
        res_file_free(g);
        res_file_free(f);
}

/* A file whose run was interrupted before any sample, with no host yet. */
static void test_round_trip_minimal(void **state) {
        res_file *f = res_file_new();
        f->interrupted = strdup("SIGINT");
        get(f, "cpu", "cpu", "host", "bare", "ops_per_s", "ops/s", "higher"); /* no samples yet */
        assert_int_equal(res_finalize(f, NULL), 0);
        char *text = res_to_json(f);
        assert_non_null(text);
        res_file *g = parse_ok(text);
        assert_false(g->complete);
        assert_string_equal(g->interrupted, "SIGINT");
        assert_null(g->host);
        assert_null(g->pinning);
        assert_null(g->started_at);
        assert_int_equal(g->n_series, 1);
        assert_int_equal(g->series[0].n_samples, 0);
        assert_false(g->series[0].has_stats);
        char *again = res_to_json(g);
        assert_string_equal(text, again);
        free(again);
        free(text);
        res_file_free(g);
        res_file_free(f);
}

/* Stats in the text match the samples even when finalize has not run since the last sample. */
static void test_stats_without_finalize(void **state) {
        res_file *f = res_file_new();
        res_series *s = get(f, "cpu", "cpu", "host", "bare", "ops_per_s", "ops/s", "higher");
        assert_int_equal(res_series_add(s, 2), 0);
        assert_int_equal(res_series_add(s, 4), 0);
        assert_int_equal(res_series_add(s, NAN), -EINVAL);
        assert_int_equal(res_series_add(s, INFINITY), -EINVAL);
        char *text = res_to_json(f);
        res_file *g = parse_ok(text);
        assert_int_equal(g->series[0].stats.n, 2);
        assert_true(g->series[0].stats.median == 3.0); /* (2 + 4) / 2 */
        free(text);
        res_file_free(g);
        res_file_free(f);
}

static void test_series_get_same_key(void **state) {
        res_file *f = res_file_new();
        res_series *a = get(f, "cpu", "cpu", "host", "bare", "ops_per_s", "ops/s", "higher");
        res_series *b = get(f, "cpu", "cpu", "host", "bare", "ops_per_s", "ops/s", "higher");
        assert_ptr_equal(a, b);
        get(f, "cpu", "cpu", "host", "bare", "other", "ops/s", "higher");
        get(f, "cpu2", "cpu", "host", "bare", "ops_per_s", "ops/s", "higher");
        get(f, "cpu", "cpu", "host2", "bare", "ops_per_s", "ops/s", "higher");
        assert_int_equal(f->n_series, 4);
        assert_null(res_find(f, "cpu", "host", "nope"));
        assert_null(res_series_get(f, "cpu", NULL, "host", "bare", "m", "u", "lower", NULL));
        res_file_free(f);
}

/* Replaces the value at results[ri].<key> (or [idx] of that array) in text, returns new text. */
static char *mutate(const char *text, int ri, const char *key, int idx, cJSON *with) {
        cJSON *root = cJSON_Parse(text);
        assert_non_null(root);
        cJSON *obj = ri >= 0 ? cJSON_GetArrayItem(cJSON_GetObjectItem(root, "results"), ri) : root;
        assert_non_null(obj);
        if (idx >= 0) {
                cJSON *arr = cJSON_GetObjectItem(obj, key);
                assert_non_null(arr);
                assert_true(cJSON_ReplaceItemInArray(arr, idx, with));
        } else if (with) {
                assert_true(cJSON_ReplaceItemInObject(obj, key, with));
        } else {
                cJSON_DeleteItemFromObject(obj, key);
        }
        char *out = cJSON_Print(root);
        cJSON_Delete(root);
        return out;
}

static void expect_error(const char *text, const char *needle) {
        res_file *g = NULL;
        bench_error *err = NULL;
        assert_int_equal(res_from_json(text, "r.json", &g, &err), -EINVAL);
        assert_null(g);
        assert_non_null(err);
        if (!strstr(err->msg, needle))
                fail_msg("message `%s` does not contain `%s`", err->msg, needle);
        bench_error_free(err);
}

static void test_from_json_rejects(void **state) {
        res_file *f = make_model();
        assert_int_equal(res_finalize(f, NULL), 0);
        char *text = res_to_json(f);
        char *bad;

        bad = mutate(text, -1, "schema", -1, cJSON_CreateString("bench.result/2"));
        expect_error(bad, "r.json: schema: `bench.result/2` is not a result file of this version");
        free(bad);

        bad = mutate(text, -1, "schema", -1, NULL);
        expect_error(bad, "r.json: schema: missing");
        free(bad);

        bad = mutate(text, 1, "samples", 2, cJSON_CreateString("100.0"));
        expect_error(bad, "r.json: results[1].samples[2]: expected a number, got a string");
        free(bad);

        bad = mutate(text, 0, "metric", -1, NULL);
        expect_error(bad, "results[0].metric: missing");
        free(bad);

        bad = mutate(text, 2, "better", -1, cJSON_CreateString("faster"));
        expect_error(bad, "results[2].better: unknown value `faster`");
        free(bad);

        {
                cJSON *root = cJSON_Parse(text);
                cJSON_AddStringToObject(cJSON_GetArrayItem(cJSON_GetObjectItem(root, "results"), 3), "colour",
                                        "red");
                bad = cJSON_Print(root);
                cJSON_Delete(root);
                expect_error(bad, "results[3]: unknown field `colour`");
                free(bad);
        }

        /* results[5] is the depth series; a file from before depth tagging has none */
        char *old = mutate(text, 5, "depth", -1, NULL);
        res_file *g = parse_ok(old);
        assert_int_equal(g->series[5].depth, 0);
        res_file_free(g);
        free(old);

        bad = mutate(text, 5, "depth", -1, cJSON_CreateNumber(0));
        expect_error(bad, "results[5].depth: expected an integer from 1 to 500, got 0");
        free(bad);

        bad = mutate(text, 5, "depth", -1, cJSON_CreateString("8"));
        expect_error(bad, "results[5].depth: expected an integer, got a string");
        free(bad);

        bad = mutate(text, -1, "complete", -1, cJSON_CreateString("yes"));
        expect_error(bad, "complete: expected a boolean, got a string");
        free(bad);

        bad = mutate(text, -1, "repetitions_done", -1, cJSON_CreateNumber(1.5));
        expect_error(bad, "repetitions_done: expected an integer");
        free(bad);

        {
                cJSON *root = cJSON_Parse(text);
                cJSON *stats = cJSON_GetObjectItem(
                        cJSON_GetArrayItem(cJSON_GetObjectItem(root, "results"), 1), "stats");
                cJSON_ReplaceItemInObject(stats, "n", cJSON_CreateNumber(4));
                bad = cJSON_Print(root);
                cJSON_Delete(root);
                expect_error(bad, "results[1].stats.n: 4, but there are 3 samples");
                free(bad);
        }
        {
                cJSON *root = cJSON_Parse(text);
                cJSON_DeleteItemFromObject(cJSON_GetObjectItem(root, "host"), "kernel");
                bad = cJSON_Print(root);
                cJSON_Delete(root);
                expect_error(bad, "host.kernel: missing");
                free(bad);
        }
        {
                cJSON *root = cJSON_Parse(text);
                cJSON *e = cJSON_GetArrayItem(cJSON_GetObjectItem(root, "errors"), 1);
                cJSON_ReplaceItemInObject(e, "repetition", cJSON_CreateNumber(-2));
                bad = cJSON_Print(root);
                cJSON_Delete(root);
                expect_error(bad, "errors[1].repetition: expected an integer from -1");
                free(bad);
        }

        /* truncated text */
        size_t len = strlen(text);
        char *cut = strndup(text, len / 2);
        expect_error(cut, "r.json:");
        expect_error(cut, "invalid JSON: the text ends early (truncated?)");
        free(cut);
        expect_error("", "invalid JSON");
        expect_error("[1, 2]", "expected an object, got an array");
        /* trailing garbage after the object */
        char *trail = NULL;
        assert_true(asprintf(&trail, "%s}", text) > 0);
        expect_error(trail, "invalid JSON");
        free(trail);

        free(text);
        res_file_free(f);
}

static void test_overhead(void **state) {
        res_file *f = make_model();
        /* a workload with a container footprint but no bare one: no overhead */
        get(f, "mem2", "memory", "ctr", "container", "footprint_kib", "KiB", "lower");
        const double x[] = {500};
        add(f, "mem2", "ctr", "footprint_kib", x, 1);
        assert_int_equal(res_finalize(f, NULL), 0);

        /* bare median 1050 (of 1000, 1100, 1050): 3000 - 1050, 3100 - 1050 */
        const res_series *o = res_find(f, "mem", "ctr", "overhead_kib");
        assert_non_null(o);
        assert_int_equal(o->n_samples, 2);
        assert_true(o->samples[0] == 1950.0);
        assert_true(o->samples[1] == 2050.0);
        assert_string_equal(o->unit, "KiB");
        assert_string_equal(o->better, "lower");
        assert_string_equal(o->kind, "memory");
        assert_string_equal(o->config_kind, "container");
        assert_true(o->has_stats);
        assert_true(o->stats.median == 2000.0);

        assert_null(res_find(f, "mem", "host", "overhead_kib")); /* not for bare itself */
        assert_null(res_find(f, "mem2", "ctr", "overhead_kib")); /* no bare baseline */
        assert_null(res_find(f, "cpu", "ctr", "overhead_kib"));  /* only from footprints */
        res_file_free(f);
}

static void test_finalize_idempotent(void **state) {
        res_file *f = make_model();
        assert_int_equal(res_finalize(f, NULL), 0);
        size_t n_series = f->n_series;
        char *first = res_to_json(f);
        assert_int_equal(res_finalize(f, NULL), 0);
        assert_int_equal(res_finalize(f, NULL), 0);
        assert_int_equal(f->n_series, n_series);
        char *third = res_to_json(f);
        assert_string_equal(first, third);
        free(first);
        free(third);

        /* the next repetition: one more footprint sample each, and finalize again */
        const double b[] = {950};
        add(f, "mem", "host", "footprint_kib", b, 1); /* bare median now (1000 + 1050) / 2 = 1025 */
        const double c[] = {3025};
        add(f, "mem", "ctr", "footprint_kib", c, 1);
        assert_int_equal(res_finalize(f, NULL), 0);
        assert_int_equal(f->n_series, n_series);
        const res_series *o = res_find(f, "mem", "ctr", "overhead_kib");
        assert_int_equal(o->n_samples, 3);
        assert_true(o->samples[0] == 1975.0);
        assert_true(o->samples[1] == 2075.0);
        assert_true(o->samples[2] == 2000.0);
        assert_int_equal(o->stats.n, 3);

        /* finalize after a reload derives nothing twice either */
        char *text = res_to_json(f);
        res_file *g = parse_ok(text);
        assert_int_equal(res_finalize(g, NULL), 0);
        assert_int_equal(g->n_series, n_series);
        char *again = res_to_json(g);
        assert_string_equal(text, again);
        free(again);
        free(text);
        res_file_free(g);
        res_file_free(f);
}

/* concurrent: what other runs measured alongside; read back checked, absent in older files */
static void test_concurrent(void **state) {
        res_file *f = make_model();
        assert_int_equal(res_finalize(f, NULL), 0);
        res_concurrent runs[] = {
                {.pid = 4242, .suite = "quickstart", .started_at = "2026-12-02T01:00:00Z"},
                {.pid = 7, .suite = "x\033[2J", .started_at = "t", .allow_concurrent = true}};
        assert_int_equal(res_set_concurrent(f, runs, 2), 0);
        f->allow_concurrent = true;
        char *text = res_to_json(f);
        res_file *g = parse_ok(text);
        assert_true(g->allow_concurrent);
        assert_int_equal(g->n_concurrent, 2);
        assert_int_equal(g->concurrent[0].pid, 4242);
        assert_string_equal(g->concurrent[0].suite, "quickstart");
        assert_string_equal(g->concurrent[0].started_at, "2026-12-02T01:00:00Z");
        assert_false(g->concurrent[0].allow_concurrent);
        assert_string_equal(g->concurrent[1].suite, "x\033[2J");
        assert_true(g->concurrent[1].allow_concurrent);
        /* replaced, not appended */
        assert_int_equal(res_set_concurrent(g, runs, 1), 0);
        assert_int_equal(g->n_concurrent, 1);
        res_file_free(g);

        /* a file from before: neither field */
        cJSON *root = cJSON_Parse(text);
        cJSON_DeleteItemFromObject(root, "concurrent");
        cJSON_DeleteItemFromObject(root, "allow_concurrent");
        char *old = cJSON_Print(root);
        cJSON_Delete(root);
        g = parse_ok(old);
        assert_false(g->allow_concurrent);
        assert_int_equal(g->n_concurrent, 0);
        res_file_free(g);
        free(old);

        static const struct {
                const char *key, *json, *msg;
        } bad[] = {
                {"pid", "0", "concurrent[1].pid: expected an integer from 1 to 2147483647, got 0"},
                {"pid", "\"7\"", "concurrent[1].pid: expected an integer, got a string"},
                {"suite", "null", "concurrent[1].suite: expected a string, got null"},
                {"allow_concurrent", "1", "concurrent[1].allow_concurrent: expected a boolean, got a number"},
                {"colour", "\"red\"", "concurrent[1]: unknown field `colour`"},
                {"started_at", NULL, "concurrent[1].started_at: missing"},
        };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                root = cJSON_Parse(text);
                cJSON *e = cJSON_GetArrayItem(cJSON_GetObjectItem(root, "concurrent"), 1);
                cJSON_DeleteItemFromObject(e, bad[i].key);
                if (bad[i].json)
                        cJSON_AddItemToObject(e, bad[i].key, cJSON_Parse(bad[i].json));
                char *t = cJSON_Print(root);
                cJSON_Delete(root);
                expect_error(t, bad[i].msg);
                free(t);
        }
        root = cJSON_Parse(text);
        cJSON_ReplaceItemInObject(root, "concurrent", cJSON_CreateString("no"));
        char *t = cJSON_Print(root);
        cJSON_ReplaceItemInObject(root, "concurrent", cJSON_Parse("[3]"));
        char *t2 = cJSON_Print(root);
        cJSON_Delete(root);
        expect_error(t, "concurrent: expected an array, got a string");
        expect_error(t2, "concurrent[0]: expected an object, got a number");
        free(t);
        free(t2);
        free(text);
        res_file_free(f);
}

static void test_write_and_schema(void **state) {
        res_file *f = make_model();
        assert_int_equal(res_finalize(f, NULL), 0);
        char dir[] = "/tmp/test_result.XXXXXX";
        assert_non_null(mkdtemp(dir));
        char path[256];
        snprintf(path, sizeof(path), "%s/result.json", dir);
        bench_error *err = NULL;
        assert_int_equal(res_write(f, path, &err), 0);

        char *data = NULL;
        assert_int_equal(bench_read_file(path, &data, NULL, NULL), 0);
        char *text = res_to_json(f);
        assert_string_equal(data, text);
        free(text);
        free(data);

        const char *src = getenv("BENCH_SOURCE_DIR");
        int have = access("/usr/bin/python3", X_OK) == 0 &&
                   system("/usr/bin/python3 -c 'import json, jsonschema' >/dev/null 2>&1") == 0;
        int rc = -1;
        char cmd[1024];
        if (have && src) {
                snprintf(cmd, sizeof(cmd),
                         "/usr/bin/python3 -c 'import json,jsonschema,sys; "
                         "jsonschema.validate(json.load(open(sys.argv[1])), json.load(open(sys.argv[2])))' "
                         "%s %s/results/result.schema.json",
                         path, src);
                rc = system(cmd);
                /* the validator must be able to fail: a file missing host.kernel */
                cJSON_DeleteItemFromObject(f->host, "kernel");
                assert_int_equal(res_write(f, path, NULL), 0);
                strncat(cmd, " 2>/dev/null", sizeof(cmd) - strlen(cmd) - 1); /* the expected complaint */
                int rc_bad = system(cmd);
                if (rc_bad == 0)
                        fail_msg("the schema accepted a host without kernel");
        }
        unlink(path);
        rmdir(dir);
        res_file_free(f);
        if (!have || !src)
                skip(); /* python3-jsonschema or BENCH_SOURCE_DIR missing */
        assert_int_equal(rc, 0);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_round_trip),
                cmocka_unit_test(test_round_trip_minimal),
                cmocka_unit_test(test_stats_without_finalize),
                cmocka_unit_test(test_series_get_same_key),
                cmocka_unit_test(test_from_json_rejects),
                cmocka_unit_test(test_overhead),
                cmocka_unit_test(test_finalize_idempotent),
                cmocka_unit_test(test_concurrent),
                cmocka_unit_test(test_write_and_schema),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
