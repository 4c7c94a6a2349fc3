/* utf8.h - UTF-8 checks, and strings read and repaired as Go's encoding/json reads them. */
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

/* The most bytes the two functions below write per byte read: an invalid
 * byte becomes the three of U+FFFD. */
#define NGP_JSON_GROWTH 3

/* What Go's decoder (unquoteBytes, encoding/json decode.go) reads in a string
 * whose body, between its quotes, is s[0..len) with its grammar checked:
 * escapes decoded; a \u escape of a UTF-16 surrogate that does not begin a
 * valid pair read as U+FFFD, and so is each byte that is not part of valid
 * UTF-8. U+0000 is written as the two bytes C0 80, as strings are kept
 * (model.h). Writes at most NGP_JSON_GROWTH * len bytes to out; returns how
 * many, and sets *replaced when something was read as U+FFFD that was not
 * one in the text. */
size_t ngp_json_unquote(const char *s, size_t len, char *out, bool *replaced);

/* JSON text s[0..len) (grammar checked) with each part of a string that Go
 * reads as U+FFFD (see above) written as U+FFFD, as Go's encoder writes that
 * rune: its three bytes. Everything else is copied as it was. Writes at most
 * NGP_JSON_GROWTH * len bytes to out; returns how many. */
size_t ngp_json_repair(const char *s, size_t len, char *out);

#endif
