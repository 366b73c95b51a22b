/* SPDX-License-Identifier: MIT */
#include "interrupt.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t stop_signal;
static int pipe_fds[2] = {-1, -1};

static void on_signal(int sig) {
        int saved = errno;
        if (!stop_signal)
                stop_signal = sig;
        if (pipe_fds[1] >= 0) {
                ssize_t n = write(pipe_fds[1], "x", 1);
                (void)n;
        }
        errno = saved;
}

int bench_interrupt_install(void) {
        if (pipe_fds[0] < 0 && pipe2(pipe_fds, O_CLOEXEC | O_NONBLOCK) < 0)
                return -errno;
        struct sigaction sa;
        memset(&sa, 0, sizeof(sa));
        sa.sa_handler = on_signal;
        sigemptyset(&sa.sa_mask);
        /* no SA_RESTART: blocking calls return EINTR and notice the stop */
        int sigs[] = {SIGINT, SIGTERM, SIGHUP};
        for (unsigned i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
                if (sigaction(sigs[i], &sa, NULL) < 0)
                        return -errno;
        /* a reader that went away (bench run | head) must not kill us mid-teardown */
        signal(SIGPIPE, SIG_IGN);
        return 0;
}

int bench_interrupted(void) {
        return stop_signal;
}

int bench_interrupt_fd(void) {
        return pipe_fds[0];
}
