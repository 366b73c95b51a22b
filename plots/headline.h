/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * What a run found, first: per configuration against bare one short table
 * of the measures a reader looks for (the workloads' headline metrics:
 * start latency, memory overhead per environment, CPU, memory bandwidth and
 * latency, file I/O, metadata), then the caveats that change how to read it
 * (emulation, a busy host, skips, errors, an interrupted run).
 */

#include <stdio.h>

#include "../results/compare.h"
#include "../results/result.h"
#include "doc.h"

/*
 * The "Summary" section of a report. ovh: f's overhead against its bare configuration (cmp_overhead with
 * o), NULL when there is none (why_none says why: no bare configuration, or the comparison's error).
 */
void headline_section(doc *d, const res_file *f, const cmp_report *ovh, const char *why_none,
                      const cmp_opts *o);

/* The same in short for a terminal (the end of bench run): a line per configuration (skips and errors are
 * bench run's own lines). */
void headline_text(FILE *out, const res_file *f, const cmp_report *ovh, const cmp_opts *o);
