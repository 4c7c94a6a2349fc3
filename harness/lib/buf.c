/* buf.c - the growable byte buffer the hosts assemble bodies in: replay's corpus and client, the fake API server's replies. */
#include "buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

void host_buf_reserve(host_buf *b, size_t extra)
{
    if (b->len + extra + 1 <= b->cap)
        return;
    size_t cap = b->cap ? b->cap : 4096;
    while (cap < b->len + extra + 1)
        cap *= 2;
    b->p = host_xrealloc(b->p, cap);
    b->cap = cap;
}

void host_buf_put(host_buf *b, const void *s, size_t n)
{
    host_buf_reserve(b, n);
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';   /* always a C string: handy for messages and tests */
}

void host_buf_puts(host_buf *b, const char *s)
{
    host_buf_put(b, s, strlen(s));
}

void host_buf_vprintf(host_buf *b, const char *fmt, va_list ap)
{
    va_list again;
    va_copy(again, ap);
    host_buf_reserve(b, 64);   /* most pieces fit at once: one vsnprintf, not two */
    int n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
    if (n > 0 && (size_t)n >= b->cap - b->len) {
        host_buf_reserve(b, (size_t)n);
        vsnprintf(b->p + b->len, (size_t)n + 1, fmt, again);
    }
    if (n > 0)
        b->len += (size_t)n;
    b->p[b->len] = '\0';
    va_end(again);
}

void host_buf_printf(host_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    host_buf_vprintf(b, fmt, ap);
    va_end(ap);
}

void host_buf_free(host_buf *b)
{
    free(b->p);
    *b = (host_buf){0};
}

char *host_buf_take(host_buf *b, size_t *len)
{
    host_buf_reserve(b, 0);   /* an empty buffer still yields a string */
    char *p = b->p;
    if (len)
        *len = b->len;
    *b = (host_buf){0};
    return p;
}
