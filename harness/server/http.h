/* http.h - the extender's HTTP front: routes kube-scheduler's verbs and the node API to the plugin. */
#ifndef NG_HTTP_H
#define NG_HTTP_H

#include <stdint.h>
#include <sys/socket.h>

#include "loader.h"

typedef struct ng_server_config {
    struct sockaddr_storage addr;  /* where to listen; port 0 picks a free one */
    unsigned threads;              /* worker threads (thread pool size) */
    uint64_t max_body;             /* larger request bodies get 413 */
    const char *record_dir;        /* when set, verb requests and replies are saved there */
} ng_server_config;

typedef struct ng_server ng_server;

/* Starts serving. The plugin and index are borrowed and must outlive the
 * server. Returns NULL with a sentence in err when the socket cannot be opened. */
ng_server *ng_server_start(const ng_plugin_handle *plugin, ng_index *index, const ng_server_config *cfg,
                           char *err, size_t errlen);
/* The port actually bound. */
uint16_t ng_server_port(const ng_server *s);
/* Stops accepting, finishes in-flight requests and frees the server. */
void ng_server_stop(ng_server *s);

#endif
