/* SPDX-License-Identifier: MIT */
/*
 * The cgroup front end: where each controller lives on this host, which
 * hierarchies a container needs, the `bench` parents, the object, and
 * reaping what dead runs left. v1/v2 details are in cgroup_v1.c/cgroup_v2.c.
 */
#include "cgroup-internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <time.h>
#include <unistd.h>

#include <linux/magic.h>

#include "../../common/cleanup.h"
#include "../../common/util.h"

#define BENCH_PARENT "bench"
/* A container's processes die within this once killed, or kill fails. */
#define KILL_TIMEOUT_NS (2000ull * 1000 * 1000)
/*
 * Policy floor: the kernel accepts any memory limit on an empty cgroup
 * (v1 even rounds 100 down to 0), so a tiny one would only show up as an
 * OOM kill at start, far from its cause.
 */
#define MEMORY_MIN_BYTES (1ull << 20)

static const char *const ctrl_names[CG_CTRL_MAX] = {
        [CG_MEMORY] = "memory", [CG_CPU] = "cpu",         [CG_CPUSET] = "cpuset",
        [CG_PIDS] = "pids",     [CG_FREEZER] = "freezer", [CG_DEVICES] = "devices",
};

const char *cg_ctrl_name(cg_ctrl c) {
        return c < CG_CTRL_MAX ? ctrl_names[c] : "?";
}

static int ctrl_from_name(const char *s, size_t len) {
        for (int c = 0; c < CG_CTRL_MAX; c++)
                if (strlen(ctrl_names[c]) == len && !memcmp(ctrl_names[c], s, len))
                        return c;
        return -1;
}

/* ---- host detection (pure) ---- */

/* mountinfo escapes space, tab, newline and backslash as \ooo. */
static char *unescape_field(const char *s, size_t len) {
        char *out = malloc(len + 1), *o = out;
        if (!out)
                return NULL;
        for (size_t i = 0; i < len; i++) {
                if (s[i] == '\\' && i + 3 < len && s[i + 1] >= '0' && s[i + 1] <= '3' && s[i + 2] >= '0' &&
                    s[i + 2] <= '7' && s[i + 3] >= '0' && s[i + 3] <= '7') {
                        *o++ = (char)((s[i + 1] - '0') * 64 + (s[i + 2] - '0') * 8 + (s[i + 3] - '0'));
                        i += 3;
                } else {
                        *o++ = s[i];
                }
        }
        *o = 0;
        return out;
}

/* The n-th space-separated field of [line, end), or NULL. */
static const char *field(const char *line, const char *end, int n, size_t *ret_len) {
        const char *p = line;
        for (int i = 0;; i++) {
                while (p < end && *p == ' ')
                        p++;
                if (p >= end)
                        return NULL;
                const char *q = p;
                while (q < end && *q != ' ')
                        q++;
                if (i == n) {
                        *ret_len = (size_t)(q - p);
                        return p;
                }
                p = q;
        }
}

/* The fields of a mountinfo line bench reads; s NULL where the line lacks one. */
typedef struct span {
        const char *s;
        size_t len;
} span;
typedef struct mount_fields {
        span dev, root, mnt, type, opts; /* MAJ:MIN, root and mount point (escaped), fs type, super options */
} mount_fields;

/* The line [line, end): "ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTS [TAGS...] - FSTYPE SOURCE SUPEROPTS". */
static bool mount_fields_parse(const char *line, const char *end, mount_fields *ret) {
        const char *sep = NULL;
        for (const char *p = line; p + 2 < end; p++)
                if (p[0] == ' ' && p[1] == '-' && p[2] == ' ') {
                        sep = p + 2;
                        break;
                }
        mount_fields f = {0};
        f.dev.s = field(line, end, 2, &f.dev.len);
        f.root.s = field(line, end, 3, &f.root.len);
        f.mnt.s = field(line, end, 4, &f.mnt.len);
        f.type.s = sep ? field(sep, end, 0, &f.type.len) : NULL;
        f.opts.s = sep ? field(sep, end, 2, &f.opts.len) : NULL;
        *ret = f;
        return f.dev.s && f.root.s && f.mnt.s && f.type.s && f.opts.s;
}

static bool span_is(span a, const char *s) {
        return a.len == strlen(s) && !memcmp(a.s, s, a.len);
}

/* The controllers of ours among comma-separated super options. */
static unsigned ctrls_in_options(const char *s, size_t len) {
        unsigned mask = 0;
        const char *end = s + len;
        while (s < end) {
                const char *comma = memchr(s, ',', (size_t)(end - s));
                size_t n = comma ? (size_t)(comma - s) : (size_t)(end - s);
                int c = ctrl_from_name(s, n);
                if (c >= 0)
                        mask |= CG_BIT(c);
                s += n + 1;
        }
        return mask;
}

void cg_host_clear(cg_host *h) {
        for (size_t i = 0; i < h->n; i++) {
                free(h->hier[i].mount);
                free(h->hier[i].root);
                free(h->hier[i].own);
                free(h->hier[i].base);
        }
        memset(h, 0, sizeof(*h));
        h->v2 = -1;
        for (int c = 0; c < CG_CTRL_MAX; c++)
                h->where[c] = -1;
}

int cg_host_parse_mountinfo(const char *mountinfo, cg_host *ret, bench_error **err) {
        cg_host h;
        char devs[CG_HIER_MAX][32];
        memset(&h, 0, sizeof(h));
        cg_host_clear(&h);

        for (const char *line = mountinfo; line && *line;) {
                const char *end = strchrnul(line, '\n');
                const char *next = *end ? end + 1 : end;
                mount_fields f;
                bool whole = mount_fields_parse(line, end, &f);
                line = next;
                if (!whole || f.dev.len >= sizeof(devs[0]))
                        continue;
                const char *dev = f.dev.s, *mnt = f.mnt.s;
                size_t dev_len = f.dev.len, mnt_len = f.mnt.len;

                int version;
                unsigned ctrls = 0;
                if (span_is(f.type, "cgroup2")) {
                        if (h.v2 >= 0)
                                continue; /* the first cgroup2 mount wins */
                        version = 2;
                } else if (span_is(f.type, "cgroup")) {
                        ctrls = ctrls_in_options(f.opts.s, f.opts.len);
                        if (!ctrls)
                                continue; /* name=systemd, net_cls, ...: nothing of ours */
                        version = 1;
                } else {
                        continue;
                }
                /* The same hierarchy mounted twice (bind mounts): keep the first. */
                bool dup = false;
                for (size_t i = 0; i < h.n; i++)
                        if (strlen(devs[i]) == dev_len && !memcmp(devs[i], dev, dev_len))
                                dup = true;
                if (dup || h.n == CG_HIER_MAX)
                        continue;
                char *path = unescape_field(mnt, mnt_len), *root = unescape_field(f.root.s, f.root.len);
                if (!path || !root) {
                        free(path);
                        free(root);
                        cg_host_clear(&h);
                        return bench_error_errno(err, ENOMEM, "cgroup: reading mountinfo");
                }
                memcpy(devs[h.n], dev, dev_len);
                devs[h.n][dev_len] = 0;
                h.hier[h.n] = (cg_hier){.version = version, .mount = path, .root = root, .ctrls = ctrls};
                if (version == 2)
                        h.v2 = (int)h.n;
                for (int c = 0; c < CG_CTRL_MAX; c++)
                        if ((ctrls & CG_BIT(c)) && h.where[c] < 0)
                                h.where[c] = (int)h.n;
                h.n++;
        }
        *ret = h;
        return 0;
}

void cg_host_set_v2_controllers(cg_host *h, const char *controllers) {
        if (h->v2 < 0 || !controllers)
                return;
        unsigned mask = 0;
        for (const char *p = controllers; *p;) {
                p += strspn(p, " \t\n");
                size_t n = strcspn(p, " \t\n");
                int c = ctrl_from_name(p, n);
                /* a v2 "freezer" or "devices" does not exist (cgroup.freeze, BPF) */
                if (c >= 0 && c != CG_FREEZER && c != CG_DEVICES)
                        mask |= CG_BIT(c);
                p += n;
        }
        cg_hier *v2 = &h->hier[h->v2];
        for (int c = 0; c < CG_CTRL_MAX; c++)
                if ((mask & CG_BIT(c)) && h->where[c] < 0) {
                        /* a controller bound to v1 never shows up in v2, but be sure */
                        v2->ctrls |= CG_BIT(c);
                        h->where[c] = h->v2;
                }
}

/*
 * The path of hierarchy hi in /proc/self/cgroup text, lines "ID:CONTROLLERS:PATH":
 * v2 is "0::PATH", a v1 hierarchy the line whose controllers include one of
 * its own. NULL if none; *ret_len its length.
 */
static const char *own_path_of(const cg_hier *hi, const char *text, size_t *ret_len) {
        for (const char *line = text; line && *line;) {
                const char *end = strchrnul(line, '\n');
                const char *next = *end ? end + 1 : end;
                const char *c1 = memchr(line, ':', (size_t)(end - line));
                const char *c2 = c1 ? memchr(c1 + 1, ':', (size_t)(end - c1 - 1)) : NULL;
                if (c2) {
                        bool v2 = c1 - line == 1 && *line == '0' && c2 == c1 + 1;
                        bool match = hi->version == 2
                                             ? v2
                                             : !v2 && (ctrls_in_options(c1 + 1, (size_t)(c2 - c1 - 1)) &
                                                       hi->ctrls);
                        if (match) {
                                *ret_len = (size_t)(end - c2 - 1);
                                return c2 + 1;
                        }
                }
                line = next;
        }
        return NULL;
}

int cg_host_set_own(cg_host *h, const char *proc_self_cgroup, bool (*exists)(const char *path)) {
        for (size_t i = 0; i < h->n; i++) {
                cg_hier *hi = &h->hier[i];
                size_t len = 0;
                const char *p = proc_self_cgroup ? own_path_of(hi, proc_self_cgroup, &len) : NULL;
                free(hi->own);
                free(hi->base);
                hi->own = p && len && *p == '/' ? strndup(p, len) : strdup("/");
                hi->base = NULL;
                if (!hi->own)
                        return -ENOMEM;
                /* the part below the mount's root: all of it where the mount shows the whole hierarchy */
                const char *root = hi->root && strcmp(hi->root, "/") ? hi->root : "";
                size_t root_len = strlen(root);
                const char *rel = NULL;
                if (!strncmp(hi->own, root, root_len) && (hi->own[root_len] == '/' || !hi->own[root_len]))
                        rel = hi->own + root_len;
                bool nested = rel && *rel && strcmp(rel, "/") && !strstr(rel, "/../") && !strstr(rel, "/./");
                if (nested && asprintf(&hi->base, "%s%s", hi->mount, rel) < 0) {
                        hi->base = NULL;
                        return -ENOMEM;
                }
                if (hi->base && exists && !exists(hi->base)) {
                        free(hi->base);
                        hi->base = NULL;
                }
                if (!hi->base && !(hi->base = strdup(hi->mount)))
                        return -ENOMEM;
        }
        return 0;
}

static const char *const ctrl_limit_names[CG_CTRL_MAX] = {
        [CG_MEMORY] = "the memory limit", [CG_CPU] = "the cpu limit", [CG_CPUSET] = "the cpus setting",
        [CG_PIDS] = "the pids limit",     [CG_FREEZER] = "?",         [CG_DEVICES] = "?",
};

static unsigned limit_ctrls(const ctr_cgroup_limits *lim) {
        unsigned need = 0;
        if (!lim)
                return 0;
        if (lim->memory_bytes)
                need |= CG_BIT(CG_MEMORY);
        if (lim->cpu_quota_us)
                need |= CG_BIT(CG_CPU);
        if (lim->pids_max)
                need |= CG_BIT(CG_PIDS);
        if (lim->cpus || lim->mems)
                need |= CG_BIT(CG_CPUSET);
        return need;
}

int cg_host_check(const cg_host *h, const ctr_cgroup_limits *lim, bench_error **err) {
        if (h->n == 0)
                return bench_error_set(
                        err, ENOENT,
                        "cgroup: no cgroup hierarchy of use is mounted on this host (no cgroup2 "
                        "mount and none of memory, cpu, cpuset, pids, freezer as cgroup v1)");
        unsigned need = limit_ctrls(lim);
        for (int c = 0; c < CG_CTRL_MAX; c++) {
                if (!(need & CG_BIT(c)) || h->where[c] >= 0)
                        continue;
                if (h->v2 >= 0)
                        return bench_error_set(
                                err, ENOENT,
                                "cgroup: the %s controller is not available on this host (not "
                                "mounted as cgroup v1 and not in %s/cgroup.controllers); drop %s",
                                ctrl_names[c], h->hier[h->v2].mount, ctrl_limit_names[c]);
                return bench_error_set(err, ENOENT,
                                       "cgroup: the %s controller is not available on this host (not mounted "
                                       "as cgroup v1 and no cgroup2 mount); drop %s",
                                       ctrl_names[c], ctrl_limit_names[c]);
        }
        return 0;
}

static pthread_once_t host_once = PTHREAD_ONCE_INIT;
static cg_host host;
static int host_r;
static char host_msg[256];

static bool is_dir(const char *path) {
        struct stat st;
        return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static void host_detect(void) {
        _cleanup_error_ bench_error *e = NULL;
        _cleanup_free_ char *mi = NULL;
        size_t len;
        cg_host_clear(&host);
        host_r = bench_read_file("/proc/self/mountinfo", &mi, &len, &e);
        if (host_r >= 0)
                host_r = cg_host_parse_mountinfo(mi, &host, &e);
        if (host_r < 0) {
                snprintf(host_msg, sizeof(host_msg), "%s",
                         e && e->msg ? e->msg : "cgroup: host detection failed");
                return;
        }
        _cleanup_free_ char *own = NULL;
        (void)bench_read_file("/proc/self/cgroup", &own, NULL, NULL);
        if (cg_host_set_own(&host, own, is_dir) < 0) {
                host_r = -ENOMEM;
                snprintf(host_msg, sizeof(host_msg), "cgroup: out of memory");
                return;
        }
        if (host.v2 >= 0) {
                /* what bench's own cgroup was handed, which below the root may be less than the root's */
                char buf[512];
                ssize_t n =
                        cg_read(cg_hier_base(&host.hier[host.v2]), "cgroup.controllers", buf, sizeof(buf));
                if (n >= 0)
                        cg_host_set_v2_controllers(&host, buf);
        }
}

int cg_host_get(const cg_host **ret, bench_error **err) {
        pthread_once(&host_once, host_detect);
        if (host_r < 0)
                return bench_error_set(err, -host_r, "%s", host_msg);
        *ret = &host;
        return 0;
}

/* ---- bench's own place (host.allocation) ---- */

size_t ctr_cgroup_own_list(ctr_cgroup_own *ret, size_t max) {
        const cg_host *h;
        size_t n = 0;
        if (cg_host_get(&h, NULL) < 0)
                return 0;
        for (int c = 0; c < CG_CTRL_MAX && n < max; c++) {
                int i = h->where[c];
                if (i < 0 || h->hier[i].version != 1 || !h->hier[i].own)
                        continue;
                const cg_hier *hi = &h->hier[i];
                ret[n++] = (ctr_cgroup_own){.key = ctrl_names[c],
                                            .path = hi->own,
                                            .nested = strcmp(cg_hier_base(hi), hi->mount) != 0};
        }
        if (h->v2 >= 0 && n < max && h->hier[h->v2].own) {
                const cg_hier *hi = &h->hier[h->v2];
                ret[n++] = (ctr_cgroup_own){.key = "unified",
                                            .path = hi->own,
                                            .nested = strcmp(cg_hier_base(hi), hi->mount) != 0};
        }
        return n;
}

uint64_t ctr_cgroup_memory_limit(void) {
        const cg_host *h;
        if (cg_host_get(&h, NULL) < 0 || h->where[CG_MEMORY] < 0)
                return 0;
        const cg_hier *hi = &h->hier[h->where[CG_MEMORY]];
        const char *file = hi->version == 1 ? "memory.limit_in_bytes" : "memory.max";
        /* v1 says "no limit" as the largest page-aligned long (9223372036854771712) */
        const uint64_t none = hi->version == 1 ? (UINT64_C(1) << 62) : UINT64_MAX;
        uint64_t tightest = 0;
        char dir[PATH_MAX];
        snprintf(dir, sizeof(dir), "%s", cg_hier_base(hi));
        size_t mount_len = strlen(hi->mount);
        while (strlen(dir) > mount_len) {
                uint64_t v;
                if (cg_read_u64(dir, file, &v) == 0 && v && v < none && (!tightest || v < tightest))
                        tightest = v;
                char *slash = strrchr(dir, '/');
                if (!slash)
                        break;
                *slash = 0;
        }
        return tightest;
}

/* ---- the host's cgroup mode (for `bench info` and results) ---- */

static bool fs_is(const char *path, long magic) {
        struct statfs fs;
        return statfs(path, &fs) == 0 && (long)fs.f_type == magic;
}

ctr_cgroup_mode ctr_cgroup_mode_detect(void) {
        struct statfs fs;
        if (statfs("/sys/fs/cgroup", &fs) < 0)
                return CTR_CGROUP_MODE_NONE;
        if (fs.f_type == CGROUP2_SUPER_MAGIC)
                return CTR_CGROUP_MODE_V2;
        if (fs.f_type == CGROUP_SUPER_MAGIC)
                return CTR_CGROUP_MODE_V1; /* one v1 hierarchy mounted right there */
        if (fs.f_type != TMPFS_MAGIC)
                return CTR_CGROUP_MODE_NONE;

        bool v1 = false;
        DIR *d = opendir("/sys/fs/cgroup");
        if (d) {
                struct dirent *de;
                while (!v1 && (de = readdir(d))) {
                        if (de->d_name[0] == '.' || (de->d_type != DT_DIR && de->d_type != DT_UNKNOWN))
                                continue;
                        char path[512];
                        snprintf(path, sizeof(path), "/sys/fs/cgroup/%s", de->d_name);
                        v1 = fs_is(path, CGROUP_SUPER_MAGIC);
                }
                closedir(d);
        }
        bool unified = fs_is("/sys/fs/cgroup/unified", CGROUP2_SUPER_MAGIC);
        if (v1 && unified)
                return CTR_CGROUP_MODE_HYBRID;
        return v1 ? CTR_CGROUP_MODE_V1 : CTR_CGROUP_MODE_NONE;
}

const char *ctr_cgroup_mode_name(ctr_cgroup_mode m) {
        switch (m) {
        case CTR_CGROUP_MODE_NONE:
                return "none";
        case CTR_CGROUP_MODE_V1:
                return "v1";
        case CTR_CGROUP_MODE_V2:
                return "v2";
        case CTR_CGROUP_MODE_HYBRID:
                return "hybrid";
        }
        return "none";
}

/* Appends the word [w, w+len) to the space-separated *list unless it is there already. */
static int add_word(char **list, const char *w, size_t len) {
        for (const char *p = *list; *p;) {
                size_t n = strcspn(p, " ");
                if (n == len && !memcmp(p, w, len))
                        return 0;
                p += n + strspn(p + n, " ");
        }
        char *grown = NULL;
        if (asprintf(&grown, "%s%s%.*s", *list, **list ? " " : "", (int)len, w) < 0)
                return -ENOMEM;
        free(*list);
        *list = grown;
        return 0;
}

int ctr_cgroup_mounts_read(ctr_cgroup_mounts *ret) {
        _cleanup_(ctr_cgroup_mounts_clear) ctr_cgroup_mounts m = {.v1_controllers = strdup("")};
        _cleanup_free_ char *known = NULL, *mi = NULL;
        if (!m.v1_controllers)
                return -ENOMEM;
        (void)bench_read_file("/proc/cgroups", &known, NULL, NULL);
        (void)bench_read_file("/proc/self/mountinfo", &mi, NULL, NULL);
        for (const char *line = mi; line && *line;) {
                const char *end = strchrnul(line, '\n');
                mount_fields f;
                bool whole = mount_fields_parse(line, end, &f);
                line = *end ? end + 1 : end;
                if (!whole)
                        continue;
                if (span_is(f.type, "cgroup2") && !m.v2_mount) {
                        if (!(m.v2_mount = unescape_field(f.mnt.s, f.mnt.len)))
                                return -ENOMEM;
                } else if (span_is(f.type, "cgroup")) {
                        /* a controller is an option /proc/cgroups lists (not rw, name=...) */
                        for (const char *o = f.opts.s, *oend = f.opts.s + f.opts.len; o < oend;) {
                                const char *comma = memchr(o, ',', (size_t)(oend - o));
                                size_t n = comma ? (size_t)(comma - o) : (size_t)(oend - o);
                                char pat[80];
                                snprintf(pat, sizeof(pat), "\n%.*s\t", (int)n, o);
                                if (n && known && strstr(known, pat) && add_word(&m.v1_controllers, o, n) < 0)
                                        return -ENOMEM;
                                o += n + 1;
                        }
                }
        }
        if (m.v2_mount) {
                _cleanup_free_ char *path = NULL;
                if (asprintf(&path, "%s/cgroup.controllers", m.v2_mount) < 0)
                        return -ENOMEM;
                (void)bench_read_file(path, &m.v2_controllers, NULL, NULL);
        }
        *ret = m;
        m = (ctr_cgroup_mounts){0};
        return 0;
}

void ctr_cgroup_mounts_clear(ctr_cgroup_mounts *m) {
        free(m->v1_controllers);
        free(m->v2_mount);
        free(m->v2_controllers);
        *m = (ctr_cgroup_mounts){0};
}

/* ---- small file I/O ---- */

int cg_write(const char *dir, const char *file, const char *val) {
        char path[PATH_MAX];
        if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, file) >= sizeof(path))
                return -ENAMETOOLONG;
        _cleanup_close_ int fd = open(path, O_WRONLY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        size_t len = strlen(val);
        ssize_t n = write(fd, val, len);
        if (n < 0)
                return -errno;
        return (size_t)n == len ? 0 : -EIO;
}

ssize_t cg_read(const char *dir, const char *file, char *buf, size_t size) {
        char path[PATH_MAX];
        if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, file) >= sizeof(path))
                return -ENAMETOOLONG;
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        ssize_t got = bench_pread_all(fd, buf, size - 1, 0);
        if (got < 0)
                return got;
        buf[got] = 0;
        return got;
}

int cg_read_u64(const char *dir, const char *file, uint64_t *ret) {
        char buf[64];
        ssize_t n = cg_read(dir, file, buf, sizeof(buf));
        if (n == -ENOENT) {
                *ret = 0;
                return 0;
        }
        if (n < 0)
                return (int)n;
        if (!strncmp(buf, "max", 3)) {
                *ret = UINT64_MAX;
                return 0;
        }
        char *end;
        errno = 0;
        unsigned long long v = strtoull(buf, &end, 10);
        if (errno || end == buf)
                return -EBADMSG;
        *ret = v;
        return 0;
}

int cg_read_key_u64(const char *dir, const char *file, const char *key, uint64_t *ret) {
        char buf[4096];
        ssize_t n = cg_read(dir, file, buf, sizeof(buf));
        *ret = 0;
        if (n == -ENOENT)
                return 0;
        if (n < 0)
                return (int)n;
        size_t klen = strlen(key);
        for (const char *p = buf; *p;) {
                if (!strncmp(p, key, klen) && p[klen] == ' ') {
                        *ret = strtoull(p + klen + 1, NULL, 10);
                        return 0;
                }
                const char *nl = strchr(p, '\n');
                if (!nl)
                        break;
                p = nl + 1;
        }
        return 0;
}

static int append_pids(const char *dir, pid_t **pids, size_t *n, size_t *cap, int depth) {
        char path[PATH_MAX];
        if ((size_t)snprintf(path, sizeof(path), "%s/cgroup.procs", dir) >= sizeof(path))
                return -ENAMETOOLONG;
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        /* one read() of a big buffer is enough for a few hundred pids; loop for more */
        char buf[8192];
        size_t have = 0;
        for (;;) {
                ssize_t r = read(fd, buf + have, sizeof(buf) - 1 - have);
                if (r < 0 && errno == EINTR)
                        continue;
                if (r < 0)
                        return -errno;
                have += (size_t)r;
                buf[have] = 0;
                char *p = buf, *nl;
                while ((nl = strchr(p, '\n'))) {
                        if (*n == *cap) {
                                size_t ncap = *cap ? *cap * 2 : 16;
                                pid_t *np = realloc(*pids, ncap * sizeof(pid_t));
                                if (!np)
                                        return -ENOMEM;
                                *pids = np;
                                *cap = ncap;
                        }
                        (*pids)[(*n)++] = (pid_t)strtol(p, NULL, 10);
                        p = nl + 1;
                }
                have = strlen(p);
                memmove(buf, p, have);
                if (r == 0)
                        break;
        }
        if (depth > 16)
                return 0;
        /* Nested cgroups the container made (cgroup namespaces): their processes count too. */
        _cleanup_close_ int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0)
                return errno == ENOENT ? 0 : -errno;
        DIR *d = fdopendir(dfd);
        if (!d)
                return -errno;
        take_fd(&dfd);
        struct dirent *de;
        int r = 0;
        while (r >= 0 && (de = readdir(d)))
                if (de->d_type == DT_DIR && de->d_name[0] != '.') {
                        char sub[PATH_MAX];
                        if ((size_t)snprintf(sub, sizeof(sub), "%s/%s", dir, de->d_name) < sizeof(sub))
                                r = append_pids(sub, pids, n, cap, depth + 1);
                        if (r == -ENOENT)
                                r = 0;
                }
        closedir(d);
        return r;
}

int cg_read_pids(const char *dir, pid_t **ret, size_t *ret_n) {
        _cleanup_free_ pid_t *pids = NULL;
        size_t n = 0, cap = 0;
        int r = append_pids(dir, &pids, &n, &cap, 0);
        if (r < 0)
                return r;
        *ret = steal_pointer(&pids);
        *ret_n = n;
        return 0;
}

void cg_format_pids(const pid_t *pids, size_t n, char *buf, size_t size) {
        size_t used = strlen(buf);
        for (size_t i = 0; i < n && used + 16 < size; i++)
                used += (size_t)snprintf(buf + used, size - used, "%s%d", i ? " " : "", (int)pids[i]);
        if (n && used + 16 >= size)
                snprintf(buf + used, size - used, " ...");
}

void cg_sleep_us(unsigned us) {
        struct timespec ts = {.tv_sec = us / 1000000, .tv_nsec = (long)(us % 1000000) * 1000};
        while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
                ;
}

/* A refused cpuset names what the parent offers: its file + have_suffix. */
static int write_cpuset(const char *path, const char *file, const char *val, const char *have_suffix,
                        bench_error **err) {
        int r = cg_write(path, file, val);
        if (r >= 0)
                return 0;
        char parent[PATH_MAX], have_file[64], have[256];
        snprintf(parent, sizeof(parent), "%s", path);
        char *slash = strrchr(parent, '/');
        if (slash)
                *slash = 0;
        snprintf(have_file, sizeof(have_file), "%s%s", file, have_suffix);
        if (cg_read(parent, have_file, have, sizeof(have)) >= 0)
                have[strcspn(have, "\n")] = 0;
        else
                snprintf(have, sizeof(have), "?");
        return bench_error_set(err, r, "cgroup: %s = \"%s\": %s (this host's %s are %s)", file, val,
                               strerror(-r), !strcmp(file, "cpuset.cpus") ? "cpus" : "memory nodes", have);
}

int cg_apply_shared_limits(const cg_hier *h, const char *path, const ctr_cgroup_limits *lim,
                           const char *have_suffix, bench_error **err) {
        int r;
        if (h->ctrls & CG_BIT(CG_CPUSET)) {
                /* mems before cpus is the order the kernel wants for tasks; either way here */
                if (lim->mems && (r = write_cpuset(path, "cpuset.mems", lim->mems, have_suffix, err)) < 0)
                        return r;
                if (lim->cpus && (r = write_cpuset(path, "cpuset.cpus", lim->cpus, have_suffix, err)) < 0)
                        return r;
        }
        if ((h->ctrls & CG_BIT(CG_PIDS)) && lim->pids_max) {
                char val[32];
                snprintf(val, sizeof(val), "%" PRIu64, lim->pids_max);
                r = cg_write(path, "pids.max", val);
                if (r < 0)
                        return cg_limit_error(r, "pids.max", val, path, err);
        }
        return 0;
}

int cg_limit_error(int r, const char *file, const char *val, const char *dir, bench_error **err) {
        return bench_error_errno(err, r, "cgroup: %s = \"%s\" (in %s)", file, val, dir);
}

int cg_memory_error(int r, uint64_t bytes, bench_error **err) {
        char sz[32];
        return bench_error_set(err, r, "cgroup: memory limit %s refused by the kernel: %s (raise memory)",
                               bench_format_size(bytes, sz, sizeof(sz)), strerror(r < 0 ? -r : r));
}

/* ---- bench parents ---- */

static pthread_mutex_t parent_lock = PTHREAD_MUTEX_INITIALIZER;
/* Per hierarchy of the host: the controllers its bench parent is ready for, and PARENT_DONE. */
#define PARENT_DONE (1u << CG_CTRL_MAX)
static unsigned parent_ready[CG_HIER_MAX];
/* The kernel has cgroup.kill (5.14+); seen in the v2 bench parent. */
static bool v2_has_kill;
bool cg_use_v1_freezer;
bool cg_use_bpf_devices;

static const cg_backend *backend_of(const cg_hier *h) {
        return h->version == 2 ? &cg_backend_v2 : &cg_backend_v1;
}

static const cg_host *parents_host;

/* The kernel has cgroup.kill (5.14+) when a non-root v2 cgroup, dir, has the file. */
static void v2_kill_probe(const char *dir) {
        char kill_file[PATH_MAX + 16];
        snprintf(kill_file, sizeof(kill_file), "%s/cgroup.kill", dir);
        __atomic_store_n(&v2_has_kill, access(kill_file, F_OK) == 0, __ATOMIC_RELAXED);
}

/*
 * At exit the bench parents go too, leaving the hierarchies as they were.
 * rmdir of a parent another bench still uses fails (EBUSY), which is fine;
 * and a bench whose parent vanished makes it again (cg create retries).
 */
static void remove_parents(void) {
        if (!parents_host)
                return;
        for (size_t i = 0; i < parents_host->n; i++) {
                if (!(parent_ready[i] & PARENT_DONE))
                        continue;
                char parent[PATH_MAX];
                snprintf(parent, sizeof(parent), "%s/" BENCH_PARENT, cg_hier_base(&parents_host->hier[i]));
                rmdir(parent);
        }
}

/* Done once per process and hierarchy (again: the parent vanished), then only for new controllers. */
static int parent_prepare(const cg_host *h, size_t i, unsigned ctrls, bool again, bench_error **err) {
        const cg_hier *hi = &h->hier[i];
        unsigned want = ctrls & hi->ctrls;
        int r = 0;
        pthread_mutex_lock(&parent_lock);
        if (again)
                parent_ready[i] = 0;
        if (!(parent_ready[i] & PARENT_DONE) || (want & ~parent_ready[i])) {
                char parent[PATH_MAX];
                snprintf(parent, sizeof(parent), "%s/" BENCH_PARENT, cg_hier_base(hi));
                /* EEXIST: another run (or thread) made it; fine */
                if (mkdir(parent, 0755) < 0 && errno != EEXIST)
                        r = bench_error_errno(err, errno, "cgroup: creating %s", parent);
                if (r >= 0)
                        r = backend_of(hi)->prepare_parent(hi, parent, want, err);
                if (r >= 0 && hi->version == 2)
                        v2_kill_probe(parent);
                if (r >= 0) {
                        if (!parents_host) {
                                parents_host = h;
                                atexit(remove_parents);
                        }
                        parent_ready[i] |= want | PARENT_DONE;
                }
        }
        pthread_mutex_unlock(&parent_lock);
        return r;
}

/*
 * CTR_CGROUP_AT_ROOT: the root is nobody's to change but for what a v2
 * child needs, the controllers handed down (the root's subtree_control,
 * which parent_prepare enables too); v1 roots are left exactly as they are.
 */
static int root_prepare(const cg_hier *h, unsigned ctrls, bench_error **err) {
        return backend_of(h)->prepare_parent(h, NULL, ctrls, err);
}

/* ---- the object ---- */

typedef struct cg_dir {
        const cg_hier *h;
        char *path;   /* <mount>/bench/<name> */
        int procs_fd; /* cgroup.procs, O_WRONLY: the join fd */
        bool removed;
} cg_dir;

struct ctr_cgroup {
        char *name;
        cg_dir dirs[CG_HIER_MAX];
        size_t n;
        int clone_fd; /* v2 directory for CLONE_INTO_CGROUP, or -1 */
        int v2;       /* index in dirs, -1 = none */
        int tracker;  /* the dir whose cgroup.procs lists the processes */
        int freezer;  /* v1 freezer dir, -1 = none */
        int memory, pids;
};

static ctr_cgroup *cg_new(const char *name) {
        ctr_cgroup *cg = calloc(1, sizeof(*cg));
        if (!cg)
                return NULL;
        cg->name = strdup(name);
        if (!cg->name) {
                free(cg);
                return NULL;
        }
        cg->clone_fd = cg->v2 = cg->tracker = cg->freezer = cg->memory = cg->pids = -1;
        return cg;
}

static void cg_index(ctr_cgroup *cg) {
        for (size_t i = 0; i < cg->n; i++) {
                const cg_hier *h = cg->dirs[i].h;
                if (h->version == 2)
                        cg->v2 = (int)i;
                if (h->version == 1 && (h->ctrls & CG_BIT(CG_FREEZER)))
                        cg->freezer = (int)i;
                if (h->ctrls & CG_BIT(CG_MEMORY))
                        cg->memory = (int)i;
                if (h->ctrls & CG_BIT(CG_PIDS))
                        cg->pids = (int)i;
        }
        /* v2 sees every descendant process; else the freezer, which kill uses */
        cg->tracker = cg->v2 >= 0 ? cg->v2 : cg->freezer >= 0 ? cg->freezer : cg->n ? 0 : -1;
}

static void cg_destroyp(ctr_cgroup **p) {
        ctr_cgroup_destroy(*p);
}

static bool valid_name(const char *name) {
        return name && *name && strlen(name) < 200 && !strchr(name, '/') && strcmp(name, ".") &&
               strcmp(name, "..");
}

int ctr_cgroup_check(const ctr_cgroup_limits *lim, bench_error **err) {
        const cg_host *h;
        int r = cg_host_get(&h, err);
        if (r < 0)
                return r;
        if (lim && lim->memory_bytes && lim->memory_bytes < MEMORY_MIN_BYTES) {
                char sz[32], min[32];
                return bench_error_set(
                        err, EINVAL,
                        "cgroup: memory limit %s is below the %s minimum (the kernel would take "
                        "it and OOM-kill the container at start); raise memory",
                        bench_format_size(lim->memory_bytes, sz, sizeof(sz)),
                        bench_format_size(MEMORY_MIN_BYTES, min, sizeof(min)));
        }
        return cg_host_check(h, lim, err);
}

int ctr_cgroup_create(const char *name, const ctr_cgroup_limits *lim, unsigned flags, ctr_cgroup **ret,
                      bench_error **err) {
        static const ctr_cgroup_limits none;
        const cg_host *h;
        if (!lim)
                lim = &none;
        if (!valid_name(name))
                return bench_error_set(err, EINVAL, "cgroup: invalid cgroup name \"%s\"", name ? name : "");
        int r = ctr_cgroup_check(lim, err);
        if (r < 0)
                return r;
        cg_host_get(&h, err);

        /*
         * memory and pids always (stats), v2 where it exists (it tracks every
         * descendant, and cgroup.kill kills them atomically), the v1 freezer
         * for kill only where v2 cannot: one hierarchy less costs ~35 us.
         */
        unsigned need = limit_ctrls(lim) | CG_BIT(CG_MEMORY) | CG_BIT(CG_PIDS);
        bool at_root = flags & CTR_CGROUP_AT_ROOT;
        /* (below the root, the v2 parent tells whether cgroup.kill exists: prepared first) */
        if (h->v2 >= 0 && !at_root && (r = parent_prepare(h, (size_t)h->v2, need, false, err)) < 0)
                return r;
        /*
         * devices: the v1 controller where mounted (its rules are the bench
         * parent's, copied at mkdir: no write per container; at the root,
         * written to each container's directory), else a BPF
         * program on the v2 cgroup. Neither: a container could open any
         * device node it makes, so refuse.
         */
        bool v1_devices = h->where[CG_DEVICES] >= 0 && !cg_use_bpf_devices;
        if (v1_devices)
                need |= CG_BIT(CG_DEVICES);
        else if (h->v2 < 0)
                return bench_error_set(err, ENOENT,
                                       "cgroup: no device controller on this host (no v1 devices hierarchy "
                                       "and no cgroup2 mount for a BPF device program): a container could "
                                       "open the host's disks; mount the devices controller or cgroup2");
        unsigned per_hier[CG_HIER_MAX] = {0};
        bool used[CG_HIER_MAX] = {false};
        for (int c = 0; c < CG_CTRL_MAX; c++)
                if ((need & CG_BIT(c)) && h->where[c] >= 0) {
                        used[h->where[c]] = true;
                        per_hier[h->where[c]] |= CG_BIT(c);
                }
        /* v2 first: its directory (at the root: the container's own) shows whether cgroup.kill exists */
        size_t order[CG_HIER_MAX], n_order = 0;
        if (h->v2 >= 0) {
                used[h->v2] = true;
                order[n_order++] = (size_t)h->v2;
        }
        for (size_t i = 0; i < h->n; i++)
                if ((int)i != h->v2)
                        order[n_order++] = i;

        _cleanup_(cg_destroyp) ctr_cgroup *cg = cg_new(name);
        if (!cg)
                return bench_error_errno(err, ENOMEM, "cgroup: creating %s", name);
        for (size_t k = 0; k < n_order; k++) {
                size_t i = order[k];
                /* the v1 freezer, for kill only where v2 has no cgroup.kill: decided once v2 is made */
                if ((int)i != h->v2 && h->where[CG_FREEZER] >= 0 && !(need & CG_BIT(CG_FREEZER)) &&
                    (!__atomic_load_n(&v2_has_kill, __ATOMIC_RELAXED) || cg_use_v1_freezer)) {
                        need |= CG_BIT(CG_FREEZER);
                        used[h->where[CG_FREEZER]] = true;
                        per_hier[h->where[CG_FREEZER]] |= CG_BIT(CG_FREEZER);
                }
                if (!used[i])
                        continue;
                const cg_hier *hi = &h->hier[i];
                r = at_root ? root_prepare(hi, per_hier[i], err)
                            : parent_prepare(h, i, per_hier[i], false, err);
                if (r < 0)
                        return r;
                _cleanup_free_ char *path = NULL;
                if (asprintf(&path, at_root ? "%s/%s" : "%s/" BENCH_PARENT "/%s", cg_hier_base(hi), name) < 0)
                        return bench_error_errno(err, ENOMEM, "cgroup: creating %s", name);
                r = mkdir(path, 0755) < 0 ? -errno : 0;
                if (r == -ENOENT && !at_root) {
                        /* someone removed the bench parent since we made it */
                        r = parent_prepare(h, i, per_hier[i], true, err);
                        if (r < 0)
                                return r;
                        r = mkdir(path, 0755) < 0 ? -errno : 0;
                }
                if (r == -EEXIST)
                        return bench_error_set(err, EEXIST,
                                               "cgroup: %s exists already (another container "
                                               "of that name?)",
                                               path);
                if (r < 0)
                        return bench_error_errno(err, r, "cgroup: creating %s", path);
                if (at_root && (int)i == h->v2)
                        v2_kill_probe(path);
                cg->dirs[cg->n++] = (cg_dir){.h = hi, .path = steal_pointer(&path), .procs_fd = -1};
        }
        cg_index(cg);

        for (size_t i = 0; i < cg->n; i++) {
                cg_dir *d = &cg->dirs[i];
                /* at the root, a v1 cpuset child starts empty: the root's mems (and cpus) first */
                if (at_root && d->h->version == 1 && (d->h->ctrls & CG_BIT(CG_CPUSET)) &&
                    (r = cg_v1_cpuset_inherit(d->h, d->path, false, err)) < 0)
                        return r;
                r = backend_of(d->h)->apply_limits(d->h, d->path, lim, err);
                if (r < 0)
                        return r;
                /*
                 * the rules: below the root, the parent's are copied at mkdir
                 * (one read checks that the parent was not remade without them
                 * since it was prepared); at the root, written here
                 */
                if (v1_devices && d->h->version == 1 && (d->h->ctrls & CG_BIT(CG_DEVICES)) &&
                    (at_root || !cg_devices_v1_match(d->path)) && (r = cg_devices_v1_write(d->path, err)) < 0)
                        return r;
        }
        for (size_t i = 0; i < cg->n; i++) {
                cg_dir *d = &cg->dirs[i];
                if ((int)i == cg->v2 && (flags & CTR_CGROUP_WANT_CLONE_INTO)) {
                        /* clone3() lands the child here; the procs fd is only its fallback */
                        cg->clone_fd = open(d->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                        if (cg->clone_fd < 0)
                                return bench_error_errno(err, errno, "cgroup: opening %s", d->path);
                }
                char path[PATH_MAX];
                /* v1: the thread-level file, see ctr_cgroup_join_fds() in cgroup.h */
                snprintf(path, sizeof(path), "%s/%s", d->path, d->h->version == 1 ? "tasks" : "cgroup.procs");
                d->procs_fd = open(path, O_WRONLY | O_CLOEXEC);
                if (d->procs_fd < 0)
                        return bench_error_errno(err, errno, "cgroup: opening %s", path);
                if ((int)i == cg->v2 && !v1_devices) {
                        _cleanup_close_ int dfd =
                                cg->clone_fd >= 0 ? -1 : open(d->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                        r = cg_devices_bpf_attach(cg->clone_fd >= 0 ? cg->clone_fd : dfd, d->path, err);
                        if (r < 0)
                                return r;
                }
        }
        *ret = steal_pointer(&cg);
        return 0;
}

size_t ctr_cgroup_join_fds(ctr_cgroup *cg, int *fds, size_t max) {
        size_t n = 0;
        for (size_t i = 0; cg && i < cg->n && n < max; i++)
                if (cg->dirs[i].procs_fd >= 0 && (int)i != cg->v2)
                        fds[n++] = cg->dirs[i].procs_fd;
        return n;
}

int ctr_cgroup_v2_join_fd(ctr_cgroup *cg) {
        return cg && cg->v2 >= 0 ? cg->dirs[cg->v2].procs_fd : -1;
}

int ctr_cgroup_clone_fd(ctr_cgroup *cg) {
        return cg ? cg->clone_fd : -1;
}

const char *ctr_cgroup_path(ctr_cgroup *cg) {
        return cg && cg->tracker >= 0 ? cg->dirs[cg->tracker].path : NULL;
}

int ctr_cgroup_pids(ctr_cgroup *cg, pid_t **ret, size_t *ret_n, bench_error **err) {
        if (!cg || cg->tracker < 0)
                return bench_error_set(err, EINVAL, "cgroup: no cgroup to list");
        const char *path = cg->dirs[cg->tracker].path;
        int r = cg_read_pids(path, ret, ret_n);
        if (r < 0)
                return bench_error_errno(err, r, "cgroup: listing the processes of %s", path);
        return 0;
}

int ctr_cgroup_stats_read(ctr_cgroup *cg, ctr_cgroup_stats *ret, bench_error **err) {
        ctr_cgroup_stats st = {0};
        if (!cg)
                return bench_error_set(err, EINVAL, "cgroup: no cgroup to read");
        int idx[2] = {cg->memory, cg->pids};
        for (size_t k = 0; k < 2; k++) {
                if (idx[k] < 0 || (k == 1 && idx[1] == idx[0]))
                        continue;
                cg_dir *d = &cg->dirs[idx[k]];
                int r = backend_of(d->h)->read_stats(d->h, d->path, &st, err);
                if (r < 0)
                        return r;
        }
        *ret = st;
        return 0;
}

int ctr_cgroup_kill(ctr_cgroup *cg, bench_error **err) {
        if (!cg)
                return 0;
        uint64_t deadline = bench_now_ns() + KILL_TIMEOUT_NS;
        int r = 0;
        if (cg->v2 >= 0 && !cg->dirs[cg->v2].removed) {
                cg_dir *d = &cg->dirs[cg->v2];
                r = cg_backend_v2.kill(d->h, d->path, NULL, deadline, err);
                if (r < 0)
                        return r;
        }
        /* Processes that joined only v1 (or a host without v2): the freezer's way. */
        for (size_t i = 0; i < cg->n; i++) {
                cg_dir *d = &cg->dirs[i];
                if (d->h->version != 1 || d->removed)
                        continue;
                const char *fz = cg->freezer >= 0 && !cg->dirs[cg->freezer].removed
                                         ? cg->dirs[cg->freezer].path
                                         : NULL;
                /* the freezer (if any) first: it sees what the others see */
                if (fz && (int)i != cg->freezer)
                        continue;
                r = cg_backend_v1.kill(d->h, d->path, fz, deadline, err);
                if (r < 0)
                        return r;
                break;
        }
        return 0;
}

/* rmdir, children first; EBUSY retried with a backoff: a v1 memcg can lag going offline. */
static int rmdir_tree(const char *path, int depth) {
        for (unsigned attempt = 0, wait_us = 200;; attempt++, wait_us *= 2) {
                if (rmdir(path) == 0 || errno == ENOENT)
                        return 0;
                int r = -errno;
                if (r != -EBUSY || attempt >= 8)
                        return r;
                if (depth < 16) {
                        _cleanup_close_ int dfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                        DIR *d = dfd >= 0 ? fdopendir(dfd) : NULL;
                        if (d) {
                                take_fd(&dfd);
                                struct dirent *de;
                                while ((de = readdir(d)))
                                        if (de->d_type == DT_DIR && de->d_name[0] != '.') {
                                                char sub[PATH_MAX];
                                                if ((size_t)snprintf(sub, sizeof(sub), "%s/%s", path,
                                                                     de->d_name) < sizeof(sub))
                                                        rmdir_tree(sub, depth + 1);
                                        }
                                closedir(d);
                                if (rmdir(path) == 0 || errno == ENOENT)
                                        return 0;
                        }
                }
                cg_sleep_us(wait_us);
        }
}

void ctr_cgroup_destroy(ctr_cgroup *cg) {
        if (!cg)
                return;
        for (size_t i = 0; i < cg->n; i++) {
                cg_dir *d = &cg->dirs[i];
                if (d->procs_fd >= 0)
                        close(d->procs_fd);
                d->procs_fd = -1;
        }
        if (cg->clone_fd >= 0)
                close(cg->clone_fd);
        cg->clone_fd = -1;
        /* The common case is empty: one rmdir each. EBUSY = processes (or child cgroups) left. */
        bool busy = false;
        for (size_t i = 0; i < cg->n; i++) {
                cg_dir *d = &cg->dirs[i];
                if (rmdir(d->path) == 0 || errno == ENOENT)
                        d->removed = true;
                else
                        busy = true;
        }
        if (busy) {
                _cleanup_error_ bench_error *e = NULL;
                ctr_cgroup_kill(cg, &e);
                for (size_t i = 0; i < cg->n; i++)
                        if (!cg->dirs[i].removed)
                                cg->dirs[i].removed = rmdir_tree(cg->dirs[i].path, 0) == 0;
        }
        for (size_t i = 0; i < cg->n; i++)
                free(cg->dirs[i].path);
        free(cg->name);
        free(cg);
}

/* ---- stale cgroups of dead runs ---- */

/* "bench-PID-N" whose PID is gone. */
static bool is_stale(const char *name) {
        int pid, end = 0;
        unsigned n;
        if (sscanf(name, "bench-%d-%u%n", &pid, &n, &end) != 2 || name[end] || pid <= 0)
                return false;
        return pid != getpid() && kill(pid, 0) < 0 && errno == ESRCH;
}

static void reap_one(const cg_host *h, const char *name, bool at_root) {
        ctr_cgroup *cg = cg_new(name);
        if (!cg)
                return;
        for (size_t i = 0; i < h->n; i++) {
                char *path = NULL;
                if (asprintf(&path, at_root ? "%s/%s" : "%s/" BENCH_PARENT "/%s", cg_hier_base(&h->hier[i]),
                             name) < 0)
                        continue;
                if (access(path, F_OK) < 0) {
                        free(path);
                        continue;
                }
                cg->dirs[cg->n++] = (cg_dir){.h = &h->hier[i], .path = path, .procs_fd = -1};
        }
        cg_index(cg);
        ctr_cgroup_destroy(cg);
}

static bool stale_dir(const struct dirent *de) {
        return de->d_type == DT_DIR && is_stale(de->d_name);
}

/* Reaps the stale containers listed in dir (a bench parent or a root). */
static void reap_dir(const cg_host *h, const char *dir, bool at_root) {
        DIR *d = opendir(dir);
        if (!d)
                return;
        /* collect first: destroying while reading the directory skips entries */
        char **names = bench_dir_names(d, stale_dir);
        closedir(d);
        for (size_t k = 0; names && names[k]; k++)
                reap_one(h, names[k], at_root);
        bench_strv_free(names);
}

void ctr_cgroup_reap_stale(void) {
        const cg_host *h;
        if (cg_host_get(&h, NULL) < 0)
                return;
        for (size_t i = 0; i < h->n; i++) {
                char parent[PATH_MAX];
                snprintf(parent, sizeof(parent), "%s/" BENCH_PARENT, cg_hier_base(&h->hier[i]));
                reap_dir(h, parent, false);
        }
        /*
         * containers made at the root (CTR_CGROUP_AT_ROOT) always have a pids
         * directory (memory, v2 where those are missing): one root to list,
         * not every hierarchy's
         */
        int where = h->where[CG_PIDS] >= 0 ? h->where[CG_PIDS] : h->v2 >= 0 ? h->v2 : h->where[CG_MEMORY];
        if (where >= 0)
                reap_dir(h, cg_hier_base(&h->hier[where]), true);
}

int ctr_cgroup_parent_ready(const char *name, bench_error **err) {
        const cg_host *h;
        int r = cg_host_get(&h, err);
        if (r < 0)
                return r;
        int i = h->where[CG_CPUSET];
        if (i < 0 || h->hier[i].version != 1)
                return 0;
        char path[4096];
        snprintf(path, sizeof(path), "%s/%s", h->hier[i].mount, name);
        if (mkdir(path, 0755) < 0 && errno != EEXIST)
                return bench_error_errno(err, errno, "cgroup: cannot create %s", path);
        return cg_v1_cpuset_inherit(&h->hier[i], path, true, err);
}
