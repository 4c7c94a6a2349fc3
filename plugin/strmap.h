/* strmap.h - open-addressing hash map from NUL-terminated strings to pointers.
 *
 * Used for label keys (tens), label values per key
 * (one to ~100k) and taint lists (a handful). Keys are borrowed: the caller
 * keeps each key alive while it is in the map (usually the key is stored in
 * the value the map points to). Deletion leaves tombstones, which are dropped
 * by the next rehash. Not thread-safe; the index serializes writers. */
#ifndef NG_STRMAP_H
#define NG_STRMAP_H

#include <stddef.h>
#include <stdint.h>

typedef struct ng_strmap_slot {
    const char *key;   /* NULL = empty; NG_STRMAP_TOMBSTONE = deleted */
    void *value;
    uint32_t hash;
    uint32_t len;      /* strlen(key): compared before the bytes */
} ng_strmap_slot;

typedef struct ng_strmap {
    ng_strmap_slot *slots;
    size_t cap;        /* power of two, or 0 */
    size_t count;      /* live entries */
    size_t used;       /* live + tombstones */
} ng_strmap;

extern const char ng_strmap_tombstone[];
#define NG_STRMAP_TOMBSTONE ng_strmap_tombstone

uint32_t ng_strhash(const char *s, size_t len);
/* Returns the value for key (len bytes, need not be NUL-terminated), or NULL. */
void *ng_strmap_get(const ng_strmap *m, const char *key, size_t len);
/* Inserts, or replaces value and key pointer (the new key is kept, so the old
 * one may be freed); key must stay valid while present. */
void ng_strmap_put(ng_strmap *m, const char *key, void *value);
/* Removes key; returns the old value or NULL. */
void *ng_strmap_del(ng_strmap *m, const char *key);
void ng_strmap_free(ng_strmap *m);   /* frees the table, not keys or values */

/* Iterates live entries: for (size_t i = 0; i < m->cap; i++) if (NG_STRMAP_LIVE(m, i)) ... */
#define NG_STRMAP_LIVE(m, i) \
    ((m)->slots[i].key != NULL && (m)->slots[i].key != NG_STRMAP_TOMBSTONE)

#endif
