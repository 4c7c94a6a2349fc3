/* verb_daemonset.c - the DaemonSet controller's placement plan: shouldRun and shouldContinueRunning per node. */
#include <stdlib.h>

#include "daemon.h"
#include "outcome.h"
#include "reply.h"
#include "request.h"
#include "verb.h"
#include "xalloc.h"

bool ngp_verb_daemonset(const ngp_verb_ctx *c, ngp_buf *b, ngp_err *err)
{
    const ngp_ds_req *req = c->req;
    const ngp_targets *t = c->t;
    ngp_pod pod = ngp_daemon_pod(&req->pod, c->arena);
    ngp_eval e;
    ngp_eval_init(&e, t->store, &pod, c->opt->comparison_ops);
    int64_t wanted = ngp_wanted_node(t->store, pod.node_name);
    uint8_t *outcome = ngp_xmalloc(3 * (size_t)t->n);
    uint8_t *run = outcome + t->n, *keep = run + t->n;
    for (uint32_t i = 0; i < t->n; i++) {
        uint32_t id = (uint32_t)t->ids[i];
        outcome[i] = t->ids[i] < 0 ? NGP_FAIL_NOT_CACHED : ngp_daemon_outcome(&e, wanted, id);
        run[i] = outcome[i] == NGP_PASS;
        keep[i] = ngp_daemon_keeps(&e, (ngp_outcome)outcome[i], id);
    }
    ngp_reasons why;
    ngp_reasons_init(&why, &e);
    ngp_reply_reserve(b, t, 128);
    ngp_buf_puts(b, "{\"shouldRun\":[");
    ngp_write_names(b, t, run, true, false);
    ngp_buf_puts(b, "],\"shouldContinueRunning\":[");
    ngp_write_names(b, t, keep, true, false);
    ngp_buf_puts(b, "],\"reasons\":");
    ngp_write_reasons(b, &why, t, outcome, NGP_ANY_FAILURE);
    ngp_buf_putc(b, '}');
    ngp_reasons_free(&why);
    free(outcome);
    ngp_eval_free(&e);
    return true;
}
