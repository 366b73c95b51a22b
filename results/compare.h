/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * Comparing result files: per (workload, configuration, metric) the medians,
 * their ratio NEW/BASE with a bootstrap 95% interval, a two-sided
 * Mann-Whitney U p-value, and a verdict. Regressed = significant (p < alpha)
 * AND the ratio beyond the threshold in the metric's worse direction;
 * improved likewise in the better direction; unchanged when the interval
 * lies inside +-threshold; too noisy when neither can be said; too few
 * samples (< 3 on either side) is said as such, never guessed.
 *
 * With an equivalence margin m (cmp_opts.equivalence_pct) the verdicts are
 * three: equivalent when the 90% interval lies inside 1 +- m (two one-sided
 * tests at alpha 0.05), different (regressed / improved) when significant
 * and outside the margin (the margin takes the threshold's place), else
 * inconclusive with an estimate of how many more samples a side would
 * settle it.
 *
 * A metric whose base median is not positive (overhead_kib) has no ratio:
 * such rows compare the difference NEW - BASE in the metric's unit, the
 * threshold and margin taken as a percentage of max(|base median|, |new
 * median|).
 */

#include <stdbool.h>
#include <stddef.h>

#include "../common/json.h"

#include "../common/error.h"
#include "result.h"

typedef enum cmp_verdict {
        CMP_UNCHANGED,
        CMP_IMPROVED,
        CMP_REGRESSED,
        CMP_NOISY,          /* neither significant and beyond, nor surely within */
        CMP_TOO_FEW,        /* fewer than 3 samples on a side */
        CMP_EQUIVALENT,     /* with a margin: the 90% interval inside it */
        CMP_INCONCLUSIVE,   /* with a margin: neither equivalent nor different */
        CMP_BETTER_DIFFERS, /* the sides disagree on the metric's `better`: unusable */
} cmp_verdict;
/*
 * "unchanged", "improved", "regressed", "too noisy", "too few samples",
 * "equivalent", "inconclusive", "better differs"
 */
const char *cmp_verdict_name(cmp_verdict v);
/* The same, or for an overhead table: "no difference", "better", "worse", ... */
const char *cmp_verdict_word(cmp_verdict v, bool overhead);

/* How a p-value was computed */
typedef enum cmp_p_method {
        CMP_P_NONE,       /* no p-value (an empty side) */
        CMP_P_EXACT,      /* no ties: the exact distribution of U */
        CMP_P_EXACT_TIES, /* ties: the exact permutation distribution of the mid-rank sum */
        CMP_P_NORMAL,     /* the normal approximation (large samples) */
} cmp_p_method;
/* "exact", "exact-ties", "normal" (NULL for CMP_P_NONE) */
const char *cmp_p_method_name(cmp_p_method m);

/* What a row compares: the ratio NEW/BASE, or (no ratio: a base median <= 0) the difference */
typedef enum cmp_by {
        CMP_BY_RATIO,
        CMP_BY_DIFFERENCE,
} cmp_by;
/* "ratio", "difference" */
const char *cmp_by_name(cmp_by by);

/* n_more above this is said as "more than CMP_N_MORE_CAP" (n_more_capped) */
#define CMP_N_MORE_CAP 1000

typedef struct cmp_row {
        const res_series *base, *cur; /* not owned */
        double base_median, cur_median;
        cmp_by by;
        double ratio, ratio_low, ratio_high; /* cur/base, bootstrap 95% CI (ratio rows) */
        double ratio90_low, ratio90_high;    /* bootstrap 90% CI (ratio rows) */
        double diff, diff_low, diff_high;    /* cur - base, bootstrap 95% CI (difference rows) */
        double diff90_low, diff90_high;      /* bootstrap 90% CI (difference rows) */
        double p_value;                      /* Mann-Whitney U, two-sided */
        cmp_p_method p_method;               /* how p_value was computed */
        double change_pct;                   /* (ratio - 1) * 100, signed (ratio rows) */
        size_t n_more;      /* inconclusive: about this many more samples a side would settle it; else 0 */
        bool n_more_capped; /* ... more than CMP_N_MORE_CAP (or never at this spread) */
        /* the smallest equivalence margin, in percent, whose test this row passes: its 90% interval
         * lies inside 1 +- within_pct / 100 (a difference: of max(|base|, |new|)); NAN without one */
        double within_pct;
        cmp_verdict verdict;
} cmp_row;

typedef struct cmp_opts {
        double threshold_pct;   /* default 5 */
        double alpha;           /* default 0.05 */
        unsigned bootstrap;     /* resamples, default 2000 */
        uint64_t seed;          /* bootstrap seed, default fixed */
        double equivalence_pct; /* equivalence margin in percent, 0 < m < 100; 0 = off */
} cmp_opts;

/*
 * An equivalence margin as the user gives it: "2", "2%", "0.5%", above 0
 * and below 100. -EINVAL with a message naming the value and the form.
 */
int cmp_parse_margin(const char *s, double *ret_pct, bench_error **err);

typedef struct cmp_env_diff {
        char *field, *base, *cur; /* "kernel", "6.1", "6.18" */
        bool advisory;            /* said, but --strict-env does not refuse for it: a file's host activity */
} cmp_env_diff;

typedef struct cmp_report {
        cmp_row *rows;
        size_t n_rows;
        size_t n_regressed, n_improved, n_noisy, n_too_few, n_unchanged;
        size_t n_equivalent, n_inconclusive, n_better_differs;
        /* the host facts of env_facts[] (kernel, cpu_model, ..., swap), one per differing mitigation,
         * "host activity" when a file has activity warnings, accel and runtime (per config) */
        cmp_env_diff *env_diffs;
        size_t n_env_diffs;
        char **only_in_base, **only_in_cur; /* "workload/configuration/metric" */
        size_t n_only_base, n_only_cur;
        cmp_opts opts;  /* as used (defaults filled in); the formats print them */
        char *baseline; /* cmp_overhead: the baseline configuration; else NULL */
} cmp_report;

/*
 * Two result files. -EINVAL with a message when there is no common metric.
 * o may be NULL (defaults); bootstrap 0 means the default. In cmp_overhead
 * the series without a baseline counterpart go to only_in_cur.
 */
int cmp_files(const res_file *base, const res_file *cur, const cmp_opts *o, cmp_report *ret,
              bench_error **err);
/*
 * Within one file: every non-bare configuration against `bare` (or the
 * configuration named baseline), metric by metric, same statistics: the
 * overhead table ("the container costs x %").
 */
int cmp_overhead(const res_file *f, const char *baseline, const cmp_opts *o, cmp_report *ret,
                 bench_error **err);
void cmp_report_clear(cmp_report *r);
/* plots/verdicts.h renders a cmp_report as text, Markdown, JUnit or JSON. */

/* Statistics (exposed for tests). */
double cmp_mann_whitney_p(const double *a, size_t na, const double *b, size_t nb);
/* The same, and how it was computed (ret_method may be NULL). */
double cmp_mann_whitney(const double *a, size_t na, const double *b, size_t nb, cmp_p_method *ret_method);
int cmp_bootstrap_ratio(const double *base, size_t nb, const double *cur, size_t nc, unsigned resamples,
                        uint64_t seed, double *ret_low, double *ret_high);
