/* SPDX-License-Identifier: MIT */
#pragma once
/*
 * DIR/fleet.json: what `bench fleet run` submitted and how each node's part
 * ended. Written atomically as states change (a reader never sees half a
 * file) and read strictly: node and result names become file names in DIR,
 * so a name that is not a plain file name is refused.
 */
#include <stdbool.h>
#include <stddef.h>

#include "../common/error.h"

#define RES_FLEET_SCHEMA "bench-fleet/1"
#define RES_FLEET_FILE "fleet.json"

/* How one node's part of the job stands (JSON nodes[].state). */
typedef enum res_fleet_state {
        RES_FLEET_PENDING,   /* submitted, not started (reason: Slurm's, "Resources", "Priority") */
        RES_FLEET_RUNNING,   /* the node's task runs */
        RES_FLEET_DONE,      /* ended with exit 0 and its result came back */
        RES_FLEET_FAILED,    /* ended otherwise: an exit code, a node failure, no result */
        RES_FLEET_CANCELLED, /* scancel (Ctrl-C of fleet run, or someone else's) */
        RES_FLEET_TIMEOUT,   /* the job's time limit ended it */
        RES_FLEET_N_STATES,
} res_fleet_state;
/* "pending", "running", ...; NULL out of range */
const char *res_fleet_state_name(res_fleet_state s);
/* 0 and *ret, or -EINVAL for a word that is no state */
int res_fleet_state_parse(const char *name, res_fleet_state *ret);
/* Whether the state is final (done, failed, cancelled, timeout). */
bool res_fleet_state_ended(res_fleet_state s);

/* How results come back (JSON transport). */
typedef enum res_fleet_transport {
        RES_FLEET_SHARED, /* each node writes DIR/<node>.json on a filesystem all share */
        RES_FLEET_SRUN,   /* over srun's I/O forwarding to the submit host */
} res_fleet_transport;
const char *res_fleet_transport_name(res_fleet_transport t);
int res_fleet_transport_parse(const char *name, res_fleet_transport *ret);

typedef struct res_fleet_node {
        char *node; /* Slurm's node name; a plain file name (res_fleet_name_ok) */
        res_fleet_state state;
        char *reason; /* Slurm's reason or the node's error; NULL = none */
        bool has_exit_code;
        int exit_code; /* 0..255, when has_exit_code */
        char *result;  /* "<node>.json" in DIR once it came back; NULL = none */
} res_fleet_node;

typedef struct res_fleet {
        char *suite;      /* the path as given */
        char *suite_name; /* the suite's "name"; NULL = none */
        res_fleet_transport transport;
        char *job_id;       /* Slurm's, digits */
        char *submitted_at; /* RFC 3339 UTC */
        char *ended_at;     /* NULL while running */
        char *state;        /* Slurm's job state word (COMPLETED, TIMEOUT, ...); NULL = not known */
        bool interrupted;   /* fleet run was stopped by a signal and cancelled the job */
        res_fleet_node *nodes;
        size_t n_nodes, cap_nodes;
} res_fleet;

res_fleet *res_fleet_new(void);
/* Accepts NULL. */
void res_fleet_free(res_fleet *m);
static inline void res_fleet_freep(res_fleet **m) {
        res_fleet_free(*m);
}

/*
 * The node named name, added (pending, no reason) if missing. NULL when out
 * of memory or when name is no plain file name.
 */
res_fleet_node *res_fleet_node_get(res_fleet *m, const char *name);
/* The node named name, or NULL. */
res_fleet_node *res_fleet_node_find(const res_fleet *m, const char *name);
/* Replaces a string field (NULL clears it): 0 or -ENOMEM. */
int res_fleet_set(char **field, const char *value);

/*
 * name can be a file name in DIR as is: 1..255 bytes of [A-Za-z0-9._-],
 * not starting with '.' (so not "." or ".." or a hidden file), no '/'.
 */
bool res_fleet_name_ok(const char *name);

/* The manifest as JSON text (ends with a newline); NULL out of memory or for an invalid model. */
char *res_fleet_to_json(const res_fleet *m);
/* Writes it to DIR/fleet.json (dirfd-relative; AT_FDCWD and a path for none): temp file + rename. */
int res_fleet_write_at(int dirfd, const char *path, const res_fleet *m, bench_error **err);

/* Parses text (path names the file in messages); refuses anything not in the format above. */
int res_fleet_from_json(const char *text, const char *path, res_fleet **ret, bench_error **err);
int res_fleet_read(const char *path, res_fleet **ret, bench_error **err);
