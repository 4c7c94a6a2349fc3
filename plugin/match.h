/* match.h - the pure matching rules of SPEC.md sections 2 and 5.2, one pair at a time.
 *
 * These are the reference semantics: the store evaluates the same rules as
 * set operations (eval.h), and the tests check both against each other. They
 * take objects that ngp_*_check (validate.h) found valid. No allocation. */
#ifndef NGP_MATCH_H
#define NGP_MATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model.h"

/* Toleration.ToleratesTaint (SPEC 2.1, 2.2). comparison_ops is the
 * TaintTolerationComparisonOperators feature gate: when false, Lt/Gt never match. */
bool ngp_tolerates(const ngp_toleration *t, const ngp_taint *taint, bool comparison_ops);
/* True if any of the n tolerations tolerates the taint (SPEC 2.3). */
bool ngp_tolerations_tolerate(const ngp_toleration *t, uint32_t n, const ngp_taint *taint,
                              bool comparison_ops);

/* One requirement against one node, SPEC 5.2 (for a valid requirement).
 * matchExpressions read labels; matchFields read only metadata.name. */
bool ngp_requirement_matches_labels(const ngp_requirement *r, const ngp_kv *labels, uint32_t nlabels);
bool ngp_requirement_matches_fields(const ngp_requirement *r, const char *node_name);

#endif
