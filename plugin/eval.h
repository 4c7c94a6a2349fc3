/* eval.h - a pod's placement constraints evaluated over a whole index as set operations.
 *
 * Cost is O(terms x nwords + taints of the distinct taint lists + tolerations), independent
 * of how many labels or taints each node carries. Per-node work is left to
 * the verbs, which only test bits while writing their replies. */
#ifndef NGP_EVAL_H
#define NGP_EVAL_H

#include <stdbool.h>
#include <stdint.h>

#include "store.h"
#include "model.h"

/* What one distinct taint list means for the pod. */
typedef struct ngp_taint_verdict {
    int32_t first_untolerated;     /* index of the first untolerated NoSchedule/NoExecute taint, or -1 */
    bool noexecute_untolerated;    /* some NoExecute taint is untolerated */
    uint32_t prefer_untolerated;   /* PreferNoSchedule taints not tolerated for scoring */
} ngp_taint_verdict;

typedef struct ngp_eval {
    const ngp_store *store;
    const ngp_pod *pod;
    bool comparison_ops;           /* TaintTolerationComparisonOperators gate */
    size_t nwords;
    ngp_taint_verdict *verdicts;    /* per taint list slot */
    uint64_t *blocked;             /* nodes with an untolerated NoSchedule/NoExecute taint */
    uint64_t *noexecute_blocked;   /* nodes with an untolerated NoExecute taint */
    uint64_t *affinity;            /* nodes passing nodeSelector and required affinity */
    uint64_t *scratch, *term;      /* working sets */
    struct ngp_tolindex *tols_index; /* the pod's tolerations, when it has many (tolindex.h) */
    uint32_t numeric_reqs;         /* Gt/Lt requirements in the pod's terms */
    ngp_strmap numeric;            /* label key -> its Gt/Lt use count and index (eval.c) */
} ngp_eval;

/* Evaluates taints and required placement of pod over store (SPEC 2, 3.1, 5.1).
 * Both stay borrowed until ngp_eval_free. */
void ngp_eval_init(ngp_eval *e, const ngp_store *store, const ngp_pod *pod, bool comparison_ops);
void ngp_eval_free(ngp_eval *e);

/* True when the pod tolerates the taint a cordoned node implies (SPEC 4). */
bool ngp_eval_tolerates_unschedulable(const ngp_eval *e);
/* The verdict for node id's taint list, or NULL when it has no taints. */
const ngp_taint_verdict *ngp_eval_verdict(const ngp_eval *e, uint32_t id);
/* The first untolerated NoSchedule or NoExecute taint of node id, which
 * must be blocked. Borrowed from the store. */
const ngp_taint *ngp_eval_untolerated(const ngp_eval *e, uint32_t id);
/* The nodes matching one valid node selector term (labels and fields), into out;
 * the term's validity is not looked at. */
void ngp_eval_term(ngp_eval *e, const ngp_term *t, uint64_t *out);

#endif
