/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * Plots with gnuplot (run as a program; pngcairo and svg). Every figure is
 * a NAME.gp script plus NAME.dat data left next to NAME.png and NAME.svg,
 * so a user can restyle and rerun them. VM figures under TCG are marked
 * "emulated (tcg)".
 */

#include <stddef.h>

#include "../common/error.h"
#include "../results/compare.h"
#include "../results/fleet.h"
#include "../results/result.h"

typedef struct plot_file {
        char *name;      /* "startup-ready_ms" */
        char *title;     /* human title */
        char *png, *svg; /* paths */
        char *gp, *dat;  /* the script and data that made them, next to them (paths) */
} plot_file;

typedef struct plot_set {
        plot_file *files;
        size_t n;
} plot_set;

/*
 * Into dir (created): grouped bars per metric across configurations with
 * the 95% CI of the median as error bars; startup latency distributions
 * (box plots); stacked startup phases per configuration; metric against
 * layer depth where configurations differ by `layers`; and, with cmp, the
 * compare view (ratios with intervals, regressions marked).
 * gnuplot missing: -ENOENT "gnuplot is not installed (apt-get install gnuplot-nox)".
 */
int plot_all(const res_file *f, const cmp_report *cmp, const char *dir, plot_set *ret, bench_error **err);
/* Into dir (created): per metric of an analysed fleet, each host's overhead with its interval. */
int plot_fleet(const fleet *fl, const char *dir, plot_set *ret, bench_error **err);
void plot_set_clear(plot_set *s);
