/* routes.c - every endpoint nodegate-server answers: one row each, and its handler. A new
 * endpoint is a row here; http.c does not change. */
#include "routes.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "health.h"
#include "json_escape.h"
#include "log.h"
#include "merge_patch.h"
#include "metrics.h"
#include "xalloc.h"
#include "yaml_body.h"

static srv_reply_fn route_verb, route_nodes_list, route_node_patch, route_healthz, route_livez, route_readyz,
    route_metrics, route_version, route_stats;
static srv_at_once_fn route_node_delete, route_node_get;

/* Tried in order; the first row matching path and method wins, so DELETE /x/nodes/filter deletes
 * the node "filter" while POST /x/nodes/filter is the filter verb. The 404 text lists the plain
 * names in this order. */
static const srv_route routes[] = {
    {"filter", SRV_POST, .reply = route_verb, .stream = true, .record = true, .counted = true,
     .verb = NG_FILTER},
    {"prioritize", SRV_POST, .reply = route_verb, .stream = true, .record = true, .counted = true,
     .verb = NG_PRIORITIZE},
    {"preempt", SRV_POST, .reply = route_verb, .stream = true, .record = true, .counted = true,
     .verb = NG_PREEMPT},
    {"daemonset", SRV_POST, .reply = route_verb, .stream = true, .record = true, .counted = true,
     .verb = NG_DAEMONSET},
    {"explain", SRV_POST, .reply = route_verb, .stream = true, .counted = true, .verb = NG_EXPLAIN},
    {"nodes", SRV_POST, .reply = route_verb, .stream = true, .record = true, .counted = true,
     .cache_write = true, .verb = NG_NODES},   /* apply updates */
    {"nodes", SRV_GET, .reply = route_nodes_list},   /* names; ?full=true: the cached nodes */
    {"nodes/{name}", SRV_GET, .at_once = route_node_get},
    {"nodes/{name}", SRV_PATCH, .reply = route_node_patch, .patch = true, .record = true, .counted = true,
     .cache_write = true, .verb = NG_NODES},
    {"nodes/{name}", SRV_DELETE, .at_once = route_node_delete, .record = true, .counted = true,
     .cache_write = true, .verb = NG_NODES},
    {"healthz", SRV_GET, .reply = route_healthz, .lock_free = true},
    {"livez", SRV_GET, .reply = route_livez, .lock_free = true},
    {"readyz", SRV_GET, .reply = route_readyz, .lock_free = true},
    {"metrics", SRV_GET, .reply = route_metrics},
    {"version", SRV_GET, .reply = route_version, .lock_free = true},
    {"stats", SRV_GET, .reply = route_stats},
};
enum { NROUTES = sizeof routes / sizeof *routes };

/* ---- the handlers ---- */

/* --record: saves request r (body, of len bytes) and its reply as nodegate-replay reads them:
 * POST /x as "x", another method on /nodes/NAME as "METHOD-nodes@NAME". A cache write saves under
 * the write lock, so that the files' order is the order the writes were applied in. */
static void record(srv_server *s, const srv_request *r, const char *body, size_t len, const ng_reply *reply)
{
    if (!s->recorder || !r->route->record)
        return;
    char name[1100];   /* a segment is at most 1023 bytes (http.c: longer targets get 414) */
    if (strcmp(r->method, "POST") == 0)
        snprintf(name, sizeof name, "%s", r->route->name);
    else
        snprintf(name, sizeof name, "%s-nodes@%s", r->method, r->segment);
    srv_recorder_save(s->recorder, name, body, len, reply->data, reply->len);
}

/* Ends a verb's call and answers with its reply. */
static enum MHD_Result end_call(srv_server *s, struct MHD_Connection *conn, srv_request *r)
{
    ng_reply reply;
    if (r->route->cache_write)
        pthread_mutex_lock(&s->writes);
    s->api->call_end(r->call, &reply);
    r->call = NULL;
    record(s, r, r->rec.data, r->rec.len, &reply);
    if (r->route->cache_write)
        pthread_mutex_unlock(&s->writes);
    return srv_reply_plugin(s, conn, r, &reply);
}

/* A YAML body: POST /nodes applies its documents (yaml_body.h); a verb takes one document,
 * whose JSON it is fed as if it had come so. */
static enum MHD_Result verb_yaml(srv_server *s, struct MHD_Connection *conn, srv_request *r)
{
    char err[1024];
    if (r->route->verb == NG_NODES) {
        char *reply;
        pthread_mutex_lock(&s->writes);
        int status = host_yaml_nodes_apply(s->api, s->index, r->body.p, r->body.len, &reply, err, sizeof err);
        pthread_mutex_unlock(&s->writes);
        if (s->recorder)   /* its documents are no one JSON body the replayer could send */
            host_log(HOST_LOG_INFO, "--record: a YAML POST /nodes is applied but not recorded");
        return status == MHD_HTTP_OK ? srv_reply_body(conn, r, MHD_HTTP_OK, "application/json", reply, strlen(reply))
                                     : srv_reply_error(conn, r, (unsigned)status, err);
    }
    size_t len;
    char *json = host_yaml_document(r->body.p, r->body.len, &len, err, sizeof err);
    if (!json)
        return srv_reply_error(conn, r, MHD_HTTP_BAD_REQUEST, err);
    r->call = s->api->call_begin(s->index, r->route->verb);
    s->api->call_feed(r->call, json, len);
    if (s->recorder && r->route->record)   /* what the plugin read: the replayer sends JSON */
        srv_recording_add(&r->rec, json, len);
    free(json);
    return end_call(s, conn, r);
}

static enum MHD_Result route_verb(srv_server *s, struct MHD_Connection *conn, srv_request *r)
{
    return r->body_type == SRV_BODY_YAML ? verb_yaml(s, conn, r) : end_call(s, conn, r);
}

/* What the cache holds of one node (name, labels, taints, unschedulable), or with name NULL of
 * every node. */
static enum MHD_Result node_get(srv_server *s, struct MHD_Connection *conn, srv_request *r, const char *name)
{
    if (!NODEGATE_HAS(s->api, nodes_get))
        return srv_reply_text(conn, r, MHD_HTTP_NOT_IMPLEMENTED, NULL,
                              "{\"Error\":\"the plugin has no nodes_get (ABI 1.1)\"}");
    ng_reply reply;
    s->api->nodes_get(s->index, name, &reply);
    return srv_reply_plugin(s, conn, r, &reply);
}

static enum MHD_Result route_nodes_list(srv_server *s, struct MHD_Connection *conn, srv_request *r)
{
    const char *full = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "full");
    if (full && strcmp(full, "true") == 0)
        return node_get(s, conn, r, NULL);
    ng_reply reply;
    s->api->nodes_list(s->index, &reply);
    return srv_reply_plugin(s, conn, r, &reply);
}

static enum MHD_Result route_node_get(srv_server *s, struct MHD_Connection *conn, srv_request *r)
{
    return node_get(s, conn, r, r->segment);
}

/* PATCH /nodes/NAME: the cached node, the merge patch applied to it, upserted whole, and the
 * node as cached then. The write lock is held from the read to the reply's read, so that no
 * other write lands in between and is lost. */
static enum MHD_Result route_node_patch(srv_server *s, struct MHD_Connection *conn, srv_request *r)
{
    if (!NODEGATE_HAS(s->api, nodes_get))
        return srv_reply_error(conn, r, MHD_HTTP_NOT_IMPLEMENTED, "the plugin has no nodes_get (ABI 1.1)");
    char err[1024];
    size_t len = r->body.len;
    char *yaml_json = NULL;
    if (r->body_type == SRV_BODY_YAML &&
        !(yaml_json = host_yaml_document(r->body.p, r->body.len, &len, err, sizeof err)))
        return srv_reply_error(conn, r, MHD_HTTP_BAD_REQUEST, err);
    const char *body = yaml_json ? yaml_json : r->body.p;   /* recorded as JSON: the replayer sends JSON */
    json_t *patch = srv_patch_parse(body, len, err, sizeof err);
    if (!patch) {
        free(yaml_json);
        return srv_reply_error(conn, r, MHD_HTTP_BAD_REQUEST, err);
    }
    unsigned status = 0;
    ng_reply reply;
    pthread_mutex_lock(&s->writes);
    if (s->api->nodes_get(s->index, r->segment, &reply) == MHD_HTTP_OK) {
        char *update = srv_node_patched(r->segment, reply.data, reply.len, patch, &status, err, sizeof err);
        s->api->reply_free(&reply);
        if (update && s->api->nodes_apply(s->index, update, strlen(update), &reply) == MHD_HTTP_OK) {
            s->api->reply_free(&reply);
            s->api->nodes_get(s->index, r->segment, &reply);
        }
        free(update);
    }
    if (!status)   /* a refusal the server made itself changed nothing: not replayed */
        record(s, r, body, len, &reply);
    pthread_mutex_unlock(&s->writes);
    json_decref(patch);
    free(yaml_json);
    return status ? srv_reply_error(conn, r, status, err) : srv_reply_plugin(s, conn, r, &reply);
}

static enum MHD_Result route_node_delete(srv_server *s, struct MHD_Connection *conn, srv_request *r)
{
    ng_reply reply;
    pthread_mutex_lock(&s->writes);
    s->api->nodes_delete(s->index, r->segment, &reply);
    record(s, r, "", 0, &reply);
    pthread_mutex_unlock(&s->writes);
    return srv_reply_plugin(s, conn, r, &reply);
}

static enum MHD_Result route_healthz(srv_server *s, struct MHD_Connection *conn, srv_request *r)
{
    return srv_reply_text(conn, r, MHD_HTTP_OK, NULL, "{\"status\":\"ok\"}");
}

/* kube's health endpoints answer in plain text: "ok", or with ?verbose one line per check. */
static enum MHD_Result reply_plain(struct MHD_Connection *conn, srv_request *r, unsigned status,
                                   const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static enum MHD_Result reply_plain(struct MHD_Connection *conn, srv_request *r, unsigned status,
                                   const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *body;
    int n = vasprintf(&body, fmt, ap);
    va_end(ap);
    if (n < 0)
        host_oom(strlen(fmt));
    return srv_reply_body(conn, r, status, "text/plain; charset=utf-8", body, (size_t)n);
}

static enum MHD_Result note_verbose(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
    if (strcmp(key, "verbose") != 0)
        return MHD_YES;
    *(bool *)cls = true;
    return MHD_NO;
}

/* ?verbose in any form (kube looks only at whether the key is there). */
static bool verbose(struct MHD_Connection *conn)
{
    bool seen = false;
    MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, note_verbose, &seen);
    return seen;
}

/* Liveness: the process serves HTTP. Nothing the node source does makes it fail, since
 * restarting the server would not bring the API server back. */
static enum MHD_Result route_livez(srv_server *s, struct MHD_Connection *conn, srv_request *r)
{
    return verbose(conn) ? reply_plain(conn, r, MHD_HTTP_OK, "[+]ping ok\nlivez check passed\n")
                         : reply_plain(conn, r, MHD_HTTP_OK, "ok");
}

/* Readiness: 200 "ok" while the node cache may be answered from (health.c decides), else 503
 * {"status":"not ready","reason":"..."}. ?verbose answers with kube-scheduler's text either way:
 * [+]/[-] lines, then "readyz check passed" or "readyz check failed". */
static enum MHD_Result route_readyz(srv_server *s, struct MHD_Connection *conn, srv_request *r)
{
    char reason[1024];
    bool ready = srv_cache_ready(s->source, s->cache_stale_after, srv_now_mono(), reason, sizeof reason);
    if (verbose(conn)) {
        if (ready)
            return reply_plain(conn, r, MHD_HTTP_OK, "[+]ping ok\n[+]node-cache ok\nreadyz check passed\n");
        host_log(HOST_LOG_ERROR, "503 readyz: %s", reason);
        return reply_plain(conn, r, MHD_HTTP_SERVICE_UNAVAILABLE,
                           "[+]ping ok\n[-]node-cache failed: %s\nreadyz check failed\n", reason);
    }
    if (ready)
        return reply_plain(conn, r, MHD_HTTP_OK, "ok");
    char *shown = host_json_escaped(reason);
    enum MHD_Result ret = srv_reply_text(conn, r, MHD_HTTP_SERVICE_UNAVAILABLE, NULL,
                                         "{\"status\":\"not ready\",\"reason\":\"%s\"}", shown);
    free(shown);
    return ret;
}

static enum MHD_Result route_metrics(srv_server *s, struct MHD_Connection *conn, srv_request *r)
{
    size_t len;
    pthread_mutex_lock(&s->mu);
    unsigned in_flight = s->in_flight;
    pthread_mutex_unlock(&s->mu);
    char *text = srv_metrics_render(s->api, s->index, s->source, in_flight, &len);
    return srv_reply_body(conn, r, MHD_HTTP_OK, SRV_METRICS_CONTENT_TYPE, text, len);
}

static enum MHD_Result route_version(srv_server *s, struct MHD_Connection *conn, srv_request *r)
{
    char *name = host_json_escaped(s->api->name), *version = host_json_escaped(s->api->version);
    enum MHD_Result ret = srv_reply_text(conn, r, MHD_HTTP_OK, NULL,
                                         "{\"version\":\"%s\",\"abi\":%u,\"plugin\":\"%s %s\"}",
                                         NODEGATE_VERSION, NODEGATE_ABI_VERSION, name, version);
    free(name);
    free(version);
    return ret;
}

static enum MHD_Result route_stats(srv_server *s, struct MHD_Connection *conn, srv_request *r)
{
    ng_reply reply;
    s->api->index_stats(s->index, &reply);
    return srv_reply_plugin(s, conn, r, &reply);
}

bool srv_cache_write_refused(const srv_server *s, const srv_route *row)
{
    return row->cache_write && s->source;
}

/* ---- the lookup ---- */

/* The parent of a "PARENT/{x}" row (its length in *len), or NULL for a plain row. */
static const char *parent_of(const srv_route *row, size_t *len)
{
    const char *slash = strchr(row->name, '/');
    if (!slash)
        return NULL;
    *len = (size_t)(slash - row->name);
    return row->name;
}

static bool path_matches(const srv_route *row, const char *last, const char *prev)
{
    size_t len;
    const char *parent = parent_of(row, &len);
    if (!parent)
        return strcmp(last, row->name) == 0;
    return last[0] && strlen(prev) == len && strncmp(prev, parent, len) == 0;
}

/* The Allow text of a name: the methods of all its rows, in the order GET, POST, PATCH, DELETE. */
static void allow_text(const char *name, char *out, size_t outlen)
{
    static const struct { unsigned bit; const char *text; } names[] = {
        {SRV_GET, "GET"}, {SRV_POST, "POST"}, {SRV_PATCH, "PATCH"}, {SRV_DELETE, "DELETE"}};
    unsigned methods = 0;
    for (size_t i = 0; i < NROUTES; i++)
        if (strcmp(routes[i].name, name) == 0)
            methods |= routes[i].methods;
    size_t o = 0;
    out[0] = '\0';
    for (size_t i = 0; i < sizeof names / sizeof *names; i++)
        if ((methods & names[i].bit) && o < outlen)
            o += (size_t)snprintf(out + o, outlen - o, "%s%s", o ? ", " : "", names[i].text);
}

const srv_route *srv_route_find(const char *last, const char *prev, unsigned method, char *allow,
                                size_t allowlen)
{
    /* the first row with this path but not the method, a plain one before a "PARENT/{x}" one:
     * PUT /nodes/filter is refused as /filter is, PUT /nodes/worker as /nodes/{name} */
    const srv_route *refusing = NULL;
    for (size_t i = 0; i < NROUTES; i++) {
        const srv_route *row = &routes[i];
        if (!path_matches(row, last, prev))
            continue;
        if (row->methods & method)
            return row;
        size_t len;
        if (!refusing || (parent_of(refusing, &len) && !parent_of(row, &len)))
            refusing = row;
    }
    allow[0] = '\0';
    if (refusing)
        allow_text(refusing->name, allow, allowlen);
    return NULL;
}

char *srv_route_endpoints(void)
{
    const char *names[NROUTES];
    size_t n = 0, bytes = 1;
    for (size_t i = 0; i < NROUTES; i++) {
        size_t len;
        bool seen = false;
        for (size_t k = 0; k < n; k++)
            seen |= strcmp(names[k], routes[i].name) == 0;
        if (!seen && !parent_of(&routes[i], &len)) {
            names[n++] = routes[i].name;
            bytes += strlen(routes[i].name) + 5;   /* "/", and ", " or " or " */
        }
    }
    char *out = host_xmalloc(bytes);
    size_t o = 0;
    for (size_t k = 0; k < n; k++)
        o += (size_t)sprintf(out + o, "%s/%s", k == 0 ? "" : k + 1 < n ? ", " : " or ", names[k]);
    out[o] = '\0';
    return out;
}
