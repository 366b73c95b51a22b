/* SPDX-License-Identifier: MIT */
/*
 * The bzImage reader of the fast boot path (vm/vmlinux.c:
 * vm_vmlinux_extract): the boot header's offsets, the native LZ4 decoder,
 * the gzip/xz/lzma/zstd libraries behind it, and the ELF and note checks.
 * The kernel path comes from a suite someone else wrote. The seeds are
 * small bzImages of each format around a tiny ELF with the PVH note.
 */
#include "../../vm/vm-internal.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        void *out = NULL;
        size_t out_len = 0;
        const char *fmt = NULL;
        bench_error *err = NULL;
        int r = vm_vmlinux_extract(data, size, "fuzz.bzImage", &out, &out_len, &fmt, &err);
        if (r < 0 && (!err || !err->msg || !strstr(err->msg, "fuzz.bzImage")))
                fuzz_die("vm_vmlinux_extract: %s without a message naming the file", strerror(-r));
        if (r < 0 && out)
                fuzz_die("vm_vmlinux_extract failed (%s) but returned output", err->msg);
        if (r == 0) {
                if (!fmt || !out || size < 0x250 || memcmp(data + 0x202, "HdrS", 4) != 0)
                        fuzz_die("accepted a %zu-byte input without a boot header, or gave no output", size);
                if (out_len > ((size_t)1 << 30))
                        fuzz_die("%zu bytes of output, past the 1 GiB limit", out_len);
                bench_error *again = NULL;
                if (vm_vmlinux_check_pvh(out, out_len, "out", &again) < 0)
                        fuzz_die("the output fails the check it passed: %s", again->msg);
        }
        bench_error_free(err);
        free(out);
        return 0;
}
