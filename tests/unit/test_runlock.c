/* SPDX-License-Identifier: MIT */
/* harness/runlock.c: record parsing, refusal, registry, stale and hostile records, in a private dir. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../../common/cleanup.h"
#include "../../common/util.h"
#include "../../harness/runlock.h"

static char dir[64];

static int setup(void **state) {
        snprintf(dir, sizeof(dir), "/tmp/test_runlock.XXXXXX");
        assert_non_null(mkdtemp(dir));
        return 0;
}

static int teardown(void **state) {
        bench_rm_rf(dir, NULL);
        return 0;
}

static void parse_ok(const char *line, runlock_rec *r) {
        if (runlock_rec_parse(line, strlen(line), r) != 0)
                fail_msg("not parsed: %s", line);
}

static void parse_bad(const char *line, size_t len) {
        runlock_rec r;
        assert_int_equal(runlock_rec_parse(line, len, &r), -EBADMSG);
        assert_null(r.id);
}

static void test_parse(void **state) {
        runlock_rec r;
        parse_ok("{\"bench_run\":1,\"id\":\"42-0123456789abcdef\",\"pid\":42,\"suite\":\"q\\u001b[31m\","
                 "\"suite_file\":\"s.json\",\"output\":\"o.json\",\"started_at\":\"2026-12-02T01:00:00Z\","
                 "\"allow_concurrent\":true,\"later\":[1]}",
                 &r);
        assert_int_equal(r.pid, 42);
        assert_string_equal(r.id, "42-0123456789abcdef");
        assert_string_equal(r.suite, "q\033[31m"); /* kept as is: escaped where printed */
        assert_string_equal(r.suite_file, "s.json");
        assert_string_equal(r.output, "o.json");
        assert_string_equal(r.started_at, "2026-12-02T01:00:00Z");
        assert_true(r.allow_concurrent);
        runlock_rec_clear(&r);

        const char *good =
                "{\"bench_run\":1,\"id\":\"42-0123456789abcdef\",\"pid\":42,\"suite\":\"q\","
                "\"suite_file\":\"s\",\"output\":\"o\",\"started_at\":\"t\",\"allow_concurrent\":false}";
        parse_ok(good, &r);
        runlock_rec_clear(&r);
        const char *bad[] = {
                "",
                "garbage",
                "[1]",
                "{}",
                /* no marker */
                "{\"id\":\"42-0123456789abcdef\",\"pid\":42,\"suite\":\"q\",\"suite_file\":\"s\",\"output\":"
                "\"o\","
                "\"started_at\":\"t\",\"allow_concurrent\":false}",
                /* pid not the id's */
                "{\"bench_run\":1,\"id\":\"43-0123456789abcdef\",\"pid\":42,\"suite\":\"q\",\"suite_file\":"
                "\"s\","
                "\"output\":\"o\",\"started_at\":\"t\",\"allow_concurrent\":false}",
                /* a leading zero: the same pid under another name */
                "{\"bench_run\":1,\"id\":\"042-0123456789abcdef\",\"pid\":42,\"suite\":\"q\",\"suite_file\":"
                "\"s\","
                "\"output\":\"o\",\"started_at\":\"t\",\"allow_concurrent\":false}",
                /* id not a record name */
                "{\"bench_run\":1,\"id\":\"../42\",\"pid\":42,\"suite\":\"q\",\"suite_file\":\"s\","
                "\"output\":\"o\",\"started_at\":\"t\",\"allow_concurrent\":false}",
                /* types */
                "{\"bench_run\":1,\"id\":\"42-0123456789abcdef\",\"pid\":\"42\",\"suite\":\"q\",\"suite_"
                "file\":"
                "\"s\",\"output\":\"o\",\"started_at\":\"t\",\"allow_concurrent\":false}",
                "{\"bench_run\":1,\"id\":\"42-0123456789abcdef\",\"pid\":42,\"suite\":7,\"suite_file\":\"s\","
                "\"output\":\"o\",\"started_at\":\"t\",\"allow_concurrent\":false}",
                "{\"bench_run\":1,\"id\":\"42-0123456789abcdef\",\"pid\":42,\"suite\":\"q\",\"suite_file\":"
                "\"s\","
                "\"output\":\"o\",\"started_at\":\"t\",\"allow_concurrent\":0}",
                /* trailing text */
                "{\"bench_run\":1,\"id\":\"42-0123456789abcdef\",\"pid\":42,\"suite\":\"q\",\"suite_file\":"
                "\"s\","
                "\"output\":\"o\",\"started_at\":\"t\",\"allow_concurrent\":false} x",
        };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++)
                parse_bad(bad[i], strlen(bad[i]));
        /* a NUL inside, and a line over the bound */
        parse_bad("{\"bench_run\":1}\0", 16);
        char *huge = malloc(RUNLOCK_LINE_MAX + 2);
        assert_non_null(huge);
        memset(huge, ' ', RUNLOCK_LINE_MAX + 1);
        memcpy(huge, good, strlen(good));
        huge[RUNLOCK_LINE_MAX + 1] = '\0';
        parse_bad(huge, RUNLOCK_LINE_MAX + 1);
        free(huge);
        /* a suite name over its bound */
        char *longname = NULL;
        assert_true(
                asprintf(&longname,
                         "{\"bench_run\":1,\"id\":\"42-0123456789abcdef\",\"pid\":42,\"suite\":\"%01100d\","
                         "\"suite_file\":\"s\",\"output\":\"o\",\"started_at\":\"t\",\"allow_concurrent\":"
                         "false}",
                         0) > 0);
        parse_bad(longname, strlen(longname));
        free(longname);
}

static int acquire(const char *suite, unsigned flags, runlock **ret, char **ret_msg) {
        bench_error *err = NULL;
        *ret = NULL;
        int r = runlock_acquire(dir, suite, "suites/s.json", "out.json", flags, ret, &err);
        if (ret_msg)
                *ret_msg = err && err->msg ? strdup(err->msg) : NULL;
        bench_error_free(err);
        return r;
}

/* The names in dir/runs. */
static size_t count_records(void) {
        char path[128];
        snprintf(path, sizeof(path), "%s/runs", dir);
        DIR *d = opendir(path);
        if (!d)
                return 0;
        size_t n = 0;
        struct dirent *de;
        while ((de = readdir(d)))
                n += de->d_name[0] != '.';
        closedir(d);
        return n;
}

static void expect_in(const char *msg, const char *needle) {
        if (!msg || !strstr(msg, needle))
                fail_msg("`%s` is not in `%s`", needle, msg ? msg : "(none)");
}

static void test_refused_and_concurrent(void **state) {
        runlock *a, *b, *c, *d;
        char *msg = NULL, pidtext[32];
        snprintf(pidtext, sizeof(pidtext), "pid %d, suite first", (int)getpid());

        assert_int_equal(acquire("first", 0, &a, NULL), 0);
        assert_int_equal(count_records(), 1);
        /* a second without the flag: refused, naming the first; nothing registered */
        assert_int_equal(acquire("second", 0, &b, &msg), -EBUSY);
        assert_null(b);
        expect_in(msg, "another run is measuring on this host: ");
        expect_in(msg, pidtext);
        expect_in(msg, "(suites/s.json → out.json), started 20");
        free(msg);
        assert_int_equal(count_records(), 1);

        /* with the flag: measures, and each knows the other */
        assert_int_equal(acquire("third", RUNLOCK_ALLOW_CONCURRENT, &c, NULL), 0);
        const runlock_rec *seen;
        assert_int_equal(runlock_seen(c, &seen), 1);
        assert_string_equal(seen[0].suite, "first");
        assert_false(seen[0].allow_concurrent);
        res_file *f = res_file_new();
        assert_int_equal(runlock_update(a, f), 0);
        assert_false(f->allow_concurrent);
        assert_int_equal(f->n_concurrent, 1);
        assert_string_equal(f->concurrent[0].suite, "third");
        assert_true(f->concurrent[0].allow_concurrent);
        assert_int_equal(f->concurrent[0].pid, getpid());
        assert_int_equal(runlock_update(c, f), 0);
        assert_true(f->allow_concurrent);
        assert_int_equal(f->n_concurrent, 1);
        assert_string_equal(f->concurrent[0].suite, "first");

        /* the first gone, a run without the flag is refused by the one with it */
        runlock_release(a);
        assert_int_equal(acquire("fourth", 0, &d, &msg), -EBUSY);
        expect_in(msg, "suite third");
        expect_in(msg, ", with --allow-concurrent");
        free(msg);
        runlock_release(c);
        assert_int_equal(count_records(), 0);
        assert_int_equal(acquire("fifth", 0, &d, NULL), 0);
        runlock_release(d);
        assert_int_equal(count_records(), 0);
        res_file_free(f);
}

/* A run that came and went between two looks of the first is still in the first's result. */
static void test_short_peer(void **state) {
        runlock *a, *c;
        assert_int_equal(acquire("long", 0, &a, NULL), 0);
        res_file *f = res_file_new();
        assert_int_equal(runlock_update(a, f), 0);
        assert_int_equal(f->n_concurrent, 0);
        assert_int_equal(acquire("short", RUNLOCK_ALLOW_CONCURRENT, &c, NULL), 0);
        runlock_release(c);
        assert_int_equal(count_records(), 1);
        assert_int_equal(runlock_update(a, f), 0);
        assert_int_equal(f->n_concurrent, 1);
        assert_string_equal(f->concurrent[0].suite, "short");
        /* remembered, not counted twice */
        assert_int_equal(runlock_update(a, f), 0);
        assert_int_equal(f->n_concurrent, 1);
        runlock_release(a);
        res_file_free(f);
}

/* fd of path in /proc/pid/fd? */
static bool has_open(pid_t pid, const char *prefix) {
        char path[64], target[512];
        snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
        DIR *d = opendir(path);
        bool found = false;
        struct dirent *de;
        while (d && (de = readdir(d))) {
                char link[400];
                snprintf(link, sizeof(link), "%s/%s", path, de->d_name);
                ssize_t n = readlink(link, target, sizeof(target) - 1);
                if (n > 0) {
                        target[n] = '\0';
                        found |= !strncmp(target, prefix, strlen(prefix));
                }
        }
        if (d)
                closedir(d);
        return found;
}

/*
 * A run killed outright: its flocks go with it, even though a child it
 * forked (without exec) lives on; the next run takes the lock over and
 * removes the dead run's record.
 */
static void test_killed_with_child(void **state) {
        int p[2];
        assert_int_equal(pipe(p), 0);
        pid_t child = fork();
        assert_true(child >= 0);
        if (child == 0) {
                runlock *l;
                if (acquire("killed", 0, &l, NULL) < 0)
                        _exit(1);
                /* the grandchild says its pid once fork() returned in it (its fork handlers ran) */
                if (fork() == 0) {
                        pid_t me = getpid();
                        (void)!write(p[1], &me, sizeof(me));
                        pause();
                        _exit(0);
                }
                raise(SIGKILL);
                _exit(2);
        }
        close(p[1]);
        pid_t gc = 0;
        assert_int_equal(read(p[0], &gc, sizeof(gc)), sizeof(gc));
        close(p[0]);
        int status;
        assert_int_equal(waitpid(child, &status, 0), child);
        bool killed = WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
        bool alive = kill(gc, 0) == 0, inherited = has_open(gc, dir);
        size_t left = count_records();

        runlock *l = NULL;
        char *msg = NULL;
        int r = acquire("next", 0, &l, &msg);
        kill(gc, SIGKILL);
        assert_true(killed);
        assert_true(alive);
        assert_false(inherited);
        assert_int_equal(left, 1);
        if (r != 0)
                fail_msg("the next run was refused: %s", msg ? msg : "?");
        assert_int_equal(count_records(), 1); /* its own; the dead run's was removed */
        runlock_release(l);
        free(msg);
}

static int hold(const char *name, int *ret_fd, const char *content, size_t len) {
        char path[256];
        snprintf(path, sizeof(path), "%s/%s", dir, name);
        int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
        if (fd < 0)
                return -errno;
        if (content && bench_write_all(fd, content, len) < 0)
                return -EIO;
        *ret_fd = fd;
        return flock(fd, LOCK_EX | LOCK_NB) < 0 ? -errno : 0;
}

/* Records another process (another user of the dir) wrote: garbage, escapes, huge; held or not. */
static void test_hostile(void **state) {
        runlock *l;
        char *msg = NULL;
        /* the dirs as a run makes them (the last run out removes them) */
        char runs[128];
        snprintf(runs, sizeof(runs), "%s/runs", dir);
        assert_int_equal(mkdir(runs, 0700), 0);

        /* held garbage: refused, with the pid its name says and no raw escape */
        size_t big = 200000;
        char *junk = malloc(big);
        assert_non_null(junk);
        memset(junk, 'A', big);
        memcpy(junk, "\033]0;pwned\007\033[2J\n", 16);
        int fd = -1;
        assert_int_equal(hold("runs/99-00000000000000aa", &fd, junk, big), 0);
        assert_int_equal(acquire("y", 0, &l, &msg), -EBUSY);
        expect_in(msg, "pid 99 (its record ");
        expect_in(msg, "/runs/99-00000000000000aa is not one bench wrote)");
        assert_null(strchr(msg, '\033'));
        free(msg);
        /* valid JSON with escapes and a wrong size claim: printed escaped */
        const char *esc =
                "{\"bench_run\":1,\"id\":\"98-00000000000000bb\",\"pid\":98,\"suite\":\"\\u001b]0;t\\u0007\","
                "\"suite_file\":\"\\u001b[2J\",\"output\":\"o\\n\",\"started_at\":\"t\","
                "\"allow_concurrent\":true}\n";
        int fd2 = -1;
        assert_int_equal(hold("runs/98-00000000000000bb", &fd2, esc, strlen(esc)), 0);
        assert_int_equal(acquire("y", 0, &l, &msg), -EBUSY);
        expect_in(msg, "2 other runs are measuring on this host");
        expect_in(msg,
                  "pid 98, suite \\x1b]0;t\\x07 (\\x1b[2J → o\\x0a), started t, with --allow-concurrent");
        assert_null(strchr(msg, '\033'));
        assert_null(strchr(msg, '\n'));
        free(msg);
        close(fd2);

        /* a name that is not a record's: never read, never removed */
        int fd3 = -1;
        assert_int_equal(hold("runs/notes", &fd3, "x", 1), 0);
        close(fd3);

        /* nobody holds them any more: stale, removed, and the run goes ahead */
        close(fd);
        free(junk);
        assert_int_equal(acquire("z", 0, &l, NULL), 0);
        char path[256];
        snprintf(path, sizeof(path), "%s/runs/99-00000000000000aa", dir);
        assert_int_equal(access(path, F_OK), -1);
        snprintf(path, sizeof(path), "%s/runs/98-00000000000000bb", dir);
        assert_int_equal(access(path, F_OK), -1);
        snprintf(path, sizeof(path), "%s/runs/notes", dir);
        assert_int_equal(access(path, F_OK), 0);
        runlock_release(l);
        unlink(path);

        /* run.lock held by something that left no record: refused after a moment, /proc/locks names it */
        assert_int_equal(hold("run.lock", &fd, NULL, 0), 0);
        uint64_t t0 = bench_now_ns();
        assert_int_equal(acquire("w", 0, &l, &msg), -EBUSY);
        assert_true(bench_now_ns() - t0 >= 900000000ull);
        char pidtext[128];
        snprintf(pidtext, sizeof(pidtext),
                 "/run.lock but left no record of a bench run (the lock was taken by pid %d)", (int)getpid());
        expect_in(msg, "another run is measuring on this host: a process holds ");
        expect_in(msg, pidtext);
        free(msg);
        /* the refused run out leaves a run.lock it could not take: the next run is refused too */
        char lock_path[128];
        snprintf(lock_path, sizeof(lock_path), "%s/run.lock", dir);
        assert_true(bench_fd_is_path(AT_FDCWD, lock_path, fd));
        assert_int_equal(acquire("w", 0, &l, &msg), -EBUSY);
        free(msg);
        /* --allow-concurrent does not look at run.lock */
        assert_int_equal(acquire("v", RUNLOCK_ALLOW_CONCURRENT, &l, NULL), 0);
        runlock_release(l);
        close(fd);
}

static bool exists(const char *name) {
        char path[256];
        snprintf(path, sizeof(path), "%s%s%s", dir, name[0] ? "/" : "", name);
        return access(path, F_OK) == 0;
}

/*
 * The last run out removes the lock dir (bench leaves no temp dir), and
 * only the last: not while a run with --allow-concurrent is registered,
 * not a file bench did not make; a killed run's record goes with the next.
 */
static void test_last_out_removes(void **state) {
        runlock *a, *c;
        assert_int_equal(acquire("a", 0, &a, NULL), 0);
        assert_true(exists("runs") && exists("run.lock"));
        runlock_release(a);
        assert_false(exists(""));

        /* two: the first out leaves it, the second removes it, whichever kind each is */
        assert_int_equal(acquire("a", 0, &a, NULL), 0);
        assert_int_equal(acquire("c", RUNLOCK_ALLOW_CONCURRENT, &c, NULL), 0);
        runlock_release(a);
        assert_true(exists("runs") && count_records() == 1);
        runlock_release(c);
        assert_false(exists(""));
        assert_int_equal(acquire("c", RUNLOCK_ALLOW_CONCURRENT, &c, NULL), 0);
        assert_int_equal(acquire("a", RUNLOCK_ALLOW_CONCURRENT, &a, NULL), 0);
        runlock_release(c);
        assert_true(exists("runs"));
        runlock_release(a);
        assert_false(exists(""));

        /* a refused run leaves the holder's dir, and the holder removes it */
        char *msg = NULL;
        assert_int_equal(acquire("a", 0, &a, NULL), 0);
        assert_int_equal(acquire("b", 0, &c, &msg), -EBUSY);
        free(msg);
        assert_true(exists("runs") && exists("run.lock") && count_records() == 1);
        runlock_release(a);
        assert_false(exists(""));

        /* a killed run leaves its record; the next run out removes it and the dir */
        pid_t child = fork();
        assert_true(child >= 0);
        if (child == 0) {
                runlock *l;
                if (acquire("killed", 0, &l, NULL) < 0)
                        _exit(1);
                raise(SIGKILL);
                _exit(2);
        }
        int status;
        assert_int_equal(waitpid(child, &status, 0), child);
        assert_true(WIFSIGNALED(status));
        assert_int_equal(count_records(), 1);
        assert_int_equal(acquire("a", RUNLOCK_ALLOW_CONCURRENT, &a, NULL), 0);
        runlock_release(a);
        assert_false(exists(""));

        /* something else in the dir: runs/ and run.lock go, the dir and that file stay */
        assert_int_equal(acquire("a", 0, &a, NULL), 0);
        char path[256];
        snprintf(path, sizeof(path), "%s/notes", dir);
        int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        assert_true(fd >= 0);
        close(fd);
        runlock_release(a);
        assert_true(exists("notes"));
        assert_false(exists("runs") || exists("run.lock"));
        unlink(path);
}

/*
 * Runs starting and ending at once while the last one out removes the
 * dir: four processes, 300 runs each, half with --allow-concurrent. No run
 * fails but by a refusal (-EBUSY), and two runs without the flag never
 * hold the lock at once (a run that took the flock of a run.lock removed
 * meanwhile would).
 */
static void test_removal_race(void **state) {
        int *shared = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
        assert_true(shared != MAP_FAILED);
        enum { HOLDERS, OVERLAPS, ERRORS, MEASURED, PROCS = 4, RUNS = 300 };
        pid_t kids[PROCS];
        for (int k = 0; k < PROCS; k++) {
                kids[k] = fork();
                assert_true(kids[k] >= 0);
                if (kids[k] > 0)
                        continue;
                for (int i = 0; i < RUNS; i++) {
                        bool allow = (i + k) % 2;
                        runlock *l;
                        char *msg = NULL;
                        int r = acquire("race", allow ? RUNLOCK_ALLOW_CONCURRENT : 0, &l, &msg);
                        if (r == 0 && !allow) {
                                if (__atomic_fetch_add(&shared[HOLDERS], 1, __ATOMIC_SEQ_CST) != 0)
                                        __atomic_fetch_add(&shared[OVERLAPS], 1, __ATOMIC_SEQ_CST);
                                sched_yield();
                                __atomic_fetch_sub(&shared[HOLDERS], 1, __ATOMIC_SEQ_CST);
                        }
                        if (r == 0)
                                __atomic_fetch_add(&shared[MEASURED], 1, __ATOMIC_SEQ_CST);
                        else if (r != -EBUSY) {
                                fprintf(stderr, "run failed: %d %s\n", r, msg ? msg : "?");
                                __atomic_fetch_add(&shared[ERRORS], 1, __ATOMIC_SEQ_CST);
                        }
                        free(msg);
                        runlock_release(r == 0 ? l : NULL);
                }
                _exit(0);
        }
        for (int k = 0; k < PROCS; k++) {
                int status;
                assert_int_equal(waitpid(kids[k], &status, 0), kids[k]);
                assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
        }
        assert_int_equal(shared[ERRORS], 0);
        assert_int_equal(shared[OVERLAPS], 0);
        assert_true(shared[MEASURED] > RUNS); /* most ran: the test did race */
        assert_false(exists(""));
        munmap(shared, 4096);
}

/* The dirs and run.lock must be ours, private, and no symlinks. */
static void test_dir_checks(void **state) {
        runlock *l;
        char *msg = NULL, path[256], other[256];
        assert_int_equal(chmod(dir, 0755), 0);
        assert_int_equal(acquire("x", 0, &l, &msg), -EPERM);
        expect_in(msg, "is not a 0700 directory of uid");
        free(msg);
        assert_int_equal(chmod(dir, 0700), 0);

        snprintf(other, sizeof(other), "%s/elsewhere", dir);
        assert_int_equal(mkdir(other, 0700), 0);
        snprintf(path, sizeof(path), "%s/runs", dir);
        assert_int_equal(symlink(other, path), 0);
        /* O_NOFOLLOW|O_DIRECTORY on a symlink: ENOTDIR */
        assert_true(acquire("x", 0, &l, &msg) < 0);
        expect_in(msg, "/runs is a symbolic link");
        free(msg);
        unlink(path);

        snprintf(path, sizeof(path), "%s/run.lock", dir);
        snprintf(other, sizeof(other), "%s/target", dir);
        assert_int_equal(symlink(other, path), 0);
        assert_int_equal(acquire("x", 0, &l, &msg), -ELOOP);
        expect_in(msg, "run.lock is a symbolic link: remove it");
        free(msg);
        assert_int_equal(access(other, F_OK), -1); /* not created through the link */
        unlink(path);

        snprintf(path, sizeof(path), "%s/link", dir);
        assert_int_equal(symlink(dir, path), 0);
        bench_error *err = NULL;
        assert_int_equal(runlock_acquire(path, "x", "s", "o", 0, &l, &err), -ELOOP);
        bench_error_free(err);
        unlink(path);

        assert_int_equal(acquire("x", 0, &l, NULL), 0);
        runlock_release(l);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_parse),
                cmocka_unit_test_setup_teardown(test_refused_and_concurrent, setup, teardown),
                cmocka_unit_test_setup_teardown(test_short_peer, setup, teardown),
                cmocka_unit_test_setup_teardown(test_killed_with_child, setup, teardown),
                cmocka_unit_test_setup_teardown(test_hostile, setup, teardown),
                cmocka_unit_test_setup_teardown(test_dir_checks, setup, teardown),
                cmocka_unit_test_setup_teardown(test_last_out_removes, setup, teardown),
                cmocka_unit_test_setup_teardown(test_removal_race, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
