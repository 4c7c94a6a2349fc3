/* plugin.c - the ABI: the function table, the shared index and the call lifecycle. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "verbs.h"
#include "xalloc.h"

struct ng_call {
    struct ng_index *index;
    ng_verb verb;
    ngp_arena arena;
    ngp_request req;
    ngp_decoder *dec;
    int status;                    /* first error, or 0 */
};

int ngp_reply_buf(ng_reply *r, int status, ngp_buf *b)
{
    r->data = ngp_buf_take(b, &r->len);
    r->status = status;
    return status;
}

int ngp_reply_error(ng_reply *r, int status, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    ngp_buf b = {0};
    ngp_buf_puts(&b, "{\"Error\":");
    ngp_buf_json_str(&b, msg);
    ngp_buf_putc(&b, '}');
    return ngp_reply_buf(r, status, &b);
}

static void reply_free(ng_reply *r)
{
    free(r->data);
    *r = (ng_reply){0};
}

static ng_index *index_new(const char *options_json, char *err, size_t errlen)
{
    ngp_options opt;
    if (!ngp_options_parse(options_json, &opt, err, errlen))
        return NULL;
    ng_index *index = ngp_xcalloc(1, sizeof *index);
    index->opt = opt;
    ngp_store_init(&index->idx);
    pthread_rwlockattr_t attr;
    pthread_rwlockattr_init(&attr);
    /* a steady stream of calls must not starve node updates */
    pthread_rwlockattr_setkind_np(&attr, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
    pthread_rwlock_init(&index->lock, &attr);
    pthread_rwlockattr_destroy(&attr);
    return index;
}

static void index_free(ng_index *index)
{
    if (!index)
        return;
    ngp_store_destroy(&index->idx);
    pthread_rwlock_destroy(&index->lock);
    free(index);
}

static ng_call *call_begin(ng_index *index, ng_verb verb)
{
    ng_call *c = ngp_xcalloc(1, sizeof *c);
    c->index = index;
    c->verb = verb < NGP_VERB_COUNT ? verb : NG_FILTER;
    if (verb >= NGP_VERB_COUNT)
        c->status = 404;
    c->dec = ngp_decoder_new(c->verb, &c->arena, &c->req);
    return c;
}

static int call_feed(ng_call *c, const char *chunk, size_t len)
{
    if (!c->status)
        c->status = ngp_decoder_feed(c->dec, chunk, len);
    return c->status;
}

/* Names mode: look every name up in the shared index (caller holds the read lock). */
static void targets_from_names(ngp_targets *t, const ngp_store *x, const ngp_request *req)
{
    *t = (ngp_targets){.x = x, .n = req->nnames, .names = req->names};
    t->ids = ngp_xmalloc((t->n ? t->n : 1) * sizeof *t->ids);   /* find_many writes each */
    ngp_store_find_many(x, t->names, t->n, t->ids);
}

/* Full mode: index the request's own nodes privately; ids are request positions. */
static int targets_from_nodes(ngp_targets *t, ngp_store *x, ng_call *c, ng_reply *reply)
{
    const ngp_request *req = &c->req;
    char err[512];
    *t = (ngp_targets){.x = x, .n = req->nnodes, .items = req->nodes,
                      .raw = ngp_decoder_captured(c->dec)};
    t->names = ngp_arena_alloc(&c->arena, (t->n ? t->n : 1) * sizeof *t->names);
    t->ids = ngp_xcalloc(t->n ? t->n : 1, sizeof *t->ids);
    for (uint32_t i = 0; i < t->n; i++) {
        const ngp_node_in *n = &req->nodes[i];
        if (!ngp_node_valid(n, err, sizeof err))
            return ngp_reply_error(reply, 422, "Nodes.items[%u]: %s", i, err);
        if (ngp_store_find(x, n->name, strlen(n->name)) >= 0)
            return ngp_reply_error(reply, 422, "Nodes.items[%u]: duplicate node name \"%s\"", i, n->name);
        t->names[i] = n->name;
        t->ids[i] = ngp_store_upsert(x, n);
    }
    return 0;
}

static int run_verb(ng_call *c, const ngp_targets *t, ng_reply *reply)
{
    const ngp_options *opt = &c->index->opt;
    switch (c->verb) {
    case NG_FILTER: return ngp_filter(opt, &c->req.pod, t, reply);
    case NG_PRIORITIZE: return ngp_prioritize(opt, &c->req.pod, t, reply);
    case NG_DAEMONSET: return ngp_daemonset(opt, &c->req, &c->arena, t, reply);
    default: return ngp_reply_error(reply, 500, "verb %d has no node targets", (int)c->verb);
    }
}

/* filter, prioritize and daemonset: over the request's nodes or the cache's. */
static int evaluate(ng_call *c, ng_reply *reply)
{
    ngp_targets t;
    int st;
    if (c->req.has_nodes) {
        ngp_store x;
        ngp_store_init(&x);
        st = targets_from_nodes(&t, &x, c, reply);
        if (st == 0)
            st = run_verb(c, &t, reply);
        ngp_store_destroy(&x);
    } else {
        pthread_rwlock_rdlock(&c->index->lock);
        targets_from_names(&t, &c->index->idx, &c->req);
        st = run_verb(c, &t, reply);
        pthread_rwlock_unlock(&c->index->lock);
    }
    free(t.ids);
    return st;
}

static int dispatch(ng_call *c, ng_reply *reply)
{
    const ngp_request *req = &c->req;
    if (c->verb == NG_NODES)
        return ngp_nodes_update(c->index, req, reply);
    if (c->verb == NG_DAEMONSET && !req->has_ds)
        return ngp_reply_error(reply, 400, "DaemonSet: required (an apps/v1 DaemonSet object)");
    if (c->verb != NG_DAEMONSET && !req->has_pod)
        return ngp_reply_error(reply, 400, "Pod: required (a v1 Pod object)");
    if (c->verb != NG_PREEMPT)
        return evaluate(c, reply);
    pthread_rwlock_rdlock(&c->index->lock);
    int st = ngp_preempt(&c->index->opt, req, &c->index->idx, reply);
    pthread_rwlock_unlock(&c->index->lock);
    return st;
}

static int call_end(ng_call *c, ng_reply *reply)
{
    *reply = (ng_reply){0};
    if (!c->status)
        c->status = ngp_decoder_finish(c->dec);
    int st;
    if (c->status == 404)
        st = ngp_reply_error(reply, 404, "unknown verb");
    else if (c->status)
        st = ngp_reply_error(reply, c->status, "%s", ngp_decoder_error(c->dec));
    else
        st = dispatch(c, reply);
    ngp_decoder_free(c->dec);
    ngp_arena_free(&c->arena);
    free(c);
    return st;
}

static int nodes_apply(ng_index *index, const char *json, size_t len, ng_reply *reply)
{
    ng_call *c = call_begin(index, NG_NODES);
    call_feed(c, json, len);
    return call_end(c, reply);
}

static int nodes_delete(ng_index *index, const char *name, ng_reply *reply)
{
    pthread_rwlock_wrlock(&index->lock);
    bool found = ngp_store_remove(&index->idx, name);
    uint32_t total = index->idx.count;
    pthread_rwlock_unlock(&index->lock);
    if (!found)
        return ngp_reply_error(reply, 404, "node \"%s\" is not in the node cache", name);
    ngp_buf b = {0};
    ngp_buf_printf(&b, "{\"applied\":1,\"nodes\":%u}", total);
    return ngp_reply_buf(reply, 200, &b);
}

static int nodes_list(ng_index *index, ng_reply *reply)
{
    ngp_buf b = {0};
    ngp_buf_putc(&b, '[');
    pthread_rwlock_rdlock(&index->lock);
    bool first = true;
    for (uint32_t id = 0; id < index->idx.high; id++) {
        const char *name = index->idx.nodes[id].name;
        if (!name)
            continue;
        if (!first)
            ngp_buf_putc(&b, ',');
        first = false;
        ngp_buf_json_str(&b, name);
    }
    pthread_rwlock_unlock(&index->lock);
    ngp_buf_putc(&b, ']');
    return ngp_reply_buf(reply, 200, &b);
}

static int index_stats(ng_index *index, ng_reply *reply)
{
    ngp_store_stats st;
    pthread_rwlock_rdlock(&index->lock);
    ngp_store_measure(&index->idx, &st);
    pthread_rwlock_unlock(&index->lock);
    ngp_buf b = {0};
    ngp_buf_printf(&b, "{\"nodes\":%zu,\"capacity\":%zu,\"label_keys\":%zu,\"label_values\":%zu,"
                      "\"taint_lists\":%zu,\"index_bytes\":%zu,\"string_bytes\":%zu}",
                  st.nodes, st.capacity, st.label_keys, st.label_values, st.taint_lists,
                  st.index_bytes, st.string_bytes);
    return ngp_reply_buf(reply, 200, &b);
}

static const struct nodegate_plugin table = {
    .abi_version = NODEGATE_ABI_VERSION,
    .struct_size = sizeof(struct nodegate_plugin),
    .name = "nodegate",
    .version = NODEGATE_VERSION,
    .index_new = index_new,
    .index_free = index_free,
    .nodes_apply = nodes_apply,
    .nodes_delete = nodes_delete,
    .nodes_list = nodes_list,
    .call_begin = call_begin,
    .call_feed = call_feed,
    .call_end = call_end,
    .reply_free = reply_free,
    .index_stats = index_stats,
};

NODEGATE_EXPORT const struct nodegate_plugin *nodegate_plugin_v1(void) { return &table; }
