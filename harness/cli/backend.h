/* backend.h - where the CLI's nodes are: a running nodegate-server (HTTP) or a file read into the
 * plugin in-process (--nodes FILE). Every command talks through here, so it works on both. */
#ifndef CLI_BACKEND_H
#define CLI_BACKEND_H

#include <stdbool.h>
#include <stddef.h>

#include "loader.h"

typedef struct cli_backend {
    const char *server;          /* base URL; NULL when offline */
    const char *nodes_file;      /* offline: the NodeList file */
    host_plugin plugin;          /* loaded in both modes: it knows the label rules (and offline, the nodes) */
    ng_index *index;             /* offline only */
} cli_backend;

/* One answer: an HTTP status (0 when the server could not be reached) and a body the caller frees. */
typedef struct {
    int status;
    char *body;
    size_t len;
} cli_reply;

/* Loads the plugin (plugin_path, or the one beside the binary) and, offline, the nodes file.
 * Returns false with one sentence in err. */
bool cli_backend_open(cli_backend *b, const char *plugin_path, char *err, size_t errlen);
void cli_backend_close(cli_backend *b);

/* POST /explain with a JSON body. */
void cli_explain(cli_backend *b, const char *body, size_t len, cli_reply *r);
/* GET /nodes/NAME, or with name NULL GET /nodes?full=true. */
void cli_get_nodes(cli_backend *b, const char *name, cli_reply *r);
/* PATCH /nodes/NAME with a JSON merge patch (RFC 7386). Offline: refused (status 0, a sentence). */
void cli_patch_node(cli_backend *b, const char *name, const char *patch, cli_reply *r);
void cli_reply_free(cli_reply *r);

/* The JSON body's "Error", or the body itself, or why nothing came: for "error: ..." lines. */
const char *cli_reply_error(const cli_reply *r, char *buf, size_t buflen);

#endif
