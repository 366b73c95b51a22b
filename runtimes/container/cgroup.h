/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * One container's cgroup, on v1, v2 or hybrid hosts. Front end here
 * (cgroup.c); backends cgroup_v1.c and cgroup_v2.c. Each controller is used
 * where the host has it: on a hybrid host the v1 hierarchies hold memory,
 * cpu, cpuset, pids and freezer while cgroup2 (/sys/fs/cgroup/unified) may
 * hold only a few. Every container cgroup lives under a `bench` parent, made
 * in bench's own cgroup of each hierarchy (the root, or a delegated one).
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "../../common/error.h"

typedef struct ctr_cgroup ctr_cgroup;

typedef struct ctr_cgroup_limits {
        uint64_t memory_bytes;  /* 0 = no limit */
        uint64_t cpu_quota_us;  /* 0 = no limit; with cpu_period_us */
        uint64_t cpu_period_us; /* 0 = 100000 */
        uint64_t pids_max;      /* 0 = no limit */
        const char *cpus;       /* cpuset, NULL = inherit */
        const char *mems;       /* NULL = inherit (the parent's) */
} ctr_cgroup_limits;

typedef struct ctr_cgroup_stats {
        uint64_t memory_current_bytes; /* now */
        uint64_t memory_peak_bytes;    /* high-water mark since creation */
        uint64_t oom_kills;            /* processes killed by the OOM killer */
        uint64_t pids_current;         /* tasks, threads included; zombies count until reaped */
} ctr_cgroup_stats;

enum {
        /* where the host allows, make CLONE_INTO_CGROUP possible (v2 dir fd) */
        CTR_CGROUP_WANT_CLONE_INTO = 1 << 0,
        /*
         * the process's only container: its directories go straight under
         * each hierarchy's root (as crun's do) instead of under the shared
         * `bench` parents, which would be made and removed again around it
         * (8 mkdir/rmdir and the parent's device rules: ~0.15 ms)
         */
        CTR_CGROUP_AT_ROOT = 1 << 1,
};

/*
 * Checks that the controllers the limits need exist on this host, before
 * anything is created; the message names the controller and the mount
 * that is missing. Also fine to call with all limits zero. A memory limit
 * below 1M is refused here too (the kernel would take it and OOM-kill the
 * container at start).
 */
int ctr_cgroup_check(const ctr_cgroup_limits *lim, bench_error **err);

/*
 * Creates bench/<name> in every hierarchy needed (at least one, so that the
 * container's processes can always be listed and killed), applies the
 * limits (a limit the kernel refuses — an impossible cpuset, a memory limit
 * below usage — is an error that names the value) and unwinds on failure.
 * Hierarchies: those of the limits' controllers, memory and pids always
 * (stats), cgroup2 where mounted, the v1 freezer where cgroup2 has no
 * cgroup.kill. name: "bench-<harness pid>-<n>" (see ctr_cgroup_reap_stale);
 * an existing one is -EEXIST.
 */
int ctr_cgroup_create(const char *name, const ctr_cgroup_limits *lim, unsigned flags, ctr_cgroup **ret,
                      bench_error **err);

/*
 * fds (O_CLOEXEC) of the v1 hierarchies' `tasks` files a single-threaded
 * child writes "0" to in order to join, one per hierarchy; the fds belong
 * to the cgroup object. Returns the count (<= max).
 *
 * Why `tasks` and not cgroup.procs: a write of "0" to the thread-level file
 * moves only the calling thread, and since Linux 6.0 the kernel then skips
 * the global cgroup_threadgroup_rwsem, whose write side waits for an RCU
 * grace period: measured here, 0.036 ms instead of 5.7 ms (up to 17 ms) per
 * join. The container child is its own thread group with one thread, so
 * moving its thread moves the process.
 */
size_t ctr_cgroup_join_fds(ctr_cgroup *cg, int *fds, size_t max);
/*
 * The v2 cgroup's cgroup.procs fd (O_WRONLY|O_CLOEXEC), or -1 if there is no
 * v2 cgroup: for a child that could not be cloned straight into it.
 */
int ctr_cgroup_v2_join_fd(ctr_cgroup *cg);
/*
 * The v2 cgroup directory fd (O_RDONLY|O_DIRECTORY|O_CLOEXEC) for
 * clone3(CLONE_INTO_CGROUP): made when created with
 * CTR_CGROUP_WANT_CLONE_INTO on a host with cgroup2, else -1.
 */
int ctr_cgroup_clone_fd(ctr_cgroup *cg);
/* Path of the cgroup in the hierarchy that tracks processes (for messages/tests). */
const char *ctr_cgroup_path(ctr_cgroup *cg);

/* Pids currently in the cgroup and its descendants (caller frees *ret). */
int ctr_cgroup_pids(ctr_cgroup *cg, pid_t **ret, size_t *ret_n, bench_error **err);
/* Files a kernel lacks read as 0 (memory.peak < 5.19, oom_kill < 4.13). */
int ctr_cgroup_stats_read(ctr_cgroup *cg, ctr_cgroup_stats *ret, bench_error **err);

/*
 * Kills every process in the cgroup: cgroup.kill on v2 where it exists,
 * else freeze, SIGKILL each, thaw (v1 freezer); waits until the cgroup is
 * empty (bounded, ~2 s, then an error naming the pids left), without
 * sleeping in a blind loop where an event exists. Killed children become
 * zombies of their parent; reaping them is the caller's business.
 */
int ctr_cgroup_kill(ctr_cgroup *cg, bench_error **err);

/* Kills what is left, removes every directory created; accepts NULL. */
void ctr_cgroup_destroy(ctr_cgroup *cg);

/*
 * Removes cgroups left by dead runs (name "bench-PID-N" whose PID no longer
 * exists, under the bench parents or, CTR_CGROUP_AT_ROOT, at the root),
 * killing what is still in them.
 */
void ctr_cgroup_reap_stale(void);
/*
 * A parent cgroup another runtime makes its containers under ("bench-oci"
 * at each root): where the v1 cpuset controller is, made if missing with
 * the root's cpus and mems, which a v1 cpuset child cannot take without
 * (crun and runc copy them into the dirs they make; runsc does not, and
 * its cpuset write is refused). Removed again when its last child is gone.
 */
int ctr_cgroup_parent_ready(const char *name, bench_error **err);

/*
 * bench's own cgroups, for the result's host.allocation: in a delegated
 * cgroup (a Slurm step, a systemd service, a CI container) bench's cgroups
 * nest there, not at the hierarchy's root.
 */
typedef struct ctr_cgroup_own {
        const char *key;  /* v1: a controller of bench's ("memory", "cpuset", ...); cgroup2: "unified" */
        const char *path; /* bench's cgroup in that hierarchy, "/" at the root */
        bool nested;      /* bench's cgroups go below it (it is not the mount's root) */
} ctr_cgroup_own;
/* One entry per v1 controller bench uses, then cgroup2; the count (<= max). Strings live as long as the
 * process. */
size_t ctr_cgroup_own_list(ctr_cgroup_own *ret, size_t max);
/* The tightest memory limit on bench's own cgroup and its ancestors below the mount, 0 = none. */
uint64_t ctr_cgroup_memory_limit(void);

/*
 * How this host mounts cgroups, as the result's host.cgroup_mode and
 * `bench info` say it: cgroup2 or one v1 hierarchy at /sys/fs/cgroup, else
 * v1 hierarchies in a tmpfs there, with a cgroup2 at
 * /sys/fs/cgroup/unified (hybrid) or without.
 */
typedef enum ctr_cgroup_mode {
        CTR_CGROUP_MODE_NONE,
        CTR_CGROUP_MODE_V1,
        CTR_CGROUP_MODE_V2,
        CTR_CGROUP_MODE_HYBRID,
} ctr_cgroup_mode;
ctr_cgroup_mode ctr_cgroup_mode_detect(void);
const char *ctr_cgroup_mode_name(ctr_cgroup_mode m); /* "none", "v1", "v2", "hybrid" */

/*
 * Every cgroup controller the host mounts, not only bench's: the v1 ones
 * /proc/cgroups knows, each once in mount order, and the first cgroup2
 * mount with its cgroup.controllers. What cannot be read stays empty.
 */
typedef struct ctr_cgroup_mounts {
        char *v1_controllers; /* space-separated, "" if none */
        char *v2_mount;       /* NULL if none */
        char *v2_controllers; /* the file's text, NULL if unreadable */
} ctr_cgroup_mounts;
int ctr_cgroup_mounts_read(ctr_cgroup_mounts *ret); /* 0 or -ENOMEM */
void ctr_cgroup_mounts_clear(ctr_cgroup_mounts *m);
