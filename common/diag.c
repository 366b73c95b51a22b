/* SPDX-License-Identifier: MIT */
#include "diag.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "util.h"

void bench_diags_add(bench_diags *d, const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        bench_diags_addv(d, fmt, ap);
        va_end(ap);
}

void bench_diags_addv(bench_diags *d, const char *fmt, va_list ap) {
        char *m = NULL;
        if (vasprintf(&m, fmt, ap) < 0)
                return;
        /* a suite's names and values are printed: no terminal escape sequence from them */
        char *safe = bench_escape_text(m, BENCH_TEXT_KEEP_LINES);
        free(m);
        if (!(m = safe))
                return;
        if (d->n == d->cap) {
                size_t cap = d->cap ? d->cap * 2 : 8;
                char **nm = realloc(d->msgs, cap * sizeof(*nm));
                if (!nm) {
                        free(m);
                        return;
                }
                d->msgs = nm;
                d->cap = cap;
        }
        d->msgs[d->n++] = m;
}

void bench_diags_clear(bench_diags *d) {
        for (size_t i = 0; i < d->n; i++)
                free(d->msgs[i]);
        free(d->msgs);
        *d = (bench_diags){0};
}
