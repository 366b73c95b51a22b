/* SPDX-License-Identifier: MIT */
#pragma once
/*
 * A command line's verbs in one table (systemd's src/shared/verbs.h):
 * dispatch, argument counts, the usage text and "did you mean" all come
 * from it, so a verb is added in one place.
 */
#include <limits.h>
#include <stdio.h>

#define VERB_ANY INT_MAX

enum {
        VERB_UNLISTED = 1 << 0, /* left out of the usage text, still suggested (help) */
        VERB_ALIAS = 1 << 1,    /* another spelling (--help, --version): neither listed nor suggested */
        VERB_HELP = 1 << 2,     /* dispatch prints the usage text on stdout, EXIT_OK; no run */
};

/* help, --help and -h: the last verbs of every table (VERBS_HELP, {0}) */
/* clang-format off */
#define VERBS_HELP                                                                       \
        {.name = "help", .max_args = VERB_ANY, .flags = VERB_UNLISTED | VERB_HELP},      \
        {.name = "--help", .max_args = VERB_ANY, .flags = VERB_ALIAS | VERB_HELP},       \
        {.name = "-h", .max_args = VERB_ANY, .flags = VERB_ALIAS | VERB_HELP}
/* clang-format on */

typedef struct verb_table verb_table;

typedef struct verb {
        const char *name;
        /* the arguments in the usage text; each `\n` starts another form of the verb */
        const char *args;
        /* what it does; each `\n` starts another line of it, under the first */
        const char *help;
        /* words after the verb that dispatch lets through (VERB_ANY: no limit); a verb with
         * options counts its operands itself, after parsing them */
        int min_args, max_args;
        unsigned flags;
        /* argv[0] is the verb; returns the exit code */
        int (*run)(int argc, char **argv);
        /* instead of run: a command with verbs of its own (bench layers), dispatched to with the
         * words after this one; the usage lists them when args is NULL */
        const verb_table *sub;
} verb;

struct verb_table {
        /* what messages start with: "bench", "bench layers" */
        const char *prog;
        /* ends with {0} */
        const verb *verbs;
        /* the usage text's last lines (options of a verb, the exit status) */
        const char *footer;
};

const verb *verb_find(const verb_table *t, const char *name);

/* The usage text: every listed verb's forms, each with its help, then the footer. */
void verb_usage(FILE *f, const verb_table *t);

/* `usage: PROG VERB ARGS`, a line for each form of v. */
void verb_usage_of(FILE *f, const verb_table *t, const verb *v);

/*
 * Runs the verb argv[0] names and returns its exit code. No verb, an unknown
 * one (with a suggestion) or a wrong number of arguments: a message and the
 * usage on stderr, EXIT_BAD_INPUT. Nothing but a lookup happens before the
 * verb runs (bench version and bench container run are timed).
 */
int verb_dispatch(const verb_table *t, int argc, char **argv);
