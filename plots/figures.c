/* SPDX-License-Identifier: MIT */
/*
 * What is drawn: bars per metric, startup distributions, startup phases,
 * metric against layer depth, and the compare view. Each figure is a
 * NAME.dat with a header saying what each column is, and gnuplot commands.
 */
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/cleanup.h"
#include "plot-internal.h"

/* Okabe-Ito-like, readable on white and for most colour-blind readers; by configuration rank */
static const unsigned config_colors[] = {0x0072b2, 0xe69f00, 0x009e73, 0xd55e00,
                                         0x56b4e9, 0xcc79a7, 0x999999, 0x8c564b};
/* one colour per startup phase, in the order of phase_order[] */
static const unsigned phase_colors[] = {0x1f77b4, 0xff7f0e, 0x2ca02c, 0xd62728, 0x9467bd, 0x8c564b, 0xe377c2,
                                        0x7f7f7f, 0xbcbd22, 0x17becf, 0x393b79, 0xad494a, 0x637939, 0x8c6d31};
/*
 * The order things happen in: container first, then vm (its boot split at
 * the console's markers, or one `boot` phase where a kernel prints none)
 */
static const char *const phase_order[] = {"cgroup", "clone",  "mounts", "pivot_root", "net",
                                          "caps",   "exec",   "define", "qemu",       "firmware",
                                          "loader", "kernel", "init",   "boot"};
/* one line colour per configuration kind in the layers figure */
static unsigned kind_color(const char *kind) {
        static const struct {
                const char *kind;
                unsigned color;
        } colors[] = {{"bare", 0x0072b2}, {"container", 0xd55e00}, {"vm", 0x009e73}, {"oci", 0xcc79a7}};
        for (size_t i = 0; i < ELEMENTSOF(colors); i++)
                if (!strcmp(colors[i].kind, kind))
                        return colors[i].color;
        return 0x8c564b;
}

#define COLOR_REGRESSED 0xd62728
#define COLOR_IMPROVED 0x2ca02c
#define COLOR_OTHER 0x555555
#define COMPARE_ROWS_PER_FIGURE 30
#define LOG_SPREAD 100.0

typedef struct cfg {
        const char *name, *kind, *accel;
        long layers; /* -1: the configuration has no `layers` */
        char *label; /* name, plus "(tcg, emulated)" / "(kvm)" for VMs */
        unsigned color;
} cfg;

typedef struct key {
        const char *workload, *kind, *metric, *unit, *better;
        size_t wl_rank, first;
} key;

typedef struct model {
        const res_file *f;
        cfg *cfgs;
        size_t n_cfgs;
        key *keys;
        size_t n_keys;
} model;

static void model_clear(model *m) {
        for (size_t i = 0; i < m->n_cfgs; i++)
                free(m->cfgs[i].label);
        free(m->cfgs);
        free(m->keys);
}

static bool usable(const res_series *s) {
        return s && s->has_stats && s->n_samples > 0 && s->stats.n > 0;
}

static const res_series *find(const model *m, const char *workload, const char *config, const char *metric) {
        const res_series *s = res_find(m->f, workload, config, metric);
        return usable(s) ? s : NULL;
}

static bool starts_with(const char *s, const char *prefix) {
        return !strncmp(s, prefix, strlen(prefix));
}

static bool is_phase(const char *metric) {
        return starts_with(metric, "phase.");
}

static const cJSON *suite_array(const res_file *f, const char *name) {
        const cJSON *a = f->suite ? cJSON_GetObjectItemCaseSensitive(f->suite, name) : NULL;
        return cJSON_IsArray(a) ? a : NULL;
}

/* `layers` as a count, or a list of layer sources (its length), or a stack "synth:...layers=N...". */
static long layers_of(const cJSON *c) {
        const cJSON *st = cJSON_GetObjectItemCaseSensitive(c, "stack");
        if (cJSON_IsString(st) && starts_with(st->valuestring, "synth:")) {
                const char *p = strstr(st->valuestring, "layers=");
                if (p && (p == st->valuestring + 6 || p[-1] == ','))
                        return strtol(p + 7, NULL, 10);
        }
        const cJSON *l = cJSON_GetObjectItemCaseSensitive(c, "layers");
        if (cJSON_IsNumber(l) && l->valuedouble >= 0 && l->valuedouble < 1e9)
                return (long)l->valuedouble;
        if (cJSON_IsArray(l))
                return cJSON_GetArraySize(l);
        return -1;
}

static int add_cfg(model *m, const char *name, const char *kind, long layers) {
        for (size_t i = 0; i < m->n_cfgs; i++)
                if (!strcmp(m->cfgs[i].name, name))
                        return 0;
        const char *accel = NULL, *runtime = NULL;
        bool found = false;
        for (size_t i = 0; i < m->f->n_series; i++) {
                const res_series *s = &m->f->series[i];
                if (strcmp(s->configuration, name) || !usable(s))
                        continue;
                found = true;
                if (!kind)
                        kind = s->config_kind;
                if (!accel && s->accel)
                        accel = s->accel;
                if (!runtime && s->runtime)
                        runtime = s->runtime;
        }
        if (!found) /* skipped, or failed throughout: nothing to draw */
                return 0;
        cfg *n = realloc(m->cfgs, (m->n_cfgs + 1) * sizeof(*n));
        if (!n)
                return -ENOMEM;
        m->cfgs = n;
        cfg *c = &m->cfgs[m->n_cfgs];
        *c = (cfg){.name = name, .kind = kind ? kind : "?", .accel = accel, .layers = layers};
        c->color = config_colors[m->n_cfgs % ELEMENTSOF(config_colors)];
        int r;
        if (accel && !strcmp(accel, "tcg"))
                r = asprintf(&c->label, "%s (tcg, emulated)", name);
        else if (accel)
                r = asprintf(&c->label, "%s (%s)", name, accel);
        else if (runtime) /* an OCI runtime's figures are its version's */
                r = asprintf(&c->label, "%s (%s)", name, runtime);
        else
                r = asprintf(&c->label, "%s", name);
        if (r < 0)
                return -ENOMEM;
        m->n_cfgs++;
        return 0;
}

static size_t workload_rank(const res_file *f, const char *workload) {
        const cJSON *wls = suite_array(f, "workloads");
        size_t i = 0;
        const cJSON *w;
        cJSON_ArrayForEach(w, wls) {
                const cJSON *n = cJSON_GetObjectItemCaseSensitive(w, "name");
                if (!cJSON_IsString(n))
                        n = cJSON_GetObjectItemCaseSensitive(w, "kind");
                if (cJSON_IsString(n) && !strcmp(n->valuestring, workload))
                        return i;
                i++;
        }
        return SIZE_MAX;
}

static int key_cmp(const void *a, const void *b) {
        const key *x = a, *y = b;
        if (x->wl_rank != y->wl_rank)
                return x->wl_rank < y->wl_rank ? -1 : 1;
        return x->first < y->first ? -1 : x->first > y->first;
}

static int model_build(model *m, const res_file *f) {
        *m = (model){.f = f};
        /* configurations in the suite's order, so that colours and bars keep their place */
        const cJSON *c;
        cJSON_ArrayForEach(c, suite_array(f, "configurations")) {
                const cJSON *n = cJSON_GetObjectItemCaseSensitive(c, "name");
                const cJSON *k = cJSON_GetObjectItemCaseSensitive(c, "kind");
                if (cJSON_IsString(n) &&
                    add_cfg(m, n->valuestring, cJSON_IsString(k) ? k->valuestring : NULL, layers_of(c)) < 0)
                        return -ENOMEM;
        }
        for (size_t i = 0; i < f->n_series; i++)
                if (add_cfg(m, f->series[i].configuration, f->series[i].config_kind, -1) < 0)
                        return -ENOMEM;

        m->keys = calloc(f->n_series ? f->n_series : 1, sizeof(*m->keys));
        if (!m->keys)
                return -ENOMEM;
        for (size_t i = 0; i < f->n_series; i++) {
                const res_series *s = &f->series[i];
                /* series by k or n (density) have their own figures, drawn against k and n */
                if (!usable(s) || s->k || s->n)
                        continue;
                bool seen = false;
                for (size_t j = 0; j < m->n_keys && !seen; j++)
                        seen = !strcmp(m->keys[j].workload, s->workload) &&
                               !strcmp(m->keys[j].metric, s->metric);
                if (!seen)
                        m->keys[m->n_keys++] = (key){.workload = s->workload,
                                                     .kind = s->kind,
                                                     .metric = s->metric,
                                                     .unit = s->unit,
                                                     .better = s->better,
                                                     .wl_rank = workload_rank(f, s->workload),
                                                     .first = i};
        }
        qsort(m->keys, m->n_keys, sizeof(*m->keys), key_cmp);
        return 0;
}

/* "ops_per_s (ops/s), higher is better" */
static void axis_label(FILE *g, const char *axis, const key *k) {
        _cleanup_free_ char *s = NULL;
        bool dir = k->better && (!strcmp(k->better, "higher") || !strcmp(k->better, "lower"));
        if (asprintf(&s, "%s (%s)%s%s%s", k->metric, k->unit && *k->unit ? k->unit : "no unit",
                     dir ? ", " : "", dir ? k->better : "", dir ? " is better" : "") < 0)
                return;
        fprintf(g, "set %s ", axis);
        plot_gp_string(g, s);
        fputc('\n', g);
}

static void gp_title(FILE *g, const char *cmd, const char *title) {
        fprintf(g, "%s ", cmd);
        plot_gp_string(g, title);
        fputc('\n', g);
}

/* "417M", "37.7k", "0.466": short enough to sit on a bar */
static const char *short_number(double v, char *buf, size_t len) {
        static const struct {
                double scale;
                const char *suffix;
        } steps[] = {{1e12, "T"}, {1e9, "G"}, {1e6, "M"}, {1e4, "k"}};
        for (size_t i = 0; i < ELEMENTSOF(steps); i++)
                if (fabs(v) >= steps[i].scale) {
                        double d = steps[i].scale == 1e4 ? 1e3 : steps[i].scale;
                        snprintf(buf, len, "%.3g%s", v / d, steps[i].suffix);
                        return buf;
                }
        snprintf(buf, len, fabs(v) >= 100 ? "%.0f" : "%.3g", v); /* 2504, not 2.5e+03 */
        return buf;
}

/* Tic labels in SI steps ("250.0k") once numbers get long; plain below. */
static void number_format(FILE *g, const char *axis, double max_abs) {
        if (max_abs >= 1e4)
                fprintf(g, "set format %s \"%%.1s%%c\"\n", axis);
}

static int emit(plot_ctx *ctx, plot_fig *fig, bench_error **err) {
        int r = plot_emit(ctx, fig, err);
        plot_fig_close(fig);
        return r;
}

static void gp_dat(FILE *g, const plot_fig *fig) {
        _cleanup_free_ char *dat = NULL;
        if (asprintf(&dat, "%s.dat", fig->name) >= 0)
                plot_gp_string(g, dat);
}

/* One bar per configuration: the median, with the CI of the median as an error bar. */
static int fig_bars(plot_ctx *ctx, const model *m, const key *k, bench_error **err) {
        _cleanup_free_ const res_series **ss = calloc(m->n_cfgs + 1, sizeof(*ss));
        if (!ss)
                return bench_error_set(err, ENOMEM, "out of memory");
        size_t n = 0;
        double lo = INFINITY, hi = -INFINITY, max_abs = 0;
        bool small_n = false;
        for (size_t i = 0; i < m->n_cfgs; i++) {
                ss[i] = find(m, k->workload, m->cfgs[i].name, k->metric);
                if (!ss[i])
                        continue;
                const res_stats *st = &ss[i]->stats;
                n++;
                lo = fmin(lo, fmin(st->median, st->ci95_low));
                hi = fmax(hi, fmax(st->median, st->ci95_high));
                max_abs = fmax(max_abs, fmax(fabs(st->ci95_low), fabs(st->ci95_high)));
                small_n |= st->ci_level < 0.95;
        }
        if (n == 0)
                return 0;
        _cleanup_free_ char *name = NULL, *title = NULL;
        if (asprintf(&name, "%s-%s", k->workload, k->metric) < 0 ||
            asprintf(&title, "%s: %s per configuration (median; error bars: %s)", k->workload, k->metric,
                     small_n ? "95% CI of the median, min..max where n is small" : "95% CI of the median") <
                    0)
                return bench_error_set(err, ENOMEM, "out of memory");
        plot_fig fig;
        int r = plot_fig_open(&fig, ctx, name, title, err);
        if (r < 0)
                return r;

        fprintf(fig.dat, "# %s: %s (%s), %s is better; one row per configuration\n", k->workload, k->metric,
                k->unit, k->better);
        fputs("# columns: 1 configuration, 2 median, 3 ci95_low, 4 ci95_high, 5 samples (n), "
              "6 colour (0xRRGGBB as an integer), 7 the median as written on the bar\n",
              fig.dat);
        for (size_t i = 0; i < m->n_cfgs; i++) {
                if (!ss[i])
                        continue;
                const res_stats *st = &ss[i]->stats;
                plot_dat_string(fig.dat, m->cfgs[i].label);
                fputc(' ', fig.dat);
                plot_dat_number(fig.dat, st->median);
                fputc(' ', fig.dat);
                plot_dat_number(fig.dat, st->ci95_low);
                fputc(' ', fig.dat);
                plot_dat_number(fig.dat, st->ci95_high);
                char label[32];
                fprintf(fig.dat, " %zu %u ", st->n, m->cfgs[i].color);
                plot_dat_string(fig.dat, short_number(st->median, label, sizeof(label)));
                fputc('\n', fig.dat);
        }

        gp_title(fig.set, "set title", title);
        axis_label(fig.set, "ylabel", k);
        /* bare 0.5 ms next to a TCG VM's 2500 ms: a linear axis would hide the small ones */
        if (lo > 0 && hi / lo > LOG_SPREAD)
                fputs("set logscale y\n", fig.set);
        else /* room for the labels above the bars; a log axis has its decade */
                fprintf(fig.set, "%sset offsets 0, 0, graph 0.08, 0\n", lo >= 0 ? "set yrange [0:*]\n" : "");
        number_format(fig.set, "y", max_abs);
        fprintf(fig.set,
                "set style fill solid 0.8 border rgb \"black\"\n"
                "set boxwidth 0.6\n"
                "set xrange [-0.6:%zu.6]\n"
                "set grid ytics lc rgb \"#dddddd\"\n"
                "set xtics nomirror scale 0%s\n"
                "set ytics nomirror\n"
                "set border 3\n"
                "unset key\n",
                n - 1, n > 5 ? " rotate by -20" : "");
        fputs("plot ", fig.body);
        gp_dat(fig.body, &fig);
        fputs(" using 0:2:6:xtic(1) with boxes lc rgb variable notitle, \\\n"
              "     '' using 0:2:3:4 with yerrorbars lc rgb \"black\" pt 0 lw 1.5 notitle, \\\n"
              "     '' using 0:4:7 with labels offset 0,0.9 notitle\n",
              fig.body);
        return emit(ctx, &fig, err);
}

/*
 * The box of a box plot, computed here rather than by gnuplot (whose
 * boxplot style drops the box of a 3-sample set without outliers): quartiles
 * by Hyndman & Fan type 7 like every other statistic of bench, whiskers at
 * the furthest samples within 1.5 IQR (Tukey).
 */
typedef struct box {
        double q1, median, q3, wlo, whi;
} box;

/* s: the samples sorted */
static void box_of(const double *s, size_t n, box *ret) {
        box b = {.q1 = bench_percentile_sorted(s, n, 25),
                 .median = bench_percentile_sorted(s, n, 50),
                 .q3 = bench_percentile_sorted(s, n, 75)};
        double iqr = b.q3 - b.q1;
        b.wlo = b.q1;
        b.whi = b.q3;
        for (size_t i = 0; i < n; i++) {
                if (s[i] >= b.q1 - 1.5 * iqr && s[i] < b.wlo)
                        b.wlo = s[i];
                if (s[i] <= b.q3 + 1.5 * iqr && s[i] > b.whi)
                        b.whi = s[i];
        }
        *ret = b;
}

static int sorted_samples(const res_series *r, double **ret) {
        double *s = malloc(r->n_samples * sizeof(*s));
        if (!s)
                return -ENOMEM;
        memcpy(s, r->samples, r->n_samples * sizeof(*s));
        res_sort(s, r->n_samples);
        *ret = s;
        return 0;
}

/* The dots of one configuration: every sample, or PLOT_MAX_POINTS evenly spaced quantiles of sorted. */
static void dat_points(FILE *dat, size_t b, const res_series *r, const double *sorted) {
        size_t n = r->n_samples, m = n > PLOT_MAX_POINTS ? PLOT_MAX_POINTS : n;
        for (size_t j = 0; j < m; j++) {
                /* index j (n - 1) / (m - 1), rounded: 0 and n - 1 included */
                double v = m == n ? r->samples[j]
                                  : sorted[(size_t)(((double)j * (double)(n - 1)) / (double)(m - 1) + 0.5)];
                fprintf(dat, "%zu ", b);
                plot_dat_number(dat, v);
                fputc(' ', dat);
                plot_dat_string(dat, r->configuration);
                fputc('\n', dat);
        }
}

static void free_sorted(double **v, size_t n) {
        for (size_t i = 0; i < n; i++) {
                free(v[i]);
                v[i] = NULL;
        }
}

/*
 * Startup latency per configuration: box plots from every sample, with the
 * samples (or, above PLOT_MAX_POINTS, as many quantiles) as dots on top.
 */
static int fig_distribution(plot_ctx *ctx, const model *m, const key *k, bench_error **err) {
        _cleanup_free_ const res_series **ss = calloc(m->n_cfgs + 1, sizeof(*ss));
        if (!ss)
                return bench_error_set(err, ENOMEM, "out of memory");
        size_t n = 0;
        double lo = INFINITY, hi = -INFINITY;
        for (size_t i = 0; i < m->n_cfgs; i++) {
                ss[i] = find(m, k->workload, m->cfgs[i].name, k->metric);
                if (!ss[i])
                        continue;
                n++;
                for (size_t j = 0; j < ss[i]->n_samples; j++) {
                        lo = fmin(lo, ss[i]->samples[j]);
                        hi = fmax(hi, ss[i]->samples[j]);
                }
        }
        if (n == 0)
                return 0;
        bool thinned = false;
        for (size_t i = 0; i < m->n_cfgs; i++)
                thinned |= ss[i] && ss[i]->n_samples > PLOT_MAX_POINTS;
        _cleanup_free_ char *name = NULL, *title = NULL, *dots = NULL;
        if ((thinned ? asprintf(&dots, "every sample, or %d evenly spaced quantiles above %d samples",
                                PLOT_MAX_POINTS, PLOT_MAX_POINTS)
                     : asprintf(&dots, "every sample")) < 0 ||
            asprintf(&name, "%s-%s-distribution", k->workload, k->metric) < 0 ||
            asprintf(&title,
                     "%s: distribution of %s per configuration (box: quartiles and median, "
                     "whiskers: 1.5 IQR; dots: %s)",
                     k->workload, k->metric, dots) < 0)
                return bench_error_set(err, ENOMEM, "out of memory");
        plot_fig fig;
        int r = plot_fig_open(&fig, ctx, name, title, err);
        if (r < 0)
                return r;

        fprintf(fig.dat,
                "# %s: %s (%s) per configuration; gnuplot index 0: one row per configuration with its box,\n"
                "# index 1, 2, ...: %s of one configuration\n"
                "# index 0 columns: 1 x position, 2 q1, 3 whisker_low, 4 whisker_high, 5 q3, 6 median, "
                "7 colour (0xRRGGBB as an integer), 8 configuration\n"
                "# index 1... columns: 1 x position, 2 %s (%s), 3 configuration\n",
                k->workload, k->metric, k->unit, dots, k->metric, k->unit);
        _cleanup_free_ double **sorted = calloc(m->n_cfgs + 1, sizeof(*sorted));
        if (!sorted) {
                plot_fig_close(&fig);
                return bench_error_set(err, ENOMEM, "out of memory");
        }
        fputs("set xtics (", fig.set);
        size_t b = 0;
        for (size_t i = 0; i < m->n_cfgs; i++) {
                if (!ss[i])
                        continue;
                box bx;
                _cleanup_free_ char *tic = NULL;
                if (sorted_samples(ss[i], &sorted[i]) < 0 ||
                    asprintf(&tic, "%s\n(n = %zu)", m->cfgs[i].label, ss[i]->n_samples) < 0) {
                        free_sorted(sorted, m->n_cfgs);
                        plot_fig_close(&fig);
                        return bench_error_set(err, ENOMEM, "out of memory");
                }
                box_of(sorted[i], ss[i]->n_samples, &bx);
                fprintf(fig.dat, "%zu", b + 1);
                const double cols[] = {bx.q1, bx.wlo, bx.whi, bx.q3, bx.median};
                for (size_t c = 0; c < ELEMENTSOF(cols); c++) {
                        fputc(' ', fig.dat);
                        plot_dat_number(fig.dat, cols[c]);
                }
                fprintf(fig.dat, " %u ", m->cfgs[i].color);
                plot_dat_string(fig.dat, m->cfgs[i].label);
                fputc('\n', fig.dat);
                fputs(b ? ", " : "", fig.set);
                plot_gp_string(fig.set, tic);
                fprintf(fig.set, " %zu", b + 1);
                b++;
        }
        fputs(")\n", fig.set);
        b = 0;
        for (size_t i = 0; i < m->n_cfgs; i++) {
                if (!ss[i])
                        continue;
                b++;
                fprintf(fig.dat, "\n\n# index %zu: %s of ", b,
                        ss[i]->n_samples > PLOT_MAX_POINTS ? "evenly spaced quantiles" : "every sample");
                plot_dat_string(fig.dat, m->cfgs[i].label);
                fputc('\n', fig.dat);
                dat_points(fig.dat, b, ss[i], sorted[i]);
        }
        free_sorted(sorted, m->n_cfgs);

        /* the jitter is random: one seed makes the PNG, the SVG and reruns alike */
        fputs("seed = rand(-1)\nplot ", fig.body);
        gp_dat(fig.body, &fig);
        fputs(" index 0 using 1:2:3:4:5:7 with candlesticks whiskerbars 0.5 lw 1.5 lc rgb variable fs solid "
              "0.25 "
              "notitle, \\\n"
              "     '' index 0 using 1:6:6:6:6:7 with candlesticks lw 3 lc rgb variable notitle",
              fig.body);
        b = 0;
        for (size_t i = 0; i < m->n_cfgs; i++) {
                if (!ss[i])
                        continue;
                b++;
                fprintf(fig.body,
                        ", \\\n     '' index %zu using ($1 + 0.3 * (rand(0) - 0.5)):2 with points pt 7 ps "
                        "0.6 "
                        "lc rgb \"#%06x\" notitle",
                        b, m->cfgs[i].color);
        }
        fputc('\n', fig.body);

        gp_title(fig.set, "set title", title);
        axis_label(fig.set, "ylabel", k);
        /* the spread across configurations is 1000x here (bare 0.5 ms, TCG VM 2.5 s) */
        if (lo > 0 && hi / lo > LOG_SPREAD)
                fputs("set logscale y\n", fig.set);
        else
                fprintf(fig.set, "%sset offsets 0, 0, graph 0.03, graph 0.03\n",
                        lo >= 0 ? "set yrange [0:*]\n" : "");
        number_format(fig.set, "y", hi);
        fprintf(fig.set,
                "set boxwidth 0.5\n"
                "set xrange [0.4:%zu.6]\n"
                "set grid ytics lc rgb \"#dddddd\"\n"
                "set xtics nomirror scale 0\n"
                "set ytics nomirror\n"
                "set border 3\n"
                "set bmargin 5\n"
                "unset key\n",
                n);
        return emit(ctx, &fig, err);
}

typedef struct strv {
        char **v;
        size_t n;
} strv;

static void strv_clear(strv *s) {
        for (size_t i = 0; i < s->n; i++)
                free(s->v[i]);
        free(s->v);
        *s = (strv){0};
}

static int strv_add_unique(strv *s, const char *x) {
        for (size_t i = 0; i < s->n; i++)
                if (!strcmp(s->v[i], x))
                        return 0;
        char **n = realloc(s->v, (s->n + 1) * sizeof(*n));
        if (!n)
                return -ENOMEM;
        s->v = n;
        if (!(s->v[s->n] = strdup(x)))
                return -ENOMEM;
        s->n++;
        return 0;
}

/* "phase.pivot_root_ms" -> "pivot_root" */
static char *phase_name(const char *metric) {
        const char *p = metric + strlen("phase.");
        size_t n = strlen(p);
        if (n > 3 && !strcmp(p + n - 3, "_ms"))
                n -= 3;
        return strndup(p, n);
}

static size_t phase_rank(const char *metric) {
        _cleanup_free_ char *p = phase_name(metric);
        for (size_t i = 0; p && i < ELEMENTSOF(phase_order); i++)
                if (!strcmp(phase_order[i], p))
                        return i;
        return ELEMENTSOF(phase_order);
}

/* Phases in the order they happen; unknown ones after, as found. */
static void sort_phases(strv *s) {
        for (size_t i = 1; i < s->n; i++) {
                char *x = s->v[i];
                size_t rx = phase_rank(x), j = i;
                for (; j > 0 && phase_rank(s->v[j - 1]) > rx; j--)
                        s->v[j] = s->v[j - 1];
                s->v[j] = x;
        }
}

static const char *kind_label(const model *m, const char *kind, char *buf, size_t len) {
        const char *accel = NULL;
        for (size_t i = 0; i < m->n_cfgs; i++)
                if (!strcmp(m->cfgs[i].kind, kind) && m->cfgs[i].accel)
                        accel = m->cfgs[i].accel;
        if (!accel)
                snprintf(buf, len, "%s", kind);
        else if (!strcmp(accel, "tcg"))
                snprintf(buf, len, "%s (tcg, emulated)", kind);
        else
                snprintf(buf, len, "%s (%s)", kind, accel);
        return buf;
}

/* Startup phases stacked per configuration; one panel per configuration kind, each on its own scale. */
static int fig_phases(plot_ctx *ctx, const model *m, const char *workload, bench_error **err) {
        strv kinds = {0};
        int r = 0;
        for (size_t i = 0; i < m->n_cfgs && r == 0; i++)
                for (size_t j = 0; j < m->f->n_series && r == 0; j++) {
                        const res_series *s = &m->f->series[j];
                        if (usable(s) && is_phase(s->metric) && !strcmp(s->workload, workload) &&
                            !strcmp(s->configuration, m->cfgs[i].name))
                                r = strv_add_unique(&kinds, m->cfgs[i].kind);
                }
        if (r < 0 || kinds.n == 0) {
                strv_clear(&kinds);
                return r < 0 ? bench_error_set(err, ENOMEM, "out of memory") : 0;
        }
        _cleanup_free_ char *name = NULL, *title = NULL;
        plot_fig fig = {0};
        if (asprintf(&name, "%s-phases", workload) < 0 ||
            asprintf(&title, "%s: where the start time goes (median of each phase, ms; black dot: ready_ms)",
                     workload) < 0 ||
            plot_fig_open(&fig, ctx, name, title, err) < 0) {
                strv_clear(&kinds);
                return bench_error_set(err, ENOMEM, "out of memory");
        }
        fprintf(fig.dat,
                "# %s: median duration of each startup phase (ms), one block per configuration kind "
                "(gnuplot: index 0, 1, ...)\n"
                "# a phase a configuration does not have is 0\n",
                workload);
        fprintf(fig.set, "set style data histograms\n"
                         "set style histogram rowstacked\n"
                         "set style fill solid 0.85 border rgb \"black\"\n"
                         "set boxwidth 0.5 relative\n"
                         "set key outside right top vertical Left reverse noautotitle\n"
                         "set ylabel \"median duration (ms), lower is better\"\n"
                         "set yrange [0:*]\n"
                         "set grid ytics lc rgb \"#dddddd\"\n"
                         "set xtics nomirror scale 0\n"
                         "set ytics nomirror\n"
                         "set border 3\n");
        fprintf(fig.body, "set multiplot layout 1,%zu title ", kinds.n);
        plot_gp_string(fig.body, title);
        fputc('\n', fig.body);

        for (size_t b = 0; b < kinds.n && r == 0; b++) {
                strv phases = {0};
                size_t n_rows = 0;
                for (size_t i = 0; i < m->n_cfgs; i++) {
                        if (strcmp(m->cfgs[i].kind, kinds.v[b]))
                                continue;
                        bool any = false;
                        for (size_t j = 0; j < m->f->n_series && r == 0; j++) {
                                const res_series *s = &m->f->series[j];
                                if (usable(s) && is_phase(s->metric) && !strcmp(s->workload, workload) &&
                                    !strcmp(s->configuration, m->cfgs[i].name)) {
                                        r = strv_add_unique(&phases, s->metric);
                                        any = true;
                                }
                        }
                        n_rows += any;
                }
                sort_phases(&phases);
                char klabel[128];
                kind_label(m, kinds.v[b], klabel, sizeof(klabel));
                fprintf(fig.dat, "%s# block %zu: %s; columns: 1 configuration", b ? "\n\n" : "", b, klabel);
                for (size_t p = 0; p < phases.n; p++)
                        fprintf(fig.dat, ", %zu %s", p + 2, phases.v[p]);
                fprintf(fig.dat, ", %zu ready_ms (median, NaN if not measured)\n", phases.n + 2);
                for (size_t i = 0; i < m->n_cfgs; i++) {
                        if (strcmp(m->cfgs[i].kind, kinds.v[b]))
                                continue;
                        bool any = false;
                        for (size_t p = 0; p < phases.n; p++)
                                any |= find(m, workload, m->cfgs[i].name, phases.v[p]) != NULL;
                        if (!any)
                                continue;
                        plot_dat_string(fig.dat, m->cfgs[i].label);
                        for (size_t p = 0; p < phases.n; p++) {
                                const res_series *s = find(m, workload, m->cfgs[i].name, phases.v[p]);
                                fputc(' ', fig.dat);
                                plot_dat_number(fig.dat, s ? s->stats.median : 0);
                        }
                        const res_series *ready = find(m, workload, m->cfgs[i].name, "ready_ms");
                        fputc(' ', fig.dat);
                        plot_dat_number(fig.dat, ready ? ready->stats.median : NAN);
                        fputc('\n', fig.dat);
                }

                gp_title(fig.body, "set title", klabel);
                fprintf(fig.body, "set xrange [-0.75:%zu.25]\nplot ", n_rows > 0 ? n_rows - 1 : 0);
                for (size_t p = 0; p < phases.n; p++) {
                        _cleanup_free_ char *pn = phase_name(phases.v[p]);
                        size_t rank = phase_rank(phases.v[p]);
                        unsigned color = phase_colors[(rank < ELEMENTSOF(phase_order) ? rank : p) %
                                                      ELEMENTSOF(phase_colors)];
                        if (p == 0)
                                gp_dat(fig.body, &fig);
                        else
                                fputs("''", fig.body);
                        fprintf(fig.body, " index %zu using %zu%s lc rgb \"#%06x\" title ", b, p + 2,
                                p == 0 ? ":xtic(1)" : "", color);
                        plot_gp_string(fig.body, pn ? pn : phases.v[p]);
                        fputs(", \\\n     ", fig.body);
                }
                fprintf(fig.body,
                        "'' index %zu using 0:%zu with points pt 7 ps 1.6 lc rgb \"black\" title "
                        "\"ready_ms\"\n",
                        b, phases.n + 2);
                strv_clear(&phases);
        }
        fputs("unset multiplot\n", fig.body);
        strv_clear(&kinds);
        if (r < 0) {
                plot_fig_close(&fig);
                return bench_error_set(err, ENOMEM, "out of memory");
        }
        return emit(ctx, &fig, err);
}

typedef struct depth_point {
        const cfg *c;
        const res_series *s;
} depth_point;

static int depth_cmp(const void *a, const void *b) {
        const depth_point *x = a, *y = b;
        int k = strcmp(x->c->kind, y->c->kind);
        if (k)
                return k;
        return (x->c->layers > y->c->layers) - (x->c->layers < y->c->layers);
}

/* A metric against the number of layers, one line per configuration kind. */

/* The frame of a line chart (x against y, a line per configuration). */
static void line_chart_style(FILE *set) {
        fputs("set offsets 0, 0, graph 0.05, graph 0.05\n"
              "set grid xtics ytics lc rgb \"#dddddd\"\n"
              "set key below horizontal Left reverse width 2\n"
              "set border 3\n"
              "set xtics nomirror\n"
              "set ytics nomirror\n",
              set);
}

static int fig_layers(plot_ctx *ctx, const model *m, const key *k, bench_error **err) {
        _cleanup_free_ depth_point *pts = calloc(m->n_cfgs + 1, sizeof(*pts));
        if (!pts)
                return bench_error_set(err, ENOMEM, "out of memory");
        size_t n = 0, distinct = 0;
        long dmin = -1, dmax = -1;
        double max_abs = 0;
        for (size_t i = 0; i < m->n_cfgs; i++) {
                if (m->cfgs[i].layers < 0)
                        continue;
                const res_series *s = find(m, k->workload, m->cfgs[i].name, k->metric);
                if (!s)
                        continue;
                bool seen = false;
                for (size_t j = 0; j < n; j++)
                        seen |= pts[j].c->layers == m->cfgs[i].layers;
                distinct += !seen;
                pts[n++] = (depth_point){.c = &m->cfgs[i], .s = s};
                dmin = dmin < 0 || m->cfgs[i].layers < dmin ? m->cfgs[i].layers : dmin;
                dmax = m->cfgs[i].layers > dmax ? m->cfgs[i].layers : dmax;
                max_abs = fmax(max_abs, fmax(fabs(s->stats.ci95_low), fabs(s->stats.ci95_high)));
        }
        if (distinct < 2)
                return 0;
        /* stable order: kinds as they come, depths rising (qsort is not stable, but ties are equal) */
        qsort(pts, n, sizeof(*pts), depth_cmp);

        _cleanup_free_ char *name = NULL, *title = NULL;
        if (asprintf(&name, "%s-%s-by-layers", k->workload, k->metric) < 0 ||
            asprintf(&title, "%s: %s against layer depth (median; error bars: 95%% CI of the median)",
                     k->workload, k->metric) < 0)
                return bench_error_set(err, ENOMEM, "out of memory");
        plot_fig fig;
        int r = plot_fig_open(&fig, ctx, name, title, err);
        if (r < 0)
                return r;
        fprintf(fig.dat,
                "# %s: %s (%s), %s is better, by the configuration's `layers`; one block per "
                "configuration kind (gnuplot: index 0, 1, ...)\n"
                "# columns: 1 layers, 2 median, 3 ci95_low, 4 ci95_high, 5 configuration\n",
                k->workload, k->metric, k->unit, k->better);
        size_t b = 0;
        for (size_t i = 0; i < n; i++) {
                bool new_kind = i == 0 || strcmp(pts[i].c->kind, pts[i - 1].c->kind);
                if (new_kind) {
                        char klabel[128];
                        kind_label(m, pts[i].c->kind, klabel, sizeof(klabel));
                        fprintf(fig.dat, "%s# block %zu: ", i ? "\n\n" : "", b);
                        plot_dat_string(fig.dat, klabel);
                        fputc('\n', fig.dat);
                        fprintf(fig.body, "%s", b ? ", \\\n     " : "plot ");
                        gp_dat(fig.body, &fig);
                        fprintf(fig.body,
                                " index %zu using 1:2:3:4 with yerrorlines lw 2 pt 7 ps 1.3 lc rgb \"#%06x\" "
                                "title ",
                                b, kind_color(pts[i].c->kind));
                        plot_gp_string(fig.body, klabel);
                        b++;
                }
                const res_stats *st = &pts[i].s->stats;
                fprintf(fig.dat, "%ld ", pts[i].c->layers);
                plot_dat_number(fig.dat, st->median);
                fputc(' ', fig.dat);
                plot_dat_number(fig.dat, st->ci95_low);
                fputc(' ', fig.dat);
                plot_dat_number(fig.dat, st->ci95_high);
                fputc(' ', fig.dat);
                plot_dat_string(fig.dat, pts[i].c->name);
                fputc('\n', fig.dat);
        }
        fputc('\n', fig.body);

        gp_title(fig.set, "set title", title);
        axis_label(fig.set, "ylabel", k);
        fputs("set xlabel \"layers (read-only lower layers; VM: qcow2 backing chain length)\"\n", fig.set);
        /* 1, 8, 32 layers: a log axis spaces them evenly */
        if (dmin > 0 && dmax / dmin >= 8)
                fprintf(fig.set, "set logscale x 2\nset xrange [%g:%g]\n", dmin / 1.5, dmax * 1.5);
        else {
                double pad = (double)(dmax - dmin) * 0.08;
                fprintf(fig.set, "set xrange [%g:%g]\n", dmin - pad, dmax + pad);
        }
        fputs("set xtics (", fig.set);
        for (size_t i = 0; i < n; i++) {
                bool dup = false;
                for (size_t j = 0; j < i; j++)
                        dup |= pts[j].c->layers == pts[i].c->layers;
                if (!dup)
                        fprintf(fig.set, "%s\"%ld\" %ld", i ? ", " : "", pts[i].c->layers, pts[i].c->layers);
        }
        fputs(")\n", fig.set);
        /* 180k lookups/s at 1 layer and 1k at 500: a linear axis flattens the deep end */
        double ylo = 0, yhi = 0;
        for (size_t i = 0; i < n; i++) {
                double v = pts[i].s->stats.median;
                if (i == 0 || v < ylo)
                        ylo = v;
                if (i == 0 || v > yhi)
                        yhi = v;
        }
        if (ylo > 0 && yhi / ylo > LOG_SPREAD)
                fputs("set logscale y\n", fig.set);
        else if (ylo >= 0)
                fputs("set yrange [0:*]\n", fig.set);
        number_format(fig.set, "y", max_abs);
        line_chart_style(fig.set);
        return emit(ctx, &fig, err);
}

static const char *row_label(const cmp_row *row, char *buf, size_t len) {
        const res_series *s = row->cur ? row->cur : row->base;
        if (s)
                snprintf(buf, len, "%s/%s/%s", s->workload, s->configuration, s->metric);
        else
                snprintf(buf, len, "?");
        return buf;
}

/*
 * Ratios cur/base with their interval as horizontal bars; regressions red,
 * improvements green; with an equivalence margin m, the band 1 +- m shaded.
 */
static int fig_compare(plot_ctx *ctx, const cmp_report *cmp, const size_t *rows, size_t n, size_t part,
                       size_t parts, size_t total, bench_error **err) {
        _cleanup_free_ char *name = NULL, *title = NULL;
        bool tcg = false;
        double margin = cmp->opts.equivalence_pct / 100;
        char margin_text[32] = "";
        if (margin > 0)
                snprintf(margin_text, sizeof(margin_text), "%g%%)", cmp->opts.equivalence_pct);
        for (size_t i = 0; i < n; i++) {
                const cmp_row *row = &cmp->rows[rows[i]];
                tcg |= (row->cur && row->cur->accel && !strcmp(row->cur->accel, "tcg")) ||
                       (row->base && row->base->accel && !strcmp(row->base->accel, "tcg"));
        }
        if ((parts > 1 ? asprintf(&name, "compare-%zu", part + 1) : asprintf(&name, "compare")) < 0 ||
            asprintf(&title,
                     "comparison: ratio of medians, current / base, with its 95%% interval%s%s (rows %zu-%zu "
                     "of %zu)%s%s",
                     margin > 0 ? " (shaded: equivalence margin ±" : "", margin_text,
                     part * COMPARE_ROWS_PER_FIGURE + 1, part * COMPARE_ROWS_PER_FIGURE + n, total,
                     tcg ? "\n" : "", tcg ? "VM rows ran under TCG (emulated)" : "") < 0)
                return bench_error_set(err, ENOMEM, "out of memory");
        plot_fig fig;
        int r = plot_fig_open(&fig, ctx, name, title, err);
        if (r < 0)
                return r;
        fputs("# current / base ratio of medians per row, with its bootstrap 95% interval\n"
              "# columns: 1 row (0 = top), 2 ratio, 3 ratio_low, 4 ratio_high, 5 colour (0xRRGGBB as an "
              "integer), 6 verdict, 7 workload/configuration/metric\n",
              fig.dat);
        double lo = 1 - margin, hi = 1 + margin; /* the band, if any, is in view */
        for (size_t i = 0; i < n; i++) {
                const cmp_row *row = &cmp->rows[rows[i]];
                double l = isfinite(row->ratio_low) ? row->ratio_low : row->ratio;
                double h = isfinite(row->ratio_high) ? row->ratio_high : row->ratio;
                lo = fmin(lo, fmin(l, row->ratio));
                hi = fmax(hi, fmax(h, row->ratio));
                unsigned color = row->verdict == CMP_REGRESSED  ? COLOR_REGRESSED
                                 : row->verdict == CMP_IMPROVED ? COLOR_IMPROVED
                                                                : COLOR_OTHER;
                char label[512];
                fprintf(fig.dat, "%zu ", i);
                plot_dat_number(fig.dat, row->ratio);
                fputc(' ', fig.dat);
                plot_dat_number(fig.dat, l);
                fputc(' ', fig.dat);
                plot_dat_number(fig.dat, h);
                fprintf(fig.dat, " %u ", color);
                plot_dat_string(fig.dat, cmp_verdict_name(row->verdict));
                fputc(' ', fig.dat);
                plot_dat_string(fig.dat, row_label(row, label, sizeof(label)));
                fputc('\n', fig.dat);
        }
        gp_title(fig.set, "set title", title);
        fputs("set xlabel \"current / base (1 = unchanged; direction of better depends on the metric)\"\n",
              fig.set);
        if (lo > 0 && hi / lo > 10)
                fprintf(fig.set, "set logscale x\nset xrange [%g:%g]\n", lo / 1.2, hi * 1.2);
        else {
                double pad = (hi - lo) * 0.08 + 0.01;
                fprintf(fig.set, "set xrange [%g:%g]\n", lo - pad, hi + pad);
        }
        fprintf(fig.set,
                "set yrange [%zu.6:-0.6]\n"
                "set ytics nomirror scale 0%s\n"
                "set xtics nomirror\n"
                "set grid xtics lc rgb \"#dddddd\"\n"
                "set arrow 1 from first 1, graph 0 to first 1, graph 1 nohead lc rgb \"#333333\" dt 2 lw "
                "1.5\n"
                "set key below horizontal Left reverse width 2\n"
                "set border 3\n",
                n - 1, n > 20 ? " font \",10\"" : "");
        if (margin > 0)
                fprintf(fig.set,
                        "set object 1 rect from first %.17g, graph 0 to first %.17g, graph 1 behind "
                        "fc rgb \"#e3eee3\" fs solid 1.0 noborder\n",
                        1 - margin, 1 + margin);
        fputs("plot ", fig.body);
        gp_dat(fig.body, &fig);
        fprintf(fig.body,
                " using 2:1:3:4:5:ytic(7) with xerrorbars pt 7 ps 1.2 lw 2 lc rgb variable notitle, \\\n"
                "     NaN with points pt 7 ps 1.2 lc rgb \"#%06x\" title \"regressed\", \\\n"
                "     NaN with points pt 7 ps 1.2 lc rgb \"#%06x\" title \"improved\", \\\n"
                "     NaN with points pt 7 ps 1.2 lc rgb \"#%06x\" title \"%s\"\n",
                COLOR_REGRESSED, COLOR_IMPROVED, COLOR_OTHER,
                margin > 0 ? "equivalent, inconclusive or too few samples"
                           : "unchanged, too noisy or too few samples");
        return emit(ctx, &fig, err);
}

static int figs_compare(plot_ctx *ctx, const cmp_report *cmp, bench_error **err) {
        _cleanup_free_ size_t *rows = calloc(cmp->n_rows + 1, sizeof(*rows));
        if (!rows)
                return bench_error_set(err, ENOMEM, "out of memory");
        size_t n = 0;
        for (size_t i = 0; i < cmp->n_rows; i++)
                if (isfinite(cmp->rows[i].ratio)) /* no ratio (a zero median): nothing to place */
                        rows[n++] = i;
        size_t parts = (n + COMPARE_ROWS_PER_FIGURE - 1) / COMPARE_ROWS_PER_FIGURE;
        for (size_t p = 0; p < parts; p++) {
                size_t off = p * COMPARE_ROWS_PER_FIGURE;
                size_t cnt = n - off < COMPARE_ROWS_PER_FIGURE ? n - off : COMPARE_ROWS_PER_FIGURE;
                int r = fig_compare(ctx, cmp, rows + off, cnt, p, parts, n, err);
                if (r < 0)
                        return r;
        }
        return 0;
}

/*
 * A fleet's metric: each host's overhead (its ratio to its own bare, or the
 * difference) with the 95% interval, the fleet median as a dashed line,
 * hosts that stand out in red.
 */
static int fig_fleet(plot_ctx *ctx, const fleet *fl, const fleet_metric *m, bench_error **err) {
        bool ratio = m->by == CMP_BY_RATIO;
        _cleanup_free_ char *name = NULL, *title = NULL, *stem = NULL;
        if (asprintf(&stem, "fleet-%s-%s-%s", m->workload, m->configuration, m->label) < 0 ||
            !(name = plot_sanitize_name(stem)) ||
            asprintf(&title, "%s: %s %s vs bare, per host (%s with its 95%% interval; dashed: fleet median)",
                     m->workload, m->configuration, m->label, ratio ? "ratio" : "difference") < 0)
                return bench_error_set(err, ENOMEM, "out of memory");
        plot_fig fig;
        int r = plot_fig_open(&fig, ctx, name, title, err);
        if (r < 0)
                return r;
        fprintf(fig.dat,
                "# each host's %s against its own bare, with its bootstrap 95%% interval\n"
                "# columns: 1 row (0 = top), 2 value, 3 low, 4 high, 5 colour (0xRRGGBB as an integer), "
                "6 host\n",
                ratio ? "ratio configuration / bare" : "difference configuration - bare");
        double lo = ratio ? 1 : 0, hi = lo;
        size_t row = 0;
        for (size_t h = 0; h < fl->n_hosts; h++) {
                const cmp_row *cr = m->rows[h];
                double v = cr && cr->by == m->by ? fleet_row_value(cr) : NAN, l, u;
                if (!isfinite(v))
                        continue;
                fleet_row_interval(cr, &l, &u);
                l = isfinite(l) ? l : v;
                u = isfinite(u) ? u : v;
                lo = fmin(lo, l);
                hi = fmax(hi, u);
                fprintf(fig.dat, "%zu ", row++);
                plot_dat_number(fig.dat, v);
                fputc(' ', fig.dat);
                plot_dat_number(fig.dat, l);
                fputc(' ', fig.dat);
                plot_dat_number(fig.dat, u);
                fprintf(fig.dat, " %u ", m->stands_out[h] ? COLOR_REGRESSED : COLOR_OTHER);
                plot_dat_string(fig.dat, fl->hosts[h].key);
                fputc('\n', fig.dat);
        }
        if (row == 0) {
                plot_fig_close(&fig);
                return 0;
        }
        gp_title(fig.set, "set title", title);
        fputs(ratio ? "set xlabel \"configuration / bare (1 = no overhead)\"\n" : "set xlabel ", fig.set);
        if (!ratio) {
                _cleanup_free_ char *xl = NULL;
                if (asprintf(&xl, "configuration - bare (%s)", m->unit) < 0) {
                        plot_fig_close(&fig);
                        return bench_error_set(err, ENOMEM, "out of memory");
                }
                plot_gp_string(fig.set, xl);
                fputc('\n', fig.set);
        }
        double pad = (hi - lo) * 0.08 + (ratio ? 0.01 : 1e-9);
        fprintf(fig.set,
                "set xrange [%.17g:%.17g]\n"
                "set yrange [%zu.6:-0.6]\n"
                "set ytics nomirror scale 0%s\n"
                "set xtics nomirror\n"
                "set grid xtics lc rgb \"#dddddd\"\n"
                "set arrow 1 from first %g, graph 0 to first %g, graph 1 nohead lc rgb \"#333333\" lw 1\n"
                "set key below horizontal Left reverse width 2\n"
                "set border 3\n",
                lo - pad, hi + pad, row - 1, row > 20 ? " font \",10\"" : "", ratio ? 1.0 : 0.0,
                ratio ? 1.0 : 0.0);
        if (isfinite(m->median))
                fprintf(fig.set,
                        "set arrow 2 from first %.17g, graph 0 to first %.17g, graph 1 nohead lc rgb "
                        "\"#1f77b4\" dt 2 lw 1.5\n",
                        m->median, m->median);
        fputs("plot ", fig.body);
        gp_dat(fig.body, &fig);
        fprintf(fig.body,
                " using 2:1:3:4:5:ytic(6) with xerrorbars pt 7 ps 1.2 lw 2 lc rgb variable notitle, \\\n"
                "     NaN with points pt 7 ps 1.2 lc rgb \"#%06x\" title \"stands out\", \\\n"
                "     NaN with points pt 7 ps 1.2 lc rgb \"#%06x\" title \"host\"\n",
                COLOR_REGRESSED, COLOR_OTHER);
        return emit(ctx, &fig, err);
}

int plot_fleet_figures(plot_ctx *ctx, const fleet *fl, bench_error **err) {
        for (size_t i = 0; i < fl->n_metrics; i++) {
                int r = fig_fleet(ctx, fl, &fl->metrics[i], err);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* One line of a by-k / by-n figure: a configuration's series of one metric, ordered by x. */
typedef struct at_point {
        unsigned x;
        const res_series *s;
} at_point;

static int at_cmp(const void *a, const void *b) {
        const at_point *x = a, *y = b;
        return (x->x > y->x) - (x->x < y->x);
}

/* The series of workload/config/metric by k (by_k) or by n, sorted by it; their count. */
static size_t at_points(const model *m, const char *workload, const char *config, const char *metric,
                        bool by_k, at_point *out) {
        size_t n = 0;
        for (size_t i = 0; i < m->f->n_series; i++) {
                const res_series *s = &m->f->series[i];
                unsigned x = by_k ? s->k : s->n;
                if (!usable(s) || !x || (by_k ? s->n : s->k) || strcmp(s->workload, workload) ||
                    strcmp(s->configuration, config) || strcmp(s->metric, metric))
                        continue;
                out[n++] = (at_point){.x = x, .s = s};
        }
        qsort(out, n, sizeof(*out), at_cmp);
        return n;
}

/*
 * density: metrics against k (the k-th environment started, k-1 up) or
 * n (environments up at once), a line per configuration and metric (the
 * first solid, the others dashed). Nothing drawn when no metric has a point.
 */
static int fig_density(plot_ctx *ctx, const model *m, const char *workload, const char *suffix, bool by_k,
                       const char *const *metrics, size_t n_metrics, const char *what, bench_error **err) {
        _cleanup_free_ at_point *pts = calloc(m->f->n_series + 1, sizeof(*pts));
        if (!pts)
                return bench_error_set(err, ENOMEM, "out of memory");
        const char *unit = NULL;
        bool any = false;
        unsigned xmin = 0, xmax = 0;
        for (size_t c = 0; c < m->n_cfgs; c++)
                for (size_t j = 0; j < n_metrics; j++) {
                        size_t n = at_points(m, workload, m->cfgs[c].name, metrics[j], by_k, pts);
                        if (n == 0)
                                continue;
                        unit = unit ? unit : pts[0].s->unit;
                        xmin = !any || pts[0].x < xmin ? pts[0].x : xmin;
                        xmax = pts[n - 1].x > xmax ? pts[n - 1].x : xmax;
                        any = true;
                }
        if (!any)
                return 0;
        _cleanup_free_ char *name = NULL, *title = NULL, *ylabel = NULL;
        if (asprintf(&name, "%s-%s", workload, suffix) < 0 ||
            asprintf(&title, "%s: %s (median; error bars: 95%% CI of the median)", workload, what) < 0 ||
            asprintf(&ylabel, "%s (lower is better)", unit) < 0)
                return bench_error_set(err, ENOMEM, "out of memory");
        plot_fig fig;
        int r = plot_fig_open(&fig, ctx, name, title, err);
        if (r < 0)
                return r;
        fprintf(fig.dat,
                "# %s: %s; one block per configuration and metric (gnuplot: index 0, 1, ...)\n"
                "# columns: 1 %s, 2 median, 3 ci95_low, 4 ci95_high, 5 samples\n",
                workload, what,
                by_k ? "k (the k-th environment started, k-1 already up)" : "n (environments up)");
        size_t b = 0;
        bool tcg = false;
        for (size_t c = 0; c < m->n_cfgs; c++)
                for (size_t j = 0; j < n_metrics; j++) {
                        size_t n = at_points(m, workload, m->cfgs[c].name, metrics[j], by_k, pts);
                        if (n == 0)
                                continue;
                        _cleanup_free_ char *label = NULL;
                        if (asprintf(&label, "%s%s%s", m->cfgs[c].label, n_metrics > 1 ? ": " : "",
                                     n_metrics > 1 ? metrics[j] : "") < 0) {
                                plot_fig_close(&fig);
                                return bench_error_set(err, ENOMEM, "out of memory");
                        }
                        tcg |= m->cfgs[c].accel && !strcmp(m->cfgs[c].accel, "tcg");
                        fprintf(fig.dat, "%s# block %zu: ", b ? "\n\n" : "", b);
                        plot_dat_string(fig.dat, label);
                        fputc('\n', fig.dat);
                        for (size_t i = 0; i < n; i++) {
                                const res_stats *st = &pts[i].s->stats;
                                fprintf(fig.dat, "%u ", pts[i].x);
                                plot_dat_number(fig.dat, st->median);
                                fputc(' ', fig.dat);
                                plot_dat_number(fig.dat, st->ci95_low);
                                fputc(' ', fig.dat);
                                plot_dat_number(fig.dat, st->ci95_high);
                                fprintf(fig.dat, " %zu\n", st->n);
                        }
                        fprintf(fig.body, "%s", b ? ", \\\n     " : "plot ");
                        gp_dat(fig.body, &fig);
                        fprintf(fig.body,
                                " index %zu using 1:2:3:4 with yerrorlines lw 2 pt 7 ps 1.1 dt %zu lc rgb "
                                "\"#%06x\" "
                                "title ",
                                b, j + 1, m->cfgs[c].color);
                        plot_gp_string(fig.body, label);
                        b++;
                }
        fputc('\n', fig.body);
        gp_title(fig.set, "set title", title);
        fputs("set ylabel ", fig.set);
        plot_gp_string(fig.set, ylabel);
        fputc('\n', fig.set);
        fprintf(fig.set, "set xlabel \"%s%s\"\n",
                by_k ? "k: the k-th environment started, k-1 already running" : "n: environments up at once",
                tcg ? " (VM rows: TCG, emulated)" : "");
        /* 1, 8, 32, 128: a log axis spaces them evenly */
        if (xmin > 0 && xmax / xmin >= 16)
                fprintf(fig.set, "set logscale x 2\nset xrange [%g:%g]\n", xmin / 1.3, xmax * 1.3);
        else
                fprintf(fig.set, "set xrange [%g:%g]\n", xmin - 0.5, xmax + 0.5);
        /* latencies start at 0; memory by MemAvailable may dip below it at small n (its steps are MiBs) */
        if (by_k)
                fputs("set yrange [0:*]\n", fig.set);
        line_chart_style(fig.set);
        return emit(ctx, &fig, err);
}

/* The density figures of each workload with series by k or n, once per workload. */
static int figs_density(plot_ctx *ctx, const model *m, bench_error **err) {
        strv done = {0};
        int r = 0;
        static const char *const start_k[] = {"sequential.start_ms"};
        static const char *const start_n[] = {"sequential.last_start_ms", "parallel.last_start_ms",
                                              "parallel.all_ready_ms"};
        static const char *const mem_n[] = {"mem_per_env_kib", "pss_per_env_kib", "cgroup_per_env_kib"};
        static const char *const read_n[] = {"read_added_per_env_kib", "read_mem_per_env_kib"};
        for (size_t i = 0; i < m->f->n_series && r == 0; i++) {
                const res_series *s = &m->f->series[i];
                size_t before = done.n;
                if (!(s->k || s->n))
                        continue;
                if (strv_add_unique(&done, s->workload) < 0) {
                        r = bench_error_set(err, ENOMEM, "out of memory");
                        break;
                }
                if (done.n == before)
                        continue;
                r = fig_density(ctx, m, s->workload, "start-by-k", true, start_k, ELEMENTSOF(start_k),
                                "start latency of the k-th environment with k-1 up", err);
                if (r == 0)
                        r = fig_density(ctx, m, s->workload, "start-by-n", false, start_n,
                                        ELEMENTSOF(start_n), "the last start of n, and all n ready", err);
                if (r == 0)
                        r = fig_density(ctx, m, s->workload, "memory-by-n", false, mem_n, ELEMENTSOF(mem_n),
                                        "host memory per environment with n up", err);
                if (r == 0)
                        r = fig_density(ctx, m, s->workload, "read-by-n", false, read_n, ELEMENTSOF(read_n),
                                        "host memory per environment after each read the same file", err);
        }
        strv_clear(&done);
        return r;
}

int plot_figures(plot_ctx *ctx, const res_file *f, const cmp_report *cmp, bench_error **err) {
        model m;
        if (model_build(&m, f) < 0) {
                model_clear(&m);
                return bench_error_set(err, ENOMEM, "out of memory");
        }
        strv startup = {0};
        int r = 0;
        for (size_t i = 0; i < m.n_keys && r == 0; i++) {
                const key *k = &m.keys[i];
                /* phases have their stacked figure; a bar chart each would repeat it ten times */
                if (!is_phase(k->metric))
                        r = fig_bars(ctx, &m, k, err);
                bool is_startup = k->kind && !strcmp(k->kind, "startup");
                if (r == 0 && is_startup && !strcmp(k->metric, "ready_ms"))
                        r = fig_distribution(ctx, &m, k, err);
                if (r == 0 && is_startup && is_phase(k->metric)) {
                        size_t before = startup.n;
                        if (strv_add_unique(&startup, k->workload) < 0)
                                r = bench_error_set(err, ENOMEM, "out of memory");
                        else if (startup.n > before) /* once per workload, at its first phase */
                                r = fig_phases(ctx, &m, k->workload, err);
                }
                if (r == 0)
                        r = fig_layers(ctx, &m, k, err);
        }
        if (r == 0)
                r = figs_density(ctx, &m, err);
        if (r == 0 && cmp)
                r = figs_compare(ctx, cmp, err);
        strv_clear(&startup);
        model_clear(&m);
        return r;
}
