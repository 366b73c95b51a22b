/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * SHA-256, streamed: nettle's (libarchive already loads libnettle, so this
 * costs no start time, and nettle uses the CPU's SHA instructions).
 */
#include <stddef.h>

#include <nettle/sha2.h>

typedef struct sha256_ctx bench_sha256;

void bench_sha256_init(bench_sha256 *h);
void bench_sha256_update(bench_sha256 *h, const void *data, size_t len);
/* "sha256:<64 lowercase hex digits>" (an OCI digest); resets h. */
void bench_sha256_digest(bench_sha256 *h, char out[72]);
