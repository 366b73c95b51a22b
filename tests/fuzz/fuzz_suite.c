/* SPDX-License-Identifier: MIT */
/*
 * The suite parser and validator (harness/suite.c, suite_check.c): the JSON
 * scanner that locates problems (common/jsonpos.c), cJSON, every field
 * check, the kinds' option tables and the drivers' host checks (they only
 * read: stat a layer dir, name a capability, find a kernel), with a private
 * BENCH_CACHE_DIR.
 */
#include <stdbool.h>

#include "../../harness/suite.h"
#include "fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv) {
        const char *dir = fuzz_workdir();
        setenv("BENCH_CACHE_DIR", dir, 1);
        return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        char *text = malloc(size + 1);
        if (!text)
                return 0;
        memcpy(text, data, size);
        text[size] = '\0';
        suite_overrides ov = {
                .repetitions = -1, .warmup = -1, .has_seed = true, .seed = 1, .check_host = true};
        bench_diags diags = {0};
        suite *s = NULL;
        int r = suite_parse(text, "fuzz.json", &ov, &s, &diags);
        if (r == 0 && (!s || diags.n))
                fuzz_die("suite_parse: success with %zu problems or without a suite", diags.n);
        if (r < 0 && (s || diags.n == 0))
                fuzz_die("suite_parse: %s without a message", strerror(-r));
        for (size_t i = 0; i < diags.n; i++)
                if (!diags.msgs[i] || strncmp(diags.msgs[i], "fuzz.json", 9) != 0)
                        fuzz_die("a problem that does not name the file: %s", diags.msgs[i]);
        if (s)
                suite_set_kind_option(s, "vm", "uri", "qemu:///embed?root=/nonexistent");
        suite_free(s);
        bench_diags_clear(&diags);
        /* the locator on its own, at a path the input itself may hold */
        unsigned line, col;
        json_locate(text, "workloads[0].kind", &line, &col);
        json_locate(text, "configurations[1].options", &line, &col);
        free(text);
        return 0;
}
