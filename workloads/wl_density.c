/* SPDX-License-Identifier: MIT */
/*
 * density: the host starts N environments of a configuration and keeps them
 * up at once (harness/density.c); each agent holds until the host has
 * measured them all. With `read`, after the first hold the agent reads the
 * stack's file of that size (bench/depth-1/big/SIZE under --data: a lower
 * layer in a container) and holds again, so that the host sees what N
 * readers of one file cost: one page cache shared, or one copy each.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../common/cleanup.h"
#include "../common/util.h"
#include "agent.h"

WL_MEASURED_CODE

int wl_density_counts(const char *text, unsigned *out, size_t max, size_t *ret_n, char *why, size_t why_len) {
        size_t n = 0;
        const char *p = text;
        if (!p || !*p) {
                snprintf(why, why_len, "expected counts such as \"1,8,32\", got an empty string");
                return -EINVAL;
        }
        while (*p) {
                char *end;
                errno = 0;
                if (*p < '0' || *p > '9') {
                        snprintf(why, why_len,
                                 "expected counts such as \"1,8,32\" (numbers separated by commas)");
                        return -EINVAL;
                }
                unsigned long v = strtoul(p, &end, 10);
                if (errno || v < 1 || v > DENSITY_MAX_ENVS) {
                        snprintf(why, why_len, "each count must be from 1 to %u, got %.*s", DENSITY_MAX_ENVS,
                                 (int)(end - p), p);
                        return -EINVAL;
                }
                if (n > 0 && v <= out[n - 1]) {
                        snprintf(why, why_len,
                                 "counts must rise (each larger than the one before): %lu after %u", v,
                                 out[n - 1]);
                        return -EINVAL;
                }
                if (n == max) {
                        snprintf(why, why_len, "at most %zu counts", max);
                        return -EINVAL;
                }
                out[n++] = (unsigned)v;
                p = end;
                if (*p == ',' && p[1])
                        p++;
                else if (*p) {
                        snprintf(why, why_len,
                                 "expected counts such as \"1,8,32\" (numbers separated by commas)");
                        return -EINVAL;
                }
        }
        *ret_n = n;
        return 0;
}

static int density_check(const char *param, const char *value, char *why, size_t why_len) {
        if (strcmp(param, "n") != 0)
                return 0;
        unsigned counts[DENSITY_MAX_COUNTS];
        size_t n;
        return wl_density_counts(value, counts, DENSITY_MAX_COUNTS, &n, why, why_len);
}

static const bench_opt_spec density_params[] = {
        {"n", BENCH_OPT_STRING, "1,8", "1,8,32,128", 0, 0,
         "environment counts, rising, separated by commas: for each N, N environments are up at once"},
        {"start", BENCH_OPT_ENUM, "both", "sequential|parallel|both", 0, 0,
         "sequential: each started after the one before is ready; parallel: all started at once"},
        {"read", BENCH_OPT_SIZE, "0", NULL, 0, 64 * GiB,
         "each environment reads the stack's file of this size (bench/depth-1/big/SIZE), 0 = none"},
        {"hold_timeout", BENCH_OPT_DURATION, "60m", NULL, 1, 86400000,
         "how long an agent waits for the host's go-ahead before it ends by itself: above the time all N "
         "take to start"},
        {0},
};

static const wl_metric_spec density_metrics[] = {
        {"sequential.start_ms", "ms", "lower",
         "start call to ready byte of the k-th environment, k-1 already up (by k)"},
        {"sequential.first_start_ms", "ms", "lower", "sequential: the first start of N (by n)"},
        {"sequential.last_start_ms", "ms", "lower", "sequential: the N-th start, N-1 already up (by n)"},
        {"sequential.all_ready_ms", "ms", "lower",
         "sequential: first start call to the N-th ready byte (by n)"},
        {"parallel.start_ms", "ms", "lower",
         "parallel: each start call to its ready byte, N started at once (by n)"},
        {"parallel.first_start_ms", "ms", "lower", "parallel: the quickest of the N starts (by n)"},
        {"parallel.last_start_ms", "ms", "lower", "parallel: the slowest of the N starts (by n)"},
        {"parallel.all_ready_ms", "ms", "lower", "parallel: first start call to the last ready byte (by n)"},
        {"mem_per_env_kib", "KiB", "lower",
         "host MemAvailable (with the per-cpu free lists) before minus with N up, over N: kernel memory "
         "included (by n)"},
        {"pss_per_env_kib", "KiB", "lower", "sum of the environments' footprint_kib (PSS) over N (by n)"},
        {"cgroup_per_env_kib", "KiB", "lower", "sum of the environments' cgroup memory usage over N (by n)"},
        {"read_ms", "ms", "lower", "time the k-th reader takes to read the file, k-1 read it before (by k)"},
        {"read_mem_per_env_kib", "KiB", "lower",
         "like mem_per_env_kib with all N having read the file (by n)"},
        {"read_added_per_env_kib", "KiB", "lower",
         "host MemFree the N reads took, over N (page cache included): about read/N where one page cache "
         "is shared, read or more where each environment caches its own (by n)"},
        {0},
};

/* Reads the whole file through the page cache; its time is the metric. */
static int read_file(wl_ctx *ctx, const char *path, uint64_t size, bench_error **err) {
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return bench_error_errno(err, errno, "cannot open %s", path);
        size_t cap = 1 << 20;
        _cleanup_free_ char *buf = malloc(cap);
        if (!buf)
                return bench_error_set(err, ENOMEM, "out of memory");
        uint64_t t0 = bench_now_ns(), got = 0;
        for (;;) {
                ssize_t n = read(fd, buf, cap);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return bench_error_errno(err, errno, "reading %s", path);
                if (n == 0)
                        break;
                got += (uint64_t)n;
        }
        uint64_t t1 = bench_now_ns();
        if (got != size)
                return bench_error_set(err, EIO, "read %llu bytes of %s, expected %llu",
                                       (unsigned long long)got, path, (unsigned long long)size);
        return wl_emit(ctx, "read_ms", wl_elapsed_s(t0, t1) * 1e3, err);
}

static int density_run(wl_ctx *ctx, bench_error **err) {
        double hold_ms = wl_param_duration_ms(ctx, "hold_timeout");
        uint64_t size = wl_param_size(ctx, "read");
        /* first hold: the host starts the others and measures them all idle */
        int r = wl_hold(ctx, hold_ms, err);
        if (r < 0 || size == 0)
                return r;
        _cleanup_free_ char *path = NULL;
        r = wl_layers_big_file(ctx, 1, size, &path, err);
        if (r >= 0)
                r = read_file(ctx, path, size, err);
        if (r < 0)
                return r;
        /* second hold: every reader has read, the host measures again */
        return wl_hold(ctx, hold_ms, err);
}

const wl_spec wl_density_spec = {
        .name = "density",
        .summary = "N environments up at once: start latency by k and memory per environment by N",
        .flags = WL_HOST_TIMED | WL_HOST_DENSITY,
        .params = density_params,
        .metrics = density_metrics,
        .check = density_check,
        .run = density_run,
};
