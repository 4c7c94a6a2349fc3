/* err.h - the plugin's one error type: a status from one table and a sentence, where the first error wins.
 *
 * Shaped after jansson's json_error_t: owned by the caller, fixed size, no
 * allocation on the error path. Every status, with the HTTP status it becomes,
 * is one row of NGP_STATUS_MAP (libuv's UV_ERRNO_MAP), and only the ABI edge
 * (abi.c) turns a status into its HTTP number. A rejected node is not an
 * error: it is an outcome (outcome.h). */
#ifndef NGP_ERR_H
#define NGP_ERR_H

#include <stdbool.h>

/* X(name, http status) */
#define NGP_STATUS_MAP(X)                                                                      \
    X(NGP_OK, 200)          /* no error */                                                     \
    X(NGP_EBADJSON, 400)    /* malformed or ill-typed input, or a required object missing */  \
    X(NGP_EBADARG, 400)     /* an argument kube-scheduler never sends: an invalid node name */ \
    X(NGP_ENOTFOUND, 404)   /* an unknown verb, or a node the cache lacks */                  \
    X(NGP_ETOOBIG, 413)     /* more nodes than one call may name (NGP_MAX_NODES) */           \
    X(NGP_EINVALID, 422)    /* well-formed but invalid, as the API server would refuse it */  \
    X(NGP_EINTERNAL, 500)   /* a broken invariant of the plugin itself */

typedef enum {
#define NGP_STATUS_ENUM(name, http) name,
    NGP_STATUS_MAP(NGP_STATUS_ENUM)
#undef NGP_STATUS_ENUM
} ngp_status;

/* The sentence of an error reply: long enough for a field path and upstream's
 * longest messages; longer texts are cut. */
#define NGP_ERR_TEXT 1024

typedef struct ngp_err {
    ngp_status code;           /* NGP_OK until an error is recorded */
    char text[NGP_ERR_TEXT];   /* NUL-terminated once code is set */
} ngp_err;

/* Records code and the printf-style sentence, unless e already holds an
 * error (the first one wins). Returns false, for `return ngp_err_set(...)`. */
bool ngp_err_set(ngp_err *e, ngp_status code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* True once e holds an error. */
static inline bool ngp_err_failed(const ngp_err *e) { return e->code != NGP_OK; }
/* The HTTP status a reply with this status carries. */
int ngp_status_http(ngp_status s);

#endif
