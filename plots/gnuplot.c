/* SPDX-License-Identifier: MIT */
/* gnuplot as a program, and the names of the files it reads (their text is quoted by escape.c). */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
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
#include "plot-internal.h"

#define GNUPLOT_MISSING "gnuplot is not installed (apt-get install gnuplot-nox)"
/* enough for gnuplot's first error with its context line; the rest is drained */
#define STDERR_KEEP 8192

int plot_find_gnuplot(char **ret_path, bench_error **err) {
        int r = bench_find_program("gnuplot", 0, ret_path);
        if (r == -ENOENT)
                return bench_error_set(err, ENOENT, GNUPLOT_MISSING);
        if (r < 0)
                return bench_error_set(err, -r, "out of memory");
        return 0;
}

static void trim_right(char *s) {
        size_t n = strlen(s);
        while (n > 0 && isspace((unsigned char)s[n - 1]))
                s[--n] = '\0';
}

int plot_run_gnuplot(const char *gnuplot, int dirfd, const char *script, unsigned timeout_ms,
                     bench_error **err) {
        int pipefd[2];
        if (pipe2(pipefd, O_CLOEXEC) < 0)
                return bench_error_errno(err, errno, "cannot run gnuplot: pipe");
        _cleanup_close_ int rd = pipefd[0], wr = pipefd[1];
        _cleanup_close_ int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
        if (devnull < 0)
                return bench_error_errno(err, errno, "cannot open /dev/null");
        uint64_t deadline = bench_now_ns() + (uint64_t)timeout_ms * 1000000ULL;

        pid_t pid = fork();
        if (pid < 0)
                return bench_error_errno(err, errno, "cannot run gnuplot: fork");
        if (pid == 0) {
                /* gnuplot must not outlive an interrupted bench */
                prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
                if (fchdir(dirfd) < 0 || dup2(devnull, 0) < 0 || dup2(devnull, 1) < 0 || dup2(wr, 2) < 0)
                        _exit(127);
                char *const argv[] = {(char *)"gnuplot", (char *)script, NULL};
                execv(gnuplot, argv);
                dprintf(2, "cannot execute %s: %s\n", gnuplot, strerror(errno));
                _exit(127);
        }
        close(take_fd(&wr));
        _cleanup_close_ int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);

        char out[STDERR_KEEP + 1];
        size_t out_len = 0;
        bool eof = false, exited = pidfd < 0; /* without a pidfd: wait after EOF */
        while (!eof || !exited) {
                uint64_t now = bench_now_ns();
                if (now >= deadline) {
                        kill(pid, SIGKILL);
                        waitpid(pid, NULL, 0);
                        return bench_error_set(err, ETIMEDOUT, "gnuplot %s did not finish within %u s",
                                               script, timeout_ms / 1000);
                }
                struct pollfd p[2] = {{.fd = eof ? -1 : rd, .events = POLLIN},
                                      {.fd = exited ? -1 : pidfd, .events = POLLIN}};
                int left_ms = (int)((deadline - now + 999999) / 1000000);
                int n = poll(p, 2, left_ms);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        int e = errno;
                        kill(pid, SIGKILL);
                        waitpid(pid, NULL, 0);
                        return bench_error_errno(err, e, "cannot run gnuplot: poll");
                }
                if (p[0].revents) {
                        char buf[4096];
                        ssize_t r = read(rd, buf, sizeof(buf));
                        if (r < 0 && errno != EINTR && errno != EAGAIN)
                                eof = true;
                        else if (r == 0)
                                eof = true;
                        else if (r > 0) {
                                size_t take = (size_t)r;
                                if (take > STDERR_KEEP - out_len)
                                        take = STDERR_KEEP - out_len;
                                memcpy(out + out_len, buf, take);
                                out_len += take;
                        }
                }
                if (p[1].revents)
                        exited = true;
        }
        out[out_len] = '\0';
        trim_right(out);

        int status;
        pid_t w;
        while ((w = waitpid(pid, &status, 0)) < 0 && errno == EINTR)
                ;
        if (w < 0)
                return bench_error_errno(err, errno, "cannot wait for gnuplot");
        if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
                return 0;
        if (WIFEXITED(status))
                return bench_error_set(err, EIO, "gnuplot %s failed (exit status %d)%s%s", script,
                                       WEXITSTATUS(status), out_len ? ":\n" : "", out);
        return bench_error_set(err, EIO, "gnuplot %s was killed by signal %d%s%s", script, WTERMSIG(status),
                               out_len ? ":\n" : "", out);
}

char *plot_sanitize_name(const char *s) {
        size_t n = strlen(s);
        char *r = malloc(n + 2);
        if (!r)
                return NULL;
        size_t j = 0;
        if (n == 0 || s[0] == '.')
                r[j++] = '_';
        for (size_t i = 0; i < n; i++) {
                unsigned char c = (unsigned char)s[i];
                r[j++] = (isascii(c) && (isalnum(c) || c == '_' || c == '.' || c == '-')) ? (char)c : '_';
        }
        r[j] = '\0';
        return r;
}

void plot_dat_number(FILE *f, double v) {
        if (isfinite(v))
                fprintf(f, "%.17g", v);
        else
                fputs("NaN", f);
}
