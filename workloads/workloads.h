/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * Every workload, one line each, in the order `bench list` and the schemas
 * show them. X(name) stands for `wl_<name>_spec`, the spec that
 * workloads/wl_<name>.c ends with; catalog.h declares them and catalog.c
 * lists them in wl_catalog[], from which the agent runs them and the
 * harness validates suites and generates the schemas. A new workload is a
 * file wl_<name>.c and a line here.
 */
#define WL_LIST(X)                                                                                           \
        X(startup)                                                                                           \
        X(memory)                                                                                            \
        X(cpu)                                                                                               \
        X(membw)                                                                                             \
        X(memlat)                                                                                            \
        X(fileio)                                                                                            \
        X(metadata)                                                                                          \
        X(copyup)                                                                                            \
        X(density)
