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
#include <sys/wait.h>
#include <unistd.h>

#include "../../common/cleanup.h"
#include "../../common/util.h"
#include "../../plots/numfmt.h"
#include "../../plots/verdicts.h"
#include "../../results/compare.h"
#include "../../results/stats.h"

/*
 * Mann-Whitney reference p-values, computed independently with this script
 * (/usr/bin/python3, standard library only):
 *
 *   import itertools, math
 *   from fractions import Fraction as F
 *   def u_stat(a, b):   # pairs with x > y, ties 1/2
 *       return sum((x > y) + 0.5 * (x == y) for x in a for y in b)
 *   def exact_enum(a, b):   # all C(m+n, m) splits of the pooled values
 *       m, n = len(a), len(b); u = u_stat(a, b); pooled = sorted(a + b)
 *       le = ge = tot = 0
 *       for idx in itertools.combinations(range(m + n), m):
 *           aa = [pooled[i] for i in idx]
 *           bb = [pooled[i] for i in range(m + n) if i not in idx]
 *           v = u_stat(aa, bb); tot += 1; le += v <= u; ge += v >= u
 *       return min(1.0, float(2 * min(F(le, tot), F(ge, tot))))
 *   def qbinom(m, n):   # Gaussian binomial prod (1-q^(n+i))/(1-q^i): counts by U
 *       p = [1]
 *       for i in range(1, m + 1):
 *           r = p + [0] * (n + i)
 *           for j, c in enumerate(p): r[j + n + i] -= c
 *           p = r
 *       for i in range(1, m + 1):
 *           for j in range(i, len(p)): p[j] += p[j - i]
 *       while p[-1] == 0: p.pop()
 *       return p
 *   def exact_q(a, b):   # same distribution by another route, for larger n
 *       u = int(u_stat(a, b)); c = qbinom(len(a), len(b)); tot = sum(c)
 *       return min(1.0, float(2 * min(F(sum(c[:u + 1]), tot), F(sum(c[u:]), tot))))
 *   def normal_r(a, b):   # R's wilcox.test(exact=FALSE, correct=TRUE)
 *       m, n = len(a), len(b); N = m + n; cnt = {}
 *       for v in a + b: cnt[v] = cnt.get(v, 0) + 1
 *       ties = sum(t**3 - t for t in cnt.values())
 *       z = u_stat(a, b) - m * n / 2
 *       sigma = math.sqrt(m * n / 12 * ((N + 1) - ties / (N * (N - 1))))
 *       z = (z - (math.copysign(0.5, z) if z else 0)) / sigma
 *       Phi = lambda x: 0.5 * math.erfc(-x / math.sqrt(2))
 *       return 2 * min(Phi(z), 1 - Phi(z))
 *
 * Each case below quotes which function gave its number.
 */

static void assert_close(double got, double want, double rel, const char *what) {
        if (!(fabs(got - want) <= rel * fabs(want)))
                fail_msg("%s: got %.17g, want %.17g", what, got, want);
}

static void test_mw_exact_small(void **state) {
        (void)state;
        /* exact_enum and exact_q agree: 0.015873015873015872 (= 2/126, U = 0) */
        const double a1[] = {1.1, 2.3, 3.5, 4.0}, b1[] = {5.2, 6.1, 7.3, 8.8, 9.0};
        assert_close(cmp_mann_whitney_p(a1, 4, b1, 5), 0.015873015873015872, 1e-12, "case 1");
        /* symmetric in the sides */
        assert_close(cmp_mann_whitney_p(b1, 5, a1, 4), 0.015873015873015872, 1e-12, "case 1 swapped");
        /* exact_enum: 0.44522144522144524 */
        const double a2[] = {1, 3, 5, 7, 9, 11}, b2[] = {2, 4, 6, 8, 10, 12, 14};
        assert_close(cmp_mann_whitney_p(a2, 6, b2, 7), 0.44522144522144524, 1e-12, "case 2");
        /* exact_enum: 0.008158508158508158 */
        const double a3[] = {10.5, 11.2, 9.8, 12.1, 10.9, 11.7},
                     b3[] = {12.4, 11.9, 13.0, 12.8, 11.5, 13.3, 12.2};
        assert_close(cmp_mann_whitney_p(a3, 6, b3, 7), 0.008158508158508158, 1e-12, "case 3");
}

static void test_mw_exact_larger(void **state) {
        (void)state;
        /* a = 0..11, b = 3.5..17.5 (15 values): exact_q: 0.007404224378245108 (U = 36) */
        double a[25], b[25];
        for (int i = 0; i < 12; i++)
                a[i] = i;
        for (int i = 0; i < 15; i++)
                b[i] = i + 3.5;
        assert_close(cmp_mann_whitney_p(a, 12, b, 15), 0.007404224378245108, 1e-10, "12 vs 15");
        /* the largest exact case, 20 vs 20: a = 0..19, b = 5.5..24.5: exact_q: 0.009483607191205005 */
        for (int i = 0; i < 20; i++) {
                a[i] = i;
                b[i] = i + 5 + 0.5;
        }
        assert_close(cmp_mann_whitney_p(a, 20, b, 20), 0.009483607191205005, 1e-10, "20 vs 20");
}

static void test_mw_normal(void **state) {
        (void)state;
        /*
         * ties, small: the exact permutation distribution (exact_enum with mid-ranks, as
         * tests/unit/mw_exact_check.py: 0.12121212121212122), where the normal approximation
         * said 0.11304997885632297 (normal_r)
         */
        const double a4[] = {1, 2, 2, 3, 4}, b4[] = {2, 3, 3, 5, 6, 6};
        cmp_p_method method;
        assert_close(cmp_mann_whitney(a4, 5, b4, 6, &method), 0.12121212121212122, 1e-12, "ties");
        assert_int_equal(method, CMP_P_EXACT_TIES);
        /* the case of issue 14: normal_r says 0.04685, significant; exact_enum: 2 / 20 */
        const double c3[] = {33656, 33656, 33656}, d3[] = {40000, 40000, 40000};
        assert_close(cmp_mann_whitney(c3, 3, d3, 3, &method), 0.1, 1e-12, "[33656]x3 vs [40000]x3");
        assert_int_equal(method, CMP_P_EXACT_TIES);
        /* 25 vs 30 without ties (100 + 3i, 104 + 3i): normal_r: 0.09592195709677959 */
        double a[30], b[30];
        for (int i = 0; i < 25; i++)
                a[i] = 100 + 3 * i;
        for (int i = 0; i < 30; i++)
                b[i] = 104 + 3 * i;
        assert_close(cmp_mann_whitney(a, 25, b, 30, &method), 0.09592195709677959, 1e-9, "25 vs 30");
        assert_int_equal(method, CMP_P_NORMAL);
        /* 25 vs 30 with ties (100 + 3i, 110 + 2.9i): cheap enough to count exactly */
        for (int i = 0; i < 30; i++)
                b[i] = 110 + 2.9 * i;
        double p = cmp_mann_whitney(a, 25, b, 30, &method);
        assert_int_equal(method, CMP_P_EXACT_TIES);
        assert_true(p > 0.01 && p < 0.05); /* normal_r: 0.025664740547209828 */
        /* 21 vs 15, no ties: one side above 20 → normal: normal_r: 0.23513545964234694 */
        for (int i = 0; i < 21; i++)
                a[i] = i;
        for (int i = 0; i < 15; i++)
                b[i] = i + 5 + 0.5;
        assert_close(cmp_mann_whitney_p(a, 21, b, 15), 0.23513545964234694, 1e-9, "21 vs 15");
        /* every value tied: no evidence at all */
        const double same[] = {7, 7, 7, 7};
        assert_close(cmp_mann_whitney_p(same, 4, same, 4), 1.0, 0, "all tied");
        assert_true(isnan(cmp_mann_whitney_p(same, 0, same, 4)));
}

static void test_bootstrap(void **state) {
        (void)state;
        double lo, hi, lo2, hi2;
        const double flat[] = {5, 5, 5, 5, 5, 5};
        assert_int_equal(cmp_bootstrap_ratio(flat, 6, flat, 6, 1000, 1, &lo, &hi), 0);
        assert_true(lo == 1.0 && hi == 1.0);

        double base[15], cur[15];
        for (int i = 0; i < 15; i++)
                base[i] = 100 + i;
        /* identical samples: the interval holds 1 and is narrow (medians of 100..114 move by a few %) */
        assert_int_equal(cmp_bootstrap_ratio(base, 15, base, 15, 2000, 42, &lo, &hi), 0);
        assert_true(lo <= 1.0 && hi >= 1.0);
        assert_true(lo > 0.93 && hi < 1.07);
        assert_true(hi - lo < 0.12);

        /* a clear 20% shift: 1 is outside, 1.2 inside */
        for (int i = 0; i < 15; i++)
                cur[i] = base[i] * 1.2;
        assert_int_equal(cmp_bootstrap_ratio(base, 15, cur, 15, 2000, 42, &lo, &hi), 0);
        assert_true(lo > 1.0);
        assert_true(lo <= 1.2 && hi >= 1.2);

        /* same seed, same interval */
        assert_int_equal(cmp_bootstrap_ratio(base, 15, cur, 15, 2000, 42, &lo2, &hi2), 0);
        assert_true(lo == lo2 && hi == hi2);

        /* a zero base median has no ratio */
        const double zeros[] = {0, 0, 0, 0};
        assert_int_equal(cmp_bootstrap_ratio(zeros, 4, flat, 6, 100, 1, &lo, &hi), -EDOM);
        assert_int_equal(cmp_bootstrap_ratio(flat, 0, flat, 6, 100, 1, &lo, &hi), -EINVAL);
}

/* The normal approximation by its definition (normal_r above): U from all pairs, ties from counts. */
static double mw_by_pairs(const double *a, size_t m, const double *b, size_t n) {
        double u = 0, ties = 0, big_n = (double)(m + n);
        for (size_t i = 0; i < m; i++)
                for (size_t j = 0; j < n; j++)
                        u += a[i] > b[j] ? 1 : a[i] == b[j] ? 0.5 : 0;
        for (size_t i = 0; i < m + n; i++) {
                double v = i < m ? a[i] : b[i - m], t = 0;
                bool first = true;
                for (size_t k = 0; k < m + n; k++) {
                        double w = k < m ? a[k] : b[k - m];
                        if (w == v) {
                                first &= k >= i;
                                t++;
                        }
                }
                if (first)
                        ties += t * t * t - t;
        }
        double z = u - (double)m * (double)n / 2;
        double sigma = sqrt((double)m * (double)n / 12 * ((big_n + 1) - ties / (big_n * (big_n - 1))));
        z = (z - (z > 0 ? 0.5 : z < 0 ? -0.5 : 0)) / sigma;
        return erfc(fabs(z) / M_SQRT2);
}

/* The joint ranks from merging the sorted sides, with ties across and within sides. */
static void test_mw_ties_random(void **state) {
        (void)state;
        srand48(7);
        /* beyond the exact-ties bound (N k S > 1e7): the normal approximation */
        static const size_t sizes[][2] = {{45, 50}, {100, 100}, {300, 257}, {40, 41}};
        double a[300], b[300];
        for (size_t c = 0; c < ELEMENTSOF(sizes); c++) {
                size_t m = sizes[c][0], n = sizes[c][1];
                for (size_t i = 0; i < m; i++)
                        a[i] = (double)(lrand48() % 23);
                for (size_t i = 0; i < n; i++)
                        b[i] = (double)(lrand48() % 23 + (c % 2)); /* shifted by 1 every other case */
                char what[64];
                snprintf(what, sizeof(what), "%zu vs %zu with ties", m, n);
                cmp_p_method method;
                assert_close(cmp_mann_whitney(a, m, b, n, &method), mw_by_pairs(a, m, b, n), 1e-9, what);
                assert_int_equal(method, CMP_P_NORMAL);
        }
}

/*
 * The bootstrap as it was before medians were selected: every resample
 * drawn with xoshiro256** seeded by splitmix64 and fully sorted. A copy, to
 * hold the intervals of up to BOOTSTRAP_DRAW_MAX_N (5000) samples a side to
 * what bench gave before, bit for bit.
 */
typedef struct ref_rng {
        uint64_t s[4];
} ref_rng;

static uint64_t ref_splitmix64(uint64_t *x) {
        uint64_t z = (*x += UINT64_C(0x9e3779b97f4a7c15));
        z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
        z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
        return z ^ (z >> 31);
}

static uint64_t ref_rotl(uint64_t x, int k) {
        return (x << k) | (x >> (64 - k));
}

static uint64_t ref_next(ref_rng *r) {
        uint64_t *s = r->s;
        uint64_t result = ref_rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
        s[2] ^= s[0];
        s[3] ^= s[1];
        s[1] ^= s[2];
        s[0] ^= s[3];
        s[2] ^= t;
        s[3] = ref_rotl(s[3], 45);
        return result;
}

static int ref_cmp(const void *p, const void *q) {
        double x = *(const double *)p, y = *(const double *)q;
        return (x > y) - (x < y);
}

/* select: the median by res_median_select (held to the sort by test_stats), faster */
static double ref_median(ref_rng *r, const double *x, size_t n, double *scratch, bool select) {
        for (size_t i = 0; i < n; i++)
                scratch[i] = x[(size_t)(((unsigned __int128)ref_next(r) * n) >> 64)];
        if (select)
                return res_median_select(scratch, n);
        qsort(scratch, n, sizeof(double), ref_cmp);
        return bench_percentile_sorted(scratch, n, 50);
}

static void ref_bootstrap(const double *base, size_t nb, const double *cur, size_t nc, unsigned resamples,
                          uint64_t seed, bool select, double *ret_low, double *ret_high) {
        ref_rng r;
        for (size_t i = 0; i < 4; i++)
                r.s[i] = ref_splitmix64(&seed);
        _cleanup_free_ double *ratios = calloc(resamples, sizeof(double));
        _cleanup_free_ double *scratch = calloc(nb > nc ? nb : nc, sizeof(double));
        assert_non_null(ratios);
        assert_non_null(scratch);
        for (unsigned i = 0; i < resamples; i++) {
                double mb = ref_median(&r, base, nb, scratch, select);
                ratios[i] = ref_median(&r, cur, nc, scratch, select) / mb;
        }
        qsort(ratios, resamples, sizeof(double), ref_cmp);
        *ret_low = bench_percentile_sorted(ratios, resamples, 2.5);
        *ret_high = bench_percentile_sorted(ratios, resamples, 97.5);
}

/* samples with ties: values on a grid of `step` around `center` */
static void fill_ties(double *x, size_t n, double center, double step) {
        for (size_t i = 0; i < n; i++)
                x[i] = center + step * (double)(lrand48() % 41 - 20);
}

static void test_bootstrap_select_is_sort(void **state) {
        (void)state;
        srand48(99);
        static const size_t sizes[][2] = {{3, 3}, {4, 5}, {15, 16}, {101, 100}, {1000, 999}, {5000, 4999}};
        _cleanup_free_ double *a = malloc(5000 * sizeof(double));
        _cleanup_free_ double *b = malloc(5000 * sizeof(double));
        assert_non_null(a);
        assert_non_null(b);
        for (size_t c = 0; c < ELEMENTSOF(sizes); c++) {
                size_t nb = sizes[c][0], nc = sizes[c][1];
                fill_ties(a, nb, 100, 1);
                fill_ties(b, nc, 103, 1);
                unsigned resamples = nb >= 1000 ? 300 : 2000;
                double lo, hi, want_lo, want_hi;
                assert_int_equal(cmp_bootstrap_ratio(a, nb, b, nc, resamples, c + 1, &lo, &hi), 0);
                ref_bootstrap(a, nb, b, nc, resamples, c + 1, false, &want_lo, &want_hi);
                if (lo != want_lo || hi != want_hi)
                        fail_msg("%zu vs %zu: [%.17g, %.17g], before [%.17g, %.17g]", nb, nc, lo, hi, want_lo,
                                 want_hi);
        }
}

/*
 * Above 5000 samples a side, resample medians are drawn as order statistics:
 * the interval must be the one of drawing every resample, up to Monte Carlo
 * noise (2000 resamples put the 2.5th percentile within ~2% of the interval's
 * width; allowed: 10%), for odd and even n, alike and skewed sides.
 */
static void test_bootstrap_order_statistics(void **state) {
        (void)state;
        srand48(5);
        static const size_t sizes[][2] = {{6001, 6000}, {9000, 7001}};
        _cleanup_free_ double *a = malloc(9000 * sizeof(double));
        _cleanup_free_ double *b = malloc(9000 * sizeof(double));
        assert_non_null(a);
        assert_non_null(b);
        for (size_t c = 0; c < ELEMENTSOF(sizes); c++) {
                size_t nb = sizes[c][0], nc = sizes[c][1];
                fill_ties(a, nb, 100, 0.5);
                fill_ties(b, nc, 100 + (double)c, 0.5);
                if (c == 1) /* a skewed side: a rank bias would no longer cancel in the ratio */
                        for (size_t i = 0; i < nc; i++)
                                b[i] = 80 + 0.5 * (double)(lrand48() % 41 * (lrand48() % 41));
                double lo, hi, want_lo, want_hi;
                assert_int_equal(cmp_bootstrap_ratio(a, nb, b, nc, 2000, 3, &lo, &hi), 0);
                ref_bootstrap(a, nb, b, nc, 2000, 4, true, &want_lo, &want_hi);
                double width = want_hi - want_lo;
                if (!(width > 0) || fabs(lo - want_lo) > 0.1 * width || fabs(hi - want_hi) > 0.1 * width)
                        fail_msg("%zu vs %zu: [%.17g, %.17g], drawing every resample [%.17g, %.17g]", nb, nc,
                                 lo, hi, want_lo, want_hi);
                /* deterministic for a seed */
                double lo2, hi2;
                assert_int_equal(cmp_bootstrap_ratio(a, nb, b, nc, 2000, 3, &lo2, &hi2), 0);
                assert_true(lo == lo2 && hi == hi2);
        }
}

/* ---- result files built in memory ---- */

static cJSON *host(const char *kernel, const char *cpu) {
        cJSON *h = cJSON_CreateObject();
        cJSON_AddStringToObject(h, "hostname", "h");
        cJSON_AddStringToObject(h, "kernel", kernel);
        cJSON_AddStringToObject(h, "cpu_model", cpu);
        cJSON_AddStringToObject(h, "cgroup_mode", "hybrid");
        cJSON_AddStringToObject(h, "bench_version", "0.1.0");
        cJSON_AddNumberToObject(h, "cores", 2);
        cJSON_AddNumberToObject(h, "memory_kib", 1024);
        return h;
}

static res_series *add(res_file *f, const char *workload, const char *conf, const char *metric,
                       const char *better, const double *x, size_t n, double scale) {
        const char *ckind = !strcmp(conf, "vm") ? "vm" : !strcmp(conf, "bare") ? "bare" : "container";
        res_series *s = res_series_get(f, workload, "cpu", conf, ckind, metric, "x", better, NULL);
        assert_non_null(s);
        for (size_t i = 0; i < n; i++)
                assert_int_equal(res_series_add(s, x[i] * scale), 0);
        return s;
}

static double tight[10], wide[10], tight_up1[10];

static void fill_samples(void) {
        /* tight: 1000.0 .. 1000.9, shuffled order does not matter to the statistics */
        static const double spread[10] = {50, 180, 95, 140, 60, 200, 75, 120, 170, 110};
        for (int i = 0; i < 10; i++) {
                tight[i] = 1000 + 0.1 * i;
                tight_up1[i] = 1010 + 0.1 * i; /* +1%: significant, inside 5% */
                wide[i] = spread[i];
        }
}

static const cmp_row *row_of(const cmp_report *r, const char *workload, const char *conf,
                             const char *metric) {
        for (size_t i = 0; i < r->n_rows; i++)
                if (!strcmp(r->rows[i].cur->workload, workload) &&
                    !strcmp(r->rows[i].cur->configuration, conf) && !strcmp(r->rows[i].cur->metric, metric))
                        return &r->rows[i];
        fail_msg("no row %s/%s/%s", workload, conf, metric);
        return NULL;
}

static void test_verdicts(void **state) {
        (void)state;
        fill_samples();
        res_file *b = res_file_new(), *c = res_file_new();
        b->host = host("6.1", "AMD EPYC");
        c->host = host("6.1", "AMD EPYC");
        /* lower is better: +20% regressed, -20% improved */
        add(b, "w", "bare", "lat_up", "lower", tight, 10, 1);
        add(c, "w", "bare", "lat_up", "lower", tight, 10, 1.2);
        add(b, "w", "bare", "lat_down", "lower", tight, 10, 1);
        add(c, "w", "bare", "lat_down", "lower", tight, 10, 0.8);
        /* higher is better: the same changes read the other way */
        add(b, "w", "bare", "ops_up", "higher", tight, 10, 1);
        add(c, "w", "bare", "ops_up", "higher", tight, 10, 1.2);
        add(b, "w", "bare", "ops_down", "higher", tight, 10, 1);
        add(c, "w", "bare", "ops_down", "higher", tight, 10, 0.8);
        /* the same: unchanged */
        add(b, "w", "bare", "same", "lower", tight, 10, 1);
        add(c, "w", "bare", "same", "lower", tight, 10, 1);
        /* +1%: significant but within the threshold, the interval inside it: unchanged, not regressed */
        add(b, "w", "bare", "small", "lower", tight, 10, 1);
        add(c, "w", "bare", "small", "lower", tight_up1, 10, 1);
        /* wide spread, +10%: not significant, the interval far wider than +-5%: too noisy */
        add(b, "w", "bare", "noisy", "lower", wide, 10, 1);
        add(c, "w", "bare", "noisy", "lower", wide, 10, 1.1);
        /* +20% but only 2 samples on one side: too few, never guessed */
        add(b, "w", "bare", "few", "lower", tight, 2, 1);
        add(c, "w", "bare", "few", "lower", tight, 10, 1.2);

        cmp_report r = {0};
        bench_error *err = NULL;
        assert_int_equal(cmp_files(b, c, NULL, &r, &err), 0);
        assert_int_equal(r.n_rows, 8);
        assert_int_equal(row_of(&r, "w", "bare", "lat_up")->verdict, CMP_REGRESSED);
        assert_int_equal(row_of(&r, "w", "bare", "lat_down")->verdict, CMP_IMPROVED);
        assert_int_equal(row_of(&r, "w", "bare", "ops_up")->verdict, CMP_IMPROVED);
        assert_int_equal(row_of(&r, "w", "bare", "ops_down")->verdict, CMP_REGRESSED);
        assert_int_equal(row_of(&r, "w", "bare", "same")->verdict, CMP_UNCHANGED);
        const cmp_row *small = row_of(&r, "w", "bare", "small");
        assert_true(small->p_value < 0.05);
        assert_int_equal(small->verdict, CMP_UNCHANGED);
        const cmp_row *noisy = row_of(&r, "w", "bare", "noisy");
        assert_true(noisy->p_value > 0.05);
        assert_int_equal(noisy->verdict, CMP_NOISY);
        assert_int_equal(row_of(&r, "w", "bare", "few")->verdict, CMP_TOO_FEW);
        assert_int_equal(r.n_regressed, 2);
        assert_int_equal(r.n_improved, 2);
        assert_int_equal(r.n_unchanged, 2);
        assert_int_equal(r.n_noisy, 1);
        assert_int_equal(r.n_too_few, 1);
        assert_int_equal(r.n_env_diffs, 0);

        /* the numbers of one row: medians 1000.45 and 1200.54, +20% */
        const cmp_row *up = row_of(&r, "w", "bare", "lat_up");
        assert_close(up->base_median, 1000.45, 1e-12, "base median");
        assert_close(up->cur_median, 1000.45 * 1.2, 1e-12, "new median");
        assert_close(up->ratio, 1.2, 1e-12, "ratio");
        assert_close(up->change_pct, 20, 1e-9, "change");
        assert_true(up->ratio_low <= 1.2 && up->ratio_high >= 1.2);
        /* exact_enum: complete separation, 10 vs 10: 2 / C(20, 10) = 1.082508822446903e-05 */
        assert_close(up->p_value, 1.082508822446903e-05, 1e-9, "p separated");
        cmp_report_clear(&r);

        /* a threshold of 25% turns the 20% changes into "not beyond": no longer regressed */
        cmp_opts o = {.threshold_pct = 25, .alpha = 0.05};
        assert_int_equal(cmp_files(b, c, &o, &r, &err), 0);
        assert_int_equal(row_of(&r, "w", "bare", "lat_up")->verdict, CMP_UNCHANGED);
        assert_int_equal(r.n_regressed, 0);
        cmp_report_clear(&r);
        res_file_free(b);
        res_file_free(c);
}

static bool has_diff(const cmp_report *r, const char *field, const char *base, const char *cur) {
        for (size_t i = 0; i < r->n_env_diffs; i++)
                if (!strcmp(r->env_diffs[i].field, field) && !strcmp(r->env_diffs[i].base, base) &&
                    !strcmp(r->env_diffs[i].cur, cur))
                        return true;
        return false;
}

static void test_env_and_sides(void **state) {
        (void)state;
        fill_samples();
        res_file *b = res_file_new(), *c = res_file_new();
        b->host = host("6.1.0-18", "AMD EPYC");
        c->host = host("6.18.44", "Intel Xeon");
        add(b, "cpu", "bare", "ops_per_s", "higher", tight, 10, 1);
        add(c, "cpu", "bare", "ops_per_s", "higher", tight, 10, 1);
        res_series *s = add(b, "cpu", "vm", "ops_per_s", "higher", tight, 10, 1);
        s->accel = strdup("kvm");
        s = add(c, "cpu", "vm", "ops_per_s", "higher", tight, 10, 1);
        s->accel = strdup("tcg");
        /* an OCI runtime's new version: other figures, said as loudly */
        s = add(b, "cpu", "oci", "ops_per_s", "higher", tight, 10, 1);
        s->runtime = strdup("crun 1.8.1");
        s = add(c, "cpu", "oci", "ops_per_s", "higher", tight, 10, 1);
        s->runtime = strdup("crun 1.9");
        add(b, "memlat", "bare", "ns_per_access", "lower", tight, 10, 1);
        add(c, "fileio", "bare", "iops", "higher", tight, 10, 1);

        cmp_report r = {0};
        bench_error *err = NULL;
        assert_int_equal(cmp_files(b, c, NULL, &r, &err), 0);
        assert_int_equal(r.n_rows, 3);
        assert_int_equal(r.n_env_diffs, 4);
        assert_true(has_diff(&r, "runtime (oci)", "crun 1.8.1", "crun 1.9"));
        assert_true(has_diff(&r, "kernel", "6.1.0-18", "6.18.44"));
        assert_true(has_diff(&r, "cpu_model", "AMD EPYC", "Intel Xeon"));
        assert_true(has_diff(&r, "accel (vm)", "kvm", "tcg"));
        assert_int_equal(r.n_only_base, 1);
        assert_string_equal(r.only_in_base[0], "memlat/bare/ns_per_access");
        assert_int_equal(r.n_only_cur, 1);
        assert_string_equal(r.only_in_cur[0], "fileio/bare/iops");

        /* the text format says so first, loudly */
        _cleanup_free_ char *text = NULL;
        assert_int_equal(plot_verdicts(&r, "text", false, &text, &err), 0);
        assert_true(!strncmp(text, "WARNING: THE ENVIRONMENTS DIFFER", 32));
        assert_non_null(strstr(text, "kernel: base `6.1.0-18`, new `6.18.44`"));
        assert_non_null(strstr(text, "only in base: memlat/bare/ns_per_access"));
        assert_non_null(strstr(text, "only in new: fileio/bare/iops"));
        cmp_report_clear(&r);

        /* nothing in common: an error that says so */
        res_file *d = res_file_new();
        add(d, "other", "bare", "x", "lower", tight, 10, 1);
        assert_int_equal(cmp_files(b, d, NULL, &r, &err), -EINVAL);
        assert_non_null(err);
        assert_non_null(strstr(err->msg, "in common"));
        bench_error_free(err);
        err = NULL;
        res_file_free(b);
        res_file_free(c);
        res_file_free(d);
}

static void test_overhead(void **state) {
        (void)state;
        fill_samples();
        res_file *f = res_file_new();
        add(f, "startup", "bare", "ready_ms", "lower", tight, 10, 1);
        add(f, "startup", "ctr", "ready_ms", "lower", tight, 10, 1.5);
        add(f, "startup", "ctr", "phase.clone_ms", "lower", tight, 10, 0.1);
        add(f, "cpu", "bare", "ops_per_s", "higher", tight, 10, 1);
        add(f, "cpu", "ctr", "ops_per_s", "higher", tight, 10, 1);

        cmp_report r = {0};
        bench_error *err = NULL;
        assert_int_equal(cmp_overhead(f, NULL, NULL, &r, &err), 0);
        assert_int_equal(r.n_rows, 2);
        const cmp_row *ready = row_of(&r, "startup", "ctr", "ready_ms");
        assert_string_equal(ready->base->configuration, "bare");
        assert_close(ready->change_pct, 50, 1e-9, "overhead");
        assert_int_equal(ready->verdict, CMP_REGRESSED);
        assert_int_equal(row_of(&r, "cpu", "ctr", "ops_per_s")->verdict, CMP_UNCHANGED);
        assert_int_equal(r.n_only_cur, 1);
        assert_string_equal(r.only_in_cur[0], "startup/ctr/phase.clone_ms");
        _cleanup_free_ char *text = NULL;
        assert_int_equal(plot_verdicts(&r, "text", true, &text, &err), 0);
        assert_non_null(strstr(text, "overhead vs bare"));
        assert_non_null(strstr(text, "bare median"));
        assert_non_null(strstr(text, "+50.00%"));
        cmp_report_clear(&r);

        /* another baseline */
        assert_int_equal(cmp_overhead(f, "ctr", NULL, &r, &err), 0);
        assert_close(row_of(&r, "startup", "bare", "ready_ms")->ratio, 1 / 1.5, 1e-12, "vs ctr");
        cmp_report_clear(&r);

        assert_int_equal(cmp_overhead(f, "vm", NULL, &r, &err), -EINVAL);
        assert_non_null(strstr(err->msg, "`vm`"));
        bench_error_free(err);
        res_file_free(f);
}

/* Runs /usr/bin/python3 on a script with the text in a temp file; its exit status. */
static int python_check(const char *text, const char *script) {
        char path[] = "/tmp/test_compare.XXXXXX";
        int fd = mkstemp(path);
        assert_true(fd >= 0);
        assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
        close(fd);
        _cleanup_free_ char *cmd = NULL;
        assert_true(asprintf(&cmd, "/usr/bin/python3 -c '%s' %s", script, path) > 0);
        int st = system(cmd);
        unlink(path);
        return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void test_formats(void **state) {
        (void)state;
        fill_samples();
        res_file *b = res_file_new(), *c = res_file_new();
        b->host = host("6.1", "AMD <EPYC>");
        c->host = host("6.2", "AMD <EPYC>");
        /* XML and markdown specials in names */
        add(b, "w<&\"'>|x", "bare", "lat", "lower", tight, 10, 1);
        add(c, "w<&\"'>|x", "bare", "lat", "lower", tight, 10, 1.2);
        add(b, "w", "bare", "same", "lower", tight, 10, 1);
        add(c, "w", "bare", "same", "lower", tight, 10, 1);
        add(b, "w", "bare", "few", "lower", tight, 2, 1);
        add(c, "w", "bare", "few", "lower", tight, 2, 1);
        cmp_report r = {0};
        bench_error *err = NULL;
        assert_int_equal(cmp_files(b, c, NULL, &r, &err), 0);
        assert_int_equal(r.n_regressed, 1);

        _cleanup_free_ char *junit = NULL, *json = NULL, *md = NULL;
        assert_int_equal(plot_verdicts(&r, "junit", false, &junit, &err), 0);
        assert_int_equal(python_check(junit,
                                      "import sys, xml.etree.ElementTree as E\n"
                                      "t = E.parse(sys.argv[1]).getroot()\n"
                                      "s = t.findall(\"testsuite\")\n"
                                      "assert len(s) == 1 and s[0].get(\"name\") == \"bench compare\"\n"
                                      "c = s[0].findall(\"testcase\")\n"
                                      "assert len(c) == 3, len(c)\n"
                                      "n = {x.get(\"name\"): x for x in c}\n"
                                      "f = n[\"w<&\\\"\\x27>|x/bare/lat\"].find(\"failure\")\n"
                                      "assert f is not None and \"regressed\" in f.get(\"message\")\n"
                                      "k = n[\"w/bare/few\"].find(\"skipped\")\n"
                                      "assert k.get(\"message\") == \"too few samples\"\n"
                                      "assert n[\"w/bare/same\"].find(\"failure\") is None\n"
                                      "assert s[0].get(\"failures\") == \"1\"\n"
                                      "assert \"6.2\" in s[0].find(\"system-err\").text\n"),
                         0);

        assert_int_equal(plot_verdicts(&r, "json", false, &json, &err), 0);
        assert_int_equal(python_check(json, "import sys, json\n"
                                            "d = json.load(open(sys.argv[1]))\n"
                                            "assert d[\"options\"][\"threshold_pct\"] == 5\n"
                                            "assert d[\"options\"][\"alpha\"] == 0.05\n"
                                            "assert d[\"counts\"][\"regressed\"] == 1\n"
                                            "assert d[\"env_differences\"] == [{\"field\": \"kernel\", "
                                            "\"base\": \"6.1\", \"new\": \"6.2\"}]\n"
                                            "r = {x[\"metric\"]: x for x in d[\"rows\"]}\n"
                                            "assert abs(r[\"lat\"][\"ratio\"] - 1.2) < 1e-12\n"
                                            "assert len(r[\"lat\"][\"ratio_ci95\"]) == 2\n"
                                            "assert r[\"lat\"][\"verdict\"] == \"regressed\"\n"
                                            "assert r[\"few\"][\"verdict\"] == \"too few samples\"\n"
                                            "assert r[\"lat\"][\"p_method\"] == \"exact\"\n"
                                            "assert r[\"lat\"][\"by\"] == \"ratio\"\n"
                                            "assert r[\"lat\"][\"diff\"] is None\n"
                                            "assert r[\"lat\"][\"n_more\"] == 0\n"
                                            "assert d[\"options\"][\"equivalence_pct\"] == 0\n"
                                            "assert d[\"counts\"][\"equivalent\"] == 0\n"),
                         0);

        assert_int_equal(plot_verdicts(&r, "markdown", false, &md, &err), 0);
        assert_non_null(strstr(md,
                               "| metric | configuration | base median | new median | change | 95% CI | p | "
                               "verdict |\n|---|"));
        /* how the p-values were had, under the table: "same" and "few" have ties across the sides */
        assert_non_null(strstr(md, "p-values: 1 exact, 2 exact with ties"));
        assert_non_null(strstr(md, "| **regressed** |"));
        assert_non_null(strstr(md, "w\\<&\"'\\>\\|x/lat"));
        assert_non_null(strstr(md, "kernel: base 6.1, new 6.2"));

        char *none = NULL;
        assert_int_equal(plot_verdicts(&r, "yaml", false, &none, &err), -EINVAL);
        assert_null(none);
        bench_error_free(err);
        cmp_report_clear(&r);
        res_file_free(b);
        res_file_free(c);
}

static void test_equivalence(void **state) {
        (void)state;
        fill_samples();
        res_file *b = res_file_new(), *c = res_file_new();
        b->host = host("6.1", "AMD EPYC");
        c->host = host("6.1", "AMD EPYC");
        /* identical tight samples: equivalent within 2% */
        add(b, "w", "bare", "same", "lower", tight, 10, 1);
        add(c, "w", "bare", "same", "lower", tight, 10, 1);
        /* +1%, tight: significant, but inside the margin: equivalent (at 0.5%: regressed) */
        add(b, "w", "bare", "small", "lower", tight, 10, 1);
        add(c, "w", "bare", "small", "lower", tight_up1, 10, 1);
        /* 10% apart, tight: different, in the metric's direction */
        add(b, "w", "bare", "lat_up", "lower", tight, 10, 1);
        add(c, "w", "bare", "lat_up", "lower", tight, 10, 1.1);
        add(b, "w", "bare", "ops_up", "higher", tight, 10, 1);
        add(c, "w", "bare", "ops_up", "higher", tight, 10, 1.1);
        /* wide, overlapping, n = 3: inconclusive, more samples needed */
        add(b, "w", "bare", "wide3", "lower", wide, 3, 1);
        add(c, "w", "bare", "wide3", "lower", wide, 3, 1.01);
        /* a moderate spread around the same value: inconclusive, with a finite estimate */
        static const double mid[6] = {970, 985, 1000, 1000, 1015, 1030};
        add(b, "w", "bare", "mid", "lower", mid, 6, 1);
        add(c, "w", "bare", "mid", "lower", mid, 6, 1);
        /* 10% apart but wide: not significant, outside the margin: inconclusive */
        add(b, "w", "bare", "far", "lower", wide, 10, 1);
        add(c, "w", "bare", "far", "lower", wide, 10, 1.1);
        /* too few stays too few */
        add(b, "w", "bare", "few", "lower", tight, 2, 1);
        add(c, "w", "bare", "few", "lower", tight, 10, 1);

        cmp_opts o = {.threshold_pct = 5, .alpha = 0.05, .equivalence_pct = 2};
        cmp_report r = {0};
        bench_error *err = NULL;
        assert_int_equal(cmp_files(b, c, &o, &r, &err), 0);
        const cmp_row *same = row_of(&r, "w", "bare", "same");
        assert_int_equal(same->verdict, CMP_EQUIVALENT);
        assert_int_equal(same->n_more, 0);
        assert_true(same->ratio90_low >= 0.98 && same->ratio90_high <= 1.02);
        /* the 90% interval lies inside the 95% one */
        assert_true(same->ratio90_low >= same->ratio_low && same->ratio90_high <= same->ratio_high);
        const cmp_row *small = row_of(&r, "w", "bare", "small");
        assert_true(small->p_value < 0.05);
        assert_int_equal(small->verdict, CMP_EQUIVALENT);
        assert_int_equal(row_of(&r, "w", "bare", "lat_up")->verdict, CMP_REGRESSED);
        assert_int_equal(row_of(&r, "w", "bare", "ops_up")->verdict, CMP_IMPROVED);
        const cmp_row *wide3 = row_of(&r, "w", "bare", "wide3");
        assert_int_equal(wide3->verdict, CMP_INCONCLUSIVE);
        assert_true(wide3->n_more > 0);
        /* the estimate: the 90% interval around the ratio, narrowed by sqrt(6 / (6 + n_more)), fits */
        const cmp_row *m = row_of(&r, "w", "bare", "mid");
        assert_int_equal(m->verdict, CMP_INCONCLUSIVE);
        assert_false(m->n_more_capped);
        double fl = (m->ratio - m->ratio90_low) / (m->ratio - 0.98),
               fu = (m->ratio90_high - m->ratio) / (1.02 - m->ratio);
        double want = ceil(6 * fmax(fl * fl, fu * fu)) - 6;
        assert_int_equal(m->n_more, (size_t)fmax(want, 1));
        assert_true(m->n_more > 0 && m->n_more < CMP_N_MORE_CAP);
        /* the margin it does pass: as far as its 90% interval reaches from 1; equivalent at it */
        assert_float_equal(m->within_pct, fmax(1 - m->ratio90_low, m->ratio90_high - 1) * 100, 1e-9);
        assert_true(m->within_pct > 2);
        cmp_opts wider = o;
        wider.equivalence_pct = m->within_pct * 1.0001;
        cmp_report r2 = {0};
        assert_int_equal(cmp_files(b, c, &wider, &r2, &err), 0);
        assert_int_equal(row_of(&r2, "w", "bare", "mid")->verdict, CMP_EQUIVALENT);
        cmp_report_clear(&r2);
        assert_true(same->within_pct <= 2);
        const cmp_row *far = row_of(&r, "w", "bare", "far");
        assert_true(far->p_value >= 0.05);
        assert_int_equal(far->verdict, CMP_INCONCLUSIVE);
        assert_true(far->n_more > 0);
        assert_int_equal(row_of(&r, "w", "bare", "few")->verdict, CMP_TOO_FEW);
        assert_int_equal(r.n_equivalent, 2);
        assert_int_equal(r.n_inconclusive, 3);
        assert_int_equal(r.n_regressed, 1);
        assert_int_equal(r.n_improved, 1);
        assert_int_equal(r.n_too_few, 1);
        assert_int_equal(r.n_unchanged + r.n_noisy, 0);

        /* the outputs state the margin and say how many more samples */
        _cleanup_free_ char *text = NULL, *json = NULL, *md = NULL;
        assert_int_equal(plot_verdicts(&r, "text", false, &text, &err), 0);
        assert_non_null(strstr(text, "equivalence margin ±2%"));
        assert_non_null(strstr(text, "equivalent within ±2%"));
        char want_more[64];
        snprintf(want_more, sizeof(want_more), "inconclusive: about %zu more sample", m->n_more);
        assert_non_null(strstr(text, want_more));
        assert_non_null(strstr(text, ", 2 equivalent, 3 inconclusive;"));
        assert_int_equal(plot_verdicts(&r, "markdown", false, &md, &err), 0);
        assert_non_null(strstr(md, "equivalence margin ±2%"));
        assert_int_equal(plot_verdicts(&r, "json", false, &json, &err), 0);
        assert_int_equal(python_check(json, "import sys, json\n"
                                            "d = json.load(open(sys.argv[1]))\n"
                                            "assert d[\"options\"][\"equivalence_pct\"] == 2\n"
                                            "assert d[\"counts\"][\"equivalent\"] == 2\n"
                                            "assert d[\"counts\"][\"inconclusive\"] == 3\n"
                                            "r = {x[\"metric\"]: x for x in d[\"rows\"]}\n"
                                            "assert r[\"same\"][\"verdict\"] == \"equivalent\"\n"
                                            "lo, hi = r[\"same\"][\"ratio_ci90\"]\n"
                                            "assert 0.98 <= lo <= 1 <= hi <= 1.02\n"
                                            "assert r[\"mid\"][\"verdict\"] == \"inconclusive\"\n"
                                            "assert r[\"mid\"][\"n_more\"] > 0\n"
                                            "assert r[\"mid\"][\"n_more_capped\"] is False\n"),
                         0);
        cmp_report_clear(&r);

        /* a tighter margin: the +1% is now a regression */
        o.equivalence_pct = 0.5;
        assert_int_equal(cmp_files(b, c, &o, &r, &err), 0);
        assert_int_equal(row_of(&r, "w", "bare", "small")->verdict, CMP_REGRESSED);
        cmp_report_clear(&r);
        /* not a margin */
        o.equivalence_pct = 100;
        assert_int_equal(cmp_files(b, c, &o, &r, &err), -EINVAL);
        bench_error_free(err);
        res_file_free(b);
        res_file_free(c);
}

static void test_parse_margin(void **state) {
        (void)state;
        static const struct {
                const char *s;
                double want; /* 0: refused */
        } cases[] = {
                {"2", 2},   {"2%", 2},  {"0.5%", 0.5}, {"99.9", 99.9}, {".5", 0.5},  {"0", 0},   {"0%", 0},
                {"-2", 0},  {"100", 0}, {"150", 0},    {"2x", 0},      {"2 %", 0},   {"", 0},    {"%", 0},
                {"1e1", 0}, {"0x2", 0}, {" 2", 0},     {"2%%", 0},     {"1.2.3", 0}, {"nan", 0}, {".", 0},
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                double v = -1;
                bench_error *err = NULL;
                int r = cmp_parse_margin(cases[i].s, &v, &err);
                if (cases[i].want > 0) {
                        if (r != 0 || v != cases[i].want)
                                fail_msg("`%s`: %d, %g", cases[i].s, r, v);
                } else {
                        if (r != -EINVAL)
                                fail_msg("`%s` accepted as %g", cases[i].s, v);
                        char quoted[64];
                        snprintf(quoted, sizeof(quoted), "`%s` is not a margin", cases[i].s);
                        assert_non_null(strstr(err->msg, quoted));
                        assert_non_null(strstr(err->msg, "--equivalence 2%"));
                }
                bench_error_free(err);
        }
}

/* A metric whose base median is 0 (overhead_kib): compared by difference in its unit. */
static void test_difference_rows(void **state) {
        (void)state;
        res_file *b = res_file_new(), *c = res_file_new();
        b->host = host("6.1", "AMD EPYC");
        c->host = host("6.1", "AMD EPYC");
        static const double around0[8] = {-40, -12, -4, 0, 0, 4, 12, 40};
        static const double zeros[5] = {0, 0, 0, 0, 0};
        static const double minus1000[8] = {-1003, -1002, -1001, -1000, -1000, -999, -998, -997};
        /* +512 above a median of 0, lower is better: regressed; higher is better: improved */
        add(b, "memory", "ctr", "kib_up", "lower", around0, 8, 1);
        res_series *s = add(c, "memory", "ctr", "kib_up", "lower", around0, 8, 1);
        for (size_t i = 0; i < s->n_samples; i++)
                s->samples[i] += 512;
        add(b, "memory", "ctr", "kib_gain", "higher", around0, 8, 1);
        s = add(c, "memory", "ctr", "kib_gain", "higher", around0, 8, 1);
        for (size_t i = 0; i < s->n_samples; i++)
                s->samples[i] += 512;
        /* nothing at all on both sides: unchanged */
        add(b, "memory", "ctr", "zero", "lower", zeros, 5, 1);
        add(c, "memory", "ctr", "zero", "lower", zeros, 5, 1);
        /* a negative median, the same on both sides */
        add(b, "memory", "ctr", "neg", "lower", minus1000, 8, 1);
        add(c, "memory", "ctr", "neg", "lower", minus1000, 8, 1);

        cmp_report r = {0};
        bench_error *err = NULL;
        assert_int_equal(cmp_files(b, c, NULL, &r, &err), 0);
        const cmp_row *up = row_of(&r, "memory", "ctr", "kib_up");
        assert_int_equal(up->by, CMP_BY_DIFFERENCE);
        assert_true(isnan(up->ratio) && isnan(up->change_pct));
        assert_close(up->diff, 512, 1e-12, "diff");
        assert_true(up->diff_low <= 512 && up->diff_high >= 512 && up->diff_low > 0);
        assert_true(up->p_value < 0.05);
        assert_int_equal(up->verdict, CMP_REGRESSED);
        assert_int_equal(row_of(&r, "memory", "ctr", "kib_gain")->verdict, CMP_IMPROVED);
        assert_int_equal(row_of(&r, "memory", "ctr", "zero")->verdict, CMP_UNCHANGED);
        const cmp_row *neg = row_of(&r, "memory", "ctr", "neg");
        assert_int_equal(neg->by, CMP_BY_DIFFERENCE);
        /* threshold 5% of 1000 = 50: the interval of the difference lies well inside */
        assert_int_equal(neg->verdict, CMP_UNCHANGED);

        _cleanup_free_ char *text = NULL, *json = NULL;
        assert_int_equal(plot_verdicts(&r, "text", false, &text, &err), 0);
        /* the difference in the metric's unit, its interval in the same form (plots/numfmt.h) */
        char want[200], pt[64], lo[64], hi[64];
        double half = (up->diff_high - up->diff_low) / 2;
        snprintf(want, sizeof(want), "%s  [%s, %s]",
                 bench_fmt_difference(up->diff, "x", half, 0, pt, sizeof(pt)),
                 bench_fmt_difference(up->diff_low, "x", half, 0, lo, sizeof(lo)),
                 bench_fmt_difference(up->diff_high, "x", half, 0, hi, sizeof(hi)));
        assert_true(!strncmp(pt, "+5", 2) && strstr(pt, " x"));
        assert_non_null(strstr(text, want));
        assert_non_null(strstr(lo, " x") && lo[0] == '+');
        assert_int_equal(plot_verdicts(&r, "json", false, &json, &err), 0);
        assert_int_equal(python_check(json,
                                      "import sys, json\n"
                                      "d = json.load(open(sys.argv[1]))\n"
                                      "r = {x[\"metric\"]: x for x in d[\"rows\"]}\n"
                                      "u = r[\"kib_up\"]\n"
                                      "assert u[\"by\"] == \"difference\" and u[\"diff\"] == 512\n"
                                      "assert u[\"ratio\"] is None and u[\"verdict\"] == \"regressed\"\n"
                                      "lo, hi = u[\"diff_ci95\"]\n"
                                      "assert 0 < lo <= 512 <= hi\n"
                                      "lo90, hi90 = u[\"diff_ci90\"]\n"
                                      "assert lo <= lo90 <= hi90 <= hi\n"),
                         0);
        cmp_report_clear(&r);

        /* with a margin: 2% of 1000 = 20 around 0 holds the negative row's difference */
        cmp_opts o = {.threshold_pct = 5, .alpha = 0.05, .equivalence_pct = 2};
        assert_int_equal(cmp_files(b, c, &o, &r, &err), 0);
        assert_int_equal(row_of(&r, "memory", "ctr", "neg")->verdict, CMP_EQUIVALENT);
        assert_int_equal(row_of(&r, "memory", "ctr", "kib_up")->verdict, CMP_REGRESSED);
        cmp_report_clear(&r);
        res_file_free(b);
        res_file_free(c);
}

/* The files disagree on `better`: neither direction is followed, the row says so. */
static void test_better_differs(void **state) {
        (void)state;
        fill_samples();
        res_file *b = res_file_new(), *c = res_file_new();
        b->host = host("6.1", "AMD EPYC");
        c->host = host("6.1", "AMD EPYC");
        add(b, "w", "bare", "flip", "lower", tight, 10, 1);
        add(c, "w", "bare", "flip", "higher", tight, 10, 1.2);
        add(b, "w", "bare", "same", "lower", tight, 10, 1);
        add(c, "w", "bare", "same", "lower", tight, 10, 1);
        cmp_report r = {0};
        bench_error *err = NULL;
        assert_int_equal(cmp_files(b, c, NULL, &r, &err), 0);
        assert_int_equal(row_of(&r, "w", "bare", "flip")->verdict, CMP_BETTER_DIFFERS);
        assert_int_equal(row_of(&r, "w", "bare", "same")->verdict, CMP_UNCHANGED);
        assert_int_equal(r.n_better_differs, 1);
        assert_int_equal(r.n_regressed + r.n_improved, 0);
        _cleanup_free_ char *text = NULL, *junit = NULL, *json = NULL;
        assert_int_equal(plot_verdicts(&r, "text", false, &text, &err), 0);
        assert_non_null(strstr(text, "better differs: base says lower is better, new says higher"));
        assert_non_null(strstr(text, ", 1 better differs;"));
        assert_int_equal(plot_verdicts(&r, "junit", false, &junit, &err), 0);
        assert_non_null(strstr(junit, "errors=\"1\""));
        assert_non_null(strstr(junit, "<error message=\"better differs"));
        assert_int_equal(plot_verdicts(&r, "json", false, &json, &err), 0);
        assert_int_equal(
                python_check(json, "import sys, json\n"
                                   "d = json.load(open(sys.argv[1]))\n"
                                   "r = {x[\"metric\"]: x for x in d[\"rows\"]}\n"
                                   "f = r[\"flip\"]\n"
                                   "assert f[\"verdict\"] == \"better differs\", f\n"
                                   "assert f[\"better\"] == \"higher\" and f[\"base_better\"] == \"lower\"\n"
                                   "assert \"base_better\" not in r[\"same\"]\n"
                                   "assert d[\"counts\"][\"better_differs\"] == 1\n"),
                0);
        cmp_report_clear(&r);
        res_file_free(b);
        res_file_free(c);
}

/* The baseline is a configuration's name from the file: in titles and headings it is escaped like the rows.
 */
static void test_hostile_baseline(void **state) {
        (void)state;
        fill_samples();
        static const char evil[] = "<img src=x onerror=y>[l](javascript:z)\x1b[31m";
        res_file *f = res_file_new();
        add(f, "cpu", evil, "ops_per_s", "higher", tight, 10, 1);
        add(f, "cpu", "ctr", "ops_per_s", "higher", tight, 10, 1);
        cmp_report r = {0};
        bench_error *err = NULL;
        assert_int_equal(cmp_overhead(f, evil, NULL, &r, &err), 0);
        _cleanup_free_ char *md = NULL, *text = NULL;
        assert_int_equal(plot_verdicts(&r, "markdown", true, &md, &err), 0);
        assert_non_null(
                strstr(md, "### overhead vs \\<img src=x onerror=y\\>\\[l\\](javascript:z) \\[31m ("));
        assert_non_null(strstr(md,
                               "| metric | configuration | \\<img src=x onerror=y\\>\\[l\\](javascript:z) "
                               "\\[31m median | median |"));
        for (const char *p = strchr(md, '<'); p; p = strchr(p + 1, '<'))
                assert_int_equal(p[-1], '\\');
        assert_int_equal(plot_verdicts(&r, "text", true, &text, &err), 0);
        assert_null(strchr(text, '\x1b'));
        assert_non_null(strstr(text, "overhead vs <img src=x onerror=y>[l](javascript:z)\\x1b[31m ("));
        cmp_report_clear(&r);
        res_file_free(f);
}

static void test_names(void **state) {
        (void)state;
        assert_string_equal(cmp_verdict_name(CMP_UNCHANGED), "unchanged");
        assert_string_equal(cmp_verdict_name(CMP_IMPROVED), "improved");
        assert_string_equal(cmp_verdict_name(CMP_REGRESSED), "regressed");
        assert_string_equal(cmp_verdict_name(CMP_NOISY), "too noisy");
        assert_string_equal(cmp_verdict_name(CMP_TOO_FEW), "too few samples");
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_mw_exact_small),
                cmocka_unit_test(test_mw_exact_larger),
                cmocka_unit_test(test_mw_normal),
                cmocka_unit_test(test_bootstrap),
                cmocka_unit_test(test_verdicts),
                cmocka_unit_test(test_env_and_sides),
                cmocka_unit_test(test_overhead),
                cmocka_unit_test(test_formats),
                cmocka_unit_test(test_equivalence),
                cmocka_unit_test(test_parse_margin),
                cmocka_unit_test(test_difference_rows),
                cmocka_unit_test(test_better_differs),
                cmocka_unit_test(test_names),
                cmocka_unit_test(test_hostile_baseline),
                cmocka_unit_test(test_mw_ties_random),
                cmocka_unit_test(test_bootstrap_select_is_sort),
                cmocka_unit_test(test_bootstrap_order_statistics),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
