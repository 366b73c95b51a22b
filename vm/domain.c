/* SPDX-License-Identifier: MIT */
/*
 * The libvirt domain XML of a bench guest: direct kernel boot, no firmware
 * menus, no network/graphics/usb/balloon, two serial ports (kernel log to a
 * file on ttyS0, results over ttyS1 to a UNIX socket bench listens on) and
 * virtio-blk disks.
 */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>

#include "../common/cleanup.h"
#include "../common/util.h"
#include "../common/cpulist.h"
#include "vm-internal.h"

/* vda..vdz */
#define MAX_DISKS 26
/* QEMU's own limit for q35 is higher; this is a sanity bound for typos */
#define MAX_VCPUS 255
#define MAX_NAME 64

/* XML 1.0 cannot carry most control characters, not even escaped. */
static int check_text(const char *what, const char *s, bench_error **err) {
        for (const unsigned char *p = (const unsigned char *)s; *p; p++)
                if (*p < 0x20 || *p == 0x7f)
                        return bench_error_set(
                                err, EINVAL, "%s `%s`: control character 0x%02x is not allowed", what, s, *p);
        return 0;
}

/* QEMU runs with its own working directory: every host path must be absolute. */
static bool deep(const vm_disk *d) {
        return d->chain_depth > VM_LIBVIRT_CHAIN_MAX;
}

static int check_path(const char *what, const char *path, bool required, bench_error **err) {
        if (!path || !*path) {
                if (required)
                        return bench_error_set(err, EINVAL, "domain: no %s given", what);
                return 0;
        }
        if (path[0] != '/')
                return bench_error_set(err, EINVAL, "domain: %s `%s` is not an absolute path", what, path);
        return check_text(what, path, err);
}

static int check_name(const char *name, bench_error **err) {
        if (!name || !*name)
                return bench_error_set(err, EINVAL, "domain: no name given");
        size_t len = strlen(name);
        if (len > MAX_NAME)
                return bench_error_set(err, EINVAL, "domain name `%s` is longer than %d characters", name,
                                       MAX_NAME);
        /* libvirt derives file names from it: keep to a portable set */
        for (const char *p = name; *p; p++) {
                bool ok = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
                          *p == '-' || *p == '_' || *p == '.';
                if (!ok)
                        return bench_error_set(
                                err, EINVAL,
                                "domain name `%s`: character `%c` is not allowed (use letters, "
                                "digits, `-`, `_`, `.`)",
                                name, *p);
        }
        if (name[0] == '.' || name[0] == '-')
                return bench_error_set(err, EINVAL, "domain name `%s` must not start with `%c`", name,
                                       name[0]);
        return 0;
}

static int check_spec(const vm_domain_spec *s, bench_error **err) {
        int r;
        if (!s)
                return bench_error_set(err, EINVAL, "domain: no spec");
        if ((r = check_name(s->name, err)) < 0)
                return r;
        if (!s->type || (strcmp(s->type, "kvm") != 0 && strcmp(s->type, "qemu") != 0))
                return bench_error_set(err, EINVAL,
                                       "domain `%s`: type `%s` is neither `kvm` nor `qemu` (TCG)", s->name,
                                       s->type ? s->type : "(null)");
        if (s->machine) {
                if ((r = check_text("machine type", s->machine, err)) < 0)
                        return r;
                if (!*s->machine)
                        return bench_error_set(err, EINVAL, "domain `%s`: empty machine type", s->name);
        }
        if (s->memory_kib == 0)
                return bench_error_set(err, EINVAL, "domain `%s`: memory must be more than 0 KiB", s->name);
        if (s->vcpus < 1 || s->vcpus > MAX_VCPUS)
                return bench_error_set(err, EINVAL, "domain `%s`: %u vcpus (must be 1 to %d)", s->name,
                                       s->vcpus, MAX_VCPUS);
        if (s->vcpu_pins)
                for (unsigned i = 0; i < s->vcpus; i++)
                        if (s->vcpu_pins[i] < 0 || s->vcpu_pins[i] >= CPU_SETSIZE)
                                return bench_error_set(err, EINVAL, "domain `%s`: vcpu %u pinned to cpu %d",
                                                       s->name, i, s->vcpu_pins[i]);
        if (s->emulator_cpus) {
                cpu_set_t set;
                if ((r = bench_cpulist_parse(s->emulator_cpus, &set, err)) < 0)
                        return bench_error_prefix(err, "domain `%s`: emulator cpus", s->name);
        }
        if ((r = check_path("kernel", s->kernel, true, err)) < 0 ||
            (r = check_path("firmware", s->loader, false, err)) < 0 ||
            (r = check_path("initrd", s->initrd, false, err)) < 0 ||
            (r = check_path("console log", s->console_log, false, err)) < 0 ||
            (r = check_path("console socket", s->console_socket, false, err)) < 0 ||
            (r = check_path("channel socket", s->channel_socket, false, err)) < 0)
                return bench_error_prefix(err, "domain `%s`", s->name);
        if (s->cmdline && (r = check_text("kernel command line", s->cmdline, err)) < 0)
                return bench_error_prefix(err, "domain `%s`", s->name);
        const char *sockets[] = {s->console_socket, s->channel_socket};
        for (size_t i = 0; i < ELEMENTSOF(sockets); i++)
                if (sockets[i] && strlen(sockets[i]) >= sizeof(((struct sockaddr_un *)0)->sun_path))
                        return bench_error_set(
                                err, ENAMETOOLONG,
                                "domain `%s`: %s socket `%s` is longer than a UNIX socket path may "
                                "be (%zu bytes)",
                                s->name, i ? "channel" : "console", sockets[i],
                                sizeof(((struct sockaddr_un *)0)->sun_path) - 1);
        if (s->tb_cache_mib && strcmp(s->type, "qemu") != 0)
                return bench_error_set(err, EINVAL,
                                       "domain `%s`: a TCG translation cache size is for TCG (type `qemu`), "
                                       "not `%s`",
                                       s->name, s->type);
        if (s->n_disks > MAX_DISKS)
                return bench_error_set(err, EINVAL, "domain `%s`: %zu disks (at most %d: vda..vdz)", s->name,
                                       s->n_disks, MAX_DISKS);
        if (s->n_disks && !s->disks)
                return bench_error_set(err, EINVAL, "domain `%s`: %zu disks but no disk array", s->name,
                                       s->n_disks);
        for (size_t i = 0; i < s->n_disks; i++) {
                const vm_disk *d = &s->disks[i];
                if ((r = check_path("disk", d->path, true, err)) < 0)
                        return bench_error_prefix(err, "domain `%s`: disk %zu", s->name, i);
                if (deep(d) && strpbrk(d->path, "\"\\"))
                        return bench_error_set(
                                err, EINVAL,
                                "domain `%s`: disk `%s`: a quote or backslash in the path of a "
                                "disk given to QEMU as JSON",
                                s->name, d->path);
                if (!d->format || (strcmp(d->format, "raw") != 0 && strcmp(d->format, "qcow2") != 0))
                        return bench_error_set(
                                err, EINVAL,
                                "domain `%s`: disk `%s`: format `%s` is neither `raw` nor `qcow2`", s->name,
                                d->path, d->format ? d->format : "(null)");
        }
        return 0;
}

static void put_disk(FILE *f, const vm_disk *d, size_t index) {
        if (deep(d))
                return; /* see put_qemu_args */
        /*
         * cache='none' (O_DIRECT on the host) with io='native' (Linux AIO):
         * the guest's page cache is the only cache, so guest file I/O
         * measures the disk rather than host RAM, as in production setups.
         * O_DIRECT works on ext4 (and on tmpfs since Linux 6.6) here.
         */
        fputs("    <disk type='file' device='disk'>\n", f);
        fprintf(f, "      <driver name='qemu' type='%s' cache='none' io='native'/>\n", d->format);
        fputs("      <source file='", f);
        bench_put_xml(f, d->path);
        fputs("'/>\n", f);
        fprintf(f, "      <target dev='vd%c' bus='virtio'/>\n", (char)('a' + index));
        if (d->readonly)
                fputs("      <readonly/>\n", f);
        fputs("    </disk>\n", f);
}

/*
 * What goes to QEMU past libvirt: the firmware's serial output, and a
 * chain deeper than libvirt follows goes to QEMU directly, with the same
 * cache mode as put_disk's; QEMU opens the backing files from the image
 * headers and the backing nodes inherit the cache mode.
 */
static void put_qemu_args(FILE *f, const vm_domain_spec *s) {
        bool any = s->firmware_serial;
        if (any)
                /*
                 * libvirt has no word for it: SeaBIOS prints on the serial
                 * port when QEMU says there are no graphics (fw_cfg), and its
                 * hand-over line is a boot marker (console.c)
                 */
                fputs("  <qemu:commandline>\n"
                      "    <qemu:arg value='-machine'/>\n"
                      "    <qemu:arg value='graphics=off'/>\n",
                      f);
        for (size_t i = 0; i < s->n_disks; i++) {
                const vm_disk *d = &s->disks[i];
                if (!deep(d))
                        continue;
                if (!any)
                        fputs("  <qemu:commandline>\n", f);
                any = true;
                fprintf(f,
                        "    <qemu:arg value='-blockdev'/>\n"
                        "    <qemu:arg value='{&quot;driver&quot;:&quot;%s&quot;,&quot;node-name&quot;:&quot;"
                        "bench-disk%zu&quot;,&quot;read-only&quot;:%s,&quot;cache&quot;:{&quot;direct&quot;:"
                        "true},"
                        "&quot;file&quot;:{&quot;driver&quot;:&quot;file&quot;,&quot;aio&quot;:&quot;native&"
                        "quot;,"
                        "&quot;cache&quot;:{&quot;direct&quot;:true},&quot;filename&quot;:&quot;",
                        d->format, i, d->readonly ? "true" : "false");
                bench_put_xml(f, d->path); /* checked: no quote or backslash */
                fprintf(f,
                        "&quot;}}'/>\n"
                        "    <qemu:arg value='-device'/>\n"
                        "    <qemu:arg value='virtio-blk-pci,drive=bench-disk%zu,id=bench-vd%c'/>\n",
                        i, (char)('a' + i));
        }
        if (any)
                fputs("  </qemu:commandline>\n", f);
}

static void put_xml(FILE *f, const vm_domain_spec *s) {
        bool kvm = strcmp(s->type, "kvm") == 0;

        fprintf(f, "<domain type='%s' xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'>\n", s->type);
        fprintf(f, "  <name>%s</name>\n", s->name); /* checked: no characters to escape */
        fprintf(f, "  <memory unit='KiB'>%llu</memory>\n", (unsigned long long)s->memory_kib);
        fprintf(f, "  <vcpu placement='static'>%u</vcpu>\n", s->vcpus);
        if (s->vcpu_pins || s->emulator_cpus) {
                fputs("  <cputune>\n", f);
                for (unsigned i = 0; s->vcpu_pins && i < s->vcpus; i++)
                        fprintf(f, "    <vcpupin vcpu='%u' cpuset='%d'/>\n", i, s->vcpu_pins[i]);
                if (s->emulator_cpus)
                        fprintf(f, "    <emulatorpin cpuset='%s'/>\n",
                                s->emulator_cpus); /* checked: digits */
                fputs("  </cputune>\n", f);
        }
        fputs("  <os>\n    <type arch='x86_64' machine='", f);
        bench_put_xml(f, s->machine ? s->machine : "q35");
        fputs("'>hvm</type>\n", f);
        if (s->loader) {
                fputs("    <loader type='rom'>", f);
                bench_put_xml(f, s->loader);
                fputs("</loader>\n", f);
        }
        fputs("    <kernel>", f);
        bench_put_xml(f, s->kernel);
        fputs("</kernel>\n", f);
        if (s->initrd) {
                fputs("    <initrd>", f);
                bench_put_xml(f, s->initrd);
                fputs("</initrd>\n", f);
        }
        if (s->cmdline) {
                fputs("    <cmdline>", f);
                bench_put_xml(f, s->cmdline);
                fputs("</cmdline>\n", f);
        }
        fputs("  </os>\n", f);
        /* without ACPI a guest poweroff only halts, and the domain never ends */
        fputs("  <features>\n    <acpi/>\n", f);
        if (s->tb_cache_mib)
                fprintf(f, "    <tcg>\n      <tb-cache unit='MiB'>%llu</tb-cache>\n    </tcg>\n",
                        (unsigned long long)s->tb_cache_mib);
        fputs("  </features>\n", f);
        if (kvm)
                fputs("  <cpu mode='host-passthrough'/>\n", f);
        else
                /* TCG: a plain model every QEMU has; fallback lets libvirt adjust it */
                fputs("  <cpu mode='custom'>\n    <model fallback='allow'>qemu64</model>\n  </cpu>\n", f);
        fputs("  <clock offset='utc'/>\n", f);
        /* a bench guest runs once: any way it ends, the domain goes */
        fputs("  <on_poweroff>destroy</on_poweroff>\n  <on_reboot>destroy</on_reboot>\n"
              "  <on_crash>destroy</on_crash>\n",
              f);
        fputs("  <devices>\n", f);
        if (s->console_socket) {
                fputs("    <serial type='unix'>\n      <source mode='connect' path='", f);
                bench_put_xml(f, s->console_socket);
                fputs("'/>\n      <target port='0'/>\n    </serial>\n", f);
        } else if (s->console_log) {
                fputs("    <serial type='file'>\n      <source path='", f);
                bench_put_xml(f, s->console_log);
                fputs("'/>\n      <target port='0'/>\n    </serial>\n", f);
        } else {
                /* keeps the channel on ttyS1 */
                fputs("    <serial type='null'>\n      <target port='0'/>\n    </serial>\n", f);
        }
        if (s->channel_socket) {
                fputs("    <serial type='unix'>\n      <source mode='connect' path='", f);
                bench_put_xml(f, s->channel_socket);
                fputs("'/>\n      <target port='1'/>\n    </serial>\n", f);
        }
        for (size_t i = 0; i < s->n_disks; i++)
                put_disk(f, &s->disks[i], i);
        fputs("    <controller type='usb' model='none'/>\n", f);
        fputs("    <memballoon model='none'/>\n", f);
        fputs("  </devices>\n", f);
        put_qemu_args(f, s);
        fputs("</domain>\n", f);
}

int vm_domain_xml(const vm_domain_spec *spec, char **ret_xml, bench_error **err) {
        int r = check_spec(spec, err);
        if (r < 0)
                return r;
        _cleanup_free_ char *buf = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&buf, &len);
        if (!f)
                return bench_error_errno(err, errno, "domain `%s`: open_memstream", spec->name);
        put_xml(f, spec);
        if (ferror(f) | fclose(f))
                return bench_error_set(err, ENOMEM, "domain `%s`: out of memory writing the XML", spec->name);
        *ret_xml = steal_pointer(&buf);
        return 0;
}
