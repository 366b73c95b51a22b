/* SPDX-License-Identifier: MIT */
/*
 * The console reader on a real UNIX socket, written to as QEMU would: the
 * boot markers are found however the bytes are cut into writes, each gets
 * the arrival time of the write that completed it, the log keeps what came
 * (up to its cap), and a console nobody connects to stops cleanly.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "../../common/cleanup.h"
#include "../../common/error.h"
#include "../../common/util.h"
#include "../../vm/vm-internal.h"
#include "../../workloads/catalog.h"

typedef struct fixture {
        char dir[64], sock[128], log[128];
} fixture;

static int setup(void **state) {
        fixture *f = calloc(1, sizeof(*f));
        snprintf(f->dir, sizeof(f->dir), "/tmp/vmcon.XXXXXX");
        assert_non_null(mkdtemp(f->dir));
        snprintf(f->sock, sizeof(f->sock), "%s/con.sock", f->dir);
        snprintf(f->log, sizeof(f->log), "%s/console.log", f->dir);
        *state = f;
        return 0;
}

static int teardown(void **state) {
        fixture *f = *state;
        bench_rm_rf(f->dir, NULL);
        free(f);
        return 0;
}

static int connect_to(const char *path) {
        int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        assert_true(fd >= 0);
        struct sockaddr_un sa = {.sun_family = AF_UNIX};
        snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
        assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
        return fd;
}

static void put(int fd, const char *s) {
        assert_int_equal(bench_write_all(fd, s, strlen(s)), 0);
        usleep(20000); /* one read per write, in order: the arrival times differ */
}

/* Until the reader has seen marker m (or 2 s). */
static uint64_t wait_mark(vm_console *c, vm_mark m) {
        for (int i = 0; i < 2000; i++) {
                uint64_t t = vm_console_mark(c, m);
                if (t)
                        return t;
                usleep(1000);
        }
        return 0;
}

static void test_markers_across_writes(void **state) {
        fixture *f = *state;
        vm_console *c = NULL;
        bench_error *err = NULL;
        assert_int_equal(vm_console_listen(f->sock, f->log, &c, &err), 0);
        uint64_t before = bench_now_ns();
        int fd = connect_to(f->sock);
        /* SeaBIOS, then the banner cut in the middle of the marker, then the agent's line via printk */
        put(fd, "\x1b[2JSeaBIOS (version 1.16.2)\r\nBooting from R");
        put(fd, "OM...\r\nProbing EDD... ok\r\n[    0.000000] Linux vers");
        put(fd, "ion 6.1.0 (gcc)\r\n[    0.1] Kernel command line: console=ttyS0 -- --init startup\r\n");
        put(fd, "[    1.7] " WL_INIT_MARKER "\r\n");
        uint64_t fw = wait_mark(c, VM_MARK_FIRMWARE_DONE), kernel = wait_mark(c, VM_MARK_KERNEL),
                 init = wait_mark(c, VM_MARK_INIT);
        assert_true(fw > before);
        assert_true(kernel > fw);   /* the banner completed in the second write */
        assert_true(init > kernel); /* and the agent's line in the fourth */
        /* a second banner does not move the first */
        put(fd, "Linux version again\r\n");
        assert_int_equal(vm_console_mark(c, VM_MARK_KERNEL), kernel);
        close(fd);
        vm_console_free(c);
        _cleanup_free_ char *log = NULL;
        size_t n = 0;
        assert_int_equal(bench_read_file(f->log, &log, &n, NULL), 0);
        assert_non_null(strstr(log, "Booting from ROM...\r\nProbing"));
        assert_non_null(strstr(log, "Linux version again"));
}

/* A kernel line that quotes the marker's start, then mismatches, then has it whole. */
static void test_partial_matches(void **state) {
        fixture *f = *state;
        vm_console *c = NULL;
        bench_error *err = NULL;
        assert_int_equal(vm_console_listen(f->sock, f->log, &c, &err), 0);
        int fd = connect_to(f->sock);
        put(fd, "bench-agent: ini bench-agentbench-agent: in");
        assert_int_equal(vm_console_mark(c, VM_MARK_INIT), 0);
        put(fd, "it\r\n");
        assert_true(wait_mark(c, VM_MARK_INIT) > 0);
        assert_int_equal(vm_console_mark(c, VM_MARK_KERNEL), 0);
        assert_int_equal(vm_console_mark(c, VM_MARK_FIRMWARE_DONE), 0);
        close(fd);
        vm_console_free(c);
}

/* A guest that prints without end fills no disk: the log stops at 4 MiB, the reader keeps reading. */
static void test_log_cap(void **state) {
        fixture *f = *state;
        vm_console *c = NULL;
        bench_error *err = NULL;
        assert_int_equal(vm_console_listen(f->sock, f->log, &c, &err), 0);
        int fd = connect_to(f->sock);
        char *junk = malloc(1 << 20);
        memset(junk, 'x', 1 << 20);
        for (int i = 0; i < 5; i++)
                assert_int_equal(bench_write_all(fd, junk, 1 << 20), 0);
        free(junk);
        put(fd, WL_INIT_MARKER "\r\n");
        assert_true(wait_mark(c, VM_MARK_INIT) > 0); /* still read after the cap */
        close(fd);
        vm_console_free(c);
        struct stat st;
        assert_int_equal(stat(f->log, &st), 0);
        assert_int_equal(st.st_size, 4 << 20);
}

/* Nobody connects (QEMU never started); and the log must be new: a planted file or link is refused. */
static void test_no_guest_and_planted_log(void **state) {
        fixture *f = *state;
        vm_console *c = NULL;
        bench_error *err = NULL;
        assert_int_equal(vm_console_listen(f->sock, f->log, &c, &err), 0);
        assert_int_equal(vm_console_mark(c, VM_MARK_KERNEL), 0);
        vm_console_free(c); /* returns: the thread was waiting in accept */
        vm_console_free(NULL);
        unlink(f->sock);
        /* the log exists now (as an attacker's symlink would): refused, nothing followed */
        unlink(f->log);
        assert_int_equal(symlink("/etc/passwd", f->log), 0);
        c = NULL;
        assert_int_equal(vm_console_listen(f->sock, f->log, &c, &err), -EEXIST);
        assert_non_null(err);
        assert_non_null(strstr(err->msg, "console log"));
        bench_error_free(err);
        assert_null(c);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_markers_across_writes, setup, teardown),
                cmocka_unit_test_setup_teardown(test_partial_matches, setup, teardown),
                cmocka_unit_test_setup_teardown(test_log_cap, setup, teardown),
                cmocka_unit_test_setup_teardown(test_no_guest_and_planted_log, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
