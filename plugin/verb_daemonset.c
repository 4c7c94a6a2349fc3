/* verb_daemonset.c - the DaemonSet controller's placement plan: shouldRun and shouldContinueRunning per node. */
#include <stdlib.h>
#include <string.h>

#include "bitset.h"
#include "outcome.h"
#include "reply.h"
#include "request.h"
#include "verb.h"
#include "xalloc.h"

/* util/daemonset_util.go: AddOrUpdateDaemonPodTolerations, in its order. */
static const struct { const char *key; ngp_effect effect; bool host_network_only; } defaults[] = {
    {"node.kubernetes.io/not-ready", NGP_EFFECT_NO_EXECUTE, false},
    {"node.kubernetes.io/unreachable", NGP_EFFECT_NO_EXECUTE, false},
    {"node.kubernetes.io/disk-pressure", NGP_EFFECT_NO_SCHEDULE, false},
    {"node.kubernetes.io/memory-pressure", NGP_EFFECT_NO_SCHEDULE, false},
    {"node.kubernetes.io/pid-pressure", NGP_EFFECT_NO_SCHEDULE, false},
    {"node.kubernetes.io/unschedulable", NGP_EFFECT_NO_SCHEDULE, false},
    {"node.kubernetes.io/network-unavailable", NGP_EFFECT_NO_SCHEDULE, true},
};

/* AddOrUpdateTolerationInPodSpec: a toleration equal in key, effect, operator
 * and value is replaced in place (dropping tolerationSeconds); else appended. */
static void add_or_update(ngp_pod *pod, const ngp_toleration *def)
{
    for (uint32_t i = 0; i < pod->ntols; i++) {
        const ngp_toleration *t = &pod->tols[i];
        if (strcmp(t->key, def->key) == 0 && strcmp(t->effect_text, def->effect_text) == 0 &&
            strcmp(t->op_text, def->op_text) == 0 && strcmp(t->value, def->value) == 0) {
            pod->tols[i] = *def;
            return;
        }
    }
    pod->tols[pod->ntols++] = *def;
}

/* The pod NewPod builds from the template: the template's spec with the default tolerations. */
static ngp_pod daemon_pod(const ngp_pod *template, ngp_arena *arena)
{
    ngp_pod pod = *template;
    size_t n = template->ntols + sizeof defaults / sizeof *defaults;
    pod.tols = ngp_arena_alloc(arena, n * sizeof *pod.tols);
    if (template->ntols)   /* tols is NULL when there are none */
        memcpy(pod.tols, template->tols, template->ntols * sizeof *pod.tols);
    for (size_t i = 0; i < sizeof defaults / sizeof *defaults; i++) {
        if (defaults[i].host_network_only && !template->host_network)
            continue;
        ngp_toleration def = {.key = defaults[i].key, .value = "", .op_text = "Exists",
                              .effect_text = ngp_effect_name(defaults[i].effect), .op = NGP_TOL_EXISTS,
                              .effect = defaults[i].effect};
        add_or_update(&pod, &def);
    }
    return pod;
}

bool ngp_verb_daemonset(const ngp_verb_ctx *c, ngp_buf *b, ngp_err *err)
{
    const ngp_ds_req *req = c->req;
    const ngp_targets *t = c->t;
    ngp_pod pod = daemon_pod(&req->pod, c->arena);
    ngp_eval e;
    ngp_eval_init(&e, t->store, &pod, c->opt->comparison_ops);
    int64_t wanted = ngp_wanted_node(t->store, pod.node_name);
    uint8_t *outcome = ngp_xmalloc(3 * (size_t)t->n);
    uint8_t *run = outcome + t->n, *keep = run + t->n;
    for (uint32_t i = 0; i < t->n; i++) {
        uint32_t id = (uint32_t)t->ids[i];
        outcome[i] = t->ids[i] < 0 ? NGP_FAIL_NOT_CACHED : ngp_daemon_outcome(&e, wanted, id);
        run[i] = outcome[i] == NGP_PASS;
        /* a running daemon pod survives untolerated NoSchedule taints, not NoExecute ones */
        keep[i] = run[i] || (outcome[i] == NGP_FAIL_TAINT && !ngp_bit_test(e.noexecute_blocked, id));
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
