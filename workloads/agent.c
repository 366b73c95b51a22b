/* SPDX-License-Identifier: MIT */
/*
 * What a workload calls (agent.h): typed params, the metric, note and hold
 * lines, the PRNG; and the JSON line writer agent_main.c writes the
 * protocol's other lines with. No main() here: bench links this file with
 * the workloads for their specs (the catalog), bench-agent for their runs.
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../common/cleanup.h"
#include "../common/util.h"
#include "agent-internal.h"
#include "agent.h"

/* ---- output: whole JSON lines, each written with one write(2) ---- */

static void jl_reserve(jline *l, size_t more) {
        if (l->len + more + 1 <= l->cap)
                return;
        size_t cap = l->cap ? l->cap : 256;
        while (cap < l->len + more + 1)
                cap *= 2;
        char *nb = realloc(l->buf, cap);
        if (!nb) {
                /* nothing sensible is left to do without memory for one line */
                static const char msg[] = "bench-agent: out of memory\n";
                (void)!write(STDERR_FILENO, msg, sizeof(msg) - 1);
                _exit(1);
        }
        l->buf = nb;
        l->cap = cap;
}

static void jl_putn(jline *l, const char *s, size_t n) {
        jl_reserve(l, n);
        memcpy(l->buf + l->len, s, n);
        l->len += n;
        l->buf[l->len] = '\0';
}

static void jl_puts(jline *l, const char *s) {
        jl_putn(l, s, strlen(s));
}

__attribute__((format(printf, 2, 3))) static void jl_printf(jline *l, const char *fmt, ...) {
        char small[128];
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(small, sizeof(small), fmt, ap);
        va_end(ap);
        if (n < 0)
                return;
        if ((size_t)n < sizeof(small)) {
                jl_putn(l, small, (size_t)n);
                return;
        }
        jl_reserve(l, (size_t)n);
        va_start(ap, fmt);
        vsnprintf(l->buf + l->len, (size_t)n + 1, fmt, ap);
        va_end(ap);
        l->len += (size_t)n;
}

/* Length of a valid UTF-8 sequence at s (RFC 3629), 0 if invalid. */
static size_t utf8_seq_len(const unsigned char *s) {
        unsigned char c = s[0];
        if (c >= 0xc2 && c <= 0xdf)
                return (s[1] & 0xc0) == 0x80 ? 2 : 0;
        if (c >= 0xe0 && c <= 0xef) {
                unsigned char lo = c == 0xe0 ? 0xa0 : 0x80, hi = c == 0xed ? 0x9f : 0xbf;
                return s[1] >= lo && s[1] <= hi && (s[2] & 0xc0) == 0x80 ? 3 : 0;
        }
        if (c >= 0xf0 && c <= 0xf4) {
                unsigned char lo = c == 0xf0 ? 0x90 : 0x80, hi = c == 0xf4 ? 0x8f : 0xbf;
                return s[1] >= lo && s[1] <= hi && (s[2] & 0xc0) == 0x80 && (s[3] & 0xc0) == 0x80 ? 4 : 0;
        }
        return 0;
}

/* A JSON string: quotes, escapes, control characters, invalid UTF-8 as U+FFFD. */
static void jl_json_string(jline *l, const char *s) {
        jl_putn(l, "\"", 1);
        const unsigned char *p = (const unsigned char *)(s ? s : "");
        while (*p) {
                unsigned char c = *p;
                if (c == '"' || c == '\\') {
                        char esc[2] = {'\\', (char)c};
                        jl_putn(l, esc, 2);
                        p++;
                } else if (c < 0x20) {
                        switch (c) {
                        case '\n':
                                jl_puts(l, "\\n");
                                break;
                        case '\r':
                                jl_puts(l, "\\r");
                                break;
                        case '\t':
                                jl_puts(l, "\\t");
                                break;
                        default:
                                jl_printf(l, "\\u%04x", c);
                        }
                        p++;
                } else if (c < 0x80) {
                        jl_putn(l, (const char *)p, 1);
                        p++;
                } else {
                        size_t n = utf8_seq_len(p);
                        if (n) {
                                jl_putn(l, (const char *)p, n);
                                p += n;
                        } else {
                                jl_puts(l, "\\ufffd");
                                p++;
                        }
                }
        }
        jl_putn(l, "\"", 1);
}

static void jl_key(jline *l, const char *key) {
        if (l->fields)
                jl_putn(l, ",", 1);
        l->fields = true;
        jl_json_string(l, key);
        jl_putn(l, ":", 1);
}

void jl_begin(jline *l, const char *type) {
        l->len = 0;
        l->fields = false;
        jl_putn(l, "{", 1);
        jl_key(l, "type");
        jl_json_string(l, type);
}

void jl_str(jline *l, const char *key, const char *value) {
        jl_key(l, key);
        jl_json_string(l, value);
}

void jl_i64(jline *l, const char *key, long long value) {
        jl_key(l, key);
        jl_printf(l, "%lld", value);
}

void jl_bool(jline *l, const char *key, bool value) {
        jl_key(l, key);
        jl_puts(l, value ? "true" : "false");
}

void jl_double(jline *l, const char *key, double value) {
        jl_key(l, key);
        jl_printf(l, "%.17g", value);
}

/* Set once stdout fails (the reader went away): nothing more is run. */
static int out_broken;

/* Ends the line and writes it at once: the reader sees whole lines only. */
int jl_end(jline *l) {
        jl_puts(l, "}\n");
        int r = out_broken ? out_broken : bench_write_all(STDOUT_FILENO, l->buf, l->len);
        if (r < 0)
                out_broken = r;
        l->len = 0;
        l->fields = false;
        return r;
}

void jl_free(jline *l) {
        free(l->buf);
        *l = (jline){0};
}

/* ---- what workloads call ---- */

/* The workload's given value of the spec (the plan's text), NULL: the catalog default applies. */
static const char *param_given(const wl_ctx *ctx, const bench_opt_spec *s) {
        for (size_t i = 0; i < ctx->n_params; i++)
                if (ctx->params[i].spec == s)
                        return ctx->params[i].value;
        return NULL;
}

static const bench_opt_spec *param_spec(const wl_ctx *ctx, const char *name, bench_opt_type type) {
        return bench_opt_expect(ctx->spec->params, name, BENCH_OPT_AS(type), ctx->spec->name);
}

uint64_t wl_param_size(const wl_ctx *ctx, const char *name) {
        const bench_opt_spec *s = param_spec(ctx, name, BENCH_OPT_SIZE);
        return bench_opt_text_uint(s, param_given(ctx, s), ctx->spec->name);
}

uint64_t wl_param_uint(const wl_ctx *ctx, const char *name) {
        const bench_opt_spec *s = param_spec(ctx, name, BENCH_OPT_UINT);
        return bench_opt_text_uint(s, param_given(ctx, s), ctx->spec->name);
}

double wl_param_duration_ms(const wl_ctx *ctx, const char *name) {
        const bench_opt_spec *s = param_spec(ctx, name, BENCH_OPT_DURATION);
        return bench_opt_text_ms(s, param_given(ctx, s), ctx->spec->name);
}

bool wl_param_bool(const wl_ctx *ctx, const char *name) {
        const bench_opt_spec *s = param_spec(ctx, name, BENCH_OPT_BOOL);
        return bench_opt_text_bool(s, param_given(ctx, s), ctx->spec->name);
}

const char *wl_param_string(const wl_ctx *ctx, const char *name) {
        const bench_opt_spec *s = param_spec(ctx, name, BENCH_OPT_STRING);
        const char *given = param_given(ctx, s);
        return given ? given : s->def;
}

int wl_emit(wl_ctx *ctx, const char *metric, double value, bench_error **err) {
        const wl_metric_spec *m = wl_metric_find(ctx->spec, metric);
        if (!m)
                return bench_error_set(err, EINVAL, "metric `%s` is not in the catalog of `%s`", metric,
                                       ctx->spec->name);
        if (!isfinite(value))
                return bench_error_set(err, ERANGE, "metric `%s` is not a finite number", metric);
        _cleanup_(jl_free) jline l = {0};
        jl_begin(&l, "metric");
        jl_i64(&l, "index", (long long)ctx->index);
        jl_str(&l, "workload", ctx->spec->name);
        jl_str(&l, "metric", metric);
        jl_str(&l, "unit", m->unit);
        jl_str(&l, "better", m->better);
        jl_double(&l, "value", value);
        /* the resolved depth: with bottom=true only the agent knows it */
        if (ctx->depth)
                jl_i64(&l, "depth", ctx->depth);
        int r = jl_end(&l);
        if (r < 0)
                return bench_error_errno(err, r, "cannot write metric `%s` to stdout", metric);
        return 0;
}

void wl_note(wl_ctx *ctx, const char *fmt, ...) {
        _cleanup_free_ char *msg = NULL;
        va_list ap;
        va_start(ap, fmt);
        if (vasprintf(&msg, fmt, ap) < 0)
                msg = NULL;
        va_end(ap);
        _cleanup_(jl_free) jline l = {0};
        jl_begin(&l, "note");
        jl_i64(&l, "index", (long long)ctx->index);
        jl_str(&l, "message", msg ? msg : "?");
        jl_end(&l);
}

int wl_hold(wl_ctx *ctx, double timeout_ms, bench_error **err) {
        _cleanup_(jl_free) jline l = {0};
        jl_begin(&l, "hold");
        jl_i64(&l, "index", (long long)ctx->index);
        jl_str(&l, "workload", ctx->spec->name);
        int r = jl_end(&l);
        if (r < 0)
                return bench_error_errno(err, r, "cannot write the hold line to stdout");

        uint64_t deadline = bench_now_ns() + (uint64_t)(timeout_ms * 1e6);
        for (;;) {
                uint64_t now = bench_now_ns();
                if (now >= deadline) {
                        wl_note(ctx, "hold timed out");
                        return 0;
                }
                /* round up so that we never spin on a 0 ms poll */
                uint64_t left_ms = (deadline - now + 999999) / 1000000;
                struct pollfd pfd = {.fd = STDIN_FILENO, .events = POLLIN};
                r = poll(&pfd, 1, left_ms > INT_MAX ? INT_MAX : (int)left_ms);
                if (r < 0) {
                        if (errno == EINTR)
                                continue;
                        return bench_error_errno(err, errno, "cannot wait on stdin for the release byte");
                }
                if (r == 0)
                        continue;
                /* stdin closed or not open at all: nobody can release us, so go on */
                if (pfd.revents & POLLNVAL)
                        return 0;
                char byte;
                ssize_t n = read(STDIN_FILENO, &byte, 1);
                if (n < 0) {
                        if (errno == EINTR || errno == EAGAIN)
                                continue;
                        return bench_error_errno(err, errno, "cannot read the release byte from stdin");
                }
                return 0; /* the byte, or EOF */
        }
}

double wl_elapsed_s(uint64_t start_ns, uint64_t end_ns) {
        uint64_t d = end_ns > start_ns ? end_ns - start_ns : 1;
        return (double)d / 1e9;
}
