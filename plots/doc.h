/* SPDX-License-Identifier: MIT */
#pragma once
/*
 * A Markdown or HTML document being written (bench report, bench fleet
 * report): headings, paragraphs and tables whose text is escaped for the
 * markup on the way in, and the plots section.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "../common/error.h"
#include "../results/compare.h"
#include "escape.h"
#include "plot.h"

typedef struct doc {
        FILE *m;
        plot_markup fmt; /* PLOT_MARKDOWN or PLOT_HTML */
        bool oom;
        char *buf; /* m's memory */
        size_t len;
} doc;

/*
 * A document in memory in out_path's format (by its extension: doc_format_of), HTML with its head
 * titled title (escaped). -EINVAL naming the path for another extension.
 */
int doc_open(doc *d, const char *out_path, const char *title, bench_error **err);
/* Ends it (HTML: the body) and writes it atomically to out_path; d is freed either way. */
int doc_commit(doc *d, const char *out_path, bench_error **err);
/* Frees an open document without writing it; accepts one never opened ({0}). */
void doc_discard(doc *d);

/* Text, escaped for d's markup. */
void doc_put(doc *d, const char *s);
void doc_putf(doc *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void doc_heading(doc *d, int level, const char *text);
void doc_para(doc *d, const char *text);
void doc_paraf(doc *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Tables: header cells, then rows of unescaped cells (NULL or "" shows as "-"). */
void doc_table_start(doc *d, const char *const *cols, size_t n);
void doc_row(doc *d, const char *const *cells, size_t n);
void doc_table_end(doc *d);
/*
 * "## Plots": each figure, or why there are none. Markdown shows the PNG; HTML embeds the SVG (else
 * the PNG) as a data: URI, each file at most DOC_FIGURE_MAX bytes, so that the page stands alone.
 * Both link the figure's SVG, PNG, gnuplot script and data, relative to the report.
 */
#define DOC_FIGURE_MAX (16u << 20)
void doc_plots(doc *d, const plot_set *plots, const char *plot_error, const char *plot_dir,
               const char *rel_dir);
/*
 * Where a report's plots go: <dir>/<basename without extension>-plots, and that dir relative to the
 * report (its links). 0 or -ENOMEM.
 */
int doc_plot_dirs(const char *out_path, char **ret_plot_dir, char **ret_rel_dir);
/* HTML: the script that sorts tables by a click on a heading; the page's only script. */
extern const char doc_sort_script[];
/*
 * HTML: the page's Content-Security-Policy (a meta tag): nothing loads but data: images, no script
 * runs but doc_sort_script (by its SHA-256). len: 512 is enough.
 */
void doc_csp(char *buf, size_t len);
/* PLOT_MARKDOWN for *.md, PLOT_HTML for *.html, else -EINVAL. */
int doc_format_of(const char *path);
/*
 * A row's change and its interval as two texts (plots/numfmt.h): "+12% [+10, +14]", "×8.9 [×8.4, ×9.4]";
 * a difference row (no ratio): "+512 KiB" and "[+293 KiB, +684 KiB]"; "-" for what is not known.
 */
void doc_change_parts(const cmp_row *r, unsigned flags, char *change, size_t change_len, char *ci,
                      size_t ci_len);
/* Both in one text: "+12% [+10, +14]". */
void doc_change(const cmp_row *r, char *buf, size_t len);
