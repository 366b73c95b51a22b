/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stdint.h>

/*
 * A typed option: a workload parameter or a configuration-kind option.
 * Declared as data so that the suite validator, `bench-agent --list` and the
 * docs all read the same table.
 */
typedef enum bench_opt_type {
        BENCH_OPT_SIZE,            /* "64M", 65536 (bytes) */
        BENCH_OPT_UINT,            /* 1000 */
        BENCH_OPT_DURATION,        /* "250ms", "2s"; plain numbers are ms */
        BENCH_OPT_BOOL,            /* true / false */
        BENCH_OPT_STRING,          /* any string */
        BENCH_OPT_ENUM,            /* one of .choices ("a|b|c") */
        BENCH_OPT_CPULIST,         /* "0-3,6" */
        BENCH_OPT_STRLIST,         /* array of strings */
        BENCH_OPT_UINT_OR_STRLIST, /* a count, or an array of strings */
} bench_opt_type;

typedef struct bench_opt_spec {
        const char *name;
        bench_opt_type type;
        const char *def;     /* default as a string, NULL = none */
        const char *choices; /* BENCH_OPT_ENUM: "a|b|c" */
        uint64_t min, max;   /* SIZE/UINT (bytes, count), DURATION (ms); max 0 = no limit */
        const char *help;
} bench_opt_spec;

const char *bench_opt_type_name(bench_opt_type t);
/* The spec called name in a {NULL}-terminated table, or NULL. */
const bench_opt_spec *bench_opt_find(const bench_opt_spec *table, const char *name);
/*
 * Checks a scalar value written as a string against its spec. 0, or -EINVAL
 * with a human reason in why ("expected a size such as 64M").
 */
int bench_opt_check(const bench_opt_spec *spec, const char *value, char *why, unsigned why_len);
