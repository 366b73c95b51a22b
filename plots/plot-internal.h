/* SPDX-License-Identifier: MIT */
#pragma once

/* Shared by plot.c (the front), figures.c (what to draw) and gnuplot.c (files and the program). */

#include <stdio.h>

#include "escape.h"
#include "plot.h"

#define PLOT_WIDTH 1200
#define PLOT_HEIGHT 700
#define PLOT_FONT "DejaVu Sans,13"
#define PLOT_GNUPLOT_TIMEOUT_MS 60000
/*
 * A distribution figure draws every sample of a configuration up to this
 * many, else this many evenly spaced quantiles (min and max included): a
 * million dots made a 251 MB SVG and look like 2000.
 */
#define PLOT_MAX_POINTS 2000

/*
 * A figure being written: figures.c fills the settings (`set ...`), the
 * body (`plot ...`, run once per terminal) and the data; plot_emit() turns
 * it into NAME.gp + NAME.dat and renders NAME.png + NAME.svg.
 */
typedef struct plot_fig {
        char *name;  /* sanitized, unique within the set */
        char *title; /* human title */
        FILE *set, *body, *dat;
        char *set_buf, *body_buf, *dat_buf;
        size_t set_len, body_len, dat_len;
} plot_fig;

/* The output directory, the gnuplot found, and the figures made so far. */
typedef struct plot_ctx {
        const char *dir;
        int dirfd;  /* dir, opened without following a symlink */
        char *work; /* a private 0700 dir in dir where gnuplot runs */
        int workfd;
        char *gnuplot; /* absolute path */
        plot_set *set;
} plot_ctx;

/* plot.c: finds gnuplot, makes and opens dir (not through a symlink) and the private dir. */
int plot_ctx_open(plot_ctx *ctx, const char *dir, plot_set *set, bench_error **err);
/* Removes the private dir; accepts a closed ctx. */
void plot_ctx_close(plot_ctx *ctx);

/* figures.c: every figure of f (and cmp when not NULL). */
int plot_figures(plot_ctx *ctx, const res_file *f, const cmp_report *cmp, bench_error **err);

/* figures.c: a figure per metric of a fleet (results/fleet.h), hosts' overheads with intervals. */
int plot_fleet_figures(plot_ctx *ctx, const fleet *fl, bench_error **err);

/* plot.c */
int plot_fig_open(plot_fig *fig, plot_ctx *ctx, const char *name, const char *title, bench_error **err);
void plot_fig_close(plot_fig *fig);
/* Writes NAME.dat and NAME.gp, runs gnuplot, adds the figure to ctx->set. */
int plot_emit(plot_ctx *ctx, plot_fig *fig, bench_error **err);

/* gnuplot.c */
/* gnuplot on PATH (absolute path, caller frees), else -ENOENT naming the package. */
int plot_find_gnuplot(char **ret_path, bench_error **err);
/* Runs `gnuplot SCRIPT` with cwd = dirfd; its stderr becomes the message on failure. */
int plot_run_gnuplot(const char *gnuplot, int dirfd, const char *script, unsigned timeout_ms,
                     bench_error **err);
/* [A-Za-z0-9_.-] kept, anything else becomes '_'; never empty, never starts with '.'. */
char *plot_sanitize_name(const char *s);
/* A number for a data file ("NaN" when not finite), read back bit for bit. */
void plot_dat_number(FILE *f, double v);
