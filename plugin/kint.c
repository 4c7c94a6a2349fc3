/* kint.c - Go's strconv.ParseInt and the canonical integer form, on NUL-terminated strings. */
#include "kint.h"

#include <string.h>

/* Decimal digits only, at least one, value <= limit. */
static bool parse_magnitude(const char *s, uint64_t limit, uint64_t *out)
{
    uint64_t v = 0;
    if (*s == '\0')
        return false;
    for (; *s != '\0'; s++) {
        if (*s < '0' || *s > '9')
            return false;
        unsigned d = (unsigned)(*s - '0');
        if (v > (limit - d) / 10)
            return false;
        v = v * 10 + d;
    }
    *out = v;
    return true;
}

/* digits as a magnitude, negated when neg; INT64_MIN's magnitude is one more than INT64_MAX. */
static bool parse_signed(bool neg, const char *digits, int64_t *out)
{
    uint64_t mag;
    if (!parse_magnitude(digits, neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX, &mag))
        return false;
    *out = neg && mag > 0 ? -(int64_t)(mag - 1) - 1 : (int64_t)mag;
    return true;
}

bool ngp_parse_canonical_int(const char *s, int64_t *out)
{
    if (strcmp(s, "0") == 0) {
        *out = 0;
        return true;
    }
    bool neg = *s == '-';
    const char *d = s + neg;
    if (*d < '1' || *d > '9')
        return false;
    return parse_signed(neg, d, out);
}

bool ngp_parse_go_int(const char *s, int64_t *out)
{
    bool neg = *s == '-';
    if (*s == '-' || *s == '+')
        s++;
    return parse_signed(neg, s, out);
}
