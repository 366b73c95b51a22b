/* SPDX-License-Identifier: MIT */
#pragma once

#include <stddef.h>

#include "../common/error.h"
#include "../common/opt.h"
#include "workloads.h"

/*
 * What each workload is, as data: its parameters, the metrics it yields and
 * the function that runs it. Each wl_X.c ends with its spec; bench-agent
 * runs them, the harness validates suites, labels results and generates the
 * schemas from them, so the three can never disagree.
 */

typedef struct wl_metric_spec {
        const char *name;   /* "ops_per_s", "copy.mb_per_s", "phase.*_ms" */
        const char *unit;   /* "ops/s", "MB/s", "ms", "KiB" */
        const char *better; /* "lower" or "higher" */
        const char *help;
        /* the row it is in a report's headline ("CPU", "File I/O: random read"), NULL = not there */
        const char *headline;
} wl_metric_spec;

enum {
        /* the host times it: one environment start per sample (startup) */
        WL_HOST_TIMED = 1 << 0,
        /* the agent pauses ("hold") so the host can measure the environment */
        WL_HOST_MEASURED = 1 << 1,
        /* needs a writable target directory (--dir or the dir param) */
        WL_NEEDS_DIR = 1 << 2,
        /* the host starts many environments and keeps them up at once (density; with WL_HOST_TIMED) */
        WL_HOST_DENSITY = 1 << 3,
};

struct wl_ctx;

typedef struct wl_spec {
        /* the suite's `kind`, the agent's plan item; the X of WL_LIST */
        const char *name;
        const char *summary;
        /* WL_HOST_TIMED, ... */
        unsigned flags;
        const bench_opt_spec *params;  /* {NULL}-terminated */
        const wl_metric_spec *metrics; /* {NULL}-terminated */
        /* optional: a param's value beyond its type (a list's form): 0, or -EINVAL with why */
        int (*check)(const char *param, const char *value, char *why, size_t why_len);
        /* in the agent: 0 or -errno with *err set; metrics go out through wl_emit() (agent.h) */
        int (*run)(struct wl_ctx *ctx, bench_error **err);
} wl_spec;

#define WL_SPEC_DECLARE(n) extern const wl_spec wl_##n##_spec;
WL_LIST(WL_SPEC_DECLARE)
#undef WL_SPEC_DECLARE

/* NULL-terminated, in WL_LIST order. */
extern const wl_spec *const wl_catalog[];
const wl_spec *wl_catalog_find(const char *name);
const wl_metric_spec *wl_metric_find(const wl_spec *spec, const char *metric);

/* density's `n`: at most this many counts, each at most this many environments */
#define DENSITY_MAX_COUNTS 32
#define DENSITY_MAX_ENVS 100000
/* wl_density.c: "1,8,32" as rising counts into out[max]; -EINVAL with why */
int wl_density_counts(const char *text, unsigned *out, size_t max, size_t *ret_n, char *why, size_t why_len);

/* The byte bench-agent writes first; the host timestamps its arrival. */
#define WL_READY_BYTE 0x06
/*
 * The line bench-agent prints on the console the moment it runs as a VM's
 * /init, before the ready byte: the host timestamps its arrival as the
 * kernel's hand-over to init (vm/console.c).
 */
#define WL_INIT_MARKER "bench-agent: init"
