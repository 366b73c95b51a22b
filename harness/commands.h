/* SPDX-License-Identifier: MIT */
#pragma once

/* Subcommands that live in files of their own; main.c dispatches. */
int cmd_container(int argc, char **argv);
int cmd_vm(int argc, char **argv);
int cmd_compare(int argc, char **argv);
int cmd_plot(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_trend(int argc, char **argv);
int cmd_layers(int argc, char **argv);

/* bench-agent: $BENCH_AGENT, else next to the bench binary (caller frees; NULL on failure). */
char *bench_agent_path(void);
