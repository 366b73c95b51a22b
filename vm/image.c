/* SPDX-License-Identifier: MIT */
/*
 * The guest's initramfs: bench-agent as /init, the device nodes it needs
 * before devtmpfs is up, and the modules the kernel lacks for virtio disks,
 * the virtio console and ext4, numbered in load order so /init loads them
 * by sorting the names. Keyed by a hash of every byte that goes in, so a
 * rebuilt agent or another kernel gets its own image.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../common/cache.h"
#include "../common/cleanup.h"
#include "../common/util.h"
#include "vm-internal.h"

/* Bump when the layout changes: old cached images are then not reused. */
#define IMAGE_FORMAT "bench-initramfs-2"

static const char *const wanted_modules[] = {"virtio_pci", "virtio_blk", "virtio_console", "ext4"};

typedef struct image_part {
        char *name; /* module name, for /modules/NN-<name>.ko */
        char *path;
        char *data;
        size_t len;
} image_part;

typedef struct image_parts {
        image_part agent;
        image_part *mods;
        size_t n_mods;
} image_parts;

static void parts_clear(image_parts *p) {
        free(p->agent.data);
        for (size_t i = 0; i < p->n_mods; i++) {
                free(p->mods[i].name);
                free(p->mods[i].path);
                free(p->mods[i].data);
        }
        free(p->mods);
}

/* FNV-1a, 64 bit: a cache key, not a defence against anyone. */
static uint64_t fnv1a(uint64_t h, const void *data, size_t len) {
        const unsigned char *p = data;
        for (size_t i = 0; i < len; i++) {
                h ^= p[i];
                h *= 0x100000001b3ull;
        }
        return h;
}

/* Length first, so that no two sequences of parts hash the same bytes. */
static uint64_t hash_part(uint64_t h, const void *data, size_t len) {
        uint64_t n = len;
        h = fnv1a(h, &n, sizeof(n));
        return fnv1a(h, data, len);
}

static int module_name(const char *path, char **ret) {
        _cleanup_free_ char *copy = strdup(path);
        if (!copy)
                return -ENOMEM;
        const char *base = basename(copy);
        size_t len = strlen(base);
        if (len > 3 && !strcmp(base + len - 3, ".ko"))
                len -= 3;
        char *name = strndup(base, len);
        if (!name)
                return -ENOMEM;
        for (char *p = name; *p; p++)
                if (*p == '-')
                        *p = '_';
        *ret = name;
        return 0;
}

/* Reads the agent and the modules once: what is hashed is exactly what is written. */
static int read_parts(const vm_kernel *k, const char *agent_path, image_parts *p, bench_error **err) {
        int r = bench_read_file(agent_path, &p->agent.data, &p->agent.len, err);
        if (r < 0)
                return bench_error_prefix(err, "the agent");
        if (!k->modules_dir)
                return 0;
        char **paths = NULL;
        size_t n = 0;
        r = vm_modules_resolve(k->modules_dir, wanted_modules, ELEMENTSOF(wanted_modules), &paths, &n, err);
        if (r < 0)
                return bench_error_prefix(err, "guest kernel modules");
        if (n > 100) {
                vm_modules_free(paths, n);
                return bench_error_set(err, E2BIG, "%zu modules: more than the 100 the image numbers", n);
        }
        p->mods = calloc(n ? n : 1, sizeof(*p->mods));
        if (!p->mods) {
                vm_modules_free(paths, n);
                return bench_error_set(err, ENOMEM, "out of memory");
        }
        p->n_mods = n;
        for (size_t i = 0; i < n && r == 0; i++) {
                p->mods[i].path = paths[i];
                paths[i] = NULL;
                if (module_name(p->mods[i].path, &p->mods[i].name) < 0)
                        r = bench_error_set(err, ENOMEM, "out of memory");
                else
                        r = bench_read_file(p->mods[i].path, &p->mods[i].data, &p->mods[i].len, err);
        }
        vm_modules_free(paths, n);
        return r;
}

static int write_image(int fd, const image_parts *p, bench_error **err) {
        vm_cpio *c = NULL;
        int r = vm_cpio_open(fd, &c, err);
        if (r < 0)
                return r;
        static const struct {
                const char *path;
                unsigned mode;
        } dirs[] = {
                {"/dev", 0755},  {"/proc", 0555},    {"/sys", 0555},
                {"/tmp", 01777}, {"/scratch", 0755}, {"/modules", 0755},
        };
        /* the nodes the kernel and /init need before anything is mounted */
        static const struct {
                const char *path;
                unsigned mode, major, minor;
        } nodes[] = {
                {"/dev/console", 0600, 5, 1}, {"/dev/null", 0666, 1, 3},
                {"/dev/kmsg", 0600, 1, 11}, /* the init marker goes through the kernel log */
                {"/dev/ttyS0", 0660, 4, 64},  {"/dev/ttyS1", 0660, 4, 65},
        };
        for (size_t i = 0; r == 0 && i < ELEMENTSOF(dirs); i++)
                r = vm_cpio_dir(c, dirs[i].path, dirs[i].mode, err);
        for (size_t i = 0; r == 0 && i < ELEMENTSOF(nodes); i++)
                r = vm_cpio_chardev(c, nodes[i].path, nodes[i].mode, nodes[i].major, nodes[i].minor, err);
        if (r == 0)
                r = vm_cpio_file(c, "/init", 0755, p->agent.data, p->agent.len, err);
        for (size_t i = 0; r == 0 && i < p->n_mods; i++) {
                char path[256];
                snprintf(path, sizeof(path), "/modules/%02zu-%s.ko", i, p->mods[i].name);
                r = vm_cpio_file(c, path, 0644, p->mods[i].data, p->mods[i].len, err);
        }
        if (r < 0) {
                vm_cpio_abort(c);
                return r;
        }
        return vm_cpio_close(c, err);
}

int vm_image_build(const vm_kernel *k, const char *agent_path, char **ret_path, bench_error **err) {
        if (!k || !agent_path)
                return bench_error_set(err, EINVAL, "initramfs: no kernel or no agent");
        _cleanup_(parts_clear) image_parts parts = {0};
        int r = read_parts(k, agent_path, &parts, err);
        if (r < 0)
                return bench_error_prefix(err, "initramfs");

        uint64_t h = 0xcbf29ce484222325ull;
        h = hash_part(h, IMAGE_FORMAT, strlen(IMAGE_FORMAT));
        h = hash_part(h, parts.agent.data, parts.agent.len);
        for (size_t i = 0; i < parts.n_mods; i++) {
                h = hash_part(h, parts.mods[i].name, strlen(parts.mods[i].name));
                h = hash_part(h, parts.mods[i].data, parts.mods[i].len);
        }
        const char *release = k->release ? k->release : "";
        h = hash_part(h, release, strlen(release));

        _cleanup_free_ char *cache = NULL, *dir = NULL, *path = NULL, *tmp = NULL, *sum = NULL;
        if ((r = bench_cache_dir(&cache, err)) < 0)
                return bench_error_prefix(err, "initramfs");
        if (asprintf(&dir, "%s/vm", cache) < 0 ||
            asprintf(&path, "%s/initramfs-%016llx.cpio", dir, (unsigned long long)h) < 0 ||
            asprintf(&sum, "%s.sum", path) < 0 || asprintf(&tmp, "%s/.initramfs-XXXXXX", dir) < 0)
                return bench_error_set(err, ENOMEM, "out of memory");
        /* a cached image is used only as it was written: a truncated one boots into a panic */
        _cleanup_error_ bench_error *verr = NULL;
        if (access(path, F_OK) == 0) {
                if (bench_cache_verify(path, sum, BENCH_CACHE_HASH_ONCE, &verr) == 0) {
                        *ret_path = steal_pointer(&path);
                        return 0;
                }
                bench_cache_note("rebuilt the VM initramfs: %s", verr && verr->msg ? verr->msg : path);
        }
        if (mkdir(dir, 0755) < 0 && errno != EEXIST)
                return bench_error_errno(err, errno, "initramfs: cannot create %s", dir);
        _cleanup_close_ int fd = mkostemp(tmp, O_CLOEXEC);
        if (fd < 0)
                return bench_error_errno(err, errno, "initramfs: cannot create a temp file in %s", dir);
        if (fchmod(fd, 0644) < 0)
                r = bench_error_errno(err, errno, "chmod %s", tmp);
        if (r == 0)
                r = write_image(fd, &parts, err);
        /* on disk before it has its name: a crash leaves a temp file, never a half image */
        if (r == 0 && fdatasync(fd) < 0)
                r = bench_error_errno(err, errno, "writing %s", tmp);
        if (r == 0 && rename(tmp, path) < 0)
                r = bench_error_errno(err, errno, "cannot rename %s to %s", tmp, path);
        if (r == 0 && (r = bench_cache_record(path, sum, err)) < 0)
                unlink(path);
        if (r < 0) {
                unlink(tmp);
                return bench_error_prefix(err, "initramfs %s", path);
        }
        *ret_path = steal_pointer(&path);
        return 0;
}
