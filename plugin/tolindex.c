/* tolindex.c - tolerations by (effect, key) and (effect, key, value): one open-addressing table, built per call.
 *
 * Two kinds of entry share the table: a class entry (value NULL) per effect
 * and key that has Exists or Lt/Gt tolerations, and a value entry per
 * effect, key and value of the empty and Equal ones. At most one entry per
 * toleration; the table is at most half full. */
#include "tolindex.h"

#include <stdlib.h>
#include <string.h>

#include "kint.h"
#include "strmap.h"
#include "xalloc.h"

#define NEFFECTS (NGP_EFFECT_OTHER + 1)

typedef struct {
    const char *key, *value;   /* key NULL: free slot; value NULL: a class entry */
    uint32_t hash;
    ngp_effect effect;
    bool exists, has_lt, has_gt;
    int64_t max_lt, min_gt;
} entry;

struct ngp_tolindex {
    entry *slots;
    size_t cap;                  /* a power of two */
    bool any_key[NEFFECTS];      /* some entry of that effect has the empty key */
    bool used[NEFFECTS];         /* some entry has that effect */
    bool numeric;                /* some class entry has an Lt/Gt threshold */
};

/* hkey and hvalue are ngp_strhash of the key and value; a class entry hashes as if its value hashed to ~0. */
static uint32_t hash_of(ngp_effect effect, uint32_t hkey, uint32_t hvalue)
{
    uint64_t x = ((uint64_t)hkey << 32 | hvalue) ^ ((uint64_t)effect + 1) * 0x9e3779b97f4a7c15u;
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdu;
    x ^= x >> 33;
    return (uint32_t)x;
}

/* The slot holding (effect, key, value), or the free slot where it would go. */
static entry *slot_for(const ngp_tolindex *ix, ngp_effect effect, const char *key, const char *value, uint32_t h)
{
    for (size_t i = h & (ix->cap - 1);; i = (i + 1) & (ix->cap - 1)) {
        entry *s = &ix->slots[i];
        if (!s->key)
            return s;
        if (s->hash == h && s->effect == effect && (s->value == NULL) == (value == NULL) &&
            strcmp(s->key, key) == 0 && (!value || strcmp(s->value, value) == 0))
            return s;
    }
}

static uint32_t hash_str(const char *s)
{
    return ngp_strhash(s, strlen(s));
}

ngp_tolindex *ngp_tolindex_new(const ngp_toleration *t, uint32_t n, bool comparison_ops)
{
    ngp_tolindex *ix = ngp_xcalloc(1, sizeof *ix);
    ix->cap = 8;
    while (ix->cap < 2 * (size_t)n)
        ix->cap *= 2;
    ix->slots = ngp_xcalloc(ix->cap, sizeof *ix->slots);
    for (uint32_t i = 0; i < n; i++) {
        const ngp_toleration *tol = &t[i];
        bool by_value = tol->op == NGP_TOL_EMPTY || tol->op == NGP_TOL_EQUAL;
        int64_t limit = 0;
        if (tol->effect == NGP_EFFECT_OTHER || tol->op == NGP_TOL_OTHER)
            continue;   /* they tolerate nothing */
        if ((tol->op == NGP_TOL_LT || tol->op == NGP_TOL_GT) &&
            (!comparison_ops || !ngp_parse_canonical_int(tol->value, &limit)))
            continue;
        const char *value = by_value ? tol->value : NULL;
        uint32_t h = hash_of(tol->effect, hash_str(tol->key), value ? hash_str(value) : ~0u);
        entry *s = slot_for(ix, tol->effect, tol->key, value, h);
        if (!s->key)
            *s = (entry){.key = tol->key, .value = value, .hash = h, .effect = tol->effect};
        ix->used[tol->effect] = true;
        ix->any_key[tol->effect] |= tol->key[0] == '\0';
        if (tol->op == NGP_TOL_EXISTS) {
            s->exists = true;
        } else if (tol->op == NGP_TOL_LT) {
            s->max_lt = s->has_lt && s->max_lt > limit ? s->max_lt : limit;
            s->has_lt = ix->numeric = true;
        } else if (tol->op == NGP_TOL_GT) {
            s->min_gt = s->has_gt && s->min_gt < limit ? s->min_gt : limit;
            s->has_gt = ix->numeric = true;
        }
    }
    return ix;
}

void ngp_tolindex_free(ngp_tolindex *ix)
{
    if (!ix)
        return;
    free(ix->slots);
    free(ix);
}

typedef struct {
    const ngp_taint *taint;
    uint32_t hvalue;
    bool num_ok;                 /* the taint's value is a canonical integer */
    int64_t num;
} query;

/* Some toleration of this effect and key (the taint's, or empty) tolerates the taint. */
static bool class_tolerates(const ngp_tolindex *ix, const query *q, ngp_effect effect, const char *key, uint32_t hkey)
{
    const entry *c = slot_for(ix, effect, key, NULL, hash_of(effect, hkey, ~0u));
    if (c->key && (c->exists || (q->num_ok && ((c->has_lt && q->num < c->max_lt) ||
                                                (c->has_gt && q->num > c->min_gt)))))
        return true;
    return slot_for(ix, effect, key, q->taint->value, hash_of(effect, hkey, q->hvalue))->key != NULL;
}

bool ngp_tolindex_tolerates(const ngp_tolindex *ix, const ngp_taint *taint)
{
    static const char empty[] = "";
    query q = {.taint = taint, .hvalue = hash_str(taint->value)};
    q.num_ok = ix->numeric && ngp_parse_canonical_int(taint->value, &q.num);
    uint32_t hkey = hash_str(taint->key), hempty = ngp_strhash(empty, 0);
    ngp_effect effects[2] = {taint->effect, NGP_EFFECT_EMPTY};   /* a toleration's empty effect is every effect */
    for (int i = 0; i < (taint->effect == NGP_EFFECT_EMPTY ? 1 : 2); i++) {
        ngp_effect e = effects[i];
        if (!ix->used[e])
            continue;
        if (class_tolerates(ix, &q, e, taint->key, hkey))
            return true;
        if (ix->any_key[e] && taint->key[0] != '\0' && class_tolerates(ix, &q, e, empty, hempty))
            return true;
    }
    return false;
}
