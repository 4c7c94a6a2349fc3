/* daemon.c - the pod the DaemonSet controller creates from a template: its default tolerations (SPEC 7.2). */
#include "daemon.h"

#include <string.h>

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

ngp_pod ngp_daemon_pod(const ngp_pod *template, ngp_arena *arena)
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
