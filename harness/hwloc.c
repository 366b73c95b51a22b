/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <pthread.h>

#include <hwloc.h>

#include "../common/dl.h"

/* the table's types come from the real prototypes: declared before the remapping macros */
#define BENCH_HWLOC_NO_MACROS
#include "hwloc-internal.h"

static bench_hwloc_api api;
const bench_hwloc_api *bench_hw;

int bench_hwloc_load(bench_error **err) {
#define BENCH_HWLOC_SYM(f) BENCH_DL_SYM(bench_hwloc_api, f),
        static const bench_dl_sym syms[] = {BENCH_HWLOC_FUNCS(BENCH_HWLOC_SYM){NULL}};
#undef BENCH_HWLOC_SYM
        static bench_dl dl = {.what = "hwloc",
                              .soname = "libhwloc.so.15",
                              .package = "libhwloc15",
                              .syms = syms,
                              .table = &api};
        int r = bench_dl_load(&dl, err);
        if (r < 0)
                return r;
        bench_hw = &api;
        return 0;
}

static hwloc_topology_t topo_shared;
static int topo_errno;
static pthread_once_t topo_once = PTHREAD_ONCE_INIT;

static void topo_load(void) {
        hwloc_topology_t t;
        if (api.hwloc_topology_init(&t) < 0) {
                topo_errno = errno ? errno : ENOMEM;
                return;
        }
        if (api.hwloc_topology_load(t) < 0) {
                topo_errno = errno ? errno : EIO;
                api.hwloc_topology_destroy(t);
                return;
        }
        topo_shared = t;
}

int bench_hwloc_topology(hwloc_topology_t *ret, bench_error **err) {
        int r = bench_hwloc_load(err);
        if (r < 0)
                return r;
        pthread_once(&topo_once, topo_load);
        if (!topo_shared)
                return bench_error_errno(err, topo_errno, "hwloc: cannot load the topology");
        *ret = topo_shared;
        return 0;
}
