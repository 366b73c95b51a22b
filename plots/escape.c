/* SPDX-License-Identifier: MIT */
/* Text from result files made inert for each output: Markdown, HTML/XML, a terminal, links, gnuplot. */
#include "escape.h"

#include <stdbool.h>
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

void plot_put_csv(FILE *f, const char *s) {
        if (!s)
                return;
        bool quote = strpbrk(s, ",\"\r\n") != NULL;
        if (quote)
                fputc('"', f);
        for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
                if (*p == '"')
                        fputs("\"\"", f);
                else if (*p == '\t' || *p == '\r' || *p == '\n')
                        fputc(*p, f);
                else
                        p += put_char(f, p);
        }
        if (quote)
                fputc('"', f);
}

void plot_put_tsv(FILE *f, const char *s) {
        for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
                const char *e = *p == '\\'   ? "\\\\"
                                : *p == '\t' ? "\\t"
                                : *p == '\n' ? "\\n"
                                : *p == '\r' ? "\\r"
                                             : NULL;
                if (e)
                        fputs(e, f);
                else
                        p += put_char(f, p);
        }
}

/* LaTeX for the ASCII characters that are not plain text there; NULL for the others. */
static const char *latex_ascii(unsigned char c) {
        switch (c) {
        case '\\':
                return "\\textbackslash{}";
        case '{':
                return "\\{";
        case '}':
                return "\\}";
        case '$':
                return "\\$";
        case '&':
                return "\\&";
        case '#':
                return "\\#";
        case '_':
                return "\\_";
        case '%':
                return "\\%";
        case '^':
                return "\\textasciicircum{}";
        case '~':
                return "\\textasciitilde{}";
        case '<':
                return "\\textless{}";
        case '>':
                return "\\textgreater{}";
        case '|':
                return "\\textbar{}";
        /* after \\ or a booktabs rule: an optional argument or the starred form */
        case '[':
                return "{[}";
        case ']':
                return "{]}";
        case '*':
                return "{*}";
        /* babel makes " active; OT1's slot 34 is the closing double quote */
        case '"':
                return "{\\char34}";
        /* no ligatures: -- --- `` '' !` ?` */
        case '-':
                return "{-}";
        case '`':
                return "{`}";
        case '\'':
                return "{'}";
        default:
                return c < 0x20 || c == 0x7f ? " " : NULL;
        }
}

/* LaTeX for the non-ASCII characters bench's own texts use; NULL for the others. */
static const char *latex_symbol(uint32_t cp) {
        switch (cp) {
        case 0xd7: /* × */
                return "$\\times$";
        case 0xf7: /* ÷ */
                return "$\\div$";
        case 0xb1: /* ± */
                return "$\\pm$";
        case 0x2212: /* − */
                return "$-$";
        case 0xb5:  /* µ */
        case 0x3bc: /* μ */
                return "$\\mu$";
        case 0xa0: /* no-break space */
                return "~";
        case 0x2009: /* thin space */
        case 0x202f: /* narrow no-break space */
                return "\\,";
        case 0x2013: /* – */
                return "--";
        case 0x2014: /* — */
                return "---";
        default:
                return NULL;
        }
}

/*
 * Whether pdflatex takes the character as UTF-8 with no package loaded (LaTeX 2018 on reads UTF-8):
 * Latin-1 and Latin Extended-A, but for the few letters it has no glyph for. Names such as Zürich
 * and Łódź stay as they are.
 */
static bool latex_takes(uint32_t cp) {
        static const uint16_t missing[] = {0x126, 0x127, 0x138, 0x13f, 0x140, 0x149, 0x166, 0x167, 0x17f};
        if (cp < 0xa1 || cp > 0x17f || cp == 0xad) /* soft hyphen: invisible */
                return false;
        for (size_t i = 0; i < sizeof(missing) / sizeof(missing[0]); i++)
                if (cp == missing[i])
                        return false;
        return true;
}

void plot_put_latex(FILE *f, const char *s) {
        for (const char *p = s ? s : ""; *p; p++) {
                unsigned char c = (unsigned char)*p;
                if (c < 0x80) {
                        const char *e = latex_ascii(c);
                        if (e)
                                fputs(e, f);
                        else
                                fputc(c, f);
                        continue;
                }
                uint32_t cp = 0;
                size_t n = bench_utf8_char(p, &cp);
                const char *e = n ? latex_symbol(cp) : NULL;
                if (e)
                        fputs(e, f);
                else if (n && latex_takes(cp))
                        fwrite(p, 1, n, f);
                else
                        fprintf(f, "\\texttt{U+%04X}", n ? (unsigned)cp : 0xfffdu);
                p += n ? n - 1 : 0;
        }
}
