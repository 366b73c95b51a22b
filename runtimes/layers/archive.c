/* SPDX-License-Identifier: MIT */
#include <archive.h>
#include <archive_entry.h>

#include "../../common/dl.h"

/* the table's types come from the real prototypes: declared before the remapping macros */
#define LAY_ARCHIVE_NO_MACROS
#include "archive-dl.h"

static lay_archive_api api;
const lay_archive_api *lay_ar;

int lay_archive_load(bench_error **err) {
#define LAY_ARCHIVE_SYM(f) BENCH_DL_SYM(lay_archive_api, f),
        static const bench_dl_sym syms[] = {LAY_ARCHIVE_FUNCS(LAY_ARCHIVE_SYM){NULL}};
#undef LAY_ARCHIVE_SYM
        static bench_dl dl = {.what = "libarchive",
                              .soname = "libarchive.so.13",
                              .package = "libarchive13",
                              .syms = syms,
                              .table = &api};
        int r = bench_dl_load(&dl, err);
        if (r < 0)
                return r;
        lay_ar = &api;
        return 0;
}
