/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * What the VM configuration offers outside vm/ (the CLI's `bench vm` and
 * `bench layers`, `bench info`): the guest kernel, its modules, the
 * initramfs, the qcow2 chains of layer stacks, and whether KVM is usable.
 * The driver's own parts are in vm-internal.h.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../common/error.h"

/* ---- kernel.c: which kernel, and its modules ---- */

typedef struct vm_kernel {
        char *image;       /* vmlinuz path */
        char *modules_dir; /* .../lib/modules/<release>, NULL if none (all built in) */
        char *release;     /* "6.1.0-56-cloud-amd64" (from the modules dir or the image), may be NULL */
        char *source;      /* "suite", "host /boot", "bench cache": where it was found */
} vm_kernel;

/*
 * The kernel to boot: `path` if given (its modules from `modules_dir` if
 * given, else next to it), else /boot/vmlinuz-$(uname -r) with
 * /lib/modules/$(uname -r), else the newest one scripts/setup extracted into
 * <cache>/kernel/. None found: an error that says where it looked and how to
 * get one.
 */
int vm_kernel_find(const char *path, const char *modules_dir, vm_kernel *ret, bench_error **err);
void vm_kernel_clear(vm_kernel *k);

/* ---- modules.c: .ko dependencies from the module files themselves ---- */

/*
 * The module files needed to load `names` (e.g. virtio_pci, virtio_blk,
 * virtio_console, ext4), with their dependencies, in load order
 * (dependencies first, no duplicates). Debian ships no modules.dep in the
 * package, so dependencies come from each .ko's .modinfo section
 * ("depends=a,b"). A name the kernel has built in (listed in
 * modules.builtin, or not found and flagged optional) is skipped. `-` and
 * `_` are the same in module names. Compressed modules (.ko.xz/.zst) are an
 * error that says so.
 */
int vm_modules_resolve(const char *modules_dir, const char *const *names, size_t n_names, char ***ret_paths,
                       size_t *ret_n, bench_error **err);
void vm_modules_free(char **paths, size_t n);

/* ---- vmlinux.c: the uncompressed kernel of the fast boot path ---- */

/*
 * The ELF vmlinux inside bzImage `image`, for a PVH boot: cached as
 * <cache>/vm/vmlinux-<first 16 hex of the bzImage's sha256>.elf with a
 * bench_cache_record() beside it (<same>.elf.sum), reused when
 * bench_cache_verify() accepts it (rebuilt, with a bench_cache_note(), when not).
 * Built in a temp file in the same dir (O_EXCL|O_NOFOLLOW) and renamed: a crash leaves no half file.
 * ret_compression: static string naming the payload's format
 * ("lz4", "gzip", "xz", "zstd", "lzma"; "bzip2" and "lzo" are recognised but refused).
 * ret_cached: true when an existing cached file was reused.
 * Errors (-ENOEXEC unless another errno fits), each message naming the kernel path and what is wrong:
 * not a bzImage (no "HdrS" at 0x202), boot protocol older than 2.08 (no payload fields),
 * payload outside the file, a compression bench cannot decompress (say which and why: unsupported
 * format, or the library that decodes it is not installed — name the Debian package), corrupt data,
 * output larger than 1 GiB (a decompression bomb), the result is not an ELF64 x86-64 executable,
 * or it has no PVH entry (no XEN_ELFNOTE_PHYS32_ENTRY, note type 18, name "Xen", in a PT_NOTE segment).
 * The errnos that fit: -EOPNOTSUPP (bzip2, lzo), -ENOENT (the decoding library is not installed),
 * -EBADMSG (corrupt data), -EFBIG (more than 1 GiB), -ENOMEM; the kernel file itself: the errno of
 * open/read, -EINVAL (not a regular file); the cache: the errno of bench_cache_dir() and the write.
 */
int vm_vmlinux_get(const char *image, char **ret_path, const char **ret_compression, bool *ret_cached,
                   bench_error **err);

/*
 * The same checks on bytes in memory (for the fuzzer and unit tests): the decompressed ELF in *ret
 * (malloc'd), its size in *ret_len.
 */
int vm_vmlinux_extract(const void *bzimage, size_t len, const char *what, void **ret, size_t *ret_len,
                       const char **ret_compression, bench_error **err);
/*
 * 0 if elf (len bytes) is an ELF64 x86-64 executable with a PVH entry note; else -ENOEXEC with why,
 * naming `what`.
 */
int vm_vmlinux_check_pvh(const void *elf, size_t len, const char *what, bench_error **err);

/* ---- image.c: the initramfs ---- */

/*
 * <cache>/vm/initramfs-<hash>.cpio: /init (bench-agent), /dev/{console,
 * null,ttyS0,ttyS1} nodes, /proc /sys /tmp /scratch, and /modules/NN-name.ko
 * in load order for virtio_pci, virtio_blk, virtio_console and ext4 (what
 * the kernel lacks built in). Cached by a hash of what goes in; built in a
 * temp file and renamed, so a crash leaves no half image.
 */
int vm_image_build(const vm_kernel *k, const char *agent_path, char **ret_path, bench_error **err);

/* ---- disk.c: layer stacks as qcow2 backing chains ---- */

typedef struct lay_stack lay_stack;
/*
 * The cached qcow2 backing chain of a stack (one level per layer, holding
 * what that layer changed) or, with stack NULL, of `levels` levels holding
 * marker files only. free_bytes: room left free on the disk; the virtual
 * size (ret_bytes) adds what the stack holds, measured when the chain is
 * first built and read back from its header afterwards. ret_top: the top
 * level.
 */
int vm_chain(const lay_stack *stack, unsigned levels, uint64_t free_bytes, char **ret_top,
             uint64_t *ret_bytes, bench_error **err);

/* ---- accel.c: what KVM needs, as this host has it ---- */

typedef struct vm_kvm_probe {
        int device_errno;    /* 0: /dev/kvm opens read-write; else the errno of the open */
        int cpuinfo_errno;   /* 0: /proc/cpuinfo was read; else the errno (then no flags below) */
        const char *hw_virt; /* the CPU's "vmx" (Intel VT-x) or "svm" (AMD-V) flag, NULL if neither */
        bool hypervisor;     /* the CPU flags say "hypervisor": bench itself runs in a guest */
} vm_kvm_probe;
/*
 * KVM needs both /dev/kvm and vmx/svm: a nested PVM host has /dev/kvm but
 * no vmx/svm, and a stock guest hangs under it after real mode. The one
 * probe of both, for the accel choice and for `bench info`.
 */
void vm_kvm_probe_host(vm_kvm_probe *ret);

/* ---- ksm.c: the host's memory merging ---- */

/* /sys/kernel/mm/ksm as it is now; -1 for a value the kernel does not have. */
typedef struct vm_ksm_state {
        bool present; /* the kernel has KSM (CONFIG_KSM) */
        long run;     /* 0 stopped, 1 merging, 2 unmerging all */
        long pages_to_scan, sleep_millisecs, merge_across_nodes;
        long pages_shared;  /* KSM pages in use */
        long pages_sharing; /* more mappings of them: how many pages merging saves */
        long zero_pages;    /* pages merged with the zero page (use_zero_pages) */
        long full_scans;
} vm_ksm_state;
void vm_ksm_read(vm_ksm_state *ret);
