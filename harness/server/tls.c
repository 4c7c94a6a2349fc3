/* tls.c - HTTPS and mutual TLS: the flag files loaded into GnuTLS credentials, pinned by each
 * connection for its life, replaced for new connections when the files change. Expects a few
 * new connections a second (kube-scheduler keeps its connections alive): a stat() of the files
 * once a second at most, a load (about a millisecond) only when they changed. */
#include "tls.h"

#include <arpa/inet.h>
#include <errno.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>

#include "health.h"
#include "log.h"
#include "readfile.h"
#include "xalloc.h"

enum { CERT, KEY, CA, NFILES };
static const char *const flag_of[NFILES] = {"--tls-cert-file", "--tls-private-key-file", "--client-ca-file"};

/* How often a new connection may look at the files. kube's serving-certificate reloader polls once
 * a minute; a stat() is cheap enough to take a rotation within a second. */
#define CHECK_EVERY_S 1.0

/* One load of the files: the credentials of every session begun while it was current. */
typedef struct creds {
    atomic_uint refs;   /* one while current, plus one per connection that uses it */
    gnutls_certificate_credentials_t cred;
} creds;

/* What stat() says of a file: any difference means it was replaced or rewritten. */
typedef struct file_id {
    dev_t dev;
    ino_t ino;
    off_t size;
    struct timespec mtime, ctime;
} file_id;

struct srv_tls {
    const char *files[NFILES];   /* borrowed (argv); files[CA] is NULL without a client CA */
    char *pem[2];                /* the certificate and key first read: libmicrohttpd's, see below */
    pthread_mutex_t mu;          /* guards current, seen and next_check */
    creds *current;
    file_id seen[NFILES];        /* the files as last loaded or refused, so a refusal is logged once */
    double next_check;           /* CLOCK_MONOTONIC seconds */
};

static file_id file_id_of(const char *path)
{
    file_id id = {0};
    struct stat st;
    if (path && stat(path, &st) == 0)
        id = (file_id){st.st_dev, st.st_ino, st.st_size, st.st_mtim, st.st_ctim};
    return id;
}

static bool same_file(const file_id *a, const file_id *b)
{
    return a->dev == b->dev && a->ino == b->ino && a->size == b->size && a->mtime.tv_sec == b->mtime.tv_sec &&
           a->mtime.tv_nsec == b->mtime.tv_nsec && a->ctime.tv_sec == b->ctime.tv_sec &&
           a->ctime.tv_nsec == b->ctime.tv_nsec;
}

static void creds_unref(creds *c)
{
    if (c && atomic_fetch_sub(&c->refs, 1) == 1) {
        if (c->cred)
            gnutls_certificate_free_credentials(c->cred);
        free(c);
    }
}

/* A certificate's subject DN (RFC 4514), cut to len. */
static void subject_of(gnutls_x509_crt_t crt, char *out, size_t len)
{
    gnutls_datum_t dn = {0};
    if (gnutls_x509_crt_get_dn3(crt, &dn, 0) < 0)
        snprintf(out, len, "(no subject)");
    else
        snprintf(out, len, "%s", (const char *)dn.data);
    gnutls_free(dn.data);
}

/* "serial 1A2B (CN=x, valid until 2027-01-01T00:00:00Z)": the serial as `openssl x509 -serial`
 * prints it (hex, no sign byte), to tell one certificate from the next in the logs. */
static void describe(gnutls_x509_crt_t crt, char *out, size_t len)
{
    unsigned char serial[64];
    size_t n = sizeof serial, i = 0;
    char hex[2 * sizeof serial + 1] = "?", subject[512], until[32] = "?";
    if (gnutls_x509_crt_get_serial(crt, serial, &n) == 0) {
        while (i + 1 < n && serial[i] == 0)
            i++;
        for (size_t o = 0; i < n; i++, o += 2)
            snprintf(hex + o, 3, "%02X", serial[i]);
    }
    subject_of(crt, subject, sizeof subject);
    time_t end = gnutls_x509_crt_get_expiration_time(crt);
    struct tm tm;
    if (end != (time_t)-1 && gmtime_r(&end, &tm))
        strftime(until, sizeof until, "%Y-%m-%dT%H:%M:%SZ", &tm);
    snprintf(out, len, "serial %s (%s, valid until %s)", hex, subject, until);
}

/* Reads and checks the files into new credentials holding one reference, and says what they
 * serve in what. ids gets what stat() said of each file before it was read. With pem, the texts
 * of the certificate and key are kept there. NULL on failure, with one sentence in err. */
static creds *load(const srv_tls *t, file_id ids[NFILES], char *what, size_t whatlen, char *err, size_t errlen,
                   char *pem[2])
{
    char *text[NFILES] = {0};
    gnutls_datum_t d[NFILES] = {{0}};
    gnutls_x509_crt_t *crts = NULL;
    unsigned ncrts = 0;
    gnutls_x509_privkey_t key = NULL;
    creds *c = NULL;
    int rc, cas = 0;
    bool ok = false;
    for (int i = 0; i < NFILES; i++) {
        size_t len = 0;
        ids[i] = file_id_of(t->files[i]);
        if (t->files[i] && !(text[i] = host_read_file(t->files[i], &len))) {
            snprintf(err, errlen, "%s %s: %s", flag_of[i], t->files[i], strerror(errno));
            goto out;
        }
        d[i] = (gnutls_datum_t){(unsigned char *)text[i], (unsigned)len};
    }
    if ((rc = gnutls_x509_crt_list_import2(&crts, &ncrts, &d[CERT], GNUTLS_X509_FMT_PEM, 0)) < 0) {
        snprintf(err, errlen, "%s %s: no PEM certificate could be read: %s", flag_of[CERT], t->files[CERT],
                 gnutls_strerror(rc));
        goto out;
    }
    if ((rc = gnutls_x509_privkey_init(&key)) < 0 ||
        (rc = gnutls_x509_privkey_import2(key, &d[KEY], GNUTLS_X509_FMT_PEM, NULL, 0)) < 0) {
        snprintf(err, errlen, "%s %s: no PEM private key could be read: %s", flag_of[KEY], t->files[KEY],
                 gnutls_strerror(rc));
        goto out;
    }
    c = host_xcalloc(1, sizeof *c);
    atomic_init(&c->refs, 1);
    if ((rc = gnutls_certificate_allocate_credentials(&c->cred)) < 0) {
        snprintf(err, errlen, "TLS credentials: %s", gnutls_strerror(rc));
        goto out;
    }
    if ((rc = gnutls_certificate_set_x509_key(c->cred, crts, (int)ncrts, key)) < 0) {
        if (rc == GNUTLS_E_CERTIFICATE_KEY_MISMATCH)
            snprintf(err, errlen, "%s %s: not the key of the certificate in %s %s", flag_of[KEY], t->files[KEY],
                     flag_of[CERT], t->files[CERT]);
        else
            snprintf(err, errlen, "%s %s with %s %s: %s", flag_of[CERT], t->files[CERT], flag_of[KEY],
                     t->files[KEY], gnutls_strerror(rc));
        goto out;
    }
    if (t->files[CA] && (cas = gnutls_certificate_set_x509_trust_mem(c->cred, &d[CA], GNUTLS_X509_FMT_PEM)) <= 0) {
        snprintf(err, errlen, "%s %s: no PEM certificate could be read%s%s", flag_of[CA], t->files[CA],
                 cas < 0 ? ": " : "", cas < 0 ? gnutls_strerror(cas) : "");
        goto out;
    }
    char served[700];
    describe(crts[0], served, sizeof served);
    int n = snprintf(what, whatlen, "certificate %s from %s", served, t->files[CERT]);
    if (t->files[CA] && n >= 0 && (size_t)n < whatlen)
        snprintf(what + n, whatlen - (size_t)n, "; client certificates required, verified against %s (%d CA "
                 "certificates)", t->files[CA], cas);
    ok = true;
out:
    for (unsigned i = 0; i < ncrts; i++)
        gnutls_x509_crt_deinit(crts[i]);
    gnutls_free(crts);
    if (key)
        gnutls_x509_privkey_deinit(key);
    if (ok && pem) {
        pem[0] = text[CERT], pem[1] = text[KEY];
        text[CERT] = text[KEY] = NULL;
    }
    for (int i = 0; i < NFILES; i++)
        free(text[i]);
    if (!ok) {
        creds_unref(c);
        return NULL;
    }
    return c;
}

/* Loads the files when forced or when they differ from what was last seen, and makes them
 * current when they load; logs the outcome. Called with t->mu held. */
static void reload_locked(srv_tls *t, const char *why, bool force)
{
    bool changed = force;
    for (int i = 0; i < NFILES && !changed; i++) {
        file_id now = file_id_of(t->files[i]);
        changed = !same_file(&now, &t->seen[i]);
    }
    if (!changed)
        return;
    char what[1536], err[1024];
    creds *c = load(t, t->seen, what, sizeof what, err, sizeof err, NULL);
    if (!c) {
        host_log(HOST_LOG_ERROR, "TLS (%s): not reloaded, the certificates loaded before stay in use: %s", why, err);
        return;
    }
    creds_unref(t->current);   /* freed once the last connection that uses it closes */
    t->current = c;
    host_log(HOST_LOG_INFO, "TLS (%s): now serving %s", why, what);
}

srv_tls *srv_tls_new(const char *cert_file, const char *key_file, const char *ca_file, char *err,
                     size_t errlen)
{
    srv_tls *t = host_xcalloc(1, sizeof *t);
    t->files[CERT] = cert_file, t->files[KEY] = key_file, t->files[CA] = ca_file;
    char what[1536];
    if (!(t->current = load(t, t->seen, what, sizeof what, err, errlen, t->pem))) {
        free(t);
        return NULL;
    }
    pthread_mutex_init(&t->mu, NULL);
    t->next_check = srv_now_mono() + CHECK_EVERY_S;
    host_log(HOST_LOG_INFO, "TLS: serving %s", what);
    return t;
}

void srv_tls_free(srv_tls *t)
{
    if (!t)
        return;
    creds_unref(t->current);
    pthread_mutex_destroy(&t->mu);
    free(t->pem[0]);
    free(t->pem[1]);
    free(t);
}

unsigned srv_tls_mhd_options(const srv_tls *t, struct MHD_OptionItem out[SRV_TLS_OPTIONS])
{
    size_t k = 0;
    if (t) {
        out[k++] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_PRIORITIES, 0, (void *)SRV_TLS_PRIORITIES};
        /* libmicrohttpd starts TLS only with credentials of its own; every session is given the
         * current ones instead (srv_tls_connection_started), so these serve no connection */
        out[k++] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_CERT, 0, t->pem[0]};
        out[k++] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_KEY, 0, t->pem[1]};
    }
    out[k] = (struct MHD_OptionItem){MHD_OPTION_END, 0, NULL};
    return t ? MHD_USE_TLS : 0;
}

/* 0 when the session's peer presented a certificate that chains to the client CA, is within its
 * validity and may serve for client authentication; else a GnuTLS error, with the failed checks
 * in *status. */
static int verify_peer(gnutls_session_t session, unsigned *status)
{
    gnutls_typed_vdata_st purpose = {GNUTLS_DT_KEY_PURPOSE_OID, (unsigned char *)GNUTLS_KP_TLS_WWW_CLIENT, 0};
    *status = 0;
    int rc = gnutls_certificate_verify_peers(session, &purpose, 1, status);
    return rc < 0 ? rc : *status ? GNUTLS_E_CERTIFICATE_VERIFICATION_ERROR : 0;
}

/* The client's address, for the log. */
static const char *peer_of(gnutls_session_t session, char *out, size_t len)
{
    struct sockaddr_storage a;
    socklen_t alen = sizeof a;
    snprintf(out, len, "?");
    if (getpeername(gnutls_transport_get_int(session), (struct sockaddr *)&a, &alen) == 0) {
        if (a.ss_family == AF_INET6)
            inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&a)->sin6_addr, out, (socklen_t)len);
        else if (a.ss_family == AF_INET)
            inet_ntop(AF_INET, &((struct sockaddr_in *)&a)->sin_addr, out, (socklen_t)len);
    }
    return out;
}

/* GnuTLS calls this in the handshake once the client's certificate is in: non-zero ends the
 * handshake, so no request is read from a client that failed. */
static int verify_client(gnutls_session_t session)
{
    unsigned status;
    int rc = verify_peer(session, &status);
    if (rc == 0)
        return 0;
    char addr[INET6_ADDRSTRLEN];
    gnutls_datum_t text = {0};
    if (status && gnutls_certificate_verification_status_print(status, GNUTLS_CRT_X509, &text, 0) == 0)
        host_log(HOST_LOG_ERROR, "TLS: refused the client certificate from %s: %s", peer_of(session, addr, sizeof addr),
                 (const char *)text.data);
    else
        host_log(HOST_LOG_ERROR, "TLS: refused the client certificate from %s: %s", peer_of(session, addr, sizeof addr),
                 gnutls_strerror(rc));
    gnutls_free(text.data);
    return rc;
}

void srv_tls_connection_started(srv_tls *t, struct MHD_Connection *conn, void **ctx)
{
    pthread_mutex_lock(&t->mu);
    double now = srv_now_mono();
    if (now >= t->next_check) {
        t->next_check = now + CHECK_EVERY_S;
        reload_locked(t, "files changed", false);
    }
    creds *c = t->current;
    atomic_fetch_add(&c->refs, 1);
    pthread_mutex_unlock(&t->mu);
    *ctx = c;
    /* libmicrohttpd has made the session, not begun its handshake */
    const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_GNUTLS_SESSION);
    gnutls_session_t session = ci ? ci->tls_session : NULL;
    if (!session)
        return;
    gnutls_credentials_set(session, GNUTLS_CRD_CERTIFICATE, c->cred);
    if (t->files[CA]) {
        gnutls_certificate_server_set_request(session, GNUTLS_CERT_REQUIRE);
        gnutls_session_set_verify_function(session, verify_client);
    }
}

void srv_tls_connection_closed(void *ctx)
{
    creds_unref(ctx);
}

void srv_tls_reload(srv_tls *t)
{
    pthread_mutex_lock(&t->mu);
    reload_locked(t, "SIGHUP", true);
    pthread_mutex_unlock(&t->mu);
}

bool srv_tls_client_verified(struct MHD_Connection *conn, char *who, size_t wholen)
{
    const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_GNUTLS_SESSION);
    unsigned status, n = 0;
    if (!ci || !ci->tls_session || verify_peer(ci->tls_session, &status) != 0)
        return false;
    const gnutls_datum_t *peers = gnutls_certificate_get_peers(ci->tls_session, &n);
    gnutls_x509_crt_t crt;
    if (who && gnutls_x509_crt_init(&crt) == 0) {
        if (n && gnutls_x509_crt_import(crt, &peers[0], GNUTLS_X509_FMT_DER) == 0)
            subject_of(crt, who, wholen);
        else
            snprintf(who, wholen, "?");
        gnutls_x509_crt_deinit(crt);
    }
    return true;
}
