/* SPDX-License-Identifier: MIT */
/*
 * bench fleet run / node: a suite over Slurm nodes, one exclusive task per
 * node.
 *
 * Slurm's programs (sbatch, srun, scontrol, squeue, scancel) run by fork +
 * exec with argv only: no text from the user or a file reaches a shell. The
 * batch script is fixed text that hands its arguments on with "$@".
 *
 * Each node runs `bench fleet node`, which runs `bench run` and says how it
 * went in frames on its stdout, one line each (srun's --label puts the task
 * number in front):
 *
 *   BFR1 BEGIN NODE JOBID       the node started
 *   BFR1 DATA NODE BASE64       (transport srun) a piece of the result file
 *   BFR1 END NODE BYTES SHA256  (transport srun) the whole file was sent
 *   BFR1 ERR NODE TEXT          why bench run failed (its stderr's last lines, escaped)
 *   BFR1 EXIT NODE CODE         bench run's exit code
 *
 * Transport shared: the job (sbatch) writes them to DIR/.fleet/job-ID.out,
 * and each node writes DIR/<node>.json itself. Transport srun: fleet run
 * runs srun itself and reads them from srun's stdout: the result comes back
 * over Slurm's own I/O forwarding, no shared filesystem and no ssh needed.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../common/cleanup.h"
#include "../common/sha256.h"
#include "../common/util.h"
#include "../results/fleet_manifest.h"
#include "../results/result.h"
#include "commands.h"
#include "fleet.h"
#include "interrupt.h"
#include "suite.h"

#define FRAME "BFR1 "
#define FLEET_SUBDIR ".fleet"
/* raw bytes per DATA frame: 128 base64 characters, a short line srun forwards whole */
#define DATA_CHUNK 96
/* the largest result file a node may send back */
#define MAX_RESULT_BYTES (256u << 20)
/* seconds fleet run waits for Slurm to end a job it cancelled before it gives up */
#define CANCEL_WAIT_S 180

/* The batch script (transport shared): fixed text; arguments come from sbatch as "$@". */
static const char batch_script[] =
        "#!/bin/sh\n"
        "# bench fleet run's batch script: one task per node runs `bench fleet node`.\n"
        "# Arguments: BENCH (bench's path on the nodes), then those of `bench fleet node`.\n"
        "bench=$1\n"
        "shift\n"
        "exec srun --label --whole --kill-on-bad-exit=0 \"$bench\" fleet node \"$@\"\n";

/* ---- child processes ---- */

enum {
        SPAWN_OWN_GROUP = 1 << 0, /* its own process group: a Ctrl-C at the terminal is ours to handle */
};

/*
 * Starts path with argv; in_fd/out_fd/err_fd become its 0/1/2 (-1: /dev/null).
 * It dies with us (PDEATHSIG SIGTERM: srun then cancels its step). 0 and
 * *ret_pid, or -errno (exec failed: the child's errno).
 */
static int spawn(const char *path, char *const argv[], int in_fd, int out_fd, int err_fd, unsigned flags,
                 pid_t *ret_pid) {
        int status_pipe[2];
        if (pipe2(status_pipe, O_CLOEXEC) < 0)
                return -errno;
        pid_t parent = getpid();
        pid_t pid = fork();
        if (pid < 0) {
                int e = errno;
                close(status_pipe[0]);
                close(status_pipe[1]);
                return -e;
        }
        if (pid == 0) {
                if (flags & SPAWN_OWN_GROUP)
                        setpgid(0, 0);
                prctl(PR_SET_PDEATHSIG, SIGTERM);
                if (getppid() != parent)
                        _exit(127);
                int sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGPIPE};
                for (size_t i = 0; i < ELEMENTSOF(sigs); i++)
                        signal(sigs[i], SIG_DFL);
                sigset_t all;
                sigemptyset(&all);
                sigprocmask(SIG_SETMASK, &all, NULL);
                int null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
                int fds[3] = {in_fd, out_fd, err_fd};
                /* out of the way of 0..2 first, so that one dup2 cannot clobber another's source */
                for (int i = 0; i < 3; i++)
                        fds[i] = fcntl(fds[i] >= 0 ? fds[i] : null_fd, F_DUPFD_CLOEXEC, 3);
                for (int i = 0; i < 3; i++)
                        if (fds[i] < 0 || dup2(fds[i], i) < 0)
                                goto fail;
                execv(path, argv);
        fail:;
                int e = errno;
                ssize_t n = write(status_pipe[1], &e, sizeof(e));
                (void)n;
                _exit(127);
        }
        close(status_pipe[1]);
        int child_errno = 0;
        ssize_t n;
        do
                n = read(status_pipe[0], &child_errno, sizeof(child_errno));
        while (n < 0 && errno == EINTR);
        close(status_pipe[0]);
        if (n == (ssize_t)sizeof(child_errno)) {
                while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
                        ;
                return -child_errno;
        }
        *ret_pid = pid;
        return 0;
}

static int wait_child(pid_t pid) {
        int status;
        while (waitpid(pid, &status, 0) < 0)
                if (errno != EINTR)
                        return -errno;
        return status;
}

/* An exit status as a shell gives it: the code, or 128 + the signal. */
static int exit_code_of(int status) {
        if (WIFEXITED(status))
                return WEXITSTATUS(status);
        if (WIFSIGNALED(status))
                return 128 + WTERMSIG(status);
        return 255;
}

/* A growing buffer for a child's output (text: kept NUL-terminated). */
typedef struct buf {
        char *data;
        size_t len, cap;
} buf;

static int buf_add(buf *b, const char *data, size_t n, size_t limit) {
        if (b->len + n > limit)
                n = b->len < limit ? limit - b->len : 0;
        if (b->len + n + 1 > b->cap) {
                size_t cap = b->cap ? b->cap : 4096;
                while (cap < b->len + n + 1)
                        cap *= 2;
                char *p = realloc(b->data, cap);
                if (!p)
                        return -ENOMEM;
                b->data = p;
                b->cap = cap;
        }
        memcpy(b->data + b->len, data, n);
        b->len += n;
        b->data[b->len] = '\0';
        return 0;
}

static void buf_clear(buf *b) {
        free(b->data);
        *b = (buf){0};
}

/* Runs argv[0] (a full path) to its end with stdout and stderr captured (1 MiB each). */
static int run_capture(char *const argv[], char **ret_out, char **ret_err, int *ret_code) {
        int out[2], err[2];
        if (pipe2(out, O_CLOEXEC) < 0)
                return -errno;
        if (pipe2(err, O_CLOEXEC) < 0) {
                int e = errno;
                close(out[0]);
                close(out[1]);
                return -e;
        }
        pid_t pid;
        int r = spawn(argv[0], argv, -1, out[1], err[1], 0, &pid);
        close(out[1]);
        close(err[1]);
        if (r < 0) {
                close(out[0]);
                close(err[0]);
                return r;
        }
        buf bo = {0}, be = {0};
        struct pollfd p[2] = {{.fd = out[0], .events = POLLIN}, {.fd = err[0], .events = POLLIN}};
        while (p[0].fd >= 0 || p[1].fd >= 0) {
                if (poll(p, 2, -1) < 0) {
                        if (errno == EINTR)
                                continue; /* a Ctrl-C: these commands are short, let them end */
                        break;
                }
                for (int i = 0; i < 2; i++) {
                        if (p[i].fd < 0 || !p[i].revents)
                                continue;
                        char chunk[4096];
                        ssize_t n = read(p[i].fd, chunk, sizeof(chunk));
                        if (n < 0 && errno == EINTR)
                                continue;
                        if (n <= 0) {
                                close(p[i].fd);
                                p[i].fd = -1;
                                continue;
                        }
                        buf_add(i ? &be : &bo, chunk, (size_t)n, 1u << 20);
                }
        }
        int status = wait_child(pid);
        *ret_code = status < 0 ? 255 : exit_code_of(status);
        *ret_out = bo.data ? bo.data : strdup("");
        *ret_err = be.data ? be.data : strdup("");
        return 0;
}

/* Slurm's message without its trailing newlines, for a one-line report. */
static void chomp(char *s) {
        size_t n = strlen(s);
        while (n && (s[n - 1] == '\n' || s[n - 1] == ' '))
                s[--n] = '\0';
}

/* Appends the decoded text of one DATA frame's chunk to b; -EINVAL if it is not base64. */
static int b64_decode_into(const char *s, buf *b) {
        unsigned char out[4096];
        size_t len;
        if (strlen(s) / 4 * 3 > sizeof(out) || bench_base64_decode(s, out, &len) < 0)
                return -EINVAL;
        return buf_add(b, (const char *)out, len, MAX_RESULT_BYTES + 3);
}

/* ---- bench fleet node ---- */

static int emit(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int emit(const char *fmt, ...) {
        _cleanup_free_ char *line = NULL;
        va_list ap;
        va_start(ap, fmt);
        int r = vasprintf(&line, fmt, ap);
        va_end(ap);
        if (r < 0)
                return -ENOMEM;
        /* one write per line: srun forwards whole lines, the tasks' lines never mix */
        return bench_write_all(STDOUT_FILENO, line, (size_t)r);
}

/* The last few non-empty lines of text, joined with "; " and made one safe line. */
static char *last_lines(const char *text, unsigned want) {
        const char *end = text + strlen(text);
        const char *start = end;
        unsigned got = 0;
        for (const char *p = end; p > text && got < want;) {
                const char *q = p;
                while (q > text && q[-1] != '\n')
                        q--;
                if (p - q > 1 || (p - q == 1 && *q != '\n'))
                        got++;
                start = q;
                p = q > text ? q - 1 : q;
        }
        _cleanup_free_ char *joined = strndup(start, (size_t)(end - start));
        if (!joined)
                return NULL;
        chomp(joined);
        /* one line: "a; b" */
        buf b = {0};
        for (char *line = joined, *next; line; line = next) {
                next = strchr(line, '\n');
                if (next)
                        *next++ = '\0';
                if (!*line)
                        continue;
                if (b.len)
                        buf_add(&b, "; ", 2, 1u << 20);
                buf_add(&b, line, strlen(line), 1u << 20);
        }
        char *out = bench_escape_text(b.data ? b.data : "", 0);
        buf_clear(&b);
        return out;
}

/* The node's name as Slurm knows it, else the short host name. */
static char *node_name(void) {
        const char *env = getenv("SLURMD_NODENAME");
        if (env && *env)
                return strdup(env);
        char host[256] = "";
        gethostname(host, sizeof(host) - 1);
        host[strcspn(host, ".")] = '\0';
        return strdup(host);
}

/* RUN-OPTIONS fleet run and fleet node refuse: the output is theirs to choose, and `--` would end them. */
static const char *bad_run_option(char **args, int n) {
        for (int i = 0; i < n; i++)
                if (!strcmp(args[i], "-o") || !strncmp(args[i], "--output", 8) || !strcmp(args[i], "--") ||
                    !strncmp(args[i], "-o", 2))
                        return args[i];
        return NULL;
}

static char *self_path(void) {
        char self[PATH_MAX];
        ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
        if (n <= 0)
                return NULL;
        self[n] = '\0';
        return strdup(self);
}

/* stdin into a new file in dir: the suite srun fed every task (--input=all). */
static int save_stdin(int dirfd, const char *name, bench_error **err) {
        buf b = {0};
        char chunk[65536];
        for (;;) {
                ssize_t n = read(STDIN_FILENO, chunk, sizeof(chunk));
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0) {
                        buf_clear(&b);
                        return bench_error_errno(err, errno, "cannot read the suite from stdin");
                }
                if (n == 0)
                        break;
                if (buf_add(&b, chunk, (size_t)n, 16u << 20) < 0) {
                        buf_clear(&b);
                        return bench_error_set(err, ENOMEM, "out of memory");
                }
        }
        int r = bench_write_file_atomic_at(dirfd, name, b.data ? b.data : "", b.len, 0600, err);
        buf_clear(&b);
        return r;
}

/* Sends file (in dirfd) as DATA frames and an END frame. */
static int send_result(int dirfd, const char *file, const char *node) {
        _cleanup_close_ int fd = openat(dirfd, file, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        bench_sha256 h;
        bench_sha256_init(&h);
        uint64_t total = 0;
        unsigned char chunk[DATA_CHUNK];
        char text[DATA_CHUNK / 3 * 4 + 1];
        for (;;) {
                ssize_t n = bench_pread_all(fd, chunk, sizeof(chunk), total);
                if (n < 0)
                        return (int)n;
                if (n == 0)
                        break;
                bench_sha256_update(&h, chunk, (size_t)n);
                bench_base64_encode(chunk, (size_t)n, text);
                int r = emit(FRAME "DATA %s %s\n", node, text);
                if (r < 0)
                        return r;
                total += (uint64_t)n;
        }
        char hex[65];
        bench_sha256_final_hex(&h, hex);
        return emit(FRAME "END %s %llu %s\n", node, (unsigned long long)total, hex);
}

int cmd_fleet_node(int argc, char **argv) {
        int i = 1;
        const char *dir = NULL;
        if (i + 1 < argc && !strcmp(argv[i], "--dir")) {
                dir = argv[i + 1];
                i += 2;
        }
        if (i >= argc) {
                fprintf(stderr, "bench fleet node: expected a suite (or - for stdin)\n");
                return EXIT_BAD_INPUT;
        }
        const char *suite_arg = argv[i++];
        char **run_args = argv + i;
        int n_run_args = argc - i;
        const char *bad = bad_run_option(run_args, n_run_args);
        if (bad) {
                bench_eprint_safe("bench fleet node: RUN-OPTIONS may not hold `%s` (the node chooses the "
                                  "result file)\n",
                                  bad);
                return EXIT_BAD_INPUT;
        }
        _cleanup_free_ char *node = node_name();
        if (!res_fleet_name_ok(node)) {
                bench_eprint_safe("bench fleet node: the node name `%s` cannot be a file name\n",
                                  node ? node : "");
                return EXIT_BAD_INPUT;
        }
        const char *job = getenv("SLURM_JOB_ID");
        emit(FRAME "BEGIN %s %s\n", node, job && *job ? job : "-");
        if (bench_interrupt_install() < 0) {
                fprintf(stderr, "bench fleet node: cannot install signal handlers\n");
                return EXIT_FAILED;
        }

        /* a private dir for the suite from stdin and (transport srun) the result */
        const char *tmpdir = getenv("TMPDIR");
        _cleanup_free_ char *priv = NULL;
        if (asprintf(&priv, "%s/bench-fleet-node.XXXXXX", tmpdir && *tmpdir ? tmpdir : "/tmp") < 0 ||
            !mkdtemp(priv)) {
                bench_eprint_safe("bench fleet node: cannot make a temp dir: %s\n", strerror(errno));
                emit(FRAME "EXIT %s %d\n", node, EXIT_FAILED);
                return EXIT_FAILED;
        }
        int rc = EXIT_FAILED;
        _cleanup_close_ int privfd = open(priv, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        _cleanup_error_ bench_error *err = NULL;
        _cleanup_free_ char *suite_path = NULL, *out = NULL, *self = self_path();
        buf tail = {0};
        if (privfd < 0 || !self) {
                bench_eprint_safe("bench fleet node: %s: %s\n", privfd < 0 ? priv : "/proc/self/exe",
                                  strerror(errno));
                goto done;
        }
        if (!strcmp(suite_arg, "-")) {
                if (save_stdin(privfd, "suite.json", &err) < 0) {
                        bench_eprint_safe("bench fleet node: %s\n", err->msg);
                        goto done;
                }
                if (asprintf(&suite_path, "%s/suite.json", priv) < 0)
                        goto done;
        } else if (!(suite_path = strdup(suite_arg)))
                goto done;
        if ((dir ? asprintf(&out, "%s/%s.json", dir, node) : asprintf(&out, "%s/result.json", priv)) < 0)
                goto done;

        /* bench run RUN-OPTIONS -o OUT -- SUITE */
        char **args = calloc((size_t)n_run_args + 7, sizeof(char *));
        if (!args)
                goto done;
        int k = 0;
        args[k++] = self;
        args[k++] = (char *)"run";
        for (int j = 0; j < n_run_args; j++)
                args[k++] = run_args[j];
        args[k++] = (char *)"-o";
        args[k++] = out;
        args[k++] = (char *)"--";
        args[k++] = suite_path;
        args[k] = NULL;
        int errp[2];
        if (pipe2(errp, O_CLOEXEC) < 0) {
                free(args);
                goto done;
        }
        pid_t pid;
        /* bench run's stdout goes to our stderr: our stdout carries only frames */
        int r = spawn(self, args, -1, STDERR_FILENO, errp[1], 0, &pid);
        free(args);
        close(errp[1]);
        if (r < 0) {
                close(errp[0]);
                bench_eprint_safe("bench fleet node: cannot run %s: %s\n", self, strerror(-r));
                goto done;
        }
        /* forward its stderr (and keep the tail for the reason); pass a stop signal on to it */
        bool forwarded = false;
        struct pollfd p[2] = {{.fd = errp[0], .events = POLLIN},
                              {.fd = bench_interrupt_fd(), .events = POLLIN}};
        while (p[0].fd >= 0) {
                if (poll(p, 2, -1) < 0 && errno != EINTR)
                        break;
                if (bench_interrupted() && !forwarded) {
                        /* Slurm signals the whole step; a plain kill of this process reaches only us */
                        kill(pid, bench_interrupted());
                        forwarded = true;
                        p[1].fd = -1;
                }
                if (p[0].revents) {
                        char chunk[4096];
                        ssize_t n = read(p[0].fd, chunk, sizeof(chunk));
                        if (n < 0 && errno == EINTR)
                                continue;
                        if (n <= 0) {
                                close(p[0].fd);
                                p[0].fd = -1;
                                break;
                        }
                        bench_write_all(STDERR_FILENO, chunk, (size_t)n);
                        if (tail.len > 8192) {
                                memmove(tail.data, tail.data + tail.len - 4096, 4096);
                                tail.len = 4096;
                        }
                        buf_add(&tail, chunk, (size_t)n, 1u << 20);
                }
        }
        int status = wait_child(pid);
        rc = status < 0 ? EXIT_FAILED : exit_code_of(status);
        if (!dir && faccessat(privfd, "result.json", F_OK, AT_SYMLINK_NOFOLLOW) == 0 &&
            (r = send_result(privfd, "result.json", node)) < 0)
                bench_eprint_safe("bench fleet node: cannot send the result: %s\n", strerror(-r));
done:
        if (rc != EXIT_OK) {
                _cleanup_free_ char *why = tail.data ? last_lines(tail.data, 3) : NULL;
                emit(FRAME "ERR %s %s\n", node,
                     why && *why ? why : "bench fleet node failed (see its stderr)");
        }
        emit(FRAME "EXIT %s %d\n", node, rc);
        buf_clear(&tail);
        if (priv)
                bench_rm_rf(priv, NULL);
        return rc;
}

/* ---- bench fleet run ---- */

typedef struct fleet_opts {
        const char *suite, *dir, *nodes, *nodelist, *partition, *constraint, *time_limit, *bench;
        char **sbatch_args;
        size_t n_sbatch_args;
        res_fleet_transport transport;
        char **run_args;
        int n_run_args;
} fleet_opts;

typedef struct slurm_progs {
        char *sbatch, *salloc, *srun, *scontrol, *squeue, *scancel;
} slurm_progs;

static void slurm_progs_clear(slurm_progs *p) {
        free(p->sbatch);
        free(p->salloc);
        free(p->srun);
        free(p->scontrol);
        free(p->squeue);
        free(p->scancel);
}

/* What scontrol says of the job. */
typedef struct job_info {
        bool seen;      /* scontrol knew it at least once */
        bool gone;      /* scontrol no longer knows it (MinJobAge passed) */
        char state[40]; /* JobState */
        char reason[256];
        char nodelist[1024];
} job_info;

/* Per node: what its frames said. Index i goes with the manifest's nodes[i]. */
typedef struct node_track {
        bool begun, has_exit, has_end;
        int exit_code;
        char *err;
        buf data;      /* transport srun: the decoded result */
        bool data_bad; /* a DATA frame that was no base64, or too much */
        unsigned long long want_len;
        char want_sha[65];
        res_fleet_state shown; /* the state last printed */
        char *shown_reason;
        bool printed;
        bool announced_end; /* "finished, collecting its result" was said */
} node_track;

typedef struct fleet_ctx {
        const fleet_opts *o;
        slurm_progs progs;
        int dirfd;
        char *dir; /* absolute */
        char *job_name;
        res_fleet *m;
        node_track *t;
        size_t cap_t;
        job_info job;
        char job_shown[300];    /* the job-level line last printed (before nodes are known) */
        char nodes_added[1024]; /* the NodeList last expanded into nodes */
        bool dirty;
        bool cancelled;
        uint64_t cancel_at;
        /* shared: the job's output file, read as it grows */
        char *out_name;
        uint64_t out_off;
        buf line_out, line_err;
        /* srun */
        pid_t srun_pid;
        int srun_out, srun_err;
        bool srun_exited;
        int srun_code;
        buf srun_errors; /* srun's own "srun: error:" lines */
} fleet_ctx;

static bool job_active(const char *state) {
        static const char *const active[] = {"PENDING",      "RUNNING",   "SUSPENDED", "COMPLETING",
                                             "CONFIGURING",  "RESIZING",  "REQUEUED",  "REQUEUE_FED",
                                             "REQUEUE_HOLD", "SIGNALING", "STAGE_OUT", "STOPPED",
                                             "RESV_DEL_HOLD"};
        for (size_t i = 0; i < ELEMENTSOF(active); i++)
                if (!strcmp(state, active[i]))
                        return true;
        return false;
}

/* The value of KEY= in scontrol's one-line output, up to the next space. */
static void kv(const char *line, const char *key, char *out, size_t len) {
        size_t kl = strlen(key);
        out[0] = '\0';
        for (const char *p = line; (p = strstr(p, key)); p += kl) {
                if ((p == line || p[-1] == ' ') && p[kl] == '=') {
                        const char *v = p + kl + 1;
                        size_t n = strcspn(v, " \n");
                        if (n >= len)
                                n = len - 1;
                        memcpy(out, v, n);
                        out[n] = '\0';
                        return;
                }
        }
}

/* 0, or -ENOENT when Slurm no longer knows the job, or -EIO (a message is printed once). */
static int job_query(fleet_ctx *c) {
        char *argv[] = {c->progs.scontrol, (char *)"show", (char *)"job", (char *)"-o", c->m->job_id, NULL};
        _cleanup_free_ char *out = NULL, *err = NULL;
        int code;
        int r = run_capture(argv, &out, &err, &code);
        if (r < 0)
                return r;
        if (code != 0) {
                if (strstr(err, "Invalid job id")) {
                        c->job.gone = true;
                        return -ENOENT;
                }
                return -EIO;
        }
        kv(out, "JobState", c->job.state, sizeof(c->job.state));
        kv(out, "Reason", c->job.reason, sizeof(c->job.reason));
        kv(out, "NodeList", c->job.nodelist, sizeof(c->job.nodelist));
        c->job.seen = c->job.state[0] != '\0';
        return 0;
}

static node_track *track_of(fleet_ctx *c, const char *name, size_t *ret_i) {
        res_fleet_node *n = res_fleet_node_get(c->m, name);
        if (!n)
                return NULL;
        size_t i = (size_t)(n - c->m->nodes);
        if (c->m->n_nodes > c->cap_t) {
                size_t cap = c->m->cap_nodes;
                node_track *t = reallocarray(c->t, cap, sizeof(*t));
                if (!t)
                        return NULL;
                memset(t + c->cap_t, 0, (cap - c->cap_t) * sizeof(*t));
                for (size_t k = c->cap_t; k < cap; k++)
                        t[k].shown = RES_FLEET_N_STATES;
                c->t = t;
                c->cap_t = cap;
                c->dirty = true;
        }
        if (ret_i)
                *ret_i = i;
        return &c->t[i];
}

/* Expands a Slurm host list ("n[1-3]") into node entries. */
static void add_nodes(fleet_ctx *c, const char *list) {
        if (!*list || !strcmp(list, "(null)"))
                return;
        char *argv[] = {c->progs.scontrol, (char *)"show", (char *)"hostnames", (char *)list, NULL};
        _cleanup_free_ char *out = NULL, *err = NULL;
        int code;
        if (run_capture(argv, &out, &err, &code) < 0 || code != 0)
                return;
        char *save = NULL;
        for (char *n = strtok_r(out, "\n", &save); n; n = strtok_r(NULL, "\n", &save))
                if (!track_of(c, n, NULL))
                        bench_eprint_safe("bench fleet: ignoring node `%s`: not a usable file name\n", n);
}

static void set_node(fleet_ctx *c, size_t i, res_fleet_state state, const char *reason) {
        res_fleet_node *n = &c->m->nodes[i];
        node_track *t = &c->t[i];
        bool same_reason = (!reason && !n->reason) || (reason && n->reason && !strcmp(reason, n->reason));
        if (n->state != state || !same_reason) {
                n->state = state;
                res_fleet_set(&n->reason, reason);
                c->dirty = true;
        }
        if (t->has_exit) {
                n->has_exit_code = true;
                n->exit_code = t->exit_code & 255;
        }
        bool same_shown = t->printed && t->shown == state &&
                          ((!reason && !t->shown_reason) ||
                           (reason && t->shown_reason && !strcmp(reason, t->shown_reason)));
        if (same_shown)
                return;
        t->printed = true;
        t->shown = state;
        res_fleet_set(&t->shown_reason, reason);
        const char *name = res_fleet_state_name(state);
        if (state == RES_FLEET_DONE)
                bench_eprint_safe("bench fleet: %s: done -> %s/%s\n", n->node, c->dir,
                                  n->result ? n->result : "?");
        else if (state == RES_FLEET_FAILED && n->has_exit_code)
                bench_eprint_safe("bench fleet: %s: failed (exit %d%s%s)\n", n->node, n->exit_code,
                                  reason ? ": " : "", reason ? reason : "");
        else
                bench_eprint_safe("bench fleet: %s: %s%s%s%s\n", n->node, name, reason ? " (" : "",
                                  reason ? reason : "", reason ? ")" : "");
}

/* One line of a node's output (srun's label in front): a frame, or text kept for messages. */
static void handle_line(fleet_ctx *c, char *line) {
        char *p = line;
        while (*p == ' ')
                p++;
        char *q = p;
        while (isdigit((unsigned char)*q))
                q++;
        if (q > p && q[0] == ':' && q[1] == ' ')
                p = q + 2;
        if (strncmp(p, FRAME, strlen(FRAME)) != 0)
                return;
        p += strlen(FRAME);
        char *save = NULL;
        char *kind = strtok_r(p, " ", &save), *node = strtok_r(NULL, " ", &save);
        char *rest = save ? save : (char *)"";
        if (!kind || !node || !res_fleet_name_ok(node))
                return;
        size_t i;
        node_track *t = track_of(c, node, &i);
        if (!t)
                return;
        if (!strcmp(kind, "BEGIN")) {
                t->begun = true;
        } else if (!strcmp(kind, "DATA")) {
                if (!t->data_bad && b64_decode_into(rest, &t->data) < 0)
                        t->data_bad = true;
        } else if (!strcmp(kind, "END")) {
                if (sscanf(rest, "%llu %64s", &t->want_len, t->want_sha) == 2)
                        t->has_end = true;
        } else if (!strcmp(kind, "ERR")) {
                free(t->err);
                t->err = bench_escape_text(rest, 0);
        } else if (!strcmp(kind, "EXIT")) {
                char *end = NULL;
                long v = strtol(rest, &end, 10);
                if (end != rest && v >= 0 && v <= 255) {
                        t->has_exit = true;
                        t->exit_code = (int)v;
                }
        }
}

/* Splits data into lines (kept in b between calls) and handles each. */
static void feed(fleet_ctx *c, buf *b, const char *data, size_t n, bool srun_stderr) {
        if (buf_add(b, data, n, 1u << 20) < 0)
                return;
        char *start = b->data;
        char *nl;
        while ((nl = memchr(start, '\n', b->len - (size_t)(start - b->data)))) {
                *nl = '\0';
                if (srun_stderr) {
                        /* srun's own complaints say why a node failed when its frames cannot */
                        if (!strncmp(start, "srun: error:", 12) || !strncmp(start, "salloc: error:", 14) ||
                            !strncmp(start, "slurmstepd: error:", 18)) {
                                buf_add(&c->srun_errors, start, strlen(start), 1u << 16);
                                buf_add(&c->srun_errors, "\n", 1, 1u << 16);
                        }
                } else
                        handle_line(c, start);
                start = nl + 1;
        }
        size_t left = b->len - (size_t)(start - b->data);
        if (left >= (1u << 20) - 1)
                left = 0; /* a line that long is no frame */
        memmove(b->data, start, left);
        b->len = left;
        b->data[left] = '\0';
}

/* Transport shared: what the job's output file gained since last time. */
static void read_job_output(fleet_ctx *c) {
        if (!c->out_name)
                return;
        _cleanup_close_ int fd = openat(c->dirfd, c->out_name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return;
        char chunk[65536];
        ssize_t n;
        while ((n = bench_pread_all(fd, chunk, sizeof(chunk), c->out_off)) > 0) {
                feed(c, &c->line_out, chunk, (size_t)n, false);
                c->out_off += (uint64_t)n;
        }
}

/* Reads what srun's pipes hold now. */
static void read_srun(fleet_ctx *c, struct pollfd *p) {
        for (int k = 0; k < 2; k++) {
                if (p[k].fd < 0 || !p[k].revents)
                        continue;
                char chunk[65536];
                ssize_t n = read(p[k].fd, chunk, sizeof(chunk));
                if (n < 0 && (errno == EINTR || errno == EAGAIN))
                        continue;
                if (n <= 0) {
                        close(p[k].fd);
                        if (k == 0)
                                c->srun_out = -1;
                        else
                                c->srun_err = -1;
                        p[k].fd = -1;
                        continue;
                }
                feed(c, k ? &c->line_err : &c->line_out, chunk, (size_t)n, k == 1);
        }
}

static void write_manifest(fleet_ctx *c) {
        if (!c->m->job_id)
                return;
        _cleanup_error_ bench_error *err = NULL;
        if (res_fleet_write_at(c->dirfd, RES_FLEET_FILE, c->m, &err) < 0)
                bench_eprint_safe("bench fleet: cannot write %s/%s: %s\n", c->dir, RES_FLEET_FILE,
                                  err ? err->msg : "?");
        c->dirty = false;
}

/* The job's nodes as Slurm reports them now (before their own frames say more). */
static void update_states(fleet_ctx *c) {
        const char *st = c->job.state;
        bool pending = !strcmp(st, "PENDING") || !strcmp(st, "CONFIGURING");
        bool running = job_active(st) && !pending;
        /* Slurm says "None" while it has not yet looked at a new job */
        const char *why = c->job.reason[0] && strcmp(c->job.reason, "None") != 0 ? c->job.reason : NULL;
        if ((running || !job_active(st)) && strcmp(c->job.nodelist, c->nodes_added) != 0) {
                add_nodes(c, c->job.nodelist);
                snprintf(c->nodes_added, sizeof(c->nodes_added), "%s", c->job.nodelist);
        }
        if (c->m->n_nodes == 0 && c->job.seen) {
                char line[300];
                snprintf(line, sizeof(line), "%s%s%s%s", pending ? "pending" : st, pending && why ? " (" : "",
                         pending && why ? why : "", pending && why ? ")" : "");
                if (strcmp(line, c->job_shown) != 0) {
                        bench_eprint_safe("bench fleet: job %s: %s\n", c->m->job_id, line);
                        snprintf(c->job_shown, sizeof(c->job_shown), "%s", line);
                }
        }
        if (c->m->state == NULL || strcmp(c->m->state, st) != 0) {
                if (*st)
                        res_fleet_set(&c->m->state, st);
                c->dirty = true;
        }
        for (size_t i = 0; i < c->m->n_nodes; i++) {
                node_track *t = &c->t[i];
                if (t->has_exit) {
                        /* final states are decided at the end (the result must be there); say it ended */
                        if (!t->announced_end) {
                                t->announced_end = true;
                                set_node(c, i, RES_FLEET_RUNNING, NULL);
                                bench_eprint_safe("bench fleet: %s: bench run ended (exit %d)%s\n",
                                                  c->m->nodes[i].node, t->exit_code,
                                                  t->exit_code == 0 ? "; collecting its result" : "");
                        }
                        continue;
                }
                if (pending)
                        set_node(c, i, RES_FLEET_PENDING, why);
                else if (running || t->begun)
                        set_node(c, i, RES_FLEET_RUNNING, NULL);
        }
}

static void cancel_job(fleet_ctx *c) {
        c->cancelled = true;
        c->cancel_at = bench_now_ns();
        c->m->interrupted = true;
        c->dirty = true;
        char *argv[6] = {c->progs.scancel, NULL};
        _cleanup_free_ char *name_opt = NULL;
        if (c->m->job_id) {
                bench_eprint_safe("bench fleet: interrupted: cancelling job %s (scancel)\n", c->m->job_id);
                argv[1] = c->m->job_id;
        } else {
                bench_eprint_safe("bench fleet: interrupted: cancelling the job named %s (scancel)\n",
                                  c->job_name);
                if (asprintf(&name_opt, "--name=%s", c->job_name) < 0)
                        return;
                argv[1] = name_opt;
        }
        _cleanup_free_ char *out = NULL, *err = NULL;
        int code;
        if (run_capture(argv, &out, &err, &code) < 0 || code != 0) {
                chomp(err ? err : (char *)"");
                bench_eprint_safe("bench fleet: scancel failed: %s\n", err && *err ? err : "?");
        }
        /* srun still waiting for an allocation: it withdraws the request itself */
        if (c->srun_pid > 0 && !c->m->job_id && !c->srun_exited)
                kill(c->srun_pid, SIGTERM);
}

/* Transport srun: the job id, by the job's unique name, until a frame or squeue says it. */
static void find_job_id(fleet_ctx *c) {
        _cleanup_free_ char *name_opt = NULL;
        if (asprintf(&name_opt, "--name=%s", c->job_name) < 0)
                return;
        char *argv[] = {c->progs.squeue, (char *)"-h", (char *)"-t", (char *)"all",
                        name_opt,        (char *)"-o", (char *)"%i", NULL};
        _cleanup_free_ char *out = NULL, *err = NULL;
        int code;
        if (run_capture(argv, &out, &err, &code) < 0 || code != 0)
                return;
        chomp(out);
        if (*out && strspn(out, "0123456789") == strlen(out)) {
                res_fleet_set(&c->m->job_id, out);
                bench_eprint_safe("bench fleet: job %s submitted (transport srun)\n", out);
                c->dirty = true;
        }
}

/* Transport srun: a node's result out of its frames into DIR/<node>.json. 0, or a reason (static or in *why).
 */
static const char *store_result(fleet_ctx *c, size_t i, char **why) {
        node_track *t = &c->t[i];
        res_fleet_node *n = &c->m->nodes[i];
        if (t->data_bad)
                return "its result came back garbled (not base64)";
        if (!t->has_end)
                return t->data.len ? "its result came back cut short" : NULL;
        char hex[65];
        bench_sha256_hex(t->data.data ? t->data.data : "", t->data.len, hex);
        if (t->data.len != t->want_len || strcmp(hex, t->want_sha) != 0)
                return "its result came back damaged (size or SHA-256 differ)";
        _cleanup_free_ char *name = NULL;
        if (asprintf(&name, "%s.json", n->node) < 0)
                return "out of memory";
        _cleanup_error_ bench_error *err = NULL;
        if (bench_write_file_atomic_at(c->dirfd, name, t->data.data ? t->data.data : "", t->data.len, 0644,
                                       &err) < 0) {
                *why = strdup(err && err->msg ? err->msg : "cannot write its result");
                return NULL;
        }
        return NULL;
}

/* DIR/<node>.json, if it is there and reads as a result file: 0, else a reason in *why. */
static int check_result(fleet_ctx *c, size_t i, char **why) {
        res_fleet_node *n = &c->m->nodes[i];
        _cleanup_free_ char *path = NULL;
        if (asprintf(&path, "%s/%s.json", c->dir, n->node) < 0)
                return -ENOMEM;
        struct stat st;
        if (fstatat(c->dirfd, path + strlen(c->dir) + 1, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
            !S_ISREG(st.st_mode)) {
                if (asprintf(why, "no result in %s%s", c->dir,
                             c->o->transport == RES_FLEET_SHARED
                                     ? " (is DIR on a filesystem the nodes share? else --transport srun)"
                                     : "") < 0)
                        *why = NULL;
                return -ENOENT;
        }
        _cleanup_free_ char *text = NULL;
        size_t len;
        _cleanup_error_ bench_error *err = NULL;
        res_file *f = NULL;
        int r = bench_read_file(path, &text, &len, &err);
        if (r >= 0)
                r = res_from_json(text, path, &f, &err);
        res_file_free(f);
        if (r < 0) {
                *why = strdup(err && err->msg ? err->msg : "its result does not read as a result file");
                return r;
        }
        _cleanup_free_ char *name = NULL;
        if (asprintf(&name, "%s.json", n->node) < 0 || res_fleet_set(&n->result, name) < 0)
                return -ENOMEM;
        return 0;
}

/* Every node's final state, once the job has ended. */
static void finish_nodes(fleet_ctx *c) {
        const char *st = c->m->state ? c->m->state : "";
        bool timeout = !strcmp(st, "TIMEOUT"), cancelled = !strcmp(st, "CANCELLED") || c->cancelled;
        _cleanup_free_ char *srun_err = c->srun_errors.data ? last_lines(c->srun_errors.data, 2) : NULL;
        for (size_t i = 0; i < c->m->n_nodes; i++) {
                node_track *t = &c->t[i];
                res_fleet_node *n = &c->m->nodes[i];
                _cleanup_free_ char *why = NULL;
                const char *problem = NULL;
                if (c->o->transport == RES_FLEET_SRUN)
                        problem = store_result(c, i, &why);
                bool have = !problem && !why && check_result(c, i, &why) == 0;
                if (t->has_exit) {
                        n->has_exit_code = true;
                        n->exit_code = t->exit_code;
                }
                if (have && t->has_exit && t->exit_code == 0) {
                        set_node(c, i, RES_FLEET_DONE, NULL);
                        continue;
                }
                char reason[1024];
                if (timeout || cancelled) {
                        snprintf(reason, sizeof(reason), "%s%s%s",
                                 timeout ? "the job's time limit" : "scancel",
                                 have ? "; partial result kept" : "", have ? "" : "; no result");
                        set_node(c, i, timeout ? RES_FLEET_TIMEOUT : RES_FLEET_CANCELLED, reason);
                        continue;
                }
                if (t->err)
                        snprintf(reason, sizeof(reason), "%s", t->err);
                else if (problem || why)
                        snprintf(reason, sizeof(reason), "%s", problem ? problem : why);
                else if (srun_err && *srun_err)
                        snprintf(reason, sizeof(reason), "%s", srun_err);
                else if (!t->begun)
                        snprintf(reason, sizeof(reason), "bench fleet node never started there (job %s, %s)",
                                 st, c->job.reason[0] ? c->job.reason : "no reason from Slurm");
                else
                        snprintf(reason, sizeof(reason), "ended without an exit code (job %s)", st);
                if (t->has_exit && t->exit_code == 0 && (problem || why))
                        snprintf(reason, sizeof(reason), "%s", problem ? problem : why);
                set_node(c, i, RES_FLEET_FAILED, reason);
        }
}

/* DIR made if missing; refused if it holds results or a manifest already. */
static int open_fleet_dir(const char *dir, char **ret_abs, int *ret_fd) {
        _cleanup_error_ bench_error *err = NULL;
        _cleanup_close_ int fd = bench_open_dir_nofollow(dir, 0755, &err);
        if (fd < 0) {
                bench_eprint_safe("bench fleet run: -o %s: %s\n", dir, err ? err->msg : strerror(-fd));
                return EXIT_BAD_INPUT;
        }
        int dupfd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
        DIR *d = dupfd >= 0 ? fdopendir(dupfd) : NULL;
        if (!d) {
                bench_eprint_safe("bench fleet run: cannot list %s: %s\n", dir, strerror(errno));
                if (dupfd >= 0)
                        close(dupfd);
                return EXIT_BAD_INPUT;
        }
        struct dirent *de;
        const char *found = NULL;
        char name[256];
        while ((de = readdir(d))) {
                size_t n = strlen(de->d_name);
                if (!strcmp(de->d_name, RES_FLEET_FILE) || !strcmp(de->d_name, FLEET_SUBDIR) ||
                    (n > 5 && !strcmp(de->d_name + n - 5, ".json"))) {
                        snprintf(name, sizeof(name), "%s", de->d_name);
                        found = name;
                        break;
                }
        }
        closedir(d);
        if (found) {
                bench_eprint_safe("bench fleet run: %s already holds %s (%s); give a new DIR\n", dir, found,
                                  !strcmp(found, FLEET_SUBDIR)
                                          ? "another fleet run is using it, or one was killed"
                                          : "results of another run");
                return EXIT_BAD_INPUT;
        }
        char *abs = realpath(dir, NULL);
        if (!abs) {
                bench_eprint_safe("bench fleet run: %s: %s\n", dir, strerror(errno));
                return EXIT_BAD_INPUT;
        }
        *ret_abs = abs;
        *ret_fd = take_fd(&fd);
        return EXIT_OK;
}

/* Finds Slurm's programs: sbatch (shared) or srun (srun), and scontrol, squeue, scancel. */
static int find_slurm(res_fleet_transport transport, slurm_progs *p) {
        struct {
                const char *name;
                char **path;
        } progs[] = {{"sbatch", &p->sbatch},     {"salloc", &p->salloc}, {"srun", &p->srun},
                     {"scontrol", &p->scontrol}, {"squeue", &p->squeue}, {"scancel", &p->scancel}};
        for (size_t i = 0; i < ELEMENTSOF(progs); i++) {
                /* the submit command of the other transport is not needed */
                if ((transport == RES_FLEET_SHARED && progs[i].path == &p->salloc) ||
                    (transport == RES_FLEET_SRUN && progs[i].path == &p->sbatch))
                        continue;
                if (bench_find_program(progs[i].name, 0, progs[i].path) < 0) {
                        bench_eprint_safe(
                                "bench fleet run: Slurm is not installed here: no `%s` on PATH (install "
                                "slurm-client, and point SLURM_CONF at the cluster's slurm.conf)\n",
                                progs[i].name);
                        return EXIT_BAD_INPUT;
                }
        }
        return EXIT_OK;
}

/* `scontrol ping`: the controller answers, else Slurm's words and where the config came from. */
static int check_controller(const slurm_progs *p) {
        char *argv[] = {p->scontrol, (char *)"ping", NULL};
        _cleanup_free_ char *out = NULL, *err = NULL;
        int code;
        int r = run_capture(argv, &out, &err, &code);
        if (r < 0) {
                bench_eprint_safe("bench fleet run: cannot run %s: %s\n", p->scontrol, strerror(-r));
                return EXIT_BAD_INPUT;
        }
        if (code == 0 && strstr(out, " is UP"))
                return EXIT_OK;
        /* the first line; scontrol's banner (RESTORE SLURMCTLD DAEMON TO SERVICE) follows */
        out[strcspn(out, "\n")] = '\0';
        chomp(err);
        const char *conf = getenv("SLURM_CONF");
        bench_eprint_safe(
                "bench fleet run: Slurm's controller is not reachable: %s%s%s (SLURM_CONF=%s; is slurmctld "
                "running there?)\n",
                out, *out && *err ? "; " : "", err,
                conf && *conf ? conf : "unset, so Slurm's default slurm.conf");
        return EXIT_BAD_INPUT;
}

/* The allocation options sbatch and srun share. */
static int alloc_args(const fleet_opts *o, const char *job_name, char **argv, int k, char **owned) {
        int n_owned = 0;
#define ADD_FMT(...)                                                                                         \
        do {                                                                                                 \
                if (asprintf(&owned[n_owned], __VA_ARGS__) < 0)                                              \
                        return -ENOMEM;                                                                      \
                argv[k++] = owned[n_owned++];                                                                \
        } while (0)
        ADD_FMT("--job-name=%s", job_name);
        argv[k++] = (char *)"--ntasks-per-node=1";
        argv[k++] = (char *)"--exclusive";
        if (o->nodes)
                ADD_FMT("--nodes=%s", o->nodes);
        if (o->nodelist)
                ADD_FMT("--nodelist=%s", o->nodelist);
        if (o->partition)
                ADD_FMT("--partition=%s", o->partition);
        if (o->constraint)
                ADD_FMT("--constraint=%s", o->constraint);
        if (o->time_limit)
                ADD_FMT("--time=%s", o->time_limit);
#undef ADD_FMT
        for (size_t i = 0; i < o->n_sbatch_args; i++)
                argv[k++] = o->sbatch_args[i];
        return k;
}

static int submit_shared(fleet_ctx *c) {
        const fleet_opts *o = c->o;
        _cleanup_error_ bench_error *err = NULL;
        if (bench_write_file_atomic_at(c->dirfd, FLEET_SUBDIR "/fleet.sh", batch_script, strlen(batch_script),
                                       0700, &err) < 0) {
                bench_eprint_safe("bench fleet run: %s\n", err->msg);
                return EXIT_FAILED;
        }
        /* the suite where every node reads it: DIR is shared */
        _cleanup_free_ char *suite_text = NULL;
        size_t suite_len;
        if (bench_read_file(o->suite, &suite_text, &suite_len, &err) < 0 ||
            bench_write_file_atomic_at(c->dirfd, FLEET_SUBDIR "/suite.json", suite_text, suite_len, 0600,
                                       &err) < 0) {
                bench_eprint_safe("bench fleet run: %s\n", err->msg);
                return EXIT_FAILED;
        }
        size_t n = 24 + o->n_sbatch_args + (size_t)o->n_run_args;
        _cleanup_free_ char **argv = calloc(n, sizeof(char *));
        char *owned[16] = {0};
        _cleanup_free_ char *output = NULL, *chdir_opt = NULL, *script = NULL, *suite_copy = NULL;
        if (!argv || asprintf(&output, "--output=%s/" FLEET_SUBDIR "/job-%%j.out", c->dir) < 0 ||
            asprintf(&chdir_opt, "--chdir=%s", c->dir) < 0 ||
            asprintf(&script, "%s/" FLEET_SUBDIR "/fleet.sh", c->dir) < 0 ||
            asprintf(&suite_copy, "%s/" FLEET_SUBDIR "/suite.json", c->dir) < 0)
                return EXIT_FAILED;
        int k = 0;
        argv[k++] = c->progs.sbatch;
        argv[k++] = (char *)"--parsable";
        argv[k++] = output;
        argv[k++] = chdir_opt;
        int r = alloc_args(o, c->job_name, argv, k, owned);
        if (r < 0)
                return EXIT_FAILED;
        k = r;
        argv[k++] = script;
        argv[k++] = (char *)o->bench;
        argv[k++] = (char *)"--dir";
        argv[k++] = c->dir;
        argv[k++] = suite_copy;
        for (int i = 0; i < o->n_run_args; i++)
                argv[k++] = o->run_args[i];
        argv[k] = NULL;
        _cleanup_free_ char *out = NULL, *serr = NULL;
        int code;
        r = run_capture(argv, &out, &serr, &code);
        for (size_t i = 0; i < ELEMENTSOF(owned); i++)
                free(owned[i]);
        if (r < 0) {
                bench_eprint_safe("bench fleet run: cannot run %s: %s\n", c->progs.sbatch, strerror(-r));
                return EXIT_FAILED;
        }
        chomp(out);
        chomp(serr);
        out[strcspn(out, ";")] = '\0';
        if (code != 0 || !*out || strspn(out, "0123456789") != strlen(out)) {
                const char *conf = getenv("SLURM_CONF");
                _cleanup_free_ char *why = last_lines(*serr ? serr : out, 3);
                if (strstr(serr, "contact"))
                        bench_eprint_safe("bench fleet run: Slurm refused the job: %s (SLURM_CONF=%s)\n",
                                          why ? why : serr,
                                          conf && *conf ? conf : "unset, so Slurm's default slurm.conf");
                else
                        bench_eprint_safe("bench fleet run: Slurm refused the job: %s\n", why ? why : serr);
                return EXIT_BAD_INPUT;
        }
        res_fleet_set(&c->m->job_id, out);
        if (asprintf(&c->out_name, FLEET_SUBDIR "/job-%s.out", out) < 0)
                return EXIT_FAILED;
        bench_eprint_safe("bench fleet: job %s submitted (transport shared, results in %s)\n", out, c->dir);
        return EXIT_OK;
}

static int submit_srun(fleet_ctx *c) {
        const fleet_opts *o = c->o;
        _cleanup_close_ int suite_fd = open(o->suite, O_RDONLY | O_CLOEXEC);
        if (suite_fd < 0) {
                bench_eprint_safe("bench fleet run: %s: %s\n", o->suite, strerror(errno));
                return EXIT_BAD_INPUT;
        }
        size_t n = 24 + o->n_sbatch_args + (size_t)o->n_run_args;
        _cleanup_free_ char **argv = calloc(n, sizeof(char *));
        char *owned[16] = {0};
        if (!argv)
                return EXIT_FAILED;
        int k = 0;
        /*
         * salloc makes the allocation and runs srun in it on this host: srun --whole gives the step
         * every CPU of the node (srun --exclusive making the job itself would imply --exact: one CPU)
         */
        argv[k++] = c->progs.salloc;
        int r = alloc_args(o, c->job_name, argv, k, owned);
        if (r < 0)
                return EXIT_FAILED;
        k = r;
        argv[k++] = c->progs.srun;
        argv[k++] = (char *)"--label";
        argv[k++] = (char *)"--input=all";
        argv[k++] = (char *)"--whole";
        argv[k++] = (char *)"--kill-on-bad-exit=0";
        argv[k++] = (char *)"--chdir=/";
        argv[k++] = (char *)o->bench;
        argv[k++] = (char *)"fleet";
        argv[k++] = (char *)"node";
        argv[k++] = (char *)"-";
        for (int i = 0; i < o->n_run_args; i++)
                argv[k++] = o->run_args[i];
        argv[k] = NULL;
        int out[2] = {-1, -1}, err[2] = {-1, -1};
        if (pipe2(out, O_CLOEXEC) < 0 || pipe2(err, O_CLOEXEC) < 0) {
                bench_eprint_safe("bench fleet run: pipe: %s\n", strerror(errno));
                return EXIT_FAILED;
        }
        /* its own process group: a Ctrl-C is ours (scancel), not srun's (which would abort and lose output)
         */
        r = spawn(c->progs.salloc, argv, suite_fd, out[1], err[1], SPAWN_OWN_GROUP, &c->srun_pid);
        for (size_t i = 0; i < ELEMENTSOF(owned); i++)
                free(owned[i]);
        close(out[1]);
        close(err[1]);
        if (r < 0) {
                close(out[0]);
                close(err[0]);
                bench_eprint_safe("bench fleet run: cannot run %s: %s\n", c->progs.salloc, strerror(-r));
                return EXIT_FAILED;
        }
        c->srun_out = out[0];
        c->srun_err = err[0];
        return EXIT_OK;
}

/* Follows the job until it (and, transport srun, srun) ended. */
static void follow(fleet_ctx *c) {
        uint64_t next_query = 0;
        bool warned = false;
        for (;;) {
                struct pollfd p[3] = {{.fd = c->srun_out, .events = POLLIN},
                                      {.fd = c->srun_err, .events = POLLIN},
                                      {.fd = bench_interrupt_fd(), .events = POLLIN}};
                uint64_t now = bench_now_ns();
                int wait_ms = next_query > now ? (int)((next_query - now) / 1000000) + 1 : 0;
                if (poll(p, 3, wait_ms) < 0 && errno != EINTR)
                        break;
                read_srun(c, p);
                if (p[2].revents) {
                        char drain[64];
                        while (read(p[2].fd, drain, sizeof(drain)) > 0)
                                ;
                }
                if (bench_interrupted() && !c->cancelled)
                        cancel_job(c);
                if (c->srun_pid > 0 && !c->srun_exited && c->srun_out < 0 && c->srun_err < 0) {
                        int status = wait_child(c->srun_pid);
                        c->srun_exited = true;
                        c->srun_code = status < 0 ? 255 : exit_code_of(status);
                }
                now = bench_now_ns();
                if (now < next_query)
                        continue;
                next_query = now + 1000000000ull;
                if (!c->m->job_id && c->srun_pid > 0)
                        find_job_id(c);
                read_job_output(c);
                bool job_over = false;
                if (c->m->job_id) {
                        int r = job_query(c);
                        if (r == -ENOENT)
                                job_over = true;
                        else if (r < 0 && !warned) {
                                bench_eprint_safe("bench fleet: scontrol cannot say how job %s stands; "
                                                  "trying again every "
                                                  "second\n",
                                                  c->m->job_id);
                                warned = true;
                        } else if (r == 0) {
                                update_states(c);
                                job_over = !job_active(c->job.state);
                        }
                }
                if (c->dirty)
                        write_manifest(c);
                bool srun_over = c->srun_pid <= 0 || c->srun_exited;
                if (srun_over && (job_over || (!c->m->job_id && c->srun_pid > 0)))
                        break;
                if (c->cancelled && now - c->cancel_at > CANCEL_WAIT_S * 1000000000ull) {
                        bench_eprint_safe(
                                "bench fleet: job %s has not ended %d s after scancel; leaving it to Slurm\n",
                                c->m->job_id ? c->m->job_id : c->job_name, CANCEL_WAIT_S);
                        break;
                }
        }
        read_job_output(c);
}

static void fleet_ctx_clear(fleet_ctx *c) {
        for (size_t i = 0; i < c->cap_t && c->t; i++) {
                free(c->t[i].err);
                free(c->t[i].shown_reason);
                buf_clear(&c->t[i].data);
        }
        free(c->t);
        res_fleet_free(c->m);
        slurm_progs_clear(&c->progs);
        if (c->dirfd >= 0) {
                bench_rm_rf_at(c->dirfd, FLEET_SUBDIR, NULL);
                close(c->dirfd);
        }
        if (c->srun_out >= 0)
                close(c->srun_out);
        if (c->srun_err >= 0)
                close(c->srun_err);
        free(c->dir);
        free(c->job_name);
        free(c->out_name);
        buf_clear(&c->line_out);
        buf_clear(&c->line_err);
        buf_clear(&c->srun_errors);
}

static void usage_run(FILE *f) {
        fprintf(f, "usage: bench fleet run SUITE -o DIR [--nodes N | --nodelist LIST] [--partition P] "
                   "[--constraint C]\n"
                   "         [--time LIMIT] [--transport shared|srun] [--sbatch-arg ARG]... [--bench PATH] "
                   "[-- RUN-OPTIONS]\n"
                   "exit status: 0 every node done, 1 a node failed (the others are kept), 2 bad input (no "
                   "Slurm,\n"
                   "             a partition or constraint Slurm refused, an unusable DIR), 130 interrupted "
                   "(the "
                   "job was\n"
                   "             cancelled; what came back is kept)\n");
}

/* The index of the `--` that starts RUN-OPTIONS (not an option's value), or argc. */
static int run_options_start(int argc, char **argv) {
        static const char *const with_value[] = {"-o",          "--output",     "--nodes", "--nodelist",
                                                 "--partition", "--constraint", "--time",  "--sbatch-arg",
                                                 "--transport", "--bench",      "-N",      "-w",
                                                 "-p",          "-C",           "-t"};
        for (int i = 1; i < argc; i++) {
                if (!strcmp(argv[i], "--"))
                        return i;
                for (size_t k = 0; k < ELEMENTSOF(with_value); k++)
                        if (!strcmp(argv[i], with_value[k])) {
                                i++;
                                break;
                        }
        }
        return argc;
}

int cmd_fleet_run(int argc, char **argv) {
        static const struct option opts[] = {
                {"output", required_argument, NULL, 'o'},
                {"nodes", required_argument, NULL, 'N'},
                {"nodelist", required_argument, NULL, 'w'},
                {"partition", required_argument, NULL, 'p'},
                {"constraint", required_argument, NULL, 'C'},
                {"time", required_argument, NULL, 't'},
                {"sbatch-arg", required_argument, NULL, 'S'},
                {"transport", required_argument, NULL, 'T'},
                {"bench", required_argument, NULL, 'b'},
                {"help", no_argument, NULL, 'h'},
                {0},
        };
        int split = run_options_start(argc, argv);
        fleet_opts o = {.transport = RES_FLEET_SHARED};
        _cleanup_free_ char **sbatch_args = calloc((size_t)argc + 1, sizeof(char *));
        if (!sbatch_args)
                return EXIT_FAILED;
        o.sbatch_args = sbatch_args;
        optind = 1;
        int c;
        uint64_t v;
        while ((c = getopt_long(split, argv, "o:N:w:p:C:t:h", opts, NULL)) >= 0) {
                switch (c) {
                case 'o':
                        o.dir = optarg;
                        break;
                case 'N':
                        if (bench_parse_uint(optarg, 100000, &v) < 0 || v == 0) {
                                bench_eprint_safe("bench fleet run: --nodes: `%s` is not a count of nodes "
                                                  "(e.g. --nodes "
                                                  "4)\n",
                                                  optarg);
                                return EXIT_BAD_INPUT;
                        }
                        o.nodes = optarg;
                        break;
                case 'w':
                        o.nodelist = optarg;
                        break;
                case 'p':
                        o.partition = optarg;
                        break;
                case 'C':
                        o.constraint = optarg;
                        break;
                case 't':
                        o.time_limit = optarg;
                        break;
                case 'S':
                        o.sbatch_args[o.n_sbatch_args++] = optarg;
                        break;
                case 'T':
                        if (res_fleet_transport_parse(optarg, &o.transport) < 0) {
                                bench_eprint_safe(
                                        "bench fleet run: --transport: `%s` is neither shared nor srun\n",
                                        optarg);
                                return EXIT_BAD_INPUT;
                        }
                        break;
                case 'b':
                        o.bench = optarg;
                        break;
                case 'h':
                        usage_run(stdout);
                        return EXIT_OK;
                default:
                        usage_run(stderr);
                        return EXIT_BAD_INPUT;
                }
        }
        if (optind + 1 != split) {
                fprintf(stderr, "bench fleet run: expected one suite file, e.g. bench fleet run "
                                "suites/quickstart.json -o results/fleet\n");
                usage_run(stderr);
                return EXIT_BAD_INPUT;
        }
        o.suite = argv[optind];
        if (!o.dir) {
                fprintf(stderr, "bench fleet run: -o DIR is required (where DIR/<node>.json go)\n");
                return EXIT_BAD_INPUT;
        }
        if (o.nodes && o.nodelist) {
                fprintf(stderr, "bench fleet run: give --nodes N or --nodelist LIST, not both\n");
                return EXIT_BAD_INPUT;
        }
        if (split < argc) {
                o.run_args = argv + split + 1;
                o.n_run_args = argc - split - 1;
        }
        const char *bad = bad_run_option(o.run_args, o.n_run_args);
        if (bad) {
                bench_eprint_safe("bench fleet run: RUN-OPTIONS may not hold `%s`: each node's result is "
                                  "DIR/<node>.json\n",
                                  bad);
                return EXIT_BAD_INPUT;
        }
        _cleanup_free_ char *self = o.bench ? NULL : self_path();
        if (!o.bench) {
                if (!self) {
                        fprintf(stderr,
                                "bench fleet run: cannot find this bench's path; give --bench PATH\n");
                        return EXIT_FAILED;
                }
                o.bench = self;
        } else if (o.bench[0] != '/') {
                bench_eprint_safe(
                        "bench fleet run: --bench %s: give the absolute path of bench on the nodes\n",
                        o.bench);
                return EXIT_BAD_INPUT;
        }

        /* the suite is checked here (not for this host: the nodes may differ), before anything is submitted
         */
        bench_diags diags = {0};
        suite *s = NULL;
        suite_overrides ov = {.repetitions = -1, .warmup = -1, .check_host = false};
        if (suite_load(o.suite, &ov, &s, &diags) < 0) {
                for (size_t i = 0; i < diags.n; i++)
                        fprintf(stderr, "%s\n", diags.msgs[i]);
                bench_eprint_safe("bench fleet run: %zu problem%s in %s; nothing was submitted\n", diags.n,
                                  diags.n == 1 ? "" : "s", o.suite);
                bench_diags_clear(&diags);
                return EXIT_BAD_INPUT;
        }
        bench_diags_clear(&diags);

        fleet_ctx ctx = {.o = &o, .dirfd = -1, .srun_out = -1, .srun_err = -1};
        int rc = find_slurm(o.transport, &ctx.progs);
        if (rc == EXIT_OK)
                rc = check_controller(&ctx.progs);
        if (rc == EXIT_OK)
                rc = open_fleet_dir(o.dir, &ctx.dir, &ctx.dirfd);
        if (rc != EXIT_OK) {
                suite_free(s);
                fleet_ctx_clear(&ctx);
                return rc;
        }
        if (mkdirat(ctx.dirfd, FLEET_SUBDIR, 0700) < 0) {
                bench_eprint_safe("bench fleet run: cannot make %s/" FLEET_SUBDIR ": %s\n", ctx.dir,
                                  strerror(errno));
                int fd = take_fd(&ctx.dirfd);
                close(fd);
                suite_free(s);
                fleet_ctx_clear(&ctx);
                return EXIT_FAILED;
        }
        ctx.m = res_fleet_new();
        _cleanup_free_ char *now = bench_utc_now();
        uint64_t rnd = bench_now_ns() ^ ((uint64_t)getpid() << 32);
        if (!ctx.m || !now ||
            asprintf(&ctx.job_name, "bench-fleet-%d-%llx", getpid(),
                     (unsigned long long)(rnd & 0xffffffull)) < 0 ||
            res_fleet_set(&ctx.m->suite, o.suite) < 0 || res_fleet_set(&ctx.m->suite_name, s->name) < 0 ||
            res_fleet_set(&ctx.m->submitted_at, now) < 0) {
                suite_free(s);
                fleet_ctx_clear(&ctx);
                return EXIT_FAILED;
        }
        suite_free(s);
        ctx.m->transport = o.transport;
        if (bench_interrupt_install() < 0) {
                fprintf(stderr, "bench fleet run: cannot install signal handlers\n");
                fleet_ctx_clear(&ctx);
                return EXIT_FAILED;
        }
        /* a named list is known before the job starts: each node is shown pending */
        if (o.nodelist)
                add_nodes(&ctx, o.nodelist);

        rc = o.transport == RES_FLEET_SHARED ? submit_shared(&ctx) : submit_srun(&ctx);
        if (rc != EXIT_OK) {
                fleet_ctx_clear(&ctx);
                return rc;
        }
        if (ctx.m->job_id)
                write_manifest(&ctx);
        follow(&ctx);

        /* salloc gave up before Slurm made a job: the allocation was refused (partition, constraint, ...) */
        if (o.transport == RES_FLEET_SRUN && !ctx.m->job_id) {
                _cleanup_free_ char *why = ctx.srun_errors.data ? last_lines(ctx.srun_errors.data, 2) : NULL;
                if (ctx.cancelled)
                        bench_eprint_safe(
                                "bench fleet run: interrupted before Slurm made a job; nothing ran\n");
                else
                        bench_eprint_safe("bench fleet run: Slurm refused the job: %s (salloc exit %d)\n",
                                          why && *why ? why : "no message", ctx.srun_code);
                rc = ctx.cancelled ? EXIT_INTERRUPTED : EXIT_BAD_INPUT;
                fleet_ctx_clear(&ctx);
                return rc;
        }
        finish_nodes(&ctx);
        _cleanup_free_ char *end = bench_utc_now();
        res_fleet_set(&ctx.m->ended_at, end);
        write_manifest(&ctx);

        size_t done = 0;
        for (size_t i = 0; i < ctx.m->n_nodes; i++)
                done += ctx.m->nodes[i].state == RES_FLEET_DONE;
        bench_eprint_safe("bench fleet: job %s %s: %zu of %zu node%s done -> %s/%s\n", ctx.m->job_id,
                          ctx.m->state ? ctx.m->state : "ended", done, ctx.m->n_nodes,
                          ctx.m->n_nodes == 1 ? "" : "s", ctx.dir, RES_FLEET_FILE);
        if (ctx.cancelled)
                rc = EXIT_INTERRUPTED;
        else if (ctx.m->n_nodes == 0 || done < ctx.m->n_nodes)
                rc = EXIT_FAILED;
        else
                rc = EXIT_OK;
        fleet_ctx_clear(&ctx);
        return rc;
}
