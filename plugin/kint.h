/* kint.h - integers as Kubernetes reads them from strings: label values for Gt/Lt and toleration values. */
#ifndef NGP_KINT_H
#define NGP_KINT_H

#include <stdbool.h>
#include <stdint.h>

/* Canonical decimal integer for toleration Lt/Gt: "0", or an optional '-'
 * followed by 1-9 and digits, fitting int64 (SPEC 2.2). */
bool ngp_parse_canonical_int(const char *s, int64_t *out);
/* Go strconv.ParseInt(s, 10, 64): optional '+' or '-', one or more ASCII
 * digits (leading zeros allowed), no spaces, fits int64 (SPEC 5.2). */
bool ngp_parse_go_int(const char *s, int64_t *out);

#endif
