/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "../common/json.h"

#include "../common/error.h"
#include "stats.h"

#define RES_SCHEMA "bench.result/1"
/* The most environments one density step holds at once (a series' k and n). */
#define RES_MAX_ENVS 100000 /* = DENSITY_MAX_ENVS (workloads/catalog.h) */

/*
 * Adaptive runs (results/adaptive.h): how near the 95% interval of a
 * series' median came to the run's target, relative to the median.
 */
typedef struct res_precision {
        bool assessed;    /* false: no record (a fixed run, or a derived series: overhead_kib) */
        bool has_reached; /* false: no 95% interval yet (ci_level < 0.95), or a median of 0 whose
                           * interval is not [0, 0] (nothing to be relative to) */
        double reached;   /* max(median - ci95_low, ci95_high - median) / |median| */
        bool met;         /* has_reached and reached <= the target */
} res_precision;

/* One metric of one workload in one configuration: its samples and stats. */
typedef struct res_series {
        char *workload;      /* the suite's workload name (instance) */
        char *kind;          /* workload kind: "cpu", "fileio", ... */
        char *configuration; /* the suite's configuration name */
        char *config_kind;   /* "bare", "container", "vm", "oci" */
        char *metric, *unit, *better;
        char *accel;    /* vm only: "kvm" / "tcg"; else NULL */
        char *runtime;  /* oci only: the runtime's name and version ("crun 1.8.1"); else NULL */
        unsigned depth; /* layer depth the workload ran at (depth=D, bottom resolved), 0 = none */
        /* density: the k-th environment started (k-1 already up), and N environments up; 0 = none.
         * Part of the series key: two k (or two n) of one metric are two series. */
        unsigned k, n;
        cJSON *params; /* owned; the workload's params as run, may be NULL */
        double *samples;
        size_t n_samples, cap;
        res_stats stats;
        bool has_stats;
        res_precision precision; /* JSON "precision": {"reached", "met"}, adaptive runs only */
} res_series;

/* A skip (could not run, with why) or an error (ran and failed, with why). */
typedef struct res_issue {
        char *configuration; /* NULL = the whole run */
        char *workload;      /* NULL = every workload of the configuration */
        int repetition;      /* 0-based; -1 = not tied to one repetition */
        bool warmup;         /* the repetition was a (discarded) warmup */
        char *reason;
} res_issue;

/* Why an adaptive run ended (JSON adaptive.stopped_by). */
typedef enum res_stop {
        RES_STOP_NONE,            /* still running, or killed outright (null) */
        RES_STOP_PRECISION,       /* every series met the target */
        RES_STOP_MAX_REPETITIONS, /* the cap on measured repetitions, before the target */
        RES_STOP_MAX_TIME,        /* another repetition would likely have ended past max_time */
        RES_STOP_INTERRUPTED,     /* a signal (the file's `interrupted` says which) */
} res_stop;
/* "precision", "max_repetitions", ...; NULL for RES_STOP_NONE */
const char *res_stop_name(res_stop s);

/* The series an adaptive run was farthest from its target with (its key, and where it was). */
typedef struct res_worst {
        char *workload, *configuration, *metric; /* NULL: no series assessed yet */
        unsigned k, n;
        res_precision precision;
} res_worst;

/* JSON "adaptive": present when the suite gave a precision. */
typedef struct res_adaptive {
        bool on;
        double precision;         /* the target: 0.02 = every median's 95% interval within +-2% of it */
        unsigned max_repetitions; /* cap on measured repetitions */
        double max_time_s;        /* cap on the run's wall time, 0 = none (null) */
        res_stop stopped_by;
        unsigned repetitions; /* measured (= repetitions_done) */
        res_worst worst;
} res_adaptive;
/* Another `bench run` that measured on the host while this one did (harness/runlock.c). */
typedef struct res_concurrent {
        int pid;
        char *suite;           /* its suite's name */
        char *started_at;      /* RFC 3339 UTC */
        bool allow_concurrent; /* it was started with --allow-concurrent */
} res_concurrent;

typedef struct res_file {
        cJSON *host;     /* owned: host capture (harness/host.c) */
        cJSON *suite;    /* owned: the suite as run */
        cJSON *pinning;  /* owned: what was chosen and what the agent saw */
        cJSON *activity; /* owned: what else ran on the host (harness/activity.h); may be NULL */
        char *started_at, *finished_at; /* RFC 3339 UTC */
        bool complete;                  /* false while running and after an interruption */
        char *interrupted;              /* NULL, or why the run stopped early ("SIGINT") */
        unsigned repetitions_done;
        res_adaptive adaptive;
        bool allow_concurrent;      /* started with --allow-concurrent */
        res_concurrent *concurrent; /* the other runs that measured during this one */
        size_t n_concurrent;
        res_series *series;
        size_t n_series, cap_series;
        res_issue *skipped, *errors, *notes;
        size_t n_skipped, n_errors, n_notes, cap_skipped, cap_errors, cap_notes;
} res_file;

res_file *res_file_new(void);
void res_file_free(res_file *f);
static inline void res_file_freep(res_file **f) {
        res_file_free(*f);
}

/*
 * The series for this key (workload, configuration, metric), created on first
 * use (params copied); NULL if out of memory or a string is NULL. The pointer
 * stays valid until the next res_series_get() or res_finalize() (they may
 * move the array).
 */
res_series *res_series_get(res_file *f, const char *workload, const char *kind, const char *configuration,
                           const char *config_kind, const char *metric, const char *unit, const char *better,
                           const cJSON *params);
/* The same with the series' k and n (density: 0 = none) in the key. */
res_series *res_series_get_at(res_file *f, const char *workload, const char *kind, const char *configuration,
                              const char *config_kind, const char *metric, const char *unit,
                              const char *better, const cJSON *params, unsigned k, unsigned n);
int res_series_add(res_series *s, double value);
/* Whether res_finalize derived the series from others (overhead_kib of a non-bare configuration). */
bool res_series_is_derived(const res_series *s);
/* The series without k and n. */
const res_series *res_find(const res_file *f, const char *workload, const char *configuration,
                           const char *metric);
/* The series of this whole key: like's workload, configuration (or configuration if not NULL), metric, k, n.
 */
const res_series *res_find_like(const res_file *f, const res_series *like, const char *configuration);
/*
 * The configuration overheads are measured against: the first of kind bare
 * with results, else the suite's first of kind bare; NULL when there is none.
 */
const char *res_bare_configuration(const res_file *f);
/* The metric as tables show it: "start_ms", "start_ms k=3", "mem_per_env_kib n=8". */
const char *res_metric_label(const res_series *s, char *buf, size_t len);

void res_add_skip(res_file *f, const char *configuration, const char *workload, int repetition, bool warmup,
                  const char *fmt, ...) __attribute__((format(printf, 6, 7)));
void res_add_error(res_file *f, const char *configuration, const char *workload, int repetition, bool warmup,
                   const char *fmt, ...) __attribute__((format(printf, 6, 7)));

/* A note qualifies a measurement ("O_DIRECT refused: buffered I/O"). */
void res_add_note(res_file *f, const char *configuration, const char *workload, int repetition, bool warmup,
                  const char *fmt, ...) __attribute__((format(printf, 6, 7)));

/* Replaces f->concurrent with a copy of runs[0..n): 0 or -ENOMEM (f unchanged). */
int res_set_concurrent(res_file *f, const res_concurrent *runs, size_t n);

/*
 * Recomputes stats of every series and derives overhead_kib series
 * (footprint_kib - median bare footprint) for non-bare configurations.
 * Idempotent: call it after every repetition.
 */
int res_finalize(res_file *f, bench_error **err);

/*
 * JSON text of the whole file (schema bench.result/1), caller frees; NULL if
 * out of memory. Doubles are printed so that they read back bit for bit.
 */
char *res_to_json(const res_file *f);
/* Parses and checks a result file's text; errors name the field. */
int res_from_json(const char *text, const char *path, res_file **ret, bench_error **err);
/* Reads the file at path and res_from_json()s it; errors name the file. */
int res_read_file(const char *path, res_file **ret, bench_error **err);
/* res_to_json + atomic replace. */
int res_write(const res_file *f, const char *path, bench_error **err);
