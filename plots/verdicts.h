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
#include "escape.h"

/* The formats plot_verdicts() takes: "text", "markdown", "junit", "json". */
extern const char *const plot_verdict_formats[4];

/* r in one of plot_verdict_formats (NULL: text), worded as the overhead table when overhead; caller frees. */
int plot_verdicts(const cmp_report *r, const char *format, bool overhead, char **ret_text, bench_error **err);

/* How an output frames the environment differences: head, then per difference item ... item_end, then tail.
 */
typedef struct plot_env_frame {
        const char *head, *item, *item_end, *tail;
} plot_env_frame;
/*
 * The environment differences, if any, each as "kernel: base `6.1`, new
 * `6.18`" with the names escaped for m (Markdown without the backticks,
 * which would open code where escapes show). Every output's block of them
 * is made here.
 */
void plot_env_diffs(FILE *f, const cmp_report *r, plot_markup m, const plot_env_frame *frame);
