/* posting.c - one label/taint posting: mostly 1-id lists (hostname=...), a few near-full bitsets.
 *
 * "Below nwords / 2" is taken exactly, as 2 * count < nwords, so a one-word
 * posting returns to sparse when it empties. Growing the capacity never
 * converts: a dense set may sit below the threshold until its next removal. */
#include "posting.h"

#include <stdlib.h>
#include <string.h>

#include "bitset.h"
#include "xalloc.h"

/* Position of the first id >= id in the sorted list. */
static uint32_t lower_bound(const ngp_posting *p, uint32_t id)
{
    uint32_t lo = 0, hi = p->count;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (p->ids[mid] < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static void to_dense(ngp_posting *p, size_t nwords)
{
    p->bits = ngp_bitset_new(nwords);
    for (uint32_t i = 0; i < p->count; i++)
        ngp_bit_set(p->bits, p->ids[i]);
    free(p->ids);
    p->ids = NULL;
    p->cap = 0;
}

static void to_sparse(ngp_posting *p, size_t nwords)
{
    p->cap = p->count;
    p->ids = p->count ? ngp_xmalloc(p->count * sizeof *p->ids) : NULL;
    uint32_t n = 0;
    NGP_BITSET_FOREACH(id, p->bits, nwords)
        p->ids[n++] = (uint32_t)id;
    ngp_bitset_free(p->bits);
    p->bits = NULL;
}

void ngp_posting_add(ngp_posting *p, uint32_t id, size_t nwords)
{
    if (p->bits) {
        if (!ngp_bit_test(p->bits, id)) {
            ngp_bit_set(p->bits, id);
            p->count++;
        }
        return;
    }
    uint32_t k = lower_bound(p, id);
    if (k < p->count && p->ids[k] == id)
        return;
    if ((size_t)p->count + 1 > 2 * nwords) {
        to_dense(p, nwords);
        ngp_bit_set(p->bits, id);
        p->count++;
        return;
    }
    if (p->count == p->cap) {
        p->cap = p->cap ? 2 * p->cap : 1;   /* most postings never hold a second id */
        p->ids = ngp_xrealloc(p->ids, p->cap * sizeof *p->ids);
    }
    memmove(p->ids + k + 1, p->ids + k, (p->count - k) * sizeof *p->ids);
    p->ids[k] = id;
    p->count++;
}

void ngp_posting_remove(ngp_posting *p, uint32_t id, size_t nwords)
{
    if (p->bits) {
        if (ngp_bit_test(p->bits, id)) {
            ngp_bit_clear(p->bits, id);
            p->count--;
            if (2 * (size_t)p->count < nwords)
                to_sparse(p, nwords);
        }
        return;
    }
    uint32_t k = lower_bound(p, id);
    if (k == p->count || p->ids[k] != id)
        return;
    memmove(p->ids + k, p->ids + k + 1, (p->count - k - 1) * sizeof *p->ids);
    p->count--;
}

bool ngp_posting_has(const ngp_posting *p, uint32_t id)
{
    if (p->bits)
        return ngp_bit_test(p->bits, id);
    uint32_t k = lower_bound(p, id);
    return k < p->count && p->ids[k] == id;
}

void ngp_posting_grow(ngp_posting *p, size_t old_nwords, size_t new_nwords)
{
    if (p->bits)
        p->bits = ngp_bitset_resize(p->bits, old_nwords, new_nwords);
}

void ngp_posting_free(ngp_posting *p)
{
    free(p->ids);
    ngp_bitset_free(p->bits);
    memset(p, 0, sizeof *p);
}

void ngp_posting_or_into(uint64_t *dst, const ngp_posting *p, size_t nwords)
{
    if (p->bits) {
        ngp_bitset_or_inplace(dst, p->bits, nwords);
        return;
    }
    for (uint32_t i = 0; i < p->count; i++)
        ngp_bit_set(dst, p->ids[i]);
}

void ngp_posting_and_into(uint64_t *dst, const ngp_posting *p, size_t nwords)
{
    if (p->bits) {
        ngp_bitset_and_inplace(dst, p->bits, nwords);
        return;
    }
    /* One pass over dst, building each word's mask from the sorted ids. */
    uint32_t k = 0;
    for (size_t w = 0; w < nwords; w++) {
        uint64_t keep = 0;
        for (; k < p->count && ngp_word_of(p->ids[k]) == w; k++)
            keep |= ngp_mask_of(p->ids[k]);
        dst[w] &= keep;
    }
}

void ngp_posting_andnot_into(uint64_t *dst, const ngp_posting *p, size_t nwords)
{
    if (p->bits) {
        ngp_bitset_andnot_inplace(dst, p->bits, nwords);
        return;
    }
    for (uint32_t i = 0; i < p->count; i++)
        ngp_bit_clear(dst, p->ids[i]);
}

static bool fail(const char **why, const char *sentence)
{
    if (why)
        *why = sentence;
    return false;
}

/* Dense: no id list, count equals the popcount, and count > 0 (the removal
 * that emptied it would have converted it). No lower bound beyond that,
 * because growing may leave a dense set below the threshold. Bits past the
 * node capacity are the index's to check: only it knows the capacity.
 * Sparse: count <= 2 * nwords, the list holds count ids, strictly ascending
 * (so no duplicates), each below nwords * 64. */
bool ngp_posting_validate(const ngp_posting *p, size_t nwords, const char **why)
{
    if (p->bits) {
        if (p->ids || p->cap)
            return fail(why, "a dense posting also has an id list");
        if (ngp_bitset_count(p->bits, nwords) != p->count)
            return fail(why, "a dense posting's count differs from its popcount");
        if (p->count == 0)
            return fail(why, "a dense posting is empty");
        return true;
    }
    if (p->count > 2 * nwords)
        return fail(why, "a sparse posting is over the dense threshold");
    if (p->count > p->cap || (p->count && !p->ids))
        return fail(why, "a sparse posting's count exceeds its id list");
    for (uint32_t i = 0; i < p->count; i++) {
        if (p->ids[i] >= nwords * 64)
            return fail(why, "a sparse posting holds an id beyond the capacity");
        if (i && p->ids[i] == p->ids[i - 1])
            return fail(why, "a sparse posting holds a duplicate id");
        if (i && p->ids[i] < p->ids[i - 1])
            return fail(why, "a sparse posting's ids are not ascending");
    }
    return true;
}
