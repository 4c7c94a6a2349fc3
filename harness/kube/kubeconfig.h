/* kubeconfig.h - where the API server is and who we are to it: a kubeconfig file (read with
 * libyaml, as kubectl reads it) or the in-cluster service account. */
#ifndef KUBE_KUBECONFIG_H
#define KUBE_KUBECONFIG_H

#include <stdbool.h>
#include <stddef.h>

/* The in-cluster service account's folder: token, ca.crt, namespace. */
#define KUBE_SERVICE_ACCOUNT_DIR "/var/run/secrets/kubernetes.io/serviceaccount"

/* One cluster and one user, resolved: every path absolute or relative to the process's working
 * directory (relative paths in a kubeconfig are taken against the kubeconfig's folder, as kubectl
 * does), every *-data field base64-decoded. A field the source leaves out is NULL (or false). */
typedef struct kube_config {
    char *server;              /* "https://host:port" with no trailing '/' */
    char *ca_file;             /* certificate-authority */
    char *ca_data;             /* certificate-authority-data, decoded PEM */
    size_t ca_data_len;
    bool insecure;             /* insecure-skip-tls-verify */
    char *tls_server_name;     /* the name the server's certificate is checked against */
    char *token;               /* a bearer token given inline */
    char *token_file;          /* tokenFile, or the service account's token: re-read when it changes */
    char *cert_file, *key_file;          /* client-certificate, client-key */
    char *cert_data, *key_data;          /* client-certificate-data, client-key-data, decoded PEM */
    size_t cert_data_len, key_data_len;
    char *origin;              /* for logs: "kubeconfig FILE, context NAME" or "in-cluster config" */
} kube_config;

/* Reads path and picks context (NULL or "": its current-context). On failure returns false and
 * writes one sentence naming the file (made absolute) and the field into err; exec,
 * auth-provider and username/password users are refused. A context with no user is anonymous;
 * a user it names must be in users[]. Unknown keys are ignored, as kubectl ignores them. c is
 * the caller's to kube_config_free; after a failure it holds nothing. */
bool kube_config_load(const char *path, const char *context, kube_config *c, char *err, size_t errlen);
/* The in-cluster config: https://$KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT, the token
 * and ca.crt in sa_dir (KUBE_SERVICE_ACCOUNT_DIR outside tests). False with a sentence in err
 * when the variables are unset or the files are missing. */
bool kube_config_in_cluster(const char *sa_dir, kube_config *c, char *err, size_t errlen);
/* True when the environment asks for the in-cluster config (both variables set, not empty). */
bool kube_in_cluster(void);
/* Frees what c holds and clears it; c itself is the caller's (NULL is fine). */
void kube_config_free(kube_config *c);

#endif
