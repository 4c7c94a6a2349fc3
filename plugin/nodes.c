/* nodes.c - node updates into the shared cache: a Node, a NodeList or a watch event, all or nothing. */
#include <stdio.h>
#include <string.h>

#include "verbs.h"

typedef enum { UPSERT, DELETE, NOTHING } update_kind;

/* Tells the three body shapes apart, as a watch client or kubectl would send them. */
static int classify(const ngp_request *req, update_kind *kind, const ngp_node_in **nodes, uint32_t *n,
                    ng_reply *reply)
{
    *kind = UPSERT;
    *nodes = req->nodes;
    *n = req->nnodes;
    if (req->has_type) {
        const char *t = req->type;
        if (strcmp(t, "BOOKMARK") == 0) {
            *kind = NOTHING;
            return 0;
        }
        if (strcmp(t, "ADDED") != 0 && strcmp(t, "MODIFIED") != 0 && strcmp(t, "DELETED") != 0)
            return ngp_reply_error(reply, 400, "type: unsupported watch event type \"%s\" "
                                  "(want ADDED, MODIFIED, DELETED or BOOKMARK)", t);
        if (!req->has_object)
            return ngp_reply_error(reply, 400, "object: a watch event needs a Node object");
        *kind = strcmp(t, "DELETED") == 0 ? DELETE : UPSERT;
        return 0;
    }
    if (req->has_items || strcmp(req->kind, "NodeList") == 0)
        return 0;
    if (req->kind[0] && strcmp(req->kind, "Node") != 0)
        return ngp_reply_error(reply, 400, "kind: \"%s\" is not a Node, NodeList or watch event", req->kind);
    *nodes = &req->root;
    *n = 1;
    return 0;
}

static int validate(update_kind kind, const ngp_node_in *nodes, uint32_t n, ng_reply *reply)
{
    char err[512];
    for (uint32_t i = 0; i < n; i++) {
        if (kind == DELETE ? nodes[i].name[0] != '\0' : ngp_node_valid(&nodes[i], err, sizeof err))
            continue;
        if (kind == DELETE)
            snprintf(err, sizeof err, "metadata.name: Required value");
        if (n > 1)
            return ngp_reply_error(reply, 422, "items[%u]: %s", i, err);
        return ngp_reply_error(reply, 422, "%s", err);
    }
    return 0;
}

int ngp_nodes_update(struct ng_index *index, const ngp_request *req, ng_reply *reply)
{
    update_kind kind;
    const ngp_node_in *nodes;
    uint32_t n;
    int st = classify(req, &kind, &nodes, &n, reply);
    if (st == 0 && kind != NOTHING)
        st = validate(kind, nodes, n, reply);
    if (st)
        return st;
    uint32_t applied = 0;
    pthread_rwlock_wrlock(&index->lock);
    for (uint32_t i = 0; kind != NOTHING && i < n; i++) {
        if (kind == UPSERT)
            ngp_store_upsert(&index->idx, &nodes[i]);
        applied += kind == UPSERT || ngp_store_remove(&index->idx, nodes[i].name);
    }
    uint32_t total = index->idx.count;
    pthread_rwlock_unlock(&index->lock);
    ngp_buf b = {0};
    ngp_buf_printf(&b, "{\"applied\":%u,\"nodes\":%u}", applied, total);
    return ngp_reply_buf(reply, 200, &b);
}
