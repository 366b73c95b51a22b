/* SPDX-License-Identifier: MIT */
/*
 * The bundle's config.json: the same container as bench's own runtime
 * builds (runtimes/container/container.c), in the OCI runtime spec's words.
 * Masked and read-only paths, devices, Docker's capabilities and the seccomp
 * profile come from the very tables bench's runtime applies.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/resource.h>
#include <unistd.h>

#include "../../common/cleanup.h"
#include "../../common/util.h"
#include "../container/seccomp.h"
#include "oci-internal.h"

typedef struct builder {
        bool ok;
} builder;

static cJSON *put(builder *b, cJSON *o, const char *key, cJSON *item) {
        if (!item || !o) {
                cJSON_Delete(item);
                b->ok = false;
                return NULL;
        }
        if (cJSON_IsArray(o))
                cJSON_AddItemToArray(o, item);
        else
                cJSON_AddItemToObject(o, key, item);
        return item;
}

static cJSON *str(const char *s) {
        return cJSON_CreateString(s);
}
static cJSON *num(double v) {
        return cJSON_CreateNumber(v);
}

static cJSON *strings(builder *b, const char *const *s, size_t n) {
        cJSON *a = cJSON_CreateArray();
        for (size_t i = 0; a && i < n; i++)
                put(b, a, NULL, str(s[i]));
        return a;
}

static void add_mount(builder *b, cJSON *mounts, const char *dest, const char *type, const char *source,
                      const char *const *opts, size_t n_opts) {
        cJSON *m = put(b, mounts, NULL, cJSON_CreateObject());
        put(b, m, "destination", str(dest));
        put(b, m, "type", str(type));
        put(b, m, "source", str(source));
        put(b, m, "options", strings(b, opts, n_opts));
}

/* "CAP_CHOWN", ... for each bit set, as libcap names them */
static cJSON *cap_names(builder *b, uint64_t caps) {
        cJSON *a = cJSON_CreateArray();
        for (int v = 0; a && v < 64; v++) {
                if (!(caps & (1ull << v)))
                        continue;
                char *name = cap_to_name((cap_value_t)v);
                if (!name) {
                        b->ok = false;
                        continue;
                }
                char up[64];
                size_t i = 0;
                for (; name[i] && i + 1 < sizeof(up); i++)
                        up[i] = (char)(name[i] >= 'a' && name[i] <= 'z' ? name[i] - 'a' + 'A' : name[i]);
                up[i] = '\0';
                cap_free(name);
                put(b, a, NULL, str(up));
        }
        return a;
}

int oci_bundle_render(const oci_bundle_spec *s, char **ret_text, bench_error **err) {
        builder b = {.ok = true};
        _cleanup_json_ cJSON *root = cJSON_CreateObject();
        put(&b, root, "ociVersion", str("1.0.2"));

        cJSON *proc = put(&b, root, "process", cJSON_CreateObject());
        put(&b, proc, "terminal", cJSON_CreateBool(false));
        cJSON *user = put(&b, proc, "user", cJSON_CreateObject());
        put(&b, user, "uid", num(0));
        put(&b, user, "gid", num(0));
        size_t na = 0;
        while (s->args[na])
                na++;
        /* the workload's arguments are known at start: they take the marker's place then */
        cJSON *args = put(&b, proc, "args", strings(&b, (const char *const *)s->args, na));
        put(&b, args, NULL, str(OCI_ARGS_MARKER));
        size_t ne = 0;
        while (ctr_default_env[ne])
                ne++;
        put(&b, proc, "env", strings(&b, ctr_default_env, ne));
        put(&b, proc, "cwd", str("/"));
        cJSON *caps = put(&b, proc, "capabilities", cJSON_CreateObject());
        /* as bench's runtime: inheritable and ambient empty (CVE-2022-24769) */
        put(&b, caps, "bounding", cap_names(&b, s->caps));
        put(&b, caps, "effective", cap_names(&b, s->caps));
        put(&b, caps, "permitted", cap_names(&b, s->caps));
        put(&b, caps, "inheritable", cJSON_CreateArray());
        put(&b, caps, "ambient", cJSON_CreateArray());
        /*
         * bench's runtime raises it to 1048576 while it still has every
         * capability; runtimes set it after the cut (Docker's set has no
         * CAP_SYS_RESOURCE), so it can reach the hard limit bench has
         */
        struct rlimit nofile = {1048576, 1048576};
        struct rlimit cur;
        if (getrlimit(RLIMIT_NOFILE, &cur) == 0 && cur.rlim_max < nofile.rlim_max)
                nofile.rlim_cur = nofile.rlim_max = cur.rlim_max;
        cJSON *rl = put(&b, put(&b, proc, "rlimits", cJSON_CreateArray()), NULL, cJSON_CreateObject());
        put(&b, rl, "type", str("RLIMIT_NOFILE"));
        put(&b, rl, "hard", num((double)nofile.rlim_max));
        put(&b, rl, "soft", num((double)nofile.rlim_cur));
        put(&b, proc, "noNewPrivileges", cJSON_CreateBool(true));

        cJSON *rootfs = put(&b, root, "root", cJSON_CreateObject());
        put(&b, rootfs, "path", str("rootfs"));
        put(&b, rootfs, "readonly", cJSON_CreateBool(s->readonly_rootfs));
        put(&b, root, "hostname", str(s->hostname ? s->hostname : s->id));

        /* what bench's runtime mounts below the overlay (build_plan), with the same options */
        cJSON *mounts = put(&b, root, "mounts", cJSON_CreateArray());
        static const char *const proc_o[] = {"nosuid", "noexec", "nodev"};
        static const char *const dev_o[] = {"nosuid", "strictatime", "mode=755", "size=65536k"};
        static const char *const pts_o[] = {"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620"};
        static const char *const shm_o[] = {"nosuid", "noexec", "nodev", "mode=1777", "size=65536k"};
        static const char *const mq_o[] = {"nosuid", "noexec", "nodev"};
        static const char *const sys_o[] = {"nosuid", "noexec", "nodev", "ro"};
        static const char *const bind_o[] = {"rbind", "ro", "nosuid", "nodev"};
        add_mount(&b, mounts, "/proc", "proc", "proc", proc_o, ELEMENTSOF(proc_o));
        add_mount(&b, mounts, "/dev", "tmpfs", "tmpfs", dev_o, ELEMENTSOF(dev_o));
        add_mount(&b, mounts, "/dev/pts", "devpts", "devpts", pts_o, ELEMENTSOF(pts_o));
        add_mount(&b, mounts, "/dev/shm", "tmpfs", "shm", shm_o, ELEMENTSOF(shm_o));
        add_mount(&b, mounts, "/dev/mqueue", "mqueue", "mqueue", mq_o, ELEMENTSOF(mq_o));
        add_mount(&b, mounts, "/sys", "sysfs", "sysfs", sys_o, ELEMENTSOF(sys_o));
        char tmp_size[48];
        uint64_t ts = s->tmpfs_size;
        if (!ts)
                bench_parse_size(CTR_TMPFS_SIZE_DEFAULT, &ts);
        snprintf(tmp_size, sizeof(tmp_size), "size=%llu", (unsigned long long)ts);
        const char *tmp_o[] = {"nosuid", "nodev", "mode=1777", tmp_size};
        add_mount(&b, mounts, "/tmp", "tmpfs", "tmpfs", tmp_o, ELEMENTSOF(tmp_o));
        if (s->agent_bind)
                add_mount(&b, mounts, "/bench-agent", "bind", s->agent_bind, bind_o, ELEMENTSOF(bind_o));

        cJSON *linux_ = put(&b, root, "linux", cJSON_CreateObject());
        put(&b, linux_, "cgroupsPath", str(s->cgroups_path));
        cJSON *ns = put(&b, linux_, "namespaces", cJSON_CreateArray());
        static const char *const nss[] = {"pid", "network", "ipc", "uts", "mount", "cgroup"};
        for (size_t i = 0; i < ELEMENTSOF(nss); i++)
                put(&b, put(&b, ns, NULL, cJSON_CreateObject()), "type", str(nss[i]));
        cJSON *masked = put(&b, linux_, "maskedPaths", strings(&b, ctr_masked_files, ctr_n_masked_files));
        for (size_t i = 0; i < ctr_n_masked_dirs; i++)
                put(&b, masked, NULL, str(ctr_masked_dirs[i]));
        put(&b, linux_, "readonlyPaths", strings(&b, ctr_readonly_paths, ctr_n_readonly_paths));
        cJSON *devs = put(&b, linux_, "devices", cJSON_CreateArray());
        cJSON *res = put(&b, linux_, "resources", cJSON_CreateObject());
        cJSON *cg_devs = put(&b, res, "devices", cJSON_CreateArray());
        cJSON *deny = put(&b, cg_devs, NULL, cJSON_CreateObject());
        put(&b, deny, "allow", cJSON_CreateBool(false));
        put(&b, deny, "access", str("rwm"));
        for (size_t i = 0; i < ctr_n_devices; i++) {
                const ctr_device *d = &ctr_devices[i];
                cJSON *e = put(&b, devs, NULL, cJSON_CreateObject());
                put(&b, e, "path", str(d->path));
                put(&b, e, "type", str("c"));
                put(&b, e, "major", num(d->major));
                put(&b, e, "minor", num(d->minor));
                put(&b, e, "fileMode", num(0666));
                put(&b, e, "uid", num(0));
                put(&b, e, "gid", num(0));
                cJSON *a = put(&b, cg_devs, NULL, cJSON_CreateObject());
                put(&b, a, "allow", cJSON_CreateBool(true));
                put(&b, a, "type", str("c"));
                put(&b, a, "major", num(d->major));
                put(&b, a, "minor", num(d->minor));
                put(&b, a, "access", str("rwm"));
        }
        /* the ptys (char 136:any) and /dev/ptmx, as Docker allows */
        static const struct {
                unsigned major;
                int minor;
        } pty[] = {{136, -1}, {5, 2}};
        for (size_t i = 0; i < ELEMENTSOF(pty); i++) {
                cJSON *a = put(&b, cg_devs, NULL, cJSON_CreateObject());
                put(&b, a, "allow", cJSON_CreateBool(true));
                put(&b, a, "type", str("c"));
                put(&b, a, "major", num(pty[i].major));
                if (pty[i].minor >= 0)
                        put(&b, a, "minor", num(pty[i].minor));
                put(&b, a, "access", str("rwm"));
        }
        if (s->memory_bytes) {
                cJSON *m = put(&b, res, "memory", cJSON_CreateObject());
                put(&b, m, "limit", num((double)s->memory_bytes));
        }
        if (s->pids_max)
                put(&b, put(&b, res, "pids", cJSON_CreateObject()), "limit", num((double)s->pids_max));
        if (s->cpu_quota_us || s->cpus) {
                cJSON *c = put(&b, res, "cpu", cJSON_CreateObject());
                if (s->cpu_quota_us) {
                        put(&b, c, "quota", num((double)s->cpu_quota_us));
                        put(&b, c, "period", num(100000));
                }
                if (s->cpus)
                        put(&b, c, "cpus", str(s->cpus));
        }
        const ctr_sc_profile *p = NULL;
        int r = ctr_seccomp_load(s->seccomp, &p, err);
        if (r < 0)
                return r;
        if (p) {
                cJSON *sc = NULL;
                if ((r = ctr_seccomp_to_oci(p, s->caps, &sc, err)) < 0)
                        return r;
                put(&b, linux_, "seccomp", sc);
        }
        if (!b.ok)
                return bench_error_set(err, ENOMEM, "out of memory");
        char *text = cJSON_PrintUnformatted(root);
        if (!text)
                return bench_error_set(err, ENOMEM, "out of memory");
        *ret_text = text;
        return 0;
}

/* s as a JSON string's content: quote, backslash and control bytes escaped */
static size_t json_escape(const char *s, char *out) {
        size_t n = 0;
        for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
                if (*p == '"' || *p == '\\') {
                        if (out) {
                                out[n] = '\\';
                                out[n + 1] = (char)*p;
                        }
                        n += 2;
                } else if (*p < 0x20 || *p == 0x7f) {
                        if (out)
                                snprintf(out + n, 7, "\\u%04x", *p);
                        n += 6;
                } else {
                        if (out)
                                out[n] = (char)*p;
                        n++;
                }
        }
        return n;
}

int oci_bundle_write(const char *dir, const char *text, char *const *args, bench_error **err) {
        static const char marker[] = ",\"" OCI_ARGS_MARKER "\"";
        const char *at = strstr(text, marker);
        if (!at)
                return bench_error_set(err, EINVAL, "the bundle's text has no argument marker");
        size_t len = strlen(text);
        for (size_t i = 0; args && args[i]; i++)
                len += json_escape(args[i], NULL) + 3;
        _cleanup_free_ char *out = malloc(len + 1);
        if (!out)
                return bench_error_set(err, ENOMEM, "out of memory");
        size_t n = (size_t)(at - text);
        memcpy(out, text, n);
        for (size_t i = 0; args && args[i]; i++) {
                out[n++] = ',';
                out[n++] = '"';
                n += json_escape(args[i], out + n);
                out[n++] = '"';
        }
        const char *rest = at + strlen(marker);
        memcpy(out + n, rest, strlen(rest));
        n += strlen(rest);
        char path[4096];
        snprintf(path, sizeof(path), "%s/config.json", dir);
        _cleanup_close_ int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (fd < 0)
                return bench_error_errno(err, errno, "cannot create %s", path);
        int r = bench_write_all(fd, out, n);
        if (r < 0)
                return bench_error_errno(err, -r, "cannot write %s", path);
        return 0;
}
