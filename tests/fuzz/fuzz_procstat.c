/* SPDX-License-Identifier: MIT */
/*
 * The /proc readers of the host activity record (harness/activity.c): a
 * process names itself (PR_SET_NAME, /proc/self/comm, its executable), so
 * the comm inside /proc/PID/stat is anyone's bytes; the same input also goes
 * through the /proc/stat, /proc/loadavg, cgroup and cmdline parsers. The
 * name that comes out is inert: printable ASCII without " & ' < > \ `.
 */
#include "../../harness/activity.h"
#include "fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv) {
        (void)argc;
        (void)argv;
        return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        char *text = malloc(size + 1);
        if (!text)
                return 0;
        memcpy(text, data, size);
        text[size] = 0;
        act_proc p;
        if (act_parse_pid_stat(text, &p) == 0) {
                if (p.pid <= 0)
                        fuzz_die("pid %d accepted", p.pid);
                if (strnlen(p.comm, sizeof(p.comm)) >= sizeof(p.comm))
                        fuzz_die("comm not terminated");
                for (const char *c = p.comm; *c; c++)
                        if ((unsigned char)*c < 0x20 || (unsigned char)*c >= 0x7f || strchr("\"&'<>\\`", *c))
                                fuzz_die("byte 0x%02x kept in a comm", (unsigned char)*c);
        }
        act_cpu cpu;
        if (act_parse_stat(text, &cpu) == 0 && cpu.steal > cpu.total)
                fuzz_die("steal %llu above total %llu", (unsigned long long)cpu.steal,
                         (unsigned long long)cpu.total);
        double l[3];
        if (act_parse_loadavg(text, l) == 0 && !(l[0] >= 0 && l[1] >= 0 && l[2] >= 0))
                fuzz_die("a negative load accepted");
        (void)act_cgroup_is_bench(text, "0::/\n4:memory:/x\n");
        (void)act_cgroup_is_bench("0::/bench/bench-1-1\n", text);
        (void)act_cmdline_is_bench(text, size, 42);
        free(text);
        return 0;
}
