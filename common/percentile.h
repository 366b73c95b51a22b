/* SPDX-License-Identifier: MIT */
#pragma once

#include <stddef.h>

/*
 * Percentile pct (0..100) of sorted[0..n-1] by linear interpolation between
 * order statistics (Hyndman & Fan type 7, the default of R and NumPy);
 * NAN for n = 0. The one percentile of bench: the statistics of a result
 * and the agent's latency percentiles (fileio's lat_p99_us) alike.
 */
double bench_percentile_sorted(const double *sorted, size_t n, double pct);
