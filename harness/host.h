/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>

#include "../common/json.h"

#include "../common/error.h"

/*
 * The result's "host" object: hostname, kernel, cpu_model, cores, pus,
 * memory_kib, cgroup_mode, topology (hwloc summary), bench_version,
 * git_commit, libraries {cjson, hwloc, libvirt, libcap}, and what decides
 * whether figures compare: cpu_governor, boost, smt, smt_control,
 * smt_active, ksm, thp, mitigations {name: text}, isolated_cpus,
 * nohz_full, boot_params {isolcpus, nohz_full, mitigations}, swap
 * {total_kib, free_kib, swappiness}, clocksource.
 */
cJSON *host_capture(void);
/* The value of name= on a kernel command line (before any "--"), malloc'd; NULL when not given. */
char *host_cmdline_param(const char *cmdline, const char *name);

/*
 * `bench info`: what this host can run. cgroup mode and controllers,
 * namespaces (each tried in a child), overlayfs, /dev/kvm and vmx/svm,
 * libvirt and qemu versions, hwloc topology, and which configuration kinds
 * can run here (probe of each driver).
 */
cJSON *host_info(void);
/* The same as text for humans. */
char *host_info_text(const cJSON *info);
