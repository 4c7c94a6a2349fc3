/* test_abi.c - drives libnodegate.so (path in argv[1]) only through its ABI, as a host does: the
 * strict loader of harness/lib (dlopen, the entry symbol, the ABI checks), then the table. */
#include <dlfcn.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include <cmocka.h>
#include <jansson.h>

#include "loader.h"
#include "nodegate.h"

static const char *so_path;
static host_plugin plugin;   /* loaded once for the whole group, by harness/lib's strict loader */
static const struct nodegate_plugin *P;

/* ---- fixtures: JSON written with ' for ", converted once by load_plugin ---- */

static char POD[] =
    "{'apiVersion':'v1','kind':'Pod',"
    "'metadata':{'name':'web-0','namespace':'shop','uid':'5f0c9a1e-7d2b-4c1e-9a51-3f1d2c4b5a61',"
    "'labels':{'app':'web','tier':'front'},'annotations':{'note':'{\\\"json\\\": [\\\"in\\\", \\\"a\\\", 1]}'},"
    "'ownerReferences':[{'apiVersion':'apps/v1','kind':'StatefulSet','name':'web','uid':'0a1b','controller':true}]},"
    "'spec':{'containers':[{'name':'web','image':'nginx:1.25','ports':[{'containerPort':80,'protocol':'TCP'}],"
    "'resources':{'requests':{'cpu':'100m','memory':'64Mi'},'limits':{'memory':'128Mi'}}}],"
    "'nodeSelector':{'kubernetes.io/os':'linux'},"
    "'tolerations':[{'key':'dedicated','operator':'Equal','value':'gpu','effect':'NoSchedule'},"
    "{'key':'node.kubernetes.io/not-ready','operator':'Exists','effect':'NoExecute','tolerationSeconds':300}],"
    "'affinity':{'nodeAffinity':{'requiredDuringSchedulingIgnoredDuringExecution':{'nodeSelectorTerms':["
    "{'matchExpressions':[{'key':'topology.kubernetes.io/zone','operator':'In','values':['zone-a','zone-b']}]}]},"
    "'preferredDuringSchedulingIgnoredDuringExecution':[{'weight':10,'preference':{'matchExpressions':["
    "{'key':'disktype','operator':'In','values':['ssd']}]}}]},"
    "'podAntiAffinity':{'preferredDuringSchedulingIgnoredDuringExecution':[{'weight':1,'podAffinityTerm':"
    "{'labelSelector':{'matchLabels':{'app':'web'}},'topologyKey':'kubernetes.io/hostname'}}]}},"
    "'schedulerName':'default-scheduler','priority':0},"
    "'status':{'phase':'Pending','conditions':[{'type':'PodScheduled','status':'False'}]}}";

/* Feasible: tolerated taint. Odd whitespace, escapes, raw UTF-8, a float in status. */
static char N1[] =
    "{ 'apiVersion' : 'v1' ,\t'kind':'Node',\n"
    "  'metadata' : { 'name' : 'n1', 'uid':'u-1', 'resourceVersion':'101',\r\n"
    "    'labels' : {'kubernetes.io/hostname':'n1','kubernetes.io/os':'linux',"
    "'topology.kubernetes.io/zone':'zone-a','disktype':'ssd','team':'\\u00e9quipe'},\n"
    "    'annotations' : {'note':'caf\\u00e9 \\ud83d\\ude00 Z\xc3\xbcrich \\/ \\\\ \\\" \\t }]','empty':''} },\n"
    "  'spec' : {'podCIDR':'10.0.1.0/24','taints':[ {'key':'dedicated','value':'gpu','effect':'NoSchedule'} ]},\n"
    "  'status' : {'capacity':{'cpu':'8','memory':'32Gi','pods':'110'},"
    "'allocatable':{'cpu':'7910m','memory':'31Gi','pods':'110'},\n"
    "    'conditions':[{'type':'Ready','status':'True','lastHeartbeatTime':'2024-05-01T10:00:00Z','reason':'KubeletReady'}],\n"
    "    'addresses':[{'type':'InternalIP','address':'10.0.0.1'},{'type':'Hostname','address':'n1'}],\n"
    "    'images':[{'names':['registry.k8s.io/pause@sha256:7031','registry.k8s.io/pause:3.9'],'sizeBytes':321520},\n"
    "              {'names':['nginx:1.25'],'sizeBytes':6.7e7}],\n"
    "    'nodeInfo':{'kubeletVersion':'v1.30.1','osImage':'Debian GNU/Linux 12 (bookworm)'} }  }";

/* Fails node affinity (zone-c). */
static char N2[] =
    "{'apiVersion':'v1','kind':'Node','metadata':{'name':'n2','labels':{'kubernetes.io/hostname':'n2',"
    "'kubernetes.io/os':'linux','topology.kubernetes.io/zone':'zone-c','disktype':'hdd'}},"
    "'spec':{'podCIDR':'10.0.2.0/24'},'status':{'capacity':{'cpu':'4'},'images':[{'names':['busybox:1.36'],"
    "'sizeBytes':4261550}],'conditions':[{'type':'Ready','status':'True'}]}}";

/* Fails taints: the second one {other: x} is not tolerated. */
static char N3[] =
    "{'apiVersion':'v1','kind':'Node','metadata':{'name':'n3','labels':{'kubernetes.io/hostname':'n3',"
    "'kubernetes.io/os':'linux','topology.kubernetes.io/zone':'zone-b','disktype':'ssd'}},"
    "'spec':{'taints':[{'key':'dedicated','value':'gpu','effect':'NoSchedule'},"
    "{'key':'other','value':'x','effect':'NoSchedule','timeAdded':null}]},"
    "'status':{'capacity':{'cpu':'16'},'images':[],'conditions':[{'type':'Ready','status':'True'}]}}";

/* Fails: cordoned. */
static char N4[] =
    "{'apiVersion':'v1','kind':'Node','metadata':{'name':'n4','labels':{'kubernetes.io/hostname':'n4',"
    "'kubernetes.io/os':'linux','topology.kubernetes.io/zone':'zone-a'}},"
    "'spec':{'unschedulable':true,'taints':[{'key':'node.kubernetes.io/unschedulable','effect':'NoSchedule',"
    "'timeAdded':'2024-05-01T09:00:00Z'}]},'status':{'conditions':[{'type':'Ready','status':'True'}]}}";

/* Feasible with a PreferNoSchedule taint; its name is written with an escape; brackets inside strings. */
static char N5[] =
    "{\n\t'apiVersion':'v1',   'kind' : 'Node' , 'metadata':{'name':'n\\u0035','labels':{"
    "'kubernetes.io/hostname':'n5','kubernetes.io/os':'linux','topology.kubernetes.io/zone':'zone-a',"
    "'disktype':'hdd'},'annotations':{'weird':'}]{[\\\"}','uni':'\\u65e5\\u672c'}} ,\n"
    "  'spec':{'taints':[{'key':'soft','value':'y','effect':'PreferNoSchedule'}]},"
    "'status':{'capacity':{'cpu':'2','ephemeral-storage':'-0'},'images':[{'names':['x'],'sizeBytes':1E+2}]}\n}";

static char *const FIXTURES[] = {POD, N1, N2, N3, N4, N5};
static char *const NODES[] = {N1, N2, N3, N4, N5};
#define NNODES (sizeof NODES / sizeof *NODES)

static const char FULL_FAILED[] =
    "'FailedNodes':{},'FailedAndUnresolvableNodes':{'n2':'node(s) didn\\u0027t match Pod\\u0027s node affinity/selector',"
    "'n3':'node(s) had untolerated taint {other: x}','n4':'node(s) were unschedulable'},'Error':''}";

/* ---- small helpers ---- */

typedef struct {
    char *s;
    size_t len, cap;
} sbuf;

static void sb_put(sbuf *b, const char *s, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        b->cap = (b->len + n + 1) * 2;
        b->s = realloc(b->s, b->cap);
        if (!b->s)
            abort();
    }
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = '\0';
}

static void sb_add(sbuf *b, const char *s) { sb_put(b, s, strlen(s)); }

static void sb_repeat(sbuf *b, const char *s, int n)
{
    while (n-- > 0)
        sb_add(b, s);
}

/* Replaces every ' with " in place. */
static char *unquote(char *s)
{
    for (char *p = s; *p; p++)
        if (*p == '\'')
            *p = '"';
    return s;
}

/* A heap copy of s with ' turned into ", for the caller to free. */
static char *q(const char *s)
{
    char *c = strdup(s);
    if (!c)
        abort();
    return unquote(c);
}

/* Every reply: a status and a NUL-terminated body whose len excludes the NUL. */
static void check_shape(const ng_reply *r)
{
    assert_non_null(r->data);
    assert_int_equal(strlen(r->data), r->len);
}

static json_t *parse(const char *text, size_t len)
{
    json_error_t je;
    json_t *j = json_loadb(text, len, JSON_DECODE_ANY, &je);
    if (!j)
        print_error("not JSON (%s): %.*s\n", je.text, (int)len, text);
    assert_non_null(j);
    return j;
}

/* Asserts the reply has this status and a body equal, as JSON, to expected (' for "). */
static void expect_reply(const ng_reply *r, int status, const char *expected)
{
    check_shape(r);
    char *want_text = q(expected);
    json_t *want = parse(want_text, strlen(want_text));
    json_t *got = parse(r->data, r->len);
    bool ok = r->status == status && json_equal(want, got);
    if (!ok)
        print_error("expected %d %s\n     got %d %s\n", status, want_text, r->status, r->data);
    assert_true(ok);
    json_decref(want);
    json_decref(got);
    free(want_text);
}

/* Asserts an error reply: this status, a body that is an object with one key, "Error", a non-empty string. */
static void expect_error(const ng_reply *r, int status)
{
    check_shape(r);
    if (r->status != status)
        print_error("expected status %d, got %d %s\n", status, r->status, r->data);
    assert_int_equal(r->status, status);
    json_t *j = parse(r->data, r->len);
    const char *msg = json_string_value(json_object_get(j, "Error"));
    bool ok = json_is_object(j) && json_object_size(j) == 1 && msg && msg[0];
    if (!ok)
        print_error("not a {\"Error\": \"...\"} body: %s\n", r->data);
    assert_true(ok);
    json_decref(j);
}

static ng_index *new_index(void)
{
    char err[256] = "";
    ng_index *idx = P->index_new(NULL, err, sizeof err);
    if (!idx)
        print_error("index_new(NULL): %s\n", err);
    assert_non_null(idx);
    return idx;
}

/* Runs one call, feeding body as a first chunk of head bytes then chunks of size bytes.
 * Every chunk is a fresh heap copy, scribbled over and freed right after call_feed,
 * so a plugin that reads past a chunk or keeps it fails (under ASan at once).
 * Returns call_end's status, or -1 when call_feed broke its contract
 * (a status other than 0 or the first error's, or call_end disagreeing). */
static int call_chunks(ng_index *idx, ng_verb verb, const char *body, size_t len, size_t head, size_t size,
                       ng_reply *r)
{
    ng_call *c = P->call_begin(idx, verb);
    int first = 0;
    bool broke = false;
    for (size_t off = 0, n; off < len; off += n) {
        n = off == 0 && head ? head : size;
        n = n < len - off ? n : len - off;
        char *chunk = malloc(n);
        if (!chunk)
            abort();
        memcpy(chunk, body + off, n);
        int st = P->call_feed(c, chunk, n);
        memset(chunk, '{', n);
        free(chunk);
        broke |= first ? st != first : (st != 0 && st < 400);
        first = first ? first : st;
    }
    int st = P->call_end(c, r);
    broke |= st != r->status || (first && st != first);
    return broke ? -1 : st;
}

/* One call with the whole body in one chunk. */
static int call_once(ng_index *idx, ng_verb verb, const char *body, size_t len, ng_reply *r)
{
    return call_chunks(idx, verb, body, len, 0, len ? len : 1, r);
}

/* One call on a body written with ' for ". */
static int call_q(ng_index *idx, ng_verb verb, const char *text, ng_reply *r)
{
    char *body = q(text);
    int st = call_once(idx, verb, body, strlen(body), r);
    free(body);
    return st;
}

static void expect_call(ng_index *idx, ng_verb verb, const char *text, int status, const char *expected)
{
    ng_reply r;
    assert_int_equal(call_q(idx, verb, text, &r), status);
    expect_reply(&r, status, expected);
    P->reply_free(&r);
}

/* nodes_apply on a body written with ' for ", passed in an exact-size buffer without a NUL. */
static int apply_q(ng_index *idx, const char *text, ng_reply *r)
{
    char *body = q(text);
    size_t len = strlen(body);
    char *exact = malloc(len ? len : 1);
    if (!exact)
        abort();
    memcpy(exact, body, len);
    int st = P->nodes_apply(idx, exact, len, r);
    free(exact);
    free(body);
    assert_int_equal(st, r->status);
    return st;
}

static void expect_apply(ng_index *idx, const char *text, int status, const char *expected)
{
    ng_reply r;
    apply_q(idx, text, &r);
    expect_reply(&r, status, expected);
    P->reply_free(&r);
}

/* A JSON array of strings as an object {name: count}, so lists compare as multisets. */
static json_t *as_bag(json_t *array)
{
    assert_true(json_is_array(array));
    json_t *bag = json_object();
    size_t i;
    json_t *v;
    json_array_foreach(array, i, v) {
        assert_true(json_is_string(v));
        json_t *n = json_object_get(bag, json_string_value(v));
        json_object_set_new(bag, json_string_value(v), json_integer(n ? json_integer_value(n) + 1 : 1));
    }
    return bag;
}

/* Asserts nodes_list holds exactly these names (order free), e.g. "['a','b']". */
static void expect_list(ng_index *idx, const char *names)
{
    ng_reply r;
    assert_int_equal(P->nodes_list(idx, &r), 200);
    check_shape(&r);
    assert_int_equal(r.status, 200);
    char *want_text = q(names);
    json_t *got = parse(r.data, r.len), *want = parse(want_text, strlen(want_text));
    json_t *got_bag = as_bag(got), *want_bag = as_bag(want);
    if (!json_equal(got_bag, want_bag))
        print_error("nodes_list: expected %s, got %s\n", want_text, r.data);
    assert_true(json_equal(got_bag, want_bag));
    json_decref(got_bag);
    json_decref(want_bag);
    json_decref(got);
    json_decref(want);
    free(want_text);
    P->reply_free(&r);
}

/* A heap copy of a reply's body. */
static char *take(ng_reply *r)
{
    check_shape(r);
    char *s = strdup(r->data);
    if (!s)
        abort();
    P->reply_free(r);
    return s;
}

static char *list_text(ng_index *idx)
{
    ng_reply r;
    assert_int_equal(P->nodes_list(idx, &r), 200);
    return take(&r);
}

/* {"kind":"NodeList","items":[nodes...]} */
static char *node_list(char *const *nodes, size_t n)
{
    sbuf b = {0};
    sb_add(&b, "{\"apiVersion\":\"v1\",\"kind\":\"NodeList\",\"metadata\":{\"resourceVersion\":\"4711\"},\"items\":[");
    for (size_t i = 0; i < n; i++) {
        sb_add(&b, i ? "," : "");
        sb_add(&b, nodes[i]);
    }
    sb_add(&b, "]}");
    return b.s;
}

/* A full-mode ExtenderArgs: the pod and the nodes as a NodeList. */
static char *full_request(const char *pod, char *const *nodes, size_t n)
{
    char *list = node_list(nodes, n);
    sbuf b = {0};
    sb_add(&b, "{\"Pod\": ");
    sb_add(&b, pod);
    sb_add(&b, ",\n \"Nodes\": ");
    sb_add(&b, list);
    sb_add(&b, ",\n \"NodeNames\": null}");
    free(list);
    return b.s;
}

/* A names-mode ExtenderArgs for the fixture pod. */
static char *names_request(const char *names_json)
{
    sbuf b = {0};
    sb_add(&b, "{\"Pod\":");
    sb_add(&b, POD);
    sb_add(&b, ",\"Nodes\":null,\"NodeNames\":");
    sb_add(&b, names_json);
    sb_add(&b, "}");
    return b.s;
}

/* An index holding the fixture nodes. */
static ng_index *fixture_index(void)
{
    ng_index *idx = new_index();
    char *list = node_list(NODES, NNODES);
    ng_reply r;
    P->nodes_apply(idx, list, strlen(list), &r);
    expect_reply(&r, 200, "{'applied':5,'nodes':5,'resourceVersion':'4711'}");
    P->reply_free(&r);
    free(list);
    return idx;
}

static bool same_reply(const ng_reply *a, const ng_reply *b)
{
    return a->status == b->status && a->len == b->len && memcmp(a->data, b->data, a->len) == 0;
}

/* ---- loading ---- */

static int load_plugin(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof FIXTURES / sizeof *FIXTURES; i++)
        unquote(FIXTURES[i]);
    char err[512];
    if (host_plugin_load(so_path, &plugin, err, sizeof err)) {
        fprintf(stderr, "%s\n", err);
        return -1;
    }
    P = plugin.api;
    return 0;
}

static int unload_plugin(void **state)
{
    (void)state;
    return host_plugin_unload(&plugin);
}

/* ---- table sanity and options ---- */

static void test_table(void **state)
{
    (void)state;
    host_plugin second;   /* a second load of the same file: dlopen hands back the same library */
    char err[512];
    assert_int_equal(host_plugin_load(so_path, &second, err, sizeof err), 0);
    assert_non_null(second.dl);
    const struct nodegate_plugin *(*entry)(void);
    *(void **)&entry = dlsym(second.dl, NODEGATE_ENTRY_SYMBOL);
    assert_non_null(entry);
    assert_ptr_equal(entry(), second.api);
    const struct nodegate_plugin *p = second.api;
    assert_non_null(p);
    assert_ptr_equal(p, P);   /* the same static table */
    assert_int_equal(p->abi_version, NODEGATE_ABI_VERSION);
    assert_true(p->struct_size >= sizeof *p);
    assert_string_equal(p->name, "nodegate");
    assert_string_equal(p->version, NODEGATE_VERSION);
    assert_non_null(p->index_new);
    assert_non_null(p->index_free);
    assert_non_null(p->nodes_apply);
    assert_non_null(p->nodes_delete);
    assert_non_null(p->nodes_list);
    assert_non_null(p->call_begin);
    assert_non_null(p->call_feed);
    assert_non_null(p->call_end);
    assert_non_null(p->reply_free);
    assert_non_null(p->index_stats);
    assert_true(NODEGATE_HAS(p, index_stats));
    assert_int_equal(host_plugin_unload(&second), 0);
}

/* NODEGATE_HAS against tables as an older or partial plugin would ship them. */
static void test_has(void **state)
{
    (void)state;
    struct nodegate_plugin t = *P;
    t.struct_size = (uint32_t)offsetof(struct nodegate_plugin, index_stats);   /* ends before it */
    assert_false(NODEGATE_HAS(&t, index_stats));
    assert_true(NODEGATE_HAS(&t, reply_free));
    t.struct_size = (uint32_t)(offsetof(struct nodegate_plugin, index_stats) + sizeof t.index_stats - 1);
    assert_false(NODEGATE_HAS(&t, index_stats));   /* one byte short of the whole entry */
    t.struct_size = (uint32_t)sizeof t;
    t.index_stats = NULL;   /* inside the table, but left out */
    assert_false(NODEGATE_HAS(&t, index_stats));
    assert_true(NODEGATE_HAS(P, index_stats));
}

static void test_index_new(void **state)
{
    (void)state;
    char err[256];
    ng_index *idx = P->index_new(NULL, err, sizeof err);
    assert_non_null(idx);
    P->index_free(idx);
    idx = P->index_new(NULL, NULL, 0);
    assert_non_null(idx);
    P->index_free(idx);
    char *good = q("{'featureGates':{'TaintTolerationComparisonOperators':true},"
                   "'weights':{'TaintToleration':3,'NodeAffinity':2},'compactReplies':true}");
    idx = P->index_new(good, err, sizeof err);
    free(good);
    assert_non_null(idx);
    P->index_free(idx);
    P->index_free(NULL);
}

static void test_index_new_bad_options(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "{'bogus':1}", "{'featureGates':{'Nope':true}}", "not json", "{'weights':{'TaintToleration':-1}}",
        "{'featureGates':{'TaintTolerationComparisonOperators':'yes'}}", "[]", "",
        "{'weights':{'TaintToleration':0,'NodeAffinity':0}}", "{'compactReplies':'true'}",
        "{'compactReplies':1}", "{'compactReplies':null}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        char *opt = q(bad[i]);
        char err[256];
        memset(err, 0, sizeof err);
        if (P->index_new(opt, err, sizeof err))
            print_error("options %s were accepted\n", opt);
        assert_null(P->index_new(opt, err, sizeof err));
        assert_true(err[0] != '\0');
        assert_true(strlen(err) < sizeof err);
        assert_null(P->index_new(opt, NULL, 0));
        assert_null(P->index_new(opt, NULL, 64));   /* err may be NULL whatever errlen says */
        char small[8];
        memset(small, 'Z', sizeof small);
        assert_null(P->index_new(opt, small, 5));   /* cut, NUL-terminated, nothing written past errlen */
        assert_int_equal(strlen(small), 4);
        assert_memory_equal(small + 5, "ZZZ", 3);
        free(opt);
    }
}

static void test_reply_free(void **state)
{
    (void)state;
    ng_reply zero = {0};
    P->reply_free(&zero);
    assert_null(zero.data);
    ng_index *idx = new_index();
    ng_reply r;
    assert_int_equal(P->nodes_list(idx, &r), 200);
    P->reply_free(&r);
    assert_null(r.data);
    assert_int_equal(r.len, 0);
    assert_int_equal(r.status, 0);
    P->reply_free(&r);   /* and again: it is zeroed now */
    P->index_free(idx);
}

/* ---- chunking ---- */

/* Feeds body in chunks of every size 1..len, and split in two at every byte; every
 * reply must equal the one-chunk reply byte for byte. Returns the one-chunk status. */
static int check_every_chunking(ng_index *idx, ng_verb verb, const char *body, size_t len)
{
    ng_reply ref;
    int status = call_once(idx, verb, body, len, &ref);
    assert_int_equal(status, ref.status);
    check_shape(&ref);
    for (size_t pass = 0; pass < 2; pass++) {
        for (size_t k = 1; k <= len; k++) {
            ng_reply r;
            size_t head = pass ? k : 0, size = pass ? len : k;
            int st = call_chunks(idx, verb, body, len, head, size, &r);
            bool ok = st == status && same_reply(&r, &ref);
            if (!ok)
                print_error("%s %zu: status %d (one chunk: %d)\n  got %s\n want %s\n",
                            pass ? "split at" : "chunks of", k, st, status, r.data ? r.data : "(null)",
                            ref.data);
            assert_true(ok);
            P->reply_free(&r);
        }
    }
    P->reply_free(&ref);
    return status;
}

static void test_chunking_full_filter(void **state)
{
    (void)state;
    ng_index *idx = new_index();
    char *body = full_request(POD, NODES, NNODES);
    ng_reply r;
    call_once(idx, NG_FILTER, body, strlen(body), &r);
    sbuf want = {0};
    sb_add(&want, "{'Nodes':{'metadata':{},'items':[");
    sb_add(&want, N1);
    sb_add(&want, ",");
    sb_add(&want, N5);
    sb_add(&want, "]},'NodeNames':null,");
    sb_add(&want, FULL_FAILED);
    expect_reply(&r, 200, want.s);
    free(want.s);
    P->reply_free(&r);
    assert_int_equal(check_every_chunking(idx, NG_FILTER, body, strlen(body)), 200);
    free(body);
    P->index_free(idx);
}

static void test_chunking_names_filter(void **state)
{
    (void)state;
    ng_index *idx = fixture_index();
    char *body = names_request("[\"n1\", \"n2\",\"n3\",\"n4\",\"n\\u0035\",\"ghost\"]");
    ng_reply r;
    call_once(idx, NG_FILTER, body, strlen(body), &r);
    expect_reply(&r, 200, "{'Nodes':null,'NodeNames':['n1','n5'],'FailedNodes':{'ghost':"
                          "'node(s) were not found in the extender\\u0027s node cache'},"
                          "'FailedAndUnresolvableNodes':{'n2':'node(s) didn\\u0027t match Pod\\u0027s node "
                          "affinity/selector','n3':'node(s) had untolerated taint {other: x}',"
                          "'n4':'node(s) were unschedulable'},'Error':''}");
    P->reply_free(&r);
    assert_int_equal(check_every_chunking(idx, NG_FILTER, body, strlen(body)), 200);
    free(body);
    P->index_free(idx);
}

/* HostPriorityList as {host: score}, so the comparison ignores order. */
static void expect_scores(const ng_reply *r, const char *expected)
{
    json_t *got = parse(r->data, r->len);
    json_t *scores = json_object();
    size_t i;
    json_t *v;
    assert_true(json_is_array(got));
    json_array_foreach(got, i, v) {
        assert_int_equal(json_object_size(v), 2);
        assert_true(json_is_integer(json_object_get(v, "Score")));
        assert_null(json_object_get(scores, json_string_value(json_object_get(v, "Host"))));
        json_object_set(scores, json_string_value(json_object_get(v, "Host")), json_object_get(v, "Score"));
    }
    char *text = json_dumps(scores, JSON_SORT_KEYS);
    ng_reply as_map = {.data = text, .len = strlen(text), .status = r->status};
    expect_reply(&as_map, 200, expected);
    free(text);
    json_decref(scores);
    json_decref(got);
}

static void test_chunking_prioritize(void **state)
{
    (void)state;
    ng_index *idx = fixture_index();
    char *body = full_request(POD, NODES, NNODES);
    ng_reply r;
    call_once(idx, NG_PRIORITIZE, body, strlen(body), &r);
    /* taint (PreferNoSchedule, reversed) weight 3, preferred affinity (disktype=ssd) weight 2 */
    expect_scores(&r, "{'n1':10,'n2':6,'n3':10,'n4':6,'n5':0}");
    P->reply_free(&r);
    assert_int_equal(check_every_chunking(idx, NG_PRIORITIZE, body, strlen(body)), 200);
    free(body);
    body = names_request("[\"n1\",\"n2\",\"n3\",\"n4\",\"n5\"]");
    call_once(idx, NG_PRIORITIZE, body, strlen(body), &r);
    expect_scores(&r, "{'n1':10,'n2':6,'n3':10,'n4':6,'n5':0}");
    P->reply_free(&r);
    assert_int_equal(check_every_chunking(idx, NG_PRIORITIZE, body, strlen(body)), 200);
    free(body);
    P->index_free(idx);
}

/* An invalid body is a 400 {"Error"}, the same bytes however it is chunked. */
static void check_invalid_every_chunking(ng_index *idx, const char *body, size_t len)
{
    ng_reply r;
    call_once(idx, NG_FILTER, body, len, &r);
    expect_error(&r, 400);
    P->reply_free(&r);
    assert_int_equal(check_every_chunking(idx, NG_FILTER, body, len), 400);
}

static void test_chunking_invalid(void **state)
{
    (void)state;
    ng_index *idx = fixture_index();
    char *body = full_request(POD, NODES, NNODES);
    check_invalid_every_chunking(idx, body, strlen(body) * 2 / 3);   /* truncated */
    check_invalid_every_chunking(idx, body, strlen(body) - 1);       /* last '}' missing */
    free(body);
    body = names_request("\"n1\"");                                  /* NodeNames ill-typed */
    check_invalid_every_chunking(idx, body, strlen(body));
    free(body);
    body = names_request("[\"n1\", nul]");                           /* lexical error */
    check_invalid_every_chunking(idx, body, strlen(body));
    free(body);
    P->index_free(idx);
}

/* ---- full-mode echo ---- */

static void test_full_mode_echo(void **state)
{
    (void)state;
    ng_index *idx = new_index();
    char *body = full_request(POD, NODES, NNODES);
    ng_reply r;
    assert_int_equal(call_once(idx, NG_FILTER, body, strlen(body), &r), 200);
    check_shape(&r);
    /* the items array is exactly [N1,N5]: the request's bytes, in request order */
    sbuf items = {0};
    sb_add(&items, "[");
    sb_add(&items, N1);
    sb_add(&items, ",");
    sb_add(&items, N5);
    sb_add(&items, "]");
    if (!memmem(r.data, r.len, items.s, items.len))
        print_error("reply does not hold the feasible nodes' bytes:\n%s\n", r.data);
    assert_non_null(memmem(r.data, r.len, items.s, items.len));
    for (size_t i = 1; i < 4; i++)   /* N2..N4 failed: not echoed */
        assert_null(memmem(r.data, r.len, NODES[i], strlen(NODES[i])));
    assert_non_null(strstr(body, N1));   /* the request really held them so */
    free(items.s);
    P->reply_free(&r);
    free(body);
    /* the same nodes in another order, with whitespace between them */
    sbuf req = {0};
    sb_add(&req, "{\"nodes\" : {\"items\" : [ \n");
    sb_add(&req, N5);
    sb_add(&req, " ,\t");
    sb_add(&req, N4);
    sb_add(&req, "\r\n,");
    sb_add(&req, N1);
    sb_add(&req, " ] } ,\"pod\":");
    sb_add(&req, POD);
    sb_add(&req, "}");
    assert_int_equal(call_once(idx, NG_FILTER, req.s, req.len, &r), 200);
    sbuf want = {0};
    sb_add(&want, "[");
    sb_add(&want, N5);
    sb_add(&want, ",");
    sb_add(&want, N1);
    sb_add(&want, "]");
    if (!memmem(r.data, r.len, want.s, want.len))
        print_error("reply does not hold [N5,N1]:\n%s\n", r.data);
    assert_non_null(memmem(r.data, r.len, want.s, want.len));
    free(want.s);
    free(req.s);
    P->reply_free(&r);
    P->index_free(idx);
}

/* ---- compactReplies ---- */

/* The exact message of an options refusal. */
static void expect_options_error(const char *options, const char *message)
{
    char *opt = q(options), err[256] = "";
    assert_null(P->index_new(opt, err, sizeof err));
    if (strcmp(err, message) != 0)
        print_error("options %s: expected \"%s\", got \"%s\"\n", opt, message, err);
    assert_string_equal(err, message);
    free(opt);
}

static void test_compact_options(void **state)
{
    (void)state;
    expect_options_error("{'compactReplies':'yes'}", "options: compactReplies must be true or false");
    expect_options_error("{'compactReplies':0}", "options: compactReplies must be true or false");
    expect_options_error("{'compact':true}",
                         "options: unknown key \"compact\" (featureGates, weights, completeCache, compactReplies)");
    static const char *const good[] = {"{'compactReplies':true}", "{'compactReplies':false}",
                                       "{'completeCache':true,'compactReplies':true}"};
    for (size_t i = 0; i < sizeof good / sizeof *good; i++) {
        char *opt = q(good[i]), err[256] = "";
        ng_index *idx = P->index_new(opt, err, sizeof err);
        if (!idx)
            print_error("options %s refused: %s\n", opt, err);
        assert_non_null(idx);
        P->index_free(idx);
        free(opt);
    }
}

/* An index with these options (' for ") holding the fixture nodes. */
static ng_index *fixture_index_with(const char *options)
{
    char *opt = q(options), err[256] = "";
    ng_index *idx = P->index_new(opt, err, sizeof err);
    if (!idx)
        print_error("options %s refused: %s\n", opt, err);
    assert_non_null(idx);
    free(opt);
    char *list = node_list(NODES, NNODES);
    ng_reply r;
    P->nodes_apply(idx, list, strlen(list), &r);
    expect_reply(&r, 200, "{'applied':5,'nodes':5,'resourceVersion':'4711'}");
    P->reply_free(&r);
    free(list);
    return idx;
}

/* Asserts the reply's body is exactly want (' for "), byte for byte. */
static void expect_bytes(const ng_reply *r, int status, const char *want)
{
    check_shape(r);
    char *w = q(want);
    bool ok = r->status == status && strcmp(r->data, w) == 0;
    if (!ok)
        print_error("expected %d %s\n     got %d %s\n", status, w, r->status, r->data);
    assert_true(ok);
    free(w);
}

/* Asserts that verb answers body alike, byte for byte, from both indexes; returns the reply of a. */
static void expect_same(ng_index *a, ng_index *b, ng_verb verb, const char *body, ng_reply *ra)
{
    ng_reply rb;
    int sa = call_once(a, verb, body, strlen(body), ra), sb = call_once(b, verb, body, strlen(body), &rb);
    bool ok = sa == sb && same_reply(ra, &rb);
    if (!ok)
        print_error("verb %d answers differently:\n  %d %s\n  %d %s\n", (int)verb, sa, ra->data, sb, rb.data);
    assert_true(ok);
    P->reply_free(&rb);
}

/* Filter: with a node passing, both reason maps are {} and the rest as before (n1 and n5 pass,
 * the fixture's reasons are in test_chunking_names_filter); with none passing, the full reply. */
static void test_compact_filter_names(void **state)
{
    (void)state;
    ng_index *full = fixture_index(), *compact = fixture_index_with("{'compactReplies':true}");
    char *body = names_request("[\"n1\", \"n2\",\"n3\",\"n4\",\"n\\u0035\",\"ghost\"]");
    ng_reply r;
    assert_int_equal(call_once(compact, NG_FILTER, body, strlen(body), &r), 200);
    expect_bytes(&r, 200, "{'Nodes':null,'NodeNames':['n1','n5'],'FailedNodes':{},'FailedAndUnresolvableNodes':{},"
                          "'Error':''}");
    P->reply_free(&r);
    assert_int_equal(check_every_chunking(compact, NG_FILTER, body, strlen(body)), 200);
    free(body);
    /* one passing node is enough: a pinned pod's reply is its one name */
    body = names_request("[\"n2\",\"n3\",\"n4\",\"n1\"]");
    assert_int_equal(call_once(compact, NG_FILTER, body, strlen(body), &r), 200);
    expect_bytes(&r, 200, "{'Nodes':null,'NodeNames':['n1'],'FailedNodes':{},'FailedAndUnresolvableNodes':{},"
                          "'Error':''}");
    P->reply_free(&r);
    free(body);
    /* none passes: the reasons go out, the same bytes as without the option */
    body = names_request("[\"n2\",\"n3\",\"n4\",\"ghost\"]");
    expect_same(compact, full, NG_FILTER, body, &r);
    expect_reply(&r, 200, "{'Nodes':null,'NodeNames':[],'FailedNodes':{'ghost':"
                          "'node(s) were not found in the extender\\u0027s node cache'},"
                          "'FailedAndUnresolvableNodes':{'n2':'node(s) didn\\u0027t match Pod\\u0027s node "
                          "affinity/selector','n3':'node(s) had untolerated taint {other: x}',"
                          "'n4':'node(s) were unschedulable'},'Error':''}");
    P->reply_free(&r);
    free(body);
    body = names_request("[]");   /* no candidates: nothing passes, nothing failed */
    expect_same(compact, full, NG_FILTER, body, &r);
    expect_bytes(&r, 200, "{'Nodes':null,'NodeNames':[],'FailedNodes':{},'FailedAndUnresolvableNodes':{},'Error':''}");
    P->reply_free(&r);
    free(body);
    P->index_free(compact);
    P->index_free(full);
}

/* Full mode: the passing nodes' bytes echoed as before, the maps {}; none passing, the full reply. */
static void test_compact_filter_full(void **state)
{
    (void)state;
    ng_index *full = new_index(), *compact = fixture_index_with("{'compactReplies':true}");
    char *body = full_request(POD, NODES, NNODES);
    ng_reply r;
    assert_int_equal(call_once(compact, NG_FILTER, body, strlen(body), &r), 200);
    sbuf want = {0};   /* the nodes' own bytes hold no ', so expect_bytes turns only the frame's */
    sb_add(&want, "{'Nodes':{'metadata':{},'items':[");
    sb_add(&want, N1);
    sb_add(&want, ",");
    sb_add(&want, N5);
    sb_add(&want, "]},'NodeNames':null,'FailedNodes':{},'FailedAndUnresolvableNodes':{},'Error':''}");
    expect_bytes(&r, 200, want.s);
    free(want.s);
    P->reply_free(&r);
    assert_int_equal(check_every_chunking(compact, NG_FILTER, body, strlen(body)), 200);
    free(body);
    char *const refused[] = {N2, N3, N4};
    body = full_request(POD, refused, 3);
    expect_same(compact, full, NG_FILTER, body, &r);
    expect_reply(&r, 200, "{'Nodes':{'metadata':{},'items':[]},'NodeNames':null,"
                          "'FailedNodes':{},'FailedAndUnresolvableNodes':{'n2':'node(s) didn\\u0027t match Pod\\u0027s "
                          "node affinity/selector','n3':'node(s) had untolerated taint {other: x}',"
                          "'n4':'node(s) were unschedulable'},'Error':''}");
    P->reply_free(&r);
    free(body);
    P->index_free(compact);
    P->index_free(full);
}

/* /prioritize, /explain, /daemonset and /preempt answer as without the option, byte for byte:
 * prioritize lists every host, as a host left out would lose its random tie-break
 * (schedule_one.go: prioritizeNodes draws a Randomizer only for the hosts an extender lists). */
static void test_compact_other_verbs(void **state)
{
    (void)state;
    ng_index *full = fixture_index(), *compact = fixture_index_with("{'compactReplies':true}");
    char *explain = names_request("[\"n1\",\"n2\",\"n3\",\"n4\",\"n5\",\"ghost\"]");
    char *daemonset = q("{'DaemonSet':{'metadata':{'name':'ds','namespace':'x'},'spec':{'template':{'spec':{}}}},"
                        "'NodeNames':['n1','n2','n3','n4','n5']}");
    char *preempt = q("{'Pod':{'metadata':{'name':'p'},'spec':{'tolerations':[{'key':'dedicated','operator':'Exists'}]}},"
                      "'NodeNameToVictims':null,'NodeNameToMetaVictims':{'n1':{'Pods':[{'UID':'a'}],'NumPDBViolations':0},"
                      "'n4':{'Pods':[],'NumPDBViolations':0},'ghost':{'Pods':[],'NumPDBViolations':1}}}");
    const struct {
        ng_verb verb;
        const char *body;
    } calls[] = {{NG_PRIORITIZE, explain}, {NG_EXPLAIN, explain}, {NG_DAEMONSET, daemonset}, {NG_PREEMPT, preempt}};
    for (size_t i = 0; i < sizeof calls / sizeof *calls; i++) {
        ng_reply r;
        expect_same(compact, full, calls[i].verb, calls[i].body, &r);
        if (r.status != 200)
            print_error("verb %d answered %d %s\n", (int)calls[i].verb, r.status, r.data);
        assert_int_equal(r.status, 200);
        P->reply_free(&r);
    }
    free(explain);
    free(daemonset);
    free(preempt);
    P->index_free(compact);
    P->index_free(full);
}

/* ---- node updates ---- */

#define PLAIN_POD "'Pod':{'metadata':{'name':'p'},'spec':{'containers':[{'name':'c','image':'i'}]}}"

static void test_node_updates(void **state)
{
    (void)state;
    ng_index *idx = new_index();
    expect_list(idx, "[]");
    expect_apply(idx, "{'apiVersion':'v1','kind':'Node','metadata':{'name':'a','labels':{'zone':'x'}}}", 200,
                 "{'applied':1,'nodes':1}");
    expect_list(idx, "['a']");
    expect_apply(idx, "{'apiVersion':'v1','kind':'NodeList','metadata':{'resourceVersion':'7'},'items':["
                      "{'metadata':{'name':'b'}},{'metadata':{'name':'c','labels':{'zone':'y'}}}]}",
                 200, "{'applied':2,'nodes':3,'resourceVersion':'7'}");
    expect_list(idx, "['a','b','c']");
    expect_apply(idx, "{'type':'ADDED','object':{'kind':'Node','metadata':{'name':'d','labels':{'zone':'x'}}}}",
                 200, "{'applied':1,'nodes':4,'type':'ADDED'}");
    expect_list(idx, "['a','b','c','d']");
    expect_apply(idx, "{'type':'MODIFIED','object':{'kind':'Node','metadata':{'name':'a','labels':{'zone':'y'}},"
                      "'spec':{'taints':[{'key':'t','value':'v','effect':'NoSchedule'}]}}}",
                 200, "{'applied':1,'nodes':4,'type':'MODIFIED'}");
    expect_list(idx, "['a','b','c','d']");
    expect_call(idx, NG_FILTER, "{" PLAIN_POD ",'NodeNames':['a','b','c','d']}", 200,
                "{'Nodes':null,'NodeNames':['b','c','d'],'FailedNodes':{},"
                "'FailedAndUnresolvableNodes':{'a':'node(s) had untolerated taint {t: v}'},'Error':''}");
    /* MODIFIED replaced the labels: zone=y is now a and c, zone=x only d */
    expect_call(idx, NG_FILTER, "{'Pod':{'spec':{'nodeSelector':{'zone':'x'}}},'NodeNames':['a','b','c','d']}", 200,
                "{'Nodes':null,'NodeNames':['d'],'FailedNodes':{},'FailedAndUnresolvableNodes':{"
                "'a':'node(s) had untolerated taint {t: v}',"
                "'b':'node(s) didn\\u0027t match Pod\\u0027s node affinity/selector',"
                "'c':'node(s) didn\\u0027t match Pod\\u0027s node affinity/selector'},'Error':''}");
    expect_apply(idx, "{'type':'DELETED','object':{'kind':'Node','metadata':{'name':'b'}}}", 200,
                 "{'applied':1,'nodes':3,'type':'DELETED'}");
    expect_list(idx, "['a','c','d']");
    expect_apply(idx, "{'type':'DELETED','object':{'kind':'Node','metadata':{'name':'never-seen'}}}", 200,
                 "{'applied':0,'nodes':3,'type':'DELETED'}");
    expect_apply(idx, "{'type':'BOOKMARK','object':{'kind':'Node','metadata':{'resourceVersion':'99'}}}", 200,
                 "{'applied':0,'nodes':3,'type':'BOOKMARK','resourceVersion':'99'}");
    expect_list(idx, "['a','c','d']");
    /* a streaming list's end, and an ERROR event's Status: facts for the watch client, no change */
    expect_apply(idx, "{'type':'BOOKMARK','object':{'kind':'Node','metadata':{'resourceVersion':'120',"
                      "'annotations':{'k8s.io/initial-events-end':'true'}}}}",
                 200, "{'applied':0,'nodes':3,'type':'BOOKMARK','resourceVersion':'120','initialEventsEnd':true}");
    expect_apply(idx, "{'type':'ERROR','object':{'kind':'Status','apiVersion':'v1','metadata':{},'status':'Failure',"
                      "'message':'too old resource version: 5 (120)','reason':'Expired','code':410}}",
                 200, "{'applied':0,'nodes':3,'type':'ERROR','code':410,'reason':'Expired',"
                      "'message':'too old resource version: 5 (120)'}");
    expect_list(idx, "['a','c','d']");
    ng_reply r;
    assert_int_equal(P->nodes_delete(idx, "c", &r), 200);
    expect_reply(&r, 200, "{'applied':1,'nodes':2}");
    P->reply_free(&r);
    assert_int_equal(P->nodes_delete(idx, "c", &r), 404);
    expect_error(&r, 404);
    P->reply_free(&r);
    expect_list(idx, "['a','d']");
    /* a deleted name is unknown to names-mode calls; a re-added one is back */
    expect_call(idx, NG_FILTER, "{" PLAIN_POD ",'NodeNames':['c','d']}", 200,
                "{'Nodes':null,'NodeNames':['d'],'FailedNodes':{'c':'node(s) were not found in the extender\\u0027s "
                "node cache'},'FailedAndUnresolvableNodes':{},'Error':''}");
    expect_apply(idx, "{'kind':'Node','metadata':{'name':'c'}}", 200, "{'applied':1,'nodes':3}");
    expect_list(idx, "['a','c','d']");
    expect_call(idx, NG_FILTER, "{" PLAIN_POD ",'NodeNames':['c','d']}", 200,
                "{'Nodes':null,'NodeNames':['c','d'],'FailedNodes':{},'FailedAndUnresolvableNodes':{},'Error':''}");
    P->index_free(idx);
}

/* The index of the rejection tests: a (zone x), b (tainted), c. */
static ng_index *rejection_index(void)
{
    ng_index *idx = new_index();
    expect_apply(idx, "{'kind':'NodeList','items':[{'metadata':{'name':'a','labels':{'zone':'x'}}},"
                      "{'metadata':{'name':'b','labels':{'zone':'x'}},'spec':{'taints':[{'key':'t','effect':'NoSchedule'}]}},"
                      "{'metadata':{'name':'c','labels':{'zone':'y'}}}]}",
                 200, "{'applied':3,'nodes':3}");
    return idx;
}

static char *filter_text(ng_index *idx)
{
    ng_reply r;
    assert_int_equal(call_q(idx, NG_FILTER, "{'Pod':{'spec':{'nodeSelector':{'zone':'x'}}},"
                                            "'NodeNames':['a','b','c','w','x','y','z']}", &r), 200);
    return take(&r);
}

static void test_rejected_updates(void **state)
{
    (void)state;
    /* each update first changes a and adds w and x, so a partial apply would show */
    static const struct {
        int status;
        const char *body;
        const char *mentions;   /* the error names the node and the field */
    } cases[] = {
        {422, "{'kind':'NodeList','items':[{'metadata':{'name':'a','labels':{'zone':'y'}}},{'metadata':{'name':'w'}},"
              "{'metadata':{'name':'y'},'spec':{'taints':[{'key':'k','effect':'Bogus'}]}},{'metadata':{'name':'z'}}]}",
         "effect"},
        {422, "{'kind':'NodeList','items':[{'metadata':{'name':'a','labels':{'zone':'y'}}},{'metadata':{'name':'w'}},"
              "{'metadata':{'labels':{'zone':'x'}}},{'metadata':{'name':'z'}}]}",
         "metadata.name"},
        {422, "{'kind':'NodeList','items':[{'metadata':{'name':'a','labels':{'zone':'y'}}},{'metadata':{'name':'w'}},"
              "{'metadata':{'name':'y'},'spec':{'taints':[{'value':'v','effect':'NoSchedule'}]}}]}",
         "key"},
        {400, "{'kind':'NodeList','items':[{'metadata':{'name':'a','labels':{'zone':'y'}}},"
              "{'metadata':{'name':'w','labels':'zone=x'}},{'metadata':{'name':'z'}}]}",
         "labels"},
        {400, "{'kind':'NodeList','items':[{'metadata':{'name':'a','labels':{'zone':'y'}}},{'metadata':{'name':'w'}},"
              "{'metadata':{'name':'x'},'spec':{'taints':{'key':'k','effect':'NoSchedule'}}}]}",
         "taints"},
        {400, "{'kind':'Node','metadata':{'name':'a','labels':'zone=y'}}", "labels"},
        {400, "{'kind':'Node','metadata':{'name':'a','labels':{'zone':1}}}", "zone"},
        {422, "{'type':'MODIFIED','object':{'kind':'Node','metadata':{'name':'a'},"
              "'spec':{'taints':[{'key':'k','effect':'Bogus'}]}}}",
         "effect"},
        {422, "{'type':'ADDED','object':{'kind':'Node','metadata':{'name':''}}}", "metadata.name"},
        {400, "{'type':'ERROR','object':{'kind':'Status','code':'410'}}", "code"},
    };
    ng_index *idx = rejection_index();
    char *list0 = list_text(idx), *filter0 = filter_text(idx);
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        ng_reply r;
        apply_q(idx, cases[i].body, &r);
        expect_error(&r, cases[i].status);
        if (!strstr(r.data, cases[i].mentions))
            print_error("error for case %zu does not mention %s: %s\n", i, cases[i].mentions, r.data);
        assert_non_null(strstr(r.data, cases[i].mentions));
        P->reply_free(&r);
        char *list = list_text(idx), *filter = filter_text(idx);
        if (strcmp(list, list0) || strcmp(filter, filter0))
            print_error("case %zu changed the index:\n  %s\n  %s\n", i, list, filter);
        assert_string_equal(list, list0);
        assert_string_equal(filter, filter0);
        free(list);
        free(filter);
    }
    free(list0);
    free(filter0);
    P->index_free(idx);
}

/* ---- errors ---- */

static void test_errors(void **state)
{
    (void)state;
    ng_index *idx = fixture_index();
    sbuf deep = {0}, deep_pod = {0};
    sb_add(&deep, "{\"Pod\":{\"spec\":{}},\"NodeNames\":[\"n1\"],\"Extra\":");
    sb_repeat(&deep, "[", 200);
    sb_repeat(&deep, "]", 200);
    sb_add(&deep, "}");
    sb_add(&deep_pod, "{\"NodeNames\":[\"n1\"],\"Pod\":{\"status\":");
    sb_repeat(&deep_pod, "{\"a\":", 200);
    sb_add(&deep_pod, "1");
    sb_repeat(&deep_pod, "}", 200);
    sb_add(&deep_pod, "}}");
    const char *const bodies[] = {
        "{'Pod': {, }",                                     /* malformed */
        "{'Pod':{'spec':{}},'NodeNames':['n1']} x",        /* trailing garbage */
        "{'Pod':{'spec':{}},'NodeNames':['n1']}{}",        /* a second document */
        "{'Pod': null, 'NodeNames': ['n1']}",
        "{'NodeNames': ['n1']}",                            /* no Pod */
        "{'Pod':{'spec':{}},'NodeNames':'n1'}",
        "{'Pod':{'spec':{'tolerations':{}}},'NodeNames':['n1']}",
        "{'Pod':'web-0','NodeNames':['n1']}",
        "[]",
        "",
        "  \n ",
        deep.s,
        deep_pod.s,
    };
    for (size_t v = 0; v < 2; v++) {
        for (size_t i = 0; i < sizeof bodies / sizeof *bodies; i++) {
            ng_reply r;
            int st = call_q(idx, v ? NG_PRIORITIZE : NG_FILTER, bodies[i], &r);
            if (st != 400)
                print_error("body %zu: %d %s\n", i, st, r.data ? r.data : "(null)");
            assert_int_equal(st, 400);
            expect_error(&r, 400);
            P->reply_free(&r);
        }
    }
    free(deep.s);
    free(deep_pod.s);
    ng_reply r;
    assert_int_equal(call_q(idx, (ng_verb)(NG_EXPLAIN + 1), "{'Pod':{'spec':{}},'NodeNames':['n1']}", &r), 404);
    expect_error(&r, 404);
    P->reply_free(&r);
    assert_int_equal(call_q(idx, (ng_verb)(NG_EXPLAIN + 8), "", &r), 404);
    expect_error(&r, 404);
    P->reply_free(&r);
    /* the index still serves */
    expect_call(idx, NG_FILTER, "{" PLAIN_POD ",'NodeNames':['n2','n3','n5']}", 200,
                "{'Nodes':null,'NodeNames':['n2','n5'],'FailedNodes':{},"
                "'FailedAndUnresolvableNodes':{'n3':'node(s) had untolerated taint {dedicated: gpu}'},'Error':''}");
    P->index_free(idx);
}

/* ---- concurrency ---- */

enum { NCONC = 200, READERS = 4, LISTERS = 2, WRITES = 201, MIN_CALLS = 300 };

typedef struct {
    ng_index *idx;
    char *filter;        /* names-mode filter over n0..n199, pod without tolerations */
    char *state[2];      /* NodeLists: [0] all tainted t=a:NoSchedule, [1] no taints */
    char *list0;         /* nodes_list before the writer starts */
    pthread_barrier_t start;
    atomic_bool writer_done;
} shared;

typedef struct {
    shared *sh;
    long calls, all, none, mixed, bad;
    char why[512];       /* the first bad reply */
} worker;

static void note(worker *w, const char *fmt, const char *detail)
{
    if (!w->why[0])
        snprintf(w->why, sizeof w->why, fmt, detail ? detail : "(null)");
}

/* One names-mode filter call: counts it as all feasible, none, mixed or bad. */
static void filter_once(worker *w)
{
    ng_reply r;
    const char *body = w->sh->filter;
    int st = call_once(w->sh->idx, NG_FILTER, body, strlen(body), &r);
    json_t *j = st == 200 ? json_loadb(r.data, r.len, 0, NULL) : NULL;
    size_t feasible = json_array_size(json_object_get(j, "NodeNames"));
    size_t failed = json_object_size(json_object_get(j, "FailedAndUnresolvableNodes"));
    size_t unknown = json_object_size(json_object_get(j, "FailedNodes"));
    w->calls++;
    if (!j || unknown != 0 || feasible + failed != NCONC) {
        w->bad++;
        note(w, "bad reply: %s", r.data);
    } else if (feasible == NCONC) {
        w->all++;
    } else if (failed == NCONC) {
        w->none++;
    } else {
        w->mixed++;
        note(w, "mixed reply: %.400s", r.data);
    }
    json_decref(j);
    P->reply_free(&r);
}

static void list_once(worker *w)
{
    ng_reply r;
    int st = P->nodes_list(w->sh->idx, &r);
    w->calls++;
    if (st != 200 || !r.data || strcmp(r.data, w->sh->list0) != 0) {
        w->bad++;
        note(w, "nodes_list changed: %.400s", r.data);
    }
    P->reply_free(&r);
}

/* One call before the writer starts (state A for sure), then calls until the writer is
 * done and MIN_CALLS are made; the call after seeing it done meets the final state B. */
static void run_worker(worker *w, void (*once)(worker *))
{
    once(w);
    pthread_barrier_wait(&w->sh->start);
    for (;;) {
        bool done = atomic_load(&w->sh->writer_done);
        once(w);
        if (done && w->calls >= MIN_CALLS)
            break;
    }
}

static void *reader_main(void *arg)
{
    run_worker(arg, filter_once);
    return NULL;
}

static void *lister_main(void *arg)
{
    run_worker(arg, list_once);
    return NULL;
}

static void *writer_main(void *arg)
{
    worker *w = arg;
    shared *sh = w->sh;
    pthread_barrier_wait(&sh->start);
    for (int i = 0; i < WRITES; i++) {
        const char *list = sh->state[(i + 1) % 2];   /* B, A, B, ..., B */
        ng_reply r;
        int st;
        if (i % 2) {   /* every other update is a relist: pages into a staged index, then one swap */
            ng_index *staged = new_index();
            st = P->nodes_apply(staged, list, strlen(list), &r);
            P->reply_free(&r);
            if (st == 200)
                st = P->nodes_replace(sh->idx, staged, &r);
            P->index_free(staged);
        } else {
            st = P->nodes_apply(sh->idx, list, strlen(list), &r);
        }
        w->calls++;
        if (st != 200 || !r.data || strcmp(r.data, "{\"applied\":200,\"nodes\":200}") != 0) {
            w->bad++;
            note(w, "apply: %s", r.data);
        }
        P->reply_free(&r);
    }
    atomic_store(&sh->writer_done, true);
    return NULL;
}

static char *conc_nodelist(bool tainted)
{
    sbuf b = {0};
    sb_add(&b, "{\"kind\":\"NodeList\",\"items\":[");
    for (int i = 0; i < NCONC; i++) {
        char node[256];
        snprintf(node, sizeof node,
                 "%s{\"metadata\":{\"name\":\"n%d\",\"labels\":{\"kubernetes.io/hostname\":\"n%d\"}},\"spec\":{%s}}",
                 i ? "," : "", i, i, tainted ? "\"taints\":[{\"key\":\"t\",\"value\":\"a\",\"effect\":\"NoSchedule\"}]" : "");
        sb_add(&b, node);
    }
    sb_add(&b, "]}");
    return b.s;
}

static char *conc_filter(void)
{
    sbuf b = {0};
    sb_add(&b, "{\"Pod\":{\"metadata\":{\"name\":\"p\"},\"spec\":{\"tolerations\":[{\"key\":\"other\","
               "\"operator\":\"Exists\"}]}},\"NodeNames\":[");
    for (int i = 0; i < NCONC; i++) {
        char name[32];
        snprintf(name, sizeof name, "%s\"n%d\"", i ? "," : "", i);
        sb_add(&b, name);
    }
    sb_add(&b, "]}");
    return b.s;
}

static void test_concurrency(void **state)
{
    (void)state;
    shared sh = {.idx = new_index(), .filter = conc_filter(),
                 .state = {conc_nodelist(true), conc_nodelist(false)}};
    ng_reply r;
    assert_int_equal(P->nodes_apply(sh.idx, sh.state[0], strlen(sh.state[0]), &r), 200);
    P->reply_free(&r);
    sh.list0 = list_text(sh.idx);
    atomic_init(&sh.writer_done, false);
    assert_int_equal(pthread_barrier_init(&sh.start, NULL, READERS + LISTERS + 1), 0);
    worker workers[READERS + LISTERS + 1];
    pthread_t threads[READERS + LISTERS + 1];
    for (int i = 0; i < READERS + LISTERS + 1; i++) {
        workers[i] = (worker){.sh = &sh};
        void *(*fn)(void *) = i < READERS ? reader_main : i < READERS + LISTERS ? lister_main : writer_main;
        assert_int_equal(pthread_create(&threads[i], NULL, fn, &workers[i]), 0);
    }
    for (int i = 0; i < READERS + LISTERS + 1; i++)
        assert_int_equal(pthread_join(threads[i], NULL), 0);
    long all = 0, none = 0;
    for (int i = 0; i < READERS + LISTERS + 1; i++) {
        worker *w = &workers[i];
        if (w->bad || w->mixed)
            print_error("thread %d: %ld calls, %ld bad, %ld mixed; first: %s\n", i, w->calls, w->bad, w->mixed,
                        w->why);
        assert_int_equal(w->bad, 0);
        assert_int_equal(w->mixed, 0);
        assert_true(w->calls >= (i < READERS + LISTERS ? MIN_CALLS : WRITES));
        all += w->all;
        none += w->none;
    }
    print_message("      %ld all-feasible and %ld none-feasible replies around %d updates\n", all, none, WRITES);
    assert_true(all > 0);
    assert_true(none > 0);
    pthread_barrier_destroy(&sh.start);
    free(sh.filter);
    free(sh.state[0]);
    free(sh.state[1]);
    free(sh.list0);
    P->index_free(sh.idx);
}

/* ---- ABI 1.1: a relist's replace, and what the cache holds of a node ---- */

static void test_nodes_replace(void **state)
{
    (void)state;
    ng_index *idx = new_index(), *staged = new_index();
    expect_apply(idx, "{'kind':'NodeList','items':[{'metadata':{'name':'a'}},{'metadata':{'name':'b'}}]}", 200,
                 "{'applied':2,'nodes':2}");
    expect_apply(staged, "{'kind':'NodeList','metadata':{'resourceVersion':'9','continue':'t1'},"
                         "'items':[{'metadata':{'name':'b','labels':{'v':'2'}}}]}",
                 200, "{'applied':1,'nodes':1,'resourceVersion':'9','continue':'t1'}");
    expect_apply(staged, "{'kind':'NodeList','metadata':{'resourceVersion':'9'},'items':[{'metadata':{'name':'c'}}]}",
                 200, "{'applied':1,'nodes':2,'resourceVersion':'9'}");
    assert_true(NODEGATE_HAS(P, nodes_replace));
    ng_reply r;
    assert_int_equal(P->nodes_replace(idx, staged, &r), 200);
    expect_reply(&r, 200, "{'applied':2,'nodes':2}");
    P->reply_free(&r);
    expect_list(idx, "['b','c']");      /* a, absent from the relist, is gone */
    expect_list(staged, "['a','b']");   /* the old cache, for the host to free */
    assert_int_equal(P->nodes_get(idx, "b", &r), 200);
    expect_reply(&r, 200, "{'kind':'Node','apiVersion':'v1','metadata':{'name':'b','labels':{'v':'2'}},'spec':{}}");
    P->reply_free(&r);
    P->index_free(staged);
    staged = new_index();   /* an empty relist empties the cache */
    assert_int_equal(P->nodes_replace(idx, staged, &r), 200);
    expect_reply(&r, 200, "{'applied':0,'nodes':0}");
    P->reply_free(&r);
    expect_list(idx, "[]");
    P->index_free(staged);
    P->index_free(idx);
}

static void test_nodes_get(void **state)
{
    (void)state;
    ng_index *idx = new_index();
    assert_true(NODEGATE_HAS(P, nodes_get));
    expect_apply(idx, "{'kind':'NodeList','items':[{'metadata':{'name':'m','labels':{'node-role.kubernetes.io/control-plane':'',"
                      "'zone':'z\u00e9'}},'spec':{'unschedulable':true,'taints':[{'key':'node-role.kubernetes.io/control-plane',"
                      "'effect':'NoSchedule'},{'key':'gpu','value':'a\\\"b','effect':'PreferNoSchedule','timeAdded':null}]}},"
                      "{'metadata':{'name':'w'}}]}",
                 200, "{'applied':2,'nodes':2}");
    ng_reply r;
    assert_int_equal(P->nodes_get(idx, "m", &r), 200);
    expect_reply(&r, 200,
                 "{'kind':'Node','apiVersion':'v1','metadata':{'name':'m','labels':{'node-role.kubernetes.io/control-plane':'',"
                 "'zone':'z\u00e9'}},'spec':{'unschedulable':true,'taints':[{'key':'node-role.kubernetes.io/control-plane',"
                 "'effect':'NoSchedule'},{'key':'gpu','value':'a\\\"b','effect':'PreferNoSchedule'}]}}");
    P->reply_free(&r);
    assert_int_equal(P->nodes_get(idx, NULL, &r), 200);
    expect_reply(&r, 200,
                 "{'kind':'NodeList','apiVersion':'v1','metadata':{},'items':[{'kind':'Node','apiVersion':'v1',"
                 "'metadata':{'name':'m','labels':{'node-role.kubernetes.io/control-plane':'','zone':'z\u00e9'}},"
                 "'spec':{'unschedulable':true,'taints':[{'key':'node-role.kubernetes.io/control-plane','effect':'NoSchedule'},"
                 "{'key':'gpu','value':'a\\\"b','effect':'PreferNoSchedule'}]}},"
                 "{'kind':'Node','apiVersion':'v1','metadata':{'name':'w'},'spec':{}}]}");
    P->reply_free(&r);
    assert_int_equal(P->nodes_get(idx, "ghost", &r), 404);
    expect_reply(&r, 404, "{'Error':'node \\\"ghost\\\" is not in the node cache'}");
    P->reply_free(&r);
    P->index_free(idx);
}

/* ---- exported symbols ---- */

static void test_exports(void **state)
{
    (void)state;
    char cmd[4200];
    snprintf(cmd, sizeof cmd, "command -v nm >/dev/null 2>&1 || exit 127; nm -D --defined-only '%s'", so_path);
    FILE *f = popen(cmd, "r");
    assert_non_null(f);
    char line[1024], others[2048] = "";
    int entries = 0;
    while (fgets(line, sizeof line, f)) {
        char name[512];
        if (sscanf(line, "%*s %*s %511s", name) != 1)
            continue;
        if (strcmp(name, NODEGATE_ENTRY_SYMBOL) == 0)
            entries++;
        else if (strlen(others) + strlen(name) + 2 < sizeof others)
            strcat(strcat(others, " "), name);
    }
    int rc = pclose(f);
    if (WIFEXITED(rc) && WEXITSTATUS(rc) == 127) {
        print_message("      nm not found: skipping the exported-symbol check\n");
        skip();
    }
    assert_true(WIFEXITED(rc) && WEXITSTATUS(rc) == 0);
    if (others[0])
        print_error("%s also exports:%s\n", so_path, others);
    assert_true(others[0] == '\0');
    assert_int_equal(entries, 1);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s path/to/libnodegate.so [test-name-filter]\n", argv[0]);
        return 2;
    }
    so_path = argv[1];
    if (argc > 2)
        cmocka_set_test_filter(argv[2]);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table),
        cmocka_unit_test(test_has),
        cmocka_unit_test(test_index_new),
        cmocka_unit_test(test_index_new_bad_options),
        cmocka_unit_test(test_reply_free),
        cmocka_unit_test(test_chunking_full_filter),
        cmocka_unit_test(test_chunking_names_filter),
        cmocka_unit_test(test_chunking_prioritize),
        cmocka_unit_test(test_chunking_invalid),
        cmocka_unit_test(test_full_mode_echo),
        cmocka_unit_test(test_compact_options),
        cmocka_unit_test(test_compact_filter_names),
        cmocka_unit_test(test_compact_filter_full),
        cmocka_unit_test(test_compact_other_verbs),
        cmocka_unit_test(test_node_updates),
        cmocka_unit_test(test_rejected_updates),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_concurrency),
        cmocka_unit_test(test_nodes_replace),
        cmocka_unit_test(test_nodes_get),
        cmocka_unit_test(test_exports),
    };
    return cmocka_run_group_tests_name("abi", tests, load_plugin, unload_plugin);
}
