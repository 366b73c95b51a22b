/* SPDX-License-Identifier: MIT */
/*
 * membw: the four STREAM kernels (McCalpin) on three double arrays of size
 * bytes each; best pass per kernel; bytes counted as STREAM does; results
 * checked against a scalar replay at the end, as STREAM does.
 */

#include <errno.h>
#include <math.h>
#include <stdlib.h>

#include "../common/util.h"
#include "agent.h"

WL_MEASURED_CODE

static const bench_opt_spec membw_params[] = {
        {"size", BENCH_OPT_SIZE, "32M", NULL, 64 * KiB, 16 * GiB, "size of each of the three STREAM arrays"},
        {"passes", BENCH_OPT_UINT, "5", NULL, 1, 10000,
         "passes per kernel; the best pass is reported (as STREAM does)"},
        {0},
};

static const wl_metric_spec membw_metrics[] = {
        {"copy.mb_per_s", "MB/s", "higher", "STREAM copy a[i]=b[i]"},
        {"scale.mb_per_s", "MB/s", "higher", "STREAM scale a[i]=q*b[i]"},
        {"add.mb_per_s", "MB/s", "higher", "STREAM add a[i]=b[i]+c[i]"},
        {"triad.mb_per_s", "MB/s", "higher", "STREAM triad a[i]=b[i]+q*c[i]",
         .headline = "Memory bandwidth (triad)"},
        {0},
};

#define SCALAR 3.0
/*
 * Each pass multiplies the values by 15; STREAM's default 10 passes never
 * overflow, but ours may run 10000: start over (untimed) every REINIT passes.
 */
#define REINIT 64

/*
 * The arrays never escape (posix_memalign), so the compiler could move a
 * kernel across the clock reads: hand their addresses to an opaque asm.
 */
#define TIMED_BARRIER(a, b, c) __asm__ volatile("" : : "r"(a), "r"(b), "r"(c) : "memory")

enum { K_COPY, K_SCALE, K_ADD, K_TRIAD, K_N };

static const char *const kernel_metric[K_N] = {"copy.mb_per_s", "scale.mb_per_s", "add.mb_per_s",
                                               "triad.mb_per_s"};
/* arrays read+written per element */
static const double kernel_arrays[K_N] = {2, 2, 3, 3};

/* The kernels are separate functions so the compiler cannot fuse passes. */
__attribute__((noinline)) static void k_copy(double *restrict c, const double *restrict a, size_t n) {
        for (size_t j = 0; j < n; j++)
                c[j] = a[j];
}
__attribute__((noinline)) static void k_scale(double *restrict b, const double *restrict c, double q,
                                              size_t n) {
        for (size_t j = 0; j < n; j++)
                b[j] = q * c[j];
}
__attribute__((noinline)) static void k_add(double *restrict c, const double *restrict a,
                                            const double *restrict b, size_t n) {
        for (size_t j = 0; j < n; j++)
                c[j] = a[j] + b[j];
}
__attribute__((noinline)) static void k_triad(double *restrict a, const double *restrict b,
                                              const double *restrict c, double q, size_t n) {
        for (size_t j = 0; j < n; j++)
                a[j] = b[j] + q * c[j];
}

/* STREAM's initial values */
static void init_arrays(double *a, double *b, double *c, size_t n) {
        for (size_t j = 0; j < n; j++) {
                a[j] = 1.0;
                b[j] = 2.0;
                c[j] = 0.0;
        }
        for (size_t j = 0; j < n; j++)
                a[j] = 2.0 * a[j];
}

/* STREAM's checkSTREAMresults: average absolute error relative to the expected value. */
static int check_array(const char *name, const double *x, size_t n, double expect, bench_error **err) {
        double sum_err = 0;
        for (size_t j = 0; j < n; j++)
                sum_err += fabs(x[j] - expect);
        double avg = sum_err / (double)n;
        if (!isfinite(avg) || fabs(avg / expect) > 1e-13)
                return bench_error_set(
                        err, EIO, "STREAM validation failed: array %s average error %g, expected value %g",
                        name, avg, expect);
        return 0;
}

static int membw_run(wl_ctx *ctx, bench_error **err) {
        uint64_t size = wl_param_size(ctx, "size");
        uint64_t passes = wl_param_uint(ctx, "passes");
        size_t n = (size_t)(size / sizeof(double));
        double *a = NULL, *b = NULL, *c = NULL;
        int r = 0;
        if (posix_memalign((void **)&a, 64, n * sizeof(double)) ||
            posix_memalign((void **)&b, 64, n * sizeof(double)) ||
            posix_memalign((void **)&c, 64, n * sizeof(double))) {
                r = bench_error_set(err, ENOMEM, "cannot allocate 3 arrays of %llu bytes",
                                    (unsigned long long)size);
                goto out;
        }
        /* touches every page before timing */
        init_arrays(a, b, c, n);

        double best[K_N] = {INFINITY, INFINITY, INFINITY, INFINITY};
        for (uint64_t p = 0; p < passes; p++) {
                if (p > 0 && p % REINIT == 0)
                        init_arrays(a, b, c, n);
                uint64_t t[K_N + 1];
                t[0] = bench_now_ns();
                k_copy(c, a, n);
                TIMED_BARRIER(a, b, c);
                t[1] = bench_now_ns();
                k_scale(b, c, SCALAR, n);
                TIMED_BARRIER(a, b, c);
                t[2] = bench_now_ns();
                k_add(c, a, b, n);
                TIMED_BARRIER(a, b, c);
                t[3] = bench_now_ns();
                k_triad(a, b, c, SCALAR, n);
                TIMED_BARRIER(a, b, c);
                t[4] = bench_now_ns();
                for (int k = 0; k < K_N; k++) {
                        double s = wl_elapsed_s(t[k], t[k + 1]);
                        if (s < best[k])
                                best[k] = s;
                }
        }

        /* replay the passes on scalars: what every element must now hold */
        double aj = 1.0, bj = 2.0, cj = 0.0;
        aj = 2.0 * aj;
        for (uint64_t p = 0; p < (passes - 1) % REINIT + 1; p++) {
                cj = aj;
                bj = SCALAR * cj;
                cj = aj + bj;
                aj = bj + SCALAR * cj;
        }
        if ((r = check_array("a", a, n, aj, err)) < 0 || (r = check_array("b", b, n, bj, err)) < 0 ||
            (r = check_array("c", c, n, cj, err)) < 0)
                goto out;

        for (int k = 0; k < K_N; k++) {
                double bytes = kernel_arrays[k] * (double)sizeof(double) * (double)n;
                if ((r = wl_emit(ctx, kernel_metric[k], bytes / 1e6 / best[k], err)) < 0)
                        goto out;
        }
out:
        free(a);
        free(b);
        free(c);
        return r;
}

const wl_spec wl_membw_spec = {
        .name = "membw",
        .summary = "STREAM memory bandwidth",
        .params = membw_params,
        .metrics = membw_metrics,
        .run = membw_run,
};
