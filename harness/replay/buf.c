/* buf.c - the growable byte buffer the generator and the HTTP client write into. */
#include "buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

void rp_buf_vprintf(rp_buf *b, const char *fmt, va_list ap)
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
    rp_buf_vprintf(b, fmt, ap);
    va_end(ap);
}

void rp_buf_free(rp_buf *b)
{
    free(b->p);
    *b = (rp_buf){0};
}
