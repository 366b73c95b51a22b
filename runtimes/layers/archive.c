/* SPDX-License-Identifier: MIT */
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>

#include <archive.h>
#include <archive_entry.h>

#include "../../common/error.h"

/* the table's types come from the real prototypes: declared before the remapping macros */
#define LAY_ARCHIVE_NO_MACROS
#include "archive-dl.h"

const lay_archive_api *lay_ar;

int lay_archive_load(bench_error **err) {
        static lay_archive_api api;
        static char why[256];
        if (lay_ar)
                return 0;
        if (!why[0]) {
                void *h = dlopen("libarchive.so.13", RTLD_NOW | RTLD_LOCAL);
                if (!h)
                        snprintf(why, sizeof(why), "cannot load libarchive (install libarchive13): %s",
                                 dlerror());
#define LAY_ARCHIVE_SYM(f)                                                                                   \
        if (h && !why[0] && !(*(void **)&api.f = dlsym(h, #f)))                                              \
                snprintf(why, sizeof(why), "libarchive has no %s: %s", #f, dlerror());
                LAY_ARCHIVE_FUNCS(LAY_ARCHIVE_SYM)
#undef LAY_ARCHIVE_SYM
                if (!why[0]) {
                        lay_ar = &api;
                        return 0;
                }
        }
        return bench_error_set(err, ENOENT, "%s", why);
}
