/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * The arithmetic of `bench run`'s progress: the units of work planned up
 * front (one environment of a startup run, one density round, one
 * environment of a repetition's other workloads), grouped by key (a
 * configuration and a workload), and how long the done ones took. Pure:
 * no clock, no output; run.c times and prints.
 */

#include <stddef.h>
#include <stdint.h>

typedef struct prog_key {
        uint64_t planned; /* units this key will run, the done ones included */
        uint64_t done;
        uint64_t ns;       /* what the done units took together */
        uint64_t first_ns; /* the first of them: it may have built images, so the mean leaves it out */
} prog_key;

typedef struct progress {
        prog_key *keys;
        size_t n_keys;
} progress;

/* 0 or -ENOMEM; every key starts with nothing planned. */
int progress_init(progress *p, size_t n_keys);
void progress_clear(progress *p);
/* Adds units to a key's plan. */
void progress_plan(progress *p, size_t key, uint64_t units);
/* The units of key still to run from now on are `left` (a density round after a failed one will not). */
void progress_replan(progress *p, size_t key, uint64_t left);
/* One unit of key done, after ns. */
void progress_done(progress *p, size_t key, uint64_t ns);
uint64_t progress_planned(const progress *p);
uint64_t progress_units_done(const progress *p);
/* Percent done, 0 to 100 (100 when nothing is planned). */
unsigned progress_percent(const progress *p);
/*
 * Seconds left: each key's units left times the mean of its done units
 * (the first left out once there are others: it built what was not cached);
 * a key with none done yet takes the mean of every key's. Negative when no
 * unit is done (nothing to learn from) and some are left.
 */
double progress_eta_s(const progress *p);
/* The mean seconds of one unit of key, as the ETA takes it; negative if no unit is done at all. */
double progress_unit_s(const progress *p, size_t key);
/* "0.4 s", "12 s", "3 min 20 s", "2 h 05 min"; "?" for a negative s. Returns buf. */
const char *progress_format_s(double s, char *buf, size_t len);
