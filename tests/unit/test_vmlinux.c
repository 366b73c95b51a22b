/* SPDX-License-Identifier: MIT */
/*
 * vm/vmlinux.c: the ELF vmlinux out of a bzImage. Synthetic bzImages built
 * here around a small ELF with the PVH note, compressed by the real lz4,
 * gzip, xz and zstd programs (as the kernel's build does) or encoded by hand
 * where a malformed LZ4 block is wanted; the cache; and the host's guest
 * kernel against `lz4 -dc`.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../common/cache.h"
#include "../../common/cleanup.h"
#include "../../common/sha256.h"
#include "../../common/util.h"
#include "../../vm/vm-internal.h"

#define REAL_KERNEL "/var/cache/bench/kernel/6.1.0-57-cloud-amd64/boot/vmlinuz-6.1.0-57-cloud-amd64"

static char *tmp; /* this process's scratch dir */

static int group_setup(void **state) {
        tmp = strdup("/tmp/test_vmlinux.XXXXXX");
        return tmp && mkdtemp(tmp) ? 0 : -1;
}

static int group_teardown(void **state) {
        bench_rm_rf(tmp, NULL);
        free(tmp);
        return 0;
}

static void put16(uint8_t *p, uint16_t v) {
        p[0] = (uint8_t)v;
        p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v) {
        for (int i = 0; i < 4; i++)
                p[i] = (uint8_t)(v >> (8 * i));
}

/* ---- the ELF ---- */

typedef struct elf_spec {
        bool pvh;          /* the Xen PHYS32_ENTRY note */
        uint32_t pvh_type; /* 18 unless a test says otherwise */
        const char *pvh_name;
        uint16_t machine, type;
        size_t body;       /* bytes of text-like data after the headers */
        bool note_overrun; /* the PT_NOTE's size cuts the last note */
} elf_spec;

static const elf_spec good_elf = {.pvh = true, .body = 64 << 10};

static size_t note(uint8_t *p, const char *name, uint32_t type, uint64_t desc) {
        put32(p, (uint32_t)strlen(name) + 1);
        put32(p + 4, 8);
        put32(p + 8, type);
        memset(p + 12, 0, 8);
        memcpy(p + 12, name, strlen(name) + 1); /* names here fit 4 bytes with the NUL */
        memcpy(p + 16, &desc, 8);
        return 24;
}

/* A small x86-64 executable: a PT_LOAD over the body and a PT_NOTE with a GNU note (and the Xen one). */
static uint8_t *make_elf(const elf_spec *s, size_t *ret_len) {
        size_t notes_at = sizeof(Elf64_Ehdr) + 2 * sizeof(Elf64_Phdr), body_at = 512;
        size_t len = body_at + s->body;
        uint8_t *e = calloc(1, len);
        assert_non_null(e);
        Elf64_Ehdr h = {
                .e_type = s->type ? s->type : ET_EXEC,
                .e_machine = s->machine ? s->machine : EM_X86_64,
                .e_version = EV_CURRENT,
                .e_entry = 0x1000000,
                .e_phoff = sizeof(Elf64_Ehdr),
                .e_ehsize = sizeof(Elf64_Ehdr),
                .e_phentsize = sizeof(Elf64_Phdr),
                .e_phnum = 2,
        };
        memcpy(h.e_ident, ELFMAG, SELFMAG);
        h.e_ident[EI_CLASS] = ELFCLASS64;
        h.e_ident[EI_DATA] = ELFDATA2LSB;
        h.e_ident[EI_VERSION] = EV_CURRENT;
        memcpy(e, &h, sizeof(h));
        size_t n = note(e + notes_at, "GNU", NT_GNU_BUILD_ID, 0x0123456789abcdefull);
        if (s->pvh)
                n += note(e + notes_at + n, s->pvh_name ? s->pvh_name : "Xen", s->pvh_type ? s->pvh_type : 18,
                          0x1000850);
        Elf64_Phdr ph[2] = {
                {.p_type = PT_LOAD,
                 .p_flags = PF_R | PF_X,
                 .p_offset = body_at,
                 .p_vaddr = 0x1000000,
                 .p_paddr = 0x1000000,
                 .p_filesz = s->body,
                 .p_memsz = s->body,
                 .p_align = 0x1000},
                {.p_type = PT_NOTE,
                 .p_offset = notes_at,
                 .p_filesz = s->note_overrun ? n - 4 : n,
                 .p_align = 4},
        };
        memcpy(e + h.e_phoff, ph, sizeof(ph));
        /* text-like: matches at many distances, as in a kernel */
        for (size_t i = 0, line = 0; i < s->body; line++) {
                char buf[64];
                int w = snprintf(buf, sizeof(buf), "line %zu of the body, mod 7 is %zu\n", line, line % 7);
                size_t k = (size_t)w < s->body - i ? (size_t)w : s->body - i;
                memcpy(e + body_at + i, buf, k);
                i += k;
        }
        *ret_len = len;
        return e;
}

/* A 32-bit x86 executable with the very note: rejected for its class. */
static uint8_t *make_elf32(size_t *ret_len) {
        size_t len = 512;
        uint8_t *e = calloc(1, len);
        assert_non_null(e);
        Elf32_Ehdr h = {.e_type = ET_EXEC,
                        .e_machine = EM_386,
                        .e_version = EV_CURRENT,
                        .e_phoff = sizeof(h),
                        .e_ehsize = sizeof(h),
                        .e_phentsize = sizeof(Elf32_Phdr),
                        .e_phnum = 1};
        memcpy(h.e_ident, ELFMAG, SELFMAG);
        h.e_ident[EI_CLASS] = ELFCLASS32;
        h.e_ident[EI_DATA] = ELFDATA2LSB;
        memcpy(e, &h, sizeof(h));
        size_t notes_at = 128, n = note(e + notes_at, "Xen", 18, 0x1000850);
        Elf32_Phdr ph = {.p_type = PT_NOTE, .p_offset = notes_at, .p_filesz = (Elf32_Word)n, .p_align = 4};
        memcpy(e + sizeof(h), &ph, sizeof(ph));
        *ret_len = len;
        return e;
}

/* ---- payloads ---- */

/* in through `cmd` (a shell filter) into *ret; false if the program is missing. */
static bool filter(const char *program, const char *cmd, const void *in, size_t n, uint8_t **ret,
                   size_t *ret_len) {
        _cleanup_free_ char *found = NULL;
        if (bench_find_program(program, 0, &found) < 0)
                return false;
        _cleanup_free_ char *src = NULL, *dst = NULL, *line = NULL;
        assert_true(asprintf(&src, "%s/filter.in", tmp) > 0 && asprintf(&dst, "%s/filter.out", tmp) > 0);
        assert_int_equal(bench_write_file_atomic(src, in, n, NULL), 0);
        assert_true(asprintf(&line, "{ %s; } < '%s' > '%s'", cmd, src, dst) > 0);
        assert_int_equal(system(line), 0);
        char *data = NULL;
        assert_int_equal(bench_read_file(dst, &data, ret_len, NULL), 0);
        *ret = (uint8_t *)data;
        unlink(src);
        unlink(dst);
        return true;
}

typedef struct compressor {
        const char *name, *program, *cmd;
        bool size_trailer; /* the kernel's build appends the uncompressed size (all but gzip) */
} compressor;

/* As the kernel's build calls them (scripts/Makefile.lib), at lower levels: the decoder is the same. */
static const compressor compressors[] = {
        {"lz4", "lz4", "lz4 -l -9 -c", true},
        {"gzip", "gzip", "gzip -n -9 -c", false},
        {"xz", "xz", "xz --check=crc32 --x86 --lzma2=preset=6 -c", true},
        {"lzma", "xz", "xz --format=lzma -c", true},
        {"zstd", "zstd", "zstd -19 -q -c", true},
};

/* The kernel's payload of data: compressed, then the size; false (a skip) without the program. */
static bool payload(const compressor *c, const void *data, size_t n, uint8_t **ret, size_t *ret_len) {
        uint8_t *z = NULL;
        size_t zn = 0;
        if (!filter(c->program, c->cmd, data, n, &z, &zn))
                return false;
        if (c->size_trailer) {
                z = realloc(z, zn + 4);
                assert_non_null(z);
                put32(z + zn, (uint32_t)n);
                zn += 4;
        }
        *ret = z;
        *ret_len = zn;
        return true;
}

/* Setup sectors, a header of protocol 2.15, the payload 0x80 bytes into the protected-mode code, a tail. */
#define BZ_SETUP_SECTS 3
#define BZ_PM ((BZ_SETUP_SECTS + 1) * 512)
#define BZ_OFF 0x80
static uint8_t *make_bzimage(const void *payload_data, size_t plen, size_t *ret_len) {
        size_t len = BZ_PM + BZ_OFF + plen + 64;
        uint8_t *b = calloc(1, len);
        assert_non_null(b);
        b[0x1f1] = BZ_SETUP_SECTS;
        put16(b + 0x1fe, 0xaa55);
        memcpy(b + 0x202, "HdrS", 4);
        put16(b + 0x206, 0x020f);
        put32(b + 0x248, BZ_OFF);
        put32(b + 0x24c, (uint32_t)plen);
        memcpy(b + BZ_PM + BZ_OFF, payload_data, plen);
        memset(b + BZ_PM + BZ_OFF + plen, 0xcc, 64);
        *ret_len = len;
        return b;
}

/* A bzImage of elf compressed by c; false (a skip) without the program. */
static bool bzimage_of(const compressor *c, const void *elf, size_t elf_len, uint8_t **ret, size_t *ret_len) {
        _cleanup_free_ uint8_t *p = NULL;
        size_t pn = 0;
        if (!payload(c, elf, elf_len, &p, &pn))
                return false;
        *ret = make_bzimage(p, pn, ret_len);
        return true;
}

/* Extraction fails with code; the message names `what` and contains want. */
static void expect_fail(const void *bz, size_t len, int code, const char *want) {
        void *out = NULL;
        size_t out_len = 0;
        const char *fmt = NULL;
        bench_error *err = NULL;
        int r = vm_vmlinux_extract(bz, len, "/k/vmlinuz-test", &out, &out_len, &fmt, &err);
        if (r != -code || !err || !strstr(err->msg, want) || !strstr(err->msg, "/k/vmlinuz-test"))
                print_message("want -%d with \"%s\", got %d: %s\n", code, want, r,
                              err ? err->msg : "(no error)");
        assert_int_equal(r, -code);
        assert_non_null(err);
        assert_non_null(strstr(err->msg, want));
        assert_non_null(strstr(err->msg, "/k/vmlinuz-test"));
        assert_null(out);
        bench_error_free(err);
}

static void expect_ok(const void *bz, size_t len, const void *want, size_t want_len, const char *want_fmt) {
        void *out = NULL;
        size_t out_len = 0;
        const char *fmt = NULL;
        bench_error *err = NULL;
        int r = vm_vmlinux_extract(bz, len, "test", &out, &out_len, &fmt, &err);
        if (r < 0)
                print_message("%s: %s\n", want_fmt, err->msg);
        assert_int_equal(r, 0);
        assert_string_equal(fmt, want_fmt);
        assert_int_equal(out_len, want_len);
        assert_memory_equal(out, want, want_len);
        free(out);
}

/* ---- every format ---- */

static void test_formats(void **state) {
        size_t elf_len = 0;
        _cleanup_free_ uint8_t *elf = make_elf(&good_elf, &elf_len);
        for (size_t i = 0; i < ELEMENTSOF(compressors); i++) {
                const compressor *c = &compressors[i];
                _cleanup_free_ uint8_t *bz = NULL;
                size_t len = 0;
                if (!bzimage_of(c, elf, elf_len, &bz, &len)) {
                        print_message("skipped %s: the %s program is not installed\n", c->name, c->program);
                        continue;
                }
                expect_ok(bz, len, elf, elf_len, c->name);
        }
}

/* Several 8 MiB blocks, and a second stream after the first (lz4 and the kernel go on after a magic). */
static void test_lz4_blocks_and_streams(void **state) {
        elf_spec big = good_elf;
        big.body = (size_t)19 << 20;
        size_t elf_len = 0;
        _cleanup_free_ uint8_t *elf = make_elf(&big, &elf_len);
        _cleanup_free_ uint8_t *a = NULL, *b = NULL;
        size_t an = 0, bn = 0, half = elf_len / 2;
        if (!filter("lz4", "lz4 -l -1 -c", elf, half, &a, &an) ||
            !filter("lz4", "lz4 -l -1 -c", elf + half, elf_len - half, &b, &bn)) {
                print_message("skipped: lz4 is not installed\n");
                skip();
        }
        _cleanup_free_ uint8_t *both = malloc(an + bn + 4);
        assert_non_null(both);
        memcpy(both, a, an);
        memcpy(both + an, b, bn);
        put32(both + an + bn, (uint32_t)elf_len);
        size_t len = 0;
        _cleanup_free_ uint8_t *bz = make_bzimage(both, an + bn + 4, &len);
        uint64_t t0 = bench_now_ns();
        expect_ok(bz, len, elf, elf_len, "lz4");
        print_message("lz4: %zu MiB in %.1f ms\n", elf_len >> 20, bench_ns_to_ms(bench_now_ns() - t0));
        /* without the size trailer too (it is optional to the decoder) */
        _cleanup_free_ uint8_t *bz2 = make_bzimage(both, an + bn, &len);
        expect_ok(bz2, len, elf, elf_len, "lz4");
        /* a trailer that disagrees */
        put32(both + an + bn, (uint32_t)elf_len + 1);
        _cleanup_free_ uint8_t *bz3 = make_bzimage(both, an + bn + 4, &len);
        expect_fail(bz3, len, EBADMSG, "trailer says");
}

/* ---- the header ---- */

static void test_header_rejections(void **state) {
        size_t elf_len = 0, len = 0;
        _cleanup_free_ uint8_t *elf = make_elf(&good_elf, &elf_len);
        _cleanup_free_ uint8_t *good = NULL;
        if (!bzimage_of(&compressors[0], elf, elf_len, &good, &len)) {
                print_message("skipped: lz4 is not installed\n");
                skip();
        }
        _cleanup_free_ uint8_t *b = malloc(len);
        assert_non_null(b);
#define FRESH() memcpy(b, good, len)

        expect_fail(good, 0x100, ENOEXEC, "not a bzImage (no \"HdrS\" at 0x202, the file is too short)");
        expect_fail(good, 0x207, ENOEXEC, "cut off after \"HdrS\"");
        expect_fail(good, 0x240, ENOEXEC, "too short for the boot header of protocol 2.15");
        FRESH();
        memcpy(b + 0x202, "HdrT", 4);
        expect_fail(b, len, ENOEXEC, "not a bzImage (no \"HdrS\" at 0x202)");
        FRESH();
        put16(b + 0x206, 0x0206);
        expect_fail(b, len, ENOEXEC, "boot protocol 2.06 is older than 2.08");
        /* payload_offset, payload_length and setup_sects that lie, with sums that would wrap in 32 bits */
        FRESH();
        put32(b + 0x248, 0xffffff00u);
        expect_fail(b, len, ENOEXEC, "lies outside the file");
        FRESH();
        put32(b + 0x24c, (uint32_t)(len - BZ_PM - BZ_OFF + 1));
        expect_fail(b, len, ENOEXEC, "payload_length");
        FRESH();
        put32(b + 0x24c, 0xffffffffu);
        expect_fail(b, len, ENOEXEC, "lies outside the file");
        FRESH();
        b[0x1f1] = 255;
        expect_fail(b, len, ENOEXEC, "protected-mode code at 131072");
        FRESH();
        put32(b + 0x24c, 0);
        expect_fail(b, len, ENOEXEC,
                    "payload (0 bytes) starts with 00 00 00 00, the magic of no compression");
        /* setup_sects 0 means 4: the payload is then 512 bytes later, past the end */
        FRESH();
        b[0x1f1] = 0;
        expect_fail(b, len, ENOEXEC, "from the protected-mode code at 2560) lies outside the file");
        /* the magic of a format bench does not decode */
        FRESH();
        memcpy(b + BZ_PM + BZ_OFF, "BZh91AY&SY", 10);
        expect_fail(b, len, EOPNOTSUPP, "bzip2-compressed, which bench cannot decompress");
        FRESH();
        memcpy(b + BZ_PM + BZ_OFF, "\x89LZO\0\r\n\x1a\n", 9);
        expect_fail(b, len, EOPNOTSUPP, "lzo-compressed, which bench cannot decompress");
        FRESH();
        memcpy(b + BZ_PM + BZ_OFF, "\x04\x22\x4d\x18",
               4); /* LZ4's frame format: not what the kernel writes */
        expect_fail(b, len, ENOEXEC, "starts with 04 22 4d 18");
#undef FRESH
}

/* ---- hand-made LZ4 ---- */

/* A bzImage of one legacy LZ4 stream holding the given blocks (each: its bytes, no size). */
static uint8_t *lz4_bzimage(const uint8_t *const *blocks, const size_t *sizes, size_t n, size_t *ret_len) {
        size_t total = 4;
        for (size_t i = 0; i < n; i++)
                total += 4 + sizes[i];
        _cleanup_free_ uint8_t *p = malloc(total);
        assert_non_null(p);
        put32(p, 0x184c2102);
        size_t at = 4;
        for (size_t i = 0; i < n; i++) {
                put32(p + at, (uint32_t)sizes[i]);
                memcpy(p + at + 4, blocks[i], sizes[i]);
                at += 4 + sizes[i];
        }
        return make_bzimage(p, total, ret_len);
}

static void expect_lz4_block_fails(const uint8_t *block, size_t size, int code, const char *want) {
        size_t len = 0;
        _cleanup_free_ uint8_t *bz = lz4_bzimage(&block, &size, 1, &len);
        expect_fail(bz, len, code, want);
}

static void test_lz4_corrupt(void **state) {
        /* "AB", then a match 2 back: fine, but "A" and a match 2 back reaches before the output */
        static const uint8_t before_start[] = {0x10, 'A', 0x02, 0x00, 0x10, 'B'};
        expect_lz4_block_fails(before_start, sizeof(before_start), EBADMSG,
                               "a match reaches back before the start of its block's output");
        static const uint8_t offset_zero[] = {0x10, 'A', 0x00, 0x00, 0x10, 'B'};
        expect_lz4_block_fails(offset_zero, sizeof(offset_zero), EBADMSG, "offset 0");
        /* lengths and literals that run past the block */
        static const uint8_t lit_past[] = {0x50, 'A', 'B'};
        expect_lz4_block_fails(lit_past, sizeof(lit_past), EBADMSG,
                               "literals run past the end of their block");
        static const uint8_t lit_len_past[] = {0xf0, 0xff, 0xff};
        expect_lz4_block_fails(lit_len_past, sizeof(lit_len_past), EBADMSG, "a literal length runs past");
        static const uint8_t match_len_past[] = {0x1f, 'A', 0x01, 0x00, 0xff, 0xff};
        expect_lz4_block_fails(match_len_past, sizeof(match_len_past), EBADMSG, "a match length runs past");
        static const uint8_t offset_cut[] = {0x10, 'A', 0x01};
        expect_lz4_block_fails(offset_cut, sizeof(offset_cut), EBADMSG, "a match offset is cut off");
        static const uint8_t no_last_literals[] = {0x14, 'A', 0x01, 0x00};
        expect_lz4_block_fails(no_last_literals, sizeof(no_last_literals), EBADMSG,
                               "a block ends without its last literals");
        /* a match whose length reaches past the 8 MiB of a legacy block */
        size_t n = 4 + 33000 + 3;
        _cleanup_free_ uint8_t *long_match = malloc(n);
        assert_non_null(long_match);
        memcpy(long_match,
               "\x1f"
               "A\x01\x00",
               4);
        memset(long_match + 4, 0xff, 33000);
        memcpy(long_match + 4 + 33000,
               "\x00\x10"
               "B",
               3);
        expect_lz4_block_fails(long_match, n, EBADMSG, "a block decompresses to more than 8 MiB");
        /* block sizes that lie, and a stream cut in a size field */
        static const uint8_t ok_block[] = {0x10, 'A'};
        size_t len = 0;
        _cleanup_free_ uint8_t *bz = NULL;
        {
                const uint8_t *blocks[] = {ok_block};
                size_t sizes[] = {sizeof(ok_block)};
                bz = lz4_bzimage(blocks, sizes, 1, &len);
        }
        size_t size_at = BZ_PM + BZ_OFF + 4;
        put32(bz + size_at, 0x10000);
        expect_fail(bz, len, EBADMSG, "a block of 65536 bytes, past the end of the payload");
        put32(bz + size_at, 0);
        expect_fail(bz, len, EBADMSG, "a block of 0 bytes");
        put32(bz + size_at, 2);
        put32(bz + 0x24c, 4 + 4 + 2 + 3); /* 3 stray bytes after the block */
        expect_fail(bz, len, EBADMSG, "in the middle of a block size");
        /* a good block that is no ELF */
        put32(bz + 0x24c, 4 + 4 + 2);
        expect_fail(bz, len, ENOEXEC, "is not an ELF file (it starts with 41 00 00 00)");
}

/* ---- the ELF checks ---- */

static void expect_elf_fails(const elf_spec *s, const char *want) {
        size_t elf_len = 0, len = 0;
        _cleanup_free_ uint8_t *elf = make_elf(s, &elf_len);
        _cleanup_free_ uint8_t *bz = NULL;
        if (!bzimage_of(&compressors[0], elf, elf_len, &bz, &len))
                skip();
        expect_fail(bz, len, ENOEXEC, want);
        bench_error *err = NULL;
        assert_int_equal(vm_vmlinux_check_pvh(elf, elf_len, "elf", &err), -ENOEXEC);
        bench_error_free(err);
}

static void test_elf_rejections(void **state) {
        elf_spec s = good_elf;
        s.pvh = false;
        expect_elf_fails(
                &s, "no PVH entry (no \"Xen\" note of type 18, XEN_ELFNOTE_PHYS32_ENTRY, in its 1 PT_NOTE");
        s = good_elf;
        s.pvh_type = 17;
        expect_elf_fails(&s, "no PVH entry");
        s = good_elf;
        s.pvh_name = "Xem";
        expect_elf_fails(&s, "no PVH entry");
        s = good_elf;
        s.machine = EM_AARCH64;
        expect_elf_fails(&s, "for machine 183, not x86-64 (62)");
        s = good_elf;
        s.type = ET_DYN;
        expect_elf_fails(&s, "ELF type 3, not an executable");
        s = good_elf;
        s.note_overrun = true;
        expect_elf_fails(&s, "runs past the end of its PT_NOTE segment");

        size_t n = 0, len = 0;
        _cleanup_free_ uint8_t *elf32 = make_elf32(&n);
        _cleanup_free_ uint8_t *bz = NULL;
        if (!bzimage_of(&compressors[0], elf32, n, &bz, &len))
                skip();
        expect_fail(bz, len, ENOEXEC, "is a 32-bit ELF file");

        /* headers that point outside the file */
        size_t elf_len = 0;
        _cleanup_free_ uint8_t *elf = make_elf(&good_elf, &elf_len);
        bench_error *err = NULL;
        assert_int_equal(vm_vmlinux_check_pvh(elf, elf_len, "elf", NULL), 0);
        Elf64_Ehdr *h = (Elf64_Ehdr *)elf;
        h->e_phoff = elf_len - 8;
        assert_int_equal(vm_vmlinux_check_pvh(elf, elf_len, "elf", &err), -ENOEXEC);
        assert_non_null(strstr(err->msg, "program headers"));
        bench_error_freep(&err);
        h->e_phoff = sizeof(Elf64_Ehdr);
        Elf64_Phdr *ph = (Elf64_Phdr *)(elf + h->e_phoff);
        ph[1].p_filesz = UINT64_MAX - 8;
        assert_int_equal(vm_vmlinux_check_pvh(elf, elf_len, "elf", &err), -ENOEXEC);
        assert_non_null(strstr(err->msg, "lies outside"));
        bench_error_freep(&err);
        assert_int_equal(vm_vmlinux_check_pvh(elf, 40, "elf", &err), -ENOEXEC);
        assert_non_null(strstr(err->msg, "not an ELF file"));
        bench_error_freep(&err);
}

/* ---- corrupt streams of the libraries' formats ---- */

static void test_library_corrupt(void **state) {
        size_t elf_len = 0;
        _cleanup_free_ uint8_t *elf = make_elf(&good_elf, &elf_len);
        for (size_t i = 1; i < ELEMENTSOF(compressors); i++) {
                const compressor *c = &compressors[i];
                _cleanup_free_ uint8_t *p = NULL;
                size_t pn = 0, len = 0;
                if (!payload(c, elf, elf_len, &p, &pn)) {
                        print_message("skipped %s: the %s program is not installed\n", c->name, c->program);
                        continue;
                }
                /* cut in half */
                _cleanup_free_ uint8_t *cut = make_bzimage(p, pn / 2, &len);
                expect_fail(cut, len, EBADMSG, "payload is corrupt");
                /* bytes flipped in the middle */
                for (size_t k = pn / 3; k < pn / 3 + 16; k++)
                        p[k] ^= 0x5a;
                _cleanup_free_ uint8_t *flipped = make_bzimage(p, pn, &len);
                expect_fail(flipped, len, EBADMSG, "payload is corrupt");
        }
}

/* ---- more than 1 GiB ---- */

/* 129 hand-made 8 MiB LZ4 blocks of one byte repeated (each ~33 KB): 1 GiB + 8 MiB. */
static void test_lz4_bomb(void **state) {
        size_t k = 32896, rem = 107; /* 8388606 = 19 + 255 * k + rem: with "A" and "B" a block is 8 MiB */
        size_t bn = 4 + k + 1 + 2;
        _cleanup_free_ uint8_t *block = malloc(bn);
        assert_non_null(block);
        memcpy(block,
               "\x1f"
               "A\x01\x00",
               4);
        memset(block + 4, 0xff, k);
        block[4 + k] = (uint8_t)rem;
        memcpy(block + 4 + k + 1,
               "\x10"
               "B",
               2);
        enum { n = 129 };
        const uint8_t *blocks[n];
        size_t sizes[n];
        for (size_t i = 0; i < n; i++) {
                blocks[i] = block;
                sizes[i] = bn;
        }
        size_t len = 0;
        _cleanup_free_ uint8_t *bz = lz4_bzimage(blocks, sizes, 128, &len);
        /* 128 blocks: exactly 1 GiB, allowed (and then not an ELF) */
        uint64_t t0 = bench_now_ns();
        expect_fail(bz, len, ENOEXEC, "(1073741824 bytes) is not an ELF file");
        free(bz);
        bz = lz4_bzimage(blocks, sizes, n, &len);
        expect_fail(bz, len, EFBIG, "decompresses to more than 1 GiB");
        print_message("two 1 GiB LZ4 bombs in %.0f ms\n", bench_ns_to_ms(bench_now_ns() - t0));
}

/* A zstd stream of zeros, through the library's streaming path. */
static void test_zstd_bomb(void **state) {
        uint8_t *z = NULL;
        size_t zn = 0;
        if (!filter("zstd", "head -c 1074790400 /dev/zero | zstd -1 -q -c", "", 0, &z, &zn)) {
                print_message("skipped: zstd is not installed\n");
                skip();
        }
        _cleanup_free_ uint8_t *p = z;
        size_t len = 0;
        _cleanup_free_ uint8_t *bz = make_bzimage(p, zn, &len);
        uint64_t t0 = bench_now_ns();
        expect_fail(bz, len, EFBIG, "the zstd payload decompresses to more than 1 GiB");
        print_message("zstd bomb (%zu bytes) rejected in %.0f ms\n", zn, bench_ns_to_ms(bench_now_ns() - t0));
}

/* ---- the cache ---- */

static void set_cache(const char *sub) {
        _cleanup_free_ char *dir = NULL;
        assert_true(asprintf(&dir, "%s/%s", tmp, sub) > 0);
        setenv("BENCH_CACHE_DIR", dir, 1);
}

static void get_ok(const char *image, char **ret_path, bool want_cached) {
        bench_error *err = NULL;
        const char *fmt = NULL;
        bool cached = !want_cached;
        int r = vm_vmlinux_get(image, ret_path, &fmt, &cached, &err);
        if (r < 0)
                print_message("%s\n", err->msg);
        assert_int_equal(r, 0);
        assert_string_equal(fmt, "lz4");
        assert_int_equal(cached, want_cached);
}

static void assert_file_is(const char *path, const void *want, size_t len) {
        _cleanup_free_ char *data = NULL;
        size_t n = 0;
        assert_int_equal(bench_read_file(path, &data, &n, NULL), 0);
        assert_int_equal(n, len);
        assert_memory_equal(data, want, len);
}

static void test_cache(void **state) {
        size_t elf_len = 0, len = 0;
        _cleanup_free_ uint8_t *elf = make_elf(&good_elf, &elf_len);
        _cleanup_free_ uint8_t *bz = NULL;
        if (!bzimage_of(&compressors[0], elf, elf_len, &bz, &len)) {
                print_message("skipped: lz4 is not installed\n");
                skip();
        }
        set_cache("cache");
        _cleanup_free_ char *image = NULL, *vmdir = NULL;
        assert_true(asprintf(&image, "%s/vmlinuz-test", tmp) > 0 && asprintf(&vmdir, "%s/cache/vm", tmp) > 0);
        assert_int_equal(bench_write_file_atomic(image, (const char *)bz, len, NULL), 0);
        while (bench_cache_note_take())
                ;

        _cleanup_free_ char *p1 = NULL, *p2 = NULL, *p3 = NULL, *p4 = NULL, *p5 = NULL;
        get_ok(image, &p1, false);
        char hex[65];
        bench_sha256_hex(bz, len, hex);
        _cleanup_free_ char *want = NULL, *sum = NULL;
        assert_true(asprintf(&want, "%s/vmlinux-%.16s.elf", vmdir, hex) > 0 &&
                    asprintf(&sum, "%s.sum", want) > 0);
        assert_string_equal(p1, want);
        assert_file_is(p1, elf, elf_len);
        assert_int_equal(access(sum, F_OK), 0);
        /* nothing but the file and its record: no temp file left */
        _cleanup_(closedirp) DIR *d = opendir(vmdir);
        assert_non_null(d);
        char names[512] = "";
        size_t count = 0, at = 0;
        for (struct dirent *de; (de = readdir(d));)
                if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..")) {
                        count++;
                        int w = snprintf(names + at, sizeof(names) - at, "%s ", de->d_name);
                        at += w > 0 && (size_t)w < sizeof(names) - at ? (size_t)w : 0;
                }
        if (count != 2)
                print_message("in %s: %s\n", vmdir, names);
        assert_int_equal(count, 2);
        assert_null(bench_cache_note_take());

        /* reused */
        get_ok(image, &p2, true);
        assert_string_equal(p2, want);
        assert_null(bench_cache_note_take());

        /* one byte changed in place: detected, rebuilt, noted */
        int fd = open(p1, O_WRONLY | O_CLOEXEC);
        assert_true(fd >= 0);
        assert_int_equal(pwrite(fd, "X", 1, 600), 1);
        close(fd);
        get_ok(image, &p3, false);
        assert_file_is(p3, elf, elf_len);
        _cleanup_free_ char *note = bench_cache_note_take();
        assert_non_null(note);
        print_message("tampered: %s\n", note);
        assert_non_null(strstr(note, "rebuilt the uncompressed kernel of"));
        assert_non_null(strstr(note, image));
        assert_null(bench_cache_note_take());

        /* the record gone: rebuilt, noted */
        assert_int_equal(unlink(sum), 0);
        get_ok(image, &p4, false);
        _cleanup_free_ char *note2 = bench_cache_note_take();
        assert_non_null(note2);
        assert_non_null(strstr(note2, "no integrity record"));

        /* a symlink planted at the name: replaced, its target untouched */
        _cleanup_free_ char *victim = NULL;
        assert_true(asprintf(&victim, "%s/victim", tmp) > 0);
        assert_int_equal(bench_write_file_atomic(victim, "keep", 4, NULL), 0);
        assert_int_equal(unlink(want), 0);
        assert_int_equal(symlink(victim, want), 0);
        get_ok(image, &p5, false);
        free(bench_cache_note_take());
        struct stat st;
        assert_int_equal(lstat(want, &st), 0);
        assert_true(S_ISREG(st.st_mode));
        assert_file_is(victim, "keep", 4);
        assert_file_is(want, elf, elf_len);

        /* errors name the path */
        bench_error *err = NULL;
        char *path = NULL;
        _cleanup_free_ char *missing = NULL;
        assert_true(asprintf(&missing, "%s/no-such-kernel", tmp) > 0);
        assert_int_equal(vm_vmlinux_get(missing, &path, NULL, NULL, &err), -ENOENT);
        assert_non_null(strstr(err->msg, missing));
        bench_error_freep(&err);
        assert_int_equal(vm_vmlinux_get(tmp, &path, NULL, NULL, &err), -EINVAL);
        assert_non_null(strstr(err->msg, "not a regular file"));
        bench_error_freep(&err);
        assert_int_equal(vm_vmlinux_get(victim, &path, NULL, NULL, &err), -ENOEXEC);
        assert_non_null(strstr(err->msg, victim));
        assert_non_null(strstr(err->msg, "not a bzImage"));
        bench_error_freep(&err);
        assert_null(path);
        unsetenv("BENCH_CACHE_DIR");
}

/* ---- this host's guest kernel against lz4 itself ---- */

static void test_real_kernel(void **state) {
        struct stat st;
        _cleanup_free_ char *lz4 = NULL;
        if (stat(REAL_KERNEL, &st) < 0) {
                print_message("skipped: no %s (scripts/setup extracts it)\n", REAL_KERNEL);
                skip();
        }
        if (bench_find_program("lz4", 0, &lz4) < 0) {
                print_message("skipped: lz4 is not installed (the cross-check)\n");
                skip();
        }
        set_cache("real");
        bench_error *err = NULL;
        _cleanup_free_ char *p1 = NULL, *p2 = NULL;
        const char *fmt = NULL;
        bool cached = true;
        uint64_t t0 = bench_now_ns();
        int r = vm_vmlinux_get(REAL_KERNEL, &p1, &fmt, &cached, &err);
        uint64_t t1 = bench_now_ns();
        if (r < 0)
                print_message("%s\n", err->msg);
        assert_int_equal(r, 0);
        assert_false(cached);
        assert_string_equal(fmt, "lz4");
        r = vm_vmlinux_get(REAL_KERNEL, &p2, &fmt, &cached, &err);
        uint64_t t2 = bench_now_ns();
        assert_int_equal(r, 0);
        assert_true(cached);
        assert_string_equal(p1, p2);

        /* lz4 -dc of the payload, without the size the kernel's build appends (lz4 calls it garbage) */
        _cleanup_free_ char *kernel = NULL;
        size_t len = 0;
        assert_int_equal(bench_read_file(REAL_KERNEL, &kernel, &len, NULL), 0);
        const uint8_t *k = (const uint8_t *)kernel;
        size_t pm = ((size_t)(k[0x1f1] ? k[0x1f1] : 4) + 1) * 512;
        uint32_t off = (uint32_t)k[0x248] | (uint32_t)k[0x249] << 8 | (uint32_t)k[0x24a] << 16 |
                       (uint32_t)k[0x24b] << 24;
        uint32_t plen = (uint32_t)k[0x24c] | (uint32_t)k[0x24d] << 8 | (uint32_t)k[0x24e] << 16 |
                        (uint32_t)k[0x24f] << 24;
        assert_true(pm + off + plen <= len);
        uint8_t *ref = NULL;
        size_t ref_len = 0;
        assert_true(filter("lz4", "lz4 -dc", k + pm + off, plen - 4, &ref, &ref_len));
        _cleanup_free_ uint8_t *ref_owned = ref;
        assert_file_is(p1, ref, ref_len);
        assert_int_equal(vm_vmlinux_check_pvh(ref, ref_len, "lz4 -dc", NULL), 0);
        print_message("%s: %zu bytes of lz4 -> %zu bytes of ELF, as lz4 -dc gives; first call %.1f ms, "
                      "reuse %.1f ms\n",
                      REAL_KERNEL, (size_t)plen, ref_len, bench_ns_to_ms(t1 - t0), bench_ns_to_ms(t2 - t1));
        unsetenv("BENCH_CACHE_DIR");
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_formats),
                cmocka_unit_test(test_lz4_blocks_and_streams),
                cmocka_unit_test(test_header_rejections),
                cmocka_unit_test(test_lz4_corrupt),
                cmocka_unit_test(test_elf_rejections),
                cmocka_unit_test(test_library_corrupt),
                cmocka_unit_test(test_lz4_bomb),
                cmocka_unit_test(test_zstd_bomb),
                cmocka_unit_test(test_cache),
                cmocka_unit_test(test_real_kernel),
        };
        return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
