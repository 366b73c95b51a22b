/* SPDX-License-Identifier: MIT */
#include "fleet_manifest.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/cleanup.h"
#include "../common/json.h"
#include "../common/jsonpos.h"
#include "../common/util.h"
#include "reader.h"

static const char *const state_names[RES_FLEET_N_STATES] = {
        [RES_FLEET_PENDING] = "pending", [RES_FLEET_RUNNING] = "running",     [RES_FLEET_DONE] = "done",
        [RES_FLEET_FAILED] = "failed",   [RES_FLEET_CANCELLED] = "cancelled", [RES_FLEET_TIMEOUT] = "timeout",
};

const char *res_fleet_state_name(res_fleet_state s) {
        return (unsigned)s < RES_FLEET_N_STATES ? state_names[s] : NULL;
}

int res_fleet_state_parse(const char *name, res_fleet_state *ret) {
        for (unsigned i = 0; name && i < RES_FLEET_N_STATES; i++)
                if (!strcmp(name, state_names[i])) {
                        *ret = (res_fleet_state)i;
                        return 0;
                }
        return -EINVAL;
}

bool res_fleet_state_ended(res_fleet_state s) {
        return s == RES_FLEET_DONE || s == RES_FLEET_FAILED || s == RES_FLEET_CANCELLED ||
               s == RES_FLEET_TIMEOUT;
}

static const char *const transport_names[] = {[RES_FLEET_SHARED] = "shared", [RES_FLEET_SRUN] = "srun"};

const char *res_fleet_transport_name(res_fleet_transport t) {
        return (unsigned)t < ELEMENTSOF(transport_names) ? transport_names[t] : NULL;
}

int res_fleet_transport_parse(const char *name, res_fleet_transport *ret) {
        for (unsigned i = 0; name && i < ELEMENTSOF(transport_names); i++)
                if (!strcmp(name, transport_names[i])) {
                        *ret = (res_fleet_transport)i;
                        return 0;
                }
        return -EINVAL;
}

bool res_fleet_name_ok(const char *name) {
        if (!name || !*name || *name == '.' || strlen(name) > 255)
                return false;
        for (const char *p = name; *p; p++)
                if (!isalnum((unsigned char)*p) && *p != '.' && *p != '_' && *p != '-')
                        return false;
        return true;
}

/* Slurm job ids as fleet run submits them: plain digits. */
static bool job_id_ok(const char *s) {
        if (!s || !*s || strlen(s) > 20)
                return false;
        for (const char *p = s; *p; p++)
                if (!isdigit((unsigned char)*p))
                        return false;
        return true;
}

/* Slurm's job state words: COMPLETED, OUT_OF_MEMORY, NODE_FAIL, ... */
static bool state_word_ok(const char *s) {
        if (!s || !*s || strlen(s) > 32)
                return false;
        for (const char *p = s; *p; p++)
                if (!isupper((unsigned char)*p) && *p != '_')
                        return false;
        return true;
}

/* "2026-12-02T04:00:00Z", as bench_utc_now writes it. */
static bool timestamp_ok(const char *s) {
        static const char shape[] = "dddd-dd-ddTdd:dd:ddZ";
        if (!s || strlen(s) != sizeof(shape) - 1)
                return false;
        for (size_t i = 0; shape[i]; i++)
                if (shape[i] == 'd' ? !isdigit((unsigned char)s[i]) : s[i] != shape[i])
                        return false;
        return true;
}

/* ---- the model ---- */

res_fleet *res_fleet_new(void) {
        return calloc(1, sizeof(res_fleet));
}

static void node_clear(res_fleet_node *n) {
        free(n->node);
        free(n->reason);
        free(n->result);
        *n = (res_fleet_node){0};
}

void res_fleet_free(res_fleet *m) {
        if (!m)
                return;
        free(m->suite);
        free(m->suite_name);
        free(m->job_id);
        free(m->submitted_at);
        free(m->ended_at);
        free(m->state);
        for (size_t i = 0; i < m->n_nodes; i++)
                node_clear(&m->nodes[i]);
        free(m->nodes);
        free(m);
}

int res_fleet_set(char **field, const char *value) {
        char *copy = NULL;
        if (value && !(copy = strdup(value)))
                return -ENOMEM;
        free(*field);
        *field = copy;
        return 0;
}

res_fleet_node *res_fleet_node_find(const res_fleet *m, const char *name) {
        for (size_t i = 0; m && name && i < m->n_nodes; i++)
                if (!strcmp(m->nodes[i].node, name))
                        return &m->nodes[i];
        return NULL;
}

res_fleet_node *res_fleet_node_get(res_fleet *m, const char *name) {
        if (!m || !res_fleet_name_ok(name))
                return NULL;
        res_fleet_node *n = res_fleet_node_find(m, name);
        if (n)
                return n;
        if (m->n_nodes == m->cap_nodes) {
                size_t cap = m->cap_nodes ? m->cap_nodes * 2 : 8;
                res_fleet_node *p = reallocarray(m->nodes, cap, sizeof(*p));
                if (!p)
                        return NULL;
                m->nodes = p;
                m->cap_nodes = cap;
        }
        char *copy = strdup(name);
        if (!copy)
                return NULL;
        n = &m->nodes[m->n_nodes++];
        *n = (res_fleet_node){.node = copy, .state = RES_FLEET_PENDING};
        return n;
}

/* ---- writing ---- */

static bool put(cJSON *obj, const char *key, cJSON *item) {
        if (!item)
                return false;
        cJSON_AddItemToObject(obj, key, item);
        return true;
}

static cJSON *string_or_null(const char *s) {
        return s ? cJSON_CreateString(s) : cJSON_CreateNull();
}

static cJSON *node_to_json(const res_fleet_node *n) {
        _cleanup_(cjson_deletep) cJSON *o = cJSON_CreateObject();
        const char *state = res_fleet_state_name(n->state);
        if (!o || !state || !res_fleet_name_ok(n->node) || (n->result && !res_fleet_name_ok(n->result)) ||
            (n->has_exit_code && (n->exit_code < 0 || n->exit_code > 255)))
                return NULL;
        if (!put(o, "node", cJSON_CreateString(n->node)) || !put(o, "state", cJSON_CreateString(state)) ||
            !put(o, "reason", string_or_null(n->reason)) ||
            !put(o, "exit_code", n->has_exit_code ? cJSON_CreateNumber(n->exit_code) : cJSON_CreateNull()) ||
            !put(o, "result", string_or_null(n->result)))
                return NULL;
        return steal_pointer(&o);
}

char *res_fleet_to_json(const res_fleet *m) {
        if (!m || !m->suite || !job_id_ok(m->job_id) || !timestamp_ok(m->submitted_at) ||
            (m->ended_at && !timestamp_ok(m->ended_at)) || (m->state && !state_word_ok(m->state)) ||
            !res_fleet_transport_name(m->transport))
                return NULL;
        _cleanup_(cjson_deletep) cJSON *root = cJSON_CreateObject();
        if (!root || !put(root, "schema", cJSON_CreateString(RES_FLEET_SCHEMA)) ||
            !put(root, "suite", cJSON_CreateString(m->suite)) ||
            !put(root, "suite_name", string_or_null(m->suite_name)) ||
            !put(root, "scheduler", cJSON_CreateString("slurm")) ||
            !put(root, "job_id", cJSON_CreateString(m->job_id)) ||
            !put(root, "transport", cJSON_CreateString(res_fleet_transport_name(m->transport))) ||
            !put(root, "submitted_at", cJSON_CreateString(m->submitted_at)) ||
            !put(root, "ended_at", string_or_null(m->ended_at)) ||
            !put(root, "state", string_or_null(m->state)) ||
            !put(root, "interrupted", cJSON_CreateBool(m->interrupted)))
                return NULL;
        cJSON *nodes = cJSON_AddArrayToObject(root, "nodes");
        if (!nodes)
                return NULL;
        for (size_t i = 0; i < m->n_nodes; i++) {
                cJSON *o = node_to_json(&m->nodes[i]);
                if (!o)
                        return NULL;
                cJSON_AddItemToArray(nodes, o);
        }
        char *text = cJSON_Print(root);
        if (!text)
                return NULL;
        size_t len = strlen(text);
        char *nl = realloc(text, len + 2);
        if (!nl) {
                free(text);
                return NULL;
        }
        nl[len] = '\n';
        nl[len + 1] = '\0';
        return nl;
}

int res_fleet_write_at(int dirfd, const char *path, const res_fleet *m, bench_error **err) {
        _cleanup_free_ char *text = res_fleet_to_json(m);
        if (!text)
                return bench_error_set(err, ENOMEM, "%s: cannot format the fleet manifest", path);
        return bench_write_file_atomic_at(dirfd, path, text, strlen(text), 0644, err);
}

/* ---- reading ---- */

/* the reader: results/reader.h */
typedef json_reader reader;

/* What a string field must look like: a check and its description for the message. */
typedef struct string_rule {
        bool (*ok)(const char *s);
        const char *what;
} string_rule;

/* key as a string (or null with nullable); pushes key on the path for messages, pops it on success. */
static int get_string(reader *rd, const cJSON *obj, const char *key, bool nullable, const string_rule *rule,
                      char **ret) {
        size_t mark = json_path_push_key(&rd->path, key);
        const cJSON *j = cJSON_GetObjectItemCaseSensitive(obj, key);
        const char *expected = nullable ? "a string or null" : "a string";
        if (!j)
                return json_fail(rd, "missing (expected %s)", expected);
        *ret = NULL;
        if (!(nullable && cJSON_IsNull(j))) {
                if (!cJSON_IsString(j))
                        return json_fail(rd, "expected %s, got %s", expected, json_type_name(j));
                if (rule && !rule->ok(j->valuestring)) {
                        _cleanup_free_ char *shown = bench_escape_text(j->valuestring, 0);
                        return json_fail(rd, "`%s` is not %s", shown ? shown : "?", rule->what);
                }
                if (!(*ret = strdup(j->valuestring)))
                        return bench_error_set(rd->err, ENOMEM, "out of memory");
        }
        json_path_pop(&rd->path, mark);
        return 0;
}

static const string_rule name_rule = {res_fleet_name_ok,
                                      "a plain file name ([A-Za-z0-9._-], not starting with `.`, no `/`)"};
static const string_rule job_id_rule = {job_id_ok, "a Slurm job id (digits)"};
static const string_rule time_rule = {timestamp_ok, "an RFC 3339 UTC time (2026-12-02T04:00:00Z)"};
static const string_rule state_word_rule = {state_word_ok, "a Slurm job state (COMPLETED, TIMEOUT, ...)"};

static bool is_result_name(const char *s) {
        size_t n = s ? strlen(s) : 0;
        return res_fleet_name_ok(s) && n > 5 && !strcmp(s + n - 5, ".json");
}
static const string_rule result_rule = {is_result_name, "a result file name in the fleet dir (NODE.json)"};

static int get_word(reader *rd, const cJSON *obj, const char *key, int (*parse)(const char *, unsigned *),
                    const char *choices, unsigned *ret) {
        _cleanup_free_ char *s = NULL;
        int r = get_string(rd, obj, key, false, NULL, &s);
        if (r < 0)
                return r;
        if (parse(s, ret) < 0) {
                size_t mark = json_path_push_key(&rd->path, key);
                _cleanup_free_ char *shown = bench_escape_text(s, 0);
                r = json_fail(rd, "unknown value `%s` (expected %s)", shown ? shown : "?", choices);
                json_path_pop(&rd->path, mark);
        }
        return r;
}

static int parse_state(const char *s, unsigned *ret) {
        res_fleet_state v = RES_FLEET_PENDING;
        int r = res_fleet_state_parse(s, &v);
        *ret = (unsigned)v;
        return r;
}
static int parse_transport(const char *s, unsigned *ret) {
        res_fleet_transport v = RES_FLEET_SHARED;
        int r = res_fleet_transport_parse(s, &v);
        *ret = (unsigned)v;
        return r;
}

static int read_node(reader *rd, const cJSON *o, res_fleet_node *n) {
        static const char *const keys[] = {"node", "state", "reason", "exit_code", "result", NULL};
        int r;
        unsigned state = 0;
        if ((r = json_check_keys(rd, o, keys)) < 0 ||
            (r = get_string(rd, o, "node", false, &name_rule, &n->node)) < 0 ||
            (r = get_word(rd, o, "state", parse_state, "pending, running, done, failed, cancelled or timeout",
                          &state)) < 0 ||
            (r = get_string(rd, o, "reason", true, NULL, &n->reason)) < 0 ||
            (r = get_string(rd, o, "result", true, &result_rule, &n->result)) < 0)
                return r;
        n->state = (res_fleet_state)state;
        size_t mark = json_path_push_key(&rd->path, "exit_code");
        const cJSON *j = cJSON_GetObjectItemCaseSensitive(o, "exit_code");
        if (!j)
                return json_fail(rd, "missing (expected an integer or null)");
        if (!cJSON_IsNull(j)) {
                if (!cJSON_IsNumber(j))
                        return json_fail(rd, "expected an integer or null, got %s", json_type_name(j));
                double v = j->valuedouble;
                if (!(v >= 0 && v <= 255) || v != (double)(int)v)
                        return json_fail(rd, "expected an exit code from 0 to 255, got %.17g", v);
                n->has_exit_code = true;
                n->exit_code = (int)v;
        }
        json_path_pop(&rd->path, mark);
        return 0;
}

static int read_manifest(reader *rd, const cJSON *root, res_fleet *m) {
        static const char *const keys[] = {"schema", "suite",       "suite_name",   "scheduler",
                                           "job_id", "transport",   "submitted_at", "ended_at",
                                           "state",  "interrupted", "nodes",        NULL};
        int r;
        if (!cJSON_IsObject(root))
                return json_fail(rd, "expected an object, got %s", json_type_name(root));
        _cleanup_free_ char *schema = NULL, *scheduler = NULL;
        if ((r = get_string(rd, root, "schema", false, NULL, &schema)) < 0)
                return r;
        if (strcmp(schema, RES_FLEET_SCHEMA) != 0) {
                json_path_push_key(&rd->path, "schema");
                _cleanup_free_ char *shown = bench_escape_text(schema, 0);
                return json_fail(rd, "`%s` is not a fleet manifest of this version (expected `%s`)",
                                 shown ? shown : "?", RES_FLEET_SCHEMA);
        }
        unsigned transport = 0;
        if ((r = json_check_keys(rd, root, keys)) < 0 ||
            (r = get_string(rd, root, "suite", false, NULL, &m->suite)) < 0 ||
            (r = get_string(rd, root, "suite_name", true, NULL, &m->suite_name)) < 0 ||
            (r = get_string(rd, root, "scheduler", false, NULL, &scheduler)) < 0)
                return r;
        if (strcmp(scheduler, "slurm") != 0) {
                json_path_push_key(&rd->path, "scheduler");
                _cleanup_free_ char *shown = bench_escape_text(scheduler, 0);
                return json_fail(rd, "unknown value `%s` (expected slurm)", shown ? shown : "?");
        }
        if ((r = get_string(rd, root, "job_id", false, &job_id_rule, &m->job_id)) < 0 ||
            (r = get_word(rd, root, "transport", parse_transport, "shared or srun", &transport)) < 0 ||
            (r = get_string(rd, root, "submitted_at", false, &time_rule, &m->submitted_at)) < 0 ||
            (r = get_string(rd, root, "ended_at", true, &time_rule, &m->ended_at)) < 0 ||
            (r = get_string(rd, root, "state", true, &state_word_rule, &m->state)) < 0)
                return r;
        m->transport = (res_fleet_transport)transport;

        size_t mark = json_path_push_key(&rd->path, "interrupted");
        const cJSON *j = cJSON_GetObjectItemCaseSensitive(root, "interrupted");
        if (!j)
                return json_fail(rd, "missing (expected a boolean)");
        if (!cJSON_IsBool(j))
                return json_fail(rd, "expected a boolean, got %s", json_type_name(j));
        m->interrupted = cJSON_IsTrue(j);
        json_path_pop(&rd->path, mark);

        mark = json_path_push_key(&rd->path, "nodes");
        const cJSON *a = cJSON_GetObjectItemCaseSensitive(root, "nodes");
        if (!a)
                return json_fail(rd, "missing (expected an array)");
        if (!cJSON_IsArray(a))
                return json_fail(rd, "expected an array, got %s", json_type_name(a));
        size_t count = (size_t)cJSON_GetArraySize(a);
        if (count && !(m->nodes = calloc(count, sizeof(*m->nodes))))
                return bench_error_set(rd->err, ENOMEM, "out of memory");
        m->cap_nodes = count;
        size_t k = 0;
        for (const cJSON *e = a->child; e; e = e->next, k++) {
                size_t m2 = json_path_push_index(&rd->path, k);
                if (!cJSON_IsObject(e))
                        return json_fail(rd, "expected an object, got %s", json_type_name(e));
                m->n_nodes = k + 1; /* so that res_fleet_free frees what was read */
                if ((r = read_node(rd, e, &m->nodes[k])) < 0)
                        return r;
                for (size_t i = 0; i < k; i++)
                        if (!strcmp(m->nodes[i].node, m->nodes[k].node))
                                return json_fail(rd, "node `%s` a second time", m->nodes[k].node);
                json_path_pop(&rd->path, m2);
        }
        json_path_pop(&rd->path, mark);
        return 0;
}

int res_fleet_from_json(const char *text, const char *path, res_fleet **ret, bench_error **err) {
        if (!path)
                path = RES_FLEET_FILE;
        if (!text)
                return bench_error_set(err, EINVAL, "%s: no text", path);
        const char *end = NULL;
        _cleanup_(cjson_deletep) cJSON *root = cJSON_ParseWithOpts(text, &end, true);
        if (!root) {
                unsigned line, col;
                size_t off = end && end >= text ? (size_t)(end - text) : 0;
                json_line_col(text, off, &line, &col);
                return bench_error_set(err, EINVAL, "%s:%u:%u: invalid JSON", path, line, col);
        }
        _cleanup_(res_fleet_freep) res_fleet *m = res_fleet_new();
        if (!m)
                return bench_error_set(err, ENOMEM, "out of memory");
        reader rd = {.file = path, .err = err};
        int r = read_manifest(&rd, root, m);
        if (r < 0)
                return r;
        *ret = steal_pointer(&m);
        return 0;
}

int res_fleet_read(const char *path, res_fleet **ret, bench_error **err) {
        _cleanup_free_ char *text = NULL;
        size_t len;
        int r = bench_read_file(path, &text, &len, err);
        if (r < 0)
                return r;
        if (strlen(text) != len)
                return bench_error_set(err, EINVAL, "%s: a NUL byte in the file (not JSON)", path);
        return res_fleet_from_json(text, path, ret, err);
}
