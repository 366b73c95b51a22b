/* SPDX-License-Identifier: MIT */
#include "kind.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../layers/layers.h"

static int add_layer(ctr_rootfs *r, const char *dir) {
        char *d = strdup(dir);
        char **n = d ? realloc(r->layers, (r->n_layers + 1) * sizeof(char *)) : NULL;
        if (!n) {
                free(d);
                return -ENOMEM;
        }
        r->layers = n;
        r->layers[r->n_layers++] = d;
        return 0;
}

/* A layer bench made (malloc'd dir), taken over. */
static int take_layer(ctr_rootfs *r, char *dir) {
        int q = add_layer(r, dir);
        free(dir);
        return q;
}

void ctr_rootfs_clear(ctr_rootfs *r) {
        for (size_t i = 0; i < r->n_layers; i++)
                free(r->layers[i]);
        free(r->layers);
        free(r->agent_bind);
        *r = (ctr_rootfs){0};
}

int ctr_rootfs_assemble(const cJSON *o, const bench_opt_spec *t, const char *agent_path, unsigned flags,
                        ctr_rootfs *ret, bench_error **err) {
        ctr_rootfs r = {0};
        const char *stack = bench_opt_string(o, t, "stack");
        const cJSON *l, *dirs = bench_opt_list(o, t, "layers");
        char *dir = NULL;
        int q = 0;
        if (flags & CTR_ROOTFS_LISTED_ONLY) {
                cJSON_ArrayForEach(l, dirs) if (q == 0) q = add_layer(&r, l->valuestring);
                if (q < 0)
                        goto oom;
                *ret = r;
                return 0;
        }
        if (stack) {
                r.data = true;
                if (!(r.agent_bind = strdup(agent_path)))
                        goto oom;
                /*
                 * the stack's layers at the bottom, the listed dirs above them: as
                 * listed dirs go above bench's base layer, and as `bench container
                 * run --stack S --layer D` stacks them (a layer built FROM the image)
                 */
                lay_stack st = {0};
                if ((q = lay_stack_resolve(stack, &st, err)) < 0) {
                        ctr_rootfs_clear(&r);
                        return bench_error_prefix(err, "stack");
                }
                for (size_t i = 0; i < st.n_layers && q == 0; i++)
                        q = add_layer(&r, st.layers[i]);
                lay_stack_clear(&st);
                if (q < 0)
                        goto oom;
                cJSON_ArrayForEach(l, dirs) if (q == 0) q = add_layer(&r, l->valuestring);
                if (q < 0)
                        goto oom;
                *ret = r;
                return 0;
        }
        if ((q = ctr_base_layer(agent_path, &dir, err)) < 0) {
                ctr_rootfs_clear(&r);
                return q;
        }
        if (take_layer(&r, dir) < 0)
                goto oom;
        if (dirs) {
                cJSON_ArrayForEach(l, dirs) if (q == 0) q = add_layer(&r, l->valuestring);
                if (q < 0)
                        goto oom;
        } else {
                /* a count: the base layer and fillers up to it */
                uint64_t n = bench_opt_uint(o, t, "layers");
                for (unsigned i = 1; i < n; i++) {
                        if ((q = ctr_filler_layer(i, &dir, err)) < 0) {
                                ctr_rootfs_clear(&r);
                                return q;
                        }
                        if (take_layer(&r, dir) < 0)
                                goto oom;
                }
        }
        *ret = r;
        return 0;
oom:
        ctr_rootfs_clear(&r);
        return bench_error_set(err, ENOMEM, "out of memory");
}

size_t ctr_agent_args(bool readonly_rootfs, bool data, const char *out[CTR_AGENT_ARGS_MAX]) {
        size_t n = 0;
        out[n++] = "/bench-agent";
        out[n++] = "--dir";
        /* with a read-only rootfs the agent's scratch is the /tmp tmpfs */
        out[n++] = readonly_rootfs ? "/tmp" : "/scratch";
        if (data) {
                out[n++] = "--data";
                out[n++] = "/";
        }
        return n;
}
