/* SPDX-License-Identifier: MIT */
/*
 * The guest's console (ttyS0), read by bench itself: QEMU connects the
 * serial port to a UNIX socket bench listens on, and a thread reads it,
 * timestamping each chunk on arrival with the host's CLOCK_MONOTONIC, the
 * clock the ready byte is timed with. The boot markers (vm_mark) are
 * strings the firmware, the kernel and the agent print there; a guest's
 * own clock is never read. What arrives is also kept in the console log,
 * for the error message of a boot that failed.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "../common/cleanup.h"
#include "../common/util.h"
#include "../workloads/catalog.h"
#include "vm-internal.h"

/* A guest that prints without end (a kernel in a panic loop) fills no disk: the log stops here. */
#define LOG_MAX (4u << 20)

/*
 * What marks each boundary, as printed on ttyS0. SeaBIOS prints "Booting
 * from ROM..." as it hands over to the option ROM that loads a bzImage
 * (qboot prints nothing); the kernel's banner comes out when its early
 * console (earlycon, registered in setup_arch, within the kernel's first
 * milliseconds) replays the log; the agent, as /init, prints its line
 * before anything else.
 */
static const char *const mark_text[VM_MARK_N] = {
        [VM_MARK_FIRMWARE_DONE] = "Booting from ROM",
        [VM_MARK_KERNEL] = "Linux version ",
        [VM_MARK_INIT] = WL_INIT_MARKER,
};

const char *const vm_mark_names[VM_MARK_N] = {
        [VM_MARK_FIRMWARE_DONE] = "the firmware's hand-over to the kernel loader",
        [VM_MARK_KERNEL] = "the kernel's banner",
        [VM_MARK_INIT] = "/init",
};

struct vm_console {
        int listen_fd, fd, log_fd, stop_fd[2];
        pthread_t thread;
        bool running;
        size_t logged;
        size_t matched[VM_MARK_N]; /* how much of each marker the bytes so far end with */
        _Atomic uint64_t t_mark[VM_MARK_N];
};

/* Every marker the chunk completes gets the chunk's arrival time (the first completion only). */
static void scan(vm_console *c, const char *buf, size_t n, uint64_t now) {
        for (int m = 0; m < VM_MARK_N; m++) {
                if (atomic_load(&c->t_mark[m]))
                        continue;
                const char *want = mark_text[m];
                size_t len = strlen(want), k = c->matched[m];
                for (size_t i = 0; i < n; i++) {
                        /* the markers have no repeated prefix: a mismatch restarts at 0 or 1 */
                        if (buf[i] == want[k])
                                k++;
                        else
                                k = buf[i] == want[0] ? 1 : 0;
                        if (k == len) {
                                atomic_store(&c->t_mark[m], now);
                                break;
                        }
                }
                c->matched[m] = k;
        }
}

/* Until p[0] is readable (0) or the stop pipe p[1] is, or poll fails (-1). */
static int wait_readable(struct pollfd p[2]) {
        for (;;) {
                if (poll(p, 2, -1) < 0) {
                        if (errno == EINTR)
                                continue;
                        return -1;
                }
                return p[1].revents ? -1 : 0;
        }
}

static void *reader(void *arg) {
        vm_console *c = arg;
        struct pollfd p[2] = {{.fd = c->listen_fd, .events = POLLIN},
                              {.fd = c->stop_fd[0], .events = POLLIN}};
        /* QEMU connects as it starts; the bytes wait in the socket until accepted, so accept at once */
        while (c->fd < 0) {
                if (wait_readable(p) < 0)
                        return NULL;
                c->fd = accept4(c->listen_fd, NULL, NULL, SOCK_CLOEXEC);
                if (c->fd < 0 && errno != EINTR && errno != EAGAIN && errno != ECONNABORTED)
                        return NULL;
        }
        p[0].fd = c->fd;
        char buf[4096];
        while (wait_readable(p) == 0) {
                ssize_t n = read(c->fd, buf, sizeof(buf));
                uint64_t now = bench_now_ns();
                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0)
                        return NULL; /* QEMU closed it: the domain is gone */
                scan(c, buf, (size_t)n, now);
                size_t keep = c->logged < LOG_MAX ? LOG_MAX - c->logged : 0;
                if (keep > (size_t)n)
                        keep = (size_t)n;
                if (keep && c->log_fd >= 0 && bench_write_all(c->log_fd, buf, keep) == 0)
                        c->logged += keep;
        }
        return NULL;
}

int vm_console_listen(const char *sock_path, const char *log_path, vm_console **ret, bench_error **err) {
        _cleanup_(vm_console_freep) vm_console *c = calloc(1, sizeof(*c));
        if (!c)
                return bench_error_set(err, ENOMEM, "out of memory");
        c->listen_fd = c->fd = c->log_fd = c->stop_fd[0] = c->stop_fd[1] = -1;
        struct sockaddr_un sa = {.sun_family = AF_UNIX};
        if (strlen(sock_path) >= sizeof(sa.sun_path))
                return bench_error_set(err, ENAMETOOLONG,
                                       "%s: too long for a UNIX socket (use a shorter --workdir)", sock_path);
        memcpy(sa.sun_path, sock_path, strlen(sock_path) + 1);
        c->log_fd = open(log_path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (c->log_fd < 0)
                return bench_error_errno(err, errno, "cannot create the console log %s", log_path);
        c->listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (c->listen_fd < 0 || bind(c->listen_fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
            listen(c->listen_fd, 1) < 0)
                return bench_error_errno(err, errno, "cannot listen on %s", sock_path);
        if (pipe2(c->stop_fd, O_CLOEXEC) < 0)
                return bench_error_errno(err, errno, "pipe");
        int r = bench_thread_start(&c->thread, reader, c);
        if (r)
                return bench_error_errno(err, r, "cannot start the console reader");
        c->running = true;
        *ret = steal_pointer(&c);
        return 0;
}

uint64_t vm_console_mark(const vm_console *c, vm_mark m) {
        return c && m >= 0 && m < VM_MARK_N ? atomic_load(&((vm_console *)c)->t_mark[m]) : 0;
}

static void close_fd(int *fd) {
        closep(fd);
        *fd = -1;
}

void vm_console_free(vm_console *c) {
        if (!c)
                return;
        if (c->running) {
                (void)!write(c->stop_fd[1], "x", 1);
                pthread_join(c->thread, NULL);
        }
        close_fd(&c->fd);
        close_fd(&c->listen_fd);
        close_fd(&c->log_fd);
        close_fd(&c->stop_fd[0]);
        close_fd(&c->stop_fd[1]);
        free(c);
}

void vm_console_freep(vm_console **c) {
        vm_console_free(*c);
}
