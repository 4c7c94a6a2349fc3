/* buf.h - growable byte buffer that replies are written into, with JSON helpers. */
#ifndef NGP_BUF_H
#define NGP_BUF_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef struct ngp_buf {
    char *data;     /* always NUL-terminated once anything was written */
    size_t len, cap;
} ngp_buf;

/* Makes room for more bytes plus the terminating NUL. */
void ngp_buf_reserve(ngp_buf *b, size_t more);

/* Inline: replies are written a few bytes at a time, hundreds of thousands of times a second. */
static inline void ngp_buf_put(ngp_buf *b, const char *s, size_t n)
{
    if (b->cap - b->len <= n)
        ngp_buf_reserve(b, n);
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
}
/* Appends s[0..n), n < 4, from s padded with NULs to 4 bytes: copied as one
 * 4-byte store rather than by a call to memcpy, for the tails written once per node. */
static inline void ngp_buf_put_short(ngp_buf *b, const char s[static 4], size_t n)
{
    if (b->cap - b->len <= 4)
        ngp_buf_reserve(b, 4);
    memcpy(b->data + b->len, s, 4);   /* the padding is the terminating NUL */
    b->len += n;
}
/* Appends s[0..n) from s readable for NGP_BUF_PAD bytes: when n is at most that, as one copy
 * of fixed size (its bytes past n are written over next), with no call; names in the node
 * cache's pool are (store.h). Not NUL-terminated. */
enum { NGP_BUF_PAD = 64 };
static inline void ngp_buf_put_padded(ngp_buf *b, const char *s, size_t n)
{
    if (n > NGP_BUF_PAD) {
        ngp_buf_put(b, s, n);
        return;
    }
    if (b->cap - b->len <= NGP_BUF_PAD)
        ngp_buf_reserve(b, NGP_BUF_PAD);
    memcpy(b->data + b->len, s, NGP_BUF_PAD);
    b->len += n;
}
static inline void ngp_buf_puts(ngp_buf *b, const char *s) { ngp_buf_put(b, s, strlen(s)); }
static inline void ngp_buf_putc(ngp_buf *b, char c) { ngp_buf_put(b, &c, 1); }
void ngp_buf_int(ngp_buf *b, int64_t v);
/* Writes s as a JSON string literal, quotes included, escaping control
 * characters, '"' and '\\', and replacing each byte that is not part of valid
 * UTF-8 with U+FFFD, as Go's encoding/json does. */
void ngp_buf_json_str(ngp_buf *b, const char *s);
void ngp_buf_printf(ngp_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Hands the data over (caller frees with free()) and empties the buffer. */
char *ngp_buf_take(ngp_buf *b, size_t *len);
void ngp_buf_free(ngp_buf *b);

#endif
