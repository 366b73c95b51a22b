/* SPDX-License-Identifier: MIT */
#pragma once
/*
 * What bench was given to run in, for the result's host.allocation: the
 * CPUs it may use, the tightest memory limit over its cgroups, its own
 * cgroup per hierarchy (where its container cgroups nest), and the Slurm
 * job, step and node where it runs in one.
 */
#include <stddef.h>

#include "../common/json.h"

/* {"cpus", "n_cpus", "memory_limit_bytes", "cgroups": {...}, "delegated", "slurm": {...}} */
cJSON *allocation_capture(void);

/*
 * The "slurm" object from an environment (envp NULL-terminated, "K=V"), or
 * NULL when SLURM_JOB_ID is not set. Values come from whoever started bench:
 * ids must be decimal, names printable and short, else the field is null.
 */
cJSON *allocation_slurm(char *const *envp);
