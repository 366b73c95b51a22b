/* SPDX-License-Identifier: MIT */
/* startup: the agent does nothing; the host times the environment start. */
#include "agent.h"

int wl_startup_run(wl_ctx *ctx, bench_error **err) {
        return 0;
}
