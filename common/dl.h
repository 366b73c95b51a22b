/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * Libraries loaded on first use instead of linked. Every linked shared
 * library costs every bench process its mapping, relocations and symbol
 * lookups at start (libvirt ~11 ms, libarchive 2 ms, hwloc with libudev
 * ~0.3 ms here), though only a few commands call it. A user keeps the
 * functions it calls in a struct of pointers, typed from the library's own
 * prototypes, and describes the struct with a bench_dl.
 */
#include <stddef.h>

#include "error.h"

typedef struct bench_dl_sym {
        const char *name; /* as the library exports it */
        size_t offset;    /* of its pointer in the table */
} bench_dl_sym;

/* The entry for a table field named like the function it holds. */
#define BENCH_DL_SYM(table_type, f)                                                                          \
        { #f, offsetof(table_type, f) }

typedef struct bench_dl {
        const char *what;         /* "libarchive": names it in messages */
        const char *soname;       /* "libarchive.so.13": the ABI the headers describe */
        const char *package;      /* "libarchive13": the Debian package to install */
        const bench_dl_sym *syms; /* ends with {NULL} */
        void *table;              /* the struct of pointers that syms fill */
        /* the outcome: a process tries once (0 not yet, 1 loaded, <0 failed: why) */
        int state;
        char why[256];
} bench_dl;

/*
 * Loads dl->soname (RTLD_NOW | RTLD_LOCAL: its symbols shadow nothing) and
 * fills dl->table; only the first call of a process tries. 0, or -ENOENT
 * with *err saying what to install. Any thread may call it.
 */
int bench_dl_load(bench_dl *dl, bench_error **err);
