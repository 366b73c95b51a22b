/* SPDX-License-Identifier: MIT */
/*
 * container: the agent in bench's own container runtime. The rootfs is the
 * base layer (busybox + bench-agent) at the bottom, then either `layers - 1`
 * filler layers or the suite's layer dirs; a fresh upper dir per container.
 * The agent's scratch dir is /scratch, on the overlay, so file I/O goes
 * through the layered filesystem with its upper layer on the same
 * filesystem bare writes to.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/capability.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../../common/cleanup.h"
#include "../../common/cpulist.h"
#include "../../common/util.h"
#include "../driver.h"
#include "container-internal.h"
#include "kind.h"
#include "seccomp.h"
#include "../layers/layers.h"

struct rt_env {
        ctr_spec spec;
        ctr_rootfs rootfs;
        char *name, *state_dir, *hostname, *caps, *seccomp, *cpus;
        const char *agent_args[CTR_AGENT_ARGS_MAX + 1]; /* ctr_agent_args: the prefix of argv, NULL-ended */
        size_t n_agent_args;
        ctr_container *ctr;
        uint64_t oom_before;
        cpu_set_t affinity;
};

static unsigned next_id;

static int container_probe(unsigned flags, bench_error **err) {
        if (access("/bin/busybox", X_OK) < 0)
                return bench_error_set(
                        err, ENOENT,
                        "/bin/busybox is missing: the container base layer needs busybox-static "
                        "(scripts/setup installs it)");
        _cleanup_free_ char *fs = NULL;
        if (bench_read_file("/proc/filesystems", &fs, NULL, NULL) == 0 && !strstr(fs, "\toverlay\n"))
                return bench_error_set(err, ENODEV, "this kernel has no overlayfs (modprobe overlay)");
        if (geteuid() != 0 && access("/proc/self/ns/user", F_OK) < 0)
                return bench_error_set(err, EPERM, "containers need root or user namespaces");
        return 0;
}

/*
 * Without root, a container of its own needs a user namespace: said once as
 * a skip, not as an error per sample (clone refuses every new namespace).
 */
static int container_probe_options(const cJSON *o, bench_error **err) {
        if (geteuid() == 0 || bench_cap_effective(CAP_SYS_ADMIN) ||
            bench_opt_bool(o, rt_container_options, "userns"))
                return 0;
        return bench_error_set(err, EPERM,
                               "needs root: bench runs as uid %u without CAP_SYS_ADMIN, which a container "
                               "without a user namespace needs for its namespaces and mounts; run bench with "
                               "sudo, or set \"userns\": true in this configuration for a rootless container "
                               "(no cgroup limits then)",
                               (unsigned)geteuid());
}

static void container_destroy(rt_env *env) {
        if (!env)
                return;
        ctr_destroy(env->ctr);
        ctr_rootfs_clear(&env->rootfs);
        free(env->name);
        free(env->state_dir);
        free(env->hostname);
        free(env->caps);
        free(env->seccomp);
        free(env->cpus);
        free(env);
}

static void container_destroyp(rt_env **env) {
        container_destroy(*env);
}

/* Everything the options say, except the layers bench makes itself. */
static int env_from_options(rt_env *env, const cJSON *o, bench_error **err) {
        const bench_opt_spec *t = rt_container_options;
        const char *hostname = bench_opt_string(o, t, "hostname"),
                   *seccomp = bench_opt_string(o, t, "seccomp");
        if ((hostname && !(env->hostname = strdup(hostname))) ||
            (seccomp && !(env->seccomp = strdup(seccomp))))
                return bench_error_set(err, ENOMEM, "out of memory");
        const cJSON *c, *caps = bench_opt_list(o, t, "capabilities");
        if (caps) {
                size_t len = 1;
                cJSON_ArrayForEach(c, caps) len += strlen(c->valuestring) + 1;
                env->caps = calloc(1, len);
                if (!env->caps)
                        return bench_error_set(err, ENOMEM, "out of memory");
                cJSON_ArrayForEach(c, caps) {
                        if (*env->caps)
                                strcat(env->caps, ",");
                        strcat(env->caps, c->valuestring);
                }
        }
        char buf[32];
        const char *cpus = bench_opt_cpulist(o, t, "cpus", buf, sizeof(buf));
        if (cpus && !(env->cpus = strdup(cpus)))
                return bench_error_set(err, ENOMEM, "out of memory");
        ctr_spec *s = &env->spec;
        s->hostname = env->hostname;
        s->caps = env->caps; /* NULL = Docker's default set */
        s->userns = bench_opt_bool(o, t, "userns");
        s->timens = bench_opt_bool(o, t, "timens");
        s->readonly_rootfs = bench_opt_bool(o, t, "readonly_rootfs");
        s->seccomp = env->seccomp;
        s->upper_tmpfs = !strcmp(bench_opt_enum(o, t, "upper"), "tmpfs");
        s->network = !strcmp(bench_opt_enum(o, t, "network"), "none") ? CTR_NET_NONE : CTR_NET_LOOPBACK;
        /* 0: no limit (these have no default) */
        s->limits.memory_bytes = bench_opt_size(o, t, "memory");
        s->limits.pids_max = bench_opt_uint(o, t, "pids");
        s->limits.cpu_quota_us = bench_opt_uint(o, t, "cpu_quota");
        s->tmpfs_size = bench_opt_size(o, t, "tmpfs_size");
        /* a disk upper refuses any size (ctr_spec_check); a tmpfs upper's 0 is the same default */
        if (bench_opt_given(o, t, "upper_size"))
                s->upper_size = bench_opt_size(o, t, "upper_size");
        if (env->cpus) {
                s->limits.cpus = env->cpus;
                int r = bench_cpulist_check_allowed(env->cpus, err);
                if (r < 0)
                        return r;
        }
        env->n_agent_args =
                ctr_agent_args(s->readonly_rootfs, bench_opt_string(o, t, "stack") != NULL, env->agent_args);
        s->stdin_fd = s->stdout_fd = s->stderr_fd = -1;
        s->argv = (char *const *)env->agent_args; /* checked for argv[0] only */
        return 0;
}

/* Before anything is made: layer dirs, capability names, cpuset, cgroup controllers. */
static int container_check(const cJSON *options, bench_error **err) {
        _cleanup_(container_destroyp) rt_env *env = calloc(1, sizeof(*env));
        if (!env)
                return bench_error_set(err, ENOMEM, "out of memory");
        int r = env_from_options(env, options, err);
        if (r < 0)
                return r;
        const char *stack = bench_opt_string(options, rt_container_options, "stack");
        if (stack && (r = lay_stack_check(stack, err)) < 0)
                return r;
        if ((r = ctr_rootfs_assemble(options, rt_container_options, NULL, CTR_ROOTFS_LISTED_ONLY,
                                     &env->rootfs, err)) < 0)
                return r;
        env->spec.layers = (const char *const *)env->rootfs.layers;
        env->spec.n_layers = env->rootfs.n_layers;
        /* the run's workdir (main.c's default), which a disk upper's message names */
        const char *workdir = getenv("BENCH_WORKDIR");
        env->spec.state_dir = workdir && *workdir ? workdir : "/var/tmp";
        return ctr_spec_check(&env->spec, CTR_CHECK_NO_BASE, err);
}

static int container_create(const rt_config *cfg, unsigned flags, rt_env **ret_env, bench_error **err) {
        _cleanup_(container_destroyp) rt_env *env = calloc(1, sizeof(*env));
        if (!env)
                return bench_error_set(err, ENOMEM, "out of memory");
        int r;
        if ((r = env_from_options(env, cfg->options, err)) < 0)
                return r;
        if ((r = ctr_rootfs_assemble(cfg->options, rt_container_options, cfg->agent_path, 0, &env->rootfs,
                                     err)) < 0)
                return r;
        if (asprintf(&env->name, "bench-%d-%u", (int)getpid(), next_id++) < 0) {
                env->name = NULL;
                return bench_error_set(err, ENOMEM, "out of memory");
        }
        if (!(env->state_dir = strdup(cfg->state_dir)))
                return bench_error_set(err, ENOMEM, "out of memory");
        ctr_spec *s = &env->spec;
        s->name = env->name;
        s->layers = (const char *const *)env->rootfs.layers;
        s->n_layers = env->rootfs.n_layers;
        s->state_dir = env->state_dir;
        s->bind_agent = env->rootfs.agent_bind;
        /* the pinning choice becomes a cpuset where bench may make cgroups; else affinity only */
        if (!s->limits.cpus && geteuid() == 0)
                s->limits.cpus = cfg->cpus;
        if (cfg->cpuset) {
                env->affinity = *cfg->cpuset;
                s->affinity = &env->affinity;
        }
        r = ctr_spec_check(s, 0, err);
        if (r < 0)
                return r;
        *ret_env = steal_pointer(&env);
        return 0;
}

static int container_start(rt_env *env, char *const *args, rt_launch *ret_launch, bench_error **err) {
        size_t nargs = 0;
        while (args[nargs])
                nargs++;
        _cleanup_free_ char **argv = calloc(nargs + 6, sizeof(char *));
        if (!argv)
                return bench_error_set(err, ENOMEM, "out of memory");
        memcpy(argv, env->agent_args, env->n_agent_args * sizeof(char *));
        memcpy(argv + env->n_agent_args, args, nargs * sizeof(char *));
        rt_child_fds child;
        rt_launch launch;
        int r = rt_pipes_open(&child, &launch, err);
        if (r < 0)
                return r;
        ctr_spec spec = env->spec;
        spec.argv = argv;
        spec.stdin_fd = child.in;
        spec.stdout_fd = child.out;
        spec.stderr_fd = child.err;
        r = ctr_start(&spec, 0, &env->ctr, err);
        rt_child_fds_close(&child);
        if (r < 0) {
                rt_launch_close(&launch);
                return r;
        }
        *ret_launch = launch;
        return 0;
}

/* The footprint, then what the cgroup counts (its usage now and its high-water mark) where it has them. */
static int container_measure(rt_env *env, rt_metric out[RT_MAX_METRICS], bench_error **err) {
        if (!env->ctr)
                return bench_error_set(err, ESRCH, "the container is not running");
        double kib;
        int r = ctr_footprint_kib(env->ctr, &kib, err);
        if (r < 0)
                return r;
        int n = 0;
        out[n++] = RT_METRIC_KIB(RT_METRIC_FOOTPRINT, kib);
        ctr_cgroup_stats st;
        ctr_cgroup *cg = ctr_get_cgroup(env->ctr);
        if (cg && ctr_cgroup_stats_read(cg, &st, NULL) == 0) {
                if (st.memory_current_bytes > 0)
                        out[n++] = RT_METRIC_KIB(RT_METRIC_CGROUP_USAGE,
                                                 (double)st.memory_current_bytes / 1024.0);
                if (st.memory_peak_bytes > 0)
                        out[n++] = RT_METRIC_KIB("cgroup_peak_kib", (double)st.memory_peak_bytes / 1024.0);
        }
        return n;
}

static int container_wait(rt_env *env, int timeout_ms, int *ret_status, bench_error **err) {
        if (!env->ctr)
                return bench_error_set(err, ESRCH, "the container was not started");
        int r = ctr_wait(env->ctr, timeout_ms, -1, ret_status, err);
        if (r < 0)
                return r;
        /* SIGKILL from the OOM killer deserves its name in the result */
        ctr_cgroup_stats st;
        ctr_cgroup *cg = ctr_get_cgroup(env->ctr);
        if (WIFSIGNALED(*ret_status) && WTERMSIG(*ret_status) == SIGKILL && cg &&
            ctr_cgroup_stats_read(cg, &st, NULL) == 0 && st.oom_kills > 0) {
                char lim[32];
                return bench_error_set(
                        err, ENOMEM,
                        "the agent was killed by the OOM killer (%llu OOM kill%s; memory limit %s)",
                        (unsigned long long)st.oom_kills, st.oom_kills == 1 ? "" : "s",
                        env->spec.limits.memory_bytes
                                ? bench_format_size(env->spec.limits.memory_bytes, lim, sizeof(lim))
                                : "none");
        }
        return 0;
}

static size_t container_phases(rt_env *env, uint64_t ready_ns, rt_phase *out, size_t max) {
        if (!env->ctr)
                return 0;
        const double *ph = ctr_phases(env->ctr);
        size_t n = 0;
        for (int i = 0; i < CTR_PHASE_N && n < max; i++) {
                double ms = ph[i];
                if (i == CTR_PHASE_EXEC) {
                        uint64_t t = ctr_exec_started_ns(env->ctr);
                        if (!ready_ns || ready_ns < t)
                                continue;
                        ms = bench_ns_to_ms(ready_ns - t);
                }
                snprintf(out[n].name, sizeof(out[n].name), "%s", ctr_phase_names[i]);
                out[n].ms = ms;
                n++;
        }
        return n;
}

/* The profile applied, next to what the agent saw (its Seccomp mode): a name or the file's sha256. */
static void container_describe(rt_env *env, cJSON *seen) {
        const char *id = ctr_seccomp_identity(env->spec.seccomp);
        if (id)
                cJSON_AddStringToObject(seen, "seccomp_profile", id);
        /* what bounds the writable layer: a reader of the figures should know a disk upper is not */
        char upper[64];
        if (!env->spec.upper_tmpfs)
                snprintf(upper, sizeof(upper), "disk, no size limit");
        else if (env->spec.upper_size)
                snprintf(upper, sizeof(upper), "tmpfs, %llu KiB at most",
                         (unsigned long long)(env->spec.upper_size >> 10));
        else
                snprintf(upper, sizeof(upper), "tmpfs, " CTR_UPPER_SIZE_DEFAULT " at most");
        cJSON_AddStringToObject(seen, "upper", upper);
}

const bench_opt_spec rt_container_options[] = {
        CTR_ISOLATION_OPTIONS,
        {"userns", BENCH_OPT_BOOL, "false", NULL, 0, 0, "run in a new user namespace (rootless)"},
        {"timens", BENCH_OPT_BOOL, "false", NULL, 0, 0, "run in a new time namespace"},
        {0},
};

/*
 * The agent plus what the kernel keeps per container (namespaces, the
 * overlay mount, the cgroup, page tables). A memory limit does not raise
 * it: the agent does not use it, and what the readers cache is shared.
 */
static void container_estimate(const cJSON *options, rt_estimate *ret) {
        *ret = (rt_estimate){.kib = 8 * 1024, .fds = 6, .pids = 2};
        snprintf(ret->why, sizeof(ret->why),
                 "the agent and the kernel's namespaces, overlay mount and cgroup, about 8M");
}

const rt_driver rt_container_driver = {
        .name = "container",
        .options = rt_container_options,
        .probe = container_probe,
        .probe_options = container_probe_options,
        .check = container_check,
        .create = container_create,
        .start = container_start,
        .measure = container_measure,
        .wait = container_wait,
        .phases = container_phases,
        .destroy = container_destroy,
        .reap_stale = ctr_cgroup_reap_stale,
        .describe = container_describe,
        .estimate = container_estimate,
};
