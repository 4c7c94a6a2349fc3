/* jsonwalk.h - a streaming JSON walker driven by a static schema (yajl underneath).
 *
 * The request bodies nodegate reads are large (1,000 full nodes: ~11 MB) and
 * almost entirely irrelevant (status, images, containers). The walker feeds
 * chunks to yajl, follows the schema, and reports to a sink only the values
 * the schema names; everything else is skipped, most of it by a scanner
 * several times faster than yajl (jsonscan.h). It checks
 * the JSON types of every value the schema names, bounds the nesting depth,
 * and reports the first error with its byte offset and field path.
 *
 * Null handling follows Go's encoding/json: null is accepted wherever a
 * schema names a value (the sink gets NGP_JW_NULL), as for a nil pointer,
 * nil slice or nil map. So do strings, keys included: the sink gets what Go
 * reads (a lone surrogate escape or an invalid UTF-8 byte is U+FFFD), with
 * U+0000 as the two bytes C0 80 (model.h), whichever way the body is chunked.
 *
 * Capture: an object schema with capture set has its exact bytes copied into
 * the walker's capture buffer as they stream past (the bytes between two
 * captured objects are not kept); the NGP_JW_END event carries the object's
 * offset and length in that buffer. This is how full-mode filter replies echo
 * the request's node objects byte for byte, but for what Go reads as U+FFFD,
 * which the capture holds as that rune (so an echo is always valid UTF-8 and
 * never carries a lone surrogate escape). */
#ifndef NGP_JSONWALK_H
#define NGP_JSONWALK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "jsonscan.h"

typedef enum {
    NGP_JW_SKIP = 0,   /* any value, not reported */
    NGP_JW_OBJECT,     /* fields: known keys; unknown keys are skipped */
    NGP_JW_ARRAY,      /* elem: schema of every element */
    NGP_JW_MAP,        /* object with arbitrary keys; elem: schema of every value */
    NGP_JW_STRING,
    NGP_JW_BOOL,
    NGP_JW_NUMBER      /* reported as its raw text; the sink checks the range */
} ngp_jw_type;

struct ngp_jw_schema;

typedef struct ngp_jw_field {
    const char *name;                  /* NULL ends the list */
    const struct ngp_jw_schema *schema;
} ngp_jw_field;

typedef struct ngp_jw_schema {
    ngp_jw_type type;
    int id;                            /* passed to the sink with every event */
    bool icase;                        /* the root's holds for every object of the body:
                                          keys match field names as Go's encoding/json
                                          matches them (an exact match wins, else a
                                          case-folded one, jsonwalk.c); read only there */
    bool capture;                      /* OBJECT: copy its bytes (see above) */
    bool batch;                        /* ARRAY of STRING: its plain strings come many an
                                          event (NGP_JW_STRINGS), the rest one by one */
    const ngp_jw_field *fields;         /* OBJECT */
    const struct ngp_jw_schema *elem;   /* ARRAY, MAP */
} ngp_jw_schema;

typedef enum {
    NGP_JW_BEGIN,      /* an OBJECT, ARRAY or MAP starts */
    NGP_JW_END,        /* it ends; for a captured object: off/len in the capture buffer */
    NGP_JW_KEY,        /* a MAP key (str/len), before the value's events; id is the MAP's */
    NGP_JW_VALUE,      /* a STRING (decoded text), BOOL ("true"/"false") or NUMBER (raw text) */
    NGP_JW_NULL,       /* null where the schema named a value */
    NGP_JW_STRINGS     /* elements of a batch ARRAY: nspans strings, each spans[i].len bytes at
                          str + spans[i].from, as Go reads them (no escape, no byte >= 0x80), not
                          NUL-terminated, valid only during the callback; id is the elements' */
} ngp_jw_event_kind;

typedef struct ngp_jw_event {
    ngp_jw_event_kind kind;
    int id;
    const char *str;  /* KEY, VALUE: len bytes, valid only during the callback; NUL-terminated
                         only for NUMBER and BOOL (a string goes uncopied to the sink);
                         a string holds no NUL (see above) */
    size_t len;
    bool boolean;     /* BOOL values */
    size_t off, len_bytes;  /* END of a captured object */
    const ngp_scan_span *spans;   /* STRINGS */
    size_t nspans;
} ngp_jw_event;

/* The sink returns NGP_OK to go on, or the status of the error it recorded
 * with ngp_jw_fail to stop the walk. */
typedef ngp_status (*ngp_jw_sink)(void *user, const ngp_jw_event *ev);

typedef struct ngp_jw ngp_jw;

#define NGP_JW_MAX_DEPTH 128

/* Starts a walk of one JSON document against root. Never NULL (aborts on OOM). */
ngp_jw *ngp_jw_new(const ngp_jw_schema *root, ngp_jw_sink sink, void *user);
void ngp_jw_free(ngp_jw *w);

/* Feeds the next chunk. Returns NGP_OK, or the status of the first error
 * (later chunks are then ignored and return the same status). */
ngp_status ngp_jw_feed(ngp_jw *w, const char *chunk, size_t len);
/* Ends the document (trailing garbage, truncation and an empty body are
 * errors). Returns NGP_OK or the error's status. */
ngp_status ngp_jw_finish(ngp_jw *w);

/* Records an error (first one wins) with the current path and byte offset:
 * the message reads "<path>: <text> (at byte <offset>)" - path like
 * "Pod.spec.tolerations[2].effect". Returns code, for `return ngp_jw_fail(...)`. */
ngp_status ngp_jw_fail(ngp_jw *w, ngp_status code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* ngp_jw_fail for string k of the NGP_JW_STRINGS event being reported: its path and offset. */
ngp_status ngp_jw_fail_at(ngp_jw *w, size_t k, ngp_status code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* The current path as text (e.g. "Nodes.items[3].metadata.name"), for
 * messages built by the sink. Valid until the next event. */
const char *ngp_jw_path(ngp_jw *w);
/* The walk's error: code NGP_OK while there is none. */
const ngp_err *ngp_jw_error(const ngp_jw *w);

/* The capture buffer; offsets from NGP_JW_END index into it and stay valid
 * until the walker is freed. The buffer grows as the walk goes on, so the
 * pointer is valid only until the next ngp_jw_feed: fetch it again after. */
const char *ngp_jw_captured(const ngp_jw *w);
/* Total bytes fed so far. */
uint64_t ngp_jw_offset(const ngp_jw *w);

#endif
