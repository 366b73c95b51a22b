/* SPDX-License-Identifier: MIT */
#include "virt.h"

#include <dlfcn.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>

static vm_virt_api api;
static int loaded; /* 0 not tried, 1 ok, -1 failed */
static char why[256];

#define LOAD(handle, field, name)                                                                            \
        do {                                                                                                 \
                *(void **)&api.field = dlsym(handle, name);                                                  \
                if (!api.field) {                                                                            \
                        snprintf(why, sizeof(why), "libvirt has no %s: %s", name, dlerror());                \
                        return -1;                                                                           \
                }                                                                                            \
        } while (0)

static int load(void) {
        void *h = dlopen("libvirt.so.0", RTLD_NOW | RTLD_LOCAL);
        if (!h) {
                snprintf(why, sizeof(why), "cannot load libvirt (install libvirt0): %s", dlerror());
                return -1;
        }
        LOAD(h, GetVersion, "virGetVersion");
        return 1;
}

const vm_virt_api *vm_virt(bench_error **err) {
        if (!loaded)
                loaded = load();
        if (loaded < 0) {
                bench_error_set(err, ENOENT, "%s", why);
                return NULL;
        }
        return &api;
}
