/* SPDX-License-Identifier: MIT */
/*
 * Which .ko files a guest needs, in load order. Debian's kernel package
 * ships no modules.dep (depmod runs at install time), so the dependencies
 * are read where modprobe's come from in the end: the "depends=" string in
 * each module's .modinfo ELF section.
 */
#include <dirent.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../common/cleanup.h"
#include "../common/util.h"
#include "vm-internal.h"

/* Kernel module names: '-' and '_' are the same. */
static void normalize(char *name) {
        for (char *p = name; *p; p++)
                if (*p == '-')
                        *p = '_';
}

typedef enum mod_state {
        MOD_NEW,
        MOD_VISITING, /* on the DFS stack: seeing it again is a cycle */
        MOD_DONE,
} mod_state;

typedef struct mod_file {
        char *name; /* normalized */
        char *path;
        bool compressed;
        mod_state state;
} mod_file;

typedef struct mod_index {
        const char *dir;
        mod_file *files;
        size_t n, cap;
        char **builtin; /* normalized names */
        size_t n_builtin, cap_builtin;
        char **out;
        size_t n_out, cap_out;
} mod_index;

static int push_str(char ***arr, size_t *n, size_t *cap, char *s) {
        if (*n == *cap) {
                size_t c = *cap ? *cap * 2 : 32;
                char **p = realloc(*arr, c * sizeof(*p));
                if (!p)
                        return -ENOMEM;
                *arr = p;
                *cap = c;
        }
        (*arr)[(*n)++] = s;
        return 0;
}

static void index_clear(mod_index *ix) {
        for (size_t i = 0; i < ix->n; i++) {
                free(ix->files[i].name);
                free(ix->files[i].path);
        }
        free(ix->files);
        for (size_t i = 0; i < ix->n_builtin; i++)
                free(ix->builtin[i]);
        free(ix->builtin);
        vm_modules_free(ix->out, ix->n_out);
}

static bool has_suffix(const char *s, const char *suffix, size_t *ret_stem) {
        size_t a = strlen(s), b = strlen(suffix);
        if (a <= b || strcmp(s + a - b, suffix) != 0)
                return false;
        *ret_stem = a - b;
        return true;
}

/* A module file's name from its file name: "virtio-rng.ko.xz" -> "virtio_rng". */
static bool module_file_name(const char *base, char **ret_name, bool *ret_compressed) {
        static const char *const compressed[] = {".ko.xz", ".ko.zst", ".ko.gz"};
        size_t stem;
        bool comp = false;
        if (!has_suffix(base, ".ko", &stem)) {
                size_t i;
                for (i = 0; i < ELEMENTSOF(compressed); i++)
                        if (has_suffix(base, compressed[i], &stem))
                                break;
                if (i == ELEMENTSOF(compressed))
                        return false;
                comp = true;
        }
        *ret_name = strndup(base, stem);
        *ret_compressed = comp;
        return true;
}

static int add_file(mod_index *ix, const char *path, const char *base) {
        char *name = NULL;
        bool comp = false;
        if (!module_file_name(base, &name, &comp))
                return 0;
        if (!name)
                return -ENOMEM;
        normalize(name);
        if (ix->n == ix->cap) {
                size_t c = ix->cap ? ix->cap * 2 : 256;
                mod_file *p = realloc(ix->files, c * sizeof(*p));
                if (!p) {
                        free(name);
                        return -ENOMEM;
                }
                ix->files = p;
                ix->cap = c;
        }
        char *p = strdup(path);
        if (!p) {
                free(name);
                return -ENOMEM;
        }
        ix->files[ix->n++] = (mod_file){.name = name, .path = p, .compressed = comp};
        return 0;
}

/* Every module file under dir, recursively (symlinks not followed). */
static int walk(mod_index *ix, const char *dir, unsigned depth, bench_error **err) {
        if (depth > 32)
                return bench_error_set(err, ELOOP, "%s: too deeply nested", dir);
        DIR *d = opendir(dir);
        if (!d)
                return bench_error_errno(err, errno, "cannot read %s", dir);
        int r = 0;
        struct dirent *de;
        while (r == 0 && (de = readdir(d))) {
                if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
                        continue;
                _cleanup_free_ char *path = NULL;
                if (asprintf(&path, "%s/%s", dir, de->d_name) < 0) {
                        r = bench_error_set(err, ENOMEM, "out of memory");
                        break;
                }
                unsigned char type = de->d_type;
                if (type == DT_UNKNOWN) {
                        struct stat st;
                        if (lstat(path, &st) < 0)
                                continue;
                        type = S_ISDIR(st.st_mode) ? DT_DIR : S_ISREG(st.st_mode) ? DT_REG : DT_UNKNOWN;
                }
                if (type == DT_DIR)
                        r = walk(ix, path, depth + 1, err);
                else if (type == DT_REG && add_file(ix, path, de->d_name) < 0)
                        r = bench_error_set(err, ENOMEM, "out of memory");
        }
        closedir(d);
        return r;
}

/* modules.builtin: "kernel/fs/ext4/ext4.ko" per line; absent means nothing is built in that we know of. */
static int read_builtin(mod_index *ix, bench_error **err) {
        _cleanup_free_ char *path = NULL, *data = NULL;
        if (asprintf(&path, "%s/modules.builtin", ix->dir) < 0)
                return bench_error_set(err, ENOMEM, "out of memory");
        size_t len;
        if (access(path, F_OK) < 0)
                return 0;
        int r = bench_read_file(path, &data, &len, err);
        if (r < 0)
                return r;
        char *save = NULL;
        for (char *line = strtok_r(data, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                const char *base = strrchr(line, '/');
                base = base ? base + 1 : line;
                char *name = NULL;
                bool comp;
                if (!module_file_name(base, &name, &comp))
                        continue;
                if (!name || push_str(&ix->builtin, &ix->n_builtin, &ix->cap_builtin, name) < 0) {
                        free(name);
                        return bench_error_set(err, ENOMEM, "out of memory");
                }
                normalize(name);
        }
        return 0;
}

static bool is_builtin(const mod_index *ix, const char *name) {
        for (size_t i = 0; i < ix->n_builtin; i++)
                if (!strcmp(ix->builtin[i], name))
                        return true;
        return false;
}

static mod_file *find_file(mod_index *ix, const char *name) {
        mod_file *comp = NULL;
        for (size_t i = 0; i < ix->n; i++) {
                if (strcmp(ix->files[i].name, name) != 0)
                        continue;
                if (!ix->files[i].compressed)
                        return &ix->files[i];
                comp = &ix->files[i];
        }
        return comp;
}

/* Exactly len bytes at off; a file that ends before is -EIO. */
static int pread_all(int fd, void *buf, size_t len, uint64_t off) {
        ssize_t n = bench_pread_all(fd, buf, len, off);
        return n < 0 ? (int)n : (size_t)n == len ? 0 : -EIO;
}

/*
 * The "depends=" value of a .ko (a malloc'd string, possibly empty). Every
 * offset is checked against the file size: a truncated or foreign file is an
 * error, never a read out of bounds.
 */
static int read_depends(const char *path, char **ret, bench_error **err) {
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return bench_error_errno(err, errno, "cannot open %s", path);
        struct stat st;
        if (fstat(fd, &st) < 0)
                return bench_error_errno(err, errno, "cannot stat %s", path);
        uint64_t size = (uint64_t)st.st_size;
        Elf64_Ehdr eh;
        if (size < sizeof(eh) || pread_all(fd, &eh, sizeof(eh), 0) < 0 ||
            memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0)
                return bench_error_set(err, ENOEXEC, "%s: not an ELF file", path);
        if (eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_ident[EI_DATA] != ELFDATA2LSB ||
            eh.e_machine != EM_X86_64)
                return bench_error_set(err, ENOEXEC, "%s: not a little-endian x86_64 ELF64 module", path);
        if (eh.e_type != ET_REL)
                return bench_error_set(err, ENOEXEC,
                                       "%s: not a kernel module (ELF type %u, expected relocatable)", path,
                                       (unsigned)eh.e_type);
        if (eh.e_shentsize != sizeof(Elf64_Shdr) || eh.e_shnum == 0 || eh.e_shstrndx >= eh.e_shnum ||
            eh.e_shoff > size || (uint64_t)eh.e_shnum * sizeof(Elf64_Shdr) > size - eh.e_shoff)
                return bench_error_set(err, ENOEXEC, "%s: bad ELF section header table", path);
        _cleanup_free_ Elf64_Shdr *sh = malloc((size_t)eh.e_shnum * sizeof(Elf64_Shdr));
        if (!sh)
                return bench_error_set(err, ENOMEM, "out of memory");
        int r = pread_all(fd, sh, (size_t)eh.e_shnum * sizeof(Elf64_Shdr), eh.e_shoff);
        if (r < 0)
                return bench_error_errno(err, -r, "reading %s", path);
        const Elf64_Shdr *strs = &sh[eh.e_shstrndx];
        if (strs->sh_offset > size || strs->sh_size > size - strs->sh_offset || strs->sh_size > (64u << 20))
                return bench_error_set(err, ENOEXEC, "%s: bad ELF section name table", path);
        _cleanup_free_ char *names = malloc(strs->sh_size + 1);
        if (!names)
                return bench_error_set(err, ENOMEM, "out of memory");
        if ((r = pread_all(fd, names, strs->sh_size, strs->sh_offset)) < 0)
                return bench_error_errno(err, -r, "reading %s", path);
        names[strs->sh_size] = '\0';
        const Elf64_Shdr *mi = NULL;
        for (unsigned i = 0; i < eh.e_shnum; i++)
                if (sh[i].sh_name < strs->sh_size && !strcmp(names + sh[i].sh_name, ".modinfo")) {
                        mi = &sh[i];
                        break;
                }
        if (!mi)
                return bench_error_set(err, ENOEXEC, "%s: no .modinfo section (not a kernel module?)", path);
        if (mi->sh_offset > size || mi->sh_size > size - mi->sh_offset || mi->sh_size > (64u << 20))
                return bench_error_set(err, ENOEXEC, "%s: bad .modinfo section", path);
        _cleanup_free_ char *info = malloc(mi->sh_size + 1);
        if (!info)
                return bench_error_set(err, ENOMEM, "out of memory");
        if ((r = pread_all(fd, info, mi->sh_size, mi->sh_offset)) < 0)
                return bench_error_errno(err, -r, "reading %s", path);
        info[mi->sh_size] = '\0';
        /* NUL-separated key=value strings, possibly with padding NULs between them */
        for (size_t off = 0; off < mi->sh_size;) {
                const char *kv = info + off;
                size_t len = strlen(kv);
                if (!strncmp(kv, "depends=", 8)) {
                        *ret = strdup(kv + 8);
                        return *ret ? 0 : bench_error_set(err, ENOMEM, "out of memory");
                }
                off += len + 1;
        }
        *ret = strdup(""); /* no depends= at all: no dependencies */
        return *ret ? 0 : bench_error_set(err, ENOMEM, "out of memory");
}

/* Depth first, dependencies before the module itself. */
static int visit(mod_index *ix, const char *want, const char *needed_by, bench_error **err) {
        _cleanup_free_ char *name = strdup(want);
        if (!name)
                return bench_error_set(err, ENOMEM, "out of memory");
        normalize(name);
        if (!*name)
                return 0;
        if (is_builtin(ix, name))
                return 0;
        mod_file *f = find_file(ix, name);
        if (!f) {
                if (needed_by)
                        return bench_error_set(
                                err, ENOENT,
                                "module `%s` (needed by %s) is neither in %s/kernel nor built in "
                                "(modules.builtin)",
                                want, needed_by, ix->dir);
                return bench_error_set(err, ENOENT,
                                       "module `%s` is neither in %s/kernel nor built in (modules.builtin)",
                                       want, ix->dir);
        }
        if (f->state == MOD_DONE)
                return 0;
        if (f->state == MOD_VISITING)
                return bench_error_set(err, ELOOP, "module `%s` depends on itself (through %s)", name,
                                       needed_by ? needed_by : name);
        if (f->compressed)
                return bench_error_set(
                        err, ENOTSUP,
                        "module `%s` is compressed (%s): bench loads plain .ko files only; "
                        "decompress the modules or use a kernel package with uncompressed ones",
                        name, f->path);
        /* f stays valid: the index does not grow after the walk */
        f->state = MOD_VISITING;
        _cleanup_free_ char *deps = NULL;
        int r = read_depends(f->path, &deps, err);
        if (r < 0)
                return r;
        char *save = NULL;
        for (char *d = strtok_r(deps, ",", &save); d; d = strtok_r(NULL, ",", &save)) {
                if ((r = visit(ix, d, name, err)) < 0)
                        return r;
        }
        f->state = MOD_DONE;
        char *p = strdup(f->path);
        if (!p || push_str(&ix->out, &ix->n_out, &ix->cap_out, p) < 0) {
                free(p);
                return bench_error_set(err, ENOMEM, "out of memory");
        }
        return 0;
}

int vm_modules_resolve(const char *modules_dir, const char *const *names, size_t n_names, char ***ret_paths,
                       size_t *ret_n, bench_error **err) {
        if (!modules_dir)
                return bench_error_set(err, EINVAL, "no modules dir");
        _cleanup_(index_clear) mod_index ix = {.dir = modules_dir};
        _cleanup_free_ char *kdir = NULL;
        if (asprintf(&kdir, "%s/kernel", modules_dir) < 0)
                return bench_error_set(err, ENOMEM, "out of memory");
        int r = read_builtin(&ix, err);
        if (r == 0)
                r = walk(&ix, kdir, 0, err);
        for (size_t i = 0; r == 0 && i < n_names; i++)
                r = visit(&ix, names[i], NULL, err);
        if (r < 0)
                return r;
        *ret_paths = steal_pointer(&ix.out);
        *ret_n = ix.n_out;
        ix.n_out = 0;
        return 0;
}

void vm_modules_free(char **paths, size_t n) {
        if (!paths)
                return;
        for (size_t i = 0; i < n; i++)
                free(paths[i]);
        free(paths);
}
