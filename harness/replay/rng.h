/* rng.h - the generator's deterministic PRNG: splitmix64, so a seed gives the same corpus on
 * every machine. */
#ifndef RP_RNG_H
#define RP_RNG_H

#include <stdint.h>

typedef struct {
    uint64_t s;
} rp_rng;

uint64_t rp_rng_next(rp_rng *r);
uint64_t rp_rng_below(rp_rng *r, uint64_t n);    /* uniform in [0, n), n > 0 */
int rp_rng_range(rp_rng *r, int lo, int hi);     /* uniform in [lo, hi) */
double rp_rng_unit(rp_rng *r);                   /* uniform in [0, 1) */
void rp_rng_alnum(rp_rng *r, char *out, int n);  /* k8s name-suffix alphabet, NUL-terminated */
void rp_rng_hex(rp_rng *r, char *out, int n);    /* n hex digits, NUL-terminated */
void rp_rng_uid(rp_rng *r, char out[37]);        /* a version-4 UUID */
void rp_rng_ts(rp_rng *r, int start_day, int span_days, char out[21]); /* RFC 3339 in 2023-2024 */

#endif
