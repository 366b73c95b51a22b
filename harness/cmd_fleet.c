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
                 "[--time LIMIT] [--transport shared|srun] [--sbatch-arg ARG]... [-- RUN-OPTIONS]",
         .help = "run SUITE on Slurm nodes, one exclusive task per node;\n"
                 "each node's result is DIR/<node>.json",
         .max_args = VERB_ANY,
         .run = cmd_fleet_run},
        {.name = "report",
         .args = "DIR -o REPORT.md|REPORT.html [--quiet]",
         .help = "overheads per host, then across hosts: table, spread,\n"
                 "hosts that stand out, hosts grouped by fingerprint",
         .max_args = VERB_ANY,
         .run = cmd_fleet_report},
        {.name = "node",
         .args = "SUITE|- [RUN-OPTIONS]",
         .help = "(run by fleet run on each node) run SUITE and print the result",
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
        .footer = "exit status: 0 ok, 1 a node failed or a measurement failed, 2 bad input (no Slurm,\n"
                  "             a partition or constraint Slurm refused, an unusable fleet dir),\n"
                  "             130 interrupted (the job was cancelled; what came back is kept)\n",
};
