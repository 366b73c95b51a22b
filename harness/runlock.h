/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * One measuring run per host at a time (harness/runlock.c). Two `bench run`
 * measuring at once distort each other's figures: the second is refused
 * unless it is given --allow-concurrent, and then both results say so.
 *
 * In the lock dir (RUNLOCK_ROOT_DIR for root, /tmp/bench-UID for others):
 *   run.lock    flock(LOCK_EX)ed for its whole life by the run measuring alone;
 *   runs/NAME   one record per measuring run (NAME = "PID-RANDOM"), a line of
 *               JSON saying who it is, flock(LOCK_EX)ed by its owner from
 *               before the name exists: held = alive, whatever its pid says.
 *               Runs that start later append their own line to it, so that
 *               the owner hears of a run that came and went between two of
 *               its looks.
 * A killed run's flocks go with it; its record is removed by the next run.
 * The last run out removes runs/, run.lock and the dir if nothing else is
 * in it (no temp dir is left behind), with the dir's flock exclusive; every
 * run holds it shared until it has registered (bench_enter_private_dir).
 */
#include <stdbool.h>
#include <stddef.h>

#include "../common/error.h"
#include "../common/util.h"
#include "../results/result.h"

#define RUNLOCK_ROOT_DIR BENCH_RUN_DIR
/* A record line's bound: longer ones are not bench's. */
#define RUNLOCK_LINE_MAX 8192
/* The other runs one run remembers (the result's `concurrent`). */
#define RUNLOCK_MAX_SEEN 64

/* What a record says about a run. Text from a file: escape before printing. */
typedef struct runlock_rec {
        char *id; /* the record's name, "PID-RANDOM" */
        int pid;
        char *suite, *suite_file, *output, *started_at;
        bool allow_concurrent;
} runlock_rec;

void runlock_rec_clear(runlock_rec *r);
/*
 * One record line (untrusted: any bytes, any size): 0 and *ret filled, or
 * -EBADMSG if it is not a line bench wrote (sizes bounded, types checked,
 * the pid the one the id starts with).
 */
int runlock_rec_parse(const char *text, size_t len, runlock_rec *ret);

enum {
        RUNLOCK_ALLOW_CONCURRENT = 1 << 0, /* --allow-concurrent: measure even alongside others */
};

typedef struct runlock runlock;

/* The lock dir of this user into buf: RUNLOCK_ROOT_DIR for root, /tmp/bench-UID for others. */
const char *runlock_default_dir(char *buf, size_t len);

/*
 * Takes the host's run lock (or, with RUNLOCK_ALLOW_CONCURRENT, only
 * registers) in dir (NULL: the default) for the process's lifetime.
 * -EBUSY when another run is measuring: the message names every one of them
 * (pid, suite, suite file, output, start). Other -errno: the lock dir cannot
 * be used (the message says why and what to do). Its fds are O_CLOEXEC and
 * closed in any fork()ed child: no process but this one can keep the lock.
 */
int runlock_acquire(const char *dir, const char *suite, const char *suite_file, const char *output,
                    unsigned flags, runlock **ret, bench_error **err);
/* The other runs seen so far (live ones and those that said they measured alongside). */
size_t runlock_seen(const runlock *l, const runlock_rec **ret);
/*
 * Looks again, then sets f->allow_concurrent and f->concurrent (every other
 * run seen during this one's life). NULL l: nothing. 0 or -ENOMEM.
 */
int runlock_update(runlock *l, res_file *f);
/* Removes the record and lets the lock go; accepts NULL. */
void runlock_release(runlock *l);
static inline void runlock_releasep(runlock **l) {
        runlock_release(*l);
        *l = NULL;
}
