/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * Adaptive repetitions: a run with a `precision` repeats until the 95%
 * interval of every series' median lies within that fraction of the median,
 * or a cap (max_repetitions, max_time) or a signal ends it first. The rule
 * is a function of the result model alone, so that it is tested without
 * running anything.
 */
#include <stdbool.h>

#include "result.h"

/*
 * Each series' precision record against f->adaptive.precision, and
 * f->adaptive.worst. The stats must be current (res_finalize). A series'
 * reached precision is max(median - ci95_low, ci95_high - median) / |median|.
 * It has none (and has not met the target) while ci_level is below 0.95
 * (fewer than 6 samples) and when the median is 0 with an interval other
 * than [0, 0] (nothing to be relative to; [0, 0] is reached 0, met).
 * Derived series (overhead_kib) are left out: the footprints they come from
 * are assessed. Returns how many assessed series have not met the target,
 * or -ENOMEM.
 */
int res_adaptive_assess(res_file *f);

/*
 * Whether to stop after `measured` repetitions, at least min_repetitions
 * being asked for: RES_STOP_NONE to go on, else why. elapsed_s is the run's
 * wall time so far, repetition_s the mean wall time of one measured
 * repetition: max_time stops the run when one more would likely end past it.
 * Uses the assessment (res_adaptive_assess) already made. The target comes
 * before the caps when both hold.
 */
res_stop res_adaptive_stop(const res_file *f, unsigned min_repetitions, unsigned measured, double elapsed_s,
                           double repetition_s);

/* A reached precision as people read it: 0.0578 -> "5.8%", 1.234 -> "123%". */
const char *res_adaptive_percent(double fraction, char *buf, size_t len);

/* "workload/configuration/metric[ k=K][ n=N]" of the worst series into buf; "" if none. */
const char *res_adaptive_worst_label(const res_adaptive *a, char *buf, size_t len);
/* " (worst 3.1% cpu/bare/ops_per_s)", " (worst LABEL: no 95% interval)" or "" into buf (names unescaped). */
const char *res_adaptive_worst_text(const res_adaptive *a, char *buf, size_t len);
