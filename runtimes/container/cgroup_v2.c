/* SPDX-License-Identifier: MIT */
/* cgroup v2: one tree; controllers are enabled top-down via cgroup.subtree_control. */
#include "cgroup-internal.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../../common/cleanup.h"
#include "../../common/util.h"

static unsigned parse_ctrls(const char *s) {
        unsigned mask = 0;
        for (int c = 0; c < CG_CTRL_MAX; c++) {
                const char *name = cg_ctrl_name((cg_ctrl)c);
                size_t len = strlen(name);
                for (const char *p = s; (p = strstr(p, name)); p += len)
                        if ((p == s || p[-1] == ' ') && (p[len] == ' ' || p[len] == '\n' || !p[len]))
                                mask |= CG_BIT(c);
        }
        return mask;
}

/* Enables ctrls for dir's children; reads first so that nothing is written when they are on. */
static int enable_ctrls(const char *dir, unsigned ctrls, bench_error **err) {
        char cur[512];
        ssize_t n = cg_read(dir, "cgroup.subtree_control", cur, sizeof(cur));
        if (n < 0)
                return bench_error_errno(err, (int)n, "cgroup: reading %s/cgroup.subtree_control", dir);
        unsigned missing = ctrls & ~parse_ctrls(cur);
        if (!missing)
                return 0;
        char val[128] = "";
        for (int c = 0; c < CG_CTRL_MAX; c++)
                if (missing & CG_BIT(c))
                        snprintf(val + strlen(val), sizeof(val) - strlen(val), "%s+%s", *val ? " " : "",
                                 cg_ctrl_name((cg_ctrl)c));
        int r = cg_write(dir, "cgroup.subtree_control", val);
        if (r == -EBUSY)
                return bench_error_errno(
                        err, r,
                        "cgroup: %s/cgroup.subtree_control = \"%s\" (a cgroup2 cgroup with "
                        "processes cannot enable controllers for its children; below the root "
                        "that is bench's own cgroup, which bench does not leave: run it where "
                        "the controllers are on already, or at the root)",
                        dir, val);
        if (r < 0)
                return cg_limit_error(r, "cgroup.subtree_control", val, dir, err);
        return 0;
}

/*
 * The bench parent is a child of the base (the mount's root, or bench's own
 * delegated cgroup): the base must hand the controllers down to it, and it
 * to the containers. The bench
 * parent never holds processes, so the no-internal-process rule is kept.
 */
/* parent NULL: containers go straight under the root (CTR_CGROUP_AT_ROOT). */
static int v2_prepare_parent(const cg_hier *h, const char *parent, unsigned ctrls, bench_error **err) {
        ctrls &= ~(CG_BIT(CG_FREEZER) | CG_BIT(CG_DEVICES));
        if (!ctrls)
                return 0;
        int r = enable_ctrls(cg_hier_base(h), ctrls, err);
        if (r < 0 || !parent)
                return r;
        return enable_ctrls(parent, ctrls, err);
}

static int v2_apply_limits(const cg_hier *h, const char *path, const ctr_cgroup_limits *lim,
                           bench_error **err) {
        char val[64];
        int r;
        if ((h->ctrls & CG_BIT(CG_MEMORY)) && lim->memory_bytes) {
                snprintf(val, sizeof(val), "%" PRIu64, lim->memory_bytes);
                r = cg_write(path, "memory.max", val);
                if (r == -EBUSY || r == -EINVAL)
                        return cg_memory_error(r, lim->memory_bytes, err);
                if (r < 0)
                        return cg_limit_error(r, "memory.max", val, path, err);
                /* the limit is the limit: no swapping past it (no file without swap accounting) */
                r = cg_write(path, "memory.swap.max", "0");
                if (r < 0 && r != -ENOENT)
                        return cg_limit_error(r, "memory.swap.max", "0", path, err);
        }
        if ((h->ctrls & CG_BIT(CG_CPU)) && lim->cpu_quota_us) {
                snprintf(val, sizeof(val), "%" PRIu64 " %" PRIu64, lim->cpu_quota_us,
                         lim->cpu_period_us ? lim->cpu_period_us : 100000);
                r = cg_write(path, "cpu.max", val);
                if (r < 0)
                        return cg_limit_error(r, "cpu.max", val, path, err);
        }
        /* a v2 parent offers its cpuset.*.effective */
        return cg_apply_shared_limits(h, path, lim, ".effective", err);
}

static int v2_read_stats(const cg_hier *h, const char *path, ctr_cgroup_stats *st, bench_error **err) {
        int r = 0;
        if (h->ctrls & CG_BIT(CG_MEMORY)) {
                if (r >= 0)
                        r = cg_read_u64(path, "memory.current", &st->memory_current_bytes);
                /* memory.peak is there since 5.19 */
                if (r >= 0)
                        r = cg_read_u64(path, "memory.peak", &st->memory_peak_bytes);
                if (r >= 0)
                        r = cg_read_key_u64(path, "memory.events", "oom_kill", &st->oom_kills);
        }
        if ((h->ctrls & CG_BIT(CG_PIDS)) && r >= 0)
                r = cg_read_u64(path, "pids.current", &st->pids_current);
        if (r < 0)
                return bench_error_errno(err, r, "cgroup: reading the stats of %s", path);
        return 0;
}

/* 1 populated, 0 empty, or -errno; fd is cgroup.events. */
static int populated(int fd) {
        char buf[256];
        ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);
        if (n < 0)
                return -errno;
        buf[n] = 0;
        const char *p = strstr(buf, "populated ");
        return p ? p[10] == '1' : -EBADMSG;
}

static int sigkill_each(const char *path) {
        _cleanup_free_ pid_t *pids = NULL;
        size_t n = 0;
        int r = cg_read_pids(path, &pids, &n);
        if (r < 0)
                return r;
        for (size_t i = 0; i < n; i++)
                kill(pids[i], SIGKILL);
        return 0;
}

/*
 * cgroup.kill (5.14+) kills the whole subtree atomically, forks included;
 * older kernels get SIGKILL per process, repeated. The wait is for the
 * "populated 0" event on cgroup.events (POLLPRI), not a sleep loop.
 */
static int v2_kill(const cg_hier *h, const char *path, const char *freezer, uint64_t deadline_ns,
                   bench_error **err) {
        char events[PATH_MAX];
        snprintf(events, sizeof(events), "%s/cgroup.events", path);
        _cleanup_close_ int fd = open(events, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return errno == ENOENT ? 0 : bench_error_errno(err, errno, "cgroup: opening %s", events);
        int r = populated(fd);
        if (r <= 0)
                return r < 0 ? bench_error_errno(err, r, "cgroup: reading %s", events) : 0;
        r = cg_write(path, "cgroup.kill", "1");
        bool have_kill = r >= 0;
        if (!have_kill && r != -ENOENT)
                return bench_error_errno(err, r, "cgroup: writing 1 to %s/cgroup.kill", path);
        /*
         * The kernel rate-limits cgroup.events notifications to one per 10 ms
         * per file (CGROUP_FILE_NOTIFY_MIN_INTV): a "populated 0" soon after
         * the "populated 1" of the join arrives up to ~20 ms late. So the
         * event wait also re-reads on a short timeout that grows.
         */
        for (uint64_t step_ns = 200 * 1000;; step_ns = step_ns < 20 * 1000 * 1000 ? step_ns * 2 : step_ns) {
                if (!have_kill)
                        sigkill_each(path);
                r = populated(fd);
                if (r < 0)
                        return bench_error_errno(err, r, "cgroup: reading %s", events);
                if (r == 0)
                        return 0;
                uint64_t now = bench_now_ns();
                if (now >= deadline_ns)
                        break;
                uint64_t wait_ns = deadline_ns - now < step_ns ? deadline_ns - now : step_ns;
                struct timespec ts = {.tv_sec = (time_t)(wait_ns / 1000000000),
                                      .tv_nsec = (long)(wait_ns % 1000000000)};
                struct pollfd pfd = {.fd = fd, .events = POLLPRI};
                if (ppoll(&pfd, 1, &ts, NULL) < 0 && errno != EINTR)
                        return bench_error_errno(err, errno, "cgroup: waiting on %s", events);
        }
        _cleanup_free_ pid_t *pids = NULL;
        size_t n = 0;
        char left[256] = "";
        if (cg_read_pids(path, &pids, &n) >= 0)
                cg_format_pids(pids, n, left, sizeof(left));
        return bench_error_set(err, EBUSY, "cgroup: processes left in %s after %s: %s", path,
                               have_kill ? "cgroup.kill" : "SIGKILL", *left ? left : "(none listed)");
}

const cg_backend cg_backend_v2 = {
        .prepare_parent = v2_prepare_parent,
        .apply_limits = v2_apply_limits,
        .read_stats = v2_read_stats,
        .kill = v2_kill,
};
