/* SPDX-License-Identifier: MIT */
/*
 * bench export RESULT.json --format csv|tsv|latex|markdown [--summary] [--standalone] [-o FILE]
 * Exit: 0 ok, 1 failed (out of memory, the output could not be written), 2 bad input.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/cleanup.h"
#include "../common/util.h"
#include "../plots/export.h"
#include "commands.h"

static void export_usage(FILE *f) {
        fputs("usage: bench export RESULT.json --format csv|tsv|latex|markdown [--summary] [--standalone] "
              "[-o FILE]\n"
              "\n"
              "  csv, tsv      a row per sample (tidy data for pandas and R): suite, configuration, kind,\n"
              "                accel, workload, params (JSON), depth, metric, unit, repetition, value,\n"
              "                density_k, density_n, derived; values read back bit for bit\n"
              "  latex         the overhead table (each configuration against bare) as a booktabs tabular\n"
              "  markdown      the same as a GitHub-flavoured Markdown table\n"
              "\n"
              "  --summary     csv, tsv: a row per series instead: n, median, 95% interval, cv, outliers\n"
              "                and the overhead against bare (ratio with its interval, verdict)\n"
              "  --standalone  latex: a whole document (article + booktabs) around the table\n"
              "  -o FILE       write FILE (its directory made when missing) instead of stdout\n"
              "\n"
              "exit status: 0 ok, 1 failed, 2 bad input\n",
              f);
}

static int parse_format(const char *s, plot_export_format *ret) {
        int r = plot_export_format_of(s);
        if (r < 0) {
                fprintf(stderr, "bench export: --format `%s`: unknown format; allowed: ", s);
                for (size_t i = 0; i < ELEMENTSOF(plot_export_formats); i++)
                        fprintf(stderr, "%s%s", i ? ", " : "", plot_export_formats[i]);
                fputc('\n', stderr);
                return -EINVAL;
        }
        *ret = (plot_export_format)r;
        return 0;
}

int cmd_export(int argc, char **argv) {
        static const struct option opts[] = {
                {"format", required_argument, NULL, 'f'}, {"summary", no_argument, NULL, 's'},
                {"standalone", no_argument, NULL, 'S'},   {"output", required_argument, NULL, 'o'},
                {"help", no_argument, NULL, 'h'},         {0},
        };
        const char *output = NULL;
        plot_export_format fmt = PLOT_EXPORT_CSV;
        bool have_format = false;
        unsigned flags = 0;
        int c;
        argv[0] = (char *)"bench export";
        optind = 1;
        while ((c = getopt_long(argc, argv, "f:o:h", opts, NULL)) >= 0) {
                switch (c) {
                case 'f':
                        if (parse_format(optarg, &fmt) < 0)
                                return EXIT_BAD_INPUT;
                        have_format = true;
                        break;
                case 's':
                        flags |= PLOT_EXPORT_SUMMARY;
                        break;
                case 'S':
                        flags |= PLOT_EXPORT_STANDALONE;
                        break;
                case 'o':
                        output = optarg;
                        break;
                case 'h':
                        export_usage(stdout);
                        return EXIT_OK;
                default:
                        export_usage(stderr);
                        return EXIT_BAD_INPUT;
                }
        }
        if (optind + 1 != argc) {
                fprintf(stderr, "bench export: expected one result file, e.g. bench export "
                                "bench-results/quickstart.json --format csv -o quickstart.csv\n");
                return EXIT_BAD_INPUT;
        }
        if (!have_format) {
                fprintf(stderr, "bench export: give the format with --format csv, tsv, latex or markdown\n");
                return EXIT_BAD_INPUT;
        }
        if ((flags & PLOT_EXPORT_SUMMARY) && fmt != PLOT_EXPORT_CSV && fmt != PLOT_EXPORT_TSV) {
                fprintf(stderr,
                        "bench export: --summary goes with --format csv or tsv (%s is the overhead "
                        "summary already)\n",
                        plot_export_formats[fmt]);
                return EXIT_BAD_INPUT;
        }
        if ((flags & PLOT_EXPORT_STANDALONE) && fmt != PLOT_EXPORT_LATEX) {
                fprintf(stderr, "bench export: --standalone goes with --format latex\n");
                return EXIT_BAD_INPUT;
        }
        _cleanup_error_ bench_error *err = NULL;
        /* a bad -o fails before the work, with the real reason */
        if (output && bench_mkdir_parent(output, &err) < 0) {
                fprintf(stderr, "bench export: %s\n", err->msg);
                return EXIT_BAD_INPUT;
        }
        const char *path = argv[optind];
        _cleanup_(res_file_freep) res_file *f = NULL;
        if (res_read_file(path, &f, &err) < 0) {
                const char *msg = err && err->msg ? err->msg : "cannot read it";
                /* every message names the file */
                if (strstr(msg, path))
                        bench_eprint_safe("bench export: %s\n", msg);
                else
                        bench_eprint_safe("bench export: %s: %s\n", path, msg);
                return EXIT_BAD_INPUT;
        }
        _cleanup_free_ char *text = NULL;
        int r = plot_export(f, fmt, flags, &text, &err);
        if (r < 0) {
                bench_eprint_safe("bench export: %s: %s\n", path, err && err->msg ? err->msg : "failed");
                return r == -EINVAL ? EXIT_BAD_INPUT : EXIT_FAILED;
        }
        if (output) {
                if (bench_write_file_atomic(output, text, strlen(text), &err) < 0) {
                        fprintf(stderr, "bench export: %s\n", err && err->msg ? err->msg : output);
                        return EXIT_FAILED;
                }
                return EXIT_OK;
        }
        if (fputs(text, stdout) < 0 || fflush(stdout) != 0) {
                fprintf(stderr, "bench export: cannot write to stdout: %s\n", strerror(errno));
                return EXIT_FAILED;
        }
        return EXIT_OK;
}
