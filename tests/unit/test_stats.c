/* SPDX-License-Identifier: MIT */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../../common/cleanup.h"
#include "../../results/stats.h"

/*
 * Reference values below were computed independently with this script
 * (/usr/bin/python3, standard library only: statistics.quantiles(...,
 * method='inclusive') is Hyndman-Fan type 7; the CI coverage is exact with
 * fractions.Fraction and math.comb):
 *
 *   import statistics as st, math
 *   from fractions import Fraction as F
 *   def ci(xs):
 *       s = sorted(xs); n = len(s)
 *       cov = lambda j: 1 - 2 * sum(F(math.comb(n, k), 2**n) for k in range(j))
 *       if cov(1) < F(95, 100):
 *           return s[0], s[-1], float(cov(1))
 *       j = 1
 *       while j + 1 <= n - j and cov(j + 1) >= F(95, 100):
 *           j += 1
 *       return s[j - 1], s[n - j], float(cov(j))
 *   def outliers(xs):
 *       med = st.median(xs)
 *       mad = st.median([abs(x - med) for x in xs])
 *       mean_ad = st.fmean([abs(x - med) for x in xs])
 *       if mad > 0:   z = [0.6745 * (x - med) / mad for x in xs]
 *       elif mean_ad: z = [(x - med) / (1.253314 * mean_ad) for x in xs]
 *       else:         z = [0] * len(xs)
 *       return [i for i, v in enumerate(z) if abs(v) > 3.5]
 *   def show(xs):
 *       q = st.quantiles(xs, n=100, method='inclusive') if len(xs) > 1 else [xs[0]] * 99
 *       sd = st.stdev(xs) if len(xs) > 1 else 0.0
 *       m = st.fmean(xs)
 *       print(len(xs), m, st.median(xs), sd, sd / m if m else 0, min(xs), max(xs),
 *             q[4], q[94], *ci(xs), outliers(xs))
 */

typedef struct expect {
        size_t n;
        double mean, median, stddev, cv, min, max, p05, p95, ci_low, ci_high, ci_level;
        size_t n_outliers;
        size_t outliers[4];
} expect;

static void assert_close(double got, double want, const char *what) {
        double tol = 1e-12 * (fabs(want) > 1 ? fabs(want) : 1);
        if (!(fabs(got - want) <= tol))
                fail_msg("%s: got %.17g, want %.17g", what, got, want);
}

static void check(const double *x, size_t n, const expect *e) {
        res_stats s = {0};
        bench_error *err = NULL;
        int r = res_stats_compute(x, n, &s, &err);
        if (r < 0)
                fail_msg("res_stats_compute: %s", err ? err->msg : "?");
        assert_int_equal(s.n, e->n);
        assert_close(s.mean, e->mean, "mean");
        assert_close(s.median, e->median, "median");
        assert_close(s.stddev, e->stddev, "stddev");
        assert_close(s.cv, e->cv, "cv");
        assert_close(s.min, e->min, "min");
        assert_close(s.max, e->max, "max");
        assert_close(s.p05, e->p05, "p05");
        assert_close(s.p95, e->p95, "p95");
        assert_close(s.ci95_low, e->ci_low, "ci95_low");
        assert_close(s.ci95_high, e->ci_high, "ci95_high");
        assert_close(s.ci_level, e->ci_level, "ci_level");
        assert_int_equal(s.n_outliers, e->n_outliers);
        for (size_t i = 0; i < e->n_outliers; i++)
                assert_int_equal(s.outliers[i], e->outliers[i]);
        res_stats_clear(&s);
        assert_null(s.outliers);
        assert_int_equal(s.n, 0);
}

static void test_n1(void **state) {
        const double x[] = {42.5};
        /* one sample: stddev 0 by definition, the "interval" [x, x] covers nothing: 1 - 2 * 0.5 */
        check(x, 1, &(expect){1, 42.5, 42.5, 0, 0, 42.5, 42.5, 42.5, 42.5, 42.5, 42.5, 0.0, 0, {0}});
}

static void test_n2(void **state) {
        const double x[] = {3.0, 1.0};
        check(x, 2,
              &(expect){2,
                        2.0,
                        2.0,
                        1.4142135623730951,
                        0.7071067811865476,
                        1.0,
                        3.0,
                        1.1,
                        2.9,
                        1.0,
                        3.0,
                        0.5,
                        0,
                        {0}});
}

/* odd n with a tie; n = 5 cannot reach 95%: [min, max] with its coverage 1 - 2/32 */
static void test_odd_n5_ties(void **state) {
        const double x[] = {3.0, 1.0, 4.0, 1.0, 5.0};
        check(x, 5,
              &(expect){5,
                        2.8,
                        3.0,
                        1.7888543819998317,
                        0.6388765649999399,
                        1.0,
                        5.0,
                        1.0,
                        4.8,
                        1.0,
                        5.0,
                        0.9375,
                        0,
                        {0}});
}

/* n = 6 is the first n where [min, max] reaches 95% (1 - 2/64) */
static void test_n6(void **state) {
        const double x[] = {6.0, 5.0, 4.0, 3.0, 2.0, 1.0};
        check(x, 6,
              &(expect){6,
                        3.5,
                        3.5,
                        1.8708286933869707,
                        0.5345224838248488,
                        1.0,
                        6.0,
                        1.25,
                        5.75,
                        1.0,
                        6.0,
                        0.96875,
                        0,
                        {0}});
}

/* even n with ties; CI from x_(2), x_(9) */
static void test_even_n10(void **state) {
        const double x[] = {12.0, 7.5, 9.0, 7.5, 11.0, 10.5, 8.0, 9.0, 13.5, 6.0};
        check(x, 10,
              &(expect){10,
                        9.4,
                        9.0,
                        2.3190036174568114,
                        0.24670251249540545,
                        6.0,
                        13.5,
                        6.675,
                        12.825,
                        7.5,
                        12.0,
                        0.978515625,
                        0,
                        {0}});
}

/* n = 30: CI from x_(10), x_(21); index 7 (160) is an outlier */
static void test_n30(void **state) {
        double x[30];
        for (int i = 0; i < 30; i++)
                x[i] = 100 + ((i * 37) % 30) * 0.25;
        x[7] = 160.0;
        check(x, 30,
              &(expect){30,
                        105.46666666666667,
                        103.625,
                        10.530074608680026,
                        0.09984267960189658,
                        100.0,
                        160.0,
                        100.3625,
                        107.1375,
                        102.25,
                        105.25,
                        0.9572260547429323,
                        1,
                        {7}});
}

/* n = 100: CI from x_(40), x_(61) (the textbook table) */
static void test_n100(void **state) {
        double x[100];
        for (int i = 0; i < 100; i++)
                x[99 - i] = i; /* reversed: input order must not matter */
        check(x, 100,
              &(expect){100,
                        49.5,
                        49.5,
                        29.011491975882016,
                        0.5860907469875155,
                        0.0,
                        99.0,
                        4.95,
                        94.05,
                        39.0,
                        60.0,
                        0.9647997997822951,
                        0,
                        {0}});
}

/* 0.5^n underflows from n = 1075: the coverage must still come out right */
static void test_ci_large_n(void **state) {
        static double x[2000];
        res_stats s = {0};
        for (int i = 0; i < 2000; i++)
                x[i] = i;
        assert_int_equal(res_stats_compute(x, 1100, &s, NULL), 0);
        assert_close(s.ci95_low, 517.0, "ci95_low n=1100");
        assert_close(s.ci95_high, 582.0, "ci95_high n=1100");
        assert_true(fabs(s.ci_level - 0.9500329480537483) < 1e-9);
        res_stats_clear(&s);
        assert_int_equal(res_stats_compute(x, 2000, &s, NULL), 0);
        assert_close(s.ci95_low, 955.0, "ci95_low n=2000");
        assert_close(s.ci95_high, 1044.0, "ci95_high n=2000");
        assert_true(fabs(s.ci_level - 0.9534471795082162) < 1e-9);
        res_stats_clear(&s);
}

static void test_outlier_mad(void **state) {
        const double x[] = {10.0, 10.1, 9.9, 10.2, 9.8, 10.0, 50.0};
        check(x, 7,
              &(expect){7,
                        15.714285714285714,
                        10.0,
                        15.119130108511376,
                        0.962126461450724,
                        9.8,
                        50.0,
                        9.83,
                        38.06,
                        9.8,
                        50.0,
                        0.984375,
                        1,
                        {6}});
}

/* near the threshold: MAD 0.1, z = 0.6745 * 0.6 / 0.1 = 4.047 is flagged, 0.6745 * 0.5 / 0.1 = 3.37 not */
static void test_outlier_threshold(void **state) {
        const double in[] = {10.0, 10.1, 9.9, 10.2, 9.8, 10.0, 10.6};
        const double out[] = {10.0, 10.1, 9.9, 10.2, 9.8, 10.0, 10.5};
        res_stats s = {0};
        assert_int_equal(res_stats_compute(in, 7, &s, NULL), 0);
        assert_int_equal(s.n_outliers, 1);
        assert_int_equal(s.outliers[0], 6);
        res_stats_clear(&s);
        assert_int_equal(res_stats_compute(out, 7, &s, NULL), 0);
        assert_int_equal(s.n_outliers, 0);
        assert_null(s.outliers);
        res_stats_clear(&s);
}

/* more than half tie: MAD = 0, the scaled mean absolute deviation still flags the stray value */
static void test_outlier_mad_zero(void **state) {
        const double x[] = {5.0, 5.0, 5.0, 5.0, 5.0, 5.0, 9.0};
        check(x, 7,
              &(expect){7,
                        5.571428571428571,
                        5.0,
                        1.511857892036909,
                        0.27135910882713754,
                        5.0,
                        9.0,
                        5.0,
                        7.8,
                        5.0,
                        9.0,
                        0.984375,
                        1,
                        {6}});
}

/* all equal: MAD and mean AD are 0, no outliers, cv 0 */
static void test_constant(void **state) {
        const double x[] = {2.0, 2.0, 2.0};
        check(x, 3, &(expect){3, 2.0, 2.0, 0, 0, 2.0, 2.0, 2.0, 2.0, 2.0, 2.0, 0.75, 0, {0}});
}

/* mean 0: cv is 0, not inf/NaN */
static void test_mean_zero(void **state) {
        const double x[] = {-1.0, 1.0};
        res_stats s = {0};
        assert_int_equal(res_stats_compute(x, 2, &s, NULL), 0);
        assert_true(s.cv == 0.0);
        assert_close(s.stddev, 1.4142135623730951, "stddev");
        res_stats_clear(&s);
}

static void test_input_not_modified(void **state) {
        double x[] = {3, 1, 2};
        res_stats s = {0};
        assert_int_equal(res_stats_compute(x, 3, &s, NULL), 0);
        assert_true(x[0] == 3 && x[1] == 1 && x[2] == 2);
        res_stats_clear(&s);
}

static void test_rejects_nan_inf_empty(void **state) {
        double x[] = {1.0, NAN, 3.0};
        res_stats s = {0};
        bench_error *err = NULL;
        assert_int_equal(res_stats_compute(x, 3, &s, &err), -EINVAL);
        assert_non_null(err);
        assert_non_null(strstr(err->msg, "sample 1"));
        bench_error_free(err);
        err = NULL;

        x[1] = INFINITY;
        assert_int_equal(res_stats_compute(x, 3, &s, &err), -EINVAL);
        assert_non_null(err);
        assert_non_null(strstr(err->msg, "not a finite number"));
        bench_error_free(err);
        err = NULL;

        x[1] = -INFINITY;
        assert_int_equal(res_stats_compute(x, 3, &s, NULL), -EINVAL);

        assert_int_equal(res_stats_compute(x, 0, &s, &err), -EINVAL);
        assert_non_null(err);
        bench_error_free(err);
        assert_int_equal(s.n, 0); /* untouched on failure */
        assert_null(s.outliers);
}

/* type 7 by hand: h = (n - 1) p; sorted {10, 20, 30, 40, 50} */
static void test_percentile_sorted(void **state) {
        const double x[] = {10, 20, 30, 40, 50};
        assert_close(bench_percentile_sorted(x, 5, 0), 10, "p0");
        assert_close(bench_percentile_sorted(x, 5, 100), 50, "p100");
        assert_close(bench_percentile_sorted(x, 5, 50), 30, "p50");
        assert_close(bench_percentile_sorted(x, 5, 25), 20, "p25");     /* h = 1 */
        assert_close(bench_percentile_sorted(x, 5, 10), 14, "p10");     /* h = 0.4 */
        assert_close(bench_percentile_sorted(x, 5, 90), 46, "p90");     /* h = 3.6 */
        assert_close(bench_percentile_sorted(x, 5, 62.5), 35, "p62.5"); /* h = 2.5 */
        const double one[] = {7};
        assert_close(bench_percentile_sorted(one, 1, 37), 7, "n=1");
        assert_true(isnan(bench_percentile_sorted(x, 0, 50)));
}

static int cmp_double(const void *a, const void *b) {
        double x = *(const double *)a, y = *(const double *)b;
        return (x > y) - (x < y);
}

/* Inputs for the selection: random with many ties, and orders that trouble pivot choices. */
static void fill(double *x, size_t n, int pattern) {
        for (size_t i = 0; i < n; i++) {
                switch (pattern) {
                case 0: /* few distinct values: ties everywhere */
                        x[i] = (double)(lrand48() % 7);
                        break;
                case 1: /* continuous with some repeats */
                        x[i] = lrand48() % 4 == 0 ? 0.5 : drand48() * 100 - 30;
                        break;
                case 2: /* sorted */
                        x[i] = (double)i;
                        break;
                case 3: /* reversed */
                        x[i] = (double)(n - i);
                        break;
                case 4: /* organ pipe */
                        x[i] = (double)(i < n / 2 ? i : n - i);
                        break;
                case 5: /* all equal */
                        x[i] = 3.25;
                        break;
                default: /* sawtooth */
                        x[i] = (double)(i % 17);
                        break;
                }
        }
}

/* res_select and res_median_select against a full sort, bit for bit */
static void test_select_matches_sort(void **state) {
        (void)state;
        static const size_t sizes[] = {1, 2, 3, 4, 5, 16, 17, 18, 33, 100, 101, 1000, 1001, 65536, 100001};
        srand48(12345);
        _cleanup_free_ double *x = malloc(100001 * sizeof(double));
        _cleanup_free_ double *sorted = malloc(100001 * sizeof(double));
        _cleanup_free_ double *work = malloc(100001 * sizeof(double));
        assert_non_null(x);
        assert_non_null(sorted);
        assert_non_null(work);
        for (size_t si = 0; si < sizeof(sizes) / sizeof(sizes[0]); si++) {
                size_t n = sizes[si];
                for (int pattern = 0; pattern < 7; pattern++) {
                        fill(x, n, pattern);
                        memcpy(sorted, x, n * sizeof(double));
                        qsort(sorted, n, sizeof(double), cmp_double);
                        double want = bench_percentile_sorted(sorted, n, 50);

                        memcpy(work, x, n * sizeof(double));
                        double got = res_median_select(work, n);
                        if (memcmp(&got, &want, sizeof(got)) != 0)
                                fail_msg("median of n=%zu pattern %d: got %.17g, want %.17g", n, pattern, got,
                                         want);
                        /* a permutation of the input */
                        qsort(work, n, sizeof(double), cmp_double);
                        assert_memory_equal(work, sorted, n * sizeof(double));

                        size_t ks[] = {0, n - 1, n / 2, (size_t)lrand48() % n, (size_t)lrand48() % n};
                        for (size_t ki = 0; ki < sizeof(ks) / sizeof(ks[0]); ki++) {
                                size_t k = ks[ki];
                                memcpy(work, x, n * sizeof(double));
                                res_select(work, n, k);
                                if (work[k] != sorted[k])
                                        fail_msg("select n=%zu pattern %d k=%zu: got %g, want %g", n, pattern,
                                                 k, work[k], sorted[k]);
                                for (size_t i = 0; i < n; i++)
                                        if (i < k ? work[i] > work[k] : work[i] < work[k])
                                                fail_msg("select n=%zu pattern %d k=%zu: x[%zu] = %g on the "
                                                         "wrong side of %g",
                                                         n, pattern, k, i, work[i], work[k]);
                        }
                }
        }
        /* every n up to 400, odd and even, random with and without ties */
        for (size_t n = 1; n <= 400; n++)
                for (int pattern = 0; pattern < 2; pattern++)
                        for (int rep = 0; rep < 5; rep++) {
                                fill(x, n, pattern);
                                memcpy(sorted, x, n * sizeof(double));
                                qsort(sorted, n, sizeof(double), cmp_double);
                                double want = bench_percentile_sorted(sorted, n, 50);
                                memcpy(work, x, n * sizeof(double));
                                double got = res_median_select(work, n);
                                if (memcmp(&got, &want, sizeof(got)) != 0)
                                        fail_msg("median of n=%zu pattern %d: got %.17g, want %.17g", n,
                                                 pattern, got, want);
                        }
}

/* res_sort against qsort, on both sides of the radix threshold, with negatives, ties, zeros, inf, denormals
 */
static void test_sort_matches_qsort(void **state) {
        (void)state;
        static const size_t sizes[] = {0, 1, 2, 100, 4095, 4096, 4097, 100003};
        static const double specials[] = {0.0, -0.0, INFINITY, -INFINITY, 5e-324, -5e-324, 1e308, -1e308};
        srand48(4242);
        _cleanup_free_ double *x = malloc(100003 * sizeof(double));
        _cleanup_free_ double *want = malloc(100003 * sizeof(double));
        assert_non_null(x);
        assert_non_null(want);
        for (size_t si = 0; si < sizeof(sizes) / sizeof(sizes[0]); si++) {
                size_t n = sizes[si];
                for (int pattern = 0; pattern < 8; pattern++) {
                        if (pattern < 7)
                                fill(x, n, pattern);
                        else
                                for (size_t i = 0; i < n; i++)
                                        x[i] = lrand48() % 3 ? (drand48() - 0.5) *
                                                                       pow(10, (double)(lrand48() % 40) - 20)
                                                             : specials[lrand48() % 8];
                        memcpy(want, x, n * sizeof(double));
                        qsort(want, n, sizeof(double), cmp_double);
                        res_sort(x, n);
                        for (size_t i = 0; i < n; i++)
                                if (!(x[i] == want[i]))
                                        fail_msg("sort n=%zu pattern %d: [%zu] = %g, want %g", n, pattern, i,
                                                 x[i], want[i]);
                }
        }
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_n1),
                cmocka_unit_test(test_n2),
                cmocka_unit_test(test_odd_n5_ties),
                cmocka_unit_test(test_n6),
                cmocka_unit_test(test_even_n10),
                cmocka_unit_test(test_n30),
                cmocka_unit_test(test_n100),
                cmocka_unit_test(test_ci_large_n),
                cmocka_unit_test(test_outlier_mad),
                cmocka_unit_test(test_outlier_threshold),
                cmocka_unit_test(test_outlier_mad_zero),
                cmocka_unit_test(test_constant),
                cmocka_unit_test(test_mean_zero),
                cmocka_unit_test(test_input_not_modified),
                cmocka_unit_test(test_rejects_nan_inf_empty),
                cmocka_unit_test(test_percentile_sorted),
                cmocka_unit_test(test_select_matches_sort),
                cmocka_unit_test(test_sort_matches_qsort),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
