/* SPDX-License-Identifier: MIT */
#include "dl.h"

#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>

static pthread_mutex_t dl_lock = PTHREAD_MUTEX_INITIALIZER;

static int load(bench_dl *dl) {
        void *h = dlopen(dl->soname, RTLD_NOW | RTLD_LOCAL);
        if (!h) {
                snprintf(dl->why, sizeof(dl->why), "cannot load %s (install %s): %s", dl->what, dl->package,
                         dlerror());
                return -ENOENT;
        }
        for (const bench_dl_sym *s = dl->syms; s->name; s++) {
                /* POSIX's way to store a function's address from dlsym (see dlsym(3)) */
                void **slot = (void **)((char *)dl->table + s->offset);
                *slot = dlsym(h, s->name);
                if (!*slot) {
                        snprintf(dl->why, sizeof(dl->why), "%s has no %s: %s", dl->what, s->name, dlerror());
                        dlclose(h);
                        return -ENOENT;
                }
        }
        return 1;
}

int bench_dl_load(bench_dl *dl, bench_error **err) {
        pthread_mutex_lock(&dl_lock);
        if (!dl->state)
                dl->state = load(dl);
        int state = dl->state;
        pthread_mutex_unlock(&dl_lock);
        if (state < 0)
                return bench_error_set(err, -state, "%s", dl->why);
        return 0;
}
