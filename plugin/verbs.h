/* verbs.h - what the ABI glue (plugin.c) shares with the verb implementations. */
#ifndef NGP_VERBS_H
#define NGP_VERBS_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "buf.h"
#include "decode.h"
#include "eval.h"
#include "store.h"
#include "nodegate.h"

/* Index options: feature gates and prioritize weights (options.c). */
typedef struct ngp_options {
    bool comparison_ops;          /* TaintTolerationComparisonOperators */
    int64_t weight_taint;         /* TaintToleration score weight (3) */
    int64_t weight_affinity;      /* NodeAffinity score weight (2) */
} ngp_options;

/* Parses options JSON (NULL = defaults). Returns false with a sentence in err. */
bool ngp_options_parse(const char *json, ngp_options *out, char *err, size_t errlen);

/* The shared node cache: readers (calls) hold lock for reading for their
 * whole evaluation and reply writing; node updates hold it for writing. */
struct ng_index {
    ngp_store idx;
    pthread_rwlock_t lock;
    ngp_options opt;
};

/* The nodes one call is about, in request order, resolved in an index: the
 * shared cache (names mode) or a private index of the request's own nodes
 * (full mode, where ids are request positions and raw holds their bytes). */
typedef struct ngp_targets {
    const ngp_store *x;
    uint32_t n;
    const char **names;
    int64_t *ids;                 /* -1: not in the index */
    const ngp_node_in *items;      /* full mode only, else NULL */
    const char *raw;              /* full mode: captured bytes items index into */
} ngp_targets;

/* Filter outcomes in kube-scheduler's filter order; the first failing check wins. */
typedef enum {
    NGP_PASS = 0,
    NGP_FAIL_UNSCHEDULABLE,
    NGP_FAIL_NODE_NAME,
    NGP_FAIL_TAINT,
    NGP_FAIL_AFFINITY,
    NGP_FAIL_UNKNOWN               /* the name is not in the cache */
} ngp_outcome;

/* Node name a pod asks for, resolved: NGP_ANY_NODE when spec.nodeName is
 * empty, -1 when it names a node the index lacks. */
#define NGP_ANY_NODE (-2)
int64_t ngp_wanted_node(const ngp_store *x, const char *node_name);
/* The scheduler's outcome for node id (filter and preempt). */
ngp_outcome ngp_filter_outcome(const ngp_eval *e, bool tolerates_unschedulable, int64_t wanted, uint32_t id);
/* Writes the reason for a failed outcome as a JSON string. */
void ngp_write_reason(ngp_buf *b, ngp_eval *e, ngp_outcome o, uint32_t id);

/* Makes room in b for a reply of about per_node bytes per target (plus the
 * echoed node objects in full mode), so writing it never copies it to grow. */
void ngp_reserve_reply(ngp_buf *b, const ngp_targets *t, size_t per_node);
/* Writes target i's name as a JSON string (known nodes: the index's quoted copy). */
void ngp_write_name(ngp_buf *b, const ngp_targets *t, uint32_t i);
/* Writes, comma-separated, the targets whose v[i] is want: each one's node
 * object as the request sent it when objects is set (full mode), else its name. */
void ngp_write_names(ngp_buf *b, const ngp_targets *t, const uint8_t *v, uint8_t want, bool objects);
/* Writes {"name": reason, ...} for the targets whose outcome is in [lo, hi]. */
void ngp_write_reasons(ngp_buf *b, ngp_eval *e, const ngp_targets *t, const uint8_t *out, ngp_outcome lo,
                      ngp_outcome hi);

/* The verbs. Each fills *reply and returns its status. */
int ngp_filter(const ngp_options *opt, const ngp_pod *pod, const ngp_targets *t, ng_reply *reply);
int ngp_prioritize(const ngp_options *opt, const ngp_pod *pod, const ngp_targets *t, ng_reply *reply);
int ngp_preempt(const ngp_options *opt, const ngp_request *req, const ngp_store *x, ng_reply *reply);
int ngp_daemonset(const ngp_options *opt, const ngp_request *req, ngp_arena *arena, const ngp_targets *t,
                 ng_reply *reply);
int ngp_nodes_update(struct ng_index *index, const ngp_request *req, ng_reply *reply);

/* Reply helpers (plugin.c). */
int ngp_reply_error(ng_reply *r, int status, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int ngp_reply_buf(ng_reply *r, int status, ngp_buf *b);

#endif
