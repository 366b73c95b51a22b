/* SPDX-License-Identifier: MIT */
/*
 * cmp_mann_whitney for tests/unit/mw_exact_check.py: each stdin line
 * "a1 a2 ... ; b1 b2 ..." gives one line "p method" (p to 17 digits).
 * With --time A B T: the time of one p-value for A vs B values, every value
 * in T tie groups (the exact-ties branch at its bound), in ms.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../../common/cleanup.h"
#include "../../results/compare.h"

static int parse_side(char *s, double *x, size_t max, size_t *ret_n) {
        size_t n = 0;
        for (char *tok = strtok(s, " \t\n"); tok; tok = strtok(NULL, " \t\n")) {
                char *end;
                if (n == max)
                        return -1;
                x[n++] = strtod(tok, &end);
                if (*end)
                        return -1;
        }
        *ret_n = n;
        return 0;
}

static int time_one(size_t na, size_t nb, unsigned groups) {
        _cleanup_free_ double *a = calloc(na, sizeof(double)), *b = calloc(nb, sizeof(double));
        if (!a || !b)
                return 1;
        for (size_t i = 0; i < na; i++)
                a[i] = (double)(i % groups);
        for (size_t i = 0; i < nb; i++)
                b[i] = (double)((i * 7 + 1) % groups);
        struct timespec t0, t1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        cmp_p_method m;
        double p = cmp_mann_whitney(a, na, b, nb, &m);
        clock_gettime(CLOCK_MONOTONIC, &t1);
        printf("%zu vs %zu, %u tie groups: p %.6g (%s) in %.2f ms\n", na, nb, groups, p,
               cmp_p_method_name(m) ? cmp_p_method_name(m) : "-",
               (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6);
        return 0;
}

int main(int argc, char **argv) {
        if (argc == 5 && !strcmp(argv[1], "--time"))
                return time_one(strtoul(argv[2], NULL, 10), strtoul(argv[3], NULL, 10),
                                (unsigned)strtoul(argv[4], NULL, 10));
        static char line[1 << 16];
        static double a[4096], b[4096];
        while (fgets(line, sizeof(line), stdin)) {
                char *semi = strchr(line, ';');
                size_t na, nb;
                if (!semi)
                        return 2;
                *semi = '\0';
                if (parse_side(line, a, 4096, &na) < 0 || parse_side(semi + 1, b, 4096, &nb) < 0)
                        return 2;
                cmp_p_method m;
                double p = cmp_mann_whitney(a, na, b, nb, &m);
                const char *name = cmp_p_method_name(m);
                printf("%.17g %s\n", p, name ? name : "-");
        }
        return 0;
}
