/* SPDX-License-Identifier: MIT */
/*
 * bench layers: the layer store by hand (synthesize, import, list, remove,
 * flatten, the VM's qcow2 chain). Exit 0 ok, 1 failure, 2 bad input.
 */
#include <errno.h>
#include <getopt.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/cache.h"
#include "../common/cleanup.h"
#include "../common/json.h"
#include "../common/util.h"
#include "../runtimes/layers/layers.h"
#include "../vm/vm.h"
#include "commands.h"

/* -EINVAL and -ENOENT mean the user's input was wrong. */
static int fail(const char *what, int r, bench_error *err) {
        fprintf(stderr, "bench layers %s: %s\n", what, err && err->msg ? err->msg : strerror(-r));
        return r == -EINVAL || r == -ENOENT ? EXIT_BAD_INPUT : EXIT_FAILED;
}

static void print_stack(const lay_stack *s) {
        printf("%s %s/l\n", s->id, s->dir);
}

static int parse_uint_opt(const char *opt, const char *v, uint64_t max, uint64_t *ret) {
        if (bench_parse_uint(v, max, ret) < 0) {
                fprintf(stderr, "bench layers: --%s: `%s` is not a whole number up to %llu\n", opt, v,
                        (unsigned long long)max);
                return -EINVAL;
        }
        return 0;
}

static int cmd_synth(int argc, char **argv) {
        static const struct option opts[] = {
                {"layers", required_argument, NULL, 'n'},
                {"files", required_argument, NULL, 'f'},
                {"dirs", required_argument, NULL, 'd'},
                {"size", required_argument, NULL, 's'},
                {"big", required_argument, NULL, 'b'},
                {"copy-files", required_argument, NULL, 'c'},
                {"seed", required_argument, NULL, 'S'},
                {"help", no_argument, NULL, 'h'},
                {0},
        };
        lay_synth p = {0};
        uint64_t big[16], v;
        int c;
        while ((c = getopt_long(argc, argv, "h", opts, NULL)) >= 0) {
                switch (c) {
                case 'n':
                        if (parse_uint_opt("layers", optarg, 500, &v) < 0 || v == 0) {
                                fprintf(stderr, "bench layers synth: --layers: expected 1 to 500\n");
                                return EXIT_BAD_INPUT;
                        }
                        p.layers = (unsigned)v;
                        break;
                case 'f':
                case 'd':
                case 'c':
                        if (parse_uint_opt(c == 'f'   ? "files"
                                           : c == 'd' ? "dirs"
                                                      : "copy-files",
                                           optarg, 1000000, &v) < 0)
                                return EXIT_BAD_INPUT;
                        if (c == 'f')
                                p.files = (unsigned)v;
                        else if (c == 'd')
                                p.dirs = (unsigned)v;
                        else
                                p.copy_files = (unsigned)v;
                        break;
                case 's':
                        if (bench_parse_size(optarg, &p.size) < 0) {
                                fprintf(stderr, "bench layers synth: --size: `%s` is not a size such as 4K\n",
                                        optarg);
                                return EXIT_BAD_INPUT;
                        }
                        break;
                case 'b': {
                        _cleanup_free_ char *list = strdup(optarg);
                        p.n_big = 0;
                        for (char *save = NULL, *t = strtok_r(list, ",", &save); t;
                             t = strtok_r(NULL, ",", &save)) {
                                if (p.n_big == ELEMENTSOF(big) || bench_parse_size(t, &big[p.n_big]) < 0) {
                                        fprintf(stderr,
                                                "bench layers synth: --big: `%s` is not a list of up to 16 "
                                                "sizes "
                                                "such as 64K,1M\n",
                                                optarg);
                                        return EXIT_BAD_INPUT;
                                }
                                p.n_big++;
                        }
                        p.big = big;
                        break;
                }
                case 'S':
                        if (parse_uint_opt("seed", optarg, UINT64_MAX, &p.seed) < 0)
                                return EXIT_BAD_INPUT;
                        break;
                case 'h':
                        verb_usage(stdout, &layers_cli);
                        return EXIT_OK;
                default:
                        verb_usage(stderr, &layers_cli);
                        return EXIT_BAD_INPUT;
                }
        }
        if (!p.layers || optind != argc) {
                fprintf(stderr, "bench layers synth: expected --layers N and no other arguments\n");
                return EXIT_BAD_INPUT;
        }
        lay_stack s = {0};
        _cleanup_error_ bench_error *err = NULL;
        int r = lay_synthesize(&p, &s, &err);
        if (r < 0)
                return fail("synth", r, err);
        print_stack(&s);
        lay_stack_clear(&s);
        return EXIT_OK;
}

static int cmd_list(int argc, char **argv) {
        bool json = argc == 2 && !strcmp(argv[1], "--json");
        if (argc == 2 && !json) {
                verb_usage_of(stderr, &layers_cli, verb_find(&layers_cli, "list"));
                return EXIT_BAD_INPUT;
        }
        _cleanup_json_ cJSON *list = NULL;
        _cleanup_error_ bench_error *err = NULL;
        int r = lay_list(&list, &err);
        if (r < 0)
                return fail("list", r, err);
        if (json) {
                _cleanup_free_ char *text = cJSON_Print(list);
                if (!text)
                        return EXIT_FAILED;
                puts(text);
                return EXIT_OK;
        }
        const cJSON *st, *stacks = cJSON_GetObjectItemCaseSensitive(list, "stacks");
        printf("%-16s %6s %-12s %10s\n", "ID", "LAYERS", "SOURCE", "MIB");
        cJSON_ArrayForEach(st, stacks) {
                printf("%-16s %6d %-12s %10.1f\n", cJSON_GetObjectItemCaseSensitive(st, "id")->valuestring,
                       cJSON_GetObjectItemCaseSensitive(st, "layers")->valueint,
                       cJSON_GetObjectItemCaseSensitive(st, "source")->valuestring,
                       cJSON_GetObjectItemCaseSensitive(st, "bytes")->valuedouble / (1 << 20));
        }
        return EXIT_OK;
}

/* flatten ID [--upto N] | qcow2 ID [--free SIZE]: a stored stack as a merged tree or as a VM's chain; prints
 * its path */
static int cmd_stack_path(int argc, char **argv) {
        static const struct option opts[] = {
                {"upto", required_argument, NULL, 'u'},
                {"free", required_argument, NULL, 'f'},
                {"help", no_argument, NULL, 'h'},
                {0},
        };
        const char *sub = argv[0];
        bool qcow2 = !strcmp(sub, "qcow2");
        uint64_t upto = 0, free_bytes = 256ull << 20;
        int c;
        while ((c = getopt_long(argc, argv, "h", opts, NULL)) >= 0) {
                if ((c == 'u' && qcow2) || (c == 'f' && !qcow2)) {
                        fprintf(stderr, "bench layers %s: --%s is an option of `bench layers %s`\n", sub,
                                c == 'u' ? "upto" : "free", qcow2 ? "flatten" : "qcow2");
                        return EXIT_BAD_INPUT;
                }
                switch (c) {
                case 'u':
                        if (parse_uint_opt("upto", optarg, 500, &upto) < 0)
                                return EXIT_BAD_INPUT;
                        break;
                case 'f':
                        if (bench_parse_size(optarg, &free_bytes) < 0 || free_bytes < (16ull << 20)) {
                                fprintf(stderr,
                                        "bench layers qcow2: --free: `%s` is not a size of 16M or more\n",
                                        optarg);
                                return EXIT_BAD_INPUT;
                        }
                        break;
                case 'h':
                        verb_usage(stdout, &layers_cli);
                        return EXIT_OK;
                default:
                        verb_usage(stderr, &layers_cli);
                        return EXIT_BAD_INPUT;
                }
        }
        if (optind + 1 != argc) {
                verb_usage_of(stderr, &layers_cli, verb_find(&layers_cli, sub));
                return EXIT_BAD_INPUT;
        }
        lay_stack s = {0};
        _cleanup_error_ bench_error *err = NULL;
        _cleanup_free_ char *path = NULL;
        uint64_t bytes;
        int r = lay_open(argv[optind], &s, &err);
        if (r == 0)
                r = qcow2 ? vm_chain(&s, 0, free_bytes, &path, &bytes, &err)
                          : lay_flatten(&s, (size_t)upto, &path, &err);
        lay_stack_clear(&s);
        for (char *m; (m = bench_cache_note_take()); free(m))
                fprintf(stderr, "bench layers %s: %s\n", sub, m);
        if (r < 0)
                return fail(sub, r, err);
        puts(path);
        return EXIT_OK;
}

/* The VM's qcow2 chains made from stack `id` go with it. */
static void remove_chains(const char *id) {
        _cleanup_free_ char *cache = NULL, *pattern = NULL;
        if (bench_cache_dir(&cache, NULL) < 0 || asprintf(&pattern, "%s/vm/chain-%s-*", cache, id) < 0)
                return;
        glob_t g;
        if (glob(pattern, GLOB_NOSORT, NULL, &g) != 0)
                return;
        for (size_t i = 0; i < g.gl_pathc; i++)
                bench_rm_rf(g.gl_pathv[i], NULL);
        globfree(&g);
}

static int cmd_import(int argc, char **argv) {
        lay_stack s = {0};
        _cleanup_error_ bench_error *err = NULL;
        int r = lay_import(argv[1], &s, &err);
        if (r < 0)
                return fail("import", r, err);
        print_stack(&s);
        lay_stack_clear(&s);
        return EXIT_OK;
}

static int cmd_rm(int argc, char **argv) {
        lay_stack s = {0};
        _cleanup_error_ bench_error *err = NULL;
        int r = lay_open(argv[1], &s, &err);
        if (r == 0)
                r = lay_remove(s.id, &err);
        if (r == 0)
                remove_chains(s.id);
        lay_stack_clear(&s);
        return r < 0 ? fail("rm", r, err) : EXIT_OK;
}

static const verb layers_verbs[] = {
        {.name = "synth",
         .args = "--layers N [--files F] [--dirs D] [--size S] [--big LIST] [--copy-files C] [--seed X]",
         .help = "synthesize a stack of N layers (cached by its\n"
                 "parameters); prints the id and the dir holding the\n"
                 "layers 1..N (1 = bottom)",
         .max_args = VERB_ANY,
         .run = cmd_synth},
        {.name = "import",
         .args = "PATH",
         .help = "import an OCI image layout dir or a `docker save` tarball",
         .min_args = 1,
         .max_args = 1,
         .run = cmd_import},
        {.name = "list", .args = "[--json]", .help = "the stored stacks", .max_args = 1, .run = cmd_list},
        {.name = "rm",
         .args = "ID",
         .help = "remove a stack and its VM chains (an id prefix is enough)",
         .min_args = 1,
         .max_args = 1,
         .run = cmd_rm},
        {.name = "flatten",
         .args = "ID [--upto N]",
         .help = "the merged tree of the stack (of layers 1..N);\n"
                 "prints its dir",
         .max_args = VERB_ANY,
         .run = cmd_stack_path},
        {.name = "qcow2",
         .args = "ID [--free SIZE]",
         .help = "the stack as a VM sees it: a qcow2 backing chain, one\n"
                 "level per layer holding what the layer changed; prints\n"
                 "the top level (SIZE: free room on the disk, default\n"
                 "256M, as a vm's disk_size)",
         .max_args = VERB_ANY,
         .run = cmd_stack_path},
        VERBS_HELP,
        {0},
};

/* bench layers's verbs (main.c dispatches to them) */
const verb_table layers_cli = {
        .prog = "bench layers",
        .verbs = layers_verbs,
        .footer = "The store is <cache>/store (cache: $BENCH_CACHE_DIR, else /var/cache/bench as root).\n"
                  "exit status: 0 ok, 1 failure, 2 bad input\n",
};
