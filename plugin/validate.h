/* validate.h - the API server's rules for the objects nodegate reads, checked once as they are decoded.
 *
 * Each check writes upstream's error text (field.Error's shape, Go's %q and
 * %#v) and the decoder stores the verdict in the object (ngp_term.valid,
 * ngp_pod.preferred_problem, ngp_node_in.problem), so evaluation only reads
 * a flag. Matching itself is match.h's. */
#ifndef NGP_VALIDATE_H
#define NGP_VALIDATE_H

#include <stdbool.h>
#include <stddef.h>

#include "arena.h"
#include "model.h"

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
 * "spec.affinity...nodeSelectorTerms[0].matchExpressions[1]"; err may be
 * NULL with errlen 0, and the text is cut to errlen - 1 bytes). */
bool ngp_requirement_check(const ngp_requirement *r, bool is_field, const char *path, char *err,
                           size_t errlen);
/* Checks every requirement of a term (SPEC 5.2) and stores the verdict in
 * t->valid. Returns it; when false and err is not NULL, writes the first
 * problem, its path starting with path. */
bool ngp_term_check(ngp_term *t, const char *path, char *err, size_t errlen);
/* Checks the pod's node affinity once it is decoded: stores every required
 * and preferred term's verdict, and sets pod->preferred_problem (in arena) to
 * the first problem of a preferred term that counts (weight not 0, not
 * empty), or NULL. Invalid required terms are no error: they match nothing. */
void ngp_pod_check(ngp_pod *pod, ngp_arena *arena);
/* Node name rule: a DNS subdomain of at most 253 characters (name is len
 * bytes, NULs included). Returns true, or false with upstream's "Required
 * value" or "Invalid value: ..." sentence in err. */
bool ngp_check_node_name(const char *name, size_t len, char *err, size_t errlen);
/* Checks a node as the API server would before storing it: a name that is a DNS subdomain of
 * at most 253 characters, and taints with a key and a known effect. Returns true, or false with
 * a sentence naming the field in err. */
bool ngp_node_check(const ngp_node_in *n, char *err, size_t errlen);

#endif
