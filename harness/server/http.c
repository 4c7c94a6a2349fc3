/* http.c - libmicrohttpd request lifecycle: bodies stream into the plugin chunk by chunk as they arrive. */
#include "http.h"

#include <microhttpd.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "xalloc.h"
#include "record.h"

struct srv_server {
    struct MHD_Daemon *mhd;
    const struct nodegate_plugin *api;
    ng_index *index;
    uint64_t max_body;
    srv_recorder *recorder;         /* NULL unless --record */
};

enum { M_GET = 1, M_POST = 2, M_DELETE = 4 };
typedef enum { R_VERB, R_HEALTHZ, R_VERSION, R_STATS } route_kind;

/* The endpoints, matched on the last path segment so any urlPrefix works. */
static const struct route {
    const char *name;
    route_kind kind;
    ng_verb verb;
    unsigned methods;
    const char *allow;
} routes[] = {
    {"filter", R_VERB, NG_FILTER, M_POST, "POST"},
    {"prioritize", R_VERB, NG_PRIORITIZE, M_POST, "POST"},
    {"preempt", R_VERB, NG_PREEMPT, M_POST, "POST"},
    {"daemonset", R_VERB, NG_DAEMONSET, M_POST, "POST"},
    {"nodes", R_VERB, NG_NODES, M_POST | M_GET, "GET, POST"},
    {"healthz", R_HEALTHZ, 0, M_GET, "GET"},
    {"version", R_VERSION, 0, M_GET, "GET"},
    {"stats", R_STATS, 0, M_GET, "GET"},
};

/* Per-request state, from the first callback to NOTIFY_COMPLETED. */
typedef struct request {
    struct timespec start;
    const struct route *route;
    ng_call *call;                 /* POST verbs: the plugin call the body streams into */
    uint64_t bytes;                /* body bytes received */
    bool too_large;
    unsigned status;               /* for the log line */
    size_t reply_bytes;
    char method[8];
    char path[256];
    srv_recording rec;              /* the body, kept only when recording */
} request;

/* Quotes a URL for a JSON message: bytes outside printable ASCII are written
 * %XX as in the URL itself, so the reply stays valid UTF-8 whatever was sent. */
static void json_escape(char *out, size_t outlen, const char *s)
{
    size_t o = 0;
    for (; *s && o + 7 < outlen; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            out[o++] = '\\', out[o++] = (char)c;
        else if (c < 0x20 || c >= 0x7f)
            o += (size_t)snprintf(out + o, outlen - o, "%%%02X", c);
        else
            out[o++] = (char)c;
    }
    out[o] = '\0';
}

static enum MHD_Result queue(struct MHD_Connection *conn, request *r, unsigned status,
                             struct MHD_Response *resp, size_t len)
{
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
    r->status = status;
    r->reply_bytes = len;
    enum MHD_Result ret = MHD_queue_response(conn, status, resp);
    MHD_destroy_response(resp);
    return ret;
}

/* Queues a server-made JSON body (printf-style). */
static enum MHD_Result queue_text(struct MHD_Connection *conn, request *r, unsigned status,
                                  const char *allow, const char *fmt, ...)
{
    char *body = host_xcalloc(1, 4096);
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(body, 4096, fmt, ap);
    va_end(ap);
    size_t len = n < 0 ? 0 : n >= 4096 ? 4095 : (size_t)n;
    struct MHD_Response *resp = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
    if (allow)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, allow);
    if (status >= 400)
        host_log(HOST_LOG_ERROR, "%u %.*s", status, (int)len, body);
    return queue(conn, r, status, resp, len);
}

typedef struct boxed_reply {
    const struct nodegate_plugin *api;
    ng_reply reply;
} boxed_reply;

static void free_boxed(void *cls)
{
    boxed_reply *b = cls;
    b->api->reply_free(&b->reply);
    free(b);
}

/* Hands a plugin reply to MHD without copying; the plugin frees it. */
static enum MHD_Result queue_reply(srv_server *s, struct MHD_Connection *conn, request *r, ng_reply *reply)
{
    boxed_reply *b = host_xcalloc(1, sizeof *b);
    b->api = s->api;
    b->reply = *reply;
    if (reply->status >= 400)
        host_log(HOST_LOG_ERROR, "%d %s", reply->status, reply->data);
    struct MHD_Response *resp = MHD_create_response_from_buffer_with_free_callback_cls(
        reply->len, reply->data, free_boxed, b);
    return queue(conn, r, (unsigned)reply->status, resp, reply->len);
}

static unsigned method_bit(const char *m)
{
    return strcmp(m, "GET") == 0 || strcmp(m, "HEAD") == 0 ? M_GET
           : strcmp(m, "POST") == 0                        ? M_POST
           : strcmp(m, "DELETE") == 0                      ? M_DELETE
                                                           : 0;
}

/* Splits a copy of url (in path) into its last segment and the one before
 * it, ignoring a query and trailing slashes: "/x/nodes/n1/" -> "n1", "nodes". */
static void last_segments(const char *url, char path[static 1024], const char **last, const char **prev)
{
    snprintf(path, 1024, "%s", url);
    path[strcspn(path, "?")] = '\0';
    size_t n = strlen(path);
    while (n > 1 && path[n - 1] == '/')
        path[--n] = '\0';
    char *slash = strrchr(path, '/');
    *last = slash ? slash + 1 : path;
    *prev = "";
    if (slash) {
        *slash = '\0';
        slash = strrchr(path, '/');
        *prev = slash ? slash + 1 : path;
    }
}

/* First callback of a request: route it, check method and declared size, start the call. */
static enum MHD_Result begin(srv_server *s, struct MHD_Connection *conn, request *r, const char *url,
                             const char *method)
{
    char path[1024], esc[3100];
    const char *last, *prev;
    last_segments(url, path, &last, &prev);
    unsigned m = method_bit(method);
    if (m == M_DELETE && strcmp(prev, "nodes") == 0 && last[0]) {
        ng_reply reply;
        s->api->nodes_delete(s->index, last, &reply);
        return queue_reply(s, conn, r, &reply);
    }
    for (size_t i = 0; i < sizeof routes / sizeof *routes && !r->route; i++)
        if (strcmp(last, routes[i].name) == 0)
            r->route = &routes[i];
    char method_esc[64];
    json_escape(esc, sizeof esc, url);
    json_escape(method_esc, sizeof method_esc, method);
    if (!r->route)
        return queue_text(conn, r, MHD_HTTP_NOT_FOUND, NULL,
                          "{\"Error\":\"no endpoint at %s: try /filter, /prioritize, /preempt, "
                          "/daemonset, /nodes, /healthz, /version or /stats\"}", esc);
    if (!(r->route->methods & m))
        return queue_text(conn, r, MHD_HTTP_METHOD_NOT_ALLOWED, r->route->allow,
                          "{\"Error\":\"method %s is not allowed on %s (allowed: %s)\"}",
                          method_esc, esc, r->route->allow);
    const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
    if (cl && strtoull(cl, NULL, 10) > s->max_body)
        return queue_text(conn, r, MHD_HTTP_CONTENT_TOO_LARGE, NULL,
                          "{\"Error\":\"request body of %s bytes is over the limit of %llu (--max-body)\"}",
                          cl, (unsigned long long)s->max_body);
    if (r->route->kind == R_VERB && m == M_POST)
        r->call = s->api->call_begin(s->index, r->route->verb);
    return MHD_YES;
}

static enum MHD_Result respond_get(srv_server *s, struct MHD_Connection *conn, request *r)
{
    if (r->route->kind == R_HEALTHZ)
        return queue_text(conn, r, MHD_HTTP_OK, NULL, "{\"status\":\"ok\"}");
    if (r->route->kind == R_VERSION)
        return queue_text(conn, r, MHD_HTTP_OK, NULL,
                          "{\"version\":\"%s\",\"abi\":%u,\"plugin\":\"%s %s\"}", NODEGATE_VERSION,
                          NODEGATE_ABI_VERSION, s->api->name, s->api->version);
    ng_reply reply;
    if (r->route->kind == R_STATS)
        s->api->index_stats(s->index, &reply);
    else
        s->api->nodes_list(s->index, &reply);
    return queue_reply(s, conn, r, &reply);
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *conn, const char *url,
                              const char *method, const char *version, const char *upload_data,
                              size_t *upload_data_size, void **req_cls)
{
    srv_server *s = cls;
    request *r = *req_cls;
    if (!r) {
        r = host_xcalloc(1, sizeof *r);
        clock_gettime(CLOCK_MONOTONIC, &r->start);
        snprintf(r->method, sizeof r->method, "%s", method);
        snprintf(r->path, sizeof r->path, "%s", url);
        *req_cls = r;
        return begin(s, conn, r, url, method);
    }
    if (*upload_data_size) {
        size_t n = *upload_data_size;
        *upload_data_size = 0;
        r->bytes += n;
        /* a chunked body that grew past the limit: libmicrohttpd cannot answer
           mid-upload, so the rest is read and dropped, and 413 comes at the end */
        r->too_large |= r->bytes > s->max_body;
        if (r->call && !r->too_large) {
            s->api->call_feed(r->call, upload_data, n);
            if (s->recorder && r->route->verb != NG_NODES)
                srv_recording_add(&r->rec, upload_data, n);
        }
        return MHD_YES;
    }
    if (r->too_large)
        return queue_text(conn, r, MHD_HTTP_CONTENT_TOO_LARGE, NULL,
                          "{\"Error\":\"request body is over the limit of %llu bytes (--max-body)\"}",
                          (unsigned long long)s->max_body);
    if (!r->call)
        return respond_get(s, conn, r);
    ng_reply reply;
    s->api->call_end(r->call, &reply);
    r->call = NULL;
    if (s->recorder && r->route->verb != NG_NODES)
        srv_recorder_save(s->recorder, r->route->name, &r->rec, reply.data, reply.len);
    return queue_reply(s, conn, r, &reply);
}

/* Logs the request and frees its state, also when the client went away mid-body. */
static void completed(void *cls, struct MHD_Connection *conn, void **req_cls,
                      enum MHD_RequestTerminationCode toe)
{
    srv_server *s = cls;
    request *r = *req_cls;
    if (!r)
        return;
    if (r->call) {
        ng_reply reply;
        s->api->call_end(r->call, &reply);
        s->api->reply_free(&reply);
    }
    struct timespec end;
    clock_gettime(CLOCK_MONOTONIC, &end);
    long us = (end.tv_sec - r->start.tv_sec) * 1000000L + (end.tv_nsec - r->start.tv_nsec) / 1000;
    host_log(HOST_LOG_DEBUG, "%s %s %u in=%llu out=%zu %ldus%s", r->method, r->path, r->status,
             (unsigned long long)r->bytes, r->reply_bytes, us,
             toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "" : " (aborted)");
    srv_recording_free(&r->rec);
    free(r);
    *req_cls = NULL;
}

srv_server *srv_server_start(const host_plugin *plugin, ng_index *index, const srv_server_config *cfg,
                             char *err, size_t errlen)
{
    srv_server *s = host_xcalloc(1, sizeof *s);
    s->api = plugin->api;
    s->index = index;
    s->max_body = cfg->max_body;
    if (cfg->record_dir && !(s->recorder = srv_recorder_new(cfg->record_dir, err, errlen))) {
        free(s);
        return NULL;
    }
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ERROR_LOG;
    if (cfg->addr.ss_family == AF_INET6)
        flags |= MHD_USE_IPv6;
    s->mhd = MHD_start_daemon(
        flags, 0, NULL, NULL, handle, s, MHD_OPTION_SOCK_ADDR, &cfg->addr,
        MHD_OPTION_THREAD_POOL_SIZE, cfg->threads > 1 ? cfg->threads : 0,
        MHD_OPTION_NOTIFY_COMPLETED, completed, s,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)256 * 1024,   /* bigger upload chunks */
        MHD_OPTION_CONNECTION_TIMEOUT, 120u, MHD_OPTION_END);
    if (!s->mhd) {
        snprintf(err, errlen, "cannot listen: the address is in use, invalid or not permitted");
        srv_recorder_free(s->recorder);
        free(s);
        return NULL;
    }
    return s;
}

uint16_t srv_server_port(const srv_server *s)
{
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(s->mhd, MHD_DAEMON_INFO_BIND_PORT);
    return info ? info->port : 0;
}

void srv_server_stop(srv_server *s)
{
    MHD_stop_daemon(s->mhd);
    srv_recorder_free(s->recorder);
    free(s);
}
