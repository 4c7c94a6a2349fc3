/* bitset.h - word-packed sets of node ids, sized for clusters of 1 to ~100k nodes.
 *
 * A set is a plain uint64_t array of nwords words holding ids 0..nwords*64-1.
 * Tail rule: callers size every set of one index to the same nwords, and bits
 * at or beyond the index's node capacity are kept zero by every operation here
 * (fill takes the bit count, everything else works on whole words of
 * already-clean inputs). "Not found" is returned as the size in bits. */
#ifndef NGP_BITSET_H
#define NGP_BITSET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

static inline size_t ngp_words_for(size_t nbits) { return (nbits + 63) / 64; }
static inline size_t ngp_word_of(size_t bit) { return bit >> 6; }
static inline uint64_t ngp_mask_of(size_t bit) { return (uint64_t)1 << (bit & 63); }

static inline void ngp_bit_set(uint64_t *b, size_t i) { b[ngp_word_of(i)] |= ngp_mask_of(i); }
static inline void ngp_bit_clear(uint64_t *b, size_t i) { b[ngp_word_of(i)] &= ~ngp_mask_of(i); }
static inline bool ngp_bit_test(const uint64_t *b, size_t i)
{
    return (b[ngp_word_of(i)] & ngp_mask_of(i)) != 0;
}

/* Returns a zeroed set of nwords words (aborts on OOM). Free with ngp_bitset_free. */
uint64_t *ngp_bitset_new(size_t nwords);
/* Resizes a set from old_nwords to new_nwords; new words are zero. */
uint64_t *ngp_bitset_resize(uint64_t *b, size_t old_nwords, size_t new_nwords);
void ngp_bitset_free(uint64_t *b);

void ngp_bitset_zero(uint64_t *b, size_t nwords);
/* Sets bits 0..nbits-1 (nbits <= nwords * 64) and clears the rest of the nwords words. */
void ngp_bitset_fill(uint64_t *b, size_t nbits, size_t nwords);
void ngp_bitset_copy(uint64_t *dst, const uint64_t *src, size_t nwords);
void ngp_bitset_or_inplace(uint64_t *dst, const uint64_t *src, size_t nwords);
void ngp_bitset_and_inplace(uint64_t *dst, const uint64_t *src, size_t nwords);
void ngp_bitset_andnot_inplace(uint64_t *dst, const uint64_t *src, size_t nwords);
size_t ngp_bitset_count(const uint64_t *b, size_t nwords);
size_t ngp_bitset_and_count(const uint64_t *a, const uint64_t *b, size_t nwords);
bool ngp_bitset_intersects(const uint64_t *a, const uint64_t *b, size_t nwords);
bool ngp_bitset_is_empty(const uint64_t *b, size_t nwords);
/* First set bit at or after from, or nwords*64 when there is none. */
size_t ngp_bitset_next(const uint64_t *b, size_t nwords, size_t from);
/* Writes the set as ranges, e.g. "0-62,64" ("" for the empty set), truncated
 * to outlen-1 characters. Returns the length the full text needs. For tests
 * and debugging. */
size_t ngp_bitset_format(const uint64_t *b, size_t nwords, char *out, size_t outlen);

/* Iterates the set bits of b in ascending order; body sees id in var.
 * `break` in the body only skips to the next bit (it acts as `continue`),
 * and two FOREACH loops cannot nest (their hidden variables would shadow). */
#define NGP_BITSET_FOREACH(var, b, nwords)                                          \
    for (size_t ngp_w_ = 0, ngp_n_ = (nwords); ngp_w_ < ngp_n_; ngp_w_++)              \
        for (uint64_t ngp_x_ = (b)[ngp_w_]; ngp_x_ != 0; ngp_x_ &= ngp_x_ - 1)         \
            for (size_t var = ngp_w_ * 64 + (size_t)__builtin_ctzll(ngp_x_), ngp_o_ = 1; \
                 ngp_o_; ngp_o_ = 0)

#endif
