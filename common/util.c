/* SPDX-License-Identifier: MIT */
#include "util.h"

#include <ctype.h>
#include <errno.h>
#include <libgen.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <dirent.h>
#include <pthread.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cleanup.h"

uint64_t bench_now_ns(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

char *bench_utc_now(void) {
        char buf[64];
        struct tm tm;
        time_t t = time(NULL);
        gmtime_r(&t, &tm);
        strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
        return strdup(buf);
}

static int parse_number_prefix(const char *s, double *ret_value, const char **ret_rest) {
        if (!s || !*s || isspace((unsigned char)*s) || *s == '-' || *s == '+')
                return -EINVAL;
        char *end = NULL;
        errno = 0;
        double v = strtod(s, &end);
        if (errno || end == s || !isfinite(v) || v < 0)
                return -EINVAL;
        /* strtod accepts hex and exponents; we only want plain decimals */
        for (const char *p = s; p < end; p++)
                if (!isdigit((unsigned char)*p) && *p != '.')
                        return -EINVAL;
        *ret_value = v;
        *ret_rest = end;
        return 0;
}

int bench_parse_size(const char *s, uint64_t *ret_bytes) {
        double v;
        const char *rest;
        if (parse_number_prefix(s, &v, &rest) < 0)
                return -EINVAL;
        static const struct {
                const char *suffix;
                double mult;
        } units[] = {
                {"", 1},
                {"b", 1},
                {"k", 1024.0},
                {"kb", 1024.0},
                {"kib", 1024.0},
                {"m", 1048576.0},
                {"mb", 1048576.0},
                {"mib", 1048576.0},
                {"g", 1073741824.0},
                {"gb", 1073741824.0},
                {"gib", 1073741824.0},
                {"t", 1099511627776.0},
                {"tb", 1099511627776.0},
                {"tib", 1099511627776.0},
        };
        for (size_t i = 0; i < ELEMENTSOF(units); i++) {
                if (strcasecmp(rest, units[i].suffix) != 0)
                        continue;
                double bytes = v * units[i].mult;
                if (bytes > 9.0e18 || bytes != floor(bytes))
                        return -EINVAL;
                *ret_bytes = (uint64_t)bytes;
                return 0;
        }
        return -EINVAL;
}

const char *bench_format_size(uint64_t bytes, char *buf, size_t len) {
        static const char suffix[] = "KMGT";
        int i = -1;
        uint64_t v = bytes;
        while (v >= 1024 && v % 1024 == 0 && i < 3) {
                v /= 1024;
                i++;
        }
        if (i < 0)
                snprintf(buf, len, "%llu", (unsigned long long)v);
        else
                snprintf(buf, len, "%llu%c", (unsigned long long)v, suffix[i]);
        return buf;
}

int bench_parse_duration_ms(const char *s, double *ret_ms) {
        double v;
        const char *rest;
        if (parse_number_prefix(s, &v, &rest) < 0)
                return -EINVAL;
        double mult;
        if (!*rest || !strcmp(rest, "ms"))
                mult = 1;
        else if (!strcmp(rest, "s"))
                mult = 1000;
        else if (!strcmp(rest, "us"))
                mult = 0.001;
        else if (!strcmp(rest, "m") || !strcmp(rest, "min"))
                mult = 60000;
        else
                return -EINVAL;
        *ret_ms = v * mult;
        return 0;
}

int bench_parse_uint(const char *s, uint64_t max, uint64_t *ret) {
        if (!s || !isdigit((unsigned char)*s))
                return -EINVAL;
        char *end = NULL;
        errno = 0;
        unsigned long long v = strtoull(s, &end, 10);
        if (*end)
                return -EINVAL; /* "12abc", "0x10": not a plain decimal */
        if (errno || v > max)
                return -ERANGE;
        *ret = v;
        return 0;
}

size_t bench_edit_distance(const char *a, const char *b) {
        size_t la = strlen(a), lb = strlen(b);
        if (la > 64 || lb > 64)
                return SIZE_MAX;
        size_t d[65][65];
        for (size_t i = 0; i <= la; i++)
                d[i][0] = i;
        for (size_t j = 0; j <= lb; j++)
                d[0][j] = j;
        for (size_t i = 1; i <= la; i++)
                for (size_t j = 1; j <= lb; j++) {
                        size_t cost = tolower((unsigned char)a[i - 1]) != tolower((unsigned char)b[j - 1]);
                        size_t best = d[i - 1][j] + 1;
                        if (d[i][j - 1] + 1 < best)
                                best = d[i][j - 1] + 1;
                        if (d[i - 1][j - 1] + cost < best)
                                best = d[i - 1][j - 1] + cost;
                        if (i > 1 && j > 1 &&
                            tolower((unsigned char)a[i - 1]) == tolower((unsigned char)b[j - 2]) &&
                            tolower((unsigned char)a[i - 2]) == tolower((unsigned char)b[j - 1]) &&
                            d[i - 2][j - 2] + 1 < best)
                                best = d[i - 2][j - 2] + 1;
                        d[i][j] = best;
                }
        return d[la][lb];
}

/*
 * An abbreviation: the shorter string (3+ characters) shares the first
 * character and appears in order inside the longer ("membw" in
 * "membandwith"). Plain edit distance misses these.
 */
static bool is_abbreviation(const char *a, const char *b) {
        size_t la = strlen(a), lb = strlen(b);
        const char *s = la <= lb ? a : b, *l = la <= lb ? b : a;
        if (strlen(s) < 3 || tolower((unsigned char)*s) != tolower((unsigned char)*l))
                return false;
        for (; *l && *s; l++)
                if (tolower((unsigned char)*l) == tolower((unsigned char)*s))
                        s++;
        return *s == '\0';
}

const char *bench_did_you_mean(const char *word, const char *const *candidates, size_t n) {
        const char *best = NULL, *best_abbrev = NULL;
        size_t best_d = SIZE_MAX, best_abbrev_d = SIZE_MAX;
        size_t limit = strlen(word) <= 4 ? 1 : strlen(word) <= 8 ? 2 : 3;
        for (size_t i = 0; i < n; i++) {
                if (!candidates[i])
                        continue;
                size_t d = bench_edit_distance(word, candidates[i]);
                if (d < best_d) {
                        best_d = d;
                        best = candidates[i];
                }
                if (d < best_abbrev_d && is_abbreviation(word, candidates[i])) {
                        best_abbrev_d = d;
                        best_abbrev = candidates[i];
                }
        }
        /* a close typo wins; else the closest abbreviation */
        return best_d <= limit ? best : best_abbrev;
}

/* fd to its end (at most max bytes when max > 0), NUL-terminated; path names it in messages. */
static int read_fd(int fd, const char *path, size_t max, char **ret_data, size_t *ret_len,
                   bench_error **err) {
        struct stat st;
        if (fstat(fd, &st) < 0)
                return bench_error_errno(err, errno, "cannot stat %s", path);
        if (S_ISDIR(st.st_mode))
                return bench_error_set(err, EISDIR, "%s is a directory, not a file", path);
        if (max > 0 && st.st_size > 0 && (uint64_t)st.st_size > max)
                return bench_error_set(err, EFBIG, "%s: %jd bytes, more than the %zu this file may have",
                                       path, (intmax_t)st.st_size, max);
        size_t cap = st.st_size > 0 ? (size_t)st.st_size + 1 : 4096, len = 0;
        _cleanup_free_ char *buf = malloc(cap);
        if (!buf)
                return bench_error_set(err, ENOMEM, "out of memory reading %s", path);
        for (;;) {
                if (len + 1 >= cap) {
                        if (max > 0 && len >= max)
                                return bench_error_set(err, EFBIG,
                                                       "%s: more than the %zu bytes this file may have", path,
                                                       max);
                        char *nb = realloc(buf, cap * 2);
                        if (!nb)
                                return bench_error_set(err, ENOMEM, "out of memory reading %s", path);
                        buf = nb;
                        cap *= 2;
                }
                ssize_t n = read(fd, buf + len, cap - len - 1);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return bench_error_errno(err, errno, "cannot read %s", path);
                }
                if (n == 0)
                        break;
                len += (size_t)n;
        }
        buf[len] = '\0';
        if (ret_len)
                *ret_len = len;
        *ret_data = steal_pointer(&buf);
        return 0;
}

int bench_read_file(const char *path, char **ret_data, size_t *ret_len, bench_error **err) {
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return bench_error_errno(err, errno, "cannot open %s", path);
        return read_fd(fd, path, 0, ret_data, ret_len, err);
}

int bench_read_regular_at(int dirfd, const char *name, const char *shown, size_t max, char **ret_data,
                          size_t *ret_len, bench_error **err) {
        /* O_NONBLOCK: a FIFO planted in the dir must not hang the open */
        _cleanup_close_ int fd =
                openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY);
        if (fd < 0 && errno == ELOOP)
                return bench_error_set(err, ELOOP,
                                       "%s is a symbolic link, which is not followed; copy the file "
                                       "itself there",
                                       shown);
        if (fd < 0)
                return bench_error_errno(err, errno, "cannot open %s", shown);
        struct stat st;
        if (fstat(fd, &st) < 0)
                return bench_error_errno(err, errno, "cannot stat %s", shown);
        if (!S_ISREG(st.st_mode))
                return bench_error_set(err, EINVAL, "%s is not a regular file", shown);
        return read_fd(fd, shown, max, ret_data, ret_len, err);
}

/* `.BASE.tmp-` + 12 random [A-Za-z0-9]: 71 bits that another user cannot guess */
static int tmp_name(const char *path, char **ret) {
        static const char chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        unsigned char rnd[12];
        size_t got = 0;
        while (got < sizeof(rnd)) {
                ssize_t n = getrandom(rnd + got, sizeof(rnd) - got, 0);
                if (n < 0 && errno != EINTR)
                        return -errno;
                if (n > 0)
                        got += (size_t)n;
        }
        char suffix[sizeof(rnd) + 1];
        for (size_t i = 0; i < sizeof(rnd); i++)
                suffix[i] = chars[rnd[i] % (sizeof(chars) - 1)];
        suffix[sizeof(rnd)] = '\0';
        const char *slash = strrchr(path, '/');
        int dir_len = slash ? (int)(slash - path + 1) : 0;
        if (asprintf(ret, "%.*s.%s.tmp-%s", dir_len, path, slash ? slash + 1 : path, suffix) < 0)
                return -ENOMEM;
        return 0;
}

int bench_tmpfile_open(int dirfd, const char *path, unsigned mode, char **ret_tmp, bench_error **err) {
        for (int attempt = 0; attempt < 16; attempt++) {
                _cleanup_free_ char *tmp = NULL;
                int r = tmp_name(path, &tmp);
                if (r < 0)
                        return bench_error_errno(err, -r, "cannot name a temporary file for %s", path);
                int fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                                (mode_t)mode);
                if (fd >= 0) {
                        *ret_tmp = steal_pointer(&tmp);
                        return fd;
                }
                if (errno != EEXIST)
                        return bench_error_errno(err, errno, "cannot create %s", tmp);
        }
        return bench_error_set(err, EEXIST, "cannot create a temporary file for %s: every name taken", path);
}

int bench_tmpfile_commit(int dirfd, const char *tmp, int fd, const char *path, bench_error **err) {
        int e = 0;
        if (fsync(fd) < 0)
                e = errno;
        if (close(fd) < 0 && !e)
                e = errno;
        if (e) {
                unlinkat(dirfd, tmp, 0);
                return bench_error_errno(err, e, "cannot write %s", path);
        }
        /* rename replaces a symlink at path instead of writing through it */
        if (renameat(dirfd, tmp, dirfd, path) < 0) {
                e = errno;
                unlinkat(dirfd, tmp, 0);
                return bench_error_errno(err, e, "cannot replace %s", path);
        }
        return 0;
}

int bench_write_file_atomic_at(int dirfd, const char *path, const char *data, size_t len, unsigned mode,
                               bench_error **err) {
        _cleanup_free_ char *tmp = NULL;
        int fd = bench_tmpfile_open(dirfd, path, mode, &tmp, err);
        if (fd < 0)
                return fd;
        int r = bench_write_all(fd, data, len);
        if (r < 0) {
                close(fd);
                unlinkat(dirfd, tmp, 0);
                return bench_error_errno(err, -r, "cannot write %s", path);
        }
        return bench_tmpfile_commit(dirfd, tmp, fd, path, err);
}

int bench_write_file_atomic(const char *path, const char *data, size_t len, bench_error **err) {
        return bench_write_file_atomic_at(AT_FDCWD, path, data, len, 0644, err);
}

int bench_open_dir_nofollow(const char *dir, unsigned mode, bench_error **err) {
        int r = bench_mkdir_p(dir, mode, err);
        if (r < 0)
                return r;
        /* "link/" would follow the link: the name without trailing slashes */
        _cleanup_free_ char *path = strdup(dir);
        if (!path)
                return bench_error_set(err, ENOMEM, "out of memory");
        for (size_t n = strlen(path); n > 1 && path[n - 1] == '/'; n--)
                path[n - 1] = '\0';
        /* O_NOFOLLOW: a symlink planted at the output dir would send our files elsewhere */
        int fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        struct stat st;
        if (fd < 0 && (errno == ELOOP || errno == ENOTDIR) && lstat(path, &st) == 0 && S_ISLNK(st.st_mode))
                return bench_error_set(err, ELOOP,
                                       "%s is a symbolic link; give the directory it points to, or another",
                                       path);
        if (fd < 0)
                return bench_error_errno(err, errno, "cannot open %s", path);
        return fd;
}

static bool private_to_us(const struct stat *st) {
        return S_ISDIR(st->st_mode) && st->st_uid == geteuid() && (st->st_mode & 07777) == 0700;
}

int bench_open_private_dir(const char *path, bench_error **err) {
        struct stat st;
        /* another user's (one made in /tmp before us) would not even open: say what it is instead */
        bool foreign = lstat(path, &st) == 0 && S_ISDIR(st.st_mode) && !private_to_us(&st);
        int fd = foreign ? -1 : bench_open_dir_nofollow(path, 0700, err);
        if (!foreign && fd < 0)
                return fd;
        if (foreign || fstat(fd, &st) < 0 || !private_to_us(&st)) {
                if (fd >= 0)
                        close(fd);
                return bench_error_set(
                        err, EPERM, "%s is not a 0700 directory of uid %u: remove it (bench makes it anew)",
                        path, (unsigned)geteuid());
        }
        return fd;
}

bool bench_fd_is_path(int dir_fd, const char *name, int fd) {
        struct stat a, b;
        return fd >= 0 && fstat(fd, &a) == 0 && fstatat(dir_fd, name, &b, AT_SYMLINK_NOFOLLOW) == 0 &&
               a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

/* Leavers hold LOCK_EX for a few syscalls; a removal must fall between two of ours to cost a try. */
#define ENTER_TRIES 16

int bench_enter_private_dir(const char *path, bench_error **err) {
        for (int tries = 0; tries < ENTER_TRIES; tries++) {
                bench_error *e = NULL;
                int fd = bench_open_private_dir(path, &e);
                /* removed between its mkdir and its open: made again */
                if (fd == -ENOENT) {
                        bench_error_free(e);
                        continue;
                }
                if (fd < 0) {
                        if (err)
                                *err = e;
                        else
                                bench_error_free(e);
                        return fd;
                }
                if (flock(fd, LOCK_SH) < 0) {
                        int saved = errno;
                        close(fd);
                        return bench_error_errno(err, saved, "cannot lock %s", path);
                }
                /* removed between its open and our lock: the fd names a dir that is gone */
                if (bench_fd_is_path(AT_FDCWD, path, fd))
                        return fd;
                close(fd);
        }
        return bench_error_set(err, ESTALE, "%s keeps being removed while bench enters it", path);
}

bool bench_leave_private_dir(int fd, const char *path) {
        if (fd < 0 || flock(fd, LOCK_EX | LOCK_NB) < 0 || !bench_fd_is_path(AT_FDCWD, path, fd))
                return false;
        return rmdir(path) == 0;
}

/*
 * rm -rf at any depth with a bounded number of fds: the top RM_OPEN_LEVELS
 * levels keep their directory stream, deeper ones are closed on the way
 * down and reread on the way back (what is gone is gone, what failed is
 * skipped). Climbing back goes through ".." and must arrive at the dir it
 * left (dev, ino): a tree moved meanwhile stops the removal instead of
 * sending it elsewhere. Never follows a symlink, never crosses a mount.
 */
#define RM_OPEN_LEVELS 64

typedef struct rm_level {
        DIR *d; /* NULL while a deeper level is at work and this one is beyond RM_OPEN_LEVELS */
        char *name;
        dev_t dev;
        ino_t ino;
        char **failed; /* children that could not go: skipped when reread */
        size_t n_failed;
} rm_level;

static void rm_level_clear(rm_level *l) {
        if (l->d)
                closedir(l->d);
        free(l->name);
        for (size_t i = 0; i < l->n_failed; i++)
                free(l->failed[i]);
        free(l->failed);
        *l = (rm_level){0};
}

static bool rm_failed(const rm_level *l, const char *name) {
        for (size_t i = 0; i < l->n_failed; i++)
                if (!strcmp(l->failed[i], name))
                        return true;
        return false;
}

/* Notes a child that stays; returns the error to keep. */
static int rm_fail(rm_level *l, const char *name, int e) {
        char **nf = realloc(l->failed, (l->n_failed + 1) * sizeof(*nf));
        if (!nf)
                return -ENOMEM;
        l->failed = nf;
        if (!(nf[l->n_failed] = strdup(name)))
                return -ENOMEM;
        l->n_failed++;
        return e;
}

static int rm_open_dir(int parent, const char *name) {
        int fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        /* overlayfs leaves work/work at mode 000; what we own we may open up */
        if (fd < 0 && errno == EACCES && fchmodat(parent, name, 0700, 0) == 0)
                fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        return fd < 0 ? -errno : fd;
}

static int rm_push(rm_level **st, size_t *n, size_t *cap, int fd, const char *name) {
        struct stat s;
        if (fstat(fd, &s) < 0) {
                int e = -errno;
                close(fd);
                return e;
        }
        if (*n == *cap) {
                size_t nc = *cap ? *cap * 2 : 16;
                rm_level *ns = realloc(*st, nc * sizeof(*ns));
                if (!ns) {
                        close(fd);
                        return -ENOMEM;
                }
                *st = ns;
                *cap = nc;
        }
        rm_level *l = &(*st)[*n];
        *l = (rm_level){.dev = s.st_dev, .ino = s.st_ino, .name = strdup(name), .d = fdopendir(fd)};
        if (!l->d || !l->name) {
                if (!l->d)
                        close(fd);
                rm_level_clear(l);
                return -ENOMEM;
        }
        (*n)++;
        return 0;
}

/* parent/name is a directory on dev. */
static int rm_tree(int parent, const char *name, dev_t dev) {
        rm_level *st = NULL;
        size_t n = 0, cap = 0;
        int fd = rm_open_dir(parent, name);
        int r = fd < 0 ? fd : rm_push(&st, &n, &cap, fd, name);
        if (r < 0)
                return r;
        while (n > 0) {
                rm_level *top = &st[n - 1];
                struct dirent *de;
                bool down = false;
                while ((de = readdir(top->d))) {
                        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..") ||
                            rm_failed(top, de->d_name))
                                continue;
                        int dfd = dirfd(top->d);
                        bool dir = de->d_type == DT_DIR;
                        /* what readdir says is not a directory goes without a stat (big trees) */
                        if (de->d_type == DT_UNKNOWN) {
                                struct stat s;
                                dir = fstatat(dfd, de->d_name, &s, AT_SYMLINK_NOFOLLOW) == 0 &&
                                      S_ISDIR(s.st_mode);
                        }
                        if (!dir) {
                                if (unlinkat(dfd, de->d_name, 0) == 0 || errno == ENOENT)
                                        continue;
                                if (errno != EISDIR) {
                                        int q = rm_fail(top, de->d_name, -errno);
                                        r = r ? r : q;
                                        continue;
                                }
                        }
                        int cfd = rm_open_dir(dfd, de->d_name);
                        struct stat s;
                        if (cfd >= 0 && fstat(cfd, &s) == 0 && s.st_dev != dev) {
                                close(cfd);
                                cfd = -EXDEV; /* a mount point: never delete through it */
                        }
                        if (cfd < 0) {
                                if (cfd == -ENOENT)
                                        continue;
                                int q = rm_fail(top, de->d_name, cfd);
                                r = r ? r : q;
                                continue;
                        }
                        /* de lives in top's stream: push (which copies the name) before closing it */
                        int q = rm_push(&st, &n, &cap, cfd, de->d_name);
                        if (q < 0) {
                                r = q;
                                goto out;
                        }
                        if (n > RM_OPEN_LEVELS) {
                                closedir(st[n - 2].d);
                                st[n - 2].d = NULL;
                        }
                        down = true;
                        break;
                }
                if (down)
                        continue;
                /* top is empty (but for what failed): remove it from its parent */
                if (n == 1) {
                        if (unlinkat(parent, name, AT_REMOVEDIR) < 0 && errno != ENOENT && r == 0)
                                r = -errno;
                        break;
                }
                rm_level *up = &st[n - 2];
                if (!up->d) {
                        int pfd =
                                openat(dirfd(top->d), "..", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                        struct stat s;
                        if (pfd < 0 || fstat(pfd, &s) < 0 || s.st_dev != up->dev || s.st_ino != up->ino) {
                                r = pfd < 0 ? -errno : -ESTALE; /* moved under us */
                                if (pfd >= 0)
                                        close(pfd);
                                goto out;
                        }
                        if (!(up->d = fdopendir(pfd))) {
                                close(pfd);
                                r = -ENOMEM;
                                goto out;
                        }
                }
                rm_level gone = st[--n];
                closedir(steal_pointer(&gone.d));
                if (unlinkat(dirfd(up->d), gone.name, AT_REMOVEDIR) < 0 && errno != ENOENT) {
                        int q = rm_fail(up, gone.name, -errno);
                        r = r ? r : q;
                }
                rm_level_clear(&gone);
        }
out:
        while (n > 0)
                rm_level_clear(&st[--n]);
        free(st);
        return r;
}

static int rm_rf_at(int parent, const char *name) {
        struct stat st;
        if (fstatat(parent, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                return errno == ENOENT ? 0 : -errno;
        if (!S_ISDIR(st.st_mode))
                return unlinkat(parent, name, 0) < 0 && errno != ENOENT ? -errno : 0;
        return rm_tree(parent, name, st.st_dev);
}

int bench_rm_rf_at(int dirfd, const char *name, bench_error **err) {
        int r = rm_rf_at(dirfd, name);
        if (r < 0)
                return bench_error_errno(err, r, "cannot remove %s", name);
        return 0;
}

int bench_rm_rf(const char *path, bench_error **err) {
        int r = rm_rf_at(AT_FDCWD, path);
        if (r < 0)
                return bench_error_errno(err, r, "cannot remove %s", path);
        return 0;
}

int bench_pss_kib(int pid, double *ret_kib, bench_error **err) {
        char path[64];
        snprintf(path, sizeof(path), "/proc/%d/smaps_rollup", pid);
        _cleanup_fclose_ FILE *f = fopen(path, "re");
        if (!f)
                return bench_error_errno(err, errno, "cannot read %s", path);
        char line[256];
        while (fgets(line, sizeof(line), f)) {
                unsigned long long kib;
                if (sscanf(line, "Pss: %llu kB", &kib) == 1) {
                        *ret_kib = (double)kib;
                        return 0;
                }
        }
        return bench_error_set(err, ENODATA, "%s has no Pss line", path);
}

int bench_meminfo_kib(const char *field, uint64_t *ret_kib, bench_error **err) {
        _cleanup_fclose_ FILE *f = fopen("/proc/meminfo", "re");
        if (!f)
                return bench_error_errno(err, errno, "cannot read /proc/meminfo");
        char line[256];
        size_t len = strlen(field);
        while (fgets(line, sizeof(line), f)) {
                unsigned long long kib;
                if (!strncmp(line, field, len) && line[len] == ':' &&
                    sscanf(line + len + 1, " %llu kB", &kib) == 1) {
                        *ret_kib = kib;
                        return 0;
                }
        }
        return bench_error_set(err, ENODATA, "/proc/meminfo has no %s line", field);
}

void bench_reap_stale_dirs(const char *workdir) {
        DIR *d = opendir(workdir);
        if (!d)
                return;
        struct dirent *de;
        while ((de = readdir(d))) {
                int pid = 0, n = 0;
                unsigned k;
                const char *rest;
                if (sscanf(de->d_name, "bench-%d%n", &pid, &n) != 1 || pid <= 0 || pid == getpid())
                        continue;
                rest = de->d_name + n;
                if (*rest == '-' && sscanf(rest, "-%u%n", &k, &n) == 1)
                        rest += n;
                if (rest[0] != '.' || strlen(rest) != 7)
                        continue;
                if (kill(pid, 0) == 0 || errno != ESRCH)
                        continue;
                char *path = NULL;
                if (asprintf(&path, "%s/%s", workdir, de->d_name) >= 0)
                        bench_rm_rf(path, NULL);
                free(path);
        }
        closedir(d);
}

int bench_mkdir_p(const char *path, unsigned mode, bench_error **err) {
        _cleanup_free_ char *p = strdup(path);
        if (!p)
                return bench_error_set(err, ENOMEM, "out of memory");
        for (char *s = p + 1; *s; s++) {
                if (*s != '/')
                        continue;
                *s = '\0';
                if (mkdir(p, (mode_t)mode) < 0 && errno != EEXIST)
                        return bench_error_errno(err, errno, "cannot create %s", p);
                *s = '/';
        }
        if (mkdir(p, (mode_t)mode) < 0 && errno != EEXIST)
                return bench_error_errno(err, errno, "cannot create %s", p);
        /* EEXIST says nothing of what exists: a file there is no dir to write into */
        struct stat st;
        if (stat(p, &st) < 0)
                return bench_error_errno(err, errno, "cannot create %s", p);
        if (!S_ISDIR(st.st_mode))
                return bench_error_set(err, ENOTDIR, "cannot create %s: a file of that name exists", p);
        return 0;
}

int bench_mkdir_parent(const char *path, bench_error **err) {
        _cleanup_free_ char *copy = strdup(path);
        if (!copy)
                return bench_error_set(err, ENOMEM, "out of memory");
        const char *dir = dirname(copy);
        _cleanup_error_ bench_error *merr = NULL;
        if (bench_mkdir_p(dir, 0755, &merr) < 0)
                return bench_error_set(err, merr->code, "cannot write %s: %s", path, merr->msg);
        if (access(dir, W_OK) < 0)
                return bench_error_errno(err, errno, "cannot write %s: %s", path, dir);
        return 0;
}

size_t bench_utf8_char(const char *s, uint32_t *ret) {
        const unsigned char *p = (const unsigned char *)s;
        size_t n;
        uint32_t cp, min;
        if (p[0] < 0x80) {
                *ret = p[0];
                return 1;
        } else if ((p[0] & 0xe0) == 0xc0) {
                n = 2, cp = p[0] & 0x1f, min = 0x80;
        } else if ((p[0] & 0xf0) == 0xe0) {
                n = 3, cp = p[0] & 0x0f, min = 0x800;
        } else if ((p[0] & 0xf8) == 0xf0) {
                n = 4, cp = p[0] & 0x07, min = 0x10000;
        } else
                return 0;
        for (size_t i = 1; i < n; i++) {
                if ((p[i] & 0xc0) != 0x80) /* also stops at the NUL */
                        return 0;
                cp = cp << 6 | (p[i] & 0x3f);
        }
        if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
                return 0;
        *ret = cp;
        return n;
}

void bench_put_xml(FILE *f, const char *s) {
        for (const unsigned char *p = (const unsigned char *)s; p && *p; p++) {
                switch (*p) {
                case '&':
                        fputs("&amp;", f);
                        break;
                case '<':
                        fputs("&lt;", f);
                        break;
                case '>':
                        fputs("&gt;", f);
                        break;
                case '"':
                        fputs("&quot;", f);
                        break;
                case '\'':
                        fputs("&#39;", f);
                        break;
                case '\t':
                case '\n':
                case '\r':
                        fprintf(f, "&#%d;", *p);
                        break;
                default: {
                        if (*p < 0x20)
                                break;
                        uint32_t cp;
                        size_t n = bench_utf8_char((const char *)p, &cp);
                        /* bytes that are not UTF-8, and U+FFFE/U+FFFF, make the whole document invalid */
                        if (n == 0 || cp == 0xfffe || cp == 0xffff) {
                                fputs("\xef\xbf\xbd", f); /* U+FFFD */
                                p += n ? n - 1 : 0;
                                break;
                        }
                        fwrite(p, 1, n, f);
                        p += n - 1;
                        break;
                }
                }
        }
}

static void put_text(FILE *f, const unsigned char *p, unsigned flags) {
        for (; p && *p; p++) {
                uint32_t cp;
                size_t n;
                if ((flags & BENCH_TEXT_KEEP_LINES) && (*p == '\n' || *p == '\t'))
                        fputc(*p, f);
                else if (*p < 0x20 || *p == 0x7f)
                        fprintf(f, "\\x%02x", *p);
                else if (*p < 0x80)
                        fputc(*p, f);
                else if ((n = bench_utf8_char((const char *)p, &cp)) ==
                         0) /* not UTF-8: a lone 0x9b is CSI on an 8-bit terminal */
                        fprintf(f, "\\x%02x", *p);
                else if (cp >= 0x80 && cp <= 0x9f) { /* U+0080..U+009F: C1 controls (U+009B is CSI) */
                        fprintf(f, "\\u%04x", (unsigned)cp);
                        p += n - 1;
                } else {
                        fwrite(p, 1, n, f);
                        p += n - 1;
                }
        }
}

void bench_put_text(FILE *f, const char *s, unsigned flags) {
        put_text(f, (const unsigned char *)s, flags);
}

void bench_eprint_safe(const char *fmt, ...) {
        char *line = NULL;
        va_list ap;
        va_start(ap, fmt);
        int r = vasprintf(&line, fmt, ap);
        va_end(ap);
        if (r >= 0)
                bench_put_text(stderr, line, BENCH_TEXT_KEEP_LINES);
        free(line);
}

char *bench_escape_text(const char *s, unsigned flags) {
        char *buf = NULL;
        size_t len = 0;
        FILE *m = open_memstream(&buf, &len);
        if (!m)
                return NULL;
        put_text(m, (const unsigned char *)(s ? s : ""), flags);
        if (ferror(m) | fclose(m)) {
                free(buf);
                return NULL;
        }
        return buf;
}

/* off < 0: write(2) at the file offset */
static int write_loop(int fd, const char *p, size_t len, int64_t off) {
        while (len > 0) {
                ssize_t n = off < 0 ? write(fd, p, len) : pwrite(fd, p, len, (off_t)off);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                if (n == 0)
                        return -EIO;
                p += n;
                len -= (size_t)n;
                if (off >= 0)
                        off += n;
        }
        return 0;
}

int bench_write_all(int fd, const void *buf, size_t len) {
        return write_loop(fd, buf, len, -1);
}

int bench_pwrite_all(int fd, const void *buf, size_t len, uint64_t off) {
        return write_loop(fd, buf, len, (int64_t)off);
}

ssize_t bench_pread_all(int fd, void *buf, size_t len, uint64_t off) {
        char *p = buf;
        size_t done = 0;
        while (done < len) {
                ssize_t n = pread(fd, p + done, len - done, (off_t)(off + done));
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                if (n == 0)
                        break;
                done += (size_t)n;
        }
        return (ssize_t)done;
}

int bench_find_program(const char *name, unsigned flags, char **ret_path) {
        const char *path = getenv("PATH");
        _cleanup_free_ char *dirs = NULL;
        if (asprintf(&dirs, "%s%s", path ? path : "/usr/local/bin:/usr/bin:/bin",
                     flags & BENCH_FIND_SBIN ? ":/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
                                             : "") < 0)
                return -ENOMEM;
        char *save = NULL;
        for (char *d = strtok_r(dirs, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
                if (d[0] != '/')
                        continue;
                _cleanup_free_ char *p = NULL;
                if (asprintf(&p, "%s/%s", d, name) < 0)
                        return -ENOMEM;
                struct stat st;
                if (stat(p, &st) == 0 && S_ISREG(st.st_mode) && access(p, X_OK) == 0) {
                        *ret_path = steal_pointer(&p);
                        return 0;
                }
        }
        return -ENOENT;
}

void bench_strv_free(char **v) {
        for (size_t i = 0; v && v[i]; i++)
                free(v[i]);
        free(v);
}

char **bench_dir_names(DIR *d, bool (*keep)(const struct dirent *de)) {
        size_t n = 0, cap = 8;
        char **names = calloc(cap + 1, sizeof(char *));
        struct dirent *de;
        while (names && (de = readdir(d))) {
                if (keep ? !keep(de) : (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..")))
                        continue;
                if (n == cap) {
                        char **nn = realloc(names, (2 * cap + 1) * sizeof(char *));
                        if (!nn)
                                break;
                        names = nn;
                        cap *= 2;
                }
                if (!(names[n] = strdup(de->d_name)))
                        break;
                names[++n] = NULL;
        }
        return names;
}

void bench_keep_tail(char *buf, size_t len, const char *data, size_t n) {
        if (!buf || len == 0)
                return;
        size_t cur = strlen(buf), cap = len - 1;
        if (n >= cap) {
                memcpy(buf, data + n - cap, cap);
                buf[cap] = '\0';
                return;
        }
        if (cur + n > cap) {
                size_t drop = cur + n - cap;
                memmove(buf, buf + drop, cur - drop);
                cur -= drop;
        }
        memcpy(buf + cur, data, n);
        buf[cur + n] = '\0';
}

static const char base64_chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

void bench_base64_encode(const void *in, size_t n, char *out) {
        const unsigned char *b = in;
        size_t o = 0;
        for (size_t i = 0; i < n; i += 3) {
                unsigned v = (unsigned)b[i] << 16 | (i + 1 < n ? (unsigned)b[i + 1] << 8 : 0) |
                             (i + 2 < n ? b[i + 2] : 0);
                out[o++] = base64_chars[v >> 18 & 63];
                out[o++] = base64_chars[v >> 12 & 63];
                out[o++] = i + 1 < n ? base64_chars[v >> 6 & 63] : '=';
                out[o++] = i + 2 < n ? base64_chars[v & 63] : '=';
        }
        out[o] = '\0';
}

static int base64_value(char c) {
        const char *p = c ? strchr(base64_chars, c) : NULL;
        return p ? (int)(p - base64_chars) : -1;
}

int bench_base64_decode(const char *s, void *out, size_t *ret_len) {
        unsigned char *o = out;
        size_t n = strlen(s), len = 0;
        if (n % 4)
                return -EINVAL;
        for (size_t i = 0; i < n; i += 4) {
                int v[4];
                size_t pad = 0;
                for (int k = 0; k < 4; k++) {
                        /* '=' only at the end of the last group, and only in its last two places */
                        if (s[i + k] == '=' && i + 4 == n && k >= 2) {
                                v[k] = 0;
                                pad++;
                        } else if (pad || (v[k] = base64_value(s[i + k])) < 0)
                                return -EINVAL;
                }
                unsigned x =
                        (unsigned)v[0] << 18 | (unsigned)v[1] << 12 | (unsigned)v[2] << 6 | (unsigned)v[3];
                unsigned char group[3] = {(unsigned char)(x >> 16), (unsigned char)(x >> 8),
                                          (unsigned char)x};
                memcpy(o + len, group, 3 - pad);
                len += 3 - pad;
        }
        *ret_len = len;
        return 0;
}

int bench_thread_start(void *thread, void *(*fn)(void *), void *arg) {
        sigset_t all, old;
        sigfillset(&all);
        pthread_sigmask(SIG_BLOCK, &all, &old);
        int e = pthread_create((pthread_t *)thread, NULL, fn, arg);
        pthread_sigmask(SIG_SETMASK, &old, NULL);
        return e;
}

bool bench_cap_effective(unsigned cap) {
        _cleanup_free_ char *status = NULL;
        if (cap >= 64 || bench_read_file("/proc/self/status", &status, NULL, NULL) < 0)
                return false;
        const char *line = strstr(status, "\nCapEff:");
        unsigned long long eff = 0;
        return line && sscanf(line + 8, "%llx", &eff) == 1 && (eff >> cap & 1);
}
