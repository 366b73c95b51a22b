/* SPDX-License-Identifier: MIT */
#include "cpulist.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

int bench_cpulist_format(const cpu_set_t *set, char *buf, size_t len) {
        size_t used = 0;
        if (!len)
                return -ENOBUFS;
        buf[0] = 0;
        for (int cpu = 0; cpu < CPU_SETSIZE; cpu++) {
                if (!CPU_ISSET(cpu, set))
                        continue;
                int last = cpu;
                while (last + 1 < CPU_SETSIZE && CPU_ISSET(last + 1, set))
                        last++;
                int n = last == cpu ? snprintf(buf + used, len - used, "%s%d", used ? "," : "", cpu)
                                    : snprintf(buf + used, len - used, "%s%d-%d", used ? "," : "", cpu, last);
                if (n < 0 || (size_t)n >= len - used)
                        return -ENOBUFS;
                used += (size_t)n;
                cpu = last;
        }
        return 0;
}

static int parse_cpu(const char **p, unsigned long *ret) {
        char *end;
        if (**p < '0' || **p > '9')
                return -EINVAL;
        errno = 0;
        unsigned long v = strtoul(*p, &end, 10);
        if (errno)
                return -ERANGE;
        *p = end;
        *ret = v;
        return 0;
}

int bench_cpulist_parse(const char *s, cpu_set_t *ret, bench_error **err) {
        cpu_set_t set;
        const char *p = s;
        CPU_ZERO(&set);
        if (!s || !*s)
                return bench_error_set(err, EINVAL, "empty cpu list (expected e.g. 1 or 0-3,6)");
        while (*p) {
                unsigned long a, b;
                if (parse_cpu(&p, &a) < 0)
                        goto bad;
                b = a;
                if (*p == '-') {
                        p++;
                        if (parse_cpu(&p, &b) < 0 || b < a)
                                goto bad;
                }
                if (b >= CPU_SETSIZE)
                        return bench_error_set(err, ERANGE, "cpu list `%s`: cpu %lu is out of range (max %d)",
                                               s, b, CPU_SETSIZE - 1);
                for (unsigned long c = a; c <= b; c++)
                        CPU_SET(c, &set);
                if (*p == ',' && p[1])
                        p++;
                else if (*p)
                        goto bad;
        }
        *ret = set;
        return 0;
bad:
        return bench_error_set(err, EINVAL, "cpu list `%s`: expected a list such as 1 or 0-3,6", s);
}

int bench_cpulist_check_allowed(const char *s, bench_error **err) {
        cpu_set_t want, allowed, extra;
        int r = bench_cpulist_parse(s, &want, err);
        if (r < 0)
                return r;
        if (sched_getaffinity(0, sizeof(allowed), &allowed) < 0)
                return bench_error_errno(err, errno, "sched_getaffinity");
        CPU_XOR(&extra, &want, &allowed);
        CPU_AND(&extra, &extra, &want);
        if (CPU_COUNT(&extra) > 0) {
                char bad[256], ok[256];
                if (bench_cpulist_format(&extra, bad, sizeof(bad)) < 0)
                        snprintf(bad, sizeof(bad), "...");
                if (bench_cpulist_format(&allowed, ok, sizeof(ok)) < 0)
                        snprintf(ok, sizeof(ok), "...");
                return bench_error_set(err, ERANGE,
                                       "cpus `%s`: cpu %s not available on this host (allowed: %s)", s, bad,
                                       ok);
        }
        return 0;
}
