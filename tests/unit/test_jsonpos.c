/* SPDX-License-Identifier: MIT */
/* Positions in JSON text (common/jsonpos): paths, locating, the syntax check. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../../common/jsonpos.h"

static void test_json_locate(void **state) {
        const char *text = "{\n"
                           "  \"a\": 1,\n"
                           "  \"w\": [\n"
                           "    {\"kind\": \"x\"},\n"
                           "    {\"k\\u0069nd\": \"y\", \"n\": [10, [20, 30]]}\n"
                           "  ],\n"
                           "  \"\xc3\xa9\": \"z\", \"b\": true\n"
                           "}\n";
        unsigned l = 0, c = 0;
        assert_int_equal(json_locate(text, "", &l, &c), 0);
        assert_int_equal(l, 1);
        assert_int_equal(c, 1);
        assert_int_equal(json_locate(text, "a", &l, &c), 0);
        assert_int_equal(l, 2);
        assert_int_equal(c, 8);
        assert_int_equal(json_locate(text, "w[0].kind", &l, &c), 0);
        assert_int_equal(l, 4);
        assert_int_equal(c, 14);
        /* the escaped key \u0069 is "i": matched decoded, as cJSON reads it */
        assert_int_equal(json_locate(text, "w[1].kind", &l, &c), 0);
        assert_int_equal(l, 5);
        assert_int_equal(c, 19);
        assert_int_equal(json_locate(text, "w[1].n[1][1]", &l, &c), 0);
        assert_int_equal(l, 5);
        assert_int_equal(c, 39);
        /* columns count characters: the two-byte é is one column */
        assert_int_equal(json_locate(text, "b", &l, &c), 0);
        assert_int_equal(l, 7);
        assert_int_equal(c, 18);
        assert_int_equal(json_locate(text, "w", &l, &c), 0);
        assert_int_equal(l, 3);
        assert_int_equal(c, 8);
        assert_int_equal(json_locate(text, "w[2]", &l, &c), -ENOENT);
        assert_int_equal(json_locate(text, "nope", &l, &c), -ENOENT);
        assert_int_equal(json_locate(text, "a.b", &l, &c), -ENOENT);
        assert_int_equal(json_locate(text, "w[x]", &l, &c), -ENOENT);
}

static void test_path(void **state) {
        json_path p = {0};
        char buf[64];
        assert_string_equal(json_path_str(&p, buf, sizeof(buf)), "");
        size_t mark = json_path_push_key(&p, "results");
        json_path_push_index(&p, 3);
        size_t inner = json_path_push_key(&p, "samples");
        json_path_push_index(&p, 12);
        assert_string_equal(json_path_str(&p, buf, sizeof(buf)), "results[3].samples[12]");
        json_path_pop(&p, inner);
        json_path q = json_path_key(p, "stats");
        assert_string_equal(json_path_str(&q, buf, sizeof(buf)), "results[3].stats");
        assert_string_equal(json_path_str(&p, buf, sizeof(buf)), "results[3]");
        json_path_pop(&p, mark);
        assert_int_equal(p.n, 0);
        /* too long for buf: cut, still a string */
        assert_int_equal(strlen(json_path_str(&q, buf, 8)), 7);
        /* deeper than JSON_PATH_MAX: the extra steps are dropped, pop still goes back */
        for (size_t i = 0; i < JSON_PATH_MAX; i++)
                json_path_push_index(&p, i);
        mark = json_path_push_key(&p, "lost");
        assert_int_equal(p.n, JSON_PATH_MAX);
        json_path_pop(&p, mark);
        assert_int_equal(p.n, JSON_PATH_MAX);
}

static void test_offset_of_keys(void **state) {
        const char *text = "{\"a\": 1, \"b\": {\"c\": 2}, \"a\": 3}";
        json_path p = json_path_key((json_path){0}, "a");
        size_t off;
        assert_int_equal(json_path_offset(text, &p, 0, 0, &off), 0);
        assert_int_equal(off, 6);
        assert_int_equal(json_path_offset(text, &p, 0, JSON_AT_KEY, &off), 0);
        assert_int_equal(off, 1);
        /* a key given twice: its second place */
        assert_int_equal(json_path_offset(text, &p, 1, JSON_AT_KEY, &off), 0);
        assert_int_equal(off, 24);
        assert_int_equal(json_path_offset(text, &p, 2, 0, &off), -ENOENT);
        json_path c = json_path_key(json_path_key((json_path){0}, "b"), "c");
        assert_int_equal(json_path_offset(text, &c, 0, 0, &off), 0);
        assert_int_equal(json_value_len(text, off), 1);
        p = (json_path){0};
        assert_int_equal(json_path_offset(text, &p, 0, 0, &off), 0);
        assert_int_equal(json_value_len(text, off), strlen(text));
        assert_int_equal(json_value_len("1e3, 2", 0), 3);
        assert_int_equal(json_value_len("oops", 0), 0);
}

static void test_syntax(void **state) {
        json_syntax_error e;
        assert_int_equal(json_check_syntax(" {\"a\": [1, 2.5e3, \"x\\u00e9\", true, null]}\n", &e), 0);
        assert_int_equal(json_check_syntax("{\"a\": [1, 2,]}", &e), -EINVAL);
        assert_int_equal(e.offset, 11);
        assert_string_equal(e.msg, "trailing comma before `]` (JSON allows none; remove the comma)");
        assert_int_equal(json_check_syntax("{\"a\": 1} x", &e), -EINVAL);
        assert_string_equal(e.msg, "unexpected text after the end of the JSON value");
        assert_int_equal(json_check_syntax("[1,\n  [2", &e), -EINVAL);
        assert_int_equal(e.offset, 8);
        unsigned l, c;
        json_line_col("[1,\n  [2", e.offset, &l, &c);
        assert_int_equal(l, 2);
        assert_int_equal(c, 5);
        assert_string_equal(e.msg, "unexpected end of file: the `[` at 2:3 is never closed");
}

/* Every cut of a document is "truncated"; a malformed one is not, even if it also ends early. */
static void test_truncated(void **state) {
        const char *doc = "{\"a\": [1, -2.5e3, \"x\\u00e9\\n\", true, null, {}], \"b\": {\"c\": false}}";
        json_syntax_error e;
        for (size_t len = 1; len < strlen(doc); len++) {
                char *cut = strndup(doc, len);
                assert_non_null(cut);
                assert_int_equal(json_check_syntax(cut, &e), -EINVAL);
                if (!e.truncated)
                        fail_msg("`%s` is not seen as cut short: %s", cut, e.msg);
                free(cut);
        }
        static const char *const malformed[] = {"",      "  ",      "tru", "[1, 2}", "{\"a\": 01, \"b\": [",
                                                "[1] [", "{\"a\" 1"};
        for (size_t i = 0; i < sizeof(malformed) / sizeof(*malformed); i++) {
                assert_int_equal(json_check_syntax(malformed[i], &e), -EINVAL);
                if (e.truncated)
                        fail_msg("`%s` is seen as cut short: %s", malformed[i], e.msg);
        }
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_json_locate),    cmocka_unit_test(test_path),
                cmocka_unit_test(test_offset_of_keys), cmocka_unit_test(test_syntax),
                cmocka_unit_test(test_truncated),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
