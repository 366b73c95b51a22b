/* SPDX-License-Identifier: MIT */
/*
 * The libvirt connection against the real thing: the embedded QEMU driver
 * boots a TCG guest (a Debian kernel plus a busybox initramfs built here
 * with the cpio tool) that says READY over ttyS1 and powers off; a second
 * one that stays up is reaped by vm_conn_destroy_all. Needs root, libvirt,
 * qemu-system-x86_64 and a kernel under /var/cache/bench/kernel/ (skipped
 * otherwise). Also vm_accel_choose against /proc/cpuinfo read by grep.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <poll.h>
#include <pwd.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "../../common/cleanup.h"
#include "../../common/error.h"
#include "../../common/util.h"
#include "../../vm/virt.h"
#include "../../vm/vm-internal.h"

#define READY_TIMEOUT_MS 60000

typedef struct fixture {
        char root[32];
        vm_conn *conn;
        char prefix[32];
        char kernel[512];
} fixture;

/* ---- accel ---- */

static void test_accel(void **state) {
        const char *type = NULL, *accel = NULL;
        char why[256];
        bench_error *err = NULL;

        /* independently: does /dev/kvm open, does any cpu list vmx or svm? */
        int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
        bool dev_kvm = fd >= 0;
        if (fd >= 0)
                close(fd);
        bool virt_flag = system("grep -qwE 'vmx|svm' /proc/cpuinfo") == 0;
        bool want_kvm = dev_kvm && virt_flag;

        assert_int_equal(vm_accel_choose("auto", &type, &accel, why, sizeof(why), &err), 0);
        assert_string_equal(type, want_kvm ? "kvm" : "qemu");
        assert_string_equal(accel, want_kvm ? "kvm" : "tcg");
        print_message("auto -> %s: %s\n", accel, why);
        if (dev_kvm && !virt_flag)
                assert_non_null(strstr(why, "no vmx/svm"));

        assert_int_equal(vm_accel_choose(NULL, &type, &accel, why, sizeof(why), &err), 0);
        assert_string_equal(accel, want_kvm ? "kvm" : "tcg");

        assert_int_equal(vm_accel_choose("tcg", &type, &accel, why, sizeof(why), &err), 0);
        assert_string_equal(type, "qemu");
        assert_string_equal(accel, "tcg");

        int r = vm_accel_choose("kvm", &type, &accel, why, sizeof(why), &err);
        if (want_kvm) {
                assert_int_equal(r, 0);
                assert_string_equal(type, "kvm");
        } else {
                assert_int_equal(r, -ENODEV);
                assert_non_null(strstr(err->msg, "accel `kvm` asked for, but"));
                bench_error_freep(&err);
        }

        assert_int_equal(vm_accel_choose("hvf", &type, &accel, why, sizeof(why), &err), -EINVAL);
        assert_non_null(strstr(err->msg, "accel `hvf`"));
        bench_error_freep(&err);
}

/* ---- environment ---- */

/* Skips (with the reason) where the real thing cannot run. */
static void need_vm_host(fixture *f) {
        bench_error *err = NULL;
        if (geteuid() != 0) {
                print_message("skipped: needs root (mknod, the embedded QEMU driver as root)\n");
                skip();
        }
        if (!vm_virt(&err)) {
                print_message("skipped: %s\n", err->msg);
                bench_error_free(err);
                skip();
        }
        if (system("command -v qemu-system-x86_64 >/dev/null") != 0) {
                print_message("skipped: no qemu-system-x86_64 (install qemu-system-x86)\n");
                skip();
        }
        if (system("command -v cpio >/dev/null") != 0 || access("/bin/busybox", X_OK) != 0) {
                print_message("skipped: needs the cpio tool and /bin/busybox to build the initramfs\n");
                skip();
        }
        glob_t g;
        if (glob("/var/cache/bench/kernel/*/boot/vmlinuz-*", 0, NULL, &g) != 0) {
                print_message(
                        "skipped: no kernel under /var/cache/bench/kernel/ (scripts/setup extracts one)\n");
                skip();
        }
        snprintf(f->kernel, sizeof(f->kernel), "%s", g.gl_pathv[g.gl_pathc - 1]);
        globfree(&g);
}

static int setup(void **state) {
        fixture *f = calloc(1, sizeof(*f));
        assert_non_null(f);
        /* short: the embedded driver's sockets live under it */
        snprintf(f->root, sizeof(f->root), "/tmp/vmc.XXXXXX");
        assert_non_null(mkdtemp(f->root));
        snprintf(f->prefix, sizeof(f->prefix), "bench-%d-", (int)getpid());
        *state = f;
        return 0;
}

static int teardown(void **state) {
        fixture *f = *state;
        if (f->conn) {
                vm_conn_destroy_all(f->conn, f->prefix);
                vm_conn_close(f->conn);
        }
        bench_error *err = NULL;
        if (bench_rm_rf(f->root, &err) < 0) {
                print_message("cleanup: %s\n", err->msg);
                bench_error_free(err);
        }
        free(f);
        return 0;
}

/* ---- helpers ---- */

static void run(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void run(const char *fmt, ...) {
        char cmd[2048];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(cmd, sizeof(cmd), fmt, ap);
        va_end(ap);
        if (system(cmd) != 0)
                fail_msg("command failed: %s", cmd);
}

/* A busybox initramfs whose /init runs `body` (shell) and has /dev/ttyS1 and /dev/console. */
static void make_initramfs(const char *dir, const char *out, const char *body) {
        run("mkdir -p %s/bin %s/dev && cp /bin/busybox %s/bin/ && mknod %s/dev/ttyS1 c 4 65 && "
            "mknod %s/dev/console c 5 1",
            dir, dir, dir, dir, dir);
        char path[256];
        snprintf(path, sizeof(path), "%s/init", dir);
        FILE *fp = fopen(path, "we");
        assert_non_null(fp);
        fprintf(fp, "#!/bin/busybox sh\n%s\n", body);
        assert_int_equal(fclose(fp), 0);
        assert_int_equal(chmod(path, 0755), 0);
        run("cd %s && find . | cpio -o -H newc --quiet > %s", dir, out);
}

static int listen_unix(const char *path) {
        int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        assert_true(fd >= 0);
        struct sockaddr_un sa = {.sun_family = AF_UNIX};
        assert_true(strlen(path) < sizeof(sa.sun_path));
        strcpy(sa.sun_path, path);
        assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
        assert_int_equal(listen(fd, 1), 0);
        return fd;
}

static int remaining_ms(uint64_t deadline_ns) {
        uint64_t now = bench_now_ns();
        return now >= deadline_ns ? 0 : (int)((deadline_ns - now) / 1000000 + 1);
}

/*
 * Accepts QEMU's connection and reads until READY; returns the connected fd
 * (the socket closes when QEMU exits). Fails the test after the deadline.
 */
static int wait_ready(int lfd, uint64_t deadline_ns, const char *log) {
        struct pollfd p = {.fd = lfd, .events = POLLIN};
        if (poll(&p, 1, remaining_ms(deadline_ns)) != 1)
                fail_msg("QEMU never connected to the channel socket (console log %s)", log);
        int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
        assert_true(fd >= 0);
        char buf[256];
        size_t used = 0;
        for (;;) {
                p = (struct pollfd){.fd = fd, .events = POLLIN};
                if (poll(&p, 1, remaining_ms(deadline_ns)) != 1) {
                        run("tail -5 %s >&2", log);
                        fail_msg("no READY within %d s", READY_TIMEOUT_MS / 1000);
                }
                ssize_t n = read(fd, buf + used, sizeof(buf) - 1 - used);
                if (n <= 0) {
                        run("tail -5 %s >&2", log);
                        fail_msg("channel closed before READY");
                }
                used += (size_t)n;
                buf[used] = 0;
                if (strstr(buf, "READY"))
                        return fd;
                if (used == sizeof(buf) - 1)
                        fail_msg("no READY in `%s`", buf);
        }
}

/* Whether a process's command line names this domain (QEMU gets -name guest=NAME,...). */
static bool qemu_running(const char *name) {
        char needle[128];
        snprintf(needle, sizeof(needle), "guest=%s,", name);
        DIR *d = opendir("/proc");
        assert_non_null(d);
        bool found = false;
        struct dirent *e;
        while (!found && (e = readdir(d))) {
                if (e->d_name[0] < '0' || e->d_name[0] > '9')
                        continue;
                char path[300], buf[4096];
                snprintf(path, sizeof(path), "/proc/%s/cmdline", e->d_name);
                int fd = open(path, O_RDONLY | O_CLOEXEC);
                if (fd < 0)
                        continue;
                ssize_t n = read(fd, buf, sizeof(buf) - 1);
                close(fd);
                for (ssize_t i = 0; i < n; i++)
                        if (!buf[i])
                                buf[i] = ' ';
                buf[n > 0 ? n : 0] = 0;
                found = strstr(buf, needle) != NULL;
        }
        closedir(d);
        return found;
}

static int some_allowed_cpu(void) {
        cpu_set_t set;
        assert_int_equal(sched_getaffinity(0, sizeof(set), &set), 0);
        for (int c = CPU_SETSIZE - 1; c >= 0; c--)
                if (CPU_ISSET(c, &set))
                        return c;
        fail_msg("no cpu in our affinity");
        return -1;
}

/* ---- tests ---- */

static void test_open_bad_root(void **state) {
        fixture *f = *state;
        need_vm_host(f);
        vm_conn *c = NULL;
        bench_error *err = NULL;
        assert_int_equal(vm_conn_open(NULL, "/tmp/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", &c, &err),
                         -ENAMETOOLONG);
        assert_non_null(strstr(err->msg, "longer than 40 bytes"));
        bench_error_freep(&err);
        assert_int_equal(vm_conn_open(NULL, "tmp/x", &c, &err), -EINVAL);
        assert_non_null(strstr(err->msg, "not absolute"));
        bench_error_freep(&err);
        assert_int_equal(vm_conn_open(NULL, "/tmp/a b", &c, &err), -EINVAL);
        assert_non_null(strstr(err->msg, "` ` is not allowed"));
        bench_error_freep(&err);
        assert_int_equal(vm_conn_open(NULL, NULL, &c, &err), -EINVAL);
        bench_error_freep(&err);
        assert_null(c);
        /* a URI nothing serves: libvirt's own message comes through */
        assert_true(vm_conn_open("bogus:///nothing", NULL, &c, &err) < 0);
        assert_non_null(strstr(err->msg, "libvirt bogus:///nothing: "));
        print_message("%s\n", err->msg);
        bench_error_freep(&err);
}

static void test_domain_lifecycle(void **state) {
        fixture *f = *state;
        need_vm_host(f);
        bench_error *err = NULL;
        char t[64], ird1[96], ird2[96], sock1[96], sock2[96], log1[96], log2[96], disk[96], conf[96];
        snprintf(t, sizeof(t), "%s/t", f->root);
        snprintf(ird1, sizeof(ird1), "%s/i1.cpio", t);
        snprintf(ird2, sizeof(ird2), "%s/i2.cpio", t);
        snprintf(sock1, sizeof(sock1), "%s/c1.sock", t);
        snprintf(sock2, sizeof(sock2), "%s/c2.sock", t);
        snprintf(log1, sizeof(log1), "%s/c1.log", t);
        snprintf(log2, sizeof(log2), "%s/c2.log", t);
        snprintf(disk, sizeof(disk), "%s/d.img", t);
        snprintf(conf, sizeof(conf), "%s/etc/qemu.conf", f->root);

        run("mkdir -p %s && truncate -s 1M %s", t, disk);
        char w1[96], w2[96];
        snprintf(w1, sizeof(w1), "%s/w1", t);
        snprintf(w2, sizeof(w2), "%s/w2", t);
        make_initramfs(w1, ird1, "echo READY > /dev/ttyS1\n/bin/busybox poweroff -f");
        make_initramfs(w2, ird2, "echo READY > /dev/ttyS1\nexec /bin/busybox sleep 600");
        run("rm -rf %s %s", w1, w2);

        uint64_t t0 = bench_now_ns();
        int r = vm_conn_open(NULL, f->root, &f->conn, &err);
        if (r < 0)
                fail_msg("%s", err->msg);
        uint64_t t_open = bench_now_ns() - t0;
        char want_uri[96];
        snprintf(want_uri, sizeof(want_uri), "qemu:///embed?root=%s", f->root);
        assert_string_equal(vm_conn_uri(f->conn), want_uri);
        /* the conf file the embedded driver reads instead of asking for virtlogd */
        _cleanup_free_ char *conf_text = NULL;
        size_t conf_len;
        assert_int_equal(bench_read_file(conf, &conf_text, &conf_len, &err), 0);
        assert_non_null(strstr(conf_text, "\nstdio_handler = \"file\"\n"));

        const vm_virt_api *v = vm_virt(&err);
        virConnectPtr conn = vm_conn_ptr(f->conn);
        assert_non_null(conn);

        /* 1: boots, says READY, powers off, and the domain is gone by itself */
        char name1[48], name2[48];
        snprintf(name1, sizeof(name1), "%s1", f->prefix);
        snprintf(name2, sizeof(name2), "%s2", f->prefix);
        int pin = some_allowed_cpu();
        vm_disk d = {.path = disk, .format = "raw"};
        vm_domain_spec spec = {
                .name = name1,
                .type = "qemu",
                .memory_kib = 128 * 1024,
                .vcpus = 1,
                .vcpu_pins = &pin,
                .kernel = f->kernel,
                .initrd = ird1,
                .cmdline = "console=ttyS0 panic=-1 quiet",
                .console_log = log1,
                .channel_socket = sock1,
                .disks = &d,
                .n_disks = 1,
        };
        _cleanup_free_ char *xml1 = NULL;
        assert_int_equal(vm_domain_xml(&spec, &xml1, &err), 0);
        _cleanup_close_ int lfd1 = listen_unix(sock1);

        t0 = bench_now_ns();
        uint64_t deadline = t0 + (uint64_t)READY_TIMEOUT_MS * 1000000;
        virDomainPtr dom = v->DomainCreateXML(conn, xml1, 0);
        if (!dom)
                fail_msg("virDomainCreateXML: %s", v->GetLastErrorMessage());
        uint64_t t_create = bench_now_ns() - t0;

        /* before the guest powers off */
        unsigned char map[CPU_SETSIZE / 8] = {0};
        int maplen = (pin / 8) + 1;
        assert_int_equal(v->DomainGetVcpuPinInfo(dom, 1, map, maplen, 0), 1);
        for (int c = 0; c < maplen * 8; c++)
                assert_int_equal(!!(map[c / 8] & (1 << (c % 8))), c == pin);
        assert_true(qemu_running(name1));

        _cleanup_close_ int cfd1 = wait_ready(lfd1, deadline, log1);
        uint64_t t_ready = bench_now_ns() - t0;
        /* the guest is still powering off: libvirt's lifecycle event ends the wait */
        assert_int_equal(vm_conn_wait_stopped(f->conn, dom, remaining_ms(deadline), &err), 0);
        uint64_t t_stopped = bench_now_ns() - t0;

        /* QEMU closes the channel when it exits: wait for that, then for libvirt to notice */
        char buf[256];
        struct pollfd p = {.fd = cfd1, .events = POLLIN};
        while (poll(&p, 1, remaining_ms(deadline)) == 1 && read(cfd1, buf, sizeof(buf)) > 0)
                ;
        uint64_t t_exit = bench_now_ns() - t0;
        bool gone = false;
        while (!gone && remaining_ms(deadline) > 0) {
                int st = 0, reason = 0;
                if (v->DomainGetState(dom, &st, &reason, 0) < 0 || st == VIR_DOMAIN_SHUTOFF)
                        gone = true;
                else
                        usleep(20000);
        }
        assert_true(gone);
        /* stopped before the wait began: it returns at once */
        assert_int_equal(vm_conn_wait_stopped(f->conn, dom, 0, &err), 0);
        v->DomainFree(dom);
        assert_null(v->DomainLookupByName(conn, name1)); /* transient: no trace left */
        uint64_t t_gone = bench_now_ns() - t0;
        assert_false(qemu_running(name1));

        /* 2: stays up after READY; destroy_all reaps it */
        spec.name = name2;
        spec.initrd = ird2;
        spec.console_log = log2;
        spec.channel_socket = sock2;
        spec.disks = NULL;
        spec.n_disks = 0;
        _cleanup_free_ char *xml2 = NULL;
        assert_int_equal(vm_domain_xml(&spec, &xml2, &err), 0);
        _cleanup_close_ int lfd2 = listen_unix(sock2);
        deadline = bench_now_ns() + (uint64_t)READY_TIMEOUT_MS * 1000000;
        dom = v->DomainCreateXML(conn, xml2, 0);
        if (!dom)
                fail_msg("virDomainCreateXML: %s", v->GetLastErrorMessage());
        _cleanup_close_ int cfd2 = wait_ready(lfd2, deadline, log2);
        assert_true(qemu_running(name2));
        /* a guest that stays up: the wait ends at its timeout */
        t0 = bench_now_ns();
        assert_int_equal(vm_conn_wait_stopped(f->conn, dom, 300, &err), -ETIMEDOUT);
        assert_true(bench_now_ns() - t0 >= 300 * 1000000ull);
        assert_non_null(strstr(err->msg, "within 300 ms"));
        bench_error_freep(&err);
        v->DomainFree(dom);
        char other[48];
        snprintf(other, sizeof(other), "bench-%d-", (int)getpid() + 1);
        assert_int_equal(vm_conn_destroy_all(f->conn, other), 0); /* not ours: untouched */
        assert_true(qemu_running(name2));
        t0 = bench_now_ns();
        assert_int_equal(vm_conn_destroy_all(f->conn, f->prefix), 1);
        uint64_t t_destroy = bench_now_ns() - t0;
        assert_null(v->DomainLookupByName(conn, name2));
        assert_false(qemu_running(name2));
        assert_int_equal(vm_conn_destroy_all(f->conn, f->prefix), 0);

        t0 = bench_now_ns();
        vm_conn_close(f->conn);
        f->conn = NULL;
        uint64_t t_close = bench_now_ns() - t0;
        assert_int_equal(bench_rm_rf(f->root, &err), 0);
        assert_int_equal(access(f->root, F_OK), -1);

        print_message("virConnectOpen(embed) %.1f ms, virDomainCreateXML %.1f ms, READY (TCG) %.1f ms after "
                      "create, stopped (event) %.1f ms, qemu exit %.1f ms, domain gone %.1f ms, destroy %.1f "
                      "ms, close %.1f ms\n",
                      bench_ns_to_ms(t_open), bench_ns_to_ms(t_create), bench_ns_to_ms(t_ready),
                      bench_ns_to_ms(t_stopped), bench_ns_to_ms(t_exit), bench_ns_to_ms(t_gone),
                      bench_ns_to_ms(t_destroy), bench_ns_to_ms(t_close));
}

/*
 * Through a daemon (qemu:///system, where libvirtd runs): the lifecycle
 * event comes over its socket, through the same event loop thread. Runs
 * before any embedded connection of this process (see main).
 */
static void test_wait_daemon(void **state) {
        fixture *f = *state;
        need_vm_host(f);
        if (access("/run/libvirt/libvirt-sock", F_OK) != 0) {
                print_message("skipped: libvirtd does not run (no /run/libvirt/libvirt-sock)\n");
                skip();
        }
#ifdef __SANITIZE_ADDRESS__
        /* ASan resolves its xdr interceptors at start, before dlopen brings libtirpc: they call NULL */
        print_message("skipped: under ASan libvirt's remote driver crashes in ASan's xdrmem_create\n");
        skip();
#endif
        bench_error *err = NULL;
        char w[64], ird[96], sock[96], log[96], name[48];
        snprintf(w, sizeof(w), "%s/w", f->root);
        snprintf(ird, sizeof(ird), "%s/i.cpio", f->root);
        snprintf(sock, sizeof(sock), "%s/c.sock", f->root);
        snprintf(log, sizeof(log), "%s/c.log", f->root);
        snprintf(name, sizeof(name), "%sd", f->prefix);
        make_initramfs(w, ird, "echo READY > /dev/ttyS1\n/bin/busybox poweroff -f");
        /* the daemon may run QEMU as its own user (libvirt-qemu) */
        assert_int_equal(chmod(f->root, 0755), 0);
        if (vm_conn_open("qemu:///system", NULL, &f->conn, &err) < 0)
                fail_msg("%s", err->msg);
        const vm_virt_api *v = vm_virt(&err);
        vm_domain_spec spec = {
                .name = name,
                .type = "qemu",
                .memory_kib = 128 * 1024,
                .vcpus = 1,
                .kernel = f->kernel,
                .initrd = ird,
                .cmdline = "console=ttyS0 panic=-1 quiet",
                .console_log = log,
                .channel_socket = sock,
        };
        _cleanup_free_ char *xml = NULL;
        assert_int_equal(vm_domain_xml(&spec, &xml, &err), 0);
        _cleanup_close_ int lfd = listen_unix(sock);
        assert_int_equal(chmod(sock, 0666), 0);
        uint64_t deadline = bench_now_ns() + (uint64_t)READY_TIMEOUT_MS * 1000000;
        virDomainPtr dom = v->DomainCreateXML(vm_conn_ptr(f->conn), xml, VIR_DOMAIN_START_AUTODESTROY);
        if (!dom)
                fail_msg("virDomainCreateXML: %s", v->GetLastErrorMessage());
        _cleanup_close_ int cfd = wait_ready(lfd, deadline, log);
        assert_int_equal(vm_conn_wait_stopped(f->conn, dom, remaining_ms(deadline), &err), 0);
        assert_int_not_equal(v->DomainIsActive(dom), 1);
        v->DomainFree(dom);
        assert_false(qemu_running(name));
}

/*
 * As root the embedded driver looks up user and group libvirt-qemu (what
 * Debian's libvirt is built with; libvirt-daemon-system creates them) before
 * it reads our qemu.conf, which then runs QEMU as root anyway. Where they
 * are missing, this process (still single-threaded) gets its own mount
 * namespace with /etc/passwd and /etc/group copies that have them, so the
 * host stays untouched.
 */
static void provide_qemu_user(void) {
        if (geteuid() != 0 || getpwnam("libvirt-qemu"))
                return;
        if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) {
                print_message("cannot make a private mount namespace: %s\n", strerror(errno));
                return;
        }
        static const struct {
                const char *file, *line;
        } add[] = {
                {"/etc/passwd", "libvirt-qemu:x:64055:64055::/nonexistent:/usr/sbin/nologin\n"},
                {"/etc/group", "libvirt-qemu:x:64055:\n"},
        };
        for (size_t i = 0; i < ELEMENTSOF(add); i++) {
                char tmp[] = "/tmp/vmc-etc.XXXXXX";
                int fd = mkostemp(tmp, O_CLOEXEC);
                if (fd < 0)
                        return;
                _cleanup_free_ char *data = NULL;
                size_t len;
                bench_error *err = NULL;
                bool ok = bench_read_file(add[i].file, &data, &len, &err) == 0 &&
                          write(fd, data, len) == (ssize_t)len &&
                          write(fd, add[i].line, strlen(add[i].line)) == (ssize_t)strlen(add[i].line) &&
                          fchmod(fd, 0644) == 0 && mount(tmp, add[i].file, NULL, MS_BIND, NULL) == 0;
                close(fd);
                unlink(tmp); /* the bind mount keeps it */
                bench_error_free(err);
                if (!ok) {
                        print_message("cannot provide user libvirt-qemu in %s\n", add[i].file);
                        return;
                }
        }
        print_message("note: no user libvirt-qemu on this host; provided in this test's mount namespace\n");
}

int main(void) {
        provide_qemu_user();
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_accel),
                cmocka_unit_test_setup_teardown(test_open_bad_root, setup, teardown),
                /* first: once the embedded driver is loaded, qemu:/// URIs go to it */
                cmocka_unit_test_setup_teardown(test_wait_daemon, setup, teardown),
                cmocka_unit_test_setup_teardown(test_domain_lifecycle, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
