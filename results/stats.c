/* SPDX-License-Identifier: MIT */
#include "stats.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "../common/cleanup.h"

static int cmp_double(const void *a, const void *b) {
        double x = *(const double *)a, y = *(const double *)b;
        return (x > y) - (x < y);
}

#define RADIX_MIN_N 4096
#define RADIX_BITS 11
#define RADIX_PASSES 6 /* 6 x 11 bits >= 64 */

/* The bits of a double as an unsigned key in the same order: negatives flipped, positives' sign set. */
static uint64_t sort_key(double v) {
        uint64_t u;
        memcpy(&u, &v, sizeof(u));
        return u >> 63 ? ~u : u | UINT64_C(1) << 63;
}

void res_sort(double *x, size_t n) {
        if (n < RADIX_MIN_N) {
                qsort(x, n, sizeof(double), cmp_double);
                return;
        }
        _cleanup_free_ uint64_t *keys = malloc(n * sizeof(uint64_t));
        _cleanup_free_ uint64_t *tmp = malloc(n * sizeof(uint64_t));
        _cleanup_free_ size_t *count = calloc((size_t)RADIX_PASSES << RADIX_BITS, sizeof(size_t));
        if (!keys || !tmp || !count) {
                qsort(x, n, sizeof(double), cmp_double);
                return;
        }
        const uint64_t mask = (UINT64_C(1) << RADIX_BITS) - 1;
        for (size_t i = 0; i < n; i++) {
                keys[i] = sort_key(x[i]);
                for (unsigned p = 0; p < RADIX_PASSES; p++)
                        count[((size_t)p << RADIX_BITS) + ((keys[i] >> (p * RADIX_BITS)) & mask)]++;
        }
        uint64_t *src = keys, *dst = tmp;
        for (unsigned p = 0; p < RADIX_PASSES; p++) {
                size_t *c = count + ((size_t)p << RADIX_BITS);
                if (c[(src[0] >> (p * RADIX_BITS)) & mask] == n)
                        continue; /* every key has this digit: nothing moves */
                size_t sum = 0;
                for (size_t d = 0; d <= mask; d++) {
                        size_t t = c[d];
                        c[d] = sum;
                        sum += t;
                }
                for (size_t i = 0; i < n; i++)
                        dst[c[(src[i] >> (p * RADIX_BITS)) & mask]++] = src[i];
                uint64_t *t = src;
                src = dst;
                dst = t;
        }
        for (size_t i = 0; i < n; i++) {
                uint64_t u = src[i] >> 63 ? src[i] & ~(UINT64_C(1) << 63) : ~src[i];
                memcpy(&x[i], &u, sizeof(u));
        }
}

static inline void swap_double(double *x, size_t i, size_t j) {
        double t = x[i];
        x[i] = x[j];
        x[j] = t;
}

static double median3(double a, double b, double c) {
        if (a > b) {
                double t = a;
                a = b;
                b = t;
        }
        return c <= a ? a : c >= b ? b : c;
}

void res_select(double *x, size_t n, size_t k) {
        size_t lo = 0, hi = n; /* x[k] lies in [lo, hi) */
        unsigned budget = 8;   /* 2 log2(n) + 8 rounds, then sort what is left */
        for (size_t m = n; m > 1; m >>= 1)
                budget += 2;
        while (hi - lo > 16) {
                if (budget-- == 0) {
                        res_sort(x + lo, hi - lo);
                        return;
                }
                double p = median3(x[lo], x[lo + (hi - lo) / 2], x[hi - 1]);
                /* three ways: [lo, lt) < p, [lt, gt) == p, [gt, hi) > p; ties end in the middle at once */
                size_t lt = lo, i = lo, gt = hi;
                while (i < gt) {
                        if (x[i] < p)
                                swap_double(x, lt++, i++);
                        else if (x[i] > p)
                                swap_double(x, i, --gt);
                        else
                                i++;
                }
                if (k < lt)
                        hi = lt;
                else if (k >= gt)
                        lo = gt;
                else
                        return;
        }
        for (size_t i = lo + 1; i < hi; i++) /* insertion sort of the last few */
                for (size_t j = i; j > lo && x[j - 1] > x[j]; j--)
                        swap_double(x, j - 1, j);
}

double res_median_select(double *x, size_t n) {
        /* type 7 at 50%: x_(k) for odd n, the midpoint of x_(k) and x_(k+1) for even n, k = (n - 1) / 2 */
        size_t k = (n - 1) / 2;
        res_select(x, n, k);
        if (n % 2 == 1)
                return x[k];
        double next = x[k + 1];
        for (size_t i = k + 2; i < n; i++)
                if (x[i] < next)
                        next = x[i];
        double mid[2] = {x[k], next};
        return bench_percentile_sorted(mid, 2, 50); /* the same midpoint, bit for bit */
}

/*
 * Coverage of [x_(j), x_(n-j+1)] as an interval for the median:
 * 1 - 2 P(Bin(n, 1/2) <= j - 1). Summed in log space because 0.5^n
 * underflows from n = 1075 on.
 */
static void median_ci(const double *sorted, size_t n, double *ret_low, double *ret_high, double *ret_level) {
        double log_pmf = -(double)n * M_LN2; /* P(X = 0) */
        double cdf = exp(log_pmf);           /* P(X <= j - 1) for j = 1 */
        double level = 1.0 - 2.0 * cdf;
        size_t j = 1;
        if (level >= 0.95) {
                /* widen j while the next narrower pair still covers 95% */
                for (;;) {
                        size_t k = j; /* P(X = k) is the next term of the cdf */
                        if (j + 1 > n - j)
                                break; /* the pair would cross the middle */
                        log_pmf += log((double)(n - k + 1)) - log((double)k);
                        double next_cdf = cdf + exp(log_pmf);
                        double next_level = 1.0 - 2.0 * next_cdf;
                        if (next_level < 0.95)
                                break;
                        cdf = next_cdf;
                        level = next_level;
                        j++;
                }
        }
        if (level < 0.0)
                level = 0.0;
        *ret_low = sorted[j - 1];
        *ret_high = sorted[n - j];
        *ret_level = level;
}

/*
 * Modified z-score 0.6745 (x - median) / MAD (Iglewicz & Hoaglin). MAD is 0
 * when more than half the samples tie; then (x - median) / (1.253314 MeanAD),
 * MeanAD being the mean absolute deviation from the median (IBM's rule), so a
 * stray value among identical ones is still flagged.
 */
double res_modified_z(double x, double median, double mad, double mean_ad) {
        return mad > 0 ? 0.6745 * (x - median) / mad : (x - median) / (1.253314 * mean_ad);
}

static bool is_outlier(double x, double median, double mad, double mean_ad) {
        return fabs(res_modified_z(x, median, mad, mean_ad)) > RES_OUTLIER_Z;
}

static int find_outliers(const double *x, size_t n, double median, size_t **ret_idx, size_t *ret_n,
                         bench_error **err) {
        _cleanup_free_ double *dev = malloc(n * sizeof(double));
        if (!dev)
                return bench_error_set(err, ENOMEM, "out of memory");
        double sum_dev = 0;
        for (size_t i = 0; i < n; i++) {
                dev[i] = fabs(x[i] - median);
                sum_dev += dev[i];
        }
        double mad = res_median_select(dev, n);
        double mean_ad = sum_dev / (double)n;
        *ret_idx = NULL;
        *ret_n = 0;
        if (!(mad > 0) && !(mean_ad > 0))
                return 0; /* all samples equal */
        size_t count = 0;
        for (size_t i = 0; i < n; i++)
                if (is_outlier(x[i], median, mad, mean_ad))
                        count++;
        if (count == 0)
                return 0;
        size_t *idx = malloc(count * sizeof(size_t));
        if (!idx)
                return bench_error_set(err, ENOMEM, "out of memory");
        size_t k = 0;
        for (size_t i = 0; i < n; i++)
                if (is_outlier(x[i], median, mad, mean_ad))
                        idx[k++] = i;
        *ret_idx = idx;
        *ret_n = count;
        return 0;
}

int res_stats_compute(const double *x, size_t n, res_stats *ret, bench_error **err) {
        if (n == 0)
                return bench_error_set(err, EINVAL, "no samples");
        for (size_t i = 0; i < n; i++)
                if (!isfinite(x[i]))
                        return bench_error_set(err, EINVAL, "sample %zu is not a finite number (%g)", i,
                                               x[i]);

        _cleanup_free_ double *sorted = malloc(n * sizeof(double));
        if (!sorted)
                return bench_error_set(err, ENOMEM, "out of memory");
        memcpy(sorted, x, n * sizeof(double));
        res_sort(sorted, n);

        res_stats s = {.n = n};
        double sum = 0;
        for (size_t i = 0; i < n; i++)
                sum += x[i];
        s.mean = sum / (double)n;
        if (n > 1) {
                /* two-pass (no cancellation), scaled by the largest deviation (no overflow) */
                double scale = 0, ss = 0;
                for (size_t i = 0; i < n; i++)
                        scale = fmax(scale, fabs(x[i] - s.mean));
                if (scale > 0) {
                        for (size_t i = 0; i < n; i++)
                                ss += ((x[i] - s.mean) / scale) * ((x[i] - s.mean) / scale);
                        s.stddev = scale * sqrt(ss / (double)(n - 1));
                }
        }
        s.cv = s.mean != 0 ? s.stddev / s.mean : 0;
        s.min = sorted[0];
        s.max = sorted[n - 1];
        s.median = bench_percentile_sorted(sorted, n, 50);
        s.p05 = bench_percentile_sorted(sorted, n, 5);
        s.p95 = bench_percentile_sorted(sorted, n, 95);
        median_ci(sorted, n, &s.ci95_low, &s.ci95_high, &s.ci_level);

        /* a result file must never hold inf/NaN: refuse instead */
        if (!isfinite(s.mean) || !isfinite(s.stddev) || !isfinite(s.cv) || !isfinite(s.median) ||
            !isfinite(s.p05) || !isfinite(s.p95))
                return bench_error_set(err, ERANGE, "samples too large for statistics (the sums overflow)");

        int r = find_outliers(x, n, s.median, &s.outliers, &s.n_outliers, err);
        if (r < 0)
                return r;
        *ret = s;
        return 0;
}

void res_stats_clear(res_stats *s) {
        if (!s)
                return;
        free(s->outliers);
        *s = (res_stats){0};
}
