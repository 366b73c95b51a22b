/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * What the `container` kind (bench's runtime) and the `oci` kind (an
 * external OCI runtime) share, so that the same options mean the same
 * container: the isolation options and their defaults, the rootfs's layer
 * stack, and the agent's command line inside.
 */

#include <stdbool.h>
#include <stddef.h>

#include "../../common/error.h"
#include "../../common/json.h"
#include "../../common/opt.h"
#include "container.h"

/*
 * The option lines both kinds' tables hold (expand it where RT_OPTION_STACK
 * from runtimes/driver.h is in scope). The container kind adds what only
 * its runtime does (userns, timens).
 */
// clang-format off
#define CTR_ISOLATION_OPTIONS                                                                                \
        {"layers", BENCH_OPT_UINT_OR_STRLIST, "1", NULL, 1, CTR_MAX_LAYERS,                                  \
         "lower layers: a count to synthesize, or layer dirs (bottom first, above the base layer or stack)"}, \
        RT_OPTION_STACK,                                                                                     \
        {"memory", BENCH_OPT_SIZE, NULL, NULL, 4ull << 20, 0, "memory limit of the container's cgroup"},     \
        {"cpus", BENCH_OPT_CPULIST, NULL, NULL, 0, 0, "cpuset (default: the pinning choice)"},               \
        {"pids", BENCH_OPT_UINT, NULL, NULL, 1, 4194304, "pids limit"},                                      \
        {"network", BENCH_OPT_ENUM, "loopback", "none|loopback", 0, 0, "network namespace setup"},           \
        {"capabilities", BENCH_OPT_STRLIST, NULL, NULL, 0, 0, "capability set (default: Docker's)"},         \
        {"readonly_rootfs", BENCH_OPT_BOOL, "false", NULL, 0, 0, "mount the rootfs read-only"},              \
        {"hostname", BENCH_OPT_STRING, NULL, NULL, 0, 0, "hostname inside (default: the container's name)"}, \
        {"upper", BENCH_OPT_ENUM, "disk", "disk|tmpfs", 0, 0,                                                \
         "where the writable layer lives: the workdir's filesystem (like bare) or a tmpfs"},                 \
        {"cpu_quota", BENCH_OPT_UINT, NULL, NULL, 1000, 0, "CPU quota in microseconds per 100 ms period"},   \
        {"tmpfs_size", BENCH_OPT_SIZE, CTR_TMPFS_SIZE_DEFAULT, NULL, 64ull << 10, 0,                         \
         "size of the /tmp tmpfs (a read-only rootfs's scratch)"},                                           \
        {"upper_size", BENCH_OPT_SIZE, CTR_UPPER_SIZE_DEFAULT, NULL, 1ull << 20, 0,                          \
         "size of a tmpfs upper; a disk upper cannot be bounded (refused)"},                                 \
        {"seccomp", BENCH_OPT_STRING, "default", NULL, 0, 0,                                                 \
         "seccomp profile: default (Docker's policy), none, or an OCI/Docker profile JSON file"}
// clang-format on

/* The read-only layers of a container's overlay, bottom first, and how the agent gets in. */
typedef struct ctr_rootfs {
        char **layers; /* owned */
        size_t n_layers;
        char *agent_bind; /* with a stack: the host's agent, bound read-only at /bench-agent; else NULL */
        bool data;        /* with a stack: the agent reads its data at / (--data /) */
} ctr_rootfs;

enum {
        /* only the layer dirs the options list (a check before bench's own layers exist) */
        CTR_ROOTFS_LISTED_ONLY = 1 << 0,
};

/*
 * The layers the options (read through table, which holds
 * CTR_ISOLATION_OPTIONS) stand for: without a stack, bench's base layer
 * (busybox + the agent at agent_path) and then either `layers - 1` fillers
 * or the listed layer dirs; with a stack, its layers (all 500 of them if
 * need be) with any listed dirs above them, and the agent bound in instead
 * of taking a layer of its own. Listed dirs always go above what is below
 * them, as `bench container run --stack S --layer D` stacks them.
 */
int ctr_rootfs_assemble(const cJSON *options, const bench_opt_spec *table, const char *agent_path,
                        unsigned flags, ctr_rootfs *ret, bench_error **err);
void ctr_rootfs_clear(ctr_rootfs *r); /* accepts a zeroed one */

/*
 * The agent's argv inside, before the workload arguments:
 * "/bench-agent" "--dir" "/scratch" (with a read-only rootfs the /tmp tmpfs)
 * ["--data" "/"]; out holds CTR_AGENT_ARGS_MAX. Returns the count.
 */
#define CTR_AGENT_ARGS_MAX 5
size_t ctr_agent_args(bool readonly_rootfs, bool data, const char *out[CTR_AGENT_ARGS_MAX]);
