/* SPDX-License-Identifier: MIT */
#include "reader.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/cleanup.h"

int json_fail(json_reader *rd, const char *fmt, ...) {
        _cleanup_free_ char *what = NULL;
        va_list ap;
        va_start(ap, fmt);
        if (vasprintf(&what, fmt, ap) < 0)
                what = NULL;
        va_end(ap);
        char buf[256];
        const char *where = rd->path.n ? json_path_str(&rd->path, buf, sizeof(buf)) : "(top level)";
        if (rd->file)
                return bench_error_set(rd->err, EINVAL, "%s: %s: %s", rd->file, where, what ? what : "?");
        return bench_error_set(rd->err, EINVAL, "%s: %s", where, what ? what : "?");
}

const char *json_type_name(const cJSON *j) {
        if (cJSON_IsNull(j))
                return "null";
        if (cJSON_IsBool(j))
                return "a boolean";
        if (cJSON_IsNumber(j))
                return "a number";
        if (cJSON_IsString(j))
                return "a string";
        if (cJSON_IsArray(j))
                return "an array";
        if (cJSON_IsObject(j))
                return "an object";
        return "something else";
}

int json_check_keys(json_reader *rd, const cJSON *obj, const char *const *allowed) {
        for (const cJSON *c = obj->child; c; c = c->next) {
                bool known = false;
                for (const char *const *a = allowed; *a && !known; a++)
                        known = !strcmp(c->string, *a);
                if (!known)
                        return json_fail(rd, "unknown field `%s`", c->string);
                for (const cJSON *d = obj->child; d != c; d = d->next)
                        if (!strcmp(d->string, c->string))
                                return json_fail(rd, "duplicate field `%s`", c->string);
        }
        return 0;
}
