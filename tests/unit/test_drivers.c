/* SPDX-License-Identifier: MIT */
/* runtimes/: every kind's tables, the documented skeleton driver, and the typed option reads (common/opt.h).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../../common/cleanup.h"
#include "../../common/json.h"
#include "../../runtimes/driver.h"

/* runtimes/skeleton.c: in benchcore, on no list */
extern const rt_driver rt_skeleton_driver;
extern const bench_opt_spec rt_skeleton_options[];

static void test_kinds_are_their_drivers(void **state) {
        size_t with_driver = 0;
        for (const rt_kind *k = rt_kinds; k->name; k++) {
                assert_ptr_equal(rt_kind_find(k->name), k);
                assert_non_null(k->options);
                if (!k->driver)
                        continue; /* a kind whose driver lands later: a skip */
                with_driver++;
                _cleanup_error_ bench_error *err = NULL;
                if (rt_driver_validate(k->driver, &err) < 0)
                        fail_msg("%s", err->msg);
                assert_string_equal(k->driver->name, k->name);
                assert_ptr_equal(k->driver->options, k->options);
                /* the option every kind shares, stated once */
                const bench_opt_spec *stack = bench_opt_find(k->options, "stack");
                assert_non_null(stack);
                assert_int_equal(stack->type, BENCH_OPT_STRING);
        }
        assert_int_equal(with_driver, 4);
        assert_null(rt_kind_find("skeleton"));
        /* the order `bench list` and the schema show */
        assert_string_equal(rt_kinds[0].name, "bare");
        assert_string_equal(rt_kinds[3].name, "oci");
        assert_ptr_equal(rt_kinds[3].driver, &rt_oci_driver);
}

/* The oci kind takes the container kind's isolation options as they are: one table fragment. */
static void test_oci_shares_container_options(void **state) {
        size_t shared = 0;
        for (const bench_opt_spec *c = rt_container_options; c->name; c++) {
                const bench_opt_spec *o = bench_opt_find(rt_oci_options, c->name);
                if (!strcmp(c->name, "userns") || !strcmp(c->name, "timens")) {
                        assert_null(o); /* bench's runtime only */
                        continue;
                }
                assert_non_null(o);
                shared++;
                assert_int_equal(o->type, c->type);
                assert_true((!o->def && !c->def) || (o->def && c->def && !strcmp(o->def, c->def)));
                assert_string_equal(o->help, c->help);
                assert_true(o->min == c->min && o->max == c->max);
        }
        assert_true(shared >= 14);
        const bench_opt_spec *rt = bench_opt_find(rt_oci_options, "runtime");
        assert_non_null(rt);
        assert_string_equal(rt->def, "crun");
        assert_non_null(bench_opt_find(rt_oci_options, "runtime_args"));
}

static void test_skeleton(void **state) {
        _cleanup_error_ bench_error *err = NULL;
        if (rt_driver_validate(&rt_skeleton_driver, &err) < 0)
                fail_msg("%s", err->msg);
        /* it says why it cannot run: what a probe must do */
        assert_int_equal(rt_skeleton_driver.probe(0, &err), -ENOSYS);
        assert_non_null(strstr(err->msg, "skeleton"));
        assert_int_equal(rt_skeleton_driver.check(NULL, NULL), 0);
        assert_int_equal(rt_skeleton_driver.max_starts(NULL), 0);
        rt_config cfg = {.name = "s", .options = NULL};
        rt_env *env = NULL;
        assert_int_equal(rt_skeleton_driver.create(&cfg, 0, &env, NULL), 0);
        rt_metric m[RT_MAX_METRICS];
        bench_error *merr = NULL;
        assert_true(rt_skeleton_driver.measure(env, m, &merr) < 0);
        bench_error_free(merr);
        rt_phase ph[RT_MAX_PHASES];
        assert_int_equal(rt_skeleton_driver.phases(env, 0, ph, RT_MAX_PHASES), 0);
        rt_skeleton_driver.destroy(env);
        rt_skeleton_driver.destroy(NULL);
}

/* A table with a bad default fails validation: defaults are text written by hand. */
static void test_validate_defaults(void **state) {
        static const bench_opt_spec bad[] = {
                {"memory", BENCH_OPT_SIZE, "lots", NULL, 0, 0, "memory"},
                {0},
        };
        rt_driver d = rt_skeleton_driver;
        d.options = bad;
        _cleanup_error_ bench_error *err = NULL;
        assert_int_equal(rt_driver_validate(&d, &err), -EINVAL);
        assert_non_null(strstr(err->msg, "`memory`"));
        d.options = NULL;
        bench_error_free(err);
        err = NULL;
        assert_int_equal(rt_driver_validate(&d, &err), -EINVAL);
}

static const bench_opt_spec table[] = {
        {"layers", BENCH_OPT_UINT_OR_STRLIST, "1", NULL, 1, 500, "count or dirs"},
        {"memory", BENCH_OPT_SIZE, "256M", NULL, 0, 0, "memory"},
        {"limit", BENCH_OPT_SIZE, NULL, NULL, 1, 0, "no default"},
        {"vcpus", BENCH_OPT_UINT, "1", NULL, 1, 256, "vcpus"},
        {"userns", BENCH_OPT_BOOL, "false", NULL, 0, 0, "userns"},
        {"net", BENCH_OPT_ENUM, "loopback", "none|loopback", 0, 0, "net"},
        {"cpus", BENCH_OPT_CPULIST, NULL, NULL, 0, 0, "cpus"},
        {"name", BENCH_OPT_STRING, NULL, NULL, 0, 0, "name"},
        {0},
};

static void test_reads_defaults(void **state) {
        char buf[32];
        /* no options object at all, or an empty one: the table's defaults */
        _cleanup_json_ cJSON *empty = cJSON_Parse("{}");
        const cJSON *none[] = {NULL, empty};
        for (size_t i = 0; i < 2; i++) {
                assert_int_equal(bench_opt_uint(none[i], table, "layers"), 1);
                assert_null(bench_opt_list(none[i], table, "layers"));
                assert_int_equal(bench_opt_size(none[i], table, "memory"), 256ull << 20);
                assert_int_equal(bench_opt_size(none[i], table, "limit"), 0);
                assert_int_equal(bench_opt_uint(none[i], table, "vcpus"), 1);
                assert_false(bench_opt_bool(none[i], table, "userns"));
                assert_string_equal(bench_opt_enum(none[i], table, "net"), "loopback");
                assert_null(bench_opt_cpulist(none[i], table, "cpus", buf, sizeof(buf)));
                assert_null(bench_opt_string(none[i], table, "name"));
                assert_false(bench_opt_given(none[i], table, "memory"));
        }
}

static void test_reads_given(void **state) {
        char buf[32];
        /* as a suite may write them: numbers or strings for sizes and counts, a cpu as a number */
        _cleanup_json_ cJSON *o = cJSON_Parse(
                "{\"layers\": [\"/a\", \"/b\", \"/c\"], \"memory\": \"1G\", \"limit\": 4096,"
                " \"vcpus\": \"4\", \"userns\": true, \"net\": \"none\", \"cpus\": 3, \"name\": \"x\"}");
        assert_non_null(o);
        assert_int_equal(cJSON_GetArraySize(bench_opt_list(o, table, "layers")), 3);
        assert_int_equal(bench_opt_uint(o, table, "layers"), 3);
        assert_int_equal(bench_opt_size(o, table, "memory"), 1ull << 30);
        assert_int_equal(bench_opt_size(o, table, "limit"), 4096);
        assert_int_equal(bench_opt_uint(o, table, "vcpus"), 4);
        assert_true(bench_opt_bool(o, table, "userns"));
        assert_string_equal(bench_opt_enum(o, table, "net"), "none");
        assert_string_equal(bench_opt_cpulist(o, table, "cpus", buf, sizeof(buf)), "3");
        assert_string_equal(bench_opt_string(o, table, "name"), "x");
        assert_true(bench_opt_given(o, table, "memory"));
        _cleanup_json_ cJSON *n = cJSON_Parse("{\"layers\": 7, \"memory\": 268435456}");
        assert_int_equal(bench_opt_uint(n, table, "layers"), 7);
        assert_int_equal(bench_opt_size(n, table, "memory"), 256ull << 20);
        /* the agent's form: text or nothing */
        const bench_opt_spec *v = bench_opt_expect(table, "vcpus", BENCH_OPT_AS(BENCH_OPT_UINT), "test");
        assert_int_equal(bench_opt_text_uint(v, NULL, "test"), 1);
        assert_int_equal(bench_opt_text_uint(v, "8", "test"), 8);
}

/* Reading what the table does not declare, or as another type, is the owner's bug: it aborts. */
static int aborts(void (*fn)(void)) {
        pid_t pid = fork();
        if (pid == 0) {
                /* quiet: the message is for a developer, not for the test log */
                if (!freopen("/dev/null", "w", stderr))
                        _exit(2);
                fn();
                _exit(0);
        }
        int status = 0;
        waitpid(pid, &status, 0);
        return WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT;
}

static void read_undeclared(void) {
        bench_opt_uint(NULL, table, "vpcus");
}

static void read_as_other_type(void) {
        bench_opt_bool(NULL, table, "memory");
}

static void test_bugs_abort(void **state) {
        assert_true(aborts(read_undeclared));
        assert_true(aborts(read_as_other_type));
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_kinds_are_their_drivers),
                cmocka_unit_test(test_skeleton),
                cmocka_unit_test(test_oci_shares_container_options),
                cmocka_unit_test(test_validate_defaults),
                cmocka_unit_test(test_reads_defaults),
                cmocka_unit_test(test_reads_given),
                cmocka_unit_test(test_bugs_abort),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
