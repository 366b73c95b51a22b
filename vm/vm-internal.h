/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * The VM configuration: a guest booted through libvirt (embedded QEMU driver
 * by default) from a kernel plus an initramfs bench builds itself, whose
 * /init is the very bench-agent binary the other configurations run.
 * Results come back over the guest's second serial port (ttyS1), wired to a
 * UNIX socket that bench listens on before the domain starts; the kernel
 * log goes to the first (ttyS0) as a file, for error messages.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../common/error.h"
#include "vm.h"

/* ---- cpio.c: newc archives ---- */

typedef struct vm_cpio vm_cpio;
int vm_cpio_open(int fd, vm_cpio **ret, bench_error **err); /* writes to fd (not closed) */
int vm_cpio_dir(vm_cpio *c, const char *path, unsigned mode, bench_error **err);
int vm_cpio_file(vm_cpio *c, const char *path, unsigned mode, const void *data, size_t len,
                 bench_error **err);
int vm_cpio_file_from(vm_cpio *c, const char *path, unsigned mode, const char *host_path, bench_error **err);
int vm_cpio_symlink(vm_cpio *c, const char *path, const char *target, bench_error **err);
int vm_cpio_chardev(vm_cpio *c, const char *path, unsigned mode, unsigned major, unsigned minor,
                    bench_error **err);
/* Writes the TRAILER!!! entry, pads to 512 bytes, frees c. */
int vm_cpio_close(vm_cpio *c, bench_error **err);
void vm_cpio_abort(vm_cpio *c);

/* ---- disk.c: the scratch disk ---- */

/*
 * <dir>/scratch.img (raw, an empty ext4) for one layer and no stack, else
 * a writable <dir>/scratch.qcow2 on top of vm_chain's chain (ret_levels
 * images deep; 0 for the raw disk).
 * ret_format: "raw"/"qcow2".
 */
int vm_scratch_disk(const char *dir, uint64_t bytes, unsigned layers, const lay_stack *stack, char **ret_path,
                    const char **ret_format, unsigned *ret_levels, bench_error **err);

/* ---- qcow2.c: delta images ---- */

/*
 * Writes a qcow2 image of virtual_size at path holding the 64 KiB clusters
 * `clusters` (sorted, each once) read from src_fd at the same offsets, and
 * nothing else: the rest reads from `backing` (a qcow2 file, absolute path),
 * or as zeros if backing is NULL. n = 0 makes an empty overlay.
 */
int vm_qcow2_write(const char *path, uint64_t virtual_size, const char *backing, int src_fd,
                   const uint64_t *clusters, size_t n, bench_error **err);
/* The virtual size of a qcow2 image, from its header. */
int vm_qcow2_size(const char *path, uint64_t *ret, bench_error **err);
/*
 * The 64 KiB clusters where the raw image new_fd differs from old_fd (both
 * `size` bytes; only new_fd's data extents are compared, holes in old_fd
 * read as zeros), sorted; old_fd is updated to match new_fd as it goes.
 */
int vm_diff_clusters(int new_fd, int old_fd, uint64_t size, uint64_t **ret, size_t *ret_n, bench_error **err);

/* ---- domain.c: the libvirt domain XML ---- */

typedef struct vm_disk {
        const char *path;
        const char *format; /* "raw" or "qcow2" */
        bool readonly;
        /*
         * images in path's backing chain below it. libvirt follows a chain at
         * most 200 images deep (its probe stops: "too deeply nested"), and
         * its XML parser takes at most 256 nested elements, so a deeper
         * chain cannot be a libvirt <disk>: such a disk is given to QEMU
         * itself (<qemu:commandline> -blockdev/-device), which opens the
         * chain from the image headers.
         */
        unsigned chain_depth;
} vm_disk;

/* The deepest backing chain a libvirt <disk> may have (see vm_disk). */
#define VM_LIBVIRT_CHAIN_MAX 199

typedef struct vm_domain_spec {
        const char *name;
        const char *type;    /* "kvm" or "qemu" (TCG) */
        const char *machine; /* "q35" */
        uint64_t memory_kib;
        unsigned vcpus;
        const int *vcpu_pins;      /* vcpu i -> host cpu vcpu_pins[i]; NULL = none */
        const char *emulator_cpus; /* cpu list for <emulatorpin>, NULL = none */
        const char *loader; /* firmware ROM (<loader type='rom'>, QEMU's -bios), NULL = QEMU's (SeaBIOS) */
        const char *kernel, *initrd, *cmdline;
        const char *console_log;    /* ttyS0 -> this file (when no console_socket) */
        const char *console_socket; /* ttyS0 -> qemu connects to this UNIX socket */
        const char *channel_socket; /* ttyS1 -> qemu connects to this UNIX socket */
        uint64_t tb_cache_mib;      /* TCG's translation cache (type qemu only), 0 = QEMU's default */
        bool firmware_serial;       /* the firmware prints on ttyS0 (QEMU's -machine graphics=off) */
        const vm_disk *disks;
        size_t n_disks;
} vm_domain_spec;

/* The XML (caller frees): ACPI on, no network, no graphics/usb/balloon, serials as above. */
int vm_domain_xml(const vm_domain_spec *spec, char **ret_xml, bench_error **err);

/* ---- console.c: the guest's ttyS0, timestamped on the host ---- */

/*
 * The boundaries inside a boot, in the order they come, each marked by a
 * string the guest prints on ttyS0 (see console.c). The firmware's hand-over
 * shows only where the firmware prints it (SeaBIOS; qboot prints nothing).
 */
typedef enum { VM_MARK_FIRMWARE_DONE, VM_MARK_KERNEL, VM_MARK_INIT, VM_MARK_N } vm_mark;
/* What each marks, for messages: "the kernel's banner" */
extern const char *const vm_mark_names[VM_MARK_N];

typedef struct vm_console vm_console;
/*
 * Listens on sock_path (for QEMU's ttyS0) and starts a thread that accepts
 * QEMU's connection, timestamps what arrives on the host's monotonic clock
 * and copies it into log_path (created O_EXCL|O_NOFOLLOW; at most 4 MiB).
 */
int vm_console_listen(const char *sock_path, const char *log_path, vm_console **ret, bench_error **err);
/* When marker m first arrived (bench_now_ns), 0 if it has not. */
uint64_t vm_console_mark(const vm_console *c, vm_mark m);
/* Stops the thread and closes everything; accepts NULL. */
void vm_console_free(vm_console *c);
void vm_console_freep(vm_console **c);

/* ---- connect.c: libvirt, embedded by default ---- */

typedef struct vm_conn vm_conn;
/*
 * uri NULL: the embedded QEMU driver qemu:///embed?root=<root_dir> with
 * <root_dir>/etc/qemu.conf saying stdio_handler = "file" (no daemon at all).
 * Else that URI (qemu:///system, qemu+ssh://host/system ...). Either way a
 * libvirt event loop runs in a thread while a connection is open (the
 * embedded driver's QEMU monitor and lifecycle events go through it).
 * root_dir: absolute, at most 40 bytes of [A-Za-z0-9/._-]. libvirt allows
 * one embedded root per process for the process's life (another after
 * close fails), and caches QEMU's capabilities under it: the first domain
 * of a fresh root pays ~4 s for probing QEMU here, so keep the root across
 * runs.
 */
int vm_conn_open(const char *uri, const char *root_dir, vm_conn **ret, bench_error **err);
void vm_conn_close(vm_conn *c); /* accepts NULL; stops the event thread with the last one */
const char *vm_conn_uri(const vm_conn *c);
/* The libvirt connection (virConnectPtr), for the driver. */
void *vm_conn_ptr(vm_conn *c);
/*
 * Waits up to timeout_ms for dom (a virDomainPtr of c) to stop running,
 * woken by libvirt's lifecycle events rather than polling. 0 once it no
 * longer runs (at once if it already stopped), -ETIMEDOUT after timeout_ms.
 */
int vm_conn_wait_stopped(vm_conn *c, void *dom, int timeout_ms, bench_error **err);
/*
 * Destroys every running domain of c whose name starts with name_prefix
 * (bench names them bench-<pid>-<n>: for teardown and for reaping the
 * domains of dead bench runs) and undefines such persistent ones. Returns
 * how many it destroyed, or -EIO if libvirt failed on any (it still tries
 * the others).
 */
int vm_conn_destroy_all(vm_conn *c, const char *name_prefix);

/* ---- accel.c ---- */

/*
 * "auto": kvm only where /dev/kvm opens and the CPU has vmx or svm (a nested
 * PVM host has /dev/kvm but a stock guest hangs under it); "kvm"/"tcg"
 * forced. ret_type: "kvm" or "qemu" (libvirt's name for TCG); ret_accel:
 * "kvm" or "tcg"; ret_why: a short reason for the result.
 */
int vm_accel_choose(const char *want, const char **ret_type, const char **ret_accel, char *why,
                    size_t why_len, bench_error **err);

/* ---- ksm.c: the `ksm` option ---- */

typedef enum { VM_KSM_HOST, VM_KSM_ON, VM_KSM_OFF } vm_ksm_mode;
/* "host", "on", "off" (the option table's choices) and back */
vm_ksm_mode vm_ksm_mode_parse(const char *s);
const char *vm_ksm_mode_name(vm_ksm_mode m);
/* Whether this host can do it: KSM in the kernel, root to set it. */
int vm_ksm_check(vm_ksm_mode mode, bench_error **err);
/*
 * on: run=1 at a rate that merges within a run; off: run=0. The first
 * holder saves the host's values in /run/bench/ksm.saved and sets them;
 * later holders of the same mode share it (another mode is EBUSY). A record
 * of a live bench is EBUSY; one of a dead bench is restored first.
 */
int vm_ksm_acquire(vm_ksm_mode mode, bench_error **err);
/* The last holder restores the saved values and removes the record; host: nothing. */
void vm_ksm_release(vm_ksm_mode mode);
/* A record whose bench is gone (SIGKILL): its values restored, the record removed. */
void vm_ksm_reap_stale(void);
/* Waits until ksmd has made `passes` more full scans: 0, -ETIMEDOUT, -ENOENT without KSM. */
int vm_ksm_settle(unsigned passes, int timeout_ms);
