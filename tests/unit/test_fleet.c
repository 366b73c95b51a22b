/* SPDX-License-Identifier: MIT */
/* The fleet analysis (results/fleet.h) on small hand-made fleets: spread, stand-outs, groups, refusals. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../common/cleanup.h"
#include "../../plots/verdicts.h"
#include "../../results/fleet.h"
#include "../../results/stats.h"

/*
 * A host's result: suite `s` (bare + container, workload cpu), bare samples
 * around 100, container around 100 * ratio; noise of +-0.5% (deterministic).
 */
static res_file *host_file_noisy(const char *suite, const char *hostname, const char *kernel, double ratio,
                                 double noise_scale) {
        res_file *f = res_file_new();
        assert_non_null(f);
        f->complete = true;
        f->host = cJSON_CreateObject();
        cJSON_AddStringToObject(f->host, "hostname", hostname);
        cJSON_AddStringToObject(f->host, "kernel", kernel);
        cJSON_AddStringToObject(f->host, "cpu_model", "Test CPU");
        cJSON_AddStringToObject(f->host, "cgroup_mode", "unified");
        f->suite = cJSON_Parse("{\"workloads\":[{\"kind\":\"cpu\"}],\"configurations\":[{\"name\":\"bare\","
                               "\"kind\":\"bare\"},{\"name\":\"container\",\"kind\":\"container\"}]}");
        assert_non_null(f->suite);
        cJSON_AddStringToObject(f->suite, "name", suite);
        static const double noise[] = {-0.005, 0.003, 0, 0.004, -0.002, 0.001, -0.004, 0.002, -0.001, 0.005};
        for (int c = 0; c < 2; c++) {
                res_series *s =
                        res_series_get(f, "cpu", "cpu", c ? "container" : "bare", c ? "container" : "bare",
                                       "ops_per_s", "ops/s", "higher", NULL);
                assert_non_null(s);
                for (size_t i = 0; i < ELEMENTSOF(noise); i++)
                        assert_int_equal(
                                res_series_add(s, 100 * (c ? ratio : 1) * (1 + noise_scale * noise[i])), 0);
        }
        assert_int_equal(res_finalize(f, NULL), 0);
        return f;
}

static res_file *host_file(const char *suite, const char *hostname, const char *kernel, double ratio) {
        return host_file_noisy(suite, hostname, kernel, ratio, 1);
}

/* Hosts node1..nodeN with these ratios and kernels; scales: each host's noise (NULL: +-0.5% each). */
static fleet *make_fleet_noisy(const double *ratios, const char *const *kernels, const double *scales,
                               size_t n) {
        fleet *f = fleet_new("fleet");
        assert_non_null(f);
        for (size_t i = 0; i < n; i++) {
                char name[32], file[64];
                snprintf(name, sizeof(name), "node%zu", i + 1);
                snprintf(file, sizeof(file), "fleet/node%zu.json", i + 1);
                _cleanup_error_ bench_error *err = NULL;
                assert_int_equal(
                        fleet_add(f, file,
                                  host_file_noisy("s", name, kernels[i], ratios[i], scales ? scales[i] : 1),
                                  &err),
                        0);
        }
        _cleanup_error_ bench_error *err = NULL;
        assert_int_equal(fleet_analyze(f, NULL, &err), 0);
        return f;
}

static fleet *make_fleet(const double *ratios, const char *const *kernels, size_t n) {
        return make_fleet_noisy(ratios, kernels, NULL, n);
}

static const char *const same_kernel[] = {"6.1", "6.1", "6.1", "6.1", "6.1", "6.1"};

/* Five hosts near 1.02, one at 1.30: only that one stands out; spread and median as computed by hand. */
static void test_stand_out(void **state) {
        (void)state;
        const double ratios[] = {1.02, 1.01, 1.03, 1.02, 1.30, 1.025};
        fleet *f = make_fleet(ratios, same_kernel, 6);
        assert_int_equal(f->n_metrics, 1);
        const fleet_metric *m = &f->metrics[0];
        assert_string_equal(m->configuration, "container");
        assert_int_equal(m->n, 6);
        assert_int_equal(m->n_stand_out, 1);
        assert_true(m->stands_out[4]);
        /* the ratios of medians come out as given (the noise is the same on both sides) */
        assert_true(fabs(m->median - 1.0225) < 1e-6);
        assert_true(fabs(m->min - 1.01) < 1e-6 && m->min_host == 1);
        assert_true(fabs(m->max - 1.30) < 1e-6 && m->max_host == 4);
        assert_true(fabs(m->max_over_min - 1.30 / 1.01) < 1e-6);
        /* |deviations| 0.0025 0.0125 0.0075 0.0025 0.2775 0.0025: MAD 0.005 */
        assert_true(fabs(m->mad - 0.005) < 1e-6);
        assert_true(fabs(m->rel_mad_pct - 100 * 0.005 / 1.0225) < 1e-6);
        assert_int_equal(f->n_groups, 1);
        fleet_free(f);
}

/* Far by z and beyond the threshold, but within its own noise: not a stand-out (the interval must
 * exclude the median). */
static void test_stand_out_needs_interval(void **state) {
        (void)state;
        const double ratios[] = {1.000, 1.0002, 1.000, 1.0002, 1.0001, 1.06};
        const double scales[] = {1, 1, 1, 1, 1, 40}; /* the last host: +-20% noise */
        fleet *f = make_fleet_noisy(ratios, same_kernel, scales, 6);
        const fleet_metric *m = &f->metrics[0];
        /* by distance alone it would: z = 0.6745 * 0.06 / 0.0001, and 6% is beyond the 5% threshold */
        assert_true(fabs(m->mad - 0.0001) < 1e-6);
        assert_true(0.6745 * (fleet_row_value(m->rows[5]) - m->median) / m->mad > RES_OUTLIER_Z);
        assert_true(fleet_row_value(m->rows[5]) / m->median > 1.05);
        double lo, hi;
        fleet_row_interval(m->rows[5], &lo, &hi);
        assert_true(lo <= m->median && m->median <= hi); /* +-20% noise covers 6% */
        assert_int_equal(m->n_stand_out, 0);
        fleet_free(f);
}

/*
 * Precise and far by z, but within the threshold: not a stand-out. Four hosts agree to 0.2%, the
 * fifth is 4.8% off with a tight interval (as CI once saw: +1.6% against a fleet median of -3.1%);
 * at 6.3% off it stands out.
 */
static void test_stand_out_needs_threshold(void **state) {
        (void)state;
        const double near[] = {0.969, 0.968, 0.970, 0.969, 1.0155};
        fleet *f = make_fleet(near, same_kernel, 5);
        const fleet_metric *m = &f->metrics[0];
        double lo, hi;
        fleet_row_interval(m->rows[4], &lo, &hi);
        assert_true(lo > m->median); /* excludes */
        assert_true(0.6745 * (fleet_row_value(m->rows[4]) - m->median) / m->mad >
                    RES_OUTLIER_Z); /* far by z */
        assert_true(fleet_row_value(m->rows[4]) / m->median < 1.05);
        assert_int_equal(m->n_stand_out, 0);
        fleet_free(f);

        const double far[] = {0.969, 0.968, 0.970, 0.969, 1.030};
        f = make_fleet(far, same_kernel, 5);
        assert_int_equal(f->metrics[0].n_stand_out, 1);
        assert_true(f->metrics[0].stands_out[4]);
        fleet_free(f);
}

/* Two hosts: no norm to stand out from, whatever the distance. */
static void test_too_few_hosts(void **state) {
        (void)state;
        const double ratios[] = {1.0, 2.0};
        fleet *f = make_fleet(ratios, same_kernel, 2);
        assert_int_equal(f->metrics[0].n, 2);
        assert_int_equal(f->metrics[0].n_stand_out, 0);
        fleet_free(f);
}

/* Groups by fingerprint, with each group's median. */
static void test_groups(void **state) {
        (void)state;
        const double ratios[] = {1.10, 1.12, 1.50, 1.52, 1.11};
        const char *const kernels[] = {"6.1", "6.1", "6.8", "6.8", "6.1"};
        fleet *f = make_fleet(ratios, kernels, 5);
        assert_int_equal(f->n_groups, 2);
        assert_int_equal(f->groups[0].n_hosts, 3);
        assert_int_equal(f->groups[1].n_hosts, 2);
        assert_string_equal(f->groups[1].fp.kernel, "6.8");
        assert_int_equal(f->hosts[2].group, 1);
        const fleet_metric *m = &f->metrics[0];
        assert_true(fabs(m->group_median[0] - 1.11) < 1e-6);
        assert_true(fabs(m->group_median[1] - 1.51) < 1e-6);
        fleet_free(f);
}

/* A host whose VM ran under TCG is of another group than the same machine under KVM; no VM: "-". */
static void test_groups_accel(void **state) {
        (void)state;
        fleet *f = fleet_new("dir");
        _cleanup_error_ bench_error *err = NULL;
        const char *const accels[] = {"kvm", "tcg", "kvm", NULL};
        for (size_t i = 0; i < ELEMENTSOF(accels); i++) {
                char name[8], file[32];
                snprintf(name, sizeof(name), "h%zu", i);
                snprintf(file, sizeof(file), "dir/h%zu.json", i);
                res_file *r = host_file("s", name, "6.1", 1.1);
                for (size_t k = 0; accels[i] && k < r->n_series; k++)
                        if (!strcmp(r->series[k].configuration, "container"))
                                r->series[k].accel = strdup(accels[i]);
                assert_int_equal(fleet_add(f, file, r, &err), 0);
        }
        assert_int_equal(fleet_analyze(f, NULL, &err), 0);
        assert_int_equal(f->n_groups, 3);
        assert_string_equal(f->groups[0].fp.accel, "kvm");
        assert_int_equal(f->groups[0].n_hosts, 2);
        assert_string_equal(f->groups[1].fp.accel, "tcg");
        assert_string_equal(f->groups[2].fp.accel, "-");
        _cleanup_free_ char *text = fleet_fingerprint_text(&f->groups[1].fp);
        assert_string_equal(text, "Test CPU / kernel 6.1 / accel tcg / cgroup unified");
        fleet_free(f);
}

/* Another suite or a host seen twice: refused, both files named. */
static void test_refusals(void **state) {
        (void)state;
        fleet *f = fleet_new("dir");
        _cleanup_error_ bench_error *err = NULL;
        assert_int_equal(fleet_add(f, "dir/a.json", host_file("s", "a", "6.1", 1.1), &err), 0);
        assert_int_equal(fleet_add(f, "dir/b.json", host_file("other", "b", "6.1", 1.1), &err), -EINVAL);
        assert_non_null(strstr(err->msg, "dir/b.json"));
        assert_non_null(strstr(err->msg, "dir/a.json"));
        assert_non_null(strstr(err->msg, "another suite"));
        bench_error_freep(&err);
        assert_int_equal(fleet_add(f, "dir/c.json", host_file("s", "a", "6.1", 1.1), &err), -EINVAL);
        assert_non_null(strstr(err->msg, "dir/c.json"));
        assert_non_null(strstr(err->msg, "host `a` again"));
        assert_int_equal(f->n_hosts, 1);
        fleet_free(f);
}

/* A Slurm step's result is known by its node (host.allocation.slurm.node), not by the hostname. */
static void test_slurm_node_key(void **state) {
        (void)state;
        fleet *f = fleet_new("dir");
        _cleanup_error_ bench_error *err = NULL;
        res_file *r = host_file("s", "login1", "6.1", 1.1);
        cJSON *alloc = cJSON_AddObjectToObject(r->host, "allocation");
        cJSON_AddStringToObject(cJSON_AddObjectToObject(alloc, "slurm"), "node", "cn042");
        assert_int_equal(fleet_add(f, "dir/a.json", r, &err), 0);
        assert_string_equal(f->hosts[0].key, "cn042");
        /* another step on another node, the same login hostname: not the same host */
        r = host_file("s", "login1", "6.1", 1.1);
        alloc = cJSON_AddObjectToObject(r->host, "allocation");
        cJSON_AddStringToObject(cJSON_AddObjectToObject(alloc, "slurm"), "node", "cn043");
        assert_int_equal(fleet_add(f, "dir/b.json", r, &err), 0);
        /* no allocation: the hostname */
        assert_int_equal(fleet_add(f, "dir/c.json", host_file("s", "login1", "6.1", 1.1), &err), 0);
        assert_string_equal(f->hosts[2].key, "login1");
        fleet_free(f);
}

/* A host without bare: said, and left out of the metrics. */
static void test_no_bare(void **state) {
        (void)state;
        fleet *f = fleet_new("dir");
        _cleanup_error_ bench_error *err = NULL;
        res_file *r = host_file("s", "a", "6.1", 1.1);
        for (size_t i = 0; i < r->n_series; i++)
                if (!strcmp(r->series[i].configuration, "bare")) {
                        free(r->series[i].config_kind);
                        r->series[i].config_kind = strdup("vm");
                }
        cJSON_DeleteItemFromArray(cJSON_GetObjectItem(r->suite, "configurations"), 0);
        assert_int_equal(fleet_add(f, "dir/a.json", r, &err), 0);
        assert_int_equal(fleet_analyze(f, NULL, &err), 0);
        assert_null(f->hosts[0].bare);
        assert_non_null(strstr(f->hosts[0].no_overhead, "no bare configuration"));
        assert_int_equal(f->n_metrics, 0);
        fleet_free(f);
}

/* Two fleets: matched by host; one regressed host gates; hosts on one side are listed. */
static void test_compare(void **state) {
        (void)state;
        const double a[] = {1.0, 1.0, 1.0}, b[] = {1.0, 1.0, 1.0};
        fleet *base = make_fleet(a, same_kernel, 3), *cur = make_fleet(b, same_kernel, 3);
        /* node2's container 20% slower in the new fleet (ops_per_s: higher is better) */
        res_series *s = (res_series *)res_find(cur->hosts[1].res, "cpu", "container", "ops_per_s");
        for (size_t i = 0; i < s->n_samples; i++)
                s->samples[i] *= 0.8;
        assert_int_equal(res_finalize(cur->hosts[1].res, NULL), 0);
        free(cur->hosts[2].key);
        cur->hosts[2].key = strdup("elsewhere");
        fleet_comparison c = {0};
        _cleanup_error_ bench_error *err = NULL;
        assert_int_equal(fleet_compare(base, cur, NULL, &c, &err), 0);
        assert_int_equal(c.n_pairs, 2);
        assert_int_equal(c.n_regressed_hosts, 1);
        assert_true(c.pairs[1].cmp.n_regressed > 0);
        assert_int_equal(c.n_only_base, 1);
        assert_int_equal(c.n_only_cur, 1);
        _cleanup_free_ char *json = NULL;
        assert_int_equal(plot_fleet_verdicts(&c, "json", &json, &err), 0);
        assert_non_null(strstr(json, "\"regressed_hosts\":\t1"));
        fleet_comparison_clear(&c);
        fleet_free(base);
        fleet_free(cur);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_stand_out),
                cmocka_unit_test(test_stand_out_needs_interval),
                cmocka_unit_test(test_stand_out_needs_threshold),
                cmocka_unit_test(test_too_few_hosts),
                cmocka_unit_test(test_groups),
                cmocka_unit_test(test_groups_accel),
                cmocka_unit_test(test_refusals),
                cmocka_unit_test(test_slurm_node_key),
                cmocka_unit_test(test_no_bare),
                cmocka_unit_test(test_compare),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
