/* arena.h - bump allocator for one call's decoded strings and arrays, freed at once. */
#ifndef NGP_ARENA_H
#define NGP_ARENA_H

#include <stddef.h>
#include <stdint.h>

typedef struct ngp_arena_block ngp_arena_block;
typedef struct ngp_arena {
    ngp_arena_block *head;   /* newest block first */
} ngp_arena;

/* Returns n bytes aligned to 16, uninitialised (aborts on OOM). */
void *ngp_arena_alloc(ngp_arena *a, size_t n);
/* Returns a NUL-terminated copy of s[0..n). */
char *ngp_arena_strndup(ngp_arena *a, const char *s, size_t n);
/* The capacity of an arena-backed array of count elements: 0, then 4, 8,
 * 16... It follows from the count, so an array that is only appended to (or
 * emptied by setting its count to 0) carries no capacity field. */
uint32_t ngp_arena_capacity(uint32_t count);
/* Makes room for more elements past count in an arena-backed array, by the rule above (its
 * capacity follows from its count): when it grows, into a new block with the elements copied
 * (the old block stays until ngp_arena_free). Returns the (possibly moved) array. */
void *ngp_arena_reserve(ngp_arena *a, void *array, size_t elem_size, uint32_t count, uint32_t more);
/* Makes room for element count of an arena-backed array built only with
 * NGP_ARENA_PUSH: when the array is full (or empty), doubles it. Returns the
 * (possibly moved) array. Inline: a names-mode call pushes each of thousands
 * of names, and the array is almost never full. */
static inline void *ngp_arena_grow(ngp_arena *a, void *array, size_t elem_size, uint32_t count)
{
    if (count != 0 && (count < 4 || (count & (count - 1)) != 0))
        return array;   /* count < ngp_arena_capacity(count): room left */
    return ngp_arena_reserve(a, array, elem_size, count, 1);
}
/* Appends to the arena-backed array `array` of `count` elements; evaluates to
 * the new (uninitialised) last element. */
#define NGP_ARENA_PUSH(a, array, count) \
    ((array) = ngp_arena_grow((a), (array), sizeof *(array), (count)), &(array)[(count)++])
/* Frees every block. The arena may be reused afterwards. */
void ngp_arena_free(ngp_arena *a);

#endif
