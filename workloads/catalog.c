/* SPDX-License-Identifier: MIT */
#include "catalog.h"

#include <stddef.h>
#include <string.h>

#define WL_SPEC_ADDRESS(n) &wl_##n##_spec,
const wl_spec *const wl_catalog[] = {WL_LIST(WL_SPEC_ADDRESS) NULL};
#undef WL_SPEC_ADDRESS

const wl_spec *wl_catalog_find(const char *name) {
        for (size_t i = 0; wl_catalog[i]; i++)
                if (!strcmp(wl_catalog[i]->name, name))
                        return wl_catalog[i];
        return NULL;
}

const wl_metric_spec *wl_metric_find(const wl_spec *spec, const char *metric) {
        for (const wl_metric_spec *m = spec->metrics; m->name; m++) {
                if (!strcmp(m->name, metric))
                        return m;
                /* "phase.*_ms" matches "phase.clone_ms" */
                const char *star = strchr(m->name, '*');
                if (star) {
                        size_t pre = (size_t)(star - m->name), post = strlen(star + 1), ml = strlen(metric);
                        if (ml > pre + post && !strncmp(metric, m->name, pre) &&
                            !strcmp(metric + ml - post, star + 1))
                                return m;
                }
        }
        return NULL;
}
