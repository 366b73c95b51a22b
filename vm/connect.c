/* SPDX-License-Identifier: MIT */
/*
 * The libvirt connection. By default the embedded QEMU driver: libvirt's
 * QEMU driver runs inside bench itself, with all its state under one root
 * dir, so no daemon is needed. It needs a running event loop (the QEMU
 * monitor is driven from it), which one thread per process runs while any
 * connection is open; through it libvirt also tells when a domain stops
 * (lifecycle events), embedded or through a daemon.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "../common/cleanup.h"
#include "../common/util.h"
#include "virt.h"
#include "vm-internal.h"

/*
 * The longest socket path the embedded driver makes under its root is the
 * QEMU monitor, <root>/lib/qemu/domain-<id>-<name up to 20>/monitor.sock:
 * 56 bytes after the root with a 5-digit id; sun_path holds 107. The rest
 * is headroom for ids and for sockets of devices bench does not use yet.
 */
#define ROOT_MAX 40

struct vm_conn {
        const vm_virt_api *v;
        virConnectPtr conn;
        char *uri;
        bool embedded;
        bool looped; /* holds a reference on the event loop thread */
        int wake_fd; /* eventfd: a lifecycle event of the domain vm_conn_wait_stopped waits for */
};

/* ---- the event loop thread, shared by the connections ---- */

static pthread_mutex_t loop_lock = PTHREAD_MUTEX_INITIALIZER;
static bool loop_registered; /* virEventRegisterDefaultImpl: once per process */
static unsigned loop_users;
static pthread_t loop_thread;
static atomic_bool loop_quit;
static atomic_bool loop_woken;
static const vm_virt_api *loop_api;

static void *loop_run(void *arg) {
        while (!atomic_load(&loop_quit))
                if (loop_api->EventRunDefaultImpl() < 0)
                        break;
        return NULL;
}

/* Fires on the loop's next iteration: just ends its wait so it sees loop_quit. */
static void loop_wake(int timer, void *opaque) {
        atomic_store(&loop_woken, true);
        loop_api->EventRemoveTimeout(timer);
}

static int loop_ref(const vm_virt_api *v, bench_error **err) {
        int r = 0;
        pthread_mutex_lock(&loop_lock);
        if (!loop_registered) {
                /* before the first connection: libvirt picks its event implementation at open */
                if (v->EventRegisterDefaultImpl() < 0) {
                        r = bench_error_set(err, EIO, "libvirt event loop: %s", v->GetLastErrorMessage());
                        goto out;
                }
                loop_registered = true;
        }
        if (loop_users++ == 0) {
                loop_api = v;
                atomic_store(&loop_quit, false);
                int e = bench_thread_start(&loop_thread, loop_run, NULL);
                if (e) {
                        loop_users--;
                        r = bench_error_errno(err, e, "libvirt event loop thread");
                }
        }
out:
        pthread_mutex_unlock(&loop_lock);
        return r;
}

static void loop_unref(void) {
        pthread_mutex_lock(&loop_lock);
        if (--loop_users == 0) {
                atomic_store(&loop_quit, true);
                atomic_store(&loop_woken, false);
                int timer = loop_api->EventAddTimeout(0, loop_wake, NULL, NULL);
                pthread_join(loop_thread, NULL);
                /* the loop may have stopped on its own before the timer fired */
                if (timer >= 0 && !atomic_load(&loop_woken))
                        loop_api->EventRemoveTimeout(timer);
        }
        pthread_mutex_unlock(&loop_lock);
}

/* ---- the embedded driver's root ---- */

static int embed_root_prepare(const char *root, bench_error **err) {
        if (!root || !*root)
                return bench_error_set(err, EINVAL, "libvirt embedded driver: no root dir given");
        if (root[0] != '/')
                return bench_error_set(err, EINVAL, "libvirt embedded driver: root dir `%s` is not absolute",
                                       root);
        if (strlen(root) > ROOT_MAX)
                return bench_error_set(
                        err, ENAMETOOLONG,
                        "libvirt embedded driver: root dir `%s` is longer than %d bytes (QEMU's "
                        "UNIX sockets under it must fit in %zu); use a shorter one",
                        root, ROOT_MAX, sizeof(((struct sockaddr_un *)0)->sun_path) - 1);
        /* it goes into a URI unquoted */
        for (const char *p = root; *p; p++)
                if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
                      strchr("/._-", *p)))
                        return bench_error_set(
                                err, EINVAL,
                                "libvirt embedded driver: root dir `%s`: character `%c` is not "
                                "allowed (letters, digits, `/._-`)",
                                root, *p);
        _cleanup_free_ char *etc = NULL;
        if (asprintf(&etc, "%s/etc", root) < 0)
                return bench_error_set(err, ENOMEM, "out of memory");
        int r = bench_mkdir_p(etc, 0700, err);
        if (r < 0)
                return bench_error_prefix(err, "libvirt embedded driver root");
        _cleanup_free_ char *conf = NULL;
        if (asprintf(&conf, "%s/qemu.conf", etc) < 0)
                return bench_error_set(err, ENOMEM, "out of memory");
        /*
         * stdio_handler: else the embedded driver sends QEMU's output to
         * virtlogd, a daemon. user/group: as root the driver would run QEMU
         * as libvirt-qemu, a user only the daemon package creates; QEMU runs
         * as bench's own user instead, so no file needs relabeling either.
         * cgroup_controllers: none, so that the driver leaves no machine/
         * cgroups on the host; vCPU pins are then applied as CPU affinity.
         */
        _cleanup_free_ char *text = NULL;
        int len = asprintf(&text,
                           "# written by bench\n"
                           "stdio_handler = \"file\"\n"
                           "user = \"+%u\"\n"
                           "group = \"+%u\"\n"
                           "dynamic_ownership = 0\n"
                           "cgroup_controllers = [ ]\n",
                           (unsigned)geteuid(), (unsigned)getegid());
        if (len < 0)
                return bench_error_set(err, ENOMEM, "out of memory");
        r = bench_write_file_atomic(conf, text, (size_t)len, err);
        if (r < 0)
                return bench_error_prefix(err, "libvirt embedded driver root");
        return 0;
}

/* ---- connections ---- */

static void vm_conn_closep(vm_conn **c) {
        vm_conn_close(*c);
}

int vm_conn_open(const char *uri, const char *root_dir, vm_conn **ret, bench_error **err) {
        const vm_virt_api *v = vm_virt(err);
        if (!v)
                return -ENOENT;
        _cleanup_(vm_conn_closep) vm_conn *c = calloc(1, sizeof(*c));
        if (!c)
                return bench_error_set(err, ENOMEM, "out of memory");
        c->v = v;
        c->wake_fd = -1;
        c->embedded = !uri;
        int r;
        if (c->embedded) {
                if ((r = embed_root_prepare(root_dir, err)) < 0)
                        return r;
                if (asprintf(&c->uri, "qemu:///embed?root=%s", root_dir) < 0) {
                        c->uri = NULL;
                        return bench_error_set(err, ENOMEM, "out of memory");
                }
        } else if (!(c->uri = strdup(uri)))
                return bench_error_set(err, ENOMEM, "out of memory");
        c->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
        if (c->wake_fd < 0)
                return bench_error_errno(err, errno, "eventfd");
        /* the embedded driver needs the loop; a daemon's connection delivers its events through it */
        if ((r = loop_ref(v, err)) < 0)
                return r;
        c->looped = true;

        v->ResetLastError();
        c->conn = v->ConnectOpen(c->uri);
        if (!c->conn) {
                const char *msg = v->GetLastErrorMessage();
                if (strcmp(c->uri, "qemu:///system") == 0)
                        r = bench_error_set(err, ECONNREFUSED,
                                            "libvirt %s: %s (libvirtd and virtlogd must run; or use the "
                                            "embedded driver)",
                                            c->uri, msg);
                else if (c->embedded && geteuid() == 0 && strstr(msg, "Failed to parse user"))
                        /* as root the driver looks up its build's QEMU user before reading qemu.conf */
                        r = bench_error_set(err, ENOENT,
                                            "libvirt %s: %s (as root the embedded driver needs the QEMU user "
                                            "and group libvirt was built with, on Debian `libvirt-qemu`: "
                                            "install libvirt-daemon-system, or `adduser --system --group "
                                            "--no-create-home libvirt-qemu`; QEMU still runs as root)",
                                            c->uri, msg);
                else
                        r = bench_error_set(err, ECONNREFUSED, "libvirt %s: %s", c->uri, msg);
                return r;
        }
        *ret = steal_pointer(&c);
        return 0;
}

void vm_conn_close(vm_conn *c) {
        if (!c)
                return;
        /* the loop still runs while the driver shuts down: it removes its handles from it */
        if (c->conn)
                c->v->ConnectClose(c->conn);
        if (c->looped)
                loop_unref();
        /* no callback of c is registered now (vm_conn_wait_stopped removes its own) */
        if (c->wake_fd >= 0)
                close(c->wake_fd);
        free(c->uri);
        free(c);
}

const char *vm_conn_uri(const vm_conn *c) {
        return c->uri;
}

void *vm_conn_ptr(vm_conn *c) {
        return c->conn;
}

/* On the loop thread. Any event wakes the waiter, which asks for the state itself. */
static void on_lifecycle(virConnectPtr conn, virDomainPtr dom, int event, int detail, void *opaque) {
        vm_conn *c = opaque;
        eventfd_write(c->wake_fd, 1);
}

int vm_conn_wait_stopped(vm_conn *c, void *dom, int timeout_ms, bench_error **err) {
        const vm_virt_api *v = c->v;
        uint64_t deadline = bench_now_ns() + (uint64_t)timeout_ms * 1000000ull;
        v->ResetLastError();
        int id = v->ConnectDomainEventRegisterAny(c->conn, dom, VIR_DOMAIN_EVENT_ID_LIFECYCLE,
                                                  VIR_DOMAIN_EVENT_CALLBACK(on_lifecycle), c, NULL);
        if (id < 0)
                return bench_error_set(err, EIO, "libvirt lifecycle events: %s", v->GetLastErrorMessage());
        int r = 0;
        /* asked after registering: a domain that stopped before is seen here, a later stop wakes the poll */
        while (v->DomainIsActive(dom) == 1) {
                uint64_t now = bench_now_ns();
                if (now >= deadline) {
                        r = bench_error_set(err, ETIMEDOUT, "the guest did not power off within %d ms",
                                            timeout_ms);
                        break;
                }
                struct pollfd p = {.fd = c->wake_fd, .events = POLLIN};
                if (poll(&p, 1, (int)((deadline - now + 999999) / 1000000)) < 0 && errno != EINTR) {
                        r = bench_error_errno(err, errno, "waiting for the domain to stop");
                        break;
                }
                eventfd_t n;
                eventfd_read(c->wake_fd, &n); /* nonblocking: just empties it */
        }
        v->ConnectDomainEventDeregisterAny(c->conn, id);
        return r;
}

int vm_conn_destroy_all(vm_conn *c, const char *name_prefix) {
        const vm_virt_api *v = c->v;
        virDomainPtr *doms = NULL;
        int n = v->ConnectListAllDomains(c->conn, &doms, 0);
        if (n < 0)
                return -EIO;
        size_t plen = name_prefix ? strlen(name_prefix) : 0;
        int r = 0, destroyed = 0;
        for (int i = 0; i < n; i++) {
                const char *name = v->DomainGetName(doms[i]);
                if (name && strncmp(name, name_prefix ? name_prefix : "", plen) == 0) {
                        if (v->DomainIsActive(doms[i]) == 1) {
                                if (v->DomainDestroy(doms[i]) < 0)
                                        r = r ? r : -EIO;
                                else
                                        destroyed++;
                        }
                        /* a defined domain would come back: leave nothing */
                        if (v->DomainIsPersistent(doms[i]) == 1 && v->DomainUndefine(doms[i]) < 0)
                                r = r ? r : -EIO;
                }
                v->DomainFree(doms[i]);
        }
        free(doms);
        return r < 0 ? r : destroyed;
}
