/* SPDX-License-Identifier: MIT */
/*
 * Workloads by layer depth, on the tree a synthesized stack lays out
 * (runtimes/layers/layers.h): ROOT/bench/depth-D/... where depth 1 is the
 * top layer and depth N the bottom one. ROOT (--data) is "/" in a
 * container (the overlay), the flattened tree for bare, and the disk in a
 * VM — the same files everywhere. Nothing here changes what a file holds:
 * writes put back the byte that was there and chmod sets the mode it had,
 * so bare's cached tree stays as built while an overlay still copies up.
 */

#include <dirent.h>
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

WL_MEASURED_CODE

const char *wl_data_root = NULL;

/* From here on the item's metrics are tagged with depth D. */
int wl_layers_root_dir(wl_ctx *ctx, unsigned depth, char *buf, size_t len, bench_error **err) {
        if (!wl_data_root)
                return bench_error_set(
                        err, EINVAL,
                        "depth=%u needs the stack's data (--data ROOT; configurations give it with "
                        "their `stack`)",
                        depth);
        snprintf(buf, len, "%s/bench/depth-%u", wl_data_root, depth);
        struct stat st;
        if (stat(buf, &st) < 0)
                return bench_error_errno(err, errno,
                                         "no depth-%u in the stack at %s (the stack has fewer layers?)",
                                         depth, wl_data_root);
        ctx->depth = depth;
        return 0;
}

/* depth=D, or with bottom=true the deepest depth-D the stack has (so one suite sweeps stacks of any height)
 */
unsigned wl_layers_depth(const wl_ctx *ctx) {
        unsigned depth = (unsigned)wl_param_uint(ctx, "depth");
        if (!wl_param_bool(ctx, "bottom") || !wl_data_root)
                return depth;
        char dir[4096];
        snprintf(dir, sizeof(dir), "%s/bench", wl_data_root);
        DIR *d = opendir(dir);
        if (!d)
                return depth;
        struct dirent *de;
        unsigned max = 0, v;
        while ((de = readdir(d)))
                if (sscanf(de->d_name, "depth-%u", &v) == 1 && v > max)
                        max = v;
        closedir(d);
        return max ? max : depth;
}

static int cmp_size_name(const void *a, const void *b) {
        uint64_t x = 0, y = 0;
        bench_parse_size(*(char *const *)a, &x);
        bench_parse_size(*(char *const *)b, &y);
        return (x > y) - (x < y);
}

/* "64K, 1M": the big sizes the stack has at dir, smallest first ("none" if none). */
static void list_big_sizes(const char *dir, char *buf, size_t len) {
        char *names[16];
        size_t n = 0, off = 0;
        DIR *d = opendir(dir);
        struct dirent *de;
        while (d && (de = readdir(d)) && n < ELEMENTSOF(names))
                if (de->d_name[0] != '.' && (names[n] = strdup(de->d_name)))
                        n++;
        if (d)
                closedir(d);
        qsort(names, n, sizeof(char *), cmp_size_name);
        snprintf(buf, len, "none");
        for (size_t i = 0; i < n; i++) {
                int w = snprintf(buf + off, len - off, "%s%s", i ? ", " : "", names[i]);
                if (w > 0 && (size_t)w < len - off)
                        off += (size_t)w;
                free(names[i]);
        }
}

/* fileio at depth D: the stack's file of size bytes there (bench/depth-D/big/SIZE), read only. */
int wl_layers_big_file(wl_ctx *ctx, unsigned depth, uint64_t size, char **ret_path, bench_error **err) {
        char base[4096], sz[32];
        int r = wl_layers_root_dir(ctx, depth, base, sizeof(base), err);
        if (r < 0)
                return r;
        /* named as synth.c names it */
        bench_format_size(size, sz, sizeof(sz));
        _cleanup_free_ char *path = NULL;
        if (asprintf(&path, "%s/big/%s", base, sz) < 0) {
                path = NULL;
                return bench_error_set(err, ENOMEM, "out of memory");
        }
        struct stat st;
        if (stat(path, &st) < 0 || !S_ISREG(st.st_mode) || (uint64_t)st.st_size != size) {
                char dir[4200], have[256];
                snprintf(dir, sizeof(dir), "%s/big", base);
                list_big_sizes(dir, have, sizeof(have));
                return bench_error_set(err, ENOENT,
                                       "%s: the stack has no big file of %s at depth %u (%s has: "
                                       "%s); use one of those sizes, or add %s to the stack's `big=` sizes "
                                       "(synth:...,big=A+B)",
                                       ctx->spec->name, sz, depth, dir, have, sz);
        }
        *ret_path = steal_pointer(&path);
        return 0;
}

static double rate(uint64_t n, uint64_t t0, uint64_t t1) {
        return (double)n / wl_elapsed_s(t0, t1);
}

/* metadata with depth=D: open, stat and missing lookups of depth-D files, create+unlink there, readdir. */
int wl_metadata_depth_run(wl_ctx *ctx, unsigned depth, bench_error **err) {
        char base[4096];
        int r = wl_layers_root_dir(ctx, depth, base, sizeof(base), err);
        if (r < 0)
                return r;
        uint64_t want = wl_param_uint(ctx, "files");
        /* the files the stack put at this depth: files/dJ/fI */
        size_t cap = 256, n = 0;
        _cleanup_free_ char **paths = calloc(cap, sizeof(char *));
        char files_dir[4200];
        snprintf(files_dir, sizeof(files_dir), "%s/files", base);
        DIR *d = opendir(files_dir);
        if (!d || !paths) {
                if (d)
                        closedir(d);
                return bench_error_errno(err, errno ? errno : ENOMEM, "cannot read %s", files_dir);
        }
        struct dirent *de;
        while ((de = readdir(d)) && n < want) {
                if (de->d_name[0] == '.')
                        continue;
                char sub[4608];
                snprintf(sub, sizeof(sub), "%s/%s", files_dir, de->d_name);
                DIR *s = opendir(sub);
                if (!s)
                        continue;
                struct dirent *fe;
                while ((fe = readdir(s)) && n < want) {
                        if (fe->d_name[0] == '.')
                                continue;
                        if (n == cap) {
                                char **np = realloc(paths, (cap *= 2) * sizeof(char *));
                                if (!np)
                                        break;
                                paths = np;
                        }
                        if (asprintf(&paths[n], "%s/%s", sub, fe->d_name) >= 0)
                                n++;
                }
                closedir(s);
        }
        closedir(d);
        if (n == 0) {
                free(paths[0]);
                return bench_error_set(err, ENOENT, "no files at %s", files_dir);
        }
        /*
         * missing names no earlier workload in this environment looked up:
         * an agent in a container is always PID 1, and an overlay keeps what
         * it found missing
         */
        unsigned long long nonce = (unsigned long long)bench_now_ns();
        struct stat st;
        uint64_t t0 = bench_now_ns();
        for (size_t i = 0; i < n; i++)
                if (stat(paths[i], &st) < 0) {
                        r = bench_error_errno(err, errno, "stat %s", paths[i]);
                        goto out;
                }
        uint64_t t1 = bench_now_ns();
        for (size_t i = 0; i < n; i++) {
                int fd = open(paths[i], O_RDONLY | O_CLOEXEC);
                if (fd < 0) {
                        r = bench_error_errno(err, errno, "open %s", paths[i]);
                        goto out;
                }
                close(fd);
        }
        uint64_t t2 = bench_now_ns();
        /*
         * missing names in bench/shadow, a directory every layer has: an
         * overlay searches each layer's copy of it (a name missing next to
         * the depth-D files would only search the one layer that has their dir)
         */
        for (size_t i = 0; i < n; i++) {
                char miss[4608];
                snprintf(miss, sizeof(miss), "%s/bench/shadow/m%zu.%llx.missing", wl_data_root, i, nonce);
                if (stat(miss, &st) == 0 || errno != ENOENT) {
                        r = bench_error_errno(err, errno ? errno : EEXIST, "lookup %s", miss);
                        goto out;
                }
        }
        uint64_t t3 = bench_now_ns();
        /* new names next to the depth-D files: an overlay copies the directory chain up first */
        for (size_t i = 0; i < n; i++) {
                char nw[4608];
                snprintf(nw, sizeof(nw), "%s.new%d", paths[i], (int)getpid());
                int fd = open(nw, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
                if (fd < 0) {
                        r = bench_error_errno(err, errno, "create %s", nw);
                        goto out;
                }
                close(fd);
        }
        uint64_t t4 = bench_now_ns();
        for (size_t i = 0; i < n; i++) {
                char nw[4608];
                snprintf(nw, sizeof(nw), "%s.new%d", paths[i], (int)getpid());
                if (unlink(nw) < 0) {
                        r = bench_error_errno(err, errno, "unlink %s", nw);
                        goto out;
                }
        }
        uint64_t t5 = bench_now_ns();
        /* readdir of a directory every layer has: the merge is the cost */
        char shadow[4200];
        snprintf(shadow, sizeof(shadow), "%s/bench/shadow", wl_data_root);
        uint64_t entries = 0, t6 = bench_now_ns();
        for (int k = 0; k < 20; k++) {
                DIR *sd = opendir(shadow);
                if (!sd) {
                        r = bench_error_errno(err, errno, "opendir %s", shadow);
                        goto out;
                }
                while (readdir(sd))
                        entries++;
                closedir(sd);
        }
        uint64_t t7 = bench_now_ns();
        if ((r = wl_emit(ctx, "stat.ops_per_s", rate(n, t0, t1), err)) < 0 ||
            (r = wl_emit(ctx, "open.ops_per_s", rate(n, t1, t2), err)) < 0 ||
            (r = wl_emit(ctx, "miss.ops_per_s", rate(n, t2, t3), err)) < 0 ||
            (r = wl_emit(ctx, "create.ops_per_s", rate(n, t3, t4), err)) < 0 ||
            (r = wl_emit(ctx, "unlink.ops_per_s", rate(n, t4, t5), err)) < 0 ||
            (r = wl_emit(ctx, "readdir.entries_per_s", rate(entries, t6, t7), err)) < 0)
                goto out;
out:
        for (size_t i = 0; i < n; i++)
                free(paths[i]);
        return r;
}
