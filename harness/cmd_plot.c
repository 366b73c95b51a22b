/* SPDX-License-Identifier: MIT */
/* bench plot RESULT.json [--compare BASE.json] [-o DIR]: the figures of a result file, by gnuplot. */
#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/cleanup.h"
#include "../common/util.h"
#include "../plots/plot.h"
#include "commands.h"

static void plot_usage(FILE *f) {
        fputs("usage: bench plot RESULT.json [--compare BASE.json] [-o DIR]\n"
              "\n"
              "  draws every figure of a result file with gnuplot: NAME.png and NAME.svg, next to the\n"
              "  NAME.gp script and NAME.dat data that made them (edit and rerun: gnuplot NAME.gp)\n"
              "\n"
              "  -o, --output DIR       where the figures go (default: RESULT-plots, RESULT without .json)\n"
              "  --compare BASE.json    add the compare view: RESULT against BASE, regressions in red\n"
              "\n"
              "exit status: 0 ok, 1 failed (e.g. gnuplot missing or failing), 2 bad input\n",
              f);
}

/* "runs/q.json" -> "q-plots" */
static char *default_dir(const char *result) {
        _cleanup_free_ char *copy = strdup(result);
        if (!copy)
                return NULL;
        char *base = basename(copy);
        size_t n = strlen(base);
        if (n > 5 && !strcmp(base + n - 5, ".json"))
                base[n - 5] = '\0';
        char *dir = NULL;
        if (asprintf(&dir, "%s-plots", base) < 0)
                return NULL;
        return dir;
}

int cmd_plot(int argc, char **argv) {
        static const struct option opts[] = {
                {"output", required_argument, NULL, 'o'},
                {"compare", required_argument, NULL, 'c'},
                {"help", no_argument, NULL, 'h'},
                {0},
        };
        const char *out = NULL, *base_path = NULL;
        int c;
        argv[0] = (char *)"bench plot"; /* getopt's messages start with it */
        optind = 1;
        while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) >= 0) {
                switch (c) {
                case 'o':
                        out = optarg;
                        break;
                case 'c':
                        base_path = optarg;
                        break;
                case 'h':
                        plot_usage(stdout);
                        return EXIT_OK;
                default:
                        plot_usage(stderr);
                        return EXIT_BAD_INPUT;
                }
        }
        if (optind + 1 != argc) {
                fprintf(stderr, "bench plot: expected one result file, e.g. bench plot results.json\n");
                plot_usage(stderr);
                return EXIT_BAD_INPUT;
        }
        const char *path = argv[optind];
        _cleanup_free_ char *dir = out ? strdup(out) : default_dir(path);
        if (!dir || !*dir) {
                fprintf(stderr, "bench plot: %s\n",
                        dir ? "-o: the directory name is empty" : "out of memory");
                return dir ? EXIT_BAD_INPUT : EXIT_FAILED;
        }

        _cleanup_error_ bench_error *err = NULL;
        res_file *f = NULL, *base = NULL;
        if (res_read_file(path, &f, &err) < 0) {
                fprintf(stderr, "bench plot: %s\n", err && err->msg ? err->msg : "cannot read the result");
                return EXIT_BAD_INPUT;
        }
        cmp_report report = {0};
        bool have_report = false;
        int rc = EXIT_OK;
        if (base_path) {
                /* the comparison is compare.c's, the same numbers `bench compare` gives */
                cmp_opts o = {.threshold_pct = 5, .alpha = 0.05, .bootstrap = 2000};
                int r = res_read_file(base_path, &base, &err);
                if (r >= 0)
                        r = cmp_files(base, f, &o, &report, &err);
                if (r < 0) {
                        fprintf(stderr, "bench plot: --compare %s: %s\n", base_path,
                                err && err->msg ? err->msg : "cannot compare");
                        /* else unusable input, as for bench compare */
                        rc = r == -ENOMEM ? EXIT_FAILED : EXIT_BAD_INPUT;
                        goto out;
                }
                have_report = true;
        }

        plot_set set = {0};
        int r = plot_all(f, have_report ? &report : NULL, dir, &set, &err);
        if (r < 0) {
                fprintf(stderr, "bench plot: %s\n", err && err->msg ? err->msg : strerror(-r));
                rc = EXIT_FAILED;
                goto out;
        }
        for (size_t i = 0; i < set.n; i++)
                printf("%s  %s\n", set.files[i].png, set.files[i].svg);
        fprintf(stderr,
                "bench plot: %zu figure%s in %s (NAME.gp + NAME.dat beside each; rerun: gnuplot NAME.gp)\n",
                set.n, set.n == 1 ? "" : "s", dir);
        plot_set_clear(&set);
out:
        if (have_report)
                cmp_report_clear(&report);
        res_file_free(base);
        res_file_free(f);
        return rc;
}
