/* http.c - libmicrohttpd request lifecycle: each request is routed by the table of routes.c on
 * its first callback, and bodies stream into the plugin chunk by chunk as they arrive. */
#include "http.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "deadline.h"
#include "framing.h"
#include "json_escape.h"
#include "log.h"
#include "metrics.h"
#include "routes.h"
#include "tls.h"
#include "xalloc.h"

/* How much of a request error texts quote and routing reads: the sizes the server has always
 * used, so that long URLs are shown and routed as they always were. */
enum {
    PATH_COPY = 1024,      /* the longest request target (path and query) is 1023 bytes; longer gets 414 */
    URL_SHOWN = 3100,      /* ~1 KB of URL even when every byte is shown as %XX */
    METHOD_SHOWN = 64,
};
/* The per-connection memory pool of libmicrohttpd, which zeroes it whole after each request, so
 * each open connection keeps it resident: --max-connections times this bounds their memory. Half
 * is the read buffer (the largest upload chunk, the largest request line and headers before a
 * 414 or 431), the other half its index of headers and query arguments, 56 bytes each: room for
 * the 1,023 a request target of PATH_COPY bytes can hold. */
enum { CONN_MEMORY = 128 * 1024 };

/* Writes s as error texts show it: bytes outside printable ASCII as %XX, as in the URL itself
 * (so the text is valid UTF-8 whatever was sent), then JSON-escaped; cut between whole
 * characters to fit outlen, NUL-terminated. */
static void show(char *out, size_t outlen, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t o = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p && o + 7 < outlen; p++) {
        char unit[3] = {(char)*p};
        size_t n = 1;
        if (*p < 0x20 || *p >= 0x7f) {
            unit[0] = '%', unit[1] = hex[*p >> 4], unit[2] = hex[*p & 15];
            n = 3;
        }
        o += host_json_escape(out + o, unit, n, 0);
    }
    out[o] = '\0';
}

static enum MHD_Result queue(struct MHD_Connection *conn, srv_request *r, unsigned status,
                             const char *content_type, struct MHD_Response *resp, size_t len)
{
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, content_type);
    if (r->close || atomic_load(&r->server->draining))   /* shutting down: no next request here */
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONNECTION, "close");
    r->status = status;
    r->reply_bytes = len;
    enum MHD_Result ret = MHD_queue_response(conn, status, resp);
    MHD_destroy_response(resp);
    return ret;
}

enum MHD_Result srv_reply_text(struct MHD_Connection *conn, srv_request *r, unsigned status,
                               const char *allow, const char *fmt, ...)
{
    va_list ap, again;
    va_start(ap, fmt);
    va_copy(again, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    size_t len = n < 0 ? 0 : (size_t)n;
    char *body = host_xmalloc(len + 1);
    vsnprintf(body, len + 1, fmt, again);
    va_end(again);
    struct MHD_Response *resp = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
    if (allow)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, allow);
    if (status >= 400)
        host_log(HOST_LOG_ERROR, "%u %.*s", status, (int)len, body);
    return queue(conn, r, status, "application/json", resp, len);
}

enum MHD_Result srv_reply_error(struct MHD_Connection *conn, srv_request *r, unsigned status, const char *text)
{
    char *shown = host_json_escaped(text);
    enum MHD_Result ret = srv_reply_text(conn, r, status, NULL, "{\"Error\":\"%s\"}", shown);
    free(shown);
    return ret;
}

enum MHD_Result srv_reply_body(struct MHD_Connection *conn, srv_request *r, unsigned status,
                               const char *content_type, char *body, size_t len)
{
    struct MHD_Response *resp = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
    return queue(conn, r, status, content_type, resp, len);
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

enum MHD_Result srv_reply_plugin(srv_server *s, struct MHD_Connection *conn, srv_request *r,
                                 ng_reply *reply)
{
    boxed_reply *b = host_xcalloc(1, sizeof *b);
    b->api = s->api;
    b->reply = *reply;
    if (reply->status >= 400)
        host_log(HOST_LOG_ERROR, "%d %s", reply->status, reply->data);
    struct MHD_Response *resp = MHD_create_response_from_buffer_with_free_callback_cls(
        reply->len, reply->data, free_boxed, b);
    return queue(conn, r, (unsigned)reply->status, "application/json", resp, reply->len);
}

static unsigned method_bit(const char *m)
{
    return strcmp(m, "GET") == 0 || strcmp(m, "HEAD") == 0 ? SRV_GET
           : strcmp(m, "POST") == 0                        ? SRV_POST
           : strcmp(m, "PATCH") == 0                       ? SRV_PATCH
           : strcmp(m, "DELETE") == 0                      ? SRV_DELETE
                                                           : 0;
}

/* Splits a copy of url (in path) into its last segment and the one before
 * it, ignoring a query and trailing slashes: "/x/nodes/n1/" -> "n1", "nodes". */
static void last_segments(const char *url, char path[static PATH_COPY], const char **last, const char **prev)
{
    snprintf(path, PATH_COPY, "%s", url);
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

/* libmicrohttpd's unescaping, except that a path or argument holding %00 is left as sent: the
 * NUL would end the C string there, and DELETE /nodes/a%00b would delete node a. */
static size_t unescape(void *cls, struct MHD_Connection *conn, char *s)
{
    for (const char *p = s; (p = strchr(p, '%')) != NULL; p++)
        if (p[1] == '0' && p[2] == '0')
            return strlen(s);
    return MHD_http_unescape(s);
}

/* Whether the client is on this host's loopback: 127.0.0.0/8, ::1, or 127.x mapped into IPv6. */
static bool from_loopback(struct MHD_Connection *conn)
{
    const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    const struct sockaddr *a = ci ? ci->client_addr : NULL;
    if (a && a->sa_family == AF_INET)
        return ntohl(((const struct sockaddr_in *)a)->sin_addr.s_addr) >> 24 == 127;
    if (a && a->sa_family == AF_INET6) {
        const struct in6_addr *x = &((const struct sockaddr_in6 *)a)->sin6_addr;
        return IN6_IS_ADDR_LOOPBACK(x) || (IN6_IS_ADDR_V4MAPPED(x) && x->s6_addr[12] == 127);
    }
    return false;
}

/* Runs the route's handler; one that calls the plugin takes one of --threads slots for it. */
static enum MHD_Result run_route(srv_server *s, struct MHD_Connection *conn, srv_request *r)
{
    bool slot = !r->route->lock_free;
    while (slot && sem_wait(&s->call_slots) != 0) {   /* fails on EINTR only */
    }
    enum MHD_Result ret = r->route->at_once ? r->route->at_once(s, conn, r) : r->route->reply(s, conn, r);
    if (slot)
        sem_post(&s->call_slots);
    return ret;
}

/* A body that grows past --max-body, as a chunked one can. libmicrohttpd 0.9.75 cannot queue a
 * reply while a body is arriving (MHD_queue_response refuses that state), so the 413 is written
 * to the socket here, by the connection's own thread, which nothing else writes to meanwhile;
 * then the connection is closed and nothing more is read. Over TLS the bytes would have to go
 * through the session: there it is closed without a reply. */
static enum MHD_Result cut_off(srv_server *s, struct MHD_Connection *conn, srv_request *r)
{
    char body[160], head[256], date[40];
    int n = snprintf(body, sizeof body, "{\"Error\":\"request body is over the limit of %llu bytes (--max-body)\"}",
                     (unsigned long long)s->max_body);
    time_t now = time(NULL);
    struct tm tm;
    strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S GMT", gmtime_r(&now, &tm));
    int h = snprintf(head, sizeof head, "HTTP/1.1 413 Content Too Large\r\nDate: %s\r\nConnection: close\r\n"
                     "Content-Type: application/json\r\nContent-Length: %d\r\n\r\n", date, n);
    if (!MHD_get_connection_info(conn, MHD_CONNECTION_INFO_GNUTLS_SESSION)) {
        int fd = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD)->connect_fd;
        struct iovec iov[] = {{head, (size_t)h}, {body, (size_t)n}};
        struct msghdr msg = {.msg_iov = iov, .msg_iovlen = 2};
        sendmsg(fd, &msg, MSG_NOSIGNAL);   /* into an empty send buffer: only reads came before */
        shutdown(fd, SHUT_WR);
    }
    r->status = MHD_HTTP_CONTENT_TOO_LARGE;
    r->reply_bytes = (size_t)n;
    host_log(HOST_LOG_ERROR, "%u %s", r->status, body);
    return MHD_NO;   /* libmicrohttpd closes the connection */
}

/* The first callback of a request, on its request line (MHD_OPTION_URI_LOG_CALLBACK): its state,
 * which libmicrohttpd hands to every later callback as *req_cls. */
static void *request_line(void *cls, const char *uri, struct MHD_Connection *conn)
{
    srv_server *s = cls;
    srv_limits_request_line(conn);
    srv_request *r = host_xcalloc(1, sizeof *r);
    r->server = s;
    clock_gettime(CLOCK_MONOTONIC, &r->start);
    snprintf(r->method, sizeof r->method, "-");   /* known from the headers' callback on */
    snprintf(r->path, sizeof r->path, "%s", uri);
    r->target_len = strlen(uri);
    /* A target that gets 414 is not split into query arguments: libmicrohttpd 0.9.75 indexes them
     * in the connection's pool right after this callback, and one that runs out of pool there
     * can send no reply at all. uri points into its read buffer, and the split starts after the
     * '?' (connection.c, parse_initial_message_line): ending the string there leaves no query. */
    char *query = strchr(uri, '?');
    if (r->target_len >= PATH_COPY && query)
        query[1] = '\0';
    pthread_mutex_lock(&s->mu);
    s->in_flight++;
    pthread_mutex_unlock(&s->mu);
    return r;
}

/* The headers are in: route the request, check its framing, method and declared size, and
 * start the call. */
static enum MHD_Result begin(srv_server *s, struct MHD_Connection *conn, srv_request *r, const char *url,
                             const char *method, const char *version)
{
    char path[PATH_COPY], allow[32], why[256];
    const char *last, *prev;
    if (!srv_limits_admitted(conn)) {
        r->close = true;
        return srv_reply_text(conn, r, MHD_HTTP_SERVICE_UNAVAILABLE, NULL,
                              "{\"Error\":\"the server has %u connections open, its limit "
                              "(--max-connections): try again later\"}", srv_limits_max_connections(s->limits));
    }
    unsigned bad_framing = srv_framing_check(conn, version, why, sizeof why);
    if (bad_framing) {
        r->close = true;   /* where this request ends, and the next begins, is not known */
        return srv_reply_error(conn, r, bad_framing, why);
    }
    if (r->target_len >= PATH_COPY)   /* routed on a cut copy, DELETE /nodes/NAME would name another node */
        return srv_reply_text(conn, r, MHD_HTTP_URI_TOO_LONG, NULL,
                              "{\"Error\":\"the request target (path and query) is %zu bytes, over the "
                              "limit of %d\"}", r->target_len, PATH_COPY - 1);
    last_segments(url, path, &last, &prev);
    r->route = srv_route_find(last, prev, method_bit(method), allow, sizeof allow);
    if (r->route && srv_cache_write_refused(s, r->route))
        return srv_reply_text(conn, r, MHD_HTTP_CONFLICT, NULL, "{\"Error\":\"%s\"}", SRV_CACHE_OWNED);
    if (r->route && r->route->cache_write && !from_loopback(conn)) {
        char who[512];
        if (!srv_tls_client_verified(conn, who, sizeof who))
            return srv_reply_text(conn, r, MHD_HTTP_FORBIDDEN, NULL, "{\"Error\":\"%s\"}", SRV_LOOPBACK_ONLY);
        host_log(HOST_LOG_INFO, "%s %s: a node cache write by client certificate %s", method, r->path, who);
    }
    if (r->route)
        r->segment = host_xstrdup(last);
    if (r->route && r->route->at_once)
        return run_route(s, conn, r);
    if (!r->route) {
        char shown_url[URL_SHOWN], shown_method[METHOD_SHOWN];
        show(shown_url, sizeof shown_url, url);
        if (!allow[0])
            return srv_reply_text(conn, r, MHD_HTTP_NOT_FOUND, NULL,
                                  "{\"Error\":\"no endpoint at %s: try %s\"}", shown_url, s->endpoints);
        show(shown_method, sizeof shown_method, method);
        return srv_reply_text(conn, r, MHD_HTTP_METHOD_NOT_ALLOWED, allow,
                              "{\"Error\":\"method %s is not allowed on %s (allowed: %s)\"}",
                              shown_method, shown_url, allow);
    }
    const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
    if (cl && strtoull(cl, NULL, 10) > s->max_body) {
        char *shown_cl = host_json_escaped(cl);
        enum MHD_Result ret = srv_reply_text(
            conn, r, MHD_HTTP_CONTENT_TOO_LARGE, NULL,
            "{\"Error\":\"request body of %s bytes is over the limit of %llu (--max-body)\"}", shown_cl,
            (unsigned long long)s->max_body);
        free(shown_cl);
        return ret;
    }
    const char *type = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);
    r->body_type = srv_body_type_of(type);
    if (r->route->patch && (r->body_type == SRV_BODY_NONE || r->body_type == SRV_BODY_OTHER)) {
        char what[METHOD_SHOWN * 4], shown[sizeof what * 6];
        snprintf(what, sizeof what, type ? ", not \"%s\"" : ": the request has none", type);
        show(shown, sizeof shown, what);
        return srv_reply_text(conn, r, MHD_HTTP_UNSUPPORTED_MEDIA_TYPE, NULL,
                              "{\"Error\":\"a merge patch of a node takes Content-Type " SRV_PATCH_TYPES "%s\"}",
                              shown);
    }
    /* a YAML body is converted once it is whole: libyaml parses a complete stream */
    r->whole = r->route->patch || (r->route->stream && r->body_type == SRV_BODY_YAML);
    if (r->route->stream && !r->whole)
        r->call = s->api->call_begin(s->index, r->route->verb);
    return MHD_YES;
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *conn, const char *url,
                              const char *method, const char *version, const char *upload_data,
                              size_t *upload_data_size, void **req_cls)
{
    srv_server *s = cls;
    srv_request *r = *req_cls;
    if (!r->begun) {
        r->begun = true;
        snprintf(r->method, sizeof r->method, "%s", method);
        srv_limits_headers_in(conn);
        return begin(s, conn, r, url, method, version);
    }
    if (*upload_data_size) {
        size_t n = *upload_data_size;
        *upload_data_size = 0;
        r->bytes += n;
        if (r->bytes > s->max_body)
            return cut_off(s, conn, r);
        if (r->call) {
            s->api->call_feed(r->call, upload_data, n);
            if (s->recorder && r->route->record)
                srv_recording_add(&r->rec, upload_data, n);
        } else if (r->whole)
            host_buf_put(&r->body, upload_data, n);
        return MHD_YES;
    }
    srv_limits_body_in(conn);
    return run_route(s, conn, r);
}

/* A connection opened or closed: over TLS, it holds the credentials current at its start (tls.c). */
static void connection_event(void *cls, struct MHD_Connection *conn, void **socket_context,
                             enum MHD_ConnectionNotificationCode code)
{
    srv_server *s = cls;
    if (!s->tls)
        return;
    if (code == MHD_CONNECTION_NOTIFY_STARTED)
        srv_tls_connection_started(s->tls, conn, socket_context);
    else
        srv_tls_connection_closed(*socket_context);
}

/* Counts and logs the request and frees its state, also when the client went away mid-body. */
static void completed(void *cls, struct MHD_Connection *conn, void **req_cls,
                      enum MHD_RequestTerminationCode toe)
{
    srv_server *s = cls;
    srv_request *r = *req_cls;
    if (!r)
        return;
    srv_limits_reply_sent(conn);
    if (r->call) {
        ng_reply reply;
        s->api->call_end(r->call, &reply);
        s->api->reply_free(&reply);
    }
    if (!r->status) {   /* libmicrohttpd answered by itself (431, 505, ...) */
        const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_HTTP_STATUS);
        r->status = ci ? ci->http_status : 0;
    }
    struct timespec end;
    clock_gettime(CLOCK_MONOTONIC, &end);
    /* CLOCK_MONOTONIC never goes back, so this is not negative */
    uint64_t ns = (uint64_t)((int64_t)(end.tv_sec - r->start.tv_sec) * 1000000000 +
                             (end.tv_nsec - r->start.tv_nsec));
    if (r->route && r->route->counted)
        srv_metrics_observe(r->route->verb, r->status, ns, r->bytes, r->reply_bytes);
    host_log(HOST_LOG_DEBUG, "%s %s %u in=%llu out=%zu %lluus%s", r->method, r->path, r->status,
             (unsigned long long)r->bytes, r->reply_bytes, (unsigned long long)(ns / 1000),
             toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "" : " (aborted)");
    srv_recording_free(&r->rec);
    host_buf_free(&r->body);
    free(r->segment);
    free(r);
    *req_cls = NULL;
    pthread_mutex_lock(&s->mu);
    if (--s->in_flight == 0)
        pthread_cond_broadcast(&s->idle);
    pthread_mutex_unlock(&s->mu);
}

/* libmicrohttpd's own lines (a client's malformed request, a failed accept), at info level:
 * each is about one connection. */
static void mhd_log(void *cls, const char *fmt, va_list ap)
{
    char line[512];
    vsnprintf(line, sizeof line, fmt, ap);
    line[strcspn(line, "\n")] = '\0';
    host_log(HOST_LOG_INFO, "libmicrohttpd: %s", line);
}

const char *srv_address_text(const struct sockaddr_storage *a, uint16_t port, char *out, size_t len)
{
    char host[INET6_ADDRSTRLEN];
    if (a->ss_family == AF_INET6) {
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)a)->sin6_addr, host, sizeof host);
        snprintf(out, len, "[%s]:%u", host, port);
    } else {
        inet_ntop(AF_INET, &((const struct sockaddr_in *)a)->sin_addr, host, sizeof host);
        snprintf(out, len, "%s:%u", host, port);
    }
    return out;
}

/* Why libmicrohttpd could not listen on addr, which it does not say: binding a socket of our own
 * there gets the errno ("address already in use"). NULL when that bind works (the failure was
 * elsewhere, TLS for one). */
static const char *why_not_listening(const struct sockaddr_storage *addr, char *out, size_t len)
{
    int fd = socket(addr->ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0), on = 1;
    socklen_t size = addr->ss_family == AF_INET6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);   /* as libmicrohttpd binds */
    int failed = fd < 0 || bind(fd, (const struct sockaddr *)addr, size) != 0;
    int e = errno;
    if (fd >= 0)
        close(fd);
    if (!failed)
        return NULL;
    snprintf(out, len, "%s", strerror(e));
    out[0] = (char)tolower((unsigned char)out[0]);   /* Go's way: "address already in use" */
    return out;
}

srv_server *srv_server_start(const host_plugin *plugin, ng_index *index, const srv_server_config *cfg,
                             char *err, size_t errlen)
{
    srv_server *s = host_xcalloc(1, sizeof *s);
    s->api = plugin->api;
    s->index = index;
    s->max_body = cfg->max_body;
    s->source = cfg->source;
    s->cache_stale_after = cfg->cache_stale_after;
    s->tls = cfg->tls;
    if (cfg->record_dir && !(s->recorder = srv_recorder_new(cfg->record_dir, err, errlen))) {
        free(s);
        return NULL;
    }
    s->endpoints = srv_route_endpoints();
    s->listen_fd = -1;
    pthread_mutex_init(&s->writes, NULL);
    pthread_mutex_init(&s->mu, NULL);
    pthread_cond_init(&s->idle, NULL);
    sem_init(&s->call_slots, 0, cfg->threads);
    s->limits = srv_limits_new(&cfg->limits, connection_event, s);   /* which passes on each event */
    /* A thread per connection, as Go's server has a goroutine per connection: a call waiting
     * for the index lock (behind a node update that waits for a long call) holds up its own
     * connection only, never /healthz on another. --threads bounds the plugin calls instead.
     * ITC: MHD_quiesce_daemon needs it with an internal polling thread. */
    unsigned flags = MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL |
                     MHD_USE_ERROR_LOG | MHD_USE_ITC;
    if (cfg->addr.ss_family == AF_INET6)
        flags |= MHD_USE_IPv6;
    struct MHD_OptionItem tls_options[SRV_TLS_OPTIONS];
    flags |= srv_tls_mhd_options(cfg->tls, tls_options);
    s->mhd = MHD_start_daemon(
        flags, 0, NULL, NULL, handle, s, MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
        MHD_OPTION_SOCK_ADDR, &cfg->addr, MHD_OPTION_URI_LOG_CALLBACK, request_line, s,
        MHD_OPTION_NOTIFY_COMPLETED, completed, s, MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)CONN_MEMORY,
        MHD_OPTION_ARRAY, srv_limits_options(s->limits), MHD_OPTION_UNESCAPE_CALLBACK, unescape, NULL,
        MHD_OPTION_ARRAY, tls_options, MHD_OPTION_END);
    if (!s->mhd) {
        char where[INET6_ADDRSTRLEN + 16], why[128];
        uint16_t port = ntohs(cfg->addr.ss_family == AF_INET6 ? ((const struct sockaddr_in6 *)&cfg->addr)->sin6_port
                                                              : ((const struct sockaddr_in *)&cfg->addr)->sin_port);
        srv_address_text(&cfg->addr, port, where, sizeof where);
        const char *reason = why_not_listening(&cfg->addr, why, sizeof why);
        snprintf(err, errlen, "cannot listen on %s: %s", where,
                 reason ? reason : cfg->tls ? "TLS did not start" : "libmicrohttpd did not start");
        srv_server_stop(s);
        return NULL;
    }
    return s;
}

unsigned srv_server_drain(srv_server *s, double grace)
{
    atomic_store(&s->draining, true);
    /* MHD stops accepting; the socket may be closed only after MHD_stop_daemon, but shutting it
     * down now makes the kernel refuse new connections at once, rather than queue them unserved */
    s->listen_fd = MHD_quiesce_daemon(s->mhd);
    if (s->listen_fd >= 0)
        shutdown(s->listen_fd, SHUT_RDWR);
    struct timespec until = host_deadline(grace);
    pthread_mutex_lock(&s->mu);
    while (s->in_flight > 0 && pthread_cond_timedwait(&s->idle, &s->mu, &until) == 0) {
    }
    unsigned left = s->in_flight;
    pthread_mutex_unlock(&s->mu);
    return left;
}

void srv_server_lock_writes(srv_server *s)
{
    pthread_mutex_lock(&s->writes);
}

void srv_server_unlock_writes(srv_server *s)
{
    pthread_mutex_unlock(&s->writes);
}

uint16_t srv_server_port(const srv_server *s)
{
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(s->mhd, MHD_DAEMON_INFO_BIND_PORT);
    return info ? info->port : 0;
}

void srv_server_stop(srv_server *s)
{
    if (s->mhd)
        MHD_stop_daemon(s->mhd);
    if (s->listen_fd >= 0)
        close(s->listen_fd);
    srv_limits_free(s->limits);   /* after the daemon: every connection is closed */
    sem_destroy(&s->call_slots);
    pthread_cond_destroy(&s->idle);
    pthread_mutex_destroy(&s->mu);
    pthread_mutex_destroy(&s->writes);
    srv_recorder_free(s->recorder);
    free(s->endpoints);
    free(s);
}
