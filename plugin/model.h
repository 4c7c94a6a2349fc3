/* model.h - the parts of Pods and Nodes the predicates read, as decoded from JSON.
 *
 * Strings are NUL-terminated and owned by whatever arena or index built the
 * struct; an absent string field is "" (Go's zero value), never NULL. A
 * U+0000 inside a JSON string is held as the two bytes C0 80 (as Java's and
 * Tcl's modified UTF-8 hold it), so it neither ends the string nor compares
 * equal to anything but itself: decoded strings are otherwise valid UTF-8
 * (utf8.h), where C0 80 cannot occur. The JSON writer (ngp_buf_json_str)
 * writes it back as \u0000. */
#ifndef NGP_MODEL_H
#define NGP_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct { const char *key, *value; } ngp_kv;

/* Taint and toleration effects. NGP_EFFECT_EMPTY only occurs in tolerations
 * (it matches every effect); NGP_EFFECT_OTHER is an unrecognised string. */
typedef enum {
    NGP_EFFECT_EMPTY = 0,
    NGP_EFFECT_NO_SCHEDULE,
    NGP_EFFECT_PREFER_NO_SCHEDULE,
    NGP_EFFECT_NO_EXECUTE,
    NGP_EFFECT_OTHER
} ngp_effect;

typedef struct {
    const char *key, *value;
    ngp_effect effect;
} ngp_taint;

/* Toleration operators; EMPTY and EQUAL compare values alike but are kept
 * apart because the DaemonSet merge rule compares operators as strings. */
typedef enum {
    NGP_TOL_EMPTY = 0,
    NGP_TOL_EQUAL,
    NGP_TOL_EXISTS,
    NGP_TOL_LT,
    NGP_TOL_GT,
    NGP_TOL_OTHER
} ngp_tol_op;

typedef struct {
    const char *key, *value;
    const char *op_text, *effect_text;   /* as sent, for echoing */
    ngp_tol_op op;
    ngp_effect effect;
    bool has_seconds;                    /* tolerationSeconds was set */
    int64_t seconds;
} ngp_toleration;

/* Node selector requirement operators (matchExpressions and matchFields). */
typedef enum {
    NGP_SEL_IN = 0,
    NGP_SEL_NOT_IN,
    NGP_SEL_EXISTS,
    NGP_SEL_DOES_NOT_EXIST,
    NGP_SEL_GT,
    NGP_SEL_LT,
    NGP_SEL_OTHER
} ngp_sel_op;

typedef struct {
    const char *key;
    const char *op_text;        /* as sent, for error messages */
    ngp_sel_op op;
    const char **values;
    uint32_t nvalues;
} ngp_requirement;

typedef struct {
    ngp_requirement *exprs;      /* matchExpressions: node labels */
    uint32_t nexprs;
    ngp_requirement *fields;     /* matchFields: node fields (metadata.name) */
    uint32_t nfields;
    bool valid;                  /* every requirement parses: set by ngp_term_check (validate.h) */
} ngp_term;

/* True when a term has neither matchExpressions nor matchFields (it matches nothing). */
static inline bool ngp_term_is_empty(const ngp_term *t) { return t->nexprs == 0 && t->nfields == 0; }

typedef struct {
    int32_t weight;
    ngp_term preference;
} ngp_pref_term;

/* The scheduling-relevant view of a Pod (or of a DaemonSet's pod template). */
typedef struct {
    const char *name, *namespace, *uid;
    const char *node_name;      /* spec.nodeName */
    bool host_network;          /* spec.hostNetwork (DaemonSet default tolerations) */
    ngp_toleration *tols;
    uint32_t ntols;
    ngp_kv *selector;            /* spec.nodeSelector */
    uint32_t nselector;
    /* spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution:
     * has_required is false when it is absent or null (no constraint); when
     * true, nrequired may be 0 (null or [] nodeSelectorTerms: matches nothing). */
    bool has_required;
    ngp_term *required;
    uint32_t nrequired;
    ngp_pref_term *preferred;    /* ...preferredDuringSchedulingIgnoredDuringExecution */
    uint32_t npreferred;
    /* The first preferred term that counts and does not parse, as the error
     * sentence prioritize answers with; NULL when none (ngp_pod_check). */
    const char *preferred_problem;
} ngp_pod;

/* A node as decoded from a request or an update. raw_off/raw_len locate the
 * node object's bytes in the call's capture buffer (full mode only). */
typedef struct {
    const char *name;
    ngp_kv *labels;
    uint32_t nlabels;
    ngp_taint *taints;
    uint32_t ntaints;
    bool unschedulable;
    size_t raw_off, raw_len;
    /* Why the API server would refuse the node, naming the field; NULL when
     * it would store it (ngp_node_check, when the node's object ends). */
    const char *problem;
} ngp_node_in;

/* Parses an effect or operator string into its enum. */
ngp_effect ngp_effect_parse(const char *s);
const char *ngp_effect_name(ngp_effect e);   /* "" for EMPTY/OTHER */
ngp_tol_op ngp_tol_op_parse(const char *s);
ngp_sel_op ngp_sel_op_parse(const char *s);

#endif
