/* SPDX-License-Identifier: MIT */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "../../harness/host.h"
#include "../../runtimes/container/cgroup.h"

/* Everything expected here is read by the test itself from /proc and /sys. */

static cJSON *info; /* host_info() once: it forks a child per namespace */

static int setup(void **state) {
        (void)state;
        info = host_info();
        return info ? 0 : -1;
}

static int teardown(void **state) {
        (void)state;
        cJSON_Delete(info);
        return 0;
}

static char *slurp(const char *path) {
        FILE *f = fopen(path, "re");
        if (!f)
                return NULL;
        size_t cap = 1 << 16, len = 0;
        char *buf = malloc(cap);
        size_t n;
        while ((n = fread(buf + len, 1, cap - len - 1, f)) > 0) {
                len += n;
                if (len + 1 >= cap)
                        buf = realloc(buf, cap *= 2);
        }
        buf[len] = 0;
        fclose(f);
        return buf;
}

/* The cgroup layout as /proc/self/mountinfo tells it (mount point + fs type). */
static const char *mode_from_mountinfo(void) {
        char *mi = slurp("/proc/self/mountinfo");
        assert_non_null(mi);
        const char *root_type = NULL;
        bool v1 = false, unified = false;
        for (char *line = strtok(mi, "\n"); line; line = strtok(NULL, "\n")) {
                char mnt[4096], fstype[64];
                char *sep = strstr(line, " - ");
                if (!sep || sscanf(line, "%*s %*s %*s %*s %4095s", mnt) != 1 ||
                    sscanf(sep + 3, "%63s", fstype) != 1)
                        continue;
                if (!strcmp(mnt, "/sys/fs/cgroup"))
                        root_type = !strcmp(fstype, "cgroup2")  ? "v2"
                                    : !strcmp(fstype, "cgroup") ? "v1"
                                    : !strcmp(fstype, "tmpfs")  ? "tmpfs"
                                                                : "other";
                else if (!strncmp(mnt, "/sys/fs/cgroup/", 15) && !strcmp(fstype, "cgroup"))
                        v1 = true;
                else if (!strcmp(mnt, "/sys/fs/cgroup/unified") && !strcmp(fstype, "cgroup2"))
                        unified = true;
        }
        free(mi);
        if (!root_type || !strcmp(root_type, "other"))
                return "none";
        if (strcmp(root_type, "tmpfs"))
                return root_type;
        if (v1 && unified)
                return "hybrid";
        return v1 ? "v1" : "none";
}

static void test_cgroup_mode(void **state) {
        (void)state;
        const char *want = mode_from_mountinfo();
        assert_string_equal(ctr_cgroup_mode_name(ctr_cgroup_mode_detect()), want);
        assert_string_equal(ctr_cgroup_mode_name(CTR_CGROUP_MODE_HYBRID), "hybrid");
        assert_string_equal(ctr_cgroup_mode_name(CTR_CGROUP_MODE_NONE), "none");
}

static const cJSON *field(const cJSON *o, const char *key) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
        if (!v)
                fail_msg("missing key %s", key);
        return v;
}

static void want_string(const cJSON *o, const char *key) {
        assert_true(cJSON_IsString(field(o, key)));
}
static void want_string_or_null(const cJSON *o, const char *key) {
        const cJSON *v = field(o, key);
        assert_true(cJSON_IsString(v) || cJSON_IsNull(v));
}
static double want_number(const cJSON *o, const char *key) {
        const cJSON *v = field(o, key);
        assert_true(cJSON_IsNumber(v));
        return v->valuedouble;
}

/* "key : value" of the first cpu in /proc/cpuinfo, or NULL. */
static char *cpuinfo(const char *key) {
        char *all = slurp("/proc/cpuinfo"), *r = NULL;
        for (char *line = all ? strtok(all, "\n") : NULL; line && !r; line = strtok(NULL, "\n"))
                if (!strncmp(line, key, strlen(key)) && strchr(line, ':'))
                        r = strdup(strchr(line, ':') + 2);
        free(all);
        return r;
}

static bool has_flag(const char *flags, const char *f) {
        char pat[32];
        snprintf(pat, sizeof(pat), " %s ", f);
        char *padded;
        assert_true(asprintf(&padded, " %s ", flags ? flags : "") > 0);
        bool r = strstr(padded, pat) != NULL;
        free(padded);
        return r;
}

static void test_capture(void **state) {
        (void)state;
        cJSON *h = host_capture();
        assert_non_null(h);
        struct utsname u;
        assert_int_equal(uname(&u), 0);
        char hn[256];
        assert_int_equal(gethostname(hn, sizeof(hn)), 0);
        assert_string_equal(field(h, "hostname")->valuestring, hn);
        assert_string_equal(field(h, "kernel")->valuestring, u.release);
        assert_string_equal(field(h, "kernel_version")->valuestring, u.version);
        assert_string_equal(field(h, "arch")->valuestring, u.machine);

        char *model = cpuinfo("model name");
        if (model)
                assert_string_equal(field(h, "cpu_model")->valuestring, model);
        else
                assert_true(cJSON_IsNull(field(h, "cpu_model")));
        free(model);

        double cores = want_number(h, "cores"), pus = want_number(h, "pus");
        assert_true(cores >= 1 && pus >= cores);
        assert_true(pus <= sysconf(_SC_NPROCESSORS_ONLN));
        assert_true(want_number(h, "numa_nodes") >= 1);
        assert_int_equal(cJSON_IsTrue(field(h, "smt")), pus > cores);

        char *mem = slurp("/proc/meminfo");
        double kib = 0;
        assert_int_equal(sscanf(strstr(mem, "MemTotal:"), "MemTotal: %lf kB", &kib), 1);
        free(mem);
        assert_true(want_number(h, "memory_kib") == kib);

        assert_string_equal(field(h, "cgroup_mode")->valuestring, mode_from_mountinfo());
        want_string(h, "topology");
        char want_pus[32];
        snprintf(want_pus, sizeof(want_pus), "%d PU", (int)pus);
        assert_non_null(strstr(field(h, "topology")->valuestring, want_pus));

        const cJSON *virt = field(h, "virtualization");
        assert_true(cJSON_IsBool(field(virt, "kvm_device")));
        assert_int_equal(cJSON_IsTrue(field(virt, "kvm_device")), access("/dev/kvm", R_OK | W_OK) == 0);
        char *flags = cpuinfo("flags");
        const char *hv = has_flag(flags, "vmx") ? "vmx" : has_flag(flags, "svm") ? "svm" : NULL;
        if (hv)
                assert_string_equal(field(virt, "hw_virt")->valuestring, hv);
        else
                assert_true(cJSON_IsNull(field(virt, "hw_virt")));
        assert_int_equal(cJSON_IsTrue(field(virt, "hypervisor")), has_flag(flags, "hypervisor"));
        free(flags);

        want_string(h, "bench_version");
        want_string(h, "git_commit");
        const cJSON *libs = field(h, "libraries");
        assert_string_equal(field(libs, "cjson")->valuestring, cJSON_Version());
        want_string(libs, "hwloc");
        want_string(libs, "libvirt");
        want_string(libs, "libcap");
        /* "9.0.0": three dotted numbers */
        unsigned a, b, c;
        assert_int_equal(sscanf(field(libs, "libvirt")->valuestring, "%u.%u.%u", &a, &b, &c), 3);
        want_string_or_null(h, "cpu_governor");
        if (access("/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor", R_OK) != 0)
                assert_true(cJSON_IsNull(field(h, "cpu_governor")));
        cJSON_Delete(h);
}

static void test_namespaces(void **state) {
        (void)state;
        const cJSON *ns = field(info, "namespaces");
        static const char *const names[] = {"mnt", "pid", "uts", "ipc", "net", "cgroup", "user", "time"};
        assert_int_equal(cJSON_GetArraySize(ns), 8);
        for (size_t i = 0; i < 8; i++)
                want_string(ns, names[i]);
        if (geteuid() != 0) {
                skip();
                return;
        }
        for (size_t i = 0; i < 5; i++)
                assert_string_equal(field(ns, names[i])->valuestring, "ok");
}

static void test_cgroup_and_fs(void **state) {
        (void)state;
        const cJSON *cg = field(info, "cgroup");
        assert_string_equal(field(cg, "mode")->valuestring, mode_from_mountinfo());
        assert_true(cJSON_IsArray(field(cg, "controllers_v1")));
        assert_true(cJSON_IsArray(field(cg, "controllers_v2")));
        want_string_or_null(cg, "v2_mount");
        if (!strcmp(mode_from_mountinfo(), "hybrid")) {
                assert_string_equal(field(cg, "v2_mount")->valuestring, "/sys/fs/cgroup/unified");
                /* a hybrid host mounts at least one v1 controller */
                assert_true(cJSON_GetArraySize(field(cg, "controllers_v1")) > 0);
        }
        /* every v1 controller reported is mounted as /sys/fs/cgroup/<name> or in a combined one */
        const cJSON *e;
        char *mi = slurp("/proc/self/mountinfo");
        cJSON_ArrayForEach(e, field(cg, "controllers_v1")) {
                char pat[80];
                snprintf(pat, sizeof(pat), ",%s", e->valuestring);
                assert_non_null(strstr(mi, pat));
        }
        free(mi);

        want_string(info, "overlayfs");
        char *fs = slurp("/proc/filesystems");
        assert_int_equal(!strcmp(field(info, "overlayfs")->valuestring, "ok"),
                         strstr(fs, "\toverlay\n") != NULL);
        free(fs);
        want_string(info, "overlayfs_mount");
        if (geteuid() == 0 && !strcmp(field(info, "overlayfs")->valuestring, "ok"))
                assert_string_equal(field(info, "overlayfs_mount")->valuestring, "mounts");
        /* nothing left behind: no temp dir, no mount */
        glob_t g;
        assert_int_equal(glob("/tmp/bench-ovl-*", 0, NULL, &g), GLOB_NOMATCH);
        mi = slurp("/proc/self/mountinfo");
        assert_null(strstr(mi, "bench-ovl"));
        free(mi);
}

static void test_virt_and_tools(void **state) {
        (void)state;
        const cJSON *kvm = field(info, "kvm");
        want_string(kvm, "device");
        want_string_or_null(kvm, "hw_virt");
        bool usable =
                !strcmp(field(kvm, "device")->valuestring, "ok") && cJSON_IsString(field(kvm, "hw_virt"));
        assert_int_equal(cJSON_IsTrue(field(kvm, "usable")), usable);
        if (usable)
                assert_true(cJSON_IsNull(field(kvm, "reason")));
        else
                assert_non_null(strstr(field(kvm, "reason")->valuestring, "TCG"));

        want_string(field(info, "libvirt"), "library");
        const cJSON *q = field(info, "qemu");
        want_string_or_null(q, "binary");
        want_string_or_null(q, "version");
        if (cJSON_IsString(field(q, "binary"))) {
                assert_int_equal(access(field(q, "binary")->valuestring, X_OK), 0);
                assert_non_null(strstr(field(q, "version")->valuestring, "QEMU"));
        }
        const cJSON *tools = field(info, "tools");
        static const char *const names[] = {"gnuplot", "crun", "runc", "bwrap", "hyperfine"};
        for (size_t i = 0; i < 5; i++) {
                const cJSON *t = field(tools, names[i]);
                assert_true(cJSON_IsString(t) || cJSON_IsNull(t));
                if (cJSON_IsString(t))
                        assert_int_equal(access(t->valuestring, X_OK), 0);
        }
        /* installed on every machine of this project */
        assert_true(cJSON_IsString(field(tools, "gnuplot")));
}

static void test_kinds(void **state) {
        (void)state;
        const cJSON *kinds = field(info, "kinds");
        static const char *const names[] = {"bare", "container", "vm", "oci"};
        assert_int_equal(cJSON_GetArraySize(kinds), 4);
        for (int i = 0; i < 4; i++) {
                const cJSON *k = cJSON_GetArrayItem(kinds, i);
                assert_string_equal(field(k, "kind")->valuestring, names[i]);
                assert_true(cJSON_IsBool(field(k, "runnable")));
                if (cJSON_IsTrue(field(k, "runnable")))
                        assert_true(cJSON_IsNull(field(k, "reason")));
                else
                        assert_true(strlen(field(k, "reason")->valuestring) > 0);
        }
}

static void test_text(void **state) {
        (void)state;
        char *text = host_info_text(info);
        assert_non_null(text);
        static const char *const headings[] = {
                "Host",        "CPU/topology",   "cgroups",           "namespaces",
                "filesystems", "virtualization", "libraries & tools", "configuration kinds"};
        for (size_t i = 0; i < 8; i++) {
                char pat[64];
                /* a heading is a line of its own */
                snprintf(pat, sizeof(pat), "%s%s\n", i ? "\n" : "", headings[i]);
                if (!strstr(text, pat) && !(i == 0 && !strncmp(text, "Host\n", 5)))
                        fail_msg("heading %s missing in:\n%s", headings[i], text);
        }
        char hn[256];
        assert_int_equal(gethostname(hn, sizeof(hn)), 0);
        assert_non_null(strstr(text, hn));
        assert_non_null(strstr(text, "  oci "));
        free(text);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_cgroup_mode),    cmocka_unit_test(test_capture),
                cmocka_unit_test(test_namespaces),     cmocka_unit_test(test_cgroup_and_fs),
                cmocka_unit_test(test_virt_and_tools), cmocka_unit_test(test_kinds),
                cmocka_unit_test(test_text),
        };
        return cmocka_run_group_tests(tests, setup, teardown);
}
