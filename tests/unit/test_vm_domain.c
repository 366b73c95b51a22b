/* SPDX-License-Identifier: MIT */
/*
 * The domain XML, read back with an independent parser: /usr/bin/python3's
 * xml.etree flattens the document to one line per element (path,
 * attributes sorted, text), which the tests compare with what they expect,
 * written out by hand.
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
#include <unistd.h>

#include "../../common/cleanup.h"
#include "../../common/error.h"
#include "../../vm/vm-internal.h"

static const char flatten_py[] =
        "import sys, xml.etree.ElementTree as ET\n"
        "def walk(e, path):\n"
        "    path = path + '/' + e.tag if path else e.tag\n"
        "    attrs = ''.join(' %s=%s' % (k, v) for k, v in sorted(e.attrib.items()))\n"
        "    text = (e.text or '').strip()\n"
        "    print(path + attrs + (' : ' + text if text else ''))\n"
        "    for c in e:\n"
        "        walk(c, path)\n"
        "walk(ET.parse(sys.argv[1]).getroot(), '')\n";

/* The XML flattened by python, or NULL if it did not parse. */
static char *flatten(const char *xml) {
        char dir[] = "/tmp/vmdom.XXXXXX";
        assert_non_null(mkdtemp(dir));
        char py[64], xf[64], cmd[256];
        snprintf(py, sizeof(py), "%s/f.py", dir);
        snprintf(xf, sizeof(xf), "%s/d.xml", dir);
        FILE *f = fopen(py, "we");
        assert_non_null(f);
        fputs(flatten_py, f);
        assert_int_equal(fclose(f), 0);
        f = fopen(xf, "we");
        assert_non_null(f);
        fputs(xml, f);
        assert_int_equal(fclose(f), 0);
        snprintf(cmd, sizeof(cmd), "/usr/bin/python3 %s %s 2>&1", py, xf);
        FILE *p = popen(cmd, "r");
        assert_non_null(p);
        char *out = NULL;
        size_t len = 0;
        FILE *m = open_memstream(&out, &len);
        char buf[4096];
        size_t n;
        while ((n = fread(buf, 1, sizeof(buf), p)) > 0)
                fwrite(buf, 1, n, m);
        fclose(m);
        int status = pclose(p);
        unlink(py);
        unlink(xf);
        rmdir(dir);
        if (status != 0) {
                print_message("python3 failed on:\n%s\n%s\n", xml, out);
                free(out);
                return NULL;
        }
        return out;
}

static const int pins[] = {1, 0};
static const vm_disk disks[] = {
        {.path = "/var/cache/bench/vm/layers.qcow2", .format = "qcow2", .readonly = true},
        {.path = "/tmp/scratch.img", .format = "raw"},
};

static vm_domain_spec full_spec(void) {
        return (vm_domain_spec){
                .name = "bench-123-1",
                .type = "qemu",
                .machine = "q35",
                .memory_kib = 262144,
                .vcpus = 2,
                .vcpu_pins = pins,
                .emulator_cpus = "0",
                .kernel = "/boot/vmlinuz",
                .initrd = "/tmp/initramfs.cpio",
                .cmdline = "console=ttyS0 panic=-1",
                .console_log = "/tmp/r/console.log",
                .channel_socket = "/tmp/r/chan.sock",
                .disks = disks,
                .n_disks = 2,
        };
}

static void test_full_tcg(void **state) {
        vm_domain_spec s = full_spec();
        _cleanup_free_ char *xml = NULL;
        bench_error *err = NULL;
        assert_int_equal(vm_domain_xml(&s, &xml, &err), 0);
        assert_null(err);
        _cleanup_free_ char *flat = flatten(xml);
        assert_non_null(flat);
        /* by hand, from the brief: every element and attribute, in document order */
        static const char want[] = "domain type=qemu\n"
                                   "domain/name : bench-123-1\n"
                                   "domain/memory unit=KiB : 262144\n"
                                   "domain/vcpu placement=static : 2\n"
                                   "domain/cputune\n"
                                   "domain/cputune/vcpupin cpuset=1 vcpu=0\n"
                                   "domain/cputune/vcpupin cpuset=0 vcpu=1\n"
                                   "domain/cputune/emulatorpin cpuset=0\n"
                                   "domain/os\n"
                                   "domain/os/type arch=x86_64 machine=q35 : hvm\n"
                                   "domain/os/kernel : /boot/vmlinuz\n"
                                   "domain/os/initrd : /tmp/initramfs.cpio\n"
                                   "domain/os/cmdline : console=ttyS0 panic=-1\n"
                                   "domain/features\n"
                                   "domain/features/acpi\n"
                                   "domain/cpu mode=custom\n"
                                   "domain/cpu/model fallback=allow : qemu64\n"
                                   "domain/clock offset=utc\n"
                                   "domain/on_poweroff : destroy\n"
                                   "domain/on_reboot : destroy\n"
                                   "domain/on_crash : destroy\n"
                                   "domain/devices\n"
                                   "domain/devices/serial type=file\n"
                                   "domain/devices/serial/source path=/tmp/r/console.log\n"
                                   "domain/devices/serial/target port=0\n"
                                   "domain/devices/serial type=unix\n"
                                   "domain/devices/serial/source mode=connect path=/tmp/r/chan.sock\n"
                                   "domain/devices/serial/target port=1\n"
                                   "domain/devices/disk device=disk type=file\n"
                                   "domain/devices/disk/driver cache=none io=native name=qemu type=qcow2\n"
                                   "domain/devices/disk/source file=/var/cache/bench/vm/layers.qcow2\n"
                                   "domain/devices/disk/target bus=virtio dev=vda\n"
                                   "domain/devices/disk/readonly\n"
                                   "domain/devices/disk device=disk type=file\n"
                                   "domain/devices/disk/driver cache=none io=native name=qemu type=raw\n"
                                   "domain/devices/disk/source file=/tmp/scratch.img\n"
                                   "domain/devices/disk/target bus=virtio dev=vdb\n"
                                   "domain/devices/controller model=none type=usb\n"
                                   "domain/devices/memballoon model=none\n";
        assert_string_equal(flat, want);
}

static void test_minimal_kvm(void **state) {
        /* no pins, no initrd/cmdline, no log, no socket, no disks */
        vm_domain_spec s = {
                .name = "x",
                .type = "kvm",
                .memory_kib = 1,
                .vcpus = 1,
                .kernel = "/k",
        };
        _cleanup_free_ char *xml = NULL;
        bench_error *err = NULL;
        assert_int_equal(vm_domain_xml(&s, &xml, &err), 0);
        _cleanup_free_ char *flat = flatten(xml);
        assert_non_null(flat);
        static const char want[] = "domain type=kvm\n"
                                   "domain/name : x\n"
                                   "domain/memory unit=KiB : 1\n"
                                   "domain/vcpu placement=static : 1\n"
                                   "domain/os\n"
                                   "domain/os/type arch=x86_64 machine=q35 : hvm\n"
                                   "domain/os/kernel : /k\n"
                                   "domain/features\n"
                                   "domain/features/acpi\n"
                                   "domain/cpu mode=host-passthrough\n"
                                   "domain/clock offset=utc\n"
                                   "domain/on_poweroff : destroy\n"
                                   "domain/on_reboot : destroy\n"
                                   "domain/on_crash : destroy\n"
                                   "domain/devices\n"
                                   "domain/devices/serial type=null\n"
                                   "domain/devices/serial/target port=0\n"
                                   "domain/devices/controller model=none type=usb\n"
                                   "domain/devices/memballoon model=none\n";
        assert_string_equal(flat, want);
}

static void test_escaping(void **state) {
        static const vm_disk d[] = {{.path = "/d/a'b\"c<d>&e.img", .format = "raw"}};
        vm_domain_spec s = full_spec();
        s.kernel = "/k/<vmlinuz>&'\"";
        s.initrd = "/i/&amp;";
        s.cmdline = "init=/x a=\"<1>\" b='&' c=&lt;";
        s.console_log = "/l/'log'";
        s.channel_socket = "/s/\"sock\"&<>";
        s.machine = "pc-q35-7.2";
        s.disks = d;
        s.n_disks = 1;
        _cleanup_free_ char *xml = NULL;
        bench_error *err = NULL;
        assert_int_equal(vm_domain_xml(&s, &xml, &err), 0);
        _cleanup_free_ char *flat = flatten(xml);
        assert_non_null(flat);
        /* the parser hands back the very strings that went in */
        assert_non_null(strstr(flat, "\ndomain/os/type arch=x86_64 machine=pc-q35-7.2 : hvm\n"));
        assert_non_null(strstr(flat, "\ndomain/os/kernel : /k/<vmlinuz>&'\"\n"));
        assert_non_null(strstr(flat, "\ndomain/os/initrd : /i/&amp;\n"));
        assert_non_null(strstr(flat, "\ndomain/os/cmdline : init=/x a=\"<1>\" b='&' c=&lt;\n"));
        assert_non_null(strstr(flat, "\ndomain/devices/serial/source path=/l/'log'\n"));
        assert_non_null(strstr(flat, "\ndomain/devices/serial/source mode=connect path=/s/\"sock\"&<>\n"));
        assert_non_null(strstr(flat, "\ndomain/devices/disk/source file=/d/a'b\"c<d>&e.img\n"));
}

/* Each mutation of a good spec must fail with EINVAL-ish and a message naming the problem. */
static void expect_bad(const vm_domain_spec *s, int code, const char *needle) {
        char *xml = NULL;
        bench_error *err = NULL;
        int r = vm_domain_xml(s, &xml, &err);
        assert_int_equal(r, -code);
        assert_null(xml);
        assert_non_null(err);
        if (!strstr(err->msg, needle))
                fail_msg("message `%s` lacks `%s`", err->msg, needle);
        bench_error_free(err);
}

/* A chain deeper than libvirt follows goes to QEMU as -blockdev/-device; one at the limit stays a <disk>. */
static void test_deep_chain(void **state) {
        static const vm_disk d[] = {{.path = "/c/top.qcow2", .format = "qcow2", .chain_depth = 199},
                                    {.path = "/c/deep.qcow2", .format = "qcow2", .chain_depth = 200}};
        vm_domain_spec s = full_spec();
        s.disks = d;
        s.n_disks = 2;
        _cleanup_free_ char *xml = NULL;
        bench_error *err = NULL;
        assert_int_equal(vm_domain_xml(&s, &xml, &err), 0);
        _cleanup_free_ char *flat = flatten(xml);
        assert_non_null(flat);
        assert_non_null(strstr(flat, "\ndomain/devices/disk/source file=/c/top.qcow2\n"));
        assert_null(strstr(flat, "source file=/c/deep.qcow2"));
#define Q                                                                                                    \
        "domain/{http://libvirt.org/schemas/domain/qemu/1.0}commandline/{http://libvirt.org/schemas/domain/" \
        "qemu/1.0}arg"
        assert_non_null(
                strstr(flat, "\n" Q " value=-blockdev\n" Q
                             " value={\"driver\":\"qcow2\",\"node-name\":\"bench-disk1\",\"read-only\":false,"
                             "\"cache\":{\"direct\":true},\"file\":{\"driver\":\"file\",\"aio\":\"native\","
                             "\"cache\":{\"direct\":true},\"filename\":\"/c/deep.qcow2\"}}\n" Q
                             " value=-device\n" Q " value=virtio-blk-pci,drive=bench-disk1,id=bench-vdb\n"));
#undef Q
        /* the JSON cannot carry a quote */
        static const vm_disk q[] = {{.path = "/c/a\"b.qcow2", .format = "qcow2", .chain_depth = 300}};
        s.disks = q;
        s.n_disks = 1;
        _cleanup_free_ char *xml2 = NULL;
        assert_int_equal(vm_domain_xml(&s, &xml2, &err), -EINVAL);
        assert_non_null(err);
        assert_non_null(strstr(err->msg, "a quote or backslash"));
        bench_error_free(err);
}

/* The fast path's domain: qboot as the ROM, the console on a socket, no disk, a TCG cache size, SeaBIOS's
 * serial. */
static void test_fast_path(void **state) {
        vm_domain_spec s = full_spec();
        s.loader = "/usr/share/qemu/qboot.rom";
        s.kernel = "/var/cache/bench/vm/vmlinux-0123456789abcdef.elf";
        s.console_log = NULL;
        s.console_socket = "/tmp/r/con.sock";
        s.tb_cache_mib = 32;
        s.firmware_serial = true;
        s.n_disks = 0;
        _cleanup_free_ char *xml = NULL;
        bench_error *err = NULL;
        assert_int_equal(vm_domain_xml(&s, &xml, &err), 0);
        _cleanup_free_ char *flat = flatten(xml);
        assert_non_null(flat);
        assert_non_null(strstr(flat,
                               "\ndomain/os/loader type=rom : /usr/share/qemu/qboot.rom\n"
                               "domain/os/kernel : /var/cache/bench/vm/vmlinux-0123456789abcdef.elf\n"));
        assert_non_null(strstr(flat, "\ndomain/features/tcg\ndomain/features/tcg/tb-cache unit=MiB : 32\n"));
        assert_non_null(strstr(flat, "\ndomain/devices/serial type=unix\n"
                                     "domain/devices/serial/source mode=connect path=/tmp/r/con.sock\n"
                                     "domain/devices/serial/target port=0\n"));
        assert_null(strstr(flat, "domain/devices/disk"));
        assert_null(strstr(flat, "console.log"));
#define Q                                                                                                    \
        "domain/{http://libvirt.org/schemas/domain/qemu/1.0}commandline/{http://libvirt.org/schemas/domain/" \
        "qemu/1.0}arg"
        assert_non_null(strstr(flat, "\n" Q " value=-machine\n" Q " value=graphics=off\n"));
#undef Q
        /* without them: SeaBIOS, the file console, no tcg element, no qemu:commandline */
        vm_domain_spec d = full_spec();
        _cleanup_free_ char *xml2 = NULL;
        assert_int_equal(vm_domain_xml(&d, &xml2, &err), 0);
        assert_null(strstr(xml2, "<loader"));
        assert_null(strstr(xml2, "<tcg>"));
        assert_null(strstr(xml2, "commandline"));
}

static void test_bad_specs(void **state) {
        vm_domain_spec s;
        int bad_pins[] = {0, -1};
        static const vm_disk bad_fmt[] = {{.path = "/a.img", .format = "vmdk"}};
        static const vm_disk rel_disk[] = {{.path = "a.img", .format = "raw"}};
        char long_sock[128];
        memset(long_sock, 'a', sizeof(long_sock) - 1);
        long_sock[0] = '/';
        long_sock[sizeof(long_sock) - 1] = 0;
        vm_disk many[27];
        for (size_t i = 0; i < 27; i++)
                many[i] = (vm_disk){.path = "/a.img", .format = "raw"};

        expect_bad(NULL, EINVAL, "no spec");
        s = full_spec(), s.name = NULL;
        expect_bad(&s, EINVAL, "no name");
        s = full_spec(), s.name = "";
        expect_bad(&s, EINVAL, "no name");
        s = full_spec(), s.name = "a/b";
        expect_bad(&s, EINVAL, "`/` is not allowed");
        s = full_spec(), s.name = "a b";
        expect_bad(&s, EINVAL, "` ` is not allowed");
        s = full_spec(), s.name = "a<b";
        expect_bad(&s, EINVAL, "`<` is not allowed");
        s = full_spec(), s.name = "-x";
        expect_bad(&s, EINVAL, "must not start with `-`");
        s = full_spec(),
        s.name = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"; /* 65 */
        expect_bad(&s, EINVAL, "longer than 64");
        s = full_spec(), s.type = "xen";
        expect_bad(&s, EINVAL, "type `xen`");
        s = full_spec(), s.type = NULL;
        expect_bad(&s, EINVAL, "type `(null)`");
        s = full_spec(), s.memory_kib = 0;
        expect_bad(&s, EINVAL, "memory must be more than 0");
        s = full_spec(), s.vcpus = 0;
        expect_bad(&s, EINVAL, "0 vcpus");
        s = full_spec(), s.vcpus = 256;
        expect_bad(&s, EINVAL, "256 vcpus");
        s = full_spec(), s.vcpu_pins = bad_pins;
        expect_bad(&s, EINVAL, "vcpu 1 pinned to cpu -1");
        s = full_spec(), s.emulator_cpus = "0-";
        expect_bad(&s, EINVAL, "emulator cpus");
        s = full_spec(), s.emulator_cpus = "0'";
        expect_bad(&s, EINVAL, "emulator cpus");
        s = full_spec(), s.kernel = NULL;
        expect_bad(&s, EINVAL, "no kernel given");
        s = full_spec(), s.kernel = "vmlinuz";
        expect_bad(&s, EINVAL, "kernel `vmlinuz` is not an absolute path");
        s = full_spec(), s.initrd = "i.cpio";
        expect_bad(&s, EINVAL, "initrd `i.cpio` is not an absolute path");
        s = full_spec(), s.console_log = "log";
        expect_bad(&s, EINVAL, "console log `log`");
        s = full_spec(), s.cmdline = "a\nb";
        expect_bad(&s, EINVAL, "control character 0x0a");
        s = full_spec(), s.channel_socket = long_sock;
        expect_bad(&s, ENAMETOOLONG, "longer than a UNIX socket path");
        s = full_spec(), s.disks = bad_fmt, s.n_disks = 1;
        expect_bad(&s, EINVAL, "format `vmdk`");
        s = full_spec(), s.disks = rel_disk, s.n_disks = 1;
        expect_bad(&s, EINVAL, "disk `a.img` is not an absolute path");
        s = full_spec(), s.disks = many, s.n_disks = 27;
        expect_bad(&s, EINVAL, "27 disks");
        s = full_spec(), s.disks = NULL, s.n_disks = 1;
        expect_bad(&s, EINVAL, "no disk array");
        s = full_spec(), s.machine = "";
        expect_bad(&s, EINVAL, "empty machine type");
        s = full_spec(), s.loader = "qboot.rom";
        expect_bad(&s, EINVAL, "firmware `qboot.rom` is not an absolute path");
        s = full_spec(), s.console_socket = "c.sock";
        expect_bad(&s, EINVAL, "console socket `c.sock` is not an absolute path");
        s = full_spec(), s.console_socket = long_sock;
        expect_bad(&s, ENAMETOOLONG, "console socket");
        s = full_spec(), s.type = "kvm", s.tb_cache_mib = 64;
        expect_bad(&s, EINVAL, "translation cache size is for TCG");
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_full_tcg),   cmocka_unit_test(test_minimal_kvm),
                cmocka_unit_test(test_escaping),   cmocka_unit_test(test_bad_specs),
                cmocka_unit_test(test_deep_chain), cmocka_unit_test(test_fast_path),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
