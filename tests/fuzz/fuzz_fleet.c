/* SPDX-License-Identifier: MIT */
/*
 * The fleet analysis (results/fleet.c) on result files from anywhere: the
 * input as one host, a copy of it as a second host (a host twice when both
 * carry one Slurm node: refused with a message) and a third with its
 * samples scaled; then the analysis, the terminal summary and bench
 * compare of the fleet with itself in every format (few bootstrap
 * resamples: the statistics are not what is fuzzed).
 */
#include "../../common/cleanup.h"
#include "../../plots/report.h"
#include "../../plots/verdicts.h"
#include "../../results/fleet.h"
#include "fuzz.h"

/* text as a result file of host `name` (its samples times scale), or NULL when the reader refuses it */
static res_file *host(const char *text, const char *name, double scale) {
        res_file *f = NULL;
        bench_error *err = NULL;
        if (res_from_json(text, "fuzz.json", &f, &err) < 0) {
                if (!err || !err->msg)
                        fuzz_die("res_from_json without a message");
                bench_error_free(err);
                return NULL;
        }
        if (cJSON_IsObject(f->host))
                cJSON_ReplaceItemInObject(f->host, "hostname", cJSON_CreateString(name));
        for (size_t i = 0; i < f->n_series; i++)
                for (size_t k = 0; k < f->series[i].n_samples; k++)
                        f->series[i].samples[k] *= scale;
        if (res_finalize(f, &err) < 0) {
                bench_error_free(err);
                res_file_free(f);
                return NULL;
        }
        return f;
}

static fleet *make(const char *text) {
        fleet *fl = fleet_new("fuzz");
        if (!fl)
                fuzz_die("fleet_new: out of memory");
        static const char *const names[] = {"h1", "h2", "h3"};
        static const double scales[] = {1, 1, 1.5};
        for (size_t i = 0; i < 3; i++) {
                res_file *f = host(text, names[i], scales[i]);
                if (!f)
                        break;
                char file[32];
                snprintf(file, sizeof(file), "fuzz/%s.json", names[i]);
                bench_error *err = NULL;
                if (fleet_add(fl, file, f, &err) < 0 && (!err || !err->msg))
                        fuzz_die("fleet_add refused without a message");
                bench_error_free(err);
        }
        return fl;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        char *text = malloc(size + 1);
        if (!text)
                return 0;
        memcpy(text, data, size);
        text[size] = '\0';
        fleet *a = make(text), *b = make(text);
        free(text);
        cmp_opts o = {.threshold_pct = 5, .alpha = 0.05, .bootstrap = 20, .seed = 1};
        bench_error *err = NULL;
        if (a->n_hosts > 0) {
                if (fleet_analyze(a, &o, &err) < 0)
                        fuzz_die("fleet_analyze: %s", err && err->msg ? err->msg : "?");
                FILE *null = fopen("/dev/null", "w");
                if (null) {
                        fleet_summary(null, a);
                        fclose(null);
                }
                fleet_comparison c = {0};
                if (fleet_compare(a, b, &o, &c, &err) == 0) {
                        for (size_t i = 0; i < ELEMENTSOF(plot_verdict_formats); i++) {
                                char *out = NULL;
                                if (plot_fleet_verdicts(&c, plot_verdict_formats[i], &out, &err) < 0)
                                        fuzz_die("plot_fleet_verdicts %s: %s", plot_verdict_formats[i],
                                                 err && err->msg ? err->msg : "?");
                                free(out);
                        }
                } else if (!err || !err->msg)
                        fuzz_die("fleet_compare failed without a message");
                bench_error_free(err);
                fleet_comparison_clear(&c);
        }
        fleet_free(a);
        fleet_free(b);
        return 0;
}
