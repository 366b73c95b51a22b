/* SPDX-License-Identifier: MIT */
#include "pinning.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../common/cleanup.h"
#include "hwloc-internal.h"

static void bitmap_to_set(hwloc_const_bitmap_t b, cpu_set_t *out) {
        CPU_ZERO(out);
        for (int i = hwloc_bitmap_first(b); i >= 0; i = hwloc_bitmap_next(b, i))
                if (i < CPU_SETSIZE)
                        CPU_SET(i, out);
}

static bool set_is_subset(const cpu_set_t *a, const cpu_set_t *b) {
        cpu_set_t x;
        CPU_AND(&x, a, b);
        return CPU_EQUAL(&x, a);
}

/* What the topology allows (cgroup cpuset) and the affinity we inherited. */
static int allowed_cpus(hwloc_topology_t t, cpu_set_t *ret, bench_error **err) {
        cpu_set_t aff, topo_allowed;
        if (sched_getaffinity(0, sizeof(aff), &aff) < 0)
                return bench_error_errno(err, errno, "pinning: sched_getaffinity");
        bitmap_to_set(hwloc_topology_get_allowed_cpuset(t), &topo_allowed);
        CPU_AND(ret, &aff, &topo_allowed);
        if (CPU_COUNT(ret) == 0)
                return bench_error_set(err, ENODEV, "pinning: no cpu is allowed to this process");
        return 0;
}

/* Cores by logical index; hosts whose topology has no Core level use PUs. */
static int core_depth(hwloc_topology_t t) {
        int d = hwloc_get_type_depth(t, HWLOC_OBJ_CORE);
        if (d < 0)
                d = hwloc_get_type_depth(t, HWLOC_OBJ_PU);
        return d;
}

/* The allowed PUs of core i. */
static void core_cpus(hwloc_topology_t t, int depth, unsigned i, const cpu_set_t *allowed, cpu_set_t *out,
                      cpu_set_t *whole) {
        hwloc_obj_t o = hwloc_get_obj_by_depth(t, depth, i);
        cpu_set_t all;
        bitmap_to_set(o->cpuset, &all);
        if (whole)
                *whole = all;
        CPU_AND(out, &all, allowed);
}

/* The cpus of the NUMA node holding the core's cpus; all cpus if none does. */
static void numa_cpus_of(hwloc_topology_t t, const cpu_set_t *core, cpu_set_t *out) {
        int n = bench_hwloc_nbobjs_by_type(t, HWLOC_OBJ_NUMANODE);
        for (int i = 0; i < n; i++) {
                hwloc_obj_t node = bench_hwloc_obj_by_type(t, HWLOC_OBJ_NUMANODE, (unsigned)i);
                cpu_set_t s;
                bitmap_to_set(node->cpuset, &s);
                if (CPU_COUNT(&s) && set_is_subset(core, &s)) {
                        *out = s;
                        return;
                }
        }
        bitmap_to_set(hwloc_topology_get_topology_cpuset(t), out);
}

static int plan_auto(hwloc_topology_t t, const cpu_set_t *allowed, pin_plan *p) {
        int depth = core_depth(t);
        int n = hwloc_get_nbobjs_by_depth(t, depth);
        int harness_core = -1;
        cpu_set_t node, s, whole, elsewhere;

        CPU_ZERO(&elsewhere);
        for (int i = 0; i < n; i++) {
                core_cpus(t, depth, (unsigned)i, allowed, &s, NULL);
                if (CPU_COUNT(&s)) {
                        harness_core = i;
                        p->harness_set = s;
                        break;
                }
        }
        if (harness_core < 0)
                return -ENODEV;
        core_cpus(t, depth, (unsigned)harness_core, allowed, &s, &whole);
        numa_cpus_of(t, &whole, &node);
        for (int i = harness_core + 1; i < n; i++) {
                core_cpus(t, depth, (unsigned)i, allowed, &s, &whole);
                if (!CPU_COUNT(&s))
                        continue;
                if (set_is_subset(&whole, &node))
                        CPU_OR(&p->workload_set, &p->workload_set, &s);
                else
                        CPU_OR(&elsewhere, &elsewhere, &s);
        }
        char harness_list[64]; /* one core */
        bench_cpulist_format(&p->harness_set, harness_list, sizeof(harness_list));
        if (CPU_COUNT(&p->workload_set) == 0 && CPU_COUNT(&elsewhere) > 0) {
                /* Better another node than sharing the harness core. */
                p->workload_set = elsewhere;
                snprintf(p->note, sizeof(p->note),
                         "no other core in the NUMA node of core %d: workload on other nodes' cores",
                         harness_core);
        } else if (CPU_COUNT(&p->workload_set) == 0) {
                p->workload_set = p->harness_set;
                /* (hwloc leaves out what a cpuset cgroup disallows: count the host's cpus instead) */
                long online = sysconf(_SC_NPROCESSORS_ONLN);
                if (online > CPU_COUNT(allowed))
                        /* a Slurm step, a cpuset or taskset gave bench less than the host has */
                        snprintf(p->note, sizeof(p->note),
                                 "one core allocated to bench (cpus %s of the host's %d): harness and "
                                 "workload "
                                 "share it; allocate two cores (srun -c2, a larger cpuset) to keep the "
                                 "harness off the workload's core",
                                 harness_list, (int)online);
                else
                        snprintf(p->note, sizeof(p->note),
                                 "single core available: harness and workload share core %d (cpus %s)",
                                 harness_core, harness_list);
        }
        return 0;
}

static int plan_cpus(hwloc_topology_t t, const cpu_set_t *allowed, const char *cpus, pin_plan *p,
                     bench_error **err) {
        char allowed_list[sizeof(p->workload_cpus)];
        cpu_set_t want, s, whole, x;
        int r;

        r = bench_cpulist_parse(cpus, &want, err);
        if (r < 0)
                return bench_error_prefix(err, "pinning");
        bench_cpulist_format(allowed, allowed_list, sizeof(allowed_list));
        for (int c = 0; c < CPU_SETSIZE; c++)
                if (CPU_ISSET(c, &want) && !CPU_ISSET(c, allowed))
                        return bench_error_set(err, EINVAL,
                                               "pinning: cpu %d is not available on this host (allowed: %s)",
                                               c, allowed_list);
        p->workload_set = want;

        int depth = core_depth(t);
        int n = hwloc_get_nbobjs_by_depth(t, depth);
        for (int i = 0; i < n; i++) {
                core_cpus(t, depth, (unsigned)i, allowed, &s, &whole);
                CPU_AND(&x, &whole, &want);
                if (CPU_COUNT(&s) && !CPU_COUNT(&x)) {
                        p->harness_set = s;
                        return 0;
                }
        }
        snprintf(p->note, sizeof(p->note), "no core is left outside the workload cpus %.64s: harness unbound",
                 cpus);
        return 0;
}

int pin_plan_make(suite_pin_mode mode, const char *cpus, pin_plan *ret, bench_error **err) {
        pin_plan p = {.mode = mode};
        hwloc_topology_t t = NULL;
        cpu_set_t allowed;
        int r;

        CPU_ZERO(&p.harness_set);
        CPU_ZERO(&p.workload_set);
        switch (mode) {
        case SUITE_PIN_NONE:
                *ret = p;
                return 0;
        case SUITE_PIN_AUTO:
        case SUITE_PIN_CPUS:
                break;
        default:
                return bench_error_set(err, EINVAL, "pinning: unknown mode %d", (int)mode);
        }

        r = bench_hwloc_topology(&t, err);
        if (r < 0)
                return bench_error_prefix(err, "pinning");
        r = allowed_cpus(t, &allowed, err);
        if (r < 0)
                return r;
        if (mode == SUITE_PIN_AUTO) {
                r = plan_auto(t, &allowed, &p);
                if (r < 0)
                        return bench_error_set(err, -r, "pinning: no allowed cpu belongs to a core");
        } else {
                r = plan_cpus(t, &allowed, cpus, &p, err);
                if (r < 0)
                        return r;
        }
        if (bench_cpulist_format(&p.harness_set, p.harness_cpus, sizeof(p.harness_cpus)) < 0 ||
            bench_cpulist_format(&p.workload_set, p.workload_cpus, sizeof(p.workload_cpus)) < 0)
                return bench_error_set(err, ENOBUFS, "pinning: cpu list too long");
        *ret = p;
        return 0;
}

int pin_apply_harness(const pin_plan *p, bench_error **err) {
        if (!p->harness_cpus[0])
                return 0;
        /* The calling thread; threads started later (libvirt's event loop) inherit it. */
        if (sched_setaffinity(0, sizeof(p->harness_set), &p->harness_set) < 0)
                return bench_error_errno(err, errno, "pinning: binding the harness to cpus %s",
                                         p->harness_cpus);
        return 0;
}

static const char *mode_name(suite_pin_mode m) {
        switch (m) {
        case SUITE_PIN_AUTO:
                return "auto";
        case SUITE_PIN_NONE:
                return "none";
        case SUITE_PIN_CPUS:
                return "cpus";
        }
        return "?";
}

cJSON *pin_plan_to_json(const pin_plan *p) {
        cJSON *o = cJSON_CreateObject();
        if (!o)
                return NULL;
        cJSON_AddStringToObject(o, "mode", mode_name(p->mode));
        cJSON_AddStringToObject(o, "harness_cpus", p->harness_cpus);
        cJSON_AddStringToObject(o, "workload_cpus", p->workload_cpus);
        if (p->note[0])
                cJSON_AddStringToObject(o, "note", p->note);
        else
                cJSON_AddNullToObject(o, "note");
        return o;
}
