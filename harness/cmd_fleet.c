/* SPDX-License-Identifier: MIT */
/*
 * bench fleet: one suite over many hosts. `run` submits it to Slurm
 * (fleet_run.c), `report` reads a directory of result files, whoever filled
 * it (fleet_report.c). This file is only the verb table.
 */
#include "commands.h"
#include "fleet.h"

static const verb fleet_verbs[] = {
        {.name = "run",
         .args = "SUITE -o DIR [--nodes N | --nodelist LIST] [--partition P] [--constraint C] "
                 "[--time LIMIT] [--transport shared|srun] [--sbatch-arg ARG]... [--bench PATH] [-- "
                 "RUN-OPTIONS]",
         .help = "run SUITE on Slurm nodes (bench run RUN-OPTIONS), one exclusive\n"
                 "task per node; results in DIR/<node>.json, states in DIR/fleet.json;\n"
                 "transport shared: DIR is on a filesystem the nodes share;\n"
                 "srun: results come back over srun's I/O (nothing shared)",
         .max_args = VERB_ANY,
         .run = cmd_fleet_run},
        {.name = "report",
         .args = "DIR -o REPORT.md|REPORT.html [--quiet]",
         .help = "overheads per host, then across hosts: table, spread,\n"
                 "hosts that stand out, hosts grouped by fingerprint",
         .max_args = VERB_ANY,
         .run = cmd_fleet_report},
        {.name = "node",
         .args = "[--dir DIR] SUITE|- [RUN-OPTIONS]",
         .help = "(run by fleet run on each node) run SUITE into DIR/<node>.json,\n"
                 "or without --dir send the result back in frames on stdout",
         .max_args = VERB_ANY,
         .flags = VERB_UNLISTED,
         .run = cmd_fleet_node},
        VERBS_HELP,
        {0},
};

/* bench fleet's verbs (main.c dispatches to them) */
const verb_table fleet_cli = {
        .prog = "bench fleet",
        .verbs = fleet_verbs,
        .footer = "exit status: 0 every node done, 1 a node failed or a measurement failed (the others\n"
                  "             are kept), 2 bad input (no Slurm, a controller that does not answer,\n"
                  "             a partition or constraint Slurm refused, a DIR that holds results),\n"
                  "             130 interrupted (the job was cancelled; what came back is kept)\n",
};
