/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * Helpers of the libFuzzer targets: a private work dir per process, files
 * written from the fuzzed bytes, and a hard stop (abort: libFuzzer keeps the
 * input) when an invariant of bench breaks.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../common/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

__attribute__((format(printf, 1, 2), noreturn)) static inline void fuzz_die(const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        fputs("fuzz: ", stderr);
        vfprintf(stderr, fmt, ap);
        fputc('\n', stderr);
        va_end(ap);
        abort();
}

/* A 0700 dir of this process under $TMPDIR, removed at exit. */
static char fuzz_root[4096];
static inline void fuzz_root_remove(void) {
        if (fuzz_root[0])
                bench_rm_rf(fuzz_root, NULL);
}
static inline const char *fuzz_workdir(void) {
        if (!fuzz_root[0]) {
                const char *t = getenv("TMPDIR");
                snprintf(fuzz_root, sizeof(fuzz_root), "%s/bench-fuzz-XXXXXX", t && *t ? t : "/tmp");
                if (!mkdtemp(fuzz_root))
                        fuzz_die("cannot create %s: %s", fuzz_root, strerror(errno));
                atexit(fuzz_root_remove);
        }
        return fuzz_root;
}

static inline void fuzz_write(const char *path, const void *data, size_t len) {
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (fd < 0 || bench_write_all(fd, data, len) < 0)
                fuzz_die("cannot write %s: %s", path, strerror(errno));
        close(fd);
}

/* The names in dir other than `.` and `..`, as "a b c" (sorted by readdir order); -1 if unreadable. */
static inline int fuzz_list(const char *dir, char *out, size_t len) {
        out[0] = '\0';
        DIR *d = opendir(dir);
        if (!d)
                return -1;
        size_t n = 0;
        int count = 0;
        for (struct dirent *de; (de = readdir(d));) {
                if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
                        continue;
                int w = snprintf(out + n, n < len ? len - n : 0, "%s%s", n ? " " : "", de->d_name);
                if (w > 0)
                        n += (size_t)w;
                if (n >= len)
                        n = len - 1;
                count++;
        }
        closedir(d);
        return count;
}
