/* source.h - the node source: the API server's nodes, listed and then watched on a thread of
 * their own, streamed into the plugin's index through the ABI, as client-go's reflector does
 * (list, watch from its resourceVersion, relist on 410, reconnect with backoff otherwise).
 * Its state is read by /readyz and /metrics from any thread. */
#ifndef KUBE_SOURCE_H
#define KUBE_SOURCE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nodegate.h"
#include "client.h"

/* Watch event types, counted per type. */
typedef enum { KUBE_EV_ADDED, KUBE_EV_MODIFIED, KUBE_EV_DELETED, KUBE_EV_BOOKMARK, KUBE_EV_ERROR,
               KUBE_EV_COUNT } kube_event_type;
extern const char *const kube_event_names[KUBE_EV_COUNT];   /* "ADDED", ... */

/* Why a list or watch failed, counted per reason (the label of nodegate_node_source_errors_total). */
typedef enum {
    KUBE_ERR_CONNECT,        /* refused, reset, DNS, or dropped mid-stream */
    KUBE_ERR_TLS,            /* handshake or certificate check */
    KUBE_ERR_UNAUTHORIZED,   /* 401 */
    KUBE_ERR_FORBIDDEN,      /* 403 */
    KUBE_ERR_THROTTLED,      /* 429 */
    KUBE_ERR_SERVER,         /* 5xx */
    KUBE_ERR_STATUS,         /* any other unexpected HTTP status */
    KUBE_ERR_EXPIRED,        /* 410 Gone / Expired: the resourceVersion is too old, so relist */
    KUBE_ERR_MALFORMED,      /* a body or event that does not parse */
    KUBE_ERR_REJECTED,       /* the plugin refused an object */
    KUBE_ERR_STALLED,        /* a watch silent past the bound */
    KUBE_ERR_COUNT
} kube_error_reason;
extern const char *const kube_error_names[KUBE_ERR_COUNT];  /* "connect", "tls", ... */

/* Counters and facts, written by the source's thread only, read by anyone. Times are seconds
 * since the Unix epoch (wall) or on CLOCK_MONOTONIC (mono), as named; 0 means never. */
typedef struct kube_source_stats {
    atomic_bool synced;                    /* the first complete list has been applied */
    atomic_uint_fast64_t events[KUBE_EV_COUNT];
    atomic_uint_fast64_t errors[KUBE_ERR_COUNT];
    atomic_uint_fast64_t relists;          /* complete lists applied after the first */
    _Atomic double last_event_wall;        /* when the last event or list was applied */
    _Atomic double failing_since_mono;     /* when the current run of failures began; 0: healthy */
} kube_source_stats;

typedef struct kube_source kube_source;

typedef struct kube_source_options {
    double stall_after;           /* seconds without a byte after which a watch is restarted; 0: never */
} kube_source_options;

/* Starts the thread. api and index are borrowed and must outlive the source; k is owned. */
kube_source *kube_source_start(kube_client *k, const struct nodegate_plugin *api, ng_index *index,
                               const kube_source_options *opt);
/* Stops the thread (it interrupts a watch in progress) and frees the source. */
void kube_source_stop(kube_source *s);
const kube_source_stats *kube_source_stats_of(const kube_source *s);
/* The last failure as one sentence ("" while none), for /readyz. */
void kube_source_last_error(kube_source *s, char *buf, size_t len);

#endif
