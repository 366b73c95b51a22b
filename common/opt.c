/* SPDX-License-Identifier: MIT */
#include "opt.h"

#include <ctype.h>
#include <stdarg.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

const char *bench_opt_type_name(bench_opt_type t) {
        switch (t) {
        case BENCH_OPT_SIZE:
                return "size";
        case BENCH_OPT_UINT:
                return "integer";
        case BENCH_OPT_DURATION:
                return "duration";
        case BENCH_OPT_BOOL:
                return "boolean";
        case BENCH_OPT_STRING:
                return "string";
        case BENCH_OPT_ENUM:
                return "choice";
        case BENCH_OPT_CPULIST:
                return "cpu list";
        case BENCH_OPT_STRLIST:
                return "list of strings";
        case BENCH_OPT_UINT_OR_STRLIST:
                return "count or list of strings";
        case BENCH_OPT_SECONDS:
                return "seconds";
        case BENCH_OPT_TEXT:
                return "text";
        case BENCH_OPT_PERCENT:
                return "percentage";
        }
        return "?";
}

const bench_opt_spec *bench_opt_find(const bench_opt_spec *table, const char *name) {
        for (const bench_opt_spec *s = table; s && s->name; s++)
                if (!strcmp(s->name, name))
                        return s;
        return NULL;
}

static int enum_has(const char *choices, const char *value) {
        size_t vl = strlen(value);
        for (const char *p = choices; p && *p;) {
                const char *bar = strchr(p, '|');
                size_t l = bar ? (size_t)(bar - p) : strlen(p);
                if (l == vl && !strncmp(p, value, l))
                        return 1;
                p = bar ? bar + 1 : NULL;
        }
        return 0;
}

/* strict: sscanf's %u would take "-1", " 1" and "+1" */
static int cpu_number(const char **p, unsigned *ret) {
        if (!isdigit((unsigned char)**p))
                return 0;
        unsigned long v = 0;
        for (; isdigit((unsigned char)**p); (*p)++) {
                v = v * 10 + (unsigned long)(**p - '0');
                if (v > 65535)
                        return 0;
        }
        *ret = (unsigned)v;
        return 1;
}

static int cpulist_ok(const char *s) {
        /* "0", "0-3", "0-3,6,8-9"; no empty items, no trailing comma */
        const char *p = s;
        for (;;) {
                unsigned a, b;
                if (!cpu_number(&p, &a))
                        return 0;
                if (*p == '-') {
                        p++;
                        if (!cpu_number(&p, &b) || b < a)
                                return 0;
                }
                if (!*p)
                        return 1;
                if (*p++ != ',')
                        return 0;
        }
}

/* "300", "2.5", "1e3": a plain number (strtod alone would take " 1", "inf" and "0x10") */
static int parse_seconds(const char *text, double *ret) {
        char *end;
        if (!isdigit((unsigned char)*text) && *text != '.')
                return -EINVAL;
        double v = strtod(text, &end);
        if (*end || !isfinite(v) || strpbrk(text, "xX"))
                return -EINVAL;
        *ret = v;
        return 0;
}

/* "2%", "0.5%", ".5%": digits, an optional fraction, then the % sign; the value in percent */
static int parse_percent(const char *text, double *ret) {
        const char *p = text;
        size_t digits = 0;
        for (; isdigit((unsigned char)*p); p++)
                digits++;
        if (*p == '.')
                for (p++; isdigit((unsigned char)*p); p++)
                        digits++;
        if (!digits || strcmp(p, "%"))
                return -EINVAL;
        double v = strtod(text, NULL);
        if (!isfinite(v))
                return -EINVAL;
        *ret = v;
        return 0;
}

/* "between 1 and 100", or "at least 4M" where max 0 means no limit */
static void range_why(char *why, unsigned why_len, const char *lo, const char *hi, uint64_t max,
                      const char *unit) {
        if (max)
                snprintf(why, why_len, "must be between %s%s and %s%s", lo, unit, hi, unit);
        else
                snprintf(why, why_len, "must be at least %s%s", lo, unit);
}

int bench_opt_check(const bench_opt_spec *spec, const char *value, char *why, unsigned why_len) {
        uint64_t u = 0;
        double ms = 0;
        char lo[32], hi[32];
        switch (spec->type) {
        case BENCH_OPT_SIZE:
                if (bench_parse_size(value, &u) < 0) {
                        snprintf(why, why_len, "expected a size such as 4096, 64K, 64M or 1G");
                        return -EINVAL;
                }
                if (u < spec->min || (spec->max && u > spec->max)) {
                        range_why(why, why_len, bench_format_size(spec->min, lo, sizeof(lo)),
                                  bench_format_size(spec->max, hi, sizeof(hi)), spec->max, "");
                        return -ERANGE;
                }
                return 0;
        case BENCH_OPT_UINT:
                if (bench_parse_uint(value, UINT64_MAX, &u) < 0) {
                        snprintf(why, why_len, "expected a non-negative whole number");
                        return -EINVAL;
                }
                if (u < spec->min || (spec->max && u > spec->max)) {
                        snprintf(lo, sizeof(lo), "%llu", (unsigned long long)spec->min);
                        snprintf(hi, sizeof(hi), "%llu", (unsigned long long)spec->max);
                        range_why(why, why_len, lo, hi, spec->max, "");
                        return -ERANGE;
                }
                return 0;
        case BENCH_OPT_DURATION:
                if (bench_parse_duration_ms(value, &ms) < 0) {
                        snprintf(why, why_len, "expected a duration such as 250ms, 2s or 500 (ms)");
                        return -EINVAL;
                }
                if (ms < (double)spec->min || (spec->max && ms > (double)spec->max)) {
                        snprintf(lo, sizeof(lo), "%llu", (unsigned long long)spec->min);
                        snprintf(hi, sizeof(hi), "%llu", (unsigned long long)spec->max);
                        range_why(why, why_len, lo, hi, spec->max, "ms");
                        return -ERANGE;
                }
                return 0;
        case BENCH_OPT_SECONDS:
                if (parse_seconds(value, &ms) < 0) {
                        snprintf(why, why_len, "expected a number of seconds such as 300 or 2.5");
                        return -EINVAL;
                }
                if (ms <= (double)spec->min || (spec->max && ms > (double)spec->max)) {
                        int w = snprintf(why, why_len, "must be greater than %llu",
                                         (unsigned long long)spec->min);
                        if (spec->max && w >= 0 && (unsigned)w < why_len)
                                snprintf(why + w, why_len - (unsigned)w, " and at most %llu",
                                         (unsigned long long)spec->max);
                        return -ERANGE;
                }
                return 0;
        case BENCH_OPT_PERCENT:
                if (parse_percent(value, &ms) < 0) {
                        snprintf(why, why_len, "expected a percentage such as %s (with the %% sign)",
                                 spec->choices ? spec->choices : "2%");
                        return -EINVAL;
                }
                if (ms <= (double)spec->min || (spec->max && ms >= (double)spec->max)) {
                        int w = snprintf(why, why_len, "must be above %llu%%", (unsigned long long)spec->min);
                        if (spec->max && w >= 0 && (unsigned)w < why_len)
                                snprintf(why + w, why_len - (unsigned)w, " and below %llu%%",
                                         (unsigned long long)spec->max);
                        return -ERANGE;
                }
                return 0;
        case BENCH_OPT_BOOL:
                if (strcmp(value, "true") && strcmp(value, "false")) {
                        snprintf(why, why_len, "expected true or false");
                        return -EINVAL;
                }
                return 0;
        case BENCH_OPT_STRING:
                if (!*value) {
                        snprintf(why, why_len, "must not be empty");
                        return -EINVAL;
                }
                return 0;
        case BENCH_OPT_TEXT:
                return 0;
        case BENCH_OPT_ENUM:
                if (!enum_has(spec->choices, value)) {
                        /* "a|b|c" -> "a, b or c" */
                        size_t w = (size_t)snprintf(why, why_len, "expected ");
                        for (const char *p = spec->choices; p && *p && w < why_len;) {
                                const char *bar = strchr(p, '|');
                                int l = bar ? (int)(bar - p) : (int)strlen(p);
                                int r = snprintf(why + w, why_len - w, "%s%.*s",
                                                 p == spec->choices ? ""
                                                 : bar              ? ", "
                                                                    : " or ",
                                                 l, p);
                                if (r < 0)
                                        break;
                                w += (size_t)r;
                                p = bar ? bar + 1 : NULL;
                        }
                        return -EINVAL;
                }
                return 0;
        case BENCH_OPT_CPULIST:
                if (!cpulist_ok(value) && !enum_has(spec->choices, value)) {
                        snprintf(why, why_len, "expected a cpu list such as 1 or 0-3,6");
                        return -EINVAL;
                }
                return 0;
        case BENCH_OPT_STRLIST:
        case BENCH_OPT_UINT_OR_STRLIST:
                snprintf(why, why_len, "expected a %s", bench_opt_type_name(spec->type));
                return -EINVAL;
        }
        return -EINVAL;
}

__attribute__((noreturn, format(printf, 2, 3))) static void owner_bug(const char *owner, const char *fmt,
                                                                      ...) {
        va_list ap;
        fprintf(stderr, "%s: bug: %s%s", program_invocation_short_name, owner ? owner : "",
                owner ? ": " : "");
        va_start(ap, fmt);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
        fputc('\n', stderr);
        abort();
}

const bench_opt_spec *bench_opt_expect(const bench_opt_spec *table, const char *name, unsigned types,
                                       const char *owner) {
        const bench_opt_spec *s = bench_opt_find(table, name);
        if (!s)
                owner_bug(owner, "reads `%s`, which its table does not declare", name);
        if (!(types & BENCH_OPT_AS(s->type)))
                owner_bug(owner, "reads `%s` (%s) as another type", name, bench_opt_type_name(s->type));
        return s;
}

uint64_t bench_opt_text_uint(const bench_opt_spec *spec, const char *given, const char *owner) {
        const char *text = given ? given : spec->def;
        uint64_t v = 0;
        if (text && (spec->type == BENCH_OPT_SIZE ? bench_parse_size(text, &v)
                                                  : bench_parse_uint(text, UINT64_MAX, &v)) < 0)
                owner_bug(owner, "`%s` has no usable value (`%s`)", spec->name, text);
        return v;
}

/* given, else the default, through parse; 0 if neither */
static double text_double(const bench_opt_spec *spec, const char *given, const char *owner,
                          int (*parse)(const char *text, double *ret)) {
        const char *text = given ? given : spec->def;
        double v = 0;
        if (text && parse(text, &v) < 0)
                owner_bug(owner, "`%s` has no usable value (`%s`)", spec->name, text);
        return v;
}

double bench_opt_text_ms(const bench_opt_spec *spec, const char *given, const char *owner) {
        return text_double(spec, given, owner, bench_parse_duration_ms);
}

double bench_opt_text_seconds(const bench_opt_spec *spec, const char *given, const char *owner) {
        return text_double(spec, given, owner, parse_seconds);
}

double bench_opt_text_percent(const bench_opt_spec *spec, const char *given, const char *owner) {
        return text_double(spec, given, owner, parse_percent);
}

bool bench_opt_text_bool(const bench_opt_spec *spec, const char *given, const char *owner) {
        const char *text = given ? given : spec->def;
        if (text && strcmp(text, "true") && strcmp(text, "false"))
                owner_bug(owner, "`%s` has no usable value (`%s`)", spec->name, text);
        return text && !strcmp(text, "true");
}
