/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * The layer store: stacks of read-only layer directories, content-addressed
 * and cached under <cache>/store/<id>/ (id: 16 hex digits), each with
 * l/<n> (n = 1..N, 1 = bottom; short paths so that deep stacks still fit
 * one page of overlay options where possible), meta.json (what it is:
 * synthesized with which parameters, or imported from what, layer digests),
 * and flat/ (the merged tree, whiteouts applied, made on demand).
 *
 * Layers use overlayfs' on-disk conventions: a whiteout is a character
 * device 0/0, an opaque directory has the xattr trusted.overlay.opaque="y".
 *
 * The synthesized layout, which the depth workloads rely on. In a stack of
 * N layers, layer k holds its files under bench/depth-D with D = N - k + 1
 * (depth 1 = the top layer, depth N = the bottom one: a lookup of a depth-D
 * file passes D-1 layers above it):
 *   bench/depth-D/files/dJ/fI   `files` small files of `size` bytes in `dirs` dirs (J = I % dirs)
 *   bench/depth-D/big/SIZE      one file per `big` size ("4K", "1M", ...) for fileio
 *   bench/depth-D/copy/SIZE/cI  `copy_files` files per `big` size for copy-up
 *   bench/shadow/sI             in every layer (I = 0..7): the upper ones shadow the lower
 *   bench/depth-D/gone          created in layer k and whited out in layer k+1
 *   bench/opaque/oK             in layer K; the top layer's bench/opaque is opaque
 * Every file starts with "bench-synth seed=S layer=K PATH\n", then
 * pseudo-random bytes: the same parameters give the same bytes.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../../common/json.h"

#include "../../common/error.h"

typedef struct lay_synth {
        unsigned layers;     /* N, 1..500 */
        unsigned files;      /* small files per layer, default 100 */
        unsigned dirs;       /* directories they spread over, default 10 */
        uint64_t size;       /* small file size, default 4K */
        const uint64_t *big; /* big file sizes, default {64K} (500 layers stay ~400 MB) */
        size_t n_big;
        unsigned copy_files; /* copy-up files per big size, default 4 */
        uint64_t seed;       /* file contents, default fixed */
} lay_synth;

typedef struct lay_stack {
        char *id;      /* 16 hex digits */
        char *dir;     /* <cache>/store/<id> */
        char **layers; /* layer dirs, bottom first */
        size_t n_layers;
        cJSON *meta; /* owned */
} lay_stack;

/* Builds (or finds cached) a synthesized stack; defaults for zero fields. */
int lay_synthesize(const lay_synth *p, lay_stack *ret, bench_error **err);
/*
 * Imports an OCI image layout directory or a `docker save` tarball: each
 * layer tar (gzip, zstd or plain) extracted into a layer dir with `.wh.X`
 * turned into a whiteout and `.wh..wh..opq` into an opaque dir. Entries
 * that would escape the layer dir (`..`, absolute names, writing through a
 * symlink) are refused and nothing of the import is left in the store.
 * Absolute symlinks are kept: they resolve inside the container's root.
 */
int lay_import(const char *path, lay_stack *ret, bench_error **err);
/* A stored stack by id (or unique id prefix). */
int lay_open(const char *id, lay_stack *ret, bench_error **err);
/* The merged tree of layers 1..upto (0 = all), built once: <dir>/flat or <dir>/flat-<upto>. */
int lay_flatten(const lay_stack *s, size_t upto, char **ret_dir, bench_error **err);
/* {"stacks":[{"id","layers","source","bytes"}...]} */
int lay_list(cJSON **ret, bench_error **err);
int lay_remove(const char *id, bench_error **err);
void lay_stack_clear(lay_stack *s);
/* Whether bench synthesized it (data only, no programs), rather than imported an image. */
bool lay_stack_synthesized(const lay_stack *s);

/*
 * A stack as a suite or CLI names it: "synth:layers=32,files=100,dirs=10,
 * size=4K,big=64K+1M,copy_files=4,seed=1" (any subset), "oci:PATH" or a
 * path (imported), or a store id. Built or imported on first use, cached.
 */
int lay_stack_resolve(const char *spec, lay_stack *ret, bench_error **err);
/* Checks the form of a spec without building anything (suite validation). */
int lay_stack_check(const char *spec, bench_error **err);
