/* preempt.c - the preempt verb: drop candidate nodes that no preemption can make fit. */
#include <string.h>

#include "verbs.h"

/* Our predicates never depend on other pods, so evicting victims cannot help
 * a node they reject; a node the cache does not know is passed through. */
int ng_preempt(const ng_options *opt, const ng_request *req, const ng_idx *x, ng_reply *reply)
{
    const ng_victims *v = req->has_meta ? req->meta : req->victims;
    uint32_t n = req->has_meta ? req->nmeta : req->nvictims;
    ng_eval e;
    ng_eval_init(&e, x, &req->pod, opt->comparison_ops);
    bool tolerates = ng_eval_tolerates_unschedulable(&e);
    int64_t wanted = ng_wanted_node(x, req->pod.node_name);
    ng_buf b = {0};
    ng_buf_puts(&b, "{\"NodeNameToMetaVictims\":{");
    bool first = true;
    for (uint32_t i = 0; i < n; i++) {
        int64_t id = ng_idx_find(x, v[i].node, strlen(v[i].node));
        if (id >= 0 && ng_filter_outcome(&e, tolerates, wanted, (uint32_t)id) != NG_PASS)
            continue;
        if (!first)
            ng_buf_putc(&b, ',');
        first = false;
        ng_buf_json_str(&b, v[i].node);
        ng_buf_puts(&b, ":{\"Pods\":[");
        for (uint32_t j = 0; j < v[i].nuids; j++) {
            ng_buf_puts(&b, j ? ",{\"UID\":" : "{\"UID\":");
            ng_buf_json_str(&b, v[i].uids[j]);
            ng_buf_putc(&b, '}');
        }
        ng_buf_puts(&b, "],\"NumPDBViolations\":");
        ng_buf_int(&b, v[i].pdb_violations);
        ng_buf_putc(&b, '}');
    }
    ng_buf_puts(&b, "}}");
    ng_eval_free(&e);
    return ng_reply_buf(reply, 200, &b);
}
