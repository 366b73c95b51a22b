/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * bench-agent internals: what a workload's run function gets and the few
 * things it may call. A workload never prints: it reports metrics with
 * wl_emit(), remarks with wl_note(), and returns 0 or -errno with *err set.
 * Only agent.c and agent_main.c write to stdout/stderr.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../common/error.h"
#include "../common/percentile.h"
#include "../common/rng.h"
#include "catalog.h"

/*
 * Placed after the includes of a file whose code is the measurement: the
 * same code whatever the build type (Debug is -O0). gcc builds what is
 * measured; clang builds only the fuzz targets, which time nothing.
 */
#if defined(__GNUC__) && !defined(__clang__)
#define WL_MEASURED_CODE _Pragma("GCC optimize(\"O2\")")
#else
#define WL_MEASURED_CODE
#endif

typedef struct wl_kv {
        const bench_opt_spec *spec; /* the catalog's spec of key */
        const char *value;          /* as given on the command line, validated */
} wl_kv;

typedef struct wl_ctx {
        const wl_spec *spec; /* the catalog entry */
        size_t index;        /* 0-based position in the plan */
        const wl_kv *params; /* the parameters given (others take defaults) */
        size_t n_params;
        const char *dir; /* the `dir` param, else --dir, else NULL */
        uint64_t seed;   /* --seed; every random choice derives from it */
        unsigned depth;  /* layer depth the item runs at (set by wl_layers.c), 0 = none: tags its metrics */
} wl_ctx;

/*
 * Typed parameter values: the given one, else the catalog default. The plan
 * is validated before anything runs, so these cannot fail for a name the
 * catalog declares for this workload; asking for an undeclared one is a bug
 * and aborts.
 */
uint64_t wl_param_size(const wl_ctx *ctx, const char *name);
uint64_t wl_param_uint(const wl_ctx *ctx, const char *name);
double wl_param_duration_ms(const wl_ctx *ctx, const char *name);
bool wl_param_bool(const wl_ctx *ctx, const char *name);
/* NULL when neither given nor defaulted. */
const char *wl_param_string(const wl_ctx *ctx, const char *name);

/*
 * Writes one metric line, labelled from the catalog. -EINVAL (and *err) if
 * the metric is not in the workload's catalog entry or value is not finite.
 */
int wl_emit(wl_ctx *ctx, const char *metric, double value, bench_error **err);
/* A {"type":"note"} line: something the reader should know about this item. */
void wl_note(wl_ctx *ctx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/*
 * Writes the hold line and waits for one byte on stdin, EOF or timeout_ms
 * (a note line on timeout). 0, or -errno if stdin cannot be waited on.
 */
int wl_hold(wl_ctx *ctx, double timeout_ms, bench_error **err);

/* Seconds between two bench_now_ns() readings, never 0. */
double wl_elapsed_s(uint64_t start_ns, uint64_t end_ns);

/* Binary multiples for the params' limits. */
#define KiB 1024ull
#define MiB (1024ull * KiB)
#define GiB (1024ull * MiB)

/* init.c: the agent as a VM's /init */
bool wl_init_wanted(int argc, char **argv);
int wl_init_channel(void); /* /dev/ttyS1, raw, as stdin and stdout */
int wl_init_setup(const char **ret_dir, bench_error **err);
void wl_init_poweroff(void);
extern int wl_init_scratch_layers; /* marker files of the disk's layers, -1 = not a VM */

/* wl_layers.c: workloads by layer depth, on the stack's tree under --data */
extern const char *wl_data_root;
int wl_metadata_depth_run(wl_ctx *ctx, unsigned depth, bench_error **err);
unsigned wl_layers_depth(const wl_ctx *ctx);
/* ROOT/bench/depth-D into buf (an error naming --data and the stack if it is not there) */
int wl_layers_root_dir(wl_ctx *ctx, unsigned depth, char *buf, size_t len, bench_error **err);
int wl_layers_big_file(wl_ctx *ctx, unsigned depth, uint64_t size, char **ret_path, bench_error **err);
