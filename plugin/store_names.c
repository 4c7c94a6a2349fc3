/* store_names.c - the node store's names: a pool of records and a compact table from name to id.
 *
 * A names-mode call looks up and writes back thousands of names, so what it
 * touches per name decides its speed at 65,536 nodes:
 *   - the pool holds every node's record (its host entry, NUL, its name,
 *     NUL; store.h) in one buffer, in id order after a rebuild; requests list nodes
 *     mostly in id order, so their records are read in memory order. With an
 *     allocation per node those reads were a cache and TLB miss each, half
 *     the call. A removed node leaves its bytes behind; when a new record
 *     does not fit, the pool is rebuilt from the live records with a quarter
 *     of room to spare, and always NGP_BUF_PAD bytes past the last record, so that
 *     a reply copies any record's name or host entry in one fixed-size block.
 *   - the table maps a name to its id in 8-byte slots, (hash << 32 | id + 1),
 *     with linear probing; the name to compare is the node's own in the pool.
 *     A quarter of the size of a generic string map's slots, it stays in cache
 *     (1 MB at 65,536 nodes). */
#include "store.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "strmap.h"
#include "xalloc.h"

#define EMPTY 0
#define DELETED UINT64_MAX   /* its id field would be 2^32 - 2, above any capacity */

static void rebuild_pool(ngp_store *x, size_t extra)
{
    size_t live = 0;
    for (uint32_t id = 0; id < x->high; id++)
        if (x->nodes[id].name)
            live += ngp_node_record_len(&x->nodes[id]);
    size_t cap = live + extra + (live + extra) / 4 + 1024;   /* more than NGP_BUF_PAD to spare */
    char *pool = ngp_xmalloc(cap), *p = pool;
    for (uint32_t id = 0; id < x->high; id++) {
        ngp_node *n = &x->nodes[id];
        if (!n->name)
            continue;
        size_t len = ngp_node_record_len(n);
        memcpy(p, n->quoted - NGP_HOST_OPEN_LEN, len);
        n->quoted = p + NGP_HOST_OPEN_LEN;
        n->name = n->quoted + n->quoted_len + NGP_HOST_CLOSE_LEN + 1;
        p += len;
    }
    free(x->pool);
    x->pool = pool;
    x->pool_len = (size_t)(p - pool);
    x->pool_cap = cap;
}

static uint64_t entry(uint32_t hash, uint32_t id)
{
    return (uint64_t)hash << 32 | (id + 1);
}

static uint32_t entry_id(uint64_t e)
{
    return (uint32_t)e - 1;
}

/* Sizes the table for the live names with at most half of it used. */
static void rehash(ngp_store *x)
{
    size_t cap = 16;
    while (cap < 2 * ((size_t)x->count + 1))
        cap *= 2;
    uint64_t *slots = ngp_xcalloc(cap, sizeof *slots);
    for (size_t i = 0; i < x->names_cap; i++) {
        uint64_t e = x->names[i];
        if (e == EMPTY || e == DELETED)
            continue;
        size_t j = (e >> 32) & (cap - 1);
        while (slots[j] != EMPTY)
            j = (j + 1) & (cap - 1);
        slots[j] = e;
    }
    free(x->names);
    x->names = slots;
    x->names_cap = cap;
    x->names_used = x->count;
}

void ngp_store_add_name(ngp_store *x, uint32_t id, const char *name)
{
    ngp_buf q = {0};
    ngp_buf_json_str(&q, name);
    ngp_node *n = &x->nodes[id];
    n->quoted_len = (uint32_t)q.len;
    n->name_len = (uint32_t)strlen(name);
    size_t need = ngp_node_record_len(n);
    if (x->pool_len + need + NGP_BUF_PAD > x->pool_cap)   /* the last record is read padded too */
        rebuild_pool(x, need);
    char *p = x->pool + x->pool_len;
    memcpy(p, NGP_HOST_OPEN, NGP_HOST_OPEN_LEN);
    n->quoted = p + NGP_HOST_OPEN_LEN;
    memcpy(n->quoted, q.data, q.len);
    memcpy(n->quoted + q.len, NGP_HOST_CLOSE, NGP_HOST_CLOSE_LEN + 1);   /* and the NUL */
    n->name = n->quoted + q.len + NGP_HOST_CLOSE_LEN + 1;
    memcpy(n->name, name, n->name_len + 1);
    x->pool_len += need;
    ngp_buf_free(&q);

    if ((x->names_used + 1) * 4 > x->names_cap * 3)   /* past 75% with deletions: rehash */
        rehash(x);
    uint32_t h = ngp_strhash(name, n->name_len);
    size_t i = h & (x->names_cap - 1);
    while (x->names[i] != EMPTY && x->names[i] != DELETED)   /* the name is new */
        i = (i + 1) & (x->names_cap - 1);
    x->names_used += x->names[i] == EMPTY;
    x->names[i] = entry(h, id);
}

void ngp_store_drop_name(ngp_store *x, uint32_t id)
{
    ngp_node *n = &x->nodes[id];
    uint32_t h = ngp_strhash(n->name, n->name_len);
    size_t i = h & (x->names_cap - 1);
    while (x->names[i] != entry(h, id))
        i = (i + 1) & (x->names_cap - 1);
    x->names[i] = DELETED;
    n->name = n->quoted = NULL;   /* its pool bytes wait for a rebuild */
}

void ngp_store_free_names(ngp_store *x)
{
    free(x->pool);
    free(x->names);
}

static int64_t find_hashed(const ngp_store *x, const char *name, size_t len, uint32_t h)
{
    if (!x->names_cap)
        return -1;
    for (size_t i = h & (x->names_cap - 1);; i = (i + 1) & (x->names_cap - 1)) {
        uint64_t e = x->names[i];
        if (e == EMPTY)
            return -1;
        if (e == DELETED || (uint32_t)(e >> 32) != h)
            continue;
        const ngp_node *n = &x->nodes[entry_id(e)];
        if (n->name_len == len && memcmp(n->name, name, len) == 0)
            return entry_id(e);
    }
}

int64_t ngp_store_find(const ngp_store *x, const char *name, size_t len)
{
    return find_hashed(x, name, len, ngp_strhash(name, len));
}

/* Lookups by hash, overlapping their cache misses: the table slot of each name is fetched
 * AHEAD names before it is probed. */
static void find_pipelined(const ngp_store *x, const char *const *names, const size_t *lens, uint32_t n,
                           int64_t *ids)
{
    enum { AHEAD = 16, RING = 2 * AHEAD };   /* lookups in flight; ring of their hashes */
    uint32_t hash[RING];
    for (uint32_t i = 0; i < n + AHEAD; i++) {
        if (i >= AHEAD) {
            uint32_t j = i - AHEAD;
            ids[j] = find_hashed(x, names[j], lens[j], hash[j % RING]);
        }
        if (i < n) {
            hash[i % RING] = ngp_strhash(names[i], lens[i]);
            if (x->names_cap)
                __builtin_prefetch(&x->names[hash[i % RING] & (x->names_cap - 1)]);
        }
    }
}

/* The hints: a names list often names nodes in the order of the last one (a replayed corpus
 * always; kube-scheduler's filter lists are its snapshot's order broken up by a parallel filter's
 * workers, and a third of their names were guessed in make bench-scheduler), so the node named
 * after node prev is often the one named after it last time, prev's next_hint. Checked against
 * the name itself, that guess replaces a hash and a probe; a wrong one costs a comparison and
 * one lookup. Calls write hints at once under the read lock, hence relaxed atomics: a hint is
 * only ever a guess. */
static int64_t guess_after(const ngp_store *x, int64_t prev, const char *name, size_t len)
{
    if (prev < 0)
        return -1;
    uint32_t hint = __atomic_load_n(&x->nodes[prev].next_hint, __ATOMIC_RELAXED);
    if (hint == 0 || hint > x->high)
        return -1;
    const ngp_node *n = &x->nodes[hint - 1];
    return n->name && n->name_len == len && memcmp(n->name, name, len) == 0 ? (int64_t)hint - 1 : -1;
}

static void learn(const ngp_store *x, int64_t prev, int64_t id)
{
    uint32_t *hint = &x->nodes[prev].next_hint;
    if (__atomic_load_n(hint, __ATOMIC_RELAXED) != (uint32_t)id + 1)   /* a line written only on change */
        __atomic_store_n(hint, (uint32_t)id + 1, __ATOMIC_RELAXED);
}

void ngp_store_find_many(const ngp_store *x, const char *const *names, const size_t *lens, uint32_t n,
                         int64_t *ids)
{
    uint32_t i = 0, missed = 0;
    for (int64_t prev = -1; i < n; i++) {
        int64_t id = guess_after(x, prev, names[i], lens[i]);
        if (id < 0) {
            if (++missed > i / 2 + 8)
                break;   /* mostly wrong: the rest by pipelined lookups, then learn the order */
            id = ngp_store_find(x, names[i], lens[i]);
            if (prev >= 0 && id >= 0)
                learn(x, prev, id);
        }
        ids[i] = prev = id;
    }
    if (i == n)
        return;
    find_pipelined(x, names + i, lens + i, n - i, ids + i);
    for (uint32_t j = i ? i : 1; j < n; j++)
        if (ids[j - 1] >= 0 && ids[j] >= 0)
            learn(x, ids[j - 1], ids[j]);
}

size_t ngp_store_names_live(const ngp_store *x)
{
    size_t live = 0;
    for (size_t i = 0; i < x->names_cap; i++)
        live += x->names[i] != EMPTY && x->names[i] != DELETED;
    return live;
}
