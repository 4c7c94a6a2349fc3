/* json_escape.c - JSON string escaping for the harness: error texts, plugin options and the
 * corpus generator's strings, mostly short ASCII. */
#include "json_escape.h"

#include <stdbool.h>
#include <string.h>

#include "xalloc.h"

/* Length (2-4) of the valid UTF-8 sequence at s, whose first byte is >= 0x80 and which has n
 * bytes available, or 0: no overlong forms, UTF-16 surrogates or code points past U+10FFFF. */
static size_t utf8_sequence(const unsigned char *s, size_t n)
{
    unsigned char c = s[0];
    size_t len = c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3 : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
    if (len == 0 || len > n)
        return 0;
    /* the second byte's range depends on the first: that rules out the overlong forms,
       surrogates and code points past U+10FFFF */
    unsigned char lo = c == 0xe0 ? 0xa0 : c == 0xf0 ? 0x90 : 0x80;
    unsigned char hi = c == 0xed ? 0x9f : c == 0xf4 ? 0x8f : 0xbf;
    if (s[1] < lo || s[1] > hi)
        return 0;
    for (size_t i = 2; i < len; i++)
        if ((s[i] & 0xc0) != 0x80)
            return 0;
    return len;
}

size_t host_json_escape(char *out, const char *str, size_t n, unsigned flags)
{
    static const char hex[] = "0123456789abcdef";
    const unsigned char *s = (const unsigned char *)str, *end = s + n;
    bool html = flags & HOST_JSON_HTML;
    char *o = out;
    while (s < end) {
        unsigned char c = *s;
        if (c >= 0x80) {
            size_t len = utf8_sequence(s, (size_t)(end - s));
            if (len) {
                memcpy(o, s, len);
                o += len;
                s += len;
            } else {
                memcpy(o, "\\ufffd", 6);   /* as Go: each bad byte becomes U+FFFD */
                o += 6;
                s++;
            }
            continue;
        }
        s++;
        if (c == '"' || c == '\\') {
            *o++ = '\\';
            *o++ = (char)c;
        } else if (c == '\n' || c == '\r' || c == '\t') {
            *o++ = '\\';
            *o++ = c == '\n' ? 'n' : c == '\r' ? 'r' : 't';
        } else if (c < 0x20 || (html && (c == '<' || c == '>' || c == '&'))) {
            memcpy(o, "\\u00", 4);
            o[4] = hex[c >> 4];
            o[5] = hex[c & 15];
            o += 6;
        } else {
            *o++ = (char)c;
        }
    }
    return (size_t)(o - out);
}

char *host_json_escaped(const char *s)
{
    size_t n = strlen(s);
    char *out = host_xmalloc(HOST_JSON_ESCAPED_MAX(n) + 1);
    out[host_json_escape(out, s, n, 0)] = '\0';
    return out;
}
