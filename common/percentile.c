/* SPDX-License-Identifier: MIT */
#include "percentile.h"

#include <math.h>

/* a + t * (b - a), falling back to a form that cannot overflow for huge spans */
static double lerp(double a, double b, double t) {
        if (t == 0.0)
                return a;
        double d = b - a;
        if (!isfinite(d))
                return (1.0 - t) * a + t * b;
        return a + t * d;
}

double bench_percentile_sorted(const double *sorted, size_t n, double pct) {
        if (n == 0)
                return NAN;
        if (pct <= 0)
                return sorted[0];
        if (pct >= 100)
                return sorted[n - 1];
        /* type 7: h = (n - 1) p, x_floor(h) + (h - floor(h)) (x_floor(h)+1 - x_floor(h)), 0-based */
        double h = (double)(n - 1) * (pct / 100.0);
        size_t lo = (size_t)floor(h);
        if (lo >= n - 1)
                return sorted[n - 1];
        return lerp(sorted[lo], sorted[lo + 1], h - (double)lo);
}
