/* framing.c - a request's framing headers checked as RFC 9112 says, where libmicrohttpd 0.9.75
 * reads only the first Content-Length or Transfer-Encoding line, and the first one only for
 * the exact word "chunked": anything else it leaves to wait for an end of body that never comes. */
#include "framing.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

typedef struct framing {
    unsigned hosts;
    const char *length;       /* the first Content-Length element */
    size_t length_len;
    const char *other_length; /* the first that differs from it, or NULL */
    size_t other_len;
    unsigned codings, chunked;   /* transfer codings, and how many of them are chunked */
    const char *unknown;      /* the first coding other than chunked, or NULL */
    size_t unknown_len;
    bool chunked_last;
} framing;

/* Calls each(f, element, len) for every non-empty element of the comma-separated list v
 * (RFC 9110 section 5.6.1), without the spaces around it and any ";parameters". */
static void each_element(framing *f, const char *v, void (*each)(framing *, const char *, size_t))
{
    while (*v) {
        size_t n = strcspn(v, ",");
        const char *e = v, *end = v + n;
        while (e < end && (*e == ' ' || *e == '\t'))
            e++;
        const char *semi = memchr(e, ';', (size_t)(end - e));
        const char *stop = semi ? semi : end;
        while (stop > e && (stop[-1] == ' ' || stop[-1] == '\t'))
            stop--;
        if (stop > e)
            each(f, e, (size_t)(stop - e));
        v = *end ? end + 1 : end;
    }
}

/* Content-Length values equal as numbers: leading zeros aside, the same digits. */
static void on_length(framing *f, const char *e, size_t n)
{
    while (n > 1 && *e == '0')
        e++, n--;
    if (!f->length) {
        f->length = e, f->length_len = n;
    } else if (!f->other_length && (n != f->length_len || memcmp(e, f->length, n) != 0)) {
        f->other_length = e, f->other_len = n;
    }
}

static void on_coding(framing *f, const char *e, size_t n)
{
    bool chunked = n == 7 && strncasecmp(e, "chunked", 7) == 0;
    f->codings++;
    f->chunked += chunked;
    f->chunked_last = chunked;
    if (!chunked && !f->unknown)
        f->unknown = e, f->unknown_len = n;
}

static enum MHD_Result on_header(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
    framing *f = cls;
    if (strcasecmp(key, MHD_HTTP_HEADER_HOST) == 0)
        f->hosts++;
    else if (strcasecmp(key, MHD_HTTP_HEADER_CONTENT_LENGTH) == 0)
        each_element(f, value ? value : "", on_length);
    else if (strcasecmp(key, MHD_HTTP_HEADER_TRANSFER_ENCODING) == 0)
        each_element(f, value ? value : "", on_coding);
    return MHD_YES;
}

unsigned srv_framing_check(struct MHD_Connection *conn, const char *version, char *why, size_t len)
{
    framing f = {0};
    MHD_get_connection_values(conn, MHD_HEADER_KIND, on_header, &f);
    bool http11 = strcmp(version, MHD_HTTP_VERSION_1_0) != 0;   /* 1.1, or a later 1.x read as 1.1 */
    /* RFC 9112 section 3.2 */
    if (f.hosts > 1 || (http11 && f.hosts == 0)) {
        snprintf(why, len, "an HTTP/1.1 request needs exactly one Host header; this one has %u", f.hosts);
        return MHD_HTTP_BAD_REQUEST;
    }
    /* section 6.3: the length must be unambiguous, or requests could be smuggled past a proxy */
    if (f.other_length) {
        snprintf(why, len, "Content-Length is given twice, as %.*s and as %.*s: the body's length is ambiguous",
                 (int)f.length_len > 40 ? 40 : (int)f.length_len, f.length,
                 (int)f.other_len > 40 ? 40 : (int)f.other_len, f.other_length);
        return MHD_HTTP_BAD_REQUEST;
    }
    if (f.codings && f.length) {
        snprintf(why, len, "both Transfer-Encoding and Content-Length are given: the body's length is ambiguous");
        return MHD_HTTP_BAD_REQUEST;
    }
    /* section 6.1: chunked must be the final coding, applied once */
    if (f.codings && (!f.chunked_last || f.chunked > 1)) {
        snprintf(why, len, "Transfer-Encoding must end with chunked, applied once: the body's length cannot "
                           "be known otherwise");
        return MHD_HTTP_BAD_REQUEST;
    }
    if (f.unknown) {
        snprintf(why, len, "the transfer coding %.*s is not implemented: only chunked is",
                 (int)f.unknown_len > 40 ? 40 : (int)f.unknown_len, f.unknown);
        return MHD_HTTP_NOT_IMPLEMENTED;
    }
    return 0;
}
