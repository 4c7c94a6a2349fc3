/* buf.h - a growable byte buffer, always NUL-terminated; out of memory ends the process
 * (xalloc.h). */
#ifndef HOST_BUF_H
#define HOST_BUF_H

#include <stdarg.h>
#include <stddef.h>

typedef struct {
    char *p;
    size_t len, cap;
} host_buf;

void host_buf_reserve(host_buf *b, size_t extra);
void host_buf_put(host_buf *b, const void *s, size_t n);
void host_buf_puts(host_buf *b, const char *s);
void host_buf_printf(host_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void host_buf_vprintf(host_buf *b, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
void host_buf_free(host_buf *b);
/* b's bytes as a NUL-terminated string the caller frees (len, if not NULL, gets their count);
 * b is left empty. */
char *host_buf_take(host_buf *b, size_t *len);

#endif
