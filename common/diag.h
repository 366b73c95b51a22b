/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdarg.h>
#include <stddef.h>

/*
 * A list of user-facing problems, for validators that report every problem
 * they find instead of stopping at the first. Each message is complete:
 * "suite.json:14:9: workloads[2].kind: unknown workload `membandwith`
 * (did you mean `membw`?)".
 */
typedef struct bench_diags {
        char **msgs;
        size_t n, cap;
} bench_diags;

void bench_diags_add(bench_diags *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void bench_diags_addv(bench_diags *d, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
void bench_diags_clear(bench_diags *d);
