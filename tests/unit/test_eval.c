/* test_eval.c - eval.c's set-based taints and placement against a per-node reference built from match.h and SPEC 3.1, 3.2, 5.1. */
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
#include "eval.h"
#include "store.h"
#include "kint.h"
#include "match.h"
#include "validate.h"
#include "model.h"
#include "prng.h"

#define LEN(a) (sizeof(a) / sizeof((a)[0]))
#define HOST "kubernetes.io/hostname"
#define MASTER "node-role.kubernetes.io/master"
#define UNSCHED "node.kubernetes.io/unschedulable"

#define ANY(a) ((a)[below(LEN(a))])
#define MAX_TOLS 24   /* a random pod's most tolerations */

/* ---- builders ---- */

static ngp_toleration tol(const char *key, const char *op, const char *value, const char *effect)
{
    return (ngp_toleration){.key = key, .value = value, .op_text = op, .effect_text = effect,
                            .op = ngp_tol_op_parse(op), .effect = ngp_effect_parse(effect)};
}

static ngp_requirement req(const char *key, const char *op, const char **values, uint32_t n)
{
    return (ngp_requirement){key, op, ngp_sel_op_parse(op), values, n};
}

/* ---- the per-node reference: match.h and SPEC 3.1, 3.2, 5.1 only ---- */

typedef struct {
    char name[32];
    ngp_kv labels[10];
    uint32_t nlabels;
    ngp_taint taints[4];
    uint32_t ntaints;
    bool unsched, live;
    uint32_t id;
} enode;

static bool filter_effect(ngp_effect e) { return e == NGP_EFFECT_NO_SCHEDULE || e == NGP_EFFECT_NO_EXECUTE; }

/* FindMatchingUntoleratedTaint over NoSchedule/NoExecute taints, in node order (SPEC 2.3, 3.1). */
static int32_t ref_first_untolerated(const ngp_pod *p, const enode *n, bool gate)
{
    for (uint32_t i = 0; i < n->ntaints; i++)
        if (filter_effect(n->taints[i].effect) &&
            !ngp_tolerations_tolerate(p->tols, p->ntols, &n->taints[i], gate))
            return (int32_t)i;
    return -1;
}

static bool ref_noexecute_untolerated(const ngp_pod *p, const enode *n, bool gate)
{
    for (uint32_t i = 0; i < n->ntaints; i++)
        if (n->taints[i].effect == NGP_EFFECT_NO_EXECUTE &&
            !ngp_tolerations_tolerate(p->tols, p->ntols, &n->taints[i], gate))
            return true;
    return false;
}

/* SPEC 3.2: PreferNoSchedule taints not tolerated by the tolerations with effect empty or PreferNoSchedule. */
static uint32_t ref_prefer_untolerated(const ngp_pod *p, const enode *n, bool gate)
{
    ngp_toleration kept[MAX_TOLS];
    uint32_t nkept = 0, count = 0;
    for (uint32_t i = 0; i < p->ntols; i++)
        if (p->tols[i].effect == NGP_EFFECT_EMPTY || p->tols[i].effect == NGP_EFFECT_PREFER_NO_SCHEDULE)
            kept[nkept++] = p->tols[i];
    for (uint32_t i = 0; i < n->ntaints; i++)
        count += n->taints[i].effect == NGP_EFFECT_PREFER_NO_SCHEDULE &&
                 !ngp_tolerations_tolerate(kept, nkept, &n->taints[i], gate);
    return count;
}

static bool ref_term_valid(const ngp_term *t)
{
    char err[512];
    for (uint32_t i = 0; i < t->nexprs; i++)
        if (!ngp_requirement_check(&t->exprs[i], false, "x", err, sizeof err))
            return false;
    for (uint32_t i = 0; i < t->nfields; i++)
        if (!ngp_requirement_check(&t->fields[i], true, "x", err, sizeof err))
            return false;
    return true;
}

static bool ref_term_empty(const ngp_term *t) { return t->nexprs == 0 && t->nfields == 0; }

static bool ref_term_matches(const ngp_term *t, const enode *n)
{
    for (uint32_t i = 0; i < t->nexprs; i++)
        if (!ngp_requirement_matches_labels(&t->exprs[i], n->labels, n->nlabels))
            return false;
    for (uint32_t i = 0; i < t->nfields; i++)
        if (!ngp_requirement_matches_fields(&t->fields[i], n->name))
            return false;
    return true;
}

/* SPEC 5.1: every nodeSelector pair equal, and required terms ORed (nil = all; empty or invalid terms skipped). */
static bool ref_affinity(const ngp_pod *p, const enode *n)
{
    for (uint32_t i = 0; i < p->nselector; i++) {
        ngp_requirement pair = req(p->selector[i].key, "In", &p->selector[i].value, 1);
        if (!ngp_requirement_matches_labels(&pair, n->labels, n->nlabels))
            return false;
    }
    if (!p->has_required)
        return true;
    for (uint32_t i = 0; i < p->nrequired; i++)
        if (!ref_term_empty(&p->required[i]) && ref_term_valid(&p->required[i]) &&
            ref_term_matches(&p->required[i], n))
            return true;
    return false;
}

/* ---- clusters ---- */

typedef struct {
    ngp_store x;
    enode *n;
    size_t nn;
} cluster;

static void upsert(cluster *c, enode *n)
{
    ngp_node_in in = {.name = n->name, .labels = n->labels, .nlabels = n->nlabels,
                      .taints = n->taints, .ntaints = n->ntaints, .unschedulable = n->unsched};
    n->id = ngp_store_upsert(&c->x, &in);
    n->live = true;
    ngp_err why = {NGP_OK, ""};
    if (!ngp_store_validate(&c->x, &why))
        fail_msg("index invalid after upserting %s: %s", n->name, why.text);
}

static const char *const zones[] = {"a", "b", "c"};
static const char *const tiers[] = {"0206", "7", "-3", "x", "", "+5", "007", "9223372036854775807",
                                    "-9223372036854775808"};
static const char *const disks[] = {"ssd", "hdd"};
static const char *const gpus[] = {"", "1"};
static const char *const taint_keys[] = {MASTER, "dedicated", "sla", "k", UNSCHED};
static const char *const taint_values[] = {"", "gpu", "950", "0100", "-5", "x", "750"};
static const ngp_effect effects[] = {NGP_EFFECT_NO_SCHEDULE, NGP_EFFECT_PREFER_NO_SCHEDULE,
                                     NGP_EFFECT_NO_EXECUTE};

static void label(enode *n, const char *key, const char *value)
{
    n->labels[n->nlabels++] = (ngp_kv){key, value};
}

/* Labels from small pools (some integer-like), hostname, a label literally named metadata.name, rare repeats. */
static void gen_enode(const cluster *c, enode *n)
{
    n->nlabels = n->ntaints = 0;
    if (chance(70))
        label(n, "zone", ANY(zones));
    if (chance(60))
        label(n, "tier", ANY(tiers));
    if (chance(50))
        label(n, "disk", ANY(disks));
    if (chance(90))
        label(n, HOST, n->name);
    if (chance(20))
        label(n, "gpu", ANY(gpus));
    if (chance(5))
        label(n, "metadata.name", c->n[below(c->nn)].name);
    if (chance(5))
        label(n, "zone", ANY(zones));          /* repeated key: the later value wins */
    for (uint32_t k = chance(50) ? 1 + (uint32_t)below(3) : 0; k; k--)
        n->taints[n->ntaints++] = (ngp_taint){ANY(taint_keys), ANY(taint_values), ANY(effects)};
    n->unsched = chance(15);
}

/* nn nodes, about a tenth removed and some of those re-added, so ids have holes and reuse. */
static void cluster_build(cluster *c, size_t nn)
{
    ngp_store_init(&c->x);
    c->nn = nn;
    c->n = calloc(nn ? nn : 1, sizeof *c->n);
    assert_non_null(c->n);
    for (size_t i = 0; i < nn; i++)
        snprintf(c->n[i].name, sizeof c->n[i].name, "node-%zu", i);
    for (size_t i = 0; i < nn; i++) {
        gen_enode(c, &c->n[i]);
        upsert(c, &c->n[i]);
    }
    for (size_t i = 0; i < nn; i++) {
        if (!chance(10))
            continue;
        assert_true(ngp_store_remove(&c->x, c->n[i].name));
        c->n[i].live = false;
    }
    for (size_t i = 0; i < nn; i++)
        if (!c->n[i].live && chance(30)) {
            gen_enode(c, &c->n[i]);
            upsert(c, &c->n[i]);
        }
}

static void cluster_free(cluster *c)
{
    ngp_store_destroy(&c->x);
    free(c->n);
}

/* ---- random pods ---- */

typedef struct {
    ngp_pod pod;
    ngp_toleration tols[MAX_TOLS];
    ngp_kv sel[3];
    ngp_term req[5];
    ngp_pref_term pref[4];
    ngp_requirement reqs[64];
    uint32_t nreqs;
    const char *vals[256];
    uint32_t nvals;
} podbuf;

static const char *const tol_keys[] = {"", "", MASTER, "dedicated", "sla", "k", UNSCHED, "other"};
static const char *const tol_ops[] = {"", "Equal", "Exists", "Exists", "Lt", "Gt", "Foo"};
static const char *const tol_values[] = {"", "", "gpu", "950", "750", "1000", "0100", "-5", "-10", "x"};
static const char *const tol_effects[] = {"", "", "NoSchedule", "PreferNoSchedule", "NoExecute",
                                          "Sometimes"};

/* Requirement parts: valid choices, and invalid ones drawn now and then (SPEC 5.2). */
static const char *const expr_keys[] = {"zone", "zone", "tier", "tier", "disk", HOST, "gpu",
                                        "metadata.name", "absent-key", "example.com/zone"};
static const char *const bad_keys[] = {"bad key", "-bad", "a/b/c", ""};
static const char *const expr_ops[] = {"In", "In", "In", "NotIn", "NotIn", "Exists", "Exists",
                                       "DoesNotExist", "Gt", "Gt", "Lt", "Lt"};
static const char *const bad_ops[] = {"Foo", "in"};
static const char *const set_values[] = {"a", "b", "c", "ssd", "hdd", "", "1", "0206", "7", "x", "+5"};
static const char *const bad_set_values[] = {"invalid value: ___@#$%^", "-3"};
static const char *const num_values[] = {"0204", "7", "0", "5", "007", "9223372036854775807", "6", "+5"};
static const char *const bad_num_values[] = {"-1", "+1", "abc", "", "-9223372036854775808", "x"};
#define MOSTLY(good, bad) (chance(5) ? ANY(bad) : ANY(good))
static const char *const field_keys[] = {"metadata.name", "metadata.name", "metadata.name",
                                         "metadata.name", "metadata.foo", "spec.unschedulable"};
static const char *const field_ops[] = {"In", "In", "NotIn"};
static const char *const bad_field_ops[] = {"Exists", "Gt", "DoesNotExist"};

static const char **values_of(podbuf *b, uint32_t n)
{
    assert_true(b->nvals + n <= LEN(b->vals));
    const char **v = &b->vals[b->nvals];
    b->nvals += n;
    return v;
}

static const char *node_name_value(const cluster *c)
{
    unsigned r = (unsigned)below(100);
    if (r < 60 && c->nn)
        return c->n[below(c->nn)].name;           /* live or removed */
    return r < 80 ? "node-none" : "";
}

/* Value count per operator: the valid count most of the time, a wrong one sometimes. */
static uint32_t value_count(ngp_sel_op op)
{
    switch (op) {
    case NGP_SEL_IN:
    case NGP_SEL_NOT_IN:
        return chance(5) ? 0 : 1 + (uint32_t)below(3);
    case NGP_SEL_EXISTS:
    case NGP_SEL_DOES_NOT_EXIST:
        return chance(5) ? 1 : 0;
    case NGP_SEL_GT:
    case NGP_SEL_LT:
        return chance(5) ? 2 * (uint32_t)below(2) : 1;
    default:
        return (uint32_t)below(2);
    }
}

static ngp_requirement *new_req(podbuf *b)
{
    assert_true(b->nreqs < LEN(b->reqs));
    return &b->reqs[b->nreqs++];
}

static void gen_expr(podbuf *b, const cluster *c, ngp_requirement *r)
{
    const char *op = MOSTLY(expr_ops, bad_ops);
    ngp_sel_op sop = ngp_sel_op_parse(op);
    uint32_t n = value_count(sop);
    const char **v = values_of(b, n);
    bool numeric = sop == NGP_SEL_GT || sop == NGP_SEL_LT;
    for (uint32_t i = 0; i < n; i++)
        v[i] = numeric ? MOSTLY(num_values, bad_num_values)
                       : chance(15) ? node_name_value(c) : MOSTLY(set_values, bad_set_values);
    *r = req(MOSTLY(expr_keys, bad_keys), op, n ? v : NULL, n);
}

static void gen_field(podbuf *b, const cluster *c, ngp_requirement *r)
{
    uint32_t n = chance(95) ? 1 : 2 * (uint32_t)below(2);
    const char **v = values_of(b, n);
    for (uint32_t i = 0; i < n; i++)
        v[i] = node_name_value(c);
    *r = req(ANY(field_keys), MOSTLY(field_ops, bad_field_ops), n ? v : NULL, n);
}

/* A term: empty a tenth of the time, else 0-3 matchExpressions and 0-2 matchFields, at least one. */
static void gen_term(podbuf *b, const cluster *c, ngp_term *t)
{
    *t = (ngp_term){0};
    if (chance(10))
        return;
    uint32_t ne = (uint32_t)below(4), nf = chance(35) ? 1 + (uint32_t)below(2) : 0;
    if (ne + nf == 0)
        ne = 1;
    t->exprs = ne ? new_req(b) : NULL;
    for (uint32_t i = 1; i < ne; i++)
        new_req(b);
    t->fields = nf ? new_req(b) : NULL;
    for (uint32_t i = 1; i < nf; i++)
        new_req(b);
    for (uint32_t i = 0; i < ne; i++)
        gen_expr(b, c, &t->exprs[i]);
    for (uint32_t i = 0; i < nf; i++)
        gen_field(b, c, &t->fields[i]);
    t->nexprs = ne;
    t->nfields = nf;
}

static void gen_pod(podbuf *b, const cluster *c)
{
    memset(b, 0, sizeof *b);
    ngp_pod *p = &b->pod;
    p->name = "pod";
    p->tols = b->tols;
    p->ntols = (uint32_t)(chance(20) ? 16 + below(9) : below(7));   /* 16 and more: eval.c's toleration index */
    for (uint32_t i = 0; i < p->ntols; i++)
        b->tols[i] = tol(ANY(tol_keys), ANY(tol_ops), ANY(tol_values), ANY(tol_effects));
    p->selector = b->sel;
    p->nselector = chance(30) ? 1 + (uint32_t)below(LEN(b->sel)) : 0;
    for (uint32_t i = 0; i < p->nselector; i++) {
        const char *k = MOSTLY(expr_keys, bad_keys);
        b->sel[i] = (ngp_kv){k, strcmp(k, "tier") == 0 ? ANY(tiers) : MOSTLY(set_values, bad_set_values)};
    }
    unsigned mode = (unsigned)below(100);
    p->has_required = mode >= 30;
    p->required = b->req;
    p->nrequired = mode < 35 ? 0 : 1 + (uint32_t)below(4);
    for (uint32_t i = 0; i < p->nrequired; i++)
        gen_term(b, c, &b->req[i]);
    p->preferred = b->pref;
    p->npreferred = (uint32_t)below(LEN(b->pref));
    for (uint32_t i = 0; i < p->npreferred; i++) {
        b->pref[i].weight = 1 + (int32_t)below(100);
        gen_term(b, c, &b->pref[i].preference);
    }
}

/* ---- differential checks ---- */

typedef struct {
    size_t pod;
    bool gate;
} ctx;

static void check_taints(const ngp_eval *e, const cluster *c, const ctx *k)
{
    const ngp_pod *p = e->pod;
    for (size_t i = 0; i < c->nn; i++) {
        const enode *n = &c->n[i];
        if (!n->live)
            continue;
        int32_t first = ref_first_untolerated(p, n, k->gate);
        bool ne = ref_noexecute_untolerated(p, n, k->gate);
        if (ngp_bit_test(e->blocked, n->id) != (first >= 0) ||
            ngp_bit_test(e->noexecute_blocked, n->id) != ne)
            fail_msg("pod %zu gate %d node %s: blocked %d/%d noexecute %d/%d (got/want)", k->pod, k->gate,
                     n->name, ngp_bit_test(e->blocked, n->id), first >= 0,
                     ngp_bit_test(e->noexecute_blocked, n->id), ne);
        const ngp_taint_verdict *v = ngp_eval_verdict(e, n->id);
        if (n->ntaints == 0) {
            assert_null(v);
            continue;
        }
        assert_non_null(v);
        uint32_t prefer = ref_prefer_untolerated(p, n, k->gate);
        if (v->first_untolerated != first || v->noexecute_untolerated != ne ||
            v->prefer_untolerated != prefer)
            fail_msg("pod %zu gate %d node %s: verdict first %d/%d noexecute %d/%d prefer %u/%u (got/want)",
                     k->pod, k->gate, n->name, v->first_untolerated, first, v->noexecute_untolerated, ne,
                     v->prefer_untolerated, prefer);
    }
    ngp_taint unsched = {UNSCHED, "", NGP_EFFECT_NO_SCHEDULE};
    assert_int_equal(ngp_eval_tolerates_unschedulable(e),
                     ngp_tolerations_tolerate(p->tols, p->ntols, &unsched, k->gate));
}

/* Bits of ids that hold no node must be clear in every result set. */
static void check_dead_clear(const ngp_eval *e, const uint64_t *set, const char *what)
{
    for (size_t id = 0; id < e->store->capacity; id++)
        if (!ngp_bit_test(e->store->live, id) && ngp_bit_test(set, id))
            fail_msg("%s holds id %zu, which has no node", what, id);
}

/* ngp_eval_term of one valid, non-empty term against the reference, node by node. */
static void check_term(ngp_eval *e, const cluster *c, const ngp_term *t, const ctx *k, const char *what)
{
    char err[512];
    ngp_term copy = *t;
    assert_int_equal(ngp_term_is_empty(t), ref_term_empty(t));
    assert_int_equal(ngp_term_check(&copy, "t", err, sizeof err), ref_term_valid(t));
    assert_int_equal(copy.valid, ref_term_valid(t));
    if (ref_term_empty(t) || !ref_term_valid(t))
        return;
    uint64_t *out = ngp_bitset_new(e->nwords ? e->nwords : 1);
    ngp_eval_term(e, t, out);
    for (size_t i = 0; i < c->nn; i++) {
        const enode *n = &c->n[i];
        if (n->live && ngp_bit_test(out, n->id) != ref_term_matches(t, n))
            fail_msg("pod %zu gate %d %s, node %s: term gives %d, reference %d", k->pod, k->gate, what,
                     n->name, ngp_bit_test(out, n->id), !ngp_bit_test(out, n->id));
    }
    check_dead_clear(e, out, what);
    ngp_bitset_free(out);
}

static void check_affinity(ngp_eval *e, const cluster *c, const ctx *k)
{
    const ngp_pod *p = e->pod;
    for (size_t i = 0; i < c->nn; i++) {
        const enode *n = &c->n[i];
        if (n->live && ngp_bit_test(e->affinity, n->id) != ref_affinity(p, n))
            fail_msg("pod %zu gate %d node %s: affinity %d, reference %d", k->pod, k->gate, n->name,
                     ngp_bit_test(e->affinity, n->id), !ngp_bit_test(e->affinity, n->id));
    }
    check_dead_clear(e, e->affinity, "affinity");
    check_dead_clear(e, e->blocked, "blocked");
    check_dead_clear(e, e->noexecute_blocked, "noexecute_blocked");
    for (uint32_t i = 0; i < p->nrequired; i++) {
        assert_int_equal(p->required[i].valid, ref_term_valid(&p->required[i]));   /* stored when checked */
        check_term(e, c, &p->required[i], k, "required term");
    }
    for (uint32_t i = 0; i < p->npreferred; i++)
        check_term(e, c, &p->preferred[i].preference, k, "preferred term");
}

/* Counts of what the random pods exercised, so a generator change cannot hollow the test out. */
typedef struct {
    size_t pods, blocked, unblocked, affine, not_affine, valid_terms, invalid_terms, empty_terms;
} tally;

static void count_pod(tally *t, const ngp_eval *e, const ngp_pod *p)
{
    size_t nw = e->nwords, live = ngp_bitset_count(e->store->live, nw);
    t->pods++;
    t->blocked += ngp_bitset_count(e->blocked, nw);
    t->unblocked += live - ngp_bitset_count(e->blocked, nw);
    t->affine += ngp_bitset_count(e->affinity, nw);
    t->not_affine += live - ngp_bitset_count(e->affinity, nw);
    for (uint32_t i = 0; i < p->nrequired; i++) {
        const ngp_term *r = &p->required[i];
        t->empty_terms += ref_term_empty(r);
        t->valid_terms += !ref_term_empty(r) && ref_term_valid(r);
        t->invalid_terms += !ref_term_empty(r) && !ref_term_valid(r);
    }
}

static void differential(size_t nn, size_t npods, uint64_t seed)
{
    cluster c;
    rng = seed;
    cluster_build(&c, nn);
    podbuf *b = malloc(sizeof *b);
    assert_non_null(b);
    tally t = {0};
    ngp_arena arena = {0};
    for (size_t i = 0; i < npods; i++) {
        gen_pod(b, &c);
        ngp_pod_check(&b->pod, &arena);   /* as the decoder does once a pod is decoded */
        for (int gate = 0; gate < 2; gate++) {
            ctx k = {i, gate};
            ngp_eval e;
            ngp_eval_init(&e, &c.x, &b->pod, gate);
            check_taints(&e, &c, &k);
            check_affinity(&e, &c, &k);
            count_pod(&t, &e, &b->pod);
            ngp_eval_free(&e);
        }
    }
    if (nn >= 100) {   /* every outcome occurred */
        assert_true(t.blocked > 0 && t.unblocked > 0 && t.affine > 0 && t.not_affine > 0);
        assert_true(t.valid_terms > 0 && t.invalid_terms > 0 && t.empty_terms > 0);
    }
    ngp_arena_free(&arena);
    free(b);
    cluster_free(&c);
}

static void test_random_300(void **state) { (void)state; differential(300, 400, 0x5eed0001); }
static void test_random_300_b(void **state) { (void)state; differential(300, 400, 0x5eed0002); }
static void test_random_130(void **state) { (void)state; differential(130, 200, 0x5eed0003); }
static void test_random_64(void **state) { (void)state; differential(64, 200, 0x5eed0004); }
static void test_random_1(void **state) { (void)state; differential(1, 200, 0x5eed0005); }

/* Gt/Lt over a key with many distinct values: from a key's third such requirement in a call,
 * the sorted index of numindex.c answers, and must agree with Requirement.Matches node by node.
 * The first 64 nodes share ten values, so their postings turn into bitsets while the capacity is
 * one word and stay so, holding fewer ids than the later capacity's nwords (the block rule's
 * second case); the rest spread over ~200 values of a few nodes each, so thresholds land inside
 * blocks. Values come in Go ParseInt's spellings (07, +7, -3) and some do not parse. */
static const char *num_label(char *buf, size_t len, size_t i)
{
    long v = i < 64 ? (long)below(10) : (long)below(220) - 20;
    switch (below(10)) {
    case 0: return "x";
    case 1: return chance(50) ? "99999999999999999999" : "-9223372036854775808";
    case 2: snprintf(buf, len, "0%ld", v < 0 ? -v : v); return buf;
    case 3: snprintf(buf, len, "+%ld", v < 0 ? -v : v); return buf;
    default: snprintf(buf, len, "%ld", v); return buf;
    }
}

static void numeric_many_values(size_t nn, size_t npods, uint64_t seed)
{
    cluster c;
    rng = seed;
    ngp_store_init(&c.x);
    c.nn = nn;
    c.n = calloc(nn, sizeof *c.n);
    char (*vals)[24] = calloc(nn, sizeof *vals);
    assert_non_null(c.n);
    assert_non_null(vals);
    for (size_t i = 0; i < nn; i++) {
        enode *n = &c.n[i];
        snprintf(n->name, sizeof n->name, "node-%zu", i);
        if (chance(85))
            label(n, "n", num_label(vals[i], sizeof vals[i], i));
        if (i % 97 == 0)
            label(n, "few", "5");   /* a key on so few nodes that the walk answers */
        upsert(&c, n);
    }
    for (size_t i = 0; i < nn; i += 7) {   /* holes */
        assert_true(ngp_store_remove(&c.x, c.n[i].name));
        c.n[i].live = false;
    }
    podbuf *b = malloc(sizeof *b);
    assert_non_null(b);
    ngp_arena arena = {0};
    size_t matched = 0, missed = 0;
    for (size_t p = 0; p < npods; p++) {
        memset(b, 0, sizeof *b);
        b->pod = (ngp_pod){.name = "pod", .has_required = true, .required = b->req, .nrequired = LEN(b->req)};
        for (uint32_t t = 0; t < LEN(b->req); t++) {
            uint32_t ne = 1 + (uint32_t)below(2);
            b->req[t] = (ngp_term){.exprs = new_req(b), .nexprs = ne};
            if (ne == 2)
                new_req(b);
            for (uint32_t i = 0; i < ne; i++) {
                const char **v = values_of(b, 1);
                static char thresholds[LEN(b->reqs)][24];
                size_t at = (size_t)(&b->req[t].exprs[i] - b->reqs);
                snprintf(thresholds[at], sizeof thresholds[at], chance(20) ? "0%d" : "%d", (int)below(200));
                v[0] = thresholds[at];
                b->req[t].exprs[i] = req(chance(10) ? "few" : "n", chance(50) ? "Gt" : "Lt", v, 1);
            }
        }
        ngp_pod_check(&b->pod, &arena);
        ngp_eval e;
        ngp_eval_init(&e, &c.x, &b->pod, false);
        ctx k = {p, false};
        check_affinity(&e, &c, &k);
        assert_int_equal(e.numeric.count, 1);   /* "n" got its index; "few" never asked for one */
        size_t hit = ngp_bitset_count(e.affinity, e.nwords);
        matched += hit;
        missed += c.x.count - hit;
        ngp_eval_free(&e);
    }
    assert_true(matched > 0 && missed > 0);
    ngp_arena_free(&arena);
    free(b);
    free(vals);
    cluster_free(&c);
}

static void test_numeric_many_values(void **state) { (void)state; numeric_many_values(700, 60, 0x5eed0006); }
static void test_numeric_many_values_small(void **state) { (void)state; numeric_many_values(90, 60, 0x5eed0007); }

/* ---- hand-written cases, expectations from SPEC ---- */

static uint32_t node(ngp_store *x, const char *name, ngp_kv *kv, uint32_t nkv, ngp_taint *t, uint32_t nt)
{
    ngp_node_in in = {.name = name, .labels = kv, .nlabels = nkv, .taints = t, .ntaints = nt};
    return ngp_store_upsert(x, &in);
}

/* The names of the nodes in set b, comma-separated in id order. */
static const char *names(const ngp_store *x, const uint64_t *b)
{
    static char out[256];
    size_t len = 0;
    out[0] = '\0';
    NGP_BITSET_FOREACH(id, b, x->nwords)
        len += (size_t)snprintf(out + len, sizeof out - len, "%s%s", len ? "," : "", x->nodes[id].name);
    return out;
}

typedef struct {
    ngp_eval e;
    ngp_pod pod;
} run;

/* Checks the pod as the decoder does once it is decoded, then evaluates it.
 * These pods have no preferred terms, so the check keeps no text. */
static void eval_pod(run *r, const ngp_store *x, bool gate)
{
    ngp_arena arena = {0};
    ngp_pod_check(&r->pod, &arena);
    ngp_arena_free(&arena);
    ngp_eval_init(&r->e, x, &r->pod, gate);
}

static void eval_tols(run *r, const ngp_store *x, ngp_toleration *t, uint32_t n, bool gate)
{
    r->pod = (ngp_pod){.tols = t, .ntols = n};
    eval_pod(r, x, gate);
}

/* Required affinity of one term; the eval stays in r until ngp_eval_free. */
static void eval_term(run *r, const ngp_store *x, ngp_term *t, uint32_t n)
{
    r->pod = (ngp_pod){.has_required = true, .required = t, .nrequired = n};
    eval_pod(r, x, false);
}

static void test_master_taint(void **state)
{
    (void)state;
    ngp_store x;
    ngp_store_init(&x);
    ngp_taint mt[] = {{MASTER, "", NGP_EFFECT_NO_SCHEDULE}};
    uint32_t m = node(&x, "master", NULL, 0, mt, 1);
    uint32_t w = node(&x, "w1", NULL, 0, NULL, 0);
    node(&x, "w2", NULL, 0, NULL, 0);
    run r;

    eval_tols(&r, &x, NULL, 0, false);             /* no tolerations: the master is out */
    assert_string_equal(names(&x, r.e.blocked), "master");
    assert_string_equal(names(&x, r.e.noexecute_blocked), "");
    assert_string_equal(names(&x, r.e.affinity), "master,w1,w2");
    assert_int_equal(ngp_eval_verdict(&r.e, m)->first_untolerated, 0);
    assert_false(ngp_eval_verdict(&r.e, m)->noexecute_untolerated);
    assert_null(ngp_eval_verdict(&r.e, w));
    ngp_eval_free(&r.e);

    ngp_toleration ok[] = {tol(MASTER, "Exists", "", "NoSchedule"), tol(MASTER, "", "", ""),
                           tol(MASTER, "Equal", "", "NoSchedule")};
    for (uint32_t i = 0; i < LEN(ok); i++) {
        eval_tols(&r, &x, &ok[i], 1, false);
        assert_string_equal(names(&x, r.e.blocked), "");
        assert_int_equal(ngp_eval_verdict(&r.e, m)->first_untolerated, -1);
        ngp_eval_free(&r.e);
    }
    ngp_toleration bad[] = {tol(MASTER, "Equal", "true", "NoSchedule"), tol(MASTER, "Exists", "", "NoExecute"),
                            tol(MASTER, "Exists", "", "PreferNoSchedule"), tol("master", "Exists", "", "")};
    for (uint32_t i = 0; i < LEN(bad); i++) {
        eval_tols(&r, &x, &bad[i], 1, true);
        assert_string_equal(names(&x, r.e.blocked), "master");
        ngp_eval_free(&r.e);
    }
    ngp_store_destroy(&x);
}

/* Exists with an empty key tolerates every taint; with an effect, only that effect (SPEC 2.1). */
static void test_empty_key_exists(void **state)
{
    (void)state;
    ngp_store x;
    ngp_store_init(&x);
    ngp_taint tt[] = {{"a", "1", NGP_EFFECT_PREFER_NO_SCHEDULE}, {"b", "2", NGP_EFFECT_NO_SCHEDULE},
                      {"c", "3", NGP_EFFECT_NO_EXECUTE}};
    uint32_t t = node(&x, "t", NULL, 0, tt, LEN(tt));
    node(&x, "plain", NULL, 0, NULL, 0);
    static const struct {
        const char *effect;
        int32_t first;
        bool noexec;
        uint32_t prefer;
    } rows[] = {
        {"", -1, false, 0},
        {"NoSchedule", 2, true, 1},
        {"PreferNoSchedule", 1, true, 0},
        {"NoExecute", 1, false, 1},
    };
    run r;
    for (size_t i = 0; i < LEN(rows); i++) {
        ngp_toleration all = tol("", "Exists", "", rows[i].effect);
        eval_tols(&r, &x, &all, 1, false);
        const ngp_taint_verdict *v = ngp_eval_verdict(&r.e, t);
        assert_int_equal(v->first_untolerated, rows[i].first);
        assert_int_equal(v->noexecute_untolerated, rows[i].noexec);
        assert_int_equal(v->prefer_untolerated, rows[i].prefer);
        assert_string_equal(names(&x, r.e.blocked), rows[i].first >= 0 ? "t" : "");
        assert_string_equal(names(&x, r.e.noexecute_blocked), rows[i].noexec ? "t" : "");
        ngp_eval_free(&r.e);
    }
    ngp_toleration empty_equal = tol("", "Equal", "", "");   /* tolerates only empty-valued taints */
    eval_tols(&r, &x, &empty_equal, 1, false);
    assert_int_equal(ngp_eval_verdict(&r.e, t)->first_untolerated, 1);
    assert_int_equal(ngp_eval_verdict(&r.e, t)->prefer_untolerated, 1);
    ngp_eval_free(&r.e);
    ngp_store_destroy(&x);
}

/* SPEC 3.2: NoSchedule/NoExecute tolerations do not count for the PreferNoSchedule score. */
static void test_score_tolerations(void **state)
{
    (void)state;
    ngp_store x;
    ngp_store_init(&x);
    ngp_taint tt[] = {{"a", "1", NGP_EFFECT_PREFER_NO_SCHEDULE}, {"a", "2", NGP_EFFECT_PREFER_NO_SCHEDULE}};
    uint32_t id = node(&x, "n", NULL, 0, tt, LEN(tt));
    static const struct {
        const char *op, *value, *effect;
        uint32_t prefer;
    } rows[] = {
        {"Exists", "", "NoSchedule", 2}, {"Exists", "", "NoExecute", 2}, {"Exists", "", "", 0},
        {"Exists", "", "PreferNoSchedule", 0}, {"Equal", "1", "PreferNoSchedule", 1}, {"", "2", "", 1},
    };
    run r;
    for (size_t i = 0; i < LEN(rows); i++) {
        ngp_toleration t = tol("a", rows[i].op, rows[i].value, rows[i].effect);
        eval_tols(&r, &x, &t, 1, false);
        assert_int_equal(ngp_eval_verdict(&r.e, id)->prefer_untolerated, rows[i].prefer);
        assert_int_equal(ngp_eval_verdict(&r.e, id)->first_untolerated, -1);
        assert_string_equal(names(&x, r.e.blocked), "");
        ngp_eval_free(&r.e);
    }
    ngp_store_destroy(&x);
}

/* SPEC 2.2: Lt/Gt tolerations only with the gate, canonical integers only, equal never matches. */
static void test_numeric_tolerations(void **state)
{
    (void)state;
    ngp_store x;
    ngp_store_init(&x);
    ngp_taint t950[] = {{"sla", "950", NGP_EFFECT_NO_SCHEDULE}}, t0100[] = {{"sla", "0100", NGP_EFFECT_NO_SCHEDULE}};
    node(&x, "s950", NULL, 0, t950, 1);
    node(&x, "s0100", NULL, 0, t0100, 1);
    static const struct {
        const char *op, *value;
        const char *off, *on;   /* blocked nodes with the gate off / on */
    } rows[] = {
        {"Gt", "750", "s950,s0100", "s0100"},
        {"Lt", "1000", "s950,s0100", "s0100"},
        {"Lt", "950", "s950,s0100", "s950,s0100"},
        {"Gt", "0100", "s950,s0100", "s950,s0100"},
        {"Gt", "-5", "s950,s0100", "s0100"},
    };
    run r;
    for (size_t i = 0; i < LEN(rows); i++)
        for (int gate = 0; gate < 2; gate++) {
            ngp_toleration t = tol("sla", rows[i].op, rows[i].value, "NoSchedule");
            eval_tols(&r, &x, &t, 1, gate);
            assert_string_equal(names(&x, r.e.blocked), gate ? rows[i].on : rows[i].off);
            ngp_eval_free(&r.e);
        }
    ngp_store_destroy(&x);
}

/* SPEC 4: the synthetic node.kubernetes.io/unschedulable:NoSchedule taint has an empty value. */
static void test_unschedulable_toleration(void **state)
{
    (void)state;
    ngp_store x;
    ngp_store_init(&x);
    static const struct {
        const char *key, *op, *value, *effect;
        bool want;
    } rows[] = {
        {UNSCHED, "", "", "NoSchedule", true},  {UNSCHED, "Exists", "", "", true},
        {"", "Exists", "", "", true},           {UNSCHED, "Equal", "true", "NoSchedule", false},
        {UNSCHED, "Exists", "", "NoExecute", false},
    };
    run r;
    eval_tols(&r, &x, NULL, 0, false);
    assert_false(ngp_eval_tolerates_unschedulable(&r.e));
    ngp_eval_free(&r.e);
    for (size_t i = 0; i < LEN(rows); i++) {
        ngp_toleration t = tol(rows[i].key, rows[i].op, rows[i].value, rows[i].effect);
        eval_tols(&r, &x, &t, 1, false);
        assert_int_equal(ngp_eval_tolerates_unschedulable(&r.e), rows[i].want);
        ngp_eval_free(&r.e);
    }
    ngp_store_destroy(&x);
}

/* A DaemonSet pod pinned by matchFields metadata.name; fields never read labels and vice versa. */
static void test_daemonset_pin(void **state)
{
    (void)state;
    ngp_store x;
    ngp_store_init(&x);
    ngp_kv fake[] = {{"metadata.name", "n1"}};
    node(&x, "n1", NULL, 0, NULL, 0);
    node(&x, "n2", NULL, 0, NULL, 0);
    node(&x, "n3", fake, 1, NULL, 0);
    const char *n1[] = {"n1"}, *n2[] = {"n2"}, *gone[] = {"gone"}, *bar[] = {"bar"}, *none[] = {""};
    static const struct {
        const char *key, *op;
        int v;
        const char *want;
    } rows[] = {
        {"metadata.name", "In", 1, "n2"},          {"metadata.name", "In", 2, ""},
        {"metadata.name", "NotIn", 1, "n1,n3"},    {"metadata.name", "In", 0, "n1"},
        {"metadata.foo", "In", 3, ""},             {"metadata.foo", "NotIn", 3, "n1,n2,n3"},
        {"metadata.foo", "In", 4, "n1,n2,n3"},     {"metadata.name", "Exists", 1, ""},
    };
    const char **vals[] = {n1, n2, gone, bar, none};
    run r;
    for (size_t i = 0; i < LEN(rows); i++) {
        ngp_requirement f = req(rows[i].key, rows[i].op, vals[rows[i].v], 1);
        ngp_term t = {NULL, 0, &f, 1, false};
        eval_term(&r, &x, &t, 1);
        assert_string_equal(names(&x, r.e.affinity), rows[i].want);
        ngp_eval_free(&r.e);
    }
    ngp_requirement e = req("metadata.name", "In", n1, 1);    /* a label, not the field */
    ngp_term t = {&e, 1, NULL, 0, false};
    eval_term(&r, &x, &t, 1);
    assert_string_equal(names(&x, r.e.affinity), "n3");
    ngp_eval_free(&r.e);
    ngp_store_destroy(&x);
}

/* SPEC 5.1/5.2: nil vs empty required, lazy parse errors, nodeSelector AND, numeric Gt/Lt on labels. */
static void test_required_edges(void **state)
{
    (void)state;
    ngp_store x;
    ngp_store_init(&x);
    ngp_kv l1[] = {{"zone", "a"}, {"tier", "0206"}, {"gpu", ""}}, l2[] = {{"zone", "b"}, {"tier", "7"}};
    ngp_kv l3[] = {{"zone", "a"}, {"tier", "-3"}, {"gpu", "1"}}, l4[] = {{"tier", "x"}};
    ngp_kv l5[] = {{"tier", "+5"}, {"zone", "b"}, {"zone", "a"}};   /* repeated key: a wins */
    node(&x, "n1", l1, LEN(l1), NULL, 0);
    node(&x, "n2", l2, LEN(l2), NULL, 0);
    node(&x, "n3", l3, LEN(l3), NULL, 0);
    node(&x, "n4", l4, LEN(l4), NULL, 0);
    node(&x, "n5", l5, LEN(l5), NULL, 0);
    const char *a[] = {"a"}, *b[] = {"b"}, *v0204[] = {"0204"}, *v7[] = {"7"}, *m1[] = {"-1"};
    const char *abc[] = {"abc"}, *p1[] = {"+1"}, *v007[] = {"007"};
    run r;

    r.pod = (ngp_pod){0};                               /* no constraint at all */
    eval_pod(&r, &x, false);
    assert_string_equal(names(&x, r.e.affinity), "n1,n2,n3,n4,n5");
    ngp_eval_free(&r.e);
    eval_term(&r, &x, NULL, 0);                        /* required with no terms */
    assert_string_equal(names(&x, r.e.affinity), "");
    ngp_eval_free(&r.e);
    ngp_term empty = {0};
    eval_term(&r, &x, &empty, 1);                      /* only an empty term */
    assert_string_equal(names(&x, r.e.affinity), "");
    ngp_eval_free(&r.e);

    static const struct {
        const char *key, *op;
        int v;
        const char *want;
    } rows[] = {
        {"zone", "In", 0, "n1,n3,n5"},  {"zone", "NotIn", 0, "n2,n4"},  {"tier", "Gt", 2, "n1"},
        {"tier", "Lt", 3, "n3,n5"},     {"tier", "Gt", 4, ""},          {"tier", "Gt", 5, ""},
        {"tier", "Lt", 6, ""},          {"tier", "Gt", 7, "n1"},          {"zone", "In", 1, "n2"},
    };
    const char **vals[] = {a, b, v0204, v7, m1, abc, p1, v007};
    for (size_t i = 0; i < LEN(rows); i++) {
        ngp_requirement q = req(rows[i].key, rows[i].op, vals[rows[i].v], 1);
        ngp_term t = {&q, 1, NULL, 0, false};
        eval_term(&r, &x, &t, 1);
        assert_string_equal(names(&x, r.e.affinity), rows[i].want);
        ngp_eval_free(&r.e);
    }

    ngp_requirement bad = req("tier", "Gt", m1, 1), good = req("zone", "In", b, 1);
    ngp_term two[] = {{&bad, 1, NULL, 0, false}, {&good, 1, NULL, 0, false}};    /* the invalid term is skipped */
    eval_term(&r, &x, two, 2);
    assert_string_equal(names(&x, r.e.affinity), "n2");
    ngp_eval_free(&r.e);

    ngp_kv sel[] = {{"gpu", ""}};                       /* "" requires the label with the empty value */
    r.pod = (ngp_pod){.selector = sel, .nselector = 1};
    eval_pod(&r, &x, false);
    assert_string_equal(names(&x, r.e.affinity), "n1");
    ngp_eval_free(&r.e);
    ngp_kv sel_a[] = {{"zone", "a"}};                   /* nodeSelector AND required */
    r.pod = (ngp_pod){.selector = sel_a, .nselector = 1, .has_required = true, .required = &two[1],
                      .nrequired = 1};
    eval_pod(&r, &x, false);
    assert_string_equal(names(&x, r.e.affinity), "");
    ngp_eval_free(&r.e);
    ngp_store_destroy(&x);
}

/* An index without nodes: every set is empty and nothing reads past it. */
static void test_empty_index(void **state)
{
    (void)state;
    ngp_store x;
    ngp_store_init(&x);
    ngp_toleration t = tol("", "Exists", "", "");
    ngp_term empty = {0};
    run r;
    r.pod = (ngp_pod){.tols = &t, .ntols = 1, .has_required = true, .required = &empty, .nrequired = 1};
    eval_pod(&r, &x, true);
    assert_int_equal(r.e.nwords, 0);
    assert_true(ngp_eval_tolerates_unschedulable(&r.e));
    ngp_eval_free(&r.e);
    ngp_store_destroy(&x);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_master_taint),
        cmocka_unit_test(test_empty_key_exists),
        cmocka_unit_test(test_score_tolerations),
        cmocka_unit_test(test_numeric_tolerations),
        cmocka_unit_test(test_unschedulable_toleration),
        cmocka_unit_test(test_daemonset_pin),
        cmocka_unit_test(test_required_edges),
        cmocka_unit_test(test_empty_index),
        cmocka_unit_test(test_random_300),
        cmocka_unit_test(test_random_300_b),
        cmocka_unit_test(test_random_130),
        cmocka_unit_test(test_random_64),
        cmocka_unit_test(test_random_1),
        cmocka_unit_test(test_numeric_many_values),
        cmocka_unit_test(test_numeric_many_values_small),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
