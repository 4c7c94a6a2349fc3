/* prng.h - the unit tests' deterministic PRNG (xorshift64): seed rng, then draw. */
#ifndef NGP_TEST_PRNG_H
#define NGP_TEST_PRNG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

static uint64_t rng;   /* the state: a test seeds it with a non-zero value */

static inline uint64_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static inline size_t below(size_t n) { return n ? (size_t)(rnd() % n) : 0; }
static inline bool chance(unsigned percent) { return below(100) < percent; }

#endif
