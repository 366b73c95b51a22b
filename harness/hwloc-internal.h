/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * hwloc, loaded on first use (hwloc.c): linked, it and libudev cost every
 * bench process ~0.3 ms at start, though only pinning and host capture read
 * the topology. Include this instead of <hwloc.h> (pinning.c, host.c): the
 * calls below then go through the loaded table, which bench_hwloc_topology()
 * has loaded. hwloc.h's static inline helpers (hwloc_get_nbobjs_by_type,
 * hwloc_get_obj_by_type...) call the library by its own names, past the
 * table, and would link it back in (tests/integration/linked_libs.sh
 * catches that): use or add helpers below instead.
 */
#include <hwloc.h>

#include "../common/error.h"

#define BENCH_HWLOC_FUNCS(X)                                                                                 \
        X(hwloc_bitmap_first)                                                                                \
        X(hwloc_bitmap_next)                                                                                 \
        X(hwloc_get_api_version)                                                                             \
        X(hwloc_get_nbobjs_by_depth)                                                                         \
        X(hwloc_get_obj_by_depth)                                                                            \
        X(hwloc_get_type_depth)                                                                              \
        X(hwloc_topology_destroy)                                                                            \
        X(hwloc_topology_get_allowed_cpuset)                                                                 \
        X(hwloc_topology_get_topology_cpuset)                                                                \
        X(hwloc_topology_init)                                                                               \
        X(hwloc_topology_load)

typedef struct bench_hwloc_api {
#define BENCH_HWLOC_FIELD(f) __typeof__(&f) f;
        BENCH_HWLOC_FUNCS(BENCH_HWLOC_FIELD)
#undef BENCH_HWLOC_FIELD
} bench_hwloc_api;

extern const bench_hwloc_api *bench_hw; /* NULL until bench_hwloc_load succeeded */
/* Loads libhwloc once per process; the message says how to get it. */
int bench_hwloc_load(bench_error **err);

/*
 * The process-wide topology, loaded once (default flags: disallowed PUs of
 * the cgroup cpuset are already left out) and never freed; loads libhwloc
 * first. Callers must not modify it.
 */
int bench_hwloc_topology(hwloc_topology_t *ret, bench_error **err);

#ifndef BENCH_HWLOC_NO_MACROS
#define hwloc_bitmap_first (bench_hw->hwloc_bitmap_first)
#define hwloc_bitmap_next (bench_hw->hwloc_bitmap_next)
#define hwloc_get_api_version (bench_hw->hwloc_get_api_version)
#define hwloc_get_nbobjs_by_depth (bench_hw->hwloc_get_nbobjs_by_depth)
#define hwloc_get_obj_by_depth (bench_hw->hwloc_get_obj_by_depth)
#define hwloc_get_type_depth (bench_hw->hwloc_get_type_depth)
#define hwloc_topology_destroy (bench_hw->hwloc_topology_destroy)
#define hwloc_topology_get_allowed_cpuset (bench_hw->hwloc_topology_get_allowed_cpuset)
#define hwloc_topology_get_topology_cpuset (bench_hw->hwloc_topology_get_topology_cpuset)
#define hwloc_topology_init (bench_hw->hwloc_topology_init)
#define hwloc_topology_load (bench_hw->hwloc_topology_load)

/* hwloc_get_nbobjs_by_type through the table: 0 if no level has that type, -1 if several do */
static inline int bench_hwloc_nbobjs_by_type(hwloc_topology_t t, hwloc_obj_type_t type) {
        int depth = hwloc_get_type_depth(t, type);
        if (depth == HWLOC_TYPE_DEPTH_UNKNOWN)
                return 0;
        if (depth == HWLOC_TYPE_DEPTH_MULTIPLE)
                return -1;
        return (int)hwloc_get_nbobjs_by_depth(t, depth);
}

/* hwloc_get_obj_by_type through the table: NULL if no level, or several, have that type */
static inline hwloc_obj_t bench_hwloc_obj_by_type(hwloc_topology_t t, hwloc_obj_type_t type, unsigned idx) {
        int depth = hwloc_get_type_depth(t, type);
        if (depth == HWLOC_TYPE_DEPTH_UNKNOWN || depth == HWLOC_TYPE_DEPTH_MULTIPLE)
                return NULL;
        return hwloc_get_obj_by_depth(t, depth, idx);
}
#endif
