/* match.c - the reference matching rules (SPEC 2, 5.2): one toleration, one requirement at a time; no allocation. */
#include "match.h"

#include <string.h>

#include "kint.h"

/* ---- taints and tolerations (SPEC 2.1, 2.2) ---- */

/* A taint carries no text for NGP_EFFECT_OTHER, so an unknown toleration
 * effect is treated as equal to none; no plugin reads such taints anyway. */
static bool effect_matches(const ngp_toleration *t, const ngp_taint *taint)
{
    return t->effect == NGP_EFFECT_EMPTY ||
           (t->effect != NGP_EFFECT_OTHER && t->effect == taint->effect);
}

static bool numeric_matches(const ngp_toleration *t, const ngp_taint *taint)
{
    int64_t limit, have;
    if (!ngp_parse_canonical_int(t->value, &limit) || !ngp_parse_canonical_int(taint->value, &have))
        return false;
    return t->op == NGP_TOL_LT ? have < limit : have > limit;
}

bool ngp_tolerates(const ngp_toleration *t, const ngp_taint *taint, bool comparison_ops)
{
    if (!effect_matches(t, taint))
        return false;
    if (t->key[0] != '\0' && strcmp(t->key, taint->key) != 0)
        return false;
    switch (t->op) {
    case NGP_TOL_EMPTY:
    case NGP_TOL_EQUAL:
        return strcmp(t->value, taint->value) == 0;
    case NGP_TOL_EXISTS:
        return true;
    case NGP_TOL_LT:
    case NGP_TOL_GT:
        return comparison_ops && numeric_matches(t, taint);
    case NGP_TOL_OTHER:
        break;
    }
    return false;
}

bool ngp_tolerations_tolerate(const ngp_toleration *t, uint32_t n, const ngp_taint *taint,
                              bool comparison_ops)
{
    for (uint32_t i = 0; i < n; i++)
        if (ngp_tolerates(&t[i], taint, comparison_ops))
            return true;
    return false;
}

/* ---- requirement matching (SPEC 5.2) ---- */

/* The node's value for key, NULL when absent. Scans from the end so a
 * repeated key reads as its last value, as Go's JSON map decoding keeps. */
static const char *label_get(const ngp_kv *labels, uint32_t n, const char *key)
{
    for (uint32_t i = n; i-- > 0;)
        if (strcmp(labels[i].key, key) == 0)
            return labels[i].value;
    return NULL;
}

static bool has_value(const ngp_requirement *r, const char *v)
{
    for (uint32_t i = 0; i < r->nvalues; i++)
        if (strcmp(r->values[i], v) == 0)
            return true;
    return false;
}

/* Requirement.Matches for Gt/Lt: both sides through strconv.ParseInt. */
static bool compare_matches(const ngp_requirement *r, const char *v)
{
    int64_t have, limit;
    if (v == NULL || r->nvalues != 1 || !ngp_parse_go_int(v, &have) ||
        !ngp_parse_go_int(r->values[0], &limit))
        return false;
    return r->op == NGP_SEL_GT ? have > limit : have < limit;
}

bool ngp_requirement_matches_labels(const ngp_requirement *r, const ngp_kv *labels, uint32_t nlabels)
{
    const char *v = label_get(labels, nlabels, r->key);
    switch (r->op) {
    case NGP_SEL_IN:
        return v != NULL && has_value(r, v);
    case NGP_SEL_NOT_IN:
        return v == NULL || !has_value(r, v);
    case NGP_SEL_EXISTS:
        return v != NULL;
    case NGP_SEL_DOES_NOT_EXIST:
        return v == NULL;
    case NGP_SEL_GT:
    case NGP_SEL_LT:
        return compare_matches(r, v);
    case NGP_SEL_OTHER:
        break;
    }
    return false;
}

/* fields.Set reads an absent field as "", and a node exposes only metadata.name. */
bool ngp_requirement_matches_fields(const ngp_requirement *r, const char *node_name)
{
    if (r->nvalues != 1)
        return false;
    const char *field = strcmp(r->key, "metadata.name") == 0 ? node_name : "";
    bool equal = strcmp(field, r->values[0]) == 0;
    return r->op == NGP_SEL_IN ? equal : r->op == NGP_SEL_NOT_IN && !equal;
}
