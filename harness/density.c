/* SPDX-License-Identifier: MIT */
/*
 * density, the host side: for each N of the workload, N environments of a
 * configuration up at once, through the driver's ops only. Sequential: each
 * started when the one before holds (the k-th start's latency with k-1 up),
 * then the host's memory with all N held, and with `read` what N readers of
 * one file add. Parallel: all N started back to back, their ready bytes
 * read as they come. Whatever happens half-way (a failed start, a timeout,
 * Ctrl-C), every environment started is torn down before the next step.
 */
#include "density.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../common/cleanup.h"
#include "../common/util.h"
#include "../runtimes/layers/layers.h"
#include "interrupt.h"
#include "run-internal.h"

/* ---- pure parts (unit-tested) ---- */

void density_estimate(const rt_driver *drv, const cJSON *options, rt_estimate *ret) {
        if (drv && drv->estimate) {
                drv->estimate(options, ret);
                return;
        }
        *ret = (rt_estimate){.kib = RT_ESTIMATE_DEFAULT_KIB,
                             .fds = RT_ESTIMATE_DEFAULT_FDS,
                             .pids = RT_ESTIMATE_DEFAULT_PIDS};
        snprintf(ret->why, sizeof(ret->why), "the kind gives no estimate: %uM assumed",
                 RT_ESTIMATE_DEFAULT_KIB / 1024);
}

int density_fits(unsigned n, const char *kind, const rt_estimate *e, const density_host *h, char *why,
                 size_t len) {
        uint64_t need_kib = (uint64_t)n * e->kib;
        if (h->avail_kib && need_kib > h->avail_kib) {
                snprintf(why, len,
                         "n=%u needs about %" PRIu64 " MiB (%u × %" PRIu64
                         " MiB per `%s` environment: %s), the host has %" PRIu64
                         " MiB available (lower n, or give the configuration less memory)",
                         n, (need_kib + 1023) / 1024, n, (e->kib + 1023) / 1024, kind, e->why,
                         h->avail_kib / 1024);
                return -ENOMEM;
        }
        uint64_t need_fds = (uint64_t)n * e->fds + DENSITY_FD_RESERVE;
        if (h->fd_limit && need_fds > h->fd_limit) {
                snprintf(why, len,
                         "n=%u needs about %" PRIu64
                         " open files (%u × %u per `%s` environment + %u for bench), "
                         "the hard limit RLIMIT_NOFILE is %" PRIu64 " (lower n, or raise it: ulimit -Hn)",
                         n, need_fds, n, e->fds, kind, DENSITY_FD_RESERVE, h->fd_limit);
                return -EMFILE;
        }
        uint64_t need_pids = (uint64_t)n * e->pids;
        if (h->pid_room && need_pids > h->pid_room) {
                snprintf(why, len,
                         "n=%u needs about %" PRIu64
                         " tasks (%u × %u per `%s` environment), the host has room "
                         "for %" PRIu64
                         " more (kernel.pid_max and kernel.threads-max less the tasks running; lower n, or "
                         "raise them)",
                         n, need_pids, n, e->pids, kind, h->pid_room);
                return -EAGAIN;
        }
        return 0;
}

static uint64_t read_u64(const char *path) {
        _cleanup_free_ char *text = NULL;
        unsigned long long v = 0;
        if (bench_read_file(path, &text, NULL, NULL) < 0 || sscanf(text, "%llu", &v) != 1)
                return 0;
        return v;
}

void density_host_read(density_host *ret) {
        *ret = (density_host){0};
        bench_meminfo_kib("MemAvailable", &ret->avail_kib, NULL);
        struct rlimit rl;
        if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_max != RLIM_INFINITY)
                ret->fd_limit = rl.rlim_max;
        uint64_t pid_max = read_u64("/proc/sys/kernel/pid_max"),
                 threads = read_u64("/proc/sys/kernel/threads-max");
        uint64_t room = pid_max && threads ? (pid_max < threads ? pid_max : threads)
                        : pid_max          ? pid_max
                                           : threads;
        /* /proc/loadavg's fourth field: running/total tasks */
        _cleanup_free_ char *load = NULL;
        unsigned long long running, total = 0;
        if (bench_read_file("/proc/loadavg", &load, NULL, NULL) == 0)
                sscanf(load, "%*s %*s %*s %llu/%llu", &running, &total);
        ret->pid_room = room > total ? room - total : room ? 1 : 0;
}

/* ---- the workload's params ---- */

/* The value the suite gave, else the spec's default. */
static const char *param_text(const suite_workload *w, const char *name) {
        for (size_t i = 0; i < w->n_params; i++)
                if (!strcmp(w->params[i].key, name))
                        return w->params[i].value;
        const bench_opt_spec *spec = bench_opt_find(w->spec->params, name);
        return spec ? spec->def : NULL;
}

int density_max_n(const suite_workload *w, unsigned *ret) {
        unsigned counts[DENSITY_MAX_COUNTS];
        size_t n = 0;
        char why[256];
        int r = wl_density_counts(param_text(w, "n"), counts, DENSITY_MAX_COUNTS, &n, why, sizeof(why));
        if (r < 0)
                return r;
        *ret = counts[n - 1];
        return 0;
}

unsigned density_rounds(const suite_workload *w) {
        unsigned counts[DENSITY_MAX_COUNTS];
        size_t n = 0;
        char why[256];
        if (wl_density_counts(param_text(w, "n"), counts, DENSITY_MAX_COUNTS, &n, why, sizeof(why)) < 0)
                return 0;
        const char *start = param_text(w, "start");
        return (unsigned)n * (strcmp(start, "parallel") != 0 ? 1u : 0u) +
               (unsigned)n * (strcmp(start, "sequential") != 0 ? 1u : 0u);
}

/* ---- one round: N environments ---- */

typedef struct denv {
        rt_env *env;
        session ss;
        uint64_t t_start;
        bool started;
} denv;

typedef struct dctx {
        run_ctx *c;
        const suite_config *cfg;
        const suite_workload *w;
        const rt_driver *drv;
        rt_config rc;
        unsigned counts[DENSITY_MAX_COUNTS];
        size_t n_counts;
        bool sequential, parallel;
        uint64_t read;
        char *args_read[2], *args_plain[2]; /* the agent's plan with and without the read */
        char **drop;                        /* copies of the read file in the layer store */
        size_t n_drop;
} dctx;

static const wl_metric_spec *metric_spec(const dctx *d, const char *name) {
        const wl_metric_spec *m = wl_metric_find(d->w->spec, name);
        if (!m) {
                /* a name missing from the table is a bug here: the schema would not know it */
                fprintf(stderr, "bench: density records `%s`, which its metric table lacks\n", name);
                abort();
        }
        return m;
}

static void record(dctx *d, const char *metric, double value, unsigned k, unsigned n) {
        const wl_metric_spec *m = metric_spec(d, metric);
        run_record_at(d->c, d->cfg, d->w, m->name, m->unit, m->better, value, k, n);
}

static void dnote(dctx *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void dnote(dctx *d, const char *fmt, ...) {
        _cleanup_free_ char *msg = NULL;
        va_list ap;
        va_start(ap, fmt);
        int r = vasprintf(&msg, fmt, ap);
        va_end(ap);
        if (r >= 0)
                res_add_note(d->c->f, d->cfg->name, d->w->name, d->c->rep, d->c->warmup, "%s", msg);
}

static void derror(dctx *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void derror(dctx *d, const char *fmt, ...) {
        _cleanup_free_ char *msg = NULL;
        va_list ap;
        va_start(ap, fmt);
        int r = vasprintf(&msg, fmt, ap);
        va_end(ap);
        run_record_error(d->c, d->cfg, d->w->name, r >= 0 ? msg : "failed (out of memory)");
}

/* Kills and removes every environment made so far; their channels close with them. */
static void teardown(dctx *d, denv *e, unsigned n) {
        for (unsigned i = 0; i < n; i++) {
                if (e[i].env)
                        d->drv->destroy(e[i].env);
                e[i].env = NULL;
                session_clear(&e[i].ss);
        }
}

/* The agent's own word on a failure: its error line, its stderr, the driver's diagnosis. */
static void failure_context(dctx *d, denv *e, bench_error **err) {
        char buf[1024] = "";
        if (e->ss.n_item_errors)
                bench_error_prefix(err, "%s", e->ss.item_errors[0].message);
        if (run_stderr_note(&e->ss, buf, sizeof(buf))[0])
                bench_error_prefix(err, "%s", buf + 1);
        if (e->env && d->drv->diagnose) {
                buf[0] = '\0';
                d->drv->diagnose(e->env, buf, sizeof(buf));
                if (buf[0])
                        bench_error_prefix(err, "%s", buf);
        }
}

static int make_env(dctx *d, denv *e, bench_error **err) {
        int r = d->drv->create(&d->rc, 0, &e->env, err);
        run_take_cache_notes(d->c, d->cfg);
        if (r < 0)
                return bench_error_prefix(err, "cannot prepare the %s environment", d->cfg->kind->name);
        e->ss.manual_holds = true;
        return 0;
}

static int start_env(dctx *d, denv *e, char **args, bench_error **err) {
        rt_launch launch = {-1, -1, -1};
        e->t_start = bench_now_ns();
        e->ss.t_start_ns = e->t_start;
        int r = d->drv->start(e->env, args, &launch, err);
        if (r < 0)
                return bench_error_prefix(err, "cannot start the agent");
        e->started = true;
        session_attach(&e->ss, &launch);
        /* a VM figure says whether it was emulated, an OCI one which runtime ran it (run_record_at) */
        run_take_labels(d->c, d->drv, e->env);
        return 0;
}

static uint64_t deadline_of(const dctx *d, uint64_t from) {
        return from + (uint64_t)(d->c->s->timeout_s * 1e9);
}

typedef struct host_mem {
        uint64_t avail, free; /* MemAvailable, MemFree (KiB), with the per-cpu free lists */
} host_mem;

/* Free pages on the per-cpu lists (/proc/zoneinfo's pagesets "count:"), in KiB; 0 if unknown. */
static uint64_t pcp_free_kib(void) {
        _cleanup_fclose_ FILE *f = fopen("/proc/zoneinfo", "re");
        char line[256];
        unsigned long long pages = 0, v;
        while (f && fgets(line, sizeof(line), f))
                if (sscanf(line, " count: %llu", &v) == 1)
                        pages += v;
        long page = sysconf(_SC_PAGESIZE);
        return pages * (uint64_t)(page > 0 ? page : 4096) / 1024;
}

/*
 * The host's MemAvailable and MemFree, or an error that says why not. The
 * kernel counts the pages on its per-cpu free lists as used (tens of MiB
 * here) and takes an environment's first pages from them, so they are
 * added back; and it folds its per-cpu counters about once a second
 * (vm.stat_interval), which stat_refresh does now (root; best effort).
 */
static int host_mem_read(host_mem *ret, bench_error **err) {
        int fd = open("/proc/sys/vm/stat_refresh", O_WRONLY | O_CLOEXEC);
        if (fd >= 0) {
                if (write(fd, "1", 1) < 0) {
                        /* EINVAL when a counter went negative: the values are still read below */
                }
                close(fd);
        }
        int r = bench_meminfo_kib("MemAvailable", &ret->avail, err);
        if (r == 0)
                r = bench_meminfo_kib("MemFree", &ret->free, err);
        if (r < 0)
                return r;
        uint64_t pcp = pcp_free_kib();
        ret->avail += pcp;
        ret->free += pcp;
        return 0;
}

/* Drops the read file from the host page cache (every copy the layer store has), so that the first reader
 * pays. */
static void drop_read_file(const dctx *d) {
        for (size_t i = 0; i < d->n_drop; i++) {
                _cleanup_close_ int fd = open(d->drop[i], O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
                if (fd >= 0) {
                        fdatasync(fd);
                        posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
                }
        }
}

/* Sum of each environment's footprint_kib and cgroup_usage_kib as its driver measures it. */
static int measure_all(dctx *d, denv *e, unsigned n, double *ret_pss, double *ret_cg, unsigned *ret_n_cg,
                       bench_error **err) {
        double pss = 0, cg = 0;
        unsigned n_pss = 0, n_cg = 0;
        for (unsigned i = 0; i < n; i++) {
                rt_metric m[RT_MAX_METRICS];
                int got = d->drv->measure(e[i].env, m, err);
                if (got < 0)
                        return bench_error_prefix(err, "measuring environment %u of %u", i + 1, n);
                for (int j = 0; j < got; j++) {
                        if (!strcmp(m[j].name, RT_METRIC_FOOTPRINT)) {
                                pss += m[j].value;
                                n_pss++;
                        } else if (!strcmp(m[j].name, RT_METRIC_CGROUP_USAGE)) {
                                cg += m[j].value;
                                n_cg++;
                        }
                }
        }
        if (n_pss != n)
                return bench_error_set(err, ENODATA, "the `%s` kind reported %s for %u of %u environments",
                                       d->cfg->kind->name, RT_METRIC_FOOTPRINT, n_pss, n);
        *ret_pss = pss;
        *ret_cg = cg;
        *ret_n_cg = n_cg;
        return 0;
}

/* The value of the agent's last metric called name, or -1. */
static double agent_metric(const session *ss, const char *name) {
        for (size_t i = ss->n_metrics; i > 0; i--)
                if (!strcmp(ss->metrics[i - 1].metric, name))
                        return ss->metrics[i - 1].value;
        return -1;
}

/* Releases every hold, reads each agent to its end, waits, and says what went wrong; then destroys. */
static int finish(dctx *d, denv *e, unsigned n, bench_error **err) {
        int first = 0;
        for (unsigned i = 0; i < n; i++) {
                _cleanup_error_ bench_error *rerr = NULL;
                if (session_release(&e[i].ss, &rerr) < 0 && !first)
                        first = bench_error_set(err, rerr->code, "environment %u of %u: %s", i + 1, n,
                                                rerr->msg);
        }
        for (unsigned i = 0; i < n && !bench_interrupted(); i++) {
                _cleanup_error_ bench_error *rerr = NULL;
                uint64_t deadline = deadline_of(d, bench_now_ns());
                /* a hold the round did not ask for (none is planned) is answered as session_read does */
                e[i].ss.manual_holds = false;
                int r = session_read_until(&e[i].ss, d->drv, e[i].env, SESSION_UNTIL_EOF, deadline, &rerr);
                int status = 0;
                if (r == 0) {
                        uint64_t now = bench_now_ns();
                        r = d->drv->wait(e[i].env, now < deadline ? (int)((deadline - now) / 1000000) + 1 : 1,
                                         &status, &rerr);
                }
                if (r == 0 && (!WIFEXITED(status) || WEXITSTATUS(status) != 0)) {
                        char how[128];
                        run_describe_status(status, how, sizeof(how));
                        r = bench_error_set(&rerr, EIO, "the agent ended with %s", how);
                }
                for (size_t k = 0; k < e[i].ss.n_notes; k++)
                        dnote(d, "environment %u of %u: %s", i + 1, n, e[i].ss.notes[k].message);
                if (r < 0 && !first) {
                        failure_context(d, &e[i], &rerr);
                        first = bench_error_set(err, rerr->code, "environment %u of %u at the end: %s", i + 1,
                                                n, rerr->msg);
                }
        }
        if (n > 0)
                run_remember_seen(d->c, d->cfg, &e[0].ss);
        teardown(d, e, n);
        return bench_interrupted() ? bench_error_set(err, EINTR, "interrupted") : first;
}

static int round_sequential(dctx *d, denv *e, unsigned n, bench_error **err) {
        host_mem before = {0}, idle = {0}, with_read = {0};
        _cleanup_error_ bench_error *merr = NULL;
        if (d->read)
                drop_read_file(d);
        int mr = host_mem_read(&before, &merr);
        char what[64];
        snprintf(what, sizeof(what), "%s n=%u sequential", d->w->name, n);
        run_progress(d->c, d->cfg, what);
        for (unsigned k = 0; k < n; k++) {
                if (bench_interrupted())
                        return bench_error_set(err, EINTR, "interrupted");
                int r = make_env(d, &e[k], err);
                if (r == 0)
                        r = start_env(d, &e[k], d->read ? d->args_read : d->args_plain, err);
                if (r == 0)
                        r = session_read_until(&e[k].ss, d->drv, e[k].env, SESSION_UNTIL_HOLD,
                                               deadline_of(d, e[k].t_start), err);
                if (r < 0) {
                        if (r != -EINTR)
                                failure_context(d, &e[k], err);
                        return bench_error_prefix(err, "environment %u of %u (sequential)", k + 1, n);
                }
                /* the k-th start with k-1 up: the same sample whatever the final N */
                record(d, "sequential.start_ms", bench_ns_to_ms(e[k].ss.t_ready_ns - e[k].t_start), k + 1, 0);
        }
        record(d, "sequential.first_start_ms", bench_ns_to_ms(e[0].ss.t_ready_ns - e[0].t_start), 0, n);
        record(d, "sequential.last_start_ms", bench_ns_to_ms(e[n - 1].ss.t_ready_ns - e[n - 1].t_start), 0,
               n);
        record(d, "sequential.all_ready_ms", bench_ns_to_ms(e[n - 1].ss.t_ready_ns - e[0].t_start), 0, n);

        /* all N held: what they cost the host */
        if (mr == 0)
                mr = host_mem_read(&idle, &merr);
        if (mr < 0)
                derror(d, "n=%u: no mem_per_env_kib: %s", n, merr->msg);
        else
                record(d, "mem_per_env_kib", ((double)before.avail - (double)idle.avail) / n, 0, n);
        double pss = 0, cg = 0;
        unsigned n_cg = 0;
        _cleanup_error_ bench_error *perr = NULL;
        if (measure_all(d, e, n, &pss, &cg, &n_cg, &perr) < 0)
                derror(d, "n=%u: no pss_per_env_kib: %s", n, perr->msg);
        else {
                record(d, "pss_per_env_kib", pss / n, 0, n);
                if (n_cg == n)
                        record(d, "cgroup_per_env_kib", cg / n, 0, n);
                else if (n_cg > 0)
                        derror(d,
                               "n=%u: no cgroup_per_env_kib: the driver reported cgroup usage for %u of %u",
                               n, n_cg, n);
                else if (n == d->counts[0] && d->c->rep <= 0)
                        dnote(d, "no cgroup_per_env_kib: the `%s` kind reports no cgroup usage",
                              d->cfg->kind->name);
        }
        if (!d->read)
                return 0;

        /* the readers, one after another: the first pays, the others find the page cache (or not) */
        run_progress(d->c, d->cfg, "density reads");
        for (unsigned k = 0; k < n; k++) {
                if (bench_interrupted())
                        return bench_error_set(err, EINTR, "interrupted");
                int r = session_release(&e[k].ss, err);
                if (r == 0)
                        r = session_read_until(&e[k].ss, d->drv, e[k].env, SESSION_UNTIL_HOLD,
                                               deadline_of(d, bench_now_ns()), err);
                if (r < 0) {
                        if (r != -EINTR)
                                failure_context(d, &e[k], err);
                        return bench_error_prefix(err, "environment %u of %u reading the file", k + 1, n);
                }
                double ms = agent_metric(&e[k].ss, "read_ms");
                if (ms >= 0)
                        record(d, "read_ms", ms, k + 1, 0);
                else
                        derror(d, "n=%u: environment %u held again without its read_ms", n, k + 1);
        }
        if (mr == 0)
                mr = host_mem_read(&with_read, &merr);
        if (mr < 0)
                derror(d, "n=%u: no read_mem_per_env_kib and read_added_per_env_kib: %s", n, merr->msg);
        else {
                record(d, "read_mem_per_env_kib", ((double)before.avail - (double)with_read.avail) / n, 0, n);
                /* page cache counts as available: what the reads took shows in MemFree */
                record(d, "read_added_per_env_kib", ((double)idle.free - (double)with_read.free) / n, 0, n);
        }
        return 0;
}

static int round_parallel(dctx *d, denv *e, unsigned n, bench_error **err) {
        char what[64];
        snprintf(what, sizeof(what), "%s n=%u parallel", d->w->name, n);
        run_progress(d->c, d->cfg, what);
        /* preparation is untimed: make all N first */
        for (unsigned k = 0; k < n; k++) {
                if (bench_interrupted())
                        return bench_error_set(err, EINTR, "interrupted");
                int r = make_env(d, &e[k], err);
                if (r < 0)
                        return bench_error_prefix(err, "environment %u of %u (parallel)", k + 1, n);
        }
        uint64_t t0 = bench_now_ns();
        for (unsigned k = 0; k < n; k++) {
                int r = start_env(d, &e[k], d->args_plain, err);
                if (r < 0) {
                        failure_context(d, &e[k], err);
                        return bench_error_prefix(err, "environment %u of %u (parallel)", k + 1, n);
                }
        }
        /* every ready byte as it comes: one poll over all channels */
        _cleanup_free_ struct pollfd *p = calloc(2 * (size_t)n + 1, sizeof(*p));
        _cleanup_free_ unsigned *who = calloc(2 * (size_t)n + 1, sizeof(*who));
        if (!p || !who)
                return bench_error_set(err, ENOMEM, "out of memory");
        uint64_t deadline = deadline_of(d, e[n - 1].t_start);
        for (;;) {
                size_t np = 0;
                for (unsigned k = 0; k < n; k++) {
                        if (e[k].ss.held)
                                continue;
                        if (e[k].ss.eof) {
                                int r = bench_error_set(err, EPROTO,
                                                        "the agent's output ended before its hold line");
                                failure_context(d, &e[k], err);
                                bench_error_prefix(err, "environment %u of %u (parallel)", k + 1, n);
                                return r;
                        }
                        who[np] = k;
                        p[np++] = (struct pollfd){.fd = e[k].ss.out_fd, .events = POLLIN};
                        who[np] = k;
                        p[np++] = (struct pollfd){.fd = e[k].ss.err_fd, .events = POLLIN};
                }
                if (np == 0)
                        break;
                p[np++] = (struct pollfd){.fd = bench_interrupt_fd(), .events = POLLIN};
                uint64_t now = bench_now_ns();
                if (now >= deadline) {
                        unsigned ready = 0;
                        for (unsigned k = 0; k < n; k++)
                                ready += e[k].ss.t_ready_ns != 0;
                        return bench_error_set(err, ETIMEDOUT,
                                               "n=%u (parallel): timed out (timeout_s) with %u of %u ready",
                                               n, ready, n);
                }
                int r = poll(p, np, (int)((deadline - now) / 1000000) + 1);
                if (r < 0 && errno != EINTR)
                        return bench_error_errno(err, errno, "poll");
                if (bench_interrupted())
                        return bench_error_set(err, EINTR, "interrupted");
                for (size_t i = 0; r > 0 && i + 1 < np; i += 2) {
                        denv *x = &e[who[i]];
                        if (!p[i].revents && !p[i + 1].revents)
                                continue;
                        int fr = session_feed(&x->ss, d->drv, x->env, p[i].revents, p[i + 1].revents, err);
                        if (fr < 0) {
                                failure_context(d, x, err);
                                return bench_error_prefix(err, "environment %u of %u (parallel)", who[i] + 1,
                                                          n);
                        }
                }
        }
        uint64_t first = UINT64_MAX, last = 0, t_last = 0;
        for (unsigned k = 0; k < n; k++) {
                uint64_t lat = e[k].ss.t_ready_ns - e[k].t_start;
                record(d, "parallel.start_ms", bench_ns_to_ms(lat), 0, n);
                first = lat < first ? lat : first;
                last = lat > last ? lat : last;
                t_last = e[k].ss.t_ready_ns > t_last ? e[k].ss.t_ready_ns : t_last;
        }
        record(d, "parallel.first_start_ms", bench_ns_to_ms(first), 0, n);
        record(d, "parallel.last_start_ms", bench_ns_to_ms(last), 0, n);
        record(d, "parallel.all_ready_ms", bench_ns_to_ms(t_last - t0), 0, n);
        return 0;
}

/* One round; every environment it made is gone when it returns. */
static int round_n(dctx *d, unsigned n, bool parallel) {
        _cleanup_free_ denv *e = calloc(n, sizeof(*e));
        _cleanup_error_ bench_error *err = NULL;
        if (!e) {
                derror(d, "n=%u: out of memory", n);
                return -ENOMEM;
        }
        int r = parallel ? round_parallel(d, e, n, &err) : round_sequential(d, e, n, &err);
        if (r < 0) {
                teardown(d, e, n);
                if (r != -EINTR)
                        derror(d, "n=%u (%s): %s", n, parallel ? "parallel" : "sequential",
                               err && err->msg ? err->msg : "failed");
                return r;
        }
        r = finish(d, e, n, &err);
        if (r < 0 && r != -EINTR)
                derror(d, "n=%u (%s): %s", n, parallel ? "parallel" : "sequential",
                       err && err->msg ? err->msg : "failed");
        return r;
}

/* The copies of bench/depth-1/big/SIZE the store holds for the configuration's stack: layers and flat trees.
 */
static int find_read_copies(dctx *d, bench_error **err) {
        const char *stack = bench_opt_find(d->cfg->kind->options, "stack")
                                    ? bench_opt_string(d->cfg->options, d->cfg->kind->options, "stack")
                                    : NULL;
        if (!stack)
                return bench_error_set(err, EINVAL,
                                       "read=%s needs the configuration's `stack` (for example "
                                       "\"synth:layers=1,big=%s\"): the agent reads its bench/depth-1/big/%s",
                                       param_text(d->w, "read"), param_text(d->w, "read"),
                                       param_text(d->w, "read"));
        lay_stack st = {0};
        int r = lay_stack_resolve(stack, &st, err);
        if (r < 0)
                return bench_error_prefix(err, "stack `%s`", stack);
        char sz[32];
        bench_format_size(d->read, sz, sizeof(sz));
        d->drop = calloc(st.n_layers + 2, sizeof(char *));
        for (size_t i = 0; d->drop && i <= st.n_layers; i++) {
                const char *root = i < st.n_layers ? st.layers[i] : NULL;
                char *path = NULL;
                int w = root ? asprintf(&path, "%s/bench/depth-1/big/%s", root, sz)
                             : asprintf(&path, "%s/flat/bench/depth-1/big/%s", st.dir, sz);
                if (w >= 0 && access(path, F_OK) == 0)
                        d->drop[d->n_drop++] = path;
                else if (w >= 0)
                        free(path);
        }
        lay_stack_clear(&st);
        if (!d->drop)
                return bench_error_set(err, ENOMEM, "out of memory");
        return 0;
}

/* bench holds 3 pipe fds per environment and more: the soft limit goes up to the hard one (checked before).
 */
static void raise_nofile(void) {
        struct rlimit rl;
        if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
                rl.rlim_cur = rl.rlim_max;
                setrlimit(RLIMIT_NOFILE, &rl);
        }
}

static void dctx_clear(dctx *d) {
        free(d->args_read[0]);
        free(d->args_plain[0]);
        for (size_t i = 0; i < d->n_drop; i++)
                free(d->drop[i]);
        free(d->drop);
}

int run_density(run_ctx *c, const suite_config *cfg, const suite_workload *w) {
        _cleanup_(dctx_clear) dctx d = {.c = c, .cfg = cfg, .w = w, .drv = cfg->kind->driver};
        c->accel[0] = c->runtime[0] = '\0';
        char why[256];
        run_env_config(c, cfg, &d.rc);
        if (wl_density_counts(param_text(w, "n"), d.counts, DENSITY_MAX_COUNTS, &d.n_counts, why,
                              sizeof(why)) < 0) {
                derror(&d, "n: %s", why); /* validated before: only a bug gets here */
                return 0;
        }
        const char *start = param_text(w, "start");
        d.sequential = strcmp(start, "parallel") != 0;
        d.parallel = strcmp(start, "sequential") != 0;
        const bench_opt_spec *rs =
                bench_opt_expect(w->spec->params, "read", BENCH_OPT_AS(BENCH_OPT_SIZE), "density");
        d.read = bench_opt_text_uint(rs, param_text(w, "read"), "density");
        const char *hold = param_text(w, "hold_timeout");
        if (asprintf(&d.args_plain[0], "%s:hold_timeout=%s", w->spec->name, hold) < 0 ||
            asprintf(&d.args_read[0], "%s:hold_timeout=%s,read=%s", w->spec->name, hold,
                     param_text(w, "read")) < 0) {
                d.args_plain[0] = d.args_read[0] = NULL;
                derror(&d, "out of memory");
                return 0;
        }
        raise_nofile();
        if (d.read && d.sequential) {
                _cleanup_error_ bench_error *err = NULL;
                if (find_read_copies(&d, &err) < 0) {
                        derror(&d, "%s", err->msg);
                        return 0;
                }
                if (d.n_drop == 0)
                        dnote(&d,
                              "the read file is not in the layer store's tree of the stack: its page cache "
                              "was not dropped before each n");
        }
        for (size_t i = 0; i < d.n_counts && !bench_interrupted(); i++) {
                int r = 0;
                if (d.sequential) {
                        run_unit_begin(c, cfg, w, NULL);
                        r = round_n(&d, d.counts[i], false);
                        run_unit_end(c);
                }
                if (r == 0 && d.parallel && !bench_interrupted()) {
                        run_unit_begin(c, cfg, w, NULL);
                        r = round_n(&d, d.counts[i], true);
                        run_unit_end(c);
                }
                /* a failed N says why once; a larger N would fail the same way */
                if (r < 0)
                        break;
        }
        return bench_interrupted() ? -EINTR : 0;
}
