/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * `bench export`: a result file as data for other tools and as tables for
 * papers. CSV and TSV hold one row per sample (tidy data: pandas and R read
 * it without reshaping) or, with PLOT_EXPORT_SUMMARY, one row per series with
 * its statistics and its overhead against bare. LaTeX (booktabs) and
 * Markdown (GFM) hold the overhead table: each configuration against bare,
 * metric by metric, with the numbers formatted by plots/numfmt.h. Every
 * text from the file is escaped for the format (plots/escape.h).
 */

#include <stdbool.h>

#include "../common/error.h"
#include "../results/result.h"

typedef enum plot_export_format {
        PLOT_EXPORT_CSV,
        PLOT_EXPORT_TSV,
        PLOT_EXPORT_LATEX,
        PLOT_EXPORT_MARKDOWN,
} plot_export_format;

/* "csv", "tsv", "latex", "markdown": the names of plot_export_format, in its order. */
extern const char *const plot_export_formats[4];
/* The format of that name, or -EINVAL. */
int plot_export_format_of(const char *name);

enum {
        PLOT_EXPORT_SUMMARY = 1 << 0,    /* csv/tsv: a row per series instead of per sample */
        PLOT_EXPORT_STANDALONE = 1 << 1, /* latex: a whole document (article, booktabs) around the table */
};

/*
 * f in fmt; caller frees *ret_text. -EINVAL (a message naming what is
 * missing) when the flags do not go with fmt, or for latex/markdown when f
 * has no overhead to show (no bare configuration, nothing shared with it).
 */
int plot_export(const res_file *f, plot_export_format fmt, unsigned flags, char **ret_text,
                bench_error **err);
