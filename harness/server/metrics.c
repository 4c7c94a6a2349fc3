/* metrics.c - GET /metrics: request counters sharded per worker thread, summed by the scrape.
 *
 * Every libmicrohttpd worker counts its requests in a shard of its own, allocated on its first
 * request, aligned to a cache line and never freed (a thread pool has a fixed number of threads;
 * the counts must survive them). Only the owning thread writes a shard, so a bump is a relaxed
 * load and a relaxed store of the same 64-bit word: plain moves, no lock and no bus-locked
 * read-modify-write, and no line shared between two writers. A scrape walks the shard list
 * under its mutex and reads each word with a relaxed load. Scrapes are rare (seconds apart);
 * requests are thousands per second per thread. */
#include "metrics.h"

#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "source.h"
#include "log.h"
#include "xalloc.h"

/* The verb label of each counted ng_verb. */
static const char *const verb_names[] = {
    [NG_FILTER] = "filter", [NG_PRIORITIZE] = "prioritize", [NG_PREEMPT] = "preempt",
    [NG_DAEMONSET] = "daemonset", [NG_NODES] = "nodes", [NG_EXPLAIN] = "explain"};
enum { NVERBS = sizeof verb_names / sizeof *verb_names };

/* Request durations, for a call answered in ~0.1 ms (a few hundred names) to seconds (full mode,
 * tens of MB per body); kube-scheduler's default extender timeout is 5 s. */
static const uint64_t bucket_ns[] = {
    100000,    250000,    500000,    1000000,    2500000,    5000000,    10000000,   25000000,
    50000000,  100000000, 250000000, 500000000,  1000000000, 2500000000, 5000000000, 10000000000};
static const char *const bucket_le[] = {
    "0.0001", "0.00025", "0.0005", "0.001", "0.0025", "0.005", "0.01", "0.025",
    "0.05",   "0.1",     "0.25",   "0.5",   "1",      "2.5",   "5",    "10"};
enum { NBUCKETS = sizeof bucket_ns / sizeof *bucket_ns };
_Static_assert(sizeof bucket_le / sizeof *bucket_le == NBUCKETS, "a label per bucket");

/* Statuses are counted at their own index; 0 is "no reply" (and anything out of range, which
 * libmicrohttpd would not send). */
enum { NCODES = 600 };

typedef _Atomic uint64_t counter;

typedef struct verb_counts {
    counter buckets[NBUCKETS + 1];   /* not cumulative: [NBUCKETS] is over the last bound */
    counter duration_ns;
    counter in_bytes, out_bytes;
} verb_counts;

typedef struct shard {
    _Alignas(64) verb_counts verbs[NVERBS];
    counter requests[NVERBS][NCODES];
    struct shard *next;   /* set before the shard is published, then never written */
} shard;

static pthread_mutex_t shards_lock = PTHREAD_MUTEX_INITIALIZER;
static shard *shards;                   /* under shards_lock */
static _Thread_local shard *my_shard;

static shard *shard_register(void)
{
    /* sizeof is a multiple of the 64-byte alignment, so no other object shares its lines */
    shard *sh = aligned_alloc(_Alignof(shard), sizeof(shard));
    if (!sh)
        host_oom(sizeof(shard));
    memset(sh, 0, sizeof *sh);   /* zero bytes are zero counters on every C11 target we build */
    pthread_mutex_lock(&shards_lock);
    sh->next = shards;
    shards = sh;
    pthread_mutex_unlock(&shards_lock);
    return my_shard = sh;
}

/* Only the owning thread writes, so no increment is ever lost without a read-modify-write. */
static inline void bump(counter *c, uint64_t n)
{
    atomic_store_explicit(c, atomic_load_explicit(c, memory_order_relaxed) + n, memory_order_relaxed);
}

void srv_metrics_observe(ng_verb verb, unsigned status, uint64_t ns, uint64_t in_bytes,
                         uint64_t out_bytes)
{
    if ((unsigned)verb >= NVERBS)
        return;
    shard *sh = my_shard ? my_shard : shard_register();
    verb_counts *v = &sh->verbs[verb];
    size_t b = 0;
    while (b < NBUCKETS && ns > bucket_ns[b])   /* Prometheus buckets are "less or equal" */
        b++;
    bump(&v->buckets[b], 1);
    bump(&v->duration_ns, ns);
    bump(&v->in_bytes, in_bytes);
    bump(&v->out_bytes, out_bytes);
    bump(&sh->requests[verb][status < NCODES ? status : 0], 1);
}

/* ---- the scrape ---- */

static uint64_t load(const counter *c)
{
    return atomic_load_explicit(c, memory_order_relaxed);
}

/* What a scrape reads: the shards summed. */
typedef struct totals {
    uint64_t buckets[NVERBS][NBUCKETS + 1];
    uint64_t duration_ns[NVERBS], in_bytes[NVERBS], out_bytes[NVERBS];
    uint64_t requests[NVERBS][NCODES];
} totals;

/* Each word is read once; a request finishing meanwhile may be in some words and not yet in
 * others, which the next scrape corrects (counters only grow). */
static void sum_shards(totals *t)
{
    pthread_mutex_lock(&shards_lock);
    for (const shard *sh = shards; sh; sh = sh->next)
        for (size_t v = 0; v < NVERBS; v++) {
            for (size_t b = 0; b <= NBUCKETS; b++)
                t->buckets[v][b] += load(&sh->verbs[v].buckets[b]);
            t->duration_ns[v] += load(&sh->verbs[v].duration_ns);
            t->in_bytes[v] += load(&sh->verbs[v].in_bytes);
            t->out_bytes[v] += load(&sh->verbs[v].out_bytes);
            for (size_t c = 0; c < NCODES; c++)
                t->requests[v][c] += load(&sh->requests[v][c]);
        }
    pthread_mutex_unlock(&shards_lock);
}

static void family(FILE *out, const char *name, const char *type, const char *help)
{
    fprintf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* A label value as the text format wants it: backslash, double quote and newline escaped. */
static void label_value(FILE *out, const char *s)
{
    for (; *s; s++) {
        if (*s == '\\' || *s == '"')
            fputc('\\', out), fputc(*s, out);
        else if (*s == '\n')
            fputs("\\n", out);
        else
            fputc(*s, out);
    }
}

static void write_requests(FILE *out)
{
    totals *t = host_xcalloc(1, sizeof *t);
    sum_shards(t);
    family(out, "nodegate_requests_total", "counter",
           "Requests to the scheduler verbs and the node API (verb \"nodes\": POST /nodes and "
           "DELETE /nodes/NAME), by HTTP status; code 0: the client went away before a reply.");
    for (size_t v = 0; v < NVERBS; v++)
        for (size_t c = 0; c < NCODES; c++)
            if (t->requests[v][c])
                fprintf(out, "nodegate_requests_total{verb=\"%s\",code=\"%zu\"} %llu\n", verb_names[v], c,
                        (unsigned long long)t->requests[v][c]);
    family(out, "nodegate_request_duration_seconds", "histogram",
           "Time from a request's first callback to the end of its reply, by verb.");
    for (size_t v = 0; v < NVERBS; v++) {
        uint64_t cumulative = 0;
        for (size_t b = 0; b < NBUCKETS; b++) {
            cumulative += t->buckets[v][b];
            fprintf(out, "nodegate_request_duration_seconds_bucket{verb=\"%s\",le=\"%s\"} %llu\n",
                    verb_names[v], bucket_le[b], (unsigned long long)cumulative);
        }
        cumulative += t->buckets[v][NBUCKETS];
        uint64_t ns = t->duration_ns[v];
        fprintf(out,
                "nodegate_request_duration_seconds_bucket{verb=\"%s\",le=\"+Inf\"} %llu\n"
                "nodegate_request_duration_seconds_sum{verb=\"%s\"} %llu.%09llu\n"
                "nodegate_request_duration_seconds_count{verb=\"%s\"} %llu\n",
                verb_names[v], (unsigned long long)cumulative, verb_names[v],
                (unsigned long long)(ns / 1000000000u), (unsigned long long)(ns % 1000000000u),
                verb_names[v], (unsigned long long)cumulative);
    }
    family(out, "nodegate_request_bytes_total", "counter", "Request body bytes received, by verb.");
    for (size_t v = 0; v < NVERBS; v++)
        fprintf(out, "nodegate_request_bytes_total{verb=\"%s\"} %llu\n", verb_names[v],
                (unsigned long long)t->in_bytes[v]);
    family(out, "nodegate_response_bytes_total", "counter", "Reply body bytes queued, by verb.");
    for (size_t v = 0; v < NVERBS; v++)
        fprintf(out, "nodegate_response_bytes_total{verb=\"%s\"} %llu\n", verb_names[v],
                (unsigned long long)t->out_bytes[v]);
    free(t);
}

static void write_build_info(FILE *out, const struct nodegate_plugin *api)
{
    family(out, "nodegate_build_info", "gauge",
           "Always 1: the plugin's version and the ABI version it was built for.");
    fputs("nodegate_build_info{version=\"", out);
    label_value(out, api->version);
    fprintf(out, "\",abi=\"%u\"} 1\n", (unsigned)api->abi_version);
}

/* The cache's gauges, from the plugin's index_stats JSON. Logged and left out when the reply
 * is not what nodegate.h describes. */
static void write_cache(FILE *out, const struct nodegate_plugin *api, ng_index *index)
{
    ng_reply reply;
    int status = api->index_stats(index, &reply);
    json_error_t err;
    json_t *stats = status == 200 ? json_loadb(reply.data, reply.len, 0, &err) : NULL;
    json_int_t nodes = 0, index_bytes = 0, string_bytes = 0;
    if (!stats || json_unpack_ex(stats, &err, 0, "{s:I, s:I, s:I}", "nodes", &nodes, "index_bytes",
                                 &index_bytes, "string_bytes", &string_bytes) != 0) {
        host_log(HOST_LOG_ERROR, "/metrics: index_stats answered %d %.*s", status, (int)reply.len,
                 reply.data ? reply.data : "");
    } else {
        family(out, "nodegate_nodes", "gauge", "Nodes in the node cache.");
        fprintf(out, "nodegate_nodes %lld\n", (long long)nodes);
        family(out, "nodegate_index_bytes", "gauge",
               "Bytes the node cache holds: its index (postings, bitsets, tables) plus the names, "
               "labels and taint texts it stores (/stats index_bytes + string_bytes).");
        fprintf(out, "nodegate_index_bytes %lld\n", (long long)(index_bytes + string_bytes));
        family(out, "nodegate_index_string_bytes", "gauge",
               "Of nodegate_index_bytes, the names, labels and taint texts (/stats string_bytes).");
        fprintf(out, "nodegate_index_string_bytes %lld\n", (long long)string_bytes);
    }
    json_decref(stats);
    api->reply_free(&reply);
}

/* One sample per label value of a family whose counters are indexed by that value. */
static void labeled_counters(FILE *out, const char *name, const char *label, const char *const *values,
                             const atomic_uint_fast64_t *counts, int n)
{
    for (int i = 0; i < n; i++)
        fprintf(out, "%s{%s=\"%s\"} %llu\n", name, label, values[i],
                (unsigned long long)atomic_load_explicit(&counts[i], memory_order_relaxed));
}

/* The node source's families. Without a source only nodegate_cache_synced is written, as 1:
 * the cache is what --nodes and the node API made it, complete by definition; the watch
 * counters and the timestamp describe an API-server source, so there is none to export (an
 * exported 0 timestamp would read as a cache 56 years stale). With a source every family is
 * written from the start, each label value included at 0. */
static void write_source(FILE *out, kube_source *source)
{
    const kube_source_stats *st = source ? kube_source_stats_of(source) : NULL;
    family(out, "nodegate_cache_synced", "gauge",
           "1 once the node cache holds the API server's first complete list of nodes; always 1 "
           "without an API-server source (the cache is what --nodes and the node API loaded).");
    fprintf(out, "nodegate_cache_synced %d\n", st ? (int)atomic_load(&st->synced) : 1);
    if (!st)
        return;
    family(out, "nodegate_watch_events_total", "counter",
           "Watch events received from the API server, by type.");
    labeled_counters(out, "nodegate_watch_events_total", "type", kube_event_names, st->events, KUBE_EV_COUNT);
    family(out, "nodegate_relists_total", "counter",
           "Complete lists of nodes applied after the first (after a 410 Gone or a reconnect).");
    fprintf(out, "nodegate_relists_total %llu\n",
            (unsigned long long)atomic_load_explicit(&st->relists, memory_order_relaxed));
    family(out, "nodegate_node_source_errors_total", "counter",
           "Failed lists and watches of the API server's nodes, by reason.");
    labeled_counters(out, "nodegate_node_source_errors_total", "reason", kube_error_names, st->errors,
                     KUBE_ERR_COUNT);
    family(out, "nodegate_last_node_event_timestamp_seconds", "gauge",
           "When the last watch event or list of nodes was applied, in seconds since the Unix "
           "epoch; 0 until the first.");
    fprintf(out, "nodegate_last_node_event_timestamp_seconds %.3f\n", atomic_load(&st->last_event_wall));
}

char *srv_metrics_render(const struct nodegate_plugin *api, ng_index *index, kube_source *source,
                         unsigned in_flight, size_t *len)
{
    char *text = NULL;
    FILE *out = open_memstream(&text, len);
    if (!out)
        host_oom(4096);
    write_build_info(out, api);
    write_requests(out);
    family(out, "nodegate_requests_in_flight", "gauge",
           "Requests received and not yet answered in full, this scrape included.");
    fprintf(out, "nodegate_requests_in_flight %u\n", in_flight);
    write_cache(out, api, index);
    write_source(out, source);
    if (ferror(out) | fclose(out))
        host_oom(*len);   /* a memory stream fails only when it cannot grow */
    return text;
}
