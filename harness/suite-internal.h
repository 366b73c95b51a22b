/* SPDX-License-Identifier: MIT */
#pragma once

/* Between the suite model (suite.c) and its validator (suite_check.c). */
#include <stdbool.h>

#include "suite.h"

/* One check of one suite text. */
typedef struct suite_checker {
        const char *text; /* the suite as written: problems are located in it */
        const char *file; /* names it in messages */
        bench_diags *d;   /* the problems: "FILE:LINE:COL: FIELD: what (fix)" */
        bool oom;
} suite_checker;

/* The text as a JSON object; NULL after saying why it is not one. */
cJSON *suite_check_text(suite_checker *c);
/*
 * Checks root against the suite's rules, the kinds' option tables and the
 * workloads' param tables, and the overrides like the file's values; reads
 * what is valid into s, over its defaults. 0, or -EINVAL after adding every
 * problem to c->d, in file order.
 */
int suite_check(suite_checker *c, const cJSON *root, const suite_overrides *ov, suite *s);
/* Asks each configuration's driver whether this host takes its options; 0 or -EINVAL as above. */
int suite_check_on_host(suite_checker *c, const cJSON *root, const suite *s);
