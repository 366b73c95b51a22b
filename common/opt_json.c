/* SPDX-License-Identifier: MIT */
/*
 * Typed reads of a configuration's kind options (opt.h) over the JSON the
 * suite gave: bench only, the agent has no cJSON. The suite validated every
 * value against the same table; the text core in opt.c applies defaults.
 */
#include <math.h>
#include <stdio.h>

#include "json.h"
#include "opt.h"

/* The given value as text (a number formatted into buf), NULL if not given. */
static const char *given_text(const cJSON *options, const char *name, char *buf, size_t len) {
        const cJSON *v = options ? cJSON_GetObjectItemCaseSensitive(options, name) : NULL;
        if (cJSON_IsString(v))
                return v->valuestring;
        if (cJSON_IsBool(v))
                return cJSON_IsTrue(v) ? "true" : "false";
        if (cJSON_IsNumber(v)) {
                /* whole numbers below 1e18 exactly; seconds (2.5) so that they read back the same */
                double d = v->valuedouble + 0.0; /* -0 prints as 0 */
                snprintf(buf, len, d == floor(d) && fabs(d) < 1e18 ? "%.0f" : "%.17g", d);
                return buf;
        }
        return NULL;
}

uint64_t bench_opt_size(const cJSON *options, const bench_opt_spec *table, const char *name) {
        char buf[32];
        const bench_opt_spec *s = bench_opt_expect(table, name, BENCH_OPT_AS(BENCH_OPT_SIZE), NULL);
        return bench_opt_text_uint(s, given_text(options, name, buf, sizeof(buf)), NULL);
}

/* A UINT_OR_STRLIST given as a list counts its items. */
uint64_t bench_opt_uint(const cJSON *options, const bench_opt_spec *table, const char *name) {
        char buf[32];
        const bench_opt_spec *s = bench_opt_expect(
                table, name, BENCH_OPT_AS(BENCH_OPT_UINT) | BENCH_OPT_AS(BENCH_OPT_UINT_OR_STRLIST), NULL);
        const cJSON *v = options ? cJSON_GetObjectItemCaseSensitive(options, name) : NULL;
        if (cJSON_IsArray(v))
                return (uint64_t)cJSON_GetArraySize(v);
        return bench_opt_text_uint(s, given_text(options, name, buf, sizeof(buf)), NULL);
}

bool bench_opt_bool(const cJSON *options, const bench_opt_spec *table, const char *name) {
        char buf[32];
        const bench_opt_spec *s = bench_opt_expect(table, name, BENCH_OPT_AS(BENCH_OPT_BOOL), NULL);
        return bench_opt_text_bool(s, given_text(options, name, buf, sizeof(buf)), NULL);
}

double bench_opt_seconds(const cJSON *options, const bench_opt_spec *table, const char *name) {
        char buf[32];
        const bench_opt_spec *s = bench_opt_expect(table, name, BENCH_OPT_AS(BENCH_OPT_SECONDS), NULL);
        return bench_opt_text_seconds(s, given_text(options, name, buf, sizeof(buf)), NULL);
}

double bench_opt_percent(const cJSON *options, const bench_opt_spec *table, const char *name) {
        char buf[32];
        const bench_opt_spec *s = bench_opt_expect(table, name, BENCH_OPT_AS(BENCH_OPT_PERCENT), NULL);
        return bench_opt_text_percent(s, given_text(options, name, buf, sizeof(buf)), NULL);
}

static const char *string_of(const cJSON *options, const bench_opt_spec *table, const char *name,
                             unsigned types) {
        const bench_opt_spec *s = bench_opt_expect(table, name, types, NULL);
        const cJSON *v = options ? cJSON_GetObjectItemCaseSensitive(options, name) : NULL;
        return cJSON_IsString(v) ? v->valuestring : s->def;
}

const char *bench_opt_string(const cJSON *options, const bench_opt_spec *table, const char *name) {
        return string_of(options, table, name, BENCH_OPT_AS(BENCH_OPT_STRING) | BENCH_OPT_AS(BENCH_OPT_TEXT));
}

const char *bench_opt_enum(const cJSON *options, const bench_opt_spec *table, const char *name) {
        return string_of(options, table, name, BENCH_OPT_AS(BENCH_OPT_ENUM));
}

const char *bench_opt_cpulist(const cJSON *options, const bench_opt_spec *table, const char *name, char *buf,
                              size_t len) {
        const bench_opt_spec *s = bench_opt_expect(table, name, BENCH_OPT_AS(BENCH_OPT_CPULIST), NULL);
        const char *text = given_text(options, name, buf, len);
        return text ? text : s->def;
}

const cJSON *bench_opt_list(const cJSON *options, const bench_opt_spec *table, const char *name) {
        bench_opt_expect(table, name,
                         BENCH_OPT_AS(BENCH_OPT_STRLIST) | BENCH_OPT_AS(BENCH_OPT_UINT_OR_STRLIST), NULL);
        const cJSON *v = options ? cJSON_GetObjectItemCaseSensitive(options, name) : NULL;
        return cJSON_IsArray(v) ? v : NULL;
}

bool bench_opt_given(const cJSON *options, const bench_opt_spec *table, const char *name) {
        bench_opt_expect(table, name, ~0u, NULL);
        return options && cJSON_GetObjectItemCaseSensitive(options, name);
}
