/* SPDX-License-Identifier: MIT */
/*
 * vm: the agent as the /init of a libvirt guest (the embedded QEMU driver by
 * default: no daemon). One boot per environment: the kernel bench found, the
 * initramfs it built (cached), the plan on the kernel command line after
 * `--`, a fresh ext4 scratch disk on virtio-blk for the I/O workloads. The
 * agent's channel is the guest's ttyS1, which QEMU connects to a UNIX socket
 * bench listens on before the domain starts, so nothing it says is lost and
 * the ready byte is timed on the host. Every result is labelled with the
 * accelerator (kvm, or tcg: emulated).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../common/cleanup.h"
#include "../common/cpulist.h"
#include "../common/util.h"
#include "../common/cache.h"
#include "../runtimes/driver.h"
#include "../runtimes/layers/layers.h"
#include "../workloads/catalog.h"
#include "virt.h"
#include "vm-internal.h"

/* The firmware the fast path boots with: no POST, no option ROM scan, straight to the kernel. */
#define QBOOT_ROM "/usr/share/qemu/qboot.rom"

/*
 * The kernel command line of every boot: the kernel log on ttyS0 from the
 * kernel's first milliseconds (earlycon), at the level that prints its
 * banner (the boundary bench times; see console.c), and no reboot on a
 * panic. Then what the fast path adds, each skipping work a benchmark
 * guest has no use for.
 */
#define CMDLINE_BASE "console=ttyS0 earlycon=uart8250,io,0x3f8 loglevel=6 panic=-1"
static const struct {
        const char *arg, *skips;
} fast_args[] = {
        {"cryptomgr.notests", "the crypto self-tests (the guest uses no kernel crypto): ~0.8 s under TCG"},
        {"8250.nr_uarts=2", "probing serial ports beyond ttyS0 and ttyS1"},
        {"no_timer_check", "the IO-APIC timer check (QEMU's timer is known to work)"},
};

/* How a guest boots: the boot option's choice, after the fallback of `auto`. */
typedef enum { BOOT_AUTO, BOOT_FAST, BOOT_STANDARD } boot_path;
static const char *const boot_names[] = {"auto", "fast", "standard"};

struct rt_env {
        char *name, *dir, *sock_path, *con_path, *log_path, *disk_path, *initrd;
        boot_path boot_wanted, boot; /* as asked, as done (fast or standard) */
        char *vmlinux;               /* the fast path's kernel */
        const char *kernel_args;     /* the configuration's own, appended (options outlive the env) */
        const char *compression;     /* of the bzImage it came from */
        char *fallback;              /* why `auto` booted standard, NULL if it did not */
        uint64_t tb_cache_mib;       /* 0: QEMU's default */
        bool qboot;                  /* the firmware of the last start: qboot, else SeaBIOS */
        vm_console *console;
        int qemu_pidfd;   /* QEMU, bench's own child (subreaper), -1 if not */
        pthread_t reaper; /* collects it the moment it exits */
        bool reaping;     /* the reaper runs (not joined yet) */
        bool qemu_gone;   /* QEMU exited and bench collected it */
        unsigned chain_levels;
        const char *disk_format;
        vm_kernel kernel;
        const char *type, *accel; /* libvirt domain type, and its label */
        uint64_t memory_kib;
        unsigned vcpus;
        char *cpus; /* workload cpus (pinning), NULL = none */
        int listen_fd, chan_fd;
        bool stack; /* the disk holds a stack's tree: the agent gets --data /scratch */
        vm_ksm_mode ksm;
        bool ksm_held; /* this environment holds the run's KSM setting (vm_ksm_acquire) */
        virDomainPtr dom;
        int qemu_pid;
        uint64_t t_start, t_define, t_created;
};

/* A one-line note per kernel and process: every environment of a run would repeat it. */
static void note_fallback(const char *kernel, const char *why) {
        static char *last;
        if (last && !strcmp(last, kernel))
                return;
        free(last);
        last = strdup(kernel);
        bench_cache_note("vm: boot `auto` falls back to `standard` for %s: %s", kernel, why);
}

/*
 * The fast path's parts: the kernel's uncompressed vmlinux (extracted once,
 * cached) with a PVH entry, and qboot. `auto` without them boots the
 * standard way and says why; `fast` without them is an error naming the
 * kernel.
 */
static int choose_boot(rt_env *env, bench_error **err) {
        env->boot = BOOT_STANDARD;
        if (env->boot_wanted == BOOT_STANDARD)
                return 0;
        bench_error *why = NULL;
        bool cached = false;
        int r;
        if (access(QBOOT_ROM, R_OK) < 0)
                r = bench_error_errno(
                        &why, errno, "no qboot firmware at %s (Debian's qemu-system-data has it)", QBOOT_ROM);
        else
                r = vm_vmlinux_get(env->kernel.image, &env->vmlinux, &env->compression, &cached, &why);
        if (r == 0) {
                env->boot = BOOT_FAST;
                return 0;
        }
        if (env->boot_wanted == BOOT_FAST) {
                if (err && !*err) {
                        *err = why;
                        return bench_error_prefix(err, "boot: fast");
                }
                bench_error_free(why);
                return r;
        }
        env->fallback = strdup(why && why->msg ? why->msg : strerror(-r));
        note_fallback(env->kernel.image, env->fallback ? env->fallback : "out of memory");
        bench_error_free(why);
        return 0;
}

/* One embedded connection per process, closed (domains destroyed) at exit. */
static vm_conn *conn;
static char *conn_root;
static unsigned next_id;

static const vm_virt_api *virt_or(bench_error **err) {
        return vm_virt(err);
}

static bool conn_private; /* conn_root is this process's own: removed at exit */

static void shutdown_conn(void) {
        if (!conn)
                return;
        vm_conn_destroy_all(conn, "bench-");
        vm_conn_close(conn);
        conn = NULL;
        if (conn_private)
                bench_rm_rf(conn_root, NULL);
        free(conn_root);
        conn_root = NULL;
}

/* Another live bench has the shared root open: libvirt holds a lock on run/qemu/driver.pid. */
static bool root_busy(const char *root) {
        char path[256];
        snprintf(path, sizeof(path), "%s/run/qemu/driver.pid", root);
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
        struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET};
        return fd >= 0 && fcntl(fd, F_GETLK, &fl) == 0 && fl.l_type != F_UNLCK;
}

/*
 * A root of this process's own, for when another bench has the shared one:
 * /tmp/bench-PID.XXXXXX (reaped like a workdir's state dirs if this bench
 * dies), seeded with the shared root's cached QEMU capabilities so that its
 * first domain does not pay the ~4 s probe.
 */
static int private_root(const char *shared, char **ret, bench_error **err) {
        char *dir = NULL;
        if (asprintf(&dir, "/tmp/bench-%d.XXXXXX", (int)getpid()) < 0)
                return bench_error_set(err, ENOMEM, "out of memory");
        if (!mkdtemp(dir)) {
                int e = errno;
                free(dir);
                return bench_error_errno(err, e, "cannot create a libvirt root in /tmp");
        }
        char from[256], to[256];
        snprintf(from, sizeof(from), "%s/cache/qemu/capabilities", shared);
        snprintf(to, sizeof(to), "%s/cache/qemu/capabilities", dir);
        DIR *d = opendir(from);
        if (d && bench_mkdir_p(to, 0755, NULL) == 0) {
                struct dirent *de;
                while ((de = readdir(d))) {
                        if (de->d_name[0] == '.')
                                continue;
                        char a[512], b[512];
                        _cleanup_free_ char *data = NULL;
                        size_t n = 0;
                        snprintf(a, sizeof(a), "%s/%s", from, de->d_name);
                        snprintf(b, sizeof(b), "%s/%s", to, de->d_name);
                        if (bench_read_file(a, &data, &n, NULL) == 0)
                                bench_write_file_atomic(b, data, n, NULL);
                }
        }
        if (d)
                closedir(d);
        *ret = dir;
        return 0;
}

/*
 * Calls fn(pid, guest name, data) for every QEMU process on the host whose
 * command line names a guest ("-name guest=NAME,..."), until fn returns
 * true.
 */
static void for_each_qemu(bool (*fn)(int pid, const char *guest, void *data), void *data) {
        DIR *d = opendir("/proc");
        if (!d)
                return;
        struct dirent *de;
        while ((de = readdir(d))) {
                int pid = atoi(de->d_name);
                if (pid <= 0)
                        continue;
                char path[64], buf[4096];
                snprintf(path, sizeof(path), "/proc/%d/cmdline", pid);
                _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
                ssize_t len = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;
                if (len <= 0)
                        continue;
                for (ssize_t i = 0; i < len; i++)
                        if (!buf[i])
                                buf[i] = ' ';
                buf[len] = '\0';
                const char *g = strstr(buf, "guest=");
                if (!strstr(buf, "qemu-system") || !g)
                        continue;
                char guest[128];
                size_t n = strcspn(g + 6, ", ");
                snprintf(guest, sizeof(guest), "%.*s", (int)(n < sizeof(guest) ? n : sizeof(guest) - 1),
                         g + 6);
                if (fn(pid, guest, data))
                        break;
        }
        closedir(d);
}

static bool kill_orphan(int pid, const char *guest, void *data) {
        int owner;
        if (sscanf(guest, "bench-%d-", &owner) == 1 && owner > 0 && kill(owner, 0) < 0 && errno == ESRCH)
                kill(pid, SIGKILL);
        return false;
}

/*
 * QEMU processes of bench runs that died: libvirt daemonizes QEMU, so they
 * outlive a bench killed outright. The shared root finds them on its own
 * (see get_conn); a private root dies with its bench, so they are found by
 * the domain name, bench-PID-N, whose PID is gone.
 */
static void kill_orphans(void) {
        for_each_qemu(kill_orphan, NULL);
}

/*
 * The embedded root: one per process for its lifetime (a libvirt rule), and
 * kept across runs because QEMU's capability probe cached there costs ~4 s
 * on a fresh root. A bench killed outright leaves its QEMU processes
 * running (they are not its children); they are in this same root, so the
 * next bench that opens it finds and destroys them. While another bench
 * runs VMs, the shared root is locked: this one takes a private root.
 */
static int get_conn(const char *uri, bench_error **err) {
        if (conn)
                return 0;
        if (!uri) {
                _cleanup_free_ char *cache = NULL;
                int r = bench_cache_dir(&cache, err);
                if (r < 0)
                        return r;
                /* short: UNIX socket paths under it must fit in 108 bytes */
                if (asprintf(&conn_root, "%s/libvirt", cache) < 0)
                        conn_root = NULL;
                else if (strlen(conn_root) > 40) {
                        free(conn_root);
                        if (asprintf(&conn_root, "/tmp/bench-libvirt-%u", (unsigned)geteuid()) < 0)
                                conn_root = NULL;
                }
                if (!conn_root)
                        return bench_error_set(err, ENOMEM, "out of memory");
                kill_orphans();
                bench_reap_stale_dirs("/tmp");
                if (root_busy(conn_root)) {
                        char *priv = NULL;
                        if ((r = private_root(conn_root, &priv, err)) < 0) {
                                free(conn_root);
                                conn_root = NULL;
                                return r;
                        }
                        free(conn_root);
                        conn_root = priv;
                        conn_private = true;
                }
        }
        int r = vm_conn_open(uri, conn_root, &conn, err);
        if (r < 0) {
                if (conn_private)
                        bench_rm_rf(conn_root, NULL);
                free(conn_root);
                conn_root = NULL;
                return r;
        }
        if (!uri)
                vm_conn_destroy_all(conn, "bench-"); /* left by a bench that was killed */
        atexit(shutdown_conn);
        return 0;
}

static int vm_probe(unsigned flags, bench_error **err) {
        if (!virt_or(err))
                return -ENOENT;
        if (access("/usr/bin/qemu-system-x86_64", X_OK) < 0)
                return bench_error_set(err, ENOENT,
                                       "qemu-system-x86_64 is not installed (scripts/setup installs it)");
        vm_kernel k = {0};
        int r = vm_kernel_find(NULL, NULL, &k, err);
        vm_kernel_clear(&k);
        return r;
}

/* The configuration's kernel arguments reach the guest's command line as they are: printable, and no `--`. */
static int check_kernel_args(const char *args, bench_error **err) {
        if (strlen(args) > 1024)
                return bench_error_set(err, EINVAL, "kernel_args: %zu characters (at most 1024)",
                                       strlen(args));
        for (const char *p = args; *p; p++)
                if (*p < 0x20 || *p > 0x7e)
                        return bench_error_set(err, EINVAL,
                                               "kernel_args: character 0x%02x at offset %zu is not printable "
                                               "ASCII",
                                               (unsigned char)*p, (size_t)(p - args));
        for (const char *p = args; *p;) {
                p += strspn(p, " ");
                size_t n = strcspn(p, " ");
                if (n == 2 && !strncmp(p, "--", 2))
                        return bench_error_set(
                                err, EINVAL,
                                "kernel_args `%s`: a `--` would end the kernel's arguments and "
                                "hand the rest to the agent; remove it",
                                args);
                p += n;
        }
        return 0;
}

static int vm_check(const cJSON *o, bench_error **err) {
        int r = vm_ksm_check(vm_ksm_mode_parse(bench_opt_enum(o, rt_vm_options, "ksm")), err);
        if (r < 0)
                return r;
        const char *kargs = bench_opt_string(o, rt_vm_options, "kernel_args");
        if (kargs && (r = check_kernel_args(kargs, err)) < 0)
                return r;
        const char *stack = bench_opt_string(o, rt_vm_options, "stack");
        if (stack) {
                int q = lay_stack_check(stack, err);
                if (q < 0)
                        return q;
        }
        const char *type, *accel;
        char why[256];
        r = vm_accel_choose(bench_opt_enum(o, rt_vm_options, "accel"), &type, &accel, why, sizeof(why), err);
        if (r < 0)
                return r;
        if (bench_opt_given(o, rt_vm_options, "tcg_cache") && !strcmp(accel, "kvm"))
                return bench_error_set(
                        err, EINVAL,
                        "tcg_cache: the guest runs under KVM (accel %s), which has no translation "
                        "cache; remove tcg_cache or set accel to tcg",
                        bench_opt_enum(o, rt_vm_options, "accel"));
        const char *kernel = bench_opt_string(o, rt_vm_options, "kernel");
        bool fast = !strcmp(bench_opt_enum(o, rt_vm_options, "boot"), "fast");
        if (!kernel && !fast)
                return 0;
        /* the kernel named, or the one a fast boot would extract, is checked before anything runs */
        vm_kernel k = {0};
        r = vm_kernel_find(kernel, bench_opt_string(o, rt_vm_options, "modules_dir"), &k, err);
        if (r == 0 && fast) {
                if (access(QBOOT_ROM, R_OK) < 0)
                        r = bench_error_errno(
                                err, errno,
                                "boot: fast needs the qboot firmware %s (Debian's qemu-system-data "
                                "has it; scripts/setup installs it), or set boot to standard",
                                QBOOT_ROM);
                else {
                        _cleanup_free_ char *path = NULL;
                        const char *compression;
                        bool cached;
                        r = vm_vmlinux_get(k.image, &path, &compression, &cached, err);
                        if (r < 0)
                                bench_error_prefix(
                                        err, "boot: fast cannot boot this kernel (set boot to auto, which "
                                             "falls back to standard, or to standard)");
                }
        }
        vm_kernel_clear(&k);
        return r;
}

/* QEMU's pid from the embedded driver's pid file (<root>/run/qemu/NAME.pid), -1 if none. */
static int find_qemu_by_pidfile(rt_env *env) {
        if (!conn_root)
                return -1;
        char path[512];
        snprintf(path, sizeof(path), "%s/run/qemu/%s.pid", conn_root, env->name);
        _cleanup_free_ char *text = NULL;
        size_t n = 0;
        if (bench_read_file(path, &text, &n, NULL) < 0)
                return -1;
        char *end;
        long pid = strtol(text, &end, 10);
        return pid > 1 && pid < INT32_MAX && (*end == '\n' || *end == '\0') ? (int)pid : -1;
}

/* Collects QEMU the moment it exits, so that libvirt, which waits for its pid to go, does not wait. */
static void *reap_qemu(void *arg) {
        rt_env *env = arg;
        siginfo_t si;
        while (waitid((idtype_t)P_PIDFD, (id_t)env->qemu_pidfd, &si, WEXITED) < 0 && errno == EINTR)
                ;
        return NULL;
}

/*
 * QEMU as bench's own child: libvirt daemonizes it (a double fork), and an
 * orphan goes to the nearest subreaper. With bench as one for the moment
 * libvirt starts it, QEMU's exit is collected by bench at once instead of
 * by the host's init whenever it gets to it, while libvirt polls for the
 * pid to vanish (this was over a second of every total_ms). Only for the
 * embedded driver: a daemon's QEMU is the daemon's.
 */
static void adopt_qemu(rt_env *env) {
        env->qemu_pidfd = -1;
        int pid = find_qemu_by_pidfile(env);
        if (pid <= 0)
                return;
        siginfo_t si = {0};
        /* ours only if it is our child: waitid with WNOHANG says so without collecting it */
        if (waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT) < 0) {
                return;
        }
        env->qemu_pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
        if (env->qemu_pidfd < 0)
                return;
        if (bench_thread_start(&env->reaper, reap_qemu, env) == 0)
                env->reaping = true;
}

static void vm_destroy(rt_env *env) {
        if (!env)
                return;
        const vm_virt_api *v = vm_virt(NULL);
        if (env->dom && v) {
                /*
                 * QEMU gone and collected: nothing of the guest is left, and
                 * libvirt ends the domain on its own (it polls for the pid,
                 * holding the domain's lock for up to 200 ms: not waited for)
                 */
                if (!env->qemu_gone && v->DomainIsActive(env->dom) == 1)
                        v->DomainDestroy(env->dom);
                v->DomainFree(env->dom);
        }
        if (env->reaping) {
                /* destroyed, QEMU is gone; should libvirt have failed, it goes now */
                syscall(SYS_pidfd_send_signal, env->qemu_pidfd, SIGKILL, NULL, 0);
                pthread_join(env->reaper, NULL);
        }
        if (env->qemu_pidfd >= 0)
                close(env->qemu_pidfd);
        vm_console_free(env->console);
        /* the guest's memory is gone: the host's KSM settings may go back */
        if (env->ksm_held)
                vm_ksm_release(env->ksm);
        if (env->chan_fd >= 0)
                close(env->chan_fd);
        if (env->listen_fd >= 0)
                close(env->listen_fd);
        if (env->dir)
                bench_rm_rf(env->dir, NULL);
        vm_kernel_clear(&env->kernel);
        free(env->name);
        free(env->dir);
        free(env->sock_path);
        free(env->con_path);
        free(env->log_path);
        free(env->vmlinux);
        free(env->fallback);
        free(env->disk_path);
        free(env->initrd);
        free(env->cpus);
        free(env);
}

static void vm_destroyp(rt_env **env) {
        vm_destroy(*env);
}

static int vm_create(const rt_config *cfg, unsigned flags, rt_env **ret_env, bench_error **err) {
        _cleanup_(vm_destroyp) rt_env *env = calloc(1, sizeof(*env));
        if (!env)
                return bench_error_set(err, ENOMEM, "out of memory");
        env->listen_fd = env->chan_fd = env->qemu_pidfd = -1;
        const cJSON *o = cfg->options;
        const bench_opt_spec *t = rt_vm_options;
        /* first: KSM must be set before QEMU maps guest RAM, and a refusal costs no boot */
        env->ksm = vm_ksm_mode_parse(bench_opt_enum(o, t, "ksm"));
        int r = vm_ksm_acquire(env->ksm, err);
        if (r < 0)
                return r;
        env->ksm_held = env->ksm != VM_KSM_HOST;
        if ((r = get_conn(bench_opt_string(o, t, "uri"), err)) < 0)
                return r;
        char why[256];
        if ((r = vm_accel_choose(bench_opt_enum(o, t, "accel"), &env->type, &env->accel, why, sizeof(why),
                                 err)) < 0)
                return r;
        if ((r = vm_kernel_find(bench_opt_string(o, t, "kernel"), bench_opt_string(o, t, "modules_dir"),
                                &env->kernel, err)) < 0)
                return r;
        if ((r = vm_image_build(&env->kernel, cfg->agent_path, &env->initrd, err)) < 0)
                return bench_error_prefix(err, "building the guest image");
        env->kernel_args = bench_opt_string(o, t, "kernel_args");
        const char *boot = bench_opt_enum(o, t, "boot");
        env->boot_wanted = !strcmp(boot, "fast")       ? BOOT_FAST
                           : !strcmp(boot, "standard") ? BOOT_STANDARD
                                                       : BOOT_AUTO;
        if ((r = choose_boot(env, err)) < 0)
                return r;
        /* libvirt takes the cache in MiB: a size in between rounds up */
        if (bench_opt_given(o, t, "tcg_cache") && !strcmp(env->accel, "tcg"))
                env->tb_cache_mib = (bench_opt_size(o, t, "tcg_cache") + (1u << 20) - 1) >> 20;
        env->memory_kib = bench_opt_size(o, t, "memory") / 1024;
        env->vcpus = (unsigned)bench_opt_uint(o, t, "vcpus");
        if (cfg->cpus && !(env->cpus = strdup(cfg->cpus)))
                return bench_error_set(err, ENOMEM, "out of memory");
        if (asprintf(&env->name, "bench-%d-%u", (int)getpid(), next_id++) < 0 ||
            asprintf(&env->dir, "%s/%s", cfg->state_dir, env->name) < 0) {
                env->name = env->dir = NULL;
                return bench_error_set(err, ENOMEM, "out of memory");
        }
        if (mkdir(env->dir, 0755) < 0)
                return bench_error_errno(err, errno, "cannot create %s", env->dir);
        if (asprintf(&env->sock_path, "%s/ch.sock", env->dir) < 0 ||
            asprintf(&env->con_path, "%s/con.sock", env->dir) < 0 ||
            asprintf(&env->log_path, "%s/console.log", env->dir) < 0)
                return bench_error_set(err, ENOMEM, "out of memory");
        if (strlen(env->sock_path) >= sizeof(((struct sockaddr_un *)0)->sun_path))
                return bench_error_set(err, ENAMETOOLONG,
                                       "%s: too long for a UNIX socket (use a shorter --workdir)",
                                       env->sock_path);
        lay_stack st = {0};
        const char *stack = bench_opt_string(o, t, "stack");
        if (stack && (r = lay_stack_resolve(stack, &st, err)) < 0)
                return bench_error_prefix(err, "stack");
        env->stack = stack != NULL;
        r = vm_scratch_disk(env->dir, bench_opt_size(o, t, "disk_size"),
                            (unsigned)bench_opt_uint(o, t, "layers"), stack ? &st : NULL, &env->disk_path,
                            &env->disk_format, &env->chain_levels, err);
        lay_stack_clear(&st);
        if (r < 0)
                return r;
        *ret_env = steal_pointer(&env);
        return 0;
}

/* The kernel command line: CMDLINE_BASE, the fast path's, then the agent's own arguments after `--`. */
static char *cmdline(char *const *args, bool fast, const char *extra, bool data) {
        size_t len = sizeof(CMDLINE_BASE) + 64 + (extra ? strlen(extra) + 1 : 0);
        for (size_t i = 0; i < ELEMENTSOF(fast_args); i++)
                len += strlen(fast_args[i].arg) + 1;
        for (size_t i = 0; args[i]; i++)
                len += strlen(args[i]) + 1;
        char *s = malloc(len), *p = s;
        if (!s)
                return NULL;
        p = stpcpy(p, CMDLINE_BASE);
        for (size_t i = 0; fast && i < ELEMENTSOF(fast_args); i++) {
                *p++ = ' ';
                p = stpcpy(p, fast_args[i].arg);
        }
        if (extra && *extra) {
                *p++ = ' ';
                p = stpcpy(p, extra);
        }
        p = stpcpy(p, " -- --init");
        if (data) /* where init mounts the disk */
                p = stpcpy(p, " --data /scratch");
        for (size_t i = 0; args[i]; i++) {
                *p++ = ' ';
                p = stpcpy(p, args[i]);
        }
        return s;
}

/*
 * Whether the agent's plan needs the scratch disk: a workload that writes
 * files (WL_NEEDS_DIR), or a stack's tree to read. A name not in the
 * catalog gets the disk (the agent will refuse it anyway).
 */
static bool needs_disk(const rt_env *env, char *const *args) {
        if (env->stack)
                return true;
        for (size_t i = 0; args[i]; i++) {
                if (args[i][0] == '-')
                        continue;
                char name[64];
                snprintf(name, sizeof(name), "%.*s", (int)strcspn(args[i], ":"), args[i]);
                const wl_spec *spec = wl_catalog_find(name);
                if (!spec || (spec->flags & WL_NEEDS_DIR))
                        return true;
        }
        return false;
}

static int vm_start(rt_env *env, char *const *args, rt_launch *ret_launch, bench_error **err) {
        const vm_virt_api *v = virt_or(err);
        if (!v)
                return -ENOENT;
        env->t_start = bench_now_ns();
        /* listen first: QEMU connects ttyS1 here as it starts */
        struct sockaddr_un sa = {.sun_family = AF_UNIX};
        snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", env->sock_path);
        unlink(env->sock_path);
        env->listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (env->listen_fd < 0 || bind(env->listen_fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
            listen(env->listen_fd, 1) < 0)
                return bench_error_errno(err, errno, "cannot listen on %s", env->sock_path);

        /* the console's reader runs before QEMU does: the firmware's first byte is timed */
        unlink(env->con_path);
        unlink(env->log_path);
        int r = vm_console_listen(env->con_path, env->log_path, &env->console, err);
        if (r < 0)
                return r;
        bool fast = env->boot == BOOT_FAST;
        _cleanup_free_ char *cmd = cmdline(args, fast, env->kernel_args, env->stack);
        if (!cmd)
                return bench_error_set(err, ENOMEM, "out of memory");
        int pins[64];
        cpu_set_t set;
        size_t npins = 0;
        if (env->cpus && bench_cpulist_parse(env->cpus, &set, NULL) == 0) {
                /* vCPU i on the i-th workload cpu, round robin */
                int cpus[CPU_SETSIZE], nc = 0;
                for (int c = 0; c < CPU_SETSIZE; c++)
                        if (CPU_ISSET(c, &set))
                                cpus[nc++] = c;
                for (unsigned i = 0; nc && i < env->vcpus && i < 64; i++)
                        pins[npins++] = cpus[i % (unsigned)nc];
        }
        vm_disk disk = {.path = env->disk_path, .format = env->disk_format, .chain_depth = env->chain_levels};
        /* the fast path: only the devices the run needs (the standard one always has its disk) */
        size_t n_disks = !fast || needs_disk(env, args) ? 1 : 0;
        /*
         * qboot, with a disk whose backing chain is deeper than libvirt
         * follows (given to QEMU directly), never reached the kernel here
         * (QEMU busy at 100% for minutes; SeaBIOS boots the same in ~1 s):
         * such a guest boots its vmlinux from SeaBIOS
         */
        env->qboot = fast && !(n_disks && env->chain_levels > VM_LIBVIRT_CHAIN_MAX);
        vm_domain_spec spec = {
                .name = env->name,
                .type = env->type,
                .machine = "q35",
                .loader = env->qboot ? QBOOT_ROM : NULL,
                .tb_cache_mib = env->tb_cache_mib,
                .firmware_serial = true,
                .memory_kib = env->memory_kib,
                .vcpus = env->vcpus,
                .vcpu_pins = npins ? pins : NULL,
                .emulator_cpus = env->cpus,
                .kernel = fast ? env->vmlinux : env->kernel.image,
                .initrd = env->initrd,
                .cmdline = cmd,
                .console_socket = env->con_path,
                .channel_socket = env->sock_path,
                .disks = &disk,
                .n_disks = n_disks,
        };
        _cleanup_free_ char *xml = NULL;
        r = vm_domain_xml(&spec, &xml, err);
        if (r < 0)
                return r;
        env->t_define = bench_now_ns();
        /*
         * transient; through a daemon also destroyed with the connection should
         * bench lose it (the embedded driver has no autodestroy: there the next
         * bench destroys what a dead one left, see get_conn)
         */
        bool adopt = conn_root && prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0;
        env->dom = v->DomainCreateXML(vm_conn_ptr(conn), xml, conn_root ? 0 : VIR_DOMAIN_START_AUTODESTROY);
        env->t_created = bench_now_ns();
        if (adopt) {
                /* QEMU has been handed over (libvirt waited for its daemonizing fork): no other orphan */
                prctl(PR_SET_CHILD_SUBREAPER, 0, 0, 0, 0);
                if (env->dom)
                        adopt_qemu(env);
        }
        if (!env->dom)
                return bench_error_set(err, EIO, "libvirt cannot start the domain: %s",
                                       v->GetLastErrorMessage());
        struct pollfd p = {.fd = env->listen_fd, .events = POLLIN};
        int n;
        while ((n = poll(&p, 1, 10000)) < 0 && errno == EINTR)
                ;
        if (n <= 0)
                return bench_error_set(err, ETIMEDOUT, "QEMU did not connect the guest's serial port to %s",
                                       env->sock_path);
        env->chan_fd = accept4(env->listen_fd, NULL, NULL, SOCK_CLOEXEC);
        if (env->chan_fd < 0)
                return bench_error_errno(err, errno, "accepting QEMU's connection");
        int in = fcntl(env->chan_fd, F_DUPFD_CLOEXEC, 3);
        if (in < 0)
                return bench_error_errno(err, errno, "dup");
        *ret_launch = (rt_launch){.out_fd = env->chan_fd, .in_fd = in, .err_fd = -1};
        env->chan_fd = -1; /* the session owns it now */
        return 0;
}

static bool match_guest(int pid, const char *guest, void *data) {
        rt_env *env = data;
        if (strcmp(guest, env->name))
                return false;
        env->qemu_pid = pid;
        return true;
}

/* QEMU's pid, found by the guest's name on its command line. */
static int find_qemu(rt_env *env) {
        if (env->qemu_pid > 0 && kill(env->qemu_pid, 0) == 0)
                return env->qemu_pid;
        env->qemu_pid = 0;
        for_each_qemu(match_guest, env);
        return env->qemu_pid > 0 ? env->qemu_pid : -1;
}

/*
 * Footprint: PSS of the QEMU process. VMM overhead: the same without the
 * guest's RAM mapping (Firecracker's method): every mapping but the one
 * as large as the guest's memory. While ksmd runs, what it merged: host
 * wide (all VMs that run together, and any other mergeable memory).
 */
static int vm_measure(rt_env *env, rt_metric out[RT_MAX_METRICS], bench_error **err) {
        /*
         * ksm on: two more full passes of ksmd first (~1.3 s each for a 256 MiB
         * guest), so what the workload holds is merged before it is measured;
         * at most 5 s, well inside the memory workload's default hold (10 s)
         */
        if (env->ksm == VM_KSM_ON)
                vm_ksm_settle(2, 5000);
        int pid = find_qemu(env);
        if (pid < 0)
                return bench_error_set(err, ESRCH, "cannot find the QEMU process of %s", env->name);
        char path[64], line[512];
        snprintf(path, sizeof(path), "/proc/%d/smaps", pid);
        _cleanup_fclose_ FILE *f = fopen(path, "re");
        if (!f)
                return bench_error_errno(err, errno, "cannot read %s", path);
        double total = 0, guest = 0;
        unsigned long long size = 0, pss;
        while (fgets(line, sizeof(line), f)) {
                if (sscanf(line, "Size: %llu kB", &size) == 1)
                        continue;
                if (sscanf(line, "Pss: %llu kB", &pss) == 1) {
                        total += (double)pss;
                        if (size == env->memory_kib)
                                guest += (double)pss;
                }
        }
        int n = 0;
        out[n++] = RT_METRIC_KIB(RT_METRIC_FOOTPRINT, total);
        out[n++] = RT_METRIC_KIB("vmm_overhead_kib", total - guest);
        vm_ksm_state k;
        vm_ksm_read(&k);
        if (k.run == 1 && k.pages_sharing >= 0) {
                long page_kib = sysconf(_SC_PAGESIZE) / 1024;
                double saved = (double)(k.pages_sharing + (k.zero_pages > 0 ? k.zero_pages : 0));
                out[n++] = (rt_metric){.name = "ksm_pages_sharing",
                                       .unit = "pages",
                                       .better = "higher",
                                       .value = (double)k.pages_sharing};
                out[n++] = (rt_metric){.name = "ksm_saved_kib",
                                       .unit = "KiB",
                                       .better = "higher",
                                       .value = saved * page_kib};
        }
        return n;
}

/* A boot under TCG takes seconds: a configuration may cap the startup workload's. */
static uint64_t vm_max_starts(const cJSON *options) {
        return bench_opt_uint(options, rt_vm_options, "startup_runs");
}

/* The guest powered off (ACPI): the transient domain is gone. */
static int vm_wait(rt_env *env, int timeout_ms, int *ret_status, bench_error **err) {
        if (!env->dom)
                return bench_error_set(err, ESRCH, "the domain was not started");
        *ret_status = 0; /* the agent's own status came in its "end" line */
        if (env->reaping) {
                /* QEMU is bench's child: its exit ends the environment (see adopt_qemu) */
                struct pollfd p = {.fd = env->qemu_pidfd, .events = POLLIN};
                int n;
                while ((n = poll(&p, 1, timeout_ms)) < 0 && errno == EINTR)
                        ;
                if (n <= 0)
                        return bench_error_set(err, ETIMEDOUT, "the guest did not power off within %d ms",
                                               timeout_ms);
                pthread_join(env->reaper, NULL);
                env->reaping = false;
                env->qemu_gone = true;
                return 0;
        }
        return vm_conn_wait_stopped(conn, env->dom, timeout_ms, err);
}

static size_t add_phase(rt_phase *out, size_t n, size_t max, const char *name, uint64_t from, uint64_t to) {
        if (n >= max)
                return n;
        snprintf(out[n].name, sizeof(out[n].name), "phase.%s_ms", name);
        out[n].ms = to > from ? bench_ns_to_ms(to - from) : 0;
        return n + 1;
}

/*
 * define (the XML), qemu (libvirt starts QEMU, until its vCPU runs), then
 * the boot split at the markers the console reader timed on arrival:
 * firmware (to SeaBIOS's hand-over, or to the kernel's banner where the
 * firmware prints none), loader (after SeaBIOS: the option ROM that
 * loads the kernel, and for a bzImage its real-mode setup and
 * decompressor, most of it), kernel (banner to
 * /init), init (/init to the ready byte). Consecutive intervals of one
 * clock: they add up to ready_ms. Without the kernel's or init's marker
 * (a kernel that prints no banner) the boot stays one phase, boot.
 */
static size_t vm_phases(rt_env *env, uint64_t ready_ns, rt_phase *out, size_t max) {
        size_t n = 0;
        n = add_phase(out, n, max, "define", env->t_start, env->t_define);
        n = add_phase(out, n, max, "qemu", env->t_define, env->t_created);
        if (ready_ns <= env->t_created)
                return n;
        uint64_t fw = vm_console_mark(env->console, VM_MARK_FIRMWARE_DONE),
                 kernel = vm_console_mark(env->console, VM_MARK_KERNEL),
                 init = vm_console_mark(env->console, VM_MARK_INIT);
        if (!kernel || !init || kernel > init || init > ready_ns) {
                n = add_phase(out, n, max, "boot", env->t_created, ready_ns);
                return n;
        }
        /* a marker timed before QEMU's start returned (its vCPU ran already) counts from there */
        uint64_t t = env->t_created;
        if (fw && fw < kernel) {
                n = add_phase(out, n, max, "firmware", t, fw > t ? fw : t);
                t = fw > t ? fw : t;
                n = add_phase(out, n, max, "loader", t, kernel > t ? kernel : t);
        } else {
                n = add_phase(out, n, max, "firmware", t, kernel > t ? kernel : t);
        }
        t = kernel > t ? kernel : t;
        n = add_phase(out, n, max, "kernel", t, init > t ? init : t);
        t = init > t ? init : t;
        n = add_phase(out, n, max, "init", t, ready_ns);
        return n;
}

static const char *vm_accel(rt_env *env) {
        return env->accel;
}

/* How far the boot got: the last marker seen, and when, from QEMU's start. */
static void boot_reached(rt_env *env, char *buf, size_t len) {
        int last = -1;
        for (int m = 0; m < VM_MARK_N; m++)
                if (vm_console_mark(env->console, (vm_mark)m))
                        last = m;
        if (!env->t_created)
                snprintf(buf, len, "the %s boot did not start", boot_names[env->boot]);
        else if (last < 0)
                snprintf(buf, len, "the %s boot reached no marker (the kernel's banner never came)",
                         boot_names[env->boot]);
        else {
                uint64_t t = vm_console_mark(env->console, (vm_mark)last);
                snprintf(buf, len, "the %s boot reached %s (%.0f ms after QEMU started) and no further",
                         boot_names[env->boot], vm_mark_names[last],
                         t > env->t_created ? bench_ns_to_ms(t - env->t_created) : 0.0);
        }
}

/* How far the boot got, and the guest's kernel log tail: why a boot failed is usually there. */
static void vm_diagnose(rt_env *env, char *buf, size_t len) {
        buf[0] = '\0';
        char reached[192];
        boot_reached(env, reached, sizeof(reached));
        _cleanup_free_ char *log = NULL;
        size_t n = 0;
        if (!env->log_path || bench_read_file(env->log_path, &log, &n, NULL) < 0 || n == 0) {
                snprintf(buf, len, "%s", reached);
                return;
        }
        size_t keep = len > 320 ? len - 320 : len / 2;
        const char *tail = n > keep ? log + n - keep : log;
        snprintf(buf, len, "%s; guest console (%s accel): ...%s", reached, env->accel, tail);
        /* what a guest printed reaches messages and terminals: SeaBIOS's escape sequences, say, go */
        for (unsigned char *p = (unsigned char *)buf; *p; p++)
                if (*p < 0x20 || *p > 0x7e)
                        *p = ' ';
}

/* Under which KSM settings the guest ran: the host's, or the ones its configuration set. */
/* How it booted (pinning.seen.<configuration>.boot): the path, its parts, and why `auto` fell back. */
static void describe_boot(rt_env *env, cJSON *seen) {
        cJSON *b = cJSON_AddObjectToObject(seen, "boot");
        if (!b)
                return;
        bool fast = env->boot == BOOT_FAST;
        cJSON_AddStringToObject(b, "path", boot_names[env->boot]);
        cJSON_AddStringToObject(b, "requested", boot_names[env->boot_wanted]);
        cJSON_AddStringToObject(b, "firmware", env->qboot ? "qboot" : "seabios");
        cJSON_AddStringToObject(b, "kernel", fast ? env->vmlinux : env->kernel.image);
        cJSON_AddStringToObject(b, "entry", fast ? "pvh" : "bzimage");
        if (fast && env->compression)
                cJSON_AddStringToObject(b, "compression", env->compression);
        if (env->fallback)
                cJSON_AddStringToObject(b, "fallback", env->fallback);
        if (!strcmp(env->accel, "tcg")) {
                if (env->tb_cache_mib)
                        cJSON_AddNumberToObject(b, "tcg_cache_mib", (double)env->tb_cache_mib);
                else
                        cJSON_AddStringToObject(b, "tcg_cache_mib", "qemu default");
        }
}

static void vm_describe(rt_env *env, cJSON *seen) {
        describe_boot(env, seen);
        vm_ksm_state k;
        vm_ksm_read(&k);
        if (!k.present)
                return;
        cJSON *o = cJSON_AddObjectToObject(seen, "ksm");
        if (!o)
                return;
        cJSON_AddStringToObject(o, "mode", vm_ksm_mode_name(env->ksm));
        cJSON_AddNumberToObject(o, "run", (double)k.run);
        cJSON_AddNumberToObject(o, "pages_to_scan", (double)k.pages_to_scan);
        cJSON_AddNumberToObject(o, "sleep_millisecs", (double)k.sleep_millisecs);
}

const bench_opt_spec rt_vm_options[] = {
        {"uri", BENCH_OPT_STRING, NULL, NULL, 0, 0, "libvirt URI (default: embedded qemu driver)"},
        RT_OPTION_STACK,
        {"kernel", BENCH_OPT_STRING, NULL, NULL, 0, 0, "guest kernel image"},
        {"memory", BENCH_OPT_SIZE, "256M", NULL, 64ull << 20, 0, "guest memory"},
        {"vcpus", BENCH_OPT_UINT, "1", NULL, 1, 256, "guest vCPUs"},
        {"accel", BENCH_OPT_ENUM, "auto", "auto|kvm|tcg", 0, 0,
         "accelerator; auto = kvm only where it works"},
        {"layers", BENCH_OPT_UINT, "1", NULL, 1, 500, "qcow2 backing chain depth"},
        {"disk_size", BENCH_OPT_SIZE, "256M", NULL, 16ull << 20, 0,
         "the scratch disk (ext4 on virtio-blk) of the I/O workloads"},
        {"boot", BENCH_OPT_ENUM, "auto", "auto|fast|standard", 0, 0,
         "fast: the kernel's uncompressed vmlinux entered through PVH, qboot, only the devices the run needs "
         "and a "
         "shorter kernel command line; standard: SeaBIOS and the bzImage as a general-purpose guest boots; "
         "auto: "
         "fast where the kernel allows (a PVH entry, a compression bench decodes), else standard with a "
         "note"},
        {"kernel_args", BENCH_OPT_STRING, NULL, NULL, 0, 0,
         "more kernel command-line arguments, after bench's own (printable ASCII, no `--`)"},
        {"tcg_cache", BENCH_OPT_SIZE, NULL, NULL, 1ull << 20, 64ull << 30,
         "TCG's translation cache (QEMU's tb-size, in whole MiB; default QEMU's, 1 GiB on 64-bit hosts): "
         "part of QEMU's own memory (vmm_overhead_kib); ignored under KVM"},
        {"startup_runs", BENCH_OPT_UINT, NULL, NULL, 1, 100000,
         "at most this many boots per repetition for the startup workload (a TCG boot takes seconds)"},
        {"modules_dir", BENCH_OPT_STRING, NULL, NULL, 0, 0, "the kernel's modules (default: next to kernel)"},
        {"ksm", BENCH_OPT_ENUM, "host", "host|on|off", 0, 0,
         "kernel samepage merging of guest RAM during the run: host (as the host has it), on (ksmd runs, "
         "fast), off (ksmd stopped); restored afterwards"},
        {0},
};

/* QEMU beyond guest RAM (its code, device state, TCG's translation cache): measured ~80-120M here. */
#define VM_QEMU_OVERHEAD_KIB (128u * 1024u)

/* The guest's memory, which a guest that reads files fills with its page cache, and QEMU's own; QEMU's
 * threads. */
static void vm_estimate(const cJSON *options, rt_estimate *ret) {
        uint64_t memory = bench_opt_size(options, rt_vm_options, "memory");
        char m[32];
        *ret = (rt_estimate){.kib = memory / 1024 + VM_QEMU_OVERHEAD_KIB, .fds = 8, .pids = 8};
        snprintf(ret->why, sizeof(ret->why), "guest memory %s + QEMU about %uM",
                 bench_format_size(memory, m, sizeof(m)), VM_QEMU_OVERHEAD_KIB / 1024);
}

const rt_driver rt_vm_driver = {
        .name = "vm",
        .options = rt_vm_options,
        .probe = vm_probe,
        .check = vm_check,
        .max_starts = vm_max_starts,
        .start_verb = "booting",
        .create = vm_create,
        .start = vm_start,
        .measure = vm_measure,
        .wait = vm_wait,
        .phases = vm_phases,
        .destroy = vm_destroy,
        .accel = vm_accel,
        .diagnose = vm_diagnose,
        .reap_stale = vm_ksm_reap_stale,
        .describe = vm_describe,
        .estimate = vm_estimate,
};
