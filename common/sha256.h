/* SPDX-License-Identifier: MIT */
#pragma once
#include <stddef.h>
#include <stdint.h>

/* SHA-256 (FIPS 180-4), for content identities (profiles, blobs). */
typedef struct bench_sha256 {
        uint32_t h[8];
        uint64_t len;
        uint8_t buf[64];
        size_t n;
} bench_sha256;

void bench_sha256_init(bench_sha256 *s);
void bench_sha256_update(bench_sha256 *s, const void *data, size_t len);
void bench_sha256_final(bench_sha256 *s, uint8_t ret_digest[32]);
/* The digest of data as 64 lowercase hex digits and a NUL. */
void bench_sha256_hex(const void *data, size_t len, char ret_hex[65]);
