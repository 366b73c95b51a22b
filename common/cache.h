/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>

#include "error.h"

/*
 * Integrity of what bench caches and reuses (the VM initramfs, qcow2 chain
 * levels, the container base layer): a record beside the artefact,
 * "<sum_path>", holds its size, sha256 and identity (inode, ctime) as of
 * when it was built. A check costs one stat when the identity is unchanged
 * (any write, truncate, chmod or replacement changes the ctime), else a
 * full hash; with BENCH_CACHE_HASH_ONCE the first check of a file in this
 * process hashes it anyway (bit rot keeps the ctime).
 */
#define BENCH_CACHE_HASH_ONCE (1u << 0)

/* Hashes path and writes its record to sum_path (atomically). */
int bench_cache_record(const char *path, const char *sum_path, bench_error **err);
/*
 * 0 if path still is what its record says; -ENOENT (no record), -EBADMSG
 * (size or hash differ) or another error, with *err saying what differs.
 */
int bench_cache_verify(const char *path, const char *sum_path, unsigned flags, bench_error **err);

/*
 * What was rebuilt and why, for the harness to report once: drivers may
 * not print. bench_cache_note_take returns the oldest note (free it) or NULL.
 */
void bench_cache_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *bench_cache_note_take(void);

/*
 * bench's cache dir, made if missing: $BENCH_CACHE_DIR, else
 * /var/cache/bench (root), $XDG_CACHE_HOME/bench or ~/.cache/bench.
 * Shared by the container layers, the layer store, the VM images and the CLI.
 */
int bench_cache_dir(char **ret, bench_error **err);
