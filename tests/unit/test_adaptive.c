/* SPDX-License-Identifier: MIT */
/*
 * Adaptive repetitions (results/adaptive.c): the precision each series
 * reached, the stop rule on a result model, and the `adaptive` block and
 * the series' `precision` records through res_to_json / res_from_json.
 */
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
#include "../../results/adaptive.h"
#include "../../workloads/catalog.h"

static res_file *new_run(double precision, unsigned max_repetitions, double max_time_s) {
        res_file *f = res_file_new();
        assert_non_null(f);
        f->adaptive = (res_adaptive){
                .on = true,
                .precision = precision,
                .max_repetitions = max_repetitions,
                .max_time_s = max_time_s,
        };
        return f;
}

/* A series of samples v; a catalog workload's metric gets its unit and direction (the schema pins them). */
static res_series *series(res_file *f, const char *workload, const char *configuration,
                          const char *config_kind, const char *metric, const double *v, size_t n) {
        const wl_spec *w = wl_catalog_find(workload);
        const wl_metric_spec *m = w ? wl_metric_find(w, metric) : NULL;
        res_series *s = res_series_get(f, workload, workload, configuration, config_kind, metric,
                                       m ? m->unit : "u", m ? m->better : "lower", NULL);
        assert_non_null(s);
        for (size_t i = 0; i < n; i++)
                assert_int_equal(res_series_add(s, v[i]), 0);
        return s;
}

/* finalize + assess; the number of series that have not met the target */
static int assess(res_file *f) {
        bench_error *err = NULL;
        if (res_finalize(f, &err) < 0)
                fail_msg("res_finalize: %s", err->msg);
        int unmet = res_adaptive_assess(f);
        assert_true(unmet >= 0);
        return unmet;
}

static const res_precision *precision_of(const res_file *f, const char *workload, const char *configuration,
                                         const char *metric) {
        const res_series *s = res_find(f, workload, configuration, metric);
        assert_non_null(s);
        return &s->precision;
}

/* n = 6 is the first n whose interval of order statistics covers 95% (0.96875): [min, max] */
static void test_reached(void **state) {
        res_file *f = new_run(0.02, 40, 0);
        const double six[] = {100, 101, 99, 100, 100.5, 99.5};
        series(f, "cpu", "bare", "bare", "ops_per_s", six, 6);
        const double five[] = {100, 101, 99, 100, 100.5};
        series(f, "cpu", "ctr", "container", "ops_per_s", five, 5);
        const double wide[] = {100, 130, 80, 100, 100, 100};
        series(f, "mem", "bare", "bare", "rss_kib", wide, 6);
        assert_int_equal(assess(f), 2);

        /* median 100, interval [99, 101]: within 1% */
        const res_precision *p = precision_of(f, "cpu", "bare", "ops_per_s");
        assert_true(p->assessed && p->has_reached && p->met);
        assert_true(fabs(p->reached - 0.01) < 1e-12);
        /* five samples: no 95% interval, so no reached value and not met */
        p = precision_of(f, "cpu", "ctr", "ops_per_s");
        assert_true(p->assessed && !p->has_reached && !p->met);
        /* the larger side counts: [80, 130] around 100 is 30% */
        p = precision_of(f, "mem", "bare", "rss_kib");
        assert_true(p->has_reached && !p->met);
        assert_true(fabs(p->reached - 0.30) < 1e-12);

        /* worst: the series without a reached value before any number */
        assert_string_equal(f->adaptive.worst.configuration, "ctr");
        assert_false(f->adaptive.worst.precision.has_reached);
        char label[128];
        assert_string_equal(res_adaptive_worst_label(&f->adaptive, label, sizeof(label)),
                            "cpu/ctr/ops_per_s");

        /* one more sample: the largest reached is the worst */
        assert_int_equal(res_series_add((res_series *)res_find(f, "cpu", "ctr", "ops_per_s"), 99.5), 0);
        assert_int_equal(assess(f), 1);
        assert_string_equal(f->adaptive.worst.metric, "rss_kib");
        assert_true(fabs(f->adaptive.worst.precision.reached - 0.30) < 1e-12);

        /* a tighter target: the 1% series no longer meets it (<= is met: exactly 1% meets 1%) */
        f->adaptive.precision = 0.01;
        assert_int_equal(assess(f), 1);
        assert_true(precision_of(f, "cpu", "bare", "ops_per_s")->met);
        f->adaptive.precision = 0.009;
        assert_int_equal(assess(f), 3);
        assert_false(precision_of(f, "cpu", "bare", "ops_per_s")->met);
        res_file_free(f);
}

/* a median of 0: met only as [0, 0]; otherwise no relative precision at all */
static void test_median_zero(void **state) {
        res_file *f = new_run(0.05, 10, 0);
        const double zeros[] = {0, 0, 0, 0, 0, 0};
        series(f, "a", "bare", "bare", "zero", zeros, 6);
        const double around[] = {-1, 0, 0, 0, 0, 1};
        series(f, "b", "bare", "bare", "around_zero", around, 6);
        assert_int_equal(assess(f), 1);
        const res_precision *p = precision_of(f, "a", "bare", "zero");
        assert_true(p->has_reached && p->met);
        assert_true(p->reached == 0);
        p = precision_of(f, "b", "bare", "around_zero");
        assert_true(p->assessed && !p->has_reached && !p->met);
        assert_string_equal(f->adaptive.worst.workload, "b");
        res_file_free(f);
}

/* overhead_kib is derived from the footprints, which are assessed: it gets no record */
static void test_derived_left_out(void **state) {
        res_file *f = new_run(0.5, 10, 0);
        const double bare[] = {1000, 1010, 990, 1000, 1005, 995};
        const double ctr[] = {1100, 1110, 1090, 1100, 1105, 1095};
        series(f, "memory", "bare", "bare", "footprint_kib", bare, 6);
        series(f, "memory", "ctr", "container", "footprint_kib", ctr, 6);
        assert_int_equal(assess(f), 0);
        const res_series *ov = res_find(f, "memory", "ctr", "overhead_kib");
        assert_non_null(ov);
        assert_true(res_series_is_derived(ov));
        assert_false(ov->precision.assessed);
        assert_true(precision_of(f, "memory", "ctr", "footprint_kib")->assessed);
        assert_false(res_series_is_derived(res_find(f, "memory", "bare", "footprint_kib")));
        res_file_free(f);
}

static void test_stop_rule(void **state) {
        res_file *f = new_run(0.02, 8, 0);
        const double good[] = {100, 101, 99, 100, 100.5, 99.5};
        series(f, "cpu", "bare", "bare", "ops_per_s", good, 6);
        const double noisy[] = {100, 150, 60, 100, 120, 90};
        res_series *n = series(f, "cpu", "ctr", "container", "ops_per_s", noisy, 6);
        assert_int_equal(assess(f), 1);

        /* the minimum comes first, whatever the caps say */
        assert_int_equal(res_adaptive_stop(f, 7, 6, 1e9, 1e9), RES_STOP_NONE);
        /* below the cap, within time: go on */
        assert_int_equal(res_adaptive_stop(f, 6, 6, 10, 1), RES_STOP_NONE);
        /* the cap on repetitions, then the cap on time */
        assert_int_equal(res_adaptive_stop(f, 6, 8, 10, 1), RES_STOP_MAX_REPETITIONS);
        f->adaptive.max_time_s = 12;
        assert_int_equal(res_adaptive_stop(f, 6, 7, 10, 1.5), RES_STOP_NONE);            /* 11.5 <= 12 */
        assert_int_equal(res_adaptive_stop(f, 6, 7, 10, 2.5), RES_STOP_MAX_TIME);        /* 12.5 > 12 */
        assert_int_equal(res_adaptive_stop(f, 6, 8, 10, 2.5), RES_STOP_MAX_REPETITIONS); /* both: the count */

        /* once every series meets the target, the target wins over the caps */
        n->n_samples = 0;
        const double better[] = {100, 101, 99, 100, 100.5, 99.5, 100.2};
        for (size_t i = 0; i < ELEMENTSOF(better); i++)
                assert_int_equal(res_series_add(n, better[i]), 0);
        assert_int_equal(assess(f), 0);
        assert_int_equal(res_adaptive_stop(f, 6, 8, 100, 100), RES_STOP_PRECISION);
        assert_int_equal(res_adaptive_stop(f, 6, 6, 0, 0), RES_STOP_PRECISION);
        assert_int_equal(res_adaptive_stop(f, 7, 6, 0, 0), RES_STOP_NONE);

        /* a fixed run never stops early */
        f->adaptive.on = false;
        assert_int_equal(res_adaptive_stop(f, 6, 8, 100, 100), RES_STOP_NONE);
        res_file_free(f);
}

/* a run whose configurations all failed or were skipped has no series: nothing holds it */
static void test_stop_without_series(void **state) {
        res_file *f = new_run(0.02, 50, 0);
        res_add_error(f, "bare", "cpu", 0, false, "agent exited with status 1");
        assert_int_equal(assess(f), 0);
        assert_null(f->adaptive.worst.workload);
        assert_int_equal(res_adaptive_stop(f, 5, 4, 0, 0), RES_STOP_NONE);
        assert_int_equal(res_adaptive_stop(f, 5, 5, 0, 0), RES_STOP_PRECISION);
        res_file_free(f);
}

static void test_percent_text(void **state) {
        char buf[32];
        assert_string_equal(res_adaptive_percent(0.0578, buf, sizeof(buf)), "5.8%");
        assert_string_equal(res_adaptive_percent(0.02, buf, sizeof(buf)), "2%");
        assert_string_equal(res_adaptive_percent(1.234, buf, sizeof(buf)), "123%");
        assert_string_equal(res_adaptive_percent(0.00013, buf, sizeof(buf)), "0.013%");
        assert_string_equal(res_stop_name(RES_STOP_MAX_TIME), "max_time");
        assert_null(res_stop_name(RES_STOP_NONE));
}

/* A finished adaptive run: capped by max_repetitions, one series short of the target. */
static res_file *make_capped(void) {
        res_file *f = new_run(0.02, 6, 30);
        f->suite =
                cJSON_Parse("{\"name\":\"t\",\"repetitions\":6,\"precision\":\"2%\",\"max_repetitions\":6}");
        f->host =
                cJSON_Parse("{\"hostname\":\"h\",\"kernel\":\"6.1\",\"cpu_model\":\"c\",\"cores\":2,"
                            "\"memory_kib\":4028520,\"cgroup_mode\":\"hybrid\",\"bench_version\":\"0.1.0\"}");
        f->started_at = strdup("2024-05-01T10:00:00Z");
        f->finished_at = strdup("2024-05-01T10:05:00Z");
        f->complete = true;
        f->repetitions_done = 6;
        const double good[] = {100, 101, 99, 100, 100.5, 99.5};
        series(f, "cpu", "bare", "bare", "ops_per_s", good, 6);
        const double noisy[] = {100, 150, 60, 100, 120, 90};
        series(f, "cpu", "ctr", "container", "ops_per_s", noisy, 6);
        const double fp[] = {1000, 1010, 990, 1000, 1005, 995};
        series(f, "memory", "bare", "bare", "footprint_kib", fp, 6);
        series(f, "memory", "ctr", "container", "footprint_kib", fp, 6);
        res_series *d = series(f, "density", "bare", "bare", "sequential.start_ms", good, 6);
        d->k = 3;
        assert_int_equal(assess(f), 1);
        f->adaptive.repetitions = 6;
        f->adaptive.stopped_by = res_adaptive_stop(f, 6, 6, 10, 1);
        assert_int_equal(f->adaptive.stopped_by, RES_STOP_MAX_REPETITIONS);
        return f;
}

static void test_round_trip(void **state) {
        res_file *f = make_capped();
        _cleanup_free_ char *text = res_to_json(f);
        assert_non_null(text);
        assert_non_null(strstr(text, "\"stopped_by\":\t\"max_repetitions\""));
        res_file *g = NULL;
        bench_error *err = NULL;
        if (res_from_json(text, "r.json", &g, &err) < 0)
                fail_msg("res_from_json: %s", err->msg);
        const res_adaptive *a = &g->adaptive;
        assert_true(a->on);
        assert_true(a->precision == 0.02);
        assert_int_equal(a->max_repetitions, 6);
        assert_true(a->max_time_s == 30);
        assert_int_equal(a->stopped_by, RES_STOP_MAX_REPETITIONS);
        assert_int_equal(a->repetitions, 6);
        assert_string_equal(a->worst.configuration, "ctr");
        assert_true(a->worst.precision.has_reached && !a->worst.precision.met);
        for (size_t i = 0; i < f->n_series; i++) {
                const res_series *s = &f->series[i], *t = res_find_like(g, s, NULL);
                assert_non_null(t);
                assert_int_equal(s->precision.assessed, t->precision.assessed);
                assert_int_equal(s->precision.has_reached, t->precision.has_reached);
                assert_int_equal(s->precision.met, t->precision.met);
                assert_true(s->precision.reached == t->precision.reached);
        }
        _cleanup_free_ char *again = res_to_json(g);
        assert_string_equal(text, again);
        res_file_free(g);

        /* a fixed run has neither the block nor the records */
        f->adaptive.on = false;
        assert_int_equal(res_adaptive_assess(f), 0);
        _cleanup_free_ char *fixed = res_to_json(f);
        assert_null(strstr(fixed, "\"adaptive\""));
        assert_null(strstr(fixed, "\"met\""));
        assert_int_equal(res_from_json(fixed, "r.json", &g, NULL), 0);
        assert_false(g->adaptive.on);
        res_file_free(g);
        res_file_free(f);
}

/* Every write of a run under way and after Ctrl-C reads back. */
static void test_running_and_interrupted(void **state) {
        res_file *f = make_capped();
        f->complete = false;
        f->adaptive.stopped_by = RES_STOP_NONE;
        f->repetitions_done = f->adaptive.repetitions = 5;
        _cleanup_free_ char *running = res_to_json(f);
        assert_non_null(strstr(running, "\"stopped_by\":\tnull"));
        res_file *g = NULL;
        bench_error *err = NULL;
        if (res_from_json(running, "r.json", &g, &err) < 0)
                fail_msg("res_from_json: %s", err->msg);
        res_file_free(g);
        f->interrupted = strdup("INT");
        f->adaptive.stopped_by = RES_STOP_INTERRUPTED;
        _cleanup_free_ char *stopped = res_to_json(f);
        if (res_from_json(stopped, "r.json", &g, &err) < 0)
                fail_msg("res_from_json: %s", err->msg);
        assert_int_equal(g->adaptive.stopped_by, RES_STOP_INTERRUPTED);
        res_file_free(g);
        res_file_free(f);
}

/* Replaces (or with NULL removes) the value at path "adaptive.precision", "results.1.precision.met". */
static char *mutate(const char *text, const char *path, cJSON *with) {
        cJSON *root = cJSON_Parse(text);
        assert_non_null(root);
        cJSON *parent = root;
        _cleanup_free_ char *copy = strdup(path);
        char *save = NULL, *key = strtok_r(copy, ".", &save), *next;
        for (; (next = strtok_r(NULL, ".", &save)); key = next) {
                parent = cJSON_IsArray(parent) ? cJSON_GetArrayItem(parent, atoi(key))
                                               : cJSON_GetObjectItemCaseSensitive(parent, key);
                assert_non_null(parent);
        }
        if (with && cJSON_GetObjectItemCaseSensitive(parent, key))
                assert_true(cJSON_ReplaceItemInObjectCaseSensitive(parent, key, with));
        else if (with)
                cJSON_AddItemToObject(parent, key, with);
        else
                cJSON_DeleteItemFromObjectCaseSensitive(parent, key);
        char *out = cJSON_Print(root);
        cJSON_Delete(root);
        return out;
}

static void expect_error(const char *text, const char *path, cJSON *with, const char *needle) {
        _cleanup_free_ char *bad = mutate(text, path, with);
        res_file *g = NULL;
        bench_error *err = NULL;
        assert_int_equal(res_from_json(bad, "r.json", &g, &err), -EINVAL);
        assert_null(g);
        assert_non_null(err);
        if (!strstr(err->msg, needle))
                fail_msg("%s: message `%s` does not contain `%s`", path, err->msg, needle);
        bench_error_free(err);
}

/* Files from others: nonsense is refused with the file and the field named. */
static void test_rejects(void **state) {
        res_file *f = make_capped();
        _cleanup_free_ char *text = res_to_json(f);
        /* results[0] met the target, results[1] did not */
        assert_true(f->series[0].precision.met && !f->series[1].precision.met);

        expect_error(
                text, "adaptive.precision", cJSON_CreateNumber(0),
                "r.json: adaptive.precision: expected a fraction above 0 and below 1 (0.02 = 2%), got 0");
        expect_error(text, "adaptive.precision", cJSON_CreateNumber(2),
                     "expected a fraction above 0 and below 1");
        expect_error(text, "adaptive.precision", cJSON_CreateString("2%"),
                     "r.json: adaptive.precision: expected a number, got a string");
        expect_error(text, "adaptive.max_repetitions", cJSON_CreateNumber(0),
                     "adaptive.max_repetitions: expected an integer from 1");
        expect_error(text, "adaptive.max_time_s", cJSON_CreateNumber(-3),
                     "adaptive.max_time_s: expected seconds above 0 or null");
        expect_error(text, "adaptive.stopped_by", cJSON_CreateString("bored"),
                     "adaptive.stopped_by: unknown value `bored`");
        expect_error(text, "adaptive.stopped_by", cJSON_CreateNull(),
                     "adaptive.stopped_by: null, but the run is complete");
        expect_error(text, "adaptive.stopped_by", cJSON_CreateString("interrupted"),
                     "adaptive.stopped_by: interrupted, but the run is complete");
        /* a cap must never read as the target reached */
        expect_error(text, "adaptive.stopped_by", cJSON_CreateString("precision"),
                     "r.json: results[1].precision: not met, but adaptive.stopped_by is `precision`");
        expect_error(text, "results.1.precision.met", cJSON_CreateTrue(),
                     "results[1].precision: met is true, but reached");
        expect_error(text, "results.0.precision.met", cJSON_CreateFalse(),
                     "results[0].precision: met is false, but reached");
        expect_error(text, "results.0.precision.reached", cJSON_CreateNull(),
                     "results[0].precision.met: true, but `reached` is null");
        expect_error(text, "results.0.precision.reached", cJSON_CreateNumber(-0.5),
                     "results[0].precision.reached: -0.5 is below 0");
        expect_error(text, "results.0.precision.why", cJSON_CreateString("x"),
                     "results[0].precision: unknown field `why`");
        expect_error(text, "adaptive.repetitions", cJSON_CreateNumber(5),
                     "adaptive.repetitions: 5, but repetitions_done is 6");
        expect_error(text, "adaptive.repetitions", cJSON_CreateNumber(7), "expected an integer from 0 to 6");
        expect_error(text, "adaptive.worst.configuration", cJSON_CreateString("nope"),
                     "adaptive.worst: names cpu/nope/ops_per_s, which is no series of results");
        expect_error(text, "adaptive.worst.met", NULL, "adaptive.worst.met: missing");
        expect_error(text, "adaptive.extra", cJSON_CreateNumber(1), "adaptive: unknown field `extra`");
        expect_error(text, "adaptive", cJSON_CreateString("yes"),
                     "adaptive: expected an object, got a string");
        /* records without a target */
        expect_error(text, "adaptive", NULL, "results[0].precision: a precision record, but the file has no");
        res_file_free(f);

        /* an interrupted run says so in both places */
        f = make_capped();
        f->complete = false;
        f->interrupted = strdup("INT");
        f->adaptive.stopped_by = RES_STOP_INTERRUPTED;
        _cleanup_free_ char *interrupted = res_to_json(f);
        expect_error(interrupted, "adaptive.stopped_by", cJSON_CreateString("max_time"),
                     "adaptive.stopped_by: max_time, but the run is not complete");
        expect_error(interrupted, "interrupted", cJSON_CreateNull(),
                     "adaptive.stopped_by: interrupted, but `interrupted` is null");
        expect_error(interrupted, "adaptive.stopped_by", cJSON_CreateNull(),
                     "adaptive.stopped_by: null, but `interrupted` is INT");
        res_file_free(f);
}

/* The written file matches results/result.schema.json, and the schema refuses a bad stopped_by. */
static void test_schema(void **state) {
        const char *src = getenv("BENCH_SOURCE_DIR");
        if (!src || system("/usr/bin/python3 -c 'import json, jsonschema' >/dev/null 2>&1") != 0) {
                print_message("python3-jsonschema or BENCH_SOURCE_DIR missing\n");
                skip();
        }
        res_file *f = make_capped();
        char dir[] = "/tmp/test_adaptive.XXXXXX";
        assert_non_null(mkdtemp(dir));
        char path[256], cmd[1024];
        snprintf(path, sizeof(path), "%s/result.json", dir);
        assert_int_equal(res_write(f, path, NULL), 0);
        snprintf(cmd, sizeof(cmd),
                 "/usr/bin/python3 -c 'import json,jsonschema,sys; "
                 "jsonschema.validate(json.load(open(sys.argv[1])), json.load(open(sys.argv[2])))' "
                 "%s %s/results/result.schema.json >/dev/null 2>&1",
                 path, src);
        int good = system(cmd);
        f->adaptive.max_time_s = 0; /* null: valid too */
        assert_int_equal(res_write(f, path, NULL), 0);
        int no_time = system(cmd);
        _cleanup_free_ char *text = res_to_json(f),
                            *bad = mutate(text, "adaptive.stopped_by", cJSON_CreateString("bored"));
        unlink(path);
        assert_int_equal(bench_write_file_atomic(path, bad, strlen(bad), NULL), 0);
        int refused = system(cmd);
        unlink(path);
        rmdir(dir);
        res_file_free(f);
        assert_int_equal(good, 0);
        assert_int_equal(no_time, 0);
        assert_int_not_equal(refused, 0);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_reached),
                cmocka_unit_test(test_median_zero),
                cmocka_unit_test(test_derived_left_out),
                cmocka_unit_test(test_stop_rule),
                cmocka_unit_test(test_stop_without_series),
                cmocka_unit_test(test_percent_text),
                cmocka_unit_test(test_round_trip),
                cmocka_unit_test(test_running_and_interrupted),
                cmocka_unit_test(test_rejects),
                cmocka_unit_test(test_schema),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
