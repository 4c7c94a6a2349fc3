/* schema.h - the request body of every verb: which values the decoder reads, and where each part goes.
 *
 * The schemas (schema.c) are static tables for the walker (jsonwalk.h); each
 * value they name carries an id below, which the decoder (decode.c) routes to
 * the part of the request it fills. A shape is a verb's whole request: its
 * root schema, the size of its request struct (request.h) and where the
 * struct's parts are. */
#ifndef NGP_SCHEMA_H
#define NGP_SCHEMA_H

#include <stddef.h>

#include "jsonwalk.h"
#include "request.h"

/* What each reported value is, grouped by the decoder's handler that fills it. */
enum {
    NGP_S_NONE,
    /* the pod: metadata, nodeName, hostNetwork, nodeSelector */
    NGP_S_POD, NGP_S_POD_NAME, NGP_S_POD_NAMESPACE, NGP_S_POD_UID, NGP_S_NODE_NAME_REQ, NGP_S_HOST_NETWORK,
    NGP_S_SELECTOR, NGP_S_SELECTOR_VALUE,
    /* its tolerations */
    NGP_S_TOLS, NGP_S_TOL, NGP_S_TOL_KEY, NGP_S_TOL_OP, NGP_S_TOL_VALUE, NGP_S_TOL_EFFECT, NGP_S_TOL_SECONDS,
    /* its node affinity: required and preferred terms */
    NGP_S_REQUIRED, NGP_S_REQ_TERMS, NGP_S_REQ_TERM, NGP_S_PREFS, NGP_S_PREF, NGP_S_PREF_WEIGHT, NGP_S_PREF_TERM,
    /* a term's requirements */
    NGP_S_EXPRS, NGP_S_FIELDS, NGP_S_REQMT, NGP_S_REQMT_KEY, NGP_S_REQMT_OP, NGP_S_REQMT_VALUES,
    NGP_S_REQMT_VALUE,
    /* nodes */
    NGP_S_NODELIST, NGP_S_ITEMS, NGP_S_NODE, NGP_S_OBJECT, NGP_S_NODE_NAME, NGP_S_LABELS, NGP_S_LABEL_VALUE,
    NGP_S_UNSCHEDULABLE, NGP_S_TAINTS, NGP_S_TAINT, NGP_S_TAINT_KEY, NGP_S_TAINT_VALUE, NGP_S_TAINT_EFFECT,
    /* preemption victims */
    NGP_S_VICTIM_MAP, NGP_S_META_MAP, NGP_S_VICTIMS, NGP_S_VPODS, NGP_S_VPOD, NGP_S_VPOD_UID, NGP_S_VPDB,
    /* the body's root, NodeNames, the DaemonSet, an update's envelope */
    NGP_S_ROOT, NGP_S_NAMES, NGP_S_NAME, NGP_S_DS, NGP_S_DS_KIND, NGP_S_DS_NAME, NGP_S_DS_NAMESPACE, NGP_S_KIND, NGP_S_TYPE,
    NGP_S_RV, NGP_S_CONTINUE, NGP_S_ANNOTATIONS, NGP_S_ANNOTATION, NGP_S_STATUS_CODE, NGP_S_STATUS_REASON,
    NGP_S_STATUS_MESSAGE,
    NGP_S_COUNT
};

typedef struct ngp_shape {
    const ngp_jw_schema *root;
    size_t size;                                  /* bytes of the request struct */
    void (*bind)(void *req, ngp_parts *parts);    /* points parts into a zeroed request */
} ngp_shape;

extern const ngp_shape ngp_shape_args;      /* ngp_args_req: ExtenderArgs */
extern const ngp_shape ngp_shape_preempt;   /* ngp_preempt_req: ExtenderPreemptionArgs */
extern const ngp_shape ngp_shape_ds;        /* ngp_ds_req: {DaemonSet, Nodes, NodeNames} */
extern const ngp_shape ngp_shape_update;    /* ngp_update_req: a Node, NodeList or watch event */
extern const ngp_shape ngp_shape_explain;   /* ngp_ds_req: {Pod or DaemonSet, Nodes, NodeNames} */

#endif
