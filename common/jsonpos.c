/* SPDX-License-Identifier: MIT */
#include "jsonpos.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"

#define JSON_DEPTH_MAX 512

void json_line_col(const char *text, size_t off, unsigned *ret_line, unsigned *ret_col) {
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
        bool truncated; /* it failed at the end of the text, inside a value */
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
                        j->truncated = !c;
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
                                        j->truncated = strnlen(j->s + j->pos + 2, 4) < 4;
                                        js_fail(j, j->pos, "invalid escape: \\u needs four hex digits");
                                        return -1;
                                }
                                j->pos += 6;
                                continue;
                        }
                        if (!e || !strchr("\"\\/bfnrt", e)) {
                                j->truncated = !e;
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
        j->truncated = !s[tok];
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
        j->truncated = !j->s[j->pos];
        js_fail(j, start,
                "unknown word `%.*s` (values are true, false, null, numbers, \"strings\", [arrays] "
                "and {objects}; strings need double quotes)",
                (int)len, w);
        return -1;
}

static void js_never_closed(jscan *j, size_t open) {
        unsigned l, c;
        json_line_col(j->s, open, &l, &c);
        j->truncated = true;
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
        bool number = c == '-' || c == '+' || c == '.' || isdigit((unsigned char)c);
        if (number || isalpha((unsigned char)c)) {
                int r = number ? js_number(j) : js_word(j);
                j->truncated = j->truncated && depth > 0; /* a bare number or word is inside nothing */
                return r;
        }
        if (!c) {
                j->truncated = depth > 0;
                js_fail(j, j->pos, "unexpected end of file: expected a value");
        } else
                js_unexpected(j, "a value");
        return -1;
}

int json_check_syntax(const char *text, json_syntax_error *ret) {
        jscan j = {.s = text};
        js_ws(&j);
        if (js_value(&j, 0) == 0) {
                js_ws(&j);
                if (text[j.pos])
                        js_fail(&j, j.pos, "unexpected text after the end of the JSON value");
        }
        if (!j.failed)
                return 0;
        ret->offset = j.err_pos;
        ret->truncated = j.truncated;
        snprintf(ret->msg, sizeof(ret->msg), "%s", j.err);
        return -EINVAL;
}

size_t json_value_len(const char *text, size_t off) {
        jscan j = {.s = text, .pos = off};
        return js_value(&j, 0) == 0 ? j.pos - off : 0;
}

const char *json_path_str(const json_path *p, char *buf, size_t len) {
        size_t w = 0;
        buf[0] = '\0';
        for (size_t i = 0; i < p->n && w < len; i++) {
                int r = p->s[i].key ? snprintf(buf + w, len - w, "%s%s", i ? "." : "", p->s[i].key)
                                    : snprintf(buf + w, len - w, "[%zu]", p->s[i].idx);
                if (r < 0)
                        break;
                w += (size_t)r;
        }
        return buf;
}

/* Past the value at pos and the `,` after it; false if no `,` follows. */
static bool js_skip_member(jscan *j) {
        if (js_value(j, 0) < 0)
                return false;
        js_ws(j);
        if (j->s[j->pos] != ',')
                return false;
        j->pos++;
        return true;
}

int json_path_offset(const char *text, const json_path *p, size_t nth, unsigned flags, size_t *ret_off) {
        bool want_key = flags & JSON_AT_KEY;
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
                                if (!js_skip_member(&j))
                                        return -ENOENT;
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
                                if (!js_skip_member(&j))
                                        return -ENOENT;
                        }
                }
        }
        if (want_key)
                return -ENOENT;
        *ret_off = j.pos;
        return 0;
}

/* "workloads[2].kind" -> path; keys in such paths hold no '.' or '['. */
static int path_parse(const char *s, json_path *ret, char *store, size_t store_len) {
        json_path p = {0};
        size_t w = 0;
        while (*s) {
                if (*s == '[') {
                        char *end;
                        unsigned long long v = strtoull(s + 1, &end, 10);
                        if (end == s + 1 || *end != ']' || p.n == JSON_PATH_MAX)
                                return -EINVAL;
                        json_path_push_index(&p, (size_t)v);
                        s = end + 1;
                        if (*s == '.')
                                s++;
                        continue;
                }
                size_t l = strcspn(s, ".[");
                if (!l || w + l + 1 > store_len || p.n == JSON_PATH_MAX)
                        return -EINVAL;
                memcpy(store + w, s, l);
                store[w + l] = '\0';
                json_path_push_key(&p, store + w);
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
        json_path p;
        size_t off;
        if (!text || !path || path_parse(path, &p, store, sizeof(store)) < 0)
                return -ENOENT;
        if (json_path_offset(text, &p, 0, 0, &off) < 0 || !text[off])
                return -ENOENT;
        json_line_col(text, off, ret_line, ret_col);
        return 0;
}
