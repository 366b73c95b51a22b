/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * A typed option: a workload parameter or a configuration-kind option.
 * Declared as data so that the suite validator, `bench-agent --list` and the
 * docs all read the same table.
 */
typedef enum bench_opt_type {
        BENCH_OPT_SIZE,            /* "64M", 65536 (bytes) */
        BENCH_OPT_UINT,            /* 1000 */
        BENCH_OPT_DURATION,        /* "250ms", "2s"; plain numbers are ms */
        BENCH_OPT_BOOL,            /* true / false */
        BENCH_OPT_STRING,          /* any string */
        BENCH_OPT_ENUM,            /* one of .choices ("a|b|c") */
        BENCH_OPT_CPULIST,         /* "0-3,6" */
        BENCH_OPT_STRLIST,         /* array of strings */
        BENCH_OPT_UINT_OR_STRLIST, /* a count, or an array of strings */
        BENCH_OPT_SECONDS,         /* 300, 2.5: a number of seconds, fractions allowed */
        BENCH_OPT_TEXT,            /* any string, empty too (free text) */
        BENCH_OPT_PERCENT,         /* "2%", "0.5%": the % sign required (a bare 2 could mean 2 or 0.02) */
} bench_opt_type;

typedef struct bench_opt_spec {
        const char *name;
        bench_opt_type type;
        const char *def; /* default as a string, NULL = none */
        /* ENUM: "a|b|c"; CPULIST: words it may be instead ("auto|none"); STRING, PERCENT: an example */
        const char *choices;
        /* SIZE/UINT (bytes, count), DURATION (ms), SECONDS (more than min), PERCENT (in percent, more
         * than min and less than max); max 0 = no limit */
        uint64_t min, max;
        const char *help;
} bench_opt_spec;

const char *bench_opt_type_name(bench_opt_type t);
/* The spec called name in a {NULL}-terminated table, or NULL. */
const bench_opt_spec *bench_opt_find(const bench_opt_spec *table, const char *name);
/*
 * Checks a scalar value written as a string against its spec. 0, or -EINVAL
 * with a human reason in why ("expected a size such as 64M").
 */
int bench_opt_check(const bench_opt_spec *spec, const char *value, char *why, unsigned why_len);

/*
 * Typed reads by a table's owner (a workload its params, a driver its kind
 * options): the value given, else the table's default. Values were checked
 * against the table before they got here, so reading a name the table does
 * not declare, reading it as another type, or a value that does not parse
 * (a bad default) is a bug in the owner: these say so on stderr and abort.
 * owner names it in that message ("workload `cpu`"), NULL = unnamed.
 */
#define BENCH_OPT_AS(type) (1u << (type)) /* the types a read accepts, or'd */
const bench_opt_spec *bench_opt_expect(const bench_opt_spec *table, const char *name, unsigned types,
                                       const char *owner);
/* SIZE (bytes), UINT or UINT_OR_STRLIST: given as text (NULL: the default); 0 if neither */
uint64_t bench_opt_text_uint(const bench_opt_spec *spec, const char *given, const char *owner);
/* DURATION in ms; 0 if neither given nor defaulted */
double bench_opt_text_ms(const bench_opt_spec *spec, const char *given, const char *owner);
/* SECONDS; 0 if neither given nor defaulted */
double bench_opt_text_seconds(const bench_opt_spec *spec, const char *given, const char *owner);
/* PERCENT in percent (2 for "2%"); 0 if neither given nor defaulted */
double bench_opt_text_percent(const bench_opt_spec *spec, const char *given, const char *owner);
/* BOOL; false if neither given nor defaulted */
bool bench_opt_text_bool(const bench_opt_spec *spec, const char *given, const char *owner);

/*
 * The same over a configuration's kind options as the suite gave them (a
 * JSON object, NULL = none given): bench only, the agent has no cJSON
 * (opt_json.c). A number without a default that was not given reads as 0,
 * a string as NULL: every such option's minimum is above 0, so 0 is "unset".
 */
struct cJSON;
uint64_t bench_opt_size(const struct cJSON *options, const bench_opt_spec *table, const char *name);
uint64_t bench_opt_uint(const struct cJSON *options, const bench_opt_spec *table, const char *name);
bool bench_opt_bool(const struct cJSON *options, const bench_opt_spec *table, const char *name);
double bench_opt_seconds(const struct cJSON *options, const bench_opt_spec *table, const char *name);
/* PERCENT in percent (2 for "2%"); 0 if neither given nor defaulted */
double bench_opt_percent(const struct cJSON *options, const bench_opt_spec *table, const char *name);
/* STRING or TEXT */
const char *bench_opt_string(const struct cJSON *options, const bench_opt_spec *table, const char *name);
/* ENUM: one of the spec's choices */
const char *bench_opt_enum(const struct cJSON *options, const bench_opt_spec *table, const char *name);
/* CPULIST as text into buf (a suite may write one cpu as a number), or one of its words; NULL if not given */
const char *bench_opt_cpulist(const struct cJSON *options, const bench_opt_spec *table, const char *name,
                              char *buf, size_t len);
/* Whether the suite gave a value (some options mean more when given: a disk upper refuses a size) */
bool bench_opt_given(const struct cJSON *options, const bench_opt_spec *table, const char *name);
/* STRLIST or UINT_OR_STRLIST given as a JSON array of strings, else NULL (bench_opt_uint reads a count) */
const struct cJSON *bench_opt_list(const struct cJSON *options, const bench_opt_spec *table,
                                   const char *name);
