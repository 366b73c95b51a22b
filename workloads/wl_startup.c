/* SPDX-License-Identifier: MIT */
/* startup: the agent does nothing; the host times the environment start. */
#include "agent.h"

static const bench_opt_spec startup_params[] = {
        {"runs", BENCH_OPT_UINT, "5", NULL, 1, 100000,
         "environment starts per repetition; each is one sample"},
        {0},
};

static const wl_metric_spec startup_metrics[] = {
        {"ready_ms", "ms", "lower", "start call to the agent's ready byte, timed on the host",
         .headline = "Start latency"},
        {"total_ms", "ms", "lower", "start call to the environment fully torn down"},
        {"phase.*_ms", "ms", "lower",
         "driver phases (container: clone, cgroup, mounts, ...; vm: define, qemu, ready)"},
        {0},
};

static int startup_run(wl_ctx *ctx, bench_error **err) {
        return 0;
}

const wl_spec wl_startup_spec = {
        .name = "startup",
        .summary = "the agent does nothing: environment start latency",
        .flags = WL_HOST_TIMED,
        .params = startup_params,
        .metrics = startup_metrics,
        .run = startup_run,
};
