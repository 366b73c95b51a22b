/* SPDX-License-Identifier: MIT */
#include "activity.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../common/cleanup.h"
#include "../common/util.h"

/* include/linux/sched.h: the flags field (9th) of /proc/PID/stat marks kernel threads */
#define PF_KTHREAD 0x00200000u
/* a ppid chain longer than this is a race with pid reuse: give up */
#define MAX_ANCESTRY 4096

/* ---- parsers ---- */

/* n decimal fields separated by blanks, none negative nor out of range; 0 or -EINVAL. */
static int parse_u64s(const char *s, unsigned long long *v, size_t n) {
        for (size_t i = 0; i < n; i++) {
                s += strspn(s, " \t");
                if (!isdigit((unsigned char)*s))
                        return -EINVAL;
                char *end;
                errno = 0;
                v[i] = strtoull(s, &end, 10);
                if (errno)
                        return -EINVAL;
                s = end;
        }
        return 0;
}

int act_parse_stat(const char *text, act_cpu *ret) {
        for (const char *line = text; line && *line;) {
                if (!strncmp(line, "cpu ", 4)) {
                        unsigned long long v[8];
                        /* user nice system idle iowait irq softirq steal (guest time is inside user) */
                        if (parse_u64s(line + 4, v, 8) < 0)
                                return -EINVAL;
                        act_cpu c = {0};
                        for (size_t i = 0; i < 8; i++)
                                if (__builtin_add_overflow(c.total, v[i], &c.total))
                                        return -EINVAL;
                        c.steal = v[7];
                        *ret = c;
                        return 0;
                }
                line = strchr(line, '\n');
                if (line)
                        line++;
        }
        return -EINVAL;
}

int act_parse_loadavg(const char *text, double ret[3]) {
        double l[3];
        if (sscanf(text, "%lf %lf %lf", &l[0], &l[1], &l[2]) != 3)
                return -EINVAL;
        for (size_t i = 0; i < 3; i++) {
                if (!isfinite(l[i]) || l[i] < 0)
                        return -EINVAL;
                ret[i] = l[i];
        }
        return 0;
}

void act_sanitize_comm(const char *in, size_t in_len, char *out, size_t len) {
        size_t k = 0;
        if (len == 0)
                return;
        for (size_t i = 0; i < in_len && in[i] && k + 1 < len; i++) {
                unsigned char ch = (unsigned char)in[i];
                out[k++] = ch >= 0x20 && ch < 0x7f && !strchr("\"&'<>\\`", ch) ? (char)ch : '?';
        }
        out[k] = 0;
}

int act_parse_pid_stat(const char *text, act_proc *ret) {
        /* "pid (comm) state ppid ...": comm may hold spaces and parentheses, it ends at the last ')' */
        const char *open = strchr(text, '('), *close = strrchr(text, ')');
        int pid;
        if (!open || !close || close < open || sscanf(text, "%d", &pid) != 1 || pid <= 0)
                return -EINVAL;
        int ppid;
        unsigned flags;
        unsigned long long utime, stime, start;
        /* fields 3.. : state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime
         * cutime cstime priority nice threads itrealvalue starttime */
        if (sscanf(close + 1,
                   " %*c %d %*d %*d %*d %*d %u %*u %*u %*u %*u %llu %llu %*d %*d %*d %*d %*d %*d %llu", &ppid,
                   &flags, &utime, &stime, &start) != 5)
                return -EINVAL;
        act_proc p = {.pid = pid, .ppid = ppid, .kthread = flags & PF_KTHREAD, .start = start};
        if (__builtin_add_overflow(utime, stime, &p.ticks))
                return -EINVAL;
        act_sanitize_comm(open + 1, (size_t)(close - open - 1), p.comm, sizeof(p.comm));
        *ret = p;
        return 0;
}

/* The path of the line "id:controllers:" of a /proc/PID/cgroup text; NULL if none. len: its length. */
static const char *cgroup_path_of(const char *text, const char *key, size_t key_len, size_t *ret_len) {
        for (const char *line = text; line && *line;) {
                const char *end = strchrnul(line, '\n');
                if ((size_t)(end - line) >= key_len && !strncmp(line, key, key_len)) {
                        *ret_len = (size_t)(end - line) - key_len;
                        return line + key_len;
                }
                line = *end ? end + 1 : NULL;
        }
        return NULL;
}

/* A path component named "bench" or holding "bench-" (libvirt's machine names escape '-' as "\x2d"). */
static bool path_names_bench(const char *path, size_t len) {
        for (size_t i = 0; i < len;) {
                size_t j = i;
                while (j < len && path[j] != '/')
                        j++;
                _cleanup_free_ char *comp = strndup(path + i, j - i);
                if (comp && (!strcmp(comp, "bench") || strstr(comp, "bench-") || strstr(comp, "bench\\x2d")))
                        return true;
                i = j + 1;
        }
        return false;
}

bool act_cgroup_is_bench(const char *cgroup, const char *own) {
        for (const char *line = cgroup; line && *line;) {
                const char *end = strchrnul(line, '\n');
                /* "id:controllers:path" */
                const char *c1 = memchr(line, ':', (size_t)(end - line));
                const char *c2 = c1 ? memchr(c1 + 1, ':', (size_t)(end - c1 - 1)) : NULL;
                if (c2) {
                        size_t key_len = (size_t)(c2 + 1 - line), own_len = 0;
                        const char *path = c2 + 1;
                        size_t path_len = (size_t)(end - path);
                        const char *own_path = own ? cgroup_path_of(own, line, key_len, &own_len) : NULL;
                        bool same = own_path && own_len == path_len && !memcmp(own_path, path, path_len);
                        if (!same && path_names_bench(path, path_len))
                                return true;
                }
                line = *end ? end + 1 : NULL;
        }
        return false;
}

bool act_cmdline_is_bench(const char *cmdline, size_t len, int self) {
        char want[48];
        int wl = snprintf(want, sizeof(want), "guest=bench-%d-", self);
        for (size_t i = 0; i < len;) {
                const char *arg = cmdline + i;
                size_t al = strnlen(arg, len - i);
                /* "-name guest=bench-PID-N,debug-threads=on" */
                if (al >= (size_t)wl && !strncmp(arg, want, (size_t)wl))
                        return true;
                i += al + 1;
        }
        return false;
}

static int cmp_pid(const void *a, const void *b) {
        const act_proc *x = a, *y = b;
        return (x->pid > y->pid) - (x->pid < y->pid);
}

static const act_proc *find_pid(const act_proc *procs, size_t n, int pid) {
        act_proc key = {.pid = pid};
        return bsearch(&key, procs, n, sizeof(act_proc), cmp_pid);
}

bool act_descends_from(const act_proc *procs, size_t n, size_t i, int ancestor) {
        const act_proc *p = &procs[i];
        for (size_t steps = 0; p && steps < MAX_ANCESTRY; steps++) {
                if (p->pid == ancestor)
                        return true;
                if (p->ppid <= 0 || p->ppid == p->pid)
                        return false;
                p = find_pid(procs, n, p->ppid);
        }
        return false;
}

/* ---- warnings ---- */

static bool add_warning(cJSON *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static bool add_warning(cJSON *a, const char *fmt, ...) {
        char *s = NULL;
        va_list ap;
        va_start(ap, fmt);
        int r = vasprintf(&s, fmt, ap);
        va_end(ap);
        if (r < 0)
                return false;
        cJSON *j = cJSON_CreateString(s);
        free(s);
        if (!j)
                return false;
        cJSON_AddItemToArray(a, j);
        return true;
}

cJSON *act_warnings(const act_figures *fig) {
        _cleanup_json_ cJSON *a = cJSON_CreateArray();
        if (!a)
                return NULL;
        if (fig->cpus > 0 && fig->load_before >= 0 && fig->load_before / fig->cpus > ACT_LOAD_PER_CPU_MAX &&
            !add_warning(a, "host busy: load %.2f before the run on %u CPU%s (more than %.1f per CPU)",
                         fig->load_before, fig->cpus, fig->cpus == 1 ? "" : "s", ACT_LOAD_PER_CPU_MAX))
                return NULL;
        if (fig->other_cpu_pct > ACT_OTHER_CPU_PCT_MAX) {
                char top[128] = "";
                if (fig->top_comm)
                        snprintf(top, sizeof(top), "; the busiest: %s (pid %d) %.0f%% of a CPU",
                                 fig->top_comm, fig->top_pid, fig->top_cpu_pct);
                if (!add_warning(
                            a, "host busy: other processes used %.1f%% of the CPU time (more than %.0f%%)%s",
                            fig->other_cpu_pct, ACT_OTHER_CPU_PCT_MAX, top))
                        return NULL;
        }
        if (fig->steal_pct > ACT_STEAL_PCT_MAX &&
            !add_warning(a, "CPU time stolen: the hypervisor took %.1f%% of the CPU time (more than %.0f%%)",
                         fig->steal_pct, ACT_STEAL_PCT_MAX))
                return NULL;
        return steal_pointer(&a);
}

/* ---- sampling ---- */

/* A process that is not bench's, with the CPU time it used between samples. */
typedef struct act_busy {
        int pid;
        unsigned long long start, ticks;
        char comm[ACT_COMM_LEN];
} act_busy;

struct activity {
        pid_t self;
        long hz;
        unsigned cpus;
        char *own_cgroup; /* /proc/self/cgroup */
        unsigned n_samples;
        double load_first[3], load_last[3];
        bool have_load_first, have_load_last;
        act_cpu cpu_first, cpu_last;
        bool have_cpu_first, have_cpu_last;
        uint64_t t_first_ns, t_last_ns;
        act_proc *prev; /* the last scan, sorted by pid */
        size_t n_prev;
        unsigned long long prev_boot_ticks; /* when it began, in ticks after boot */
        act_busy *busy;
        size_t n_busy;
        double scan_ms_total;
        unsigned scans;
};

static char *read_proc_text(const char *path) {
        char *data = NULL;
        return bench_read_file(path, &data, NULL, NULL) < 0 ? NULL : data;
}

activity *activity_new(void) {
        activity *a = calloc(1, sizeof(*a));
        if (!a)
                return NULL;
        a->self = getpid();
        a->hz = sysconf(_SC_CLK_TCK);
        if (a->hz <= 0)
                a->hz = 100;
        long cpus = sysconf(_SC_NPROCESSORS_ONLN);
        a->cpus = cpus > 0 ? (unsigned)cpus : 0;
        a->own_cgroup = read_proc_text("/proc/self/cgroup");
        return a;
}

void activity_free(activity *a) {
        if (!a)
                return;
        free(a->own_cgroup);
        free(a->prev);
        free(a->busy);
        free(a);
}

static unsigned long long boot_ticks(long hz) {
        struct timespec ts;
        clock_gettime(CLOCK_BOOTTIME, &ts);
        return (unsigned long long)ts.tv_sec * (unsigned long long)hz +
               (unsigned long long)ts.tv_nsec * (unsigned long long)hz / 1000000000ull;
}

/* Every process of /proc, sorted by pid; -errno when /proc cannot be listed. */
static int scan_procs(act_proc **ret, size_t *ret_n) {
        _cleanup_(closedirp) DIR *d = opendir("/proc");
        if (!d)
                return -errno;
        act_proc *v = NULL;
        size_t n = 0, cap = 0;
        for (struct dirent *e; (e = readdir(d));) {
                if (!isdigit((unsigned char)e->d_name[0]))
                        continue;
                char path[sizeof(e->d_name) + 8], buf[1024];
                snprintf(path, sizeof(path), "%s/stat", e->d_name);
                _cleanup_close_ int fd = openat(dirfd(d), path, O_RDONLY | O_CLOEXEC);
                if (fd < 0)
                        continue; /* gone meanwhile */
                ssize_t k = read(fd, buf, sizeof(buf) - 1);
                if (k <= 0)
                        continue;
                buf[k] = 0;
                act_proc p;
                if (act_parse_pid_stat(buf, &p) < 0)
                        continue;
                if (n == cap) {
                        act_proc *nv = reallocarray(v, cap ? cap * 2 : 256, sizeof(act_proc));
                        if (!nv) {
                                free(v);
                                return -ENOMEM;
                        }
                        v = nv;
                        cap = cap ? cap * 2 : 256;
                }
                v[n++] = p;
        }
        if (n)
                qsort(v, n, sizeof(act_proc), cmp_pid);
        *ret = v;
        *ret_n = n;
        return 0;
}

static act_busy *busy_entry(activity *a, const act_proc *p) {
        for (size_t i = 0; i < a->n_busy; i++)
                if (a->busy[i].pid == p->pid && a->busy[i].start == p->start)
                        return &a->busy[i];
        act_busy *nb = reallocarray(a->busy, a->n_busy + 1, sizeof(act_busy));
        if (!nb)
                return NULL;
        a->busy = nb;
        act_busy *b = &a->busy[a->n_busy++];
        *b = (act_busy){.pid = p->pid, .start = p->start};
        return b;
}

/* Whether the process is one of bench's environments by its cgroups or its VM's name (read now). */
static bool in_bench_env(const activity *a, int pid) {
        char path[64];
        snprintf(path, sizeof(path), "/proc/%d/cgroup", pid);
        _cleanup_free_ char *cg = read_proc_text(path);
        if (cg && act_cgroup_is_bench(cg, a->own_cgroup))
                return true;
        snprintf(path, sizeof(path), "/proc/%d/cmdline", pid);
        _cleanup_free_ char *cmd = NULL;
        size_t len = 0;
        return bench_read_file(path, &cmd, &len, NULL) == 0 && act_cmdline_is_bench(cmd, len, a->self);
}

/* The CPU time each other process used since the previous scan goes to its busy entry. */
static void attribute(activity *a, const act_proc *cur, size_t n) {
        for (size_t i = 0; i < n; i++) {
                const act_proc *p = &cur[i];
                if (p->kthread || act_descends_from(cur, n, i, a->self))
                        continue;
                const act_proc *before = find_pid(a->prev, a->n_prev, p->pid);
                unsigned long long used;
                if (before && before->start == p->start)
                        used = p->ticks >= before->ticks ? p->ticks - before->ticks : 0;
                else if (p->start >= a->prev_boot_ticks)
                        used = p->ticks; /* born since: all of it */
                else
                        used = 0;
                if (used == 0 || in_bench_env(a, p->pid))
                        continue;
                act_busy *b = busy_entry(a, p);
                if (!b)
                        return;
                b->ticks += used;
                memcpy(b->comm, p->comm, sizeof(b->comm));
        }
}

void activity_sample(activity *a) {
        if (!a)
                return;
        uint64_t t0 = bench_now_ns();
        unsigned long long ticks0 = boot_ticks(a->hz);
        _cleanup_free_ char *load = read_proc_text("/proc/loadavg");
        _cleanup_free_ char *stat = read_proc_text("/proc/stat");
        double l[3];
        act_cpu c;
        bool have_load = load && act_parse_loadavg(load, l) == 0,
             have_cpu = stat && act_parse_stat(stat, &c) == 0;
        act_proc *cur = NULL;
        size_t n = 0;
        bool have_procs = scan_procs(&cur, &n) == 0;

        if (have_procs) {
                if (a->scans > 0)
                        attribute(a, cur, n);
                free(a->prev);
                a->prev = cur;
                a->n_prev = n;
                a->prev_boot_ticks = ticks0;
        }
        if (a->n_samples == 0) {
                a->t_first_ns = t0;
                if ((a->have_load_first = have_load))
                        memcpy(a->load_first, l, sizeof(l));
                if ((a->have_cpu_first = have_cpu))
                        a->cpu_first = c;
        }
        a->t_last_ns = t0;
        if (have_load) {
                memcpy(a->load_last, l, sizeof(l));
                a->have_load_last = true;
        }
        if (have_cpu) {
                a->cpu_last = c;
                a->have_cpu_last = true;
        }
        a->n_samples++;
        if (have_procs) {
                a->scans++;
                a->scan_ms_total += bench_ns_to_ms(bench_now_ns() - t0);
        }
}

static double round2(double v) {
        return round(v * 100) / 100;
}

static cJSON *load_array(const double l[3]) {
        cJSON *a = cJSON_CreateArray();
        for (size_t i = 0; a && i < 3; i++)
                cJSON_AddItemToArray(a, cJSON_CreateNumber(l[i]));
        return a;
}

static int cmp_busy_desc(const void *x, const void *y) {
        const act_busy *a = x, *b = y;
        if (a->ticks != b->ticks)
                return a->ticks < b->ticks ? 1 : -1;
        return (a->pid > b->pid) - (a->pid < b->pid);
}

static void add_number_or_null(cJSON *o, const char *key, bool known, double v) {
        if (known)
                cJSON_AddNumberToObject(o, key, v);
        else
                cJSON_AddNullToObject(o, key);
}

cJSON *activity_to_json(const activity *a) {
        _cleanup_json_ cJSON *o = cJSON_CreateObject();
        if (!a || !o)
                return NULL;
        double seconds = a->n_samples > 1 ? (double)(a->t_last_ns - a->t_first_ns) / 1e9 : 0;
        bool interval = a->n_samples > 1 && a->have_cpu_first && a->have_cpu_last &&
                        a->cpu_last.total > a->cpu_first.total;
        double total = interval ? (double)(a->cpu_last.total - a->cpu_first.total) : 0;
        double steal_pct = interval ? 100.0 * (double)(a->cpu_last.steal - a->cpu_first.steal) / total : -1;
        unsigned long long other = 0;
        for (size_t i = 0; i < a->n_busy; i++)
                other += a->busy[i].ticks;
        double other_pct = interval && a->scans > 1 ? 100.0 * (double)other / total : -1;

        cJSON_AddNumberToObject(o, "samples", a->n_samples);
        cJSON_AddNumberToObject(o, "seconds", round2(seconds));
        cJSON_AddNumberToObject(o, "cpus", a->cpus);
        cJSON_AddItemToObject(o, "load_before",
                              a->have_load_first ? load_array(a->load_first) : cJSON_CreateNull());
        cJSON_AddItemToObject(o, "load_after",
                              a->n_samples > 1 && a->have_load_last ? load_array(a->load_last)
                                                                    : cJSON_CreateNull());
        add_number_or_null(o, "steal_pct", steal_pct >= 0, round2(steal_pct));
        add_number_or_null(o, "other_cpu_pct", other_pct >= 0, round2(other_pct));

        _cleanup_free_ act_busy *sorted = a->n_busy ? malloc(a->n_busy * sizeof(act_busy)) : NULL;
        if (a->n_busy && !sorted)
                return NULL;
        if (sorted) {
                memcpy(sorted, a->busy, a->n_busy * sizeof(act_busy));
                qsort(sorted, a->n_busy, sizeof(act_busy), cmp_busy_desc);
        }
        cJSON *busy = cJSON_AddArrayToObject(o, "busy");
        if (!busy)
                return NULL;
        for (size_t i = 0; i < a->n_busy && i < ACT_TOP_N; i++) {
                double cpu_s = (double)sorted[i].ticks / (double)a->hz;
                if (cpu_s < ACT_LIST_MIN_CPU_S)
                        break;
                cJSON *e = cJSON_CreateObject();
                if (!e)
                        return NULL;
                cJSON_AddItemToArray(busy, e);
                cJSON_AddNumberToObject(e, "pid", sorted[i].pid);
                cJSON_AddStringToObject(e, "comm", sorted[i].comm);
                cJSON_AddNumberToObject(e, "cpu_s", round2(cpu_s));
                add_number_or_null(e, "cpu_pct", seconds > 0,
                                   round2(seconds > 0 ? 100.0 * cpu_s / seconds : 0));
        }
        cJSON_AddNumberToObject(o, "scan_ms", a->scans ? round2(a->scan_ms_total / a->scans) : 0);

        act_figures fig = {
                .cpus = a->cpus,
                .load_before = a->have_load_first ? a->load_first[0] : -1,
                .steal_pct = steal_pct,
                .other_cpu_pct = other_pct,
        };
        if (sorted && seconds > 0) {
                fig.top_comm = sorted[0].comm;
                fig.top_pid = sorted[0].pid;
                fig.top_cpu_pct = 100.0 * (double)sorted[0].ticks / (double)a->hz / seconds;
        }
        cJSON *w = act_warnings(&fig);
        if (!w)
                return NULL;
        cJSON_AddItemToObject(o, "warnings", w);
        return steal_pointer(&o);
}

void activity_print_warnings(const activity *a, FILE *f) {
        _cleanup_json_ cJSON *o = activity_to_json(a);
        const cJSON *w = o ? cJSON_GetObjectItemCaseSensitive(o, "warnings") : NULL, *e;
        cJSON_ArrayForEach(e, w) {
                if (!cJSON_IsString(e))
                        continue;
                /* names of processes are sanitized when read; escaped again, as every text of a file is */
                _cleanup_free_ char *s = bench_escape_text(e->valuestring, 0);
                fprintf(f, "bench: warning: %s\n", s ? s : "?");
        }
}
