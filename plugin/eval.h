/* eval.h - a pod's placement constraints evaluated over a whole index as set operations.
 *
 * Cost is O(terms x nwords + distinct taint lists x tolerations), independent
 * of how many labels or taints each node carries. Per-node work is left to
 * the verbs, which only test bits while writing their replies. */
#ifndef NG_EVAL_H
#define NG_EVAL_H

#include <stdbool.h>
#include <stdint.h>

#include "index.h"
#include "model.h"

/* What one distinct taint list means for the pod. */
typedef struct ng_taint_verdict {
    int32_t first_untolerated;     /* index of the first untolerated NoSchedule/NoExecute taint, or -1 */
    bool noexecute_untolerated;    /* some NoExecute taint is untolerated */
    uint32_t prefer_untolerated;   /* PreferNoSchedule taints not tolerated for scoring */
} ng_taint_verdict;

typedef struct ng_eval {
    const ng_idx *x;
    const ng_pod *pod;
    bool comparison_ops;           /* TaintTolerationComparisonOperators gate */
    size_t nwords;
    ng_taint_verdict *verdicts;    /* per taint list slot */
    uint64_t *blocked;             /* nodes with an untolerated NoSchedule/NoExecute taint */
    uint64_t *noexecute_blocked;   /* nodes with an untolerated NoExecute taint */
    uint64_t *affinity;            /* nodes passing nodeSelector and required affinity */
    uint64_t *scratch, *term;      /* working sets */
    char **taint_reasons;          /* per slot: the quoted JSON reason, built on first use */
} ng_eval;

/* Evaluates taints and required placement of pod over x (SPEC 2, 3.1, 5.1).
 * Both stay borrowed until ng_eval_free. */
void ng_eval_init(ng_eval *e, const ng_idx *x, const ng_pod *pod, bool comparison_ops);
void ng_eval_free(ng_eval *e);

/* True when the pod tolerates the taint a cordoned node implies (SPEC 4). */
bool ng_eval_tolerates_unschedulable(const ng_eval *e);
/* The verdict for node id's taint list, or NULL when it has no taints. */
const ng_taint_verdict *ng_eval_verdict(const ng_eval *e, uint32_t id);
/* The reason, as a quoted JSON string, why node id fails its taints
 * ("node(s) had untolerated taint {KEY: VALUE}"). Only for blocked nodes;
 * valid until ng_eval_free. */
const char *ng_eval_taint_reason(ng_eval *e, uint32_t id);
/* The nodes matching one valid node selector term (labels and fields), into out. */
void ng_eval_term(ng_eval *e, const ng_term *t, uint64_t *out);
/* True when a term has neither matchExpressions nor matchFields (it matches nothing). */
bool ng_term_is_empty(const ng_term *t);
/* True when every requirement of the term parses (SPEC 5.2); else writes the first
 * problem into err, prefixed with path. */
bool ng_term_valid(const ng_term *t, const char *path, char *err, size_t errlen);

#endif
