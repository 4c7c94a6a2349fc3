/* score.h - the prioritize verb's scores, for every verb that reports them (prioritize, explain). */
#ifndef NGP_SCORE_H
#define NGP_SCORE_H

#include <stdint.h>

#include "eval.h"
#include "options.h"
#include "targets.h"

/* The TaintToleration and NodeAffinity scores of each target, each normalized
 * over the targets to 0..10, and their combination with opt's weights: what
 * /prioritize answers for these targets. Each array has t->n entries; a
 * target the store lacks scores 0. The pod's preferred terms must parse
 * (pod->preferred_problem NULL). */
void ngp_scores(const ngp_options *opt, ngp_eval *e, const ngp_targets *t, int64_t *taint, int64_t *affinity,
                int64_t *score);

#endif
