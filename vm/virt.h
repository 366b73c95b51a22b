/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * libvirt, loaded on first use. Linking it costs every bench process ~11 ms
 * of start-up here (it pulls in ~55 shared libraries), which would swamp
 * `bench container run` next to crun; only VM work pays for it now.
 */

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include "../common/error.h"

typedef struct vm_virt_api {
        int (*GetVersion)(unsigned long *libVer, const char *type, unsigned long *typeVer);
        int (*Initialize)(void);
        const char *(*GetLastErrorMessage)(void);
        void (*ResetLastError)(void);
        void (*SetErrorFunc)(void *userData, virErrorFunc handler);

        int (*EventRegisterDefaultImpl)(void);
        int (*EventRunDefaultImpl)(void);
        int (*EventAddTimeout)(int frequency, virEventTimeoutCallback cb, void *opaque, virFreeCallback ff);
        int (*EventRemoveTimeout)(int timer);

        virConnectPtr (*ConnectOpen)(const char *name);
        int (*ConnectClose)(virConnectPtr conn);
        int (*ConnectListAllDomains)(virConnectPtr conn, virDomainPtr **domains, unsigned int flags);
        int (*ConnectDomainEventRegisterAny)(virConnectPtr conn, virDomainPtr dom, int eventID,
                                             virConnectDomainEventGenericCallback cb, void *opaque,
                                             virFreeCallback freecb);
        int (*ConnectDomainEventDeregisterAny)(virConnectPtr conn, int callbackID);

        virDomainPtr (*DomainCreateXML)(virConnectPtr conn, const char *xmlDesc, unsigned int flags);
        virDomainPtr (*DomainLookupByName)(virConnectPtr conn, const char *name);
        const char *(*DomainGetName)(virDomainPtr domain);
        int (*DomainGetState)(virDomainPtr domain, int *state, int *reason, unsigned int flags);
        int (*DomainGetVcpuPinInfo)(virDomainPtr domain, int ncpumaps, unsigned char *cpumaps, int maplen,
                                    unsigned int flags);
        int (*DomainIsActive)(virDomainPtr dom);
        int (*DomainIsPersistent)(virDomainPtr dom);
        int (*DomainDestroy)(virDomainPtr domain);
        int (*DomainUndefine)(virDomainPtr domain);
        int (*DomainFree)(virDomainPtr domain);
} vm_virt_api;

/* The loaded API, or NULL with *err saying why (libvirt0 missing). */
const vm_virt_api *vm_virt(bench_error **err);
