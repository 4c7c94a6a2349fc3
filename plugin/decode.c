/* decode.c - schemas of ExtenderArgs, preemption args, DaemonSet args and node updates, and the model builder. */
#include "decode.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonwalk.h"
#include "match.h"
#include "xalloc.h"

/* Schema ids: what each reported value is, grouped by the handler that fills it. */
enum {
    D_NONE,
    D_POD, D_POD_NAME, D_POD_NAMESPACE, D_POD_UID, D_NODE_NAME_REQ, D_HOST_NETWORK, D_SELECTOR,
    D_SELECTOR_VALUE,
    D_TOLS, D_TOL, D_TOL_KEY, D_TOL_OP, D_TOL_VALUE, D_TOL_EFFECT, D_TOL_SECONDS,
    D_REQUIRED, D_REQ_TERMS, D_REQ_TERM, D_PREFS, D_PREF, D_PREF_WEIGHT, D_PREF_TERM,
    D_EXPRS, D_FIELDS, D_REQMT, D_REQMT_KEY, D_REQMT_OP, D_REQMT_VALUES, D_REQMT_VALUE,
    D_NODELIST, D_ITEMS, D_NODE, D_OBJECT, D_NODE_NAME, D_LABELS, D_LABEL_VALUE, D_UNSCHEDULABLE,
    D_TAINTS, D_TAINT, D_TAINT_KEY, D_TAINT_VALUE, D_TAINT_EFFECT,
    D_VMAP, D_MMAP, D_VICTIMS, D_VPODS, D_VPOD, D_VPOD_UID, D_VPDB,
    D_ROOT, D_NAMES, D_NAME, D_DS, D_DS_NAME, D_DS_NAMESPACE, D_KIND, D_TYPE,
    D_COUNT
};

#define STR(i_) {.type = NGP_JW_STRING, .id = (i_)}
#define ARR(i_, e) {.type = NGP_JW_ARRAY, .id = (i_), .elem = (e)}
#define OBJ(i_, f) {.type = NGP_JW_OBJECT, .id = (i_), .fields = (f)}
#define IOBJ(i_, f) {.type = NGP_JW_OBJECT, .id = (i_), .icase = true, .fields = (f)}

/* Node selector requirements and terms. */
static const ngp_jw_schema s_reqmt_key = STR(D_REQMT_KEY), s_reqmt_op = STR(D_REQMT_OP),
                          s_reqmt_value = STR(D_REQMT_VALUE);
static const ngp_jw_schema s_reqmt_values = ARR(D_REQMT_VALUES, &s_reqmt_value);
static const ngp_jw_field f_reqmt[] = {
    {"key", &s_reqmt_key}, {"operator", &s_reqmt_op}, {"values", &s_reqmt_values}, {0}};
static const ngp_jw_schema s_reqmt = OBJ(D_REQMT, f_reqmt);
static const ngp_jw_schema s_exprs = ARR(D_EXPRS, &s_reqmt), s_fields = ARR(D_FIELDS, &s_reqmt);
static const ngp_jw_field f_term[] = {{"matchExpressions", &s_exprs}, {"matchFields", &s_fields}, {0}};
static const ngp_jw_schema s_req_term = OBJ(D_REQ_TERM, f_term), s_pref_term = OBJ(D_PREF_TERM, f_term);

/* Pod spec: tolerations, nodeSelector, node affinity, nodeName, hostNetwork. */
static const ngp_jw_schema s_req_terms = ARR(D_REQ_TERMS, &s_req_term);
static const ngp_jw_field f_required[] = {{"nodeSelectorTerms", &s_req_terms}, {0}};
static const ngp_jw_schema s_required = OBJ(D_REQUIRED, f_required);
static const ngp_jw_schema s_pref_weight = {.type = NGP_JW_NUMBER, .id = D_PREF_WEIGHT};
static const ngp_jw_field f_pref[] = {{"weight", &s_pref_weight}, {"preference", &s_pref_term}, {0}};
static const ngp_jw_schema s_pref = OBJ(D_PREF, f_pref);
static const ngp_jw_schema s_prefs = ARR(D_PREFS, &s_pref);
static const ngp_jw_field f_node_affinity[] = {
    {"requiredDuringSchedulingIgnoredDuringExecution", &s_required},
    {"preferredDuringSchedulingIgnoredDuringExecution", &s_prefs}, {0}};
static const ngp_jw_schema s_node_affinity = OBJ(D_NONE, f_node_affinity);
static const ngp_jw_field f_affinity[] = {{"nodeAffinity", &s_node_affinity}, {0}};
static const ngp_jw_schema s_affinity = OBJ(D_NONE, f_affinity);
static const ngp_jw_schema s_tol_key = STR(D_TOL_KEY), s_tol_op = STR(D_TOL_OP),
                          s_tol_value = STR(D_TOL_VALUE), s_tol_effect = STR(D_TOL_EFFECT),
                          s_tol_seconds = {.type = NGP_JW_NUMBER, .id = D_TOL_SECONDS};
static const ngp_jw_field f_tol[] = {{"key", &s_tol_key}, {"operator", &s_tol_op},
                                    {"value", &s_tol_value}, {"effect", &s_tol_effect},
                                    {"tolerationSeconds", &s_tol_seconds}, {0}};
static const ngp_jw_schema s_tol = OBJ(D_TOL, f_tol);
static const ngp_jw_schema s_tols = ARR(D_TOLS, &s_tol);
static const ngp_jw_schema s_selector_value = STR(D_SELECTOR_VALUE);
static const ngp_jw_schema s_selector = {.type = NGP_JW_MAP, .id = D_SELECTOR, .elem = &s_selector_value};
static const ngp_jw_schema s_node_name_req = STR(D_NODE_NAME_REQ);
static const ngp_jw_schema s_host_network = {.type = NGP_JW_BOOL, .id = D_HOST_NETWORK};
static const ngp_jw_field f_pod_spec[] = {
    {"nodeName", &s_node_name_req}, {"hostNetwork", &s_host_network}, {"nodeSelector", &s_selector},
    {"tolerations", &s_tols}, {"affinity", &s_affinity}, {0}};
static const ngp_jw_schema s_pod_spec = OBJ(D_NONE, f_pod_spec);
static const ngp_jw_schema s_pod_name = STR(D_POD_NAME), s_pod_namespace = STR(D_POD_NAMESPACE),
                          s_pod_uid = STR(D_POD_UID);
static const ngp_jw_field f_pod_meta[] = {
    {"name", &s_pod_name}, {"namespace", &s_pod_namespace}, {"uid", &s_pod_uid}, {0}};
static const ngp_jw_schema s_pod_meta = OBJ(D_NONE, f_pod_meta);
static const ngp_jw_field f_pod[] = {{"metadata", &s_pod_meta}, {"spec", &s_pod_spec}, {0}};
static const ngp_jw_schema s_pod = OBJ(D_POD, f_pod);

/* Node: name, labels, taints, unschedulable; captured (echoed) in full-mode requests. */
static const ngp_jw_schema s_node_name = STR(D_NODE_NAME), s_label_value = STR(D_LABEL_VALUE);
static const ngp_jw_schema s_labels = {.type = NGP_JW_MAP, .id = D_LABELS, .elem = &s_label_value};
static const ngp_jw_field f_node_meta[] = {{"name", &s_node_name}, {"labels", &s_labels}, {0}};
static const ngp_jw_schema s_node_meta = OBJ(D_NONE, f_node_meta);
static const ngp_jw_schema s_taint_key = STR(D_TAINT_KEY), s_taint_value = STR(D_TAINT_VALUE),
                          s_taint_effect = STR(D_TAINT_EFFECT);
static const ngp_jw_field f_taint[] = {
    {"key", &s_taint_key}, {"value", &s_taint_value}, {"effect", &s_taint_effect}, {0}};
static const ngp_jw_schema s_taint = OBJ(D_TAINT, f_taint);
static const ngp_jw_schema s_taints = ARR(D_TAINTS, &s_taint);
static const ngp_jw_schema s_unschedulable = {.type = NGP_JW_BOOL, .id = D_UNSCHEDULABLE};
static const ngp_jw_field f_node_spec[] = {{"unschedulable", &s_unschedulable}, {"taints", &s_taints}, {0}};
static const ngp_jw_schema s_node_spec = OBJ(D_NONE, f_node_spec);
static const ngp_jw_field f_node[] = {{"metadata", &s_node_meta}, {"spec", &s_node_spec}, {0}};
static const ngp_jw_schema s_node = OBJ(D_NODE, f_node);
static const ngp_jw_schema s_node_captured = {
    .type = NGP_JW_OBJECT, .id = D_NODE, .capture = true, .fields = f_node};
static const ngp_jw_schema s_items = ARR(D_ITEMS, &s_node_captured);
static const ngp_jw_field f_nodelist[] = {{"items", &s_items}, {0}};
static const ngp_jw_schema s_nodelist = OBJ(D_NODELIST, f_nodelist);
static const ngp_jw_schema s_name = STR(D_NAME);
static const ngp_jw_schema s_names = ARR(D_NAMES, &s_name);

/* ExtenderArgs: Go struct without json tags, so keys match case-insensitively. */
static const ngp_jw_field f_args[] = {
    {"Pod", &s_pod}, {"Nodes", &s_nodelist}, {"NodeNames", &s_names}, {0}};
static const ngp_jw_schema s_args = IOBJ(D_ROOT, f_args);

/* ExtenderPreemptionArgs: victims as full pods or as UIDs. */
static const ngp_jw_schema s_vpod_uid = STR(D_VPOD_UID);
static const ngp_jw_field f_vpod_meta[] = {{"uid", &s_vpod_uid}, {0}};
static const ngp_jw_schema s_vpod_meta = OBJ(D_NONE, f_vpod_meta);
static const ngp_jw_field f_vpod[] = {{"metadata", &s_vpod_meta}, {0}};
static const ngp_jw_schema s_vpod = OBJ(D_VPOD, f_vpod);
static const ngp_jw_field f_mpod[] = {{"UID", &s_vpod_uid}, {0}};
static const ngp_jw_schema s_mpod = IOBJ(D_VPOD, f_mpod);
static const ngp_jw_schema s_vpods = ARR(D_VPODS, &s_vpod), s_mpods = ARR(D_VPODS, &s_mpod);
static const ngp_jw_schema s_vpdb = {.type = NGP_JW_NUMBER, .id = D_VPDB};
static const ngp_jw_field f_victims[] = {{"Pods", &s_vpods}, {"NumPDBViolations", &s_vpdb}, {0}};
static const ngp_jw_field f_meta[] = {{"Pods", &s_mpods}, {"NumPDBViolations", &s_vpdb}, {0}};
static const ngp_jw_schema s_victims = IOBJ(D_VICTIMS, f_victims), s_meta = IOBJ(D_VICTIMS, f_meta);
static const ngp_jw_schema s_vmap = {.type = NGP_JW_MAP, .id = D_VMAP, .elem = &s_victims};
static const ngp_jw_schema s_mmap = {.type = NGP_JW_MAP, .id = D_MMAP, .elem = &s_meta};
static const ngp_jw_field f_preempt[] = {
    {"Pod", &s_pod}, {"NodeNameToVictims", &s_vmap}, {"NodeNameToMetaVictims", &s_mmap}, {0}};
static const ngp_jw_schema s_preempt = IOBJ(D_ROOT, f_preempt);

/* DaemonSet placement: {DaemonSet, Nodes, NodeNames}. */
static const ngp_jw_schema s_ds_name = STR(D_DS_NAME), s_ds_namespace = STR(D_DS_NAMESPACE);
static const ngp_jw_field f_ds_meta[] = {{"name", &s_ds_name}, {"namespace", &s_ds_namespace}, {0}};
static const ngp_jw_schema s_ds_meta = OBJ(D_NONE, f_ds_meta);
static const ngp_jw_field f_template[] = {{"spec", &s_pod_spec}, {0}};
static const ngp_jw_schema s_template = OBJ(D_POD, f_template);
static const ngp_jw_field f_ds_spec[] = {{"template", &s_template}, {0}};
static const ngp_jw_schema s_ds_spec = OBJ(D_NONE, f_ds_spec);
static const ngp_jw_field f_ds[] = {{"metadata", &s_ds_meta}, {"spec", &s_ds_spec}, {0}};
static const ngp_jw_schema s_ds = OBJ(D_DS, f_ds);
static const ngp_jw_field f_ds_args[] = {
    {"DaemonSet", &s_ds}, {"Nodes", &s_nodelist}, {"NodeNames", &s_names}, {0}};
static const ngp_jw_schema s_ds_args = IOBJ(D_ROOT, f_ds_args);

/* Node updates: a Node, a NodeList or a watch event, told apart after parsing. */
static const ngp_jw_schema s_kind = STR(D_KIND), s_type = STR(D_TYPE);
static const ngp_jw_schema s_update_items = ARR(D_ITEMS, &s_node);
static const ngp_jw_schema s_object = {.type = NGP_JW_OBJECT, .id = D_OBJECT, .fields = f_node};
static const ngp_jw_field f_update[] = {
    {"kind", &s_kind}, {"type", &s_type}, {"metadata", &s_node_meta}, {"spec", &s_node_spec},
    {"items", &s_update_items}, {"object", &s_object}, {0}};
static const ngp_jw_schema s_update = OBJ(D_ROOT, f_update);

static const ngp_jw_schema *const roots[NGP_VERB_COUNT] = {
    [NG_FILTER] = &s_args, [NG_PRIORITIZE] = &s_args, [NG_PREEMPT] = &s_preempt,
    [NG_DAEMONSET] = &s_ds_args, [NG_NODES] = &s_update};

struct ngp_decoder {
    ngp_jw *jw;
    ngp_arena *arena;
    ngp_request *req;
    ngp_node_in *node;            /* node being filled (req->root outside items/object) */
    ngp_term *term;               /* term being filled */
    ngp_requirement **list;       /* exprs or fields of term */
    uint32_t *nlist;
    ngp_requirement *reqmt;
    ngp_pref_term *pref;
    ngp_victims *victims;
    ngp_victims **vlist;          /* victims or meta */
    uint32_t *nvlist;
    const char *key;             /* last MAP key */
    /* Capacities of the arena arrays being appended to; reset with their array. */
    /* The root node (a Node body) and the node of an item or event each keep
     * their own label and taint capacities: a root may get labels after items. */
    struct node_caps { uint32_t labels, taints; } root_caps, item_caps, *caps;
    uint32_t cap_nodes, cap_names, cap_tols, cap_selector, cap_terms,
        cap_prefs, cap_list, cap_values, cap_vlist, cap_uids;
};

#define APPEND(d, array, count, cap) \
    ((array) = ngp_arena_grow((d)->arena, (array), sizeof *(array), (count), &(cap)), &(array)[(count)++])

static const char *dup(ngp_decoder *d, const ngp_jw_event *ev)
{
    return ngp_arena_strndup(d->arena, ev->str, ev->len);
}

/* Go decodes JSON numbers into intN fields only when they are integers in range. */
static int number(ngp_decoder *d, const ngp_jw_event *ev, int64_t lo, int64_t hi, int64_t *out)
{
    if (!ngp_parse_go_int(ev->str, out) || *out < lo || *out > hi)
        return ngp_jw_fail(d->jw, 400, "cannot unmarshal number %s into an integer field of %d bits",
                          ev->str, hi == INT32_MAX ? 32 : 64);
    return 0;
}

static void begin_node(ngp_decoder *d)
{
    ngp_request *r = d->req;
    d->node = APPEND(d, r->nodes, r->nnodes, d->cap_nodes);
    *d->node = (ngp_node_in){.name = ""};
    d->item_caps = (struct node_caps){0};
    d->caps = &d->item_caps;
}

static void back_to_root(ngp_decoder *d)
{
    d->node = &d->req->root;
    d->caps = &d->root_caps;
}

/* A repeated nodeSelector key overwrites, as in a Go map. */
static void put_selector(ngp_decoder *d, const char *value)
{
    ngp_pod *p = &d->req->pod;
    for (uint32_t i = 0; i < p->nselector; i++)
        if (strcmp(p->selector[i].key, d->key) == 0) {
            p->selector[i].value = value;
            return;
        }
    *APPEND(d, p->selector, p->nselector, d->cap_selector) = (ngp_kv){d->key, value};
}

static int on_pod(ngp_decoder *d, const ngp_jw_event *ev)
{
    ngp_pod *p = &d->req->pod;
    switch (ev->id) {
    case D_POD: d->req->has_pod |= ev->kind == NGP_JW_BEGIN; return 0;
    case D_POD_NAME: p->name = dup(d, ev); return 0;
    case D_POD_NAMESPACE: p->namespace = dup(d, ev); return 0;
    case D_POD_UID: p->uid = dup(d, ev); return 0;
    case D_NODE_NAME_REQ: p->node_name = dup(d, ev); return 0;
    case D_HOST_NETWORK: p->host_network = ev->boolean; return 0;
    case D_SELECTOR: if (ev->kind == NGP_JW_KEY) d->key = dup(d, ev); return 0;
    case D_SELECTOR_VALUE: put_selector(d, ev->kind == NGP_JW_VALUE ? dup(d, ev) : ""); return 0;
    }
    return 0;
}

static int on_toleration(ngp_decoder *d, const ngp_jw_event *ev)
{
    ngp_pod *p = &d->req->pod;
    ngp_toleration *t = p->ntols ? &p->tols[p->ntols - 1] : NULL;
    switch (ev->id) {
    case D_TOLS: p->ntols = 0; d->cap_tols = 0; return 0;
    case D_TOL:
        if (ev->kind == NGP_JW_BEGIN)
            *APPEND(d, p->tols, p->ntols, d->cap_tols) =
                (ngp_toleration){.key = "", .value = "", .op_text = "", .effect_text = ""};
        return 0;
    case D_TOL_KEY: t->key = dup(d, ev); return 0;
    case D_TOL_VALUE: t->value = dup(d, ev); return 0;
    case D_TOL_OP: t->op_text = dup(d, ev); t->op = ngp_tol_op_parse(t->op_text); return 0;
    case D_TOL_EFFECT: t->effect_text = dup(d, ev); t->effect = ngp_effect_parse(t->effect_text); return 0;
    case D_TOL_SECONDS:
        t->has_seconds = ev->kind == NGP_JW_VALUE;
        return t->has_seconds ? number(d, ev, INT64_MIN, INT64_MAX, &t->seconds) : 0;
    }
    return 0;
}

static int on_affinity(ngp_decoder *d, const ngp_jw_event *ev)
{
    ngp_pod *p = &d->req->pod;
    switch (ev->id) {
    case D_REQUIRED: if (ev->kind != NGP_JW_END) p->has_required = ev->kind == NGP_JW_BEGIN; return 0;
    case D_REQ_TERMS: p->nrequired = 0; d->cap_terms = 0; return 0;
    case D_REQ_TERM:
        if (ev->kind == NGP_JW_BEGIN || ev->kind == NGP_JW_NULL)
            *(d->term = APPEND(d, p->required, p->nrequired, d->cap_terms)) = (ngp_term){0};
        return 0;
    case D_PREFS: p->npreferred = 0; d->cap_prefs = 0; return 0;
    case D_PREF:
        if (ev->kind == NGP_JW_BEGIN)
            *(d->pref = APPEND(d, p->preferred, p->npreferred, d->cap_prefs)) = (ngp_pref_term){0};
        return 0;
    case D_PREF_WEIGHT: {
        int64_t w = 0;
        int st = ev->kind == NGP_JW_VALUE ? number(d, ev, INT32_MIN, INT32_MAX, &w) : 0;
        d->pref->weight = (int32_t)w;
        return st;
    }
    case D_PREF_TERM: d->term = &d->pref->preference; return 0;
    }
    return 0;
}

static int on_requirement(ngp_decoder *d, const ngp_jw_event *ev)
{
    ngp_requirement *r = d->reqmt;
    switch (ev->id) {
    case D_EXPRS:
    case D_FIELDS:
        d->list = ev->id == D_EXPRS ? &d->term->exprs : &d->term->fields;
        d->nlist = ev->id == D_EXPRS ? &d->term->nexprs : &d->term->nfields;
        *d->nlist = 0;
        d->cap_list = 0;
        return 0;
    case D_REQMT:
        if (ev->kind == NGP_JW_BEGIN) {
            d->reqmt = APPEND(d, *d->list, *d->nlist, d->cap_list);
            *d->reqmt = (ngp_requirement){.key = "", .op_text = "", .op = NGP_SEL_OTHER};
        }
        return 0;
    case D_REQMT_KEY: r->key = dup(d, ev); return 0;
    case D_REQMT_OP: r->op_text = dup(d, ev); r->op = ngp_sel_op_parse(r->op_text); return 0;
    case D_REQMT_VALUES: r->nvalues = 0; d->cap_values = 0; return 0;
    case D_REQMT_VALUE:
        *APPEND(d, r->values, r->nvalues, d->cap_values) = ev->kind == NGP_JW_VALUE ? dup(d, ev) : "";
        return 0;
    }
    return 0;
}

static int on_node(ngp_decoder *d, const ngp_jw_event *ev)
{
    ngp_request *r = d->req;
    ngp_node_in *n = d->node;
    switch (ev->id) {
    case D_NODELIST: r->has_nodes |= ev->kind == NGP_JW_BEGIN; return 0;
    case D_ITEMS:
        r->has_items |= ev->kind == NGP_JW_BEGIN;
        r->nnodes = 0;
        d->cap_nodes = 0;
        return 0;
    case D_OBJECT:
    case D_NODE:
        if (ev->id == D_OBJECT && ev->kind == NGP_JW_BEGIN) {
            r->has_object = true;
            r->nnodes = 0;
            d->cap_nodes = 0;
        }
        if (ev->kind == NGP_JW_BEGIN) {
            begin_node(d);
        } else if (ev->kind == NGP_JW_END) {
            n->raw_off = ev->off;
            n->raw_len = ev->len_bytes;
            back_to_root(d);
        }
        return 0;
    case D_NODE_NAME: n->name = dup(d, ev); return 0;
    case D_LABELS: if (ev->kind == NGP_JW_KEY) d->key = dup(d, ev); return 0;
    case D_LABEL_VALUE:
        *APPEND(d, n->labels, n->nlabels, d->caps->labels) =
            (ngp_kv){d->key, ev->kind == NGP_JW_VALUE ? dup(d, ev) : ""};
        return 0;
    case D_UNSCHEDULABLE: n->unschedulable = ev->boolean; return 0;
    case D_TAINTS: n->ntaints = 0; d->caps->taints = 0; return 0;
    case D_TAINT:
        if (ev->kind == NGP_JW_BEGIN)
            *APPEND(d, n->taints, n->ntaints, d->caps->taints) =
                (ngp_taint){.key = "", .value = "", .effect = NGP_EFFECT_EMPTY};
        return 0;
    case D_TAINT_KEY: n->taints[n->ntaints - 1].key = dup(d, ev); return 0;
    case D_TAINT_VALUE: n->taints[n->ntaints - 1].value = dup(d, ev); return 0;
    case D_TAINT_EFFECT: n->taints[n->ntaints - 1].effect = ngp_effect_parse(dup(d, ev)); return 0;
    }
    return 0;
}

static int on_victims(ngp_decoder *d, const ngp_jw_event *ev)
{
    ngp_request *r = d->req;
    ngp_victims *v = d->victims;
    switch (ev->id) {
    case D_VMAP:
    case D_MMAP:
        if (ev->kind == NGP_JW_BEGIN) {
            bool meta = ev->id == D_MMAP;
            *(meta ? &r->has_meta : &r->has_victims) = true;
            d->vlist = meta ? &r->meta : &r->victims;
            d->nvlist = meta ? &r->nmeta : &r->nvictims;
            *d->nvlist = 0;
            d->cap_vlist = 0;
        } else if (ev->kind == NGP_JW_KEY) {
            d->victims = APPEND(d, *d->vlist, *d->nvlist, d->cap_vlist);
            *d->victims = (ngp_victims){.node = dup(d, ev)};
        }
        return 0;
    case D_VICTIMS: return 0;
    case D_VPODS: v->nuids = 0; d->cap_uids = 0; return 0;
    case D_VPOD: if (ev->kind == NGP_JW_BEGIN) *APPEND(d, v->uids, v->nuids, d->cap_uids) = ""; return 0;
    case D_VPOD_UID: v->uids[v->nuids - 1] = dup(d, ev); return 0;
    case D_VPDB: return ev->kind == NGP_JW_VALUE ? number(d, ev, INT64_MIN, INT64_MAX, &v->pdb_violations) : 0;
    }
    return 0;
}

static int on_misc(ngp_decoder *d, const ngp_jw_event *ev)
{
    ngp_request *r = d->req;
    switch (ev->id) {
    case D_ROOT: if (ev->kind == NGP_JW_BEGIN) back_to_root(d); return 0;
    case D_NAMES:
        r->has_names |= ev->kind == NGP_JW_BEGIN;
        r->nnames = 0;
        d->cap_names = 0;
        return 0;
    case D_NAME: *APPEND(d, r->names, r->nnames, d->cap_names) = ev->kind == NGP_JW_VALUE ? dup(d, ev) : ""; return 0;
    case D_DS: r->has_ds |= ev->kind == NGP_JW_BEGIN; return 0;
    case D_DS_NAME: r->ds_name = dup(d, ev); return 0;
    case D_DS_NAMESPACE: r->ds_namespace = dup(d, ev); return 0;
    case D_KIND: r->kind = dup(d, ev); return 0;
    case D_TYPE: r->type = dup(d, ev); r->has_type = true; return 0;
    }
    return 0;
}

static int route(ngp_decoder *d, const ngp_jw_event *ev)
{
    static int (*const handler[D_COUNT])(ngp_decoder *, const ngp_jw_event *) = {
        [D_POD ... D_SELECTOR_VALUE] = on_pod,    [D_TOLS ... D_TOL_SECONDS] = on_toleration,
        [D_REQUIRED ... D_PREF_TERM] = on_affinity, [D_EXPRS ... D_REQMT_VALUE] = on_requirement,
        [D_NODELIST ... D_TAINT_EFFECT] = on_node, [D_VMAP ... D_VPDB] = on_victims,
        [D_ROOT ... D_TYPE] = on_misc};
    return handler[ev->id] ? handler[ev->id](d, ev) : 0;
}

/* Routes each event to the part of the model it fills. As in Go, a null
 * list element is a zero element, a null string is "", and any other null
 * leaves the zero value in place (but a null required selector is absent). */
static int on_event(void *user, const ngp_jw_event *ev)
{
    ngp_decoder *d = user;
    switch (ev->id) {
    case D_TOL: case D_TAINT: case D_REQMT: case D_PREF: case D_REQ_TERM: case D_NODE: case D_VPOD:
        if (ev->kind == NGP_JW_NULL) {
            route(d, &(ngp_jw_event){.kind = NGP_JW_BEGIN, .id = ev->id});
            return route(d, &(ngp_jw_event){.kind = NGP_JW_END, .id = ev->id});
        }
        break;
    case D_NODE_NAME_REQ: case D_POD_NAME: case D_POD_NAMESPACE: case D_POD_UID: case D_TOL_KEY:
    case D_TOL_OP: case D_TOL_VALUE: case D_TOL_EFFECT: case D_REQMT_KEY: case D_REQMT_OP:
    case D_NODE_NAME: case D_TAINT_KEY: case D_TAINT_VALUE: case D_TAINT_EFFECT: case D_VPOD_UID:
    case D_DS_NAME: case D_DS_NAMESPACE: case D_KIND: case D_TYPE:
        if (ev->kind == NGP_JW_NULL)
            return route(d, &(ngp_jw_event){.kind = NGP_JW_VALUE, .id = ev->id, .str = "", .len = 0});
        break;
    case D_REQUIRED: case D_SELECTOR_VALUE: case D_LABEL_VALUE: case D_REQMT_VALUE: case D_NAME:
        break;
    default:
        if (ev->kind == NGP_JW_NULL)
            return 0;
    }
    if (ev->kind == NGP_JW_END && ev->id != D_NODE && ev->id != D_OBJECT)
        return 0;
    return route(d, ev);
}

ngp_decoder *ngp_decoder_new(ng_verb verb, ngp_arena *arena, ngp_request *req)
{
    ngp_decoder *d = ngp_xcalloc(1, sizeof *d);
    d->arena = arena;
    d->req = req;
    req->pod = (ngp_pod){.name = "", .namespace = "", .uid = "", .node_name = ""};
    req->root = (ngp_node_in){.name = ""};
    req->ds_name = req->ds_namespace = req->kind = req->type = "";
    back_to_root(d);
    d->jw = ngp_jw_new(roots[verb], on_event, d);
    return d;
}

void ngp_decoder_free(ngp_decoder *d)
{
    if (d) {
        ngp_jw_free(d->jw);
        free(d);
    }
}

int ngp_decoder_feed(ngp_decoder *d, const char *chunk, size_t len) { return ngp_jw_feed(d->jw, chunk, len); }
int ngp_decoder_finish(ngp_decoder *d) { return ngp_jw_finish(d->jw); }
const char *ngp_decoder_error(const ngp_decoder *d) { return ngp_jw_error(d->jw); }
const char *ngp_decoder_captured(const ngp_decoder *d) { return ngp_jw_captured(d->jw); }

bool ngp_node_valid(const ngp_node_in *n, char *err, size_t errlen)
{
    if (n->name[0] == '\0') {
        snprintf(err, errlen, "metadata.name: Required value");
        return false;
    }
    for (uint32_t i = 0; i < n->ntaints; i++) {
        const ngp_taint *t = &n->taints[i];
        if (t->key[0] == '\0') {
            snprintf(err, errlen, "node \"%s\": spec.taints[%u].key: Required value", n->name, i);
            return false;
        }
        if (t->effect == NGP_EFFECT_EMPTY || t->effect == NGP_EFFECT_OTHER) {
            snprintf(err, errlen,
                     "node \"%s\": spec.taints[%u].effect: Unsupported value: supported values: "
                     "\"NoSchedule\", \"PreferNoSchedule\", \"NoExecute\"", n->name, i);
            return false;
        }
    }
    return true;
}
