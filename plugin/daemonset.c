/* daemonset.c - the DaemonSet controller's placement plan: shouldRun and shouldContinueRunning per node. */
#include <stdlib.h>
#include <string.h>

#include "bitset.h"
#include "verbs.h"
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

/* NodeShouldRunDaemonPod's order: node name, then required placement, then taints. */
static ngp_outcome daemon_outcome(const ngp_eval *e, int64_t wanted, uint32_t id)
{
    if (wanted != NGP_ANY_NODE && wanted != (int64_t)id)
        return NGP_FAIL_NODE_NAME;
    if (!ngp_bit_test(e->affinity, id))
        return NGP_FAIL_AFFINITY;
    if (ngp_bit_test(e->blocked, id))
        return NGP_FAIL_TAINT;
    return NGP_PASS;
}

int ngp_daemonset(const ngp_options *opt, const ngp_request *req, ngp_arena *arena, const ngp_targets *t,
                 ng_reply *reply)
{
    ngp_pod pod = daemon_pod(&req->pod, arena);
    ngp_eval e;
    ngp_eval_init(&e, t->x, &pod, opt->comparison_ops);
    int64_t wanted = ngp_wanted_node(t->x, pod.node_name);
    uint8_t *out = ngp_xmalloc(3 * (size_t)(t->n ? t->n : 1));
    uint8_t *run = out + t->n, *keep = run + t->n;
    for (uint32_t i = 0; i < t->n; i++) {
        uint32_t id = (uint32_t)t->ids[i];
        out[i] = t->ids[i] < 0 ? NGP_FAIL_UNKNOWN : daemon_outcome(&e, wanted, id);
        run[i] = out[i] == NGP_PASS;
        /* a running daemon pod survives untolerated NoSchedule taints, not NoExecute ones */
        keep[i] = run[i] || (out[i] == NGP_FAIL_TAINT && !ngp_bit_test(e.noexecute_blocked, id));
    }
    ngp_buf b = {0};
    ngp_reserve_reply(&b, t, 128);
    ngp_buf_puts(&b, "{\"shouldRun\":[");
    ngp_write_names(&b, t, run, true, false);
    ngp_buf_puts(&b, "],\"shouldContinueRunning\":[");
    ngp_write_names(&b, t, keep, true, false);
    ngp_buf_puts(&b, "],\"reasons\":");
    ngp_write_reasons(&b, &e, t, out, NGP_FAIL_UNSCHEDULABLE, NGP_FAIL_UNKNOWN);
    ngp_buf_putc(&b, '}');
    free(out);
    ngp_eval_free(&e);
    return ngp_reply_buf(reply, 200, &b);
}
