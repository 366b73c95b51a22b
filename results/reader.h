/* SPDX-License-Identifier: MIT */
#pragma once
/*
 * The strict readers' common part (result.c, fleet_manifest.c): where in
 * the document a reader is, for messages "FILE: results[3].samples[2]:
 * expected a number, got a string", the type words, and the fixed layout.
 */
#include "../common/error.h"
#include "../common/json.h"
#include "../common/jsonpos.h"

typedef struct json_reader {
        const char *file; /* for messages, may be NULL */
        json_path path;   /* where we are: "results[3].samples[2]" */
        bench_error **err;
} json_reader;

/* Sets *rd->err to "FILE: PATH: what" and returns -EINVAL. */
int json_fail(json_reader *rd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* "null", "a boolean", "a number", "a string", "an array", "an object" */
const char *json_type_name(const cJSON *j);
/* Refuses keys not in allowed (NULL-terminated) and keys given twice. */
int json_check_keys(json_reader *rd, const cJSON *obj, const char *const *allowed);
