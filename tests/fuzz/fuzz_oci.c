/* SPDX-License-Identifier: MIT */
/*
 * The OCI image layout reader (runtimes/layers/import.c): index.json, the
 * manifest (or nested index) and the config it names. The input is up to
 * four NUL-separated documents: index.json, the blob sha256:1111...,
 * the blob sha256:2222..., and oci-layout (default {"imageLayoutVersion":
 * "1.0.0"}); the blob sha256:3333... is a valid one-file layer tar. Where
 * bench verifies digests, the blobs are stored under their real sha256 and
 * the placeholders in the documents replaced by it (the layer's in the
 * config, the config's and the layer's in the manifest, all in index.json).
 * Each input gets a fresh layout and store, removed after it.
 */
#include "../../runtimes/layers/layers.h"
#include "fuzz.h"
/* where the importer verifies blobs, they are named by their real digests */
#if __has_include("../../common/sha256.h")
#include "../../common/sha256.h"
#define FUZZ_REAL_DIGESTS 1
#endif

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

/* Every placeholder hex (64 digits) in buf becomes the real one. */
static void substitute(uint8_t *buf, size_t len, const char *from, const char *to) {
        for (uint8_t *p = buf; len >= 64 && (p = memmem(p, len - (size_t)(p - buf), from, 64)); p += 64)
                memcpy(p, to, 64);
}

/* The name of a blob whose placeholder hex is `placeholder`, and the placeholders replaced. */
static void blob_name(const uint8_t *blob, size_t len, const char *placeholder, char out[65]) {
#ifdef FUZZ_REAL_DIGESTS
        bench_sha256_hex(blob, len, out);
#else
        (void)blob;
        (void)len;
        memcpy(out, placeholder, 65);
#endif
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
        uint8_t *doc[3];
        for (int i = 0; i < 3; i++) {
                doc[i] = malloc(len[i] + 1);
                if (!doc[i])
                        fuzz_die("out of memory");
                if (part[i])
                        memcpy(doc[i], part[i], len[i]);
        }
        uint8_t layer[2048];
        size_t layer_len = make_layer(layer);
        char lhex[65], chex[65], mhex[65];
        blob_name(layer, layer_len, blob_names[2], lhex);
        substitute(doc[2], len[2], blob_names[2], lhex); /* the config's diff_ids */
        blob_name(doc[2], len[2], blob_names[1], chex);
        substitute(doc[1], len[1], blob_names[2], lhex);
        substitute(doc[1], len[1], blob_names[1], chex);
        blob_name(doc[1], len[1], blob_names[0], mhex);
        substitute(doc[0], len[0], blob_names[0], mhex);
        substitute(doc[0], len[0], blob_names[1], chex);
        substitute(doc[0], len[0], blob_names[2], lhex);
        snprintf(p, sizeof(p), "%s/index.json", dir);
        fuzz_write(p, doc[0], len[0]);
        const char *names[] = {mhex, chex, lhex};
        for (int i = 0; i < 2; i++) {
                snprintf(p, sizeof(p), "%s/blobs/sha256/%s", dir, names[i]);
                fuzz_write(p, doc[i + 1], len[i + 1]);
        }
        snprintf(p, sizeof(p), "%s/blobs/sha256/%s", dir, names[2]);
        fuzz_write(p, layer, layer_len);
        for (int i = 0; i < 3; i++)
                free(doc[i]);
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
