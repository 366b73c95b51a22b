/* SPDX-License-Identifier: MIT */
/*
 * The headline of a report (headline.h): which measures it shows is the
 * workloads' fact (wl_metric_spec.headline, in catalog order); how numbers
 * read is plots/numfmt's; the verdicts are bench compare --overhead's.
 */
#include "headline.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/cleanup.h"
#include "../common/util.h"
#include "../workloads/catalog.h"
#include "numfmt.h"
#include "verdicts.h"

#define OVERHEAD_METRIC "overhead_kib" /* the memory workload's per-environment overhead: no bare row */
#define START_METRIC "ready_ms"
#define MAX_SHOWN 5 /* skips and errors named in the caveats; the rest counted */

/* One measure of one configuration. */
typedef struct item {
        char label[192];
        const res_series *cur;
        const cmp_row *row; /* NULL: overhead_kib, the configuration's own figure (bare has none) */
} item;

typedef struct items {
        item *v;
        size_t n, cap;
} items;

static bool same_series(const res_series *a, const res_series *b) {
        return a == b || (!strcmp(a->workload, b->workload) && !strcmp(a->configuration, b->configuration) &&
                          !strcmp(a->metric, b->metric) && a->k == b->k && a->n == b->n);
}

static const cmp_row *row_of(const cmp_report *ovh, const res_series *s) {
        for (size_t i = 0; ovh && i < ovh->n_rows; i++)
                if (same_series(ovh->rows[i].cur, s))
                        return &ovh->rows[i];
        return NULL;
}

/* The headline measures of configuration c, in catalog order; -ENOMEM. */
static int collect(const res_file *f, const cmp_report *ovh, const char *c, items *ret) {
        for (size_t w = 0; wl_catalog[w]; w++)
                for (const wl_metric_spec *m = wl_catalog[w]->metrics; m->name; m++) {
                        if (!m->headline)
                                continue;
                        for (size_t i = 0; i < f->n_series; i++) {
                                const res_series *s = &f->series[i];
                                if (s->k || s->n || strcmp(s->configuration, c) ||
                                    strcmp(s->kind, wl_catalog[w]->name) || strcmp(s->metric, m->name))
                                        continue;
                                const cmp_row *row = row_of(ovh, s);
                                bool own = !strcmp(m->name, OVERHEAD_METRIC);
                                if (!row && !(own && s->has_stats))
                                        continue;
                                if (ret->n == ret->cap) {
                                        size_t cap = ret->cap ? ret->cap * 2 : 16;
                                        item *v = realloc(ret->v, cap * sizeof(*v));
                                        if (!v)
                                                return -1;
                                        ret->v = v, ret->cap = cap;
                                }
                                item *it = &ret->v[ret->n++];
                                *it = (item){.cur = s, .row = own ? NULL : row};
                                /* a second instance of a kind, or a renamed one, says which */
                                if (strcmp(s->workload, wl_catalog[w]->name))
                                        snprintf(it->label, sizeof(it->label), "%s (%s)", m->headline,
                                                 s->workload);
                                else
                                        snprintf(it->label, sizeof(it->label), "%s", m->headline);
                        }
                }
        return 0;
}

/* The configurations measured against bare, in the suite's order, then any only the results name. */
static size_t others(const res_file *f, const char *bare, const char **out, size_t max) {
        size_t n = 0;
        const cJSON *cfgs = f->suite ? cJSON_GetObjectItemCaseSensitive(f->suite, "configurations") : NULL;
        for (const cJSON *c = cJSON_IsArray(cfgs) ? cfgs->child : NULL; c && n < max; c = c->next) {
                const cJSON *name = cJSON_GetObjectItemCaseSensitive(c, "name");
                if (!cJSON_IsString(name) || !strcmp(name->valuestring, bare))
                        continue;
                bool measured = false, dup = false;
                for (size_t i = 0; i < f->n_series && !measured; i++)
                        measured = !strcmp(f->series[i].configuration, name->valuestring);
                for (size_t k = 0; k < n && !dup; k++)
                        dup = !strcmp(out[k], name->valuestring);
                if (measured && !dup)
                        out[n++] = name->valuestring;
        }
        for (size_t i = 0; i < f->n_series && n < max; i++) {
                const char *c = f->series[i].configuration;
                bool seen = !strcmp(c, bare);
                for (size_t k = 0; k < n && !seen; k++)
                        seen = !strcmp(out[k], c);
                if (!seen)
                        out[n++] = c;
        }
        return n;
}

static bool emulated(const res_file *f, const char *c) {
        for (size_t i = 0; i < f->n_series; i++)
                if (f->series[i].accel && !strcmp(f->series[i].accel, "tcg") &&
                    !strcmp(f->series[i].configuration, c))
                        return true;
        return false;
}

/* The overhead figure: "+125 MiB" and its interval "[+120 MiB, +130 MiB]" (or "-"). */
static void own_figure(const res_series *s, char *point, size_t plen, char *ci, size_t clen) {
        bench_fmt_difference(s->stats.median, s->unit, (s->stats.ci95_high - s->stats.ci95_low) / 2, 0, point,
                             plen);
        bench_fmt_difference_bounds(s->stats.ci95_low, s->stats.ci95_high, s->unit, 0, ci, clen);
}

/* A measure's change in words: "30× slower", "3.0% faster"; a difference row: its difference. */
static void words_of(const item *it, char *buf, size_t len) {
        if (!it->row) {
                char q[64];
                double v = it->cur->stats.median;
                snprintf(buf, len, "%s %s per environment than bare",
                         bench_fmt_quantity(fabs(v), it->cur->unit, NAN, 0, q, sizeof(q)),
                         v < 0 ? "less" : "more");
        } else if (it->row->by == CMP_BY_DIFFERENCE) {
                char ch[128], ci[256];
                doc_change_parts(it->row, 0, ch, sizeof(ch), ci, sizeof(ci));
                snprintf(buf, len, "%s", ch);
        } else
                bench_fmt_change_words(it->row->ratio, it->cur->unit, it->cur->better, buf, len);
}

typedef struct tally {
        size_t worse, better, same, open; /* open: too noisy, too few samples, inconclusive, unusable */
} tally;

static void count(tally *t, const item *it) {
        if (!it->row)
                return;
        switch (it->row->verdict) {
        case CMP_REGRESSED:
                t->worse++;
                break;
        case CMP_IMPROVED:
                t->better++;
                break;
        case CMP_UNCHANGED:
        case CMP_EQUIVALENT:
                t->same++;
                break;
        case CMP_NOISY:
        case CMP_TOO_FEW:
        case CMP_INCONCLUSIVE:
        case CMP_BETTER_DIFFERS:
        default:
                t->open++;
                break;
        }
}

/*
 * The answer in one paragraph: "Start latency: 30× slower than bare (36.7 ms against 1.23 ms). Memory
 * overhead per environment: +125 MiB. Of 8 measures against bare: 2 worse, 5 unchanged, 1 undecided."
 */
static char *sentence(const items *its, const char *bare, bool same_word_equivalent) {
        _cleanup_free_ char *text = NULL;
        size_t len = 0;
        FILE *m = open_memstream(&text, &len);
        if (!m)
                return NULL;
        tally t = {0};
        size_t rows = 0;
        for (size_t i = 0; i < its->n; i++) {
                const item *it = &its->v[i];
                count(&t, it);
                rows += it->row != NULL;
                char w[160], b[64], c[64];
                if (!strcmp(it->cur->metric, START_METRIC) && it->row && it->row->by == CMP_BY_RATIO &&
                    !strcmp(it->cur->workload, it->cur->kind)) {
                        words_of(it, w, sizeof(w));
                        fprintf(m, "%s: %s than %s (%s against %s). ", it->label, w, bare,
                                bench_fmt_quantity(it->row->cur_median, it->cur->unit, NAN, 0, c, sizeof(c)),
                                bench_fmt_quantity(it->row->base_median, it->cur->unit, NAN, 0, b,
                                                   sizeof(b)));
                } else if (!it->row) {
                        char ci[160];
                        own_figure(it->cur, c, sizeof(c), ci, sizeof(ci));
                        fprintf(m, "%s: %s. ", it->label, c);
                }
        }
        if (rows > 0) {
                fprintf(m, "Of %zu measure%s against %s: ", rows, rows == 1 ? "" : "s", bare);
                const char *sep = "";
                if (t.worse)
                        fprintf(m, "%s%zu worse", sep, t.worse), sep = ", ";
                if (t.better)
                        fprintf(m, "%s%zu better", sep, t.better), sep = ", ";
                if (t.same)
                        fprintf(m, "%s%zu %s", sep, t.same,
                                same_word_equivalent ? "equivalent" : "unchanged"),
                                sep = ", ";
                if (t.open)
                        fprintf(m, "%s%zu undecided (too noisy, too few samples or inconclusive)", sep,
                                t.open);
                fputc('.', m);
        }
        if (fclose(m) != 0)
                return NULL;
        return steal_pointer(&text);
}

/* The caveats, each a sentence; callers frame them. emit gets each (plain text, escaped by the caller). */
static void caveats(const res_file *f, const char *const *cfgs, size_t n_cfgs,
                    void (*emit)(void *, const char *), void *ctx) {
        char buf[1024];
        for (size_t i = 0; i < n_cfgs; i++)
                if (emulated(f, cfgs[i])) {
                        snprintf(buf, sizeof(buf),
                                 "%s ran under TCG: QEMU emulated every guest instruction (no KVM here), so "
                                 "its "
                                 "figures are the cost of emulation, not of a hardware-virtualised guest.",
                                 cfgs[i]);
                        emit(ctx, buf);
                }
        const cJSON *w = f->activity ? cJSON_GetObjectItemCaseSensitive(f->activity, "warnings") : NULL;
        const cJSON *e;
        cJSON_ArrayForEach(e, w) if (cJSON_IsString(e)) {
                snprintf(buf, sizeof(buf), "During the run: %s", e->valuestring);
                emit(ctx, buf);
        }
        if (f->n_concurrent > 0) {
                snprintf(buf, sizeof(buf), "%zu other bench run%s measured on this host during this one.",
                         f->n_concurrent, f->n_concurrent == 1 ? "" : "s");
                emit(ctx, buf);
        }
        if (!f->complete) {
                snprintf(buf, sizeof(buf),
                         "The run did not finish (%s) after %u repetition%s: the figures rest on fewer "
                         "samples "
                         "than planned.",
                         f->interrupted ? f->interrupted : "killed or still running", f->repetitions_done,
                         f->repetitions_done == 1 ? "" : "s");
                emit(ctx, buf);
        }
        for (size_t i = 0; i < f->n_skipped && i < MAX_SHOWN; i++) {
                const res_issue *s = &f->skipped[i];
                snprintf(buf, sizeof(buf), "Skipped %s%s%s: %s",
                         s->configuration ? s->configuration : "the run", s->workload ? "/" : "",
                         s->workload ? s->workload : "", s->reason ? s->reason : "");
                emit(ctx, buf);
        }
        if (f->n_skipped > MAX_SHOWN) {
                snprintf(buf, sizeof(buf), "%zu more skips (see Skipped).", f->n_skipped - MAX_SHOWN);
                emit(ctx, buf);
        }
        if (f->n_errors > 0) {
                const res_issue *e0 = &f->errors[0];
                snprintf(buf, sizeof(buf), "%zu error%s (see Errors), the first in %s/%s: %s", f->n_errors,
                         f->n_errors == 1 ? "" : "s", e0->configuration ? e0->configuration : "-",
                         e0->workload ? e0->workload : "-", e0->reason ? e0->reason : "");
                emit(ctx, buf);
        }
}

static void emit_doc(void *ctx, const char *text) {
        doc *d = ctx;
        fputs(d->fmt == PLOT_HTML ? "<li>" : "- ", d->m);
        doc_put(d, text);
        fputs(d->fmt == PLOT_HTML ? "</li>\n" : "\n", d->m);
}

static void doc_caveats(doc *d, const res_file *f, const char *const *cfgs, size_t n) {
        _cleanup_free_ char *probe = NULL;
        size_t len = 0;
        /* only a heading when there is something to say: render into a scratch doc first */
        doc tmp = {.fmt = d->fmt, .m = open_memstream(&probe, &len)};
        if (!tmp.m) {
                d->oom = true;
                return;
        }
        caveats(f, cfgs, n, emit_doc, &tmp);
        if (fclose(tmp.m) != 0 || tmp.oom) {
                d->oom = true;
                return;
        }
        if (len == 0)
                return;
        doc_para(d, "Read with care:");
        fputs(d->fmt == PLOT_HTML ? "<ul class=\"caveats\">\n" : "", d->m);
        fwrite(probe, 1, len, d->m);
        fputs(d->fmt == PLOT_HTML ? "</ul>\n" : "\n", d->m);
}

void headline_section(doc *d, const res_file *f, const cmp_report *ovh, const char *why_none,
                      const cmp_opts *o) {
        doc_heading(d, 2, "Summary");
        const char *bare = res_bare_configuration(f);
        const char *cfgs[64];
        size_t n = bare ? others(f, bare, cfgs, ELEMENTSOF(cfgs)) : 0;
        if (!bare || !ovh)
                doc_paraf(d, "No overhead to report: %s.",
                          why_none ? why_none : "the run has no bare configuration to measure against");
        else if (n == 0)
                doc_paraf(d, "Only %s has results: there is nothing to measure against it.", bare);
        else if (o->equivalence_pct > 0)
                doc_paraf(d,
                          "Each configuration against %s: the medians, the change with its 95%% bootstrap "
                          "interval, and the verdict with an equivalence margin of ±%g%%.",
                          bare, o->equivalence_pct);
        else
                doc_paraf(d,
                          "Each configuration against %s: the medians, the change with its 95%% bootstrap "
                          "interval, and the verdict at a %g%% threshold.",
                          bare, o->threshold_pct);
        for (size_t k = 0; ovh && k < n; k++) {
                items its = {0};
                if (collect(f, ovh, cfgs[k], &its) < 0) {
                        free(its.v);
                        d->oom = true;
                        return;
                }
                _cleanup_free_ char *title = NULL;
                if (asprintf(&title, "%s vs %s%s", cfgs[k], bare,
                             emulated(f, cfgs[k]) ? " (emulated: TCG)" : "") < 0)
                        title = NULL;
                doc_heading(d, 3, title ? title : cfgs[k]);
                if (its.n == 0) {
                        doc_para(d, "No headline measure has results in both (see the full tables).");
                        free(its.v);
                        continue;
                }
                _cleanup_free_ char *text = sentence(&its, bare, o->equivalence_pct > 0);
                if (text)
                        doc_para(d, text);
                const char *cols[] = {"Measure", bare, cfgs[k], "Change (95% CI)", "In words", "Verdict"};
                doc_table_start(d, cols, ELEMENTSOF(cols));
                for (size_t i = 0; i < its.n; i++) {
                        const item *it = &its.v[i];
                        char b[64], c[64], ch[256], w[200], v[160];
                        if (it->row) {
                                bench_fmt_quantity(it->row->base_median, it->cur->unit, NAN, 0, b, sizeof(b));
                                bench_fmt_quantity(it->row->cur_median, it->cur->unit, NAN, 0, c, sizeof(c));
                                doc_change(it->row, ch, sizeof(ch));
                                plot_verdict_text(it->row, o, true, v, sizeof(v));
                        } else {
                                char pt[64], ci[160];
                                snprintf(b, sizeof(b), "-");
                                own_figure(it->cur, pt, sizeof(pt), ci, sizeof(ci));
                                bench_fmt_quantity(it->cur->stats.median, it->cur->unit, NAN, 0, c,
                                                   sizeof(c));
                                snprintf(ch, sizeof(ch), "%s %s", pt, ci);
                                snprintf(v, sizeof(v), "-");
                        }
                        words_of(it, w, sizeof(w));
                        const char *cells[] = {it->label, b, c, ch, w, v};
                        doc_row(d, cells, ELEMENTSOF(cells));
                }
                doc_table_end(d);
                free(its.v);
        }
        doc_caveats(d, f, cfgs, n);
}

void headline_text(FILE *out, const res_file *f, const cmp_report *ovh, const cmp_opts *o) {
        const char *bare = res_bare_configuration(f);
        const char *cfgs[64];
        size_t n = bare && ovh ? others(f, bare, cfgs, ELEMENTSOF(cfgs)) : 0;
        for (size_t k = 0; k < n; k++) {
                items its = {0};
                if (collect(f, ovh, cfgs[k], &its) < 0 || its.n == 0) {
                        free(its.v);
                        continue;
                }
                _cleanup_free_ char *text = sentence(&its, bare, o->equivalence_pct > 0);
                fputs("bench: ", out);
                bench_put_text(out, cfgs[k], 0);
                fputs(" vs ", out);
                bench_put_text(out, bare, 0);
                fputs(emulated(f, cfgs[k]) ? " (emulated: TCG): " : ": ", out);
                bench_put_text(out, text ? text : "?", 0);
                fputc('\n', out);
                free(its.v);
        }
}
