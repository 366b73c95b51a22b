/* SPDX-License-Identifier: MIT */
/*
 * Seccomp profiles: the built-in default, the JSON reader, the compiler
 * (libseccomp, in the parent) and the OCI renderer. See seccomp.h.
 */
#include "bpf.h"
#include "seccomp.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/sched.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "../../common/cache.h"
#include "../../common/cleanup.h"
#include "../../common/dl.h"
#include "../../common/json.h"
#include "../../common/sha256.h"
#include "../../common/util.h"

#ifndef CLONE_NEWCGROUP
#define CLONE_NEWCGROUP 0x02000000
#endif
#ifndef AF_VSOCK
#define AF_VSOCK 40
#endif

/* This machine as Docker's includes/excludes name it, and its OCI arch with the ones it also runs. */
#if defined(__x86_64__) && defined(__ILP32__)
#define NATIVE_GO "x32"
#define NATIVE_ARCHES "SCMP_ARCH_X32", "SCMP_ARCH_X86_64", "SCMP_ARCH_X86"
#elif defined(__x86_64__)
#define NATIVE_GO "amd64"
#define NATIVE_ARCHES "SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"
#elif defined(__i386__)
#define NATIVE_GO "x86"
#define NATIVE_ARCHES "SCMP_ARCH_X86"
#elif defined(__aarch64__)
#define NATIVE_GO "arm64"
#define NATIVE_ARCHES "SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM"
#elif defined(__arm__)
#define NATIVE_GO "arm"
#define NATIVE_ARCHES "SCMP_ARCH_ARM"
#elif defined(__s390x__)
#define NATIVE_GO "s390x"
#define NATIVE_ARCHES "SCMP_ARCH_S390X", "SCMP_ARCH_S390"
#elif defined(__powerpc64__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define NATIVE_GO "ppc64le"
#define NATIVE_ARCHES "SCMP_ARCH_PPC64LE"
#elif defined(__riscv) && __riscv_xlen == 64
#define NATIVE_GO "riscv64"
#define NATIVE_ARCHES "SCMP_ARCH_RISCV64"
#else
#define NATIVE_GO "unknown"
#define NATIVE_ARCHES "SCMP_ARCH_NATIVE"
#endif

static const char *const native_arches[] = {NATIVE_ARCHES};

#define CAP(c) (1ull << (c))
#define NAMES(a) .names = a, .n_names = ELEMENTSOF(a)
#define ARCHES(...)                                                                                          \
        .arches = (const char *const[]){__VA_ARGS__},                                                        \
        .n_arches = ELEMENTSOF(((const char *const[]){__VA_ARGS__}))
#define ARG(...)                                                                                             \
        .args = (const ctr_sc_arg[]){__VA_ARGS__}, .n_args = ELEMENTSOF(((const ctr_sc_arg[]){__VA_ARGS__}))

/*
 * Docker's default profile (moby profiles/seccomp/default_linux.go), as
 * policy: what it allows outright, and what only with a capability. All
 * else fails with EPERM: keyctl/add_key/request_key (the keyrings are not
 * namespaced), unshare/setns/mount without CAP_SYS_ADMIN, perf_event_open,
 * bpf, userfaultfd, kexec, swapon, the old sysctl and the like.
 */
/* clang-format off */
static const char *const allow_always[] = {
        "accept", "accept4", "access", "adjtimex", "alarm", "bind", "brk", "capget", "capset", "chdir",
        "chmod", "chown", "chown32", "clock_adjtime", "clock_adjtime64", "clock_getres",
        "clock_getres_time64", "clock_gettime", "clock_gettime64", "clock_nanosleep",
        "clock_nanosleep_time64", "close", "close_range", "connect", "copy_file_range", "creat", "dup",
        "dup2", "dup3", "epoll_create", "epoll_create1", "epoll_ctl", "epoll_ctl_old", "epoll_pwait",
        "epoll_pwait2", "epoll_wait", "epoll_wait_old", "eventfd", "eventfd2", "execve", "execveat", "exit",
        "exit_group", "faccessat", "faccessat2", "fadvise64", "fadvise64_64", "fallocate", "fanotify_mark",
        "fchdir", "fchmod", "fchmodat", "fchown", "fchown32", "fchownat", "fcntl", "fcntl64", "fdatasync",
        "fgetxattr", "flistxattr", "flock", "fork", "fremovexattr", "fsetxattr", "fstat", "fstat64",
        "fstatat64", "fstatfs", "fstatfs64", "fsync", "ftruncate", "ftruncate64", "futex", "futex_time64",
        "futex_waitv", "futimesat", "getcpu", "getcwd", "getdents", "getdents64", "getegid", "getegid32",
        "geteuid", "geteuid32", "getgid", "getgid32", "getgroups", "getgroups32", "getitimer", "getpeername",
        "getpgid", "getpgrp", "getpid", "getppid", "getpriority", "getrandom", "getresgid", "getresgid32",
        "getresuid", "getresuid32", "getrlimit", "get_robust_list", "getrusage", "getsid", "getsockname",
        "getsockopt", "get_thread_area", "gettid", "gettimeofday", "getuid", "getuid32", "getxattr",
        "inotify_add_watch", "inotify_init", "inotify_init1", "inotify_rm_watch", "io_cancel", "ioctl",
        "io_destroy", "io_getevents", "io_pgetevents", "io_pgetevents_time64", "ioprio_get", "ioprio_set",
        "io_setup", "io_submit", "io_uring_enter", "io_uring_register", "io_uring_setup", "ipc", "kill",
        "landlock_add_rule", "landlock_create_ruleset", "landlock_restrict_self", "lchown", "lchown32",
        "lgetxattr", "link", "linkat", "listen", "listxattr", "llistxattr", "_llseek", "lremovexattr",
        "lseek", "lsetxattr", "lstat", "lstat64", "madvise", "membarrier", "memfd_create", "memfd_secret",
        "mincore", "mkdir", "mkdirat", "mknod", "mknodat", "mlock", "mlock2", "mlockall", "mmap", "mmap2",
        "mprotect", "mq_getsetattr", "mq_notify", "mq_open", "mq_timedreceive", "mq_timedreceive_time64",
        "mq_timedsend", "mq_timedsend_time64", "mq_unlink", "mremap", "msgctl", "msgget", "msgrcv", "msgsnd",
        "msync", "munlock", "munlockall", "munmap", "name_to_handle_at", "nanosleep", "newfstatat",
        "_newselect", "open", "openat", "openat2", "pause", "pidfd_open", "pidfd_send_signal", "pipe",
        "pipe2", "pkey_alloc", "pkey_free", "pkey_mprotect", "poll", "ppoll", "ppoll_time64", "prctl",
        "pread64", "preadv", "preadv2", "prlimit64", "process_mrelease", "pselect6", "pselect6_time64",
        "pwrite64", "pwritev", "pwritev2", "read", "readahead", "readlink", "readlinkat", "readv", "recv",
        "recvfrom", "recvmmsg", "recvmmsg_time64", "recvmsg", "remap_file_pages", "removexattr", "rename",
        "renameat", "renameat2", "restart_syscall", "rmdir", "rseq", "rt_sigaction", "rt_sigpending",
        "rt_sigprocmask", "rt_sigqueueinfo", "rt_sigreturn", "rt_sigsuspend", "rt_sigtimedwait",
        "rt_sigtimedwait_time64", "rt_tgsigqueueinfo", "sched_getaffinity", "sched_getattr",
        "sched_getparam", "sched_get_priority_max", "sched_get_priority_min", "sched_getscheduler",
        "sched_rr_get_interval", "sched_rr_get_interval_time64", "sched_setaffinity", "sched_setattr",
        "sched_setparam", "sched_setscheduler", "sched_yield", "seccomp", "select", "semctl", "semget",
        "semop", "semtimedop", "semtimedop_time64", "send", "sendfile", "sendfile64", "sendmmsg", "sendmsg",
        "sendto", "setfsgid", "setfsgid32", "setfsuid", "setfsuid32", "setgid", "setgid32", "setgroups",
        "setgroups32", "setitimer", "setpgid", "setpriority", "setregid", "setregid32", "setresgid",
        "setresgid32", "setresuid", "setresuid32", "setreuid", "setreuid32", "setrlimit", "set_robust_list",
        "setsid", "setsockopt", "set_thread_area", "set_tid_address", "setuid", "setuid32", "setxattr",
        "shmat", "shmctl", "shmdt", "shmget", "shutdown", "sigaltstack", "signalfd", "signalfd4",
        "sigprocmask", "sigreturn", "socketcall", "socketpair", "splice", "stat", "stat64", "statfs",
        "statfs64", "statx", "symlink", "symlinkat", "sync", "sync_file_range", "syncfs", "sysinfo", "tee",
        "tgkill", "time", "timer_create", "timer_delete", "timer_getoverrun", "timer_gettime",
        "timer_gettime64", "timer_settime", "timer_settime64", "timerfd_create", "timerfd_gettime",
        "timerfd_gettime64", "timerfd_settime", "timerfd_settime64", "times", "tkill", "truncate",
        "truncate64", "ugetrlimit", "umask", "uname", "unlink", "unlinkat", "utime", "utimensat",
        "utimensat_time64", "utimes", "vfork", "vmsplice", "wait4", "waitid", "waitpid", "write", "writev",
};
/* clang-format on */
static const char *const ptrace_names[] = {"process_vm_readv", "process_vm_writev", "ptrace"};
static const char *const socket_name[] = {"socket"};
static const char *const personality_name[] = {"personality"};
static const char *const ppc64le_names[] = {"sync_file_range2", "swapcontext"};
static const char *const arm_names[] = {"arm_fadvise64_64", "arm_sync_file_range", "sync_file_range2",
                                        "breakpoint",       "cacheflush",          "set_tls"};
static const char *const arch_prctl_name[] = {"arch_prctl"};
static const char *const modify_ldt_name[] = {"modify_ldt"};
static const char *const s390_names[] = {"s390_pci_mmio_read", "s390_pci_mmio_write", "s390_runtime_instr"};
static const char *const riscv_names[] = {"riscv_flush_icache"};
static const char *const dac_read_search_names[] = {"open_by_handle_at"};
static const char *const sys_admin_names[] = {
        "bpf",       "clone",           "clone3",         "fanotify_init", "fsconfig",      "fsmount",
        "fsopen",    "fspick",          "lookup_dcookie", "mount",         "mount_setattr", "move_mount",
        "open_tree", "perf_event_open", "quotactl",       "quotactl_fd",   "setdomainname", "sethostname",
        "setns",     "syslog",          "umount",         "umount2",       "unshare"};
static const char *const clone_name[] = {"clone"};
static const char *const clone3_name[] = {"clone3"};
static const char *const reboot_name[] = {"reboot"};
static const char *const chroot_name[] = {"chroot"};
static const char *const module_names[] = {"delete_module", "init_module", "finit_module"};
static const char *const acct_name[] = {"acct"};
static const char *const sys_ptrace_names[] = {
        "kcmp", "pidfd_getfd", "process_madvise", "process_vm_readv", "process_vm_writev", "ptrace"};
static const char *const rawio_names[] = {"iopl", "ioperm"};
static const char *const time_names[] = {"settimeofday", "stime", "clock_settime", "clock_settime64"};
static const char *const tty_config_names[] = {"vhangup"};
static const char *const nice_names[] = {"get_mempolicy", "mbind", "set_mempolicy",
                                         "set_mempolicy_home_node"};
static const char *const syslog_name[] = {"syslog"};
static const char *const bpf_name[] = {"bpf"};
static const char *const perf_name[] = {"perf_event_open"};

#define NS_FLAGS                                                                                             \
        (CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET |           \
         CLONE_NEWCGROUP)

static const ctr_sc_rule default_rules[] = {
        {NAMES(allow_always), .action = CTR_SC_ALLOW},
        {NAMES(ptrace_names), .action = CTR_SC_ALLOW, .includes = {.min_kernel = {4, 8}}},
        {NAMES(socket_name), .action = CTR_SC_ALLOW, ARG({0, AF_VSOCK, 0, CTR_SC_NE})},
        /* PER_LINUX, UNAME26, PER_LINUX32, UNAME26|PER_LINUX32, and the query */
        {NAMES(personality_name), .action = CTR_SC_ALLOW, ARG({0, 0x0, 0, CTR_SC_EQ})},
        {NAMES(personality_name), .action = CTR_SC_ALLOW, ARG({0, 0x0008, 0, CTR_SC_EQ})},
        {NAMES(personality_name), .action = CTR_SC_ALLOW, ARG({0, 0x20000, 0, CTR_SC_EQ})},
        {NAMES(personality_name), .action = CTR_SC_ALLOW, ARG({0, 0x20008, 0, CTR_SC_EQ})},
        {NAMES(personality_name), .action = CTR_SC_ALLOW, ARG({0, 0xffffffff, 0, CTR_SC_EQ})},
        {NAMES(ppc64le_names), .action = CTR_SC_ALLOW, .includes = {ARCHES("ppc64le")}},
        {NAMES(arm_names), .action = CTR_SC_ALLOW, .includes = {ARCHES("arm", "arm64")}},
        {NAMES(arch_prctl_name), .action = CTR_SC_ALLOW, .includes = {ARCHES("amd64", "x32")}},
        {NAMES(modify_ldt_name), .action = CTR_SC_ALLOW, .includes = {ARCHES("amd64", "x32", "x86")}},
        {NAMES(s390_names), .action = CTR_SC_ALLOW, .includes = {ARCHES("s390", "s390x")}},
        {NAMES(riscv_names), .action = CTR_SC_ALLOW, .includes = {ARCHES("riscv64")}},
        {NAMES(dac_read_search_names), .action = CTR_SC_ALLOW,
         .includes = {.caps = CAP(CAP_DAC_READ_SEARCH)}},
        {NAMES(sys_admin_names), .action = CTR_SC_ALLOW, .includes = {.caps = CAP(CAP_SYS_ADMIN)}},
        /* without CAP_SYS_ADMIN: threads and processes, no new namespaces (s390 swaps clone's arguments) */
        {NAMES(clone_name), .action = CTR_SC_ALLOW, ARG({0, NS_FLAGS, 0, CTR_SC_MASKED_EQ}),
         .excludes = {.caps = CAP(CAP_SYS_ADMIN), ARCHES("s390", "s390x")}},
        {NAMES(clone_name), .action = CTR_SC_ALLOW, ARG({1, NS_FLAGS, 0, CTR_SC_MASKED_EQ}),
         .includes = {ARCHES("s390", "s390x")}, .excludes = {.caps = CAP(CAP_SYS_ADMIN)}},
        /* clone3's flags are in memory, where BPF cannot look: ENOSYS makes libc fall back to clone */
        {NAMES(clone3_name), .action = CTR_SC_ERRNO, .ret = ENOSYS, .excludes = {.caps = CAP(CAP_SYS_ADMIN)}},
        {NAMES(reboot_name), .action = CTR_SC_ALLOW, .includes = {.caps = CAP(CAP_SYS_BOOT)}},
        {NAMES(chroot_name), .action = CTR_SC_ALLOW, .includes = {.caps = CAP(CAP_SYS_CHROOT)}},
        {NAMES(module_names), .action = CTR_SC_ALLOW, .includes = {.caps = CAP(CAP_SYS_MODULE)}},
        {NAMES(acct_name), .action = CTR_SC_ALLOW, .includes = {.caps = CAP(CAP_SYS_PACCT)}},
        {NAMES(sys_ptrace_names), .action = CTR_SC_ALLOW, .includes = {.caps = CAP(CAP_SYS_PTRACE)}},
        {NAMES(rawio_names), .action = CTR_SC_ALLOW, .includes = {.caps = CAP(CAP_SYS_RAWIO)}},
        {NAMES(time_names), .action = CTR_SC_ALLOW, .includes = {.caps = CAP(CAP_SYS_TIME)}},
        {NAMES(tty_config_names), .action = CTR_SC_ALLOW, .includes = {.caps = CAP(CAP_SYS_TTY_CONFIG)}},
        {NAMES(nice_names), .action = CTR_SC_ALLOW, .includes = {.caps = CAP(CAP_SYS_NICE)}},
        {NAMES(syslog_name), .action = CTR_SC_ALLOW, .includes = {.caps = CAP(CAP_SYSLOG)}},
        {NAMES(bpf_name), .action = CTR_SC_ALLOW, .includes = {.caps = CAP(CAP_BPF)}},
        {NAMES(perf_name), .action = CTR_SC_ALLOW, .includes = {.caps = CAP(CAP_PERFMON)}},
};

static const ctr_sc_profile default_profile = {
        .name = "default",
        .default_action = CTR_SC_ERRNO,
        .default_ret = EPERM,
        .arches = native_arches,
        .n_arches = ELEMENTSOF(native_arches),
        .rules = default_rules,
        .n_rules = ELEMENTSOF(default_rules),
};

const ctr_sc_profile *ctr_seccomp_default(void) {
        return &default_profile;
}

/* ---- names ---- */

static const struct {
        const char *name;
        ctr_sc_action action;
} action_names[] = {
        {"SCMP_ACT_KILL", CTR_SC_KILL_THREAD},
        {"SCMP_ACT_KILL_THREAD", CTR_SC_KILL_THREAD},
        {"SCMP_ACT_KILL_PROCESS", CTR_SC_KILL_PROCESS},
        {"SCMP_ACT_TRAP", CTR_SC_TRAP},
        {"SCMP_ACT_ERRNO", CTR_SC_ERRNO},
        {"SCMP_ACT_TRACE", CTR_SC_TRACE},
        {"SCMP_ACT_LOG", CTR_SC_LOG},
        {"SCMP_ACT_ALLOW", CTR_SC_ALLOW},
};
static const char *const op_names[] = {
        [CTR_SC_NE] = "SCMP_CMP_NE",
        [CTR_SC_LT] = "SCMP_CMP_LT",
        [CTR_SC_LE] = "SCMP_CMP_LE",
        [CTR_SC_EQ] = "SCMP_CMP_EQ",
        [CTR_SC_GE] = "SCMP_CMP_GE",
        [CTR_SC_GT] = "SCMP_CMP_GT",
        [CTR_SC_MASKED_EQ] = "SCMP_CMP_MASKED_EQ",
};
static const struct {
        const char *name;
        unsigned flag;
} flag_names[] = {
        {"SECCOMP_FILTER_FLAG_LOG", SECCOMP_FILTER_FLAG_LOG},
        {"SECCOMP_FILTER_FLAG_SPEC_ALLOW", SECCOMP_FILTER_FLAG_SPEC_ALLOW},
};

static const char *action_name(ctr_sc_action a) {
        for (size_t i = 0; i < ELEMENTSOF(action_names); i++)
                if (action_names[i].action == a && strcmp(action_names[i].name, "SCMP_ACT_KILL"))
                        return action_names[i].name;
        return "?";
}

static uint32_t scmp_action(ctr_sc_action a, unsigned ret) {
        switch (a) {
        case CTR_SC_KILL_THREAD:
                return SCMP_ACT_KILL_THREAD;
        case CTR_SC_KILL_PROCESS:
                return SCMP_ACT_KILL_PROCESS;
        case CTR_SC_TRAP:
                return SCMP_ACT_TRAP;
        case CTR_SC_ERRNO:
                return SCMP_ACT_ERRNO(ret);
        case CTR_SC_TRACE:
                return SCMP_ACT_TRACE(ret);
        case CTR_SC_LOG:
                return SCMP_ACT_LOG;
        case CTR_SC_ALLOW:
                return SCMP_ACT_ALLOW;
        }
        return SCMP_ACT_KILL_PROCESS;
}

/* "SCMP_ARCH_X86_64" -> libseccomp's token, 0 if it does not know it */
static uint32_t scmp_arch(const char *oci) {
        if (!strcmp(oci, "SCMP_ARCH_NATIVE"))
                return seccomp_arch_native();
        if (strncmp(oci, "SCMP_ARCH_", 10))
                return 0;
        char low[32];
        size_t i = 0;
        for (const char *p = oci + 10; *p && i + 1 < sizeof(low); p++)
                low[i++] = (char)tolower((unsigned char)*p);
        low[i] = '\0';
        return seccomp_arch_resolve_name(low);
}

/* ---- when a rule applies ---- */

static void kernel_version(unsigned ret[2]) {
        static unsigned v[2];
        static bool done;
        if (!done) {
                struct utsname u;
                if (uname(&u) == 0)
                        sscanf(u.release, "%u.%u", &v[0], &v[1]);
                done = true;
        }
        ret[0] = v[0];
        ret[1] = v[1];
}

static bool has_arch(const ctr_sc_cond *c, const char *arch) {
        for (size_t i = 0; i < c->n_arches; i++)
                if (!strcmp(c->arches[i], arch))
                        return true;
        return false;
}

/* Docker's rules: includes need every cap and one of the arches; excludes drop on any cap or arch. */
static bool rule_applies(const ctr_sc_rule *r, uint64_t caps) {
        if ((r->excludes.caps & caps) || has_arch(&r->excludes, NATIVE_GO))
                return false;
        if (r->includes.unknown_cap || (r->includes.caps & caps) != r->includes.caps)
                return false;
        if (r->includes.n_arches && !has_arch(&r->includes, NATIVE_GO))
                return false;
        if (r->includes.min_kernel[0]) {
                unsigned k[2];
                kernel_version(k);
                if (k[0] < r->includes.min_kernel[0] ||
                    (k[0] == r->includes.min_kernel[0] && k[1] < r->includes.min_kernel[1]))
                        return false;
        }
        return true;
}

/* ---- compiling ---- */

static void release_ctx(scmp_filter_ctx *ctx) {
        if (*ctx)
                seccomp_release(*ctx);
}

/* runc's rule: args on distinct indexes must all hold; several on one index are alternatives */
static int add_rule(scmp_filter_ctx ctx, uint32_t act, int nr, const ctr_sc_rule *r) {
        struct scmp_arg_cmp cmp[6];
        bool same_index = false;
        for (size_t i = 0; i < r->n_args && i < 6; i++) {
                cmp[i] = (struct scmp_arg_cmp){r->args[i].index, (enum scmp_compare)r->args[i].op,
                                               r->args[i].value, r->args[i].value_two};
                for (size_t j = 0; j < i; j++)
                        same_index |= r->args[j].index == r->args[i].index;
        }
        if (!same_index)
                return seccomp_rule_add_array(ctx, act, nr, (unsigned)r->n_args, cmp);
        for (size_t i = 0; i < r->n_args; i++) {
                int e = seccomp_rule_add_array(ctx, act, nr, 1, &cmp[i]);
                if (e < 0)
                        return e;
        }
        return 0;
}

/* s holds the line `line` (whole, at a line's start) */
static bool config_has(const char *s, const char *line) {
        size_t n = strlen(line);
        for (const char *q = s; (q = strstr(q, line)); q += n)
                if ((q == s || q[-1] == '\n') && (q[n] == '\n' || q[n] == '\0'))
                        return true;
        return false;
}

/* zlib's gzip file API (stable since zlib 1.0), loaded for a compile only: bench links no zlib */
typedef struct gz_file_s *gz_file;
typedef struct zlib_api {
        gz_file (*gzopen)(const char *path, const char *mode);
        int (*gzread)(gz_file f, void *buf, unsigned len);
        int (*gzclose)(gz_file f);
} zlib_api;

/* The decompressed file, NULL if it cannot be read whole (no file, no zlib, out of memory). */
static char *read_gzip_file(const char *path) {
        static zlib_api z;
        static const bench_dl_sym syms[] = {BENCH_DL_SYM(zlib_api, gzopen),
                                            BENCH_DL_SYM(zlib_api, gzread),
                                            BENCH_DL_SYM(zlib_api, gzclose),
                                            {NULL}};
        static bench_dl dl = {
                .what = "zlib", .soname = "libz.so.1", .package = "zlib1g", .syms = syms, .table = &z};
        if (bench_dl_load(&dl, NULL) < 0)
                return NULL;
        gz_file f = z.gzopen(path, "rbe");
        char *buf = NULL;
        size_t len = 0, cap = 0;
        bool ok = f != NULL;
        for (int n = 1; ok && n > 0; len += (size_t)n) {
                if (cap - len < 65536) {
                        char *nb = realloc(buf, cap += 262144);
                        if (!nb) {
                                ok = false;
                                break;
                        }
                        buf = nb;
                }
                n = z.gzread(f, buf + len, (unsigned)(cap - len - 1));
                ok = n >= 0;
        }
        if (f)
                z.gzclose(f);
        if (!ok) {
                free(buf);
                return NULL;
        }
        buf[len] = '\0';
        return buf;
}

/*
 * Whether this kernel has the x32 ABI: 1 yes, 0 no, -1 unknown. Its build
 * config is the one place that says so without trying an x32 syscall (which
 * a filter around bench itself may answer by killing it): /boot/config-R,
 * else /proc/config.gz. A kernel built with x32 may still have it off at
 * boot (Debian's syscall.x32=n): that counts as having it. Asked on a cache
 * miss only; cache_path() keys the program by the kernel's build (uname's
 * release and version), whose config does not change.
 */
int ctr_seccomp_x32_abi(void) {
        static int known = -2;
        if (known != -2)
                return known;
        struct utsname u;
        char path[128];
        _cleanup_free_ char *text = NULL;
        size_t len;
        if (uname(&u) == 0 &&
            (size_t)snprintf(path, sizeof(path), "/boot/config-%s", u.release) < sizeof(path))
                bench_read_file(path, &text, &len, NULL);
        if (!text)
                text = read_gzip_file("/proc/config.gz");
        if (!text || !config_has(text, "CONFIG_X86_64=y"))
                known = -1;
        else
                known = config_has(text, "CONFIG_X86_X32_ABI=y") || config_has(text, "CONFIG_X86_X32=y");
        return known;
}

static int compile(const ctr_sc_profile *p, uint64_t caps, struct sock_fprog *ret, bench_error **err) {
        uint32_t def = scmp_action(p->default_action, p->default_ret);
        _cleanup_(release_ctx) scmp_filter_ctx ctx = seccomp_init(def);
        if (!ctx)
                return bench_error_set(err, ENOMEM, "seccomp profile %s: libseccomp cannot start a filter",
                                       p->name);
        /*
         * a binary tree of syscall numbers instead of a chain: the kernel runs the
         * filter for every syscall number when it is installed (to cache the
         * always-allowed ones), 0.73 -> 0.25 ms per container for the default
         */
        seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);
        for (size_t i = 0; i < p->n_arches; i++) {
                uint32_t a = scmp_arch(p->arches[i]);
                /*
                 * no x32 branch where the kernel has no x32 ABI: a third of
                 * Docker's program for x86_64, x86 and x32 (1227 -> 855
                 * instructions), and the install's time is about its length.
                 * An x32 syscall then meets the bad-arch action (the thread is
                 * killed) instead of the kernel's ENOSYS: stricter, and no x32
                 * program runs on such a kernel anyway.
                 */
                if (a == SCMP_ARCH_X32 && a != seccomp_arch_native() && ctr_seccomp_x32_abi() == 0)
                        continue;
                int e = a ? seccomp_arch_add(ctx, a) : -EINVAL;
                if (e < 0 && e != -EEXIST)
                        return bench_error_set(
                                err, EINVAL,
                                "seccomp profile %s: architectures[%zu] `%s` is not one libseccomp "
                                "%u.%u knows (e.g. SCMP_ARCH_X86_64)",
                                p->name, i, p->arches[i], seccomp_version()->major, seccomp_version()->minor);
        }
        for (size_t i = 0; i < p->n_rules; i++) {
                const ctr_sc_rule *r = &p->rules[i];
                if (!rule_applies(r, caps))
                        continue;
                uint32_t act = scmp_action(r->action, r->ret);
                /* libseccomp refuses a rule that does what the default does */
                if (act == def)
                        continue;
                for (size_t j = 0; j < r->n_names; j++) {
                        int nr = seccomp_syscall_resolve_name(r->names[j]);
                        /* a name this arch or libseccomp does not know: skipped, as Docker does */
                        if (nr == __NR_SCMP_ERROR)
                                continue;
                        int e = add_rule(ctx, act, nr, r);
                        if (e < 0)
                                return bench_error_errno(err, -e,
                                                         "seccomp profile %s: syscalls[%zu] `%s`: libseccomp "
                                                         "refuses the rule",
                                                         p->name, i, r->names[j]);
                }
        }
        _cleanup_close_ int fd = memfd_create("bench-seccomp", MFD_CLOEXEC);
        if (fd < 0)
                return bench_error_errno(err, errno, "seccomp: memfd_create");
        int e = seccomp_export_bpf(ctx, fd);
        if (e < 0)
                return bench_error_errno(err, -e, "seccomp profile %s: exporting the filter", p->name);
        off_t len = lseek(fd, 0, SEEK_END);
        if (len <= 0 || len % (off_t)sizeof(struct sock_filter) ||
            len / (off_t)sizeof(struct sock_filter) > 65535)
                return bench_error_set(err, EINVAL, "seccomp profile %s: the exported filter has %lld bytes",
                                       p->name, (long long)len);
        struct sock_filter *f = malloc((size_t)len);
        if (!f)
                return bench_error_set(err, ENOMEM, "out of memory");
        if (bench_pread_all(fd, f, (size_t)len, 0) != (ssize_t)len) {
                free(f);
                return bench_error_errno(err, errno ? errno : EIO, "seccomp: reading the exported filter");
        }
        size_t n = (size_t)len / sizeof(struct sock_filter);
        /*
         * the same policy in fewer instructions (installing costs ~0.2 us per
         * instruction at every start), used only where it agrees with
         * libseccomp's program on every case the two tell apart
         */
        struct sock_filter *s;
        size_t s_len;
        if (ctr_bpf_shorten(f, n, &s, &s_len) == 0) {
                if (s_len < n && ctr_bpf_agree(f, n, s, s_len)) {
                        free(f);
                        f = s;
                        n = s_len;
                } else
                        free(s);
        }
        *ret = (struct sock_fprog){.len = (unsigned short)n, .filter = f};
        return 0;
}

/*
 * Compiling Docker's profile for x86_64, x86 and x32 takes libseccomp ~20 ms,
 * more than a whole container start: the program is kept in bench's cache,
 * named by the sha256 of everything it is made from (the resolved profile
 * and libseccomp's version) and checked against its own sha256 when read.
 */
static void fp_bytes(bench_sha256 *h, const void *data, size_t len) {
        bench_sha256_update(h, &len, sizeof(len));
        bench_sha256_update(h, data, len);
}
#define FP(h, v) fp_bytes(h, &(v), sizeof(v))

static void fp_str(bench_sha256 *h, const char *str) {
        fp_bytes(h, str ? str : "", str ? strlen(str) + 1 : 0);
}

static void fp_cond(bench_sha256 *h, const ctr_sc_cond *c) {
        FP(h, c->caps);
        FP(h, c->unknown_cap);
        FP(h, c->n_arches);
        for (size_t i = 0; i < c->n_arches; i++)
                fp_str(h, c->arches[i]);
        FP(h, c->min_kernel);
}

/*
 * The cache key: everything the program is made from — the profile's
 * rules field by field, the capabilities, what the rules' conditions are
 * resolved against (this machine's architecture and kernel build, whose
 * config says whether x32 is there) and libseccomp's version. Hashed from the
 * structure itself: rendering the profile as JSON first cost every
 * container start 0.15 ms.
 */
static int cache_path(const ctr_sc_profile *p, uint64_t caps, char **ret, bench_error **err) {
        _cleanup_free_ char *dir = NULL;
        int r;
        const struct scmp_version *v = seccomp_version();
        struct utsname u;
        if (uname(&u) < 0)
                return bench_error_errno(err, errno, "uname");
        char head[96], hex[65];
        int n = snprintf(head, sizeof(head), "bench-seccomp 4 libseccomp %u.%u.%u optimize 2 shortener 1\n",
                         v->major, v->minor, v->micro);
        bench_sha256 h;
        bench_sha256_init(&h);
        fp_bytes(&h, head, (size_t)n);
        fp_str(&h, u.machine);
        fp_str(&h, u.release);
        /* the kernel's build, whose config says whether x32 is compiled in (ctr_seccomp_x32_abi) */
        fp_str(&h, u.version);
        FP(&h, caps);
        FP(&h, p->default_action);
        FP(&h, p->default_ret);
        FP(&h, p->flags);
        FP(&h, p->n_arches);
        for (size_t i = 0; i < p->n_arches; i++)
                fp_str(&h, p->arches[i]);
        FP(&h, p->n_rules);
        for (size_t i = 0; i < p->n_rules; i++) {
                const ctr_sc_rule *rule = &p->rules[i];
                FP(&h, rule->n_names);
                for (size_t k = 0; k < rule->n_names; k++)
                        fp_str(&h, rule->names[k]);
                FP(&h, rule->action);
                FP(&h, rule->ret);
                FP(&h, rule->n_args);
                for (size_t k = 0; k < rule->n_args; k++) {
                        FP(&h, rule->args[k].index);
                        FP(&h, rule->args[k].value);
                        FP(&h, rule->args[k].value_two);
                        FP(&h, rule->args[k].op);
                }
                fp_cond(&h, &rule->includes);
                fp_cond(&h, &rule->excludes);
        }
        bench_sha256_final_hex(&h, hex);
        if ((r = bench_cache_dir(&dir, err)) < 0)
                return r;
        if (asprintf(ret, "%s/seccomp-%s.bpf", dir, hex) < 0)
                return bench_error_set(err, ENOMEM, "out of memory");
        return 0;
}

/* The file: the program's sha256, then the program. */
static int cache_read(const char *path, struct sock_fprog *ret) {
        _cleanup_free_ char *data = NULL;
        size_t len = 0;
        if (bench_read_file(path, &data, &len, NULL) < 0 || len <= 32 ||
            (len - 32) % sizeof(struct sock_filter) || (len - 32) / sizeof(struct sock_filter) > 65535)
                return -ENOENT;
        uint8_t d[32];
        bench_sha256 h;
        bench_sha256_init(&h);
        bench_sha256_update(&h, data + 32, len - 32);
        bench_sha256_final(&h, d);
        if (memcmp(d, data, 32))
                return -EBADMSG;
        struct sock_filter *f = malloc(len - 32);
        if (!f)
                return -ENOMEM;
        memcpy(f, data + 32, len - 32);
        *ret = (struct sock_fprog){.len = (unsigned short)((len - 32) / sizeof(struct sock_filter)),
                                   .filter = f};
        return 0;
}

static void cache_write(const char *path, const struct sock_fprog *prog) {
        size_t n = prog->len * sizeof(struct sock_filter);
        _cleanup_free_ uint8_t *data = malloc(32 + n);
        if (!data)
                return;
        bench_sha256 h;
        bench_sha256_init(&h);
        bench_sha256_update(&h, prog->filter, n);
        bench_sha256_final(&h, data);
        memcpy(data + 32, prog->filter, n);
        /* a cache that cannot be written only costs the next process the compile */
        bench_write_file_atomic(path, (const char *)data, 32 + n, NULL);
}

static int compile_cached(const ctr_sc_profile *p, uint64_t caps, struct sock_fprog *ret, bench_error **err) {
        _cleanup_free_ char *path = NULL;
        if (cache_path(p, caps, &path, NULL) == 0 && cache_read(path, ret) == 0)
                return 0;
        int r = compile(p, caps, ret, err);
        if (r == 0 && path)
                cache_write(path, ret);
        return r;
}

/* ---- the JSON reader ---- */

/* A parsed profile's memory: the document (names point into it) and every array. */
typedef struct owned {
        cJSON *doc;
        void **blocks;
        size_t n_blocks;
} owned;

static void *own(ctr_sc_profile *p, size_t n, size_t size) {
        owned *o = p->owned;
        void *b = calloc(n ? n : 1, size);
        void **nb = b ? realloc(o->blocks, (o->n_blocks + 1) * sizeof(void *)) : NULL;
        if (!nb) {
                free(b);
                return NULL;
        }
        o->blocks = nb;
        o->blocks[o->n_blocks++] = b;
        return b;
}

void ctr_seccomp_free(ctr_sc_profile *p) {
        if (!p)
                return;
        owned *o = p->owned;
        if (o) {
                for (size_t i = 0; i < o->n_blocks; i++)
                        free(o->blocks[i]);
                free(o->blocks);
                cJSON_Delete(o->doc);
                free(o);
        }
        free((char *)p->name);
        free(p);
}

static void ctr_seccomp_freep(ctr_sc_profile **p) {
        ctr_seccomp_free(*p);
}

/* Every message: "seccomp profile PATH: FIELD: what is wrong (the fix)". */
#define BAD(field, ...) bad(err, path, field, __VA_ARGS__)
static int bad(bench_error **err, const char *path, const char *field, const char *fmt, ...)
        __attribute__((format(printf, 4, 5)));
static int bad(bench_error **err, const char *path, const char *field, const char *fmt, ...) {
        char msg[512];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, sizeof(msg), fmt, ap);
        va_end(ap);
        return bench_error_set(err, EINVAL, "seccomp profile %s: %s: %s", path, field, msg);
}

static int parse_action(const char *path, const char *field, const cJSON *v, ctr_sc_action *ret,
                        bench_error **err) {
        if (!cJSON_IsString(v))
                return BAD(field, "expected a string such as \"SCMP_ACT_ERRNO\"");
        for (size_t i = 0; i < ELEMENTSOF(action_names); i++)
                if (!strcmp(v->valuestring, action_names[i].name)) {
                        *ret = action_names[i].action;
                        return 0;
                }
        if (!strcmp(v->valuestring, "SCMP_ACT_NOTIFY"))
                return BAD(field,
                           "SCMP_ACT_NOTIFY needs a listener, which bench does not run: use another action");
        return BAD(
                field,
                "unknown action `%s` (SCMP_ACT_ALLOW, SCMP_ACT_ERRNO, SCMP_ACT_KILL, SCMP_ACT_KILL_PROCESS, "
                "SCMP_ACT_KILL_THREAD, SCMP_ACT_TRAP, SCMP_ACT_TRACE or SCMP_ACT_LOG)",
                v->valuestring);
}

/* A non-negative integer up to max (JSON numbers are doubles: exact only up to 2^53). */
static int parse_uint(const char *path, const char *field, const cJSON *v, uint64_t max, uint64_t *ret,
                      bench_error **err) {
        if (cJSON_IsNumber(v) && v->valuedouble >= 9007199254740992.0)
                return BAD(field, "%.0f is past 2^53, which JSON numbers cannot hold exactly",
                           v->valuedouble);
        if (!cJSON_IsNumber(v) || v->valuedouble < 0 || v->valuedouble > (double)max ||
            v->valuedouble != (double)(uint64_t)v->valuedouble)
                return BAD(field, "expected an integer from 0 to %llu", (unsigned long long)max);
        *ret = (uint64_t)v->valuedouble;
        return 0;
}

static const cJSON *field_of(const cJSON *o, const char *key) {
        return cJSON_GetObjectItemCaseSensitive(o, key);
}

/* An array of strings (or null) into a NULL-free const char* array that points into the document. */
static int parse_strings(ctr_sc_profile *p, const char *path, const char *field, const cJSON *v,
                         const char *const **ret, size_t *ret_n, bench_error **err) {
        *ret = NULL;
        *ret_n = 0;
        if (!v || cJSON_IsNull(v))
                return 0;
        if (!cJSON_IsArray(v))
                return BAD(field, "expected an array of strings");
        size_t n = (size_t)cJSON_GetArraySize(v), i = 0;
        const char **a = own(p, n, sizeof(char *));
        if (!a)
                return bench_error_set(err, ENOMEM, "out of memory");
        const cJSON *s;
        cJSON_ArrayForEach(s, v) {
                if (!cJSON_IsString(s) || !*s->valuestring) {
                        char f[320];
                        snprintf(f, sizeof(f), "%s[%zu]", field, i);
                        return BAD(f, "expected a non-empty string");
                }
                a[i++] = s->valuestring;
        }
        *ret = a;
        *ret_n = n;
        return 0;
}

static int parse_caps(const char *path, const char *field, const cJSON *v, ctr_sc_cond *c,
                      bench_error **err) {
        if (!v || cJSON_IsNull(v))
                return 0;
        if (!cJSON_IsArray(v))
                return BAD(field, "expected an array of capability names such as \"CAP_SYS_ADMIN\"");
        size_t i = 0;
        const cJSON *s;
        cJSON_ArrayForEach(s, v) {
                char f[320];
                snprintf(f, sizeof(f), "%s[%zu]", field, i++);
                if (!cJSON_IsString(s))
                        return BAD(f, "expected a capability name such as \"CAP_SYS_ADMIN\"");
                char low[64];
                size_t n = 0;
                for (const char *q = s->valuestring; *q && n + 1 < sizeof(low); q++)
                        low[n++] = (char)tolower((unsigned char)*q);
                low[n] = '\0';
                cap_value_t cv;
                /* a capability newer than libcap: never held here, as Docker treats a name it lacks */
                if (cap_from_name(low, &cv) < 0 || cv < 0 || cv >= 64)
                        c->unknown_cap = true;
                else
                        c->caps |= 1ull << cv;
        }
        return 0;
}

static int parse_cond(ctr_sc_profile *p, const char *path, const char *field, const cJSON *v, bool includes,
                      ctr_sc_cond *c, bench_error **err) {
        if (!v || cJSON_IsNull(v))
                return 0;
        if (!cJSON_IsObject(v))
                return BAD(field, "expected an object with caps, arches%s", includes ? " or minKernel" : "");
        char f[256];
        snprintf(f, sizeof(f), "%s.caps", field);
        int r = parse_caps(path, f, field_of(v, "caps"), c, err);
        if (r < 0)
                return r;
        snprintf(f, sizeof(f), "%s.arches", field);
        if ((r = parse_strings(p, path, f, field_of(v, "arches"), &c->arches, &c->n_arches, err)) < 0)
                return r;
        const cJSON *mk = field_of(v, "minKernel");
        if (mk && !cJSON_IsNull(mk)) {
                snprintf(f, sizeof(f), "%s.minKernel", field);
                if (!includes)
                        return BAD(f, "only includes may name a minimum kernel");
                if (!cJSON_IsString(mk) ||
                    sscanf(mk->valuestring, "%u.%u", &c->min_kernel[0], &c->min_kernel[1]) != 2)
                        return BAD(f, "expected a version string such as \"4.8\"");
        }
        return 0;
}

static int parse_rule(ctr_sc_profile *p, const char *path, size_t idx, const cJSON *o, ctr_sc_rule *r,
                      bench_error **err) {
        char f[256], base[64];
        snprintf(base, sizeof(base), "syscalls[%zu]", idx);
        if (!cJSON_IsObject(o))
                return BAD(base, "expected an object with names and action");
        static const char *const known[] = {"names", "name",    "action",   "errnoRet",
                                            "args",  "comment", "includes", "excludes"};
        const cJSON *it;
        cJSON_ArrayForEach(it, o) {
                bool ok = false;
                for (size_t i = 0; i < ELEMENTSOF(known); i++)
                        ok |= !strcmp(it->string, known[i]);
                if (!ok) {
                        const char *near = bench_did_you_mean(it->string, known, ELEMENTSOF(known));
                        snprintf(f, sizeof(f), "%s.%s", base, it->string);
                        return BAD(f, "unknown field%s%s%s", near ? " (did you mean `" : "", near ? near : "",
                                   near ? "`?)" : "");
                }
        }
        snprintf(f, sizeof(f), "%s.names", base);
        int rr = parse_strings(p, path, f, field_of(o, "names"), &r->names, &r->n_names, err);
        if (rr < 0)
                return rr;
        const cJSON *name = field_of(o, "name"); /* Docker's older single-name form */
        if (name && !cJSON_IsNull(name)) {
                snprintf(f, sizeof(f), "%s.name", base);
                if (!cJSON_IsString(name) || !*name->valuestring)
                        return BAD(f, "expected a syscall name");
                if (r->n_names)
                        return BAD(f, "give either name or names, not both");
                const char **a = own(p, 1, sizeof(char *));
                if (!a)
                        return bench_error_set(err, ENOMEM, "out of memory");
                a[0] = name->valuestring;
                r->names = a;
                r->n_names = 1;
        }
        if (!r->n_names) {
                snprintf(f, sizeof(f), "%s.names", base);
                return BAD(f, "no syscall named: add \"names\": [\"...\"]");
        }
        snprintf(f, sizeof(f), "%s.action", base);
        if ((rr = parse_action(path, f, field_of(o, "action"), &r->action, err)) < 0)
                return rr;
        const cJSON *ret = field_of(o, "errnoRet");
        uint64_t v = r->action == CTR_SC_ERRNO ? EPERM : 0;
        if (ret && !cJSON_IsNull(ret)) {
                snprintf(f, sizeof(f), "%s.errnoRet", base);
                if (r->action != CTR_SC_ERRNO && r->action != CTR_SC_TRACE)
                        return BAD(f, "only SCMP_ACT_ERRNO and SCMP_ACT_TRACE take a return value");
                if ((rr = parse_uint(path, f, ret, 4095, &v, err)) < 0)
                        return rr;
        }
        r->ret = (unsigned)v;
        const cJSON *args = field_of(o, "args");
        if (args && !cJSON_IsNull(args)) {
                snprintf(f, sizeof(f), "%s.args", base);
                if (!cJSON_IsArray(args))
                        return BAD(f, "expected an array of {index, value, valueTwo, op}");
                size_t n = (size_t)cJSON_GetArraySize(args), i = 0;
                if (n > 6)
                        return BAD(f, "%zu conditions: a syscall has 6 arguments", n);
                ctr_sc_arg *a = own(p, n, sizeof(*a));
                if (!a)
                        return bench_error_set(err, ENOMEM, "out of memory");
                const cJSON *ao;
                cJSON_ArrayForEach(ao, args) {
                        char af[128];
                        snprintf(af, sizeof(af), "%s.args[%zu]", base, i);
                        if (!cJSON_IsObject(ao))
                                return BAD(af, "expected an object {index, value, valueTwo, op}");
                        uint64_t x;
                        snprintf(f, sizeof(f), "%s.index", af);
                        if ((rr = parse_uint(path, f, field_of(ao, "index"), 5, &x, err)) < 0)
                                return rr;
                        a[i].index = (unsigned)x;
                        snprintf(f, sizeof(f), "%s.value", af);
                        if ((rr = parse_uint(path, f, field_of(ao, "value"), UINT64_MAX, &a[i].value, err)) <
                            0)
                                return rr;
                        const cJSON *two = field_of(ao, "valueTwo");
                        snprintf(f, sizeof(f), "%s.valueTwo", af);
                        if (two && (rr = parse_uint(path, f, two, UINT64_MAX, &a[i].value_two, err)) < 0)
                                return rr;
                        const cJSON *op = field_of(ao, "op");
                        snprintf(f, sizeof(f), "%s.op", af);
                        a[i].op = 0;
                        for (size_t k = 1; k < ELEMENTSOF(op_names); k++)
                                if (cJSON_IsString(op) && !strcmp(op->valuestring, op_names[k]))
                                        a[i].op = (ctr_sc_op)k;
                        if (!a[i].op)
                                return BAD(
                                        f,
                                        "expected one of SCMP_CMP_NE, SCMP_CMP_LT, SCMP_CMP_LE, SCMP_CMP_EQ, "
                                        "SCMP_CMP_GE, SCMP_CMP_GT, SCMP_CMP_MASKED_EQ");
                        i++;
                }
                r->args = a;
                r->n_args = n;
        }
        snprintf(f, sizeof(f), "%s.includes", base);
        if ((rr = parse_cond(p, path, f, field_of(o, "includes"), true, &r->includes, err)) < 0)
                return rr;
        snprintf(f, sizeof(f), "%s.excludes", base);
        return parse_cond(p, path, f, field_of(o, "excludes"), false, &r->excludes, err);
}

/* Docker's archMap: the entry for this machine gives its arch and sub-arches; else `architectures`. */
static int parse_arches(ctr_sc_profile *p, const char *path, const cJSON *o, bench_error **err) {
        const cJSON *map = field_of(o, "archMap");
        const char *const *list = NULL;
        size_t n = 0;
        int r = parse_strings(p, path, "architectures", field_of(o, "architectures"), &list, &n, err);
        if (r < 0)
                return r;
        if (map && !cJSON_IsNull(map)) {
                if (!cJSON_IsArray(map))
                        return BAD("archMap", "expected an array of {architecture, subArchitectures}");
                if (n)
                        return BAD("archMap", "give either architectures or archMap, not both");
                size_t i = 0;
                const cJSON *e;
                cJSON_ArrayForEach(e, map) {
                        char f[96];
                        snprintf(f, sizeof(f), "archMap[%zu].architecture", i);
                        const cJSON *a = field_of(e, "architecture");
                        if (!cJSON_IsString(a))
                                return BAD(f, "expected a name such as \"SCMP_ARCH_X86_64\"");
                        if (!scmp_arch(a->valuestring))
                                return BAD(f, "unknown architecture `%s` (e.g. SCMP_ARCH_X86_64)",
                                           a->valuestring);
                        if (scmp_arch(a->valuestring) == seccomp_arch_native()) {
                                const char *const *subs = NULL;
                                size_t ns = 0;
                                snprintf(f, sizeof(f), "archMap[%zu].subArchitectures", i);
                                if ((r = parse_strings(p, path, f, field_of(e, "subArchitectures"), &subs,
                                                       &ns, err)) < 0)
                                        return r;
                                const char **all = own(p, ns + 1, sizeof(char *));
                                if (!all)
                                        return bench_error_set(err, ENOMEM, "out of memory");
                                all[0] = a->valuestring;
                                memcpy(all + 1, subs, ns * sizeof(char *));
                                list = all;
                                n = ns + 1;
                        }
                        i++;
                }
        }
        for (size_t i = 0; i < n; i++)
                if (!scmp_arch(list[i])) {
                        char f[64];
                        snprintf(f, sizeof(f), "%s[%zu]", map ? "archMap" : "architectures", i);
                        return BAD(f, "unknown architecture `%s` (e.g. SCMP_ARCH_X86_64)", list[i]);
                }
        p->arches = list;
        p->n_arches = n;
        return 0;
}

int ctr_seccomp_parse(const char *path, const char *json, ctr_sc_profile **ret, bench_error **err) {
        _cleanup_(ctr_seccomp_freep) ctr_sc_profile *p = calloc(1, sizeof(*p));
        if (!p || !(p->owned = calloc(1, sizeof(owned))) || !(p->name = strdup(path)))
                return bench_error_set(err, ENOMEM, "out of memory");
        owned *o = p->owned;
        o->doc = cJSON_Parse(json);
        if (!o->doc) {
                const char *at = cJSON_GetErrorPtr();
                size_t line = 1;
                for (const char *q = json; at && q < at && *q; q++)
                        line += *q == '\n';
                return bench_error_set(err, EINVAL, "seccomp profile %s:%zu: not valid JSON", path, line);
        }
        const cJSON *root = o->doc;
        /* an OCI config.json's linux.seccomp, or the object itself */
        const cJSON *linux_ = field_of(root, "linux");
        if (cJSON_IsObject(linux_) && cJSON_IsObject(field_of(linux_, "seccomp")))
                root = field_of(linux_, "seccomp");
        if (!cJSON_IsObject(root))
                return BAD("(top level)", "expected an object with defaultAction and syscalls");
        /* a misspelt field would silently weaken the policy: refuse what we do not read */
        static const char *const known[] = {"defaultAction", "defaultErrnoRet", "architectures",
                                            "archMap",       "syscalls",        "flags",
                                            "listenerPath",  "listenerMetadata"};
        const cJSON *it;
        cJSON_ArrayForEach(it, root) {
                bool ok = false;
                for (size_t i = 0; i < ELEMENTSOF(known); i++)
                        ok |= !strcmp(it->string, known[i]);
                if (!ok) {
                        const char *near = bench_did_you_mean(it->string, known, ELEMENTSOF(known));
                        return BAD(it->string, "unknown field%s%s%s", near ? " (did you mean `" : "",
                                   near ? near : "", near ? "`?)" : "");
                }
        }
        int r = parse_action(path, "defaultAction", field_of(root, "defaultAction"), &p->default_action, err);
        if (r < 0)
                return r;
        uint64_t v = p->default_action == CTR_SC_ERRNO ? EPERM : 0;
        const cJSON *dr = field_of(root, "defaultErrnoRet");
        if (dr && !cJSON_IsNull(dr) && (r = parse_uint(path, "defaultErrnoRet", dr, 4095, &v, err)) < 0)
                return r;
        p->default_ret = (unsigned)v;
        if ((r = parse_arches(p, path, root, err)) < 0)
                return r;
        const char *const *flags = NULL;
        size_t nf = 0;
        if ((r = parse_strings(p, path, "flags", field_of(root, "flags"), &flags, &nf, err)) < 0)
                return r;
        for (size_t i = 0; i < nf; i++) {
                unsigned fl = 0;
                for (size_t k = 0; k < ELEMENTSOF(flag_names); k++)
                        if (!strcmp(flags[i], flag_names[k].name))
                                fl = flag_names[k].flag;
                if (!fl) {
                        char f[32];
                        snprintf(f, sizeof(f), "flags[%zu]", i);
                        return BAD(f,
                                   "`%s` is not supported (SECCOMP_FILTER_FLAG_LOG or "
                                   "SECCOMP_FILTER_FLAG_SPEC_ALLOW)",
                                   flags[i]);
                }
                p->flags |= fl;
        }
        const cJSON *sc = field_of(root, "syscalls");
        if (sc && !cJSON_IsNull(sc)) {
                if (!cJSON_IsArray(sc))
                        return BAD("syscalls", "expected an array of {names, action, args}");
                size_t n = (size_t)cJSON_GetArraySize(sc), i = 0;
                ctr_sc_rule *rules = own(p, n, sizeof(*rules));
                if (!rules)
                        return bench_error_set(err, ENOMEM, "out of memory");
                const cJSON *e;
                cJSON_ArrayForEach(e, sc) {
                        if ((r = parse_rule(p, path, i, e, &rules[i], err)) < 0)
                                return r;
                        i++;
                }
                p->rules = rules;
                p->n_rules = n;
        }
        *ret = steal_pointer(&p);
        return 0;
}

/* ---- one load and one compile per process ---- */

typedef struct loaded {
        char *value;
        ctr_sc_profile *profile; /* NULL for default */
        char identity[80];
} loaded;
typedef struct compiled {
        const ctr_sc_profile *profile;
        uint64_t caps;
        struct sock_fprog prog;
} compiled;
static loaded *loads;
static size_t n_loads;
static compiled *progs;
static size_t n_progs;

static const loaded *find_load(const char *value) {
        for (size_t i = 0; i < n_loads; i++)
                if (!strcmp(loads[i].value, value))
                        return &loads[i];
        return NULL;
}

int ctr_seccomp_load(const char *value, const ctr_sc_profile **ret, bench_error **err) {
        if (!value || !strcmp(value, "default")) {
                *ret = &default_profile;
                return 0;
        }
        if (!strcmp(value, "none")) {
                *ret = NULL;
                return 0;
        }
        const loaded *l = find_load(value);
        if (l) {
                *ret = l->profile;
                return 0;
        }
        _cleanup_free_ char *json = NULL;
        size_t len = 0;
        int r = bench_read_file(value, &json, &len, err);
        if (r < 0)
                return bench_error_prefix(err, "seccomp profile (default, none, or a JSON file)");
        _cleanup_(ctr_seccomp_freep) ctr_sc_profile *p = NULL;
        if ((r = ctr_seccomp_parse(value, json, &p, err)) < 0)
                return r;
        loaded *nl = realloc(loads, (n_loads + 1) * sizeof(*loads));
        if (!nl)
                return bench_error_set(err, ENOMEM, "out of memory");
        loads = nl;
        loaded *e = &loads[n_loads];
        if (!(e->value = strdup(value)))
                return bench_error_set(err, ENOMEM, "out of memory");
        char hex[65];
        bench_sha256_hex(json, len, hex);
        snprintf(e->identity, sizeof(e->identity), "sha256:%s", hex);
        e->profile = steal_pointer(&p);
        n_loads++;
        *ret = e->profile;
        return 0;
}

const char *ctr_seccomp_identity(const char *value) {
        if (!value || !strcmp(value, "default"))
                return "default";
        if (!strcmp(value, "none"))
                return "none";
        const loaded *l = find_load(value);
        return l ? l->identity : NULL;
}

int ctr_seccomp_program(const char *value, uint64_t caps, const struct sock_fprog **ret, unsigned *ret_flags,
                        bench_error **err) {
        const ctr_sc_profile *p;
        int r = ctr_seccomp_load(value, &p, err);
        if (r < 0)
                return r;
        if (!p) {
                *ret = NULL;
                *ret_flags = 0;
                return 0;
        }
        for (size_t i = 0; i < n_progs; i++)
                if (progs[i].profile == p && progs[i].caps == caps) {
                        *ret = &progs[i].prog;
                        *ret_flags = p->flags;
                        return 0;
                }
        struct sock_fprog prog;
        if ((r = compile_cached(p, caps, &prog, err)) < 0)
                return r;
        compiled *np = realloc(progs, (n_progs + 1) * sizeof(*progs));
        if (!np) {
                free(prog.filter);
                return bench_error_set(err, ENOMEM, "out of memory");
        }
        progs = np;
        progs[n_progs] = (compiled){p, caps, prog};
        *ret = &progs[n_progs++].prog;
        *ret_flags = p->flags;
        return 0;
}

/* ---- OCI rendering ---- */

static bool put(cJSON *o, const char *k, cJSON *v) {
        if (!v)
                return false;
        cJSON_AddItemToObject(o, k, v);
        return true;
}

static cJSON *strings(const char *const *s, size_t n) {
        cJSON *a = cJSON_CreateArray();
        for (size_t i = 0; a && i < n; i++) {
                cJSON *e = cJSON_CreateString(s[i]);
                if (!e) {
                        cJSON_Delete(a);
                        return NULL;
                }
                cJSON_AddItemToArray(a, e);
        }
        return a;
}

int ctr_seccomp_to_oci(const ctr_sc_profile *p, uint64_t caps, cJSON **ret, bench_error **err) {
        _cleanup_json_ cJSON *o = cJSON_CreateObject();
        cJSON *sc = NULL;
        bool ok = o && put(o, "defaultAction", cJSON_CreateString(action_name(p->default_action))) &&
                  (p->default_action != CTR_SC_ERRNO ||
                   put(o, "defaultErrnoRet", cJSON_CreateNumber(p->default_ret))) &&
                  put(o, "architectures", strings(p->arches, p->n_arches));
        if (ok && p->flags) {
                cJSON *fl = cJSON_CreateArray();
                ok = put(o, "flags", fl);
                for (size_t k = 0; ok && k < ELEMENTSOF(flag_names); k++)
                        if (p->flags & flag_names[k].flag)
                                cJSON_AddItemToArray(fl, cJSON_CreateString(flag_names[k].name));
        }
        ok = ok && put(o, "syscalls", sc = cJSON_CreateArray());
        for (size_t i = 0; ok && i < p->n_rules; i++) {
                const ctr_sc_rule *r = &p->rules[i];
                if (!rule_applies(r, caps))
                        continue;
                cJSON *e = cJSON_CreateObject();
                cJSON_AddItemToArray(sc, e);
                ok = e && put(e, "names", strings(r->names, r->n_names)) &&
                     put(e, "action", cJSON_CreateString(action_name(r->action))) &&
                     ((r->action != CTR_SC_ERRNO && r->action != CTR_SC_TRACE) ||
                      put(e, "errnoRet", cJSON_CreateNumber(r->ret)));
                if (ok && r->n_args) {
                        cJSON *args = cJSON_CreateArray();
                        ok = put(e, "args", args);
                        for (size_t k = 0; ok && k < r->n_args; k++) {
                                cJSON *a = cJSON_CreateObject();
                                cJSON_AddItemToArray(args, a);
                                ok = a && put(a, "index", cJSON_CreateNumber(r->args[k].index)) &&
                                     put(a, "value", cJSON_CreateNumber((double)r->args[k].value)) &&
                                     put(a, "valueTwo", cJSON_CreateNumber((double)r->args[k].value_two)) &&
                                     put(a, "op", cJSON_CreateString(op_names[r->args[k].op]));
                        }
                }
        }
        if (!ok)
                return bench_error_set(err, ENOMEM, "out of memory");
        *ret = steal_pointer(&o);
        return 0;
}
