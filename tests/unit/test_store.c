/* test_store.c - the node store under random upserts/removals, validated after every operation and checked against a plain oracle. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bitset.h"
#include "store.h"
#include "kint.h"
#include "posting.h"
#include "prng.h"

#define LEN(a) (sizeof(a) / sizeof((a)[0]))
#define MAX_RAW 16
#define HOST "kubernetes.io/hostname"
#define NS NGP_EFFECT_NO_SCHEDULE
#define PNS NGP_EFFECT_PREFER_NO_SCHEDULE
#define NE NGP_EFFECT_NO_EXECUTE


/* ---- taint list shapes: distinct lists, incl. ones a naive concatenation would confuse ---- */

static const ngp_taint sh_master[] = {{"node-role.kubernetes.io/master", "", NS}};
static const ngp_taint sh_gpu[] = {{"dedicated", "gpu", NS}, {"dedicated", "gpu", NE}};
static const ngp_taint sh_pref[] = {{"a", "1", PNS}};
static const ngp_taint sh_mix[] = {{"k1", "", NE}, {"k2", "v", PNS}, {"k3", "", NS}};
static const ngp_taint sh_mix_rev[] = {{"k3", "", NS}, {"k2", "v", PNS}, {"k1", "", NE}};
static const ngp_taint sh_ab_c[] = {{"ab", "c", NS}};
static const ngp_taint sh_a_bc[] = {{"a", "bc", NS}};
static const ngp_taint sh_ab_c_ne[] = {{"ab", "c", NE}};
static const ngp_taint sh_twice[] = {{"k", "v", NS}, {"k", "v", NS}};

typedef struct {
    const ngp_taint *t;
    uint32_t n;
} shape;

#define SHAPE(a) {a, LEN(a)}
static const shape shapes[] = {
    {NULL, 0},        SHAPE(sh_master), SHAPE(sh_gpu),     SHAPE(sh_pref),  SHAPE(sh_mix),
    SHAPE(sh_mix_rev), SHAPE(sh_ab_c),  SHAPE(sh_a_bc),    SHAPE(sh_ab_c_ne), SHAPE(sh_twice),
};

/* ---- the oracle ---- */

typedef struct {
    char name[24];
    const char *key[MAX_RAW];   /* raw labels as sent, duplicates included */
    char val[MAX_RAW][24];
    uint32_t nraw;
    size_t shape;
    bool unsched, live;
    uint32_t id;                /* meaningful while live */
} onode;

typedef struct {
    ngp_store x;
    onode *o;
    size_t no, ocap;
    int64_t *owner;             /* id -> oracle index, -1 when free */
    size_t nowner;
    uint32_t high, nfree, live, capacity;
    bool dups;                  /* generate repeated label keys */
    size_t target;              /* node count the random operations hover around */
    unsigned ops;
} world;

/* Label keys: small value pools, large pools (mostly sparse postings), hostname unique per node. */
typedef enum { POOL_SMALL, POOL_LARGE, POOL_HOST } pool_kind;

typedef struct {
    const char *key;
    unsigned percent;
    pool_kind kind;
    const char *const *small;
    size_t nsmall;
    unsigned large;             /* POOL_LARGE: values "<prefix><0..large-1>" */
    const char *prefix;
} label_pool;

static const char *const os_vals[] = {"linux", "linux", "linux", "windows"};
static const char *const zone_vals[] = {"z-a", "z-b", "z-c"};
static const char *const tier_vals[] = {"0206", "7", "-3", "x", ""};
static const char *const empty_val[] = {""};

static const label_pool pools[] = {
    {HOST, 90, POOL_HOST, NULL, 0, 0, NULL},
    {"kubernetes.io/os", 95, POOL_SMALL, os_vals, LEN(os_vals), 0, NULL},
    {"topology.kubernetes.io/zone", 70, POOL_SMALL, zone_vals, LEN(zone_vals), 0, NULL},
    {"rack", 50, POOL_LARGE, NULL, 0, 300, "r"},
    {"team", 30, POOL_LARGE, NULL, 0, 2000, "t"},
    {"tier", 40, POOL_SMALL, tier_vals, LEN(tier_vals), 0, NULL},
    {"gpu", 15, POOL_SMALL, empty_val, 1, 0, NULL},
    {"rare", 2, POOL_LARGE, NULL, 0, 3, "q"},
};

static void pick_value(const label_pool *p, const onode *o, char *out, bool alt)
{
    if (p->kind == POOL_HOST)
        snprintf(out, 24, alt ? "alt-%s" : "%s", o->name);
    else if (p->kind == POOL_SMALL)
        snprintf(out, 24, "%s", p->small[below(p->nsmall)]);
    else
        snprintf(out, 24, "%s%zu", p->prefix, below(p->large));
}

static void add_raw(onode *o, const label_pool *p, bool alt)
{
    o->key[o->nraw] = p->key;
    pick_value(p, o, o->val[o->nraw], alt);
    o->nraw++;
}

static const label_pool *pool_of(const char *key)
{
    for (size_t i = 0; i < LEN(pools); i++)
        if (strcmp(pools[i].key, key) == 0)
            return &pools[i];
    return NULL;
}

/* Fresh labels, taints and unschedulable flag for o; with dups, some keys repeat later in the list. */
static void gen_node(onode *o, bool dups)
{
    o->nraw = 0;
    for (size_t i = 0; i < LEN(pools); i++)
        if (chance(pools[i].percent))
            add_raw(o, &pools[i], false);
    uint32_t base = o->nraw;
    for (unsigned extra = dups && base && chance(40) ? 1 + (unsigned)below(3) : 0; extra; extra--)
        add_raw(o, pool_of(o->key[below(base)]), true);
    o->shape = chance(50) ? 0 : below(LEN(shapes));
    o->unsched = chance(10);
}

/* The labels as the API (a Go map) would hold them: one entry per key, the later value winning. */
static uint32_t effective(const onode *o, ngp_kv *out)
{
    uint32_t n = 0;
    for (uint32_t i = 0; i < o->nraw; i++) {
        uint32_t j = 0;
        while (j < n && strcmp(out[j].key, o->key[i]) != 0)
            j++;
        out[j] = (ngp_kv){o->key[i], o->val[i]};
        n += j == n;
    }
    return n;
}

/* ---- checks ---- */

static void check_valid(world *w, const char *after)
{
    ngp_err why = {NGP_OK, ""};
    if (!ngp_store_validate(&w->x, &why))
        fail_msg("ngp_store_validate failed after op %u (%s): %s", w->ops, after, why.text);
}

static void fail_sets(const char *what, const uint64_t *got, const uint64_t *want, size_t nwords)
{
    char g[256], e[256];
    ngp_bitset_format(got, nwords, g, sizeof g);
    ngp_bitset_format(want, nwords, e, sizeof e);
    fail_msg("%s: index has {%s}, oracle {%s}", what, g, e);
}

/* The posting, expanded into a bitset, must equal want, and its count the popcount. */
static void assert_posting(const ngp_posting *p, const uint64_t *want, size_t nwords, const char *what)
{
    uint64_t *got = ngp_bitset_new(nwords ? nwords : 1);
    ngp_posting_or_into(got, p, nwords);
    if (memcmp(got, want, nwords * sizeof *got) != 0)
        fail_sets(what, got, want, nwords);
    ngp_bitset_free(got);
    assert_int_equal(p->count, ngp_bitset_count(want, nwords));
}

static void assert_set(const uint64_t *got, const uint64_t *want, size_t nwords, const char *what)
{
    if (nwords && memcmp(got, want, nwords * sizeof *got) != 0)
        fail_sets(what, got, want, nwords);
}

typedef struct {
    const char *key, *value;
    uint32_t id;
} triple;

static int triple_cmp(const void *a, const void *b)
{
    const triple *x = a, *y = b;
    int c = strcmp(x->key, y->key);
    return c ? c : strcmp(x->value, y->value);
}

/* Every live node's effective labels, sorted by key then value. */
static triple *label_triples(const world *w, size_t *n)
{
    triple *t = calloc(w->no * MAX_RAW + 1, sizeof *t);
    assert_non_null(t);
    *n = 0;
    for (size_t i = 0; i < w->no; i++) {
        ngp_kv kv[MAX_RAW];
        uint32_t m = w->o[i].live ? effective(&w->o[i], kv) : 0;
        for (uint32_t j = 0; j < m; j++)
            t[(*n)++] = (triple){kv[j].key, kv[j].value, w->o[i].id};
    }
    qsort(t, *n, sizeof *t, triple_cmp);
    return t;
}

static void check_value(const world *w, const triple *t, size_t n, uint64_t *want)
{
    const size_t nw = w->x.nwords;
    const ngp_label_value *v = ngp_store_value(&w->x, t->key, t->value);
    if (!v)
        fail_msg("no posting for %s=%s", t->key, t->value);
    ngp_bitset_zero(want, nw);
    for (size_t i = 0; i < n; i++)
        ngp_bit_set(want, t[i].id);
    assert_posting(&v->ids, want, nw, t->value);
    int64_t num = 0;
    bool ok = ngp_parse_go_int(t->value, &num);
    assert_int_equal(v->num_ok, ok);
    if (ok)
        assert_true(v->num == num);
}

/* Key and value postings equal the oracle's sets, and the index keeps no other keys or values. */
static void check_labels(const world *w)
{
    const size_t nw = w->x.nwords;
    size_t n, nkeys = 0;
    triple *t = label_triples(w, &n);
    uint64_t *want = ngp_bitset_new(nw ? nw : 1);
    for (size_t i = 0; i < n;) {
        size_t end = i, nvalues = 0;
        ngp_bitset_zero(want, nw);
        while (end < n && strcmp(t[end].key, t[i].key) == 0)
            ngp_bit_set(want, t[end++].id);
        const ngp_label_key *k = ngp_store_key(&w->x, t[i].key);
        if (!k)
            fail_msg("no posting for key %s", t[i].key);
        assert_posting(&k->ids, want, nw, t[i].key);
        for (size_t j = i, e; j < end; j = e, nvalues++) {
            for (e = j; e < end && strcmp(t[e].value, t[j].value) == 0; e++)
                ;
            check_value(w, &t[j], e - j, want);
        }
        if (k->values.count != nvalues)
            fail_msg("key %s: index keeps %zu values, oracle has %zu", t[i].key, k->values.count, nvalues);
        nkeys++;
        i = end;
    }
    if (w->x.keys.count != nkeys)
        fail_msg("index keeps %zu label keys, oracle has %zu", w->x.keys.count, nkeys);
    ngp_bitset_free(want);
    free(t);
}

static bool same_taints(const ngp_taint_list *l, const shape *s)
{
    if (l->ntaints != s->n)
        return false;
    for (uint32_t i = 0; i < s->n; i++)
        if (strcmp(l->taints[i].key, s->t[i].key) || strcmp(l->taints[i].value, s->t[i].value) ||
            l->taints[i].effect != s->t[i].effect)
            return false;
    return true;
}

/* One list object per distinct taint list in use, holding exactly its nodes. */
static void check_taints(const world *w)
{
    const size_t nw = w->x.nwords;
    const ngp_taint_list *lists[LEN(shapes)] = {0};
    uint64_t *want = ngp_bitset_new(nw ? nw : 1);
    size_t used = 0;
    for (size_t s = 0; s < LEN(shapes); s++) {
        ngp_bitset_zero(want, nw);
        for (size_t i = 0; i < w->no; i++) {
            const onode *o = &w->o[i];
            if (!o->live || o->shape != s)
                continue;
            const ngp_taint_list *l = w->x.nodes[o->id].taints;
            if (s == 0) {
                assert_null(l);
                continue;
            }
            assert_non_null(l);
            if (!lists[s])
                lists[s] = l;
            if (l != lists[s] || !same_taints(l, &shapes[s]))
                fail_msg("node %s: taint list object differs for shape %zu", o->name, s);
            ngp_bit_set(want, o->id);
        }
        if (!lists[s])
            continue;
        used++;
        for (size_t r = 1; r < s; r++)
            assert_true(lists[r] != lists[s]);
        assert_true(lists[s]->slot < w->x.nslots && w->x.slots[lists[s]->slot] == lists[s]);
        assert_posting(&lists[s]->ids, want, nw, lists[s]->sig);
    }
    if (w->x.tlists.count != used)
        fail_msg("index keeps %zu taint lists, oracle uses %zu", w->x.tlists.count, used);
    ngp_bitset_free(want);
}

/* Names, ids, live and unschedulable sets, count. */
static void check_nodes(const world *w)
{
    const size_t nw = w->x.nwords;
    uint64_t *live = ngp_bitset_new(nw ? nw : 1), *uns = ngp_bitset_new(nw ? nw : 1);
    for (size_t i = 0; i < w->no; i++) {
        const onode *o = &w->o[i];
        int64_t got = ngp_store_find(&w->x, o->name, strlen(o->name));
        if (got != (o->live ? (int64_t)o->id : -1))
            fail_msg("find(%s) = %lld, want %lld", o->name, (long long)got,
                     o->live ? (long long)o->id : -1LL);
        if (!o->live)
            continue;
        assert_string_equal(w->x.nodes[o->id].name, o->name);
        assert_int_equal(w->x.nodes[o->id].unschedulable, o->unsched);
        ngp_bit_set(live, o->id);
        if (o->unsched)
            ngp_bit_set(uns, o->id);
    }
    assert_int_equal(ngp_store_find(&w->x, "never-added", 11), -1);
    assert_int_equal(ngp_store_find(&w->x, "n1", 1), -1);   /* only len bytes count: "n" is no node */
    assert_int_equal(w->x.count, w->live);
    assert_set(w->x.live, live, nw, "live");
    assert_set(w->x.unschedulable, uns, nw, "unschedulable");
    ngp_bitset_free(live);
    ngp_bitset_free(uns);
}

static void check_all(const world *w)
{
    check_nodes(w);
    check_labels(w);
    check_taints(w);
}

/* ---- operations, each followed by ngp_store_validate ---- */

static void world_init(world *w, bool dups)
{
    memset(w, 0, sizeof *w);
    ngp_store_init(&w->x);
    w->dups = dups;
}

static void world_free(world *w)
{
    ngp_store_destroy(&w->x);
    free(w->o);
    free(w->owner);
}

static size_t new_oracle_node(world *w)
{
    if (w->no == w->ocap) {
        w->ocap = w->ocap ? 2 * w->ocap : 64;
        w->o = realloc(w->o, w->ocap * sizeof *w->o);
        assert_non_null(w->o);
    }
    onode *o = &w->o[w->no];
    memset(o, 0, sizeof *o);
    snprintf(o->name, sizeof o->name, "n%zu", w->no);
    return w->no++;
}

static void set_owner(world *w, uint32_t id, int64_t who)
{
    while (id >= w->nowner) {
        size_t n = w->nowner ? 2 * w->nowner : 64;
        w->owner = realloc(w->owner, n * sizeof *w->owner);
        assert_non_null(w->owner);
        for (size_t i = w->nowner; i < n; i++)
            w->owner[i] = -1;
        w->nowner = n;
    }
    w->owner[id] = who;
}

/* Upserts oracle node i with freshly drawn content; checks the id rules. */
static void op_upsert(world *w, size_t i)
{
    onode *o = &w->o[i];
    gen_node(o, w->dups);
    ngp_kv kv[MAX_RAW];
    ngp_taint taints[4];
    for (uint32_t j = 0; j < o->nraw; j++)
        kv[j] = (ngp_kv){o->key[j], o->val[j]};
    for (uint32_t j = 0; j < shapes[o->shape].n; j++)
        taints[j] = shapes[o->shape].t[j];
    ngp_node_in in = {.name = o->name, .labels = kv, .nlabels = o->nraw, .taints = taints,
                      .ntaints = shapes[o->shape].n, .unschedulable = o->unsched};
    uint32_t id = ngp_store_upsert(&w->x, &in);
    w->ops++;
    if (o->live) {
        assert_int_equal(id, o->id);          /* an update keeps the id */
    } else if (w->nfree) {
        assert_true(id < w->high);            /* a freed id is reused */
        assert_int_equal(w->owner[id], -1);
        w->nfree--;
    } else {
        assert_int_equal(id, w->high);        /* otherwise the next dense id */
        w->high++;
    }
    if (!o->live)
        w->live++;
    o->live = true;
    o->id = id;
    set_owner(w, id, (int64_t)i);
    assert_true(w->x.capacity >= w->capacity && w->x.capacity >= w->high);
    w->capacity = w->x.capacity;
    check_valid(w, "upsert");
}

static void op_remove(world *w, size_t i)
{
    onode *o = &w->o[i];
    assert_int_equal(ngp_store_remove(&w->x, o->name), o->live);
    w->ops++;
    if (o->live) {
        set_owner(w, o->id, -1);
        w->nfree++;
        w->live--;
        o->live = false;
    }
    check_valid(w, "remove");
}

/* A random oracle node that is (or is not) live, or SIZE_MAX when there is none. */
static size_t pick(const world *w, bool live)
{
    if (w->no == 0)
        return SIZE_MAX;
    size_t start = below(w->no);
    for (size_t k = 0; k < w->no; k++) {
        size_t i = (start + k) % w->no;
        if (w->o[i].live == live)
            return i;
    }
    return SIZE_MAX;
}

static void insert_one(world *w)
{
    size_t dead = chance(50) ? pick(w, false) : SIZE_MAX;
    op_upsert(w, dead != SIZE_MAX ? dead : new_oracle_node(w));
}

/* One random operation, biased to keep the index near target nodes. */
static void random_op(world *w, size_t target)
{
    unsigned r = (unsigned)below(100);
    size_t live = pick(w, true);
    if (live == SIZE_MAX || (w->live < target && r < 40)) {
        insert_one(w);
    } else if (r < 40) {
        op_upsert(w, live);                   /* update an existing node */
    } else if (r < 65) {
        insert_one(w);
    } else if (r < 92) {
        op_remove(w, live);
    } else {
        size_t dead = pick(w, false);         /* removing an absent name changes nothing */
        if (dead != SIZE_MAX)
            op_remove(w, dead);
        assert_false(ngp_store_remove(&w->x, "never-added"));
        check_valid(w, "remove absent");
    }
}

/* Fill to n, churn around n, drain to empty, refill from freed ids. */
static void test_random_ops(void **state)
{
    world *w = *state;
    size_t n = w->target;
    rng = 0x9e3779b97f4a7c15u ^ (n * 0x100000001b3u) ^ w->dups;
    check_valid(w, "init");
    check_all(w);
    while (w->live < n)
        op_upsert(w, new_oracle_node(w));
    check_all(w);
    size_t churn = n >= 1000 ? 1500 : 300 + 4 * n;
    for (size_t k = 0; k < churn; k++) {
        random_op(w, n);
        if (k % 64 == 63)
            check_all(w);
    }
    check_all(w);
    for (size_t i; (i = pick(w, true)) != SIZE_MAX;)
        op_remove(w, i);
    check_all(w);
    assert_int_equal(w->x.keys.count, 0);
    assert_int_equal(w->x.tlists.count, 0);
    uint32_t high = w->high;
    for (size_t k = 0; k < n / 2 + 1; k++)
        insert_one(w);
    assert_int_equal(w->high, high);          /* every id came from the free list */
    check_all(w);
}

/* Fixtures own the memory, so a failed assertion still frees it and ASan reports only the index's leaks. */
typedef struct {
    size_t n;
    bool dups;
} params;

static int setup_world(void **state)
{
    const params *p = *state;
    world *w = malloc(sizeof *w);
    world_init(w, p->dups);
    w->target = p->n;
    *state = w;
    return 0;
}

static int teardown_world(void **state)
{
    world_free(*state);
    free(*state);
    return 0;
}

static int setup_idx(void **state)
{
    ngp_store *x = malloc(sizeof *x);
    ngp_store_init(x);
    *state = x;
    return 0;
}

static int teardown_idx(void **state)
{
    ngp_store_destroy(*state);
    free(*state);
    return 0;
}

/* ---- hand-written cases ---- */

static uint32_t put(ngp_store *x, const char *name, ngp_kv *kv, uint32_t nkv, ngp_taint *t, uint32_t nt)
{
    ngp_node_in in = {.name = name, .labels = kv, .nlabels = nkv, .taints = t, .ntaints = nt};
    uint32_t id = ngp_store_upsert(x, &in);
    ngp_err why = {NGP_OK, ""};
    if (!ngp_store_validate(x, &why))
        fail_msg("validate after upserting %s: %s", name, why.text);
    return id;
}

static bool value_has(const ngp_store *x, const char *k, const char *v, uint32_t id)
{
    const ngp_label_value *lv = ngp_store_value(x, k, v);
    return lv && ngp_posting_has(&lv->ids, id);
}

/* A repeated key within one node: the later value wins, the earlier leaves no trace. */
static void test_duplicate_key_later_wins(void **state)
{
    ngp_store *x = *state;
    ngp_kv shared[] = {{"zone", "a"}};
    uint32_t other = put(x, "other", shared, 1, NULL, 0);
    ngp_kv kv[] = {{"zone", "a"}, {HOST, "n1"}, {"zone", "b"}, {HOST, "n1-alt"}};
    uint32_t id = put(x, "n1", kv, LEN(kv), NULL, 0);
    assert_true(value_has(x, "zone", "b", id));
    assert_false(value_has(x, "zone", "a", id));
    assert_true(value_has(x, "zone", "a", other));
    assert_true(value_has(x, HOST, "n1-alt", id));
    assert_null(ngp_store_value(x, HOST, "n1"));   /* no node carries hostname=n1 */
    assert_int_equal(x->nodes[id].nlabels, 2);
}

/* Taint lists equal as text under naive concatenation stay distinct; equal lists are shared. */
static void test_taint_list_identity(void **state)
{
    ngp_store *x = *state;
    ngp_taint t1[] = {{"ab", "c", NS}}, t2[] = {{"a", "bc", NS}}, t3[] = {{"ab", "c", NS}};
    ngp_taint t4[] = {{"ab", "c", NE}};
    uint32_t a = put(x, "a", NULL, 0, t1, 1), b = put(x, "b", NULL, 0, t2, 1);
    uint32_t c = put(x, "c", NULL, 0, t3, 1), d = put(x, "d", NULL, 0, t4, 1);
    assert_true(x->nodes[a].taints != x->nodes[b].taints);
    assert_true(x->nodes[a].taints == x->nodes[c].taints);
    assert_true(x->nodes[a].taints != x->nodes[d].taints);
    assert_int_equal(x->tlists.count, 3);
    assert_int_equal(x->nodes[a].taints->ids.count, 2);
    put(x, "a", NULL, 0, NULL, 0);               /* untainting keeps the shared list for c */
    assert_null(x->nodes[a].taints);
    assert_int_equal(x->nodes[c].taints->ids.count, 1);
    assert_int_equal(x->tlists.count, 3);
    put(x, "c", NULL, 0, NULL, 0);
    assert_int_equal(x->tlists.count, 2);
}

/* The 65th node doubles the capacity; a label on every node stays exact across it. */
static void test_capacity_growth(void **state)
{
    ngp_store *x = *state;
    assert_int_equal(x->capacity, 0);
    ngp_kv kv[] = {{"os", "linux"}};
    char name[16];
    for (int i = 0; i < 130; i++) {
        snprintf(name, sizeof name, "g%d", i);
        assert_int_equal(put(x, name, kv, 1, NULL, 0), i);
        assert_int_equal(x->capacity, i < 64 ? 64 : i < 128 ? 128 : 256);
        assert_int_equal(ngp_store_value(x, "os", "linux")->ids.count, i + 1);
    }
    uint64_t want[4] = {~0ull, ~0ull, 3, 0};
    assert_posting(&ngp_store_key(x, "os")->ids, want, x->nwords, "os");
}

/* The name pool: a removed node's record stays until a record does not fit;
 * the rebuild then keeps only live records, in id order, and names resolve. */
static void test_name_pool_rebuild(void **state)
{
    ngp_store *x = *state;
    char name[32];
    for (int i = 0; i < 40; i++) {
        snprintf(name, sizeof name, "pool-%d", i);
        put(x, name, NULL, 0, NULL, 0);
    }
    for (int i = 0; i < 40; i += 2) {
        snprintf(name, sizeof name, "pool-%d", i);
        assert_true(ngp_store_remove(x, name));
    }
    /* the removed records are still there: "pool-N" is its host entry, NUL, name, NUL */
    size_t wrap = NGP_HOST_OPEN_LEN + NGP_HOST_CLOSE_LEN;
    assert_int_equal(x->pool_len, 10 * (wrap + 8 + 1 + 6 + 1) + 30 * (wrap + 9 + 1 + 7 + 1));
    size_t last;
    do {   /* new nodes take the freed ids; the pool only grows until a rebuild drops the dead */
        last = x->pool_len;
        snprintf(name, sizeof name, "new-%u", x->count);
        put(x, name, NULL, 0, NULL, 0);
    } while (x->pool_len > last);
    const char *prev = NULL;
    for (uint32_t id = 0; id < x->high; id++) {
        const ngp_node *n = &x->nodes[id];
        if (!n->name)
            continue;
        assert_true(prev == NULL || n->quoted - NGP_HOST_OPEN_LEN == prev);   /* packed, in id order */
        prev = n->name + strlen(n->name) + 1;
        assert_int_equal(ngp_store_find(x, n->name, strlen(n->name)), id);
    }
    assert_true(prev == x->pool + x->pool_len);
}

/* ngp_store_find_many against ngp_store_find, name by name, on one list of names. */
enum { HINT_NAME = 24 };   /* room for "r%d-%u" with any int and unsigned */

static void assert_found_alike(const ngp_store *x, char names[][HINT_NAME], uint32_t n)
{
    const char *v[400];
    size_t lens[400];
    int64_t ids[400];
    for (uint32_t i = 0; i < n; i++) {
        v[i] = names[i];
        lens[i] = strlen(names[i]);
    }
    ngp_store_find_many(x, v, lens, n, ids);
    for (uint32_t i = 0; i < n; i++)
        if (ids[i] != ngp_store_find(x, v[i], lens[i]))
            fail_msg("%s at %u: %lld, not %lld", v[i], i, (long long)ids[i],
                     (long long)ngp_store_find(x, v[i], lens[i]));
}

/* The order hints (store_names.c) only ever guess: lists in the learned order, reversed, cut,
 * shuffled, with unknown and repeated names, and after the hinted nodes were removed or their ids
 * went to other names, resolve exactly as one lookup per name does. */
static void test_find_many_hints_only_guess(void **state)
{
    ngp_store *x = *state;
    char names[400][HINT_NAME], list[400][HINT_NAME];
    for (uint32_t i = 0; i < 300; i++) {
        snprintf(names[i], sizeof names[i], "h-%u", i);
        put(x, names[i], NULL, 0, NULL, 0);
    }
    rng = 0x5eed;
    for (int round = 0; round < 40; round++) {
        uint32_t n = 0;
        switch (round % 5) {
        case 0: case 1:   /* id order, then again once learned */
            for (uint32_t i = 0; i < 300; i++)
                memcpy(list[n++], names[i], HINT_NAME);
            break;
        case 2:           /* reversed */
            for (uint32_t i = 300; i-- > 0;)
                memcpy(list[n++], names[i], HINT_NAME);
            break;
        case 3:           /* every third, with unknown and repeated names among them */
            for (uint32_t i = 0; i < 300; i += 3) {
                memcpy(list[n++], names[i], HINT_NAME);
                if (chance(10))
                    snprintf(list[n++], HINT_NAME, "nope-%u", i);
                if (chance(10))
                    memcpy(list[n++], names[i], HINT_NAME);
            }
            break;
        default:          /* shuffled */
            for (uint32_t i = 0; i < 300; i++)
                memcpy(list[n++], names[i], HINT_NAME);
            for (uint32_t i = n; i > 1; i--) {
                char t[HINT_NAME];
                uint32_t j = (uint32_t)below(i);
                memcpy(t, list[i - 1], HINT_NAME);
                memcpy(list[i - 1], list[j], HINT_NAME);
                memcpy(list[j], t, HINT_NAME);
            }
        }
        assert_found_alike(x, list, n);
        for (int k = 0; k < 20; k++) {   /* nodes go; their ids come back under other names */
            uint32_t i = (uint32_t)below(300);
            if (ngp_store_remove(x, names[i]) && chance(50))
                snprintf(names[i], sizeof names[i], "r%d-%u", round, i);
            put(x, names[i], NULL, 0, NULL, 0);
            if (chance(30))
                ngp_store_remove(x, names[(i + 1) % 300]);
        }
    }
}

/* Destroying an index with content frees everything (ASan); the re-initialised index works as new. */
static void test_destroy_reinit(void **state)
{
    world *w = *state;
    rng = 12345;
    for (int round = 0; round < 3; round++) {
        for (int i = 0; i < 300; i++)
            random_op(w, 200);
        check_all(w);
        ngp_store_destroy(&w->x);
        assert_int_equal(w->x.count, 0);
        assert_int_equal(w->x.capacity, 0);
        assert_null(w->x.nodes);
        ngp_store_init(&w->x);
        check_valid(w, "re-init");
        for (size_t i = 0; i < w->no; i++)     /* the oracle forgets too; names come back as new */
            w->o[i].live = false;
        for (size_t id = 0; id < w->nowner; id++)
            w->owner[id] = -1;
        w->high = w->nfree = w->live = w->capacity = 0;
        check_all(w);
    }
}

/* Destroy right after a repeated key replaced a value no other node carries: nothing may leak (ASan). */
static void test_destroy_with_dups(void **state)
{
    ngp_store *x = *state;
    ngp_kv kv[] = {{"zone", "a"}, {"zone", "b"}, {HOST, "d1"}, {HOST, "d1-alt"}};
    ngp_node_in in = {.name = "d1", .labels = kv, .nlabels = LEN(kv)};
    assert_int_equal(ngp_store_upsert(x, &in), 0);
    in.name = "d2";
    assert_int_equal(ngp_store_upsert(x, &in), 1);
    assert_true(ngp_store_remove(x, "d1"));
    ngp_store_destroy(x);
    assert_int_equal(x->count, 0);
    assert_int_equal(x->keys.count, 0);
}

/* The validator names a broken invariant as an internal error, and the first one found wins. */
static void test_validate_reports_breakage(void **state)
{
    ngp_store *x = *state;
    put(x, "v1", NULL, 0, NULL, 0);
    ngp_bit_set(x->unschedulable, 0);   /* the node says schedulable */
    ngp_err why = {NGP_OK, ""};
    assert_false(ngp_store_validate(x, &why));
    assert_int_equal(why.code, NGP_EINTERNAL);
    assert_string_equal(why.text, "node v1: unschedulable bit disagrees");
    ngp_bit_clear(x->live, 0);          /* a second breakage: the first report stays */
    assert_false(ngp_store_validate(x, &why));
    assert_string_equal(why.text, "node v1: unschedulable bit disagrees");
    ngp_bit_set(x->live, 0);
    ngp_bit_clear(x->unschedulable, 0);
    why = (ngp_err){NGP_OK, ""};
    assert_true(ngp_store_validate(x, &why));
    assert_int_equal(why.code, NGP_OK);
}

static const params sizes[] = {{0, false},   {1, false},   {63, false},  {64, false},  {65, false},
                                {127, false}, {128, false}, {129, false}, {2500, false},
                                {0, true},    {1, true},    {63, true},   {64, true},   {65, true},
                                {127, true},  {128, true},  {129, true},  {2500, true}};

#define RANDOM(k, name) {name, test_random_ops, setup_world, teardown_world, (void *)&sizes[k]}
#define HAND(f) cmocka_unit_test_setup_teardown(f, setup_idx, teardown_idx)

int main(void)
{
    const struct CMUnitTest tests[] = {
        HAND(test_duplicate_key_later_wins),
        HAND(test_taint_list_identity),
        HAND(test_capacity_growth),
        HAND(test_name_pool_rebuild),
        HAND(test_find_many_hints_only_guess),
        HAND(test_destroy_with_dups),
        HAND(test_validate_reports_breakage),
        {"test_destroy_reinit", test_destroy_reinit, setup_world, teardown_world, (void *)&sizes[0]},
        RANDOM(0, "random ops, 0 nodes"),
        RANDOM(1, "random ops, 1 node"),
        RANDOM(2, "random ops, 63 nodes"),
        RANDOM(3, "random ops, 64 nodes"),
        RANDOM(4, "random ops, 65 nodes"),
        RANDOM(5, "random ops, 127 nodes"),
        RANDOM(6, "random ops, 128 nodes"),
        RANDOM(7, "random ops, 129 nodes"),
        RANDOM(8, "random ops, 2500 nodes"),
        RANDOM(9, "random ops with repeated label keys, 0 nodes"),
        RANDOM(10, "random ops with repeated label keys, 1 node"),
        RANDOM(11, "random ops with repeated label keys, 63 nodes"),
        RANDOM(12, "random ops with repeated label keys, 64 nodes"),
        RANDOM(13, "random ops with repeated label keys, 65 nodes"),
        RANDOM(14, "random ops with repeated label keys, 127 nodes"),
        RANDOM(15, "random ops with repeated label keys, 128 nodes"),
        RANDOM(16, "random ops with repeated label keys, 129 nodes"),
        RANDOM(17, "random ops with repeated label keys, 2500 nodes"),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
