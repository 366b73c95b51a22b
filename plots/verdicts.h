/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * A comparison of results/compare.h rendered for people and programs:
 * "text" (a terminal), "markdown" (a CI job summary), "junit" (a CI's test
 * view: a regression is a failure) and "json".
 */

#include <stdbool.h>
#include <stdio.h>

#include "../common/error.h"
#include "../results/compare.h"
#include "../results/fleet.h"
#include "escape.h"

/* The formats plot_verdicts() takes: "text", "markdown", "junit", "json". */
extern const char *const plot_verdict_formats[4];

/* r in one of plot_verdict_formats (NULL: text), worded as the overhead table when overhead; caller frees. */
int plot_verdicts(const cmp_report *r, const char *format, bool overhead, char **ret_text, bench_error **err);

/*
 * Two fleets compared (fleet_compare) in one of plot_verdict_formats: per host the single compare's
 * output under a title naming the host and both files (JUnit: a <testsuite> per host; JSON: "hosts"),
 * then the hosts on one side only and a summary; caller frees.
 */
int plot_fleet_verdicts(const fleet_comparison *c, const char *format, char **ret_text, bench_error **err);

/*
 * A row's verdict in words: "equivalent within ±2%", "inconclusive: about
 * 12 more samples", "better differs: base says lower is better, new says
 * higher"; the others as cmp_verdict_word (overhead: "worse", "better").
 */
void plot_verdict_text(const cmp_row *row, const cmp_opts *o, bool overhead, char *buf, size_t len);

/* The outputs that show environment differences, each with its own frame and escaping. */
typedef enum plot_env_style {
        PLOT_ENV_TEXT,     /* compare's text format */
        PLOT_ENV_STDERR,   /* bench compare's warning, after its own line naming the files */
        PLOT_ENV_MARKDOWN, /* compare's Markdown (also in the Markdown report): a GFM alert */
        PLOT_ENV_JUNIT,    /* compare's JUnit: one <system-err> */
        PLOT_ENV_HTML,     /* the HTML report */
} plot_env_style;
/*
 * The environment differences of r, if any, as a block of that output:
 * each as "kernel: base `6.1`, new `6.18`", names escaped for it (Markdown
 * without the backticks, which would open code where escapes show).
 */
void plot_env_diffs(FILE *f, const cmp_report *r, plot_env_style style);
