/* SPDX-License-Identifier: MIT */
/*
 * bare: the agent as a plain host process. The baseline every other
 * configuration is measured against, so it does as little as possible
 * between the start call and execve: pipes, fork, bind, exec.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../common/cleanup.h"
#include "../common/util.h"
#include "driver.h"
#include "layers/layers.h"

struct rt_env {
        char *agent_path;
        char *data;    /* --data: the flattened tree of the configuration's stack, or NULL */
        char *scratch; /* the agent's --dir */
        cpu_set_t cpuset;
        int pinned;
        int pid;    /* > 0 while the agent may run */
        int pidfd;  /* pollable handle of pid */
        int reaped; /* exit status collected */
        int status;
};

static int bare_probe(unsigned flags, bench_error **err) {
        return 0;
}

static int bare_check(const cJSON *options, bench_error **err) {
        const char *stack = bench_opt_string(options, rt_bare_options, "stack");
        return stack ? lay_stack_check(stack, err) : 0;
}

static void bare_destroy(rt_env *env) {
        if (!env)
                return;
        if (env->pid > 0 && !env->reaped) {
                kill(env->pid, SIGKILL);
                while (waitpid(env->pid, &env->status, 0) < 0 && errno == EINTR)
                        ;
        }
        if (env->pidfd >= 0)
                close(env->pidfd);
        if (env->scratch)
                bench_rm_rf(env->scratch, NULL);
        free(env->scratch);
        free(env->data);
        free(env->agent_path);
        free(env);
}

static int bare_create(const rt_config *cfg, unsigned flags, rt_env **ret_env, bench_error **err) {
        rt_env *env = calloc(1, sizeof(*env));
        if (!env)
                return bench_error_set(err, ENOMEM, "out of memory");
        env->pidfd = -1;
        env->agent_path = strdup(cfg->agent_path);
        if (asprintf(&env->scratch, "%s/bare-XXXXXX", cfg->state_dir) < 0 || !env->agent_path) {
                env->scratch = NULL;
                bare_destroy(env);
                return bench_error_set(err, ENOMEM, "out of memory");
        }
        if (!mkdtemp(env->scratch)) {
                int e = errno;
                free(env->scratch);
                env->scratch = NULL;
                bare_destroy(env);
                return bench_error_errno(err, e, "cannot create a scratch dir in %s", cfg->state_dir);
        }
        if (cfg->cpuset) {
                env->cpuset = *cfg->cpuset;
                env->pinned = 1;
        }
        const char *stack = bench_opt_string(cfg->options, rt_bare_options, "stack");
        if (stack) {
                lay_stack st = {0};
                int r = lay_stack_resolve(stack, &st, err);
                if (r == 0)
                        r = lay_flatten(&st, 0, &env->data, err);
                lay_stack_clear(&st);
                if (r < 0) {
                        bare_destroy(env);
                        return bench_error_prefix(err, "stack");
                }
        }
        *ret_env = env;
        return 0;
}

static int bare_start(rt_env *env, char *const *args, rt_launch *ret_launch, bench_error **err) {
        size_t nargs = 0;
        while (args[nargs])
                nargs++;
        /* everything the child needs is built before fork: it only does syscalls */
        _cleanup_free_ char **argv = calloc(nargs + 6, sizeof(char *));
        if (!argv)
                return bench_error_set(err, ENOMEM, "out of memory");
        size_t a = 0;
        argv[a++] = env->agent_path;
        argv[a++] = (char *)"--dir";
        argv[a++] = env->scratch;
        if (env->data) {
                argv[a++] = (char *)"--data";
                argv[a++] = env->data;
        }
        memcpy(argv + a, args, nargs * sizeof(char *));
        rt_child_fds child;
        rt_launch launch;
        int r = rt_pipes_open(&child, &launch, err);
        if (r < 0)
                return r;
        int parent = getpid();
        /*
         * vfork: the harness maps libvirt, hwloc and their libraries; copying
         * those page tables on fork() more than doubled bare ready_ms. The
         * child only makes syscalls on data built above, then execs.
         */
        int pid = vfork();
        if (pid < 0) {
                int e = errno;
                rt_child_fds_close(&child);
                rt_launch_close(&launch);
                return bench_error_errno(err, e, "cannot vfork");
        }
        if (pid == 0) {
                /* its own process group: a terminal's Ctrl-C reaches the harness only */
                setpgid(0, 0);
                prctl(PR_SET_PDEATHSIG, SIGKILL);
                if (getppid() != parent)
                        _exit(127);
                if (dup2(child.in, 0) < 0 || dup2(child.out, 1) < 0 || dup2(child.err, 2) < 0)
                        _exit(127);
                if (env->pinned && sched_setaffinity(0, sizeof(env->cpuset), &env->cpuset) < 0)
                        _exit(126);
                execv(argv[0], argv);
                _exit(127);
        }
        rt_child_fds_close(&child);
        env->pid = pid;
        env->reaped = 0;
        env->pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
        *ret_launch = launch;
        return 0;
}

static int bare_measure(rt_env *env, rt_metric out[RT_MAX_METRICS], bench_error **err) {
        double pss;
        if (env->pid <= 0 || env->reaped)
                return bench_error_set(err, ESRCH, "the agent is not running");
        int r = bench_pss_kib(env->pid, &pss, err);
        if (r < 0)
                return r;
        out[0] = RT_METRIC_KIB(RT_METRIC_FOOTPRINT, pss);
        return 1;
}

static int bare_wait(rt_env *env, int timeout_ms, int *ret_status, bench_error **err) {
        if (env->pid <= 0)
                return bench_error_set(err, ESRCH, "the agent was not started");
        if (!env->reaped) {
                if (env->pidfd >= 0) {
                        struct pollfd p = {.fd = env->pidfd, .events = POLLIN};
                        int r;
                        while ((r = poll(&p, 1, timeout_ms)) < 0 && errno == EINTR)
                                ;
                        if (r == 0)
                                return bench_error_set(err, ETIMEDOUT, "the agent did not exit within %d ms",
                                                       timeout_ms);
                }
                int r;
                while ((r = waitpid(env->pid, &env->status, 0)) < 0 && errno == EINTR)
                        ;
                if (r < 0)
                        return bench_error_errno(err, errno, "waitpid");
                env->reaped = 1;
        }
        *ret_status = env->status;
        return 0;
}

static size_t bare_phases(rt_env *env, uint64_t ready_ns, rt_phase *out, size_t max) {
        return 0;
}

const bench_opt_spec rt_bare_options[] = {RT_OPTION_STACK, {0}};

/* The static agent's few MiB of RSS and its page tables; fds: the channel and a pidfd. */
static void bare_estimate(const cJSON *options, rt_estimate *ret) {
        *ret = (rt_estimate){.kib = 4 * 1024, .fds = 4, .pids = 1};
        snprintf(ret->why, sizeof(ret->why), "the agent process, about 4M");
}

const rt_driver rt_bare_driver = {
        .name = "bare",
        .options = rt_bare_options,
        .probe = bare_probe,
        .check = bare_check,
        .create = bare_create,
        .start = bare_start,
        .measure = bare_measure,
        .wait = bare_wait,
        .phases = bare_phases,
        .destroy = bare_destroy,
        .estimate = bare_estimate,
};
