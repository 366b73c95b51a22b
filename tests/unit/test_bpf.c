/* SPDX-License-Identifier: MIT */
/*
 * runtimes/container/bpf.c: the interpreter on hand-written programs, and
 * the shortener on programs libseccomp makes (Docker-like allowlists with
 * argument rules on three architectures, long enough to need far jumps),
 * checked case by case against the original over every syscall number in
 * the tables and beyond, with random arguments; the checker must catch a
 * program changed in one place, and shapes it does not know are refused.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <linux/audit.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../../common/cleanup.h"
#include "../../runtimes/container/bpf.h"

#define ALLOW SECCOMP_RET_ALLOW
#define EPERM_RET (SECCOMP_RET_ERRNO | EPERM)

static uint32_t run_nr(const struct sock_filter *p, size_t n, uint32_t arch, uint32_t nr) {
        struct seccomp_data d = {.nr = (int)nr, .arch = arch};
        return ctr_bpf_run(p, n, &d);
}

static void test_interpreter(void **state) {
        const struct sock_filter prog[] = {
                BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
                BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
                BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
                BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
                BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, 100, 1, 0),
                BPF_STMT(BPF_RET | BPF_K, EPERM_RET),
                /* nr & 3, through X and scratch memory, then a jset on the low argument */
                BPF_STMT(BPF_ALU | BPF_AND | BPF_K, 3),
                BPF_STMT(BPF_MISC | BPF_TAX, 0),
                BPF_STMT(BPF_STX, 5),
                BPF_STMT(BPF_LD | BPF_MEM, 5),
                BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 2, 1, 0),
                BPF_STMT(BPF_RET | BPF_A, 0),
                BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[0])),
                BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, 0x10, 0, 1),
                BPF_STMT(BPF_RET | BPF_K, ALLOW),
                BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRAP),
        };
        size_t n = sizeof(prog) / sizeof(prog[0]);
        assert_int_equal(run_nr(prog, n, AUDIT_ARCH_I386, 1), SECCOMP_RET_KILL_PROCESS);
        assert_int_equal(run_nr(prog, n, AUDIT_ARCH_X86_64, 99), EPERM_RET);
        assert_int_equal(run_nr(prog, n, AUDIT_ARCH_X86_64, 101), 1); /* ret A: 101 & 3 */
        assert_int_equal(run_nr(prog, n, AUDIT_ARCH_X86_64, 102), SECCOMP_RET_TRAP);
        struct seccomp_data d = {.nr = 102, .arch = AUDIT_ARCH_X86_64, .args = {0x30}};
        assert_int_equal(ctr_bpf_run(prog, n, &d), ALLOW);
        /* a load past seccomp_data, and falling off the end: what the kernel refuses, killed */
        const struct sock_filter bad[] = {BPF_STMT(BPF_LD | BPF_W | BPF_ABS, sizeof(struct seccomp_data))};
        assert_int_equal(run_nr(bad, 1, 0, 0), SECCOMP_RET_KILL_THREAD);
        const struct sock_filter off_end[] = {BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 0)};
        assert_int_equal(run_nr(off_end, 1, 0, 0), SECCOMP_RET_KILL_THREAD);
}

/*
 * A libseccomp program in the shape of Docker's policy: x86_64, x86 and
 * x32, every syscall number below 460 allowed unless (nr % stride) lands
 * in a hole, with argument rules on a few (clone's flags, personality's
 * value, socket's family) as moby's profile has.
 */
static struct sock_filter *libseccomp_program(unsigned stride, size_t *ret_len) {
        scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ERRNO(EPERM));
        assert_non_null(ctx);
        assert_int_equal(seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2), 0);
        assert_int_equal(seccomp_arch_add(ctx, SCMP_ARCH_X86), 0);
        assert_int_equal(seccomp_arch_add(ctx, SCMP_ARCH_X32), 0);
        int clone_nr = seccomp_syscall_resolve_name("clone");
        int pers_nr = seccomp_syscall_resolve_name("personality");
        int sock_nr = seccomp_syscall_resolve_name("socket");
        for (int nr = 0; nr < 460; nr++) {
                if (nr == clone_nr || nr == pers_nr || nr == sock_nr || nr % (int)stride == 3 || nr % 17 == 5)
                        continue;
                char *name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_X86_64, nr);
                if (!name)
                        continue;
                free(name);
                assert_int_equal(seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0), 0);
        }
        assert_int_equal(seccomp_rule_add(ctx, SCMP_ACT_ALLOW, clone_nr, 1,
                                          SCMP_A0(SCMP_CMP_MASKED_EQ, 0x7E020000u, 0)),
                         0);
        assert_int_equal(seccomp_rule_add(ctx, SCMP_ACT_ALLOW, pers_nr, 1, SCMP_A0(SCMP_CMP_EQ, 0x8)), 0);
        assert_int_equal(seccomp_rule_add(ctx, SCMP_ACT_ALLOW, pers_nr, 1, SCMP_A0(SCMP_CMP_EQ, 0xffffffff)),
                         0);
        assert_int_equal(seccomp_rule_add(ctx, SCMP_ACT_ALLOW, sock_nr, 1, SCMP_A0(SCMP_CMP_NE, 40)), 0);
        int fd = memfd_create("test-bpf", MFD_CLOEXEC);
        assert_true(fd >= 0);
        assert_int_equal(seccomp_export_bpf(ctx, fd), 0);
        seccomp_release(ctx);
        off_t len = lseek(fd, 0, SEEK_END);
        assert_true(len > 0 && len % (off_t)sizeof(struct sock_filter) == 0);
        struct sock_filter *p = malloc((size_t)len);
        assert_non_null(p);
        assert_int_equal(pread(fd, p, (size_t)len, 0), len);
        close(fd);
        *ret_len = (size_t)len / sizeof(struct sock_filter);
        return p;
}

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static uint64_t next_random(void) {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        return rng;
}

/* Original and shortened agree on every nr here, on 4 architectures, with varied arguments. */
static size_t check_equivalent(const struct sock_filter *a, size_t a_len, const struct sock_filter *b,
                               size_t b_len) {
        static const uint32_t arches[] = {AUDIT_ARCH_X86_64, AUDIT_ARCH_I386, AUDIT_ARCH_AARCH64, 0};
        static const uint64_t special[] = {0, 8, 40, 41, 0xffffffff, 0x7E020000, 0x10000, UINT64_MAX};
        size_t cases = 0;
        for (size_t ai = 0; ai < sizeof(arches) / sizeof(arches[0]); ai++)
                for (uint32_t base = 0; base < 3; base++)
                        for (uint32_t i = 0; i < 1100; i++) {
                                uint32_t nr = base == 0   ? i
                                              : base == 1 ? 0x40000000u + i
                                                          : (uint32_t)next_random();
                                for (int v = 0; v < 6; v++) {
                                        struct seccomp_data d = {.nr = (int)nr, .arch = arches[ai]};
                                        for (int k = 0; k < 6; k++)
                                                d.args[k] = v < 2   ? special[(size_t)(v * 6 + k) % 8]
                                                            : v < 4 ? special[next_random() % 8]
                                                                    : next_random();
                                        uint32_t ra = ctr_bpf_run(a, a_len, &d),
                                                 rb = ctr_bpf_run(b, b_len, &d);
                                        if (ra != rb)
                                                fail_msg("arch %#x nr %#x arg0 %#llx: %#x before, %#x after",
                                                         arches[ai], nr, (unsigned long long)d.args[0], ra,
                                                         rb);
                                        cases++;
                                }
                        }
        return cases;
}

static void test_shorten_docker_shape(void **state) {
        for (unsigned stride = 5; stride <= 41; stride += 36) {
                size_t n;
                _cleanup_free_ struct sock_filter *orig = libseccomp_program(stride, &n);
                struct sock_filter *s = NULL;
                size_t s_len = 0;
                assert_int_equal(ctr_bpf_shorten(orig, n, &s, &s_len), 0);
                print_message("stride %u: %zu -> %zu instructions\n", stride, n, s_len);
                /* the point of it: shorter, and well under half where runs are long (as in Docker's) */
                assert_true(s_len < n);
                if (stride > 40)
                        assert_true(s_len * 2 < n);
                size_t cases = check_equivalent(orig, n, s, s_len);
                assert_true(cases > 70000);
                assert_true(ctr_bpf_agree(orig, n, s, s_len));
                /* the checker is not blind: one return changed anywhere is caught */
                size_t changed = 0;
                for (size_t i = 0; i < s_len; i += 7) {
                        if (s[i].code != (BPF_RET | BPF_K))
                                continue;
                        uint32_t k = s[i].k;
                        s[i].k = k == ALLOW ? EPERM_RET : ALLOW;
                        assert_false(ctr_bpf_agree(orig, n, s, s_len));
                        s[i].k = k;
                        changed++;
                }
                assert_true(changed > 0);
                free(s);
        }
}

/* Hand-made programs the shortener does not understand are left alone, not guessed at. */
static void test_shorten_refuses(void **state) {
        struct sock_filter *s = NULL;
        size_t s_len;
        const struct sock_filter jset_nr[] = {
                BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 0),
                BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, 1, 0, 1),
                BPF_STMT(BPF_RET | BPF_K, ALLOW),
                BPF_STMT(BPF_RET | BPF_K, EPERM_RET),
        };
        assert_int_equal(ctr_bpf_shorten(jset_nr, 4, &s, &s_len), -EOPNOTSUPP);
        const struct sock_filter alu_nr[] = {
                BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 0),        BPF_STMT(BPF_ALU | BPF_AND | BPF_K, 0xff),
                BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 1, 0, 1), BPF_STMT(BPF_RET | BPF_K, ALLOW),
                BPF_STMT(BPF_RET | BPF_K, EPERM_RET),
        };
        assert_int_equal(ctr_bpf_shorten(alu_nr, 5, &s, &s_len), -EOPNOTSUPP);
        const struct sock_filter off_end[] = {
                BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 0),
                BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 1, 0, 5),
                BPF_STMT(BPF_RET | BPF_K, ALLOW),
        };
        assert_int_equal(ctr_bpf_shorten(off_end, 3, &s, &s_len), -EOPNOTSUPP);
        /* a constant program stays one instruction */
        const struct sock_filter allow[] = {BPF_STMT(BPF_RET | BPF_K, ALLOW)};
        assert_int_equal(ctr_bpf_shorten(allow, 1, &s, &s_len), 0);
        assert_int_equal(s_len, 1);
        assert_int_equal(run_nr(s, s_len, AUDIT_ARCH_X86_64, 5), ALLOW);
        free(s);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_interpreter),
                cmocka_unit_test(test_shorten_docker_shape),
                cmocka_unit_test(test_shorten_refuses),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
