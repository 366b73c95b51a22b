/* SPDX-License-Identifier: MIT */
/* plot_all(): the output directory, each figure's NAME.gp + NAME.dat, and the set of rendered files. */
#include <errno.h>
#include <stdio.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../common/cleanup.h"
#include "../common/util.h"
#include "plot-internal.h"
#include "version.h"

void plot_set_clear(plot_set *s) {
        if (!s)
                return;
        for (size_t i = 0; i < s->n; i++) {
                free(s->files[i].name);
                free(s->files[i].title);
                free(s->files[i].png);
                free(s->files[i].svg);
                free(s->files[i].gp);
                free(s->files[i].dat);
        }
        free(s->files);
        s->files = NULL;
        s->n = 0;
}

static bool name_taken(const plot_set *s, const char *name) {
        for (size_t i = 0; i < s->n; i++)
                if (!strcmp(s->files[i].name, name))
                        return true;
        return false;
}

int plot_fig_open(plot_fig *fig, plot_ctx *ctx, const char *name, const char *title, bench_error **err) {
        *fig = (plot_fig){0};
        _cleanup_free_ char *base = plot_sanitize_name(name);
        if (!base)
                return bench_error_set(err, ENOMEM, "out of memory");
        /* room for "-N", ".svg" and the temp name's 22 bytes within NAME_MAX (255) */
        if (strlen(base) > 200)
                base[200] = '\0';
        /* two names may sanitize alike ("a b", "a_b"): number the later ones */
        char *unique = strdup(base);
        for (unsigned k = 2; unique && name_taken(ctx->set, unique); k++) {
                free(unique);
                if (asprintf(&unique, "%s-%u", base, k) < 0)
                        unique = NULL;
        }
        fig->name = unique;
        fig->title = strdup(title);
        fig->set = open_memstream(&fig->set_buf, &fig->set_len);
        fig->body = open_memstream(&fig->body_buf, &fig->body_len);
        fig->dat = open_memstream(&fig->dat_buf, &fig->dat_len);
        if (!fig->name || !fig->title || !fig->set || !fig->body || !fig->dat) {
                plot_fig_close(fig);
                return bench_error_set(err, ENOMEM, "out of memory");
        }
        return 0;
}

void plot_fig_close(plot_fig *fig) {
        if (fig->set)
                fclose(fig->set);
        if (fig->body)
                fclose(fig->body);
        if (fig->dat)
                fclose(fig->dat);
        free(fig->set_buf);
        free(fig->body_buf);
        free(fig->dat_buf);
        free(fig->name);
        free(fig->title);
        *fig = (plot_fig){0};
}

/* Flushes a memstream; false when it ran out of memory. */
static bool finish(FILE **f) {
        bool ok = !ferror(*f);
        if (fclose(*f) != 0)
                ok = false;
        *f = NULL;
        return ok;
}

static char *compose_script(const plot_fig *fig) {
        char *buf = NULL;
        size_t len = 0;
        FILE *g = open_memstream(&buf, &len);
        if (!g)
                return NULL;
        fprintf(g, "# %s.gp: ", fig->name);
        plot_put_plain(g, fig->title); /* one comment line, whatever the title holds */
        fprintf(g,
                "\n# made by bench %s; data: %s.dat (its first lines say what each column is)\n"
                "# rerun with: gnuplot %s.gp   (writes %s.png and %s.svg)\n"
                "set encoding utf8\n",
                BENCH_VERSION, fig->name, fig->name, fig->name, fig->name);
        fwrite(fig->set_buf, 1, fig->set_len, g);
        fputs("\n# the same figure twice: a PNG for reports, an SVG that scales\n"
              "do for [fmt in \"png svg\"] {\n"
              "    if (fmt eq \"png\") {\n",
              g);
        fprintf(g,
                "        set terminal pngcairo size %d,%d noenhanced font \"%s\" linewidth 1.2\n"
                "    } else {\n"
                "        set terminal svg size %d,%d noenhanced font \"%s\" linewidth 1.2 background "
                "\"white\"\n"
                "    }\n",
                PLOT_WIDTH, PLOT_HEIGHT, PLOT_FONT, PLOT_WIDTH, PLOT_HEIGHT, PLOT_FONT);
        fputs("    set output ", g);
        plot_gp_string(g, fig->name);
        fputs(" . \".\" . fmt\n", g);
        /* indent the body to show that it runs once per terminal */
        bool bol = true;
        for (size_t i = 0; i < fig->body_len; i++) {
                if (bol)
                        fputs("    ", g);
                fputc(fig->body_buf[i], g);
                bol = fig->body_buf[i] == '\n';
        }
        if (!bol)
                fputc('\n', g);
        fputs("    unset output\n}\n", g);
        if (!finish(&g)) {
                free(buf);
                return NULL;
        }
        return buf;
}

static int rendered(int dirfd, const char *dir, const char *file, bench_error **err) {
        struct stat st;
        if (fstatat(dirfd, file, &st, AT_SYMLINK_NOFOLLOW) < 0)
                return bench_error_errno(err, errno, "gnuplot did not write %s/%s", dir, file);
        if (!S_ISREG(st.st_mode) || st.st_size == 0)
                return bench_error_set(err, EIO, "gnuplot wrote an empty %s/%s", dir, file);
        return 0;
}

int plot_emit(plot_ctx *ctx, plot_fig *fig, bench_error **err) {
        if (!finish(&fig->set) || !finish(&fig->body) || !finish(&fig->dat))
                return bench_error_set(err, ENOMEM, "out of memory");
        _cleanup_free_ char *script = compose_script(fig);
        _cleanup_free_ char *gp = NULL, *dat = NULL, *png = NULL, *svg = NULL, *png_path = NULL,
                            *svg_path = NULL, *gp_path = NULL, *dat_path = NULL;
        if (!script || asprintf(&gp, "%s.gp", fig->name) < 0 || asprintf(&dat, "%s.dat", fig->name) < 0 ||
            asprintf(&png, "%s.png", fig->name) < 0 || asprintf(&svg, "%s.svg", fig->name) < 0 ||
            asprintf(&png_path, "%s/%s", ctx->dir, png) < 0 ||
            asprintf(&svg_path, "%s/%s", ctx->dir, svg) < 0 ||
            asprintf(&gp_path, "%s/%s", ctx->dir, gp) < 0 || asprintf(&dat_path, "%s/%s", ctx->dir, dat) < 0)
                return bench_error_set(err, ENOMEM, "out of memory");
        /*
         * gnuplot opens its output following symlinks: everything is made in
         * our private dir, then renamed into the output dir, where a rename
         * replaces whatever another user planted under the name.
         */
        int r;
        if ((r = bench_write_file_atomic_at(ctx->workfd, dat, fig->dat_buf, fig->dat_len, 0644, err)) < 0 ||
            (r = bench_write_file_atomic_at(ctx->workfd, gp, script, strlen(script), 0644, err)) < 0)
                return bench_error_prefix(err, "figure %s", fig->name);
        if ((r = plot_run_gnuplot(ctx->gnuplot, ctx->workfd, gp, PLOT_GNUPLOT_TIMEOUT_MS, err)) < 0 ||
            (r = rendered(ctx->workfd, ctx->dir, png, err)) < 0 ||
            (r = rendered(ctx->workfd, ctx->dir, svg, err)) < 0)
                return bench_error_prefix(err, "figure %s", fig->name);
        const char *files[] = {dat, gp, png, svg};
        for (size_t i = 0; i < ELEMENTSOF(files); i++)
                if (renameat(ctx->workfd, files[i], ctx->dirfd, files[i]) < 0)
                        return bench_error_errno(err, errno, "cannot replace %s/%s", ctx->dir, files[i]);

        plot_file *nf = realloc(ctx->set->files, (ctx->set->n + 1) * sizeof(*nf));
        if (!nf)
                return bench_error_set(err, ENOMEM, "out of memory");
        ctx->set->files = nf;
        nf[ctx->set->n++] = (plot_file){
                .name = steal_pointer(&fig->name),
                .title = steal_pointer(&fig->title),
                .png = steal_pointer(&png_path),
                .svg = steal_pointer(&svg_path),
                .gp = steal_pointer(&gp_path),
                .dat = steal_pointer(&dat_path),
        };
        return 0;
}

int plot_ctx_open(plot_ctx *ctx, const char *dir, plot_set *set, bench_error **err) {
        *ctx = (plot_ctx){.dir = dir, .dirfd = -1, .workfd = -1, .set = set};
        int r = plot_find_gnuplot(&ctx->gnuplot, err);
        if (r < 0)
                return r;
        if ((ctx->dirfd = bench_open_dir_nofollow(dir, 0755, err)) < 0) {
                r = ctx->dirfd;
                plot_ctx_close(ctx);
                return r;
        }
        /* mkdtemp: a fresh 0700 dir, named at random, in the dir we opened (not a path that may change) */
        char work[64];
        snprintf(work, sizeof(work), "/proc/self/fd/%d/.bench-plot.XXXXXX", ctx->dirfd);
        if (!mkdtemp(work)) {
                int e = errno;
                plot_ctx_close(ctx);
                return bench_error_errno(err, e, "cannot create a private directory in %s", dir);
        }
        ctx->work = strdup(strrchr(work, '/') + 1);
        if (ctx->work)
                ctx->workfd = openat(ctx->dirfd, ctx->work, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (ctx->workfd < 0) {
                int e = ctx->work ? errno : ENOMEM;
                if (!ctx->work)
                        (void)rmdir(work);
                plot_ctx_close(ctx);
                return bench_error_errno(err, e, "cannot open %s/%s", dir, strrchr(work, '/') + 1);
        }
        return 0;
}

void plot_ctx_close(plot_ctx *ctx) {
        if (ctx->work)
                (void)bench_rm_rf_at(ctx->dirfd, ctx->work, NULL);
        if (ctx->workfd >= 0)
                close(ctx->workfd);
        if (ctx->dirfd >= 0)
                close(ctx->dirfd);
        free(ctx->work);
        free(ctx->gnuplot);
        *ctx = (plot_ctx){.dirfd = -1, .workfd = -1};
}

/* The figures draw() makes into dir; none at all: -ENODATA with why_none. */
static int plot_into(const char *dir, int (*draw)(plot_ctx *ctx, const void *arg, bench_error **err),
                     const void *arg, const char *why_none, plot_set *ret, bench_error **err) {
        plot_set set = {0};
        plot_ctx ctx;
        int r = plot_ctx_open(&ctx, dir, &set, err);
        if (r < 0)
                return r;
        r = draw(&ctx, arg, err);
        plot_ctx_close(&ctx);
        if (r < 0) {
                plot_set_clear(&set);
                return r;
        }
        if (set.n == 0)
                return bench_error_set(err, ENODATA, "nothing to plot: %s", why_none);
        *ret = set;
        return 0;
}

typedef struct result_figures {
        const res_file *f;
        const cmp_report *cmp;
} result_figures;

static int draw_result(plot_ctx *ctx, const void *arg, bench_error **err) {
        const result_figures *a = arg;
        return plot_figures(ctx, a->f, a->cmp, err);
}

static int draw_fleet(plot_ctx *ctx, const void *arg, bench_error **err) {
        return plot_fleet_figures(ctx, arg, err);
}

int plot_all(const res_file *f, const cmp_report *cmp, const char *dir, plot_set *ret, bench_error **err) {
        if (!f || !dir || !*dir || !ret)
                return bench_error_set(err, EINVAL, "plot_all: missing result, directory or output");
        result_figures a = {f, cmp};
        return plot_into(dir, draw_result, &a, "no metric has samples", ret, err);
}

int plot_fleet(const fleet *fl, const char *dir, plot_set *ret, bench_error **err) {
        if (!fl || !dir || !*dir || !ret)
                return bench_error_set(err, EINVAL, "plot_fleet: missing fleet, directory or output");
        return plot_into(dir, draw_fleet, fl, "no host has an overhead to show", ret, err);
}
