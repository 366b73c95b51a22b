/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * Numbers as people read them, one formatter for every output: the terminal
 * (bench compare's text), Markdown, HTML, LaTeX (bench export) and the
 * headline of a report.
 *
 * A change of a median is a ratio r = new / base (or configuration / bare):
 *   0.5 <= r <= 2  a percentage: "+3.0%", "-3.0%"
 *   r > 2          a ratio: "×8.9", "×10,508"
 *   r < 0.5        a quotient: "÷2.5", "÷10,000"
 * Digits follow the 95% interval: the point and the bounds are rounded as
 * the Particle Data Group rounds a value to its uncertainty (the
 * half-width to two significant digits when they read 10 to 35, else to
 * one), never to fewer than two significant digits of the change; without an interval, one
 * decimal for a percentage, two significant digits for a ratio (whole
 * numbers from 100 on). Whole parts are grouped by thousands ("10,508").
 *
 * Quantities scale their unit: ns, µs, ms, s; KiB, MiB, GiB, TiB; MB/s and
 * GB/s; MiB/s and GiB/s; other units keep theirs, grouped ("12,345 ops/s").
 *
 * Every result is a short string written into the caller's buffer (64 bytes
 * are enough for one number, 160 for one with its interval) and returned;
 * a value that is not finite is "-".
 */

#include <stddef.h>

enum {
        BENCH_FMT_ASCII = 1 << 0, /* "x8.9", "/2.5", "us": for outputs that cannot take UTF-8 */
};

/* A change: "+3.0%", "×10,508", "÷10,000". lo/hi: its 95% interval (NaN: none), sets the digits. */
const char *bench_fmt_change(double ratio, double lo, double hi, unsigned flags, char *buf, size_t len);
/* The interval alone, in the point's form: "[+2.6, +3.4]", "[×7,600, ×13,200]"; "-" without one. */
const char *bench_fmt_change_bounds(double ratio, double lo, double hi, unsigned flags, char *buf,
                                    size_t len);
/* The point and its interval: "+3.0% [+2.6, +3.4]", "×10,500 [×7,600, ×13,200]". */
const char *bench_fmt_change_ci(double ratio, double lo, double hi, unsigned flags, char *buf, size_t len);
/*
 * A change in words for a metric of that unit and direction (better: "lower"/"higher"): "3.0% slower",
 * "10,508× slower", "2.1× more", "25% less", "unchanged" (under 0.05%). Times and rates say slower or
 * faster, sizes more or less, anything else higher or lower.
 */
const char *bench_fmt_change_words(double ratio, const char *unit, const char *better, char *buf, size_t len);

/* A quantity in its unit, scaled: "1.80 s", "512 µs", "231 MiB". half: its interval's half-width (NaN: 3
 * significant digits). */
const char *bench_fmt_quantity(double v, const char *unit, double half, unsigned flags, char *buf,
                               size_t len);
/* A signed difference in its unit, scaled like a quantity: "+12.5 MiB", "-300 µs". */
const char *bench_fmt_difference(double d, const char *unit, double half, unsigned flags, char *buf,
                                 size_t len);
/* A difference's interval, each bound like the difference at the interval's digits: "[+293 KiB, +684 KiB]";
 * "-" when a bound is not finite. */
const char *bench_fmt_difference_bounds(double lo, double hi, const char *unit, unsigned flags, char *buf,
                                        size_t len);
/* A plain number: 4 significant digits, grouped whole numbers from 10,000 on ("10,508"), "-" if not finite.
 */
const char *bench_fmt_number(double x, char *buf, size_t len);
