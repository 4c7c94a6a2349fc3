/* index.h - the node index: dense ids, a name map and postings per label key,
 * label value and taint list, so the predicates run as word-wide set operations.
 *
 * Nodes get dense ids 0..capacity-1 (freed ids are reused, lowest first is not
 * promised). Every posting of one index has nwords = capacity / 64 words.
 * Taints are indexed per distinct taint *list* (the node's taints, in order):
 * real clusters have a handful of distinct lists, so a call evaluates each
 * list once against the pod's tolerations and gets, per node, the first
 * untolerated taint and the PreferNoSchedule count without looking at nodes.
 *
 * Not thread-safe: the owner (ng_index in plugin.c) holds a read-write lock;
 * a private index built for one full-mode call needs none. */
#ifndef NG_INDEX_H
#define NG_INDEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model.h"
#include "posting.h"
#include "strmap.h"

typedef struct ng_label_value {
    char *value;             /* owned; also the key in its label key's map */
    ng_posting ids;          /* nodes with key=value */
    bool num_ok;             /* value parses as Go ParseInt (for Gt/Lt) */
    int64_t num;
} ng_label_value;

typedef struct ng_label_key {
    char *key;               /* owned; also the key in the index's map */
    ng_posting ids;          /* nodes with this key, any value */
    ng_strmap values;        /* value -> ng_label_value* */
} ng_label_key;

typedef struct ng_taint_list {
    char *sig;               /* owned; unambiguous encoding of the list, the map key */
    ng_taint *taints;        /* strings owned, in node order */
    uint32_t ntaints;
    uint32_t slot;           /* dense number among live lists, for per-call arrays */
    ng_posting ids;          /* nodes whose taints are exactly this list */
} ng_taint_list;

typedef struct ng_node_label {
    ng_label_key *key;
    ng_label_value *value;
} ng_node_label;

typedef struct ng_node {
    char *name;              /* NULL for a free id; in the name pool, after quoted */
    char *quoted;            /* in the name pool: the name as a JSON string for replies */
    uint32_t quoted_len;
    uint32_t name_len;
    ng_node_label *labels;
    uint32_t nlabels;
    ng_taint_list *taints;   /* NULL: no taints */
    bool unschedulable;
} ng_node;

typedef struct ng_idx {
    ng_node *nodes;          /* capacity entries */
    uint32_t capacity;       /* a multiple of 64 */
    uint32_t count;          /* live nodes */
    uint32_t high;           /* ids at or above high were never used */
    uint32_t *free_ids;      /* freed ids below high, reused first */
    uint32_t nfree;
    size_t nwords;           /* capacity / 64 */
    uint64_t *live;          /* live ids */
    uint64_t *unschedulable; /* spec.unschedulable */
    uint64_t *names;         /* name table: hash << 32 | id + 1 (index_names.c) */
    size_t names_cap, names_used;   /* slots; slots live or deleted */
    char *pool;              /* name pool: quoted name, NUL, name, NUL per node (index_names.c) */
    size_t pool_len, pool_cap;
    ng_strmap keys;          /* label key -> ng_label_key* */
    ng_strmap tlists;        /* signature -> ng_taint_list* */
    ng_taint_list **slots;   /* slot -> list (NULL when free) */
    uint32_t nslots;
} ng_idx;

void ng_idx_init(ng_idx *x);
void ng_idx_destroy(ng_idx *x);

/* Inserts the node, or replaces the node of the same name keeping its id.
 * Strings are copied. Returns the id. */
uint32_t ng_idx_upsert(ng_idx *x, const ng_node_in *n);
/* Removes the named node; returns false when absent. */
bool ng_idx_remove(ng_idx *x, const char *name);
/* Resolves n names at once into ids (-1 for unknown names), overlapping the
 * cache misses of their lookups: names mode looks up thousands per call. */
void ng_idx_find_many(const ng_idx *x, const char *const *names, uint32_t n, int64_t *ids);
/* Returns the id of the named node (len bytes), or -1. */
int64_t ng_idx_find(const ng_idx *x, const char *name, size_t len);
static inline uint32_t ng_idx_id(const ng_idx *x, const ng_node *n) { return (uint32_t)(n - x->nodes); }

/* index_names.c, for the index's own files: gives node id (whose other
 * fields are set) its name, or takes it away; frees what names use; counts
 * the table's live slots (for ng_idx_validate). */
void ng_idx_add_name(ng_idx *x, uint32_t id, const char *name);
void ng_idx_drop_name(ng_idx *x, uint32_t id);
void ng_idx_free_names(ng_idx *x);
size_t ng_idx_names_live(const ng_idx *x);

/* Postings for a label key / key=value, or NULL when no node has them. */
const ng_label_key *ng_idx_key(const ng_idx *x, const char *key);
const ng_label_value *ng_idx_value(const ng_idx *x, const char *key, const char *value);

/* What the index holds and costs: string_bytes are the names, label keys and
 * values and taint texts it stores; index_bytes everything else (node table,
 * maps, postings, bitsets), each allocation counted with 16 bytes of overhead. */
typedef struct ng_idx_stats {
    size_t nodes, capacity, label_keys, label_values, taint_lists;
    size_t index_bytes, string_bytes;
} ng_idx_stats;
void ng_idx_measure(const ng_idx *x, ng_idx_stats *st);

/* Checks every invariant (postings agree with nodes, maps with ids, tail
 * bits clear); on failure returns false and writes why into buf. */
bool ng_idx_validate(const ng_idx *x, char *buf, size_t buflen);

#endif
