/* SPDX-License-Identifier: MIT */
#include "catalog.h"

#include <stddef.h>
#include <string.h>

#define KiB 1024ull
#define MiB (1024ull * KiB)
#define GiB (1024ull * MiB)

static const bench_opt_spec startup_params[] = {
        {"runs", BENCH_OPT_UINT, "5", NULL, 1, 100000,
         "environment starts per repetition; each is one sample"},
        {0},
};
static const wl_metric_spec startup_metrics[] = {
        {"ready_ms", "ms", "lower", "start call to the agent's ready byte, timed on the host"},
        {"total_ms", "ms", "lower", "start call to the environment fully torn down"},
        {"phase.*_ms", "ms", "lower",
         "driver phases (container: clone, cgroup, mounts, ...; vm: define, qemu, ready)"},
        {0},
};

static const bench_opt_spec memory_params[] = {
        {"size", BENCH_OPT_SIZE, "64M", NULL, 1 * MiB, 64 * GiB, "memory the agent allocates and touches"},
        {"hold_timeout", BENCH_OPT_DURATION, "10s", NULL, 1, 3600000,
         "how long the agent holds the memory waiting for the host's go-ahead"},
        {0},
};
static const wl_metric_spec memory_metrics[] = {
        {"footprint_kib", "KiB", "lower",
         "PSS of every host process of the environment while the agent holds size"},
        {"overhead_kib", "KiB", "lower", "footprint minus the bare footprint (median)"},
        {"rss_kib", "KiB", "lower", "the agent's own RSS as it sees it"},
        {"cgroup_usage_kib", "KiB", "lower",
         "container: the cgroup's memory usage while the agent holds size"},
        {"cgroup_peak_kib", "KiB", "lower",
         "container: the cgroup's memory high-water mark (page cache included)"},
        {0},
};

static const bench_opt_spec cpu_params[] = {
        {"duration", BENCH_OPT_DURATION, "500ms", NULL, 10, 3600000, "how long the kernel runs"},
        {"slowdown", BENCH_OPT_UINT, "0", NULL, 0, 1000,
         "extra work per op in percent: a deliberate regression, to test a CI gate"},
        {0},
};
static const wl_metric_spec cpu_metrics[] = {
        {"ops_per_s", "ops/s", "higher", "iterations per second of a fixed integer+FP compute kernel"},
        {0},
};

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
        {"triad.mb_per_s", "MB/s", "higher", "STREAM triad a[i]=b[i]+q*c[i]"},
        {0},
};

static const bench_opt_spec memlat_params[] = {
        {"size", BENCH_OPT_SIZE, "64M", NULL, 4 * KiB, 16 * GiB, "working set of the pointer chase"},
        {"accesses", BENCH_OPT_UINT, "4000000", NULL, 1000, 100000000000ull, "dependent loads timed"},
        {0},
};
static const wl_metric_spec memlat_metrics[] = {
        {"ns_per_access", "ns", "lower", "dependent-load latency over a random cyclic permutation"},
        {0},
};

static const bench_opt_spec fileio_params[] = {
        {"dir", BENCH_OPT_STRING, NULL, NULL, 0, 0,
         "target directory (default: the environment's scratch dir)"},
        {"size", BENCH_OPT_SIZE, "32M", NULL, 64 * KiB, 1024 * GiB, "size of the test file"},
        {"block", BENCH_OPT_SIZE, "4K", NULL, 512, 64 * MiB, "block size of random I/O"},
        {"seq_block", BENCH_OPT_SIZE, "1M", NULL, 4 * KiB, 64 * MiB, "block size of sequential I/O"},
        {"ops", BENCH_OPT_UINT, "2000", NULL, 10, 1000000000ull, "random operations per direction"},
        {"direct", BENCH_OPT_BOOL, "false", NULL, 0, 0,
         "O_DIRECT (falls back with a note where unsupported)"},
        {"depth", BENCH_OPT_UINT, "0", NULL, 0, 500,
         "0: a fresh scratch file; D: reads of the stack's big file of `size` at depth D, writes to a new "
         "file in the stack's tree (1 = top layer; needs a `stack`)"},
        {"bottom", BENCH_OPT_BOOL, "false", NULL, 0, 0,
         "the deepest layer of the stack, whatever its height"},
        {0},
};
static const wl_metric_spec fileio_metrics[] = {
        {"seq_write.mib_per_s", "MiB/s", "higher", "sequential write of the whole file incl. fsync"},
        {"seq_read.mib_per_s", "MiB/s", "higher", "sequential read after dropping the file's page cache"},
        {"rand_read.iops", "IOPS", "higher", "random block reads after dropping the file's page cache"},
        {"rand_read.lat_p50_us", "us", "lower", "random read latency, median"},
        {"rand_read.lat_p99_us", "us", "lower", "random read latency, 99th percentile"},
        {"rand_write.iops", "IOPS", "higher", "random block writes, fdatasync at the end included"},
        {"rand_write.lat_p50_us", "us", "lower", "random write latency, median"},
        {"rand_write.lat_p99_us", "us", "lower", "random write latency, 99th percentile"},
        {0},
};

static const bench_opt_spec metadata_params[] = {
        {"dir", BENCH_OPT_STRING, NULL, NULL, 0, 0,
         "target directory (default: the environment's scratch dir)"},
        {"files", BENCH_OPT_UINT, "2000", NULL, 10, 10000000, "files created, opened, stat'ed and unlinked"},
        {"depth", BENCH_OPT_UINT, "0", NULL, 0, 500,
         "0: a fresh scratch dir; D: the stack's files at depth D (1 = top layer; needs a `stack`)"},
        {"bottom", BENCH_OPT_BOOL, "false", NULL, 0, 0,
         "the deepest layer of the stack, whatever its height"},
        {0},
};
static const wl_metric_spec metadata_metrics[] = {
        {"create.ops_per_s", "ops/s", "higher", "open(O_CREAT|O_EXCL)+close of new empty files"},
        {"open.ops_per_s", "ops/s", "higher", "open+close of existing files"},
        {"stat.ops_per_s", "ops/s", "higher", "stat of existing files"},
        {"unlink.ops_per_s", "ops/s", "higher", "unlink of the files"},
        {"miss.ops_per_s", "ops/s", "higher",
         "depth D: lookups of missing names in a directory every layer has (all are searched)"},
        {"readdir.entries_per_s", "entries/s", "higher", "depth D: readdir of a directory every layer has"},
        {0},
};

/* The registry: adding a workload is one spec here and one file in workloads/. */
static const wl_spec startup_spec = {"startup", "the agent does nothing: environment start latency",
                                     WL_HOST_TIMED, startup_params, startup_metrics};
static const wl_spec memory_spec = {"memory", "the agent holds N MiB touched: memory footprint and overhead",
                                    WL_HOST_MEASURED, memory_params, memory_metrics};
static const wl_spec cpu_spec = {"cpu", "a fixed compute kernel", 0, cpu_params, cpu_metrics};
static const wl_spec membw_spec = {"membw", "STREAM memory bandwidth", 0, membw_params, membw_metrics};
static const wl_spec memlat_spec = {"memlat", "pointer-chase memory latency", 0, memlat_params,
                                    memlat_metrics};
static const wl_spec fileio_spec = {"fileio", "sequential and random file I/O", WL_NEEDS_DIR, fileio_params,
                                    fileio_metrics};
static const bench_opt_spec copyup_params[] = {
        {"depth", BENCH_OPT_UINT, "1", NULL, 1, 500, "depth of the files (1 = top layer; needs a `stack`)"},
        {"bottom", BENCH_OPT_BOOL, "false", NULL, 0, 0,
         "the deepest layer of the stack, whatever its height"},
        {"size", BENCH_OPT_SIZE, "64K", NULL, 1, 64ull * GiB, "file size (one of the stack's `big` sizes)"},
        {"files", BENCH_OPT_UINT, "4", NULL, 2, 100000, "files touched: half written, half chmod'ed"},
        {0},
};
static const wl_metric_spec copyup_metrics[] = {
        {"first_write_ms", "ms", "lower", "first write to a lower file: an overlay copies it up"},
        {"second_write_ms", "ms", "lower", "the next write to it: the copy is in the upper layer"},
        {"first_chmod_ms", "ms", "lower", "first chmod of a lower file"},
        {0},
};

static const wl_spec metadata_spec = {"metadata", "file create/open/stat/unlink rates", WL_NEEDS_DIR,
                                      metadata_params, metadata_metrics};

static const wl_spec copyup_spec = {"copyup", "first write and chmod of lower-layer files, by depth and size",
                                    0, copyup_params, copyup_metrics};

const wl_spec *const wl_catalog[] = {
        &startup_spec, &memory_spec,   &cpu_spec,    &membw_spec, &memlat_spec,
        &fileio_spec,  &metadata_spec, &copyup_spec, NULL,
};

const wl_spec *wl_catalog_find(const char *name) {
        for (size_t i = 0; wl_catalog[i]; i++)
                if (!strcmp(wl_catalog[i]->name, name))
                        return wl_catalog[i];
        return NULL;
}

const wl_metric_spec *wl_metric_find(const wl_spec *spec, const char *metric) {
        for (const wl_metric_spec *m = spec->metrics; m->name; m++) {
                if (!strcmp(m->name, metric))
                        return m;
                /* "phase.*_ms" matches "phase.clone_ms" */
                const char *star = strchr(m->name, '*');
                if (star) {
                        size_t pre = (size_t)(star - m->name), post = strlen(star + 1), ml = strlen(metric);
                        if (ml > pre + post && !strncmp(metric, m->name, pre) &&
                            !strcmp(metric + ml - post, star + 1))
                                return m;
                }
        }
        return NULL;
}
