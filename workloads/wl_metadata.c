/* SPDX-License-Identifier: MIT */
/*
 * metadata: create, open, stat and unlink `files` empty files in a fresh
 * subdirectory, each phase in its own random order (never the creation
 * order, which some filesystems favour). The subdirectory is removed in
 * any case.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../common/cleanup.h"
#include "../common/util.h"
#include "agent.h"

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
        {"create.ops_per_s", "ops/s", "higher", "open(O_CREAT|O_EXCL)+close of new empty files",
         .headline = "Metadata: create"},
        {"open.ops_per_s", "ops/s", "higher", "open+close of existing files"},
        {"stat.ops_per_s", "ops/s", "higher", "stat of existing files", .headline = "Metadata: stat"},
        {"unlink.ops_per_s", "ops/s", "higher", "unlink of the files"},
        {"miss.ops_per_s", "ops/s", "higher",
         "depth D: lookups of missing names in a directory every layer has (all are searched)"},
        {"readdir.entries_per_s", "entries/s", "higher", "depth D: readdir of a directory every layer has"},
        {0},
};

#define NAME_LEN 24 /* "f" + up to 20 digits + NUL */

typedef struct metadata {
        char *subdir;
        int dfd;
        char *names; /* files * NAME_LEN */
        size_t files;
} metadata;

static const char *name_of(const metadata *m, size_t i) {
        return m->names + i * NAME_LEN;
}

static void metadata_cleanup(metadata *m) {
        if (m->dfd >= 0 && m->names)
                for (size_t i = 0; i < m->files; i++)
                        unlinkat(m->dfd, name_of(m, i), 0); /* ENOENT where already gone */
        if (m->dfd >= 0)
                close(m->dfd);
        if (m->subdir) {
                rmdir(m->subdir);
                free(m->subdir);
        }
        free(m->names);
}

static void shuffle(bench_rng *rng, size_t *order, size_t n) {
        for (size_t i = 0; i < n; i++)
                order[i] = i;
        for (size_t i = n - 1; i > 0; i--) { /* Fisher-Yates */
                size_t j = (size_t)bench_rng_below(rng, i + 1);
                size_t t = order[i];
                order[i] = order[j];
                order[j] = t;
        }
}

enum { P_CREATE, P_OPEN, P_STAT, P_UNLINK, P_N };
static const char *const phase_metric[P_N] = {"create.ops_per_s", "open.ops_per_s", "stat.ops_per_s",
                                              "unlink.ops_per_s"};
static const char *const phase_verb[P_N] = {"create", "open", "stat", "unlink"};

static int one_op(metadata *m, int phase, const char *name) {
        struct stat st;
        int fd;
        switch (phase) {
        case P_CREATE:
                fd = openat(m->dfd, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
                return fd < 0 ? -errno : close(fd) < 0 ? -errno : 0;
        case P_OPEN:
                fd = openat(m->dfd, name, O_RDONLY | O_CLOEXEC);
                return fd < 0 ? -errno : close(fd) < 0 ? -errno : 0;
        case P_STAT:
                return fstatat(m->dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0 ? -errno : 0;
        case P_UNLINK:
                return unlinkat(m->dfd, name, 0) < 0 ? -errno : 0;
        }
        return -EINVAL;
}

static int metadata_run(wl_ctx *ctx, bench_error **err) {
        /* at a depth of a layer stack instead of in a fresh scratch dir */
        if (wl_param_uint(ctx, "depth") > 0 || wl_param_bool(ctx, "bottom"))
                return wl_metadata_depth_run(ctx, wl_layers_depth(ctx), err);
        uint64_t files = wl_param_uint(ctx, "files");
        _cleanup_(metadata_cleanup) metadata m = {.dfd = -1};

        _cleanup_free_ char *tmpl = NULL;
        if (asprintf(&tmpl, "%s/bench-metadata.XXXXXX", ctx->dir) < 0)
                return bench_error_set(err, ENOMEM, "out of memory");
        if (!mkdtemp(tmpl))
                return bench_error_errno(err, errno, "cannot create a directory in %s", ctx->dir);
        m.subdir = steal_pointer(&tmpl);
        m.dfd = open(m.subdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (m.dfd < 0)
                return bench_error_errno(err, errno, "cannot open %s", m.subdir);

        m.names = calloc((size_t)files, NAME_LEN);
        _cleanup_free_ size_t *order = calloc((size_t)files, sizeof(size_t));
        if (!m.names || !order)
                return bench_error_set(err, ENOMEM, "cannot allocate names for %llu files",
                                       (unsigned long long)files);
        m.files = (size_t)files;
        for (size_t i = 0; i < m.files; i++)
                snprintf(m.names + i * NAME_LEN, NAME_LEN, "f%zu", i);

        bench_rng rng;
        bench_rng_seed(&rng, ctx->seed);
        for (int phase = 0; phase < P_N; phase++) {
                shuffle(&rng, order, m.files);
                uint64_t start = bench_now_ns();
                for (size_t i = 0; i < m.files; i++) {
                        const char *name = name_of(&m, order[i]);
                        int r = one_op(&m, phase, name);
                        if (r < 0)
                                return bench_error_errno(err, r, "%s %s/%s", phase_verb[phase], m.subdir,
                                                         name);
                }
                uint64_t end = bench_now_ns();
                int r = wl_emit(ctx, phase_metric[phase], (double)m.files / wl_elapsed_s(start, end), err);
                if (r < 0)
                        return r;
        }
        return 0;
}

const wl_spec wl_metadata_spec = {
        .name = "metadata",
        .summary = "file create/open/stat/unlink rates",
        .flags = WL_NEEDS_DIR,
        .params = metadata_params,
        .metrics = metadata_metrics,
        .run = metadata_run,
};
