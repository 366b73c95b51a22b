/* SPDX-License-Identifier: MIT */
#include "opt.h"

#include <errno.h>
#include <stdio.h>
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

static int cpulist_ok(const char *s) {
        /* "0", "0-3", "0-3,6,8-9" */
        const char *p = s;
        if (!*p)
                return 0;
        while (*p) {
                unsigned a, b;
                int n = 0;
                if (sscanf(p, "%u-%u%n", &a, &b, &n) == 2 && n > 0) {
                        if (b < a)
                                return 0;
                } else if (sscanf(p, "%u%n", &a, &n) == 1 && n > 0) {
                } else
                        return 0;
                p += n;
                if (*p == ',')
                        p++;
                else if (*p)
                        return 0;
        }
        return 1;
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
                        snprintf(why, why_len, "must be between %s and %s",
                                 bench_format_size(spec->min, lo, sizeof(lo)),
                                 bench_format_size(spec->max, hi, sizeof(hi)));
                        return -ERANGE;
                }
                return 0;
        case BENCH_OPT_UINT:
                if (bench_parse_uint(value, UINT64_MAX, &u) < 0) {
                        snprintf(why, why_len, "expected a non-negative whole number");
                        return -EINVAL;
                }
                if (u < spec->min || (spec->max && u > spec->max)) {
                        snprintf(why, why_len, "must be between %llu and %llu",
                                 (unsigned long long)spec->min, (unsigned long long)spec->max);
                        return -ERANGE;
                }
                return 0;
        case BENCH_OPT_DURATION:
                if (bench_parse_duration_ms(value, &ms) < 0) {
                        snprintf(why, why_len, "expected a duration such as 250ms, 2s or 500 (ms)");
                        return -EINVAL;
                }
                if (ms < (double)spec->min || (spec->max && ms > (double)spec->max)) {
                        snprintf(why, why_len, "must be between %llums and %llums",
                                 (unsigned long long)spec->min, (unsigned long long)spec->max);
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
        case BENCH_OPT_ENUM:
                if (!enum_has(spec->choices, value)) {
                        snprintf(why, why_len, "expected one of %s", spec->choices);
                        return -EINVAL;
                }
                return 0;
        case BENCH_OPT_CPULIST:
                if (!cpulist_ok(value)) {
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
