/* SPDX-License-Identifier: MIT */
/*
 * memory: allocate size bytes, write every page, report our RSS, then hold
 * until the host has measured the environment's footprint (one byte on
 * stdin, EOF or hold_timeout).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#include "../common/cleanup.h"
#include "../common/util.h"
#include "agent.h"

/* VmRSS from /proc/self/status in KiB; ru_maxrss where /proc is missing (VM init). */
static double rss_kib(void) {
        _cleanup_free_ char *status = NULL;
        _cleanup_error_ bench_error *e = NULL;
        if (bench_read_file("/proc/self/status", &status, NULL, &e) == 0) {
                const char *p = strstr(status, "\nVmRSS:");
                unsigned long long kib;
                if (p && sscanf(p + 7, "%llu", &kib) == 1)
                        return (double)kib;
        }
        struct rusage ru;
        if (getrusage(RUSAGE_SELF, &ru) == 0)
                return (double)ru.ru_maxrss;
        return 0;
}

int wl_memory_run(wl_ctx *ctx, bench_error **err) {
        uint64_t size = wl_param_size(ctx, "size");
        double hold_ms = wl_param_duration_ms(ctx, "hold_timeout");
        long page = sysconf(_SC_PAGESIZE);
        if (page <= 0)
                page = 4096;

        void *mem = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (mem == MAP_FAILED)
                return bench_error_errno(err, errno, "cannot map %llu bytes", (unsigned long long)size);
        /* a non-zero write per page: every page gets its own frame */
        volatile unsigned char *bytes = mem;
        for (uint64_t off = 0; off < size; off += (uint64_t)page)
                bytes[off] = (unsigned char)(1 + (off / (uint64_t)page) % 255);

        int r = wl_emit(ctx, "rss_kib", rss_kib(), err);
        if (r >= 0)
                r = wl_hold(ctx, hold_ms, err);
        munmap(mem, size);
        return r;
}
