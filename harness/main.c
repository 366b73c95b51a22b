/* SPDX-License-Identifier: MIT */
/*
 * bench: what does isolation cost? The only file that prints for the user
 * and decides exit codes (commands.h defines them). Its verb table, at the
 * end, is the list of commands: dispatch, usage text and suggestions.
 */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../common/cleanup.h"
#include "../common/json.h"
#include "../common/util.h"
#include "commands.h"
#include "host.h"
#include "interrupt.h"
#include "run.h"
#include "runlock.h"
#include "../plots/headline.h"
#include "../plots/plot.h"
#include "../plots/report.h"
#include "../results/adaptive.h"
#include "../results/schema.h"
#include "suite.h"
#include "verbs.h"
#include "version.h"

/* the verb table's usage text: all of it, or one verb's */
static void usage(FILE *f);
static void usage_of(FILE *f, const char *verb_name);

static char *default_output(const suite *s) {
        char stamp[32];
        time_t t = time(NULL);
        struct tm tm;
        gmtime_r(&t, &tm);
        strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", &tm);
        mkdir("bench-results", 0755);
        char *p = NULL;
        if (asprintf(&p, "bench-results/%s-%s.json", s->name, stamp) < 0)
                return NULL;
        /* the suite's name is free text from a file: no `/`, no `..`, no control character in the path */
        for (char *q = p + strlen("bench-results/"); *q; q++)
                if (!isalnum((unsigned char)*q) && *q != '-' && *q != '_' && (*q != '.' || q[1] == '.'))
                        *q = '_';
        return p;
}

static void print_diags(const bench_diags *d) {
        for (size_t i = 0; i < d->n; i++)
                fprintf(stderr, "%s\n", d->msgs[i]);
}

/* "bench: precision 2%: met after 9 repetitions (worst 1.8% cpu/bare/ops_per_s)" */
static void print_adaptive(const res_file *f) {
        const res_adaptive *a = &f->adaptive;
        if (!a->on)
                return;
        char worst[400];
        res_adaptive_worst_text(a, worst, sizeof(worst));
        if (a->stopped_by == RES_STOP_PRECISION)
                bench_eprint_safe("bench: precision %.15g%%: met after %u repetition%s%s\n",
                                  a->precision * 100, a->repetitions, a->repetitions == 1 ? "" : "s", worst);
        else
                bench_eprint_safe(
                        "bench: precision %.15g%%: NOT met, stopped by %s after %u repetition%s%s\n",
                        a->precision * 100, res_stop_name(a->stopped_by) ?: "?", a->repetitions,
                        a->repetitions == 1 ? "" : "s", worst);
}

/* What the run found: a line per configuration against bare, the report's headline in short. */
static void print_headline(const res_file *f) {
        const char *bare = res_bare_configuration(f);
        cmp_report ovh = {0};
        _cleanup_error_ bench_error *err = NULL;
        if (!bare || cmp_overhead(f, bare, &report_cmp_opts, &ovh, &err) < 0)
                return;
        headline_text(stderr, f, &ovh, &report_cmp_opts);
        cmp_report_clear(&ovh);
}

static int cmd_run(int argc, char **argv) {
        static const struct option opts[] = {
                {"output", required_argument, NULL, 'o'},
                {"configs", required_argument, NULL, 'c'},
                {"repetitions", required_argument, NULL, 'r'},
                {"warmup", required_argument, NULL, 'w'},
                {"seed", required_argument, NULL, 's'},
                {"workdir", required_argument, NULL, 'd'},
                {"agent", required_argument, NULL, 'a'},
                {"quiet", no_argument, NULL, 'q'},
                {"vm-uri", required_argument, NULL, 'V'},
                {"plots", required_argument, NULL, 'P'},
                {"precision", required_argument, NULL, 'p'},
                {"max-repetitions", required_argument, NULL, 'R'},
                {"max-time", required_argument, NULL, 'T'},
                {"allow-concurrent", no_argument, NULL, 'C'},
                {"help", no_argument, NULL, 'h'},
                {0},
        };
        const char *vm_uri = NULL, *plots_dir = NULL;
        unsigned lock_flags = 0;
        suite_overrides ov = {.repetitions = -1, .warmup = -1, .check_host = true};
        const char *output = NULL, *workdir = getenv("BENCH_WORKDIR"), *agent = NULL;
        bool quiet = false;
        int c;
        uint64_t v;
        while ((c = getopt_long(argc, argv, "o:c:r:w:s:d:a:qh", opts, NULL)) >= 0) {
                switch (c) {
                case 'o':
                        output = optarg;
                        break;
                case 'c':
                        ov.configs = optarg;
                        break;
                case 'r':
                case 'w':
                        /* the range is the suite field's (suite_fields[]): the suite validator checks it */
                        if (bench_parse_uint(optarg, INT64_MAX, &v) < 0) {
                                fprintf(stderr, "bench run: --%s: `%s` is not a non-negative integer\n",
                                        c == 'r' ? "repetitions" : "warmup", optarg);
                                return EXIT_BAD_INPUT;
                        }
                        if (c == 'r')
                                ov.repetitions = (int64_t)v;
                        else
                                ov.warmup = (int64_t)v;
                        break;
                case 'p':
                        ov.precision = optarg; /* checked against the suite field, like the file's */
                        break;
                case 'T':
                        ov.max_time = optarg;
                        break;
                case 'R':
                        if (bench_parse_uint(optarg, INT64_MAX, &ov.max_repetitions) < 0) {
                                fprintf(stderr,
                                        "bench run: --max-repetitions: `%s` is not a count (e.g. "
                                        "--max-repetitions 40)\n",
                                        optarg);
                                return EXIT_BAD_INPUT;
                        }
                        ov.has_max_repetitions = true;
                        break;
                case 's':
                        if (bench_parse_uint(optarg, UINT64_MAX, &ov.seed) < 0) {
                                fprintf(stderr, "bench run: --seed: `%s` is not a non-negative integer\n",
                                        optarg);
                                return EXIT_BAD_INPUT;
                        }
                        ov.has_seed = true;
                        break;
                case 'd':
                        workdir = optarg;
                        break;
                case 'a':
                        agent = optarg;
                        break;
                case 'q':
                        quiet = true;
                        break;
                case 'V':
                        vm_uri = optarg;
                        break;
                case 'P':
                        plots_dir = optarg;
                        break;
                case 'C':
                        lock_flags |= RUNLOCK_ALLOW_CONCURRENT;
                        break;
                case 'h':
                        usage(stdout);
                        return EXIT_OK;
                default:
                        usage(stderr);
                        return EXIT_BAD_INPUT;
                }
        }
        if (optind + 1 != argc) {
                fprintf(stderr,
                        "bench run: expected one suite file, e.g. bench run suites/quickstart.json\n");
                return EXIT_BAD_INPUT;
        }
        bench_diags diags = {0};
        suite *s = NULL;
        if (suite_load(argv[optind], &ov, &s, &diags) < 0) {
                print_diags(&diags);
                fprintf(stderr, "bench run: %zu problem%s in %s; nothing was run\n", diags.n,
                        diags.n == 1 ? "" : "s", argv[optind]);
                bench_diags_clear(&diags);
                return EXIT_BAD_INPUT;
        }
        bench_diags_clear(&diags);
        if (vm_uri)
                suite_set_kind_option(s, "vm", "uri", vm_uri);

        _cleanup_free_ char *agent_path = agent ? strdup(agent) : bench_agent_path();
        if (!agent_path || access(agent_path, X_OK) < 0) {
                fprintf(stderr,
                        "bench run: the agent %s is not executable (build it, or give --agent PATH)\n",
                        agent_path ? agent_path : "bench-agent");
                suite_free(s);
                return EXIT_BAD_INPUT;
        }
        _cleanup_free_ char *out = output ? strdup(output) : default_output(s);
        if (out) {
                /* fail before measuring, not after the first repetition; a missing dir is made */
                _cleanup_error_ bench_error *derr = NULL;
                if (bench_mkdir_parent(out, &derr) < 0) {
                        fprintf(stderr, "bench run: %s (give -o FILE)\n", derr->msg);
                        suite_free(s);
                        return EXIT_BAD_INPUT;
                }
        }
        /* one measuring run per host: refused before anything is measured or written */
        _cleanup_(runlock_releasep) runlock *lock = NULL;
        {
                _cleanup_error_ bench_error *lerr = NULL;
                int r = runlock_acquire(NULL, s->name, argv[optind], out, lock_flags, &lock, &lerr);
                if (r < 0) {
                        if (r == -EBUSY)
                                bench_eprint_safe(
                                        "bench run: %s; wait for it to end, or give --allow-concurrent (both "
                                        "results will say so)\n",
                                        lerr->msg);
                        else
                                bench_eprint_safe("bench run: %s\n",
                                                  lerr && lerr->msg ? lerr->msg : "cannot lock");
                        suite_free(s);
                        return r == -EBUSY ? EXIT_BUSY : EXIT_FAILED;
                }
                const runlock_rec *others;
                for (size_t i = 0, n = runlock_seen(lock, &others); i < n; i++)
                        bench_eprint_safe(
                                "bench: measuring alongside pid %d, suite %s (started %s): both results say "
                                "so in `concurrent`\n",
                                others[i].pid, others[i].suite, others[i].started_at);
        }
        if (bench_interrupt_install() < 0) {
                fprintf(stderr, "bench run: cannot install signal handlers\n");
                suite_free(s);
                return EXIT_FAILED;
        }
        run_opts ro = {
                .output = out,
                .agent_path = agent_path,
                .workdir = workdir && *workdir ? workdir : "/var/tmp",
                .progress = quiet       ? RUN_PROGRESS_NONE
                            : isatty(2) ? RUN_PROGRESS_TTY
                                        : RUN_PROGRESS_LINES,
                .lock = lock,
        };
        char reps[160];
        if (s->precision > 0)
                snprintf(reps, sizeof(reps),
                         "%u to %u repetitions until every median is known within %.15g%%%s", s->repetitions,
                         s->max_repetitions, s->precision * 100, s->max_time_s > 0 ? " or time is up" : "");
        else
                snprintf(reps, sizeof(reps), "%u repetition%s", s->repetitions,
                         s->repetitions == 1 ? "" : "s");
        if (!quiet)
                fprintf(stderr,
                        "bench: suite %s: %zu configuration%s x %zu workload%s, %s (+%u warmup), seed %llu\n",
                        s->name, s->n_configs, s->n_configs == 1 ? "" : "s", s->n_workloads,
                        s->n_workloads == 1 ? "" : "s", reps, s->warmup, (unsigned long long)s->seed);
        res_file *f = NULL;
        _cleanup_error_ bench_error *err = NULL;
        int r = bench_run(s, &ro, &f, &err);
        /* measuring is over (plots are not): the next run may start */
        runlock_release(steal_pointer(&lock));
        int rc = EXIT_OK;
        if (r == -EINTR) {
                fprintf(stderr, "bench: %s; results so far in %s\n", err ? err->msg : "interrupted", out);
                rc = EXIT_INTERRUPTED;
        } else if (r < 0) {
                fprintf(stderr, "bench: %s\n", err && err->msg ? err->msg : "run failed");
                rc = EXIT_FAILED;
        } else {
                size_t measured = 0;
                for (size_t i = 0; i < f->n_series; i++)
                        measured += f->series[i].n_samples;
                for (size_t i = 0; i < f->n_skipped && !quiet; i++)
                        bench_eprint_safe("bench: skipped %s%s%s: %s\n",
                                          f->skipped[i].configuration ? f->skipped[i].configuration : "run",
                                          f->skipped[i].workload ? "/" : "",
                                          f->skipped[i].workload ? f->skipped[i].workload : "",
                                          f->skipped[i].reason);
                /* without --quiet each error was said as it happened */
                for (size_t i = 0; i < f->n_errors && quiet; i++)
                        run_eprint_error(&f->errors[i]);
                if (f->n_errors > 0 && !quiet)
                        fprintf(stderr,
                                "bench: %zu error%s (each said above as it happened): see `errors` in %s\n",
                                f->n_errors, f->n_errors == 1 ? "" : "s", out);
                if (f->n_errors > 0)
                        rc = EXIT_FAILED;
                if (measured == 0) {
                        fprintf(stderr, "bench: nothing was measured\n");
                        rc = EXIT_FAILED;
                }
                if (!quiet) {
                        print_adaptive(f);
                        print_headline(f);
                }
                if (!quiet)
                        fprintf(stderr, "bench: %zu series, %zu samples, %zu skipped, %zu errors -> %s\n",
                                f->n_series, measured, f->n_skipped, f->n_errors, out);
        }
        /* the figures may be distorted: said also after an interruption */
        for (size_t i = 0; f && i < f->n_concurrent; i++)
                bench_eprint_safe("bench: pid %d, suite %s (started %s%s) measured alongside this run: see "
                                  "`concurrent` in the result\n",
                                  f->concurrent[i].pid, f->concurrent[i].suite, f->concurrent[i].started_at,
                                  f->concurrent[i].allow_concurrent ? ", with --allow-concurrent" : "");
        /* plots of what was measured, also after an interruption */
        if (plots_dir && f && f->n_series > 0) {
                plot_set ps = {0};
                _cleanup_error_ bench_error *perr = NULL;
                if (plot_all(f, NULL, plots_dir, &ps, &perr) < 0) {
                        fprintf(stderr, "bench: plots: %s\n", perr && perr->msg ? perr->msg : "failed");
                        if (rc == EXIT_OK)
                                rc = EXIT_FAILED;
                } else if (!quiet)
                        fprintf(stderr, "bench: %zu plots in %s\n", ps.n, plots_dir);
                plot_set_clear(&ps);
        }
        res_file_free(f);
        suite_free(s);
        return rc;
}

static int cmd_validate(int argc, char **argv) {
        if (argc < 2) {
                fprintf(stderr, "bench validate: expected one or more suite files\n");
                return EXIT_BAD_INPUT;
        }
        int rc = EXIT_OK;
        for (int i = 1; i < argc; i++) {
                bench_diags diags = {0};
                suite *s = NULL;
                suite_overrides ov = {.repetitions = -1, .warmup = -1, .check_host = true};
                if (suite_load(argv[i], &ov, &s, &diags) < 0) {
                        print_diags(&diags);
                        rc = EXIT_BAD_INPUT;
                } else
                        printf("%s: ok (%zu configurations, %zu workloads)\n", argv[i], s->n_configs,
                               s->n_workloads);
                bench_diags_clear(&diags);
                suite_free(s);
        }
        return rc;
}

static int cmd_info(int argc, char **argv) {
        bool json = argc > 1 && !strcmp(argv[1], "--json");
        if (argc == 2 && !json) {
                usage_of(stderr, argv[0]);
                return EXIT_BAD_INPUT;
        }
        _cleanup_json_ cJSON *info = host_info();
        if (!info) {
                fprintf(stderr, "bench info: out of memory\n");
                return EXIT_FAILED;
        }
        _cleanup_free_ char *text = json ? cJSON_Print(info) : host_info_text(info);
        if (!text)
                return EXIT_FAILED;
        fputs(text, stdout);
        if (json)
                fputc('\n', stdout);
        return EXIT_OK;
}

static const char *type_label(const bench_opt_spec *p) {
        return bench_opt_type_name(p->type);
}

static int cmd_list(int argc, char **argv) {
        /* --schema suite|result: the JSON Schema generated from the tables (results/schema.c) */
        if (argc > 1 && !strcmp(argv[1], "--schema")) {
                _cleanup_free_ char *text = NULL;
                _cleanup_error_ bench_error *err = NULL;
                if (argc != 3 || res_schema_generate(argv[2], &text, &err) < 0) {
                        fprintf(stderr, "bench list: %s\nusage: bench list [--schema suite|result]\n",
                                err ? err->msg : "--schema takes one name");
                        return EXIT_BAD_INPUT;
                }
                fputs(text, stdout);
                return EXIT_OK;
        }
        printf("workloads:\n");
        for (size_t i = 0; wl_catalog[i]; i++) {
                const wl_spec *w = wl_catalog[i];
                printf("  %-10s %s\n", w->name, w->summary);
                for (const bench_opt_spec *p = w->params; p->name; p++)
                        printf("      param  %-13s %-9s default %-8s %s\n", p->name, type_label(p),
                               p->def ? p->def : "-", p->help);
                for (const wl_metric_spec *m = w->metrics; m->name; m++)
                        printf("      metric %-22s %-6s %-6s %s\n", m->name, m->unit, m->better, m->help);
        }
        printf("configuration kinds:\n");
        for (const rt_kind *k = rt_kinds; k->name; k++) {
                printf("  %-10s %s\n", k->name, k->driver ? "" : "(no driver in this build yet: skipped)");
                for (const bench_opt_spec *p = k->options; p->name; p++)
                        printf("      option %-16s %-9s default %-8s %s\n", p->name, type_label(p),
                               p->def ? p->def : "-", p->help);
        }
        return EXIT_OK;
}

static int cmd_version(int argc, char **argv) {
        printf("bench %s (%s)\n", BENCH_VERSION, BENCH_GIT_COMMIT);
        return EXIT_OK;
}

/* The commands, in the order of the usage text (and of suggestions on a tie). */
static const verb cli_verbs[] = {
        {.name = "run",
         .args = "SUITE [-o FILE] [--configs LIST] [--repetitions N] [--warmup N] [--seed S] [--workdir DIR] "
                 "[--agent PATH] [--vm-uri URI] [--plots DIR] [--allow-concurrent] [--quiet] "
                 "[--precision PCT [--max-repetitions N] [--max-time SECONDS]]",
         .help = "run a suite; results are written after every repetition;\n"
                 "refused (exit 75) while another run measures on this host,\n"
                 "unless --allow-concurrent (both results then say so)",
         .max_args = VERB_ANY,
         .run = cmd_run},
        {.name = "validate",
         .args = "SUITE...",
         .help = "check suites without running them (every problem is listed)",
         .max_args = VERB_ANY,
         .run = cmd_validate},
        {.name = "info",
         .args = "[--json]",
         .help = "what this host can run: cgroups, namespaces, overlayfs, kvm, tools",
         .max_args = 1,
         .run = cmd_info},
        {.name = "list",
         .args = "[--schema suite|result]",
         .help = "workloads and configuration kinds with their options; or a JSON Schema",
         .max_args = VERB_ANY,
         .run = cmd_list},
        {.name = "container",
         .args = "run [OPTIONS] -- CMD [ARG...]",
         .help = "run CMD in bench's container runtime (see bench container --help)",
         .max_args = VERB_ANY,
         .sub = &container_cli},
        {.name = "vm",
         .args = "image [--kernel PATH] [--modules-dir DIR] [--agent PATH]",
         .help = "build the VM guest's initramfs and show what went in",
         .max_args = VERB_ANY,
         .sub = &vm_cli},
        {.name = "compare",
         .args = "BASE.json NEW.json [--threshold PCT | --equivalence PCT] [--alpha A] "
                 "[--format text|markdown|junit|json] [--strict-env] [-o FILE]\n"
                 "BASE-DIR NEW-DIR [...]\n"
                 "--overhead RESULT.json [--baseline NAME] [--equivalence PCT] [...]",
         .help = "compare two runs (exit 1 on a regression), two fleet dirs host by host,\n"
                 "or configurations against bare",
         .max_args = VERB_ANY,
         .run = cmd_compare},
        {.name = "plot",
         .args = "RESULT [--compare BASE] [-o DIR]",
         .help = "figures of a result (PNG + SVG, with their gnuplot scripts and data)",
         .max_args = VERB_ANY,
         .run = cmd_plot},
        {.name = "report",
         .args = "RESULT [--compare BASE] [--equivalence PCT] -o REPORT.md|REPORT.html",
         .help = "a Markdown or HTML report with tables and plots",
         .max_args = VERB_ANY,
         .run = cmd_report},
        {.name = "export",
         .args = "RESULT --format csv|tsv|latex|markdown [--summary] [--standalone] [-o FILE]",
         .help = "a result as data (CSV/TSV: a row per sample, or per series with --summary)\n"
                 "or its overhead table for a paper (LaTeX booktabs, Markdown)",
         .max_args = VERB_ANY,
         .run = cmd_export},
        {.name = "trend",
         .args = "FILES...|DIR -o DIR",
         .help = "every metric over a history of result files, regressions marked",
         .max_args = VERB_ANY,
         .run = cmd_trend},
        {.name = "layers",
         .help = "synthesized and imported layer stacks (see bench layers --help)",
         .max_args = VERB_ANY,
         .sub = &layers_cli},
        {.name = "fleet",
         .help = "one suite over many hosts: Slurm runs, fleet reports (see bench fleet --help)",
         .max_args = VERB_ANY,
         .sub = &fleet_cli},
        {.name = "version", .help = "bench version and commit", .max_args = VERB_ANY, .run = cmd_version},
        {.name = "--version", .max_args = VERB_ANY, .flags = VERB_ALIAS, .run = cmd_version},
        VERBS_HELP,
        {0},
};

static const verb_table cli = {
        .prog = "bench",
        .verbs = cli_verbs,
        .footer = "exit status: 0 ok, 1 a measurement failed (see errors[] in the result), 2 bad input,\n"
                  "             75 another run is measuring on this host (run: retry later),\n"
                  "             130 interrupted (the result file holds what was measured)\n",
};

static void usage(FILE *f) {
        verb_usage(f, &cli);
}

static void usage_of(FILE *f, const char *verb_name) {
        verb_usage_of(f, &cli, verb_find(&cli, verb_name));
}

int main(int argc, char **argv) {
        return verb_dispatch(&cli, argc - 1, argv + 1);
}
