/* SPDX-License-Identifier: MIT */
/*
 * bench-agent as a VM's /init (--init): the guest has nothing but the
 * kernel and this binary, so the agent sets up what it needs itself. The
 * channel comes first — the ready byte must reach the host the moment init
 * runs — then /proc, /sys, devtmpfs, the kernel modules the initramfs
 * carries (virtio_pci, virtio_blk, ... in load order), and the scratch disk.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <termios.h>
#include <unistd.h>

#include "agent.h"
#include "catalog.h"

#define INIT_CHANNEL "/dev/ttyS1"

int wl_init_scratch_layers = -1;

bool wl_init_wanted(int argc, char **argv) {
        /* the kernel passes what follows `--` on its command line: --init comes first */
        return getpid() == 1 && argc > 1 && !strcmp(argv[1], "--init");
}

int wl_init_channel(void) {
        /*
         * The host timestamps this line on the console as the kernel's
         * hand-over to init. Through the kernel log, which prints on the
         * console before the write returns (a notice: the level the boot
         * prints); written to the console itself it would wait for the
         * serial driver's interrupts and could come after the ready byte.
         */
        int kmsg = open("/dev/kmsg", O_WRONLY | O_CLOEXEC);
        if (kmsg < 0 || write(kmsg, "<5>" WL_INIT_MARKER "\n", sizeof("<5>" WL_INIT_MARKER "\n") - 1) < 0)
                (void)!write(2, WL_INIT_MARKER "\n", sizeof(WL_INIT_MARKER "\n") - 1);
        if (kmsg >= 0)
                close(kmsg);
        int fd = open(INIT_CHANNEL, O_RDWR | O_NOCTTY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        /* raw: no echo, no \n -> \r\n, no line editing: the protocol is bytes */
        struct termios t;
        if (tcgetattr(fd, &t) == 0) {
                cfmakeraw(&t);
                t.c_cc[VMIN] = 1;
                t.c_cc[VTIME] = 0;
                tcsetattr(fd, TCSANOW, &t);
        }
        if (dup2(fd, 0) < 0 || dup2(fd, 1) < 0) {
                int e = errno;
                close(fd);
                return -e;
        }
        close(fd);
        return 0;
}

static int mount_if(const char *src, const char *target, const char *type, unsigned long flags,
                    const char *data, bench_error **err) {
        mkdir(target, 0755);
        if (mount(src, target, type, flags, data) < 0 && errno != EBUSY)
                return bench_error_errno(err, errno, "init: mounting %s on %s", type, target);
        return 0;
}

static int load_modules(bench_error **err) {
        struct dirent **names = NULL;
        int n = scandir("/modules", &names, NULL, alphasort);
        if (n < 0)
                return errno == ENOENT ? 0 : bench_error_errno(err, errno, "init: reading /modules");
        int r = 0;
        for (int i = 0; i < n; i++) {
                const char *name = names[i]->d_name;
                size_t len = strlen(name);
                if (r == 0 && len > 3 && !strcmp(name + len - 3, ".ko")) {
                        char path[512];
                        snprintf(path, sizeof(path), "/modules/%s", name);
                        int fd = open(path, O_RDONLY | O_CLOEXEC);
                        if (fd < 0)
                                r = bench_error_errno(err, errno, "init: opening %s", path);
                        else {
                                if (syscall(SYS_finit_module, fd, "", 0) < 0 && errno != EEXIST)
                                        r = bench_error_errno(err, errno, "init: loading %s", path);
                                close(fd);
                        }
                }
                free(names[i]);
        }
        free(names);
        return r;
}

/* The first virtio disk, once its driver has probed it (asynchronously). */
static bool wait_for(const char *path, int ms) {
        for (int i = 0; i < ms; i++) {
                if (access(path, F_OK) == 0)
                        return true;
                usleep(1000);
        }
        return false;
}

/*
 * Whether the VM has a virtio block device (vendor 0x1af4, device 0x1001
 * legacy or 0x1042 modern), read from sysfs before any driver is loaded: a
 * guest without a disk (a startup run) loads no modules.
 */
static bool has_virtio_disk(void) {
        DIR *d = opendir("/sys/bus/pci/devices");
        if (!d)
                return false;
        bool found = false;
        struct dirent *de;
        while (!found && (de = readdir(d))) {
                if (de->d_name[0] == '.')
                        continue;
                char path[320], text[16];
                unsigned vendor = 0, device = 0;
                snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/vendor", de->d_name);
                FILE *f = fopen(path, "re");
                if (f) {
                        if (fgets(text, sizeof(text), f))
                                vendor = (unsigned)strtoul(text, NULL, 16);
                        fclose(f);
                }
                snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/device", de->d_name);
                f = fopen(path, "re");
                if (f) {
                        if (fgets(text, sizeof(text), f))
                                device = (unsigned)strtoul(text, NULL, 16);
                        fclose(f);
                }
                found = vendor == 0x1af4 && (device == 0x1001 || device == 0x1042);
        }
        closedir(d);
        return found;
}

int wl_init_setup(const char **ret_dir, bench_error **err) {
        int r;
        if ((r = mount_if("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL, err)) < 0 ||
            (r = mount_if("sysfs", "/sys", "sysfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL, err)) < 0 ||
            (r = mount_if("devtmpfs", "/dev", "devtmpfs", MS_NOSUID, "mode=0755", err)) < 0 ||
            (r = mount_if("tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777", err)) < 0)
                return r;
        /* the I/O workloads' disk, if the VM has one: an ext4 image on virtio-blk */
        *ret_dir = "/tmp";
        if (!has_virtio_disk())
                return 0;
        if ((r = load_modules(err)) < 0)
                return r;
        if (access("/sys/bus/virtio/drivers/virtio_blk", F_OK) == 0 && wait_for("/dev/vda", 2000)) {
                if ((r = mount_if("/dev/vda", "/scratch", "ext4", MS_NOATIME, NULL, err)) < 0)
                        return r;
                *ret_dir = "/scratch";
                /* the layers' marker files seen through the disk's backing chain */
                struct dirent **ents = NULL;
                int n = scandir("/scratch", &ents, NULL, NULL);
                wl_init_scratch_layers = 0;
                for (int i = 0; i < n; i++) {
                        if (!strncmp(ents[i]->d_name, ".bench-layer-", 13))
                                wl_init_scratch_layers++;
                        free(ents[i]);
                }
                free(ents);
        }
        return 0;
}

void wl_init_poweroff(void) {
        sync();
        umount2("/scratch", 0);
        /* with ACPI in the domain this ends it; without, the guest only halts */
        syscall(SYS_reboot, 0xfee1dead, 672274793, 0x4321fedc, NULL);
}
