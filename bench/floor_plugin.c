/* floor_plugin.c - libngfloor.so, the transport floor of make bench: a plugin with the real ABI
 * entry that does no scheduling. Loaded into the real nodegate-server with --plugin, it makes the
 * server read every request body to its end (each chunk is handed to call_feed, which only counts
 * its bytes) and answer with a canned 200 reply of a given size, made once at start and handed
 * over without a copy. What the server spends per request then is the HTTP stack's part: accept,
 * read the headers and the body, write the reply, the kernel's copies both ways; the difference
 * to the real plugin in the same server is what scheduling costs (decode, lookups, evaluation,
 * writing the reply).
 *
 * The reply sizes come from the environment, as bytes per verb (a server has no flag for a
 * plugin's options beyond its feature gates, and this plugin is for benchmarks only):
 *   NGFLOOR_REPLY="filter=123456,prioritize=318000"
 * A verb not named gets the 2-byte reply {}. The replies are JSON objects of exactly that size
 * ({"NodeNames":[],"x":"xxx..."}). Not for clusters: it answers every pod with no node. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nodegate.h"

enum { VERBS = NG_EXPLAIN + 1 };

struct ng_index {
    char *reply[VERBS];
    size_t len[VERBS];
};

struct ng_call {
    ng_index *idx;
    ng_verb verb;
    uint64_t bytes;
};

static const char *verb_names[VERBS] = {"filter", "prioritize", "preempt", "daemonset", "nodes", "explain"};

/* A JSON object of exactly n bytes (n >= 2). */
static char *canned(size_t n)
{
    static const char head[] = "{\"NodeNames\":[],\"x\":\"", tail[] = "\"}";
    char *p = malloc(n + 1);
    if (!p)
        abort();
    size_t h = sizeof head - 1, t = sizeof tail - 1;
    if (n < h + t) {
        memset(p, ' ', n);
        p[0] = '{', p[n - 1] = '}';
    } else {
        memcpy(p, head, h);
        memset(p + h, 'x', n - h - t);
        memcpy(p + n - t, tail, t);
    }
    p[n] = '\0';
    return p;
}

static ng_index *index_new(const char *options_json, char *err, size_t errlen)
{
    ng_index *idx = calloc(1, sizeof *idx);
    if (!idx)
        abort();
    const char *spec = getenv("NGFLOOR_REPLY");
    for (int v = 0; v < VERBS; v++) {
        size_t n = 2;
        const char *at = spec ? strstr(spec, verb_names[v]) : NULL;
        if (at && at[strlen(verb_names[v])] == '=') {
            unsigned long long u = strtoull(at + strlen(verb_names[v]) + 1, NULL, 10);
            n = u < 2 ? 2 : u > (1ull << 30) ? 1ull << 30 : (size_t)u;
        }
        idx->reply[v] = canned(n);
        idx->len[v] = n;
    }
    return idx;
}

static void index_free(ng_index *idx)
{
    if (!idx)
        return;
    for (int v = 0; v < VERBS; v++)
        free(idx->reply[v]);
    free(idx);
}

/* Every other reply: a static text. No reply is ever allocated, so reply_free frees nothing. */
static int fixed(ng_reply *r, int status, const char *text)
{
    r->data = (char *)text;   /* never written to: the server only sends it */
    r->len = strlen(text);
    r->status = status;
    return status;
}

static int nodes_apply(ng_index *idx, const char *json, size_t len, ng_reply *r)
{
    return fixed(r, 200, "{\"applied\":0,\"nodes\":0}");
}

static int nodes_delete(ng_index *idx, const char *name, ng_reply *r)
{
    return fixed(r, 404, "{\"Error\":\"the floor plugin holds no nodes\"}");
}

static int nodes_list(ng_index *idx, ng_reply *r)
{
    return fixed(r, 200, "[]");
}

static ng_call *call_begin(ng_index *idx, ng_verb verb)
{
    ng_call *c = calloc(1, sizeof *c);
    if (!c)
        abort();
    c->idx = idx;
    c->verb = verb;
    return c;
}

static int call_feed(ng_call *c, const char *chunk, size_t len)
{
    c->bytes += len;
    return 0;
}

/* The canned reply, borrowed from the index, which outlives every call. */
static int call_end(ng_call *c, ng_reply *r)
{
    ng_index *idx = c->idx;
    unsigned v = (unsigned)c->verb < VERBS ? (unsigned)c->verb : NG_FILTER;
    free(c);
    if (v == NG_NODES)
        return fixed(r, 200, "{\"applied\":0,\"nodes\":0}");
    r->data = idx->reply[v];
    r->len = idx->len[v];
    r->status = 200;
    return 200;
}

static void reply_free(ng_reply *r)
{
    *r = (ng_reply){0};
}

static int index_stats(ng_index *idx, ng_reply *r)
{
    return fixed(r, 200, "{\"nodes\":0,\"capacity\":0,\"label_keys\":0,\"label_values\":0,\"taint_lists\":0,"
                         "\"index_bytes\":0,\"string_bytes\":0}");
}

static int nodes_replace(ng_index *idx, ng_index *staged, ng_reply *r)
{
    return fixed(r, 200, "{\"applied\":0,\"nodes\":0}");
}

static int nodes_get(ng_index *idx, const char *name, ng_reply *r)
{
    return name ? fixed(r, 404, "{\"Error\":\"the floor plugin holds no nodes\"}")
                : fixed(r, 200, "{\"kind\":\"NodeList\",\"apiVersion\":\"v1\",\"items\":[]}");
}

static const char *no_problem(const char *s)
{
    return NULL;
}

static const struct nodegate_plugin table = {
    .abi_version = NODEGATE_ABI_VERSION,
    .struct_size = sizeof table,
    .name = "nodegate-floor",
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
    .label_key_problem = no_problem,
    .label_value_problem = no_problem,
};

__attribute__((visibility("default"))) const struct nodegate_plugin *nodegate_plugin_v1(void)
{
    return &table;
}
