/* schema.c - the static schemas of ExtenderArgs, preemption args, DaemonSet args and node updates, and their shapes. */
#include "schema.h"

#define STR(i_) {.type = NGP_JW_STRING, .id = (i_)}
#define ARR(i_, e) {.type = NGP_JW_ARRAY, .id = (i_), .elem = (e)}
#define OBJ(i_, f) {.type = NGP_JW_OBJECT, .id = (i_), .fields = (f)}
#define IOBJ(i_, f) {.type = NGP_JW_OBJECT, .id = (i_), .icase = true, .fields = (f)}

/* Node selector requirements and terms. */
static const ngp_jw_schema s_reqmt_key = STR(NGP_S_REQMT_KEY), s_reqmt_op = STR(NGP_S_REQMT_OP),
                          s_reqmt_value = STR(NGP_S_REQMT_VALUE);
static const ngp_jw_schema s_reqmt_values = ARR(NGP_S_REQMT_VALUES, &s_reqmt_value);
static const ngp_jw_field f_reqmt[] = {
    {"key", &s_reqmt_key}, {"operator", &s_reqmt_op}, {"values", &s_reqmt_values}, {0}};
static const ngp_jw_schema s_reqmt = OBJ(NGP_S_REQMT, f_reqmt);
static const ngp_jw_schema s_exprs = ARR(NGP_S_EXPRS, &s_reqmt), s_fields = ARR(NGP_S_FIELDS, &s_reqmt);
static const ngp_jw_field f_term[] = {{"matchExpressions", &s_exprs}, {"matchFields", &s_fields}, {0}};
static const ngp_jw_schema s_req_term = OBJ(NGP_S_REQ_TERM, f_term),
                           s_pref_term = OBJ(NGP_S_PREF_TERM, f_term);

/* Pod spec: tolerations, nodeSelector, node affinity, nodeName, hostNetwork. */
static const ngp_jw_schema s_req_terms = ARR(NGP_S_REQ_TERMS, &s_req_term);
static const ngp_jw_field f_required[] = {{"nodeSelectorTerms", &s_req_terms}, {0}};
static const ngp_jw_schema s_required = OBJ(NGP_S_REQUIRED, f_required);
static const ngp_jw_schema s_pref_weight = {.type = NGP_JW_NUMBER, .id = NGP_S_PREF_WEIGHT};
static const ngp_jw_field f_pref[] = {{"weight", &s_pref_weight}, {"preference", &s_pref_term}, {0}};
static const ngp_jw_schema s_pref = OBJ(NGP_S_PREF, f_pref);
static const ngp_jw_schema s_prefs = ARR(NGP_S_PREFS, &s_pref);
static const ngp_jw_field f_node_affinity[] = {
    {"requiredDuringSchedulingIgnoredDuringExecution", &s_required},
    {"preferredDuringSchedulingIgnoredDuringExecution", &s_prefs}, {0}};
static const ngp_jw_schema s_node_affinity = OBJ(NGP_S_NONE, f_node_affinity);
static const ngp_jw_field f_affinity[] = {{"nodeAffinity", &s_node_affinity}, {0}};
static const ngp_jw_schema s_affinity = OBJ(NGP_S_NONE, f_affinity);
static const ngp_jw_schema s_tol_key = STR(NGP_S_TOL_KEY), s_tol_op = STR(NGP_S_TOL_OP),
                          s_tol_value = STR(NGP_S_TOL_VALUE), s_tol_effect = STR(NGP_S_TOL_EFFECT),
                          s_tol_seconds = {.type = NGP_JW_NUMBER, .id = NGP_S_TOL_SECONDS};
static const ngp_jw_field f_tol[] = {{"key", &s_tol_key}, {"operator", &s_tol_op},
                                     {"value", &s_tol_value}, {"effect", &s_tol_effect},
                                     {"tolerationSeconds", &s_tol_seconds}, {0}};
static const ngp_jw_schema s_tol = OBJ(NGP_S_TOL, f_tol);
static const ngp_jw_schema s_tols = ARR(NGP_S_TOLS, &s_tol);
static const ngp_jw_schema s_selector_value = STR(NGP_S_SELECTOR_VALUE);
static const ngp_jw_schema s_selector = {.type = NGP_JW_MAP, .id = NGP_S_SELECTOR, .elem = &s_selector_value};
static const ngp_jw_schema s_node_name_req = STR(NGP_S_NODE_NAME_REQ);
static const ngp_jw_schema s_host_network = {.type = NGP_JW_BOOL, .id = NGP_S_HOST_NETWORK};
static const ngp_jw_field f_pod_spec[] = {
    {"nodeName", &s_node_name_req}, {"hostNetwork", &s_host_network}, {"nodeSelector", &s_selector},
    {"tolerations", &s_tols}, {"affinity", &s_affinity}, {0}};
static const ngp_jw_schema s_pod_spec = OBJ(NGP_S_NONE, f_pod_spec);
static const ngp_jw_schema s_pod_name = STR(NGP_S_POD_NAME), s_pod_namespace = STR(NGP_S_POD_NAMESPACE),
                          s_pod_uid = STR(NGP_S_POD_UID);
static const ngp_jw_field f_pod_meta[] = {
    {"name", &s_pod_name}, {"namespace", &s_pod_namespace}, {"uid", &s_pod_uid}, {0}};
static const ngp_jw_schema s_pod_meta = OBJ(NGP_S_NONE, f_pod_meta);
static const ngp_jw_field f_pod[] = {{"metadata", &s_pod_meta}, {"spec", &s_pod_spec}, {0}};
static const ngp_jw_schema s_pod = OBJ(NGP_S_POD, f_pod);

/* Node: name, labels, taints, unschedulable; captured (echoed) in full-mode requests. */
static const ngp_jw_schema s_node_name = STR(NGP_S_NODE_NAME), s_label_value = STR(NGP_S_LABEL_VALUE);
static const ngp_jw_schema s_labels = {.type = NGP_JW_MAP, .id = NGP_S_LABELS, .elem = &s_label_value};
static const ngp_jw_field f_node_meta[] = {{"name", &s_node_name}, {"labels", &s_labels}, {0}};
static const ngp_jw_schema s_node_meta = OBJ(NGP_S_NONE, f_node_meta);
static const ngp_jw_schema s_taint_key = STR(NGP_S_TAINT_KEY), s_taint_value = STR(NGP_S_TAINT_VALUE),
                          s_taint_effect = STR(NGP_S_TAINT_EFFECT);
static const ngp_jw_field f_taint[] = {
    {"key", &s_taint_key}, {"value", &s_taint_value}, {"effect", &s_taint_effect}, {0}};
static const ngp_jw_schema s_taint = OBJ(NGP_S_TAINT, f_taint);
static const ngp_jw_schema s_taints = ARR(NGP_S_TAINTS, &s_taint);
static const ngp_jw_schema s_unschedulable = {.type = NGP_JW_BOOL, .id = NGP_S_UNSCHEDULABLE};
static const ngp_jw_field f_node_spec[] = {{"unschedulable", &s_unschedulable}, {"taints", &s_taints}, {0}};
static const ngp_jw_schema s_node_spec = OBJ(NGP_S_NONE, f_node_spec);
static const ngp_jw_field f_node[] = {{"metadata", &s_node_meta}, {"spec", &s_node_spec}, {0}};
static const ngp_jw_schema s_node = OBJ(NGP_S_NODE, f_node);
static const ngp_jw_schema s_node_captured = {
    .type = NGP_JW_OBJECT, .id = NGP_S_NODE, .capture = true, .fields = f_node};
static const ngp_jw_schema s_items = ARR(NGP_S_ITEMS, &s_node_captured);
static const ngp_jw_field f_nodelist[] = {{"items", &s_items}, {0}};
static const ngp_jw_schema s_nodelist = OBJ(NGP_S_NODELIST, f_nodelist);
static const ngp_jw_schema s_name = STR(NGP_S_NAME);
static const ngp_jw_schema s_names = {.type = NGP_JW_ARRAY, .id = NGP_S_NAMES, .elem = &s_name, .batch = true};

/* ExtenderArgs: Go structs (kube-scheduler's extender client encodes them with
 * encoding/json, and Go extenders decode them so), whose field names match
 * keys case-insensitively at every level (icase on a root holds for the whole
 * body). Node updates come from the API server, and client-go decodes those
 * with sigs.k8s.io/json, case-sensitively: s_update has no icase. */
static const ngp_jw_field f_args[] = {
    {"Pod", &s_pod}, {"Nodes", &s_nodelist}, {"NodeNames", &s_names}, {0}};
static const ngp_jw_schema s_args = IOBJ(NGP_S_ROOT, f_args);

/* ExtenderPreemptionArgs: victims as full pods or as UIDs. */
static const ngp_jw_schema s_vpod_uid = STR(NGP_S_VPOD_UID);
static const ngp_jw_field f_vpod_meta[] = {{"uid", &s_vpod_uid}, {0}};
static const ngp_jw_schema s_vpod_meta = OBJ(NGP_S_NONE, f_vpod_meta);
static const ngp_jw_field f_vpod[] = {{"metadata", &s_vpod_meta}, {0}};
static const ngp_jw_schema s_vpod = OBJ(NGP_S_VPOD, f_vpod);
static const ngp_jw_field f_mpod[] = {{"UID", &s_vpod_uid}, {0}};
static const ngp_jw_schema s_mpod = OBJ(NGP_S_VPOD, f_mpod);
static const ngp_jw_schema s_vpods = ARR(NGP_S_VPODS, &s_vpod), s_mpods = ARR(NGP_S_VPODS, &s_mpod);
static const ngp_jw_schema s_vpdb = {.type = NGP_JW_NUMBER, .id = NGP_S_VPDB};
static const ngp_jw_field f_victims[] = {{"Pods", &s_vpods}, {"NumPDBViolations", &s_vpdb}, {0}};
static const ngp_jw_field f_meta[] = {{"Pods", &s_mpods}, {"NumPDBViolations", &s_vpdb}, {0}};
static const ngp_jw_schema s_victims = OBJ(NGP_S_VICTIMS, f_victims), s_meta = OBJ(NGP_S_VICTIMS, f_meta);
static const ngp_jw_schema s_vmap = {.type = NGP_JW_MAP, .id = NGP_S_VICTIM_MAP, .elem = &s_victims};
static const ngp_jw_schema s_mmap = {.type = NGP_JW_MAP, .id = NGP_S_META_MAP, .elem = &s_meta};
static const ngp_jw_field f_preempt[] = {
    {"Pod", &s_pod}, {"NodeNameToVictims", &s_vmap}, {"NodeNameToMetaVictims", &s_mmap}, {0}};
static const ngp_jw_schema s_preempt = IOBJ(NGP_S_ROOT, f_preempt);

/* DaemonSet placement: {DaemonSet, Nodes, NodeNames}. */
static const ngp_jw_schema s_ds_name = STR(NGP_S_DS_NAME), s_ds_namespace = STR(NGP_S_DS_NAMESPACE);
static const ngp_jw_field f_ds_meta[] = {{"name", &s_ds_name}, {"namespace", &s_ds_namespace}, {0}};
static const ngp_jw_schema s_ds_meta = OBJ(NGP_S_NONE, f_ds_meta);
static const ngp_jw_field f_template[] = {{"spec", &s_pod_spec}, {0}};
static const ngp_jw_schema s_template = OBJ(NGP_S_POD, f_template);
static const ngp_jw_field f_ds_spec[] = {{"template", &s_template}, {0}};
static const ngp_jw_schema s_ds_spec = OBJ(NGP_S_NONE, f_ds_spec);
static const ngp_jw_schema s_ds_kind = STR(NGP_S_DS_KIND);
static const ngp_jw_field f_ds[] = {{"kind", &s_ds_kind}, {"metadata", &s_ds_meta}, {"spec", &s_ds_spec}, {0}};
static const ngp_jw_schema s_ds = OBJ(NGP_S_DS, f_ds);
static const ngp_jw_field f_ds_args[] = {
    {"DaemonSet", &s_ds}, {"Nodes", &s_nodelist}, {"NodeNames", &s_names}, {0}};
static const ngp_jw_schema s_ds_args = IOBJ(NGP_S_ROOT, f_ds_args);

/* Explanations: {Pod or DaemonSet, Nodes, NodeNames}; both objects fill the one pod part. */
static const ngp_jw_field f_explain[] = {
    {"Pod", &s_pod}, {"DaemonSet", &s_ds}, {"Nodes", &s_nodelist}, {"NodeNames", &s_names}, {0}};
static const ngp_jw_schema s_explain = IOBJ(NGP_S_ROOT, f_explain);

/* Node updates: a Node, a NodeList or a watch event, told apart after parsing. What a watch
 * client needs of the envelope goes back in the reply: the resourceVersion of the Node, the list
 * or the event's object, a list page's continue token, a bookmark's initial-events-end
 * annotation, and an ERROR event's Status (code, reason, message). */
static const ngp_jw_schema s_kind = STR(NGP_S_KIND), s_type = STR(NGP_S_TYPE);
static const ngp_jw_schema s_rv = STR(NGP_S_RV), s_continue = STR(NGP_S_CONTINUE);
static const ngp_jw_schema s_update_items = ARR(NGP_S_ITEMS, &s_node);
static const ngp_jw_schema s_annotation = STR(NGP_S_ANNOTATION);
static const ngp_jw_schema s_annotations = {.type = NGP_JW_MAP, .id = NGP_S_ANNOTATIONS, .elem = &s_annotation};
static const ngp_jw_field f_object_meta[] = {
    {"name", &s_node_name}, {"labels", &s_labels}, {"resourceVersion", &s_rv},
    {"annotations", &s_annotations}, {0}};
static const ngp_jw_schema s_object_meta = OBJ(NGP_S_NONE, f_object_meta);
static const ngp_jw_schema s_status_code = {.type = NGP_JW_NUMBER, .id = NGP_S_STATUS_CODE},
                          s_status_reason = STR(NGP_S_STATUS_REASON), s_status_message = STR(NGP_S_STATUS_MESSAGE);
static const ngp_jw_field f_object[] = {
    {"metadata", &s_object_meta}, {"spec", &s_node_spec}, {"code", &s_status_code},
    {"reason", &s_status_reason}, {"message", &s_status_message}, {0}};
static const ngp_jw_schema s_object = {.type = NGP_JW_OBJECT, .id = NGP_S_OBJECT, .fields = f_object};
static const ngp_jw_field f_update_meta[] = {
    {"name", &s_node_name}, {"labels", &s_labels}, {"resourceVersion", &s_rv}, {"continue", &s_continue}, {0}};
static const ngp_jw_schema s_update_meta = OBJ(NGP_S_NONE, f_update_meta);
static const ngp_jw_field f_update[] = {
    {"kind", &s_kind}, {"type", &s_type}, {"metadata", &s_update_meta}, {"spec", &s_node_spec},
    {"items", &s_update_items}, {"object", &s_object}, {0}};
static const ngp_jw_schema s_update = OBJ(NGP_S_ROOT, f_update);

/* ---- shapes: where each request's parts are ---- */

static void bind_args(void *req, ngp_parts *p)
{
    ngp_args_req *r = req;
    *p = (ngp_parts){.has_pod = &r->has_pod, .pod = &r->pod, .nodes = &r->nodes, .names = &r->names};
}

static void bind_preempt(void *req, ngp_parts *p)
{
    ngp_preempt_req *r = req;
    *p = (ngp_parts){.has_pod = &r->has_pod, .pod = &r->pod, .victims = &r->victims, .meta = &r->meta};
}

static void bind_ds(void *req, ngp_parts *p)
{
    ngp_ds_req *r = req;
    *p = (ngp_parts){.has_pod = &r->has_pod, .pod = &r->pod, .nodes = &r->nodes, .names = &r->names, .ds = r};
}

static void bind_update(void *req, ngp_parts *p)
{
    ngp_update_req *r = req;
    *p = (ngp_parts){.nodes = &r->nodes, .update = r};
}

const ngp_shape ngp_shape_args = {&s_args, sizeof(ngp_args_req), bind_args};
const ngp_shape ngp_shape_preempt = {&s_preempt, sizeof(ngp_preempt_req), bind_preempt};
const ngp_shape ngp_shape_ds = {&s_ds_args, sizeof(ngp_ds_req), bind_ds};
const ngp_shape ngp_shape_update = {&s_update, sizeof(ngp_update_req), bind_update};
const ngp_shape ngp_shape_explain = {&s_explain, sizeof(ngp_ds_req), bind_ds};
