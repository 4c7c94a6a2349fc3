/* request.h - the request each verb reads, as the decoder fills it: only what the predicates need.
 *
 * A request is made of parts (a pod, nodes, names, victims), and a verb's
 * shape (schema.h) says which parts its body has and where they go. Every
 * string and array lives in the call's arena; an absent string is "" and
 * an absent array is empty, as Go's zero values. */
#ifndef NGP_REQUEST_H
#define NGP_REQUEST_H

#include <stdbool.h>
#include <stdint.h>

#include "model.h"

/* The most nodes one call may name (NodeNames, or Nodes.items of a verb):
 * twice the largest clusters run today (65,536 nodes), so a call's bitsets
 * stay within 2,048 words and its reply within about 130,000 entries. Node
 * updates are not capped: the cache is as large as the cluster. */
#define NGP_MAX_NODES 131072

/* Nodes: a NodeList's items, or the nodes of an update. */
typedef struct ngp_nodes {
    bool present;                 /* Nodes was an object: full mode */
    bool listed;                  /* an items list was there (a NodeList, not a Node) */
    ngp_node_in *v;
    uint32_t n;
} ngp_nodes;

/* NodeNames: the candidates of a names-mode (nodeCacheCapable) call. */
typedef struct ngp_names {
    bool present;                 /* NodeNames was a list */
    const char **v;
    size_t *lens;                 /* byte lengths of v, a NUL inside counted */
    uint32_t n;
} ngp_names;

/* Victims of one node in a preempt call (UIDs only: MetaVictims). */
typedef struct ngp_victims {
    const char *node;
    const char **uids;
    uint32_t nuids;
    int64_t pdb_violations;
} ngp_victims;

typedef struct ngp_victim_map {
    bool present;                 /* the map was an object */
    ngp_victims *v;
    uint32_t n;
} ngp_victim_map;

/* filter, prioritize: kube-scheduler's ExtenderArgs. */
typedef struct ngp_args_req {
    bool has_pod;                 /* Pod was an object */
    ngp_pod pod;
    ngp_nodes nodes;
    ngp_names names;
} ngp_args_req;

/* preempt: ExtenderPreemptionArgs, victims as full pods or as UIDs. */
typedef struct ngp_preempt_req {
    bool has_pod;
    ngp_pod pod;
    ngp_victim_map victims;       /* NodeNameToVictims */
    ngp_victim_map meta;          /* NodeNameToMetaVictims */
} ngp_preempt_req;

/* daemonset: {DaemonSet, Nodes, NodeNames}; pod is the template's spec. */
typedef struct ngp_ds_req {
    bool has_ds;                  /* DaemonSet was an object */
    const char *kind, *name, *namespace;   /* kind: "" when absent */
    bool has_pod;                 /* spec.template was an object */
    ngp_pod pod;
    ngp_nodes nodes;
    ngp_names names;
} ngp_ds_req;

/* nodes: a Node (root), a NodeList (nodes.listed) or a watch event
 * (has_type: type, and the object in nodes). resource_version is the Node's,
 * the list's or the event object's; cont a list page's continue token;
 * initial_events_end a bookmark's k8s.io/initial-events-end: "true"; code,
 * reason and message an ERROR event's Status. */
typedef struct ngp_update_req {
    const char *kind, *type, *resource_version, *cont, *reason, *message;
    int64_t code;
    bool initial_events_end;
    bool has_object, has_type;
    ngp_nodes nodes;
    ngp_node_in root;
} ngp_update_req;

/* Where the decoder puts each part of a body; NULL for a part the verb's
 * schema cannot contain. */
typedef struct ngp_parts {
    bool *has_pod;
    ngp_pod *pod;
    ngp_nodes *nodes;
    ngp_names *names;
    ngp_victim_map *victims, *meta;
    ngp_ds_req *ds;               /* the DaemonSet's own fields */
    ngp_update_req *update;       /* the update's envelope and root node */
} ngp_parts;

#endif
