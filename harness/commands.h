/* SPDX-License-Identifier: MIT */
#pragma once

#include "verbs.h"

/*
 * bench's exit codes, the only place they are defined. Only harness/ decides
 * one; each command's usage text says which of them it gives.
 */
enum {
        EXIT_OK = 0,         /* success; compare: no regression */
        EXIT_FAILED = 1,     /* a measurement failed or nothing was measured; any other failure */
        EXIT_REGRESSION = 1, /* compare: a regression (a failed gate) */
        EXIT_BAD_INPUT = 2,  /* usage, an invalid suite or result file, a missing file */
        EXIT_BUSY = 75, /* run: another run is measuring on this host; retry later (sysexits' EX_TEMPFAIL) */
        EXIT_START_FAILED = 125, /* container run: the container could not start (as docker run) */
        EXIT_SIGNALED = 128,     /* container run: CMD killed by signal N gives 128+N (as a shell) */
        EXIT_INTERRUPTED = 130,  /* SIGINT/SIGTERM/SIGHUP: the result file holds what was measured */
};

/* Subcommands that live in files of their own; main.c's verb table dispatches. */
int cmd_compare(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_plot(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_trend(int argc, char **argv);

/* Commands with verbs of their own, in files of their own: bench container, vm, layers, fleet. */
extern const verb_table container_cli, vm_cli, layers_cli, fleet_cli;

/* bench-agent: $BENCH_AGENT, else next to the bench binary (caller frees; NULL on failure). */
char *bench_agent_path(void);
