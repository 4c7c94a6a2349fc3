/* utf8.c - UTF-8 validation; node names and labels are almost always ASCII, so that path is a word at a time. */
#include "utf8.h"

#include <stdint.h>
#include <string.h>

size_t ngp_utf8_sequence(const unsigned char *s, size_t n)
{
    unsigned char c = s[0];
    size_t len = c >= 0xC2 && c <= 0xDF ? 2 : c >= 0xE0 && c <= 0xEF ? 3 : c >= 0xF0 && c <= 0xF4 ? 4 : 0;
    if (len == 0 || len > n)
        return 0;
    for (size_t i = 1; i < len; i++)
        if ((s[i] & 0xC0) != 0x80)
            return 0;
    if ((c == 0xE0 && s[1] < 0xA0) || (c == 0xED && s[1] > 0x9F) || (c == 0xF0 && s[1] < 0x90) ||
        (c == 0xF4 && s[1] > 0x8F))
        return 0;
    return len;
}

/* True when the 8 bytes at s are all ASCII. */
static bool ascii8(const unsigned char *s)
{
    uint64_t w;
    memcpy(&w, s, 8);
    return (w & 0x8080808080808080u) == 0;
}

bool ngp_utf8_valid(const char *str, size_t len)
{
    const unsigned char *s = (const unsigned char *)str, *end = s + len;
    /* the common all-ASCII string: whole words, then one last overlapping word */
    if (len >= 8) {
        while (end - s > 8 && ascii8(s))
            s += 8;
        if (end - s <= 8 && ascii8(end - 8))
            return true;
    }
    while (s < end) {
        if (*s < 0x80) {
            s++;
            continue;
        }
        size_t n = ngp_utf8_sequence(s, (size_t)(end - s));
        if (n == 0)
            return false;
        s += n;
    }
    return true;
}
