/* SPDX-License-Identifier: MIT */
/* common/sha256.c against FIPS 180-4 / coreutils, and common/cache.c records and checks. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../common/cache.h"
#include "../../common/cleanup.h"
#include "../../common/sha256.h"
#include "../../common/util.h"

static void hex_of(const void *data, size_t len, char hex[65]) {
        bench_sha256 c;
        bench_sha256_init(&c);
        bench_sha256_update(&c, data, len);
        bench_sha256_final_hex(&c, hex);
}

static void test_sha256_vectors(void **state) {
        char hex[65];
        hex_of("", 0, hex);
        assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        hex_of("abc", 3, hex);
        assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        const char *two = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
        hex_of(two, strlen(two), hex);
        assert_string_equal(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
        /* a million 'a', fed in odd pieces: the buffering across blocks */
        bench_sha256 c;
        bench_sha256_init(&c);
        char a[997];
        memset(a, 'a', sizeof(a));
        size_t left = 1000000;
        while (left) {
                size_t n = left < sizeof(a) ? left : sizeof(a);
                bench_sha256_update(&c, a, n);
                left -= n;
        }
        bench_sha256_final_hex(&c, hex);
        assert_string_equal(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

/* A file of n bytes; its sha256 by coreutils, an implementation independent of bench. */
static void make_file(const char *path, size_t n, char want[65]) {
        FILE *f = fopen(path, "w");
        assert_non_null(f);
        for (size_t i = 0; i < n; i++)
                fputc((int)((i * 131 + i / 7) & 0xff), f);
        assert_int_equal(fclose(f), 0);
        char cmd[512];
        snprintf(cmd, sizeof(cmd), "sha256sum '%s'", path);
        FILE *p = popen(cmd, "r");
        assert_non_null(p);
        assert_int_equal(fscanf(p, "%64s", want), 1);
        pclose(p);
}

static void test_cache_record_verify(void **state) {
        char dir[] = "/tmp/bench-test-cache-XXXXXX";
        assert_non_null(mkdtemp(dir));
        char path[256], sum[256], want[65], got[65];
        snprintf(path, sizeof(path), "%s/artefact", dir);
        snprintf(sum, sizeof(sum), "%s/artefact.sum", dir);
        make_file(path, 3 * 1000 * 1000 + 17, want);
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
        uint64_t len = 0;
        assert_int_equal(bench_sha256_fd(fd, got, &len, NULL), 0);
        assert_string_equal(got, want);
        assert_int_equal(len, 3 * 1000 * 1000 + 17);

        bench_error *err = NULL;
        /* no record yet */
        assert_int_equal(bench_cache_verify(path, sum, 0, &err), -ENOENT);
        assert_non_null(strstr(err->msg, "has no integrity record"));
        bench_error_free(err);
        err = NULL;
        assert_int_equal(bench_cache_record(path, sum, NULL), 0);
        _cleanup_free_ char *text = NULL;
        assert_int_equal(bench_read_file(sum, &text, NULL, NULL), 0);
        assert_non_null(strstr(text, want));
        assert_int_equal(bench_cache_verify(path, sum, 0, NULL), 0);
        assert_int_equal(bench_cache_verify(path, sum, BENCH_CACHE_HASH_ONCE, NULL), 0);

        /* a chmod changes the identity, not the content: still good */
        assert_int_equal(chmod(path, 0600), 0);
        assert_int_equal(bench_cache_verify(path, sum, 0, NULL), 0);

        /* truncated: the size says so */
        assert_int_equal(truncate(path, 1000000), 0);
        assert_int_equal(bench_cache_verify(path, sum, 0, &err), -EBADMSG);
        assert_non_null(strstr(err->msg, "truncated"));
        bench_error_free(err);
        err = NULL;

        /* one byte changed in place, same size: the hash says so */
        make_file(path, 3 * 1000 * 1000 + 17, want);
        assert_int_equal(bench_cache_record(path, sum, NULL), 0);
        _cleanup_close_ int wfd = open(path, O_WRONLY | O_CLOEXEC);
        assert_true(wfd >= 0);
        assert_int_equal(pwrite(wfd, "X", 1, 123456), 1);
        assert_int_equal(bench_cache_verify(path, sum, 0, &err), -EBADMSG);
        assert_non_null(strstr(err->msg, "sha256"));
        bench_error_free(err);
        err = NULL;

        /* a damaged record is refused, not trusted */
        FILE *f = fopen(sum, "w");
        assert_non_null(f);
        fputs("bench-cache-1 size=12\n", f);
        fclose(f);
        assert_int_equal(bench_cache_verify(path, sum, 0, &err), -EBADMSG);
        bench_error_free(err);

        char cmd[300];
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
        assert_int_equal(system(cmd), 0);
}

static void test_cache_notes(void **state) {
        assert_null(bench_cache_note_take());
        bench_cache_note("rebuilt %s", "a");
        bench_cache_note("rebuilt %s", "b");
        char *m = bench_cache_note_take();
        assert_string_equal(m, "rebuilt a");
        free(m);
        m = bench_cache_note_take();
        assert_string_equal(m, "rebuilt b");
        free(m);
        assert_null(bench_cache_note_take());
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_sha256_vectors),
                cmocka_unit_test(test_cache_record_verify),
                cmocka_unit_test(test_cache_notes),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
