/* targets.h - the nodes one call is about, in request order, resolved in a store.
 *
 * Names mode resolves the request's names in the shared cache; full mode
 * indexes the request's own nodes into a private store, where ids are
 * request positions and the captured bytes of each node are kept to echo. */
#ifndef NGP_TARGETS_H
#define NGP_TARGETS_H

#include <stdbool.h>
#include <stdint.h>

#include "arena.h"
#include "err.h"
#include "request.h"
#include "store.h"

typedef struct ngp_targets {
    const ngp_store *store;
    uint32_t n;
    const char **names;
    int64_t *ids;                 /* -1: not in the store */
    const ngp_node_in *items;     /* full mode only, else NULL */
    const char *raw;              /* full mode: captured bytes items index into */
} ngp_targets;

/* Names mode: looks every name up in cache, which the caller keeps from
 * changing (the read lock) while t is used. A name the cache does not hold
 * must still be a valid node name (the cache's names were checked when they
 * came in): else returns false with NGP_EBADARG naming the first such entry. */
bool ngp_targets_from_names(ngp_targets *t, const ngp_store *cache, const ngp_names *names, ngp_err *err);
/* Every node of cache, in id order (a DaemonSet plan or an explanation without Nodes or
 * NodeNames); cache stays unchanged (the read lock) while t is used. */
void ngp_targets_from_cache(ngp_targets *t, const ngp_store *cache, ngp_arena *arena);
/* Full mode: indexes nodes into own (an empty private store); raw is the
 * decoder's capture buffer. Returns false with NGP_EINVALID naming the item
 * when a node is one the API server would refuse, or its name repeats. */
bool ngp_targets_from_nodes(ngp_targets *t, ngp_store *own, const ngp_nodes *nodes, const char *raw,
                            ngp_arena *arena, ngp_err *err);
/* Frees what the targets allocated (not the store). */
void ngp_targets_free(ngp_targets *t);

#endif
