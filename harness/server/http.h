/* http.h - the extender's HTTP front: routes kube-scheduler's verbs and the node API to the plugin. */
#ifndef SRV_HTTP_H
#define SRV_HTTP_H

#include <stdint.h>
#include <sys/socket.h>

#include "conn_limits.h"
#include "loader.h"

typedef struct kube_source kube_source;   /* harness/kube/source.h */
typedef struct srv_tls srv_tls;           /* tls.h */

typedef struct srv_server_config {
    struct sockaddr_storage addr;  /* where to listen; port 0 picks a free one */
    unsigned threads;              /* plugin calls that run at once */
    uint64_t max_body;             /* larger request bodies get 413 */
    const char *record_dir;        /* when set, verb requests and replies are saved there */
    kube_source *source;           /* the API-server node source (borrowed), or NULL without one */
    double cache_stale_after;      /* seconds a failing source may fail before /readyz says 503 */
    srv_tls *tls;                  /* HTTPS with these credentials (borrowed), or NULL for HTTP */
    srv_limits_config limits;      /* slow, idle and too many clients */
} srv_server_config;

typedef struct srv_server srv_server;

/* Starts serving. The plugin, index, source and TLS credentials are borrowed and must outlive the
 * server. Returns NULL with a sentence in err when the socket cannot be opened ("cannot listen on
 * 127.0.0.1:8888: address already in use"). */
srv_server *srv_server_start(const host_plugin *plugin, ng_index *index, const srv_server_config *cfg,
                             char *err, size_t errlen);
/* Holds / releases the lock that serializes the node API's writes: a write from elsewhere (a
 * SIGHUP reload) taken under it never lands inside a PATCH's read-modify-write. */
void srv_server_lock_writes(srv_server *s);
void srv_server_unlock_writes(srv_server *s);
/* "127.0.0.1:8888" or "[::1]:8888": a's address with port, in out. Returns out. */
const char *srv_address_text(const struct sockaddr_storage *a, uint16_t port, char *out, size_t len);
/* The port actually bound. */
uint16_t srv_server_port(const srv_server *s);
/* Stops accepting connections and waits up to grace seconds for the requests in flight to end
 * (replies from then on close their connection). Returns how many are still in flight. */
unsigned srv_server_drain(srv_server *s, double grace);
/* Stops the server, closing every connection (a request still in flight is cut), and frees it. */
void srv_server_stop(srv_server *s);

#endif
