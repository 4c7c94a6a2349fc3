/* arena.c - bump allocator: a call decodes a few KB (names mode) to ~1 MB (1,000 full nodes). */
#include "arena.h"

#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

struct ngp_arena_block {
    ngp_arena_block *next;
    size_t used, size;
    _Alignas(16) unsigned char data[];
};

enum { ARENA_BLOCK = 64 * 1024, ARENA_ALIGN = 16 };

void *ngp_arena_alloc(ngp_arena *a, size_t n)
{
    n = (n + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
    ngp_arena_block *b = a->head;
    if (b == NULL || b->size - b->used < n) {
        size_t size = n > ARENA_BLOCK / 4 ? n : ARENA_BLOCK;   /* big requests get their own block */
        b = ngp_xmalloc(sizeof *b + size);
        b->used = 0;
        b->size = size;
        if (n > ARENA_BLOCK / 4 && a->head != NULL) {
            /* keep the current block first so its free space is still used */
            b->next = a->head->next;
            a->head->next = b;
        } else {
            b->next = a->head;
            a->head = b;
        }
    }
    void *p = b->data + b->used;
    b->used += n;
    return p;
}

char *ngp_arena_strndup(ngp_arena *a, const char *s, size_t n)
{
    char *p = ngp_arena_alloc(a, n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

uint32_t ngp_arena_capacity(uint32_t count)
{
    uint32_t cap = count ? 4 : 0;
    while (cap < count)
        cap *= 2;
    return cap;
}

void *ngp_arena_reserve(ngp_arena *a, void *array, size_t elem_size, uint32_t count, uint32_t more)
{
    uint32_t cap = ngp_arena_capacity(count + more);
    if (cap == ngp_arena_capacity(count))
        return array;
    void *p = ngp_arena_alloc(a, elem_size * cap);
    if (count)
        memcpy(p, array, elem_size * count);
    return p;
}

void ngp_arena_free(ngp_arena *a)
{
    ngp_arena_block *b = a->head;
    while (b) {
        ngp_arena_block *next = b->next;
        free(b);
        b = next;
    }
    a->head = NULL;
}
