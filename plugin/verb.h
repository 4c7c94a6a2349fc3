/* verb.h - what a verb is: one row of the verb table (verbs.c) and one handler signature.
 *
 * A row says what the verb's body looks like (its shape), what it needs
 * before it can run, and which lock it runs under; the ABI glue (abi.c)
 * decodes the body, checks the needs, takes the lock, resolves the targets
 * and calls the handler. Adding a verb is one row and one file: its handler
 * (and, when its body is new, a shape in schema.c). */
#ifndef NGP_VERB_H
#define NGP_VERB_H

#include <stdbool.h>

#include "arena.h"
#include "buf.h"
#include "err.h"
#include "nodegate.h"
#include "options.h"
#include "schema.h"
#include "store.h"
#include "targets.h"

/* What a row needs; abi.c acts on each. */
enum {
    NGP_NEEDS_POD = 1u << 0,      /* NGP_EBADJSON unless the body had a Pod object */
    NGP_NEEDS_DS = 1u << 1,       /* NGP_EBADJSON unless it had a DaemonSet object */
    NGP_ON_TARGETS = 1u << 2,     /* runs over Nodes (full mode: a private store, no lock) or
                                     NodeNames (the cache, under the read lock) */
    NGP_READS_CACHE = 1u << 3,    /* runs over the cache under the read lock */
    NGP_WRITES_CACHE = 1u << 4,   /* changes the cache under the write lock */
    NGP_NEEDS_NODES = 1u << 5,    /* ON_TARGETS: NGP_EBADJSON unless Nodes or NodeNames was given */
    NGP_ALL_CACHED = 1u << 6,     /* ON_TARGETS: without Nodes and NodeNames, every cached node */
};

/* What a handler is given. */
typedef struct ngp_verb_ctx {
    const ngp_options *opt;
    const void *req;              /* the request of the row's shape (request.h) */
    const ngp_targets *t;         /* NGP_ON_TARGETS */
    ngp_store *cache;             /* NGP_READS_CACHE (read only) and NGP_WRITES_CACHE */
    ngp_arena *arena;             /* the call's, freed when it ends */
} ngp_verb_ctx;

/* Writes the 200 reply body into out and returns true, or returns false
 * with the error in err. */
typedef bool ngp_verb_fn(const ngp_verb_ctx *c, ngp_buf *out, ngp_err *err);

typedef struct ngp_verb_def {
    const ngp_shape *shape;
    ngp_verb_fn *run;
    unsigned needs;               /* NGP_NEEDS_* | exactly one of ON_TARGETS, READS_CACHE, WRITES_CACHE */
} ngp_verb_def;

/* The row of verb, or NULL for a verb this plugin does not answer. */
const ngp_verb_def *ngp_verb_find(ng_verb verb);

/* The handlers, one file each (verb_<name>.c). */
ngp_verb_fn ngp_verb_filter, ngp_verb_prioritize, ngp_verb_preempt, ngp_verb_daemonset, ngp_verb_nodes,
    ngp_verb_explain;

#endif
