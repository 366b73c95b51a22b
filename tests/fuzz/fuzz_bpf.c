/* SPDX-License-Identifier: MIT */
/*
 * The seccomp program shortener (runtimes/container/bpf.c): the input is a
 * classic BPF program. Whenever the shortener accepts it, the result must
 * decide exactly as the input on every (arch, nr) boundary the input's
 * constants make and on extremes, with varied arguments (checked here
 * independently of ctr_bpf_agree), and be no longer than the input plus
 * the jumps it may add.
 */
#include "../../runtimes/container/bpf.h"
#include "fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv) {
        return 0;
}

static uint32_t point(const struct sock_filter *p, size_t n, size_t i) {
        /* the constants, their neighbours, and the extremes */
        static const uint32_t extremes[] = {0, 1, 0x40000000, 0x40000003, 0xc000003e, 0x7fffffff, 0xffffffff};
        if (i < sizeof(extremes) / sizeof(extremes[0]))
                return extremes[i];
        i -= sizeof(extremes) / sizeof(extremes[0]);
        return p[(i / 3) % n].k + (uint32_t)(i % 3) - 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        size_t n = size / sizeof(struct sock_filter);
        /* short programs: every pair of boundary points is checked, n^2 of them */
        if (n == 0 || n > 32)
                return 0;
        struct sock_filter prog[32];
        memcpy(prog, data, n * sizeof(*prog));
        struct sock_filter *s = NULL;
        size_t s_len = 0;
        int r = ctr_bpf_shorten(prog, n, &s, &s_len);
        if (r == -EOPNOTSUPP || r == -ENOMEM)
                return 0;
        if (r != 0)
                fuzz_die("ctr_bpf_shorten: %d", r);
        if (s_len == 0 || s_len > BPF_MAXINSNS)
                fuzz_die("shortened to %zu instructions", s_len);
        size_t pts = 7 + 3 * n;
        for (size_t a = 0; a < pts; a++)
                for (size_t b = 0; b < pts; b++)
                        for (int v = 0; v < 3; v++) {
                                struct seccomp_data d = {.nr = (int)point(prog, n, b),
                                                         .arch = point(prog, n, a)};
                                for (int k = 0; k < 6; k++)
                                        d.args[k] = v == 0   ? 0
                                                    : v == 1 ? UINT64_MAX
                                                             : point(prog, n, a + b + (size_t)k);
                                d.instruction_pointer = v == 2 ? point(prog, n, a * b) : 0;
                                uint32_t x = ctr_bpf_run(prog, n, &d), y = ctr_bpf_run(s, s_len, &d);
                                if (x != y)
                                        fuzz_die("arch %#x nr %#x args[0] %#llx: %#x before, %#x after",
                                                 d.arch, (unsigned)d.nr, (unsigned long long)d.args[0], x, y);
                        }
        if (!ctr_bpf_agree(prog, n, s, s_len))
                fuzz_die("ctr_bpf_agree refuses what the check above accepted");
        free(s);
        return 0;
}
