/* SPDX-License-Identifier: MIT */
#include "run.h"

#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../common/cache.h"
#include "../common/cleanup.h"
#include "../common/rng.h"
#include "../common/util.h"
#include "../results/adaptive.h"
#include "allocation.h"
#include "density.h"
#include "host.h"
#include "interrupt.h"
#include "pinning.h"
#include "run-internal.h"
#include "runlock.h"
#include "session.h"
#include "version.h"

/* splitmix64: small, seedable, and good enough to shuffle a handful of items */
static void shuffle(size_t *a, size_t n, uint64_t *rng) {
        for (size_t i = n; i > 1; i--) {
                size_t j = (size_t)(bench_splitmix64(rng) % i);
                size_t t = a[i - 1];
                a[i - 1] = a[j];
                a[j] = t;
        }
}

/* "warmup 1/2", "repetition 3/5", "repetition 3/max 20" (an adaptive run counts up to its cap) */
static void rep_label(const run_ctx *c, char *buf, size_t len) {
        if (c->warmup)
                snprintf(buf, len, "warmup %u/%u", c->rep_index + 1, c->s->warmup);
        else
                snprintf(buf, len, "repetition %u/%s%u", (unsigned)c->rep + 1,
                         c->f->adaptive.on ? "max " : "", c->rep_total - c->s->warmup);
}

/* "ETA 25 s", "ETA at most 3 min 10 s", "ETA ?" */
static void eta_text(const run_ctx *c, char *buf, size_t len) {
        char t[32];
        double s = progress_eta_s(&c->prog);
        snprintf(buf, len, "ETA %s%s", s >= 0 && c->f->adaptive.on ? "at most " : "",
                 progress_format_s(s, t, sizeof(t)));
}

/* Cuts s to cols - 1 characters (UTF-8 sequences whole): a line that wraps is not redrawn in place. */
static void fit_width(char *s, unsigned cols) {
        unsigned n = 0;
        for (char *p = s; *p; p++)
                if (((unsigned char)*p & 0xc0) != 0x80 && ++n >= cols) {
                        *p = '\0';
                        return;
                }
}

static void redraw(const run_ctx *c) {
        fprintf(stderr, "\r\033[K%s", c->line);
        fflush(stderr);
}

void run_progress(run_ctx *c, const suite_config *cfg, const char *what) {
        if (c->o->progress != RUN_PROGRESS_TTY)
                return;
        if (what && what != c->what)
                snprintf(c->what, sizeof(c->what), "%s", what);
        /* the suite's names, from a file: no escape sequence of theirs reaches the terminal */
        _cleanup_free_ char *name = bench_escape_text(cfg->name, 0), *shown = bench_escape_text(c->what, 0);
        char rep[64], eta[64];
        rep_label(c, rep, sizeof(rep));
        eta_text(c, eta, sizeof(eta));
        snprintf(c->line, sizeof(c->line), "%s%s  %u%%  %s  %s  %s%s%s", rep, c->warmup ? "" : c->worst,
                 progress_percent(&c->prog), eta, name ? name : "?", shown ? shown : "?",
                 c->wait[0] ? "  " : "", c->wait);
        fit_width(c->line, c->cols);
        redraw(c);
}

static uint64_t startup_runs(const suite_config *cfg, const suite_workload *w);

/* The progress key of a configuration's workload; w NULL: the environment of its other workloads. */
static size_t unit_key(const run_ctx *c, const suite_config *cfg, const suite_workload *w) {
        size_t row = (size_t)(cfg - c->s->configs) * (c->s->n_workloads + 1);
        return row + (w ? (size_t)(w - c->s->workloads) : c->s->n_workloads);
}

void run_unit_begin(run_ctx *c, const suite_config *cfg, const suite_workload *w, const char *what) {
        c->unit_key = unit_key(c, cfg, w);
        c->wait[0] = '\0';
        /* the first environment of a configuration may build what is not cached yet */
        size_t i = (size_t)(cfg - c->s->configs);
        if (c->prepared && !c->prepared[i]) {
                const char *stack = bench_opt_find(cfg->kind->options, "stack")
                                            ? bench_opt_string(cfg->options, cfg->kind->options, "stack")
                                            : NULL;
                const cJSON *layers = cJSON_GetObjectItemCaseSensitive(cfg->options, "layers");
                char built[96] = "";
                /* the stack's text comes from the suite file: escaped like the names */
                _cleanup_free_ char *shown = stack ? bench_escape_text(stack, 0) : NULL;
                if (shown)
                        snprintf(built, sizeof(built), " (builds the stack %s unless cached)", shown);
                else if (cJSON_IsNumber(layers) && layers->valuedouble > 1)
                        snprintf(built, sizeof(built), " (builds a %.0f-layer chain unless cached)",
                                 layers->valuedouble);
                snprintf(c->wait, sizeof(c->wait), "%.32s: preparing%s", cfg->kind->name, built);
        }
        run_progress(c, cfg, what ? what : w ? w->name : "workloads");
        /* last: the line is drawn before the unit's clock runs */
        c->unit_t0 = bench_now_ns();
}

void run_unit_end(run_ctx *c) {
        progress_done(&c->prog, c->unit_key, bench_now_ns() - c->unit_t0);
        if (c->prepared)
                c->prepared[c->unit_key / (c->s->n_workloads + 1)] = true;
}

/*
 * The units of every configuration that runs, per repetition: a startup
 * workload's starts (capped by the driver), a density workload's rounds,
 * and one environment for the other workloads; times the repetitions, the
 * warmups included (an adaptive run: up to its cap).
 */
static int plan_units(run_ctx *c, const size_t *order, size_t n_run) {
        const suite *s = c->s;
        size_t n_keys = s->n_configs * (s->n_workloads + 1);
        c->per_rep = calloc(n_keys ? n_keys : 1, sizeof(uint64_t));
        c->prepared = calloc(s->n_configs ? s->n_configs : 1, sizeof(bool));
        if (!c->per_rep || !c->prepared || progress_init(&c->prog, n_keys) < 0)
                return -ENOMEM;
        for (size_t k = 0; k < n_run; k++) {
                const suite_config *cfg = &s->configs[order[k]];
                for (size_t i = 0; i < s->n_workloads; i++) {
                        const suite_workload *w = &s->workloads[i];
                        if (!suite_workload_applies(w, cfg))
                                continue;
                        if (w->spec->flags & WL_HOST_DENSITY)
                                c->per_rep[unit_key(c, cfg, w)] = density_rounds(w);
                        else if (w->spec->flags & WL_HOST_TIMED)
                                c->per_rep[unit_key(c, cfg, w)] = startup_runs(cfg, w);
                        else
                                c->per_rep[unit_key(c, cfg, NULL)] = 1;
                }
        }
        for (size_t i = 0; i < n_keys; i++)
                progress_plan(&c->prog, i, c->per_rep[i] * c->rep_total);
        return 0;
}

/* After a key's units of this repetition: what a failure left out is no longer planned. */
static void settle_units(run_ctx *c, const suite_config *cfg, const suite_workload *w) {
        size_t key = unit_key(c, cfg, w);
        progress_replan(&c->prog, key, c->per_rep[key] * (c->rep_total - c->rep_index - 1));
}

/* Between create and start (outside the timed section): a start that takes seconds says what it waits for. */
static void say_start(run_ctx *c, const suite_config *cfg, const rt_driver *drv, rt_env *env) {
        if (c->o->progress != RUN_PROGRESS_TTY || !drv->start_verb)
                return;
        const char *accel = drv->accel ? drv->accel(env) : NULL;
        char each[32] = "";
        double s = c->prog.keys[c->unit_key].done ? progress_unit_s(&c->prog, c->unit_key) : -1;
        if (s >= 0)
                progress_format_s(s, each, sizeof(each));
        snprintf(c->wait, sizeof(c->wait), "%s: %s%s%s%s%s%s", drv->name, drv->start_verb, accel ? " (" : "",
                 accel ? accel : "", accel ? ")" : "", each[0] ? ", ~" : "", each[0] ? each : "");
        if (each[0])
                snprintf(c->wait + strlen(c->wait), sizeof(c->wait) - strlen(c->wait), " each");
        run_progress(c, cfg, c->what);
}

/* Off a terminal: one line per repetition when it ends. */
static void say_repetition_done(const run_ctx *c, uint64_t ns) {
        if (c->o->progress != RUN_PROGRESS_LINES)
                return;
        char rep[64], took[32], eta[64];
        rep_label(c, rep, sizeof(rep));
        eta_text(c, eta, sizeof(eta));
        fprintf(stderr, "bench: %s%s done in %s (%u%%), %s, %zu error%s so far\n", rep,
                c->warmup ? "" : c->worst, progress_format_s((double)ns / 1e9, took, sizeof(took)),
                progress_percent(&c->prog), eta, c->f->n_errors, c->f->n_errors == 1 ? "" : "s");
        fflush(stderr);
}

void run_eprint_error(const res_issue *e) {
        bench_eprint_safe("bench: error in %s/%s (repetition %d%s): %s\n",
                          e->configuration ? e->configuration : "-", e->workload ? e->workload : "-",
                          e->repetition + 1, e->warmup ? ", warmup" : "", e->reason);
}

void run_describe_status(int status, char *buf, size_t len) {
        if (WIFEXITED(status))
                snprintf(buf, len, "exit status %d", WEXITSTATUS(status));
        else if (WIFSIGNALED(status))
                snprintf(buf, len, "killed by signal %d (%s)", WTERMSIG(status), strsignal(WTERMSIG(status)));
        else
                snprintf(buf, len, "wait status 0x%x", status);
}

const char *run_stderr_note(const session *ss, char *buf, size_t len) {
        size_t n = strlen(ss->stderr_tail);
        while (n > 0 && (ss->stderr_tail[n - 1] == '\n' || ss->stderr_tail[n - 1] == ' '))
                n--;
        if (n == 0)
                return "";
        const char *tail = ss->stderr_tail;
        if (n > 400) {
                tail += n - 400;
                n = 400;
        }
        snprintf(buf, len, " (agent stderr: %.*s)", (int)n, tail);
        return buf;
}

void run_take_cache_notes(run_ctx *c, const suite_config *cfg) {
        for (char *m; (m = bench_cache_note_take()); free(m)) {
                fprintf(stderr, "%sbench: %s\n", c->o->progress == RUN_PROGRESS_TTY ? "\r\033[K" : "", m);
                res_add_note(c->f, cfg->name, NULL, c->rep, c->warmup, "%s", m);
                if (c->o->progress == RUN_PROGRESS_TTY)
                        redraw(c);
        }
}

/*
 * Every planned item must have sent a metric or an error: an agent that
 * died silently (a guest whose /init failed after the ready byte, a killed
 * process) would otherwise lose its items without a trace.
 */
static int check_items_arrived(const session *ss, size_t n_items, bench_error **err) {
        if (n_items == 0)
                return 0;
        _cleanup_free_ bool *got = calloc(n_items, sizeof(bool));
        if (!got)
                return bench_error_set(err, ENOMEM, "out of memory");
        size_t missing = session_items_arrived(ss, n_items, got);
        if (missing == 0)
                return 0;
        char note[512];
        return bench_error_set(err, EIO,
                               "no metric and no error arrived (%zu of the %zu planned workloads sent "
                               "nothing): the agent's output ended %s%s",
                               missing, n_items, ss->ended ? "after its end line" : "without its end line",
                               run_stderr_note(ss, note, sizeof(note)));
}

/*
 * One environment: create, start the agent with args, read it to the end,
 * wait, destroy. t_total_ns is start call -> torn down. n_items is the
 * number of plan items in args that must each send a metric or an error.
 */
void run_env_config(const run_ctx *c, const suite_config *cfg, rt_config *ret) {
        *ret = (rt_config){
                .name = cfg->name,
                .options = cfg->options,
                .agent_path = c->o->agent_path,
                .state_dir = c->state_dir,
                .cpus = c->pin.workload_cpus[0] ? c->pin.workload_cpus : NULL,
                .cpuset = c->pin.workload_cpus[0] ? &c->pin.workload_set : NULL,
                .timeout_s = c->s->timeout_s,
        };
}

void run_take_labels(run_ctx *c, const rt_driver *drv, rt_env *env) {
        if (drv->accel && drv->accel(env))
                snprintf(c->accel, sizeof(c->accel), "%s", drv->accel(env));
        if (drv->runtime && drv->runtime(env))
                snprintf(c->runtime, sizeof(c->runtime), "%s", drv->runtime(env));
}

static int run_environment(run_ctx *c, const suite_config *cfg, char *const *args, size_t n_items,
                           session *ss, uint64_t *ret_total_ns, rt_phase *phases, size_t *n_phases,
                           bench_error **err) {
        const rt_driver *drv = cfg->kind->driver;
        rt_config rc;
        run_env_config(c, cfg, &rc);
        rt_env *env = NULL;
        c->accel[0] = '\0';
        c->runtime[0] = '\0';
        int r = drv->create(&rc, 0, &env, err);
        run_take_cache_notes(c, cfg);
        if (r < 0)
                return bench_error_prefix(err, "cannot prepare the %s environment", cfg->kind->name);
        say_start(c, cfg, drv, env);

        uint64_t deadline = bench_now_ns() + (uint64_t)(c->s->timeout_s * 1e9);
        rt_launch launch = {-1, -1, -1};
        ss->t_start_ns = bench_now_ns();
        r = drv->start(env, args, &launch, err);
        if (r < 0) {
                drv->destroy(env);
                return bench_error_prefix(err, "cannot start the agent");
        }
        r = session_read(ss, drv, env, &launch, deadline, err);
        if (r == 0) {
                uint64_t now = bench_now_ns();
                int status = 0, left_ms = now < deadline ? (int)((deadline - now) / 1000000) + 1 : 1;
                r = drv->wait(env, left_ms, &status, err);
                if (r == 0 && (!WIFEXITED(status) || (WEXITSTATUS(status) != 0 && ss->n_item_errors == 0))) {
                        char how[128], note[512];
                        run_describe_status(status, how, sizeof(how));
                        r = bench_error_set(err, EIO, "the agent ended with %s%s", how,
                                            run_stderr_note(ss, note, sizeof(note)));
                }
                if (r == 0)
                        r = check_items_arrived(ss, n_items, err);
        } else if (r != -EINTR) {
                char note[512];
                if (run_stderr_note(ss, note, sizeof(note))[0])
                        bench_error_prefix(err, "%s", note + 1);
        }
        if (r < 0 && r != -EINTR && drv->diagnose) {
                char diag[1024] = "";
                drv->diagnose(env, diag, sizeof(diag));
                if (diag[0])
                        bench_error_prefix(err, "%s", diag);
        }
        if (n_phases)
                *n_phases = drv->phases(env, ss->t_ready_ns, phases, RT_MAX_PHASES);
        run_take_labels(c, drv, env);
        if (drv->describe && ss->agent_info)
                drv->describe(env, ss->agent_info);
        drv->destroy(env);
        *ret_total_ns = bench_now_ns() - ss->t_start_ns;
        return r;
}

void run_remember_seen(run_ctx *c, const suite_config *cfg, const session *ss) {
        if (!ss->agent_info)
                return;
        cJSON_DeleteItemFromObjectCaseSensitive(c->seen, cfg->name);
        cJSON_AddItemToObject(c->seen, cfg->name, cJSON_Duplicate(ss->agent_info, 1));
}

res_series *run_record_at(run_ctx *c, const suite_config *cfg, const suite_workload *w, const char *metric,
                          const char *unit, const char *better, double value, unsigned k, unsigned n) {
        if (c->warmup)
                return NULL;
        res_series *se = res_series_get_at(c->f, w->name, w->spec->name, cfg->name, cfg->kind->name, metric,
                                           unit, better, w->params_json, k, n);
        if (!se)
                return NULL;
        res_series_add(se, value);
        /* a VM figure says whether it was emulated */
        if (c->accel[0] && !se->accel)
                se->accel = strdup(c->accel);
        /* and which runtime (and version) ran it */
        if (c->runtime[0] && !se->runtime)
                se->runtime = strdup(c->runtime);
        return se;
}

/* The series the value went to; NULL during warmup or out of memory. */
static res_series *record(run_ctx *c, const suite_config *cfg, const suite_workload *w, const char *metric,
                          const char *unit, const char *better, double value) {
        return run_record_at(c, cfg, w, metric, unit, better, value, 0, 0);
}

void run_record_error(run_ctx *c, const suite_config *cfg, const char *workload, const char *msg) {
        size_t before = c->f->n_errors;
        res_add_error(c->f, cfg->name, workload, c->rep, c->warmup, "%s", msg);
        if (c->o->progress == RUN_PROGRESS_NONE || c->f->n_errors == before)
                return;
        /* at once, above the progress line, which is drawn again under it */
        if (c->o->progress == RUN_PROGRESS_TTY)
                fputs("\r\033[K", stderr);
        run_eprint_error(&c->f->errors[c->f->n_errors - 1]);
        if (c->o->progress == RUN_PROGRESS_TTY)
                redraw(c);
}

/* Builds "kind:k=v,k=v" for the agent. */
static char *plan_item(const suite_workload *w) {
        size_t len = strlen(w->spec->name) + 2;
        for (size_t i = 0; i < w->n_params; i++)
                len += strlen(w->params[i].key) + strlen(w->params[i].value) + 2;
        char *s = malloc(len);
        if (!s)
                return NULL;
        char *p = stpcpy(s, w->spec->name);
        for (size_t i = 0; i < w->n_params; i++) {
                p = stpcpy(p, i == 0 ? ":" : ",");
                p = stpcpy(p, w->params[i].key);
                p = stpcpy(p, "=");
                p = stpcpy(p, w->params[i].value);
        }
        return s;
}

/* The workload's `runs`: the environments it starts, one after another. */
static uint64_t workload_runs(const suite_workload *w) {
        const bench_opt_spec *s =
                bench_opt_expect(w->spec->params, "runs", BENCH_OPT_AS(BENCH_OPT_UINT), w->spec->name);
        const char *given = NULL;
        for (size_t i = 0; i < w->n_params; i++)
                if (!strcmp(w->params[i].key, s->name))
                        given = w->params[i].value;
        return bench_opt_text_uint(s, given, w->spec->name);
}

/* The environments one repetition of a startup workload starts. */
static uint64_t startup_runs(const suite_config *cfg, const suite_workload *w) {
        uint64_t runs = workload_runs(w);
        /* the driver may cap them: a VM boot under TCG takes seconds */
        const rt_driver *drv = cfg->kind->driver;
        uint64_t cap = drv->max_starts ? drv->max_starts(cfg->options) : 0;
        return cap && cap < runs ? cap : runs;
}

static int run_startup(run_ctx *c, const suite_config *cfg, const suite_workload *w) {
        uint64_t runs = startup_runs(cfg, w);
        char *args[] = {(char *)"startup", NULL};
        for (uint64_t i = 0; i < runs && !bench_interrupted(); i++) {
                session ss = {0};
                rt_phase phases[RT_MAX_PHASES];
                size_t n_phases = 0;
                uint64_t total_ns = 0;
                _cleanup_error_ bench_error *err = NULL;
                run_unit_begin(c, cfg, w, NULL);
                int r = run_environment(c, cfg, args, 0, &ss, &total_ns, phases, &n_phases, &err);
                run_unit_end(c);
                if (r == -EINTR) {
                        session_clear(&ss);
                        return r;
                }
                if (r < 0)
                        run_record_error(c, cfg, w->name, err && err->msg ? err->msg : "failed");
                else {
                        run_remember_seen(c, cfg, &ss);
                        record(c, cfg, w, "ready_ms", "ms", "lower",
                               bench_ns_to_ms(ss.t_ready_ns - ss.t_start_ns));
                        record(c, cfg, w, "total_ms", "ms", "lower", bench_ns_to_ms(total_ns));
                        for (size_t k = 0; k < n_phases; k++)
                                record(c, cfg, w, phases[k].name, "ms", "lower", phases[k].ms);
                }
                session_clear(&ss);
        }
        return bench_interrupted() ? -EINTR : 0;
}

/* One environment runs every workload of the repetition but startup. */
static int run_workloads_in_env(run_ctx *c, const suite_config *cfg, char **args,
                                const suite_workload **by_index, size_t n) {
        session ss = {0};
        uint64_t total_ns = 0;
        _cleanup_error_ bench_error *err = NULL;
        _cleanup_free_ bool *got = calloc(n, sizeof(bool));
        if (!got)
                return -ENOMEM;
        /* what the environment runs: "cpu,fileio" */
        char what[128] = "";
        for (size_t i = 0; i < n; i++)
                snprintf(what + strlen(what), sizeof(what) - strlen(what), "%s%s", i ? "," : "",
                         by_index[i]->name);
        run_unit_begin(c, cfg, NULL, what);
        int r = run_environment(c, cfg, args, n, &ss, &total_ns, NULL, NULL, &err);
        run_unit_end(c);
        if (r == -EINTR) {
                session_clear(&ss);
                return r;
        }
        run_remember_seen(c, cfg, &ss);
        for (size_t i = 0; i < ss.n_metrics; i++) {
                const session_metric *m = &ss.metrics[i];
                if (m->index >= n)
                        continue;
                res_series *se = record(c, cfg, by_index[m->index], m->metric, m->unit, m->better, m->value);
                /* bottom=true: the depth the agent resolved, the stack's height */
                if (se && m->depth)
                        se->depth = m->depth;
        }
        for (size_t i = 0; i < ss.n_holds; i++) {
                unsigned idx = ss.holds[i].index;
                if (idx >= n)
                        continue;
                for (size_t k = 0; k < ss.holds[i].n_metrics; k++) {
                        const rt_metric *m = &ss.holds[i].metrics[k];
                        record(c, cfg, by_index[idx], m->name, m->unit, m->better, m->value);
                }
        }
        for (size_t i = 0; i < ss.n_notes; i++)
                if (ss.notes[i].index < n && !c->warmup)
                        res_add_note(c->f, cfg->name, by_index[ss.notes[i].index]->name, c->rep, false, "%s",
                                     ss.notes[i].message);
        for (size_t i = 0; i < ss.n_item_errors; i++)
                if (ss.item_errors[i].index < n) {
                        run_record_error(c, cfg, by_index[ss.item_errors[i].index]->name,
                                         ss.item_errors[i].message);
                }
        /* the environment failed: every workload it did not finish is an error */
        session_items_arrived(&ss, n, got);
        if (r < 0)
                for (size_t i = 0; i < n; i++)
                        if (!got[i])
                                run_record_error(c, cfg, by_index[i]->name,
                                                 err && err->msg ? err->msg : "failed");
        session_clear(&ss);
        return 0;
}

static int run_workloads(run_ctx *c, const suite_config *cfg) {
        const suite *s = c->s;
        char **args = calloc(s->n_workloads + 1, sizeof(char *));
        _cleanup_free_ const suite_workload **by_index = calloc(s->n_workloads + 1, sizeof(*by_index));
        size_t n = 0;
        int r = 0;
        if (!args || !by_index) {
                free(args);
                return -ENOMEM;
        }
        for (size_t i = 0; i < s->n_workloads && r == 0; i++) {
                if ((s->workloads[i].spec->flags & WL_HOST_TIMED) ||
                    !suite_workload_applies(&s->workloads[i], cfg))
                        continue;
                by_index[n] = &s->workloads[i];
                if (!(args[n] = plan_item(&s->workloads[i])))
                        r = -ENOMEM;
                else
                        n++;
        }
        if (r == 0 && n > 0)
                r = run_workloads_in_env(c, cfg, args, by_index, n);
        for (size_t i = 0; i < n; i++)
                free(args[i]);
        free(args);
        return r;
}

static int write_result(run_ctx *c, bench_error **err) {
        _cleanup_error_ bench_error *ferr = NULL;
        /* written before the first repetition, after each and at the end: never during a measurement */
        activity_sample(c->act);
        cJSON_Delete(c->f->activity);
        c->f->activity = activity_to_json(c->act);
        cJSON_Delete(c->f->pinning);
        c->f->pinning = pin_plan_to_json(&c->pin);
        if (c->f->pinning)
                cJSON_AddItemToObject(c->f->pinning, "seen", cJSON_Duplicate(c->seen, 1));
        if (res_finalize(c->f, &ferr) < 0)
                return bench_error_set(err, ferr->code, "computing statistics: %s", ferr->msg);
        /* the precision records match the stats of every write */
        if (c->f->adaptive.on && res_adaptive_assess(c->f) < 0)
                return bench_error_set(err, ENOMEM, "out of memory");
        c->f->adaptive.repetitions = c->f->repetitions_done;
        /* the other runs that measured meanwhile (--allow-concurrent) */
        if (runlock_update(c->o->lock, c->f) < 0)
                return bench_error_set(err, ENOMEM, "out of memory");
        return res_write(c->f, c->o->output, err);
}

/* The progress line's " (worst 3.1% cpu/bare/ops_per_s)" after an assessment. */
static void note_worst(run_ctx *c) {
        char text[400];
        /* names from the suite file: no escape sequence of theirs reaches the terminal */
        _cleanup_free_ char *shown =
                bench_escape_text(res_adaptive_worst_text(&c->f->adaptive, text, sizeof(text)), 0);
        snprintf(c->worst, sizeof(c->worst), "%s", shown ? shown : "");
}

int bench_run(const suite *s, const run_opts *o, res_file **ret_file, bench_error **err) {
        run_ctx c = {.s = s, .o = o, .rng = s->seed, .rep = -1};
        _cleanup_free_ size_t *order = calloc(s->n_configs ? s->n_configs : 1, sizeof(size_t));
        size_t n_run = 0;
        _cleanup_(cjson_deletep) cJSON *allocation = NULL;
        int r;
        c.f = res_file_new();
        c.seen = cJSON_CreateObject();
        c.act = activity_new();
        if (!c.f || !c.seen || !c.act) {
                r = bench_error_set(err, ENOMEM, "out of memory");
                goto out;
        }
        c.f->suite = cJSON_Duplicate(s->json, 1);
        c.f->started_at = bench_utc_now();
        /* with a precision, repetitions is the minimum and max_repetitions the cap */
        c.f->adaptive = (res_adaptive){
                .on = s->precision > 0,
                .precision = s->precision,
                .max_repetitions = s->max_repetitions,
                .max_time_s = s->max_time_s,
        };
        uint64_t t_run = bench_now_ns(), t_measured = 0;

        /* what bench was given, before the harness binds itself to its core */
        allocation = allocation_capture();
        r = pin_plan_make(s->pin_mode, s->pin_cpus, &c.pin, err);
        if (r < 0)
                goto out;
        r = pin_apply_harness(&c.pin, err);
        if (r < 0)
                goto out;
        bench_reap_stale_dirs(o->workdir);
        if (asprintf(&c.state_dir, "%s/bench-%d.XXXXXX", o->workdir, (int)getpid()) < 0) {
                c.state_dir = NULL;
                r = bench_error_set(err, ENOMEM, "out of memory");
                goto out;
        }
        if (!mkdtemp(c.state_dir)) {
                r = bench_error_errno(err, errno,
                                      "cannot create a state dir in %s (choose another with --workdir)",
                                      o->workdir);
                free(c.state_dir);
                c.state_dir = NULL;
                goto out;
        }

        /* probe every kind once: what cannot run here is a skip with its reason */
        if (!order) {
                r = bench_error_set(err, ENOMEM, "out of memory");
                goto out;
        }
        for (size_t i = 0; i < s->n_configs; i++) {
                const suite_config *cfg = &s->configs[i];
                _cleanup_error_ bench_error *perr = NULL;
                if (!cfg->kind->driver) {
                        res_add_skip(c.f, cfg->name, NULL, -1, false,
                                     "configuration kind `%s` has no driver in bench %s yet", cfg->kind->name,
                                     BENCH_VERSION);
                        continue;
                }
                if (rt_driver_validate(cfg->kind->driver, &perr) < 0 ||
                    cfg->kind->driver->probe(0, &perr) < 0 ||
                    (cfg->kind->driver->probe_options &&
                     cfg->kind->driver->probe_options(cfg->options, &perr) < 0)) {
                        res_add_skip(c.f, cfg->name, NULL, -1, false, "%s",
                                     perr && perr->msg ? perr->msg : "cannot run on this host");
                        continue;
                }
                order[n_run++] = i;
        }
        /* a SIGKILLed run left its cgroups: remove them once per kind before ours exist */
        for (size_t k = 0; k < n_run; k++) {
                const rt_driver *drv = s->configs[order[k]].kind->driver;
                bool first = true;
                for (size_t j = 0; j < k; j++)
                        first &= s->configs[order[j]].kind->driver != drv;
                if (first && drv->reap_stale)
                        drv->reap_stale();
        }
        /* after the reaping: a dead run's settings (vm ksm) are the host's again */
        c.f->host = host_capture();
        if (c.f->host && allocation)
                cJSON_AddItemToObject(c.f->host, "allocation", steal_pointer(&allocation));
        r = write_result(&c, err);
        if (r < 0)
                goto out;

        c.rep_total = s->warmup + (c.f->adaptive.on ? s->max_repetitions : s->repetitions);
        if (plan_units(&c, order, n_run) < 0) {
                r = bench_error_set(err, ENOMEM, "out of memory");
                goto out;
        }
        struct winsize ws;
        c.cols = ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0 ? ws.ws_col : 80;
        for (c.rep_index = 0; c.rep_index < c.rep_total; c.rep_index++) {
                uint64_t t_rep = bench_now_ns();
                c.warmup = c.rep_index < s->warmup;
                c.rep = c.warmup ? -1 : (int)(c.rep_index - s->warmup);
                /* random interleaving: a fresh order per repetition, from the recorded seed */
                shuffle(order, n_run, &c.rng);
                for (size_t k = 0; k < n_run && !bench_interrupted(); k++) {
                        const suite_config *cfg = &s->configs[order[k]];
                        for (size_t w = 0; w < s->n_workloads && !bench_interrupted(); w++) {
                                if (!suite_workload_applies(&s->workloads[w], cfg))
                                        continue;
                                else if (s->workloads[w].spec->flags & WL_HOST_DENSITY)
                                        run_density(&c, cfg, &s->workloads[w]);
                                else if (s->workloads[w].spec->flags & WL_HOST_TIMED)
                                        run_startup(&c, cfg, &s->workloads[w]);
                                settle_units(&c, cfg, &s->workloads[w]);
                        }
                        if (!bench_interrupted()) {
                                run_workloads(&c, cfg);
                                settle_units(&c, cfg, NULL);
                        }
                }
                if (bench_interrupted())
                        break;
                if (!c.warmup)
                        c.f->repetitions_done = (unsigned)c.rep + 1;
                r = write_result(&c, err);
                if (r < 0)
                        goto out;
                if (c.warmup || !c.f->adaptive.on) {
                        say_repetition_done(&c, bench_now_ns() - t_rep);
                        continue;
                }
                t_measured += bench_now_ns() - t_rep;
                note_worst(&c);
                say_repetition_done(&c, bench_now_ns() - t_rep);
                unsigned done = c.f->repetitions_done;
                c.f->adaptive.stopped_by =
                        res_adaptive_stop(c.f, s->repetitions, done, (double)(bench_now_ns() - t_run) / 1e9,
                                          (double)t_measured / 1e9 / done);
                if (c.f->adaptive.stopped_by != RES_STOP_NONE)
                        break;
        }
        if (o->progress == RUN_PROGRESS_TTY)
                fprintf(stderr, "\r\033[K");

        free(c.f->finished_at);
        c.f->finished_at = bench_utc_now();
        if (bench_interrupted()) {
                free(c.f->interrupted);
                c.f->interrupted = strdup(sigabbrev_np(bench_interrupted()) ?: "signal");
                if (c.f->adaptive.on)
                        c.f->adaptive.stopped_by = RES_STOP_INTERRUPTED;
                r = bench_error_set(err, EINTR, "interrupted by SIG%s after %u of %s%u repetitions",
                                    sigabbrev_np(bench_interrupted()) ?: "?", c.f->repetitions_done,
                                    c.f->adaptive.on ? "at most " : "", c.rep_total - s->warmup);
        } else
                c.f->complete = true;
        {
                int w = write_result(&c, bench_interrupted() ? NULL : err);
                if (r == 0)
                        r = w;
        }
        activity_print_warnings(c.act, stderr);
out:
        if (c.state_dir) {
                bench_rm_rf(c.state_dir, NULL);
                free(c.state_dir);
        }
        cJSON_Delete(c.seen);
        activity_free(c.act);
        progress_clear(&c.prog);
        free(c.per_rep);
        free(c.prepared);
        if (ret_file)
                *ret_file = c.f;
        else
                res_file_free(c.f);
        return r;
}
