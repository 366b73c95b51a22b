/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdarg.h>
#include <stddef.h>

/*
 * The error object every fallible function takes as its last parameter.
 * Functions return 0 or a negative errno; on failure they fill *err with a
 * message, and callers add context on the way up with bench_error_prefix().
 * Only harness/ prints an error or turns it into an exit code.
 */
typedef struct bench_error {
        int code;  /* positive errno-style code */
        char *msg; /* "context: context: cause" */
} bench_error;

/* Sets *err (if err and *err is empty) and returns -abs(code). */
int bench_error_set(bench_error **err, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int bench_error_setv(bench_error **err, int code, const char *fmt, va_list ap)
        __attribute__((format(printf, 3, 0)));
/* Like bench_error_set() but appends ": strerror(code)". */
int bench_error_errno(bench_error **err, int code, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));
/* Prepends "context: " to an existing message; returns -(*err)->code. */
int bench_error_prefix(bench_error **err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void bench_error_free(bench_error *err);
static inline void bench_error_freep(bench_error **err) {
        bench_error_free(*err);
        *err = NULL;
}
#define _cleanup_error_ __attribute__((cleanup(bench_error_freep)))
