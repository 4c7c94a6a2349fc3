/* buf.c - reply writer: names-mode replies are ~100-400 KB, full-mode ones up to ~10 MB. */
#include "buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "utf8.h"
#include "xalloc.h"

void ngp_buf_reserve(ngp_buf *b, size_t more)
{
    if (b->cap - b->len > more)
        return;
    size_t cap = b->cap ? b->cap : 256;
    while (cap - b->len <= more)
        cap *= 2;
    b->data = ngp_xrealloc(b->data, cap);
    b->cap = cap;
}

void ngp_buf_int(ngp_buf *b, int64_t v)
{
    char digits[24], *p = digits + sizeof digits;
    uint64_t u = v < 0 ? -(uint64_t)v : (uint64_t)v;
    do
        *--p = (char)('0' + u % 10);
    while (u /= 10);
    if (v < 0)
        *--p = '-';
    ngp_buf_put(b, p, (size_t)(digits + sizeof digits - p));
}

/* Bytes that cannot be copied as they are: controls (NUL ends the string),
 * '"', '\\', and non-ASCII, which is copied once checked as UTF-8 (C0 80 is
 * a U+0000 the string holds). */
static const unsigned char special[256] = {
    [0x00 ... 0x1f] = 1, ['"'] = 1, ['\\'] = 1, [0x80 ... 0xff] = 1};

void ngp_buf_json_str(ngp_buf *b, const char *str)
{
    static const char hex[] = "0123456789abcdef";
    const unsigned char *s = (const unsigned char *)str, *run = s;
    ngp_buf_putc(b, '"');
    for (;;) {
        while (!special[*s])
            s++;
        unsigned char c = *s;
        if (c == '\0')
            break;
        if (c >= 0x80) {
            size_t n = ngp_utf8_sequence(s, 4);   /* stops at the NUL: it is no continuation byte */
            if (n) {
                s += n;
                continue;
            }
        }
        ngp_buf_put(b, (const char *)run, (size_t)(s - run));
        run = ++s;
        switch (c) {
        case '"': ngp_buf_put(b, "\\\"", 2); break;
        case '\\': ngp_buf_put(b, "\\\\", 2); break;
        case '\n': ngp_buf_put(b, "\\n", 2); break;
        case '\r': ngp_buf_put(b, "\\r", 2); break;
        case '\t': ngp_buf_put(b, "\\t", 2); break;
        default:
            if (c == 0xC0 && *s == 0x80) {   /* U+0000, as strings hold it (model.h) */
                ngp_buf_put(b, "\\u0000", 6);
                run = ++s;
            } else if (c >= 0x80) {
                ngp_buf_put(b, "\\ufffd", 6);   /* as Go: each bad byte becomes U+FFFD */
            } else {
                char u[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
                ngp_buf_put(b, u, sizeof u);
            }
        }
    }
    ngp_buf_put(b, (const char *)run, (size_t)(s - run));
    ngp_buf_putc(b, '"');
}

void ngp_buf_printf(ngp_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    ngp_buf_reserve(b, (size_t)n);
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

char *ngp_buf_take(ngp_buf *b, size_t *len)
{
    if (b->data == NULL)
        ngp_buf_reserve(b, 0), b->data[0] = '\0';
    char *d = b->data;
    *len = b->len;
    *b = (ngp_buf){0};
    return d;
}

void ngp_buf_free(ngp_buf *b)
{
    free(b->data);
    *b = (ngp_buf){0};
}
