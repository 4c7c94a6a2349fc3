/* store.c - node store maintenance: tuned for 5k-65k nodes of ~15 labels and a few distinct taint lists. */
#include "store.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bitset.h"
#include "buf.h"
#include "kint.h"
#include "xalloc.h"

void ngp_store_init(ngp_store *x) { memset(x, 0, sizeof *x); }

/* Calls fn on every posting of the index (keys, values, taint lists). */
static void each_posting(ngp_store *x, void (*fn)(ngp_posting *, void *), void *arg)
{
    for (size_t i = 0; i < x->keys.cap; i++) {
        if (!NGP_STRMAP_LIVE(&x->keys, i))
            continue;
        ngp_label_key *k = x->keys.slots[i].value;
        fn(&k->ids, arg);
        for (size_t j = 0; j < k->values.cap; j++)
            if (NGP_STRMAP_LIVE(&k->values, j))
                fn(&((ngp_label_value *)k->values.slots[j].value)->ids, arg);
    }
    for (uint32_t s = 0; s < x->nslots; s++)
        if (x->slots[s])
            fn(&x->slots[s]->ids, arg);
}

static void grow_posting(ngp_posting *p, void *arg)
{
    const size_t *words = arg;
    ngp_posting_grow(p, words[0], words[1]);
}

/* Makes id < capacity true, growing every set of the index alike. */
static void ensure_capacity(ngp_store *x, uint32_t id)
{
    if (id < x->capacity)
        return;
    uint32_t cap = x->capacity ? x->capacity : 64;
    while (cap <= id)
        cap *= 2;
    size_t words[2] = {x->nwords, cap / 64};
    x->nodes = ngp_xrealloc(x->nodes, cap * sizeof *x->nodes);
    memset(x->nodes + x->capacity, 0, (cap - x->capacity) * sizeof *x->nodes);
    x->live = ngp_bitset_resize(x->live, words[0], words[1]);
    x->unschedulable = ngp_bitset_resize(x->unschedulable, words[0], words[1]);
    each_posting(x, grow_posting, words);
    x->capacity = cap;
    x->nwords = words[1];
}

static uint32_t alloc_id(ngp_store *x)
{
    uint32_t id = x->nfree ? x->free_ids[--x->nfree] : x->high++;
    ensure_capacity(x, id);
    return id;
}

static ngp_label_key *key_get_or_add(ngp_store *x, const char *key)
{
    ngp_label_key *k = ngp_strmap_get(&x->keys, key, strlen(key));
    if (!k) {
        k = ngp_xcalloc(1, sizeof *k);
        k->key = ngp_xstrdup(key);
        ngp_strmap_put(&x->keys, k->key, k);
    }
    return k;
}

static ngp_label_value *value_get_or_add(ngp_label_key *k, const char *value)
{
    ngp_label_value *v = ngp_strmap_get(&k->values, value, strlen(value));
    if (!v) {
        v = ngp_xcalloc(1, sizeof *v);
        v->value = ngp_xstrdup(value);
        v->num_ok = ngp_parse_go_int(v->value, &v->num);
        ngp_strmap_put(&k->values, v->value, v);
    }
    return v;
}

/* An unambiguous text key for a taint list: "<len>:<key><len>:<value><effect>;" per taint. */
static char *taint_list_sig(const ngp_taint *t, uint32_t n)
{
    ngp_buf b = {0};
    for (uint32_t i = 0; i < n; i++)
        ngp_buf_printf(&b, "%zu:%s%zu:%s%d;", strlen(t[i].key), t[i].key, strlen(t[i].value),
                       t[i].value, (int)t[i].effect);
    size_t len;
    return ngp_buf_take(&b, &len);
}

/* A stack of freed slots, not a scan: a full-mode call may bring 100,000 distinct lists. */
static uint32_t free_slot(ngp_store *x)
{
    if (x->nfree_slots)
        return x->free_slots[--x->nfree_slots];
    x->slots = ngp_xrealloc(x->slots, (x->nslots + 1) * sizeof *x->slots);
    x->free_slots = ngp_xrealloc(x->free_slots, (x->nslots + 1) * sizeof *x->free_slots);   /* room for every slot */
    x->slots[x->nslots] = NULL;
    return x->nslots++;
}

static ngp_taint_list *taint_list_get_or_add(ngp_store *x, const ngp_taint *t, uint32_t n)
{
    char *sig = taint_list_sig(t, n);
    ngp_taint_list *l = ngp_strmap_get(&x->tlists, sig, strlen(sig));
    if (l) {
        free(sig);
        return l;
    }
    l = ngp_xcalloc(1, sizeof *l);
    l->sig = sig;
    l->ntaints = n;
    l->taints = ngp_xcalloc(n, sizeof *l->taints);
    for (uint32_t i = 0; i < n; i++)
        l->taints[i] = (ngp_taint){ngp_xstrdup(t[i].key), ngp_xstrdup(t[i].value), t[i].effect};
    l->slot = free_slot(x);
    x->slots[l->slot] = l;
    ngp_strmap_put(&x->tlists, l->sig, l);
    return l;
}

static void taint_list_free(ngp_taint_list *l)
{
    for (uint32_t i = 0; i < l->ntaints; i++) {
        free((char *)l->taints[i].key);
        free((char *)l->taints[i].value);
    }
    free(l->taints);
    ngp_posting_free(&l->ids);
    free(l->sig);
    free(l);
}

/* Drops a value or key entry once no node carries it, so churn does not leak. */
static void release_label(ngp_store *x, ngp_label_key *k, ngp_label_value *v)
{
    if (v->ids.count == 0) {
        ngp_strmap_del(&k->values, v->value);
        ngp_posting_free(&v->ids);
        free(v->value);
        free(v);
    }
    if (k->ids.count == 0) {
        ngp_strmap_del(&x->keys, k->key);
        ngp_strmap_free(&k->values);
        ngp_posting_free(&k->ids);
        free(k->key);
        free(k);
    }
}

/* Adds one label to node id; a repeated key replaces the earlier value (Go map semantics). */
static void add_label(ngp_store *x, uint32_t id, const ngp_kv *kv)
{
    ngp_node *node = &x->nodes[id];
    ngp_label_key *k = key_get_or_add(x, kv->key);
    ngp_label_value *v = value_get_or_add(k, kv->value);
    if (!ngp_posting_has(&k->ids, id)) {
        ngp_posting_add(&k->ids, id, x->nwords);
        ngp_posting_add(&v->ids, id, x->nwords);
        k->at = node->nlabels;   /* a repeat of the key finds its entry here, not by a scan */
        node->labels[node->nlabels++] = (ngp_node_label){k, v};
        return;
    }
    ngp_node_label *l = &node->labels[k->at];
    ngp_label_value *old = l->value;
    if (old == v)
        return;
    ngp_posting_remove(&old->ids, id, x->nwords);
    l->value = v;
    ngp_posting_add(&v->ids, id, x->nwords);
    release_label(x, k, old);   /* the key still holds this node, so only old can go */
}

static void add_postings(ngp_store *x, uint32_t id, const ngp_node_in *n)
{
    ngp_node *node = &x->nodes[id];
    node->labels = ngp_xcalloc(n->nlabels ? n->nlabels : 1, sizeof *node->labels);
    node->nlabels = 0;
    for (uint32_t i = 0; i < n->nlabels; i++)
        add_label(x, id, &n->labels[i]);
    node->taints = n->ntaints ? taint_list_get_or_add(x, n->taints, n->ntaints) : NULL;
    if (node->taints)
        ngp_posting_add(&node->taints->ids, id, x->nwords);
    node->unschedulable = n->unschedulable;
    if (n->unschedulable)
        ngp_bit_set(x->unschedulable, id);
    ngp_bit_set(x->live, id);
}

static void remove_postings(ngp_store *x, uint32_t id)
{
    ngp_node *node = &x->nodes[id];
    for (uint32_t i = 0; i < node->nlabels; i++) {
        ngp_label_key *k = node->labels[i].key;
        ngp_label_value *v = node->labels[i].value;
        ngp_posting_remove(&k->ids, id, x->nwords);
        ngp_posting_remove(&v->ids, id, x->nwords);
        release_label(x, k, v);
    }
    free(node->labels);
    node->labels = NULL;
    node->nlabels = 0;
    ngp_taint_list *l = node->taints;
    if (l) {
        ngp_posting_remove(&l->ids, id, x->nwords);
        if (l->ids.count == 0) {
            ngp_strmap_del(&x->tlists, l->sig);
            x->slots[l->slot] = NULL;
            x->free_slots[x->nfree_slots++] = l->slot;
            taint_list_free(l);
        }
        node->taints = NULL;
    }
    ngp_bit_clear(x->unschedulable, id);
    ngp_bit_clear(x->live, id);
}

uint32_t ngp_store_upsert(ngp_store *x, const ngp_node_in *n)
{
    int64_t found = ngp_store_find(x, n->name, strlen(n->name));
    uint32_t id;
    if (found >= 0) {
        id = (uint32_t)found;
        remove_postings(x, id);
    } else {
        id = alloc_id(x);
        ngp_store_add_name(x, id, n->name);
        x->count++;
    }
    add_postings(x, id, n);
    return id;
}

bool ngp_store_remove(ngp_store *x, const char *name)
{
    int64_t found = ngp_store_find(x, name, strlen(name));
    if (found < 0)
        return false;
    uint32_t id = (uint32_t)found;
    remove_postings(x, id);
    ngp_store_drop_name(x, id);
    x->free_ids = ngp_xrealloc(x->free_ids, (x->nfree + 1) * sizeof *x->free_ids);
    x->free_ids[x->nfree++] = id;
    x->count--;
    return true;
}

const ngp_label_key *ngp_store_key(const ngp_store *x, const char *key)
{
    return ngp_strmap_get(&x->keys, key, strlen(key));
}

const ngp_label_value *ngp_store_value(const ngp_store *x, const char *key, const char *value)
{
    const ngp_label_key *k = ngp_store_key(x, key);
    return k ? ngp_strmap_get(&k->values, value, strlen(value)) : NULL;
}

void ngp_store_destroy(ngp_store *x)
{
    for (uint32_t id = 0; id < x->high; id++)
        if (x->nodes[id].name)
            remove_postings(x, id);
    ngp_store_free_names(x);
    ngp_strmap_free(&x->keys);
    ngp_strmap_free(&x->tlists);
    free(x->slots);
    free(x->free_slots);
    free(x->nodes);
    free(x->free_ids);
    ngp_bitset_free(x->live);
    ngp_bitset_free(x->unschedulable);
    memset(x, 0, sizeof *x);
}
