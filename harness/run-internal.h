/* SPDX-License-Identifier: MIT */
#pragma once

/* What the scheduler (run.c) shares with the host-side workloads that start environments themselves. */

#include <stdbool.h>
#include <stdint.h>

#include "../results/result.h"
#include "activity.h"
#include "pinning.h"
#include "progress.h"
#include "run.h"
#include "session.h"
#include "suite.h"

typedef struct run_ctx {
        const suite *s;
        const run_opts *o;
        res_file *f;
        pin_plan pin;
        char *state_dir;
        cJSON *seen;   /* per configuration: what the agent saw from inside */
        activity *act; /* sampled at every write of the result: between repetitions */
        uint64_t rng;
        unsigned rep_total, rep_index;
        bool warmup;
        int rep;           /* measured repetition index, -1 during warmup */
        char accel[16];    /* of the last environment, "" if its driver has none */
        char runtime[64];  /* the external runtime of the last environment ("crun 1.8.1"), "" if none */
        char worst[192];   /* adaptive runs: ", worst 3.1% cpu/bare/ops_per_s" for the progress line */
        progress prog;     /* units of work planned and done: the percent and the ETA */
        uint64_t *per_rep; /* per progress key: its units in one repetition */
        bool *prepared;    /* per configuration: an environment of it was made (the first may build images) */
        size_t unit_key;   /* the unit under way */
        uint64_t unit_t0;
        unsigned cols;  /* the terminal's width: a longer line would wrap and not be redrawn in place */
        char line[768]; /* the progress line as last drawn: redrawn under an error */
        char what[128]; /* what the unit under way runs */
        char wait[192]; /* what it waits for now ("vm: booting (tcg), ~2.1 s each"), "" if nothing */
} run_ctx;

/* The labels the next series get from an environment: its accelerator and its runtime. */
void run_take_labels(run_ctx *c, const rt_driver *drv, rt_env *env);

/* "repetition 2/5  40%  ETA 12 s  name  what": the terminal's progress line, redrawn (nothing off a
 * terminal). */
void run_progress(run_ctx *c, const suite_config *cfg, const char *what);
/*
 * A unit of work of the plan (w NULL: the environment of the repetition's other workloads) begins and
 * ends: its time teaches the ETA. Called between measurements, never inside a timed section.
 */
void run_unit_begin(run_ctx *c, const suite_config *cfg, const suite_workload *w, const char *what);
void run_unit_end(run_ctx *c);
/* " (agent stderr: ...)" or "" */
const char *run_stderr_note(const session *ss, char *buf, size_t len);
/* "exit status 3", "killed by signal 9 (Killed)" */
void run_describe_status(int status, char *buf, size_t len);
/* A cached artefact that failed its check was rebuilt: said once, and kept in the result. */
void run_take_cache_notes(run_ctx *c, const suite_config *cfg);
void run_remember_seen(run_ctx *c, const suite_config *cfg, const session *ss);
/* The series the value went to (k, n: density's, 0 = none); NULL during warmup or out of memory. */
res_series *run_record_at(run_ctx *c, const suite_config *cfg, const suite_workload *w, const char *metric,
                          const char *unit, const char *better, double value, unsigned k, unsigned n);
/* Recorded in errors[], and said at once unless --quiet (above the progress line on a terminal). */
void run_record_error(run_ctx *c, const suite_config *cfg, const char *workload, const char *msg);
/* The driver's view of a configuration for this run. */
void run_env_config(const run_ctx *c, const suite_config *cfg, rt_config *ret);

/* density.c: N environments of cfg up at once, for each N of the workload; -EINTR if interrupted */
int run_density(run_ctx *c, const suite_config *cfg, const suite_workload *w);
