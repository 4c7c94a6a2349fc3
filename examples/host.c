/* host.c - the smallest complete host of libnodegate.so, written to show the plugin API from dlopen to dlclose.
 *
 * nodegate-server is one host of the plugin; this file is another, stripped
 * to what every host does, in order:
 *
 *   1. load the plugin with dlopen and find its one exported symbol;
 *   2. check the ABI before touching anything else in the function table;
 *   3. create an index (the node cache that "names mode" requests read);
 *   4. put nodes into it: here a NodeList of two nodes, `master` with the
 *      control-plane taint and a plain `worker`;
 *   5. stream a filter request into a call in small chunks, as an HTTP
 *      server would while the body arrives, and read the reply;
 *   6. free everything, in the reverse order.
 *
 * The request is the pod the DaemonSet controller would create for a
 * DaemonSet with no toleration of its own: it tolerates only the default
 * NoExecute taints, so the master's NoSchedule taint keeps it off the master.
 * The program prints what it does and exits 0 only when the reply is exactly
 * the one expected: feasible ["worker"], and master refused with the reason.
 *
 *     make build/examples/host
 *     build/examples/host                        # loads build/libnodegate.so
 *     build/examples/host path/to/libnodegate.so
 *
 * Everything here is the public API of include/nodegate.h: a host never sees
 * the plugin's structures, only opaque handles and the function table. */
#include <dlfcn.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "nodegate.h"

/* The node cache: what `kubectl get nodes -o json` prints, cut to the fields
 * that matter (nodegate skips the rest of a real NodeList unread). */
static const char NODES[] =
    "{\"apiVersion\":\"v1\",\"kind\":\"NodeList\",\"items\":["
    "{\"metadata\":{\"name\":\"master\",\"labels\":{\"node-role.kubernetes.io/master\":\"\"}},"
    "\"spec\":{\"taints\":[{\"key\":\"node-role.kubernetes.io/master\",\"effect\":\"NoSchedule\"}]}},"
    "{\"metadata\":{\"name\":\"worker\",\"labels\":{\"kubernetes.io/os\":\"linux\"}}}]}";

/* An ExtenderArgs as kube-scheduler sends it with nodeCacheCapable: true: the
 * Pod, and only the names of the candidate nodes ("names mode"). */
static const char REQUEST[] =
    "{\"Pod\":{\"metadata\":{\"name\":\"redis-ds-x7k2p\",\"namespace\":\"default\","
    "\"ownerReferences\":[{\"apiVersion\":\"apps/v1\",\"kind\":\"DaemonSet\",\"name\":\"redis-ds\","
    "\"controller\":true}]},"
    "\"spec\":{\"containers\":[{\"name\":\"redis\",\"image\":\"redis:5-alpine\"}],"
    "\"tolerations\":["
    "{\"key\":\"node.kubernetes.io/not-ready\",\"operator\":\"Exists\",\"effect\":\"NoExecute\"},"
    "{\"key\":\"node.kubernetes.io/unreachable\",\"operator\":\"Exists\",\"effect\":\"NoExecute\"}]}},"
    "\"NodeNames\":[\"master\",\"worker\"]}";

/* The ExtenderFilterResult we expect back, byte for byte. */
static const char EXPECTED[] =
    "{\"Nodes\":null,\"NodeNames\":[\"worker\"],\"FailedNodes\":{},"
    "\"FailedAndUnresolvableNodes\":{\"master\":"
    "\"node(s) had untolerated taint {node-role.kubernetes.io/master: }\"},\"Error\":\"\"}";

/* The chunk size for streaming the request: small and odd on purpose, so
 * chunks end mid-key and mid-string. The plugin accepts any split. */
#define CHUNK 7

/* Steps 1 and 2: returns the plugin's function table with *dl set, or NULL
 * after printing one line that names the path and says what is wrong. The
 * table is static data inside the plugin: it lives until dlclose. */
static const struct nodegate_plugin *load(const char *path, void **dl)
{
    /* RTLD_NOW: resolve every symbol now, so a broken plugin fails here and
     * not in the middle of a request. RTLD_LOCAL: keep its symbols to itself. */
    *dl = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!*dl) {
        fprintf(stderr, "plugin %s: cannot load: %s\n", path, dlerror());
        return NULL;
    }
    /* The one exported symbol. POSIX allows this cast from dlsym's void *. */
    const struct nodegate_plugin *(*entry)(void) =
        (const struct nodegate_plugin *(*)(void))dlsym(*dl, NODEGATE_ENTRY_SYMBOL);
    const struct nodegate_plugin *p = entry ? entry() : NULL;
    const char *why = NULL;
    char buf[128];
    if (!p) {
        why = "no " NODEGATE_ENTRY_SYMBOL " entry point: not a nodegate plugin";
    } else if (p->abi_version != NODEGATE_ABI_VERSION) {
        /* A different ABI may mean anything, even a different table layout:
         * abi_version and struct_size are the only fields safe to read. */
        snprintf(buf, sizeof buf, "ABI %u required, plugin built for %u", NODEGATE_ABI_VERSION,
                 p->abi_version);
        why = buf;
    } else if (!NODEGATE_HAS(p, reply_free)) {
        /* reply_free is the last function this host calls: everything before
         * it must be there too. The table only grows at its end, so a plugin
         * built against an older header may have a shorter one; NODEGATE_HAS
         * never reads past struct_size. (A later entry would need its own
         * NODEGATE_HAS check before each use.) */
        snprintf(buf, sizeof buf, "function table of %u bytes is too small", p->struct_size);
        why = buf;
    }
    if (why) {
        fprintf(stderr, "plugin %s: %s\n", path, why);
        dlclose(*dl);
        *dl = NULL;
        return NULL;
    }
    return p;
}

int main(int argc, char **argv)
{
    const char *path = argc > 1 ? argv[1] : "build/libnodegate.so";
    void *dl;
    const struct nodegate_plugin *p = load(path, &dl);
    if (!p)
        return 1;
    printf("loaded %s %s (ABI %u, table of %u bytes) from %s\n", p->name, p->version, p->abi_version,
           p->struct_size, path);

    /* Step 3: an index. NULL options are the defaults (every feature gate
     * off, upstream's score weights); a JSON object sets them, e.g.
     * {"featureGates":{"TaintTolerationComparisonOperators":true}}. On bad
     * options it returns NULL and writes one sentence into err. */
    char err[256];
    ng_index *idx = p->index_new(NULL, err, sizeof err);
    if (!idx) {
        fprintf(stderr, "index_new: %s\n", err);
        dlclose(dl);
        return 1;
    }

    /* Step 4: the node cache. nodes_apply takes a Node, a NodeList or a watch
     * event, all or nothing. Every reply, success or error, is JSON owned by
     * the plugin: read it, then give it back with reply_free (never free()). */
    ng_reply r = {0};
    int status = p->nodes_apply(idx, NODES, sizeof NODES - 1, &r);
    printf("nodes_apply: %d %s\n", status, r.data);
    p->reply_free(&r);
    if (status != 200) {
        p->index_free(idx);
        dlclose(dl);
        return 1;
    }

    /* Step 5: one call. call_begin never fails; the call borrows the index.
     * call_feed returns 0, or the HTTP status of the first error in the body
     * (after which further chunks are ignored): a host may stop feeding
     * then, but must still finish with call_end, which evaluates the verb,
     * fills the reply and frees the call. Each chunk is only borrowed for the
     * duration of call_feed, so a server can reuse its receive buffer. */
    ng_call *call = p->call_begin(idx, NG_FILTER);
    size_t len = sizeof REQUEST - 1;
    for (size_t off = 0; off < len; off += CHUNK) {
        size_t n = len - off < CHUNK ? len - off : CHUNK;
        if (p->call_feed(call, REQUEST + off, n) != 0)
            break;
    }
    status = p->call_end(call, &r);   /* call is gone now */
    printf("filter (%zu bytes in chunks of %d): %d %s\n", len, CHUNK, status, r.data);
    int ok = status == 200 && r.len == sizeof EXPECTED - 1 && memcmp(r.data, EXPECTED, r.len) == 0;
    p->reply_free(&r);

    /* Step 6: the index after its last call, the plugin after its last
     * object. Nothing the plugin returned may be used after dlclose. */
    p->index_free(idx);
    dlclose(dl);

    if (!ok) {
        printf("unexpected reply; expected: 200 %s\n", EXPECTED);
        return 1;
    }
    printf("ok: feasible [\"worker\"]\n");
    return 0;
}
