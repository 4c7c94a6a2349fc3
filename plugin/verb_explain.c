/* verb_explain.c - why each node fits a pod or a DaemonSet, or not: every rule that fails, with the
 * exact taint, nodeSelector entry or requirement, and the scores /prioritize gives.
 *
 * The verdicts are the other verbs' own (ngp_filter_outcome, ngp_daemon_outcome, ngp_scores on
 * the same evaluation); the details of a failure are looked up per node with the reference
 * rules of match.h, which the tests hold equal to the set operations. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bitset.h"
#include "daemon.h"
#include "match.h"
#include "outcome.h"
#include "reply.h"
#include "request.h"
#include "score.h"
#include "validate.h"
#include "verb.h"
#include "xalloc.h"

/* The plugin names of the rules, as kube-scheduler's profiles name them. */
static const char *const rule_name[] = {
    [NGP_FAIL_UNSCHEDULABLE] = "NodeUnschedulable", [NGP_FAIL_NODE_NAME] = "NodeName",
    [NGP_FAIL_TAINT] = "TaintToleration",           [NGP_FAIL_AFFINITY] = "NodeAffinity",
    [NGP_FAIL_NOT_CACHED] = "NodeCache",
};

/* The rules in the order of who checks them: kube-scheduler for a pod, the controller for a DaemonSet. */
static const ngp_outcome pod_order[] = {NGP_FAIL_NODE_NAME, NGP_FAIL_UNSCHEDULABLE, NGP_FAIL_TAINT,
                                        NGP_FAIL_AFFINITY};
static const ngp_outcome ds_order[] = {NGP_FAIL_NODE_NAME, NGP_FAIL_AFFINITY, NGP_FAIL_TAINT};

static const ngp_taint unschedulable_taint = {"node.kubernetes.io/unschedulable", "", NGP_EFFECT_NO_SCHEDULE};

/* One explanation: the evaluation and what every node is judged by. */
typedef struct {
    ngp_eval e;
    const ngp_pod *pod;
    bool daemon;
    bool tolerates_unschedulable;
    int64_t wanted;
    ngp_reasons why;
} explainer;

static bool fails(const explainer *x, ngp_outcome rule, uint32_t id)
{
    switch (rule) {
    case NGP_FAIL_NODE_NAME: return x->wanted != NGP_ANY_NODE && x->wanted != (int64_t)id;
    case NGP_FAIL_UNSCHEDULABLE:
        return !x->tolerates_unschedulable && ngp_bit_test(x->e.store->unschedulable, id);
    case NGP_FAIL_TAINT: return ngp_bit_test(x->e.blocked, id);
    case NGP_FAIL_AFFINITY: return !ngp_bit_test(x->e.affinity, id);
    default: return false;
    }
}

static void write_taint(ngp_buf *b, const ngp_taint *t)
{
    ngp_buf_puts(b, "{\"key\":");
    ngp_buf_json_str(b, t->key);
    ngp_buf_puts(b, ",\"value\":");
    ngp_buf_json_str(b, t->value);
    ngp_buf_puts(b, ",\"effect\":");
    ngp_buf_json_str(b, ngp_effect_name(t->effect));
    ngp_buf_putc(b, '}');
}

/* The first untolerated NoSchedule or NoExecute taint (the one /filter names), and all of them. */
static void write_taints(ngp_buf *b, const explainer *x, uint32_t id)
{
    const ngp_taint_list *l = x->e.store->nodes[id].taints;
    ngp_buf_puts(b, ",\"taint\":");
    write_taint(b, ngp_eval_untolerated(&x->e, id));
    ngp_buf_puts(b, ",\"untolerated\":[");
    const char *sep = "";
    for (uint32_t i = 0; i < l->ntaints; i++) {
        const ngp_taint *t = &l->taints[i];
        if (t->effect == NGP_EFFECT_PREFER_NO_SCHEDULE ||
            ngp_tolerations_tolerate(x->pod->tols, x->pod->ntols, t, x->e.comparison_ops))
            continue;
        ngp_buf_puts(b, sep);
        write_taint(b, t);
        sep = ",";
    }
    ngp_buf_putc(b, ']');
}

static void write_strings(ngp_buf *b, const char *const *v, uint32_t n)
{
    ngp_buf_putc(b, '[');
    for (uint32_t i = 0; i < n; i++) {
        if (i)
            ngp_buf_putc(b, ',');
        ngp_buf_json_str(b, v[i]);
    }
    ngp_buf_putc(b, ']');
}

static void write_requirement(ngp_buf *b, const ngp_requirement *r)
{
    ngp_buf_puts(b, "{\"key\":");
    ngp_buf_json_str(b, r->key);
    ngp_buf_puts(b, ",\"operator\":");
    ngp_buf_json_str(b, r->op_text);
    if (r->nvalues) {
        ngp_buf_puts(b, ",\"values\":");
        write_strings(b, r->values, r->nvalues);
    }
    ngp_buf_putc(b, '}');
}

/* The node's value of label key, NULL when it has none. */
static const char *label_of(const ngp_node *n, const char *key)
{
    for (uint32_t i = 0; i < n->nlabels; i++)
        if (strcmp(n->labels[i].key->key, key) == 0)
            return n->labels[i].value->value;
    return NULL;
}

static void write_node_value(ngp_buf *b, const char *v)
{
    if (!v)
        return;
    ngp_buf_puts(b, ",\"nodeValue\":");
    ngp_buf_json_str(b, v);
}

/* Why one required term does not match node n: it is empty, it does not parse, or its first
 * requirement the node fails. */
static void write_term(ngp_buf *b, const ngp_term *t, uint32_t i, const ngp_node *n, const ngp_kv *labels)
{
    ngp_buf_printf(b, "{\"term\":%u", i);
    if (ngp_term_is_empty(t)) {
        ngp_buf_puts(b, ",\"empty\":true}");
        return;
    }
    if (!t->valid) {
        char path[128], why[NGP_ERR_TEXT];
        snprintf(path, sizeof path,
                 "spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[%u]", i);
        ngp_term copy = *t;
        ngp_term_check(&copy, path, why, sizeof why);
        ngp_buf_puts(b, ",\"invalid\":");
        ngp_buf_json_str(b, why);
        ngp_buf_putc(b, '}');
        return;
    }
    for (uint32_t j = 0; j < t->nexprs; j++) {
        if (ngp_requirement_matches_labels(&t->exprs[j], labels, n->nlabels))
            continue;
        ngp_buf_printf(b, ",\"matchExpressions\":%u,\"requirement\":", j);
        write_requirement(b, &t->exprs[j]);
        write_node_value(b, label_of(n, t->exprs[j].key));
        ngp_buf_putc(b, '}');
        return;
    }
    for (uint32_t j = 0; j < t->nfields; j++) {
        if (ngp_requirement_matches_fields(&t->fields[j], n->name))
            continue;
        ngp_buf_printf(b, ",\"matchFields\":%u,\"requirement\":", j);
        write_requirement(b, &t->fields[j]);
        write_node_value(b, strcmp(t->fields[j].key, "metadata.name") == 0 ? n->name : "");
        ngp_buf_putc(b, '}');
        return;
    }
    ngp_buf_putc(b, '}');
}

/* The first nodeSelector entry node id lacks (kube-scheduler checks the selector first), else
 * why each required term fails. */
static void write_affinity(ngp_buf *b, const explainer *x, uint32_t id, ngp_arena *arena)
{
    const ngp_pod *pod = x->pod;
    const ngp_node *n = &x->e.store->nodes[id];
    for (uint32_t i = 0; i < pod->nselector; i++) {
        const char *v = label_of(n, pod->selector[i].key);
        if (v && strcmp(v, pod->selector[i].value) == 0)
            continue;
        ngp_buf_puts(b, ",\"nodeSelector\":{\"key\":");
        ngp_buf_json_str(b, pod->selector[i].key);
        ngp_buf_puts(b, ",\"value\":");
        ngp_buf_json_str(b, pod->selector[i].value);
        write_node_value(b, v);
        ngp_buf_putc(b, '}');
        return;
    }
    ngp_kv *labels = ngp_arena_alloc(arena, (n->nlabels + 1) * sizeof *labels);
    for (uint32_t i = 0; i < n->nlabels; i++)
        labels[i] = (ngp_kv){n->labels[i].key->key, n->labels[i].value->value};
    ngp_buf_puts(b, ",\"terms\":[");
    for (uint32_t i = 0; i < pod->nrequired; i++) {
        if (i)
            ngp_buf_putc(b, ',');
        write_term(b, &pod->required[i], i, n, labels);
    }
    ngp_buf_putc(b, ']');
}

static void write_term_spec(ngp_buf *b, const ngp_term *t)
{
    const char *sep = "{";
    if (t->nexprs) {
        ngp_buf_puts(b, "{\"matchExpressions\":[");
        for (uint32_t j = 0; j < t->nexprs; j++) {
            if (j)
                ngp_buf_putc(b, ',');
            write_requirement(b, &t->exprs[j]);
        }
        ngp_buf_putc(b, ']');
        sep = ",";
    }
    if (t->nfields) {
        ngp_buf_puts(b, sep);
        ngp_buf_puts(b, "\"matchFields\":[");
        for (uint32_t j = 0; j < t->nfields; j++) {
            if (j)
                ngp_buf_putc(b, ',');
            write_requirement(b, &t->fields[j]);
        }
        ngp_buf_putc(b, ']');
        sep = ",";
    }
    ngp_buf_puts(b, sep[0] == '{' ? "{}" : "}");
}

/* The scheduling part of the pod the controller creates for node: the daemon pod's spec, its
 * required affinity replaced by matchFields metadata.name In [node] (SPEC 7.3). */
static void write_daemon_pod(ngp_buf *b, const ngp_pod *pod, const ngp_node *node)
{
    ngp_buf_puts(b, ",\"pod\":{");
    if (pod->node_name[0]) {
        ngp_buf_puts(b, "\"nodeName\":");
        ngp_buf_json_str(b, pod->node_name);
        ngp_buf_putc(b, ',');
    }
    if (pod->host_network)
        ngp_buf_puts(b, "\"hostNetwork\":true,");
    for (uint32_t i = 0; i < pod->nselector; i++) {
        ngp_buf_puts(b, i ? "," : "\"nodeSelector\":{");
        ngp_buf_json_str(b, pod->selector[i].key);
        ngp_buf_putc(b, ':');
        ngp_buf_json_str(b, pod->selector[i].value);
    }
    ngp_buf_puts(b, pod->nselector ? "}," : "");
    ngp_buf_puts(b, "\"tolerations\":[");
    for (uint32_t i = 0; i < pod->ntols; i++) {
        const ngp_toleration *t = &pod->tols[i];
        const char *sep = "{";
        ngp_buf_puts(b, i ? "," : "");
        static const struct { const char *name; size_t at; } text[] = {
            {"key", offsetof(ngp_toleration, key)}, {"operator", offsetof(ngp_toleration, op_text)},
            {"value", offsetof(ngp_toleration, value)}, {"effect", offsetof(ngp_toleration, effect_text)}};
        for (size_t k = 0; k < sizeof text / sizeof *text; k++) {   /* omitempty, as the API writes them */
            const char *v = *(const char *const *)((const char *)t + text[k].at);
            if (!v[0])
                continue;
            ngp_buf_printf(b, "%s\"%s\":", sep, text[k].name);
            ngp_buf_json_str(b, v);
            sep = ",";
        }
        if (t->has_seconds) {
            ngp_buf_printf(b, "%s\"tolerationSeconds\":", sep);
            ngp_buf_int(b, t->seconds);
            sep = ",";
        }
        ngp_buf_puts(b, sep[0] == '{' ? "{}" : "}");
    }
    ngp_buf_puts(b, "],\"affinity\":{\"nodeAffinity\":{\"requiredDuringSchedulingIgnoredDuringExecution\":"
                    "{\"nodeSelectorTerms\":[{\"matchFields\":[{\"key\":\"metadata.name\",\"operator\":\"In\","
                    "\"values\":[");
    ngp_buf_put(b, node->quoted, node->quoted_len);
    ngp_buf_puts(b, "]}]}]}");
    if (pod->npreferred) {
        ngp_buf_puts(b, ",\"preferredDuringSchedulingIgnoredDuringExecution\":[");
        for (uint32_t i = 0; i < pod->npreferred; i++) {
            ngp_buf_printf(b, "%s{\"weight\":%d,\"preference\":", i ? "," : "", pod->preferred[i].weight);
            write_term_spec(b, &pod->preferred[i].preference);
            ngp_buf_putc(b, '}');
        }
        ngp_buf_putc(b, ']');
    }
    ngp_buf_puts(b, "}}}");
}

/* One node's entry: its verdict, the first failing rule and its reason as /filter (or
 * /daemonset) gives it, every failing rule in order with what failed, and the scores or the
 * DaemonSet's plan. */
static void write_node(ngp_buf *b, explainer *x, const ngp_targets *t, uint32_t i, const int64_t *scores,
                       ngp_arena *arena)
{
    const ngp_outcome *order = x->daemon ? ds_order : pod_order;
    size_t norder = x->daemon ? sizeof ds_order / sizeof *ds_order : sizeof pod_order / sizeof *pod_order;
    int64_t sid = t->ids[i];
    uint32_t id = (uint32_t)sid;
    ngp_outcome o = sid < 0 ? NGP_FAIL_NOT_CACHED
                    : x->daemon ? ngp_daemon_outcome(&x->e, x->wanted, id)
                                : ngp_filter_outcome(&x->e, x->tolerates_unschedulable, x->wanted, id);
    ngp_buf_puts(b, "{\"name\":");
    ngp_write_name(b, t, i);
    ngp_buf_printf(b, ",\"fits\":%s,\"rule\":", o == NGP_PASS ? "true" : "false");
    if (o == NGP_PASS) {
        ngp_buf_puts(b, "null,\"reason\":null,\"failing\":[]");
    } else {
        ngp_buf_printf(b, "\"%s\",\"reason\":", rule_name[o]);
        ngp_write_reason(b, &x->why, o, id);
        ngp_buf_puts(b, ",\"failing\":[");
        if (sid < 0)
            ngp_buf_printf(b, "\"%s\"", rule_name[o]);
        const char *sep = "";
        for (size_t k = 0; sid >= 0 && k < norder; k++)
            if (fails(x, order[k], id)) {
                ngp_buf_printf(b, "%s\"%s\"", sep, rule_name[order[k]]);
                sep = ",";
            }
        ngp_buf_putc(b, ']');
    }
    if (sid >= 0) {
        if (fails(x, NGP_FAIL_NODE_NAME, id)) {
            ngp_buf_puts(b, ",\"nodeName\":");
            ngp_buf_json_str(b, x->pod->node_name);
        }
        if (!x->daemon && fails(x, NGP_FAIL_UNSCHEDULABLE, id)) {
            ngp_buf_puts(b, ",\"unschedulableTaint\":");
            write_taint(b, &unschedulable_taint);
        }
        if (fails(x, NGP_FAIL_TAINT, id))
            write_taints(b, x, id);
        if (fails(x, NGP_FAIL_AFFINITY, id))
            write_affinity(b, x, id, arena);
    }
    if (x->daemon) {
        ngp_buf_printf(b, ",\"shouldRun\":%s,\"shouldContinueRunning\":%s", o == NGP_PASS ? "true" : "false",
                       ngp_daemon_keeps(&x->e, o, id) ? "true" : "false");
        if (sid >= 0)
            write_daemon_pod(b, x->pod, &x->e.store->nodes[id]);
    } else if (scores) {
        ngp_buf_printf(b, ",\"scores\":{\"TaintToleration\":%lld,\"NodeAffinity\":%lld,\"combined\":%lld}",
                       (long long)scores[i], (long long)scores[t->n + i], (long long)scores[2 * (size_t)t->n + i]);
    } else {
        ngp_buf_puts(b, ",\"scores\":null");
    }
    ngp_buf_putc(b, '}');
}

bool ngp_verb_explain(const ngp_verb_ctx *c, ngp_buf *b, ngp_err *err)
{
    const ngp_ds_req *req = c->req;
    const ngp_targets *t = c->t;
    if (!req->has_ds && !req->has_pod)
        return ngp_err_set(err, NGP_EBADJSON, "Pod or DaemonSet: required (a v1 Pod or an apps/v1 DaemonSet object)");
    /* both fill the one pod part: a Pod's metadata beside a DaemonSet gives it away */
    if (req->has_ds && (req->pod.name[0] || req->pod.namespace[0] || req->pod.uid[0]))
        return ngp_err_set(err, NGP_EBADJSON, "Pod and DaemonSet: give one of them, not both");
    explainer x = {.daemon = req->has_ds};
    ngp_pod daemon;
    if (x.daemon)
        daemon = ngp_daemon_pod(&req->pod, c->arena);
    x.pod = x.daemon ? &daemon : &req->pod;
    ngp_eval_init(&x.e, t->store, x.pod, c->opt->comparison_ops);
    x.tolerates_unschedulable = ngp_eval_tolerates_unschedulable(&x.e);
    x.wanted = ngp_wanted_node(t->store, x.pod->node_name);
    ngp_reasons_init(&x.why, &x.e);
    int64_t *scores = NULL;   /* taint, affinity and combined scores, t->n each */
    if (!x.daemon && !x.pod->preferred_problem) {
        scores = ngp_xmalloc(3 * (size_t)t->n * sizeof *scores);
        ngp_scores(c->opt, &x.e, t, scores, scores + t->n, scores + 2 * (size_t)t->n);
    }
    ngp_reply_reserve(b, t, 512);
    ngp_buf_printf(b, "{\"kind\":\"%s\",\"name\":", x.daemon ? "DaemonSet" : "Pod");
    ngp_buf_json_str(b, x.daemon ? req->name : req->pod.name);
    ngp_buf_puts(b, ",\"namespace\":");
    ngp_buf_json_str(b, x.daemon ? req->namespace : req->pod.namespace);
    if (!x.daemon && x.pod->preferred_problem) {   /* /prioritize answers 422 with this */
        ngp_buf_puts(b, ",\"scoreError\":");
        ngp_buf_json_str(b, x.pod->preferred_problem);
    }
    ngp_buf_puts(b, ",\"nodes\":[");
    for (uint32_t i = 0; i < t->n; i++) {
        if (i)
            ngp_buf_putc(b, ',');
        write_node(b, &x, t, i, scores, c->arena);
    }
    ngp_buf_puts(b, "]}");
    free(scores);
    ngp_reasons_free(&x.why);
    ngp_eval_free(&x.e);
    return true;
}
