/* server.c - the HTTP side: libmicrohttpd with a thread per connection (a watch blocks its own
 * thread, never a list), TLS through GnuTLS, routing, and the one place replies are queued. */
#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "fakeapi.h"
#include "readfile.h"
#include "xalloc.h"

enum { MAX_BODY = 1u << 30 };   /* a NodeList of 65,536 nodes of 10 KB fits */

const char *fa_arg(struct MHD_Connection *c, const char *name)
{
    return MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, name);
}

int fa_parse_bool(const char *s)
{
    static const char *const yes[] = {"1", "t", "T", "TRUE", "true", "True"};
    static const char *const no[] = {"0", "f", "F", "FALSE", "false", "False"};
    for (size_t i = 0; i < 6; i++) {
        if (strcmp(s, yes[i]) == 0)
            return 1;
        if (strcmp(s, no[i]) == 0)
            return 0;
    }
    return -1;
}

enum MHD_Result fa_queue(fa_server *srv, fa_req *r, struct MHD_Connection *c, unsigned status,
                         struct MHD_Response *resp)
{
    if (!resp)
        host_oom(0);
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-cache, private");
    r->status = status;
    enum MHD_Result ret = MHD_queue_response(c, status, resp);
    MHD_destroy_response(resp);
    return ret;
}

enum MHD_Result fa_reply_json(fa_server *srv, fa_req *r, struct MHD_Connection *c, unsigned status,
                              char *body, size_t len)
{
    return fa_queue(srv, r, c, status, MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE));
}

enum MHD_Result fa_reply_jsonv(fa_server *srv, fa_req *r, struct MHD_Connection *c, unsigned status,
                               json_t *j)
{
    host_buf b = {0};
    char *s = json_dumps(j, JSON_COMPACT);
    json_decref(j);
    if (!s)
        host_oom(0);
    host_buf_puts(&b, s);
    free(s);
    host_buf_put(&b, "\n", 1);
    size_t len;
    char *body = host_buf_take(&b, &len);
    return fa_reply_json(srv, r, c, status, body, len);
}

/* The URI as sent, before MHD splits and unescapes it: it becomes the request's state. */
static void *on_uri(void *cls, const char *uri, struct MHD_Connection *c)
{
    fa_req *r = host_xcalloc(1, sizeof *r);
    r->uri = host_xstrdup(uri);
    char *q = strchr(r->uri, '?');
    r->query = q ? q + 1 : "";
    return r;
}

static void on_done(void *cls, struct MHD_Connection *c, void **req_cls,
                    enum MHD_RequestTerminationCode toe)
{
    fa_req *r = *req_cls;
    if (!r)
        return;
    host_buf_free(&r->body);
    free(r->uri);
    free(r);
    *req_cls = NULL;
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
    fa_server *srv = cls;
    if (srv->cfg->verbose) {
        fputs("fake-apiserver: ", stderr);
        vfprintf(stderr, fmt, ap);
    }
}

static enum MHD_Result route(fa_server *srv, fa_req *r, struct MHD_Connection *c, const char *url,
                             const char *method)
{
    if (strncmp(url, "/fake/", 6) == 0)
        return fa_control(srv, r, c, method, url);
    r->api = true;
    if (!fa_auth_check(srv->cfg, c, &r->auth))
        return fa_reply_status(srv, r, c, 401, "Unauthorized", "Unauthorized", NULL, -1);
    bool get = strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0;
    const char *coll = "/api/v1/nodes";
    size_t cl = strlen(coll);
    if (strncmp(url, coll, cl) == 0 && (url[cl] == '\0' || (url[cl] == '/' && url[cl + 1] &&
                                                             !strchr(url + cl + 1, '/')))) {
        if (!get)
            return fa_reply_status(srv, r, c, 405, "MethodNotAllowed",
                                   "the server does not allow this method on the requested resource", NULL, -1);
        if (url[cl] == '/')
            return fa_get_node(srv, r, c, url + cl + 1);
        const char *watch = fa_arg(c, "watch");
        int w = watch ? fa_parse_bool(watch) : 0;
        if (w < 0)
            return fa_reply_status(srv, r, c, 400, "BadRequest",
                                   "invalid boolean in the query: watch takes true or false", NULL, -1);
        return w ? fa_watch(srv, r, c) : fa_list(srv, r, c);
    }
    json_t *details = json_object();
    return fa_reply_status(srv, r, c, 404, "NotFound", "the server could not find the requested resource",
                           details, -1);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload,
                                  size_t *upload_size, void **req_cls)
{
    fa_server *srv = cls;
    fa_req *r = *req_cls;
    if (!r->started) {
        r->started = true;
        return MHD_YES;
    }
    if (*upload_size) {
        if (!r->too_large && r->body.len + *upload_size <= MAX_BODY) {
            host_buf_put(&r->body, upload, *upload_size);
        } else {
            r->too_large = true;   /* the rest is read and dropped; the reply says so */
            host_buf_free(&r->body);
        }
        *upload_size = 0;
        return MHD_YES;
    }
    enum MHD_Result ret;
    if (r->too_large) {
        ret = fa_reply_status(srv, r, c, 413, "RequestEntityTooLarge", "the request body is larger than 1 GiB",
                              NULL, -1);
    } else {
        ret = route(srv, r, c, url, method);
    }
    if (r->api)
        fa_reqlog_add(srv, c, r, method, r->uri);
    if (srv->cfg->verbose)
        fprintf(stderr, "fake-apiserver: %s %s %u (%s)\n", method, r->uri, r->status, fa_auth_names[r->auth]);
    return ret;
}

static bool read_pem(const char *path, const char *what, char **out, char *err, size_t errlen)
{
    *out = host_read_file(path, NULL);
    if (!*out)
        snprintf(err, errlen, "%s %s: cannot be read", what, path);
    return *out != NULL;
}

bool fa_server_start(fa_server *srv, const fa_config *cfg, fa_store *s, char *err, size_t errlen)
{
    *srv = (fa_server){.cfg = cfg, .store = s, .started = fa_now()};
    /* --listen HOST:PORT or [V6]:PORT */
    char host[256];
    const char *colon = strrchr(cfg->listen, ':');
    const char *h = cfg->listen;
    size_t hl = colon ? (size_t)(colon - h) : 0;
    if (hl && h[0] == '[' && h[hl - 1] == ']')
        h++, hl -= 2;
    if (!colon || hl == 0 || hl >= sizeof host || !colon[1]) {
        snprintf(err, errlen, "--listen %s: expected HOST:PORT", cfg->listen);
        return false;
    }
    memcpy(host, h, hl);
    host[hl] = '\0';
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
                             .ai_flags = AI_PASSIVE | AI_NUMERICSERV}, *ai = NULL;
    int gai = getaddrinfo(host, colon + 1, &hints, &ai);
    if (gai) {
        snprintf(err, errlen, "--listen %s: %s", cfg->listen, gai_strerror(gai));
        return false;
    }
    unsigned flags = MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL |
                     MHD_USE_ERROR_LOG;
    if (ai->ai_family == AF_INET6)
        flags |= MHD_USE_IPv6;
    if (cfg->tls_cert) {
        flags |= MHD_USE_TLS;
        if (!read_pem(cfg->tls_cert, "--tls-cert", &srv->cert_pem, err, errlen) ||
            !read_pem(cfg->tls_key, "--tls-key", &srv->key_pem, err, errlen) ||
            (cfg->client_ca && !read_pem(cfg->client_ca, "--client-ca", &srv->ca_pem, err, errlen))) {
            freeaddrinfo(ai);
            return false;
        }
    }
    struct MHD_OptionItem tls[4];
    size_t k = 0;
    if (srv->cert_pem)
        tls[k++] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_CERT, 0, srv->cert_pem};
    if (srv->key_pem)
        tls[k++] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_KEY, 0, srv->key_pem};
    if (srv->ca_pem)   /* a trust list makes MHD ask for a client certificate; auth.c checks it */
        tls[k++] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_TRUST, 0, srv->ca_pem};
    tls[k] = (struct MHD_OptionItem){MHD_OPTION_END, 0, NULL};
    srv->d = MHD_start_daemon(flags, 0, NULL, NULL, on_request, srv,
                              MHD_OPTION_EXTERNAL_LOGGER, mhd_log, srv,   /* first: it says so */
                              MHD_OPTION_SOCK_ADDR, ai->ai_addr,
                              MHD_OPTION_URI_LOG_CALLBACK, on_uri, srv,
                              MHD_OPTION_NOTIFY_COMPLETED, on_done, srv,
                              MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(256 * 1024),
                              MHD_OPTION_ARRAY, tls,
                              MHD_OPTION_END);
    freeaddrinfo(ai);
    if (!srv->d) {
        snprintf(err, errlen, "cannot serve on %s (address in use, or a bad TLS certificate or key)",
                 cfg->listen);
        return false;
    }
    return true;
}

unsigned fa_server_port(const fa_server *srv)
{
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(srv->d, MHD_DAEMON_INFO_BIND_PORT);
    return di ? di->port : 0;
}

void fa_server_stop(fa_server *srv)
{
    fa_store *s = srv->store;
    pthread_mutex_lock(&s->mu);
    s->stopping = true;   /* every blocked watch and waiter returns */
    pthread_cond_broadcast(&s->cond);
    pthread_mutex_unlock(&s->mu);
    if (srv->d)
        MHD_stop_daemon(srv->d);
    free(srv->cert_pem);
    free(srv->key_pem);
    free(srv->ca_pem);
}
