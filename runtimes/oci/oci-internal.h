/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * The `oci` kind's parts: the shim (shim.c) that runs one container under
 * an OCI runtime CLI and reports on it, the bundle writer (bundle.c), and
 * the records of live containers that let a later run delete what a
 * SIGKILLed one left (record.c).
 */

#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "../../common/error.h"
#include "../../common/json.h"
#include "../../common/util.h"
#include "../container/container.h"
#include "../driver.h"

/* Where live containers are recorded: root-owned, 0700. */
#define OCI_RECORD_DIR BENCH_RUN_DIR "/oci"
/* The cgroup parent of every container: not the container kind's (its device rules would bind them). */
#define OCI_CGROUP_NAME "bench-oci"
#define OCI_CGROUP_PARENT "/" OCI_CGROUP_NAME
#define OCI_ID_PREFIX "bench-oci-"

/* A runtime CLI: its absolute path and the arguments before every sub-command. */
typedef struct oci_runtime {
        const char *path;
        char *const *args; /* NULL-terminated, may be empty */
        bool hide_unified; /* run in a mount namespace without /sys/fs/cgroup/unified (crun on hybrid) */
} oci_runtime;

/*
 * Runs `RUNTIME [args] SUB...` (execv, no shell) with stdin/stdout/stderr
 * as given (-1: /dev/null; err_fd -1 with errbuf: a pipe into errbuf).
 * Orphans adopted by a subreaper caller are reaped meanwhile: with
 * keep_pid > 0, that pid's status goes to *ret_kept_status (and *ret_kept
 * = true). *ret_status as waitpid's. 0 or -errno.
 */
int oci_runtime_run(const oci_runtime *rt, const char *const *sub, int in_fd, int out_fd, int err_fd,
                    char *errbuf, size_t errlen, int *ret_status, pid_t keep_pid, int *ret_kept_status,
                    bool *ret_kept);
/* Hides cgroup2 at /sys/fs/cgroup/unified in the caller's (private) mount namespace. 0 or -errno. */
int oci_hide_unified(void);

/* ---- shim ---- */

enum oci_msg_type {
        OCI_MSG_READY = 1, /* mounted, waiting for the go */
        OCI_MSG_STARTED,   /* create_ms, start_ms, pid, t_ns (start returned) */
        OCI_MSG_EXITED,    /* status */
        OCI_MSG_DELETED,   /* delete_ms */
        OCI_MSG_FAILED,    /* step, status (wait status or -errno), text: the runtime's stderr */
};

typedef struct oci_msg {
        uint32_t type;
        int32_t pid;
        int32_t status;
        uint32_t hid_unified; /* STARTED: create ran without /sys/fs/cgroup/unified */
        double create_ms, start_ms, delete_ms;
        uint64_t t_ns;
        char step[48];
        char text[2048];
} oci_msg; /* < PIPE_BUF: one write, one read */

typedef struct oci_shim_spec {
        oci_runtime rt;
        const char *id;
        const char *bundle;        /* holds config.json, rootfs/ (the overlay's mount point), upper/, work/ */
        const char *const *layers; /* bottom first */
        size_t n_layers;
        bool upper_tmpfs;
        uint64_t upper_size; /* bytes, 0 = CTR_UPPER_SIZE_DEFAULT */
        bool retry_hybrid;   /* a create refused for a hybrid host is retried once with unified hidden */
        const cpu_set_t *affinity;
        const char *record; /* the record file, removed after delete; NULL = none */
        rt_child_fds stdio; /* the agent's ends, given to `create` */
} oci_shim_spec;

typedef struct oci_shim {
        pid_t pid;
        int ctl_fd;    /* bench -> shim: "g" = create + start; EOF = delete now and end */
        int report_fd; /* shim -> bench: oci_msg */
} oci_shim;

/* Forks the shim, which mounts the rootfs in its own mount namespace; returns after its READY. */
int oci_shim_spawn(const oci_shim_spec *spec, oci_shim *ret, bench_error **err);
/* The next message within timeout_ms (-1 = forever); -ETIMEDOUT, -EPIPE when the shim ended. */
int oci_shim_read(oci_shim *s, int timeout_ms, oci_msg *ret, bench_error **err);
/* Ends it: EOF on ctl (the shim deletes the container if it still has one), then waits for it. */
void oci_shim_end(oci_shim *s);

/* ---- bundle ---- */

typedef struct oci_bundle_spec {
        const char *dir;      /* the bundle dir (exists, empty) */
        char *const *args;    /* the agent's argv before the workload's arguments */
        const char *hostname; /* NULL = id */
        const char *id;
        const char *cgroups_path;
        bool readonly_rootfs;
        bool loopback;          /* network: lo up (runc/crun bring it up themselves) */
        uint64_t caps;          /* capability bits */
        const char *seccomp;    /* the option's value: default, none or a file */
        uint64_t tmpfs_size;    /* /tmp, 0 = CTR_TMPFS_SIZE_DEFAULT */
        uint64_t memory_bytes;  /* 0 = no limit */
        uint64_t pids_max;      /* 0 = none */
        uint64_t cpu_quota_us;  /* per 100 ms, 0 = none */
        const char *cpus;       /* cpuset, NULL = none */
        const char *agent_bind; /* host path bound read-only at /bench-agent, NULL = none */
} oci_bundle_spec;

/*
 * config.json's text (untimed, at create), with a marker after the agent's
 * own arguments; oci_bundle_write puts the workload's there and writes
 * DIR/config.json (O_EXCL|O_NOFOLLOW) at start.
 */
#define OCI_ARGS_MARKER "@bench-workload-args@"
int oci_bundle_render(const oci_bundle_spec *spec, char **ret_text, bench_error **err);
int oci_bundle_write(const char *dir, const char *text, char *const *args, bench_error **err);

/* ---- records of live containers ---- */

/* Writes OCI_RECORD_DIR/ID for a container about to be created; *ret_path: the file (caller frees). */
int oci_record_add(const char *id, const oci_runtime *rt, char **ret_path, bench_error **err);
void oci_record_remove(const char *path); /* accepts NULL */
/* Deletes the containers of dead owners (RUNTIME delete --force), their cgroups and records. */
void oci_record_reap_stale(void);
/* rmdir the container's cgroup in every hierarchy (what a runtime that died left). */
void oci_cgroup_remove(const char *id);
