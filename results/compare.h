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
        CMP_NOISY,   /* neither significant and beyond, nor surely within */
        CMP_TOO_FEW, /* fewer than 3 samples on a side */
} cmp_verdict;
/* "unchanged", "improved", "regressed", "too noisy", "too few samples" */
const char *cmp_verdict_name(cmp_verdict v);
/* The same, or for an overhead table: "no difference", "better", "worse", ... */
const char *cmp_verdict_word(cmp_verdict v, bool overhead);

typedef struct cmp_row {
        const res_series *base, *cur; /* not owned */
        double base_median, cur_median;
        double ratio, ratio_low, ratio_high; /* cur/base, bootstrap 95% CI */
        double p_value;                      /* Mann-Whitney U, two-sided */
        double change_pct;                   /* (ratio - 1) * 100, signed */
        cmp_verdict verdict;
} cmp_row;

typedef struct cmp_opts {
        double threshold_pct; /* default 5 */
        double alpha;         /* default 0.05 */
        unsigned bootstrap;   /* resamples, default 2000 */
        uint64_t seed;        /* bootstrap seed, default fixed */
} cmp_opts;

typedef struct cmp_env_diff {
        char *field, *base, *cur; /* "kernel", "6.1", "6.18" */
        bool advisory;            /* said, but --strict-env does not refuse for it: a file's host activity */
} cmp_env_diff;

typedef struct cmp_report {
        cmp_row *rows;
        size_t n_rows;
        size_t n_regressed, n_improved, n_noisy, n_too_few, n_unchanged;
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
int cmp_bootstrap_ratio(const double *base, size_t nb, const double *cur, size_t nc, unsigned resamples,
                        uint64_t seed, double *ret_low, double *ret_high);
