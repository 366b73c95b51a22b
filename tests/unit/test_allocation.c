/* SPDX-License-Identifier: MIT */
/*
 * host.allocation: the Slurm fields from an environment someone else set
 * (kept only when they look like what Slurm writes), and what this process
 * was given (its cpus, its cgroups).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <sched.h>
#include <stdbool.h>
#include <string.h>

#include "../../harness/allocation.h"

static const char *str(const cJSON *o, const char *key) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
        return cJSON_IsString(v) ? v->valuestring : NULL;
}

static bool is_null(const cJSON *o, const char *key) {
        return cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(o, key));
}

static void test_slurm_step(void **state) {
        (void)state;
        char *env[] = {"PATH=/bin",
                       "SLURM_JOB_ID=1234",
                       "SLURM_STEP_ID=0",
                       "SLURMD_NODENAME=node-07",
                       "SLURM_CLUSTER_NAME=lab",
                       "SLURM_JOB_PARTITION=debug",
                       "SLURM_JOB_NAME=bench-fleet",
                       "SLURM_JOB_IDX=9",
                       NULL};
        cJSON *s = allocation_slurm(env);
        assert_non_null(s);
        assert_string_equal(str(s, "job_id"), "1234");
        assert_string_equal(str(s, "step_id"), "0");
        assert_string_equal(str(s, "node"), "node-07");
        assert_string_equal(str(s, "cluster"), "lab");
        assert_string_equal(str(s, "partition"), "debug");
        assert_string_equal(str(s, "job_name"), "bench-fleet");
        cJSON_Delete(s);
}

static void test_slurm_absent_or_hostile(void **state) {
        (void)state;
        char *none[] = {"SLURM_STEP_ID=0", "SLURMD_NODENAME=n", NULL};
        assert_null(allocation_slurm(none));
        char *empty[] = {NULL};
        assert_null(allocation_slurm(empty));
        /* a batch script: no step; text a renderer or shell would act on: dropped, not kept */
        char *bad[] = {
                "SLURM_JOB_ID=12; rm -rf /", "SLURMD_NODENAME=<script>x</script> y", "SLURM_JOB_NAME=a\nb",
                "SLURM_CLUSTER_NAME=",       "SLURM_JOB_PARTITION=\x1b[31mred",      NULL};
        cJSON *s = allocation_slurm(bad);
        assert_non_null(s);
        assert_true(is_null(s, "job_id"));
        assert_true(is_null(s, "step_id"));
        assert_true(is_null(s, "node"));
        assert_true(is_null(s, "job_name"));
        assert_true(is_null(s, "cluster"));
        assert_true(is_null(s, "partition"));
        cJSON_Delete(s);
        /* SLURM_JOB_ID= alone is a key of another name */
        char *prefix[] = {"SLURM_JOB_IDS=1", NULL};
        assert_null(allocation_slurm(prefix));
}

static void test_capture(void **state) {
        (void)state;
        cJSON *a = allocation_capture();
        assert_non_null(a);
        cpu_set_t set;
        assert_int_equal(sched_getaffinity(0, sizeof(set), &set), 0);
        const cJSON *n = cJSON_GetObjectItemCaseSensitive(a, "n_cpus");
        assert_true(cJSON_IsNumber(n));
        assert_int_equal((int)n->valuedouble, CPU_COUNT(&set));
        assert_non_null(str(a, "cpus"));
        assert_true(cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(a, "cgroups")));
        assert_true(cJSON_IsBool(cJSON_GetObjectItemCaseSensitive(a, "delegated")));
        const cJSON *mem = cJSON_GetObjectItemCaseSensitive(a, "memory_limit_bytes");
        assert_true(cJSON_IsNull(mem) || (cJSON_IsNumber(mem) && mem->valuedouble > 0));
        cJSON_Delete(a);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_slurm_step),
                cmocka_unit_test(test_slurm_absent_or_hostile),
                cmocka_unit_test(test_capture),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
