/* numindex.h - one label key's numeric values in order, for many Gt/Lt requirements over it in one call.
 *
 * Answering a Gt/Lt requirement by walking every value of its key costs
 * R x V for R requirements over V distinct values. The index sorts the
 * key's numeric values once and cuts them into blocks of about nwords nodes
 * each, keeping the set of nodes below each block's start; a requirement is
 * then a binary search, one such set and the values before its threshold
 * inside one block (fewer than nwords ids): O(log V + nwords). There are at
 * most nodes / nwords + 1 blocks, plus one per value whose posting is a bitset,
 * so the sets take at most 8 bytes per node carrying the key, one more set, and
 * as much as those bitset postings; building costs O(V log V) on top of that.
 * Built per call (eval.c); the store it reads is not changed. */
#ifndef NGP_NUMINDEX_H
#define NGP_NUMINDEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store.h"

typedef struct ngp_numindex ngp_numindex;

/* Indexes the values of k that parse as Go integers (num_ok), over sets of
 * nwords words. Free with ngp_numindex_free; k must not change meanwhile. */
ngp_numindex *ngp_numindex_new(const ngp_label_key *k, size_t nwords);
void ngp_numindex_free(ngp_numindex *ix);
/* out &= nodes whose value is > threshold (gt) or < threshold (!gt), as
 * Requirement.Matches compares them (SPEC 5.2); scratch is nwords words. */
void ngp_numindex_and(const ngp_numindex *ix, bool gt, int64_t threshold, uint64_t *out, uint64_t *scratch);

#endif
