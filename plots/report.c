/* SPDX-License-Identifier: MIT */
/*
 * bench report: one Markdown or HTML document from a result file. Built in
 * a memory stream, written atomically; every value from the file is escaped
 * (reasons and notes carry arbitrary text, e.g. a tool's stderr).
 */
#include "report.h"

#include <errno.h>
#include <libgen.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/cleanup.h"
#include "../common/util.h"
#include "../results/adaptive.h"
#include "doc.h"
#include "headline.h"
#include "numfmt.h"
#include "escape.h"
#include "plot.h"
#include "verdicts.h"

/* A JSON scalar (or an array of scalars) as text; caller frees. */
static char *json_text(const cJSON *j) {
        char *s = NULL;
        if (cJSON_IsString(j))
                return strdup(j->valuestring);
        if (cJSON_IsBool(j))
                return strdup(cJSON_IsTrue(j) ? "true" : "false");
        if (cJSON_IsNull(j))
                return strdup("-");
        if (cJSON_IsNumber(j)) {
                double v = j->valuedouble;
                if (v == floor(v) && fabs(v) < 1e15)
                        return asprintf(&s, "%.0f", v) < 0 ? NULL : s;
                return asprintf(&s, "%g", v) < 0 ? NULL : s;
        }
        if (cJSON_IsArray(j)) {
                char *acc = strdup("");
                for (const cJSON *c = j->child; acc && c; c = c->next) {
                        _cleanup_free_ char *t = json_text(c);
                        char *n = NULL;
                        if (!t || asprintf(&n, "%s%s%s", acc, *acc ? ", " : "", t) < 0)
                                n = NULL;
                        free(acc);
                        acc = n;
                }
                return acc;
        }
        return cJSON_PrintUnformatted(j);
}

/* Host fields, nested objects flattened to "libraries.cjson". */
static void host_rows(doc *d, const cJSON *o, const char *prefix) {
        for (const cJSON *c = o ? o->child : NULL; c; c = c->next) {
                _cleanup_free_ char *key = NULL;
                if (asprintf(&key, "%s%s%s", prefix, *prefix ? "." : "", c->string ? c->string : "?") < 0)
                        continue;
                if (cJSON_IsObject(c)) {
                        host_rows(d, c, key);
                        continue;
                }
                _cleanup_free_ char *v = json_text(c);
                const char *cells[] = {key, v ? v : "?"};
                doc_row(d, cells, 2);
        }
}

/* What else ran on the host during the run (the file's activity): the warnings, then the figures. */
static void section_activity(doc *d, const res_file *f) {
        const cJSON *a = f->activity, *e;
        if (!cJSON_IsObject(a))
                return; /* a file of an older bench */
        doc_heading(d, 2, "Host activity");
        const cJSON *w = cJSON_GetObjectItemCaseSensitive(a, "warnings");
        if (cJSON_GetArraySize(w) == 0)
                doc_para(d, "The host was quiet: load, steal and other processes' CPU time below the "
                            "thresholds.");
        else {
                fputs(d->fmt == PLOT_HTML ? "<ul>\n" : "", d->m);
                cJSON_ArrayForEach(e, w) {
                        fputs(d->fmt == PLOT_HTML ? "<li>" : "- ", d->m);
                        doc_put(d, cJSON_IsString(e) ? e->valuestring : "?");
                        fputs(d->fmt == PLOT_HTML ? "</li>\n" : "\n", d->m);
                }
                fputs(d->fmt == PLOT_HTML ? "</ul>\n" : "\n", d->m);
        }
        static const char *const cols[] = {"Field", "Value"};
        static const char *const keys[] = {"load_before",   "load_after", "steal_pct",
                                           "other_cpu_pct", "samples",    "seconds"};
        doc_table_start(d, cols, 2);
        for (size_t i = 0; i < ELEMENTSOF(keys); i++) {
                _cleanup_free_ char *v = json_text(cJSON_GetObjectItemCaseSensitive(a, keys[i]));
                const char *cells[] = {keys[i], v ? v : "-"};
                doc_row(d, cells, 2);
        }
        cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(a, "busy")) {
                _cleanup_free_ char *pid = json_text(cJSON_GetObjectItemCaseSensitive(e, "pid")),
                                    *comm = json_text(cJSON_GetObjectItemCaseSensitive(e, "comm")),
                                    *cpu = json_text(cJSON_GetObjectItemCaseSensitive(e, "cpu_s")),
                                    *pct = json_text(cJSON_GetObjectItemCaseSensitive(e, "cpu_pct")),
                                    *k = NULL, *v = NULL;
                if (asprintf(&k, "busy: %s (pid %s)", comm ? comm : "?", pid ? pid : "?") < 0)
                        k = NULL;
                if (asprintf(&v, "%s s, %s%% of a CPU", cpu ? cpu : "?", pct ? pct : "?") < 0)
                        v = NULL;
                if (!k || !v) {
                        d->oom = true;
                        return;
                }
                const char *cells[] = {k, v};
                doc_row(d, cells, 2);
        }
        doc_table_end(d);
}

/* The accels seen in a configuration's results ("tcg (emulated)" flagged); caller frees, NULL = none. */
static char *config_accel(const res_file *f, const char *configuration) {
        bool kvm = false, tcg = false, other = false;
        for (size_t i = 0; i < f->n_series; i++) {
                const res_series *s = &f->series[i];
                if (!s->accel || strcmp(s->configuration, configuration))
                        continue;
                if (!strcmp(s->accel, "tcg"))
                        tcg = true;
                else if (!strcmp(s->accel, "kvm"))
                        kvm = true;
                else
                        other = true;
        }
        if (!kvm && !tcg && !other)
                return NULL;
        char *s = NULL;
        if (asprintf(&s, "%s%s%s%s", kvm ? "kvm" : "", kvm && (tcg || other) ? ", " : "",
                     tcg ? "tcg (emulated)" : "", other ? (kvm || tcg ? ", other" : "other") : "") < 0)
                return NULL;
        return s;
}

/* "vm (tcg, emulated)" for a configuration whose results ran under TCG. */
static char *config_label(const res_file *f, const char *configuration) {
        char *s = NULL;
        bool tcg = false;
        for (size_t i = 0; i < f->n_series && !tcg; i++)
                tcg = f->series[i].accel && !strcmp(f->series[i].accel, "tcg") &&
                      !strcmp(f->series[i].configuration, configuration);
        if (asprintf(&s, "%s%s", configuration, tcg ? " (tcg, emulated)" : "") < 0)
                return NULL;
        return s;
}

static char *config_options(const cJSON *c) {
        char *acc = strdup("");
        for (const cJSON *o = c->child; acc && o; o = o->next) {
                if (!o->string || !strcmp(o->string, "name") || !strcmp(o->string, "kind"))
                        continue;
                _cleanup_free_ char *v = json_text(o);
                char *n = NULL;
                if (!v || asprintf(&n, "%s%s%s=%s", acc, *acc ? " " : "", o->string, v) < 0)
                        n = NULL;
                free(acc);
                acc = n;
        }
        return acc;
}

static bool in_suite(const cJSON *cfgs, const char *name) {
        for (const cJSON *c = cfgs ? cfgs->child : NULL; c; c = c->next) {
                const cJSON *n = cJSON_GetObjectItemCaseSensitive(c, "name");
                if (cJSON_IsString(n) && !strcmp(n->valuestring, name))
                        return true;
        }
        return false;
}

static void section_configurations(doc *d, const res_file *f) {
        doc_heading(d, 2, "Configurations");
        static const char *const cols[] = {"Name", "Kind", "Options", "Accel"};
        doc_table_start(d, cols, 4);
        const cJSON *cfgs = f->suite ? cJSON_GetObjectItemCaseSensitive(f->suite, "configurations") : NULL;
        for (const cJSON *c = cJSON_IsArray(cfgs) ? cfgs->child : NULL; c; c = c->next) {
                const cJSON *n = cJSON_GetObjectItemCaseSensitive(c, "name");
                const cJSON *k = cJSON_GetObjectItemCaseSensitive(c, "kind");
                const char *name = cJSON_IsString(n) ? n->valuestring : "?";
                _cleanup_free_ char *opts = config_options(c);
                _cleanup_free_ char *accel = config_accel(f, name);
                const char *cells[] = {name, cJSON_IsString(k) ? k->valuestring : "?", opts, accel};
                doc_row(d, cells, 4);
        }
        /* configurations with results but missing from the suite copy (older or hand-made files) */
        for (size_t i = 0; i < f->n_series; i++) {
                const res_series *s = &f->series[i];
                bool seen = in_suite(cJSON_IsArray(cfgs) ? cfgs : NULL, s->configuration);
                for (size_t j = 0; j < i && !seen; j++)
                        seen = !strcmp(f->series[j].configuration, s->configuration);
                if (seen)
                        continue;
                _cleanup_free_ char *accel = config_accel(f, s->configuration);
                const char *cells[] = {s->configuration, s->config_kind, "", accel};
                doc_row(d, cells, 4);
        }
        doc_table_end(d);
}

const cmp_opts report_cmp_opts = {.threshold_pct = 5, .alpha = 0.05, .bootstrap = 2000, .seed = 1};

static void section_overhead(doc *d, const res_file *f, const cmp_report *ovh, const char *why_none,
                             const cmp_opts *o) {
        doc_heading(d, 2, "Overhead vs bare");
        const char *bare = res_bare_configuration(f);
        if (!ovh) {
                doc_paraf(d, "No overhead table: %s.", why_none);
                return;
        }
        _cleanup_free_ char *intro = NULL, *verdict_col = NULL;
        int n;
        if (o->equivalence_pct > 0)
                n = asprintf(&intro,
                             "Each configuration against %s, metric by metric: medians, change of the median "
                             "with its 95%% bootstrap interval, verdict with an equivalence margin of "
                             "±%g%%: equivalent (the 90%% interval inside the margin), worse or better "
                             "(significant and outside it), or inconclusive with about how many more "
                             "samples per side would settle it. Metrics without a ratio (a %s median of 0 "
                             "or below) show the difference in their unit.",
                             bare, o->equivalence_pct, bare);
        else
                n = asprintf(&intro,
                             "Each configuration against %s, metric by metric: medians, change of the median "
                             "with its 95%% bootstrap interval, verdict at a %g%% threshold. Metrics without "
                             "a ratio (a %s median of 0 or below) show the difference in their unit.",
                             bare, o->threshold_pct, bare);
        if (n >= 0)
                doc_para(d, intro);
        if ((o->equivalence_pct > 0
                     ? asprintf(&verdict_col, "Verdict (margin ±%g%%)", o->equivalence_pct)
                     : asprintf(&verdict_col, "Verdict (threshold %g%%)", o->threshold_pct)) < 0)
                verdict_col = NULL;
        const char *const cols[] = {"Workload",
                                    "Configuration",
                                    "Metric",
                                    "Bare median",
                                    "Median",
                                    "Overhead (95% CI)",
                                    verdict_col ? verdict_col : "Verdict"};
        doc_table_start(d, cols, ELEMENTSOF(cols));
        for (size_t i = 0; i < ovh->n_rows; i++) {
                const cmp_row *r = &ovh->rows[i];
                char b[64], c[64], ch[256], ml[256], v[160];
                doc_change(r, ch, sizeof(ch));
                plot_verdict_text(r, o, true, v, sizeof(v));
                _cleanup_free_ char *label = config_label(f, r->cur->configuration);
                const char *cells[] = {r->cur->workload,
                                       label ? label : r->cur->configuration,
                                       res_metric_label(r->cur, ml, sizeof(ml)),
                                       bench_fmt_quantity(r->base_median, r->cur->unit, NAN, 0, b, sizeof(b)),
                                       bench_fmt_quantity(r->cur_median, r->cur->unit, NAN, 0, c, sizeof(c)),
                                       ch,
                                       v};
                doc_row(d, cells, ELEMENTSOF(cells));
        }
        doc_table_end(d);
}

static void section_results(doc *d, const res_file *f) {
        doc_heading(d, 2, "Results");
        if (f->n_series == 0) {
                doc_para(d, "No results.");
                return;
        }
        static const char *const cols[] = {"Workload", "Configuration", "Metric", "n",
                                           "Median",   "95% CI",        "CV",     "Outliers"};
        doc_table_start(d, cols, ELEMENTSOF(cols));
        for (size_t i = 0; i < f->n_series; i++) {
                const res_series *s = &f->series[i];
                char n[32], med[64], lo[64], hi[64], ci[160], cv[64], out[32];
                snprintf(n, sizeof(n), "%zu", s->n_samples);
                if (s->has_stats) {
                        /* the median to the digits its interval has, in its unit scaled */
                        double half = (s->stats.ci95_high - s->stats.ci95_low) / 2;
                        bench_fmt_quantity(s->stats.median, s->unit, half, 0, med, sizeof(med));
                        snprintf(ci, sizeof(ci), "[%s, %s]",
                                 bench_fmt_quantity(s->stats.ci95_low, s->unit, half, 0, lo, sizeof(lo)),
                                 bench_fmt_quantity(s->stats.ci95_high, s->unit, half, 0, hi, sizeof(hi)));
                        if (s->stats.ci_level > 0 && s->stats.ci_level < 0.95 - 1e-9) {
                                size_t l = strlen(ci);
                                snprintf(ci + l, sizeof(ci) - l, " (%.0f%%)", s->stats.ci_level * 100);
                        }
                        if (isfinite(s->stats.cv))
                                snprintf(cv, sizeof(cv), "%.1f%%", s->stats.cv * 100);
                        else
                                snprintf(cv, sizeof(cv), "-");
                        snprintf(out, sizeof(out), "%zu", s->stats.n_outliers);
                } else {
                        snprintf(med, sizeof(med), "-");
                        snprintf(ci, sizeof(ci), "-");
                        snprintf(cv, sizeof(cv), "-");
                        snprintf(out, sizeof(out), "-");
                }
                _cleanup_free_ char *label = config_label(f, s->configuration);
                char ml[256];
                const char *cells[] = {s->workload,
                                       label ? label : s->configuration,
                                       res_metric_label(s, ml, sizeof(ml)),
                                       n,
                                       med,
                                       ci,
                                       cv,
                                       out};
                doc_row(d, cells, ELEMENTSOF(cells));
        }
        doc_table_end(d);
}

static void only_in(doc *d, const char *what, char *const *keys, size_t n) {
        if (n == 0)
                return;
        _cleanup_free_ char *acc = strdup("");
        for (size_t i = 0; acc && i < n; i++) {
                char *m = NULL;
                if (asprintf(&m, "%s%s%s", acc, i ? ", " : "", keys[i]) < 0)
                        m = NULL;
                free(acc);
                acc = m;
        }
        _cleanup_free_ char *t = NULL;
        if (acc && asprintf(&t, "Only in the %s: %s.", what, acc) >= 0)
                doc_para(d, t);
}

static int section_compare(doc *d, const res_file *f, const res_file *base, const cmp_report *c,
                           const char *cmp_error, bench_error **err) {
        doc_heading(d, 2, "Comparison with the base");
        if (!c) {
                _cleanup_free_ char *t = NULL;
                if (asprintf(&t, "No comparison: %s", cmp_error ? cmp_error : "comparison failed") >= 0)
                        doc_para(d, t);
                return 0;
        }
        _cleanup_free_ char *intro = NULL;
        if (asprintf(&intro,
                     "Base run started %s; %zu regressed, %zu improved, %zu unchanged, %zu too noisy, %zu "
                     "with too few samples.",
                     base->started_at ? base->started_at : "?", c->n_regressed, c->n_improved, c->n_unchanged,
                     c->n_noisy, c->n_too_few) >= 0)
                doc_para(d, intro);
        /* the Markdown comparison (plot_verdicts) carries its own */
        if (d->fmt == PLOT_HTML)
                plot_env_diffs(d->m, c, PLOT_ENV_HTML);
        if (d->fmt == PLOT_MARKDOWN) {
                _cleanup_free_ char *text = NULL;
                int r = plot_verdicts(c, "markdown", false, &text, err);
                if (r < 0)
                        return r;
                fputs(text, d->m);
                if (*text && text[strlen(text) - 1] != '\n')
                        fputc('\n', d->m);
                fputc('\n', d->m);
        } else {
                static const char *const cols[] = {"Workload", "Configuration",     "Metric", "Base median",
                                                   "Median",   "Change % (95% CI)", "p",      "Verdict"};
                doc_table_start(d, cols, ELEMENTSOF(cols));
                for (size_t i = 0; i < c->n_rows; i++) {
                        const cmp_row *r = &c->rows[i];
                        char b[64], m[64], ch[256], p[32], ml[256], v[160];
                        doc_change(r, ch, sizeof(ch));
                        plot_verdict_text(r, &c->opts, false, v, sizeof(v));
                        snprintf(p, sizeof(p), isfinite(r->p_value) ? "%.3g" : "-", r->p_value);
                        _cleanup_free_ char *label = config_label(f, r->cur->configuration);
                        const char *cells[] = {
                                r->cur->workload,
                                label ? label : r->cur->configuration,
                                res_metric_label(r->cur, ml, sizeof(ml)),
                                bench_fmt_quantity(r->base_median, r->cur->unit, NAN, 0, b, sizeof(b)),
                                bench_fmt_quantity(r->cur_median, r->cur->unit, NAN, 0, m, sizeof(m)),
                                ch,
                                p,
                                v};
                        /* a regression stands out */
                        if (r->verdict == CMP_REGRESSED)
                                fputs("<tr class=\"regressed\">", d->m);
                        else
                                fputs("<tr>", d->m);
                        for (size_t k = 0; k < ELEMENTSOF(cells); k++) {
                                fputs("<td>", d->m);
                                doc_put(d, cells[k]);
                                fputs("</td>", d->m);
                        }
                        fputs("</tr>\n", d->m);
                }
                doc_table_end(d);
        }
        only_in(d, "base", c->only_in_base, c->n_only_base);
        only_in(d, "new run", c->only_in_cur, c->n_only_cur);
        return 0;
}

static void issue_where(const res_issue *is, char *buf, size_t len) {
        if (is->repetition < 0)
                snprintf(buf, len, "-");
        else
                snprintf(buf, len, "%d%s", is->repetition + 1, is->warmup ? " (warmup)" : "");
}

static void section_notes(doc *d, const res_file *f) {
        doc_heading(d, 2, "Notes");
        if (f->n_notes == 0) {
                doc_para(d, "None.");
                return;
        }
        fputs(d->fmt == PLOT_HTML ? "<ul>\n" : "", d->m);
        for (size_t i = 0; i < f->n_notes; i++) {
                const res_issue *is = &f->notes[i];
                char rep[48];
                issue_where(is, rep, sizeof(rep));
                fputs(d->fmt == PLOT_HTML ? "<li>" : "- ", d->m);
                doc_putf(d, "%s/%s (repetition %s): %s", is->configuration ? is->configuration : "run",
                         is->workload ? is->workload : "all", rep, is->reason ? is->reason : "");
                fputs(d->fmt == PLOT_HTML ? "</li>\n" : "\n", d->m);
        }
        fputs(d->fmt == PLOT_HTML ? "</ul>\n" : "\n", d->m);
}

static void section_skipped(doc *d, const res_file *f) {
        doc_heading(d, 2, "Skipped");
        if (f->n_skipped == 0) {
                doc_para(d, "None.");
                return;
        }
        static const char *const cols[] = {"Configuration", "Workload", "Reason"};
        doc_table_start(d, cols, 3);
        for (size_t i = 0; i < f->n_skipped; i++) {
                const res_issue *is = &f->skipped[i];
                const char *cells[] = {is->configuration ? is->configuration : "(all)",
                                       is->workload ? is->workload : "(all)", is->reason};
                doc_row(d, cells, 3);
        }
        doc_table_end(d);
}

static void section_errors(doc *d, const res_file *f) {
        doc_heading(d, 2, "Errors");
        if (f->n_errors == 0) {
                doc_para(d, "None.");
                return;
        }
        static const char *const cols[] = {"Configuration", "Workload", "Repetition", "Reason"};
        doc_table_start(d, cols, 4);
        for (size_t i = 0; i < f->n_errors; i++) {
                const res_issue *is = &f->errors[i];
                char rep[48];
                issue_where(is, rep, sizeof(rep));
                const char *cells[] = {is->configuration ? is->configuration : "(all)",
                                       is->workload ? is->workload : "(all)", rep, is->reason};
                doc_row(d, cells, 4);
        }
        doc_table_end(d);
}

/*
 * Adaptive runs, one line: "target 2%, reached 1.8% (worst: cpu/bare/ops_per_s), 9 repetitions,
 * stopped: target met" or "..., stopped: max_repetitions (8)".
 */
static char *adaptive_status(const res_file *f) {
        const res_adaptive *a = &f->adaptive;
        char label[256], reached[64] = "-", cap[48] = "";
        res_adaptive_worst_label(a, label, sizeof(label));
        if (a->worst.precision.has_reached)
                res_adaptive_percent(a->worst.precision.reached, reached, sizeof(reached));
        else if (a->worst.workload)
                snprintf(reached, sizeof(reached), "none (no 95%% interval)");
        if (a->stopped_by == RES_STOP_MAX_REPETITIONS)
                snprintf(cap, sizeof(cap), " (%u)", a->max_repetitions);
        else if (a->stopped_by == RES_STOP_MAX_TIME)
                snprintf(cap, sizeof(cap), " (%.15g s)", a->max_time_s);
        const char *why = a->stopped_by == RES_STOP_PRECISION ? "target met"
                          : a->stopped_by == RES_STOP_NONE    ? "still running or killed"
                                                              : res_stop_name(a->stopped_by);
        char *s = NULL;
        if (asprintf(&s, "target %.15g%%, reached %s%s%s%s, %u repetition%s, stopped: %s%s",
                     a->precision * 100, reached, a->worst.workload ? " (worst: " : "",
                     a->worst.workload ? label : "", a->worst.workload ? ")" : "", a->repetitions,
                     a->repetitions == 1 ? "" : "s", why, cap) < 0)
                return NULL;
        return s;
}

static void section_title(doc *d, const res_file *f) {
        const cJSON *n = f->suite ? cJSON_GetObjectItemCaseSensitive(f->suite, "name") : NULL;
        const char *name = cJSON_IsString(n) ? n->valuestring : "(unnamed suite)";
        _cleanup_free_ char *title = NULL;
        if (asprintf(&title, "bench report: %s", name) < 0)
                title = NULL;
        doc_heading(d, 1, title ? title : "bench report");
        _cleanup_free_ char *status = NULL;
        int r;
        if (f->complete)
                r = asprintf(&status, "complete, %u repetition%s", f->repetitions_done,
                             f->repetitions_done == 1 ? "" : "s");
        else
                r = asprintf(&status, "interrupted (%s) after %u repetition%s",
                             f->interrupted ? f->interrupted : "incomplete", f->repetitions_done,
                             f->repetitions_done == 1 ? "" : "s");
        if (r < 0)
                status = NULL;
        _cleanup_free_ char *precision = f->adaptive.on ? adaptive_status(f) : NULL;
        const char *cells[][2] = {
                {"Started", f->started_at ? f->started_at : "-"},
                {"Finished", f->finished_at ? f->finished_at : "-"},
                {"Status", status ? status : "?"},
                {"Precision", precision},
        };
        size_t n_cells = ELEMENTSOF(cells) - !precision;
        if (d->fmt == PLOT_HTML) {
                fputs("<ul class=\"meta\">\n", d->m);
                for (size_t i = 0; i < n_cells; i++) {
                        fputs("<li><b>", d->m);
                        doc_put(d, cells[i][0]);
                        fputs(":</b> ", d->m);
                        doc_put(d, cells[i][1]);
                        fputs("</li>\n", d->m);
                }
                fputs("</ul>\n", d->m);
        } else {
                for (size_t i = 0; i < n_cells; i++) {
                        fprintf(d->m, "- **%s:** ", cells[i][0]);
                        doc_put(d, cells[i][1]);
                        fputc('\n', d->m);
                }
        }
        if (f->n_concurrent > 0) {
                /* another bench run measured meanwhile (bench run --allow-concurrent): one line says so */
                _cleanup_free_ char *text = NULL;
                size_t len = 0;
                FILE *w = open_memstream(&text, &len);
                if (w) {
                        fprintf(w, "Warning: %zu other bench run%s measured on this host during this one (",
                                f->n_concurrent, f->n_concurrent == 1 ? "" : "s");
                        for (size_t i = 0; i < f->n_concurrent; i++)
                                fprintf(w, "%spid %d, suite %s, started %s", i ? "; " : "",
                                        f->concurrent[i].pid, f->concurrent[i].suite,
                                        f->concurrent[i].started_at);
                        fputs("): the figures may be distorted.", w);
                        if (fclose(w) != 0)
                                d->oom = true;
                }
                if (d->fmt == PLOT_MARKDOWN)
                        fputc('\n', d->m);
                if (text)
                        doc_para(d, text);
                else
                        d->oom = true;
        }
        const cJSON *desc = f->suite ? cJSON_GetObjectItemCaseSensitive(f->suite, "description") : NULL;
        if (cJSON_IsString(desc)) {
                if (d->fmt == PLOT_MARKDOWN)
                        fputc('\n', d->m);
                doc_para(d, desc->valuestring);
        }
}

int report_write(const res_file *f, const res_file *base, double equivalence_pct, const char *out_path,
                 bench_error **err) {
        cmp_opts opts = report_cmp_opts;
        opts.equivalence_pct = equivalence_pct;
        if (doc_format_of(out_path) < 0) /* before plotting */
                return bench_error_set(err, EINVAL, "%s: a report is .md (Markdown) or .html (HTML)",
                                       out_path);

        _cleanup_free_ char *plot_dir = NULL, *rel_dir = NULL;
        if (doc_plot_dirs(out_path, &plot_dir, &rel_dir) < 0)
                return bench_error_set(err, ENOMEM, "out of memory");

        cmp_report cmp = {0};
        bool have_cmp = false;
        _cleanup_error_ bench_error *cmp_err = NULL;
        if (base) {
                if (cmp_files(base, f, &opts, &cmp, &cmp_err) == 0)
                        have_cmp = true;
        }

        /* each configuration against bare: the headline and the overhead table */
        cmp_report ovh = {0};
        bool have_ovh = false;
        _cleanup_error_ bench_error *ovh_err = NULL;
        const char *why_none = "the run has no bare configuration to measure against";
        if (res_bare_configuration(f)) {
                if (cmp_overhead(f, res_bare_configuration(f), &opts, &ovh, &ovh_err) == 0)
                        have_ovh = true;
                else
                        why_none = ovh_err && ovh_err->msg ? ovh_err->msg : "comparison failed";
        }

        /* a report without figures is still worth having: say why in the Plots section */
        plot_set plots = {0};
        _cleanup_error_ bench_error *plot_err = NULL;
        if (plot_all(f, have_cmp ? &cmp : NULL, plot_dir, &plots, &plot_err) < 0)
                plot_set_clear(&plots);

        const cJSON *n = f->suite ? cJSON_GetObjectItemCaseSensitive(f->suite, "name") : NULL;
        _cleanup_free_ char *title = NULL;
        if (asprintf(&title, "bench report: %s", cJSON_IsString(n) ? n->valuestring : "(unnamed suite)") < 0)
                title = NULL;
        doc d;
        int r = title ? doc_open(&d, out_path, title, err) : bench_error_set(err, ENOMEM, "out of memory");
        if (r < 0) {
                cmp_report_clear(&cmp);
                cmp_report_clear(&ovh);
                plot_set_clear(&plots);
                return r;
        }
        /* the answer first, then the figures, then the full tables, then the host */
        section_title(&d, f);
        headline_section(&d, f, have_ovh ? &ovh : NULL, why_none, &opts);
        doc_plots(&d, &plots, plot_err ? (plot_err->msg ? plot_err->msg : "plotting failed") : NULL, plot_dir,
                  rel_dir);
        section_overhead(&d, f, have_ovh ? &ovh : NULL, why_none, &opts);
        section_results(&d, f);
        if (base)
                r = section_compare(&d, f, base, have_cmp ? &cmp : NULL, cmp_err ? cmp_err->msg : NULL, err);
        if (r == 0) {
                section_notes(&d, f);
                section_skipped(&d, f);
                section_errors(&d, f);
                section_configurations(&d, f);
                section_activity(&d, f);
                doc_heading(&d, 2, "Host");
                static const char *const host_cols[] = {"Field", "Value"};
                doc_table_start(&d, host_cols, 2);
                host_rows(&d, f->host, "");
                doc_table_end(&d);
        }
        cmp_report_clear(&ovh);
        cmp_report_clear(&cmp);
        plot_set_clear(&plots);
        if (r < 0) {
                doc_discard(&d);
                return r;
        }
        return doc_commit(&d, out_path, err);
}
