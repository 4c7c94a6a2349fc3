/* duration.c - Go durations for --cache-stale-after: parsed strictly, printed as Go prints them. */
#include "duration.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Go's longest duration, 2^63-1 ns, in seconds. */
#define MAX_SECONDS 9223372036.854775807

static const struct {
    const char *name;
    double seconds;
} units[] = {{"ns", 1e-9}, {"us", 1e-6}, {"\xc2\xb5s", 1e-6} /* U+00B5 */, {"\xce\xbcs", 1e-6} /* U+03BC */,
             {"ms", 1e-3}, {"s", 1},     {"m", 60},           {"h", 3600}};

int srv_parse_duration(const char *s, double *seconds, const char **why)
{
    double total = 0;
    const char *p = s;
    if (!*p) {
        *why = "empty";
        return -1;
    }
    while (*p) {
        const char *start = p;
        size_t whole = strspn(p, "0123456789");
        p += whole;
        size_t frac = 0;
        if (*p == '.')
            frac = strspn(++p, "0123456789"), p += frac;
        if (whole + frac == 0) {
            *why = *start == '-' || *start == '+' ? "a sign is not allowed" : "expected a number";
            return -1;
        }
        char number[64];
        size_t nlen = (size_t)(p - start);
        if (nlen >= sizeof number) {
            *why = "a number is too long";
            return -1;
        }
        memcpy(number, start, nlen);
        number[nlen] = '\0';
        size_t ulen = strcspn(p, "0123456789.");   /* Go's unit: up to the next number */
        double unit = 0;
        for (size_t i = 0; i < sizeof units / sizeof *units; i++)
            if (strlen(units[i].name) == ulen && strncmp(p, units[i].name, ulen) == 0)
                unit = units[i].seconds;
        if (!unit) {
            *why = ulen ? "unknown unit (want ns, us, ms, s, m or h)" : "a number needs a unit";
            return -1;
        }
        p += ulen;
        total += strtod(number, NULL) * unit;   /* only digits and a point: strtod cannot fail */
        if (total > MAX_SECONDS) {
            *why = "longer than 2562047h";
            return -1;
        }
    }
    if (!(total >= 1e-9)) {
        *why = "must be positive";
        return -1;
    }
    *seconds = total;
    return 0;
}

/* "1.500" -> "1.5", "2.000" -> "2": a fixed-point number without its trailing zeros. */
static void trim_fraction(char *num)
{
    if (!strchr(num, '.'))
        return;
    size_t n = strlen(num);
    while (num[n - 1] == '0')
        num[--n] = '\0';
    if (num[n - 1] == '.')
        num[n - 1] = '\0';
}

char *srv_format_duration(double seconds, char *out, size_t len)
{
    uint64_t ns = seconds <= 0 ? 0 : seconds >= MAX_SECONDS ? UINT64_C(9223372036854775807)
                                                            : (uint64_t)(seconds * 1e9 + 0.5);
    char num[64];
    if (ns == 0) {
        snprintf(out, len, "0s");
    } else if (ns < 1000) {
        snprintf(out, len, "%lluns", (unsigned long long)ns);
    } else if (ns < 1000000) {
        snprintf(num, sizeof num, "%llu.%03llu", (unsigned long long)(ns / 1000),
                 (unsigned long long)(ns % 1000));
        trim_fraction(num);
        snprintf(out, len, "%s\xc2\xb5s", num);   /* Go prints µs, U+00B5 */
    } else if (ns < 1000000000) {
        snprintf(num, sizeof num, "%llu.%06llu", (unsigned long long)(ns / 1000000),
                 (unsigned long long)(ns % 1000000));
        trim_fraction(num);
        snprintf(out, len, "%sms", num);
    } else {
        uint64_t h = ns / 3600000000000u, m = ns / 60000000000u % 60, sub = ns % 60000000000u;
        snprintf(num, sizeof num, "%llu.%09llu", (unsigned long long)(sub / 1000000000u),
                 (unsigned long long)(sub % 1000000000u));
        trim_fraction(num);
        if (h)
            snprintf(out, len, "%lluh%llum%ss", (unsigned long long)h, (unsigned long long)m, num);
        else if (m)
            snprintf(out, len, "%llum%ss", (unsigned long long)m, num);
        else
            snprintf(out, len, "%ss", num);
    }
    return out;
}
