/* SPDX-License-Identifier: MIT */
/*
 * The shim: one per container, forked by bench in the untimed create, as
 * conmon or containerd-shim are. Only an ancestor that is a subreaper can
 * wait for a container made by `RUNTIME create` (its process is reparented
 * when the runtime exits), so the shim is one: it runs create and start,
 * reaps everything that ends below it (runsc's sandbox and gofer become its
 * children; a gofer left a zombie makes `runsc delete` hang), records the
 * container's exit status, and runs delete. It mounts the rootfs in a mount
 * namespace of its own: no mount of a run can outlive the shim on the host.
 * bench tells it to go over one pipe and hears from it over another; EOF on
 * the first (bench ended, even by SIGKILL) makes it delete what it made.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../../common/cleanup.h"
#include "../../common/util.h"
#include "oci-internal.h"

#define UNIFIED "/sys/fs/cgroup/unified"

/* In the shim: SIGCHLD (and the signals that end it) as an fd; -1 in bench. */
static int shim_sigfd = -1;

int oci_hide_unified(void) {
        /*
         * crun 1.8 refuses hybrid hosts; in v1 mode it still mkdirs
         * unified/<id>, so a small private tmpfs takes the mount's place
         * (scripts/peers does the same)
         */
        if (umount2(UNIFIED, MNT_DETACH) < 0)
                return -errno;
        if (mount("bench-oci", UNIFIED, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=1m,mode=0755") < 0)
                return -errno;
        return 0;
}

static void move_fd(int from, int to) {
        if (from == to)
                fcntl(to, F_SETFD, 0);
        else
                dup2(from, to);
}

int oci_runtime_run(const oci_runtime *rt, const char *const *sub, int in_fd, int out_fd, int err_fd,
                    char *errbuf, size_t errlen, int *ret_status, pid_t keep_pid, int *ret_kept_status,
                    bool *ret_kept) {
        size_t na = 0, ns = 0;
        while (rt->args && rt->args[na])
                na++;
        while (sub[ns])
                ns++;
        _cleanup_free_ const char **argv = calloc(na + ns + 2, sizeof(char *));
        if (!argv)
                return -ENOMEM;
        argv[0] = rt->path;
        memcpy(argv + 1, rt->args, na * sizeof(char *));
        memcpy(argv + 1 + na, sub, ns * sizeof(char *));
        if (errbuf && errlen)
                errbuf[0] = '\0';
        int cap[2] = {-1, -1};
        if (err_fd < 0 && errbuf && pipe2(cap, O_CLOEXEC) < 0)
                return -errno;
        _cleanup_close_ int null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
        if (null_fd < 0) {
                closep(&cap[0]);
                closep(&cap[1]);
                return -errno;
        }
        int fds[3] = {in_fd >= 0 ? in_fd : null_fd, out_fd >= 0 ? out_fd : null_fd,
                      err_fd >= 0   ? err_fd
                      : cap[1] >= 0 ? cap[1]
                                    : null_fd};
        pid_t pid = fork();
        if (pid < 0) {
                int e = errno;
                closep(&cap[0]);
                closep(&cap[1]);
                return -e;
        }
        if (pid == 0) {
                /* the fds above 2 must not land on 0..2 before they are moved */
                int hi[3];
                for (int i = 0; i < 3; i++)
                        hi[i] = fcntl(fds[i], F_DUPFD_CLOEXEC, 3);
                for (int i = 0; i < 3; i++)
                        move_fd(hi[i], i);
                sigset_t none;
                sigemptyset(&none);
                sigprocmask(SIG_SETMASK, &none, NULL);
                signal(SIGPIPE, SIG_DFL);
                if (rt->hide_unified) {
                        /* bench itself (the reaper): a namespace of the child's own */
                        if (unshare(CLONE_NEWNS) < 0 ||
                            mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 || oci_hide_unified() < 0)
                                _exit(126);
                }
                execv(rt->path, (char *const *)argv);
                _exit(127);
        }
        closep(&cap[1]);
        int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
        bool done = false;
        int status = 0;
        while (!done) {
                struct pollfd p[3] = {{.fd = pidfd, .events = POLLIN},
                                      {.fd = shim_sigfd, .events = POLLIN},
                                      {.fd = cap[0], .events = POLLIN}};
                int n = poll(p, 3, pidfd >= 0 || shim_sigfd >= 0 ? -1 : 10);
                if (n < 0 && errno != EINTR)
                        break;
                if (p[2].revents) {
                        char b[1024];
                        ssize_t m = read(cap[0], b, sizeof(b));
                        if (m > 0)
                                bench_keep_tail(errbuf, errlen, b, (size_t)m);
                        else if (m == 0 || errno != EINTR)
                                closep(&cap[0]);
                }
                if (p[1].revents) {
                        struct signalfd_siginfo si;
                        while (read(shim_sigfd, &si, sizeof(si)) == sizeof(si))
                                ;
                }
                if (shim_sigfd >= 0) {
                        /* the subreaper: every orphan is reaped as it ends */
                        int st;
                        pid_t w;
                        while ((w = waitpid(-1, &st, WNOHANG)) > 0) {
                                if (w == pid) {
                                        status = st;
                                        done = true;
                                } else if (w == keep_pid && ret_kept_status) {
                                        *ret_kept_status = st;
                                        if (ret_kept)
                                                *ret_kept = true;
                                }
                        }
                } else if (waitpid(pid, &status, WNOHANG) == pid)
                        done = true;
        }
        if (pidfd >= 0)
                close(pidfd);
        if (!done) {
                kill(pid, SIGKILL);
                waitpid(pid, &status, 0);
        }
        /* what is left in the pipe now (a daemon of the runtime may hold it open: no EOF wait) */
        if (cap[0] >= 0) {
                fcntl(cap[0], F_SETFL, O_NONBLOCK);
                char b[1024];
                ssize_t m;
                while ((m = read(cap[0], b, sizeof(b))) > 0)
                        bench_keep_tail(errbuf, errlen, b, (size_t)m);
                closep(&cap[0]);
        }
        *ret_status = status;
        return 0;
}

/* ---- in the shim ---- */

static void send_msg(int fd, const oci_msg *m) {
        ssize_t n;
        while ((n = write(fd, m, sizeof(*m))) < 0 && errno == EINTR)
                ;
}

static void send_failed(int fd, const char *step, int status, const char *text) {
        oci_msg m = {.type = OCI_MSG_FAILED, .status = status};
        snprintf(m.step, sizeof(m.step), "%s", step);
        snprintf(m.text, sizeof(m.text), "%s", text ? text : "");
        send_msg(fd, &m);
}

/* Closes every fd but those kept (the fork inherits all of bench's). */
static void close_others(const int *keep, size_t n) {
        DIR *d = opendir("/proc/self/fd");
        if (!d)
                return;
        int self = dirfd(d);
        struct dirent *de;
        int fds[1024];
        size_t nf = 0;
        while ((de = readdir(d)) && nf < ELEMENTSOF(fds)) {
                int fd = atoi(de->d_name);
                if (de->d_name[0] < '0' || de->d_name[0] > '9' || fd < 3 || fd == self)
                        continue;
                bool k = false;
                for (size_t i = 0; i < n; i++)
                        k |= keep[i] == fd;
                if (!k)
                        fds[nf++] = fd;
        }
        closedir(d);
        for (size_t i = 0; i < nf; i++)
                close(fds[i]);
}

static int mount_rootfs(const oci_shim_spec *s, const char **ret_step) {
        char rootfs[4200], ovl[4200], upper[4200], work[4200];
        snprintf(rootfs, sizeof(rootfs), "%s/rootfs", s->bundle);
        snprintf(ovl, sizeof(ovl), "%s/ovl", s->bundle);
        snprintf(upper, sizeof(upper), "%s/ovl/upper", s->bundle);
        snprintf(work, sizeof(work), "%s/ovl/work", s->bundle);
        *ret_step = "making the mount tree private";
        if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
                return -errno;
        if (s->upper_tmpfs) {
                /* upper and work on a tmpfs in this namespace only: the host's filesystem is not touched */
                char data[64];
                uint64_t size = s->upper_size;
                if (!size)
                        bench_parse_size(CTR_UPPER_SIZE_DEFAULT, &size);
                snprintf(data, sizeof(data), "mode=0755,size=%llu", (unsigned long long)size);
                *ret_step = "mounting the upper tmpfs";
                if (mount("tmpfs", ovl, "tmpfs", MS_NOSUID | MS_NODEV, data) < 0)
                        return -errno;
        }
        *ret_step = "creating upper and work dirs";
        if ((mkdir(upper, 0755) < 0 && errno != EEXIST) || (mkdir(work, 0755) < 0 && errno != EEXIST))
                return -errno;
        *ret_step = "mounting the overlay rootfs";
        _cleanup_free_ char *data = NULL;
        int r = ctr_overlay_data(s->layers, s->n_layers, ovl, &data);
        if (r == 0)
                r = mount("overlay", rootfs, "overlay", MS_NODEV, data) < 0 ? -errno : 0;
        else if (r == -E2BIG)
                r = ctr_overlay_mount_fsconfig(s->layers, s->n_layers, upper, work, rootfs) < 0 ? -errno : 0;
        if (r < 0)
                return r;
        /* as bench's runtime: what an image lacks is made in the upper (mkdir follows no final symlink) */
        *ret_step = "creating the rootfs's mount points";
        for (size_t i = 0; i < ctr_n_mountpoints; i++) {
                char dir[4400];
                snprintf(dir, sizeof(dir), "%s%s", rootfs, ctr_mountpoints[i]);
                if (mkdir(dir, 0755) < 0 && errno != EEXIST)
                        return -errno;
        }
        return 0;
}

/* Everything below the shim ends: reaped until none is left (bounded). */
static void reap_all(void) {
        alarm(20);
        while (waitpid(-1, NULL, 0) > 0 || errno == EINTR)
                ;
        alarm(0);
}

static void run_delete(const oci_shim_spec *s, const oci_runtime *rt, int rep, bool report) {
        const char *sub[] = {"delete", "--force", s->id, NULL};
        char errbuf[2048];
        int st = 0;
        const char *state[] = {"state", s->id, NULL};
        uint64_t t0 = bench_now_ns();
        bool ok = false, known = true;
        /*
         * runsc's delete gives up when the sandbox does not stop within its
         * own deadline (seen with 128 sandboxes starting at once on 2 cpus):
         * while the runtime still knows the container, delete again; the
         * figure is the time until it is gone
         */
        for (int attempt = 0; attempt < 3 && !ok && known; attempt++) {
                errbuf[0] = '\0';
                int r = oci_runtime_run(rt, sub, -1, -1, -1, errbuf, sizeof(errbuf), &st, 0, NULL, NULL);
                ok = r == 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0;
                if (r < 0)
                        st = r;
                if (!ok) {
                        /* a delete that failed, of a container the runtime does not know (never made): gone
                         */
                        int sst = 0;
                        known = oci_runtime_run(rt, state, -1, -1, -1, NULL, 0, &sst, 0, NULL, NULL) == 0 &&
                                WIFEXITED(sst) && WEXITSTATUS(sst) == 0;
                }
        }
        uint64_t t1 = bench_now_ns();
        if ((ok || !known) && s->record)
                oci_record_remove(s->record);
        if (!report)
                return;
        if (ok) {
                oci_msg m = {.type = OCI_MSG_DELETED, .delete_ms = bench_ns_to_ms(t1 - t0)};
                send_msg(rep, &m);
        } else
                send_failed(rep, "delete", st, errbuf);
}

static bool refused_hybrid(const char *text) {
        return strstr(text, "hybrid") != NULL;
}

static _Noreturn void shim_main(const oci_shim_spec *s, pid_t parent, int ctl, int rep) {
        setsid();
        prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
        /* bench's death (as seen by its thread) ends the container too: treated as EOF on ctl */
        prctl(PR_SET_PDEATHSIG, SIGTERM, 0, 0, 0);
        sigset_t set;
        sigemptyset(&set);
        sigaddset(&set, SIGCHLD);
        sigaddset(&set, SIGTERM);
        sigaddset(&set, SIGINT);
        sigaddset(&set, SIGHUP);
        sigprocmask(SIG_BLOCK, &set, NULL);
        signal(SIGPIPE, SIG_IGN);
        shim_sigfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
        int keep[] = {ctl, rep, s->stdio.in, s->stdio.out, s->stdio.err, shim_sigfd};
        close_others(keep, ELEMENTSOF(keep));
        if (getppid() != parent)
                _exit(0);
        if (s->affinity)
                sched_setaffinity(0, sizeof(*s->affinity), s->affinity);
        const char *step = "";
        int r = mount_rootfs(s, &step);
        oci_runtime rt = s->rt;
        bool hidden = false;
        if (r == 0 && rt.hide_unified) {
                step = "hiding " UNIFIED;
                r = oci_hide_unified();
                hidden = r == 0;
        }
        /* the runtime runs in this namespace already */
        rt.hide_unified = false;
        if (r < 0) {
                char text[256];
                snprintf(text, sizeof(text), "%s", strerror(-r));
                send_failed(rep, step, r, text);
                _exit(1);
        }
        oci_msg ready = {.type = OCI_MSG_READY};
        send_msg(rep, &ready);

        /* the go, or EOF / a signal: nothing was created yet then */
        for (;;) {
                struct pollfd p[2] = {{.fd = ctl, .events = POLLIN}, {.fd = shim_sigfd, .events = POLLIN}};
                if (poll(p, 2, -1) < 0 && errno != EINTR)
                        _exit(1);
                if (p[1].revents) {
                        struct signalfd_siginfo si;
                        bool end = false;
                        while (read(shim_sigfd, &si, sizeof(si)) == sizeof(si))
                                end |= si.ssi_signo != SIGCHLD;
                        if (end)
                                goto abandon;
                }
                if (p[0].revents) {
                        char c;
                        ssize_t n = read(ctl, &c, 1);
                        if (n == 1 && c == 'g')
                                break;
                        if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN))
                                goto abandon;
                }
        }

        char pidfile[4096], errbuf[2048];
        snprintf(pidfile, sizeof(pidfile), "%s/container.pid", s->bundle);
        const char *create[] = {"create", "--bundle", s->bundle, "--pid-file", pidfile, s->id, NULL};
        int st = 0, cst = 0;
        bool exited = false;
        uint64_t t0 = bench_now_ns();
        /* the agent's pipes are the container's stdio (terminal: false) */
        r = oci_runtime_run(&rt, create, s->stdio.in, s->stdio.out, s->stdio.err, NULL, 0, &st, 0, NULL,
                            NULL);
        bool ok = r == 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0;
        if (!ok && s->retry_hybrid && !hidden) {
                /*
                 * its stderr went to the agent's pipe, which bench reads: a second
                 * create with the captured error is the way to see the refusal
                 */
                const char *del[] = {"delete", "--force", s->id, NULL};
                int dst;
                oci_runtime_run(&rt, del, -1, -1, -1, NULL, 0, &dst, 0, NULL, NULL);
                r = oci_runtime_run(&rt, create, s->stdio.in, s->stdio.out, -1, errbuf, sizeof(errbuf), &st,
                                    0, NULL, NULL);
                if (r == 0 && !(WIFEXITED(st) && WEXITSTATUS(st) == 0) && refused_hybrid(errbuf) &&
                    oci_hide_unified() == 0) {
                        hidden = true;
                        oci_runtime_run(&rt, del, -1, -1, -1, NULL, 0, &dst, 0, NULL, NULL);
                        t0 = bench_now_ns();
                        r = oci_runtime_run(&rt, create, s->stdio.in, s->stdio.out, s->stdio.err, NULL, 0,
                                            &st, 0, NULL, NULL);
                }
                ok = r == 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0;
        }
        uint64_t t1 = bench_now_ns();
        /* the container holds them now; ours would keep the agent's output from ending */
        close(s->stdio.in);
        close(s->stdio.out);
        close(s->stdio.err);
        if (!ok) {
                /* the runtime's stderr is in the agent's pipe: bench reads it */
                send_failed(rep, "create", r < 0 ? r : st, "");
                run_delete(s, &rt, rep, false);
                reap_all();
                _exit(1);
        }
        pid_t cpid = 0;
        /* no cleanup attribute: the gotos to abandon above jump past this scope's start */
        char *pidtext = NULL;
        if (bench_read_file(pidfile, &pidtext, NULL, NULL) == 0)
                cpid = (pid_t)atoi(pidtext);
        free(pidtext);
        const char *start[] = {"start", s->id, NULL};
        r = oci_runtime_run(&rt, start, -1, -1, -1, errbuf, sizeof(errbuf), &st, cpid, &cst, &exited);
        uint64_t t2 = bench_now_ns();
        if (r < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
                send_failed(rep, "start", r < 0 ? r : st, errbuf);
                run_delete(s, &rt, rep, false);
                reap_all();
                _exit(1);
        }
        oci_msg started = {.type = OCI_MSG_STARTED,
                           .pid = cpid,
                           .hid_unified = hidden,
                           .create_ms = bench_ns_to_ms(t1 - t0),
                           .start_ms = bench_ns_to_ms(t2 - t1),
                           .t_ns = t2};
        send_msg(rep, &started);

        bool abort = false;
        while (!exited && !abort) {
                struct pollfd p[2] = {{.fd = ctl, .events = POLLIN}, {.fd = shim_sigfd, .events = POLLIN}};
                if (poll(p, 2, -1) < 0 && errno != EINTR)
                        break;
                if (p[1].revents) {
                        struct signalfd_siginfo si;
                        while (read(shim_sigfd, &si, sizeof(si)) == sizeof(si))
                                abort |= si.ssi_signo != SIGCHLD;
                        pid_t w;
                        int wst;
                        while ((w = waitpid(-1, &wst, WNOHANG)) > 0)
                                if (w == cpid) {
                                        cst = wst;
                                        exited = true;
                                }
                }
                if (p[0].revents) {
                        char c;
                        ssize_t n = read(ctl, &c, 1);
                        if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN))
                                abort = true;
                }
        }
        if (exited) {
                oci_msg m = {.type = OCI_MSG_EXITED, .status = cst};
                send_msg(rep, &m);
        }
        run_delete(s, &rt, rep, true);
        reap_all();
        _exit(0);
abandon:
        if (s->record)
                oci_record_remove(s->record);
        _exit(0);
}

/* ---- in bench ---- */

int oci_shim_read(oci_shim *s, int timeout_ms, oci_msg *ret, bench_error **err) {
        struct pollfd p = {.fd = s->report_fd, .events = POLLIN};
        int n;
        uint64_t deadline = timeout_ms >= 0 ? bench_now_ns() + (uint64_t)timeout_ms * 1000000u : 0;
        for (;;) {
                int left = -1;
                if (timeout_ms >= 0) {
                        uint64_t now = bench_now_ns();
                        left = now >= deadline ? 0 : (int)((deadline - now) / 1000000u) + 1;
                }
                n = poll(&p, 1, left);
                if (n >= 0 || errno != EINTR)
                        break;
        }
        if (n == 0)
                return bench_error_set(err, ETIMEDOUT, "the OCI shim said nothing within %d ms", timeout_ms);
        if (n < 0)
                return bench_error_errno(err, errno, "poll");
        ssize_t m;
        while ((m = read(s->report_fd, ret, sizeof(*ret))) < 0 && errno == EINTR)
                ;
        if (m == 0)
                return bench_error_set(err, EPIPE, "the OCI shim ended");
        if (m != (ssize_t)sizeof(*ret))
                return bench_error_set(err, EPROTO, "the OCI shim sent a short message");
        ret->step[sizeof(ret->step) - 1] = '\0';
        ret->text[sizeof(ret->text) - 1] = '\0';
        return 0;
}

void oci_shim_end(oci_shim *s) {
        closep(&s->ctl_fd);
        if (s->pid > 0) {
                /*
                 * bounded: a runtime that hangs must not hang bench. Past the
                 * bound the shim's session (it, the runtime it waits for) is
                 * killed; its record stays, and the next run deletes the container.
                 */
                int pidfd = (int)syscall(SYS_pidfd_open, s->pid, 0);
                struct pollfd p = {.fd = pidfd, .events = POLLIN};
                if (pidfd >= 0) {
                        uint64_t deadline = bench_now_ns() + 30000000000ull;
                        int n;
                        do {
                                uint64_t now = bench_now_ns();
                                n = now >= deadline ? 0 : poll(&p, 1, (int)((deadline - now) / 1000000u) + 1);
                        } while (n < 0 && errno == EINTR);
                        if (n == 0)
                                kill(-s->pid, SIGKILL);
                        close(pidfd);
                }
                while (waitpid(s->pid, NULL, 0) < 0 && errno == EINTR)
                        ;
                s->pid = 0;
        }
        closep(&s->report_fd);
}

int oci_shim_spawn(const oci_shim_spec *spec, oci_shim *ret, bench_error **err) {
        int ctl[2], rep[2];
        if (pipe2(ctl, O_CLOEXEC) < 0)
                return bench_error_errno(err, errno, "cannot create the OCI shim's pipes");
        if (pipe2(rep, O_CLOEXEC) < 0) {
                int e = errno;
                close(ctl[0]);
                close(ctl[1]);
                return bench_error_errno(err, e, "cannot create the OCI shim's pipes");
        }
        pid_t parent = getpid();
        pid_t pid = fork();
        if (pid < 0) {
                int e = errno;
                close(ctl[0]);
                close(ctl[1]);
                close(rep[0]);
                close(rep[1]);
                return bench_error_errno(err, e, "cannot fork the OCI shim");
        }
        if (pid == 0)
                shim_main(spec, parent, ctl[0], rep[1]);
        close(ctl[0]);
        close(rep[1]);
        *ret = (oci_shim){.pid = pid, .ctl_fd = ctl[1], .report_fd = rep[0]};
        oci_msg m;
        int r = oci_shim_read(ret, 30000, &m, err);
        if (r == 0 && m.type == OCI_MSG_FAILED)
                r = bench_error_set(err, m.status < 0 ? -m.status : EIO, "the OCI shim failed %s: %s", m.step,
                                    m.text);
        else if (r == 0 && m.type != OCI_MSG_READY)
                r = bench_error_set(err, EPROTO, "the OCI shim sent message %u before READY", m.type);
        if (r < 0) {
                oci_shim_end(ret);
                return r;
        }
        return 0;
}
