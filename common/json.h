/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * cJSON, loaded on first use (json.c), and its scope cleanup (not for the
 * agent, which has no cJSON). Linked, libcjson (and libm it brought) cost
 * every bench process ~0.1 ms at start, `bench version` and `bench
 * container run` included, which parse no JSON. Every file reaches cJSON
 * through this header: the calls below go through the loaded table, and
 * the first one loads it. libcjson1 is a dependency as libc is (scripts/setup
 * installs it): a process that cannot load it stops there with a message
 * saying what to install, as the dynamic loader would have at start.
 */
#include <cJSON.h>

#define BENCH_CJSON_FUNCS(X)                                                                                 \
        X(cJSON_AddArrayToObject)                                                                            \
        X(cJSON_AddBoolToObject)                                                                             \
        X(cJSON_AddItemToArray)                                                                              \
        X(cJSON_AddItemToObject)                                                                             \
        X(cJSON_AddNullToObject)                                                                             \
        X(cJSON_AddNumberToObject)                                                                           \
        X(cJSON_AddObjectToObject)                                                                           \
        X(cJSON_AddStringToObject)                                                                           \
        X(cJSON_CreateArray)                                                                                 \
        X(cJSON_CreateBool)                                                                                  \
        X(cJSON_CreateNull)                                                                                  \
        X(cJSON_CreateNumber)                                                                                \
        X(cJSON_CreateObject)                                                                                \
        X(cJSON_CreateRaw)                                                                                   \
        X(cJSON_CreateString)                                                                                \
        X(cJSON_Delete)                                                                                      \
        X(cJSON_DeleteItemFromObject)                                                                        \
        X(cJSON_DeleteItemFromObjectCaseSensitive)                                                           \
        X(cJSON_Duplicate)                                                                                   \
        X(cJSON_GetArrayItem)                                                                                \
        X(cJSON_GetArraySize)                                                                                \
        X(cJSON_GetErrorPtr)                                                                                 \
        X(cJSON_GetObjectItemCaseSensitive)                                                                  \
        X(cJSON_HasObjectItem)                                                                               \
        X(cJSON_IsArray)                                                                                     \
        X(cJSON_IsBool)                                                                                      \
        X(cJSON_IsFalse)                                                                                     \
        X(cJSON_IsNull)                                                                                      \
        X(cJSON_IsNumber)                                                                                    \
        X(cJSON_IsObject)                                                                                    \
        X(cJSON_IsString)                                                                                    \
        X(cJSON_IsTrue)                                                                                      \
        X(cJSON_Parse)                                                                                       \
        X(cJSON_ParseWithOpts)                                                                               \
        X(cJSON_Print)                                                                                       \
        X(cJSON_PrintUnformatted)                                                                            \
        X(cJSON_ReplaceItemInObjectCaseSensitive)                                                            \
        X(cJSON_Version)                                                                                     \
        X(cJSON_free)

typedef struct bench_cjson_api {
#define BENCH_CJSON_FIELD(f) __typeof__(&f) f;
        BENCH_CJSON_FUNCS(BENCH_CJSON_FIELD)
#undef BENCH_CJSON_FIELD
} bench_cjson_api;

extern const bench_cjson_api *bench_cjson_api_loaded; /* NULL until loaded */
/* Loads libcjson (once per process); exits 1 saying what to install if it cannot. */
const bench_cjson_api *bench_cjson_load(void);

static inline const bench_cjson_api *bench_cjson(void) {
        const bench_cjson_api *a = __atomic_load_n(&bench_cjson_api_loaded, __ATOMIC_ACQUIRE);
        return __builtin_expect(a != NULL, 1) ? a : bench_cjson_load();
}

#ifndef BENCH_CJSON_NO_MACROS
#define cJSON_AddArrayToObject (bench_cjson()->cJSON_AddArrayToObject)
#define cJSON_AddBoolToObject (bench_cjson()->cJSON_AddBoolToObject)
#define cJSON_AddItemToArray (bench_cjson()->cJSON_AddItemToArray)
#define cJSON_AddItemToObject (bench_cjson()->cJSON_AddItemToObject)
#define cJSON_AddNullToObject (bench_cjson()->cJSON_AddNullToObject)
#define cJSON_AddNumberToObject (bench_cjson()->cJSON_AddNumberToObject)
#define cJSON_AddObjectToObject (bench_cjson()->cJSON_AddObjectToObject)
#define cJSON_AddStringToObject (bench_cjson()->cJSON_AddStringToObject)
#define cJSON_CreateArray (bench_cjson()->cJSON_CreateArray)
#define cJSON_CreateBool (bench_cjson()->cJSON_CreateBool)
#define cJSON_CreateNull (bench_cjson()->cJSON_CreateNull)
#define cJSON_CreateNumber (bench_cjson()->cJSON_CreateNumber)
#define cJSON_CreateObject (bench_cjson()->cJSON_CreateObject)
#define cJSON_CreateRaw (bench_cjson()->cJSON_CreateRaw)
#define cJSON_CreateString (bench_cjson()->cJSON_CreateString)
#define cJSON_Delete (bench_cjson()->cJSON_Delete)
#define cJSON_DeleteItemFromObject (bench_cjson()->cJSON_DeleteItemFromObject)
#define cJSON_DeleteItemFromObjectCaseSensitive (bench_cjson()->cJSON_DeleteItemFromObjectCaseSensitive)
#define cJSON_Duplicate (bench_cjson()->cJSON_Duplicate)
#define cJSON_GetArrayItem (bench_cjson()->cJSON_GetArrayItem)
#define cJSON_GetArraySize (bench_cjson()->cJSON_GetArraySize)
#define cJSON_GetErrorPtr (bench_cjson()->cJSON_GetErrorPtr)
#define cJSON_GetObjectItemCaseSensitive (bench_cjson()->cJSON_GetObjectItemCaseSensitive)
#define cJSON_HasObjectItem (bench_cjson()->cJSON_HasObjectItem)
#define cJSON_IsArray (bench_cjson()->cJSON_IsArray)
#define cJSON_IsBool (bench_cjson()->cJSON_IsBool)
#define cJSON_IsFalse (bench_cjson()->cJSON_IsFalse)
#define cJSON_IsNull (bench_cjson()->cJSON_IsNull)
#define cJSON_IsNumber (bench_cjson()->cJSON_IsNumber)
#define cJSON_IsObject (bench_cjson()->cJSON_IsObject)
#define cJSON_IsString (bench_cjson()->cJSON_IsString)
#define cJSON_IsTrue (bench_cjson()->cJSON_IsTrue)
#define cJSON_Parse (bench_cjson()->cJSON_Parse)
#define cJSON_ParseWithOpts (bench_cjson()->cJSON_ParseWithOpts)
#define cJSON_Print (bench_cjson()->cJSON_Print)
#define cJSON_PrintUnformatted (bench_cjson()->cJSON_PrintUnformatted)
#define cJSON_ReplaceItemInObjectCaseSensitive (bench_cjson()->cJSON_ReplaceItemInObjectCaseSensitive)
#define cJSON_Version (bench_cjson()->cJSON_Version)
#define cJSON_free (bench_cjson()->cJSON_free)
#endif

static inline void cjson_deletep(cJSON **p) {
        if (*p)
                cJSON_Delete(*p);
}
#define _cleanup_json_ __attribute__((cleanup(cjson_deletep)))
