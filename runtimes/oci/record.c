/* SPDX-License-Identifier: MIT */
/*
 * Records of live containers. A bench killed outright cannot delete its
 * containers, and its shim may be gone too: the container then stays in
 * `RUNTIME list` (and its cgroups on the host). Before it creates one, bench
 * writes OCI_RECORD_DIR/ID (owner pid, runtime, its arguments); the shim
 * removes it after delete. A later run deletes the containers of dead owners
 * with the recorded runtime. The dir is root's and 0700, files are created
 * O_EXCL|O_NOFOLLOW and checked (owner, type, mode) before they are trusted:
 * a record names a program bench runs.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../../common/cleanup.h"
#include "../../common/util.h"
#include "oci-internal.h"

/* The record dir; -EPERM if it is not root's 0700 directory. */
static int record_dir(bench_error **err) {
        /* reaping does not make the dir only to find it empty */
        if (access(OCI_RECORD_DIR, F_OK) < 0)
                return -errno;
        return bench_open_private_dir(OCI_RECORD_DIR, err);
}

/*
 * A new record in the dir, 0600. The dir and its parent are entered
 * (bench_enter_private_dir): the last record out, or the last run out of
 * the parent, removes them only when nobody is making an entry.
 */
static int create_record(const char *id, int *ret_dfd, bench_error **err) {
        _cleanup_close_ int parent = bench_enter_private_dir(BENCH_RUN_DIR, err);
        if (parent < 0)
                return parent;
        int dfd = bench_enter_private_dir(OCI_RECORD_DIR, err);
        if (dfd < 0)
                return dfd;
        int fd = openat(dfd, id, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (fd < 0) {
                int e = errno;
                close(dfd);
                return bench_error_errno(err, e, "cannot create the record %s/%s", OCI_RECORD_DIR, id);
        }
        /* the record keeps the dir now */
        flock(dfd, LOCK_UN);
        *ret_dfd = dfd;
        return fd;
}

int oci_record_add(const char *id, const oci_runtime *rt, char **ret_path, bench_error **err) {
        _cleanup_json_ cJSON *o = cJSON_CreateObject();
        cJSON *args = o ? cJSON_AddArrayToObject(o, "runtime_args") : NULL;
        if (!args || !cJSON_AddNumberToObject(o, "owner", getpid()) ||
            !cJSON_AddStringToObject(o, "id", id) || !cJSON_AddStringToObject(o, "runtime", rt->path) ||
            !cJSON_AddBoolToObject(o, "hide_unified", rt->hide_unified))
                return bench_error_set(err, ENOMEM, "out of memory");
        for (size_t i = 0; rt->args && rt->args[i]; i++)
                cJSON_AddItemToArray(args, cJSON_CreateString(rt->args[i]));
        _cleanup_free_ char *text = cJSON_PrintUnformatted(o);
        if (!text)
                return bench_error_set(err, ENOMEM, "out of memory");
        _cleanup_close_ int dfd = -1;
        _cleanup_close_ int fd = create_record(id, &dfd, err);
        if (fd < 0)
                return fd;
        int r = bench_write_all(fd, text, strlen(text));
        if (r < 0) {
                unlinkat(dfd, id, 0);
                return bench_error_errno(err, -r, "cannot write the record %s/%s", OCI_RECORD_DIR, id);
        }
        if (asprintf(ret_path, "%s/%s", OCI_RECORD_DIR, id) < 0) {
                unlinkat(dfd, id, 0);
                return bench_error_set(err, ENOMEM, "out of memory");
        }
        return 0;
}

/* The record dir and BENCH_RUN_DIR go when empty, unless someone is entering them. */
static void leave_dirs(void) {
        const char *dirs[] = {OCI_RECORD_DIR, BENCH_RUN_DIR};
        for (size_t i = 0; i < 2; i++) {
                _cleanup_close_ int fd = open(dirs[i], O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                if (!bench_leave_private_dir(fd, dirs[i]))
                        return;
        }
}

void oci_record_remove(const char *path) {
        if (!path)
                return;
        unlink(path);
        leave_dirs(); /* the last one out leaves no empty dir behind */
}

void oci_cgroup_remove(const char *id) {
        DIR *d = opendir("/sys/fs/cgroup");
        if (!d)
                return;
        struct dirent *de;
        while ((de = readdir(d))) {
                if (de->d_name[0] == '.')
                        continue;
                char path[4096];
                /* a runtime may make child cgroups below (runsc's, crun's): depth-first, bounded */
                snprintf(path, sizeof(path), "/sys/fs/cgroup/%s" OCI_CGROUP_PARENT "/%s", de->d_name, id);
                if (rmdir(path) < 0 && errno == EBUSY) {
                        DIR *c = opendir(path);
                        struct dirent *ce;
                        while (c && (ce = readdir(c)))
                                if (ce->d_type == DT_DIR && ce->d_name[0] != '.') {
                                        char sub[4400];
                                        snprintf(sub, sizeof(sub), "%s/%s", path, ce->d_name);
                                        rmdir(sub);
                                }
                        if (c)
                                closedir(c);
                        rmdir(path);
                }
                /* the parent too once it is empty, as the container kind's; busy while others run */
                snprintf(path, sizeof(path), "/sys/fs/cgroup/%s" OCI_CGROUP_PARENT, de->d_name);
                rmdir(path);
        }
        closedir(d);
}

/* One record: trusted only if it is a regular file of ours, not writable by others. */
static void reap_record(int dfd, const char *name) {
        _cleanup_close_ int fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
        struct stat st;
        if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid() ||
            (st.st_mode & 0022) || st.st_size > 65536)
                return;
        char buf[65537];
        ssize_t n = bench_pread_all(fd, buf, (size_t)st.st_size, 0);
        if (n < 0)
                return;
        buf[n] = '\0';
        _cleanup_json_ cJSON *o = cJSON_Parse(buf);
        const cJSON *owner = cJSON_GetObjectItemCaseSensitive(o, "owner"),
                    *id = cJSON_GetObjectItemCaseSensitive(o, "id"),
                    *runtime = cJSON_GetObjectItemCaseSensitive(o, "runtime"),
                    *args = cJSON_GetObjectItemCaseSensitive(o, "runtime_args"),
                    *hide = cJSON_GetObjectItemCaseSensitive(o, "hide_unified");
        if (!cJSON_IsNumber(owner) || !cJSON_IsString(id) || strcmp(id->valuestring, name) ||
            strncmp(name, OCI_ID_PREFIX, strlen(OCI_ID_PREFIX)) || !cJSON_IsString(runtime) ||
            runtime->valuestring[0] != '/' || !cJSON_IsArray(args))
                return;
        pid_t pid = (pid_t)owner->valuedouble;
        if (pid <= 0 || pid == getpid() || kill(pid, 0) == 0 || errno != ESRCH)
                return;
        size_t n_args = (size_t)cJSON_GetArraySize(args);
        _cleanup_free_ char **argv = calloc(n_args + 1, sizeof(char *));
        if (!argv)
                return;
        size_t k = 0;
        const cJSON *a;
        cJSON_ArrayForEach(a, args) if (cJSON_IsString(a)) argv[k++] = a->valuestring;
        oci_runtime rt = {.path = runtime->valuestring, .args = argv, .hide_unified = cJSON_IsTrue(hide)};
        const char *sub[] = {"delete", "--force", name, NULL};
        int status;
        oci_runtime_run(&rt, sub, -1, -1, -1, NULL, 0, &status, 0, NULL, NULL);
        oci_cgroup_remove(name);
        unlinkat(dfd, name, 0);
}

static bool not_hidden(const struct dirent *de) {
        return de->d_name[0] != '.';
}

void oci_record_reap_stale(void) {
        int dfd = record_dir(NULL);
        if (dfd < 0)
                return;
        DIR *d = fdopendir(dfd);
        if (!d) {
                close(dfd);
                return;
        }
        char **names = bench_dir_names(d, not_hidden);
        for (size_t i = 0; names && names[i]; i++)
                reap_record(dirfd(d), names[i]);
        bench_strv_free(names);
        closedir(d);
        leave_dirs(); /* if that was all */
}
