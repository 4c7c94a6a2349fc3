/* buf.c - the growable byte buffer every reply and event line is assembled in. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fakeapi.h"
#include "xalloc.h"

void fa_buf_reserve(fa_buf *b, size_t more)
{
    if (b->len + more + 1 <= b->cap)
        return;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + more + 1)
        cap *= 2;
    b->p = host_xrealloc(b->p, cap);
    b->cap = cap;
}

void fa_buf_add(fa_buf *b, const void *s, size_t n)
{
    fa_buf_reserve(b, n);
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

void fa_buf_adds(fa_buf *b, const char *s)
{
    fa_buf_add(b, s, strlen(s));
}

void fa_buf_addf(fa_buf *b, const char *fmt, ...)
{
    va_list ap, again;
    va_start(ap, fmt);
    va_copy(again, ap);
    fa_buf_reserve(b, 64);   /* most pieces fit at once: one vsnprintf, not two */
    int n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
    va_end(ap);
    if (n > 0 && (size_t)n >= b->cap - b->len) {
        fa_buf_reserve(b, (size_t)n);
        vsnprintf(b->p + b->len, (size_t)n + 1, fmt, again);
    }
    if (n > 0)
        b->len += (size_t)n;
    b->p[b->len] = '\0';
    va_end(again);
}

void fa_buf_addu(fa_buf *b, uint64_t v)
{
    char tmp[24];
    size_t i = sizeof tmp;
    do {
        tmp[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    fa_buf_add(b, tmp + i, sizeof tmp - i);
}

void fa_buf_free(fa_buf *b)
{
    free(b->p);
    *b = (fa_buf){0};
}

char *fa_buf_take(fa_buf *b, size_t *len)
{
    fa_buf_reserve(b, 0);   /* an empty buffer still yields a string */
    char *p = b->p;
    p[b->len] = '\0';
    if (len)
        *len = b->len;
    *b = (fa_buf){0};
    return p;
}
