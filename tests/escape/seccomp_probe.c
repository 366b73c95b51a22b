/* SPDX-License-Identifier: MIT */
/*
 * Tries one thing a container's seccomp filter should refuse and says what
 * happened: "NAME ok" (exit 0) or "NAME refused: ERRNO-NAME" (exit 1);
 * exit 2 for bad usage. Static, so it runs in any layer. The escape tests
 * run it inside bench's containers, with and without the filter.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <linux/keyctl.h>
#include <linux/perf_event.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

static int report(const char *what, long r) {
        if (r >= 0) {
                printf("%s ok\n", what);
                return 0;
        }
        int e = errno;
        const char *name = e == EPERM    ? "EPERM"
                           : e == EACCES ? "EACCES"
                           : e == ENOSYS ? "ENOSYS"
                           : e == EINVAL ? "EINVAL"
                           : e == ENOKEY ? "ENOKEY"
                                         : "other";
        printf("%s refused: %s (%s)\n", what, name, strerror(e));
        return 1;
}

static int write_file(const char *path, const char *s) {
        int fd = open(path, O_WRONLY | O_CLOEXEC);
        if (fd < 0)
                return -1;
        ssize_t n = write(fd, s, strlen(s));
        close(fd);
        return n == (ssize_t)strlen(s) ? 0 : -1;
}

int main(int argc, char **argv) {
        if (argc < 2) {
                fprintf(stderr, "usage: seccomp_probe keyread DESC | addkey DESC | userns-mount | netns | "
                                "perf | bpf | "
                                "userfaultfd | clone3 | mkdir PATH\n");
                return 2;
        }
        const char *w = argv[1];
        if (!strcmp(w, "keyread") && argc == 3) {
                /* the host's root user keyring is this uid's @u when no user namespace separates them */
                long id = syscall(SYS_keyctl, KEYCTL_SEARCH, KEY_SPEC_USER_KEYRING, "user", argv[2], 0);
                if (id < 0)
                        return report("keyread", id);
                char buf[256] = "";
                long n = syscall(SYS_keyctl, KEYCTL_READ, id, buf, sizeof(buf) - 1);
                if (n >= 0)
                        printf("payload=%.*s\n", (int)(n < 255 ? n : 255), buf);
                return report("keyread", n);
        }
        if (!strcmp(w, "addkey") && argc == 3)
                return report("addkey", syscall(SYS_add_key, "user", argv[2], "from-the-container", 18,
                                                KEY_SPEC_USER_KEYRING));
        if (!strcmp(w, "userns-mount")) {
                /* root in a new user namespace owns a new mount namespace: the path to mount */
                uid_t uid = getuid();
                gid_t gid = getgid();
                if (unshare(CLONE_NEWUSER | CLONE_NEWNS) < 0)
                        return report("userns-mount", -1);
                char map[64];
                snprintf(map, sizeof(map), "0 %u 1", (unsigned)uid);
                write_file("/proc/self/setgroups", "deny");
                write_file("/proc/self/uid_map", map);
                snprintf(map, sizeof(map), "0 %u 1", (unsigned)gid);
                write_file("/proc/self/gid_map", map);
                return report("userns-mount", mount("none", "/tmp", "tmpfs", 0, NULL));
        }
        if (!strcmp(w, "netns"))
                return report("netns", unshare(CLONE_NEWUSER | CLONE_NEWNET));
        if (!strcmp(w, "perf")) {
                struct perf_event_attr a;
                memset(&a, 0, sizeof(a));
                a.type = PERF_TYPE_SOFTWARE;
                a.size = sizeof(a);
                a.config = PERF_COUNT_SW_TASK_CLOCK;
                a.exclude_kernel = 1;
                a.exclude_hv = 1;
                return report("perf", syscall(SYS_perf_event_open, &a, 0, -1, -1, 0));
        }
        if (!strcmp(w, "bpf")) {
                union bpf_attr a;
                memset(&a, 0, sizeof(a));
                a.map_type = BPF_MAP_TYPE_ARRAY;
                a.key_size = 4;
                a.value_size = 4;
                a.max_entries = 1;
                return report("bpf", syscall(SYS_bpf, BPF_MAP_CREATE, &a, sizeof(a)));
        }
        if (!strcmp(w, "userfaultfd"))
                return report("userfaultfd", syscall(SYS_userfaultfd, O_CLOEXEC));
        if (!strcmp(w, "clone3")) {
                /* an empty clone_args is invalid: EINVAL means the kernel saw it, ENOSYS the filter */
                char args[88];
                memset(args, 0, sizeof(args));
                return report("clone3", syscall(SYS_clone3, args, 0));
        }
        if (!strcmp(w, "mkdir") && argc == 3)
                return report("mkdir", mkdir(argv[2], 0755));
        fprintf(stderr, "seccomp_probe: unknown probe `%s`\n", w);
        return 2;
}
