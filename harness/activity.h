/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * What else ran on the host during a run: the result's "activity" object.
 * Sampled before the first repetition, between repetitions (never during a
 * measurement) and after the last: the load average, the CPU time of the
 * whole host from /proc/stat (steal included), and the CPU time of every
 * process that is not bench's from /proc/PID/stat.
 *
 * Whose CPU time counts ("other"): every process but bench itself, its
 * descendants (by parent pid at the sample), kernel threads (their work,
 * writeback or ksmd, is often bench's own), and processes in one of bench's
 * environments: a cgroup path with a component "bench" or holding
 * "bench-" / "bench\x2d" (containers' bench/bench-PID-N, the OCI runtimes'
 * /bench-oci, libvirt's machine cgroup of a bench-* domain) where bench's
 * own cgroup path on that hierarchy differs (so a CI job running bench in
 * a cgroup named bench-ci still sees its neighbours), and the QEMU of this
 * bench's VMs by its domain name, bench-PID-N. Another bench's QEMU counts:
 * it is load like any other.
 * A process counts with what it used between two samples (utime + stime;
 * a process born after a sample with all of it). What a process used
 * without living through a sample is not seen (nor are children's times:
 * a daemonized qemu reaped by init would be charged to init).
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "../common/json.h"

/* A warning when, before the run, the 1-minute load average per online CPU exceeded this. */
#define ACT_LOAD_PER_CPU_MAX 0.5
/* ... when other processes used more than this share of the host's CPU time over the run (%). */
#define ACT_OTHER_CPU_PCT_MAX 10.0
/* ... when more than this share of the host's CPU time was stolen by the hypervisor (%). */
#define ACT_STEAL_PCT_MAX 2.0
/* The busiest other processes kept in the result. */
#define ACT_TOP_N 5
/* A process is listed from this much CPU time over the run (s). */
#define ACT_LIST_MIN_CPU_S 0.05
/* /proc/PID/comm is at most 15 bytes; sanitized it stays as long. */
#define ACT_COMM_LEN 16

/* The "cpu" line of /proc/stat, in USER_HZ ticks: total of its first 8 fields, and steal. */
typedef struct act_cpu {
        uint64_t total, steal;
} act_cpu;

/* One process from /proc/PID/stat. */
typedef struct act_proc {
        int pid, ppid;
        bool kthread;
        unsigned long long start; /* starttime, ticks after boot: with pid, the process's identity */
        unsigned long long ticks; /* utime + stime */
        char comm[ACT_COMM_LEN];  /* sanitized */
} act_proc;

/* Parsers of the kernel's texts: 0, or -EINVAL when text is not of that shape. */
int act_parse_stat(const char *text, act_cpu *ret);
int act_parse_loadavg(const char *text, double ret[3]);
int act_parse_pid_stat(const char *text, act_proc *ret);

/*
 * A process name made inert: printable ASCII but " & ' < > \ ` as is, every
 * other byte (control, escape, non-ASCII) as '?'; at most len - 1 bytes.
 */
void act_sanitize_comm(const char *in, size_t in_len, char *out, size_t len);

/*
 * Whether a process's /proc/PID/cgroup text puts it in one of bench's
 * environments (see above), own being bench's own /proc/self/cgroup text.
 */
bool act_cgroup_is_bench(const char *cgroup, const char *own);

/*
 * Whether a process's /proc/PID/cmdline (len bytes, NUL-separated) is the
 * QEMU of one of this bench's VMs (-name guest=bench-SELF-N): libvirt
 * daemonizes QEMU (parent init, own session) and, embedded, may give it no
 * cgroup of its own.
 */
bool act_cmdline_is_bench(const char *cmdline, size_t len, int self);

/* Whether procs[i] is ancestor or descends from it by ppid; procs sorted by pid. */
bool act_descends_from(const act_proc *procs, size_t n, size_t i, int ancestor);

/* The figures the warnings are made from; negative = not known yet. */
typedef struct act_figures {
        unsigned cpus;
        double load_before; /* 1-minute load average at the first sample */
        double steal_pct, other_cpu_pct;
        const char *top_comm; /* the busiest other process, NULL = none */
        int top_pid;
        double top_cpu_pct; /* its share of one CPU */
} act_figures;

/* The warnings for fig as a JSON array of strings (empty when the host was quiet); NULL if out of memory. */
cJSON *act_warnings(const act_figures *fig);

typedef struct activity activity;

/* A new record of bench's own process (self) and cgroups; NULL if out of memory. */
activity *activity_new(void);
void activity_free(activity *a);
/* One sample now: between repetitions only. Failures to read leave the figures as they were. */
void activity_sample(activity *a);
/* The result's "activity" object as of the last sample; NULL if out of memory. */
cJSON *activity_to_json(const activity *a);
/* Each warning as "bench: warning: ..." on f. */
void activity_print_warnings(const activity *a, FILE *f);
