/* SPDX-License-Identifier: MIT */
#include "adaptive.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static res_precision assess_series(const res_series *s, double target) {
        res_precision p = {.assessed = true};
        /* below 95% coverage the interval is [min, max] of too few samples: not a 95% interval */
        if (!s->has_stats || s->stats.n != s->n_samples || s->stats.ci_level < 0.95)
                return p;
        double m = s->stats.median;
        double half = fmax(m - s->stats.ci95_low, s->stats.ci95_high - m);
        if (m == 0) {
                p.has_reached = p.met = half == 0;
                return p;
        }
        p.has_reached = true;
        p.reached = half / fabs(m);
        p.met = p.reached <= target;
        return p;
}

/* Whether a is farther from the target than b: no reached value first, then the larger. */
static bool worse(const res_precision *a, const res_precision *b) {
        if (a->has_reached != b->has_reached)
                return !a->has_reached;
        return a->has_reached && a->reached > b->reached;
}

int res_adaptive_assess(res_file *f) {
        res_adaptive *a = &f->adaptive;
        const res_series *worst = NULL;
        int unmet = 0;
        for (size_t i = 0; i < f->n_series; i++) {
                res_series *s = &f->series[i];
                if (!a->on || res_series_is_derived(s)) {
                        s->precision = (res_precision){0};
                        continue;
                }
                s->precision = assess_series(s, a->precision);
                unmet += !s->precision.met;
                if (!worst || worse(&s->precision, &worst->precision))
                        worst = s;
        }
        res_worst w = {0};
        if (worst) {
                w = (res_worst){
                        .workload = strdup(worst->workload),
                        .configuration = strdup(worst->configuration),
                        .metric = strdup(worst->metric),
                        .k = worst->k,
                        .n = worst->n,
                        .precision = worst->precision,
                };
                if (!w.workload || !w.configuration || !w.metric) {
                        free(w.workload);
                        free(w.configuration);
                        free(w.metric);
                        return -ENOMEM;
                }
        }
        free(a->worst.workload);
        free(a->worst.configuration);
        free(a->worst.metric);
        a->worst = w;
        return unmet;
}

res_stop res_adaptive_stop(const res_file *f, unsigned min_repetitions, unsigned measured, double elapsed_s,
                           double repetition_s) {
        const res_adaptive *a = &f->adaptive;
        if (!a->on || measured < min_repetitions)
                return RES_STOP_NONE;
        bool all_met = true;
        for (size_t i = 0; i < f->n_series && all_met; i++)
                all_met = !f->series[i].precision.assessed || f->series[i].precision.met;
        if (all_met)
                return RES_STOP_PRECISION;
        if (measured >= a->max_repetitions)
                return RES_STOP_MAX_REPETITIONS;
        if (a->max_time_s > 0 && elapsed_s + repetition_s > a->max_time_s)
                return RES_STOP_MAX_TIME;
        return RES_STOP_NONE;
}

const char *res_adaptive_percent(double fraction, char *buf, size_t len) {
        double pct = fraction * 100;
        snprintf(buf, len, pct >= 10 ? "%.0f%%" : "%.2g%%", pct);
        return buf;
}

const char *res_adaptive_worst_label(const res_adaptive *a, char *buf, size_t len) {
        const res_worst *w = &a->worst;
        if (!w->workload) {
                snprintf(buf, len, "%s", "");
                return buf;
        }
        res_series key = {.metric = w->metric, .k = w->k, .n = w->n};
        char metric[256];
        snprintf(buf, len, "%s/%s/%s", w->workload, w->configuration,
                 res_metric_label(&key, metric, sizeof(metric)));
        return buf;
}

const char *res_adaptive_worst_text(const res_adaptive *a, char *buf, size_t len) {
        char label[320], pct[32];
        res_adaptive_worst_label(a, label, sizeof(label));
        if (!a->worst.workload)
                snprintf(buf, len, "%s", "");
        else if (a->worst.precision.has_reached)
                snprintf(buf, len, " (worst %s %s)",
                         res_adaptive_percent(a->worst.precision.reached, pct, sizeof(pct)), label);
        else
                snprintf(buf, len, " (worst %s: no 95%% interval)", label);
        return buf;
}
