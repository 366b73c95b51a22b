/* SPDX-License-Identifier: MIT */
/* Text from result files made inert for each output: Markdown, HTML/XML, a terminal, links, gnuplot. */
#include "escape.h"

#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "../common/util.h"

void plot_put(FILE *f, plot_markup m, const char *s) {
        switch (m) {
        case PLOT_TEXT:
                bench_put_text(f, s, 0);
                break;
        case PLOT_MARKDOWN:
                plot_put_md(f, s);
                break;
        case PLOT_HTML:
                bench_put_xml(f, s);
                break;
        }
}

void plot_put_md(FILE *f, const char *s) {
        const char *start = s;
        for (; s && *s; s++) {
                unsigned char c = (unsigned char)*s;
                uint32_t cp;
                size_t n;
                if (c < 0x20 || c == 0x7f) {
                        fputc(' ', f);
                        continue;
                }
                if (c >= 0x80) { /* a document that is not UTF-8 shows nothing right */
                        if ((n = bench_utf8_char(s, &cp)) == 0)
                                fputs("\xef\xbf\xbd", f);
                        else
                                fwrite(s, 1, n, f);
                        s += n ? n - 1 : 0;
                        continue;
                }
                /*
                 * links and images ([), HTML and autolinks (<), code (`), emphasis,
                 * table cells, math, strikethrough; GFM's extended autolinks
                 * scheme:// and www. (an address such as a@b.org is linked
                 * whatever is escaped; mailto: is harmless)
                 */
                if (strchr("\\`*[]<>|$~", c) || (c == ':' && s[1] == '/') ||
                    (c == '.' && s - start >= 3 && !strncasecmp(s - 3, "www", 3)))
                        fputc('\\', f);
                fputc(c, f);
        }
}

void plot_put_url(FILE *f, const char *s) {
        for (; s && *s; s++) {
                unsigned char c = (unsigned char)*s;
                if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    strchr("-._~/", c))
                        fputc(c, f);
                else
                        fprintf(f, "%%%02X", c);
        }
}

/*
 * One character of a name: control characters as a space, bytes that are
 * not UTF-8 as U+FFFD (the SVG is XML: one such byte and no browser shows
 * it). Returns how many bytes more than one it took.
 */
static size_t put_char(FILE *f, const unsigned char *p) {
        uint32_t cp = 0;
        size_t n = *p < 0x80 ? 1 : bench_utf8_char((const char *)p, &cp);
        if (n == 0 || cp == 0xfffe || cp == 0xffff)
                fputs("\xef\xbf\xbd", f);
        else if (n == 1)
                fputc(*p < 0x20 || *p == 0x7f ? ' ' : *p, f);
        else
                fwrite(p, 1, n, f);
        return n ? n - 1 : 0;
}

void plot_put_plain(FILE *f, const char *s) {
        for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++)
                p += put_char(f, p);
}

void plot_gp_string(FILE *f, const char *s) {
        /*
         * gnuplot runs `cmd` and expands @macros inside "..." (a result file's
         * name would run as root); inside '...' nothing is special. A quote
         * or a newline is spliced in as "'" or "\n" between single-quoted
         * pieces (gnuplot 5.4 misreads '' '' in a row).
         */
        fputc('\'', f);
        for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
                if (*p == '\n')
                        fputs("' . \"\\n\" . '", f);
                else if (*p == '\'')
                        fputs("' . \"'\" . '", f);
                else
                        p += put_char(f, p);
        }
        fputc('\'', f);
}

void plot_dat_string(FILE *f, const char *s) {
        fputc('"', f);
        for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
                if (*p == '"')
                        fputc('\'', f);
                else
                        p += put_char(f, p);
        }
        fputc('"', f);
}
