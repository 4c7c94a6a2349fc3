/* strmap.c - string-keyed open-addressing map for label keys, label values and taint lists.
 *
 * Linear probing over a power-of-two table. A put that would take a fresh
 * slot past 75% of the table (live entries plus tombstones) rehashes first,
 * sized from the live count alone, so the rehash drops the tombstones and a
 * table full of deletions does not grow. */
#include "strmap.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

const char ngp_strmap_tombstone[] = "";

static uint64_t word(const char *p)
{
    uint64_t w;
    memcpy(&w, p, 8);
    return w;
}

static uint64_t mix(uint64_t h, uint64_t w, uint64_t k)
{
    h = (h ^ w) * k;
    return h ^ (h >> 31);
}

/* Multiply-xorshift over two independent chains of 8-byte words (one chain's
 * latency was a tenth of a names-mode call), a short key or the tail read as
 * whole overlapping words rather than byte by byte, then a final avalanche so
 * that the low bits the table masks with depend on every input byte. */
uint32_t ngp_strhash(const char *s, size_t len)
{
    const uint64_t k1 = 0xbf58476d1ce4e5b9u, k2 = 0x94d049bb133111ebu;
    uint64_t a = 0x9e3779b97f4a7c15u ^ len, b = 0x2545f4914f6cdd1du;
    if (len < 8) {
        uint32_t lo, hi;
        uint64_t w = 0;
        if (len >= 4) {
            memcpy(&lo, s, 4);
            memcpy(&hi, s + len - 4, 4);
            w = (uint64_t)hi << 32 | lo;
        } else if (len) {
            w = (uint64_t)(unsigned char)s[0] << 16 | (uint64_t)(unsigned char)s[len / 2] << 8 |
                (unsigned char)s[len - 1];
        }
        a = mix(a, w, k1);
    } else {
        size_t i = 0;
        for (; len - i >= 16; i += 16) {
            a = mix(a, word(s + i), k1);
            b = mix(b, word(s + i + 8), k2);
        }
        if (len - i > 8)
            a = mix(a, word(s + i), k1);
        if (len > i)
            b = mix(b, word(s + len - 8), k2);
    }
    uint64_t h = a ^ (b << 32 | b >> 32);   /* MurmurHash3's fmix64: a product only carries upwards, */
    h ^= h >> 33;                            /* and the tail word's last bytes sit at its top */
    h *= 0xff51afd7ed558ccdu;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53u;
    h ^= h >> 33;
    return (uint32_t)h;
}

/* Slot holding key, or SIZE_MAX; *hole gets the first tombstone on the probe
 * path, else the empty slot that ended it. The table is never full. */
static size_t probe(const ngp_strmap *m, const char *key, size_t len, uint32_t h, size_t *hole)
{
    size_t mask = m->cap - 1, first_tomb = SIZE_MAX;
    for (size_t i = h & mask;; i = (i + 1) & mask) {
        const ngp_strmap_slot *s = &m->slots[i];
        if (s->key == NULL) {
            *hole = first_tomb != SIZE_MAX ? first_tomb : i;
            return SIZE_MAX;
        }
        if (s->key == NGP_STRMAP_TOMBSTONE) {
            if (first_tomb == SIZE_MAX)
                first_tomb = i;
        } else if (s->hash == h && s->len == len && memcmp(s->key, key, len) == 0) {
            return i;
        }
    }
}

static void rehash(ngp_strmap *m)
{
    size_t cap = 8;
    while (cap < 2 * (m->count + 1))   /* at most half full afterwards */
        cap *= 2;
    ngp_strmap_slot *slots = ngp_xcalloc(cap, sizeof *slots);
    for (size_t i = 0; i < m->cap; i++) {
        if (!NGP_STRMAP_LIVE(m, i))
            continue;
        size_t j = m->slots[i].hash & (cap - 1);
        while (slots[j].key)
            j = (j + 1) & (cap - 1);
        slots[j] = m->slots[i];
    }
    free(m->slots);
    m->slots = slots;
    m->cap = cap;
    m->used = m->count;
}

void *ngp_strmap_get(const ngp_strmap *m, const char *key, size_t len)
{
    if (m->count == 0)
        return NULL;
    size_t hole, i = probe(m, key, len, ngp_strhash(key, len), &hole);
    return i == SIZE_MAX ? NULL : m->slots[i].value;
}

/* A replaced entry takes the new key pointer too: the old key usually lives
 * in the old value, which the caller may free once replaced. */
void ngp_strmap_put(ngp_strmap *m, const char *key, void *value)
{
    size_t len = strlen(key), hole = 0, i = SIZE_MAX;
    uint32_t h = ngp_strhash(key, len);
    if (m->cap)
        i = probe(m, key, len, h, &hole);
    if (i != SIZE_MAX) {
        m->slots[i].key = key;   /* same length and bytes as the old key */
        m->slots[i].value = value;
        return;
    }
    if (m->cap == 0 || m->slots[hole].key == NULL) {
        if (4 * (m->used + 1) > 3 * m->cap) {
            rehash(m);
            probe(m, key, len, h, &hole);
        }
        m->used++;
    }
    m->slots[hole] = (ngp_strmap_slot){ .key = key, .value = value, .hash = h, .len = (uint32_t)len };
    m->count++;
}

void *ngp_strmap_del(ngp_strmap *m, const char *key)
{
    if (m->count == 0)
        return NULL;
    size_t len = strlen(key), hole;
    size_t i = probe(m, key, len, ngp_strhash(key, len), &hole);
    if (i == SIZE_MAX)
        return NULL;
    void *value = m->slots[i].value;
    m->slots[i] = (ngp_strmap_slot){ .key = NGP_STRMAP_TOMBSTONE };
    m->count--;
    return value;
}

void ngp_strmap_free(ngp_strmap *m)
{
    free(m->slots);
    memset(m, 0, sizeof *m);
}
