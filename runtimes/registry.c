/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <string.h>

#include "driver.h"

#define RT_KIND(kind) {#kind, rt_##kind##_options, &rt_##kind##_driver},

const rt_kind rt_kinds[] = {
        RT_DRIVERS(RT_KIND){0},
};

/* A default is written by hand as text: one that does not pass its own check is a bug. */
static int validate_options(const rt_driver *d, bench_error **err) {
        if (!d->options)
                return bench_error_set(err, EINVAL, "driver %s: no option table", d->name);
        for (const bench_opt_spec *s = d->options; s->name; s++) {
                char why[256];
                bench_opt_spec scalar = *s;
                if (scalar.type == BENCH_OPT_UINT_OR_STRLIST)
                        scalar.type = BENCH_OPT_UINT;
                if (!s->help)
                        return bench_error_set(err, EINVAL, "driver %s: option `%s` has no help", d->name,
                                               s->name);
                if (s->def && bench_opt_check(&scalar, s->def, why, sizeof(why)) < 0)
                        return bench_error_set(err, EINVAL, "driver %s: option `%s`: default `%s` %s",
                                               d->name, s->name, s->def, why);
        }
        return 0;
}

int rt_driver_validate(const rt_driver *d, bench_error **err) {
        if (!d->name || !d->probe || !d->create || !d->start || !d->measure || !d->wait || !d->phases ||
            !d->destroy)
                return bench_error_set(err, EINVAL, "driver %s: incomplete ops table",
                                       d->name ? d->name : "?");
        return validate_options(d, err);
}

const rt_kind *rt_kind_find(const char *name) {
        for (const rt_kind *k = rt_kinds; k->name; k++)
                if (!strcmp(k->name, name))
                        return k;
        return NULL;
}
