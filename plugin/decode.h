/* decode.h - request bodies streamed into the model: only what the predicates read.
 *
 * One decoder per call. It drives the schema walker (jsonwalk.h) with the
 * schema of the call's verb and fills an ngp_request allocated in the call's
 * arena. Types are checked as Go's encoding/json would (a string where a
 * list belongs is a 400); duplicate keys follow Go too: a repeated list
 * replaces, a repeated map merges, a repeated scalar overwrites. */
#ifndef NGP_DECODE_H
#define NGP_DECODE_H

#include <stdbool.h>
#include <stdint.h>

#include "arena.h"
#include "model.h"
#include "nodegate.h"

#define NGP_VERB_COUNT (NG_NODES + 1)   /* verbs this plugin answers */

/* Victims of one node in a preempt call (UIDs only: MetaVictims). */
typedef struct ngp_victims {
    const char *node;
    const char **uids;
    uint32_t nuids;
    int64_t pdb_violations;
} ngp_victims;

typedef struct ngp_request {
    bool has_pod;               /* Pod (or DaemonSet template spec) was an object */
    ngp_pod pod;
    bool has_nodes;             /* Nodes was an object: full mode */
    ngp_node_in *nodes;          /* Nodes.items, or the nodes of an update */
    uint32_t nnodes;
    bool has_names;             /* NodeNames was a list */
    const char **names;
    uint32_t nnames;
    bool has_victims, has_meta; /* NodeNameToVictims / NodeNameToMetaVictims were objects */
    ngp_victims *victims, *meta;
    uint32_t nvictims, nmeta;
    bool has_ds;                /* DaemonSet was an object */
    const char *ds_name, *ds_namespace;
    /* NG_NODES: the top-level object may itself be a Node (root), a NodeList
     * (has_items: nodes) or a watch event (has_type: type, object in nodes). */
    const char *kind, *type;
    bool has_items, has_object, has_type;
    ngp_node_in root;
} ngp_request;

typedef struct ngp_decoder ngp_decoder;

/* Starts decoding a body for verb into req (zeroed and owned by the caller),
 * allocating from arena. Free with ngp_decoder_free. */
ngp_decoder *ngp_decoder_new(ng_verb verb, ngp_arena *arena, ngp_request *req);
void ngp_decoder_free(ngp_decoder *d);
/* Feeds a chunk / ends the body. Return 0 or the HTTP status of the first error. */
int ngp_decoder_feed(ngp_decoder *d, const char *chunk, size_t len);
int ngp_decoder_finish(ngp_decoder *d);
const char *ngp_decoder_error(const ngp_decoder *d);
/* Bytes of captured node objects (full mode); node raw_off/raw_len index it. */
const char *ngp_decoder_captured(const ngp_decoder *d);

/* Checks a node as the API server would before storing it: a name, and
 * taints with a key and a known effect. Returns true, or false with a
 * sentence naming the field in err. */
bool ngp_node_valid(const ngp_node_in *n, char *err, size_t errlen);

#endif
