/* SPDX-License-Identifier: MIT */
/*
 * bench export: a result file as CSV/TSV data (a row per sample or per
 * series) or as the overhead table in LaTeX or Markdown. Written into a
 * memory stream; the caller writes it out.
 */
#include "export.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/cleanup.h"
#include "../common/util.h"
#include "../results/compare.h"
#include "doc.h"
#include "escape.h"
#include "numfmt.h"
#include "report.h"

const char *const plot_export_formats[4] = {"csv", "tsv", "latex", "markdown"};

int plot_export_format_of(const char *name) {
        for (size_t i = 0; i < ELEMENTSOF(plot_export_formats); i++)
                if (!strcmp(name, plot_export_formats[i]))
                        return (int)i;
        return -EINVAL;
}

/* A CSV or TSV row being written: a separator before every cell but the first. */
typedef struct row {
        FILE *m;
        bool tsv;
        bool started;
} row;

static void cell(row *r, const char *s) {
        if (r->started)
                fputc(r->tsv ? '\t' : ',', r->m);
        r->started = true;
        if (r->tsv)
                plot_put_tsv(r->m, s);
        else
                plot_put_csv(r->m, s);
}

/*
 * Exact and short: the fewest of 15, 16, 17 significant digits that read back bit for bit ("0.558683",
 * not "0.55868300000000004"; 17 always do). Not finite (no cv, no interval): an empty cell, NaN/NA.
 */
static void cell_num(row *r, double v) {
        char b[32] = "";
        for (int digits = 15; isfinite(v) && digits <= 17; digits++) {
                snprintf(b, sizeof(b), "%.*g", digits, v);
                if (strtod(b, NULL) == v)
                        break;
        }
        cell(r, b);
}

static void cell_uint(row *r, size_t v) {
        char b[32];
        snprintf(b, sizeof(b), "%zu", v);
        cell(r, b);
}

static void row_end(row *r) {
        fputc('\n', r->m);
        r->started = false;
}

static void header(row *r, const char *const *cols, size_t n) {
        for (size_t i = 0; i < n; i++)
                cell(r, cols[i]);
        row_end(r);
}

static const char *suite_name(const res_file *f) {
        const cJSON *n = f->suite ? cJSON_GetObjectItemCaseSensitive(f->suite, "name") : NULL;
        return cJSON_IsString(n) ? n->valuestring : "";
}

/* A series' params as compact JSON ("{}" for none); caller frees, NULL when out of memory. */
static char *params_json(const res_series *s) {
        return s->params ? cJSON_PrintUnformatted(s->params) : strdup("{}");
}

/* The columns that say which series a row belongs to (both tables start with them). */
#define KEY_COLUMNS "suite", "configuration", "kind", "accel", "workload", "params", "depth", "metric", "unit"
/* After the columns: density's k and n (0 = none; part of the series key), derived (0/1). */
#define KEY_EXTRA_COLUMNS "density_k", "density_n", "derived"

static void key_cells(row *r, const char *suite, const res_series *s, const char *params) {
        cell(r, suite);
        cell(r, s->configuration);
        cell(r, s->config_kind);
        cell(r, s->accel ? s->accel : "");
        cell(r, s->workload);
        cell(r, params);
        cell_uint(r, s->depth);
        cell(r, s->metric);
        cell(r, s->unit);
}

static void key_extra_cells(row *r, const res_series *s) {
        cell_uint(r, s->k);
        cell_uint(r, s->n);
        cell(r, res_series_is_derived(s) ? "1" : "0");
}

/* The rows of one series (params: its compact JSON); ctx is the table writer's. */
typedef void (*series_rows_fn)(row *r, const res_file *f, const res_series *s, const char *params, void *ctx);

/* A header, then each series' rows. */
static int write_table(FILE *m, const res_file *f, bool tsv, const char *const *cols, size_t n_cols,
                       series_rows_fn rows, void *ctx, bench_error **err) {
        row r = {.m = m, .tsv = tsv};
        header(&r, cols, n_cols);
        for (size_t i = 0; i < f->n_series; i++) {
                _cleanup_free_ char *params = params_json(&f->series[i]);
                if (!params)
                        return bench_error_set(err, ENOMEM, "out of memory");
                rows(&r, f, &f->series[i], params, ctx);
        }
        return 0;
}

/* Tidy data: a row per sample, repetition = the sample's 1-based index in its series. */
static void sample_rows(row *r, const res_file *f, const res_series *s, const char *params, void *ctx) {
        for (size_t j = 0; j < s->n_samples; j++) {
                key_cells(r, suite_name(f), s, params);
                cell_uint(r, j + 1);
                cell_num(r, s->samples[j]);
                key_extra_cells(r, s);
                row_end(r);
        }
}

static int write_samples(FILE *m, const res_file *f, bool tsv, bench_error **err) {
        static const char *const cols[] = {KEY_COLUMNS, "repetition", "value", KEY_EXTRA_COLUMNS};
        return write_table(m, f, tsv, cols, ELEMENTSOF(cols), sample_rows, NULL, err);
}

/*
 * Each non-bare configuration against bare (report_cmp_opts, as bench report), into *ret; none (ret
 * zeroed) when there is no bare configuration or nothing to compare, said in *ret_why. -ENOMEM only.
 */
static int overhead(const res_file *f, cmp_report *ret, char **ret_why, bench_error **err) {
        *ret = (cmp_report){0};
        const char *bare = res_bare_configuration(f);
        if (!bare) {
                *ret_why = strdup("the result has no bare configuration to measure the overhead against");
                return *ret_why ? 0 : bench_error_set(err, ENOMEM, "out of memory");
        }
        _cleanup_error_ bench_error *e = NULL;
        if (cmp_overhead(f, bare, &report_cmp_opts, ret, &e) < 0) {
                if (e && e->code == ENOMEM)
                        return bench_error_set(err, ENOMEM, "out of memory");
                *ret_why = strdup(e && e->msg ? e->msg : "no configuration to compare with bare");
                return *ret_why ? 0 : bench_error_set(err, ENOMEM, "out of memory");
        }
        return 0;
}

static const cmp_row *row_of(const cmp_report *rep, const res_series *s) {
        for (size_t i = 0; i < rep->n_rows; i++)
                if (rep->rows[i].cur == s)
                        return &rep->rows[i];
        return NULL;
}

/* A row per series: its statistics and, for a configuration compared with bare, the overhead. */
static void summary_row(row *r, const res_file *f, const res_series *s, const char *params, void *ctx) {
        const cmp_report *rep = ctx;
        const res_stats *st = s->has_stats ? &s->stats : NULL;
        const cmp_row *c = row_of(rep, s);
        bool ratio = c && c->by == CMP_BY_RATIO, diff = c && c->by == CMP_BY_DIFFERENCE;
        key_cells(r, suite_name(f), s, params);
        cell(r, s->better);
        cell_uint(r, s->n_samples);
        cell_num(r, st ? st->median : NAN);
        cell_num(r, st ? st->ci95_low : NAN);
        cell_num(r, st ? st->ci95_high : NAN);
        cell_num(r, st ? st->cv : NAN);
        if (st)
                cell_uint(r, st->n_outliers);
        else
                cell(r, "");
        cell_num(r, ratio ? c->ratio : NAN);
        cell_num(r, ratio ? c->ratio_low : NAN);
        cell_num(r, ratio ? c->ratio_high : NAN);
        cell(r, c ? cmp_verdict_word(c->verdict, true) : "");
        key_extra_cells(r, s);
        cell_num(r, st ? st->ci_level : NAN);
        cell(r, c ? rep->baseline : "");
        cell_num(r, c ? c->p_value : NAN);
        cell_num(r, diff ? c->diff : NAN);
        cell_num(r, diff ? c->diff_low : NAN);
        cell_num(r, diff ? c->diff_high : NAN);
        row_end(r);
}

static int write_summary(FILE *m, const res_file *f, bool tsv, bench_error **err) {
        static const char *const cols[] = {
                KEY_COLUMNS, "better",  "n",         "median",     "ci95_low",  "ci95_high",       "cv",
                "outliers",  "ratio",   "ratio_low", "ratio_high", "verdict",   KEY_EXTRA_COLUMNS, "ci_level",
                "baseline",  "p_value", "diff",      "diff_low",   "diff_high",
        };
        _cleanup_(cmp_report_clear) cmp_report rep = {0};
        _cleanup_free_ char *why = NULL;
        int ret = overhead(f, &rep, &why, err);
        return ret < 0 ? ret : write_table(m, f, tsv, cols, ELEMENTSOF(cols), summary_row, &rep, err);
}

/* Half the width of a series' 95% interval, the digits its median deserves; NaN without stats. */
static double half_width(const res_series *s) {
        return s->has_stats ? (s->stats.ci95_high - s->stats.ci95_low) / 2 : NAN;
}

#define OVERHEAD_COLUMNS 7

static void latex_cells(FILE *m, const char *const *cells, size_t n) {
        for (size_t i = 0; i < n; i++) {
                if (i)
                        fputs(" & ", m);
                plot_put_latex(m, cells[i]);
        }
        fputs(" \\\\\n", m);
}

/* The overhead table in LaTeX (booktabs) or Markdown (GFM); -EINVAL when there is none. */
static int write_overhead(FILE *m, const res_file *f, plot_export_format fmt, unsigned flags,
                          bench_error **err) {
        _cleanup_(cmp_report_clear) cmp_report rep = {0};
        _cleanup_free_ char *why = NULL, *base_col = NULL;
        int ret = overhead(f, &rep, &why, err);
        if (ret < 0)
                return ret;
        if (why)
                return bench_error_set(err, EINVAL, "no overhead table: %s (csv and tsv export every series)",
                                       why);
        if (asprintf(&base_col, "%s median", rep.baseline) < 0)
                return bench_error_set(err, ENOMEM, "out of memory");
        const char *const cols[OVERHEAD_COLUMNS] = {"Workload", "Configuration", "Metric",         "Unit",
                                                    base_col,   "Median",        "Change (95% CI)"};
        doc d = {.m = m, .fmt = PLOT_MARKDOWN};
        if (fmt == PLOT_EXPORT_LATEX) {
                if (flags & PLOT_EXPORT_STANDALONE)
                        fputs("\\documentclass{article}\n\\usepackage{booktabs}\n\\begin{document}\n", m);
                fputs("\\begin{tabular}{llllrrr}\n\\toprule\n", m);
                latex_cells(m, cols, OVERHEAD_COLUMNS);
                fputs("\\midrule\n", m);
        } else
                doc_table_start(&d, cols, OVERHEAD_COLUMNS);
        for (size_t i = 0; i < rep.n_rows; i++) {
                const cmp_row *c = &rep.rows[i];
                char label[256], base_med[64], med[64], change[256];
                doc_change(c, change, sizeof(change));
                _cleanup_free_ char *config = NULL;
                /* a VM's figures are labelled with their accel: tcg is emulated */
                if (asprintf(&config, c->cur->accel ? "%s (%s)" : "%s", c->cur->configuration,
                             c->cur->accel) < 0)
                        return bench_error_set(err, ENOMEM, "out of memory");
                const char *const cells[OVERHEAD_COLUMNS] = {
                        c->cur->workload,
                        config,
                        res_metric_label(c->cur, label, sizeof(label)),
                        c->cur->unit,
                        bench_fmt_quantity(c->base_median, c->cur->unit, half_width(c->base), 0, base_med,
                                           sizeof(base_med)),
                        bench_fmt_quantity(c->cur_median, c->cur->unit, half_width(c->cur), 0, med,
                                           sizeof(med)),
                        change,
                };
                if (fmt == PLOT_EXPORT_LATEX)
                        latex_cells(m, cells, OVERHEAD_COLUMNS);
                else
                        doc_row(&d, cells, OVERHEAD_COLUMNS);
        }
        if (fmt == PLOT_EXPORT_LATEX) {
                fputs("\\bottomrule\n\\end{tabular}\n", m);
                if (flags & PLOT_EXPORT_STANDALONE)
                        fputs("\\end{document}\n", m);
        } else
                doc_table_end(&d);
        return 0;
}

int plot_export(const res_file *f, plot_export_format fmt, unsigned flags, char **ret_text,
                bench_error **err) {
        bool data = fmt == PLOT_EXPORT_CSV || fmt == PLOT_EXPORT_TSV;
        if ((flags & PLOT_EXPORT_SUMMARY) && !data)
                return bench_error_set(err, EINVAL,
                                       "the summary is a csv or tsv table; %s is the overhead "
                                       "summary already",
                                       plot_export_formats[fmt]);
        if ((flags & PLOT_EXPORT_STANDALONE) && fmt != PLOT_EXPORT_LATEX)
                return bench_error_set(err, EINVAL, "a standalone document is latex only, not %s",
                                       plot_export_formats[fmt]);
        _cleanup_free_ char *text = NULL;
        size_t len = 0;
        FILE *m = open_memstream(&text, &len);
        if (!m)
                return bench_error_set(err, ENOMEM, "out of memory");
        int r;
        if (!data)
                r = write_overhead(m, f, fmt, flags, err);
        else if (flags & PLOT_EXPORT_SUMMARY)
                r = write_summary(m, f, fmt == PLOT_EXPORT_TSV, err);
        else
                r = write_samples(m, f, fmt == PLOT_EXPORT_TSV, err);
        if (fclose(m) != 0 && r == 0)
                r = bench_error_set(err, ENOMEM, "out of memory");
        if (r < 0)
                return r;
        *ret_text = steal_pointer(&text);
        return 0;
}
