/* posting.h - the set of node ids carrying one label key, key=value or taint list.
 *
 * Most postings in a cluster are either large (os=linux: every node) or tiny
 * (kubernetes.io/hostname=<node>: one node). A posting is therefore a sorted
 * id list while the list is smaller than a bitset of the index's capacity,
 * and a bitset once it would outweigh it, so a label unique to each node
 * costs 4 bytes per node instead of capacity/8 bytes per value.
 *
 * Representation rule: bits != NULL means dense (ids is NULL); else sparse.
 * Goes dense when count exceeds 2 * nwords (the list would outweigh the
 * bitset); goes back to sparse only when a removal leaves 2 * count < nwords
 * (growing the capacity never converts, so a dense set may sit below that).
 * nwords is always the owning index's current capacity in words. */
#ifndef NGP_POSTING_H
#define NGP_POSTING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct ngp_posting {
    uint32_t count;   /* ids in the set */
    uint32_t cap;     /* allocated entries of ids (sparse only) */
    uint32_t *ids;    /* sorted ascending, no duplicates (sparse only) */
    uint64_t *bits;   /* nwords words (dense only) */
} ngp_posting;

/* Adds id (no-op if present). id < nwords * 64. */
void ngp_posting_add(ngp_posting *p, uint32_t id, size_t nwords);
/* Removes id (no-op if absent). */
void ngp_posting_remove(ngp_posting *p, uint32_t id, size_t nwords);
/* True when id is in the set; id must be below the index's capacity. */
bool ngp_posting_has(const ngp_posting *p, uint32_t id);
/* The index's capacity grew from old_nwords to new_nwords: resize a dense set. */
void ngp_posting_grow(ngp_posting *p, size_t old_nwords, size_t new_nwords);
/* Frees the storage and zeroes *p. */
void ngp_posting_free(ngp_posting *p);

/* dst |= p, dst &= p, dst &= ~p over nwords words. None allocate. */
void ngp_posting_or_into(uint64_t *dst, const ngp_posting *p, size_t nwords);
void ngp_posting_and_into(uint64_t *dst, const ngp_posting *p, size_t nwords);
void ngp_posting_andnot_into(uint64_t *dst, const ngp_posting *p, size_t nwords);

/* Checks the representation invariants; on failure returns false and points
 * *why at a static sentence. */
bool ngp_posting_validate(const ngp_posting *p, size_t nwords, const char **why);

#endif
