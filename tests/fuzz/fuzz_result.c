/* SPDX-License-Identifier: MIT */
/*
 * The result reader (results/result.c) that bench compare, plot and report
 * run on result files from anywhere (CI artifacts). A file it accepts must
 * write back as a file it accepts, unchanged by a second round trip; then
 * bench compare's two paths (file against file, the overhead table) and
 * every output format run on it (few bootstrap resamples: the statistics
 * are not what is fuzzed).
 */
#include "../../plots/verdicts.h"
#include "../../results/compare.h"
#include "../../results/result.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        char *text = malloc(size + 1);
        if (!text)
                return 0;
        memcpy(text, data, size);
        text[size] = '\0';
        res_file *f = NULL;
        bench_error *err = NULL;
        int r = res_from_json(text, "fuzz.json", &f, &err);
        free(text);
        if (r < 0) {
                if (!err || !err->msg)
                        fuzz_die("res_from_json: %s without a message", strerror(-r));
                bench_error_free(err);
                return 0;
        }
        char *once = res_to_json(f);
        if (!once)
                fuzz_die("res_to_json: NULL for a file res_from_json accepted");
        res_file *g = NULL;
        if (res_from_json(once, "written.json", &g, &err) < 0)
                fuzz_die("a result file bench wrote does not read back: %s\n%s", err ? err->msg : "?", once);
        char *twice = res_to_json(g);
        if (!twice || strcmp(once, twice) != 0)
                fuzz_die("the second round trip changed the file:\n%s\n----\n%s", once,
                         twice ? twice : "NULL");
        free(once);
        free(twice);
        cmp_opts o = {.bootstrap = 20, .seed = 1};
        for (int overhead = 0; overhead < 2; overhead++) {
                cmp_report rep = {0};
                r = overhead ? cmp_overhead(f, NULL, &o, &rep, &err) : cmp_files(f, g, &o, &rep, &err);
                for (size_t i = 0; r == 0 && i < sizeof(plot_verdict_formats) / sizeof(*plot_verdict_formats);
                     i++) {
                        char *out = NULL;
                        if (plot_verdicts(&rep, plot_verdict_formats[i], overhead, &out, &err) < 0)
                                fuzz_die("plot_verdicts %s: %s", plot_verdict_formats[i],
                                         err ? err->msg : "?");
                        free(out);
                }
                if (r < 0 && (!err || !err->msg))
                        fuzz_die("compare: %s without a message", strerror(-r));
                bench_error_free(err);
                err = NULL;
                cmp_report_clear(&rep);
        }
        res_file_free(f);
        res_file_free(g);
        return 0;
}
