/* verbs.c - every verb nodegate answers: its body, what it needs and which lock it takes. */
#include "verb.h"

static const ngp_verb_def verbs[] = {
    [NG_FILTER] = {&ngp_shape_args, ngp_verb_filter, NGP_NEEDS_POD | NGP_NEEDS_NODES | NGP_ON_TARGETS},
    [NG_PRIORITIZE] = {&ngp_shape_args, ngp_verb_prioritize, NGP_NEEDS_POD | NGP_NEEDS_NODES | NGP_ON_TARGETS},
    [NG_PREEMPT] = {&ngp_shape_preempt, ngp_verb_preempt, NGP_NEEDS_POD | NGP_READS_CACHE},
    [NG_DAEMONSET] = {&ngp_shape_ds, ngp_verb_daemonset, NGP_NEEDS_DS | NGP_ALL_CACHED | NGP_ON_TARGETS},
    [NG_NODES] = {&ngp_shape_update, ngp_verb_nodes, NGP_WRITES_CACHE},
    [NG_EXPLAIN] = {&ngp_shape_explain, ngp_verb_explain, NGP_ALL_CACHED | NGP_ON_TARGETS},
};

const ngp_verb_def *ngp_verb_find(ng_verb verb)
{
    return (unsigned)verb < sizeof verbs / sizeof *verbs ? &verbs[verb] : NULL;
}
