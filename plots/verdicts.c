/* SPDX-License-Identifier: MIT */
/*
 * A comparison as text (a terminal), Markdown (a CI job summary), JUnit XML
 * (a CI's test view) or JSON (programs); the statistics and verdicts come
 * from results/compare.c. Names from the files are escaped for each.
 */
#include "verdicts.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/cleanup.h"
#include "../common/json.h"
#include "../common/util.h"
#include "doc.h"
#include "numfmt.h"

typedef struct cells {
        char metric[256], configuration[128], base[64], cur[64], change[96], ci[200], p[24], verdict[160];
} cells;

void plot_verdict_text(const cmp_row *row, const cmp_opts *o, bool overhead, char *buf, size_t len) {
        switch (row->verdict) {
        case CMP_EQUIVALENT:
                snprintf(buf, len, "equivalent within ±%g%%", o->equivalence_pct);
                return;
        case CMP_INCONCLUSIVE:
                if (row->n_more_capped)
                        snprintf(buf, len, "inconclusive: more than %d more samples", CMP_N_MORE_CAP);
                else if (row->n_more > 0)
                        snprintf(buf, len, "inconclusive: about %zu more sample%s", row->n_more,
                                 row->n_more == 1 ? "" : "s");
                else
                        snprintf(buf, len, "inconclusive");
                /* what this host's spread does allow: the margin the 90% interval fits in */
                if (isfinite(row->within_pct) && strlen(buf) + 1 < len)
                        snprintf(buf + strlen(buf), len - strlen(buf), "; equivalent within ±%.2g%%",
                                 row->within_pct);
                return;
        case CMP_BETTER_DIFFERS:
                snprintf(buf, len, "better differs: %s says %s is better, %s says %s",
                         overhead ? "baseline" : "base", row->base->better, overhead ? "this" : "new",
                         row->cur->better);
                return;
        case CMP_UNCHANGED:
        case CMP_IMPROVED:
        case CMP_REGRESSED:
        case CMP_NOISY:
        case CMP_TOO_FEW:
                break;
        }
        snprintf(buf, len, "%s", cmp_verdict_word(row->verdict, overhead));
}

static void fill_cells(const cmp_row *row, const cmp_opts *o, bool overhead, cells *c) {
        char label[256];
        snprintf(c->metric, sizeof(c->metric), "%s/%s", row->cur->workload,
                 res_metric_label(row->cur, label, sizeof(label)));
        snprintf(c->configuration, sizeof(c->configuration), "%s", row->cur->configuration);
        /* medians in their unit, scaled ("1.80 s"); the change as a percentage or a ratio (plots/numfmt.h) */
        bench_fmt_quantity(row->base_median, row->cur->unit, NAN, 0, c->base, sizeof(c->base));
        bench_fmt_quantity(row->cur_median, row->cur->unit, NAN, 0, c->cur, sizeof(c->cur));
        doc_change_parts(row, 0, c->change, sizeof(c->change), c->ci, sizeof(c->ci));
        if (!isfinite(row->p_value))
                snprintf(c->p, sizeof(c->p), "-");
        else if (row->p_value < 0.001)
                snprintf(c->p, sizeof(c->p), "<0.001");
        else
                snprintf(c->p, sizeof(c->p), "%.3f", row->p_value);
        plot_verdict_text(row, o, overhead, c->verdict, sizeof(c->verdict));
}

typedef struct headings {
        const char *title, *base, *cur, *change, *only_base, *only_cur;
} headings;

/* How each output frames its block: head, then per difference item ... item_end, then tail. */
static const struct {
        plot_markup markup;
        const char *head, *item, *item_end, *tail;
} env_styles[] = {
        [PLOT_ENV_TEXT] = {PLOT_TEXT, "WARNING: THE ENVIRONMENTS DIFFER; differences may come from them:\n",
                           "WARNING:   ", "\n", "\n"},
        [PLOT_ENV_STDERR] = {PLOT_TEXT, "", "bench compare: WARNING:   ", "\n", ""},
        [PLOT_ENV_MARKDOWN] =
                {PLOT_MARKDOWN,
                 "> [!WARNING]\n> **The environments differ**; differences may come from them:\n", "> - ",
                 "\n", "\n"},
        [PLOT_ENV_JUNIT] = {PLOT_HTML, "    <system-err>WARNING: the environments differ:", " ", ";",
                            "</system-err>\n"},
        [PLOT_ENV_HTML] = {PLOT_HTML,
                           "<p>Warning: the environments differ, so differences may not come from the change "
                           "under test:</p>\n<ul>\n",
                           "<li>", "</li>\n", "</ul>\n"},
};

void plot_env_diffs(FILE *f, const cmp_report *r, plot_env_style style) {
        if (r->n_env_diffs == 0)
                return;
        plot_markup m = env_styles[style].markup;
        /* a backtick in Markdown would open code, where escapes show as backslashes */
        const char *q = m == PLOT_MARKDOWN ? "" : "`";
        fputs(env_styles[style].head, f);
        for (size_t i = 0; i < r->n_env_diffs; i++) {
                fputs(env_styles[style].item, f);
                plot_put(f, m, r->env_diffs[i].field);
                fprintf(f, ": base %s", q);
                plot_put(f, m, r->env_diffs[i].base);
                fprintf(f, "%s, new %s", q, q);
                plot_put(f, m, r->env_diffs[i].cur);
                fprintf(f, "%s%s", q, env_styles[style].item_end);
        }
        fputs(env_styles[style].tail, f);
}

static void headings_of(const cmp_report *r, bool overhead, headings *h, char *base_buf, size_t len) {
        if (overhead) {
                snprintf(base_buf, len, "%s median", r->baseline ? r->baseline : "bare");
                *h = (headings){
                        .title = "overhead vs ",
                        .base = base_buf,
                        .cur = "median",
                        .change = "overhead",
                        .only_base = NULL,
                        .only_cur = "no baseline counterpart",
                };
        } else {
                *h = (headings){
                        .title = "bench compare",
                        .base = "base median",
                        .cur = "new median",
                        .change = "change",
                        .only_base = "only in base",
                        .only_cur = "only in new",
                };
        }
}

/* "14 rows: 0 regressed, 1 improved, ..." (overhead: "0 worse, 1 better, ..."); the classes a margin adds
 * when on */
static void summary_line(FILE *m, const cmp_report *r, bool overhead) {
        fprintf(m, "%zu row%s: %zu %s, %zu %s, %zu %s, %zu too noisy, %zu too few samples", r->n_rows,
                r->n_rows == 1 ? "" : "s", r->n_regressed, cmp_verdict_word(CMP_REGRESSED, overhead),
                r->n_improved, cmp_verdict_word(CMP_IMPROVED, overhead), r->n_unchanged,
                cmp_verdict_word(CMP_UNCHANGED, overhead), r->n_noisy, r->n_too_few);
        if (r->opts.equivalence_pct > 0)
                fprintf(m, ", %zu equivalent, %zu inconclusive", r->n_equivalent, r->n_inconclusive);
        if (r->n_better_differs > 0)
                fprintf(m, ", %zu better differs", r->n_better_differs);
}

/*
 * How the p-values were computed, one line under the table: "p: 12 exact,
 * 3 exact with ties, 1 normal approximation" (the kinds there are).
 */
static void p_methods_line(FILE *m, const cmp_report *r, const char *before) {
        static const struct {
                cmp_p_method method;
                const char *what;
        } kinds[] = {
                {CMP_P_EXACT, "exact"},
                {CMP_P_EXACT_TIES, "exact with ties (permutation distribution of mid-ranks)"},
                {CMP_P_NORMAL, "normal approximation"},
        };
        bool any = false;
        for (size_t k = 0; k < ELEMENTSOF(kinds); k++) {
                size_t n = 0;
                for (size_t i = 0; i < r->n_rows; i++)
                        n += r->rows[i].p_method == kinds[k].method;
                if (n == 0)
                        continue;
                fprintf(m, "%s%zu %s", any ? ", " : before, n, kinds[k].what);
                any = true;
        }
        if (any)
                fputc('\n', m);
}

/* The rule of the verdicts: "threshold 5%" or "equivalence margin ±2%" */
static void rule_text(const cmp_report *r, char *buf, size_t len) {
        if (r->opts.equivalence_pct > 0)
                snprintf(buf, len, "equivalence margin ±%g%%", r->opts.equivalence_pct);
        else
                snprintf(buf, len, "threshold %g%%", r->opts.threshold_pct);
}

/* The baseline is a configuration's name from the file: escaped like every name. */
static void title_line(FILE *m, plot_markup mk, const cmp_report *r, bool overhead, const headings *h) {
        fputs(h->title, m);
        if (overhead)
                plot_put(m, mk, r->baseline ? r->baseline : "bare");
        char rule[64];
        rule_text(r, rule, sizeof(rule));
        fprintf(m, " (%s, alpha %g, %u bootstrap resamples)", rule, r->opts.alpha, r->opts.bootstrap);
}

/* Text cells: names from the files with their control characters made visible (a terminal shows them). */
static void fill_text_cells(const cmp_row *row, const cmp_opts *o, bool overhead, cells *c) {
        fill_cells(row, o, overhead, c);
        _cleanup_free_ char *metric = bench_escape_text(c->metric, 0),
                            *cfg = bench_escape_text(c->configuration, 0),
                            /* the unit of a median or a difference comes from the file */
                                    *change = bench_escape_text(c->change, 0),
                            *base = bench_escape_text(c->base, 0), *cur = bench_escape_text(c->cur, 0),
                            *ci = bench_escape_text(c->ci, 0);
        snprintf(c->metric, sizeof(c->metric), "%s", metric ? metric : "?");
        snprintf(c->configuration, sizeof(c->configuration), "%s", cfg ? cfg : "?");
        snprintf(c->change, sizeof(c->change), "%s", change ? change : "?");
        snprintf(c->base, sizeof(c->base), "%s", base ? base : "?");
        snprintf(c->cur, sizeof(c->cur), "%s", cur ? cur : "?");
        snprintf(c->ci, sizeof(c->ci), "%s", ci ? ci : "?");
}

/* The columns a text takes on a terminal: its UTF-8 characters ("×", "µ" are one each). */
static size_t text_width(const char *s) {
        size_t n = 0;
        for (; *s; s++)
                n += ((unsigned char)*s & 0xc0) != 0x80;
        return n;
}

/* s in a column of width w, right-aligned or left-aligned (padded), after a separator unless first. */
static void put_cell(FILE *m, const char *s, size_t w, bool right, bool first) {
        size_t pad = w > text_width(s) ? w - text_width(s) : 0;
        fputs(first ? "" : "  ", m);
        fprintf(m, "%*s%s%*s", right ? (int)pad : 0, "", s, right ? 0 : (int)pad, "");
}

/* The series on one side only, a line each: before, what, ": ", the key. */
static void put_keys(FILE *m, plot_markup mk, const char *before, const char *what, char *const *keys,
                     size_t n) {
        for (size_t i = 0; what && i < n; i++) {
                fprintf(m, "%s%s: ", before, what);
                plot_put(m, mk, keys[i]);
                fputc('\n', m);
        }
}

static void format_text(FILE *m, const cmp_report *r, bool overhead) {
        headings h;
        char base_buf[160];
        headings_of(r, overhead, &h, base_buf, sizeof(base_buf));
        plot_env_diffs(m, r, PLOT_ENV_TEXT);
        title_line(m, PLOT_TEXT, r, overhead, &h);
        fputs("\n\n", m);

        _cleanup_free_ char *base_head = bench_escape_text(h.base, 0);
        const char *head[8] = {"metric", "configuration", base_head ? base_head : "?",
                               h.cur,    h.change,        "95% CI",
                               "p",      "verdict"};
        size_t w[8];
        for (size_t k = 0; k < 8; k++)
                w[k] = text_width(head[k]);
        for (size_t i = 0; i < r->n_rows; i++) {
                cells c;
                fill_text_cells(&r->rows[i], &r->opts, overhead, &c);
                const char *v[8] = {c.metric, c.configuration, c.base, c.cur, c.change, c.ci, c.p, c.verdict};
                for (size_t k = 0; k < 8; k++)
                        if (text_width(v[k]) > w[k])
                                w[k] = text_width(v[k]);
        }
        /* text columns left, numbers right */
        static const bool right[8] = {false, false, true, true, true, false, true, false};
        for (size_t k = 0; k < 7; k++)
                put_cell(m, head[k], w[k], right[k], k == 0);
        fprintf(m, "  %s\n", head[7]);
        for (size_t i = 0; i < r->n_rows; i++) {
                cells c;
                fill_text_cells(&r->rows[i], &r->opts, overhead, &c);
                const char *v[8] = {c.metric, c.configuration, c.base, c.cur, c.change, c.ci, c.p, c.verdict};
                for (size_t k = 0; k < 7; k++)
                        put_cell(m, v[k], w[k], right[k], k == 0);
                /* no trailing padding after the last column */
                fprintf(m, "  %s\n", v[7]);
        }
        p_methods_line(m, r, "p: ");
        fputc('\n', m);
        put_keys(m, PLOT_TEXT, "", h.only_base, r->only_in_base, r->n_only_base);
        put_keys(m, PLOT_TEXT, "", h.only_cur, r->only_in_cur, r->n_only_cur);
        summary_line(m, r, overhead);
        if (!overhead)
                fprintf(m, "; %zu only in base, %zu only in new", r->n_only_base, r->n_only_cur);
        fputc('\n', m);
}

static void format_markdown(FILE *m, const cmp_report *r, bool overhead) {
        headings h;
        char base_buf[160];
        headings_of(r, overhead, &h, base_buf, sizeof(base_buf));
        fputs("### ", m);
        title_line(m, PLOT_MARKDOWN, r, overhead, &h);
        fputs("\n\n", m);
        plot_env_diffs(m, r, PLOT_ENV_MARKDOWN);
        fputs("| metric | configuration | ", m);
        plot_put_md(m, h.base);
        fprintf(m, " | %s | %s | 95%% CI | p | verdict |\n", h.cur, h.change);
        fputs("|---|---|---:|---:|---:|---|---:|---|\n", m);
        for (size_t i = 0; i < r->n_rows; i++) {
                cells c;
                fill_cells(&r->rows[i], &r->opts, overhead, &c);
                fputs("| ", m);
                plot_put_md(m, c.metric);
                fputs(" | ", m);
                plot_put_md(m, c.configuration);
                /* medians and a difference row's change carry the unit from the file */
                const char *md[] = {c.base, c.cur, c.change, c.ci};
                for (size_t k = 0; k < ELEMENTSOF(md); k++) {
                        fputs(" | ", m);
                        plot_put_md(m, md[k]);
                }
                fprintf(m, " | %s | ", c.p);
                cmp_verdict v = r->rows[i].verdict;
                bool loud = v == CMP_REGRESSED || v == CMP_IMPROVED || v == CMP_BETTER_DIFFERS;
                fprintf(m, "%s%s%s |\n", loud ? "**" : "", c.verdict, loud ? "**" : "");
        }
        fputc('\n', m);
        p_methods_line(m, r, "p-values: ");
        if (r->n_rows)
                fputc('\n', m);
        put_keys(m, PLOT_MARKDOWN, "- ", h.only_base, r->only_in_base, r->n_only_base);
        put_keys(m, PLOT_MARKDOWN, "- ", h.only_cur, r->only_in_cur, r->n_only_cur);
        if (r->n_only_cur || (h.only_base && r->n_only_base))
                fputc('\n', m);
        summary_line(m, r, overhead);
        fputc('\n', m);
}

/* One <testsuite> of r named "bench compare" (host: "bench compare: HOST"). */
static void junit_suite(FILE *m, const cmp_report *r, bool overhead, const char *host) {
        headings h;
        char base_buf[160];
        headings_of(r, overhead, &h, base_buf, sizeof(base_buf));
        fputs("  <testsuite name=\"bench compare", m);
        if (host) {
                fputs(": ", m);
                bench_put_xml(m, host);
        }
        fprintf(m, "\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" skipped=\"%zu\">\n", r->n_rows,
                r->n_regressed, r->n_better_differs, r->n_too_few);
        fprintf(m, "    <properties>\n");
        fprintf(m, "      <property name=\"mode\" value=\"%s\"/>\n", overhead ? "overhead" : "compare");
        if (overhead) {
                fputs("      <property name=\"baseline\" value=\"", m);
                bench_put_xml(m, r->baseline ? r->baseline : "bare");
                fputs("\"/>\n", m);
        }
        fprintf(m, "      <property name=\"threshold_pct\" value=\"%g\"/>\n", r->opts.threshold_pct);
        fprintf(m, "      <property name=\"alpha\" value=\"%g\"/>\n", r->opts.alpha);
        if (r->opts.equivalence_pct > 0)
                fprintf(m, "      <property name=\"equivalence_pct\" value=\"%g\"/>\n",
                        r->opts.equivalence_pct);
        for (size_t i = 0; i < r->n_env_diffs; i++) {
                fputs("      <property name=\"env_differs.", m);
                bench_put_xml(m, r->env_diffs[i].field);
                fputs("\" value=\"base: ", m);
                bench_put_xml(m, r->env_diffs[i].base);
                fputs("; new: ", m);
                bench_put_xml(m, r->env_diffs[i].cur);
                fputs("\"/>\n", m);
        }
        fprintf(m, "    </properties>\n");
        for (size_t i = 0; i < r->n_rows; i++) {
                const cmp_row *row = &r->rows[i];
                cells c;
                fill_cells(row, &r->opts, overhead, &c);
                _cleanup_free_ char *detail = NULL;
                char rule[64];
                rule_text(r, rule, sizeof(rule));
                const char *pm = cmp_p_method_name(row->p_method);
                if (asprintf(&detail, "%s %s, %s %s, %s %s, 95%% CI of %s %s, p %s%s%s%s: %s (%s)", h.base,
                             c.base, h.cur, c.cur, h.change, c.change, cmp_by_name(row->by), c.ci, c.p,
                             pm ? " (" : "", pm ? pm : "", pm ? ")" : "", c.verdict, rule) < 0)
                        detail = NULL;
                fputs("    <testcase classname=\"bench compare\" name=\"", m);
                bench_put_xml(m, row->cur->workload);
                fputc('/', m);
                bench_put_xml(m, row->cur->configuration);
                fputc('/', m);
                char label[256];
                bench_put_xml(m, res_metric_label(row->cur, label, sizeof(label)));
                fputs("\">\n", m);
                if (row->verdict == CMP_REGRESSED) {
                        fputs("      <failure message=\"", m);
                        bench_put_xml(m, detail ? detail : c.verdict);
                        fputs("\"/>\n", m);
                } else if (row->verdict == CMP_BETTER_DIFFERS) {
                        fputs("      <error message=\"", m);
                        bench_put_xml(m, c.verdict);
                        fputs("\"/>\n", m);
                } else if (row->verdict == CMP_TOO_FEW) {
                        fputs("      <skipped message=\"too few samples\"/>\n", m);
                }
                fputs("      <system-out>", m);
                bench_put_xml(m, detail ? detail : c.verdict);
                fputs("</system-out>\n    </testcase>\n", m);
        }
        plot_env_diffs(m, r, PLOT_ENV_JUNIT);
        fputs("  </testsuite>\n", m);
}

static void format_junit(FILE *m, const cmp_report *r, bool overhead) {
        fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n", m);
        junit_suite(m, r, overhead, NULL);
        fputs("</testsuites>\n", m);
}

static cJSON *num_or_null(double v) {
        return isfinite(v) ? cJSON_CreateNumber(v) : cJSON_CreateNull();
}

/* Attaches v (NULL when out of memory) to an object, or to an array when key is NULL. */
static bool put(cJSON *o, const char *key, cJSON *v) {
        if (!o || !v) {
                cJSON_Delete(v);
                return false;
        }
        if (key)
                cJSON_AddItemToObject(o, key, v);
        else
                cJSON_AddItemToArray(o, v);
        return true;
}

static cJSON *string_list(char *const *list, size_t n) {
        cJSON *a = cJSON_CreateArray();
        for (size_t i = 0; a && i < n; i++)
                if (!put(a, NULL, cJSON_CreateString(list[i]))) {
                        cJSON_Delete(a);
                        return NULL;
                }
        return a;
}

/* [low, high], nulls where not computed */
static cJSON *pair(double low, double high) {
        cJSON *a = cJSON_CreateArray();
        if (!put(a, NULL, num_or_null(low)) || !put(a, NULL, num_or_null(high))) {
                cJSON_Delete(a);
                return NULL;
        }
        return a;
}

static cJSON *row_json(const cmp_row *row) {
        _cleanup_json_ cJSON *o = cJSON_CreateObject();
        const char *pm = cmp_p_method_name(row->p_method);
        if (!put(o, "workload", cJSON_CreateString(row->cur->workload)) ||
            !put(o, "configuration", cJSON_CreateString(row->cur->configuration)) ||
            !put(o, "metric", cJSON_CreateString(row->cur->metric)) ||
            (row->cur->k && !put(o, "k", cJSON_CreateNumber(row->cur->k))) ||
            (row->cur->n && !put(o, "n", cJSON_CreateNumber(row->cur->n))) ||
            !put(o, "unit", cJSON_CreateString(row->cur->unit)) ||
            !put(o, "better", cJSON_CreateString(row->cur->better)) ||
            (strcmp(row->base->better, row->cur->better) &&
             !put(o, "base_better", cJSON_CreateString(row->base->better))) ||
            !put(o, "base_configuration", cJSON_CreateString(row->base->configuration)) ||
            !put(o, "base_n", cJSON_CreateNumber((double)row->base->n_samples)) ||
            !put(o, "new_n", cJSON_CreateNumber((double)row->cur->n_samples)) ||
            !put(o, "base_median", num_or_null(row->base_median)) ||
            !put(o, "new_median", num_or_null(row->cur_median)) ||
            !put(o, "by", cJSON_CreateString(cmp_by_name(row->by))) ||
            !put(o, "ratio", num_or_null(row->ratio)) ||
            !put(o, "ratio_ci95", pair(row->ratio_low, row->ratio_high)) ||
            !put(o, "ratio_ci90", pair(row->ratio90_low, row->ratio90_high)) ||
            !put(o, "change_pct", num_or_null(row->change_pct)) || !put(o, "diff", num_or_null(row->diff)) ||
            !put(o, "diff_ci95", pair(row->diff_low, row->diff_high)) ||
            !put(o, "diff_ci90", pair(row->diff90_low, row->diff90_high)) ||
            !put(o, "p_value", num_or_null(row->p_value)) ||
            !put(o, "p_method", pm ? cJSON_CreateString(pm) : cJSON_CreateNull()) ||
            !put(o, "verdict", cJSON_CreateString(cmp_verdict_name(row->verdict))) ||
            !put(o, "n_more", cJSON_CreateNumber((double)row->n_more)) ||
            !put(o, "n_more_capped", cJSON_CreateBool(row->n_more_capped)) ||
            !put(o, "within_pct", num_or_null(row->within_pct)) ||
            (row->cur->accel && !put(o, "accel", cJSON_CreateString(row->cur->accel))))
                return NULL;
        return steal_pointer(&o);
}

static cJSON *report_json(const cmp_report *r, bool overhead) {
        _cleanup_json_ cJSON *root = cJSON_CreateObject();
        cJSON *opts, *env, *rows, *counts;
        if (!put(root, "mode", cJSON_CreateString(overhead ? "overhead" : "compare")) ||
            (overhead && !put(root, "baseline", cJSON_CreateString(r->baseline ? r->baseline : "bare"))) ||
            !(opts = cJSON_AddObjectToObject(root, "options")) ||
            !(env = cJSON_AddArrayToObject(root, "env_differences")) ||
            !(rows = cJSON_AddArrayToObject(root, "rows")))
                return NULL;
        if (!put(opts, "threshold_pct", cJSON_CreateNumber(r->opts.threshold_pct)) ||
            !put(opts, "alpha", cJSON_CreateNumber(r->opts.alpha)) ||
            !put(opts, "equivalence_pct", cJSON_CreateNumber(r->opts.equivalence_pct)) ||
            !put(opts, "bootstrap", cJSON_CreateNumber(r->opts.bootstrap)) ||
            !put(opts, "seed", cJSON_CreateNumber((double)r->opts.seed)))
                return NULL;
        for (size_t i = 0; i < r->n_env_diffs; i++) {
                cJSON *d = cJSON_CreateObject();
                if (!put(env, NULL, d) || !put(d, "field", cJSON_CreateString(r->env_diffs[i].field)) ||
                    !put(d, "base", cJSON_CreateString(r->env_diffs[i].base)) ||
                    !put(d, "new", cJSON_CreateString(r->env_diffs[i].cur)))
                        return NULL;
        }
        for (size_t i = 0; i < r->n_rows; i++)
                if (!put(rows, NULL, row_json(&r->rows[i])))
                        return NULL;
        if (overhead) {
                if (!put(root, "no_baseline_counterpart", string_list(r->only_in_cur, r->n_only_cur)))
                        return NULL;
        } else if (!put(root, "only_in_base", string_list(r->only_in_base, r->n_only_base)) ||
                   !put(root, "only_in_new", string_list(r->only_in_cur, r->n_only_cur)))
                return NULL;
        if (!(counts = cJSON_AddObjectToObject(root, "counts")) ||
            !put(counts, "rows", cJSON_CreateNumber((double)r->n_rows)) ||
            !put(counts, "regressed", cJSON_CreateNumber((double)r->n_regressed)) ||
            !put(counts, "improved", cJSON_CreateNumber((double)r->n_improved)) ||
            !put(counts, "unchanged", cJSON_CreateNumber((double)r->n_unchanged)) ||
            !put(counts, "too_noisy", cJSON_CreateNumber((double)r->n_noisy)) ||
            !put(counts, "too_few_samples", cJSON_CreateNumber((double)r->n_too_few)) ||
            !put(counts, "equivalent", cJSON_CreateNumber((double)r->n_equivalent)) ||
            !put(counts, "inconclusive", cJSON_CreateNumber((double)r->n_inconclusive)) ||
            !put(counts, "better_differs", cJSON_CreateNumber((double)r->n_better_differs)))
                return NULL;
        return steal_pointer(&root);
}

/* A JSON document as text with a final newline (consumes root); NULL out of memory. */
static char *json_text(cJSON *consumed) {
        _cleanup_json_ cJSON *root = consumed;
        if (!root)
                return NULL;
        char *text = cJSON_Print(root);
        if (!text)
                return NULL;
        char *out = NULL;
        if (asprintf(&out, "%s\n", text) < 0)
                out = NULL;
        cJSON_free(text);
        return out;
}

static char *format_json(const cmp_report *r, bool overhead) {
        return json_text(report_json(r, overhead));
}

const char *const plot_verdict_formats[4] = {"text", "markdown", "junit", "json"};

static int format_index(const char *format, size_t *ret, bench_error **err) {
        for (size_t i = 0; i < ELEMENTSOF(plot_verdict_formats); i++)
                if (!strcmp(format ? format : "text", plot_verdict_formats[i])) {
                        *ret = i;
                        return 0;
                }
        return bench_error_set(err, EINVAL, "unknown format `%s` (text, markdown, junit or json)", format);
}

int plot_verdicts(const cmp_report *r, const char *format, bool overhead, char **ret_text,
                  bench_error **err) {
        if (!r || !ret_text)
                return bench_error_set(err, EINVAL, "nothing to format");
        size_t which = 0;
        int fr = format_index(format, &which, err);
        if (fr < 0)
                return fr;
        if (which == 3) {
                char *text = format_json(r, overhead);
                if (!text)
                        return bench_error_set(err, ENOMEM, "out of memory");
                *ret_text = text;
                return 0;
        }
        char *text = NULL;
        size_t len = 0;
        FILE *m = open_memstream(&text, &len);
        if (!m)
                return bench_error_set(err, ENOMEM, "out of memory");
        if (which == 0)
                format_text(m, r, overhead);
        else if (which == 1)
                format_markdown(m, r, overhead);
        else
                format_junit(m, r, overhead);
        if (ferror(m) | fclose(m)) {
                free(text);
                return bench_error_set(err, ENOMEM, "out of memory");
        }
        *ret_text = text;
        return 0;
}

/* "host KEY (BASE.json vs NEW.json)" as text for markup mk. */
static void pair_title(FILE *m, plot_markup mk, const fleet_pair *p) {
        fputs("host ", m);
        plot_put(m, mk, p->base->key);
        fputs(" (", m);
        plot_put(m, mk, p->base->file);
        fputs(" vs ", m);
        plot_put(m, mk, p->cur->file);
        fputc(')', m);
}

static void host_list(FILE *m, plot_markup mk, const char *what, const fleet_host *const *hosts, size_t n) {
        if (n == 0)
                return;
        fprintf(m, "%s%s: ", mk == PLOT_MARKDOWN ? "- " : "", what);
        for (size_t i = 0; i < n; i++) {
                fputs(i ? ", " : "", m);
                plot_put(m, mk, hosts[i]->key);
        }
        fputc('\n', m);
}

static void fleet_summary_line(FILE *m, const fleet_comparison *c) {
        fprintf(m,
                "%zu host%s compared, %zu with a regression, %zu with another fingerprint; %zu only in base, "
                "%zu only in new\n",
                c->n_pairs, c->n_pairs == 1 ? "" : "s", c->n_regressed_hosts, c->n_env_differs,
                c->n_only_base, c->n_only_cur);
}

static cJSON *host_names(const fleet_host *const *hosts, size_t n) {
        cJSON *a = cJSON_CreateArray();
        for (size_t i = 0; a && i < n; i++)
                if (!put(a, NULL, cJSON_CreateString(hosts[i]->key))) {
                        cJSON_Delete(a);
                        return NULL;
                }
        return a;
}

static cJSON *fleet_json(const fleet_comparison *c) {
        _cleanup_json_ cJSON *root = cJSON_CreateObject();
        cJSON *hosts, *counts;
        if (!put(root, "mode", cJSON_CreateString("fleet-compare")) ||
            !(hosts = cJSON_AddArrayToObject(root, "hosts")))
                return NULL;
        for (size_t i = 0; i < c->n_pairs; i++) {
                const fleet_pair *p = &c->pairs[i];
                cJSON *h = cJSON_CreateObject();
                if (!put(hosts, NULL, h) || !put(h, "host", cJSON_CreateString(p->base->key)) ||
                    !put(h, "base_file", cJSON_CreateString(p->base->file)) ||
                    !put(h, "new_file", cJSON_CreateString(p->cur->file)) ||
                    !put(h, "fingerprint_differs",
                         p->fp_differs ? cJSON_CreateString(p->fp_differs) : cJSON_CreateNull()) ||
                    !put(h, "regressed", cJSON_CreateBool(p->cmp.n_regressed > 0)) ||
                    !put(h, "compare", report_json(&p->cmp, false)))
                        return NULL;
        }
        if (!put(root, "only_in_base", host_names(c->only_base, c->n_only_base)) ||
            !put(root, "only_in_new", host_names(c->only_cur, c->n_only_cur)) ||
            !(counts = cJSON_AddObjectToObject(root, "counts")) ||
            !put(counts, "hosts", cJSON_CreateNumber((double)c->n_pairs)) ||
            !put(counts, "regressed_hosts", cJSON_CreateNumber((double)c->n_regressed_hosts)) ||
            !put(counts, "fingerprint_differs", cJSON_CreateNumber((double)c->n_env_differs)))
                return NULL;
        return steal_pointer(&root);
}

int plot_fleet_verdicts(const fleet_comparison *c, const char *format, char **ret_text, bench_error **err) {
        size_t which = 0;
        int r = format_index(format, &which, err);
        if (r < 0)
                return r;
        if (which == 3) {
                char *text = json_text(fleet_json(c));
                if (!text)
                        return bench_error_set(err, ENOMEM, "out of memory");
                *ret_text = text;
                return 0;
        }
        char *text = NULL;
        size_t len = 0;
        FILE *m = open_memstream(&text, &len);
        if (!m)
                return bench_error_set(err, ENOMEM, "out of memory");
        if (which == 2)
                fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n", m);
        for (size_t i = 0; i < c->n_pairs; i++) {
                const fleet_pair *p = &c->pairs[i];
                if (which == 0) {
                        fputs(i ? "\n== " : "== ", m);
                        pair_title(m, PLOT_TEXT, p);
                        fputs(" ==\n", m);
                        if (p->fp_differs) {
                                fputs("FINGERPRINT DIFFERS: ", m);
                                bench_put_text(m, p->fp_differs, 0);
                                fputc('\n', m);
                        }
                        format_text(m, &p->cmp, false);
                } else if (which == 1) {
                        fputs("### ", m);
                        pair_title(m, PLOT_MARKDOWN, p);
                        fputs("\n\n", m);
                        if (p->fp_differs) {
                                fputs("> [!WARNING]\n> Fingerprint differs: ", m);
                                plot_put_md(m, p->fp_differs);
                                fputs("\n\n", m);
                        }
                        format_markdown(m, &p->cmp, false);
                } else
                        junit_suite(m, &p->cmp, false, p->base->key);
        }
        if (which == 2)
                fputs("</testsuites>\n", m);
        else {
                fputs(which == 1 ? "### Fleet\n\n" : "\n== fleet ==\n", m);
                host_list(m, which == 1 ? PLOT_MARKDOWN : PLOT_TEXT, "only in base", c->only_base,
                          c->n_only_base);
                host_list(m, which == 1 ? PLOT_MARKDOWN : PLOT_TEXT, "only in new", c->only_cur,
                          c->n_only_cur);
                if (which == 1 && (c->n_only_base || c->n_only_cur))
                        fputc('\n', m);
                fleet_summary_line(m, c);
        }
        if (ferror(m) | fclose(m)) {
                free(text);
                return bench_error_set(err, ENOMEM, "out of memory");
        }
        *ret_text = text;
        return 0;
}
