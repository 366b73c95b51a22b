/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * How text from result files (names, reasons, a tool's stderr) reaches each
 * output of bench inert: every renderer in plots/ escapes through here.
 * The terminal and XML escapers live in common/util.h (errors and libvirt's
 * XML use them too); Markdown, links and gnuplot only here.
 */

#include <stdio.h>

/* The markup a renderer writes; HTML also stands for XML (JUnit): the same escaping. */
typedef enum plot_markup {
        PLOT_TEXT,     /* a terminal: bench_put_text, control bytes made visible */
        PLOT_MARKDOWN, /* plot_put_md */
        PLOT_HTML,     /* bench_put_xml */
} plot_markup;

/* s escaped for markup m. NULL writes nothing. */
void plot_put(FILE *f, plot_markup m, const char *s);

/*
 * s as inert Markdown (CommonMark/GFM) text, also inside a table cell:
 * ASCII punctuation that can start markup (links, images, HTML, code,
 * emphasis, http:// and www. autolinks, tables, math) backslash-escaped,
 * line breaks and other control characters as spaces, bytes that are not
 * UTF-8 as U+FFFD. For inline text: a
 * line it starts may still become a heading or list item (looks only).
 * NULL writes nothing.
 */
void plot_put_md(FILE *f, const char *s);

/* A relative link target (Markdown or HTML): percent-encodes all but [A-Za-z0-9-._~/]. */
void plot_put_url(FILE *f, const char *s);

/*
 * Any text as an inert gnuplot string expression: single-quoted (no `cmd`,
 * no @macro, no \ escapes), a ' or a newline as '...' . "'" . '...',
 * other control characters as spaces, bytes that are not UTF-8 as U+FFFD.
 * Every text reaches gnuplot through it.
 */
void plot_gp_string(FILE *f, const char *s);
/* The same characters unquoted, for a comment line of a script or data file. */
void plot_put_plain(FILE *f, const char *s);
/* A quoted data-file column: gnuplot cannot escape " inside one, so it becomes '; else as above. */
void plot_dat_string(FILE *f, const char *s);
