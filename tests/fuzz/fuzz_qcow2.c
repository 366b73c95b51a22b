/* SPDX-License-Identifier: MIT */
/*
 * The qcow2 header reader (vm/qcow2.c: vm_qcow2_size) that vm_chain runs on
 * the first level of a cached chain to learn the disk's size: the cache is
 * a file on disk that a crash, a full disk or another user may have cut
 * short or changed.
 */
#include <endian.h>

#include "../../vm/vm-internal.h"
#include "fuzz.h"

static char path[4200];

int LLVMFuzzerInitialize(int *argc, char ***argv) {
        snprintf(path, sizeof(path), "%s/level-1.qcow2", fuzz_workdir());
        return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        fuzz_write(path, data, size);
        uint64_t got = 0;
        bench_error *err = NULL;
        int r = vm_qcow2_size(path, &got, &err);
        if (r < 0 && (!err || !err->msg))
                fuzz_die("vm_qcow2_size: %s without a message", strerror(-r));
        if (r == 0) {
                uint32_t magic;
                uint64_t want;
                if (size < 32)
                        fuzz_die("a %zu-byte file read as a qcow2 header", size);
                memcpy(&magic, data, 4);
                memcpy(&want, data + 24, 8);
                if (be32toh(magic) != 0x514649fbu || be64toh(want) != got)
                        fuzz_die("size %llu read from a header that says %llu", (unsigned long long)got,
                                 (unsigned long long)be64toh(want));
        }
        bench_error_free(err);
        return 0;
}
