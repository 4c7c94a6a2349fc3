/* test_decode.c - decode.c: every verb's body into the exact request, Go's null, duplicate-key, case and number rules, error paths, ngp_node_check. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "decode.h"
#include "match.h"
#include "model.h"
#include "validate.h"
#include "verb.h"

#define LEN(a) (sizeof(a) / sizeof((a)[0]))

/* ---- decoding: bodies are written with ' for " ---- */

/* Every part a body can have, whichever verb's request (request.h) holds it;
 * a part the verb's shape lacks reads as its zero value. */
typedef struct {
    bool has_pod, has_nodes, has_names, has_victims, has_meta, has_ds, has_items, has_object, has_type;
    ngp_pod pod;
    ngp_node_in *nodes;
    uint32_t nnodes;
    const char **names;
    size_t *name_lens;
    uint32_t nnames;
    ngp_victims *victims, *meta;
    uint32_t nvictims, nmeta;
    const char *ds_name, *ds_namespace, *kind, *type;
    ngp_node_in root;
} view;

typedef struct {
    ngp_arena arena;
    view req;
    ngp_decoder *d;
    char *json;     /* the body as fed */
    int status;
} dec;

/* Reads the decoded parts into x->req. */
static void view_parts(dec *x, const ngp_parts *p)
{
    view *v = &x->req;
    *v = (view){.ds_name = "", .ds_namespace = "", .kind = "", .type = "", .root = {.name = ""}};
    if (p->pod) {
        v->has_pod = *p->has_pod;
        v->pod = *p->pod;
    }
    if (p->nodes) {
        v->has_nodes = p->nodes->present, v->has_items = p->nodes->listed;
        v->nodes = p->nodes->v, v->nnodes = p->nodes->n;
    }
    if (p->names)
        v->has_names = p->names->present, v->names = p->names->v, v->name_lens = p->names->lens,
        v->nnames = p->names->n;
    if (p->victims)
        v->has_victims = p->victims->present, v->victims = p->victims->v, v->nvictims = p->victims->n;
    if (p->meta)
        v->has_meta = p->meta->present, v->meta = p->meta->v, v->nmeta = p->meta->n;
    if (p->ds)
        v->has_ds = p->ds->has_ds, v->ds_name = p->ds->name, v->ds_namespace = p->ds->namespace;
    if (p->update) {
        v->has_nodes = false;   /* an update's nodes are not a NodeList object */
        v->has_object = p->update->has_object;
        v->has_type = p->update->has_type, v->kind = p->update->kind, v->type = p->update->type;
        v->root = p->update->root;
    }
}

static void reset(dec *x)
{
    ngp_decoder_free(x->d);
    ngp_arena_free(&x->arena);
    free(x->json);
    memset(x, 0, sizeof *x);
}

static char *unquote(const char *text)
{
    char *s = strdup(text);
    assert_non_null(s);
    for (char *p = s; *p; p++)
        if (*p == '\'')
            *p = '"';
    return s;
}

/* Decodes text fed in chunks of chunk bytes (0: at once). Each chunk is a heap
 * copy freed right after its feed, so ASan catches a decoder keeping it. */
static int decode(dec *x, ng_verb verb, const char *text, size_t chunk)
{
    reset(x);
    x->json = unquote(text);
    size_t len = strlen(x->json);
    if (chunk == 0)
        chunk = len;
    const ngp_shape *shape = ngp_verb_find(verb)->shape;   /* as abi.c builds a call */
    void *req = ngp_arena_alloc(&x->arena, shape->size);
    memset(req, 0, shape->size);
    ngp_parts parts;
    shape->bind(req, &parts);
    x->d = ngp_decoder_new(shape->root, &parts, &x->arena);
    ngp_status st = NGP_OK;
    for (size_t off = 0; st == NGP_OK && off < len; off += chunk) {
        size_t n = len - off < chunk ? len - off : chunk;
        char *piece = malloc(n);
        assert_non_null(piece);
        memcpy(piece, x->json + off, n);
        st = ngp_decoder_feed(x->d, piece, n);
        free(piece);
    }
    if (st == NGP_OK)
        st = ngp_decoder_finish(x->d);
    x->status = st == NGP_OK ? 0 : ngp_status_http(st);   /* HTTP, as the cases below say it */
    view_parts(x, &parts);
    return x->status;
}

static int setup(void **state)
{
    *state = calloc(1, sizeof(dec));
    return *state ? 0 : -1;
}

static int teardown(void **state)
{
    reset(*state);
    free(*state);
    return 0;
}

/* ---- rendering: a request as one line per part, so one assertion covers every field ---- */

enum { TEXT_MAX = 8192 };
typedef struct {
    char s[TEXT_MAX];
    size_t n;
} text;

/* A fresh buffer from a ring, so a few renderings can sit in one assertion. */
static text *text_new(void)
{
    static text ring[8];
    static unsigned next;
    text *t = &ring[next++ % LEN(ring)];
    t->n = 0;
    t->s[0] = '\0';
    return t;
}

static void add(text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void add(text *t, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int m = vsnprintf(t->s + t->n, TEXT_MAX - t->n, fmt, ap);
    va_end(ap);
    assert_true(m >= 0 && (size_t)m < TEXT_MAX - t->n);
    t->n += (size_t)m;
}

static const char *const TOL_OPS[] = {"EMPTY", "EQUAL", "EXISTS", "LT", "GT", "OTHER"};
static const char *const EFFECTS[] = {"EMPTY", "NO_SCHEDULE", "PREFER_NO_SCHEDULE", "NO_EXECUTE", "OTHER"};
static const char *const SEL_OPS[] = {"IN", "NOT_IN", "EXISTS", "DOES_NOT_EXIST", "GT", "LT", "OTHER"};

static const char *enum_name(const char *const *names, size_t n, unsigned v)
{
    assert_in_range(v, 0, n - 1);
    return names[v];
}
#define ENUM(names, v) enum_name(names, LEN(names), (unsigned)(v))

static const char *flags_text(const view *r)
{
    text *t = text_new();
    const struct { bool on; const char *name; } f[] = {
        {r->has_pod, "pod"}, {r->has_nodes, "nodes"}, {r->has_names, "names"},
        {r->has_victims, "victims"}, {r->has_meta, "meta"}, {r->has_ds, "ds"},
        {r->has_items, "items"}, {r->has_object, "object"}, {r->has_type, "type"}};
    for (size_t i = 0; i < LEN(f); i++)
        if (f[i].on)
            add(t, "%s%s", t->n ? " " : "", f[i].name);
    return t->s;
}

static const char *pod_text(const ngp_pod *p)
{
    text *t = text_new();
    add(t, "name=%s ns=%s uid=%s nodeName=%s hostNetwork=%d", p->name, p->namespace, p->uid,
        p->node_name, p->host_network);
    return t->s;
}

/* [key|op_text=OP|value|effect_text=EFFECT|seconds or -] */
static const char *tols_text(const ngp_pod *p)
{
    text *t = text_new();
    for (uint32_t i = 0; i < p->ntols; i++) {
        const ngp_toleration *o = &p->tols[i];
        add(t, "%s[%s|%s=%s|%s|%s=%s|", i ? " " : "", o->key, o->op_text, ENUM(TOL_OPS, o->op),
            o->value, o->effect_text, ENUM(EFFECTS, o->effect));
        if (o->has_seconds)
            add(t, "%lld]", (long long)o->seconds);
        else
            add(t, "-]");
    }
    return t->s;
}

static const char *selector_text(const ngp_pod *p)
{
    text *t = text_new();
    for (uint32_t i = 0; i < p->nselector; i++)
        add(t, "%s%s=%s", i ? " " : "", p->selector[i].key, p->selector[i].value);
    return t->s;
}

static void add_reqs(text *t, const char *tag, const ngp_requirement *r, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++) {
        add(t, "%s%s:%s %s=%s(", t->s[t->n - 1] == '{' ? "" : " ", tag, r[i].key, r[i].op_text,
            ENUM(SEL_OPS, r[i].op));
        for (uint32_t j = 0; j < r[i].nvalues; j++)
            add(t, "%s%s", j ? "," : "", r[i].values[j]);
        add(t, ")");
    }
}

/* {E:key op=OP(values) F:...}: matchExpressions, then matchFields */
static void add_term(text *t, const ngp_term *term)
{
    add(t, "{");
    add_reqs(t, "E", term->exprs, term->nexprs);
    add_reqs(t, "F", term->fields, term->nfields);
    add(t, "}");
}

static const char *required_text(const ngp_pod *p)
{
    text *t = text_new();
    if (!p->has_required) {
        add(t, "none");
        return t->s;
    }
    add(t, "[");
    for (uint32_t i = 0; i < p->nrequired; i++) {
        if (i)
            add(t, " ");
        add_term(t, &p->required[i]);
    }
    add(t, "]");
    return t->s;
}

static const char *preferred_text(const ngp_pod *p)
{
    text *t = text_new();
    for (uint32_t i = 0; i < p->npreferred; i++) {
        add(t, "%s%d:", i ? " " : "", p->preferred[i].weight);
        add_term(t, &p->preferred[i].preference);
    }
    return t->s;
}

static const char *names_text(const view *r)
{
    text *t = text_new();
    add(t, "[");
    for (uint32_t i = 0; i < r->nnames; i++)
        add(t, "%s%s", i ? "," : "", r->names[i]);
    add(t, "]");
    return t->s;
}

/* name{labels}[key=value:EFFECT,...] and " unschedulable" */
static void add_node(text *t, const ngp_node_in *n)
{
    add(t, "%s{", n->name);
    for (uint32_t i = 0; i < n->nlabels; i++)
        add(t, "%s%s=%s", i ? "," : "", n->labels[i].key, n->labels[i].value);
    add(t, "}[");
    for (uint32_t i = 0; i < n->ntaints; i++)
        add(t, "%s%s=%s:%s", i ? "," : "", n->taints[i].key, n->taints[i].value,
            ENUM(EFFECTS, n->taints[i].effect));
    add(t, "]%s", n->unschedulable ? " unschedulable" : "");
}

static const char *nodes_text(const view *r)
{
    text *t = text_new();
    for (uint32_t i = 0; i < r->nnodes; i++) {
        if (i)
            add(t, " ; ");
        add_node(t, &r->nodes[i]);
    }
    return t->s;
}

static const char *node_text(const ngp_node_in *n)
{
    text *t = text_new();
    add_node(t, n);
    return t->s;
}

/* node:(uid,...)/NumPDBViolations */
static const char *victims_text(const ngp_victims *v, uint32_t n)
{
    text *t = text_new();
    for (uint32_t i = 0; i < n; i++) {
        add(t, "%s%s:(", i ? " " : "", v[i].node);
        for (uint32_t j = 0; j < v[i].nuids; j++)
            add(t, "%s%s", j ? "," : "", v[i].uids[j]);
        add(t, ")/%lld", (long long)v[i].pdb_violations);
    }
    return t->s;
}

/* The bytes captured for node i (full mode). */
static const char *raw_text(const dec *x, uint32_t i)
{
    text *t = text_new();
    const ngp_node_in *n = &x->req.nodes[i];
    const char *cap = ngp_decoder_captured(x->d);
    if (n->raw_len) {
        assert_non_null(cap);
        add(t, "%.*s", (int)n->raw_len, cap + n->raw_off);
    }
    return t->s;
}

/* Everything decoded, for comparing chunkings: one part at a time, since each
 * part takes a ring buffer and this one sits outside the ring. */
static const char *all_text(const dec *x)
{
    static text all;
    const view *r = &x->req;
    all.n = 0;
    add(&all, "flags=%s|", flags_text(r));
    add(&all, "pod=%s|", pod_text(&r->pod));
    add(&all, "tols=%s|", tols_text(&r->pod));
    add(&all, "sel=%s|", selector_text(&r->pod));
    add(&all, "req=%s|", required_text(&r->pod));
    add(&all, "pref=%s|", preferred_text(&r->pod));
    add(&all, "names=%s|", names_text(r));
    add(&all, "nodes=%s|", nodes_text(r));
    for (uint32_t i = 0; i < r->nnodes; i++)
        add(&all, "raw%u=%s|", i, raw_text(x, i));
    add(&all, "root=%s|", node_text(&r->root));
    add(&all, "victims=%s|", victims_text(r->victims, r->nvictims));
    add(&all, "meta=%s|", victims_text(r->meta, r->nmeta));
    add(&all, "ds=%s/%s|kind=%s|type=%s", r->ds_name, r->ds_namespace, r->kind, r->type);
    return all.s;
}

/* Decodes body byte by byte, in 7-byte chunks and at once; all must succeed
 * alike. Returns the request decoded at once. */
static const view *ok(dec *x, ng_verb verb, const char *body)
{
    static char want[TEXT_MAX];
    static const size_t chunks[] = {1, 7, 0};
    for (size_t i = 0; i < LEN(chunks); i++) {
        if (decode(x, verb, body, chunks[i]) != 0)
            fail_msg("status %d decoding in chunks of %zu: %s", x->status, chunks[i],
                     ngp_decoder_error(x->d)->text);
        if (i == 0)
            snprintf(want, sizeof want, "%s", all_text(x));
        else
            assert_string_equal(all_text(x), want);
    }
    return &x->req;
}

/* Decodes body expecting status; the error must not depend on the chunking. Returns it. */
static const char *bad(dec *x, ng_verb verb, const char *body, int status)
{
    static char first[1024];
    assert_int_equal(decode(x, verb, body, 1), status);
    assert_true(ngp_err_failed(ngp_decoder_error(x->d)));
    snprintf(first, sizeof first, "%s", ngp_decoder_error(x->d)->text);
    assert_int_equal(decode(x, verb, body, 0), status);
    assert_string_equal(ngp_decoder_error(x->d)->text, first);
    return ngp_decoder_error(x->d)->text;
}

/* msg is "<want> (at byte N)". */
static void assert_error_is(const char *msg, const char *want)
{
    size_t n = strlen(want);
    if (strncmp(msg, want, n) != 0 || strncmp(msg + n, " (at byte ", 10) != 0)
        fail_msg("error \"%s\", expected \"%s (at byte N)\"", msg, want);
}

/* ---- ExtenderArgs ---- */

static const char FILTER_BODY[] =
    "{'Pod':{'apiVersion':'v1','kind':'Pod',"
    "'metadata':{'name':'web-0','namespace':'shop','uid':'u-1','labels':{'app':'web'},"
    "'annotations':{'a':'{\\'x\\': [1]}'}},"
    "'spec':{'nodeName':'n1','hostNetwork':true,"
    "'containers':[{'name':'c','image':'nginx','ports':[{'containerPort':80}]}],"
    "'nodeSelector':{'disk':'ssd','zone':'a'},"
    "'tolerations':[{'key':'dedicated','operator':'Equal','value':'gpu','effect':'NoSchedule'},"
    "{'key':'node.kubernetes.io/not-ready','operator':'Exists','effect':'NoExecute','tolerationSeconds':300},"
    "{'key':'spot','value':'true','effect':'PreferNoSchedule'},"
    "{'key':'level','operator':'Lt','value':'5','effect':'NoSchedule'},"
    "{'key':'level','operator':'Gt','value':'1'},"
    "{'operator':'exists','effect':'noschedule','tolerationSeconds':-1}],"
    "'affinity':{'podAntiAffinity':{'requiredDuringSchedulingIgnoredDuringExecution':[{'topologyKey':'z'}]},"
    "'nodeAffinity':{'requiredDuringSchedulingIgnoredDuringExecution':{'nodeSelectorTerms':["
    "{'matchExpressions':[{'key':'zone','operator':'In','values':['a','b']},"
    "{'key':'gpu','operator':'DoesNotExist'}]},"
    "{'matchFields':[{'key':'metadata.name','operator':'NotIn','values':['n9']}],"
    "'matchExpressions':[{'key':'cpu','operator':'Gt','values':['4']}]}]},"
    "'preferredDuringSchedulingIgnoredDuringExecution':["
    "{'weight':10,'preference':{'matchExpressions':[{'key':'disk','operator':'Exists'}]}},"
    "{'preference':{'matchExpressions':[{'key':'mem','operator':'Lt','values':['9']}],"
    "'matchFields':[{'key':'metadata.name','operator':'In','values':['n1','n2']}]},'weight':-3}]}}},"
    "'status':{'phase':'Pending'}},"
    "'NodeNames':['n1','n2','ghost']}";

/* Names mode: every Pod field the predicates read, and nothing else. */
static void test_filter_names_mode(void **state)
{
    const view *r = ok(*state, NG_FILTER, FILTER_BODY);
    assert_string_equal(flags_text(r), "pod names");
    assert_string_equal(pod_text(&r->pod), "name=web-0 ns=shop uid=u-1 nodeName=n1 hostNetwork=1");
    assert_string_equal(tols_text(&r->pod),
                        "[dedicated|Equal=EQUAL|gpu|NoSchedule=NO_SCHEDULE|-] "
                        "[node.kubernetes.io/not-ready|Exists=EXISTS||NoExecute=NO_EXECUTE|300] "
                        "[spot|=EMPTY|true|PreferNoSchedule=PREFER_NO_SCHEDULE|-] "
                        "[level|Lt=LT|5|NoSchedule=NO_SCHEDULE|-] "
                        "[level|Gt=GT|1|=EMPTY|-] "
                        "[|exists=OTHER||noschedule=OTHER|-1]");
    assert_string_equal(selector_text(&r->pod), "disk=ssd zone=a");
    assert_string_equal(required_text(&r->pod),
                        "[{E:zone In=IN(a,b) E:gpu DoesNotExist=DOES_NOT_EXIST()} "
                        "{E:cpu Gt=GT(4) F:metadata.name NotIn=NOT_IN(n9)}]");
    assert_string_equal(preferred_text(&r->pod),
                        "10:{E:disk Exists=EXISTS()} -3:{E:mem Lt=LT(9) F:metadata.name In=IN(n1,n2)}");
    assert_string_equal(names_text(r), "[n1,n2,ghost]");
    assert_int_equal(r->nnodes, 0);
    assert_int_equal(r->nvictims + r->nmeta, 0);
}

/* Prioritize reads the same ExtenderArgs; top-level keys fold case, as Go's do. */
static void test_prioritize_and_key_case(void **state)
{
    const view *r = ok(*state, NG_PRIORITIZE,
                             "{'pod':{'spec':{'tolerations':[{'key':'spot','operator':'Exists',"
                             "'effect':'PreferNoSchedule'}]}},'NODENAMES':['worker','spot-1']}");
    assert_string_equal(flags_text(r), "pod names");
    assert_string_equal(tols_text(&r->pod), "[spot|Exists=EXISTS||PreferNoSchedule=PREFER_NO_SCHEDULE|-]");
    assert_string_equal(names_text(r), "[worker,spot-1]");

    /* Go folds the field names of every struct, Pod and Node too (a repeated
     * key decodes into the same field again: the last scalar wins, the last list replaces) */
    r = ok(*state, NG_FILTER,
           "{'POD':{'metadata':{'name':'p','Name':'q'},'Spec':{'nodeName':'x'},"
           "'spec':{'NodeName':'y','nodename':'z','Tolerations':[{'key':'t'}],"
           "'tolerations':[{'Key':'k','OPERATOR':'Exists'}]}},"
           "'nodes':{'items':[{'metadata':{'name':'n'},'Metadata':{'name':'N'},'Spec':{'unschedulable':true}}]},"
           "'nodeNames':['a']}");
    assert_string_equal(flags_text(r), "pod nodes names items");
    assert_string_equal(pod_text(&r->pod), "name=q ns= uid= nodeName=z hostNetwork=0");
    assert_string_equal(tols_text(&r->pod), "[k|Exists=EXISTS||=EMPTY|-]");
    assert_string_equal(nodes_text(r), "N{}[] unschedulable");
    assert_string_equal(names_text(r), "[a]");
}

/* has_required: absent or null means no constraint; an object, even empty, is one. */
static void test_required_presence(void **state)
{
    static const struct { const char *affinity, *want; } rows[] = {
        {"null", "none"},
        {"{'nodeAffinity':null}", "none"},
        {"{'nodeAffinity':{}}", "none"},
        {"{'nodeAffinity':{'requiredDuringSchedulingIgnoredDuringExecution':null}}", "none"},
        {"{'nodeAffinity':{'requiredDuringSchedulingIgnoredDuringExecution':{}}}", "[]"},
        {"{'nodeAffinity':{'requiredDuringSchedulingIgnoredDuringExecution':{'nodeSelectorTerms':null}}}", "[]"},
        {"{'nodeAffinity':{'requiredDuringSchedulingIgnoredDuringExecution':{'nodeSelectorTerms':[]}}}", "[]"},
        {"{'nodeAffinity':{'requiredDuringSchedulingIgnoredDuringExecution':{'nodeSelectorTerms':[null]}}}", "[{}]"},
        {"{'nodeAffinity':{'requiredDuringSchedulingIgnoredDuringExecution':{'nodeSelectorTerms':[{}]}}}", "[{}]"},
        {"{'nodeAffinity':{'requiredDuringSchedulingIgnoredDuringExecution':{'nodeSelectorTerms':"
         "[{'matchExpressions':null,'matchFields':[]}]}}}", "[{}]"},
        {"{'nodeAffinity':{'requiredDuringSchedulingIgnoredDuringExecution':{'nodeSelectorTerms':"
         "[{'matchExpressions':[null,{'key':'k'}]}]}}}", "[{E: =OTHER() E:k =OTHER()}]"},
        {"{'nodeAffinity':{'requiredDuringSchedulingIgnoredDuringExecution':{'nodeSelectorTerms':"
         "[{'matchExpressions':[{'key':'k','operator':'In','values':null}]}]}}}", "[{E:k In=IN()}]"},
        {"{'nodeAffinity':{'requiredDuringSchedulingIgnoredDuringExecution':{'nodeSelectorTerms':"
         "[{'matchFields':[{'key':'metadata.name','operator':'In','values':[null,'v']}]}]}}}",
         "[{F:metadata.name In=IN(,v)}]"},
        /* a null after an object: Go sets the pointer back to nil */
        {"{'nodeAffinity':{'requiredDuringSchedulingIgnoredDuringExecution':{},"
         "'requiredDuringSchedulingIgnoredDuringExecution':null}}", "none"},
    };
    char body[1024];
    for (size_t i = 0; i < LEN(rows); i++) {
        snprintf(body, sizeof body, "{'Pod':{'spec':{'affinity':%s}}}", rows[i].affinity);
        const view *r = ok(*state, NG_FILTER, body);
        if (strcmp(required_text(&r->pod), rows[i].want) != 0)
            fail_msg("%s: required %s, expected %s", rows[i].affinity, required_text(&r->pod), rows[i].want);
    }
}

/* A null list element is a zero element, a null string is "", other nulls leave the zero value. */
static void test_nulls(void **state)
{
    const view *r = ok(*state, NG_FILTER,
        "{'Pod':{'metadata':{'name':null,'namespace':null,'uid':null},"
        "'spec':{'nodeName':null,'hostNetwork':null,'tolerations':[null,"
        "{'key':null,'operator':null,'value':null,'effect':null,'tolerationSeconds':null}],"
        "'nodeSelector':{'a':null},'affinity':{'nodeAffinity':{"
        "'preferredDuringSchedulingIgnoredDuringExecution':[null,{'weight':null,'preference':null}]}}}},"
        "'NodeNames':['m','n']}");
    assert_string_equal(pod_text(&r->pod), "name= ns= uid= nodeName= hostNetwork=0");
    assert_string_equal(tols_text(&r->pod), "[|=EMPTY||=EMPTY|-] [|=EMPTY||=EMPTY|-]");
    assert_string_equal(selector_text(&r->pod), "a=");
    assert_string_equal(preferred_text(&r->pod), "0:{} 0:{}");
    assert_string_equal(names_text(r), "[m,n]");

    /* the zero toleration (key "", operator "") tolerates every taint whose value is "" */
    const ngp_toleration *zero = &r->pod.tols[0];
    ngp_taint empty_ns = {"node-role.kubernetes.io/master", "", NGP_EFFECT_NO_SCHEDULE};
    ngp_taint empty_ne = {"anything", "", NGP_EFFECT_NO_EXECUTE};
    ngp_taint valued = {"dedicated", "gpu", NGP_EFFECT_NO_SCHEDULE};
    assert_true(ngp_tolerates(zero, &empty_ns, false));
    assert_true(ngp_tolerates(zero, &empty_ne, false));
    assert_false(ngp_tolerates(zero, &valued, false));

    r = ok(*state, NG_FILTER, "{'Pod':null,'Nodes':null,'NodeNames':null}");
    assert_string_equal(flags_text(r), "");
    r = ok(*state, NG_FILTER, "{'Pod':{'spec':{'tolerations':null,'nodeSelector':null,'affinity':null}}}");
    assert_string_equal(flags_text(r), "pod");
    assert_int_equal(r->pod.ntols + r->pod.nselector + r->pod.npreferred, 0);
    assert_string_equal(required_text(&r->pod), "none");
    /* a null name is Go's "", which no Node is called */
    assert_error_is(bad(*state, NG_FILTER, "{'NodeNames':['n',null]}", 400), "NodeNames[1]: Required value");
}

/* NodeNames are decoded as sent, each with its length: the node name rule is
 * applied to the names the cache does not hold (test_targets.c), so an invalid
 * or repeated entry decodes, and a NUL inside one keeps its bytes. Only an
 * empty name, which no Node has, is refused at once. */
static void test_node_names(void **state)
{
    assert_error_is(bad(*state, NG_DAEMONSET, "{'NodeNames':['a','']}", 400), "NodeNames[1]: Required value");
    const view *r = ok(*state, NG_FILTER, "{'NodeNames':['a','Node-1','a','a\\u0000b']}");
    assert_string_equal(names_text(r), "[a,Node-1,a,a\xc0\x80" "b]");   /* U+0000 held as C0 80 (model.h) */
    static const size_t lens[] = {1, 6, 1, 4};
    for (uint32_t i = 0; i < LEN(lens); i++)
        assert_int_equal(r->name_lens[i], lens[i]);
}

/* Duplicate keys as Go: a list replaces, a map merges (later value wins), a scalar overwrites, a struct merges. */
static void test_repeated_keys(void **state)
{
    const view *r = ok(*state, NG_FILTER,
        "{'Pod':{'spec':{'tolerations':[{'key':'a'},{'key':'b'}],'nodeName':'x','hostNetwork':true,"
        "'nodeSelector':{'k1':'v1','k2':'v2'},'tolerations':[{'key':'c','key':'d'}],'nodeName':'y',"
        "'hostNetwork':false,'nodeSelector':{'k2':'w2','k3':'v3','k3':'w3'},"
        "'affinity':{'nodeAffinity':{'requiredDuringSchedulingIgnoredDuringExecution':{'nodeSelectorTerms':["
        "{'matchExpressions':[{'key':'a','operator':'In','values':['1'],'values':['2','3'],'key':'b',"
        "'operator':'NotIn'}],'matchFields':[{'key':'metadata.name','operator':'In','values':['x']}],"
        "'matchFields':[{'key':'metadata.name','operator':'In','values':['y']}]}]},"
        "'preferredDuringSchedulingIgnoredDuringExecution':[{'weight':1},{'weight':2}],"
        "'preferredDuringSchedulingIgnoredDuringExecution':[{'weight':1,'weight':7}]}}}},"
        "'NodeNames':['a','b'],'NodeNames':['c']}");
    assert_string_equal(tols_text(&r->pod), "[d|=EMPTY||=EMPTY|-]");
    assert_string_equal(pod_text(&r->pod), "name= ns= uid= nodeName=y hostNetwork=0");
    assert_string_equal(selector_text(&r->pod), "k1=v1 k2=w2 k3=w3");
    assert_string_equal(required_text(&r->pod), "[{E:b NotIn=NOT_IN(2,3) F:metadata.name In=IN(y)}]");
    assert_string_equal(preferred_text(&r->pod), "7:{}");
    assert_string_equal(names_text(r), "[c]");

    r = ok(*state, NG_FILTER,
           "{'Pod':{'spec':{'affinity':{'nodeAffinity':{'requiredDuringSchedulingIgnoredDuringExecution':"
           "{'nodeSelectorTerms':[{},{}],'nodeSelectorTerms':[{'matchExpressions':[{'key':'z','operator':"
           "'Exists'}]}]}}}}},'Pod':{'metadata':{'name':'p'},'spec':{'nodeName':'n'}},"
           "'Nodes':{'items':[{'metadata':{'name':'a'}}]},'Nodes':{'items':[{'metadata':{'name':'b'}}]}}");
    assert_string_equal(required_text(&r->pod), "[{E:z Exists=EXISTS()}]");
    assert_string_equal(pod_text(&r->pod), "name=p ns= uid= nodeName=n hostNetwork=0");
    assert_string_equal(nodes_text(r), "b{}[]");
    assert_string_equal(raw_text(*state, 0), "{\"metadata\":{\"name\":\"b\"}}");
}

/* ---- numbers and types ---- */

#define WEIGHT_PATH "Pod.spec.affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].weight"

/* weight is an int32; tolerationSeconds and NumPDBViolations are int64; only integers fit. */
static void test_numbers(void **state)
{
    static const struct { const char *number; bool fits; int32_t want; } weights[] = {
        {"0", true, 0}, {"-0", true, 0}, {"100", true, 100}, {"2147483647", true, INT32_MAX},
        {"-2147483648", true, INT32_MIN}, {"1.5", false, 0}, {"1e2", false, 0}, {"1E2", false, 0},
        {"1.0", false, 0}, {"2147483648", false, 0}, {"-2147483649", false, 0},
        {"99999999999999999999", false, 0}};
    char body[512], want[256];
    for (size_t i = 0; i < LEN(weights); i++) {
        snprintf(body, sizeof body, "{'Pod':{'spec':{'affinity':{'nodeAffinity':"
                 "{'preferredDuringSchedulingIgnoredDuringExecution':[{'weight':%s}]}}}}}", weights[i].number);
        if (weights[i].fits) {
            const view *r = ok(*state, NG_FILTER, body);
            assert_int_equal(r->pod.npreferred, 1);
            assert_int_equal(r->pod.preferred[0].weight, weights[i].want);
        } else {
            const char *msg = bad(*state, NG_FILTER, body, 400);
            snprintf(want, sizeof want, WEIGHT_PATH ": cannot unmarshal number %s", weights[i].number);
            if (strncmp(msg, want, strlen(want)) != 0)
                fail_msg("weight %s: \"%s\"", weights[i].number, msg);
        }
    }

    static const struct { const char *number; bool fits; int64_t want; } seconds[] = {
        {"9223372036854775807", true, INT64_MAX}, {"-9223372036854775808", true, INT64_MIN},
        {"0", true, 0}, {"9223372036854775808", false, 0}, {"-9223372036854775809", false, 0},
        {"0.5", false, 0}, {"3e1", false, 0}};
    for (size_t i = 0; i < LEN(seconds); i++) {
        snprintf(body, sizeof body, "{'Pod':{'spec':{'tolerations':[{},{'tolerationSeconds':%s}]}},"
                 "'NodeNames':[]}", seconds[i].number);
        if (seconds[i].fits) {
            const view *r = ok(*state, NG_FILTER, body);
            assert_true(r->pod.tols[1].has_seconds);
            assert_true(r->pod.tols[1].seconds == seconds[i].want);
        } else {
            const char *msg = bad(*state, NG_FILTER, body, 400);
            snprintf(want, sizeof want, "Pod.spec.tolerations[1].tolerationSeconds: cannot unmarshal number %s",
                     seconds[i].number);
            if (strncmp(msg, want, strlen(want)) != 0)
                fail_msg("tolerationSeconds %s: \"%s\"", seconds[i].number, msg);
        }
    }

    const view *r = ok(*state, NG_PREEMPT,
        "{'NodeNameToVictims':{'a':{'NumPDBViolations':9223372036854775807}},"
        "'NodeNameToMetaVictims':{'b':{'NumPDBViolations':-9223372036854775808}}}");
    assert_true(r->victims[0].pdb_violations == INT64_MAX);
    assert_true(r->meta[0].pdb_violations == INT64_MIN);
    const char *msg = bad(*state, NG_PREEMPT, "{'NodeNameToMetaVictims':{'n1':{'NumPDBViolations':1.5}}}", 400);
    assert_non_null(strstr(msg, "NodeNameToMetaVictims[\"n1\"].NumPDBViolations: cannot unmarshal number 1.5"));
    msg = bad(*state, NG_PREEMPT, "{'NodeNameToVictims':{'n2':{'NumPDBViolations':9223372036854775808}}}", 400);
    assert_non_null(strstr(msg, "NodeNameToVictims[\"n2\"].NumPDBViolations: cannot unmarshal number"));
}

/* A value of the wrong JSON type is a 400 naming its path. */
static void test_type_errors(void **state)
{
    static const struct { ng_verb verb; const char *body, *want; } rows[] = {
        {NG_FILTER, "{'Pod':[]}", "Pod: expected object, got array"},
        {NG_FILTER, "{'Pod':{'spec':{'nodeSelector':{'a':1}}}}", "Pod.spec.nodeSelector[\"a\"]: expected string, got number"},
        {NG_FILTER, "{'Pod':{'spec':{'hostNetwork':'true'}}}", "Pod.spec.hostNetwork: expected bool, got string"},
        {NG_FILTER, "{'Pod':{'spec':{'tolerations':[{},{'effect':1}]}}}", "Pod.spec.tolerations[1].effect: expected string, got number"},
        {NG_FILTER, "{'Pod':{'metadata':{'uid':{}}}}", "Pod.metadata.uid: expected string, got object"},
        {NG_FILTER, "{'NodeNames':['a',2]}", "NodeNames[1]: expected string, got number"},
        {NG_FILTER, "{'nodenames':{}}", "NodeNames: expected array, got object"},
        {NG_FILTER, "{'Nodes':{'items':[{'spec':{'taints':[{'key':'k','effect':5}]}}]}}",
         "Nodes.items[0].spec.taints[0].effect: expected string, got number"},
        {NG_FILTER, "{'Nodes':{'items':[{},{'metadata':{'labels':[]}}]}}",
         "Nodes.items[1].metadata.labels: expected object, got array"},
        {NG_FILTER, "{'Pod':{'spec':{'affinity':{'nodeAffinity':{'requiredDuringSchedulingIgnoredDuringExecution':"
         "{'nodeSelectorTerms':[{'matchExpressions':[{'key':'k','values':'v'}]}]}}}}}",
         "Pod.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0]"
         ".matchExpressions[0].values: expected array, got string"},
        {NG_FILTER, "{'Pod':{'spec':{'affinity':{'nodeAffinity':{'preferredDuringSchedulingIgnoredDuringExecution':"
         "[{'weight':'5'}]}}}}}", WEIGHT_PATH ": expected number, got string"},
        {NG_PREEMPT, "{'NodeNameToMetaVictims':{'n1':{'Pods':[{'UID':7}]}}}",
         "NodeNameToMetaVictims[\"n1\"].Pods[0].UID: expected string, got number"},
        {NG_PREEMPT, "{'NodeNameToVictims':{'n1':{'Pods':[{'metadata':{'uid':true}}]}}}",
         "NodeNameToVictims[\"n1\"].Pods[0].metadata.uid: expected string, got bool"},
        {NG_DAEMONSET, "{'DaemonSet':{'spec':{'template':{'spec':{'tolerations':{}}}}}}",
         "DaemonSet.spec.template.spec.tolerations: expected array, got object"},
        {NG_DAEMONSET, "{'DaemonSet':{'metadata':{'namespace':1}}}", "DaemonSet.metadata.namespace: expected string, got number"},
        {NG_NODES, "{'metadata':{'labels':{'a':true}}}", "metadata.labels[\"a\"]: expected string, got bool"},
        {NG_NODES, "{'spec':{'unschedulable':'yes'}}", "spec.unschedulable: expected bool, got string"},
        {NG_NODES, "{'type':'ADDED','object':[]}", "object: expected object, got array"},
        {NG_NODES, "{'items':[{'spec':{'taints':[{'key':[]}]}}]}", "items[0].spec.taints[0].key: expected string, got array"},
    };
    for (size_t i = 0; i < LEN(rows); i++)
        assert_error_is(bad(*state, rows[i].verb, rows[i].body, 400), rows[i].want);
    /* the README's example, offset included */
    assert_string_equal(bad(*state, NG_FILTER, "{'Pod':{'spec':{'tolerations':'x'}},'NodeNames':[]}", 400),
                        "Pod.spec.tolerations: expected array, got string (at byte 33)");
}

/* ---- full mode: Nodes decoded and captured byte for byte ---- */

#define N1 "{'metadata':{'name':'a','labels':{'zone':'x','gone':null}},'spec':{'unschedulable':true," \
           "'taints':[{'key':'k','value':'v','effect':'NoSchedule'},null," \
           "{'key':'p','effect':'PreferNoSchedule','timeAdded':null}]},'status':{'note':'} ] { \\\\'}}"
#define N2 "{ 'metadata' : { 'name' : 'b' } ,\n 'spec':{'taints':[{'key':'e','effect':'NoExecute'}," \
           "{'key':'o','value':'1','effect':'Other'}],'unschedulable':false} }"

static void test_full_mode(void **state)
{
    dec *x = *state;
    const char *body = "{'Pod':{'spec':{}},'Nodes':{'apiVersion':'v1','items':[" N1 ",\n  " N2 " ],"
                       "'kind':'NodeList'},'NodeNames':null}";
    char *n1 = unquote(N1), *n2 = unquote(N2);
    static const size_t chunks[] = {0, 1, 2, 3, 5, 7, 64};
    for (size_t i = 0; i < LEN(chunks); i++) {
        assert_int_equal(decode(x, NG_FILTER, body, chunks[i]), 0);
        assert_string_equal(flags_text(&x->req), "pod nodes items");
        assert_string_equal(nodes_text(&x->req),
                            "a{zone=x,gone=}[k=v:NO_SCHEDULE,=:EMPTY,p=:PREFER_NO_SCHEDULE] unschedulable ; "
                            "b{}[e=:NO_EXECUTE,o=1:OTHER]");
        assert_int_equal(x->req.nodes[0].raw_len, strlen(n1));
        assert_string_equal(raw_text(x, 0), n1);
        assert_int_equal(x->req.nodes[1].raw_len, strlen(n2));
        assert_string_equal(raw_text(x, 1), n2);
    }
    free(n1);
    free(n2);

    const view *r = ok(x, NG_FILTER, "{'Pod':{},'Nodes':{'items':null}}");
    assert_string_equal(flags_text(r), "pod nodes");   /* a null list is no list */
    assert_int_equal(r->nnodes, 0);
    r = ok(x, NG_FILTER, "{'Pod':{},'Nodes':{'items':[{'metadata':{'name':'m'}},null]}}");
    assert_string_equal(nodes_text(r), "m{}[] ; {}[]");
    assert_string_equal(raw_text(x, 0), "{\"metadata\":{\"name\":\"m\"}}");
    assert_int_equal(r->nodes[1].raw_len, 0);
}

/* ---- ExtenderPreemptionArgs ---- */

static void test_preempt(void **state)
{
    const view *r = ok(*state, NG_PREEMPT,
        "{'Pod':{'metadata':{'name':'p','uid':'pu'},'spec':{'nodeSelector':{'a':'b'}}},"
        "'NodeNameToVictims':{'n1':{'Pods':[{'metadata':{'name':'x','uid':'v1'},'spec':{'containers':[]}},"
        "{'metadata':{}},null,{'Metadata':{'uid':'no'}},{'metadata':{'UID':'no'}}],'NumPDBViolations':2},"
        "'n2':{'Pods':[]},'n3':{},'n4':null},"
        "'nodenametometavictims':{'n1':{'pods':[{'UID':'m1'},{'uid':'m2'},null],'numPDBViolations':-1},"
        "'n5':{'Pods':null,'NumPDBViolations':null}}}");
    assert_string_equal(flags_text(r), "pod victims meta");
    assert_string_equal(pod_text(&r->pod), "name=p ns= uid=pu nodeName= hostNetwork=0");
    assert_string_equal(selector_text(&r->pod), "a=b");
    assert_string_equal(victims_text(r->victims, r->nvictims), "n1:(v1,,,no,no)/2 n2:()/0 n3:()/0 n4:()/0");
    assert_string_equal(victims_text(r->meta, r->nmeta), "n1:(m1,m2,)/-1 n5:()/0");

    r = ok(*state, NG_PREEMPT, "{'Pod':{},'NodeNameToVictims':null,'NodeNameToMetaVictims':{}}");
    assert_string_equal(flags_text(r), "pod meta");
    assert_int_equal(r->nvictims + r->nmeta, 0);
    /* Nodes and NodeNames are not preemption arguments */
    r = ok(*state, NG_PREEMPT, "{'Nodes':{'items':[{}]},'NodeNames':['a']}");
    assert_string_equal(flags_text(r), "");
    assert_int_equal(r->nnodes + r->nnames, 0);
}

/* ---- DaemonSet placement ---- */

static void test_daemonset(void **state)
{
    const view *r = ok(*state, NG_DAEMONSET,
        "{'DaemonSet':{'apiVersion':'apps/v1','kind':'DaemonSet',"
        "'metadata':{'name':'redis-ds','namespace':'kube-system','uid':'d1'},"
        "'spec':{'selector':{'matchLabels':{'app':'redis'}},'template':{"
        "'metadata':{'name':'tpl','namespace':'t','labels':{'app':'redis'}},"
        "'spec':{'hostNetwork':true,'nodeName':'w','tolerations':[{'key':'node-role.kubernetes.io/master',"
        "'operator':'Exists','effect':'NoSchedule'}],'nodeSelector':{'os':'linux'},"
        "'affinity':{'nodeAffinity':{'requiredDuringSchedulingIgnoredDuringExecution':{'nodeSelectorTerms':"
        "[{'matchFields':[{'key':'metadata.name','operator':'In','values':['w']}]}]}}},"
        "'containers':[{'name':'redis','image':'redis:5-alpine'}]}}}},"
        "'NodeNames':['master','worker']}");
    assert_string_equal(flags_text(r), "pod names ds");
    assert_string_equal(r->ds_name, "redis-ds");
    assert_string_equal(r->ds_namespace, "kube-system");
    /* the template's metadata is not read: only its spec */
    assert_string_equal(pod_text(&r->pod), "name= ns= uid= nodeName=w hostNetwork=1");
    assert_string_equal(tols_text(&r->pod), "[node-role.kubernetes.io/master|Exists=EXISTS||NoSchedule=NO_SCHEDULE|-]");
    assert_string_equal(selector_text(&r->pod), "os=linux");
    assert_string_equal(required_text(&r->pod), "[{F:metadata.name In=IN(w)}]");
    assert_string_equal(names_text(r), "[master,worker]");

    dec *x = *state;
    r = ok(x, NG_DAEMONSET, "{'daemonset':{'metadata':{'name':'d'},'spec':{}},'Pod':{'spec':{'nodeName':'x'}},"
                           "'NODES':{'items':[{'metadata':{'name':'m'}}]}}");
    assert_string_equal(flags_text(r), "nodes ds items");   /* no template, and Pod is not read */
    assert_string_equal(pod_text(&r->pod), "name= ns= uid= nodeName= hostNetwork=0");
    assert_string_equal(r->ds_name, "d");
    assert_string_equal(raw_text(x, 0), "{\"metadata\":{\"name\":\"m\"}}");
}

/* ---- node updates: a Node, a NodeList, a watch event ---- */

static void test_node_updates(void **state)
{
    const view *r = ok(*state, NG_NODES,
        "{'apiVersion':'v1','kind':'Node','metadata':{'name':'edge-1','labels':{'pool':'edge','zone':'z1'},"
        "'annotations':{'x':'y'}},'spec':{'taints':[{'key':'edge','value':'true','effect':'NoExecute'}],"
        "'unschedulable':true,'podCIDR':'10.0.0.0/24'},'status':{'conditions':[]}}");
    assert_string_equal(flags_text(r), "");
    assert_string_equal(r->kind, "Node");
    assert_string_equal(r->type, "");
    assert_string_equal(node_text(&r->root), "edge-1{pool=edge,zone=z1}[edge=true:NO_EXECUTE] unschedulable");
    assert_int_equal(r->nnodes, 0);

    /* updates come from the API server, which client-go decodes case-sensitively (sigs.k8s.io/json) */
    r = ok(*state, NG_NODES, "{'Metadata':{'name':'X'},'metadata':{'name':'n','Labels':{'a':'b'}},'Spec':{'unschedulable':true}}");
    assert_string_equal(node_text(&r->root), "n{}[]");

    r = ok(*state, NG_NODES,
           "{'apiVersion':'v1','kind':'NodeList','metadata':{'resourceVersion':'42'},'items':["
           "{'metadata':{'name':'master','labels':{'node-role.kubernetes.io/master':''}},"
           "'spec':{'taints':[{'key':'node-role.kubernetes.io/master','effect':'NoSchedule'}]}},"
           "{'metadata':{'name':'worker'}},null]}");
    assert_string_equal(flags_text(r), "items");
    assert_string_equal(r->kind, "NodeList");
    assert_string_equal(nodes_text(r),
                        "master{node-role.kubernetes.io/master=}[node-role.kubernetes.io/master=:NO_SCHEDULE]"
                        " ; worker{}[] ; {}[]");
    assert_string_equal(node_text(&r->root), "{}[]");

    r = ok(*state, NG_NODES, "{'type':'MODIFIED','object':{'apiVersion':'v1','kind':'Node',"
                             "'metadata':{'name':'master'},'spec':{'taints':null}}}");
    assert_string_equal(flags_text(r), "object type");
    assert_string_equal(r->type, "MODIFIED");
    assert_string_equal(r->kind, "");
    assert_string_equal(nodes_text(r), "master{}[]");

    r = ok(*state, NG_NODES, "{'object':{'metadata':{'name':'gone'}},'type':'DELETED'}");
    assert_string_equal(flags_text(r), "object type");
    assert_string_equal(r->type, "DELETED");
    assert_string_equal(nodes_text(r), "gone{}[]");

    r = ok(*state, NG_NODES, "{'type':'BOOKMARK','object':null}");
    assert_string_equal(flags_text(r), "type");
    assert_int_equal(r->nnodes, 0);

    /* node updates are API objects: keys are case-sensitive, and a repeated map merges */
    r = ok(*state, NG_NODES, "{'Kind':'NodeList','Items':[{}],'metadata':{'labels':{'a':'1'}},"
                             "'metadata':{'labels':{'b':'2'},'name':'n'}}");
    assert_string_equal(flags_text(r), "");
    assert_string_equal(r->kind, "");
    assert_string_equal(node_text(&r->root), "n{a=1,b=2}[]");
}

/* Root labels after a node's: the label array must be the root's own, not the node's capacity. */
static void test_root_labels_after_node(void **state)
{
    const view *r = ok(*state, NG_NODES, "{'type':'ADDED','object':{'metadata':{'name':'a',"
                                               "'labels':{'x':'1'}}},'metadata':{'labels':{'y':'2'}}}");
    assert_string_equal(nodes_text(r), "a{x=1}[]");
    assert_string_equal(node_text(&r->root), "{y=2}[]");
    r = ok(*state, NG_NODES, "{'items':[{'metadata':{'name':'a','labels':{'x':'1'}}}],"
                             "'metadata':{'labels':{'y':'2'}}}");
    assert_string_equal(nodes_text(r), "a{x=1}[]");
    assert_string_equal(node_text(&r->root), "{y=2}[]");
}

/* ---- ngp_node_check ---- */

static void expect_invalid(const ngp_node_in *n, const char *field, const char *what)
{
    char err[256] = "unset";
    assert_false(ngp_node_check(n, err, sizeof err));
    if (!strstr(err, field) || !strstr(err, what))
        fail_msg("\"%s\" should name %s and say %s", err, field, what);
}

static void test_node_valid(void **state)
{
    char err[256];
    ngp_taint taints[] = {{"a", "", NGP_EFFECT_NO_SCHEDULE}, {"b", "x", NGP_EFFECT_PREFER_NO_SCHEDULE},
                          {"c", "", NGP_EFFECT_NO_EXECUTE}};
    ngp_node_in n = {.name = "n", .taints = taints, .ntaints = 3};
    assert_true(ngp_node_check(&n, err, sizeof err));

    ngp_node_in unnamed = {.name = ""};
    expect_invalid(&unnamed, "metadata.name", "Required value");
    taints[1].key = "";
    expect_invalid(&n, "spec.taints[1].key", "Required value");
    taints[1].key = "b";
    taints[0].effect = NGP_EFFECT_EMPTY;
    expect_invalid(&n, "spec.taints[0].effect", "Unsupported value");
    taints[0].effect = NGP_EFFECT_OTHER;
    expect_invalid(&n, "spec.taints[0].effect", "Unsupported value");

    /* through the decoder: an unknown effect, and a taint without a key */
    const view *r = ok(*state, NG_NODES, "{'metadata':{'name':'n'},'spec':{'taints':["
                                               "{'key':'k','effect':'NoSchedule'},{'key':'k','effect':'Sometimes'}]}}");
    expect_invalid(&r->root, "spec.taints[1].effect", "Unsupported value");
    assert_non_null(strstr(r->root.problem, "spec.taints[1].effect: Unsupported value"));   /* stored */
    r = ok(*state, NG_NODES, "{'metadata':{'name':'n'},'spec':{'taints':[null]}}");
    expect_invalid(&r->root, "spec.taints[0].key", "Required value");
    assert_string_equal(r->root.problem, "node \"n\": spec.taints[0].key: Required value");
    r = ok(*state, NG_NODES, "{'metadata':{'labels':{'a':'b'}}}");
    expect_invalid(&r->root, "metadata.name", "Required value");
    assert_string_equal(r->root.problem, "metadata.name: Required value");
    r = ok(*state, NG_NODES, "{'items':[{'metadata':{'name':'a'}},{'metadata':{}}]}");
    assert_null(r->nodes[0].problem);
    assert_string_equal(r->nodes[1].problem, "metadata.name: Required value");
}

/* A pod's terms are checked once, when its object ends; the verdicts stay in it. */
static void test_pod_verdicts_stored(void **state)
{
    const view *r = ok(*state, NG_PRIORITIZE,
                       "{'Pod':{'spec':{'affinity':{'nodeAffinity':{"
                       "'requiredDuringSchedulingIgnoredDuringExecution':{'nodeSelectorTerms':["
                       "{'matchExpressions':[{'key':'a','operator':'In','values':['x']}]},"
                       "{'matchExpressions':[{'key':'a','operator':'Gt','values':['x']}]},{}]},"
                       "'preferredDuringSchedulingIgnoredDuringExecution':["
                       "{'weight':0,'preference':{'matchExpressions':[{'key':'a','operator':'Bad'}]}},"
                       "{'weight':1,'preference':{'matchExpressions':[{'key':'a','operator':'Exists'}]}},"
                       "{'weight':2,'preference':{'matchFields':[{'key':'metadata.name','operator':'In'}]}},"
                       "{'weight':3,'preference':{'matchExpressions':[{'key':'-','operator':'Exists'}]}}]}}}},"
                       "'NodeNames':[]}");
    assert_true(r->pod.required[0].valid);
    assert_false(r->pod.required[1].valid);   /* Gt needs an integer: it matches nothing */
    assert_true(r->pod.required[2].valid);    /* empty: nothing to parse */
    assert_true(r->pod.preferred[1].preference.valid);
    assert_false(r->pod.preferred[2].preference.valid);
    assert_false(r->pod.preferred[3].preference.valid);
    /* the first counting term that does not parse; weight 0 is skipped unparsed */
    assert_string_equal(r->pod.preferred_problem,
                        "spec.affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution[2]"
                        ".preference.matchFields[0].values: Invalid value: []string(nil): must have one element");
    r = ok(*state, NG_PRIORITIZE, "{'Pod':{'spec':{}},'NodeNames':[]}");
    assert_null(r->pod.preferred_problem);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_filter_names_mode),
        T(test_pod_verdicts_stored),
        T(test_prioritize_and_key_case),
        T(test_required_presence),
        T(test_node_names),
        T(test_nulls),
        T(test_repeated_keys),
        T(test_numbers),
        T(test_type_errors),
        T(test_full_mode),
        T(test_preempt),
        T(test_daemonset),
        T(test_node_updates),
        T(test_root_labels_after_node),
        T(test_node_valid),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
