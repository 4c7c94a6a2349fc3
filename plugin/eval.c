/* eval.c - required placement and taints as bitset operations over every node of an index. */
#include "eval.h"

#include <stdlib.h>
#include <string.h>

#include "bitset.h"
#include "kint.h"
#include "match.h"
#include "numindex.h"
#include "tolindex.h"
#include "xalloc.h"

static const ngp_taint unschedulable_taint = {"node.kubernetes.io/unschedulable", "",
                                              NGP_EFFECT_NO_SCHEDULE};

/* Some toleration of the pod tolerates t: through the index when it has one. */
static bool tolerated(const ngp_eval *e, const ngp_taint *t)
{
    return e->tols_index ? ngp_tolindex_tolerates(e->tols_index, t)
                         : ngp_tolerations_tolerate(e->pod->tols, e->pod->ntols, t, e->comparison_ops);
}

bool ngp_eval_tolerates_unschedulable(const ngp_eval *e)
{
    return tolerated(e, &unschedulable_taint);
}

/* For scoring only tolerations of empty or PreferNoSchedule effect count
 * (SPEC 3.2); for a PreferNoSchedule taint no other effect matches anyway. */
static ngp_taint_verdict judge_taints(const ngp_eval *e, const ngp_taint_list *l)
{
    ngp_taint_verdict v = {.first_untolerated = -1};
    for (uint32_t i = 0; i < l->ntaints; i++) {
        const ngp_taint *t = &l->taints[i];
        if (tolerated(e, t))
            continue;
        if (t->effect == NGP_EFFECT_PREFER_NO_SCHEDULE) {
            v.prefer_untolerated++;
            continue;
        }
        if (v.first_untolerated < 0)
            v.first_untolerated = (int32_t)i;
        if (t->effect == NGP_EFFECT_NO_EXECUTE)
            v.noexecute_untolerated = true;
    }
    return v;
}

static void eval_taints(ngp_eval *e)
{
    for (uint32_t s = 0; s < e->store->nslots; s++) {
        const ngp_taint_list *l = e->store->slots[s];
        if (!l)
            continue;
        e->verdicts[s] = judge_taints(e, l);
        if (e->verdicts[s].first_untolerated >= 0)
            ngp_posting_or_into(e->blocked, &l->ids, e->nwords);
        if (e->verdicts[s].noexecute_untolerated)
            ngp_posting_or_into(e->noexecute_blocked, &l->ids, e->nwords);
    }
}

/* out &= nodes whose label r->key is one of r's values. */
static void and_any_value(ngp_eval *e, const ngp_requirement *r, uint64_t *out)
{
    ngp_bitset_zero(e->scratch, e->nwords);
    for (uint32_t i = 0; i < r->nvalues; i++) {
        const ngp_label_value *v = ngp_store_value(e->store, r->key, r->values[i]);
        if (v)
            ngp_posting_or_into(e->scratch, &v->ids, e->nwords);
    }
    ngp_bitset_and_inplace(out, e->scratch, e->nwords);
}

/* A key's Gt/Lt requirements so far in this call, and its index once built. */
typedef struct {
    uint32_t uses;
    ngp_numindex *index;
} numeric_use;

enum { BUILD_AT = 3 };   /* one or two Gt/Lt over a key are answered faster by the walk */

/* The index for Gt/Lt over k, from k's BUILD_AT-th requirement in this call
 * on, and only when more than nwords nodes carry k: below that the walk
 * costs O(nwords) anyway. NULL when there is none. */
static const ngp_numindex *numeric_index(ngp_eval *e, const ngp_label_key *k)
{
    if (e->numeric_reqs < BUILD_AT || k->ids.count <= e->nwords)
        return NULL;
    numeric_use *u = ngp_strmap_get(&e->numeric, k->key, strlen(k->key));
    if (!u) {
        u = ngp_xcalloc(1, sizeof *u);
        ngp_strmap_put(&e->numeric, k->key, u);
    }
    if (++u->uses == BUILD_AT)
        u->index = ngp_numindex_new(k, e->nwords);
    return u->index;
}

/* out &= nodes whose label value parses as an integer beyond r's threshold (Gt/Lt). */
static void and_numeric(ngp_eval *e, const ngp_label_key *k, const ngp_requirement *r, uint64_t *out)
{
    int64_t threshold = 0;
    ngp_parse_go_int(r->values[0], &threshold);
    const ngp_numindex *ix = k ? numeric_index(e, k) : NULL;
    if (ix) {
        ngp_numindex_and(ix, r->op == NGP_SEL_GT, threshold, out, e->scratch);
        return;
    }
    ngp_bitset_zero(e->scratch, e->nwords);
    for (size_t j = 0; k && j < k->values.cap; j++) {
        if (!NGP_STRMAP_LIVE(&k->values, j))
            continue;
        const ngp_label_value *v = k->values.slots[j].value;
        if (v->num_ok && (r->op == NGP_SEL_GT ? v->num > threshold : v->num < threshold))
            ngp_posting_or_into(e->scratch, &v->ids, e->nwords);
    }
    ngp_bitset_and_inplace(out, e->scratch, e->nwords);
}

/* out &= nodes matching one valid matchExpressions requirement (SPEC 5.2). */
static void and_label_requirement(ngp_eval *e, const ngp_requirement *r, uint64_t *out)
{
    const ngp_label_key *k = ngp_store_key(e->store, r->key);
    switch (r->op) {
    case NGP_SEL_IN:
        if (r->nvalues == 1) {
            const ngp_label_value *v = ngp_store_value(e->store, r->key, r->values[0]);
            if (v)
                ngp_posting_and_into(out, &v->ids, e->nwords);
            else
                ngp_bitset_zero(out, e->nwords);
            return;
        }
        and_any_value(e, r, out);
        return;
    case NGP_SEL_NOT_IN:
        for (uint32_t i = 0; i < r->nvalues; i++) {
            const ngp_label_value *v = ngp_store_value(e->store, r->key, r->values[i]);
            if (v)
                ngp_posting_andnot_into(out, &v->ids, e->nwords);
        }
        return;
    case NGP_SEL_EXISTS:
        if (k)
            ngp_posting_and_into(out, &k->ids, e->nwords);
        else
            ngp_bitset_zero(out, e->nwords);
        return;
    case NGP_SEL_DOES_NOT_EXIST:
        if (k)
            ngp_posting_andnot_into(out, &k->ids, e->nwords);
        return;
    case NGP_SEL_GT:
    case NGP_SEL_LT:
        and_numeric(e, k, r, out);
        return;
    case NGP_SEL_OTHER:
        ngp_bitset_zero(out, e->nwords);   /* unreachable for a valid requirement */
        return;
    }
}

/* out &= nodes matching one valid matchFields requirement: In/NotIn with one value. */
static void and_field_requirement(ngp_eval *e, const ngp_requirement *r, uint64_t *out)
{
    bool in = r->op == NGP_SEL_IN;
    if (strcmp(r->key, "metadata.name") != 0) {
        /* every other field reads as "" on every node */
        if ((r->values[0][0] == '\0') != in)
            ngp_bitset_zero(out, e->nwords);
        return;
    }
    int64_t id = ngp_store_find(e->store, r->values[0], strlen(r->values[0]));
    bool had = id >= 0 && ngp_bit_test(out, (size_t)id);
    if (in) {
        ngp_bitset_zero(out, e->nwords);
        if (had)
            ngp_bit_set(out, (size_t)id);
    } else if (had) {
        ngp_bit_clear(out, (size_t)id);
    }
}

void ngp_eval_term(ngp_eval *e, const ngp_term *t, uint64_t *out)
{
    ngp_bitset_copy(out, e->store->live, e->nwords);
    for (uint32_t i = 0; i < t->nexprs; i++)
        and_label_requirement(e, &t->exprs[i], out);
    for (uint32_t i = 0; i < t->nfields; i++)
        and_field_requirement(e, &t->fields[i], out);
}

/* nodeSelector, then required terms ORed; empty and invalid terms match nothing (SPEC 5.1).
 * Validity was stored when the pod was decoded (ngp_pod_check). */
static void eval_affinity(ngp_eval *e)
{
    const ngp_pod *pod = e->pod;
    ngp_bitset_copy(e->affinity, e->store->live, e->nwords);
    for (uint32_t i = 0; i < pod->nselector; i++) {
        const ngp_label_value *v = ngp_store_value(e->store, pod->selector[i].key, pod->selector[i].value);
        if (v)
            ngp_posting_and_into(e->affinity, &v->ids, e->nwords);
        else
            ngp_bitset_zero(e->affinity, e->nwords);
    }
    if (!pod->has_required)
        return;
    uint64_t *any = ngp_bitset_new(e->nwords);
    for (uint32_t i = 0; i < pod->nrequired; i++) {
        const ngp_term *t = &pod->required[i];
        if (!t->valid || ngp_term_is_empty(t))
            continue;
        ngp_eval_term(e, t, e->term);
        ngp_bitset_or_inplace(any, e->term, e->nwords);
    }
    ngp_bitset_and_inplace(e->affinity, any, e->nwords);
    ngp_bitset_free(any);
}

/* With fewer tolerations the plain loop is as fast (callgrind: about 35
 * instructions a toleration, 400 a taint through the index, plus building it). */
enum { TOLS_INDEXED = 16 };

static uint32_t count_numeric(const ngp_term *t)
{
    uint32_t n = 0;
    for (uint32_t i = 0; i < t->nexprs; i++)
        n += t->exprs[i].op == NGP_SEL_GT || t->exprs[i].op == NGP_SEL_LT;
    return n;
}

void ngp_eval_init(ngp_eval *e, const ngp_store *store, const ngp_pod *pod, bool comparison_ops)
{
    size_t nw = store->nwords ? store->nwords : 1;
    *e = (ngp_eval){.store = store, .pod = pod, .comparison_ops = comparison_ops, .nwords = store->nwords};
    e->verdicts = ngp_xcalloc(store->nslots, sizeof *e->verdicts);
    e->blocked = ngp_bitset_new(nw);
    e->noexecute_blocked = ngp_bitset_new(nw);
    e->affinity = ngp_bitset_new(nw);
    e->scratch = ngp_bitset_new(nw);
    e->term = ngp_bitset_new(nw);
    if (pod->ntols >= TOLS_INDEXED)
        e->tols_index = ngp_tolindex_new(pod->tols, pod->ntols, comparison_ops);
    for (uint32_t i = 0; i < pod->nrequired; i++)
        e->numeric_reqs += count_numeric(&pod->required[i]);
    for (uint32_t i = 0; i < pod->npreferred; i++)
        e->numeric_reqs += count_numeric(&pod->preferred[i].preference);
    eval_taints(e);
    eval_affinity(e);
}

const ngp_taint_verdict *ngp_eval_verdict(const ngp_eval *e, uint32_t id)
{
    const ngp_taint_list *l = e->store->nodes[id].taints;
    return l ? &e->verdicts[l->slot] : NULL;
}

const ngp_taint *ngp_eval_untolerated(const ngp_eval *e, uint32_t id)
{
    const ngp_taint_list *l = e->store->nodes[id].taints;
    return &l->taints[e->verdicts[l->slot].first_untolerated];
}

void ngp_eval_free(ngp_eval *e)
{
    for (size_t i = 0; i < e->numeric.cap; i++) {
        if (!NGP_STRMAP_LIVE(&e->numeric, i))
            continue;
        numeric_use *u = e->numeric.slots[i].value;
        ngp_numindex_free(u->index);
        free(u);
    }
    ngp_strmap_free(&e->numeric);
    ngp_tolindex_free(e->tols_index);
    free(e->verdicts);
    ngp_bitset_free(e->blocked);
    ngp_bitset_free(e->noexecute_blocked);
    ngp_bitset_free(e->affinity);
    ngp_bitset_free(e->scratch);
    ngp_bitset_free(e->term);
    *e = (ngp_eval){0};
}
