/* abi.c - the ABI: the function table, the shared index with its lock, and the call lifecycle.
 *
 * This is the only file that takes the index lock and the only one that
 * speaks HTTP status numbers: a call decodes its body with no lock, then
 * runs its verb's handler under the lock the verb table names. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode.h"
#include "reply.h"
#include "validate.h"
#include "verb.h"
#include "xalloc.h"

/* The shared node cache: readers (calls) hold lock for reading for their
 * whole evaluation and reply writing; node updates hold it for writing. */
struct ng_index {
    ngp_store cache;
    pthread_rwlock_t lock;
    ngp_options opt;
};

struct ng_call {
    struct ng_index *index;
    const ngp_verb_def *verb;      /* NULL: a verb this plugin does not answer */
    ngp_arena arena;
    void *req;                     /* the verb's request, in arena */
    ngp_parts parts;               /* where its parts are */
    ngp_decoder *dec;
    ngp_status status;             /* the first decode error, or NGP_OK */
};

/* Hands a body to the host as a reply with status s. */
static int reply_with(ng_reply *r, ngp_status s, ngp_buf *b)
{
    r->data = ngp_buf_take(b, &r->len);
    r->status = ngp_status_http(s);
    return r->status;
}

static int reply_error(ng_reply *r, const ngp_err *e)
{
    ngp_buf b = {0};
    ngp_write_error(&b, e->text);
    return reply_with(r, e->code, &b);
}

static void reply_free(ng_reply *r)
{
    free(r->data);
    *r = (ng_reply){0};
}

static ng_index *index_new(const char *options_json, char *err, size_t errlen)
{
    ngp_options opt;
    ngp_err e = {NGP_OK, ""};
    if (!ngp_options_parse(options_json, &opt, &e)) {
        if (err && errlen)
            snprintf(err, errlen, "%s", e.text);
        return NULL;
    }
    ng_index *index = ngp_xcalloc(1, sizeof *index);
    index->opt = opt;
    ngp_store_init(&index->cache);
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
    ngp_store_destroy(&index->cache);
    pthread_rwlock_destroy(&index->lock);
    free(index);
}

static ng_call *call_begin(ng_index *index, ng_verb verb)
{
    ng_call *c = ngp_xcalloc(1, sizeof *c);
    c->index = index;
    c->verb = ngp_verb_find(verb);
    if (!c->verb)
        return c;
    const ngp_shape *shape = c->verb->shape;
    c->req = ngp_arena_alloc(&c->arena, shape->size);
    memset(c->req, 0, shape->size);
    shape->bind(c->req, &c->parts);
    c->dec = ngp_decoder_new(shape->root, &c->parts, &c->arena);
    return c;
}

static int call_feed(ng_call *c, const char *chunk, size_t len)
{
    if (!c->verb)
        return ngp_status_http(NGP_ENOTFOUND);
    if (c->status == NGP_OK)
        c->status = ngp_decoder_feed(c->dec, chunk, len);
    return c->status == NGP_OK ? 0 : ngp_status_http(c->status);
}

/* The row's needs that the body must meet before the verb runs. */
static bool needs_met(const ng_call *c, ngp_err *err)
{
    unsigned needs = c->verb->needs;
    if ((needs & NGP_NEEDS_DS) && !c->parts.ds->has_ds)
        return ngp_err_set(err, NGP_EBADJSON, "DaemonSet: required (an apps/v1 DaemonSet object)");
    const char *kind = (needs & NGP_NEEDS_DS) ? c->parts.ds->kind : "";
    if (kind[0] && strcmp(kind, "DaemonSet") != 0)   /* an absent kind is taken, as kubectl's objects may lack it */
        return ngp_err_set(err, NGP_EBADJSON, "DaemonSet.kind: got \"%s\", want DaemonSet (an apps/v1 DaemonSet "
                           "object)", kind);
    if ((needs & NGP_NEEDS_NODES) && !c->parts.nodes->present && !c->parts.names->present)
        return ngp_err_set(err, NGP_EBADJSON, "Nodes, NodeNames: one of them is required (the candidate nodes as a "
                           "NodeList, or with nodeCacheCapable their names); neither was given");
    if ((needs & NGP_NEEDS_POD) && !*c->parts.has_pod)
        return ngp_err_set(err, NGP_EBADJSON, "Pod: required (a v1 Pod object)");
    return true;
}

/* Runs the verb under the lock its row names, over the targets it asks for. */
static bool run(ng_call *c, ngp_buf *out, ngp_err *err)
{
    ng_index *index = c->index;
    ngp_verb_ctx ctx = {.opt = &index->opt, .req = c->req, .arena = &c->arena};
    unsigned needs = c->verb->needs;
    bool ok;
    if (needs & (NGP_READS_CACHE | NGP_WRITES_CACHE)) {
        ctx.cache = &index->cache;
        if (needs & NGP_WRITES_CACHE)
            pthread_rwlock_wrlock(&index->lock);
        else
            pthread_rwlock_rdlock(&index->lock);
        ok = c->verb->run(&ctx, out, err);
        pthread_rwlock_unlock(&index->lock);
        return ok;
    }
    ngp_targets t;
    ctx.t = &t;
    if (c->parts.nodes->present) {   /* full mode: the request's own nodes, in a store of the call's own */
        ngp_store own;
        ngp_store_init(&own);
        ok = ngp_targets_from_nodes(&t, &own, c->parts.nodes, ngp_decoder_captured(c->dec), &c->arena, err) &&
             c->verb->run(&ctx, out, err);
        ngp_store_destroy(&own);
    } else {
        pthread_rwlock_rdlock(&index->lock);
        bool all = (needs & NGP_ALL_CACHED) && !c->parts.names->present;
        if (all)
            ngp_targets_from_cache(&t, &index->cache, &c->arena);
        ok = (all || ngp_targets_from_names(&t, &index->cache, c->parts.names, err)) && c->verb->run(&ctx, out, err);
        pthread_rwlock_unlock(&index->lock);
    }
    ngp_targets_free(&t);
    return ok;
}

static int call_end(ng_call *c, ng_reply *reply)
{
    *reply = (ng_reply){0};
    ngp_err err = {NGP_OK, ""};
    ngp_buf out = {0};
    if (!c->verb)
        ngp_err_set(&err, NGP_ENOTFOUND, "unknown verb");
    else if (c->status != NGP_OK || ngp_decoder_finish(c->dec) != NGP_OK)
        err = *ngp_decoder_error(c->dec);
    else if (needs_met(c, &err))
        run(c, &out, &err);
    int st = ngp_err_failed(&err) ? reply_error(reply, &err) : reply_with(reply, NGP_OK, &out);
    ngp_buf_free(&out);
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

static int reply_not_cached(ng_reply *reply, const char *name)
{
    ngp_err err = {NGP_OK, ""};
    ngp_err_set(&err, NGP_ENOTFOUND, "node \"%s\" is not in the node cache", name);
    return reply_error(reply, &err);
}

static int reply_applied(ng_reply *reply, uint32_t applied, uint32_t total)
{
    ngp_buf b = {0};
    ngp_buf_printf(&b, "{\"applied\":%u,\"nodes\":%u}", applied, total);
    return reply_with(reply, NGP_OK, &b);
}

static int nodes_delete(ng_index *index, const char *name, ng_reply *reply)
{
    pthread_rwlock_wrlock(&index->lock);
    bool found = ngp_store_remove(&index->cache, name);
    uint32_t total = index->cache.count;
    pthread_rwlock_unlock(&index->lock);
    return found ? reply_applied(reply, 1, total) : reply_not_cached(reply, name);
}

/* The stores trade places: idx gets staged's, staged keeps the old one to be freed. */
static int nodes_replace(ng_index *index, ng_index *staged, ng_reply *reply)
{
    pthread_rwlock_wrlock(&index->lock);
    ngp_store old = index->cache;
    index->cache = staged->cache;
    staged->cache = old;
    uint32_t total = index->cache.count;
    pthread_rwlock_unlock(&index->lock);
    return reply_applied(reply, total, total);
}

static int nodes_get(ng_index *index, const char *name, ng_reply *reply)
{
    ngp_buf b = {0};
    pthread_rwlock_rdlock(&index->lock);
    const ngp_store *x = &index->cache;
    int64_t id = name ? ngp_store_find(x, name, strlen(name)) : -1;
    if (id >= 0)
        ngp_write_node(&b, &x->nodes[id]);
    if (!name) {
        ngp_buf_puts(&b, "{\"kind\":\"NodeList\",\"apiVersion\":\"v1\",\"metadata\":{},\"items\":[");
        const char *sep = "";
        for (uint32_t i = 0; i < x->high; i++) {
            if (!x->nodes[i].name)
                continue;
            ngp_buf_puts(&b, sep);
            ngp_write_node(&b, &x->nodes[i]);
            sep = ",";
        }
        ngp_buf_puts(&b, "]}");
    }
    pthread_rwlock_unlock(&index->lock);
    if (name && id < 0) {
        ngp_buf_free(&b);
        return reply_not_cached(reply, name);
    }
    return reply_with(reply, NGP_OK, &b);
}

static int nodes_list(ng_index *index, ng_reply *reply)
{
    ngp_buf b = {0};
    ngp_buf_putc(&b, '[');
    pthread_rwlock_rdlock(&index->lock);
    bool first = true;
    for (uint32_t id = 0; id < index->cache.high; id++) {
        const char *name = index->cache.nodes[id].name;
        if (!name)
            continue;
        if (!first)
            ngp_buf_putc(&b, ',');
        first = false;
        ngp_buf_json_str(&b, name);
    }
    pthread_rwlock_unlock(&index->lock);
    ngp_buf_putc(&b, ']');
    return reply_with(reply, NGP_OK, &b);
}

static int index_stats(ng_index *index, ng_reply *reply)
{
    ngp_store_stats st;
    pthread_rwlock_rdlock(&index->lock);
    ngp_store_measure(&index->cache, &st);
    pthread_rwlock_unlock(&index->lock);
    ngp_buf b = {0};
    ngp_buf_printf(&b, "{\"nodes\":%zu,\"capacity\":%zu,\"label_keys\":%zu,\"label_values\":%zu,"
                       "\"taint_lists\":%zu,\"index_bytes\":%zu,\"string_bytes\":%zu}",
                   st.nodes, st.capacity, st.label_keys, st.label_values, st.taint_lists,
                   st.index_bytes, st.string_bytes);
    return reply_with(reply, NGP_OK, &b);
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
    .nodes_replace = nodes_replace,
    .nodes_get = nodes_get,
    .label_key_problem = ngp_check_label_key,
    .label_value_problem = ngp_check_label_value,
};

NODEGATE_EXPORT const struct nodegate_plugin *nodegate_plugin_v1(void) { return &table; }
