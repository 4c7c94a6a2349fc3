/* buf.h - growable byte buffer that replies are written into, with JSON helpers. */
#ifndef NG_BUF_H
#define NG_BUF_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef struct ng_buf {
    char *data;     /* always NUL-terminated once anything was written */
    size_t len, cap;
} ng_buf;

/* Makes room for more bytes plus the terminating NUL. */
void ng_buf_reserve(ng_buf *b, size_t more);

/* Inline: replies are written a few bytes at a time, hundreds of thousands of times a second. */
static inline void ng_buf_put(ng_buf *b, const char *s, size_t n)
{
    if (b->cap - b->len <= n)
        ng_buf_reserve(b, n);
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
}
static inline void ng_buf_puts(ng_buf *b, const char *s) { ng_buf_put(b, s, strlen(s)); }
static inline void ng_buf_putc(ng_buf *b, char c) { ng_buf_put(b, &c, 1); }
void ng_buf_int(ng_buf *b, int64_t v);
/* Writes s as a JSON string literal, quotes included, escaping control
 * characters, '"' and '\\', and replacing each byte that is not part of valid
 * UTF-8 with U+FFFD, as Go's encoding/json does. */
void ng_buf_json_str(ng_buf *b, const char *s);
void ng_buf_printf(ng_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Hands the data over (caller frees with free()) and empties the buffer. */
char *ng_buf_take(ng_buf *b, size_t *len);
void ng_buf_free(ng_buf *b);

#endif
