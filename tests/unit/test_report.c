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
#include <sys/wait.h>
#include <unistd.h>

#include "../../common/cleanup.h"
#include "../../common/sha256.h"
#include "../../common/util.h"
#include "../../plots/doc.h"
#include "../../plots/report.h"
#include "../../results/adaptive.h"

/* Untrusted text in a reason: must neither open a tag nor split a Markdown cell. */
#define EVIL_REASON "agent said <script>alert('x')</script> | & died"

static bool have_gnuplot(void) {
        return system("command -v gnuplot >/dev/null 2>&1") == 0;
}

static char *tmpdir(void) {
        char *d = strdup("/tmp/test_report.XXXXXX");
        assert_non_null(d);
        assert_non_null(mkdtemp(d));
        return d;
}

static void rm_tree(const char *d) {
        bench_error *err = NULL;
        assert_int_equal(bench_rm_rf(d, &err), 0);
}

static char *slurp(const char *path) {
        char *text = NULL;
        bench_error *err = NULL;
        int r = bench_read_file(path, &text, NULL, &err);
        if (r < 0)
                fail_msg("%s", err->msg);
        return text;
}

static bool exists(const char *path) {
        struct stat st;
        return stat(path, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0;
}

static cJSON *make_host(const char *commit) {
        cJSON *h = cJSON_CreateObject();
        cJSON_AddStringToObject(h, "hostname", "testhost");
        cJSON_AddStringToObject(h, "kernel", "6.1.0-test");
        cJSON_AddStringToObject(h, "cpu_model", "Test CPU @ 2.0GHz");
        cJSON_AddNumberToObject(h, "cores", 2);
        cJSON_AddNumberToObject(h, "memory_kib", 4028520);
        cJSON_AddStringToObject(h, "cgroup_mode", "hybrid");
        cJSON_AddStringToObject(h, "bench_version", "0.1.0");
        cJSON_AddStringToObject(h, "git_commit", commit);
        cJSON *lib = cJSON_AddObjectToObject(h, "libraries");
        cJSON_AddStringToObject(lib, "cjson", "1.7.15");
        cJSON_AddStringToObject(lib, "libvirt", "9.0.0");
        return h;
}

static void add_series(res_file *f, const char *workload, const char *kind, const char *configuration,
                       const char *config_kind, const char *metric, const char *unit, const char *better,
                       const char *accel, const double *v, size_t n) {
        res_series *s =
                res_series_get(f, workload, kind, configuration, config_kind, metric, unit, better, NULL);
        assert_non_null(s);
        if (accel)
                s->accel = strdup(accel);
        for (size_t i = 0; i < n; i++)
                assert_int_equal(res_series_add(s, v[i]), 0);
}

static res_file *new_file(const char *started, const char *commit) {
        res_file *f = res_file_new();
        assert_non_null(f);
        f->host = make_host(commit);
        f->pinning = cJSON_Parse("{\"mode\":\"auto\",\"harness_cpus\":\"0\",\"workload_cpus\":\"1\"}");
        f->started_at = strdup(started);
        f->finished_at = strdup(started);
        f->complete = true;
        f->repetitions_done = 5;
        return f;
}

/* bare + container + vm (tcg), two metrics each, a skip, an error with hostile text, a note. */
static res_file *make_run(void) {
        res_file *f = new_file("2024-05-01T10:00:00Z", "0123456789ab");
        f->suite = cJSON_Parse(
                "{\"name\":\"demo\",\"repetitions\":5,\"configurations\":["
                "{\"name\":\"bare\",\"kind\":\"bare\"},"
                "{\"name\":\"container\",\"kind\":\"container\",\"layers\":3,\"memory\":\"512M\"},"
                "{\"name\":\"vm\",\"kind\":\"vm\",\"memory\":\"256M\",\"accel\":\"auto\"}]}");
        assert_non_null(f->suite);
        const double bare_ms[] = {0.50, 0.52, 0.49, 0.51, 0.50};
        const double ctr_ms[] = {8.1, 8.3, 8.2, 8.0, 8.4};
        const double vm_ms[] = {4100, 4300, 4200, 4000, 4400};
        const double bare_ops[] = {1000, 1010, 990, 1005, 995};
        const double ctr_ops[] = {990, 1000, 985, 995, 1002};
        const double vm_ops[] = {95, 97, 96, 94, 98};
        add_series(f, "startup", "startup", "bare", "bare", "ready_ms", "ms", "lower", NULL, bare_ms, 5);
        add_series(f, "startup", "startup", "container", "container", "ready_ms", "ms", "lower", NULL, ctr_ms,
                   5);
        add_series(f, "startup", "startup", "vm", "vm", "ready_ms", "ms", "lower", "tcg", vm_ms, 5);
        add_series(f, "cpu", "cpu", "bare", "bare", "ops_per_s", "ops/s", "higher", NULL, bare_ops, 5);
        add_series(f, "cpu", "cpu", "container", "container", "ops_per_s", "ops/s", "higher", NULL, ctr_ops,
                   5);
        add_series(f, "cpu", "cpu", "vm", "vm", "ops_per_s", "ops/s", "higher", "tcg", vm_ops, 5);
        res_add_skip(f, "vm", "fileio", -1, false, "no virtio-blk disk on this host");
        res_add_error(f, "container", "cpu", 2, false, "%s", EVIL_REASON);
        res_add_note(f, "container", "startup", -1, false, "O_DIRECT refused: buffered I/O");
        bench_error *err = NULL;
        assert_int_equal(res_finalize(f, &err), 0);
        return f;
}

/* The text between a heading line and the next heading of the same level (a copy). */
static char *section(const char *page, const char *heading) {
        const char *s = strstr(page, heading);
        if (!s)
                fail_msg("no section `%s`", heading);
        s += strlen(heading);
        const char *e = strstr(s, "\n## ");
        return strndup(s, e ? (size_t)(e - s) : strlen(s));
}

/* Table rows of a Markdown section: lines starting with "| " after the |---| line. */
static size_t md_rows(const char *sec, char ***ret) {
        char **rows = NULL;
        size_t n = 0;
        const char *sep = strstr(sec, "|---");
        if (!sep)
                fail_msg("no table in section");
        const char *p = strchr(sep, '\n');
        while (p && p[1] == '|') {
                const char *e = strchr(p + 1, '\n');
                rows = realloc(rows, (n + 1) * sizeof(*rows));
                rows[n++] = strndup(p + 1, e ? (size_t)(e - p - 1) : strlen(p + 1));
                p = e;
        }
        *ret = rows;
        return n;
}

static void free_rows(char **rows, size_t n) {
        for (size_t i = 0; i < n; i++)
                free(rows[i]);
        free(rows);
}

/*
 * Every Markdown link target of a figure file (.png, .svg, .gp, .dat) exists, relative to dir; each
 * image links its gnuplot script and data. Returns the number of images.
 */
static size_t check_md_links(const char *page, const char *dir) {
        static const char *const exts[] = {".png", ".svg", ".gp", ".dat"};
        size_t counts[ELEMENTSOF(exts)] = {0}, images = 0;
        for (const char *p = strstr(page, "]("); p; p = strstr(p + 2, "](")) {
                const char *e = strchr(p + 2, ')');
                assert_non_null(e);
                _cleanup_free_ char *target = strndup(p + 2, (size_t)(e - p - 2));
                const char *dot = strrchr(target, '.');
                size_t k = 0;
                while (k < ELEMENTSOF(exts) && (!dot || strcmp(dot, exts[k])))
                        k++;
                if (k == ELEMENTSOF(exts))
                        continue;
                assert_null(strchr(target, '%')); /* names here need no encoding */
                _cleanup_free_ char *path = NULL;
                assert_true(asprintf(&path, "%s/%s", dir, target) > 0);
                if (!exists(path))
                        fail_msg("linked file %s does not exist", path);
                counts[k]++;
                /* "![title](x.png)": an image */
                for (const char *b = p; b > page && b[0] != '\n'; b--)
                        if (b[0] == '[' && b > page && b[-1] == '!' && (b - 1 == page || b[-2] != '\\')) {
                                images++;
                                break;
                        }
        }
        assert_int_equal(counts[2], images);
        assert_int_equal(counts[3], images);
        return images;
}

static void test_report_markdown(void **state) {
        res_file *f = make_run();
        _cleanup_free_ char *dir = tmpdir(), *out = NULL;
        assert_true(asprintf(&out, "%s/report.md", dir) > 0);
        bench_error *err = NULL;
        int r = report_write(f, NULL, 0, out, &err);
        if (r < 0)
                fail_msg("%s", err->msg);
        _cleanup_free_ char *page = slurp(out);

        assert_non_null(strstr(page, "# bench report: demo\n"));
        assert_non_null(strstr(page, "complete"));
        assert_non_null(strstr(page, "2024-05-01T10:00:00Z"));
        /* the answer first, then the figures, the full tables, and the host last */
        static const char *const headings[] = {
                "\n## Summary\n", "\n## Plots\n",          "\n## Overhead vs bare\n",
                "\n## Results\n", "\n## Notes\n",          "\n## Skipped\n",
                "\n## Errors\n",  "\n## Configurations\n", "\n## Host\n"};
        for (size_t i = 0; i < ELEMENTSOF(headings); i++) {
                if (!strstr(page, headings[i]))
                        fail_msg("missing heading %s", headings[i] + 1);
                if (i > 0 && strstr(page, headings[i - 1]) > strstr(page, headings[i]))
                        fail_msg("%s comes before %s", headings[i] + 1, headings[i - 1] + 1);
        }

        /* the headline: a table per configuration against bare, start ratio first, in words too */
        _cleanup_free_ char *sum = section(page, "\n## Summary\n");
        assert_non_null(strstr(sum, "\n### container vs bare\n"));
        assert_non_null(strstr(sum, "\n### vm vs bare (emulated: TCG)\n"));
        /* container: 8.2 ms against 0.50 ms is x16; the vm's 4.2 s is x8,400 (no +839900%) */
        assert_non_null(strstr(sum, "Start latency: 16× slower than bare (8.20 ms against 500 µs)"));
        assert_non_null(strstr(sum, "| Start latency | 500 µs | 8.20 ms | ×16"));
        assert_non_null(strstr(sum, "| Start latency | 500 µs | 4.20 s | ×8,"));
        assert_null(strstr(sum, "839"));
        /* cpu: the vm is ten times slower, the container about 1% */
        assert_non_null(strstr(sum, "| CPU | 1,000 ops/s | 96.0 ops/s | ÷10"));
        assert_non_null(strstr(sum, "10× slower"));
        /* the caveats: emulation, the skip, the error (its text escaped like every other) */
        assert_non_null(strstr(sum, "Read with care:"));
        assert_non_null(strstr(sum, "vm ran under TCG"));
        assert_non_null(strstr(sum, "Skipped vm/fileio: no virtio-blk disk"));
        assert_non_null(strstr(sum, "1 error (see Errors)"));
        assert_null(strstr(sum, "<script>"));
        /* no base: no comparison section */
        assert_null(strstr(page, "## Comparison with the base"));
        /* a fixed number of repetitions: no precision line */
        assert_null(strstr(page, "**Precision:**"));

        /* host: two columns, nested libraries flattened */
        _cleanup_free_ char *host = section(page, "\n## Host\n");
        assert_non_null(strstr(host, "| kernel | 6.1.0-test |"));
        assert_non_null(strstr(host, "| libraries.libvirt | 9.0.0 |"));

        /* configurations: options as key=value, the vm's accel flagged */
        _cleanup_free_ char *cfg = section(page, "\n## Configurations\n");
        assert_non_null(strstr(cfg, "| container | container | layers=3 memory=512M |"));
        assert_non_null(strstr(cfg, "| vm | vm | memory=256M accel=auto | tcg (emulated) |"));

        /* overhead: one row per non-bare (configuration, metric), none for bare */
        _cleanup_free_ char *ovh = section(page, "\n## Overhead vs bare\n");
        assert_non_null(strstr(ovh, "| Workload | Configuration | Metric | Bare median | Median | "
                                    "Overhead (95% CI) | Verdict (threshold 5%) |"));
        char **rows = NULL;
        size_t n = md_rows(ovh, &rows);
        assert_int_equal(n, 4);
        static const char *const expect[][2] = {{"| container |", "| ready_ms |"},
                                                {"| container |", "| ops_per_s |"},
                                                {"| vm (tcg, emulated) |", "| ready_ms |"},
                                                {"| vm (tcg, emulated) |", "| ops_per_s |"}};
        for (size_t k = 0; k < ELEMENTSOF(expect); k++) {
                size_t hits = 0;
                for (size_t i = 0; i < n; i++)
                        hits += strstr(rows[i], expect[k][0]) && strstr(rows[i], expect[k][1]);
                if (hits != 1)
                        fail_msg("overhead rows for %s %s: %zu", expect[k][0], expect[k][1], hits);
        }
        for (size_t i = 0; i < n; i++)
                assert_null(strstr(rows[i], "| bare |"));
        free_rows(rows, n);

        /* results: every series, with n = 5 */
        _cleanup_free_ char *res = section(page, "\n## Results\n");
        n = md_rows(res, &rows);
        assert_int_equal(n, 6);
        for (size_t i = 0; i < n; i++)
                assert_non_null(strstr(rows[i], "| 5 |"));
        free_rows(rows, n);

        /* issues: the reasons, the error's text escaped for Markdown */
        _cleanup_free_ char *skipped = section(page, "\n## Skipped\n");
        assert_non_null(strstr(skipped, "| vm | fileio | no virtio-blk disk on this host |"));
        _cleanup_free_ char *errors = section(page, "\n## Errors\n");
        /* repetition 2 (0-based) is shown as 3 */
        assert_non_null(strstr(errors,
                               "| container | cpu | 3 | agent said \\<script\\>alert('x')\\</script\\> \\| & "
                               "died |"));
        assert_null(strstr(page, "<script>"));
        _cleanup_free_ char *notes = section(page, "\n## Notes\n");
        assert_non_null(strstr(notes, "O_DIRECT refused: buffered I/O"));

        size_t images = check_md_links(page, dir);
        if (have_gnuplot())
                assert_true(images > 0);
        res_file_free(f);
        rm_tree(dir);
}

/* An adaptive run: one line with the target, the worst reached, the repetitions and why it stopped. */
static void test_report_adaptive(void **state) {
        res_file *f = make_run();
        /* a sixth sample each (its first again): n = 6 has a 95% interval, [min, max] */
        for (size_t i = 0; i < f->n_series; i++)
                assert_int_equal(res_series_add(&f->series[i], f->series[i].samples[0]), 0);
        assert_int_equal(res_finalize(f, NULL), 0);
        f->adaptive = (res_adaptive){.on = true, .precision = 0.02, .max_repetitions = 6};
        assert_true(res_adaptive_assess(f) > 0);
        f->repetitions_done = f->adaptive.repetitions = 6;
        f->adaptive.stopped_by = res_adaptive_stop(f, 5, 6, 1, 1);
        assert_int_equal(f->adaptive.stopped_by, RES_STOP_MAX_REPETITIONS);
        _cleanup_free_ char *dir = tmpdir(), *out = NULL;
        assert_true(asprintf(&out, "%s/report.md", dir) > 0);
        bench_error *err = NULL;
        if (report_write(f, NULL, 0, out, &err) < 0)
                fail_msg("%s", err->msg);
        _cleanup_free_ char *page = slurp(out);
        /* vm's ready_ms: [4000, 4400] around its median 4150 is the widest, 250 / 4150 */
        const char *line =
                "- **Precision:** target 2%, reached 6% (worst: startup/vm/ready_ms), 6 repetitions, "
                "stopped: max_repetitions (6)\n";
        if (!strstr(page, line))
                fail_msg("no line `%s` in:\n%.600s", line, page);

        f->adaptive.precision = 0.07;
        assert_int_equal(res_adaptive_assess(f), 0);
        f->adaptive.stopped_by = res_adaptive_stop(f, 5, 6, 1, 1);
        assert_int_equal(report_write(f, NULL, 0, out, &err), 0);
        free(page);
        page = slurp(out);
        assert_non_null(strstr(page, "- **Precision:** target 7%, reached 6% (worst: startup/vm/ready_ms), 6 "
                                     "repetitions, stopped: target met\n"));
        res_file_free(f);
        rm_tree(dir);
}

/* tests/integration/check_report_html.py on path, with the h2 headings and at least min_figures figures */
static int check_html(const char *path, const char *h2, int min_figures) {
        const char *src = getenv("BENCH_SOURCE_DIR");
        if (!src)
                fail_msg("BENCH_SOURCE_DIR is not set (run the test with ctest)");
        _cleanup_free_ char *cmd = NULL;
        assert_true(asprintf(&cmd,
                             "/usr/bin/python3 %s/tests/integration/check_report_html.py '%s' --h2 '%s' "
                             "--figures %d",
                             src, path, h2, min_figures) > 0);
        int st = system(cmd);
        assert_true(WIFEXITED(st));
        return WEXITSTATUS(st);
}

static const char report_h2[] = "Host,Configurations,Overhead vs bare,Results,Plots,Notes,Skipped,Errors";

/*
 * One file that stands alone: the figures embedded as data: URIs (never inline SVG markup), their
 * files linked, the one script the CSP allows by hash, every table sortable; the hostile text inert.
 */
static void test_report_html(void **state) {
        res_file *f = make_run();
        /* a workload name that would close an SVG <text> and open a script, were the SVG inlined */
        const double v[] = {1, 2, 3, 4, 5};
        add_series(f, "</text><script>alert(1)</script>", "cpu", "bare", "bare", "ops_per_s", "ops/s",
                   "higher", NULL, v, 5);
        assert_int_equal(res_finalize(f, NULL), 0);
        _cleanup_free_ char *dir = tmpdir(), *out = NULL;
        assert_true(asprintf(&out, "%s/report.html", dir) > 0);
        bench_error *err = NULL;
        int r = report_write(f, NULL, 0, out, &err);
        if (r < 0)
                fail_msg("%s", err->msg);
        _cleanup_free_ char *page = slurp(out);
        assert_true(!strncmp(page, "<!DOCTYPE html>", 15));
        assert_non_null(strstr(page, "<style>"));
        assert_non_null(strstr(page, "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; | &amp; died"));
        assert_non_null(strstr(page, "&lt;/text&gt;&lt;script&gt;alert(1)&lt;/script&gt;"));
        /* the one script: the sort script, at the end; no SVG markup in the page */
        const char *script = strstr(page, "<script>");
        assert_non_null(script);
        assert_null(strstr(script + 1, "<script"));
        assert_true(!strncmp(script + 8, doc_sort_script, strlen(doc_sort_script)));
        assert_null(strstr(page, "<svg"));
        assert_null(strstr(page, "<text"));
        assert_non_null(strstr(page, "http-equiv=\"Content-Security-Policy\""));
        assert_non_null(strstr(page, "tcg (emulated)"));
        assert_non_null(strstr(page, "<table class=\"sortable\">"));
        if (have_gnuplot()) {
                assert_non_null(strstr(page, "<img src=\"data:image/svg+xml;base64,"));
                assert_non_null(strstr(page, ".gp\">gnuplot script</a>"));
                assert_non_null(strstr(page, ".dat\">data</a>"));
                assert_null(strstr(page, "<img src=\"report-plots/"));
                /* the hostile title is in an embedded SVG, as text */
                bool found = false;
                for (const char *p = strstr(page, ";base64,"); p && !found; p = strstr(p + 1, ";base64,")) {
                        p += 8;
                        size_t n = strcspn(p, "\"");
                        _cleanup_free_ char *b64 = strndup(p, n), *svg = malloc(n / 4 * 3 + 1);
                        size_t len = 0;
                        assert_int_equal(bench_base64_decode(b64, svg, &len), 0);
                        svg[len] = '\0';
                        /* gnuplot escapes < (and &), which is enough in XML text */
                        found = strstr(svg, "&lt;/text>&lt;script>alert(1)&lt;/script>") != NULL;
                }
                assert_true(found);
        }
        assert_int_equal(check_html(out, report_h2, have_gnuplot() ? 4 : 0), 0);

        /* the check fails when it should: a changed script no longer matches the CSP's hash */
        char *s = strstr(page, "<script>(function(){");
        assert_non_null(s);
        s[9] = '[';
        _cleanup_free_ char *bad = NULL;
        assert_true(asprintf(&bad, "%s/tampered.html", dir) > 0);
        assert_int_equal(bench_write_file_atomic(bad, page, strlen(page), &err), 0);
        assert_int_equal(check_html(bad, report_h2, 0), 1);
        res_file_free(f);
        rm_tree(dir);
}

static void put_file(const char *dir, const char *name, const char *data, size_t len) {
        _cleanup_free_ char *path = NULL;
        assert_true(asprintf(&path, "%s/%s", dir, name) > 0);
        bench_error *err = NULL;
        assert_int_equal(bench_write_file_atomic(path, data, len, &err), 0);
}

static plot_file fig(const char *dir, const char *name) {
        plot_file p = {.name = strdup(name), .title = strdup(name)};
        assert_true(asprintf(&p.svg, "%s/%s.svg", dir, name) > 0);
        assert_true(asprintf(&p.png, "%s/%s.png", dir, name) > 0);
        assert_true(asprintf(&p.gp, "%s/%s.gp", dir, name) > 0);
        assert_true(asprintf(&p.dat, "%s/%s.dat", dir, name) > 0);
        return p;
}

/*
 * What an HTML report embeds of a figure's files: the SVG; else (a symlink, too big, not an SVG) the
 * PNG; else a note. Nothing is read through a symlink or beyond DOC_FIGURE_MAX.
 */
static void test_html_figures(void **state) {
        _cleanup_free_ char *dir = tmpdir(), *plots = NULL, *out = NULL, *elsewhere = NULL;
        assert_true(asprintf(&plots, "%s/r-plots", dir) > 0);
        assert_true(asprintf(&out, "%s/r.html", dir) > 0);
        assert_int_equal(mkdir(plots, 0755), 0);
        static const char svg[] = "<?xml version=\"1.0\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\"/>\n";
        static const char png[] = "\x89PNG\r\n\x1a\nrest";
        put_file(plots, "ok.svg", svg, strlen(svg));
        /* a symlink at the SVG's name to a file elsewhere (someone else's secret, say) */
        put_file(dir, "secret.svg", svg, strlen(svg));
        assert_true(asprintf(&elsewhere, "%s/secret.svg", dir) > 0);
        _cleanup_free_ char *link = NULL, *big = NULL;
        assert_true(asprintf(&link, "%s/link.svg", plots) > 0);
        assert_int_equal(symlink(elsewhere, link), 0);
        put_file(plots, "link.png", png, sizeof(png) - 1);
        /* beyond the cap (sparse) */
        assert_true(asprintf(&big, "%s/big.svg", plots) > 0);
        int fd = open(big, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
        assert_true(fd >= 0);
        assert_int_equal(ftruncate(fd, DOC_FIGURE_MAX + 1), 0);
        close(fd);
        /* not an image at all */
        put_file(plots, "bad.svg", "<script>alert(1)</script>", 25);

        plot_file files[] = {fig(plots, "ok"), fig(plots, "link"), fig(plots, "big"), fig(plots, "bad")};
        plot_set set = {.files = files, .n = ELEMENTSOF(files)};
        doc d;
        bench_error *err = NULL;
        assert_int_equal(doc_open(&d, out, "figures", &err), 0);
        doc_plots(&d, &set, NULL, plots, "r-plots");
        assert_int_equal(doc_commit(&d, out, &err), 0);
        _cleanup_free_ char *page = slurp(out);
        char b64[256];
        bench_base64_encode(svg, strlen(svg), b64);
        _cleanup_free_ char *want_svg = NULL, *want_png = NULL;
        assert_true(asprintf(&want_svg,
                             "<h3>ok</h3>\n<figure><img src=\"data:image/svg+xml;base64,%s\" alt=\"ok\">",
                             b64) > 0);
        if (!strstr(page, want_svg))
                fail_msg("no `%s` in:\n%s", want_svg, page);
        bench_base64_encode(png, sizeof(png) - 1, b64);
        assert_true(asprintf(&want_png, "<h3>link</h3>\n<figure><img src=\"data:image/png;base64,%s\"", b64) >
                    0);
        assert_non_null(strstr(page, want_png));
        const char *bigfig = strstr(page, "<h3>big</h3>");
        assert_non_null(bigfig);
        assert_true(!strncmp(bigfig, "<h3>big</h3>\n<figure><p>Not embedded: ", 38));
        assert_non_null(strstr(page, "<h3>bad</h3>\n<figure><p>Not embedded: "));
        assert_non_null(strstr(page, "bad.svg is no image/svg+xml"));
        /* four images' worth of links, relative to the report */
        assert_non_null(strstr(page, "<a href=\"r-plots/big.gp\">gnuplot script</a> · <a "
                                     "href=\"r-plots/big.dat\">data</a>"));
        assert_null(strstr(page, "<script>alert"));
        for (size_t i = 0; i < ELEMENTSOF(files); i++) {
                free(files[i].name);
                free(files[i].title);
                free(files[i].svg);
                free(files[i].png);
                free(files[i].gp);
                free(files[i].dat);
        }
        rm_tree(dir);
}

/* The page's policy: nothing loads, and only the sort script runs, by its hash; the script cannot end
 * its element early. */
static void test_html_csp(void **state) {
        char csp[512];
        doc_csp(csp, sizeof(csp));
        assert_non_null(strstr(csp, "default-src 'none'; img-src data:; ") == csp ? csp : NULL);
        assert_non_null(strstr(csp, "script-src 'sha256-"));
        assert_null(strstr(csp, "unsafe-eval"));
        assert_null(strstr(csp, "script-src 'unsafe-inline'"));
        assert_null(strstr(doc_sort_script, "</"));
        assert_null(strstr(doc_sort_script, "<!--"));
        /* the hash is the script's: base64 of its SHA-256 (sha256sum | base64 agrees, checked by python too)
         */
        bench_sha256 h;
        uint8_t digest[32];
        char b64[45], want[64];
        bench_sha256_init(&h);
        bench_sha256_update(&h, doc_sort_script, strlen(doc_sort_script));
        bench_sha256_final(&h, digest);
        bench_base64_encode(digest, sizeof(digest), b64);
        snprintf(want, sizeof(want), "'sha256-%s'", b64);
        assert_non_null(strstr(csp, want));
}

static void test_report_compare_and_bad_extension(void **state) {
        res_file *f = make_run(), *base = make_run();
        _cleanup_free_ char *dir = tmpdir(), *out = NULL, *bad = NULL;
        assert_true(asprintf(&out, "%s/with-base.md", dir) > 0);
        bench_error *err = NULL;
        int r = report_write(f, base, 0, out, &err);
        if (r < 0)
                fail_msg("%s", err->msg);
        _cleanup_free_ char *page = slurp(out);
        assert_non_null(strstr(page, "\n## Comparison with the base\n"));
        /* the section follows the full tables, before the notes */
        assert_true(strstr(page, "\n## Results\n") < strstr(page, "\n## Comparison with the base\n"));
        assert_true(strstr(page, "\n## Comparison with the base\n") < strstr(page, "\n## Notes\n"));
        if (have_gnuplot())
                assert_true(check_md_links(page, dir) > 0);

        assert_true(asprintf(&bad, "%s/report.txt", dir) > 0);
        r = report_write(f, NULL, 0, bad, &err);
        assert_int_equal(r, -EINVAL);
        assert_non_null(strstr(err->msg, ".md"));
        assert_non_null(strstr(err->msg, ".html"));
        bench_error_free(err);
        assert_false(exists(bad));
        res_file_free(f);
        res_file_free(base);
        rm_tree(dir);
}

static void write_run(const char *dir, const char *name, const char *started, const char *commit,
                      const double *ms, const double *ops, size_t n) {
        res_file *f = new_file(started, commit);
        f->suite = cJSON_Parse("{\"name\":\"hist\"}");
        add_series(f, "startup", "startup", "bare", "bare", "ready_ms", "ms", "lower", NULL, ms, n);
        add_series(f, "cpu", "cpu", "bare", "bare", "ops_per_s", "ops/s", "higher", NULL, ops, n);
        bench_error *err = NULL;
        assert_int_equal(res_finalize(f, &err), 0);
        _cleanup_free_ char *path = NULL;
        assert_true(asprintf(&path, "%s/%s", dir, name) > 0);
        assert_int_equal(res_write(f, path, &err), 0);
        res_file_free(f);
}

static void test_trend(void **state) {
        if (!have_gnuplot())
                skip();
        _cleanup_free_ char *dir = tmpdir(), *in = NULL, *out = NULL;
        assert_true(asprintf(&in, "%s/in", dir) > 0);
        assert_true(asprintf(&out, "%s/out", dir) > 0);
        assert_int_equal(mkdir(in, 0755), 0);
        /* run 2 is run 1 reordered (no change); run 3 doubles every startup sample: median ratio exactly 2 */
        const double ms1[] = {10.0, 10.2, 9.9, 10.1, 10.3, 9.8, 10.0, 10.1};
        const double ms2[] = {10.1, 10.0, 9.8, 10.3, 10.1, 9.9, 10.2, 10.0};
        const double ms3[] = {20.2, 20.0, 19.6, 20.6, 20.2, 19.8, 20.4, 20.0};
        const double ops[] = {1000, 1001, 999, 1000, 1002, 998, 1000, 1001};
        /* file names sort against time: the order must come from started_at */
        write_run(in, "a.json", "2024-05-03T10:00:00Z", "cccccccccccc", ms3, ops, 8);
        write_run(in, "b.json", "2024-05-01T10:00:00Z", "aaaaaaaaaaaa", ms1, ops, 8);
        write_run(in, "c.json", "2024-05-02T10:00:00Z", "bbbbbbbbbbbb", ms2, ops, 8);
        /* not a result file: ignored by the directory scan */
        _cleanup_free_ char *txt = NULL;
        assert_true(asprintf(&txt, "%s/README.txt", in) > 0);
        bench_error *err = NULL;
        assert_int_equal(bench_write_file_atomic(txt, "x", 1, &err), 0);

        const char *files[] = {in};
        int r = trend_write(files, 1, out, &err);
        if (r < 0)
                fail_msg("%s", err->msg);

        _cleanup_free_ char *md_path = NULL, *png = NULL, *svg = NULL, *gp = NULL, *dat_path = NULL;
        assert_true(asprintf(&md_path, "%s/trend.md", out) > 0);
        _cleanup_free_ char *md = slurp(md_path);
        /* runs in time order, labelled by date and short commit */
        const char *r1 = strstr(md, "| 1 | 2024-05-01T10:00:00Z | 2024-05-01 10:00 aaaaaaa |");
        const char *r3 = strstr(md, "| 3 | 2024-05-03T10:00:00Z | 2024-05-03 10:00 ccccccc |");
        assert_non_null(r1);
        assert_non_null(r3);
        /* the one regression: c.json (run 2) -> a.json (run 3), +100% */
        _cleanup_free_ char *row = NULL;
        assert_true(asprintf(&row, "| %s/c.json | %s/a.json | startup | bare | ready_ms | +100.0%% |", in,
                             in) > 0);
        const char *hit = strstr(md, row);
        if (!hit)
                fail_msg("no regression row `%s` in:\n%s", row, md);
        assert_null(strstr(hit + 1, row));
        assert_null(strstr(md, "| ops_per_s | "));
        const char *regs = strstr(md, "## Regressions");
        assert_non_null(regs);
        size_t reg_rows = 0;
        for (const char *p = strstr(regs, "|---"); p && (p = strchr(p, '\n')) && p[1] == '|'; p++)
                reg_rows++;
        assert_int_equal(reg_rows, 1);

        assert_true(asprintf(&png, "%s/trend-startup-bare-ready_ms.png", out) > 0);
        assert_true(asprintf(&svg, "%s/trend-startup-bare-ready_ms.svg", out) > 0);
        assert_true(asprintf(&gp, "%s/trend-startup-bare-ready_ms.gp", out) > 0);
        assert_true(asprintf(&dat_path, "%s/trend-startup-bare-ready_ms.dat", out) > 0);
        assert_true(exists(png));
        assert_true(exists(svg));
        assert_true(exists(gp));
        _cleanup_free_ char *png_data = slurp(png);
        assert_memory_equal(png_data, "\x89PNG", 4);
        assert_non_null(strstr(md, "](trend-startup-bare-ready_ms.png)"));
        /* the data: run 3 flagged, medians 10.05 -> 10.05 -> 20.1 (hand: middle pair of the sorted samples)
         */
        _cleanup_free_ char *dat = slurp(dat_path);
        assert_non_null(strstr(dat, "\n1 10.05"));
        assert_non_null(strstr(dat, " 0 \"2024-05-01 10:00 aaaaaaa\"\n"));
        assert_non_null(strstr(dat, " 0 \"2024-05-02 10:00 bbbbbbb\"\n"));
        assert_non_null(strstr(dat, "\n3 20.1"));
        assert_non_null(strstr(dat, " 1 \"2024-05-03 10:00 ccccccc\"\n"));
        /* cpu is a figure too, without regressions */
        _cleanup_free_ char *cpu_png = NULL;
        assert_true(asprintf(&cpu_png, "%s/trend-cpu-bare-ops_per_s.png", out) > 0);
        assert_true(exists(cpu_png));
        rm_tree(dir);
}

static void test_trend_bad_input(void **state) {
        if (!have_gnuplot())
                skip();
        _cleanup_free_ char *dir = tmpdir(), *bad = NULL, *good = NULL, *out = NULL;
        assert_true(asprintf(&bad, "%s/bad.json", dir) > 0);
        assert_true(asprintf(&good, "%s/good.json", dir) > 0);
        assert_true(asprintf(&out, "%s/out", dir) > 0);
        bench_error *err = NULL;
        assert_int_equal(bench_write_file_atomic(bad, "{\"schema\":", 10, &err), 0);
        const double v[] = {1, 2, 3};
        write_run(dir, "good.json", "2024-05-01T10:00:00Z", "abc", v, v, 3);

        const char *two[] = {good, bad};
        assert_true(trend_write(two, 2, out, &err) < 0);
        assert_non_null(strstr(err->msg, "bad.json"));
        bench_error_free(err);
        err = NULL;
        const char *one[] = {good};
        assert_int_equal(trend_write(one, 1, out, &err), -EINVAL);
        assert_non_null(strstr(err->msg, "at least two"));
        bench_error_free(err);
        rm_tree(dir);
}

/* --equivalence: the overhead table states the margin and says equivalent / worse / inconclusive */
static void test_report_equivalence(void **state) {
        (void)state;
        res_file *f = new_file("2024-05-01T10:00:00Z", "0123456789ab");
        f->suite = cJSON_Parse("{\"name\":\"eq\",\"repetitions\":8,\"configurations\":["
                               "{\"name\":\"bare\",\"kind\":\"bare\"},"
                               "{\"name\":\"container\",\"kind\":\"container\"}]}");
        assert_non_null(f->suite);
        const double bare_ms[] = {0.50, 0.52, 0.49, 0.51, 0.50, 0.505, 0.495, 0.515};
        const double ctr_ms[] = {8.1, 8.3, 8.2, 8.0, 8.4, 8.25, 8.15, 8.05};
        const double ops[] = {1000, 1000.5, 1001, 999.5, 1000.2, 999.8, 1000.1, 999.9};
        const double wide[] = {900, 1100, 950, 1050, 1000, 980, 1020, 1010};
        const double kib0[] = {-40, -12, -4, 0, 0, 4, 12, 40};
        const double kib512[] = {472, 500, 508, 512, 512, 516, 524, 552};
        add_series(f, "startup", "startup", "bare", "bare", "ready_ms", "ms", "lower", NULL, bare_ms, 8);
        add_series(f, "startup", "startup", "container", "container", "ready_ms", "ms", "lower", NULL, ctr_ms,
                   8);
        add_series(f, "cpu", "cpu", "bare", "bare", "ops_per_s", "ops/s", "higher", NULL, ops, 8);
        add_series(f, "cpu", "cpu", "container", "container", "ops_per_s", "ops/s", "higher", NULL, ops, 8);
        add_series(f, "cpu", "cpu", "bare", "bare", "wide_ops", "ops/s", "higher", NULL, ops, 8);
        add_series(f, "cpu", "cpu", "container", "container", "wide_ops", "ops/s", "higher", NULL, wide, 8);
        add_series(f, "memory", "memory", "bare", "bare", "extra_kib", "KiB", "lower", NULL, kib0, 8);
        add_series(f, "memory", "memory", "container", "container", "extra_kib", "KiB", "lower", NULL, kib512,
                   8);
        bench_error *err = NULL;
        assert_int_equal(res_finalize(f, &err), 0);
        _cleanup_free_ char *dir = tmpdir(), *out = NULL;
        assert_true(asprintf(&out, "%s/report.md", dir) > 0);
        int r = report_write(f, NULL, 2, out, &err);
        if (r < 0)
                fail_msg("%s", err->msg);
        _cleanup_free_ char *page = slurp(out);
        _cleanup_free_ char *ovh = section(page, "\n## Overhead vs bare\n");
        assert_non_null(strstr(ovh, "equivalence margin of ±2%"));
        assert_non_null(strstr(ovh, "| Overhead (95% CI) | Verdict (margin ±2%) |"));
        char **rows = NULL;
        size_t n = md_rows(ovh, &rows);
        assert_int_equal(n, 4);
        static const char *const expect[][2] = {
                {"| ready_ms |", "| worse |"},
                {"| ops_per_s |", "| equivalent within ±2% |"},
                {"| wide_ops |", "| inconclusive: about "},
                /* no ratio against a median of 0: the difference in KiB, lower is better */
                {"| extra_kib |", " KiB \\[+"},
        };
        for (size_t k = 0; k < ELEMENTSOF(expect); k++) {
                size_t hits = 0;
                for (size_t i = 0; i < n; i++)
                        hits += strstr(rows[i], expect[k][0]) && strstr(rows[i], expect[k][1]);
                if (hits != 1)
                        fail_msg("overhead rows with %s %s: %zu\n%s", expect[k][0], expect[k][1], hits, ovh);
        }
        for (size_t i = 0; i < n; i++)
                if (strstr(rows[i], "| extra_kib |"))
                        assert_non_null(strstr(rows[i], "| worse |"));
        free_rows(rows, n);
        res_file_free(f);
        rm_tree(dir);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_report_markdown),
                cmocka_unit_test(test_report_equivalence),
                cmocka_unit_test(test_report_html),
                cmocka_unit_test(test_html_csp),
                cmocka_unit_test(test_html_figures),
                cmocka_unit_test(test_report_adaptive),
                cmocka_unit_test(test_report_compare_and_bad_extension),
                cmocka_unit_test(test_trend),
                cmocka_unit_test(test_trend_bad_input),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
