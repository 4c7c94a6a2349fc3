/* daemonset.c - the DaemonSet controller's placement plan: shouldRun and shouldContinueRunning per node. */
#include <stdlib.h>
#include <string.h>

#include "bitset.h"
#include "verbs.h"
#include "xalloc.h"

/* util/daemonset_util.go: AddOrUpdateDaemonPodTolerations, in its order. */
static const struct { const char *key; ng_effect effect; bool host_network_only; } defaults[] = {
    {"node.kubernetes.io/not-ready", NG_EFFECT_NO_EXECUTE, false},
    {"node.kubernetes.io/unreachable", NG_EFFECT_NO_EXECUTE, false},
    {"node.kubernetes.io/disk-pressure", NG_EFFECT_NO_SCHEDULE, false},
    {"node.kubernetes.io/memory-pressure", NG_EFFECT_NO_SCHEDULE, false},
    {"node.kubernetes.io/pid-pressure", NG_EFFECT_NO_SCHEDULE, false},
    {"node.kubernetes.io/unschedulable", NG_EFFECT_NO_SCHEDULE, false},
    {"node.kubernetes.io/network-unavailable", NG_EFFECT_NO_SCHEDULE, true},
};

/* AddOrUpdateTolerationInPodSpec: a toleration equal in key, effect, operator
 * and value is replaced in place (dropping tolerationSeconds); else appended. */
static void add_or_update(ng_pod *pod, const ng_toleration *def)
{
    for (uint32_t i = 0; i < pod->ntols; i++) {
        const ng_toleration *t = &pod->tols[i];
        if (strcmp(t->key, def->key) == 0 && strcmp(t->effect_text, def->effect_text) == 0 &&
            strcmp(t->op_text, def->op_text) == 0 && strcmp(t->value, def->value) == 0) {
            pod->tols[i] = *def;
            return;
        }
    }
    pod->tols[pod->ntols++] = *def;
}

/* The pod NewPod builds from the template: the template's spec with the default tolerations. */
static ng_pod daemon_pod(const ng_pod *template, ng_arena *arena)
{
    ng_pod pod = *template;
    size_t n = template->ntols + sizeof defaults / sizeof *defaults;
    pod.tols = ng_arena_alloc(arena, n * sizeof *pod.tols);
    if (template->ntols)   /* tols is NULL when there are none */
        memcpy(pod.tols, template->tols, template->ntols * sizeof *pod.tols);
    for (size_t i = 0; i < sizeof defaults / sizeof *defaults; i++) {
        if (defaults[i].host_network_only && !template->host_network)
            continue;
        ng_toleration def = {.key = defaults[i].key, .value = "", .op_text = "Exists",
                             .effect_text = ng_effect_name(defaults[i].effect), .op = NG_TOL_EXISTS,
                             .effect = defaults[i].effect};
        add_or_update(&pod, &def);
    }
    return pod;
}

/* NodeShouldRunDaemonPod's order: node name, then required placement, then taints. */
static ng_outcome daemon_outcome(const ng_eval *e, int64_t wanted, uint32_t id)
{
    if (wanted != NG_ANY_NODE && wanted != (int64_t)id)
        return NG_FAIL_NODE_NAME;
    if (!ng_bit_test(e->affinity, id))
        return NG_FAIL_AFFINITY;
    if (ng_bit_test(e->blocked, id))
        return NG_FAIL_TAINT;
    return NG_PASS;
}

int ng_daemonset(const ng_options *opt, const ng_request *req, ng_arena *arena, const ng_targets *t,
                 ng_reply *reply)
{
    ng_pod pod = daemon_pod(&req->pod, arena);
    ng_eval e;
    ng_eval_init(&e, t->x, &pod, opt->comparison_ops);
    int64_t wanted = ng_wanted_node(t->x, pod.node_name);
    uint8_t *out = ng_xmalloc(3 * (size_t)(t->n ? t->n : 1));
    uint8_t *run = out + t->n, *keep = run + t->n;
    for (uint32_t i = 0; i < t->n; i++) {
        uint32_t id = (uint32_t)t->ids[i];
        out[i] = t->ids[i] < 0 ? NG_FAIL_UNKNOWN : daemon_outcome(&e, wanted, id);
        run[i] = out[i] == NG_PASS;
        /* a running daemon pod survives untolerated NoSchedule taints, not NoExecute ones */
        keep[i] = run[i] || (out[i] == NG_FAIL_TAINT && !ng_bit_test(e.noexecute_blocked, id));
    }
    ng_buf b = {0};
    ng_reserve_reply(&b, t, 128);
    ng_buf_puts(&b, "{\"shouldRun\":[");
    ng_write_names(&b, t, run, true, false);
    ng_buf_puts(&b, "],\"shouldContinueRunning\":[");
    ng_write_names(&b, t, keep, true, false);
    ng_buf_puts(&b, "],\"reasons\":");
    ng_write_reasons(&b, &e, t, out, NG_FAIL_UNSCHEDULABLE, NG_FAIL_UNKNOWN);
    ng_buf_putc(&b, '}');
    free(out);
    ng_eval_free(&e);
    return ng_reply_buf(reply, 200, &b);
}
