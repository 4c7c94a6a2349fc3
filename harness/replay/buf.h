/* buf.h - nodegate-replay's growable byte buffer, always NUL-terminated; out of memory ends the
 * process (xalloc.h). */
#ifndef RP_BUF_H
#define RP_BUF_H

#include <stdarg.h>
#include <stddef.h>

typedef struct {
    char *p;
    size_t len, cap;
} rp_buf;

void rp_buf_reserve(rp_buf *b, size_t extra);
void rp_buf_put(rp_buf *b, const void *s, size_t n);
void rp_buf_puts(rp_buf *b, const char *s);
void rp_buf_printf(rp_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void rp_buf_vprintf(rp_buf *b, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
void rp_buf_free(rp_buf *b);

#endif
