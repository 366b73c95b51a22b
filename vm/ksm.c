/* SPDX-License-Identifier: MIT */
/*
 * KSM (kernel samepage merging) for VM configurations. QEMU marks guest RAM
 * MADV_MERGEABLE (libvirt only turns that off with <nosharepages/>, which
 * bench's domain XML does not set), so whether identical guest pages are
 * merged depends on the host's ksmd: /sys/kernel/mm/ksm/run. A configuration
 * with `ksm: on|off` sets it for as long as one of its environments exists:
 * the first one saves the host's values in a record and sets them, the last
 * one restores them (a refcount: environments that run together share one
 * activation). The record is what survives a SIGKILLed bench: the next
 * bench's reap_stale restores the values it holds once its owner is gone.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../common/cleanup.h"
#include "../common/util.h"
#include "vm-internal.h"

#define KSM_DIR "/sys/kernel/mm/ksm"
#define RECORD_DIR BENCH_RUN_DIR
#define RECORD_NAME "ksm.saved"
#define RECORD_MAGIC "bench ksm.saved v1"

/*
 * `on`: ksmd wakes every 20 ms (the kernel's default) and scans 1000 pages
 * each time (the default is 100): 50,000 pages/s, about 195 MiB/s, so one
 * pass over a 256 MiB guest takes ~1.3 s and a page that stays the same is
 * merged within two passes (a page enters the unstable tree only when its
 * checksum did not change since the last pass), i.e. within a memory
 * workload's hold rather than after the run. At the default rate a pass
 * over the same guest takes 13 s. The price is ksmd's CPU time, which
 * grows with the mergeable memory (here 0.52 s of CPU in an 8.2 s run of
 * one 256 MiB TCG guest, ~6% of a core) and which the figures of a ksm: on
 * configuration include, as they would on a host packing VMs with KSM.
 */
#define ON_PAGES_TO_SCAN 1000
#define ON_SLEEP_MS 20

/* The values bench sets and restores; merge_across_nodes is only recorded (it can change only unmerged). */
typedef struct ksm_values {
        long run, pages_to_scan, sleep_millisecs;
} ksm_values;

static struct {
        unsigned refs;
        vm_ksm_mode mode;
        ksm_values saved;
        bool atexit_set;
        pid_t pid; /* the holder: a forked child that calls exit() must not restore */
} held;

static long read_long(const char *name) {
        char path[128];
        snprintf(path, sizeof(path), KSM_DIR "/%s", name);
        _cleanup_free_ char *s = NULL;
        if (bench_read_file(path, &s, NULL, NULL) < 0)
                return -1;
        char *end;
        errno = 0;
        long v = strtol(s, &end, 10);
        return errno || end == s || v < 0 ? -1 : v;
}

void vm_ksm_read(vm_ksm_state *ret) {
        *ret = (vm_ksm_state){
                .present = access(KSM_DIR "/run", F_OK) == 0,
                .run = read_long("run"),
                .pages_to_scan = read_long("pages_to_scan"),
                .sleep_millisecs = read_long("sleep_millisecs"),
                .merge_across_nodes = read_long("merge_across_nodes"),
                .pages_shared = read_long("pages_shared"),
                .pages_sharing = read_long("pages_sharing"),
                .zero_pages = read_long("ksm_zero_pages"),
                .full_scans = read_long("full_scans"),
        };
}

static int write_long(const char *name, long v, bench_error **err) {
        char path[128], buf[32];
        snprintf(path, sizeof(path), KSM_DIR "/%s", name);
        int n = snprintf(buf, sizeof(buf), "%ld\n", v);
        _cleanup_close_ int fd = open(path, O_WRONLY | O_CLOEXEC);
        if (fd < 0 || bench_write_all(fd, buf, (size_t)n) < 0)
                return bench_error_errno(err, errno, "cannot write %ld to %s", v, path);
        return 0;
}

/* run last: ksmd (re)starts with its rate already in place */
static int write_values(const ksm_values *v, bench_error **err) {
        int r = write_long("pages_to_scan", v->pages_to_scan, err);
        if (r == 0)
                r = write_long("sleep_millisecs", v->sleep_millisecs, err);
        if (r == 0)
                r = write_long("run", v->run, err);
        return r;
}

/* A process's start time (clock ticks since boot, /proc/PID/stat field 22): with the pid, who it is. */
static unsigned long long start_time(int pid) {
        char path[64];
        snprintf(path, sizeof(path), "/proc/%d/stat", pid);
        _cleanup_free_ char *s = NULL;
        if (bench_read_file(path, &s, NULL, NULL) < 0)
                return 0;
        /* after the command's closing parenthesis (a name may hold spaces and parentheses) */
        const char *p = strrchr(s, ')');
        unsigned long long t = 0;
        if (!p ||
            sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d %*d %*d %*d %*d %llu",
                   &t) != 1)
                return 0;
        return t;
}

typedef struct ksm_record {
        int pid;
        unsigned long long start;
        ksm_values v;
} ksm_record;

/*
 * The record dir: root's own, not a symlink, nobody else may write in it.
 * An fd, entered (bench_enter_private_dir: the last run out does not remove
 * it under us), or -errno.
 */
static int record_dir(bench_error **err) {
        return bench_enter_private_dir(RECORD_DIR, err);
}

/*
 * Reads and verifies the record: a regular file of ours (uid, mode 0600,
 * one link, small), not a symlink, in bench's exact format with values the
 * kernel could have had. -ENOENT: none; -EBADMSG: not one bench wrote.
 */
static int record_read(int dirfd, ksm_record *ret, bench_error **err) {
        _cleanup_close_ int fd = openat(dirfd, RECORD_NAME, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
        if (fd < 0 && errno == ENOENT)
                return -ENOENT;
        if (fd < 0 && errno == ELOOP)
                return bench_error_set(err, EBADMSG,
                                       RECORD_DIR "/" RECORD_NAME
                                                  " is a symbolic link, not a record of bench's: "
                                                  "remove it");
        if (fd < 0)
                return bench_error_errno(err, errno, "cannot open " RECORD_DIR "/" RECORD_NAME);
        struct stat st;
        char buf[512];
        ssize_t n = -1;
        if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_uid == geteuid() &&
            (st.st_mode & 07777) == 0600 && st.st_nlink == 1 && st.st_size < (off_t)sizeof(buf))
                n = read(fd, buf, sizeof(buf) - 1);
        ksm_record rec = {0};
        int used = 0;
        if (n > 0) {
                buf[n] = '\0';
                if (sscanf(buf,
                           RECORD_MAGIC "\npid %d %llu\nrun %ld\npages_to_scan %ld\nsleep_millisecs %ld\n%n",
                           &rec.pid, &rec.start, &rec.v.run, &rec.v.pages_to_scan, &rec.v.sleep_millisecs,
                           &used) != 5)
                        used = 0;
        }
        if (used == 0 || used != n || rec.pid <= 0 || rec.start == 0 || rec.v.run < 0 || rec.v.run > 2 ||
            rec.v.pages_to_scan < 1 || rec.v.pages_to_scan > 1000000 || rec.v.sleep_millisecs < 0 ||
            rec.v.sleep_millisecs > 3600000)
                return bench_error_set(err, EBADMSG,
                                       RECORD_DIR
                                       "/" RECORD_NAME
                                       " is not a record of bench's (a regular file of uid %u, mode 0600, in "
                                       "its format): remove it, after setting " KSM_DIR
                                       "/run, pages_to_scan and sleep_millisecs as the host should have them",
                                       (unsigned)geteuid());
        *ret = rec;
        return 0;
}

static bool owner_alive(const ksm_record *rec) {
        return start_time(rec->pid) == rec->start;
}

/*
 * Written beside, then linked to its name: link fails if a record exists
 * (as O_EXCL would), and no reader ever sees a half-written one.
 */
static int record_write(int dirfd, const ksm_values *v, bench_error **err) {
        char buf[256];
        int n = snprintf(buf, sizeof(buf),
                         RECORD_MAGIC "\npid %d %llu\nrun %ld\npages_to_scan %ld\nsleep_millisecs %ld\n",
                         (int)getpid(), start_time(getpid()), v->run, v->pages_to_scan, v->sleep_millisecs);
        _cleanup_free_ char *tmp = NULL;
        int fd = bench_tmpfile_open(dirfd, RECORD_NAME, 0600, &tmp, err);
        if (fd < 0)
                return fd;
        int e = 0;
        if (fchmod(fd, 0600) < 0 || bench_write_all(fd, buf, (size_t)n) < 0 || fsync(fd) < 0)
                e = errno;
        close(fd);
        if (!e && linkat(dirfd, tmp, dirfd, RECORD_NAME, 0) < 0)
                e = errno;
        unlinkat(dirfd, tmp, 0);
        if (e)
                return bench_error_errno(err, e, "cannot write " RECORD_DIR "/" RECORD_NAME);
        return 0;
}

/* A record whose bench is gone: its values back, then the record. 0 also if there is none. */
static int restore_dead(int dirfd, bench_error **err) {
        ksm_record rec;
        int r = record_read(dirfd, &rec, err);
        if (r == -ENOENT)
                return 0;
        if (r < 0)
                return r;
        if (owner_alive(&rec))
                return bench_error_set(err, EBUSY,
                                       "bench pid %d holds the host's KSM settings (" RECORD_DIR
                                       "/" RECORD_NAME "): wait for it, or use ksm: host",
                                       rec.pid);
        if ((r = write_values(&rec.v, err)) < 0)
                return bench_error_prefix(err, "restoring the KSM settings of dead bench pid %d", rec.pid);
        if (unlinkat(dirfd, RECORD_NAME, 0) < 0 && errno != ENOENT)
                return bench_error_errno(err, errno, "cannot remove " RECORD_DIR "/" RECORD_NAME);
        return 0;
}

void vm_ksm_reap_stale(void) {
        if (geteuid() != 0 || access(RECORD_DIR "/" RECORD_NAME, F_OK) < 0)
                return;
        _cleanup_close_ int dirfd = record_dir(NULL);
        if (dirfd >= 0 && restore_dead(dirfd, NULL) == 0)
                bench_leave_private_dir(dirfd, RECORD_DIR);
}

vm_ksm_mode vm_ksm_mode_parse(const char *s) {
        return !strcmp(s, "on") ? VM_KSM_ON : !strcmp(s, "off") ? VM_KSM_OFF : VM_KSM_HOST;
}

const char *vm_ksm_mode_name(vm_ksm_mode m) {
        return m == VM_KSM_ON ? "on" : m == VM_KSM_OFF ? "off" : "host";
}

int vm_ksm_check(vm_ksm_mode mode, bench_error **err) {
        if (mode == VM_KSM_HOST)
                return 0;
        if (access(KSM_DIR "/run", F_OK) < 0)
                return bench_error_set(err, ENOENT,
                                       "ksm `%s`: this kernel has no KSM (" KSM_DIR
                                       " is missing: CONFIG_KSM); use ksm: host",
                                       vm_ksm_mode_name(mode));
        if (geteuid() != 0 || access(KSM_DIR "/run", W_OK) < 0)
                return bench_error_set(err, EPERM,
                                       "ksm `%s`: setting " KSM_DIR
                                       "/run needs root; run bench as root or use "
                                       "ksm: host",
                                       vm_ksm_mode_name(mode));
        return 0;
}

static void release_all(void) {
        if (held.refs == 0 || getpid() != held.pid)
                return;
        held.refs = 1;
        vm_ksm_release(held.mode);
}

int vm_ksm_acquire(vm_ksm_mode mode, bench_error **err) {
        if (mode == VM_KSM_HOST)
                return 0;
        if (held.refs > 0) {
                if (held.mode != mode)
                        return bench_error_set(err, EBUSY,
                                               "ksm `%s` while another environment of this run has ksm `%s`: "
                                               "configurations that run at the same time must agree",
                                               vm_ksm_mode_name(mode), vm_ksm_mode_name(held.mode));
                held.refs++;
                return 0;
        }
        int r = vm_ksm_check(mode, err);
        if (r < 0)
                return r;
        _cleanup_close_ int dirfd = record_dir(err);
        if (dirfd < 0)
                return dirfd;
        if ((r = restore_dead(dirfd, err)) < 0)
                return r;
        vm_ksm_state now;
        vm_ksm_read(&now);
        ksm_values saved = {now.run, now.pages_to_scan, now.sleep_millisecs};
        if (saved.run < 0 || saved.pages_to_scan < 1 || saved.sleep_millisecs < 0)
                return bench_error_set(err, EIO,
                                       "cannot read " KSM_DIR "/run, pages_to_scan, sleep_millisecs");
        if ((r = record_write(dirfd, &saved, err)) < 0)
                return r;
        ksm_values want = mode == VM_KSM_ON ? (ksm_values){1, ON_PAGES_TO_SCAN, ON_SLEEP_MS}
                                            : (ksm_values){0, saved.pages_to_scan, saved.sleep_millisecs};
        if ((r = write_values(&want, err)) < 0) {
                write_values(&saved, NULL);
                unlinkat(dirfd, RECORD_NAME, 0);
                return bench_error_prefix(err, "ksm `%s`", vm_ksm_mode_name(mode));
        }
        held.refs = 1;
        held.mode = mode;
        held.saved = saved;
        held.pid = getpid();
        /* an exit without teardown (an error path, exit() in a library) still restores */
        if (!held.atexit_set && atexit(release_all) == 0)
                held.atexit_set = true;
        return 0;
}

void vm_ksm_release(vm_ksm_mode mode) {
        if (mode == VM_KSM_HOST || held.refs == 0 || --held.refs > 0)
                return;
        /* a restore that failed keeps the record: the next bench's reap_stale tries again */
        if (write_values(&held.saved, NULL) < 0)
                return;
        _cleanup_close_ int dirfd = record_dir(NULL);
        ksm_record rec;
        /* only our own record */
        if (dirfd >= 0 && record_read(dirfd, &rec, NULL) == 0 && rec.pid == (int)getpid() &&
            unlinkat(dirfd, RECORD_NAME, 0) == 0)
                bench_leave_private_dir(dirfd, RECORD_DIR); /* if ours was the last entry */
}

int vm_ksm_settle(unsigned passes, int timeout_ms) {
        long start = read_long("full_scans");
        if (start < 0)
                return -ENOENT;
        uint64_t deadline = bench_now_ns() + (uint64_t)timeout_ms * 1000000ull;
        /* ksmd tells no one when a pass ends (no sysfs_notify): look every 50 ms */
        while (read_long("full_scans") < start + (long)passes) {
                if (bench_now_ns() >= deadline)
                        return -ETIMEDOUT;
                nanosleep(&(struct timespec){.tv_nsec = 50 * 1000000L}, NULL);
        }
        return 0;
}
