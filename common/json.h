/* SPDX-License-Identifier: MIT */
#pragma once

/* cJSON scope cleanup (not for the agent, which has no cJSON). */
#include <cJSON.h>

static inline void cjson_deletep(cJSON **p) {
        cJSON_Delete(*p);
}
#define _cleanup_json_ __attribute__((cleanup(cjson_deletep)))
