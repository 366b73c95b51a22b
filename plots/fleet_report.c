/* SPDX-License-Identifier: MIT */
/*
 * bench fleet report: a fleet (results/fleet.h) as one Markdown or HTML
 * document, with a figure per metric next to it, and a short text summary.
 * Every name from the files (hosts, workloads, reasons) is escaped by doc.c.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/cleanup.h"
#include "../common/util.h"
#include "doc.h"
#include "numfmt.h"
#include "plot.h"
#include "report.h"
#include "verdicts.h"

/* A value across hosts as the tables show it: a ratio as a change "+12.3%", a difference in its unit. */
static const char *fmt_value(const fleet_metric *m, double v, char *buf, size_t len) {
        if (!isfinite(v))
                snprintf(buf, len, "-");
        else if (m->by == CMP_BY_RATIO)
                snprintf(buf, len, "%+.1f%%", (v - 1) * 100);
        else
                snprintf(buf, len, "%+.4g %s", v, m->unit);
        return buf;
}

static const char *host_status(const fleet_host *h, char *buf, size_t len) {
        if (h->node_state && h->partial)
                snprintf(buf, len, "partial: node %s, run %s", h->node_state,
                         h->res->interrupted ? h->res->interrupted : "did not finish");
        else if (h->node_state)
                snprintf(buf, len, "node %s", h->node_state);
        else if (h->partial)
                snprintf(buf, len, "partial: %s",
                         h->res->interrupted ? h->res->interrupted : "did not finish");
        else
                snprintf(buf, len, "complete");
        return buf;
}

static void section_title(doc *d, const fleet *f) {
        _cleanup_free_ char *title = NULL;
        if (asprintf(&title, "bench fleet report: %s", f->suite) < 0) {
                d->oom = true;
                return;
        }
        doc_heading(d, 1, title);
        size_t partial = 0;
        for (size_t h = 0; h < f->n_hosts; h++)
                partial += f->hosts[h].partial;
        _cleanup_free_ char *manifest = NULL;
        if (f->has_manifest &&
            asprintf(&manifest, "Manifest fleet.json: job state %s, %zu node%s without a result.",
                     f->manifest_state ? f->manifest_state : "not known", f->n_missing,
                     f->n_missing == 1 ? "" : "s") < 0)
                manifest = NULL;
        doc_paraf(d, "%zu host%s (%zu partial), %zu fingerprint group%s, read from %s. %s", f->n_hosts,
                  f->n_hosts == 1 ? "" : "s", partial, f->n_groups, f->n_groups == 1 ? "" : "s", f->dir,
                  f->has_manifest
                          ? (manifest ? manifest : "?")
                          : "No fleet.json: the dir was filled by another launcher (an ssh loop, a CI "
                            "matrix); the report reads only its result files.");
        doc_paraf(
                d,
                "Overheads are computed within each host first (each configuration against the host's own "
                "bare, ratio of medians with a bootstrap 95%% interval), then compared across hosts. A host "
                "stands out for a metric when its interval excludes the fleet median and its modified "
                "z-score 0.6745 (value - median) / MAD among the hosts exceeds %g, its distance from the "
                "median "
                "exceeds the threshold (%g%% of the median), with at least %d hosts having the metric.",
                RES_OUTLIER_Z, f->opts.threshold_pct, FLEET_MIN_HOSTS);
}

static void section_hosts(doc *d, const fleet *f) {
        doc_heading(d, 2, "Hosts");
        static const char *const cols[] = {"Host", "File", "Group", "Status", "Bare", "Note"};
        doc_table_start(d, cols, ELEMENTSOF(cols));
        for (size_t h = 0; h < f->n_hosts; h++) {
                const fleet_host *host = &f->hosts[h];
                char group[32], status[256];
                snprintf(group, sizeof(group), "G%zu", host->group + 1);
                const char *cells[] = {host->key,
                                       host->file,
                                       group,
                                       host_status(host, status, sizeof(status)),
                                       host->bare ? host->bare : "none",
                                       host->no_overhead};
                doc_row(d, cells, ELEMENTSOF(cells));
        }
        doc_table_end(d);
}

static void section_per_host(doc *d, const fleet *f) {
        doc_heading(d, 2, "Overhead per host");
        doc_para(d,
                 "Host × configuration × metric: the change of the median against the host's own bare, "
                 "with its 95% bootstrap interval (a metric whose bare median is 0 or below: the difference "
                 "in its unit), and the within-host verdict at the threshold of bench compare --overhead.");
        static const char *const cols[] = {"Host",        "Workload", "Configuration",     "Metric",
                                           "Bare median", "Median",   "Overhead (95% CI)", "Verdict",
                                           "Stands out"};
        doc_table_start(d, cols, ELEMENTSOF(cols));
        for (size_t i = 0; i < f->n_metrics; i++) {
                const fleet_metric *m = &f->metrics[i];
                for (size_t h = 0; h < f->n_hosts; h++) {
                        const cmp_row *r = m->rows[h];
                        if (!r)
                                continue;
                        char b[64], c[64], ch[160], v[160];
                        doc_change(r, ch, sizeof(ch));
                        plot_verdict_text(r, &f->opts, true, v, sizeof(v));
                        const char *cells[] = {
                                f->hosts[h].key,
                                m->workload,
                                m->configuration,
                                m->label,
                                bench_fmt_quantity(r->base_median, m->unit, NAN, 0, b, sizeof(b)),
                                bench_fmt_quantity(r->cur_median, m->unit, NAN, 0, c, sizeof(c)),
                                ch,
                                v,
                                m->stands_out[h] ? "yes" : ""};
                        doc_row(d, cells, ELEMENTSOF(cells));
                }
        }
        doc_table_end(d);
        for (size_t h = 0; h < f->n_hosts; h++)
                if (f->hosts[h].no_overhead)
                        doc_paraf(d, "%s: no overhead: %s", f->hosts[h].key, f->hosts[h].no_overhead);
}

static void section_across(doc *d, const fleet *f) {
        doc_heading(d, 2, "Across hosts");
        doc_para(d,
                 "Per (workload, configuration, metric), over the hosts that have it: the median of the "
                 "hosts' overheads, the least and the most, the spread as max/min of the ratios and as the "
                 "median absolute deviation relative to the median, and how many hosts stand out.");
        static const char *const cols[] = {"Workload",   "Configuration", "Metric",     "Hosts",
                                           "Median",     "Min (host)",    "Max (host)", "Max/min",
                                           "MAD/median", "Stand out"};
        doc_table_start(d, cols, ELEMENTSOF(cols));
        for (size_t i = 0; i < f->n_metrics; i++) {
                const fleet_metric *m = &f->metrics[i];
                char n[32], med[64], mn[64], mx[64], mnh[512], mxh[512], mom[32], mad[32], so[32];
                snprintf(n, sizeof(n), "%zu", m->n);
                fmt_value(m, m->median, med, sizeof(med));
                if (m->n) {
                        snprintf(mnh, sizeof(mnh), "%s (%s)", fmt_value(m, m->min, mn, sizeof(mn)),
                                 f->hosts[m->min_host].key);
                        snprintf(mxh, sizeof(mxh), "%s (%s)", fmt_value(m, m->max, mx, sizeof(mx)),
                                 f->hosts[m->max_host].key);
                } else
                        snprintf(mnh, sizeof(mnh), "-"), snprintf(mxh, sizeof(mxh), "-");
                if (isfinite(m->max_over_min))
                        snprintf(mom, sizeof(mom), "%.3f", m->max_over_min);
                else
                        snprintf(mom, sizeof(mom), "-");
                if (isfinite(m->rel_mad_pct))
                        snprintf(mad, sizeof(mad), "%.2f%%", m->rel_mad_pct);
                else
                        snprintf(mad, sizeof(mad), "-");
                if (m->n < FLEET_MIN_HOSTS)
                        snprintf(so, sizeof(so), "- (< %d hosts)", FLEET_MIN_HOSTS);
                else
                        snprintf(so, sizeof(so), "%zu", m->n_stand_out);
                const char *cells[] = {m->workload, m->configuration, m->label, n, med, mnh, mxh, mom, mad,
                                       so};
                doc_row(d, cells, ELEMENTSOF(cells));
        }
        doc_table_end(d);
}

static void section_stand_out(doc *d, const fleet *f) {
        doc_heading(d, 2, "Hosts that stand out");
        size_t any = 0;
        for (size_t i = 0; i < f->n_metrics; i++)
                any += f->metrics[i].n_stand_out;
        if (!any) {
                doc_para(d, "None: no host's overhead is both outside its own noise around the fleet median "
                            "and far from the other hosts.");
                return;
        }
        static const char *const cols[] = {
                "Host", "Workload", "Configuration", "Metric", "Overhead (95% CI)", "Fleet median", "Group"};
        doc_table_start(d, cols, ELEMENTSOF(cols));
        for (size_t i = 0; i < f->n_metrics; i++) {
                const fleet_metric *m = &f->metrics[i];
                for (size_t h = 0; h < f->n_hosts; h++) {
                        if (!m->stands_out[h])
                                continue;
                        char ch[160], med[64], g[32];
                        doc_change(m->rows[h], ch, sizeof(ch));
                        snprintf(g, sizeof(g), "G%zu", f->hosts[h].group + 1);
                        const char *cells[] = {f->hosts[h].key,
                                               m->workload,
                                               m->configuration,
                                               m->label,
                                               ch,
                                               fmt_value(m, m->median, med, sizeof(med)),
                                               g};
                        doc_row(d, cells, ELEMENTSOF(cells));
                }
        }
        doc_table_end(d);
}

static void section_groups(doc *d, const fleet *f) {
        doc_heading(d, 2, "Hosts by fingerprint");
        static const char *const cols[] = {"Group", "CPU model", "Kernel", "Accel", "cgroup mode", "Hosts"};
        doc_table_start(d, cols, ELEMENTSOF(cols));
        for (size_t g = 0; g < f->n_groups; g++) {
                const fleet_group *grp = &f->groups[g];
                _cleanup_free_ char *hosts = NULL;
                size_t len = 0;
                FILE *m = open_memstream(&hosts, &len);
                if (!m) {
                        d->oom = true;
                        return;
                }
                for (size_t i = 0; i < grp->n_hosts; i++)
                        fprintf(m, "%s%s", i ? ", " : "", f->hosts[grp->hosts[i]].key);
                if (fclose(m) != 0) {
                        d->oom = true;
                        return;
                }
                char name[32];
                snprintf(name, sizeof(name), "G%zu", g + 1);
                const char *cells[] = {name,          grp->fp.cpu_model,   grp->fp.kernel,
                                       grp->fp.accel, grp->fp.cgroup_mode, hosts};
                doc_row(d, cells, ELEMENTSOF(cells));
        }
        doc_table_end(d);
        if (f->n_groups < 2 || f->n_metrics == 0)
                return;
        doc_para(d, "The median overhead of each group's hosts:");
        size_t ncols = 3 + f->n_groups;
        _cleanup_free_ char **names = calloc(ncols, sizeof(char *));
        _cleanup_free_ const char **cols2 = calloc(ncols, sizeof(char *));
        _cleanup_free_ const char **cells = calloc(ncols, sizeof(char *));
        _cleanup_free_ char *vals = calloc(f->n_groups, 64);
        if (!names || !cols2 || !cells || !vals) {
                d->oom = true;
                return;
        }
        cols2[0] = "Workload";
        cols2[1] = "Configuration";
        cols2[2] = "Metric";
        for (size_t g = 0; g < f->n_groups; g++) {
                if (asprintf(&names[g], "G%zu", g + 1) < 0)
                        names[g] = NULL;
                cols2[3 + g] = names[g] ? names[g] : "?";
        }
        doc_table_start(d, cols2, ncols);
        for (size_t i = 0; i < f->n_metrics; i++) {
                const fleet_metric *m = &f->metrics[i];
                cells[0] = m->workload;
                cells[1] = m->configuration;
                cells[2] = m->label;
                for (size_t g = 0; g < f->n_groups; g++)
                        cells[3 + g] = fmt_value(m, m->group_median[g], vals + 64 * g, 64);
                doc_row(d, cells, ncols);
        }
        doc_table_end(d);
        for (size_t g = 0; g < f->n_groups; g++)
                free(names[g]);
}

static void section_missing(doc *d, const fleet *f) {
        doc_heading(d, 2, "Nodes without results");
        if (!f->has_manifest) {
                doc_para(d, "Not known: no fleet.json in the dir (only `bench fleet run` writes one).");
                return;
        }
        if (f->n_missing == 0) {
                doc_para(d, "None: every node of the manifest brought its result.");
                return;
        }
        static const char *const cols[] = {"Node", "State", "Reason", "Exit code"};
        doc_table_start(d, cols, ELEMENTSOF(cols));
        for (size_t i = 0; i < f->n_missing; i++) {
                const fleet_missing *m = &f->missing[i];
                char code[16] = "";
                if (m->has_exit_code)
                        snprintf(code, sizeof(code), "%d", m->exit_code);
                const char *cells[] = {m->node, m->state, m->reason, code};
                doc_row(d, cells, ELEMENTSOF(cells));
        }
        doc_table_end(d);
}

int fleet_report_write(const fleet *f, const char *out_path, bench_error **err) {
        if (doc_format_of(out_path) < 0)
                return bench_error_set(err, EINVAL, "%s: a report is .md (Markdown) or .html (HTML)",
                                       out_path);
        _cleanup_free_ char *plot_dir = NULL, *rel_dir = NULL, *title = NULL;
        if (doc_plot_dirs(out_path, &plot_dir, &rel_dir) < 0 ||
            asprintf(&title, "bench fleet report: %s", f->suite) < 0)
                return bench_error_set(err, ENOMEM, "out of memory");

        /* a report without figures is still worth having: the Plots section says why */
        plot_set plots = {0};
        _cleanup_error_ bench_error *plot_err = NULL;
        if (plot_fleet(f, plot_dir, &plots, &plot_err) < 0)
                plot_set_clear(&plots);

        doc d;
        int r = doc_open(&d, out_path, title, err);
        if (r < 0) {
                plot_set_clear(&plots);
                return r;
        }
        section_title(&d, f);
        section_hosts(&d, f);
        section_across(&d, f);
        section_stand_out(&d, f);
        section_groups(&d, f);
        section_missing(&d, f);
        section_per_host(&d, f);
        doc_plots(&d, &plots, plot_err ? (plot_err->msg ? plot_err->msg : "plotting failed") : NULL, plot_dir,
                  rel_dir);
        plot_set_clear(&plots);
        return doc_commit(&d, out_path, err);
}

void fleet_summary(FILE *out, const fleet *f) {
        fprintf(out, "fleet: suite ");
        bench_put_text(out, f->suite, 0);
        fprintf(out, ", %zu host%s in %zu fingerprint group%s\n", f->n_hosts, f->n_hosts == 1 ? "" : "s",
                f->n_groups, f->n_groups == 1 ? "" : "s");
        for (size_t g = 0; g < f->n_groups && f->n_groups > 1; g++) {
                _cleanup_free_ char *fp = fleet_fingerprint_text(&f->groups[g].fp);
                fprintf(out, "  G%zu: ", g + 1);
                bench_put_text(out, fp ? fp : "?", 0);
                fputs(":", out);
                for (size_t i = 0; i < f->groups[g].n_hosts; i++) {
                        fputc(' ', out);
                        bench_put_text(out, f->hosts[f->groups[g].hosts[i]].key, 0);
                }
                fputc('\n', out);
        }
        for (size_t i = 0; i < f->n_metrics; i++) {
                const fleet_metric *m = &f->metrics[i];
                char med[64], mn[64], mx[64];
                fputs("  ", out);
                bench_put_text(out, m->workload, 0);
                fputc('/', out);
                bench_put_text(out, m->configuration, 0);
                fputc('/', out);
                bench_put_text(out, m->label, 0);
                fprintf(out, ": median %s over %zu host%s, min %s, max %s",
                        fmt_value(m, m->median, med, sizeof(med)), m->n, m->n == 1 ? "" : "s",
                        fmt_value(m, m->min, mn, sizeof(mn)), fmt_value(m, m->max, mx, sizeof(mx)));
                if (isfinite(m->max_over_min))
                        fprintf(out, ", max/min %.3f", m->max_over_min);
                fputc('\n', out);
                for (size_t h = 0; h < f->n_hosts; h++) {
                        if (!m->stands_out[h])
                                continue;
                        char v[64];
                        fputs("    stands out: ", out);
                        bench_put_text(out, f->hosts[h].key, 0);
                        fprintf(out, " %s\n", fmt_value(m, fleet_row_value(m->rows[h]), v, sizeof(v)));
                }
        }
        for (size_t h = 0; h < f->n_hosts; h++) {
                const fleet_host *host = &f->hosts[h];
                if (!host->partial && !host->no_overhead && !host->node_state)
                        continue;
                char status[256];
                fputs("  host ", out);
                bench_put_text(out, host->key, 0);
                fputs(": ", out);
                bench_put_text(
                        out,
                        host->no_overhead ? host->no_overhead : host_status(host, status, sizeof(status)), 0);
                fputc('\n', out);
        }
        for (size_t i = 0; i < f->n_missing; i++) {
                fputs("  no result from node ", out);
                bench_put_text(out, f->missing[i].node, 0);
                fprintf(out, " (%s", f->missing[i].state);
                if (f->missing[i].reason) {
                        fputs(": ", out);
                        bench_put_text(out, f->missing[i].reason, 0);
                }
                fputs(")\n", out);
        }
}
