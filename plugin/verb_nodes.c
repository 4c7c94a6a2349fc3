/* verb_nodes.c - node updates into the shared cache: a Node, a NodeList or a watch event, all or nothing. */
#include <string.h>

#include "request.h"
#include "verb.h"

typedef enum { UPSERT, DELETE, NOTHING } update_kind;

/* Tells the three body shapes apart, as a watch client or kubectl would send them. */
static bool classify(const ngp_update_req *req, update_kind *kind, const ngp_node_in **nodes, uint32_t *n,
                     ngp_err *err)
{
    *kind = UPSERT;
    *nodes = req->nodes.v;
    *n = req->nodes.n;
    if (req->has_type) {
        const char *t = req->type;
        if (strcmp(t, "BOOKMARK") == 0 || strcmp(t, "ERROR") == 0) {   /* the reply says what they say */
            *kind = NOTHING;
            return true;
        }
        if (strcmp(t, "ADDED") != 0 && strcmp(t, "MODIFIED") != 0 && strcmp(t, "DELETED") != 0)
            return ngp_err_set(err, NGP_EBADJSON, "type: unsupported watch event type \"%s\" "
                               "(want ADDED, MODIFIED, DELETED, BOOKMARK or ERROR)", t);
        if (!req->has_object)
            return ngp_err_set(err, NGP_EBADJSON, "object: a watch event needs a Node object");
        *kind = strcmp(t, "DELETED") == 0 ? DELETE : UPSERT;
        return true;
    }
    if (req->nodes.listed || strcmp(req->kind, "NodeList") == 0)
        return true;
    if (req->kind[0] && strcmp(req->kind, "Node") != 0)
        return ngp_err_set(err, NGP_EBADJSON, "kind: \"%s\" is not a Node, NodeList or watch event", req->kind);
    *nodes = &req->root;
    *n = 1;
    return true;
}

/* Every node must be one the API server would store; a deletion needs only
 * a name, which is what a nameless node's problem says. */
static bool acceptable(update_kind kind, const ngp_node_in *nodes, uint32_t n, ngp_err *err)
{
    for (uint32_t i = 0; i < n; i++) {
        const char *problem = kind == DELETE && nodes[i].name[0] ? NULL : nodes[i].problem;
        if (!problem)
            continue;
        if (n > 1)
            return ngp_err_set(err, NGP_EINVALID, "items[%u]: %s", i, problem);
        return ngp_err_set(err, NGP_EINVALID, "%s", problem);
    }
    return true;
}

static void put_field(ngp_buf *b, const char *name, const char *value)
{
    if (!value[0])
        return;
    ngp_buf_puts(b, name);
    ngp_buf_json_str(b, value);
}

/* What was applied, and what a watch client resumes from or acts on: the envelope's facts. */
static void write_reply(ngp_buf *b, const ngp_update_req *req, uint32_t applied, uint32_t total)
{
    ngp_buf_printf(b, "{\"applied\":%u,\"nodes\":%u", applied, total);
    if (req->has_type)
        put_field(b, ",\"type\":", req->type);
    put_field(b, ",\"resourceVersion\":", req->resource_version);
    put_field(b, ",\"continue\":", req->cont);
    if (req->initial_events_end)
        ngp_buf_puts(b, ",\"initialEventsEnd\":true");
    if (req->has_type && strcmp(req->type, "ERROR") == 0) {
        ngp_buf_printf(b, ",\"code\":%lld", (long long)req->code);
        put_field(b, ",\"reason\":", req->reason);
        put_field(b, ",\"message\":", req->message);
    }
    ngp_buf_putc(b, '}');
}

bool ngp_verb_nodes(const ngp_verb_ctx *c, ngp_buf *b, ngp_err *err)
{
    update_kind kind;
    const ngp_node_in *nodes;
    uint32_t n;
    if (!classify(c->req, &kind, &nodes, &n, err) || (kind != NOTHING && !acceptable(kind, nodes, n, err)))
        return false;
    uint32_t applied = 0;
    for (uint32_t i = 0; kind != NOTHING && i < n; i++) {
        if (kind == UPSERT)
            ngp_store_upsert(c->cache, &nodes[i]);
        applied += kind == UPSERT || ngp_store_remove(c->cache, nodes[i].name);
    }
    write_reply(b, c->req, applied, c->cache->count);
    return true;
}
