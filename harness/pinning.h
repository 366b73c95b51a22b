/* SPDX-License-Identifier: MIT */
#pragma once

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <sched.h>
#include <stddef.h>

#include "../common/json.h"

#include "../common/cpulist.h"
#include "../common/error.h"
#include "suite.h"

/*
 * CPU placement (hwloc). auto: the harness keeps one core (where the host
 * has two or more) and the workload gets whole cores of the same NUMA node,
 * never an SMT sibling of the harness core.
 */
typedef struct pin_plan {
        suite_pin_mode mode;
        char harness_cpus[256];  /* cpu list, "" = unbound */
        char workload_cpus[256]; /* cpu list, "" = unbound */
        cpu_set_t harness_set, workload_set;
        char note[256]; /* e.g. "single core host: harness and workload share core 0" */
} pin_plan;

int pin_plan_make(suite_pin_mode mode, const char *cpus, pin_plan *ret, bench_error **err);
/* Binds the calling process (the harness) to harness_cpus (no-op if unbound). */
int pin_apply_harness(const pin_plan *p, bench_error **err);
/* {"mode":..., "harness_cpus":..., "workload_cpus":..., "note":...} */
cJSON *pin_plan_to_json(const pin_plan *p);
