/* store.h - the node store, nodegate's bitset index of nodes: dense ids, a name
 * map and postings per label key, label value and taint list, so the
 * predicates run as word-wide set operations.
 *
 * Nodes get dense ids 0..capacity-1 (freed ids are reused, lowest first is not
 * promised). Every posting of one index has nwords = capacity / 64 words.
 * Taints are indexed per distinct taint *list* (the node's taints, in order):
 * real clusters have a handful of distinct lists, so a call evaluates each
 * list once against the pod's tolerations and gets, per node, the first
 * untolerated taint and the PreferNoSchedule count without looking at nodes.
 *
 * Not thread-safe: the owner (struct ng_index in abi.c) holds a read-write lock;
 * a private index built for one full-mode call needs none. */
#ifndef NGP_STORE_H
#define NGP_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "model.h"
#include "posting.h"
#include "strmap.h"

typedef struct ngp_label_value {
    char *value;             /* owned; also the key in its label key's map */
    ngp_posting ids;          /* nodes with key=value */
    bool num_ok;             /* value parses as Go ParseInt (for Gt/Lt) */
    int64_t num;
} ngp_label_value;

typedef struct ngp_label_key {
    char *key;               /* owned; also the key in the index's map */
    ngp_posting ids;          /* nodes with this key, any value */
    ngp_strmap values;        /* value -> ngp_label_value* */
    uint32_t at;             /* while a node's labels are added: this key's index among them */
} ngp_label_key;

typedef struct ngp_taint_list {
    char *sig;               /* owned; unambiguous encoding of the list, the map key */
    ngp_taint *taints;        /* strings owned, in node order */
    uint32_t ntaints;
    uint32_t slot;           /* dense number among live lists, for per-call arrays */
    ngp_posting ids;          /* nodes whose taints are exactly this list */
} ngp_taint_list;

typedef struct ngp_node_label {
    ngp_label_key *key;
    ngp_label_value *value;
} ngp_node_label;

typedef struct ngp_node {
    char *name;              /* NULL for a free id; in the name pool, after its host entry */
    char *quoted;            /* in the name pool: the name as a JSON string for replies, inside its host entry */
    uint32_t quoted_len;
    uint32_t name_len;
    uint32_t next_hint;      /* id + 1 of the node named after this one in the last names list (0: none) */
    ngp_node_label *labels;
    uint32_t nlabels;
    ngp_taint_list *taints;   /* NULL: no taints */
    bool unschedulable;
} ngp_node;

typedef struct ngp_store {
    ngp_node *nodes;          /* capacity entries */
    uint32_t capacity;       /* a multiple of 64 */
    uint32_t count;          /* live nodes */
    uint32_t high;           /* ids at or above high were never used */
    uint32_t *free_ids;      /* freed ids below high, reused first */
    uint32_t nfree;
    size_t nwords;           /* capacity / 64 */
    uint64_t *live;          /* live ids */
    uint64_t *unschedulable; /* spec.unschedulable */
    uint64_t *names;         /* name table: hash << 32 | id + 1 (store_names.c) */
    size_t names_cap, names_used;   /* slots; slots live or deleted */
    char *pool;              /* name pool: host entry, NUL, name, NUL per node (store_names.c) */
    size_t pool_len, pool_cap;
    ngp_strmap keys;          /* label key -> ngp_label_key* */
    ngp_strmap tlists;        /* signature -> ngp_taint_list* */
    ngp_taint_list **slots;   /* slot -> list (NULL when free) */
    uint32_t nslots;
    uint32_t *free_slots;    /* free slots below nslots, reused first */
    uint32_t nfree_slots;
} ngp_store;

void ngp_store_init(ngp_store *x);
void ngp_store_destroy(ngp_store *x);

/* Inserts the node, or replaces the node of the same name keeping its id.
 * Strings are copied. Returns the id. */
uint32_t ngp_store_upsert(ngp_store *x, const ngp_node_in *n);
/* Removes the named node; returns false when absent. */
bool ngp_store_remove(ngp_store *x, const char *name);
/* Resolves n names of lens[i] bytes at once into ids (-1 for unknown names):
 * names mode looks up thousands per call, mostly in the order of the last
 * call (store_names.c). Calls may run at once under the owner's read lock. */
void ngp_store_find_many(const ngp_store *x, const char *const *names, const size_t *lens, uint32_t n,
                         int64_t *ids);
/* Returns the id of the named node (len bytes), or -1. */
int64_t ngp_store_find(const ngp_store *x, const char *name, size_t len);

/* store_names.c, for the store's own files: gives node id (whose other
 * fields are set) its name, or takes it away; frees what names use; counts
 * the table's live slots (for ngp_store_validate). */
void ngp_store_add_name(ngp_store *x, uint32_t id, const char *name);
void ngp_store_drop_name(ngp_store *x, uint32_t id);
void ngp_store_free_names(ngp_store *x);
size_t ngp_store_names_live(const ngp_store *x);

/* A prioritize reply is mostly ,{"Host":"NAME","Score": per host: the pool
 * keeps each quoted name inside that text, its host entry, so a reply copies
 * it whole. */
#define NGP_HOST_OPEN ",{\"Host\":"
#define NGP_HOST_CLOSE ",\"Score\":"
enum { NGP_HOST_OPEN_LEN = sizeof NGP_HOST_OPEN - 1, NGP_HOST_CLOSE_LEN = sizeof NGP_HOST_CLOSE - 1 };

/* Node n's host entry: its quoted name between NGP_HOST_OPEN and NGP_HOST_CLOSE, in the pool. */
static inline const char *ngp_node_host_entry(const ngp_node *n, size_t *len)
{
    *len = NGP_HOST_OPEN_LEN + n->quoted_len + NGP_HOST_CLOSE_LEN;
    return n->quoted - NGP_HOST_OPEN_LEN;
}

/* The bytes node n's record takes in the pool: its host entry, NUL, its name, NUL. */
static inline size_t ngp_node_record_len(const ngp_node *n)
{
    return NGP_HOST_OPEN_LEN + n->quoted_len + NGP_HOST_CLOSE_LEN + 1 + n->name_len + 1;
}

/* Postings for a label key / key=value, or NULL when no node has them. */
const ngp_label_key *ngp_store_key(const ngp_store *x, const char *key);
const ngp_label_value *ngp_store_value(const ngp_store *x, const char *key, const char *value);

/* What the index holds and costs: string_bytes are the names, label keys and
 * values and taint texts it stores; index_bytes everything else (node table,
 * maps, postings, bitsets), each allocation counted with 16 bytes of overhead. */
typedef struct ngp_store_stats {
    size_t nodes, capacity, label_keys, label_values, taint_lists;
    size_t index_bytes, string_bytes;
} ngp_store_stats;
void ngp_store_measure(const ngp_store *x, ngp_store_stats *st);

/* Checks every invariant (postings agree with nodes, maps with ids, tail
 * bits clear); on failure returns false with NGP_EINTERNAL and why in e. */
bool ngp_store_validate(const ngp_store *x, ngp_err *e);

#endif
