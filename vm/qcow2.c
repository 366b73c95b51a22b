/* SPDX-License-Identifier: MIT */
/*
 * A qcow2 (version 3) writer for one job: an image that holds exactly a
 * given set of 64 KiB clusters of a raw source and defers everything else
 * to its backing file. That is what a level of the VM's backing chain is
 * (the clusters a layer changed), and what `qemu-img convert -B` cannot
 * make: it copies every allocated cluster of its source, not only those
 * that differ from the backing. With no clusters it is an empty overlay,
 * like `qemu-img create -b`, without starting a process.
 *
 * Layout, each part cluster-aligned: header (with the backing format
 * extension and the backing name) | refcount table | refcount blocks |
 * L1 table | L2 tables | data. Every cluster has refcount 1, so L1 and L2
 * entries carry QCOW_OFLAG_COPIED, as qemu-img check expects.
 */
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../common/cleanup.h"
#include "../common/util.h"
#include "vm-internal.h"

#define CLUSTER_BITS 16
#define CLUSTER ((uint64_t)1 << CLUSTER_BITS)
#define L2_ENTRIES (CLUSTER / 8)
#define REFS_PER_BLOCK (CLUSTER / 2) /* refcount_order 4: 16-bit refcounts */
#define OFLAG_COPIED (1ull << 63)
#define EXT_BACKING_FORMAT 0xE2792ACAu

static uint64_t div_up(uint64_t a, uint64_t b) {
        return (a + b - 1) / b;
}

static void put32(uint8_t *p, uint32_t v) {
        v = htobe32(v);
        memcpy(p, &v, 4);
}
static void put64(uint8_t *p, uint64_t v) {
        v = htobe64(v);
        memcpy(p, &v, 8);
}

/* a cluster of the source; past its end, zeros */
static int read_cluster(int fd, void *buf, uint64_t off) {
        ssize_t n = bench_pread_all(fd, buf, CLUSTER, off);
        if (n < 0)
                return (int)n;
        memset((char *)buf + n, 0, CLUSTER - (size_t)n);
        return 0;
}

int vm_qcow2_write(const char *path, uint64_t virtual_size, const char *backing, int src_fd,
                   const uint64_t *clusters, size_t n, bench_error **err) {
        size_t blen = backing ? strlen(backing) : 0;
        if (104 + 24 + blen > CLUSTER)
                return bench_error_set(err, ENAMETOOLONG, "backing file name too long: %s", backing);
        for (size_t i = 0; i < n; i++)
                if ((i > 0 && clusters[i] <= clusters[i - 1]) || clusters[i] >= div_up(virtual_size, CLUSTER))
                        return bench_error_set(err, EINVAL, "qcow2: cluster list not sorted or out of range");
        uint64_t l1_size = div_up(virtual_size, CLUSTER * L2_ENTRIES);
        uint64_t l1_clusters = div_up(l1_size * 8, CLUSTER);
        uint64_t n_l2 = 0;
        for (size_t i = 0; i < n; i++)
                if (i == 0 || clusters[i] / L2_ENTRIES != clusters[i - 1] / L2_ENTRIES)
                        n_l2++;
        /* the refcount structures count themselves: iterate to the fixed point */
        uint64_t rt = 1, rb = 1, total;
        for (;;) {
                total = 1 + rt + rb + l1_clusters + n_l2 + n;
                uint64_t rb2 = div_up(total, REFS_PER_BLOCK), rt2 = div_up(rb2 * 8, CLUSTER);
                if (rb2 == rb && rt2 == rt)
                        break;
                rb = rb2;
                rt = rt2;
        }
        uint64_t rt_off = CLUSTER, rb_off = rt_off + rt * CLUSTER, l1_off = rb_off + rb * CLUSTER,
                 l2_off = l1_off + l1_clusters * CLUSTER, data_off = l2_off + n_l2 * CLUSTER;

        _cleanup_close_ int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
        if (fd < 0)
                return bench_error_errno(err, errno, "cannot create %s", path);
        _cleanup_free_ uint8_t *buf = calloc(1, CLUSTER), *l1 = calloc(l1_clusters, CLUSTER);
        if (!buf || !l1)
                return bench_error_set(err, ENOMEM, "out of memory");
        int r;

        /* header: version 3, 104 bytes, then the backing format extension and the end marker */
        uint8_t *h = buf;
        put32(h + 0, 0x514649fbu); /* "QFI\xfb" */
        put32(h + 4, 3);
        put64(h + 8, backing ? 104 + 16 + 8 : 0);
        put32(h + 16, (uint32_t)blen);
        put32(h + 20, CLUSTER_BITS);
        put64(h + 24, virtual_size);
        put32(h + 36, (uint32_t)l1_size);
        put64(h + 40, l1_off);
        put64(h + 48, rt_off);
        put32(h + 56, (uint32_t)rt);
        put32(h + 96, 4); /* refcount_order */
        put32(h + 100, 104);
        if (backing) {
                put32(h + 104, EXT_BACKING_FORMAT);
                put32(h + 108, 5);
                memcpy(h + 112, "qcow2", 5); /* padded to 8 by the zeros */
                /* h + 120: the end-of-extensions marker, all zero */
                memcpy(h + 128, backing, blen);
        }
        if ((r = bench_pwrite_all(fd, buf, CLUSTER, 0)) < 0)
                goto fail;

        /* refcount table and blocks: clusters 0..total-1 have refcount 1 */
        for (uint64_t t = 0; t < rt; t++) {
                memset(buf, 0, CLUSTER);
                for (uint64_t i = t * L2_ENTRIES; i < rb && i < (t + 1) * L2_ENTRIES; i++)
                        put64(buf + 8 * (i % L2_ENTRIES), rb_off + i * CLUSTER);
                if ((r = bench_pwrite_all(fd, buf, CLUSTER, rt_off + t * CLUSTER)) < 0)
                        goto fail;
        }
        for (uint64_t b = 0; b < rb; b++) {
                memset(buf, 0, CLUSTER);
                for (uint64_t c = b * REFS_PER_BLOCK; c < total && c < (b + 1) * REFS_PER_BLOCK; c++) {
                        uint16_t one = htobe16(1);
                        memcpy(buf + 2 * (c % REFS_PER_BLOCK), &one, 2);
                }
                if ((r = bench_pwrite_all(fd, buf, CLUSTER, rb_off + b * CLUSTER)) < 0)
                        goto fail;
        }

        /* L1: one entry per L2 table in use */
        uint64_t l2_i = 0;
        for (size_t i = 0; i < n; i++) {
                uint64_t t = clusters[i] / L2_ENTRIES;
                if (i == 0 || t != clusters[i - 1] / L2_ENTRIES)
                        put64(l1 + 8 * t, (l2_off + l2_i++ * CLUSTER) | OFLAG_COPIED);
        }
        if ((r = bench_pwrite_all(fd, l1, l1_clusters * CLUSTER, l1_off)) < 0)
                goto fail;

        /* L2 tables, then the data in the same order */
        l2_i = 0;
        for (size_t i = 0; i < n;) {
                uint64_t t = clusters[i] / L2_ENTRIES;
                memset(buf, 0, CLUSTER);
                for (; i < n && clusters[i] / L2_ENTRIES == t; i++)
                        put64(buf + 8 * (clusters[i] % L2_ENTRIES), (data_off + i * CLUSTER) | OFLAG_COPIED);
                if ((r = bench_pwrite_all(fd, buf, CLUSTER, l2_off + l2_i++ * CLUSTER)) < 0)
                        goto fail;
        }
        for (size_t i = 0; i < n; i++) {
                if ((r = read_cluster(src_fd, buf, clusters[i] * CLUSTER)) < 0)
                        return bench_error_errno(err, -r, "qcow2: cannot read the source image");
                if ((r = bench_pwrite_all(fd, buf, CLUSTER, data_off + i * CLUSTER)) < 0)
                        goto fail;
        }
        if (ftruncate(fd, (off_t)(data_off + n * CLUSTER)) < 0) {
                r = -errno;
                goto fail;
        }
        return 0;
fail:
        return bench_error_errno(err, -r, "cannot write %s", path);
}

int vm_qcow2_size(const char *path, uint64_t *ret, bench_error **err) {
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return bench_error_errno(err, errno, "cannot open %s", path);
        uint8_t h[32];
        ssize_t n = bench_pread_all(fd, h, sizeof(h), 0);
        if (n != (ssize_t)sizeof(h))
                return bench_error_errno(err, n < 0 ? (int)-n : EIO, "cannot read the header of %s", path);
        uint32_t magic;
        uint64_t size;
        memcpy(&magic, h, 4);
        memcpy(&size, h + 24, 8);
        if (be32toh(magic) != 0x514649fbu)
                return bench_error_set(err, EINVAL, "%s is not a qcow2 image", path);
        *ret = be64toh(size);
        return 0;
}

int vm_diff_clusters(int new_fd, int old_fd, uint64_t size, uint64_t **ret, size_t *ret_n,
                     bench_error **err) {
        _cleanup_free_ uint8_t *a = malloc(CLUSTER), *b = malloc(CLUSTER);
        _cleanup_free_ uint64_t *list = NULL;
        size_t n = 0, cap = 0;
        if (!a || !b)
                return bench_error_set(err, ENOMEM, "out of memory");
        off_t off = 0;
        for (;;) {
                /* only the data the new image has: debugfs never punches holes */
                off_t data = lseek(new_fd, off, SEEK_DATA);
                if (data < 0) {
                        if (errno == ENXIO)
                                break;
                        return bench_error_errno(err, errno, "cannot scan the work image");
                }
                off_t hole = lseek(new_fd, data, SEEK_HOLE);
                if (hole < 0)
                        return bench_error_errno(err, errno, "cannot scan the work image");
                for (uint64_t c = (uint64_t)data / CLUSTER;
                     c * CLUSTER < (uint64_t)hole && c * CLUSTER < size; c++) {
                        int r = read_cluster(new_fd, a, c * CLUSTER);
                        if (r == 0)
                                r = read_cluster(old_fd, b, c * CLUSTER);
                        if (r < 0)
                                return bench_error_errno(err, -r, "cannot read the work images");
                        if (!memcmp(a, b, CLUSTER))
                                continue;
                        if (n == cap) {
                                cap = cap ? 2 * cap : 256;
                                uint64_t *l = realloc(list, cap * sizeof(*l));
                                if (!l)
                                        return bench_error_set(err, ENOMEM, "out of memory");
                                list = l;
                        }
                        list[n++] = c;
                        /* the old image follows: it is the chain's content so far */
                        if ((r = bench_pwrite_all(old_fd, a, CLUSTER, c * CLUSTER)) < 0)
                                return bench_error_errno(err, -r, "cannot update the work image");
                }
                off = hole;
                if ((uint64_t)off >= size)
                        break;
        }
        *ret = steal_pointer(&list);
        *ret_n = n;
        return 0;
}
