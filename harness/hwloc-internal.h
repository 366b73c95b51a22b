/* SPDX-License-Identifier: MIT */
#pragma once

#include <hwloc.h>

#include "../common/error.h"

/*
 * The process-wide hwloc topology, loaded once (default flags: disallowed
 * PUs of the cgroup cpuset are already left out) and never freed. Shared by
 * pinning.c and host.c. Callers must not modify it.
 */
int bench_hwloc_topology(hwloc_topology_t *ret, bench_error **err);
