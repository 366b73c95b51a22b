/* SPDX-License-Identifier: MIT */
#include "session.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../common/cleanup.h"
#include "../common/json.h"
#include "../common/util.h"
#include "../workloads/catalog.h"
#include "interrupt.h"

static void close_channel(session *s);

void session_clear(session *s) {
        close_channel(s);
        cJSON_Delete(s->agent_info);
        for (size_t i = 0; i < s->n_metrics; i++) {
                free(s->metrics[i].metric);
                free(s->metrics[i].unit);
                free(s->metrics[i].better);
        }
        free(s->metrics);
        for (size_t i = 0; i < s->n_item_errors; i++)
                free(s->item_errors[i].message);
        free(s->item_errors);
        for (size_t i = 0; i < s->n_notes; i++)
                free(s->notes[i].message);
        free(s->notes);
        *s = (session){0};
}

size_t session_items_arrived(const session *s, size_t n_items, bool *got) {
        for (size_t i = 0; i < n_items; i++)
                got[i] = false;
        for (size_t i = 0; i < s->n_metrics; i++)
                if (s->metrics[i].index < n_items)
                        got[s->metrics[i].index] = true;
        for (size_t i = 0; i < s->n_holds; i++)
                if (s->holds[i].index < n_items)
                        got[s->holds[i].index] = true;
        for (size_t i = 0; i < s->n_item_errors; i++)
                if (s->item_errors[i].index < n_items)
                        got[s->item_errors[i].index] = true;
        size_t missing = 0;
        for (size_t i = 0; i < n_items; i++)
                missing += !got[i];
        return missing;
}

static const char *str_field(const cJSON *o, const char *key) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
        return cJSON_IsString(v) ? v->valuestring : NULL;
}

static int index_field(const cJSON *o, unsigned *ret) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, "index");
        if (!cJSON_IsNumber(v) || v->valuedouble < 0 || v->valuedouble > 1e6)
                return -EPROTO;
        *ret = (unsigned)v->valuedouble;
        return 0;
}

static int add_metric(session *s, unsigned index, const char *metric, const char *unit, const char *better,
                      double value, unsigned depth) {
        if (s->n_metrics == s->cap_metrics) {
                size_t cap = s->cap_metrics ? s->cap_metrics * 2 : 16;
                session_metric *m = realloc(s->metrics, cap * sizeof(*m));
                if (!m)
                        return -ENOMEM;
                s->metrics = m;
                s->cap_metrics = cap;
        }
        session_metric *m = &s->metrics[s->n_metrics];
        *m = (session_metric){.index = index, .value = value, .depth = depth};
        m->metric = strdup(metric);
        m->unit = strdup(unit);
        m->better = strdup(better);
        if (!m->metric || !m->unit || !m->better) {
                free(m->metric);
                free(m->unit);
                free(m->better);
                return -ENOMEM;
        }
        s->n_metrics++;
        return 0;
}

static int add_message(session_item_error **array, size_t *n, size_t *cap, unsigned index,
                       const char *message) {
        if (*n == *cap) {
                size_t ncap = *cap ? *cap * 2 : 4;
                session_item_error *e = realloc(*array, ncap * sizeof(*e));
                if (!e)
                        return -ENOMEM;
                *array = e;
                *cap = ncap;
        }
        (*array)[*n].index = index;
        (*array)[*n].message = strdup(message ? message : "(no message)");
        (*n)++;
        return 0;
}

static int add_item_error(session *s, unsigned index, const char *message) {
        return add_message(&s->item_errors, &s->n_item_errors, &s->cap_item_errors, index, message);
}

static int handle_line(session *s, const rt_driver *drv, rt_env *env, int in_fd, const char *line,
                       bench_error **err) {
        _cleanup_json_ cJSON *o = cJSON_Parse(line);
        if (!o || !cJSON_IsObject(o))
                return bench_error_set(err, EPROTO, "agent sent a line that is not a JSON object: %.200s",
                                       line);
        const char *type = str_field(o, "type");
        unsigned index = 0;
        if (!type)
                return bench_error_set(err, EPROTO, "agent line without \"type\": %.200s", line);
        if (!strcmp(type, "agent")) {
                cJSON_Delete(s->agent_info);
                s->agent_info = steal_pointer(&o);
                return 0;
        }
        if (!strcmp(type, "end")) {
                const cJSON *st = cJSON_GetObjectItemCaseSensitive(o, "status");
                s->ended = true;
                s->end_status = cJSON_IsNumber(st) ? (int)st->valuedouble : -1;
                return 0;
        }
        if (!strcmp(type, "done"))
                return 0;
        if (index_field(o, &index) < 0)
                return bench_error_set(err, EPROTO, "agent %s line without a valid index: %.200s", type,
                                       line);
        if (!strcmp(type, "note"))
                return add_message(&s->notes, &s->n_notes, &s->cap_notes, index, str_field(o, "message")) < 0
                               ? bench_error_set(err, ENOMEM, "out of memory")
                               : 0;
        if (!strcmp(type, "metric")) {
                const char *metric = str_field(o, "metric"), *unit = str_field(o, "unit"),
                           *better = str_field(o, "better");
                const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, "value");
                /* optional: an older agent sends none */
                const cJSON *d = cJSON_GetObjectItemCaseSensitive(o, "depth");
                if (!metric || !unit || !better || !cJSON_IsNumber(v) || !isfinite(v->valuedouble) ||
                    (d && (!cJSON_IsNumber(d) || d->valuedouble < 1 || d->valuedouble > 1e6)))
                        return bench_error_set(err, EPROTO, "malformed metric line from the agent: %.200s",
                                               line);
                if (add_metric(s, index, metric, unit, better, v->valuedouble,
                               d ? (unsigned)d->valuedouble : 0) < 0)
                        return bench_error_set(err, ENOMEM, "out of memory");
                return 0;
        }
        if (!strcmp(type, "error"))
                return add_item_error(s, index, str_field(o, "message")) < 0
                               ? bench_error_set(err, ENOMEM, "out of memory")
                               : 0;
        if (!strcmp(type, "hold") && s->manual_holds) {
                /* the caller measures and releases (session_release) */
                s->held = true;
                s->n_held++;
                return 0;
        }
        if (!strcmp(type, "hold")) {
                /* the agent holds its memory: measure the environment, then release it */
                rt_metric measured[RT_MAX_METRICS];
                _cleanup_error_ bench_error *merr = NULL;
                int n_measured = drv->measure(env, measured, &merr);
                if (n_measured < 0)
                        add_item_error(s, index, merr && merr->msg ? merr->msg : "measure failed");
                else if (s->n_holds < ELEMENTSOF(s->holds)) {
                        s->holds[s->n_holds].index = index;
                        memcpy(s->holds[s->n_holds].metrics, measured,
                               (size_t)n_measured * sizeof(rt_metric));
                        s->holds[s->n_holds].n_metrics = (size_t)n_measured;
                        s->n_holds++;
                }
                if (in_fd >= 0) {
                        ssize_t n;
                        while ((n = write(in_fd, "g", 1)) < 0 && errno == EINTR)
                                ;
                }
                return 0;
        }
        /* unknown line types are ignored: a newer agent may say more */
        return 0;
}

void session_attach(session *s, rt_launch *launch) {
        s->out_fd = take_fd(&launch->out_fd);
        s->in_fd = take_fd(&launch->in_fd);
        s->err_fd = take_fd(&launch->err_fd);
        s->attached = true;
        s->eof = s->out_fd < 0;
        /* stderr is best effort: never let it block the protocol */
        if (s->err_fd >= 0)
                fcntl(s->err_fd, F_SETFL, fcntl(s->err_fd, F_GETFL) | O_NONBLOCK);
}

static void close_channel(session *s) {
        if (!s->attached)
                return;
        closep(&s->out_fd);
        closep(&s->in_fd);
        closep(&s->err_fd);
        s->out_fd = s->in_fd = s->err_fd = -1;
        free(s->buf);
        s->buf = NULL;
        s->len = s->cap = 0;
        s->attached = false;
}

static void read_stderr(session *s) {
        while (s->err_fd >= 0) {
                char eb[sizeof(s->stderr_tail)];
                ssize_t m = read(s->err_fd, eb, sizeof(eb));
                if (m > 0) {
                        bench_keep_tail(s->stderr_tail, sizeof(s->stderr_tail), eb, (size_t)m);
                        continue;
                }
                if (m == 0 || (errno != EINTR && errno != EAGAIN)) {
                        closep(&s->err_fd);
                        s->err_fd = -1;
                }
                if (m < 0 && errno == EINTR)
                        continue;
                break;
        }
}

/* The complete lines in s->buf; a trailing partial line stays. */
static int handle_lines(session *s, const rt_driver *drv, rt_env *env, bench_error **err) {
        char *start = s->buf, *nl;
        int r;
        while ((nl = memchr(start, '\n', s->len - (size_t)(start - s->buf)))) {
                *nl = '\0';
                if (nl > start && (r = handle_line(s, drv, env, s->in_fd, start, err)) < 0)
                        return r;
                start = nl + 1;
        }
        s->len -= (size_t)(start - s->buf);
        memmove(s->buf, start, s->len);
        return 0;
}

int session_feed(session *s, const rt_driver *drv, rt_env *env, short out_revents, short err_revents,
                 bench_error **err) {
        if (err_revents)
                read_stderr(s);
        if (!out_revents || s->eof)
                return 0;
        if (s->len + 4096 > s->cap) {
                size_t cap = s->cap ? s->cap * 2 : 65536;
                if (cap > (64u << 20))
                        return bench_error_set(err, E2BIG, "agent line longer than 64 MiB");
                char *nb = realloc(s->buf, cap);
                if (!nb)
                        return bench_error_set(err, ENOMEM, "out of memory");
                s->buf = nb;
                s->cap = cap;
        }
        ssize_t m = read(s->out_fd, s->buf + s->len, s->cap - s->len - 1);
        if (m < 0) {
                if (errno == EINTR || errno == EAGAIN)
                        return 0;
                return bench_error_errno(err, errno, "reading the agent's output");
        }
        if (m == 0) {
                s->t_eof_ns = bench_now_ns();
                s->eof = true;
                closep(&s->out_fd);
                s->out_fd = -1;
                /* drain what stderr still holds, for error messages */
                read_stderr(s);
                if (s->len > 0) {
                        s->buf[s->len] = '\0';
                        s->len = 0;
                        int r = handle_line(s, drv, env, s->in_fd, s->buf, err);
                        if (r < 0)
                                return r;
                }
                if (!s->t_ready_ns)
                        return bench_error_set(err, EPROTO, "the agent exited without its ready byte");
                return 0;
        }
        char *got = s->buf + s->len;
        if (!s->t_ready_ns) {
                /* the clock stops at the first byte: nothing else comes before it */
                s->t_ready_ns = bench_now_ns();
                if ((unsigned char)got[0] != WL_READY_BYTE)
                        return bench_error_set(err, EPROTO,
                                               "agent's first byte is 0x%02x, not the ready byte 0x%02x",
                                               (unsigned char)got[0], WL_READY_BYTE);
                memmove(got, got + 1, (size_t)m - 1);
                m--;
        }
        s->len += (size_t)m;
        s->buf[s->len] = '\0';
        return handle_lines(s, drv, env, err);
}

static bool reached(const session *s, session_until what) {
        switch (what) {
        case SESSION_UNTIL_EOF:
                return s->eof;
        case SESSION_UNTIL_READY:
                return s->t_ready_ns != 0;
        case SESSION_UNTIL_HOLD:
                return s->held;
        }
        return true;
}

int session_read_until(session *s, const rt_driver *drv, rt_env *env, session_until what,
                       uint64_t deadline_ns, bench_error **err) {
        while (!reached(s, what)) {
                if (s->eof)
                        return bench_error_set(err, EPROTO, "the agent's output ended before its %s",
                                               what == SESSION_UNTIL_HOLD ? "hold line" : "ready byte");
                struct pollfd p[3] = {
                        {.fd = s->out_fd, .events = POLLIN},
                        {.fd = s->err_fd, .events = POLLIN},
                        {.fd = bench_interrupt_fd(), .events = POLLIN},
                };
                uint64_t now = bench_now_ns();
                if (now >= deadline_ns)
                        return bench_error_set(err, ETIMEDOUT, "%s",
                                               s->t_ready_ns ? "timed out"
                                                             : "timed out before the agent was ready");
                int timeout_ms = (int)((deadline_ns - now) / 1000000) + 1;
                int n = poll(p, 3, timeout_ms);
                if (n < 0 && errno != EINTR)
                        return bench_error_errno(err, errno, "poll");
                if (bench_interrupted())
                        return bench_error_set(err, EINTR, "interrupted");
                if (n <= 0)
                        continue;
                int r = session_feed(s, drv, env, p[0].revents, p[1].revents, err);
                if (r < 0)
                        return r;
        }
        return 0;
}

int session_release(session *s, bench_error **err) {
        if (!s->held)
                return 0;
        s->held = false;
        if (!s->attached || s->in_fd < 0)
                return bench_error_set(err, EPIPE, "no channel to the agent to release its hold");
        ssize_t n;
        while ((n = write(s->in_fd, "g", 1)) < 0 && errno == EINTR)
                ;
        if (n < 0)
                return bench_error_errno(err, errno, "releasing the agent's hold");
        return 0;
}

int session_read(session *s, const rt_driver *drv, rt_env *env, rt_launch *launch, uint64_t deadline_ns,
                 bench_error **err) {
        session_attach(s, launch);
        int r = session_read_until(s, drv, env, SESSION_UNTIL_EOF, deadline_ns, err);
        close_channel(s);
        return r;
}
