/* bitset.c - word-packed node-id sets; tuned for 1 to ~1,600 words (100k nodes), scanned whole.
 *
 * Tail rule (see bitset.h): only fill writes individual bits past a word
 * boundary, and it clears everything past nbits; every other operation
 * combines whole words of inputs that are already clean, so the tail stays
 * zero without masking in the reductions. Loops rather than memset/memcpy
 * keep zero-word sets (possibly NULL after resizing to 0) well defined. */
#include "bitset.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

uint64_t *ngp_bitset_new(size_t nwords)
{
    return ngp_xcalloc(nwords, sizeof(uint64_t));
}

uint64_t *ngp_bitset_resize(uint64_t *b, size_t old_nwords, size_t new_nwords)
{
    b = ngp_xrealloc(b, new_nwords * sizeof(uint64_t));
    for (size_t i = old_nwords; i < new_nwords; i++)
        b[i] = 0;
    return b;
}

void ngp_bitset_free(uint64_t *b)
{
    free(b);
}

void ngp_bitset_zero(uint64_t *b, size_t nwords)
{
    for (size_t i = 0; i < nwords; i++)
        b[i] = 0;
}

void ngp_bitset_fill(uint64_t *b, size_t nbits, size_t nwords)
{
    size_t full = nbits / 64;
    for (size_t i = 0; i < nwords; i++)
        b[i] = i < full ? ~(uint64_t)0 : 0;
    if (nbits % 64)
        b[full] = ngp_mask_of(nbits) - 1;
}

void ngp_bitset_copy(uint64_t *dst, const uint64_t *src, size_t nwords)
{
    for (size_t i = 0; i < nwords; i++)
        dst[i] = src[i];
}

void ngp_bitset_or_inplace(uint64_t *dst, const uint64_t *src, size_t nwords)
{
    for (size_t i = 0; i < nwords; i++)
        dst[i] |= src[i];
}

void ngp_bitset_and_inplace(uint64_t *dst, const uint64_t *src, size_t nwords)
{
    for (size_t i = 0; i < nwords; i++)
        dst[i] &= src[i];
}

void ngp_bitset_andnot_inplace(uint64_t *dst, const uint64_t *src, size_t nwords)
{
    for (size_t i = 0; i < nwords; i++)
        dst[i] &= ~src[i];
}

size_t ngp_bitset_count(const uint64_t *b, size_t nwords)
{
    size_t n = 0;
    for (size_t i = 0; i < nwords; i++)
        n += (size_t)__builtin_popcountll(b[i]);
    return n;
}

size_t ngp_bitset_and_count(const uint64_t *a, const uint64_t *b, size_t nwords)
{
    size_t n = 0;
    for (size_t i = 0; i < nwords; i++)
        n += (size_t)__builtin_popcountll(a[i] & b[i]);
    return n;
}

bool ngp_bitset_intersects(const uint64_t *a, const uint64_t *b, size_t nwords)
{
    for (size_t i = 0; i < nwords; i++)
        if (a[i] & b[i])
            return true;
    return false;
}

bool ngp_bitset_is_empty(const uint64_t *b, size_t nwords)
{
    for (size_t i = 0; i < nwords; i++)
        if (b[i])
            return false;
    return true;
}

/* First bit at or after from that is set in b ^ flip: flip 0 finds ones, ~0 zeros. */
static size_t scan(const uint64_t *b, size_t nwords, size_t from, uint64_t flip)
{
    size_t w = ngp_word_of(from);
    if (w >= nwords)
        return nwords * 64;
    uint64_t x = (b[w] ^ flip) & ~(ngp_mask_of(from) - 1);
    while (x == 0) {
        if (++w == nwords)
            return nwords * 64;
        x = b[w] ^ flip;
    }
    return w * 64 + (size_t)__builtin_ctzll(x);
}

size_t ngp_bitset_next(const uint64_t *b, size_t nwords, size_t from)
{
    return scan(b, nwords, from, 0);
}

/* Appends n bytes at *pos, keeping room for the NUL; *pos counts every byte. */
static void append(char *out, size_t outlen, size_t *pos, const char *s, size_t n)
{
    if (*pos + 1 < outlen) {
        size_t room = outlen - 1 - *pos;
        memcpy(out + *pos, s, n < room ? n : room);
    }
    *pos += n;
}

size_t ngp_bitset_format(const uint64_t *b, size_t nwords, char *out, size_t outlen)
{
    size_t pos = 0, end = nwords * 64;
    for (size_t lo = scan(b, nwords, 0, 0); lo < end;) {
        size_t hi = scan(b, nwords, lo, ~(uint64_t)0) - 1;
        char piece[48];
        int n = hi == lo ? snprintf(piece, sizeof piece, "%s%zu", pos ? "," : "", lo)
                         : snprintf(piece, sizeof piece, "%s%zu-%zu", pos ? "," : "", lo, hi);
        append(out, outlen, &pos, piece, (size_t)n);
        lo = scan(b, nwords, hi + 1, 0);
    }
    if (outlen)
        out[pos < outlen ? pos : outlen - 1] = '\0';
    return pos;
}
