/* SPDX-License-Identifier: MIT */
/*
 * bench-agent: one static binary holding every workload. Runs on the host,
 * as a container's process (maybe PID 1) and as a VM's /init. Protocol:
 * the ready byte first, then JSON lines on stdout (see DESIGN.md).
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/reboot.h>
#include <sys/sysinfo.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "../common/cleanup.h"
#include "../common/util.h"
#include "agent.h"

/* The generated header is only on the include path if the build puts it there. */
#if __has_include("version.h")
#include "version.h"
#endif
#ifndef BENCH_VERSION
#define BENCH_VERSION "unknown"
#endif
#ifndef BENCH_GIT_COMMIT
#define BENCH_GIT_COMMIT "unknown"
#endif

#define DEFAULT_SEED 0x62656e6368ull /* "bench": fixed, so runs repeat */

/* The registry: one line per workload, catalog name -> run function. */
static const struct wl_entry {
        const char *name;
        wl_run_fn run;
} wl_registry[] = {
        {"startup", wl_startup_run},   {"memory", wl_memory_run}, {"cpu", wl_cpu_run},
        {"membw", wl_membw_run},       {"memlat", wl_memlat_run}, {"fileio", wl_fileio_run},
        {"metadata", wl_metadata_run}, {"copyup", wl_copyup_run},
};

static wl_run_fn registry_find(const char *name) {
        for (size_t i = 0; i < ELEMENTSOF(wl_registry); i++)
                if (!strcmp(wl_registry[i].name, name))
                        return wl_registry[i].run;
        return NULL;
}

/* ---- output: whole JSON lines, each written with one write(2) ---- */

typedef struct jline {
        char *buf;
        size_t len, cap;
        bool fields; /* a field was written: the next needs a comma */
} jline;

static void jl_reserve(jline *l, size_t more) {
        if (l->len + more + 1 <= l->cap)
                return;
        size_t cap = l->cap ? l->cap : 256;
        while (cap < l->len + more + 1)
                cap *= 2;
        char *nb = realloc(l->buf, cap);
        if (!nb) {
                /* nothing sensible is left to do without memory for one line */
                static const char msg[] = "bench-agent: out of memory\n";
                (void)!write(STDERR_FILENO, msg, sizeof(msg) - 1);
                _exit(1);
        }
        l->buf = nb;
        l->cap = cap;
}

static void jl_putn(jline *l, const char *s, size_t n) {
        jl_reserve(l, n);
        memcpy(l->buf + l->len, s, n);
        l->len += n;
        l->buf[l->len] = '\0';
}

static void jl_puts(jline *l, const char *s) {
        jl_putn(l, s, strlen(s));
}

__attribute__((format(printf, 2, 3))) static void jl_printf(jline *l, const char *fmt, ...) {
        char small[128];
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(small, sizeof(small), fmt, ap);
        va_end(ap);
        if (n < 0)
                return;
        if ((size_t)n < sizeof(small)) {
                jl_putn(l, small, (size_t)n);
                return;
        }
        jl_reserve(l, (size_t)n);
        va_start(ap, fmt);
        vsnprintf(l->buf + l->len, (size_t)n + 1, fmt, ap);
        va_end(ap);
        l->len += (size_t)n;
}

/* Length of a valid UTF-8 sequence at s (RFC 3629), 0 if invalid. */
static size_t utf8_seq_len(const unsigned char *s) {
        unsigned char c = s[0];
        if (c >= 0xc2 && c <= 0xdf)
                return (s[1] & 0xc0) == 0x80 ? 2 : 0;
        if (c >= 0xe0 && c <= 0xef) {
                unsigned char lo = c == 0xe0 ? 0xa0 : 0x80, hi = c == 0xed ? 0x9f : 0xbf;
                return s[1] >= lo && s[1] <= hi && (s[2] & 0xc0) == 0x80 ? 3 : 0;
        }
        if (c >= 0xf0 && c <= 0xf4) {
                unsigned char lo = c == 0xf0 ? 0x90 : 0x80, hi = c == 0xf4 ? 0x8f : 0xbf;
                return s[1] >= lo && s[1] <= hi && (s[2] & 0xc0) == 0x80 && (s[3] & 0xc0) == 0x80 ? 4 : 0;
        }
        return 0;
}

/* A JSON string: quotes, escapes, control characters, invalid UTF-8 as U+FFFD. */
static void jl_json_string(jline *l, const char *s) {
        jl_putn(l, "\"", 1);
        const unsigned char *p = (const unsigned char *)(s ? s : "");
        while (*p) {
                unsigned char c = *p;
                if (c == '"' || c == '\\') {
                        char esc[2] = {'\\', (char)c};
                        jl_putn(l, esc, 2);
                        p++;
                } else if (c < 0x20) {
                        switch (c) {
                        case '\n':
                                jl_puts(l, "\\n");
                                break;
                        case '\r':
                                jl_puts(l, "\\r");
                                break;
                        case '\t':
                                jl_puts(l, "\\t");
                                break;
                        default:
                                jl_printf(l, "\\u%04x", c);
                        }
                        p++;
                } else if (c < 0x80) {
                        jl_putn(l, (const char *)p, 1);
                        p++;
                } else {
                        size_t n = utf8_seq_len(p);
                        if (n) {
                                jl_putn(l, (const char *)p, n);
                                p += n;
                        } else {
                                jl_puts(l, "\\ufffd");
                                p++;
                        }
                }
        }
        jl_putn(l, "\"", 1);
}

static void jl_key(jline *l, const char *key) {
        if (l->fields)
                jl_putn(l, ",", 1);
        l->fields = true;
        jl_json_string(l, key);
        jl_putn(l, ":", 1);
}

static void jl_begin(jline *l, const char *type) {
        l->len = 0;
        l->fields = false;
        jl_putn(l, "{", 1);
        jl_key(l, "type");
        jl_json_string(l, type);
}

static void jl_str(jline *l, const char *key, const char *value) {
        jl_key(l, key);
        jl_json_string(l, value);
}

static void jl_i64(jline *l, const char *key, long long value) {
        jl_key(l, key);
        jl_printf(l, "%lld", value);
}

static void jl_bool(jline *l, const char *key, bool value) {
        jl_key(l, key);
        jl_puts(l, value ? "true" : "false");
}

static void jl_double(jline *l, const char *key, double value) {
        jl_key(l, key);
        jl_printf(l, "%.17g", value);
}

/* Set once stdout fails (the reader went away): nothing more is run. */
static int out_broken;

/* Ends the line and writes it at once: the reader sees whole lines only. */
static int jl_end(jline *l) {
        jl_puts(l, "}\n");
        int r = out_broken ? out_broken : bench_write_all(STDOUT_FILENO, l->buf, l->len);
        if (r < 0)
                out_broken = r;
        l->len = 0;
        l->fields = false;
        return r;
}

static void jl_free(jline *l) {
        free(l->buf);
        *l = (jline){0};
}

/* ---- what workloads call ---- */

static const bench_opt_spec *param_spec_or_die(const wl_ctx *ctx, const char *name) {
        const bench_opt_spec *s = bench_opt_find(ctx->spec->params, name);
        if (!s) {
                fprintf(stderr, "bench-agent: bug: workload `%s` asks for undeclared parameter `%s`\n",
                        ctx->spec->name, name);
                abort();
        }
        return s;
}

static const char *param_raw(const wl_ctx *ctx, const char *name, bench_opt_type type) {
        const bench_opt_spec *s = param_spec_or_die(ctx, name);
        if (s->type != type) {
                fprintf(stderr, "bench-agent: bug: parameter `%s` of `%s` read as the wrong type\n", name,
                        ctx->spec->name);
                abort();
        }
        for (size_t i = 0; i < ctx->n_params; i++)
                if (ctx->params[i].spec == s)
                        return ctx->params[i].value;
        return s->def;
}

__attribute__((noreturn)) static void bad_default(const wl_ctx *ctx, const char *name) {
        fprintf(stderr, "bench-agent: bug: parameter `%s` of `%s` has no usable value\n", name,
                ctx->spec->name);
        abort();
}

uint64_t wl_param_size(const wl_ctx *ctx, const char *name) {
        uint64_t v;
        if (bench_parse_size(param_raw(ctx, name, BENCH_OPT_SIZE), &v) < 0)
                bad_default(ctx, name);
        return v;
}

uint64_t wl_param_uint(const wl_ctx *ctx, const char *name) {
        uint64_t v;
        if (bench_parse_uint(param_raw(ctx, name, BENCH_OPT_UINT), UINT64_MAX, &v) < 0)
                bad_default(ctx, name);
        return v;
}

double wl_param_duration_ms(const wl_ctx *ctx, const char *name) {
        double v;
        if (bench_parse_duration_ms(param_raw(ctx, name, BENCH_OPT_DURATION), &v) < 0)
                bad_default(ctx, name);
        return v;
}

bool wl_param_bool(const wl_ctx *ctx, const char *name) {
        const char *v = param_raw(ctx, name, BENCH_OPT_BOOL);
        if (!v)
                bad_default(ctx, name);
        return !strcmp(v, "true");
}

const char *wl_param_string(const wl_ctx *ctx, const char *name) {
        return param_raw(ctx, name, BENCH_OPT_STRING);
}

int wl_emit(wl_ctx *ctx, const char *metric, double value, bench_error **err) {
        const wl_metric_spec *m = wl_metric_find(ctx->spec, metric);
        if (!m)
                return bench_error_set(err, EINVAL, "metric `%s` is not in the catalog of `%s`", metric,
                                       ctx->spec->name);
        if (!isfinite(value))
                return bench_error_set(err, ERANGE, "metric `%s` is not a finite number", metric);
        _cleanup_(jl_free) jline l = {0};
        jl_begin(&l, "metric");
        jl_i64(&l, "index", (long long)ctx->index);
        jl_str(&l, "workload", ctx->spec->name);
        jl_str(&l, "metric", metric);
        jl_str(&l, "unit", m->unit);
        jl_str(&l, "better", m->better);
        jl_double(&l, "value", value);
        /* the resolved depth: with bottom=true only the agent knows it */
        if (ctx->depth)
                jl_i64(&l, "depth", ctx->depth);
        int r = jl_end(&l);
        if (r < 0)
                return bench_error_errno(err, r, "cannot write metric `%s` to stdout", metric);
        return 0;
}

void wl_note(wl_ctx *ctx, const char *fmt, ...) {
        _cleanup_free_ char *msg = NULL;
        va_list ap;
        va_start(ap, fmt);
        if (vasprintf(&msg, fmt, ap) < 0)
                msg = NULL;
        va_end(ap);
        _cleanup_(jl_free) jline l = {0};
        jl_begin(&l, "note");
        jl_i64(&l, "index", (long long)ctx->index);
        jl_str(&l, "message", msg ? msg : "?");
        jl_end(&l);
}

int wl_hold(wl_ctx *ctx, double timeout_ms, bench_error **err) {
        _cleanup_(jl_free) jline l = {0};
        jl_begin(&l, "hold");
        jl_i64(&l, "index", (long long)ctx->index);
        jl_str(&l, "workload", ctx->spec->name);
        int r = jl_end(&l);
        if (r < 0)
                return bench_error_errno(err, r, "cannot write the hold line to stdout");

        uint64_t deadline = bench_now_ns() + (uint64_t)(timeout_ms * 1e6);
        for (;;) {
                uint64_t now = bench_now_ns();
                if (now >= deadline) {
                        wl_note(ctx, "hold timed out");
                        return 0;
                }
                /* round up so that we never spin on a 0 ms poll */
                uint64_t left_ms = (deadline - now + 999999) / 1000000;
                struct pollfd pfd = {.fd = STDIN_FILENO, .events = POLLIN};
                r = poll(&pfd, 1, left_ms > INT_MAX ? INT_MAX : (int)left_ms);
                if (r < 0) {
                        if (errno == EINTR)
                                continue;
                        return bench_error_errno(err, errno, "cannot wait on stdin for the release byte");
                }
                if (r == 0)
                        continue;
                /* stdin closed or not open at all: nobody can release us, so go on */
                if (pfd.revents & POLLNVAL)
                        return 0;
                char byte;
                ssize_t n = read(STDIN_FILENO, &byte, 1);
                if (n < 0) {
                        if (errno == EINTR || errno == EAGAIN)
                                continue;
                        return bench_error_errno(err, errno, "cannot read the release byte from stdin");
                }
                return 0; /* the byte, or EOF */
        }
}

double wl_elapsed_s(uint64_t start_ns, uint64_t end_ns) {
        uint64_t d = end_ns > start_ns ? end_ns - start_ns : 1;
        return (double)d / 1e9;
}

/* ---- the plan ---- */

typedef struct plan_item {
        char *text; /* the item as given, for messages */
        char *buf;  /* a mutable copy the params point into */
        const wl_spec *spec;
        wl_run_fn run;
        wl_kv *params;
        size_t n_params;
        const char *dir;
} plan_item;

static void plan_free(plan_item *items, size_t n) {
        for (size_t i = 0; items && i < n; i++) {
                free(items[i].text);
                free(items[i].buf);
                free(items[i].params);
        }
        free(items);
}

static size_t catalog_names(const char **out, size_t max) {
        size_t n = 0;
        for (size_t i = 0; wl_catalog[i] && n < max; i++)
                out[n++] = wl_catalog[i]->name;
        return n;
}

/* "a, b, c" of the names, for messages. */
static void join_names(const char *const *names, size_t n, char *buf, size_t len) {
        size_t off = 0;
        buf[0] = '\0';
        for (size_t i = 0; i < n && off < len; i++) {
                int k = snprintf(buf + off, len - off, "%s%s", off ? ", " : "", names[i]);
                if (k < 0)
                        break;
                off += (size_t)k;
        }
}

/* "a, b, c" of the workload's parameter names, for messages. */
static void param_names(const wl_spec *spec, char *buf, size_t len) {
        size_t off = 0;
        buf[0] = '\0';
        for (const bench_opt_spec *s = spec->params; s && s->name && off < len; s++) {
                int n = snprintf(buf + off, len - off, "%s%s", off ? ", " : "", s->name);
                if (n < 0)
                        break;
                off += (size_t)n;
        }
}

/*
 * Parses and validates one "NAME[:key=value,...]". Every problem goes to
 * stderr; returns the number of problems.
 */
static int plan_parse_item(size_t index, const char *text, const char *global_dir, plan_item *it) {
        int problems = 0;
        it->text = strdup(text);
        it->buf = strdup(text);
        if (!it->text || !it->buf) {
                fprintf(stderr, "bench-agent: out of memory\n");
                return 1;
        }
        char *name = it->buf, *rest = strchr(it->buf, ':');
        if (rest)
                *rest++ = '\0';

        it->spec = wl_catalog_find(name);
        if (!it->spec) {
                const char *names[64];
                size_t n = catalog_names(names, ELEMENTSOF(names));
                const char *near = bench_did_you_mean(name, names, n);
                char all[512];
                join_names(names, n, all, sizeof(all));
                if (near)
                        fprintf(stderr,
                                "bench-agent: plan item %zu `%s`: unknown workload `%s` (did you mean "
                                "`%s`?)\n",
                                index, text, name, near);
                else
                        fprintf(stderr,
                                "bench-agent: plan item %zu `%s`: unknown workload `%s`; the workloads are: "
                                "%s (`bench-agent --list` tells more)\n",
                                index, text, name, all);
                return 1;
        }
        it->run = registry_find(name);
        if (!it->run) {
                fprintf(stderr,
                        "bench-agent: plan item %zu `%s`: workload `%s` is not built into this agent\n",
                        index, text, name);
                return 1;
        }

        size_t max = 1;
        for (const char *p = rest; p && *p; p++)
                max += *p == ',';
        it->params = calloc(max, sizeof(*it->params));
        if (!it->params) {
                fprintf(stderr, "bench-agent: out of memory\n");
                return 1;
        }
        char names_buf[512];
        param_names(it->spec, names_buf, sizeof(names_buf));
        for (char *kv = rest, *next; kv; kv = next) {
                next = strchr(kv, ',');
                if (next)
                        *next++ = '\0';
                char *eq = strchr(kv, '=');
                if (!eq || eq == kv) {
                        fprintf(stderr,
                                "bench-agent: plan item %zu `%s`: expected key=value, got `%s` "
                                "(parameters of `%s`: %s)\n",
                                index, text, kv, it->spec->name, names_buf[0] ? names_buf : "none");
                        problems++;
                        continue;
                }
                *eq = '\0';
                const char *key = kv, *value = eq + 1;
                const bench_opt_spec *s = bench_opt_find(it->spec->params, key);
                if (!s) {
                        const char *cands[64];
                        size_t n = 0;
                        for (const bench_opt_spec *p = it->spec->params; p && p->name && n < 64; p++)
                                cands[n++] = p->name;
                        const char *near = bench_did_you_mean(key, cands, n);
                        if (near)
                                fprintf(stderr,
                                        "bench-agent: plan item %zu `%s`: workload `%s` has no parameter "
                                        "`%s` "
                                        "(did you mean `%s`?)\n",
                                        index, text, it->spec->name, key, near);
                        else
                                fprintf(stderr,
                                        "bench-agent: plan item %zu `%s`: workload `%s` has no parameter "
                                        "`%s` "
                                        "(its parameters: %s)\n",
                                        index, text, it->spec->name, key, names_buf[0] ? names_buf : "none");
                        problems++;
                        continue;
                }
                char why[256];
                if (bench_opt_check(s, value, why, sizeof(why)) < 0) {
                        fprintf(stderr, "bench-agent: plan item %zu `%s`: %s `%s`: %s\n", index, text, key,
                                value, why);
                        problems++;
                        continue;
                }
                bool dup = false;
                for (size_t i = 0; i < it->n_params; i++)
                        dup |= it->params[i].spec == s;
                if (dup) {
                        fprintf(stderr, "bench-agent: plan item %zu `%s`: parameter `%s` given twice\n",
                                index, text, key);
                        problems++;
                        continue;
                }
                it->params[it->n_params++] = (wl_kv){.spec = s, .value = value};
        }

        /* the dir param wins over --dir */
        it->dir = global_dir;
        for (size_t i = 0; i < it->n_params; i++)
                if (!strcmp(it->params[i].spec->name, "dir"))
                        it->dir = it->params[i].value;
        if ((it->spec->flags & WL_NEEDS_DIR) && !it->dir) {
                fprintf(stderr,
                        "bench-agent: plan item %zu `%s`: workload `%s` needs a writable directory: "
                        "pass --dir DIR or %s:dir=DIR\n",
                        index, text, it->spec->name, it->spec->name);
                problems++;
        }
        return problems;
}

/* ---- what the agent sees from inside ---- */

static void format_cpulist(const cpu_set_t *set, char *buf, size_t len) {
        size_t off = 0;
        buf[0] = '\0';
        for (int c = 0; c < CPU_SETSIZE && off < len; c++) {
                if (!CPU_ISSET(c, set))
                        continue;
                int end = c;
                while (end + 1 < CPU_SETSIZE && CPU_ISSET(end + 1, set))
                        end++;
                int n = end > c ? snprintf(buf + off, len - off, "%s%d-%d", off ? "," : "", c, end)
                                : snprintf(buf + off, len - off, "%s%d", off ? "," : "", c);
                if (n < 0)
                        break;
                off += (size_t)n;
                c = end;
        }
}

static long long seccomp_mode(void) {
        _cleanup_free_ char *st = NULL;
        if (bench_read_file("/proc/self/status", &st, NULL, NULL) < 0)
                return -1;
        const char *p = strstr(st, "\nSeccomp:");
        return p ? strtoll(p + 9, NULL, 10) : -1;
}

static void emit_agent_line(void) {
        struct utsname u = {0};
        uname(&u);
        cpu_set_t set;
        CPU_ZERO(&set);
        char cpus[1024] = "";
        int ncpus = 0;
        if (sched_getaffinity(0, sizeof(set), &set) == 0) {
                format_cpulist(&set, cpus, sizeof(cpus));
                ncpus = CPU_COUNT(&set);
        }
        /* sysinfo() works without /proc, which a VM's /init may not have */
        struct sysinfo si = {0};
        unsigned long long mem_kib = 0;
        if (sysinfo(&si) == 0)
                mem_kib = (unsigned long long)si.totalram * si.mem_unit / 1024;
        _cleanup_free_ char *cg = NULL;
        _cleanup_error_ bench_error *err = NULL;
        if (bench_read_file("/proc/self/cgroup", &cg, NULL, &err) == 0) {
                char *nl = strchr(cg, '\n');
                if (nl)
                        *nl = '\0';
        }

        _cleanup_(jl_free) jline l = {0};
        jl_begin(&l, "agent");
        jl_i64(&l, "pid", getpid());
        jl_i64(&l, "ppid", getppid());
        jl_i64(&l, "uid", getuid());
        jl_str(&l, "hostname", u.nodename);
        jl_str(&l, "kernel", u.release);
        jl_str(&l, "cpus", cpus);
        jl_i64(&l, "ncpus", ncpus);
        jl_i64(&l, "mem_total_kib", (long long)mem_kib);
        jl_str(&l, "cgroup", cg ? cg : "");
        jl_bool(&l, "in_pid1", getpid() == 1);
        /* the seccomp mode the runtime left it in (0 none, 2 filter); -1 without /proc */
        jl_i64(&l, "seccomp", seccomp_mode());
        if (wl_init_scratch_layers >= 0)
                jl_i64(&l, "scratch_layers", wl_init_scratch_layers);
        jl_end(&l);
}

/* ---- human output ---- */

static void print_list(void) {
        for (size_t i = 0; wl_catalog[i]; i++) {
                const wl_spec *w = wl_catalog[i];
                printf("%s - %s\n", w->name, w->summary);
                if (w->flags)
                        printf("  flags:%s%s%s\n", (w->flags & WL_HOST_TIMED) ? " host-timed" : "",
                               (w->flags & WL_HOST_MEASURED) ? " host-measured" : "",
                               (w->flags & WL_NEEDS_DIR) ? " needs-dir (--dir or dir=)" : "");
                printf("  params:\n");
                if (!w->params || !w->params[0].name)
                        printf("    (none)\n");
                for (const bench_opt_spec *s = w->params; s && s->name; s++)
                        printf("    %-14s %-9s default %-8s %s\n", s->name, bench_opt_type_name(s->type),
                               s->def ? s->def : "-", s->help);
                printf("  metrics:\n");
                for (const wl_metric_spec *m = w->metrics; m && m->name; m++)
                        printf("    %-24s %-6s %-6s %s\n", m->name, m->unit, m->better, m->help);
                printf("\n");
        }
}

static void print_help(void) {
        printf("Usage: bench-agent [--dir DIR] [--ready-fd N | --no-ready] [--seed S] [--poweroff] PLAN...\n"
               "       bench-agent --list | --help | --version\n"
               "\n"
               "Runs workloads and reports JSON lines on stdout. PLAN items are\n"
               "NAME[:key=value[,key=value...]], e.g. cpu:duration=200ms fileio:size=8M,ops=500\n"
               "\n"
               "  --dir DIR       writable directory for workloads that need one\n"
               "  --ready-fd N    write the ready byte (0x%02x) to fd N instead of stdout\n"
               "  --no-ready      write no ready byte\n"
               "  --seed S        seed of every random choice (default %llu)\n"
               "  --poweroff      when PID 1: sync and power off after the end line\n"
               "  --list          the workloads, their parameters and metrics\n"
               "  --help, --version\n"
               "\n"
               "Exit status: 0 all items succeeded, 1 some failed, 2 bad plan or usage.\n",
               WL_READY_BYTE, (unsigned long long)DEFAULT_SEED);
}

/* ---- main ---- */

/*
 * The fd for the ready byte from a minimal scan of argv: no allocation, no
 * stdio. -1 = none (--no-ready, or a human command such as --list).
 */
static int scan_ready_fd(int argc, char **argv) {
        int fd = STDOUT_FILENO;
        for (int i = 1; i < argc; i++) {
                const char *a = argv[i], *num = NULL;
                if (a[0] != '-')
                        continue;
                if (!strcmp(a, "--"))
                        break;
                if (!strcmp(a, "--no-ready") || !strcmp(a, "--list") || !strcmp(a, "--help") ||
                    !strcmp(a, "-h") || !strcmp(a, "--version"))
                        return -1;
                if (!strcmp(a, "--dir") || !strcmp(a, "--seed")) {
                        i++;
                        continue;
                }
                if (!strcmp(a, "--ready-fd") && i + 1 < argc)
                        num = argv[++i];
                else if (!strncmp(a, "--ready-fd=", 11))
                        num = a + 11;
                if (num) {
                        long v = 0;
                        if (!*num)
                                return -1;
                        for (const char *p = num; *p; p++) {
                                if (*p < '0' || *p > '9' || v > INT_MAX / 10)
                                        return -1; /* getopt parsing reports it */
                                v = v * 10 + (*p - '0');
                        }
                        fd = (int)v;
                }
        }
        return fd;
}

enum {
        OPT_DIR = 256,
        OPT_READY_FD,
        OPT_NO_READY,
        OPT_SEED,
        OPT_POWEROFF,
        OPT_INIT,
        OPT_DATA,
        OPT_LIST,
        OPT_VERSION
};

static int agent_main(int argc, char **argv, bool init, int init_channel) {
        /* 1. the ready byte, before anything else: startup latency ends here */
        int ready_fd = scan_ready_fd(argc, argv);
        int ready_errno = 0;
        if (ready_fd >= 0) {
                static const char ready = WL_READY_BYTE;
                ssize_t n;
                do
                        n = write(ready_fd, &ready, 1);
                while (n < 0 && errno == EINTR);
                if (n != 1)
                        ready_errno = n < 0 ? errno : EIO;
        }

        static const struct option longopts[] = {
                {"dir", required_argument, NULL, OPT_DIR},
                {"ready-fd", required_argument, NULL, OPT_READY_FD},
                {"no-ready", no_argument, NULL, OPT_NO_READY},
                {"seed", required_argument, NULL, OPT_SEED},
                {"poweroff", no_argument, NULL, OPT_POWEROFF},
                {"init", no_argument, NULL, OPT_INIT},
                {"data", required_argument, NULL, OPT_DATA},
                {"list", no_argument, NULL, OPT_LIST},
                {"help", no_argument, NULL, 'h'},
                {"version", no_argument, NULL, OPT_VERSION},
                {0},
        };
        const char *dir = NULL;
        uint64_t seed = DEFAULT_SEED;
        bool poweroff = false;
        int c;
        while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
                switch (c) {
                case OPT_DIR:
                        if (!*optarg) {
                                fprintf(stderr, "bench-agent: --dir must not be empty\n");
                                return 2;
                        }
                        dir = optarg;
                        break;
                case OPT_READY_FD: {
                        uint64_t v;
                        if (bench_parse_uint(optarg, INT_MAX, &v) < 0) {
                                fprintf(stderr,
                                        "bench-agent: --ready-fd `%s`: expected a file descriptor number\n",
                                        optarg);
                                return 2;
                        }
                        break;
                }
                case OPT_NO_READY:
                        break;
                case OPT_SEED:
                        if (bench_parse_uint(optarg, UINT64_MAX, &seed) < 0) {
                                fprintf(stderr,
                                        "bench-agent: --seed `%s`: expected a non-negative whole number\n",
                                        optarg);
                                return 2;
                        }
                        break;
                case OPT_POWEROFF:
                        poweroff = true;
                        break;
                case OPT_DATA:
                        wl_data_root = optarg;
                        break;
                case OPT_INIT:
                        if (!init) {
                                fprintf(stderr,
                                        "bench-agent: --init is for a VM's /init (PID 1, first argument)\n");
                                return 2;
                        }
                        break; /* main() powers off, after unmounting the scratch disk */
                case OPT_LIST:
                        print_list();
                        return 0;
                case 'h':
                        print_help();
                        return 0;
                case OPT_VERSION:
                        printf("bench-agent %s (%s)\n", BENCH_VERSION, BENCH_GIT_COMMIT);
                        return 0;
                default:
                        fprintf(stderr, "Try `bench-agent --help`.\n");
                        return 2;
                }
        }
        if (ready_errno) {
                fprintf(stderr, "bench-agent: cannot write the ready byte to fd %d: %s\n", ready_fd,
                        strerror(ready_errno));
                return 2;
        }
        if (init) {
                const char *init_dir = NULL;
                bench_error *ierr = NULL;
                if (init_channel < 0)
                        fprintf(stderr, "bench-agent: --init: cannot open the channel /dev/ttyS1: %s\n",
                                strerror(-init_channel));
                if (wl_init_setup(&init_dir, &ierr) < 0) {
                        fprintf(stderr, "bench-agent: %s\n", ierr && ierr->msg ? ierr->msg : "init failed");
                        bench_error_free(ierr);
                        return 1;
                }
                if (!dir)
                        dir = init_dir;
        }

        /*
         * A reader that goes away must not kill us mid-workload (files left
         * behind): writes fail with EPIPE instead, the item cleans up and we stop.
         */
        signal(SIGPIPE, SIG_IGN);

        /* 2. the plan, all of it validated before anything runs */
        size_t n_items = (size_t)(argc - optind);
        if (n_items == 0) {
                fprintf(stderr, "bench-agent: no workload given; e.g. `bench-agent cpu:duration=200ms` "
                                "(`bench-agent --list` shows the workloads)\n");
                return 2;
        }
        plan_item *items = calloc(n_items, sizeof(*items));
        if (!items) {
                fprintf(stderr, "bench-agent: out of memory\n");
                return 2;
        }
        int problems = 0;
        for (size_t i = 0; i < n_items; i++)
                problems += plan_parse_item(i, argv[optind + (int)i], dir, &items[i]);
        if (problems) {
                plan_free(items, n_items);
                return 2;
        }

        /* 3. what we see from inside */
        emit_agent_line();

        /* 4. the items, one after the other; a failure does not stop the rest */
        int status = 0;
        _cleanup_(jl_free) jline l = {0};
        for (size_t i = 0; i < n_items; i++) {
                plan_item *it = &items[i];
                wl_ctx ctx = {
                        .spec = it->spec,
                        .index = i,
                        .params = it->params,
                        .n_params = it->n_params,
                        .dir = it->dir,
                        .seed = seed,
                };
                _cleanup_error_ bench_error *err = NULL;
                int r = it->run(&ctx, &err);
                if (r < 0) {
                        status = 1;
                        jl_begin(&l, "error");
                        jl_i64(&l, "index", (long long)i);
                        jl_str(&l, "workload", it->spec->name);
                        jl_str(&l, "message", err && err->msg ? err->msg : strerror(-r));
                        jl_end(&l);
                }
                jl_begin(&l, "done");
                jl_i64(&l, "index", (long long)i);
                jl_str(&l, "workload", it->spec->name);
                if (jl_end(&l) < 0) {
                        status = 1;
                        break;
                }
        }

        /* 5. the end */
        jl_begin(&l, "end");
        jl_i64(&l, "status", status);
        jl_end(&l);
        plan_free(items, n_items);

        if (poweroff) {
                /* never power off the host: only an init (VM /init, container PID 1) may */
                if (getpid() == 1) {
                        sync();
                        reboot(RB_POWER_OFF);
                        fprintf(stderr, "bench-agent: --poweroff: reboot: %s\n", strerror(errno));
                } else {
                        fprintf(stderr, "bench-agent: --poweroff ignored: not PID 1\n");
                }
        }
        return status;
}

int main(int argc, char **argv) {
        /* as a VM's /init, the channel to the host is a serial port: open it first */
        bool init = wl_init_wanted(argc, argv);
        int init_channel = init ? wl_init_channel() : 0;
        int status = agent_main(argc, argv, init, init_channel);
        /* PID 1 must never return (the kernel panics): whatever happened, power off */
        if (init) {
                fflush(NULL);
                wl_init_poweroff();
        }
        return status;
}
