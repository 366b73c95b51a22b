/* SPDX-License-Identifier: MIT */
#include "virt.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>

#include "../common/dl.h"

static vm_virt_api api;
static int initialized; /* 0 not tried, 1 ok, -1 virInitialize failed */

static void quiet_errors(void *opaque, virErrorPtr error) {
}

/* libvirt's names are vir + the field's */
#define VIR_SYM(f)                                                                                           \
        { "vir" #f, offsetof(vm_virt_api, f) }

static const bench_dl_sym syms[] = {
        VIR_SYM(GetVersion),
        VIR_SYM(Initialize),
        VIR_SYM(GetLastErrorMessage),
        VIR_SYM(ResetLastError),
        VIR_SYM(SetErrorFunc),
        VIR_SYM(EventRegisterDefaultImpl),
        VIR_SYM(EventRunDefaultImpl),
        VIR_SYM(EventAddTimeout),
        VIR_SYM(EventRemoveTimeout),
        VIR_SYM(ConnectOpen),
        VIR_SYM(ConnectClose),
        VIR_SYM(ConnectListAllDomains),
        VIR_SYM(ConnectDomainEventRegisterAny),
        VIR_SYM(ConnectDomainEventDeregisterAny),
        VIR_SYM(DomainCreateXML),
        VIR_SYM(DomainLookupByName),
        VIR_SYM(DomainGetName),
        VIR_SYM(DomainGetState),
        VIR_SYM(DomainGetVcpuPinInfo),
        VIR_SYM(DomainIsActive),
        VIR_SYM(DomainIsPersistent),
        VIR_SYM(DomainDestroy),
        VIR_SYM(DomainUndefine),
        VIR_SYM(DomainFree),
        {NULL},
};

static bench_dl libvirt = {
        .what = "libvirt", .soname = "libvirt.so.0", .package = "libvirt0", .syms = syms, .table = &api};

static int initialize(void) {
        /* the per-thread error objects exist only after this (virConnectOpen would do it too) */
        if (api.Initialize() < 0)
                return -1;
        /* libvirt prints every error to stderr by default; library code never prints */
        api.SetErrorFunc(NULL, quiet_errors);
        return 1;
}

const vm_virt_api *vm_virt(bench_error **err) {
        if (!initialized) {
                /*
                 * libvirt logs errors to stderr unless told otherwise; they reach the
                 * user through bench_error instead. LIBVIRT_LOG_OUTPUTS or
                 * LIBVIRT_DEBUG set by the user win (read by virInitialize).
                 */
                if (!getenv("LIBVIRT_DEBUG"))
                        setenv("LIBVIRT_LOG_OUTPUTS", "4:file:/dev/null", 0);
                if (bench_dl_load(&libvirt, err) < 0)
                        return NULL;
                initialized = initialize();
        }
        if (initialized < 0) {
                bench_error_set(err, EIO, "libvirt does not initialize");
                return NULL;
        }
        return &api;
}
