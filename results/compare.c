/* SPDX-License-Identifier: MIT */
#include "compare.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/cleanup.h"
#include "../common/util.h"
#include "../common/json.h"
#include "../common/rng.h"
#include "stats.h"

#define DEFAULT_THRESHOLD_PCT 5.0
#define DEFAULT_ALPHA 0.05
#define DEFAULT_BOOTSTRAP 2000u
#define DEFAULT_SEED 0
#define MIN_SAMPLES 3
/* the exact distribution of U is used up to this many samples per side */
#define EXACT_MAX_N 20
/*
 * With ties, the exact permutation distribution of the mid-rank sum is
 * counted when N k S (N values, k on the smaller side, S its largest doubled
 * rank sum) is at most this: up to 35 vs 35, 3 vs 600, 1 vs 2200. At the
 * bound one p-value takes 3-7 ms here (tests/mw_p --time 35 35 60).
 */
#define EXACT_TIES_MAX_WORK 1e7
/* 2000 resamples of 5000 draws a side take ~0.2 s; beyond, resample medians are drawn directly */
#define BOOTSTRAP_DRAW_MAX_N 5000

const char *cmp_verdict_name(cmp_verdict v) {
        switch (v) {
        case CMP_UNCHANGED:
                return "unchanged";
        case CMP_IMPROVED:
                return "improved";
        case CMP_REGRESSED:
                return "regressed";
        case CMP_NOISY:
                return "too noisy";
        case CMP_TOO_FEW:
                return "too few samples";
        case CMP_EQUIVALENT:
                return "equivalent";
        case CMP_INCONCLUSIVE:
                return "inconclusive";
        case CMP_BETTER_DIFFERS:
                return "better differs";
        }
        return "?";
}

const char *cmp_p_method_name(cmp_p_method m) {
        switch (m) {
        case CMP_P_NONE:
                return NULL;
        case CMP_P_EXACT:
                return "exact";
        case CMP_P_EXACT_TIES:
                return "exact-ties";
        case CMP_P_NORMAL:
                return "normal";
        }
        return NULL;
}

const char *cmp_by_name(cmp_by by) {
        return by == CMP_BY_DIFFERENCE ? "difference" : "ratio";
}

const char *cmp_verdict_word(cmp_verdict v, bool overhead) {
        if (!overhead)
                return cmp_verdict_name(v);
        /* against a baseline, not over time: a slower container is worse, not a regression */
        switch (v) {
        case CMP_UNCHANGED:
                return "no difference";
        case CMP_IMPROVED:
                return "better";
        case CMP_REGRESSED:
                return "worse";
        case CMP_NOISY:
        case CMP_TOO_FEW:
        case CMP_EQUIVALENT:
        case CMP_INCONCLUSIVE:
        case CMP_BETTER_DIFFERS:
                return cmp_verdict_name(v);
        }
        return "?";
}

/* ---- Mann-Whitney U ---- */

/* P(X <= at) and P(X >= at) from the counts of each value 0..max of X */
static void tails_of(const double *counts, size_t max, size_t at, double *ret_le, double *ret_ge) {
        double total = 0, le = 0, ge = 0;
        for (size_t v = 0; v <= max; v++) {
                total += counts[v];
                if (v <= at)
                        le += counts[v];
                if (v >= at)
                        ge += counts[v];
        }
        *ret_le = le / total;
        *ret_ge = ge / total;
}

/*
 * P(U <= u) and P(U >= u) under H0 for sample sizes m, n without ties: the
 * number of arrangements with each U by the recurrence
 * f(m, n, u) = f(m-1, n, u-n) + f(m, n-1, u) (Mann & Whitney 1947), rolled
 * over m. The counts reach C(40, 20) ~ 1.4e11, exact in a double.
 */
static int exact_tails(size_t m, size_t n, size_t u, double *ret_le, double *ret_ge) {
        size_t umax = m * n, w = umax + 1;
        _cleanup_free_ double *prev = calloc((n + 1) * w, sizeof(double));
        _cleanup_free_ double *cur = calloc((n + 1) * w, sizeof(double));
        if (!prev || !cur)
                return -ENOMEM;
        /* m = 0: U is 0 for every n */
        for (size_t j = 0; j <= n; j++)
                prev[j * w] = 1;
        for (size_t i = 1; i <= m; i++) {
                memset(cur, 0, (n + 1) * w * sizeof(double));
                cur[0] = 1; /* n = 0 */
                for (size_t j = 1; j <= n; j++)
                        for (size_t k = 0; k <= i * j; k++)
                                cur[j * w + k] = (k >= j ? prev[j * w + k - j] : 0) + cur[(j - 1) * w + k];
                double *t = prev;
                prev = cur;
                cur = t;
        }
        tails_of(prev + n * w, umax, u, ret_le, ret_ge);
        return 0;
}

/*
 * Two-sided p-value of the Mann-Whitney U test.
 * - Both samples of at most 20 and no tied values anywhere: the exact null
 *   distribution, p = min(1, 2 min(P(U <= U_a), P(U >= U_a))) (as R's
 *   wilcox.test(exact=TRUE) and SciPy's method="exact"): "exact".
 * - With ties, while the counting is cheap (EXACT_TIES_MAX_WORK): the exact
 *   permutation distribution of the smaller side's mid-rank sum, the same
 *   two-sided rule: "exact-ties". The normal approximation is anti-conservative here:
 *   [33656] x3 vs [40000] x3 gives 0.047 where the exact p is 0.100.
 * - Otherwise the normal approximation ("normal") with the tie correction of the
 *   variance, sigma^2 = m n / 12 ((N + 1) - sum(t^3 - t) / (N (N - 1))),
 *   and a continuity correction of 0.5 towards the mean:
 *   z = max(|U_a - m n / 2| - 0.5, 0) / sigma, p = 2 (1 - Phi(z)).
 * NAN if a side is empty; 1 when every value is tied (sigma = 0).
 */
static int sorted_copy(const double *x, size_t n, double **ret) {
        double *s = malloc((n ? n : 1) * sizeof(double));
        if (!s)
                return -ENOMEM;
        memcpy(s, x, n * sizeof(double));
        res_sort(s, n);
        *ret = s;
        return 0;
}

/*
 * P(W <= w2) and P(W >= w2) for W the doubled mid-rank sum of k values drawn
 * without replacement from the N doubled mid-ranks r[] (integers: 2 pos + t
 * + 1 for a tie group of t at 0-based position pos), every choice of k
 * equally likely under H0: the counts of subsets by size and sum, one value
 * at a time (f[j][s] += f[j-1][s - r]), divided by C(N, k). The counts stay
 * below C(70, 35) ~ 1.1e20; a double carries them to 16 digits.
 */
static int exact_ties_tails(const unsigned *r, size_t n, size_t k, size_t w2, double *ret_le,
                            double *ret_ge) {
        size_t smax = k * (2 * n - k + 1), w = smax + 1; /* the doubled sum of the k largest ranks */
        _cleanup_free_ double *f = calloc((k + 1) * w, sizeof(double));
        if (!f)
                return -ENOMEM;
        f[0] = 1;
        size_t reach = 0; /* the largest sum so far */
        for (size_t i = 0; i < n; i++) {
                reach = reach + r[i] < smax ? reach + r[i] : smax;
                for (size_t j = i + 1 < k ? i + 1 : k; j >= 1; j--) {
                        double *to = f + j * w;
                        const double *from = f + (j - 1) * w;
                        for (size_t s = reach; s >= r[i]; s--) /* r[i] >= 2: no wrap */
                                to[s] += from[s - r[i]];
                }
        }
        tails_of(f + k * w, smax, w2, ret_le, ret_ge);
        return 0;
}

/* cmp_mann_whitney_p of the two sides sorted: the joint ranks come from merging them, O(na + nb) */
static double mann_whitney_sorted(const double *a, size_t na, const double *b, size_t nb,
                                  cmp_p_method *ret_method) {
        *ret_method = CMP_P_NONE;
        if (!a || !b || na == 0 || nb == 0)
                return NAN;
        size_t n = na + nb;
        /* the smaller side's values are counted in the exact branch with ties */
        bool small_a = na <= nb;
        size_t k = small_a ? na : nb;
        double work = (double)n * (double)k * (double)(k * (2 * n - k + 1) + 1);
        _cleanup_free_ unsigned *ranks2 = NULL;
        if (work <= EXACT_TIES_MAX_WORK && !(ranks2 = calloc(n, sizeof(unsigned))))
                return NAN;
        /* average ranks (1-based) of each group of equal values, and the tie term sum(t^3 - t) */
        double rank_sum_a = 0, tie_term = 0;
        size_t rank2_sum_small = 0;
        bool ties = false;
        for (size_t i = 0, j = 0, pos = 0; i < na || j < nb;) {
                double v = i < na && (j >= nb || a[i] <= b[j]) ? a[i] : b[j];
                size_t in_a = 0, in_b = 0;
                for (; i < na && a[i] == v; i++)
                        in_a++;
                for (; j < nb && b[j] == v; j++)
                        in_b++;
                size_t group = in_a + in_b;
                double t = (double)group, rank = (double)(2 * pos + group + 1) / 2.0;
                if (group > 1) {
                        ties = true;
                        tie_term += t * t * t - t;
                }
                for (size_t k2 = 0; k2 < in_a; k2++) /* added one by one: the sums of before, bit for bit */
                        rank_sum_a += rank;
                rank2_sum_small += (small_a ? in_a : in_b) * (2 * pos + group + 1);
                for (size_t k2 = 0; ranks2 && k2 < group; k2++)
                        ranks2[pos + k2] = (unsigned)(2 * pos + group + 1);
                pos += group;
        }
        double m = (double)na, nn = (double)nb;
        double u_a = rank_sum_a - m * (m + 1) / 2.0;

        if (!ties && na <= EXACT_MAX_N && nb <= EXACT_MAX_N) {
                double le, ge;
                if (exact_tails(na, nb, (size_t)llround(u_a), &le, &ge) < 0)
                        return NAN;
                double p = 2.0 * (le < ge ? le : ge);
                *ret_method = CMP_P_EXACT;
                return p > 1.0 ? 1.0 : p;
        }
        if (ties && ranks2) {
                double le, ge;
                if (exact_ties_tails(ranks2, n, k, rank2_sum_small, &le, &ge) < 0)
                        return NAN;
                double p = 2.0 * (le < ge ? le : ge);
                *ret_method = CMP_P_EXACT_TIES;
                return p > 1.0 ? 1.0 : p;
        }
        *ret_method = CMP_P_NORMAL;
        double big_n = (double)n;
        double var = m * nn / 12.0 * ((big_n + 1) - tie_term / (big_n * (big_n - 1)));
        if (!(var > 0))
                return 1.0;
        double d = fabs(u_a - m * nn / 2.0) - 0.5;
        double z = (d > 0 ? d : 0) / sqrt(var);
        double p = erfc(z / M_SQRT2);
        return p > 1.0 ? 1.0 : p;
}

double cmp_mann_whitney(const double *a, size_t na, const double *b, size_t nb, cmp_p_method *ret_method) {
        cmp_p_method method = CMP_P_NONE;
        double p = NAN;
        _cleanup_free_ double *sa = NULL, *sb = NULL;
        if (a && b && na > 0 && nb > 0 && sorted_copy(a, na, &sa) == 0 && sorted_copy(b, nb, &sb) == 0)
                p = mann_whitney_sorted(sa, na, sb, nb, &method);
        if (ret_method)
                *ret_method = method;
        return p;
}

double cmp_mann_whitney_p(const double *a, size_t na, const double *b, size_t nb) {
        return cmp_mann_whitney(a, na, b, nb, NULL);
}

/* ---- bootstrap ---- */

static double resample_median(bench_rng *r, const double *x, size_t n, double *scratch) {
        for (size_t i = 0; i < n; i++)
                scratch[i] = x[bench_rng_below(r, n)];
        return res_median_select(scratch, n);
}

/* uniform in (0, 1] */
static double rng_unit(bench_rng *r) {
        return (double)((bench_rng_next(r) >> 11) + 1) * 0x1.0p-53;
}

/* standard normal (Marsaglia's polar method; the second variate is dropped) */
static double rng_normal(bench_rng *r) {
        for (;;) {
                double u = 2 * rng_unit(r) - 1, v = 2 * rng_unit(r) - 1, s = u * u + v * v;
                if (s > 0 && s < 1)
                        return u * sqrt(-2 * log(s) / s);
        }
}

/* Gamma(a, 1) for a >= 1 (Marsaglia & Tsang 2000) */
static double rng_gamma(bench_rng *r, double a) {
        double d = a - 1.0 / 3, c = 1 / sqrt(9 * d);
        for (;;) {
                double z, v;
                do {
                        z = rng_normal(r);
                        v = 1 + c * z;
                } while (v <= 0);
                v = v * v * v;
                double u = rng_unit(r);
                if (u < 1 - 0.0331 * z * z * z * z || log(u) < 0.5 * z * z + d * (1 - v + log(v)))
                        return d * v;
        }
}

static size_t index_of_unit(double u, size_t n) {
        size_t i = (size_t)(u * (double)n);
        return i < n ? i : n - 1;
}

/*
 * The median of a resample of the sorted sample without drawing it. A draw
 * is sorted[floor(n U)], U uniform, so the resample's j-th smallest value is
 * sorted[floor(n U_(j))], U_(j) the j-th smallest of n uniforms, which is
 * Beta(j, n - j + 1); given U_(j) = u, U_(j+1) is the smallest of n - j
 * uniforms on (u, 1). Same distribution as resample_median, O(1) per resample.
 */
static double order_stat_median(bench_rng *r, const double *sorted, size_t n) {
        size_t j = (n - 1) / 2 + 1; /* 1-based rank of the (lower) middle */
        double g = rng_gamma(r, (double)j);
        double u = g / (g + rng_gamma(r, (double)(n - j + 1)));
        double mid[2] = {sorted[index_of_unit(u, n)], 0};
        if (n % 2 == 1)
                return mid[0];
        double u2 = u + (1 - u) * -expm1(log(rng_unit(r)) / (double)(n - j));
        mid[1] = sorted[index_of_unit(u2, n)];
        return bench_percentile_sorted(mid, 2, 50);
}

/* The bootstrap's intervals of a statistic: 95% (2.5th, 97.5th percentiles) and 90% (5th, 95th) */
typedef struct boot_ci {
        double low, high, low90, high90;
} boot_ci;

/*
 * Percentile bootstrap of median(cur) / median(base), or of median(cur) -
 * median(base) when diff: each side resampled with replacement on its own,
 * the 2.5th and 97.5th (and 5th, 95th) percentiles (type 7) of the
 * statistics. Ratio: -EDOM when a resampled base median is not positive.
 * Up to BOOTSTRAP_DRAW_MAX_N samples a side every resample is drawn (O(n)
 * each, the intervals bench always gave); above, each resample median is
 * drawn as an order statistic of the sorted sample (O(1) each, the same
 * bootstrap distribution, other random numbers).
 */
/* sorted_base and sorted_cur: the sides sorted, needed above BOOTSTRAP_DRAW_MAX_N only */
static int bootstrap(const double *base, const double *sorted_base, size_t nb, const double *cur,
                     const double *sorted_cur, size_t nc, unsigned resamples, uint64_t seed, bool diff,
                     boot_ci *ret) {
        bool draw = nb <= BOOTSTRAP_DRAW_MAX_N && nc <= BOOTSTRAP_DRAW_MAX_N;
        _cleanup_free_ double *stats = calloc(resamples, sizeof(double));
        _cleanup_free_ double *scratch = draw ? calloc(nb > nc ? nb : nc, sizeof(double)) : NULL;
        if (!stats || (draw && !scratch))
                return -ENOMEM;
        bench_rng r;
        bench_rng_seed(&r, seed);
        for (unsigned i = 0; i < resamples; i++) {
                double mb = draw ? resample_median(&r, base, nb, scratch)
                                 : order_stat_median(&r, sorted_base, nb);
                double mc =
                        draw ? resample_median(&r, cur, nc, scratch) : order_stat_median(&r, sorted_cur, nc);
                if (!diff && !(mb > 0))
                        return -EDOM;
                stats[i] = diff ? mc - mb : mc / mb;
        }
        res_sort(stats, resamples);
        *ret = (boot_ci){
                .low = bench_percentile_sorted(stats, resamples, 2.5),
                .high = bench_percentile_sorted(stats, resamples, 97.5),
                .low90 = bench_percentile_sorted(stats, resamples, 5),
                .high90 = bench_percentile_sorted(stats, resamples, 95),
        };
        return 0;
}

int cmp_bootstrap_ratio(const double *base, size_t nb, const double *cur, size_t nc, unsigned resamples,
                        uint64_t seed, double *ret_low, double *ret_high) {
        if (!base || !cur || nb == 0 || nc == 0 || resamples == 0)
                return -EINVAL;
        _cleanup_free_ double *sb = NULL, *sc = NULL;
        if (sorted_copy(base, nb, &sb) < 0 || sorted_copy(cur, nc, &sc) < 0)
                return -ENOMEM;
        boot_ci ci;
        int r = bootstrap(base, sb, nb, cur, sc, nc, resamples, seed, false, &ci);
        if (r < 0)
                return r;
        *ret_low = ci.low;
        *ret_high = ci.high;
        return 0;
}

/* ---- rows and verdicts ---- */

/*
 * A row's estimate on its own scale: the ratio around 1 or the difference
 * around 0, its intervals, and the threshold and margin as distances from
 * the null value (for a difference: percentages of max(|base|, |new|)).
 */
typedef struct estimate {
        double point, low, high, low90, high90, null, t, m;
} estimate;

static estimate estimate_of(const cmp_row *row, const cmp_opts *o) {
        if (row->by == CMP_BY_RATIO)
                return (estimate){row->ratio,
                                  row->ratio_low,
                                  row->ratio_high,
                                  row->ratio90_low,
                                  row->ratio90_high,
                                  1,
                                  o->threshold_pct / 100.0,
                                  o->equivalence_pct / 100.0};
        double scale = fmax(fabs(row->base_median), fabs(row->cur_median));
        return (estimate){row->diff,
                          row->diff_low,
                          row->diff_high,
                          row->diff90_low,
                          row->diff90_high,
                          0,
                          o->threshold_pct / 100.0 * scale,
                          o->equivalence_pct / 100.0 * scale};
}

/*
 * Inconclusive: about how many more samples a side would settle it, from
 * interval half-widths shrinking as 1/sqrt(n). A point inside the margin:
 * the n at which the 90% interval around it would fit inside; outside: the
 * n at which the 95% interval would exclude no change (significance).
 */
static void estimate_n_more(const estimate *e, size_t n0, double alpha, cmp_row *row) {
        double need;
        if (e->point > e->null - e->m && e->point < e->null + e->m) {
                double fl = (e->point - e->low90) / (e->point - (e->null - e->m));
                double fu = (e->high90 - e->point) / (e->null + e->m - e->point);
                need = ceil((double)n0 * fmax(fl * fl, fu * fu));
        } else {
                double f = e->point > e->null ? (e->point - e->low) / (e->point - e->null)
                                              : (e->high - e->point) / (e->null - e->point);
                need = ceil((double)n0 * f * f);
                /* and enough for a p below alpha at all: at best 2 / C(2n, n) (3 a side: 0.1) */
                for (; need < CMP_N_MORE_CAP; need++) {
                        double p_min = 2;
                        for (double k = 1; k <= need; k++)
                                p_min *= k / (need + k);
                        if (p_min < alpha)
                                break;
                }
        }
        double more = need - (double)n0;
        if (!(more <= CMP_N_MORE_CAP)) { /* NAN too: no estimate at this spread */
                row->n_more = CMP_N_MORE_CAP;
                row->n_more_capped = true;
                return;
        }
        row->n_more = more < 1 ? 1 : (size_t)more;
}

static cmp_verdict verdict_of(cmp_row *row, const cmp_opts *o) {
        /* the direction decides regressed from improved: it must be the same on both sides */
        if (strcmp(row->base->better, row->cur->better) != 0)
                return CMP_BETTER_DIFFERS;
        if (row->base->n_samples < MIN_SAMPLES || row->cur->n_samples < MIN_SAMPLES)
                return CMP_TOO_FEW;
        estimate e = estimate_of(row, o);
        /* no ratio nor difference: nothing can be said about a change */
        if (!isfinite(e.point))
                return CMP_NOISY;
        bool equivalence = o->equivalence_pct > 0;
        double t = equivalence ? e.m : e.t;
        bool lower_is_better = strcmp(row->base->better, "higher") != 0;
        bool up = e.point > e.null + t, down = e.point < e.null - t;
        bool worse = lower_is_better ? up : down, better = lower_is_better ? down : up;
        bool significant = row->p_value < o->alpha;
        if (significant && worse)
                return CMP_REGRESSED;
        if (significant && better)
                return CMP_IMPROVED;
        if (!equivalence)
                return e.low >= e.null - t && e.high <= e.null + t ? CMP_UNCHANGED : CMP_NOISY;
        /* two one-sided tests at 0.05: the 90% interval inside the margin */
        if (e.low90 >= e.null - t && e.high90 <= e.null + t)
                return CMP_EQUIVALENT;
        size_t nb = row->base->n_samples, nc = row->cur->n_samples;
        estimate_n_more(&e, nb < nc ? nb : nc, o->alpha, row);
        return CMP_INCONCLUSIVE;
}

/* cmp_row.within_pct: how far the 90% interval reaches from no change, as a margin */
static double within_pct_of(const cmp_row *row) {
        cmp_opts unit = {.threshold_pct = 100, .equivalence_pct = 100};
        estimate e = estimate_of(row, &unit); /* e.m: 100% of the scale */
        double reach = fmax(e.null - e.low90, e.high90 - e.null);
        return isfinite(reach) && e.m > 0 ? fmax(reach, 0) / e.m * 100 : NAN;
}

static int make_row(const res_series *base, const res_series *cur, const cmp_opts *o, cmp_row *ret) {
        /* one sort a side serves the medians, the U test and the bootstrap */
        _cleanup_free_ double *sb = NULL, *sc = NULL;
        if (sorted_copy(base->samples, base->n_samples, &sb) < 0 ||
            sorted_copy(cur->samples, cur->n_samples, &sc) < 0)
                return -ENOMEM;
        size_t nb = base->n_samples, nc = cur->n_samples;
        cmp_row row = {
                .base = base,
                .cur = cur,
                .base_median = bench_percentile_sorted(sb, nb, 50),
                .cur_median = bench_percentile_sorted(sc, nc, 50),
                .by = CMP_BY_RATIO,
                .ratio = NAN,
                .ratio_low = NAN,
                .ratio_high = NAN,
                .ratio90_low = NAN,
                .ratio90_high = NAN,
                .diff = NAN,
                .diff_low = NAN,
                .diff_high = NAN,
                .diff90_low = NAN,
                .diff90_high = NAN,
                .change_pct = NAN,
                .within_pct = NAN,
        };
        row.p_value = mann_whitney_sorted(sb, nb, sc, nc, &row.p_method);
        if (o->bootstrap == 0 || nb == 0 || nc == 0) {
                row.verdict = verdict_of(&row, o);
                *ret = row;
                return 0;
        }
        boot_ci ci;
        int r = -EDOM;
        if (row.base_median > 0 && row.cur_median >= 0) {
                r = bootstrap(base->samples, sb, nb, cur->samples, sc, nc, o->bootstrap, o->seed, false, &ci);
                if (r == -ENOMEM)
                        return r;
        }
        if (r == 0) {
                row.ratio = row.cur_median / row.base_median;
                row.change_pct = (row.ratio - 1) * 100;
                row.ratio_low = ci.low;
                row.ratio_high = ci.high;
                row.ratio90_low = ci.low90;
                row.ratio90_high = ci.high90;
        } else {
                /* no ratio (a base median of 0 or below): the difference in the metric's unit */
                row.by = CMP_BY_DIFFERENCE;
                row.diff = row.cur_median - row.base_median;
                r = bootstrap(base->samples, sb, nb, cur->samples, sc, nc, o->bootstrap, o->seed, true, &ci);
                if (r < 0)
                        return r;
                row.diff_low = ci.low;
                row.diff_high = ci.high;
                row.diff90_low = ci.low90;
                row.diff90_high = ci.high90;
        }
        row.within_pct = within_pct_of(&row);
        row.verdict = verdict_of(&row, o);
        *ret = row;
        return 0;
}

static int add_row(cmp_report *r, const cmp_row *row, size_t *cap) {
        if (r->n_rows == *cap) {
                size_t ncap = *cap ? *cap * 2 : 16;
                cmp_row *p = reallocarray(r->rows, ncap, sizeof(cmp_row));
                if (!p)
                        return -ENOMEM;
                r->rows = p;
                *cap = ncap;
        }
        r->rows[r->n_rows++] = *row;
        switch (row->verdict) {
        case CMP_UNCHANGED:
                r->n_unchanged++;
                break;
        case CMP_IMPROVED:
                r->n_improved++;
                break;
        case CMP_REGRESSED:
                r->n_regressed++;
                break;
        case CMP_NOISY:
                r->n_noisy++;
                break;
        case CMP_TOO_FEW:
                r->n_too_few++;
                break;
        case CMP_EQUIVALENT:
                r->n_equivalent++;
                break;
        case CMP_INCONCLUSIVE:
                r->n_inconclusive++;
                break;
        case CMP_BETTER_DIFFERS:
                r->n_better_differs++;
                break;
        }
        return 0;
}

static int add_key(char ***list, size_t *n, const res_series *s) {
        char **p = reallocarray(*list, *n + 1, sizeof(char *));
        if (!p)
                return -ENOMEM;
        *list = p;
        char label[256];
        if (asprintf(&p[*n], "%s/%s/%s", s->workload, s->configuration,
                     res_metric_label(s, label, sizeof(label))) < 0)
                return -ENOMEM;
        (*n)++;
        return 0;
}

static int add_env_diff(cmp_report *r, const char *field, const char *base, const char *cur) {
        cmp_env_diff *p = reallocarray(r->env_diffs, r->n_env_diffs + 1, sizeof(cmp_env_diff));
        if (!p)
                return -ENOMEM;
        r->env_diffs = p;
        cmp_env_diff d = {strdup(field), strdup(base ? base : "(none)"), strdup(cur ? cur : "(none)")};
        if (!d.field || !d.base || !d.cur) {
                free(d.field);
                free(d.base);
                free(d.cur);
                return -ENOMEM;
        }
        r->env_diffs[r->n_env_diffs++] = d;
        return 0;
}

static bool same(const char *a, const char *b) {
        return (!a && !b) || (a && b && !strcmp(a, b));
}

/*
 * A label of a configuration's series (the accel of a vm, the runtime of
 * an oci configuration), and whether the file has that configuration.
 */
static const char *config_label(const res_file *f, const char *configuration, bool runtime, bool *ret_found) {
        *ret_found = false;
        for (size_t i = 0; i < f->n_series; i++) {
                const res_series *s = &f->series[i];
                if (strcmp(s->configuration, configuration) != 0)
                        continue;
                *ret_found = true;
                const char *v = runtime ? s->runtime : s->accel;
                if (v)
                        return v;
        }
        return NULL;
}

static const char *config_accel(const res_file *f, const char *configuration, bool *ret_found) {
        return config_label(f, configuration, false, ret_found);
}

/* How a fingerprint fact reads as text. */
typedef enum env_show {
        ENV_AS_IS,  /* a string, number or bool as it is */
        ENV_ON_OFF, /* a number: "on" when above 0 (swap) */
} env_show;

/*
 * The host facts compare checks: the label shown, the path in "host"
 * (harness/host.c), how to show it. The first four are in every file;
 * a fact absent from one file (an older bench) is not compared.
 */
static const struct {
        const char *field, *key, *sub;
        env_show show;
        bool always;
} env_facts[] = {
        {"kernel", "kernel", NULL, ENV_AS_IS, true},
        {"cpu_model", "cpu_model", NULL, ENV_AS_IS, true},
        {"cgroup_mode", "cgroup_mode", NULL, ENV_AS_IS, true},
        {"bench_version", "bench_version", NULL, ENV_AS_IS, true},
        {"cpu_governor", "cpu_governor", NULL, ENV_AS_IS, false},
        {"boost", "boost", NULL, ENV_AS_IS, false},
        {"smt", "smt", NULL, ENV_AS_IS, false},
        {"smt_control", "smt_control", NULL, ENV_AS_IS, false},
        {"thp", "thp", "enabled", ENV_AS_IS, false},
        {"isolated_cpus", "isolated_cpus", NULL, ENV_AS_IS, false},
        {"nohz_full", "nohz_full", NULL, ENV_AS_IS, false},
        {"boot isolcpus", "boot_params", "isolcpus", ENV_AS_IS, false},
        {"boot nohz_full", "boot_params", "nohz_full", ENV_AS_IS, false},
        {"boot mitigations", "boot_params", "mitigations", ENV_AS_IS, false},
        {"ksm run", "ksm", "run", ENV_AS_IS, false},
        {"swap", "swap", "total_kib", ENV_ON_OFF, false},
        {"clocksource", "clocksource", NULL, ENV_AS_IS, false},
};

/* A fact of a host as text (caller frees); NULL for null or missing. */
static char *fact_text(const cJSON *j, env_show show) {
        char *s = NULL;
        if (!j || cJSON_IsNull(j))
                return NULL;
        if (cJSON_IsString(j))
                return strdup(j->valuestring);
        if (cJSON_IsBool(j))
                return strdup(cJSON_IsTrue(j) ? "yes" : "no");
        if (cJSON_IsNumber(j)) {
                if (show == ENV_ON_OFF)
                        return strdup(j->valuedouble > 0 ? "on" : "off");
                return asprintf(&s, "%.15g", j->valuedouble) < 0 ? NULL : s;
        }
        s = cJSON_PrintUnformatted(j);
        return s;
}

static const cJSON *host_fact(const cJSON *host, const char *key, const char *sub, bool *ret_present) {
        const cJSON *j = host ? cJSON_GetObjectItemCaseSensitive(host, key) : NULL;
        if (j && sub && cJSON_IsObject(j))
                j = cJSON_GetObjectItemCaseSensitive(j, sub);
        else if (sub && j && !cJSON_IsNull(j))
                j = NULL; /* not the object it should be */
        *ret_present = j != NULL;
        return j;
}

static int add_fact_diff(cmp_report *r, const char *field, const cJSON *b, const cJSON *c, env_show show) {
        _cleanup_free_ char *bt = fact_text(b, show), *ct = fact_text(c, show);
        if (same(bt, ct))
                return 0;
        return add_env_diff(r, field, bt, ct);
}

/* One difference per vulnerability whose text differs (a mitigation on or off, new microcode). */
static int mitigation_diffs(const cJSON *bm, const cJSON *cm, cmp_report *r) {
        if (!cJSON_IsObject(bm) || !cJSON_IsObject(cm))
                return 0; /* not recorded in one of them: nothing to say */
        const cJSON *e;
        for (int side = 0; side < 2; side++) {
                const cJSON *list = side ? cm : bm;
                cJSON_ArrayForEach(e, list) {
                        const char *name = e->string;
                        if (!name)
                                continue;
                        const cJSON *other = cJSON_GetObjectItemCaseSensitive(side ? bm : cm, name);
                        if (side && other)
                                continue; /* in both: compared on the first pass */
                        _cleanup_free_ char *field = NULL;
                        if (asprintf(&field, "mitigation %s", name) < 0)
                                return -ENOMEM;
                        if (add_fact_diff(r, field, side ? other : e, side ? e : other, ENV_AS_IS) < 0)
                                return -ENOMEM;
                }
        }
        return 0;
}

/* A file's activity warnings joined by "; " (caller frees); NULL when it has none. */
static char *activity_warnings(const res_file *f) {
        const cJSON *w = f->activity ? cJSON_GetObjectItemCaseSensitive(f->activity, "warnings") : NULL, *e;
        char *buf = NULL;
        size_t len = 0;
        FILE *m = open_memstream(&buf, &len);
        if (!m)
                return NULL;
        bool any = false;
        cJSON_ArrayForEach(e, w) {
                if (!cJSON_IsString(e))
                        continue;
                fprintf(m, "%s%s", any ? "; " : "", e->valuestring);
                any = true;
        }
        if (fclose(m) != 0 || !any) {
                free(buf);
                return NULL;
        }
        return buf;
}

static int env_diffs(const res_file *base, const res_file *cur, cmp_report *r) {
        for (size_t i = 0; i < ELEMENTSOF(env_facts); i++) {
                bool in_base, in_cur;
                const cJSON *b = host_fact(base->host, env_facts[i].key, env_facts[i].sub, &in_base),
                            *c = host_fact(cur->host, env_facts[i].key, env_facts[i].sub, &in_cur);
                if ((!in_base || !in_cur) && !env_facts[i].always)
                        continue;
                if (add_fact_diff(r, env_facts[i].field, b, c, env_facts[i].show) < 0)
                        return -ENOMEM;
        }
        bool present;
        if (mitigation_diffs(host_fact(base->host, "mitigations", NULL, &present),
                             host_fact(cur->host, "mitigations", NULL, &present), r) < 0)
                return -ENOMEM;
        /* a host that was busy or stolen from: its figures may be off, whatever the other says */
        _cleanup_free_ char *bw = activity_warnings(base), *cw = activity_warnings(cur);
        if (bw || cw) {
                if (add_env_diff(r, "host activity", bw ? bw : "quiet", cw ? cw : "quiet") < 0)
                        return -ENOMEM;
                r->env_diffs[r->n_env_diffs - 1].advisory = true;
        }
        /* per configuration, in base order, once each */
        for (size_t i = 0; i < base->n_series; i++) {
                const char *conf = base->series[i].configuration;
                bool seen = false;
                for (size_t k = 0; k < i && !seen; k++)
                        seen = !strcmp(base->series[k].configuration, conf);
                if (seen)
                        continue;
                /* a VM's accel, an OCI runtime's name and version: figures of another kind */
                for (int rt = 0; rt < 2; rt++) {
                        bool in_base, in_cur;
                        const char *b = config_label(base, conf, rt, &in_base),
                                   *c = config_label(cur, conf, rt, &in_cur);
                        if (!in_cur || same(b, c))
                                continue;
                        _cleanup_free_ char *field = NULL;
                        if (asprintf(&field, "%s (%s)", rt ? "runtime" : "accel", conf) < 0 ||
                            add_env_diff(r, field, b, c) < 0)
                                return -ENOMEM;
                }
        }
        return 0;
}

static cmp_opts resolve_opts(const cmp_opts *o) {
        cmp_opts d = {
                .threshold_pct = DEFAULT_THRESHOLD_PCT,
                .alpha = DEFAULT_ALPHA,
                .bootstrap = DEFAULT_BOOTSTRAP,
                .seed = DEFAULT_SEED,
        };
        if (o) {
                d = *o;
                if (d.bootstrap == 0)
                        d.bootstrap = DEFAULT_BOOTSTRAP;
        }
        return d;
}

static int check_opts(const cmp_opts *o, bench_error **err) {
        if (!(o->threshold_pct >= 0) || !isfinite(o->threshold_pct))
                return bench_error_set(err, EINVAL, "threshold %g%% is not a percentage of 0 or more",
                                       o->threshold_pct);
        if (!(o->alpha > 0 && o->alpha < 1))
                return bench_error_set(err, EINVAL, "alpha %g is not between 0 and 1", o->alpha);
        if (!(o->equivalence_pct >= 0 && o->equivalence_pct < 100))
                return bench_error_set(err, EINVAL,
                                       "equivalence margin %g%% is not a percentage above 0 and below 100 "
                                       "(0: off)",
                                       o->equivalence_pct);
        return 0;
}

int cmp_parse_margin(const char *s, double *ret_pct, bench_error **err) {
        /* digits with at most one dot, then an optional %: no sign, exponent, hex, space or unit */
        size_t digits = 0, dots = 0, len = s ? strlen(s) : 0;
        if (len > 0 && s[len - 1] == '%')
                len--;
        bool ok = len > 0 && len < 32;
        for (size_t i = 0; ok && i < len; i++) {
                if (s[i] >= '0' && s[i] <= '9')
                        digits++;
                else if (s[i] == '.')
                        dots++;
                else
                        ok = false;
        }
        double v = 0;
        if (ok && digits > 0 && dots <= 1) {
                char buf[32];
                memcpy(buf, s, len);
                buf[len] = '\0';
                v = strtod(buf, NULL);
        }
        if (!ok || digits == 0 || dots > 1 || !(v > 0 && v < 100))
                return bench_error_set(err, EINVAL,
                                       "--equivalence: `%s` is not a margin; give a percentage above 0 and "
                                       "below 100, e.g. --equivalence 2%%",
                                       s ? s : "");
        *ret_pct = v;
        return 0;
}

int cmp_files(const res_file *base, const res_file *cur, const cmp_opts *o, cmp_report *ret,
              bench_error **err) {
        if (!base || !cur || !ret)
                return bench_error_set(err, EINVAL, "nothing to compare");
        cmp_opts opts = resolve_opts(o);
        int r = check_opts(&opts, err);
        if (r < 0)
                return r;
        _cleanup_(cmp_report_clear) cmp_report rep = {.opts = opts};
        size_t cap = 0;
        for (size_t i = 0; i < base->n_series; i++) {
                const res_series *b = &base->series[i];
                const res_series *c = res_find_like(cur, b, NULL);
                if (!c) {
                        if (add_key(&rep.only_in_base, &rep.n_only_base, b) < 0)
                                return bench_error_set(err, ENOMEM, "out of memory");
                        continue;
                }
                cmp_row row;
                if (make_row(b, c, &opts, &row) < 0 || add_row(&rep, &row, &cap) < 0)
                        return bench_error_set(err, ENOMEM, "out of memory");
        }
        for (size_t i = 0; i < cur->n_series; i++) {
                const res_series *c = &cur->series[i];
                if (!res_find_like(base, c, NULL) && add_key(&rep.only_in_cur, &rep.n_only_cur, c) < 0)
                        return bench_error_set(err, ENOMEM, "out of memory");
        }
        if (rep.n_rows == 0)
                return bench_error_set(err, EINVAL,
                                       "no (workload, configuration, metric) in common: %zu series only in "
                                       "the base, %zu only in the new file",
                                       rep.n_only_base, rep.n_only_cur);
        if (env_diffs(base, cur, &rep) < 0)
                return bench_error_set(err, ENOMEM, "out of memory");
        /* another bench run measured alongside either (bench run --allow-concurrent): said with the rest */
        if (base->n_concurrent || cur->n_concurrent) {
                char b[64], c[64];
                snprintf(b, sizeof(b), "%zu other run%s measured alongside", base->n_concurrent,
                         base->n_concurrent == 1 ? "" : "s");
                snprintf(c, sizeof(c), "%zu other run%s measured alongside", cur->n_concurrent,
                         cur->n_concurrent == 1 ? "" : "s");
                if (add_env_diff(&rep, "concurrent runs", b, c) < 0)
                        return bench_error_set(err, ENOMEM, "out of memory");
        }
        *ret = rep;
        rep = (cmp_report){0};
        return 0;
}

int cmp_overhead(const res_file *f, const char *baseline, const cmp_opts *o, cmp_report *ret,
                 bench_error **err) {
        if (!f || !ret)
                return bench_error_set(err, EINVAL, "nothing to compare");
        if (!baseline)
                baseline = "bare";
        cmp_opts opts = resolve_opts(o);
        int r = check_opts(&opts, err);
        if (r < 0)
                return r;
        bool found;
        config_accel(f, baseline, &found);
        if (!found) {
                /* name the configurations there are, so that the user can pick one */
                _cleanup_free_ char *names = NULL;
                size_t len = 0;
                FILE *m = open_memstream(&names, &len);
                if (!m)
                        return bench_error_set(err, ENOMEM, "out of memory");
                for (size_t i = 0; i < f->n_series; i++) {
                        bool seen = false;
                        for (size_t k = 0; k < i && !seen; k++)
                                seen = !strcmp(f->series[k].configuration, f->series[i].configuration);
                        if (!seen)
                                fprintf(m, "%s`%s`", ftell(m) ? ", " : "", f->series[i].configuration);
                }
                fclose(m);
                return bench_error_set(
                        err, EINVAL, "no baseline configuration `%s` in the results (there %s: %s)", baseline,
                        f->n_series ? "are" : "is", names && *names ? names : "none");
        }
        _cleanup_(cmp_report_clear) cmp_report rep = {.opts = opts, .baseline = strdup(baseline)};
        if (!rep.baseline)
                return bench_error_set(err, ENOMEM, "out of memory");
        size_t cap = 0;
        for (size_t i = 0; i < f->n_series; i++) {
                const res_series *c = &f->series[i];
                if (!strcmp(c->configuration, baseline))
                        continue;
                const res_series *b = res_find_like(f, c, baseline);
                if (!b) {
                        /* a metric the baseline has not (phases, overhead_kib): listed, not compared */
                        if (add_key(&rep.only_in_cur, &rep.n_only_cur, c) < 0)
                                return bench_error_set(err, ENOMEM, "out of memory");
                        continue;
                }
                cmp_row row;
                if (make_row(b, c, &opts, &row) < 0 || add_row(&rep, &row, &cap) < 0)
                        return bench_error_set(err, ENOMEM, "out of memory");
        }
        if (rep.n_rows == 0)
                return bench_error_set(err, EINVAL,
                                       "no configuration besides `%s` shares a metric with it: nothing to "
                                       "compare",
                                       baseline);
        *ret = rep;
        rep = (cmp_report){0};
        return 0;
}

void cmp_report_clear(cmp_report *r) {
        if (!r)
                return;
        free(r->rows);
        for (size_t i = 0; i < r->n_env_diffs; i++) {
                free(r->env_diffs[i].field);
                free(r->env_diffs[i].base);
                free(r->env_diffs[i].cur);
        }
        free(r->env_diffs);
        for (size_t i = 0; i < r->n_only_base; i++)
                free(r->only_in_base[i]);
        free(r->only_in_base);
        for (size_t i = 0; i < r->n_only_cur; i++)
                free(r->only_in_cur[i]);
        free(r->only_in_cur);
        free(r->baseline);
        *r = (cmp_report){0};
}
