/* SPDX-License-Identifier: MIT */
#include "error.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

int bench_error_setv(bench_error **err, int code, const char *fmt, va_list ap) {
        if (code < 0)
                code = -code;
        if (code == 0)
                code = EINVAL;
        if (!err || *err)
                return -code;
        bench_error *e = calloc(1, sizeof(*e));
        if (!e)
                return -code;
        e->code = code;
        char *raw = NULL;
        if (vasprintf(&raw, fmt, ap) < 0)
                raw = NULL;
        /* names from files (tar entries, result files) must not reach a terminal as escape sequences */
        e->msg = raw ? bench_escape_text(raw, BENCH_TEXT_KEEP_LINES) : NULL;
        free(raw);
        *err = e;
        return -code;
}

int bench_error_set(bench_error **err, int code, const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        int r = bench_error_setv(err, code, fmt, ap);
        va_end(ap);
        return r;
}

int bench_error_errno(bench_error **err, int code, const char *fmt, ...) {
        va_list ap;
        char *head = NULL;
        if (code < 0)
                code = -code;
        va_start(ap, fmt);
        if (vasprintf(&head, fmt, ap) < 0)
                head = NULL;
        va_end(ap);
        int r = bench_error_set(err, code, "%s: %s", head ? head : "?", strerror(code));
        free(head);
        return r;
}

int bench_error_prefix(bench_error **err, const char *fmt, ...) {
        if (!err || !*err)
                return -EINVAL;
        va_list ap;
        char *head = NULL, *joined = NULL;
        va_start(ap, fmt);
        if (vasprintf(&head, fmt, ap) < 0)
                head = NULL;
        va_end(ap);
        char *safe = head ? bench_escape_text(head, BENCH_TEXT_KEEP_LINES) : NULL;
        free(head);
        head = safe;
        if (head && asprintf(&joined, "%s: %s", head, (*err)->msg ? (*err)->msg : "?") >= 0) {
                free((*err)->msg);
                (*err)->msg = joined;
        }
        free(head);
        return -(*err)->code;
}

void bench_error_free(bench_error *err) {
        if (!err)
                return;
        free(err->msg);
        free(err);
}
