/* SPDX-License-Identifier: MIT */
#include "virt.h"

#include <dlfcn.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

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

static void quiet_errors(void *opaque, virErrorPtr error) {
}

static int load(void) {
        /*
         * libvirt logs errors to stderr unless told otherwise; they reach the
         * user through bench_error instead. LIBVIRT_LOG_OUTPUTS or
         * LIBVIRT_DEBUG set by the user win (read by virInitialize below).
         */
        if (!getenv("LIBVIRT_DEBUG"))
                setenv("LIBVIRT_LOG_OUTPUTS", "4:file:/dev/null", 0);
        void *h = dlopen("libvirt.so.0", RTLD_NOW | RTLD_LOCAL);
        if (!h) {
                snprintf(why, sizeof(why), "cannot load libvirt (install libvirt0): %s", dlerror());
                return -1;
        }
        LOAD(h, GetVersion, "virGetVersion");
        LOAD(h, Initialize, "virInitialize");
        LOAD(h, GetLastErrorMessage, "virGetLastErrorMessage");
        LOAD(h, ResetLastError, "virResetLastError");
        LOAD(h, SetErrorFunc, "virSetErrorFunc");
        LOAD(h, EventRegisterDefaultImpl, "virEventRegisterDefaultImpl");
        LOAD(h, EventRunDefaultImpl, "virEventRunDefaultImpl");
        LOAD(h, EventAddTimeout, "virEventAddTimeout");
        LOAD(h, EventRemoveTimeout, "virEventRemoveTimeout");
        LOAD(h, ConnectOpen, "virConnectOpen");
        LOAD(h, ConnectClose, "virConnectClose");
        LOAD(h, ConnectListAllDomains, "virConnectListAllDomains");
        LOAD(h, DomainCreateXML, "virDomainCreateXML");
        LOAD(h, DomainLookupByName, "virDomainLookupByName");
        LOAD(h, DomainGetName, "virDomainGetName");
        LOAD(h, DomainGetState, "virDomainGetState");
        LOAD(h, DomainGetVcpuPinInfo, "virDomainGetVcpuPinInfo");
        LOAD(h, DomainIsActive, "virDomainIsActive");
        LOAD(h, DomainIsPersistent, "virDomainIsPersistent");
        LOAD(h, DomainDestroy, "virDomainDestroy");
        LOAD(h, DomainUndefine, "virDomainUndefine");
        LOAD(h, DomainFree, "virDomainFree");
        /* the per-thread error objects exist only after this (virConnectOpen would do it too) */
        if (api.Initialize() < 0) {
                snprintf(why, sizeof(why), "libvirt does not initialize");
                return -1;
        }
        /* libvirt prints every error to stderr by default; library code never prints */
        api.SetErrorFunc(NULL, quiet_errors);
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
