/* SPDX-License-Identifier: MIT */
/* harness/verbs.c: dispatch, argument counts, suggestions and the usage text from one table. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../common/cleanup.h"
#include "../../harness/commands.h"
#include "../../harness/verbs.h"

static int last_argc;
static const char *last_arg;

static int run_echo(int argc, char **argv) {
        last_argc = argc;
        last_arg = argv[argc - 1];
        return 42;
}

static const verb verbs[] = {
        {.name = "start",
         .args = "NAME [--memory SIZE] [--cpus LIST] [--pids N] [--network none|loopback] [--readonly] "
                 "[--hostname H]\n"
                 "--all [--dry-run]",
         .help = "start one or all",
         .min_args = 1,
         .max_args = VERB_ANY,
         .run = run_echo},
        {.name = "stop", .args = "NAME", .help = "stop it", .min_args = 1, .max_args = 1, .run = run_echo},
        {.name = "status", .help = "what runs", .max_args = 0, .run = run_echo},
        {.name = "help", .max_args = VERB_ANY, .flags = VERB_UNLISTED, .run = run_echo},
        {.name = "--stat", .max_args = VERB_ANY, .flags = VERB_ALIAS, .run = run_echo},
        {0},
};

static const verb_table table = {.prog = "tool", .verbs = verbs, .footer = "exit status: 0 ok\n"};

/* What dispatching argv through t wrote to stderr; its exit code in *ret_rc. */
static char *stderr_of_table(const verb_table *t, int argc, char **argv, int *ret_rc) {
        FILE *tmp = tmpfile();
        assert_non_null(tmp);
        fflush(stderr);
        int saved = dup(2);
        assert_true(saved >= 0);
        assert_true(dup2(fileno(tmp), 2) >= 0);
        *ret_rc = verb_dispatch(t, argc, argv);
        fflush(stderr);
        dup2(saved, 2);
        close(saved);
        assert_int_equal(fseek(tmp, 0, SEEK_END), 0);
        long n = ftell(tmp);
        assert_true(n >= 0);
        rewind(tmp);
        char *s = calloc((size_t)n + 1, 1);
        assert_non_null(s);
        assert_int_equal(fread(s, 1, (size_t)n, tmp), (size_t)n);
        fclose(tmp);
        return s;
}

static char *stderr_of(int argc, char **argv, int *ret_rc) {
        return stderr_of_table(&table, argc, argv, ret_rc);
}

static char *usage_text_of(const verb_table *t) {
        char *s = NULL;
        size_t n = 0;
        FILE *f = open_memstream(&s, &n);
        assert_non_null(f);
        verb_usage(f, t);
        fclose(f);
        return s;
}

static char *usage_text(void) {
        return usage_text_of(&table);
}

static void test_dispatch(void **state) {
        char *argv[] = {"stop", "web", NULL};
        int rc;
        _cleanup_free_ char *err = stderr_of(2, argv, &rc);
        assert_int_equal(rc, 42);
        assert_int_equal(last_argc, 2);
        assert_string_equal(last_arg, "web");
        assert_string_equal(err, "");

        /* another spelling runs its verb */
        char *alias[] = {"--stat", NULL};
        _cleanup_free_ char *err2 = stderr_of(1, alias, &rc);
        assert_int_equal(rc, 42);
        assert_string_equal(last_arg, "--stat");
}

static void test_counts(void **state) {
        int rc;
        char *few[] = {"stop", NULL};
        _cleanup_free_ char *e1 = stderr_of(1, few, &rc);
        assert_int_equal(rc, EXIT_BAD_INPUT);
        assert_string_equal(e1, "usage: tool stop NAME\n");

        char *many[] = {"status", "x", NULL};
        _cleanup_free_ char *e2 = stderr_of(2, many, &rc);
        assert_int_equal(rc, EXIT_BAD_INPUT);
        assert_string_equal(e2, "usage: tool status\n");

        /* every form, the later ones under the first, wrapped like the usage text */
        _cleanup_free_ char *e3 = stderr_of(1, (char *[]){"start", NULL}, &rc);
        assert_int_equal(rc, EXIT_BAD_INPUT);
        assert_string_equal(e3, "usage: tool start NAME [--memory SIZE] [--cpus LIST] [--pids N]\n"
                                "                  [--network none|loopback] [--readonly] [--hostname H]\n"
                                "       tool start --all [--dry-run]\n");
}

static void test_unknown(void **state) {
        int rc;
        _cleanup_free_ char *e1 = stderr_of(1, (char *[]){"stpo", NULL}, &rc);
        assert_int_equal(rc, EXIT_BAD_INPUT);
        assert_non_null(strstr(e1, "tool: unknown command `stpo` (did you mean `stop`?)\n"));
        assert_non_null(strstr(e1, "usage: tool COMMAND [ARGS]\n"));

        /* an unlisted verb is suggested, an alias is not */
        _cleanup_free_ char *e2 = stderr_of(1, (char *[]){"hepl", NULL}, &rc);
        assert_non_null(strstr(e2, "(did you mean `help`?)"));
        _cleanup_free_ char *e3 = stderr_of(1, (char *[]){"--stta", NULL}, &rc);
        assert_non_null(strstr(e3, "tool: unknown command `--stta`\n"));

        /* no verb at all: the usage */
        _cleanup_free_ char *e4 = stderr_of(0, (char *[]){NULL}, &rc);
        assert_int_equal(rc, EXIT_BAD_INPUT);
        assert_true(!strncmp(e4, "usage: tool COMMAND [ARGS]\n", 27));
}

static void test_usage(void **state) {
        _cleanup_free_ char *u = usage_text();
        /* a long form wraps under its first argument, never inside a bracket; the help of a long
         * synopsis goes under it at column 22, of a short one beside it */
        assert_string_equal(
                u, "usage: tool COMMAND [ARGS]\n"
                   "\n"
                   "commands:\n"
                   "  start NAME [--memory SIZE] [--cpus LIST] [--pids N] [--network none|loopback]\n"
                   "        [--readonly] [--hostname H]\n"
                   "  start --all [--dry-run]\n"
                   "                      start one or all\n"
                   "  stop NAME           stop it\n"
                   "  status              what runs\n"
                   "\n"
                   "exit status: 0 ok\n");
        for (char *line = u; *line; line = strchr(line, '\n') + 1)
                assert_true(strchr(line, '\n') - line <= 80);
}

/* A command with verbs of its own (bench layers): dispatch goes on, the usage lists them. */
static const verb sub_verbs[] = {
        {.name = "rm",
         .args = "ID",
         .help = "remove a stack\nand its chains",
         .min_args = 1,
         .max_args = 1,
         .run = run_echo},
        {.name = "flatten",
         .args = "ID [--upto N]",
         .help = "the merged tree;\nprints its dir",
         .max_args = VERB_ANY,
         .run = run_echo},
        VERBS_HELP,
        {0},
};
static const verb_table sub_table = {.prog = "tool sub", .verbs = sub_verbs};
static const verb outer_verbs[] = {
        {.name = "sub", .help = "its own verbs", .max_args = VERB_ANY, .sub = &sub_table},
        VERBS_HELP,
        {0},
};
static const verb_table outer = {.prog = "tool", .verbs = outer_verbs};

static void test_sub(void **state) {
        int rc;
        last_argc = 0;
        _cleanup_free_ char *e1 = stderr_of_table(&outer, 3, (char *[]){"sub", "rm", "x", NULL}, &rc);
        assert_int_equal(rc, 42);
        assert_int_equal(last_argc, 2);
        assert_string_equal(last_arg, "x");
        assert_string_equal(e1, "");

        /* its messages start with its prog */
        _cleanup_free_ char *e2 = stderr_of_table(&outer, 1, (char *[]){"sub", NULL}, &rc);
        assert_int_equal(rc, EXIT_BAD_INPUT);
        assert_true(!strncmp(e2, "usage: tool sub COMMAND [ARGS]\n", 31));
        _cleanup_free_ char *e3 = stderr_of_table(&outer, 2, (char *[]){"sub", "rn", NULL}, &rc);
        assert_non_null(strstr(e3, "tool sub: unknown command `rn` (did you mean `rm`?)\n"));
        _cleanup_free_ char *e4 = stderr_of_table(&outer, 2, (char *[]){"sub", "rm", NULL}, &rc);
        assert_string_equal(e4, "usage: tool sub rm ID\n");

        /* help, --help and -h: the table's usage on stdout, exit 0, whatever follows */
        assert_int_equal(verb_dispatch(&sub_table, 2, (char *[]){"--help", "x", NULL}), EXIT_OK);

        /* the usage: the sub-verbs as the arguments; a help of several lines, each under the first */
        _cleanup_free_ char *u = usage_text_of(&outer);
        assert_string_equal(u, "usage: tool COMMAND [ARGS]\n"
                               "\n"
                               "commands:\n"
                               "  sub rm|flatten ...  its own verbs\n");
        _cleanup_free_ char *us = usage_text_of(&sub_table);
        assert_string_equal(us, "usage: tool sub COMMAND [ARGS]\n"
                                "\n"
                                "commands:\n"
                                "  rm ID               remove a stack\n"
                                "                      and its chains\n"
                                "  flatten ID [--upto N]\n"
                                "                      the merged tree;\n"
                                "                      prints its dir\n");
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_dispatch), cmocka_unit_test(test_counts),
                cmocka_unit_test(test_unknown),  cmocka_unit_test(test_usage),
                cmocka_unit_test(test_sub),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
