/* SPDX-License-Identifier: MIT */
/*
 * Imports images: an OCI image layout directory, or a `docker save` tarball
 * (or its extracted directory). libarchive reads the layer tars (and their
 * gzip/zstd); extraction is ours and not archive_write_disk's, because the
 * path rules are the point: no absolute names, no `..`, no write through a
 * symlink (every component is opened O_NOFOLLOW from the layer's root),
 * hard links only to entries of the same layer. Symlink targets are kept
 * as they are: absolute ones resolve inside the container's root, and
 * nothing here ever follows them.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/utsname.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>

#include "../../common/cleanup.h"
#include "../../common/json.h"
#include "../../common/sha256.h"
#include "../../common/util.h"
#include "archive-dl.h"
#include "layers-internal.h"

#define NOT_AN_IMAGE "not an OCI layout or docker save tarball"
#define MAX_JSON (16u << 20)

static void archive_freep(struct archive **a) {
        if (*a)
                archive_read_free(*a);
}
#define _cleanup_archive_ _cleanup_(archive_freep)

/* extraction of one layer tar */

typedef struct extract {
        int root;         /* the layer dir */
        const char *what; /* "layer 2", for messages */
        bool privileged;
        lay_space *space;      /* of the store: every entry is counted before it is written */
        uint64_t bytes;        /* data written */
        char parent[PATH_MAX]; /* the last parent dir opened, and its fd: tars list siblings together */
        int parent_fd;
} extract;

static void extract_forget_parent(extract *x) {
        if (x->parent_fd >= 0 && x->parent_fd != x->root)
                close(x->parent_fd);
        x->parent_fd = -1;
        x->parent[0] = '\0';
}

/*
 * Normalizes a tar entry name into out: `./` and empty components dropped.
 * Absolute names and `..` components are refused: they name things outside
 * the layer. Returns the length ("" = the layer's root).
 */
static int normalize(const extract *x, const char *name, const char *role, char *out, size_t len,
                     bench_error **err) {
        if (name[0] == '/')
                return bench_error_set(err, EINVAL,
                                       "%s: %s `%s` is absolute: refused (it would leave the layer)", x->what,
                                       role, name);
        size_t n = 0;
        for (const char *p = name; *p;) {
                const char *e = strchrnul(p, '/');
                size_t cl = (size_t)(e - p);
                if (cl == 2 && p[0] == '.' && p[1] == '.')
                        return bench_error_set(
                                err, EINVAL,
                                "%s: %s `%s` has a `..` component: refused (it would leave the "
                                "layer)",
                                x->what, role, name);
                if (cl > 0 && !(cl == 1 && p[0] == '.')) {
                        if (n + cl + 2 > len)
                                return bench_error_set(err, ENAMETOOLONG, "%s: %s `%.64s...` is too long",
                                                       x->what, role, name);
                        if (n)
                                out[n++] = '/';
                        memcpy(out + n, p, cl);
                        n += cl;
                }
                p = *e ? e + 1 : e;
        }
        out[n] = '\0';
        return (int)n;
}

/*
 * An fd of the directory rel (normalized, "" = root) inside the layer,
 * creating missing ones; never through a symlink. The fd belongs to x.
 */
static int open_parent(extract *x, const char *rel, const char *entry, int *ret_fd, bench_error **err) {
        if (x->parent_fd >= 0 && !strcmp(x->parent, rel)) {
                *ret_fd = x->parent_fd;
                return 0;
        }
        /* a child of the cached parent (deep trees list each level after the last): walk on from it */
        size_t plen = strlen(x->parent);
        int fd = x->root;
        char buf[PATH_MAX];
        if (x->parent_fd >= 0 && plen > 0 && !strncmp(rel, x->parent, plen) && rel[plen] == '/') {
                snprintf(buf, sizeof(buf), "%s", rel + plen + 1);
                fd = dup(x->parent_fd);
                if (fd < 0)
                        return bench_error_errno(err, errno, "dup");
        } else
                snprintf(buf, sizeof(buf), "%s", rel);
        extract_forget_parent(x);
        for (char *save = NULL, *c = strtok_r(buf, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
                int nfd = openat(fd, c, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                if (nfd < 0 && errno == ENOENT) {
                        if (mkdirat(fd, c, 0755) < 0 && errno != EEXIST) {
                                int e = errno;
                                if (fd != x->root)
                                        close(fd);
                                return bench_error_errno(err, e,
                                                         "%s: entry `%s`: cannot create its directory %s",
                                                         x->what, entry, c);
                        }
                        nfd = openat(fd, c, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                }
                int e = errno;
                if (fd != x->root)
                        close(fd);
                if (nfd < 0) {
                        if (e == ELOOP || e == ENOTDIR)
                                return bench_error_set(
                                        err, EINVAL,
                                        "%s: entry `%s` would be written through `%s`, which is a "
                                        "symlink or not a directory: refused",
                                        x->what, entry, c);
                        return bench_error_errno(err, e, "%s: entry `%s`: cannot open %s", x->what, entry, c);
                }
                fd = nfd;
        }
        snprintf(x->parent, sizeof(x->parent), "%s", rel);
        x->parent_fd = fd;
        *ret_fd = fd;
        return 0;
}

/* Makes room for a new entry called base in pfd (the cached parent). */
static int make_room(extract *x, int pfd, const char *base, const char *entry, bench_error **err) {
        struct stat st;
        if (fstatat(pfd, base, &st, AT_SYMLINK_NOFOLLOW) < 0)
                return errno == ENOENT ? 0 : bench_error_errno(err, errno, "%s: entry `%s`", x->what, entry);
        /* pfd is the cached parent: removing one of its children leaves the cache valid */
        int r = lay_remove_at(pfd, base);
        if (r < 0)
                return bench_error_errno(err, -r, "%s: entry `%s`: cannot replace what is there", x->what,
                                         entry);
        return 0;
}

static int write_data(extract *x, struct archive *a, struct archive_entry *e, int fd, const char *entry,
                      bench_error **err) {
        for (;;) {
                const void *buf;
                size_t size;
                la_int64_t off;
                int r = archive_read_data_block(a, &buf, &size, &off);
                if (r == ARCHIVE_EOF)
                        break;
                if (r < ARCHIVE_WARN)
                        return bench_error_set(err, EIO, "%s: entry `%s`: %s", x->what, entry,
                                               archive_error_string(a));
                for (size_t done = 0; done < size;) {
                        ssize_t w = pwrite(fd, (const char *)buf + done, size - done, off + (off_t)done);
                        if (w < 0 && errno == EINTR)
                                continue;
                        if (w < 0)
                                return bench_error_errno(err, errno, "%s: cannot write `%s`", x->what, entry);
                        done += (size_t)w;
                }
                x->bytes += size;
        }
        /* holes are never written (blocks come with their offsets): a sparse file stays sparse */
        if (archive_entry_size_is_set(e) && ftruncate(fd, archive_entry_size(e)) < 0)
                return bench_error_errno(err, errno, "%s: cannot size `%s`", x->what, entry);
        return 0;
}

static int set_owner_mode(extract *x, int fd, struct archive_entry *e, mode_t mode, const char *entry,
                          bench_error **err) {
        /* chown first: it clears set-id bits */
        if (x->privileged && fchown(fd, (uid_t)archive_entry_uid(e), (gid_t)archive_entry_gid(e)) < 0)
                return bench_error_errno(err, errno, "%s: cannot chown `%s`", x->what, entry);
        if (fchmod(fd, mode) < 0)
                return bench_error_errno(err, errno, "%s: cannot chmod `%s`", x->what, entry);
        return 0;
}

static int extract_entry(extract *x, struct archive *a, struct archive_entry *e, bench_error **err) {
        const char *name = archive_entry_pathname(e);
        if (!name)
                return bench_error_set(err, EINVAL, "%s: an entry without a name", x->what);
        char path[PATH_MAX];
        int r = normalize(x, name, "entry", path, sizeof(path), err);
        if (r <= 0)
                return r; /* the root itself: keep the layer dir as it is */
        char *slash = strrchr(path, '/');
        const char *base = slash ? slash + 1 : path;
        if (slash)
                *slash = '\0';
        const char *parent = slash ? path : "";
        int pfd;
        if ((r = open_parent(x, parent, name, &pfd, err)) < 0)
                return r;

        if (!strncmp(base, ".wh.", 4)) {
                if (!strcmp(base, ".wh..wh..opq")) {
                        if (fsetxattr(pfd, LAY_OPAQUE_XATTR, "y", 1, 0) < 0)
                                return bench_error_errno(err, errno,
                                                         "%s: entry `%s`: cannot mark the directory opaque "
                                                         "(trusted xattrs need root)",
                                                         x->what, name);
                        return 0;
                }
                const char *hidden = base + 4;
                if (!*hidden || !strcmp(hidden, ".") || !strcmp(hidden, ".."))
                        return bench_error_set(err, EINVAL, "%s: entry `%s`: not a valid whiteout", x->what,
                                               name);
                if ((r = make_room(x, pfd, hidden, name, err)) < 0)
                        return r;
                if (mknodat(pfd, hidden, S_IFCHR | 0, makedev(0, 0)) < 0)
                        return bench_error_errno(
                                err, errno,
                                "%s: entry `%s`: cannot create the whiteout (a character device "
                                "0/0 needs CAP_MKNOD: run as root)",
                                x->what, name);
                return 0;
        }

        mode_t perm = archive_entry_perm(e) & 07777;
        const char *link = archive_entry_hardlink(e);
        if (link) {
                char target[PATH_MAX];
                if ((r = normalize(x, link, "hard link target", target, sizeof(target), err)) < 0)
                        return r;
                if (r == 0)
                        return bench_error_set(err, EINVAL, "%s: entry `%s` links to the layer's root",
                                               x->what, name);
                char *ts = strrchr(target, '/');
                const char *tbase = ts ? ts + 1 : target;
                if (ts)
                        *ts = '\0';
                /* resolved like any entry: inside this layer, no symlink on the way */
                _cleanup_close_ int tfd = -1;
                if ((r = open_parent(x, ts ? target : "", name, &pfd, err)) < 0)
                        return r;
                tfd = dup(pfd);
                if (tfd < 0)
                        return bench_error_errno(err, errno, "dup");
                if ((r = open_parent(x, parent, name, &pfd, err)) < 0)
                        return r;
                if ((r = make_room(x, pfd, base, name, err)) < 0)
                        return r;
                if (linkat(tfd, tbase, pfd, base, 0) < 0)
                        return bench_error_errno(err, errno,
                                                 "%s: entry `%s`: cannot link to `%s` (hard links "
                                                 "must point to an earlier entry of the same layer)",
                                                 x->what, name, link);
                return 0;
        }

        switch (archive_entry_filetype(e)) {
        case AE_IFDIR: {
                struct stat st;
                if (fstatat(pfd, base, &st, AT_SYMLINK_NOFOLLOW) == 0 && !S_ISDIR(st.st_mode) &&
                    (r = make_room(x, pfd, base, name, err)) < 0)
                        return r;
                if (mkdirat(pfd, base, 0700) < 0 && errno != EEXIST)
                        return bench_error_errno(err, errno, "%s: cannot create `%s`", x->what, name);
                _cleanup_close_ int fd = openat(pfd, base, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                if (fd < 0)
                        return bench_error_errno(err, errno, "%s: cannot open `%s`", x->what, name);
                /* unprivileged, we must still be able to fill it */
                return set_owner_mode(x, fd, e, x->privileged ? perm : perm | 0700, name, err);
        }
        case AE_IFREG: {
                if ((r = make_room(x, pfd, base, name, err)) < 0)
                        return r;
                _cleanup_close_ int fd =
                        openat(pfd, base, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
                if (fd < 0)
                        return bench_error_errno(err, errno, "%s: cannot create `%s`", x->what, name);
                if ((r = write_data(x, a, e, fd, name, err)) < 0)
                        return r;
                return set_owner_mode(x, fd, e, perm, name, err);
        }
        case AE_IFLNK: {
                const char *target = archive_entry_symlink(e);
                if (!target || !*target)
                        return bench_error_set(err, EINVAL, "%s: symlink `%s` has no target", x->what, name);
                if ((r = make_room(x, pfd, base, name, err)) < 0)
                        return r;
                if (symlinkat(target, pfd, base) < 0)
                        return bench_error_errno(err, errno, "%s: cannot create the symlink `%s`", x->what,
                                                 name);
                if (x->privileged && fchownat(pfd, base, (uid_t)archive_entry_uid(e),
                                              (gid_t)archive_entry_gid(e), AT_SYMLINK_NOFOLLOW) < 0)
                        return bench_error_errno(err, errno, "%s: cannot chown `%s`", x->what, name);
                return 0;
        }
        case AE_IFCHR:
        case AE_IFBLK:
        case AE_IFIFO: {
                if ((r = make_room(x, pfd, base, name, err)) < 0)
                        return r;
                mode_t type = archive_entry_filetype(e) == AE_IFCHR   ? S_IFCHR
                              : archive_entry_filetype(e) == AE_IFBLK ? S_IFBLK
                                                                      : S_IFIFO;
                if (mknodat(pfd, base, type | perm, archive_entry_rdev(e)) < 0)
                        return bench_error_errno(err, errno, "%s: cannot create the device or fifo `%s`",
                                                 x->what, name);
                if (x->privileged && fchownat(pfd, base, (uid_t)archive_entry_uid(e),
                                              (gid_t)archive_entry_gid(e), AT_SYMLINK_NOFOLLOW) < 0)
                        return bench_error_errno(err, errno, "%s: cannot chown `%s`", x->what, name);
                return 0;
        }
        default:
                return 0; /* sockets and the like mean nothing in an image */
        }
}

/* What an entry will take on disk: its data (not a sparse file's holes) and some for the inode. */
static uint64_t entry_need(struct archive_entry *e) {
        uint64_t data = 0;
        if (archive_entry_filetype(e) == AE_IFREG && !archive_entry_hardlink(e)) {
                if (archive_entry_sparse_reset(e) > 0) {
                        la_int64_t off, len;
                        while (archive_entry_sparse_next(e, &off, &len) == ARCHIVE_OK)
                                data += len > 0 ? (uint64_t)len + 4095 : 0;
                } else
                        data = archive_entry_size(e) > 0 ? (uint64_t)archive_entry_size(e) : 0;
        }
        return ((data + 4095) & ~4095ull) + 1024;
}

/* Extracts the tar that a reads into root (the empty layer dir). */
static int extract_layer(struct archive *a, int root, const char *what, lay_space *space, uint64_t *bytes,
                         bench_error **err) {
        extract x = {
                .root = root, .what = what, .privileged = geteuid() == 0, .space = space, .parent_fd = -1};
        int r = 0;
        for (;;) {
                struct archive_entry *e;
                int ar = archive_read_next_header(a, &e);
                if (ar == ARCHIVE_EOF)
                        break;
                if (ar < ARCHIVE_WARN) {
                        r = bench_error_set(err, EINVAL, "%s: %s", what, archive_error_string(a));
                        break;
                }
                char msg[PATH_MAX + 128];
                snprintf(msg, sizeof(msg), "%s: entry `%s`", what,
                         archive_entry_pathname(e) ? archive_entry_pathname(e) : "");
                if ((r = lay_space_take(space, entry_need(e), msg, err)) < 0 ||
                    (r = extract_entry(&x, a, e, err)) < 0)
                        break;
        }
        extract_forget_parent(&x);
        if (r == 0)
                *bytes += x.bytes;
        return r;
}

static struct archive *new_reader(void) {
        struct archive *a = archive_read_new();
        if (a) {
                archive_read_support_filter_all(a);
                archive_read_support_format_tar(a);
        }
        return a;
}

/*
 * What a layer must turn out to be (NULL / -1 where the image does not
 * say): the digest and size of its bytes as stored, and the digest of its
 * tar stream (the diff_id, whatever the compression).
 */
typedef struct layer_want {
        const char *blob;
        int64_t blob_size;
        const char *diff_id;
} layer_want;

/* The side of every import that fill() sees: where, how much room, what the layers turned out to be. */
typedef struct import_ctx {
        const char *tmp;
        lay_space space;
        uint64_t bytes;
        char (*got)[72]; /* per layer: the diff_id found */
} import_ctx;

/*
 * A layer's bytes, hashed on their way in (blob) and again once
 * decompressed (diff): the source feeds a raw reader that decompresses,
 * which feeds the tar reader. Nothing is read twice.
 */
typedef struct layer_in {
        int fd;                /* the blob file, or -1 */
        struct archive *outer; /* else the member of this tarball at hand */
        bench_sha256 blob, diff;
        uint64_t blob_size;
        struct archive *dec;
        char buf[1 << 16];
} layer_in;

static la_ssize_t in_read(struct archive *self, void *arg, const void **buf) {
        layer_in *in = arg;
        la_ssize_t n;
        if (in->outer) {
                const void *b;
                size_t size;
                la_int64_t off;
                int r = archive_read_data_block(in->outer, &b, &size, &off);
                if (r == ARCHIVE_EOF)
                        return 0;
                if (r < ARCHIVE_WARN) {
                        archive_set_error(self, EIO, "%s", archive_error_string(in->outer));
                        return -1;
                }
                *buf = b;
                n = (la_ssize_t)size;
        } else {
                do
                        n = read(in->fd, in->buf, sizeof(in->buf));
                while (n < 0 && errno == EINTR);
                if (n < 0) {
                        archive_set_error(self, errno, "read: %s", strerror(errno));
                        return -1;
                }
                *buf = in->buf;
        }
        bench_sha256_update(&in->blob, *buf, (size_t)n);
        in->blob_size += (uint64_t)n;
        return n;
}

static la_ssize_t tar_read(struct archive *self, void *arg, const void **buf) {
        layer_in *in = arg;
        const void *b;
        size_t size;
        la_int64_t off;
        int r = archive_read_data_block(in->dec, &b, &size, &off);
        if (r == ARCHIVE_EOF)
                return 0;
        if (r < ARCHIVE_WARN) {
                if (self)
                        archive_set_error(self, EIO, "%s", archive_error_string(in->dec));
                return -1;
        }
        bench_sha256_update(&in->diff, b, size);
        *buf = b;
        return (la_ssize_t)size;
}

/* The sha256 of a whole file: after a failed extraction, tells a tampered blob from a broken one. */
static void hash_file(int fd, char out[72]) {
        bench_sha256 h;
        bench_sha256_init(&h);
        char buf[1 << 16];
        ssize_t n;
        for (uint64_t off = 0; (n = bench_pread_all(fd, buf, sizeof(buf), off)) > 0; off += (uint64_t)n)
                bench_sha256_update(&h, buf, (size_t)n);
        bench_sha256_digest(&h, out);
}

/* Creates <tmp>/l/<index> and extracts the layer in into it, checking it against want. */
static int extract_into(import_ctx *c, size_t index, layer_in *in, const layer_want *want, const char *what,
                        bench_error **err) {
        char dir[PATH_MAX];
        snprintf(dir, sizeof(dir), "%s/l/%zu", c->tmp, index);
        if (mkdir(dir, 0755) < 0)
                return bench_error_errno(err, errno, "cannot create %s", dir);
        _cleanup_close_ int root = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (root < 0)
                return bench_error_errno(err, errno, "cannot open %s", dir);
        bench_sha256_init(&in->blob);
        bench_sha256_init(&in->diff);
        _cleanup_archive_ struct archive *dec = archive_read_new(), *tar = archive_read_new();
        if (!dec || !tar)
                return bench_error_set(err, ENOMEM, "out of memory");
        archive_read_support_filter_all(dec);
        archive_read_support_format_raw(dec);
        archive_read_support_format_tar(tar);
        in->dec = dec;
        struct archive_entry *e;
        int r;
        if (archive_read_open(dec, in, NULL, in_read, NULL) != ARCHIVE_OK ||
            archive_read_next_header(dec, &e) != ARCHIVE_OK)
                r = bench_error_set(err, EINVAL, "%s: %s", what, archive_error_string(dec));
        else if (archive_read_open(tar, in, NULL, tar_read, NULL) != ARCHIVE_OK)
                r = bench_error_set(err, EINVAL, "%s: %s", what, archive_error_string(tar));
        else
                r = extract_layer(tar, root, what, &c->space, &c->bytes, err);
        /* what follows the tar's end counts too */
        const void *b;
        while (r == 0 && (r = (int)tar_read(NULL, in, &b)) > 0)
                ;
        while (r == 0 && (r = (int)in_read(dec, in, &b)) > 0)
                ;
        if (r < 0 && !(err && *err))
                r = bench_error_set(err, EIO, "%s: %s", what, archive_error_string(dec));
        char blob[72], diff[72];
        bench_sha256_digest(&in->blob, blob);
        bench_sha256_digest(&in->diff, diff);
        if (r < 0 && in->fd >= 0 && want->blob)
                hash_file(in->fd, blob);
        else if (r < 0)
                return r;
        if (want->blob && strcmp(blob, want->blob) != 0) {
                if (err)
                        bench_error_freep(err);
                return bench_error_set(err, EINVAL,
                                       "%s: the blob's sha256 is %s, not %s as the image says: corrupt or "
                                       "tampered with, refused (nothing of the image is stored)",
                                       what, blob, want->blob);
        }
        if (r < 0)
                return r;
        if (want->blob_size >= 0 && in->blob_size != (uint64_t)want->blob_size)
                return bench_error_set(err, EINVAL,
                                       "%s: the blob has %llu bytes, not %lld as the image says: refused",
                                       what, (unsigned long long)in->blob_size, (long long)want->blob_size);
        if (want->diff_id && strcmp(diff, want->diff_id) != 0)
                return bench_error_set(err, EINVAL,
                                       "%s: its tar's sha256 is %s, not %s as the image's config (diff_ids) "
                                       "says: corrupt or tampered with, refused",
                                       what, diff, want->diff_id);
        memcpy(c->got[index - 1], diff, sizeof(diff));
        return 0;
}

static int extract_file(import_ctx *c, size_t index, const char *file, const layer_want *want,
                        const char *what, bench_error **err) {
        layer_in *in = calloc(1, sizeof(*in));
        if (!in)
                return bench_error_set(err, ENOMEM, "out of memory");
        in->fd = open(file, O_RDONLY | O_CLOEXEC);
        int r = in->fd < 0 ? bench_error_errno(err, errno, "%s: cannot open %s", what, file)
                           : extract_into(c, index, in, want, what, err);
        if (in->fd >= 0)
                close(in->fd);
        free(in);
        return r;
}

/* common */

static int read_json(const char *path, size_t max, cJSON **ret, bench_error **err) {
        struct stat st;
        if (stat(path, &st) < 0)
                return bench_error_errno(err, errno, "cannot read %s", path);
        if ((uint64_t)st.st_size > max)
                return bench_error_set(err, EFBIG, "%s: larger than %zu bytes", path, max);
        _cleanup_free_ char *text = NULL;
        int r = bench_read_file(path, &text, NULL, err);
        if (r < 0)
                return r;
        cJSON *j = cJSON_Parse(text);
        if (!j)
                return bench_error_set(err, EINVAL, "%s: not valid JSON", path);
        *ret = j;
        return 0;
}

static uint64_t hash_digests(const char *kind, const char *const *digests, size_t n) {
        uint64_t h = lay_fnv1a(LAY_FNV_OFFSET, kind, strlen(kind));
        for (size_t i = 0; i < n; i++) {
                h = lay_fnv1a(h, "\n", 1);
                h = lay_fnv1a(h, digests[i], strlen(digests[i]));
        }
        return h;
}

static void free_strv(char **v, size_t n) {
        for (size_t i = 0; v && i < n; i++)
                free(v[i]);
        free(v);
}

static cJSON *import_meta(const char *source, const char *path, const char *const *digests, size_t n,
                          uint64_t bytes) {
        cJSON *m = cJSON_CreateObject(), *d = cJSON_CreateArray();
        char real[PATH_MAX];
        if (!realpath(path, real))
                snprintf(real, sizeof(real), "%s", path);
        bool ok = m && d && cJSON_AddItemToObject(m, "digests", d);
        if (!ok)
                cJSON_Delete(d);
        for (size_t i = 0; ok && i < n; i++)
                ok = cJSON_AddItemToArray(d, cJSON_CreateString(digests[i]));
        ok = ok && cJSON_AddStringToObject(m, "source", source) && cJSON_AddStringToObject(m, "path", real) &&
             cJSON_AddNumberToObject(m, "layers", (double)n) &&
             cJSON_AddNumberToObject(m, "bytes", (double)bytes) &&
             cJSON_AddNumberToObject(m, "created", (double)time(NULL));
        if (!ok) {
                cJSON_Delete(m);
                return NULL;
        }
        return m;
}

/*
 * The store's side of every import. The id hashes the layers' diff_ids
 * (sha256 of each tar stream) as extraction finds them: content, never
 * names. Where the image states all of them, they name a cache hit before
 * any extraction (a stored stack holds verified content for exactly those
 * digests); else fill() extracts the layers into <tmp>/l/1..n, checking
 * each against want, and only a stack that passed is stored.
 */
typedef int (*fill_fn)(import_ctx *c, void *arg, bench_error **err);
static int import_build(const char *source, const char *path, const layer_want *want, size_t n, fill_fn fill,
                        void *arg, lay_stack *ret, bench_error **err) {
        _cleanup_free_ char *store = NULL;
        _cleanup_free_ const char **digests = calloc(n, sizeof(char *));
        if (!digests)
                return bench_error_set(err, ENOMEM, "out of memory");
        int r = lay_store_dir(&store, err);
        if (r < 0)
                return r;
        char id[17];
        bool stated = true;
        for (size_t i = 0; i < n; i++)
                stated = stated && (digests[i] = want[i].diff_id);
        if (stated) {
                lay_format_id(hash_digests(source, digests, n), id);
                r = lay_stack_load(store, id, ret, err);
                if (r != -ENOENT)
                        return r;
        }
        lay_build b;
        if ((r = lay_build_begin(&b, err)) < 0)
                return r;
        import_ctx c = {.tmp = b.tmp, .got = calloc(n, sizeof(*c.got))};
        char l[PATH_MAX];
        snprintf(l, sizeof(l), "%s/l", b.tmp);
        if (!c.got)
                r = bench_error_set(err, ENOMEM, "out of memory");
        else if ((r = lay_space_init(&c.space, b.store, err)) < 0)
                ;
        else if (mkdir(l, 0755) < 0)
                r = bench_error_errno(err, errno, "cannot create %s", l);
        else
                r = fill(&c, arg, err);
        for (size_t i = 0; r == 0 && i < n; i++)
                digests[i] = c.got[i];
        _cleanup_json_ cJSON *meta = r == 0 ? import_meta(source, path, digests, n, c.bytes) : NULL;
        if (r == 0 && !meta)
                r = bench_error_set(err, ENOMEM, "out of memory");
        if (r == 0)
                lay_format_id(hash_digests(source, digests, n), id);
        free(c.got);
        if (r < 0) {
                lay_build_abort(&b);
                return r;
        }
        return lay_build_commit(&b, id, meta, ret, err);
}

/* OCI image layout */

static bool valid_digest(const char *d) {
        const char *colon = d ? strchr(d, ':') : NULL;
        if (!colon || colon == d || strlen(colon + 1) < 32 || strlen(colon + 1) > 128)
                return false;
        for (const char *p = d; p < colon; p++)
                if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '+' || *p == '.' ||
                      *p == '_' || *p == '-'))
                        return false;
        for (const char *p = colon + 1; *p; p++)
                if (!((*p >= 'a' && *p <= 'f') || (*p >= '0' && *p <= '9')))
                        return false;
        return true;
}

/* "sha256:" and 64 lowercase hex digits: the one digest bench can verify */
static bool is_sha256(const char *d) {
        return d && strlen(d) == 71 && !strncmp(d, "sha256:", 7) && valid_digest(d);
}

static int blob_path(const char *dir, const cJSON *desc, const char *what, char **ret, bench_error **err) {
        const cJSON *d = cJSON_GetObjectItemCaseSensitive(desc, "digest");
        if (!cJSON_IsString(d) || !valid_digest(d->valuestring))
                return bench_error_set(err, EINVAL, "%s/%s: no valid \"digest\" (algorithm:hex)", dir, what);
        if (!is_sha256(d->valuestring))
                return bench_error_set(err, EINVAL,
                                       "%s/%s: digest `%.80s`: only sha256 digests can be verified: refused",
                                       dir, what, d->valuestring);
        const char *colon = strchr(d->valuestring, ':');
        if (asprintf(ret, "%s/blobs/%.*s/%s", dir, (int)(colon - d->valuestring), d->valuestring, colon + 1) <
            0)
                return bench_error_set(err, ENOMEM, "out of memory");
        return 0;
}

/* The sha256 digest of text */
static void digest_of(const char *text, size_t len, char out[72]) {
        bench_sha256 h;
        bench_sha256_init(&h);
        bench_sha256_update(&h, text, len);
        bench_sha256_digest(&h, out);
}

/* The JSON blob that desc names (in what), read only if its digest and size are what desc says. */
static int read_blob_json(const char *dir, const cJSON *desc, const char *what, cJSON **ret,
                          bench_error **err) {
        _cleanup_free_ char *path = NULL, *text = NULL;
        int r = blob_path(dir, desc, what, &path, err);
        if (r < 0)
                return r;
        struct stat st;
        if (stat(path, &st) < 0)
                return bench_error_errno(err, errno, "cannot read %s", path);
        if ((uint64_t)st.st_size > MAX_JSON)
                return bench_error_set(err, EFBIG, "%s: larger than %u bytes", path, MAX_JSON);
        size_t len = 0;
        if ((r = bench_read_file(path, &text, &len, err)) < 0)
                return r;
        char got[72];
        digest_of(text, len, got);
        const char *want = cJSON_GetObjectItemCaseSensitive(desc, "digest")->valuestring;
        if (strcmp(got, want) != 0)
                return bench_error_set(err, EINVAL,
                                       "%s: its sha256 is %s, not %s as %s says: corrupt or tampered with, "
                                       "refused",
                                       path, got, want, what);
        const cJSON *size = cJSON_GetObjectItemCaseSensitive(desc, "size");
        if (cJSON_IsNumber(size) && size->valuedouble != (double)len)
                return bench_error_set(err, EINVAL, "%s: %zu bytes, not %.0f as %s says: refused", path, len,
                                       size->valuedouble, what);
        if (!(*ret = cJSON_Parse(text)))
                return bench_error_set(err, EINVAL, "%s: not valid JSON", path);
        return 0;
}

static const char *media_type(const cJSON *desc) {
        const cJSON *m = cJSON_GetObjectItemCaseSensitive(desc, "mediaType");
        return cJSON_IsString(m) ? m->valuestring : "";
}

static const char *host_arch(void) {
        struct utsname u;
        if (uname(&u) < 0)
                return "";
        if (!strcmp(u.machine, "x86_64"))
                return "amd64";
        if (!strcmp(u.machine, "aarch64"))
                return "arm64";
        return "";
}

/* The manifest that index (an image index) picks: this host's platform, else the first image manifest. */
static const cJSON *pick_manifest(const cJSON *index) {
        const cJSON *ms = cJSON_GetObjectItemCaseSensitive(index, "manifests"), *m, *first = NULL;
        cJSON_ArrayForEach(m, ms) {
                const cJSON *plat = cJSON_GetObjectItemCaseSensitive(m, "platform");
                const cJSON *os = cJSON_GetObjectItemCaseSensitive(plat, "os");
                const cJSON *arch = cJSON_GetObjectItemCaseSensitive(plat, "architecture");
                if (!first)
                        first = m;
                if (cJSON_IsString(os) && !strcmp(os->valuestring, "linux") && cJSON_IsString(arch) &&
                    !strcmp(arch->valuestring, host_arch()))
                        return m;
        }
        return first;
}

typedef struct oci_fill {
        const char *dir;
        char **blobs;
        layer_want *want;
        size_t n;
} oci_fill;

static int oci_fill_layers(import_ctx *c, void *arg, bench_error **err) {
        oci_fill *f = arg;
        for (size_t i = 0; i < f->n; i++) {
                char what[128];
                snprintf(what, sizeof(what), "layer %zu (%.80s)", i + 1, f->want[i].blob);
                int r = extract_file(c, i + 1, f->blobs[i], &f->want[i], what, err);
                if (r < 0)
                        return bench_error_prefix(err, "%s", f->dir);
        }
        return 0;
}

static int import_oci(const char *dir, lay_stack *ret, bench_error **err) {
        char p[PATH_MAX];
        _cleanup_json_ cJSON *layout = NULL, *index = NULL, *manifest = NULL, *config = NULL;
        int r;
        snprintf(p, sizeof(p), "%s/oci-layout", dir);
        if ((r = read_json(p, MAX_JSON, &layout, err)) < 0)
                return r;
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(layout, "imageLayoutVersion");
        if (!cJSON_IsString(v) || strncmp(v->valuestring, "1.", 2) != 0)
                return bench_error_set(err, EINVAL, "%s: imageLayoutVersion is not 1.x", p);
        snprintf(p, sizeof(p), "%s/index.json", dir);
        if ((r = read_json(p, MAX_JSON, &index, err)) < 0)
                return r;
        /* nested indexes (multi-platform images) lead to one manifest; each blob read is verified */
        const cJSON *desc = pick_manifest(index);
        cJSON *cur = NULL;
        for (int depth = 0;; depth++) {
                if (!desc || depth > 4) {
                        cJSON_Delete(cur);
                        return bench_error_set(err, EINVAL, "%s: no image manifest in index.json", dir);
                }
                if ((r = read_blob_json(dir, desc, depth ? "the image index" : "index.json", &manifest,
                                        err)) < 0) {
                        cJSON_Delete(cur);
                        return r;
                }
                const char *mt = media_type(desc);
                if (!strstr(mt, "index") && !strstr(mt, "manifest.list") &&
                    !cJSON_GetObjectItemCaseSensitive(manifest, "manifests"))
                        break;
                cJSON_Delete(cur);
                cur = steal_pointer(&manifest);
                desc = pick_manifest(cur);
        }
        cJSON_Delete(cur);

        const cJSON *layers = cJSON_GetObjectItemCaseSensitive(manifest, "layers"), *l;
        size_t n = (size_t)cJSON_GetArraySize(layers);
        if (!cJSON_IsArray(layers) || n == 0 || n > LAY_MAX_LAYERS)
                return bench_error_set(err, EINVAL, "%s: the manifest has %zu layers (1 to %d supported)",
                                       dir, n, LAY_MAX_LAYERS);
        oci_fill f = {.dir = dir, .blobs = calloc(n, sizeof(char *)), .want = calloc(n, sizeof(layer_want))};
        if (!f.blobs || !f.want) {
                free(f.blobs);
                free(f.want);
                return bench_error_set(err, ENOMEM, "out of memory");
        }
        r = 0;
        cJSON_ArrayForEach(l, layers) {
                const char *mt = media_type(l);
                if (!strstr(mt, "tar") || strstr(mt, "foreign")) {
                        r = bench_error_set(err, EINVAL, "%s: layer %zu: unsupported media type `%s`", dir,
                                            f.n + 1, mt);
                        break;
                }
                if ((r = blob_path(dir, l, "manifest", &f.blobs[f.n], err)) < 0)
                        break;
                const cJSON *size = cJSON_GetObjectItemCaseSensitive(l, "size");
                int64_t blob_size = -1;
                if (size) {
                        /* a byte count JSON can hold exactly; anything else would not even convert */
                        double bytes = cJSON_IsNumber(size) ? size->valuedouble : -1;
                        if (!(bytes >= 0 && bytes <= 9007199254740992.0) || (double)(int64_t)bytes != bytes) {
                                r = bench_error_set(
                                        err, EINVAL,
                                        "%s: the manifest's layer %zu: `size` is not a byte count: "
                                        "refused",
                                        dir, f.n + 1);
                                break;
                        }
                        blob_size = (int64_t)bytes;
                }
                f.want[f.n++] = (layer_want){
                        .blob = cJSON_GetObjectItemCaseSensitive(l, "digest")->valuestring,
                        .blob_size = blob_size,
                };
        }
        /* the config (verified) states the diff_ids: the uncompressed content, whatever the compression */
        const cJSON *cdesc = cJSON_GetObjectItemCaseSensitive(manifest, "config");
        if (r == 0 && cdesc)
                r = read_blob_json(dir, cdesc, "the manifest's config", &config, err);
        const cJSON *ids = cJSON_GetObjectItemCaseSensitive(
                cJSON_GetObjectItemCaseSensitive(config, "rootfs"), "diff_ids");
        if (r == 0 && ids && (size_t)cJSON_GetArraySize(ids) != n)
                r = bench_error_set(err, EINVAL, "%s: the config lists %d diff_ids for %zu layers: refused",
                                    dir, cJSON_GetArraySize(ids), n);
        size_t i = 0;
        const cJSON *d;
        const cJSON *check = r == 0 ? ids : NULL;
        cJSON_ArrayForEach(d, check) {
                if (!cJSON_IsString(d) || !is_sha256(d->valuestring)) {
                        r = bench_error_set(err, EINVAL, "%s: config: diff_id %zu is not a sha256 digest",
                                            dir, i + 1);
                        break;
                }
                f.want[i++].diff_id = d->valuestring;
        }
        if (r == 0)
                r = import_build("oci", dir, f.want, n, oci_fill_layers, &f, ret, err);
        free(f.want);
        free_strv(f.blobs, n);
        return r;
}

/* docker save */

typedef struct alias {
        char *name, *target;
} alias;

typedef struct docker_src {
        const char *path;
        bool is_dir;
        char **layers; /* paths as manifest.json lists them */
        size_t n;
        alias *aliases; /* link entries of the tarball: some docker versions share layers that way */
        size_t n_aliases;
        char *config;       /* its member name, from manifest.json ("" if none) */
        cJSON *config_json; /* its rootfs.diff_ids say what the layers hold */
        layer_want *want;
        char (*blob)[72]; /* layers named blobs/sha256/<hex> (docker 25+): that digest */
} docker_src;

static void docker_src_clear(docker_src *s) {
        free_strv(s->layers, s->n);
        free(s->config);
        cJSON_Delete(s->config_json);
        free(s->want);
        free(s->blob);
        for (size_t i = 0; i < s->n_aliases; i++) {
                free(s->aliases[i].name);
                free(s->aliases[i].target);
        }
        free(s->aliases);
}

/* A member name as a comparable key: no `./`, no empty components. */
static void member_key(const char *name, char *out, size_t len) {
        size_t n = 0;
        for (const char *p = name; *p && n + 1 < len;) {
                const char *e = strchrnul(p, '/');
                size_t cl = (size_t)(e - p);
                if (cl > 0 && !(cl == 1 && *p == '.') && n + cl + 2 < len) {
                        if (n)
                                out[n++] = '/';
                        memcpy(out + n, p, cl);
                        n += cl;
                }
                p = *e ? e + 1 : e;
        }
        out[n] = '\0';
}

static int parse_docker_manifest(docker_src *s, const char *text, bench_error **err) {
        _cleanup_json_ cJSON *m = cJSON_Parse(text);
        const cJSON *img = cJSON_GetArrayItem(m, 0);
        const cJSON *layers = cJSON_GetObjectItemCaseSensitive(img, "Layers"), *l;
        size_t n = (size_t)cJSON_GetArraySize(layers);
        if (!cJSON_IsArray(m) || !cJSON_IsArray(layers) || n == 0 || n > LAY_MAX_LAYERS)
                return bench_error_set(err, EINVAL,
                                       "%s: manifest.json: expected [{\"Layers\": [1 to %d paths]}]", s->path,
                                       LAY_MAX_LAYERS);
        s->layers = calloc(n, sizeof(char *));
        s->want = calloc(n, sizeof(*s->want));
        s->blob = calloc(n, sizeof(*s->blob));
        const cJSON *config = cJSON_GetObjectItemCaseSensitive(img, "Config");
        char key[PATH_MAX];
        member_key(cJSON_IsString(config) ? config->valuestring : "", key, sizeof(key));
        if (!s->layers || !s->want || !s->blob || !(s->config = strdup(key)))
                return bench_error_set(err, ENOMEM, "out of memory");
        cJSON_ArrayForEach(l, layers) {
                if (!cJSON_IsString(l) || !*l->valuestring || l->valuestring[0] == '/' ||
                    strstr(l->valuestring, ".."))
                        return bench_error_set(err, EINVAL,
                                               "%s: manifest.json: layer %zu: not a relative path", s->path,
                                               s->n + 1);
                member_key(l->valuestring, key, sizeof(key));
                s->want[s->n].blob_size = -1;
                if (!strncmp(key, "blobs/sha256/", 13)) {
                        snprintf(s->blob[s->n], sizeof(s->blob[s->n]), "sha256:%.64s", key + 13);
                        /* exactly 64 digits, nothing after them */
                        if (is_sha256(s->blob[s->n]) && strlen(key + 13) == 64)
                                s->want[s->n].blob = s->blob[s->n];
                }
                if (!(s->layers[s->n++] = strdup(key)))
                        return bench_error_set(err, ENOMEM, "out of memory");
        }
        return 0;
}

static int read_member(struct archive *a, size_t max, char **ret, bench_error **err) {
        size_t cap = 4096, len = 0;
        _cleanup_free_ char *buf = malloc(cap);
        for (;;) {
                if (!buf)
                        return bench_error_set(err, ENOMEM, "out of memory");
                if (len + 1 >= cap) {
                        if (cap > max)
                                return bench_error_set(err, EFBIG, "manifest.json is larger than %zu bytes",
                                                       max);
                        char *nb = realloc(buf, cap *= 2);
                        if (!nb)
                                return bench_error_set(err, ENOMEM, "out of memory");
                        buf = nb;
                }
                la_ssize_t n = archive_read_data(a, buf + len, cap - len - 1);
                if (n < 0)
                        return bench_error_set(err, EIO, "manifest.json: %s", archive_error_string(a));
                if (n == 0)
                        break;
                len += (size_t)n;
        }
        buf[len] = '\0';
        *ret = steal_pointer(&buf);
        return 0;
}

/* probing: the file has yet to show that it is an image */
static int open_tarball(const char *path, bool probing, struct archive **ret, bench_error **err) {
        struct archive *a = new_reader();
        if (!a)
                return bench_error_set(err, ENOMEM, "out of memory");
        if (archive_read_open_filename(a, path, 1 << 16) != ARCHIVE_OK) {
                int r = probing ? bench_error_set(err, EINVAL,
                                                  "%s: " NOT_AN_IMAGE ": no oci-layout/index.json or "
                                                  "manifest.json (%s)",
                                                  path, archive_error_string(a))
                                : bench_error_set(err, EINVAL, "%s: %s", path, archive_error_string(a));
                archive_read_free(a);
                return r;
        }
        *ret = a;
        return 0;
}

/* Pass 1: manifest.json (docker writes it last) and the link entries. */
static int scan_tarball(docker_src *s, bench_error **err) {
        _cleanup_archive_ struct archive *a = NULL;
        int r = open_tarball(s->path, true, &a, err);
        if (r < 0)
                return r;
        _cleanup_free_ char *manifest = NULL;
        bool oci_layout = false;
        for (size_t count = 0;; count++) {
                struct archive_entry *e;
                int ar = archive_read_next_header(a, &e);
                if (ar == ARCHIVE_EOF)
                        break;
                if (ar < ARCHIVE_WARN) {
                        if (count == 0)
                                return bench_error_set(err, EINVAL,
                                                       "%s: " NOT_AN_IMAGE ": no oci-layout/index.json or "
                                                       "manifest.json (%s)",
                                                       s->path, archive_error_string(a));
                        return bench_error_set(err, EINVAL, "%s: %s", s->path, archive_error_string(a));
                }
                char key[PATH_MAX];
                member_key(archive_entry_pathname(e) ? archive_entry_pathname(e) : "", key, sizeof(key));
                if (!strcmp(key, "manifest.json") && archive_entry_filetype(e) == AE_IFREG) {
                        free(manifest);
                        manifest = NULL;
                        if ((r = read_member(a, MAX_JSON, &manifest, err)) < 0)
                                return bench_error_prefix(err, "%s", s->path);
                }
                if (!strcmp(key, "oci-layout"))
                        oci_layout = true;
                const char *hl = archive_entry_hardlink(e), *sl = archive_entry_symlink(e);
                if (hl || (sl && archive_entry_filetype(e) == AE_IFLNK)) {
                        char target[PATH_MAX], joined[PATH_MAX * 2];
                        if (hl)
                                snprintf(joined, sizeof(joined), "%s", hl);
                        else {
                                /* relative to the link's own dir */
                                const char *slash = strrchr(key, '/');
                                snprintf(joined, sizeof(joined), "%.*s%s%s", slash ? (int)(slash - key) : 0,
                                         key, slash ? "/" : "", sl);
                        }
                        member_key(joined, target, sizeof(target));
                        alias *na = realloc(s->aliases, (s->n_aliases + 1) * sizeof(*na));
                        if (!na)
                                return bench_error_set(err, ENOMEM, "out of memory");
                        s->aliases = na;
                        na[s->n_aliases] = (alias){strdup(key), strdup(target)};
                        if (!na[s->n_aliases].name || !na[s->n_aliases++].target)
                                return bench_error_set(err, ENOMEM, "out of memory");
                }
        }
        if (!manifest)
                return bench_error_set(err, EINVAL,
                                       oci_layout
                                               ? "%s: an OCI layout in a tarball: extract it and import the "
                                                 "directory"
                                               : "%s: " NOT_AN_IMAGE ": no oci-layout/index.json or "
                                                 "manifest.json",
                                       s->path);
        return parse_docker_manifest(s, manifest, err);
}

/*
 * The config's rootfs.diff_ids, checked against the layers as they are
 * extracted. A config named by its digest (<hex>.json, blobs/sha256/<hex>)
 * must match it.
 */
static int docker_config(docker_src *s, const char *text, size_t len, bench_error **err) {
        char hex[72] = "sha256:", got[72];
        const char *base = strncmp(s->config, "blobs/sha256/", 13) ? s->config : s->config + 13;
        snprintf(hex + 7, sizeof(hex) - 7, "%.64s", base);
        if (is_sha256(hex) && (base[64] == '\0' || !strcmp(base + 64, ".json"))) {
                digest_of(text, len, got);
                if (strcmp(got, hex) != 0)
                        return bench_error_set(err, EINVAL,
                                               "%s: config %s: its sha256 is %s: corrupt or tampered with, "
                                               "refused",
                                               s->path, s->config, got);
        }
        s->config_json = cJSON_Parse(text);
        const cJSON *ids = cJSON_GetObjectItemCaseSensitive(
                cJSON_GetObjectItemCaseSensitive(s->config_json, "rootfs"), "diff_ids");
        if (!ids)
                return 0; /* none stated: the id comes from what extraction finds */
        if ((size_t)cJSON_GetArraySize(ids) != s->n)
                return bench_error_set(err, EINVAL, "%s: config %s lists %d diff_ids for %zu layers: refused",
                                       s->path, s->config, cJSON_GetArraySize(ids), s->n);
        size_t i = 0;
        const cJSON *d;
        cJSON_ArrayForEach(d, ids) {
                if (!cJSON_IsString(d) || !is_sha256(d->valuestring))
                        return bench_error_set(err, EINVAL,
                                               "%s: config %s: diff_id %zu is not a sha256 digest", s->path,
                                               s->config, i + 1);
                s->want[i++].diff_id = d->valuestring;
        }
        return 0;
}

/* The member key of the tarball, read whole (up to max). */
static int read_tar_member(const char *path, const char *key, size_t max, char **ret, size_t *ret_len,
                           bench_error **err) {
        _cleanup_archive_ struct archive *a = NULL;
        int r = open_tarball(path, false, &a, err);
        if (r < 0)
                return r;
        for (;;) {
                struct archive_entry *e;
                int ar = archive_read_next_header(a, &e);
                if (ar == ARCHIVE_EOF)
                        return bench_error_set(err, ENOENT, "%s: no member %s", path, key);
                if (ar < ARCHIVE_WARN)
                        return bench_error_set(err, EINVAL, "%s: %s", path, archive_error_string(a));
                char k[PATH_MAX];
                member_key(archive_entry_pathname(e) ? archive_entry_pathname(e) : "", k, sizeof(k));
                if (strcmp(k, key) != 0 || archive_entry_filetype(e) != AE_IFREG)
                        continue;
                if ((r = read_member(a, max, ret, err)) < 0)
                        return bench_error_prefix(err, "%s: %s", path, key);
                *ret_len = strlen(*ret);
                return 0;
        }
}

/* ../ inside member names of links: resolve textually */
static void squash_dotdot(char *p) {
        char out[PATH_MAX];
        size_t n = 0;
        for (char *save = NULL, *c = strtok_r(p, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
                if (!strcmp(c, "..")) {
                        char *s = n ? memrchr(out, '/', n) : NULL;
                        n = s ? (size_t)(s - out) : 0;
                        continue;
                }
                if (n + strlen(c) + 2 >= sizeof(out))
                        break;
                if (n)
                        out[n++] = '/';
                memcpy(out + n, c, strlen(c));
                n += strlen(c);
        }
        out[n] = '\0';
        strcpy(p, out);
}

static const char *resolve_alias(const docker_src *s, const char *name, char *buf, size_t len) {
        snprintf(buf, len, "%s", name);
        for (int hop = 0; hop < 8; hop++) {
                size_t i = 0;
                while (i < s->n_aliases && strcmp(s->aliases[i].name, buf) != 0)
                        i++;
                if (i == s->n_aliases)
                        break;
                snprintf(buf, len, "%s", s->aliases[i].target);
                squash_dotdot(buf);
        }
        return buf;
}

static int docker_fill_layers(import_ctx *c, void *arg, bench_error **err) {
        docker_src *s = arg;
        char what[PATH_MAX + 64];
        int r;
        if (s->is_dir) {
                for (size_t i = 0; i < s->n; i++) {
                        char file[PATH_MAX * 2];
                        snprintf(what, sizeof(what), "layer %zu (%s)", i + 1, s->layers[i]);
                        snprintf(file, sizeof(file), "%s/%s", s->path, s->layers[i]);
                        if ((r = extract_file(c, i + 1, file, &s->want[i], what, err)) < 0)
                                return bench_error_prefix(err, "%s", s->path);
                }
                return 0;
        }
        /* the tarball member each layer is in */
        char(*want)[PATH_MAX] = calloc(s->n, PATH_MAX);
        bool *done = calloc(s->n, sizeof(bool));
        layer_in *in = calloc(1, sizeof(*in));
        if (!want || !done || !in) {
                free(want);
                free(done);
                free(in);
                return bench_error_set(err, ENOMEM, "out of memory");
        }
        for (size_t i = 0; i < s->n; i++)
                resolve_alias(s, s->layers[i], want[i], PATH_MAX);
        size_t left = s->n;
        r = 0;
        /* one pass per copy of a layer listed more than once */
        while (left > 0 && r == 0) {
                _cleanup_archive_ struct archive *a = NULL;
                if ((r = open_tarball(s->path, false, &a, err)) < 0)
                        break;
                size_t before = left;
                for (;;) {
                        struct archive_entry *e;
                        int ar = archive_read_next_header(a, &e);
                        if (ar == ARCHIVE_EOF)
                                break;
                        if (ar < ARCHIVE_WARN) {
                                r = bench_error_set(err, EINVAL, "%s: %s", s->path, archive_error_string(a));
                                break;
                        }
                        if (archive_entry_filetype(e) != AE_IFREG || archive_entry_hardlink(e))
                                continue;
                        char key[PATH_MAX];
                        member_key(archive_entry_pathname(e), key, sizeof(key));
                        size_t i = 0;
                        while (i < s->n && (done[i] || strcmp(want[i], key) != 0))
                                i++;
                        if (i == s->n)
                                continue;
                        snprintf(what, sizeof(what), "layer %zu (%s)", i + 1, s->layers[i]);
                        /* read straight out of the outer tarball, without a temp copy */
                        *in = (layer_in){.fd = -1, .outer = a};
                        if ((r = extract_into(c, i + 1, in, &s->want[i], what, err)) < 0)
                                break;
                        done[i] = true;
                        left--;
                }
                if (r == 0 && left == before) {
                        size_t i = 0;
                        while (done[i])
                                i++;
                        r = bench_error_set(err, EINVAL,
                                            "layer %zu: `%s`, listed in manifest.json, is not in the "
                                            "tarball",
                                            i + 1, s->layers[i]);
                }
        }
        free(want);
        free(done);
        free(in);
        if (r < 0)
                return bench_error_prefix(err, "%s", s->path);
        return 0;
}

static int import_docker(const char *path, bool is_dir, lay_stack *ret, bench_error **err) {
        docker_src s = {.path = path, .is_dir = is_dir};
        int r;
        _cleanup_free_ char *config = NULL;
        size_t config_len = 0;
        if (is_dir) {
                char p[PATH_MAX * 2];
                _cleanup_free_ char *text = NULL;
                snprintf(p, sizeof(p), "%s/manifest.json", path);
                r = bench_read_file(p, &text, NULL, err);
                if (r == 0)
                        r = parse_docker_manifest(&s, text, err);
                snprintf(p, sizeof(p), "%s/%s", path, s.config ? s.config : "");
                struct stat st;
                if (r == 0 && *s.config && stat(p, &st) == 0 && (uint64_t)st.st_size > MAX_JSON)
                        r = bench_error_set(err, EFBIG, "%s: larger than %u bytes", p, MAX_JSON);
                if (r == 0 && *s.config)
                        r = bench_read_file(p, &config, &config_len, err);
        } else {
                r = scan_tarball(&s, err);
                char key[PATH_MAX];
                if (r == 0 && *s.config)
                        r = read_tar_member(path, resolve_alias(&s, s.config, key, sizeof(key)), MAX_JSON,
                                            &config, &config_len, err);
        }
        if (r == 0 && config)
                r = docker_config(&s, config, config_len, err);
        if (r == 0)
                r = import_build("docker-save", path, s.want, s.n, docker_fill_layers, &s, ret, err);
        docker_src_clear(&s);
        return r;
}

int lay_import(const char *path, lay_stack *ret, bench_error **err) {
        int r = lay_archive_load(err);
        if (r < 0)
                return r;
        struct stat st;
        if (stat(path, &st) < 0)
                return bench_error_errno(err, errno, "cannot import %s", path);
        if (S_ISDIR(st.st_mode)) {
                char p[PATH_MAX];
                snprintf(p, sizeof(p), "%s/oci-layout", path);
                bool oci = access(p, F_OK) == 0;
                snprintf(p, sizeof(p), "%s/index.json", path);
                oci = oci && access(p, F_OK) == 0;
                snprintf(p, sizeof(p), "%s/manifest.json", path);
                if (oci)
                        r = import_oci(path, ret, err);
                else if (access(p, F_OK) == 0)
                        r = import_docker(path, true, ret, err);
                else
                        return bench_error_set(
                                err, EINVAL,
                                "%s: " NOT_AN_IMAGE ": no oci-layout/index.json or manifest.json", path);
        } else if (S_ISREG(st.st_mode))
                r = import_docker(path, false, ret, err);
        else
                return bench_error_set(err, EINVAL, "%s: " NOT_AN_IMAGE ": neither a directory nor a file",
                                       path);
        if (r < 0)
                return bench_error_prefix(err, "importing");
        return 0;
}
