/* SPDX-License-Identifier: MIT */
/*
 * The run records of harness/runlock.c: any process of the same user (root,
 * for /run/bench) may write one, and a refused `bench run` prints what it
 * says. A line it accepts has bounded fields and a pid that its id starts
 * with; escaped, no field carries a control byte to the terminal.
 */
#include "../../harness/runlock.h"
#include "fuzz.h"

static void check_text(const char *what, const char *s, size_t max) {
        if (!s || strlen(s) > max)
                fuzz_die("%s: %s", what, s ? "over its bound" : "NULL in an accepted record");
        char *e = bench_escape_text(s, 0);
        if (!e)
                return;
        for (const unsigned char *p = (const unsigned char *)e; *p; p++)
                if (*p < 0x20 || *p == 0x7f)
                        fuzz_die("%s: control byte 0x%02x after escaping", what, *p);
        free(e);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        runlock_rec r;
        if (runlock_rec_parse((const char *)data, size, &r) < 0) {
                if (r.id || r.suite)
                        fuzz_die("a refused record left fields set");
                return 0;
        }
        char prefix[16];
        snprintf(prefix, sizeof(prefix), "%d-", r.pid);
        if (r.pid < 1 || !r.id || strncmp(r.id, prefix, strlen(prefix)) != 0)
                fuzz_die("pid %d and id %s disagree", r.pid, r.id ? r.id : "NULL");
        check_text("suite", r.suite, 1024);
        check_text("suite_file", r.suite_file, 4096);
        check_text("output", r.output, 4096);
        check_text("started_at", r.started_at, 64);
        runlock_rec_clear(&r);
        return 0;
}
