/* SPDX-License-Identifier: MIT */
#include "cache.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "diag.h"
#include "sha256.h"
#include "util.h"

#define RECORD_FORMAT "bench-cache-1"

typedef struct cache_record {
        uint64_t size, ino;
        int64_t ctime_s, ctime_ns;
        char sha256[65];
} cache_record;

/* Files hashed in this process (dev, ino, ctime): BENCH_CACHE_HASH_ONCE skips them. */
static struct hashed {
        dev_t dev;
        ino_t ino;
        struct timespec ctime;
} * hashed;
static size_t n_hashed;

static bool was_hashed(const struct stat *st) {
        for (size_t i = 0; i < n_hashed; i++)
                if (hashed[i].dev == st->st_dev && hashed[i].ino == st->st_ino &&
                    hashed[i].ctime.tv_sec == st->st_ctim.tv_sec &&
                    hashed[i].ctime.tv_nsec == st->st_ctim.tv_nsec)
                        return true;
        return false;
}

static void remember_hashed(const struct stat *st) {
        struct hashed *h = realloc(hashed, (n_hashed + 1) * sizeof(*h));
        if (!h)
                return;
        hashed = h;
        hashed[n_hashed++] = (struct hashed){.dev = st->st_dev, .ino = st->st_ino, .ctime = st->st_ctim};
}

static int write_record(const char *sum_path, const struct stat *st, const char *hex, bench_error **err) {
        char text[256];
        int n = snprintf(text, sizeof(text),
                         RECORD_FORMAT " size=%" PRIu64 " sha256=%s ino=%" PRIu64 " ctime=%lld.%09ld\n",
                         (uint64_t)st->st_size, hex, (uint64_t)st->st_ino, (long long)st->st_ctim.tv_sec,
                         st->st_ctim.tv_nsec);
        return bench_write_file_atomic(sum_path, text, (size_t)n, err);
}

int bench_cache_record(const char *path, const char *sum_path, bench_error **err) {
        _cleanup_close_ int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
        struct stat st;
        if (fd < 0 || fstat(fd, &st) < 0)
                return bench_error_errno(err, errno, "cannot open %s", path);
        char hex[65];
        uint64_t len = 0;
        int r = bench_sha256_fd(fd, hex, &len, err);
        if (r < 0)
                return bench_error_prefix(err, "hashing %s", path);
        if (len != (uint64_t)st.st_size)
                return bench_error_set(err, EAGAIN, "%s changed while it was hashed", path);
        remember_hashed(&st);
        return write_record(sum_path, &st, hex, err);
}

static int read_record(const char *sum_path, cache_record *rec, bench_error **err) {
        _cleanup_free_ char *text = NULL;
        size_t len = 0;
        _cleanup_error_ bench_error *rerr = NULL;
        int r = bench_read_file(sum_path, &text, &len, &rerr);
        if (r < 0)
                return bench_error_set(err, -r, "%s", rerr && rerr->msg ? rerr->msg : "cannot read");
        long long cs = 0;
        long cns = 0;
        unsigned long long size = 0, ino = 0;
        int end = 0;
        if (sscanf(text, RECORD_FORMAT " size=%llu sha256=%64[0-9a-f] ino=%llu ctime=%lld.%ld\n%n", &size,
                   rec->sha256, &ino, &cs, &cns, &end) != 5 ||
            strlen(rec->sha256) != 64 || (size_t)end != len)
                return bench_error_set(err, EBADMSG,
                                       "%s is not a cache record (expected \"" RECORD_FORMAT
                                       " size=N sha256=HEX ino=N ctime=S.NS\")",
                                       sum_path);
        rec->size = size;
        rec->ino = ino;
        rec->ctime_s = cs;
        rec->ctime_ns = cns;
        return 0;
}

int bench_cache_verify(const char *path, const char *sum_path, unsigned flags, bench_error **err) {
        _cleanup_close_ int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
        struct stat st;
        if (fd < 0 || fstat(fd, &st) < 0)
                return bench_error_errno(err, errno, "cannot open %s", path);
        if (!S_ISREG(st.st_mode))
                return bench_error_set(err, EBADMSG, "%s is not a regular file", path);
        cache_record rec = {0};
        _cleanup_error_ bench_error *rerr = NULL;
        int r = read_record(sum_path, &rec, &rerr);
        if (r == -ENOENT)
                return bench_error_set(err, ENOENT, "%s has no integrity record %s (made by an older bench?)",
                                       path, sum_path);
        if (r < 0)
                return bench_error_set(err, -r, "%s", rerr && rerr->msg ? rerr->msg : "bad integrity record");
        if ((uint64_t)st.st_size != rec.size)
                return bench_error_set(err, EBADMSG, "%s is %llu bytes, %llu when it was built (truncated?)",
                                       path, (unsigned long long)st.st_size, (unsigned long long)rec.size);
        bool same = (uint64_t)st.st_ino == rec.ino && st.st_ctim.tv_sec == rec.ctime_s &&
                    st.st_ctim.tv_nsec == rec.ctime_ns;
        if (same && (!(flags & BENCH_CACHE_HASH_ONCE) || was_hashed(&st)))
                return 0;
        char hex[65];
        uint64_t len = 0;
        if ((r = bench_sha256_fd(fd, hex, &len, err)) < 0)
                return bench_error_prefix(err, "hashing %s", path);
        if (strcmp(hex, rec.sha256) || len != rec.size)
                return bench_error_set(err, EBADMSG,
                                       "%s has sha256 %.12s..., %.12s... when it was built (changed)", path,
                                       hex, rec.sha256);
        remember_hashed(&st);
        /* same content, new identity (copied, chmod): remember it, so the next check is a stat */
        if (!same)
                write_record(sum_path, &st, hex, NULL);
        return 0;
}

static bench_diags notes;
static size_t notes_taken;

void bench_cache_note(const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        bench_diags_addv(&notes, fmt, ap);
        va_end(ap);
}

char *bench_cache_note_take(void) {
        if (notes_taken >= notes.n) {
                bench_diags_clear(&notes);
                notes_taken = 0;
                return NULL;
        }
        char *m = steal_pointer(&notes.msgs[notes_taken]);
        notes_taken++;
        return m;
}

int bench_cache_dir(char **ret, bench_error **err) {
        const char *env = getenv("BENCH_CACHE_DIR");
        char *dir = NULL;
        if (env && *env)
                dir = strdup(env);
        else if (geteuid() == 0)
                dir = strdup("/var/cache/bench");
        else {
                const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
                if (xdg && *xdg) {
                        if (asprintf(&dir, "%s/bench", xdg) < 0)
                                dir = NULL;
                } else if (home && *home) {
                        if (asprintf(&dir, "%s/.cache/bench", home) < 0)
                                dir = NULL;
                } else
                        return bench_error_set(err, ENOENT, "no cache dir: set BENCH_CACHE_DIR or HOME");
        }
        if (!dir)
                return bench_error_set(err, ENOMEM, "out of memory");
        struct stat st;
        if (stat(dir, &st) == 0 && S_ISDIR(st.st_mode)) {
                *ret = dir;
                return 0;
        }
        int r = bench_mkdir_p(dir, 0755, err);
        if (r < 0) {
                bench_error_prefix(err, "the cache dir (set BENCH_CACHE_DIR)");
                free(dir);
                return r;
        }
        *ret = dir;
        return 0;
}
