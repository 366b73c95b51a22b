/* SPDX-License-Identifier: MIT */
/*
 * The guest kernel: the one the suite names, else the host's own, else one
 * scripts/setup extracted from Debian's cloud kernel package into the bench
 * cache (<cache>/kernel/<release>/{boot/vmlinuz-<release>,lib/modules/<release>}).
 */
#include <dirent.h>
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "../common/cleanup.h"
#include "../common/cache.h"
#include "vm-internal.h"

/* Where scripts/setup puts kernels when run as root; also searched by other users. */
#define SYSTEM_CACHE "/var/cache/bench"

static bool is_file(const char *path) {
        struct stat st;
        return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static bool is_dir(const char *path) {
        struct stat st;
        return path && stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

void vm_kernel_clear(vm_kernel *k) {
        if (!k)
                return;
        free(k->image);
        free(k->modules_dir);
        free(k->release);
        free(k->source);
        *k = (vm_kernel){0};
}

static int kernel_set(vm_kernel *ret, const char *image, const char *modules_dir, const char *release,
                      const char *source, bench_error **err) {
        vm_kernel k = {
                .image = strdup(image),
                .modules_dir = modules_dir ? strdup(modules_dir) : NULL,
                .release = release ? strdup(release) : NULL,
                .source = strdup(source),
        };
        if (!k.image || !k.source || (modules_dir && !k.modules_dir) || (release && !k.release)) {
                vm_kernel_clear(&k);
                return bench_error_set(err, ENOMEM, "out of memory");
        }
        *ret = k;
        return 0;
}

/* The user's kernel; modules from modules_dir, else <image dir>/../lib/modules/<release>. */
static int kernel_given(const char *path, const char *modules_dir, vm_kernel *ret, bench_error **err) {
        struct stat st;
        if (stat(path, &st) < 0)
                return bench_error_errno(err, errno, "kernel `%s`", path);
        if (!S_ISREG(st.st_mode))
                return bench_error_set(err, EINVAL, "kernel `%s`: not a regular file", path);
        if (access(path, R_OK) < 0)
                return bench_error_errno(err, errno, "kernel `%s`", path);
        _cleanup_free_ char *copy = strdup(path), *copy2 = strdup(path), *guess = NULL, *mods = NULL;
        if (!copy || !copy2)
                return bench_error_set(err, ENOMEM, "out of memory");
        const char *base = basename(copy);
        const char *release = !strncmp(base, "vmlinuz-", 8) && base[8] ? base + 8 : NULL;
        if (modules_dir) {
                if (!is_dir(modules_dir))
                        return bench_error_set(err, ENOENT, "modules dir `%s`: no such directory",
                                               modules_dir);
                mods = realpath(modules_dir, NULL);
                if (!mods)
                        return bench_error_errno(err, errno, "modules dir `%s`", modules_dir);
                _cleanup_free_ char *m = strdup(mods);
                if (!m)
                        return bench_error_set(err, ENOMEM, "out of memory");
                return kernel_set(ret, path, mods, basename(m), "suite", err);
        }
        if (release) {
                if (asprintf(&guess, "%s/../lib/modules/%s", dirname(copy2), release) < 0)
                        return bench_error_set(err, ENOMEM, "out of memory");
                if (is_dir(guess))
                        mods = realpath(guess, NULL);
        }
        return kernel_set(ret, path, mods, release, "suite", err);
}

/* Newest <cache>/kernel/<release> (version sort) holding boot/vmlinuz-<release>; 0 if none, 1 if found. */
static int kernel_in_cache(const char *cache, vm_kernel *ret, bench_error **err) {
        _cleanup_free_ char *kdir = NULL, *best = NULL;
        if (asprintf(&kdir, "%s/kernel", cache) < 0)
                return bench_error_set(err, ENOMEM, "out of memory");
        DIR *d = opendir(kdir);
        if (!d)
                return 0;
        struct dirent *de;
        while ((de = readdir(d))) {
                if (de->d_name[0] == '.')
                        continue;
                _cleanup_free_ char *img = NULL;
                if (asprintf(&img, "%s/%s/boot/vmlinuz-%s", kdir, de->d_name, de->d_name) < 0) {
                        closedir(d);
                        return bench_error_set(err, ENOMEM, "out of memory");
                }
                if (!is_file(img) || (best && strverscmp(de->d_name, best) <= 0))
                        continue;
                free(best);
                if (!(best = strdup(de->d_name))) {
                        closedir(d);
                        return bench_error_set(err, ENOMEM, "out of memory");
                }
        }
        closedir(d);
        if (!best)
                return 0;
        _cleanup_free_ char *img = NULL, *mods = NULL;
        if (asprintf(&img, "%s/%s/boot/vmlinuz-%s", kdir, best, best) < 0 ||
            asprintf(&mods, "%s/%s/lib/modules/%s", kdir, best, best) < 0)
                return bench_error_set(err, ENOMEM, "out of memory");
        int r = kernel_set(ret, img, is_dir(mods) ? mods : NULL, best, "bench cache", err);
        return r < 0 ? r : 1;
}

int vm_kernel_find(const char *path, const char *modules_dir, vm_kernel *ret, bench_error **err) {
        if (path && *path)
                return kernel_given(path, modules_dir, ret, err);
        if (modules_dir && *modules_dir)
                return bench_error_set(err, EINVAL, "a modules dir (`%s`) needs a kernel path as well",
                                       modules_dir);
        struct utsname u;
        if (uname(&u) < 0)
                return bench_error_errno(err, errno, "uname");
        _cleanup_free_ char *host = NULL, *host_mods = NULL, *cache = NULL;
        if (asprintf(&host, "/boot/vmlinuz-%s", u.release) < 0 ||
            asprintf(&host_mods, "/lib/modules/%s", u.release) < 0)
                return bench_error_set(err, ENOMEM, "out of memory");
        /* Ubuntu keeps /boot/vmlinuz-* root-only: an unreadable one is passed over */
        bool host_unreadable = is_file(host) && access(host, R_OK) < 0;
        if (is_file(host) && !host_unreadable)
                return kernel_set(ret, host, is_dir(host_mods) ? host_mods : NULL, u.release, "host /boot",
                                  err);
        int r = bench_cache_dir(&cache, err);
        if (r < 0)
                return r;
        if ((r = kernel_in_cache(cache, ret, err)) != 0)
                return r < 0 ? r : 0;
        if (strcmp(cache, SYSTEM_CACHE) != 0 && (r = kernel_in_cache(SYSTEM_CACHE, ret, err)) != 0)
                return r < 0 ? r : 0;
        return bench_error_set(err, ENOENT,
                               "no guest kernel: looked for %s%s and in %s/kernel/%s (run scripts/setup, "
                               "which extracts Debian's cloud kernel there, or set \"kernel\" in the vm "
                               "configuration)",
                               host, host_unreadable ? " (not readable)" : "", cache,
                               strcmp(cache, SYSTEM_CACHE) ? " and " SYSTEM_CACHE "/kernel/" : "");
}
