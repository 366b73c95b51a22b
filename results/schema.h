/* SPDX-License-Identifier: MIT */
#pragma once

#include "../common/error.h"

/*
 * The JSON Schemas of suites ("suite") and result files ("result"),
 * generated: a fixed skeleton (results/NAME.schema.in.json, built in) with
 * every configuration kind's options, every workload's params and every
 * metric's unit filled in from rt_kinds[] and wl_catalog[]. The committed
 * results/NAME.schema.json is this text (tests/unit/test_schema.c checks).
 */

/* The schema called name ("suite" or "result") as JSON text ending in a newline; caller frees. */
int res_schema_generate(const char *name, char **ret_text, bench_error **err);
