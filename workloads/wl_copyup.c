/* SPDX-License-Identifier: MIT */
/*
 * copyup: the first write and the first chmod of files in a lower layer of
 * the stack (bench/depth-D/copy/SIZE/cN, see wl_layers.c), then the second
 * write: an overlay copies the whole file up on the first, not the second.
 */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../common/util.h"
#include "agent.h"

WL_MEASURED_CODE

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

static int copyup_run(wl_ctx *ctx, bench_error **err) {
        unsigned depth = wl_layers_depth(ctx);
        char base[4096], sz[32];
        int r = wl_layers_root_dir(ctx, depth, base, sizeof(base), err);
        if (r < 0)
                return r;
        bench_format_size(wl_param_size(ctx, "size"), sz, sizeof(sz));
        char dir[4200];
        snprintf(dir, sizeof(dir), "%s/copy/%s", base, sz);
        unsigned files = (unsigned)wl_param_uint(ctx, "files");
        double first = 0, second = 0, chmods = 0;
        unsigned nw = 0, nc = 0;
        for (unsigned i = 0; i < files; i++) {
                char path[4300];
                snprintf(path, sizeof(path), "%s/c%u", dir, i);
                struct stat st;
                if (stat(path, &st) < 0)
                        return bench_error_errno(
                                err, errno,
                                "%s: the stack has no %s copy-up files at depth %u (stack `big` "
                                "sizes, `copy_files`)",
                                path, sz, depth);
                if (i % 2 == 0) {
                        /* write the first byte back as it was: an overlay copies the whole file up */
                        for (int pass = 0; pass < 2; pass++) {
                                uint64_t t0 = bench_now_ns();
                                int fd = open(path, O_RDWR | O_CLOEXEC);
                                char b;
                                if (fd < 0 || pread(fd, &b, 1, 0) != 1 || pwrite(fd, &b, 1, 0) != 1) {
                                        int e = errno;
                                        if (fd >= 0)
                                                close(fd);
                                        return bench_error_errno(err, e, "writing %s", path);
                                }
                                close(fd);
                                double ms = bench_ns_to_ms(bench_now_ns() - t0);
                                if (pass == 0)
                                        first += ms;
                                else
                                        second += ms;
                        }
                        nw++;
                } else {
                        uint64_t t0 = bench_now_ns();
                        if (chmod(path, st.st_mode & 07777) < 0)
                                return bench_error_errno(err, errno, "chmod %s", path);
                        chmods += bench_ns_to_ms(bench_now_ns() - t0);
                        nc++;
                }
        }
        if (nw && (r = wl_emit(ctx, "first_write_ms", first / nw, err)) < 0)
                return r;
        if (nw && (r = wl_emit(ctx, "second_write_ms", second / nw, err)) < 0)
                return r;
        if (nc && (r = wl_emit(ctx, "first_chmod_ms", chmods / nc, err)) < 0)
                return r;
        return 0;
}

const wl_spec wl_copyup_spec = {
        .name = "copyup",
        .summary = "first write and chmod of lower-layer files, by depth and size",
        .params = copyup_params,
        .metrics = copyup_metrics,
        .run = copyup_run,
};
