/* json_escape.h - the harness's one JSON string escaper: what goes between the quotes. */
#ifndef HOST_JSON_ESCAPE_H
#define HOST_JSON_ESCAPE_H

#include <stddef.h>

/* Also escape < > & (as \u003c \u003e \u0026), as Go's encoding/json does by default. */
#define HOST_JSON_HTML 1u

/* The most bytes host_json_escape writes for n input bytes. */
#define HOST_JSON_ESCAPED_MAX(n) ((n) * 6)

/* Writes s[0..n) as the inside of a JSON string to out, which must have room for
 * HOST_JSON_ESCAPED_MAX(n) bytes; returns the number of bytes written (no NUL is added).
 * '"' and '\' get a backslash, \n \r \t their short forms, other control bytes \u00XX, and every
 * byte that is not part of valid UTF-8 becomes \ufffd (as Go's encoder does), so the result is
 * valid JSON text whatever s holds. Valid UTF-8 is copied as it is. flags: 0 or HOST_JSON_HTML. */
size_t host_json_escape(char *out, const char *s, size_t n, unsigned flags);
/* The NUL-terminated s escaped as above (no HTML escaping), in a new string the caller frees. */
char *host_json_escaped(const char *s);

#endif
