/* SPDX-License-Identifier: MIT */
/*
 * The layer importer (runtimes/layers/import.c) on tar bytes: each input is
 * imported twice into a private store (BENCH_CACHE_DIR), as the one layer
 * of a docker-save directory and as a docker-save tarball itself, in a
 * private dir made for this input and removed after it. The importer must
 * refuse any entry that leaves its layer: nothing may appear next to that
 * dir, in the work dir around it, or in `/`, and the store holds the
 * stack or nothing.
 *
 * Tar header checksums are recomputed before the import (plain tar input),
 * so that mutations of names, types, modes and sizes reach the importer
 * instead of failing libarchive's checksum test; a reproducer is the file
 * before that fix.
 */
#include <stdbool.h>
#include <sys/wait.h>

#include "../../runtimes/layers/layers.h"
#include "fuzz.h"

static char root_list[8192];
static int root_count;

int LLVMFuzzerInitialize(int *argc, char ***argv) {
        const char *dir = fuzz_workdir();
        char cache[4200];
        snprintf(cache, sizeof(cache), "%s/run/cache", dir);
        setenv("BENCH_CACHE_DIR", cache, 1);
        root_count = fuzz_list("/", root_list, sizeof(root_list));
        return 0;
}

static uint64_t tar_number(const uint8_t *p, size_t len) {
        if (p[0] & 0x80) { /* base-256 */
                uint64_t v = 0;
                for (size_t i = len > 8 ? len - 8 : 1; i < len; i++)
                        v = v << 8 | p[i];
                return v;
        }
        uint64_t v = 0;
        size_t i = 0;
        while (i < len && p[i] == ' ')
                i++;
        for (; i < len && p[i] >= '0' && p[i] <= '7'; i++)
                v = v << 3 | (uint64_t)(p[i] - '0');
        return v;
}

/* Rewrites the checksum of every header on the walk from one header to the next. */
static void tar_fix_checksums(uint8_t *t, size_t size) {
        for (size_t off = 0; off + 512 <= size;) {
                uint8_t *h = t + off;
                bool zero = true;
                for (size_t i = 0; i < 512 && zero; i++)
                        zero = h[i] == 0;
                if (zero) {
                        off += 512;
                        continue;
                }
                unsigned sum = 0;
                memset(h + 148, ' ', 8);
                for (size_t i = 0; i < 512; i++)
                        sum += h[i];
                char chk[8];
                snprintf(chk, sizeof(chk), "%06o", sum & 0777777);
                memcpy(h + 148, chk, 7);
                uint64_t body = tar_number(h + 124, 12);
                char type = (char)h[156];
                if (type == '1' || type == '2' || type == '3' || type == '4' || type == '5' || type == '6')
                        body = 0;
                if (body > size)
                        break;
                off += 512 + (body + 511) / 512 * 512;
        }
}

static void expect_only(const char *dir, const char *want) {
        char got[8192];
        if (fuzz_list(dir, got, sizeof(got)) < 0) {
                if (errno == ENOENT) /* an import refused early makes no store */
                        return;
                fuzz_die("cannot list %s: %s", dir, strerror(errno));
        }
        /* want: space-separated names, any order */
        char w[1024];
        snprintf(w, sizeof(w), "%s", want);
        size_t n_want = 0;
        for (char *save = NULL, *c = strtok_r(w, " ", &save); c; c = strtok_r(NULL, " ", &save))
                n_want++;
        size_t n_got = 0;
        char g[8192];
        snprintf(g, sizeof(g), "%s", got);
        for (char *save = NULL, *c = strtok_r(g, " ", &save); c; c = strtok_r(NULL, " ", &save)) {
                n_got++;
                char ww[1024], *s2 = NULL;
                snprintf(ww, sizeof(ww), "%s", want);
                bool found = false;
                for (char *x = strtok_r(ww, " ", &s2); x && !found; x = strtok_r(NULL, " ", &s2))
                        found = !strcmp(x, c);
                if (!found)
                        fuzz_die("`%s` appeared in %s: an entry escaped its layer (want only: %s)", c, dir,
                                 want);
        }
        (void)n_want;
}

static void remove_tree(const char *path) {
        if (bench_rm_rf(path, NULL) == 0)
                return;
        /* bench's remove has a depth limit (issue 10: leftovers); do not let it stop the fuzzer */
        pid_t pid = fork();
        if (pid == 0) {
                execlp("rm", "rm", "-rf", "--", path, (char *)NULL);
                _exit(127);
        }
        int st;
        if (pid < 0 || waitpid(pid, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
                fuzz_die("cannot remove %s", path);
}

static unsigned long leftovers;
static void report_leftovers(void) {
        if (leftovers)
                fprintf(stderr, "fuzz: %lu imports left a temp dir in the store (issue 10: leftovers)\n",
                        leftovers);
}

static void import_one(const char *path, const char *store) {
        lay_stack st = {0};
        bench_error *err = NULL;
        int r = lay_import(path, &st, &err);
        if (r < 0 && (!err || !err->msg))
                fuzz_die("lay_import: %s without a message", strerror(-r));
        char got[8192];
        int n = fuzz_list(store, got, sizeof(got));
        if (r == 0) {
                if (!st.id || n != 1 || strcmp(got, st.id) != 0)
                        fuzz_die("after an import of stack %s the store holds `%s`", st.id, got);
                /* a `..` that stays inside the store lands next to the layer dirs */
                expect_only(st.dir, "l meta.json");
                char l[4200], want[4096] = "";
                snprintf(l, sizeof(l), "%s/l", st.dir);
                for (size_t i = 1, off = 0; i <= st.n_layers && off < sizeof(want); i++)
                        off += (size_t)snprintf(want + off, sizeof(want) - off, "%s%zu", i > 1 ? " " : "", i);
                expect_only(l, want);
        } else if (n > 0) {
                if (strncmp(got, ".tmp-", 5) != 0 || strchr(got, ' '))
                        fuzz_die("a failed import (%s) left `%s` in the store", err->msg, got);
                if (!leftovers++)
                        atexit(report_leftovers);
        }
        bench_error_free(err);
        lay_stack_clear(&st);
        remove_tree(store);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        const char *root = fuzz_workdir();
        uint8_t *t = malloc(size ? size : 1);
        if (!t)
                return 0;
        memcpy(t, data, size);
        /* gzip and zstd layers go in as they are */
        if (!(size >= 2 && t[0] == 0x1f && t[1] == 0x8b) && !(size >= 4 && !memcmp(t, "\x28\xb5\x2f\xfd", 4)))
                tar_fix_checksums(t, size);
        char run[4200], in[4300], p[4400], store[4400];
        snprintf(run, sizeof(run), "%s/run", root);
        snprintf(in, sizeof(in), "%s/in", run);
        snprintf(store, sizeof(store), "%s/cache/store", run);
        if (mkdir(run, 0700) < 0 || mkdir(in, 0700) < 0)
                fuzz_die("mkdir %s: %s", in, strerror(errno));
        snprintf(p, sizeof(p), "%s/manifest.json", in);
        /* no Config: nothing to verify the fuzzed layer against */
        static const char manifest[] = "[{\"Layers\":[\"layer.tar\"]}]";
        fuzz_write(p, manifest, sizeof(manifest) - 1);
        snprintf(p, sizeof(p), "%s/layer.tar", in);
        fuzz_write(p, t, size);
        snprintf(p, sizeof(p), "%s/image.tar", run);
        fuzz_write(p, t, size);
        free(t);

        import_one(in, store);
        import_one(p, store);

        expect_only(root, "run");
        expect_only(run, "in image.tar cache");
        expect_only(in, "manifest.json layer.tar");
        snprintf(p, sizeof(p), "%s/cache", run);
        expect_only(p, "store");
        char rl[8192];
        if (fuzz_list("/", rl, sizeof(rl)) != root_count || strcmp(rl, root_list) != 0)
                fuzz_die("`/` changed during the import: was `%s`, now `%s`", root_list, rl);
        remove_tree(run);
        return 0;
}
