/* SPDX-License-Identifier: MIT */
/*
 * memlat: a dependent-load pointer chase over one random cycle through
 * cache-line-sized nodes (Sattolo's algorithm), so that neither the
 * prefetcher nor out-of-order execution can hide the latency.
 */

#include <errno.h>
#include <stdlib.h>

#include "../common/cleanup.h"
#include "../common/util.h"
#include "agent.h"

WL_MEASURED_CODE

static const bench_opt_spec memlat_params[] = {
        {"size", BENCH_OPT_SIZE, "64M", NULL, 4 * KiB, 16 * GiB, "working set of the pointer chase"},
        {"accesses", BENCH_OPT_UINT, "4000000", NULL, 1000, 100000000000ull, "dependent loads timed"},
        {0},
};

static const wl_metric_spec memlat_metrics[] = {
        {"ns_per_access", "ns", "lower", "dependent-load latency over a random cyclic permutation",
         .headline = "Memory latency"},
        {0},
};

#define LINE 64

typedef struct node {
        struct node *next;
        char pad[LINE - sizeof(struct node *)];
} node;

_Static_assert(sizeof(node) == LINE, "one node per cache line");

static volatile node *memlat_sink;

/* Follows next n times from p; noinline keeps the loop as measured. */
__attribute__((noinline)) static node *chase(node *p, uint64_t n) {
        while (n--)
                p = p->next;
        return p;
}

static int memlat_run(wl_ctx *ctx, bench_error **err) {
        uint64_t size = wl_param_size(ctx, "size");
        uint64_t accesses = wl_param_uint(ctx, "accesses");
        size_t n = (size_t)(size / LINE);
        if (n < 2)
                return bench_error_set(err, EINVAL, "size %llu holds fewer than 2 nodes of %d bytes",
                                       (unsigned long long)size, LINE);

        _cleanup_free_ node *nodes = NULL;
        if (posix_memalign((void **)&nodes, LINE, n * sizeof(node)))
                return bench_error_set(err, ENOMEM, "cannot allocate %llu bytes", (unsigned long long)size);
        _cleanup_free_ size_t *perm = malloc(n * sizeof(size_t));
        if (!perm)
                return bench_error_set(err, ENOMEM, "cannot allocate the permutation of %zu nodes", n);

        /* Sattolo: i -> perm[i] is a single cycle through all n nodes */
        bench_rng rng;
        bench_rng_seed(&rng, ctx->seed);
        for (size_t i = 0; i < n; i++)
                perm[i] = i;
        for (size_t i = n - 1; i > 0; i--) {
                size_t j = (size_t)bench_rng_below(&rng, i); /* j < i, never i itself */
                size_t t = perm[i];
                perm[i] = perm[j];
                perm[j] = t;
        }
        for (size_t i = 0; i < n; i++)
                nodes[i].next = &nodes[perm[i]];
        free(steal_pointer(&perm));

        /* one untimed lap (bounded by accesses) warms caches and TLB alike for every run */
        node *p = chase(&nodes[0], n < accesses ? n : accesses);
        /*
         * The nodes never escape (posix_memalign), so without these barriers
         * the compiler may move the chase out of the timed region.
         */
        uint64_t start = bench_now_ns();
        __asm__ volatile("" : "+r"(p) : : "memory");
        p = chase(p, accesses);
        __asm__ volatile("" : "+r"(p) : : "memory");
        uint64_t end = bench_now_ns();
        memlat_sink = p;
        return wl_emit(ctx, "ns_per_access", (double)(end > start ? end - start : 1) / (double)accesses, err);
}

const wl_spec wl_memlat_spec = {
        .name = "memlat",
        .summary = "pointer-chase memory latency",
        .params = memlat_params,
        .metrics = memlat_metrics,
        .run = memlat_run,
};
