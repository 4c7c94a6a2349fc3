/* fakeapi.h - the fake Kubernetes API server's pieces, one section per .c file. Built for tests
 * and benchmarks: up to ~65,536 nodes of ~10 KB, lists of 500 per page, ~1,000 events/s. */
#ifndef FAKEAPI_H
#define FAKEAPI_H

#include <jansson.h>
#include <microhttpd.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"

/* The resourceVersion of the initial truth, and its compaction point: a watch from an older RV
 * is too old, as after an etcd compaction. */
#define FA_START_RV 1000u

/* ---- obj.c: a Node serialized once, shared by the truth, history, snapshots and watches ---- */
/* json is the Node without kind and apiVersion (a list item; watch events add them), with its
 * metadata.resourceVersion set. Immutable once made; freed when the last reference goes. */
typedef struct fa_obj {
    atomic_uint refs;
    size_t len;           /* bytes of json, the NUL not counted */
    const char *name;     /* metadata.name, stored after json's NUL */
    char json[];
} fa_obj;

/* A new object holding a copy of json[0..len) and name, with one reference. */
fa_obj *fa_obj_new(const char *json, size_t len, const char *name);
fa_obj *fa_obj_ref(fa_obj *o);
void fa_obj_unref(fa_obj *o);   /* NULL is a no-op */
/* Serializes node (a JSON object with metadata.name) as a list item at resourceVersion rv:
 * kind and apiVersion removed, metadata.resourceVersion set (node is changed in place). NULL
 * with a sentence in err when node is not an object with a non-empty string metadata.name. */
fa_obj *fa_obj_from_node(json_t *node, uint64_t rv, char *err, size_t errlen);
/* A node serialized with a mark where its resourceVersion goes: the slow part (jansson) done
 * outside the store's lock, the RV spliced in under it with fa_prep_finish. */
typedef struct fa_prep {
    char *json;
    size_t len;
    size_t rv_at, rv_len;    /* json[rv_at..+rv_len) is replaced by the RV's digits */
    char *name;
} fa_prep;
/* As fa_obj_from_node, but with the mark; false with a sentence in err. Free with fa_prep_free. */
bool fa_prep_node(json_t *node, fa_prep *p, char *err, size_t errlen);
/* The object of p at resourceVersion rv, one reference. */
fa_obj *fa_prep_finish(const fa_prep *p, uint64_t rv);
void fa_prep_free(fa_prep *p);
/* o parsed back into a new JSON object (NULL only on an internal error). */
json_t *fa_obj_parse(const fa_obj *o);
/* Appends o as a Node object: {"kind":"Node","apiVersion":"v1",...}. */
void fa_obj_typed(host_buf *b, const fa_obj *o);
/* Appends the watch event line {"type":T,"object":{"kind":"Node","apiVersion":"v1",...}}\n. */
void fa_event_line(host_buf *b, const char *type, const fa_obj *o);

/* ---- touch.c ---- */
/* The next touch of cur as text: label fake.nodegate.io/touched counted up (added as "1"), the
 * resourceVersion marked for fa_prep_finish. False when cur's text is not as expected. */
bool fa_touch_text(const fa_obj *cur, fa_prep *p);

/* ---- gen.c: deterministic realistic nodes ---- */
/* node-00000 ... node-(n-1), each about bytes long, at resourceVersion rv, in name order. The
 * array and its references are the caller's. */
fa_obj **fa_gen_nodes(size_t n, size_t bytes, uint64_t rv);

/* ---- store.c: the truth, its history and list snapshots, under one mutex ---- */
typedef enum { FA_ADDED, FA_MODIFIED, FA_DELETED } fa_evtype;
extern const char *const fa_evtype_names[];   /* "ADDED", "MODIFIED", "DELETED" */

typedef struct fa_event {
    fa_evtype type;
    fa_obj *obj;            /* at the event's RV */
} fa_event;

/* A consistent list: the nodes at rv, sorted by name. Immutable; refcounted. */
typedef struct fa_snap {
    atomic_uint refs;
    uint64_t id, rv;
    size_t n;
    fa_obj **items;
    double expires;         /* monotonic seconds; while registered for continue tokens */
    struct fa_snap *next;
} fa_snap;

typedef enum { FA_FAULT_STATUS, FA_FAULT_GONE, FA_FAULT_DROP, FA_FAULT_STALL, FA_FAULT_MALFORMED,
               FA_FAULT_DROP_LIST } fa_fault_kind;
/* continue: a list page after the first (it carries a continue token); list matches every page. */
typedef enum { FA_MATCH_ANY, FA_MATCH_LIST, FA_MATCH_WATCH, FA_MATCH_CONTINUE } fa_match;

typedef struct fa_fault {
    fa_fault_kind kind;
    fa_match match;
    unsigned count;          /* requests still to hit */
    int code;                /* status: the HTTP status */
    int retry_after;         /* status: Retry-After seconds, -1 for none */
    char *reason, *message;  /* status and gone: overrides, or NULL */
    struct fa_fault *next;
} fa_fault;

typedef struct fa_churn fa_churn;

typedef struct fa_store {
    pthread_mutex_t mu;
    pthread_cond_t cond;     /* CLOCK_MONOTONIC; broadcast on every change of anything below */
    uint64_t rv;             /* the RV of the last change */
    uint64_t compact_rv;     /* history holds the events of RVs in (compact_rv, rv] */
    fa_obj **nodes;          /* the truth, sorted by name */
    size_t n, cap;
    fa_event *hist;          /* ring: the event of RV r is hist[r % hcap] */
    size_t hcap;
    uint64_t compact_gen;    /* +1 per /fake/compact: open watches end with ERROR 410 */
    uint64_t bookmark_gen;   /* +1 per /fake/bookmark */
    unsigned watches_open;
    uint64_t watches_started;
    fa_snap *snaps;          /* live continue tokens */
    uint64_t next_snap_id;
    char *modify_after;      /* /fake/modify resumes after this name */
    fa_fault *faults;        /* in the order queued */
    json_t *reqlog;          /* array of the API requests seen */
    fa_churn *churn;
    bool stopping;
} fa_store;

/* Monotonic seconds. */
double fa_now(void);
/* Sets up an empty store whose history keeps the last hcap events. */
void fa_store_init(fa_store *s, size_t hcap);
/* Frees everything; no thread may use s any more. */
void fa_store_free(fa_store *s);
/* Initial truth (before serving): takes objs' references; the last of a duplicated name wins.
 * Leaves rv = compact_rv = FA_START_RV. */
void fa_store_load(fa_store *s, fa_obj **objs, size_t n);

/* The functions below lock s->mu themselves unless named _locked. */
/* Upserts node (changed in place): ADDED or MODIFIED at a new RV, returned; 0 with a sentence
 * in err when node has no name. */
uint64_t fa_store_upsert(fa_store *s, json_t *node, char *err, size_t errlen);
/* DELETED (the last state at a new RV); returns the RV, or 0 when no node has that name. */
uint64_t fa_store_delete(fa_store *s, const char *name);
/* Touches count nodes whose name starts with prefix (in name order, resuming after the last one
 * touched, wrapping): label fake.nodegate.io/touched counts the touches of that node. Each is
 * re-serialized outside the lock. Returns how many (0 when no name matches). */
size_t fa_store_modify(fa_store *s, const char *prefix, size_t count);
/* History dropped, compaction point = current RV, snapshots expired, open watches ended. */
void fa_store_compact(fa_store *s);
/* Asks every open watch that allowed bookmarks for one BOOKMARK. Returns the open watches. */
unsigned fa_store_bookmark(fa_store *s);
/* Expires every continue token. */
void fa_store_expire_snapshots_locked(fa_store *s);
/* The truth now, as a snapshot with one reference; registered (given an id, kept for continue
 * tokens) when register_it. */
fa_snap *fa_store_snapshot_locked(fa_store *s, bool register_it);
/* The registered snapshot id at rv with a new reference, or NULL when expired or unknown. */
fa_snap *fa_store_snap_find(fa_store *s, uint64_t id, uint64_t rv);
/* Its last page has been served: keeps it only a little longer, for a retried page. */
void fa_store_snap_done(fa_store *s, fa_snap *snap);
void fa_snap_unref(fa_snap *snap);
/* The index of the first item named >= name (n when none). */
size_t fa_snap_seek(const fa_snap *snap, const char *name);
/* Waits on s->cond until abs_mono (monotonic seconds) at the latest. */
void fa_store_wait_locked(fa_store *s, double abs_mono);

/* ---- faults.c ---- */
/* Parses a /fault body: queues it (or acts at once, for expire-continue). Returns 0, or the HTTP
 * status of a refusal with a sentence in err. */
int fa_fault_add(fa_store *s, const char *body, size_t len, char *what, size_t whatlen, char *err,
                 size_t errlen);
/* Takes the first fault matching a request of kind req (FA_MATCH_LIST, _CONTINUE or _WATCH): *out
 * is a copy (free its strings with fa_fault_clear); false when none. */
bool fa_fault_take(fa_store *s, fa_match req, fa_fault *out);
void fa_fault_clear(fa_fault *f);
/* The queued faults as a JSON array, new reference. */
json_t *fa_fault_list_locked(fa_store *s);
void fa_fault_free_all_locked(fa_store *s);

/* ---- churn.c: MODIFIED events from a thread of our own, spread evenly in time ---- */
/* Starts (replacing a running one) rate events/s for seconds on nodes named prefix*. */
void fa_churn_start(fa_store *s, double rate, double seconds, const char *prefix);
/* The churn's state as a new JSON object. */
json_t *fa_churn_state(fa_store *s);
/* Stops it (waits for its thread). */
void fa_churn_stop(fa_store *s);

/* ---- server.c: the HTTP side ---- */
typedef struct fa_config {
    const char *listen;
    const char *port_file;
    const char *tls_cert, *tls_key, *client_ca;
    const char *token_file;
    const char *nodes_file;
    size_t generate, node_bytes, history;
    bool no_watch_list;
    bool verbose;
} fa_config;

typedef enum { FA_AUTH_NONE, FA_AUTH_TOKEN, FA_AUTH_CERT } fa_auth_kind;
extern const char *const fa_auth_names[];   /* "none", "token", "cert" */

/* One request: made by the URI callback, freed when MHD completes it. */
typedef struct fa_req {
    char *uri;               /* as sent: path and query */
    const char *query;       /* into uri: after '?', or "" */
    host_buf body;
    bool too_large;          /* the body passed MAX_BODY */
    bool started;
    bool api;                /* an API request (not /fake/): logged in /fake/requests */
    fa_auth_kind auth;
    unsigned status;
} fa_req;

typedef struct fa_server {
    const fa_config *cfg;
    fa_store *store;
    struct MHD_Daemon *d;
    char *cert_pem, *key_pem, *ca_pem;
    double started;
} fa_server;

/* Starts serving; false with a sentence in err. */
bool fa_server_start(fa_server *srv, const fa_config *cfg, fa_store *s, char *err, size_t errlen);
/* Ends every open watch and request and stops the daemon. */
void fa_server_stop(fa_server *srv);
/* The bound port. */
unsigned fa_server_port(const fa_server *srv);

/* Queues body (taken, malloc'd) as the JSON reply with that status. */
enum MHD_Result fa_reply_json(fa_server *srv, fa_req *r, struct MHD_Connection *c, unsigned status,
                              char *body, size_t len);
/* Queues j (its reference taken) dumped compactly, with a final newline. */
enum MHD_Result fa_reply_jsonv(fa_server *srv, fa_req *r, struct MHD_Connection *c, unsigned status,
                               json_t *j);
/* Queues resp (taken) with that status: the common headers, the request log, the --v line. */
enum MHD_Result fa_queue(fa_server *srv, fa_req *r, struct MHD_Connection *c, unsigned status,
                         struct MHD_Response *resp);

/* ---- status.c: metav1.Status bodies ---- */
/* The reason kube-apiserver gives an HTTP status ("InternalError" for 500, ...). */
const char *fa_status_reason(int code);
/* A new Status object: Failure, message, reason, optional details (taken), code. */
json_t *fa_status_new(int code, const char *reason, const char *message, json_t *details);
/* Queues a Status reply; retry_after >= 0 adds Retry-After and details.retryAfterSeconds. */
enum MHD_Result fa_reply_status(fa_server *srv, fa_req *r, struct MHD_Connection *c, int code,
                                const char *reason, const char *message, json_t *details,
                                int retry_after);
/* A field error list for 422 Invalid ListOptions. */
typedef struct fa_field_errs {
    json_t *causes;          /* array of {reason, message, field} */
    host_buf text;             /* "field: Type: detail" joined by ", " */
    unsigned n;
} fa_field_errs;
void fa_field_forbidden(fa_field_errs *e, const char *field, const char *detail);
void fa_field_not_supported(fa_field_errs *e, const char *field, const char *value,
                            const char *supported_json);
/* Queues the 422 for e (and frees e's contents). */
enum MHD_Result fa_reply_invalid_listoptions(fa_server *srv, fa_req *r, struct MHD_Connection *c,
                                             fa_field_errs *e);
void fa_field_errs_free(fa_field_errs *e);

/* ---- auth.c ---- */
/* Authenticates c as configured: *kind is the credential that did it (or, when refused or when
 * nothing is required, the one presented). Returns true when the request may go on. */
bool fa_auth_check(const fa_config *cfg, struct MHD_Connection *c, fa_auth_kind *kind);

/* ---- reqlog.c ---- */
void fa_reqlog_add(fa_server *srv, struct MHD_Connection *c, const fa_req *r, const char *method,
                   const char *path);
/* The log as the body of GET /fake/requests: a JSON array, one request a line. Caller frees. */
char *fa_reqlog_dump_locked(fa_store *s, size_t *len);

/* ---- list.c and watch.c: GET /api/v1/nodes ---- */
enum MHD_Result fa_list(fa_server *srv, fa_req *r, struct MHD_Connection *c);
enum MHD_Result fa_watch(fa_server *srv, fa_req *r, struct MHD_Connection *c);
/* GET /api/v1/nodes/NAME. */
enum MHD_Result fa_get_node(fa_server *srv, fa_req *r, struct MHD_Connection *c, const char *name);
/* Answers with an injected status fault (list.c words the default messages). */
enum MHD_Result fa_reply_fault_status(fa_server *srv, fa_req *r, struct MHD_Connection *c,
                                      const fa_fault *f, bool watch);
/* Go's strconv.ParseBool: 1 t T TRUE true True / 0 f F FALSE false False; -1 otherwise. */
int fa_parse_bool(const char *s);
/* A query argument, or NULL. */
const char *fa_arg(struct MHD_Connection *c, const char *name);

/* ---- control.c: /fake/ ---- */
enum MHD_Result fa_control(fa_server *srv, fa_req *r, struct MHD_Connection *c, const char *method,
                           const char *path);

#endif
