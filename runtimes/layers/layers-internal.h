/* SPDX-License-Identifier: MIT */
#pragma once

/* Shared by store.c, synth.c and import.c: ids, the build-then-rename protocol, tree helpers. */

#include <stdbool.h>
#include <stdint.h>

#include "layers.h"

#define LAY_MAX_LAYERS 500
#define LAY_FNV_OFFSET 0xcbf29ce484222325ull
#define LAY_OPAQUE_XATTR "trusted.overlay.opaque"

uint64_t lay_fnv1a(uint64_t h, const void *data, size_t len);
/* 16 lowercase hex digits */
void lay_format_id(uint64_t h, char out[17]);

/* <cache>/store, created if missing. */
int lay_store_dir(char **ret, bench_error **err);

/*
 * A stack being built: <store>/.tmp-XXXXXX, flock()ed while its builder
 * lives, so a later build can tell a dead builder's leftovers (and remove
 * them) from a live one's.
 */
typedef struct lay_build {
        char *store;
        char *tmp;
        int lock_fd;
} lay_build;
int lay_build_begin(lay_build *b, bench_error **err);
/* Writes meta.json (adds "id"), renames the temp dir to <store>/<id> and opens it; aborts on failure. */
int lay_build_commit(lay_build *b, const char *id, cJSON *meta, lay_stack *ret, bench_error **err);
/* Removes the temp dir; accepts a zeroed or committed build. */
void lay_build_abort(lay_build *b);

/* <store>/<id> if it exists (-ENOENT, no message, if not). */
int lay_stack_load(const char *store, const char *id, lay_stack *ret, bench_error **err);

/*
 * The free space an import or flatten may use on the store's filesystem:
 * all but a reserve (1/50 of it, 16M to 1G). take() counts bytes before
 * they are written and refuses (-ENOSPC, saying what is needed and what is
 * free) what would eat into the reserve, so a bomb stops early.
 */
typedef struct lay_space {
        const char *dir; /* borrowed */
        uint64_t reserve, avail, room, used, next_check;
} lay_space;
int lay_space_init(lay_space *s, const char *dir, bench_error **err);
int lay_space_take(lay_space *s, uint64_t bytes, const char *what, bench_error **err);

/* Removes name under dirfd whatever it is (trees too); ENOENT is fine. */
int lay_remove_at(int dirfd, const char *name);
