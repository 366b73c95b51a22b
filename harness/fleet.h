/* SPDX-License-Identifier: MIT */
#pragma once
/* bench fleet's verbs (cmd_fleet.c holds the table). */

/* fleet_run.c: submit a suite to Slurm, follow the nodes, collect DIR/<node>.json */
int cmd_fleet_run(int argc, char **argv);
/* fleet_run.c: on a node, run the suite and print the result on stdout */
int cmd_fleet_node(int argc, char **argv);
/* fleet_report.c: a report over the result files of DIR */
int cmd_fleet_report(int argc, char **argv);
