/* routes.h - the endpoints table (routes.c) and what its handlers get from the libmicrohttpd
 * lifecycle (http.c): the server, the request's state and the reply helpers. */
#ifndef SRV_ROUTES_H
#define SRV_ROUTES_H

#include <microhttpd.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "buf.h"
#include "content_type.h"
#include "http.h"
#include "record.h"

struct srv_server {
    struct MHD_Daemon *mhd;
    const struct nodegate_plugin *api;
    ng_index *index;
    uint64_t max_body;
    srv_limits *limits;        /* the connection limits and deadlines */
    sem_t call_slots;          /* --threads: a plugin call waits for one, health never does */
    srv_recorder *recorder;    /* NULL unless --record */
    char *endpoints;           /* the 404 text's list, from the table (srv_route_endpoints) */
    kube_source *source;       /* borrowed; NULL unless the API server feeds the cache */
    double cache_stale_after;  /* --cache-stale-after, in seconds */
    srv_tls *tls;              /* borrowed; NULL unless --tls-cert-file */
    int listen_fd;             /* the listening socket once quiesced (srv_server_drain), else -1 */
    atomic_bool draining;      /* shutting down: replies say Connection: close */
    pthread_mutex_t writes;    /* serializes the node API's writes (POST, DELETE, PATCH's read-modify-write) */
    pthread_mutex_t mu;        /* guards the wait for in_flight to reach 0 */
    pthread_cond_t idle;       /* signalled when a request ends while draining */
    unsigned in_flight;        /* requests begun and not completed, under mu */
};

enum { SRV_GET = 1, SRV_POST = 2, SRV_PATCH = 4, SRV_DELETE = 8 };   /* a route's methods; HEAD is GET */

typedef struct srv_route srv_route;

/* Per-request state, from the request line (MHD_OPTION_URI_LOG_CALLBACK) to NOTIFY_COMPLETED. */
typedef struct srv_request {
    srv_server *server;
    struct timespec start;
    bool begun;                    /* the headers are in and were seen */
    size_t target_len;             /* the request target's bytes, as sent */
    const srv_route *route;        /* set once the path and method found a row */
    char *segment;                 /* then its last path segment (for "nodes/{name}", the node's name) */
    srv_body_type body_type;       /* what its Content-Type says the body is */
    bool whole;                    /* the body is taken whole into body: a patch, or YAML */
    host_buf body;
    ng_call *call;                 /* rows that stream: the plugin call the body streams into */
    uint64_t bytes;                /* body bytes received */
    bool close;                    /* the reply closes the connection */
    unsigned status;               /* for the log line */
    size_t reply_bytes;
    char method[8];
    char path[256];
    srv_recording rec;             /* the body, kept only when recording */
} srv_request;

/* Answers once the whole body is in (and is within --max-body). */
typedef enum MHD_Result srv_reply_fn(srv_server *s, struct MHD_Connection *conn, srv_request *r);
/* Answers on the first callback, from the path (r->segment) alone: no body is read, no size is
 * checked. */
typedef enum MHD_Result srv_at_once_fn(srv_server *s, struct MHD_Connection *conn, srv_request *r);

/* One endpoint, matched on the last path segment so that any urlPrefix works. A handler queues
 * exactly one reply, with srv_reply_text or srv_reply_plugin. */
struct srv_route {
    const char *name;          /* the last path segment, or "PARENT/{x}": any segment under PARENT */
    unsigned methods;          /* one of SRV_GET, SRV_POST, SRV_PATCH, SRV_DELETE; a name may have a row per method */
    srv_reply_fn *reply;       /* one of reply and at_once is set */
    srv_at_once_fn *at_once;
    bool stream;               /* the body streams into a plugin call of verb, begun on arrival
                                  (a YAML one is taken whole and converted first) */
    bool patch;                /* a merge patch: taken whole into r->body; other types than
                                  SRV_PATCH_TYPES get 415 on arrival */
    bool record;               /* --record saves the request and its reply */
    bool counted;              /* counted in /metrics under verb's name */
    bool cache_write;          /* changes the node cache: refused with 409 while a source owns it */
    bool lock_free;            /* answers without the plugin: never waits for a call slot or a lock */
    ng_verb verb;
};

/* The 409's sentence for a cache_write row while the API server owns the cache. */
#define SRV_CACHE_OWNED                                                                           \
    "the node cache follows the API server (--kubeconfig): POST /nodes, PATCH /nodes/NAME and "    \
    "DELETE /nodes/NAME are refused so that nobody who can reach this port can change scheduling " \
    "decisions"

/* The 403's sentence for a cache_write row from a client neither on this host's loopback nor
 * holding a client certificate verified against --client-ca-file. */
#define SRV_LOOPBACK_ONLY                                                                         \
    "POST /nodes, PATCH /nodes/NAME and DELETE /nodes/NAME change scheduling decisions, so they "  \
    "are accepted from "                                                                          \
    "this host's loopback only (127.0.0.0/8, ::1), or over TLS from a client whose certificate "  \
    "verifies against --client-ca-file; other clients may read"

/* Whether a request to row must be refused with 409 (SRV_CACHE_OWNED): it writes the node cache
 * and s has an API-server source, which alone decides what the cache holds. */
bool srv_cache_write_refused(const srv_server *s, const srv_route *row);

/* The row for a request's last two path segments and method (SRV_*, 0 for others): the first
 * row matching both. When the path matches but no row allows the method, returns NULL and
 * writes the Allow text of the first such row, plain rows first (its methods over all rows of
 * that name, "GET, POST") to allow; "" when nothing matches the path (a 404). */
const srv_route *srv_route_find(const char *last, const char *prev, unsigned method, char *allow,
                                size_t allowlen);
/* "/filter, /prioritize, ... or /stats": every plain row's name once, in table order, for the 404
 * text. The caller frees it. */
char *srv_route_endpoints(void);

/* Queues {"Error": text} (text is JSON-escaped here) and logs it. */
enum MHD_Result srv_reply_error(struct MHD_Connection *conn, srv_request *r, unsigned status, const char *text);
/* Queues a server-made JSON body, printf-style; every value put in must be JSON-escaped already.
 * allow, when not NULL, becomes the Allow header. Errors (>= 400) are logged. */
enum MHD_Result srv_reply_text(struct MHD_Connection *conn, srv_request *r, unsigned status,
                               const char *allow, const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* Queues body (malloc'd, of len bytes; libmicrohttpd frees it once sent) with the Content-Type
 * given. Not logged: a body that is not JSON may span lines, so the caller logs an error. */
enum MHD_Result srv_reply_body(struct MHD_Connection *conn, srv_request *r, unsigned status,
                               const char *content_type, char *body, size_t len);
/* Hands a plugin reply to libmicrohttpd without copying; the plugin frees it once sent. */
enum MHD_Result srv_reply_plugin(srv_server *s, struct MHD_Connection *conn, srv_request *r,
                                 ng_reply *reply);

#endif
