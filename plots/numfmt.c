/* SPDX-License-Identifier: MIT */
/* Numbers as people read them (numfmt.h): changes, quantities, digits from intervals. */
#include "numfmt.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "../common/cleanup.h"

/* 10^floor(log10(x)) for x > 0, safe against log10(1000) = 2.9999... */
static double decade(double x) {
        double p = pow(10, floor(log10(x)));
        if (p * 10 <= x)
                p *= 10;
        else if (p > x)
                p /= 10;
        return p;
}

/*
 * The rounding step of a number of magnitude m whose interval has half-width h: the Particle Data Group's
 * rule, the half-width to two significant digits when they read 10 to 35, else to one; but two significant
 * digits of m when m stands out of its interval. dflt without an interval.
 */
static double step_for(double m, double h, double dflt) {
        if (!isfinite(h) || h <= 0)
                return dflt;
        double p = decade(h);
        if (h / p < 3.55)
                p /= 10;
        if (m > 0) {
                double cap = decade(m) / 10;
                if (m >= h && cap < p)
                        p = cap;
                /* an interval far narrower than the spread between runs buys no fifth digit */
                if (p < decade(m) / 1000)
                        p = decade(m) / 1000;
        }
        return p;
}

/* |x| rounded to step (a power of ten), its whole part grouped by thousands: "10,500", "3.05". */
static void put_abs(double x, double step, char *buf, size_t len) {
        x = fabs(x);
        int decimals = 0;
        if (step >= 1)
                x = round(x / step) * step;
        else
                decimals = (int)lround(-log10(step));
        if (decimals > 6)
                decimals = 6;
        char raw[400];
        snprintf(raw, sizeof(raw), "%.*f", decimals, x);
        const char *dot = strchr(raw, '.');
        size_t whole = dot ? (size_t)(dot - raw) : strlen(raw);
        size_t o = 0;
        for (size_t i = 0; raw[i] && o + 1 < len; i++) {
                if (i > 0 && i < whole && (whole - i) % 3 == 0 && o + 2 < len)
                        buf[o++] = ',';
                buf[o++] = raw[i];
        }
        buf[o < len ? o : len - 1] = '\0';
}

/* Whether a formatted magnitude is zero ("0", "0.00"): such a number has no sign. */
static bool all_zero(const char *s) {
        for (; *s; s++)
                if (*s != '0' && *s != '.' && *s != ',')
                        return false;
        return true;
}

/* x signed ("+3.0", "-0.5", "+0.0") at step. */
static void put_signed(double x, double step, char *buf, size_t len) {
        char mag[80];
        put_abs(x, step, mag, sizeof(mag));
        snprintf(buf, len, "%s%s", x < 0 && !all_zero(mag) ? "-" : "+", mag);
}

typedef enum regime { R_PERCENT, R_TIMES, R_DIVIDED } regime;

static regime regime_of(double r) {
        return r > 2 ? R_TIMES : r < 0.5 ? R_DIVIDED : R_PERCENT;
}

/* The number a ratio shows as in a regime: the percentage, the factor or the divisor. */
static double shown(regime g, double r) {
        return g == R_PERCENT ? (r - 1) * 100 : g == R_TIMES ? r : 1 / r;
}

static double change_step(regime g, double ratio, double lo, double hi) {
        double m = fabs(shown(g, ratio));
        double h = NAN;
        if (isfinite(lo) && isfinite(hi) && lo > 0 && hi > 0)
                h = fabs(shown(g, hi) - shown(g, lo)) / 2;
        double dflt = g == R_PERCENT ? 0.1 : m >= 100 ? 1 : decade(m) / 10;
        double step = step_for(m, h, dflt);
        return step < 0.01 ? 0.01 : step; /* no change is known to better than 1e-4 */
}

/* One number of a change in regime g at step: "+3.0" (percent: sign, no %), "×8.9", "÷2.5". */
static void put_change_number(regime g, double ratio, double step, unsigned flags, char *buf, size_t len) {
        if (g == R_PERCENT) {
                put_signed(shown(g, ratio), step, buf, len);
                return;
        }
        /* a factor always has its magnitude: each number keeps two significant digits ("×2,400 [×2.9,
         * ×160,000]", not "×0 [×0, ×160,000]") */
        double x = fabs(shown(g, ratio));
        if (x > 0 && decade(x) / 10 < step)
                step = fmax(decade(x) / 10, 0.01);
        char mag[80];
        put_abs(x, step, mag, sizeof(mag));
        const char *sym =
                g == R_TIMES ? (flags & BENCH_FMT_ASCII ? "x" : "×") : (flags & BENCH_FMT_ASCII ? "/" : "÷");
        snprintf(buf, len, "%s%s", sym, mag);
}

const char *bench_fmt_change(double ratio, double lo, double hi, unsigned flags, char *buf, size_t len) {
        if (!isfinite(ratio) || ratio <= 0) {
                snprintf(buf, len, "-");
                return buf;
        }
        regime g = regime_of(ratio);
        char n[96];
        put_change_number(g, ratio, change_step(g, ratio, lo, hi), flags, n, sizeof(n));
        snprintf(buf, len, "%s%s", n, g == R_PERCENT ? "%" : "");
        return buf;
}

const char *bench_fmt_change_bounds(double ratio, double lo, double hi, unsigned flags, char *buf,
                                    size_t len) {
        if (!isfinite(ratio) || ratio <= 0 || !isfinite(lo) || !isfinite(hi) || lo <= 0 || hi <= 0) {
                snprintf(buf, len, "-");
                return buf;
        }
        regime g = regime_of(ratio);
        double step = change_step(g, ratio, lo, hi);
        char a[96], b[96];
        put_change_number(g, lo, step, flags, a, sizeof(a));
        put_change_number(g, hi, step, flags, b, sizeof(b));
        snprintf(buf, len, "[%s, %s]", a, b);
        return buf;
}

const char *bench_fmt_change_ci(double ratio, double lo, double hi, unsigned flags, char *buf, size_t len) {
        char point[96], bounds[200];
        bench_fmt_change(ratio, lo, hi, flags, point, sizeof(point));
        bench_fmt_change_bounds(ratio, lo, hi, flags, bounds, sizeof(bounds));
        if (strcmp(bounds, "-"))
                snprintf(buf, len, "%s %s", point, bounds);
        else
                snprintf(buf, len, "%s", point);
        return buf;
}

/* What kind of quantity a unit measures, for words and scaling. */
typedef enum unit_kind { U_OTHER, U_TIME, U_SIZE, U_RATE } unit_kind;

typedef struct unit_scale {
        const char *name, *ascii;
        double factor; /* in the family's smallest unit */
} unit_scale;

static const unit_scale time_units[] = {
        {"ns", "ns", 1}, {"µs", "us", 1e3}, {"ms", "ms", 1e6}, {"s", "s", 1e9}, {0}};
static const unit_scale size_units[] = {{"B", "B", 1},
                                        {"KiB", "KiB", 1024.0},
                                        {"MiB", "MiB", 1024.0 * 1024},
                                        {"GiB", "GiB", 1024.0 * 1024 * 1024},
                                        {"TiB", "TiB", 1024.0 * 1024 * 1024 * 1024},
                                        {0}};
static const unit_scale mb_rate_units[] = {{"MB/s", "MB/s", 1}, {"GB/s", "GB/s", 1e3}, {0}};
static const unit_scale mib_rate_units[] = {{"MiB/s", "MiB/s", 1}, {"GiB/s", "GiB/s", 1024}, {0}};
static const unit_scale *const families[] = {time_units, size_units, mb_rate_units, mib_rate_units};

/* The family and the entry of a unit as the results write it ("us" is µs), or NULL. */
static const unit_scale *find_unit(const char *unit, const unit_scale **ret_family) {
        for (size_t f = 0; unit && f < ELEMENTSOF(families); f++)
                for (const unit_scale *u = families[f]; u->name; u++)
                        if (!strcmp(unit, u->name) || !strcmp(unit, u->ascii)) {
                                *ret_family = families[f];
                                return u;
                        }
        return NULL;
}

static unit_kind kind_of(const char *unit) {
        const unit_scale *fam = NULL;
        if (find_unit(unit, &fam))
                return fam == time_units ? U_TIME : fam == size_units ? U_SIZE : U_RATE;
        if (!unit)
                return U_OTHER;
        if (strstr(unit, "/s") || !strcmp(unit, "IOPS"))
                return U_RATE;
        if (!strcmp(unit, "pages"))
                return U_SIZE;
        return U_OTHER;
}

const char *bench_fmt_change_words(double ratio, const char *unit, const char *better, char *buf,
                                   size_t len) {
        if (!isfinite(ratio) || ratio <= 0) {
                snprintf(buf, len, "-");
                return buf;
        }
        regime g = regime_of(ratio);
        if (g == R_PERCENT && fabs(ratio - 1) < 0.0005) {
                snprintf(buf, len, "unchanged");
                return buf;
        }
        bool up = ratio > 1;
        const char *word;
        switch (kind_of(unit)) {
        case U_TIME:
                word = up ? "slower" : "faster";
                break;
        case U_RATE:
                word = up ? "faster" : "slower";
                break;
        case U_SIZE:
                word = up ? "more" : "less";
                break;
        case U_OTHER:
        default:
                word = up ? "higher" : "lower";
                break;
        }
        (void)better; /* the unit decides the words; better only says which side is good */
        char mag[80];
        double m = fabs(shown(g, ratio));
        put_abs(m, change_step(g, ratio, NAN, NAN), mag, sizeof(mag));
        snprintf(buf, len, "%s%s %s", mag, g == R_PERCENT ? "%" : "×", word);
        return buf;
}

/* v in unit scaled to the family's unit that keeps it at 1 or more (below 1000/1024 of the next). */
static const unit_scale *scale(double *v, const char *unit) {
        const unit_scale *fam = NULL, *u = find_unit(unit, &fam);
        if (!u)
                return NULL;
        if (*v == 0)
                return u; /* "0 KiB", not "0 B" */
        double base = *v * u->factor, a = fabs(base);
        const unit_scale *best = fam;
        for (const unit_scale *c = fam; c->name; c++)
                if (a >= c->factor)
                        best = c;
        /* a rate keeps its unit below the next (no "0.5 MB/s" as "500 KB/s": there is none) */
        if (a < u->factor && fam != time_units && fam != size_units)
                best = u;
        *v = base / best->factor;
        return best;
}

static void put_quantity(double v, const char *unit, double half, unsigned flags, bool sign, char *buf,
                         size_t len) {
        if (!isfinite(v)) {
                snprintf(buf, len, "-");
                return;
        }
        double orig = v;
        const unit_scale *u = scale(&v, unit);
        if (u && isfinite(half))
                half *= v / orig; /* scaled like v */
        if (u && orig == 0)
                half = NAN;
        double m = fabs(v);
        double dflt = m == 0 ? 1 : m >= 100 ? 1 : decade(m) / 100;
        double step = step_for(m, half, dflt);
        char n[96];
        if (sign)
                put_signed(v, step, n, sizeof(n));
        else {
                put_abs(v, step, n, sizeof(n));
                if (v < 0 && !all_zero(n)) {
                        memmove(n + 1, n, strlen(n) + 1);
                        n[0] = '-';
                }
        }
        const char *name = u ? (flags & BENCH_FMT_ASCII ? u->ascii : u->name) : unit;
        snprintf(buf, len, "%s%s%s", n, name && *name ? " " : "", name ? name : "");
}

const char *bench_fmt_quantity(double v, const char *unit, double half, unsigned flags, char *buf,
                               size_t len) {
        put_quantity(v, unit, half, flags, false, buf, len);
        return buf;
}

const char *bench_fmt_difference(double d, const char *unit, double half, unsigned flags, char *buf,
                                 size_t len) {
        put_quantity(d, unit, half, flags, true, buf, len);
        return buf;
}

const char *bench_fmt_difference_bounds(double lo, double hi, const char *unit, unsigned flags, char *buf,
                                        size_t len) {
        if (!isfinite(lo) || !isfinite(hi)) {
                snprintf(buf, len, "-");
                return buf;
        }
        double half = (hi - lo) / 2;
        char a[96], b[96];
        put_quantity(lo, unit, half, flags, true, a, sizeof(a));
        put_quantity(hi, unit, half, flags, true, b, sizeof(b));
        snprintf(buf, len, "[%s, %s]", a, b);
        return buf;
}

const char *bench_fmt_number(double x, char *buf, size_t len) {
        if (!isfinite(x))
                snprintf(buf, len, "-");
        else if (fabs(x) >= 1e4 && fabs(x) < 1e15) {
                char mag[80];
                put_abs(x, 1, mag, sizeof(mag));
                snprintf(buf, len, "%s%s", x < 0 ? "-" : "", mag);
        } else
                snprintf(buf, len, "%.4g", x);
        return buf;
}
