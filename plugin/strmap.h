/* strmap.h - open-addressing hash map from NUL-terminated strings to pointers.
 *
 * Used for label keys (tens), label values per key
 * (one to ~100k) and taint lists (a handful). Keys are borrowed: the caller
 * keeps each key alive while it is in the map (usually the key is stored in
 * the value the map points to). Deletion leaves tombstones, which are dropped
 * by the next rehash. Not thread-safe; the index serializes writers. */
#ifndef NGP_STRMAP_H
#define NGP_STRMAP_H

#include <stddef.h>
#include <stdint.h>

typedef struct ngp_strmap_slot {
    const char *key;   /* NULL = empty; NGP_STRMAP_TOMBSTONE = deleted */
    void *value;
    uint32_t hash;
    uint32_t len;      /* strlen(key): compared before the bytes */
} ngp_strmap_slot;

typedef struct ngp_strmap {
    ngp_strmap_slot *slots;
    size_t cap;        /* power of two, or 0 */
    size_t count;      /* live entries */
    size_t used;       /* live + tombstones */
} ngp_strmap;

extern const char ngp_strmap_tombstone[];
#define NGP_STRMAP_TOMBSTONE ngp_strmap_tombstone

uint32_t ngp_strhash(const char *s, size_t len);
/* Returns the value for key (len bytes, need not be NUL-terminated), or NULL. */
void *ngp_strmap_get(const ngp_strmap *m, const char *key, size_t len);
/* Inserts, or replaces value and key pointer (the new key is kept, so the old
 * one may be freed); key must stay valid while present. */
void ngp_strmap_put(ngp_strmap *m, const char *key, void *value);
/* Removes key; returns the old value or NULL. */
void *ngp_strmap_del(ngp_strmap *m, const char *key);
void ngp_strmap_free(ngp_strmap *m);   /* frees the table, not keys or values */

/* Iterates live entries: for (size_t i = 0; i < m->cap; i++) if (NGP_STRMAP_LIVE(m, i)) ... */
#define NGP_STRMAP_LIVE(m, i) \
    ((m)->slots[i].key != NULL && (m)->slots[i].key != NGP_STRMAP_TOMBSTONE)

#endif
