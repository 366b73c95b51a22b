/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <stdlib.h>

#include "dl.h"

/* the table's types come from the real prototypes: declared before the remapping macros */
#define BENCH_CJSON_NO_MACROS
#include "json.h"

static bench_cjson_api api;
const bench_cjson_api *bench_cjson_api_loaded;

const bench_cjson_api *bench_cjson_load(void) {
#define BENCH_CJSON_SYM(f) BENCH_DL_SYM(bench_cjson_api, f),
        static const bench_dl_sym syms[] = {BENCH_CJSON_FUNCS(BENCH_CJSON_SYM){NULL}};
#undef BENCH_CJSON_SYM
        static bench_dl dl = {.what = "cJSON",
                              .soname = "libcjson.so.1",
                              .package = "libcjson1",
                              .syms = syms,
                              .table = &api};
        bench_error *err = NULL;
        if (bench_dl_load(&dl, &err) < 0) {
                /* as the dynamic loader stops a process whose library is missing, with the package */
                fprintf(stderr, "bench: %s\n", err->msg);
                exit(1);
        }
        __atomic_store_n(&bench_cjson_api_loaded, &api, __ATOMIC_RELEASE);
        return &api;
}
