/* source.c - the node source: list, then watch from the list's resourceVersion, as client-go's
 * reflector does, on a thread of its own.
 *
 * A list (a streaming list where the server has WatchList, else LIST pages of 500) goes into a
 * staged index and replaces the cache at once when complete. Watch events come one a line, and
 * each is applied whole through nodes_apply. A 410 (HTTP or an ERROR event) relists; any
 * other failure reconnects from the last resourceVersion after an exponential backoff with
 * jitter (client-go's 800 ms doubling to 30 s). A watch silent past the stall bound is
 * restarted. Logs come once per change of state, never once per retry. */
#include "source.h"

#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <yajl/yajl_tree.h>

#include "deadline.h"
#include "frames.h"
#include "log.h"
#include "xalloc.h"

const char *const kube_event_names[KUBE_EV_COUNT] = {"ADDED", "MODIFIED", "DELETED", "BOOKMARK", "ERROR"};
const char *const kube_error_names[KUBE_ERR_COUNT] = {
    "connect", "tls", "unauthorized", "forbidden", "throttled", "server_error", "unexpected_status",
    "expired", "malformed", "rejected", "stalled"};

enum {
    PAGE_SIZE = 500,              /* client-go's pager */
    ERROR_BODY_MAX = 4096,        /* of a non-200 body, kept for its Status message */
};
#define BACKOFF_BASE 0.8          /* seconds, client-go's reflector */
#define BACKOFF_CAP 30.0
#define WATCH_TIMEOUT_MIN 300     /* timeoutSeconds from [5, 10) minutes, as client-go draws it */

typedef enum { OUT_OK, OUT_EXPIRED, OUT_FAILED, OUT_UNSUPPORTED, OUT_STOPPED } outcome;

struct kube_source {
    kube_client *client;
    const struct nodegate_plugin *api;
    ng_index *index;
    kube_source_options opt;
    CURL *curl;                   /* one handle, reused: the connection is kept alive */
    pthread_t thread;
    atomic_bool stop;
    pthread_mutex_t mu;           /* guards last_error and the stop wait */
    pthread_cond_t wake;
    char last_error[512];
    char rv[128];                 /* where the next watch resumes; "" before the first list */
    bool no_watch_list;           /* the server refused a streaming list: LIST from now on */
    unsigned failures;            /* in a row, for the backoff */
    unsigned expired_in_row;      /* 410s since the last complete list */
    unsigned seed;                /* rand_r's, for jitter and watch timeouts */
    int logged_reason;            /* the failure last logged, -1 while healthy */
    kube_source_stats stats;
};

static double now_mono(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static double now_wall(void)
{
    struct timespec t;
    clock_gettime(CLOCK_REALTIME, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* ---- state: failures counted and logged once per change, recovery logged once ---- */

static void failed(kube_source *s, kube_error_reason why, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void failed(kube_source *s, kube_error_reason why, const char *fmt, ...)
{
    char text[sizeof s->last_error];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    atomic_fetch_add(&s->stats.errors[why], 1);
    if (atomic_load(&s->stats.failing_since_mono) == 0)
        atomic_store(&s->stats.failing_since_mono, now_mono());
    pthread_mutex_lock(&s->mu);
    snprintf(s->last_error, sizeof s->last_error, "%s", text);
    pthread_mutex_unlock(&s->mu);
    s->failures++;
    if (s->logged_reason != (int)why)
        host_log(HOST_LOG_ERROR, "node source %s: %s (%s); retrying with backoff",
                 s->logged_reason < 0 ? "failing" : "still failing", text, kube_error_names[why]);
    else
        host_log(HOST_LOG_DEBUG, "node source: %s", text);
    s->logged_reason = (int)why;
}

/* A 410: the resourceVersion is too old, which a long watch meets in the normal course (etcd
 * compacts every 5 minutes), so it is counted and relisted, not a failure of the source. */
static void expired(kube_source *s, const char *what, const char *detail)
{
    atomic_fetch_add(&s->stats.errors[KUBE_ERR_EXPIRED], 1);
    s->expired_in_row++;
    host_log(HOST_LOG_INFO, "node source: %s: %s; relisting", what, detail);
}

static void healthy(kube_source *s)
{
    double since = atomic_load(&s->stats.failing_since_mono);
    if (since != 0)
        host_log(HOST_LOG_INFO, "node source recovered after %u failed attempts in %.1f s", s->failures,
                 now_mono() - since);
    atomic_store(&s->stats.failing_since_mono, 0.0);
    s->failures = 0;
    s->logged_reason = -1;
    pthread_mutex_lock(&s->mu);
    s->last_error[0] = '\0';
    pthread_mutex_unlock(&s->mu);
}

/* Waits seconds or until stopped; false when stopped. */
static bool pause_for(kube_source *s, double seconds)
{
    struct timespec until = host_deadline(seconds);
    pthread_mutex_lock(&s->mu);
    while (!atomic_load(&s->stop) && pthread_cond_timedwait(&s->wake, &s->mu, &until) == 0) {
    }
    pthread_mutex_unlock(&s->mu);
    return !atomic_load(&s->stop);
}

/* client-go's backoff: 0.8 s doubling to a 30 s cap, plus up to as much again of jitter, so
 * that many extenders restarted together do not hit the API server in step. */
static double backoff(kube_source *s, double retry_after)
{
    double d = BACKOFF_BASE * pow(2.0, s->failures > 1 ? (double)(s->failures - 1) : 0.0);
    if (d > BACKOFF_CAP)
        d = BACKOFF_CAP;
    d += d * ((double)rand_r(&s->seed) / RAND_MAX);
    return retry_after > d ? retry_after : d;
}

/* ---- one HTTP request: status, a bounded error body, stall and stop checks ---- */

typedef struct request {
    kube_source *s;
    long status;
    char error_body[ERROR_BODY_MAX + 1];
    size_t error_len;
    bool (*sink)(void *ctx, const char *data, size_t len);   /* a 200 body; false aborts */
    void *ctx;
    double last_byte;
    bool stalled;
} request;

static size_t on_body(char *data, size_t size, size_t n, void *user)
{
    request *r = user;
    size_t len = size * n;
    r->last_byte = now_mono();
    if (!r->status)
        curl_easy_getinfo(r->s->curl, CURLINFO_RESPONSE_CODE, &r->status);
    if (r->status != 200) {
        size_t room = ERROR_BODY_MAX - r->error_len, take = len < room ? len : room;
        memcpy(r->error_body + r->error_len, data, take);
        r->error_len += take;
        r->error_body[r->error_len] = '\0';
        return len;
    }
    return r->sink(r->ctx, data, len) ? len : 0;
}

/* Called at least once a second, data or not: the place to notice a stop or a stall. */
static int on_progress(void *user, curl_off_t dt, curl_off_t dn, curl_off_t ut, curl_off_t un)
{
    request *r = user;
    if (atomic_load(&r->s->stop))
        return 1;
    if (r->s->opt.stall_after > 0 && now_mono() - r->last_byte > r->s->opt.stall_after) {
        r->stalled = true;
        return 1;
    }
    return 0;
}

/* gzip is asked for on LIST pages only, as client-go's transport asks for it: the API server
 * compresses a large list. It compresses a streaming list's watch too, and the gzip decoder of
 * libcurl 7.88 (Debian 12) fails that stream at its first event after the initial ones (a write
 * error, "Failed reading the chunked-encoded stream"), so watches go uncompressed. */
static CURLcode perform(kube_source *s, request *r, const char *path, bool gzip)
{
    struct curl_slist *headers = NULL;
    kube_client_prepare(s->client, s->curl, path, &headers);
    curl_easy_setopt(s->curl, CURLOPT_ACCEPT_ENCODING, gzip ? "" : NULL);
    curl_easy_setopt(s->curl, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(s->curl, CURLOPT_WRITEDATA, r);
    curl_easy_setopt(s->curl, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(s->curl, CURLOPT_XFERINFOFUNCTION, on_progress);
    curl_easy_setopt(s->curl, CURLOPT_XFERINFODATA, r);
    curl_easy_setopt(s->curl, CURLOPT_BUFFERSIZE, 256L << 10);   /* fewer, larger writes of a list */
    r->s = s;
    r->last_byte = now_mono();
    CURLcode rc = curl_easy_perform(s->curl);
    curl_slist_free_all(headers);
    if (!r->status)
        curl_easy_getinfo(s->curl, CURLINFO_RESPONSE_CODE, &r->status);
    return rc;
}

/* The string at key of a small JSON object parsed with yajl_tree (a plugin reply, a Status), or "". */
static void string_at(yajl_val reply, const char *key, char *out, size_t len)
{
    const char *path[] = {key, NULL};
    yajl_val f = reply ? yajl_tree_get(reply, path, yajl_t_string) : NULL;
    snprintf(out, len, "%s", f ? YAJL_GET_STRING(f) : "");
}

/* The message of a Status body, or the body's start. */
static void status_message(const request *r, char *out, size_t len)
{
    yajl_val v = yajl_tree_parse(r->error_body, NULL, 0);
    char msg[320];
    string_at(v, "message", msg, sizeof msg);
    snprintf(out, len, "%.300s", msg[0] ? msg : r->error_body);
    yajl_tree_free(v);
}

/* Turns a request that did not end in a complete 200 into an outcome, counting and logging. */
static outcome judge(kube_source *s, request *r, CURLcode rc, const char *what)
{
    if (atomic_load(&s->stop))
        return OUT_STOPPED;
    if (r->stalled) {
        failed(s, KUBE_ERR_STALLED, "%s: nothing received for %.0f s", what, s->opt.stall_after);
        return OUT_FAILED;
    }
    if (rc != CURLE_OK && rc != CURLE_WRITE_ERROR && (r->status == 0 || r->status == 200)) {
        bool tls = rc == CURLE_SSL_CONNECT_ERROR || rc == CURLE_PEER_FAILED_VERIFICATION ||
                   rc == CURLE_SSL_CERTPROBLEM || rc == CURLE_SSL_CACERT_BADFILE || rc == CURLE_SSL_CIPHER;
        failed(s, tls ? KUBE_ERR_TLS : KUBE_ERR_CONNECT, "%s: %s", what, curl_easy_strerror(rc));
        return OUT_FAILED;
    }
    char msg[320];
    status_message(r, msg, sizeof msg);
    long st = r->status;
    if (st == 410) {
        expired(s, what, msg);
        return OUT_EXPIRED;
    }
    if (st == 401)
        kube_client_token_rejected(s->client);   /* a rotated token file is read again */
    kube_error_reason why = st == 401 ? KUBE_ERR_UNAUTHORIZED : st == 403 ? KUBE_ERR_FORBIDDEN
                          : st == 429 ? KUBE_ERR_THROTTLED : st >= 500 ? KUBE_ERR_SERVER : KUBE_ERR_STATUS;
    failed(s, why, "%s: HTTP %ld: %s", what, st, msg);
    return OUT_FAILED;
}

/* ---- the paginated LIST ---- */

typedef struct page {
    const struct nodegate_plugin *api;
    ng_call *call;
} page;

static bool feed_page(void *ctx, const char *data, size_t len)
{
    page *p = ctx;
    return p->api->call_feed(p->call, data, len) == 0;
}

/* Swaps a complete staged cache in and records the sync. */
static void commit(kube_source *s, ng_index *staged, const char *how, double t0)
{
    ng_reply reply;
    s->api->nodes_replace(s->index, staged, &reply);
    host_log(HOST_LOG_INFO, "node source: %s at resourceVersion %s in %.2f s: %s", how, s->rv,
             now_mono() - t0, reply.data);
    s->api->reply_free(&reply);
    s->api->index_free(staged);   /* the old cache, freed outside the index lock */
    if (atomic_exchange(&s->stats.synced, true))
        atomic_fetch_add(&s->stats.relists, 1);
    atomic_store(&s->stats.last_event_wall, now_wall());
    s->expired_in_row = 0;
    healthy(s);
}

static outcome list_pages(kube_source *s)
{
    double t0 = now_mono();
    ng_index *staged = s->api->index_new(NULL, NULL, 0);
    char cont[4096] = "", rv[sizeof s->rv] = "";
    unsigned pages = 0;
    for (;;) {
        char path[4200 * 3];
        char *escaped = curl_easy_escape(s->curl, cont, 0);
        snprintf(path, sizeof path, "/api/v1/nodes?limit=%d%s%s", PAGE_SIZE, cont[0] ? "&continue=" : "", escaped);
        curl_free(escaped);
        page p = {s->api, s->api->call_begin(staged, NG_NODES)};
        request r = {.sink = feed_page, .ctx = &p};
        CURLcode rc = perform(s, &r, path, true);
        ng_reply reply;
        int st = s->api->call_end(p.call, &reply);
        bool refused = r.status == 200 && (rc == CURLE_OK || rc == CURLE_WRITE_ERROR) && st != 200;
        if (!refused && (rc != CURLE_OK || r.status != 200)) {
            s->api->reply_free(&reply);
            s->api->index_free(staged);
            return judge(s, &r, rc, cont[0] ? "list of nodes (a continue page)" : "list of nodes");
        }
        if (refused) {
            failed(s, st == 400 ? KUBE_ERR_MALFORMED : KUBE_ERR_REJECTED, "list of nodes: page %u: %s", pages + 1,
                   reply.data);
            s->api->reply_free(&reply);
            s->api->index_free(staged);
            return OUT_FAILED;
        }
        pages++;
        yajl_val v = yajl_tree_parse(reply.data, NULL, 0);
        string_at(v, "resourceVersion", rv, sizeof rv);
        string_at(v, "continue", cont, sizeof cont);
        yajl_tree_free(v);
        s->api->reply_free(&reply);
        if (!cont[0])
            break;
    }
    snprintf(s->rv, sizeof s->rv, "%s", rv);
    char how[64];
    snprintf(how, sizeof how, "listed (%u page%s)", pages, pages == 1 ? "" : "s");
    commit(s, staged, how, t0);
    return OUT_OK;
}

/* ---- watch streams: one event a line, each applied whole ---- */

/* kube-apiserver writes each watch event as one line of JSON (its encoder ends every event
 * with a newline), so a line is an event (frames.c cuts them): the plugin decodes it, applies
 * it all or nothing, and its reply gives the envelope's facts (type, resourceVersion, a
 * bookmark's initial-events-end, an ERROR's Status), so the host parses nothing of the event
 * itself. */
typedef struct stream {
    kube_source *s;
    kube_frames frames;
    ng_index *target;                   /* staged during a streaming list's initial events */
    double t0;
    outcome result;                     /* OUT_OK while the stream may go on */
    unsigned long applied;
} stream;

static kube_event_type event_type(const char *t)
{
    for (int i = 0; i < KUBE_EV_COUNT; i++)
        if (strcmp(t, kube_event_names[i]) == 0)
            return (kube_event_type)i;
    return KUBE_EV_COUNT;
}

/* The facts of the plugin's reply to an event. */
typedef struct event_reply {
    char type[16], rv[sizeof ((kube_source *)0)->rv], reason[64], message[256];
    long long code;
    bool initial_end;
} event_reply;

static void read_reply(const ng_reply *reply, event_reply *e)
{
    yajl_val v = yajl_tree_parse(reply->data, NULL, 0);
    string_at(v, "type", e->type, sizeof e->type);
    string_at(v, "resourceVersion", e->rv, sizeof e->rv);
    string_at(v, "reason", e->reason, sizeof e->reason);
    string_at(v, "message", e->message, sizeof e->message);
    const char *end[] = {"initialEventsEnd", NULL}, *code[] = {"code", NULL};
    e->initial_end = v && YAJL_IS_TRUE(yajl_tree_get(v, end, yajl_t_true));
    yajl_val c = v ? yajl_tree_get(v, code, yajl_t_number) : NULL;
    e->code = c && YAJL_IS_INTEGER(c) ? YAJL_GET_INTEGER(c) : 0;
    yajl_tree_free(v);
}

/* One whole event; false ends the stream (w->result says why). */
static bool apply_event(void *ctx, const char *ev, size_t n)
{
    stream *w = ctx;
    kube_source *s = w->s;
    ng_reply reply;
    int st = s->api->nodes_apply(w->target, ev, n, &reply);
    event_reply e = {0};
    if (st == 200)
        read_reply(&reply, &e);
    kube_event_type t = event_type(e.type);
    if (st != 200 || t == KUBE_EV_COUNT) {
        failed(s, st == 422 ? KUBE_ERR_REJECTED : KUBE_ERR_MALFORMED, "watch of nodes: an event %s: %s",
               st == 422 ? "refused" : "that does not parse", st == 200 ? "not a watch event" : reply.data);
        s->api->reply_free(&reply);
        w->result = OUT_FAILED;
        return false;
    }
    s->api->reply_free(&reply);
    atomic_fetch_add(&s->stats.events[t], 1);
    bool initial = w->target != s->index;
    if (t == KUBE_EV_ERROR) {
        bool gone = e.code == 410 || strcmp(e.reason, "Expired") == 0 || strcmp(e.reason, "Gone") == 0;
        if (gone)
            expired(s, "watch of nodes: ERROR event", e.message);
        else
            failed(s, KUBE_ERR_SERVER, "watch of nodes: ERROR event %lld %s: %s", e.code, e.reason, e.message);
        w->result = gone ? OUT_EXPIRED : OUT_FAILED;
        return false;
    }
    if (t == KUBE_EV_BOOKMARK) {
        if (!initial || e.initial_end)   /* before the end, the list is not whole: nothing to resume */
            snprintf(s->rv, sizeof s->rv, "%s", e.rv);
        if (initial && e.initial_end) {
            commit(s, w->target, "streamed the initial list", w->t0);
            w->target = s->index;
        }
        return true;
    }
    w->applied++;
    if (!initial) {   /* initial events carry their own versions; the end bookmark gives the list's */
        snprintf(s->rv, sizeof s->rv, "%s", e.rv);
        atomic_store(&s->stats.last_event_wall, now_wall());
        if (w->applied == 1)
            healthy(s);
    }
    return true;
}

static bool feed_stream(void *ctx, const char *data, size_t len)
{
    stream *w = ctx;
    return kube_frames_feed(&w->frames, data, len, apply_event, w);
}

/* Runs one watch request; into staged (a streaming list) until its initial-events bookmark. */
static outcome watch(kube_source *s, ng_index *staged)
{
    stream w = {.s = s, .target = staged ? staged : s->index, .t0 = now_mono(), .result = OUT_OK};
    char path[512];
    unsigned timeout = WATCH_TIMEOUT_MIN + (unsigned)rand_r(&s->seed) % WATCH_TIMEOUT_MIN;
    if (staged)
        snprintf(path, sizeof path, "/api/v1/nodes?watch=true&sendInitialEvents=true&resourceVersionMatch="
                 "NotOlderThan&allowWatchBookmarks=true&timeoutSeconds=%u", timeout);
    else
        snprintf(path, sizeof path, "/api/v1/nodes?watch=true&resourceVersion=%s&allowWatchBookmarks=true"
                 "&timeoutSeconds=%u", s->rv, timeout);
    request r = {.sink = feed_stream, .ctx = &w};
    host_log(HOST_LOG_DEBUG, "node source: GET %s", path);
    CURLcode rc = perform(s, &r, path, false);
    if (rc == CURLE_OK && r.status == 200 && w.result == OUT_OK)
        kube_frames_end(&w.frames, apply_event, &w);   /* a last event without its newline */
    outcome o = w.result;
    bool refused = r.status == 400 || r.status == 404 || r.status == 422 || r.status == 501;
    if (staged && rc == CURLE_OK && refused)
        o = OUT_UNSUPPORTED;   /* no WatchList there (422 Invalid): not a failure, LIST instead */
    else if (o == OUT_OK && (rc != CURLE_OK || r.status != 200))
        o = judge(s, &r, rc, staged ? "streaming list of nodes" : "watch of nodes");
    else if (o == OUT_OK && w.target != s->index) {
        failed(s, KUBE_ERR_MALFORMED, "streaming list of nodes: ended before its initial-events-end bookmark");
        o = OUT_FAILED;
    } else if (o == OUT_OK) {
        healthy(s);   /* a watch that ran its course */
        host_log(HOST_LOG_DEBUG, "node source: watch ended after %lu events; watching again from %s", w.applied,
                 s->rv);
    }
    if (w.target != s->index)
        s->api->index_free(w.target);
    kube_frames_free(&w.frames);
    return o;
}

/* A complete list into the cache: streamed where the server has WatchList, else LIST pages. */
static outcome sync_nodes(kube_source *s)
{
    if (!s->no_watch_list) {
        outcome o = watch(s, s->api->index_new(NULL, NULL, 0));
        if (o != OUT_UNSUPPORTED)
            return o;
        host_log(HOST_LOG_INFO, "node source: the API server has no streaming list; listing in pages of %d",
                 PAGE_SIZE);
        s->no_watch_list = true;
    }
    return list_pages(s);
}

/* Lists while there is no resourceVersion to resume from (at first, and after a 410), else
 * watches from it: a watch that fails, even the one a streaming list turned into, resumes. */
static void *run(void *arg)
{
    kube_source *s = arg;
    while (!atomic_load(&s->stop)) {
        double retry_after = 0;
        outcome o = s->rv[0] ? watch(s, NULL) : sync_nodes(s);
        if (o == OUT_STOPPED)
            break;
        if (o == OUT_OK)
            continue;
        if (o == OUT_EXPIRED) {
            s->rv[0] = '\0';
            if (s->expired_in_row <= 1)   /* a relist at once; a server that keeps saying 410 gets backoff */
                continue;
        }
        curl_off_t ra = -1;
        if (curl_easy_getinfo(s->curl, CURLINFO_RETRY_AFTER, &ra) == CURLE_OK && ra > 0)
            retry_after = (double)ra;
        if (!pause_for(s, backoff(s, retry_after)))
            break;
    }
    return NULL;
}

kube_source *kube_source_start(kube_client *k, const struct nodegate_plugin *api, ng_index *index,
                               const kube_source_options *opt)
{
    kube_source *s = host_xcalloc(1, sizeof *s);
    s->client = k;
    s->api = api;
    s->index = index;
    s->opt = *opt;
    s->logged_reason = -1;
    s->curl = curl_easy_init();
    if (!s->curl)
        host_oom(sizeof *s);
    pthread_mutex_init(&s->mu, NULL);
    pthread_cond_init(&s->wake, NULL);
    s->seed = (unsigned)(now_wall() * 1e6);
    if (pthread_create(&s->thread, NULL, run, s) != 0) {
        host_log(HOST_LOG_ERROR, "node source: cannot start its thread");
        abort();
    }
    return s;
}

void kube_source_stop(kube_source *s)
{
    if (!s)
        return;
    pthread_mutex_lock(&s->mu);
    atomic_store(&s->stop, true);
    pthread_cond_broadcast(&s->wake);
    pthread_mutex_unlock(&s->mu);
    pthread_join(s->thread, NULL);
    curl_easy_cleanup(s->curl);
    kube_client_free(s->client);
    pthread_mutex_destroy(&s->mu);
    pthread_cond_destroy(&s->wake);
    free(s);
}

const kube_source_stats *kube_source_stats_of(const kube_source *s) { return &s->stats; }

void kube_source_last_error(kube_source *s, char *buf, size_t len)
{
    pthread_mutex_lock(&s->mu);
    snprintf(buf, len, "%s", s->last_error);
    pthread_mutex_unlock(&s->mu);
}
