/* SPDX-License-Identifier: MIT */
/*
 * bench report RESULT.json [--compare BASE.json] -o report.md|report.html
 * bench trend FILES...|DIR -o DIR
 * Exit: 0 ok, 1 failed, 2 bad input (usage, unreadable or invalid result files).
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../common/cleanup.h"
#include "../common/util.h"
#include "../plots/report.h"
#include "commands.h"

static void report_usage(FILE *f) {
        fputs("usage: bench report RESULT.json [--compare BASE.json] [--equivalence PCT] -o "
              "REPORT.md|REPORT.html\n"
              "\n"
              "  a Markdown or HTML report (by the extension of -o): host, configurations, the overhead\n"
              "  of each configuration against bare, every result, the plots (made next to the report\n"
              "  in REPORT-plots/), the comparison with BASE.json, skips and errors. The HTML is one\n"
              "  file that stands alone: figures embedded, tables sorted by a click on a heading,\n"
              "  nothing loaded from elsewhere. The directory of -o is made if missing.\n"
              "\n"
              "  --equivalence PCT    the overhead table (and the comparison) say equivalent within\n"
              "                       +-PCT, worse / better, or inconclusive with about how many more\n"
              "                       samples would settle it (e.g. 2%)\n"
              "\n"
              "exit status: 0 ok, 1 failed, 2 bad input\n",
              f);
}

static void trend_usage(FILE *f) {
        fputs("usage: bench trend FILE.json... | DIR -o OUTDIR\n"
              "\n"
              "  every metric over a history of result files (a DIR means its *.json), ordered by start\n"
              "  time, with regressions between consecutive runs marked; figures and trend.md in OUTDIR\n"
              "  (made if missing)\n"
              "\n"
              "exit status: 0 ok, 1 failed, 2 bad input\n",
              f);
}

static int load(const char *cmd, const char *path, res_file **ret) {
        _cleanup_error_ bench_error *err = NULL;
        _cleanup_free_ char *text = NULL;
        if (bench_read_file(path, &text, NULL, &err) < 0 || res_from_json(text, path, ret, &err) < 0) {
                fprintf(stderr, "bench %s: %s\n", cmd, err && err->msg ? err->msg : path);
                return -EINVAL;
        }
        return 0;
}

static bool ends_with(const char *s, const char *suffix) {
        size_t a = strlen(s), b = strlen(suffix);
        return a > b && !strcmp(s + a - b, suffix);
}

int cmd_report(int argc, char **argv) {
        static const struct option opts[] = {
                {"output", required_argument, NULL, 'o'},
                {"compare", required_argument, NULL, 'c'},
                {"equivalence", required_argument, NULL, 'e'},
                {"help", no_argument, NULL, 'h'},
                {0},
        };
        const char *output = NULL, *compare = NULL;
        double equivalence_pct = 0;
        int c;
        argv[0] = (char *)"bench report";
        optind = 1;
        while ((c = getopt_long(argc, argv, "o:c:h", opts, NULL)) >= 0) {
                switch (c) {
                case 'o':
                        output = optarg;
                        break;
                case 'c':
                        compare = optarg;
                        break;
                case 'e': {
                        _cleanup_error_ bench_error *perr = NULL;
                        if (cmp_parse_margin(optarg, &equivalence_pct, &perr) < 0) {
                                fprintf(stderr, "bench report: %s\n", perr->msg);
                                return EXIT_BAD_INPUT;
                        }
                        break;
                }
                case 'h':
                        report_usage(stdout);
                        return EXIT_OK;
                default:
                        report_usage(stderr);
                        return EXIT_BAD_INPUT;
                }
        }
        if (optind + 1 != argc) {
                fprintf(stderr, "bench report: expected one result file, e.g. bench report "
                                "bench-results/quickstart.json -o report.md\n");
                return EXIT_BAD_INPUT;
        }
        if (!output) {
                fprintf(stderr, "bench report: give the report's path with -o (report.md or report.html)\n");
                return EXIT_BAD_INPUT;
        }
        if (!ends_with(output, ".md") && !ends_with(output, ".html")) {
                fprintf(stderr, "bench report: -o %s: the extension says the format; allowed: .md, .html\n",
                        output);
                return EXIT_BAD_INPUT;
        }
        res_file *f = NULL, *base = NULL;
        if (load("report", argv[optind], &f) < 0)
                return EXIT_BAD_INPUT;
        if (compare && load("report", compare, &base) < 0) {
                res_file_free(f);
                return EXIT_BAD_INPUT;
        }
        /* before plotting, with the real reason; a missing dir is made (not for inputs refused above) */
        _cleanup_error_ bench_error *err = NULL;
        if (bench_mkdir_parent(output, &err) < 0) {
                fprintf(stderr, "bench report: %s\n", err->msg);
                res_file_free(f);
                res_file_free(base);
                return EXIT_BAD_INPUT;
        }
        int rc = EXIT_OK;
        if (report_write(f, base, equivalence_pct, output, &err) < 0) {
                fprintf(stderr, "bench report: %s\n", err && err->msg ? err->msg : "failed");
                rc = EXIT_FAILED;
        } else
                fprintf(stderr, "bench report: %s\n", output);
        res_file_free(f);
        res_file_free(base);
        return rc;
}

/* Every file (a directory: its *.json) must be a readable result file: that is bad input, not a failure. */
static int check_inputs(char **args, size_t n, size_t *ret_files) {
        size_t files = 0;
        for (size_t i = 0; i < n; i++) {
                struct stat st;
                if (stat(args[i], &st) < 0) {
                        fprintf(stderr, "bench trend: %s: %s\n", args[i], strerror(errno));
                        return -EINVAL;
                }
                if (!S_ISDIR(st.st_mode)) {
                        res_file *f = NULL;
                        if (load("trend", args[i], &f) < 0)
                                return -EINVAL;
                        res_file_free(f);
                        files++;
                        continue;
                }
                struct dirent **ents = NULL;
                int ne = scandir(args[i], &ents, NULL, alphasort);
                if (ne < 0) {
                        fprintf(stderr, "bench trend: cannot list %s: %s\n", args[i], strerror(errno));
                        return -EINVAL;
                }
                int r = 0;
                for (int k = 0; k < ne; k++) {
                        if (r == 0 && ends_with(ents[k]->d_name, ".json")) {
                                _cleanup_free_ char *p = NULL;
                                res_file *f = NULL;
                                if (asprintf(&p, "%s/%s", args[i], ents[k]->d_name) < 0 ||
                                    load("trend", p, &f) < 0)
                                        r = -EINVAL;
                                res_file_free(f);
                                files++;
                        }
                        free(ents[k]);
                }
                free(ents);
                if (r < 0)
                        return r;
        }
        *ret_files = files;
        return 0;
}

int cmd_trend(int argc, char **argv) {
        static const struct option opts[] = {
                {"output", required_argument, NULL, 'o'},
                {"help", no_argument, NULL, 'h'},
                {0},
        };
        const char *output = NULL;
        int c;
        argv[0] = (char *)"bench trend";
        optind = 1;
        while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) >= 0) {
                switch (c) {
                case 'o':
                        output = optarg;
                        break;
                case 'h':
                        trend_usage(stdout);
                        return EXIT_OK;
                default:
                        trend_usage(stderr);
                        return EXIT_BAD_INPUT;
                }
        }
        if (optind >= argc) {
                fprintf(stderr, "bench trend: expected result files or a directory of them\n");
                trend_usage(stderr);
                return EXIT_BAD_INPUT;
        }
        if (!output) {
                fprintf(stderr, "bench trend: give the output directory with -o DIR\n");
                return EXIT_BAD_INPUT;
        }
        _cleanup_error_ bench_error *err = NULL;
        /* made before the inputs are read: a dir that cannot be is bad input, said first */
        if (bench_mkdir_p(output, 0755, &err) < 0) {
                fprintf(stderr, "bench trend: -o %s: %s\n", output, err->msg);
                return EXIT_BAD_INPUT;
        }
        size_t n_files = 0;
        if (check_inputs(argv + optind, (size_t)(argc - optind), &n_files) < 0)
                return EXIT_BAD_INPUT;
        if (n_files < 2) {
                fprintf(stderr, "bench trend: a trend needs at least two result files (got %zu)\n", n_files);
                return EXIT_BAD_INPUT;
        }
        if (trend_write((const char *const *)(argv + optind), (size_t)(argc - optind), output, &err) < 0) {
                fprintf(stderr, "bench trend: %s\n", err && err->msg ? err->msg : "failed");
                return EXIT_FAILED;
        }
        fprintf(stderr, "bench trend: %s/trend.md\n", output);
        return EXIT_OK;
}
