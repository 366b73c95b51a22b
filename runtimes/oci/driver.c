/* SPDX-License-Identifier: MIT */
/*
 * oci: the agent in a container of an external OCI runtime CLI (crun, runc,
 * runsc = gVisor, or any path), with the isolation of bench's own container
 * kind (the same options, defaults and tables) so that the two compare.
 * create (untimed) writes the bundle and forks the shim (shim.c), which
 * mounts the overlay rootfs in its own mount namespace; start (timed) tells
 * it to run `RUNTIME create` then `RUNTIME start`; wait hears the exit
 * status and `RUNTIME delete`. Every figure is labelled with the runtime's
 * name and version ("crun 1.8.1").
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../../common/cleanup.h"
#include "../../common/cpulist.h"
#include "../../common/util.h"
#include "../container/cgroup.h"
#include "../container/kind.h"
#include "../container/seccomp.h"
#include "../layers/layers.h"
#include "oci-internal.h"

struct rt_env {
        char *id, *bundle, *cgroups_path, *record;
        const char *label; /* the runtime's "NAME VERSION", cached */
        oci_runtime rt;
        char **rt_args; /* owned, NULL-terminated */
        ctr_rootfs rootfs;
        char *seccomp, *cpus, *hostname;
        char *config; /* config.json but the workload's arguments */
        bool upper_tmpfs, loopback;
        uint64_t upper_size;
        oci_shim shim;
        rt_launch launch; /* handed to the harness by start */
        bool started, exited, deleted, hid_unified;
        int status;
        double create_ms, start_ms, delete_ms;
        uint64_t t_started_ns;
        pid_t cpid;
        int timeout_ms;
        const char *added_arg; /* a runtime argument bench added, NULL if none */
};

static unsigned next_id;

/* ---- the runtime: where it is, what it is (once per runtime per process) ---- */

typedef struct runtime_info {
        char *name; /* as the option says */
        char *path; /* NULL: not usable, see why */
        char *label;
        char *why;
        int code;
        int hide; /* -1 unknown, 0 no, 1 hide /sys/fs/cgroup/unified (known or learnt) */
} runtime_info;

static runtime_info *infos;
static size_t n_infos;

/* "crun version 1.8.1" -> "crun 1.8.1": the program's name and the word after "version" */
static char *make_label(const char *path, const char *out) {
        const char *base = strrchr(path, '/');
        base = base ? base + 1 : path;
        size_t line = strcspn(out, "\n");
        const char *v = memmem(out, line, "version ", 8);
        char *s = NULL;
        if (v) {
                v += 8;
                size_t len = strcspn(v, " \n\t");
                if (asprintf(&s, "%s %.*s", base, (int)len, v) < 0)
                        s = NULL;
        } else if (asprintf(&s, "%s %.*s", base, (int)(line > 80 ? 80 : line), out) < 0)
                s = NULL;
        return s;
}

/* `PATH --version`'s stdout (bounded: 10 s, 4 KiB). */
static int run_version(const char *path, char *out, size_t len, int *ret_status) {
        int p[2];
        if (pipe2(p, O_CLOEXEC) < 0)
                return -errno;
        pid_t pid = fork();
        if (pid < 0) {
                int e = errno;
                close(p[0]);
                close(p[1]);
                return -e;
        }
        if (pid == 0) {
                int null = open("/dev/null", O_RDWR);
                dup2(null, 0);
                dup2(p[1], 1);
                dup2(null, 2);
                execl(path, path, "--version", (char *)NULL);
                _exit(127);
        }
        close(p[1]);
        size_t n = 0;
        uint64_t deadline = bench_now_ns() + 10000000000ull;
        for (;;) {
                struct pollfd pf = {.fd = p[0], .events = POLLIN};
                uint64_t now = bench_now_ns();
                if (now >= deadline) {
                        kill(pid, SIGKILL);
                        break;
                }
                int r = poll(&pf, 1, (int)((deadline - now) / 1000000) + 1);
                if (r < 0 && errno == EINTR)
                        continue;
                if (r <= 0)
                        continue;
                ssize_t m = read(p[0], out + n, len - 1 - n);
                if (m < 0 && errno == EINTR)
                        continue;
                if (m <= 0)
                        break;
                n += (size_t)m;
                if (n + 1 >= len)
                        break;
        }
        out[n] = '\0';
        close(p[0]);
        while (waitpid(pid, ret_status, 0) < 0 && errno == EINTR)
                ;
        return 0;
}

static const runtime_info *runtime_get(const char *name) {
        for (size_t i = 0; i < n_infos; i++)
                if (!strcmp(infos[i].name, name))
                        return &infos[i];
        runtime_info *n = realloc(infos, (n_infos + 1) * sizeof(*n));
        if (!n)
                return NULL;
        infos = n;
        runtime_info *ri = &infos[n_infos];
        *ri = (runtime_info){.name = strdup(name), .hide = -1};
        if (!ri->name)
                return NULL;
        n_infos++;
        char *path = NULL;
        if (name[0] == '/') {
                if (access(name, X_OK) < 0) {
                        ri->code = errno;
                        if (asprintf(&ri->why, "OCI runtime `%s`: %s", name, strerror(errno)) < 0)
                                ri->why = NULL;
                        return ri;
                }
                path = strdup(name);
        } else if (bench_find_program(name, BENCH_FIND_SBIN, &path) < 0) {
                ri->code = ENOENT;
                if (asprintf(&ri->why,
                             "OCI runtime `%s` is not installed (not found in PATH or the sbin dirs)",
                             name) < 0)
                        ri->why = NULL;
                return ri;
        }
        char out[4096];
        int st = 0;
        int r = path ? run_version(path, out, sizeof(out), &st) : -ENOMEM;
        if (r < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
                _cleanup_free_ char *shown = bench_escape_text(path ? path : name, 0);
                ri->code = r < 0 ? -r : EIO;
                if (asprintf(&ri->why, "OCI runtime `%s --version` %s %d: not a usable runtime", shown,
                             r < 0           ? "could not run:"
                             : WIFEXITED(st) ? "exited with status"
                                             : "was killed by signal",
                             r < 0           ? -r
                             : WIFEXITED(st) ? WEXITSTATUS(st)
                                             : WTERMSIG(st)) < 0)
                        ri->why = NULL;
                free(path);
                return ri;
        }
        ri->label = make_label(path, out);
        if (!ri->label) {
                free(path);
                return NULL;
        }
        ri->path = path;
        /* crun 1.8 refuses hybrid hosts: known, so no timed start pays for learning it */
        if (ctr_cgroup_mode_detect() == CTR_CGROUP_MODE_HYBRID)
                ri->hide = !strncmp(ri->label, "crun ", 5) ? 1 : -1;
        else
                ri->hide = 0;
        return ri;
}

/* ---- hooks ---- */

static int oci_probe(unsigned flags, bench_error **err) {
        if (geteuid() != 0)
                return bench_error_set(err, EPERM,
                                       "needs root: run bench with sudo (the oci kind's shim mounts the "
                                       "rootfs, the runtimes make cgroups)");
        _cleanup_free_ char *fs = NULL;
        if (bench_read_file("/proc/filesystems", &fs, NULL, NULL) == 0 && !strstr(fs, "\toverlay\n"))
                return bench_error_set(err, ENODEV, "this kernel has no overlayfs (modprobe overlay)");
        if (access("/bin/busybox", X_OK) < 0)
                return bench_error_set(
                        err, ENOENT,
                        "/bin/busybox is missing: the container base layer needs busybox-static "
                        "(scripts/setup installs it)");
        return 0;
}

/* A configuration whose runtime is missing or not a runtime is a skip with the reason. */
static int oci_probe_options(const cJSON *o, bench_error **err) {
        const runtime_info *ri = runtime_get(bench_opt_string(o, rt_oci_options, "runtime"));
        if (!ri)
                return bench_error_set(err, ENOMEM, "out of memory");
        if (!ri->path)
                return bench_error_set(err, ri->code ? ri->code : ENOENT, "%s",
                                       ri->why ? ri->why : "the OCI runtime is not usable");
        return 0;
}

static bool bad_arg(const char *s) {
        return !s || !*s;
}

/* What the suite can get wrong: runtime and runtime_args words, then the container kind's checks. */
static int oci_check(const cJSON *o, bench_error **err) {
        const bench_opt_spec *t = rt_oci_options;
        const char *runtime = bench_opt_string(o, t, "runtime");
        if (bad_arg(runtime))
                return bench_error_set(err, EINVAL, "runtime: empty (crun, runc, runsc or an absolute path)");
        if (strchr(runtime, '/') && runtime[0] != '/')
                return bench_error_set(err, EINVAL,
                                       "runtime `%s`: a path must be absolute (or give a program name found "
                                       "in PATH)",
                                       runtime);
        const cJSON *a, *args = bench_opt_list(o, t, "runtime_args");
        int i = 0;
        cJSON_ArrayForEach(a, args) {
                if (bad_arg(a->valuestring))
                        return bench_error_set(err, EINVAL, "runtime_args[%d]: an empty argument", i);
                i++;
        }
        const char *stack = bench_opt_string(o, t, "stack");
        int r;
        if (stack && (r = lay_stack_check(stack, err)) < 0)
                return r;
        ctr_rootfs listed = {0};
        if ((r = ctr_rootfs_assemble(o, t, NULL, CTR_ROOTFS_LISTED_ONLY, &listed, err)) < 0)
                return r;
        const char *argv[CTR_AGENT_ARGS_MAX + 1] = {0};
        ctr_agent_args(false, false, argv);
        char buf[32];
        const char *workdir = getenv("BENCH_WORKDIR");
        ctr_spec spec = {
                .layers = (const char *const *)listed.layers,
                .n_layers = listed.n_layers,
                .state_dir = workdir && *workdir ? workdir : "/var/tmp",
                .upper_tmpfs = !strcmp(bench_opt_enum(o, t, "upper"), "tmpfs"),
                .upper_size = bench_opt_given(o, t, "upper_size") ? bench_opt_size(o, t, "upper_size") : 0,
                .caps = NULL,
                .seccomp = bench_opt_string(o, t, "seccomp"),
                .limits = {.memory_bytes = bench_opt_size(o, t, "memory"),
                           .pids_max = bench_opt_uint(o, t, "pids"),
                           .cpu_quota_us = bench_opt_uint(o, t, "cpu_quota"),
                           .cpus = bench_opt_cpulist(o, t, "cpus", buf, sizeof(buf))},
                .argv = (char *const *)argv,
        };
        _cleanup_free_ char *caps = NULL;
        const cJSON *c, *cl = bench_opt_list(o, t, "capabilities");
        if (cl) {
                size_t len = 1;
                cJSON_ArrayForEach(c, cl) len += strlen(c->valuestring) + 1;
                if (!(caps = calloc(1, len)))
                        return bench_error_set(err, ENOMEM, "out of memory");
                cJSON_ArrayForEach(c, cl) {
                        if (*caps)
                                strcat(caps, ",");
                        strcat(caps, c->valuestring);
                }
                spec.caps = caps;
        }
        if (spec.limits.cpus && (r = bench_cpulist_check_allowed(spec.limits.cpus, err)) < 0) {
                ctr_rootfs_clear(&listed);
                return r;
        }
        r = ctr_spec_check(&spec, CTR_CHECK_NO_BASE, err);
        ctr_rootfs_clear(&listed);
        return r;
}

static void oci_destroy(rt_env *env) {
        if (!env)
                return;
        /* EOF on its pipe: the shim deletes the container (if any) and ends; its mounts go with it */
        bool shim_ran = env->shim.pid > 0;
        if (shim_ran)
                oci_shim_end(&env->shim);
        rt_launch_close(&env->launch);
        if (env->id)
                oci_cgroup_remove(env->id);
        /*
         * the shim removes the record once delete succeeded (or nothing was
         * created); one it left names a container that may still exist: the
         * next run deletes it (reap_stale). Without a shim nothing was created.
         */
        if (!shim_ran)
                oci_record_remove(env->record);
        if (env->bundle)
                bench_rm_rf(env->bundle, NULL);
        ctr_rootfs_clear(&env->rootfs);
        for (size_t i = 0; env->rt_args && env->rt_args[i]; i++)
                free(env->rt_args[i]);
        free(env->rt_args);
        free(env->id);
        free(env->bundle);
        free(env->cgroups_path);
        free(env->record);
        free(env->seccomp);
        free(env->cpus);
        free(env->hostname);
        free(env->config);
        free(env);
}

static void oci_destroyp(rt_env **env) {
        oci_destroy(*env);
}

static int oci_create(const rt_config *cfg, unsigned flags, rt_env **ret_env, bench_error **err) {
        _cleanup_(oci_destroyp) rt_env *env = calloc(1, sizeof(*env));
        if (!env)
                return bench_error_set(err, ENOMEM, "out of memory");
        env->shim = (oci_shim){.pid = 0, .ctl_fd = -1, .report_fd = -1};
        env->launch = (rt_launch){-1, -1, -1};
        const cJSON *o = cfg->options;
        const bench_opt_spec *t = rt_oci_options;
        int r;
        const runtime_info *ri = runtime_get(bench_opt_string(o, t, "runtime"));
        if (!ri)
                return bench_error_set(err, ENOMEM, "out of memory");
        if (!ri->path)
                return bench_error_set(err, ri->code ? ri->code : ENOENT, "%s", ri->why ? ri->why : "?");
        env->label = ri->label;
        env->timeout_ms = cfg->timeout_s > 0 ? (int)(cfg->timeout_s * 1000) : -1;
        const cJSON *a, *args = bench_opt_list(o, t, "runtime_args");
        size_t na = args ? (size_t)cJSON_GetArraySize(args) : 0, k = 0;
        if (!(env->rt_args = calloc(na + 2, sizeof(char *))))
                return bench_error_set(err, ENOMEM, "out of memory");
        bool oci_seccomp = false;
        cJSON_ArrayForEach(a, args) {
                if (!(env->rt_args[k++] = strdup(a->valuestring)))
                        return bench_error_set(err, ENOMEM, "out of memory");
                oci_seccomp |= !strncmp(a->valuestring, "--oci-seccomp", 13) ||
                               !strncmp(a->valuestring, "-oci-seccomp", 12);
        }
        /*
         * gVisor ignores linux.seccomp unless told: the profile the option asks
         * for applies inside its sandbox with --oci-seccomp (said in the result)
         */
        const char *sc = bench_opt_string(o, t, "seccomp");
        if (!strncmp(ri->label, "runsc ", 6) && strcmp(sc, "none") && !oci_seccomp) {
                if (!(env->rt_args[k++] = strdup("--oci-seccomp")))
                        return bench_error_set(err, ENOMEM, "out of memory");
                env->added_arg = "--oci-seccomp";
        }
        env->rt = (oci_runtime){.path = ri->path, .args = env->rt_args, .hide_unified = ri->hide == 1};

        if ((r = ctr_rootfs_assemble(o, t, cfg->agent_path, 0, &env->rootfs, err)) < 0)
                return r;
        const char *seccomp = bench_opt_string(o, t, "seccomp"),
                   *hostname = bench_opt_string(o, t, "hostname");
        char buf[32];
        const char *cpus = bench_opt_cpulist(o, t, "cpus", buf, sizeof(buf));
        /* the pinning choice becomes the cpuset, as for the container kind */
        if (!cpus)
                cpus = cfg->cpus;
        if ((seccomp && !(env->seccomp = strdup(seccomp))) ||
            (hostname && !(env->hostname = strdup(hostname))) || (cpus && !(env->cpus = strdup(cpus))))
                return bench_error_set(err, ENOMEM, "out of memory");
        env->upper_tmpfs = !strcmp(bench_opt_enum(o, t, "upper"), "tmpfs");
        env->upper_size = bench_opt_given(o, t, "upper_size") ? bench_opt_size(o, t, "upper_size") : 0;
        env->loopback = !strcmp(bench_opt_enum(o, t, "network"), "loopback");
        bool ro = bench_opt_bool(o, t, "readonly_rootfs");

        ctr_caps caps;
        _cleanup_free_ char *capnames = NULL;
        const cJSON *c, *cl = bench_opt_list(o, t, "capabilities");
        if (cl) {
                size_t len = 1;
                cJSON_ArrayForEach(c, cl) len += strlen(c->valuestring) + 1;
                if (!(capnames = calloc(1, len)))
                        return bench_error_set(err, ENOMEM, "out of memory");
                cJSON_ArrayForEach(c, cl) {
                        if (*capnames)
                                strcat(capnames, ",");
                        strcat(capnames, c->valuestring);
                }
        }
        if ((r = ctr_caps_parse(capnames, &caps, err)) < 0)
                return r;

        /*
         * a fixed-width count: runsc takes an id as a prefix, so with ten
         * containers up "...-1" named "...-10" to "...-19" too and its delete
         * waited on another container's sandbox ("context deadline exceeded")
         */
        if (asprintf(&env->id, OCI_ID_PREFIX "%d-%06u", (int)getpid(), next_id++) < 0 ||
            asprintf(&env->bundle, "%s/%s", cfg->state_dir, env->id) < 0 ||
            asprintf(&env->cgroups_path, OCI_CGROUP_PARENT "/%s", env->id) < 0) {
                env->id = env->bundle = env->cgroups_path = NULL;
                return bench_error_set(err, ENOMEM, "out of memory");
        }
        if ((r = ctr_cgroup_parent_ready(OCI_CGROUP_NAME, err)) < 0)
                return r;
        char sub[4096];
        if (mkdir(env->bundle, 0700) < 0)
                return bench_error_errno(err, errno, "cannot create %s", env->bundle);
        snprintf(sub, sizeof(sub), "%s/rootfs", env->bundle);
        if (mkdir(sub, 0755) < 0)
                return bench_error_errno(err, errno, "cannot create %s", sub);
        snprintf(sub, sizeof(sub), "%s/ovl", env->bundle);
        if (mkdir(sub, 0700) < 0)
                return bench_error_errno(err, errno, "cannot create %s", sub);

        const char *argv[CTR_AGENT_ARGS_MAX + 1] = {0};
        ctr_agent_args(ro, env->rootfs.data, argv);
        oci_bundle_spec bs = {
                .dir = env->bundle,
                .args = (char *const *)argv,
                .hostname = env->hostname,
                .id = env->id,
                .cgroups_path = env->cgroups_path,
                .readonly_rootfs = ro,
                .loopback = env->loopback,
                .caps = caps.keep,
                .seccomp = env->seccomp,
                .tmpfs_size = bench_opt_size(o, t, "tmpfs_size"),
                .memory_bytes = bench_opt_size(o, t, "memory"),
                .pids_max = bench_opt_uint(o, t, "pids"),
                .cpu_quota_us = bench_opt_uint(o, t, "cpu_quota"),
                .cpus = env->cpus,
                .agent_bind = env->rootfs.agent_bind,
        };
        if ((r = oci_bundle_render(&bs, &env->config, err)) < 0)
                return r;

        rt_child_fds child;
        if ((r = rt_pipes_open(&child, &env->launch, err)) < 0)
                return r;
        if ((r = oci_record_add(env->id, &env->rt, &env->record, err)) < 0) {
                rt_child_fds_close(&child);
                return r;
        }
        oci_shim_spec ss = {
                .rt = env->rt,
                .id = env->id,
                .bundle = env->bundle,
                .layers = (const char *const *)env->rootfs.layers,
                .n_layers = env->rootfs.n_layers,
                .upper_tmpfs = env->upper_tmpfs,
                .upper_size = env->upper_size,
                .retry_hybrid = ri->hide == -1,
                .affinity = cfg->cpuset,
                .record = env->record,
                .stdio = child,
        };
        r = oci_shim_spawn(&ss, &env->shim, err);
        rt_child_fds_close(&child);
        if (r < 0)
                return r;
        *ret_env = steal_pointer(&env);
        return 0;
}

/* The runtime's words, safe to show: the tail of its stderr, escaped, trimmed. */
static void runtime_says(int fd, const char *text, char *out, size_t len) {
        char buf[2048] = "";
        size_t n = 0;
        if (text && *text)
                n = (size_t)snprintf(buf, sizeof(buf), "%s", text);
        else if (fd >= 0) {
                int fl = fcntl(fd, F_GETFL);
                fcntl(fd, F_SETFL, fl | O_NONBLOCK);
                ssize_t m;
                while (n + 1 < sizeof(buf) && (m = read(fd, buf + n, sizeof(buf) - 1 - n)) > 0)
                        n += (size_t)m;
                buf[n] = '\0';
        }
        while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' ' || buf[n - 1] == '\r'))
                buf[--n] = '\0';
        /* one line in the result: the runtime's lines joined */
        for (size_t i = 0; i < n; i++)
                if (buf[i] == '\n')
                        buf[i] = ' ';
        _cleanup_free_ char *safe = bench_escape_text(buf, 0);
        snprintf(out, len, "%s", safe && *safe ? safe : "(nothing on stderr)");
}

static void describe_wait_status(int st, char *buf, size_t len) {
        if (st < 0)
                snprintf(buf, len, "could not run: %s", strerror(-st));
        else if (WIFEXITED(st))
                snprintf(buf, len, "exit status %d", WEXITSTATUS(st));
        else if (WIFSIGNALED(st))
                snprintf(buf, len, "killed by signal %d", WTERMSIG(st));
        else
                snprintf(buf, len, "wait status 0x%x", st);
}

static int oci_start(rt_env *env, char *const *args, rt_launch *ret_launch, bench_error **err) {
        /* the plan is the agent's command line: config.json is complete only now */
        int r = oci_bundle_write(env->bundle, env->config, args, err);
        if (r < 0)
                return r;
        ssize_t n;
        while ((n = write(env->shim.ctl_fd, "g", 1)) < 0 && errno == EINTR)
                ;
        if (n != 1)
                return bench_error_errno(err, errno, "cannot reach the OCI shim");
        oci_msg m;
        if ((r = oci_shim_read(&env->shim, env->timeout_ms, &m, err)) < 0)
                return r;
        if (m.type == OCI_MSG_FAILED) {
                char how[64], said[2100];
                describe_wait_status(m.status, how, sizeof(how));
                runtime_says(env->launch.err_fd, m.text, said, sizeof(said));
                return bench_error_set(err, EIO, "`%s %s` failed (%s): %s", env->label, m.step, how, said);
        }
        if (m.type != OCI_MSG_STARTED)
                return bench_error_set(err, EPROTO, "the OCI shim sent message %u instead of STARTED",
                                       m.type);
        env->started = true;
        env->create_ms = m.create_ms;
        env->start_ms = m.start_ms;
        env->t_started_ns = m.t_ns;
        env->cpid = m.pid;
        env->hid_unified = m.hid_unified || env->rt.hide_unified;
        if (m.hid_unified && !env->rt.hide_unified)
                for (size_t i = 0; i < n_infos; i++)
                        if (infos[i].path && !strcmp(infos[i].path, env->rt.path))
                                infos[i].hide = 1; /* learnt: the next creates hide it from the start */
        *ret_launch = env->launch;
        env->launch = (rt_launch){-1, -1, -1};
        return 0;
}

/* pid -> parent pid of every process, to find the shim's descendants */
static size_t descendants(pid_t root, pid_t *out, size_t max) {
        DIR *d = opendir("/proc");
        if (!d)
                return 0;
        size_t cap = 4096, n = 0;
        pid_t(*pp)[2] = malloc(cap * sizeof(*pp));
        struct dirent *de;
        while (pp && (de = readdir(d))) {
                if (de->d_name[0] < '1' || de->d_name[0] > '9')
                        continue;
                char path[300], buf[512];
                snprintf(path, sizeof(path), "/proc/%s/stat", de->d_name);
                int fd = open(path, O_RDONLY | O_CLOEXEC);
                if (fd < 0)
                        continue;
                ssize_t m = read(fd, buf, sizeof(buf) - 1);
                close(fd);
                if (m <= 0)
                        continue;
                buf[m] = '\0';
                const char *e = strrchr(buf, ')');
                int ppid;
                char state;
                if (!e || sscanf(e + 1, " %c %d", &state, &ppid) != 2)
                        continue;
                if (n == cap) {
                        pid_t(*nn)[2] = realloc(pp, 2 * cap * sizeof(*pp));
                        if (!nn)
                                break;
                        pp = nn;
                        cap *= 2;
                }
                pp[n][0] = atoi(de->d_name);
                pp[n][1] = ppid;
                n++;
        }
        closedir(d);
        size_t k = 0;
        pid_t queue[4096];
        size_t qh = 0, qt = 0;
        queue[qt++] = root;
        while (pp && qh < qt) {
                pid_t p = queue[qh++];
                for (size_t i = 0; i < n; i++)
                        if (pp[i][1] == p && qt < ELEMENTSOF(queue)) {
                                queue[qt++] = pp[i][0];
                                if (k < max)
                                        out[k++] = pp[i][0];
                        }
        }
        free(pp);
        return k;
}

/*
 * Shared memory files (memfd) the processes hold open, each once: gVisor's
 * sentry keeps the sandbox's memory in one and maps only parts of it at a
 * time, so PSS alone would miss what the guest holds; a file's allocated
 * size counts instead of its mapped pages.
 */
typedef struct memfd_set {
        dev_t dev[64];
        ino_t ino[64];
        double kib[64];
        size_t n;
} memfd_set;

static void memfds_held(pid_t pid, memfd_set *set) {
        char dir[64];
        snprintf(dir, sizeof(dir), "/proc/%d/fd", (int)pid);
        DIR *d = opendir(dir);
        if (!d)
                return;
        struct dirent *de;
        while ((de = readdir(d)) && set->n < ELEMENTSOF(set->dev)) {
                char link[330], target[256];
                if (de->d_name[0] == '.')
                        continue;
                snprintf(link, sizeof(link), "%s/%s", dir, de->d_name);
                ssize_t m = readlink(link, target, sizeof(target) - 1);
                if (m <= 0)
                        continue;
                target[m] = '\0';
                struct stat st;
                if (strncmp(target, "/memfd:", 7) || stat(link, &st) < 0)
                        continue;
                bool known = false;
                for (size_t i = 0; i < set->n && !known; i++)
                        known = set->dev[i] == st.st_dev && set->ino[i] == st.st_ino;
                if (known)
                        continue;
                set->dev[set->n] = st.st_dev;
                set->ino[set->n] = st.st_ino;
                set->kib[set->n] = (double)st.st_blocks * 512.0 / 1024.0;
                set->n++;
        }
        closedir(d);
}

/* PSS of pid's mappings but those of the files in set (counted whole), in KiB. */
static double pss_but_files(pid_t pid, const memfd_set *set) {
        if (set->n == 0) {
                double kib;
                return bench_pss_kib(pid, &kib, NULL) == 0 ? kib : 0;
        }
        char path[64];
        snprintf(path, sizeof(path), "/proc/%d/smaps", (int)pid);
        _cleanup_fclose_ FILE *f = fopen(path, "re");
        if (!f)
                return 0;
        char line[512];
        bool skip = false;
        double total = 0;
        while (fgets(line, sizeof(line), f)) {
                unsigned long long lo, hi, off, ino;
                unsigned maj, min;
                char perms[8];
                double kib;
                if (sscanf(line, "%llx-%llx %7s %llx %x:%x %llu", &lo, &hi, perms, &off, &maj, &min, &ino) ==
                    7) {
                        skip = false;
                        for (size_t i = 0; i < set->n && !skip; i++)
                                skip = set->ino[i] == (ino_t)ino && set->dev[i] == makedev(maj, min);
                } else if (!skip && sscanf(line, "Pss: %lf kB", &kib) == 1)
                        total += kib;
        }
        return total;
}

static int read_u64(const char *path, uint64_t *ret) {
        _cleanup_free_ char *s = NULL;
        if (bench_read_file(path, &s, NULL, NULL) < 0)
                return -1;
        char *end;
        unsigned long long v = strtoull(s, &end, 10);
        if (end == s)
                return -1;
        *ret = v;
        return 0;
}

/*
 * footprint_kib: PSS of every host process below the shim (the container's,
 * runsc's sandbox and gofer, a runtime's own shim), not the shim itself;
 * then the container's memory cgroup where it can be read.
 */
static int oci_measure(rt_env *env, rt_metric out[RT_MAX_METRICS], bench_error **err) {
        if (!env->started || env->shim.pid <= 0)
                return bench_error_set(err, ESRCH, "the container is not running");
        pid_t pids[1024];
        size_t n = descendants(env->shim.pid, pids, ELEMENTSOF(pids));
        memfd_set files = {0};
        for (size_t i = 0; i < n; i++)
                memfds_held(pids[i], &files);
        double total = 0;
        for (size_t i = 0; i < files.n; i++)
                total += files.kib[i];
        for (size_t i = 0; i < n; i++)
                total += pss_but_files(pids[i], &files);
        if (n == 0 || total <= 0)
                return bench_error_set(err, ESRCH, "no process of the container was found below its shim");
        int k = 0;
        out[k++] = RT_METRIC_KIB(RT_METRIC_FOOTPRINT, total);
        char path[4096];
        uint64_t v;
        /* v1 memory controller, else cgroup2 at the root */
        static const char *const usage[][3] = {
                {"/sys/fs/cgroup/memory", "memory.usage_in_bytes", "memory.max_usage_in_bytes"},
                {"/sys/fs/cgroup", "memory.current", "memory.peak"}};
        for (size_t i = 0; i < ELEMENTSOF(usage); i++) {
                snprintf(path, sizeof(path), "%s%s/%s", usage[i][0], env->cgroups_path, usage[i][1]);
                if (read_u64(path, &v) < 0)
                        continue;
                if (v > 0)
                        out[k++] = RT_METRIC_KIB(RT_METRIC_CGROUP_USAGE, (double)v / 1024.0);
                snprintf(path, sizeof(path), "%s%s/%s", usage[i][0], env->cgroups_path, usage[i][2]);
                if (read_u64(path, &v) == 0 && v > 0)
                        out[k++] = RT_METRIC_KIB("cgroup_peak_kib", (double)v / 1024.0);
                break;
        }
        return k;
}

static int oci_wait(rt_env *env, int timeout_ms, int *ret_status, bench_error **err) {
        if (!env->started)
                return bench_error_set(err, ESRCH, "the container was not started");
        uint64_t deadline = bench_now_ns() + (uint64_t)timeout_ms * 1000000u;
        while (!env->exited || !env->deleted) {
                uint64_t now = bench_now_ns();
                /* delete gets its own few seconds: the status is known already */
                int left = now < deadline ? (int)((deadline - now) / 1000000u) + 1 : 0;
                if (env->exited && left < 10000)
                        left = 10000;
                oci_msg m;
                int r = oci_shim_read(&env->shim, left, &m, err);
                if (r < 0) {
                        if (r == -ETIMEDOUT && !env->exited)
                                return bench_error_set(err, ETIMEDOUT,
                                                       "the container did not exit within %d ms", timeout_ms);
                        return r;
                }
                if (m.type == OCI_MSG_EXITED) {
                        env->exited = true;
                        env->status = m.status;
                } else if (m.type == OCI_MSG_DELETED) {
                        env->deleted = true;
                        env->delete_ms = m.delete_ms;
                } else if (m.type == OCI_MSG_FAILED) {
                        char how[64], said[2100];
                        describe_wait_status(m.status, how, sizeof(how));
                        runtime_says(-1, m.text, said, sizeof(said));
                        return bench_error_set(err, EIO, "`%s %s` failed (%s): %s", env->label, m.step, how,
                                               said);
                }
        }
        *ret_status = env->status;
        return 0;
}

static size_t oci_phases(rt_env *env, uint64_t ready_ns, rt_phase *out, size_t max) {
        if (!env->started)
                return 0;
        size_t n = 0;
        struct {
                const char *name;
                double ms;
                bool have;
        } ph[] = {
                {"phase.create_ms", env->create_ms, true},
                {"phase.start_ms", env->start_ms, true},
                {"phase.exec_ms",
                 ready_ns >= env->t_started_ns ? bench_ns_to_ms(ready_ns - env->t_started_ns) : 0,
                 ready_ns != 0 && ready_ns >= env->t_started_ns},
                {"phase.delete_ms", env->delete_ms, env->deleted},
        };
        for (size_t i = 0; i < ELEMENTSOF(ph) && n < max; i++) {
                if (!ph[i].have)
                        continue;
                snprintf(out[n].name, sizeof(out[n].name), "%s", ph[i].name);
                out[n].ms = ph[i].ms;
                n++;
        }
        return n;
}

static const char *oci_runtime_label(rt_env *env) {
        return env->label;
}

static void oci_describe(rt_env *env, cJSON *seen) {
        const char *id = ctr_seccomp_identity(env->seccomp);
        if (id)
                cJSON_AddStringToObject(seen, "seccomp_profile", id);
        char upper[64];
        if (!env->upper_tmpfs)
                snprintf(upper, sizeof(upper), "disk, no size limit");
        else if (env->upper_size)
                snprintf(upper, sizeof(upper), "tmpfs, %llu KiB at most",
                         (unsigned long long)(env->upper_size >> 10));
        else
                snprintf(upper, sizeof(upper), "tmpfs, " CTR_UPPER_SIZE_DEFAULT " at most");
        cJSON_AddStringToObject(seen, "upper", upper);
        if (env->label)
                cJSON_AddStringToObject(seen, "runtime", env->label);
        if (env->added_arg)
                cJSON_AddStringToObject(seen, "runtime_arg_added", env->added_arg);
        /* crun on a hybrid host ran in a mount namespace without the cgroup2 mount: a reader should know */
        cJSON_AddBoolToObject(seen, "cgroup_unified_hidden", env->hid_unified);
        if (!env->loopback)
                cJSON_AddStringToObject(seen, "network_note",
                                        "network none: the OCI runtime brings lo up in the new namespace "
                                        "(the spec cannot keep it down)");
}

/* Containers of bench runs that were killed, and cgroups their runtimes left. */
static void oci_reap_stale(void) {
        oci_record_reap_stale();
}

const bench_opt_spec rt_oci_options[] = {
        {"runtime", BENCH_OPT_STRING, "crun", NULL, 0, 0,
         "OCI runtime CLI: a program in PATH (crun, runc, runsc) or an absolute path"},
        {"runtime_args", BENCH_OPT_STRLIST, NULL, NULL, 0, 0,
         "arguments before every sub-command, e.g. [\"--network=none\"] for runsc"},
        CTR_ISOLATION_OPTIONS,
        {0},
};

/*
 * Density's check: the agent, bench's shim and the kernel's namespaces,
 * overlay mount and cgroup; gVisor adds its sentry and gofer (Go processes
 * with dozens of threads each), whose memory grows with what the sandbox holds.
 */
static void oci_estimate(const cJSON *options, rt_estimate *ret) {
        const char *runtime = bench_opt_string(options, rt_oci_options, "runtime");
        const char *base = runtime ? strrchr(runtime, '/') : NULL;
        base = base ? base + 1 : runtime;
        if (base && !strncmp(base, "runsc", 5)) {
                *ret = (rt_estimate){.kib = 64 * 1024, .fds = 8, .pids = 64};
                snprintf(ret->why, sizeof(ret->why),
                         "the agent, bench's shim, gVisor's sentry and gofer, about 64M");
        } else {
                *ret = (rt_estimate){.kib = 12 * 1024, .fds = 8, .pids = 3};
                snprintf(ret->why, sizeof(ret->why),
                         "the agent, bench's shim and the kernel's namespaces, overlay mount and cgroup, "
                         "about "
                         "12M");
        }
}

const rt_driver rt_oci_driver = {
        .name = "oci",
        .options = rt_oci_options,
        .probe = oci_probe,
        .probe_options = oci_probe_options,
        .check = oci_check,
        .create = oci_create,
        .start = oci_start,
        .measure = oci_measure,
        .wait = oci_wait,
        .phases = oci_phases,
        .destroy = oci_destroy,
        .runtime = oci_runtime_label,
        .reap_stale = oci_reap_stale,
        .describe = oci_describe,
        .estimate = oci_estimate,
};
