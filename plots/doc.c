/* SPDX-License-Identifier: MIT */
/* The Markdown and HTML writer of bench's reports (doc.h). */
#include "doc.h"

#include <errno.h>
#include <libgen.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/cleanup.h"
#include "../common/util.h"
#include "numfmt.h"

void doc_put(doc *d, const char *s) {
        plot_put(d->m, d->fmt, s);
}

/* fmt's text handed to emit (doc_put or doc_para); out of memory is noted in d. */
__attribute__((format(printf, 3, 0))) static void emitv(doc *d, void (*emit)(doc *d, const char *s),
                                                        const char *fmt, va_list ap) {
        _cleanup_free_ char *s = NULL;
        if (vasprintf(&s, fmt, ap) < 0) {
                d->oom = true;
                return;
        }
        emit(d, s);
}

void doc_putf(doc *d, const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        emitv(d, doc_put, fmt, ap);
        va_end(ap);
}

void doc_heading(doc *d, int level, const char *text) {
        if (d->fmt == PLOT_HTML) {
                fprintf(d->m, "<h%d>", level);
                doc_put(d, text);
                fprintf(d->m, "</h%d>\n", level);
        } else {
                fprintf(d->m, "\n%.*s ", level, "######");
                doc_put(d, text);
                fputs("\n\n", d->m);
        }
}

void doc_para(doc *d, const char *text) {
        if (d->fmt == PLOT_HTML) {
                fputs("<p>", d->m);
                doc_put(d, text);
                fputs("</p>\n", d->m);
        } else {
                doc_put(d, text);
                fputs("\n\n", d->m);
        }
}

/* Tables: header cells, then rows of already formatted (unescaped) cells. */
void doc_table_start(doc *d, const char *const *cols, size_t n) {
        if (d->fmt == PLOT_HTML) {
                fputs("<table>\n<thead><tr>", d->m);
                for (size_t i = 0; i < n; i++) {
                        fputs("<th>", d->m);
                        doc_put(d, cols[i]);
                        fputs("</th>", d->m);
                }
                fputs("</tr></thead>\n<tbody>\n", d->m);
        } else {
                fputc('|', d->m);
                for (size_t i = 0; i < n; i++) {
                        fputc(' ', d->m);
                        doc_put(d, cols[i]);
                        fputs(" |", d->m);
                }
                fputs("\n|", d->m);
                for (size_t i = 0; i < n; i++)
                        fputs("---|", d->m);
                fputc('\n', d->m);
        }
}

void doc_row(doc *d, const char *const *cells, size_t n) {
        if (d->fmt == PLOT_HTML) {
                fputs("<tr>", d->m);
                for (size_t i = 0; i < n; i++) {
                        fputs("<td>", d->m);
                        doc_put(d, cells[i] ? cells[i] : "-");
                        fputs("</td>", d->m);
                }
                fputs("</tr>\n", d->m);
        } else {
                fputc('|', d->m);
                for (size_t i = 0; i < n; i++) {
                        fputc(' ', d->m);
                        doc_put(d, cells[i] && *cells[i] ? cells[i] : "-");
                        fputs(" |", d->m);
                }
                fputc('\n', d->m);
        }
}

void doc_table_end(doc *d) {
        fputs(d->fmt == PLOT_HTML ? "</tbody>\n</table>\n" : "\n", d->m);
}

/* The link to a plot, relative to the report: "<name>-plots/x.png". */
static const char *plot_rel(const char *path, const char *plot_dir, const char *rel_dir, char *buf,
                            size_t len) {
        size_t n = strlen(plot_dir);
        if (!strncmp(path, plot_dir, n) && path[n] == '/') {
                snprintf(buf, len, "%s%s", rel_dir, path + n);
                return buf;
        }
        return path;
}

void doc_plots(doc *d, const plot_set *plots, const char *plot_error, const char *plot_dir,
               const char *rel_dir) {
        doc_heading(d, 2, "Plots");
        if (plot_error) {
                _cleanup_free_ char *t = NULL;
                if (asprintf(&t, "No plots: %s", plot_error) >= 0)
                        doc_para(d, t);
                return;
        }
        if (plots->n == 0) {
                doc_para(d, "No plots.");
                return;
        }
        for (size_t i = 0; i < plots->n; i++) {
                const plot_file *p = &plots->files[i];
                char png[4096], svg[4096];
                const char *title = p->title ? p->title : p->name;
                doc_heading(d, 3, title);
                const char *png_rel = p->png ? plot_rel(p->png, plot_dir, rel_dir, png, sizeof(png)) : NULL;
                const char *svg_rel = p->svg ? plot_rel(p->svg, plot_dir, rel_dir, svg, sizeof(svg)) : NULL;
                if (d->fmt == PLOT_HTML) {
                        fputs("<figure>", d->m);
                        if (png_rel) {
                                fputs("<img src=\"", d->m);
                                plot_put_url(d->m, png_rel);
                                fputs("\" alt=\"", d->m);
                                doc_put(d, title);
                                fputs("\">", d->m);
                        }
                        fputs("<figcaption>", d->m);
                        doc_put(d, title);
                        if (svg_rel) {
                                fputs(" (<a href=\"", d->m);
                                plot_put_url(d->m, svg_rel);
                                fputs("\">SVG</a>)", d->m);
                        }
                        fputs("</figcaption></figure>\n", d->m);
                } else {
                        if (png_rel) {
                                fputs("![", d->m);
                                doc_put(d, title);
                                fputs("](", d->m);
                                plot_put_url(d->m, png_rel);
                                fputs(")\n", d->m);
                        }
                        if (svg_rel) {
                                fputs("\n[SVG](", d->m);
                                plot_put_url(d->m, svg_rel);
                                fputs(")\n", d->m);
                        }
                }
        }
}

const char doc_html_head[] = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>";
const char doc_html_style[] =
        "</title>\n<style>\n"
        "body{font-family:system-ui,sans-serif;max-width:72rem;margin:2rem auto;padding:0 1rem;color:#222}\n"
        "table{border-collapse:collapse;margin:1rem 0;font-size:0.9rem}\n"
        "th,td{border:1px solid #ccc;padding:0.25rem 0.5rem;text-align:left}\n"
        "th{background:#f2f2f2}tr.regressed td{background:#fde2e2}\n"
        "figure{margin:1rem 0}img{max-width:100%;height:auto}\n"
        "</style>\n</head>\n<body>\n";

int doc_format_of(const char *path) {
        const char *dot = strrchr(path, '.');
        const char *slash = strrchr(path, '/');
        if (!dot || (slash && dot < slash))
                return -EINVAL;
        if (!strcmp(dot, ".md"))
                return PLOT_MARKDOWN;
        if (!strcmp(dot, ".html"))
                return PLOT_HTML;
        return -EINVAL;
}

void doc_change_parts(const cmp_row *r, unsigned flags, char *change, size_t change_len, char *ci,
                      size_t ci_len) {
        if (r->by != CMP_BY_DIFFERENCE) {
                bench_fmt_change(r->ratio, r->ratio_low, r->ratio_high, flags, change, change_len);
                bench_fmt_change_bounds(r->ratio, r->ratio_low, r->ratio_high, flags, ci, ci_len);
                return;
        }
        bool bounds = isfinite(r->diff_low) && isfinite(r->diff_high);
        double half = bounds ? (r->diff_high - r->diff_low) / 2 : NAN;
        bench_fmt_difference(r->diff, r->cur->unit, half, flags, change, change_len);
        if (!bounds || !isfinite(r->diff)) {
                snprintf(ci, ci_len, "-");
                return;
        }
        char lo[96], hi[96];
        bench_fmt_difference(r->diff_low, r->cur->unit, half, flags, lo, sizeof(lo));
        bench_fmt_difference(r->diff_high, r->cur->unit, half, flags, hi, sizeof(hi));
        snprintf(ci, ci_len, "[%s, %s]", lo, hi);
}

void doc_change(const cmp_row *r, char *buf, size_t len) {
        char change[128], ci[256];
        doc_change_parts(r, 0, change, sizeof(change), ci, sizeof(ci));
        if (strcmp(ci, "-"))
                snprintf(buf, len, "%s %s", change, ci);
        else
                snprintf(buf, len, "%s", change);
}

int doc_plot_dirs(const char *out_path, char **ret_plot_dir, char **ret_rel_dir) {
        _cleanup_free_ char *dir_copy = strdup(out_path), *base_copy = strdup(out_path);
        if (!dir_copy || !base_copy)
                return -ENOMEM;
        const char *out_dir = dirname(dir_copy);
        char *stem = basename(base_copy);
        char *dot = strrchr(stem, '.');
        if (dot)
                *dot = '\0';
        char *plot_dir = NULL, *rel_dir = NULL;
        if (asprintf(&plot_dir, "%s/%s-plots", out_dir, stem) < 0)
                return -ENOMEM;
        if (asprintf(&rel_dir, "%s-plots", stem) < 0) {
                free(plot_dir);
                return -ENOMEM;
        }
        *ret_plot_dir = plot_dir;
        *ret_rel_dir = rel_dir;
        return 0;
}

void doc_paraf(doc *d, const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        emitv(d, doc_para, fmt, ap);
        va_end(ap);
}

int doc_open(doc *d, const char *out_path, const char *title, bench_error **err) {
        *d = (doc){0};
        int kind = doc_format_of(out_path);
        if (kind < 0)
                return bench_error_set(err, EINVAL, "%s: a report is .md (Markdown) or .html (HTML)",
                                       out_path);
        d->fmt = (plot_markup)kind;
        d->m = open_memstream(&d->buf, &d->len);
        if (!d->m)
                return bench_error_set(err, ENOMEM, "out of memory");
        if (d->fmt == PLOT_HTML) {
                fputs(doc_html_head, d->m);
                doc_put(d, title);
                fputs(doc_html_style, d->m);
        }
        return 0;
}

void doc_discard(doc *d) {
        if (d->m)
                fclose(d->m);
        free(d->buf);
        *d = (doc){0};
}

int doc_commit(doc *d, const char *out_path, bench_error **err) {
        if (d->fmt == PLOT_HTML)
                fputs("</body>\n</html>\n", d->m);
        bool bad = ferror(d->m) || d->oom;
        bad |= fclose(d->m) != 0;
        d->m = NULL;
        int r = bad ? bench_error_set(err, ENOMEM, "out of memory")
                    : bench_write_file_atomic(out_path, d->buf, d->len, err);
        doc_discard(d);
        return r;
}
