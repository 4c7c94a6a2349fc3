/* index_validate.c - checks every invariant of the node index; every index test calls it. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bitset.h"
#include "index.h"

static bool fail(char *buf, size_t buflen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (buf && buflen)
        vsnprintf(buf, buflen, fmt, ap);
    va_end(ap);
    return false;
}

static bool node_has_label(const ng_node *n, const ng_label_key *k, const ng_label_value *v)
{
    for (uint32_t i = 0; i < n->nlabels; i++)
        if (n->labels[i].key == k && (v == NULL || n->labels[i].value == v))
            return true;
    return false;
}

/* Every id in p must be live and satisfy has(); p must be well-formed. */
static bool check_posting(const ng_idx *x, const ng_posting *p, uint64_t *tmp, const char *what,
                          const ng_label_key *k, const ng_label_value *v, const ng_taint_list *l,
                          char *buf, size_t buflen)
{
    const char *why;
    if (!ng_posting_validate(p, x->nwords, &why))
        return fail(buf, buflen, "%s: %s", what, why);
    if (p->count == 0)
        return fail(buf, buflen, "%s: empty posting kept", what);
    ng_bitset_zero(tmp, x->nwords);
    ng_posting_or_into(tmp, p, x->nwords);
    NG_BITSET_FOREACH(id, tmp, x->nwords)
    {
        const ng_node *n = &x->nodes[id];
        if (id >= x->high || !n->name)
            return fail(buf, buflen, "%s: holds dead id %zu", what, id);
        if (l ? n->taints != l : !node_has_label(n, k, v))
            return fail(buf, buflen, "%s: holds node %s which lacks it", what, n->name);
    }
    return true;
}

static bool check_node(const ng_idx *x, uint32_t id, char *buf, size_t buflen)
{
    const ng_node *n = &x->nodes[id];
    if (n->quoted < x->pool || n->name != n->quoted + n->quoted_len + 1 ||
        n->name + n->name_len >= x->pool + x->pool_len || n->name[n->name_len] != '\0' ||
        n->quoted[n->quoted_len] != '\0')
        return fail(buf, buflen, "node %s: record not in the name pool", n->name);
    if (ng_idx_find(x, n->name, strlen(n->name)) != id)
        return fail(buf, buflen, "node %s: name map does not point back", n->name);
    if (ng_bit_test(x->unschedulable, id) != n->unschedulable)
        return fail(buf, buflen, "node %s: unschedulable bit disagrees", n->name);
    for (uint32_t i = 0; i < n->nlabels; i++) {
        const ng_label_key *k = n->labels[i].key;
        const ng_label_value *v = n->labels[i].value;
        if (ng_idx_key(x, k->key) != k || ng_idx_value(x, k->key, v->value) != v)
            return fail(buf, buflen, "node %s: label %s not in the maps", n->name, k->key);
        if (!ng_posting_has(&k->ids, id) || !ng_posting_has(&v->ids, id))
            return fail(buf, buflen, "node %s: missing from posting of %s", n->name, k->key);
        for (uint32_t j = 0; j < i; j++)
            if (n->labels[j].key == k)
                return fail(buf, buflen, "node %s: label key %s twice", n->name, k->key);
    }
    if (n->taints && !ng_posting_has(&n->taints->ids, id))
        return fail(buf, buflen, "node %s: missing from its taint list posting", n->name);
    return true;
}

static bool check_nodes(const ng_idx *x, char *buf, size_t buflen)
{
    uint32_t live = 0;
    for (uint32_t id = 0; id < x->capacity; id++) {
        bool named = id < x->high && x->nodes[id].name;
        if (ng_bit_test(x->live, id) != named)
            return fail(buf, buflen, "id %u: live bit disagrees with the node table", id);
        if (named && !check_node(x, id, buf, buflen))
            return false;
        live += named;
    }
    size_t names = ng_idx_names_live(x);
    if (live != x->count || names != x->count || x->count + x->nfree != x->high)
        return fail(buf, buflen, "counts disagree: live %u, count %u, names %zu, free %u, high %u",
                    live, x->count, names, x->nfree, x->high);
    for (uint32_t i = 0; i < x->nfree; i++)
        if (x->free_ids[i] >= x->high || x->nodes[x->free_ids[i]].name)
            return fail(buf, buflen, "free id %u is in use", x->free_ids[i]);
    return true;
}

static bool check_postings(const ng_idx *x, uint64_t *tmp, char *buf, size_t buflen)
{
    for (size_t i = 0; i < x->keys.cap; i++) {
        if (!NG_STRMAP_LIVE(&x->keys, i))
            continue;
        const ng_label_key *k = x->keys.slots[i].value;
        if (!check_posting(x, &k->ids, tmp, k->key, k, NULL, NULL, buf, buflen))
            return false;
        for (size_t j = 0; j < k->values.cap; j++) {
            if (!NG_STRMAP_LIVE(&k->values, j))
                continue;
            const ng_label_value *v = k->values.slots[j].value;
            if (!check_posting(x, &v->ids, tmp, v->value, k, v, NULL, buf, buflen))
                return false;
        }
    }
    uint32_t used = 0;
    for (uint32_t s = 0; s < x->nslots; s++) {
        const ng_taint_list *l = x->slots[s];
        if (!l)
            continue;
        used++;
        if (l->slot != s || ng_strmap_get(&x->tlists, l->sig, strlen(l->sig)) != l)
            return fail(buf, buflen, "taint list %s: slot or map disagrees", l->sig);
        if (!check_posting(x, &l->ids, tmp, l->sig, NULL, NULL, l, buf, buflen))
            return false;
    }
    if (used != x->tlists.count)
        return fail(buf, buflen, "%u taint list slots for %zu lists", used, x->tlists.count);
    return true;
}

bool ng_idx_validate(const ng_idx *x, char *buf, size_t buflen)
{
    if (x->capacity % 64 || x->nwords != x->capacity / 64 || x->high > x->capacity)
        return fail(buf, buflen, "capacity %u, nwords %zu, high %u", x->capacity, x->nwords, x->high);
    if (!check_nodes(x, buf, buflen))
        return false;
    uint64_t *tmp = ng_bitset_new(x->nwords ? x->nwords : 1);
    bool ok = check_postings(x, tmp, buf, buflen);
    ng_bitset_free(tmp);
    return ok;
}
