/* SPDX-License-Identifier: MIT */
/* A fleet dir: loading its result files, the analysis within and across hosts, and two fleets compared. */
#include "fleet.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../common/cleanup.h"
#include "../common/util.h"
#include "fleet_manifest.h"
#include "stats.h"

static void fingerprint_clear(fleet_fingerprint *fp) {
        free(fp->cpu_model);
        free(fp->kernel);
        free(fp->cgroup_mode);
        free(fp->accel);
        *fp = (fleet_fingerprint){0};
}

static void host_clear(fleet_host *h) {
        free(h->file);
        free(h->key);
        free(h->node_state);
        res_file_free(h->res);
        fingerprint_clear(&h->fp);
        free(h->no_overhead);
        cmp_report_clear(&h->overhead);
}

static void metrics_clear(fleet *f) {
        for (size_t i = 0; i < f->n_metrics; i++) {
                fleet_metric *m = &f->metrics[i];
                free(m->workload);
                free(m->configuration);
                free(m->label);
                free(m->unit);
                free(m->rows);
                free(m->stands_out);
                free(m->group_median);
        }
        free(f->metrics);
        f->metrics = NULL;
        f->n_metrics = 0;
        for (size_t i = 0; i < f->n_groups; i++)
                free(f->groups[i].hosts);
        free(f->groups);
        f->groups = NULL;
        f->n_groups = 0;
}

fleet *fleet_new(const char *dir) {
        fleet *f = calloc(1, sizeof(*f));
        if (!f)
                return NULL;
        f->dir = strdup(dir ? dir : ".");
        if (!f->dir) {
                free(f);
                return NULL;
        }
        return f;
}

void fleet_free(fleet *f) {
        if (!f)
                return;
        metrics_clear(f);
        for (size_t i = 0; i < f->n_hosts; i++)
                host_clear(&f->hosts[i]);
        free(f->hosts);
        for (size_t i = 0; i < f->n_missing; i++) {
                free(f->missing[i].node);
                free(f->missing[i].state);
                free(f->missing[i].reason);
        }
        free(f->missing);
        free(f->dir);
        free(f->suite);
        free(f->suite_sig);
        free(f->suite_file);
        free(f->manifest_state);
        free(f);
}

static const char *json_string(const cJSON *o, const char *key) {
        const cJSON *j = o ? cJSON_GetObjectItemCaseSensitive(o, key) : NULL;
        return cJSON_IsString(j) ? j->valuestring : NULL;
}

/* host.allocation.slurm.node when the run was a Slurm step, else host.hostname. */
static const char *host_key(const res_file *r) {
        const cJSON *alloc = r->host ? cJSON_GetObjectItemCaseSensitive(r->host, "allocation") : NULL;
        const cJSON *slurm = cJSON_IsObject(alloc) ? cJSON_GetObjectItemCaseSensitive(alloc, "slurm") : NULL;
        const char *node = cJSON_IsObject(slurm) ? json_string(slurm, "node") : NULL;
        if (node && *node)
                return node;
        const char *h = json_string(r->host, "hostname");
        return h && *h ? h : NULL;
}

/* The VM accels of the file's series, in order of first sight ("kvm", "kvm+tcg"), "-" for none. */
static char *accels_of(const res_file *r) {
        char *acc = strdup("");
        for (size_t i = 0; acc && i < r->n_series; i++) {
                const char *a = r->series[i].accel;
                if (!a)
                        continue;
                bool seen = false;
                for (size_t k = 0; k < i && !seen; k++)
                        seen = r->series[k].accel && !strcmp(r->series[k].accel, a);
                if (seen)
                        continue;
                char *n = NULL;
                if (asprintf(&n, "%s%s%s", acc, *acc ? "+" : "", a) < 0)
                        n = NULL;
                free(acc);
                acc = n;
        }
        if (acc && !*acc) {
                free(acc);
                acc = strdup("-");
        }
        return acc;
}

static int fingerprint_of(const res_file *r, fleet_fingerprint *ret) {
        const char *cpu = json_string(r->host, "cpu_model"), *kernel = json_string(r->host, "kernel"),
                   *cg = json_string(r->host, "cgroup_mode");
        fleet_fingerprint fp = {.cpu_model = strdup(cpu ? cpu : "?"),
                                .kernel = strdup(kernel ? kernel : "?"),
                                .cgroup_mode = strdup(cg ? cg : "?"),
                                .accel = accels_of(r)};
        if (!fp.cpu_model || !fp.kernel || !fp.cgroup_mode || !fp.accel) {
                fingerprint_clear(&fp);
                return -ENOMEM;
        }
        *ret = fp;
        return 0;
}

static bool fingerprint_equal(const fleet_fingerprint *a, const fleet_fingerprint *b) {
        return !strcmp(a->cpu_model, b->cpu_model) && !strcmp(a->kernel, b->kernel) &&
               !strcmp(a->cgroup_mode, b->cgroup_mode) && !strcmp(a->accel, b->accel);
}

char *fleet_fingerprint_text(const fleet_fingerprint *fp) {
        char *s = NULL;
        if (asprintf(&s, "%s / kernel %s / accel %s / cgroup %s", fp->cpu_model, fp->kernel, fp->accel,
                     fp->cgroup_mode) < 0)
                return NULL;
        return s;
}

/* "name:kind" of each entry of a suite's array, in order, joined by ", ". */
static void put_entries(FILE *m, const cJSON *suite, const char *key) {
        const cJSON *a = suite ? cJSON_GetObjectItemCaseSensitive(suite, key) : NULL, *e;
        bool first = true;
        if (!cJSON_IsArray(a))
                return;
        cJSON_ArrayForEach(e, a) {
                const char *name = json_string(e, "name"), *kind = json_string(e, "kind");
                fprintf(m, "%s%s", first ? "" : ", ", name ? name : (kind ? kind : "?"));
                if (kind && name && strcmp(kind, name))
                        fprintf(m, " (%s)", kind);
                first = false;
        }
}

/*
 * What makes two results one suite's: its name, and its workloads and
 * configurations by name and kind, in order. Parameters may differ by
 * host (a suite resolved against the host's CPUs), names may not: the
 * tables line hosts up by them.
 */
static char *suite_signature(const res_file *r) {
        char *buf = NULL;
        size_t len = 0;
        FILE *m = open_memstream(&buf, &len);
        if (!m)
                return NULL;
        const char *name = json_string(r->suite, "name");
        fprintf(m, "suite `%s` (workloads: ", name ? name : "(unnamed)");
        put_entries(m, r->suite, "workloads");
        fputs("; configurations: ", m);
        put_entries(m, r->suite, "configurations");
        fputc(')', m);
        if (fclose(m) != 0) {
                free(buf);
                return NULL;
        }
        return buf;
}

int fleet_add(fleet *f, const char *file, res_file *res, bench_error **err) {
        _cleanup_(res_file_freep) res_file *owned = res;
        _cleanup_free_ char *shown = bench_escape_text(file, 0);
        if (!shown)
                return bench_error_set(err, ENOMEM, "out of memory");
        _cleanup_free_ char *sig = suite_signature(res);
        if (!sig)
                return bench_error_set(err, ENOMEM, "out of memory");
        if (f->suite_sig && strcmp(f->suite_sig, sig) != 0) {
                _cleanup_free_ char *first = bench_escape_text(f->suite_file, 0),
                                    *a = bench_escape_text(sig, 0), *b = bench_escape_text(f->suite_sig, 0);
                return bench_error_set(err, EINVAL,
                                       "%s: the results of another suite: %s, but %s has %s; a fleet dir "
                                       "holds one suite's results (the same name, workloads and "
                                       "configurations): move %s out of %s",
                                       shown, a ? a : "?", first ? first : "?", b ? b : "?", shown, f->dir);
        }
        const char *key = host_key(res);
        if (!key)
                return bench_error_set(err, EINVAL,
                                       "%s: no host name (host.hostname is null and there is no "
                                       "host.allocation.slurm.node): the report cannot tell its host; "
                                       "rerun it on a host with a name",
                                       shown);
        for (size_t i = 0; i < f->n_hosts; i++)
                if (!strcmp(f->hosts[i].key, key)) {
                        _cleanup_free_ char *other = bench_escape_text(f->hosts[i].file, 0),
                                            *k = bench_escape_text(key, 0);
                        return bench_error_set(err, EINVAL,
                                               "%s: host `%s` again (%s is of that host too); a fleet dir "
                                               "holds one result per host: keep one of them",
                                               shown, k ? k : "?", other ? other : "?");
                }
        fleet_host *p = reallocarray(f->hosts, f->n_hosts + 1, sizeof(*p));
        if (!p)
                return bench_error_set(err, ENOMEM, "out of memory");
        f->hosts = p;
        fleet_host h = {.file = strdup(file), .key = strdup(key), .partial = !res->complete};
        if (!h.file || !h.key || fingerprint_of(res, &h.fp) < 0) {
                host_clear(&h);
                return bench_error_set(err, ENOMEM, "out of memory");
        }
        if (!f->suite_sig) {
                const char *name = json_string(res->suite, "name");
                f->suite = strdup(name ? name : "(unnamed)");
                f->suite_file = strdup(file);
                f->suite_sig = steal_pointer(&sig);
                if (!f->suite || !f->suite_file) {
                        host_clear(&h);
                        return bench_error_set(err, ENOMEM, "out of memory");
                }
        }
        h.res = steal_pointer(&owned);
        f->hosts[f->n_hosts++] = h;
        return 0;
}

static bool is_json_name(const struct dirent *de) {
        size_t n = strlen(de->d_name);
        /* a leading dot: a writer's temp file (.NAME.tmp-XXXX) or a hidden one, never a result */
        return de->d_name[0] != '.' && n > 5 && !strcmp(de->d_name + n - 5, ".json") &&
               strcmp(de->d_name, FLEET_MANIFEST) != 0;
}

static int by_name(const void *a, const void *b) {
        return strcmp(*(char *const *)a, *(char *const *)b);
}

static int add_missing(fleet *f, const res_fleet_node *n, const char *reason) {
        fleet_missing *p = reallocarray(f->missing, f->n_missing + 1, sizeof(*p));
        if (!p)
                return -ENOMEM;
        f->missing = p;
        fleet_missing m = {.node = strdup(n->node),
                           .state = strdup(res_fleet_state_name(n->state)),
                           .reason = reason ? strdup(reason) : NULL,
                           .exit_code = n->exit_code,
                           .has_exit_code = n->has_exit_code};
        if (!m.node || !m.state || (reason && !m.reason)) {
                free(m.node);
                free(m.state);
                free(m.reason);
                return -ENOMEM;
        }
        f->missing[f->n_missing++] = m;
        return 0;
}

/* fleet.json: its nodes without a result (or whose result is not there), and the state of those with one. */
static int load_manifest(fleet *f, int dirfd, bench_error **err) {
        _cleanup_free_ char *text = NULL, *shown = NULL;
        if (asprintf(&shown, "%s/%s", f->dir, FLEET_MANIFEST) < 0)
                return bench_error_set(err, ENOMEM, "out of memory");
        if (faccessat(dirfd, FLEET_MANIFEST, F_OK, AT_SYMLINK_NOFOLLOW) < 0)
                return 0; /* an ssh loop or a CI matrix: no manifest, only results */
        _cleanup_(res_fleet_freep) res_fleet *m = NULL;
        int r = bench_read_regular_at(dirfd, FLEET_MANIFEST, shown, FLEET_MAX_FILE_BYTES, &text, NULL, err);
        if (r < 0)
                return r;
        if ((r = res_fleet_from_json(text, shown, &m, err)) < 0)
                return r;
        f->has_manifest = true;
        if (m->state && !(f->manifest_state = strdup(m->state)))
                return bench_error_set(err, ENOMEM, "out of memory");
        for (size_t i = 0; i < m->n_nodes; i++) {
                const res_fleet_node *n = &m->nodes[i];
                fleet_host *h = NULL;
                for (size_t k = 0; k < f->n_hosts && !h; k++) {
                        /* the node's result file (its name in the dir), else a host of the node's name */
                        const char *slash = strrchr(f->hosts[k].file, '/');
                        const char *name = slash ? slash + 1 : f->hosts[k].file;
                        if ((n->result && !strcmp(name, n->result)) || !strcmp(f->hosts[k].key, n->node))
                                h = &f->hosts[k];
                }
                if (h) {
                        /* a result came back from a node that did not end well (a partial file) */
                        if (n->state != RES_FLEET_DONE &&
                            !(h->node_state = strdup(res_fleet_state_name(n->state))))
                                return bench_error_set(err, ENOMEM, "out of memory");
                        continue;
                }
                _cleanup_free_ char *why = NULL;
                if (n->result && asprintf(&why, "%s%s%s is not in the dir", n->reason ? n->reason : "",
                                          n->reason ? "; " : "", n->result) < 0)
                        return bench_error_set(err, ENOMEM, "out of memory");
                if (add_missing(f, n, why ? why : n->reason) < 0)
                        return bench_error_set(err, ENOMEM, "out of memory");
        }
        return 0;
}

int fleet_load(const char *dir, fleet **ret, bench_error **err) {
        _cleanup_free_ char *shown_dir = bench_escape_text(dir, 0);
        if (!shown_dir)
                return bench_error_set(err, ENOMEM, "out of memory");
        _cleanup_close_ int dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dirfd < 0)
                return bench_error_errno(err, errno, "cannot open the fleet dir %s", shown_dir);
        int lfd = fcntl(dirfd, F_DUPFD_CLOEXEC, 0);
        if (lfd < 0)
                return bench_error_errno(err, errno, "%s", shown_dir);
        DIR *d = fdopendir(lfd);
        if (!d) {
                close(lfd);
                return bench_error_errno(err, errno, "cannot list %s", shown_dir);
        }
        char **names = bench_dir_names(d, is_json_name);
        closedir(d);
        if (!names)
                return bench_error_set(err, ENOMEM, "out of memory listing %s", shown_dir);
        size_t n = 0;
        while (names[n])
                n++;
        if (n > FLEET_MAX_FILES) {
                bench_strv_free(names);
                return bench_error_set(err, E2BIG,
                                       "%s holds %zu result files, more than the %d a fleet report reads; "
                                       "is it the right dir?",
                                       shown_dir, n, FLEET_MAX_FILES);
        }
        qsort(names, n, sizeof(char *), by_name);
        fleet *f = fleet_new(dir);
        if (!f) {
                bench_strv_free(names);
                return bench_error_set(err, ENOMEM, "out of memory");
        }
        int r = 0;
        for (size_t i = 0; i < n && r == 0; i++) {
                _cleanup_free_ char *text = NULL, *path = NULL, *shown = NULL;
                if (asprintf(&path, "%s/%s", dir, names[i]) < 0 || !(shown = bench_escape_text(path, 0))) {
                        r = bench_error_set(err, ENOMEM, "out of memory");
                        break;
                }
                res_file *res = NULL;
                r = bench_read_regular_at(dirfd, names[i], shown, FLEET_MAX_FILE_BYTES, &text, NULL, err);
                if (r == 0)
                        r = res_from_json(text, shown, &res, err);
                if (r < 0) {
                        /* the reader names the field; the file goes in front when it does not say it */
                        if (err && *err && (*err)->msg && !strstr((*err)->msg, shown))
                                bench_error_prefix(err, "%s", shown);
                        if (err && *err && (*err)->msg && r != -ENOMEM) {
                                _cleanup_free_ char *msg = steal_pointer(&(*err)->msg);
                                bench_error_freep(err);
                                r = bench_error_set(err, -r,
                                                    "%s; every *.json of a fleet dir but %s is a result file "
                                                    "of this bench (%s): move it out of %s",
                                                    msg, FLEET_MANIFEST, RES_SCHEMA, shown_dir);
                        }
                        break;
                }
                r = fleet_add(f, path, res, err);
        }
        bench_strv_free(names);
        if (r == 0 && f->n_hosts == 0)
                r = bench_error_set(err, ENOENT,
                                    "%s holds no result file (*.json besides %s); fill it with `bench fleet "
                                    "run` or one `bench run -o DIR/HOST.json` per host",
                                    shown_dir, FLEET_MANIFEST);
        if (r == 0)
                r = load_manifest(f, dirfd, err);
        if (r < 0) {
                fleet_free(f);
                return r;
        }
        *ret = f;
        return 0;
}

double fleet_row_value(const cmp_row *r) {
        double v = r->by == CMP_BY_RATIO ? r->ratio : r->diff;
        return isfinite(v) ? v : NAN;
}

void fleet_row_interval(const cmp_row *r, double *ret_low, double *ret_high) {
        *ret_low = r->by == CMP_BY_RATIO ? r->ratio_low : r->diff_low;
        *ret_high = r->by == CMP_BY_RATIO ? r->ratio_high : r->diff_high;
}

static fleet_metric *metric_for(fleet *f, const cmp_row *row) {
        char label[256];
        res_metric_label(row->cur, label, sizeof(label));
        for (size_t i = 0; i < f->n_metrics; i++) {
                fleet_metric *m = &f->metrics[i];
                if (!strcmp(m->workload, row->cur->workload) &&
                    !strcmp(m->configuration, row->cur->configuration) && !strcmp(m->label, label))
                        return m;
        }
        fleet_metric *p = reallocarray(f->metrics, f->n_metrics + 1, sizeof(*p));
        if (!p)
                return NULL;
        f->metrics = p;
        fleet_metric m = {.workload = strdup(row->cur->workload),
                          .configuration = strdup(row->cur->configuration),
                          .label = strdup(label),
                          .unit = strdup(row->cur->unit),
                          .by = row->by,
                          .rows = calloc(f->n_hosts, sizeof(cmp_row *)),
                          .stands_out = calloc(f->n_hosts, sizeof(bool)),
                          .median = NAN,
                          .min = NAN,
                          .max = NAN,
                          .max_over_min = NAN,
                          .mad = NAN,
                          .rel_mad_pct = NAN};
        f->metrics[f->n_metrics++] = m;
        if (!m.workload || !m.configuration || !m.label || !m.unit || !m.rows || !m.stands_out)
                return NULL; /* freed with the fleet */
        return &f->metrics[f->n_metrics - 1];
}

/* A metric's value on host h, when it counts across hosts (the same kind of row as the metric's). */
static double value_at(const fleet_metric *m, size_t h) {
        const cmp_row *r = m->rows[h];
        return r && r->by == m->by ? fleet_row_value(r) : NAN;
}

/*
 * Whether host h's value lies beyond the threshold from the fleet median: a ratio by threshold_pct
 * of the median, a difference by threshold_pct of max(|bare|, |median|) on that host (compare's
 * rule for difference rows). Closer than that, no host is worth naming however tight the others.
 */
static bool beyond_threshold(const fleet_metric *m, size_t h, double threshold_pct) {
        const cmp_row *r = m->rows[h];
        double x = fleet_row_value(r), scale;
        if (m->by == CMP_BY_RATIO)
                scale = fabs(m->median);
        else
                scale = fmax(fabs(r->base_median), fabs(r->cur_median));
        return isfinite(scale) && scale > 0 && fabs(x - m->median) > threshold_pct / 100 * scale;
}

static int metric_stats(fleet_metric *m, size_t n_hosts, double threshold_pct) {
        _cleanup_free_ double *v = malloc((n_hosts ? n_hosts : 1) * sizeof(double));
        _cleanup_free_ double *dev = malloc((n_hosts ? n_hosts : 1) * sizeof(double));
        if (!v || !dev)
                return -ENOMEM;
        size_t n = 0;
        for (size_t h = 0; h < n_hosts; h++) {
                double x = value_at(m, h);
                if (!isfinite(x))
                        continue;
                if (n == 0 || x < m->min) {
                        m->min = x;
                        m->min_host = h;
                }
                if (n == 0 || x > m->max) {
                        m->max = x;
                        m->max_host = h;
                }
                v[n++] = x;
        }
        m->n = n;
        if (n == 0)
                return 0;
        m->median = res_median_select(v, n);
        double sum = 0;
        for (size_t i = 0; i < n; i++) {
                dev[i] = fabs(v[i] - m->median);
                sum += dev[i];
        }
        m->mad = res_median_select(dev, n);
        double mean_ad = sum / (double)n;
        m->rel_mad_pct = m->median != 0 ? 100 * m->mad / fabs(m->median) : NAN;
        if (m->by == CMP_BY_RATIO && m->min > 0)
                m->max_over_min = m->max / m->min;
        if (n < FLEET_MIN_HOSTS || (!(m->mad > 0) && !(mean_ad > 0)))
                return 0;
        for (size_t h = 0; h < n_hosts; h++) {
                double x = value_at(m, h), lo, hi;
                if (!isfinite(x))
                        continue;
                fleet_row_interval(m->rows[h], &lo, &hi);
                bool excludes = isfinite(lo) && isfinite(hi) && (lo > m->median || hi < m->median);
                double z = res_modified_z(x, m->median, m->mad, mean_ad);
                if (excludes && fabs(z) > RES_OUTLIER_Z && beyond_threshold(m, h, threshold_pct)) {
                        m->stands_out[h] = true;
                        m->n_stand_out++;
                }
        }
        return 0;
}

static int make_groups(fleet *f) {
        for (size_t h = 0; h < f->n_hosts; h++) {
                fleet_host *host = &f->hosts[h];
                size_t g = 0;
                while (g < f->n_groups && !fingerprint_equal(&f->groups[g].fp, &host->fp))
                        g++;
                if (g == f->n_groups) {
                        fleet_group *p = reallocarray(f->groups, f->n_groups + 1, sizeof(*p));
                        if (!p)
                                return -ENOMEM;
                        f->groups = p;
                        f->groups[f->n_groups++] = (fleet_group){.fp = host->fp};
                }
                fleet_group *grp = &f->groups[g];
                size_t *p = reallocarray(grp->hosts, grp->n_hosts + 1, sizeof(size_t));
                if (!p)
                        return -ENOMEM;
                grp->hosts = p;
                grp->hosts[grp->n_hosts++] = h;
                host->group = g;
        }
        return 0;
}

static int group_medians(fleet *f, fleet_metric *m) {
        m->group_median = malloc((f->n_groups ? f->n_groups : 1) * sizeof(double));
        _cleanup_free_ double *v = malloc((f->n_hosts ? f->n_hosts : 1) * sizeof(double));
        if (!m->group_median || !v)
                return -ENOMEM;
        for (size_t g = 0; g < f->n_groups; g++) {
                size_t n = 0;
                for (size_t i = 0; i < f->groups[g].n_hosts; i++) {
                        double x = value_at(m, f->groups[g].hosts[i]);
                        if (isfinite(x))
                                v[n++] = x;
                }
                m->group_median[g] = n ? res_median_select(v, n) : NAN;
        }
        return 0;
}

int fleet_analyze(fleet *f, const cmp_opts *o, bench_error **err) {
        metrics_clear(f);
        f->opts = o ? *o : (cmp_opts){.threshold_pct = 5, .alpha = 0.05};
        for (size_t h = 0; h < f->n_hosts; h++) {
                fleet_host *host = &f->hosts[h];
                cmp_report_clear(&host->overhead);
                free(host->no_overhead);
                host->no_overhead = NULL;
                host->bare = res_bare_configuration(host->res);
                if (!host->bare) {
                        if (!(host->no_overhead = strdup("no bare configuration in its results: nothing to "
                                                         "measure the overhead against")))
                                return bench_error_set(err, ENOMEM, "out of memory");
                        continue;
                }
                _cleanup_error_ bench_error *e = NULL;
                int r = cmp_overhead(host->res, host->bare, &f->opts, &host->overhead, &e);
                if (r == -ENOMEM)
                        return bench_error_set(err, ENOMEM, "out of memory");
                if (r < 0) {
                        if (!(host->no_overhead = strdup(e && e->msg ? e->msg : "no overhead table")))
                                return bench_error_set(err, ENOMEM, "out of memory");
                        continue;
                }
                f->opts = host->overhead.opts; /* defaults filled in, the same for every host */
        }
        for (size_t h = 0; h < f->n_hosts; h++) {
                const cmp_report *rep = &f->hosts[h].overhead;
                for (size_t i = 0; i < rep->n_rows; i++) {
                        fleet_metric *m = metric_for(f, &rep->rows[i]);
                        if (!m)
                                return bench_error_set(err, ENOMEM, "out of memory");
                        if (!m->rows[h])
                                m->rows[h] = &rep->rows[i];
                }
        }
        if (make_groups(f) < 0)
                return bench_error_set(err, ENOMEM, "out of memory");
        for (size_t i = 0; i < f->n_metrics; i++)
                if (metric_stats(&f->metrics[i], f->n_hosts, f->opts.threshold_pct) < 0 ||
                    group_medians(f, &f->metrics[i]) < 0)
                        return bench_error_set(err, ENOMEM, "out of memory");
        return 0;
}

/* "kernel 6.1 -> 6.8; accel kvm -> tcg" for the fingerprint fields that differ; NULL when alike. */
static int fingerprint_diff(const fleet_fingerprint *a, const fleet_fingerprint *b, char **ret) {
        const struct {
                const char *name, *x, *y;
        } fields[] = {
                {"cpu_model", a->cpu_model, b->cpu_model},
                {"kernel", a->kernel, b->kernel},
                {"accel", a->accel, b->accel},
                {"cgroup_mode", a->cgroup_mode, b->cgroup_mode},
        };
        char *buf = NULL;
        size_t len = 0;
        FILE *m = open_memstream(&buf, &len);
        if (!m)
                return -ENOMEM;
        bool any = false;
        for (size_t i = 0; i < ELEMENTSOF(fields); i++) {
                if (!strcmp(fields[i].x, fields[i].y))
                        continue;
                fprintf(m, "%s%s %s -> %s", any ? "; " : "", fields[i].name, fields[i].x, fields[i].y);
                any = true;
        }
        if (fclose(m) != 0) {
                free(buf);
                return -ENOMEM;
        }
        if (!any) {
                free(buf);
                buf = NULL;
        }
        *ret = buf;
        return 0;
}

static const fleet_host *find_host(const fleet *f, const char *key) {
        for (size_t i = 0; i < f->n_hosts; i++)
                if (!strcmp(f->hosts[i].key, key))
                        return &f->hosts[i];
        return NULL;
}

static int push_host(const fleet_host ***list, size_t *n, const fleet_host *h) {
        const fleet_host **p = reallocarray(*list, *n + 1, sizeof(*p));
        if (!p)
                return -ENOMEM;
        *list = p;
        p[(*n)++] = h;
        return 0;
}

int fleet_compare(const fleet *base, const fleet *cur, const cmp_opts *o, fleet_comparison *ret,
                  bench_error **err) {
        _cleanup_(fleet_comparison_clear) fleet_comparison c = {0};
        for (size_t i = 0; i < base->n_hosts; i++) {
                const fleet_host *b = &base->hosts[i], *n = find_host(cur, b->key);
                if (!n) {
                        if (push_host(&c.only_base, &c.n_only_base, b) < 0)
                                return bench_error_set(err, ENOMEM, "out of memory");
                        continue;
                }
                fleet_pair *p = reallocarray(c.pairs, c.n_pairs + 1, sizeof(*p));
                if (!p)
                        return bench_error_set(err, ENOMEM, "out of memory");
                c.pairs = p;
                fleet_pair *pair = &c.pairs[c.n_pairs];
                *pair = (fleet_pair){.base = b, .cur = n};
                int r = cmp_files(b->res, n->res, o, &pair->cmp, err);
                if (r < 0) {
                        _cleanup_free_ char *k = bench_escape_text(b->key, 0),
                                            *fb = bench_escape_text(b->file, 0),
                                            *fc = bench_escape_text(n->file, 0);
                        return bench_error_prefix(err, "host `%s` (%s vs %s)", k ? k : "?", fb ? fb : "?",
                                                  fc ? fc : "?");
                }
                c.n_pairs++;
                if (fingerprint_diff(&b->fp, &n->fp, &pair->fp_differs) < 0)
                        return bench_error_set(err, ENOMEM, "out of memory");
                c.opts = pair->cmp.opts;
                c.n_regressed_hosts += pair->cmp.n_regressed > 0;
                c.n_env_differs += pair->fp_differs != NULL;
        }
        for (size_t i = 0; i < cur->n_hosts; i++)
                if (!find_host(base, cur->hosts[i].key) &&
                    push_host(&c.only_cur, &c.n_only_cur, &cur->hosts[i]) < 0)
                        return bench_error_set(err, ENOMEM, "out of memory");
        if (c.n_pairs == 0) {
                _cleanup_free_ char *a = bench_escape_text(base->dir, 0), *b = bench_escape_text(cur->dir, 0);
                return bench_error_set(err, EINVAL,
                                       "no host in common: %zu only in %s, %zu only in %s (hosts are matched "
                                       "by host.allocation.slurm.node, else host.hostname)",
                                       c.n_only_base, a ? a : "?", c.n_only_cur, b ? b : "?");
        }
        *ret = c;
        c = (fleet_comparison){0};
        return 0;
}

void fleet_comparison_clear(fleet_comparison *c) {
        if (!c)
                return;
        for (size_t i = 0; i < c->n_pairs; i++) {
                cmp_report_clear(&c->pairs[i].cmp);
                free(c->pairs[i].fp_differs);
        }
        free(c->pairs);
        free(c->only_base);
        free(c->only_cur);
        *c = (fleet_comparison){0};
}
