/* SPDX-License-Identifier: MIT */
/*
 * A newc ("070701") cpio writer, the format the kernel unpacks an initramfs
 * from. Every header field is 8 hex digits; the name (with its NUL) is padded
 * so that header + name end on 4 bytes, and so is the data. Owners are root,
 * mtimes 0, inodes counted from 1: the same inputs give the same bytes.
 * Names are stored without their leading '/', as the kernel's gen_init_cpio
 * does (the kernel unpacks relative to /).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../common/cleanup.h"
#include "../common/util.h"
#include "vm-internal.h"

#define CPIO_HEADER_LEN 110
#define CPIO_BLOCK 512

struct vm_cpio {
        int fd;
        uint64_t offset; /* bytes written so far */
        uint32_t next_ino;
        int failed; /* a write failed: the archive is broken, refuse more */
};

typedef struct cpio_entry {
        unsigned mode; /* type and permission bits */
        uint32_t nlink;
        uint64_t size;
        unsigned rmajor, rminor;
} cpio_entry;

int vm_cpio_open(int fd, vm_cpio **ret, bench_error **err) {
        if (fd < 0)
                return bench_error_set(err, EBADF, "cpio: no file to write to");
        vm_cpio *c = calloc(1, sizeof(*c));
        if (!c)
                return bench_error_set(err, ENOMEM, "out of memory");
        c->fd = fd;
        c->next_ino = 1;
        *ret = c;
        return 0;
}

static int write_all(vm_cpio *c, const void *buf, size_t len) {
        int r = bench_write_all(c->fd, buf, len);
        if (r < 0) {
                c->failed = 1;
                return r;
        }
        c->offset += len;
        return 0;
}

/* Zeros up to the next multiple of align. */
static int pad_to(vm_cpio *c, unsigned align) {
        static const char zeros[CPIO_BLOCK];
        size_t n = (size_t)((align - c->offset % align) % align);
        return n ? write_all(c, zeros, n) : 0;
}

/* The name as stored: no leading '/'; NULL if nothing is left or it is too long. */
static const char *archive_name(const char *path) {
        if (!path)
                return NULL;
        while (*path == '/')
                path++;
        if (!*path || strlen(path) >= PATH_MAX)
                return NULL;
        return path;
}

static int write_header(vm_cpio *c, const char *name, const cpio_entry *e, bool trailer) {
        char hdr[CPIO_HEADER_LEN + 1];
        size_t namesize = strlen(name) + 1;
        /* field order: ino mode uid gid nlink mtime filesize devmajor devminor rdevmajor rdevminor namesize
         * check */
        int n = snprintf(hdr, sizeof(hdr), "070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X",
                         trailer ? 0u : c->next_ino, e->mode, 0u, 0u, e->nlink, 0u, (unsigned)e->size, 0u, 0u,
                         e->rmajor, e->rminor, (unsigned)namesize, 0u);
        if (n != CPIO_HEADER_LEN)
                return -EINVAL;
        if (!trailer)
                c->next_ino++;
        int r = write_all(c, hdr, CPIO_HEADER_LEN);
        if (r == 0)
                r = write_all(c, name, namesize);
        if (r == 0)
                r = pad_to(c, 4);
        return r;
}

/* Checks the state and the name; the error names the entry. */
static int entry_begin(vm_cpio *c, const char *path, const char **ret_name, bench_error **err) {
        if (!c)
                return bench_error_set(err, EINVAL, "cpio: %s: no archive", path ? path : "(null)");
        if (c->failed)
                return bench_error_set(err, EIO, "cpio: %s: the archive is broken by an earlier write error",
                                       path ? path : "(null)");
        const char *name = archive_name(path);
        if (!name)
                return bench_error_set(err, EINVAL, "cpio: `%s`: not a valid entry name",
                                       path ? path : "(null)");
        *ret_name = name;
        return 0;
}

static int entry_write(vm_cpio *c, const char *path, const cpio_entry *e, const void *data, size_t len,
                       bench_error **err) {
        const char *name;
        int r = entry_begin(c, path, &name, err);
        if (r < 0)
                return r;
        if (e->size > UINT32_MAX)
                return bench_error_set(err, EFBIG, "cpio: %s: %llu bytes is more than newc can hold (4 GiB)",
                                       path, (unsigned long long)e->size);
        r = write_header(c, name, e, false);
        if (r == 0 && len)
                r = write_all(c, data, len);
        if (r == 0)
                r = pad_to(c, 4);
        if (r < 0)
                return bench_error_errno(err, -r, "cpio: writing %s", path);
        return 0;
}

int vm_cpio_dir(vm_cpio *c, const char *path, unsigned mode, bench_error **err) {
        cpio_entry e = {.mode = S_IFDIR | (mode & 07777), .nlink = 2};
        return entry_write(c, path, &e, NULL, 0, err);
}

int vm_cpio_file(vm_cpio *c, const char *path, unsigned mode, const void *data, size_t len,
                 bench_error **err) {
        cpio_entry e = {.mode = S_IFREG | (mode & 07777), .nlink = 1, .size = len};
        return entry_write(c, path, &e, data, len, err);
}

int vm_cpio_symlink(vm_cpio *c, const char *path, const char *target, bench_error **err) {
        if (!target || !*target)
                return bench_error_set(err, EINVAL, "cpio: %s: empty symlink target", path ? path : "(null)");
        /* the target is the data, without a NUL */
        size_t len = strlen(target);
        cpio_entry e = {.mode = S_IFLNK | 0777, .nlink = 1, .size = len};
        return entry_write(c, path, &e, target, len, err);
}

int vm_cpio_chardev(vm_cpio *c, const char *path, unsigned mode, unsigned major, unsigned minor,
                    bench_error **err) {
        cpio_entry e = {.mode = S_IFCHR | (mode & 07777), .nlink = 1, .rmajor = major, .rminor = minor};
        return entry_write(c, path, &e, NULL, 0, err);
}

int vm_cpio_file_from(vm_cpio *c, const char *path, unsigned mode, const char *host_path, bench_error **err) {
        const char *name;
        int r = entry_begin(c, path, &name, err);
        if (r < 0)
                return r;
        _cleanup_close_ int in = open(host_path, O_RDONLY | O_CLOEXEC);
        if (in < 0)
                return bench_error_errno(err, errno, "cpio: %s: cannot open %s", path, host_path);
        struct stat st;
        if (fstat(in, &st) < 0)
                return bench_error_errno(err, errno, "cpio: %s: cannot stat %s", path, host_path);
        if (!S_ISREG(st.st_mode))
                return bench_error_set(err, EINVAL, "cpio: %s: %s is not a regular file", path, host_path);
        if ((uint64_t)st.st_size > UINT32_MAX)
                return bench_error_set(err, EFBIG, "cpio: %s: %s is more than newc can hold (4 GiB)", path,
                                       host_path);
        cpio_entry e = {.mode = S_IFREG | (mode & 07777), .nlink = 1, .size = (uint64_t)st.st_size};
        if ((r = write_header(c, name, &e, false)) < 0)
                return bench_error_errno(err, -r, "cpio: writing %s", path);
        /* streamed: the header already promised st_size bytes, so exactly that many follow */
        _cleanup_free_ char *buf = malloc(128 * 1024);
        if (!buf) {
                c->failed = 1;
                return bench_error_set(err, ENOMEM, "out of memory");
        }
        uint64_t left = e.size;
        while (left > 0) {
                ssize_t n = read(in, buf, left < 128 * 1024 ? (size_t)left : 128 * 1024);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0) {
                        c->failed = 1;
                        return bench_error_errno(err, errno, "cpio: %s: reading %s", path, host_path);
                }
                if (n == 0) {
                        c->failed = 1;
                        return bench_error_set(err, EIO, "cpio: %s: %s shrank while being read", path,
                                               host_path);
                }
                if ((r = write_all(c, buf, (size_t)n)) < 0)
                        return bench_error_errno(err, -r, "cpio: writing %s", path);
                left -= (uint64_t)n;
        }
        if ((r = pad_to(c, 4)) < 0)
                return bench_error_errno(err, -r, "cpio: writing %s", path);
        return 0;
}

int vm_cpio_close(vm_cpio *c, bench_error **err) {
        if (!c)
                return bench_error_set(err, EINVAL, "cpio: no archive");
        int r = 0;
        if (c->failed)
                r = bench_error_set(err, EIO, "cpio: the archive is broken by an earlier write error");
        else {
                cpio_entry e = {.nlink = 1};
                r = write_header(c, "TRAILER!!!", &e, true);
                if (r == 0)
                        r = pad_to(c, CPIO_BLOCK);
                if (r < 0)
                        r = bench_error_errno(err, -r, "cpio: writing the trailer");
        }
        free(c);
        return r;
}

void vm_cpio_abort(vm_cpio *c) {
        free(c);
}
