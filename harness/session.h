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
        /* the channel while it is read (session_attach); session_clear closes it */
        bool attached, eof;
        int out_fd, in_fd, err_fd;
        char *buf; /* bytes after the last complete line */
        size_t len, cap;
        /* manual holds (density): a hold line is not answered but marks the session held */
        bool manual_holds, held;
        unsigned n_held; /* hold lines seen in manual mode */
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
 * The same reader in steps, for many environments up at once (density).
 * session_attach takes the fds of launch into s (s->manual_holds set
 * before: hold lines are then left unanswered and set s->held).
 * session_feed reads what poll said is there (revents of s->out_fd and
 * s->err_fd) and handles the complete lines; s->eof at the end.
 * session_read_until polls one session until what says it is reached.
 * session_release answers a manual hold with the byte that ends it.
 */
void session_attach(session *s, rt_launch *launch);
int session_feed(session *s, const rt_driver *drv, rt_env *env, short out_revents, short err_revents,
                 bench_error **err);
typedef enum session_until {
        SESSION_UNTIL_EOF,
        SESSION_UNTIL_READY, /* the ready byte came */
        SESSION_UNTIL_HOLD,  /* a manual hold line came (s->held); EOF before it is an error */
} session_until;
int session_read_until(session *s, const rt_driver *drv, rt_env *env, session_until what,
                       uint64_t deadline_ns, bench_error **err);
int session_release(session *s, bench_error **err);
/*
 * Marks in got[0..n_items) the plan items that produced something: a
 * metric, a hold or an error line. Returns how many produced nothing.
 */
size_t session_items_arrived(const session *s, size_t n_items, bool *got);
