/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * Positions in JSON text, for messages that say "FILE:LINE:COL". cJSON keeps
 * none, so a small scanner walks the text again. It needs no cJSON (common/
 * is linked into the static agent too); it is also stricter than cJSON and
 * says what is wrong and how to fix it.
 */
#include <stdbool.h>
#include <stddef.h>

/* 1-based line and column of byte offset off; columns count characters, not UTF-8 bytes. */
void json_line_col(const char *text, size_t off, unsigned *ret_line, unsigned *ret_col);

/* Why text is not JSON. */
typedef struct json_syntax_error {
        size_t offset;  /* where, as a byte offset */
        bool truncated; /* the text ends inside a string, object or array: cut short, not malformed */
        char msg[256];  /* what is wrong, with the fix */
} json_syntax_error;

/* 0 if text is one JSON value (with whitespace around it); else -EINVAL and *ret says where and why. */
int json_check_syntax(const char *text, json_syntax_error *ret);

/* The length of the JSON value at byte offset off (as written: "1e3" is 3); 0 if none is there. */
size_t json_value_len(const char *text, size_t off);

/*
 * A path into a document: keys and array indexes, "workloads[2].kind". Keys
 * are borrowed. Steps beyond JSON_PATH_MAX are dropped (pop still works).
 */
#define JSON_PATH_MAX 16
typedef struct json_path {
        size_t n;
        struct {
                const char *key; /* NULL: an array index */
                size_t idx;
        } s[JSON_PATH_MAX];
} json_path;

/* Adds a step; returns the mark json_path_pop() goes back to. */
static inline size_t json_path_push_key(json_path *p, const char *key) {
        size_t mark = p->n;
        if (p->n < JSON_PATH_MAX) {
                p->s[p->n].key = key;
                p->s[p->n++].idx = 0;
        }
        return mark;
}
static inline size_t json_path_push_index(json_path *p, size_t idx) {
        size_t mark = p->n;
        if (p->n < JSON_PATH_MAX) {
                p->s[p->n].key = NULL;
                p->s[p->n++].idx = idx;
        }
        return mark;
}
static inline void json_path_pop(json_path *p, size_t mark) {
        p->n = mark;
}
/* p and one more step, for paths passed by value. */
static inline json_path json_path_key(json_path p, const char *key) {
        json_path_push_key(&p, key);
        return p;
}
static inline json_path json_path_index(json_path p, size_t idx) {
        json_path_push_index(&p, idx);
        return p;
}

/* "workloads[2].kind" into buf ("" for the root); returns buf. */
const char *json_path_str(const json_path *p, char *buf, size_t len);

enum {
        JSON_AT_KEY = 1 << 0, /* the offset of the last step's key, not of its value */
};

/*
 * Byte offset of the value at p in text (or of its key, with JSON_AT_KEY);
 * the last key may be matched at its nth repeat (a duplicate key). 0 or
 * -ENOENT. Assumes text passed json_check_syntax().
 */
int json_path_offset(const char *text, const json_path *p, size_t nth, unsigned flags, size_t *ret_off);

/*
 * Locates a field by path ("workloads[2].kind", "" = root) in JSON text, as
 * 1-based line and column of its value; 0 if found, -ENOENT if not.
 */
int json_locate(const char *text, const char *path, unsigned *ret_line, unsigned *ret_col);
