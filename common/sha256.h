/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * SHA-256, streamed, for content identities and integrity checks (image
 * blobs, cached artefacts, seccomp profiles). nettle's: it has no
 * dependencies of its own (linked statically: only its SHA-256 comes in),
 * and it uses the CPU's SHA instructions (about 1.5 GB/s here against ~0.3
 * for portable C).
 */
#include <stddef.h>
#include <stdint.h>

#include <nettle/sha2.h>

#include "error.h"

typedef struct sha256_ctx bench_sha256;

void bench_sha256_init(bench_sha256 *h);
void bench_sha256_update(bench_sha256 *h, const void *data, size_t len);
/* The 32 digest bytes; resets h. */
void bench_sha256_final(bench_sha256 *h, uint8_t ret_digest[32]);
/* "sha256:<64 lowercase hex digits>" (an OCI digest); resets h. */
void bench_sha256_digest(bench_sha256 *h, char out[72]);
/* 64 lowercase hex digits and a NUL; resets h. */
void bench_sha256_final_hex(bench_sha256 *h, char ret_hex[65]);
/* The digest of data, as 64 lowercase hex digits and a NUL. */
void bench_sha256_hex(const void *data, size_t len, char ret_hex[65]);
/* Hashes fd from offset 0 to its end; the byte count in *ret_len. */
int bench_sha256_fd(int fd, char ret_hex[65], uint64_t *ret_len, bench_error **err);
