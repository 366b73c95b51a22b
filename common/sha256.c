/* SPDX-License-Identifier: MIT */
#include "sha256.h"

#include <stdint.h>

void bench_sha256_init(bench_sha256 *h) {
        sha256_init(h);
}

void bench_sha256_update(bench_sha256 *h, const void *data, size_t len) {
        sha256_update(h, len, data);
}

void bench_sha256_digest(bench_sha256 *h, char out[72]) {
        static const char hex[] = "0123456789abcdef";
        uint8_t d[SHA256_DIGEST_SIZE];
        sha256_digest(h, sizeof(d), d);
        char *p = out;
        for (const char *s = "sha256:"; *s; s++)
                *p++ = *s;
        for (size_t i = 0; i < sizeof(d); i++) {
                *p++ = hex[d[i] >> 4];
                *p++ = hex[d[i] & 15];
        }
        *p = '\0';
}
