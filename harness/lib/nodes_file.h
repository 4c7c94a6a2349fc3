/* nodes_file.h - a file of nodes (a NodeList or Nodes, JSON or YAML, `kubectl get nodes -o yaml` as
 * is) into a plugin's node cache: the server's --nodes and the CLI's offline mode. */
#ifndef HOST_NODES_FILE_H
#define HOST_NODES_FILE_H

#include <stddef.h>

#include "nodegate.h"

/* Streams a JSON file into index as one update; a YAML file (kubectl's rule: it does not start
 * with '{') is converted as kubectl would read it, one update per document. Returns 0 with the
 * last reply in msg ("YAML, N documents: " before it for YAML), or -1 with why in msg (the
 * file's error, the YAML error with its line and column, or "document N: " and the plugin's). */
int host_nodes_load(const struct nodegate_plugin *api, ng_index *index, const char *path, char *msg, size_t msglen);

#endif
