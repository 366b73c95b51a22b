/* SPDX-License-Identifier: MIT */
/*
 * results/schema.c: the committed schemas are what the tables generate, and
 * the tables they come from hold together (one spec per WL_LIST line).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../common/cleanup.h"
#include "../../common/json.h"
#include "../../common/util.h"
#include "../../harness/suite.h"
#include "../../results/schema.h"
#include "../../runtimes/driver.h"
#include "../../workloads/catalog.h"

static const char *source_dir(void) {
        const char *d = getenv("BENCH_SOURCE_DIR");
        return d && *d ? d : BENCH_SOURCE_DIR;
}

/* results/NAME.schema.json must be `bench list --schema NAME`, byte for byte. */
static void check_committed(const char *name) {
        _cleanup_free_ char *generated = NULL, *committed = NULL, *path = NULL;
        _cleanup_error_ bench_error *err = NULL;
        assert_int_equal(res_schema_generate(name, &generated, &err), 0);
        assert_true(asprintf(&path, "%s/results/%s.schema.json", source_dir(), name) > 0);
        assert_int_equal(bench_read_file(path, &committed, NULL, NULL), 0);
        if (strcmp(committed, generated))
                fail_msg(
                        "%s differs from what the tables generate: a kind option, workload param or metric "
                        "changed. Regenerate it with `build/bench list --schema %s > results/%s.schema.json` "
                        "and commit it",
                        path, name, name);
}

static void test_suite_schema_committed(void **state) {
        check_committed("suite");
}

static void test_result_schema_committed(void **state) {
        check_committed("result");
}

static void test_unknown_schema(void **state) {
        _cleanup_free_ char *text = NULL;
        _cleanup_error_ bench_error *err = NULL;
        assert_int_equal(res_schema_generate("suites", &text, &err), -EINVAL);
        assert_non_null(strstr(err->msg, "`suites`"));
        assert_null(text);
}

/* Each WL_LIST line names its spec; the spec's name is that line, and its defaults pass its own checks. */
static void test_catalog_is_the_list(void **state) {
#define WL_NAME(n) #n,
        static const char *const listed[] = {WL_LIST(WL_NAME) NULL};
#undef WL_NAME
        size_t i = 0;
        for (; wl_catalog[i]; i++) {
                const wl_spec *w = wl_catalog[i];
                assert_non_null(listed[i]);
                assert_string_equal(w->name, listed[i]);
                assert_ptr_equal(wl_catalog_find(listed[i]), w);
                assert_non_null(w->summary);
                assert_non_null(w->run);
                assert_non_null(w->metrics[0].name);
                for (const bench_opt_spec *p = w->params; p->name; p++) {
                        char why[256] = "";
                        if (p->def && bench_opt_check(p, p->def, why, sizeof(why)) < 0)
                                fail_msg("%s: param %s: default `%s`: %s", w->name, p->name, p->def, why);
                }
        }
        assert_null(listed[i]);
}

/* The suite's own fields: their defaults pass their own checks, and the schema states each of them. */
static void test_suite_fields(void **state) {
        _cleanup_free_ char *text = NULL;
        assert_int_equal(res_schema_generate("suite", &text, NULL), 0);
        _cleanup_json_ cJSON *schema = cJSON_Parse(text);
        const cJSON *props = cJSON_GetObjectItemCaseSensitive(schema, "properties");
        for (const bench_opt_spec *f = suite_fields; f->name; f++) {
                char why[256] = "";
                if (f->def && bench_opt_check(f, f->def, why, sizeof(why)) < 0)
                        fail_msg("suite field %s: default `%s`: %s", f->name, f->def, why);
                const cJSON *p = cJSON_GetObjectItemCaseSensitive(props, f->name);
                assert_non_null(p);
                const cJSON *def = cJSON_GetObjectItemCaseSensitive(p, "default");
                assert_true(!f->def == !def);
        }
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_suite_schema_committed), cmocka_unit_test(test_result_schema_committed),
                cmocka_unit_test(test_unknown_schema),         cmocka_unit_test(test_catalog_is_the_list),
                cmocka_unit_test(test_suite_fields),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
