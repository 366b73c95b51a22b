/* SPDX-License-Identifier: MIT */
/*
 * The ASan runtime's defaults, linked into every program of the sanitizer
 * build (ASAN_OPTIONS still overrides them).
 *
 * intercept_tls_get_addr=0: GCC 12's runtime (libasan8, from LLVM before
 * its fix of April 2023, "Fix tls_get_addr handling for glibc >=2.25")
 * takes a dynamic TLS block that starts 16 bytes into a page for glibc
 * 2.19's mmap'ed kind and reads its bounds from the 16 bytes before it.
 * Since glibc 2.25 the block comes from malloc, and those bytes are ASan's
 * chunk header: LSan then scans a range like 0x136-0x100001238 at exit and
 * its tracer dies ("Tracer caught signal 11"), so the run exits 1. Whether
 * it happens depends on where the heap puts such a block (one chunk in 128
 * of its size starts a page); the one byte of TLS of libvirt_driver_qemu.so
 * did in every run of vm_faults's suite. Without the interception LSan still
 * reaches dynamic TLS through glibc's DTV, which the thread's static TLS
 * points to; with this glibc the runtime learned no range from it anyway.
 */
#include <sanitizer/asan_interface.h>

const char *__asan_default_options(void) {
        return "intercept_tls_get_addr=0";
}
