/* test_posting.c - posting.c vs a bool[] oracle across the sparse/dense switch, to 10,100 ids. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "bitset.h"
#include "posting.h"
#include "prng.h"

#define OPS 8000

static void assert_valid(const ngp_posting *p, size_t nwords)
{
    const char *why = NULL;
    if (!ngp_posting_validate(p, nwords, &why))
        fail_msg("posting invalid: %s", why ? why : "(no reason)");
}

static void assert_invalid(const ngp_posting *p, size_t nwords, const char *expect)
{
    const char *why = NULL;
    assert_false(ngp_posting_validate(p, nwords, &why));
    assert_string_equal(why, expect);
    assert_false(ngp_posting_validate(p, nwords, NULL));
}

/* The posting under test, its oracle, and the representation the rule predicts. */
typedef struct {
    ngp_posting p;
    bool *o;
    size_t nbits, nwords, count;
    bool dense;
} model;

static void model_add(model *m, uint32_t id)
{
    if (!m->o[id]) {
        m->o[id] = true;
        m->count++;
        if (!m->dense && m->count > 2 * m->nwords)
            m->dense = true;
    }
    ngp_posting_add(&m->p, id, m->nwords);
}

static void model_remove(model *m, uint32_t id)
{
    if (m->o[id]) {
        m->o[id] = false;
        m->count--;
        if (m->dense && 2 * m->count < m->nwords)
            m->dense = false;
    }
    ngp_posting_remove(&m->p, id, m->nwords);
}

/* Some present id, or a random one when the set is empty. */
static uint32_t present_id(const model *m)
{
    size_t start = below(m->nbits);
    for (size_t k = 0; k < m->nbits; k++) {
        size_t i = (start + k) % m->nbits;
        if (m->o[i])
            return (uint32_t)i;
    }
    return (uint32_t)start;
}

static void oracle_words(const model *m, uint64_t *w)
{
    ngp_bitset_zero(w, m->nwords);
    for (size_t i = 0; i < m->nbits; i++)
        if (m->o[i])
            ngp_bit_set(w, i);
}

static void random_words(uint64_t *w, size_t nwords)
{
    for (size_t i = 0; i < nwords; i++)
        w[i] = rnd() & rnd();
}

/* or_into, and_into and andnot_into on a random destination, word by word. */
static void check_into(const model *m, uint64_t *want, uint64_t *dst, uint64_t *orig)
{
    oracle_words(m, want);
    random_words(orig, m->nwords);
    ngp_bitset_copy(dst, orig, m->nwords);
    ngp_posting_or_into(dst, &m->p, m->nwords);
    for (size_t w = 0; w < m->nwords; w++)
        assert_true(dst[w] == (orig[w] | want[w]));
    ngp_bitset_copy(dst, orig, m->nwords);
    ngp_posting_and_into(dst, &m->p, m->nwords);
    for (size_t w = 0; w < m->nwords; w++)
        assert_true(dst[w] == (orig[w] & want[w]));
    ngp_bitset_copy(dst, orig, m->nwords);
    ngp_posting_andnot_into(dst, &m->p, m->nwords);
    for (size_t w = 0; w < m->nwords; w++)
        assert_true(dst[w] == (orig[w] & ~want[w]));
}

static void check_model(const model *m, bool every_id)
{
    assert_valid(&m->p, m->nwords);
    assert_int_equal(m->p.count, m->count);
    assert_int_equal(m->p.bits != NULL, m->dense);
    if (every_id)
        for (size_t i = 0; i < m->nwords * 64; i++)
            assert_int_equal(ngp_posting_has(&m->p, (uint32_t)i), i < m->nbits && m->o[i]);
}

/* Capacity change: the posting and the model follow the index to nbits. */
static void model_grow(model *m, size_t nbits)
{
    size_t nwords = ngp_words_for(nbits);
    ngp_posting_grow(&m->p, m->nwords, nwords);
    m->o = realloc(m->o, nbits);
    assert_non_null(m->o);
    memset(m->o + m->nbits, 0, nbits - m->nbits);
    m->nbits = nbits;
    m->nwords = nwords;
}

/* Alternates add-heavy phases (to just past the dense threshold, or to 3/4
 * full capped at 16 ids a word) with remove-heavy ones (to below the sparse
 * threshold); the capacity grows halfway. */
static void test_random_ops(void **state)
{
    size_t nbits = *(const size_t *)*state;
    rng = 0x2545f4914f6cdd1du ^ nbits;
    model m = { .nbits = nbits, .nwords = ngp_words_for(nbits), .o = calloc(nbits + 1, 1) };
    assert_non_null(m.o);
    size_t grown = 2 * nbits + 100, wmax = ngp_words_for(grown);
    uint64_t *want = ngp_bitset_new(wmax), *dst = ngp_bitset_new(wmax), *orig = ngp_bitset_new(wmax);
    bool up = true;
    size_t target = 0, flips = 0;
    for (int op = 0; op < OPS; op++) {
        /* Grow while dense where the size allows a dense set at all. */
        if (m.nbits < grown && op >= OPS / 2 && (m.dense || nbits <= 2 * m.nwords))
            model_grow(&m, grown);
        if (up && m.count >= target) {
            up = false;
            target = below((m.nwords + 1) / 2);
        } else if (!up && m.count <= target) {
            up = true;
            target = rnd() & 1 ? 2 * m.nwords + 1 + below(8) : m.nbits * 3 / 4;
            target = target < 16 * m.nwords ? target : 16 * m.nwords;
            target = target < m.nbits ? target : m.nbits;
        }
        if (m.nbits == 0) {   /* nothing to add until the capacity grows */
            check_model(&m, true);
            check_into(&m, want, dst, orig);
            continue;
        }
        bool adding = (rnd() % 10 < 9) == up;
        uint32_t id = adding ? (uint32_t)below(m.nbits) : present_id(&m);
        bool was_dense = m.dense;
        if (adding)
            model_add(&m, id);
        else
            model_remove(&m, id);
        flips += was_dense != m.dense;
        check_model(&m, op % 64 == 0);
        assert_int_equal(ngp_posting_has(&m.p, id), m.o[id]);
        check_into(&m, want, dst, orig);
    }
    assert_int_equal(m.nbits, grown);   /* the run grew, and crossed the switch */
    assert_true(flips >= 4);            /* both ways, repeatedly */
    check_model(&m, true);
    ngp_posting_free(&m.p);
    assert_null(m.p.ids);
    assert_null(m.p.bits);
    assert_int_equal(m.p.count, 0);
    free(m.o);
    ngp_bitset_free(want);
    ngp_bitset_free(dst);
    ngp_bitset_free(orig);
}

/* Dense past 2 * nwords; sparse again once 2 * count < nwords. */
static void test_thresholds(void **state)
{
    (void)state;
    ngp_posting p = { 0 };
    for (uint32_t id = 0; id < 4; id++)
        ngp_posting_add(&p, id * 30, 2);
    ngp_posting_add(&p, 90, 2);   /* already present: no switch */
    assert_null(p.bits);
    assert_int_equal(p.count, 4);
    ngp_posting_add(&p, 127, 2);
    assert_non_null(p.bits);
    assert_null(p.ids);
    assert_int_equal(p.count, 5);
    assert_valid(&p, 2);
    for (uint32_t id = 0; id < 4; id++)
        ngp_posting_remove(&p, id * 30, 2);
    assert_non_null(p.bits);   /* count 1: 2 * 1 is not below 2 */
    assert_valid(&p, 2);
    ngp_posting_remove(&p, 127, 2);
    assert_null(p.bits);
    assert_int_equal(p.count, 0);
    assert_valid(&p, 2);
    ngp_posting_free(&p);

    for (uint32_t id = 0; id < 3; id++)   /* one word: dense at 3, sparse when empty */
        ngp_posting_add(&p, id, 1);
    assert_non_null(p.bits);
    ngp_posting_remove(&p, 1, 1);
    ngp_posting_remove(&p, 0, 1);
    assert_non_null(p.bits);
    ngp_posting_remove(&p, 2, 1);
    assert_null(p.bits);
    assert_valid(&p, 1);
    ngp_posting_free(&p);
}

/* Growing keeps a dense set dense, even below the threshold, until a removal. */
static void test_grow_then_remove(void **state)
{
    (void)state;
    ngp_posting p = { 0 };
    for (uint32_t id = 0; id < 3; id++)
        ngp_posting_add(&p, id, 1);
    ngp_posting_grow(&p, 1, 10);
    assert_non_null(p.bits);
    assert_valid(&p, 10);
    assert_false(ngp_posting_has(&p, 600));
    ngp_posting_add(&p, 639, 10);
    assert_true(ngp_posting_has(&p, 639));
    assert_valid(&p, 10);
    ngp_posting_remove(&p, 0, 10);
    assert_null(p.bits);
    assert_valid(&p, 10);
    assert_int_equal(p.count, 3);
    assert_int_equal(p.ids[0], 1);
    assert_int_equal(p.ids[1], 2);
    assert_int_equal(p.ids[2], 639);
    ngp_posting_grow(&p, 10, 20);   /* sparse: nothing to do */
    assert_valid(&p, 20);
    ngp_posting_free(&p);
}

static void test_into_sparse_edges(void **state)
{
    (void)state;
    ngp_posting p = { 0 };
    const uint32_t ids[] = { 200, 0, 64, 63 };
    for (size_t i = 0; i < 4; i++)
        ngp_posting_add(&p, ids[i], 4);
    assert_null(p.bits);
    uint64_t *dst = ngp_bitset_new(4);
    char out[64];
    ngp_bitset_fill(dst, 256, 4);
    ngp_posting_and_into(dst, &p, 4);
    ngp_bitset_format(dst, 4, out, sizeof out);
    assert_string_equal(out, "0,63-64,200");
    ngp_bitset_fill(dst, 256, 4);
    ngp_posting_andnot_into(dst, &p, 4);
    ngp_bitset_format(dst, 4, out, sizeof out);
    assert_string_equal(out, "1-62,65-199,201-255");
    ngp_bitset_zero(dst, 4);
    ngp_bit_set(dst, 5);
    ngp_posting_or_into(dst, &p, 4);
    ngp_bitset_format(dst, 4, out, sizeof out);
    assert_string_equal(out, "0,5,63-64,200");
    ngp_bitset_free(dst);
    ngp_posting_free(&p);

    uint64_t w = ~(uint64_t)0;   /* the empty posting clears everything */
    ngp_posting_and_into(&w, &p, 1);
    assert_true(w == 0);
}

static void test_noops(void **state)
{
    (void)state;
    ngp_posting p = { 0 };
    assert_valid(&p, 0);
    ngp_posting_remove(&p, 7, 1);
    assert_int_equal(p.count, 0);
    assert_false(ngp_posting_has(&p, 7));
    ngp_posting_add(&p, 7, 1);
    ngp_posting_add(&p, 7, 1);
    assert_int_equal(p.count, 1);
    ngp_posting_remove(&p, 8, 1);
    assert_int_equal(p.count, 1);
    assert_true(ngp_posting_has(&p, 7));
    assert_valid(&p, 1);
    ngp_posting_free(&p);
    assert_int_equal(p.count, 0);
    assert_null(p.ids);
    ngp_posting_free(&p);
}

static void test_validate_rejects(void **state)
{
    (void)state;
    uint32_t ids[3];
    uint64_t bits[1] = { 0x6 };
    ngp_posting p = { .count = 2, .cap = 3, .ids = ids };

    ids[0] = 3, ids[1] = 1;
    assert_invalid(&p, 1, "a sparse posting's ids are not ascending");
    ids[0] = 1, ids[1] = 1;
    assert_invalid(&p, 1, "a sparse posting holds a duplicate id");
    ids[0] = 1, ids[1] = 64;
    assert_invalid(&p, 1, "a sparse posting holds an id beyond the capacity");
    assert_valid(&p, 2);
    p.count = 3, ids[2] = 65;
    assert_invalid(&p, 1, "a sparse posting is over the dense threshold");
    p.cap = 2;
    assert_invalid(&p, 2, "a sparse posting's count exceeds its id list");

    p = (ngp_posting){ .count = 2, .bits = bits };
    assert_valid(&p, 1);
    p.count = 3;
    assert_invalid(&p, 1, "a dense posting's count differs from its popcount");
    p = (ngp_posting){ .count = 2, .bits = bits, .ids = ids, .cap = 3 };
    assert_invalid(&p, 1, "a dense posting also has an id list");
    bits[0] = 0;
    p = (ngp_posting){ .count = 0, .bits = bits };
    assert_invalid(&p, 1, "a dense posting is empty");
}

static const size_t sizes[] = { 0, 1, 63, 64, 65, 127, 128, 129, 5000 };

#define RANDOM_TEST(k, name) { name, test_random_ops, NULL, NULL, (void *)&sizes[k] }

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_thresholds),
        cmocka_unit_test(test_grow_then_remove),
        cmocka_unit_test(test_into_sparse_edges),
        cmocka_unit_test(test_noops),
        cmocka_unit_test(test_validate_rejects),
        RANDOM_TEST(0, "random ops, 0 ids, grown to 100"),
        RANDOM_TEST(1, "random ops, 1 id, grown to 102"),
        RANDOM_TEST(2, "random ops, 63 ids, grown to 226"),
        RANDOM_TEST(3, "random ops, 64 ids, grown to 228"),
        RANDOM_TEST(4, "random ops, 65 ids, grown to 230"),
        RANDOM_TEST(5, "random ops, 127 ids, grown to 354"),
        RANDOM_TEST(6, "random ops, 128 ids, grown to 356"),
        RANDOM_TEST(7, "random ops, 129 ids, grown to 358"),
        RANDOM_TEST(8, "random ops, 5000 ids, grown to 10100"),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
