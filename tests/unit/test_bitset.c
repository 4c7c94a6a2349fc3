/* test_bitset.c - bitset.c against a bool[] oracle under seeded random ops, 0 to 5,000 bits. */
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
#include "prng.h"

#define OPS 3000
#define FMT_MAX 32768   /* "0,2,4,...,4998" needs under 15,000 */

/* The oracle's own range text, built bit by bit. */
static void oracle_format(const bool *o, size_t nbits, char *out)
{
    size_t pos = 0;
    out[0] = '\0';
    for (size_t i = 0; i < nbits; i++) {
        if (!o[i] || (i > 0 && o[i - 1]))
            continue;
        size_t j = i;
        while (j + 1 < nbits && o[j + 1])
            j++;
        pos += (size_t)sprintf(out + pos, "%s%zu", pos ? "," : "", i);
        if (j > i)
            pos += (size_t)sprintf(out + pos, "-%zu", j);
    }
}

static size_t oracle_next(const bool *o, size_t nbits, size_t nwords, size_t from)
{
    for (size_t i = from; i < nbits; i++)
        if (o[i])
            return i;
    return nwords * 64;
}

static size_t oracle_count(const bool *o, size_t nbits)
{
    size_t n = 0;
    for (size_t i = 0; i < nbits; i++)
        n += o[i];
    return n;
}

/* Every word, including the tail past nbits, must match the oracle. */
static void check_set(const uint64_t *b, const bool *o, size_t nbits, size_t nwords)
{
    static char got[FMT_MAX], want[FMT_MAX];
    oracle_format(o, nbits, want);
    size_t len = ngp_bitset_format(b, nwords, got, sizeof got);
    assert_string_equal(got, want);
    assert_int_equal(len, strlen(want));
    for (size_t w = 0; w < nwords; w++) {
        uint64_t x = 0;
        for (size_t i = w * 64; i < w * 64 + 64 && i < nbits; i++)
            x |= o[i] ? ngp_mask_of(i) : 0;
        assert_int_equal(b[w], x);
    }
    size_t n = oracle_count(o, nbits);
    assert_int_equal(ngp_bitset_count(b, nwords), n);
    assert_int_equal(ngp_bitset_is_empty(b, nwords), n == 0);
}

static void check_queries(const uint64_t *a, const bool *oa, const uint64_t *b, const bool *ob,
                          size_t nbits, size_t nwords)
{
    size_t both = 0;
    for (size_t i = 0; i < nbits; i++)
        both += oa[i] && ob[i];
    assert_int_equal(ngp_bitset_and_count(a, b, nwords), both);
    assert_int_equal(ngp_bitset_intersects(a, b, nwords), both > 0);

    size_t from = below(nwords * 64 + 3);
    assert_int_equal(ngp_bitset_next(a, nwords, from), oracle_next(oa, nbits, nwords, from));
    assert_int_equal(ngp_bitset_next(a, nwords, 0), oracle_next(oa, nbits, nwords, 0));

    size_t expect = oracle_next(oa, nbits, nwords, 0), seen = 0;
    NGP_BITSET_FOREACH(id, a, nwords) {
        assert_int_equal(id, expect);
        expect = oracle_next(oa, nbits, nwords, id + 1);
        seen++;
    }
    assert_int_equal(expect, nwords * 64);
    assert_int_equal(seen, oracle_count(oa, nbits));
}

static void fill_both(uint64_t *b, bool *o, size_t k, size_t nbits, size_t nwords)
{
    ngp_bitset_fill(b, k, nwords);
    for (size_t i = 0; i < nbits; i++)
        o[i] = i < k;
}

/* One random mutation of a or b, mirrored on the oracles. */
static void random_op(uint64_t *a, bool *oa, uint64_t *b, bool *ob, size_t nbits, size_t nwords)
{
    bool on_a = rnd() & 1;
    uint64_t *x = on_a ? a : b;
    bool *ox = on_a ? oa : ob;
    size_t i = below(nbits);
    switch (rnd() % 14) {
    case 0: case 1: case 2: case 3:
        if (nbits) {
            ngp_bit_set(x, i);
            ox[i] = true;
        }
        break;
    case 4: case 5: case 6:
        if (nbits) {
            ngp_bit_clear(x, i);
            ox[i] = false;
        }
        break;
    case 7:
        fill_both(x, ox, below(nbits + 1), nbits, nwords);
        break;
    case 8:
        ngp_bitset_zero(x, nwords);
        memset(ox, 0, nbits);
        break;
    case 9:
        ngp_bitset_or_inplace(a, b, nwords);
        for (i = 0; i < nbits; i++)
            oa[i] = oa[i] || ob[i];
        break;
    case 10:
        ngp_bitset_and_inplace(a, b, nwords);
        for (i = 0; i < nbits; i++)
            oa[i] = oa[i] && ob[i];
        break;
    case 11:
        ngp_bitset_andnot_inplace(a, b, nwords);
        for (i = 0; i < nbits; i++)
            oa[i] = oa[i] && !ob[i];
        break;
    case 12:
        ngp_bitset_andnot_inplace(b, a, nwords);
        for (i = 0; i < nbits; i++)
            ob[i] = ob[i] && !oa[i];
        break;
    default:
        ngp_bitset_copy(x, on_a ? b : a, nwords);
        memcpy(ox, on_a ? ob : oa, nbits);
        break;
    }
}

static void test_random_ops(void **state)
{
    size_t nbits = *(const size_t *)*state, nwords = ngp_words_for(nbits);
    rng = 0x9e3779b97f4a7c15u ^ nbits;
    uint64_t *a = ngp_bitset_new(nwords), *b = ngp_bitset_new(nwords);
    bool *oa = calloc(nbits + 1, 1), *ob = calloc(nbits + 1, 1);
    assert_non_null(a);
    assert_non_null(oa);
    assert_non_null(ob);
    for (int op = 0; op < OPS; op++) {
        random_op(a, oa, b, ob, nbits, nwords);
        check_set(a, oa, nbits, nwords);
        check_set(b, ob, nbits, nwords);
        check_queries(a, oa, b, ob, nbits, nwords);
    }
    ngp_bitset_free(a);
    ngp_bitset_free(b);
    free(oa);
    free(ob);
}

static void test_word_helpers(void **state)
{
    (void)state;
    assert_int_equal(ngp_words_for(0), 0);
    assert_int_equal(ngp_words_for(1), 1);
    assert_int_equal(ngp_words_for(64), 1);
    assert_int_equal(ngp_words_for(65), 2);
    assert_int_equal(ngp_word_of(63), 0);
    assert_int_equal(ngp_word_of(64), 1);
    assert_true(ngp_mask_of(63) == (uint64_t)1 << 63);
    assert_true(ngp_mask_of(64) == 1);
}

/* Formats the ids given (terminated by SIZE_MAX) in an nwords set. */
static size_t format_ids(size_t nwords, const size_t *ids, char *out, size_t outlen)
{
    uint64_t *b = ngp_bitset_new(nwords);
    for (; *ids != SIZE_MAX; ids++)
        ngp_bit_set(b, *ids);
    size_t len = ngp_bitset_format(b, nwords, out, outlen);
    ngp_bitset_free(b);
    return len;
}

static void test_format_exact(void **state)
{
    (void)state;
    char out[64];
    size_t ids_62_64[66];
    for (size_t i = 0; i <= 62; i++)
        ids_62_64[i] = i;
    ids_62_64[63] = 64;
    ids_62_64[64] = SIZE_MAX;

    assert_int_equal(format_ids(2, ids_62_64, out, sizeof out), 7);
    assert_string_equal(out, "0-62,64");
    assert_int_equal(format_ids(2, (size_t[]){ SIZE_MAX }, out, sizeof out), 0);
    assert_string_equal(out, "");
    assert_int_equal(format_ids(0, (size_t[]){ SIZE_MAX }, out, sizeof out), 0);
    assert_string_equal(out, "");
    format_ids(1, (size_t[]){ 5, SIZE_MAX }, out, sizeof out);
    assert_string_equal(out, "5");
    format_ids(2, (size_t[]){ 63, 64, SIZE_MAX }, out, sizeof out);
    assert_string_equal(out, "63-64");
    format_ids(3, (size_t[]){ 0, 2, 3, 4, 127, 128, 191, SIZE_MAX }, out, sizeof out);
    assert_string_equal(out, "0,2-4,127-128,191");

    uint64_t *b = ngp_bitset_new(79);
    ngp_bitset_fill(b, 5000, 79);
    assert_int_equal(ngp_bitset_format(b, 79, out, sizeof out), 6);
    assert_string_equal(out, "0-4999");
    ngp_bitset_free(b);
}

static void test_format_truncates(void **state)
{
    (void)state;
    uint64_t *b = ngp_bitset_new(2);
    ngp_bitset_fill(b, 63, 2);
    ngp_bit_set(b, 64);
    char out[16];
    memset(out, 'x', sizeof out);
    assert_int_equal(ngp_bitset_format(b, 2, out, 8), 7);
    assert_string_equal(out, "0-62,64");
    assert_int_equal(ngp_bitset_format(b, 2, out, 7), 7);
    assert_string_equal(out, "0-62,6");
    assert_int_equal(ngp_bitset_format(b, 2, out, 4), 7);
    assert_string_equal(out, "0-6");
    assert_int_equal(ngp_bitset_format(b, 2, out, 1), 7);
    assert_string_equal(out, "");
    assert_int_equal(ngp_bitset_format(b, 2, NULL, 0), 7);
    ngp_bitset_free(b);
}

static void test_next_edges(void **state)
{
    (void)state;
    uint64_t *b = ngp_bitset_new(2);
    assert_int_equal(ngp_bitset_next(b, 0, 0), 0);
    assert_int_equal(ngp_bitset_next(b, 2, 0), 128);
    assert_int_equal(ngp_bitset_next(b, 2, 127), 128);
    assert_int_equal(ngp_bitset_next(b, 2, 128), 128);
    assert_int_equal(ngp_bitset_next(b, 2, 100000), 128);
    ngp_bit_set(b, 63);
    assert_int_equal(ngp_bitset_next(b, 2, 0), 63);
    assert_int_equal(ngp_bitset_next(b, 2, 63), 63);
    assert_int_equal(ngp_bitset_next(b, 2, 64), 128);
    ngp_bit_set(b, 64);
    assert_int_equal(ngp_bitset_next(b, 2, 64), 64);
    assert_int_equal(ngp_bitset_next(b, 2, 65), 128);
    ngp_bit_set(b, 127);
    assert_int_equal(ngp_bitset_next(b, 2, 65), 127);
    ngp_bitset_free(b);
}

/* fill must clear whatever was in the words past nbits. */
static void test_fill_clears_tail(void **state)
{
    (void)state;
    for (size_t nwords = 1; nwords <= 3; nwords++) {
        uint64_t *b = ngp_bitset_new(nwords);
        for (size_t nbits = 0; nbits <= nwords * 64; nbits++) {
            memset(b, 0xff, nwords * sizeof *b);
            ngp_bitset_fill(b, nbits, nwords);
            assert_int_equal(ngp_bitset_count(b, nwords), nbits);
            assert_int_equal(ngp_bitset_next(b, nwords, 0), nbits ? 0 : nwords * 64);
            if (nbits)
                assert_true(ngp_bit_test(b, nbits - 1));
            assert_int_equal(ngp_bitset_next(b, nwords, nbits), nwords * 64);
        }
        ngp_bitset_free(b);
    }
}

static const size_t sizes[] = { 0, 1, 63, 64, 65, 127, 128, 129, 5000 };
#define NSIZES (sizeof sizes / sizeof sizes[0])

/* Grown words read zero (realloc does not zero them); kept words keep their bits. */
static void test_resize(void **state)
{
    (void)state;
    rng = 12345;
    for (size_t i = 0; i < NSIZES; i++) {
        for (size_t j = 0; j < NSIZES; j++) {
            size_t from = ngp_words_for(sizes[i]), to = ngp_words_for(sizes[j]);
            uint64_t *b = ngp_bitset_new(from), *orig = ngp_bitset_new(from);
            for (size_t w = 0; w < from; w++)
                orig[w] = b[w] = rnd();
            b = ngp_bitset_resize(b, from, to);
            for (size_t w = 0; w < to; w++)
                assert_true(b[w] == (w < from ? orig[w] : 0));
            ngp_bitset_free(b);
            ngp_bitset_free(orig);
        }
    }
    uint64_t *b = ngp_bitset_resize(ngp_bitset_new(1), 1, 0);
    b = ngp_bitset_resize(b, 0, 3);
    assert_true(ngp_bitset_is_empty(b, 3));
    ngp_bitset_free(b);
}

/* The body may clear the bits it visits: iteration works on a copy of each word. */
static void test_foreach_clearing(void **state)
{
    (void)state;
    uint64_t *b = ngp_bitset_new(3);
    ngp_bitset_fill(b, 150, 3);
    size_t seen = 0;
    NGP_BITSET_FOREACH(id, b, 3) {
        assert_int_equal(id, seen);
        ngp_bit_clear(b, id);
        seen++;
    }
    assert_int_equal(seen, 150);
    assert_true(ngp_bitset_is_empty(b, 3));
    ngp_bitset_free(b);
}

#define RANDOM_TEST(k, name) { name, test_random_ops, NULL, NULL, (void *)&sizes[k] }

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_word_helpers),
        cmocka_unit_test(test_format_exact),
        cmocka_unit_test(test_format_truncates),
        cmocka_unit_test(test_next_edges),
        cmocka_unit_test(test_fill_clears_tail),
        cmocka_unit_test(test_resize),
        cmocka_unit_test(test_foreach_clearing),
        RANDOM_TEST(0, "random ops, 0 bits"),
        RANDOM_TEST(1, "random ops, 1 bit"),
        RANDOM_TEST(2, "random ops, 63 bits"),
        RANDOM_TEST(3, "random ops, 64 bits"),
        RANDOM_TEST(4, "random ops, 65 bits"),
        RANDOM_TEST(5, "random ops, 127 bits"),
        RANDOM_TEST(6, "random ops, 128 bits"),
        RANDOM_TEST(7, "random ops, 129 bits"),
        RANDOM_TEST(8, "random ops, 5000 bits"),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
