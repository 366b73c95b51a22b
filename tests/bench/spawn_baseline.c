/* SPDX-License-Identifier: MIT */
/*
 * The floor for bare startup: a plain fork + exec of the agent + read of its
 * ready byte, with nothing else. `scripts/overhead` runs it next to
 * `bench run` to show what the harness adds to ready_ms.
 *
 * usage: spawn-baseline AGENT RUNS [CHILD_CPU]  -> one ready_ms per line
 * With CHILD_CPU the child binds itself there before exec, as bench does
 * for a pinned workload (run the parent elsewhere with taskset).
 */
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_ms(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

int main(int argc, char **argv) {
        if (argc != 3 && argc != 4) {
                fprintf(stderr, "usage: spawn-baseline AGENT RUNS [CHILD_CPU]\n");
                return 2;
        }
        int runs = atoi(argv[2]);
        cpu_set_t child;
        CPU_ZERO(&child);
        if (argc == 4)
                CPU_SET(atoi(argv[3]), &child);
        for (int i = 0; i < runs; i++) {
                int p[2];
                if (pipe2(p, O_CLOEXEC) < 0)
                        return 1;
                double t0 = now_ms();
                pid_t pid = fork();
                if (pid == 0) {
                        dup2(p[1], 1);
                        if (argc == 4)
                                sched_setaffinity(0, sizeof(child), &child);
                        execl(argv[1], argv[1], "startup", (char *)NULL);
                        _exit(127);
                }
                close(p[1]);
                char b;
                if (read(p[0], &b, 1) != 1)
                        return 1;
                double t1 = now_ms();
                char sink[4096];
                while (read(p[0], sink, sizeof(sink)) > 0)
                        ;
                close(p[0]);
                waitpid(pid, NULL, 0);
                printf("%.6f\n", t1 - t0);
        }
        return 0;
}
