/* flags.h - nodegate-server's command line: its flags, their defaults and the usage text. */
#ifndef SRV_FLAGS_H
#define SRV_FLAGS_H

#include "http.h"

/* --max-body's default: room for full-mode bodies of thousands of ~11 KB nodes. */
#define SRV_DEFAULT_MAX_BODY (256ull << 20)

/* --cache-stale-after's default, 5 minutes. Long enough not to flap: client-go's reflector
 * retries with a backoff capped at 30 s, so this is ten retries at the cap, more than an
 * API-server restart or a control-plane upgrade takes, and an unready extender can stop
 * scheduling altogether (ignorable: false). Short enough to matter: a node that stops
 * reporting is tainted unreachable after 40-50 s (node-monitor-grace-period, by kube version)
 * and its pods are evicted 300 s later (the default tolerationSeconds), so 5 minutes flags a
 * cache that may have missed those taints before the evicted pods come to be scheduled. */
#define SRV_DEFAULT_CACHE_STALE_AFTER 300.0

/* --watch-stall-timeout's default, 3 minutes: kube-apiserver's watch cache sends each watch
 * that allows them a bookmark about every minute, so three missed bookmarks is a dead stream. */
#define SRV_DEFAULT_WATCH_STALL_TIMEOUT 180.0

/* --shutdown-grace's default, 5 s: a filter of thousands of nodes takes milliseconds and its reply
 * a few more on a slow link, and kube-scheduler's httpTimeout is 5 s by default in the examples;
 * well under the 30 s the kubelet waits between SIGTERM and SIGKILL. */
#define SRV_DEFAULT_SHUTDOWN_GRACE 5.0

/* Slow, idle and too many clients (conn_limits.c). --read-header-timeout: Go's ReadHeaderTimeout
 * as the Go extenders set it, 10 s. --read-timeout: a whole request, 1 m: --max-body at ~4 MB/s,
 * and twice kube-scheduler's default extender httpTimeout, after which it has given up anyway.
 * --idle-timeout: 2 m, past Go's http.Transport IdleConnTimeout (90 s), so that kube-scheduler
 * closes its idle connections before the server would, never racing a request. Connections:
 * 1,000, as the 1,024 file descriptors of a default ulimit allow, 125 MiB of connection memory at
 * most; one client address 100 of them, so one client cannot take them all. */
#define SRV_DEFAULT_READ_HEADER_TIMEOUT 10.0
#define SRV_DEFAULT_READ_TIMEOUT 60.0
#define SRV_DEFAULT_IDLE_TIMEOUT 120.0
#define SRV_DEFAULT_MAX_CONNECTIONS 1000
#define SRV_DEFAULT_MAX_CONNECTIONS_PER_CLIENT 100

typedef struct srv_flags {
    srv_server_config server;
    const char *nodes;     /* --nodes FILE, or NULL */
    const char *kubeconfig, *context;   /* --kubeconfig FILE, --context NAME, or NULL */
    bool from_api_server;  /* the cache follows an API server: --kubeconfig, or in a pod */
    double watch_stall_timeout;   /* seconds */
    double shutdown_grace;        /* seconds the calls in flight get on SIGTERM or SIGINT */
    const char *plugin;    /* --plugin PATH, or NULL for the default place */
    const char *tls_cert, *tls_key, *client_ca;   /* --tls-cert-file, --tls-private-key-file, --client-ca-file */
    char *options;         /* the plugin's options JSON (--feature-gates, --compact-replies, an API-server
                              source's completeCache), or NULL */
} srv_flags;

/* Fills f from argv, defaults first. --help and --version print and exit 0; a bad flag prints
 * one line on stderr and exits 2. Free f->options with srv_flags_free. */
void srv_parse_flags(int argc, char **argv, srv_flags *f);
void srv_flags_free(srv_flags *f);

/* kube's --feature-gates syntax, Go strconv.ParseBool values, turned into the plugin's option
 * "featureGates":{"Name":true,...} with the names in the order given (repeats included: the
 * plugin refuses them). Returns a malloc'd string of any length, or NULL with one sentence in
 * *error (malloc'd too). The caller frees both. */
char *srv_parse_gates(const char *list, char **error);

#endif
