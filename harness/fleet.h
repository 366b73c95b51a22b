/* SPDX-License-Identifier: MIT */
#pragma once

#include "../results/fleet.h"
/* bench fleet's verbs (cmd_fleet.c holds the table). */

/* fleet_run.c: submit a suite to Slurm, follow the nodes, collect DIR/<node>.json */
int cmd_fleet_run(int argc, char **argv);
/* fleet_run.c: on a node, run the suite and print the result on stdout */
int cmd_fleet_node(int argc, char **argv);
/* fleet_report.c: a report over the result files of DIR */
int cmd_fleet_report(int argc, char **argv);
/* fleet_report.c: "CMD: warning: FILE is incomplete (WHY); DOING what was measured" per partial host */
void fleet_warn_partial(const char *cmd, const char *doing, const fleet *f);
