/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * Shared between the cgroup front end (cgroup.c) and its backends
 * (cgroup_v1.c, cgroup_v2.c). Not for the container driver: it codes
 * against cgroup.h only.
 */

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "cgroup.h"

/* The controllers bench uses; a bit each in the masks below. */
typedef enum cg_ctrl {
        CG_MEMORY,
        CG_CPU,
        CG_CPUSET,
        CG_PIDS,
        CG_FREEZER, /* v1 only: v2 has cgroup.freeze / cgroup.kill built in */
        CG_DEVICES, /* v1 only: v2 takes a BPF program instead (cgroup_devices.c) */
        CG_CTRL_MAX,
} cg_ctrl;

#define CG_BIT(c) (1u << (c))

/* One v1 hierarchy per controller at most, plus one cgroup2. */
#define CG_HIER_MAX (CG_CTRL_MAX + 1)

typedef struct cg_hier {
        int version;    /* 1 or 2 */
        char *mount;    /* "/sys/fs/cgroup/memory", "/sys/fs/cgroup/unified" */
        char *root;     /* the mount's root in the hierarchy (mountinfo's 4th field): "/" but in containers */
        unsigned ctrls; /* v1: bound to it; v2: listed in its cgroup.controllers */
        /*
         * bench's own cgroup in this hierarchy as /proc/self/cgroup says it
         * ("/" at the root; NULL until cg_host_set_own), and where bench's
         * cgroups go: that cgroup's directory under mount. A Slurm step, a
         * systemd service or a CI container delegates a cgroup; bench nests
         * in it, inside the limits and accounting it was given.
         */
        char *own;
        char *base;
} cg_hier;

/* Where each controller lives on a host. */
typedef struct cg_host {
        cg_hier hier[CG_HIER_MAX];
        size_t n;
        int where[CG_CTRL_MAX]; /* index into hier, -1 = missing */
        int v2;                 /* index of the cgroup2 hierarchy, -1 = none */
} cg_host;

const char *cg_ctrl_name(cg_ctrl c);

/*
 * Pure parts of host detection, unit-tested on fixtures. The first fills
 * the v1 hierarchies that hold a controller of ours and the first cgroup2
 * mount from /proc/self/mountinfo text; the second adds the controllers
 * the cgroup2 mount's cgroup.controllers lists (NULL/"" = none).
 */
int cg_host_parse_mountinfo(const char *mountinfo, cg_host *ret, bench_error **err);
void cg_host_set_v2_controllers(cg_host *h, const char *controllers);
/*
 * Each hierarchy's own and base from /proc/self/cgroup text (NULL: none
 * known, every base is its mount). A path outside the mount's root (a
 * cgroup namespace's view that does not fit) or a directory that is not
 * there (exists: NULL = don't check) keeps the base at the mount.
 */
int cg_host_set_own(cg_host *h, const char *proc_self_cgroup, bool (*exists)(const char *path));
void cg_host_clear(cg_host *h);
/* Where bench's cgroups go in h: its base, else (not set) its mount. */
static inline const char *cg_hier_base(const cg_hier *h) {
        return h->base ? h->base : h->mount;
}
/* The limits' controllers exist on h (see ctr_cgroup_check). */
int cg_host_check(const cg_host *h, const ctr_cgroup_limits *lim, bench_error **err);
/*
 * For tests: put containers in the v1 freezer even where v2's cgroup.kill
 * makes it redundant (hybrid hosts), to exercise the freezer's kill.
 */
extern bool cg_use_v1_freezer;
/*
 * For tests: restrict devices with the cgroup2 BPF program even where the
 * v1 devices controller exists (hybrid hosts), to exercise the program.
 */
extern bool cg_use_bpf_devices;
/* This host, detected once per process. */
int cg_host_get(const cg_host **ret, bench_error **err);

/* Small-file I/O without stdio; all return 0 / length or -errno. */
int cg_write(const char *dir, const char *file, const char *val);
ssize_t cg_read(const char *dir, const char *file, char *buf, size_t size);
/* A number file; missing file = 0. "max" = UINT64_MAX. */
int cg_read_u64(const char *dir, const char *file, uint64_t *ret);
/* The value of `key N` in a keyed file; missing file or key = 0. */
int cg_read_key_u64(const char *dir, const char *file, const char *key, uint64_t *ret);
/* Pids in dir/cgroup.procs and in its descendant cgroups. */
int cg_read_pids(const char *dir, pid_t **ret, size_t *ret_n);
/* Appends "(pids 12 34 ...)"-style text of pids to buf. */
void cg_format_pids(const pid_t *pids, size_t n, char *buf, size_t size);
/* Sleeps for us microseconds (backoff where the kernel has no event). */
void cg_sleep_us(unsigned us);

/*
 * What differs between v1 and v2. The front end decides which hierarchies
 * a container uses and drives these per hierarchy.
 */
typedef struct cg_backend {
        /*
         * Readies <mount>/bench for children that use ctrls (mkdir done by
         * caller); parent NULL: only what the root must do for children of
         * its own (CTR_CGROUP_AT_ROOT).
         */
        int (*prepare_parent)(const cg_hier *h, const char *parent, unsigned ctrls, bench_error **err);
        /* Writes the limits whose controllers this hierarchy holds. */
        int (*apply_limits)(const cg_hier *h, const char *path, const ctr_cgroup_limits *lim,
                            bench_error **err);
        /* Adds what this hierarchy knows to *st (fields it has no file for stay). */
        int (*read_stats)(const cg_hier *h, const char *path, ctr_cgroup_stats *st, bench_error **err);
        /* Kills every process under path and waits (until deadline_ns) until none is left. */
        int (*kill)(const cg_hier *h, const char *path, const char *freezer_path, uint64_t deadline_ns,
                    bench_error **err);
} cg_backend;

extern const cg_backend cg_backend_v1;
extern const cg_backend cg_backend_v2;

/* Names of the files written, for messages: memory limit refused etc. */
int cg_limit_error(int r, const char *file, const char *val, const char *dir, bench_error **err);
int cg_memory_error(int r, uint64_t bytes, bench_error **err);
/*
 * The limits whose files v1 and v2 name alike (cpuset.mems, cpuset.cpus,
 * pids.max), where h holds their controllers. A refused cpuset names what
 * the parent offers: its cpuset.* + have_suffix (v1 "", v2 ".effective").
 */
int cg_apply_shared_limits(const cg_hier *h, const char *path, const ctr_cgroup_limits *lim,
                           const char *have_suffix, bench_error **err);

/*
 * The device allow list (cgroup_devices.c), Docker's default. v1: deny all
 * and allow the list in dir (one rule per write, so it is written once, to
 * the bench parent, which children copy at mkdir); _match says whether
 * dir's devices.list is exactly that. v2: the same list as a BPF program,
 * loaded once per process, attached to the cgroup dir fd.
 */
int cg_devices_v1_write(const char *dir, bench_error **err);
/* cpuset.mems and cpuset.cpus of a v1 cgroup copied from the root (only where empty: only_empty). */
int cg_v1_cpuset_inherit(const cg_hier *h, const char *path, bool only_empty, bench_error **err);
bool cg_devices_v1_match(const char *dir);
struct bpf_insn;
/* The program into p (room for 128 instructions); returns the count. */
size_t cg_devices_bpf_program(struct bpf_insn *p);
int cg_devices_bpf_attach(int cgroup_fd, const char *path, bench_error **err);
