/* model.h - the parts of Pods and Nodes the predicates read, as decoded from JSON.
 *
 * Strings are NUL-terminated and owned by whatever arena or index built the
 * struct; an absent string field is "" (Go's zero value), never NULL. */
#ifndef NG_MODEL_H
#define NG_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct { const char *key, *value; } ng_kv;

/* Taint and toleration effects. NG_EFFECT_EMPTY only occurs in tolerations
 * (it matches every effect); NG_EFFECT_OTHER is an unrecognised string. */
typedef enum {
    NG_EFFECT_EMPTY = 0,
    NG_EFFECT_NO_SCHEDULE,
    NG_EFFECT_PREFER_NO_SCHEDULE,
    NG_EFFECT_NO_EXECUTE,
    NG_EFFECT_OTHER
} ng_effect;

typedef struct {
    const char *key, *value;
    ng_effect effect;
} ng_taint;

/* Toleration operators; EMPTY and EQUAL compare values alike but are kept
 * apart because the DaemonSet merge rule compares operators as strings. */
typedef enum {
    NG_TOL_EMPTY = 0,
    NG_TOL_EQUAL,
    NG_TOL_EXISTS,
    NG_TOL_LT,
    NG_TOL_GT,
    NG_TOL_OTHER
} ng_tol_op;

typedef struct {
    const char *key, *value;
    const char *op_text, *effect_text;   /* as sent, for echoing */
    ng_tol_op op;
    ng_effect effect;
    bool has_seconds;                    /* tolerationSeconds was set */
    int64_t seconds;
} ng_toleration;

/* Node selector requirement operators (matchExpressions and matchFields). */
typedef enum {
    NG_SEL_IN = 0,
    NG_SEL_NOT_IN,
    NG_SEL_EXISTS,
    NG_SEL_DOES_NOT_EXIST,
    NG_SEL_GT,
    NG_SEL_LT,
    NG_SEL_OTHER
} ng_sel_op;

typedef struct {
    const char *key;
    const char *op_text;        /* as sent, for error messages */
    ng_sel_op op;
    const char **values;
    uint32_t nvalues;
} ng_requirement;

typedef struct {
    ng_requirement *exprs;      /* matchExpressions: node labels */
    uint32_t nexprs;
    ng_requirement *fields;     /* matchFields: node fields (metadata.name) */
    uint32_t nfields;
} ng_term;

typedef struct {
    int32_t weight;
    ng_term preference;
} ng_pref_term;

/* The scheduling-relevant view of a Pod (or of a DaemonSet's pod template). */
typedef struct {
    const char *name, *namespace, *uid;
    const char *node_name;      /* spec.nodeName */
    bool host_network;          /* spec.hostNetwork (DaemonSet default tolerations) */
    ng_toleration *tols;
    uint32_t ntols;
    ng_kv *selector;            /* spec.nodeSelector */
    uint32_t nselector;
    /* spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution:
     * has_required is false when it is absent or null (no constraint); when
     * true, nrequired may be 0 (null or [] nodeSelectorTerms: matches nothing). */
    bool has_required;
    ng_term *required;
    uint32_t nrequired;
    ng_pref_term *preferred;    /* ...preferredDuringSchedulingIgnoredDuringExecution */
    uint32_t npreferred;
} ng_pod;

/* A node as decoded from a request or an update. raw_off/raw_len locate the
 * node object's bytes in the call's capture buffer (full mode only). */
typedef struct {
    const char *name;
    ng_kv *labels;
    uint32_t nlabels;
    ng_taint *taints;
    uint32_t ntaints;
    bool unschedulable;
    size_t raw_off, raw_len;
} ng_node_in;

/* Parses an effect or operator string into its enum. */
ng_effect ng_effect_parse(const char *s);
const char *ng_effect_name(ng_effect e);   /* "" for EMPTY/OTHER */
ng_tol_op ng_tol_op_parse(const char *s);
ng_sel_op ng_sel_op_parse(const char *s);

#endif
