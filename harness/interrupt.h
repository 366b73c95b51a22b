/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * SIGINT/SIGTERM/SIGHUP become a flag plus a readable fd, so every wait in
 * the harness (poll on agent pipes, pidfds) wakes up and tears down in order
 * instead of dying with mounts, cgroups or domains left behind.
 */
int bench_interrupt_install(void);
/* The signal that asked us to stop, or 0. */
int bench_interrupted(void);
/* Becomes readable once a stop was asked for; -1 before install. */
int bench_interrupt_fd(void);
