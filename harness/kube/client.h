/* client.h - HTTP to the API server through libcurl: TLS and credentials from a kube_config,
 * one keep-alive connection per handle, the bearer token re-read when its file changes. */
#ifndef KUBE_CLIENT_H
#define KUBE_CLIENT_H

#include <curl/curl.h>
#include <stdbool.h>
#include <stddef.h>

#include "kubeconfig.h"

typedef struct kube_client kube_client;

/* Checks what curl will need (files readable, PEM present) and copies c. NULL with a sentence
 * in err on failure. */
kube_client *kube_client_new(const kube_config *c, char *err, size_t errlen);
void kube_client_free(kube_client *k);

/* Sets h (made with curl_easy_init and reused, so the connection is kept alive) up for
 * GET server+path: URL, TLS verification and client certificate, the Authorization header with
 * the current token (the token file is re-read when its mtime or size changed), Accept:
 * application/json, and no overall timeout (the caller sets low-speed limits for watches).
 * The headers list is the caller's to free after curl_easy_perform. */
void kube_client_prepare(kube_client *k, CURL *h, const char *path, struct curl_slist **headers);
/* Forces the token file to be re-read before the next request (after a 401). */
void kube_client_token_rejected(kube_client *k);
/* The server URL, for logs. */
const char *kube_client_server(const kube_client *k);

#endif
