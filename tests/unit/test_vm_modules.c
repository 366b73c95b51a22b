/* SPDX-License-Identifier: MIT */
/*
 * vm/modules.c, vm/kernel.c, vm/image.c: module dependencies from hand-made
 * ELF files and from the real Debian cloud kernel (when scripts/setup has
 * extracted one), finding the kernel, and the cached initramfs.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "../../common/cache.h"
#include "../../common/cleanup.h"
#include "../../common/util.h"
#include "../../vm/vm-internal.h"

static char *make_tmpdir(void) {
        char *d = strdup("/tmp/test_vm_modules.XXXXXX");
        assert_non_null(d);
        assert_non_null(mkdtemp(d));
        return d;
}

static void mkdir_p(const char *path) {
        _cleanup_free_ char *cmd = NULL;
        assert_true(asprintf(&cmd, "mkdir -p '%s'", path) > 0);
        assert_int_equal(system(cmd), 0);
}

static void write_bytes(const char *path, const void *data, size_t len) {
        _cleanup_free_ char *copy = strdup(path);
        mkdir_p(dirname(copy));
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        assert_true(fd >= 0);
        assert_int_equal(write(fd, data, len), (ssize_t)len);
        close(fd);
}

/*
 * A minimal relocatable ELF64 file, built here independently of the parser:
 * the header, a section name table, a .modinfo section and a section header
 * table of three entries (null, .shstrtab, .modinfo).
 */
static void write_ko(const char *path, const char *modinfo, size_t modinfo_len, unsigned char cls) {
        static const char shstrtab[] = "\0.shstrtab\0.modinfo"; /* + the implicit NUL: 20 bytes */
        size_t strs_off = sizeof(Elf64_Ehdr), info_off = strs_off + sizeof(shstrtab);
        size_t sh_off = (info_off + modinfo_len + 7) & ~(size_t)7;
        size_t total = sh_off + 3 * sizeof(Elf64_Shdr);
        _cleanup_free_ unsigned char *buf = calloc(1, total);
        assert_non_null(buf);
        Elf64_Ehdr eh = {0};
        memcpy(eh.e_ident, ELFMAG, SELFMAG);
        eh.e_ident[EI_CLASS] = cls;
        eh.e_ident[EI_DATA] = ELFDATA2LSB;
        eh.e_ident[EI_VERSION] = EV_CURRENT;
        eh.e_type = ET_REL;
        eh.e_machine = EM_X86_64;
        eh.e_version = EV_CURRENT;
        eh.e_shoff = sh_off;
        eh.e_ehsize = sizeof(Elf64_Ehdr);
        eh.e_shentsize = sizeof(Elf64_Shdr);
        eh.e_shnum = 3;
        eh.e_shstrndx = 1;
        memcpy(buf, &eh, sizeof(eh));
        memcpy(buf + strs_off, shstrtab, sizeof(shstrtab));
        memcpy(buf + info_off, modinfo, modinfo_len);
        Elf64_Shdr sh[3] = {0};
        sh[1] = (Elf64_Shdr){.sh_name = 1,
                             .sh_type = SHT_STRTAB,
                             .sh_offset = strs_off,
                             .sh_size = sizeof(shstrtab),
                             .sh_addralign = 1};
        sh[2] = (Elf64_Shdr){.sh_name = 11,
                             .sh_type = SHT_PROGBITS,
                             .sh_flags = SHF_ALLOC,
                             .sh_offset = info_off,
                             .sh_size = modinfo_len,
                             .sh_addralign = 1};
        memcpy(buf + sh_off, sh, sizeof(sh));
        write_bytes(path, buf, total);
}

/* A module: modinfo "license=GPL", then depends= (unless NULL), then name=. */
static void make_module(const char *root, const char *rel, const char *name, const char *depends) {
        char info[512];
        size_t n = 0;
        n += (size_t)snprintf(info + n, sizeof(info) - n, "license=GPL") + 1;
        info[n++] = '\0'; /* padding NULs, as the linker leaves between entries */
        if (depends)
                n += (size_t)snprintf(info + n, sizeof(info) - n, "depends=%s", depends) + 1;
        n += (size_t)snprintf(info + n, sizeof(info) - n, "name=%s", name) + 1;
        _cleanup_free_ char *path = NULL;
        assert_true(asprintf(&path, "%s/kernel/%s", root, rel) > 0);
        write_ko(path, info, n, ELFCLASS64);
}

static const char *base_of(const char *path) {
        const char *s = strrchr(path, '/');
        return s ? s + 1 : path;
}

static size_t pos_of(char **paths, size_t n, const char *file) {
        for (size_t i = 0; i < n; i++)
                if (!strcmp(base_of(paths[i]), file))
                        return i;
        fail_msg("%s not in the result", file);
        return 0;
}

static void test_synthetic_order(void **state) {
        _cleanup_free_ char *dir = make_tmpdir(), *builtin = NULL;
        /* chain a -> b -> c; diamond d -> e, f -> g; f also needs the built-in bi */
        make_module(dir, "x/a.ko", "a", "b");
        make_module(dir, "x/b.ko", "b", "c");
        make_module(dir, "x/c.ko", "c", "");
        make_module(dir, "y/d.ko", "d", "e,f");
        make_module(dir, "y/z/e.ko", "e", "g");
        make_module(dir, "y/f.ko", "f", "g,bi");
        make_module(dir, "g.ko", "g", NULL); /* no depends= at all */
        make_module(dir, "x/h-dash.ko", "h_dash", "c");
        make_module(dir, "x/unused.ko", "unused", "");
        assert_true(asprintf(&builtin, "%s/modules.builtin", dir) > 0);
        static const char bi[] = "kernel/fs/bi/bi.ko\nkernel/fs/bi2/other-bi.ko\n";
        write_bytes(builtin, bi, strlen(bi));

        static const char *const want[] = {"a", "d", "h_dash", "bi", "other_bi", "c", "a"};
        char **paths = NULL;
        size_t n = 0;
        bench_error *err = NULL;
        assert_int_equal(vm_modules_resolve(dir, want, ELEMENTSOF(want), &paths, &n, &err), 0);
        assert_null(err);
        /* a b c d e f g h-dash, each once; bi and other-bi built in; unused not wanted */
        assert_int_equal(n, 8);
        size_t a = pos_of(paths, n, "a.ko"), b = pos_of(paths, n, "b.ko"), c = pos_of(paths, n, "c.ko");
        size_t d = pos_of(paths, n, "d.ko"), e = pos_of(paths, n, "e.ko"), f = pos_of(paths, n, "f.ko");
        size_t g = pos_of(paths, n, "g.ko"), h = pos_of(paths, n, "h-dash.ko");
        assert_true(c < b && b < a);
        assert_true(g < e && g < f && e < d && f < d);
        assert_true(c < h);
        /* full paths under the dir */
        _cleanup_free_ char *expect = NULL;
        assert_true(asprintf(&expect, "%s/kernel/y/z/e.ko", dir) > 0);
        assert_string_equal(paths[e], expect);
        vm_modules_free(paths, n);

        /* "-" and "_" are the same, both ways */
        static const char *const dash[] = {"h-dash"};
        assert_int_equal(vm_modules_resolve(dir, dash, 1, &paths, &n, &err), 0);
        assert_int_equal(n, 2);
        assert_string_equal(base_of(paths[0]), "c.ko");
        assert_string_equal(base_of(paths[1]), "h-dash.ko");
        vm_modules_free(paths, n);
        static const char *const only_builtin[] = {"other-bi", "bi"};
        assert_int_equal(vm_modules_resolve(dir, only_builtin, 2, &paths, &n, &err), 0);
        assert_int_equal(n, 0);
        vm_modules_free(paths, n);
        assert_int_equal(bench_rm_rf(dir, NULL), 0);
}

static void expect_error(const char *dir, const char *name, int code, const char *s1, const char *s2) {
        const char *want[] = {name};
        char **paths = NULL;
        size_t n = 0;
        bench_error *err = NULL;
        assert_int_equal(vm_modules_resolve(dir, want, 1, &paths, &n, &err), code);
        assert_non_null(err);
        if (!strstr(err->msg, s1) || (s2 && !strstr(err->msg, s2)))
                fail_msg("`%s`: message `%s` lacks `%s` or `%s`", name, err->msg, s1, s2 ? s2 : "");
        assert_null(paths);
        bench_error_free(err);
}

static void test_synthetic_errors(void **state) {
        _cleanup_free_ char *dir = make_tmpdir(), *path = NULL;
        make_module(dir, "ok.ko", "ok", "");
        /* not found anywhere: names the module and the dir */
        expect_error(dir, "nosuch", -ENOENT, "nosuch", dir);
        /* a missing dependency names both */
        make_module(dir, "m.ko", "m", "ok,gone");
        expect_error(dir, "m", -ENOENT, "gone", "needed by m");
        /* not ELF at all */
        assert_true(asprintf(&path, "%s/kernel/junk.ko", dir) > 0);
        write_bytes(path, "#!/bin/sh\necho not a module\n", 28);
        expect_error(dir, "junk", -ENOEXEC, "junk.ko", "not an ELF");
        free(path);
        /* ELF, but 32-bit */
        assert_true(asprintf(&path, "%s/kernel/e32.ko", dir) > 0);
        write_ko(path, "name=e32", 9, ELFCLASS32);
        expect_error(dir, "e32", -ENOEXEC, "e32.ko", "x86_64");
        free(path);
        /* truncated: a valid header whose section table lies past the end */
        assert_true(asprintf(&path, "%s/kernel/short.ko", dir) > 0);
        Elf64_Ehdr eh = {0};
        memcpy(eh.e_ident, ELFMAG, SELFMAG);
        eh.e_ident[EI_CLASS] = ELFCLASS64;
        eh.e_ident[EI_DATA] = ELFDATA2LSB;
        eh.e_type = ET_REL;
        eh.e_machine = EM_X86_64;
        eh.e_shoff = 4096;
        eh.e_shentsize = sizeof(Elf64_Shdr);
        eh.e_shnum = 3;
        eh.e_shstrndx = 1;
        write_bytes(path, &eh, sizeof(eh));
        expect_error(dir, "short", -ENOEXEC, "short.ko", "section");
        free(path);
        /* compressed: said so */
        assert_true(asprintf(&path, "%s/kernel/zz.ko.xz", dir) > 0);
        write_bytes(path,
                    "\xfd"
                    "7zXZ",
                    5);
        expect_error(dir, "zz", -ENOTSUP, "compressed", "zz.ko.xz");
        free(path);
        path = NULL;
        /* a cycle (the kernel would refuse to load it) */
        make_module(dir, "p.ko", "p", "q");
        make_module(dir, "q.ko", "q", "p");
        expect_error(dir, "p", -ELOOP, "depends on itself", NULL);
        /* no kernel/ dir */
        _cleanup_free_ char *empty = make_tmpdir();
        expect_error(empty, "ok", -ENOENT, empty, NULL);
        assert_int_equal(bench_rm_rf(empty, NULL), 0);
        assert_int_equal(bench_rm_rf(dir, NULL), 0);
}

/* The real kernel scripts/setup extracts, if there is one with modules. */
static bool real_kernel(vm_kernel *k) {
        bench_error *err = NULL;
        if (vm_kernel_find(NULL, NULL, k, &err) < 0) {
                print_message("skipped: %s\n", err->msg);
                bench_error_free(err);
                return false;
        }
        if (!k->modules_dir) {
                print_message("skipped: the kernel %s has no modules dir\n", k->image);
                vm_kernel_clear(k);
                return false;
        }
        return true;
}

static void test_real_kernel(void **state) {
        vm_kernel k = {0};
        if (!real_kernel(&k)) {
                skip();
                return;
        }
        print_message("kernel %s (%s), modules %s\n", k.image, k.source, k.modules_dir);
        bench_error *err = NULL;
        char **paths = NULL;
        size_t n = 0;
        static const char *const blk[] = {"virtio_blk"};
        assert_int_equal(vm_modules_resolve(k.modules_dir, blk, 1, &paths, &n, &err), 0);
        /* virtio_blk depends=virtio,virtio_ring (objcopy -O binary --only-section=.modinfo) */
        size_t ring = pos_of(paths, n, "virtio_ring.ko"), virtio = pos_of(paths, n, "virtio.ko");
        assert_string_equal(base_of(paths[n - 1]), "virtio_blk.ko");
        assert_true(ring < n - 1 && virtio < n - 1);
        vm_modules_free(paths, n);

        /* ext4: skipped where modules.builtin lists it (Debian cloud), a module elsewhere */
        _cleanup_free_ char *bpath = NULL, *builtin = NULL;
        assert_true(asprintf(&bpath, "%s/modules.builtin", k.modules_dir) > 0);
        size_t blen;
        assert_int_equal(bench_read_file(bpath, &builtin, &blen, NULL), 0);
        bool ext4_builtin = strstr(builtin, "kernel/fs/ext4/ext4.ko\n") != NULL;
        static const char *const ext4[] = {"ext4"};
        assert_int_equal(vm_modules_resolve(k.modules_dir, ext4, 1, &paths, &n, &err), 0);
        if (ext4_builtin)
                assert_int_equal(n, 0);
        else
                assert_string_equal(base_of(paths[n - 1]), "ext4.ko");
        vm_modules_free(paths, n);

        static const char *const bad[] = {"virtio_blk", "no_such_module_xyz"};
        assert_int_equal(vm_modules_resolve(k.modules_dir, bad, 2, &paths, &n, &err), -ENOENT);
        assert_non_null(strstr(err->msg, "no_such_module_xyz"));
        assert_non_null(strstr(err->msg, k.modules_dir));
        bench_error_freep(&err);
        vm_kernel_clear(&k);
}

static char *saved_cache;

static void set_cache(const char *dir) {
        if (dir)
                setenv("BENCH_CACHE_DIR", dir, 1);
        else if (saved_cache)
                setenv("BENCH_CACHE_DIR", saved_cache, 1);
        else
                unsetenv("BENCH_CACHE_DIR");
}

static void test_kernel_find(void **state) {
        bench_error *err = NULL;
        vm_kernel k = {0};
        /* a given path that is not there is named */
        assert_int_equal(vm_kernel_find("/nonexistent/vmlinuz-1", NULL, &k, &err), -ENOENT);
        assert_non_null(strstr(err->msg, "/nonexistent/vmlinuz-1"));
        bench_error_freep(&err);

        _cleanup_free_ char *dir = make_tmpdir(), *p = NULL;
        /* given, with modules next to it: <root>/boot/vmlinuz-7.0 and <root>/lib/modules/7.0 */
        assert_true(asprintf(&p, "%s/root/boot/vmlinuz-7.0", dir) > 0);
        write_bytes(p, "k", 1);
        _cleanup_free_ char *mods = NULL;
        assert_true(asprintf(&mods, "%s/root/lib/modules/7.0", dir) > 0);
        mkdir_p(mods);
        assert_int_equal(vm_kernel_find(p, NULL, &k, &err), 0);
        assert_string_equal(k.image, p);
        assert_string_equal(k.modules_dir, mods); /* /tmp/... has no symlinks: realpath is the same */
        assert_string_equal(k.release, "7.0");
        assert_string_equal(k.source, "suite");
        vm_kernel_clear(&k);
        /* a modules dir that is not there is named */
        assert_true(vm_kernel_find(p, "/nonexistent/modules", &k, &err) < 0);
        assert_non_null(strstr(err->msg, "/nonexistent/modules"));
        bench_error_freep(&err);
        free(p);
        p = NULL;

        struct utsname u;
        assert_int_equal(uname(&u), 0);
        assert_true(asprintf(&p, "/boot/vmlinuz-%s", u.release) > 0);
        if (access(p, R_OK) == 0) {
                print_message("skipped the cache part: this host boots guests from %s\n", p);
                assert_int_equal(bench_rm_rf(dir, NULL), 0);
                return;
        }
        free(p);
        p = NULL;
        /* the cache: newest by version (5.10.0-10 > 5.10.0-9), dirs without a vmlinuz ignored */
        static const char *const rels[] = {"5.10.0-9", "5.10.0-10"};
        for (size_t i = 0; i < ELEMENTSOF(rels); i++) {
                assert_true(asprintf(&p, "%s/kernel/%s/boot/vmlinuz-%s", dir, rels[i], rels[i]) > 0);
                write_bytes(p, "k", 1);
                free(p);
                p = NULL;
        }
        assert_true(asprintf(&p, "%s/kernel/5.10.0-11/lib/modules/5.10.0-11", dir) > 0);
        mkdir_p(p);
        free(p);
        p = NULL;
        assert_true(asprintf(&p, "%s/kernel/5.10.0-10/lib/modules/5.10.0-10", dir) > 0);
        mkdir_p(p);
        set_cache(dir);
        int r = vm_kernel_find(NULL, NULL, &k, &err);
        set_cache(NULL);
        assert_int_equal(r, 0);
        assert_string_equal(k.release, "5.10.0-10");
        assert_string_equal(k.source, "bench cache");
        assert_string_equal(k.modules_dir, p);
        free(p);
        assert_true(asprintf(&p, "%s/kernel/5.10.0-10/boot/vmlinuz-5.10.0-10", dir) > 0);
        assert_string_equal(k.image, p);
        vm_kernel_clear(&k);
        vm_kernel_clear(&k); /* cleared twice is fine */
        assert_int_equal(bench_rm_rf(dir, NULL), 0);
}

static char *list_archive(const char *archive) {
        _cleanup_free_ char *cmd = NULL;
        assert_true(asprintf(&cmd, "cpio -t --quiet < '%s'", archive) > 0);
        FILE *f = popen(cmd, "r");
        assert_non_null(f);
        char *out = calloc(1, 65536);
        assert_non_null(out);
        size_t n = fread(out, 1, 65535, f);
        out[n] = '\0';
        assert_int_equal(pclose(f), 0);
        return out;
}

static void test_image_build(void **state) {
        const char *agent = getenv("BENCH_AGENT");
        if (!agent || !*agent) {
                print_message("skipped: BENCH_AGENT is not set (the path of bench-agent)\n");
                skip();
                return;
        }
        vm_kernel k = {0};
        _cleanup_free_ char *dir = make_tmpdir();
        set_cache(dir); /* a fresh cache: the first build is cold; kernels still come from /var/cache/bench */
        if (!real_kernel(&k)) {
                set_cache(NULL);
                assert_int_equal(bench_rm_rf(dir, NULL), 0);
                skip();
                return;
        }
        bench_error *err = NULL;
        _cleanup_free_ char *img = NULL, *img2 = NULL, *img3 = NULL, *prefix = NULL;
        uint64_t t0 = bench_now_ns();
        int r = vm_image_build(&k, agent, &img, &err);
        uint64_t t1 = bench_now_ns();
        if (r < 0)
                fail_msg("%s", err->msg);
        struct stat st1, st2;
        assert_int_equal(stat(img, &st1), 0);
        r = vm_image_build(&k, agent, &img2, &err);
        uint64_t t2 = bench_now_ns();
        assert_int_equal(r, 0);
        print_message("%s: %lld bytes, cold %.1f ms, cached %.1f ms\n", img, (long long)st1.st_size,
                      bench_ns_to_ms(t1 - t0), bench_ns_to_ms(t2 - t1));
        /* <cache>/vm/initramfs-<16 hex>.cpio */
        assert_true(asprintf(&prefix, "%s/vm/initramfs-", dir) > 0);
        assert_int_equal(strncmp(img, prefix, strlen(prefix)), 0);
        const char *hex = img + strlen(prefix);
        assert_int_equal(strspn(hex, "0123456789abcdef"), 16);
        assert_string_equal(hex + 16, ".cpio");
        /* cache hit: the same file, not rewritten */
        assert_string_equal(img, img2);
        assert_int_equal(stat(img2, &st2), 0);
        assert_true(st1.st_ino == st2.st_ino);
        assert_true(st1.st_mtim.tv_sec == st2.st_mtim.tv_sec && st1.st_mtim.tv_nsec == st2.st_mtim.tv_nsec);
        assert_int_equal(st1.st_size % 512, 0);
        assert_null(bench_cache_note_take());

        /* a truncated cached image is rebuilt, and said so once */
        assert_int_equal(truncate(img, st1.st_size / 2), 0);
        _cleanup_free_ char *img4 = NULL;
        uint64_t t3 = bench_now_ns();
        r = vm_image_build(&k, agent, &img4, &err);
        uint64_t t4 = bench_now_ns();
        if (r < 0)
                fail_msg("%s", err->msg);
        assert_string_equal(img, img4);
        assert_int_equal(stat(img4, &st2), 0);
        assert_int_equal(st2.st_size, st1.st_size);
        _cleanup_free_ char *note = bench_cache_note_take();
        assert_non_null(note);
        assert_non_null(strstr(note, "rebuilt the VM initramfs"));
        assert_non_null(strstr(note, "truncated"));
        assert_non_null(strstr(note, img));
        assert_null(bench_cache_note_take());
        print_message("truncated: %s; rebuilt in %.1f ms\n", note, bench_ns_to_ms(t4 - t3));
        /* the same bytes changed in place: the hash finds them */
        FILE *f = fopen(img, "r+");
        assert_non_null(f);
        assert_int_equal(fseek(f, st1.st_size / 3, SEEK_SET), 0);
        fputs("tampered", f);
        assert_int_equal(fclose(f), 0);
        _cleanup_free_ char *img5 = NULL;
        assert_int_equal(vm_image_build(&k, agent, &img5, &err), 0);
        _cleanup_free_ char *note2 = bench_cache_note_take();
        assert_non_null(note2);
        assert_non_null(strstr(note2, "sha256"));
        /* a fresh record, and the cached image passes again without a note */
        _cleanup_free_ char *img6 = NULL;
        assert_int_equal(vm_image_build(&k, agent, &img6, &err), 0);
        assert_null(bench_cache_note_take());

        char **mods = NULL;
        size_t n = 0;
        static const char *const want[] = {"virtio_pci", "virtio_blk", "virtio_console", "ext4"};
        assert_int_equal(vm_modules_resolve(k.modules_dir, want, 4, &mods, &n, &err), 0);
        _cleanup_free_ char *list = list_archive(img);
        assert_non_null(strstr(list, "\ninit\n"));
        assert_non_null(strstr(list, "dev/console\n"));
        assert_non_null(strstr(list, "dev/ttyS1\n"));
        assert_non_null(strstr(list, "scratch\n"));
        for (size_t i = 0; i < n; i++) {
                char entry[256];
                const char *b = base_of(mods[i]);
                snprintf(entry, sizeof(entry), "modules/%02zu-%.*s.ko\n", i, (int)(strlen(b) - 3), b);
                for (char *c = entry; *c; c++)
                        if (*c == '-' && c > entry + 10)
                                *c = '_';
                if (!strstr(list, entry))
                        fail_msg("%s not in\n%s", entry, list);
        }
        vm_modules_free(mods, n);

        /* no modules dir: another image, without modules */
        vm_kernel bare = {.image = k.image, .release = k.release, .source = k.source};
        assert_int_equal(vm_image_build(&bare, agent, &img3, &err), 0);
        assert_string_not_equal(img, img3);
        _cleanup_free_ char *list3 = list_archive(img3);
        assert_null(strstr(list3, ".ko\n"));
        assert_non_null(strstr(list3, "\ninit\n"));

        /* a missing agent: named, and nothing is left behind in <cache>/vm */
        _cleanup_free_ char *vmdir = NULL, *ls = NULL;
        assert_int_equal(vm_image_build(&k, "/nonexistent/bench-agent", &img3, &err) < 0, 1);
        assert_non_null(strstr(err->msg, "/nonexistent/bench-agent"));
        bench_error_freep(&err);
        /* two images, each with its integrity record */
        assert_true(asprintf(&ls,
                             "test $(ls -A '%s/vm' | wc -l) -eq 4 && test $(ls -A '%s/vm' | grep -c "
                             "'\\.cpio\\.sum$') -eq 2",
                             dir, dir) > 0);
        assert_int_equal(system(ls), 0);

        set_cache(NULL);
        vm_kernel_clear(&k);
        assert_int_equal(bench_rm_rf(dir, NULL), 0);
}

int main(void) {
        const char *c = getenv("BENCH_CACHE_DIR");
        saved_cache = c ? strdup(c) : NULL;
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_synthetic_order), cmocka_unit_test(test_synthetic_errors),
                cmocka_unit_test(test_real_kernel),     cmocka_unit_test(test_kernel_find),
                cmocka_unit_test(test_image_build),
        };
        int r = cmocka_run_group_tests(tests, NULL, NULL);
        free(saved_cache);
        return r;
}
