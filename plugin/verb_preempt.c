/* verb_preempt.c - the preempt verb: drop candidate nodes that no preemption can make fit. */
#include <string.h>

#include "outcome.h"
#include "request.h"
#include "verb.h"

/* Our predicates never depend on other pods, so evicting victims cannot help
 * a node they reject. A node the cache does not know never reached our filter
 * when the cache is the truth (a names-mode request, or a cache that follows
 * the API server), so it is dropped rather than have its victims evicted for
 * a pod its taints may exclude; otherwise (full mode, nodes we were never
 * told of) it is passed through. */
bool ngp_verb_preempt(const ngp_verb_ctx *c, ngp_buf *b, ngp_err *err)
{
    const ngp_preempt_req *req = c->req;
    const ngp_store *x = c->cache;
    const ngp_victim_map *m = req->meta.present ? &req->meta : &req->victims;
    ngp_eval e;
    ngp_eval_init(&e, x, &req->pod, c->opt->comparison_ops);
    bool tolerates = ngp_eval_tolerates_unschedulable(&e);
    int64_t wanted = ngp_wanted_node(x, req->pod.node_name);
    bool drop_unknown = req->meta.present || c->opt->complete_cache;
    ngp_buf_puts(b, "{\"NodeNameToMetaVictims\":{");
    bool first = true;
    for (uint32_t i = 0; i < m->n; i++) {
        const ngp_victims *v = &m->v[i];
        int64_t id = ngp_store_find(x, v->node, strlen(v->node));
        if (id < 0 ? drop_unknown : ngp_filter_outcome(&e, tolerates, wanted, (uint32_t)id) != NGP_PASS)
            continue;
        if (!first)
            ngp_buf_putc(b, ',');
        first = false;
        ngp_buf_json_str(b, v->node);
        ngp_buf_puts(b, ":{\"Pods\":[");
        for (uint32_t j = 0; j < v->nuids; j++) {
            ngp_buf_puts(b, j ? ",{\"UID\":" : "{\"UID\":");
            ngp_buf_json_str(b, v->uids[j]);
            ngp_buf_putc(b, '}');
        }
        ngp_buf_puts(b, "],\"NumPDBViolations\":");
        ngp_buf_int(b, v->pdb_violations);
        ngp_buf_putc(b, '}');
    }
    ngp_buf_puts(b, "}}");
    ngp_eval_free(&e);
    return true;
}
