/* SPDX-License-Identifier: MIT */
/*
 * The layers bench builds itself, so no image download is needed: a base
 * layer (busybox-static with its applets + the static bench-agent + the
 * mount points) and small filler layers for depth. Built in a temp dir and
 * renamed into place, so a crash never leaves a half layer in the cache;
 * keyed by what they are made of, so a rebuilt agent gets a fresh layer.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../../common/cache.h"
#include "../../common/cleanup.h"
#include "../../common/util.h"
#include "container-internal.h"
#include "version.h"

#define BUSYBOX "/bin/busybox"

static int copy_file(const char *from, const char *to, mode_t mode, bench_error **err) {
        _cleanup_close_ int in = open(from, O_RDONLY | O_CLOEXEC);
        if (in < 0)
                return bench_error_errno(err, errno, "cannot open %s", from);
        _cleanup_close_ int out = open(to, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
        if (out < 0)
                return bench_error_errno(err, errno, "cannot create %s", to);
        char buf[1 << 16];
        for (;;) {
                ssize_t n = read(in, buf, sizeof(buf));
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return bench_error_errno(err, errno, "cannot read %s", from);
                if (n == 0)
                        break;
                for (ssize_t off = 0; off < n;) {
                        ssize_t w = write(out, buf + off, (size_t)(n - off));
                        if (w < 0 && errno == EINTR)
                                continue;
                        if (w < 0)
                                return bench_error_errno(err, errno, "cannot write %s", to);
                        off += w;
                }
        }
        if (fchmod(out, mode) < 0)
                return bench_error_errno(err, errno, "cannot chmod %s", to);
        return 0;
}

static int write_text(const char *path, const char *text, bench_error **err) {
        _cleanup_close_ int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
        if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text))
                return bench_error_errno(err, errno, "cannot write %s", path);
        return 0;
}

/* The applet names busybox was built with, from `busybox --list`. */
static int busybox_applets(char **ret_list, bench_error **err) {
        int p[2];
        if (pipe2(p, O_CLOEXEC) < 0)
                return bench_error_errno(err, errno, "pipe");
        pid_t pid = fork();
        if (pid < 0) {
                close(p[0]);
                close(p[1]);
                return bench_error_errno(err, errno, "fork");
        }
        if (pid == 0) {
                dup2(p[1], 1);
                execl(BUSYBOX, "busybox", "--list", (char *)NULL);
                _exit(127);
        }
        close(p[1]);
        size_t cap = 8192, len = 0;
        char *buf = malloc(cap);
        for (ssize_t n; buf;) {
                if (len + 1 >= cap) {
                        char *nb = realloc(buf, cap *= 2);
                        if (!nb) {
                                free(buf);
                                buf = NULL;
                                break;
                        }
                        buf = nb;
                }
                n = read(p[0], buf + len, cap - len - 1);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0)
                        break;
                len += (size_t)n;
        }
        close(p[0]);
        int status = 0;
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
                ;
        if (!buf)
                return bench_error_set(err, ENOMEM, "out of memory");
        buf[len] = '\0';
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || len == 0) {
                free(buf);
                return bench_error_set(err, ENOEXEC, "%s --list failed (install busybox-static)", BUSYBOX);
        }
        *ret_list = buf;
        return 0;
}

static int build_base(const char *dir, const char *agent_path, bench_error **err) {
        static const char *const dirs[] = {"bin", "dev",  "proc",    "sys", "tmp",
                                           "etc", "root", "scratch", "run"};
        char path[4096];
        int r;
        for (size_t i = 0; i < ELEMENTSOF(dirs); i++) {
                snprintf(path, sizeof(path), "%s/%s", dir, dirs[i]);
                if (mkdir(path, !strcmp(dirs[i], "tmp") ? 01777 : 0755) < 0)
                        return bench_error_errno(err, errno, "cannot create %s", path);
        }
        snprintf(path, sizeof(path), "%s/tmp", dir);
        chmod(path, 01777);
        snprintf(path, sizeof(path), "%s/scratch", dir);
        chmod(path, 01777);
        snprintf(path, sizeof(path), "%s/bin/busybox", dir);
        if ((r = copy_file(BUSYBOX, path, 0755, err)) < 0)
                return r;
        snprintf(path, sizeof(path), "%s/bench-agent", dir);
        if ((r = copy_file(agent_path, path, 0755, err)) < 0)
                return r;
        _cleanup_free_ char *applets = NULL;
        if ((r = busybox_applets(&applets, err)) < 0)
                return r;
        char *save = NULL;
        for (char *a = strtok_r(applets, "\n", &save); a; a = strtok_r(NULL, "\n", &save)) {
                if (!*a || strchr(a, '/') || !strcmp(a, "busybox"))
                        continue;
                snprintf(path, sizeof(path), "%s/bin/%s", dir, a);
                if (symlink("busybox", path) < 0 && errno != EEXIST)
                        return bench_error_errno(err, errno, "cannot create %s", path);
        }
        snprintf(path, sizeof(path), "%s/etc/passwd", dir);
        if ((r = write_text(path, "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n",
                            err)) < 0)
                return r;
        snprintf(path, sizeof(path), "%s/etc/group", dir);
        if ((r = write_text(path, "root:x:0:\nnogroup:x:65534:\n", err)) < 0)
                return r;
        return 0;
}

/* The integrity record of a layer's file: <layers>/<name>.<basename>.sum, outside the rootfs. */
static int file_paths(const char *dir, const char *file, char *path, char *sum, size_t len) {
        const char *base = strrchr(file, '/') ? strrchr(file, '/') + 1 : file;
        if ((size_t)snprintf(path, len, "%s/%s", dir, file) >= len ||
            (size_t)snprintf(sum, len, "%s.%s.sum", dir, base) >= len)
                return -ENAMETOOLONG;
        return 0;
}

/*
 * 0 if every checked file of the layer is as it was built, else why not in
 * *err. Size and identity (inode, ctime: any write changes it), the sha256
 * only when they changed: this is on the path of `bench container run`.
 */
static int check_files(const char *dir, const char *const *files, bench_error **err) {
        char path[4096], sum[4096];
        for (size_t i = 0; files && files[i]; i++) {
                if (file_paths(dir, files[i], path, sum, sizeof(path)) < 0)
                        return bench_error_set(err, ENAMETOOLONG, "%s: path too long", dir);
                int r = bench_cache_verify(path, sum, 0, err);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int record_files(const char *dir, const char *const *files, bench_error **err) {
        char path[4096], sum[4096];
        for (size_t i = 0; files && files[i]; i++) {
                if (file_paths(dir, files[i], path, sum, sizeof(path)) < 0)
                        return bench_error_set(err, ENAMETOOLONG, "%s: path too long", dir);
                int r = bench_cache_record(path, sum, err);
                if (r < 0)
                        return r;
        }
        return 0;
}

/*
 * dir/<name> built by fn into a temp dir and renamed into place, unless
 * present and its files (those named in checked, e.g. the agent) are as
 * they were built: a truncated agent would fail in every container.
 */
static int cached_layer(const char *name, int (*fn)(const char *dir, const void *arg, bench_error **err),
                        const void *arg, const char *const *checked, char **ret_dir, bench_error **err) {
        _cleanup_free_ char *cache = NULL, *dir = NULL, *tmp = NULL;
        int r = bench_cache_dir(&cache, err);
        if (r < 0)
                return r;
        if (asprintf(&dir, "%s/layers/%s", cache, name) < 0 ||
            asprintf(&tmp, "%s/layers/.tmp-XXXXXX", cache) < 0)
                return bench_error_set(err, ENOMEM, "out of memory");
        struct stat st;
        if (stat(dir, &st) == 0 && S_ISDIR(st.st_mode)) {
                _cleanup_error_ bench_error *verr = NULL;
                if (check_files(dir, checked, &verr) == 0) {
                        *ret_dir = steal_pointer(&dir);
                        return 0;
                }
                bench_cache_note("rebuilt the container layer %s: %s", dir,
                                 verr && verr->msg ? verr->msg : "a file failed its check");
                if ((r = bench_rm_rf(dir, err)) < 0)
                        return bench_error_prefix(err, "removing the damaged layer %s", dir);
        }
        _cleanup_free_ char *layers = NULL;
        if (asprintf(&layers, "%s/layers", cache) < 0)
                return bench_error_set(err, ENOMEM, "out of memory");
        if (mkdir(layers, 0755) < 0 && errno != EEXIST)
                return bench_error_errno(err, errno, "cannot create %s", layers);
        if (!mkdtemp(tmp))
                return bench_error_errno(err, errno, "cannot create a temp dir in %s", layers);
        chmod(tmp, 0755);
        r = fn(tmp, arg, err);
        if (r == 0 && rename(tmp, dir) < 0 && errno != ENOTEMPTY && errno != EEXIST)
                r = bench_error_errno(err, errno, "cannot rename %s to %s", tmp, dir);
        /* lost a race with another bench: theirs is as good as ours */
        bench_rm_rf(tmp, NULL);
        if (r == 0)
                r = record_files(dir, checked, err);
        if (r < 0)
                return bench_error_prefix(err, "building layer %s", name);
        *ret_dir = steal_pointer(&dir);
        return 0;
}

static int build_base_cb(const char *dir, const void *arg, bench_error **err) {
        return build_base(dir, arg, err);
}

int ctr_base_layer(const char *agent_path, char **ret_dir, bench_error **err) {
        struct stat a, b;
        if (stat(agent_path, &a) < 0)
                return bench_error_errno(err, errno, "cannot use the agent %s", agent_path);
        if (stat(BUSYBOX, &b) < 0)
                return bench_error_errno(err, errno,
                                         "%s is needed for the container base layer (apt-get install "
                                         "busybox-static)",
                                         BUSYBOX);
        /* keyed by identity and change time of what goes in: cheap, and a rebuild changes it */
        char name[160];
        snprintf(name, sizeof(name), "base-%s-%llx-%llx-%llx-%llx", BENCH_VERSION,
                 (unsigned long long)a.st_ino ^ ((unsigned long long)a.st_size << 20),
                 (unsigned long long)a.st_mtim.tv_sec * 1000000000ull + (unsigned long long)a.st_mtim.tv_nsec,
                 (unsigned long long)b.st_ino ^ ((unsigned long long)b.st_size << 20),
                 (unsigned long long)b.st_mtim.tv_sec * 1000000000ull +
                         (unsigned long long)b.st_mtim.tv_nsec);
        static const char *const checked[] = {"bench-agent", "bin/busybox", NULL};
        return cached_layer(name, build_base_cb, agent_path, checked, ret_dir, err);
}

static int build_filler_cb(const char *dir, const void *arg, bench_error **err) {
        char path[4096];
        snprintf(path, sizeof(path), "%s/.bench-layer-%u", dir, *(const unsigned *)arg);
        return write_text(path, "filler layer\n", err);
}

int ctr_filler_layer(unsigned index, char **ret_dir, bench_error **err) {
        char name[64];
        snprintf(name, sizeof(name), "filler-%u", index);
        return cached_layer(name, build_filler_cb, &index, NULL, ret_dir, err);
}
