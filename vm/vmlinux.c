/* SPDX-License-Identifier: MIT */
/*
 * The uncompressed kernel of the fast boot path. Given the ELF vmlinux,
 * QEMU enters the kernel at its PVH entry (the Xen note
 * XEN_ELFNOTE_PHYS32_ENTRY) and skips the bzImage's own decompressor, which
 * under TCG runs as slowly as everything else in the guest. The vmlinux is
 * the bzImage's payload, decompressed here once and cached by the bzImage's
 * hash.
 *
 * The bzImage comes from a suite someone else wrote: every offset and length
 * read from it is checked against the file, every copy of the LZ4 decoder
 * against its input and its output, and no output grows past 1 GiB.
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* the headers give the types; the libraries are loaded on first use (common/dl.h), never linked */
#define ZLIB_CONST
#include <lzma.h>
#include <zlib.h>
#include <zstd.h>

#include "../common/cache.h"
#include "../common/cleanup.h"
#include "../common/dl.h"
#include "../common/sha256.h"
#include "../common/util.h"
#include "vm-internal.h"

/* No kernel is larger (Debian's is 53 MB): more output is a decompression bomb. */
#define VMLINUX_MAX ((size_t)1 << 30)
/* liblzma's memory for one stream: the kernel's dictionaries are 32 MiB (xz) and 64 MiB (lzma -9) */
#define LZMA_MEMLIMIT ((uint64_t)256 << 20)

/* Documentation/x86/boot.rst: the real-mode header */
#define HDR_SETUP_SECTS 0x1f1
#define HDR_MAGIC 0x202
#define HDR_VERSION 0x206
#define HDR_PAYLOAD_OFFSET 0x248
#define HDR_PAYLOAD_LENGTH 0x24c
#define HDR_END 0x250
#define PROTOCOL_PAYLOAD 0x208 /* 2.08: the first with payload_offset/length */

/* lz4 -l: the legacy format the kernel's build writes */
#define LZ4_LEGACY_MAGIC 0x184c2102u
#define LZ4_LEGACY_BLOCK ((size_t)8 << 20)

#define XEN_ELFNOTE_PHYS32_ENTRY 18

static uint16_t le16(const uint8_t *p) {
        return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t le32(const uint8_t *p) {
        return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* ---- the output: grows up to VMLINUX_MAX + 1 bytes, the one byte more telling a bomb ---- */

typedef struct out_buf {
        uint8_t *data;
        size_t len, cap;
} out_buf;

/* Room for want more bytes, or as many as are left below the limit. */
static int out_reserve(out_buf *o, size_t want) {
        const size_t limit = VMLINUX_MAX + 1;
        if (want > limit - o->len)
                want = limit - o->len;
        if (o->cap - o->len >= want)
                return 0;
        size_t cap = o->cap ? o->cap : (size_t)1 << 20;
        while (cap - o->len < want)
                cap = cap > limit / 2 ? limit : cap * 2;
        uint8_t *d = realloc(o->data, cap);
        if (!d)
                return -ENOMEM;
        o->data = d;
        o->cap = cap;
        return 0;
}

/* For the streaming decoders: room for more (twice what there is), 0 bytes once past the limit. */
static int out_more(out_buf *o, size_t *ret_avail) {
        int r = out_reserve(o, o->len > ((size_t)1 << 20) ? o->len : (size_t)1 << 20);
        if (r < 0)
                return r;
        *ret_avail = o->cap - o->len;
        return 0;
}

static int too_large(const char *what, const char *fmt, bench_error **err) {
        return bench_error_set(err, EFBIG,
                               "%s: the %s payload decompresses to more than 1 GiB, which no kernel is "
                               "(a decompression bomb?)",
                               what, fmt);
}

static int corrupt(const char *what, const char *fmt, const char *detail, size_t at, bench_error **err) {
        return bench_error_set(
                err, EBADMSG,
                "%s: the %s payload is corrupt: %s (at payload byte %zu); the file is damaged, "
                "get the kernel again",
                what, fmt, detail, at);
}

/* ---- LZ4, decoded here: lz4's doc/lz4_Block_format.md ---- */

/* A length continued in bytes of 255 (the token's nibble was 15); false if the block ends first. */
static bool lz4_length(const uint8_t *in, size_t n, size_t *ip, size_t *len) {
        uint8_t b;
        do {
                if (*ip >= n)
                        return false;
                b = in[(*ip)++];
                *len += b; /* at most 255 per input byte: no overflow of a 64-bit size */
        } while (b == 255);
        return true;
}

/*
 * One block into out (at most out_max bytes; legacy blocks are independent, so a match reaches back into
 * this block's output only). 0 and *ret_len, -ENOSPC if the block needs more than out_max, -EBADMSG with
 * *why and *at (the input offset) when it is malformed.
 */
static int lz4_block(const uint8_t *in, size_t n, uint8_t *out, size_t out_max, size_t *ret_len,
                     const char **why, size_t *at) {
        size_t ip = 0, op = 0;
        for (;;) {
                *at = ip;
                if (ip >= n) {
                        *why = "a block ends without its last literals";
                        return -EBADMSG;
                }
                unsigned token = in[ip++];
                size_t lit = token >> 4;
                if (lit == 15 && !lz4_length(in, n, &ip, &lit)) {
                        *why = "a literal length runs past the end of its block";
                        return -EBADMSG;
                }
                if (lit > n - ip) {
                        *why = "literals run past the end of their block";
                        return -EBADMSG;
                }
                if (lit > out_max - op)
                        return -ENOSPC;
                memcpy(out + op, in + ip, lit);
                ip += lit;
                op += lit;
                if (ip == n)
                        break; /* the last sequence has literals only */
                *at = ip;
                if (n - ip < 2) {
                        *why = "a match offset is cut off by the end of its block";
                        return -EBADMSG;
                }
                size_t off = le16(in + ip);
                ip += 2;
                if (off == 0 || off > op) {
                        *why = off ? "a match reaches back before the start of its block's output"
                                   : "a match has offset 0";
                        return -EBADMSG;
                }
                size_t mlen = (token & 15) + 4;
                if ((token & 15) == 15 && !lz4_length(in, n, &ip, &mlen)) {
                        *why = "a match length runs past the end of its block";
                        return -EBADMSG;
                }
                if (mlen > out_max - op)
                        return -ENOSPC;
                /*
                 * An overlapping match repeats its last off bytes. Copied from a fixed start, each piece
                 * doubles what is there to copy (always a whole number of periods), so a run of 8 MiB
                 * from offset 1 takes 23 memcpys, not 8 million.
                 */
                size_t src = op - off;
                while (mlen) {
                        size_t piece = mlen < op - src ? mlen : op - src;
                        memcpy(out + op, out + src, piece);
                        op += piece;
                        mlen -= piece;
                }
        }
        *ret_len = op;
        return 0;
}

/*
 * The legacy stream: the magic, then blocks of a u32 compressed size and at most 8 MiB of output each. A
 * size equal to the magic starts a further stream (lz4 and the kernel go on). The kernel's build appends
 * the uncompressed size (mod 2^32) after the stream: 4 bytes left over are that, and must agree.
 */
static int decode_lz4(const uint8_t *p, size_t n, out_buf *o, const char *what, bench_error **err) {
        size_t pos = 4;
        while (pos < n) {
                if (n - pos < 4)
                        return corrupt(what, "lz4", "it ends in the middle of a block size", pos, err);
                uint32_t size = le32(p + pos);
                if (size == LZ4_LEGACY_MAGIC) {
                        pos += 4;
                        continue;
                }
                if (n - pos == 4) {
                        if (size != (uint32_t)o->len) {
                                char detail[160];
                                snprintf(detail, sizeof(detail),
                                         "its trailer says %u bytes (mod 2^32) but the blocks gave %zu", size,
                                         o->len);
                                return corrupt(what, "lz4", detail, pos, err);
                        }
                        break;
                }
                pos += 4;
                if (size == 0 || size > n - pos) {
                        char detail[160];
                        snprintf(detail, sizeof(detail), "a block of %u bytes, %s", size,
                                 size ? "past the end of the payload" : "which no LZ4 block is");
                        return corrupt(what, "lz4", detail, pos - 4, err);
                }
                size_t room = LZ4_LEGACY_BLOCK;
                if (out_reserve(o, room) < 0)
                        return bench_error_set(err, ENOMEM, "%s: out of memory decompressing the kernel",
                                               what);
                if (room > o->cap - o->len)
                        room = o->cap - o->len; /* near the limit */
                const char *why = NULL;
                size_t got = 0, at = 0;
                int r = lz4_block(p + pos, size, o->data + o->len, room, &got, &why, &at);
                if (r == -ENOSPC && room < LZ4_LEGACY_BLOCK)
                        return too_large(what, "lz4", err);
                if (r == -ENOSPC)
                        return corrupt(what, "lz4", "a block decompresses to more than 8 MiB", pos, err);
                if (r < 0)
                        return corrupt(what, "lz4", why, pos + at, err);
                o->len += got;
                if (o->len > VMLINUX_MAX)
                        return too_large(what, "lz4", err);
                pos += size;
        }
        return 0;
}

/* ---- gzip, xz, lzma, zstd: their libraries, loaded on first use ---- */

typedef struct zlib_api {
        __typeof__(inflateInit2_) *inflateInit2_;
        __typeof__(inflate) *inflate;
        __typeof__(inflateEnd) *inflateEnd;
} zlib_api;
static zlib_api zlib;
static const bench_dl_sym zlib_syms[] = {
        BENCH_DL_SYM(zlib_api, inflateInit2_),
        BENCH_DL_SYM(zlib_api, inflate),
        BENCH_DL_SYM(zlib_api, inflateEnd),
        {NULL},
};
static bench_dl zlib_dl = {
        .what = "zlib", .soname = "libz.so.1", .package = "zlib1g", .syms = zlib_syms, .table = &zlib};

typedef struct lzma_api {
        __typeof__(lzma_stream_decoder) *lzma_stream_decoder;
        __typeof__(lzma_alone_decoder) *lzma_alone_decoder;
        __typeof__(lzma_code) *lzma_code;
        __typeof__(lzma_end) *lzma_end;
} lzma_api;
static lzma_api xz;
static const bench_dl_sym lzma_syms[] = {
        BENCH_DL_SYM(lzma_api, lzma_stream_decoder),
        BENCH_DL_SYM(lzma_api, lzma_alone_decoder),
        BENCH_DL_SYM(lzma_api, lzma_code),
        BENCH_DL_SYM(lzma_api, lzma_end),
        {NULL},
};
static bench_dl lzma_dl = {
        .what = "liblzma", .soname = "liblzma.so.5", .package = "liblzma5", .syms = lzma_syms, .table = &xz};

typedef struct zstd_api {
        __typeof__(ZSTD_createDCtx) *ZSTD_createDCtx;
        __typeof__(ZSTD_freeDCtx) *ZSTD_freeDCtx;
        __typeof__(ZSTD_decompressStream) *ZSTD_decompressStream;
        __typeof__(ZSTD_isError) *ZSTD_isError;
        __typeof__(ZSTD_getErrorName) *ZSTD_getErrorName;
} zstd_api;
static zstd_api zstd;
static const bench_dl_sym zstd_syms[] = {
        BENCH_DL_SYM(zstd_api, ZSTD_createDCtx),       BENCH_DL_SYM(zstd_api, ZSTD_freeDCtx),
        BENCH_DL_SYM(zstd_api, ZSTD_decompressStream), BENCH_DL_SYM(zstd_api, ZSTD_isError),
        BENCH_DL_SYM(zstd_api, ZSTD_getErrorName),     {NULL},
};
static bench_dl zstd_dl = {.what = "libzstd",
                           .soname = "libzstd.so.1",
                           .package = "libzstd1",
                           .syms = zstd_syms,
                           .table = &zstd};

static int load(bench_dl *dl, const char *what, const char *fmt, bench_error **err) {
        int r = bench_dl_load(dl, err);
        if (r < 0)
                return bench_error_prefix(err, "%s: the payload is %s-compressed", what, fmt);
        return 0;
}

static int decode_gzip(const uint8_t *p, size_t n, out_buf *o, const char *what, bench_error **err) {
        int r = load(&zlib_dl, what, "gzip", err);
        if (r < 0)
                return r;
        z_stream s = {.next_in = p, .avail_in = (uInt)n}; /* n < 4 GiB: payload_length is a u32 */
        /* 16 + MAX_WBITS: a gzip header and trailer around the deflate stream */
        if (zlib.inflateInit2_(&s, 16 + MAX_WBITS, ZLIB_VERSION, (int)sizeof(s)) != Z_OK)
                return bench_error_set(err, ENOMEM, "%s: zlib does not start: out of memory?", what);
        for (;;) {
                size_t avail = 0;
                if ((r = out_more(o, &avail)) < 0) {
                        r = bench_error_set(err, ENOMEM, "%s: out of memory decompressing the kernel", what);
                        break;
                }
                if (o->len > VMLINUX_MAX) {
                        r = too_large(what, "gzip", err);
                        break;
                }
                s.next_out = o->data + o->len;
                s.avail_out = avail > UINT32_MAX ? UINT32_MAX : (uInt)avail;
                uInt before = s.avail_out;
                int z = zlib.inflate(&s, Z_NO_FLUSH);
                o->len += before - s.avail_out;
                if (z == Z_STREAM_END)
                        break;
                if (z == Z_OK || (z == Z_BUF_ERROR && s.avail_out == 0))
                        continue;
                if (z == Z_MEM_ERROR)
                        r = bench_error_set(err, ENOMEM, "%s: out of memory decompressing the kernel", what);
                else if (z == Z_BUF_ERROR)
                        r = corrupt(what, "gzip", "it ends before its stream does", n - s.avail_in, err);
                else
                        r = corrupt(what, "gzip", s.msg ? s.msg : "zlib cannot decode it", n - s.avail_in,
                                    err);
                break;
        }
        zlib.inflateEnd(&s);
        if (r == 0 && o->len > VMLINUX_MAX)
                r = too_large(what, "gzip", err);
        return r;
}

/* (no switch: the enumeration grows with liblzma's versions) */
static const char *lzma_why(lzma_ret z) {
        if (z == LZMA_FORMAT_ERROR)
                return "its header is not one liblzma knows";
        if (z == LZMA_OPTIONS_ERROR)
                return "it asks for options liblzma does not support";
        if (z == LZMA_DATA_ERROR)
                return "liblzma finds bad data";
        if (z == LZMA_BUF_ERROR)
                return "it ends before its stream does";
        return "liblzma cannot decode it";
}

static int decode_lzma_common(const uint8_t *p, size_t n, out_buf *o, const char *what, const char *fmt,
                              bench_error **err) {
        int r = load(&lzma_dl, what, fmt, err);
        if (r < 0)
                return r;
        lzma_stream s = LZMA_STREAM_INIT;
        /* no LZMA_CONCATENATED: the kernel's build appends the uncompressed size after the one stream */
        lzma_ret z = !strcmp(fmt, "xz") ? xz.lzma_stream_decoder(&s, LZMA_MEMLIMIT, 0)
                                        : xz.lzma_alone_decoder(&s, LZMA_MEMLIMIT);
        if (z != LZMA_OK)
                return bench_error_set(err, ENOMEM, "%s: liblzma does not start (error %d)", what, (int)z);
        s.next_in = p;
        s.avail_in = n;
        for (;;) {
                size_t avail = 0;
                if ((r = out_more(o, &avail)) < 0) {
                        r = bench_error_set(err, ENOMEM, "%s: out of memory decompressing the kernel", what);
                        break;
                }
                if (o->len > VMLINUX_MAX) {
                        r = too_large(what, fmt, err);
                        break;
                }
                s.next_out = o->data + o->len;
                s.avail_out = avail;
                z = xz.lzma_code(&s, LZMA_FINISH);
                o->len += avail - s.avail_out;
                if (z == LZMA_STREAM_END)
                        break;
                if (z == LZMA_OK)
                        continue;
                if (z == LZMA_MEM_ERROR)
                        r = bench_error_set(err, ENOMEM, "%s: out of memory decompressing the kernel", what);
                else if (z == LZMA_MEMLIMIT_ERROR)
                        r = corrupt(what, fmt,
                                    "it needs more than 256 MiB to decode (a dictionary no kernel uses)",
                                    n - s.avail_in, err);
                else
                        r = corrupt(what, fmt, lzma_why(z), n - s.avail_in, err);
                break;
        }
        xz.lzma_end(&s);
        if (r == 0 && o->len > VMLINUX_MAX)
                r = too_large(what, fmt, err);
        return r;
}

static int decode_xz(const uint8_t *p, size_t n, out_buf *o, const char *what, bench_error **err) {
        return decode_lzma_common(p, n, o, what, "xz", err);
}

static int decode_lzma(const uint8_t *p, size_t n, out_buf *o, const char *what, bench_error **err) {
        return decode_lzma_common(p, n, o, what, "lzma", err);
}

/* One frame (the kernel's build writes one, then the size): ends where the frame does. */
static int decode_zstd(const uint8_t *p, size_t n, out_buf *o, const char *what, bench_error **err) {
        int r = load(&zstd_dl, what, "zstd", err);
        if (r < 0)
                return r;
        /* the default window limit (128 MiB) stays: the kernel's -22 --ultra uses that much at most */
        ZSTD_DCtx *d = zstd.ZSTD_createDCtx();
        if (!d)
                return bench_error_set(err, ENOMEM, "%s: out of memory decompressing the kernel", what);
        ZSTD_inBuffer in = {.src = p, .size = n};
        for (;;) {
                size_t avail = 0;
                if ((r = out_more(o, &avail)) < 0) {
                        r = bench_error_set(err, ENOMEM, "%s: out of memory decompressing the kernel", what);
                        break;
                }
                if (o->len > VMLINUX_MAX) {
                        r = too_large(what, "zstd", err);
                        break;
                }
                ZSTD_outBuffer out = {.dst = o->data + o->len, .size = avail};
                size_t z = zstd.ZSTD_decompressStream(d, &out, &in);
                o->len += out.pos;
                if (zstd.ZSTD_isError(z)) {
                        r = corrupt(what, "zstd", zstd.ZSTD_getErrorName(z), in.pos, err);
                        break;
                }
                if (z == 0)
                        break; /* the frame is complete and flushed */
                if (in.pos == in.size && out.pos < out.size) {
                        r = corrupt(what, "zstd", "it ends before its frame does", in.pos, err);
                        break;
                }
        }
        zstd.ZSTD_freeDCtx(d);
        if (r == 0 && o->len > VMLINUX_MAX)
                r = too_large(what, "zstd", err);
        return r;
}

/* ---- the payload's formats: the kernel's own list (lib/decompress.c) ---- */

typedef struct payload_format {
        const char *name; /* ret_compression */
        uint8_t magic[4];
        size_t magic_len;
        /* appends the decompressed payload to o; NULL: not supported, why_not says so */
        int (*decode)(const uint8_t *p, size_t n, out_buf *o, const char *what, bench_error **err);
        const char *why_not;
} payload_format;

static const payload_format formats[] = {
        {.name = "lz4", .magic = {0x02, 0x21, 0x4c, 0x18}, .magic_len = 4, .decode = decode_lz4},
        {.name = "gzip", .magic = {0x1f, 0x8b}, .magic_len = 2, .decode = decode_gzip},
        {.name = "xz", .magic = {0xfd, '7', 'z', 'X'}, .magic_len = 4, .decode = decode_xz},
        {.name = "zstd", .magic = {0x28, 0xb5, 0x2f, 0xfd}, .magic_len = 4, .decode = decode_zstd},
        {.name = "lzma", .magic = {0x5d, 0x00, 0x00}, .magic_len = 3, .decode = decode_lzma},
        {.name = "bzip2",
         .magic = {'B', 'Z', 'h'},
         .magic_len = 3,
         .why_not = "no x86 kernel is built with it by default and bench carries no decoder for it"},
        {.name = "lzo",
         .magic = {0x89, 'L', 'Z', 'O'},
         .magic_len = 4,
         .why_not = "bench carries no decoder for the kernel's lzop format"},
};

/* The payload of the bzImage b and its format; checks the header on the way. */
static int locate_payload(const uint8_t *b, size_t len, const char *what, const uint8_t **ret_payload,
                          size_t *ret_len, const payload_format **ret_fmt, bench_error **err) {
        if (len < HDR_VERSION || memcmp(b + HDR_MAGIC, "HdrS", 4) != 0)
                return bench_error_set(err, ENOEXEC,
                                       "%s: not a bzImage (no \"HdrS\" at 0x202%s): give a Linux x86 kernel "
                                       "image (vmlinuz)",
                                       what, len < HDR_VERSION ? ", the file is too short" : "");
        if (len < HDR_VERSION + 2)
                return bench_error_set(err, ENOEXEC, "%s: the boot header is cut off after \"HdrS\"", what);
        unsigned version = le16(b + HDR_VERSION);
        if (version < PROTOCOL_PAYLOAD)
                return bench_error_set(err, ENOEXEC,
                                       "%s: boot protocol %u.%02u is older than 2.08, the first whose header "
                                       "says where the compressed kernel is (payload_offset at 0x248): boot "
                                       "this kernel the standard way, or use a newer one",
                                       what, version >> 8, version & 0xff);
        if (len < HDR_END)
                return bench_error_set(err, ENOEXEC,
                                       "%s: %zu bytes, too short for the boot header of protocol %u.%02u "
                                       "(0x%x bytes): the file is cut off",
                                       what, len, version >> 8, version & 0xff, HDR_END);
        unsigned setup_sects = b[HDR_SETUP_SECTS] ? b[HDR_SETUP_SECTS] : 4;
        size_t pm = ((size_t)setup_sects + 1) *
                    512; /* the protected-mode code, which payload_offset counts from */
        uint32_t off = le32(b + HDR_PAYLOAD_OFFSET), plen = le32(b + HDR_PAYLOAD_LENGTH);
        if (pm > len || off > len - pm || plen > len - pm - off)
                return bench_error_set(err, ENOEXEC,
                                       "%s: its payload (payload_offset %u, payload_length %u at 0x248, from "
                                       "the protected-mode code at %zu) lies outside the file's %zu bytes: "
                                       "the file is cut off or damaged",
                                       what, off, plen, pm, len);
        const uint8_t *p = b + pm + off;
        for (size_t i = 0; i < ELEMENTSOF(formats); i++) {
                const payload_format *f = &formats[i];
                if (plen < f->magic_len || memcmp(p, f->magic, f->magic_len) != 0)
                        continue;
                if (!f->decode)
                        return bench_error_set(
                                err, EOPNOTSUPP,
                                "%s: the payload is %s-compressed, which bench cannot decompress "
                                "(%s): rebuild the kernel with another compression "
                                "(CONFIG_KERNEL_LZ4, _ZSTD, _XZ, _GZIP or _LZMA), or boot it "
                                "the standard way",
                                what, f->name, f->why_not);
                *ret_payload = p;
                *ret_len = plen;
                *ret_fmt = f;
                return 0;
        }
        uint8_t head[4] = {0};
        memcpy(head, p, plen < 4 ? plen : 4);
        return bench_error_set(err, ENOEXEC,
                               "%s: the payload (%u bytes) starts with %02x %02x %02x %02x, the magic of no "
                               "compression the kernel uses (lz4, gzip, xz, zstd, lzma, bzip2, lzo)",
                               what, plen, head[0], head[1], head[2], head[3]);
}

/* ---- the ELF ---- */

/* A Xen PHYS32_ENTRY note among the notes of one PT_NOTE segment (align: the segment's p_align, as QEMU reads
 * it). */
static int find_pvh_note(const uint8_t *p, size_t n, size_t align, const char *what, uint64_t seg_off,
                         bench_error **err) {
        size_t pos = 0;
        while (n - pos >= 12) {
                uint32_t namesz = le32(p + pos), descsz = le32(p + pos + 4), type = le32(p + pos + 8);
                size_t name_pad = ((size_t)namesz + align - 1) / align * align;
                size_t desc_pad = ((size_t)descsz + align - 1) / align * align;
                pos += 12;
                if (name_pad > n - pos || desc_pad > n - pos - name_pad)
                        return bench_error_set(
                                err, ENOEXEC,
                                "%s: the decompressed kernel's note at offset %llu runs past the "
                                "end of its PT_NOTE segment",
                                what, (unsigned long long)(seg_off + pos - 12));
                if (type == XEN_ELFNOTE_PHYS32_ENTRY && namesz == 4 && !memcmp(p + pos, "Xen", 4) &&
                    (descsz == 4 || descsz == 8))
                        return 1;
                pos += name_pad + desc_pad;
        }
        return 0;
}

int vm_vmlinux_check_pvh(const void *elf, size_t len, const char *what, bench_error **err) {
        const uint8_t *e = elf;
        if (!what)
                what = "vmlinux";
        if (!e || len < sizeof(Elf64_Ehdr) || memcmp(e, ELFMAG, SELFMAG) != 0) {
                uint8_t head[4] = {0};
                if (e)
                        memcpy(head, e, len < 4 ? len : 4);
                return bench_error_set(
                        err, ENOEXEC,
                        "%s: the decompressed kernel (%zu bytes) is not an ELF file (it starts "
                        "with %02x %02x %02x %02x)",
                        what, len, head[0], head[1], head[2], head[3]);
        }
        if (e[EI_CLASS] != ELFCLASS64)
                return bench_error_set(
                        err, ENOEXEC,
                        "%s: the decompressed kernel is a %s ELF file: the PVH boot here takes a "
                        "64-bit x86 kernel",
                        what, e[EI_CLASS] == ELFCLASS32 ? "32-bit" : "non-64-bit");
        if (e[EI_DATA] != ELFDATA2LSB)
                return bench_error_set(err, ENOEXEC, "%s: the decompressed kernel is a big-endian ELF file",
                                       what);
        Elf64_Ehdr h;
        memcpy(&h, e, sizeof(h));
        if (h.e_machine != EM_X86_64)
                return bench_error_set(
                        err, ENOEXEC,
                        "%s: the decompressed kernel is an ELF file for machine %u, not x86-64 (%u)", what,
                        h.e_machine, EM_X86_64);
        if (h.e_type != ET_EXEC)
                return bench_error_set(
                        err, ENOEXEC,
                        "%s: the decompressed kernel is ELF type %u, not an executable (ET_EXEC)", what,
                        h.e_type);
        if (h.e_phnum == 0 || h.e_phnum == PN_XNUM || h.e_phentsize != sizeof(Elf64_Phdr) ||
            h.e_phoff > len || (size_t)h.e_phnum * sizeof(Elf64_Phdr) > len - h.e_phoff)
                return bench_error_set(
                        err, ENOEXEC,
                        "%s: the decompressed kernel's program headers (%u of %u bytes at %llu) "
                        "do not fit its %zu bytes",
                        what, h.e_phnum, h.e_phentsize, (unsigned long long)h.e_phoff, len);
        unsigned notes = 0;
        for (unsigned i = 0; i < h.e_phnum; i++) {
                Elf64_Phdr ph;
                memcpy(&ph, e + h.e_phoff + (size_t)i * sizeof(ph), sizeof(ph));
                if (ph.p_type != PT_NOTE)
                        continue;
                notes++;
                if (ph.p_offset > len || ph.p_filesz > len - ph.p_offset)
                        return bench_error_set(err, ENOEXEC,
                                               "%s: the decompressed kernel's PT_NOTE segment (%llu bytes at "
                                               "%llu) lies outside its %zu bytes",
                                               what, (unsigned long long)ph.p_filesz,
                                               (unsigned long long)ph.p_offset, len);
                /* QEMU pads a note's name and description to the segment's p_align */
                if (ph.p_align > 1 && ph.p_align != 4 && ph.p_align != 8)
                        return bench_error_set(
                                err, ENOEXEC,
                                "%s: the decompressed kernel's PT_NOTE segment has p_align %llu, "
                                "not 4 or 8",
                                what, (unsigned long long)ph.p_align);
                int r = find_pvh_note(e + ph.p_offset, ph.p_filesz, ph.p_align == 8 ? 8 : 4, what,
                                      ph.p_offset, err);
                if (r != 0)
                        return r < 0 ? r : 0;
        }
        return bench_error_set(
                err, ENOEXEC,
                "%s: the decompressed kernel has no PVH entry (no \"Xen\" note of type 18, "
                "XEN_ELFNOTE_PHYS32_ENTRY, in its %u PT_NOTE segment%s): it needs CONFIG_PVH=y for "
                "this boot path; boot it the standard way",
                what, notes, notes == 1 ? "" : "s");
}

/* ---- extraction ---- */

static int extract(const uint8_t *payload, size_t plen, const payload_format *fmt, const char *what,
                   uint8_t **ret, size_t *ret_len, bench_error **err) {
        out_buf o = {0};
        /*
         * The kernel's build appends the uncompressed size (gzip's own trailer says the same): a first guess
         * for the buffer, trusted only up to a ratio of 32 (and 1 GiB).
         */
        size_t hint = plen >= 4 ? le32(payload + plen - 4) : 0;
        if (hint > (uint64_t)plen * 32)
                hint = 0;
        int r = out_reserve(&o, hint);
        if (r == 0)
                r = fmt->decode(payload, plen, &o, what, err);
        else
                r = bench_error_set(err, ENOMEM, "%s: out of memory decompressing the kernel", what);
        if (r == 0)
                r = vm_vmlinux_check_pvh(o.data, o.len, what, err);
        if (r < 0) {
                free(o.data);
                return r;
        }
        /* give the spare room back (a large block: realloc moves no data, it remaps) */
        uint8_t *shrunk = o.len ? realloc(o.data, o.len) : NULL;
        *ret = shrunk ? shrunk : o.data;
        *ret_len = o.len;
        return 0;
}

int vm_vmlinux_extract(const void *bzimage, size_t len, const char *what, void **ret, size_t *ret_len,
                       const char **ret_compression, bench_error **err) {
        if (!what)
                what = "bzImage";
        if (!bzimage || !ret || !ret_len)
                return bench_error_set(err, EINVAL, "%s: no image or no place for the result", what);
        const uint8_t *payload = NULL;
        size_t plen = 0;
        const payload_format *fmt = NULL;
        int r = locate_payload(bzimage, len, what, &payload, &plen, &fmt, err);
        if (r < 0)
                return r;
        uint8_t *out = NULL;
        size_t out_len = 0;
        if ((r = extract(payload, plen, fmt, what, &out, &out_len, err)) < 0)
                return r;
        *ret = out;
        *ret_len = out_len;
        if (ret_compression)
                *ret_compression = fmt->name;
        return 0;
}

/* ---- the cache ---- */

/* The whole kernel file: a regular file (following links, as a suite's /vmlinuz may be), at most 1 GiB. */
static int read_image(const char *path, uint8_t **ret, size_t *ret_len, bench_error **err) {
        /* O_NONBLOCK: a FIFO given as the kernel must not hang the open */
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
        if (fd < 0)
                return bench_error_errno(err, errno, "kernel %s", path);
        struct stat st;
        if (fstat(fd, &st) < 0)
                return bench_error_errno(err, errno, "kernel %s", path);
        if (!S_ISREG(st.st_mode))
                return bench_error_set(err, EINVAL, "kernel %s: not a regular file", path);
        if ((uint64_t)st.st_size > VMLINUX_MAX)
                return bench_error_set(err, EFBIG, "kernel %s: %lld bytes, more than the 1 GiB any kernel is",
                                       path, (long long)st.st_size);
        size_t size = (size_t)st.st_size;
        _cleanup_free_ uint8_t *data = malloc(size ? size : 1);
        if (!data)
                return bench_error_set(err, ENOMEM, "kernel %s: out of memory", path);
        ssize_t n = bench_pread_all(fd, data, size, 0);
        if (n < 0)
                return bench_error_errno(err, (int)-n, "kernel %s: cannot read it", path);
        *ret = steal_pointer(&data);
        *ret_len = (size_t)n; /* shorter if it shrank meanwhile: the checks see what was read */
        return 0;
}

/* Writes data as dir/name through a temp file beside it, then its record. */
static int cache_write(const char *dir, const char *name, const char *path, const char *sum, const void *data,
                       size_t len, bench_error **err) {
        _cleanup_close_ int dfd = bench_open_dir_nofollow(dir, 0755, err);
        if (dfd < 0)
                return dfd;
        _cleanup_free_ char *tmp = NULL;
        int fd = bench_tmpfile_open(dfd, name, 0644, &tmp, err);
        if (fd < 0)
                return fd;
        int r = bench_write_all(fd, data, len);
        if (r < 0) {
                close(fd);
                unlinkat(dfd, tmp, 0);
                return bench_error_errno(err, -r, "cannot write %s/%s", dir, tmp);
        }
        /* fsync, then the name: a crash leaves a temp file, never a half vmlinux */
        if ((r = bench_tmpfile_commit(dfd, tmp, fd, name, err)) < 0)
                return r;
        if ((r = bench_cache_record(path, sum, err)) < 0)
                unlinkat(dfd, name, 0);
        return r;
}

int vm_vmlinux_get(const char *image, char **ret_path, const char **ret_compression, bool *ret_cached,
                   bench_error **err) {
        if (!image || !ret_path)
                return bench_error_set(err, EINVAL, "vmlinux: no kernel path or no place for the result");
        _cleanup_free_ uint8_t *data = NULL;
        size_t len = 0;
        int r = read_image(image, &data, &len, err);
        if (r < 0)
                return r;
        const uint8_t *payload = NULL;
        size_t plen = 0;
        const payload_format *fmt = NULL;
        /* the header is checked on reuse too: the format is part of the answer */
        if ((r = locate_payload(data, len, image, &payload, &plen, &fmt, err)) < 0)
                return r;

        char hex[65];
        bench_sha256_hex(data, len, hex);
        _cleanup_free_ char *cache = NULL, *dir = NULL, *name = NULL, *path = NULL, *sum = NULL;
        if ((r = bench_cache_dir(&cache, err)) < 0)
                return bench_error_prefix(err, "vmlinux of %s", image);
        if (asprintf(&dir, "%s/vm", cache) < 0 || asprintf(&name, "vmlinux-%.16s.elf", hex) < 0 ||
            asprintf(&path, "%s/%s", dir, name) < 0 || asprintf(&sum, "%s.sum", path) < 0)
                return bench_error_set(err, ENOMEM, "out of memory");

        /* used only as it was written: a truncated vmlinux would hang the guest before its first line */
        _cleanup_error_ bench_error *verr = NULL;
        if (access(path, F_OK) == 0 || errno != ENOENT) {
                if (bench_cache_verify(path, sum, BENCH_CACHE_HASH_ONCE, &verr) == 0) {
                        *ret_path = steal_pointer(&path);
                        if (ret_compression)
                                *ret_compression = fmt->name;
                        if (ret_cached)
                                *ret_cached = true;
                        return 0;
                }
                bench_cache_note("rebuilt the uncompressed kernel of %s: %s", image,
                                 verr && verr->msg ? verr->msg : path);
        }

        _cleanup_free_ uint8_t *elf = NULL;
        size_t elf_len = 0;
        if ((r = extract(payload, plen, fmt, image, &elf, &elf_len, err)) < 0)
                return r;
        free(steal_pointer(&data)); /* the bzImage is no longer needed: less memory held while writing */
        if ((r = cache_write(dir, name, path, sum, elf, elf_len, err)) < 0)
                return bench_error_prefix(err, "caching the uncompressed kernel of %s", image);
        *ret_path = steal_pointer(&path);
        if (ret_compression)
                *ret_compression = fmt->name;
        if (ret_cached)
                *ret_cached = false;
        return 0;
}
