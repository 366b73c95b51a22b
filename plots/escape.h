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

/*
 * s as one CSV field (RFC 4180): quoted when it holds a comma, a quote, CR
 * or LF, a quote doubled. The text stays exact, for pandas and R, apart
 * from what no reader wants: other control characters as a space, bytes that
 * are not UTF-8 as U+FFFD. A leading = + - @ stays (a spreadsheet may take it
 * for a formula; the README says how to import safely). NULL is an empty field.
 */
void plot_put_csv(FILE *f, const char *s);
/*
 * s as one TSV field (text/tab-separated-values has no quoting): backslash,
 * tab, LF and CR as \\ \t \n \r, other control characters as a space, bytes
 * that are not UTF-8 as U+FFFD. NULL is an empty field.
 */
void plot_put_tsv(FILE *f, const char *s);
/*
 * s as inert LaTeX text (also in a tabular cell, after \\ and in booktabs
 * rules): \ { } $ & # ^ _ % ~ < > | [ ] * " ` ' - as text commands or
 * braced so no command, math, ligature or optional argument starts; control
 * characters as a space; × ÷ ± − µ and no-break/thin spaces as their LaTeX
 * forms; Latin-1 and Latin Extended-A letters as UTF-8 (LaTeX reads UTF-8
 * since 2018); any other character as \texttt{U+XXXX}, bytes that are not
 * UTF-8 as \texttt{U+FFFD}: pdflatex compiles it with no package loaded.
 * NULL writes nothing.
 */
void plot_put_latex(FILE *f, const char *s);
