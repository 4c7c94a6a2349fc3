/* verbs.h - what the ABI glue (plugin.c) shares with the verb implementations. */
#ifndef NG_VERBS_H
#define NG_VERBS_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "buf.h"
#include "decode.h"
#include "eval.h"
#include "index.h"
#include "nodegate.h"

/* Index options: feature gates and prioritize weights (options.c). */
typedef struct ng_options {
    bool comparison_ops;          /* TaintTolerationComparisonOperators */
    int64_t weight_taint;         /* TaintToleration score weight (3) */
    int64_t weight_affinity;      /* NodeAffinity score weight (2) */
} ng_options;

/* Parses options JSON (NULL = defaults). Returns false with a sentence in err. */
bool ng_options_parse(const char *json, ng_options *out, char *err, size_t errlen);

/* The shared node cache: readers (calls) hold lock for reading for their
 * whole evaluation and reply writing; node updates hold it for writing. */
struct ng_index {
    ng_idx idx;
    pthread_rwlock_t lock;
    ng_options opt;
};

/* The nodes one call is about, in request order, resolved in an index: the
 * shared cache (names mode) or a private index of the request's own nodes
 * (full mode, where ids are request positions and raw holds their bytes). */
typedef struct ng_targets {
    const ng_idx *x;
    uint32_t n;
    const char **names;
    int64_t *ids;                 /* -1: not in the index */
    const ng_node_in *items;      /* full mode only, else NULL */
    const char *raw;              /* full mode: captured bytes items index into */
} ng_targets;

/* Filter outcomes in kube-scheduler's filter order; the first failing check wins. */
typedef enum {
    NG_PASS = 0,
    NG_FAIL_UNSCHEDULABLE,
    NG_FAIL_NODE_NAME,
    NG_FAIL_TAINT,
    NG_FAIL_AFFINITY,
    NG_FAIL_UNKNOWN               /* the name is not in the cache */
} ng_outcome;

/* Node name a pod asks for, resolved: NG_ANY_NODE when spec.nodeName is
 * empty, -1 when it names a node the index lacks. */
#define NG_ANY_NODE (-2)
int64_t ng_wanted_node(const ng_idx *x, const char *node_name);
/* The scheduler's outcome for node id (filter and preempt). */
ng_outcome ng_filter_outcome(const ng_eval *e, bool tolerates_unschedulable, int64_t wanted, uint32_t id);
/* Writes the reason for a failed outcome as a JSON string. */
void ng_write_reason(ng_buf *b, ng_eval *e, ng_outcome o, uint32_t id);

/* Makes room in b for a reply of about per_node bytes per target (plus the
 * echoed node objects in full mode), so writing it never copies it to grow. */
void ng_reserve_reply(ng_buf *b, const ng_targets *t, size_t per_node);
/* Writes target i's name as a JSON string (known nodes: the index's quoted copy). */
void ng_write_name(ng_buf *b, const ng_targets *t, uint32_t i);
/* Writes, comma-separated, the targets whose v[i] is want: each one's node
 * object as the request sent it when objects is set (full mode), else its name. */
void ng_write_names(ng_buf *b, const ng_targets *t, const uint8_t *v, uint8_t want, bool objects);
/* Writes {"name": reason, ...} for the targets whose outcome is in [lo, hi]. */
void ng_write_reasons(ng_buf *b, ng_eval *e, const ng_targets *t, const uint8_t *out, ng_outcome lo,
                      ng_outcome hi);

/* The verbs. Each fills *reply and returns its status. */
int ng_filter(const ng_options *opt, const ng_pod *pod, const ng_targets *t, ng_reply *reply);
int ng_prioritize(const ng_options *opt, const ng_pod *pod, const ng_targets *t, ng_reply *reply);
int ng_preempt(const ng_options *opt, const ng_request *req, const ng_idx *x, ng_reply *reply);
int ng_daemonset(const ng_options *opt, const ng_request *req, ng_arena *arena, const ng_targets *t,
                 ng_reply *reply);
int ng_nodes_update(struct ng_index *index, const ng_request *req, ng_reply *reply);

/* Reply helpers (plugin.c). */
int ng_reply_error(ng_reply *r, int status, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int ng_reply_buf(ng_reply *r, int status, ng_buf *b);

#endif
