/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>

#include "../common/error.h"
#include "../results/result.h"
#include "suite.h"

/* What `bench run` says on stderr while it runs. */
typedef enum run_progress_mode {
        RUN_PROGRESS_NONE,  /* --quiet: only what cannot wait (notes, fatal errors) */
        RUN_PROGRESS_LINES, /* stderr is a file or a pipe (CI): a line per repetition, errors as they happen
                             */
        RUN_PROGRESS_TTY,   /* a terminal: one line redrawn in place, errors printed above it */
} run_progress_mode;

typedef struct run_opts {
        const char *output;     /* result file, replaced after every repetition */
        const char *agent_path; /* bench-agent */
        const char *workdir;    /* parent of the run's private state dir */
        run_progress_mode progress;
        struct runlock *lock; /* the host's run lock (harness/runlock.h), NULL = none */
        unsigned flags;
} run_opts;

/*
 * Runs a validated suite: pinning, probes (skips), warmup + repetitions with
 * configurations in seeded shuffled order, one environment per startup
 * sample and one per repetition for the rest of the workloads. The result
 * file is written after every repetition; *ret_file holds the model.
 * Returns 0, or -EINTR when interrupted (the file is still valid), or
 * another -errno when the run could not go on (the file is valid too).
 */
/* "bench: error in cfg/workload (repetition 2, warmup): reason" on stderr, names and reason made safe. */
void run_eprint_error(const res_issue *e);

int bench_run(const suite *s, const run_opts *o, res_file **ret_file, bench_error **err);
