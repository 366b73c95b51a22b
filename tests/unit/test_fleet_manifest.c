/* SPDX-License-Identifier: MIT */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../common/cleanup.h"
#include "../../common/util.h"
#include "../../results/fleet_manifest.h"

static res_fleet *make_model(void) {
        res_fleet *m = res_fleet_new();
        assert_non_null(m);
        assert_int_equal(res_fleet_set(&m->suite, "suites/quick.json"), 0);
        assert_int_equal(res_fleet_set(&m->suite_name, "quick"), 0);
        assert_int_equal(res_fleet_set(&m->job_id, "12"), 0);
        assert_int_equal(res_fleet_set(&m->submitted_at, "2026-12-02T04:00:00Z"), 0);
        m->transport = RES_FLEET_SRUN;
        res_fleet_node *a = res_fleet_node_get(m, "vm");
        assert_non_null(a);
        a->state = RES_FLEET_DONE;
        a->has_exit_code = true;
        a->exit_code = 0;
        assert_int_equal(res_fleet_set(&a->result, "vm.json"), 0);
        res_fleet_node *b = res_fleet_node_get(m, "node-2.rack1");
        assert_non_null(b);
        b->state = RES_FLEET_FAILED;
        b->has_exit_code = true;
        b->exit_code = 2;
        assert_int_equal(res_fleet_set(&b->reason, "unknown configuration `x`\n\"quoted\""), 0);
        assert_ptr_equal(res_fleet_node_get(m, "vm"), a);
        return m;
}

static void test_round_trip(void **state) {
        (void)state;
        _cleanup_(res_fleet_freep) res_fleet *m = make_model();
        _cleanup_free_ char *once = res_fleet_to_json(m);
        assert_non_null(once);
        assert_non_null(strstr(once, "\"schema\":\t\"bench-fleet/1\""));
        assert_non_null(strstr(once, "\"ended_at\":\tnull"));
        _cleanup_(res_fleet_freep) res_fleet *g = NULL;
        bench_error *err = NULL;
        assert_int_equal(res_fleet_from_json(once, "fleet.json", &g, &err), 0);
        assert_null(err);
        assert_string_equal(g->suite, "suites/quick.json");
        assert_string_equal(g->job_id, "12");
        assert_int_equal(g->transport, RES_FLEET_SRUN);
        assert_null(g->ended_at);
        assert_null(g->state);
        assert_false(g->interrupted);
        assert_int_equal(g->n_nodes, 2);
        assert_string_equal(g->nodes[0].node, "vm");
        assert_int_equal(g->nodes[0].state, RES_FLEET_DONE);
        assert_string_equal(g->nodes[0].result, "vm.json");
        assert_int_equal(g->nodes[1].state, RES_FLEET_FAILED);
        assert_int_equal(g->nodes[1].exit_code, 2);
        assert_string_equal(g->nodes[1].reason, "unknown configuration `x`\n\"quoted\"");
        assert_null(g->nodes[1].result);
        _cleanup_free_ char *twice = res_fleet_to_json(g);
        assert_string_equal(once, twice);
}

static void test_names(void **state) {
        (void)state;
        assert_true(res_fleet_name_ok("vm"));
        assert_true(res_fleet_name_ok("n-01.cluster_a"));
        const char *bad[] = {"", ".", "..", "../x", "a/b", ".hidden", "a b", "a\nb", "é", "/abs"};
        for (size_t i = 0; i < ELEMENTSOF(bad); i++)
                assert_false(res_fleet_name_ok(bad[i]));
        char longname[300];
        memset(longname, 'a', sizeof(longname) - 1);
        longname[sizeof(longname) - 1] = '\0';
        assert_false(res_fleet_name_ok(longname));
        res_fleet *m = res_fleet_new();
        assert_null(res_fleet_node_get(m, "../x"));
        assert_int_equal(m->n_nodes, 0);
        res_fleet_free(m);
        res_fleet_free(NULL);
}

static void test_states(void **state) {
        (void)state;
        for (unsigned i = 0; i < RES_FLEET_N_STATES; i++) {
                res_fleet_state s;
                assert_int_equal(res_fleet_state_parse(res_fleet_state_name((res_fleet_state)i), &s), 0);
                assert_int_equal(s, i);
        }
        res_fleet_state s;
        assert_int_equal(res_fleet_state_parse("COMPLETED", &s), -EINVAL);
        assert_int_equal(res_fleet_state_parse(NULL, &s), -EINVAL);
        assert_null(res_fleet_state_name(RES_FLEET_N_STATES));
        assert_true(res_fleet_state_ended(RES_FLEET_TIMEOUT));
        assert_false(res_fleet_state_ended(RES_FLEET_RUNNING));
}

/* text with one substitution of the valid document: from -> to */
static char *mutate(const char *from, const char *to) {
        res_fleet *m = make_model();
        char *text = res_fleet_to_json(m);
        res_fleet_free(m);
        assert_non_null(text);
        char *at = strstr(text, from);
        assert_non_null(at);
        char *out = NULL;
        assert_true(asprintf(&out, "%.*s%s%s", (int)(at - text), text, to, at + strlen(from)) > 0);
        free(text);
        return out;
}

static void expect_refused(const char *from, const char *to, const char *needle) {
        _cleanup_free_ char *text = mutate(from, to);
        res_fleet *m = NULL;
        bench_error *err = NULL;
        int r = res_fleet_from_json(text, "d/fleet.json", &m, &err);
        if (r != -EINVAL || !err || !strstr(err->msg, needle))
                fail_msg("%s -> %s: r=%d msg=%s (wanted `%s`)", from, to, r, err ? err->msg : "(none)",
                         needle);
        assert_null(m);
        assert_non_null(strstr(err->msg, "d/fleet.json"));
        bench_error_free(err);
}

static void test_hostile(void **state) {
        (void)state;
        expect_refused("\"result\":\t\"vm.json\"", "\"result\":\t\"../x.json\"",
                       "nodes[0].result: `../x.json` is not a result file name");
        expect_refused("\"result\":\t\"vm.json\"", "\"result\":\t\"a/b.json\"", "nodes[0].result");
        expect_refused("\"result\":\t\"vm.json\"", "\"result\":\t\"vm.txt\"", "nodes[0].result");
        expect_refused("\"node\":\t\"vm\"", "\"node\":\t\"..\"",
                       "nodes[0].node: `..` is not a plain file name");
        expect_refused("\"node\":\t\"vm\"", "\"node\":\t\"a/b\"", "nodes[0].node");
        expect_refused("\"node\":\t\"vm\"", "\"node\":\t\"node-2.rack1\"",
                       "nodes[1]: node `node-2.rack1` a second time");
        expect_refused("\"state\":\t\"done\"", "\"state\":\t\"finished\"",
                       "nodes[0].state: unknown value `finished`");
        expect_refused("\"state\":\t\"done\"", "\"state\":\t3",
                       "nodes[0].state: expected a string, got a number");
        expect_refused("\"exit_code\":\t2", "\"exit_code\":\t256",
                       "nodes[1].exit_code: expected an exit code");
        expect_refused("\"exit_code\":\t2", "\"exit_code\":\t1.5", "nodes[1].exit_code");
        expect_refused("\"exit_code\":\t2", "\"exit_code\":\t\"2\"",
                       "nodes[1].exit_code: expected an integer or null");
        expect_refused("\"job_id\":\t\"12\"", "\"job_id\":\t12", "job_id: expected a string, got a number");
        expect_refused("\"job_id\":\t\"12\"", "\"job_id\":\t\"12; rm\"",
                       "job_id: `12; rm` is not a Slurm job id");
        expect_refused("\"transport\":\t\"srun\"", "\"transport\":\t\"ssh\"",
                       "transport: unknown value `ssh`");
        expect_refused("\"scheduler\":\t\"slurm\"", "\"scheduler\":\t\"pbs\"",
                       "scheduler: unknown value `pbs`");
        expect_refused("\"schema\":\t\"bench-fleet/1\"", "\"schema\":\t\"bench.result/1\"",
                       "not a fleet manifest of this version");
        expect_refused("\"interrupted\":\tfalse", "\"interrupted\":\t0", "interrupted: expected a boolean");
        expect_refused("\"interrupted\":\tfalse", "\"interrupted\":\tfalse,\"extra\":1",
                       "unknown field `extra`");
        expect_refused("\"interrupted\":\tfalse", "\"interrupted\":\tfalse,\"interrupted\":true",
                       "duplicate field `interrupted`");
        expect_refused("\"submitted_at\":\t\"2026-12-02T04:00:00Z\"", "\"submitted_at\":\t\"yesterday\"",
                       "submitted_at: `yesterday` is not an RFC 3339");
        expect_refused("\"ended_at\":\tnull", "\"ended_at\":\t\"\\u001b[31m\"", "ended_at: `\\x1b[31m`");
        expect_refused("\"state\":\tnull", "\"state\":\t\"done\"", "state: `done` is not a Slurm job state");
        expect_refused("\"nodes\":", "\"nodes\":{},\"x\":", "unknown field `x`");
        expect_refused("\"reason\":\tnull", "\"reason\":\t[]", "nodes[0].reason: expected a string or null");
        expect_refused("\"suite_name\":\t\"quick\",", "", "suite_name: missing");

        res_fleet *m = NULL;
        bench_error *err = NULL;
        assert_int_equal(res_fleet_from_json("{\"schema\":", "f.json", &m, &err), -EINVAL);
        assert_non_null(strstr(err->msg, "f.json:1:"));
        bench_error_free(err);
        err = NULL;
        assert_int_equal(res_fleet_from_json("[]", "f.json", &m, &err), -EINVAL);
        assert_non_null(strstr(err->msg, "expected an object, got an array"));
        bench_error_free(err);
}

static void test_write_read(void **state) {
        (void)state;
        char dir[] = "/tmp/test_fleet_manifest.XXXXXX";
        assert_non_null(mkdtemp(dir));
        _cleanup_close_ int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        assert_true(dfd >= 0);
        _cleanup_(res_fleet_freep) res_fleet *m = make_model();
        m->interrupted = true;
        assert_int_equal(res_fleet_set(&m->state, "CANCELLED"), 0);
        assert_int_equal(res_fleet_set(&m->ended_at, "2026-12-02T04:01:00Z"), 0);
        bench_error *err = NULL;
        assert_int_equal(res_fleet_write_at(dfd, RES_FLEET_FILE, m, &err), 0);
        /* a second write replaces the first (a symlink planted there is replaced, not followed) */
        assert_int_equal(unlinkat(dfd, RES_FLEET_FILE, 0), 0);
        assert_int_equal(symlinkat("/etc/passwd", dfd, RES_FLEET_FILE), 0);
        assert_int_equal(res_fleet_write_at(dfd, RES_FLEET_FILE, m, &err), 0);
        struct stat st;
        assert_int_equal(fstatat(dfd, RES_FLEET_FILE, &st, AT_SYMLINK_NOFOLLOW), 0);
        assert_true(S_ISREG(st.st_mode));
        char path[128];
        snprintf(path, sizeof(path), "%s/%s", dir, RES_FLEET_FILE);
        _cleanup_(res_fleet_freep) res_fleet *g = NULL;
        assert_int_equal(res_fleet_read(path, &g, &err), 0);
        assert_true(g->interrupted);
        assert_string_equal(g->state, "CANCELLED");
        /* a model that would write a bad file is not written */
        assert_int_equal(res_fleet_set(&m->job_id, "x"), 0);
        assert_int_equal(res_fleet_write_at(dfd, RES_FLEET_FILE, m, &err), -ENOMEM);
        bench_error_free(err);
        assert_int_equal(bench_rm_rf(dir, NULL), 0);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_round_trip), cmocka_unit_test(test_names),
                cmocka_unit_test(test_states),     cmocka_unit_test(test_hostile),
                cmocka_unit_test(test_write_read),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
