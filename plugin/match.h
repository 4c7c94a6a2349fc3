/* match.h - the pure matching rules of SPEC.md sections 2 and 5.2, one pair at a time.
 *
 * These are the reference semantics: the index evaluates the same rules as
 * set operations, and the tests check both against each other. No allocation. */
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

/* Canonical decimal integer for toleration Lt/Gt: "0", or an optional '-'
 * followed by 1-9 and digits, fitting int64 (SPEC 2.2). */
bool ngp_parse_canonical_int(const char *s, int64_t *out);
/* Go strconv.ParseInt(s, 10, 64): optional '+' or '-', one or more ASCII
 * digits (leading zeros allowed), no spaces, fits int64 (SPEC 5.2). */
bool ngp_parse_go_int(const char *s, int64_t *out);

/* Label key rule: a qualified name (SPEC 5.2). Returns NULL when valid, else
 * a static sentence in upstream's words saying what is wrong. */
const char *ngp_check_label_key(const char *key);
/* Label value rule: <= 63 characters, empty or [A-Za-z0-9] at both ends with
 * [-_.A-Za-z0-9] between. NULL when valid, else a static sentence. */
const char *ngp_check_label_value(const char *value);

/* Parses one requirement as labels.NewRequirement (matchExpressions) or as
 * the field selector conversion (matchFields, is_field true) would. Returns
 * true when valid; else writes "<path>.<what>: Invalid value: ..." style text
 * naming the problem into err (path is the requirement's own path, e.g.
 * "spec.affinity...nodeSelectorTerms[0].matchExpressions[1]"). */
bool ngp_requirement_valid(const ngp_requirement *r, bool is_field, const char *path,
                          char *err, size_t errlen);

/* One requirement against one node, SPEC 5.2 (for a valid requirement).
 * matchExpressions read labels; matchFields read only metadata.name. */
bool ngp_requirement_matches_labels(const ngp_requirement *r, const ngp_kv *labels, uint32_t nlabels);
bool ngp_requirement_matches_fields(const ngp_requirement *r, const char *node_name);

#endif
