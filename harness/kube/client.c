/* client.c - a kube_config turned into libcurl options, set on the caller's easy handle for each
 * request to the API server: a list, then long watches, on one kept-alive connection. */
#include "client.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "log.h"
#include "nodegate.h"
#include "readfile.h"
#include "xalloc.h"

struct kube_client {
    kube_config c;                  /* our own copy */
    char *base;                     /* what a path is appended to: server, or its tls-server-name form */
    struct curl_slist *connect_to;  /* tls-server-name: "NAME:PORT:HOST:PORT"; else NULL */
    char *host_header;              /* tls-server-name: "Host: " the server's own host; else NULL */
    char *no_proxy;                 /* $no_proxy plus loopback: as Go, never proxy a local server */

    pthread_mutex_t mu;             /* the token state below */
    char *token;                    /* the bearer token sent, NULL for none */
    bool reread;                    /* kube_client_token_rejected: read the file at the next request */
    bool read_failing;              /* the last read failed (logged once per run of failures) */
    struct stat stamp;              /* the token file as it was when last read */
};

static bool fail(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static bool fail(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return false;
}

static char *dup_or_null(const char *s)
{
    return s ? host_xstrdup(s) : NULL;
}

static char *memdup_or_null(const char *p, size_t n)
{
    if (!p)
        return NULL;
    char *q = host_xmalloc(n + 1);
    memcpy(q, p, n);
    q[n] = '\0';
    return q;
}

static void config_copy(kube_config *d, const kube_config *s)
{
    *d = (kube_config){
        .server = dup_or_null(s->server),
        .ca_file = dup_or_null(s->ca_file),
        .ca_data = memdup_or_null(s->ca_data, s->ca_data_len),
        .ca_data_len = s->ca_data_len,
        .insecure = s->insecure,
        .tls_server_name = dup_or_null(s->tls_server_name),
        .token = dup_or_null(s->token),
        .token_file = dup_or_null(s->token_file),
        .cert_file = dup_or_null(s->cert_file),
        .key_file = dup_or_null(s->key_file),
        .cert_data = memdup_or_null(s->cert_data, s->cert_data_len),
        .key_data = memdup_or_null(s->key_data, s->key_data_len),
        .cert_data_len = s->cert_data_len,
        .key_data_len = s->key_data_len,
        .origin = dup_or_null(s->origin ? s->origin : "kube config"),
    };
}

/* The token as client-go takes it from a file: without the whitespace around it. Returns a new
 * string, or NULL with why when nothing is left or it holds a control byte (which would end the
 * Authorization header early and start another). */
static char *token_clean(const char *s, size_t n, const char **why)
{
    while (n && strchr(" \t\r\n\v\f", s[n - 1]))
        n--;
    while (n && strchr(" \t\r\n\v\f", s[0]))
        s++, n--;
    if (n == 0)
        return *why = "empty", NULL;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
            return *why = "holds a control character", NULL;
    return memdup_or_null(s, n);
}

static bool same_file_state(const struct stat *a, const struct stat *b)
{
    return a->st_dev == b->st_dev && a->st_ino == b->st_ino && a->st_size == b->st_size &&
           a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec;
}

/* Reads the token file when it changed since the last read (another inode: the kubelet swaps
 * the service account's token by renaming; or another size or mtime), or when a read was
 * asked for. A failed read keeps the last token: a rotation caught mid-way is retried at the
 * next request. Returns false with why when the file could not be read; under k->mu. */
static bool token_refresh(kube_client *k, const char **why)
{
    struct stat st;
    if (stat(k->c.token_file, &st) != 0)
        return *why = strerror(errno), false;
    if (k->token && !k->reread && same_file_state(&st, &k->stamp))
        return true;
    size_t n;
    char *text = host_read_file(k->c.token_file, &n);
    if (!text)
        return *why = strerror(errno), false;
    char *t = token_clean(text, n, why);
    free(text);
    if (!t)
        return false;
    free(k->token);
    k->token = t;
    k->stamp = st;   /* taken before the read: a change during it is seen at the next request */
    k->reread = false;
    return true;
}

/* What curl will read for one PEM item, checked now so that the error names it instead of a TLS
 * failure later: data when given (it wins over the file, as in client-go), else the file, which
 * must be readable; either must hold a PEM block whose label ends with want. */
static bool pem_ok(const kube_config *c, const char *data_key, const char *data, const char *file_key,
                   const char *file, const char *want, char *err, size_t errlen)
{
    if (data) {
        if (strstr(data, "-----BEGIN ") && strstr(data, want))
            return true;
        return fail(err, errlen, "%s: %s: holds no PEM block \"%s\"", c->origin, data_key, want);
    }
    if (!file)
        return true;
    char *text = host_read_file(file, NULL);
    if (!text)
        return fail(err, errlen, "%s: %s %s: cannot read: %s", c->origin, file_key, file, strerror(errno));
    bool ok = strstr(text, "-----BEGIN ") && strstr(text, want);
    free(text);
    if (!ok)
        return fail(err, errlen, "%s: %s %s: holds no PEM block \"%s\"", c->origin, file_key, file, want);
    return true;
}

/* The URL prefix and, for tls-server-name, the CONNECT_TO mapping and the Host header.
 * libcurl checks the server's certificate against the URL's host and has no option to check it
 * against another name (Go's tls.Config.ServerName). So the URL carries tls-server-name as its
 * host, which curl sends as SNI and verifies, CURLOPT_CONNECT_TO sends the connection to the
 * server's real host and port, and the Host header keeps the real host, as client-go sends it. */
static bool setup_url(kube_client *k, char *err, size_t errlen)
{
    const kube_config *c = &k->c;
    CURLU *u = curl_url();
    if (!u)
        host_oom(64);
    char *scheme = NULL, *host = NULL, *port = NULL, *own_port = NULL, *path = NULL;
    bool ok = false;
    CURLUcode rc = curl_url_set(u, CURLUPART_URL, c->server, 0);
    if (rc != CURLUE_OK) {
        fail(err, errlen, "%s: server \"%s\": %s", c->origin, c->server, curl_url_strerror(rc));
        goto out;
    }
    if (!c->tls_server_name || !*c->tls_server_name ||
        (curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK && strcmp(scheme, "https") != 0)) {
        k->base = host_xstrdup(c->server);   /* plain http has no certificate to check */
        ok = true;
        goto out;
    }
    if (curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_PATH, &path, 0) != CURLUE_OK) {
        fail(err, errlen, "%s: server \"%s\": no host in it", c->origin, c->server);
        goto out;
    }
    curl_url_get(u, CURLUPART_PORT, &own_port, 0);   /* NULL when the URL names none */
    const char *name = c->tls_server_name;
    bool v6 = strchr(name, ':') != NULL;   /* an address, in brackets as in a URL */
    size_t plen = strlen(path);
    while (plen && path[plen - 1] == '/')   /* curl gives "/" for no path */
        plen--;
    size_t n = strlen(name) + strlen(port) + plen + 32;
    k->base = host_xmalloc(n);
    snprintf(k->base, n, "https://%s%s%s:%s%.*s", v6 ? "[" : "", name, v6 ? "]" : "", port, (int)plen, path);
    n = strlen(name) + strlen(host) + 2 * strlen(port) + 16;
    char *map = host_xmalloc(n);
    snprintf(map, n, "%s%s%s:%s:%s:%s", v6 ? "[" : "", name, v6 ? "]" : "", port, host, port);
    k->connect_to = curl_slist_append(NULL, map);
    free(map);
    if (!k->connect_to)
        host_oom(n);
    n = strlen(host) + (own_port ? strlen(own_port) : 0) + 16;
    k->host_header = host_xmalloc(n);
    snprintf(k->host_header, n, "Host: %s%s%s", host, own_port ? ":" : "", own_port ? own_port : "");
    ok = true;
out:
    curl_free(scheme);
    curl_free(host);
    curl_free(port);
    curl_free(own_port);
    curl_free(path);
    curl_url_cleanup(u);
    return ok;
}

kube_client *kube_client_new(const kube_config *c, char *err, size_t errlen)
{
    kube_client *k = host_xcalloc(1, sizeof *k);
    const char *env = getenv("no_proxy") ? getenv("no_proxy") : getenv("NO_PROXY");
    size_t n = (env ? strlen(env) : 0) + sizeof ",localhost,127.0.0.1,::1";
    k->no_proxy = host_xmalloc(n);
    snprintf(k->no_proxy, n, "%s%slocalhost,127.0.0.1,::1", env ? env : "", env && env[0] ? "," : "");
    config_copy(&k->c, c);
    pthread_mutex_init(&k->mu, NULL);
    const kube_config *kc = &k->c;
    if (!kc->server) {
        fail(err, errlen, "%s: no server", kc->origin);
        goto bad;
    }
    if (!setup_url(k, err, errlen))
        goto bad;
    if (!pem_ok(kc, "certificate-authority-data", kc->ca_data, "certificate-authority", kc->ca_file,
                "CERTIFICATE-----", err, errlen) ||
        !pem_ok(kc, "client-certificate-data", kc->cert_data, "client-certificate", kc->cert_file,
                "CERTIFICATE-----", err, errlen) ||
        !pem_ok(kc, "client-key-data", kc->key_data, "client-key", kc->key_file, "PRIVATE KEY-----", err, errlen))
        goto bad;
    const char *why;
    if (kc->token_file) {   /* the file wins over an inline token: it is the one that rotates */
        if (!token_refresh(k, &why)) {
            fail(err, errlen, "%s: token file %s: %s", kc->origin, kc->token_file, why);
            goto bad;
        }
    } else if (kc->token) {
        k->token = token_clean(kc->token, strlen(kc->token), &why);
        if (!k->token) {
            fail(err, errlen, "%s: token: %s", kc->origin, why);
            goto bad;
        }
    }
    return k;
bad:
    kube_client_free(k);
    return NULL;
}

void kube_client_free(kube_client *k)
{
    if (!k)
        return;
    kube_config_free(&k->c);
    free(k->base);
    curl_slist_free_all(k->connect_to);
    free(k->host_header);
    free(k->no_proxy);
    free(k->token);
    pthread_mutex_destroy(&k->mu);
    free(k);
}

static struct curl_slist *append(struct curl_slist *list, const char *line)
{
    struct curl_slist *l = curl_slist_append(list, line);
    if (!l)
        host_oom(strlen(line));
    return l;
}

/* A PEM blob for curl, copied by it: the handle may outlive this client. */
static void set_blob(CURL *h, CURLoption opt, const char *data, size_t len)
{
    struct curl_blob b = {.data = (void *)data, .len = len, .flags = CURL_BLOB_COPY};
    curl_easy_setopt(h, opt, &b);
}

void kube_client_prepare(kube_client *k, CURL *h, const char *path, struct curl_slist **headers)
{
    const kube_config *c = &k->c;
    /* a clean handle each time, so no option of the last request leaks into this one; reset
     * keeps the connection, DNS and TLS session caches, so keep-alive still works */
    curl_easy_reset(h);

    size_t n = strlen(k->base) + strlen(path) + 2;
    char *url = host_xmalloc(n);
    snprintf(url, n, "%s%s%s", k->base, path[0] == '/' ? "" : "/", path);
    curl_easy_setopt(h, CURLOPT_URL, url);   /* curl copies it */
    free(url);
#if LIBCURL_VERSION_NUM >= 0x075500
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
#else
    curl_easy_setopt(h, CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);   /* the source runs on a thread of its own */
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);   /* the API server does not redirect lists */
    curl_easy_setopt(h, CURLOPT_NOPROXY, k->no_proxy);
    /* client-go's dialer: 30 s to connect, 30 s keep-alive probes, so a watch on a dead
     * connection ends even when the server never answers again */
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 30L);
    curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(h, CURLOPT_TCP_KEEPIDLE, 30L);
    curl_easy_setopt(h, CURLOPT_TCP_KEEPINTVL, 30L);
    curl_easy_setopt(h, CURLOPT_USERAGENT, "nodegate/" NODEGATE_VERSION);

    curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, c->insecure ? 0L : 1L);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, c->insecure ? 0L : 2L);
    if (c->ca_data || c->ca_file) {
        /* the cluster's CA alone, as client-go trusts it: not the system's CAs beside it */
        curl_easy_setopt(h, CURLOPT_CAPATH, NULL);
        if (c->ca_data) {
            curl_easy_setopt(h, CURLOPT_CAINFO, NULL);
            set_blob(h, CURLOPT_CAINFO_BLOB, c->ca_data, c->ca_data_len);
        } else {
            curl_easy_setopt(h, CURLOPT_CAINFO, c->ca_file);
        }
    }
    if (c->cert_data)
        set_blob(h, CURLOPT_SSLCERT_BLOB, c->cert_data, c->cert_data_len);
    else if (c->cert_file)
        curl_easy_setopt(h, CURLOPT_SSLCERT, c->cert_file);
    if (c->cert_data || c->cert_file)
        curl_easy_setopt(h, CURLOPT_SSLCERTTYPE, "PEM");
    if (c->key_data)
        set_blob(h, CURLOPT_SSLKEY_BLOB, c->key_data, c->key_data_len);
    else if (c->key_file)
        curl_easy_setopt(h, CURLOPT_SSLKEY, c->key_file);
    if (c->key_data || c->key_file)
        curl_easy_setopt(h, CURLOPT_SSLKEYTYPE, "PEM");
    if (k->connect_to)
        curl_easy_setopt(h, CURLOPT_CONNECT_TO, k->connect_to);

    struct curl_slist *l = append(*headers, "Accept: application/json");
    if (k->host_header)
        l = append(l, k->host_header);
    pthread_mutex_lock(&k->mu);
    if (c->token_file) {
        const char *why;
        bool ok = token_refresh(k, &why);
        if (!ok && !k->read_failing)
            host_log(HOST_LOG_ERROR, "%s: token file %s: %s; the last token read is sent until it can be read",
                     c->origin, c->token_file, why);
        else if (ok && k->read_failing)
            host_log(HOST_LOG_INFO, "%s: token file %s read again", c->origin, c->token_file);
        k->read_failing = !ok;
    }
    if (k->token) {
        size_t tn = strlen(k->token) + 32;
        char *line = host_xmalloc(tn);
        snprintf(line, tn, "Authorization: Bearer %s", k->token);
        l = append(l, line);
        free(line);
    }
    pthread_mutex_unlock(&k->mu);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, l);
    *headers = l;
}

void kube_client_token_rejected(kube_client *k)
{
    pthread_mutex_lock(&k->mu);
    k->reread = true;
    pthread_mutex_unlock(&k->mu);
}

const char *kube_client_server(const kube_client *k)
{
    return k->c.server;
}
