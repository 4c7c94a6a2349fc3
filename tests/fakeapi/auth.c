/* auth.c - kube-apiserver's two authenticators that matter here, tried in its order: a client
 * certificate signed by --client-ca, then a bearer token equal to --token-file's content (read
 * again on every request, so a test can rotate it). */
#include <ctype.h>
#include <gnutls/gnutls.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fakeapi.h"
#include "readfile.h"

const char *const fa_auth_names[] = {"none", "token", "cert"};

/* A client certificate came and verifies against the trust list MHD was given (--client-ca). */
static bool cert_presented(struct MHD_Connection *c, bool *valid)
{
    const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_GNUTLS_SESSION);
    *valid = false;
    if (!ci || !ci->tls_session)
        return false;
    gnutls_session_t session = (gnutls_session_t)ci->tls_session;
    unsigned n = 0;
    if (!gnutls_certificate_get_peers(session, &n) || n == 0)
        return false;
    unsigned status = 0;
    *valid = gnutls_certificate_verify_peers2(session, &status) == 0 && status == 0;
    return true;
}

/* The bearer token of the Authorization header, or NULL; *len is its length. */
static const char *bearer(struct MHD_Connection *c, size_t *len)
{
    const char *h = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
    if (!h || strncasecmp(h, "bearer ", 7) != 0)
        return NULL;
    const char *t = h + 7;
    *len = strcspn(t, " ");
    return *len ? t : NULL;
}

static bool token_matches(const char *file, const char *tok, size_t len)
{
    size_t n = 0;
    char *want = host_read_file(file, &n);
    if (!want)
        return false;
    char *p = want;
    while (n && isspace((unsigned char)p[n - 1]))
        n--;
    while (n && isspace((unsigned char)*p))
        p++, n--;
    bool ok = n > 0 && n == len && memcmp(p, tok, len) == 0;
    free(want);
    return ok;
}

bool fa_auth_check(const fa_config *cfg, struct MHD_Connection *c, fa_auth_kind *kind)
{
    bool cert_ok = false;
    bool cert = cfg->tls_cert && cert_presented(c, &cert_ok);
    size_t tlen = 0;
    const char *tok = bearer(c, &tlen);
    *kind = cert ? FA_AUTH_CERT : tok ? FA_AUTH_TOKEN : FA_AUTH_NONE;
    if (!cfg->client_ca && !cfg->token_file)
        return true;
    if (cfg->client_ca && cert_ok) {
        *kind = FA_AUTH_CERT;
        return true;
    }
    if (cfg->token_file && tok && token_matches(cfg->token_file, tok, tlen)) {
        *kind = FA_AUTH_TOKEN;
        return true;
    }
    return false;
}
