/* SPDX-License-Identifier: MIT */
#include "suite.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../common/cleanup.h"
#include "../common/rng.h"
#include "../common/util.h"

#define REPS_DEFAULT 5
#define REPS_MAX 100000
#define WARMUP_DEFAULT 1
#define WARMUP_MAX 1000
#define TIMEOUT_DEFAULT 300.0
/* cJSON prints numbers with 15 significant digits: larger seeds would not round-trip */
#define SEED_MAX 999999999999999ull
#define JSON_DEPTH_MAX 512

/* ------------------------------------------------------------------------ */
/* Positions. cJSON keeps none, so a small scanner walks the text again.     */

static void offset_to_line_col(const char *text, size_t off, unsigned *ret_line, unsigned *ret_col) {
        unsigned line = 1, col = 1;
        for (size_t i = 0; i < off && text[i]; i++) {
                unsigned char c = (unsigned char)text[i];
                if (c == '\n') {
                        line++;
                        col = 1;
                } else if ((c & 0xC0) != 0x80) /* count characters, not UTF-8 bytes */
                        col++;
        }
        *ret_line = line;
        *ret_col = col;
}

typedef struct jscan {
        const char *s;
        size_t pos;
        bool failed;
        size_t err_pos;
        char err[256];
} jscan;

static void js_fail(jscan *j, size_t at, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void js_fail(jscan *j, size_t at, const char *fmt, ...) {
        if (j->failed)
                return;
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(j->err, sizeof(j->err), fmt, ap);
        va_end(ap);
        j->failed = true;
        j->err_pos = at;
}

static void js_ws(jscan *j) {
        while (j->s[j->pos] == ' ' || j->s[j->pos] == '\t' || j->s[j->pos] == '\n' || j->s[j->pos] == '\r')
                j->pos++;
}

static int hexval(char c) {
        if (c >= '0' && c <= '9')
                return c - '0';
        if (c >= 'a' && c <= 'f')
                return c - 'a' + 10;
        if (c >= 'A' && c <= 'F')
                return c - 'A' + 10;
        return -1;
}

static int read_hex4(const char *p, unsigned *ret) {
        unsigned v = 0;
        for (int i = 0; i < 4; i++) {
                int h = hexval(p[i]);
                if (h < 0)
                        return -1;
                v = v * 16 + (unsigned)h;
        }
        *ret = v;
        return 0;
}

static size_t put_utf8(char *o, unsigned cp) {
        if (cp < 0x80) {
                o[0] = (char)cp;
                return 1;
        }
        if (cp < 0x800) {
                o[0] = (char)(0xC0 | (cp >> 6));
                o[1] = (char)(0x80 | (cp & 0x3F));
                return 2;
        }
        if (cp < 0x10000) {
                o[0] = (char)(0xE0 | (cp >> 12));
                o[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
                o[2] = (char)(0x80 | (cp & 0x3F));
                return 3;
        }
        o[0] = (char)(0xF0 | (cp >> 18));
        o[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        o[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
        o[3] = (char)(0x80 | (cp & 0x3F));
        return 4;
}

/* At '"'. Validates and, if ret, decodes (as cJSON does) so keys compare equal. */
static int js_string(jscan *j, char **ret) {
        size_t open = j->pos++;
        size_t start = j->pos;
        for (;;) {
                unsigned char c = (unsigned char)j->s[j->pos];
                if (c == '"')
                        break;
                if (c == '\0' || c == '\n') {
                        js_fail(j, open, "unterminated string (close it with `\"` on the same line)");
                        return -1;
                }
                if (c < 0x20) {
                        js_fail(j, j->pos,
                                "control character in a string (write it as an escape such as \\t)");
                        return -1;
                }
                if (c == '\\') {
                        char e = j->s[j->pos + 1];
                        unsigned cp;
                        if (e == 'u') {
                                if (read_hex4(j->s + j->pos + 2, &cp) < 0) {
                                        js_fail(j, j->pos, "invalid escape: \\u needs four hex digits");
                                        return -1;
                                }
                                j->pos += 6;
                                continue;
                        }
                        if (!e || !strchr("\"\\/bfnrt", e)) {
                                js_fail(j, j->pos,
                                        "invalid escape `\\%c` in a string (write `\\\\` for a backslash)",
                                        e ? e : ' ');
                                return -1;
                        }
                        j->pos += 2;
                        continue;
                }
                j->pos++;
        }
        size_t end = j->pos++;
        if (!ret)
                return 0;
        char *o = malloc(end - start + 1), *w = o;
        if (!o)
                return -1;
        for (size_t i = start; i < end;) {
                if (j->s[i] != '\\') {
                        *w++ = j->s[i++];
                        continue;
                }
                char e = j->s[i + 1];
                unsigned cp, lo;
                i += 2;
                switch (e) {
                case 'b':
                        *w++ = '\b';
                        break;
                case 'f':
                        *w++ = '\f';
                        break;
                case 'n':
                        *w++ = '\n';
                        break;
                case 'r':
                        *w++ = '\r';
                        break;
                case 't':
                        *w++ = '\t';
                        break;
                case 'u':
                        read_hex4(j->s + i, &cp);
                        i += 4;
                        if (cp >= 0xD800 && cp < 0xDC00 && j->s[i] == '\\' && j->s[i + 1] == 'u' &&
                            read_hex4(j->s + i + 2, &lo) == 0 && lo >= 0xDC00 && lo < 0xE000) {
                                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                                i += 6;
                        }
                        w += put_utf8(w, cp);
                        break;
                default:
                        *w++ = e;
                        break;
                }
        }
        *w = '\0';
        *ret = o;
        return 0;
}

static int js_value(jscan *j, unsigned depth);

static int js_number(jscan *j) {
        size_t start = j->pos, p = j->pos;
        const char *s = j->s;
        size_t tok = start;
        while (s[tok] && (isalnum((unsigned char)s[tok]) || strchr("+-.", s[tok])))
                tok++;
        int toklen = (int)(tok - start);
        if (s[p] == '-')
                p++;
        bool ok = true;
        if (s[p] == '0')
                p++;
        else if (s[p] >= '1' && s[p] <= '9')
                while (isdigit((unsigned char)s[p]))
                        p++;
        else
                ok = false;
        if (ok && s[p] == '.') {
                p++;
                if (!isdigit((unsigned char)s[p]))
                        ok = false;
                while (isdigit((unsigned char)s[p]))
                        p++;
        }
        if (ok && (s[p] == 'e' || s[p] == 'E')) {
                p++;
                if (s[p] == '+' || s[p] == '-')
                        p++;
                if (!isdigit((unsigned char)s[p]))
                        ok = false;
                while (isdigit((unsigned char)s[p]))
                        p++;
        }
        if (ok && p == tok) {
                j->pos = p;
                return 0;
        }
        if (ok && isalpha((unsigned char)s[p]))
                js_fail(j, start, "`%.*s` is not a JSON number; write it as a string: \"%.*s\"", toklen,
                        s + start, toklen, s + start);
        else
                js_fail(j, start,
                        "invalid number `%.*s` (JSON numbers look like 12, -3, 0.5 or 1e6, without "
                        "leading zeros or `+`)",
                        toklen, s + start);
        return -1;
}

static int js_word(jscan *j) {
        size_t start = j->pos;
        while (isalnum((unsigned char)j->s[j->pos]) || j->s[j->pos] == '_')
                j->pos++;
        size_t len = j->pos - start;
        const char *w = j->s + start;
        if ((len == 4 && !strncmp(w, "true", 4)) || (len == 5 && !strncmp(w, "false", 5)) ||
            (len == 4 && !strncmp(w, "null", 4)))
                return 0;
        js_fail(j, start,
                "unknown word `%.*s` (values are true, false, null, numbers, \"strings\", [arrays] "
                "and {objects}; strings need double quotes)",
                (int)len, w);
        return -1;
}

static void js_never_closed(jscan *j, size_t open) {
        unsigned l, c;
        offset_to_line_col(j->s, open, &l, &c);
        js_fail(j, j->pos, "unexpected end of file: the `%c` at %u:%u is never closed", j->s[open], l, c);
}

/* What is wrong where a value, key or closing bracket should start. */
static void js_unexpected(jscan *j, const char *expected) {
        char c = j->s[j->pos];
        if (c == '\'')
                js_fail(j, j->pos, "strings and keys need double quotes (\"), not single quotes");
        else if (c == '/' && (j->s[j->pos + 1] == '/' || j->s[j->pos + 1] == '*'))
                js_fail(j, j->pos, "JSON has no comments (remove them, or put the text in \"description\")");
        else
                js_fail(j, j->pos, "expected %s, got `%c`", expected, c);
}

static int js_container(jscan *j, unsigned depth, bool object) {
        size_t open = j->pos++;
        char close = object ? '}' : ']';
        size_t comma = 0;
        bool after_comma = false;
        if (depth > JSON_DEPTH_MAX) {
                js_fail(j, open, "nested more than %d levels deep", JSON_DEPTH_MAX);
                return -1;
        }
        js_ws(j);
        if (j->s[j->pos] == close) {
                j->pos++;
                return 0;
        }
        for (;;) {
                js_ws(j);
                char c = j->s[j->pos];
                if (!c) {
                        js_never_closed(j, open);
                        return -1;
                }
                if (after_comma && (c == '}' || c == ']')) {
                        js_fail(j, comma, "trailing comma before `%c` (JSON allows none; remove the comma)",
                                c);
                        return -1;
                }
                if (object) {
                        if (c != '"') {
                                if (isalpha((unsigned char)c) || c == '_') {
                                        size_t e = j->pos;
                                        while (isalnum((unsigned char)j->s[e]) || j->s[e] == '_')
                                                e++;
                                        js_fail(j, j->pos, "keys need double quotes: write \"%.*s\"",
                                                (int)(e - j->pos), j->s + j->pos);
                                } else
                                        js_unexpected(j, "a key in double quotes");
                                return -1;
                        }
                        if (js_string(j, NULL) < 0)
                                return -1;
                        js_ws(j);
                        if (j->s[j->pos] != ':') {
                                if (!j->s[j->pos])
                                        js_never_closed(j, open);
                                else
                                        js_fail(j, j->pos, "expected `:` after the key");
                                return -1;
                        }
                        j->pos++;
                        js_ws(j);
                }
                if (js_value(j, depth + 1) < 0)
                        return -1;
                js_ws(j);
                c = j->s[j->pos];
                if (c == ',') {
                        comma = j->pos++;
                        after_comma = true;
                        continue;
                }
                if (c == close) {
                        j->pos++;
                        return 0;
                }
                if (!c)
                        js_never_closed(j, open);
                else if (c == '"' || c == '{' || c == '[' || c == '-' || isalnum((unsigned char)c))
                        js_fail(j, j->pos, "missing `,` before this %s", object ? "key" : "value");
                else if (c == '}' || c == ']')
                        js_fail(j, j->pos, "`%c` does not match the `%c` it closes; expected `%c`", c,
                                j->s[open], close);
                else
                        js_unexpected(j, object ? "`,` or `}`" : "`,` or `]`");
                return -1;
        }
}

static int js_value(jscan *j, unsigned depth) {
        char c = j->s[j->pos];
        if (c == '{' || c == '[')
                return js_container(j, depth, c == '{');
        if (c == '"')
                return js_string(j, NULL);
        if (c == '-' || c == '+' || c == '.' || isdigit((unsigned char)c))
                return js_number(j);
        if (isalpha((unsigned char)c))
                return js_word(j);
        if (!c)
                js_fail(j, j->pos, "unexpected end of file: expected a value");
        else
                js_unexpected(j, "a value");
        return -1;
}

/* A path into the document: keys and array indexes. */
#define JP_MAX 16
typedef struct jpath {
        size_t n;
        struct {
                const char *key; /* NULL: an array index */
                size_t idx;
        } s[JP_MAX];
} jpath;

static jpath jp_key(jpath p, const char *key) {
        if (p.n < JP_MAX) {
                p.s[p.n].key = key;
                p.s[p.n].idx = 0;
                p.n++;
        }
        return p;
}

static jpath jp_idx(jpath p, size_t idx) {
        if (p.n < JP_MAX) {
                p.s[p.n].key = NULL;
                p.s[p.n].idx = idx;
                p.n++;
        }
        return p;
}

/* "workloads[2].kind"; the root is "top level" */
static const char *jp_str(const jpath *p, char *buf, size_t len) {
        size_t w = 0;
        buf[0] = '\0';
        for (size_t i = 0; i < p->n && w < len; i++) {
                int r = p->s[i].key ? snprintf(buf + w, len - w, "%s%s", i ? "." : "", p->s[i].key)
                                    : snprintf(buf + w, len - w, "[%zu]", p->s[i].idx);
                if (r < 0)
                        break;
                w += (size_t)r;
        }
        if (!p->n)
                snprintf(buf, len, "top level");
        return buf;
}

/*
 * Offset of the value at p (or of its key, if want_key); the last key may be
 * matched for its nth repeat (duplicate keys). Assumes valid JSON.
 */
static int locate(const char *text, const jpath *p, size_t nth, bool want_key, size_t *ret_off) {
        jscan j = {.s = text};
        js_ws(&j);
        for (size_t i = 0; i < p->n; i++) {
                bool last = i + 1 == p->n;
                if (p->s[i].key) {
                        if (text[j.pos] != '{')
                                return -ENOENT;
                        j.pos++;
                        size_t seen = 0;
                        for (;;) {
                                js_ws(&j);
                                if (text[j.pos] != '"')
                                        return -ENOENT;
                                size_t key_at = j.pos;
                                _cleanup_free_ char *k = NULL;
                                if (js_string(&j, &k) < 0)
                                        return -ENOENT;
                                js_ws(&j);
                                if (text[j.pos] != ':')
                                        return -ENOENT;
                                j.pos++;
                                js_ws(&j);
                                if (!strcmp(k, p->s[i].key) && (!last || seen++ == nth)) {
                                        if (last && want_key) {
                                                *ret_off = key_at;
                                                return 0;
                                        }
                                        break;
                                }
                                if (js_value(&j, 0) < 0)
                                        return -ENOENT;
                                js_ws(&j);
                                if (text[j.pos] != ',')
                                        return -ENOENT;
                                j.pos++;
                        }
                } else {
                        if (text[j.pos] != '[')
                                return -ENOENT;
                        j.pos++;
                        for (size_t k = 0;; k++) {
                                js_ws(&j);
                                if (text[j.pos] == ']')
                                        return -ENOENT;
                                if (k == p->s[i].idx)
                                        break;
                                if (js_value(&j, 0) < 0)
                                        return -ENOENT;
                                js_ws(&j);
                                if (text[j.pos] != ',')
                                        return -ENOENT;
                                j.pos++;
                        }
                }
        }
        if (want_key)
                return -ENOENT;
        *ret_off = j.pos;
        return 0;
}

/* "workloads[2].kind" -> path; keys in such paths hold no '.' or '['. */
static int jp_parse(const char *s, jpath *ret, char *store, size_t store_len) {
        jpath p = {0};
        size_t w = 0;
        while (*s) {
                if (*s == '[') {
                        char *end;
                        unsigned long long v = strtoull(s + 1, &end, 10);
                        if (end == s + 1 || *end != ']' || p.n == JP_MAX)
                                return -EINVAL;
                        p = jp_idx(p, (size_t)v);
                        s = end + 1;
                        if (*s == '.')
                                s++;
                        continue;
                }
                size_t l = strcspn(s, ".[");
                if (!l || w + l + 1 > store_len || p.n == JP_MAX)
                        return -EINVAL;
                memcpy(store + w, s, l);
                store[w + l] = '\0';
                p = jp_key(p, store + w);
                w += l + 1;
                s += l;
                if (*s == '.')
                        s++;
        }
        *ret = p;
        return 0;
}

int json_locate(const char *text, const char *path, unsigned *ret_line, unsigned *ret_col) {
        char store[1024];
        jpath p;
        size_t off;
        if (!text || !path || jp_parse(path, &p, store, sizeof(store)) < 0)
                return -ENOENT;
        if (locate(text, &p, 0, false, &off) < 0 || !text[off])
                return -ENOENT;
        offset_to_line_col(text, off, ret_line, ret_col);
        return 0;
}

/* ------------------------------------------------------------------------ */
/* Validation                                                               */

typedef struct vctx {
        const char *text;
        const char *file;
        bench_diags *d;
        bool oom;
} vctx;

enum { AT_VALUE = 0, AT_KEY = 1 };

static void report(vctx *c, const jpath *at, unsigned flags, size_t nth, const char *field, const char *fmt,
                   ...) __attribute__((format(printf, 6, 7)));
static void report(vctx *c, const jpath *at, unsigned flags, size_t nth, const char *field, const char *fmt,
                   ...) {
        char fbuf[512], where[64] = "";
        size_t off;
        if (at && locate(c->text, at, nth, flags & AT_KEY, &off) == 0) {
                unsigned l, col;
                offset_to_line_col(c->text, off, &l, &col);
                snprintf(where, sizeof(where), "%u:%u:", l, col);
        }
        if (!field)
                field = at ? jp_str(at, fbuf, sizeof(fbuf)) : "top level";
        _cleanup_free_ char *msg = NULL;
        va_list ap;
        va_start(ap, fmt);
        int r = vasprintf(&msg, fmt, ap);
        va_end(ap);
        if (r < 0) {
                c->oom = true;
                return;
        }
        bench_diags_add(c->d, "%s:%s %s: %s", c->file, where, field, msg);
}

/* The user's value as they wrote it: numbers from the text ("1e3" stays 1e3). */
static char *describe(vctx *c, const jpath *at, const cJSON *v, bool quote_strings) {
        char *out = NULL;
        size_t off;
        if (cJSON_IsNumber(v) && at && locate(c->text, at, 0, false, &off) == 0) {
                jscan j = {.s = c->text, .pos = off};
                if (js_value(&j, 0) == 0 && asprintf(&out, "%.*s", (int)(j.pos - off), c->text + off) >= 0)
                        return out;
        }
        if (cJSON_IsNumber(v))
                return asprintf(&out, "%.17g", v->valuedouble) < 0 ? NULL : out;
        if (cJSON_IsString(v))
                return quote_strings ? cJSON_PrintUnformatted(v) : strdup(v->valuestring);
        if (cJSON_IsTrue(v))
                return strdup("true");
        if (cJSON_IsFalse(v))
                return strdup("false");
        if (cJSON_IsNull(v))
                return strdup("null");
        if (cJSON_IsArray(v))
                return strdup("an array");
        return strdup("an object");
}

/* A number as the agent gets it: integral as an integer, else %.17g. */
static char *number_canon(double v) {
        char *out = NULL;
        int r = v == floor(v) && fabs(v) < 1e18 ? asprintf(&out, "%.0f", v) : asprintf(&out, "%.17g", v);
        return r < 0 ? NULL : out;
}

static bool name_ok(const char *s) {
        if (!*s)
                return false;
        for (; *s; s++)
                if (!isalnum((unsigned char)*s) && *s != '_' && *s != '.' && *s != '-')
                        return false;
        return true;
}

/* "a, b or c" (conj " or ") into buf. */
static const char *join_names(const char *const *names, size_t n, const char *conj, char *buf, size_t len) {
        size_t w = 0;
        buf[0] = '\0';
        for (size_t i = 0; i < n && w < len; i++) {
                int r = snprintf(buf + w, len - w, "%s%s", i == 0 ? "" : i + 1 < n ? ", " : conj, names[i]);
                if (r < 0)
                        break;
                w += (size_t)r;
        }
        return buf;
}

/* " (did you mean `x`?)" or " (expected one of a, b or c)" */
static const char *suggest(const char *word, const char *const *names, size_t n, const char *what, char *buf,
                           size_t len) {
        const char *dym = bench_did_you_mean(word, names, n);
        char list[512];
        if (dym)
                snprintf(buf, len, " (did you mean `%s`?)", dym);
        else if (n)
                snprintf(buf, len, " (%s %s)", what,
                         join_names(names, n, strstr(what, "one of") ? " or " : " and ", list, sizeof(list)));
        else
                buf[0] = '\0';
        return buf;
}

/* Every object: a key given twice is an error (cJSON would keep both). */
static void check_duplicates(vctx *c, const cJSON *node, const jpath *at) {
        if (at->n >= JP_MAX - 1)
                return;
        size_t i = 0;
        for (const cJSON *ch = node->child; ch; ch = ch->next, i++) {
                if (cJSON_IsObject(node)) {
                        size_t nth = 0;
                        for (const cJSON *prev = node->child; prev != ch; prev = prev->next)
                                if (prev->string && ch->string && !strcmp(prev->string, ch->string))
                                        nth++;
                        jpath kp = jp_key(*at, ch->string);
                        if (nth) {
                                char first[64] = "";
                                size_t off;
                                if (locate(c->text, &kp, 0, true, &off) == 0) {
                                        unsigned l, col;
                                        offset_to_line_col(c->text, off, &l, &col);
                                        snprintf(first, sizeof(first), " at %u:%u", l, col);
                                }
                                char f[512];
                                report(c, &kp, AT_KEY, nth, jp_str(at, f, sizeof(f)),
                                       "duplicate key `%s` (already set%s; keep one)", ch->string, first);
                                continue; /* its insides cannot be located by path */
                        }
                        check_duplicates(c, ch, &kp);
                } else if (cJSON_IsArray(node)) {
                        jpath ip = jp_idx(*at, i);
                        check_duplicates(c, ch, &ip);
                }
        }
}

/* Unknown keys of an object, against allowed[]. */
static void check_keys(vctx *c, const cJSON *obj, const jpath *at, const char *const *allowed, size_t n,
                       const char *suffix) {
        char f[512], sug[640];
        for (const cJSON *ch = obj->child; ch; ch = ch->next) {
                bool ok = false;
                for (size_t i = 0; i < n && !ok; i++)
                        ok = !strcmp(ch->string, allowed[i]);
                if (ok)
                        continue;
                jpath kp = jp_key(*at, ch->string);
                report(c, &kp, AT_KEY, 0, jp_str(at, f, sizeof(f)), "unknown key `%s`%s%s", ch->string,
                       suffix, suggest(ch->string, allowed, n, "allowed:", sug, sizeof(sug)));
        }
}

/* An integer field; absent = def. Returns false after reporting. */
static bool get_uint(vctx *c, const cJSON *obj, const jpath *at, const char *key, uint64_t min, uint64_t max,
                     uint64_t def, uint64_t *ret) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
        *ret = def;
        if (!v)
                return true;
        jpath vp = jp_key(*at, key);
        if (cJSON_IsNumber(v) && v->valuedouble == floor(v->valuedouble) && v->valuedouble >= (double)min &&
            v->valuedouble <= (double)max) {
                *ret = (uint64_t)v->valuedouble;
                return true;
        }
        _cleanup_free_ char *got = describe(c, &vp, v, true);
        report(c, &vp, AT_VALUE, 0, NULL, "must be an integer between %llu and %llu, got %s",
               (unsigned long long)min, (unsigned long long)max, got ? got : "?");
        return false;
}

static const char *get_string(vctx *c, const cJSON *obj, const jpath *at, const char *key, const char *what) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
        if (!v)
                return NULL;
        jpath vp = jp_key(*at, key);
        if (cJSON_IsString(v))
                return v->valuestring;
        _cleanup_free_ char *got = describe(c, &vp, v, true);
        report(c, &vp, AT_VALUE, 0, NULL, "must be a string (%s), got %s", what, got ? got : "?");
        return NULL;
}

/* A strlist value; returns the number of items or -1 after reporting. */
static long check_strlist(vctx *c, const cJSON *v, const jpath *vp, char **ret_joined) {
        if (!cJSON_IsArray(v))
                return -1;
        long n = 0;
        size_t total = 1;
        bool ok = true;
        for (const cJSON *e = v->child; e; e = e->next, n++) {
                jpath ep = jp_idx(*vp, (size_t)n);
                if (!cJSON_IsString(e) || !*e->valuestring) {
                        _cleanup_free_ char *got = describe(c, &ep, e, true);
                        report(c, &ep, AT_VALUE, 0, NULL, "expected a non-empty string, got %s",
                               got ? got : "?");
                        ok = false;
                        continue;
                }
                total += strlen(e->valuestring) + 1;
        }
        if (!ok)
                return -1;
        if (ret_joined) {
                char *j = calloc(1, total), *w = j;
                if (!j) {
                        c->oom = true;
                        return -1;
                }
                for (const cJSON *e = v->child; e; e = e->next)
                        w += sprintf(w, "%s%s", w == j ? "" : ",", e->valuestring);
                *ret_joined = j;
        }
        return n;
}

/*
 * One kind option or workload param against its spec. JSON numbers, bools
 * and strings are taken where they make sense; the canonical string form
 * (what the agent gets) goes to ret_canon.
 */
static bool check_opt_value(vctx *c, const bench_opt_spec *spec, const cJSON *v, const jpath *vp,
                            char **ret_canon) {
        _cleanup_free_ char *canon = NULL, *shown = NULL;
        char why[256];
        bool number_ok = false, string_ok = false;
        const char *tname = bench_opt_type_name(spec->type);
        switch (spec->type) {
        case BENCH_OPT_SIZE:
        case BENCH_OPT_UINT:
        case BENCH_OPT_DURATION:
        case BENCH_OPT_CPULIST:
                number_ok = string_ok = true;
                break;
        case BENCH_OPT_STRING:
        case BENCH_OPT_ENUM:
                string_ok = true;
                break;
        case BENCH_OPT_BOOL:
                if (cJSON_IsBool(v)) {
                        canon = strdup(cJSON_IsTrue(v) ? "true" : "false");
                        goto done;
                }
                shown = describe(c, vp, v, true);
                report(c, vp, AT_VALUE, 0, NULL, "`%s`: expected true or false%s", shown ? shown : "?",
                       cJSON_IsString(v) ? " (a JSON boolean, without quotes)" : "");
                return false;
        case BENCH_OPT_STRLIST:
                if (check_strlist(c, v, vp, &canon) >= 0)
                        goto done;
                if (!cJSON_IsArray(v)) {
                        shown = describe(c, vp, v, true);
                        report(c, vp, AT_VALUE, 0, NULL,
                               "`%s`: expected a list of strings such as [\"a\", \"b\"]",
                               shown ? shown : "?");
                }
                return false;
        case BENCH_OPT_UINT_OR_STRLIST:
                if (cJSON_IsArray(v)) {
                        long n = check_strlist(c, v, vp, &canon);
                        if (n < 0)
                                return false;
                        if ((uint64_t)n < spec->min || (spec->max && (uint64_t)n > spec->max)) {
                                report(c, vp, AT_VALUE, 0, NULL,
                                       "a list of %ld: must hold between %llu and %llu items", n,
                                       (unsigned long long)spec->min, (unsigned long long)spec->max);
                                return false;
                        }
                        goto done;
                }
                number_ok = true;
                break;
        }
        if (cJSON_IsNumber(v) && number_ok)
                canon = number_canon(v->valuedouble);
        else if (cJSON_IsString(v) && string_ok)
                canon = strdup(v->valuestring);
        else {
                shown = describe(c, vp, v, true);
                if (spec->type == BENCH_OPT_ENUM)
                        bench_opt_check(spec, "", why, sizeof(why)); /* its list of choices */
                else if (spec->type == BENCH_OPT_UINT_OR_STRLIST)
                        snprintf(why, sizeof(why), "expected a count or a list of strings");
                else
                        snprintf(why, sizeof(why), "expected a %s%s", tname,
                                 spec->type == BENCH_OPT_STRING ? " in double quotes" : "");
                report(c, vp, AT_VALUE, 0, NULL, "`%s`: %s", shown ? shown : "?", why);
                return false;
        }
        if (!canon) {
                c->oom = true;
                return false;
        }
        {
                bench_opt_spec scalar = *spec;
                if (scalar.type == BENCH_OPT_UINT_OR_STRLIST)
                        scalar.type = BENCH_OPT_UINT;
                if (bench_opt_check(&scalar, canon, why, sizeof(why)) < 0) {
                        shown = cJSON_IsNumber(v) ? describe(c, vp, v, false) : NULL;
                        report(c, vp, AT_VALUE, 0, NULL, "`%s`: %s", shown ? shown : canon, why);
                        return false;
                }
        }
done:
        if (!canon) {
                c->oom = true;
                return false;
        }
        if (ret_canon)
                *ret_canon = steal_pointer(&canon);
        return true;
}

static const char *const top_keys[] = {
        "name",      "description", "repetitions",    "warmup",    "seed",
        "timeout_s", "pinning",     "configurations", "workloads",
};
static const char *const config_fixed_keys[] = {"name", "kind"};
static const char *const workload_keys[] = {"name", "kind", "params"};

/* Names of an opt table (plus fixed keys) for suggestions. */
static size_t opt_names(const bench_opt_spec *t, const char *const *fixed, size_t n_fixed, const char **out,
                        size_t max) {
        size_t n = 0;
        for (size_t i = 0; i < n_fixed && n < max; i++)
                out[n++] = fixed[i];
        for (const bench_opt_spec *s = t; s && s->name && n < max; s++)
                out[n++] = s->name;
        return n;
}

static void check_configs(vctx *c, const cJSON *arr, suite *s) {
        jpath root = {0}, ap = jp_key(root, "configurations");
        char sug[640], f[512];
        size_t n = (size_t)cJSON_GetArraySize(arr);
        s->configs = calloc(n ? n : 1, sizeof(*s->configs));
        /* names of every configuration seen, valid or not, for duplicate checks */
        _cleanup_free_ const char **names = calloc(n ? n : 1, sizeof(*names));
        if (!s->configs || !names) {
                c->oom = true;
                return;
        }
        size_t i = 0;
        for (const cJSON *o = arr->child; o; o = o->next, i++) {
                jpath op = jp_idx(ap, i);
                if (!cJSON_IsObject(o)) {
                        _cleanup_free_ char *got = describe(c, &op, o, true);
                        report(c, &op, AT_VALUE, 0, NULL,
                               "must be an object such as {\"name\": \"bare\", \"kind\": \"bare\"}, got %s",
                               got ? got : "?");
                        continue;
                }
                bool ok = true;
                const char *name = get_string(c, o, &op, "name", "the configuration's name");
                const char *kind_name = get_string(c, o, &op, "kind", "bare, container, vm or oci");
                const cJSON *nv = cJSON_GetObjectItemCaseSensitive(o, "name");
                const cJSON *kv = cJSON_GetObjectItemCaseSensitive(o, "kind");
                const char *kinds[16];
                size_t nk = 0;
                for (const rt_kind *k = rt_kinds; k->name && nk < ELEMENTSOF(kinds); k++)
                        kinds[nk++] = k->name;
                if (!nv) {
                        report(c, &op, AT_VALUE, 0, NULL, "missing `name` (add e.g. \"name\": \"%s\")",
                               kind_name ? kind_name : "bare");
                        ok = false;
                } else if (!name)
                        ok = false;
                else if (!name_ok(name)) {
                        jpath np = jp_key(op, "name");
                        report(c, &np, AT_VALUE, 0, NULL,
                               "`%s`: use only letters, digits, `_`, `.` and `-` (and at least one)", name);
                        ok = false;
                } else {
                        names[i] = name;
                        for (size_t k = 0; k < i; k++)
                                if (names[k] && !strcmp(names[k], name)) {
                                        jpath np = jp_key(op, "name");
                                        report(c, &np, AT_VALUE, 0, NULL,
                                               "`%s` is already the name of configurations[%zu] (names must "
                                               "be "
                                               "unique)",
                                               name, k);
                                        ok = false;
                                        break;
                                }
                }
                const rt_kind *kind = NULL;
                if (!kv) {
                        report(c, &op, AT_VALUE, 0, NULL, "missing `kind` (one of %s)",
                               join_names(kinds, nk, " or ", sug, sizeof(sug)));
                        ok = false;
                } else if (kind_name && !(kind = rt_kind_find(kind_name))) {
                        jpath kp = jp_key(op, "kind");
                        report(c, &kp, AT_VALUE, 0, NULL, "unknown kind `%s`%s", kind_name,
                               suggest(kind_name, kinds, nk, "expected one of", sug, sizeof(sug)));
                        ok = false;
                } else if (!kind_name)
                        ok = false;
                if (kind) {
                        const char *allowed[64];
                        size_t na =
                                opt_names(kind->options, config_fixed_keys, 2, allowed, ELEMENTSOF(allowed));
                        char suffix[64];
                        snprintf(suffix, sizeof(suffix), " for kind %s", kind->name);
                        for (const cJSON *ch = o->child; ch; ch = ch->next) {
                                if (!strcmp(ch->string, "name") || !strcmp(ch->string, "kind"))
                                        continue;
                                jpath chp = jp_key(op, ch->string);
                                const bench_opt_spec *spec = bench_opt_find(kind->options, ch->string);
                                if (!spec) {
                                        const char *dym = bench_did_you_mean(ch->string, allowed, na);
                                        char list[512];
                                        if (dym)
                                                snprintf(sug, sizeof(sug), " (did you mean `%s`?)", dym);
                                        else if (na > 2)
                                                snprintf(sug, sizeof(sug), " (its options: %s)",
                                                         join_names(allowed + 2, na - 2, " and ", list,
                                                                    sizeof(list)));
                                        else
                                                snprintf(sug, sizeof(sug), " (kind %s takes no options)",
                                                         kind->name);
                                        report(c, &chp, AT_KEY, 0, jp_str(&op, f, sizeof(f)),
                                               "unknown key `%s`%s%s", ch->string, suffix, sug);
                                        ok = false;
                                        continue;
                                }
                                if (!check_opt_value(c, spec, ch, &chp, NULL))
                                        ok = false;
                        }
                }
                if (!ok)
                        continue;
                suite_config *sc = &s->configs[s->n_configs];
                sc->name = strdup(name);
                sc->kind = kind;
                sc->options = cJSON_CreateObject();
                if (!sc->name || !sc->options) {
                        c->oom = true;
                        return;
                }
                s->n_configs++;
                for (const cJSON *ch = o->child; ch; ch = ch->next) {
                        if (!strcmp(ch->string, "name") || !strcmp(ch->string, "kind"))
                                continue;
                        cJSON *dup = cJSON_Duplicate(ch, true);
                        if (!dup || !cJSON_AddItemToObject(sc->options, ch->string, dup)) {
                                cJSON_Delete(dup);
                                c->oom = true;
                                return;
                        }
                }
        }
}

static void check_workloads(vctx *c, const cJSON *arr, suite *s) {
        jpath root = {0}, ap = jp_key(root, "workloads");
        char sug[640], f[512];
        size_t n = (size_t)cJSON_GetArraySize(arr);
        s->workloads = calloc(n ? n : 1, sizeof(*s->workloads));
        /* names of every workload seen, valid or not, for duplicate checks */
        _cleanup_free_ const char **names = calloc(n ? n : 1, sizeof(*names));
        if (!s->workloads || !names) {
                c->oom = true;
                return;
        }
        const char *wl_names[32];
        size_t nwl = 0;
        for (size_t k = 0; wl_catalog[k] && nwl < ELEMENTSOF(wl_names); k++)
                wl_names[nwl++] = wl_catalog[k]->name;
        size_t i = 0;
        for (const cJSON *o = arr->child; o; o = o->next, i++) {
                jpath op = jp_idx(ap, i);
                if (!cJSON_IsObject(o)) {
                        _cleanup_free_ char *got = describe(c, &op, o, true);
                        report(c, &op, AT_VALUE, 0, NULL,
                               "must be an object such as {\"kind\": \"startup\"}, got %s", got ? got : "?");
                        continue;
                }
                bool ok = true;
                check_keys(c, o, &op, workload_keys, ELEMENTSOF(workload_keys), "");
                for (const cJSON *ch = o->child; ch; ch = ch->next)
                        if (strcmp(ch->string, "name") && strcmp(ch->string, "kind") &&
                            strcmp(ch->string, "params"))
                                ok = false;
                const char *kind_name = get_string(c, o, &op, "kind", "a workload such as startup");
                const cJSON *kv = cJSON_GetObjectItemCaseSensitive(o, "kind");
                const wl_spec *spec = NULL;
                if (!kv) {
                        report(c, &op, AT_VALUE, 0, NULL, "missing `kind` (one of %s)",
                               join_names(wl_names, nwl, " or ", sug, sizeof(sug)));
                        ok = false;
                } else if (kind_name && !(spec = wl_catalog_find(kind_name))) {
                        jpath kp = jp_key(op, "kind");
                        report(c, &kp, AT_VALUE, 0, NULL, "unknown workload `%s`%s", kind_name,
                               suggest(kind_name, wl_names, nwl, "expected one of", sug, sizeof(sug)));
                        ok = false;
                } else if (!kind_name)
                        ok = false;

                const cJSON *nv = cJSON_GetObjectItemCaseSensitive(o, "name");
                const char *name = get_string(c, o, &op, "name", "a unique name for this workload");
                jpath np = jp_key(op, "name");
                if (nv && !name)
                        ok = false;
                else if (name && !name_ok(name)) {
                        report(c, &np, AT_VALUE, 0, NULL,
                               "`%s`: use only letters, digits, `_`, `.` and `-` (and at least one)", name);
                        ok = false;
                        name = NULL;
                }
                if (!nv)
                        name = spec ? spec->name : NULL;
                if (name) {
                        for (size_t k = 0; k < i; k++) {
                                if (!names[k] || strcmp(names[k], name))
                                        continue;
                                if (nv)
                                        report(c, &np, AT_VALUE, 0, NULL,
                                               "`%s` is already the name of workloads[%zu] (names must be "
                                               "unique)",
                                               name, k);
                                else
                                        report(c, &op, AT_VALUE, 0, NULL,
                                               "its name `%s` (the default: its kind) is already the name of "
                                               "workloads[%zu] (add a unique \"name\")",
                                               name, k);
                                ok = false;
                                break;
                        }
                        names[i] = name;
                }

                const cJSON *pv = cJSON_GetObjectItemCaseSensitive(o, "params");
                jpath pp = jp_key(op, "params");
                size_t np_count = 0;
                _cleanup_free_ suite_param *params = NULL;
                if (pv && !cJSON_IsObject(pv)) {
                        _cleanup_free_ char *got = describe(c, &pp, pv, true);
                        report(c, &pp, AT_VALUE, 0, NULL,
                               "must be an object such as {\"size\": \"64M\"}, got %s", got ? got : "?");
                        ok = false;
                } else if (pv && spec) {
                        size_t cnt = (size_t)cJSON_GetArraySize(pv);
                        params = calloc(cnt ? cnt : 1, sizeof(*params));
                        if (!params) {
                                c->oom = true;
                                return;
                        }
                        const char *allowed[64];
                        size_t na = opt_names(spec->params, NULL, 0, allowed, ELEMENTSOF(allowed));
                        for (const cJSON *ch = pv->child; ch; ch = ch->next) {
                                jpath chp = jp_key(pp, ch->string);
                                const bench_opt_spec *ps = bench_opt_find(spec->params, ch->string);
                                if (!ps) {
                                        char sfx[64];
                                        snprintf(sfx, sizeof(sfx), " for workload %s", spec->name);
                                        const char *dym = bench_did_you_mean(ch->string, allowed, na);
                                        char list[512];
                                        if (dym)
                                                snprintf(sug, sizeof(sug), " (did you mean `%s`?)", dym);
                                        else
                                                snprintf(
                                                        sug, sizeof(sug), " (its params: %s)",
                                                        join_names(allowed, na, " and ", list, sizeof(list)));
                                        report(c, &chp, AT_KEY, 0, jp_str(&pp, f, sizeof(f)),
                                               "unknown param `%s`%s%s", ch->string, sfx, sug);
                                        ok = false;
                                        continue;
                                }
                                char *canon = NULL;
                                if (!check_opt_value(c, ps, ch, &chp, &canon)) {
                                        ok = false;
                                        continue;
                                }
                                params[np_count].key = strdup(ch->string);
                                params[np_count].value = canon;
                                np_count++;
                                if (!params[np_count - 1].key)
                                        c->oom = true;
                        }
                }
                if (!ok || c->oom) {
                        for (size_t k = 0; params && k < np_count; k++) {
                                free(params[k].key);
                                free(params[k].value);
                        }
                        continue;
                }
                suite_workload *w = &s->workloads[s->n_workloads++];
                w->spec = spec;
                w->name = strdup(name);
                w->params = steal_pointer(&params);
                w->n_params = np_count;
                w->params_json = pv ? cJSON_Duplicate(pv, true) : NULL;
                if (!w->name || (pv && !w->params_json))
                        c->oom = true;
        }
}

static uint64_t seed_from_clock(void) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        /* splitmix64 of the clock: runs started together still differ */
        uint64_t z = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec + bench_now_ns() +
                     ((uint64_t)getpid() << 32);
        return bench_splitmix64(&z) & 0xffffffffull; /* short enough to retype on a command line */
}

static void apply_config_filter(vctx *c, suite *s, const char *list) {
        _cleanup_free_ char *copy = strdup(list);
        _cleanup_free_ bool *keep = calloc(s->n_configs ? s->n_configs : 1, sizeof(*keep));
        const char *names[256];
        size_t nn = 0;
        char sug[640];
        if (!copy || !keep) {
                c->oom = true;
                return;
        }
        for (size_t i = 0; i < s->n_configs && nn < ELEMENTSOF(names); i++)
                names[nn++] = s->configs[i].name;
        char *save = NULL;
        bool any = false, bad = false;
        for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
                bool found = false;
                for (size_t i = 0; i < s->n_configs; i++)
                        if (!strcmp(s->configs[i].name, tok)) {
                                keep[i] = true;
                                found = true;
                        }
                if (!found) {
                        report(c, NULL, 0, 0, "--configs", "unknown configuration `%s`%s", tok,
                               suggest(tok, names, nn, "the suite has", sug, sizeof(sug)));
                        bad = true;
                }
                any = true;
        }
        if (!any) {
                report(c, NULL, 0, 0, "--configs",
                       "`%s`: name at least one configuration (e.g. --configs %s)", list,
                       nn ? names[0] : "bare");
                return;
        }
        if (bad)
                return;
        size_t w = 0;
        for (size_t i = 0; i < s->n_configs; i++) {
                if (keep[i]) {
                        s->configs[w++] = s->configs[i];
                        continue;
                }
                free(s->configs[i].name);
                cJSON_Delete(s->configs[i].options);
        }
        s->n_configs = w;
}

/* The suite as it will run: overrides applied, defaults filled in, seed recorded. */
static cJSON *suite_to_json(const suite *s, const char *description) {
        cJSON *j = cJSON_CreateObject();
        if (!j)
                return NULL;
        bool ok = cJSON_AddStringToObject(j, "name", s->name);
        if (description)
                ok = ok && cJSON_AddStringToObject(j, "description", description);
        ok = ok && cJSON_AddNumberToObject(j, "repetitions", s->repetitions);
        ok = ok && cJSON_AddNumberToObject(j, "warmup", s->warmup);
        ok = ok && cJSON_AddNumberToObject(j, "seed", (double)s->seed);
        ok = ok && cJSON_AddNumberToObject(j, "timeout_s", s->timeout_s);
        ok = ok && cJSON_AddStringToObject(j, "pinning",
                                           s->pin_mode == SUITE_PIN_AUTO   ? "auto"
                                           : s->pin_mode == SUITE_PIN_NONE ? "none"
                                                                           : s->pin_cpus);
        cJSON *cfgs = ok ? cJSON_AddArrayToObject(j, "configurations") : NULL;
        for (size_t i = 0; cfgs && i < s->n_configs; i++) {
                cJSON *o = cJSON_CreateObject();
                if (!o || !cJSON_AddItemToArray(cfgs, o)) {
                        cJSON_Delete(o);
                        ok = false;
                        break;
                }
                ok = ok && cJSON_AddStringToObject(o, "name", s->configs[i].name);
                ok = ok && cJSON_AddStringToObject(o, "kind", s->configs[i].kind->name);
                for (const cJSON *ch = s->configs[i].options->child; ok && ch; ch = ch->next) {
                        cJSON *dup = cJSON_Duplicate(ch, true);
                        if (!dup || !cJSON_AddItemToObject(o, ch->string, dup)) {
                                cJSON_Delete(dup);
                                ok = false;
                        }
                }
        }
        cJSON *wls = ok && cfgs ? cJSON_AddArrayToObject(j, "workloads") : NULL;
        for (size_t i = 0; wls && i < s->n_workloads; i++) {
                cJSON *o = cJSON_CreateObject();
                if (!o || !cJSON_AddItemToArray(wls, o)) {
                        cJSON_Delete(o);
                        ok = false;
                        break;
                }
                ok = ok && cJSON_AddStringToObject(o, "name", s->workloads[i].name);
                ok = ok && cJSON_AddStringToObject(o, "kind", s->workloads[i].spec->name);
                if (ok && s->workloads[i].params_json) {
                        cJSON *dup = cJSON_Duplicate(s->workloads[i].params_json, true);
                        if (!dup || !cJSON_AddItemToObject(o, "params", dup)) {
                                cJSON_Delete(dup);
                                ok = false;
                        }
                }
        }
        if (!ok || !wls) {
                cJSON_Delete(j);
                return NULL;
        }
        return j;
}

static void check_top(vctx *c, const cJSON *root, const suite_overrides *ov, suite *s) {
        jpath top = {0};
        check_keys(c, root, &top, top_keys, ELEMENTSOF(top_keys), "");

        const cJSON *nv = cJSON_GetObjectItemCaseSensitive(root, "name");
        const char *name = get_string(c, root, &top, "name", "what this suite measures");
        if (!nv)
                report(c, NULL, 0, 0, "name", "missing (add e.g. \"name\": \"startup-overhead\")");
        else if (name && !*name) {
                jpath np = jp_key(top, "name");
                report(c, &np, AT_VALUE, 0, NULL, "must not be empty (e.g. \"startup-overhead\")");
        } else if (name && !(s->name = strdup(name)))
                c->oom = true;
        const char *description = get_string(c, root, &top, "description", "free text");

        uint64_t v;
        if (get_uint(c, root, &top, "repetitions", 1, REPS_MAX, REPS_DEFAULT, &v))
                s->repetitions = (unsigned)v;
        if (get_uint(c, root, &top, "warmup", 0, WARMUP_MAX, WARMUP_DEFAULT, &v))
                s->warmup = (unsigned)v;
        bool has_seed = cJSON_GetObjectItemCaseSensitive(root, "seed") != NULL;
        if (get_uint(c, root, &top, "seed", 0, SEED_MAX, 0, &v))
                s->seed = v;

        const cJSON *tv = cJSON_GetObjectItemCaseSensitive(root, "timeout_s");
        s->timeout_s = TIMEOUT_DEFAULT;
        if (tv) {
                jpath tp = jp_key(top, "timeout_s");
                if (cJSON_IsNumber(tv) && tv->valuedouble > 0)
                        s->timeout_s = tv->valuedouble;
                else {
                        _cleanup_free_ char *got = describe(c, &tp, tv, true);
                        report(c, &tp, AT_VALUE, 0, NULL,
                               "must be a number of seconds greater than 0, got %s", got ? got : "?");
                }
        }

        const cJSON *pv = cJSON_GetObjectItemCaseSensitive(root, "pinning");
        s->pin_mode = SUITE_PIN_AUTO;
        if (pv) {
                jpath pp = jp_key(top, "pinning");
                static const bench_opt_spec cpulist = {"pinning", BENCH_OPT_CPULIST, NULL, NULL, 0, 0, NULL};
                char why[128];
                if (cJSON_IsString(pv) && !strcmp(pv->valuestring, "auto"))
                        s->pin_mode = SUITE_PIN_AUTO;
                else if (cJSON_IsString(pv) && !strcmp(pv->valuestring, "none"))
                        s->pin_mode = SUITE_PIN_NONE;
                else if (cJSON_IsString(pv) &&
                         bench_opt_check(&cpulist, pv->valuestring, why, sizeof(why)) == 0) {
                        s->pin_mode = SUITE_PIN_CPUS;
                        if (!(s->pin_cpus = strdup(pv->valuestring)))
                                c->oom = true;
                } else {
                        _cleanup_free_ char *got = describe(c, &pp, pv, true);
                        report(c, &pp, AT_VALUE, 0, NULL,
                               "must be \"auto\", \"none\" or a cpu list such as \"1\" or \"2-3\", got %s",
                               got ? got : "?");
                }
        }

        const cJSON *cv = cJSON_GetObjectItemCaseSensitive(root, "configurations");
        jpath cp = jp_key(top, "configurations");
        if (!cv)
                report(c, NULL, 0, 0, "configurations",
                       "missing (add at least one configuration, e.g. {\"name\": \"bare\", \"kind\": "
                       "\"bare\"})");
        else if (!cJSON_IsArray(cv)) {
                _cleanup_free_ char *got = describe(c, &cp, cv, true);
                report(c, &cp, AT_VALUE, 0, NULL,
                       "must be an array of configurations such as [{\"name\": \"bare\", \"kind\": "
                       "\"bare\"}], got %s",
                       got ? got : "?");
        } else if (!cv->child)
                report(c, &cp, AT_VALUE, 0, NULL,
                       "empty (add at least one configuration, e.g. {\"name\": \"bare\", \"kind\": "
                       "\"bare\"})");
        else
                check_configs(c, cv, s);

        const cJSON *wv = cJSON_GetObjectItemCaseSensitive(root, "workloads");
        jpath wp = jp_key(top, "workloads");
        if (!wv)
                report(c, NULL, 0, 0, "workloads",
                       "missing (add at least one workload, e.g. {\"kind\": \"startup\"})");
        else if (!cJSON_IsArray(wv)) {
                _cleanup_free_ char *got = describe(c, &wp, wv, true);
                report(c, &wp, AT_VALUE, 0, NULL,
                       "must be an array of workloads such as [{\"kind\": \"startup\"}], got %s",
                       got ? got : "?");
        } else if (!wv->child)
                report(c, &wp, AT_VALUE, 0, NULL,
                       "empty (add at least one workload, e.g. {\"kind\": \"startup\"})");
        else
                check_workloads(c, wv, s);

        /* overrides: checked like the file's values, named as the options */
        if (ov && ov->repetitions >= 0) {
                if (ov->repetitions < 1 || ov->repetitions > REPS_MAX)
                        report(c, NULL, 0, 0, "--repetitions", "must be an integer between 1 and %d, got %d",
                               REPS_MAX, ov->repetitions);
                else
                        s->repetitions = (unsigned)ov->repetitions;
        }
        if (ov && ov->warmup >= 0) {
                if (ov->warmup > WARMUP_MAX)
                        report(c, NULL, 0, 0, "--warmup", "must be an integer between 0 and %d, got %d",
                               WARMUP_MAX, ov->warmup);
                else
                        s->warmup = (unsigned)ov->warmup;
        }
        if (ov && ov->has_seed) {
                if (ov->seed > SEED_MAX)
                        report(c, NULL, 0, 0, "--seed", "must be an integer between 0 and %llu, got %llu",
                               (unsigned long long)SEED_MAX, (unsigned long long)ov->seed);
                else
                        s->seed = ov->seed;
                has_seed = true;
        }
        if (!has_seed)
                s->seed = seed_from_clock();
        if (ov && ov->configs && cv && cJSON_IsArray(cv) && cv->child)
                apply_config_filter(c, s, ov->configs);
        s->json = c->d->n ? NULL : suite_to_json(s, description);
        if (!c->d->n && !s->json)
                c->oom = true;
}

/* Hints for cJSON failures our own scanner did not catch (it is stricter). */
static void report_syntax(vctx *c, size_t at, const char *what) {
        unsigned l, col;
        offset_to_line_col(c->text, at, &l, &col);
        bench_diags_add(c->d, "%s:%u:%u: invalid JSON: %s", c->file, l, col, what);
}

/* "FILE:L:C: ..." -> L, C; messages without a position sort last */
static void diag_position(const char *msg, size_t skip, unsigned long *ret_line, unsigned long *ret_col) {
        char *end;
        *ret_line = *ret_col = ~0ul;
        if (strlen(msg) <= skip || msg[skip] != ':' || !isdigit((unsigned char)msg[skip + 1]))
                return;
        unsigned long l = strtoul(msg + skip + 1, &end, 10);
        if (*end != ':' || !isdigit((unsigned char)end[1]))
                return;
        *ret_col = strtoul(end + 1, &end, 10);
        *ret_line = l;
}

/* Problems in file order, which is how people fix them (stable). */
static void sort_by_position(bench_diags *d, size_t file_len) {
        for (size_t i = 1; i < d->n; i++) {
                char *m = d->msgs[i];
                unsigned long l, c, pl, pc;
                diag_position(m, file_len, &l, &c);
                size_t k = i;
                for (; k > 0; k--) {
                        diag_position(d->msgs[k - 1], file_len, &pl, &pc);
                        if (pl < l || (pl == l && pc <= c))
                                break;
                        d->msgs[k] = d->msgs[k - 1];
                }
                d->msgs[k] = m;
        }
}

/*
 * The host's word on each configuration (layer dirs, capability names,
 * cpusets, cgroup controllers): bad input is caught before anything is made.
 */
static void check_on_host(vctx *c, const cJSON *root, const suite *s) {
        const cJSON *cfgs = cJSON_GetObjectItemCaseSensitive(root, "configurations"), *e;
        int k = 0;
        cJSON_ArrayForEach(e, cfgs) {
                const cJSON *nv = cJSON_GetObjectItemCaseSensitive(e, "name");
                const suite_config *sc = NULL;
                for (size_t i = 0; cJSON_IsString(nv) && i < s->n_configs; i++)
                        if (!strcmp(s->configs[i].name, nv->valuestring))
                                sc = &s->configs[i];
                if (sc && sc->kind->driver && sc->kind->driver->check) {
                        _cleanup_error_ bench_error *err = NULL;
                        if (sc->kind->driver->check(sc->options, &err) < 0) {
                                char where[64];
                                unsigned line, col;
                                snprintf(where, sizeof(where), "configurations[%d]", k);
                                if (json_locate(c->text, where, &line, &col) == 0)
                                        bench_diags_add(c->d, "%s:%u:%u: %s (`%s`): %s", c->file, line, col,
                                                        where, sc->name,
                                                        err && err->msg ? err->msg : "refused");
                                else
                                        bench_diags_add(c->d, "%s: %s (`%s`): %s", c->file, where, sc->name,
                                                        err && err->msg ? err->msg : "refused");
                        }
                }
                k++;
        }
}

int suite_parse(const char *text, const char *path, const suite_overrides *ov, suite **ret,
                bench_diags *diags) {
        const char *file = path ? path : "<suite>";
        size_t n_before = diags->n;
        if (!text)
                return -EINVAL;
        if (!strncmp(text, "\xEF\xBB\xBF", 3)) /* a UTF-8 BOM some editors add */
                text += 3;
        vctx c = {.text = text, .file = file, .d = diags};
        const char *p = text;
        while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
                p++;
        if (!*p) {
                bench_diags_add(
                        diags,
                        "%s: the file is empty (a suite is a JSON object such as {\"name\": \"quick\", "
                        "\"configurations\": [{\"name\": \"bare\", \"kind\": \"bare\"}], \"workloads\": "
                        "[{\"kind\": \"startup\"}]})",
                        file);
                return -EINVAL;
        }
        jscan j = {.s = text};
        js_ws(&j);
        if (js_value(&j, 0) == 0) {
                js_ws(&j);
                if (text[j.pos])
                        js_fail(&j, j.pos, "unexpected text after the end of the JSON value");
        }
        if (j.failed) {
                report_syntax(&c, j.err_pos, j.err);
                return -EINVAL;
        }
        const char *end = NULL;
        cJSON *root = cJSON_ParseWithOpts(text, &end, true);
        if (!root) {
                report_syntax(&c, end ? (size_t)(end - text) : 0, "cJSON cannot parse this");
                return -EINVAL;
        }
        if (!cJSON_IsObject(root)) {
                jpath top = {0};
                _cleanup_free_ char *got = describe(&c, &top, root, true);
                report(&c, &top, AT_VALUE, 0, NULL,
                       "a suite must be a JSON object {\"name\": ..., \"configurations\": [...], "
                       "\"workloads\": "
                       "[...]}, got %s",
                       got ? got : "?");
                cJSON_Delete(root);
                return -EINVAL;
        }
        suite *s = calloc(1, sizeof(*s));
        if (!s || (path && !(s->path = strdup(path)))) {
                free(s);
                cJSON_Delete(root);
                bench_diags_add(diags, "%s: out of memory", file);
                return -ENOMEM;
        }
        /* the checks below only count problems added by this call */
        bench_diags mine = {0};
        c.d = &mine;
        jpath top = {0};
        check_duplicates(&c, root, &top);
        check_top(&c, root, ov, s);
        if (mine.n == 0 && !c.oom && ov && ov->check_host)
                check_on_host(&c, root, s);
        cJSON_Delete(root);
        sort_by_position(&mine, strlen(file));
        for (size_t i = 0; i < mine.n; i++)
                bench_diags_add(diags, "%s", mine.msgs[i]);
        bool failed = mine.n > 0 || c.oom;
        bench_diags_clear(&mine);
        if (c.oom && diags->n == n_before)
                bench_diags_add(diags, "%s: out of memory", file);
        if (failed) {
                suite_free(s);
                return c.oom ? -ENOMEM : -EINVAL;
        }
        *ret = s;
        return 0;
}

int suite_load(const char *path, const suite_overrides *ov, suite **ret, bench_diags *diags) {
        _cleanup_free_ char *text = NULL;
        _cleanup_error_ bench_error *err = NULL;
        size_t len = 0;
        int r = bench_read_file(path, &text, &len, &err);
        if (r < 0) {
                if (r == -ENOENT)
                        bench_diags_add(diags,
                                        "%s: no such file (check the path; example suites are in suites/)",
                                        path);
                else if (r == -EISDIR)
                        bench_diags_add(diags,
                                        "%s: is a directory, not a suite file (name a .json file in it)",
                                        path);
                else
                        bench_diags_add(diags, "%s: cannot read: %s", path, strerror(-r));
                return r;
        }
        if (strlen(text) != len) {
                unsigned l, col;
                offset_to_line_col(text, strlen(text), &l, &col);
                bench_diags_add(diags, "%s:%u:%u: invalid JSON: a NUL byte (is this a binary file?)", path, l,
                                col);
                return -EINVAL;
        }
        return suite_parse(text, path, ov, ret, diags);
}

static void set_string(cJSON *o, const char *key, const char *value) {
        cJSON *v = cJSON_CreateString(value);
        if (!v)
                return;
        if (cJSON_HasObjectItem(o, key))
                cJSON_ReplaceItemInObjectCaseSensitive(o, key, v);
        else
                cJSON_AddItemToObject(o, key, v);
}

void suite_set_kind_option(suite *s, const char *kind, const char *option, const char *value) {
        for (size_t i = 0; i < s->n_configs; i++)
                if (!strcmp(s->configs[i].kind->name, kind) && s->configs[i].options)
                        set_string(s->configs[i].options, option, value);
        const cJSON *cfgs = cJSON_GetObjectItemCaseSensitive(s->json, "configurations");
        cJSON *c;
        cJSON_ArrayForEach(c, cfgs) {
                const cJSON *k = cJSON_GetObjectItemCaseSensitive(c, "kind");
                if (cJSON_IsString(k) && !strcmp(k->valuestring, kind))
                        set_string(c, option, value);
        }
}

void suite_free(suite *s) {
        if (!s)
                return;
        free(s->path);
        free(s->name);
        free(s->pin_cpus);
        for (size_t i = 0; i < s->n_configs; i++) {
                free(s->configs[i].name);
                cJSON_Delete(s->configs[i].options);
        }
        free(s->configs);
        for (size_t i = 0; i < s->n_workloads; i++) {
                free(s->workloads[i].name);
                for (size_t k = 0; k < s->workloads[i].n_params; k++) {
                        free(s->workloads[i].params[k].key);
                        free(s->workloads[i].params[k].value);
                }
                free(s->workloads[i].params);
                cJSON_Delete(s->workloads[i].params_json);
        }
        free(s->workloads);
        cJSON_Delete(s->json);
        free(s);
}
