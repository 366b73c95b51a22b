/* SPDX-License-Identifier: MIT */
/*
 * bench trend: each (workload, configuration, metric) over a history of
 * result files, ordered by start time. One gnuplot figure per key (median
 * with its 95% CI as error bars; a red point where the step from the
 * previous run is a regression by cmp_files) and trend.md listing them.
 * Like every figure of bench: NAME.gp + NAME.dat next to NAME.png/.svg.
 */
#include "report.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../common/cleanup.h"
#include "../common/util.h"
#include "plot-internal.h"

typedef struct run {
        char *path;
        res_file *f;
        char label[64]; /* "2024-05-01 10:00 abc1234" */
} run;

typedef struct step_regression {
        size_t from, to; /* run indices */
        char *workload, *configuration, *metric;
        double change_pct;
} step_regression;

typedef struct trend {
        run *runs;
        size_t n_runs;
        step_regression *regs;
        size_t n_regs;
} trend;

static void trend_clear(trend *t) {
        for (size_t i = 0; i < t->n_runs; i++) {
                free(t->runs[i].path);
                res_file_free(t->runs[i].f);
        }
        free(t->runs);
        for (size_t i = 0; i < t->n_regs; i++) {
                free(t->regs[i].workload);
                free(t->regs[i].configuration);
                free(t->regs[i].metric);
        }
        free(t->regs);
}

static int add_path(char ***paths, size_t *n, size_t *cap, const char *p) {
        if (*n == *cap) {
                size_t c = *cap ? *cap * 2 : 16;
                char **np = realloc(*paths, c * sizeof(*np));
                if (!np)
                        return -ENOMEM;
                *paths = np;
                *cap = c;
        }
        if (!((*paths)[*n] = strdup(p)))
                return -ENOMEM;
        (*n)++;
        return 0;
}

/* A directory stands for every *.json in it (sorted, so runs with equal start times keep an order). */
static int expand(const char *const *files, size_t n, char ***ret, size_t *ret_n, bench_error **err) {
        char **paths = NULL;
        size_t np = 0, cap = 0;
        int r = 0;
        for (size_t i = 0; i < n && r == 0; i++) {
                struct stat st;
                if (stat(files[i], &st) < 0) {
                        r = bench_error_errno(err, errno, "%s", files[i]);
                        break;
                }
                if (!S_ISDIR(st.st_mode)) {
                        if (add_path(&paths, &np, &cap, files[i]) < 0)
                                r = bench_error_set(err, ENOMEM, "out of memory");
                        continue;
                }
                struct dirent **ents = NULL;
                int ne = scandir(files[i], &ents, NULL, alphasort);
                if (ne < 0) {
                        r = bench_error_errno(err, errno, "cannot list %s", files[i]);
                        break;
                }
                for (int k = 0; k < ne; k++) {
                        size_t l = strlen(ents[k]->d_name);
                        if (r == 0 && l > 5 && !strcmp(ents[k]->d_name + l - 5, ".json")) {
                                _cleanup_free_ char *p = NULL;
                                if (asprintf(&p, "%s/%s", files[i], ents[k]->d_name) < 0 ||
                                    add_path(&paths, &np, &cap, p) < 0)
                                        r = bench_error_set(err, ENOMEM, "out of memory");
                        }
                        free(ents[k]);
                }
                free(ents);
        }
        if (r < 0) {
                for (size_t i = 0; i < np; i++)
                        free(paths[i]);
                free(paths);
                return r;
        }
        *ret = paths;
        *ret_n = np;
        return 0;
}

static int run_order(const void *a, const void *b) {
        const run *x = a, *y = b;
        const char *sx = x->f->started_at, *sy = y->f->started_at;
        /* RFC 3339 UTC strings sort by time; a missing one goes last */
        if (sx && sy && strcmp(sx, sy))
                return strcmp(sx, sy);
        if (!sx != !sy)
                return sx ? -1 : 1;
        return strcmp(x->path, y->path);
}

static void make_label(run *r) {
        const char *date = r->f->started_at ? r->f->started_at : "?";
        const cJSON *c = r->f->host ? cJSON_GetObjectItemCaseSensitive(r->f->host, "git_commit") : NULL;
        const char *commit = cJSON_IsString(c) ? c->valuestring : NULL;
        /* "2024-05-01 10:00": runs of one day stay apart */
        char d[17];
        snprintf(d, sizeof(d), "%s", date);
        if (strlen(d) == 16 && d[10] == 'T')
                d[10] = ' ';
        else
                d[strnlen(d, 10)] = '\0';
        if (commit && *commit && strcmp(commit, "unknown"))
                snprintf(r->label, sizeof(r->label), "%s %.7s", d, commit);
        else
                snprintf(r->label, sizeof(r->label), "%s", d);
}

static int load(const char *const *files, size_t n, trend *t, bench_error **err) {
        char **paths = NULL;
        size_t np = 0;
        int r = expand(files, n, &paths, &np, err);
        if (r < 0)
                return r;
        t->runs = calloc(np ? np : 1, sizeof(*t->runs));
        if (!t->runs)
                r = bench_error_set(err, ENOMEM, "out of memory");
        for (size_t i = 0; i < np; i++) {
                if (r == 0) {
                        _cleanup_free_ char *text = NULL;
                        res_file *f = NULL;
                        r = bench_read_file(paths[i], &text, NULL, err);
                        if (r == 0)
                                r = res_from_json(text, paths[i], &f, err);
                        if (r == 0) {
                                t->runs[t->n_runs].path = steal_pointer(&paths[i]);
                                t->runs[t->n_runs].f = f;
                                t->n_runs++;
                        }
                }
                free(paths[i]);
        }
        free(paths);
        if (r < 0)
                return r;
        if (t->n_runs < 2)
                return bench_error_set(err, EINVAL, "a trend needs at least two result files (got %zu)",
                                       t->n_runs);
        qsort(t->runs, t->n_runs, sizeof(*t->runs), run_order);
        for (size_t i = 0; i < t->n_runs; i++)
                make_label(&t->runs[i]);
        return 0;
}

/* Consecutive runs compared; a pair without a common metric has nothing to say. */
static int find_regressions(trend *t, bench_error **err) {
        for (size_t i = 0; i + 1 < t->n_runs; i++) {
                cmp_report rep = {0};
                _cleanup_error_ bench_error *e = NULL;
                if (cmp_files(t->runs[i].f, t->runs[i + 1].f, &report_cmp_opts, &rep, &e) < 0)
                        continue;
                for (size_t k = 0; k < rep.n_rows; k++) {
                        const cmp_row *row = &rep.rows[k];
                        char label[256];
                        if (row->verdict != CMP_REGRESSED)
                                continue;
                        step_regression *nr = realloc(t->regs, (t->n_regs + 1) * sizeof(*nr));
                        if (!nr) {
                                cmp_report_clear(&rep);
                                return bench_error_set(err, ENOMEM, "out of memory");
                        }
                        t->regs = nr;
                        step_regression *s = &t->regs[t->n_regs++];
                        *s = (step_regression){
                                .from = i,
                                .to = i + 1,
                                .workload = strdup(row->cur->workload),
                                .configuration = strdup(row->cur->configuration),
                                .metric = strdup(res_metric_label(row->cur, label, sizeof(label))),
                                .change_pct = row->change_pct,
                        };
                        if (!s->workload || !s->configuration || !s->metric) {
                                cmp_report_clear(&rep);
                                return bench_error_set(err, ENOMEM, "out of memory");
                        }
                }
                cmp_report_clear(&rep);
        }
        return 0;
}

static bool regressed_at(const trend *t, size_t to, const res_series *s) {
        for (size_t i = 0; i < t->n_regs; i++)
                if (t->regs[i].to == to && !strcmp(t->regs[i].workload, s->workload) &&
                    !strcmp(t->regs[i].configuration, s->configuration) &&
                    !strcmp(t->regs[i].metric, s->metric))
                        return true;
        return false;
}

/* The figure of one key, made like every figure of bench (plot_emit); *ret_title is its title, caller frees.
 */
static int figure(const trend *t, const res_series *key, plot_ctx *ctx, char **ret_name, char **ret_title,
                  bench_error **err) {
        bool tcg = false, any_reg = false;
        for (size_t i = 0; i < t->n_runs; i++) {
                const res_series *s = res_find(t->runs[i].f, key->workload, key->configuration, key->metric);
                if (s && s->has_stats) {
                        tcg = tcg || (s->accel && !strcmp(s->accel, "tcg"));
                        any_reg = any_reg || regressed_at(t, i, s);
                }
        }
        _cleanup_free_ char *name = NULL, *title = NULL, *ylabel = NULL;
        if (asprintf(&name, "trend-%s-%s-%s", key->workload, key->configuration, key->metric) < 0 ||
            asprintf(&title, "%s / %s: %s%s", key->workload, key->configuration, key->metric,
                     tcg ? " (emulated (tcg))" : "") < 0 ||
            asprintf(&ylabel, "%s (%s, %s is better)", key->metric, key->unit, key->better) < 0)
                return bench_error_set(err, ENOMEM, "out of memory");
        plot_fig fig;
        int r = plot_fig_open(&fig, ctx, name, title, err);
        if (r < 0)
                return r;

        fputs("# ", fig.dat);
        plot_put_plain(fig.dat, title);
        fputs("\n# columns: 1 run, 2 median, 3 ci95_low, 4 ci95_high, 5 regressed, 6 label\n", fig.dat);
        for (size_t i = 0; i < t->n_runs; i++) {
                const res_series *s = res_find(t->runs[i].f, key->workload, key->configuration, key->metric);
                if (!s || !s->has_stats)
                        continue;
                fprintf(fig.dat, "%zu %.15g %.15g %.15g %d ", i + 1, s->stats.median, s->stats.ci95_low,
                        s->stats.ci95_high, regressed_at(t, i, s));
                plot_dat_string(fig.dat, t->runs[i].label);
                fputc('\n', fig.dat);
        }

        fputs("set title ", fig.set);
        plot_gp_string(fig.set, title);
        fputs("\nset ylabel ", fig.set);
        plot_gp_string(fig.set, ylabel);
        fprintf(fig.set,
                "\nset xlabel 'run (date, commit)'\n"
                "set xrange [0.5:%zu.5]\n"
                "set xtics rotate by -30\n"
                "set grid ytics\n"
                "set key top left\n"
                "set offsets 0, 0, graph 0.1, graph 0.1\n",
                t->n_runs);
        _cleanup_free_ char *dat = NULL;
        if (asprintf(&dat, "%s.dat", fig.name) < 0) {
                plot_fig_close(&fig);
                return bench_error_set(err, ENOMEM, "out of memory");
        }
        fputs("plot ", fig.body);
        plot_gp_string(fig.body, dat);
        fputs(" using 1:2:3:4:xticlabels(6) with yerrorlines lw 2 pt 7 lc rgb '#1f77b4' "
              "title 'median (95% CI)'",
              fig.body);
        /* only when there is one: a series with every point undefined is an error for gnuplot */
        if (any_reg) {
                fputs(", \\\n     ", fig.body);
                plot_gp_string(fig.body, dat);
                fputs(" using 1:($5 > 0 ? $2 : 1/0) with points pt 7 ps 2 lc rgb '#d62728' title "
                      "'regression'",
                      fig.body);
        }
        fputc('\n', fig.body);
        r = plot_emit(ctx, &fig, err);
        if (r == 0) {
                const plot_file *made = &ctx->set->files[ctx->set->n - 1];
                *ret_name = strdup(made->name);
                *ret_title = strdup(made->title);
                if (!*ret_name || !*ret_title) {
                        free(*ret_name);
                        free(*ret_title);
                        r = bench_error_set(err, ENOMEM, "out of memory");
                }
        }
        plot_fig_close(&fig);
        return r;
}

/* How many runs hold this key with statistics. */
static size_t key_runs(const trend *t, const res_series *key) {
        size_t n = 0;
        for (size_t i = 0; i < t->n_runs; i++) {
                const res_series *s = res_find(t->runs[i].f, key->workload, key->configuration, key->metric);
                n += s && s->has_stats;
        }
        return n;
}

/* Is this key met already in an earlier run (or earlier in this one)? */
static bool key_seen(const trend *t, size_t run_i, size_t series_i) {
        const res_series *key = &t->runs[run_i].f->series[series_i];
        for (size_t i = 0; i <= run_i; i++) {
                const res_file *f = t->runs[i].f;
                size_t end = i == run_i ? series_i : f->n_series;
                for (size_t k = 0; k < end; k++)
                        if (!strcmp(f->series[k].workload, key->workload) &&
                            !strcmp(f->series[k].configuration, key->configuration) &&
                            !strcmp(f->series[k].metric, key->metric))
                                return true;
        }
        return false;
}

static int write_index(const trend *t, FILE *m, plot_ctx *ctx, bench_error **err) {
        fputs("# bench trend\n\n## Runs\n\n| Run | Started | Label | File |\n|---|---|---|---|\n", m);
        for (size_t i = 0; i < t->n_runs; i++) {
                fprintf(m, "| %zu | ", i + 1);
                plot_put_md(m, t->runs[i].f->started_at ? t->runs[i].f->started_at : "-");
                fputs(" | ", m);
                plot_put_md(m, t->runs[i].label);
                fputs(" | ", m);
                plot_put_md(m, t->runs[i].path);
                fputs(" |\n", m);
        }
        fputs("\n## Figures\n\n", m);
        size_t figures = 0;
        for (size_t ri = 0; ri < t->n_runs; ri++) {
                const res_file *f = t->runs[ri].f;
                for (size_t si = 0; si < f->n_series; si++) {
                        const res_series *key = &f->series[si];
                        /* density's series by k and n: a figure each would be dozens; its own figures draw
                         * them */
                        if (key->k || key->n || key_seen(t, ri, si) || key_runs(t, key) < 2)
                                continue;
                        _cleanup_free_ char *name = NULL, *title = NULL;
                        int r = figure(t, key, ctx, &name, &title, err);
                        if (r < 0)
                                return r;
                        fputs("### ", m);
                        plot_put_md(m, title);
                        fputs("\n\n![", m);
                        plot_put_md(m, title);
                        fputs("](", m);
                        plot_put_url(m, name);
                        fputs(".png)\n\n[SVG](", m);
                        plot_put_url(m, name);
                        fputs(".svg) · [gnuplot script](", m);
                        plot_put_url(m, name);
                        fputs(".gp) · [data](", m);
                        plot_put_url(m, name);
                        fputs(".dat)\n\n", m);
                        figures++;
                }
        }
        if (figures == 0)
                fputs("No (workload, configuration, metric) is present in two or more runs.\n\n", m);
        fputs("## Regressions\n\n", m);
        if (t->n_regs == 0) {
                fputs("None found between consecutive runs.\n", m);
                return 0;
        }
        fputs("| From | To | Workload | Configuration | Metric | Change |\n|---|---|---|---|---|---|\n", m);
        for (size_t i = 0; i < t->n_regs; i++) {
                const step_regression *s = &t->regs[i];
                char ch[64];
                snprintf(ch, sizeof(ch), "%+.1f%%", s->change_pct);
                const char *cells[] = {t->runs[s->from].path, t->runs[s->to].path, s->workload,
                                       s->configuration,      s->metric,           ch};
                fputc('|', m);
                for (size_t k = 0; k < ELEMENTSOF(cells); k++) {
                        fputc(' ', m);
                        plot_put_md(m, cells[k]);
                        fputs(" |", m);
                }
                fputc('\n', m);
        }
        return 0;
}

int trend_write(const char *const *files, size_t n, const char *dir, bench_error **err) {
        _cleanup_free_ char *gnuplot = NULL;
        int r = plot_find_gnuplot(&gnuplot, err);
        if (r < 0)
                return r;
        trend t = {0};
        r = load(files, n, &t, err);
        if (r == 0)
                r = find_regressions(&t, err);
        plot_set set = {0};
        plot_ctx ctx = {.dirfd = -1, .workfd = -1};
        if (r == 0)
                r = plot_ctx_open(&ctx, dir, &set, err);
        _cleanup_free_ char *buf = NULL;
        size_t len = 0;
        FILE *m = NULL;
        if (r == 0 && !(m = open_memstream(&buf, &len)))
                r = bench_error_set(err, ENOMEM, "out of memory");
        if (r == 0)
                r = write_index(&t, m, &ctx, err);
        if (m) {
                if (ferror(m) && r == 0)
                        r = bench_error_set(err, ENOMEM, "out of memory");
                fclose(m);
        }
        if (r == 0)
                r = bench_write_file_atomic_at(ctx.dirfd, "trend.md", buf, len, 0644, err);
        plot_ctx_close(&ctx);
        plot_set_clear(&set);
        trend_clear(&t);
        return r < 0 ? r : 0;
}
