/* merge_patch.c - PATCH /nodes/NAME's merge patch (RFC 7386), over jansson DOMs: the documents are
 * one node and a person's (or the CLI's) change to it, a few KB at most. */
#include "merge_patch.h"

#include <stdio.h>
#include <string.h>

#include "xalloc.h"

json_t *srv_merge_patch(json_t *target, const json_t *patch)
{
    if (!json_is_object(patch)) {
        json_decref(target);
        return json_deep_copy(patch);
    }
    if (!json_is_object(target)) {
        json_decref(target);
        target = json_object();
    }
    const char *key;
    json_t *value;
    json_object_foreach ((json_t *)patch, key, value) {
        if (json_is_null(value))
            json_object_del(target, key);
        else
            json_object_set_new(target, key, srv_merge_patch(json_incref(json_object_get(target, key)), value));
    }
    return target;
}

json_t *srv_patch_parse(const char *body, size_t len, char *err, size_t errlen)
{
    json_error_t e;
    json_t *patch = json_loadb(body ? body : "", len, JSON_ALLOW_NUL, &e);
    if (!patch) {
        snprintf(err, errlen, "the merge patch is not JSON: line %d, column %d: %s", e.line, e.column, e.text);
        return NULL;
    }
    if (!json_is_object(patch)) {
        json_decref(patch);
        snprintf(err, errlen, "the merge patch must be a JSON object (RFC 7386), the changes to the node as "
                              "GET /nodes/NAME shows it");
        return NULL;
    }
    return patch;
}

char *srv_node_patched(const char *name, const char *cached, size_t cached_len, const json_t *patch,
                       unsigned *status, char *err, size_t errlen)
{
    json_t *node = json_loadb(cached, cached_len, JSON_ALLOW_NUL, NULL);   /* a label may hold a NUL */
    if (!node) {   /* merged onto nothing, the patch would wipe what it does not name */
        *status = 500;
        snprintf(err, errlen, "node \"%s\" as cached is not JSON", name);
        return NULL;
    }
    node = srv_merge_patch(node, patch);
    json_t *kind = json_object_get(node, "kind"), *meta = json_object_get(node, "metadata");
    const char *patched_name = json_string_value(json_object_get(meta, "name"));
    char *update = NULL;
    if (kind && !json_is_null(kind) && !(json_is_string(kind) && strcmp(json_string_value(kind), "Node") == 0)) {
        *status = 422;
        snprintf(err, errlen, "kind: a patch of node \"%s\" must leave it a Node", name);
    } else if (patched_name && strcmp(patched_name, name) != 0) {   /* kube-apiserver's check and words */
        *status = 400;
        snprintf(err, errlen, "the name of the object (%s) does not match the name on the URL (%s)", patched_name,
                 name);
    } else {
        json_t *out = json_pack("{s:s, s:s}", "kind", "Node", "apiVersion", "v1");
        if (meta)
            json_object_set(out, "metadata", meta);
        if (json_object_get(node, "spec"))
            json_object_set(out, "spec", json_object_get(node, "spec"));
        update = json_dumps(out, JSON_COMPACT);
        json_decref(out);
        if (!update)
            host_oom(cached_len);
    }
    json_decref(node);
    return update;
}
