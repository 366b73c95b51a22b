/* SPDX-License-Identifier: MIT */
/*
 * The guest's scratch disk for the I/O workloads. No stack and one layer: a
 * sparse raw file with an empty ext4. Otherwise the VM's analog of an
 * overlay stack, a qcow2 backing chain with one level per layer, plus a
 * fresh writable qcow2 on top per environment.
 *
 * Level k holds what layer k changed and nothing else, as an overlay's
 * layer does: bench keeps a raw ext4 work image, applies layer k to it with
 * debugfs (files written, whiteouts and opaque dirs turned into removals of
 * what the lower levels hold), compares it with its state before the layer
 * cluster by cluster, and writes the clusters that differ as a qcow2 image
 * backed by level k-1 (qcow2.c). Reading a bottom-layer file in the guest
 * therefore walks the whole chain, as a lookup walks an overlay's layers.
 * Every level also gets a marker file .bench-layer-k, which the guest counts
 * (scratch_layers) to show it sees the whole chain. Without a stack
 * (`layers: N`) the levels hold only their markers.
 *
 * No loop mounts and no root: mkfs.ext4, debugfs and qemu-img. Levels are
 * cached under <cache>/vm/chain-<stack id or "markers">-<disk_size>/ and
 * renamed in whole, so a crash leaves only whole levels (the next build
 * resumes after the last one) and its temp dir, which the next build
 * removes.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "../common/cache.h"
#include "../common/cleanup.h"
#include "../common/util.h"
#include "../runtimes/layers/layers.h"
#include "vm-internal.h"

#define OPAQUE_XATTR "trusted.overlay.opaque"

/*
 * argv[0] found in PATH; stdout to /dev/null, stderr to errfile (or
 * /dev/null); 0 or an error naming the tool.
 */
static int run_tool_err(char *const argv[], const char *errfile, bench_error **err) {
        pid_t pid = fork();
        if (pid < 0)
                return bench_error_errno(err, errno, "fork");
        if (pid == 0) {
                int devnull = open("/dev/null", O_RDWR);
                int efd = errfile ? open(errfile, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW, 0644) : devnull;
                dup2(devnull, 1);
                dup2(efd, 2);
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

static int run_tool(char *const argv[], bench_error **err) {
        return run_tool_err(argv, NULL, err);
}

/* An empty ext4 of `bytes` in a sparse file; inodes 0 = mkfs's default. */
static int mkfs_ext4(const char *path, uint64_t bytes, uint64_t inodes, bench_error **err) {
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
        if (fd < 0)
                return bench_error_errno(err, errno, "cannot create %s", path);
        int r = ftruncate(fd, (off_t)bytes) < 0 ? -errno : 0;
        close(fd);
        if (r < 0)
                return bench_error_errno(err, -r, "cannot size %s", path);
        char n[32];
        snprintf(n, sizeof(n), "%llu", (unsigned long long)inodes);
        char *argv[] = {"mkfs.ext4",
                        "-q",
                        "-F",
                        "-E",
                        "lazy_itable_init=1,nodiscard",
                        "-L",
                        "scratch",
                        inodes ? "-N" : (char *)path,
                        inodes ? n : NULL,
                        (char *)path,
                        NULL};
        return run_tool(argv, err);
}

/* ---- a layer as a debugfs script ---- */

/*
 * The script that applies one layer to the work image. The mirror is a
 * tree of empty files and dirs with the names the work image has, so that
 * whiteouts and opaque dirs know what to remove (debugfs has no rm -r) and
 * no command is emitted that could fail: any message debugfs prints is then
 * a real error.
 */
typedef struct gen {
        FILE *out;       /* NULL: only bring the mirror up to date */
        char cwd[4096];  /* debugfs's current dir */
        char rel[4096];  /* the entry at hand, "/a/b" */
        char host[4096]; /* the layer's copy of it */
        bench_error **err;
} gen;

static bool quotable(const char *s) {
        return !strpbrk(s, "\"\n");
}

static int gen_cd(gen *g, const char *dir) {
        if (!strcmp(g->cwd, dir))
                return 0;
        snprintf(g->cwd, sizeof(g->cwd), "%s", dir);
        fprintf(g->out, "cd \"%s\"\n", dir[0] ? dir : "/");
        return 0;
}

/*
 * rm or rmdir of g->rel, from its parent dir: debugfs resolves a path like
 * "/x" for rm against its current dir, not the root.
 */
static void gen_rm(gen *g, const char *cmd) {
        char parent[4096];
        snprintf(parent, sizeof(parent), "%s", g->rel);
        char *slash = strrchr(parent, '/');
        *slash = '\0';
        gen_cd(g, parent);
        fprintf(g->out, "%s \"%s\"\n", cmd, slash + 1);
}

/* Removes what the mirror has at name (g->rel) from the image and the mirror, dirs depth first. */
static int gen_remove(gen *g, int mdir, const char *name) {
        struct stat st;
        if (fstatat(mdir, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                return 0;
        if (S_ISDIR(st.st_mode)) {
                _cleanup_close_ int fd = openat(mdir, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                DIR *d = fd >= 0 ? fdopendir(dup(fd)) : NULL;
                if (!d)
                        return bench_error_errno(g->err, errno, "mirror of %s", g->rel);
                size_t len = strlen(g->rel);
                struct dirent *de;
                int r = 0;
                while (r == 0 && (de = readdir(d))) {
                        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
                                continue;
                        snprintf(g->rel + len, sizeof(g->rel) - len, "/%s", de->d_name);
                        r = gen_remove(g, fd, de->d_name);
                        g->rel[len] = '\0';
                }
                closedir(d);
                if (r < 0)
                        return r;
                if (g->out)
                        gen_rm(g, "rmdir");
                if (unlinkat(mdir, name, AT_REMOVEDIR) < 0)
                        return bench_error_errno(g->err, errno, "mirror of %s", g->rel);
                return 0;
        }
        if (g->out)
                gen_rm(g, "rm");
        if (unlinkat(mdir, name, 0) < 0)
                return bench_error_errno(g->err, errno, "mirror of %s", g->rel);
        return 0;
}

static void gen_owner(gen *g, const struct stat *st, bool dir) {
        if (!g->out)
                return;
        if (dir && (st->st_mode & 07777) != 0755)
                fprintf(g->out, "sif \"%s\" mode 0%o\n", g->rel, (unsigned)st->st_mode & 0177777);
        if (st->st_uid)
                fprintf(g->out, "sif \"%s\" uid %u\n", g->rel, (unsigned)st->st_uid);
        if (st->st_gid)
                fprintf(g->out, "sif \"%s\" gid %u\n", g->rel, (unsigned)st->st_gid);
}

/* Applies the layer dir src (g->rel, g->host) onto the mirror dir mdir. */
static int gen_dir(gen *g, int src, int mdir, unsigned depth) {
        if (depth > 256)
                return bench_error_set(g->err, ELOOP, "%s: too deep", g->host);
        DIR *d = fdopendir(dup(src));
        if (!d)
                return bench_error_errno(g->err, errno, "cannot read %s", g->host);
        size_t rlen = strlen(g->rel), hlen = strlen(g->host);
        char parent[4096];
        snprintf(parent, sizeof(parent), "%s", g->rel);
        struct dirent *de;
        int r = 0;
        while (r == 0 && (de = readdir(d))) {
                const char *name = de->d_name;
                if (!strcmp(name, ".") || !strcmp(name, ".."))
                        continue;
                snprintf(g->rel + rlen, sizeof(g->rel) - rlen, "/%s", name);
                snprintf(g->host + hlen, sizeof(g->host) - hlen, "/%s", name);
                struct stat st, mt;
                if (!quotable(g->rel) || !quotable(g->host))
                        r = bench_error_set(g->err, EINVAL, "%s: a name with a quote or a newline", g->host);
                else if (fstatat(src, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                        r = bench_error_errno(g->err, errno, "cannot stat %s", g->host);
                if (r < 0)
                        break;
                bool exists = fstatat(mdir, name, &mt, AT_SYMLINK_NOFOLLOW) == 0;
                if (S_ISDIR(st.st_mode)) {
                        _cleanup_close_ int sfd =
                                openat(src, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                        if (sfd < 0) {
                                r = bench_error_errno(g->err, errno, "cannot open %s", g->host);
                                break;
                        }
                        char v[2];
                        bool opaque = fgetxattr(sfd, OPAQUE_XATTR, v, sizeof(v)) == 1 && v[0] == 'y';
                        if (exists && (opaque || !S_ISDIR(mt.st_mode))) {
                                if ((r = gen_remove(g, mdir, name)) < 0)
                                        break;
                                exists = false;
                        }
                        if (!exists) {
                                if (g->out) {
                                        gen_cd(g, parent);
                                        fprintf(g->out, "mkdir \"%s\"\n", name);
                                }
                                if (mkdirat(mdir, name, 0755) < 0) {
                                        r = bench_error_errno(g->err, errno, "mirror of %s", g->rel);
                                        break;
                                }
                        }
                        gen_owner(g, &st, true);
                        _cleanup_close_ int mfd = openat(mdir, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                        if (mfd < 0) {
                                r = bench_error_errno(g->err, errno, "mirror of %s", g->rel);
                                break;
                        }
                        r = gen_dir(g, sfd, mfd, depth + 1);
                        continue;
                }
                if (exists && (r = gen_remove(g, mdir, name)) < 0)
                        break;
                bool whiteout = S_ISCHR(st.st_mode) && st.st_rdev == makedev(0, 0);
                if (whiteout || S_ISSOCK(st.st_mode))
                        continue;
                if (g->out) {
                        gen_cd(g, parent);
                        if (S_ISREG(st.st_mode)) {
                                /* a hard link within the layer becomes a copy */
                                fprintf(g->out, "write \"%s\" \"%s\"\n", g->host, name);
                        } else if (S_ISLNK(st.st_mode)) {
                                char target[4096];
                                ssize_t n = readlinkat(src, name, target, sizeof(target) - 1);
                                if (n < 0) {
                                        r = bench_error_errno(g->err, errno, "cannot read link %s", g->host);
                                        break;
                                }
                                target[n] = '\0';
                                if (!quotable(target)) {
                                        r = bench_error_set(g->err, EINVAL, "%s: a link target with a quote",
                                                            g->host);
                                        break;
                                }
                                fprintf(g->out, "symlink \"%s\" \"%s\"\n", name, target);
                        } else if (S_ISFIFO(st.st_mode)) {
                                fprintf(g->out, "mknod \"%s\" p\nsif \"%s\" mode 0%o\n", name, g->rel,
                                        (unsigned)st.st_mode & 0177777);
                        } else {
                                fprintf(g->out, "mknod \"%s\" %c %u %u\nsif \"%s\" mode 0%o\n", name,
                                        S_ISCHR(st.st_mode) ? 'c' : 'b', major(st.st_rdev), minor(st.st_rdev),
                                        g->rel, (unsigned)st.st_mode & 0177777);
                        }
                        gen_owner(g, &st, false);
                }
                int fd = openat(mdir, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
                if (fd < 0) {
                        r = bench_error_errno(g->err, errno, "mirror of %s", g->rel);
                        break;
                }
                close(fd);
        }
        closedir(d);
        g->rel[rlen] = '\0';
        g->host[hlen] = '\0';
        return r;
}

/* Layer dir `layer` onto the mirror (and as commands into out, if not NULL). */
static int gen_layer(FILE *out, const char *layer, int mirror, bench_error **err) {
        gen g = {.out = out, .err = err};
        snprintf(g.host, sizeof(g.host), "%s", layer);
        _cleanup_close_ int src = open(layer, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (src < 0)
                return bench_error_errno(err, errno, "cannot open layer %s", layer);
        return gen_dir(&g, src, mirror, 0);
}

/* ---- the chain ---- */

static uint64_t usage_bytes, usage_entries;
static int usage_cb(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
        usage_entries++;
        /*
         * what the file holds, not its length: debugfs writes holes as holes,
         * so an image's 1 TiB sparse file needs its data blocks, not a 1 TiB disk
         */
        if (S_ISREG(st->st_mode))
                usage_bytes += ((uint64_t)st->st_blocks * 512 + 4095) & ~4095ull;
        return 0;
}

/*
 * The disk for a stack: the suite's disk_size of free room on top of what
 * the stack holds, and inodes for all its entries.
 */
static int stack_disk(const lay_stack *st, uint64_t free_bytes, uint64_t *ret_bytes, uint64_t *ret_inodes,
                      bench_error **err) {
        usage_bytes = usage_entries = 0;
        for (size_t i = 0; i < st->n_layers; i++)
                if (nftw(st->layers[i], usage_cb, 32, FTW_PHYS) < 0)
                        return bench_error_errno(err, errno, "cannot walk layer %s", st->layers[i]);
        uint64_t need = usage_bytes + usage_bytes / 8 + usage_entries * 512 + (16ull << 20);
        *ret_bytes = (free_bytes + need + (1ull << 20) - 1) & ~((1ull << 20) - 1);
        uint64_t inodes = usage_entries + 8192;
        *ret_inodes = inodes > *ret_bytes / 16384 ? inodes : 0;
        return 0;
}

typedef struct chain_build {
        const lay_stack *stack; /* NULL: marker files only */
        unsigned levels;
        uint64_t bytes, inodes;
        char *dir;        /* the cache dir of this chain */
        char build[3072]; /* its temp dir (bounded: the paths made from it fit 4096) */
} chain_build;

static int debugfs_apply(const chain_build *c, const char *image, bench_error **err) {
        const char *build = c->build;
        char script[4096], errs[4096];
        snprintf(script, sizeof(script), "%s/script", build);
        snprintf(errs, sizeof(errs), "%s/debugfs.err", build);
        char *argv[] = {"debugfs", "-w", "-f", script, (char *)image, NULL};
        int r = run_tool_err(argv, errs, err);
        if (r < 0)
                return r;
        /* debugfs goes on past a failed command and exits 0: its stderr tells */
        _cleanup_free_ char *text = NULL;
        size_t n = 0;
        if (bench_read_file(errs, &text, &n, NULL) < 0)
                return 0;
        char *line = text;
        if (!strncmp(line, "debugfs ", 8)) /* the version banner */
                line = strchr(line, '\n') ? strchr(line, '\n') + 1 : line + strlen(line);
        if (*line) {
                char *nl = strchr(line, '\n');
                if (nl)
                        *nl = '\0';
                return bench_error_set(err, EIO, "debugfs: %s", line);
        }
        return 0;
}

static int level_path(const chain_build *c, unsigned k, char *buf, size_t len) {
        return snprintf(buf, len, "%s/level-%u.qcow2", c->dir, k) >= (int)len ? -ENAMETOOLONG : 0;
}

/* A level's integrity record: level-K.qcow2.sum beside it. */
static int record_level(const char *level, bench_error **err) {
        char sum[4096];
        if ((size_t)snprintf(sum, sizeof(sum), "%s.sum", level) >= sizeof(sum))
                return bench_error_set(err, ENAMETOOLONG, "cache path too long");
        return bench_cache_record(level, sum, err);
}

/*
 * A cached level is used only as it was built: a qcow2 header of the
 * chain's disk size, and the size and identity (inode, ctime) its record
 * holds; the sha256 only when the identity changed. A truncated level
 * would otherwise be attached and the guest's mount fail. Hashing every
 * level once per process would cost 1.5 s on a 500-level chain, the
 * stat-based check 13 ms.
 */
static int check_level(const char *level, uint64_t bytes, bench_error **err) {
        char sum[4096];
        uint64_t size = 0;
        int r = vm_qcow2_size(level, &size, err);
        if (r < 0)
                return r;
        if (size != bytes)
                return bench_error_set(err, EBADMSG,
                                       "%s: virtual size %llu in its header, the chain's is %llu", level,
                                       (unsigned long long)size, (unsigned long long)bytes);
        if ((size_t)snprintf(sum, sizeof(sum), "%s.sum", level) >= sizeof(sum))
                return bench_error_set(err, ENAMETOOLONG, "cache path too long");
        return bench_cache_verify(level, sum, 0, err);
}

/* Levels j+1..n on the work images (at level j) and the mirror (layers 1..j applied). */
static int chain_levels(chain_build *c, unsigned j, const char *work, int prev_fd, int mirror,
                        bench_error **err) {
        char marker[4096], script[4096];
        snprintf(marker, sizeof(marker), "%s/marker", c->build);
        snprintf(script, sizeof(script), "%s/script", c->build);
        int r = bench_write_file_atomic(marker, "filler layer\n", 13, err);
        if (r < 0)
                return r;
        for (unsigned k = j + 1; k <= c->levels; k++) {
                _cleanup_fclose_ FILE *out = fdopen(
                        open(script, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644), "w");
                if (!out)
                        return bench_error_errno(err, errno, "cannot write %s", script);
                fprintf(out, "cd \"/\"\nwrite \"%s\" \".bench-layer-%u\"\n", marker, k);
                if (c->stack && (r = gen_layer(out, c->stack->layers[k - 1], mirror, err)) < 0)
                        return bench_error_prefix(err, "layer %u", k);
                if (fclose(steal_pointer(&out)) != 0)
                        return bench_error_errno(err, errno, "cannot write %s", script);
                if ((r = debugfs_apply(c, work, err)) < 0)
                        return bench_error_prefix(err, "layer %u", k);
                _cleanup_close_ int wfd = open(work, O_RDONLY | O_CLOEXEC);
                if (wfd < 0)
                        return bench_error_errno(err, errno, "cannot open %s", work);
                _cleanup_free_ uint64_t *clusters = NULL;
                size_t n = 0;
                if ((r = vm_diff_clusters(wfd, prev_fd, c->bytes, &clusters, &n, err)) < 0)
                        return r;
                char level[4096], below[4096], tmp[4096];
                if (level_path(c, k, level, sizeof(level)) < 0 ||
                    level_path(c, k - 1, below, sizeof(below)) < 0)
                        return bench_error_set(err, ENAMETOOLONG, "cache path too long");
                snprintf(tmp, sizeof(tmp), "%s/level.qcow2", c->build);
                if ((r = vm_qcow2_write(tmp, c->bytes, k > 1 ? below : NULL, wfd, clusters, n, err)) < 0)
                        return r;
                if (rename(tmp, level) < 0)
                        return bench_error_errno(err, errno, "cannot rename %s to %s", tmp, level);
                if ((r = record_level(level, err)) < 0) {
                        unlink(level);
                        return r;
                }
        }
        return 0;
}

static int chain_resume(chain_build *c, unsigned j, bench_error **err) {
        char work[4096], prev[4096], mirror[4096], top[4096];
        snprintf(work, sizeof(work), "%s/work.raw", c->build);
        snprintf(prev, sizeof(prev), "%s/prev.raw", c->build);
        snprintf(mirror, sizeof(mirror), "%s/mirror", c->build);
        int r;
        if (j == 0) {
                if ((r = mkfs_ext4(work, c->bytes, c->inodes, err)) < 0)
                        return r;
                _cleanup_close_ int fd =
                        open(prev, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
                if (fd < 0 || ftruncate(fd, (off_t)c->bytes) < 0)
                        return bench_error_errno(err, errno, "cannot create %s", prev);
        } else {
                /* the chain's content so far, twice: one to change, one to compare with */
                level_path(c, j, top, sizeof(top));
                char *conv1[] = {"qemu-img", "convert", "-q", "-O", "raw", top, work, NULL};
                char *conv2[] = {"qemu-img", "convert", "-q", "-O", "raw", top, prev, NULL};
                if ((r = run_tool(conv1, err)) < 0 || (r = run_tool(conv2, err)) < 0)
                        return r;
        }
        if (mkdir(mirror, 0755) < 0)
                return bench_error_errno(err, errno, "cannot create %s", mirror);
        _cleanup_close_ int mfd = open(mirror, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (mfd < 0)
                return bench_error_errno(err, errno, "cannot open %s", mirror);
        for (unsigned k = 1; c->stack && k <= j; k++)
                if ((r = gen_layer(NULL, c->stack->layers[k - 1], mfd, err)) < 0)
                        return r;
        _cleanup_close_ int pfd = open(prev, O_RDWR | O_CLOEXEC);
        if (pfd < 0)
                return bench_error_errno(err, errno, "cannot open %s", prev);
        return chain_levels(c, j, work, pfd, mfd, err);
}

int vm_chain(const lay_stack *stack, unsigned levels, uint64_t free_bytes, char **ret_top,
             uint64_t *ret_bytes, bench_error **err) {
        chain_build c = {
                .stack = stack, .levels = stack ? (unsigned)stack->n_layers : levels, .bytes = free_bytes};
        int r;
        _cleanup_free_ char *cache = NULL;
        if ((r = bench_cache_dir(&cache, err)) < 0)
                return r;
        if (asprintf(&c.dir, "%s/vm/chain-%s-%llu", cache, stack ? stack->id : "markers",
                     (unsigned long long)free_bytes) < 0)
                return bench_error_set(err, ENOMEM, "out of memory");
        _cleanup_free_ __attribute__((unused)) char *dir = c.dir; /* frees c.dir */
        if ((r = bench_mkdir_p(c.dir, 0755, err)) < 0)
                return r;
        char level[4096];
        unsigned j = 0;
        while (j < c.levels && level_path(&c, j + 1, level, sizeof(level)) == 0 && access(level, R_OK) == 0)
                j++;
        /* the disk's size: the levels built say it; only a new chain walks the stack for it */
        if (j > 0) {
                level_path(&c, 1, level, sizeof(level));
                _cleanup_error_ bench_error *verr = NULL;
                uint64_t bytes = 0;
                vm_qcow2_size(level, &bytes, NULL);
                /* the first bad level and every level above it (backed by it) are rebuilt */
                unsigned good = 0;
                while (good < j && level_path(&c, good + 1, level, sizeof(level)) == 0 &&
                       check_level(level, bytes, &verr) == 0)
                        good++;
                if (good < j) {
                        bench_cache_note("rebuilt levels %u..%u of the qcow2 chain %s: %s", good + 1,
                                         c.levels, c.dir,
                                         verr && verr->msg ? verr->msg : "a level failed its check");
                        for (unsigned k = good + 1; k <= j; k++) {
                                char sum[4096 + 8];
                                level_path(&c, k, level, sizeof(level));
                                snprintf(sum, sizeof(sum), "%s.sum", level);
                                unlink(level);
                                unlink(sum);
                        }
                        j = good;
                }
        }
        if (j > 0) {
                level_path(&c, 1, level, sizeof(level));
                if ((r = vm_qcow2_size(level, &c.bytes, err)) < 0)
                        return r;
        } else if (stack && (r = stack_disk(stack, free_bytes, &c.bytes, &c.inodes, err)) < 0)
                return r;
        if (j < c.levels) {
                bench_reap_stale_dirs(c.dir); /* the temp dirs of builders that died */
                if (strlen(c.dir) > 3000)
                        return bench_error_set(err, ENAMETOOLONG, "%s: path too long", c.dir);
                snprintf(c.build, sizeof(c.build), "%s/bench-%d.XXXXXX", c.dir, (int)getpid());
                if (!mkdtemp(c.build))
                        return bench_error_errno(err, errno, "cannot create a temp dir in %s", c.dir);
                r = chain_resume(&c, j, err);
                bench_rm_rf(c.build, NULL);
                if (r < 0)
                        return bench_error_prefix(err, "building the %u-level qcow2 chain in %s", c.levels,
                                                  c.dir);
        }
        level_path(&c, c.levels, level, sizeof(level));
        if (!(*ret_top = strdup(level)))
                return bench_error_set(err, ENOMEM, "out of memory");
        *ret_bytes = c.bytes;
        return 0;
}

int vm_scratch_disk(const char *dir, uint64_t bytes, unsigned layers, const lay_stack *stack, char **ret_path,
                    const char **ret_format, unsigned *ret_levels, bench_error **err) {
        _cleanup_free_ char *path = NULL;
        int r;
        if (layers <= 1 && !stack) {
                if (asprintf(&path, "%s/scratch.img", dir) < 0)
                        return bench_error_set(err, ENOMEM, "out of memory");
                if ((r = mkfs_ext4(path, bytes, 0, err)) < 0)
                        return r;
                *ret_format = "raw";
                *ret_levels = 0;
        } else {
                _cleanup_free_ char *top = NULL;
                uint64_t size;
                if ((r = vm_chain(stack, layers, bytes, &top, &size, err)) < 0)
                        return r;
                if (asprintf(&path, "%s/scratch.qcow2", dir) < 0)
                        return bench_error_set(err, ENOMEM, "out of memory");
                /* the writable top: an empty overlay, the guest's "upper layer" */
                if ((r = vm_qcow2_write(path, size, top, -1, NULL, 0, err)) < 0)
                        return r;
                *ret_format = "qcow2";
                *ret_levels = stack ? (unsigned)stack->n_layers : layers;
        }
        *ret_path = steal_pointer(&path);
        return 0;
}
