/* SPDX-License-Identifier: MIT */
#include "rng.h"

void bench_rng_seed(bench_rng *rng, uint64_t seed) {
        for (int i = 0; i < 4; i++)
                rng->s[i] = bench_splitmix64(&seed);
}

static inline uint64_t rotl64(uint64_t x, int k) {
        return (x << k) | (x >> (64 - k));
}

uint64_t bench_rng_next(bench_rng *rng) {
        uint64_t *s = rng->s;
        uint64_t result = rotl64(s[1] * 5, 7) * 9;
        uint64_t t = s[1] << 17;
        s[2] ^= s[0];
        s[3] ^= s[1];
        s[1] ^= s[2];
        s[0] ^= s[3];
        s[2] ^= t;
        s[3] = rotl64(s[3], 45);
        return result;
}

uint64_t bench_rng_below(bench_rng *rng, uint64_t bound) {
        /* Lemire's multiply-shift with rejection of the biased low range */
        unsigned __int128 m = (unsigned __int128)bench_rng_next(rng) * bound;
        uint64_t low = (uint64_t)m;
        if (low < bound) {
                uint64_t threshold = -bound % bound;
                while (low < threshold) {
                        m = (unsigned __int128)bench_rng_next(rng) * bound;
                        low = (uint64_t)m;
                }
        }
        return (uint64_t)(m >> 64);
}
