/* SPDX-License-Identifier: MIT */
/* The verb table (verbs.h): lookup, dispatch and the usage text made from it. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "../common/cleanup.h"
#include "../common/util.h"
#include "commands.h"
#include "verbs.h"

/* the usage text's width, and the column a verb's help starts in */
enum { USAGE_WIDTH = 80, HELP_COLUMN = 22 };

const verb *verb_find(const verb_table *t, const char *name) {
        for (const verb *v = t->verbs; v->name; v++)
                if (!strcmp(v->name, name))
                        return v;
        return NULL;
}

/*
 * One form of a verb, written from column col on. A word that would pass the
 * width goes to a new line at column indent; a bracketed option group is one
 * word. Returns the column after the form.
 */
static size_t put_form(FILE *f, size_t col, size_t indent, const char *form, size_t len) {
        const char *end = form + len;
        for (const char *w = form; w < end;) {
                const char *e = w;
                for (int depth = 0; e < end && (depth > 0 || *e != ' '); e++)
                        depth += *e == '[' ? 1 : *e == ']' ? -1 : 0;
                size_t n = (size_t)(e - w);
                if (w > form && col + 1 + n > USAGE_WIDTH) {
                        fprintf(f, "\n%*s", (int)indent, "");
                        col = indent;
                } else if (w > form) {
                        fputc(' ', f);
                        col++;
                }
                fwrite(w, 1, n, f);
                col += n;
                for (w = e; w < end && *w == ' '; w++)
                        ;
        }
        return col;
}

/* A command's own verbs as its arguments: `synth|import|list ...` (NULL if out of memory). */
static char *sub_form(const verb_table *sub) {
        char *s = NULL;
        size_t n = 0;
        FILE *f = open_memstream(&s, &n);
        if (!f)
                return NULL;
        const char *sep = "";
        for (const verb *v = sub->verbs; v->name; v++)
                if (!(v->flags & (VERB_UNLISTED | VERB_ALIAS))) {
                        fprintf(f, "%s%s", sep, v->name);
                        sep = "|";
                }
        fputs(" ...", f);
        if (fclose(f) != 0) {
                free(s);
                return NULL;
        }
        return s;
}

/*
 * Every form of v, a line each: lead (spaces under it on the next lines), prog
 * if given, the verb and the form. Returns the column after the last form.
 */
static size_t put_forms(FILE *f, const char *lead, const char *prog, const verb *v) {
        _cleanup_free_ char *subs = v->args || !v->sub ? NULL : sub_form(v->sub);
        const char *form = v->args ? v->args : subs ? subs : "";
        for (bool first = true;; first = false) {
                const char *nl = strchrnul(form, '\n');
                size_t col =
                        (size_t)fprintf(f, "%*s%s%s%s%s", (int)strlen(lead), first ? lead : "",
                                        prog ? prog : "", prog ? " " : "", v->name, nl > form ? " " : "");
                col = put_form(f, col, col, form, (size_t)(nl - form));
                if (!*nl)
                        return col;
                fputc('\n', f);
                form = nl + 1;
        }
}

void verb_usage(FILE *f, const verb_table *t) {
        fprintf(f, "usage: %s COMMAND [ARGS]\n\ncommands:\n", t->prog);
        for (const verb *v = t->verbs; v->name; v++) {
                if (v->flags & (VERB_UNLISTED | VERB_ALIAS))
                        continue;
                size_t col = put_forms(f, "  ", NULL, v);
                /* the help beside a short synopsis, else under it; its later lines under its first */
                if (col < HELP_COLUMN)
                        fprintf(f, "%*s", (int)(HELP_COLUMN - col), "");
                else
                        fprintf(f, "\n%*s", HELP_COLUMN, "");
                const char *h = v->help;
                for (const char *nl; *(nl = strchrnul(h, '\n')); h = nl + 1)
                        fprintf(f, "%.*s\n%*s", (int)(nl - h), h, HELP_COLUMN, "");
                fprintf(f, "%s\n", h);
        }
        if (t->footer)
                fprintf(f, "\n%s", t->footer);
}

void verb_usage_of(FILE *f, const verb_table *t, const verb *v) {
        put_forms(f, "usage: ", t->prog, v);
        fputc('\n', f);
}

static void unknown_verb(const verb_table *t, const char *name) {
        size_t n = 0;
        while (t->verbs[n].name)
                n++;
        /* bench_did_you_mean passes over the NULLs: the aliases */
        _cleanup_free_ const char **names = calloc(n, sizeof(*names));
        for (size_t i = 0; names && i < n; i++)
                names[i] = t->verbs[i].flags & VERB_ALIAS ? NULL : t->verbs[i].name;
        const char *hint = names ? bench_did_you_mean(name, names, n) : NULL;
        fprintf(stderr, "%s: unknown command `%s`%s%s%s\n", t->prog, name, hint ? " (did you mean `" : "",
                hint ? hint : "", hint ? "`?)" : "");
}

int verb_dispatch(const verb_table *t, int argc, char **argv) {
        if (argc < 1) {
                verb_usage(stderr, t);
                return EXIT_BAD_INPUT;
        }
        const verb *v = verb_find(t, argv[0]);
        if (!v) {
                unknown_verb(t, argv[0]);
                verb_usage(stderr, t);
                return EXIT_BAD_INPUT;
        }
        if (argc - 1 < v->min_args || argc - 1 > v->max_args) {
                verb_usage_of(stderr, t, v);
                return EXIT_BAD_INPUT;
        }
        if (v->flags & VERB_HELP) {
                verb_usage(stdout, t);
                return EXIT_OK;
        }
        if (v->sub)
                return verb_dispatch(v->sub, argc - 1, argv + 1);
        return v->run(argc, argv);
}
