/* test_arena.c - arena.c from outside: 16-byte alignment, no overlap, big requests beside the current block, strndup, grow, free and reuse (leaks: run under make asan). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"

#define LEN(a) (sizeof(a) / sizeof((a)[0]))
#define BIG (16 * 1024 + 1)   /* the smallest request that gets a block of its own */

static uintptr_t addr(const void *p) { return (uintptr_t)p; }

static void assert_aligned(const void *p)
{
    assert_non_null(p);
    if (addr(p) % 16 != 0)
        fail_msg("%p is not aligned to 16", p);
}

/* Allocations of many sizes: each aligned, and none overlapping another (each keeps its fill). */
static void test_alignment_no_overlap(void **state)
{
    (void)state;
    enum { N = 3000 };
    static unsigned char *p[N];
    static size_t size[N];
    ngp_arena a = {0};
    for (size_t i = 0; i < N; i++) {
        size[i] = i % 97 == 0 ? 20000 + i : i % 41;   /* mostly small, some big, some 0 */
        p[i] = ngp_arena_alloc(&a, size[i]);
        assert_aligned(p[i]);
        memset(p[i], (int)(i % 251), size[i]);
    }
    for (size_t i = 0; i < N; i++)
        for (size_t j = 0; j < size[i]; j++)
            if (p[i][j] != (unsigned char)(i % 251))
                fail_msg("allocation %zu (%zu bytes) was overwritten at byte %zu", i, size[i], j);
    ngp_arena_free(&a);
    assert_null(a.head);
}

/* Small allocations are bumped from one block: each starts 16-rounded bytes after the last. */
static void test_small_contiguous(void **state)
{
    (void)state;
    static const size_t sizes[] = {1, 15, 16, 17, 31, 32, 33, 100, 4096};
    ngp_arena a = {0};
    char *prev = ngp_arena_alloc(&a, 1);
    size_t prev_size = 1;
    for (size_t i = 0; i < LEN(sizes); i++) {
        char *p = ngp_arena_alloc(&a, sizes[i]);
        assert_int_equal(addr(p) - addr(prev), (prev_size + 15) / 16 * 16);
        prev = p;
        prev_size = sizes[i];
    }
    ngp_arena_free(&a);
}

/* A big request (> 16 KiB) never costs the current block its free space: it is
 * bumped from the current block when it fits there, and otherwise gets a block
 * of its own while the small ones after it go on where they left off. A 1 MiB
 * request is far beyond any block's free space. */
static void test_big_beside_current(void **state)
{
    (void)state;
    static const struct { size_t size; bool own_block; } bigs[] = {
        {BIG, false}, {40000, false}, {64 * 1024, false}, {1 << 20, true}, {4 << 20, true}};
    for (size_t b = 0; b < LEN(bigs); b++) {
        size_t n = bigs[b].size;
        ngp_arena a = {0};
        char *first = ngp_arena_alloc(&a, 16);
        char *big = ngp_arena_alloc(&a, n);
        assert_aligned(big);
        memset(big, 'B', n);
        bool inline_big = addr(big) == addr(first) + 16;
        if (bigs[b].own_block)
            assert_false(inline_big);
        uintptr_t next = inline_big ? addr(big) + (n + 15) / 16 * 16 : addr(first) + 16;
        for (uintptr_t i = 0; i < 100; i++) {
            char *p = ngp_arena_alloc(&a, 16);
            assert_int_equal(addr(p), next + 16 * i);
            memset(p, 's', 16);
            assert_true(addr(p) + 16 <= addr(big) || addr(p) >= addr(big) + n);   /* not inside it */
        }
        for (size_t i = 0; i < n; i++)
            if (big[i] != 'B')
                fail_msg("big allocation of %zu bytes overwritten at %zu", n, i);
        ngp_arena_free(&a);
    }

    /* a big request into an empty arena, then another after a small one */
    enum { MIB = 1 << 20 };
    ngp_arena a = {0};
    char *big1 = ngp_arena_alloc(&a, MIB);
    char *s1 = ngp_arena_alloc(&a, 32);
    char *big2 = ngp_arena_alloc(&a, MIB + 100);
    char *s2 = ngp_arena_alloc(&a, 32);
    assert_aligned(big1);
    assert_aligned(big2);
    assert_int_equal(addr(s2), addr(s1) + 32);
    memset(big1, 1, MIB);
    memset(big2, 2, MIB + 100);
    memset(s1, 3, 32);
    memset(s2, 4, 32);
    assert_int_equal(big1[MIB - 1], 1);
    assert_int_equal(big2[0], 2);
    assert_int_equal(big2[MIB + 99], 2);
    ngp_arena_free(&a);
}

/* When the current block is full, small allocations move on to a new block and stay aligned. */
static void test_many_blocks(void **state)
{
    (void)state;
    ngp_arena a = {0};
    char *prev = ngp_arena_alloc(&a, 1000);
    size_t jumps = 0;
    for (int i = 0; i < 1000; i++) {   /* ~1 MB in 1000-byte pieces */
        char *p = ngp_arena_alloc(&a, 1000);
        assert_aligned(p);
        jumps += addr(p) != addr(prev) + 1008;
        prev = p;
    }
    assert_true(jumps >= 1);   /* 1 MB of small pieces cannot fit one block */
    ngp_arena_free(&a);
}

static void test_strndup(void **state)
{
    (void)state;
    ngp_arena a = {0};
    const char src[] = {'n', 'o', 'd', 'e', '-', '1'};   /* not NUL-terminated */
    char *s = ngp_arena_strndup(&a, src, sizeof src);
    assert_aligned(s);
    assert_string_equal(s, "node-1");
    assert_string_equal(ngp_arena_strndup(&a, "worker", 4), "work");
    char *e = ngp_arena_strndup(&a, "", 0);
    assert_string_equal(e, "");
    char *with_nul = ngp_arena_strndup(&a, "a\0b", 3);
    assert_memory_equal(with_nul, "a\0b", 4);
    char big[BIG + 7];
    memset(big, 'x', sizeof big);
    char *d = ngp_arena_strndup(&a, big, sizeof big);
    assert_int_equal(strlen(d), sizeof big);
    assert_string_equal(s, "node-1");   /* earlier copies are intact */
    ngp_arena_free(&a);
}

/* Capacity 4, then doubling; contents kept; the old array left readable; no move while there is room. */
static void test_grow(void **state)
{
    (void)state;
    ngp_arena a = {0};
    uint32_t *arr = NULL, count = 0, cap = 0;
    uint32_t *old = NULL, old_count = 0;
    for (uint32_t i = 0; i < 5000; i++) {
        uint32_t before = ngp_arena_capacity(count);
        assert_int_equal(before, cap);
        uint32_t *p = ngp_arena_grow(&a, arr, sizeof *arr, count);
        cap = ngp_arena_capacity(count + 1);
        if (count < before) {
            assert_ptr_equal(p, arr);   /* room left: same array */
            assert_int_equal(cap, before);
        } else {
            assert_int_equal(cap, before ? before * 2 : 4);
            assert_aligned(p);
            assert_true(p != arr);
            old = arr;
            old_count = count;
        }
        arr = p;
        for (uint32_t j = 0; j < count; j++)
            if (arr[j] != j * 7)
                fail_msg("element %u lost when growing to %u", j, cap);
        arr[count++] = i * 7;
    }
    assert_int_equal(cap, 8192);
    for (uint32_t j = 0; j < old_count; j++)   /* the previous array stays until ngp_arena_free */
        assert_int_equal(old[j], j * 7);

    /* big elements: the doubled arrays are big requests of their own */
    struct rec { char b[6000]; } *recs = NULL;
    uint32_t n = 0;
    for (uint32_t i = 0; i < 20; i++)
        memset(NGP_ARENA_PUSH(&a, recs, n)->b, (int)i + 1, sizeof recs->b);
    assert_int_equal(n, 20);
    assert_int_equal(ngp_arena_capacity(n), 32);
    for (uint32_t i = 0; i < n; i++)
        assert_int_equal(recs[i].b[5999], (char)(i + 1));
    ngp_arena_free(&a);
}

/* ngp_arena_free releases everything (ASan's leak check) and leaves the arena ready for reuse. */
static void test_free_reuse(void **state)
{
    (void)state;
    ngp_arena a = {0};
    ngp_arena_free(&a);   /* an empty arena */
    assert_null(a.head);
    for (int round = 0; round < 3; round++) {
        for (int i = 0; i < 200; i++) {
            char *p = ngp_arena_alloc(&a, (size_t)(i * 37 % 3000) + (i % 50 == 0 ? BIG : 0));
            assert_aligned(p);
        }
        assert_non_null(a.head);
        assert_string_equal(ngp_arena_strndup(&a, "again", 5), "again");
        ngp_arena_free(&a);
        assert_null(a.head);
    }
    ngp_arena_free(&a);   /* twice */
    assert_null(a.head);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_alignment_no_overlap),
        cmocka_unit_test(test_small_contiguous),
        cmocka_unit_test(test_big_beside_current),
        cmocka_unit_test(test_many_blocks),
        cmocka_unit_test(test_strndup),
        cmocka_unit_test(test_grow),
        cmocka_unit_test(test_free_reuse),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
