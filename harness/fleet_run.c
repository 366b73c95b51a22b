/* SPDX-License-Identifier: MIT */
/* bench fleet run / node: a suite over Slurm nodes. */
#include <stdio.h>

#include "commands.h"
#include "fleet.h"

int cmd_fleet_run(int argc, char **argv) {
        (void)argc;
        (void)argv;
        fprintf(stderr, "bench fleet run: not built yet\n");
        return EXIT_FAILED;
}

int cmd_fleet_node(int argc, char **argv) {
        (void)argc;
        (void)argv;
        fprintf(stderr, "bench fleet node: not built yet\n");
        return EXIT_FAILED;
}
