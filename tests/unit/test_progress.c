/* SPDX-License-Identifier: MIT */
/* The progress arithmetic of `bench run` (harness/progress.c): percent, ETA, durations. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>

#include "../../harness/progress.h"

#define S (1000000000ull)

static void test_percent(void **state) {
        (void)state;
        progress p;
        assert_int_equal(progress_init(&p, 2), 0);
        /* nothing planned: done */
        assert_int_equal(progress_percent(&p), 100);
        progress_plan(&p, 0, 3);
        progress_plan(&p, 1, 1);
        assert_int_equal(progress_planned(&p), 4);
        assert_int_equal(progress_percent(&p), 0);
        progress_done(&p, 0, S);
        assert_int_equal(progress_percent(&p), 25);
        progress_done(&p, 0, S);
        progress_done(&p, 0, S);
        /* 3 of 4: rounded down, 100 only at the end */
        assert_int_equal(progress_percent(&p), 75);
        progress_done(&p, 1, S);
        assert_int_equal(progress_percent(&p), 100);
        /* a unit beyond the plan grows it: never above 100 */
        progress_done(&p, 1, S);
        assert_int_equal(progress_planned(&p), 5);
        assert_int_equal(progress_percent(&p), 100);
        progress_clear(&p);
}

static void test_eta(void **state) {
        (void)state;
        progress p;
        assert_int_equal(progress_init(&p, 3), 0);
        progress_plan(&p, 0, 4); /* startup: 4 starts */
        progress_plan(&p, 1, 2); /* the other workloads: 2 environments */
        /* nothing done: nothing to learn from */
        assert_true(progress_eta_s(&p) < 0);
        assert_true(progress_unit_s(&p, 0) < 0);
        progress_done(&p, 0, 2 * S);
        /* key 0: 3 left at 2 s; key 1 has none done: the others' mean, 2 s, for its 2 */
        assert_true(fabs(progress_eta_s(&p) - 10.0) < 1e-9);
        progress_done(&p, 1, 10 * S);
        /* key 0: 3 × 2 s, key 1: 1 × 10 s */
        assert_true(fabs(progress_eta_s(&p) - 16.0) < 1e-9);
        /* the first unit built images: once there are others, the mean leaves it out */
        progress_done(&p, 0, 1 * S);
        assert_true(fabs(progress_unit_s(&p, 0) - 1.0) < 1e-9);
        assert_true(fabs(progress_eta_s(&p) - (2 * 1.0 + 10.0)) < 1e-9);
        /* a key never planned costs nothing */
        assert_true(fabs(progress_unit_s(&p, 2) - (1.0 * 2 + 10.0) / 3) < 1e-9);
        /* a failure left a key's units out: replanned, they leave the ETA and the percent */
        progress_replan(&p, 0, 0);
        assert_int_equal(progress_planned(&p), 2 + 2);
        assert_true(fabs(progress_eta_s(&p) - 10.0) < 1e-9);
        progress_done(&p, 1, 10 * S);
        assert_true(fabs(progress_eta_s(&p)) < 1e-9);
        assert_int_equal(progress_percent(&p), 100);
        /* out of range keys are ignored, not written */
        progress_done(&p, 7, S);
        progress_plan(&p, 7, 1);
        progress_replan(&p, 7, 1);
        assert_int_equal(progress_planned(&p), 4);
        progress_clear(&p);
}

static void test_format(void **state) {
        (void)state;
        char b[32];
        assert_string_equal(progress_format_s(-1, b, sizeof(b)), "?");
        assert_string_equal(progress_format_s(0, b, sizeof(b)), "0.0 s");
        assert_string_equal(progress_format_s(2.04, b, sizeof(b)), "2.0 s");
        assert_string_equal(progress_format_s(12.4, b, sizeof(b)), "12 s");
        assert_string_equal(progress_format_s(59.4, b, sizeof(b)), "59 s");
        assert_string_equal(progress_format_s(59.6, b, sizeof(b)), "1 min 00 s");
        assert_string_equal(progress_format_s(200, b, sizeof(b)), "3 min 20 s");
        assert_string_equal(progress_format_s(3599.4, b, sizeof(b)), "59 min 59 s");
        assert_string_equal(progress_format_s(3600, b, sizeof(b)), "1 h 00 min");
        assert_string_equal(progress_format_s(7500, b, sizeof(b)), "2 h 05 min");
        /* a short buffer is cut, not overrun */
        char small[4];
        assert_string_equal(progress_format_s(200, small, sizeof(small)), "3 m");
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_percent),
                cmocka_unit_test(test_eta),
                cmocka_unit_test(test_format),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
