/* jsonw.c - compact JSON writer for the corpus generator: Go's compact form, commas placed by
 * depth. */
#include "jsonw.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_escape.h"

void rp_jw_init(rp_jw *w, host_buf *out)
{
    *w = (rp_jw){.out = out};
}

/* Go's encoder escapes HTML characters too: so does the writer. */
static void put_quoted(host_buf *b, const char *s)
{
    size_t n = strlen(s);
    host_buf_reserve(b, HOST_JSON_ESCAPED_MAX(n) + 2);
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
        host_buf_put(w->out, ",", 1);
    w->need_comma[w->depth] = true;
    if (key) {
        put_quoted(w->out, key);
        host_buf_put(w->out, ":", 1);
    }
}

static void open_container(rp_jw *w, const char *key, char ch)
{
    prefix(w, key);
    host_buf_put(w->out, &ch, 1);
    if (w->depth + 1 >= RP_JW_DEPTH)
        abort();   /* the generator's documents are shallow: this is a bug */
    w->need_comma[++w->depth] = false;
}

void rp_jw_obj(rp_jw *w, const char *key) { open_container(w, key, '{'); }
void rp_jw_arr(rp_jw *w, const char *key) { open_container(w, key, '['); }

void rp_jw_end(rp_jw *w, char close)
{
    host_buf_put(w->out, &close, 1);
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
    host_buf_printf(w->out, "%lld", v);
}

void rp_jw_bool(rp_jw *w, const char *key, bool v)
{
    prefix(w, key);
    host_buf_puts(w->out, v ? "true" : "false");
}

void rp_jw_null(rp_jw *w, const char *key)
{
    prefix(w, key);
    host_buf_puts(w->out, "null");
}

void rp_jw_raw(rp_jw *w, const char *key, const char *json, size_t len)
{
    prefix(w, key);
    host_buf_put(w->out, json, len);
}

void rp_jw_rawf(rp_jw *w, const char *key, const char *fmt, ...)
{
    prefix(w, key);
    va_list ap;
    va_start(ap, fmt);
    host_buf_vprintf(w->out, fmt, ap);
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
