/* SPDX-License-Identifier: MIT */
/*
 * bench fleet report DIR -o REPORT.md|REPORT.html: overheads per host, then
 * across hosts (results/fleet.h), whoever filled DIR. Exit: 0 ok, 1 the
 * report could not be written, 2 bad input (usage, an unusable fleet dir).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../common/cleanup.h"
#include "../common/util.h"
#include "../plots/report.h"
#include "../results/fleet.h"
#include "commands.h"
#include "fleet.h"

static void fleet_report_usage(FILE *f) {
        fputs("usage: bench fleet report DIR -o REPORT.md|REPORT.html [--quiet]\n"
              "\n"
              "  DIR holds one result file per host (DIR/*.json; fleet.json, the manifest of bench fleet\n"
              "  run, is optional): filled by bench fleet run, an ssh loop or a CI matrix alike. Per host,\n"
              "  each configuration against the host's bare (ratio of medians, 95% interval); across\n"
              "  hosts, per (workload, configuration, metric), the median, min, max and spread, the hosts\n"
              "  that stand out (interval excludes the fleet median and modified z-score above 3.5), and\n"
              "  the hosts grouped by fingerprint (CPU model, kernel, accel, cgroup mode). Figures go to\n"
              "  REPORT-plots/ next to the report (the HTML embeds them: one file that stands alone); the\n"
              "  directory of -o is made if missing; a summary goes to stdout unless --quiet.\n"
              "\n"
              "  refused (exit 2, the file named): a file that is no result of this schema version,\n"
              "  results of another suite (name, workloads, configurations), two files of one host\n"
              "  (host.allocation.slurm.node, else host.hostname), a symbolic link\n"
              "\n"
              "exit status: 0 ok, 1 the report could not be written, 2 bad input\n",
              f);
}

static bool ends_with(const char *s, const char *suffix) {
        size_t a = strlen(s), b = strlen(suffix);
        return a > b && !strcmp(s + a - b, suffix);
}

void fleet_warn_partial(const char *cmd, const char *doing, const fleet *f) {
        for (size_t h = 0; h < f->n_hosts; h++) {
                if (!f->hosts[h].partial)
                        continue;
                const char *why = f->hosts[h].res->interrupted;
                _cleanup_free_ char *shown = bench_escape_text(f->hosts[h].file, 0),
                                    *reason = why ? bench_escape_text(why, 0) : NULL;
                fprintf(stderr, "%s: warning: %s is incomplete (%s); %s what was measured\n", cmd,
                        shown ? shown : "?", reason ? reason : "the run did not finish", doing);
        }
}

int cmd_fleet_report(int argc, char **argv) {
        static const struct option opts[] = {
                {"output", required_argument, NULL, 'o'},
                {"quiet", no_argument, NULL, 'q'},
                {"help", no_argument, NULL, 'h'},
                {0},
        };
        const char *output = NULL;
        bool quiet = false;
        int c;
        argv[0] = (char *)"bench fleet report";
        optind = 1;
        while ((c = getopt_long(argc, argv, "o:qh", opts, NULL)) >= 0) {
                switch (c) {
                case 'o':
                        output = optarg;
                        break;
                case 'q':
                        quiet = true;
                        break;
                case 'h':
                        fleet_report_usage(stdout);
                        return EXIT_OK;
                default:
                        fleet_report_usage(stderr);
                        return EXIT_BAD_INPUT;
                }
        }
        if (optind + 1 != argc) {
                fprintf(stderr, "bench fleet report: expected one fleet dir, e.g. bench fleet report "
                                "fleet-results -o fleet.md\n");
                return EXIT_BAD_INPUT;
        }
        if (!output) {
                fprintf(stderr, "bench fleet report: give the report's path with -o (report.md or "
                                "report.html)\n");
                return EXIT_BAD_INPUT;
        }
        if (!ends_with(output, ".md") && !ends_with(output, ".html")) {
                fprintf(stderr,
                        "bench fleet report: -o %s: the extension says the format; allowed: .md, .html\n",
                        output);
                return EXIT_BAD_INPUT;
        }
        _cleanup_error_ bench_error *err = NULL;
        _cleanup_(fleet_freep) fleet *f = NULL;
        if (fleet_load(argv[optind], &f, &err) < 0) {
                fprintf(stderr, "bench fleet report: %s\n", err && err->msg ? err->msg : "cannot read");
                return EXIT_BAD_INPUT;
        }
        if (fleet_analyze(f, NULL, &err) < 0) {
                fprintf(stderr, "bench fleet report: %s\n", err && err->msg ? err->msg : "analysis failed");
                return EXIT_FAILED;
        }
        fleet_warn_partial("bench fleet report", "reporting", f);
        /* before plotting; a missing dir is made (not for a fleet refused above) */
        if (bench_mkdir_parent(output, &err) < 0) {
                fprintf(stderr, "bench fleet report: %s\n", err->msg);
                return EXIT_BAD_INPUT;
        }
        if (fleet_report_write(f, output, &err) < 0) {
                fprintf(stderr, "bench fleet report: %s\n", err && err->msg ? err->msg : "failed");
                return EXIT_FAILED;
        }
        if (!quiet) {
                fleet_summary(stdout, f);
                fflush(stdout);
        }
        fprintf(stderr, "bench fleet report: %s\n", output);
        return EXIT_OK;
}
