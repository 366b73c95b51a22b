/* SPDX-License-Identifier: MIT */
/*
 * fileio: sequential write (fsync timed) and read of a file of size bytes,
 * then random block reads and writes with per-operation latencies, in a
 * fresh subdirectory of the target dir that is removed again in any case.
 *
 * With depth=D (or bottom=true) the reads use the stack's lower-layer file
 * bench/depth-D/big/SIZE under --data instead, opened read-only (bare's
 * cached tree must stay as built), and the written file is made in a fresh
 * subdirectory of ROOT/bench: in a container, the overlay's upper layer.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../common/cleanup.h"
#include "../common/util.h"
#include "agent.h"

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
        {"seq_write.mib_per_s", "MiB/s", "higher", "sequential write of the whole file incl. fsync",
         .headline = "File I/O: sequential write"},
        {"seq_read.mib_per_s", "MiB/s", "higher", "sequential read after dropping the file's page cache",
         .headline = "File I/O: sequential read"},
        {"rand_read.iops", "IOPS", "higher", "random block reads after dropping the file's page cache",
         .headline = "File I/O: random read"},
        {"rand_read.lat_p50_us", "us", "lower", "random read latency, median"},
        {"rand_read.lat_p99_us", "us", "lower", "random read latency, 99th percentile"},
        {"rand_write.iops", "IOPS", "higher", "random block writes, fdatasync at the end included",
         .headline = "File I/O: random write"},
        {"rand_write.lat_p50_us", "us", "lower", "random write latency, median"},
        {"rand_write.lat_p99_us", "us", "lower", "random write latency, 99th percentile"},
        {0},
};

/* Buffer alignment that satisfies O_DIRECT on every common device. */
#define ALIGN 4096

typedef struct fileio {
        wl_ctx *ctx;
        char *subdir; /* created by us: removed at the end */
        char *path;   /* the data file, once created: written, then removed */
        char *lower;  /* depth D: the stack's file the reads use, never written */
        bool direct;  /* O_DIRECT in effect (may drop to false on the first open) */
        bench_rng rng;
} fileio;

static void fileio_cleanup(fileio *f) {
        if (f->path) {
                unlink(f->path);
                free(f->path);
        }
        if (f->subdir) {
                rmdir(f->subdir);
                free(f->subdir);
        }
        free(f->lower);
}

/* Opens path; where O_DIRECT is refused (tmpfs, some overlays) go buffered once, with a note. */
static int fileio_open(fileio *f, const char *path, int flags, bench_error **err) {
        if (f->direct) {
                int fd = open(path, flags | O_DIRECT | O_CLOEXEC, 0644);
                if (fd >= 0 || errno != EINVAL)
                        return fd >= 0 ? fd : bench_error_errno(err, errno, "cannot open %s", path);
                f->direct = false;
                /* the kernel creates the file before it refuses O_DIRECT: the retry must not see it */
                if (flags & O_EXCL)
                        unlink(path);
                wl_note(f->ctx, "direct=true: the filesystem of %s refuses O_DIRECT; using buffered I/O",
                        path);
        }
        int fd = open(path, flags | O_CLOEXEC, 0644);
        if (fd < 0)
                return bench_error_errno(err, errno, "cannot open %s", path);
        return fd;
}

/* Writes back and evicts the file's pages so that the next reads reach the device. */
static int drop_cache(int fd, const char *path, bench_error **err) {
        if (fsync(fd) < 0)
                return bench_error_errno(err, errno, "fsync %s", path);
        int r = posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
        if (r)
                return bench_error_errno(err, r, "posix_fadvise(DONTNEED) %s", path);
        return 0;
}

static int pwrite_full(int fd, const char *path, const char *buf, size_t len, uint64_t off,
                       bench_error **err) {
        int r = bench_pwrite_all(fd, buf, len, off);
        return r < 0 ? bench_error_errno(err, -r, "write %s at %llu", path, (unsigned long long)off) : 0;
}

static int pread_full(int fd, const char *path, char *buf, size_t len, uint64_t off, bench_error **err) {
        ssize_t n = bench_pread_all(fd, buf, len, off);
        if (n < 0)
                return bench_error_errno(err, (int)-n, "read %s at %llu", path, (unsigned long long)off);
        if ((size_t)n < len)
                return bench_error_set(err, EIO, "read %s at %llu: unexpected end of file", path,
                                       (unsigned long long)off);
        return 0;
}

static void fill_random(bench_rng *rng, char *buf, size_t len) {
        /* incompressible data: no filesystem or device may shortcut zeros */
        for (size_t i = 0; i < len; i += 8) {
                uint64_t v = bench_rng_next(rng);
                memcpy(buf + i, &v, len - i < 8 ? len - i : 8);
        }
}

static int cmp_double(const void *a, const void *b) {
        double x = *(const double *)a, y = *(const double *)b;
        return (x > y) - (x < y);
}

static int emit_latencies(wl_ctx *ctx, const char *prefix, double *lat_us, size_t n, double total_s,
                          bench_error **err) {
        char name[64];
        qsort(lat_us, n, sizeof(double), cmp_double);
        int r;
        snprintf(name, sizeof(name), "%s.iops", prefix);
        if ((r = wl_emit(ctx, name, (double)n / total_s, err)) < 0)
                return r;
        snprintf(name, sizeof(name), "%s.lat_p50_us", prefix);
        if ((r = wl_emit(ctx, name, bench_percentile_sorted(lat_us, n, 50), err)) < 0)
                return r;
        snprintf(name, sizeof(name), "%s.lat_p99_us", prefix);
        return wl_emit(ctx, name, bench_percentile_sorted(lat_us, n, 99), err);
}

static int seq_write(fileio *f, uint64_t size, uint64_t seq_block, char *buf, bench_error **err) {
        /* O_EXCL: the file is ours, so removing it later is right */
        _cleanup_close_ int fd = fileio_open(f, f->path, O_WRONLY | O_CREAT | O_EXCL, err);
        if (fd < 0)
                return fd;
        fill_random(&f->rng, buf, seq_block);
        uint64_t start = bench_now_ns();
        for (uint64_t off = 0; off < size; off += seq_block) {
                int r = pwrite_full(fd, f->path, buf,
                                    (size_t)(size - off < seq_block ? size - off : seq_block), off, err);
                if (r < 0)
                        return r;
        }
        if (fsync(fd) < 0)
                return bench_error_errno(err, errno, "fsync %s", f->path);
        uint64_t end = bench_now_ns();
        int r = drop_cache(fd, f->path, err);
        if (r < 0)
                return r;
        return wl_emit(f->ctx, "seq_write.mib_per_s", (double)size / 1048576.0 / wl_elapsed_s(start, end),
                       err);
}

static int seq_read(fileio *f, const char *path, uint64_t size, uint64_t seq_block, char *buf,
                    bench_error **err) {
        _cleanup_close_ int fd = fileio_open(f, path, O_RDONLY, err);
        if (fd < 0)
                return fd;
        int r = drop_cache(fd, path, err);
        if (r < 0)
                return r;
        uint64_t start = bench_now_ns();
        for (uint64_t off = 0; off < size; off += seq_block)
                if ((r = pread_full(fd, path, buf, (size_t)(size - off < seq_block ? size - off : seq_block),
                                    off, err)) < 0)
                        return r;
        uint64_t end = bench_now_ns();
        return wl_emit(f->ctx, "seq_read.mib_per_s", (double)size / 1048576.0 / wl_elapsed_s(start, end),
                       err);
}

static int rand_io(fileio *f, const char *path, bool write, uint64_t size, uint64_t block, uint64_t ops,
                   char *buf, double *lat_us, bench_error **err) {
        _cleanup_close_ int fd = fileio_open(f, path, write ? O_WRONLY : O_RDONLY, err);
        if (fd < 0)
                return fd;
        int r = drop_cache(fd, path, err);
        if (r < 0)
                return r;
        if (write)
                fill_random(&f->rng, buf, block);
        uint64_t nblocks = size / block;
        uint64_t start = bench_now_ns();
        for (uint64_t i = 0; i < ops; i++) {
                uint64_t off = bench_rng_below(&f->rng, nblocks) * block;
                uint64_t t0 = bench_now_ns();
                r = write ? pwrite_full(fd, path, buf, (size_t)block, off, err)
                          : pread_full(fd, path, buf, (size_t)block, off, err);
                if (r < 0)
                        return r;
                lat_us[i] = (double)(bench_now_ns() - t0) / 1e3;
        }
        /* the writes count once they are durable */
        if (write && fdatasync(fd) < 0)
                return bench_error_errno(err, errno, "fdatasync %s", path);
        uint64_t end = bench_now_ns();
        return emit_latencies(f->ctx, write ? "rand_write" : "rand_read", lat_us, (size_t)ops,
                              wl_elapsed_s(start, end), err);
}

static int fileio_run(wl_ctx *ctx, bench_error **err) {
        uint64_t size = wl_param_size(ctx, "size");
        uint64_t block = wl_param_size(ctx, "block");
        uint64_t seq_block = wl_param_size(ctx, "seq_block");
        uint64_t ops = wl_param_uint(ctx, "ops");
        bool direct = wl_param_bool(ctx, "direct");

        if (block > size)
                return bench_error_set(err, EINVAL, "block (%llu) must not exceed size (%llu)",
                                       (unsigned long long)block, (unsigned long long)size);
        if (direct && (size % ALIGN || seq_block % ALIGN || block % 512))
                return bench_error_set(err, EINVAL,
                                       "direct=true needs size and seq_block multiples of 4K and block a "
                                       "multiple of 512");

        _cleanup_(fileio_cleanup) fileio f = {.ctx = ctx, .direct = direct};
        bench_rng_seed(&f.rng, ctx->seed);
        const char *wdir = ctx->dir;
        _cleanup_free_ char *upper = NULL;
        if (wl_param_uint(ctx, "depth") > 0 || wl_param_bool(ctx, "bottom")) {
                int r = wl_layers_big_file(ctx, wl_layers_depth(ctx), size, &f.lower, err);
                if (r < 0)
                        return r;
                /* a new file in the stack's tree: in a container it lands in the upper layer */
                if (asprintf(&upper, "%s/bench", wl_data_root) < 0) {
                        upper = NULL;
                        return bench_error_set(err, ENOMEM, "out of memory");
                }
                wdir = upper;
        }
        _cleanup_free_ char *tmpl = NULL;
        if (asprintf(&tmpl, "%s/bench-fileio.XXXXXX", wdir) < 0)
                return bench_error_set(err, ENOMEM, "out of memory");
        if (!mkdtemp(tmpl))
                return bench_error_errno(err, errno, "cannot create a directory in %s", wdir);
        f.subdir = steal_pointer(&tmpl);
        if (asprintf(&f.path, "%s/data", f.subdir) < 0) {
                f.path = NULL;
                return bench_error_set(err, ENOMEM, "out of memory");
        }

        uint64_t buf_len = seq_block > block ? seq_block : block;
        _cleanup_free_ char *buf = NULL;
        if (posix_memalign((void **)&buf, ALIGN, (size_t)((buf_len + ALIGN - 1) / ALIGN * ALIGN)))
                return bench_error_set(err, ENOMEM, "cannot allocate an I/O buffer of %llu bytes",
                                       (unsigned long long)buf_len);
        _cleanup_free_ double *lat_us = calloc((size_t)ops, sizeof(double));
        if (!lat_us)
                return bench_error_set(err, ENOMEM, "cannot allocate %llu latency slots",
                                       (unsigned long long)ops);

        /* the reads use the lower file if there is one, the writes always our own */
        const char *rpath = f.lower ? f.lower : f.path;
        int r;
        if ((r = seq_write(&f, size, seq_block, buf, err)) < 0 ||
            (r = seq_read(&f, rpath, size, seq_block, buf, err)) < 0 ||
            (r = rand_io(&f, rpath, false, size, block, ops, buf, lat_us, err)) < 0 ||
            (r = rand_io(&f, f.path, true, size, block, ops, buf, lat_us, err)) < 0)
                return r;
        return 0;
}

const wl_spec wl_fileio_spec = {
        .name = "fileio",
        .summary = "sequential and random file I/O",
        .flags = WL_NEEDS_DIR,
        .params = fileio_params,
        .metrics = fileio_metrics,
        .run = fileio_run,
};
