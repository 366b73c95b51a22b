/* SPDX-License-Identifier: MIT */
/* density's pure parts: its `n` list, the memory/fd estimate, and series keyed by k and n. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../common/cleanup.h"
#include "../../harness/density.h"
#include "../../results/compare.h"
#include "../../results/result.h"
#include "../../workloads/catalog.h"

static void test_counts(void **state) {
        unsigned c[DENSITY_MAX_COUNTS];
        size_t n = 0;
        char why[256];
        assert_int_equal(wl_density_counts("1,8,32,128,256", c, DENSITY_MAX_COUNTS, &n, why, sizeof(why)), 0);
        assert_int_equal(n, 5);
        assert_int_equal(c[0], 1);
        assert_int_equal(c[4], 256);
        assert_int_equal(wl_density_counts("7", c, DENSITY_MAX_COUNTS, &n, why, sizeof(why)), 0);
        assert_int_equal(n, 1);
        assert_int_equal(c[0], 7);

        static const struct {
                const char *text, *why;
        } bad[] = {
                {"", "empty"},
                {"8,1", "must rise"},
                {"1,1", "must rise"},
                {"1,,8", "separated by commas"},
                {"1,8,", "separated by commas"},
                {" 1", "separated by commas"},
                {"1;8", "separated by commas"},
                {"0", "from 1 to 100000, got 0"},
                {"100001", "got 100001"},
                {"-1", "separated by commas"},
                {"99999999999999999999999", "from 1 to"},
        };
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                why[0] = '\0';
                assert_int_equal(wl_density_counts(bad[i].text, c, DENSITY_MAX_COUNTS, &n, why, sizeof(why)),
                                 -EINVAL);
                if (!strstr(why, bad[i].why))
                        fail_msg("`%s`: %s (wanted %s)", bad[i].text, why, bad[i].why);
        }
        /* more counts than room */
        assert_int_equal(wl_density_counts("1,2,3", c, 2, &n, why, sizeof(why)), -EINVAL);
        assert_non_null(strstr(why, "at most 2"));
}

static void test_fits(void **state) {
        rt_estimate vm = {.kib = (256 + 128) * 1024, .fds = 8, .pids = 8};
        density_host h4g = {.avail_kib = 4096 * 1024, .fd_limit = 1024}, nomem = {.fd_limit = 1024},
                     nolimit = {0}, pids = {.pid_room = 1000};
        snprintf(vm.why, sizeof(vm.why), "guest memory 256M + QEMU about 128M");
        char why[512];
        /* 10 × 384 MiB = 3840 MiB within 4 GiB */
        assert_int_equal(density_fits(10, "vm", &vm, &h4g, why, sizeof(why)), 0);
        /* 256 × 384 MiB = 98304 MiB: refused with the arithmetic */
        assert_int_equal(density_fits(256, "vm", &vm, &h4g, why, sizeof(why)), -ENOMEM);
        assert_string_equal(why,
                            "n=256 needs about 98304 MiB (256 × 384 MiB per `vm` environment: guest memory "
                            "256M + QEMU about 128M), the host has 4096 MiB available (lower n, or give "
                            "the configuration less memory)");
        /* fds: 200 × 8 + 64 = 1664 > 1024 */
        assert_int_equal(density_fits(200, "vm", &vm, &nomem, why, sizeof(why)), -EMFILE);
        assert_non_null(strstr(why, "n=200 needs about 1664 open files (200 × 8 per `vm` environment + 64"));
        assert_non_null(strstr(why, "RLIMIT_NOFILE is 1024"));
        /* 0 = no limit known */
        assert_int_equal(density_fits(200, "vm", &vm, &nolimit, why, sizeof(why)), 0);
        /* tasks: 200 × 8 = 1600 > 1000 */
        assert_int_equal(density_fits(200, "vm", &vm, &pids, why, sizeof(why)), -EAGAIN);
        assert_non_null(strstr(why,
                               "n=200 needs about 1600 tasks (200 × 8 per `vm` environment), the host has "
                               "room for 1000 more"));
        assert_int_equal(density_fits(125, "vm", &vm, &pids, why, sizeof(why)), 0);
        /* exactly at the limit fits */
        rt_estimate one = {.kib = 1024, .fds = 3, .pids = 1};
        density_host edge = {.avail_kib = 4096, .fd_limit = 4 * 3 + DENSITY_FD_RESERVE};
        assert_int_equal(density_fits(4, "bare", &one, &edge, why, sizeof(why)), 0);
        edge.fd_limit = 0;
        assert_int_equal(density_fits(5, "bare", &one, &edge, why, sizeof(why)), -ENOMEM);
        /* the host's own figures are there */
        density_host now;
        density_host_read(&now);
        assert_true(now.avail_kib > 0 && now.pid_room > 0);

        /* a kind without the hook: the default, and the message says it is assumed */
        rt_estimate e;
        rt_driver none = {.name = "x"};
        density_estimate(&none, NULL, &e);
        assert_int_equal(e.kib, RT_ESTIMATE_DEFAULT_KIB);
        assert_int_equal(e.fds, RT_ESTIMATE_DEFAULT_FDS);
        assert_non_null(strstr(e.why, "assumed"));
        /* the vm driver's: its memory option plus QEMU */
        cJSON *o = cJSON_Parse("{\"memory\": \"128M\"}");
        density_estimate(&rt_vm_driver, o, &e);
        assert_true(e.kib > 128 * 1024);
        assert_non_null(strstr(e.why, "guest memory 128M"));
        cJSON_Delete(o);
}

static res_series *add(res_file *f, const char *conf, const char *metric, unsigned k, unsigned n,
                       double base) {
        res_series *s = res_series_get_at(f, "density", "density", conf, "container", metric, "ms", "lower",
                                          NULL, k, n);
        assert_non_null(s);
        for (int i = 0; i < 5; i++)
                assert_int_equal(res_series_add(s, base + i * 0.01), 0);
        return s;
}

static void test_series_by_k(void **state) {
        res_file *f = res_file_new();
        /* two k of one metric are two series; the same k is the same series */
        res_series *k1 = add(f, "ctr", "sequential.start_ms", 1, 0, 3);
        size_t n1 = f->n_series;
        add(f, "ctr", "sequential.start_ms", 2, 0, 30);
        assert_int_equal(f->n_series, n1 + 1);
        k1 = res_series_get_at(f, "density", "density", "ctr", "container", "sequential.start_ms", "ms",
                               "lower", NULL, 1, 0);
        assert_int_equal(k1->n_samples, 5);
        assert_int_equal(f->n_series, n1 + 1);
        add(f, "ctr", "mem_per_env_kib", 0, 8, 100);
        /* res_find is the series without k and n */
        assert_null(res_find(f, "density", "ctr", "sequential.start_ms"));
        char label[64];
        assert_string_equal(res_metric_label(k1, label, sizeof(label)), "sequential.start_ms k=1");

        /* written and read back with k and n */
        assert_int_equal(res_finalize(f, NULL), 0);
        _cleanup_free_ char *text = res_to_json(f);
        assert_non_null(text);
        res_file *g = NULL;
        assert_int_equal(res_from_json(text, "r.json", &g, NULL), 0);
        assert_int_equal(g->n_series, 3);
        const res_series *k2 = res_find_like(g, &f->series[1], NULL);
        assert_non_null(k2);
        assert_int_equal(k2->k, 2);
        assert_true(k2->samples[0] == 30);

        /* compare pairs k with k: k=2 got 10x slower in the new file, k=1 did not change */
        res_file *h = res_file_new();
        add(h, "ctr", "sequential.start_ms", 1, 0, 3);
        add(h, "ctr", "sequential.start_ms", 2, 0, 300);
        add(h, "ctr", "mem_per_env_kib", 0, 8, 100);
        assert_int_equal(res_finalize(h, NULL), 0);
        cmp_report rep = {0};
        assert_int_equal(cmp_files(g, h, NULL, &rep, NULL), 0);
        assert_int_equal(rep.n_rows, 3);
        for (size_t i = 0; i < rep.n_rows; i++) {
                assert_int_equal(rep.rows[i].base->k, rep.rows[i].cur->k);
                assert_int_equal(rep.rows[i].base->n, rep.rows[i].cur->n);
                if (rep.rows[i].cur->k == 2)
                        assert_int_equal(rep.rows[i].verdict, CMP_REGRESSED);
                else
                        assert_int_not_equal(rep.rows[i].verdict, CMP_REGRESSED);
        }
        assert_int_equal(rep.n_regressed, 1);
        cmp_report_clear(&rep);

        /* a file with the same key twice is refused, naming k */
        char *dup = strdup(text);
        char *p = strstr(dup, "\"k\":\t2");
        if (!p)
                p = strstr(dup, "\"k\": 2");
        if (!p)
                p = strstr(dup, "\"k\":2");
        assert_non_null(p);
        p[strlen(p) - strlen(strchr(p, '2'))] = '1';
        res_file *bad = NULL;
        bench_error *err = NULL;
        assert_int_equal(res_from_json(dup, "r.json", &bad, &err), -EINVAL);
        assert_non_null(strstr(err->msg, "a second series for density/ctr/sequential.start_ms k=1"));
        bench_error_free(err);
        free(dup);

        res_file_free(f);
        res_file_free(g);
        res_file_free(h);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_counts),
                cmocka_unit_test(test_fits),
                cmocka_unit_test(test_series_by_k),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
