/* tolindex.h - a pod's tolerations in a hash table, so judging one taint costs O(1) however many there are.
 *
 * eval.c asks of every taint of every distinct taint list whether some
 * toleration tolerates it: with the plain loop of match.c, N lists of T taints
 * and P tolerations cost N x T x P while the body is N x T + P. The index
 * files each toleration under its effect (empty: every effect) and key
 * (empty: every key), as ngp_tolerates reads them: Exists as a flag, Lt/Gt
 * (gate on, canonical value) as the largest Lt and smallest Gt threshold,
 * empty or Equal under its value too. A taint is then at most eight probes.
 * ngp_tolerates stays the reference; test_tolindex.c checks they agree. */
#ifndef NGP_TOLINDEX_H
#define NGP_TOLINDEX_H

#include <stdbool.h>
#include <stdint.h>

#include "model.h"

typedef struct ngp_tolindex ngp_tolindex;

/* Indexes the n tolerations; comparison_ops is the TaintTolerationComparisonOperators
 * gate. The tolerations' strings stay borrowed until ngp_tolindex_free. */
ngp_tolindex *ngp_tolindex_new(const ngp_toleration *t, uint32_t n, bool comparison_ops);
void ngp_tolindex_free(ngp_tolindex *ix);
/* ngp_tolerations_tolerate over the indexed tolerations (SPEC 2.1 - 2.3). */
bool ngp_tolindex_tolerates(const ngp_tolindex *ix, const ngp_taint *taint);

#endif
