/* SPDX-License-Identifier: MIT */
/* cgroup v1: one hierarchy per controller (or a few co-mounted). */
#include "cgroup-internal.h"

#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../common/cleanup.h"
#include "../../common/util.h"

/* Strips the trailing newline the kernel adds. */
static void chomp(char *s) {
        size_t n = strlen(s);
        while (n && (s[n - 1] == '\n' || s[n - 1] == ' '))
                s[--n] = 0;
}

/*
 * A v1 cpuset child starts with empty cpus and mems and takes no task until
 * both are set; with cgroup.clone_children on the parent, children copy them
 * at mkdir, which saves two writes per container. The bench parent itself
 * copies them from the root once.
 */
static int v1_prepare_parent(const cg_hier *h, const char *parent, unsigned ctrls, bench_error **err) {
        if (!parent)
                return 0; /* a root's own files stay as the host set them */
        /*
         * the device rules once, for every container below (a v1 child copies
         * them at mkdir). Best effort: "deny a" is refused while the parent has
         * children (a killed run's); each container then gets its own rules.
         */
        if ((ctrls & CG_BIT(CG_DEVICES)) && !cg_devices_v1_match(parent))
                (void)cg_devices_v1_write(parent, NULL);
        if (!(h->ctrls & CG_BIT(CG_CPUSET)))
                return 0;
        int r = cg_v1_cpuset_inherit(h, parent, true, err);
        if (r < 0)
                return r;
        r = cg_write(parent, "cgroup.clone_children", "1");
        if (r < 0)
                return cg_limit_error(r, "cgroup.clone_children", "1", parent, err);
        return 0;
}

/*
 * cpuset.mems and cpuset.cpus of a v1 cgroup, copied from the base (bench's
 * own cgroup: the root, or the cpuset a Slurm job was given; only
 * where empty, with only_empty): the bench parent's once, so that children
 * copy them at mkdir (clone_children); a container made at the root
 * (CTR_CGROUP_AT_ROOT), whose root's clone_children is the host's and not
 * ours to set, at each start (cpus may then be narrowed by a limit).
 */
int cg_v1_cpuset_inherit(const cg_hier *h, const char *path, bool only_empty, bench_error **err) {
        static const char *const files[] = {"cpuset.mems", "cpuset.cpus"};
        for (size_t i = 0; i < ELEMENTSOF(files); i++) {
                char buf[1024];
                ssize_t n;
                if (only_empty) {
                        if ((n = cg_read(path, files[i], buf, sizeof(buf))) < 0)
                                return bench_error_errno(err, (int)n, "cgroup: reading %s/%s", path,
                                                         files[i]);
                        chomp(buf);
                        if (*buf)
                                continue;
                }
                const char *from = cg_hier_base(h);
                if ((n = cg_read(from, files[i], buf, sizeof(buf))) < 0)
                        return bench_error_errno(err, (int)n, "cgroup: reading %s/%s", from, files[i]);
                chomp(buf);
                int r = cg_write(path, files[i], buf);
                if (r < 0)
                        return cg_limit_error(r, files[i], buf, path, err);
        }
        return 0;
}

static int v1_apply_limits(const cg_hier *h, const char *path, const ctr_cgroup_limits *lim,
                           bench_error **err) {
        char val[64];
        int r;
        if ((h->ctrls & CG_BIT(CG_MEMORY)) && lim->memory_bytes) {
                /* no memory.memsw.limit_in_bytes: one write less, and it needs swapaccount */
                snprintf(val, sizeof(val), "%" PRIu64, lim->memory_bytes);
                r = cg_write(path, "memory.limit_in_bytes", val);
                if (r == -EBUSY || r == -EINVAL)
                        return cg_memory_error(r, lim->memory_bytes, err);
                if (r < 0)
                        return cg_limit_error(r, "memory.limit_in_bytes", val, path, err);
        }
        if ((h->ctrls & CG_BIT(CG_CPU)) && lim->cpu_quota_us) {
                /* the period first: the quota is checked against it */
                if (lim->cpu_period_us && lim->cpu_period_us != 100000) {
                        snprintf(val, sizeof(val), "%" PRIu64, lim->cpu_period_us);
                        r = cg_write(path, "cpu.cfs_period_us", val);
                        if (r < 0)
                                return cg_limit_error(r, "cpu.cfs_period_us", val, path, err);
                }
                snprintf(val, sizeof(val), "%" PRIu64, lim->cpu_quota_us);
                r = cg_write(path, "cpu.cfs_quota_us", val);
                if (r < 0)
                        return cg_limit_error(r, "cpu.cfs_quota_us", val, path, err);
        }
        /* a v1 parent's cpuset.* is what it offers */
        return cg_apply_shared_limits(h, path, lim, "", err);
}

static int v1_read_stats(const cg_hier *h, const char *path, ctr_cgroup_stats *st, bench_error **err) {
        int r = 0;
        if (h->ctrls & CG_BIT(CG_MEMORY)) {
                if (r >= 0)
                        r = cg_read_u64(path, "memory.usage_in_bytes", &st->memory_current_bytes);
                if (r >= 0)
                        r = cg_read_u64(path, "memory.max_usage_in_bytes", &st->memory_peak_bytes);
                /* "oom_kill N" is there since 4.13 */
                if (r >= 0)
                        r = cg_read_key_u64(path, "memory.oom_control", "oom_kill", &st->oom_kills);
        }
        if ((h->ctrls & CG_BIT(CG_PIDS)) && r >= 0)
                r = cg_read_u64(path, "pids.current", &st->pids_current);
        if (r < 0)
                return bench_error_errno(err, r, "cgroup: reading the stats of %s", path);
        return 0;
}

static void kill_all(const pid_t *pids, size_t n) {
        for (size_t i = 0; i < n; i++)
                kill(pids[i], SIGKILL);
}

/*
 * Freeze first so that nothing forks between listing and killing, SIGKILL
 * every process, thaw (a frozen task dies only once thawed). v1 has no
 * "empty" event (notify_on_release runs a host-wide helper), so the wait
 * re-reads cgroup.procs with a short backoff.
 */
static int v1_kill(const cg_hier *h, const char *path, const char *freezer, uint64_t deadline_ns,
                   bench_error **err) {
        _cleanup_free_ pid_t *pids = NULL;
        size_t n = 0;
        const char *where = freezer ? freezer : path;
        int r = cg_read_pids(where, &pids, &n);
        if (r == -ENOENT)
                return 0;
        if (r < 0)
                return bench_error_errno(err, r, "cgroup: listing the processes of %s", where);
        if (n == 0)
                return 0;
        if (freezer && cg_write(freezer, "freezer.state", "FROZEN") >= 0) {
                /* FREEZING until every task stopped; bounded, a task stuck in D state may hold it */
                uint64_t until = bench_now_ns() + 500ull * 1000 * 1000;
                for (unsigned wait_us = 50;; wait_us = wait_us < 10000 ? wait_us * 2 : wait_us) {
                        char state[32];
                        if (cg_read(freezer, "freezer.state", state, sizeof(state)) < 0 ||
                            !strncmp(state, "FROZEN", 6) || bench_now_ns() > until)
                                break;
                        cg_sleep_us(wait_us);
                }
                free(pids);
                pids = NULL;
                if (cg_read_pids(freezer, &pids, &n) >= 0)
                        kill_all(pids, n);
                cg_write(freezer, "freezer.state", "THAWED");
        } else {
                kill_all(pids, n);
        }
        for (unsigned wait_us = 50;; wait_us = wait_us < 20000 ? wait_us * 2 : wait_us) {
                free(pids);
                pids = NULL;
                r = cg_read_pids(where, &pids, &n);
                if (r == -ENOENT || (r >= 0 && n == 0))
                        return 0;
                if (r < 0)
                        return bench_error_errno(err, r, "cgroup: listing the processes of %s", where);
                if (bench_now_ns() > deadline_ns)
                        break;
                if (!freezer)
                        kill_all(pids, n); /* what forked since */
                cg_sleep_us(wait_us);
        }
        char left[256] = "";
        cg_format_pids(pids, n, left, sizeof(left));
        return bench_error_set(err, EBUSY, "cgroup: processes left in %s after SIGKILL: %s", where, left);
}

const cg_backend cg_backend_v1 = {
        .prepare_parent = v1_prepare_parent,
        .apply_limits = v1_apply_limits,
        .read_stats = v1_read_stats,
        .kill = v1_kill,
};
