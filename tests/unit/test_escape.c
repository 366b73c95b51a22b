/* SPDX-License-Identifier: MIT */
/* plots/escape.c: text from result files made inert for Markdown, HTML, a terminal and links. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../common/cleanup.h"
#include "../../common/util.h"
#include "../../plots/escape.h"

static char *put_to_string(void (*put)(FILE *, const char *), const char *s) {
        char *out = NULL;
        size_t len = 0;
        FILE *m = open_memstream(&out, &len);
        assert_non_null(m);
        put(m, s);
        assert_int_equal(fclose(m), 0);
        return out;
}

/* Expected output written by hand; cmark-gfm renders each as plain text (checked in escape_files.sh). */
static void test_put_md(void **state) {
        static const struct {
                const char *in, *out;
        } cases[] = {
                {"[x](javascript:alert(1))", "\\[x\\](javascript:alert(1))"},
                {"![](http://e/x.png)", "!\\[\\](http\\://e/x.png)"},
                {"<script>x</script>", "\\<script\\>x\\</script\\>"},
                {"a|b`c`*d*~e~$f$\\", "a\\|b\\`c\\`\\*d\\*\\~e\\~\\$f\\$\\\\"},
                {"www.example.com a@b.c", "www\\.example.com a@b.c"},
                {"# h", "# h"},
                {"- item", "- item"},
                {"12. item", "12. item"},
                {"line\nbreak\r\x1b[31m", "line break  \\[31m"},
                {"ready_ms 1.5 a-b: c", "ready_ms 1.5 a-b: c"},
                {"a\xff\xc3\xa9\xed\xa0\x80", "a\xef\xbf\xbd\xc3\xa9\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"},
                {"", ""},
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_free_ char *got = put_to_string(plot_put_md, cases[i].in);
                if (strcmp(got, cases[i].out))
                        fail_msg("plot_put_md(%s): %s, expected %s", cases[i].in, got, cases[i].out);
        }
}

/* One entry for every markup: the same text, escaped by each. */
static void test_put_markup(void **state) {
        static const char in[] = "<a href=x>`y`</a>\x1b[2J";
        static const struct {
                plot_markup m;
                const char *out;
        } cases[] = {
                {PLOT_TEXT, "<a href=x>`y`</a>\\x1b[2J"},
                {PLOT_MARKDOWN, "\\<a href=x\\>\\`y\\`\\</a\\> \\[2J"},
                {PLOT_HTML, "&lt;a href=x&gt;`y`&lt;/a&gt;[2J"},
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                char *got = NULL;
                size_t len = 0;
                FILE *m = open_memstream(&got, &len);
                assert_non_null(m);
                plot_put(m, cases[i].m, in);
                plot_put(m, cases[i].m, NULL);
                assert_int_equal(fclose(m), 0);
                if (strcmp(got, cases[i].out))
                        fail_msg("plot_put(%d): %s, expected %s", (int)cases[i].m, got, cases[i].out);
                free(got);
        }
}

static void test_put_url(void **state) {
        _cleanup_free_ char *a = put_to_string(plot_put_url, "r-plots/a b\"<x>.png?q=1#f");
        assert_string_equal(a, "r-plots/a%20b%22%3Cx%3E.png%3Fq%3D1%23f");
        _cleanup_free_ char *b = put_to_string(plot_put_url, "javascript:alert(1)");
        assert_string_equal(b, "javascript%3Aalert%281%29");
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_put_md),
                cmocka_unit_test(test_put_markup),
                cmocka_unit_test(test_put_url),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
