/* SPDX-License-Identifier: MIT */
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"

char *bench_agent_path(void) {
        const char *env = getenv("BENCH_AGENT");
        if (env && *env)
                return strdup(env);
        char self[PATH_MAX];
        ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
        if (n <= 0)
                return strdup("bench-agent");
        self[n] = '\0';
        char *p = NULL;
        if (asprintf(&p, "%s/bench-agent", dirname(self)) < 0)
                return NULL;
        return p;
}
