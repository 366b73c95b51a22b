/* SPDX-License-Identifier: MIT */
#include "sha256.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "util.h"

void bench_sha256_init(bench_sha256 *h) {
        sha256_init(h);
}

void bench_sha256_update(bench_sha256 *h, const void *data, size_t len) {
        sha256_update(h, len, data);
}

void bench_sha256_final(bench_sha256 *h, uint8_t ret_digest[32]) {
        sha256_digest(h, SHA256_DIGEST_SIZE, ret_digest);
}

static void to_hex(const uint8_t d[SHA256_DIGEST_SIZE], char *out) {
        static const char hex[] = "0123456789abcdef";
        for (size_t i = 0; i < SHA256_DIGEST_SIZE; i++) {
                *out++ = hex[d[i] >> 4];
                *out++ = hex[d[i] & 15];
        }
        *out = '\0';
}

void bench_sha256_final_hex(bench_sha256 *h, char ret_hex[65]) {
        uint8_t d[SHA256_DIGEST_SIZE];
        bench_sha256_final(h, d);
        to_hex(d, ret_hex);
}

void bench_sha256_digest(bench_sha256 *h, char out[72]) {
        memcpy(out, "sha256:", 7);
        bench_sha256_final_hex(h, out + 7);
}

void bench_sha256_hex(const void *data, size_t len, char ret_hex[65]) {
        bench_sha256 h;
        bench_sha256_init(&h);
        bench_sha256_update(&h, data, len);
        bench_sha256_final_hex(&h, ret_hex);
}

int bench_sha256_fd(int fd, char ret_hex[65], uint64_t *ret_len, bench_error **err) {
        size_t cap = 1 << 20;
        _cleanup_free_ uint8_t *buf = malloc(cap);
        if (!buf)
                return bench_error_set(err, ENOMEM, "out of memory");
        bench_sha256 c;
        bench_sha256_init(&c);
        uint64_t off = 0;
        for (;;) {
                ssize_t n = bench_pread_all(fd, buf, cap, off);
                if (n < 0)
                        return bench_error_errno(err, (int)-n, "cannot read at offset %llu",
                                                 (unsigned long long)off);
                bench_sha256_update(&c, buf, (size_t)n);
                off += (uint64_t)n;
                if ((size_t)n < cap)
                        break;
        }
        bench_sha256_final_hex(&c, ret_hex);
        if (ret_len)
                *ret_len = off;
        return 0;
}
