/* SPDX-License-Identifier: MIT */
/* common/util.c and common/opt.c: sizes, durations, integers, suggestions, option checks. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../common/cleanup.h"
#include "../../common/error.h"
#include "../../common/diag.h"
#include "../../common/opt.h"
#include "../../common/util.h"

static void test_parse_size(void **state) {
        /* expected bytes by hand: K = 1024, M = 1024^2, G = 1024^3, T = 1024^4 */
        static const struct {
                const char *in;
                uint64_t bytes;
        } good[] = {
                {"0", 0},
                {"4096", 4096},
                {"64K", 65536},
                {"64k", 65536},
                {"64KiB", 65536},
                {"64kb", 65536},
                {"512b", 512},
                {"64M", 67108864},
                {"1G", 1073741824},
                {"1.5G", 1610612736},
                {"1T", 1099511627776ull},
                {"0.5K", 512},
        };
        for (size_t i = 0; i < ELEMENTSOF(good); i++) {
                uint64_t v = 12345;
                assert_int_equal(bench_parse_size(good[i].in, &v), 0);
                assert_true(v == good[i].bytes);
        }
        static const char *const bad[] = {
                "",   "-1",  "12Q", "0x10", "99999999999T", " 1",  "1 K",
                "+5", "1e3", "1.5", "K",    "64KK",         "nan", "inf",
        };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                uint64_t v = 7;
                assert_int_equal(bench_parse_size(bad[i], &v), -EINVAL);
                assert_true(v == 7); /* untouched on failure */
        }
        uint64_t v;
        assert_int_equal(bench_parse_size(NULL, &v), -EINVAL);
}

static void test_format_size(void **state) {
        static const struct {
                uint64_t bytes;
                const char *out;
        } cases[] = {
                {0, "0"},
                {1023, "1023"},
                {1024, "1K"},
                {1536, "1536"},
                {65536, "64K"},
                {67108864, "64M"},
                {1073741824, "1G"},
                {3221225472ull, "3G"},
                {1099511627776ull, "1T"},
                /* 2^50: no unit above T */
                {1125899906842624ull, "1024T"},
        };
        char buf[32];
        for (size_t i = 0; i < ELEMENTSOF(cases); i++)
                assert_string_equal(bench_format_size(cases[i].bytes, buf, sizeof(buf)), cases[i].out);
}

static void test_parse_duration(void **state) {
        static const struct {
                const char *in;
                double ms;
        } good[] = {
                {"250ms", 250}, {"2s", 2000},  {"1.5s", 1500},   {"100us", 0.1},
                {"5", 5},       {"1m", 60000}, {"2min", 120000},
        };
        for (size_t i = 0; i < ELEMENTSOF(good); i++) {
                double ms = -1;
                assert_int_equal(bench_parse_duration_ms(good[i].in, &ms), 0);
                assert_float_equal(ms, good[i].ms, 1e-9);
        }
        static const char *const bad[] = {"", "2h", "-1s", "s", "1 s", "2S", "0x1s"};
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                double ms;
                assert_int_equal(bench_parse_duration_ms(bad[i], &ms), -EINVAL);
        }
}

static void test_parse_uint(void **state) {
        uint64_t v = 0;
        assert_int_equal(bench_parse_uint("0", 10, &v), 0);
        assert_true(v == 0);
        assert_int_equal(bench_parse_uint("100", 100, &v), 0);
        assert_true(v == 100);
        assert_int_equal(bench_parse_uint("101", 100, &v), -ERANGE);
        assert_int_equal(bench_parse_uint("18446744073709551615", UINT64_MAX, &v), 0);
        assert_true(v == UINT64_MAX);
        /* 2^64: overflows */
        assert_int_equal(bench_parse_uint("18446744073709551616", UINT64_MAX, &v), -ERANGE);
        assert_int_equal(bench_parse_uint("-1", UINT64_MAX, &v), -EINVAL);
        assert_int_equal(bench_parse_uint("12abc", UINT64_MAX, &v), -EINVAL);
        assert_int_equal(bench_parse_uint("0x10", UINT64_MAX, &v), -EINVAL);
        assert_int_equal(bench_parse_uint("", UINT64_MAX, &v), -EINVAL);
        assert_int_equal(bench_parse_uint(" 1", UINT64_MAX, &v), -EINVAL);
        assert_int_equal(bench_parse_uint(NULL, UINT64_MAX, &v), -EINVAL);
}

static void test_edit_distance(void **state) {
        /* by hand: the classic kitten/sitting is 3 (k->s, e->i, +g) */
        assert_int_equal(bench_edit_distance("kitten", "sitting"), 3);
        assert_int_equal(bench_edit_distance("", "abc"), 3);
        assert_int_equal(bench_edit_distance("abc", ""), 3);
        assert_int_equal(bench_edit_distance("abc", "abc"), 0);
        assert_int_equal(bench_edit_distance("ABC", "abc"), 0);           /* case-insensitive */
        assert_int_equal(bench_edit_distance("memroy", "memory"), 1);     /* one transposition */
        assert_int_equal(bench_edit_distance("Ca", "ac"), 1);             /* transposition ignores case too */
        assert_int_equal(bench_edit_distance("membandwith", "membw"), 6); /* keep "memb" + "w", drop 6 */
}

static const char *const workloads[] = {"startup", "memory", "cpu", "membw", "memlat", "fileio", "metadata"};

static void test_did_you_mean(void **state) {
        size_t n = ELEMENTSOF(workloads);
        /* too far for edit distance (6), but membw is an abbreviation of it */
        assert_string_equal(bench_did_you_mean("membandwith", workloads, n), "membw");
        assert_string_equal(bench_did_you_mean("memroy", workloads, n), "memory");
        assert_string_equal(bench_did_you_mean("cpux", workloads, n), "cpu");
        assert_string_equal(bench_did_you_mean("FileIO", workloads, n), "fileio");
        assert_string_equal(bench_did_you_mean("startpu", workloads, n), "startup");
        /* a close typo wins over an abbreviation: "memlt" is 1 from memlat */
        assert_string_equal(bench_did_you_mean("memlt", workloads, n), "memlat");
        assert_null(bench_did_you_mean("zzzz", workloads, n));
        assert_null(bench_did_you_mean("network", workloads, n));
        /* two letters are no abbreviation */
        assert_null(bench_did_you_mean("mx", workloads, n));
        /* the first letter must match: "emory" -> memory by edit distance 1, fine; "xmemory" too */
        assert_string_equal(bench_did_you_mean("xmemory", workloads, n), "memory");
        static const char *const keys[] = {"name", "repetitions", "warmup", "workloads", NULL};
        assert_string_equal(bench_did_you_mean("repetitons", keys, 5), "repetitions");
        assert_string_equal(bench_did_you_mean("workload", keys, 5), "workloads");
        assert_null(bench_did_you_mean("x", keys, 0));
}

static void check_opt(const bench_opt_spec *spec, const char *value, int want, const char *why_want) {
        char why[256] = "";
        int r = bench_opt_check(spec, value, why, sizeof(why));
        if (r != want || (why_want && strcmp(why, why_want)))
                print_message("%s=`%s`: r=%d why=`%s`\n", spec->name, value, r, why);
        assert_int_equal(r, want);
        if (why_want)
                assert_string_equal(why, why_want);
}

static void check_opt_each(const bench_opt_spec *spec, const char *const *values, size_t n, int want,
                           const char *why_want) {
        for (size_t i = 0; i < n; i++)
                check_opt(spec, values[i], want, why_want);
}

static void test_opt_check(void **state) {
        const bench_opt_spec size = {"size", BENCH_OPT_SIZE, NULL, NULL, 4096, 1073741824, NULL};
        check_opt(&size, "64M", 0, NULL);
        check_opt(&size, "4096", 0, NULL);
        check_opt(&size, "12Q", -EINVAL, "expected a size such as 4096, 64K, 64M or 1G");
        check_opt(&size, "1K", -ERANGE, "must be between 4K and 1G");
        check_opt(&size, "2G", -ERANGE, "must be between 4K and 1G");
        const bench_opt_spec memory = {"memory", BENCH_OPT_SIZE, NULL, NULL, 4194304, 0, NULL};
        check_opt(&memory, "1M", -ERANGE, "must be at least 4M"); /* max 0: no upper limit */
        check_opt(&memory, "1T", 0, NULL);

        const bench_opt_spec uint = {"passes", BENCH_OPT_UINT, NULL, NULL, 1, 10, NULL};
        check_opt(&uint, "5", 0, NULL);
        check_opt(&uint, "0", -ERANGE, "must be between 1 and 10");
        check_opt(&uint, "11", -ERANGE, "must be between 1 and 10");
        check_opt(&uint, "five", -EINVAL, "expected a non-negative whole number");
        check_opt(&uint, "5x", -EINVAL, "expected a non-negative whole number");
        const bench_opt_spec uint_nomax = {"pids", BENCH_OPT_UINT, NULL, NULL, 1, 0, NULL};
        check_opt(&uint_nomax, "0", -ERANGE, "must be at least 1");

        const bench_opt_spec dur = {"duration", BENCH_OPT_DURATION, NULL, NULL, 10, 3600000, NULL};
        check_opt(&dur, "250ms", 0, NULL);
        check_opt(&dur, "2s", 0, NULL);
        check_opt(&dur, "5", -ERANGE, "must be between 10ms and 3600000ms");
        check_opt(&dur, "1h", -EINVAL, "expected a duration such as 250ms, 2s or 500 (ms)");

        const bench_opt_spec b = {"direct", BENCH_OPT_BOOL, NULL, NULL, 0, 0, NULL};
        check_opt(&b, "true", 0, NULL);
        check_opt(&b, "false", 0, NULL);
        check_opt(&b, "yes", -EINVAL, "expected true or false");
        check_opt(&b, "1", -EINVAL, "expected true or false");

        const bench_opt_spec str = {"dir", BENCH_OPT_STRING, NULL, NULL, 0, 0, NULL};
        check_opt(&str, "/tmp", 0, NULL);
        check_opt(&str, "", -EINVAL, "must not be empty");

        const bench_opt_spec en = {"accel", BENCH_OPT_ENUM, NULL, "auto|kvm|tcg", 0, 0, NULL};
        check_opt(&en, "kvm", 0, NULL);
        check_opt(&en, "tcg", 0, NULL);
        check_opt(&en, "kv", -EINVAL, "expected auto, kvm or tcg");
        check_opt(&en, "auto|kvm", -EINVAL, "expected auto, kvm or tcg");
        const bench_opt_spec en2 = {"network", BENCH_OPT_ENUM, NULL, "none|loopback", 0, 0, NULL};
        check_opt(&en2, "host", -EINVAL, "expected none or loopback");

        const bench_opt_spec cpus = {"cpus", BENCH_OPT_CPULIST, NULL, NULL, 0, 0, NULL};
        static const char *const cpus_ok[] = {"0", "1", "0-3", "0-3,6", "0-3,6,8-9", "2-2"};
        check_opt_each(&cpus, cpus_ok, ELEMENTSOF(cpus_ok), 0, NULL);
        static const char *const cpus_bad[] = {"",   "3-1", "1,", ",1",  "-1",   " 1",
                                               "+1", "1-",  "a",  "1;2", "1--2", "99999"};
        check_opt_each(&cpus, cpus_bad, ELEMENTSOF(cpus_bad), -EINVAL,
                       "expected a cpu list such as 1 or 0-3,6");

        /* a cpu list or one of its words (the suite's pinning) */
        const bench_opt_spec pin = {"pinning", BENCH_OPT_CPULIST, "auto", "auto|none", 0, 0, NULL};
        static const char *const pin_ok[] = {"auto", "none", "2-3"};
        check_opt_each(&pin, pin_ok, ELEMENTSOF(pin_ok), 0, NULL);
        check_opt(&pin, "al", -EINVAL, "expected a cpu list such as 1 or 0-3,6");

        const bench_opt_spec secs = {"timeout_s", BENCH_OPT_SECONDS, NULL, NULL, 0, 0, NULL};
        static const char *const secs_ok[] = {"300", "2.5", ".5", "1e3", "1.0000000000000001e+300"};
        check_opt_each(&secs, secs_ok, ELEMENTSOF(secs_ok), 0, NULL);
        static const char *const secs_bad[] = {"", "2s", " 1", "-1", "+1", "inf", "nan", "0x10", "1e999"};
        check_opt_each(&secs, secs_bad, ELEMENTSOF(secs_bad), -EINVAL,
                       "expected a number of seconds such as 300 or 2.5");
        check_opt(&secs, "0", -ERANGE, "must be greater than 0");
        const bench_opt_spec secs_max = {"t", BENCH_OPT_SECONDS, NULL, NULL, 1, 60, NULL};
        check_opt(&secs_max, "61", -ERANGE, "must be greater than 1 and at most 60");

        /* a percentage: the % sign required (a bare 2 could mean 2% or 200%), both ends excluded */
        const bench_opt_spec pct = {"precision", BENCH_OPT_PERCENT, NULL, "2%", 0, 100, NULL};
        static const char *const pct_ok[] = {"2%", "0.5%", ".5%", "99.9%", "0.001%", "7.%"};
        check_opt_each(&pct, pct_ok, ELEMENTSOF(pct_ok), 0, NULL);
        static const char *const pct_bad[] = {"",      "2",   "%",    "2 %",   " 2%", "-1%", "+1%",
                                              "1e-3%", "2%%", "abc%", "0x10%", "2%x", ".%"};
        check_opt_each(&pct, pct_bad, ELEMENTSOF(pct_bad), -EINVAL,
                       "expected a percentage such as 2% (with the % sign)");
        static const char *const pct_range[] = {"0%", "0.000%", "100%", "250%"};
        check_opt_each(&pct, pct_range, ELEMENTSOF(pct_range), -ERANGE, "must be above 0% and below 100%");
        assert_true(bench_opt_text_percent(&pct, "2.5%", NULL) == 2.5);
        assert_true(bench_opt_text_percent(&pct, NULL, NULL) == 0); /* no default */

        /* free text, empty too */
        const bench_opt_spec text = {"description", BENCH_OPT_TEXT, NULL, NULL, 0, 0, NULL};
        static const char *const text_ok[] = {"", "anything at all"};
        check_opt_each(&text, text_ok, ELEMENTSOF(text_ok), 0, NULL);

        /* lists are JSON arrays: never a valid scalar */
        const bench_opt_spec sl = {"capabilities", BENCH_OPT_STRLIST, NULL, NULL, 0, 0, NULL};
        check_opt(&sl, "CAP_CHOWN", -EINVAL, "expected a list of strings");
        const bench_opt_spec us = {"layers", BENCH_OPT_UINT_OR_STRLIST, NULL, NULL, 1, 500, NULL};
        check_opt(&us, "3", -EINVAL, "expected a count or list of strings");
}

static void test_io_all(void **state) {
        char path[] = "/tmp/bench-test-io.XXXXXX";
        int fd = mkstemp(path);
        assert_true(fd >= 0);
        unlink(path);
        assert_int_equal(bench_write_all(fd, "head", 4), 0);
        assert_int_equal(bench_pwrite_all(fd, "tail", 4, 10), 0); /* a hole at 4..9 */
        char buf[32];
        memset(buf, 'x', sizeof(buf));
        assert_int_equal(bench_pread_all(fd, buf, sizeof(buf), 0), 14); /* short only at the end */
        assert_memory_equal(buf, "head\0\0\0\0\0\0tail", 14);
        assert_int_equal(bench_pread_all(fd, buf, 4, 100), 0);
        close(fd);
        assert_int_equal(bench_write_all(fd, "x", 1), -EBADF);
        assert_int_equal(bench_pread_all(fd, buf, 1, 0), -EBADF);
}

/* Expected output written by hand. */
static void test_base64(void **state) {
        (void)state;
        /* RFC 4648 section 10 */
        static const char *const plain[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
        static const char *const coded[] = {"", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"};
        for (size_t i = 0; i < ELEMENTSOF(plain); i++) {
                char enc[16], dec[16];
                size_t len = 99;
                bench_base64_encode(plain[i], strlen(plain[i]), enc);
                assert_string_equal(enc, coded[i]);
                assert_int_equal(bench_base64_decode(coded[i], dec, &len), 0);
                assert_int_equal(len, strlen(plain[i]));
                assert_memory_equal(dec, plain[i], len);
        }
        unsigned char all[256], back[256];
        char text[400];
        for (int i = 0; i < 256; i++)
                all[i] = (unsigned char)i;
        bench_base64_encode(all, sizeof(all), text);
        size_t len;
        assert_int_equal(bench_base64_decode(text, back, &len), 0);
        assert_int_equal(len, 256);
        assert_memory_equal(all, back, 256);
        static const char *const bad[] = {
                "Zg=", "Zg", "Z===", "Zm9v\n", "Zg==Zg==", "Zm=v", "Zm9*", "====", "Zg= "};
        for (size_t i = 0; i < ELEMENTSOF(bad); i++)
                assert_int_equal(bench_base64_decode(bad[i], back, &len), -EINVAL);
}

static void test_put_xml(void **state) {
        char *out = NULL;
        size_t len = 0;
        FILE *m = open_memstream(&out, &len);
        assert_non_null(m);
        bench_put_xml(m, "a&<>\"'\t\n\r\x01\x1fz\xc3\xa9");
        bench_put_xml(m, NULL);
        assert_int_equal(fclose(m), 0);
        assert_string_equal(out, "a&amp;&lt;&gt;&quot;&#39;&#9;&#10;&#13;z\xc3\xa9");
        free(out);
        /* not UTF-8: a stray continuation, a cut sequence, overlong '/', a surrogate, U+FFFE, beyond U+10FFFF
         */
        m = open_memstream(&out, &len);
        assert_non_null(m);
        bench_put_xml(m, "a\xff b\x80 c\xc3( d\xc0\xaf e\xed\xa0\x80 f\xef\xbf\xbe g\xf4\x90\x80\x80 "
                         "h\xf0\x9f\x98\x80\xe2\x82\xac\xc2\x9b\xe2\x82");
        assert_int_equal(fclose(m), 0);
        assert_string_equal(out, "a\xef\xbf\xbd b\xef\xbf\xbd c\xef\xbf\xbd( d\xef\xbf\xbd\xef\xbf\xbd "
                                 "e\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd f\xef\xbf\xbd "
                                 "g\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd "
                                 "h\xf0\x9f\x98\x80\xe2\x82\xac\xc2\x9b\xef\xbf\xbd\xef\xbf\xbd");
        free(out);
}

static char *put_to_string(void (*put)(FILE *, const char *, unsigned), const char *s, unsigned flags) {
        char *out = NULL;
        size_t len = 0;
        FILE *m = open_memstream(&out, &len);
        assert_non_null(m);
        put(m, s, flags);
        assert_int_equal(fclose(m), 0);
        return out;
}

/* Expected output written by hand: what a terminal gets from a hostile name. */
static void test_escape_text(void **state) {
        _cleanup_free_ char *a = put_to_string(bench_put_text,
                                               "a\x1b[31mred\x07\x7f\tb\nc\r\xc2\x9b"
                                               "2J\xc3\xa9",
                                               0);
        assert_string_equal(a, "a\\x1b[31mred\\x07\\x7f\\x09b\\x0ac\\x0d\\u009b2J\xc3\xa9");
        _cleanup_free_ char *b = put_to_string(bench_put_text, "x\x1b]0;t\x07\ty\nz", BENCH_TEXT_KEEP_LINES);
        assert_string_equal(b, "x\\x1b]0;t\\x07\ty\nz");
        /* escaping twice changes nothing: the output has no control byte left */
        _cleanup_free_ char *c = bench_escape_text(a, 0);
        assert_string_equal(c, a);
        _cleanup_free_ char *d = bench_escape_text(NULL, 0);
        assert_string_equal(d, "");
        /* U+00A0 and U+20AC stay; a lone 0x9b (CSI on an 8-bit terminal), 0xff, a cut sequence do not */
        _cleanup_free_ char *e = bench_escape_text("\xc2\xa0\x9b[2J\xff\xe2\x82\xac\xc2", 0);
        assert_string_equal(e, "\xc2\xa0\\x9b[2J\\xff\xe2\x82\xac\\xc2");

        /* every message of an error and a diagnostic goes through it */
        bench_error *err = NULL;
        assert_int_equal(bench_error_set(&err, EINVAL, "entry `%s`: bad\nsecond line", "evil\x1b[2J"),
                         -EINVAL);
        assert_int_equal(bench_error_prefix(&err, "layer `%s`", "l\x1b]0;x\x07"), -EINVAL);
        assert_string_equal(err->msg, "layer `l\\x1b]0;x\\x07`: entry `evil\\x1b[2J`: bad\nsecond line");
        bench_error_free(err);
        bench_diags dg = {0};
        bench_diags_add(&dg, "suite.json: name `%s`", "a\x1b[1mb");
        assert_int_equal(dg.n, 1);
        assert_string_equal(dg.msgs[0], "suite.json: name `a\\x1b[1mb`");
        bench_diags_clear(&dg);
}

static char *make_dir(void) {
        char tmpl[] = "/tmp/test_util.XXXXXX";
        assert_non_null(mkdtemp(tmpl));
        return strdup(tmpl);
}

static size_t count_entries(const char *dir) {
        DIR *d = opendir(dir);
        assert_non_null(d);
        size_t n = 0;
        struct dirent *de;
        while ((de = readdir(d)))
                n += strcmp(de->d_name, ".") && strcmp(de->d_name, "..");
        closedir(d);
        return n;
}

/*
 * The atomic writer: a symlink at the target is replaced (its target kept),
 * the temp name is not the old predictable one, and a failure leaves no
 * temp file behind.
 */
static void test_write_atomic(void **state) {
        _cleanup_free_ char *dir = make_dir(), *target = NULL, *victim = NULL, *planted = NULL, *data = NULL;
        assert_true(asprintf(&target, "%s/out.json", dir) > 0);
        assert_true(asprintf(&victim, "%s/victim", dir) > 0);
        assert_int_equal(bench_write_file_atomic(victim, "keep", 4, NULL), 0);
        /* the old predictable name, planted as a symlink to the victim */
        assert_true(asprintf(&planted, "%s/out.json.tmp.%d", dir, (int)getpid()) > 0);
        assert_int_equal(symlink(victim, planted), 0);
        assert_int_equal(symlink(victim, target), 0);
        bench_error *err = NULL;
        assert_int_equal(bench_write_file_atomic(target, "new", 3, &err), 0);
        assert_int_equal(bench_read_file(victim, &data, NULL, NULL), 0);
        assert_string_equal(data, "keep");
        free(data);
        data = NULL;
        struct stat st;
        assert_int_equal(lstat(target, &st), 0);
        assert_true(S_ISREG(st.st_mode));
        assert_int_equal(st.st_mode & 0777, 0644 & ~(unsigned)umask(022));
        umask(022);
        assert_int_equal(bench_read_file(target, &data, NULL, NULL), 0);
        assert_string_equal(data, "new");
        free(data);
        data = NULL;
        assert_int_equal(count_entries(dir), 3); /* victim, planted link, out.json: no temp file */

        /* the temp file: beside the target, random, O_EXCL, mode as asked */
        _cleanup_free_ char *t1 = NULL, *t2 = NULL;
        int fd1 = bench_tmpfile_open(AT_FDCWD, target, 0600, &t1, NULL);
        int fd2 = bench_tmpfile_open(AT_FDCWD, target, 0600, &t2, NULL);
        assert_true(fd1 >= 0 && fd2 >= 0);
        assert_string_not_equal(t1, t2);
        assert_int_equal(strncmp(t1, dir, strlen(dir)), 0);
        assert_non_null(strstr(t1, "/.out.json.tmp-"));
        assert_int_equal(fstat(fd1, &st), 0);
        assert_int_equal(st.st_mode & 0777, 0600);
        assert_int_equal(bench_write_all(fd1, "one", 3), 0);
        assert_int_equal(bench_tmpfile_commit(AT_FDCWD, t1, fd1, target, NULL), 0);
        /* a commit that cannot rename (the target is a directory) removes its temp file */
        _cleanup_free_ char *sub = NULL;
        assert_true(asprintf(&sub, "%s/sub", dir) > 0);
        assert_int_equal(mkdir(sub, 0755), 0);
        _cleanup_free_ char *inner = NULL;
        assert_true(asprintf(&inner, "%s/x", sub) > 0);
        assert_int_equal(bench_write_file_atomic(inner, "x", 1, NULL), 0);
        assert_true(bench_tmpfile_commit(AT_FDCWD, t2, fd2, sub, &err) < 0);
        assert_non_null(strstr(err->msg, "cannot replace"));
        bench_error_free(err);
        err = NULL;
        assert_int_equal(access(t2, F_OK), -1);
        assert_int_equal(count_entries(dir), 4); /* victim, planted, out.json, sub */
        /* a write into a missing dir fails and says where */
        _cleanup_free_ char *missing = NULL;
        assert_true(asprintf(&missing, "%s/nodir/f", dir) > 0);
        assert_int_equal(bench_write_file_atomic(missing, "x", 1, &err), -ENOENT);
        bench_error_free(err);
        err = NULL;

        /* an output dir planted as a symlink is refused, a real one is opened (and made) */
        _cleanup_free_ char *linkdir = NULL, *newdir = NULL;
        assert_true(asprintf(&linkdir, "%s/plots", dir) > 0);
        assert_int_equal(symlink(sub, linkdir), 0);
        assert_int_equal(bench_open_dir_nofollow(linkdir, 0755, &err), -ELOOP);
        assert_non_null(strstr(err->msg, "symbolic link"));
        bench_error_free(err);
        err = NULL;
        _cleanup_free_ char *slashed = NULL;
        assert_true(asprintf(&slashed, "%s//", linkdir) > 0);
        assert_int_equal(bench_open_dir_nofollow(slashed, 0755, &err), -ELOOP);
        bench_error_free(err);
        assert_true(asprintf(&newdir, "%s/a/b", dir) > 0);
        int dfd = bench_open_dir_nofollow(newdir, 0755, NULL);
        assert_true(dfd >= 0);
        close(dfd);
        assert_int_equal(bench_rm_rf(dir, NULL), 0);
}

static void test_opt_find(void **state) {
        static const bench_opt_spec table[] = {
                {"a", BENCH_OPT_UINT, NULL, NULL, 0, 0, NULL},
                {"b", BENCH_OPT_BOOL, NULL, NULL, 0, 0, NULL},
                {0},
        };
        assert_ptr_equal(bench_opt_find(table, "b"), &table[1]);
        assert_null(bench_opt_find(table, "c"));
        assert_null(bench_opt_find(NULL, "a"));
        assert_string_equal(bench_opt_type_name(BENCH_OPT_CPULIST), "cpu list");
        assert_string_equal(bench_opt_type_name(BENCH_OPT_SECONDS), "seconds");
        assert_string_equal(bench_opt_type_name(BENCH_OPT_TEXT), "text");
        assert_string_equal(bench_opt_type_name(BENCH_OPT_PERCENT), "percentage");
}

static size_t open_fds(void) {
        DIR *d = opendir("/proc/self/fd");
        assert_non_null(d);
        size_t n = 0;
        while (readdir(d))
                n++;
        closedir(d);
        return n;
}

/*
 * A tree far deeper than fds or PATH_MAX allow one path or one fd per level
 * (2000 levels), with siblings below the levels that keep their stream, a
 * mode-000 dir and symlinks out of it: all of it goes, nothing the symlinks
 * point to does, and no fd is left open.
 */
static void test_rm_rf_deep(void **state) {
        char top[] = "/tmp/bench-rmrf-XXXXXX";
        assert_non_null(mkdtemp(top));
        char keep[64];
        snprintf(keep, sizeof(keep), "%s-keep", top);
        assert_int_equal(mkdir(keep, 0755), 0);
        char kf[80];
        snprintf(kf, sizeof(kf), "%s/f", keep);
        close(open(kf, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644));
        int fd = open(top, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        assert_true(fd >= 0);
        for (int i = 0; i < 2000; i++) {
                assert_int_equal(mkdirat(fd, "d", 0755), 0);
                if (i % 100 == 0) {
                        close(openat(fd, "f", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644));
                        assert_int_equal(symlinkat(keep, fd, "s"), 0);
                }
                if (i == 150)
                        for (int k = 0; k < 20; k++) {
                                char n[16];
                                snprintf(n, sizeof(n), "w%d", k);
                                assert_int_equal(mkdirat(fd, n, 0755), 0);
                                snprintf(n, sizeof(n), "w%d/x", k);
                                close(openat(fd, n, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644));
                        }
                int nfd = openat(fd, "d", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                assert_true(nfd >= 0);
                if (i == 1000)
                        assert_int_equal(mkdirat(nfd, "locked", 0), 0);
                close(fd);
                fd = nfd;
        }
        close(fd);
        size_t fds = open_fds();
        _cleanup_error_ bench_error *err = NULL;
        if (bench_rm_rf(top, &err) < 0)
                fail_msg("%s", err->msg);
        assert_int_equal(access(top, F_OK), -1);
        assert_int_equal(access(kf, F_OK), 0);
        assert_int_equal(open_fds(), fds);
        assert_int_equal(bench_rm_rf(keep, NULL), 0);
}

/* -o's dir: made at any depth, and refused (named) where a file stands in the way. */
static void test_mkdir_parent(void **state) {
        char top[] = "/tmp/bench-mkdir-XXXXXX";
        assert_non_null(mkdtemp(top));
        char path[128], file[128];
        snprintf(path, sizeof(path), "%s/a/b/r.html", top);
        bench_error *err = NULL;
        assert_int_equal(bench_mkdir_parent(path, &err), 0);
        struct stat st;
        snprintf(file, sizeof(file), "%s/a/b", top);
        assert_int_equal(stat(file, &st), 0);
        assert_true(S_ISDIR(st.st_mode));
        assert_int_equal(bench_mkdir_parent(path, &err), 0); /* again: there */
        snprintf(file, sizeof(file), "%s/f", top);
        close(open(file, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644));
        snprintf(path, sizeof(path), "%s/f/r.html", top);
        assert_int_equal(bench_mkdir_parent(path, &err), -ENOTDIR);
        assert_non_null(strstr(err->msg, path));
        assert_non_null(strstr(err->msg, "a file of that name exists"));
        bench_error_free(err);
        err = NULL;
        snprintf(path, sizeof(path), "%s/f/x/r.html", top);
        assert_int_equal(bench_mkdir_parent(path, &err), -ENOTDIR);
        bench_error_free(err);
        assert_int_equal(bench_rm_rf(top, NULL), 0);
}

/*
 * A private dir the last one out removes: not while someone is entering
 * it (a shared flock on another open of it), not while anything is in it,
 * and not through an fd on a dir the path no longer names.
 */
static void test_enter_leave(void **state) {
        char top[] = "/tmp/bench-enter-XXXXXX";
        assert_non_null(mkdtemp(top));
        char path[128], moved[128], entry[160];
        snprintf(path, sizeof(path), "%s/d", top);
        snprintf(moved, sizeof(moved), "%s/moved", top);
        snprintf(entry, sizeof(entry), "%s/entry", path);
        struct stat st;

        int a = bench_enter_private_dir(path, NULL); /* made, 0700, entered */
        assert_true(a >= 0);
        assert_int_equal(stat(path, &st), 0);
        assert_int_equal(st.st_mode & 07777, 0700);
        int b = bench_enter_private_dir(path, NULL); /* a second run entering at once: shared */
        assert_true(b >= 0);
        assert_false(bench_leave_private_dir(b, path)); /* a is entering */
        assert_int_equal(stat(path, &st), 0);
        close(a);
        close(open(entry, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
        assert_false(bench_leave_private_dir(b, path)); /* not empty */
        unlink(entry);
        assert_true(bench_leave_private_dir(b, path));
        close(b);
        assert_int_equal(stat(path, &st), -1);

        /* an fd on a dir its path no longer names: nothing is removed through it, entering makes a new one */
        a = bench_enter_private_dir(path, NULL);
        assert_true(a >= 0);
        assert_int_equal(rename(path, moved), 0);
        assert_false(bench_fd_is_path(AT_FDCWD, path, a));
        assert_false(bench_leave_private_dir(a, path));
        assert_int_equal(stat(moved, &st), 0);
        b = bench_enter_private_dir(path, NULL);
        assert_true(b >= 0 && bench_fd_is_path(AT_FDCWD, path, b));
        assert_true(bench_leave_private_dir(b, path));
        close(a);
        close(b);
        assert_false(bench_leave_private_dir(-1, path));
        assert_int_equal(bench_rm_rf(top, NULL), 0);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_parse_size),     cmocka_unit_test(test_format_size),
                cmocka_unit_test(test_parse_duration), cmocka_unit_test(test_parse_uint),
                cmocka_unit_test(test_edit_distance),  cmocka_unit_test(test_did_you_mean),
                cmocka_unit_test(test_opt_check),      cmocka_unit_test(test_opt_find),
                cmocka_unit_test(test_put_xml),        cmocka_unit_test(test_io_all),
                cmocka_unit_test(test_rm_rf_deep),     cmocka_unit_test(test_escape_text),
                cmocka_unit_test(test_write_atomic),   cmocka_unit_test(test_base64),
                cmocka_unit_test(test_mkdir_parent),   cmocka_unit_test(test_enter_leave),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
