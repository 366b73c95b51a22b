/* SPDX-License-Identifier: MIT */
#pragma once

#include <sched.h>
#include <stddef.h>

#include "error.h"

/* Cpu lists as the kernel writes them: "0-3,6,8-9". */
int bench_cpulist_format(const cpu_set_t *set, char *buf, size_t len);
int bench_cpulist_parse(const char *s, cpu_set_t *ret, bench_error **err);
/* A list of cpus this process may run on; else -ERANGE naming the others. */
int bench_cpulist_check_allowed(const char *s, bench_error **err);
