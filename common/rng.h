/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * bench's one pseudo-random generator: splitmix64 for seeds and short
 * streams, xoshiro256** (Blackman & Vigna) seeded through it for long
 * ones. Deterministic on every host: workloads walk the same pattern in
 * every configuration, a synthesized layer holds the same bytes, a
 * bootstrap gives the same interval. Not for secrets.
 */

#include <stdint.h>

/* The next splitmix64 value of *state (which it advances). */
static inline uint64_t bench_splitmix64(uint64_t *state) {
        uint64_t z = (*state += UINT64_C(0x9e3779b97f4a7c15));
        z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
        z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
        return z ^ (z >> 31);
}

typedef struct bench_rng {
        uint64_t s[4];
} bench_rng;

/* Any seed, even 0: splitmix64 spreads it over the whole state. */
void bench_rng_seed(bench_rng *rng, uint64_t seed);
/* xoshiro256** */
uint64_t bench_rng_next(bench_rng *rng);
/* Uniform in [0, bound), bound > 0, without modulo bias. */
uint64_t bench_rng_below(bench_rng *rng, uint64_t bound);
