/* SPDX-License-Identifier: MIT */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "../../plots/numfmt.h"

/* The table: ratios without an interval, as a change and in words. */
static void test_change_table(void **state) {
        (void)state;
        static const struct {
                double ratio;
                const char *change, *ascii, *words_ms, *words_rate;
        } cases[] = {
                {1.03, "+3.0%", "+3.0%", "3.0% slower", "3.0% faster"},
                {0.97, "-3.0%", "-3.0%", "3.0% faster", "3.0% slower"},
                {8.9, "×8.9", "x8.9", "8.9× slower", "8.9× faster"},
                {10508, "×10,508", "x10,508", "10,508× slower", "10,508× faster"},
                {0.0001, "÷10,000", "/10,000", "10,000× faster", "10,000× slower"},
                {1.0, "+0.0%", "+0.0%", "unchanged", "unchanged"},
                {2.0, "+100.0%", "+100.0%", "100.0% slower", "100.0% faster"},
                {2.5, "×2.5", "x2.5", "2.5× slower", "2.5× faster"},
                {0.4, "÷2.5", "/2.5", "2.5× faster", "2.5× slower"},
                {0.5, "-50.0%", "-50.0%", "50.0% faster", "50.0% slower"},
                {1234567, "×1,234,567", "x1,234,567", "1,234,567× slower", "1,234,567× faster"},
        };
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                char buf[160];
                assert_string_equal(bench_fmt_change(cases[i].ratio, NAN, NAN, 0, buf, sizeof(buf)),
                                    cases[i].change);
                assert_string_equal(
                        bench_fmt_change(cases[i].ratio, NAN, NAN, BENCH_FMT_ASCII, buf, sizeof(buf)),
                        cases[i].ascii);
                assert_string_equal(bench_fmt_change_words(cases[i].ratio, "ms", "lower", buf, sizeof(buf)),
                                    cases[i].words_ms);
                assert_string_equal(
                        bench_fmt_change_words(cases[i].ratio, "ops/s", "higher", buf, sizeof(buf)),
                        cases[i].words_rate);
        }
        char buf[64];
        assert_string_equal(bench_fmt_change_words(1.25, "KiB", "lower", buf, sizeof(buf)), "25.0% more");
        assert_string_equal(bench_fmt_change_words(0.2, "KiB", "lower", buf, sizeof(buf)), "5.0× less");
        assert_string_equal(bench_fmt_change_words(3, "widgets", "lower", buf, sizeof(buf)), "3.0× higher");
        /* not a ratio */
        assert_string_equal(bench_fmt_change(NAN, NAN, NAN, 0, buf, sizeof(buf)), "-");
        assert_string_equal(bench_fmt_change(0, NAN, NAN, 0, buf, sizeof(buf)), "-");
        assert_string_equal(bench_fmt_change(-2, NAN, NAN, 0, buf, sizeof(buf)), "-");
        assert_string_equal(bench_fmt_change(INFINITY, NAN, NAN, 0, buf, sizeof(buf)), "-");
}

/* Digits follow the interval's half-width; the bounds are shown like the point. */
static void test_change_interval(void **state) {
        (void)state;
        static const struct {
                double ratio, lo, hi;
                const char *text;
        } cases[] = {
                /* +-0.4%: tenths (one digit of a half-width of 4..9) */
                {1.0305, 1.026, 1.034, "+3.0% [+2.6, +3.4]"},
                /* +-4%: whole percent */
                {1.12, 1.08, 1.16, "+12% [+8, +16]"},
                /* +-0.04%: hundredths */
                {1.0031, 1.0027, 1.0035, "+0.31% [+0.27, +0.35]"},
                /* within the noise: the digits are the interval's (+-3: two digits, 10..35) */
                {1.002, 0.97, 1.03, "+0.2% [-3.0, +3.0]"},
                /* the VM start, "+1050723.9% [+763978.9, +1318693.6]" before: +-2,774, two digits */
                {10508.239, 7640.789, 13187.936, "×10,500 [×7,600, ×13,200]"},
                {8.9, 8.4, 9.4, "×8.9 [×8.4, ×9.4]"},
                /* a factor keeps its magnitude in a wide interval (was "×0 [×0, ×160,000]") */
                {2392, 2.9, 160000, "×2,400 [×2.9, ×160,000]"},
                {3.9, 2.9, 4.9, "×3.9 [×2.9, ×4.9]"},
                /* a quotient: bounds in the ratio's order */
                {0.1, 0.05, 0.2, "÷10 [÷20, ÷5.0]"},
                /* a very tight interval: no more than 1e-4 of precision */
                {1.5, 1.4999999, 1.5000001, "+50.00% [+50.00, +50.00]"},
        };
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                char buf[160];
                assert_string_equal(
                        bench_fmt_change_ci(cases[i].ratio, cases[i].lo, cases[i].hi, 0, buf, sizeof(buf)),
                        cases[i].text);
        }
        /* no interval: the point alone */
        char buf[160];
        assert_string_equal(bench_fmt_change_ci(1.03, NAN, NAN, 0, buf, sizeof(buf)), "+3.0%");
        /* a buffer too small is cut, never overrun */
        char tiny[6];
        bench_fmt_change_ci(10508.239, 7640.789, 13187.936, 0, tiny, sizeof(tiny));
        assert_true(strlen(tiny) < sizeof(tiny));
}

static void test_quantity(void **state) {
        (void)state;
        static const struct {
                double v;
                const char *unit;
                double half;
                const char *text;
        } cases[] = {
                {1798.4, "ms", NAN, "1.80 s"},
                {0.512, "ms", NAN, "512 µs"},
                {36.7, "ms", NAN, "36.7 ms"},
                {0.0009, "ms", NAN, "900 ns"},
                {231483, "KiB", NAN, "226 MiB"},
                {512, "KiB", NAN, "512 KiB"},
                {3 * 1024.0 * 1024, "KiB", NAN, "3.00 GiB"},
                {12345, "ops/s", NAN, "12,345 ops/s"},
                {17500, "MB/s", NAN, "17.5 GB/s"},
                {850, "MB/s", NAN, "850 MB/s"},
                {2048, "MiB/s", NAN, "2.00 GiB/s"},
                {4.25, "us", NAN, "4.25 µs"},
                {0, "ms", NAN, "0 ms"},
                {7, "", NAN, "7.00"},
                /* digits from the interval */
                {1798.4, "ms", 120, "1.80 s"},
                {1798.4, "ms", 400, "1.8 s"},
                {1798.4, "ms", 3, "1.798 s"},
                /* no fifth digit from a narrow interval */
                {196757, "KiB", 15, "192.1 MiB"},
                {NAN, "ms", NAN, "-"},
        };
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                char buf[96];
                assert_string_equal(
                        bench_fmt_quantity(cases[i].v, cases[i].unit, cases[i].half, 0, buf, sizeof(buf)),
                        cases[i].text);
        }
        char buf[96];
        assert_string_equal(bench_fmt_quantity(4.25, "us", NAN, BENCH_FMT_ASCII, buf, sizeof(buf)),
                            "4.25 us");
        assert_string_equal(bench_fmt_difference(128000, "KiB", NAN, 0, buf, sizeof(buf)), "+125 MiB");
        assert_string_equal(bench_fmt_difference(-0.3, "ms", NAN, 0, buf, sizeof(buf)), "-300 µs");
        assert_string_equal(bench_fmt_difference(-0.0001, "widgets", 1, 0, buf, sizeof(buf)), "+0.0 widgets");
        /* an interval's bounds, each scaled, at the interval's digits */
        assert_string_equal(bench_fmt_difference_bounds(293, 684, "KiB", 0, buf, sizeof(buf)),
                            "[+290 KiB, +680 KiB]");
        assert_string_equal(bench_fmt_difference_bounds(-0.4, 1.2, "ms", 0, buf, sizeof(buf)),
                            "[-400 µs, +1.2 ms]");
        assert_string_equal(bench_fmt_difference_bounds(NAN, 1, "ms", 0, buf, sizeof(buf)), "-");
}

static void test_number(void **state) {
        (void)state;
        char buf[64];
        assert_string_equal(bench_fmt_number(10508.2, buf, sizeof(buf)), "10,508");
        assert_string_equal(bench_fmt_number(-1234567, buf, sizeof(buf)), "-1,234,567");
        assert_string_equal(bench_fmt_number(3.14159, buf, sizeof(buf)), "3.142");
        assert_string_equal(bench_fmt_number(NAN, buf, sizeof(buf)), "-");
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_change_table),
                cmocka_unit_test(test_change_interval),
                cmocka_unit_test(test_quantity),
                cmocka_unit_test(test_number),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
