/* SPDX-License-Identifier: MIT */
#pragma once

#ifndef _GNU_SOURCE /* the build passes -D_GNU_SOURCE */
#define _GNU_SOURCE
#endif
#include <sched.h>
#include <stddef.h>
#include <stdint.h>

#include "../common/json.h"

#include "../common/error.h"
#include "../common/opt.h"

/*
 * One ops table per configuration kind; the scheduler knows nothing else.
 * Drivers never print and never exit; ops return 0 or -errno with *err set.
 */

typedef struct rt_env rt_env; /* private to each driver */

typedef struct rt_config {
        const char *name;        /* the suite's configuration name */
        const cJSON *options;    /* the configuration's kind options (validated) */
        const char *agent_path;  /* host path of the static bench-agent */
        const char *state_dir;   /* private dir for this run; the harness removes it */
        const char *cpus;        /* workload cpu list ("1"), NULL = no pinning */
        const cpu_set_t *cpuset; /* the same as a set, NULL = no pinning */
        double timeout_s;
} rt_config;

/* The agent's channel, as the harness reads it. */
typedef struct rt_launch {
        int out_fd; /* ready byte, then JSON lines */
        int in_fd;  /* to the agent: one byte releases a hold; -1 if none */
        int err_fd; /* agent stderr (diagnostics), -1 if merged or none */
} rt_launch;

/* The agent's ends of its three pipes: stdin to read, stdout and stderr to write. */
typedef struct rt_child_fds {
        int in, out, err;
} rt_child_fds;

/* The three pipes of an agent process; closes what it made on failure. */
int rt_pipes_open(rt_child_fds *ret_child, rt_launch *ret_launch, bench_error **err);
/* After the agent has them (exec'd), or on a failed start. */
void rt_child_fds_close(rt_child_fds *c);
void rt_launch_close(rt_launch *l);

typedef struct rt_phase {
        char name[32]; /* metric name: "phase.clone_ms" */
        double ms;
} rt_phase;

#define RT_MAX_PHASES 16

typedef struct rt_usage {
        double footprint_kib;    /* PSS of every host process of the environment */
        double vmm_overhead_kib; /* vm only, else < 0 */
        double cgroup_peak_kib;  /* container only: the cgroup's memory high-water mark, else < 0 */
        double cgroup_usage_kib; /* container only: the cgroup's memory usage now, else < 0 */
} rt_usage;

typedef struct rt_driver {
        /* the configuration kind: "bare", "container", "vm", "oci" */
        const char *name;
        /* 0 if this host can run it; else <0 and *err says why (a skip) */
        int (*probe)(unsigned flags, bench_error **err);
        /* optional: the host's check of a configuration's options (bad input, exit 2) */
        int (*check)(const cJSON *options, bench_error **err);
        /* prepares an environment (not timed: rootfs, images, domain XML) */
        int (*create)(const rt_config *cfg, unsigned flags, rt_env **ret_env, bench_error **err);
        /* starts the agent with args (argv without argv[0]); the clock runs */
        int (*start)(rt_env *env, char *const *args, rt_launch *ret_launch, bench_error **err);
        /* host-side footprint of the environment right now */
        int (*measure)(rt_env *env, rt_usage *ret_usage, bench_error **err);
        /* waits up to timeout_ms for the agent to end; *ret_status as waitpid */
        int (*wait)(rt_env *env, int timeout_ms, int *ret_status, bench_error **err);
        /* phases of the last start (ready_ns: when its ready byte came), at most max; the count */
        size_t (*phases)(rt_env *env, uint64_t ready_ns, rt_phase *out, size_t max);
        /* kills what runs, removes what was made; accepts NULL; leaves nothing */
        void (*destroy)(rt_env *env);
        /* optional: the accelerator results must be labelled with ("kvm", "tcg"), else NULL */
        const char *(*accel)(rt_env *env);
        /* optional: context for a failure (a guest's kernel log tail) into buf, "" if none */
        void (*diagnose)(rt_env *env, char *buf, size_t len);
        /* optional: removes what SIGKILLed bench processes left (cgroups of dead pids); cheap */
        void (*reap_stale)(void);
        /* optional: what the runtime applied (a seccomp profile), added to the agent's seen object */
        void (*describe)(rt_env *env, cJSON *seen);
} rt_driver;

/* The kinds a suite may name, with or without a driver on this build. */
typedef struct rt_kind {
        const char *name;
        const bench_opt_spec *options; /* accepted kind options */
        const rt_driver *driver;       /* NULL: not implemented yet (a skip) */
} rt_kind;

extern const rt_kind rt_kinds[]; /* {NULL}-terminated */
const rt_kind *rt_kind_find(const char *name);
/* Checks a driver's ops table is complete; the registry calls it on lookup. */
int rt_driver_validate(const rt_driver *d, bench_error **err);

extern const rt_driver rt_bare_driver;
extern const rt_driver rt_container_driver;
extern const rt_driver rt_vm_driver;
