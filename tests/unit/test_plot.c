/* SPDX-License-Identifier: MIT */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../common/cleanup.h"
#include "../../common/util.h"
#include "../../plots/plot-internal.h"
#include "../../plots/plot.h"

/*
 * A result built by hand: bare, container and a TCG vm; startup with phases;
 * metadata open ops at layers 1/8/32 for containers and vms (ctr-32 gives its
 * layers as a list of 32 entries); a workload whose name needs sanitizing.
 * Every figure must be a real drawing, not an empty frame: a blank 1200x700
 * gnuplot PNG with axes is 9.2 KB and its SVG has 31 path/rect elements, all
 * black or grey (measured with `plot [0:1][0:1] NaN` on gnuplot 5.4).
 */

static bool have_gnuplot(void) {
        return system("command -v gnuplot >/dev/null 2>&1") == 0;
}

static void add(res_file *f, const char *wl, const char *kind, const char *cfg, const char *cfg_kind,
                const char *accel, const char *metric, const char *unit, const char *better, const double *v,
                size_t n) {
        res_series *s = res_series_get(f, wl, kind, cfg, cfg_kind, metric, unit, better, NULL);
        assert_non_null(s);
        if (accel)
                s->accel = strdup(accel);
        for (size_t i = 0; i < n; i++)
                assert_int_equal(res_series_add(s, v[i]), 0);
}

static const char *suite_json = "{\"name\": \"t\", \"configurations\": ["
                                "{\"name\": \"bare\", \"kind\": \"bare\"},"
                                "{\"name\": \"container\", \"kind\": \"container\"},"
                                "{\"name\": \"vm\", \"kind\": \"vm\", \"accel\": \"auto\"},"
                                "{\"name\": \"ctr-1\", \"kind\": \"container\", \"layers\": 1},"
                                "{\"name\": \"ctr-8\", \"kind\": \"container\", \"layers\": 8},"
                                "{\"name\": \"ctr-32\", \"kind\": \"container\", \"layers\": "
                                "[\"l\",\"l\",\"l\",\"l\",\"l\",\"l\",\"l\","
                                "\"l\",\"l\",\"l\",\"l\",\"l\",\"l\",\"l\",\"l\",\"l\",\"l\",\"l\",\"l\","
                                "\"l\",\"l\",\"l\",\"l\",\"l\","
                                "\"l\",\"l\",\"l\",\"l\",\"l\",\"l\",\"l\",\"l\"]},"
                                "{\"name\": \"vm-1\", \"kind\": \"vm\", \"layers\": 1},"
                                "{\"name\": \"vm-8\", \"kind\": \"vm\", \"layers\": 8},"
                                "{\"name\": \"vm-32\", \"kind\": \"vm\", \"layers\": 32}],"
                                "\"workloads\": [{\"name\": \"startup\", \"kind\": \"startup\"}, {\"name\": "
                                "\"cpu\", \"kind\": \"cpu\"},"
                                "{\"name\": \"metadata\", \"kind\": \"metadata\"}]}";

static res_file *make_file(void) {
        res_file *f = res_file_new();
        assert_non_null(f);
        f->suite = cJSON_Parse(suite_json);
        assert_non_null(f->suite);

        static const double bare_ready[] = {0.40, 0.42, 0.45, 0.47, 0.50, 0.52, 0.55, 0.60, 0.90, 1.10};
        static const double ctr_ready[] = {5.1, 6.0, 6.5, 6.7, 7.0, 7.2, 7.9, 8.3, 9.9, 11.0};
        static const double vm_ready[] = {2470, 2503, 3240};
        add(f, "startup", "startup", "bare", "bare", NULL, "ready_ms", "ms", "lower", bare_ready, 10);
        add(f, "startup", "startup", "container", "container", NULL, "ready_ms", "ms", "lower", ctr_ready,
            10);
        add(f, "startup", "startup", "vm", "vm", "tcg", "ready_ms", "ms", "lower", vm_ready, 3);
        static const char *const ctr_phases[] = {"exec",       "cgroup", "clone", "mounts",
                                                 "pivot_root", "net",    "caps"};
        for (size_t i = 0; i < ELEMENTSOF(ctr_phases); i++) {
                char m[64];
                snprintf(m, sizeof(m), "phase.%s_ms", ctr_phases[i]);
                const double v[] = {0.5 + (double)i, 0.6 + (double)i, 0.7 + (double)i};
                add(f, "startup", "startup", "container", "container", NULL, m, "ms", "lower", v, 3);
        }
        static const double define[] = {0.3, 0.29, 0.31}, qemu[] = {370, 380, 365},
                            boot[] = {2180, 2100, 2850};
        add(f, "startup", "startup", "vm", "vm", "tcg", "phase.define_ms", "ms", "lower", define, 3);
        add(f, "startup", "startup", "vm", "vm", "tcg", "phase.qemu_ms", "ms", "lower", qemu, 3);
        add(f, "startup", "startup", "vm", "vm", "tcg", "phase.boot_ms", "ms", "lower", boot, 3);

        static const double cpu_bare[] = {4.17e8, 4.15e8, 4.19e8}, cpu_ctr[] = {4.12e8, 4.16e8, 4.15e8},
                            cpu_vm[] = {4.5e7, 4.6e7, 4.4e7};
        add(f, "cpu", "cpu", "bare", "bare", NULL, "ops_per_s", "ops/s", "higher", cpu_bare, 3);
        add(f, "cpu", "cpu", "container", "container", NULL, "ops_per_s", "ops/s", "higher", cpu_ctr, 3);
        add(f, "cpu", "cpu", "vm", "vm", "tcg", "ops_per_s", "ops/s", "higher", cpu_vm, 3);
        /* not a file name as it stands: '/' and ' ' must go */
        add(f, "cpu heavy/1", "cpu", "bare", "bare", NULL, "ops_per_s", "ops/s", "higher", cpu_bare, 3);

        static const char *const ctrs[] = {"ctr-1", "ctr-8", "ctr-32"}, *const vms[] = {"vm-1", "vm-8",
                                                                                        "vm-32"};
        for (size_t i = 0; i < 3; i++) {
                const double c[] = {4e5 - 5e4 * (double)i, 3.9e5 - 5e4 * (double)i, 4.1e5 - 5e4 * (double)i};
                const double v[] = {9e4 - 1e4 * (double)i, 8.8e4 - 1e4 * (double)i, 9.1e4 - 1e4 * (double)i};
                add(f, "metadata", "metadata", ctrs[i], "container", NULL, "open.ops_per_s", "ops/s",
                    "higher", c, 3);
                add(f, "metadata", "metadata", vms[i], "vm", "tcg", "open.ops_per_s", "ops/s", "higher", v,
                    3);
        }
        bench_error *err = NULL;
        assert_int_equal(res_finalize(f, &err), 0);
        return f;
}

static char *make_tmpdir(void) {
        char *d = strdup("/tmp/test_plot.XXXXXX");
        assert_non_null(d);
        assert_non_null(mkdtemp(d));
        return d;
}

static char *slurp(const char *dir, const char *name) {
        char path[4096];
        snprintf(path, sizeof(path), "%s/%s", dir, name);
        char *data = NULL;
        bench_error *err = NULL;
        if (bench_read_file(path, &data, NULL, &err) < 0) {
                bench_error_free(err);
                fail_msg("cannot read %s", path);
        }
        return data;
}

static const plot_file *find_fig(const plot_set *s, const char *name) {
        for (size_t i = 0; i < s->n; i++)
                if (!strcmp(s->files[i].name, name))
                        return &s->files[i];
        return NULL;
}

static uint32_t be32(const unsigned char *p) {
        return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void check_png(const char *path) {
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
        assert_true(fd >= 0);
        struct stat st;
        assert_int_equal(fstat(fd, &st), 0);
        if (st.st_size <= 12 * 1024)
                fail_msg("%s: %lld bytes: no bigger than a blank frame", path, (long long)st.st_size);
        unsigned char h[24];
        assert_int_equal(read(fd, h, sizeof(h)), (ssize_t)sizeof(h));
        static const unsigned char sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
        assert_memory_equal(h, sig, 8);
        assert_memory_equal(h + 12, "IHDR", 4);
        assert_int_equal(be32(h + 16), 1200);
        assert_int_equal(be32(h + 20), 700);
}

/*
 * Every SVG parses as XML and has drawing elements in colours of our own
 * (not black, white or grey, nor gnuplot's default purple): at least 1, and
 * at least 3 where three configurations are drawn. Arguments: PATH:MIN.
 */
static const char *svg_check_py =
        "import sys, re, xml.etree.ElementTree as ET\n"
        "bad = 0\n"
        "for a in sys.argv[1:]:\n"
        "    p, want = a.rsplit(':', 1)\n"
        "    t = ET.parse(p)\n"
        "    n = 0\n"
        "    for e in t.iter():\n"
        "        if e.tag.split('}')[-1] not in ('path', 'polyline', 'polygon', 'rect', 'circle', 'use'):\n"
        "            continue\n"
        "        for c in re.findall(r'rgb\\(\\s*(\\d+),\\s*(\\d+),\\s*(\\d+)\\)', ' "
        "'.join(e.attrib.values())):\n"
        "            c = tuple(map(int, c))\n"
        "            if len(set(c)) > 1 and c != (148, 0, 211):\n"
        "                n += 1\n"
        "                break\n"
        "    if n < int(want):\n"
        "        print(p, 'has', n, 'coloured elements'); bad += 1\n"
        "sys.exit(1 if bad else 0)\n";

static void check_svgs(const plot_set *s) {
        char *cmd = NULL;
        size_t len = 0;
        FILE *c = open_memstream(&cmd, &len);
        assert_non_null(c);
        fputs("/usr/bin/python3 -c \"$PY\"", c);
        for (size_t i = 0; i < s->n; i++)
                /* the paths come from mkdtemp: no quotes in them */
                fprintf(c, " '%s:%d'", s->files[i].svg,
                        !strcmp(s->files[i].name, "cpu-ops_per_s") || !strcmp(s->files[i].name, "compare")
                                ? 3
                                : 1);
        fclose(c);
        assert_int_equal(setenv("PY", svg_check_py, 1), 0);
        int rc = system(cmd);
        unsetenv("PY");
        free(cmd);
        assert_int_equal(rc, 0);
}

static void test_all_figures(void **state) {
        if (!have_gnuplot())
                skip();
        res_file *f = make_file();
        _cleanup_free_ char *dir = make_tmpdir();

        /* a symlink planted where a data file goes must be replaced, not written through */
        char victim[4200], link_path[4200];
        snprintf(victim, sizeof(victim), "%s-victim", dir);
        assert_int_equal(bench_write_file_atomic(victim, "keep", 4, NULL), 0);
        snprintf(link_path, sizeof(link_path), "%s/cpu-ops_per_s.dat", dir);
        assert_int_equal(symlink(victim, link_path), 0);

        /* a compare view by hand: one regression, one improvement, one unchanged row */
        const res_series *cpu_vm = res_find(f, "cpu", "vm", "ops_per_s");
        const res_series *cpu_bare = res_find(f, "cpu", "bare", "ops_per_s");
        const res_series *ready_ctr = res_find(f, "startup", "container", "ready_ms");
        assert_non_null(cpu_vm);
        cmp_row rows[] = {
                {.base = cpu_vm,
                 .cur = cpu_vm,
                 .ratio = 0.8,
                 .ratio_low = 0.75,
                 .ratio_high = 0.85,
                 .verdict = CMP_REGRESSED},
                {.base = ready_ctr,
                 .cur = ready_ctr,
                 .ratio = 0.7,
                 .ratio_low = 0.6,
                 .ratio_high = 0.8,
                 .verdict = CMP_IMPROVED},
                {.base = cpu_bare,
                 .cur = cpu_bare,
                 .ratio = 1.01,
                 .ratio_low = 0.98,
                 .ratio_high = 1.03,
                 .verdict = CMP_UNCHANGED},
        };
        cmp_report cmp = {.rows = rows, .n_rows = 3, .n_regressed = 1, .n_improved = 1, .n_unchanged = 1};
        cmp.opts.equivalence_pct = 2; /* the margin band is drawn */

        plot_set set = {0};
        bench_error *err = NULL;
        int r = plot_all(f, &cmp, dir, &set, &err);
        if (r < 0)
                fail_msg("plot_all: %s", err ? err->msg : "?");

        static const char *const expected[] = {
                "startup-ready_ms", "startup-ready_ms-distribution", "startup-phases",
                "cpu-ops_per_s",    "cpu_heavy_1-ops_per_s",         "metadata-open.ops_per_s-by-layers",
                "compare",
        };
        for (size_t i = 0; i < ELEMENTSOF(expected); i++)
                if (!find_fig(&set, expected[i]))
                        fail_msg("no figure %s", expected[i]);
        /* phases are drawn stacked, not as a bar chart each */
        assert_null(find_fig(&set, "startup-phase.boot_ms"));
        /* cpu ran in no layered configuration: no by-layers figure */
        assert_null(find_fig(&set, "cpu-ops_per_s-by-layers"));

        for (size_t i = 0; i < set.n; i++) {
                const plot_file *p = &set.files[i];
                char want[4200];
                snprintf(want, sizeof(want), "%s/%s.png", dir, p->name);
                assert_string_equal(p->png, want);
                snprintf(want, sizeof(want), "%s/%s.svg", dir, p->name);
                assert_string_equal(p->svg, want);
                assert_non_null(p->title);
                check_png(p->png);
                char gp_name[300], dat_name[300];
                snprintf(gp_name, sizeof(gp_name), "%s.gp", p->name);
                snprintf(dat_name, sizeof(dat_name), "%s.dat", p->name);
                _cleanup_free_ char *gp = slurp(dir, gp_name);
                _cleanup_free_ char *dat = slurp(dir, dat_name);
                assert_non_null(strstr(gp, "set terminal pngcairo size 1200,700"));
                assert_non_null(strstr(gp, "set terminal svg size 1200,700"));
                assert_true(dat[0] == '#'); /* the header says what the columns are */
        }
        check_svgs(&set);

        /* the planted link was replaced by a file; its target is untouched */
        struct stat st;
        assert_int_equal(lstat(link_path, &st), 0);
        assert_true(S_ISREG(st.st_mode));
        _cleanup_free_ char *kept = NULL;
        assert_int_equal(bench_read_file(victim, &kept, NULL, NULL), 0);
        assert_string_equal(kept, "keep");

        /* bars: labels, units, direction, the TCG mark, a linear axis (cpu spreads 9x) */
        _cleanup_free_ char *cpu_gp = slurp(dir, "cpu-ops_per_s.gp");
        _cleanup_free_ char *cpu_dat = slurp(dir, "cpu-ops_per_s.dat");
        assert_non_null(strstr(cpu_gp, "set ylabel 'ops_per_s (ops/s), higher is better'"));
        assert_null(strstr(cpu_gp, "logscale"));
        assert_non_null(strstr(cpu_dat, "\"vm (tcg, emulated)\""));
        assert_non_null(strstr(cpu_dat, "\"bare\" 417000000 "));
        /* startup: bare 0.5 ms against vm 2500 ms is over 100x: log axis */
        _cleanup_free_ char *ready_gp = slurp(dir, "startup-ready_ms.gp");
        _cleanup_free_ char *dist_gp = slurp(dir, "startup-ready_ms-distribution.gp");
        _cleanup_free_ char *dist_dat = slurp(dir, "startup-ready_ms-distribution.dat");
        assert_non_null(strstr(ready_gp, "set logscale y"));
        assert_non_null(strstr(dist_gp, "set logscale y"));
        /* few samples: every one is a dot, and the title says so */
        assert_non_null(strstr(dist_gp, "dots: every sample)"));
        assert_non_null(
                strstr(dist_dat, "# index 1: every sample of \"bare\"\n1 0.40000000000000002 \"bare\"\n"));
        /*
         * bare's box, by /usr/bin/python3: statistics.quantiles(xs, n=4,
         * method='inclusive') -> q1 0.455, median 0.51, q3 0.5875; Tukey
         * whiskers (furthest samples within 1.5 IQR) 0.4 and 0.6
         */
        double x, q1, wlo, whi, q3, med;
        const char *row = strstr(dist_dat, "\n1 ");
        assert_non_null(row);
        assert_int_equal(sscanf(row, "%lf %lf %lf %lf %lf %lf", &x, &q1, &wlo, &whi, &q3, &med), 6);
        assert_float_equal(q1, 0.455, 1e-12);
        assert_float_equal(wlo, 0.4, 1e-12);
        assert_float_equal(whi, 0.6, 1e-12);
        assert_float_equal(q3, 0.5875, 1e-12);
        assert_float_equal(med, 0.51, 1e-12);

        /* phases in the order they happen, whatever order they were recorded in */
        _cleanup_free_ char *ph_dat = slurp(dir, "startup-phases.dat");
        assert_non_null(strstr(ph_dat,
                               "2 phase.cgroup_ms, 3 phase.clone_ms, 4 phase.mounts_ms, 5 "
                               "phase.pivot_root_ms, 6 phase.net_ms, 7 phase.caps_ms, 8 phase.exec_ms"));
        assert_non_null(strstr(ph_dat, "2 phase.define_ms, 3 phase.qemu_ms, 4 phase.boot_ms"));

        /* layers: 1, 8, 32 (ctr-32's list of 32) on a log2 axis, a line per kind */
        _cleanup_free_ char *ly_gp = slurp(dir, "metadata-open.ops_per_s-by-layers.gp");
        _cleanup_free_ char *ly_dat = slurp(dir, "metadata-open.ops_per_s-by-layers.dat");
        assert_non_null(strstr(ly_gp, "set logscale x 2"));
        assert_non_null(strstr(ly_gp, "title 'container'"));
        assert_non_null(strstr(ly_gp, "title 'vm (tcg, emulated)'"));
        assert_non_null(strstr(ly_dat, "\n32 300000 ")); /* ctr-32: median of 3.0e5, 2.9e5, 3.1e5 */
        assert_non_null(strstr(ly_dat, "\n32 70000 "));  /* vm-32: median of 7.0e4, 6.8e4, 7.1e4 */

        /* compare: colours 0xd62728 = 14034728 (red), 0x2ca02c = 2924588 (green), 0x555555 = 5592405 */
        _cleanup_free_ char *cmp_dat = slurp(dir, "compare.dat");
        assert_non_null(strstr(cmp_dat,
                               "0 0.80000000000000004 0.75 0.84999999999999998 14034728 \"regressed\" "
                               "\"cpu/vm/ops_per_s\""));
        assert_non_null(strstr(cmp_dat,
                               "1 0.69999999999999996 0.59999999999999998 0.80000000000000004 2924588 "
                               "\"improved\" \"startup/container/ready_ms\""));
        assert_non_null(strstr(cmp_dat, " 5592405 \"unchanged\" \"cpu/bare/ops_per_s\""));
        /* the equivalence margin of 2%: a band from 0.98 to 1.02 behind the bars, said in the title */
        _cleanup_free_ char *cmp_gp = slurp(dir, "compare.gp");
        assert_non_null(strstr(cmp_gp, "set object 1 rect from first 0.97999999999999998, graph 0 to first "
                                       "1.02, graph 1 behind"));
        assert_non_null(strstr(cmp_gp, "shaded: equivalence margin ±2%"));

        plot_set_clear(&set);
        assert_int_equal(set.n, 0);
        res_file_free(f);
        char cmd[4400];
        snprintf(cmd, sizeof(cmd), "rm -rf '%s' '%s'", dir, victim);
        assert_int_equal(system(cmd), 0);
}

static void test_gnuplot_missing(void **state) {
        res_file *f = make_file();
        _cleanup_free_ char *empty = make_tmpdir();
        _cleanup_free_ char *out = make_tmpdir();
        const char *old = getenv("PATH");
        _cleanup_free_ char *saved = old ? strdup(old) : NULL;
        assert_int_equal(setenv("PATH", empty, 1), 0);

        plot_set set = {0};
        bench_error *err = NULL;
        int r = plot_all(f, NULL, out, &set, &err);

        if (saved)
                setenv("PATH", saved, 1);
        else
                unsetenv("PATH");
        assert_int_equal(r, -ENOENT);
        assert_non_null(err);
        assert_string_equal(err->msg, "gnuplot is not installed (apt-get install gnuplot-nox)");
        assert_int_equal(set.n, 0);
        bench_error_free(err);
        res_file_free(f);
        rmdir(empty);
        rmdir(out);
}

/* gnuplot's own complaint reaches the caller, naming the script. */
static void test_gnuplot_error_captured(void **state) {
        if (!have_gnuplot())
                skip();
        _cleanup_free_ char *dir = make_tmpdir();
        _cleanup_close_ int dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        assert_true(dirfd >= 0);
        const char *script = "set terminal svg\nset output \"x.svg\"\nplot no_such_variable_here\n";
        assert_int_equal(bench_write_file_atomic_at(dirfd, "bad.gp", script, strlen(script), 0644, NULL), 0);
        char *gnuplot = NULL;
        assert_int_equal(plot_find_gnuplot(&gnuplot, NULL), 0);
        bench_error *err = NULL;
        int r = plot_run_gnuplot(gnuplot, dirfd, "bad.gp", 30000, &err);
        assert_int_equal(r, -EIO);
        assert_non_null(err);
        assert_non_null(strstr(err->msg, "gnuplot bad.gp failed (exit status 1)"));
        assert_non_null(strstr(err->msg, "no_such_variable_here"));
        bench_error_free(err);
        free(gnuplot);
        char cmd[200];
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
        assert_int_equal(system(cmd), 0);
}

/* plots/escape.c: text from result files made inert for Markdown, HTML, a terminal and links. */
static char *put_to_string(void (*put)(FILE *, const char *), const char *s) {
        char *out = NULL;
        size_t len = 0;
        FILE *m = open_memstream(&out, &len);
        assert_non_null(m);
        put(m, s);
        assert_int_equal(fclose(m), 0);
        return out;
}

/* Expected output written by hand; cmark-gfm renders each as plain text (checked in escape_files.sh). */
static void test_put_md(void **state) {
        static const struct {
                const char *in, *out;
        } cases[] = {
                {"[x](javascript:alert(1))", "\\[x\\](javascript:alert(1))"},
                {"![](http://e/x.png)", "!\\[\\](http\\://e/x.png)"},
                {"<script>x</script>", "\\<script\\>x\\</script\\>"},
                {"a|b`c`*d*~e~$f$\\", "a\\|b\\`c\\`\\*d\\*\\~e\\~\\$f\\$\\\\"},
                {"www.example.com a@b.c", "www\\.example.com a@b.c"},
                {"# h", "# h"},
                {"- item", "- item"},
                {"12. item", "12. item"},
                {"line\nbreak\r\x1b[31m", "line break  \\[31m"},
                {"ready_ms 1.5 a-b: c", "ready_ms 1.5 a-b: c"},
                {"a\xff\xc3\xa9\xed\xa0\x80", "a\xef\xbf\xbd\xc3\xa9\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"},
                {"", ""},
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_free_ char *got = put_to_string(plot_put_md, cases[i].in);
                if (strcmp(got, cases[i].out))
                        fail_msg("plot_put_md(%s): %s, expected %s", cases[i].in, got, cases[i].out);
        }
}

/* One entry for every markup: the same text, escaped by each. */
static void test_put_markup(void **state) {
        static const char in[] = "<a href=x>`y`</a>\x1b[2J";
        static const struct {
                plot_markup m;
                const char *out;
        } cases[] = {
                {PLOT_TEXT, "<a href=x>`y`</a>\\x1b[2J"},
                {PLOT_MARKDOWN, "\\<a href=x\\>\\`y\\`\\</a\\> \\[2J"},
                {PLOT_HTML, "&lt;a href=x&gt;`y`&lt;/a&gt;[2J"},
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                char *got = NULL;
                size_t len = 0;
                FILE *m = open_memstream(&got, &len);
                assert_non_null(m);
                plot_put(m, cases[i].m, in);
                plot_put(m, cases[i].m, NULL);
                assert_int_equal(fclose(m), 0);
                if (strcmp(got, cases[i].out))
                        fail_msg("plot_put(%d): %s, expected %s", (int)cases[i].m, got, cases[i].out);
                free(got);
        }
}

static void test_put_url(void **state) {
        _cleanup_free_ char *a = put_to_string(plot_put_url, "r-plots/a b\"<x>.png?q=1#f");
        assert_string_equal(a, "r-plots/a%20b%22%3Cx%3E.png%3Fq%3D1%23f");
        _cleanup_free_ char *b = put_to_string(plot_put_url, "javascript:alert(1)");
        assert_string_equal(b, "javascript%3Aalert%281%29");
}

static void test_sanitize_and_quote(void **state) {
        _cleanup_free_ char *a = plot_sanitize_name("cpu heavy/1-ops_per_s");
        _cleanup_free_ char *b = plot_sanitize_name("../etc");
        _cleanup_free_ char *c = plot_sanitize_name("");
        assert_string_equal(a, "cpu_heavy_1-ops_per_s");
        assert_string_equal(b, "_.._etc");
        assert_string_equal(c, "_");
        char *buf = NULL;
        size_t len = 0;
        FILE *m = open_memstream(&buf, &len);
        assert_non_null(m);
        plot_gp_string(m, "a\"b\\c\nd\te");
        fputc('|', m);
        plot_dat_string(m, "x\"y z");
        fclose(m);
        assert_string_equal(buf, "'a\"b\\c' . \"\\n\" . 'd e'|\"x'y z\"");
        free(buf);
}

/*
 * What a hostile result file may name things, through plot_gp_string into
 * the real gnuplot: each prints back as itself (control characters as
 * spaces) and no command runs.
 */
static void test_gp_string_inert(void **state) {
        if (!have_gnuplot())
                skip();
        _cleanup_free_ char *dir = make_tmpdir(), *marker = NULL, *gp = NULL, *out = NULL;
        assert_true(asprintf(&marker, "%s/pwned", dir) > 0);
        assert_true(asprintf(&gp, "%s/t.gp", dir) > 0);
        assert_true(asprintf(&out, "%s/out.txt", dir) > 0);
        _cleanup_free_ char *bt = NULL, *sys = NULL, *dollar = NULL, *mac = NULL;
        assert_true(asprintf(&bt, "a`touch %s`b", marker) > 0);
        assert_true(asprintf(&sys, "x\" . system(\"touch %s\") . \"y", marker) > 0);
        assert_true(asprintf(&dollar, "$(touch %s) ; print 1", marker) > 0);
        assert_true(asprintf(&mac, "@m '' ' '\n`touch %s`", marker) > 0);
        const char *texts[] = {bt,
                               sys,
                               dollar,
                               mac,
                               "it's \\ \"q\" {/Symbol a}^2_x &~",
                               "trailing\\",
                               "nl\nsystem('touch x')",
                               "\x1b[31mred",
                               "'",
                               "",
                               "a\"`touch x`\"'''' '' '' ''",
                               "not utf-8 \xff\xed\xa0\x80 \xc3\xa9"};
        const char *expect[] = {bt,
                                sys,
                                dollar,
                                NULL,
                                "it's \\ \"q\" {/Symbol a}^2_x &~",
                                "trailing\\",
                                "nl\nsystem('touch x')",
                                " [31mred",
                                "'",
                                "",
                                NULL,
                                "not utf-8 \xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd \xc3\xa9"};
        FILE *g = fopen(gp, "w");
        assert_non_null(g);
        fprintf(g, "m = \"touch %s\"\nset print '-'\n", marker);
        for (size_t i = 0; i < ELEMENTSOF(texts); i++) {
                fputs("print '<' . ", g);
                plot_gp_string(g, texts[i]);
                fputs(" . '>'\nset title ", g);
                plot_gp_string(g, texts[i]);
                fputs("\nset xtics (", g);
                plot_gp_string(g, texts[i]);
                fputs(" 1)\n", g);
        }
        assert_int_equal(fclose(g), 0);
        char cmd[1024];
        snprintf(cmd, sizeof(cmd), "cd '%s' && gnuplot t.gp > out.txt 2>&1", dir);
        int rc = system(cmd);
        _cleanup_free_ char *got = NULL;
        int read = bench_read_file(out, &got, NULL, NULL);
        bool ran = access(marker, F_OK) == 0;
        /* the dir goes before any assertion can end the test */
        assert_int_equal(bench_rm_rf(dir, NULL), 0);
        assert_int_equal(read, 0);
        if (rc != 0)
                fail_msg("gnuplot failed: %s", got);
        assert_false(ran);
        const char *p = got;
        for (size_t i = 0; i < ELEMENTSOF(texts); i++) {
                _cleanup_free_ char *want = NULL;
                assert_true(asprintf(&want, "<%s>\n", expect[i] ? expect[i] : texts[i]) > 0);
                if (strncmp(p, want, strlen(want)))
                        fail_msg("text %zu: expected %s got %s", i, want, p);
                p += strlen(want);
        }
        assert_string_equal(p, "");
}

/* Data rows (not comments, not blank) of gnuplot index idx in a .dat file; their 2nd column in ret_y.
 */
static size_t dat_rows(const char *dat, size_t idx, double *ret_y, size_t max) {
        size_t block = 0, rows = 0, blank = 0;
        for (const char *l = dat; *l;) {
                const char *e = strchr(l, '\n');
                size_t len = e ? (size_t)(e - l) : strlen(l);
                if (len == 0) {
                        if (++blank == 2)
                                block++;
                } else if (l[0] != '#') {
                        blank = 0;
                        if (block == idx) {
                                double x, y;
                                assert_int_equal(sscanf(l, "%lf %lf", &x, &y), 2);
                                if (rows < max)
                                        ret_y[rows] = y;
                                rows++;
                        }
                } else {
                        blank = 0;
                }
                l += len + (e ? 1 : 0);
        }
        return rows;
}

/*
 * A million samples: the box from all of them, at most PLOT_MAX_POINTS dots
 * (evenly spaced quantiles from min to max, said in the title), a small
 * configuration beside it still every sample in order, and a bounded SVG.
 */
static void test_distribution_bounded(void **state) {
        (void)state;
        if (!have_gnuplot())
                skip();
        res_file *f = res_file_new();
        assert_non_null(f);
        f->suite = cJSON_Parse(suite_json);
        assert_non_null(f->suite);
        res_series *bare =
                res_series_get(f, "startup", "startup", "bare", "bare", "ready_ms", "ms", "lower", NULL);
        assert_non_null(bare);
        /* 1 + floor(perm(i) / 2), perm a permutation of 0..n-1: every value twice, in scrambled order
         */
        const size_t n = 1000000;
        for (size_t i = 0; i < n; i++)
                assert_int_equal(res_series_add(bare, 1 + (double)((i * 7919 % n) / 2)), 0);
        static const double ctr_ready[] = {5.1, 6.0, 6.5, 6.7, 7.0, 7.2, 7.9, 8.3, 9.9, 11.0};
        add(f, "startup", "startup", "container", "container", NULL, "ready_ms", "ms", "lower", ctr_ready,
            10);
        assert_int_equal(res_finalize(f, NULL), 0);

        _cleanup_free_ char *dir = make_tmpdir();
        plot_set set = {0};
        bench_error *err = NULL;
        if (plot_all(f, NULL, dir, &set, &err) < 0)
                fail_msg("plot_all: %s", err ? err->msg : "?");
        const plot_file *fig = find_fig(&set, "startup-ready_ms-distribution");
        assert_non_null(fig);
        check_png(fig->png);
        struct stat st;
        assert_int_equal(stat(fig->svg, &st), 0);
        if (st.st_size > 2 * 1024 * 1024)
                fail_msg("%s: %lld bytes for %zu samples", fig->svg, (long long)st.st_size, n);

        _cleanup_free_ char *gp = slurp(dir, "startup-ready_ms-distribution.gp");
        _cleanup_free_ char *dat = slurp(dir, "startup-ready_ms-distribution.dat");
        assert_non_null(
                strstr(gp, "dots: every sample, or 2000 evenly spaced quantiles above 2000 samples)"));
        assert_int_equal(PLOT_MAX_POINTS, 2000);
        /* the box of all samples: sorted 1,1,2,2,...; type 7 q1 h = 249999.75 -> 125000.75 */
        double x, q1, wlo, whi, q3, med;
        const char *row = strstr(dat, "\n1 ");
        assert_non_null(row);
        assert_int_equal(sscanf(row, "%lf %lf %lf %lf %lf %lf", &x, &q1, &wlo, &whi, &q3, &med), 6);
        assert_float_equal(q1, 125000.75, 1e-9);
        assert_float_equal(med, 250000.5, 1e-9);
        assert_float_equal(q3, 375000.25, 1e-9);
        assert_float_equal(wlo, 1, 1e-9);
        assert_float_equal(whi, 500000, 1e-9);

        static double y[PLOT_MAX_POINTS];
        size_t rows = dat_rows(dat, 1, y, PLOT_MAX_POINTS);
        assert_int_equal(rows, PLOT_MAX_POINTS);
        assert_float_equal(y[0], 1, 0);
        assert_float_equal(y[PLOT_MAX_POINTS - 1], 500000, 0);
        for (size_t i = 1; i < rows; i++) /* quantiles: ascending, and spread over the range */
                assert_true(y[i] >= y[i - 1] && y[i] - y[i - 1] < 500);
        double cy[10];
        assert_int_equal(dat_rows(dat, 2, cy, 10), 10);
        assert_memory_equal(cy, ctr_ready, sizeof(cy));
        /* the whole file: 2 boxes, the dots, nothing else */
        assert_int_equal(dat_rows(dat, 0, y, 0) + rows + 10, 2 + PLOT_MAX_POINTS + 10);

        plot_set_clear(&set);
        res_file_free(f);
        char cmd[4400];
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
        assert_int_equal(system(cmd), 0);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_put_md),
                cmocka_unit_test(test_put_markup),
                cmocka_unit_test(test_put_url),
                cmocka_unit_test(test_sanitize_and_quote),
                cmocka_unit_test(test_gp_string_inert),
                cmocka_unit_test(test_gnuplot_missing),
                cmocka_unit_test(test_gnuplot_error_captured),
                cmocka_unit_test(test_all_figures),
                cmocka_unit_test(test_distribution_bounded),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
