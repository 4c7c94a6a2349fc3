/* metrics.h - nodegate-server's GET /metrics in the Prometheus text format 0.0.4: per-request
 * counters kept in per-thread shards (a request touches only its own thread's cache lines),
 * summed at scrape time, plus gauges read from the plugin and the node source. */
#ifndef SRV_METRICS_H
#define SRV_METRICS_H

#include <stddef.h>
#include <stdint.h>

#include "nodegate.h"

typedef struct kube_source kube_source;

/* The Content-Type of what srv_metrics_render writes. */
#define SRV_METRICS_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

/* Counts one finished request to verb: its HTTP status (0 when no reply was queued because
 * the client went away first), how long it took in nanoseconds, the body bytes received and
 * the reply body's length. Called from the request's own libmicrohttpd thread; the first call
 * on a thread allocates that thread's shard (aborts on OOM), later ones take no lock and do no
 * atomic read-modify-write. A verb past NG_NODES is ignored until metrics.c names it. */
void srv_metrics_observe(ng_verb verb, unsigned status, uint64_t ns, uint64_t in_bytes,
                         uint64_t out_bytes);

/* The whole exposition: the request counters summed over every shard, build info, the cache's
 * gauges from api->index_stats (takes the plugin's read lock) and, when source is not NULL, the
 * node source's counters, and in_flight as the requests in flight. Thread-safe. Returns a malloc'd text the caller frees, its length in
 * *len. */
char *srv_metrics_render(const struct nodegate_plugin *api, ng_index *index, kube_source *source,
                         unsigned in_flight, size_t *len);

#endif
