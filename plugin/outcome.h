/* outcome.h - what happens to each candidate node, in the order kube-scheduler and the DaemonSet controller check.
 *
 * A rejected node is a result, not an error (nginx's NGX_DECLINED): the
 * verbs compute one outcome per node and the reply writers (reply.h) turn
 * the failed ones into reasons. Inline: a reply tests thousands of nodes. */
#ifndef NGP_OUTCOME_H
#define NGP_OUTCOME_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "bitset.h"
#include "eval.h"
#include "store.h"

/* Outcomes; the first failing check wins. */
typedef enum {
    NGP_PASS = 0,
    NGP_FAIL_UNSCHEDULABLE,
    NGP_FAIL_NODE_NAME,
    NGP_FAIL_TAINT,
    NGP_FAIL_AFFINITY,
    NGP_FAIL_NOT_CACHED            /* names mode: the name is not in the node cache */
} ngp_outcome;

/* Sets of outcomes, for choosing which failures a reply lists. */
#define NGP_OUTCOME_BIT(o) (1u << (o))
/* Failures preemption cannot help: kube-scheduler's UnschedulableAndUnresolvable. */
#define NGP_UNRESOLVABLE                                                                            \
    (NGP_OUTCOME_BIT(NGP_FAIL_UNSCHEDULABLE) | NGP_OUTCOME_BIT(NGP_FAIL_NODE_NAME) |                \
     NGP_OUTCOME_BIT(NGP_FAIL_TAINT) | NGP_OUTCOME_BIT(NGP_FAIL_AFFINITY))
#define NGP_ANY_FAILURE (NGP_UNRESOLVABLE | NGP_OUTCOME_BIT(NGP_FAIL_NOT_CACHED))

/* The node a pod asks for (spec.nodeName), resolved in store: NGP_ANY_NODE
 * when it is empty, -1 when it names a node the store lacks. */
#define NGP_ANY_NODE (-2)
static inline int64_t ngp_wanted_node(const ngp_store *store, const char *node_name)
{
    return node_name[0] ? ngp_store_find(store, node_name, strlen(node_name)) : NGP_ANY_NODE;
}

/* kube-scheduler's filter order for node id (filter and preempt), as getDefaultPlugins has it
 * in v1.37: node name, unschedulable, taints, then node affinity. */
static inline ngp_outcome ngp_filter_outcome(const ngp_eval *e, bool tolerates_unschedulable, int64_t wanted,
                                             uint32_t id)
{
    if (wanted != NGP_ANY_NODE && wanted != (int64_t)id)
        return NGP_FAIL_NODE_NAME;
    if (!tolerates_unschedulable && ngp_bit_test(e->store->unschedulable, id))
        return NGP_FAIL_UNSCHEDULABLE;
    if (ngp_bit_test(e->blocked, id))
        return NGP_FAIL_TAINT;
    if (!ngp_bit_test(e->affinity, id))
        return NGP_FAIL_AFFINITY;
    return NGP_PASS;
}

/* NodeShouldRunDaemonPod's order for node id: node name, required
 * placement, then taints; cordoning does not stop a daemon pod. */
static inline ngp_outcome ngp_daemon_outcome(const ngp_eval *e, int64_t wanted, uint32_t id)
{
    if (wanted != NGP_ANY_NODE && wanted != (int64_t)id)
        return NGP_FAIL_NODE_NAME;
    if (!ngp_bit_test(e->affinity, id))
        return NGP_FAIL_AFFINITY;
    if (ngp_bit_test(e->blocked, id))
        return NGP_FAIL_TAINT;
    return NGP_PASS;
}

/* shouldContinueRunning for a daemon pod of outcome o on node id: a running
 * pod survives untolerated NoSchedule taints, not NoExecute ones (SPEC 7.1). */
static inline bool ngp_daemon_keeps(const ngp_eval *e, ngp_outcome o, uint32_t id)
{
    return o == NGP_PASS || (o == NGP_FAIL_TAINT && !ngp_bit_test(e->noexecute_blocked, id));
}

#endif
