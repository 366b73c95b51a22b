/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * bench's container runtime, shared by the `container` driver and
 * `bench container run`. A container is: a cgroup (cgroup.h), a child cloned
 * into new mount, PID, UTS, IPC, network and cgroup namespaces (optionally
 * user and time), an overlay rootfs of read-only layers plus a fresh upper
 * dir, pivot_root, a minimal /dev, /proc, /sys, masked paths, capabilities
 * cut to a set, no_new_privs, and exec. Every mount lives only in the
 * container's mount namespace, so none can outlive it on the host.
 */

#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "../../common/error.h"
#include "cgroup.h"

#define CTR_MAX_LAYERS 500

/* Phases timed inside the runtime, in the order they happen. */
enum {
        CTR_PHASE_CGROUP,     /* parent: create + limits; child: join */
        CTR_PHASE_CLONE,      /* clone3 call -> first instruction of the child */
        CTR_PHASE_MOUNTS,     /* overlay, /proc, /dev, /sys, /tmp, masks */
        CTR_PHASE_PIVOT_ROOT, /* pivot_root and detaching the old root */
        CTR_PHASE_NET,        /* hostname, loopback up */
        CTR_PHASE_CAPS, /* session, keyring, bounding set, capabilities, no_new_privs, rlimits, seccomp */
        CTR_PHASE_EXEC, /* execve -> the agent's ready byte (set by the caller) */
        CTR_PHASE_N,
};
extern const char *const ctr_phase_names[CTR_PHASE_N]; /* "phase.cgroup_ms", ... */

typedef enum ctr_network {
        CTR_NET_NONE,     /* a network namespace with nothing up */
        CTR_NET_LOOPBACK, /* ... with lo up */
} ctr_network;

/*
 * Default sizes of the container's tmpfs mounts (the option table's
 * defaults too). Without size= a tmpfs may take half of the host's RAM.
 * /tmp: Docker's /dev/shm size, and room for the default fileio file
 * (32M), which a read-only rootfs writes to /tmp. A tmpfs upper: every
 * write to the rootfs, copy-ups included, lands there.
 */
#define CTR_TMPFS_SIZE_DEFAULT "64M"
#define CTR_UPPER_SIZE_DEFAULT "1G"

typedef struct ctr_spec {
        const char *name;          /* unique: "bench-<pid>-<n>"; the cgroup's name */
        const char *const *layers; /* read-only layer dirs, bottom first */
        size_t n_layers;
        const char *state_dir; /* where upper/, work/ and the mount point go (host fs) */
        bool upper_tmpfs;      /* upper layer on a tmpfs instead of state_dir's filesystem */
        const char *hostname;  /* NULL = name */
        ctr_network network;
        bool userns;          /* new user namespace: root inside = the caller outside */
        bool timens;          /* new time namespace */
        bool readonly_rootfs; /* the overlay mounted read-only (/tmp, /dev stay writable) */
        uint64_t tmpfs_size;  /* bytes of /tmp, 0 = CTR_TMPFS_SIZE_DEFAULT */
        uint64_t upper_size; /* bytes of a tmpfs upper, 0 = CTR_UPPER_SIZE_DEFAULT; a disk upper: must be 0 */
        const char *caps;    /* comma-separated names, NULL = Docker's default set, "" = none */
        const char *seccomp; /* NULL or "default" (Docker's policy), "none", or a profile file */
        ctr_cgroup_limits limits;
        const cpu_set_t *affinity;          /* also sched_setaffinity, NULL = inherit */
        const char *bind_agent;             /* host path bound read-only at /bench-agent, NULL = none */
        char *const *argv;                  /* argv[0] is a path inside the rootfs */
        char *const *envp;                  /* NULL = a minimal PATH/HOME/TERM environment */
        int stdin_fd, stdout_fd, stderr_fd; /* -1 = inherit */
        struct ctr_netns *netns;            /* begun by ctr_netns_begin, NULL = ctr_start begins it */
} ctr_spec;

/*
 * The network namespace of the next ctr_start with this spec, begun now on
 * another cpu (the dearest part of the start, see container.c): a process
 * that will start a container can begin it before its own checks. NULL
 * when there is no point (a user namespace, a single cpu); ctr_start then
 * does as without. The caller unrefs it after ctr_start (or instead).
 */
typedef struct ctr_netns ctr_netns;
ctr_netns *ctr_netns_begin(const ctr_spec *spec);
void ctr_netns_unref(ctr_netns *n); /* accepts NULL */
static inline void ctr_netns_unrefp(ctr_netns **n) {
        ctr_netns_unref(*n);
}

typedef struct ctr_container ctr_container;

/*
 * Checks a spec before anything is created: layers exist and are
 * directories, the capability names are known, the cgroup controllers the
 * limits need exist. The message names the value and the fix.
 */
enum {
        /* the spec holds only the user's layers: bench's base layer comes later */
        CTR_CHECK_NO_BASE = 1 << 0,
};
int ctr_spec_check(const ctr_spec *spec, unsigned flags, bench_error **err);

/*
 * Creates and starts a container; returns once argv is executing (or the
 * start failed and everything is unwound). phases[] receive ms for every
 * phase but CTR_PHASE_EXEC (which the caller completes: ctr_exec_started_ns).
 */
enum {
        /* the process starts this one container: its cgroup goes at the roots (CTR_CGROUP_AT_ROOT) */
        CTR_START_ALONE = 1 << 0,
};
int ctr_start(const ctr_spec *spec, unsigned flags, ctr_container **ret, bench_error **err);
/* CLOCK_MONOTONIC ns just before execve, for the exec phase. */
uint64_t ctr_exec_started_ns(const ctr_container *c);
const double *ctr_phases(const ctr_container *c);
pid_t ctr_pid(const ctr_container *c);        /* the container's PID 1, as the host sees it */
ctr_cgroup *ctr_get_cgroup(ctr_container *c); /* NULL if none (rootless without delegation) */

/* Waits up to timeout_ms (-1 = forever) for PID 1; -ETIMEDOUT; -EINTR if interrupt_fd fires. */
int ctr_wait(ctr_container *c, int timeout_ms, int interrupt_fd, int *ret_status, bench_error **err);
/* Footprint: PSS of every process in the container's cgroup (or of PID 1). */
int ctr_footprint_kib(ctr_container *c, double *ret_kib, bench_error **err);
/* Kills everything, removes cgroup, upper/work dirs; accepts NULL; leaves nothing. */
void ctr_destroy(ctr_container *c);

/* The base layer bench builds itself (busybox-static + bench-agent), cached. */
int ctr_base_layer(const char *agent_path, char **ret_dir, bench_error **err);
/* n filler layers above the base (each holds one marker file), cached. */
int ctr_filler_layer(unsigned index, char **ret_dir, bench_error **err);

/*
 * What every container sees below its overlay (Docker's defaults), stated
 * once for bench's runtime (build_plan) and the OCI bundles bench writes
 * (runtimes/oci/bundle.c): paths masked by /dev/null (files) or an empty
 * read-only tmpfs (dirs), paths bound read-only, the device nodes of /dev.
 */
extern const char *const ctr_masked_files[];
extern const size_t ctr_n_masked_files;
extern const char *const ctr_masked_dirs[];
extern const size_t ctr_n_masked_dirs;
extern const char *const ctr_readonly_paths[];
extern const size_t ctr_n_readonly_paths;
typedef struct ctr_device {
        const char *path;
        unsigned major, minor;
} ctr_device;
extern const ctr_device ctr_devices[];
extern const size_t ctr_n_devices;
/* The dirs the rootfs needs (mount points, the agent's /scratch), made in the upper layer where missing. */
extern const char *const ctr_mountpoints[];
extern const size_t ctr_n_mountpoints;
/* The environment of the container's first process when the caller gives none. */
extern const char *const ctr_default_env[];

/*
 * Overlay mounts (the container's and the OCI shim's): the classic mount
 * data "lowerdir=top:...:bottom,upperdir=DIR/upper,workdir=DIR/work", or
 * -E2BIG past one page, where ctr_overlay_mount_fsconfig takes each layer
 * as one fsconfig lowerdir+ instead (Linux 6.8+). Mounted nodev.
 */
int ctr_overlay_data(const char *const *layers, size_t n_layers, const char *dir, char **ret);
int ctr_overlay_mount_fsconfig(const char *const *layers, size_t n_layers, const char *upper,
                               const char *work, const char *target);

/* Capabilities (caps.c): parse a set once in the parent, apply in the child. */
typedef struct ctr_caps {
        uint64_t keep; /* bit n = capability n */
} ctr_caps;
int ctr_caps_parse(const char *names, ctr_caps *ret, bench_error **err);
/* Docker's default set (moby oci/caps/defaults.go), what names = NULL means. */
extern const char ctr_caps_docker_default[];
