/* utf8.h - UTF-8 checks for the strings nodegate keeps and the ones it writes. */
#ifndef NGP_UTF8_H
#define NGP_UTF8_H

#include <stdbool.h>
#include <stddef.h>

/* Length (2-4) of the valid UTF-8 sequence at s, whose first byte is >= 0x80
 * and which has n bytes available, or 0: no overlong forms, UTF-16
 * surrogates or code points past U+10FFFF. */
size_t ngp_utf8_sequence(const unsigned char *s, size_t n);
/* True when s[0..len) is valid UTF-8. */
bool ngp_utf8_valid(const char *s, size_t len);

#endif
