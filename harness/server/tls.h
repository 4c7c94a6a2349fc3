/* tls.h - HTTPS and mutual TLS for nodegate-server: --tls-cert-file, --tls-private-key-file and
 * --client-ca-file, loaded with GnuTLS and swapped for new connections when the files change. */
#ifndef SRV_TLS_H
#define SRV_TLS_H

#include <microhttpd.h>
#include <stdbool.h>
#include <stddef.h>

typedef struct srv_tls srv_tls;

/* TLS 1.2 and 1.3 only, as kube components and client-go (MinVersion VersionTLS12). */
#define SRV_TLS_PRIORITIES "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2"

enum { SRV_TLS_OPTIONS = 4 };   /* the MHD_OptionItem slots srv_tls_mhd_options fills */

/* Loads the certificate chain and its key (PEM), and with ca_file (may be NULL) the CAs that
 * client certificates must chain to, then logs what it serves. Returns NULL with one sentence
 * naming the flag and file at fault in err. Free with srv_tls_free, after the server stopped. */
srv_tls *srv_tls_new(const char *cert_file, const char *key_file, const char *ca_file, char *err,
                     size_t errlen);
void srv_tls_free(srv_tls *t);

/* Fills out with the libmicrohttpd options TLS needs, ended by MHD_OPTION_END (t may be NULL: no
 * option), and returns the daemon flags to add (MHD_USE_TLS, or 0). */
unsigned srv_tls_mhd_options(const srv_tls *t, struct MHD_OptionItem out[SRV_TLS_OPTIONS]);

/* For MHD_CONNECTION_NOTIFY_STARTED, before the handshake: checks the files for a change (at most
 * once a second), gives the connection's session the current credentials and, with a client CA,
 * requires a client certificate that verifies against it. *ctx holds the credentials for
 * srv_tls_connection_closed to release. */
void srv_tls_connection_started(srv_tls *t, struct MHD_Connection *conn, void **ctx);
/* For MHD_CONNECTION_NOTIFY_CLOSED: releases what srv_tls_connection_started pinned. */
void srv_tls_connection_closed(void *ctx);

/* SIGHUP: loads the files now, changed or not; on failure the credentials in use stay. Logs what
 * it did either way. Thread-safe. */
void srv_tls_reload(srv_tls *t);

/* Whether the client of conn presented a certificate that verifies against --client-ca-file
 * (false on a plain-HTTP server, or without a client CA). When true and who is not NULL, writes
 * the certificate's subject there (cut to wholen). */
bool srv_tls_client_verified(struct MHD_Connection *conn, char *who, size_t wholen);

#endif
