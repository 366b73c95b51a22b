/* SPDX-License-Identifier: MIT */
/*
 * The cgroup subsystem against the real kernel (root; skipped otherwise)
 * plus host detection on mountinfo fixtures (no root). The limit files are
 * read back with plain stdio, the membership from /proc/PID/cgroup.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../../common/cleanup.h"
#include "../../common/util.h"
#include "../../runtimes/container/cgroup-internal.h"
#include "../../runtimes/container/cgroup.h"

/* ---- fixtures for host detection (no root) ---- */

/* This host (hybrid): its cgroup lines of /proc/self/mountinfo, verbatim. */
static const char hybrid_mountinfo[] =
        "23 1 0:21 / / rw,relatime - overlay overlay rw\n"
        "31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
        "32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu\n"
        "33 31 0:30 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct\n"
        "34 31 0:31 / /sys/fs/cgroup/cpuset rw,relatime - cgroup cgroup rw,cpuset\n"
        "35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n"
        "36 31 0:33 / /sys/fs/cgroup/devices rw,relatime - cgroup cgroup rw,devices\n"
        "37 31 0:34 / /sys/fs/cgroup/freezer rw,relatime - cgroup cgroup rw,freezer\n"
        "38 31 0:35 / /sys/fs/cgroup/blkio rw,relatime - cgroup cgroup rw,blkio\n"
        "39 31 0:36 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids\n"
        "40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd\n"
        "41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n";

/* A systemd pure-v2 host, with optional fields before the separator. */
static const char v2_mountinfo[] =
        "22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n"
        "35 24 0:30 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:9 - cgroup2 cgroup2 "
        "rw,nsdelegate,memory_recursiveprot\n"
        "99 22 0:30 / /mnt/again rw,relatime shared:9 - cgroup2 cgroup2 rw\n";

/*
 * A pure-v1 host (Debian 10 style): cpu and cpuacct co-mounted, a mount
 * point with an escaped space, the memory hierarchy bound twice, no pids.
 */
static const char v1_mountinfo[] =
        "25 18 0:22 / /sys/fs/cgroup ro,nosuid - tmpfs tmpfs ro,mode=755\n"
        "26 25 0:23 / /sys/fs/cgroup/systemd rw - cgroup cgroup rw,xattr,name=systemd\n"
        "29 25 0:26 / /sys/fs/cgroup/cpu,cpuacct rw shared:10 - cgroup cgroup rw,cpu,cpuacct\n"
        "30 25 0:27 / /sys/fs/cgroup/my\\040memory rw - cgroup cgroup rw,memory\n"
        "31 25 0:28 / /sys/fs/cgroup/freezer rw - cgroup cgroup rw,freezer\n"
        "32 25 0:29 / /sys/fs/cgroup/cpuset rw - cgroup cgroup rw,cpuset,clone_children\n"
        "33 22 0:27 / /tmp/memory-again rw - cgroup cgroup rw,memory\n";

static const cg_hier *where(const cg_host *h, cg_ctrl c) {
        return h->where[c] >= 0 ? &h->hier[h->where[c]] : NULL;
}

static void test_detect_hybrid(void **state) {
        (void)state;
        cg_host h;
        assert_int_equal(cg_host_parse_mountinfo(hybrid_mountinfo, &h, NULL), 0);
        cg_host_set_v2_controllers(&h, "hugetlb\n");
        /* memory, cpu, cpuset, pids, freezer, devices + unified; not cpuacct, blkio, systemd */
        assert_int_equal(h.n, 7);
        assert_string_equal(where(&h, CG_DEVICES)->mount, "/sys/fs/cgroup/devices");
        assert_string_equal(where(&h, CG_MEMORY)->mount, "/sys/fs/cgroup/memory");
        assert_string_equal(where(&h, CG_CPU)->mount, "/sys/fs/cgroup/cpu");
        assert_string_equal(where(&h, CG_CPUSET)->mount, "/sys/fs/cgroup/cpuset");
        assert_string_equal(where(&h, CG_PIDS)->mount, "/sys/fs/cgroup/pids");
        assert_string_equal(where(&h, CG_FREEZER)->mount, "/sys/fs/cgroup/freezer");
        assert_int_equal(where(&h, CG_PIDS)->version, 1);
        assert_true(h.v2 >= 0);
        assert_string_equal(h.hier[h.v2].mount, "/sys/fs/cgroup/unified");
        assert_int_equal(h.hier[h.v2].ctrls, 0);
        ctr_cgroup_limits all = {
                .memory_bytes = 64 << 20, .cpu_quota_us = 50000, .pids_max = 10, .cpus = "0"};
        assert_int_equal(cg_host_check(&h, &all, NULL), 0);
        cg_host_clear(&h);
}

static bool exists_yes(const char *path) {
        (void)path;
        return true;
}
static bool exists_no(const char *path) {
        (void)path;
        return false;
}

/* bench's own cgroup per hierarchy (a Slurm step's, a container's), and where its cgroups then go */
static void test_own_base(void **state) {
        (void)state;
        cg_host h;
        assert_int_equal(cg_host_parse_mountinfo(hybrid_mountinfo, &h, NULL), 0);
        static const char slurm_step[] = "12:pids:/\n"
                                         "11:freezer:/slurm_vm/uid_0/job_5/step_0\n"
                                         "10:name=systemd:/user.slice\n"
                                         "7:cpuset:/slurm_vm/uid_0/job_5/step_0\n"
                                         "5:memory:/slurm_vm/uid_0/job_5/step_0\n"
                                         "4:cpu,cpuacct:/\n"
                                         "0::/\n";
        assert_int_equal(cg_host_set_own(&h, slurm_step, exists_yes), 0);
        assert_string_equal(where(&h, CG_MEMORY)->own, "/slurm_vm/uid_0/job_5/step_0");
        assert_string_equal(cg_hier_base(where(&h, CG_MEMORY)),
                            "/sys/fs/cgroup/memory/slurm_vm/uid_0/job_5/step_0");
        assert_string_equal(cg_hier_base(where(&h, CG_CPUSET)),
                            "/sys/fs/cgroup/cpuset/slurm_vm/uid_0/job_5/step_0");
        assert_string_equal(cg_hier_base(where(&h, CG_FREEZER)),
                            "/sys/fs/cgroup/freezer/slurm_vm/uid_0/job_5/step_0");
        /* "cpu,cpuacct" names cpu; the root stays the root */
        assert_string_equal(where(&h, CG_CPU)->own, "/");
        assert_string_equal(cg_hier_base(where(&h, CG_CPU)), "/sys/fs/cgroup/cpu");
        assert_string_equal(cg_hier_base(where(&h, CG_PIDS)), "/sys/fs/cgroup/pids");
        assert_string_equal(cg_hier_base(&h.hier[h.v2]), "/sys/fs/cgroup/unified");
        /* no devices line: its own is the root */
        assert_string_equal(where(&h, CG_DEVICES)->own, "/");

        /* a directory that is not there, a path that climbs, no text at all: the mount */
        assert_int_equal(cg_host_set_own(&h, slurm_step, exists_no), 0);
        assert_string_equal(cg_hier_base(where(&h, CG_MEMORY)), "/sys/fs/cgroup/memory");
        assert_string_equal(where(&h, CG_MEMORY)->own, "/slurm_vm/uid_0/job_5/step_0");
        assert_int_equal(cg_host_set_own(&h, "5:memory:/a/../../etc\n0::/x/./y\n", exists_yes), 0);
        assert_string_equal(cg_hier_base(where(&h, CG_MEMORY)), "/sys/fs/cgroup/memory");
        assert_string_equal(cg_hier_base(&h.hier[h.v2]), "/sys/fs/cgroup/unified");
        assert_int_equal(cg_host_set_own(&h, NULL, exists_yes), 0);
        assert_string_equal(where(&h, CG_MEMORY)->own, "/");
        assert_string_equal(cg_hier_base(where(&h, CG_MEMORY)), "/sys/fs/cgroup/memory");
        /* cgroup2's line is "0::PATH" */
        assert_int_equal(cg_host_set_own(&h, "0::/system.slice/ci.service\n", exists_yes), 0);
        assert_string_equal(cg_hier_base(&h.hier[h.v2]), "/sys/fs/cgroup/unified/system.slice/ci.service");
        cg_host_clear(&h);

        /* a CI container sees its own part of the hierarchy mounted: the mount's root is its cgroup */
        static const char container_mi[] =
                "30 25 0:27 /docker/abc /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n"
                "31 25 0:28 /docker/abc /sys/fs/cgroup/cpuset rw - cgroup cgroup rw,cpuset\n";
        assert_int_equal(cg_host_parse_mountinfo(container_mi, &h, NULL), 0);
        assert_string_equal(where(&h, CG_MEMORY)->root, "/docker/abc");
        assert_int_equal(cg_host_set_own(&h, "4:memory:/docker/abc/job\n3:cpuset:/docker/abc\n", exists_yes),
                         0);
        assert_string_equal(cg_hier_base(where(&h, CG_MEMORY)), "/sys/fs/cgroup/memory/job");
        assert_string_equal(cg_hier_base(where(&h, CG_CPUSET)), "/sys/fs/cgroup/cpuset");
        /* a path outside what the mount shows: the mount */
        assert_int_equal(cg_host_set_own(&h, "4:memory:/docker/abcd/x\n", exists_yes), 0);
        assert_string_equal(cg_hier_base(where(&h, CG_MEMORY)), "/sys/fs/cgroup/memory");
        cg_host_clear(&h);
}

static void test_detect_v2(void **state) {
        (void)state;
        cg_host h;
        bench_error *err = NULL;
        assert_int_equal(cg_host_parse_mountinfo(v2_mountinfo, &h, NULL), 0);
        assert_int_equal(h.n, 1); /* the second cgroup2 mount is the same tree */
        cg_host_set_v2_controllers(&h, "cpuset cpu io memory hugetlb pids rdma misc\n");
        for (int c = 0; c < CG_CTRL_MAX; c++)
                assert_int_equal(h.where[c], c == CG_FREEZER || c == CG_DEVICES ? -1 : 0);
        assert_int_equal(h.hier[0].version, 2);
        assert_string_equal(h.hier[0].mount, "/sys/fs/cgroup");
        cg_host_clear(&h);

        /* pids not delegated: the check names the file it looked at */
        assert_int_equal(cg_host_parse_mountinfo(v2_mountinfo, &h, NULL), 0);
        cg_host_set_v2_controllers(&h, "cpu memory\n");
        ctr_cgroup_limits mem = {.memory_bytes = 64 << 20};
        assert_int_equal(cg_host_check(&h, &mem, NULL), 0);
        ctr_cgroup_limits pids = {.pids_max = 10};
        assert_int_equal(cg_host_check(&h, &pids, &err), -ENOENT);
        assert_string_equal(err->msg,
                            "cgroup: the pids controller is not available on this host (not mounted as "
                            "cgroup v1 and not in /sys/fs/cgroup/cgroup.controllers); drop the pids "
                            "limit");
        bench_error_freep(&err);
        ctr_cgroup_limits cpus = {.cpus = "0"};
        assert_int_equal(cg_host_check(&h, &cpus, &err), -ENOENT);
        assert_non_null(strstr(err->msg, "the cpuset controller"));
        assert_non_null(strstr(err->msg, "drop the cpus setting"));
        bench_error_freep(&err);
        cg_host_clear(&h);
}

static void test_detect_v1(void **state) {
        (void)state;
        cg_host h;
        bench_error *err = NULL;
        assert_int_equal(cg_host_parse_mountinfo(v1_mountinfo, &h, NULL), 0);
        cg_host_set_v2_controllers(&h, "memory pids\n"); /* no cgroup2: ignored */
        assert_int_equal(h.v2, -1);
        assert_int_equal(h.n, 4); /* cpu,cpuacct / memory / freezer / cpuset */
        assert_string_equal(where(&h, CG_CPU)->mount, "/sys/fs/cgroup/cpu,cpuacct");
        assert_string_equal(where(&h, CG_MEMORY)->mount, "/sys/fs/cgroup/my memory");
        assert_string_equal(where(&h, CG_CPUSET)->mount, "/sys/fs/cgroup/cpuset");
        assert_null(where(&h, CG_PIDS));
        ctr_cgroup_limits ok = {.memory_bytes = 1 << 30, .cpu_quota_us = 1000, .cpus = "0"};
        assert_int_equal(cg_host_check(&h, &ok, NULL), 0);
        ctr_cgroup_limits pids = {.pids_max = 10};
        assert_int_equal(cg_host_check(&h, &pids, &err), -ENOENT);
        assert_string_equal(err->msg,
                            "cgroup: the pids controller is not available on this host (not mounted as "
                            "cgroup v1 and no cgroup2 mount); drop the pids limit");
        bench_error_freep(&err);
        cg_host_clear(&h);

        /* nothing at all */
        assert_int_equal(cg_host_parse_mountinfo("22 1 8:1 / / rw - ext4 /dev/sda1 rw\n", &h, NULL), 0);
        assert_int_equal(h.n, 0);
        assert_int_equal(cg_host_check(&h, NULL, &err), -ENOENT);
        assert_non_null(strstr(err->msg, "no cgroup hierarchy"));
        bench_error_freep(&err);
        cg_host_clear(&h);
}

static void test_memory_floor(void **state) {
        (void)state;
        bench_error *err = NULL;
        ctr_cgroup_limits lim = {.memory_bytes = 4096};
        assert_int_equal(ctr_cgroup_check(&lim, &err), -EINVAL);
        assert_non_null(strstr(err->msg, "memory limit 4K"));
        assert_non_null(strstr(err->msg, "raise memory"));
        bench_error_freep(&err);
}

/* ---- against the kernel (root) ---- */

#define MAX_KIDS 16

typedef struct fixture {
        ctr_cgroup *cg;
        pid_t kids[MAX_KIDS];
        size_t n_kids;
        char name[64];
        char extra[8][PATH_MAX]; /* dirs the test made itself, deepest first */
        size_t n_extra;
} fixture;

static const cg_host *host;
static unsigned name_seq;

static int setup(void **state) {
        fixture *fx = calloc(1, sizeof(*fx));
        snprintf(fx->name, sizeof(fx->name), "bench-%d-%u", (int)getpid(), 1000 + name_seq++);
        *state = fx;
        return 0;
}

/* Runs after failed assertions too: nothing the test made may be left. */
static int teardown(void **state) {
        fixture *fx = *state;
        ctr_cgroup_destroy(fx->cg);
        for (size_t i = 0; i < fx->n_kids; i++)
                kill(fx->kids[i], SIGKILL);
        for (size_t i = 0; i < fx->n_kids; i++)
                waitpid(fx->kids[i], NULL, 0);
        for (size_t i = 0; i < fx->n_extra; i++)
                for (int t = 0; t < 50 && rmdir(fx->extra[i]) < 0 && errno == EBUSY; t++)
                        usleep(10000);
        /* grandchildren reparented to us (we are a subreaper) */
        while (waitpid(-1, NULL, WNOHANG) > 0)
                ;
        free(fx);
        return 0;
}

static bool need_root(void) {
        if (geteuid() != 0) {
                print_message("skipped: needs root (creates cgroups)\n");
                return false;
        }
        if (cg_host_get(&host, NULL) < 0 || host->n == 0) {
                print_message("skipped: no cgroup hierarchy on this host\n");
                return false;
        }
        return true;
}

static const cg_hier *hier_of(cg_ctrl c) {
        return host->where[c] >= 0 ? &host->hier[host->where[c]] : NULL;
}

/* The first line of <mount>/bench/<name>/<file> (at_root: <mount>/<name>/<file>), newline stripped. */
static void read_back_in(const cg_hier *h, bool at_root, const char *name, const char *file, char *buf,
                         size_t size) {
        char path[PATH_MAX];
        snprintf(path, sizeof(path), "%s/%s%s/%s", cg_hier_base(h), at_root ? "" : "bench/", name, file);
        FILE *f = fopen(path, "re");
        assert_non_null(f);
        assert_non_null(fgets(buf, (int)size, f));
        fclose(f);
        buf[strcspn(buf, "\n")] = 0;
}

static void read_back(const cg_hier *h, const char *name, const char *file, char *buf, size_t size) {
        read_back_in(h, false, name, file, buf, size);
}

/* How many hierarchies have <name> at their root. */
static int root_leftovers(const char *name) {
        int n = 0;
        for (size_t i = 0; i < host->n; i++) {
                char path[PATH_MAX];
                snprintf(path, sizeof(path), "%s/%s", cg_hier_base(&host->hier[i]), name);
                n += access(path, F_OK) == 0;
        }
        return n;
}

/* How many hierarchies still have bench/<name>. */
static int leftovers(const char *name) {
        int n = 0;
        for (size_t i = 0; i < host->n; i++) {
                char path[PATH_MAX];
                snprintf(path, sizeof(path), "%s/bench", cg_hier_base(&host->hier[i]));
                DIR *d = opendir(path);
                if (!d)
                        continue;
                struct dirent *de;
                while ((de = readdir(d)))
                        n += !strcmp(de->d_name, name);
                closedir(d);
        }
        return n;
}

typedef enum kid_mode { KID_SLEEP, KID_OOM, KID_FORKS } kid_mode;

/*
 * Forks a child that joins cg through its join fds (the container child's
 * way), says 'R' on a pipe, then does mode. Returns the pipe's read end.
 */
static int spawn(fixture *fx, kid_mode mode, pid_t *ret_pid) {
        int fds[9], p[2];
        size_t n = ctr_cgroup_join_fds(fx->cg, fds, ELEMENTSOF(fds) - 1);
        /* the v2 cgroup is joined through its own fd unless the child was cloned into it */
        if (ctr_cgroup_v2_join_fd(fx->cg) >= 0 && ctr_cgroup_clone_fd(fx->cg) < 0)
                fds[n++] = ctr_cgroup_v2_join_fd(fx->cg);
        assert_true(fx->n_kids < MAX_KIDS);
        assert_int_equal(pipe2(p, O_CLOEXEC), 0);
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                close(p[0]);
                for (size_t i = 0; i < n; i++)
                        if (write(fds[i], "0", 1) != 1) {
                                (void)!write(p[1], "E", 1);
                                _exit(1);
                        }
                (void)!write(p[1], "R", 1);
                if (mode == KID_OOM) {
                        /* 64M touched page by page against a 32M limit */
                        size_t sz = 64u << 20;
                        char *m = malloc(sz);
                        for (size_t i = 0; m && i < sz; i += 4096)
                                m[i] = 1;
                        _exit(m ? 0 : 2);
                }
                if (mode == KID_FORKS) {
                        int forked = 0, e = 0;
                        for (int i = 0; i < 100; i++) {
                                pid_t c = fork();
                                if (c == 0) {
                                        pause();
                                        _exit(0);
                                }
                                if (c < 0) {
                                        e = errno;
                                        break;
                                }
                                forked++;
                        }
                        (void)!write(p[1], &forked, sizeof(forked));
                        (void)!write(p[1], &e, sizeof(e));
                }
                for (;;)
                        pause();
        }
        close(p[1]);
        fx->kids[fx->n_kids++] = pid;
        char c = 0;
        assert_int_equal(read(p[0], &c, 1), 1);
        assert_int_equal(c, 'R');
        *ret_pid = pid;
        return p[0];
}

static void create(fixture *fx, const ctr_cgroup_limits *lim, unsigned flags) {
        bench_error *err = NULL;
        int r = ctr_cgroup_create(fx->name, lim, flags, &fx->cg, &err);
        if (r < 0)
                print_message("%s\n", err->msg);
        assert_int_equal(r, 0);
        bench_error_free(err);
}

/* A cpu this process may run on: the highest in its affinity. */
static int some_cpu(void) {
        cpu_set_t set;
        assert_int_equal(sched_getaffinity(0, sizeof(set), &set), 0);
        for (int c = CPU_SETSIZE - 1; c >= 0; c--)
                if (CPU_ISSET(c, &set))
                        return c;
        fail();
        return 0;
}

/*
 * Creates fx's cgroup (flags) with memory, pids and cpus limits where the
 * host has the controllers, reads them back from below the bench parent or
 * (CTR_CGROUP_AT_ROOT) the roots, and has a child join every hierarchy.
 */
static pid_t create_limited(fixture *fx, unsigned flags) {
        bool at_root = flags & CTR_CGROUP_AT_ROOT;
        char cpus[16], buf[64];
        snprintf(cpus, sizeof(cpus), "%d", some_cpu());
        ctr_cgroup_limits lim = {.memory_bytes = 64 << 20, .pids_max = 10, .cpus = cpus};
        if (!hier_of(CG_CPUSET))
                lim.cpus = NULL;
        if (!hier_of(CG_PIDS))
                lim.pids_max = 0;
        create(fx, &lim, flags);
        const cg_hier *h = hier_of(CG_MEMORY);
        read_back_in(h, at_root, fx->name, h->version == 1 ? "memory.limit_in_bytes" : "memory.max", buf,
                     sizeof(buf));
        assert_string_equal(buf, "67108864"); /* 64 << 20 */
        if ((h = hier_of(CG_PIDS))) {
                read_back_in(h, at_root, fx->name, "pids.max", buf, sizeof(buf));
                assert_string_equal(buf, "10");
        }
        if ((h = hier_of(CG_CPUSET))) {
                read_back_in(h, at_root, fx->name, "cpuset.cpus", buf, sizeof(buf));
                assert_string_equal(buf, cpus);
                /* mems inherited from the bench parent or copied from the root: a task joins only with both
                 */
                read_back_in(h, at_root, fx->name, "cpuset.mems", buf, sizeof(buf));
                assert_true(buf[0] != 0);
        }
        /* the child can join every hierarchy, cpuset included */
        pid_t pid;
        close(spawn(fx, KID_SLEEP, &pid));
        return pid;
}

static void test_limits_read_back(void **state) {
        fixture *fx = *state;
        if (!need_root())
                skip();
        create_limited(fx, 0);
}

static void test_join_and_list(void **state) {
        fixture *fx = *state;
        if (!need_root())
                skip();
        create(fx, NULL, 0);
        int fds[8];
        size_t n_fds = ctr_cgroup_join_fds(fx->cg, fds, ELEMENTSOF(fds));
        assert_true(n_fds >= 1);
        assert_int_equal(ctr_cgroup_clone_fd(fx->cg), -1);
        pid_t pid;
        close(spawn(fx, KID_SLEEP, &pid));

        pid_t *pids = NULL;
        size_t n = 0;
        assert_int_equal(ctr_cgroup_pids(fx->cg, &pids, &n, NULL), 0);
        assert_int_equal(n, 1);
        assert_int_equal(pids[0], pid);
        free(pids);

        /* /proc/PID/cgroup: one line per hierarchy joined, each at /bench/<name> */
        char path[64], line[512], want[128];
        snprintf(path, sizeof(path), "/proc/%d/cgroup", (int)pid);
        snprintf(want, sizeof(want), "/bench/%s\n", fx->name);
        FILE *f = fopen(path, "re");
        assert_non_null(f);
        size_t in = 0;
        while (fgets(line, sizeof(line), f))
                if (strlen(line) > strlen(want) && !strcmp(line + strlen(line) - strlen(want), want))
                        in++;
        fclose(f);
        assert_int_equal(in, n_fds + (ctr_cgroup_v2_join_fd(fx->cg) >= 0));
        assert_non_null(strstr(ctr_cgroup_path(fx->cg), fx->name));

        ctr_cgroup_stats st;
        assert_int_equal(ctr_cgroup_stats_read(fx->cg, &st, NULL), 0);
        if (hier_of(CG_PIDS))
                assert_int_equal(st.pids_current, 1);
        assert_true(st.memory_peak_bytes >= st.memory_current_bytes);
        assert_int_equal(st.oom_kills, 0);
}

static bool host_has_swap(void) {
        FILE *f = fopen("/proc/swaps", "re");
        char line[256];
        int lines = 0;
        while (f && fgets(line, sizeof(line), f))
                lines++;
        if (f)
                fclose(f);
        return lines > 1; /* the header only = no swap */
}

static void test_oom(void **state) {
        fixture *fx = *state;
        if (!need_root())
                skip();
        ctr_cgroup_limits lim = {.memory_bytes = 32 << 20};
        create(fx, &lim, 0);
        const cg_hier *mem = hier_of(CG_MEMORY);
        if (mem->version == 1 && host_has_swap()) {
                /* the library does not cap v1 swap; the test must, or swap saves the child */
                char path[PATH_MAX];
                snprintf(path, sizeof(path), "%s/bench/%s/memory.memsw.limit_in_bytes", cg_hier_base(mem),
                         fx->name);
                FILE *f = fopen(path, "we");
                assert_non_null(f);
                fprintf(f, "%d\n", 32 << 20);
                assert_int_equal(fclose(f), 0);
        }
        pid_t pid;
        close(spawn(fx, KID_OOM, &pid));
        int status;
        assert_int_equal(waitpid(pid, &status, 0), pid);
        fx->n_kids = 0;
        assert_true(WIFSIGNALED(status));
        assert_int_equal(WTERMSIG(status), SIGKILL);
        ctr_cgroup_stats st;
        assert_int_equal(ctr_cgroup_stats_read(fx->cg, &st, NULL), 0);
        assert_true(st.oom_kills >= 1);
        assert_true(st.memory_peak_bytes > (16u << 20));
        assert_true(st.memory_peak_bytes <= (32u << 20));
}

static void test_pids_max(void **state) {
        fixture *fx = *state;
        if (!need_root())
                skip();
        if (!hier_of(CG_PIDS)) {
                print_message("skipped: no pids controller on this host\n");
                skip();
        }
        ctr_cgroup_limits lim = {.pids_max = 5};
        create(fx, &lim, 0);
        pid_t pid;
        int rfd = spawn(fx, KID_FORKS, &pid);
        int forked = -1, e = -1;
        assert_int_equal(read(rfd, &forked, sizeof(forked)), sizeof(forked));
        assert_int_equal(read(rfd, &e, sizeof(e)), sizeof(e));
        close(rfd);
        assert_int_equal(e, EAGAIN);
        assert_int_equal(forked, 4); /* 5 with the child itself */
        ctr_cgroup_stats st;
        assert_int_equal(ctr_cgroup_stats_read(fx->cg, &st, NULL), 0);
        assert_int_equal(st.pids_current, 5);
        /* the grandchildren go too; pids.current counts zombies until they are reaped */
        assert_int_equal(ctr_cgroup_kill(fx->cg, NULL), 0);
        int reaped = 0;
        while (waitpid(-1, NULL, 0) > 0)
                reaped++;
        fx->n_kids = 0;
        assert_int_equal(reaped, 5); /* the grandchildren came to us, the subreaper */
        assert_int_equal(ctr_cgroup_stats_read(fx->cg, &st, NULL), 0);
        assert_int_equal(st.pids_current, 0);
}

static void kill_sleepers(fixture *fx, unsigned flags) {
        create(fx, NULL, flags);
        pid_t pids[3];
        for (int i = 0; i < 3; i++)
                close(spawn(fx, KID_SLEEP, &pids[i]));
        assert_int_equal(kill(pids[1], SIGSTOP), 0);
        siginfo_t si;
        assert_int_equal(waitid(P_PID, (id_t)pids[1], &si, WSTOPPED | WNOWAIT), 0);

        bench_error *err = NULL;
        uint64_t t0 = bench_now_ns();
        int r = ctr_cgroup_kill(fx->cg, &err);
        uint64_t t1 = bench_now_ns();
        if (r < 0)
                print_message("%s\n", err->msg);
        assert_int_equal(r, 0);
        print_message("kill of 3 processes: %.2f ms\n", bench_ns_to_ms(t1 - t0));
        pid_t *left = NULL;
        size_t n = 9;
        assert_int_equal(ctr_cgroup_pids(fx->cg, &left, &n, NULL), 0);
        assert_int_equal(n, 0);
        free(left);
        for (int i = 0; i < 3; i++) {
                int status;
                assert_int_equal(waitpid(pids[i], &status, 0), pids[i]);
                assert_true(WIFSIGNALED(status));
                assert_int_equal(WTERMSIG(status), SIGKILL);
        }
        fx->n_kids = 0;
        /* empty: a second kill is a no-op */
        assert_int_equal(ctr_cgroup_kill(fx->cg, NULL), 0);
}

static void test_kill(void **state) {
        fixture *fx = *state;
        if (!need_root())
                skip();
        kill_sleepers(fx, 0);
}

/*
 * With a clone fd the join fds leave out v2, so children that write them
 * sit in v1 only: the v1 way must do it, with the freezer (freeze, SIGKILL
 * each, thaw, backoff) and without (SIGKILL each, repeated).
 */
static void test_kill_v1_only(void **state) {
        fixture *fx = *state;
        if (!need_root())
                skip();
        if (host->v2 < 0 || !hier_of(CG_FREEZER)) {
                print_message("skipped: needs a hybrid host (v1 freezer + cgroup2)\n");
                skip();
        }
        kill_sleepers(fx, CTR_CGROUP_WANT_CLONE_INTO);
        ctr_cgroup_destroy(fx->cg);
        fx->cg = NULL;
        cg_use_v1_freezer = true;
        kill_sleepers(fx, CTR_CGROUP_WANT_CLONE_INTO);
        cg_use_v1_freezer = false;
        /* the freezer was in use and is thawed again */
        char state_buf[32];
        read_back(hier_of(CG_FREEZER), fx->name, "freezer.state", state_buf, sizeof(state_buf));
        assert_string_equal(state_buf, "THAWED");
}

static void test_destroy_kills_and_removes(void **state) {
        fixture *fx = *state;
        if (!need_root())
                skip();
        create(fx, NULL, 0);
        assert_int_equal(leftovers(fx->name), (int)ctr_cgroup_join_fds(fx->cg, (int[8]){0}, 8) +
                                                      (ctr_cgroup_v2_join_fd(fx->cg) >= 0));
        pid_t pid;
        close(spawn(fx, KID_SLEEP, &pid));
        ctr_cgroup_destroy(fx->cg);
        fx->cg = NULL;
        int status;
        assert_int_equal(waitpid(pid, &status, 0), pid);
        fx->n_kids = 0;
        assert_true(WIFSIGNALED(status));
        assert_int_equal(leftovers(fx->name), 0);
        ctr_cgroup_destroy(NULL);
}

static void test_bad_cpus(void **state) {
        fixture *fx = *state;
        if (!need_root())
                skip();
        if (!hier_of(CG_CPUSET)) {
                print_message("skipped: no cpuset controller on this host\n");
                skip();
        }
        /* one past the last possible cpu is in no cpuset */
        char buf[64], cpus[16];
        FILE *f = fopen("/sys/devices/system/cpu/possible", "re");
        assert_non_null(f);
        assert_non_null(fgets(buf, sizeof(buf), f));
        fclose(f);
        const char *last = strrchr(buf, '-') ? strrchr(buf, '-') + 1 : buf;
        snprintf(cpus, sizeof(cpus), "%d", atoi(last) + 1);
        ctr_cgroup_limits lim = {.cpus = cpus};
        bench_error *err = NULL;
        int r = ctr_cgroup_create(fx->name, &lim, 0, &fx->cg, &err);
        /* cpulist_parse: ERANGE past the possible cpus; EINVAL for a cpu outside the parent's */
        assert_true(r == -ERANGE || r == -EINVAL);
        assert_null(fx->cg);
        print_message("%s\n", err->msg);
        /* what the bench parent offers, read here independently */
        const cg_hier *h = hier_of(CG_CPUSET);
        char have[64], file[PATH_MAX], want[256];
        snprintf(file, sizeof(file), "%s/bench/%s", cg_hier_base(h),
                 h->version == 1 ? "cpuset.cpus" : "cpuset.cpus.effective");
        f = fopen(file, "re");
        assert_non_null(f);
        assert_non_null(fgets(have, sizeof(have), f));
        fclose(f);
        have[strcspn(have, "\n")] = 0;
        snprintf(want, sizeof(want), "cgroup: cpuset.cpus = \"%s\": %s (this host's cpus are %s)", cpus,
                 strerror(-r), have);
        assert_string_equal(err->msg, want);
        bench_error_free(err);
        assert_int_equal(leftovers(fx->name), 0);
}

static void test_bad_memory(void **state) {
        fixture *fx = *state;
        if (!need_root())
                skip();
        ctr_cgroup_limits lim = {.memory_bytes = 4096};
        bench_error *err = NULL;
        assert_int_equal(ctr_cgroup_create(fx->name, &lim, 0, &fx->cg, &err), -EINVAL);
        assert_null(fx->cg);
        assert_non_null(strstr(err->msg, "memory limit 4K"));
        bench_error_freep(&err);
        assert_int_equal(leftovers(fx->name), 0);

        /* a name that exists already is refused, and the existing one is kept */
        ctr_cgroup *other = NULL;
        create(fx, NULL, 0);
        assert_int_equal(ctr_cgroup_create(fx->name, NULL, 0, &other, &err), -EEXIST);
        assert_null(other);
        assert_non_null(strstr(err->msg, "exists already"));
        bench_error_freep(&err);
        assert_true(leftovers(fx->name) > 0);
}

static int read_populated(const char *dir) {
        char path[PATH_MAX + 32], buf[128];
        snprintf(path, sizeof(path), "%s/cgroup.events", dir);
        FILE *f = fopen(path, "re");
        assert_non_null(f);
        int v = -1;
        while (fgets(buf, sizeof(buf), f))
                if (sscanf(buf, "populated %d", &v) == 1)
                        break;
        fclose(f);
        return v;
}

/* clone3() with CLONE_INTO_CGROUP into the v2 cgroup; v1 joined by writing. */
/*
 * A child in the cgroup (joined through the v2 fd only, or through every
 * fd) opens host device nodes: /dev/null must open, /dev/kmsg (1:11, not
 * on the list) must be refused with EPERM. Exit code: bit 0 null ok, bit 1
 * kmsg refused.
 */
static int devices_kid(fixture *fx, bool v2_only) {
        int fds[9];
        size_t n = v2_only ? 0 : ctr_cgroup_join_fds(fx->cg, fds, ELEMENTSOF(fds) - 1);
        fds[n++] = ctr_cgroup_v2_join_fd(fx->cg);
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                for (size_t i = 0; i < n; i++)
                        if (fds[i] >= 0 && write(fds[i], "0", 1) != 1)
                                _exit(100);
                int code = 0, fd = open("/dev/null", O_RDWR | O_CLOEXEC);
                if (fd >= 0)
                        code |= 1;
                fd = open("/dev/kmsg", O_RDONLY | O_CLOEXEC);
                if (fd < 0 && errno == EPERM)
                        code |= 2;
                _exit(code);
        }
        int status;
        assert_int_equal(waitpid(pid, &status, 0), pid);
        assert_true(WIFEXITED(status));
        return WEXITSTATUS(status);
}

/* The cgroup2 way: the BPF program on the container's v2 dir, enforced by the kernel. */
static void test_devices_bpf(void **state) {
        fixture *fx = *state;
        if (!need_root())
                skip();
        if (host->v2 < 0 || access("/dev/kmsg", F_OK) < 0) {
                print_message("skipped: needs a cgroup2 mount and /dev/kmsg\n");
                skip();
        }
        /* outside: both open (the test would prove nothing otherwise) */
        int fd = open("/dev/kmsg", O_RDONLY | O_CLOEXEC);
        assert_true(fd >= 0);
        close(fd);
        cg_use_bpf_devices = true;
        bench_error *err = NULL;
        int r = ctr_cgroup_create(fx->name, NULL, CTR_CGROUP_WANT_CLONE_INTO, &fx->cg, &err);
        cg_use_bpf_devices = false;
        if (r < 0)
                print_message("%s\n", err->msg);
        assert_int_equal(r, 0);
        assert_int_equal(devices_kid(fx, true), 3);
}

/* The v1 way: the rules of the bench parent, copied into the container's dir at mkdir. */
static void test_devices_v1(void **state) {
        fixture *fx = *state;
        if (!need_root())
                skip();
        if (!hier_of(CG_DEVICES) || access("/dev/kmsg", F_OK) < 0) {
                print_message("skipped: needs the v1 devices controller and /dev/kmsg\n");
                skip();
        }
        create(fx, NULL, 0);
        char path[PATH_MAX];
        snprintf(path, sizeof(path), "%s/bench/%s", cg_hier_base(hier_of(CG_DEVICES)), fx->name);
        assert_true(cg_devices_v1_match(path));
        char first[64];
        read_back(hier_of(CG_DEVICES), fx->name, "devices.list", first, sizeof(first));
        assert_string_equal(first, "c *:* m");
        /* no BPF program in this mode: the v1 controller alone must refuse */
        int fds[9];
        size_t n = ctr_cgroup_join_fds(fx->cg, fds, ELEMENTSOF(fds));
        assert_true(n > 0);
        assert_int_equal(devices_kid(fx, false), 3);
}

static void test_v2_clone_into(void **state) {
        fixture *fx = *state;
        if (!need_root())
                skip();
        if (host->v2 < 0) {
                print_message("skipped: no cgroup2 mount on this host\n");
                skip();
        }
        create(fx, NULL, CTR_CGROUP_WANT_CLONE_INTO);
        int cfd = ctr_cgroup_clone_fd(fx->cg);
        assert_true(cfd >= 0);
        char v2dir[PATH_MAX];
        snprintf(v2dir, sizeof(v2dir), "%s/bench/%s", cg_hier_base(&host->hier[host->v2]), fx->name);
        assert_string_equal(ctr_cgroup_path(fx->cg), v2dir);
        assert_int_equal(read_populated(v2dir), 0);
        /* join fds: v1 only now (none on a pure-v2 host): every hierarchy with the dir but v2 */
        int fds[8];
        size_t n = ctr_cgroup_join_fds(fx->cg, fds, ELEMENTSOF(fds));
        assert_int_equal(n, leftovers(fx->name) - 1);

        struct clone_args args = {
                .flags = CLONE_INTO_CGROUP, .exit_signal = SIGCHLD, .cgroup = (uint64_t)cfd};
        long pid = syscall(SYS_clone3, &args, sizeof(args));
        if (pid < 0 && (errno == ENOSYS || errno == E2BIG)) {
                print_message("skipped: clone3 CLONE_INTO_CGROUP not available (%s)\n", strerror(errno));
                skip();
        }
        assert_true(pid >= 0);
        if (pid == 0) {
                for (size_t i = 0; i < n; i++)
                        (void)!write(fds[i], "0", 1);
                for (;;)
                        pause();
        }
        fx->kids[fx->n_kids++] = (pid_t)pid;
        /* in the v2 cgroup from its first instruction */
        char path[64], line[512], want[128];
        snprintf(path, sizeof(path), "/proc/%ld/cgroup", pid);
        snprintf(want, sizeof(want), "0::/bench/%s\n", fx->name);
        FILE *f = fopen(path, "re");
        assert_non_null(f);
        bool found = false;
        while (fgets(line, sizeof(line), f))
                found |= !strcmp(line, want);
        fclose(f);
        assert_true(found);
        assert_int_equal(read_populated(v2dir), 1);
        /* cgroup.kill + the populated event */
        assert_int_equal(ctr_cgroup_kill(fx->cg, NULL), 0);
        assert_int_equal(read_populated(v2dir), 0);
        int status;
        assert_int_equal(waitpid((pid_t)pid, &status, 0), pid);
        fx->n_kids = 0;
        assert_true(WIFSIGNALED(status));
}

static void make_dir(fixture *fx, const char *path) {
        assert_true(mkdir(path, 0755) == 0 || errno == EEXIST);
}

/* "bench-PID-0" of a process that has exited: what a killed run leaves. */
static void stale_name(char *buf, size_t size) {
        pid_t dead = fork();
        assert_true(dead >= 0);
        if (dead == 0)
                _exit(0);
        assert_int_equal(waitpid(dead, NULL, 0), dead);
        snprintf(buf, size, "bench-%d-0", (int)dead);
}

/* bench-<dead pid>-0 in every hierarchy (one with a process, one with a child dir) goes; ours stays. */
static void test_reap_stale(void **state) {
        fixture *fx = *state;
        if (!need_root())
                skip();
        char stale[64];
        stale_name(stale, sizeof(stale));
        /* ours: alive, must survive */
        create(fx, NULL, 0);

        char paths[CG_HIER_MAX][512], sub[PATH_MAX] = "";
        int procs[CG_HIER_MAX];
        size_t n = 0;
        for (size_t i = 0; i < host->n; i++) {
                const cg_hier *h = &host->hier[i];
                snprintf(paths[n], sizeof(paths[n]), "%s/bench", cg_hier_base(h));
                make_dir(fx, paths[n]);
                snprintf(paths[n], sizeof(paths[n]), "%s/bench/%s", cg_hier_base(h), stale);
                make_dir(fx, paths[n]);
                /* teardown removes them if the reaper does not */
                snprintf(fx->extra[fx->n_extra++], PATH_MAX, "%s", paths[n]);
                procs[n] = -1;
                if (!(h->ctrls & CG_BIT(CG_CPUSET))) { /* an unfilled v1 cpuset takes no task */
                        char p[PATH_MAX];
                        snprintf(p, sizeof(p), "%s/cgroup.procs", paths[n]);
                        procs[n] = open(p, O_WRONLY | O_CLOEXEC);
                        assert_true(procs[n] >= 0);
                }
                if (h->version == 2) {
                        snprintf(sub, sizeof(sub), "%s/nested", paths[n]);
                        make_dir(fx, sub);
                        memmove(fx->extra[1], fx->extra[0], sizeof(fx->extra[0]) * (fx->n_extra));
                        snprintf(fx->extra[0], PATH_MAX, "%s", sub);
                        fx->n_extra++;
                }
                n++;
        }
        int p[2];
        assert_int_equal(pipe2(p, O_CLOEXEC), 0);
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                for (size_t i = 0; i < n; i++)
                        if (procs[i] >= 0 && write(procs[i], "0", 1) != 1)
                                _exit(1);
                (void)!write(p[1], "R", 1);
                for (;;)
                        pause();
        }
        fx->kids[fx->n_kids++] = pid;
        close(p[1]);
        char c = 0;
        assert_int_equal(read(p[0], &c, 1), 1);
        close(p[0]);
        for (size_t i = 0; i < n; i++)
                if (procs[i] >= 0)
                        close(procs[i]);

        ctr_cgroup_reap_stale();
        assert_int_equal(leftovers(stale), 0);
        int status;
        assert_int_equal(waitpid(pid, &status, 0), pid);
        fx->n_kids = 0;
        assert_true(WIFSIGNALED(status));
        assert_true(leftovers(fx->name) > 0);
        /* the bench parents this test made where no container goes (cpu): empty now, removed */
        for (size_t i = 0; i < host->n; i++) {
                char parent[PATH_MAX];
                snprintf(parent, sizeof(parent), "%s/bench", cg_hier_base(&host->hier[i]));
                rmdir(parent); /* EBUSY where our own cgroup still is: bench removes those at exit */
        }
}

/*
 * CTR_CGROUP_AT_ROOT (one container per process): the dirs go straight
 * under each root, with the same limits, device rules and cpuset as below
 * a bench parent, and a task can join every one of them.
 */
static void test_at_root(void **state) {
        fixture *fx = *state;
        if (!need_root())
                skip();
        pid_t pid = create_limited(fx, CTR_CGROUP_AT_ROOT | CTR_CGROUP_WANT_CLONE_INTO);
        assert_int_equal(leftovers(fx->name), 0);
        assert_true(root_leftovers(fx->name) >= 2); /* memory and pids at least */
        const cg_hier *h;
        if ((h = hier_of(CG_DEVICES)) && h->version == 1) {
                char path[PATH_MAX];
                snprintf(path, sizeof(path), "%s/%s", cg_hier_base(h), fx->name);
                assert_true(cg_devices_v1_match(path));
                /* and the kernel enforces them: null opens, kmsg does not */
                if (access("/dev/kmsg", F_OK) == 0)
                        assert_int_equal(devices_kid(fx, false), 3);
        }
        /* kill + destroy: nothing left at the roots */
        ctr_cgroup_destroy(fx->cg);
        fx->cg = NULL;
        assert_int_equal(waitpid(pid, NULL, 0), pid);
        fx->n_kids = 0;
        assert_int_equal(root_leftovers(fx->name), 0);
}

/* A bench-<dead pid>-0 left at the roots by a killed `bench container run` goes; a live one stays. */
static void test_reap_stale_at_root(void **state) {
        fixture *fx = *state;
        if (!need_root())
                skip();
        char stale[64];
        stale_name(stale, sizeof(stale));
        create(fx, NULL, CTR_CGROUP_AT_ROOT);
        /* the stale one as a killed run leaves it: in the hierarchies a container uses */
        for (size_t i = 0; i < host->n; i++) {
                const cg_hier *h = &host->hier[i];
                char path[PATH_MAX];
                snprintf(path, sizeof(path), "%s/%s", cg_hier_base(h), fx->name);
                if (access(path, F_OK) < 0)
                        continue;
                snprintf(fx->extra[fx->n_extra], PATH_MAX, "%s/%s", cg_hier_base(h), stale);
                make_dir(fx, fx->extra[fx->n_extra++]);
        }
        assert_true(fx->n_extra >= 2);
        /* with a process in it, as a killed run's container would have */
        pid_t pid;
        close(spawn(fx, KID_SLEEP, &pid)); /* joins ours; moved below */
        char procs[PATH_MAX + 16];
        snprintf(procs, sizeof(procs), "%s/cgroup.procs", fx->extra[0]);
        int fd = open(procs, O_WRONLY | O_CLOEXEC);
        assert_true(fd >= 0);
        char num[32];
        snprintf(num, sizeof(num), "%d", (int)pid);
        assert_true(write(fd, num, strlen(num)) > 0);
        close(fd);

        ctr_cgroup_reap_stale();
        assert_int_equal(root_leftovers(stale), 0);
        int status;
        assert_int_equal(waitpid(pid, &status, 0), pid);
        fx->n_kids = 0;
        assert_true(WIFSIGNALED(status));
        assert_true(root_leftovers(fx->name) >= 2);
}

static int cmp_u64(const void *a, const void *b) {
        uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
        return x < y ? -1 : x > y;
}

/* create + destroy of an empty cgroup: timed (container startup pays it). */
static void test_create_destroy_time(void **state) {
        fixture *fx = *state;
        if (!need_root())
                skip();
        enum { N = 200 };
        uint64_t t[N];
        int fds[8];
        ctr_cgroup *probe = NULL;
        assert_int_equal(ctr_cgroup_create(fx->name, NULL, 0, &probe, NULL), 0);
        size_t used = ctr_cgroup_join_fds(probe, fds, ELEMENTSOF(fds));
        ctr_cgroup_destroy(probe);
        for (int i = 0; i < N; i++) {
                ctr_cgroup *cg = NULL;
                uint64_t t0 = bench_now_ns();
                int r = ctr_cgroup_create(fx->name, NULL, 0, &cg, NULL);
                ctr_cgroup_destroy(cg);
                t[i] = bench_now_ns() - t0;
                assert_int_equal(r, 0);
        }
        qsort(t, N, sizeof(t[0]), cmp_u64);
        print_message("create+destroy (%zu hierarchies): median %.3f ms, p05 %.3f, p95 %.3f\n", used,
                      bench_ns_to_ms(t[N / 2]), bench_ns_to_ms(t[N / 20]), bench_ns_to_ms(t[N - N / 20]));
        assert_int_equal(leftovers(fx->name), 0);
        assert_true(t[N / 2] < 100ull * 1000 * 1000);
}

int main(void) {
        /* orphaned grandchildren come to us, so teardown can reap them */
        prctl(PR_SET_CHILD_SUBREAPER, 1);
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_detect_hybrid),
                cmocka_unit_test(test_detect_v2),
                cmocka_unit_test(test_own_base),
                cmocka_unit_test(test_detect_v1),
                cmocka_unit_test(test_memory_floor),
                cmocka_unit_test_setup_teardown(test_limits_read_back, setup, teardown),
                cmocka_unit_test_setup_teardown(test_join_and_list, setup, teardown),
                cmocka_unit_test_setup_teardown(test_oom, setup, teardown),
                cmocka_unit_test_setup_teardown(test_pids_max, setup, teardown),
                cmocka_unit_test_setup_teardown(test_kill, setup, teardown),
                cmocka_unit_test_setup_teardown(test_kill_v1_only, setup, teardown),
                cmocka_unit_test_setup_teardown(test_destroy_kills_and_removes, setup, teardown),
                cmocka_unit_test_setup_teardown(test_bad_cpus, setup, teardown),
                cmocka_unit_test_setup_teardown(test_bad_memory, setup, teardown),
                cmocka_unit_test_setup_teardown(test_v2_clone_into, setup, teardown),
                cmocka_unit_test_setup_teardown(test_devices_bpf, setup, teardown),
                cmocka_unit_test_setup_teardown(test_devices_v1, setup, teardown),
                cmocka_unit_test_setup_teardown(test_reap_stale, setup, teardown),
                cmocka_unit_test_setup_teardown(test_at_root, setup, teardown),
                cmocka_unit_test_setup_teardown(test_reap_stale_at_root, setup, teardown),
                cmocka_unit_test_setup_teardown(test_create_destroy_time, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
