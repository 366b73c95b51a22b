/* SPDX-License-Identifier: MIT */
/*
 * The kernel-module reader (vm/modules.c): ELF section headers and the
 * .modinfo "depends=" strings of .ko files from a kernel package. (vm/cpio.c
 * only writes; nothing of bench reads a cpio back, so there is no cpio
 * reader to fuzz.) The input is the file kernel/a.ko, and also kernel/b.ko,
 * so that "depends=b" and "depends=a" lead to a second file and to a cycle.
 */
#include "../../vm/vm-internal.h"
#include "fuzz.h"

static char dir[4200], a_ko[4300], b_ko[4300];

int LLVMFuzzerInitialize(int *argc, char ***argv) {
        snprintf(dir, sizeof(dir), "%s/modules", fuzz_workdir());
        char k[4300];
        snprintf(k, sizeof(k), "%s/kernel", dir);
        if (bench_mkdir_p(k, 0700, NULL) < 0)
                fuzz_die("mkdir %s: %s", k, strerror(errno));
        snprintf(a_ko, sizeof(a_ko), "%s/a.ko", k);
        snprintf(b_ko, sizeof(b_ko), "%s/b.ko", k);
        char p[4300];
        snprintf(p, sizeof(p), "%s/modules.builtin", dir);
        fuzz_write(p, "kernel/c.ko\n", 12);
        return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        fuzz_write(a_ko, data, size);
        fuzz_write(b_ko, data, size);
        const char *names[] = {"a"};
        char **paths = NULL;
        size_t n = 0;
        bench_error *err = NULL;
        int r = vm_modules_resolve(dir, names, 1, &paths, &n, &err);
        if (r < 0 && (!err || !err->msg))
                fuzz_die("vm_modules_resolve: %s without a message", strerror(-r));
        if (r == 0 && (n < 1 || n > 2 || !strstr(paths[n - 1], "/a.ko")))
                fuzz_die("resolved %zu modules, the last %s", n, n ? paths[n - 1] : "none");
        bench_error_free(err);
        vm_modules_free(paths, n);
        return 0;
}
