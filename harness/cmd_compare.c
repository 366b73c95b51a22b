/* SPDX-License-Identifier: MIT */
/*
 * bench compare: two result files (a CI gate), or the configurations of one
 * file against its baseline (the overhead table). Exit 0 = no regression,
 * 1 = a regression, 2 = unusable input or options.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../common/cleanup.h"
#include "../common/util.h"
#include "../plots/verdicts.h"
#include "../results/compare.h"
#include "../results/fleet.h"
#include "../results/result.h"
#include "commands.h"
#include "fleet.h"

static void compare_usage(FILE *f) {
        fputs("usage: bench compare BASE.json NEW.json [OPTIONS]\n"
              "       bench compare BASE-DIR NEW-DIR [OPTIONS]\n"
              "       bench compare --overhead RESULT.json [--baseline NAME] [OPTIONS]\n"
              "\n"
              "  per (workload, configuration, metric): medians, their ratio NEW/BASE with a bootstrap\n"
              "  95% interval, a Mann-Whitney U p-value and a verdict; a regression is significant\n"
              "  (p < alpha) and beyond the threshold in the metric's worse direction\n"
              "\n"
              "  --threshold PCT      smallest change that counts, in percent (default 5)\n"
              "  --equivalence PCT    an equivalence margin (e.g. 2%): each row is equivalent (its 90%\n"
              "                       interval inside 1 +- PCT), different (regressed / improved:\n"
              "                       significant and outside the margin) or inconclusive, with about how\n"
              "                       many more samples a side would settle it; replaces --threshold\n"
              "  --alpha A            significance level (default 0.05)\n"
              "  --format FMT         text, markdown, junit or json (default text)\n"
              "  --strict-env         refuse (exit 2) when the host fingerprint (kernel, CPU model, cgroup\n"
              "                       mode, bench version, governor, boost, SMT, THP, mitigations, isolated\n"
              "                       CPUs, KSM, swap...), a VM's accel or an OCI runtime's version differ;\n"
              "                       without it they are reported loudly. A busy host (a file's activity\n"
              "                       warnings) is reported, never refused\n"
              "  -o FILE              write the report to FILE instead of stdout (its dir made if missing)\n"
              "  --overhead           one file: every configuration against the baseline one\n"
              "  --baseline NAME      the baseline configuration for --overhead (default bare)\n"
              "\n"
              "  metrics with a base median of 0 or below compare the difference NEW - BASE in their unit\n"
              "\n"
              "  two fleet dirs (bench fleet report's input, one result file per host): hosts are matched\n"
              "  by host.allocation.slurm.node, else host.hostname, and each pair is compared as above;\n"
              "  a differing fingerprint (CPU model, kernel, accel, cgroup mode, ...) is warned about, or\n"
              "  refused with --strict-env; hosts on one side only are listed (exit 2 if none match)\n"
              "\n"
              "exit status: 0 no regression, 1 a regression (dirs: on any host), 2 unusable input or\n"
              "             options (also: the files disagree on whether lower or higher is better for a\n"
              "             metric; dirs: no host in common, a file that is no result of the suite)\n"
              "             (--overhead reports, it does not gate: 0 unless the input is unusable)\n",
              f);
}

static int load(const char *path, res_file **ret) {
        _cleanup_error_ bench_error *err = NULL;
        _cleanup_free_ char *text = NULL;
        size_t len;
        if (bench_read_file(path, &text, &len, &err) < 0 || res_from_json(text, path, ret, &err) < 0) {
                const char *msg = err && err->msg ? err->msg : "cannot read it";
                /* every message names the file, also those that would not on their own */
                if (strstr(msg, path))
                        fprintf(stderr, "bench compare: %s\n", msg);
                else
                        fprintf(stderr, "bench compare: %s: %s\n", path, msg);
                return -EINVAL;
        }
        const res_file *f = *ret;
        if (!f->complete)
                fprintf(stderr,
                        "bench compare: warning: %s is incomplete (%s); comparing what was measured\n", path,
                        f->interrupted ? f->interrupted : "the run did not finish");
        return 0;
}

static int parse_number(const char *opt, const char *s, double min, double max, bool open_min, double *ret) {
        char *end = NULL;
        errno = 0;
        double v = strtod(s, &end);
        if (errno || end == s || *end || !isfinite(v) || v < min || v > max || (open_min && v == min)) {
                fprintf(stderr, "bench compare: %s: `%s` is not a number %s %g and at most %g\n", opt, s,
                        open_min ? "above" : "from", min, max);
                return -EINVAL;
        }
        *ret = v;
        return 0;
}

/* A row whose files disagree on `better`: which metric, and what each side says. */
static void print_better_differs(const cmp_row *row, const char *base, const char *cur) {
        char label[256];
        _cleanup_free_ char *key = NULL;
        if (asprintf(&key, "%s/%s/%s", row->cur->workload, row->cur->configuration,
                     res_metric_label(row->cur, label, sizeof(label))) < 0)
                key = NULL;
        _cleanup_free_ char *shown = key ? bench_escape_text(key, 0) : NULL;
        if (cur)
                fprintf(stderr,
                        "bench compare: %s: %s says %s is better, %s says %s; compare files whose metrics "
                        "agree (the same bench version)\n",
                        shown ? shown : "?", base, row->base->better, cur, row->cur->better);
        else
                fprintf(stderr, "bench compare: %s: the baseline says %s is better, this configuration %s\n",
                        shown ? shown : "?", row->base->better, row->cur->better);
}

static void print_env_diffs(const cmp_report *r, const char *base, const char *cur, size_t refused) {
        if (refused)
                fprintf(stderr,
                        "bench compare: WARNING: THE ENVIRONMENTS DIFFER (%s vs %s); differences may come "
                        "from them (--strict-env refuses):\n",
                        base, cur);
        else
                fprintf(stderr,
                        "bench compare: WARNING: THE HOST WAS NOT QUIET (%s vs %s); differences may come "
                        "from other load:\n",
                        base, cur);
        plot_env_diffs(stderr, r, PLOT_ENV_STDERR);
}

static bool is_dir(const char *path) {
        struct stat st;
        return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Writes out to -o FILE or stdout: 0 or EXIT_BAD_INPUT. */
static int emit(const char *out, const char *output) {
        _cleanup_error_ bench_error *err = NULL;
        if (output) {
                if (bench_mkdir_parent(output, &err) < 0 ||
                    bench_write_file_atomic(output, out, strlen(out), &err) < 0) {
                        fprintf(stderr, "bench compare: %s\n", err && err->msg ? err->msg : output);
                        return EXIT_BAD_INPUT;
                }
                return 0;
        }
        fputs(out, stdout);
        if (fflush(stdout) != 0) {
                fprintf(stderr, "bench compare: cannot write the report: %s\n", strerror(errno));
                return EXIT_BAD_INPUT;
        }
        return 0;
}

/* bench compare BASE-DIR NEW-DIR: host by host (results/fleet.h), gated like one compare. */
static int compare_fleets(const char *base_dir, const char *cur_dir, const cmp_opts *o, const char *format,
                          bool strict_env, const char *output) {
        _cleanup_error_ bench_error *err = NULL;
        _cleanup_(fleet_freep) fleet *base = NULL;
        _cleanup_(fleet_freep) fleet *cur = NULL;
        if (fleet_load(base_dir, &base, &err) < 0 || fleet_load(cur_dir, &cur, &err) < 0) {
                fprintf(stderr, "bench compare: %s\n",
                        err && err->msg ? err->msg : "cannot read the fleet dir");
                return EXIT_BAD_INPUT;
        }
        fleet_warn_partial("bench compare", "comparing", base);
        fleet_warn_partial("bench compare", "comparing", cur);
        _cleanup_(fleet_comparison_clear) fleet_comparison c = {0};
        if (fleet_compare(base, cur, o, &c, &err) < 0) {
                fprintf(stderr, "bench compare: %s vs %s: %s\n", base_dir, cur_dir,
                        err && err->msg ? err->msg : "cannot compare");
                return EXIT_BAD_INPUT;
        }
        size_t refused = 0;
        bool text = !strcmp(format, "text");
        for (size_t i = 0; i < c.n_pairs; i++) {
                const fleet_pair *p = &c.pairs[i];
                size_t n = 0;
                for (size_t k = 0; k < p->cmp.n_env_diffs; k++)
                        n += !p->cmp.env_diffs[k].advisory;
                refused += n;
                if (p->cmp.n_env_diffs > 0 && (text || (strict_env && n > 0))) {
                        _cleanup_free_ char *b = bench_escape_text(p->base->file, 0),
                                            *a = bench_escape_text(p->cur->file, 0);
                        print_env_diffs(&p->cmp, b ? b : "?", a ? a : "?", n);
                }
        }
        if (refused > 0 && strict_env) {
                fprintf(stderr, "bench compare: refusing to compare results from different environments "
                                "(--strict-env)\n");
                return EXIT_BAD_INPUT;
        }
        for (size_t i = 0; i < c.n_only_base + c.n_only_cur; i++) {
                bool in_base = i < c.n_only_base;
                const fleet_host *h = in_base ? c.only_base[i] : c.only_cur[i - c.n_only_base];
                _cleanup_free_ char *k = bench_escape_text(h->key, 0), *f = bench_escape_text(h->file, 0);
                fprintf(stderr, "bench compare: host %s (%s) is only in %s; not compared\n", k ? k : "?",
                        f ? f : "?", in_base ? "the base" : "the new dir");
        }
        /* text: the environment warnings went to stderr above, where they are seen */
        _cleanup_free_ size_t *saved = calloc(c.n_pairs + 1, sizeof(size_t));
        if (!saved)
                return EXIT_FAILED;
        for (size_t i = 0; text && i < c.n_pairs; i++) {
                saved[i] = c.pairs[i].cmp.n_env_diffs;
                c.pairs[i].cmp.n_env_diffs = 0;
        }
        _cleanup_free_ char *out = NULL;
        int r = plot_fleet_verdicts(&c, format, &out, &err);
        for (size_t i = 0; text && i < c.n_pairs; i++)
                c.pairs[i].cmp.n_env_diffs = saved[i];
        if (r < 0) {
                fprintf(stderr, "bench compare: %s\n", err && err->msg ? err->msg : "cannot format");
                return EXIT_BAD_INPUT;
        }
        if ((r = emit(out, output)) != 0)
                return r;
        bool better_differs = false;
        for (size_t i = 0; i < c.n_pairs; i++)
                for (size_t k = 0; k < c.pairs[i].cmp.n_rows; k++)
                        if (c.pairs[i].cmp.rows[k].verdict == CMP_BETTER_DIFFERS) {
                                _cleanup_free_ char *b = bench_escape_text(c.pairs[i].base->file, 0),
                                                    *a = bench_escape_text(c.pairs[i].cur->file, 0);
                                print_better_differs(&c.pairs[i].cmp.rows[k], b ? b : "?", a ? a : "?");
                                better_differs = true;
                        }
        if (better_differs)
                return EXIT_BAD_INPUT;
        if (c.n_regressed_hosts > 0) {
                fprintf(stderr, "bench compare: %zu of %zu host%s regressed:", c.n_regressed_hosts, c.n_pairs,
                        c.n_pairs == 1 ? "" : "s");
                for (size_t i = 0; i < c.n_pairs; i++)
                        if (c.pairs[i].cmp.n_regressed > 0) {
                                fputc(' ', stderr);
                                bench_put_text(stderr, c.pairs[i].base->key, 0);
                        }
                fputc('\n', stderr);
                return EXIT_REGRESSION;
        }
        return EXIT_OK;
}

int cmd_compare(int argc, char **argv) {
        static const struct option opts[] = {
                {"threshold", required_argument, NULL, 't'},
                {"equivalence", required_argument, NULL, 'e'},
                {"alpha", required_argument, NULL, 'a'},
                {"format", required_argument, NULL, 'f'},
                {"strict-env", no_argument, NULL, 's'},
                {"output", required_argument, NULL, 'o'},
                {"overhead", no_argument, NULL, 'O'},
                {"baseline", required_argument, NULL, 'b'},
                {"help", no_argument, NULL, 'h'},
                {0},
        };
        cmp_opts o = {.threshold_pct = 5, .alpha = 0.05};
        const char *format = "text", *output = NULL, *baseline = NULL;
        bool strict_env = false, overhead = false;
        int c;
        argv[0] = (char *)"bench compare"; /* getopt's messages start with it */
        optind = 1;
        while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) >= 0) {
                switch (c) {
                case 't':
                        if (parse_number("--threshold", optarg, 0, 1000, false, &o.threshold_pct) < 0)
                                return EXIT_BAD_INPUT;
                        break;
                case 'e': {
                        _cleanup_error_ bench_error *perr = NULL;
                        if (cmp_parse_margin(optarg, &o.equivalence_pct, &perr) < 0) {
                                fprintf(stderr, "bench compare: %s\n", perr->msg);
                                return EXIT_BAD_INPUT;
                        }
                        break;
                }
                case 'a':
                        if (parse_number("--alpha", optarg, 0, 0.5, true, &o.alpha) < 0)
                                return EXIT_BAD_INPUT;
                        break;
                case 'f': {
                        bool known = false;
                        for (size_t i = 0; i < ELEMENTSOF(plot_verdict_formats); i++)
                                known |= !strcmp(optarg, plot_verdict_formats[i]);
                        if (!known) {
                                const char *hint = bench_did_you_mean(optarg, plot_verdict_formats,
                                                                      ELEMENTSOF(plot_verdict_formats));
                                fprintf(stderr,
                                        "bench compare: --format: unknown format `%s`%s%s%s (text, markdown, "
                                        "junit or json)\n",
                                        optarg, hint ? " (did you mean `" : "", hint ? hint : "",
                                        hint ? "`?)" : "");
                                return EXIT_BAD_INPUT;
                        }
                        format = optarg;
                        break;
                }
                case 's':
                        strict_env = true;
                        break;
                case 'o':
                        output = optarg;
                        break;
                case 'O':
                        overhead = true;
                        break;
                case 'b':
                        baseline = optarg;
                        break;
                case 'h':
                        compare_usage(stdout);
                        return EXIT_OK;
                default:
                        compare_usage(stderr);
                        return EXIT_BAD_INPUT;
                }
        }
        int want = overhead ? 1 : 2;
        if (argc - optind != want) {
                fprintf(stderr, "bench compare: expected %s, got %d file%s\n",
                        overhead ? "one result file with --overhead" : "two result files, BASE.json NEW.json",
                        argc - optind, argc - optind == 1 ? "" : "s");
                compare_usage(stderr);
                return EXIT_BAD_INPUT;
        }
        if (baseline && !overhead) {
                fprintf(stderr, "bench compare: --baseline is for --overhead\n");
                return EXIT_BAD_INPUT;
        }

        const char *base_path = argv[optind], *cur_path = overhead ? NULL : argv[optind + 1];
        bool base_dir = is_dir(base_path), cur_dir = cur_path && is_dir(cur_path);
        if (base_dir || cur_dir) {
                if (overhead || base_dir != cur_dir) {
                        fprintf(stderr,
                                "bench compare: %s is a directory: compare two fleet dirs (BASE-DIR "
                                "NEW-DIR) or two result files, without --overhead\n",
                                base_dir ? base_path : cur_path);
                        return EXIT_BAD_INPUT;
                }
                return compare_fleets(base_path, cur_path, &o, format, strict_env, output);
        }
        _cleanup_(res_file_freep) res_file *base = NULL;
        _cleanup_(res_file_freep) res_file *cur = NULL;
        if (load(base_path, &base) < 0 || (cur_path && load(cur_path, &cur) < 0))
                return EXIT_BAD_INPUT;

        _cleanup_error_ bench_error *err = NULL;
        _cleanup_(cmp_report_clear) cmp_report rep = {0};
        int r = overhead ? cmp_overhead(base, baseline, &o, &rep, &err)
                         : cmp_files(base, cur, &o, &rep, &err);
        if (r < 0) {
                const char *msg = err && err->msg ? err->msg : strerror(-r);
                if (overhead)
                        fprintf(stderr, "bench compare: %s: %s\n", base_path, msg);
                else
                        fprintf(stderr, "bench compare: %s vs %s: %s\n", base_path, cur_path, msg);
                return EXIT_BAD_INPUT;
        }
        size_t refused = 0;
        for (size_t i = 0; i < rep.n_env_diffs; i++)
                refused += !rep.env_diffs[i].advisory;
        if (refused > 0 && strict_env) {
                print_env_diffs(&rep, base_path, cur_path, refused);
                fprintf(stderr, "bench compare: refusing to compare results from different environments "
                                "(--strict-env)\n");
                return EXIT_BAD_INPUT;
        }

        /* text: the environment warning goes to stderr, where it is seen even when stdout is a file */
        cmp_report shown = rep;
        bool text = !strcmp(format, "text");
        if (text && rep.n_env_diffs > 0) {
                print_env_diffs(&rep, base_path, cur_path, refused);
                shown.n_env_diffs = 0;
        }
        _cleanup_free_ char *out = NULL;
        if (plot_verdicts(&shown, format, overhead, &out, &err) < 0) {
                fprintf(stderr, "bench compare: %s\n", err && err->msg ? err->msg : "cannot format");
                return EXIT_BAD_INPUT;
        }
        if (emit(out, output) != 0)
                return EXIT_BAD_INPUT;
        if (rep.n_better_differs > 0) {
                for (size_t i = 0; i < rep.n_rows; i++)
                        if (rep.rows[i].verdict == CMP_BETTER_DIFFERS)
                                print_better_differs(&rep.rows[i], base_path, cur_path);
                return EXIT_BAD_INPUT;
        }
        if (!overhead && rep.n_regressed > 0) {
                if (output || !text)
                        fprintf(stderr, "bench compare: %zu regression%s\n", rep.n_regressed,
                                rep.n_regressed == 1 ? "" : "s");
                return EXIT_REGRESSION;
        }
        return EXIT_OK;
}
