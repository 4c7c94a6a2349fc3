/* watch.c - GET /api/v1/nodes?watch=true: one JSON event a line on a chunked 200, first the
 * history after the given RV (or the current nodes as ADDED), then live events. Each watch
 * blocks in its content reader on the store's condition variable, waking at least every
 * POLL_S to notice its deadline, the client hanging up, or the server stopping. */
#include <poll.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fakeapi.h"
#include "xalloc.h"

static const double POLL_S = 0.2;   /* how soon a hang-up, a deadline or a stop is seen */
enum {
    BATCH_BYTES = 1 << 20,            /* events copied out per wake-up, at most */
    BLOCK = 64 * 1024,                /* MHD's chunk buffer */
};

typedef enum { GO_ON, END_CLEAN, END_ABORT } fa_end;

typedef struct watcher {
    fa_store *s;
    int fd;                    /* the client's socket, polled for a hang-up */
    bool registered;
    uint64_t pos;              /* the RV of the last event sent */
    uint64_t start_rv;         /* events after this one are live (what "drop" cuts) */
    uint64_t compact_gen, bookmark_gen;
    bool bookmarks;
    fa_snap *initial;          /* the ADDED events still to send */
    size_t initial_at;
    bool initial_end;          /* then the initial-events-end BOOKMARK */
    bool stall, drop, malformed;
    double deadline;
    host_buf out;
    size_t off;
    size_t cut;                /* nonzero: abort the connection after out[0..cut) */
    fa_end end;                /* after out is sent */
} watcher;

static void bookmark_line(host_buf *b, uint64_t rv, bool initial_end)
{
    host_buf_puts(b, "{\"type\":\"BOOKMARK\",\"object\":{\"kind\":\"Node\",\"apiVersion\":\"v1\","
                "\"metadata\":{\"resourceVersion\":\"");
    host_buf_printf(b, "%" PRIu64, (uint64_t)rv);
    host_buf_puts(b, "\",\"creationTimestamp\":null");
    if (initial_end)
        host_buf_puts(b, ",\"annotations\":{\"k8s.io/initial-events-end\":\"true\"}");
    host_buf_puts(b, "},\"spec\":{},\"status\":{\"daemonEndpoints\":{\"kubeletEndpoint\":{\"Port\":0}},"
                "\"nodeInfo\":{\"machineID\":\"\",\"systemUUID\":\"\",\"bootID\":\"\",\"kernelVersion\":\"\","
                "\"osImage\":\"\",\"containerRuntimeVersion\":\"\",\"kubeletVersion\":\"\",\"kubeProxyVersion\":\"\","
                "\"operatingSystem\":\"\",\"architecture\":\"\"}}}}\n");
}

static void too_old_line(host_buf *b, uint64_t rv, uint64_t oldest)
{
    char msg[96];
    snprintf(msg, sizeof msg, "too old resource version: %llu (%llu)", (unsigned long long)rv,
             (unsigned long long)oldest);
    json_t *st = fa_status_new(410, "Expired", msg, NULL);
    char *s = json_dumps(st, JSON_COMPACT);
    json_decref(st);
    host_buf_puts(b, "{\"type\":\"ERROR\",\"object\":");
    host_buf_puts(b, s ? s : "{}");
    host_buf_puts(b, "}\n");
    free(s);
}

static bool hung_up(int fd)
{
    struct pollfd p = {.fd = fd, .events = POLLRDHUP};
    return fd >= 0 && poll(&p, 1, 0) > 0 && (p.revents & (POLLRDHUP | POLLHUP | POLLERR | POLLNVAL));
}

/* Fills w->out with what comes next, waiting for it; sets w->end when the stream is over. */
static void fill(watcher *w)
{
    fa_store *s = w->s;
    if (w->malformed) {
        w->malformed = false;
        host_buf_puts(&w->out, "{\"type\":\"MODIFIED\",\"object\":{\"metadata\":\n");
        return;
    }
    if (w->initial && !w->stall) {   /* immutable: serialized without the lock */
        while (w->initial_at < w->initial->n && w->out.len < BATCH_BYTES)
            fa_event_line(&w->out, "ADDED", w->initial->items[w->initial_at++]);
        if (w->initial_at == w->initial->n) {
            fa_snap_unref(w->initial);
            w->initial = NULL;
            if (w->initial_end)
                bookmark_line(&w->out, w->pos, true);
        }
        if (w->out.len)
            return;
    }
    pthread_mutex_lock(&s->mu);
    for (;;) {
        if (s->stopping) {
            w->end = END_ABORT;
            break;
        }
        if (!w->stall) {
            if (w->compact_gen != s->compact_gen || w->pos < s->compact_rv) {
                too_old_line(&w->out, w->pos, s->compact_rv);
                w->end = END_CLEAN;
                break;
            }
            if (s->rv > w->pos) {
                while (w->pos < s->rv && w->out.len < BATCH_BYTES) {
                    const fa_event *e = &s->hist[(w->pos + 1) % s->hcap];
                    size_t at = w->out.len;
                    fa_event_line(&w->out, fa_evtype_names[e->type], e->obj);
                    w->pos++;
                    if (w->drop && w->pos > w->start_rv) {   /* half of one live event, then cut */
                        w->cut = at + (w->out.len - at) / 2;
                        w->end = END_ABORT;
                        break;
                    }
                }
                break;
            }
            if (w->bookmark_gen != s->bookmark_gen) {
                w->bookmark_gen = s->bookmark_gen;
                if (w->bookmarks) {
                    bookmark_line(&w->out, w->pos, false);
                    break;
                }
            }
        }
        double now = fa_now();
        if (!w->stall && now >= w->deadline) {
            w->end = END_CLEAN;
            break;
        }
        if (hung_up(w->fd)) {
            w->end = END_ABORT;
            break;
        }
        double until = now + POLL_S;
        fa_store_wait_locked(s, !w->stall && w->deadline < until ? w->deadline : until);
    }
    pthread_mutex_unlock(&s->mu);
}

static ssize_t watch_read(void *cls, uint64_t at, char *buf, size_t max)
{
    watcher *w = cls;
    while (w->off >= (w->cut ? w->cut : w->out.len)) {
        if (w->cut || w->end != GO_ON)
            return w->end == END_CLEAN ? MHD_CONTENT_READER_END_OF_STREAM : MHD_CONTENT_READER_END_WITH_ERROR;
        w->out.len = w->off = 0;
        fill(w);
    }
    size_t avail = (w->cut ? w->cut : w->out.len) - w->off;
    size_t n = avail < max ? avail : max;
    memcpy(buf, w->out.p + w->off, n);
    w->off += n;
    return (ssize_t)n;
}

static void watch_free(void *cls)
{
    watcher *w = cls;
    if (w->registered) {
        pthread_mutex_lock(&w->s->mu);
        w->s->watches_open--;
        pthread_cond_broadcast(&w->s->cond);
        pthread_mutex_unlock(&w->s->mu);
    }
    fa_snap_unref(w->initial);
    host_buf_free(&w->out);
    free(w);
}

static bool parse_rv(const char *s, uint64_t *rv)
{
    char *end;
    if (!s || !*s || *s == '-')
        return false;
    unsigned long long v = strtoull(s, &end, 10);
    *rv = v;
    return *end == '\0';
}

/* A query flag as Go's ParseBool reads it; *bad when it does not parse. */
static bool flag(struct MHD_Connection *c, const char *name, bool *present, bool *bad)
{
    const char *v = fa_arg(c, name);
    *present = v != NULL;
    if (!v)
        return false;
    int b = fa_parse_bool(v);
    if (b < 0)
        *bad = true;
    return b == 1;
}

static enum MHD_Result stream(fa_server *srv, fa_req *r, struct MHD_Connection *c, watcher *w)
{
    const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
    w->fd = ci ? ci->connect_fd : -1;
    struct MHD_Response *resp = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, BLOCK, watch_read, w,
                                                                  watch_free);
    return fa_queue(srv, r, c, 200, resp);
}

enum MHD_Result fa_watch(fa_server *srv, fa_req *r, struct MHD_Connection *c)
{
    fa_store *s = srv->store;
    const char *rvs = fa_arg(c, "resourceVersion"), *match = fa_arg(c, "resourceVersionMatch"),
               *cont = fa_arg(c, "continue"), *tos = fa_arg(c, "timeoutSeconds");
    bool bad = false, sie_present, bm_present;
    bool sie = flag(c, "sendInitialEvents", &sie_present, &bad);
    bool bookmarks = flag(c, "allowWatchBookmarks", &bm_present, &bad);
    if (bad)
        return fa_reply_status(srv, r, c, 400, "BadRequest", "invalid boolean in the query: allowWatchBookmarks "
                               "and sendInitialEvents take true or false", NULL, -1);
    uint64_t rv = 0;
    bool legacy = !rvs || !*rvs || strcmp(rvs, "0") == 0;
    if (!legacy && !parse_rv(rvs, &rv)) {
        host_buf m = {0};
        host_buf_printf(&m, "invalid resource version: \"%s\"", rvs);
        enum MHD_Result ret = fa_reply_status(srv, r, c, 400, "BadRequest", m.p, NULL, -1);
        host_buf_free(&m);
        return ret;
    }

    /* SetListOptionsDefaults: with WatchList on, a legacy watch becomes a streaming list */
    const char *m = match && *match ? match : NULL;
    if (!srv->cfg->no_watch_list && !sie_present && !m && legacy) {
        sie_present = sie = true;
        m = "NotOlderThan";
    }
    fa_field_errs e = {0};
    if (sie_present) {
        if (!m || strcmp(m, "NotOlderThan"))
            fa_field_forbidden(&e, "resourceVersionMatch",
                               "sendInitialEvents requires setting resourceVersionMatch to NotOlderThan");
        if (srv->cfg->no_watch_list)
            fa_field_forbidden(&e, "sendInitialEvents",
                               "sendInitialEvents is forbidden for watch unless the WatchList feature gate is enabled");
    }
    if (m) {
        if (!sie_present)
            fa_field_forbidden(&e, "resourceVersionMatch",
                               "resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided");
        if (strcmp(m, "NotOlderThan"))
            fa_field_not_supported(&e, "resourceVersionMatch", m, "\"NotOlderThan\"");
        if (cont && *cont)
            fa_field_forbidden(&e, "resourceVersionMatch", "resourceVersionMatch is forbidden when continue is provided");
    }
    if (e.n)
        return fa_reply_invalid_listoptions(srv, r, c, &e);

    /* a fault hits the next watch that passes validation */
    fa_fault f = {0};
    bool got = fa_fault_take(s, FA_MATCH_WATCH, &f);
    if (got && (f.kind == FA_FAULT_STATUS || f.kind == FA_FAULT_GONE)) {
        enum MHD_Result ret;
        if (f.kind == FA_FAULT_STATUS) {
            ret = fa_reply_fault_status(srv, r, c, &f, true);
        } else {
            char msg[96];
            pthread_mutex_lock(&s->mu);
            snprintf(msg, sizeof msg, "too old resource version: %llu (%llu)", (unsigned long long)rv,
                     (unsigned long long)s->compact_rv);
            pthread_mutex_unlock(&s->mu);
            ret = fa_reply_status(srv, r, c, 410, f.reason ? f.reason : "Expired", f.message ? f.message : msg,
                                  NULL, -1);
        }
        fa_fault_clear(&f);
        return ret;
    }
    fa_fault_clear(&f);

    watcher *w = host_xcalloc(1, sizeof *w);
    w->s = s;
    w->fd = -1;
    w->bookmarks = bookmarks;
    w->stall = got && f.kind == FA_FAULT_STALL;
    w->drop = got && f.kind == FA_FAULT_DROP;
    w->malformed = got && f.kind == FA_FAULT_MALFORMED;
    long long to = tos ? strtoll(tos, NULL, 10) : 0;
    /* kube-apiserver's default: a random time between --min-request-timeout (30 min) and twice it */
    w->deadline = fa_now() + (to > 0 ? (double)to : 1800.0 + (double)(random() % 1800));
    bool initial = sie_present ? sie : legacy;

    pthread_mutex_lock(&s->mu);
    if (!legacy && rv > s->rv) {   /* kube waits 3 s for it first; this says it at once */
        char msg[96];
        snprintf(msg, sizeof msg, "Too large resource version: %llu, current: %llu", (unsigned long long)rv,
                 (unsigned long long)s->rv);
        pthread_mutex_unlock(&s->mu);
        free(w);
        json_t *details = json_object(), *causes = json_array(), *cause = json_object();
        json_object_set_new(cause, "reason", json_string("ResourceVersionTooLarge"));
        json_object_set_new(cause, "message", json_string("Too large resource version"));
        json_array_append_new(causes, cause);
        json_object_set_new(details, "causes", causes);
        return fa_reply_status(srv, r, c, 504, "Timeout", msg, details, 1);
    }
    if (!legacy && !initial && rv < s->compact_rv) {
        /* kube answers 200 and says it in the stream */
        too_old_line(&w->out, rv, s->compact_rv);
        w->end = END_CLEAN;
        pthread_mutex_unlock(&s->mu);
        return stream(srv, r, c, w);
    }
    if (initial) {
        w->initial = fa_store_snapshot_locked(s, false);
        w->initial_end = sie && bookmarks;
        w->pos = s->rv;
    } else {
        w->pos = legacy ? s->rv : rv;   /* sendInitialEvents=false from "" or "0": from now on */
    }
    w->start_rv = s->rv;
    w->compact_gen = s->compact_gen;
    w->bookmark_gen = s->bookmark_gen;
    w->registered = true;
    s->watches_open++;
    s->watches_started++;
    pthread_cond_broadcast(&s->cond);
    pthread_mutex_unlock(&s->mu);
    return stream(srv, r, c, w);
}
