/* SPDX-License-Identifier: MIT */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../common/cleanup.h"
#include "../../common/util.h"
#include "../../plots/escape.h"
#include "../../plots/export.h"

/* Hostile names: CSV/TSV structure, a spreadsheet formula, LaTeX and Markdown specials. */
#define EVIL_SUITE "=cmd|' /C calc'!A0"
#define EVIL_CONFIG "c,\"q\"\r\n\t\\x y $&#^_%~{}<>|[x]*-- \\end{tabular}\\input{/etc/passwd}"
#define EVIL_WORKLOAD "[w] \"=1+1\",@SUM(A1) \\\\[3pt] Zürich ☺"
/* control characters and a byte that is not UTF-8: a space and U+FFFD in CSV and TSV */
#define CTL_CONFIG "ctl\x1b[31m\xff"
#define CTL_SHOWN "ctl [31m\xef\xbf\xbd"

static const char *const tidy_cols[] = {"suite",  "configuration", "kind",      "accel",  "workload",
                                        "params", "depth",         "metric",    "unit",   "repetition",
                                        "value",  "density_k",     "density_n", "derived"};

/* Values that need all 17 digits, the smallest subnormal, a negative zero: series bare has alone. */
static const double exact_v[] = {0.1,
                                 1e-300,
                                 4.9406564584124654e-324,
                                 123456789.12345679,
                                 0.30000000000000004,
                                 -0.0,
                                 1.0000000000000002,
                                 7e22};
static const double bare_v[] = {0.50, 0.52, 0.49, 0.51, 0.50};
static const double evil_v[] = {8.1, 8.3, 8.2, 8.0, 8.4};

static void add(res_file *f, const char *workload, const char *config, const char *config_kind,
                const char *metric, const char *accel, const cJSON *params, const double *v, size_t n) {
        res_series *s =
                res_series_get(f, workload, "startup", config, config_kind, metric, "ms", "lower", params);
        assert_non_null(s);
        if (accel)
                s->accel = strdup(accel);
        for (size_t i = 0; i < n; i++)
                assert_int_equal(res_series_add(s, v[i]), 0);
}

/* bare and a hostile configuration (vm, tcg), the same hostile workload; footprints for a derived series. */
static res_file *make_file(void) {
        res_file *f = res_file_new();
        assert_non_null(f);
        f->suite = cJSON_CreateObject();
        cJSON_AddStringToObject(f->suite, "name", EVIL_SUITE);
        cJSON *params = cJSON_Parse("{\"runs\":2,\"dir\":\"a,b\\\"c\\n\\td\\\\e\"}");
        assert_non_null(params);
        add(f, EVIL_WORKLOAD, "bare", "bare", "ready_ms", NULL, params, bare_v, 5);
        add(f, EVIL_WORKLOAD, EVIL_CONFIG, "vm", "ready_ms", "tcg", params, evil_v, 5);
        const double fb[] = {9000, 9010, 9020}, fc[] = {9500, 9510, 9490};
        add(f, "mem", "bare", "bare", "footprint_kib", NULL, NULL, fb, 3);
        add(f, "mem", EVIL_CONFIG, "vm", "footprint_kib", "tcg", NULL, fc, 3);
        add(f, EVIL_WORKLOAD, "bare", "bare", "exact_ms", NULL, params, exact_v, ELEMENTSOF(exact_v));
        /* density: k in the series key, two series of one metric; a layer depth */
        for (unsigned k = 1; k <= 2; k++) {
                res_series *d = res_series_get_at(f, "dens", "density", "bare", "bare", "start_ms", "ms",
                                                  "lower", NULL, k, 4);
                assert_non_null(d);
                d->depth = 3;
                assert_int_equal(res_series_add(d, k * 1.5), 0);
        }
        /* line breaks alone (no comma, no quote) must still be quoted / escaped */
        add(f, "line\nbreak\rreturn", "bare", "bare", "exact_ms", NULL, NULL, exact_v, 2);
        cJSON_Delete(params);
        bench_error *err = NULL;
        assert_int_equal(res_finalize(f, &err), 0);
        return f;
}

static char *export(const res_file *f, plot_export_format fmt, unsigned flags) {
        char *text = NULL;
        bench_error *err = NULL;
        int r = plot_export(f, fmt, flags, &text, &err);
        if (r < 0)
                fail_msg("plot_export: %s", err->msg);
        return text;
}

/* A table read back: rows of fields. */
#define MAX_ROWS 64
#define MAX_FIELDS 40
typedef struct table {
        char *cell[MAX_ROWS][MAX_FIELDS];
        size_t n_fields[MAX_ROWS];
        size_t n;
} table;

static void table_free(table *t) {
        for (size_t i = 0; i < t->n; i++)
                for (size_t k = 0; k < t->n_fields[i]; k++)
                        free(t->cell[i][k]);
}

static void push(table *t, FILE *m, char **buf) {
        fclose(m);
        assert_true(t->n < MAX_ROWS && t->n_fields[t->n] < MAX_FIELDS);
        t->cell[t->n][t->n_fields[t->n]++] = *buf;
        *buf = NULL;
}

/* One RFC 4180 field (as Python's csv module reads it) into m: quoted ones may hold , " CR LF. */
static const char *csv_field(const char *s, FILE *m) {
        if (*s != '"') {
                for (; *s && *s != ',' && *s != '\n'; s++) {
                        if (*s == '"' || *s == '\r')
                                fail_msg("an unquoted field holds a quote or CR: %s", s);
                        fputc(*s, m);
                }
                return s;
        }
        for (s++;; s++) {
                if (!*s)
                        fail_msg("a quoted field does not end");
                if (*s == '"' && s[1] != '"')
                        return s + 1;
                if (*s == '"')
                        s++;
                fputc(*s, m);
        }
}

/* One TSV field as documented: up to a tab or LF, then \\ \t \n \r unescaped. */
static const char *tsv_field(const char *s, FILE *m) {
        for (; *s && *s != '\t' && *s != '\n'; s++) {
                if (*s == '\r')
                        fail_msg("a raw CR in a TSV field");
                if (*s != '\\') {
                        fputc(*s, m);
                        continue;
                }
                s++;
                int c = *s == '\\' ? '\\' : *s == 't' ? '\t' : *s == 'n' ? '\n' : *s == 'r' ? '\r' : -1;
                if (c < 0)
                        fail_msg("an unknown escape in a TSV field: %s", s - 1);
                fputc(c, m);
        }
        return s;
}

/* Rows end with LF, fields are separated by sep. */
static void parse(const char *s, table *t, char sep, const char *(*field)(const char *s, FILE *m)) {
        *t = (table){0};
        while (*s) {
                for (;;) {
                        char *buf = NULL;
                        size_t len = 0;
                        FILE *m = open_memstream(&buf, &len);
                        s = field(s, m);
                        push(t, m, &buf);
                        if (*s != sep)
                                break;
                        s++;
                }
                assert_int_equal(*s, '\n');
                s++;
                t->n++;
        }
}

static void parse_csv(const char *s, table *t) {
        parse(s, t, ',', csv_field);
}

static void parse_tsv(const char *s, table *t) {
        parse(s, t, '\t', tsv_field);
}

static size_t col(const table *t, const char *name) {
        for (size_t k = 0; k < t->n_fields[0]; k++)
                if (!strcmp(t->cell[0][k], name))
                        return k;
        fail_msg("no column %s", name);
        return 0;
}

static bool same_bits(double a, double b) {
        return memcmp(&a, &b, sizeof(a)) == 0;
}

/* Every sample once, every text exact, every value bit for bit. */
static void check_tidy(const res_file *f, const table *t) {
        assert_int_equal(t->n_fields[0], ELEMENTSOF(tidy_cols));
        for (size_t k = 0; k < ELEMENTSOF(tidy_cols); k++)
                assert_string_equal(t->cell[0][k], tidy_cols[k]);
        size_t row = 1;
        for (size_t i = 0; i < f->n_series; i++) {
                const res_series *s = &f->series[i];
                for (size_t j = 0; j < s->n_samples; j++, row++) {
                        assert_true(row < t->n);
                        char *const *c = t->cell[row];
                        assert_int_equal(t->n_fields[row], ELEMENTSOF(tidy_cols));
                        assert_string_equal(c[col(t, "suite")], EVIL_SUITE);
                        assert_string_equal(c[col(t, "configuration")], s->configuration);
                        assert_string_equal(c[col(t, "kind")], s->config_kind);
                        assert_string_equal(c[col(t, "accel")], s->accel ? s->accel : "");
                        assert_string_equal(c[col(t, "workload")], s->workload);
                        cJSON *p = cJSON_Parse(c[col(t, "params")]);
                        assert_non_null(p);
                        assert_true(s->params ? cJSON_Compare(p, s->params, true)
                                              : cJSON_GetArraySize(p) == 0);
                        cJSON_Delete(p);
                        assert_string_equal(c[col(t, "metric")], s->metric);
                        char num[32];
                        snprintf(num, sizeof(num), "%u", s->depth);
                        assert_string_equal(c[col(t, "depth")], num);
                        snprintf(num, sizeof(num), "%u", s->k);
                        assert_string_equal(c[col(t, "density_k")], num);
                        snprintf(num, sizeof(num), "%u", s->n);
                        assert_string_equal(c[col(t, "density_n")], num);
                        char rep[32];
                        snprintf(rep, sizeof(rep), "%zu", j + 1);
                        assert_string_equal(c[col(t, "repetition")], rep);
                        char *end = NULL;
                        double v = strtod(c[col(t, "value")], &end);
                        assert_true(*end == '\0');
                        if (!same_bits(v, s->samples[j]))
                                fail_msg("%s read back as %.17g, was %.17g", c[col(t, "value")], v,
                                         s->samples[j]);
                        assert_string_equal(c[col(t, "derived")], res_series_is_derived(s) ? "1" : "0");
                }
        }
        assert_int_equal(row, t->n);
}

static void test_csv_round_trip(void **state) {
        res_file *f = make_file();
        char *text = export(f, PLOT_EXPORT_CSV, 0);
        table t;
        parse_csv(text, &t);
        check_tidy(f, &t);
        /* the derived series is there, marked */
        bool derived = false;
        for (size_t i = 1; i < t.n; i++)
                derived |= !strcmp(t.cell[i][col(&t, "metric")], "overhead_kib") &&
                           !strcmp(t.cell[i][col(&t, "derived")], "1");
        assert_true(derived);
        /* the formula stays data, quoted where RFC 4180 says */
        assert_non_null(strstr(text, "\n=cmd|' /C calc'!A0,\"c,\"\"q\"\"\r\n\t\\x y"));
        table_free(&t);
        free(text);
        res_file_free(f);
}

static void test_tsv_round_trip(void **state) {
        res_file *f = make_file();
        char *text = export(f, PLOT_EXPORT_TSV, 0);
        assert_null(strchr(text, '\r'));
        table t;
        parse_tsv(text, &t);
        check_tidy(f, &t);
        table_free(&t);
        free(text);
        res_file_free(f);
}

/* No control byte reaches a terminal that shows the file; the file is UTF-8. */
static void test_control_characters(void **state) {
        res_file *f = res_file_new();
        const double v[] = {1, 2};
        add(f, "w", CTL_CONFIG, "bare", "ready_ms", NULL, NULL, v, 2);
        for (plot_export_format fmt = PLOT_EXPORT_CSV; fmt <= PLOT_EXPORT_TSV; fmt++) {
                char *text = export(f, fmt, 0);
                assert_null(strchr(text, '\x1b'));
                assert_null(strchr(text, '\xff'));
                table t;
                (fmt == PLOT_EXPORT_CSV ? parse_csv : parse_tsv)(text, &t);
                assert_int_equal(t.n, 3);
                assert_string_equal(t.cell[1][col(&t, "configuration")], CTL_SHOWN);
                table_free(&t);
                free(text);
        }
        res_file_free(f);
}

static void test_summary(void **state) {
        res_file *f = make_file();
        for (plot_export_format fmt = PLOT_EXPORT_CSV; fmt <= PLOT_EXPORT_TSV; fmt++) {
                char *text = export(f, fmt, PLOT_EXPORT_SUMMARY);
                table t;
                (fmt == PLOT_EXPORT_CSV ? parse_csv : parse_tsv)(text, &t);
                assert_int_equal(t.n, f->n_series + 1);
                static const char *const first[] = {"suite",    "configuration", "kind",       "accel",
                                                    "workload", "params",        "depth",      "metric",
                                                    "unit",     "better",        "n",          "median",
                                                    "ci95_low", "ci95_high",     "cv",         "outliers",
                                                    "ratio",    "ratio_low",     "ratio_high", "verdict"};
                for (size_t k = 0; k < ELEMENTSOF(first); k++)
                        assert_string_equal(t.cell[0][k], first[k]);
                for (size_t i = 0; i < f->n_series; i++) {
                        const res_series *s = &f->series[i];
                        char *const *c = t.cell[i + 1];
                        assert_string_equal(c[col(&t, "configuration")], s->configuration);
                        assert_string_equal(c[col(&t, "metric")], s->metric);
                        assert_true(same_bits(strtod(c[col(&t, "median")], NULL), s->stats.median));
                        bool ratio = strcmp(s->config_kind, "bare") && res_find_like(f, s, "bare");
                        /* a configuration against bare: the ratio with its interval and a verdict */
                        assert_int_equal(*c[col(&t, "ratio")] != '\0', ratio);
                        assert_int_equal(*c[col(&t, "verdict")] != '\0', ratio);
                        if (ratio) {
                                double r = strtod(c[col(&t, "ratio")], NULL);
                                assert_true(strtod(c[col(&t, "ratio_low")], NULL) <= r &&
                                            r <= strtod(c[col(&t, "ratio_high")], NULL));
                                assert_string_equal(c[col(&t, "baseline")], "bare");
                        }
                }
                table_free(&t);
                free(text);
        }
        res_file_free(f);
}

static char *latex_of(const char *s) {
        char *buf = NULL;
        size_t len = 0;
        FILE *m = open_memstream(&buf, &len);
        plot_put_latex(m, s);
        fclose(m);
        return buf;
}

static void test_latex_escape(void **state) {
        static const char *const cases[][2] = {
                {"a_b", "a\\_b"},
                {"\\input{x}", "\\textbackslash{}input\\{x\\}"},
                {"$&#%", "\\$\\&\\#\\%"},
                {"^~", "\\textasciicircum{}\\textasciitilde{}"},
                {"<|>", "\\textless{}\\textbar{}\\textgreater{}"},
                /* after \\ a [ would be an optional argument, a * the starred form */
                {"[3pt]*", "{[}3pt{]}{*}"},
                {"--``''\"", "{-}{-}{`}{`}{'}{'}{\\char34}"},
                {"a\nb\tc\x1b", "a b c "},
                {"×10 ±1 −2 5 µs ÷3", "$\\times$10 $\\pm$1 $-$2 5 $\\mu$s $\\div$3"},
                {"Zürich Łódź", "Zürich Łódź"},
                {"☺\xff", "\\texttt{U+263A}\\texttt{U+FFFD}"},
                {"=cmd|' /C calc'!A0", "=cmd\\textbar{}{'} /C calc{'}!A0"},
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                char *got = latex_of(cases[i][0]);
                assert_string_equal(got, cases[i][1]);
                free(got);
        }
}

/* An unescaped separator: & in LaTeX, | in Markdown. */
static size_t count_raw(const char *line, size_t n, char sep) {
        size_t k = 0;
        for (size_t i = 0; i < n; i++)
                k += line[i] == sep && (i == 0 || line[i - 1] != '\\');
        return k;
}

static void test_latex_table(void **state) {
        res_file *f = make_file();
        char *text = export(f, PLOT_EXPORT_LATEX, 0);
        assert_true(!strncmp(text, "\\begin{tabular}{llllrrr}\n\\toprule\n", 34));
        assert_non_null(strstr(text, "\\midrule\n"));
        assert_non_null(strstr(text, "\\bottomrule\n\\end{tabular}\n"));
        assert_null(strstr(text, "\\input{"));
        /* header + ready_ms (footprint_kib too: both have bare); every row 7 cells */
        size_t rows = 0;
        for (const char *l = text; *l;) {
                const char *e = strchr(l, '\n');
                if (e - l > 3 && !strncmp(e - 3, " \\\\", 3)) {
                        rows++;
                        assert_int_equal(count_raw(l, (size_t)(e - l), '&'), 6);
                }
                l = e + 1;
        }
        assert_int_equal(rows, 3);
        char *workload = latex_of(EVIL_WORKLOAD), *config = latex_of(EVIL_CONFIG);
        assert_non_null(strstr(text, workload));
        assert_non_null(strstr(text, config));
        /* the accel labels a VM's row; numfmt's × as math */
        assert_non_null(strstr(text, " (tcg) & ready\\_ms & ms & "));
        free(workload);
        free(config);
        free(text);
        text = export(f, PLOT_EXPORT_LATEX, PLOT_EXPORT_STANDALONE);
        assert_true(
                !strncmp(text, "\\documentclass{article}\n\\usepackage{booktabs}\n\\begin{document}\n", 62));
        assert_non_null(strstr(text, "\\end{tabular}\n\\end{document}\n"));
        free(text);
        res_file_free(f);
}

static void test_markdown_table(void **state) {
        res_file *f = make_file();
        char *text = export(f, PLOT_EXPORT_MARKDOWN, 0);
        size_t lines = 0;
        for (const char *l = text; *l;) {
                const char *e = strchr(l, '\n');
                if (e > l) {
                        assert_int_equal(*l, '|');
                        assert_int_equal(count_raw(l, (size_t)(e - l), '|'), 8);
                        lines++;
                }
                l = e + 1;
        }
        assert_int_equal(lines, 4); /* header, |---|, two rows */
        assert_non_null(strstr(text, "\\[w\\]"));
        free(text);
        res_file_free(f);
}

static void test_bad_input(void **state) {
        assert_int_equal(plot_export_format_of("latex"), PLOT_EXPORT_LATEX);
        assert_int_equal(plot_export_format_of("xlsx"), -EINVAL);
        res_file *f = res_file_new();
        const double v[] = {1, 2, 3};
        add(f, "w", "ctr", "container", "ready_ms", NULL, NULL, v, 3);
        char *text = NULL;
        bench_error *err = NULL;
        /* no bare: no overhead table, said */
        assert_int_equal(plot_export(f, PLOT_EXPORT_LATEX, 0, &text, &err), -EINVAL);
        assert_non_null(strstr(err->msg, "no bare configuration"));
        bench_error_free(err);
        err = NULL;
        assert_int_equal(plot_export(f, PLOT_EXPORT_MARKDOWN, PLOT_EXPORT_SUMMARY, &text, &err), -EINVAL);
        bench_error_free(err);
        err = NULL;
        assert_int_equal(plot_export(f, PLOT_EXPORT_CSV, PLOT_EXPORT_STANDALONE, &text, &err), -EINVAL);
        bench_error_free(err);
        assert_null(text);
        /* the data formats need no bare */
        text = export(f, PLOT_EXPORT_CSV, PLOT_EXPORT_SUMMARY);
        free(text);
        res_file_free(f);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_csv_round_trip),     cmocka_unit_test(test_tsv_round_trip),
                cmocka_unit_test(test_control_characters), cmocka_unit_test(test_summary),
                cmocka_unit_test(test_latex_escape),       cmocka_unit_test(test_latex_table),
                cmocka_unit_test(test_markdown_table),     cmocka_unit_test(test_bad_input),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
