/* client.h - HTTP to the API server through libcurl: TLS and credentials from a kube_config,
 * one keep-alive connection per handle, the bearer token re-read when its file changes.
 * curl_global_init is the program's business: the server calls it once at start, before any
 * thread, and curl_global_cleanup at exit. A kube_client serves one thread (the source's) at a
 * time; its token state is behind a mutex all the same. */
#ifndef KUBE_CLIENT_H
#define KUBE_CLIENT_H

#include <curl/curl.h>
#include <stdbool.h>
#include <stddef.h>

#include "kubeconfig.h"

typedef struct kube_client kube_client;

/* Checks what curl will need (files readable, PEM present, the token file readable and not
 * empty) and copies c, which the caller keeps. NULL with a sentence in err on failure, starting
 * with c->origin. The caller frees the result with kube_client_free (NULL is fine). When both
 * are given, *-data wins over the file and the token file over the inline token. */
kube_client *kube_client_new(const kube_config *c, char *err, size_t errlen);
void kube_client_free(kube_client *k);

/* Sets h (made with curl_easy_init and reused, so the connection is kept alive) up for
 * GET server+path: URL, TLS verification and client certificate, the Authorization header with
 * the current token (the token file is re-read when its inode, mtime or size changed, or after
 * kube_client_token_rejected; a failed read keeps the last token), Accept: application/json,
 * Accept-Encoding (gzip), User-Agent nodegate/NODEGATE_VERSION, NOSIGNAL, no redirects, TCP
 * keep-alive, a 30 s connect timeout and no overall timeout (the caller sets low-speed limits
 * for watches).
 * h is curl_easy_reset first (which keeps its connection, DNS and TLS session caches), so the
 * caller sets its own options (write callback, limits, ...) after this call, every time.
 * With tls-server-name on an https server, the URL's host is that name and CURLOPT_CONNECT_TO
 * (a list the client owns, valid until kube_client_free) sends the connection to the real host;
 * a Host header names the real host. So CURLINFO_EFFECTIVE_URL shows the tls-server-name.
 * The headers are appended to *headers (start it NULL; more may be appended before the
 * transfer); the list is the caller's to free with curl_slist_free_all after curl_easy_perform. */
void kube_client_prepare(kube_client *k, CURL *h, const char *path, struct curl_slist **headers);
/* Forces the token file to be re-read before the next request (after a 401). */
void kube_client_token_rejected(kube_client *k);
/* The server URL, for logs. Borrowed: valid until kube_client_free. */
const char *kube_client_server(const kube_client *k);

#endif
