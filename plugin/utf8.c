/* utf8.c - UTF-8 validation; node names and labels are almost always ASCII, so that path is a word at a time. */
#include "utf8.h"

#include <stdint.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

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
    /* the common all-ASCII string: 16 bytes at a time (long texts: yajl's bytes
       in a capture), whole words, then one last overlapping word */
#ifdef __SSE2__
    while (end - s >= 16 && !_mm_movemask_epi8(_mm_loadu_si128((const __m128i *)(const void *)s)))
        s += 16;
#endif
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

static const char replacement[3] = {(char)0xEF, (char)0xBF, (char)0xBD};   /* U+FFFD */

static unsigned hex4(const unsigned char *s)
{
    unsigned v = 0;
    for (int i = 0; i < 4; i++)
        v = v << 4 | (s[i] <= '9' ? s[i] - '0' : (s[i] | 0x20) - 'a' + 10);
    return v;
}

/* The \u escape at s (n bytes available, grammar checked): its code point,
 * or -1 for a surrogate that does not begin a valid pair, which Go reads as
 * U+FFFD (utf16.DecodeRune); *took is 12 for a pair, else 6. */
static long u_escape(const unsigned char *s, size_t n, size_t *took)
{
    unsigned c = hex4(s + 2);
    *took = 6;
    if (c < 0xD800 || c > 0xDFFF)
        return c;
    if (c < 0xDC00 && n >= 12 && s[6] == '\\' && s[7] == 'u') {
        unsigned lo = hex4(s + 8);
        if (lo >= 0xDC00 && lo <= 0xDFFF) {
            *took = 12;
            return 0x10000 + ((long)(c - 0xD800) << 10) + (lo - 0xDC00);
        }
    }
    return -1;
}

/* UTF-8 of c, U+0000 as C0 80 (model.h). */
static size_t put_utf8(char *o, unsigned long c)
{
    if (c < 0x80 && c) {
        o[0] = (char)c;
        return 1;
    }
    if (c < 0x800) {
        o[0] = (char)(0xC0 | c >> 6);
        o[1] = (char)(0x80 | (c & 0x3F));
        return 2;
    }
    if (c < 0x10000) {
        o[0] = (char)(0xE0 | c >> 12);
        o[1] = (char)(0x80 | (c >> 6 & 0x3F));
        o[2] = (char)(0x80 | (c & 0x3F));
        return 3;
    }
    o[0] = (char)(0xF0 | c >> 18);
    o[1] = (char)(0x80 | (c >> 12 & 0x3F));
    o[2] = (char)(0x80 | (c >> 6 & 0x3F));
    o[3] = (char)(0x80 | (c & 0x3F));
    return 4;
}

/* The bytes at s[0..n) that start with a byte >= 0x80: one valid sequence, copied, or one
 * invalid byte, which Go reads as U+FFFD (utf8.DecodeRune takes one byte). Returns the bytes read. */
static size_t high_byte(const unsigned char *s, size_t n, char *out, size_t *o, bool *replaced)
{
    size_t k = ngp_utf8_sequence(s, n);
    if (k) {
        memcpy(out + *o, s, k);
        *o += k;
        return k;
    }
    memcpy(out + *o, replacement, 3);
    *o += 3;
    *replaced = true;
    return 1;
}

size_t ngp_json_unquote(const char *str, size_t len, char *out, bool *replaced)
{
    static const char simple[128] = {['"'] = '"', ['\\'] = '\\', ['/'] = '/', ['b'] = '\b',
                                     ['f'] = '\f', ['n'] = '\n', ['r'] = '\r', ['t'] = '\t'};
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0, o = 0;
    *replaced = false;
    while (i < len) {
        unsigned char c = s[i];
        if (c >= 0x80) {
            i += high_byte(s + i, len - i, out, &o, replaced);
        } else if (c != '\\') {
            out[o++] = (char)c;
            i++;
        } else if (i + 1 == len || s[i + 1] >= 0x80) {
            /* not a body yajl checked: a string begun before a lane handed over to yajl loses its
             * start (lane_to_yajl), so it may end in, or start after, an escape's backslash */
            memcpy(out + o, replacement, 3);
            o += 3;
            *replaced = true;
            i++;
        } else if (s[i + 1] != 'u') {
            out[o++] = simple[s[i + 1]];
            i += 2;
        } else {
            size_t took;
            long cp = u_escape(s + i, len - i, &took);
            *replaced |= cp < 0;
            o += put_utf8(out + o, cp < 0 ? 0xFFFD : (unsigned long)cp);
            i += took;
        }
    }
    return o;
}

size_t ngp_json_repair(const char *str, size_t len, char *out)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0, o = 0;
    bool in_string = false, replaced;
    while (i < len) {
        unsigned char c = s[i];
        size_t took = 1;
        if (c >= 0x80) {   /* only inside a string: the grammar allows no such byte elsewhere */
            i += high_byte(s + i, len - i, out, &o, &replaced);
            continue;
        }
        if (c == '"') {
            in_string = !in_string;
        } else if (c == '\\' && in_string) {
            took = 2;
            if (s[i + 1] == 'u' && u_escape(s + i, len - i, &took) < 0) {
                memcpy(out + o, replacement, 3);
                o += 3;
                i += took;
                continue;
            }
        }
        memcpy(out + o, s + i, took);
        o += took;
        i += took;
    }
    return o;
}
