/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * Seccomp profiles of bench's container runtime. One model for the built-in
 * default (Docker's default policy) and for profiles read from a file (an
 * OCI `linux.seccomp` object or a Docker/Podman profile): a default action
 * and rules that may hold only with or without some capabilities, on some
 * architectures or from some kernel version on. The model is resolved
 * against the container's capability set and compiled with libseccomp into
 * classic BPF in the parent, once per profile and capability set; the child
 * only hands the program to seccomp(2). It also renders as an OCI
 * `linux.seccomp` object, so that external OCI runtimes get the same policy.
 */

#include "../../common/json.h"
#include <linux/filter.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../../common/error.h"

typedef enum ctr_sc_action {
        CTR_SC_KILL_THREAD,
        CTR_SC_KILL_PROCESS,
        CTR_SC_TRAP,
        CTR_SC_ERRNO, /* with ret = errno */
        CTR_SC_TRACE, /* with ret = the tracer's message */
        CTR_SC_LOG,
        CTR_SC_ALLOW,
} ctr_sc_action;

typedef enum ctr_sc_op {
        CTR_SC_NE = 1, /* the values are libseccomp's enum scmp_compare */
        CTR_SC_LT,
        CTR_SC_LE,
        CTR_SC_EQ,
        CTR_SC_GE,
        CTR_SC_GT,
        CTR_SC_MASKED_EQ, /* (arg & value) == value_two */
} ctr_sc_op;

typedef struct ctr_sc_arg {
        unsigned index; /* 0..5 */
        uint64_t value, value_two;
        ctr_sc_op op;
} ctr_sc_arg;

/* When a rule applies (includes: all must hold; excludes: none may). */
typedef struct ctr_sc_cond {
        uint64_t caps;             /* capability bits */
        bool unknown_cap;          /* names a capability libcap does not know: never held */
        const char *const *arches; /* Go names as Docker writes them: amd64, arm64, x32, s390x */
        size_t n_arches;
        unsigned min_kernel[2]; /* includes only: major, minor; 0.0 = any */
} ctr_sc_cond;

typedef struct ctr_sc_rule {
        const char *const *names;
        size_t n_names;
        ctr_sc_action action;
        unsigned ret; /* errno (ERRNO) or message (TRACE) */
        const ctr_sc_arg *args;
        size_t n_args;
        ctr_sc_cond includes, excludes;
} ctr_sc_rule;

typedef struct ctr_sc_profile {
        const char *name; /* "default", or the file it was read from */
        ctr_sc_action default_action;
        unsigned default_ret;
        const char *const *arches; /* OCI names (SCMP_ARCH_X86_64) resolved for this machine */
        size_t n_arches;
        unsigned flags; /* SECCOMP_FILTER_FLAG_* */
        const ctr_sc_rule *rules;
        size_t n_rules;
        void *owned; /* a profile read from a file: its memory */
} ctr_sc_profile;

/* The built-in profile: Docker's default policy (moby profiles/seccomp). */
const ctr_sc_profile *ctr_seccomp_default(void);

/*
 * Parses a profile; path names it in messages ("PATH: syscalls[3].action:
 * ..."). Unknown syscall names are kept (and skipped when compiled, like
 * Docker does); unknown actions, operators, architectures and fields of
 * the wrong type are errors.
 */
int ctr_seccomp_parse(const char *path, const char *json, ctr_sc_profile **ret, bench_error **err);
void ctr_seccomp_free(ctr_sc_profile *p);

/*
 * The program for the option value (NULL or "default", "none", or a path)
 * and the container's capability set: *ret = NULL for "none". Profiles are
 * read and programs compiled once per process; the program stays valid
 * until the process ends. ret_flags: the SECCOMP_FILTER_FLAG_* to install with.
 */
int ctr_seccomp_program(const char *value, uint64_t caps, const struct sock_fprog **ret, unsigned *ret_flags,
                        bench_error **err);

/*
 * The identity a result records: "none", "default", or "sha256:HEX" of the
 * profile file (cached with the profile). NULL if the value never loaded.
 */
const char *ctr_seccomp_identity(const char *value);

/*
 * The profile as it applies to a container with caps on this machine,
 * rendered as an OCI `linux.seccomp` object (rules resolved: no
 * includes/excludes left). NULL for "none" or out of memory.
 */
int ctr_seccomp_to_oci(const ctr_sc_profile *p, uint64_t caps, cJSON **ret, bench_error **err);
/* Loads the profile an option value names (NULL for "none"), cached like ctr_seccomp_program. */
int ctr_seccomp_load(const char *value, const ctr_sc_profile **ret, bench_error **err);
/*
 * Whether this kernel was built with the x32 ABI (from its config): 1 yes,
 * 0 no, -1 unknown. Where it is 0, programs leave SCMP_ARCH_X32 out.
 */
int ctr_seccomp_x32_abi(void);
