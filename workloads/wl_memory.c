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

static const bench_opt_spec memory_params[] = {
        {"size", BENCH_OPT_SIZE, "64M", NULL, 1 * MiB, 64 * GiB, "memory the agent allocates and touches"},
        {"hold_timeout", BENCH_OPT_DURATION, "10s", NULL, 1, 3600000,
         "how long the agent holds the memory waiting for the host's go-ahead"},
        {0},
};

static const wl_metric_spec memory_metrics[] = {
        {"footprint_kib", "KiB", "lower",
         "PSS of every host process of the environment while the agent holds size"},
        {"overhead_kib", "KiB", "lower", "footprint minus the bare footprint (median)",
         .headline = "Memory overhead per environment"},
        {"rss_kib", "KiB", "lower", "the agent's own RSS as it sees it"},
        {"cgroup_usage_kib", "KiB", "lower",
         "container: the cgroup's memory usage while the agent holds size"},
        {"cgroup_peak_kib", "KiB", "lower",
         "container: the cgroup's memory high-water mark (page cache included)"},
        {"ksm_pages_sharing", "pages", "higher",
         "vm while ksmd runs: pages merging saves, host-wide (/sys/kernel/mm/ksm/pages_sharing)"},
        {"ksm_saved_kib", "KiB", "higher",
         "vm while ksmd runs: memory merging saves, host-wide (pages_sharing + ksm_zero_pages)"},
        {0},
};

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

static int memory_run(wl_ctx *ctx, bench_error **err) {
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

const wl_spec wl_memory_spec = {
        .name = "memory",
        .summary = "the agent holds N MiB touched: memory footprint and overhead",
        .flags = WL_HOST_MEASURED,
        .params = memory_params,
        .metrics = memory_metrics,
        .run = memory_run,
};
