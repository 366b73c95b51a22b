/* SPDX-License-Identifier: MIT */
/* The host activity record (harness/activity.c): its parsers, whose CPU time counts, the warnings. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../../common/cleanup.h"
#include "../../common/json.h"
#include "../../harness/activity.h"

static void test_parse_stat(void **state) {
        (void)state;
        act_cpu c;
        /* the aggregate line, guest fields after steal are not added (they are inside user) */
        assert_int_equal(act_parse_stat("cpu  100 2 30 400 5 0 6 7 50 0\ncpu0 1 2 3 4 5 6 7 8 9 0\n", &c), 0);
        assert_int_equal(c.total, 100 + 2 + 30 + 400 + 5 + 0 + 6 + 7);
        assert_int_equal(c.steal, 7);
        /* not the first line: still found */
        assert_int_equal(act_parse_stat("intr 1\ncpu  1 1 1 1 1 1 1 9\n", &c), 0);
        assert_int_equal(c.steal, 9);
        assert_int_equal(c.total, 16);
        /* a kernel without steal (before 2.6.11): refused, not read as 0 */
        assert_int_equal(act_parse_stat("cpu  1 2 3 4 5 6 7\n", &c), -EINVAL);
        assert_int_equal(act_parse_stat("cpu0 1 2 3 4 5 6 7 8\n", &c), -EINVAL);
        assert_int_equal(act_parse_stat("", &c), -EINVAL);
        /* what strtoull would wrap: refused (found by fuzz_procstat) */
        assert_int_equal(act_parse_stat("cpu  1 1 1 1 1 1 1 -1\n", &c), -EINVAL);
        assert_int_equal(act_parse_stat("cpu  18446744073709551615 1 1 1 1 1 1 1\n", &c), -EINVAL);
}

static void test_parse_loadavg(void **state) {
        (void)state;
        double l[3];
        assert_int_equal(act_parse_loadavg("0.26 0.66 1.64 3/97 30270\n", l), 0);
        assert_true(l[0] == 0.26 && l[1] == 0.66 && l[2] == 1.64);
        assert_int_equal(act_parse_loadavg("0.26 0.66\n", l), -EINVAL);
        assert_int_equal(act_parse_loadavg("-1 0 0 1/1 1\n", l), -EINVAL);
        assert_int_equal(act_parse_loadavg("nan 0 0 1/1 1\n", l), -EINVAL);
}

static void test_parse_pid_stat(void **state) {
        (void)state;
        act_proc p;
        /* a name with spaces and parentheses ends at the last ')' */
        const char *t = "4242 (a) b (c)) R 17 4242 4242 0 -1 4194560 10 0 0 0 250 75 3 4 20 0 1 0 123456 "
                        "1000 10 18446744073709551615\n";
        assert_int_equal(act_parse_pid_stat(t, &p), 0);
        assert_int_equal(p.pid, 4242);
        assert_int_equal(p.ppid, 17);
        assert_false(p.kthread);
        assert_int_equal(p.ticks, 325); /* utime + stime; not the children's 3 + 4 */
        assert_int_equal(p.start, 123456);
        assert_string_equal(p.comm, "a) b (c)");
        /* a kernel thread: PF_KTHREAD in flags */
        assert_int_equal(
                act_parse_pid_stat("2 (kthreadd) S 0 0 0 0 -1 2129984 0 0 0 0 0 9 0 0 20 0 1 0 1 0 0\n", &p),
                0);
        assert_true(p.kthread);
        assert_int_equal(act_parse_pid_stat("12 (x\n", &p), -EINVAL);
        assert_int_equal(act_parse_pid_stat("12 (x) R 1 2\n", &p), -EINVAL);
        assert_int_equal(act_parse_pid_stat("(x) R 1 1 1 0 -1 0 0 0 0 0 1 1 0 0 20 0 1 0 5\n", &p), -EINVAL);
}

static void test_sanitize(void **state) {
        (void)state;
        char out[ACT_COMM_LEN];
        const char *esc = "\033[2J";
        act_sanitize_comm(esc, strlen(esc), out, sizeof(out));
        assert_string_equal(out, "?[2J");
        const char *html = "</td><script>";
        act_sanitize_comm(html, strlen(html), out, sizeof(out));
        assert_string_equal(out, "?/td??script?");
        const char *mix = "a`b\\c'd\"e&f\x7f\xc3\xa9";
        act_sanitize_comm(mix, strlen(mix), out, sizeof(out));
        assert_string_equal(out, "a?b?c?d?e?f???");
        /* longer than a comm: cut */
        const char *longname = "0123456789abcdefghij";
        act_sanitize_comm(longname, strlen(longname), out, sizeof(out));
        assert_string_equal(out, "0123456789abcde");
        /* in_len bounds the input: comm is not NUL-terminated in /proc/PID/stat */
        act_sanitize_comm("kworker) R", 7, out, sizeof(out));
        assert_string_equal(out, "kworker");
}

static void test_cgroup_rule(void **state) {
        (void)state;
        const char *own = "4:memory:/process_api/49c1\n3:cpuset:/\n0::/\n";
        /* bench's containers, the OCI runtimes' parent, libvirt's machines of bench-* domains */
        assert_true(act_cgroup_is_bench("4:memory:/bench/bench-123-4\n3:cpuset:/\n0::/\n", own));
        assert_true(act_cgroup_is_bench(
                "4:memory:/process_api/49c1\n3:cpuset:/bench-oci/bench-oci-0001\n0::/\n", own));
        assert_true(act_cgroup_is_bench(
                "0::/machine.slice/machine-qemu\\x2d1\\x2dbench\\x2d42.scope/libvirt\n", own));
        assert_true(act_cgroup_is_bench("4:memory:/machine/qemu-3-bench-42.libvirt-qemu/emulator\n", own));
        /* the neighbours */
        assert_false(act_cgroup_is_bench(own, own));
        assert_false(act_cgroup_is_bench("4:memory:/user.slice/benchmarks\n3:cpuset:/\n0::/\n", own));
        assert_false(act_cgroup_is_bench("0::/system.slice/cron.service\n", own));
        /* bench itself in a cgroup named bench-ci: a neighbour in it still counts, bench's containers do not
         */
        const char *ci = "0::/system.slice/bench-ci.service\n";
        assert_false(act_cgroup_is_bench("0::/system.slice/bench-ci.service\n", ci));
        assert_true(act_cgroup_is_bench("0::/system.slice/bench-ci.service/bench/bench-9-1\n", ci));
        assert_false(act_cgroup_is_bench("", own));
}

static void test_vm_rule(void **state) {
        (void)state;
        static const char q[] = "/usr/bin/qemu-system-x86_64\0-name\0guest=bench-4593-2,debug-threads=on\0-S";
        assert_true(act_cmdline_is_bench(q, sizeof(q), 4593));
        /* another bench's guest is load like any other; a pid that is a prefix of another is not it */
        assert_false(act_cmdline_is_bench(q, sizeof(q), 459));
        assert_false(act_cmdline_is_bench(q, sizeof(q), 45930));
        /* the bytes given bound the search */
        assert_false(act_cmdline_is_bench(q, 20, 4593));
        static const char sh[] = "sh\0-c\0echo guest=bench-4593-2";
        assert_false(act_cmdline_is_bench(sh, sizeof(sh), 4593));
}

static void test_ancestry(void **state) {
        (void)state;
        /* sorted by pid: 1 init, 50 bench, 60 its agent, 61 the agent's child, 70 a neighbour, 80 a loop */
        const act_proc procs[] = {
                {.pid = 1, .ppid = 0},   {.pid = 50, .ppid = 1}, {.pid = 60, .ppid = 50},
                {.pid = 61, .ppid = 60}, {.pid = 70, .ppid = 1}, {.pid = 80, .ppid = 80},
        };
        size_t n = sizeof(procs) / sizeof(procs[0]);
        assert_true(act_descends_from(procs, n, 1, 50));
        assert_true(act_descends_from(procs, n, 2, 50));
        assert_true(act_descends_from(procs, n, 3, 50));
        assert_false(act_descends_from(procs, n, 4, 50));
        assert_false(act_descends_from(procs, n, 0, 50));
        assert_false(act_descends_from(procs, n, 5, 50)); /* its own parent: no endless walk */
}

static size_t n_warnings(const cJSON *w) {
        return (size_t)cJSON_GetArraySize(w);
}

static void test_warnings(void **state) {
        (void)state;
        act_figures quiet = {.cpus = 2, .load_before = 0.9, .steal_pct = 1.9, .other_cpu_pct = 9.9};
        _cleanup_json_ cJSON *w = act_warnings(&quiet);
        assert_non_null(w);
        assert_int_equal(n_warnings(w), 0);

        act_figures unknown = {.cpus = 2, .load_before = -1, .steal_pct = -1, .other_cpu_pct = -1};
        _cleanup_json_ cJSON *w2 = act_warnings(&unknown);
        assert_int_equal(n_warnings(w2), 0);

        act_figures busy = {.cpus = 2,
                            .load_before = 1.8,
                            .steal_pct = 3.25,
                            .other_cpu_pct = 45,
                            .top_comm = "yes",
                            .top_pid = 77,
                            .top_cpu_pct = 90};
        _cleanup_json_ cJSON *w3 = act_warnings(&busy);
        assert_int_equal(n_warnings(w3), 3);
        assert_string_equal(cJSON_GetArrayItem(w3, 0)->valuestring,
                            "host busy: load 1.80 before the run on 2 CPUs (more than 0.5 per CPU)");
        assert_string_equal(
                cJSON_GetArrayItem(w3, 1)->valuestring,
                "host busy: other processes used 45.0% of the CPU time (more than 10%); the busiest: "
                "yes (pid 77) 90% of a CPU");
        assert_string_equal(cJSON_GetArrayItem(w3, 2)->valuestring,
                            "CPU time stolen: the hypervisor took 3.2% of the CPU time (more than 2%)");
}

static void burn(void) {
        for (;;)
                ;
}

/*
 * A real sample pair: a CPU burner that is not bench's descendant (double
 * fork, its parent gone) is listed under its sanitized name; one that is
 * this process's child is not.
 */
static void test_sample_attributes(void **state) {
        (void)state;
        int pfd[2];
        assert_int_equal(pipe(pfd), 0);
        pid_t mid = fork();
        assert_true(mid >= 0);
        if (mid == 0) {
                setsid();
                pid_t g = fork();
                if (g == 0) {
                        prctl(PR_SET_NAME, "\033[2J</td><x>");
                        burn();
                }
                (void)!write(pfd[1], &g, sizeof(g));
                _exit(0);
        }
        pid_t orphan = -1;
        assert_int_equal(read(pfd[0], &orphan, sizeof(orphan)), (ssize_t)sizeof(orphan));
        close(pfd[0]);
        close(pfd[1]);
        waitpid(mid, NULL, 0);
        pid_t child = fork();
        if (child == 0) {
                prctl(PR_SET_NAME, "own-child");
                burn();
        }
        assert_true(orphan > 0 && child > 0);

        activity *a = activity_new();
        assert_non_null(a);
        activity_sample(a);
        /* long enough for a burner to get 0.05 s of CPU on a shared, loaded host */
        struct timespec ts = {0, 800 * 1000 * 1000};
        nanosleep(&ts, NULL);
        activity_sample(a);
        kill(orphan, SIGKILL);
        kill(child, SIGKILL);
        waitpid(child, NULL, 0);

        _cleanup_json_ cJSON *o = activity_to_json(a);
        activity_free(a);
        assert_non_null(o);
        assert_int_equal(cJSON_GetObjectItemCaseSensitive(o, "samples")->valuedouble, 2);
        assert_true(cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(o, "load_after")));
        assert_true(cJSON_GetObjectItemCaseSensitive(o, "other_cpu_pct")->valuedouble > 0);
        bool saw_orphan = false;
        const cJSON *e;
        cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(o, "busy")) {
                const char *comm = cJSON_GetObjectItemCaseSensitive(e, "comm")->valuestring;
                int pid = (int)cJSON_GetObjectItemCaseSensitive(e, "pid")->valuedouble;
                assert_int_not_equal(pid, child);
                assert_string_not_equal(comm, "own-child");
                if (pid == orphan) {
                        saw_orphan = true;
                        assert_string_equal(comm, "?[2J?/td??x?");
                        assert_true(cJSON_GetObjectItemCaseSensitive(e, "cpu_s")->valuedouble > 0.05);
                }
        }
        assert_true(saw_orphan);
        assert_true(cJSON_GetObjectItemCaseSensitive(o, "scan_ms")->valuedouble > 0);
}

/* One sample: every key there, the figures that need two samples null, valid at the first write. */
static void test_first_sample(void **state) {
        (void)state;
        activity *a = activity_new();
        activity_sample(a);
        _cleanup_json_ cJSON *o = activity_to_json(a);
        activity_free(a);
        static const char *const keys[] = {"samples",   "seconds",       "cpus", "load_before", "load_after",
                                           "steal_pct", "other_cpu_pct", "busy", "scan_ms",     "warnings"};
        for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
                assert_non_null(cJSON_GetObjectItemCaseSensitive(o, keys[i]));
        assert_true(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(o, "steal_pct")));
        assert_true(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(o, "load_after")));
        assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(o, "busy")), 0);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_parse_stat),        cmocka_unit_test(test_parse_loadavg),
                cmocka_unit_test(test_parse_pid_stat),    cmocka_unit_test(test_sanitize),
                cmocka_unit_test(test_cgroup_rule),       cmocka_unit_test(test_vm_rule),
                cmocka_unit_test(test_ancestry),          cmocka_unit_test(test_warnings),
                cmocka_unit_test(test_sample_attributes), cmocka_unit_test(test_first_sample),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
