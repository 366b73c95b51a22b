/* SPDX-License-Identifier: MIT */
/* The Markdown and HTML writer of bench's reports (doc.h). */
#include "doc.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/cleanup.h"
#include "../common/sha256.h"
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
                /* the hook of doc_sort_script; without script it is a plain table */
                fputs("<table class=\"sortable\">\n<thead><tr>", d->m);
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

/* A figure's files as links: "[SVG](x.svg) · [PNG](x.png) · ..." or <a> elements. */
static void figure_links(doc *d, const plot_file *p, const char *plot_dir, const char *rel_dir) {
        const struct {
                const char *label, *path;
        } files[] = {{"SVG", p->svg}, {"PNG", p->png}, {"gnuplot script", p->gp}, {"data", p->dat}};
        bool first = true;
        for (size_t i = 0; i < ELEMENTSOF(files); i++) {
                if (!files[i].path)
                        continue;
                char buf[4096];
                const char *rel = plot_rel(files[i].path, plot_dir, rel_dir, buf, sizeof(buf));
                fputs(first ? "" : " · ", d->m);
                first = false;
                if (d->fmt == PLOT_HTML) {
                        fputs("<a href=\"", d->m);
                        plot_put_url(d->m, rel);
                        fputs("\">", d->m);
                        doc_put(d, files[i].label);
                        fputs("</a>", d->m);
                } else {
                        fputc('[', d->m);
                        doc_put(d, files[i].label);
                        fputs("](", d->m);
                        plot_put_url(d->m, rel);
                        fputc(')', d->m);
                }
        }
}

static bool is_svg(const char *data, size_t len) {
        return len > 0 && memmem(data, len < 4096 ? len : 4096, "<svg", 4);
}

static bool is_png(const char *data, size_t len) {
        return len >= 8 && !memcmp(data, "\x89PNG\r\n\x1a\n", 8);
}

/*
 * The figure as <img src="data:..."> (the SVG gnuplot wrote, else the PNG): an image loads nothing
 * and runs no script, whatever text the SVG holds. The file is read in dirfd (plot_dir, or -errno
 * why it did not open) without following a symlink, at most DOC_FIGURE_MAX bytes; why not embedded:
 * a paragraph instead.
 */
static void figure_embed(doc *d, int dirfd, const plot_file *p, const char *plot_dir, const char *title) {
        static const struct {
                const char *mime;
                bool (*valid)(const char *data, size_t len);
        } kinds[] = {{"image/svg+xml", is_svg}, {"image/png", is_png}};
        const char *paths[] = {p->svg, p->png};
        bench_error *why[ELEMENTSOF(kinds)] = {NULL};
        size_t n = strlen(plot_dir);
        bool done = false;
        for (size_t k = 0; k < ELEMENTSOF(kinds) && !done; k++) {
                _cleanup_free_ char *data = NULL;
                size_t len = 0;
                if (!paths[k])
                        continue;
                if (dirfd < 0) {
                        bench_error_errno(&why[k], -dirfd, "cannot open %s", plot_dir);
                        continue;
                }
                if (strncmp(paths[k], plot_dir, n) || paths[k][n] != '/' || strchr(paths[k] + n + 1, '/')) {
                        bench_error_set(&why[k], EINVAL, "%s is not in %s", paths[k], plot_dir);
                        continue;
                }
                if (bench_read_regular_at(dirfd, paths[k] + n + 1, paths[k], DOC_FIGURE_MAX, &data, &len,
                                          &why[k]) < 0)
                        continue;
                if (!kinds[k].valid(data, len)) {
                        bench_error_set(&why[k], EINVAL, "%s is no %s", paths[k], kinds[k].mime);
                        continue;
                }
                _cleanup_free_ char *b64 = malloc(4 * ((len + 2) / 3) + 1);
                if (!b64) {
                        d->oom = true;
                        break;
                }
                bench_base64_encode(data, len, b64);
                fprintf(d->m, "<img src=\"data:%s;base64,%s\" alt=\"", kinds[k].mime, b64);
                doc_put(d, title);
                fputs("\">", d->m);
                done = true;
        }
        if (!done && !d->oom)
                doc_paraf(d, "Not embedded: %s%s%s.", why[0] && why[0]->msg ? why[0]->msg : "no SVG",
                          why[1] ? "; " : "", why[1] && why[1]->msg ? why[1]->msg : "");
        for (size_t k = 0; k < ELEMENTSOF(why); k++)
                bench_error_free(why[k]);
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
        _cleanup_close_ int dirfd = -1;
        if (d->fmt == PLOT_HTML) {
                doc_paraf(d,
                          "The figures are embedded in this page. Their files are in %s/ next to it: each as "
                          "SVG and PNG, and the gnuplot script and data that draw it, to restyle and rerun.",
                          rel_dir);
                dirfd = open(plot_dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                if (dirfd < 0)
                        dirfd = -errno;
        }
        for (size_t i = 0; i < plots->n; i++) {
                const plot_file *p = &plots->files[i];
                const char *title = p->title ? p->title : p->name;
                doc_heading(d, 3, title);
                if (d->fmt == PLOT_HTML) {
                        fputs("<figure>", d->m);
                        figure_embed(d, dirfd, p, plot_dir, title);
                        fputs("<figcaption>", d->m);
                        doc_put(d, title);
                        fputs(" (", d->m);
                        figure_links(d, p, plot_dir, rel_dir);
                        fputs(")</figcaption></figure>\n", d->m);
                } else {
                        if (p->png) {
                                char png[4096];
                                fputs("![", d->m);
                                doc_put(d, title);
                                fputs("](", d->m);
                                plot_put_url(d->m, plot_rel(p->png, plot_dir, rel_dir, png, sizeof(png)));
                                fputs(")\n\n", d->m);
                        }
                        figure_links(d, p, plot_dir, rel_dir);
                        fputc('\n', d->m);
                }
        }
}

/*
 * Click a column's heading to sort its table (again: the other way). A cell sorts by the number it
 * starts with ("+3.1% [..]", "×10,508", "1.80 s"), else as text after the numbers; "-" and empty
 * cells last either way; equal cells keep their order. Only tables marked class="sortable".
 */
const char doc_sort_script[] =
        "(function(){'use strict';\n"
        "function num(s){var "
        "m=/^[\\u00d7~\\u2248<>\\u2264\\u2265\\s]*([+\\-\\u2212]?)(\\d[\\d,]*(?:\\.\\d*)?|"
        "\\.\\d+)(?:e([+\\-]?\\d+))?/i.exec(s);\n"
        " if(!m)return null;var v=parseFloat(m[2].replace(/,/g,'')+(m[3]?'e'+m[3]:''));\n"
        " return m[1]&&m[1]!=='+'?-v:v;}\n"
        "function blank(s){return s===''||s==='-'||s==='\\u2212'||s==='?';}\n"
        "function cmp(a,b){var x=num(a),y=num(b);\n"
        " if(x!==null&&y!==null)return x-y;if(x!==null)return -1;if(y!==null)return 1;\n"
        " return a.localeCompare(b,undefined,{numeric:true});}\n"
        "function sort(th){var body=th.closest('table').tBodies[0];if(!body)return;\n"
        " var col=th.cellIndex,dir=th.getAttribute('aria-sort')==='ascending'?-1:1;\n"
        " Array.prototype.forEach.call(th.parentNode.cells,function(c){c.setAttribute('aria-sort','none');});"
        "\n"
        " th.setAttribute('aria-sort',dir>0?'ascending':'descending');\n"
        " var rows=Array.prototype.map.call(body.rows,function(r,i){var c=r.cells[col];\n"
        "  return {r:r,i:i,t:c?c.textContent.trim():''};});\n"
        " rows.sort(function(p,q){var bp=blank(p.t),bq=blank(q.t);\n"
        "  if(bp||bq)return bp===bq?p.i-q.i:(bp?1:-1);return cmp(p.t,q.t)*dir||p.i-q.i;});\n"
        " rows.forEach(function(x){body.appendChild(x.r);});}\n"
        "document.querySelectorAll('table.sortable th').forEach(function(th){\n"
        " th.setAttribute('aria-sort','none');th.tabIndex=0;\n"
        " th.addEventListener('click',function(){sort(th);});\n"
        " th.addEventListener('keydown',function(e){if(e.key==='Enter'||e.key===' "
        "'){e.preventDefault();sort(th);}});\n"
        "});})();\n";

void doc_csp(char *buf, size_t len) {
        bench_sha256 h;
        uint8_t digest[32];
        char b64[45];
        bench_sha256_init(&h);
        bench_sha256_update(&h, doc_sort_script, strlen(doc_sort_script));
        bench_sha256_final(&h, digest);
        bench_base64_encode(digest, sizeof(digest), b64);
        snprintf(buf, len,
                 "default-src 'none'; img-src data:; style-src 'unsafe-inline'; script-src 'sha256-%s'; "
                 "base-uri 'none'; form-action 'none'",
                 b64);
}

static const char html_head[] = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
static const char html_style[] =
        "<style>\n"
        "body{font-family:system-ui,sans-serif;max-width:72rem;margin:2rem auto;padding:0 1rem;color:#222}\n"
        "table{border-collapse:collapse;margin:1rem 0;font-size:0.9rem}\n"
        "th,td{border:1px solid #ccc;padding:0.25rem 0.5rem;text-align:left}\n"
        "th{background:#f2f2f2}tr.regressed td{background:#fde2e2}\n"
        "th[aria-sort]{cursor:pointer}th[aria-sort=ascending]::after{content:\" \\25B2\"}"
        "th[aria-sort=descending]::after{content:\" \\25BC\"}\n"
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
        bench_fmt_difference(r->diff, r->cur->unit, bounds ? (r->diff_high - r->diff_low) / 2 : NAN, flags,
                             change, change_len);
        if (isfinite(r->diff))
                bench_fmt_difference_bounds(r->diff_low, r->diff_high, r->cur->unit, flags, ci, ci_len);
        else
                snprintf(ci, ci_len, "-");
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
                /* nothing loads and only doc_sort_script runs, whatever text got into the page */
                char csp[512];
                doc_csp(csp, sizeof(csp));
                fputs(html_head, d->m);
                fprintf(d->m, "<meta http-equiv=\"Content-Security-Policy\" content=\"%s\">\n<title>", csp);
                doc_put(d, title);
                fputs("</title>\n", d->m);
                fputs(html_style, d->m);
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
                fprintf(d->m, "<script>%s</script>\n</body>\n</html>\n", doc_sort_script);
        bool bad = ferror(d->m) || d->oom;
        bad |= fclose(d->m) != 0;
        d->m = NULL;
        int r = bad ? bench_error_set(err, ENOMEM, "out of memory")
                    : bench_write_file_atomic(out_path, d->buf, d->len, err);
        doc_discard(d);
        return r;
}
