/* SPDX-License-Identifier: MIT */
/*
 * skeleton: every hook of a configuration kind, documented, for whoever
 * writes the next driver (fio's engines/skeleton_external.c). It runs
 * nothing: its probe says so, and bench never lists it (tests/unit/
 * test_drivers.c checks it as it checks the real ones, so it cannot rot).
 *
 * A new kind `foo` is this file copied to runtimes/foo.c, its names
 * changed, and one word added to RT_DRIVERS in runtimes/driver.h (a driver
 * with helpers of its own gets a folder, like vm/, and its glob in
 * CMakeLists.txt). The suite validator, `bench list`, the schema and the
 * scheduler read everything else from the two tables that end the file. Rules: hooks return 0 or -errno with
 * *err set (a sentence a user can act on); nothing prints or exits; destroy leaves nothing behind.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "driver.h"

extern const bench_opt_spec rt_skeleton_options[];

/* Everything one environment holds; the scheduler only passes it back. */
struct rt_env {
        uint64_t memory; /* an option, read once in create */
        bool verbose;
};

/*
 * Can this host run the kind at all (a binary installed, a kernel feature)?
 * Asked once per run before anything else; a failure skips every
 * configuration of the kind with *err as the reason, it is not an error.
 */
static int skeleton_probe(unsigned flags, bench_error **err) {
        return bench_error_set(err, ENOSYS, "the skeleton driver documents the hooks; it runs nothing");
}

/*
 * Optional. The host's word on one configuration's options before anything
 * runs (a layer dir that is missing, a cpuset outside the allowed one).
 * The suite validator has already checked each value against the option
 * table; this is for what only the host can tell. A failure is bad input.
 */
static int skeleton_check(const cJSON *options, bench_error **err) {
        return 0;
}

/*
 * Optional. At most this many environments per repetition for a workload
 * that starts one per measurement (startup): for a kind whose start takes
 * seconds. 0 = as the workload says.
 */
static uint64_t skeleton_max_starts(const cJSON *options) {
        return 0;
}

/*
 * Prepares an environment, untimed: images, rootfs, domain XML. Read the
 * options with the typed accessors of common/opt.h over this file's table:
 * they return the value given or the table's default, so no default is
 * written twice. cfg and what it points to outlive the environment.
 */
static int skeleton_create(const rt_config *cfg, unsigned flags, rt_env **ret_env, bench_error **err) {
        rt_env *env = calloc(1, sizeof(*env));
        if (!env)
                return bench_error_set(err, ENOMEM, "out of memory");
        env->memory = bench_opt_size(cfg->options, rt_skeleton_options, "memory");
        env->verbose = bench_opt_bool(cfg->options, rt_skeleton_options, "verbose");
        *ret_env = env;
        return 0;
}

/*
 * Starts the agent (cfg->agent_path on the host, however it gets inside)
 * with `--dir SCRATCH` and, with a stack, `--data DIR`, followed by args.
 * The clock runs from this call to the agent's ready byte: do the slow
 * work in create. rt_pipes_open makes the channel of a local process.
 */
static int skeleton_start(rt_env *env, char *const *args, rt_launch *ret_launch, bench_error **err) {
        return bench_error_set(err, ENOSYS, "the skeleton driver starts nothing");
}

/*
 * While the agent holds its memory (the memory workload): the host-side
 * figures of the environment, footprint_kib first (RT_METRIC_FOOTPRINT:
 * PSS of every host process it has), then whatever the kind adds (a
 * cgroup's peak, a VMM's overhead; a cgroup's usage as
 * RT_METRIC_CGROUP_USAGE, which density sums). Returns their count; bench
 * records them under these names.
 */
static int skeleton_measure(rt_env *env, rt_metric out[RT_MAX_METRICS], bench_error **err) {
        return bench_error_set(err, ESRCH, "the skeleton driver runs no agent");
}

/* Waits up to timeout_ms for the agent to end; *ret_status as waitpid's. */
static int skeleton_wait(rt_env *env, int timeout_ms, int *ret_status, bench_error **err) {
        return bench_error_set(err, ESRCH, "the skeleton driver runs no agent");
}

/*
 * The phases of the last start ("phase.NAME_ms"), timed by the driver;
 * ready_ns is when the ready byte came (0: never). Returns their count.
 */
static size_t skeleton_phases(rt_env *env, uint64_t ready_ns, rt_phase *out, size_t max) {
        return 0;
}

/* Kills what runs and removes what create and start made; accepts NULL and half-made envs. */
static void skeleton_destroy(rt_env *env) {
        free(env);
}

/*
 * What one running environment of these options costs the host, for the
 * density workload's check (N environments at once must fit): memory in
 * KiB (whatever the host loses: processes, page tables, kernel structures;
 * a VM's guest memory), the fds bench holds for it, the host tasks it runs, and in why how the
 * figure adds up (it is quoted when a suite is refused). Optional: without
 * it density assumes RT_ESTIMATE_DEFAULT_KIB and _FDS.
 */
static void skeleton_estimate(const cJSON *options, rt_estimate *ret) {
        uint64_t memory = bench_opt_size(options, rt_skeleton_options, "memory");
        *ret = (rt_estimate){.kib = memory / 1024, .fds = 3, .pids = 1};
        snprintf(ret->why, sizeof(ret->why), "its memory %llu KiB", (unsigned long long)(memory / 1024));
}

/*
 * Further optional hooks (NULL when a kind has nothing to say):
 *   .probe_options  whether this host can run one configuration (the
 *               program its options name is installed); a failure is a
 *               skip of that configuration with the reason, not an error
 *   .accel      the accelerator each figure is labelled with ("kvm", "tcg")
 *   .runtime    the external runtime each figure is labelled with ("crun 1.8.1")
 *   .diagnose   context for a failure, such as a guest's console tail
 *   .reap_stale removes what a SIGKILLed bench left (cgroups); cheap
 *   .describe   what the runtime applied, added to the agent's "seen" object
 *   .start_verb what start waits for when it takes seconds ("booting"):
 *               `bench run`'s progress line says it before each start
 */

/*
 * The kind's options: name, type, default (as text, checked by
 * rt_driver_validate), choices, min, max (0 = none), help. The suite
 * validator, `bench list` and the schema read this table.
 */
const bench_opt_spec rt_skeleton_options[] = {
        RT_OPTION_STACK,
        {"memory", BENCH_OPT_SIZE, "64M", NULL, 1ull << 20, 0, "memory of the environment"},
        {"verbose", BENCH_OPT_BOOL, "false", NULL, 0, 0, "say more in diagnostics"},
        {0},
};

const rt_driver rt_skeleton_driver = {
        .name = "skeleton",
        .options = rt_skeleton_options,
        .probe = skeleton_probe,
        .check = skeleton_check,
        .max_starts = skeleton_max_starts,
        .create = skeleton_create,
        .start = skeleton_start,
        .measure = skeleton_measure,
        .wait = skeleton_wait,
        .phases = skeleton_phases,
        .destroy = skeleton_destroy,
        .estimate = skeleton_estimate,
};
