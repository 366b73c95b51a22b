/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../../common/cleanup.h"
#include "../../common/util.h"
#include "layers.h"

static int parse_synth(const char *args, lay_synth *p, uint64_t *big, size_t max_big, bench_error **err) {
        _cleanup_free_ char *copy = strdup(args);
        if (!copy)
                return bench_error_set(err, ENOMEM, "out of memory");
        *p = (lay_synth){0};
        char *save = NULL;
        for (char *kv = strtok_r(copy, ",", &save); kv; kv = strtok_r(NULL, ",", &save)) {
                char *eq = strchr(kv, '=');
                if (!eq)
                        return bench_error_set(err, EINVAL, "stack `synth:%s`: `%s` is not key=value", args,
                                               kv);
                *eq = '\0';
                const char *k = kv, *v = eq + 1;
                uint64_t u = 0;
                int r = 0;
                if (!strcmp(k, "layers") || !strcmp(k, "files") || !strcmp(k, "dirs") ||
                    !strcmp(k, "copy_files") || !strcmp(k, "seed")) {
                        r = bench_parse_uint(v, !strcmp(k, "layers") ? 500 : UINT32_MAX, &u);
                        if (!strcmp(k, "layers"))
                                p->layers = (unsigned)u;
                        else if (!strcmp(k, "files"))
                                p->files = (unsigned)u;
                        else if (!strcmp(k, "dirs"))
                                p->dirs = (unsigned)u;
                        else if (!strcmp(k, "copy_files"))
                                p->copy_files = (unsigned)u;
                        else
                                p->seed = u;
                } else if (!strcmp(k, "size")) {
                        r = bench_parse_size(v, &p->size);
                } else if (!strcmp(k, "big")) {
                        /* sizes joined by '+': big=64K+1M */
                        _cleanup_free_ char *list = strdup(v);
                        char *s2 = NULL;
                        p->n_big = 0;
                        for (char *b = strtok_r(list, "+", &s2); b && r == 0; b = strtok_r(NULL, "+", &s2)) {
                                if (p->n_big == max_big)
                                        return bench_error_set(err, E2BIG, "stack: at most %zu big sizes",
                                                               max_big);
                                r = bench_parse_size(b, &big[p->n_big++]);
                        }
                        p->big = big;
                } else
                        return bench_error_set(
                                err, EINVAL,
                                "stack `synth:%s`: unknown key `%s` (layers, files, dirs, size, big, "
                                "copy_files, seed)",
                                args, k);
                if (r < 0)
                        return bench_error_set(err, EINVAL, "stack `synth:%s`: bad value `%s` for %s", args,
                                               v, k);
        }
        if (p->layers == 0)
                return bench_error_set(err, EINVAL, "stack `synth:%s`: layers=N (1..500) is required", args);
        return 0;
}

int lay_stack_check(const char *spec, bench_error **err) {
        if (!strncmp(spec, "synth:", 6)) {
                lay_synth p;
                uint64_t big[16];
                return parse_synth(spec + 6, &p, big, 16, err);
        }
        const char *path = !strncmp(spec, "oci:", 4) ? spec + 4 : spec;
        struct stat st;
        if (strchr(path, '/') && stat(path, &st) < 0)
                return bench_error_errno(err, errno, "stack `%s`", spec);
        return 0;
}

int lay_stack_resolve(const char *spec, lay_stack *ret, bench_error **err) {
        if (!strncmp(spec, "synth:", 6)) {
                lay_synth p;
                uint64_t big[16];
                int r = parse_synth(spec + 6, &p, big, 16, err);
                if (r < 0)
                        return r;
                return lay_synthesize(&p, ret, err);
        }
        if (!strncmp(spec, "oci:", 4))
                return lay_import(spec + 4, ret, err);
        if (strchr(spec, '/'))
                return lay_import(spec, ret, err);
        return lay_open(spec, ret, err);
}
