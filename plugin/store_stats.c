/* store_stats.c - what the node store costs: counted from its structures, for /stats and make bench. */
#include "store.h"

#include <string.h>

/* Every allocation is counted with 16 bytes of allocator overhead, glibc's usual. */
enum { CHUNK = 16 };

static size_t posting_bytes(const ngp_posting *p, size_t nwords)
{
    if (p->bits)
        return nwords * 8 + CHUNK;
    return p->ids ? p->cap * sizeof *p->ids + CHUNK : 0;
}

static size_t map_bytes(const ngp_strmap *m)
{
    return m->slots ? m->cap * sizeof *m->slots + CHUNK : 0;
}

static void measure_labels(const ngp_store *x, ngp_store_stats *st)
{
    for (size_t i = 0; i < x->keys.cap; i++) {
        if (!NGP_STRMAP_LIVE(&x->keys, i))
            continue;
        const ngp_label_key *k = x->keys.slots[i].value;
        st->label_keys++;
        st->index_bytes += sizeof *k + CHUNK + posting_bytes(&k->ids, x->nwords) + map_bytes(&k->values);
        st->string_bytes += strlen(k->key) + 1 + CHUNK;
        for (size_t j = 0; j < k->values.cap; j++) {
            if (!NGP_STRMAP_LIVE(&k->values, j))
                continue;
            const ngp_label_value *v = k->values.slots[j].value;
            st->label_values++;
            st->index_bytes += sizeof *v + CHUNK + posting_bytes(&v->ids, x->nwords);
            st->string_bytes += strlen(v->value) + 1 + CHUNK;
        }
    }
}

static void measure_taints(const ngp_store *x, ngp_store_stats *st)
{
    st->index_bytes += x->nslots * (sizeof *x->slots + sizeof *x->free_slots) + 2 * CHUNK;
    for (uint32_t s = 0; s < x->nslots; s++) {
        const ngp_taint_list *l = x->slots[s];
        if (!l)
            continue;
        st->taint_lists++;
        st->index_bytes += sizeof *l + CHUNK + strlen(l->sig) + 1 + CHUNK +
                           l->ntaints * sizeof *l->taints + CHUNK + posting_bytes(&l->ids, x->nwords);
        for (uint32_t t = 0; t < l->ntaints; t++)
            st->string_bytes += strlen(l->taints[t].key) + strlen(l->taints[t].value) + 2 + 2 * CHUNK;
    }
}

void ngp_store_measure(const ngp_store *x, ngp_store_stats *st)
{
    memset(st, 0, sizeof *st);
    st->nodes = x->count;
    st->capacity = x->capacity;
    st->index_bytes = x->capacity * sizeof *x->nodes + 2 * (x->nwords * 8 + CHUNK) +
                      x->nfree * sizeof *x->free_ids + x->names_cap * sizeof *x->names +
                      (x->names ? CHUNK : 0) + map_bytes(&x->keys) + map_bytes(&x->tlists);
    size_t names = 0;
    for (uint32_t id = 0; id < x->high; id++) {
        const ngp_node *n = &x->nodes[id];
        if (!n->name)
            continue;
        st->index_bytes += (n->nlabels ? n->nlabels : 1) * sizeof *n->labels + CHUNK;
        names += ngp_node_record_len(n);
    }
    st->string_bytes += names;
    st->index_bytes += x->pool_cap - names + (x->pool ? CHUNK : 0);   /* the pool's spare and dead bytes */
    measure_labels(x, st);
    measure_taints(x, st);
}
