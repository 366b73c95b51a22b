/* SPDX-License-Identifier: MIT */
/* common/dl.c: libraries loaded on first use, against the real dynamic loader and libm. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <math.h>
#include <string.h>

#include "../../common/dl.h"

typedef struct math_api {
        __typeof__(&cos) cos;
        __typeof__(&sqrt) sqrt;
} math_api;

static void test_load(void **state) {
        static const bench_dl_sym syms[] = {
                BENCH_DL_SYM(math_api, cos), BENCH_DL_SYM(math_api, sqrt), {NULL}};
        math_api api = {0};
        bench_dl dl = {
                .what = "libm", .soname = "libm.so.6", .package = "libc6", .syms = syms, .table = &api};
        _cleanup_error_ bench_error *err = NULL;
        assert_int_equal(bench_dl_load(&dl, &err), 0);
        assert_null(err);
        assert_true(api.cos(0.0) == 1.0);
        assert_true(api.sqrt(16.0) == 4.0);
        /* loaded once: a second call changes nothing */
        assert_int_equal(bench_dl_load(&dl, NULL), 0);
}

static void test_missing_library(void **state) {
        static const bench_dl_sym syms[] = {BENCH_DL_SYM(math_api, cos), {NULL}};
        math_api api = {0};
        bench_dl dl = {.what = "libnothing",
                       .soname = "libbench-test-nothing.so.7",
                       .package = "libnothing7",
                       .syms = syms,
                       .table = &api};
        for (int i = 0; i < 2; i++) { /* the failure is remembered and told again */
                _cleanup_error_ bench_error *err = NULL;
                assert_int_equal(bench_dl_load(&dl, &err), -ENOENT);
                assert_non_null(err);
                assert_non_null(strstr(err->msg, "cannot load libnothing (install libnothing7): "));
                assert_non_null(strstr(err->msg, "libbench-test-nothing.so.7"));
                assert_null(api.cos);
        }
}

static void test_missing_symbol(void **state) {
        typedef struct {
                void (*bench_test_no_such_function)(void);
        } none_api;
        static const bench_dl_sym syms[] = {BENCH_DL_SYM(none_api, bench_test_no_such_function), {NULL}};
        none_api api = {0};
        bench_dl dl = {
                .what = "libm", .soname = "libm.so.6", .package = "libc6", .syms = syms, .table = &api};
        _cleanup_error_ bench_error *err = NULL;
        assert_int_equal(bench_dl_load(&dl, &err), -ENOENT);
        assert_non_null(strstr(err->msg, "libm has no bench_test_no_such_function"));
        assert_null(api.bench_test_no_such_function);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_load),
                cmocka_unit_test(test_missing_library),
                cmocka_unit_test(test_missing_symbol),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
