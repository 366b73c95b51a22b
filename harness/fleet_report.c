/* SPDX-License-Identifier: MIT */
/* bench fleet report: overheads per host, then across hosts. */
#include <stdio.h>

#include "commands.h"
#include "fleet.h"

int cmd_fleet_report(int argc, char **argv) {
        (void)argc;
        (void)argv;
        fprintf(stderr, "bench fleet report: not built yet\n");
        return EXIT_FAILED;
}
