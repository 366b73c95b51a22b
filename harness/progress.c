/* SPDX-License-Identifier: MIT */
#include "progress.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

int progress_init(progress *p, size_t n_keys) {
        *p = (progress){.keys = calloc(n_keys ? n_keys : 1, sizeof(prog_key)), .n_keys = n_keys};
        return p->keys ? 0 : -ENOMEM;
}

void progress_clear(progress *p) {
        free(p->keys);
        *p = (progress){0};
}

void progress_plan(progress *p, size_t key, uint64_t units) {
        if (key < p->n_keys)
                p->keys[key].planned += units;
}

void progress_replan(progress *p, size_t key, uint64_t left) {
        if (key < p->n_keys)
                p->keys[key].planned = p->keys[key].done + left;
}

void progress_done(progress *p, size_t key, uint64_t ns) {
        if (key >= p->n_keys)
                return;
        prog_key *k = &p->keys[key];
        if (k->done++ == 0)
                k->first_ns = ns;
        k->ns += ns;
        /* more than planned (a bug, or a plan that could not know): the plan grows, the percent stays honest
         */
        if (k->done > k->planned)
                k->planned = k->done;
}

uint64_t progress_planned(const progress *p) {
        uint64_t n = 0;
        for (size_t i = 0; i < p->n_keys; i++)
                n += p->keys[i].planned;
        return n;
}

uint64_t progress_units_done(const progress *p) {
        uint64_t n = 0;
        for (size_t i = 0; i < p->n_keys; i++)
                n += p->keys[i].done;
        return n;
}

unsigned progress_percent(const progress *p) {
        uint64_t planned = progress_planned(p), done = progress_units_done(p);
        /* rounded down: 100% only when everything is done */
        return planned ? (unsigned)(done * 100 / planned) : 100;
}

/* A key's mean, without its first unit when it has others; negative if it has none. */
static double key_mean_s(const prog_key *k) {
        if (k->done == 0)
                return -1;
        if (k->done == 1)
                return (double)k->ns / 1e9;
        return (double)(k->ns - k->first_ns) / (double)(k->done - 1) / 1e9;
}

/* What a key without a done unit is assumed to take: the mean over the keys that have one, per unit. */
static double mean_all_s(const progress *p) {
        double s = 0;
        uint64_t n = 0;
        for (size_t i = 0; i < p->n_keys; i++)
                if (p->keys[i].done) {
                        s += key_mean_s(&p->keys[i]) * (double)p->keys[i].done;
                        n += p->keys[i].done;
                }
        return n ? s / (double)n : -1;
}

double progress_unit_s(const progress *p, size_t key) {
        if (key < p->n_keys && p->keys[key].done)
                return key_mean_s(&p->keys[key]);
        return mean_all_s(p);
}

double progress_eta_s(const progress *p) {
        double all = mean_all_s(p), s = 0;
        for (size_t i = 0; i < p->n_keys; i++) {
                const prog_key *k = &p->keys[i];
                uint64_t left = k->planned - k->done;
                if (left == 0)
                        continue;
                if (k->done == 0 && all < 0)
                        return -1;
                s += (double)left * (k->done ? key_mean_s(k) : all);
        }
        return s;
}

const char *progress_format_s(double s, char *buf, size_t len) {
        if (s < 0)
                snprintf(buf, len, "?");
        else if (s < 9.95)
                snprintf(buf, len, "%.1f s", s);
        else if (s < 59.5)
                snprintf(buf, len, "%.0f s", s);
        else if (s < 3600 - 0.5) {
                unsigned t = (unsigned)(s + 0.5);
                snprintf(buf, len, "%u min %02u s", t / 60, t % 60);
        } else {
                unsigned long m = (unsigned long)(s / 60 + 0.5);
                snprintf(buf, len, "%lu h %02lu min", m / 60, m % 60);
        }
        return buf;
}
