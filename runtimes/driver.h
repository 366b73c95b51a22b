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

/* A figure measured on the host while the agent holds its memory: "footprint_kib" */
typedef struct rt_metric {
        const char *name;   /* static storage */
        const char *unit;   /* "KiB" */
        const char *better; /* "lower" or "higher" */
        double value;
} rt_metric;

#define RT_MAX_METRICS 8
/* The measured names others read: every kind's footprint first; a cgroup's usage where a kind has one
 * (density sums both) */
#define RT_METRIC_FOOTPRINT "footprint_kib"
#define RT_METRIC_CGROUP_USAGE "cgroup_usage_kib"
/* The usual one: memory in KiB, less is better. */
#define RT_METRIC_KIB(metric, kib)                                                                           \
        ((rt_metric){.name = (metric), .unit = "KiB", .better = "lower", .value = (kib)})

/* Every kind's option: the same data for each (bare reads the flattened tree, a container the overlay). */
#define RT_OPTION_STACK                                                                                      \
        {                                                                                                    \
                "stack", BENCH_OPT_STRING, NULL, NULL, 0, 0,                                                 \
                        "layer stack with the data the depth workloads read: synth:layers=N,..., oci:PATH, " \
                        "or a store id"                                                                      \
        }

/* What one running environment costs the host (density's check before a run). */
typedef struct rt_estimate {
        uint64_t kib;  /* host memory, page tables and kernel structures included */
        unsigned fds;  /* fds bench holds while it runs, its channel's three included */
        unsigned pids; /* host tasks (processes and threads) it runs */
        char why[160]; /* how kib adds up: "guest memory 256M + QEMU about 128M" */
} rt_estimate;

/* Without an estimate hook: what density assumes of one environment. */
#define RT_ESTIMATE_DEFAULT_KIB (16u * 1024u)
#define RT_ESTIMATE_DEFAULT_FDS 8u
#define RT_ESTIMATE_DEFAULT_PIDS 4u

/* The hooks of a configuration kind: runtimes/skeleton.c documents each for a new driver. */
typedef struct rt_driver {
        /* the configuration kind: "bare", "container", "vm", "oci" */
        const char *name;
        /* the kind's options, {0}-terminated; read them with bench_opt_uint() & co. (defaults apply) */
        const bench_opt_spec *options;
        /* 0 if this host can run it; else <0 and *err says why (a skip) */
        int (*probe)(unsigned flags, bench_error **err);
        /* optional: 0 if this host can run this configuration (a runtime it names is installed), else a skip
         */
        int (*probe_options)(const cJSON *options, bench_error **err);
        /* optional: the host's check of a configuration's options (bad input, exit 2) */
        int (*check)(const cJSON *options, bench_error **err);
        /* optional: at most this many starts per repetition of a host-timed workload (startup), 0 = no cap */
        uint64_t (*max_starts)(const cJSON *options);
        /* optional: what start waits for when it takes seconds ("booting"): the progress line says so */
        const char *start_verb;
        /* prepares an environment (not timed: rootfs, images, domain XML) */
        int (*create)(const rt_config *cfg, unsigned flags, rt_env **ret_env, bench_error **err);
        /* starts the agent with args (argv without argv[0]); the clock runs */
        int (*start)(rt_env *env, char *const *args, rt_launch *ret_launch, bench_error **err);
        /* host-side figures of the environment right now, footprint_kib first: their count, or <0 */
        int (*measure)(rt_env *env, rt_metric out[RT_MAX_METRICS], bench_error **err);
        /* waits up to timeout_ms for the agent to end; *ret_status as waitpid */
        int (*wait)(rt_env *env, int timeout_ms, int *ret_status, bench_error **err);
        /* phases of the last start (ready_ns: when its ready byte came), at most max; the count */
        size_t (*phases)(rt_env *env, uint64_t ready_ns, rt_phase *out, size_t max);
        /* kills what runs, removes what was made; accepts NULL; leaves nothing */
        void (*destroy)(rt_env *env);
        /* optional: the accelerator results must be labelled with ("kvm", "tcg"), else NULL */
        const char *(*accel)(rt_env *env);
        /* optional: the external runtime results must be labelled with ("crun 1.8.1"), else NULL */
        const char *(*runtime)(rt_env *env);
        /* optional: context for a failure (a guest's kernel log tail) into buf, "" if none */
        void (*diagnose)(rt_env *env, char *buf, size_t len);
        /* optional: removes what SIGKILLed bench processes left (cgroups of dead pids); cheap */
        void (*reap_stale)(void);
        /* optional: what the runtime applied (a seccomp profile), added to the agent's seen object */
        void (*describe)(rt_env *env, cJSON *seen);
        /* optional: host memory and fds one running environment of these options takes (density) */
        void (*estimate)(const cJSON *options, rt_estimate *ret);
} rt_driver;

/*
 * The kinds with a driver, one word each: X(kind) stands for rt_<kind>_driver
 * and its option table rt_<kind>_options, which end the driver's file.
 */
#define RT_DRIVERS(X) X(bare) X(container) X(vm) X(oci)

#define RT_DECLARE_DRIVER(kind)                                                                              \
        extern const rt_driver rt_##kind##_driver;                                                           \
        extern const bench_opt_spec rt_##kind##_options[];
RT_DRIVERS(RT_DECLARE_DRIVER)
#undef RT_DECLARE_DRIVER

/* The kinds a suite may name, with or without a driver on this build. */
typedef struct rt_kind {
        const char *name;
        const bench_opt_spec *options; /* accepted kind options: the driver's own */
        const rt_driver *driver;       /* NULL: not implemented yet (a skip) */
} rt_kind;

extern const rt_kind rt_kinds[]; /* {NULL}-terminated */
const rt_kind *rt_kind_find(const char *name);
/* Checks a driver's ops and option tables are complete (defaults that parse); before its probe. */
int rt_driver_validate(const rt_driver *d, bench_error **err);
