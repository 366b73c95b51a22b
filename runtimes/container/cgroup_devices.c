/* SPDX-License-Identifier: MIT */
/*
 * The device controller: which device nodes a container may open. Docker's
 * default: deny everything, allow mknod of any node (the image may carry
 * them) and read/write of the few a process needs. Not /dev/net/tun nor
 * /dev/fuse (runc allowed tun until 1.2; moby never allowed fuse). One
 * table; two enforcers: the v1 `devices` cgroup and, on cgroup2, a
 * BPF_PROG_TYPE_CGROUP_DEVICE program (crun's src/libcrun/ebpf.c way: raw
 * bpf(), instructions written by hand, no libbpf).
 */
#include "cgroup-internal.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/bpf.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "../../common/cleanup.h"

typedef struct dev_rule {
        char type;          /* 'c' or 'b' */
        int major, minor;   /* -1 = any */
        const char *access; /* "m" or "rwm" */
} dev_rule;

/* moby's default (oci/defaults.go + runc's AllowedDevices, without tun since runc 1.2). */
static const dev_rule rules[] = {
        {'c', -1, -1, "m"},    {'b', -1, -1, "m"}, {'c', 1, 3, "rwm"}, /* null */
        {'c', 1, 5, "rwm"},                                            /* zero */
        {'c', 1, 7, "rwm"},                                            /* full */
        {'c', 1, 8, "rwm"},                                            /* random */
        {'c', 1, 9, "rwm"},                                            /* urandom */
        {'c', 5, 0, "rwm"},                                            /* tty */
        {'c', 5, 1, "rwm"},                                            /* console */
        {'c', 5, 2, "rwm"},                                            /* ptmx */
        {'c', 136, -1, "rwm"},                                         /* pts */
};

static void rule_text(const dev_rule *r, char *buf, size_t size) {
        char maj[16] = "*", min[16] = "*";
        if (r->major >= 0)
                snprintf(maj, sizeof(maj), "%d", r->major);
        if (r->minor >= 0)
                snprintf(min, sizeof(min), "%d", r->minor);
        snprintf(buf, size, "%c %s:%s %s", r->type, maj, min, r->access);
}

/* ---- cgroup v1 ---- */

int cg_devices_v1_write(const char *dir, bench_error **err) {
        int r = cg_write(dir, "devices.deny", "a");
        if (r < 0)
                return cg_limit_error(r, "devices.deny", "a", dir, err);
        /* the kernel takes one rule per write(): one open, a write each */
        char path[PATH_MAX];
        snprintf(path, sizeof(path), "%s/devices.allow", dir);
        _cleanup_close_ int fd = open(path, O_WRONLY | O_CLOEXEC);
        if (fd < 0)
                return cg_limit_error(-errno, "devices.allow", "(open)", dir, err);
        for (size_t i = 0; i < ELEMENTSOF(rules); i++) {
                char rule[64];
                rule_text(&rules[i], rule, sizeof(rule));
                size_t len = strlen(rule);
                if (write(fd, rule, len) != (ssize_t)len)
                        return cg_limit_error(-errno, "devices.allow", rule, dir, err);
        }
        return 0;
}

bool cg_devices_v1_match(const char *dir) {
        char have[1024], want[1024] = "";
        if (cg_read(dir, "devices.list", have, sizeof(have)) < 0)
                return false;
        for (size_t i = 0; i < ELEMENTSOF(rules); i++) {
                size_t n = strlen(want);
                rule_text(&rules[i], want + n, sizeof(want) - n);
                n = strlen(want);
                snprintf(want + n, sizeof(want) - n, "\n");
        }
        return !strcmp(have, want);
}

/* ---- cgroup v2: a BPF program ---- */

#define INSN(c, d, s, o, i)                                                                                  \
        ((struct bpf_insn){.code = (c), .dst_reg = (d), .src_reg = (s), .off = (o), .imm = (i)})
#define LDX_W(d, s, o) INSN(BPF_LDX | BPF_W | BPF_MEM, d, s, o, 0)
#define ALU32_IMM(op, d, i) INSN(BPF_ALU | (op) | BPF_K, d, 0, 0, i)
#define MOV32_REG(d, s) INSN(BPF_ALU | BPF_MOV | BPF_X, d, s, 0, 0)
#define JNE_IMM(d, i, o) INSN(BPF_JMP | BPF_JNE | BPF_K, d, 0, o, i)
#define EXIT_INSN() INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)

/* prologue + per rule at most 8 + the final deny; the header promises 128 */
#define PROG_MAX 128
_Static_assert(6 + 8 * ELEMENTSOF(rules) + 2 <= PROG_MAX, "the device program outgrew its buffer");

static unsigned access_mask(const char *a) {
        unsigned m = 0;
        for (; *a; a++)
                m |= *a == 'm' ? BPF_DEVCG_ACC_MKNOD : *a == 'r' ? BPF_DEVCG_ACC_READ : BPF_DEVCG_ACC_WRITE;
        return m;
}

/*
 * r2 = type, r3 = access, r4 = major, r5 = minor (struct bpf_cgroup_dev_ctx:
 * access_type = access << 16 | type); each rule is a block that returns 1
 * when everything matches and jumps past itself at the first mismatch.
 */
size_t cg_devices_bpf_program(struct bpf_insn *p) {
        size_t n = 0;
        p[n++] = LDX_W(BPF_REG_2, BPF_REG_1, 0);
        p[n++] = ALU32_IMM(BPF_AND, BPF_REG_2, 0xffff);
        p[n++] = LDX_W(BPF_REG_3, BPF_REG_1, 0);
        p[n++] = ALU32_IMM(BPF_RSH, BPF_REG_3, 16);
        p[n++] = LDX_W(BPF_REG_4, BPF_REG_1, 4);
        p[n++] = LDX_W(BPF_REG_5, BPF_REG_1, 8);
        for (size_t i = 0; i < ELEMENTSOF(rules); i++) {
                const dev_rule *r = &rules[i];
                struct bpf_insn b[8];
                size_t k = 0, jumps[4], nj = 0;
                jumps[nj++] = k;
                b[k++] = JNE_IMM(BPF_REG_2, r->type == 'c' ? BPF_DEVCG_DEV_CHAR : BPF_DEVCG_DEV_BLOCK, 0);
                unsigned acc = access_mask(r->access);
                if (acc != (BPF_DEVCG_ACC_MKNOD | BPF_DEVCG_ACC_READ | BPF_DEVCG_ACC_WRITE)) {
                        /* any access bit outside the rule's: no match */
                        b[k++] = MOV32_REG(BPF_REG_1, BPF_REG_3);
                        b[k++] = ALU32_IMM(BPF_AND, BPF_REG_1, (int)~acc);
                        jumps[nj++] = k;
                        b[k++] = JNE_IMM(BPF_REG_1, 0, 0);
                }
                if (r->major >= 0) {
                        jumps[nj++] = k;
                        b[k++] = JNE_IMM(BPF_REG_4, r->major, 0);
                }
                if (r->minor >= 0) {
                        jumps[nj++] = k;
                        b[k++] = JNE_IMM(BPF_REG_5, r->minor, 0);
                }
                b[k++] = ALU32_IMM(BPF_MOV, BPF_REG_0, 1);
                b[k++] = EXIT_INSN();
                for (size_t j = 0; j < nj; j++)
                        b[jumps[j]].off = (short)(k - jumps[j] - 1);
                memcpy(p + n, b, k * sizeof(*b));
                n += k;
        }
        p[n++] = ALU32_IMM(BPF_MOV, BPF_REG_0, 0);
        p[n++] = EXIT_INSN();
        return n;
}

static long sys_bpf(int cmd, union bpf_attr *attr) {
        return syscall(SYS_bpf, cmd, attr, sizeof(*attr));
}

/* Loaded once per process; the fd is kept (attaching takes a reference of its own). */
static pthread_once_t prog_once = PTHREAD_ONCE_INIT;
static int prog_fd = -1, prog_errno; /* bpf() fds are O_CLOEXEC */

static void prog_load(void) {
        struct bpf_insn insns[PROG_MAX];
        size_t n = cg_devices_bpf_program(insns);
        union bpf_attr attr;
        memset(&attr, 0, sizeof(attr));
        attr.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
        attr.insns = (uint64_t)(uintptr_t)insns;
        attr.insn_cnt = (uint32_t)n;
        attr.license = (uint64_t)(uintptr_t) "GPL";
        long fd = sys_bpf(BPF_PROG_LOAD, &attr);
        if (fd < 0)
                prog_errno = errno;
        else
                prog_fd = (int)fd;
}

int cg_devices_bpf_attach(int cgroup_fd, const char *path, bench_error **err) {
        pthread_once(&prog_once, prog_load);
        if (prog_fd < 0)
                return bench_error_errno(err, prog_errno,
                                         "cgroup: loading the BPF device program for %s (cgroup v2 "
                                         "restricts devices only through BPF: a kernel with "
                                         "CONFIG_CGROUP_BPF and root are needed)",
                                         path);
        union bpf_attr attr;
        memset(&attr, 0, sizeof(attr));
        attr.target_fd = (uint32_t)cgroup_fd;
        attr.attach_bpf_fd = (uint32_t)prog_fd;
        attr.attach_type = BPF_CGROUP_DEVICE;
        /* MULTI: a program attached below (by a container with CAP_SYS_ADMIN) can only narrow */
        attr.attach_flags = BPF_F_ALLOW_MULTI;
        if (sys_bpf(BPF_PROG_ATTACH, &attr) < 0)
                return bench_error_errno(err, errno, "cgroup: attaching the BPF device program to %s", path);
        return 0;
}
