/* test_strmap.c - strmap.c: contract, slices, tombstones, 100k keys, a random run vs an oracle. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strmap.h"
#include "prng.h"

#define MANY 100000

/* Power-of-two capacity, count and used match the slots, load at most 75%. */
static void check_shape(const ngp_strmap *m)
{
    size_t live = 0, tombs = 0;
    for (size_t i = 0; i < m->cap; i++) {
        live += NGP_STRMAP_LIVE(m, i);
        tombs += m->slots[i].key == NGP_STRMAP_TOMBSTONE;
    }
    assert_int_equal(m->cap & (m->cap - 1), 0);
    assert_int_equal(live, m->count);
    assert_int_equal(live + tombs, m->used);
    assert_true(4 * m->used <= 3 * m->cap);
}

static char *key_for(size_t i)
{
    char buf[80];
    /* Every seventh key is long, so hashing covers whole 8-byte blocks and tails. */
    snprintf(buf, sizeof buf, i % 7 ? "node-%zu" : "ip-10-0-%zu.eu-west-1.compute.internal", i);
    char *k = strdup(buf);
    assert_non_null(k);
    return k;
}

static void test_basic(void **state)
{
    (void)state;
    ngp_strmap m = { 0 };
    int v1, v2, v3;
    ngp_strmap_put(&m, "a", &v1);
    ngp_strmap_put(&m, "b", &v2);
    assert_ptr_equal(ngp_strmap_get(&m, "a", 1), &v1);
    assert_ptr_equal(ngp_strmap_get(&m, "b", 1), &v2);
    assert_null(ngp_strmap_get(&m, "c", 1));
    ngp_strmap_put(&m, "a", &v3);
    assert_int_equal(m.count, 2);
    assert_ptr_equal(ngp_strmap_get(&m, "a", 1), &v3);
    assert_ptr_equal(ngp_strmap_del(&m, "a"), &v3);
    assert_null(ngp_strmap_get(&m, "a", 1));
    assert_null(ngp_strmap_del(&m, "a"));
    assert_null(ngp_strmap_del(&m, "zzz"));
    assert_int_equal(m.count, 1);
    check_shape(&m);
    ngp_strmap_free(&m);
    assert_null(m.slots);
    assert_int_equal(m.cap, 0);
    assert_int_equal(m.count, 0);
}

static void test_empty_map(void **state)
{
    (void)state;
    ngp_strmap m = { 0 };
    assert_null(ngp_strmap_get(&m, "x", 1));
    assert_null(ngp_strmap_get(&m, "", 0));
    assert_null(ngp_strmap_del(&m, "x"));
    ngp_strmap_free(&m);
    ngp_strmap_put(&m, "", &m);   /* the empty string is an ordinary key */
    assert_ptr_equal(ngp_strmap_get(&m, "", 0), &m);
    assert_null(ngp_strmap_get(&m, "x", 1));
    ngp_strmap_free(&m);
}

/* Keys are exact-size heap copies, so ASan catches a compare that reads past one. */
static void test_slice_get(void **state)
{
    (void)state;
    ngp_strmap m = { 0 };
    char *k1 = strdup("node-1"), *k12 = strdup("node-12");
    int v1, v12;
    ngp_strmap_put(&m, k1, &v1);
    ngp_strmap_put(&m, k12, &v12);
    const char buf[] = "node-12xyz";
    assert_ptr_equal(ngp_strmap_get(&m, buf, 6), &v1);
    assert_ptr_equal(ngp_strmap_get(&m, buf, 7), &v12);
    assert_null(ngp_strmap_get(&m, buf, 5));
    assert_null(ngp_strmap_get(&m, buf, 8));
    assert_null(ngp_strmap_get(&m, "node-1\0zz", 9));
    assert_null(ngp_strmap_get(&m, "node-12\0", 8));
    assert_true(ngp_strhash(buf, 7) == ngp_strhash(k12, 7));
    ngp_strmap_free(&m);
    free(k1);
    free(k12);
}

/* A map holding one forged slot: key with the hash of another string, so a
 * lookup reaches the key comparison whatever the hash function is. */
static void *get_forged(const char *stored, const char *slice, size_t len)
{
    static int v;
    ngp_strmap m = { .cap = 8, .count = 1, .used = 1 };
    m.slots = calloc(8, sizeof *m.slots);
    assert_non_null(m.slots);
    uint32_t h = ngp_strhash(slice, len);
    m.slots[h & 7] = (ngp_strmap_slot){ .key = stored, .value = &v, .hash = h, .len = (uint32_t)strlen(stored) };
    void *got = ngp_strmap_get(&m, slice, len);
    ngp_strmap_free(&m);
    return got;
}

/* Equal hashes and equal leading bytes are not enough: the lengths must match.
 * Stored keys are exact-size heap copies so ASan catches reading past one. */
static void test_compare_checks_length(void **state)
{
    (void)state;
    char *k1 = strdup("node-1"), *k12 = strdup("node-12"), *ab = strdup("ab");
    assert_non_null(get_forged(k12, "node-12", 7));
    assert_null(get_forged(k12, "node-12", 6));     /* slice is a prefix of the key */
    assert_null(get_forged(k1, "node-12", 7));      /* key is a prefix of the slice */
    assert_null(get_forged(ab, "ab\0cd", 5));       /* NUL inside the slice */
    assert_null(get_forged(k12, "node-13", 7));
    free(k1);
    free(k12);
    free(ab);
}

/* A replacement stores the new key pointer: freeing the old key is then safe. */
static void test_replace_takes_new_key(void **state)
{
    (void)state;
    ngp_strmap m = { 0 };
    char *old = strdup("worker-7"), *new = strdup("worker-7");
    int v1, v2;
    ngp_strmap_put(&m, old, &v1);
    ngp_strmap_put(&m, new, &v2);
    free(old);
    size_t live = 0;
    for (size_t i = 0; i < m.cap; i++) {
        if (NGP_STRMAP_LIVE(&m, i)) {
            assert_ptr_equal(m.slots[i].key, new);
            live++;
        }
    }
    assert_int_equal(live, 1);
    assert_ptr_equal(ngp_strmap_get(&m, "worker-7", 8), &v2);
    ngp_strmap_free(&m);
    free(new);
}

static void test_tombstone_reuse(void **state)
{
    (void)state;
    ngp_strmap m = { 0 };
    static const char *keys[] = { "k0", "k1", "k2", "k3", "k4" };
    for (size_t i = 0; i < 5; i++)
        ngp_strmap_put(&m, keys[i], (void *)keys[i]);
    size_t cap = m.cap;
    assert_int_equal(m.used, 5);
    assert_ptr_equal(ngp_strmap_del(&m, "k2"), keys[2]);
    assert_int_equal(m.count, 4);
    assert_int_equal(m.used, 5);
    check_shape(&m);
    ngp_strmap_put(&m, "k2", (void *)keys[2]);
    assert_int_equal(m.count, 5);
    assert_int_equal(m.used, 5);   /* took the tombstone, not a fresh slot */
    assert_int_equal(m.cap, cap);
    check_shape(&m);
    for (size_t i = 0; i < 5; i++)
        assert_ptr_equal(ngp_strmap_get(&m, keys[i], 2), keys[i]);
    ngp_strmap_free(&m);
}

/* Churn through distinct keys with one live at a time: rehashes must drop
 * the tombstones instead of growing the table. */
static void test_churn_stays_small(void **state)
{
    (void)state;
    ngp_strmap m = { 0 };
    ngp_strmap_put(&m, "pinned", &m);
    for (size_t i = 0; i < 10000; i++) {
        char *k = key_for(i);
        ngp_strmap_put(&m, k, k);
        assert_ptr_equal(ngp_strmap_del(&m, k), k);
        free(k);
        assert_true(m.cap <= 16);
        assert_true(4 * m.used <= 3 * m.cap);
    }
    assert_int_equal(m.count, 1);
    assert_ptr_equal(ngp_strmap_get(&m, "pinned", 6), &m);
    check_shape(&m);
    ngp_strmap_free(&m);
}

static void check_all(const ngp_strmap *m, char **keys, const bool *live)
{
    size_t n = 0;
    for (size_t i = 0; i < MANY; i++) {
        void *got = ngp_strmap_get(m, keys[i], strlen(keys[i]));
        assert_ptr_equal(got, live[i] ? keys[i] : NULL);
        n += live[i];
    }
    assert_int_equal(m->count, n);
    check_shape(m);
    size_t iterated = 0;
    for (size_t i = 0; i < m->cap; i++) {
        if (NGP_STRMAP_LIVE(m, i)) {
            assert_string_equal(m->slots[i].key, m->slots[i].value);
            iterated++;
        }
    }
    assert_int_equal(iterated, n);
}

static void test_many_keys(void **state)
{
    (void)state;
    ngp_strmap m = { 0 };
    char **keys = malloc(MANY * sizeof *keys);
    bool *live = calloc(MANY, 1);
    assert_non_null(keys);
    assert_non_null(live);
    for (size_t i = 0; i < MANY; i++) {
        keys[i] = key_for(i);
        ngp_strmap_put(&m, keys[i], keys[i]);
        live[i] = true;
    }
    check_all(&m, keys, live);
    for (size_t i = 0; i < MANY; i += 3) {
        assert_ptr_equal(ngp_strmap_del(&m, keys[i]), keys[i]);
        live[i] = false;
    }
    check_all(&m, keys, live);
    for (size_t i = 0; i < MANY; i += 6) {
        ngp_strmap_put(&m, keys[i], keys[i]);
        live[i] = true;
    }
    check_all(&m, keys, live);
    for (size_t i = 0; i < MANY; i++) {
        assert_ptr_equal(ngp_strmap_del(&m, keys[i]), live[i] ? keys[i] : NULL);
        live[i] = false;
    }
    check_all(&m, keys, live);
    ngp_strmap_free(&m);
    for (size_t i = 0; i < MANY; i++)
        free(keys[i]);
    free(keys);
    free(live);
}

/* 200k random puts, replaces, deletes and lookups over 3,000 keys. */
static void test_random_vs_oracle(void **state)
{
    (void)state;
    enum { NKEYS = 3000, NOPS = 200000 };
    rng = 0x853c49e6748fea9bu;
    ngp_strmap m = { 0 };
    char *keys[NKEYS];
    int vals[2];
    void *oracle[NKEYS] = { 0 };
    size_t live = 0;
    for (size_t i = 0; i < NKEYS; i++)
        keys[i] = key_for(i);
    for (size_t op = 0; op < NOPS; op++) {
        size_t i = rnd() % NKEYS;
        switch (rnd() % 3) {
        case 0:
            live += oracle[i] == NULL;
            oracle[i] = &vals[rnd() & 1];
            ngp_strmap_put(&m, keys[i], oracle[i]);
            break;
        case 1:
            assert_ptr_equal(ngp_strmap_del(&m, keys[i]), oracle[i]);
            live -= oracle[i] != NULL;
            oracle[i] = NULL;
            break;
        default:
            assert_ptr_equal(ngp_strmap_get(&m, keys[i], strlen(keys[i])), oracle[i]);
            break;
        }
        assert_int_equal(m.count, live);
        if (op % 4096 == 0)
            check_shape(&m);
    }
    for (size_t i = 0; i < NKEYS; i++) {
        assert_ptr_equal(ngp_strmap_get(&m, keys[i], strlen(keys[i])), oracle[i]);
        free(keys[i]);
    }
    ngp_strmap_free(&m);
}

/* Same bytes, same hash, wherever they sit; low 16 bits spread like random ones. */
static void test_hash(void **state)
{
    (void)state;
    char buf[64] = "xxabcdefghijklmnopq";
    assert_true(ngp_strhash(buf + 2, 17) == ngp_strhash("abcdefghijklmnopq", 17));
    assert_true(ngp_strhash(buf + 2, 3) == ngp_strhash("abc", 3));
    assert_true(ngp_strhash("a", 1) != ngp_strhash("b", 1));
    assert_true(ngp_strhash("", 0) != ngp_strhash("\0", 1));
    assert_true(ngp_strhash("node-12345678", 13) != ngp_strhash("node-12345679", 13));

    static uint8_t seen[65536];
    size_t distinct = 0;
    for (size_t i = 0; i < 65536; i++) {
        char k[32];
        int n = snprintf(k, sizeof k, "node-%zu", i);
        uint16_t h = (uint16_t)ngp_strhash(k, (size_t)n);
        distinct += !seen[h];
        seen[h] = 1;
    }
    assert_true(distinct > 65536 * 6 / 10);   /* random: 63.2% */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_basic),
        cmocka_unit_test(test_empty_map),
        cmocka_unit_test(test_slice_get),
        cmocka_unit_test(test_compare_checks_length),
        cmocka_unit_test(test_replace_takes_new_key),
        cmocka_unit_test(test_tombstone_reuse),
        cmocka_unit_test(test_churn_stays_small),
        cmocka_unit_test(test_many_keys),
        cmocka_unit_test(test_random_vs_oracle),
        cmocka_unit_test(test_hash),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
