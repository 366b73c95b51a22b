/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * A fleet: the result files of one suite run on many hosts, one file per
 * host, in one directory (filled by `bench fleet run`, an ssh loop or a CI
 * matrix alike: only the result files count).
 *
 * The analysis goes within each host first: every non-bare configuration
 * against the host's bare one, metric by metric, with its bootstrap 95%
 * interval (cmp_overhead, the overhead table of one file). Then across
 * hosts, per (workload, configuration, metric): the median of the hosts'
 * ratios, min and max, the spread (max/min and the MAD relative to the
 * median) and the hosts that stand out. A host stands out when both
 *  - its 95% interval excludes the fleet median (its own noise cannot
 *    explain the distance), and
 *  - its modified z-score 0.6745 (ratio - median) / MAD among the hosts
 *    exceeds RES_OUTLIER_Z (3.5; Iglewicz & Hoaglin, the outlier rule of
 *    results/stats.h, MeanAD standing in when MAD is 0), and
 *  - its distance from the median exceeds the threshold (cmp_opts, 5% of
 *    the median; a difference: of max(|bare|, |value|) on that host), so
 *    that hosts within a few percent of each other never single one out,
 * and at least FLEET_MIN_HOSTS hosts have the metric. Hosts are grouped by
 * fingerprint (CPU model, kernel, accel, cgroup mode) with per-group medians.
 */

#include <stdbool.h>
#include <stddef.h>

#include "../common/error.h"
#include "compare.h"
#include "result.h"

/* The manifest `bench fleet run` writes into the dir; not a result file. */
#define FLEET_MANIFEST "fleet.json"
/* Fewer hosts with a metric than this: no host is said to stand out (a median of two is no norm). */
#define FLEET_MIN_HOSTS 3
/* The most result files a fleet dir may hold, and the largest one (a guard against the wrong dir). */
#define FLEET_MAX_FILES 10000
#define FLEET_MAX_FILE_BYTES (512u << 20)

/* What makes hosts comparable: two hosts with one fingerprint should measure alike. */
typedef struct fleet_fingerprint {
        char *cpu_model, *kernel, *cgroup_mode; /* host.*; "?" when missing */
        char *accel; /* the VM accels of the file's series ("kvm", "tcg"), "-" none */
} fleet_fingerprint;

typedef struct fleet_host {
        char *file; /* DIR/NAME (as is: NAME may hold any byte but '/'; escape it to show it) */
        char *key;  /* host.allocation.slurm.node when present, else host.hostname */
        res_file *res;
        fleet_fingerprint fp;
        bool partial;        /* the run did not finish (interrupted, killed): kept, marked */
        char *node_state;    /* the manifest's state of its node when not done ("timeout"), else NULL */
        const char *bare;    /* the baseline configuration (in res), NULL: the host has none */
        char *no_overhead;   /* why the host has no overhead table (no bare, nothing shared), else NULL */
        cmp_report overhead; /* its configurations against bare (fleet_analyze) */
        size_t group;        /* index into fleet.groups */
} fleet_host;

/* One (workload, configuration, metric) across the hosts. */
typedef struct fleet_metric {
        char *workload, *configuration, *label, *unit; /* label: res_metric_label ("start_ms k=3") */
        cmp_by by;               /* ratio (most), or difference (a bare median <= 0: overhead_kib) */
        const cmp_row **rows;    /* per host (n_hosts entries), NULL where the host lacks it */
        bool *stands_out;        /* per host */
        size_t n;                /* hosts with a finite value */
        double median, min, max; /* of the hosts' values (ratio or difference) */
        size_t min_host, max_host;
        double max_over_min;  /* max / min (ratio rows with min > 0), else NAN */
        double mad;           /* median absolute deviation of the hosts' values from median */
        double rel_mad_pct;   /* 100 MAD / |median| (NAN at a median of 0) */
        double *group_median; /* per group (n_groups), NAN where no host of the group has it */
        size_t n_stand_out;
} fleet_metric;

typedef struct fleet_group {
        fleet_fingerprint fp; /* borrowed from its first host */
        size_t *hosts, n_hosts;
} fleet_group;

/* A node of the manifest that brought no result (pending, failed, timeout, cancelled). */
typedef struct fleet_missing {
        char *node, *state, *reason; /* reason may be NULL */
        int exit_code;
        bool has_exit_code;
} fleet_missing;

typedef struct fleet {
        char *dir;
        char *suite;      /* the suite's name ("(unnamed)" when it has none) */
        char *suite_sig;  /* what every file must agree on: name, workloads, configurations */
        char *suite_file; /* the first file, which set suite_sig */
        fleet_host *hosts;
        size_t n_hosts;
        fleet_metric *metrics;
        size_t n_metrics;
        fleet_group *groups;
        size_t n_groups;
        fleet_missing *missing;
        size_t n_missing;
        bool has_manifest;
        char *manifest_state; /* the job's state from the manifest, NULL without one */
        cmp_opts opts;        /* as used by fleet_analyze */
} fleet;

fleet *fleet_new(const char *dir);
void fleet_free(fleet *f);
static inline void fleet_freep(fleet **f) {
        fleet_free(*f);
}

/*
 * Adds a host's results (taking res, also on failure): -EINVAL when file
 * is of another suite than the hosts before it, or its host key is
 * another file's already; the message names both files and the fix.
 */
int fleet_add(fleet *f, const char *file, res_file *res, bench_error **err);

/*
 * Every *.json of dir but fleet.json (names starting with '.' are temp
 * files of a writer: skipped; other names: not results, skipped), each
 * read without following a symlink through the strict reader. Any file
 * that cannot be read or is not a result of this schema version, of this
 * suite, or of a host not yet seen: -EINVAL naming it. No result file at
 * all: -ENOENT. fleet.json, when present, adds its nodes without a result
 * to f->missing.
 */
int fleet_load(const char *dir, fleet **ret, bench_error **err);

/* Per host, then across hosts (the rule at the top). o may be NULL (compare's defaults). */
int fleet_analyze(fleet *f, const cmp_opts *o, bench_error **err);

/* The value a row contributes across hosts: its ratio (or difference); NAN if none. */
double fleet_row_value(const cmp_row *r);
/* The row's 95% interval of that value. */
void fleet_row_interval(const cmp_row *r, double *ret_low, double *ret_high);
/* "cpu_model / kernel / accel / cgroup_mode" of a group as one line (caller frees). */
char *fleet_fingerprint_text(const fleet_fingerprint *fp);

/*
 * Two fleets, host by host (matched by key): per pair the single compare
 * (cmp_files), and how the fingerprints differ. Hosts on one side only are
 * listed. No host in common: -EINVAL.
 */
typedef struct fleet_pair {
        const fleet_host *base, *cur; /* not owned */
        cmp_report cmp;
        char *fp_differs; /* "kernel: 6.1 -> 6.8; accel: kvm -> tcg", NULL when alike */
} fleet_pair;

typedef struct fleet_comparison {
        fleet_pair *pairs;
        size_t n_pairs;
        const fleet_host **only_base, **only_cur;
        size_t n_only_base, n_only_cur;
        size_t n_regressed_hosts, n_env_differs;
        cmp_opts opts;
} fleet_comparison;

int fleet_compare(const fleet *base, const fleet *cur, const cmp_opts *o, fleet_comparison *ret,
                  bench_error **err);
void fleet_comparison_clear(fleet_comparison *c);
