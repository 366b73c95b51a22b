/* SPDX-License-Identifier: MIT */
/*
 * The container runtime core. Built for measurement, so the start path does
 * only what isolation needs:
 *  - the parent prepares everything (cgroup, mount plan, capability set,
 *    argv) before cloning; the child only makes syscalls;
 *  - the child shares the parent's memory (CLONE_VM|CLONE_VFORK, like
 *    posix_spawn) so no page tables are copied: fork() of the harness, which
 *    maps libvirt and friends, alone costs ~0.7 ms here;
 *  - clone3 puts it straight into its cgroup (CLONE_INTO_CGROUP) and a new
 *    time namespace where the host has them, and falls back to clone();
 *  - every mount is made inside the new mount namespace: none can outlive
 *    the container on the host, whatever happens to bench;
 *  - phase timestamps are vDSO clock reads into shared memory.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <linux/sched.h>
#include <net/if.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <linux/seccomp.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/statfs.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../../common/cleanup.h"
#include "../../common/util.h"
#include "container-internal.h"
#include "seccomp.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif
#ifndef CLONE_INTO_CGROUP
#define CLONE_INTO_CGROUP 0x200000000ULL
#endif
#ifndef KEYCTL_JOIN_SESSION_KEYRING
#define KEYCTL_JOIN_SESSION_KEYRING 1
#endif
#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

const char *const ctr_phase_names[CTR_PHASE_N] = {
        [CTR_PHASE_CGROUP] = "phase.cgroup_ms", [CTR_PHASE_CLONE] = "phase.clone_ms",
        [CTR_PHASE_MOUNTS] = "phase.mounts_ms", [CTR_PHASE_PIVOT_ROOT] = "phase.pivot_root_ms",
        [CTR_PHASE_NET] = "phase.net_ms",       [CTR_PHASE_CAPS] = "phase.caps_ms",
        [CTR_PHASE_EXEC] = "phase.exec_ms",
};

/* One step of the child's mount plan, built by the parent. */
typedef enum mop_kind {
        MOP_MOUNT,            /* mount(source, target, fstype, flags, data) */
        MOP_MKDIR,            /* mkdir(target, mode) */
        MOP_MKNOD,            /* mknod(target, S_IFCHR|mode, dev) */
        MOP_BIND_DEV,         /* touch target, bind source over it (user namespaces cannot mknod) */
        MOP_SYMLINK,          /* symlink(source, target) */
        MOP_MASK_FILE,        /* bind /dev/null over target if it exists */
        MOP_MASK_DIR,         /* read-only empty tmpfs over target if it exists (one, bound to each) */
        MOP_RO_BIND,          /* bind target onto itself read-only if it exists */
        MOP_OVERLAY_FSCONFIG, /* overlay through the new mount API: one lowerdir+ per layer */
} mop_kind;

typedef struct mop {
        mop_kind kind;
        const char *source, *fstype, *data;
        char *target; /* owned */
        unsigned long flags;
        mode_t mode;
        dev_t dev;
        const char *const *layers; /* MOP_OVERLAY_FSCONFIG: bottom first, n_layers */
        size_t n_layers;
        const char *upper, *work;
} mop;

typedef struct child_args {
        /* in: prepared by the parent */
        int join_fds[CTR_MAX_MOUNT_FDS]; /* cgroup.procs of v1 hierarchies */
        size_t n_join;
        int v2_join_fd;         /* cgroup.procs of the v2 cgroup, -1 if none */
        bool cloned_into;       /* clone3 placed it in the v2 cgroup already */
        bool cgroupns_at_clone; /* CLONE_NEWCGROUP was given at clone time */
        bool userns;
        char uid_map[64], gid_map[64];
        mop *ops;
        size_t n_ops;
        const char *merged;
        bool readonly_rootfs;
        const char *hostname;
        bool loopback;
        int net_fd; /* the network namespace made beside the cgroup (joined by setns), -1: made at clone */
        ctr_caps caps;
        const struct sock_fprog *seccomp; /* NULL = none */
        unsigned seccomp_flags;
        bool has_affinity;
        cpu_set_t affinity;
        int fds[3];
        sigset_t sigmask; /* the parent's, restored before exec */
        char *const *argv;
        char *const *envp;
        /* out: written by the child before exec (shared memory) */
        uint64_t t_start, t_cgroup, t_mounts, t_pivot, t_net, t_caps, t_exec;
        const char *failed_step; /* NULL = reached exec */
        const char *failed_path;
        int failed_errno;
} child_args;

struct ctr_container {
        pid_t pid;
        int pidfd;
        bool reaped;
        int status;
        ctr_cgroup *cg;
        char *dir; /* <state_dir>/ctr-XXXXXX: upper, work, merged */
        double phases[CTR_PHASE_N];
        uint64_t exec_ns;
};

static inline int child_fail(child_args *a, const char *step, const char *path) {
        a->failed_step = step;
        a->failed_path = path;
        a->failed_errno = errno;
        return 127;
}

static int write_all_fd(int fd, const char *s) {
        size_t n = strlen(s);
        return write(fd, s, n) == (ssize_t)n ? 0 : -1;
}

static int write_proc_file(const char *path, const char *s) {
        int fd = open(path, O_WRONLY | O_CLOEXEC);
        if (fd < 0)
                return -1;
        int r = write_all_fd(fd, s);
        int e = errno;
        close(fd);
        errno = e;
        return r;
}

/*
 * Deep stacks: the classic mount data is one page, too small for hundreds of
 * layer paths. fsconfig() takes one "lowerdir+" per layer (Linux 6.8+),
 * appended top first like the colon-separated list. No allocation: the
 * container's child runs it in shared memory.
 */
int ctr_overlay_mount_fsconfig(const char *const *layers, size_t n_layers, const char *upper,
                               const char *work, const char *target) {
        int fs = fsopen("overlay", FSOPEN_CLOEXEC);
        if (fs < 0)
                return -1;
        int r = 0;
        for (size_t i = n_layers; r == 0 && i-- > 0;)
                r = fsconfig(fs, FSCONFIG_SET_STRING, "lowerdir+", layers[i], 0);
        if (r == 0)
                r = fsconfig(fs, FSCONFIG_SET_STRING, "upperdir", upper, 0);
        if (r == 0)
                r = fsconfig(fs, FSCONFIG_SET_STRING, "workdir", work, 0);
        if (r == 0)
                r = fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0);
        /* nodev: a device node shipped in a layer must not open (as with the classic mount) */
        int mnt = r == 0 ? fsmount(fs, FSMOUNT_CLOEXEC, MOUNT_ATTR_NODEV) : -1;
        int e = errno;
        close(fs);
        if (mnt < 0) {
                errno = e;
                return -1;
        }
        r = move_mount(mnt, "", AT_FDCWD, target, MOVE_MOUNT_F_EMPTY_PATH);
        e = errno;
        close(mnt);
        errno = e;
        return r;
}

/* empty_dir: the first dir mask mounted so far (NULL: none yet), which later ones bind */
static int run_mop(const mop *m, const char **empty_dir) {
        int fd;
        switch (m->kind) {
        case MOP_OVERLAY_FSCONFIG:
                return ctr_overlay_mount_fsconfig(m->layers, m->n_layers, m->upper, m->work, m->target);
        case MOP_MOUNT:
                return mount(m->source, m->target, m->fstype, m->flags, m->data);
        case MOP_MKDIR:
                return mkdir(m->target, m->mode) < 0 && errno != EEXIST ? -1 : 0;
        case MOP_MKNOD:
                return mknod(m->target, S_IFCHR | m->mode, m->dev);
        case MOP_BIND_DEV:
                /*
                 * the target may come from an image (/bench-agent) and we have not
                 * pivoted yet: a symlink there would make us create a file on the
                 * host. Read-only, so that an image's own file is not copied up.
                 */
                fd = open(m->target, O_RDONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0666);
                if (fd < 0)
                        return -1;
                close(fd);
                return mount(m->source, m->target, NULL, MS_BIND, NULL);
        case MOP_SYMLINK:
                return symlink(m->source, m->target) < 0 && errno != EEXIST ? -1 : 0;
        case MOP_MASK_FILE:
                if (mount("/dev/null", m->target, NULL, MS_BIND, NULL) < 0)
                        return errno == ENOENT || errno == ENOTDIR ? 0 : -1;
                return 0;
        case MOP_MASK_DIR:
                /*
                 * the first dir masked gets a read-only empty tmpfs, the others a
                 * bind of that mount, which takes its flags along (ro, nosuid,
                 * nodev, noexec) onto a superblock that is read-only too: each
                 * stays empty, as with a tmpfs of its own (runc's way), and costs
                 * 8 instead of 14 us here (no new superblock)
                 */
                if (*empty_dir ? mount(*empty_dir, m->target, NULL, MS_BIND, NULL) < 0
                               : mount("tmpfs", m->target, "tmpfs",
                                       MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=0") < 0)
                        return errno == ENOENT || errno == ENOTDIR ? 0 : -1;
                if (!*empty_dir)
                        *empty_dir = m->target;
                return 0;
        case MOP_RO_BIND:
                if (mount(m->target, m->target, NULL, MS_BIND | MS_REC, NULL) < 0)
                        return errno == ENOENT ? 0 : -1;
                return mount(NULL, m->target, NULL,
                             MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV | m->flags, NULL);
        }
        errno = EINVAL;
        return -1;
}

static int loopback_up(void) {
        int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (s < 0)
                return -1;
        struct ifreq ifr;
        memset(&ifr, 0, sizeof(ifr));
        strcpy(ifr.ifr_name, "lo");
        int r = ioctl(s, SIOCGIFFLAGS, &ifr);
        if (r == 0) {
                ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
                r = ioctl(s, SIOCSIFFLAGS, &ifr);
        }
        int e = errno;
        close(s);
        errno = e;
        return r;
}

/* The container's first code: syscalls only, on its own stack, in shared memory. */
static int child_main(void *arg) {
        child_args *a = arg;
        a->t_start = bench_now_ns();
        /*
         * if bench dies (even by SIGKILL), so does PID 1, and with it the whole
         * namespace. (getppid() cannot check for a death before this line: the
         * parent is outside the new PID namespace, so it reads 0; bench is
         * suspended by CLONE_VFORK until exec, which keeps that window tiny.)
         */
        if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0)
                return child_fail(a, "tying its life to bench's", NULL);
        /* first: sysfs, mounted below, shows the network namespace of whoever mounts it */
        if (a->net_fd >= 0 && setns(a->net_fd, CLONE_NEWNET) < 0)
                return child_fail(a, "joining its network namespace", NULL);

        if (!a->cloned_into && a->v2_join_fd >= 0 && write(a->v2_join_fd, "0", 1) != 1)
                return child_fail(a, "joining its cgroup", NULL);
        for (size_t i = 0; i < a->n_join; i++)
                if (write(a->join_fds[i], "0", 1) != 1)
                        return child_fail(a, "joining its cgroup", NULL);
        /* the namespace's root is the cgroup it is in when it is made: after joining */
        if (!a->cgroupns_at_clone && unshare(CLONE_NEWCGROUP) < 0)
                return child_fail(a, "creating its cgroup namespace", NULL);
        a->t_cgroup = bench_now_ns();

        if (a->userns) {
                /* root inside is the caller outside; setgroups must be denied first */
                if (write_proc_file("/proc/self/setgroups", "deny") < 0)
                        return child_fail(a, "denying setgroups", "/proc/self/setgroups");
                if (write_proc_file("/proc/self/uid_map", a->uid_map) < 0)
                        return child_fail(a, "writing", "/proc/self/uid_map");
                if (write_proc_file("/proc/self/gid_map", a->gid_map) < 0)
                        return child_fail(a, "writing", "/proc/self/gid_map");
        }
        /* nothing we mount may propagate back to the host */
        if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
                return child_fail(a, "making the mount tree private", "/");
        const char *empty_dir = NULL;
        for (size_t i = 0; i < a->n_ops; i++)
                if (run_mop(&a->ops[i], &empty_dir) < 0)
                        return child_fail(a, a->ops[i].kind == MOP_MOUNT ? "mounting" : "preparing",
                                          a->ops[i].target);
        a->t_mounts = bench_now_ns();

        /* pivot_root(".", "."): the old root ends up on top and is detached (runc's way, no put_old dir) */
        if (chdir(a->merged) < 0)
                return child_fail(a, "entering", a->merged);
        if (syscall(SYS_pivot_root, ".", ".") < 0)
                return child_fail(a, "pivot_root into", a->merged);
        if (umount2(".", MNT_DETACH) < 0)
                return child_fail(a, "detaching the old root", NULL);
        if (chdir("/") < 0)
                return child_fail(a, "entering", "/");
        if (a->readonly_rootfs && mount(NULL, "/", NULL, MS_REMOUNT | MS_BIND | MS_RDONLY, NULL) < 0)
                return child_fail(a, "remounting the rootfs read-only", "/");
        a->t_pivot = bench_now_ns();

        if (a->hostname && sethostname(a->hostname, strlen(a->hostname)) < 0)
                return child_fail(a, "setting the hostname", a->hostname);
        if (a->loopback && a->net_fd < 0 && loopback_up() < 0)
                return child_fail(a, "bringing up", "lo");
        a->t_net = bench_now_ns();

        for (int i = 0; i < 3; i++)
                if (a->fds[i] >= 0 && dup2(a->fds[i], i) < 0)
                        return child_fail(a, "setting up stdio", NULL);
        /* whatever the harness had open stays out of the container */
        syscall(SYS_close_range, 3u, ~0u, CLOSE_RANGE_CLOEXEC);
        if (a->has_affinity && sched_setaffinity(0, sizeof(a->affinity), &a->affinity) < 0)
                return child_fail(a, "binding to its cpus", NULL);
        struct rlimit nofile = {1048576, 1048576};
        if (setrlimit(RLIMIT_NOFILE, &nofile) < 0) {
                nofile.rlim_cur = nofile.rlim_max = 1024;
                setrlimit(RLIMIT_NOFILE, &nofile);
        }
        /*
         * a session of its own, so no controlling terminal: TIOCSTI into the
         * terminal bench was started from would type commands into the
         * user's shell (an inherited tty fd is no longer the controlling one,
         * and TIOCSTI on another tty needs CAP_SYS_ADMIN)
         */
        if (setsid() < 0)
                return child_fail(a, "starting its own session", NULL);
        /*
         * and a session keyring of its own: the host's (bench's) is not
         * visible and gets no keys from inside. ENOSYS: a kernel without keys.
         */
        if (syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, NULL) < 0 && errno != ENOSYS)
                return child_fail(a, "joining a new session keyring", NULL);
        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
                return child_fail(a, "setting no_new_privs", NULL);
        int r = ctr_caps_apply(&a->caps);
        if (r < 0) {
                errno = -r;
                return child_fail(a, "setting capabilities", NULL);
        }
        /* last: the filter also binds everything above, and execve must stay allowed */
        if (a->seccomp && syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, a->seccomp_flags, a->seccomp) < 0)
                return child_fail(a, "installing the seccomp filter", NULL);
        a->t_caps = bench_now_ns();

        sigprocmask(SIG_SETMASK, &a->sigmask, NULL);
        a->t_exec = bench_now_ns();
        execve(a->argv[0], a->argv, a->envp);
        return child_fail(a, "executing", a->argv[0]);
}

#if defined(__x86_64__)
/*
 * clone3 with a function on its own stack, as glibc does internally (its
 * clone3 is not exported): in the child, rsp is the new stack, so it must not
 * return into C. args rdi, size rsi, fn rdx, arg rcx (moved to r8: syscall
 * clobbers rcx and r11).
 */
long ctr_clone3_fn(struct clone_args *args, size_t size, int (*fn)(void *), void *arg);
__asm__(".text\n"
        ".globl ctr_clone3_fn\n"
        ".type ctr_clone3_fn,@function\n"
        "ctr_clone3_fn:\n"
        "        mov %rcx, %r8\n"
        "        mov $435, %eax\n" /* SYS_clone3 */
        "        syscall\n"
        "        test %rax, %rax\n"
        "        jnz 1f\n"
        "        xor %ebp, %ebp\n"
        "        mov %r8, %rdi\n"
        "        call *%rdx\n"
        "        mov %eax, %edi\n"
        "        mov $60, %eax\n" /* SYS_exit */
        "        syscall\n"
        "        hlt\n"
        "1:      ret\n"
        ".size ctr_clone3_fn, .-ctr_clone3_fn\n");
#define HAVE_CLONE3_FN 1
#endif

#define CHILD_STACK_SIZE (256 * 1024)

/* One stack, reused: with CLONE_VFORK the parent waits until the child has exec'd. */
static void *child_stack(void) {
        static void *stack;
        if (!stack) {
                void *s = mmap(NULL, CHILD_STACK_SIZE, PROT_READ | PROT_WRITE,
                               MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
                if (s == MAP_FAILED)
                        return NULL;
                stack = s;
        }
        return stack;
}

/*
 * clone3 straight into the v2 cgroup (and, when no v1 hierarchy is left to
 * join, into a new cgroup namespace at once); else clone3 or clone() with
 * the child joining by writing cgroup.procs.
 */
static pid_t spawn_child(child_args *a, uint64_t ns_flags, int cgroup_fd, int *ret_pidfd) {
        void *stack = child_stack();
        if (!stack) {
                errno = ENOMEM;
                return -1;
        }
        *ret_pidfd = -1;
        a->cloned_into = false;
        a->cgroupns_at_clone = false;
#ifdef HAVE_CLONE3_FN
        struct clone_args ca;
        memset(&ca, 0, sizeof(ca));
        ca.flags = CLONE_VM | CLONE_VFORK | CLONE_PIDFD | ns_flags;
        ca.pidfd = (uint64_t)(uintptr_t)ret_pidfd;
        ca.exit_signal = SIGCHLD;
        ca.stack = (uint64_t)(uintptr_t)stack;
        ca.stack_size = CHILD_STACK_SIZE;
        long pid;
        if (cgroup_fd >= 0) {
                ca.flags |= CLONE_INTO_CGROUP | (a->n_join == 0 ? CLONE_NEWCGROUP : 0);
                ca.cgroup = (uint64_t)cgroup_fd;
                a->cloned_into = true;
                a->cgroupns_at_clone = a->n_join == 0;
                pid = ctr_clone3_fn(&ca, sizeof(ca), child_main, a);
                if (pid > 0)
                        return (pid_t)pid;
                if (pid != -E2BIG && pid != -EINVAL && pid != -ENOSYS) {
                        errno = (int)-pid;
                        return -1;
                }
                /* a kernel without CLONE_INTO_CGROUP: join by writing instead */
                a->cloned_into = false;
                a->cgroupns_at_clone = false;
                ca.flags &= ~(CLONE_INTO_CGROUP | CLONE_NEWCGROUP);
                ca.cgroup = 0;
        }
        pid = ctr_clone3_fn(&ca, sizeof(ca), child_main, a);
        if (pid > 0)
                return (pid_t)pid;
        if (pid != -ENOSYS) {
                errno = (int)-pid;
                return -1;
        }
#else
        (void)cgroup_fd;
#endif
        if (ns_flags & CLONE_NEWTIME) {
                /* clone() cannot take CLONE_NEWTIME: its bit is CSIGNAL there */
                errno = ENOSYS;
                return -1;
        }
        int pidfd = -1;
        pid_t pid2 = clone(child_main, (char *)stack + CHILD_STACK_SIZE,
                           (int)(CLONE_VM | CLONE_VFORK | CLONE_PIDFD | ns_flags | SIGCHLD), a, &pidfd);
        *ret_pidfd = pidfd;
        return pid2;
}

static void mops_free(mop *ops, size_t n) {
        for (size_t i = 0; i < n; i++) {
                free(ops[i].target);
                free((char *)ops[i].upper);
                free((char *)ops[i].work);
        }
        free(ops);
}

typedef struct plan {
        mop *ops;
        size_t n, cap;
        int failed;
        char tmp_data[64], upper_data[64]; /* tmpfs options with size=, pointed to by ops */
} plan;

static void plan_add(plan *p, mop_kind kind, const char *source, const char *fstype, unsigned long flags,
                     const char *data, mode_t mode, dev_t dev, const char *root, const char *rel) {
        if (p->failed)
                return;
        if (p->n == p->cap) {
                size_t cap = p->cap ? p->cap * 2 : 64;
                mop *n = realloc(p->ops, cap * sizeof(*n));
                if (!n) {
                        p->failed = -ENOMEM;
                        return;
                }
                p->ops = n;
                p->cap = cap;
        }
        mop *m = &p->ops[p->n];
        *m = (mop){.kind = kind,
                   .source = source,
                   .fstype = fstype,
                   .flags = flags,
                   .data = data,
                   .mode = mode,
                   .dev = dev};
        if (asprintf(&m->target, "%s%s", root, rel) < 0) {
                p->failed = -ENOMEM;
                return;
        }
        p->n++;
}

/* A size, or the default (the option table's too) where it is 0. */
static unsigned long long size_or(uint64_t v, const char *def) {
        uint64_t d = 0;
        if (!v && bench_parse_size(def, &d) == 0)
                v = d;
        return (unsigned long long)v;
}

/*
 * The mount points (/proc, /dev, ...) an image need not have are made by the
 * child, in the upper layer, where missing. Where the top layer has a real
 * directory at that path, the merged view surely has one (the upper is fresh
 * and empty, and the top layer's entry hides whatever lies below), so that
 * mkdir would only fail with EEXIST: it is left out. A whiteout, a symlink
 * or nothing there keeps it. A layer dir changed between this check and the
 * child's mount fails the start there (ENOENT), as a missing dir would.
 */
static bool top_layer_has_dir(const ctr_spec *spec, const char *rel) {
        if (spec->n_layers == 0)
                return false;
        char path[4096];
        if ((size_t)snprintf(path, sizeof(path), "%s%s", spec->layers[spec->n_layers - 1], rel) >=
            sizeof(path))
                return false;
        struct stat st;
        return lstat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

const char *const ctr_masked_files[] = {"/proc/kcore",        "/proc/keys",        "/proc/latency_stats",
                                        "/proc/timer_list",   "/proc/timer_stats", "/proc/sched_debug",
                                        "/proc/sysrq-trigger"};
const size_t ctr_n_masked_files = ELEMENTSOF(ctr_masked_files);
const char *const ctr_masked_dirs[] = {"/proc/acpi", "/proc/scsi", "/proc/asound", "/sys/firmware",
                                       "/sys/devices/virtual/powercap"};
const size_t ctr_n_masked_dirs = ELEMENTSOF(ctr_masked_dirs);
const char *const ctr_readonly_paths[] = {"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys"};
const size_t ctr_n_readonly_paths = ELEMENTSOF(ctr_readonly_paths);
const ctr_device ctr_devices[] = {{"/dev/null", 1, 3},   {"/dev/zero", 1, 5},    {"/dev/full", 1, 7},
                                  {"/dev/random", 1, 8}, {"/dev/urandom", 1, 9}, {"/dev/tty", 5, 0}};
const size_t ctr_n_devices = ELEMENTSOF(ctr_devices);
const char *const ctr_mountpoints[] = {"/proc", "/dev", "/sys", "/tmp", "/scratch"};
const size_t ctr_n_mountpoints = ELEMENTSOF(ctr_mountpoints);

/* The mount plan: overlay, then what a container sees below it (Docker's defaults). */
static int build_plan(const ctr_spec *spec, const char *dir, const char *overlay_data, bool userns, plan *p) {
        char merged[4096];
        /* the overlay goes over dir itself (see ctr_start) */
        snprintf(merged, sizeof(merged), "%s", dir);
        const unsigned long nsd = MS_NOSUID | MS_NODEV, nsde = MS_NOSUID | MS_NODEV | MS_NOEXEC;

        if (spec->upper_tmpfs) {
                /*
                 * a tmpfs over the state dir, in the container's own mount
                 * namespace only: upper and work live there, the overlay goes on
                 * top, and all of it vanishes with the namespace, so the host's
                 * filesystem is not touched at all
                 */
                snprintf(p->upper_data, sizeof(p->upper_data), "mode=0755,size=%llu",
                         size_or(spec->upper_size, CTR_UPPER_SIZE_DEFAULT));
                plan_add(p, MOP_MOUNT, "tmpfs", "tmpfs", nsd, p->upper_data, 0, 0, dir, "");
                plan_add(p, MOP_MKDIR, NULL, NULL, 0, NULL, 0755, 0, dir, "/upper");
                plan_add(p, MOP_MKDIR, NULL, NULL, 0, NULL, 0755, 0, dir, "/work");
        }
        /* nodev: a device node shipped in a layer does not open, whatever the capabilities */
        if (overlay_data)
                plan_add(p, MOP_MOUNT, "overlay", "overlay", MS_NODEV, overlay_data, 0, 0, merged, "");
        else {
                plan_add(p, MOP_OVERLAY_FSCONFIG, NULL, NULL, 0, NULL, 0, 0, merged, "");
                if (!p->failed) {
                        mop *m = &p->ops[p->n - 1];
                        m->layers = spec->layers;
                        m->n_layers = spec->n_layers;
                        if (asprintf((char **)&m->upper, "%s/upper", dir) < 0 ||
                            asprintf((char **)&m->work, "%s/work", dir) < 0)
                                p->failed = -ENOMEM;
                }
        }
        /* an image need not have them: made in the upper layer where missing */
        for (size_t i = 0; i < ctr_n_mountpoints; i++)
                if (!top_layer_has_dir(spec, ctr_mountpoints[i]))
                        plan_add(p, MOP_MKDIR, NULL, NULL, 0, NULL, 0755, 0, merged, ctr_mountpoints[i]);
        if (spec->bind_agent) {
                /* the very agent binary of the other configurations, without a layer of its own */
                plan_add(p, MOP_BIND_DEV, spec->bind_agent, NULL, 0, NULL, 0, 0, merged, "/bench-agent");
                plan_add(p, MOP_RO_BIND, NULL, NULL, 0, NULL, 0, 0, merged, "/bench-agent");
        }
        plan_add(p, MOP_MOUNT, "proc", "proc", nsde, NULL, 0, 0, merged, "/proc");
        plan_add(p, MOP_MOUNT, "tmpfs", "tmpfs", MS_NOSUID | MS_STRICTATIME, "mode=755,size=65536k", 0, 0,
                 merged, "/dev");
        for (size_t i = 0; i < ctr_n_devices; i++) {
                if (userns)
                        plan_add(p, MOP_BIND_DEV, ctr_devices[i].path, NULL, 0, NULL, 0, 0, merged,
                                 ctr_devices[i].path);
                else
                        plan_add(p, MOP_MKNOD, NULL, NULL, 0, NULL, 0666,
                                 makedev(ctr_devices[i].major, ctr_devices[i].minor), merged,
                                 ctr_devices[i].path);
        }
        plan_add(p, MOP_MKDIR, NULL, NULL, 0, NULL, 0755, 0, merged, "/dev/pts");
        plan_add(p, MOP_MOUNT, "devpts", "devpts", MS_NOSUID | MS_NOEXEC,
                 "newinstance,ptmxmode=0666,mode=0620", 0, 0, merged, "/dev/pts");
        plan_add(p, MOP_SYMLINK, "pts/ptmx", NULL, 0, NULL, 0, 0, merged, "/dev/ptmx");
        plan_add(p, MOP_MKDIR, NULL, NULL, 0, NULL, 01777, 0, merged, "/dev/shm");
        plan_add(p, MOP_MOUNT, "shm", "tmpfs", nsde, "mode=1777,size=65536k", 0, 0, merged, "/dev/shm");
        plan_add(p, MOP_MKDIR, NULL, NULL, 0, NULL, 0755, 0, merged, "/dev/mqueue");
        plan_add(p, MOP_MOUNT, "mqueue", "mqueue", nsde, NULL, 0, 0, merged, "/dev/mqueue");
        plan_add(p, MOP_SYMLINK, "/proc/self/fd", NULL, 0, NULL, 0, 0, merged, "/dev/fd");
        plan_add(p, MOP_SYMLINK, "/proc/self/fd/0", NULL, 0, NULL, 0, 0, merged, "/dev/stdin");
        plan_add(p, MOP_SYMLINK, "/proc/self/fd/1", NULL, 0, NULL, 0, 0, merged, "/dev/stdout");
        plan_add(p, MOP_SYMLINK, "/proc/self/fd/2", NULL, 0, NULL, 0, 0, merged, "/dev/stderr");
        plan_add(p, MOP_MOUNT, "sysfs", "sysfs", nsde | MS_RDONLY, NULL, 0, 0, merged, "/sys");
        snprintf(p->tmp_data, sizeof(p->tmp_data), "mode=1777,size=%llu",
                 size_or(spec->tmpfs_size, CTR_TMPFS_SIZE_DEFAULT));
        plan_add(p, MOP_MOUNT, "tmpfs", "tmpfs", nsd, p->tmp_data, 0, 0, merged, "/tmp");
        for (size_t i = 0; i < ctr_n_masked_files; i++)
                plan_add(p, MOP_MASK_FILE, NULL, NULL, 0, NULL, 0, 0, merged, ctr_masked_files[i]);
        for (size_t i = 0; i < ctr_n_masked_dirs; i++)
                plan_add(p, MOP_MASK_DIR, NULL, NULL, 0, NULL, 0, 0, merged, ctr_masked_dirs[i]);
        for (size_t i = 0; i < ctr_n_readonly_paths; i++)
                plan_add(p, MOP_RO_BIND, NULL, NULL, MS_NOEXEC, NULL, 0, 0, merged, ctr_readonly_paths[i]);
        return p->failed;
}

int ctr_overlay_data(const char *const *layers, size_t n_layers, const char *dir, char **ret) {
        size_t len = 64 + 2 * strlen(dir);
        for (size_t i = 0; i < n_layers; i++)
                len += strlen(layers[i]) + 1;
        char *s = malloc(len), *p = s;
        if (!s)
                return -ENOMEM;
        p = stpcpy(p, "lowerdir=");
        for (size_t i = n_layers; i-- > 0;) {
                p = stpcpy(p, layers[i]);
                if (i)
                        p = stpcpy(p, ":");
        }
        p += sprintf(p, ",upperdir=%s/upper,workdir=%s/work", dir, dir);
        /* the classic mount data is one page; deep stacks need lowerdir+ (issue: layers) */
        if ((size_t)(p - s) >= 4096) {
                free(s);
                return -E2BIG;
        }
        *ret = s;
        return 0;
}

const char *ctr_fs_name(const char *path) {
        static const struct {
                long magic;
                const char *name;
        } known[] = {{0xEF53, "ext2/3/4"},  {0x58465342, "xfs"},     {0x9123683E, "btrfs"},
                     {0x01021994, "tmpfs"}, {0x794c7630, "overlay"}, {0x2FC12FC1, "zfs"},
                     {0xF2F52010, "f2fs"}};
        struct statfs st;
        if (statfs(path, &st) < 0)
                return "unknown filesystem";
        for (size_t i = 0; i < ELEMENTSOF(known); i++)
                if ((long)st.f_type == known[i].magic)
                        return known[i].name;
        return "unknown filesystem";
}

int ctr_spec_check(const ctr_spec *spec, unsigned flags, bench_error **err) {
        if (spec->n_layers == 0 && !(flags & CTR_CHECK_NO_BASE))
                return bench_error_set(err, EINVAL, "a container needs at least one layer");
        if (spec->n_layers + !!(flags & CTR_CHECK_NO_BASE) > CTR_MAX_LAYERS)
                return bench_error_set(err, EINVAL, "%zu layers: overlayfs takes at most %d", spec->n_layers,
                                       CTR_MAX_LAYERS);
        for (size_t i = 0; i < spec->n_layers; i++) {
                struct stat st;
                if (stat(spec->layers[i], &st) < 0)
                        return bench_error_errno(err, errno, "layer %zu `%s`", i + 1, spec->layers[i]);
                if (!S_ISDIR(st.st_mode))
                        return bench_error_set(err, ENOTDIR, "layer %zu `%s` is not a directory", i + 1,
                                               spec->layers[i]);
                if (access(spec->layers[i], R_OK | X_OK) < 0)
                        return bench_error_errno(err, errno, "layer %zu `%s` is not readable", i + 1,
                                                 spec->layers[i]);
                if (strchr(spec->layers[i], ':') || strchr(spec->layers[i], ','))
                        return bench_error_set(err, EINVAL,
                                               "layer %zu `%s`: overlayfs cannot take a path with `:` or `,`",
                                               i + 1, spec->layers[i]);
        }
        /* (not at validation: the run's own state dir is not made yet) */
        if (spec->upper_tmpfs && !(flags & CTR_CHECK_NO_BASE)) {
                size_t sl = strlen(spec->state_dir);
                for (size_t i = 0; i < spec->n_layers; i++)
                        if (!strncmp(spec->layers[i], spec->state_dir, sl) &&
                            (spec->layers[i][sl] == '/' || !spec->layers[i][sl]))
                                return bench_error_set(
                                        err, EINVAL,
                                        "layer `%s` is inside the workdir %s, which a tmpfs upper "
                                        "covers: move the layer or use another workdir",
                                        spec->layers[i], spec->state_dir);
        }
        if (spec->upper_size && !spec->upper_tmpfs) {
                char sz[32];
                return bench_error_set(
                        err, EINVAL,
                        "upper_size %s: a disk upper cannot be bounded: its dir is on the workdir's "
                        "filesystem (%s, %s), and bench sets no project quota there; use upper tmpfs "
                        "(bounded by upper_size), or drop upper_size (the disk upper then takes what "
                        "that filesystem has free)",
                        bench_format_size(spec->upper_size, sz, sizeof(sz)), spec->state_dir,
                        ctr_fs_name(spec->state_dir));
        }
        if (!spec->argv || !spec->argv[0])
                return bench_error_set(err, EINVAL, "no command to run in the container");
        ctr_caps caps;
        int r = ctr_caps_parse(spec->caps, &caps, err);
        if (r < 0)
                return r;
        /* compiled now, so that a bad profile is bad input; the start reuses the program */
        const struct sock_fprog *prog;
        unsigned fl;
        if ((r = ctr_seccomp_program(spec->seccomp, caps.keep, &prog, &fl, err)) < 0)
                return r;
        const ctr_cgroup_limits *l = &spec->limits;
        if ((l->memory_bytes || l->cpu_quota_us || l->pids_max || l->cpus) && geteuid() != 0 && spec->userns)
                return bench_error_set(
                        err, EPERM,
                        "cgroup limits need root (or a delegated cgroup): drop memory/cpus/pids "
                        "for a rootless container");
        return ctr_cgroup_check(l, err);
}

static int cleanup_dir(ctr_container *c) {
        if (!c->dir)
                return 0;
        int r = bench_rm_rf(c->dir, NULL);
        free(c->dir);
        c->dir = NULL;
        return r;
}

static void reap(ctr_container *c) {
        if (c->pid > 0 && !c->reaped) {
                while (waitpid(c->pid, &c->status, 0) < 0 && errno == EINTR)
                        ;
                c->reaped = true;
        }
}

void ctr_destroy(ctr_container *c) {
        if (!c)
                return;
        if (c->pid > 0 && !c->reaped) {
                /* PID 1 dying takes its whole PID namespace with it */
                if (c->pidfd < 0 || syscall(SYS_pidfd_send_signal, c->pidfd, SIGKILL, NULL, 0) < 0)
                        kill(c->pid, SIGKILL);
                reap(c);
        }
        if (c->pidfd >= 0)
                close(c->pidfd);
        ctr_cgroup_destroy(c->cg);
        cleanup_dir(c);
        free(c);
}

static void ctr_destroyp(ctr_container **c) {
        ctr_destroy(*c);
}

const char *const ctr_default_env[] = {"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                                       "HOME=/root", "TERM=xterm", NULL};

/*
 * The network namespace is the dearest part of the start (the kernel sets
 * up every per-namespace subsystem: sysctl tables, loopback, IPv6...:
 * ~0.4 ms here). A root container's is made by a thread of its own, on
 * another cpu (the container's, when it is pinned) while this one makes
 * the cgroup and the mount plan; the child joins it with setns(): the same
 * namespace, sooner. Whichever comes first claims the work: when the
 * thread has not started by the time the clone is due (no cpu free), the
 * clone makes the namespace as before and the thread, once it runs, only
 * leaves. (A user-namespaced container's must be made at clone: it owns it.)
 */
enum { NETNS_IDLE, NETNS_WORKING, NETNS_DONE, NETNS_TAKEN };

struct ctr_netns {
        int state; /* NETNS_*, atomic; a futex while WORKING */
        int refs;  /* the thread's and the starter's, atomic: the last one frees */
        bool loopback;
        int fd, err;
        const char *failed;
        uint64_t t_begin, t_end;
};
typedef struct ctr_netns netns_job;

static void netns_unref(netns_job *j) {
        if (__atomic_sub_fetch(&j->refs, 1, __ATOMIC_ACQ_REL) > 0)
                return;
        if (j->fd >= 0)
                close(j->fd);
        free(j);
}

static bool netns_claim(netns_job *j, int to) {
        int idle = NETNS_IDLE;
        return __atomic_compare_exchange_n(&j->state, &idle, to, false, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
}

static void *netns_thread(void *arg) {
        netns_job *j = arg;
        if (netns_claim(j, NETNS_WORKING)) {
                j->t_begin = bench_now_ns();
                if (unshare(CLONE_NEWNET) < 0)
                        j->failed = "creating its network namespace";
                else if (j->loopback && loopback_up() < 0)
                        j->failed = "bringing up lo";
                else if ((j->fd = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC)) < 0)
                        j->failed = "opening /proc/thread-self/ns/net";
                j->err = j->failed ? errno : 0;
                j->t_end = bench_now_ns();
                __atomic_store_n(&j->state, NETNS_DONE, __ATOMIC_RELEASE);
                syscall(SYS_futex, &j->state, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
        }
        netns_unref(j);
        return NULL;
}

/* The job, its thread started on cpus (or on any cpu but this one); NULL: no thread. */
static netns_job *netns_start(bool loopback, const cpu_set_t *cpus) {
        cpu_set_t others;
        if (!cpus) {
                /* on the cpu this thread runs on it would only wait for the clone */
                if (sched_getaffinity(0, sizeof(others), &others) < 0)
                        return NULL;
                int self = sched_getcpu();
                if (self >= 0)
                        CPU_CLR(self, &others);
                if (CPU_COUNT(&others) == 0)
                        return NULL;
                cpus = &others;
        }
        netns_job *j = calloc(1, sizeof(*j));
        if (!j)
                return NULL;
        *j = (netns_job){.state = NETNS_IDLE, .refs = 2, .loopback = loopback, .fd = -1};
        pthread_attr_t attr;
        if (pthread_attr_init(&attr) != 0) {
                free(j);
                return NULL;
        }
        pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
        pthread_attr_setaffinity_np(&attr, sizeof(*cpus), cpus);
        /* no signal handler of bench's runs on it */
        sigset_t all, old;
        sigfillset(&all);
        pthread_sigmask(SIG_SETMASK, &all, &old);
        pthread_t t;
        bool started = pthread_create(&t, &attr, netns_thread, j) == 0;
        pthread_sigmask(SIG_SETMASK, &old, NULL);
        pthread_attr_destroy(&attr);
        if (!started) {
                free(j);
                return NULL;
        }
        return j;
}

/*
 * At the clone: true and *ret_fd when the thread made the namespace (the
 * starter now owns the fd), false when the clone must make it; -errno
 * when the thread failed.
 */
static int netns_finish(netns_job *j, int *ret_fd, const char **ret_failed) {
        if (!j || netns_claim(j, NETNS_TAKEN))
                return 0;
        int st;
        while ((st = __atomic_load_n(&j->state, __ATOMIC_ACQUIRE)) == NETNS_WORKING)
                syscall(SYS_futex, &j->state, FUTEX_WAIT_PRIVATE, NETNS_WORKING, NULL, NULL, 0);
        if (j->failed) {
                *ret_failed = j->failed;
                return -(j->err ? j->err : EIO);
        }
        *ret_fd = j->fd;
        j->fd = -1;
        return 1;
}

static void netns_unrefp(netns_job **j) {
        if (*j)
                netns_unref(*j);
}

ctr_netns *ctr_netns_begin(const ctr_spec *spec) {
        return spec->userns ? NULL : netns_start(spec->network == CTR_NET_LOOPBACK, spec->affinity);
}

void ctr_netns_unref(ctr_netns *n) {
        if (n)
                netns_unref(n);
}

int ctr_start(const ctr_spec *spec, unsigned flags, ctr_container **ret, bench_error **err) {
        uint64_t t0 = bench_now_ns();
        _cleanup_(ctr_destroyp) ctr_container *c = calloc(1, sizeof(*c));
        if (!c)
                return bench_error_set(err, ENOMEM, "out of memory");
        c->pidfd = -1;
        bool userns = spec->userns;
        /* begun by the caller (ctr_netns_begin), else here */
        _cleanup_(netns_unrefp) netns_job *own = spec->netns || userns ? NULL : ctr_netns_begin(spec);
        netns_job *net = spec->netns ? spec->netns : own;
        _cleanup_close_ int net_fd = -1;

        /* the container's own dirs on the host: upper, work and the mount point (disk upper only) */
        const char *dir = spec->state_dir;
        if (!spec->upper_tmpfs) {
                if (asprintf(&c->dir, "%s/%s.XXXXXX", spec->state_dir, spec->name) < 0) {
                        c->dir = NULL;
                        return bench_error_set(err, ENOMEM, "out of memory");
                }
                if (!mkdtemp(c->dir)) {
                        int e = errno;
                        free(c->dir);
                        c->dir = NULL;
                        return bench_error_errno(err, e, "cannot create a container dir in %s",
                                                 spec->state_dir);
                }
                /*
                 * no mount point dir of its own: the overlay goes over the container
                 * dir itself, whose upper and work it has resolved by then (one
                 * mkdir and one rmdir less on the host's filesystem)
                 */
                static const char *const subdirs[] = {"/upper", "/work"};
                for (size_t i = 0; i < ELEMENTSOF(subdirs); i++) {
                        char sub[4096];
                        snprintf(sub, sizeof(sub), "%s%s", c->dir, subdirs[i]);
                        if (mkdir(sub, 0755) < 0)
                                return bench_error_errno(err, errno, "cannot create %s", sub);
                }
                dir = c->dir;
        }
        char path[4096];

        /* the cgroup: rootless without limits runs without one */
        const ctr_cgroup_limits *lim = &spec->limits;
        bool want_cgroup =
                geteuid() == 0 || lim->memory_bytes || lim->cpu_quota_us || lim->pids_max || lim->cpus;
        int r;
        if (want_cgroup) {
                r = ctr_cgroup_create(spec->name, lim,
                                      CTR_CGROUP_WANT_CLONE_INTO |
                                              (flags & CTR_START_ALONE ? CTR_CGROUP_AT_ROOT : 0),
                                      &c->cg, err);
                if (r < 0)
                        return r;
        }
        uint64_t t_cgroup = bench_now_ns();

        _cleanup_free_ char *ovl = NULL;
        r = ctr_overlay_data(spec->layers, spec->n_layers, dir, &ovl);
        /* past one page of mount options: the child mounts through fsconfig (ovl stays NULL) */
        if (r < 0 && r != -E2BIG)
                return bench_error_set(err, -r, "out of memory");
        plan p = {0};
        r = build_plan(spec, dir, ovl, userns, &p);
        if (r < 0) {
                mops_free(p.ops, p.n);
                return bench_error_set(err, -r, "out of memory");
        }

        child_args a;
        memset(&a, 0, sizeof(a));
        a.ops = p.ops;
        a.n_ops = p.n;
        snprintf(path, sizeof(path), "%s", dir);
        a.merged = path;
        a.readonly_rootfs = spec->readonly_rootfs;
        a.hostname = spec->hostname ? spec->hostname : spec->name;
        a.loopback = spec->network == CTR_NET_LOOPBACK;
        a.userns = userns;
        snprintf(a.uid_map, sizeof(a.uid_map), "0 %u 1", (unsigned)geteuid());
        snprintf(a.gid_map, sizeof(a.gid_map), "0 %u 1", (unsigned)getegid());
        a.argv = spec->argv;
        a.envp = spec->envp ? spec->envp : (char *const *)ctr_default_env;
        a.fds[0] = spec->stdin_fd;
        a.fds[1] = spec->stdout_fd;
        a.fds[2] = spec->stderr_fd;
        if (spec->affinity) {
                a.has_affinity = true;
                a.affinity = *spec->affinity;
        }
        r = ctr_caps_parse(spec->caps, &a.caps, err);
        if (r == 0)
                r = ctr_seccomp_program(spec->seccomp, a.caps.keep, &a.seccomp, &a.seccomp_flags, err);
        if (r < 0) {
                mops_free(p.ops, p.n);
                return r;
        }
        int clone_fd = c->cg ? ctr_cgroup_clone_fd(c->cg) : -1;
        a.v2_join_fd = c->cg ? ctr_cgroup_v2_join_fd(c->cg) : -1;
        a.n_join = c->cg ? ctr_cgroup_join_fds(c->cg, a.join_fds, CTR_MAX_MOUNT_FDS) : 0;
        const char *net_failed = NULL;
        r = netns_finish(net, &net_fd, &net_failed);
        if (r < 0) {
                mops_free(p.ops, p.n);
                return bench_error_errno(err, -r, "container start failed %s", net_failed);
        }
        bool net_aside = r > 0;
        a.net_fd = net_fd;
        uint64_t ns = CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWUTS | CLONE_NEWIPC |
                      (net_aside ? 0 : CLONE_NEWNET) | (userns ? CLONE_NEWUSER : 0) |
                      (spec->timens ? CLONE_NEWTIME : 0);

        /* no signal handler may run on the child's stack before exec */
        sigset_t all;
        sigfillset(&all);
        sigprocmask(SIG_SETMASK, &all, &a.sigmask);
        uint64_t t_clone = bench_now_ns();
        pid_t pid = spawn_child(&a, ns, clone_fd, &c->pidfd);
        int clone_errno = errno;
        sigprocmask(SIG_SETMASK, &a.sigmask, NULL);
        if (pid < 0) {
                mops_free(p.ops, p.n);
                return bench_error_errno(err, clone_errno, "cannot clone the container's first process");
        }
        c->pid = pid;
        if (a.failed_step) {
                reap(c);
                /* failed_path points into the plan: said before the plan goes */
                r = bench_error_errno(err, a.failed_errno, "container start failed %s%s%s", a.failed_step,
                                      a.failed_path ? " " : "", a.failed_path ? a.failed_path : "");
                mops_free(p.ops, p.n);
                return r;
        }
        mops_free(p.ops, p.n);
        c->exec_ns = a.t_exec;
        c->phases[CTR_PHASE_CGROUP] = bench_ns_to_ms(t_cgroup - t0) + bench_ns_to_ms(a.t_cgroup - a.t_start);
        c->phases[CTR_PHASE_CLONE] = bench_ns_to_ms(a.t_start - t_clone);
        c->phases[CTR_PHASE_MOUNTS] = bench_ns_to_ms(a.t_mounts - a.t_cgroup);
        c->phases[CTR_PHASE_PIVOT_ROOT] = bench_ns_to_ms(a.t_pivot - a.t_mounts);
        /* aside: the thread's namespace and lo, overlapping the cgroup phase, and the hostname */
        c->phases[CTR_PHASE_NET] = bench_ns_to_ms(a.t_net - a.t_pivot) +
                                   (net_aside ? bench_ns_to_ms(net->t_end - net->t_begin) : 0);
        c->phases[CTR_PHASE_CAPS] = bench_ns_to_ms(a.t_caps - a.t_net);
        *ret = steal_pointer(&c);
        return 0;
}

uint64_t ctr_exec_started_ns(const ctr_container *c) {
        return c->exec_ns;
}
const double *ctr_phases(const ctr_container *c) {
        return c->phases;
}
pid_t ctr_pid(const ctr_container *c) {
        return c->pid;
}
ctr_cgroup *ctr_get_cgroup(ctr_container *c) {
        return c->cg;
}

int ctr_wait(ctr_container *c, int timeout_ms, int interrupt_fd, int *ret_status, bench_error **err) {
        if (!c->reaped) {
                struct pollfd p[2] = {{.fd = c->pidfd, .events = POLLIN},
                                      {.fd = interrupt_fd, .events = POLLIN}};
                if (c->pidfd >= 0) {
                        int n;
                        while ((n = poll(p, interrupt_fd >= 0 ? 2 : 1, timeout_ms)) < 0 && errno == EINTR)
                                if (interrupt_fd >= 0)
                                        break;
                        if (n == 0)
                                return bench_error_set(err, ETIMEDOUT,
                                                       "the container did not exit within %d ms", timeout_ms);
                        if (!(p[0].revents & POLLIN) && (n < 0 || (p[1].revents & POLLIN)))
                                return bench_error_set(err, EINTR, "interrupted");
                }
                reap(c);
        }
        *ret_status = c->status;
        return 0;
}

int ctr_footprint_kib(ctr_container *c, double *ret_kib, bench_error **err) {
        double total = 0;
        if (c->cg) {
                _cleanup_free_ pid_t *pids = NULL;
                size_t n = 0;
                int r = ctr_cgroup_pids(c->cg, &pids, &n, err);
                if (r < 0)
                        return r;
                for (size_t i = 0; i < n; i++) {
                        double kib;
                        /* a process may exit between listing and reading: it has no footprint then */
                        if (bench_pss_kib(pids[i], &kib, NULL) == 0)
                                total += kib;
                }
                if (n > 0) {
                        *ret_kib = total;
                        return 0;
                }
        }
        int r = bench_pss_kib(c->pid, &total, err);
        if (r < 0)
                return r;
        *ret_kib = total;
        return 0;
}
