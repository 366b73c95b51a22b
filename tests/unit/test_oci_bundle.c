/* SPDX-License-Identifier: MIT */
/*
 * runtimes/oci/bundle.c: the config.json of an OCI bundle says what bench's
 * own runtime applies (the same tables), and the workload's arguments are
 * spliced in as JSON strings whatever they hold.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../common/cleanup.h"
#include "../../common/json.h"
#include "../../common/util.h"
#include "../../runtimes/container/seccomp.h"
#include "../../runtimes/oci/oci-internal.h"

static const char *const agent_args[] = {"/bench-agent", "--dir", "/scratch", NULL};

static oci_bundle_spec spec(const char *dir, uint64_t caps, const char *seccomp) {
        return (oci_bundle_spec){.dir = dir,
                                 .args = (char *const *)agent_args,
                                 .id = "bench-oci-1-0",
                                 .cgroups_path = "/bench-oci/bench-oci-1-0",
                                 .caps = caps,
                                 .seccomp = seccomp,
                                 .memory_bytes = 64 << 20,
                                 .pids_max = 100,
                                 .cpus = "1"};
}

static bool has_string(const cJSON *a, const char *s) {
        const cJSON *e;
        cJSON_ArrayForEach(e, a) if (cJSON_IsString(e) && !strcmp(e->valuestring, s)) return true;
        return false;
}

static cJSON *write_and_read(const oci_bundle_spec *s, char *const *args) {
        _cleanup_free_ char *text = NULL;
        bench_error *err = NULL;
        if (oci_bundle_render(s, &text, &err) < 0)
                fail_msg("render: %s", err->msg);
        if (oci_bundle_write(s->dir, text, args, &err) < 0)
                fail_msg("write: %s", err->msg);
        char path[4096], *data = NULL;
        snprintf(path, sizeof(path), "%s/config.json", s->dir);
        assert_int_equal(bench_read_file(path, &data, NULL, NULL), 0);
        cJSON *o = cJSON_Parse(data);
        free(data);
        assert_non_null(o);
        /* O_EXCL: a second write is refused, nothing is written through what is there */
        assert_true(oci_bundle_write(s->dir, text, args, &err) < 0);
        bench_error_free(err);
        unlink(path);
        return o;
}

static void test_same_tables(void **state) {
        char dir[] = "/tmp/test_oci_bundle.XXXXXX";
        assert_non_null(mkdtemp(dir));
        ctr_caps caps;
        assert_int_equal(ctr_caps_parse(NULL, &caps, NULL), 0);
        oci_bundle_spec s = spec(dir, caps.keep, "default");
        char *const args[] = {(char *)"startup", NULL};
        _cleanup_json_ cJSON *o = write_and_read(&s, args);
        const cJSON *lx = cJSON_GetObjectItemCaseSensitive(o, "linux"),
                    *proc = cJSON_GetObjectItemCaseSensitive(o, "process");
        const cJSON *masked = cJSON_GetObjectItemCaseSensitive(lx, "maskedPaths"),
                    *ro = cJSON_GetObjectItemCaseSensitive(lx, "readonlyPaths");
        assert_int_equal(cJSON_GetArraySize(masked), (int)(ctr_n_masked_files + ctr_n_masked_dirs));
        for (size_t i = 0; i < ctr_n_masked_files; i++)
                assert_true(has_string(masked, ctr_masked_files[i]));
        for (size_t i = 0; i < ctr_n_masked_dirs; i++)
                assert_true(has_string(masked, ctr_masked_dirs[i]));
        for (size_t i = 0; i < ctr_n_readonly_paths; i++)
                assert_true(has_string(ro, ctr_readonly_paths[i]));
        assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(lx, "devices")),
                         (int)ctr_n_devices);
        /* Docker's set: 14 names, none in inheritable and ambient */
        const cJSON *c = cJSON_GetObjectItemCaseSensitive(proc, "capabilities");
        const cJSON *bnd = cJSON_GetObjectItemCaseSensitive(c, "bounding");
        assert_int_equal(cJSON_GetArraySize(bnd), 14);
        assert_true(has_string(bnd, "CAP_CHOWN") && has_string(bnd, "CAP_AUDIT_WRITE"));
        assert_false(has_string(bnd, "CAP_SYS_ADMIN"));
        assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(c, "ambient")), 0);
        assert_true(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(proc, "noNewPrivileges")));
        /* the seccomp profile is the one `bench container seccomp-profile` renders */
        const ctr_sc_profile *p;
        assert_int_equal(ctr_seccomp_load("default", &p, NULL), 0);
        _cleanup_json_ cJSON *want = NULL;
        assert_int_equal(ctr_seccomp_to_oci(p, caps.keep, &want, NULL), 0);
        assert_true(cJSON_Compare(cJSON_GetObjectItemCaseSensitive(lx, "seccomp"), want, true));
        /* six namespaces, the limits, the cgroup path */
        assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(lx, "namespaces")), 6);
        assert_string_equal(cJSON_GetObjectItemCaseSensitive(lx, "cgroupsPath")->valuestring,
                            "/bench-oci/bench-oci-1-0");
        const cJSON *res = cJSON_GetObjectItemCaseSensitive(lx, "resources");
        assert_true(cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(res, "memory"), "limit")
                            ->valuedouble == 64 << 20);
        assert_string_equal(
                cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(res, "cpu"), "cpus")
                        ->valuestring,
                "1");
        /* the agent's argv, then the workload's */
        const cJSON *argv = cJSON_GetObjectItemCaseSensitive(proc, "args");
        assert_int_equal(cJSON_GetArraySize(argv), 4);
        assert_string_equal(cJSON_GetArrayItem(argv, 0)->valuestring, "/bench-agent");
        assert_string_equal(cJSON_GetArrayItem(argv, 3)->valuestring, "startup");
        rmdir(dir);
}

static void test_args_are_strings(void **state) {
        char dir[] = "/tmp/test_oci_bundle.XXXXXX";
        assert_non_null(mkdtemp(dir));
        oci_bundle_spec s = spec(dir, 1, "none");
        char *const args[] = {(char *)"fileio:path=\"a\\b\",x=\n\t\x01", (char *)"\"],\"hostname\":\"evil",
                              (char *)OCI_ARGS_MARKER, NULL};
        _cleanup_json_ cJSON *o = write_and_read(&s, args);
        const cJSON *argv =
                cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(o, "process"), "args");
        assert_int_equal(cJSON_GetArraySize(argv), 6);
        for (int i = 0; i < 3; i++)
                assert_string_equal(cJSON_GetArrayItem(argv, 3 + i)->valuestring, args[i]);
        assert_string_equal(cJSON_GetObjectItemCaseSensitive(o, "hostname")->valuestring, "bench-oci-1-0");
        /* seccomp none: no profile at all */
        assert_null(
                cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(o, "linux"), "seccomp"));
        rmdir(dir);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_same_tables),
                cmocka_unit_test(test_args_are_strings),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
