/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "../common/json.h"

#include "../common/error.h"
#include "../runtimes/driver.h"

/* What one run of the agent in one environment produced. */
typedef struct session_metric {
        unsigned index; /* plan item */
        char *metric, *unit, *better;
        double value;
        unsigned depth; /* the line's "depth": the layer depth it was measured at, 0 = none */
} session_metric;

typedef struct session_item_error {
        unsigned index;
        char *message;
} session_item_error;

typedef struct session {
        uint64_t t_start_ns, t_ready_ns, t_eof_ns; /* t_ready 0 = never came */
        cJSON *agent_info;                         /* the agent's "agent" line */
        session_metric *metrics;
        size_t n_metrics, cap_metrics;
        session_item_error *item_errors;
        size_t n_item_errors, cap_item_errors;
        session_item_error *notes; /* the agent's "note" lines: they qualify a result */
        size_t n_notes, cap_notes;
        /* what the driver measured per hold, by plan index (memory workload) */
        struct {
                unsigned index;
                rt_metric metrics[RT_MAX_METRICS];
                size_t n_metrics;
        } holds[16];
        size_t n_holds;
        bool ended;     /* the agent sent its "end" line */
        int end_status; /* from the "end" line */
        char stderr_tail[2048];
} session;

/*
 * Reads the agent's channel until EOF, the deadline or an interrupt: the
 * ready byte (timestamped on arrival), then JSON lines. A "hold" line is
 * answered by measuring the environment with the driver and writing one
 * byte back. Returns 0 at EOF; -ETIMEDOUT, -EINTR (interrupt) or a
 * protocol error otherwise, with *err set. Fds in launch are closed.
 */
int session_read(session *s, const rt_driver *drv, rt_env *env, rt_launch *launch, uint64_t deadline_ns,
                 bench_error **err);
void session_clear(session *s);
/*
 * Marks in got[0..n_items) the plan items that produced something: a
 * metric, a hold or an error line. Returns how many produced nothing.
 */
size_t session_items_arrived(const session *s, size_t n_items, bool *got);
