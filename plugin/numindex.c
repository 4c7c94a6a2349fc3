/* numindex.c - a label key's numeric values sorted, with the nodes below each block boundary as bitsets.
 *
 * Block rule: a block closes after the value that brings its node count to
 * nwords or more, and after any value whose posting is a bitset. So the values
 * of a block before its last one hold fewer than nwords ids, all in sparse
 * postings, and a query ORs at most that many ids on top of one stored set. */
#include "numindex.h"

#include <stdlib.h>

#include "bitset.h"
#include "xalloc.h"

typedef struct {
    int64_t num;
    const ngp_posting *ids;
} numval;

struct ngp_numindex {
    size_t nwords;
    uint32_t nvals, nblocks;
    numval *vals;        /* by num ascending; equal nums (5, 05, +5) side by side */
    uint32_t *start;     /* start[j]: index of block j's first value; start[nblocks] = nvals */
    uint64_t *below;     /* set j - 1 (nwords words each): nodes of values before start[j], j = 1..nblocks */
};

static int by_num(const void *a, const void *b)
{
    int64_t x = ((const numval *)a)->num, y = ((const numval *)b)->num;
    return (x > y) - (x < y);
}

ngp_numindex *ngp_numindex_new(const ngp_label_key *k, size_t nwords)
{
    ngp_numindex *ix = ngp_xcalloc(1, sizeof *ix);
    ix->nwords = nwords;
    ix->vals = ngp_xmalloc((k->values.count ? k->values.count : 1) * sizeof *ix->vals);
    for (size_t j = 0; j < k->values.cap; j++) {
        if (!NGP_STRMAP_LIVE(&k->values, j))
            continue;
        const ngp_label_value *v = k->values.slots[j].value;
        if (v->num_ok)
            ix->vals[ix->nvals++] = (numval){v->num, &v->ids};
    }
    qsort(ix->vals, ix->nvals, sizeof *ix->vals, by_num);

    ix->start = ngp_xmalloc(((size_t)ix->nvals + 1) * sizeof *ix->start);
    size_t held = 0;
    for (uint32_t i = 0; i < ix->nvals; i++) {
        if (held == 0)
            ix->start[ix->nblocks++] = i;
        held += ix->vals[i].ids->count;
        if (held >= nwords || ix->vals[i].ids->bits)
            held = 0;
    }
    ix->start[ix->nblocks] = ix->nvals;

    ix->below = ngp_bitset_new(ix->nblocks * nwords + (ix->nblocks == 0));
    for (uint32_t j = 0; j < ix->nblocks; j++) {
        uint64_t *set = ix->below + j * nwords;
        if (j > 0)
            ngp_bitset_copy(set, set - nwords, nwords);
        for (uint32_t i = ix->start[j]; i < ix->start[j + 1]; i++)
            ngp_posting_or_into(set, ix->vals[i].ids, nwords);
    }
    return ix;
}

void ngp_numindex_free(ngp_numindex *ix)
{
    if (!ix)
        return;
    free(ix->vals);
    free(ix->start);
    ngp_bitset_free(ix->below);
    free(ix);
}

/* The number of values below threshold (num < threshold), or at or below it (or_equal). */
static uint32_t rank_of(const ngp_numindex *ix, int64_t threshold, bool or_equal)
{
    uint32_t lo = 0, hi = ix->nvals;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (ix->vals[mid].num < threshold || (or_equal && ix->vals[mid].num == threshold))
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* dst = nodes of the first c values. */
static void first_values(const ngp_numindex *ix, uint32_t c, uint64_t *dst)
{
    uint32_t lo = 0, hi = ix->nblocks;   /* the last block j with start[j] <= c */
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo + 1) / 2;
        if (ix->start[mid] <= c)
            lo = mid;
        else
            hi = mid - 1;
    }
    if (lo == 0)
        ngp_bitset_zero(dst, ix->nwords);
    else
        ngp_bitset_copy(dst, ix->below + (lo - 1) * ix->nwords, ix->nwords);
    for (uint32_t i = ix->start[lo]; i < c; i++)
        ngp_posting_or_into(dst, ix->vals[i].ids, ix->nwords);
}

void ngp_numindex_and(const ngp_numindex *ix, bool gt, int64_t threshold, uint64_t *out, uint64_t *scratch)
{
    if (ix->nvals == 0) {
        ngp_bitset_zero(out, ix->nwords);
        return;
    }
    first_values(ix, rank_of(ix, threshold, gt), scratch);
    if (gt) {   /* every numeric node but those at or below the threshold */
        ngp_bitset_and_inplace(out, ix->below + (ix->nblocks - 1) * ix->nwords, ix->nwords);
        ngp_bitset_andnot_inplace(out, scratch, ix->nwords);
    } else {
        ngp_bitset_and_inplace(out, scratch, ix->nwords);
    }
}
