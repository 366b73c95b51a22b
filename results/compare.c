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
        }
        return "?";
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
                return cmp_verdict_name(v);
        }
        return "?";
}

/* ---- Mann-Whitney U ---- */

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
        const double *f = prev + n * w;
        double total = 0, le = 0, ge = 0;
        for (size_t k = 0; k <= umax; k++) {
                total += f[k];
                if (k <= u)
                        le += f[k];
                if (k >= u)
                        ge += f[k];
        }
        *ret_le = le / total;
        *ret_ge = ge / total;
        return 0;
}

/*
 * Two-sided p-value of the Mann-Whitney U test.
 * - Both samples of at most 20 and no tied values anywhere: the exact null
 *   distribution, p = min(1, 2 min(P(U <= U_a), P(U >= U_a))) (as R's
 *   wilcox.test(exact=TRUE) and SciPy's method="exact").
 * - Otherwise the normal approximation with the tie correction of the
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

/* cmp_mann_whitney_p of the two sides sorted: the joint ranks come from merging them, O(na + nb) */
static double mann_whitney_sorted(const double *a, size_t na, const double *b, size_t nb) {
        if (!a || !b || na == 0 || nb == 0)
                return NAN;
        size_t n = na + nb;
        /* average ranks (1-based) of each group of equal values, and the tie term sum(t^3 - t) */
        double rank_sum_a = 0, tie_term = 0;
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
                for (size_t k = 0; k < in_a; k++) /* added one by one: the sums of before, bit for bit */
                        rank_sum_a += rank;
                pos += group;
        }
        double m = (double)na, nn = (double)nb;
        double u_a = rank_sum_a - m * (m + 1) / 2.0;

        if (!ties && na <= EXACT_MAX_N && nb <= EXACT_MAX_N) {
                double le, ge;
                if (exact_tails(na, nb, (size_t)llround(u_a), &le, &ge) < 0)
                        return NAN;
                double p = 2.0 * (le < ge ? le : ge);
                return p > 1.0 ? 1.0 : p;
        }
        double big_n = (double)n;
        double var = m * nn / 12.0 * ((big_n + 1) - tie_term / (big_n * (big_n - 1)));
        if (!(var > 0))
                return 1.0;
        double d = fabs(u_a - m * nn / 2.0) - 0.5;
        double z = (d > 0 ? d : 0) / sqrt(var);
        double p = erfc(z / M_SQRT2);
        return p > 1.0 ? 1.0 : p;
}

double cmp_mann_whitney_p(const double *a, size_t na, const double *b, size_t nb) {
        if (!a || !b || na == 0 || nb == 0)
                return NAN;
        _cleanup_free_ double *sa = NULL, *sb = NULL;
        if (sorted_copy(a, na, &sa) < 0 || sorted_copy(b, nb, &sb) < 0)
                return NAN;
        return mann_whitney_sorted(sa, na, sb, nb);
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

/*
 * Percentile bootstrap of median(cur) / median(base): each side resampled
 * with replacement on its own, the 2.5th and 97.5th percentiles (type 7) of
 * the ratios. -EDOM when a resampled base median is not positive (no ratio).
 * Up to BOOTSTRAP_DRAW_MAX_N samples a side every resample is drawn (O(n)
 * each, the intervals bench always gave); above, each resample median is
 * drawn as an order statistic of the sorted sample (O(1) each, the same
 * bootstrap distribution, other random numbers).
 */
/* sorted_base and sorted_cur: the sides sorted, needed above BOOTSTRAP_DRAW_MAX_N only */
static int bootstrap_ratio(const double *base, const double *sorted_base, size_t nb, const double *cur,
                           const double *sorted_cur, size_t nc, unsigned resamples, uint64_t seed,
                           double *ret_low, double *ret_high) {
        bool draw = nb <= BOOTSTRAP_DRAW_MAX_N && nc <= BOOTSTRAP_DRAW_MAX_N;
        _cleanup_free_ double *ratios = calloc(resamples, sizeof(double));
        _cleanup_free_ double *scratch = draw ? calloc(nb > nc ? nb : nc, sizeof(double)) : NULL;
        if (!ratios || (draw && !scratch))
                return -ENOMEM;
        bench_rng r;
        bench_rng_seed(&r, seed);
        for (unsigned i = 0; i < resamples; i++) {
                double mb = draw ? resample_median(&r, base, nb, scratch)
                                 : order_stat_median(&r, sorted_base, nb);
                double mc =
                        draw ? resample_median(&r, cur, nc, scratch) : order_stat_median(&r, sorted_cur, nc);
                if (!(mb > 0))
                        return -EDOM;
                ratios[i] = mc / mb;
        }
        res_sort(ratios, resamples);
        *ret_low = bench_percentile_sorted(ratios, resamples, 2.5);
        *ret_high = bench_percentile_sorted(ratios, resamples, 97.5);
        return 0;
}

int cmp_bootstrap_ratio(const double *base, size_t nb, const double *cur, size_t nc, unsigned resamples,
                        uint64_t seed, double *ret_low, double *ret_high) {
        if (!base || !cur || nb == 0 || nc == 0 || resamples == 0)
                return -EINVAL;
        _cleanup_free_ double *sb = NULL, *sc = NULL;
        if (sorted_copy(base, nb, &sb) < 0 || sorted_copy(cur, nc, &sc) < 0)
                return -ENOMEM;
        return bootstrap_ratio(base, sb, nb, cur, sc, nc, resamples, seed, ret_low, ret_high);
}

/* ---- rows and verdicts ---- */

static cmp_verdict verdict_of(const cmp_row *row, const cmp_opts *o) {
        if (row->base->n_samples < MIN_SAMPLES || row->cur->n_samples < MIN_SAMPLES)
                return CMP_TOO_FEW;
        /* no ratio (a median of 0 or below): nothing can be said about a change */
        if (!isfinite(row->ratio))
                return CMP_NOISY;
        double t = o->threshold_pct / 100.0;
        bool lower_is_better = strcmp(row->base->better, "higher") != 0;
        bool up = row->ratio > 1 + t, down = row->ratio < 1 - t;
        bool worse = lower_is_better ? up : down, better = lower_is_better ? down : up;
        bool significant = row->p_value < o->alpha;
        if (significant && worse)
                return CMP_REGRESSED;
        if (significant && better)
                return CMP_IMPROVED;
        if (row->ratio_low >= 1 - t && row->ratio_high <= 1 + t)
                return CMP_UNCHANGED;
        return CMP_NOISY;
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
                .ratio = NAN,
                .ratio_low = NAN,
                .ratio_high = NAN,
                .change_pct = NAN,
                .p_value = mann_whitney_sorted(sb, nb, sc, nc),
        };
        if (row.base_median > 0 && row.cur_median >= 0) {
                row.ratio = row.cur_median / row.base_median;
                row.change_pct = (row.ratio - 1) * 100;
                int r = o->bootstrap == 0
                                ? -EINVAL
                                : bootstrap_ratio(base->samples, sb, nb, cur->samples, sc, nc, o->bootstrap,
                                                  o->seed, &row.ratio_low, &row.ratio_high);
                if (r == -ENOMEM)
                        return r;
                if (r < 0)
                        row.ratio = row.ratio_low = row.ratio_high = row.change_pct = NAN;
        }
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

static const char *host_string(const cJSON *host, const char *key) {
        const cJSON *j = host ? cJSON_GetObjectItemCaseSensitive(host, key) : NULL;
        return cJSON_IsString(j) ? j->valuestring : NULL;
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

static int env_diffs(const res_file *base, const res_file *cur, cmp_report *r) {
        static const char *const fields[] = {"kernel", "cpu_model", "cgroup_mode", "bench_version"};
        for (size_t i = 0; i < ELEMENTSOF(fields); i++) {
                const char *b = host_string(base->host, fields[i]), *c = host_string(cur->host, fields[i]);
                if (!same(b, c) && add_env_diff(r, fields[i], b, c) < 0)
                        return -ENOMEM;
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
