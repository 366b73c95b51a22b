/* SPDX-License-Identifier: MIT */
/*
 * The OCI image layout reader (runtimes/layers/import.c): index.json, the
 * manifest (or nested index) and the config it names. The input is up to
 * four NUL-separated documents: index.json, the blob sha256:1111...,
 * the blob sha256:2222..., and oci-layout (default {"imageLayoutVersion":
 * "1.0.0"}); the blob sha256:3333... is a valid one-file layer tar. Each
 * input gets a fresh layout and store, removed after it.
 */
#include "../../runtimes/layers/layers.h"
#include "fuzz.h"

#define HEX64(c)                                                                                             \
        c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c  \
                c c c c c c c c c c c c c c
static const char *const blob_names[] = {HEX64("1"), HEX64("2"), HEX64("3")};

int LLVMFuzzerInitialize(int *argc, char ***argv) {
        const char *dir = fuzz_workdir();
        char cache[4200];
        snprintf(cache, sizeof(cache), "%s/cache", dir);
        setenv("BENCH_CACHE_DIR", cache, 1);
        return 0;
}

/* A ustar archive holding `hello` (6 bytes). */
static size_t make_layer(uint8_t out[2048]) {
        memset(out, 0, 2048);
        uint8_t *h = out;
        memcpy(h, "hello", 5);
        memcpy(h + 100, "0000644", 7);
        memcpy(h + 108, "0000000", 7);
        memcpy(h + 116, "0000000", 7);
        memcpy(h + 124, "00000000006", 11);
        memcpy(h + 136, "00000000000", 11);
        h[156] = '0';
        memcpy(h + 257,
               "ustar\0"
               "00",
               8);
        memset(h + 148, ' ', 8);
        unsigned sum = 0;
        for (size_t i = 0; i < 512; i++)
                sum += h[i];
        char chk[8];
        snprintf(chk, sizeof(chk), "%06o", sum);
        memcpy(h + 148, chk, 7);
        memcpy(out + 512, "hello\n", 6);
        return 2048; /* header, data block, two zero blocks */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        const char *root = fuzz_workdir();
        char dir[4200], p[4400], store[4400];
        snprintf(dir, sizeof(dir), "%s/oci", root);
        snprintf(store, sizeof(store), "%s/cache/store", root);
        snprintf(p, sizeof(p), "%s/blobs/sha256", dir);
        if (bench_mkdir_p(p, 0700, NULL) < 0)
                fuzz_die("mkdir %s: %s", p, strerror(errno));
        /* split at NULs: index.json, blob 1, blob 2, oci-layout */
        const uint8_t *part[4] = {0};
        size_t len[4] = {0}, n = 0;
        for (size_t start = 0; n < 4 && start <= size; n++) {
                const uint8_t *z = memchr(data + start, 0, size - start);
                size_t end = z ? (size_t)(z - data) : size;
                part[n] = data + start;
                len[n] = end - start;
                start = end + 1;
        }
        snprintf(p, sizeof(p), "%s/index.json", dir);
        fuzz_write(p, part[0] ? part[0] : (const uint8_t *)"", len[0]);
        for (int i = 0; i < 2; i++) {
                snprintf(p, sizeof(p), "%s/blobs/sha256/%s", dir, blob_names[i]);
                fuzz_write(p, part[i + 1] ? part[i + 1] : (const uint8_t *)"", len[i + 1]);
        }
        uint8_t layer[2048];
        snprintf(p, sizeof(p), "%s/blobs/sha256/%s", dir, blob_names[2]);
        fuzz_write(p, layer, make_layer(layer));
        static const char layout[] = "{\"imageLayoutVersion\":\"1.0.0\"}";
        snprintf(p, sizeof(p), "%s/oci-layout", dir);
        if (part[3])
                fuzz_write(p, part[3], len[3]);
        else
                fuzz_write(p, layout, sizeof(layout) - 1);

        lay_stack st = {0};
        bench_error *err = NULL;
        int r = lay_import(dir, &st, &err);
        if (r < 0 && (!err || !err->msg))
                fuzz_die("lay_import: %s without a message", strerror(-r));
        char got[8192];
        int count = fuzz_list(store, got, sizeof(got));
        if (r == 0 && (!st.id || count != 1 || strcmp(got, st.id) != 0))
                fuzz_die("after an import of stack %s the store holds `%s`", st.id, got);
        if (r < 0 && count > 0)
                fuzz_die("a failed import (%s) left `%s` in the store", err->msg, got);
        bench_error_free(err);
        lay_stack_clear(&st);
        if (bench_rm_rf(store, NULL) < 0 || bench_rm_rf(dir, NULL) < 0)
                fuzz_die("cannot remove %s or %s", store, dir);
        return 0;
}
