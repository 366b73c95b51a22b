/* SPDX-License-Identifier: MIT */
#include "host.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/magic.h>

#include "../common/cleanup.h"
#include "../common/util.h"
#include "../runtimes/container/cgroup.h"
#include "../runtimes/driver.h"
#include "allocation.h"
#include "hwloc-internal.h"
#include "version.h"
#include "../vm/virt.h"
#include "../vm/vm.h"

extern char **environ;

/* ---- small helpers ---- */

static char *read_text(const char *path) {
        char *data = NULL;
        if (bench_read_file(path, &data, NULL, NULL) < 0)
                return NULL;
        return data;
}

/* First line of a file, without the newline; NULL if unreadable or empty. */
static char *read_line(const char *path) {
        char *s = read_text(path);
        if (!s)
                return NULL;
        s[strcspn(s, "\n")] = 0;
        if (!*s) {
                free(s);
                return NULL;
        }
        return s;
}

static void add_string_or_null(cJSON *o, const char *key, const char *value) {
        if (value)
                cJSON_AddStringToObject(o, key, value);
        else
                cJSON_AddNullToObject(o, key);
}

/* The value of "key : value" in /proc/cpuinfo (first cpu), malloc'd. */
static char *cpuinfo_field(const char *key) {
        _cleanup_free_ char *info = read_text("/proc/cpuinfo");
        if (!info)
                return NULL;
        size_t kl = strlen(key);
        for (char *line = info; line && *line;) {
                char *next = strchr(line, '\n');
                if (next)
                        *next++ = 0;
                if (!strncmp(line, key, kl) && (line[kl] == ' ' || line[kl] == '\t' || line[kl] == ':')) {
                        char *colon = strchr(line, ':');
                        if (colon) {
                                colon++;
                                colon += strspn(colon, " \t");
                                return strdup(colon);
                        }
                }
                line = next;
        }
        return NULL;
}

/* ---- cgroups ---- */

/* The space- or newline-separated words of s (NULL: none) as an array of strings. */
static cJSON *words_array(char *s) {
        cJSON *a = cJSON_CreateArray();
        char *save = NULL;
        for (char *w = s ? strtok_r(s, " \n", &save) : NULL; w; w = strtok_r(NULL, " \n", &save))
                cJSON_AddItemToArray(a, cJSON_CreateString(w));
        return a;
}

static cJSON *cgroup_info(ctr_cgroup_mode mode) {
        cJSON *o = cJSON_CreateObject();
        _cleanup_(ctr_cgroup_mounts_clear) ctr_cgroup_mounts m = {0};
        (void)ctr_cgroup_mounts_read(&m); /* out of memory: empty lists */
        cJSON_AddStringToObject(o, "mode", ctr_cgroup_mode_name(mode));
        cJSON_AddItemToObject(o, "controllers_v1", words_array(m.v1_controllers));
        cJSON_AddItemToObject(o, "controllers_v2", words_array(m.v2_controllers));
        add_string_or_null(o, "v2_mount", m.v2_mount);
        return o;
}

/* ---- CPU, topology, libraries ---- */

static void format_bytes(unsigned long long b, char *buf, size_t len) {
        static const char *const units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
        size_t u = 0;
        while (u + 1 < ELEMENTSOF(units) && b >= 1024 && b % 1024 == 0) {
                b /= 1024;
                u++;
        }
        snprintf(buf, len, "%llu%s", b, units[u]);
}

static void plural(FILE *f, int n, const char *what, const char *plural_s) {
        fprintf(f, "%d %s%s", n, what, n == 1 ? "" : plural_s);
}

/* "1 package, 2 cores, 2 PUs, L3 32MiB" */
static char *topology_summary(hwloc_topology_t t) {
        char *buf = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&buf, &len);
        if (!f)
                return NULL;
        plural(f, bench_hwloc_nbobjs_by_type(t, HWLOC_OBJ_PACKAGE), "package", "s");
        fputs(", ", f);
        plural(f, bench_hwloc_nbobjs_by_type(t, HWLOC_OBJ_CORE), "core", "s");
        fputs(", ", f);
        plural(f, bench_hwloc_nbobjs_by_type(t, HWLOC_OBJ_PU), "PU", "s");
        static const struct {
                hwloc_obj_type_t type;
                const char *name;
        } caches[] = {{HWLOC_OBJ_L3CACHE, "L3"}, {HWLOC_OBJ_L2CACHE, "L2"}};
        /* the last level cache is what matters for the memory workloads */
        for (size_t i = 0; i < ELEMENTSOF(caches); i++) {
                int n = bench_hwloc_nbobjs_by_type(t, caches[i].type);
                if (n <= 0)
                        continue;
                hwloc_obj_t c = bench_hwloc_obj_by_type(t, caches[i].type, 0);
                char size[32];
                format_bytes(c->attr ? c->attr->cache.size : 0, size, sizeof(size));
                if (n > 1)
                        fprintf(f, ", %dx %s %s", n, caches[i].name, size);
                else
                        fprintf(f, ", %s %s", caches[i].name, size);
                break;
        }
        if (fclose(f) != 0) {
                free(buf);
                return NULL;
        }
        return buf;
}

static char *libvirt_version(void) {
        unsigned long v = 0;
        char *s = NULL;
        const vm_virt_api *virt = vm_virt(NULL);
        if (!virt || virt->GetVersion(&v, NULL, NULL) < 0)
                return NULL;
        if (asprintf(&s, "%lu.%lu.%lu", v / 1000000, v / 1000 % 1000, v % 1000) < 0)
                return NULL;
        return s;
}

/* NULL where libhwloc is not installed */
static char *hwloc_version(void) {
        char *s = NULL;
        if (bench_hwloc_load(NULL) < 0)
                return NULL;
        /* the runtime library reports its API level; the release is known at build time */
        unsigned api = hwloc_get_api_version();
        if (asprintf(&s, "%s (api %u.%u.%u)", BENCH_HWLOC_VERSION, api >> 16, (api >> 8) & 0xff, api & 0xff) <
            0)
                return NULL;
        return s;
}

static cJSON *libraries(void) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "cjson", cJSON_Version());
        _cleanup_free_ char *hv = hwloc_version();
        add_string_or_null(o, "hwloc", hv);
        _cleanup_free_ char *lv = libvirt_version();
        add_string_or_null(o, "libvirt", lv);
        cJSON_AddStringToObject(o, "libcap", BENCH_LIBCAP_VERSION);
        return o;
}

/* The chosen word of a sysfs choice list: "always [madvise] never" -> "madvise"; NULL if none. */
static char *sysfs_choice(const char *path) {
        _cleanup_free_ char *s = read_line(path);
        const char *a = s ? strchr(s, '[') : NULL, *b = a ? strchr(a, ']') : NULL;
        return b ? strndup(a + 1, (size_t)(b - a - 1)) : NULL;
}

static void add_long_or_null(cJSON *o, const char *key, long v) {
        if (v >= 0)
                cJSON_AddNumberToObject(o, key, (double)v);
        else
                cJSON_AddNullToObject(o, key);
}

/*
 * Whether the host could merge or back with huge pages what a guest or a
 * process holds: KSM (QEMU marks guest RAM mergeable) and THP. A vm
 * configuration's `ksm` may change KSM for its run: its agent line
 * (pinning.seen) says what the guest ran under.
 */
static void add_memory_merging(cJSON *h) {
        vm_ksm_state k;
        vm_ksm_read(&k);
        if (k.present) {
                cJSON *o = cJSON_AddObjectToObject(h, "ksm");
                add_long_or_null(o, "run", k.run);
                add_long_or_null(o, "pages_to_scan", k.pages_to_scan);
                add_long_or_null(o, "sleep_millisecs", k.sleep_millisecs);
                if (k.merge_across_nodes >= 0)
                        cJSON_AddNumberToObject(o, "merge_across_nodes", (double)k.merge_across_nodes);
                add_long_or_null(o, "pages_sharing", k.pages_sharing);
        } else
                cJSON_AddNullToObject(h, "ksm");
        _cleanup_free_ char *enabled = sysfs_choice("/sys/kernel/mm/transparent_hugepage/enabled");
        _cleanup_free_ char *defrag = sysfs_choice("/sys/kernel/mm/transparent_hugepage/defrag");
        if (enabled || defrag) {
                cJSON *t = cJSON_AddObjectToObject(h, "thp");
                add_string_or_null(t, "enabled", enabled);
                add_string_or_null(t, "defrag", defrag);
        } else
                cJSON_AddNullToObject(h, "thp");
}

/* A sysfs file's text without trailing white space: "" for an empty file, NULL if unreadable. */
static char *read_trimmed(const char *path) {
        char *s = read_text(path);
        if (!s)
                return NULL;
        size_t n = strlen(s);
        while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == ' '))
                s[--n] = 0;
        return s;
}

/* "1"/"0" of a sysfs flag: 1, 0, or -1 when absent or something else. */
static int read_flag(const char *path) {
        _cleanup_free_ char *s = read_line(path);
        return s && !strcmp(s, "1") ? 1 : s && !strcmp(s, "0") ? 0 : -1;
}

static void add_bool_or_null(cJSON *o, const char *key, int v) {
        if (v >= 0)
                cJSON_AddBoolToObject(o, key, v);
        else
                cJSON_AddNullToObject(o, key);
}

/* Frequency boost (turbo): cpufreq's boost, else intel_pstate's no_turbo inverted; -1: neither. */
static int cpu_boost(void) {
        int b = read_flag("/sys/devices/system/cpu/cpufreq/boost");
        if (b >= 0)
                return b;
        int no_turbo = read_flag("/sys/devices/system/cpu/intel_pstate/no_turbo");
        return no_turbo >= 0 ? !no_turbo : -1;
}

#define VULN_DIR "/sys/devices/system/cpu/vulnerabilities"

/* Every file of the vulnerabilities dir: name -> the kernel's text; null without the dir. */
static cJSON *mitigations(void) {
        /* sorted, so that two files list them alike */
        struct dirent **names = NULL;
        int n = scandir(VULN_DIR, &names, NULL, alphasort);
        if (n < 0)
                return cJSON_CreateNull();
        cJSON *o = cJSON_CreateObject();
        for (int i = 0; i < n; i++) {
                if (names[i]->d_name[0] != '.') {
                        char path[512];
                        snprintf(path, sizeof(path), "%s/%s", VULN_DIR, names[i]->d_name);
                        _cleanup_free_ char *t = read_trimmed(path);
                        if (t && o)
                                cJSON_AddStringToObject(o, names[i]->d_name, t);
                }
                free(names[i]);
        }
        free(names);
        return o;
}

/*
 * The value of name= on the kernel command line (up to a "--": the rest is
 * init's), malloc'd; NULL when not given.
 */
char *host_cmdline_param(const char *cmdline, const char *name) {
        size_t nl = strlen(name);
        for (const char *p = cmdline; p && *p;) {
                p += strspn(p, " \t\n");
                size_t len = strcspn(p, " \t\n");
                if (len == 2 && !strncmp(p, "--", 2))
                        break;
                if (len > nl && !strncmp(p, name, nl) && p[nl] == '=')
                        return strndup(p + nl + 1, len - nl - 1);
                p += len;
        }
        return NULL;
}

/*
 * What decides whether two runs' figures are comparable, besides the CPU
 * model and kernel: boost, SMT, the kernel's mitigations, CPUs kept from
 * the scheduler, swap, the clocksource (a slow one costs every timestamp).
 */
static void add_fingerprint(cJSON *h) {
        add_bool_or_null(h, "boost", cpu_boost());
        _cleanup_free_ char *smt = read_line("/sys/devices/system/cpu/smt/control");
        add_string_or_null(h, "smt_control", smt);
        add_bool_or_null(h, "smt_active", read_flag("/sys/devices/system/cpu/smt/active"));
        cJSON_AddItemToObject(h, "mitigations", mitigations());
        _cleanup_free_ char *isolated = read_trimmed("/sys/devices/system/cpu/isolated");
        add_string_or_null(h, "isolated_cpus", isolated);
        _cleanup_free_ char *nohz = read_trimmed("/sys/devices/system/cpu/nohz_full");
        /* "(null)" when the kernel has NO_HZ_FULL but none is set */
        add_string_or_null(h, "nohz_full", nohz && strcmp(nohz, "(null)") ? nohz : nohz ? "" : NULL);

        _cleanup_free_ char *cmdline = read_text("/proc/cmdline");
        cJSON *boot = cJSON_AddObjectToObject(h, "boot_params");
        static const char *const params[] = {"isolcpus", "nohz_full", "mitigations"};
        for (size_t i = 0; i < ELEMENTSOF(params); i++) {
                _cleanup_free_ char *v = cmdline ? host_cmdline_param(cmdline, params[i]) : NULL;
                add_string_or_null(boot, params[i], v);
        }

        cJSON *swap = cJSON_AddObjectToObject(h, "swap");
        uint64_t kib;
        add_long_or_null(swap, "total_kib", bench_meminfo_kib("SwapTotal", &kib, NULL) == 0 ? (long)kib : -1);
        add_long_or_null(swap, "free_kib", bench_meminfo_kib("SwapFree", &kib, NULL) == 0 ? (long)kib : -1);
        _cleanup_free_ char *swappiness = read_line("/proc/sys/vm/swappiness");
        add_long_or_null(swap, "swappiness", swappiness ? strtol(swappiness, NULL, 10) : -1);

        _cleanup_free_ char *cs =
                read_line("/sys/devices/system/clocksource/clocksource0/current_clocksource");
        add_string_or_null(h, "clocksource", cs);
}

cJSON *host_capture(void) {
        cJSON *h = cJSON_CreateObject();
        struct utsname u;
        bool have_uts = uname(&u) == 0;
        hwloc_topology_t t = NULL;
        bool have_topo = bench_hwloc_topology(&t, NULL) == 0;

        if (!h)
                return NULL;
        add_string_or_null(h, "hostname", have_uts ? u.nodename : NULL);
        add_string_or_null(h, "kernel", have_uts ? u.release : NULL);
        add_string_or_null(h, "kernel_version", have_uts ? u.version : NULL);
        add_string_or_null(h, "arch", have_uts ? u.machine : NULL);

        _cleanup_free_ char *model = cpuinfo_field("model name");
        add_string_or_null(h, "cpu_model", model);

        int cores = have_topo ? bench_hwloc_nbobjs_by_type(t, HWLOC_OBJ_CORE) : -1;
        int pus = have_topo ? bench_hwloc_nbobjs_by_type(t, HWLOC_OBJ_PU) : -1;
        int nodes = have_topo ? bench_hwloc_nbobjs_by_type(t, HWLOC_OBJ_NUMANODE) : -1;
        if (cores > 0)
                cJSON_AddNumberToObject(h, "cores", cores);
        else
                cJSON_AddNullToObject(h, "cores");
        if (pus > 0)
                cJSON_AddNumberToObject(h, "pus", pus);
        else
                cJSON_AddNullToObject(h, "pus");
        if (nodes > 0)
                cJSON_AddNumberToObject(h, "numa_nodes", nodes);
        else
                cJSON_AddNullToObject(h, "numa_nodes");

        uint64_t kib;
        if (bench_meminfo_kib("MemTotal", &kib, NULL) == 0)
                cJSON_AddNumberToObject(h, "memory_kib", (double)kib);
        else
                cJSON_AddNullToObject(h, "memory_kib");

        add_memory_merging(h);

        cJSON_AddStringToObject(h, "cgroup_mode", ctr_cgroup_mode_name(ctr_cgroup_mode_detect()));
        _cleanup_free_ char *summary = have_topo ? topology_summary(t) : NULL;
        add_string_or_null(h, "topology", summary);

        vm_kvm_probe kvm;
        vm_kvm_probe_host(&kvm);
        cJSON *virt = cJSON_AddObjectToObject(h, "virtualization");
        cJSON_AddBoolToObject(virt, "kvm_device", kvm.device_errno == 0);
        add_string_or_null(virt, "hw_virt", kvm.hw_virt);
        cJSON_AddBoolToObject(virt, "hypervisor", kvm.hypervisor);

        cJSON_AddStringToObject(h, "bench_version", BENCH_VERSION);
        cJSON_AddStringToObject(h, "git_commit", BENCH_GIT_COMMIT);
        cJSON_AddItemToObject(h, "libraries", libraries());

        _cleanup_free_ char *gov = read_line("/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor");
        add_string_or_null(h, "cpu_governor", gov);
        if (cores > 0 && pus > 0)
                cJSON_AddBoolToObject(h, "smt", pus > cores);
        else
                cJSON_AddNullToObject(h, "smt");
        add_fingerprint(h);
        return h;
}

/* ---- what this host can run ---- */

/*
 * Runs fn in a forked child; fn returns 0, an errno or a CHILD_* code, which
 * comes back as the exit code. The text is ok for 0, else what went wrong.
 */
#define CHILD_OK_USERNS 254

static char *try_in_child(int (*fn)(void *), void *arg, const char *ok, const char *ok_userns) {
        char *s = NULL;
        pid_t pid = fork();
        if (pid < 0)
                return strdup(strerror(errno));
        if (pid == 0)
                _exit(fn(arg) & 0xff);
        int status;
        while (waitpid(pid, &status, 0) < 0)
                if (errno != EINTR)
                        return strdup(strerror(errno));
        if (WIFEXITED(status)) {
                int code = WEXITSTATUS(status);
                return strdup(code == 0                              ? ok
                              : code == CHILD_OK_USERNS && ok_userns ? ok_userns
                                                                     : strerror(code));
        }
        if (asprintf(&s, "child killed by signal %d", WTERMSIG(status)) < 0)
                return NULL;
        return s;
}

static int child_unshare(void *arg) {
        return unshare(*(int *)arg) < 0 ? errno : 0;
}

static cJSON *namespaces_info(void) {
        static const struct {
                const char *name;
                int flag;
        } ns[] = {
                {"mnt", CLONE_NEWNS},    {"pid", CLONE_NEWPID},   {"uts", CLONE_NEWUTS},
                {"ipc", CLONE_NEWIPC},   {"net", CLONE_NEWNET},   {"cgroup", CLONE_NEWCGROUP},
                {"user", CLONE_NEWUSER}, {"time", CLONE_NEWTIME},
        };
        cJSON *o = cJSON_CreateObject();
        for (size_t i = 0; i < ELEMENTSOF(ns); i++) {
                int flag = ns[i].flag;
                /* pid and time apply to children only: the unshare alone is the test */
                _cleanup_free_ char *r = try_in_child(child_unshare, &flag, "ok", NULL);
                add_string_or_null(o, ns[i].name, r);
        }
        return o;
}

static char *overlay_listed(void) {
        _cleanup_free_ char *fs = read_text("/proc/filesystems");
        if (!fs)
                return strdup("cannot read /proc/filesystems");
        if (strstr(fs, "\toverlay\n"))
                return strdup("ok");
        return strdup("overlay is not in /proc/filesystems (is the module loaded? modprobe overlay)");
}

static int write_string(const char *path, const char *s) {
        _cleanup_close_ int fd = open(path, O_WRONLY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        return write(fd, s, strlen(s)) == (ssize_t)strlen(s) ? 0 : -errno;
}

static int child_overlay_mount(void *arg) {
        const char *dir = arg;
        char opts[1024], merged[512];
        int ok = 0;
        if (unshare(CLONE_NEWNS) < 0) {
                /* unprivileged: overlay mounts in a user namespace since Linux 5.11 */
                uid_t uid = getuid();
                gid_t gid = getgid();
                char map[64];
                if (errno != EPERM || unshare(CLONE_NEWUSER | CLONE_NEWNS) < 0)
                        return errno;
                /* the files it creates need a mapped owner: ourselves */
                snprintf(map, sizeof(map), "%u %u 1", (unsigned)uid, (unsigned)uid);
                if (write_string("/proc/self/setgroups", "deny") < 0 ||
                    write_string("/proc/self/uid_map", map) < 0)
                        return errno;
                snprintf(map, sizeof(map), "%u %u 1", (unsigned)gid, (unsigned)gid);
                if (write_string("/proc/self/gid_map", map) < 0)
                        return errno;
                ok = CHILD_OK_USERNS;
        }
        /* keep the test mount out of the host's namespace */
        if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
                return errno;
        snprintf(opts, sizeof(opts), "lowerdir=%s/lower,upperdir=%s/upper,workdir=%s/work", dir, dir, dir);
        snprintf(merged, sizeof(merged), "%s/merged", dir);
        if (mount("overlay", merged, "overlay", 0, opts) < 0)
                return errno;
        umount2(merged, MNT_DETACH);
        return ok;
}

static int rm_tree(const char *dir);

static int rm_entry(const char *path, const struct stat *st, int type, struct FTW *ftw) {
        (void)st;
        (void)ftw;
        if (type == FTW_DP)
                rmdir(path);
        else if (type == FTW_DNR) {
                /* overlay leaves workdir/work with mode 000 */
                if (rmdir(path) < 0 && chmod(path, 0700) == 0)
                        rm_tree(path);
        } else
                unlink(path);
        return 0;
}

static int rm_tree(const char *dir) {
        return nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static char *overlay_mount_test(void) {
        char dir[] = "/tmp/bench-ovl-XXXXXX";
        char *r = NULL;
        if (!mkdtemp(dir))
                return strdup(strerror(errno));
        static const char *const subs[] = {"lower", "upper", "work", "merged"};
        for (size_t i = 0; i < ELEMENTSOF(subs); i++) {
                char p[64];
                snprintf(p, sizeof(p), "%s/%s", dir, subs[i]);
                if (mkdir(p, 0755) < 0 && !r)
                        r = strdup(strerror(errno));
        }
        if (!r)
                r = try_in_child(child_overlay_mount, dir, "mounts", "mounts (in a user namespace)");
        rm_tree(dir);
        return r;
}

static cJSON *kvm_info(void) {
        cJSON *o = cJSON_CreateObject();
        vm_kvm_probe kvm;
        vm_kvm_probe_host(&kvm);
        int e = kvm.device_errno;
        const char *hv = kvm.hw_virt;
        _cleanup_free_ char *reason = NULL;

        cJSON_AddStringToObject(o, "device", e ? strerror(e) : "ok");
        add_string_or_null(o, "hw_virt", hv);
        cJSON_AddBoolToObject(o, "usable", !e && hv);
        if (e) {
                if (asprintf(&reason, "/dev/kvm: %s: VMs use TCG", strerror(e)) < 0)
                        reason = NULL;
        } else if (!hv) {
                reason = strdup(
                        kvm.hypervisor
                                ? "/dev/kvm opens but the CPU has no vmx/svm (nested PVM host): VMs use TCG"
                                : "/dev/kvm opens but the CPU has no vmx/svm: VMs use TCG");
        }
        add_string_or_null(o, "reason", reason);
        return o;
}

/* An executable called name in PATH, then the usual sbin dirs; NULL if none. */
static char *find_program(const char *name) {
        char *p = NULL;
        return bench_find_program(name, BENCH_FIND_SBIN, &p) < 0 ? NULL : p;
}

/* First line of `prog --version`, waiting at most timeout_ms. */
static char *program_version(const char *prog, int timeout_ms) {
        int pfd[2];
        if (pipe2(pfd, O_CLOEXEC) < 0)
                return NULL;
        _cleanup_close_ int rd = pfd[0];
        posix_spawn_file_actions_t fa;
        posix_spawn_file_actions_init(&fa);
        posix_spawn_file_actions_adddup2(&fa, pfd[1], STDOUT_FILENO);
        posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
        posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
        char *const argv[] = {(char *)prog, (char *)"--version", NULL};
        pid_t pid;
        int r = posix_spawn(&pid, prog, &fa, NULL, argv, environ);
        posix_spawn_file_actions_destroy(&fa);
        close(pfd[1]);
        if (r != 0)
                return NULL;

        char buf[512];
        size_t len = 0;
        uint64_t deadline = bench_now_ns() + (uint64_t)timeout_ms * 1000000ull;
        for (;;) {
                uint64_t now = bench_now_ns();
                if (now >= deadline || len + 1 >= sizeof(buf) || memchr(buf, '\n', len))
                        break;
                struct pollfd p = {.fd = rd, .events = POLLIN};
                int n = poll(&p, 1, (int)((deadline - now) / 1000000) + 1);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0)
                        break;
                ssize_t k = read(rd, buf + len, sizeof(buf) - 1 - len);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k <= 0)
                        break;
                len += (size_t)k;
        }
        kill(pid, SIGKILL); /* it has said what we need, or took too long */
        while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
                ;
        buf[len] = 0;
        buf[strcspn(buf, "\n")] = 0;
        return len && buf[0] ? strdup(buf) : NULL;
}

static cJSON *kinds_info(void) {
        cJSON *a = cJSON_CreateArray();
        for (const rt_kind *k = rt_kinds; k->name; k++) {
                cJSON *o = cJSON_CreateObject();
                _cleanup_error_ bench_error *err = NULL;
                _cleanup_free_ char *reason = NULL;
                bool ok = false;
                cJSON_AddStringToObject(o, "kind", k->name);
                if (!k->driver) {
                        if (asprintf(&reason, "no driver for kind %s in this build yet", k->name) < 0)
                                reason = NULL;
                } else if (rt_driver_validate(k->driver, &err) < 0 || k->driver->probe(0, &err) < 0) {
                        reason = strdup(err && err->msg ? err->msg : "probe failed");
                } else
                        ok = true;
                cJSON_AddBoolToObject(o, "runnable", ok);
                add_string_or_null(o, "reason", reason);
                cJSON_AddItemToArray(a, o);
        }
        return a;
}

cJSON *host_info(void) {
        cJSON *info = host_capture();
        if (!info)
                return NULL;
        ctr_cgroup_mode mode = ctr_cgroup_mode_detect();
        cJSON_AddItemToObject(info, "cgroup", cgroup_info(mode));
        cJSON_AddItemToObject(info, "allocation", allocation_capture());
        cJSON_AddItemToObject(info, "namespaces", namespaces_info());

        _cleanup_free_ char *listed = overlay_listed();
        _cleanup_free_ char *mounts = overlay_mount_test();
        add_string_or_null(info, "overlayfs", listed);
        add_string_or_null(info, "overlayfs_mount", mounts);

        cJSON_AddItemToObject(info, "kvm", kvm_info());
        cJSON *lv = cJSON_AddObjectToObject(info, "libvirt");
        _cleanup_free_ char *lib = libvirt_version();
        add_string_or_null(lv, "library", lib);

        cJSON *q = cJSON_AddObjectToObject(info, "qemu");
        _cleanup_free_ char *qemu = find_program("qemu-system-x86_64");
        _cleanup_free_ char *qv = qemu ? program_version(qemu, 5000) : NULL;
        add_string_or_null(q, "binary", qemu);
        add_string_or_null(q, "version", qv);

        cJSON *tools = cJSON_AddObjectToObject(info, "tools");
        static const char *const names[] = {"gnuplot", "crun", "runc", "bwrap", "hyperfine"};
        for (size_t i = 0; i < ELEMENTSOF(names); i++) {
                _cleanup_free_ char *p = find_program(names[i]);
                add_string_or_null(tools, names[i], p);
        }
        cJSON_AddItemToObject(info, "kinds", kinds_info());
        return info;
}

/* ---- the text report ---- */

/* A JSON value as one line of text; "-" for null or missing. */
static void put_value(FILE *f, const cJSON *v) {
        if (!v || cJSON_IsNull(v))
                fputs("-", f);
        else if (cJSON_IsString(v))
                fputs(v->valuestring[0] ? v->valuestring : "(none)", f);
        else if (cJSON_IsBool(v))
                fputs(cJSON_IsTrue(v) ? "yes" : "no", f);
        else if (cJSON_IsNumber(v))
                fprintf(f, "%.15g", v->valuedouble);
        else if (cJSON_IsArray(v)) {
                const cJSON *e;
                bool first = true;
                cJSON_ArrayForEach(e, v) {
                        if (!first)
                                fputc(' ', f);
                        put_value(f, e);
                        first = false;
                }
                if (first)
                        fputs("(none)", f);
        } else {
                char *s = cJSON_PrintUnformatted(v);
                fputs(s ? s : "?", f);
                free(s);
        }
}

static void row(FILE *f, const char *label, const cJSON *v) {
        fprintf(f, "  %-20s ", label);
        put_value(f, v);
        fputc('\n', f);
}

static const cJSON *get(const cJSON *o, const char *key) {
        return cJSON_GetObjectItemCaseSensitive(o, key);
}

/* Those affected (mitigated or vulnerable) one per row; the rest counted on one. */
static void mitigations_rows(FILE *f, const cJSON *m) {
        const cJSON *e;
        int unaffected = 0;
        if (!cJSON_IsObject(m)) {
                row(f, "(none)", m);
                return;
        }
        cJSON_ArrayForEach(e, m) {
                if (cJSON_IsString(e) && !strcmp(e->valuestring, "Not affected"))
                        unaffected++;
                else
                        row(f, e->string, e);
        }
        fprintf(f, "  %-20s %d\n", "not affected", unaffected);
}

char *host_info_text(const cJSON *info) {
        char *buf = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&buf, &len);
        if (!f)
                return NULL;
        const cJSON *virt = get(info, "virtualization"), *cg = get(info, "cgroup"), *kvm = get(info, "kvm");
        const cJSON *libs = get(info, "libraries"), *e;

        fputs("Host\n", f);
        row(f, "hostname", get(info, "hostname"));
        row(f, "kernel", get(info, "kernel"));
        row(f, "kernel version", get(info, "kernel_version"));
        row(f, "arch", get(info, "arch"));
        row(f, "memory (KiB)", get(info, "memory_kib"));
        row(f, "bench", get(info, "bench_version"));
        row(f, "git commit", get(info, "git_commit"));

        fputs("\nCPU/topology\n", f);
        row(f, "model", get(info, "cpu_model"));
        row(f, "topology", get(info, "topology"));
        row(f, "cores", get(info, "cores"));
        row(f, "PUs", get(info, "pus"));
        row(f, "SMT", get(info, "smt"));
        row(f, "NUMA nodes", get(info, "numa_nodes"));
        row(f, "governor", get(info, "cpu_governor"));
        row(f, "boost", get(info, "boost"));
        row(f, "SMT control", get(info, "smt_control"));
        row(f, "SMT active", get(info, "smt_active"));
        row(f, "isolated CPUs", get(info, "isolated_cpus"));
        row(f, "nohz_full", get(info, "nohz_full"));
        cJSON_ArrayForEach(e, get(info, "boot_params")) if (!cJSON_IsNull(e)) {
                char label[64];
                snprintf(label, sizeof(label), "boot %s=", e->string);
                row(f, label, e);
        }
        row(f, "clocksource", get(info, "clocksource"));

        fputs("\nmitigations\n", f);
        mitigations_rows(f, get(info, "mitigations"));

        fputs("\nswap\n", f);
        const cJSON *swap = get(info, "swap");
        row(f, "total (KiB)", get(swap, "total_kib"));
        row(f, "free (KiB)", get(swap, "free_kib"));
        row(f, "swappiness", get(swap, "swappiness"));

        fputs("\nmemory merging\n", f);
        const cJSON *ksm = get(info, "ksm"), *thp = get(info, "thp");
        row(f, "KSM run", cJSON_IsObject(ksm) ? get(ksm, "run") : ksm);
        if (cJSON_IsObject(ksm)) {
                row(f, "KSM pages_to_scan", get(ksm, "pages_to_scan"));
                row(f, "KSM sleep (ms)", get(ksm, "sleep_millisecs"));
                row(f, "KSM pages_sharing", get(ksm, "pages_sharing"));
        }
        row(f, "THP enabled", get(thp, "enabled"));
        row(f, "THP defrag", get(thp, "defrag"));

        fputs("\ncgroups\n", f);
        row(f, "mode", cg ? get(cg, "mode") : get(info, "cgroup_mode"));
        row(f, "v1 controllers", get(cg, "controllers_v1"));
        row(f, "v2 mount", get(cg, "v2_mount"));
        row(f, "v2 controllers", get(cg, "controllers_v2"));

        const cJSON *alloc = get(info, "allocation");
        fputs("\nallocation (what bench was given)\n", f);
        row(f, "cpus", get(alloc, "cpus"));
        row(f, "memory limit (bytes)", get(alloc, "memory_limit_bytes"));
        row(f, "delegated cgroup", get(alloc, "delegated"));
        char key[64];
        /* bench's own cgroups below the roots: where its containers' go */
        cJSON_ArrayForEach(e, get(alloc, "cgroups")) if (strcmp(e->valuestring, "/")) {
                snprintf(key, sizeof(key), "cgroup %s", e->string);
                row(f, key, e);
        }
        cJSON_ArrayForEach(e, get(alloc, "slurm")) {
                snprintf(key, sizeof(key), "slurm %s", e->string);
                row(f, key, e);
        }

        fputs("\nnamespaces\n", f);
        cJSON_ArrayForEach(e, get(info, "namespaces")) row(f, e->string, e);

        fputs("\nfilesystems\n", f);
        row(f, "overlayfs", get(info, "overlayfs"));
        row(f, "overlay test mount", get(info, "overlayfs_mount"));

        fputs("\nvirtualization\n", f);
        row(f, "/dev/kvm", kvm ? get(kvm, "device") : get(virt, "kvm_device"));
        row(f, "vmx/svm", kvm ? get(kvm, "hw_virt") : get(virt, "hw_virt"));
        row(f, "hypervisor flag", get(virt, "hypervisor"));
        row(f, "KVM usable", get(kvm, "usable"));
        if (kvm && cJSON_IsString(get(kvm, "reason")))
                row(f, "why not", get(kvm, "reason"));
        row(f, "qemu", get(get(info, "qemu"), "binary"));
        row(f, "qemu version", get(get(info, "qemu"), "version"));

        fputs("\nlibraries & tools\n", f);
        cJSON_ArrayForEach(e, libs) row(f, e->string, e);
        cJSON_ArrayForEach(e, get(info, "tools")) row(f, e->string, e);

        fputs("\nconfiguration kinds\n", f);
        cJSON_ArrayForEach(e, get(info, "kinds")) {
                const cJSON *name = get(e, "kind"), *reason = get(e, "reason");
                fprintf(f, "  %-20s %s", cJSON_IsString(name) ? name->valuestring : "?",
                        cJSON_IsTrue(get(e, "runnable")) ? "runnable" : "not runnable");
                if (cJSON_IsString(reason))
                        fprintf(f, ": %s", reason->valuestring);
                fputc('\n', f);
        }
        if (fclose(f) != 0) {
                free(buf);
                return NULL;
        }
        return buf;
}
