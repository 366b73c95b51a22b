/* SPDX-License-Identifier: MIT */
/*
 * One measuring run per host at a time (the files: runlock.h).
 *
 * flock(2), not a pid file: the kernel drops a flock when the last fd of its
 * open file is closed, a SIGKILLed run's included, so the lock cannot go
 * stale and no pid is trusted for liveness (a pid is reused; a record may
 * say anything). The catch: a flock belongs to the open file, which a
 * fork()ed child shares. A child that outlives bench (the OCI shim deletes
 * its container after bench is killed) would keep a dead run's lock. So the
 * fds are O_CLOEXEC (gone at exec) and a pthread_atfork handler closes them
 * in every fork()ed child (closing a shared fd does not unlock the parent).
 *
 * Records are written under a temporary name, flocked, then renamed into
 * place: a record that exists and is not flocked belongs to a dead run and
 * anyone may remove it. Its content comes from a file others can write
 * (root's, or the user's): sizes are bounded, types checked, and callers
 * escape it before printing.
 */
#include "runlock.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include "../common/cleanup.h"
#include "../common/json.h"
#include "../common/util.h"

#define LOCK_NAME "run.lock"
#define RUNS_NAME "runs"
/* a record with the lines later runs appended: read up to this much, appended to below it */
#define RECORD_MAX (64 * 1024)
/* bounds of a record's strings */
#define SUITE_MAX 1024
#define PATH_MAX_LEN 4096
#define TIME_MAX 64
/* A refused run waits this long for the holder's record: it takes the lock, then writes the record. */
#define HOLDER_WAIT_MS 1000
#define HOLDER_STEP_MS 20
/* the runs a refusal names; the rest are counted */
#define LIST_MAX 5

struct runlock {
        char *dir;
        int dir_fd, runs_fd;
        int lock_fd; /* run.lock, flocked; -1 with RUNLOCK_ALLOW_CONCURRENT */
        int rec_fd;  /* our record, flocked; -1 until registered */
        pid_t owner; /* the process that took it: a forked child neither looks nor removes */
        runlock_rec self;
        char *line;       /* self as a record line, newline included */
        size_t peers_off; /* in our record: where the lines not read yet start */
        runlock_rec seen[RUNLOCK_MAX_SEEN];
        size_t n_seen;
        struct runlock *next; /* in `held` */
};

/* Every lock of this process, for the fork handler. */
static runlock *held;
static pthread_once_t atfork_once = PTHREAD_ONCE_INIT;

static void drop_fd(int *fd) {
        if (*fd >= 0)
                close(*fd);
        *fd = -1;
}

static void close_in_child(void) {
        for (runlock *l = held; l; l = l->next) {
                drop_fd(&l->lock_fd);
                drop_fd(&l->rec_fd);
                drop_fd(&l->runs_fd);
                drop_fd(&l->dir_fd);
        }
}

static void register_atfork(void) {
        pthread_atfork(NULL, NULL, close_in_child);
}

void runlock_rec_clear(runlock_rec *r) {
        free(r->id);
        free(r->suite);
        free(r->suite_file);
        free(r->output);
        free(r->started_at);
        *r = (runlock_rec){0};
}

static int rec_copy(const runlock_rec *from, runlock_rec *to) {
        *to = (runlock_rec){.pid = from->pid, .allow_concurrent = from->allow_concurrent};
        if (!(to->id = strdup(from->id)) || !(to->suite = strdup(from->suite)) ||
            !(to->suite_file = strdup(from->suite_file)) || !(to->output = strdup(from->output)) ||
            !(to->started_at = strdup(from->started_at))) {
                runlock_rec_clear(to);
                return -ENOMEM;
        }
        return 0;
}

/* A record's name: "PID-" and 16 hex digits; *ret_pid the PID. */
static bool record_name(const char *name, int *ret_pid) {
        const char *dash = strchr(name, '-');
        /* as bench writes it: no leading zero, so one pid has one name */
        if (!dash || dash == name || dash - name > 10 || name[0] == '0' || strlen(dash + 1) != 16)
                return false;
        for (const char *p = name; p < dash; p++)
                if (!isdigit((unsigned char)*p))
                        return false;
        for (const char *p = dash + 1; *p; p++)
                if (!isdigit((unsigned char)*p) && !(*p >= 'a' && *p <= 'f'))
                        return false;
        long long pid = strtoll(name, NULL, 10);
        if (pid < 1 || pid > INT32_MAX)
                return false;
        if (ret_pid)
                *ret_pid = (int)pid;
        return true;
}

/* A record being written: ".NAME.tmp"; *ret_pid its PID. */
static bool tmp_name(const char *name, int *ret_pid) {
        size_t n = strlen(name);
        char core[32];
        if (name[0] != '.' || n < 6 || n - 5 >= sizeof(core) || strcmp(name + n - 4, ".tmp"))
                return false;
        memcpy(core, name + 1, n - 5);
        core[n - 5] = '\0';
        return record_name(core, ret_pid);
}

static int get_text(const cJSON *o, const char *key, size_t max, char **ret) {
        const cJSON *j = cJSON_GetObjectItemCaseSensitive(o, key);
        if (!cJSON_IsString(j) || strlen(j->valuestring) > max)
                return -EBADMSG;
        return (*ret = strdup(j->valuestring)) ? 0 : -ENOMEM;
}

int runlock_rec_parse(const char *text, size_t len, runlock_rec *ret) {
        *ret = (runlock_rec){0};
        if (!text || len == 0 || len > RUNLOCK_LINE_MAX || memchr(text, '\0', len))
                return -EBADMSG;
        _cleanup_free_ char *copy = strndup(text, len);
        if (!copy)
                return -ENOMEM;
        _cleanup_(cjson_deletep) cJSON *o = cJSON_ParseWithOpts(copy, NULL, true);
        const cJSON *magic = cJSON_GetObjectItemCaseSensitive(o, "bench_run");
        const cJSON *pid = cJSON_GetObjectItemCaseSensitive(o, "pid");
        const cJSON *allow = cJSON_GetObjectItemCaseSensitive(o, "allow_concurrent");
        if (!cJSON_IsObject(o) || !cJSON_IsNumber(magic) || magic->valuedouble != 1 || !cJSON_IsNumber(pid) ||
            !cJSON_IsBool(allow))
                return -EBADMSG;
        runlock_rec r = {.allow_concurrent = cJSON_IsTrue(allow)};
        int id_pid = 0, e;
        if ((e = get_text(o, "id", 32, &r.id)) < 0 || (e = get_text(o, "suite", SUITE_MAX, &r.suite)) < 0 ||
            (e = get_text(o, "suite_file", PATH_MAX_LEN, &r.suite_file)) < 0 ||
            (e = get_text(o, "output", PATH_MAX_LEN, &r.output)) < 0 ||
            (e = get_text(o, "started_at", TIME_MAX, &r.started_at)) < 0 || !record_name(r.id, &id_pid) ||
            pid->valuedouble != (double)id_pid) {
                runlock_rec_clear(&r);
                return e < 0 ? e : -EBADMSG;
        }
        r.pid = id_pid;
        *ret = r;
        return 0;
}

static char *rec_line(const runlock_rec *r) {
        _cleanup_(cjson_deletep) cJSON *o = cJSON_CreateObject();
        if (!o || !cJSON_AddNumberToObject(o, "bench_run", 1) || !cJSON_AddStringToObject(o, "id", r->id) ||
            !cJSON_AddNumberToObject(o, "pid", r->pid) || !cJSON_AddStringToObject(o, "suite", r->suite) ||
            !cJSON_AddStringToObject(o, "suite_file", r->suite_file) ||
            !cJSON_AddStringToObject(o, "output", r->output) ||
            !cJSON_AddStringToObject(o, "started_at", r->started_at) ||
            !cJSON_AddBoolToObject(o, "allow_concurrent", r->allow_concurrent))
                return NULL;
        _cleanup_free_ char *text = cJSON_PrintUnformatted(o);
        char *line = NULL;
        if (!text || asprintf(&line, "%s\n", text) < 0)
                return NULL;
        return line;
}

/* A record's fd, if it is a regular file of ours (not a symlink, a FIFO, a device); else -errno. */
static int open_record(int runs_fd, const char *name, int flags) {
        int fd = openat(runs_fd, name, flags | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
        if (fd < 0)
                return -errno;
        struct stat st;
        if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid()) {
                close(fd);
                return -EPERM;
        }
        return fd;
}

/* The first line of the record at fd, which must name itself `name`. */
static int read_record(int fd, const char *name, runlock_rec *ret) {
        _cleanup_free_ char *buf = malloc(RUNLOCK_LINE_MAX + 1);
        if (!buf)
                return -ENOMEM;
        ssize_t n = bench_pread_all(fd, buf, RUNLOCK_LINE_MAX + 1, 0);
        const char *nl = n > 0 ? memchr(buf, '\n', (size_t)n) : NULL;
        if (!nl)
                return -EBADMSG;
        int r = runlock_rec_parse(buf, (size_t)(nl - buf), ret);
        if (r == 0 && strcmp(ret->id, name) != 0) {
                runlock_rec_clear(ret);
                return -EBADMSG;
        }
        return r;
}

/* A live run found in runs/: its record's name, and what it says if bench wrote it. */
typedef struct live_run {
        char name[32];
        int pid; /* from the name */
        bool readable;
        runlock_rec rec;
} live_run;

static void live_clear(live_run *v, size_t n) {
        for (size_t i = 0; i < n; i++)
                runlock_rec_clear(&v[i].rec);
}

static bool keep_entry(const struct dirent *de) {
        return record_name(de->d_name, NULL) || tmp_name(de->d_name, NULL);
}

/*
 * The records of runs/ whose owner holds them (but `skip`, ours), up to max;
 * a record nobody holds is a dead run's and is removed on the way, and so is
 * a temporary one whose pid is gone. Returns how many went to out.
 */
static size_t scan(int runs_fd, const char *skip, live_run *out, size_t max) {
        int fd = openat(runs_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
        if (!d) {
                if (fd >= 0)
                        close(fd);
                return 0;
        }
        char **names = bench_dir_names(d, keep_entry);
        closedir(d);
        size_t n = 0;
        for (size_t i = 0; names && names[i]; i++) {
                const char *name = names[i];
                int pid = 0;
                if (skip && !strcmp(name, skip))
                        continue;
                _cleanup_close_ int rfd = open_record(runs_fd, name, O_RDONLY);
                if (rfd < 0)
                        continue;
                bool held_by_owner = flock(rfd, LOCK_SH | LOCK_NB) < 0 && errno == EWOULDBLOCK;
                if (tmp_name(name, &pid)) {
                        /* between its creation and its flock it is not held yet: its pid must be gone too */
                        if (!held_by_owner && kill(pid, 0) < 0 && errno == ESRCH)
                                unlinkat(runs_fd, name, 0);
                        continue;
                }
                if (!held_by_owner) {
                        unlinkat(runs_fd, name, 0);
                        continue;
                }
                if (n == max)
                        continue;
                live_run *v = &out[n++];
                *v = (live_run){0};
                snprintf(v->name, sizeof(v->name), "%s", name);
                record_name(name, &v->pid);
                v->readable = read_record(rfd, name, &v->rec) == 0;
        }
        bench_strv_free(names);
        return n;
}

/*
 * The pid that took the flock on fd's file, by /proc/locks (the kernel's
 * word); 0 if none is listed. The kernel lists a page per read(), each from
 * the list as it is then: a lock released meanwhile by anyone shifts the
 * rest, and a line can be missed. A miss is read again.
 */
#define LOCKS_READS 5

static int flock_holder_once(const struct stat *st) {
        _cleanup_fclose_ FILE *f = fopen("/proc/locks", "re");
        char line[256];
        while (f && fgets(line, sizeof(line), f)) {
                char type[16];
                int pid;
                unsigned maj, min;
                unsigned long long ino;
                /* "1: FLOCK  ADVISORY  WRITE 4242 00:1a:1234 0 EOF"; a waiter's line has "->" as its type */
                if (sscanf(line, "%*d: %15s %*s %*s %d %x:%x:%llu", type, &pid, &maj, &min, &ino) == 5 &&
                    !strcmp(type, "FLOCK") && maj == major(st->st_dev) && min == minor(st->st_dev) &&
                    ino == (unsigned long long)st->st_ino && pid > 0)
                        return pid;
        }
        return 0;
}

static int flock_holder(int fd) {
        struct stat st;
        if (fstat(fd, &st) < 0)
                return 0;
        for (int i = 0; i < LOCKS_READS; i++) {
                int pid = flock_holder_once(&st);
                if (pid > 0)
                        return pid;
        }
        return 0;
}

/* "pid 4242, suite quickstart (suites/quickstart.json → r.json), started ...": record text escaped. */
static char *describe(const live_run *v, const char *dir) {
        char *s = NULL;
        if (!v->readable) {
                _cleanup_free_ char *d = bench_escape_text(dir, 0);
                if (asprintf(&s, "pid %d (its record %s/" RUNS_NAME "/%s is not one bench wrote)", v->pid,
                             d ? d : "?", v->name) < 0)
                        return NULL;
                return s;
        }
        _cleanup_free_ char *suite = bench_escape_text(v->rec.suite, 0),
                            *file = bench_escape_text(v->rec.suite_file, 0),
                            *out = bench_escape_text(v->rec.output, 0),
                            *at = bench_escape_text(v->rec.started_at, 0);
        if (!suite || !file || !out || !at ||
            asprintf(&s, "pid %d, suite %s (%s → %s), started %s%s", v->rec.pid, suite, file, out, at,
                     v->rec.allow_concurrent ? ", with --allow-concurrent" : "") < 0)
                return NULL;
        return s;
}

/* The refusal: every live run named (holder: the pid holding run.lock that left no record, 0 = none). */
static int busy(const runlock *l, const live_run *v, size_t n, int holder, bool holder_unknown,
                bench_error **err) {
        _cleanup_free_ char *text = NULL;
        size_t len = 0;
        FILE *m = open_memstream(&text, &len);
        if (!m)
                return bench_error_set(err, ENOMEM, "out of memory");
        size_t total = n + (holder_unknown ? 1 : 0);
        if (total == 1)
                fputs("another run is measuring on this host: ", m);
        else
                fprintf(m, "%zu other runs are measuring on this host: ", total);
        size_t listed = 0;
        if (holder_unknown) {
                _cleanup_free_ char *d = bench_escape_text(l->dir, 0);
                fprintf(m, "a process holds %s/" LOCK_NAME " but left no record of a bench run", d ? d : "?");
                /* the taker: the holder now, or a process gone whose fd lives on in a child */
                if (holder > 0)
                        fprintf(m, " (the lock was taken by pid %d)", holder);
                listed++;
        }
        for (size_t i = 0; i < n && listed < LIST_MAX; i++, listed++) {
                _cleanup_free_ char *s = describe(&v[i], l->dir);
                fprintf(m, "%s%s", listed ? "; " : "", s ? s : "?");
        }
        if (listed < total)
                fprintf(m, "; and %zu more", total - listed);
        if (fclose(m) != 0 || !text)
                return bench_error_set(err, ENOMEM, "out of memory");
        return bench_error_set(err, EBUSY, "%s", text);
}

static void remember(runlock *l, const runlock_rec *r) {
        if (!strcmp(r->id, l->self.id))
                return;
        for (size_t i = 0; i < l->n_seen; i++)
                if (!strcmp(l->seen[i].id, r->id))
                        return;
        if (l->n_seen < RUNLOCK_MAX_SEEN && rec_copy(r, &l->seen[l->n_seen]) == 0)
                l->n_seen++;
}

/* The lines other runs appended to our record since the last look. */
static void read_appended(runlock *l) {
        if (l->rec_fd < 0 || l->peers_off >= RECORD_MAX)
                return;
        size_t want = RECORD_MAX - l->peers_off;
        _cleanup_free_ char *buf = malloc(want);
        ssize_t n = buf ? bench_pread_all(l->rec_fd, buf, want, l->peers_off) : -1;
        size_t at = 0;
        while (n > 0 && at < (size_t)n) {
                const char *nl = memchr(buf + at, '\n', (size_t)n - at);
                if (!nl) {
                        /* a line still being written, or one far too long to be bench's */
                        if ((size_t)n - at > RUNLOCK_LINE_MAX)
                                at = (size_t)n;
                        break;
                }
                runlock_rec r;
                if (runlock_rec_parse(buf + at, (size_t)(nl - (buf + at)), &r) == 0) {
                        remember(l, &r);
                        runlock_rec_clear(&r);
                }
                at = (size_t)(nl - buf) + 1;
        }
        l->peers_off += at;
}

/* Our line appended to a live run's record: it hears of us even if we are gone before it looks. */
static void tell(const runlock *l, const char *name) {
        _cleanup_close_ int fd = open_record(l->runs_fd, name, O_WRONLY | O_APPEND);
        struct stat st;
        size_t len = strlen(l->line);
        if (fd >= 0 && fstat(fd, &st) == 0 && (size_t)st.st_size + len <= RECORD_MAX)
                bench_write_all(fd, l->line, len);
}

/* run.lock, made if missing (O_EXCL: a name made meanwhile is opened instead); never through a symlink. */
static int open_lock_file(const runlock *l, bench_error **err) {
        for (int tries = 0; tries < 3; tries++) {
                int fd = openat(l->dir_fd, LOCK_NAME,
                                O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
                if (fd < 0 && errno == ENOENT)
                        fd = openat(l->dir_fd, LOCK_NAME,
                                    O_RDONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY, 0600);
                if (fd < 0 && (errno == EEXIST || errno == ENOENT))
                        continue;
                if (fd < 0 && errno == ELOOP)
                        return bench_error_set(err, ELOOP, "%s/" LOCK_NAME " is a symbolic link: remove it",
                                               l->dir);
                if (fd < 0)
                        return bench_error_errno(err, errno, "cannot open %s/" LOCK_NAME, l->dir);
                struct stat st;
                if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid()) {
                        close(fd);
                        return bench_error_set(err, EPERM,
                                               "%s/" LOCK_NAME " is not a regular file of uid %u: remove it",
                                               l->dir, (unsigned)geteuid());
                }
                return fd;
        }
        return bench_error_set(err, EAGAIN, "%s/" LOCK_NAME " keeps appearing and vanishing", l->dir);
}

/* Our record: written under a temporary name, flocked, then renamed into place. */
static int register_self(runlock *l, bench_error **err) {
        char tmp[48];
        snprintf(tmp, sizeof(tmp), ".%s.tmp", l->self.id);
        size_t len = strlen(l->line);
        if (len > RUNLOCK_LINE_MAX)
                return bench_error_set(err, ENAMETOOLONG,
                                       "the run's record would be %zu bytes (at most %d): a shorter suite "
                                       "name or paths",
                                       len, RUNLOCK_LINE_MAX);
        int fd = openat(l->runs_fd, tmp, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY, 0600);
        if (fd < 0)
                return bench_error_errno(err, errno, "cannot create a record in %s/" RUNS_NAME, l->dir);
        int e = 0, w;
        if (flock(fd, LOCK_EX) < 0 || fchmod(fd, 0600) < 0)
                e = errno;
        else if ((w = bench_write_all(fd, l->line, len)) < 0)
                e = -w;
        else if (renameat(l->runs_fd, tmp, l->runs_fd, l->self.id) < 0)
                e = errno;
        if (e) {
                unlinkat(l->runs_fd, tmp, 0);
                close(fd);
                return bench_error_errno(err, e, "cannot write the record %s/" RUNS_NAME "/%s", l->dir,
                                         l->self.id);
        }
        l->rec_fd = fd;
        l->peers_off = len;
        return 0;
}

/*
 * The last run out removes the lock dir: bench leaves no temp dir behind.
 * Every run holds a shared flock on the dir from its open until it has
 * registered, or been refused (bench_enter_private_dir); this takes it
 * exclusive without waiting, so no run is between its look and its record.
 * Then dead runs' records go, runs/ if empty (a live run's record keeps
 * it), run.lock, and the dir if nothing else is in it (root's also holds
 * OCI and KSM records). A run that opened the dir before it went sees, once
 * it has the flock, that the path names another dir or none, and starts
 * over.
 */
static void remove_if_last(runlock *l) {
        if (flock(l->dir_fd, LOCK_EX | LOCK_NB) < 0 || !bench_fd_is_path(AT_FDCWD, l->dir, l->dir_fd))
                return;
        /* run.lock held by anyone else (a process that is no bench run, which the protocol does not bind)
         * stays */
        _cleanup_close_ int own = -1;
        int lock_fd = l->lock_fd;
        if (lock_fd < 0)
                lock_fd = own = openat(l->dir_fd, LOCK_NAME, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
        if (lock_fd < 0 ? errno != ENOENT : flock(lock_fd, LOCK_EX | LOCK_NB) < 0)
                return;
        /* a run that failed before it opened runs/ does not vouch for it: only an empty one goes */
        if (l->runs_fd >= 0)
                scan(l->runs_fd, NULL, NULL, 0);
        if (unlinkat(l->dir_fd, RUNS_NAME, AT_REMOVEDIR) < 0 && errno != ENOENT)
                return;
        unlinkat(l->dir_fd, LOCK_NAME, 0);
        rmdir(l->dir);
}

static void close_fds(runlock *l) {
        drop_fd(&l->rec_fd);
        drop_fd(&l->lock_fd);
        drop_fd(&l->runs_fd);
        drop_fd(&l->dir_fd);
}

static void runlock_free(runlock *l) {
        if (!l)
                return;
        for (runlock **p = &held; *p; p = &(*p)->next)
                if (*p == l) {
                        *p = l->next;
                        break;
                }
        /* the record goes before its flock: a look in between sees it held, never a stranger's */
        if (l->dir_fd >= 0 && getpid() == l->owner) {
                if (l->rec_fd >= 0)
                        unlinkat(l->runs_fd, l->self.id, 0);
                remove_if_last(l);
        }
        close_fds(l);
        for (size_t i = 0; i < l->n_seen; i++)
                runlock_rec_clear(&l->seen[i]);
        runlock_rec_clear(&l->self);
        free(l->line);
        free(l->dir);
        free(l);
}

static void runlock_freep(runlock **l) {
        runlock_free(*l);
}

void runlock_release(runlock *l) {
        runlock_free(l);
}

const char *runlock_default_dir(char *buf, size_t len) {
        if (geteuid() == 0)
                snprintf(buf, len, "%s", RUNLOCK_ROOT_DIR);
        else
                snprintf(buf, len, "/tmp/bench-%u", (unsigned)geteuid());
        return buf;
}

static int self_init(runlock *l, const char *suite, const char *suite_file, const char *output, bool allow) {
        uint64_t rnd = 0;
        if (getrandom(&rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd))
                rnd = bench_now_ns() ^ ((uint64_t)getpid() << 32);
        l->self = (runlock_rec){.pid = (int)getpid(), .allow_concurrent = allow};
        if (asprintf(&l->self.id, "%d-%016" PRIx64, (int)getpid(), rnd) < 0) {
                l->self.id = NULL;
                return -ENOMEM;
        }
        if (!(l->self.suite = strdup(suite ? suite : "")) ||
            !(l->self.suite_file = strdup(suite_file ? suite_file : "")) ||
            !(l->self.output = strdup(output ? output : "")) || !(l->self.started_at = bench_utc_now()) ||
            !(l->line = rec_line(&l->self)))
                return -ENOMEM;
        return 0;
}

/* Registers the run, or refuses it with every live run named. Holds the dir's shared flock throughout. */
static int attempt(runlock *l, bool allow, bench_error **err) {
        _cleanup_free_ char *runs_shown = NULL;
        if (asprintf(&runs_shown, "%s/" RUNS_NAME, l->dir) < 0)
                return bench_error_set(err, ENOMEM, "out of memory");
        if ((l->dir_fd = bench_enter_private_dir(l->dir, err)) < 0 ||
            (l->runs_fd = bench_open_private_dir(runs_shown, err)) < 0)
                return bench_error_prefix(err, "the lock of measuring runs");

        _cleanup_free_ live_run *live = calloc(RUNLOCK_MAX_SEEN, sizeof(*live));
        if (!live)
                return bench_error_set(err, ENOMEM, "out of memory");
        size_t n = 0;
        if (!allow) {
                int r = open_lock_file(l, err);
                if (r < 0)
                        return bench_error_prefix(err, "the lock of measuring runs");
                l->lock_fd = r;
                bool got = flock(l->lock_fd, LOCK_EX | LOCK_NB) == 0;
                if (!got && errno != EWOULDBLOCK)
                        return bench_error_errno(err, errno, "cannot lock %s/" LOCK_NAME, l->dir);
                /* the holder writes its record just after it took the lock: give it a moment */
                bool holder_seen = false;
                for (int waited = 0; !got; waited += HOLDER_STEP_MS) {
                        live_clear(live, n);
                        n = scan(l->runs_fd, NULL, live, RUNLOCK_MAX_SEEN);
                        for (size_t i = 0; i < n; i++)
                                holder_seen |= !live[i].readable || !live[i].rec.allow_concurrent;
                        if (holder_seen || waited >= HOLDER_WAIT_MS)
                                break;
                        nanosleep(&(struct timespec){.tv_nsec = HOLDER_STEP_MS * 1000000L}, NULL);
                        got = flock(l->lock_fd, LOCK_EX | LOCK_NB) == 0;
                }
                if (!got) {
                        int holder = holder_seen ? 0 : flock_holder(l->lock_fd);
                        r = busy(l, live, n, holder, !holder_seen, err);
                        live_clear(live, n);
                        return r;
                }
                live_clear(live, n);
                /* alone on the lock: runs with --allow-concurrent may still be measuring */
                n = scan(l->runs_fd, NULL, live, RUNLOCK_MAX_SEEN);
                if (n > 0) {
                        r = busy(l, live, n, 0, false, err);
                        live_clear(live, n);
                        return r;
                }
        }
        int r = register_self(l, err);
        if (r < 0)
                return r;
        /* whoever registers later sees the earlier one, and tells it */
        n = scan(l->runs_fd, l->self.id, live, RUNLOCK_MAX_SEEN);
        for (size_t i = 0; i < n; i++)
                if (live[i].readable) {
                        remember(l, &live[i].rec);
                        tell(l, live[i].name);
                }
        live_clear(live, n);
        return 0;
}

int runlock_acquire(const char *dir, const char *suite, const char *suite_file, const char *output,
                    unsigned flags, runlock **ret, bench_error **err) {
        char def[64];
        bool allow = flags & RUNLOCK_ALLOW_CONCURRENT;
        pthread_once(&atfork_once, register_atfork);
        _cleanup_(runlock_freep) runlock *l = calloc(1, sizeof(*l));
        if (!l)
                return bench_error_set(err, ENOMEM, "out of memory");
        *l = (runlock){.dir_fd = -1, .runs_fd = -1, .lock_fd = -1, .rec_fd = -1, .owner = getpid()};
        /* in the list at once: a child forked from here on does not inherit the fds */
        l->next = held;
        held = l;
        if (!(l->dir = strdup(dir ? dir : runlock_default_dir(def, sizeof(def)))) ||
            self_init(l, suite, suite_file, output, allow) < 0)
                return bench_error_set(err, ENOMEM, "out of memory");
        int r = attempt(l, allow, err);
        if (r < 0)
                return r; /* runlock_free leaves the dir as the last one out would */
        /* registered: our record keeps runs/ from now on, and the last one out may look */
        flock(l->dir_fd, LOCK_UN);
        *ret = steal_pointer(&l);
        return 0;
}

size_t runlock_seen(const runlock *l, const runlock_rec **ret) {
        *ret = l ? l->seen : NULL;
        return l ? l->n_seen : 0;
}

int runlock_update(runlock *l, res_file *f) {
        if (!l)
                return 0;
        if (getpid() == l->owner && l->runs_fd >= 0) {
                _cleanup_free_ live_run *live = calloc(RUNLOCK_MAX_SEEN, sizeof(*live));
                size_t n = live ? scan(l->runs_fd, l->self.id, live, RUNLOCK_MAX_SEEN) : 0;
                for (size_t i = 0; i < n; i++)
                        if (live[i].readable)
                                remember(l, &live[i].rec);
                if (live)
                        live_clear(live, n);
                read_appended(l);
        }
        res_concurrent runs[RUNLOCK_MAX_SEEN];
        for (size_t i = 0; i < l->n_seen; i++)
                runs[i] = (res_concurrent){.pid = l->seen[i].pid,
                                           .suite = l->seen[i].suite,
                                           .started_at = l->seen[i].started_at,
                                           .allow_concurrent = l->seen[i].allow_concurrent};
        f->allow_concurrent = l->self.allow_concurrent;
        return res_set_concurrent(f, runs, l->n_seen);
}
