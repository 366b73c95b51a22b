/* SPDX-License-Identifier: MIT */
/*
 * The guest's scratch disk for the I/O workloads. One layer: a sparse raw
 * file with an empty ext4. N layers: the VM's analog of an overlay stack, a
 * qcow2 backing chain of N images — level k is an ext4 holding the files of
 * layers 1..k (each layer adds its marker file, like the container's filler
 * layers), converted to qcow2 against level k-1 so that it stores only what
 * differs — plus a fresh writable qcow2 on top per environment. Built with
 * mkfs.ext4 -d and qemu-img: no loop mounts, no root needed; the levels
 * are cached.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../common/cleanup.h"
#include "../common/util.h"
#include "../runtimes/container/container-internal.h"
#include "vm-internal.h"

/* argv[0] found in PATH; stdout/stderr to /dev/null; 0 or an error naming the tool. */
static int run_tool(char *const argv[], bench_error **err) {
        pid_t pid = fork();
        if (pid < 0)
                return bench_error_errno(err, errno, "fork");
        if (pid == 0) {
                int devnull = open("/dev/null", O_RDWR);
                dup2(devnull, 1);
                dup2(devnull, 2);
                execvp(argv[0], argv);
                _exit(127);
        }
        int status;
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
                ;
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
                return bench_error_set(
                        err, EIO, "%s %s failed (exit %d%s)", argv[0], argv[1],
                        WIFEXITED(status) ? WEXITSTATUS(status) : -1,
                        WIFEXITED(status) && WEXITSTATUS(status) == 127
                                ? "; not installed? scripts/setup installs e2fsprogs, qemu-utils"
                                : "");
        return 0;
}

static int mkfs_ext4(const char *path, uint64_t bytes, const char *tree, bench_error **err) {
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd < 0)
                return bench_error_errno(err, errno, "cannot create %s", path);
        int r = ftruncate(fd, (off_t)bytes) < 0 ? -errno : 0;
        close(fd);
        if (r < 0)
                return bench_error_errno(err, -r, "cannot size %s", path);
        char *argv[] = {"mkfs.ext4",
                        "-q",
                        "-F",
                        "-E",
                        "lazy_itable_init=1,nodiscard",
                        "-L",
                        "scratch",
                        tree ? "-d" : NULL,
                        (char *)tree,
                        (char *)path,
                        NULL};
        if (!tree) {
                argv[7] = (char *)path;
                argv[8] = NULL;
        }
        return run_tool(argv, err);
}

static int write_marker(const char *tree, unsigned i, bench_error **err) {
        char path[4096];
        snprintf(path, sizeof(path), "%s/.bench-layer-%u", tree, i);
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd < 0 || write(fd, "filler layer\n", 13) != 13) {
                int e = errno;
                if (fd >= 0)
                        close(fd);
                return bench_error_errno(err, e, "cannot write %s", path);
        }
        close(fd);
        return 0;
}

/* <cache>/vm/chain-<size>/level-<k>.qcow2 for k = 1..n, built once. */
static int chain(uint64_t bytes, unsigned n, char **ret_top, bench_error **err) {
        _cleanup_free_ char *cache = NULL, *dir = NULL, *tree = NULL;
        int r = ctr_cache_dir(&cache, err);
        if (r < 0)
                return r;
        if (asprintf(&dir, "%s/vm/chain-%llu", cache, (unsigned long long)bytes) < 0)
                return bench_error_set(err, ENOMEM, "out of memory");
        char sub[4096];
        snprintf(sub, sizeof(sub), "%s/vm", cache);
        mkdir(sub, 0755);
        if (mkdir(dir, 0755) < 0 && errno != EEXIST)
                return bench_error_errno(err, errno, "cannot create %s", dir);
        char prev[4096] = "";
        for (unsigned k = 1; k <= n; k++) {
                char level[4096];
                snprintf(level, sizeof(level), "%s/level-%u.qcow2", dir, k);
                if (access(level, R_OK) == 0) {
                        snprintf(prev, sizeof(prev), "%s", level);
                        continue;
                }
                /* levels are built in order; a crash mid-way leaves only whole levels (renamed in) */
                if (!tree) {
                        if (asprintf(&tree, "%s/.tree-XXXXXX", dir) < 0 || !mkdtemp(tree))
                                return bench_error_errno(err, errno, "cannot create a temp dir in %s", dir);
                        for (unsigned i = 1; i < k; i++)
                                if ((r = write_marker(tree, i, err)) < 0)
                                        goto out;
                }
                if ((r = write_marker(tree, k, err)) < 0)
                        goto out;
                char raw[4096], tmp[4096];
                snprintf(raw, sizeof(raw), "%s/.level-%u.raw", dir, k);
                snprintf(tmp, sizeof(tmp), "%s/.level-%u.qcow2", dir, k);
                if ((r = mkfs_ext4(raw, bytes, tree, err)) < 0)
                        goto out;
                char *conv[] = {"qemu-img", "convert", "-q", "-O", "qcow2", raw, tmp, NULL};
                char *conv_b[] = {"qemu-img", "convert", "-q",    "-O", "qcow2", "-B",
                                  prev,       "-F",      "qcow2", raw,  tmp,     NULL};
                r = run_tool(prev[0] ? conv_b : conv, err);
                unlink(raw);
                if (r < 0 || (r = rename(tmp, level) < 0 ? -errno : 0) < 0) {
                        unlink(tmp);
                        if (r != -EIO)
                                bench_error_errno(err, -r, "cannot rename %s", tmp);
                        goto out;
                }
                snprintf(prev, sizeof(prev), "%s", level);
        }
        if (!(*ret_top = strdup(prev)))
                r = bench_error_set(err, ENOMEM, "out of memory");
out:
        if (tree)
                bench_rm_rf(tree, NULL);
        return r;
}

int vm_scratch_disk(const char *dir, uint64_t bytes, unsigned layers, char **ret_path,
                    const char **ret_format, bench_error **err) {
        _cleanup_free_ char *path = NULL;
        int r;
        if (layers <= 1) {
                if (asprintf(&path, "%s/scratch.img", dir) < 0)
                        return bench_error_set(err, ENOMEM, "out of memory");
                if ((r = mkfs_ext4(path, bytes, NULL, err)) < 0)
                        return r;
                *ret_format = "raw";
        } else {
                _cleanup_free_ char *top = NULL;
                if ((r = chain(bytes, layers, &top, err)) < 0)
                        return bench_error_prefix(err, "building a %u-level qcow2 chain", layers);
                if (asprintf(&path, "%s/scratch.qcow2", dir) < 0)
                        return bench_error_set(err, ENOMEM, "out of memory");
                char *create[] = {"qemu-img", "create", "-q",    "-f", "qcow2", "-b",
                                  top,        "-F",     "qcow2", path, NULL};
                if ((r = run_tool(create, err)) < 0)
                        return r;
                *ret_format = "qcow2";
        }
        *ret_path = steal_pointer(&path);
        return 0;
}
