/* SPDX-License-Identifier: MIT */
/*
 * runtimes/container/seccomp.c: the JSON profile reader (fields, Docker's
 * forms, messages that name file and field), the OCI rendering of the
 * default profile against capability sets, the compiled filter's effect
 * on a real process, and common/sha256.c against FIPS 180-4's vectors.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <linux/capability.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../../common/cleanup.h"
#include "../../common/json.h"
#include "../../common/sha256.h"
#include "../../runtimes/container/seccomp.h"

#define CAPBIT(c) (1ull << (c))
/* Docker's default capability set (moby oci/caps/defaults.go), as bits */
static const uint64_t docker_caps = CAPBIT(CAP_CHOWN) | CAPBIT(CAP_DAC_OVERRIDE) | CAPBIT(CAP_FSETID) |
                                    CAPBIT(CAP_FOWNER) | CAPBIT(CAP_MKNOD) | CAPBIT(CAP_NET_RAW) |
                                    CAPBIT(CAP_SETGID) | CAPBIT(CAP_SETUID) | CAPBIT(CAP_SETFCAP) |
                                    CAPBIT(CAP_SETPCAP) | CAPBIT(CAP_NET_BIND_SERVICE) |
                                    CAPBIT(CAP_SYS_CHROOT) | CAPBIT(CAP_KILL) | CAPBIT(CAP_AUDIT_WRITE);

static void test_parse_docker_profile(void **state) {
        const char *json =
                "{ \"defaultAction\": \"SCMP_ACT_ERRNO\", \"defaultErrnoRet\": 38,\n"
                "  \"archMap\": [ { \"architecture\": \"SCMP_ARCH_AARCH64\", \"subArchitectures\": "
                "[\"SCMP_ARCH_ARM\"] },\n"
                "               { \"architecture\": \"SCMP_ARCH_X86_64\", \"subArchitectures\": "
                "[\"SCMP_ARCH_X86\", \"SCMP_ARCH_X32\"] } ],\n"
                "  \"flags\": [\"SECCOMP_FILTER_FLAG_SPEC_ALLOW\"],\n"
                "  \"syscalls\": [\n"
                "    { \"names\": [\"read\", \"write\"], \"action\": \"SCMP_ACT_ALLOW\", \"comment\": \"io\" "
                "},\n"
                "    { \"name\": \"mkdir\", \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 13 },\n"
                "    { \"names\": [\"clone\"], \"action\": \"SCMP_ACT_ALLOW\",\n"
                "      \"args\": [ { \"index\": 0, \"value\": 2114060288, \"valueTwo\": 0, \"op\": "
                "\"SCMP_CMP_MASKED_EQ\" } ],\n"
                "      \"excludes\": { \"caps\": [\"CAP_SYS_ADMIN\"], \"arches\": [\"s390x\"] } },\n"
                "    { \"names\": [\"ptrace\"], \"action\": \"SCMP_ACT_KILL\",\n"
                "      \"includes\": { \"caps\": [\"CAP_SYS_PTRACE\", \"CAP_FROM_THE_FUTURE\"], "
                "\"minKernel\": "
                "\"4.8\" } },\n"
                "    { \"names\": [\"no_such_syscall\"], \"action\": \"SCMP_ACT_LOG\", \"args\": null }\n"
                "  ] }\n";
        ctr_sc_profile *p = NULL;
        bench_error *err = NULL;
        assert_int_equal(ctr_seccomp_parse("p.json", json, &p, &err), 0);
        assert_null(err);
        assert_string_equal(p->name, "p.json");
        assert_int_equal(p->default_action, CTR_SC_ERRNO);
        assert_int_equal(p->default_ret, 38);
        assert_int_equal(p->flags, SECCOMP_FILTER_FLAG_SPEC_ALLOW);
#if defined(__x86_64__) && !defined(__ILP32__)
        /* the archMap entry of this machine: its arch and sub-arches */
        assert_int_equal(p->n_arches, 3);
        assert_string_equal(p->arches[0], "SCMP_ARCH_X86_64");
        assert_string_equal(p->arches[2], "SCMP_ARCH_X32");
#endif
        assert_int_equal(p->n_rules, 5);
        assert_int_equal(p->rules[0].n_names, 2);
        assert_string_equal(p->rules[0].names[1], "write");
        /* Docker's single-name form, and errnoRet */
        assert_int_equal(p->rules[1].n_names, 1);
        assert_string_equal(p->rules[1].names[0], "mkdir");
        assert_int_equal(p->rules[1].ret, 13);
        const ctr_sc_rule *c = &p->rules[2];
        assert_int_equal(c->n_args, 1);
        assert_int_equal(c->args[0].op, CTR_SC_MASKED_EQ);
        assert_int_equal(c->args[0].value, 2114060288);
        assert_int_equal(c->excludes.caps, CAPBIT(CAP_SYS_ADMIN));
        assert_int_equal(c->excludes.n_arches, 1);
        /* an unknown capability in includes: the rule can never hold */
        assert_int_equal(p->rules[3].action, CTR_SC_KILL_THREAD);
        assert_true(p->rules[3].includes.unknown_cap);
        assert_int_equal(p->rules[3].includes.min_kernel[0], 4);
        assert_int_equal(p->rules[3].includes.min_kernel[1], 8);
        /* an ERRNO rule without errnoRet gets EPERM, as in Docker */
        ctr_sc_profile *q = NULL;
        assert_int_equal(
                ctr_seccomp_parse("q.json",
                                  "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"x\"],"
                                  "\"action\":\"SCMP_ACT_ERRNO\"}]}",
                                  &q, &err),
                0);
        assert_int_equal(q->rules[0].ret, EPERM);
        ctr_seccomp_free(q);

        /* rendered for a container without CAP_SYS_ADMIN, on this machine */
        _cleanup_json_ cJSON *oci = NULL;
        assert_int_equal(ctr_seccomp_to_oci(p, docker_caps, &oci, &err), 0);
        const cJSON *sc = cJSON_GetObjectItem(oci, "syscalls");
        /* ptrace's rule needs a capability nobody has: gone */
        assert_int_equal(cJSON_GetArraySize(sc), 4);
        assert_string_equal(cJSON_GetObjectItem(oci, "defaultAction")->valuestring, "SCMP_ACT_ERRNO");
        assert_int_equal(cJSON_GetObjectItem(oci, "defaultErrnoRet")->valueint, 38);
        ctr_seccomp_free(p);
}

/* Each bad profile: the message names the file and the JSON field. */
static void test_parse_errors(void **state) {
        static const struct {
                const char *json, *want;
        } cases[] = {
                {"{ \"defaultAction\": \"SCMP_ACT_ERRNO\",\n  \"syscalls\": [ }",
                 "seccomp profile bad.json:2: not valid JSON"},
                {"[1, 2]", "bad.json: (top level): expected an object"},
                {"{\"syscalls\": []}", "bad.json: defaultAction: expected a string"},
                {"{\"defaultAction\": \"SCMP_ACT_BOGUS\"}",
                 "bad.json: defaultAction: unknown action `SCMP_ACT_BOGUS`"},
                {"{\"defaultActon\": \"SCMP_ACT_ALLOW\"}",
                 "bad.json: defaultActon: unknown field (did you mean `defaultAction`?)"},
                {"{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"defaultErrnoRet\": -1}",
                 "bad.json: defaultErrnoRet: expected an integer from 0 to 4095"},
                {"{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"architectures\": [\"SCMP_ARCH_Z80\"]}",
                 "bad.json: architectures[0]: unknown architecture `SCMP_ARCH_Z80`"},
                {"{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"flags\": [\"SECCOMP_FILTER_FLAG_TSYNC\"]}",
                 "bad.json: flags[0]: `SECCOMP_FILTER_FLAG_TSYNC` is not supported"},
                {"{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": {}}",
                 "bad.json: syscalls: expected an array"},
                {"{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"action\": \"SCMP_ACT_ERRNO\"}]}",
                 "bad.json: syscalls[0].names: no syscall named"},
                {"{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"a\"], \"action\": "
                 "\"SCMP_ACT_ERRNO\"}, {\"names\": [\"b\", 3], \"action\": \"SCMP_ACT_ERRNO\"}]}",
                 "bad.json: syscalls[1].names[1]: expected a non-empty string"},
                {"{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"a\"], \"action\": "
                 "\"SCMP_ACT_NOTIFY\"}]}",
                 "bad.json: syscalls[0].action: SCMP_ACT_NOTIFY needs a listener"},
                {"{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"a\"], \"action\": "
                 "\"SCMP_ACT_ALLOW\", \"errnoRet\": 1}]}",
                 "bad.json: syscalls[0].errnoRet: only SCMP_ACT_ERRNO and SCMP_ACT_TRACE take a return "
                 "value"},
                {"{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"a\"], \"action\": "
                 "\"SCMP_ACT_ERRNO\", \"arg\": []}]}",
                 "bad.json: syscalls[0].arg: unknown field (did you mean `args`?)"},
                {"{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"a\"], \"action\": "
                 "\"SCMP_ACT_ERRNO\", \"args\": [{\"index\": 6, \"value\": 1, \"op\": \"SCMP_CMP_EQ\"}]}]}",
                 "bad.json: syscalls[0].args[0].index: expected an integer from 0 to 5"},
                {"{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"a\"], \"action\": "
                 "\"SCMP_ACT_ERRNO\", \"args\": [{\"index\": 0, \"value\": 1, \"op\": \"EQ\"}]}]}",
                 "bad.json: syscalls[0].args[0].op: expected one of SCMP_CMP_NE"},
                {"{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"a\"], \"action\": "
                 "\"SCMP_ACT_ERRNO\", \"args\": [{\"index\": 0, \"value\": 1e300, \"op\": "
                 "\"SCMP_CMP_EQ\"}]}]}",
                 "bad.json: syscalls[0].args[0].value: "},
                {"{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"a\"], \"action\": "
                 "\"SCMP_ACT_ERRNO\", \"includes\": {\"minKernel\": \"four\"}}]}",
                 "bad.json: syscalls[0].includes.minKernel: expected a version string"},
                {"{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"a\"], \"action\": "
                 "\"SCMP_ACT_ERRNO\", \"excludes\": {\"caps\": \"CAP_SYS_ADMIN\"}}]}",
                 "bad.json: syscalls[0].excludes.caps: expected an array of capability names"},
        };
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                ctr_sc_profile *p = NULL;
                bench_error *err = NULL;
                int r = ctr_seccomp_parse("bad.json", cases[i].json, &p, &err);
                if (r != -EINVAL || !err || !strstr(err->msg, cases[i].want))
                        fail_msg("case %zu: r=%d message `%s`, expected one with `%s`", i, r,
                                 err ? err->msg : "(none)", cases[i].want);
                assert_null(p);
                bench_error_free(err);
        }
}

static const cJSON *rule_for(const cJSON *oci, const char *name) {
        const cJSON *r;
        cJSON_ArrayForEach(r, cJSON_GetObjectItem(oci, "syscalls")) {
                const cJSON *n;
                cJSON_ArrayForEach(
                        n, cJSON_GetObjectItem(r, "names")) if (!strcmp(n->valuestring, name)) return r;
        }
        return NULL;
}

/* Docker's policy against capability sets, and the OCI form reads back as the same profile. */
static void test_default_profile(void **state) {
        const ctr_sc_profile *d = ctr_seccomp_default();
        bench_error *err = NULL;
        _cleanup_json_ cJSON *plain = NULL, *admin = NULL, *again = NULL;
        assert_int_equal(ctr_seccomp_to_oci(d, docker_caps, &plain, &err), 0);
        assert_string_equal(cJSON_GetObjectItem(plain, "defaultAction")->valuestring, "SCMP_ACT_ERRNO");
        assert_int_equal(cJSON_GetObjectItem(plain, "defaultErrnoRet")->valueint, EPERM);
        static const char *const denied[] = {"keyctl",
                                             "add_key",
                                             "request_key",
                                             "unshare",
                                             "setns",
                                             "mount",
                                             "perf_event_open",
                                             "bpf",
                                             "userfaultfd",
                                             "kexec_load",
                                             "reboot",
                                             "init_module",
                                             "open_by_handle_at",
                                             "syslog",
                                             "settimeofday"};
        for (size_t i = 0; i < sizeof(denied) / sizeof(denied[0]); i++)
                if (rule_for(plain, denied[i]))
                        fail_msg("the default profile allows %s with Docker's capabilities", denied[i]);
        assert_non_null(rule_for(plain, "read"));
        assert_non_null(rule_for(plain, "chroot")); /* CAP_SYS_CHROOT is in Docker's set */
        /* clone only without namespace flags; clone3 says ENOSYS so that libc falls back */
        const cJSON *clone = rule_for(plain, "clone");
        assert_non_null(clone);
        assert_string_equal(
                cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(clone, "args"), 0), "op")
                        ->valuestring,
                "SCMP_CMP_MASKED_EQ");
        const cJSON *clone3 = rule_for(plain, "clone3");
        assert_string_equal(cJSON_GetObjectItem(clone3, "action")->valuestring, "SCMP_ACT_ERRNO");
        assert_int_equal(cJSON_GetObjectItem(clone3, "errnoRet")->valueint, ENOSYS);
        const cJSON *sock = rule_for(plain, "socket");
        assert_int_equal(
                cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(sock, "args"), 0), "value")
                        ->valueint,
                40 /* AF_VSOCK */);

        /* with CAP_SYS_ADMIN: mount, unshare, clone and clone3 unconditionally */
        assert_int_equal(ctr_seccomp_to_oci(d, docker_caps | CAPBIT(CAP_SYS_ADMIN), &admin, &err), 0);
        assert_non_null(rule_for(admin, "mount"));
        assert_non_null(rule_for(admin, "unshare"));
        assert_null(cJSON_GetObjectItem(rule_for(admin, "clone"), "args"));
        assert_string_equal(cJSON_GetObjectItem(rule_for(admin, "clone3"), "action")->valuestring,
                            "SCMP_ACT_ALLOW");
        assert_null(rule_for(admin, "keyctl")); /* no capability unlocks the keyrings */

        /* the OCI rendering parses back into the same policy */
        _cleanup_free_ char *text = cJSON_PrintUnformatted(plain);
        ctr_sc_profile *p = NULL;
        assert_int_equal(ctr_seccomp_parse("rendered", text, &p, &err), 0);
        assert_int_equal(ctr_seccomp_to_oci(p, docker_caps, &again, &err), 0);
        assert_true(cJSON_Compare(plain, again, 1));
        ctr_seccomp_free(p);
}

/* The compiled filter in a real process: what it refuses, what it lets through. */
static int in_filtered_child(const struct sock_fprog *prog, int (*body)(void)) {
        pid_t pid = fork();
        if (pid == 0) {
                if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
                    syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, prog) < 0)
                        _exit(100);
                _exit(body());
        }
        int st = 0;
        waitpid(pid, &st, 0);
        return WIFEXITED(st) ? WEXITSTATUS(st) : 200 + WTERMSIG(st);
}

static int default_body(void) {
        if (syscall(SYS_keyctl, 0 /* KEYCTL_GET_KEYRING_ID */, -4, 0) >= 0 || errno != EPERM)
                return 1;
        if (unshare(CLONE_NEWUSER) == 0 || errno != EPERM)
                return 2;
        if (syscall(SYS_userfaultfd, 0) >= 0 || errno != EPERM)
                return 3;
        if (syscall(SYS_clone3, NULL, 0) >= 0 || errno != ENOSYS)
                return 4;
        if (getpid() <= 0)
                return 5;
        /* fork is clone without namespace flags: allowed */
        pid_t c = fork();
        if (c < 0)
                return 6;
        if (c == 0)
                _exit(0);
        waitpid(c, NULL, 0);
        return 0;
}

static char mkdir_path[256];
static int mkdir_body(void) {
        if (mkdir(mkdir_path, 0755) == 0 || errno != EACCES)
                return 1;
        return syscall(SYS_keyctl, 0, -4, 0) >= 0 || errno != EPERM ? 0 : 2; /* keyctl is allowed here */
}

static void test_compiled_filter(void **state) {
        const struct sock_fprog *prog = NULL, *again = NULL;
        unsigned flags = 1;
        bench_error *err = NULL;
        assert_int_equal(ctr_seccomp_program("default", docker_caps, &prog, &flags, &err), 0);
        assert_non_null(prog);
        assert_true(prog->len > 10);
        /*
         * shortened (runtimes/container/bpf.c): libseccomp's program for x86_64,
         * x86 and x32 is ~1230 instructions, the range trees ~320
         */
        print_message("the default profile: %u instructions\n", prog->len);
#if defined(__x86_64__)
        assert_true(prog->len < 600);
#endif
        assert_int_equal(flags, 0);
        /* compiled once per profile and capability set */
        assert_int_equal(ctr_seccomp_program(NULL, docker_caps, &again, &flags, &err), 0);
        assert_ptr_equal(prog, again);
        assert_int_equal(ctr_seccomp_program("none", docker_caps, &again, &flags, &err), 0);
        assert_null(again);
        assert_int_equal(in_filtered_child(prog, default_body), 0);

        char dir[] = "/tmp/test_seccomp.XXXXXX";
        assert_non_null(mkdtemp(dir));
        char path[300];
        snprintf(path, sizeof(path), "%s/nomkdir.json", dir);
        static const char profile[] =
                "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": "
                "[\"mkdir\", \"mkdirat\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 13}]}";
        FILE *f = fopen(path, "w");
        assert_non_null(f);
        fputs(profile, f);
        fclose(f);
        assert_int_equal(ctr_seccomp_program(path, 0, &prog, &flags, &err), 0);
        snprintf(mkdir_path, sizeof(mkdir_path), "%s/sub", dir);
        assert_int_equal(in_filtered_child(prog, mkdir_body), 0);
        /* the identity a result records is the file's sha256 */
        char hex[65], want[80];
        bench_sha256_hex(profile, strlen(profile), hex);
        snprintf(want, sizeof(want), "sha256:%s", hex);
        assert_string_equal(ctr_seccomp_identity(path), want);
        assert_string_equal(ctr_seccomp_identity(NULL), "default");
        assert_string_equal(ctr_seccomp_identity("none"), "none");
        unlink(path);
        rmdir(mkdir_path);
        rmdir(dir);
}

#if defined(__x86_64__) && !defined(__ILP32__)
/* getpid through the x32 ABI: 0 it answered, 1 ENOSYS (no x32 here), 2 anything else */
static int x32_getpid_body(void) {
        long r = syscall(0x40000000L /* __X32_SYSCALL_BIT */ | SYS_getpid);
        return r == getpid() ? 0 : r < 0 && errno == ENOSYS ? 1 : 2;
}
#endif

/*
 * On a kernel built without the x32 ABI (by its config), the program has no
 * x32 branch: an x32 syscall meets the bad-arch action and the thread dies
 * of SIGSYS. Elsewhere it has one: x32 getpid fares as without a filter.
 */
static void test_x32(void **state) {
#if defined(__x86_64__) && !defined(__ILP32__)
        int abi = ctr_seccomp_x32_abi();
        if (abi < 0) {
                print_message("no kernel config in /boot or /proc/config.gz: x32 is kept\n");
                skip();
        }
        pid_t pid = fork();
        if (pid == 0)
                _exit(x32_getpid_body());
        int st = 0;
        waitpid(pid, &st, 0);
        assert_true(WIFEXITED(st));
        int bare = WEXITSTATUS(st);
        /* the config and the kernel agree: without x32 compiled in, it says ENOSYS */
        if (abi == 0)
                assert_int_equal(bare, 1);
        const struct sock_fprog *prog = NULL;
        unsigned flags;
        bench_error *err = NULL;
        assert_int_equal(ctr_seccomp_program("default", docker_caps, &prog, &flags, &err), 0);
        assert_int_equal(in_filtered_child(prog, x32_getpid_body), abi == 0 ? 200 + SIGSYS : bare);
        /* native syscalls are as before */
        assert_int_equal(in_filtered_child(prog, default_body), 0);
#else
        skip();
#endif
}

/* The compiled program is cached on disk; a damaged cache file is noticed and replaced. */
static void test_program_cache(void **state) {
        char dir[] = "/tmp/test_seccomp_cache.XXXXXX";
        assert_non_null(mkdtemp(dir));
        setenv("BENCH_CACHE_DIR", dir, 1);
        const uint64_t caps = docker_caps | CAPBIT(CAP_SYS_NICE); /* a set no other test compiled */
        const struct sock_fprog *prog = NULL;
        unsigned flags;
        bench_error *err = NULL;
        /* the first compile in a child (its in-memory copy dies with it): it writes the cache */
        pid_t pid = fork();
        if (pid == 0)
                _exit(ctr_seccomp_program("default", caps, &prog, &flags, NULL) == 0 ? 0 : 1);
        int st = 0;
        waitpid(pid, &st, 0);
        assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
        char cmd[1024], file[512] = "";
        snprintf(cmd, sizeof(cmd), "ls %s/seccomp-*.bpf", dir);
        FILE *ls = popen(cmd, "r");
        assert_non_null(ls);
        assert_non_null(fgets(file, sizeof(file), ls));
        pclose(ls);
        file[strcspn(file, "\n")] = '\0';
        struct stat sb;
        assert_int_equal(stat(file, &sb), 0);
        /* damage one instruction: the parent must not load it, and must rewrite the file */
        FILE *f = fopen(file, "r+");
        assert_non_null(f);
        fseek(f, 40, SEEK_SET);
        fputc(0x55, f);
        fclose(f);
        assert_int_equal(ctr_seccomp_program("default", caps, &prog, &flags, &err), 0);
        assert_int_equal(in_filtered_child(prog, default_body), 0);
        snprintf(cmd, sizeof(cmd),
                 "python3 -c \"import hashlib,sys; d=open('%s','rb').read(); "
                 "sys.exit(hashlib.sha256(d[32:]).digest() != d[:32])\"",
                 file);
        assert_int_equal(system(cmd), 0);
        unlink(file);
        rmdir(dir);
        unsetenv("BENCH_CACHE_DIR");
}

static void test_sha256(void **state) {
        char hex[65];
        bench_sha256_hex("", 0, hex);
        assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        bench_sha256_hex("abc", 3, hex);
        assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        const char *two = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
        bench_sha256_hex(two, strlen(two), hex);
        assert_string_equal(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
        /* a million 'a's, fed in odd pieces across block edges */
        bench_sha256 s;
        uint8_t d[32];
        char a[997];
        memset(a, 'a', sizeof(a));
        bench_sha256_init(&s);
        size_t left = 1000000;
        while (left) {
                size_t n = left < sizeof(a) ? left : sizeof(a);
                bench_sha256_update(&s, a, n);
                left -= n;
        }
        bench_sha256_final(&s, d);
        for (int i = 0; i < 32; i++)
                snprintf(hex + 2 * i, 3, "%02x", d[i]);
        assert_string_equal(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_parse_docker_profile),
                cmocka_unit_test(test_parse_errors),
                cmocka_unit_test(test_default_profile),
                cmocka_unit_test(test_compiled_filter),
                cmocka_unit_test(test_program_cache),
                cmocka_unit_test(test_x32),
                cmocka_unit_test(test_sha256),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
