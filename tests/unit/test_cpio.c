/* SPDX-License-Identifier: MIT */
/* vm/cpio.c: newc archives, checked byte by byte and read back by GNU cpio. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "../../common/cleanup.h"
#include "../../common/util.h"
#include "../../vm/vm-internal.h"

static char *make_tmpdir(void) {
        char *d = strdup("/tmp/test_cpio.XXXXXX");
        assert_non_null(d);
        assert_non_null(mkdtemp(d));
        return d;
}

static void rm_tree(const char *dir) {
        assert_int_equal(bench_rm_rf(dir, NULL), 0);
}

static char *read_all(const char *path, size_t *ret_len) {
        char *data = NULL;
        size_t len = 0;
        bench_error *err = NULL;
        assert_int_equal(bench_read_file(path, &data, &len, &err), 0);
        if (ret_len)
                *ret_len = len;
        return data;
}

/* One regular file "ab" holding "xyz": every byte of the archive, by hand. */
static void test_bytes(void **state) {
        _cleanup_free_ char *dir = make_tmpdir(), *path = NULL;
        assert_true(asprintf(&path, "%s/a.cpio", dir) > 0);
        int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
        assert_true(fd >= 0);
        bench_error *err = NULL;
        vm_cpio *c = NULL;
        assert_int_equal(vm_cpio_open(fd, &c, &err), 0);
        assert_int_equal(vm_cpio_file(c, "/ab", 0644, "xyz", 3, &err), 0);
        assert_int_equal(vm_cpio_close(c, &err), 0);
        close(fd);
        size_t len;
        _cleanup_free_ char *data = read_all(path, &len);
        assert_int_equal(len, 512); /* 120 + 124 = 244, padded to a block */
        /*
         * ino 1, mode 0100644 = 0x81A4, uid 0, gid 0, nlink 1, mtime 0, size 3,
         * dev 0:0, rdev 0:0, namesize 3 ("ab" + NUL), check 0
         */
        static const char hdr[] = "070701"
                                  "00000001"
                                  "000081A4"
                                  "00000000"
                                  "00000000"
                                  "00000001"
                                  "00000000"
                                  "00000003"
                                  "00000000"
                                  "00000000"
                                  "00000000"
                                  "00000000"
                                  "00000003"
                                  "00000000";
        assert_int_equal(strlen(hdr), 110);
        assert_memory_equal(data, hdr, 110);
        /* name + NUL at 110..112, padded to 116; data at 116..118, padded to 120 */
        assert_memory_equal(data + 110, "ab\0\0\0\0xyz\0", 10);
        /* the trailer: ino 0, mode 0, nlink 1, namesize 11 ("TRAILER!!!" + NUL) */
        static const char trailer[] = "070701"
                                      "00000000"
                                      "00000000"
                                      "00000000"
                                      "00000000"
                                      "00000001"
                                      "00000000"
                                      "00000000"
                                      "00000000"
                                      "00000000"
                                      "00000000"
                                      "00000000"
                                      "0000000B"
                                      "00000000";
        assert_int_equal(strlen(trailer), 110);
        assert_memory_equal(data + 120, trailer, 110);
        assert_memory_equal(data + 230, "TRAILER!!!", 11);
        for (size_t i = 241; i < len; i++)
                assert_int_equal(data[i], 0);
        rm_tree(dir);
}

static int run(const char *cmd) {
        int st = system(cmd);
        return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* Every entry kind, and names and contents of every length mod 4. */
static void test_roundtrip(void **state) {
        _cleanup_free_ char *dir = make_tmpdir(), *archive = NULL, *out = NULL, *host = NULL, *cmd = NULL;
        assert_true(asprintf(&archive, "%s/a.cpio", dir) > 0);
        assert_true(asprintf(&out, "%s/out", dir) > 0);
        assert_true(asprintf(&host, "%s/host.bin", dir) > 0);
        assert_int_equal(mkdir(out, 0755), 0);
        /* a host file bigger than the writer's 128 KiB buffer, not a multiple of 4 */
        size_t big_len = 300 * 1024 + 3;
        _cleanup_free_ char *big = malloc(big_len);
        assert_non_null(big);
        for (size_t i = 0; i < big_len; i++)
                big[i] = (char)(i * 7 + i / 251);
        assert_int_equal(bench_write_file_atomic(host, big, big_len, NULL), 0);

        int fd = open(archive, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
        assert_true(fd >= 0);
        bench_error *err = NULL;
        vm_cpio *c = NULL;
        assert_int_equal(vm_cpio_open(fd, &c, &err), 0);
        assert_int_equal(vm_cpio_dir(c, "/d", 0750, &err), 0);
        assert_int_equal(vm_cpio_dir(c, "/d/sub", 0700, &err), 0);
        static const char *const names[] = {"d/a", "d/bb", "d/ccc", "d/dddd", "d/eeeee"};
        static const char *const contents[] = {"", "1", "22", "333", "4444"};
        for (size_t i = 0; i < ELEMENTSOF(names); i++)
                assert_int_equal(vm_cpio_file(c, names[i], 0640, contents[i], strlen(contents[i]), &err), 0);
        assert_int_equal(vm_cpio_file_from(c, "/d/sub/big", 0755, host, &err), 0);
        assert_int_equal(vm_cpio_symlink(c, "/d/link", "sub/big", &err), 0);
        assert_int_equal(vm_cpio_chardev(c, "/d/ttyS1", 0620, 4, 65, &err), 0);
        assert_int_equal(vm_cpio_chardev(c, "/d/null", 0666, 1, 3, &err), 0);
        assert_int_equal(vm_cpio_close(c, &err), 0);
        assert_null(err);
        close(fd);
        struct stat st;
        assert_int_equal(stat(archive, &st), 0);
        assert_int_equal(st.st_size % 512, 0);

        /* cpio -t: every name, in order, stored without the leading / */
        assert_true(asprintf(&cmd, "cpio -t --quiet < %s > %s/list", archive, dir) > 0);
        assert_int_equal(run(cmd), 0);
        free(cmd);
        cmd = NULL;
        assert_true(asprintf(&cmd, "%s/list", dir) > 0);
        _cleanup_free_ char *list = read_all(cmd, NULL);
        assert_string_equal(
                list, "d\nd/sub\nd/a\nd/bb\nd/ccc\nd/dddd\nd/eeeee\nd/sub/big\nd/link\nd/ttyS1\nd/null\n");
        free(cmd);
        cmd = NULL;

        /* extracting device nodes needs root: as a user cpio reports them and goes on */
        bool root = geteuid() == 0;
        assert_true(asprintf(&cmd,
                             "cd %s && umask 0 && cpio -idmv --quiet --no-absolute-filenames < %s 2>%s/log",
                             out, archive, dir) > 0);
        int rc = run(cmd);
        if (root)
                assert_int_equal(rc, 0);
        free(cmd);
        cmd = NULL;

        for (size_t i = 0; i < ELEMENTSOF(names); i++) {
                _cleanup_free_ char *p = NULL;
                assert_true(asprintf(&p, "%s/%s", out, names[i]) > 0);
                size_t len;
                _cleanup_free_ char *got = read_all(p, &len);
                assert_int_equal(len, strlen(contents[i]));
                assert_memory_equal(got, contents[i], len);
                assert_int_equal(stat(p, &st), 0);
                assert_int_equal(st.st_mode, S_IFREG | 0640);
                assert_int_equal(st.st_mtime, 0); /* reproducible: mtime 0, kept by -m */
        }
        _cleanup_free_ char *p = NULL;
        assert_true(asprintf(&p, "%s/d/sub/big", out) > 0);
        size_t len;
        _cleanup_free_ char *got = read_all(p, &len);
        assert_int_equal(len, big_len);
        assert_memory_equal(got, big, big_len);
        assert_int_equal(stat(p, &st), 0);
        assert_int_equal(st.st_mode, S_IFREG | 0755);
        free(p);
        p = NULL;

        assert_true(asprintf(&p, "%s/d/sub", out) > 0);
        assert_int_equal(stat(p, &st), 0);
        assert_int_equal(st.st_mode, S_IFDIR | 0700);
        free(p);
        p = NULL;
        assert_true(asprintf(&p, "%s/d", out) > 0);
        assert_int_equal(stat(p, &st), 0);
        assert_int_equal(st.st_mode, S_IFDIR | 0750);
        free(p);
        p = NULL;

        assert_true(asprintf(&p, "%s/d/link", out) > 0);
        char target[64] = {0};
        assert_int_equal(readlink(p, target, sizeof(target) - 1), 7);
        assert_string_equal(target, "sub/big");
        assert_int_equal(lstat(p, &st), 0);
        assert_true(S_ISLNK(st.st_mode));
        free(p);
        p = NULL;

        if (!root) {
                print_message("not root: device nodes not extracted, their numbers not checked\n");
        } else {
                assert_true(asprintf(&p, "%s/d/ttyS1", out) > 0);
                assert_int_equal(lstat(p, &st), 0);
                assert_int_equal(st.st_mode, S_IFCHR | 0620);
                assert_int_equal(major(st.st_rdev), 4);
                assert_int_equal(minor(st.st_rdev), 65);
                free(p);
                p = NULL;
                assert_true(asprintf(&p, "%s/d/null", out) > 0);
                assert_int_equal(lstat(p, &st), 0);
                assert_int_equal(st.st_mode, S_IFCHR | 0666);
                assert_int_equal(major(st.st_rdev), 1);
                assert_int_equal(minor(st.st_rdev), 3);
                free(p);
                p = NULL;
        }

        /* inode numbers: distinct (cpio -tv --numeric shows no inode; read the headers ourselves) */
        _cleanup_free_ char *data = read_all(archive, &len);
        unsigned seen[32];
        size_t n_seen = 0;
        for (size_t off = 0; off + 110 <= len && n_seen < ELEMENTSOF(seen);) {
                assert_memory_equal(data + off, "070701", 6);
                char f[9] = {0};
                memcpy(f, data + off + 6, 8);
                unsigned ino = (unsigned)strtoul(f, NULL, 16);
                memcpy(f, data + off + 6 + 6 * 8, 8);
                unsigned long size = strtoul(f, NULL, 16);
                memcpy(f, data + off + 6 + 11 * 8, 8);
                unsigned long namesize = strtoul(f, NULL, 16);
                if (!strcmp(data + off + 110, "TRAILER!!!"))
                        break;
                for (size_t i = 0; i < n_seen; i++)
                        assert_int_not_equal(seen[i], ino);
                seen[n_seen++] = ino;
                off = (off + 110 + namesize + 3) & ~(size_t)3;
                off = (off + size + 3) & ~(size_t)3;
        }
        assert_int_equal(n_seen, 11);
        rm_tree(dir);
}

static void test_errors(void **state) {
        _cleanup_free_ char *dir = make_tmpdir(), *path = NULL;
        assert_true(asprintf(&path, "%s/a.cpio", dir) > 0);
        int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
        assert_true(fd >= 0);
        vm_cpio *c = NULL;
        bench_error *err = NULL;
        assert_int_equal(vm_cpio_open(fd, &c, &err), 0);

        /* a missing host file: the error names the entry and the file */
        assert_true(vm_cpio_file_from(c, "/init", 0755, "/nonexistent/agent", &err) < 0);
        assert_non_null(err);
        assert_non_null(strstr(err->msg, "/init"));
        assert_non_null(strstr(err->msg, "/nonexistent/agent"));
        bench_error_freep(&err);
        /* a directory is not a file */
        assert_true(vm_cpio_file_from(c, "/x", 0644, dir, &err) < 0);
        assert_non_null(strstr(err->msg, "/x"));
        bench_error_freep(&err);
        /* names that leave nothing to store */
        assert_int_equal(vm_cpio_dir(c, "/", 0755, &err), -EINVAL);
        bench_error_freep(&err);
        assert_int_equal(vm_cpio_file(c, "", 0644, "x", 1, &err), -EINVAL);
        bench_error_freep(&err);
        assert_int_equal(vm_cpio_symlink(c, "/l", "", &err), -EINVAL);
        assert_non_null(strstr(err->msg, "/l"));
        bench_error_freep(&err);
        /* those failures wrote nothing: the archive is still just a trailer */
        assert_int_equal(vm_cpio_close(c, &err), 0);
        close(fd);
        struct stat st;
        assert_int_equal(stat(path, &st), 0);
        assert_int_equal(st.st_size, 512);

        /* a write error: named, and the archive refuses more */
        fd = open(path, O_RDONLY | O_CLOEXEC);
        assert_true(fd >= 0);
        assert_int_equal(vm_cpio_open(fd, &c, &err), 0);
        assert_int_equal(vm_cpio_dir(c, "/dev", 0755, &err), -EBADF);
        assert_non_null(strstr(err->msg, "/dev"));
        bench_error_freep(&err);
        assert_true(vm_cpio_dir(c, "/proc", 0755, &err) < 0);
        assert_non_null(strstr(err->msg, "/proc"));
        bench_error_freep(&err);
        assert_true(vm_cpio_close(c, &err) < 0);
        bench_error_freep(&err);
        close(fd);

        /* abort frees without writing */
        fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
        assert_true(fd >= 0);
        assert_int_equal(vm_cpio_open(fd, &c, &err), 0);
        vm_cpio_abort(c);
        vm_cpio_abort(NULL);
        close(fd);
        assert_int_equal(stat(path, &st), 0);
        assert_int_equal(st.st_size, 0);
        rm_tree(dir);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_bytes),
                cmocka_unit_test(test_roundtrip),
                cmocka_unit_test(test_errors),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
