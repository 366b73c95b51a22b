/* SPDX-License-Identifier: MIT */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "error.h"

/* SHA-256 (FIPS 180-4), for checking what bench cached or was given. */
typedef struct bench_sha256 {
        uint32_t h[8];
        uint64_t len; /* bytes so far */
        uint8_t buf[64];
        size_t n; /* bytes in buf */
} bench_sha256;

void bench_sha256_init(bench_sha256 *c);
void bench_sha256_update(bench_sha256 *c, const void *data, size_t len);
/* The digest as 64 lowercase hex digits and a NUL. */
void bench_sha256_hex(bench_sha256 *c, char ret_hex[65]);
/* Hashes fd from offset 0 to its end; the byte count in *ret_len. */
int bench_sha256_fd(int fd, char ret_hex[65], uint64_t *ret_len, bench_error **err);
