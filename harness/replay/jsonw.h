/* jsonw.h - compact JSON writer that places commas itself.
 * Every value takes a key: pass a key inside objects, NULL inside arrays.
 * Writes Go's compact form; strings are escaped as encoding/json does (harness/lib's escaper
 * with HTML escapes). */
#ifndef RP_JSONW_H
#define RP_JSONW_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

#define RP_JW_DEPTH 32
typedef struct {
    host_buf *out;
    int depth;
    bool need_comma[RP_JW_DEPTH];
} rp_jw;

void rp_jw_init(rp_jw *w, host_buf *out);
void rp_jw_obj(rp_jw *w, const char *key);
void rp_jw_arr(rp_jw *w, const char *key);
void rp_jw_end(rp_jw *w, char close);  /* close is '}' or ']' */
void rp_jw_str(rp_jw *w, const char *key, const char *val);
void rp_jw_strf(rp_jw *w, const char *key, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void rp_jw_int(rp_jw *w, const char *key, long long v);
void rp_jw_bool(rp_jw *w, const char *key, bool v);
void rp_jw_null(rp_jw *w, const char *key);
void rp_jw_raw(rp_jw *w, const char *key, const char *json, size_t len);
/* rp_jw_raw of a string literal. */
#define RP_JW_LIT(w, key, lit) rp_jw_raw((w), (key), "" lit, sizeof(lit) - 1)
void rp_jw_rawf(rp_jw *w, const char *key, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Writes a JSON object of string pairs, sorted by key as Go encodes maps.
 * kv holds key, value, key, value...; n is the number of pairs. */
void rp_jw_map(rp_jw *w, const char *key, const char *const *kv, size_t n);

#endif
