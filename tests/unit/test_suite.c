/* SPDX-License-Identifier: MIT */
/* Suite parsing and validation: good suites, every bad-suite message, the schema. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../common/cleanup.h"
#include "../../harness/suite.h"

static const suite_overrides no_overrides = {.repetitions = -1, .warmup = -1};

static suite *parse_ok(const char *text, const suite_overrides *ov) {
        bench_diags d = {0};
        suite *s = NULL;
        int r = suite_parse(text, "suite.json", ov, &s, &d);
        for (size_t i = 0; i < d.n; i++)
                print_message("unexpected: %s\n", d.msgs[i]);
        assert_int_equal(r, 0);
        assert_int_equal(d.n, 0);
        assert_non_null(s);
        bench_diags_clear(&d);
        return s;
}

static double json_num(const cJSON *o, const char *key) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
        assert_true(cJSON_IsNumber(v));
        return v->valuedouble;
}

static const char *json_str(const cJSON *o, const char *key) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
        assert_true(cJSON_IsString(v));
        return v->valuestring;
}

static const char *param(const suite_workload *w, const char *key) {
        for (size_t i = 0; i < w->n_params; i++)
                if (!strcmp(w->params[i].key, key))
                        return w->params[i].value;
        return NULL;
}

static const char minimal_suite[] =
        "{\"name\": \"m\", \"configurations\": [{\"name\": \"bare\", \"kind\": \"bare\"}],"
        " \"workloads\": [{\"kind\": \"startup\"}]}";

static void test_minimal_defaults(void **state) {
        suite *s = parse_ok(minimal_suite, NULL);
        assert_string_equal(s->path, "suite.json");
        assert_string_equal(s->name, "m");
        assert_int_equal(s->repetitions, 5);
        assert_int_equal(s->warmup, 1);
        assert_true(s->timeout_s == 300.0);
        assert_int_equal(s->pin_mode, SUITE_PIN_AUTO);
        assert_null(s->pin_cpus);
        assert_int_equal(s->n_configs, 1);
        assert_string_equal(s->configs[0].name, "bare");
        assert_string_equal(s->configs[0].kind->name, "bare");
        assert_true(cJSON_IsObject(s->configs[0].options));
        assert_null(s->configs[0].options->child);
        assert_int_equal(s->n_workloads, 1);
        assert_string_equal(s->workloads[0].name, "startup"); /* the default name is the kind */
        assert_string_equal(s->workloads[0].spec->name, "startup");
        assert_int_equal(s->workloads[0].n_params, 0);
        assert_null(s->workloads[0].params_json);
        /* the json as run: defaults filled in */
        assert_string_equal(json_str(s->json, "name"), "m");
        assert_true(json_num(s->json, "repetitions") == 5);
        assert_true(json_num(s->json, "warmup") == 1);
        assert_true(json_num(s->json, "timeout_s") == 300);
        assert_string_equal(json_str(s->json, "pinning"), "auto");
        assert_null(cJSON_GetObjectItemCaseSensitive(s->json, "description"));
        const cJSON *w = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(s->json, "workloads"), 0);
        assert_string_equal(json_str(w, "name"), "startup");
        assert_string_equal(json_str(w, "kind"), "startup");
        suite_free(s);
}

static void test_seed_recorded(void **state) {
        suite *s = parse_ok(minimal_suite, NULL);
        /* chosen from the clock and written into the json, so the result records it */
        assert_true(json_num(s->json, "seed") == (double)s->seed);
        assert_true(s->seed <= 999999999999999ull);
        suite_free(s);
        s = parse_ok("{\"name\": \"m\", \"seed\": 999999999999999, \"configurations\": [{\"name\": \"b\", "
                     "\"kind\": \"bare\"}], \"workloads\": [{\"kind\": \"cpu\"}]}",
                     NULL);
        assert_true(s->seed == 999999999999999ull);
        /* printed back exactly */
        _cleanup_free_ char *text = cJSON_PrintUnformatted(s->json);
        assert_non_null(strstr(text, "\"seed\":999999999999999"));
        suite_free(s);
}

static const char full_suite[] =
        "{\n"
        "  \"name\": \"full\",\n"
        "  \"description\": \"every field\",\n"
        "  \"repetitions\": 7,\n"
        "  \"warmup\": 0,\n"
        "  \"seed\": 1234,\n"
        "  \"timeout_s\": 2.5,\n"
        "  \"pinning\": \"2-3\",\n"
        "  \"configurations\": [\n"
        "    {\"name\": \"bare\", \"kind\": \"bare\"},\n"
        "    {\"name\": \"ctr\", \"kind\": \"container\", \"layers\": [\"/l1\", \"/l2\"], \"memory\": "
        "\"64M\",\n"
        "     \"cpus\": \"1\", \"pids\": \"100\", \"userns\": false, \"network\": \"none\",\n"
        "     \"capabilities\": [], \"readonly_rootfs\": true},\n"
        "    {\"name\": \"vm.tcg\", \"kind\": \"vm\", \"uri\": \"qemu:///system\", \"kernel\": "
        "\"/boot/vmlinuz\",\n"
        "     \"memory\": 268435456, \"vcpus\": 2, \"accel\": \"tcg\", \"layers\": 3},\n"
        "    {\"name\": \"runc\", \"kind\": \"oci\", \"runtime\": \"runc\"}\n"
        "  ],\n"
        "  \"workloads\": [\n"
        "    {\"kind\": \"startup\", \"params\": {\"runs\": 3}},\n"
        "    {\"kind\": \"memory\", \"params\": {\"size\": \"1.5G\", \"hold_timeout\": 2.5}},\n"
        "    {\"kind\": \"cpu\", \"params\": {\"duration\": \"250ms\"}},\n"
        "    {\"kind\": \"membw\", \"params\": {\"size\": 65536, \"passes\": \"2\"}},\n"
        "    {\"kind\": \"memlat\", \"params\": {\"size\": \"4KiB\", \"accesses\": 1e6}},\n"
        "    {\"name\": \"fio-direct\", \"kind\": \"fileio\",\n"
        "     \"params\": {\"dir\": \"/tmp\", \"size\": \"1M\", \"block\": 4096, \"seq_block\": \"64k\",\n"
        "                \"ops\": 100, \"direct\": true}},\n"
        "    {\"kind\": \"metadata\", \"params\": {\"files\": 10, \"dir\": \"/var/tmp\"}}\n"
        "  ]\n"
        "}\n";

static void test_full(void **state) {
        suite *s = parse_ok(full_suite, NULL);
        assert_string_equal(s->name, "full");
        assert_int_equal(s->repetitions, 7);
        assert_int_equal(s->warmup, 0);
        assert_true(s->seed == 1234);
        assert_true(s->timeout_s == 2.5);
        assert_int_equal(s->pin_mode, SUITE_PIN_CPUS);
        assert_string_equal(s->pin_cpus, "2-3");
        assert_int_equal(s->n_configs, 4);
        assert_string_equal(s->configs[1].name, "ctr");
        assert_string_equal(s->configs[1].kind->name, "container");
        /* every key but name and kind, as written */
        assert_int_equal(cJSON_GetArraySize(s->configs[1].options), 8);
        assert_null(cJSON_GetObjectItemCaseSensitive(s->configs[1].options, "name"));
        assert_null(cJSON_GetObjectItemCaseSensitive(s->configs[1].options, "kind"));
        assert_string_equal(json_str(s->configs[1].options, "memory"), "64M");
        assert_true(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(s->configs[1].options, "readonly_rootfs")));
        assert_int_equal(
                cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(s->configs[1].options, "layers")), 2);
        assert_true(json_num(s->configs[2].options, "memory") == 268435456);
        assert_string_equal(s->configs[3].kind->name, "oci");

        assert_int_equal(s->n_workloads, 7);
        /* canonical strings: integral numbers as integers, else %.17g; strings as is */
        assert_string_equal(param(&s->workloads[0], "runs"), "3");
        assert_string_equal(param(&s->workloads[1], "size"), "1.5G");
        assert_string_equal(param(&s->workloads[1], "hold_timeout"), "2.5");
        assert_string_equal(param(&s->workloads[2], "duration"), "250ms");
        assert_string_equal(param(&s->workloads[3], "size"), "65536");
        assert_string_equal(param(&s->workloads[3], "passes"), "2");
        assert_string_equal(param(&s->workloads[4], "accesses"), "1000000");
        assert_string_equal(s->workloads[5].name, "fio-direct");
        assert_int_equal(s->workloads[5].n_params, 6);
        assert_string_equal(param(&s->workloads[5], "direct"), "true");
        assert_string_equal(param(&s->workloads[5], "seq_block"), "64k");
        assert_null(param(&s->workloads[5], "name"));
        assert_string_equal(s->workloads[6].name, "metadata");
        assert_non_null(s->workloads[6].params_json);
        assert_string_equal(json_str(s->workloads[6].params_json, "dir"), "/var/tmp");

        assert_string_equal(json_str(s->json, "description"), "every field");
        assert_true(json_num(s->json, "seed") == 1234);
        assert_true(json_num(s->json, "timeout_s") == 2.5);
        assert_string_equal(json_str(s->json, "pinning"), "2-3");
        const cJSON *cfgs = cJSON_GetObjectItemCaseSensitive(s->json, "configurations");
        assert_int_equal(cJSON_GetArraySize(cfgs), 4);
        assert_string_equal(json_str(cJSON_GetArrayItem(cfgs, 1), "network"), "none");
        suite_free(s);
}

/* Free text may be empty; "none" pins nothing; any positive number of seconds is a timeout. */
static void test_top_level_edges(void **state) {
        suite *s = parse_ok(
                "{\"name\": \"e\", \"description\": \"\", \"pinning\": \"none\", \"timeout_s\": "
                "0.25, \"warmup\": -0, \"seed\": -0, \"repetitions\": 1e2, \"configurations\": [{\"name\": "
                "\"b\", \"kind\": \"bare\"}], \"workloads\": [{\"kind\": \"cpu\"}]}",
                NULL);
        assert_int_equal(s->pin_mode, SUITE_PIN_NONE);
        assert_null(s->pin_cpus);
        assert_true(s->timeout_s == 0.25);
        assert_int_equal(s->warmup, 0);
        assert_int_equal(s->repetitions, 100);
        assert_true(s->seed == 0);
        assert_string_equal(json_str(s->json, "description"), "");
        assert_string_equal(json_str(s->json, "pinning"), "none");
        assert_true(json_num(s->json, "timeout_s") == 0.25);
        suite_free(s);
}

static void test_param_canonical(void **state) {
        /* 0.1 has no exact double: %.17g prints it as 0.10000000000000001 */
        suite *s = parse_ok("{\"name\": \"c\", \"configurations\": [{\"name\": \"b\", \"kind\": \"bare\"}], "
                            "\"workloads\": [{\"kind\": \"cpu\", \"params\": {\"duration\": 10.1}}]}",
                            NULL);
        assert_string_equal(param(&s->workloads[0], "duration"), "10.1");
        suite_free(s);
        s = parse_ok("{\"name\": \"c\", \"configurations\": [{\"name\": \"b\", \"kind\": \"bare\"}], "
                     "\"workloads\": [{\"kind\": \"memory\", \"params\": {\"hold_timeout\": 1.1e0}}]}",
                     NULL);
        /* python3 -c 'print("%.17g" % 1.1)' -> 1.1000000000000001 */
        assert_string_equal(param(&s->workloads[0], "hold_timeout"), "1.1000000000000001");
        suite_free(s);
}

/* A workload's "configurations" limit where it runs; the suite as run keeps them. */
static void test_workload_configs(void **state) {
        suite *s = parse_ok("{\"name\": \"w\", \"configurations\": [{\"name\": \"bare\", \"kind\": \"bare\"},"
                            " {\"name\": \"ctr\", \"kind\": \"container\"}],"
                            " \"workloads\": [{\"kind\": \"startup\", \"configurations\": [\"ctr\"]},"
                            " {\"kind\": \"cpu\"}]}",
                            &no_overrides);
        assert_int_equal(s->n_workloads, 2);
        assert_false(suite_workload_applies(&s->workloads[0], &s->configs[0]));
        assert_true(suite_workload_applies(&s->workloads[0], &s->configs[1]));
        assert_true(suite_workload_applies(&s->workloads[1], &s->configs[0]));
        assert_true(suite_workload_applies(&s->workloads[1], &s->configs[1]));
        const cJSON *w0 = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(s->json, "workloads"), 0);
        const cJSON *list = cJSON_GetObjectItemCaseSensitive(w0, "configurations");
        assert_int_equal(cJSON_GetArraySize(list), 1);
        assert_string_equal(cJSON_GetArrayItem(list, 0)->valuestring, "ctr");
        assert_null(cJSON_GetObjectItemCaseSensitive(
                cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(s->json, "workloads"), 1),
                "configurations"));
        suite_free(s);
}

static void test_overrides(void **state) {
        suite_overrides ov = {
                .configs = "runc,ctr", .repetitions = 2, .warmup = 0, .has_seed = true, .seed = 99};
        suite *s = parse_ok(full_suite, &ov);
        assert_int_equal(s->repetitions, 2);
        assert_int_equal(s->warmup, 0);
        assert_true(s->seed == 99);
        /* kept in the suite's order */
        assert_int_equal(s->n_configs, 2);
        assert_string_equal(s->configs[0].name, "ctr");
        assert_string_equal(s->configs[1].name, "runc");
        assert_true(json_num(s->json, "repetitions") == 2);
        assert_true(json_num(s->json, "warmup") == 0);
        assert_true(json_num(s->json, "seed") == 99);
        const cJSON *cfgs = cJSON_GetObjectItemCaseSensitive(s->json, "configurations");
        assert_int_equal(cJSON_GetArraySize(cfgs), 2);
        assert_string_equal(json_str(cJSON_GetArrayItem(cfgs, 0), "name"), "ctr");
        assert_string_equal(json_str(cJSON_GetArrayItem(cfgs, 1), "name"), "runc");
        suite_free(s);

        /* warmup only: the rest as in the suite */
        suite_overrides ov2 = {.repetitions = -1, .warmup = 3};
        s = parse_ok(full_suite, &ov2);
        assert_int_equal(s->repetitions, 7);
        assert_int_equal(s->warmup, 3);
        assert_true(s->seed == 1234);
        assert_int_equal(s->n_configs, 4);
        suite_free(s);
}

static void test_bad_overrides(void **state) {
        suite_overrides ov = {.repetitions = 0, .warmup = 1001, .has_seed = true, .seed = 1ull << 60};
        bench_diags d = {0};
        suite *s = NULL;
        assert_int_equal(suite_parse(minimal_suite, "suite.json", &ov, &s, &d), -EINVAL);
        assert_null(s);
        assert_int_equal(d.n, 3);
        assert_string_equal(d.msgs[0],
                            "suite.json: --repetitions: must be an integer between 1 and 100000, got 0");
        assert_string_equal(d.msgs[1],
                            "suite.json: --warmup: must be an integer between 0 and 1000, got 1001");
        /* python3 -c 'print(1 << 60)' -> 1152921504606846976 */
        assert_string_equal(d.msgs[2],
                            "suite.json: --seed: must be an integer between 0 and 999999999999999, got "
                            "1152921504606846976");
        bench_diags_clear(&d);
}

/* --precision, --max-repetitions, --max-time: over the suite's, recorded in the suite as run */
static void test_adaptive_fields(void **state) {
        suite *s = parse_ok(minimal_suite, NULL);
        assert_true(s->precision == 0);
        assert_null(cJSON_GetObjectItemCaseSensitive(s->json, "precision"));
        assert_null(cJSON_GetObjectItemCaseSensitive(s->json, "max_repetitions"));
        suite_free(s);

        static const char with_precision[] = "{\"name\": \"m\", \"precision\": \"2%\", \"configurations\": "
                                             "[{\"name\": \"bare\", \"kind\": "
                                             "\"bare\"}], \"workloads\": [{\"kind\": \"cpu\"}]}";
        s = parse_ok(with_precision, NULL);
        assert_true(s->precision == 0.02);
        assert_int_equal(s->max_repetitions, 100); /* the default */
        assert_true(s->max_time_s == 0);
        assert_string_equal(json_str(s->json, "precision"), "2%");
        assert_true(json_num(s->json, "max_repetitions") == 100);
        assert_null(cJSON_GetObjectItemCaseSensitive(s->json, "max_time"));
        suite_free(s);

        suite_overrides ov = no_overrides;
        ov.precision = "0.5%";
        ov.has_max_repetitions = true;
        ov.max_repetitions = 20;
        ov.max_time = "2.5";
        s = parse_ok(minimal_suite, &ov);
        assert_true(s->precision == 0.005);
        assert_int_equal(s->max_repetitions, 20);
        assert_true(s->max_time_s == 2.5);
        assert_string_equal(json_str(s->json, "precision"), "0.5%");
        assert_true(json_num(s->json, "max_repetitions") == 20);
        assert_true(json_num(s->json, "max_time") == 2.5);
        /* the suite as run validates again: it is what the result records */
        _cleanup_free_ char *again = cJSON_PrintUnformatted(s->json);
        suite_free(s);
        s = parse_ok(again, NULL);
        assert_true(s->precision == 0.005 && s->max_repetitions == 20 && s->max_time_s == 2.5);
        suite_free(s);

        /* the override wins over the file's */
        ov = no_overrides;
        ov.precision = "10%";
        s = parse_ok(with_precision, &ov);
        assert_true(s->precision == 0.1);
        suite_free(s);
}

/* Each case: the overrides and the messages they get (the file is fine). */
static void test_bad_adaptive_overrides(void **state) {
        static const struct {
                const char *precision, *max_time;
                int64_t repetitions, max_repetitions; /* < 0: not given */
                const char *msgs[3];
        } cases[] = {
                {"0",
                 NULL,
                 -1,
                 -1,
                 {"suite.json: --precision: `0` is not a precision; give a percentage above 0% and below "
                  "100%, "
                  "e.g. --precision 2%"}},
                {"2",
                 NULL,
                 -1,
                 -1,
                 {"suite.json: --precision: `2` is not a precision; give a percentage above 0% and below "
                  "100%, "
                  "e.g. --precision 2%"}},
                {"100%",
                 "5m",
                 -1,
                 0,
                 {"suite.json: --precision: `100%` is not a precision; give a percentage above 0% and below "
                  "100%, e.g. --precision 2%",
                  "suite.json: --max-repetitions: must be an integer between 1 and 100000, got 0",
                  "suite.json: --max-time: `5m` is not a time; give a number of seconds greater than 0, e.g. "
                  "--max-time 300"}},
                {NULL,
                 "60",
                 -1,
                 20,
                 {"suite.json: --max-repetitions: has no effect without a precision (give --precision 2% "
                  "too, "
                  "or set \"precision\" in the suite)",
                  "suite.json: --max-time: has no effect without a precision (give --precision 2% too, or "
                  "set "
                  "\"precision\" in the suite)"}},
                {"2%",
                 NULL,
                 5,
                 3,
                 {"suite.json: --max-repetitions: 3 is below the 5 repetitions measured first (give at least "
                  "5)"}},
                {"2%",
                 NULL,
                 200,
                 -1,
                 {"suite.json: max_repetitions: the default 100 is below the 200 repetitions measured first "
                  "(set "
                  "\"max_repetitions\" to at least 200, or give --max-repetitions)"}},
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                suite_overrides ov = no_overrides;
                ov.precision = cases[i].precision;
                ov.max_time = cases[i].max_time;
                ov.repetitions = cases[i].repetitions;
                ov.has_max_repetitions = cases[i].max_repetitions >= 0;
                ov.max_repetitions = (uint64_t)(cases[i].max_repetitions >= 0 ? cases[i].max_repetitions : 0);
                bench_diags d = {0};
                suite *s = NULL;
                assert_int_equal(suite_parse(minimal_suite, "suite.json", &ov, &s, &d), -EINVAL);
                assert_null(s);
                size_t want = 0;
                while (want < ELEMENTSOF(cases[i].msgs) && cases[i].msgs[want])
                        want++;
                bool same = d.n == want;
                for (size_t k = 0; same && k < want; k++)
                        same = !strcmp(d.msgs[k], cases[i].msgs[k]);
                if (!same)
                        for (size_t k = 0; k < d.n; k++)
                                print_message("case %zu got: %s\n", i, d.msgs[k]);
                assert_true(same);
                bench_diags_clear(&d);
        }
}

struct bad_case {
        const char *label;
        const char *text;
        const char *configs; /* --configs override or NULL */
        const char *msgs[5];
};

/*
 * Generated by tests/unit/suite_cases.py (the messages are written by hand;
 * the script computes the line:col of markers in the texts).
 */
static const struct bad_case bad_cases[] = {
        {
                "unknown top-level key",
                "{\n"
                "  \"name\": \"t\",\n"
                "  \"workload\": [{\"kind\": \"cpu\"}],\n"
                "  \"configurations\": [{\"name\": \"bare\", \"kind\": \"bare\"}]\n"
                "}\n",
                NULL,
                {
                        "suite.json:3:3: top level: unknown key `workload` (did you mean `workloads`?)",
                        "suite.json: workloads: missing (add at least one workload, e.g. {\"kind\": "
                        "\"startup\"})",
                },
        },
        {
                "unknown workload kind",
                "{\n"
                "  \"name\": \"t\",\n"
                "  \"configurations\": [{\"name\": \"bare\", \"kind\": \"bare\"}],\n"
                "  \"workloads\": [\n"
                "    {\"kind\": \"cpu\"},\n"
                "    {\"kind\": \"memory\"},\n"
                "    {\"kind\": \"membandwith\"}\n"
                "  ]\n"
                "}\n",
                NULL,
                {
                        "suite.json:7:14: workloads[2].kind: unknown workload `membandwith` (did you mean "
                        "`membw`?)",
                },
        },
        {
                "unknown param",
                "{\n"
                "  \"name\": \"t\",\n"
                "  \"configurations\": [{\"name\": \"bare\", \"kind\": \"bare\"}],\n"
                "  \"workloads\": [\n"
                "    {\"kind\": \"memory\", \"params\": {\"sise\": \"64M\"}},\n"
                "    {\"kind\": \"cpu\", \"params\": {\"zzz\": 1}}\n"
                "  ]\n"
                "}\n",
                NULL,
                {
                        "suite.json:5:35: workloads[0].params: unknown param `sise` for workload memory (did "
                        "you mean `size`?)",
                        "suite.json:6:32: workloads[1].params: unknown param `zzz` for workload cpu (its "
                        "params: duration and slowdown)",
                },
        },
        {
                "bad size",
                "{\n"
                "  \"name\": \"t\",\n"
                "  \"configurations\": [{\"name\": \"bare\", \"kind\": \"bare\"}],\n"
                "  \"workloads\": [{\"kind\": \"membw\", \"params\": {\"size\": \"12Q\"}}]\n"
                "}\n",
                NULL,
                {
                        "suite.json:4:54: workloads[0].params.size: `12Q`: expected a size such as 4096, "
                        "64K, 64M or 1G",
                },
        },
        {
                "size out of range",
                "{\n"
                "  \"name\": \"t\",\n"
                "  \"configurations\": [{\"name\": \"bare\", \"kind\": \"bare\"}],\n"
                "  \"workloads\": [{\"kind\": \"membw\", \"params\": {\"size\": 1024, \"passes\": \"0\"}}]\n"
                "}\n",
                NULL,
                {
                        "suite.json:4:54: workloads[0].params.size: `1024`: must be between 64K and 16G",
                        "suite.json:4:70: workloads[0].params.passes: `0`: must be between 1 and 10000",
                },
        },
        {
                "bad bool",
                "{\n"
                "  \"name\": \"t\",\n"
                "  \"configurations\": [{\"name\": \"bare\", \"kind\": \"bare\"}],\n"
                "  \"workloads\": [\n"
                "    {\"kind\": \"fileio\", \"params\": {\"direct\": \"yes\"}},\n"
                "    {\"kind\": \"fileio\", \"name\": \"f2\", \"params\": {\"direct\": 1}}\n"
                "  ]\n"
                "}\n",
                NULL,
                {
                        "suite.json:5:45: workloads[0].params.direct: `\"yes\"`: expected true or false (a "
                        "JSON boolean, without quotes)",
                        "suite.json:6:59: workloads[1].params.direct: `1`: expected true or false",
                },
        },
        {
                "repetitions 0",
                "{\n"
                "  \"name\": \"t\",\n"
                "  \"repetitions\": 0,\n"
                "  \"configurations\": [{\"name\": \"bare\", \"kind\": \"bare\"}],\n"
                "  \"workloads\": [{\"kind\": \"startup\"}]\n"
                "}\n",
                NULL,
                {
                        "suite.json:3:18: repetitions: must be an integer between 1 and 100000, got 0",
                },
        },
        {
                "repetitions -2",
                "{\n"
                "  \"name\": \"t\",\n"
                "  \"repetitions\": -2,\n"
                "  \"configurations\": [{\"name\": \"bare\", \"kind\": \"bare\"}],\n"
                "  \"workloads\": [{\"kind\": \"startup\"}]\n"
                "}\n",
                NULL,
                {
                        "suite.json:3:18: repetitions: must be an integer between 1 and 100000, got -2",
                },
        },
        {
                "repetitions five",
                "{\n"
                "  \"name\": \"t\",\n"
                "  \"repetitions\": \"five\",\n"
                "  \"configurations\": [{\"name\": \"bare\", \"kind\": \"bare\"}],\n"
                "  \"workloads\": [{\"kind\": \"startup\"}]\n"
                "}\n",
                NULL,
                {
                        "suite.json:3:18: repetitions: must be an integer between 1 and 100000, got \"five\"",
                },
        },
        {
                "warmup, seed, timeout, pinning",
                "{\n"
                "  \"name\": \"t\",\n"
                "  \"warmup\": 2.5,\n"
                "  \"seed\": -1,\n"
                "  \"timeout_s\": 0,\n"
                "  \"pinning\": \"1,\",\n"
                "  \"configurations\": [{\"name\": \"bare\", \"kind\": \"bare\"}],\n"
                "  \"workloads\": [{\"kind\": \"startup\"}]\n"
                "}\n",
                NULL,
                {
                        "suite.json:3:13: warmup: must be an integer between 0 and 1000, got 2.5",
                        "suite.json:4:11: seed: must be an integer between 0 and 999999999999999, got -1",
                        "suite.json:5:16: timeout_s: must be a number of seconds greater than 0, got 0",
                        "suite.json:6:14: pinning: must be \"auto\", \"none\" or a cpu list such as \"1\" or "
                        "\"2-3\", got \"1,\"",
                },
        },
        {
                "precision types",
                "{\n"
                "  \"name\": \"t\",\n"
                "  \"precision\": 2,\n"
                "  \"max_repetitions\": 0,\n"
                "  \"max_time\": \"5m\",\n"
                "  \"configurations\": [{\"name\": \"bare\", \"kind\": \"bare\"}],\n"
                "  \"workloads\": [{\"kind\": \"startup\"}]\n"
                "}\n",
                NULL,
                {
                        "suite.json:3:16: precision: must be a percentage above 0% and below 100% such as "
                        "\"2%\", got 2",
                        "suite.json:4:22: max_repetitions: must be an integer between 1 and 100000, got 0",
                        "suite.json:5:15: max_time: must be a number of seconds greater than 0, got \"5m\"",
                },
        },
        {
                "precision 100%",
                "{\n"
                "  \"name\": \"t\",\n"
                "  \"precision\": \"100%\",\n"
                "  \"configurations\": [{\"name\": \"bare\", \"kind\": \"bare\"}],\n"
                "  \"workloads\": [{\"kind\": \"startup\"}]\n"
                "}\n",
                NULL,
                {
                        "suite.json:3:16: precision: must be a percentage above 0% and below 100% such as "
                        "\"2%\", got \"100%\"",
                },
        },
        {
                "precision without its sign",
                "{\n"
                "  \"name\": \"t\",\n"
                "  \"precision\": \"0.5\",\n"
                "  \"configurations\": [{\"name\": \"bare\", \"kind\": \"bare\"}],\n"
                "  \"workloads\": [{\"kind\": \"startup\"}]\n"
                "}\n",
                NULL,
                {
                        "suite.json:3:16: precision: must be a percentage above 0% and below 100% such as "
                        "\"2%\", got \"0.5\"",
                },
        },
        {
                "caps without precision",
                "{\n"
                "  \"name\": \"t\",\n"
                "  \"max_repetitions\": 20,\n"
                "  \"max_time\": 60,\n"
                "  \"configurations\": [{\"name\": \"bare\", \"kind\": \"bare\"}],\n"
                "  \"workloads\": [{\"kind\": \"startup\"}]\n"
                "}\n",
                NULL,
                {
                        "suite.json:3:3: max_repetitions: has no effect without `precision` (add e.g. "
                        "\"precision\": \"2%\", or remove it)",
                        "suite.json:4:3: max_time: has no effect without `precision` (add e.g. "
                        "\"precision\": \"2%\", or remove it)",
                },
        },
        {
                "max_repetitions below repetitions",
                "{\n"
                "  \"name\": \"t\",\n"
                "  \"repetitions\": 10,\n"
                "  \"precision\": \"5%\",\n"
                "  \"max_repetitions\": 8,\n"
                "  \"configurations\": [{\"name\": \"bare\", \"kind\": \"bare\"}],\n"
                "  \"workloads\": [{\"kind\": \"startup\"}]\n"
                "}\n",
                NULL,
                {
                        "suite.json:5:22: max_repetitions: 8 is below the 10 repetitions measured first (set "
                        "at least 10)",
                },
        },
        {
                "default max_repetitions below repetitions",
                "{\n"
                "  \"name\": \"t\",\n"
                "  \"repetitions\": 200,\n"
                "  \"precision\": \"5%\",\n"
                "  \"configurations\": [{\"name\": \"bare\", \"kind\": \"bare\"}],\n"
                "  \"workloads\": [{\"kind\": \"startup\"}]\n"
                "}\n",
                NULL,
                {
                        "suite.json: max_repetitions: the default 100 is below the 200 repetitions measured "
                        "first (set \"max_repetitions\" to at least 200, or give --max-repetitions)",
                },
        },
        {
                "missing configurations",
                "{\n"
                "  \"name\": \"t\",\n"
                "  \"workloads\": [{\"kind\": \"startup\"}]\n"
                "}\n",
                NULL,
                {
                        "suite.json: configurations: missing (add at least one configuration, e.g. "
                        "{\"name\": \"bare\", \"kind\": \"bare\"})",
                },
        },
        {
                "empty workloads",
                "{\n"
                "  \"name\": \"t\",\n"
                "  \"configurations\": [{\"name\": \"bare\", \"kind\": \"bare\"}],\n"
                "  \"workloads\": []\n"
                "}\n",
                NULL,
                {
                        "suite.json:4:16: workloads: empty (add at least one workload, e.g. {\"kind\": "
                        "\"startup\"})",
                },
        },
        {
                "missing name and kinds",
                "{\n"
                "  \"configurations\": [{\"name\": \"c\"}],\n"
                "  \"workloads\": [{\"name\": \"w\"}]\n"
                "}\n",
                NULL,
                {
                        "suite.json:2:22: configurations[0]: missing `kind` (one of bare, container, vm or "
                        "oci)",
                        "suite.json:3:17: workloads[0]: missing `kind` (one of startup, memory, cpu, membw, "
                        "memlat, fileio, metadata, copyup or density)",
                        "suite.json: name: missing (add e.g. \"name\": \"startup-overhead\")",
                },
        },
        {
                "unknown kind option",
                "{\n"
                "  \"name\": \"t\",\n"
                "  \"configurations\": [\n"
                "    {\"name\": \"bare\", \"kind\": \"bare\", \"memory\": \"64M\"},\n"
                "    {\"name\": \"c\", \"kind\": \"container\",\n"
                "     \"memroy\": \"64M\"}\n"
                "  ],\n"
                "  \"workloads\": [{\"kind\": \"startup\"}]\n"
                "}\n",
                NULL,
                {
                        "suite.json:4:38: configurations[0]: unknown key `memory` for kind bare (its "
                        "options: stack)",
                        "suite.json:6:6: configurations[1]: unknown key `memroy` for kind container (did you "
                        "mean `memory`?)",
                },
        },
        {
                "unknown configuration kind",
                "{\n"
                "  \"name\": \"t\",\n"
                "  \"configurations\": [{\"name\": \"c\", \"kind\": \"contianer\"}],\n"
                "  \"workloads\": [{\"kind\": \"startup\"}]\n"
                "}\n",
                NULL,
                {
                        "suite.json:3:44: configurations[0].kind: unknown kind `contianer` (did you mean "
                        "`container`?)",
                },
        },
        {
                "memory below the kind minimum",
                "{\n"
                "  \"name\": \"t\",\n"
                "  \"configurations\": [\n"
                "    {\"name\": \"c\", \"kind\": \"container\", \"memory\": \"1M\"},\n"
                "    {\"name\": \"v\", \"kind\": \"vm\", \"memory\": 33554432}\n"
                "  ],\n"
                "  \"workloads\": [{\"kind\": \"startup\"}]\n"
                "}\n",
                NULL,
                {
                        "suite.json:4:50: configurations[0].memory: `1M`: must be at least 4M",
                        "suite.json:5:43: configurations[1].memory: `33554432`: must be at least 64M",
                },
        },
        {
                "option types",
                "{\n"
                "  \"name\": \"t\",\n"
                "  \"configurations\": [\n"
                "    {\"name\": \"c\", \"kind\": \"container\", \"capabilities\": [\"CAP_CHOWN\", 5],\n"
                "     \"layers\": 0, \"network\": \"host\", \"userns\": \"true\"}\n"
                "  ],\n"
                "  \"workloads\": [{\"kind\": \"startup\"}]\n"
                "}\n",
                NULL,
                {
                        "suite.json:4:70: configurations[0].capabilities[1]: expected a non-empty string, "
                        "got 5",
                        "suite.json:5:16: configurations[0].layers: `0`: must be between 1 and 500",
                        "suite.json:5:30: configurations[0].network: `host`: expected none or loopback",
                        "suite.json:5:48: configurations[0].userns: `\"true\"`: expected true or false (a "
                        "JSON boolean, without quotes)",
                },
        },
        {
                "duplicate names",
                "{\n"
                "  \"name\": \"t\",\n"
                "  \"configurations\": [\n"
                "    {\"name\": \"bare\", \"kind\": \"bare\"},\n"
                "    {\"name\": \"bare\", \"kind\": \"container\"}\n"
                "  ],\n"
                "  \"workloads\": [\n"
                "    {\"kind\": \"cpu\"},\n"
                "    {\"kind\": \"cpu\"},\n"
                "    {\"kind\": \"memory\", \"name\": \"cpu\"}\n"
                "  ]\n"
                "}\n",
                NULL,
                {
                        "suite.json:5:14: configurations[1].name: `bare` is already the name of "
                        "configurations[0] (names must be unique)",
                        "suite.json:9:5: workloads[1]: its name `cpu` (the default: its kind) is already the "
                        "name of workloads[0] (add a unique \"name\")",
                        "suite.json:10:32: workloads[2].name: `cpu` is already the name of workloads[0] "
                        "(names must be unique)",
                },
        },
        {
                "bad names",
                "{\n"
                "  \"name\": \"t\",\n"
                "  \"configurations\": [{\"name\": \"my config\", \"kind\": \"bare\"}],\n"
                "  \"workloads\": [{\"kind\": \"cpu\", \"name\": \"\"}]\n"
                "}\n",
                NULL,
                {
                        "suite.json:3:31: configurations[0].name: `my config`: use only letters, digits, "
                        "`_`, `.` and `-` (and at least one)",
                        "suite.json:4:41: workloads[0].name: ``: use only letters, digits, `_`, `.` and `-` "
                        "(and at least one)",
                },
        },
        {
                "duplicate keys",
                "{\n"
                "  \"name\": \"t\",\n"
                "  \"name\": \"u\",\n"
                "  \"configurations\": [{\"name\": \"bare\", \"kind\": \"bare\", \"kind\": \"vm\"}],\n"
                "  \"workloads\": [{\"kind\": \"startup\"}]\n"
                "}\n",
                NULL,
                {
                        "suite.json:3:3: top level: duplicate key `name` (already set at 2:3; keep one)",
                        "suite.json:4:55: configurations[0]: duplicate key `kind` (already set at 4:39; keep "
                        "one)",
                },
        },
        {
                "trailing comma",
                "{\n"
                "  \"name\": \"t\",\n"
                "  \"configurations\": [{\"name\": \"bare\", \"kind\": \"bare\"}],\n"
                "  \"workloads\": [{\"kind\": \"startup\"},]\n"
                "}\n",
                NULL,
                {
                        "suite.json:4:36: invalid JSON: trailing comma before `]` (JSON allows none; remove "
                        "the comma)",
                },
        },
        {
                "missing comma",
                "{\n"
                "  \"name\": \"t\"\n"
                "  \"configurations\": []\n"
                "}\n",
                NULL,
                {
                        "suite.json:3:3: invalid JSON: missing `,` before this key",
                },
        },
        {
                "single quotes",
                "{\n"
                "  'name': 't'\n"
                "}\n",
                NULL,
                {
                        "suite.json:2:3: invalid JSON: strings and keys need double quotes (\"), not single "
                        "quotes",
                },
        },
        {
                "unquoted size",
                "{\n"
                "  \"name\": \"t\",\n"
                "  \"configurations\": [{\"name\": \"bare\", \"kind\": \"bare\"}],\n"
                "  \"workloads\": [{\"kind\": \"membw\", \"params\": {\"size\": 64K}}]\n"
                "}\n",
                NULL,
                {
                        "suite.json:4:54: invalid JSON: `64K` is not a JSON number; write it as a string: "
                        "\"64K\"",
                },
        },
        {
                "never closed",
                "{\n"
                "  \"name\": \"t\",\n"
                "  \"workloads\": [{\"kind\": \"cpu\"}\n",
                NULL,
                {
                        "suite.json:4:1: invalid JSON: unexpected end of file: the `[` at 3:16 is never "
                        "closed",
                },
        },
        {
                "not an object",
                "[\"name\"]\n",
                NULL,
                {
                        "suite.json:1:1: top level: a suite must be a JSON object {\"name\": ..., "
                        "\"configurations\": [...], \"workloads\": [...]}, got an array",
                },
        },
        {
                "empty",
                " \n"
                "\n",
                NULL,
                {
                        "suite.json: the file is empty (a suite is a JSON object such as {\"name\": "
                        "\"quick\", \"configurations\": [{\"name\": \"bare\", \"kind\": \"bare\"}], "
                        "\"workloads\": [{\"kind\": \"startup\"}]})",
                },
        },
        {
                "three problems",
                "{\n"
                "  \"name\": \"t\",\n"
                "  \"repetitons\": 3,\n"
                "  \"configurations\": [{\"name\": \"c\", \"kind\": \"container\", \"memory\": \"lots\"}],\n"
                "  \"workloads\": [{\"kind\": \"cpux\"}]\n"
                "}\n",
                NULL,
                {
                        "suite.json:3:3: top level: unknown key `repetitons` (did you mean `repetitions`?)",
                        "suite.json:4:67: configurations[0].memory: `lots`: expected a size such as 4096, "
                        "64K, 64M or 1G",
                        "suite.json:5:26: workloads[0].kind: unknown workload `cpux` (did you mean `cpu`?)",
                },
        },
        {
                "tmpfs sizes",
                "{\n"
                "  \"name\": \"t\",\n"
                "  \"configurations\": [\n"
                "    {\"name\": \"c\", \"kind\": \"container\", \"tmpfs_size\": \"lots\",\n"
                "     \"upper\": \"tmpfs\", \"upper_size\": \"4K\"}\n"
                "  ],\n"
                "  \"workloads\": [{\"kind\": \"startup\"}]\n"
                "}\n",
                NULL,
                {
                        "suite.json:4:54: configurations[0].tmpfs_size: `lots`: expected a size such as "
                        "4096, 64K, 64M or 1G",
                        "suite.json:5:38: configurations[0].upper_size: `4K`: must be at least 1M",
                },
        },
        {
                "workload configurations",
                "{\n"
                "  \"name\": \"t\",\n"
                "  \"configurations\": [\n"
                "    {\"name\": \"bare\", \"kind\": \"bare\"},\n"
                "    {\"name\": \"container\", \"kind\": \"container\"}\n"
                "  ],\n"
                "  \"workloads\": [\n"
                "    {\"kind\": \"cpu\", \"configurations\": [\"bare\", \"contaner\", \"bare\"]},\n"
                "    {\"kind\": \"memory\", \"configurations\": []},\n"
                "    {\"kind\": \"startup\", \"configurations\": [7]},\n"
                "    {\"kind\": \"metadata\", \"configurations\": \"bare\"}\n"
                "  ]\n"
                "}\n",
                NULL,
                {
                        "suite.json:8:48: workloads[0].configurations[1]: unknown configuration `contaner` "
                        "(did you mean `container`?)",
                        "suite.json:8:60: workloads[0].configurations[2]: `bare` is listed twice (keep one)",
                        "suite.json:9:42: workloads[1].configurations: empty (name at least one "
                        "configuration, or drop the key to run it in all)",
                        "suite.json:10:44: workloads[2].configurations[0]: expected a configuration's name, "
                        "got 7",
                        "suite.json:11:44: workloads[3].configurations: must be an array of configuration "
                        "names such as [\"bare\"], got \"bare\"",
                },
        },
        {
                "--configs unknown",
                "{\n"
                "  \"name\": \"t\",\n"
                "  \"configurations\": [\n"
                "    {\"name\": \"bare\", \"kind\": \"bare\"},\n"
                "    {\"name\": \"container\", \"kind\": \"container\"}\n"
                "  ],\n"
                "  \"workloads\": [{\"kind\": \"startup\"}]\n"
                "}\n",
                "bare,contaner,zzz",
                {
                        "suite.json: --configs: unknown configuration `contaner` (did you mean `container`?)",
                        "suite.json: --configs: unknown configuration `zzz` (the suite has bare and "
                        "container)",
                },
        },
        {
                "density counts",
                "{\n"
                "  \"name\": \"t\",\n"
                "  \"configurations\": [{\"name\": \"bare\", \"kind\": \"bare\"}],\n"
                "  \"workloads\": [\n"
                "    {\"kind\": \"density\", \"params\": {\"n\": \"8,1\"}},\n"
                "    {\"kind\": \"density\", \"name\": \"d2\", \"params\": {\"n\": \"1,,8\"}},\n"
                "    {\"kind\": \"density\", \"name\": \"d3\", \"params\": {\"n\": \"0\"}}\n"
                "  ]\n"
                "}\n",
                NULL,
                {
                        "suite.json:5:41: workloads[0].params.n: counts must rise (each larger than the one "
                        "before): 1 after 8",
                        "suite.json:6:55: workloads[1].params.n: expected counts such as \"1,8,32\" (numbers "
                        "separated by commas)",
                        "suite.json:7:55: workloads[2].params.n: each count must be from 1 to 100000, got 0",
                },
        },
};

static void test_bad_suites(void **state) {
        for (size_t i = 0; i < ELEMENTSOF(bad_cases); i++) {
                const struct bad_case *bc = &bad_cases[i];
                suite_overrides ov = no_overrides;
                ov.configs = bc->configs;
                bench_diags d = {0};
                suite *s = NULL;
                int r = suite_parse(bc->text, "suite.json", &ov, &s, &d);
                size_t want = 0;
                while (want < ELEMENTSOF(bc->msgs) && bc->msgs[want])
                        want++;
                bool same = r == -EINVAL && !s && d.n == want;
                for (size_t k = 0; same && k < want; k++)
                        same = !strcmp(d.msgs[k], bc->msgs[k]);
                if (!same) {
                        print_message("case \"%s\": r=%d, %zu message(s), expected %zu:\n", bc->label, r, d.n,
                                      want);
                        for (size_t k = 0; k < d.n; k++)
                                print_message("  got:  %s\n", d.msgs[k]);
                        for (size_t k = 0; k < want; k++)
                                print_message("  want: %s\n", bc->msgs[k]);
                }
                assert_true(same);
                suite_free(s);
                bench_diags_clear(&d);
        }
}

static void test_diags_appended(void **state) {
        /* earlier messages in diags are kept; only this call's problems count */
        bench_diags d = {0};
        bench_diags_add(&d, "earlier");
        suite *s = NULL;
        assert_int_equal(suite_parse(minimal_suite, "suite.json", NULL, &s, &d), 0);
        assert_int_equal(d.n, 1);
        suite_free(s);
        s = NULL;
        assert_int_equal(suite_parse("{}", "x.json", NULL, &s, &d), -EINVAL);
        assert_int_equal(d.n, 4);
        assert_string_equal(d.msgs[0], "earlier");
        assert_string_equal(d.msgs[1], "x.json: name: missing (add e.g. \"name\": \"startup-overhead\")");
        bench_diags_clear(&d);
}

static char tmpdir[] = "/tmp/test_suite.XXXXXX";

static void write_text(const char *path, const char *text) {
        FILE *f = fopen(path, "we");
        assert_non_null(f);
        assert_int_equal(fputs(text, f) >= 0, 1);
        assert_int_equal(fclose(f), 0);
}

static void test_load(void **state) {
        char path[256];
        bench_diags d = {0};
        suite *s = NULL;
        assert_non_null(mkdtemp(tmpdir));

        snprintf(path, sizeof(path), "%s/good.json", tmpdir);
        write_text(path, minimal_suite);
        assert_int_equal(suite_load(path, NULL, &s, &d), 0);
        assert_string_equal(s->path, path);
        suite_free(s);
        s = NULL;

        char want[512];
        snprintf(path, sizeof(path), "%s/missing.json", tmpdir);
        assert_int_equal(suite_load(path, NULL, &s, &d), -ENOENT);
        snprintf(want, sizeof(want), "%s: no such file (check the path; example suites are in suites/)",
                 path);
        assert_int_equal(d.n, 1);
        assert_string_equal(d.msgs[0], want);

        assert_int_equal(suite_load(tmpdir, NULL, &s, &d), -EISDIR);
        snprintf(want, sizeof(want), "%s: is a directory, not a suite file (name a .json file in it)",
                 tmpdir);
        assert_int_equal(d.n, 2);
        assert_string_equal(d.msgs[1], want);

        snprintf(path, sizeof(path), "%s/empty.json", tmpdir);
        write_text(path, "");
        assert_int_equal(suite_load(path, NULL, &s, &d), -EINVAL);
        assert_int_equal(d.n, 3);
        snprintf(want, sizeof(want), "%s: the file is empty", path);
        assert_memory_equal(d.msgs[2], want, strlen(want));
        assert_null(s);
        bench_diags_clear(&d);

        snprintf(path, sizeof(path), "%s/good.json", tmpdir);
        unlink(path);
        snprintf(path, sizeof(path), "%s/empty.json", tmpdir);
        unlink(path);
        assert_int_equal(rmdir(tmpdir), 0);
}

/* ---- the JSON Schema ---------------------------------------------------- */

static const char *source_dir(void) {
        const char *d = getenv("BENCH_SOURCE_DIR");
        return d && *d ? d : BENCH_SOURCE_DIR;
}

static bool have_jsonschema(void) {
        return system("/usr/bin/python3 -c 'import jsonschema' >/dev/null 2>&1") == 0;
}

/* 0 if file validates against results/suite.schema.json, 1 if not. */
static int schema_validate(const char *file) {
        char cmd[2048];
        snprintf(
                cmd, sizeof(cmd),
                "/usr/bin/python3 -c 'import json,jsonschema,sys; "
                "s=json.load(open(sys.argv[1])); jsonschema.Draft202012Validator.check_schema(s); "
                "errs=list(jsonschema.Draft202012Validator(s).iter_errors(json.load(open(sys.argv[2])))); "
                "[print(sys.argv[2], e.message, file=sys.stderr) for e in errs]; sys.exit(1 if errs else 0)' "
                "'%s/results/suite.schema.json' '%s' 2>/dev/null",
                source_dir(), file);
        int r = system(cmd);
        assert_true(WIFEXITED(r));
        assert_true(WEXITSTATUS(r) <= 1); /* 2+: python itself failed */
        return WEXITSTATUS(r);
}

static int schema_validate_text(const char *text) {
        char path[] = "/tmp/test_suite_schema.XXXXXX";
        int fd = mkstemp(path);
        assert_true(fd >= 0);
        assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
        close(fd);
        int r = schema_validate(path);
        unlink(path);
        return r;
}

static void test_schema_good_suites(void **state) {
        if (!have_jsonschema()) {
                print_message("/usr/bin/python3 lacks jsonschema (apt install python3-jsonschema)\n");
                skip();
        }
        assert_int_equal(schema_validate_text(minimal_suite), 0);
        assert_int_equal(schema_validate_text(full_suite), 0);
}

static void test_schema_bad_suites(void **state) {
        if (!have_jsonschema()) {
                print_message("/usr/bin/python3 lacks jsonschema (apt install python3-jsonschema)\n");
                skip();
        }
        /* the schema must reject what suite_parse rejects (where JSON Schema can say it) */
        static const char *const labels[] = {
                "unknown top-level key",
                "unknown workload kind",
                "unknown param",
                "bad size",
                "bad bool",
                "repetitions 0",
                "repetitions -2",
                "repetitions five",
                "missing configurations",
                "empty workloads",
                "unknown kind option",
                "unknown configuration kind",
                "option types",
                "bad names",
                "three problems",
                "precision types",
                "precision without its sign",
                "caps without precision",
        };
        for (size_t i = 0; i < ELEMENTSOF(labels); i++) {
                const struct bad_case *bc = NULL;
                for (size_t k = 0; k < ELEMENTSOF(bad_cases); k++)
                        if (!strcmp(bad_cases[k].label, labels[i]))
                                bc = &bad_cases[k];
                assert_non_null(bc);
                if (schema_validate_text(bc->text) != 1)
                        print_message("schema accepts bad case \"%s\"\n", labels[i]);
                assert_int_equal(schema_validate_text(bc->text), 1);
        }
}

/* The suites in suites/ (written by others) must load and match the schema. */
static void test_shipped_suites(void **state) {
        char dir[1024];
        snprintf(dir, sizeof(dir), "%s/suites", source_dir());
        DIR *dh = opendir(dir);
        size_t n = 0;
        for (struct dirent *e; dh && (e = readdir(dh));) {
                size_t l = strlen(e->d_name);
                if (l < 6 || strcmp(e->d_name + l - 5, ".json"))
                        continue;
                char path[2048];
                snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
                bench_diags d = {0};
                suite *s = NULL;
                int r = suite_load(path, NULL, &s, &d);
                for (size_t i = 0; i < d.n; i++)
                        print_message("%s\n", d.msgs[i]);
                assert_int_equal(r, 0);
                suite_free(s);
                bench_diags_clear(&d);
                if (have_jsonschema())
                        assert_int_equal(schema_validate(path), 0);
                n++;
        }
        if (dh)
                closedir(dh);
        if (!n) {
                print_message("no suites/*.json in this tree yet\n");
                skip();
        }
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_minimal_defaults),
                cmocka_unit_test(test_seed_recorded),
                cmocka_unit_test(test_full),
                cmocka_unit_test(test_top_level_edges),
                cmocka_unit_test(test_param_canonical),
                cmocka_unit_test(test_workload_configs),
                cmocka_unit_test(test_overrides),
                cmocka_unit_test(test_bad_overrides),
                cmocka_unit_test(test_adaptive_fields),
                cmocka_unit_test(test_bad_adaptive_overrides),
                cmocka_unit_test(test_bad_suites),
                cmocka_unit_test(test_diags_appended),
                cmocka_unit_test(test_load),
                cmocka_unit_test(test_schema_good_suites),
                cmocka_unit_test(test_schema_bad_suites),
                cmocka_unit_test(test_shipped_suites),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
