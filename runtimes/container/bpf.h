/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * Classic BPF for seccomp: an interpreter (the kernel's semantics, for
 * checking programs) and a shortener for the programs libseccomp emits.
 *
 * Why shorten: installing a filter costs the kernel time in proportion to
 * its length (conversion to eBPF and the JIT: ~0.2 us per instruction
 * here), and every container pays it. libseccomp compares the syscall
 * number against each allowed syscall in turn, while the numbers of
 * Docker's policy form runs of equal action (0-23 allowed, ...), which a
 * binary tree over ranges decides in one compare per run.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/filter.h>
#include <linux/seccomp.h>

/* The seccomp return value of prog for d (the kernel's result for that syscall). */
uint32_t ctr_bpf_run(const struct sock_filter *prog, size_t len, const struct seccomp_data *d);

/*
 * An equivalent program for every input: the decisions that depend only
 * on the architecture and the syscall number become range trees; the
 * argument checks are kept instruction for instruction. Returns 0 and
 * *ret (malloc'ed, *ret_len instructions), -EOPNOTSUPP when in has a
 * shape this does not handle (the caller keeps in), -ENOMEM.
 */
int ctr_bpf_shorten(const struct sock_filter *in, size_t len, struct sock_filter **ret, size_t *ret_len);

/*
 * Runs a and b on every architecture and syscall-number range either
 * distinguishes (both ends of each), with argument values from the
 * programs' own constants: true when they agree everywhere.
 */
bool ctr_bpf_agree(const struct sock_filter *a, size_t a_len, const struct sock_filter *b, size_t b_len);
