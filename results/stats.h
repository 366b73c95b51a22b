/* SPDX-License-Identifier: MIT */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "../common/error.h"
#include "../common/percentile.h"

/*
 * Descriptive statistics of one metric's samples.
 * - percentiles: linear interpolation between order statistics
 *   (Hyndman & Fan type 7, the default of R and NumPy);
 * - stddev: sample standard deviation (n-1); cv = stddev / mean;
 * - ci95: distribution-free confidence interval of the median from order
 *   statistics (binomial); ci_level is the coverage actually achieved, which
 *   is below 0.95 when n is too small (then the interval is [min, max]);
 * - outliers: indices (into the input order) whose modified z-score
 *   0.6745 (x - median) / MAD exceeds 3.5 (Iglewicz & Hoaglin); when MAD is
 *   0 the mean absolute deviation scaled by 1.253314 is used; kept in samples.
 */
typedef struct res_stats {
        size_t n;
        double mean, median, stddev, cv, min, max, p05, p95;
        double ci95_low, ci95_high, ci_level;
        size_t *outliers; /* owned, n_outliers entries */
        size_t n_outliers;
} res_stats;

/* The modified z-score above beyond which a value is an outlier (also a fleet's stand-out host). */
#define RES_OUTLIER_Z 3.5
/*
 * The modified z-score of x among values with this median, MAD (median
 * absolute deviation) and mean absolute deviation from the median: the rule
 * above, MeanAD standing in when MAD is 0. Both 0: not finite.
 */
double res_modified_z(double x, double median, double mad, double mean_ad);

/* n >= 1; x is not modified. */
int res_stats_compute(const double *x, size_t n, res_stats *ret, bench_error **err);
void res_stats_clear(res_stats *s);
/*
 * Sorts x ascending (x finite or infinite, no NaN): a radix sort from 4096
 * values on (O(n), ~5x qsort at 1e6), qsort below. Allocates a scratch copy
 * for the radix sort and falls back to qsort when that fails.
 */
void res_sort(double *x, size_t n);
/*
 * Reorders x so that x[k] is the k-th smallest (0-based), nothing after it
 * smaller and nothing before it larger: O(n) on average, O(n log n) at worst
 * (an input crafted against the pivots ends in a sort). k < n.
 */
void res_select(double *x, size_t n, size_t k);
/* The median of x as bench_percentile_sorted(sorted x, n, 50), reordering x: O(n). n >= 1. */
double res_median_select(double *x, size_t n);
