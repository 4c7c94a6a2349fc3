/* rng.c - splitmix64 and the values the generator draws from it (names, hex, UUIDs, times). */
#include "rng.h"

#include <stdio.h>

uint64_t rp_rng_next(rp_rng *r)
{
    uint64_t z = (r->s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

uint64_t rp_rng_below(rp_rng *r, uint64_t n)
{
    /* rejection keeps it unbiased; the loop ends with probability > 1/2 per turn */
    uint64_t limit = UINT64_MAX - UINT64_MAX % n;
    for (;;) {
        uint64_t v = rp_rng_next(r);
        if (v < limit)
            return v % n;
    }
}

int rp_rng_range(rp_rng *r, int lo, int hi)
{
    return lo + (int)rp_rng_below(r, (uint64_t)(hi - lo));
}

double rp_rng_unit(rp_rng *r)
{
    return (double)(rp_rng_next(r) >> 11) * (1.0 / 9007199254740992.0);
}

void rp_rng_alnum(rp_rng *r, char *out, int n)
{
    static const char alphabet[] = "bcdfghjklmnpqrstvwxz2456789";
    for (int i = 0; i < n; i++)
        out[i] = alphabet[rp_rng_below(r, sizeof alphabet - 1)];
    out[n] = '\0';
}

void rp_rng_hex(rp_rng *r, char *out, int n)
{
    static const char hex[] = "0123456789abcdef";
    for (int i = 0; i < n; i++)
        out[i] = hex[rp_rng_below(r, 16)];
    out[n] = '\0';
}

void rp_rng_uid(rp_rng *r, char out[37])
{
    uint64_t a = rp_rng_next(r), b = rp_rng_next(r);
    snprintf(out, 37, "%08x-%04x-4%03x-%04x-%012llx", (unsigned)(a >> 32), (unsigned)(a >> 16) & 0xffff,
             (unsigned)a & 0xfff, (unsigned)(0x8000 | ((b >> 48) & 0x3fff)),
             (unsigned long long)(b & 0xffffffffffffull));
}

void rp_rng_ts(rp_rng *r, int start_day, int span_days, char out[21])
{
    static const int mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int doy = start_day + rp_rng_range(r, 0, span_days), y = 2023, m = 0;
    while (doy >= (y % 4 == 0 ? 366 : 365) && y < 2100)
        doy -= y++ % 4 == 0 ? 366 : 365;
    while (m < 11 && doy >= mdays[m] + (m == 1 && y % 4 == 0)) {
        doy -= mdays[m] + (m == 1 && y % 4 == 0);
        m++;
    }
    unsigned hh = (unsigned)rp_rng_range(r, 0, 24), mm = (unsigned)rp_rng_range(r, 0, 60),
             ss = (unsigned)rp_rng_range(r, 0, 60);
    snprintf(out, 21, "%04u-%02u-%02uT%02u:%02u:%02uZ", (unsigned)y % 10000, (unsigned)m % 12 + 1,
             (unsigned)doy % 31 + 1, hh % 24, mm % 60, ss % 60);
}
