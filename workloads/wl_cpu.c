/* SPDX-License-Identifier: MIT */
/*
 * cpu: a fixed compute kernel, integer hashing mixed with floating point,
 * all in registers (no memory traffic beyond L1). One iteration = one op.
 */

#include <stdint.h>

#include "../common/util.h"
#include "agent.h"

WL_MEASURED_CODE

static const bench_opt_spec cpu_params[] = {
        {"duration", BENCH_OPT_DURATION, "500ms", NULL, 10, 3600000, "how long the kernel runs"},
        {"slowdown", BENCH_OPT_UINT, "0", NULL, 0, 1000,
         "extra work per op in percent: a deliberate regression, to test a CI gate"},
        {0},
};

static const wl_metric_spec cpu_metrics[] = {
        {"ops_per_s", "ops/s", "higher", "iterations per second of a fixed integer+FP compute kernel",
         .headline = "CPU"},
        {0},
};

/* Iterations between clock reads: the clock costs ~20-50 ns, a batch ~10 us. */
#define BATCH 4096

/* The result goes here so that the compiler must compute it. */
static volatile uint64_t cpu_sink;

static inline void kernel_batch(uint64_t *hp, double *fp, unsigned n) {
        uint64_t h = *hp;
        double f = *fp;
        for (unsigned i = 0; i < n; i++) {
                /* murmur3 finaliser: multiply, shift, xor dependency chain */
                h += 0x9e3779b97f4a7c15ull;
                h ^= h >> 33;
                h *= 0xff51afd7ed558ccdull;
                h ^= h >> 29;
                /* a bounded FP recurrence fed by the hash (f stays in [0, 2)) */
                f = f * 0.5 + (double)(h & 0xffff) * (1.0 / 65536.0);
        }
        *hp = h;
        *fp = f;
}

static int cpu_run(wl_ctx *ctx, bench_error **err) {
        double duration_ms = wl_param_duration_ms(ctx, "duration");
        uint64_t h = ctx->seed, iterations = 0;
        double f = 0.0;
        uint64_t start = bench_now_ns(), end = start;
        uint64_t budget = (uint64_t)(duration_ms * 1e6);
        /* slowdown=P: each counted op does (100+P)% of the work, a real regression to detect */
        unsigned n = (unsigned)(BATCH * (100 + wl_param_uint(ctx, "slowdown")) / 100);
        do {
                kernel_batch(&h, &f, n);
                /* the batch must be done before the clock is read, not sunk past the loop */
                __asm__ volatile("" : "+r"(h), "+m"(f));
                iterations += BATCH;
                end = bench_now_ns();
        } while (end - start < budget);
        cpu_sink = h ^ (uint64_t)(f * 1e9);
        return wl_emit(ctx, "ops_per_s", (double)iterations / wl_elapsed_s(start, end), err);
}

const wl_spec wl_cpu_spec = {
        .name = "cpu",
        .summary = "a fixed compute kernel",
        .params = cpu_params,
        .metrics = cpu_metrics,
        .run = cpu_run,
};
