/* decode.c - the model builder: walker events routed into the parts of a verb's request. */
#include "decode.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kint.h"
#include "schema.h"
#include "strmap.h"
#include "validate.h"
#include "xalloc.h"

struct ngp_decoder {
    ngp_jw *jw;
    ngp_arena *arena;
    ngp_parts parts;
    ngp_node_in *node;           /* node being filled (the update's root outside items/object) */
    ngp_term *term;              /* term being filled */
    ngp_requirement **list;      /* exprs or fields of term */
    uint32_t *nlist;
    ngp_requirement *reqmt;
    ngp_pref_term *pref;
    ngp_victims *victims;
    ngp_victim_map *vmap;        /* victims or meta */
    const char *key;             /* last MAP key */
    char *text_at, *text_end;    /* the free end of the arena block that NodeNames are copied into */
    ngp_strmap selector_at;      /* nodeSelector key -> its index + 1 in the pod's selector */
};

/* Arrays are arena-backed and only appended to, so their capacity follows from their count. */
#define PUSH(d, array, count) NGP_ARENA_PUSH((d)->arena, array, count)

static const char *dup(ngp_decoder *d, const ngp_jw_event *ev)
{
    return ngp_arena_strndup(d->arena, ev->str, ev->len);
}

/* Go decodes JSON numbers into intN fields only when they are integers in range. */
static ngp_status number(ngp_decoder *d, const ngp_jw_event *ev, int64_t lo, int64_t hi, int64_t *out)
{
    if (!ngp_parse_go_int(ev->str, out) || *out < lo || *out > hi)
        return ngp_jw_fail(d->jw, NGP_EBADJSON, "cannot unmarshal number %s into an integer field of %d bits",
                           ev->str, hi == INT32_MAX ? 32 : 64);
    return NGP_OK;
}

/* A call's candidates are capped (NGP_MAX_NODES): its Nodes.items here, its NodeNames in
 * name_refused; a node update is not. */
#define TOO_MANY "more than %d %s: the most one call may name"

static ngp_status begin_node(ngp_decoder *d)
{
    ngp_nodes *nodes = d->parts.nodes;
    if (nodes->n >= NGP_MAX_NODES && !d->parts.update)
        return ngp_jw_fail(d->jw, NGP_ETOOBIG, TOO_MANY, NGP_MAX_NODES, "nodes");
    d->node = PUSH(d, nodes->v, nodes->n);
    *d->node = (ngp_node_in){.name = ""};
    return NGP_OK;
}

/* Room for len bytes and a NUL at the free end of the arena block that NodeNames are copied
 * into: names go one after another into blocks, with no allocation of their own (thousands a
 * call). */
static char *text_room(ngp_decoder *d, size_t len)
{
    enum { TEXT_BLOCK = 8192 };
    if ((size_t)(d->text_end - d->text_at) <= len) {
        size_t size = len < TEXT_BLOCK ? TEXT_BLOCK : len + 1;
        d->text_at = ngp_arena_alloc(d->arena, size);
        d->text_end = d->text_at + size;
    }
    return d->text_at;
}

/* Whether entry n of NodeNames, len bytes, may join the list: a call names at most NGP_MAX_NODES.
 * A name is checked against the node name rule only when the cache does not hold it
 * (ngp_targets_from_names): cached names passed the rule on their way in. An empty one, which
 * no Node has, is refused at once, before 3 MB of "" are read. On refusal, why says it. */
static ngp_status name_refused(uint32_t n, size_t len, char *why, size_t size)
{
    if (n >= NGP_MAX_NODES) {
        snprintf(why, size, TOO_MANY, NGP_MAX_NODES, "node names");
        return NGP_ETOOBIG;
    }
    return len == 0 && !ngp_check_node_name("", 0, why, size) ? NGP_EBADARG : NGP_OK;
}

/* The length is kept so that a NUL inside a name cannot make it read as a shorter, cached name. */
static ngp_status put_name(ngp_decoder *d, const ngp_jw_event *ev)
{
    ngp_names *names = d->parts.names;
    size_t len = ev->kind == NGP_JW_VALUE ? ev->len : 0;
    char why[128];
    ngp_status st = name_refused(names->n, len, why, sizeof why);
    if (st != NGP_OK)
        return ngp_jw_fail(d->jw, st, "%s", why);
    char *copy = text_room(d, len);
    memcpy(copy, ev->str, len);
    copy[len] = '\0';
    d->text_at += len + 1;
    uint32_t n = names->n;
    *PUSH(d, names->lens, n) = len;
    *PUSH(d, names->v, names->n) = copy;
    return NGP_OK;
}

/* Plain NodeNames entries, many at once (NGP_JW_STRINGS), as put_name takes one: the chunk's
 * bytes from the first to the last are copied in one go, and each name's closing quote in the
 * copy becomes its NUL. */
static ngp_status put_names(ngp_decoder *d, const ngp_jw_event *ev)
{
    ngp_names *names = d->parts.names;
    const ngp_scan_span *sp = ev->spans;
    uint32_t n = names->n, k = (uint32_t)ev->nspans;
    size_t first = sp[0].from, len = sp[k - 1].from + sp[k - 1].len - first;
    char *copy = text_room(d, len);
    memcpy(copy, ev->str + first, len);
    names->v = ngp_arena_reserve(d->arena, names->v, sizeof *names->v, n, k);
    names->lens = ngp_arena_reserve(d->arena, names->lens, sizeof *names->lens, n, k);
    for (uint32_t i = 0; i < k; i++, n++) {
        char why[128];
        names->n = n;
        ngp_status st = name_refused(n, sp[i].len, why, sizeof why);
        if (st != NGP_OK)
            return ngp_jw_fail_at(d->jw, i, st, "%s", why);
        char *name = copy + (sp[i].from - first);
        name[sp[i].len] = '\0';
        names->v[n] = name;
        names->lens[n] = sp[i].len;
    }
    names->n = n;
    d->text_at += len + 1;
    return NGP_OK;
}

static void back_to_root(ngp_decoder *d)
{
    d->node = d->parts.update ? &d->parts.update->root : NULL;
}

/* The API server's verdict on a node, kept in it for whoever uses the node. */
static void check_node(ngp_decoder *d, ngp_node_in *n)
{
    char err[512];
    n->problem = ngp_node_check(n, err, sizeof err) ? NULL : ngp_arena_strndup(d->arena, err, strlen(err));
}

/* A repeated nodeSelector key overwrites, as in a Go map; found by hash,
 * as a pod may carry 100,000 keys. */
static void put_selector(ngp_decoder *d, const char *value)
{
    ngp_pod *p = d->parts.pod;
    uintptr_t at = (uintptr_t)ngp_strmap_get(&d->selector_at, d->key, strlen(d->key));
    if (at) {
        p->selector[at - 1].value = value;
        return;
    }
    *PUSH(d, p->selector, p->nselector) = (ngp_kv){d->key, value};
    ngp_strmap_put(&d->selector_at, d->key, (void *)(uintptr_t)p->nselector);
}

static ngp_status on_pod(ngp_decoder *d, const ngp_jw_event *ev)
{
    ngp_pod *p = d->parts.pod;
    switch (ev->id) {
    case NGP_S_POD:
        *d->parts.has_pod |= ev->kind == NGP_JW_BEGIN;
        if (ev->kind == NGP_JW_END)
            ngp_pod_check(p, d->arena);
        return NGP_OK;
    case NGP_S_POD_NAME: p->name = dup(d, ev); return NGP_OK;
    case NGP_S_POD_NAMESPACE: p->namespace = dup(d, ev); return NGP_OK;
    case NGP_S_POD_UID: p->uid = dup(d, ev); return NGP_OK;
    case NGP_S_NODE_NAME_REQ: p->node_name = dup(d, ev); return NGP_OK;
    case NGP_S_HOST_NETWORK: p->host_network = ev->boolean; return NGP_OK;
    case NGP_S_SELECTOR: if (ev->kind == NGP_JW_KEY) d->key = dup(d, ev); return NGP_OK;
    case NGP_S_SELECTOR_VALUE: put_selector(d, ev->kind == NGP_JW_VALUE ? dup(d, ev) : ""); return NGP_OK;
    }
    return NGP_OK;
}

static ngp_status on_toleration(ngp_decoder *d, const ngp_jw_event *ev)
{
    ngp_pod *p = d->parts.pod;
    ngp_toleration *t = p->ntols ? &p->tols[p->ntols - 1] : NULL;
    switch (ev->id) {
    case NGP_S_TOLS: p->ntols = 0; return NGP_OK;
    case NGP_S_TOL:
        if (ev->kind == NGP_JW_BEGIN)
            *PUSH(d, p->tols, p->ntols) =
                (ngp_toleration){.key = "", .value = "", .op_text = "", .effect_text = ""};
        return NGP_OK;
    case NGP_S_TOL_KEY: t->key = dup(d, ev); return NGP_OK;
    case NGP_S_TOL_VALUE: t->value = dup(d, ev); return NGP_OK;
    case NGP_S_TOL_OP: t->op_text = dup(d, ev); t->op = ngp_tol_op_parse(t->op_text); return NGP_OK;
    case NGP_S_TOL_EFFECT:
        t->effect_text = dup(d, ev);
        t->effect = ngp_effect_parse(t->effect_text);
        return NGP_OK;
    case NGP_S_TOL_SECONDS:
        t->has_seconds = ev->kind == NGP_JW_VALUE;
        return t->has_seconds ? number(d, ev, INT64_MIN, INT64_MAX, &t->seconds) : NGP_OK;
    }
    return NGP_OK;
}

static ngp_status on_affinity(ngp_decoder *d, const ngp_jw_event *ev)
{
    ngp_pod *p = d->parts.pod;
    switch (ev->id) {
    case NGP_S_REQUIRED:
        if (ev->kind != NGP_JW_END)
            p->has_required = ev->kind == NGP_JW_BEGIN;
        return NGP_OK;
    case NGP_S_REQ_TERMS: p->nrequired = 0; return NGP_OK;
    case NGP_S_REQ_TERM:
        if (ev->kind == NGP_JW_BEGIN || ev->kind == NGP_JW_NULL)
            *(d->term = PUSH(d, p->required, p->nrequired)) = (ngp_term){0};
        return NGP_OK;
    case NGP_S_PREFS: p->npreferred = 0; return NGP_OK;
    case NGP_S_PREF:
        if (ev->kind == NGP_JW_BEGIN)
            *(d->pref = PUSH(d, p->preferred, p->npreferred)) = (ngp_pref_term){0};
        return NGP_OK;
    case NGP_S_PREF_WEIGHT: {
        int64_t w = 0;
        ngp_status st = ev->kind == NGP_JW_VALUE ? number(d, ev, INT32_MIN, INT32_MAX, &w) : NGP_OK;
        d->pref->weight = (int32_t)w;
        return st;
    }
    case NGP_S_PREF_TERM: d->term = &d->pref->preference; return NGP_OK;
    }
    return NGP_OK;
}

static ngp_status on_requirement(ngp_decoder *d, const ngp_jw_event *ev)
{
    ngp_requirement *r = d->reqmt;
    switch (ev->id) {
    case NGP_S_EXPRS:
    case NGP_S_FIELDS:
        d->list = ev->id == NGP_S_EXPRS ? &d->term->exprs : &d->term->fields;
        d->nlist = ev->id == NGP_S_EXPRS ? &d->term->nexprs : &d->term->nfields;
        *d->nlist = 0;
        return NGP_OK;
    case NGP_S_REQMT:
        if (ev->kind == NGP_JW_BEGIN) {
            d->reqmt = PUSH(d, *d->list, *d->nlist);
            *d->reqmt = (ngp_requirement){.key = "", .op_text = "", .op = NGP_SEL_OTHER};
        }
        return NGP_OK;
    case NGP_S_REQMT_KEY: r->key = dup(d, ev); return NGP_OK;
    case NGP_S_REQMT_OP: r->op_text = dup(d, ev); r->op = ngp_sel_op_parse(r->op_text); return NGP_OK;
    case NGP_S_REQMT_VALUES: r->nvalues = 0; return NGP_OK;
    case NGP_S_REQMT_VALUE:
        *PUSH(d, r->values, r->nvalues) = ev->kind == NGP_JW_VALUE ? dup(d, ev) : "";
        return NGP_OK;
    }
    return NGP_OK;
}

static ngp_status on_node(ngp_decoder *d, const ngp_jw_event *ev)
{
    ngp_nodes *nodes = d->parts.nodes;
    ngp_node_in *n = d->node;
    switch (ev->id) {
    case NGP_S_NODELIST: nodes->present |= ev->kind == NGP_JW_BEGIN; return NGP_OK;
    case NGP_S_ITEMS:
        nodes->listed |= ev->kind == NGP_JW_BEGIN;
        nodes->n = 0;
        return NGP_OK;
    case NGP_S_OBJECT:
    case NGP_S_NODE:
        if (ev->id == NGP_S_OBJECT && ev->kind == NGP_JW_BEGIN) {
            d->parts.update->has_object = true;
            nodes->n = 0;
        }
        if (ev->kind == NGP_JW_BEGIN) {
            return begin_node(d);
        } else if (ev->kind == NGP_JW_END) {
            n->raw_off = ev->off;
            n->raw_len = ev->len_bytes;
            check_node(d, n);
            back_to_root(d);
        }
        return NGP_OK;
    case NGP_S_NODE_NAME: n->name = dup(d, ev); return NGP_OK;
    case NGP_S_LABELS: if (ev->kind == NGP_JW_KEY) d->key = dup(d, ev); return NGP_OK;
    case NGP_S_LABEL_VALUE:
        *PUSH(d, n->labels, n->nlabels) = (ngp_kv){d->key, ev->kind == NGP_JW_VALUE ? dup(d, ev) : ""};
        return NGP_OK;
    case NGP_S_UNSCHEDULABLE: n->unschedulable = ev->boolean; return NGP_OK;
    case NGP_S_TAINTS: n->ntaints = 0; return NGP_OK;
    case NGP_S_TAINT:
        if (ev->kind == NGP_JW_BEGIN)
            *PUSH(d, n->taints, n->ntaints) = (ngp_taint){.key = "", .value = "", .effect = NGP_EFFECT_EMPTY};
        return NGP_OK;
    case NGP_S_TAINT_KEY: n->taints[n->ntaints - 1].key = dup(d, ev); return NGP_OK;
    case NGP_S_TAINT_VALUE: n->taints[n->ntaints - 1].value = dup(d, ev); return NGP_OK;
    case NGP_S_TAINT_EFFECT: n->taints[n->ntaints - 1].effect = ngp_effect_parse(dup(d, ev)); return NGP_OK;
    }
    return NGP_OK;
}

static ngp_status on_victims(ngp_decoder *d, const ngp_jw_event *ev)
{
    ngp_victims *v = d->victims;
    switch (ev->id) {
    case NGP_S_VICTIM_MAP:
    case NGP_S_META_MAP:
        if (ev->kind == NGP_JW_BEGIN) {
            d->vmap = ev->id == NGP_S_META_MAP ? d->parts.meta : d->parts.victims;
            d->vmap->present = true;
            d->vmap->n = 0;
        } else if (ev->kind == NGP_JW_KEY) {
            d->victims = PUSH(d, d->vmap->v, d->vmap->n);
            *d->victims = (ngp_victims){.node = dup(d, ev)};
        }
        return NGP_OK;
    case NGP_S_VICTIMS: return NGP_OK;
    case NGP_S_VPODS: v->nuids = 0; return NGP_OK;
    case NGP_S_VPOD: if (ev->kind == NGP_JW_BEGIN) *PUSH(d, v->uids, v->nuids) = ""; return NGP_OK;
    case NGP_S_VPOD_UID: v->uids[v->nuids - 1] = dup(d, ev); return NGP_OK;
    case NGP_S_VPDB:
        return ev->kind == NGP_JW_VALUE ? number(d, ev, INT64_MIN, INT64_MAX, &v->pdb_violations) : NGP_OK;
    }
    return NGP_OK;
}

static ngp_status on_misc(ngp_decoder *d, const ngp_jw_event *ev)
{
    ngp_names *names = d->parts.names;
    ngp_update_req *u = d->parts.update;
    switch (ev->id) {
    case NGP_S_ROOT:
        if (ev->kind == NGP_JW_BEGIN)
            back_to_root(d);
        else if (ev->kind == NGP_JW_END && u)
            check_node(d, &u->root);
        return NGP_OK;
    case NGP_S_NAMES:
        names->present |= ev->kind == NGP_JW_BEGIN;
        names->n = 0;
        return NGP_OK;
    case NGP_S_DS: d->parts.ds->has_ds |= ev->kind == NGP_JW_BEGIN; return NGP_OK;
    case NGP_S_DS_KIND: d->parts.ds->kind = dup(d, ev); return NGP_OK;
    case NGP_S_DS_NAME: d->parts.ds->name = dup(d, ev); return NGP_OK;
    case NGP_S_DS_NAMESPACE: d->parts.ds->namespace = dup(d, ev); return NGP_OK;
    case NGP_S_KIND: u->kind = dup(d, ev); return NGP_OK;
    case NGP_S_TYPE: u->type = dup(d, ev); u->has_type = true; return NGP_OK;
    case NGP_S_RV: u->resource_version = dup(d, ev); return NGP_OK;
    case NGP_S_CONTINUE: u->cont = dup(d, ev); return NGP_OK;
    case NGP_S_ANNOTATIONS: if (ev->kind == NGP_JW_KEY) d->key = dup(d, ev); return NGP_OK;
    case NGP_S_ANNOTATION:
        if (strcmp(d->key, "k8s.io/initial-events-end") == 0)
            u->initial_events_end = ev->kind == NGP_JW_VALUE && ev->len == 4 && memcmp(ev->str, "true", 4) == 0;
        return NGP_OK;
    case NGP_S_STATUS_CODE:
        return ev->kind == NGP_JW_VALUE ? number(d, ev, INT32_MIN, INT32_MAX, &u->code) : NGP_OK;
    case NGP_S_STATUS_REASON: u->reason = dup(d, ev); return NGP_OK;
    case NGP_S_STATUS_MESSAGE: u->message = dup(d, ev); return NGP_OK;
    }
    return NGP_OK;
}

static ngp_status route(ngp_decoder *d, const ngp_jw_event *ev)
{
    static ngp_status (*const handler[NGP_S_COUNT])(ngp_decoder *, const ngp_jw_event *) = {
        [NGP_S_POD ... NGP_S_SELECTOR_VALUE] = on_pod,
        [NGP_S_TOLS ... NGP_S_TOL_SECONDS] = on_toleration,
        [NGP_S_REQUIRED ... NGP_S_PREF_TERM] = on_affinity,
        [NGP_S_EXPRS ... NGP_S_REQMT_VALUE] = on_requirement,
        [NGP_S_NODELIST ... NGP_S_TAINT_EFFECT] = on_node,
        [NGP_S_VICTIM_MAP ... NGP_S_VPDB] = on_victims,
        [NGP_S_ROOT ... NGP_S_STATUS_MESSAGE] = on_misc};
    return handler[ev->id] ? handler[ev->id](d, ev) : NGP_OK;
}

/* Routes each event to the part of the model it fills. As in Go, a null
 * list element is a zero element, a null string is "", and any other null
 * leaves the zero value in place (but a null required selector is absent).
 * Ends matter only for objects checked or captured when they close. */
static ngp_status on_event(void *user, const ngp_jw_event *ev)
{
    ngp_decoder *d = user;
    if (ev->id == NGP_S_NAME)   /* thousands a names-mode call: straight to the list */
        return ev->kind == NGP_JW_STRINGS ? put_names(d, ev) : put_name(d, ev);
    switch (ev->id) {
    case NGP_S_TOL: case NGP_S_TAINT: case NGP_S_REQMT: case NGP_S_PREF: case NGP_S_REQ_TERM: case NGP_S_NODE:
    case NGP_S_VPOD:
        if (ev->kind == NGP_JW_NULL) {
            ngp_status st = route(d, &(ngp_jw_event){.kind = NGP_JW_BEGIN, .id = ev->id});
            if (st != NGP_OK)
                return st;
            return route(d, &(ngp_jw_event){.kind = NGP_JW_END, .id = ev->id});
        }
        break;
    case NGP_S_NODE_NAME_REQ: case NGP_S_POD_NAME: case NGP_S_POD_NAMESPACE: case NGP_S_POD_UID:
    case NGP_S_TOL_KEY: case NGP_S_TOL_OP: case NGP_S_TOL_VALUE: case NGP_S_TOL_EFFECT: case NGP_S_REQMT_KEY:
    case NGP_S_REQMT_OP: case NGP_S_NODE_NAME: case NGP_S_TAINT_KEY: case NGP_S_TAINT_VALUE:
    case NGP_S_TAINT_EFFECT: case NGP_S_VPOD_UID: case NGP_S_DS_NAME: case NGP_S_DS_NAMESPACE:
    case NGP_S_KIND: case NGP_S_TYPE: case NGP_S_RV: case NGP_S_CONTINUE: case NGP_S_STATUS_REASON:
    case NGP_S_STATUS_MESSAGE:
        if (ev->kind == NGP_JW_NULL)
            return route(d, &(ngp_jw_event){.kind = NGP_JW_VALUE, .id = ev->id, .str = "", .len = 0});
        break;
    case NGP_S_REQUIRED: case NGP_S_SELECTOR_VALUE: case NGP_S_LABEL_VALUE: case NGP_S_REQMT_VALUE:
        break;
    default:
        if (ev->kind == NGP_JW_NULL)
            return NGP_OK;
    }
    if (ev->kind == NGP_JW_END && ev->id != NGP_S_NODE && ev->id != NGP_S_OBJECT && ev->id != NGP_S_POD &&
        ev->id != NGP_S_ROOT)
        return NGP_OK;
    return route(d, ev);
}

ngp_decoder *ngp_decoder_new(const ngp_jw_schema *root, const ngp_parts *parts, ngp_arena *arena)
{
    ngp_decoder *d = ngp_xcalloc(1, sizeof *d);
    d->arena = arena;
    d->parts = *parts;
    if (parts->pod)
        *parts->pod = (ngp_pod){.name = "", .namespace = "", .uid = "", .node_name = ""};
    if (parts->ds)
        parts->ds->kind = parts->ds->name = parts->ds->namespace = "";
    if (parts->update) {
        ngp_update_req *u = parts->update;
        u->kind = u->type = u->resource_version = u->cont = u->reason = u->message = "";
        u->root = (ngp_node_in){.name = ""};
    }
    back_to_root(d);
    d->jw = ngp_jw_new(root, on_event, d);
    return d;
}

void ngp_decoder_free(ngp_decoder *d)
{
    if (d) {
        ngp_jw_free(d->jw);
        ngp_strmap_free(&d->selector_at);
        free(d);
    }
}

ngp_status ngp_decoder_feed(ngp_decoder *d, const char *chunk, size_t len)
{
    return ngp_jw_feed(d->jw, chunk, len);
}

ngp_status ngp_decoder_finish(ngp_decoder *d) { return ngp_jw_finish(d->jw); }
const ngp_err *ngp_decoder_error(const ngp_decoder *d) { return ngp_jw_error(d->jw); }
const char *ngp_decoder_captured(const ngp_decoder *d) { return ngp_jw_captured(d->jw); }
