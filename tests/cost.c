/* cost.c - one hostile request shape at size N through the ABI, for tests/e2e/cost.sh.
 *
 *   cost PLUGIN SHAPE N    prints "bytes_in reply_bytes status maxrss_kb cpu_ms"
 *
 * Every shape's body grows linearly with N; the suite runs each shape under
 * callgrind at N and 4N and checks that the instructions spent in run_call
 * (the call alone: not building the body or the node cache) grow about 4
 * times. Names-mode shapes run against a cache of 1,000 nodes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "buf.h"
#include "loader.h"
#include "nodegate.h"

static const struct nodegate_plugin *api;

#define POD_HEAD "{\"Pod\":{\"metadata\":{\"name\":\"p\",\"namespace\":\"d\",\"uid\":\"u\"},\"spec\":{"

/* n names, each printf'ed from fmt with its index, as a JSON list's items. */
static void names(host_buf *b, const char *fmt, unsigned n)
{
    for (unsigned i = 0; i < n; i++) {
        host_buf_puts(b, i ? ",\"" : "\"");
        host_buf_printf(b, fmt, i);
        host_buf_puts(b, "\"");
    }
}

/* A NodeList of n nodes; node i gets what label_fmt / taint_fmt print from i. */
static void nodelist(host_buf *b, unsigned n, const char *extra_fmt)
{
    host_buf_puts(b, "{\"items\":[");
    for (unsigned i = 0; i < n; i++) {
        host_buf_printf(b, "%s{\"metadata\":{\"name\":\"n%u\",\"labels\":{\"zone\":\"z%u\",\"num\":\"%u\"}}",
                        i ? "," : "", i, i % 10, i);
        host_buf_printf(b, extra_fmt, i);
        host_buf_puts(b, "}");
    }
    host_buf_puts(b, "]}");
}

/* Fills b with the body of shape at size n; returns the verb, or -1 for an unknown shape. */
static int shape_body(host_buf *b, const char *shape, unsigned n)
{
    if (strcmp(shape, "names-empty") == 0 || strcmp(shape, "names-unknown") == 0) {
        host_buf_puts(b, POD_HEAD "}},\"Nodes\":null,\"NodeNames\":[");
        names(b, shape[6] == 'e' ? "" : "u%u", n);
        host_buf_puts(b, "]}");
        return NG_FILTER;
    }
    if (strcmp(shape, "selector") == 0) {   /* n distinct nodeSelector keys */
        host_buf_puts(b, POD_HEAD "\"nodeSelector\":{");
        for (unsigned i = 0; i < n; i++)
            host_buf_printf(b, "%s\"k%u\":\"v\"", i ? "," : "", i);
        host_buf_puts(b, "}}},\"Nodes\":null,\"NodeNames\":[");
        names(b, "n%u", 100);
        host_buf_puts(b, "]}");
        return NG_FILTER;
    }
    if (strcmp(shape, "preferred") == 0) {   /* n/8 preferred terms over n names */
        host_buf_puts(b, POD_HEAD "\"affinity\":{\"nodeAffinity\":{\"preferredDuringSchedulingIgnoredDuringExecution\":[");
        for (unsigned i = 0; i < n / 8; i++)
            host_buf_printf(b, "%s{\"weight\":1,\"preference\":{\"matchExpressions\":[{\"key\":\"zone\","
                               "\"operator\":\"In\",\"values\":[\"z%u\",\"x%u\"]}]}}", i ? "," : "", i % 10, i);
        host_buf_puts(b, "]}}}},\"Nodes\":null,\"NodeNames\":[");
        names(b, "u%u", n);
        host_buf_puts(b, "]}");
        return NG_PRIORITIZE;
    }
    if (strcmp(shape, "gt") == 0) {   /* full mode: n nodes of distinct num, n/8 terms num Lt/Gt 8i */
        host_buf_puts(b, POD_HEAD "\"affinity\":{\"nodeAffinity\":{\"requiredDuringSchedulingIgnoredDuringExecution\":"
                         "{\"nodeSelectorTerms\":[");
        for (unsigned i = 0; i < n / 8; i++)
            host_buf_printf(b, "%s{\"matchExpressions\":[{\"key\":\"num\",\"operator\":\"%s\",\"values\":[\"%u\"]}]}",
                            i ? "," : "", i % 2 ? "Gt" : "Lt", i * 8);
        host_buf_puts(b, "]}}}}},\"Nodes\":");
        nodelist(b, n, "");
        host_buf_puts(b, ",\"NodeNames\":null}");
        return NG_FILTER;
    }
    if (strcmp(shape, "taints") == 0) {   /* full mode: n nodes, each its own taint list */
        host_buf_puts(b, POD_HEAD "\"tolerations\":[{\"key\":\"a\",\"operator\":\"Exists\"}]}},\"Nodes\":");
        nodelist(b, n, ",\"spec\":{\"taints\":[{\"key\":\"t%u\",\"effect\":\"NoSchedule\"}]}");
        host_buf_puts(b, ",\"NodeNames\":null}");
        return NG_FILTER;
    }
    if (strcmp(shape, "tolerations") == 0) {   /* full mode: n nodes, each its own two taints; n/8 tolerations */
        static const char *const tols[] = {"{\"key\":\"a%u\",\"operator\":\"Exists\"}",
                                           "{\"key\":\"t%u\",\"value\":\"w\",\"effect\":\"NoSchedule\"}",
                                           "{\"key\":\"a%u\",\"operator\":\"Gt\",\"value\":\"5\"}",
                                           "{\"key\":\"p%u\",\"operator\":\"Exists\",\"effect\":\"NoExecute\"}"};
        host_buf_puts(b, POD_HEAD "\"tolerations\":[");
        for (unsigned i = 0; i < n / 8; i++) {
            host_buf_puts(b, i ? "," : "");
            host_buf_printf(b, tols[i % 4], i);
        }
        host_buf_puts(b, "]}},\"Nodes\":");
        nodelist(b, n, ",\"spec\":{\"taints\":[{\"key\":\"t%1$u\",\"value\":\"v\",\"effect\":\"NoSchedule\"},"
                       "{\"key\":\"p%1$u\",\"effect\":\"PreferNoSchedule\"}]}");
        host_buf_puts(b, ",\"NodeNames\":null}");
        return NG_FILTER;
    }
    if (strcmp(shape, "labels") == 0) {   /* one node: n/2 distinct labels, then key a n/2 times */
        host_buf_puts(b, "{\"metadata\":{\"name\":\"big\",\"labels\":{");
        for (unsigned i = 0; i < n; i++)
            i < n / 2 ? host_buf_printf(b, "%s\"k%u\":\"v\"", i ? "," : "", i) : host_buf_printf(b, ",\"a\":\"%u\"", i);
        host_buf_puts(b, "}}}");
        return NG_NODES;
    }
    return -1;
}

/* The call alone, chunked as the server feeds it; callgrind counts from here. */
int run_call(ng_index *idx, int verb, const char *body, size_t len, ng_reply *r);
__attribute__((noinline)) int run_call(ng_index *idx, int verb, const char *body, size_t len, ng_reply *r)
{
    enum { CHUNK = 64 * 1024 };
    ng_call *c = api->call_begin(idx, (ng_verb)verb);
    for (size_t off = 0; off < len; off += CHUNK)
        if (api->call_feed(c, body + off, len - off < CHUNK ? len - off : CHUNK) != 0)
            break;
    return api->call_end(c, r);
}

int main(int argc, char **argv)
{
    host_plugin plugin;
    char err[256];
    if (argc != 4 || host_plugin_load(argv[1], &plugin, err, sizeof err) != 0) {
        fprintf(stderr, "usage: cost PLUGIN SHAPE N (%s)\n", argc == 4 ? err : "3 arguments");
        return 2;
    }
    api = plugin.api;
    ng_index *idx = api->index_new(NULL, err, sizeof err);
    ng_reply r;
    host_buf cache = {0}, body = {0};
    nodelist(&cache, 1000, "");
    api->nodes_apply(idx, cache.p, cache.len, &r);
    api->reply_free(&r);
    int verb = shape_body(&body, argv[2], (unsigned)strtoul(argv[3], NULL, 10));
    if (verb < 0) {
        fprintf(stderr, "cost: unknown shape %s\n", argv[2]);
        return 2;
    }
    int status = run_call(idx, verb, body.p, body.len, &r);
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("%zu %zu %d %ld %ld\n", body.len, r.len, status, ru.ru_maxrss,
           (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000L + (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1000);
    api->reply_free(&r);
    api->index_free(idx);
    host_buf_free(&cache);
    host_buf_free(&body);
    host_plugin_unload(&plugin);
    return 0;
}
