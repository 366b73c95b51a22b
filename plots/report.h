/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdio.h>

#include "../common/error.h"
#include "../results/compare.h"
#include "../results/fleet.h"
#include "../results/result.h"

/*
 * The statistics of the tables people read (bench report, trend, export): compare's threshold, alpha and
 * resamples with a fixed seed, so that the same file gives the same intervals in every output.
 */
extern const cmp_opts report_cmp_opts;

/*
 * A report for a paper's appendix or a CI job summary, Markdown or HTML by
 * the output's extension: host and configuration tables, the overhead table
 * (each configuration against bare, with intervals), the plots (made next to
 * the report, linked), the comparison with a base when given, skipped items
 * and errors. equivalence_pct > 0: the overhead table and the comparison
 * give equivalence verdicts with that margin (results/compare.h).
 */
int report_write(const res_file *f, const res_file *base, double equivalence_pct, const char *out_path,
                 bench_error **err);

/* `bench trend`: each metric over a history of result files, regressions marked; plots into dir. */
int trend_write(const char *const *files, size_t n, const char *dir, bench_error **err);

/*
 * `bench fleet report`: an analysed fleet (fleet_analyze) as Markdown or HTML by the extension: hosts,
 * overheads across hosts, hosts that stand out, fingerprint groups, nodes without results, every host's
 * overheads; a figure per metric in <stem>-plots/ next to the report.
 */
int fleet_report_write(const fleet *f, const char *out_path, bench_error **err);
/* The same in short for a terminal: per metric the median and range, stand-outs, hosts with a problem. */
void fleet_summary(FILE *out, const fleet *f);
