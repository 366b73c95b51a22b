/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * The JSON line writer of agent.c, shared with agent_main.c (the agent,
 * error, done and end lines). Each line goes out with one write(2), so the
 * host reads whole lines only; once stdout fails every later jl_end fails.
 */
#include <stdbool.h>
#include <stddef.h>

typedef struct jline {
        char *buf;
        size_t len, cap;
        bool fields; /* a field was written: the next needs a comma */
} jline;

/* Starts {"type":TYPE ... */
void jl_begin(jline *l, const char *type);
void jl_str(jline *l, const char *key, const char *value);
void jl_i64(jline *l, const char *key, long long value);
void jl_bool(jline *l, const char *key, bool value);
void jl_double(jline *l, const char *key, double value);
/* Ends the line and writes it to stdout: 0 or -errno. */
int jl_end(jline *l);
void jl_free(jline *l);
