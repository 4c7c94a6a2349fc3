/* yaml_body.h - request bodies sent as YAML (Content-Type application/yaml), turned into JSON at
 * the host's edge as kubectl reads YAML (yaml_json.h): the plugin reads JSON only. */
#ifndef HOST_YAML_BODY_H
#define HOST_YAML_BODY_H

#include <stddef.h>

#include "nodegate.h"

/* The JSON of the one document the YAML body yaml[0..len) must hold: malloc'd, NUL-terminated,
 * its length in *json_len. NULL with a sentence in err (a 400) when the YAML does not parse (the
 * sentence names the line and column) or the body holds no document or more than one. */
char *host_yaml_document(const char *yaml, size_t len, size_t *json_len, char *err, size_t errlen);

/* Applies the node updates of the YAML stream yaml[0..len), each document a Node, a NodeList or a
 * watch event, in order, all or nothing: one document is one update, as its JSON would be;
 * several are first each checked on an empty scratch index and then applied only if all pass (a
 * call may see them land one by one). Returns 200 with the reply in *reply (malloc'd: the
 * plugin's for one document, {"applied": N, "nodes": total, "documents": D} for several), or the
 * failing status with a sentence in err: the YAML error (naming line and column), the first
 * refused document ("document 2: ...", with the plugin's status), or no document at all (400).
 * Serializing it against other writes to index is the caller's. */
int host_yaml_nodes_apply(const struct nodegate_plugin *api, ng_index *index, const char *yaml, size_t len,
                         char **reply, char *err, size_t errlen);

#endif
