/* SPDX-License-Identifier: MIT */
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
#include <sys/wait.h>
#include <unistd.h>

#include "../../harness/pinning.h"

/*
 * The expectations are derived from the kernel's own view, independently of
 * hwloc: the test process's affinity and each cpu's thread_siblings_list.
 */

/* A minimal cpu list parser of the test's own ("0-3,6"). */
static void parse_list(const char *s, cpu_set_t *out) {
        CPU_ZERO(out);
        while (*s) {
                char *end;
                long a = strtol(s, &end, 10), b = a;
                if (end == s)
                        break;
                s = end;
                if (*s == '-') {
                        b = strtol(s + 1, &end, 10);
                        s = end;
                }
                for (long c = a; c <= b; c++)
                        CPU_SET(c, out);
                if (*s == ',')
                        s++;
                else
                        break;
        }
}

static void siblings_of(int cpu, cpu_set_t *out) {
        char path[128], buf[256] = "";
        snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu%d/topology/thread_siblings_list", cpu);
        FILE *f = fopen(path, "re");
        assert_non_null(f);
        assert_non_null(fgets(buf, sizeof(buf), f));
        fclose(f);
        parse_list(buf, out);
}

static int numa_node_count(void) {
        int n = 0;
        DIR *d = opendir("/sys/devices/system/node");
        if (!d)
                return 1;
        struct dirent *de;
        while ((de = readdir(d)))
                if (!strncmp(de->d_name, "node", 4) && de->d_name[4] >= '0' && de->d_name[4] <= '9')
                        n++;
        closedir(d);
        return n ? n : 1;
}

static cpu_set_t allowed;
static int n_allowed_cores;

static int setup(void **state) {
        (void)state;
        cpu_set_t seen;
        assert_int_equal(sched_getaffinity(0, sizeof(allowed), &allowed), 0);
        CPU_ZERO(&seen);
        n_allowed_cores = 0;
        for (int c = 0; c < CPU_SETSIZE; c++) {
                if (!CPU_ISSET(c, &allowed) || CPU_ISSET(c, &seen))
                        continue;
                cpu_set_t sib;
                siblings_of(c, &sib);
                CPU_OR(&seen, &seen, &sib);
                n_allowed_cores++;
        }
        return 0;
}

static int first_allowed(void) {
        for (int c = 0; c < CPU_SETSIZE; c++)
                if (CPU_ISSET(c, &allowed))
                        return c;
        return -1;
}

static void assert_list_matches_set(const char *list, const cpu_set_t *set) {
        cpu_set_t parsed;
        parse_list(list, &parsed);
        assert_true(CPU_EQUAL(&parsed, set));
}

static void test_auto(void **state) {
        (void)state;
        pin_plan p;
        bench_error *err = NULL;
        assert_int_equal(pin_plan_make(SUITE_PIN_AUTO, NULL, &p, &err), 0);
        assert_null(err);
        assert_int_equal(p.mode, SUITE_PIN_AUTO);
        assert_list_matches_set(p.harness_cpus, &p.harness_set);
        assert_list_matches_set(p.workload_cpus, &p.workload_set);

        /* harness: the allowed PUs of the core of the first allowed cpu */
        cpu_set_t want_harness, sib;
        siblings_of(first_allowed(), &sib);
        CPU_AND(&want_harness, &sib, &allowed);
        assert_true(CPU_EQUAL(&p.harness_set, &want_harness));

        if (n_allowed_cores == 1) {
                assert_true(CPU_EQUAL(&p.workload_set, &p.harness_set));
                assert_non_null(strstr(p.note, "share"));
                return;
        }
        assert_true(CPU_COUNT(&p.workload_set) > 0);
        assert_string_equal(p.note, "");
        cpu_set_t overlap;
        CPU_AND(&overlap, &p.harness_set, &p.workload_set);
        assert_int_equal(CPU_COUNT(&overlap), 0);
        /* whole cores: every allowed sibling of a workload cpu is in the workload */
        for (int c = 0; c < CPU_SETSIZE; c++) {
                if (!CPU_ISSET(c, &p.workload_set))
                        continue;
                assert_true(CPU_ISSET(c, &allowed));
                cpu_set_t s, sa, x;
                siblings_of(c, &s);
                CPU_AND(&sa, &s, &allowed);
                CPU_AND(&x, &sa, &p.workload_set);
                assert_true(CPU_EQUAL(&x, &sa));
        }
        if (numa_node_count() == 1) {
                /* one node: everything allowed but the harness core */
                cpu_set_t want_workload;
                CPU_XOR(&want_workload, &allowed, &want_harness);
                assert_true(CPU_EQUAL(&p.workload_set, &want_workload));
        }
        /* this 2-core, no-SMT host: the brief's numbers, checked literally */
        cpu_set_t two;
        CPU_ZERO(&two);
        CPU_SET(0, &two);
        CPU_SET(1, &two);
        if (CPU_EQUAL(&allowed, &two) && n_allowed_cores == 2) {
                assert_string_equal(p.harness_cpus, "0");
                assert_string_equal(p.workload_cpus, "1");
        }
}

static void test_none(void **state) {
        (void)state;
        pin_plan p;
        bench_error *err = NULL;
        assert_int_equal(pin_plan_make(SUITE_PIN_NONE, NULL, &p, &err), 0);
        assert_string_equal(p.harness_cpus, "");
        assert_string_equal(p.workload_cpus, "");
        assert_int_equal(CPU_COUNT(&p.harness_set), 0);
        assert_int_equal(CPU_COUNT(&p.workload_set), 0);

        cJSON *j = pin_plan_to_json(&p);
        assert_string_equal(cJSON_GetObjectItem(j, "mode")->valuestring, "none");
        assert_string_equal(cJSON_GetObjectItem(j, "harness_cpus")->valuestring, "");
        assert_true(cJSON_IsNull(cJSON_GetObjectItem(j, "note")));
        cJSON_Delete(j);
}

static void test_cpus_valid(void **state) {
        (void)state;
        int last = -1;
        for (int c = 0; c < CPU_SETSIZE; c++)
                if (CPU_ISSET(c, &allowed))
                        last = c;
        char list[16];
        snprintf(list, sizeof(list), "%d", last);
        pin_plan p;
        bench_error *err = NULL;
        assert_int_equal(pin_plan_make(SUITE_PIN_CPUS, list, &p, &err), 0);
        assert_null(err);
        assert_string_equal(p.workload_cpus, list);
        assert_int_equal(CPU_COUNT(&p.workload_set), 1);
        assert_true(CPU_ISSET(last, &p.workload_set));

        cpu_set_t sib, x;
        siblings_of(last, &sib);
        CPU_AND(&x, &sib, &p.harness_set);
        if (n_allowed_cores > 1) {
                /* a whole other core, sharing nothing with the workload's core */
                assert_true(CPU_COUNT(&p.harness_set) > 0);
                assert_int_equal(CPU_COUNT(&x), 0);
                assert_string_equal(p.note, "");
        } else {
                assert_string_equal(p.harness_cpus, "");
                assert_true(strlen(p.note) > 0);
        }
        if (last == 1 && n_allowed_cores == 2 && CPU_COUNT(&allowed) == 2)
                assert_string_equal(p.harness_cpus, "0");

        cJSON *j = pin_plan_to_json(&p);
        assert_string_equal(cJSON_GetObjectItem(j, "mode")->valuestring, "cpus");
        assert_string_equal(cJSON_GetObjectItem(j, "workload_cpus")->valuestring, list);
        cJSON_Delete(j);
}

static void expect_rejected(const char *list, int bad_cpu) {
        pin_plan p;
        bench_error *err = NULL;
        char want[128];
        assert_int_equal(pin_plan_make(SUITE_PIN_CPUS, list, &p, &err), -EINVAL);
        assert_non_null(err);
        snprintf(want, sizeof(want), "pinning: cpu %d is not available on this host (allowed: ", bad_cpu);
        assert_true(!strncmp(err->msg, want, strlen(want)));
        cpu_set_t two;
        CPU_ZERO(&two);
        CPU_SET(0, &two);
        CPU_SET(1, &two);
        if (CPU_EQUAL(&allowed, &two)) {
                snprintf(want, sizeof(want), "pinning: cpu %d is not available on this host (allowed: 0-1)",
                         bad_cpu);
                assert_string_equal(err->msg, want);
        }
        bench_error_free(err);
}

static void test_cpus_rejected(void **state) {
        (void)state;
        if (!CPU_ISSET(7, &allowed))
                expect_rejected("7", 7);
        int first_bad = -1;
        for (int c = 0; c <= 99 && first_bad < 0; c++)
                if (!CPU_ISSET(c, &allowed))
                        first_bad = c;
        if (first_bad >= 0)
                expect_rejected("0-99", first_bad);

        pin_plan p;
        bench_error *err = NULL;
        assert_int_equal(pin_plan_make(SUITE_PIN_CPUS, "1-", &p, &err), -EINVAL);
        assert_non_null(strstr(err->msg, "1-"));
        bench_error_free(err);
        err = NULL;
        assert_int_equal(pin_plan_make(SUITE_PIN_CPUS, "", &p, &err), -EINVAL);
        bench_error_free(err);
}

static void test_format(void **state) {
        (void)state;
        cpu_set_t s;
        char buf[64];
        CPU_ZERO(&s);
        assert_int_equal(bench_cpulist_format(&s, buf, sizeof(buf)), 0);
        assert_string_equal(buf, "");
        int cpus[] = {0, 1, 2, 3, 6, 8, 9};
        for (size_t i = 0; i < sizeof(cpus) / sizeof(cpus[0]); i++)
                CPU_SET(cpus[i], &s);
        assert_int_equal(bench_cpulist_format(&s, buf, sizeof(buf)), 0);
        assert_string_equal(buf, "0-3,6,8-9");
        assert_int_equal(bench_cpulist_format(&s, buf, 5), -ENOBUFS);

        CPU_ZERO(&s);
        CPU_SET(5, &s);
        CPU_SET(CPU_SETSIZE - 1, &s);
        assert_int_equal(bench_cpulist_format(&s, buf, sizeof(buf)), 0);
        assert_string_equal(buf, "5,1023");
}

static void test_parse(void **state) {
        (void)state;
        cpu_set_t s;
        bench_error *err = NULL;
        assert_int_equal(bench_cpulist_parse("0-3,6,8-9", &s, &err), 0);
        assert_int_equal(CPU_COUNT(&s), 7);
        assert_true(CPU_ISSET(6, &s) && CPU_ISSET(9, &s) && !CPU_ISSET(4, &s) && !CPU_ISSET(7, &s));
        const char *bad[] = {"", "a", "3-1", "1,", "1--2", "-1", "1,,2", " 1"};
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                err = NULL;
                assert_int_equal(bench_cpulist_parse(bad[i], &s, &err), -EINVAL);
                assert_non_null(err);
                bench_error_free(err);
        }
        err = NULL;
        assert_int_equal(bench_cpulist_parse("0-5000", &s, &err), -ERANGE);
        bench_error_free(err);
}

static void test_apply(void **state) {
        (void)state;
        pin_plan p;
        bench_error *err = NULL;
        assert_int_equal(pin_plan_make(SUITE_PIN_AUTO, NULL, &p, &err), 0);
        /* in a child, so the other tests keep the inherited affinity */
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                cpu_set_t now;
                if (pin_apply_harness(&p, NULL) < 0 || sched_getaffinity(0, sizeof(now), &now) < 0)
                        _exit(2);
                _exit(CPU_EQUAL(&now, &p.harness_set) ? 0 : 1);
        }
        int status;
        assert_int_equal(waitpid(pid, &status, 0), pid);
        assert_true(WIFEXITED(status));
        assert_int_equal(WEXITSTATUS(status), 0);

        pin_plan none;
        assert_int_equal(pin_plan_make(SUITE_PIN_NONE, NULL, &none, &err), 0);
        assert_int_equal(pin_apply_harness(&none, &err), 0); /* unbound: no-op */
        cpu_set_t now;
        assert_int_equal(sched_getaffinity(0, sizeof(now), &now), 0);
        assert_true(CPU_EQUAL(&now, &allowed));
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_auto),       cmocka_unit_test(test_none),
                cmocka_unit_test(test_cpus_valid), cmocka_unit_test(test_cpus_rejected),
                cmocka_unit_test(test_format),     cmocka_unit_test(test_parse),
                cmocka_unit_test(test_apply),
        };
        return cmocka_run_group_tests(tests, setup, NULL);
}
