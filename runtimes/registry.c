/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <string.h>

#include "container/container.h"
#include "driver.h"

/*
 * Options of kinds whose driver lands later are declared now so that suites
 * written today validate today and keep working.
 */
/* the same data for every kind: bare reads the flattened tree, a container the overlay */
#define STACK_OPTION                                                                                         \
        {                                                                                                    \
                "stack", BENCH_OPT_STRING, NULL, NULL, 0, 0,                                                 \
                        "layer stack with the data the depth workloads read: synth:layers=N,..., oci:PATH, " \
                        "or a store id"                                                                      \
        }

static const bench_opt_spec bare_options[] = {STACK_OPTION, {0}};

static const bench_opt_spec container_options[] = {
        {"layers", BENCH_OPT_UINT_OR_STRLIST, "1", NULL, 1, 500,
         "lower layers: a count to synthesize, or layer dirs"},
        STACK_OPTION,
        {"memory", BENCH_OPT_SIZE, NULL, NULL, 4ull << 20, 0, "memory limit of the container's cgroup"},
        {"cpus", BENCH_OPT_CPULIST, NULL, NULL, 0, 0, "cpuset (default: the pinning choice)"},
        {"pids", BENCH_OPT_UINT, NULL, NULL, 1, 4194304, "pids limit"},
        {"userns", BENCH_OPT_BOOL, "false", NULL, 0, 0, "run in a new user namespace (rootless)"},
        {"network", BENCH_OPT_ENUM, "loopback", "none|loopback", 0, 0, "network namespace setup"},
        {"capabilities", BENCH_OPT_STRLIST, NULL, NULL, 0, 0, "capability set (default: Docker's)"},
        {"readonly_rootfs", BENCH_OPT_BOOL, "false", NULL, 0, 0, "mount the rootfs read-only"},
        {"timens", BENCH_OPT_BOOL, "false", NULL, 0, 0, "run in a new time namespace"},
        {"hostname", BENCH_OPT_STRING, NULL, NULL, 0, 0, "hostname inside (default: the container's name)"},
        {"upper", BENCH_OPT_ENUM, "disk", "disk|tmpfs", 0, 0,
         "where the writable layer lives: the workdir's filesystem (like bare) or a tmpfs"},
        {"cpu_quota", BENCH_OPT_UINT, NULL, NULL, 1000, 0, "CPU quota in microseconds per 100 ms period"},
        {"tmpfs_size", BENCH_OPT_SIZE, CTR_TMPFS_SIZE_DEFAULT, NULL, 64ull << 10, 0,
         "size of the /tmp tmpfs (a read-only rootfs's scratch)"},
        {"upper_size", BENCH_OPT_SIZE, CTR_UPPER_SIZE_DEFAULT, NULL, 1ull << 20, 0,
         "size of a tmpfs upper; a disk upper cannot be bounded (refused)"},
        {"seccomp", BENCH_OPT_STRING, "default", NULL, 0, 0,
         "seccomp profile: default (Docker's policy), none, or an OCI/Docker profile JSON file"},
        {0},
};

static const bench_opt_spec vm_options[] = {
        {"uri", BENCH_OPT_STRING, NULL, NULL, 0, 0, "libvirt URI (default: embedded qemu driver)"},
        STACK_OPTION,
        {"kernel", BENCH_OPT_STRING, NULL, NULL, 0, 0, "guest kernel image"},
        {"memory", BENCH_OPT_SIZE, "256M", NULL, 64ull << 20, 0, "guest memory"},
        {"vcpus", BENCH_OPT_UINT, "1", NULL, 1, 256, "guest vCPUs"},
        {"accel", BENCH_OPT_ENUM, "auto", "auto|kvm|tcg", 0, 0,
         "accelerator; auto = kvm only where it works"},
        {"layers", BENCH_OPT_UINT, "1", NULL, 1, 500, "qcow2 backing chain depth"},
        {"disk_size", BENCH_OPT_SIZE, "256M", NULL, 16ull << 20, 0,
         "the scratch disk (ext4 on virtio-blk) of the I/O workloads"},
        {"startup_runs", BENCH_OPT_UINT, NULL, NULL, 1, 100000,
         "at most this many boots per repetition for the startup workload (a TCG boot takes seconds)"},
        {"modules_dir", BENCH_OPT_STRING, NULL, NULL, 0, 0, "the kernel's modules (default: next to kernel)"},
        {0},
};

static const bench_opt_spec oci_options[] = {
        {"runtime", BENCH_OPT_STRING, "crun", NULL, 0, 0, "OCI runtime binary (crun, runc or a path)"},
        {0},
};

const rt_kind rt_kinds[] = {
        {"bare", bare_options, &rt_bare_driver},
        {"container", container_options, &rt_container_driver},
        {"vm", vm_options, &rt_vm_driver},
        {"oci", oci_options, NULL},
        {0},
};

int rt_driver_validate(const rt_driver *d, bench_error **err) {
        if (!d->name || !d->probe || !d->create || !d->start || !d->measure || !d->wait || !d->phases ||
            !d->destroy)
                return bench_error_set(err, EINVAL, "driver %s: incomplete ops table",
                                       d->name ? d->name : "?");
        return 0;
}

const rt_kind *rt_kind_find(const char *name) {
        for (const rt_kind *k = rt_kinds; k->name; k++)
                if (!strcmp(k->name, name))
                        return k;
        return NULL;
}
