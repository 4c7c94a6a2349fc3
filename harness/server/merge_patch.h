/* merge_patch.h - PATCH /nodes/NAME: a JSON merge patch (RFC 7386) of a node as the cache holds it. */
#ifndef SRV_MERGE_PATCH_H
#define SRV_MERGE_PATCH_H

#include <jansson.h>
#include <stddef.h>

/* RFC 7386's MergePatch(target, patch): returns the patched target, a new reference; target
 * (which may be NULL: absent) is consumed, patch only read. */
json_t *srv_merge_patch(json_t *target, const json_t *patch);

/* The patch body body[0..len) as a JSON object (a new reference), or NULL with a sentence in err
 * when it is not JSON or not an object: a 400. */
json_t *srv_patch_parse(const char *body, size_t len, char *err, size_t errlen);

/* The update that patching node name applies: cached (the node as nodes_get writes it) with
 * patch merged in, as a Node holding only the patched metadata and spec (a patch cannot turn it
 * into a NodeList or a watch event). Returns it malloc'd (the caller frees it), or NULL with the
 * status (400, 422) in *status and a sentence in err when the result cannot be node name. */
char *srv_node_patched(const char *name, const char *cached, size_t cached_len, const json_t *patch,
                       unsigned *status, char *err, size_t errlen);

#endif
