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
#include <sys/wait.h>
#include <unistd.h>

#include "../common/cleanup.h"
#include "../common/util.h"
#include "report-internal.h"

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
        /* the label goes between double quotes in the .dat file */
        for (char *p = r->label; *p; p++)
                if (*p == '"' || *p == '\\' || *p == '\n')
                        *p = '_';
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

static const cmp_opts trend_opts = {.threshold_pct = 5, .alpha = 0.05, .bootstrap = 2000, .seed = 1};

/* Consecutive runs compared; a pair without a common metric has nothing to say. */
static int find_regressions(trend *t, bench_error **err) {
        for (size_t i = 0; i + 1 < t->n_runs; i++) {
                cmp_report rep = {0};
                _cleanup_error_ bench_error *e = NULL;
                if (cmp_files(t->runs[i].f, t->runs[i + 1].f, &trend_opts, &rep, &e) < 0)
                        continue;
                for (size_t k = 0; k < rep.n_rows; k++) {
                        const cmp_row *row = &rep.rows[k];
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
                                .metric = strdup(row->cur->metric),
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

/* File names keep [A-Za-z0-9_.-]; anything else becomes '_'. */
static char *figure_name(const res_series *s) {
        char *n = NULL;
        if (asprintf(&n, "trend-%s-%s-%s", s->workload, s->configuration, s->metric) < 0)
                return NULL;
        for (char *p = n; *p; p++)
                if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
                      *p == '_' || *p == '.' || *p == '-'))
                        *p = '_';
        return n;
}

/* gnuplot single-quoted string: '' is a quote, nothing else is special (with noenhanced). */
static void put_gp_string(FILE *m, const char *s) {
        fputc('\'', m);
        for (; *s; s++) {
                if (*s == '\'')
                        fputc('\'', m);
                fputc(*s == '\n' ? ' ' : *s, m);
        }
        fputc('\'', m);
}

static int write_text(const char *dir, const char *name, const char *ext, const char *text, size_t len,
                      bench_error **err) {
        _cleanup_free_ char *p = NULL;
        if (asprintf(&p, "%s/%s%s", dir, name, ext) < 0)
                return bench_error_set(err, ENOMEM, "out of memory");
        return bench_write_file_atomic(p, text, len, err);
}

/* gnuplot NAME.gp in dir, its stderr kept for the message. */
static int run_gnuplot(const char *dir, const char *script, bench_error **err) {
        char errpath[] = "/tmp/bench-gnuplot.XXXXXX";
        _cleanup_close_ int efd = mkostemp(errpath, O_CLOEXEC);
        if (efd < 0)
                return bench_error_errno(err, errno, "cannot create a temporary file");
        unlink(errpath);
        pid_t pid = fork();
        if (pid < 0)
                return bench_error_errno(err, errno, "cannot start gnuplot");
        if (pid == 0) {
                int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
                if (chdir(dir) < 0 || null < 0 || dup2(null, 0) < 0 || dup2(efd, 1) < 0 || dup2(efd, 2) < 0)
                        _exit(127);
                execlp("gnuplot", "gnuplot", script, (char *)NULL);
                _exit(127);
        }
        int status;
        while (waitpid(pid, &status, 0) < 0)
                if (errno != EINTR)
                        return bench_error_errno(err, errno, "waiting for gnuplot");
        if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
                return 0;
        char msg[512] = "";
        ssize_t n = pread(efd, msg, sizeof(msg) - 1, 0);
        msg[n > 0 ? n : 0] = '\0';
        for (char *p = msg; *p; p++)
                if (*p == '\n')
                        *p = ' ';
        return bench_error_set(err, EIO, "gnuplot %s/%s failed (%s%d): %s", dir, script,
                               WIFEXITED(status) ? "exit status " : "signal ",
                               WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status), msg);
}

static bool have_gnuplot(void) {
        const char *path = getenv("PATH");
        _cleanup_free_ char *copy = strdup(path && *path ? path : "/usr/bin:/bin");
        char *save = NULL;
        for (char *d = copy ? strtok_r(copy, ":", &save) : NULL; d; d = strtok_r(NULL, ":", &save)) {
                _cleanup_free_ char *p = NULL;
                if (asprintf(&p, "%s/gnuplot", d) >= 0 && access(p, X_OK) == 0)
                        return true;
        }
        return false;
}

/* The figure of one key; *ret_title is its title, caller frees. */
static int figure(const trend *t, const res_series *key, const char *dir, const char *name, char **ret_title,
                  bench_error **err) {
        bool tcg = false, any_reg = false;
        size_t points = 0;
        _cleanup_free_ char *dat = NULL;
        size_t dat_len = 0;
        FILE *m = open_memstream(&dat, &dat_len);
        if (!m)
                return bench_error_set(err, ENOMEM, "out of memory");
        fprintf(m, "# %s/%s %s (%s): run median ci95_low ci95_high regressed label\n", key->workload,
                key->configuration, key->metric, key->unit);
        for (size_t i = 0; i < t->n_runs; i++) {
                const res_series *s = res_find(t->runs[i].f, key->workload, key->configuration, key->metric);
                if (!s || !s->has_stats)
                        continue;
                tcg = tcg || (s->accel && !strcmp(s->accel, "tcg"));
                bool reg = regressed_at(t, i, s);
                any_reg = any_reg || reg;
                fprintf(m, "%zu %.15g %.15g %.15g %d \"%s\"\n", i + 1, s->stats.median, s->stats.ci95_low,
                        s->stats.ci95_high, reg, t->runs[i].label);
                points++;
        }
        bool bad = ferror(m);
        fclose(m);
        if (bad)
                return bench_error_set(err, ENOMEM, "out of memory");

        _cleanup_free_ char *title = NULL;
        if (asprintf(&title, "%s / %s: %s%s", key->workload, key->configuration, key->metric,
                     tcg ? " (emulated (tcg))" : "") < 0)
                return bench_error_set(err, ENOMEM, "out of memory");

        _cleanup_free_ char *gp = NULL;
        size_t gp_len = 0;
        m = open_memstream(&gp, &gp_len);
        if (!m)
                return bench_error_set(err, ENOMEM, "out of memory");
        fprintf(m, "# bench trend: rerun with `gnuplot %s.gp` in this directory\n", name);
        fprintf(m, "set terminal pngcairo size 960,540 noenhanced font 'sans,10'\n");
        fprintf(m, "set output '%s.png'\n", name);
        fputs("set title ", m);
        put_gp_string(m, title);
        fputs(" noenhanced\nset ylabel ", m);
        _cleanup_free_ char *ylabel = NULL;
        if (asprintf(&ylabel, "%s (%s, %s is better)", key->metric, key->unit, key->better) < 0)
                ylabel = NULL;
        put_gp_string(m, ylabel ? ylabel : key->metric);
        fprintf(m,
                " noenhanced\nset xlabel 'run (date, commit)'\n"
                "set xrange [0.5:%zu.5]\n"
                "set xtics rotate by -30 noenhanced\n"
                "set grid ytics\n"
                "set key top left\n"
                "set offsets 0, 0, graph 0.1, graph 0.1\n",
                t->n_runs);
        fprintf(m,
                "plot '%s.dat' using 1:2:3:4:xticlabels(6) with yerrorlines lw 2 pt 7 lc rgb '#1f77b4' "
                "title 'median (95%% CI)'",
                name);
        /* only when there is one: a series with every point undefined is an error for gnuplot */
        if (any_reg)
                fprintf(m,
                        ", \\\n     '%s.dat' using 1:($5 > 0 ? $2 : 1/0) with points pt 7 ps 2 "
                        "lc rgb '#d62728' title 'regression'",
                        name);
        fputs("\nset terminal svg size 960,540 noenhanced font 'sans,10'\n", m);
        fprintf(m, "set output '%s.svg'\nreplot\n", name);
        bad = ferror(m);
        fclose(m);
        if (bad)
                return bench_error_set(err, ENOMEM, "out of memory");

        int r;
        if ((r = write_text(dir, name, ".dat", dat, dat_len, err)) < 0 ||
            (r = write_text(dir, name, ".gp", gp, gp_len, err)) < 0)
                return r;
        _cleanup_free_ char *script = NULL;
        if (asprintf(&script, "%s.gp", name) < 0)
                return bench_error_set(err, ENOMEM, "out of memory");
        if ((r = run_gnuplot(dir, script, err)) < 0)
                return r;
        *ret_title = steal_pointer(&title);
        return 0;
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

static int write_index(const trend *t, FILE *m, const char *dir, bench_error **err) {
        fputs("# bench trend\n\n## Runs\n\n| Run | Started | Label | File |\n|---|---|---|---|\n", m);
        for (size_t i = 0; i < t->n_runs; i++) {
                fprintf(m, "| %zu | ", i + 1);
                report_put_md(m, t->runs[i].f->started_at ? t->runs[i].f->started_at : "-");
                fputs(" | ", m);
                report_put_md(m, t->runs[i].label);
                fputs(" | ", m);
                report_put_md(m, t->runs[i].path);
                fputs(" |\n", m);
        }
        fputs("\n## Figures\n\n", m);
        size_t figures = 0;
        for (size_t ri = 0; ri < t->n_runs; ri++) {
                const res_file *f = t->runs[ri].f;
                for (size_t si = 0; si < f->n_series; si++) {
                        const res_series *key = &f->series[si];
                        if (key_seen(t, ri, si) || key_runs(t, key) < 2)
                                continue;
                        _cleanup_free_ char *name = figure_name(key), *title = NULL;
                        if (!name)
                                return bench_error_set(err, ENOMEM, "out of memory");
                        int r = figure(t, key, dir, name, &title, err);
                        if (r < 0)
                                return r;
                        fputs("### ", m);
                        report_put_md(m, title);
                        fputs("\n\n![", m);
                        report_put_md(m, title);
                        fputs("](", m);
                        report_put_url(m, name);
                        fputs(".png)\n\n[SVG](", m);
                        report_put_url(m, name);
                        fputs(".svg)\n\n", m);
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
                        report_put_md(m, cells[k]);
                        fputs(" |", m);
                }
                fputc('\n', m);
        }
        return 0;
}

int trend_write(const char *const *files, size_t n, const char *dir, bench_error **err) {
        if (!have_gnuplot())
                return bench_error_set(err, ENOENT, "gnuplot is not installed (apt-get install gnuplot-nox)");
        trend t = {0};
        int r = load(files, n, &t, err);
        if (r == 0)
                r = find_regressions(&t, err);
        if (r == 0)
                r = bench_mkdir_p(dir, 0755, err);
        _cleanup_free_ char *buf = NULL;
        size_t len = 0;
        FILE *m = NULL;
        if (r == 0 && !(m = open_memstream(&buf, &len)))
                r = bench_error_set(err, ENOMEM, "out of memory");
        if (r == 0)
                r = write_index(&t, m, dir, err);
        if (m) {
                if (ferror(m) && r == 0)
                        r = bench_error_set(err, ENOMEM, "out of memory");
                fclose(m);
        }
        if (r == 0)
                r = write_text(dir, "trend", ".md", buf, len, err);
        trend_clear(&t);
        return r < 0 ? r : 0;
}
