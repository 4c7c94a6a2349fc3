/* store_validate.c - checks every invariant of the node store; every store test calls it. */
#include <stdlib.h>
#include <string.h>

#include "bitset.h"
#include "store.h"

static bool node_has_label(const ngp_node *n, const ngp_label_key *k, const ngp_label_value *v)
{
    for (uint32_t i = 0; i < n->nlabels; i++)
        if (n->labels[i].key == k && (v == NULL || n->labels[i].value == v))
            return true;
    return false;
}

/* Every id in p must be live and satisfy has(); p must be well-formed. */
static bool check_posting(const ngp_store *x, const ngp_posting *p, uint64_t *tmp, const char *what,
                          const ngp_label_key *k, const ngp_label_value *v, const ngp_taint_list *l,
                          ngp_err *e)
{
    const char *why;
    if (!ngp_posting_validate(p, x->nwords, &why))
        return ngp_err_set(e, NGP_EINTERNAL, "%s: %s", what, why);
    if (p->count == 0)
        return ngp_err_set(e, NGP_EINTERNAL, "%s: empty posting kept", what);
    ngp_bitset_zero(tmp, x->nwords);
    ngp_posting_or_into(tmp, p, x->nwords);
    NGP_BITSET_FOREACH(id, tmp, x->nwords)
    {
        const ngp_node *n = &x->nodes[id];
        if (id >= x->high || !n->name)
            return ngp_err_set(e, NGP_EINTERNAL, "%s: holds dead id %zu", what, id);
        if (l ? n->taints != l : !node_has_label(n, k, v))
            return ngp_err_set(e, NGP_EINTERNAL, "%s: holds node %s which lacks it", what, n->name);
    }
    return true;
}

static bool check_node(const ngp_store *x, uint32_t id, ngp_err *e)
{
    const ngp_node *n = &x->nodes[id];
    size_t len;
    const char *entry = ngp_node_host_entry(n, &len);
    if (entry < x->pool || n->name != entry + len + 1 || n->name + n->name_len >= x->pool + x->pool_len ||
        n->name[n->name_len] != '\0' || memcmp(entry, NGP_HOST_OPEN, NGP_HOST_OPEN_LEN) != 0 ||
        memcmp(n->quoted + n->quoted_len, NGP_HOST_CLOSE, NGP_HOST_CLOSE_LEN + 1) != 0)
        return ngp_err_set(e, NGP_EINTERNAL, "node %s: record not in the name pool", n->name);
    if (ngp_store_find(x, n->name, strlen(n->name)) != id)
        return ngp_err_set(e, NGP_EINTERNAL, "node %s: name map does not point back", n->name);
    if (ngp_bit_test(x->unschedulable, id) != n->unschedulable)
        return ngp_err_set(e, NGP_EINTERNAL, "node %s: unschedulable bit disagrees", n->name);
    for (uint32_t i = 0; i < n->nlabels; i++) {
        const ngp_label_key *k = n->labels[i].key;
        const ngp_label_value *v = n->labels[i].value;
        if (ngp_store_key(x, k->key) != k || ngp_store_value(x, k->key, v->value) != v)
            return ngp_err_set(e, NGP_EINTERNAL, "node %s: label %s not in the maps", n->name, k->key);
        if (!ngp_posting_has(&k->ids, id) || !ngp_posting_has(&v->ids, id))
            return ngp_err_set(e, NGP_EINTERNAL, "node %s: missing from posting of %s", n->name, k->key);
        for (uint32_t j = 0; j < i; j++)
            if (n->labels[j].key == k)
                return ngp_err_set(e, NGP_EINTERNAL, "node %s: label key %s twice", n->name, k->key);
    }
    if (n->taints && !ngp_posting_has(&n->taints->ids, id))
        return ngp_err_set(e, NGP_EINTERNAL, "node %s: missing from its taint list posting", n->name);
    return true;
}

static bool check_nodes(const ngp_store *x, ngp_err *e)
{
    uint32_t live = 0;
    for (uint32_t id = 0; id < x->capacity; id++) {
        bool named = id < x->high && x->nodes[id].name;
        if (ngp_bit_test(x->live, id) != named)
            return ngp_err_set(e, NGP_EINTERNAL, "id %u: live bit disagrees with the node table", id);
        if (named && !check_node(x, id, e))
            return false;
        live += named;
    }
    size_t names = ngp_store_names_live(x);
    if (live != x->count || names != x->count || x->count + x->nfree != x->high)
        return ngp_err_set(e, NGP_EINTERNAL, "counts disagree: live %u, count %u, names %zu, free %u, high %u",
                    live, x->count, names, x->nfree, x->high);
    for (uint32_t i = 0; i < x->nfree; i++)
        if (x->free_ids[i] >= x->high || x->nodes[x->free_ids[i]].name)
            return ngp_err_set(e, NGP_EINTERNAL, "free id %u is in use", x->free_ids[i]);
    return true;
}

static bool check_postings(const ngp_store *x, uint64_t *tmp, ngp_err *e)
{
    for (size_t i = 0; i < x->keys.cap; i++) {
        if (!NGP_STRMAP_LIVE(&x->keys, i))
            continue;
        const ngp_label_key *k = x->keys.slots[i].value;
        if (!check_posting(x, &k->ids, tmp, k->key, k, NULL, NULL, e))
            return false;
        for (size_t j = 0; j < k->values.cap; j++) {
            if (!NGP_STRMAP_LIVE(&k->values, j))
                continue;
            const ngp_label_value *v = k->values.slots[j].value;
            if (!check_posting(x, &v->ids, tmp, v->value, k, v, NULL, e))
                return false;
        }
    }
    uint32_t used = 0;
    for (uint32_t s = 0; s < x->nslots; s++) {
        const ngp_taint_list *l = x->slots[s];
        if (!l)
            continue;
        used++;
        if (l->slot != s || ngp_strmap_get(&x->tlists, l->sig, strlen(l->sig)) != l)
            return ngp_err_set(e, NGP_EINTERNAL, "taint list %s: slot or map disagrees", l->sig);
        if (!check_posting(x, &l->ids, tmp, l->sig, NULL, NULL, l, e))
            return false;
    }
    if (used != x->tlists.count)
        return ngp_err_set(e, NGP_EINTERNAL, "%u taint list slots for %zu lists", used, x->tlists.count);
    if (x->nfree_slots != x->nslots - used)
        return ngp_err_set(e, NGP_EINTERNAL, "%u free taint list slots for %u unused", x->nfree_slots,
                           x->nslots - used);
    for (uint32_t i = 0; i < x->nfree_slots; i++)
        if (x->free_slots[i] >= x->nslots || x->slots[x->free_slots[i]])
            return ngp_err_set(e, NGP_EINTERNAL, "free taint list slot %u is in use", x->free_slots[i]);
    return true;
}

bool ngp_store_validate(const ngp_store *x, ngp_err *e)
{
    if (x->capacity % 64 || x->nwords != x->capacity / 64 || x->high > x->capacity)
        return ngp_err_set(e, NGP_EINTERNAL, "capacity %u, nwords %zu, high %u", x->capacity, x->nwords,
                           x->high);
    if (!check_nodes(x, e))
        return false;
    uint64_t *tmp = ngp_bitset_new(x->nwords ? x->nwords : 1);
    bool ok = check_postings(x, tmp, e);
    ngp_bitset_free(tmp);
    return ok;
}
