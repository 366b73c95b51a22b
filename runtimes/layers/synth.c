/* SPDX-License-Identifier: MIT */
/*
 * Synthesized stacks, laid out as layers.h describes. File contents are a
 * splitmix64 stream seeded by (seed, layer, path), behind a one-line text
 * header that names them, so the same parameters give the same bytes and
 * every file differs from every other.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

#include "../../common/cleanup.h"
#include "../../common/json.h"
#include "../../common/rng.h"
#include "../../common/util.h"
#include "layers-internal.h"

/* bump when the layout changes: old stacks then get new ids instead of being reused */
#define LAYOUT_VERSION 1
#define SHADOW_FILES 8
#define CHUNK (4u << 20)

static const uint64_t default_big[] = {64 << 10};

static void fill(char *buf, size_t len, uint64_t *state) {
        size_t i = 0;
        for (; i + 8 <= len; i += 8) {
                uint64_t v = bench_splitmix64(state);
                memcpy(buf + i, &v, 8);
        }
        if (i < len) {
                uint64_t v = bench_splitmix64(state);
                memcpy(buf + i, &v, len - i);
        }
}

typedef struct synth_ctx {
        const lay_synth *p;
        int lfd;    /* the layer dir being built */
        unsigned k; /* its index, 1 = bottom */
        char *buf;  /* CHUNK bytes */
        uint64_t bytes;
} synth_ctx;

/* One file of size bytes at rel (relative to the layer), one write() per chunk. */
static int write_file(synth_ctx *c, const char *rel, uint64_t size, bench_error **err) {
        uint64_t state = lay_fnv1a(LAY_FNV_OFFSET, &c->p->seed, sizeof(c->p->seed));
        state = lay_fnv1a(state, &c->k, sizeof(c->k));
        state = lay_fnv1a(state, rel, strlen(rel));
        _cleanup_close_ int fd = openat(c->lfd, rel, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
        if (fd < 0)
                return bench_error_errno(err, errno, "cannot create layer %u: %s", c->k, rel);
        char hdr[160];
        int hl = snprintf(hdr, sizeof(hdr), "bench-synth seed=%llu layer=%u %s\n",
                          (unsigned long long)c->p->seed, c->k, rel);
        for (uint64_t off = 0; off < size;) {
                size_t n = size - off < CHUNK ? (size_t)(size - off) : CHUNK;
                fill(c->buf, n, &state);
                if (off == 0)
                        memcpy(c->buf, hdr, (size_t)hl < n ? (size_t)hl : n);
                for (size_t done = 0; done < n;) {
                        ssize_t w = write(fd, c->buf + done, n - done);
                        if (w < 0 && errno == EINTR)
                                continue;
                        if (w < 0)
                                return bench_error_errno(err, errno, "cannot write layer %u: %s", c->k, rel);
                        done += (size_t)w;
                }
                off += n;
        }
        c->bytes += size;
        return 0;
}

static int make_dir(synth_ctx *c, const char *rel, bench_error **err) {
        if (mkdirat(c->lfd, rel, 0755) < 0 && errno != EEXIST)
                return bench_error_errno(err, errno, "cannot create layer %u: %s", c->k, rel);
        return 0;
}

static int build_layer(synth_ctx *c, bench_error **err) {
        const lay_synth *p = c->p;
        unsigned n = p->layers, k = c->k, depth = n - k + 1;
        char rel[256], sz[32];
        int r;
#define DIR_(...)                                                                                            \
        do {                                                                                                 \
                snprintf(rel, sizeof(rel), __VA_ARGS__);                                                     \
                if ((r = make_dir(c, rel, err)) < 0)                                                         \
                        return r;                                                                            \
        } while (0)
#define FILE_(size, ...)                                                                                     \
        do {                                                                                                 \
                snprintf(rel, sizeof(rel), __VA_ARGS__);                                                     \
                if ((r = write_file(c, rel, size, err)) < 0)                                                 \
                        return r;                                                                            \
        } while (0)
        DIR_("bench");
        DIR_("bench/depth-%u", depth);
        DIR_("bench/depth-%u/files", depth);
        for (unsigned j = 0; j < p->dirs; j++)
                DIR_("bench/depth-%u/files/d%u", depth, j);
        for (unsigned i = 0; i < p->files; i++)
                FILE_(p->size, "bench/depth-%u/files/d%u/f%u", depth, i % p->dirs, i);
        DIR_("bench/depth-%u/big", depth);
        DIR_("bench/depth-%u/copy", depth);
        for (size_t b = 0; b < p->n_big; b++) {
                bench_format_size(p->big[b], sz, sizeof(sz));
                FILE_(p->big[b], "bench/depth-%u/big/%s", depth, sz);
                DIR_("bench/depth-%u/copy/%s", depth, sz);
                for (unsigned i = 0; i < p->copy_files; i++)
                        FILE_(p->big[b], "bench/depth-%u/copy/%s/c%u", depth, sz, i);
        }
        DIR_("bench/shadow");
        for (unsigned i = 0; i < SHADOW_FILES; i++)
                FILE_(p->size, "bench/shadow/s%u", i);
        FILE_(p->size, "bench/depth-%u/gone", depth);
        if (k > 1) {
                /* the layer below (depth + 1) made a `gone` that this one hides */
                DIR_("bench/depth-%u", depth + 1);
                snprintf(rel, sizeof(rel), "bench/depth-%u/gone", depth + 1);
                if (mknodat(c->lfd, rel, S_IFCHR | 0, makedev(0, 0)) < 0)
                        return bench_error_errno(err, errno, "cannot create the whiteout layer %u: %s", k,
                                                 rel);
        }
        DIR_("bench/opaque");
        FILE_(p->size, "bench/opaque/o%u", k);
        if (k == n) {
                _cleanup_close_ int ofd = openat(c->lfd, "bench/opaque", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                if (ofd < 0 || fsetxattr(ofd, LAY_OPAQUE_XATTR, "y", 1, 0) < 0)
                        return bench_error_errno(err, errno, "cannot make layer %u: bench/opaque opaque", k);
        }
#undef DIR_
#undef FILE_
        return 0;
}

/* Fails early and clearly where whiteouts or trusted xattrs cannot be made. */
static int probe_privileges(const char *tmp, bench_error **err) {
        _cleanup_close_ int fd = open(tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return bench_error_errno(err, errno, "cannot open %s", tmp);
        if (mknodat(fd, ".probe", S_IFCHR | 0, makedev(0, 0)) < 0)
                return bench_error_errno(err, errno,
                                         "cannot create a whiteout (a character device 0/0, needs CAP_MKNOD: "
                                         "run as root)");
        unlinkat(fd, ".probe", 0);
        if (fsetxattr(fd, LAY_OPAQUE_XATTR, "y", 1, 0) < 0)
                return bench_error_errno(err, errno,
                                         "cannot set the xattr " LAY_OPAQUE_XATTR
                                         " (trusted.* xattrs need CAP_SYS_ADMIN: run as root)");
        fremovexattr(fd, LAY_OPAQUE_XATTR);
        return 0;
}

static int check_params(const lay_synth *p, bench_error **err) {
        if (p->layers < 1 || p->layers > LAY_MAX_LAYERS)
                return bench_error_set(err, EINVAL, "layers: %u is out of range (1 to %d)", p->layers,
                                       LAY_MAX_LAYERS);
        if (p->files > 1000000)
                return bench_error_set(err, EINVAL, "files: %u is out of range (1 to 1000000)", p->files);
        if (p->dirs > 100000)
                return bench_error_set(err, EINVAL, "dirs: %u is out of range (1 to 100000)", p->dirs);
        if (p->size > (1ull << 30))
                return bench_error_set(err, EINVAL, "size: %llu bytes is more than 1G",
                                       (unsigned long long)p->size);
        if (p->n_big > 16)
                return bench_error_set(err, EINVAL, "big: %zu sizes, at most 16", p->n_big);
        for (size_t i = 0; i < p->n_big; i++) {
                if (p->big[i] == 0 || p->big[i] > (16ull << 30))
                        return bench_error_set(err, EINVAL, "big: %llu bytes is out of range (1 to 16G)",
                                               (unsigned long long)p->big[i]);
                for (size_t j = 0; j < i; j++)
                        if (p->big[j] == p->big[i])
                                return bench_error_set(err, EINVAL, "big: %llu is listed twice",
                                                       (unsigned long long)p->big[i]);
        }
        if (p->copy_files > 10000)
                return bench_error_set(err, EINVAL, "copy_files: %u is out of range (1 to 10000)",
                                       p->copy_files);
        return 0;
}

/* The canonical parameters, hashed into the id; also what meta.json shows. */
static int canonical(const lay_synth *p, char *buf, size_t len) {
        int n = snprintf(buf, len, "synth v%d layers=%u files=%u dirs=%u size=%llu big=", LAYOUT_VERSION,
                         p->layers, p->files, p->dirs, (unsigned long long)p->size);
        for (size_t i = 0; i < p->n_big && n > 0 && (size_t)n < len; i++)
                n += snprintf(buf + n, len - (size_t)n, "%s%llu", i ? "," : "",
                              (unsigned long long)p->big[i]);
        if (n > 0 && (size_t)n < len)
                n += snprintf(buf + n, len - (size_t)n, " copy_files=%u seed=%llu shadow=%d", p->copy_files,
                              (unsigned long long)p->seed, SHADOW_FILES);
        return n > 0 && (size_t)n < len ? 0 : -ENAMETOOLONG;
}

static cJSON *make_meta(const lay_synth *p, const char *canon, uint64_t bytes) {
        cJSON *m = cJSON_CreateObject(), *params = cJSON_CreateObject(), *big = cJSON_CreateArray();
        if (!m || !params || !big || !cJSON_AddItemToObject(params, "big", big)) {
                cJSON_Delete(m);
                cJSON_Delete(params);
                cJSON_Delete(big);
                return NULL;
        }
        bool ok = true;
        for (size_t i = 0; i < p->n_big; i++)
                ok = ok && cJSON_AddItemToArray(big, cJSON_CreateNumber((double)p->big[i]));
        char seed[32];
        snprintf(seed, sizeof(seed), "%llu", (unsigned long long)p->seed);
        ok = ok && cJSON_AddNumberToObject(params, "layers", p->layers) &&
             cJSON_AddNumberToObject(params, "files", p->files) &&
             cJSON_AddNumberToObject(params, "dirs", p->dirs) &&
             cJSON_AddNumberToObject(params, "size", (double)p->size) &&
             cJSON_AddNumberToObject(params, "copy_files", p->copy_files) &&
             cJSON_AddStringToObject(params, "seed", seed) &&
             cJSON_AddNumberToObject(params, "shadow_files", SHADOW_FILES);
        ok = cJSON_AddItemToObject(m, "params", params) && ok;
        ok = ok && cJSON_AddStringToObject(m, "source", "synth") &&
             cJSON_AddStringToObject(m, "canonical", canon) &&
             cJSON_AddNumberToObject(m, "layout_version", LAYOUT_VERSION) &&
             cJSON_AddNumberToObject(m, "layers", p->layers) &&
             cJSON_AddNumberToObject(m, "bytes", (double)bytes) &&
             cJSON_AddNumberToObject(m, "created", (double)time(NULL));
        if (!ok) {
                cJSON_Delete(m);
                return NULL;
        }
        return m;
}

int lay_synthesize(const lay_synth *in, lay_stack *ret, bench_error **err) {
        lay_synth p = *in;
        if (!p.files)
                p.files = 100;
        if (!p.dirs)
                p.dirs = 10;
        if (!p.size)
                p.size = 4096;
        if (!p.big || !p.n_big) {
                p.big = default_big;
                p.n_big = ELEMENTSOF(default_big);
        }
        if (!p.copy_files)
                p.copy_files = 4;
        if (!p.seed)
                p.seed = 0x62656e6368ull; /* "bench" */
        int r = check_params(&p, err);
        if (r < 0)
                return bench_error_prefix(err, "synthesizing layers");
        char canon[1024], id[17];
        if (canonical(&p, canon, sizeof(canon)) < 0)
                return bench_error_set(err, EINVAL, "synthesizing layers: parameters too long");
        lay_format_id(lay_fnv1a(LAY_FNV_OFFSET, canon, strlen(canon)), id);

        _cleanup_free_ char *store = NULL;
        if ((r = lay_store_dir(&store, err)) < 0)
                return r;
        r = lay_stack_load(store, id, ret, err);
        if (r != -ENOENT)
                return r; /* a cache hit, or a broken stack that says how to remove it */

        lay_build b;
        if ((r = lay_build_begin(&b, err)) < 0)
                return r;
        if ((r = probe_privileges(b.tmp, err)) < 0) {
                lay_build_abort(&b);
                return bench_error_prefix(err, "synthesizing layers");
        }
        _cleanup_free_ char *buf = malloc(CHUNK);
        if (!buf) {
                lay_build_abort(&b);
                return bench_error_set(err, ENOMEM, "out of memory");
        }
        synth_ctx c = {.p = &p, .buf = buf};
        _cleanup_close_ int tfd = open(b.tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (tfd < 0 || mkdirat(tfd, "l", 0755) < 0)
                r = bench_error_errno(err, errno, "cannot create %s/l", b.tmp);
        for (unsigned k = 1; k <= p.layers && r == 0; k++) {
                char name[32];
                snprintf(name, sizeof(name), "l/%u", k);
                if (mkdirat(tfd, name, 0755) < 0) {
                        r = bench_error_errno(err, errno, "cannot create %s/%s", b.tmp, name);
                        break;
                }
                c.lfd = openat(tfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                if (c.lfd < 0) {
                        r = bench_error_errno(err, errno, "cannot open %s/%s", b.tmp, name);
                        break;
                }
                c.k = k;
                r = build_layer(&c, err);
                close(c.lfd);
        }
        _cleanup_json_ cJSON *meta = r == 0 ? make_meta(&p, canon, c.bytes) : NULL;
        if (r == 0 && !meta)
                r = bench_error_set(err, ENOMEM, "out of memory");
        if (r < 0) {
                lay_build_abort(&b);
                return bench_error_prefix(err, "synthesizing layers");
        }
        return lay_build_commit(&b, id, meta, ret, err);
}
