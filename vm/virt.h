/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * libvirt, loaded on first use. Linking it costs every bench process ~11 ms
 * of start-up here (it pulls in ~55 shared libraries), which would swamp
 * `bench container run` next to crun; only VM work pays for it now.
 */

#include <libvirt/libvirt.h>

#include "../common/error.h"

typedef struct vm_virt_api {
        int (*GetVersion)(unsigned long *libVer, const char *type, unsigned long *typeVer);
} vm_virt_api;

/* The loaded API, or NULL with *err saying why (libvirt0 missing). */
const vm_virt_api *vm_virt(bench_error **err);
