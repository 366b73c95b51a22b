/* SPDX-License-Identifier: MIT */
#pragma once

/* What the scheduler (run.c) shares with the host-side workloads that start environments themselves. */

#include <stdbool.h>
#include <stdint.h>

#include "../results/result.h"
#include "activity.h"
#include "pinning.h"
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
        int rep;          /* measured repetition index, -1 during warmup */
        char accel[16];   /* of the last environment, "" if its driver has none */
        char runtime[64]; /* the external runtime of the last environment ("crun 1.8.1"), "" if none */
        char worst[192];  /* adaptive runs: ", worst 3.1% cpu/bare/ops_per_s" for the progress line */
} run_ctx;

/* The labels the next series get from an environment: its accelerator and its runtime. */
void run_take_labels(run_ctx *c, const rt_driver *drv, rt_env *env);

/* "repetition 2/5  name  what" on stderr when progress is on. */
void run_progress(run_ctx *c, const suite_config *cfg, const char *what);
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
void run_record_error(run_ctx *c, const suite_config *cfg, const char *workload, const char *msg);
/* The driver's view of a configuration for this run. */
void run_env_config(const run_ctx *c, const suite_config *cfg, rt_config *ret);

/* density.c: N environments of cfg up at once, for each N of the workload; -EINTR if interrupted */
int run_density(run_ctx *c, const suite_config *cfg, const suite_workload *w);
