/* arena.h - bump allocator for one call's decoded strings and arrays, freed at once. */
#ifndef NG_ARENA_H
#define NG_ARENA_H

#include <stddef.h>
#include <stdint.h>

typedef struct ng_arena_block ng_arena_block;
typedef struct ng_arena {
    ng_arena_block *head;   /* newest block first */
} ng_arena;

/* Returns n bytes aligned to 16, uninitialised (aborts on OOM). */
void *ng_arena_alloc(ng_arena *a, size_t n);
/* Returns a NUL-terminated copy of s[0..n). */
char *ng_arena_strndup(ng_arena *a, const char *s, size_t n);
/* Makes room for one more element in an arena-backed array: when *count ==
 * *cap, doubles the capacity into a new block and copies (the old block
 * stays until ng_arena_free). Returns the (possibly moved) array. */
void *ng_arena_grow(ng_arena *a, void *array, size_t elem_size, uint32_t count, uint32_t *cap);
/* Frees every block. The arena may be reused afterwards. */
void ng_arena_free(ng_arena *a);

#endif
