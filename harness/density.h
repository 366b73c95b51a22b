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
/*
 * Whether n environments of kind fit: n × e->kib within avail_kib and
 * n × e->fds + DENSITY_FD_RESERVE within fd_limit (0 = none). 0, or
 * -ENOMEM / -EMFILE with why: "n=256 needs about X MiB (256 × Y MiB per
 * `vm` environment: ...), the host has Z MiB available (...)".
 */
int density_fits(unsigned n, const char *kind, const rt_estimate *e, uint64_t avail_kib, uint64_t fd_limit,
                 char *why, size_t len);
/* The largest N of a density workload (its `n`, validated). */
int density_max_n(const suite_workload *w, unsigned *ret);
