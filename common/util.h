/* SPDX-License-Identifier: MIT */
#pragma once

#include <dirent.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "error.h"

/* CLOCK_MONOTONIC in nanoseconds. */
uint64_t bench_now_ns(void);
/*
 * pthread_create with every signal blocked in the new thread: a helper
 * thread (libvirt's event loop, a reader) must not take the harness's
 * SIGINT, which is how a blocked call in the main thread learns of Ctrl-C.
 * 0 or a positive errno, as pthread_create.
 */
int bench_thread_start(void *thread, void *(*fn)(void *), void *arg);
/* The wall clock as RFC 3339 UTC ("2026-12-02T01:00:00Z"), malloc'd; NULL out of memory. */
char *bench_utc_now(void);
static inline double bench_ns_to_ms(uint64_t ns) {
        return (double)ns / 1e6;
}

/*
 * Sizes as users write them: "4096", "64K", "64KiB", "64M", "1G", "1.5G"
 * (binary multiples, case-insensitive, optional "B"/"iB"). 0 or -EINVAL.
 */
int bench_parse_size(const char *s, uint64_t *ret_bytes);
/* Formats bytes the same way ("64M"); buf of at least 32 bytes. */
const char *bench_format_size(uint64_t bytes, char *buf, size_t len);
/* Durations: "250ms", "2s", "1.5s", "100us", plain numbers are ms. */
int bench_parse_duration_ms(const char *s, double *ret_ms);
/* Non-negative integers with range checking. */
int bench_parse_uint(const char *s, uint64_t max, uint64_t *ret);

/* Damerau–Levenshtein (optimal string alignment) edit distance. */
size_t bench_edit_distance(const char *a, const char *b);
/* The candidate closest to word, or NULL if none is close enough. */
const char *bench_did_you_mean(const char *word, const char *const *candidates, size_t n);

/* Whole-file read (NUL-terminated) and atomic replace (tmp + fsync + rename). */
int bench_read_file(const char *path, char **ret_data, size_t *ret_len, bench_error **err);
/* Whether this process has capability cap (CAP_SYS_ADMIN) in its effective set, per /proc/self/status. */
bool bench_cap_effective(unsigned cap);
/*
 * The regular file name in dirfd, never through a symlink (-ELOOP) nor a FIFO or device (-EINVAL), at
 * most max bytes (0: no limit; -EFBIG beyond). shown names it in messages.
 */
int bench_read_regular_at(int dirfd, const char *name, const char *shown, size_t max, char **ret_data,
                          size_t *ret_len, bench_error **err);
int bench_write_file_atomic(const char *path, const char *data, size_t len, bench_error **err);
/* The same relative to dirfd (AT_FDCWD for none), with the file's mode. */
int bench_write_file_atomic_at(int dirfd, const char *path, const char *data, size_t len, unsigned mode,
                               bench_error **err);

/*
 * A new file beside path (dirfd-relative), to be renamed over it: named
 * `.BASE.tmp-RANDOM` and opened O_CREAT|O_EXCL|O_NOFOLLOW|O_CLOEXEC, so a
 * file or symlink planted at a guessed name is never written through.
 * Returns the fd (O_WRONLY) and *ret_tmp, the temp path (caller frees).
 */
int bench_tmpfile_open(int dirfd, const char *path, unsigned mode, char **ret_tmp, bench_error **err);
/*
 * fsync + close fd (always closed), then rename tmp over path: a symlink at
 * path is replaced, not followed. The temp file is removed on any failure.
 */
int bench_tmpfile_commit(int dirfd, const char *tmp, int fd, const char *path, bench_error **err);
/* The directory path (last component not a symlink), made like mkdir -p if missing: an fd or -errno. */
int bench_open_dir_nofollow(const char *path, unsigned mode, bench_error **err);
/* Root's runtime dir: the run lock, OCI and KSM records (a tmpfs, emptied at boot). */
#define BENCH_RUN_DIR "/run/bench"

/*
 * The same for a directory of ours alone (records, locks: nobody else may
 * plant or swap a file in it): made 0700 if missing, and it must be the
 * effective uid's with mode 0700. An fd, or -EPERM naming it and the fix.
 */
int bench_open_private_dir(const char *path, bench_error **err);
/*
 * A private dir others may remove when it empties (BENCH_RUN_DIR, the run
 * lock's, the OCI records'): bench_enter_private_dir opens it (made if
 * missing) with a shared flock that keeps it, and it is still the dir its
 * path names (a dir removed meanwhile is made again). Hold the fd while
 * making an entry in it, then close it (or LOCK_UN): a long hold keeps the
 * last one out from removing it.
 * bench_leave_private_dir removes it if nobody is in the middle of
 * entering (LOCK_EX, not waiting) and it is empty (rmdir); it takes an fd
 * on path, and returns whether the dir went.
 */
int bench_enter_private_dir(const char *path, bench_error **err);
bool bench_leave_private_dir(int fd, const char *path);
/* Whether fd is the file name names (in dir_fd, or a path with AT_FDCWD): not removed or replaced. */
bool bench_fd_is_path(int dir_fd, const char *name, int fd);

/* Removes a tree without crossing into other filesystems; ENOENT is fine. */
int bench_rm_rf(const char *path, bench_error **err);
/* The same for name relative to dirfd. */
int bench_rm_rf_at(int dirfd, const char *name, bench_error **err);
/* PSS of one process from /proc/PID/smaps_rollup, in KiB. */
int bench_pss_kib(int pid, double *ret_kib, bench_error **err);
/* A field of /proc/meminfo in KiB ("MemAvailable", "MemTotal", "Cached"). */
int bench_meminfo_kib(const char *field, uint64_t *ret_kib, bench_error **err);

/*
 * A bench killed outright (SIGKILL, a crash) cannot clean up: its children
 * die with it (PDEATHSIG, PID namespaces) but its dirs stay. Dirs it makes
 * in a workdir are named bench-PID.XXXXXX or bench-PID-N.XXXXXX; this
 * removes those whose PID is gone.
 */
void bench_reap_stale_dirs(const char *workdir);

/*
 * All len bytes written, retrying short writes and EINTR: 0, or -errno
 * (-EIO when the kernel makes no progress). pwrite form at off.
 */
int bench_write_all(int fd, const void *buf, size_t len);
int bench_pwrite_all(int fd, const void *buf, size_t len, uint64_t off);
/* Up to len bytes read at off, retrying short reads and EINTR: bytes read (fewer only at the end of the file)
 * or -errno. */
ssize_t bench_pread_all(int fd, void *buf, size_t len, uint64_t off);

/*
 * s as XML or HTML text or attribute value: & < > " ' escaped, tab and
 * line breaks as character references, other control characters (which
 * XML 1.0 cannot carry at all) dropped, bytes that are not UTF-8 (and
 * U+FFFE/U+FFFF) as U+FFFD. NULL writes nothing.
 */
void bench_put_xml(FILE *f, const char *s);
/*
 * The length (1..4) of the valid UTF-8 character at s (no overlong form, no
 * surrogate, at most U+10FFFF), 0 if s does not start one; *ret its code point.
 */
size_t bench_utf8_char(const char *s, uint32_t *ret);

/*
 * Text from files (names, reasons) made safe for a terminal: control bytes,
 * DEL, bytes that are not UTF-8 and the C1 controls become visible escapes
 * (ESC as `\x1b`, U+009B as `\u009b`), so no escape sequence reaches the
 * terminal. With
 * BENCH_TEXT_KEEP_LINES, \n and \t stay (multi-line messages).
 * The output holds no control byte: escaping twice changes nothing.
 */
enum { BENCH_TEXT_KEEP_LINES = 1 << 0 };
void bench_put_text(FILE *f, const char *s, unsigned flags);
/* The same into a new string (NULL when out of memory). */
char *bench_escape_text(const char *s, unsigned flags);
/* A formatted line on stderr whose names and reasons come from files: made safe, lines and tabs kept. */
__attribute__((format(printf, 1, 2))) void bench_eprint_safe(const char *fmt, ...);

/* mkdir -p: every missing directory of path with mode; existing ones are fine. */
int bench_mkdir_p(const char *path, unsigned mode, bench_error **err);
/*
 * The directory an output file goes into (`-o newdir/r.html`), created 0755 like bench plot's when missing,
 * then checked writable: 0, or an error naming the path and the dir ("cannot write r.html: newdir: ...").
 */
int bench_mkdir_parent(const char *path, bench_error **err);

/*
 * The executable file `name` in $PATH (/usr/local/bin:/usr/bin:/bin when
 * unset); relative entries are skipped, as the answer would depend on the
 * cwd. BENCH_FIND_SBIN: then the usual sbin and bin dirs, which a user's
 * PATH may lack. 0 and *ret_path (malloc'd), -ENOENT or -ENOMEM.
 */
enum { BENCH_FIND_SBIN = 1 << 0 };
/*
 * Appends data[0..n) to the NUL-terminated text in buf (len bytes), keeping
 * only its last len - 1 bytes: the tail of a stream (an agent's or a
 * runtime's stderr) for an error message. buf NULL or len 0: nothing.
 */
void bench_keep_tail(char *buf, size_t len, const char *data, size_t n);

/* Frees a NULL-terminated array of strings and the array; accepts NULL. */
void bench_strv_free(char **v);

/*
 * The names of a directory's entries that keep() accepts (NULL: all but "."
 * and ".."), read to the end before the caller acts on them (removing while
 * reading a directory skips entries). NULL-terminated, for bench_strv_free;
 * NULL out of memory.
 */
char **bench_dir_names(DIR *d, bool (*keep)(const struct dirent *de));

int bench_find_program(const char *name, unsigned flags, char **ret_path);

/*
 * Base64 (RFC 4648, with padding): n bytes into out (4 * ceil(n / 3) + 1
 * bytes, NUL-terminated). Decoding takes whole groups of 4 characters,
 * nothing else (no line breaks, no missing padding): out needs
 * strlen(s) / 4 * 3 bytes; 0 and *ret_len, or -EINVAL.
 */
void bench_base64_encode(const void *in, size_t n, char *out);
int bench_base64_decode(const char *s, void *out, size_t *ret_len);
