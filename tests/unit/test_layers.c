/* SPDX-License-Identifier: MIT */
/*
 * The layer store against the real kernel: synthesized layouts, flatten
 * checked against overlayfs itself, imports of OCI layouts and docker-save
 * tarballs written here with libarchive, and malicious tarballs refused.
 * Whiteouts and trusted xattrs need root: skipped otherwise.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>

#include "../../common/cleanup.h"
#include "../../common/util.h"
#include "../../runtimes/container/kind.h"
#include "../../runtimes/driver.h"
#include "../../runtimes/layers/layers.h"

static char base[64];   /* the test's temp dir */
static char store[300]; /* its layer store */
static lay_stack synth_stack;

#define MAYBE_SKIP()                                                                                         \
        do {                                                                                                 \
                if (geteuid() != 0) {                                                                        \
                        print_message("skipped: whiteouts and trusted.* xattrs need root\n");                \
                        skip();                                                                              \
                }                                                                                            \
        } while (0)

/* helpers */

static char *read_all(const char *path, size_t *ret_len) {
        char *data = NULL;
        size_t len = 0;
        if (bench_read_file(path, &data, &len, NULL) < 0)
                return NULL;
        if (ret_len)
                *ret_len = len;
        return data;
}

static void write_all(const char *path, const char *data, size_t len) {
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        assert_true(fd >= 0);
        assert_int_equal(write(fd, data, len), (ssize_t)len);
        close(fd);
}

static uint64_t fnv(const char *p, size_t n) {
        uint64_t h = 0xcbf29ce484222325ull;
        for (size_t i = 0; i < n; i++)
                h = (h ^ (unsigned char)p[i]) * 0x100000001b3ull;
        return h;
}

/* A sorted listing of a tree: "TYPE MODE path extra" per entry; extra = content hash, link target, rdev. */
typedef struct listing {
        char **lines;
        size_t n;
} listing;

static void listing_add(listing *l, char *line) {
        l->lines = realloc(l->lines, (l->n + 1) * sizeof(char *));
        l->lines[l->n++] = line;
}

static int cmp_lines(const void *a, const void *b) {
        return strcmp(*(char *const *)a, *(char *const *)b);
}

static void walk(const char *root, const char *rel, listing *l, bool with_content) {
        char path[4096];
        snprintf(path, sizeof(path), "%s%s%s", root, *rel ? "/" : "", rel);
        DIR *d = opendir(path);
        if (!d)
                return;
        struct dirent *de;
        while ((de = readdir(d))) {
                if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
                        continue;
                char r2[4096], p2[8192], *line = NULL;
                snprintf(r2, sizeof(r2), "%s%s%s", rel, *rel ? "/" : "", de->d_name);
                snprintf(p2, sizeof(p2), "%s/%s", root, r2);
                struct stat st;
                if (lstat(p2, &st) < 0)
                        continue;
                unsigned mode = st.st_mode & 07777;
                if (S_ISDIR(st.st_mode)) {
                        asprintf(&line, "d %o %s", mode, r2);
                        listing_add(l, line);
                        walk(root, r2, l, with_content);
                } else if (S_ISREG(st.st_mode)) {
                        size_t len = 0;
                        char *data = with_content ? read_all(p2, &len) : NULL;
                        if (data && len < 40 && !memchr(data, '\n', len))
                                asprintf(&line, "f %o %s =%s", mode, r2, data);
                        else
                                asprintf(&line, "f %o %s %zu:%016llx", mode, r2, (size_t)st.st_size,
                                         data ? (unsigned long long)fnv(data, len) : 0ull);
                        free(data);
                        listing_add(l, line);
                } else if (S_ISLNK(st.st_mode)) {
                        char t[4096];
                        ssize_t n = readlink(p2, t, sizeof(t) - 1);
                        t[n < 0 ? 0 : n] = '\0';
                        asprintf(&line, "l %s -> %s", r2, t);
                        listing_add(l, line);
                } else if (S_ISCHR(st.st_mode)) {
                        asprintf(&line, "c %s %u/%u", r2, major(st.st_rdev), minor(st.st_rdev));
                        listing_add(l, line);
                } else {
                        asprintf(&line, "? %s", r2);
                        listing_add(l, line);
                }
        }
        closedir(d);
}

static char *tree(const char *root, bool with_content) {
        listing l = {0};
        walk(root, "", &l, with_content);
        qsort(l.lines, l.n, sizeof(char *), cmp_lines);
        size_t total = 1;
        for (size_t i = 0; i < l.n; i++)
                total += strlen(l.lines[i]) + 1;
        char *s = calloc(1, total), *p = s;
        for (size_t i = 0; i < l.n; i++) {
                p = stpcpy(p, l.lines[i]);
                *p++ = '\n';
                free(l.lines[i]);
        }
        free(l.lines);
        return s;
}

/* The names in the store, dot entries included: nothing may be left behind. */
static char *store_names(void) {
        listing l = {0};
        DIR *d = opendir(store);
        struct dirent *de;
        while (d && (de = readdir(d)))
                if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
                        listing_add(&l, strdup(de->d_name));
        if (d)
                closedir(d);
        qsort(l.lines, l.n, sizeof(char *), cmp_lines);
        char *s = calloc(1, 1);
        for (size_t i = 0; i < l.n; i++) {
                char *t = NULL;
                asprintf(&t, "%s%s ", s, l.lines[i]);
                free(s);
                free(l.lines[i]);
                s = t;
        }
        free(l.lines);
        return s;
}

static bool exists(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static bool exists(const char *fmt, ...) {
        char p[4096];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(p, sizeof(p), fmt, ap);
        va_end(ap);
        struct stat st;
        return lstat(p, &st) == 0;
}

/* synthesized stacks */

static const uint64_t small_big[] = {4096};
static const lay_synth small = {.layers = 3,
                                .files = 6,
                                .dirs = 2,
                                .size = 100,
                                .big = small_big,
                                .n_big = 1,
                                .copy_files = 2,
                                .seed = 42};

static void test_synth_layout(void **state) {
        MAYBE_SKIP();
        _cleanup_error_ bench_error *err = NULL;
        int r = lay_synthesize(&small, &synth_stack, &err);
        if (r < 0)
                fail_msg("%s", err->msg);
        /*
         * FNV-1a 64 of the canonical parameters, by python3:
         * s=b'synth v1 layers=3 files=6 dirs=2 size=100 big=4096 copy_files=2 seed=42 shadow=8'
         * h=0xcbf29ce484222325; for c in s: h^=c; h=(h*0x100000001b3)&(2**64-1)
         */
        assert_string_equal(synth_stack.id, "8257681d66736a51");
        assert_int_equal(synth_stack.n_layers, 3);
        char want_dir[400];
        snprintf(want_dir, sizeof(want_dir), "%s/8257681d66736a51", store);
        assert_string_equal(synth_stack.dir, want_dir);
        assert_true(strstr(synth_stack.layers[0], "/l/1") != NULL);

        /* the middle layer (k = 2, depth 2), entry by entry, written by hand from layers.h */
        _cleanup_free_ char *mid = tree(synth_stack.layers[1], false);
        const char *want = "c bench/depth-3/gone 0/0\n"
                           "d 755 bench\n"
                           "d 755 bench/depth-2\n"
                           "d 755 bench/depth-2/big\n"
                           "d 755 bench/depth-2/copy\n"
                           "d 755 bench/depth-2/copy/4K\n"
                           "d 755 bench/depth-2/files\n"
                           "d 755 bench/depth-2/files/d0\n"
                           "d 755 bench/depth-2/files/d1\n"
                           "d 755 bench/depth-3\n"
                           "d 755 bench/opaque\n"
                           "d 755 bench/shadow\n"
                           "f 644 bench/depth-2/big/4K 4096:0000000000000000\n"
                           "f 644 bench/depth-2/copy/4K/c0 4096:0000000000000000\n"
                           "f 644 bench/depth-2/copy/4K/c1 4096:0000000000000000\n"
                           "f 644 bench/depth-2/files/d0/f0 100:0000000000000000\n"
                           "f 644 bench/depth-2/files/d0/f2 100:0000000000000000\n"
                           "f 644 bench/depth-2/files/d0/f4 100:0000000000000000\n"
                           "f 644 bench/depth-2/files/d1/f1 100:0000000000000000\n"
                           "f 644 bench/depth-2/files/d1/f3 100:0000000000000000\n"
                           "f 644 bench/depth-2/files/d1/f5 100:0000000000000000\n"
                           "f 644 bench/depth-2/gone 100:0000000000000000\n"
                           "f 644 bench/opaque/o2 100:0000000000000000\n"
                           "f 644 bench/shadow/s0 100:0000000000000000\n"
                           "f 644 bench/shadow/s1 100:0000000000000000\n"
                           "f 644 bench/shadow/s2 100:0000000000000000\n"
                           "f 644 bench/shadow/s3 100:0000000000000000\n"
                           "f 644 bench/shadow/s4 100:0000000000000000\n"
                           "f 644 bench/shadow/s5 100:0000000000000000\n"
                           "f 644 bench/shadow/s6 100:0000000000000000\n"
                           "f 644 bench/shadow/s7 100:0000000000000000\n";
        assert_string_equal(mid, want);

        /* bottom: no whiteout (nothing below), top: depth-2/gone whited out, opaque dir */
        const char *l1 = synth_stack.layers[0], *l3 = synth_stack.layers[2];
        assert_false(exists("%s/bench/depth-4", l1));
        assert_true(exists("%s/bench/depth-3/files/d1/f5", l1));
        struct stat st;
        char p[4096], v[8];
        snprintf(p, sizeof(p), "%s/bench/depth-2/gone", l3);
        assert_int_equal(lstat(p, &st), 0);
        assert_true(S_ISCHR(st.st_mode));
        assert_int_equal(st.st_rdev, makedev(0, 0));
        snprintf(p, sizeof(p), "%s/bench/opaque", l3);
        assert_int_equal(lgetxattr(p, "trusted.overlay.opaque", v, sizeof(v)), 1);
        assert_int_equal(v[0], 'y');
        snprintf(p, sizeof(p), "%s/bench/opaque", synth_stack.layers[1]);
        assert_int_equal(lgetxattr(p, "trusted.overlay.opaque", v, sizeof(v)), -1);
        assert_int_equal(errno, ENODATA);

        /* contents: named by their header, and different per layer */
        snprintf(p, sizeof(p), "%s/bench/shadow/s0", l3);
        _cleanup_free_ char *s3 = read_all(p, NULL);
        snprintf(p, sizeof(p), "%s/bench/shadow/s0", l1);
        _cleanup_free_ char *s1 = read_all(p, NULL);
        assert_non_null(s3);
        assert_non_null(s1);
        assert_memory_equal(s3, "bench-synth seed=42 layer=3 bench/shadow/s0\n", 44);
        assert_memory_equal(s1, "bench-synth seed=42 layer=1 bench/shadow/s0\n", 44);
        assert_memory_not_equal(s1 + 44, s3 + 44, 56);

        /* a cache hit: same id, the very same directory (no rebuild) */
        struct stat m1, m2;
        snprintf(p, sizeof(p), "%s/meta.json", synth_stack.dir);
        assert_int_equal(stat(p, &m1), 0);
        lay_stack again = {0};
        assert_int_equal(lay_synthesize(&small, &again, NULL), 0);
        assert_string_equal(again.id, synth_stack.id);
        assert_int_equal(stat(p, &m2), 0);
        assert_int_equal(m1.st_ino, m2.st_ino);
        lay_stack_clear(&again);

        /* same parameters, other seed: another stack with other bytes */
        lay_synth other = small;
        other.seed = 43;
        assert_int_equal(lay_synthesize(&other, &again, NULL), 0);
        assert_string_not_equal(again.id, synth_stack.id);
        snprintf(p, sizeof(p), "%s/bench/shadow/s0", again.layers[2]);
        _cleanup_free_ char *o3 = read_all(p, NULL);
        assert_memory_not_equal(o3 + 44, s3 + 44, 56);
        assert_int_equal(lay_remove(again.id, NULL), 0);
        lay_stack_clear(&again);

        /* bad parameters are refused with the name of the field */
        lay_synth bad = small;
        bad.layers = 501;
        _cleanup_error_ bench_error *e2 = NULL;
        assert_int_equal(lay_synthesize(&bad, &again, &e2), -EINVAL);
        assert_non_null(strstr(e2->msg, "layers: 501"));
}

static void test_flatten(void **state) {
        MAYBE_SKIP();
        assert_non_null(synth_stack.id);
        _cleanup_free_ char *flat = NULL, *flat2 = NULL;
        _cleanup_error_ bench_error *err = NULL;
        if (lay_flatten(&synth_stack, 0, &flat, &err) < 0)
                fail_msg("%s", err->msg);
        char want[512];
        snprintf(want, sizeof(want), "%s/flat", synth_stack.dir);
        assert_string_equal(flat, want);
        const char *l1 = synth_stack.layers[0], *l3 = synth_stack.layers[2];
        char a[4096], b[4096];
        for (int i = 0; i < 8; i++) {
                snprintf(a, sizeof(a), "%s/bench/shadow/s%d", flat, i);
                snprintf(b, sizeof(b), "%s/bench/shadow/s%d", l3, i);
                _cleanup_free_ char *fa = read_all(a, NULL), *fb = read_all(b, NULL);
                assert_non_null(fa);
                assert_non_null(fb);
                assert_memory_equal(fa, fb, 100);
        }
        snprintf(a, sizeof(a), "%s/bench/depth-3/files/d0/f4", flat);
        snprintf(b, sizeof(b), "%s/bench/depth-3/files/d0/f4", l1);
        _cleanup_free_ char *fa = read_all(a, NULL), *fb = read_all(b, NULL);
        assert_memory_equal(fa, fb, 100);
        assert_false(exists("%s/bench/depth-3/gone", flat));
        assert_false(exists("%s/bench/depth-2/gone", flat));
        assert_true(exists("%s/bench/depth-1/gone", flat));
        snprintf(a, sizeof(a), "%s/bench/opaque", flat);
        _cleanup_free_ char *op = tree(a, false);
        assert_string_equal(op, "f 644 o3 100:0000000000000000\n");
        /* no whiteout and no opaque marker in a flat tree */
        _cleanup_free_ char *all = tree(flat, false);
        assert_null(strstr(all, "\nc "));
        char v[4];
        assert_int_equal(lgetxattr(a, "trusted.overlay.opaque", v, sizeof(v)), -1);

        /* layers 1..2 only: layer 2's gone is still there, its opaque dir is not opaque */
        if (lay_flatten(&synth_stack, 2, &flat2, &err) < 0)
                fail_msg("%s", err->msg);
        snprintf(want, sizeof(want), "%s/flat-2", synth_stack.dir);
        assert_string_equal(flat2, want);
        assert_true(exists("%s/bench/depth-2/gone", flat2));
        assert_false(exists("%s/bench/depth-3/gone", flat2));
        assert_false(exists("%s/bench/depth-1", flat2));
        snprintf(a, sizeof(a), "%s/bench/opaque", flat2);
        _cleanup_free_ char *op2 = tree(a, false);
        assert_string_equal(op2, "f 644 o1 100:0000000000000000\nf 644 o2 100:0000000000000000\n");
        snprintf(a, sizeof(a), "%s/bench/shadow/s0", flat2);
        _cleanup_free_ char *s0 = read_all(a, NULL);
        assert_memory_equal(s0, "bench-synth seed=42 layer=2 bench/shadow/s0\n", 44);

        /* built once */
        struct stat s1, s2;
        assert_int_equal(stat(flat, &s1), 0);
        _cleanup_free_ char *again = NULL;
        assert_int_equal(lay_flatten(&synth_stack, 3, &again, NULL), 0);
        assert_string_equal(again, flat);
        assert_int_equal(stat(again, &s2), 0);
        assert_int_equal(s1.st_ino, s2.st_ino);
        assert_int_equal(lay_flatten(&synth_stack, 4, &again, NULL), -EINVAL);
}

/*
 * In a child with a private mount namespace: overlayfs over the stack's
 * layers must show exactly the flat tree; a write copies up and leaves the
 * lower file alone. Returns a message on failure (child side: exit 1).
 */
static void overlay_check(const lay_stack *s, const char *flat, const char *copy_rel) {
        char upper[512], work[512], mnt[512];
        snprintf(upper, sizeof(upper), "%s/ovl-upper", base);
        snprintf(work, sizeof(work), "%s/ovl-work", base);
        snprintf(mnt, sizeof(mnt), "%s/ovl-mnt", base);
        bench_rm_rf(upper, NULL);
        bench_rm_rf(work, NULL);
        assert_int_equal(mkdir(upper, 0755), 0);
        assert_int_equal(mkdir(work, 0755), 0);
        mkdir(mnt, 0755);
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) {
                        fprintf(stderr, "unshare/private: %s\n", strerror(errno));
                        _exit(2);
                }
                char opts[8192];
                int n = snprintf(opts, sizeof(opts), "lowerdir=");
                for (size_t i = s->n_layers; i-- > 0;)
                        n += snprintf(opts + n, sizeof(opts) - (size_t)n, "%s%s", s->layers[i], i ? ":" : "");
                snprintf(opts + n, sizeof(opts) - (size_t)n, ",upperdir=%s,workdir=%s", upper, work);
                if (mount("overlay", mnt, "overlay", 0, opts) < 0) {
                        fprintf(stderr, "mount overlay %s: %s\n", opts, strerror(errno));
                        _exit(2);
                }
                char *merged = tree(mnt, true), *flat_tree = tree(flat, true);
                if (strcmp(merged, flat_tree) != 0) {
                        fprintf(stderr, "overlay shows:\n%s\nflat has:\n%s\n", merged, flat_tree);
                        _exit(1);
                }
                if (copy_rel) {
                        char lower[4096], via[4096], up[4096];
                        snprintf(lower, sizeof(lower), "%s/%s", s->layers[0], copy_rel);
                        snprintf(via, sizeof(via), "%s/%s", mnt, copy_rel);
                        snprintf(up, sizeof(up), "%s/%s", upper, copy_rel);
                        size_t len0 = 0, len1 = 0, len2 = 0;
                        char *before = read_all(lower, &len0);
                        int fd = open(via, O_WRONLY | O_APPEND | O_CLOEXEC);
                        if (!before || fd < 0 || write(fd, "X", 1) != 1) {
                                fprintf(stderr, "copy-up write to %s: %s\n", via, strerror(errno));
                                _exit(1);
                        }
                        close(fd);
                        char *after = read_all(lower, &len1), *copy = read_all(up, &len2);
                        if (!after || len1 != len0 || memcmp(before, after, len0) != 0) {
                                fprintf(stderr, "the lower file %s changed\n", lower);
                                _exit(1);
                        }
                        if (!copy || len2 != len0 + 1 || memcmp(copy, before, len0) != 0 ||
                            copy[len0] != 'X') {
                                fprintf(stderr, "no copy of %s in the upper dir\n", copy_rel);
                                _exit(1);
                        }
                }
                _exit(0);
        }
        int status = 0;
        assert_int_equal(waitpid(pid, &status, 0), pid);
        assert_true(WIFEXITED(status));
        assert_int_equal(WEXITSTATUS(status), 0);
        bench_rm_rf(upper, NULL);
        bench_rm_rf(work, NULL);
}

static void test_overlay_matches_flat(void **state) {
        MAYBE_SKIP();
        assert_non_null(synth_stack.id);
        _cleanup_free_ char *flat = NULL;
        assert_int_equal(lay_flatten(&synth_stack, 0, &flat, NULL), 0);
        overlay_check(&synth_stack, flat, "bench/depth-3/files/d0/f0");
}

/* images written here */

typedef struct tentry {
        char type; /* d dir, f file, l symlink, h hard link */
        const char *name;
        const char *data; /* file data, link target */
        unsigned mode;
        size_t len; /* of data, 0 = strlen */
} tentry;

enum { PLAIN, GZIP, ZSTD };

static void write_tar(const char *path, int filter, const tentry *e, size_t n) {
        struct archive *a = archive_write_new();
        assert_non_null(a);
        assert_int_equal(archive_write_set_format_pax_restricted(a), ARCHIVE_OK);
        if (filter == GZIP)
                assert_int_equal(archive_write_add_filter_gzip(a), ARCHIVE_OK);
        if (filter == ZSTD)
                assert_int_equal(archive_write_add_filter_zstd(a), ARCHIVE_OK);
        assert_int_equal(archive_write_open_filename(a, path), ARCHIVE_OK);
        for (size_t i = 0; i < n; i++) {
                struct archive_entry *ae = archive_entry_new();
                archive_entry_set_pathname(ae, e[i].name);
                archive_entry_set_perm(ae, e[i].mode ? e[i].mode : 0644);
                archive_entry_set_mtime(ae, 1700000000, 0);
                size_t len = 0;
                switch (e[i].type) {
                case 'd':
                        archive_entry_set_filetype(ae, AE_IFDIR);
                        archive_entry_set_perm(ae, e[i].mode ? e[i].mode : 0755);
                        break;
                case 'l':
                        archive_entry_set_filetype(ae, AE_IFLNK);
                        archive_entry_set_symlink(ae, e[i].data);
                        break;
                case 'h':
                        archive_entry_set_filetype(ae, AE_IFREG);
                        archive_entry_set_hardlink(ae, e[i].data);
                        break;
                default:
                        archive_entry_set_filetype(ae, AE_IFREG);
                        len = e[i].len ? e[i].len : e[i].data ? strlen(e[i].data) : 0;
                        archive_entry_set_size(ae, (la_int64_t)len);
                }
                assert_int_equal(archive_write_header(a, ae), ARCHIVE_OK);
                if (len)
                        assert_int_equal(archive_write_data(a, e[i].data, len), (la_ssize_t)len);
                archive_entry_free(ae);
        }
        assert_int_equal(archive_write_close(a), ARCHIVE_OK);
        archive_write_free(a);
}

static bool zstd_writes(void) {
        struct archive *a = archive_write_new();
        bool ok = archive_write_add_filter_zstd(a) == ARCHIVE_OK;
        archive_write_free(a);
        return ok;
}

/* sha256 of a file by coreutils: an implementation independent of bench */
static void sha256_file(const char *path, char hex[65]) {
        char cmd[4200];
        snprintf(cmd, sizeof(cmd), "sha256sum '%s'", path);
        FILE *p = popen(cmd, "r");
        assert_non_null(p);
        assert_int_equal(fscanf(p, "%64s", hex), 1);
        pclose(p);
        assert_int_equal(strlen(hex), 64);
}

/* Moves file into dir/blobs/sha256/ under its digest. */
static void add_blob(const char *dir, const char *file, char digest[80], long *size) {
        char hex[65], to[4096];
        struct stat st;
        sha256_file(file, hex);
        assert_int_equal(stat(file, &st), 0);
        *size = (long)st.st_size;
        snprintf(to, sizeof(to), "%s/blobs/sha256/%s", dir, hex);
        assert_int_equal(rename(file, to), 0);
        snprintf(digest, 80, "sha256:%s", hex);
}

typedef struct tlayer {
        const tentry *entries;
        size_t n;
        int filter;
} tlayer;

static const char *filter_media(int filter) {
        return filter == GZIP   ? "application/vnd.oci.image.layer.v1.tar+gzip"
               : filter == ZSTD ? "application/vnd.oci.image.layer.v1.tar+zstd"
                                : "application/vnd.oci.image.layer.v1.tar";
}

static void write_oci(const char *dir, const tlayer *layers, size_t n) {
        char p[4096], tmp[4096];
        assert_int_equal(mkdir(dir, 0755), 0);
        snprintf(p, sizeof(p), "%s/blobs", dir);
        assert_int_equal(mkdir(p, 0755), 0);
        snprintf(p, sizeof(p), "%s/blobs/sha256", dir);
        assert_int_equal(mkdir(p, 0755), 0);
        char ldesc[4096] = "", diff_ids[4096] = "";
        for (size_t i = 0; i < n; i++) {
                char digest[80], plain[80];
                long size, psize;
                snprintf(tmp, sizeof(tmp), "%s/plain.tar", dir);
                write_tar(tmp, PLAIN, layers[i].entries, layers[i].n);
                add_blob(dir, tmp, plain, &psize);
                if (layers[i].filter != PLAIN) {
                        snprintf(tmp, sizeof(tmp), "%s/layer.tar", dir);
                        write_tar(tmp, layers[i].filter, layers[i].entries, layers[i].n);
                        add_blob(dir, tmp, digest, &size);
                } else {
                        snprintf(digest, sizeof(digest), "%s", plain);
                        size = psize;
                }
                size_t l = strlen(ldesc);
                snprintf(ldesc + l, sizeof(ldesc) - l,
                         "%s{\"mediaType\":\"%s\",\"digest\":\"%s\",\"size\":%ld}", i ? "," : "",
                         filter_media(layers[i].filter), digest, size);
                l = strlen(diff_ids);
                snprintf(diff_ids + l, sizeof(diff_ids) - l, "%s\"%s\"", i ? "," : "", plain);
        }
        char json[16384], cdigest[80], mdigest[80];
        long csize, msize;
        snprintf(json, sizeof(json),
                 "{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":["
                 "%s]}}",
                 diff_ids);
        snprintf(tmp, sizeof(tmp), "%s/config.json", dir);
        write_all(tmp, json, strlen(json));
        add_blob(dir, tmp, cdigest, &csize);
        snprintf(json, sizeof(json),
                 "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
                 "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"%s\","
                 "\"size\":%ld},\"layers\":[%s]}",
                 cdigest, csize, ldesc);
        snprintf(tmp, sizeof(tmp), "%s/manifest.json", dir);
        write_all(tmp, json, strlen(json));
        add_blob(dir, tmp, mdigest, &msize);
        snprintf(json, sizeof(json),
                 "{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\"application/"
                 "vnd.oci.image.manifest.v1+json\","
                 "\"digest\":\"%s\",\"size\":%ld,\"platform\":{\"os\":\"linux\",\"architecture\":\"amd64\"}}]"
                 "}",
                 mdigest, msize);
        snprintf(p, sizeof(p), "%s/index.json", dir);
        write_all(p, json, strlen(json));
        snprintf(p, sizeof(p), "%s/oci-layout", dir);
        write_all(p, "{\"imageLayoutVersion\":\"1.0.0\"}", 30);
}

/* A docker save tarball: <i>/layer.tar members, config, and manifest.json last as docker writes it. */
static void write_docker_save(const char *path, const tlayer *layers, size_t n) {
        char tmp[4096], dirs[8][16], names[8][40], manifest[1024];
        char *data[8];
        tentry outer[20];
        size_t k = 0;
        assert_true(n <= 8);
        int m = snprintf(manifest, sizeof(manifest),
                         "[{\"Config\":\"config.json\",\"RepoTags\":[\"t:1\"],\"Layers\":[");
        for (size_t i = 0; i < n; i++) {
                snprintf(tmp, sizeof(tmp), "%s.layer%zu", path, i);
                write_tar(tmp, PLAIN, layers[i].entries, layers[i].n);
                size_t len = 0;
                data[i] = read_all(tmp, &len);
                unlink(tmp);
                snprintf(dirs[i], sizeof(dirs[i]), "l%u", (unsigned)i);
                snprintf(names[i], sizeof(names[i]), "%s/layer.tar", dirs[i]);
                outer[k++] = (tentry){'d', dirs[i], NULL, 0755};
                outer[k++] = (tentry){'f', names[i], data[i], 0644, len};
                m += snprintf(manifest + m, sizeof(manifest) - (size_t)m, "%s\"%s\"", i ? "," : "", names[i]);
        }
        snprintf(manifest + m, sizeof(manifest) - (size_t)m, "]}]");
        outer[k++] = (tentry){'f', "config.json", "{\"rootfs\":{\"type\":\"layers\"}}", 0644};
        outer[k++] = (tentry){'f', "manifest.json", manifest, 0644};
        write_tar(path, PLAIN, outer, k);
        for (size_t i = 0; i < n; i++)
                free(data[i]);
}

static const tentry base_layer[] = {
        {'d', "bin", NULL, 0755},
        {'f', "bin/busybox", "busybox-binary", 0755},
        {'l', "bin/sh", "/bin/busybox", 0},
        {'h', "bin/ash", "bin/busybox", 0},
        {'d', "etc", NULL, 0755},
        {'f', "etc/hostname", "old", 0644},
        {'f', "etc/delete-me", "x", 0600},
        {'d', "usr/", NULL, 0755},
        {'d', "usr/share/doc", NULL, 0755},
        {'f', "usr/share/doc/a", "a", 0644},
        {'f', "usr/share/doc/b", "b", 0644},
        {'f', "./root-file", "dot", 0640},
};
static const tentry top_layer[] = {
        {'f', "etc/.wh.delete-me", NULL, 0644}, {'f', "etc/hostname", "new", 0644},
        {'d', "usr/share/doc", NULL, 0755},     {'f', "usr/share/doc/.wh..wh..opq", NULL, 0644},
        {'f', "usr/share/doc/c", "c", 0644},    {'l', "bin/sh2", "busybox", 0},
};
/* what the image shows, by hand (symlink modes are not listed) */
static const char image_tree[] = "d 755 bin\n"
                                 "d 755 etc\n"
                                 "d 755 usr\n"
                                 "d 755 usr/share\n"
                                 "d 755 usr/share/doc\n"
                                 "f 640 root-file =dot\n"
                                 "f 644 etc/hostname =new\n"
                                 "f 644 usr/share/doc/c =c\n"
                                 "f 755 bin/ash =busybox-binary\n"
                                 "f 755 bin/busybox =busybox-binary\n"
                                 "l bin/sh -> /bin/busybox\n"
                                 "l bin/sh2 -> busybox\n";

static void check_image(const lay_stack *s) {
        assert_int_equal(s->n_layers, 2);
        /* the layers as overlayfs wants them */
        struct stat st1, st2;
        char p[4096], v[4];
        snprintf(p, sizeof(p), "%s/etc/delete-me", s->layers[1]);
        assert_int_equal(lstat(p, &st1), 0);
        assert_true(S_ISCHR(st1.st_mode) && st1.st_rdev == makedev(0, 0));
        snprintf(p, sizeof(p), "%s/usr/share/doc", s->layers[1]);
        assert_int_equal(lgetxattr(p, "trusted.overlay.opaque", v, sizeof(v)), 1);
        snprintf(p, sizeof(p), "%s/bin/ash", s->layers[0]);
        assert_int_equal(lstat(p, &st1), 0);
        snprintf(p, sizeof(p), "%s/bin/busybox", s->layers[0]);
        assert_int_equal(lstat(p, &st2), 0);
        assert_int_equal(st1.st_ino, st2.st_ino); /* a hard link inside the layer */
        assert_false(exists("%s/etc/.wh.delete-me", s->layers[1]));

        _cleanup_free_ char *flat = NULL;
        _cleanup_error_ bench_error *err = NULL;
        if (lay_flatten(s, 0, &flat, &err) < 0)
                fail_msg("%s", err->msg);
        _cleanup_free_ char *t = tree(flat, true);
        assert_string_equal(t, image_tree);
        overlay_check(s, flat, NULL);
}

static void test_import_oci(void **state) {
        MAYBE_SKIP();
        char dir[512];
        snprintf(dir, sizeof(dir), "%s/oci", base);
        tlayer layers[] = {{base_layer, ELEMENTSOF(base_layer), GZIP},
                           {top_layer, ELEMENTSOF(top_layer), zstd_writes() ? ZSTD : PLAIN}};
        if (layers[1].filter == PLAIN)
                print_message("note: this libarchive cannot write zstd; the second layer is a plain tar\n");
        write_oci(dir, layers, 2);
        lay_stack s = {0};
        _cleanup_error_ bench_error *err = NULL;
        if (lay_import(dir, &s, &err) < 0)
                fail_msg("%s", err->msg);
        const cJSON *src = cJSON_GetObjectItemCaseSensitive(s.meta, "source");
        assert_string_equal(src->valuestring, "oci");
        check_image(&s);

        /* again: a cache hit, nothing rebuilt */
        struct stat a, b;
        char p[4096];
        snprintf(p, sizeof(p), "%s/meta.json", s.dir);
        assert_int_equal(stat(p, &a), 0);
        lay_stack s2 = {0};
        assert_int_equal(lay_import(dir, &s2, NULL), 0);
        assert_string_equal(s2.id, s.id);
        assert_int_equal(stat(p, &b), 0);
        assert_int_equal(a.st_ino, b.st_ino);
        assert_int_equal(a.st_mtim.tv_nsec, b.st_mtim.tv_nsec);
        lay_stack_clear(&s2);
        lay_stack_clear(&s);
}

static void test_import_docker_save(void **state) {
        MAYBE_SKIP();
        char path[512];
        snprintf(path, sizeof(path), "%s/image.tar", base);
        tlayer layers[] = {{base_layer, ELEMENTSOF(base_layer), PLAIN},
                           {top_layer, ELEMENTSOF(top_layer), PLAIN}};
        write_docker_save(path, layers, 2);
        lay_stack s = {0};
        _cleanup_error_ bench_error *err = NULL;
        if (lay_import(path, &s, &err) < 0)
                fail_msg("%s", err->msg);
        assert_string_equal(cJSON_GetObjectItemCaseSensitive(s.meta, "source")->valuestring, "docker-save");
        check_image(&s);
        lay_stack s2 = {0};
        assert_int_equal(lay_import(path, &s2, NULL), 0);
        assert_string_equal(s2.id, s.id);
        lay_stack_clear(&s2);
        lay_stack_clear(&s);
}

static void expect_refused(const char *what, const tentry *e, size_t n, bool docker, const char *msg_part) {
        char path[512];
        static int count;
        snprintf(path, sizeof(path), "%s/mal-%d%s", base, count++, docker ? ".tar" : "");
        tlayer l = {e, n, PLAIN};
        if (docker)
                write_docker_save(path, &l, 1);
        else
                write_oci(path, &l, 1);
        _cleanup_free_ char *before = store_names();
        lay_stack s = {0};
        _cleanup_error_ bench_error *err = NULL;
        int r = lay_import(path, &s, &err);
        if (r >= 0)
                fail_msg("%s: imported as %s", what, s.id);
        assert_non_null(err);
        if (!strstr(err->msg, msg_part))
                fail_msg("%s: message `%s` lacks `%s`", what, err->msg, msg_part);
        _cleanup_free_ char *after = store_names();
        assert_string_equal(before, after);
}

static void test_import_malicious(void **state) {
        MAYBE_SKIP();
        char esc[256];
        snprintf(esc, sizeof(esc), "l/bench-layers-escape-%d", getpid());
        const tentry dotdot[] = {{'f', "ok", "fine", 0}, {'f', "../escape", "out", 0}};
        const tentry deep_dotdot[] = {{'f', "a/b/../../../escape", "out", 0}};
        const tentry absolute[] = {{'f', "/etc/bench-layers-test-x", "out", 0}};
        const tentry through_symlink[] = {{'l', "l", "/tmp", 0}, {'f', esc, "out", 0}};
        const tentry link_up[] = {{'h', "h", "../x", 0}};
        const tentry link_abs[] = {{'h', "h", "/etc/passwd", 0}};
        const tentry link_via_symlink[] = {{'l', "s", "/etc", 0}, {'h', "h", "s/passwd", 0}};

        expect_refused("..", dotdot, ELEMENTSOF(dotdot), false, "`..`");
        expect_refused("a/b/../../..", deep_dotdot, ELEMENTSOF(deep_dotdot), false, "`..`");
        expect_refused("absolute", absolute, ELEMENTSOF(absolute), false, "absolute");
        expect_refused("through a symlink", through_symlink, ELEMENTSOF(through_symlink), false, "symlink");
        expect_refused("hard link ..", link_up, ELEMENTSOF(link_up), false, "`..`");
        expect_refused("hard link absolute", link_abs, ELEMENTSOF(link_abs), false, "absolute");
        expect_refused("hard link through a symlink", link_via_symlink, ELEMENTSOF(link_via_symlink), false,
                       "symlink");
        expect_refused("docker save ..", dotdot, ELEMENTSOF(dotdot), true, "`..`");
        assert_false(exists("/tmp/bench-layers-escape-%d", getpid()));
        assert_false(exists("/etc/bench-layers-test-x"));
        assert_false(exists("%s/escape", base));
}

static void test_not_an_image(void **state) {
        char path[512];
        _cleanup_free_ char *before = store_names();
        lay_stack s = {0};
        /* a text file, a tar without manifest.json, a directory without oci-layout */
        snprintf(path, sizeof(path), "%s/notes.txt", base);
        write_all(path, "hello, not an image\n", 20);
        _cleanup_error_ bench_error *e1 = NULL, *e2 = NULL, *e3 = NULL;
        assert_int_equal(lay_import(path, &s, &e1), -EINVAL);
        assert_non_null(strstr(e1->msg, "not an OCI layout or docker save tarball"));
        snprintf(path, sizeof(path), "%s/plain.tar", base);
        const tentry e[] = {{'f', "hello", "world", 0}};
        write_tar(path, PLAIN, e, 1);
        assert_int_equal(lay_import(path, &s, &e2), -EINVAL);
        assert_non_null(strstr(e2->msg,
                               "not an OCI layout or docker save tarball: no oci-layout/index.json or "
                               "manifest.json"));
        snprintf(path, sizeof(path), "%s/empty-dir", base);
        mkdir(path, 0755);
        assert_int_equal(lay_import(path, &s, &e3), -EINVAL);
        assert_non_null(strstr(e3->msg, "not an OCI layout or docker save tarball"));
        _cleanup_free_ char *after = store_names();
        assert_string_equal(before, after);
}

static void test_list_open_remove(void **state) {
        MAYBE_SKIP();
        assert_non_null(synth_stack.id);
        cJSON *list = NULL;
        assert_int_equal(lay_list(&list, NULL), 0);
        const cJSON *st, *found = NULL;
        cJSON_ArrayForEach(st, cJSON_GetObjectItemCaseSensitive(list, "stacks")) {
                if (!strcmp(cJSON_GetObjectItemCaseSensitive(st, "id")->valuestring, synth_stack.id))
                        found = st;
        }
        assert_non_null(found);
        assert_int_equal(cJSON_GetObjectItemCaseSensitive(found, "layers")->valueint, 3);
        assert_string_equal(cJSON_GetObjectItemCaseSensitive(found, "source")->valuestring, "synth");
        /* per layer: 6 x 100 + 4096 + 2 x 4096 + 8 x 100 + 100 (gone) + 100 (opaque) = 13888; x 3 */
        assert_int_equal((long)cJSON_GetObjectItemCaseSensitive(found, "bytes")->valuedouble, 41664);
        cJSON_Delete(list);

        lay_stack s = {0};
        char prefix[8];
        snprintf(prefix, sizeof(prefix), "%.6s", synth_stack.id);
        assert_int_equal(lay_open(prefix, &s, NULL), 0);
        assert_string_equal(s.id, synth_stack.id);
        lay_stack_clear(&s);
        _cleanup_error_ bench_error *e1 = NULL, *e2 = NULL;
        assert_int_equal(lay_open("../../etc", &s, &e1), -EINVAL);
        assert_int_equal(lay_remove(synth_stack.id, NULL), 0);
        assert_int_equal(lay_open(synth_stack.id, &s, &e2), -ENOENT);
        assert_false(exists("%s", synth_stack.dir));
        _cleanup_free_ char *names = store_names();
        assert_null(strstr(names, ".rm-"));
}

/* A configuration's listed layer dirs go above its stack, as above bench's base layer. */
static void test_rootfs_order(void **state) {
        MAYBE_SKIP();
        _cleanup_json_ cJSON *o = cJSON_CreateObject();
        cJSON *dirs = cJSON_AddArrayToObject(o, "layers");
        cJSON_AddItemToArray(dirs, cJSON_CreateString("/var/tmp/listed-1"));
        cJSON_AddItemToArray(dirs, cJSON_CreateString("/var/tmp/listed-2"));
        cJSON_AddStringToObject(o, "stack", synth_stack.id);
        ctr_rootfs r = {0};
        _cleanup_error_ bench_error *err = NULL;
        if (ctr_rootfs_assemble(o, rt_container_options, "/bin/true", 0, &r, &err) < 0)
                fail_msg("%s", err->msg);
        assert_int_equal(r.n_layers, synth_stack.n_layers + 2);
        for (size_t i = 0; i < synth_stack.n_layers; i++)
                assert_string_equal(r.layers[i], synth_stack.layers[i]);
        assert_string_equal(r.layers[r.n_layers - 2], "/var/tmp/listed-1");
        assert_string_equal(r.layers[r.n_layers - 1], "/var/tmp/listed-2");
        assert_true(r.data);
        assert_string_equal(r.agent_bind, "/bin/true");
        ctr_rootfs_clear(&r);
}

static int setup(void **state) {
        snprintf(base, sizeof(base), "/var/tmp/test-layers-XXXXXX");
        if (!mkdtemp(base))
                return -1;
        char cache[128];
        snprintf(cache, sizeof(cache), "%s/cache", base);
        snprintf(store, sizeof(store), "%s/store", cache);
        setenv("BENCH_CACHE_DIR", cache, 1);
        return 0;
}

static int teardown(void **state) {
        lay_stack_clear(&synth_stack);
        bench_rm_rf(base, NULL);
        return 0;
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_synth_layout),     cmocka_unit_test(test_rootfs_order),
                cmocka_unit_test(test_flatten),          cmocka_unit_test(test_overlay_matches_flat),
                cmocka_unit_test(test_import_oci),       cmocka_unit_test(test_import_docker_save),
                cmocka_unit_test(test_import_malicious), cmocka_unit_test(test_not_an_image),
                cmocka_unit_test(test_list_open_remove),
        };
        return cmocka_run_group_tests(tests, setup, teardown);
}
