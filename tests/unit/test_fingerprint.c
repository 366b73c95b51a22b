/* SPDX-License-Identifier: MIT */
/* The host fingerprint: the kernel command line's parameters, and what bench compare says of differences. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "../../common/cleanup.h"
#include "../../common/json.h"
#include "../../harness/host.h"
#include "../../plots/verdicts.h"
#include "../../results/compare.h"

static void test_cmdline_param(void **state) {
        (void)state;
        const char *cl = "BOOT_IMAGE=/vmlinuz mitigations=auto,nosmt quiet isolcpus=2-3 -- nohz_full=1 x\n";
        _cleanup_free_ char *m = host_cmdline_param(cl, "mitigations");
        _cleanup_free_ char *i = host_cmdline_param(cl, "isolcpus");
        /* after "--": init's arguments, not the kernel's */
        _cleanup_free_ char *n = host_cmdline_param(cl, "nohz_full");
        _cleanup_free_ char *q = host_cmdline_param(cl, "quiet");
        assert_string_equal(m, "auto,nosmt");
        assert_string_equal(i, "2-3");
        assert_null(n);
        assert_null(q);
        _cleanup_free_ char *last = host_cmdline_param("a nohz_full=3\n", "nohz_full");
        assert_string_equal(last, "3");
        _cleanup_free_ char *prefix = host_cmdline_param("xisolcpus=1 isolcpus_x=2", "isolcpus");
        assert_null(prefix);
}

/* A host of the shape host_capture() writes, from JSON text. */
static cJSON *host_from(const char *extra) {
        char *text = NULL;
        assert_true(asprintf(&text,
                             "{\"hostname\":\"h\",\"kernel\":\"6.1\",\"cpu_model\":\"EPYC\",\"cgroup_mode\":"
                             "\"v2\","
                             "\"bench_version\":\"0.1.0\",\"cores\":2,\"memory_kib\":1024%s}",
                             extra) > 0);
        cJSON *h = cJSON_Parse(text);
        free(text);
        assert_non_null(h);
        return h;
}

static res_file *file_with(const char *host_extra, const char *activity) {
        res_file *f = res_file_new();
        assert_non_null(f);
        f->host = host_from(host_extra);
        if (activity)
                assert_non_null(f->activity = cJSON_Parse(activity));
        res_series *s = res_series_get(f, "cpu", "cpu", "bare", "bare", "ops_per_s", "ops/s", "higher", NULL);
        assert_non_null(s);
        for (int i = 0; i < 5; i++)
                assert_int_equal(res_series_add(s, 100 + i), 0);
        return f;
}

static const cmp_env_diff *diff_of(const cmp_report *r, const char *field) {
        for (size_t i = 0; i < r->n_env_diffs; i++)
                if (!strcmp(r->env_diffs[i].field, field))
                        return &r->env_diffs[i];
        return NULL;
}

static void expect(const cmp_report *r, const char *field, const char *base, const char *cur) {
        const cmp_env_diff *d = diff_of(r, field);
        if (!d)
                fail_msg("no difference `%s`", field);
        assert_string_equal(d->base, base);
        assert_string_equal(d->cur, cur);
}

static void test_env_facts(void **state) {
        (void)state;
        res_file *b = file_with(
                ",\"cpu_governor\":\"performance\",\"boost\":true,\"smt\":true,\"smt_control\":\"on\","
                "\"thp\":{\"enabled\":\"madvise\",\"defrag\":\"madvise\"},"
                "\"mitigations\":{\"mds\":\"Not affected\",\"spectre_v2\":\"Mitigation: Retpolines\","
                "\"retbleed\":\"Vulnerable\"},"
                "\"isolated_cpus\":\"\",\"nohz_full\":null,"
                "\"boot_params\":{\"isolcpus\":null,\"nohz_full\":null,\"mitigations\":null},"
                "\"ksm\":{\"run\":0},\"swap\":{\"total_kib\":0,\"free_kib\":0,\"swappiness\":60},"
                "\"clocksource\":\"tsc\"",
                NULL);
        res_file *c = file_with(
                ",\"cpu_governor\":\"powersave\",\"boost\":false,\"smt\":true,\"smt_control\":\"on\","
                "\"thp\":{\"enabled\":\"always\",\"defrag\":\"madvise\"},"
                "\"mitigations\":{\"mds\":\"Not affected\",\"spectre_v2\":\"Vulnerable\","
                "\"gds\":\"Not affected\"},"
                "\"isolated_cpus\":\"1\",\"nohz_full\":\"1\","
                "\"boot_params\":{\"isolcpus\":\"1\",\"nohz_full\":\"1\",\"mitigations\":\"off\"},"
                "\"ksm\":{\"run\":1},\"swap\":{\"total_kib\":4096,\"free_kib\":10,\"swappiness\":60},"
                "\"clocksource\":\"hpet\"",
                "{\"warnings\":[\"host busy: load 1.80 before the run on 2 CPUs\"]}");
        cmp_report r = {0};
        bench_error *err = NULL;
        assert_int_equal(cmp_files(b, c, NULL, &r, &err), 0);
        expect(&r, "cpu_governor", "performance", "powersave");
        expect(&r, "boost", "yes", "no");
        expect(&r, "thp", "madvise", "always");
        expect(&r, "mitigation spectre_v2", "Mitigation: Retpolines", "Vulnerable");
        expect(&r, "mitigation retbleed", "Vulnerable", "(none)");
        expect(&r, "mitigation gds", "(none)", "Not affected");
        expect(&r, "isolated_cpus", "", "1");
        expect(&r, "nohz_full", "(none)", "1");
        expect(&r, "boot isolcpus", "(none)", "1");
        expect(&r, "boot nohz_full", "(none)", "1");
        expect(&r, "boot mitigations", "(none)", "off");
        expect(&r, "ksm run", "0", "1");
        expect(&r, "swap", "off", "on");
        expect(&r, "clocksource", "tsc", "hpet");
        expect(&r, "host activity", "quiet", "host busy: load 1.80 before the run on 2 CPUs");
        assert_true(diff_of(&r, "host activity")->advisory);
        assert_false(diff_of(&r, "swap")->advisory);
        /* the same facts: no difference */
        assert_null(diff_of(&r, "smt"));
        assert_null(diff_of(&r, "smt_control"));
        assert_null(diff_of(&r, "mitigation mds"));
        assert_null(diff_of(&r, "kernel"));
        assert_int_equal(r.n_env_diffs, 15);
        cmp_report_clear(&r);

        /* a file of an older bench lacks the facts: nothing said about them */
        res_file *old = file_with("", NULL);
        assert_int_equal(cmp_files(old, c, NULL, &r, &err), 0);
        assert_int_equal(r.n_env_diffs, 1);
        expect(&r, "host activity", "quiet", "host busy: load 1.80 before the run on 2 CPUs");
        cmp_report_clear(&r);
        /* two quiet files with the same host: nothing at all */
        assert_int_equal(cmp_files(old, old, NULL, &r, &err), 0);
        assert_int_equal(r.n_env_diffs, 0);
        cmp_report_clear(&r);
        res_file_free(old);
        res_file_free(b);
        res_file_free(c);
}

/* Texts from a result file (a mitigation's text, a process's name in a warning) reach outputs inert. */
static void test_hostile_texts(void **state) {
        (void)state;
        res_file *b = file_with(",\"mitigations\":{\"mds\":\"Not affected\"}", NULL);
        res_file *c = file_with(
                ",\"mitigations\":{\"mds\":\"\\u001b[2J</li><script>x</script>\"}",
                "{\"warnings\":[\"busiest: \\u001b]0;pwned\\u0007 <img src=x onerror=y> [a](b)\"]}");
        cmp_report r = {0};
        bench_error *err = NULL;
        assert_int_equal(cmp_files(b, c, NULL, &r, &err), 0);
        _cleanup_free_ char *text = NULL, *md = NULL, *junit = NULL;
        assert_int_equal(plot_verdicts(&r, "text", false, &text, &err), 0);
        assert_int_equal(plot_verdicts(&r, "markdown", false, &md, &err), 0);
        assert_int_equal(plot_verdicts(&r, "junit", false, &junit, &err), 0);
        assert_null(strchr(text, '\033'));
        assert_null(strchr(md, '\033'));
        assert_null(strchr(junit, '\033'));
        /* Markdown: < and [ backslash-escaped */
        assert_null(strstr(md, "<script>"));
        assert_null(strstr(md, " <img"));
        assert_null(strstr(md, " [a]"));
        assert_non_null(strstr(md, "\\<script\\>"));
        assert_non_null(strstr(md, "\\<img src=x onerror=y\\> \\[a\\](b)"));
        assert_null(strstr(junit, "<script>"));
        assert_null(strstr(junit, "<img"));
        /* still said: escaped, not dropped */
        assert_non_null(strstr(text, "mitigation mds"));
        assert_non_null(strstr(junit, "&lt;script&gt;"));
        cmp_report_clear(&r);
        res_file_free(b);
        res_file_free(c);
}

/* The result's activity is written and read back as is; a file of an older bench has none, and reads. */
static void test_activity_round_trip(void **state) {
        (void)state;
        res_file *f = file_with("", "{\"samples\":2,\"busy\":[{\"pid\":9,\"comm\":\"?[2J\",\"cpu_s\":1.5}],"
                                    "\"warnings\":[\"host busy\"]}");
        bench_error *err = NULL;
        _cleanup_free_ char *text = res_to_json(f);
        assert_non_null(text);
        res_file *back = NULL;
        assert_int_equal(res_from_json(text, "r.json", &back, &err), 0);
        assert_non_null(back->activity);
        _cleanup_free_ char *a = cJSON_PrintUnformatted(f->activity),
                            *b = cJSON_PrintUnformatted(back->activity);
        assert_string_equal(a, b);
        res_file_free(back);

        /* without the key (older files) and with null: read, no activity */
        cJSON *root = cJSON_Parse(text);
        cJSON_DeleteItemFromObjectCaseSensitive(root, "activity");
        _cleanup_free_ char *older = cJSON_Print(root);
        assert_int_equal(res_from_json(older, "old.json", &back, &err), 0);
        assert_null(back->activity);
        res_file_free(back);
        cJSON_AddItemToObject(root, "activity", cJSON_CreateString("busy"));
        _cleanup_free_ char *bad = cJSON_Print(root);
        assert_true(res_from_json(bad, "bad.json", &back, &err) < 0);
        assert_non_null(strstr(err->msg, "activity"));
        bench_error_free(err);
        cJSON_Delete(root);
        res_file_free(f);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_cmdline_param),
                cmocka_unit_test(test_env_facts),
                cmocka_unit_test(test_hostile_texts),
                cmocka_unit_test(test_activity_round_trip),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
