/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "../common/cleanup.h"
#include "vm-internal.h"

/* The first "flags" line of /proc/cpuinfo: every cpu lists the same flags. */
static int cpu_flags(vm_kvm_probe *p) {
        _cleanup_fclose_ FILE *f = fopen("/proc/cpuinfo", "re");
        if (!f)
                return -errno;
        _cleanup_free_ char *line = NULL;
        size_t cap = 0;
        while (getline(&line, &cap, f) > 0) {
                if (strncmp(line, "flags", 5) != 0 || !strchr(" \t:", line[5]))
                        continue;
                const char *colon = strchr(line, ':');
                if (!colon)
                        continue;
                for (char *save = NULL, *tok = strtok_r((char *)colon + 1, " \t\n", &save); tok;
                     tok = strtok_r(NULL, " \t\n", &save)) {
                        if (!p->hw_virt && (strcmp(tok, "vmx") == 0 || strcmp(tok, "svm") == 0))
                                p->hw_virt = strcmp(tok, "vmx") == 0 ? "vmx" : "svm";
                        else if (strcmp(tok, "hypervisor") == 0)
                                p->hypervisor = true;
                }
                return 0;
        }
        return 0;
}

void vm_kvm_probe_host(vm_kvm_probe *ret) {
        vm_kvm_probe p = {0};
        int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
        if (fd < 0)
                p.device_errno = errno;
        else
                close(fd);
        p.cpuinfo_errno = -cpu_flags(&p);
        *ret = p;
}

/* 1: KVM usable, 0: not (why says so). */
static int kvm_usable(char *why, size_t why_len) {
        vm_kvm_probe p;
        vm_kvm_probe_host(&p);
        if (p.device_errno) {
                snprintf(why, why_len, "/dev/kvm does not open: %s", strerror(p.device_errno));
                return 0;
        }
        if (p.cpuinfo_errno) {
                snprintf(why, why_len, "cannot read /proc/cpuinfo: %s", strerror(p.cpuinfo_errno));
                return 0;
        }
        if (!p.hw_virt) {
                /* a nested PVM host: /dev/kvm is there, but a stock guest hangs after real mode */
                snprintf(why, why_len, "/dev/kvm opens but the CPU has no vmx/svm (nested PVM host?)");
                return 0;
        }
        snprintf(why, why_len, "/dev/kvm opens and the CPU has %s", p.hw_virt);
        return 1;
}

int vm_accel_choose(const char *want, const char **ret_type, const char **ret_accel, char *why,
                    size_t why_len, bench_error **err) {
        char buf[256];
        if (!want)
                want = "auto";
        if (strcmp(want, "tcg") == 0) {
                snprintf(why, why_len, "tcg asked for");
                *ret_type = "qemu";
                *ret_accel = "tcg";
                return 0;
        }
        if (strcmp(want, "auto") != 0 && strcmp(want, "kvm") != 0)
                return bench_error_set(err, EINVAL, "accel `%s`: expected `auto`, `kvm` or `tcg`", want);
        int usable = kvm_usable(buf, sizeof(buf));
        if (strcmp(want, "kvm") == 0 && !usable)
                return bench_error_set(err, ENODEV, "accel `kvm` asked for, but %s; use `tcg` or `auto`",
                                       buf);
        snprintf(why, why_len, "%s%s", buf, usable ? "" : ": using tcg");
        *ret_type = usable ? "kvm" : "qemu";
        *ret_accel = usable ? "kvm" : "tcg";
        return 0;
}
