/* SPDX-License-Identifier: MIT */
#pragma once

#include "../common/opt.h"

/*
 * What each workload is, as data: its parameters and the metrics it yields.
 * Shared by bench-agent (which runs them) and the harness (which validates
 * suites and labels results), so the two can never disagree.
 */

typedef struct wl_metric_spec {
        const char *name;   /* "ops_per_s", "copy.mb_per_s", "phase.*_ms" */
        const char *unit;   /* "ops/s", "MB/s", "ms", "KiB" */
        const char *better; /* "lower" or "higher" */
        const char *help;
} wl_metric_spec;

enum {
        /* the host times it: one environment start per sample (startup) */
        WL_HOST_TIMED = 1 << 0,
        /* the agent pauses ("hold") so the host can measure the environment */
        WL_HOST_MEASURED = 1 << 1,
        /* needs a writable target directory (--dir or the dir param) */
        WL_NEEDS_DIR = 1 << 2,
};

typedef struct wl_spec {
        const char *name;
        const char *summary;
        unsigned flags;
        const bench_opt_spec *params;  /* {NULL}-terminated */
        const wl_metric_spec *metrics; /* {NULL}-terminated */
} wl_spec;

/* NULL-terminated, in registry order. */
extern const wl_spec *const wl_catalog[];
const wl_spec *wl_catalog_find(const char *name);
const wl_metric_spec *wl_metric_find(const wl_spec *spec, const char *metric);

/* The byte bench-agent writes first; the host timestamps its arrival. */
#define WL_READY_BYTE 0x06
