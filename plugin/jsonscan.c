/* jsonscan.c - the skip and strings lanes: a resumable JSON grammar check per byte,
 * with string bodies crossed 16 bytes at a time.
 *
 * The states mirror yajl's parser states, so that ngp_scan_prefix can put a
 * fresh yajl exactly where a lane stopped. The grammar is RFC 8259's as yajl
 * applies it: whitespace is space, tab, CR and LF (the walker refuses \f and
 * \v before any lane sees them); strings exclude raw bytes below 0x20; UTF-8
 * is not checked in skipped strings (nor does yajl, configured so), only
 * noted where it may need a look (suspect). */
#include "jsonscan.h"

#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

enum {
    /* between tokens, in the innermost container */
    ARR_FIRST,   /* after '[': a value or ']' */
    ARR_VALUE,   /* after ',' in an array: a value */
    OBJ_FIRST,   /* after '{': a key or '}' */
    OBJ_KEY,     /* after ',' in an object: a key */
    COLON,       /* after a key */
    OBJ_VALUE,   /* after ':' */
    AFTER,       /* after a value: ',' or the closer */
    /* inside a token */
    STRING, ESCAPE, HEX,
    NUM_MINUS, NUM_ZERO, NUM_INT, NUM_DOT, NUM_FRAC, NUM_E, NUM_ESIGN, NUM_EXP,
    LITERAL
};

static bool top_is_object(const ngp_scan *s)
{
    unsigned d = s->depth - 1;
    return s->objects[d / 64] >> (d % 64) & 1;
}

static bool push(ngp_scan *s, bool object)
{
    if (s->depth >= s->max)
        return false;
    unsigned d = s->depth++;
    uint64_t bit = (uint64_t)1 << (d % 64);
    s->objects[d / 64] = object ? s->objects[d / 64] | bit : s->objects[d / 64] & ~bit;
    s->state = object ? OBJ_FIRST : ARR_FIRST;
    return true;
}

void ngp_scan_start(ngp_scan *s, bool object, unsigned max)
{
    memset(s, 0, sizeof *s);
    s->max = max < NGP_SCAN_MAX_DEPTH ? max : NGP_SCAN_MAX_DEPTH;
    push(s, object);
}

bool ngp_scan_in_string(const ngp_scan *s)
{
    return s->state == STRING || s->state == ESCAPE || s->state == HEX;
}

static bool is_space(unsigned char c)
{
    return c == ' ' || c == '\n' || c == '\r' || c == '\t';
}

static bool is_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

static bool is_hex(unsigned char c)
{
    return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* The first byte at or after i that ends a string's plain run: '"', '\\' or a
 * byte below 0x20. Sets *high when a byte read may be 0x80 or above (bytes past
 * the run's end may count: a false alarm only costs a UTF-8 check). */
static inline size_t plain_run(const char *p, size_t i, size_t len, bool *high)
{
#ifdef __SSE2__
    const __m128i quote = _mm_set1_epi8('"'), backslash = _mm_set1_epi8('\\');
    const __m128i high3 = _mm_set1_epi8((char)0xE0), zero = _mm_setzero_si128();
    __m128i any = zero;   /* the blocks' bytes or-ed: bit 7 set if one was 0x80 or above */
    for (; i + 16 <= len; i += 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + i));
        __m128i hit = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash)),
                                   _mm_cmpeq_epi8(_mm_and_si128(v, high3), zero));
        any = _mm_or_si128(any, v);
        unsigned bits = (unsigned)_mm_movemask_epi8(hit);
        if (bits) {
            *high |= _mm_movemask_epi8(any) != 0;
            return i + (size_t)__builtin_ctz(bits);
        }
    }
    *high |= _mm_movemask_epi8(any) != 0;
#endif
    for (; i < len; i++) {
        unsigned char c = (unsigned char)p[i];
        if (c == '"' || c == '\\' || c < 0x20)
            return i;
        *high |= c >= 0x80;
    }
    return len;
}

/* A value starts with c: enters its token or container. False if c cannot start one. */
static bool value_start(ngp_scan *s, unsigned char c)
{
    switch (c) {
    case '"': s->state = STRING; s->key = false; return true;
    case '{': return push(s, true);
    case '[': return push(s, false);
    case '-': s->state = NUM_MINUS; return true;
    case '0': s->state = NUM_ZERO; return true;
    case 't': s->literal = "true"; break;
    case 'f': s->literal = "false"; break;
    case 'n': s->literal = "null"; break;
    default:
        if (!is_digit(c))
            return false;
        s->state = NUM_INT;
        return true;
    }
    s->state = LITERAL;
    s->aux = 1;
    return true;
}

/* A closer c in AFTER (or right after the opener): pops its container. */
static bool close(ngp_scan *s, unsigned char c)
{
    if ((c == '}') != top_is_object(s))
        return false;
    s->depth--;
    s->state = AFTER;
    return true;
}

/* One byte outside string bodies. Returns the bytes taken (0: re-read c in
 * the new state, as after a number), or -1 when c is not acceptable. */
static int step(ngp_scan *s, unsigned char c)
{
    switch (s->state) {
    case ARR_FIRST:
        if (c == ']')
            return close(s, c) ? 1 : -1;
        /* fall through */
    case ARR_VALUE:
    case OBJ_VALUE:
        return is_space(c) ? 1 : value_start(s, c) ? 1 : -1;
    case OBJ_FIRST:
        if (c == '}')
            return close(s, c) ? 1 : -1;
        /* fall through */
    case OBJ_KEY:
        if (c == '"') {
            s->state = STRING;
            s->key = true;
            return 1;
        }
        return is_space(c) ? 1 : -1;
    case COLON:
        if (c == ':')
            s->state = OBJ_VALUE;
        return c == ':' || is_space(c) ? 1 : -1;
    case AFTER:
        if (c == ',') {
            s->state = top_is_object(s) ? OBJ_KEY : ARR_VALUE;
            return 1;
        }
        if (c == '}' || c == ']')
            return close(s, c) ? 1 : -1;
        return is_space(c) ? 1 : -1;
    case ESCAPE:
        if (c == 'u') {
            s->state = HEX;
            s->aux = 0;
            return 1;
        }
        s->state = STRING;
        return c && strchr("\"\\/bfnrt", c) ? 1 : -1;
    case HEX:
        s->suspect |= s->aux == 0 && (c | 0x20) == 'd';   /* a surrogate, perhaps lone */
        if (++s->aux == 4)
            s->state = STRING;
        return is_hex(c) ? 1 : -1;
    case NUM_MINUS:
        s->state = c == '0' ? NUM_ZERO : NUM_INT;
        return is_digit(c) ? 1 : -1;
    case NUM_ZERO:
    case NUM_INT:
    case NUM_FRAC:
    case NUM_EXP:
        if (is_digit(c) && s->state != NUM_ZERO)
            return 1;
        if (c == '.' && (s->state == NUM_ZERO || s->state == NUM_INT)) {
            s->state = NUM_DOT;
            return 1;
        }
        if ((c == 'e' || c == 'E') && s->state != NUM_EXP) {
            s->state = NUM_E;
            return 1;
        }
        s->state = AFTER;   /* the number ended before c */
        return 0;
    case NUM_DOT:
        s->state = NUM_FRAC;
        return is_digit(c) ? 1 : -1;
    case NUM_E:
        if (c == '+' || c == '-') {
            s->state = NUM_ESIGN;
            return 1;
        }
        /* fall through */
    case NUM_ESIGN:
        s->state = NUM_EXP;
        return is_digit(c) ? 1 : -1;
    case LITERAL:
        if (c != (unsigned char)s->literal[s->aux])
            return -1;
        if (!s->literal[++s->aux])
            s->state = AFTER;
        return 1;
    }
    return -1;
}

/* After a value inside a container (state AFTER): its closers, and a ',' before the next string,
 * taken at once ("],"...). Stops at anything else, or when the outermost container closed. */
static size_t after_value(ngp_scan *s, const char *p, size_t i, size_t len)
{
    while (i < len && (p[i] == ']' || p[i] == '}') && close(s, (unsigned char)p[i])) {
        i++;
        if (s->depth == 0)
            return i;
    }
    if (i + 1 < len && p[i] == ',' && p[i + 1] == '"') {
        s->key = top_is_object(s);
        s->state = STRING;
        i += 2;
    }
    return i;
}

/* A string closed before p[i]. What a node's status mostly holds next is taken at once: a key's
 * string value or array of strings, a value's closers and the next key or element. */
static size_t string_end(ngp_scan *s, const char *p, size_t i, size_t len)
{
    if (!s->key) {
        s->state = AFTER;
        return after_value(s, p, i, len);
    }
    if (i + 1 < len && p[i] == ':' && p[i + 1] == '"') {   /* the state stays STRING */
        s->key = false;
        return i + 2;
    }
    if (i + 2 < len && p[i] == ':' && p[i + 1] == '[' && p[i + 2] == '"' && push(s, false)) {
        s->state = STRING;
        s->key = false;
        return i + 3;
    }
    s->state = COLON;
    return i;
}

size_t ngp_scan_skip(ngp_scan *s, const char *p, size_t len, ngp_scan_end *end)
{
    size_t i = 0;
    while (i < len) {
        if (s->state == STRING) {
            i = plain_run(p, i, len, &s->suspect);
            if (i == len)
                break;
            if (p[i] == '"') {
                i = string_end(s, p, i + 1, len);
            } else if (p[i] == '\\') {
                s->state = ESCAPE;
                i++;
            } else {
                break;   /* a raw control byte: yajl's to judge */
            }
        } else {
            while (s->state == NUM_INT && i < len && is_digit((unsigned char)p[i]))
                i++;
            if (i == len)
                break;
            int took = step(s, (unsigned char)p[i]);
            if (took < 0)
                break;
            i += (size_t)took;
        }
        if (s->depth == 0) {
            *end = NGP_SCAN_DONE;
            return i;
        }
    }
    *end = i == len ? NGP_SCAN_MORE : NGP_SCAN_STOP;
    return i;
}

size_t ngp_scan_strings(ngp_scan *s, const char *p, size_t len, ngp_scan_end *end, ngp_scan_strs *out)
{
    size_t i = 0, quote = len;   /* quote: where the current string opens, when in this chunk */
    out->n = 0;
    out->odd = false;
    out->from = 0;
    while (i < len) {
        unsigned char c = (unsigned char)p[i];
        if (s->state == STRING) {
            bool high = s->high, closed;
            for (;;) {   /* string after string, while the next element follows at once (,") */
                i = plain_run(p, i, len, &high);
                closed = i < len && p[i] == '"';
                if (!closed)
                    break;
                size_t from = quote == len ? 0 : quote + 1;
                out->spans[out->n++] = (ngp_scan_span){from, i - from};
                out->odd = quote == len || high;
                if (out->odd || out->n == out->max || i + 2 >= len || p[i + 1] != ',' || p[i + 2] != '"')
                    break;
                s->before = ARR_VALUE;
                quote = i + 2;
                i += 3;
                high = false;
            }
            s->high = high;
            if (!closed && i == len)
                break;
            if (!closed) {   /* an escape or a control byte: back to its string's start */
                *end = NGP_SCAN_STOP;
                if (quote == len)
                    return 0;
                s->state = s->before;
                return quote;
            }
            s->state = AFTER;
            if (out->odd || out->n == out->max) {
                *end = NGP_SCAN_STRING;
                return i + 1;
            }
            i++;
        } else if ((s->state == ARR_FIRST || s->state == ARR_VALUE) && c == '"') {
            s->before = s->state;
            s->state = STRING;
            s->high = false;
            quote = i++;
        } else if (c == ']' && (s->state == ARR_FIRST || s->state == AFTER)) {
            s->depth = 0;
            *end = NGP_SCAN_DONE;
            return i + 1;
        } else if (c == ',' && s->state == AFTER) {
            s->state = ARR_VALUE;
            i++;
        } else if (is_space(c)) {
            i++;
        } else {
            break;   /* null, a number, a nested value, a stray byte: yajl's */
        }
    }
    if (s->state == STRING)   /* it goes on in the next chunk */
        out->from = quote == len ? 0 : quote + 1;
    *end = i == len ? NGP_SCAN_MORE : NGP_SCAN_STOP;
    return i;
}

static size_t put(char *out, size_t n, const char *text)
{
    size_t k = strlen(text);
    memcpy(out + n, text, k);
    return n + k;
}

size_t ngp_scan_prefix(const ngp_scan *s, char *out)
{
    static const char *const partial[] = {
        [STRING] = "\"", [ESCAPE] = "\"\\", [HEX] = "\"\\u",
        [NUM_MINUS] = "-", [NUM_ZERO] = "0", [NUM_INT] = "1", [NUM_DOT] = "0.", [NUM_FRAC] = "0.0",
        [NUM_E] = "0e", [NUM_ESIGN] = "0e+", [NUM_EXP] = "0e0",
    };
    size_t n = 0;
    for (unsigned d = 0; d + 1 < s->depth; d++)   /* the outer containers: each is inside a value */
        n = put(out, n, s->objects[d / 64] >> (d % 64) & 1 ? "{\"\":" : "[");
    bool object = s->depth && top_is_object(s);
    switch (s->state) {
    case ARR_FIRST: return put(out, n, "[");
    case ARR_VALUE: return put(out, n, "[null,");
    case OBJ_FIRST: return put(out, n, "{");
    case OBJ_KEY: return put(out, n, "{\"\":null,");
    case COLON: return put(out, n, "{\"\"");
    case OBJ_VALUE: return put(out, n, "{\"\":");
    case AFTER: return put(out, n, object ? "{\"\":null" : "[null");
    }
    /* inside a token: its container, then the token so far */
    bool key = ngp_scan_in_string(s) && s->key;
    n = put(out, n, !object ? "[" : key ? "{" : "{\"\":");
    if (s->state == LITERAL) {
        memcpy(out + n, s->literal, s->aux);
        return n + s->aux;
    }
    n = put(out, n, partial[s->state]);
    for (unsigned k = 0; s->state == HEX && k < s->aux; k++)
        out[n++] = '0';
    return n;
}
