/* verb_filter.c - the filter verb: which candidates may run the pod, and why each other one may not. */
#include <stdlib.h>

#include "outcome.h"
#include "reply.h"
#include "request.h"
#include "verb.h"
#include "xalloc.h"

bool ngp_verb_filter(const ngp_verb_ctx *c, ngp_buf *b, ngp_err *err)
{
    const ngp_args_req *req = c->req;
    const ngp_targets *t = c->t;
    ngp_eval e;
    ngp_eval_init(&e, t->store, &req->pod, c->opt->comparison_ops);
    bool tolerates = ngp_eval_tolerates_unschedulable(&e);
    int64_t wanted = ngp_wanted_node(t->store, req->pod.node_name);
    uint8_t *outcome = ngp_xmalloc(t->n);
    bool any_pass = false;
    for (uint32_t i = 0; i < t->n; i++) {
        outcome[i] = t->ids[i] < 0 ? NGP_FAIL_NOT_CACHED
                                   : ngp_filter_outcome(&e, tolerates, wanted, (uint32_t)t->ids[i]);
        any_pass |= outcome[i] == NGP_PASS;
    }
    /* compactReplies: once a node passes, kube-scheduler never reads the reasons. In
     * schedule_one.go, findNodesThatPassExtenders puts them in the cycle's diagnosis
     * (statuses.Set), and schedulePod reads the diagnosis only when no node is feasible (the
     * FitError's message, then preemption); otherwise its length is only the V(2) log's
     * evaluatedNodes. A node in neither map counts as UnschedulableAndUnresolvable
     * (framework/interface.go: NewDefaultNodeToStatus), what nodegate's reasons say anyway. So
     * the maps go out empty and no reason is formatted; with no node passing, the full reply. */
    bool reasons = !(c->opt->compact_replies && any_pass);
    ngp_reasons why = {0};
    if (reasons)
        ngp_reasons_init(&why, &e);
    ngp_reply_reserve(b, t, reasons ? 128 : 64);   /* a name and a reason; or a name */
    if (t->items) {
        ngp_buf_puts(b, "{\"Nodes\":{\"metadata\":{},\"items\":[");
        ngp_write_names(b, t, outcome, NGP_PASS, true);
        ngp_buf_puts(b, "]},\"NodeNames\":null");
    } else {
        ngp_buf_puts(b, "{\"Nodes\":null,\"NodeNames\":[");
        ngp_write_names(b, t, outcome, NGP_PASS, false);
        ngp_buf_putc(b, ']');
    }
    if (reasons) {
        ngp_buf_puts(b, ",\"FailedNodes\":");
        ngp_write_reasons(b, &why, t, outcome, NGP_OUTCOME_BIT(NGP_FAIL_NOT_CACHED));
        ngp_buf_puts(b, ",\"FailedAndUnresolvableNodes\":");
        ngp_write_reasons(b, &why, t, outcome, NGP_UNRESOLVABLE);
        ngp_reasons_free(&why);
    } else {
        ngp_buf_puts(b, ",\"FailedNodes\":{},\"FailedAndUnresolvableNodes\":{}");
    }
    ngp_buf_puts(b, ",\"Error\":\"\"}");
    free(outcome);
    ngp_eval_free(&e);
    return true;
}
