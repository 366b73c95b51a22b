/* SPDX-License-Identifier: MIT */
/*
 * A static probe for the escape tests: one attack per verb, run inside a
 * container (or on the host to set the stage). Prints "VERB: ok ..." or
 * "VERB: ERRNAME" and exits 0 when the operation succeeded, 1 when the
 * kernel refused it, 2 on bad usage. Raw syscalls: no libkeyutils.
 */
#ifndef _GNU_SOURCE /* the build passes -D_GNU_SOURCE */
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#define KEY_SPEC_SESSION_KEYRING -3
#define KEYCTL_GET_KEYRING_ID 0
#define KEYCTL_JOIN_SESSION_KEYRING 1
#define KEYCTL_SEARCH 10

static const char *verb;

static int result(int r) {
        if (r < 0) {
                printf("%s: %s\n", verb, strerrorname_np(errno) ? strerrorname_np(errno) : "E?");
                return 1;
        }
        printf("%s: ok\n", verb);
        return 0;
}

static int do_mknod(char **a) {
        mode_t type = a[1][0] == 'b' ? S_IFBLK : S_IFCHR;
        if (mknod(a[0], type | 0600, makedev(atoi(a[2]), atoi(a[3]))) < 0 && errno != EEXIST)
                return -1;
        return 0;
}

/* Opens read-write, or read-only where the device is read-only; reads a byte. */
static int do_open(char **a) {
        int fd = open(a[0], O_RDWR | O_CLOEXEC | O_NONBLOCK);
        if (fd < 0 && (errno == EROFS || errno == EACCES))
                fd = open(a[0], O_RDONLY | O_CLOEXEC | O_NONBLOCK);
        if (fd < 0)
                return -1;
        close(fd);
        return 0;
}

static int do_mknod_open(char **a) {
        if (do_mknod(a) < 0) {
                printf("%s: mknod %s\n", verb, strerrorname_np(errno));
                exit(1);
        }
        return do_open(a);
}

static int do_read(char **a) {
        char buf[512];
        int fd = open(a[0], O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return -1;
        ssize_t n = read(fd, buf, sizeof(buf));
        close(fd);
        return n < 0 ? -1 : 0;
}

/* TIOCSTI each byte of a[1] into fd a[0] (a number) or the tty at path a[0]. */
static int do_tiocsti(char **a) {
        int fd = a[0][0] >= '0' && a[0][0] <= '9' ? atoi(a[0]) : open(a[0], O_RDWR | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return -1;
        for (const char *p = a[1]; *p; p++)
                if (ioctl(fd, TIOCSTI, p) < 0)
                        return -1;
        return 0;
}

static long keyctl(int op, long a2, long a3, long a4, long a5) {
        return syscall(SYS_keyctl, op, a2, a3, a4, a5);
}

static int do_session_keyring(char **a) {
        long id = keyctl(KEYCTL_GET_KEYRING_ID, KEY_SPEC_SESSION_KEYRING, 1, 0, 0);
        if (id < 0)
                return -1;
        printf("%s: id %ld\n", verb, id);
        exit(0);
}

static int do_keysearch(char **a) {
        return keyctl(KEYCTL_SEARCH, KEY_SPEC_SESSION_KEYRING, (long)"user", (long)a[0], 0) < 0 ? -1 : 0;
}

static int do_keyadd(char **a) {
        return syscall(SYS_add_key, "user", a[0], "secret", 6, KEY_SPEC_SESSION_KEYRING) < 0 ? -1 : 0;
}

/* Host side: a fresh session keyring holding key a[0], then exec a[1...]. */
static int do_keysession_exec(char **a) {
        if (keyctl(KEYCTL_JOIN_SESSION_KEYRING, 0, 0, 0, 0) < 0 || do_keyadd(a) < 0)
                return -1;
        execvp(a[1], a + 1);
        return -1;
}

/* Writes 1 MiB blocks until the filesystem refuses; prints the MiB written. */
static int do_fill(char **a) {
        static char block[1 << 20];
        memset(block, 'x', sizeof(block));
        int fd = open(a[0], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        if (fd < 0)
                return -1;
        long mib = 0, limit = a[1] ? atol(a[1]) : 1L << 20;
        for (; mib < limit; mib++) {
                size_t done = 0;
                while (done < sizeof(block)) {
                        ssize_t n = write(fd, block + done, sizeof(block) - done);
                        if (n < 0) {
                                int e = errno;
                                printf("%s: %s after %ld MiB\n", verb, strerrorname_np(e), mib);
                                exit(1);
                        }
                        done += (size_t)n;
                }
        }
        printf("%s: ok %ld MiB\n", verb, mib);
        exit(0);
}

static int do_kill(char **a) {
        return kill(atoi(a[0]), SIGKILL);
}

static int do_ptrace(char **a) {
        return ptrace(PTRACE_ATTACH, atoi(a[0]), 0, 0) < 0 ? -1 : 0;
}

static int do_reboot(char **a) {
        /* CAD off is harmless if it were allowed, and asks for the same CAP_SYS_BOOT */
        return reboot(RB_DISABLE_CAD);
}

static int do_mount(char **a) {
        return mount("none", a[0], "tmpfs", 0, NULL);
}

/*
 * CVE-2014-3519 ("shocker"): open the host filesystem's root inode (ext4:
 * inode 2, a FILEID_INO32_GEN handle) by handle, relative to a mount of it.
 */
static int do_open_by_handle(char **a) {
        struct {
                struct file_handle h;
                unsigned int ino_gen[2];
        } fh = {.h = {.handle_bytes = 8, .handle_type = 1}, .ino_gen = {2, 0}};
        int mnt = open(a[0] ? a[0] : "/", O_RDONLY | O_CLOEXEC);
        if (mnt < 0)
                return -1;
        int fd = open_by_handle_at(mnt, &fh.h, O_RDONLY);
        if (fd < 0)
                return -1;
        close(fd);
        return 0;
}

static int do_writefile(char **a) {
        int fd = open(a[0], O_WRONLY | O_CLOEXEC);
        if (fd < 0)
                return -1;
        ssize_t n = write(fd, a[1], strlen(a[1]));
        close(fd);
        return n < 0 ? -1 : 0;
}

/* Becomes uid a[0], then execs a[1...] (a setuid binary, to see what no_new_privs leaves). */
static int do_dropexec(char **a) {
        uid_t u = (uid_t)atoi(a[0]);
        if (setresgid(u, u, u) < 0 || setresuid(u, u, u) < 0)
                return -1;
        execv(a[1], a + 1);
        return -1;
}

static int do_euid(char **a) {
        printf("%s: %d\n", verb, (int)geteuid());
        exit(0);
}

/* Forks up to a[0] children that wait; prints how many it got. */
static int do_forks(char **a) {
        int want = atoi(a[0]), got = 0, e = 0;
        pid_t kids[4096];
        for (; got < want && got < 4096; got++) {
                pid_t p = fork();
                if (p == 0) {
                        pause();
                        _exit(0);
                }
                if (p < 0) {
                        e = errno;
                        break;
                }
                kids[got] = p;
        }
        for (int i = 0; i < got; i++)
                kill(kids[i], SIGKILL);
        while (wait(NULL) > 0)
                ;
        printf("%s: %d forked%s%s\n", verb, got, e ? " then " : "", e ? strerrorname_np(e) : "");
        exit(got == want ? 0 : 1);
}

static const struct probe {
        const char *verb;
        int nargs; /* at least */
        int (*fn)(char **args);
        const char *usage;
} probes[] = {
        {"mknod", 4, do_mknod, "PATH c|b MAJOR MINOR"},
        {"open", 1, do_open, "PATH"},
        {"mknod_open", 4, do_mknod_open, "PATH c|b MAJOR MINOR"},
        {"read", 1, do_read, "PATH"},
        {"tiocsti", 2, do_tiocsti, "FD|TTY TEXT"},
        {"session_keyring", 0, do_session_keyring, ""},
        {"keysearch", 1, do_keysearch, "DESC"},
        {"keyadd", 1, do_keyadd, "DESC"},
        {"keysession_exec", 2, do_keysession_exec, "DESC CMD..."},
        {"fill", 1, do_fill, "PATH [MAX_MIB]"},
        {"kill", 1, do_kill, "PID"},
        {"ptrace", 1, do_ptrace, "PID"},
        {"reboot", 0, do_reboot, ""},
        {"mount", 1, do_mount, "DIR"},
        {"open_by_handle", 0, do_open_by_handle, "[FILE_ON_THE_MOUNT]"},
        {"writefile", 2, do_writefile, "PATH TEXT"},
        {"dropexec", 2, do_dropexec, "UID SETUID_BINARY [ARG...]"},
        {"euid", 0, do_euid, ""},
        {"forks", 1, do_forks, "N"},
};

int main(int argc, char **argv) {
        setvbuf(stdout, NULL, _IOLBF, 0);
        for (size_t i = 0; argc >= 2 && i < sizeof(probes) / sizeof(probes[0]); i++)
                if (!strcmp(argv[1], probes[i].verb)) {
                        if (argc - 2 < probes[i].nargs) {
                                fprintf(stderr, "usage: %s %s %s\n", argv[0], probes[i].verb,
                                        probes[i].usage);
                                return 2;
                        }
                        verb = probes[i].verb;
                        return result(probes[i].fn(argv + 2));
                }
        fprintf(stderr, "usage: %s VERB ARGS (verbs:", argv[0]);
        for (size_t i = 0; i < sizeof(probes) / sizeof(probes[0]); i++)
                fprintf(stderr, " %s", probes[i].verb);
        fprintf(stderr, ")\n");
        return 2;
}
