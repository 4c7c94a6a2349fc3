/* index.c - node index maintenance: tuned for 5k-65k nodes of ~15 labels and a few distinct taint lists. */
#include "index.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bitset.h"
#include "buf.h"
#include "match.h"
#include "xalloc.h"

void ng_idx_init(ng_idx *x) { memset(x, 0, sizeof *x); }

/* Calls fn on every posting of the index (keys, values, taint lists). */
static void each_posting(ng_idx *x, void (*fn)(ng_posting *, void *), void *arg)
{
    for (size_t i = 0; i < x->keys.cap; i++) {
        if (!NG_STRMAP_LIVE(&x->keys, i))
            continue;
        ng_label_key *k = x->keys.slots[i].value;
        fn(&k->ids, arg);
        for (size_t j = 0; j < k->values.cap; j++)
            if (NG_STRMAP_LIVE(&k->values, j))
                fn(&((ng_label_value *)k->values.slots[j].value)->ids, arg);
    }
    for (uint32_t s = 0; s < x->nslots; s++)
        if (x->slots[s])
            fn(&x->slots[s]->ids, arg);
}

static void grow_posting(ng_posting *p, void *arg)
{
    const size_t *words = arg;
    ng_posting_grow(p, words[0], words[1]);
}

/* Makes id < capacity true, growing every set of the index alike. */
static void ensure_capacity(ng_idx *x, uint32_t id)
{
    if (id < x->capacity)
        return;
    uint32_t cap = x->capacity ? x->capacity : 64;
    while (cap <= id)
        cap *= 2;
    size_t words[2] = {x->nwords, cap / 64};
    x->nodes = ng_xrealloc(x->nodes, cap * sizeof *x->nodes);
    memset(x->nodes + x->capacity, 0, (cap - x->capacity) * sizeof *x->nodes);
    x->live = ng_bitset_resize(x->live, words[0], words[1]);
    x->unschedulable = ng_bitset_resize(x->unschedulable, words[0], words[1]);
    each_posting(x, grow_posting, words);
    x->capacity = cap;
    x->nwords = words[1];
}

static uint32_t alloc_id(ng_idx *x)
{
    uint32_t id = x->nfree ? x->free_ids[--x->nfree] : x->high++;
    ensure_capacity(x, id);
    return id;
}

static ng_label_key *key_get_or_add(ng_idx *x, const char *key)
{
    ng_label_key *k = ng_strmap_get(&x->keys, key, strlen(key));
    if (!k) {
        k = ng_xcalloc(1, sizeof *k);
        k->key = ng_xstrdup(key);
        ng_strmap_put(&x->keys, k->key, k);
    }
    return k;
}

static ng_label_value *value_get_or_add(ng_label_key *k, const char *value)
{
    ng_label_value *v = ng_strmap_get(&k->values, value, strlen(value));
    if (!v) {
        v = ng_xcalloc(1, sizeof *v);
        v->value = ng_xstrdup(value);
        v->num_ok = ng_parse_go_int(v->value, &v->num);
        ng_strmap_put(&k->values, v->value, v);
    }
    return v;
}

/* An unambiguous text key for a taint list: "<len>:<key><len>:<value><effect>;" per taint. */
static char *taint_list_sig(const ng_taint *t, uint32_t n)
{
    ng_buf b = {0};
    for (uint32_t i = 0; i < n; i++)
        ng_buf_printf(&b, "%zu:%s%zu:%s%d;", strlen(t[i].key), t[i].key, strlen(t[i].value),
                      t[i].value, (int)t[i].effect);
    size_t len;
    return ng_buf_take(&b, &len);
}

static uint32_t free_slot(ng_idx *x)
{
    for (uint32_t s = 0; s < x->nslots; s++)
        if (!x->slots[s])
            return s;
    x->slots = ng_xrealloc(x->slots, (x->nslots + 1) * sizeof *x->slots);
    x->slots[x->nslots] = NULL;
    return x->nslots++;
}

static ng_taint_list *taint_list_get_or_add(ng_idx *x, const ng_taint *t, uint32_t n)
{
    char *sig = taint_list_sig(t, n);
    ng_taint_list *l = ng_strmap_get(&x->tlists, sig, strlen(sig));
    if (l) {
        free(sig);
        return l;
    }
    l = ng_xcalloc(1, sizeof *l);
    l->sig = sig;
    l->ntaints = n;
    l->taints = ng_xcalloc(n, sizeof *l->taints);
    for (uint32_t i = 0; i < n; i++)
        l->taints[i] = (ng_taint){ng_xstrdup(t[i].key), ng_xstrdup(t[i].value), t[i].effect};
    l->slot = free_slot(x);
    x->slots[l->slot] = l;
    ng_strmap_put(&x->tlists, l->sig, l);
    return l;
}

static void taint_list_free(ng_taint_list *l)
{
    for (uint32_t i = 0; i < l->ntaints; i++) {
        free((char *)l->taints[i].key);
        free((char *)l->taints[i].value);
    }
    free(l->taints);
    ng_posting_free(&l->ids);
    free(l->sig);
    free(l);
}

/* Drops a value or key entry once no node carries it, so churn does not leak. */
static void release_label(ng_idx *x, ng_label_key *k, ng_label_value *v)
{
    if (v->ids.count == 0) {
        ng_strmap_del(&k->values, v->value);
        ng_posting_free(&v->ids);
        free(v->value);
        free(v);
    }
    if (k->ids.count == 0) {
        ng_strmap_del(&x->keys, k->key);
        ng_strmap_free(&k->values);
        ng_posting_free(&k->ids);
        free(k->key);
        free(k);
    }
}

/* Adds one label to node id; a repeated key replaces the earlier value (Go map semantics). */
static void add_label(ng_idx *x, uint32_t id, const ng_kv *kv)
{
    ng_node *node = &x->nodes[id];
    ng_label_key *k = key_get_or_add(x, kv->key);
    ng_label_value *v = value_get_or_add(k, kv->value);
    if (!ng_posting_has(&k->ids, id)) {
        ng_posting_add(&k->ids, id, x->nwords);
        ng_posting_add(&v->ids, id, x->nwords);
        node->labels[node->nlabels++] = (ng_node_label){k, v};
        return;
    }
    for (uint32_t i = 0; i < node->nlabels; i++) {
        ng_label_value *old = node->labels[i].value;
        if (node->labels[i].key != k || old == v)
            continue;
        ng_posting_remove(&old->ids, id, x->nwords);
        node->labels[i].value = v;
        ng_posting_add(&v->ids, id, x->nwords);
        release_label(x, k, old);   /* the key still holds this node, so only old can go */
    }
}

static void add_postings(ng_idx *x, uint32_t id, const ng_node_in *n)
{
    ng_node *node = &x->nodes[id];
    node->labels = ng_xcalloc(n->nlabels ? n->nlabels : 1, sizeof *node->labels);
    node->nlabels = 0;
    for (uint32_t i = 0; i < n->nlabels; i++)
        add_label(x, id, &n->labels[i]);
    node->taints = n->ntaints ? taint_list_get_or_add(x, n->taints, n->ntaints) : NULL;
    if (node->taints)
        ng_posting_add(&node->taints->ids, id, x->nwords);
    node->unschedulable = n->unschedulable;
    if (n->unschedulable)
        ng_bit_set(x->unschedulable, id);
    ng_bit_set(x->live, id);
}

static void remove_postings(ng_idx *x, uint32_t id)
{
    ng_node *node = &x->nodes[id];
    for (uint32_t i = 0; i < node->nlabels; i++) {
        ng_label_key *k = node->labels[i].key;
        ng_label_value *v = node->labels[i].value;
        ng_posting_remove(&k->ids, id, x->nwords);
        ng_posting_remove(&v->ids, id, x->nwords);
        release_label(x, k, v);
    }
    free(node->labels);
    node->labels = NULL;
    node->nlabels = 0;
    ng_taint_list *l = node->taints;
    if (l) {
        ng_posting_remove(&l->ids, id, x->nwords);
        if (l->ids.count == 0) {
            ng_strmap_del(&x->tlists, l->sig);
            x->slots[l->slot] = NULL;
            taint_list_free(l);
        }
        node->taints = NULL;
    }
    ng_bit_clear(x->unschedulable, id);
    ng_bit_clear(x->live, id);
}

uint32_t ng_idx_upsert(ng_idx *x, const ng_node_in *n)
{
    int64_t found = ng_idx_find(x, n->name, strlen(n->name));
    uint32_t id;
    if (found >= 0) {
        id = (uint32_t)found;
        remove_postings(x, id);
    } else {
        id = alloc_id(x);
        ng_idx_add_name(x, id, n->name);
        x->count++;
    }
    add_postings(x, id, n);
    return id;
}

bool ng_idx_remove(ng_idx *x, const char *name)
{
    int64_t found = ng_idx_find(x, name, strlen(name));
    if (found < 0)
        return false;
    uint32_t id = (uint32_t)found;
    remove_postings(x, id);
    ng_idx_drop_name(x, id);
    x->free_ids = ng_xrealloc(x->free_ids, (x->nfree + 1) * sizeof *x->free_ids);
    x->free_ids[x->nfree++] = id;
    x->count--;
    return true;
}

const ng_label_key *ng_idx_key(const ng_idx *x, const char *key)
{
    return ng_strmap_get(&x->keys, key, strlen(key));
}

const ng_label_value *ng_idx_value(const ng_idx *x, const char *key, const char *value)
{
    const ng_label_key *k = ng_idx_key(x, key);
    return k ? ng_strmap_get(&k->values, value, strlen(value)) : NULL;
}

void ng_idx_destroy(ng_idx *x)
{
    for (uint32_t id = 0; id < x->high; id++)
        if (x->nodes[id].name)
            remove_postings(x, id);
    ng_idx_free_names(x);
    ng_strmap_free(&x->keys);
    ng_strmap_free(&x->tlists);
    free(x->slots);
    free(x->nodes);
    free(x->free_ids);
    ng_bitset_free(x->live);
    ng_bitset_free(x->unschedulable);
    memset(x, 0, sizeof *x);
}
