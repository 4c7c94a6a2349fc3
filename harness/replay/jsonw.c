/* jsonw.c - byte buffer, compact JSON writer and splitmix64 PRNG for the corpus generator. */
#include "replay.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_escape.h"
#include "xalloc.h"

void rp_buf_reserve(rp_buf *b, size_t extra)
{
    if (b->len + extra + 1 <= b->cap)
        return;
    size_t cap = b->cap ? b->cap : 4096;
    while (cap < b->len + extra + 1)
        cap *= 2;
    b->p = host_xrealloc(b->p, cap);
    b->cap = cap;
}

void rp_buf_put(rp_buf *b, const void *s, size_t n)
{
    rp_buf_reserve(b, n);
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';   /* always a C string: handy for messages and tests */
}

void rp_buf_puts(rp_buf *b, const char *s)
{
    rp_buf_put(b, s, strlen(s));
}

static void buf_vprintf(rp_buf *b, const char *fmt, va_list ap)
{
    va_list again;
    va_copy(again, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    rp_buf_reserve(b, (size_t)n);
    vsnprintf(b->p + b->len, (size_t)n + 1, fmt, again);
    va_end(again);
    b->len += (size_t)n;
}

void rp_buf_printf(rp_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    buf_vprintf(b, fmt, ap);
    va_end(ap);
}

void rp_buf_free(rp_buf *b)
{
    free(b->p);
    *b = (rp_buf){0};
}

/* ---- JSON writer ---- */

void rp_jw_init(rp_jw *w, rp_buf *out)
{
    *w = (rp_jw){.out = out};
}

/* Go's encoder escapes HTML characters too: so does the writer. */
static void put_quoted(rp_buf *b, const char *s)
{
    size_t n = strlen(s);
    rp_buf_reserve(b, HOST_JSON_ESCAPED_MAX(n) + 2);
    char *o = b->p + b->len;
    *o++ = '"';
    o += host_json_escape(o, s, n, HOST_JSON_HTML);
    *o++ = '"';
    b->len = (size_t)(o - b->p);
    b->p[b->len] = '\0';
}

/* Writes the comma and the key that precede a value at the current depth. */
static void prefix(rp_jw *w, const char *key)
{
    if (w->need_comma[w->depth])
        rp_buf_put(w->out, ",", 1);
    w->need_comma[w->depth] = true;
    if (key) {
        put_quoted(w->out, key);
        rp_buf_put(w->out, ":", 1);
    }
}

static void open_container(rp_jw *w, const char *key, char ch)
{
    prefix(w, key);
    rp_buf_put(w->out, &ch, 1);
    if (w->depth + 1 >= RP_JW_DEPTH)
        abort();   /* the generator's documents are shallow: this is a bug */
    w->need_comma[++w->depth] = false;
}

void rp_jw_obj(rp_jw *w, const char *key) { open_container(w, key, '{'); }
void rp_jw_arr(rp_jw *w, const char *key) { open_container(w, key, '['); }

void rp_jw_end(rp_jw *w, char close)
{
    rp_buf_put(w->out, &close, 1);
    w->depth--;
}

void rp_jw_str(rp_jw *w, const char *key, const char *val)
{
    prefix(w, key);
    put_quoted(w->out, val);
}

void rp_jw_strf(rp_jw *w, const char *key, const char *fmt, ...)
{
    char tmp[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    rp_jw_str(w, key, tmp);
}

void rp_jw_int(rp_jw *w, const char *key, long long v)
{
    prefix(w, key);
    rp_buf_printf(w->out, "%lld", v);
}

void rp_jw_bool(rp_jw *w, const char *key, bool v)
{
    prefix(w, key);
    rp_buf_puts(w->out, v ? "true" : "false");
}

void rp_jw_null(rp_jw *w, const char *key)
{
    prefix(w, key);
    rp_buf_puts(w->out, "null");
}

void rp_jw_raw(rp_jw *w, const char *key, const char *json, size_t len)
{
    prefix(w, key);
    rp_buf_put(w->out, json, len);
}

void rp_jw_rawf(rp_jw *w, const char *key, const char *fmt, ...)
{
    prefix(w, key);
    va_list ap;
    va_start(ap, fmt);
    buf_vprintf(w->out, fmt, ap);
    va_end(ap);
}

void rp_jw_map(rp_jw *w, const char *key, const char *const *kv, size_t n)
{
    /* maps here hold at most a few dozen pairs: a selection sort by index is plenty */
    bool done[64] = {false};
    if (n > 64)
        abort();
    rp_jw_obj(w, key);
    for (size_t k = 0; k < n; k++) {
        size_t best = n;
        for (size_t j = 0; j < n; j++)
            if (!done[j] && (best == n || strcmp(kv[2 * j], kv[2 * best]) < 0))
                best = j;
        done[best] = true;
        rp_jw_str(w, kv[2 * best], kv[2 * best + 1]);
    }
    rp_jw_end(w, '}');
}

/* ---- PRNG ---- */

uint64_t rp_rng_next(rp_rng *r)
{
    uint64_t z = (r->s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

uint64_t rp_rng_below(rp_rng *r, uint64_t n)
{
    /* rejection keeps it unbiased; the loop ends with probability > 1/2 per turn */
    uint64_t limit = UINT64_MAX - UINT64_MAX % n;
    for (;;) {
        uint64_t v = rp_rng_next(r);
        if (v < limit)
            return v % n;
    }
}

int rp_rng_range(rp_rng *r, int lo, int hi)
{
    return lo + (int)rp_rng_below(r, (uint64_t)(hi - lo));
}

double rp_rng_unit(rp_rng *r)
{
    return (double)(rp_rng_next(r) >> 11) * (1.0 / 9007199254740992.0);
}

void rp_rng_alnum(rp_rng *r, char *out, int n)
{
    static const char alphabet[] = "bcdfghjklmnpqrstvwxz2456789";
    for (int i = 0; i < n; i++)
        out[i] = alphabet[rp_rng_below(r, sizeof alphabet - 1)];
    out[n] = '\0';
}

void rp_rng_hex(rp_rng *r, char *out, int n)
{
    static const char hex[] = "0123456789abcdef";
    for (int i = 0; i < n; i++)
        out[i] = hex[rp_rng_below(r, 16)];
    out[n] = '\0';
}

void rp_rng_uid(rp_rng *r, char out[37])
{
    uint64_t a = rp_rng_next(r), b = rp_rng_next(r);
    snprintf(out, 37, "%08x-%04x-4%03x-%04x-%012llx", (unsigned)(a >> 32), (unsigned)(a >> 16) & 0xffff,
             (unsigned)a & 0xfff, (unsigned)(0x8000 | ((b >> 48) & 0x3fff)),
             (unsigned long long)(b & 0xffffffffffffull));
}

void rp_rng_ts(rp_rng *r, int start_day, int span_days, char out[21])
{
    static const int mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int doy = start_day + rp_rng_range(r, 0, span_days), y = 2023, m = 0;
    while (doy >= (y % 4 == 0 ? 366 : 365) && y < 2100)
        doy -= y++ % 4 == 0 ? 366 : 365;
    while (m < 11 && doy >= mdays[m] + (m == 1 && y % 4 == 0)) {
        doy -= mdays[m] + (m == 1 && y % 4 == 0);
        m++;
    }
    unsigned hh = (unsigned)rp_rng_range(r, 0, 24), mm = (unsigned)rp_rng_range(r, 0, 60),
             ss = (unsigned)rp_rng_range(r, 0, 60);
    snprintf(out, 21, "%04u-%02u-%02uT%02u:%02u:%02uZ", (unsigned)y % 10000, (unsigned)m % 12 + 1,
             (unsigned)doy % 31 + 1, hh % 24, mm % 60, ss % 60);
}
