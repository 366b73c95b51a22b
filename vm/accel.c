/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "../common/cleanup.h"
#include "vm-internal.h"

/* Whether a "flags" line of /proc/cpuinfo lists vmx (Intel VT-x) or svm (AMD-V). */
static int cpu_has_virt(const char **ret_flag) {
        _cleanup_fclose_ FILE *f = fopen("/proc/cpuinfo", "re");
        if (!f)
                return -errno;
        _cleanup_free_ char *line = NULL;
        size_t cap = 0;
        while (getline(&line, &cap, f) > 0) {
                if (strncmp(line, "flags", 5) != 0)
                        continue;
                const char *colon = strchr(line, ':');
                if (!colon)
                        continue;
                for (char *save = NULL, *tok = strtok_r((char *)colon + 1, " \t\n", &save); tok;
                     tok = strtok_r(NULL, " \t\n", &save)) {
                        if (strcmp(tok, "vmx") == 0 || strcmp(tok, "svm") == 0) {
                                *ret_flag = strcmp(tok, "vmx") == 0 ? "vmx" : "svm";
                                return 1;
                        }
                }
                return 0; /* every cpu lists the same flags */
        }
        return 0;
}

/* 1: KVM usable, 0: not (why says so), <0: cannot tell. */
static int kvm_usable(char *why, size_t why_len) {
        _cleanup_close_ int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
        if (fd < 0) {
                snprintf(why, why_len, "/dev/kvm does not open: %s", strerror(errno));
                return 0;
        }
        const char *flag = NULL;
        int r = cpu_has_virt(&flag);
        if (r < 0) {
                snprintf(why, why_len, "cannot read /proc/cpuinfo: %s", strerror(-r));
                return 0;
        }
        if (r == 0) {
                /* a nested PVM host: /dev/kvm is there, but a stock guest hangs after real mode */
                snprintf(why, why_len, "/dev/kvm opens but the CPU has no vmx/svm (nested PVM host?)");
                return 0;
        }
        snprintf(why, why_len, "/dev/kvm opens and the CPU has %s", flag);
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
