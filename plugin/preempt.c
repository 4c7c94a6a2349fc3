/* preempt.c - the preempt verb: drop candidate nodes that no preemption can make fit. */
#include <string.h>

#include "verbs.h"

/* Our predicates never depend on other pods, so evicting victims cannot help
 * a node they reject; a node the cache does not know is passed through. */
int ngp_preempt(const ngp_options *opt, const ngp_request *req, const ngp_store *x, ng_reply *reply)
{
    const ngp_victims *v = req->has_meta ? req->meta : req->victims;
    uint32_t n = req->has_meta ? req->nmeta : req->nvictims;
    ngp_eval e;
    ngp_eval_init(&e, x, &req->pod, opt->comparison_ops);
    bool tolerates = ngp_eval_tolerates_unschedulable(&e);
    int64_t wanted = ngp_wanted_node(x, req->pod.node_name);
    ngp_buf b = {0};
    ngp_buf_puts(&b, "{\"NodeNameToMetaVictims\":{");
    bool first = true;
    for (uint32_t i = 0; i < n; i++) {
        int64_t id = ngp_store_find(x, v[i].node, strlen(v[i].node));
        if (id >= 0 && ngp_filter_outcome(&e, tolerates, wanted, (uint32_t)id) != NGP_PASS)
            continue;
        if (!first)
            ngp_buf_putc(&b, ',');
        first = false;
        ngp_buf_json_str(&b, v[i].node);
        ngp_buf_puts(&b, ":{\"Pods\":[");
        for (uint32_t j = 0; j < v[i].nuids; j++) {
            ngp_buf_puts(&b, j ? ",{\"UID\":" : "{\"UID\":");
            ngp_buf_json_str(&b, v[i].uids[j]);
            ngp_buf_putc(&b, '}');
        }
        ngp_buf_puts(&b, "],\"NumPDBViolations\":");
        ngp_buf_int(&b, v[i].pdb_violations);
        ngp_buf_putc(&b, '}');
    }
    ngp_buf_puts(&b, "}}");
    ngp_eval_free(&e);
    return ngp_reply_buf(reply, 200, &b);
}
