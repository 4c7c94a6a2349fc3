/* nodegate.h - the plugin ABI: the one header a host needs to drive libnodegate.so.
 *
 * A host (nodegate-server, the tests, your own program) loads the plugin with
 * dlopen(path, RTLD_NOW | RTLD_LOCAL), looks up NODEGATE_ENTRY_SYMBOL, calls it,
 * and checks abi_version and struct_size before using anything else:
 *
 *     const struct nodegate_plugin *(*entry)(void) = dlsym(h, NODEGATE_ENTRY_SYMBOL);
 *     const struct nodegate_plugin *p = entry();
 *     if (p->abi_version != NODEGATE_ABI_VERSION) fail("ABI %u required, plugin built for %u", ...);
 *     char err[256];
 *     ng_index *idx = p->index_new(NULL, err, sizeof err);          // default options
 *     ng_reply r;
 *     p->nodes_apply(idx, nodelist_json, len, &r); p->reply_free(&r); // names-mode cache
 *     ng_call *c = p->call_begin(idx, NG_FILTER);
 *     while (more) p->call_feed(c, chunk, chunk_len);                 // any chunking
 *     p->call_end(c, &r);                                             // r.status, r.data
 *     send(r.status, r.data, r.len); p->reply_free(&r);
 *     p->index_free(idx);
 *
 * Compatibility: the table only ever grows at its end, and each entry is
 * labelled with the ABI revision that added it. A host built against an
 * older header reads only the fields it knows; a host built against a newer
 * one probes every entry added after ABI 1.0 with NODEGATE_HAS before calling it.
 *
 * Memory: every pointer the plugin returns is freed by the plugin's own free
 * function (index_free, reply_free, call_end), never by the host's free().
 * Allocation failure inside the plugin aborts the process (as Redis does):
 * no call returns half-done work because of it.
 *
 * Threads: the plugin has no mutable global state. One ng_index may be used by
 * any number of threads at once: calls run concurrently with each other, node
 * updates (nodes_apply, nodes_delete, and NG_NODES calls) are serialized among
 * themselves, and a call sees every node either wholly before or wholly after
 * an update, never half-applied. One ng_call is used by one thread at a time.
 */
#ifndef NODEGATE_H
#define NODEGATE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define NODEGATE_ABI_VERSION 1u
#define NODEGATE_VERSION "0.1.0"
#define NODEGATE_ENTRY_SYMBOL "nodegate_plugin_v1"

#if defined(NODEGATE_BUILDING_PLUGIN)
#define NODEGATE_EXPORT __attribute__((visibility("default")))
#else
#define NODEGATE_EXPORT
#endif

/* A node cache with its bitset index. Opaque. */
typedef struct ng_index ng_index;
/* One verb call whose request body is streamed in. Opaque. */
typedef struct ng_call ng_call;

typedef enum {
    NG_FILTER = 0,   /* ExtenderArgs -> ExtenderFilterResult */
    NG_PRIORITIZE,   /* ExtenderArgs -> HostPriorityList */
    NG_PREEMPT,      /* ExtenderPreemptionArgs -> ExtenderPreemptionResult */
    NG_DAEMONSET,    /* {DaemonSet, Nodes|NodeNames} -> DaemonSet placement plan */
    NG_NODES,        /* Node, NodeList or watch event -> update of the index */
    NG_EXPLAIN       /* ABI 1.2: {Pod|DaemonSet, Nodes|NodeNames|neither} -> why each node fits or not */
    /* New verbs are appended, labelled with the ABI revision that adds them; a value the
     * plugin does not know makes the call a 404, so a host probes a verb by calling it. */
} ng_verb;

/* What a call produced: an HTTP status and a JSON body (NUL-terminated, len
 * excludes the NUL). Every error reply is {"Error": "..."} with status 400
 * (malformed or ill-typed input, or a NodeNames entry that is no node name),
 * 404 (an unknown verb, or nodes_delete of a node the index lacks), 413 (a
 * call naming more than 131,072 nodes), 422 (well-formed but invalid: a node without a name,
 * a taint without a key or with an unknown effect, a preferred affinity term
 * that does not parse), or 500. Owned by the plugin: release with reply_free. */
typedef struct {
    char *data;
    size_t len;
    int status;
} ng_reply;

/* Locks: an index has one read-write lock, taken inside the plugin; the host
 * never sees it. "Read lock" entries run concurrently with each other; "write
 * lock" entries wait for every reader and exclude them while they change the
 * index; "no lock" entries touch no shared state. */
struct nodegate_plugin {
    /* --- ABI 1.0 --- */
    uint32_t abi_version;    /* NODEGATE_ABI_VERSION the plugin was built with */
    uint32_t struct_size;    /* sizeof(struct nodegate_plugin) in the plugin */
    const char *name;        /* "nodegate" */
    const char *version;     /* NODEGATE_VERSION */

    /* Creates an empty index. options_json may be NULL or a JSON object:
     *   {"featureGates": {"TaintTolerationComparisonOperators": false},
     *    "weights": {"TaintToleration": 3, "NodeAffinity": 2},
     *    "completeCache": false, "compactReplies": false}
     * completeCache says the cache holds every node of the cluster (it
     * follows the API server): full-mode /preempt then drops the nodes it
     * lacks, as names-mode /preempt always does. compactReplies makes the
     * filter reply's two reason maps {} whenever a node passes, which
     * kube-scheduler reads the same (README, Compact replies).
     * Unknown keys are errors. Returns NULL and writes one sentence into err
     * (NUL-terminated, err may be NULL) when the options are invalid.
     * Free with index_free. No lock. */
    ng_index *(*index_new)(const char *options_json, char *err, size_t errlen);
    /* Frees the index. No call on it may be in flight. NULL is a no-op. No lock. */
    void (*index_free)(ng_index *idx);

    /* Applies a Node (upsert), a NodeList (upsert of every item) or a watch
     * event {"type": "ADDED|MODIFIED|DELETED|BOOKMARK|ERROR", "object": Node or Status}, all or
     * nothing: a rejected update leaves the index exactly as it was. Fills
     * *reply (200 {"applied": N, "nodes": total} or an error) and returns
     * its status. The reply also carries, when the body has them, what a
     * watch client needs: "type" (a watch event's), "resourceVersion" (the
     * Node's, the list's or the event object's), "continue" (a list page's
     * token), "initialEventsEnd": true (a BOOKMARK annotated
     * k8s.io/initial-events-end) and an ERROR event's Status as "code",
     * "reason" and "message"; BOOKMARK and ERROR events change nothing. Same
     * as an NG_NODES call fed the whole body at once.
     * Takes the write lock once the update is decoded and checked. */
    int (*nodes_apply)(ng_index *idx, const char *json, size_t len, ng_reply *reply);
    /* Deletes one node by name: 200, or 404 when the index does not hold it.
     * Takes the write lock. */
    int (*nodes_delete)(ng_index *idx, const char *name, ng_reply *reply);
    /* Lists the cached node names as a JSON array, in id order. Returns 200.
     * Takes the read lock. */
    int (*nodes_list)(ng_index *idx, ng_reply *reply);

    /* Starts a call. Never NULL (aborts on OOM). The call borrows idx, which
     * must outlive it. Finish every call with call_end, even after an error.
     * No lock. */
    ng_call *(*call_begin)(ng_index *idx, ng_verb verb);
    /* Feeds the next chunk of the request body; chunks may split the JSON
     * anywhere. Returns 0, or the HTTP status of the first error found (the
     * call then ignores further chunks; call_end reports the error). The
     * chunk is borrowed only for the duration of the call. No lock: decoding
     * touches only the call. */
    int (*call_feed)(ng_call *call, const char *chunk, size_t len);
    /* Ends the body, evaluates the verb, fills *reply and frees the call.
     * Returns the reply's HTTP status. Takes the read lock while it evaluates
     * over the cache (names mode, preempt), the write lock for NG_NODES, and
     * none for a full-mode call, which indexes its own nodes privately. */
    int (*call_end)(ng_call *call, ng_reply *reply);
    /* Releases a reply's body and zeroes it. Safe on a zeroed reply. No lock. */
    void (*reply_free)(ng_reply *reply);

    /* Describes the index as JSON: {"nodes", "capacity", "label_keys",
     * "label_values", "taint_lists", "index_bytes", "string_bytes"}, where
     * string_bytes are the names, labels and taint texts it stores and
     * index_bytes everything else. Returns 200. Takes the read lock. */
    int (*index_stats)(ng_index *idx, ng_reply *reply);

    /* --- ABI 1.1 --- */
    /* Replaces idx's whole cache with staged's, at once: a call sees the old
     * cache or the new one, and nodes absent from staged are gone (a relist;
     * a NodeList update only upserts). staged is an index the host filled
     * (a relist's pages streamed into it with NG_NODES calls) and that
     * nothing else uses; it is left holding idx's old cache, for the host
     * to index_free outside any hot path. Fills *reply (200 {"applied":
     * N, "nodes": N}) and returns its status. Takes idx's write lock for
     * the swap only. */
    int (*nodes_replace)(ng_index *idx, ng_index *staged, ng_reply *reply);
    /* Writes what the cache holds of one node as a v1 Node (name, labels,
     * taints, unschedulable): 200, or 404 when it lacks the node. With name
     * NULL, every node as a NodeList, in id order. Takes the read lock. */
    int (*nodes_get)(ng_index *idx, const char *name, ng_reply *reply);

    /* --- ABI 1.2 --- (and the verb NG_EXPLAIN) */
    /* The API server's rules for a label key (a qualified name, which taint
     * keys follow too) and for a label value (which taint values follow too):
     * NULL when valid, else a static sentence in upstream's words saying what
     * is wrong (kubectl prints the same). A host that takes keys from people
     * (the CLI) asks here rather than knowing the rules. No lock. */
    const char *(*label_key_problem)(const char *key);
    const char *(*label_value_problem)(const char *value);

    /* New entries go here, at the end only, under a heading that names the
     * ABI revision that adds them (--- ABI 1.3 --- and so on), each with
     * the lock it takes. */
};

/* True when the plugin's table holds entry f and it is set. A plugin built
 * against an older header has a shorter table (struct_size), and an entry it
 * leaves out is NULL: probe every entry added after ABI 1.0 before calling it.
 * Reads nothing past struct_size. */
#define NODEGATE_HAS(p, f) \
    ((p)->struct_size >= offsetof(struct nodegate_plugin, f) + sizeof((p)->f) && (p)->f != NULL)

/* The one exported symbol: returns the plugin's static function table. */
NODEGATE_EXPORT const struct nodegate_plugin *nodegate_plugin_v1(void);

#ifdef __cplusplus
}
#endif
#endif
