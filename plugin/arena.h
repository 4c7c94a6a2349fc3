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
/* Makes room for one more element in an arena-backed array: when *count ==
 * *cap, doubles the capacity into a new block and copies (the old block
 * stays until ngp_arena_free). Returns the (possibly moved) array. */
void *ngp_arena_grow(ngp_arena *a, void *array, size_t elem_size, uint32_t count, uint32_t *cap);
/* Frees every block. The arena may be reused afterwards. */
void ngp_arena_free(ngp_arena *a);

#endif
