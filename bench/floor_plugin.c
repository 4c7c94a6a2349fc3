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
 * ({"NodeNames":[],"x":"xxx..."}). Not for clusters: it answers every pod with no node.
 *
 * Answers: the protocol floor of make bench-scheduler. Given a --nodes file of JSON lines
 *   {"verb":"filter","pod":"web-12","reply":{...}}
 * (made from nodegate-server --record of the same pods), a filter or prioritize call for that pod
 * gets that reply instead: kube-scheduler receives nodegate's own answers at this plugin's cost, so
 * what a configuration spends then is the extender protocol's part on both sides. The pod is the
 * first "name" in the body's Pod.metadata, which kube-scheduler writes first. A call for a pod
 * with no answer gets a 500. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nodegate.h"

enum { VERBS = NG_EXPLAIN + 1 };

typedef struct answer {
    int verb;
    const char *pod, *reply;   /* both NUL-terminated, in the index's text */
    size_t len;
} answer;

struct ng_index {
    char *reply[VERBS];
    size_t len[VERBS];
    char *text;                /* the answers file, split in place */
    answer *answers;           /* sorted by verb, then pod */
    size_t nanswers;
};

enum { HEAD = 512 };   /* bytes of a body kept to find its pod's name */

struct ng_call {
    ng_index *idx;
    ng_verb verb;
    uint64_t bytes;
    char head[HEAD + 1];
    char *body;                /* NG_NODES: the whole body */
    size_t cap;
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
    free(idx->text);
    free(idx->answers);
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

static int verb_of(const char *name)
{
    for (int v = 0; v < VERBS; v++)
        if (strcmp(name, verb_names[v]) == 0)
            return v;
    return -1;
}

static int by_verb_and_pod(const void *a, const void *b)
{
    const answer *x = a, *y = b;
    return x->verb != y->verb ? x->verb - y->verb : strcmp(x->pod, y->pod);
}

/* Takes text (the answers file, NUL-terminated) as the index's answers; false if a line is not
 * {"verb":"V","pod":"P","reply":R}. */
static bool answers_load(ng_index *idx, char *text)
{
    size_t n = 0, cap = 0;
    answer *v = NULL;
    for (char *line = text, *next; *line; line = next) {
        char *end = strchr(line, '\n');
        next = end ? end + 1 : line + strlen(line);
        if (!end)
            end = next;
        if (end == line)
            continue;
        *end = '\0';   /* sscanf measures what it reads: the line, not the rest of the file */
        char verb[16];
        int pod_at = 0, pod_end = 0, reply_at = 0;
        int got = sscanf(line, "{\"verb\":\"%15[a-z]\",\"pod\":\"%n%*[^\"]%n\",\"reply\":%n", verb, &pod_at,
                         &pod_end, &reply_at);
        int verb_id = got < 1 ? -1 : verb_of(verb);
        if (verb_id < 0 || !reply_at || end - line < reply_at + 1 || end[-1] != '}') {
            free(v);
            return false;
        }
        if (n == cap)
            v = realloc(v, (cap = cap ? 2 * cap : 1024) * sizeof *v);
        if (!v)
            abort();
        line[pod_end] = '\0';
        end[-1] = '\0';   /* the line's closing brace: the reply ends before it */
        v[n++] = (answer){verb_id, line + pod_at, line + reply_at, (size_t)(end - 1 - (line + reply_at))};
    }
    qsort(v, n, sizeof *v, by_verb_and_pod);
    free(idx->text);
    free(idx->answers);
    idx->text = text;
    idx->answers = v;
    idx->nanswers = n;
    return true;
}

/* The recorded reply for the pod whose body begins with head, or NULL. */
static const answer *answer_for(const ng_index *idx, int verb, const char *head)
{
    static const char meta[] = "\"Pod\":{\"metadata\":{", name[] = "\"name\":\"";
    const char *m = strstr(head, meta), *p = m ? strstr(m, name) : NULL;
    const char *q = p ? strchr(p + sizeof name - 1, '"') : NULL;
    if (!q)
        return NULL;
    char pod[256];
    snprintf(pod, sizeof pod, "%.*s", (int)(q - (p + sizeof name - 1)), p + sizeof name - 1);
    answer key = {.verb = verb, .pod = pod};
    return bsearch(&key, idx->answers, idx->nanswers, sizeof key, by_verb_and_pod);
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
    if (c->bytes < HEAD) {
        size_t n = len < HEAD - c->bytes ? len : HEAD - c->bytes;
        memcpy(c->head + c->bytes, chunk, n);
    }
    if (c->verb == NG_NODES) {
        if (c->bytes + len + 1 > c->cap) {
            c->cap = 2 * (c->bytes + len + 1);
            if (!(c->body = realloc(c->body, c->cap)))
                abort();
        }
        memcpy(c->body + c->bytes, chunk, len);
        c->body[c->bytes + len] = '\0';
    }
    c->bytes += len;
    return 0;
}

/* The canned or recorded reply, borrowed from the index, which outlives every call. */
static int call_end(ng_call *c, ng_reply *r)
{
    ng_index *idx = c->idx;
    unsigned v = (unsigned)c->verb < VERBS ? (unsigned)c->verb : NG_FILTER;
    if (v == NG_NODES) {
        bool answers = c->body && strncmp(c->body, "{\"verb\":", 8) == 0;
        bool ok = !answers || answers_load(idx, c->body);
        if (!answers || !ok)
            free(c->body);
        free(c);
        return ok ? fixed(r, 200, "{\"applied\":0,\"nodes\":0}")
                  : fixed(r, 400, "{\"Error\":\"answers: a line is not {verb, pod, reply}\"}");
    }
    const answer *a = idx->nanswers ? answer_for(idx, (int)v, c->head) : NULL;
    bool missing = idx->nanswers && !a;
    free(c);
    if (missing)
        return fixed(r, 500, "{\"Error\":\"the floor plugin has no recorded answer for this pod\"}");
    r->data = a ? (char *)a->reply : idx->reply[v];
    r->len = a ? a->len : idx->len[v];
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
