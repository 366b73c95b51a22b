/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "../common/json.h"

#include "../common/diag.h"
#include "../common/jsonpos.h" /* json_locate */
#include "../runtimes/driver.h"
#include "../workloads/catalog.h"

typedef enum suite_pin_mode {
        SUITE_PIN_AUTO, /* hwloc: harness keeps one core, workload gets whole cores */
        SUITE_PIN_NONE, /* no binding at all */
        SUITE_PIN_CPUS, /* workload on the given cpu list */
} suite_pin_mode;

typedef struct suite_config {
        char *name;
        const rt_kind *kind;
        cJSON *options; /* owned; the kind options object (possibly empty) */
} suite_config;

typedef struct suite_param {
        char *key, *value; /* canonical string form, as passed to the agent */
} suite_param;

typedef struct suite_workload {
        char *name; /* unique instance name (defaults to the kind) */
        const wl_spec *spec;
        suite_param *params; /* only the ones the suite set */
        size_t n_params;
        cJSON *params_json; /* owned; params as written (for the result) */
        char **configs;     /* the configurations it runs in, NULL-terminated; NULL = all */
        size_t n_configs;
} suite_workload;

/* Whether the workload runs in the configuration (its "configurations", or all). */
bool suite_workload_applies(const suite_workload *w, const suite_config *cfg);

typedef struct suite {
        char *path;
        char *name;
        unsigned repetitions; /* measured repetitions, >= 1 */
        unsigned warmup;      /* discarded repetitions before them */
        uint64_t seed;        /* shuffle (and any randomness) seed */
        double timeout_s;     /* per environment run */
        /* adaptive repetitions (results/adaptive.h): the target relative half-width of every series'
         * median's 95% interval (0.02 = 2%), 0 = exactly `repetitions`; then repetitions is the minimum */
        double precision;
        unsigned max_repetitions; /* with precision: at most this many measured repetitions */
        double max_time_s;        /* with precision: the run's wall time cap, 0 = none */
        suite_pin_mode pin_mode;
        char *pin_cpus; /* SUITE_PIN_CPUS */
        suite_config *configs;
        size_t n_configs;
        suite_workload *workloads;
        size_t n_workloads;
        cJSON *json; /* owned; the suite as run (overrides applied) */
} suite;

/*
 * The suite's own fields (name, repetitions, warmup, seed, timeout_s,
 * pinning, ...) with their limits and defaults: the validator checks them
 * and the overrides, the model reads them, results/schema.c writes their
 * schema. Unlike kind options and params they take JSON types only ("5" is
 * not a count). {NULL}-terminated.
 */
extern const bench_opt_spec suite_fields[];

typedef struct suite_overrides {
        const char *configs; /* "a,b": keep only these configurations, NULL = all */
        int64_t repetitions; /* < 0 = as in the suite */
        int64_t warmup;      /* < 0 = as in the suite */
        bool has_seed;
        uint64_t seed;
        const char *precision; /* "2%" (--precision), NULL = as in the suite */
        bool has_max_repetitions;
        uint64_t max_repetitions;
        const char *max_time; /* "300" (--max-time, seconds), NULL = as in the suite */
        /* also ask each kind's driver to check its options on this host (layer dirs, cpusets) */
        bool check_host;
} suite_overrides;

/*
 * Parses and validates a suite file. On failure returns -EINVAL and diags
 * holds *every* problem found, each "FILE:LINE:COL: FIELD: what (fix)".
 * overrides may be NULL. Defaults are suite_fields[]'s; a seed not given
 * comes from the clock (and is recorded).
 */
int suite_load(const char *path, const suite_overrides *ov, suite **ret, bench_diags *diags);
/* The same from text (path is only used in messages). */
int suite_parse(const char *text, const char *path, const suite_overrides *ov, suite **ret,
                bench_diags *diags);
void suite_free(suite *s);
/*
 * Sets a string option of every configuration of a kind, in the suite as
 * run too: a command line's word over the file's (bench run --vm-uri).
 */
void suite_set_kind_option(suite *s, const char *kind, const char *option, const char *value);
