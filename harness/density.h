/* SPDX-License-Identifier: MIT */
#pragma once

/* The density workload's host side (density.c): its run is declared in run-internal.h. */

#include <stddef.h>
#include <stdint.h>

#include "../runtimes/driver.h"
#include "suite.h"

/* fds bench keeps for itself besides the environments' (results, logs, libraries) */
#define DENSITY_FD_RESERVE 64u

/* What one environment of the configuration costs: the driver's estimate, or the default. */
void density_estimate(const rt_driver *drv, const cJSON *options, rt_estimate *ret);
/* What the host has room for (0 = no limit known). */
typedef struct density_host {
        uint64_t avail_kib; /* MemAvailable */
        uint64_t fd_limit;  /* hard RLIMIT_NOFILE (bench raises the soft one to it) */
        uint64_t pid_room;  /* min(pid_max, threads-max) minus the tasks running now */
} density_host;
/* The host's figures now; what cannot be read is 0 (no limit). */
void density_host_read(density_host *ret);
/*
 * Whether n environments of kind fit: n × e->kib within avail_kib,
 * n × e->fds + DENSITY_FD_RESERVE within fd_limit and n × e->pids within
 * pid_room. 0, or -ENOMEM / -EMFILE / -EAGAIN with why: "n=256 needs
 * about X MiB (256 × Y MiB per `vm` environment: ...), the host has Z MiB
 * available (...)".
 */
int density_fits(unsigned n, const char *kind, const rt_estimate *e, const density_host *h, char *why,
                 size_t len);
/* The largest N of a density workload (its `n`, validated). */
int density_max_n(const suite_workload *w, unsigned *ret);
/* The rounds one repetition of a density workload runs: each N, sequential and/or parallel (0 if invalid). */
unsigned density_rounds(const suite_workload *w);
