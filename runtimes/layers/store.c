/* SPDX-License-Identifier: MIT */
/*
 * The layer store: <cache>/store/<id>/{l/<n>, meta.json, flat*}. Every stack
 * and every flat tree is built in a temp dir and renamed into place, so a
 * reader never sees half of one, and a failed or killed build leaves
 * nothing that a later lookup could take for a stack.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

#include "../../common/cleanup.h"
#include "../../common/json.h"
#include "../../common/util.h"
#include "../../common/cache.h"
#include "layers-internal.h"

uint64_t lay_fnv1a(uint64_t h, const void *data, size_t len) {
        const unsigned char *p = data;
        for (size_t i = 0; i < len; i++) {
                h ^= p[i];
                h *= 0x100000001b3ull;
        }
        return h;
}

void lay_format_id(uint64_t h, char out[17]) {
        snprintf(out, 17, "%016llx", (unsigned long long)h);
}

static bool is_id_prefix(const char *s) {
        size_t n = strlen(s);
        if (n == 0 || n > 16)
                return false;
        for (size_t i = 0; i < n; i++)
                if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
                        return false;
        return true;
}

/*
 * The store holds what images carry, set-id binaries and device nodes
 * included: 0700, so no host user reaches anything below it (containers
 * see it through their own mounts, nodev and no_new_privs).
 */
int lay_store_dir(char **ret, bench_error **err) {
        _cleanup_free_ char *cache = NULL, *store = NULL;
        int r = bench_cache_dir(&cache, err);
        if (r < 0)
                return r;
        if (asprintf(&store, "%s/store", cache) < 0)
                return bench_error_set(err, ENOMEM, "out of memory");
        if (mkdir(store, 0700) < 0 && errno != EEXIST)
                return bench_error_errno(err, errno, "cannot create the layer store %s", store);
        _cleanup_close_ int fd = open(store, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        struct stat st;
        if (fd < 0 || fstat(fd, &st) < 0)
                return bench_error_errno(err, errno, "cannot open the layer store %s (a symlink is refused)",
                                         store);
        if (st.st_uid != geteuid())
                return bench_error_set(
                        err, EPERM,
                        "the layer store %s belongs to uid %u, not to uid %u: remove it or set "
                        "BENCH_CACHE_DIR to a dir of your own",
                        store, (unsigned)st.st_uid, (unsigned)geteuid());
        /* stores made before this rule were 0755 */
        if ((st.st_mode & 07777) != 0700 && fchmod(fd, 0700) < 0)
                return bench_error_errno(err, errno, "cannot make the layer store %s private (chmod 700)",
                                         store);
        *ret = steal_pointer(&store);
        return 0;
}

/* 1/50 of the filesystem, at least 16M and at most 1G, stays free */
static uint64_t space_reserve(const struct statvfs *v) {
        uint64_t total = (uint64_t)v->f_blocks * v->f_frsize, r = total / 50;
        return r < (16ull << 20) ? 16ull << 20 : r > (1ull << 30) ? 1ull << 30 : r;
}

static int space_refresh(lay_space *s, bench_error **err) {
        struct statvfs v;
        if (statvfs(s->dir, &v) < 0)
                return bench_error_errno(err, errno, "cannot tell the free space of %s", s->dir);
        s->reserve = space_reserve(&v);
        s->avail = (uint64_t)v.f_bavail * v.f_frsize;
        s->room = s->avail > s->reserve ? s->avail - s->reserve : 0;
        s->next_check = s->used + (64ull << 20);
        return 0;
}

int lay_space_init(lay_space *s, const char *dir, bench_error **err) {
        *s = (lay_space){.dir = dir};
        return space_refresh(s, err);
}

/* "2.0 GiB": for people, where bench_format_size is exact */
static const char *human_size(uint64_t b, char buf[32]) {
        static const char *const unit[] = {"bytes", "KiB", "MiB", "GiB", "TiB", "PiB"};
        double v = (double)b;
        size_t i = 0;
        while (v >= 1024 && i + 1 < ELEMENTSOF(unit)) {
                v /= 1024;
                i++;
        }
        snprintf(buf, 32, i ? "%.1f %s" : "%.0f %s", v, unit[i]);
        return buf;
}

int lay_space_take(lay_space *s, uint64_t bytes, const char *what, bench_error **err) {
        int r;
        /* others write there too: look again now and then, and before refusing */
        if ((s->used + bytes >= s->next_check || bytes > s->room) && (r = space_refresh(s, err)) < 0)
                return r;
        if (bytes > s->room) {
                char need[32], avail[32], res[32], done[32];
                return bench_error_set(err, ENOSPC,
                                       "%s needs %s, but %s has %s free and %s of it stays in reserve (%s "
                                       "written so far, now removed): refused; free some space or set "
                                       "BENCH_CACHE_DIR to a larger filesystem",
                                       what, human_size(bytes, need), s->dir, human_size(s->avail, avail),
                                       human_size(s->reserve, res), human_size(s->used, done));
        }
        s->room -= bytes;
        s->used += bytes;
        return 0;
}

int lay_remove_at(int dirfd, const char *name) {
        if (unlinkat(dirfd, name, 0) == 0 || errno == ENOENT)
                return 0;
        if (errno != EISDIR)
                return -errno;
        return bench_rm_rf_at(dirfd, name, NULL);
}

/*
 * Leftovers of builds whose builder died (its flock went with it): stacks
 * (.tmp-*) and removals (.rm-*) in the store, flat trees (.flat-*) in a
 * stack's dir.
 */
static void reap_dead_builds(const char *store) {
        _cleanup_close_ int sfd = open(store, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (sfd < 0)
                return;
        DIR *d = fdopendir(dup(sfd));
        if (!d)
                return;
        struct dirent *de;
        time_t now = time(NULL);
        while ((de = readdir(d))) {
                if (strncmp(de->d_name, ".tmp-", 5) != 0 && strncmp(de->d_name, ".rm-", 4) != 0 &&
                    strncmp(de->d_name, ".flat-", 6) != 0)
                        continue;
                _cleanup_close_ int fd =
                        openat(sfd, de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                struct stat st;
                /* young ones may be between mkdtemp and flock */
                if (fd < 0 || fstat(fd, &st) < 0 || now - st.st_ctime < 10)
                        continue;
                if (flock(fd, LOCK_EX | LOCK_NB) < 0)
                        continue;
                lay_remove_at(sfd, de->d_name);
        }
        closedir(d);
}

int lay_build_begin(lay_build *b, bench_error **err) {
        *b = (lay_build){.lock_fd = -1};
        int r = lay_store_dir(&b->store, err);
        if (r < 0)
                return r;
        reap_dead_builds(b->store);
        if (asprintf(&b->tmp, "%s/.tmp-XXXXXX", b->store) < 0) {
                b->tmp = NULL;
                lay_build_abort(b);
                return bench_error_set(err, ENOMEM, "out of memory");
        }
        if (!mkdtemp(b->tmp)) {
                r = bench_error_errno(err, errno, "cannot create a temp dir in %s", b->store);
                free(b->tmp);
                b->tmp = NULL;
                lay_build_abort(b);
                return r;
        }
        b->lock_fd = open(b->tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (b->lock_fd < 0 || flock(b->lock_fd, LOCK_EX) < 0 || fchmod(b->lock_fd, 0755) < 0) {
                r = bench_error_errno(err, errno, "cannot lock %s", b->tmp);
                lay_build_abort(b);
                return r;
        }
        return 0;
}

void lay_build_abort(lay_build *b) {
        if (b->tmp)
                bench_rm_rf(b->tmp, NULL);
        free(b->tmp);
        free(b->store);
        if (b->lock_fd >= 0)
                close(b->lock_fd);
        *b = (lay_build){.lock_fd = -1};
}

int lay_build_commit(lay_build *b, const char *id, cJSON *meta, lay_stack *ret, bench_error **err) {
        int r;
        _cleanup_free_ char *final = NULL, *meta_path = NULL, *text = NULL;
        cJSON_DeleteItemFromObject(meta, "id");
        if (!cJSON_AddStringToObject(meta, "id", id) || !(text = cJSON_Print(meta)) ||
            asprintf(&final, "%s/%s", b->store, id) < 0 || asprintf(&meta_path, "%s/meta.json", b->tmp) < 0) {
                lay_build_abort(b);
                return bench_error_set(err, ENOMEM, "out of memory");
        }
        if ((r = bench_write_file_atomic(meta_path, text, strlen(text), err)) < 0) {
                lay_build_abort(b);
                return r;
        }
        if (rename(b->tmp, final) < 0) {
                /* another bench built the same stack meanwhile: take theirs */
                if (errno != EEXIST && errno != ENOTEMPTY) {
                        r = bench_error_errno(err, errno, "cannot rename %s to %s", b->tmp, final);
                        lay_build_abort(b);
                        return r;
                }
        } else {
                free(b->tmp);
                b->tmp = NULL;
        }
        _cleanup_free_ char *store = strdup(b->store);
        lay_build_abort(b);
        if (!store)
                return bench_error_set(err, ENOMEM, "out of memory");
        return lay_stack_load(store, id, ret, err);
}

void lay_stack_clear(lay_stack *s) {
        if (!s)
                return;
        free(s->id);
        free(s->dir);
        for (size_t i = 0; i < s->n_layers; i++)
                free(s->layers[i]);
        free(s->layers);
        /* an empty stack must not load cJSON (bench container run without --stack) */
        if (s->meta)
                cJSON_Delete(s->meta);
        *s = (lay_stack){0};
}

bool lay_stack_synthesized(const lay_stack *s) {
        const cJSON *src = s->meta ? cJSON_GetObjectItemCaseSensitive(s->meta, "source") : NULL;
        return cJSON_IsString(src) && !strcmp(src->valuestring, "synth");
}

int lay_stack_load(const char *store, const char *id, lay_stack *ret, bench_error **err) {
        lay_stack s = {0};
        _cleanup_free_ char *meta_path = NULL, *text = NULL;
        int r;
        if (!(s.id = strdup(id)) || asprintf(&s.dir, "%s/%s", store, id) < 0) {
                s.dir = NULL;
                lay_stack_clear(&s);
                return bench_error_set(err, ENOMEM, "out of memory");
        }
        struct stat st;
        if (stat(s.dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
                lay_stack_clear(&s);
                return -ENOENT;
        }
        if (asprintf(&meta_path, "%s/meta.json", s.dir) < 0) {
                lay_stack_clear(&s);
                return bench_error_set(err, ENOMEM, "out of memory");
        }
        if ((r = bench_read_file(meta_path, &text, NULL, err)) < 0) {
                lay_stack_clear(&s);
                return r;
        }
        s.meta = cJSON_Parse(text);
        const cJSON *n = cJSON_GetObjectItemCaseSensitive(s.meta, "layers");
        if (!cJSON_IsNumber(n) || n->valuedouble < 1 || n->valuedouble > LAY_MAX_LAYERS) {
                lay_stack_clear(&s);
                return bench_error_set(err, EINVAL,
                                       "%s: no valid \"layers\" count (remove the stack: bench "
                                       "layers rm %s)",
                                       meta_path, id);
        }
        s.n_layers = (size_t)n->valuedouble;
        s.layers = calloc(s.n_layers, sizeof(*s.layers));
        if (!s.layers) {
                s.n_layers = 0;
                lay_stack_clear(&s);
                return bench_error_set(err, ENOMEM, "out of memory");
        }
        for (size_t i = 0; i < s.n_layers; i++)
                if (asprintf(&s.layers[i], "%s/l/%zu", s.dir, i + 1) < 0) {
                        s.layers[i] = NULL;
                        lay_stack_clear(&s);
                        return bench_error_set(err, ENOMEM, "out of memory");
                }
        if (stat(s.layers[s.n_layers - 1], &st) < 0 || !S_ISDIR(st.st_mode)) {
                r = bench_error_errno(err, errno ? errno : ENOTDIR, "stack %s is incomplete: %s", id,
                                      s.layers[s.n_layers - 1]);
                lay_stack_clear(&s);
                return r;
        }
        *ret = s;
        return 0;
}

/* The one full id that id_or_prefix names. */
static int resolve_id(const char *store, const char *id_or_prefix, char ret[17], bench_error **err) {
        if (!is_id_prefix(id_or_prefix))
                return bench_error_set(err, EINVAL,
                                       "`%s` is not a stack id (up to 16 hex digits, see bench layers list)",
                                       id_or_prefix);
        DIR *d = opendir(store);
        if (!d)
                return bench_error_errno(err, errno, "cannot read the layer store %s", store);
        size_t n = strlen(id_or_prefix), found = 0;
        struct dirent *de;
        while ((de = readdir(d))) {
                if (strlen(de->d_name) != 16 || !is_id_prefix(de->d_name) ||
                    strncmp(de->d_name, id_or_prefix, n) != 0)
                        continue;
                if (found++ == 0)
                        memcpy(ret, de->d_name, 17);
        }
        closedir(d);
        if (found == 0)
                return bench_error_set(err, ENOENT, "no stack `%s` in %s (see bench layers list)",
                                       id_or_prefix, store);
        if (found > 1)
                return bench_error_set(err, EINVAL, "`%s` names %zu stacks: give more digits of the id",
                                       id_or_prefix, found);
        return 0;
}

int lay_open(const char *id, lay_stack *ret, bench_error **err) {
        _cleanup_free_ char *store = NULL;
        char full[17];
        int r = lay_store_dir(&store, err);
        if (r < 0)
                return r;
        if ((r = resolve_id(store, id, full, err)) < 0)
                return r;
        r = lay_stack_load(store, full, ret, err);
        if (r == -ENOENT)
                return bench_error_set(err, ENOENT, "no stack `%s` in %s", id, store);
        return r;
}

int lay_remove(const char *id, bench_error **err) {
        _cleanup_free_ char *store = NULL, *dir = NULL, *gone = NULL;
        char full[17];
        int r = lay_store_dir(&store, err);
        if (r < 0)
                return r;
        if ((r = resolve_id(store, id, full, err)) < 0)
                return r;
        if (asprintf(&dir, "%s/%s", store, full) < 0 ||
            asprintf(&gone, "%s/.rm-%s-%d", store, full, getpid()) < 0)
                return bench_error_set(err, ENOMEM, "out of memory");
        /* out of sight first, so no one opens a half-removed stack */
        if (rename(dir, gone) < 0)
                return bench_error_errno(err, errno, "cannot remove %s", dir);
        return bench_rm_rf(gone, err);
}

static int cmp_str(const void *a, const void *b) {
        return strcmp(*(char *const *)a, *(char *const *)b);
}

int lay_list(cJSON **ret, bench_error **err) {
        _cleanup_free_ char *store = NULL;
        int r = lay_store_dir(&store, err);
        if (r < 0)
                return r;
        DIR *d = opendir(store);
        if (!d)
                return bench_error_errno(err, errno, "cannot read the layer store %s", store);
        char **ids = NULL;
        size_t n = 0;
        struct dirent *de;
        while ((de = readdir(d))) {
                if (strlen(de->d_name) != 16 || !is_id_prefix(de->d_name))
                        continue;
                char **nids = realloc(ids, (n + 1) * sizeof(*ids));
                if (!nids || !(nids[n] = strdup(de->d_name))) {
                        ids = nids ? nids : ids;
                        r = -ENOMEM;
                        break;
                }
                ids = nids;
                n++;
        }
        closedir(d);
        if (n > 1)
                qsort(ids, n, sizeof(*ids), cmp_str);
        _cleanup_json_ cJSON *root = cJSON_CreateObject();
        cJSON *arr = root ? cJSON_AddArrayToObject(root, "stacks") : NULL;
        for (size_t i = 0; i < n && r == 0; i++) {
                lay_stack s = {0};
                if (lay_stack_load(store, ids[i], &s, NULL) < 0)
                        continue; /* removed meanwhile, or broken: rm still works on it */
                cJSON *o = cJSON_CreateObject();
                const cJSON *src = cJSON_GetObjectItemCaseSensitive(s.meta, "source");
                const cJSON *bytes = cJSON_GetObjectItemCaseSensitive(s.meta, "bytes");
                if (!o || !cJSON_AddStringToObject(o, "id", s.id) ||
                    !cJSON_AddNumberToObject(o, "layers", (double)s.n_layers) ||
                    !cJSON_AddStringToObject(o, "source", cJSON_IsString(src) ? src->valuestring : "?") ||
                    !cJSON_AddNumberToObject(o, "bytes", cJSON_IsNumber(bytes) ? bytes->valuedouble : 0) ||
                    !cJSON_AddItemToArray(arr, o)) {
                        cJSON_Delete(o);
                        r = -ENOMEM;
                }
                lay_stack_clear(&s);
        }
        for (size_t i = 0; i < n; i++)
                free(ids[i]);
        free(ids);
        if (r < 0 || !arr)
                return bench_error_set(err, ENOMEM, "out of memory");
        *ret = steal_pointer(&root);
        return 0;
}

/* flatten */

/* Copies the data of in to out, holes kept as holes (SEEK_DATA/SEEK_HOLE). */
static int copy_data(int in, int out, off_t size) {
        char buf[1 << 16];
        for (off_t pos = 0; pos < size;) {
                off_t data = lseek(in, pos, SEEK_DATA);
                if (data < 0 && errno == ENXIO)
                        break; /* a hole up to the end */
                if (data < 0)
                        data = pos; /* no SEEK_DATA here: all of it is data */
                off_t hole = lseek(in, data, SEEK_HOLE);
                /* a hole must come after the data, or the loop would not advance */
                if (hole <= data || hole > size)
                        hole = size;
                for (off_t off = data; off < hole;) {
                        loff_t a = off, b = off;
                        ssize_t n = copy_file_range(in, &a, out, &b, (size_t)(hole - off), 0);
                        if (n < 0 && errno == EINTR)
                                continue;
                        if (n < 0 && errno != EXDEV && errno != EINVAL && errno != EOPNOTSUPP &&
                            errno != ENOSYS)
                                return -errno;
                        if (n <= 0) {
                                /* no copy_file_range here (or the file shrank): plain reads */
                                ssize_t m = bench_pread_all(in, buf,
                                                            (size_t)(hole - off) < sizeof(buf)
                                                                    ? (size_t)(hole - off)
                                                                    : sizeof(buf),
                                                            (uint64_t)off);
                                if (m < 0)
                                        return (int)m;
                                if (m == 0)
                                        break;
                                int w = bench_pwrite_all(out, buf, (size_t)m, (uint64_t)off);
                                if (w < 0)
                                        return w;
                                n = m;
                        }
                        off += n;
                }
                pos = hole;
        }
        return ftruncate(out, size) < 0 ? -errno : 0;
}

static int clear_dir(int dfd) {
        DIR *d = fdopendir(dup(dfd));
        if (!d)
                return -errno;
        int r = 0;
        struct dirent *de;
        while ((de = readdir(d))) {
                if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
                        continue;
                int q = lay_remove_at(dfd, de->d_name);
                if (q < 0 && r == 0)
                        r = q;
        }
        closedir(d);
        return r;
}

typedef struct flat_ctx {
        bool root;
        lay_space space;
        char path[4096]; /* of the entry at hand, for messages */
} flat_ctx;

/* Applies one layer's directory src onto the merged directory dst, as overlayfs would show it. */
static int flat_apply(flat_ctx *c, int src, int dst, int depth, bench_error **err) {
        if (depth > 256)
                /* three fds a level: bounded (containers mount such a stack as it is, at any depth) */
                return bench_error_set(
                        err, ELOOP,
                        "%.200s...: deeper than 256 directories: refused (a flat tree is for bare "
                        "runs; a container uses the layers as they are)",
                        c->path);
        DIR *d = fdopendir(dup(src));
        if (!d)
                return bench_error_errno(err, errno, "cannot read %s", c->path);
        size_t plen = strlen(c->path);
        int r = 0;
        struct dirent *de;
        while (r == 0 && (de = readdir(d))) {
                const char *name = de->d_name;
                if (!strcmp(name, ".") || !strcmp(name, ".."))
                        continue;
                snprintf(c->path + plen, sizeof(c->path) - plen, "/%s", name);
                struct stat st, dt;
                if (fstatat(src, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
                        r = bench_error_errno(err, errno, "cannot stat %s", c->path);
                        break;
                }
                bool exists = fstatat(dst, name, &dt, AT_SYMLINK_NOFOLLOW) == 0;
                if (S_ISCHR(st.st_mode) && st.st_rdev == makedev(0, 0)) {
                        if (exists && (r = lay_remove_at(dst, name)) < 0)
                                r = bench_error_errno(err, -r, "cannot remove %s", c->path);
                        continue;
                }
                if (S_ISDIR(st.st_mode)) {
                        _cleanup_close_ int sfd =
                                openat(src, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                        if (sfd < 0) {
                                r = bench_error_errno(err, errno, "cannot open %s", c->path);
                                break;
                        }
                        char v[4];
                        ssize_t vl = fgetxattr(sfd, LAY_OPAQUE_XATTR, v, sizeof(v));
                        bool opaque = vl == 1 && v[0] == 'y';
                        if (exists && !S_ISDIR(dt.st_mode)) {
                                if ((r = lay_remove_at(dst, name)) < 0) {
                                        r = bench_error_errno(err, -r, "cannot remove %s", c->path);
                                        break;
                                }
                                exists = false;
                        }
                        if (!exists && mkdirat(dst, name, 0700) < 0) {
                                r = bench_error_errno(err, errno, "cannot create %s", c->path);
                                break;
                        }
                        _cleanup_close_ int dfd =
                                openat(dst, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                        if (dfd < 0) {
                                r = bench_error_errno(err, errno, "cannot open the merged %s", c->path);
                                break;
                        }
                        /* opaque: what the lower layers put here is hidden */
                        if (opaque && exists && (r = clear_dir(dfd)) < 0) {
                                r = bench_error_errno(err, -r, "cannot clear %s", c->path);
                                break;
                        }
                        if ((r = flat_apply(c, sfd, dfd, depth + 1, err)) < 0)
                                break;
                        if ((c->root && fchown(dfd, st.st_uid, st.st_gid) < 0) ||
                            fchmod(dfd, st.st_mode & 07777) < 0)
                                r = bench_error_errno(err, errno, "cannot set the owner or mode of %s",
                                                      c->path);
                        continue;
                }
                if (exists && (r = lay_remove_at(dst, name)) < 0) {
                        r = bench_error_errno(err, -r, "cannot replace %s", c->path);
                        break;
                }
                if (S_ISREG(st.st_mode)) {
                        _cleanup_close_ int in = openat(src, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
                        _cleanup_close_ int out =
                                in < 0 ? -1
                                       : openat(dst, name,
                                                O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
                        if (in < 0 || out < 0) {
                                r = bench_error_errno(err, errno, "cannot copy %s", c->path);
                                break;
                        }
                        /* what the copy allocates: its data, not its holes */
                        if ((r = lay_space_take(&c->space, (uint64_t)st.st_blocks * 512 + 1024, c->path,
                                                err)) < 0)
                                break;
                        if ((r = copy_data(in, out, st.st_size)) < 0) {
                                r = bench_error_errno(err, -r, "cannot copy %s", c->path);
                                break;
                        }
                        /* chown first: it clears set-id bits */
                        if ((c->root && fchown(out, st.st_uid, st.st_gid) < 0) ||
                            fchmod(out, st.st_mode & 07777) < 0)
                                r = bench_error_errno(err, errno, "cannot set the owner or mode of %s",
                                                      c->path);
                } else if (S_ISLNK(st.st_mode)) {
                        char target[4096];
                        ssize_t n = readlinkat(src, name, target, sizeof(target) - 1);
                        if (n < 0) {
                                r = bench_error_errno(err, errno, "cannot read the link %s", c->path);
                                break;
                        }
                        target[n] = '\0';
                        if (symlinkat(target, dst, name) < 0 ||
                            (c->root && fchownat(dst, name, st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW) < 0))
                                r = bench_error_errno(err, errno, "cannot create the link %s", c->path);
                } else if (S_ISSOCK(st.st_mode)) {
                        continue; /* a socket file means nothing without its listener */
                } else {
                        if (mknodat(dst, name, st.st_mode, st.st_rdev) < 0 ||
                            (c->root && fchownat(dst, name, st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW) < 0))
                                r = bench_error_errno(err, errno, "cannot create %s", c->path);
                }
        }
        c->path[plen] = '\0';
        closedir(d);
        return r;
}

int lay_flatten(const lay_stack *s, size_t upto, char **ret_dir, bench_error **err) {
        if (upto > s->n_layers)
                return bench_error_set(err, EINVAL, "stack %s has %zu layers: cannot flatten %zu of them",
                                       s->id, s->n_layers, upto);
        if (upto == 0)
                upto = s->n_layers;
        _cleanup_free_ char *dir = NULL, *tmp = NULL;
        int r;
        if ((upto == s->n_layers ? asprintf(&dir, "%s/flat", s->dir)
                                 : asprintf(&dir, "%s/flat-%zu", s->dir, upto)) < 0 ||
            asprintf(&tmp, "%s/.flat-XXXXXX", s->dir) < 0)
                return bench_error_set(err, ENOMEM, "out of memory");
        struct stat st;
        if (stat(dir, &st) == 0 && S_ISDIR(st.st_mode)) {
                *ret_dir = steal_pointer(&dir);
                return 0;
        }
        reap_dead_builds(s->dir);
        if (!mkdtemp(tmp))
                return bench_error_errno(err, errno, "cannot create a temp dir in %s", s->dir);
        /* locked while we build it, like a stack's temp dir */
        _cleanup_close_ int dst = open(tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dst < 0 || flock(dst, LOCK_EX) < 0 || fchmod(dst, 0755) < 0) {
                r = bench_error_errno(err, errno, "cannot open %s", tmp);
                bench_rm_rf(tmp, NULL);
                return r;
        }
        flat_ctx c = {.root = geteuid() == 0};
        if ((r = lay_space_init(&c.space, s->dir, err)) < 0) {
                bench_rm_rf(tmp, NULL);
                return r;
        }
        for (size_t i = 0; i < upto && r == 0; i++) {
                _cleanup_close_ int src = open(s->layers[i], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                if (src < 0) {
                        r = bench_error_errno(err, errno, "cannot open layer %s", s->layers[i]);
                        break;
                }
                snprintf(c.path, sizeof(c.path), "%s", s->layers[i]);
                r = flat_apply(&c, src, dst, 0, err);
        }
        if (r == 0 && rename(tmp, dir) < 0 && errno != EEXIST && errno != ENOTEMPTY)
                r = bench_error_errno(err, errno, "cannot rename %s to %s", tmp, dir);
        /* after a lost race the other flat tree is as good as ours */
        bench_rm_rf(tmp, NULL);
        if (r < 0)
                return bench_error_prefix(err, "flattening stack %s", s->id);
        *ret_dir = steal_pointer(&dir);
        return 0;
}
