/* yaml_json.c - YAML to JSON as kubectl does it (k8s.io/apimachinery's YAMLOrJSONDecoder, which
 * calls sigs.k8s.io/yaml's YAMLToJSON on each document): go-yaml v2 decodes the document into
 * interface{} values, map keys become strings, and encoding/json writes the result. So:
 *   - plain scalars resolve as YAML 1.1 (go-yaml v2's resolve.go): y/yes/on/true are true,
 *     n/no/off/false false, ~/null/empty null, 0x1F and 017 integers, 1e3 a float; quoted
 *     scalars and !!str are strings; !!int "12" is 12, and a value its tag cannot hold an error;
 *   - map keys become strings (1 -> "1", true -> "true", 1.5 -> "1.5"), written sorted, and of
 *     duplicate keys the last wins, as a Go map then json.Marshal make it;
 *   - merge keys (<<) and aliases are expanded; too much aliasing is refused as go-yaml does;
 *   - floats are written as encoding/json writes a float64, NaN and infinities are an error.
 * libyaml parses; this file builds a node tree from its events (the document loader would lose
 * whether a scalar had a tag) and writes the JSON. */
#include "yaml_json.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "buf.h"
#include "json_escape.h"
#include "xalloc.h"

enum { MAX_DEPTH = 10000 };   /* go-yaml's limit on nesting */
#define TAG_PREFIX "tag:yaml.org,2002:"

typedef enum { N_SCALAR, N_SEQ, N_MAP, N_ALIAS } node_kind;

typedef struct {
    node_kind kind;
    bool plain;          /* an untagged plain scalar: resolved by its text */
    bool expanding;      /* an alias being expanded: met again, the anchor contains itself */
    unsigned line, col;  /* 1-based */
    char *tag;           /* NULL: none */
    char *text;          /* a scalar's value, an alias's anchor */
    size_t len;
    size_t *kids, nkids, cap;   /* a sequence's items; a mapping's keys and values in turn */
    size_t target;       /* an alias's node */
} node;

typedef struct {
    char *name;
    size_t node;
} anchor;

typedef struct {
    node *nodes;
    size_t n, cap;
    anchor *anchors;     /* open addressing; a name defined again takes the newer node */
    size_t anchor_cap, anchor_n;
    size_t decoded, aliased, alias_depth;   /* go-yaml's aliasing bound */
    char *err;
    size_t errlen;
    bool failed;
} doc;

static int fail(doc *d, unsigned line, unsigned col, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static int fail(doc *d, unsigned line, unsigned col, const char *fmt, ...)
{
    if (d->failed)
        return -1;
    d->failed = true;
    int k = snprintf(d->err, d->errlen, "line %u, column %u: ", line, col);
    va_list ap;
    va_start(ap, fmt);
    if (k >= 0 && (size_t)k < d->errlen)
        vsnprintf(d->err + k, d->errlen - (size_t)k, fmt, ap);
    va_end(ap);
    return -1;
}

/* ---- the tree ---- */

static size_t fnv(const char *s)
{
    size_t h = 1469598103934665603u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211u;
    return h;
}

static anchor *anchor_slot(doc *d, const char *name)
{
    size_t mask = d->anchor_cap - 1, i = fnv(name) & mask;
    while (d->anchors[i].name && strcmp(d->anchors[i].name, name) != 0)
        i = (i + 1) & mask;
    return &d->anchors[i];
}

static void anchor_set(doc *d, const char *name, size_t id)
{
    if (2 * (d->anchor_n + 1) > d->anchor_cap) {
        anchor *old = d->anchors;
        size_t old_cap = d->anchor_cap;
        d->anchor_cap = old_cap ? 2 * old_cap : 16;
        d->anchors = host_xcalloc(d->anchor_cap, sizeof *d->anchors);
        for (size_t i = 0; i < old_cap; i++)
            if (old[i].name)
                *anchor_slot(d, old[i].name) = old[i];
        free(old);
    }
    anchor *a = anchor_slot(d, name);
    if (!a->name) {
        a->name = host_xstrdup(name);
        d->anchor_n++;
    }
    a->node = id;
}

static size_t node_new(doc *d, node_kind kind, const yaml_mark_t *m, const yaml_char_t *tag)
{
    if (d->n == d->cap) {
        d->cap = d->cap ? 2 * d->cap : 64;
        d->nodes = host_xrealloc(d->nodes, d->cap * sizeof *d->nodes);
    }
    node *x = &d->nodes[d->n];
    *x = (node){.kind = kind, .line = (unsigned)m->line + 1, .col = (unsigned)m->column + 1,
                .tag = tag ? host_xstrdup((const char *)tag) : NULL};
    return d->n++;
}

static void node_add(doc *d, size_t parent, size_t kid)
{
    node *p = &d->nodes[parent];
    if (p->nkids == p->cap) {
        p->cap = p->cap ? 2 * p->cap : 4;
        p->kids = host_xrealloc(p->kids, p->cap * sizeof *p->kids);
    }
    p->kids[p->nkids++] = kid;
}

static void doc_reset(doc *d)
{
    for (size_t i = 0; i < d->n; i++) {
        free(d->nodes[i].tag);
        free(d->nodes[i].text);
        free(d->nodes[i].kids);
    }
    d->n = 0;
    for (size_t i = 0; i < d->anchor_cap; i++)
        free(d->anchors[i].name);
    free(d->anchors);
    d->anchors = NULL;
    d->anchor_cap = d->anchor_n = 0;
    d->decoded = d->aliased = d->alias_depth = 0;
}

/* ---- scalars: go-yaml v2's resolve ---- */

typedef enum { V_NULL, V_BOOL, V_INT, V_UINT, V_FLOAT, V_STR } value_type;

typedef struct {
    value_type type;
    bool b;
    int64_t i;
    uint64_t u;
    double f;
    const char *tag;   /* the short tag of what it resolved to, for errors */
} value;

static bool is_tag(const char *tag, const char *name)
{
    return tag && strncmp(tag, TAG_PREFIX, sizeof TAG_PREFIX - 1) == 0 && strcmp(tag + sizeof TAG_PREFIX - 1, name) == 0;
}

/* The plain scalars go-yaml looks up by their whole text. */
static bool resolve_word(const char *s, value *v)
{
    static const char *const yes[] = {"y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"};
    static const char *const no[] = {"n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"};
    static const char *const null[] = {"", "~", "null", "Null", "NULL"};
    for (size_t i = 0; i < sizeof yes / sizeof *yes; i++)
        if (strcmp(s, yes[i]) == 0 || strcmp(s, no[i]) == 0) {
            *v = (value){.type = V_BOOL, .b = strcmp(s, yes[i]) == 0, .tag = "bool"};
            return true;
        }
    for (size_t i = 0; i < sizeof null / sizeof *null; i++)
        if (strcmp(s, null[i]) == 0) {
            *v = (value){.type = V_NULL, .tag = "null"};
            return true;
        }
    const char *f = s[0] == '+' || s[0] == '-' ? s + 1 : s;
    if (strcmp(f, ".inf") == 0 || strcmp(f, ".Inf") == 0 || strcmp(f, ".INF") == 0) {
        *v = (value){.type = V_FLOAT, .f = s[0] == '-' ? -INFINITY : INFINITY, .tag = "float"};
        return true;
    }
    if (f == s && (strcmp(s, ".nan") == 0 || strcmp(s, ".NaN") == 0 || strcmp(s, ".NAN") == 0)) {
        *v = (value){.type = V_FLOAT, .f = NAN, .tag = "float"};
        return true;
    }
    return false;
}

/* Go's strconv.ParseUint(s, 0, 64): a 0b, 0o, 0x or 0 prefix picks the base. */
static bool go_parse_uint(const char *s, uint64_t *out)
{
    if (!*s)
        return false;
    unsigned base = 10;
    if (s[0] == '0') {
        char c = (char)(s[1] | 0x20);
        if (s[1] && s[2] && (c == 'b' || c == 'o' || c == 'x')) {
            base = c == 'b' ? 2 : c == 'o' ? 8 : 16;
            s += 2;
        } else {
            base = 8;
            s += 1;
        }
    }
    uint64_t n = 0;
    for (; *s; s++) {
        char c = *s, lc = (char)(c | 0x20);
        unsigned dig = c >= '0' && c <= '9' ? (unsigned)(c - '0') : lc >= 'a' && lc <= 'z' ? (unsigned)(lc - 'a' + 10) : 99;
        if (dig >= base || n > (UINT64_MAX - dig) / base)
            return false;
        n = n * base + dig;
    }
    *out = n;
    return true;
}

/* Go's strconv.ParseInt(s, 0, 64). */
static bool go_parse_int(const char *s, int64_t *out)
{
    bool neg = s[0] == '-';
    uint64_t u;
    if (!go_parse_uint(s + (s[0] == '-' || s[0] == '+'), &u) || u > (uint64_t)INT64_MAX + neg)
        return false;
    *out = neg ? (int64_t)(0 - u) : (int64_t)u;
    return true;
}

/* go-yaml's yamlStyleFloat: ^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$ */
static bool yaml_style_float(const char *s)
{
    size_t i = s[0] == '-' || s[0] == '+', d;
    if (s[i] == '.') {
        for (d = ++i; s[i] >= '0' && s[i] <= '9'; i++) {}
        if (i == d)
            return false;
    } else {
        for (d = i; s[i] >= '0' && s[i] <= '9'; i++) {}
        if (i == d)
            return false;
        if (s[i] == '.')
            for (i++; s[i] >= '0' && s[i] <= '9'; i++) {}
    }
    if (s[i] == 'e' || s[i] == 'E') {
        i += 1 + (s[i + 1] == '-' || s[i + 1] == '+');
        for (d = i; s[i] >= '0' && s[i] <= '9'; i++) {}
        if (i == d)
            return false;
    }
    return s[i] == '\0';
}

/* strconv.ParseFloat(s, 64) on what yaml_style_float admitted: only overflow fails. */
static bool parse_float(const char *s, double *out)
{
    *out = strtod(s, NULL);
    return !isinf(*out);
}

/* go-yaml v2's resolve(tag, in) for an interface{} target. err is set when the tag cannot hold
 * the value ("cannot decode !!str `abc` as a !!int"). */
static int resolve(doc *d, const node *x, value *v)
{
    const char *in = x->text;
    const char *tag = x->tag;
    /* quoted, !!str, or !!timestamp (which go-yaml keeps as its text for an interface{}) */
    bool str_tag = (!tag && !x->plain) || is_tag(tag, "str") || is_tag(tag, "timestamp");
    if (tag && !str_tag && !is_tag(tag, "bool") && !is_tag(tag, "int") && !is_tag(tag, "float") &&
        !is_tag(tag, "null") && !is_tag(tag, "timestamp")) {
        if (is_tag(tag, "binary"))
            return fail(d, x->line, x->col, "!!binary values are not supported");
        *v = (value){.type = V_STR, .tag = "str"};   /* a tag of its own: the text */
        return 0;
    }
    *v = (value){.type = V_STR, .tag = "str"};
    char c = in[0];
    bool hint = !c || (c >= '0' && c <= '9') || strchr("+-yYnNtTfFoO~.", c);
    if (hint && !str_tag && !memchr(in, '\0', x->len) && !resolve_word(in, v)) {
        if (c == '.') {
            double f;
            if (yaml_style_float(in) && parse_float(in, &f))
                *v = (value){.type = V_FLOAT, .f = f, .tag = "float"};
        } else if ((c >= '0' && c <= '9') || c == '+' || c == '-') {
            /* underscores are dropped first, as go-yaml does */
            char *plain = host_xmalloc(x->len + 1), *p = plain;
            for (const char *s = in; *s; s++)
                if (*s != '_')
                    *p++ = *s;
            *p = '\0';
            int64_t i;
            uint64_t u;
            double f;
            if (go_parse_int(plain, &i))
                *v = (value){.type = V_INT, .i = i, .tag = "int"};
            else if (go_parse_uint(plain, &u))
                *v = (value){.type = V_UINT, .u = u, .tag = "int"};
            else if (yaml_style_float(plain) && parse_float(plain, &f))
                *v = (value){.type = V_FLOAT, .f = f, .tag = "float"};
            free(plain);
        }
    }
    if (!tag || str_tag || is_tag(tag, v->tag))
        return 0;
    if (is_tag(tag, "float") && v->type == V_INT) {
        *v = (value){.type = V_FLOAT, .f = (double)v->i, .tag = "float"};
        return 0;
    }
    return fail(d, x->line, x->col, "cannot decode !!%s `%s` as a !!%s", v->tag, in, tag + sizeof TAG_PREFIX - 1);
}

/* ---- numbers as Go writes them ---- */

/* The shortest decimal digits that read back as f (as a float32 when single): the digits,
 * without a point, into digs, and the exponent of the first. */
static void shortest(double f, bool single, char *digs, int *exp10)
{
    char buf[40];
    for (int p = 1; p <= 17; p++) {
        snprintf(buf, sizeof buf, "%.*e", p - 1, f);
        double back = strtod(buf, NULL);
        if (single ? (float)back == (float)f : back == f)
            break;
    }
    char *e = strchr(buf, 'e'), *o = digs;
    for (const char *s = buf + (buf[0] == '-'); s < e; s++)
        if (*s != '.')
            *o++ = *s;
    while (o > digs + 1 && o[-1] == '0')
        o--;
    *o = '\0';
    *exp10 = atoi(e + 1);
}

/* strconv.FormatFloat(f, fmt, -1, single ? 32 : 64) into b, for fmt 'e', 'f' or 'g'. */
static void put_float(host_buf *b, double f, bool single, char fmt)
{
    if (f == 0) {
        host_buf_puts(b, signbit(f) ? "-0" : "0");
        return;
    }
    char digs[24];
    int e10;
    shortest(f, single, digs, &e10);
    int nd = (int)strlen(digs);
    if (fmt == 'g')   /* with the shortest digits Go decides by a precision of 6 */
        fmt = e10 < -4 || e10 >= 6 ? 'e' : 'f';
    if (f < 0)
        host_buf_puts(b, "-");
    if (fmt == 'e') {
        host_buf_printf(b, "%c%s%s", digs[0], nd > 1 ? "." : "", digs + 1);
        host_buf_printf(b, "e%c%02d", e10 < 0 ? '-' : '+', abs(e10));
    } else if (e10 < 0) {
        host_buf_puts(b, "0.");
        for (int i = 0; i < -e10 - 1; i++)
            host_buf_puts(b, "0");
        host_buf_puts(b, digs);
    } else {
        for (int i = 0; i <= e10 || i < nd; i++) {
            if (i == e10 + 1)
                host_buf_puts(b, ".");
            host_buf_put(b, i < nd ? &digs[i] : "0", 1);
        }
    }
}

/* encoding/json's float64: %f-style between 1e-6 and 1e21, else %e with "e-07" written "e-7". */
static int put_json_float(doc *d, const node *x, host_buf *b, double f)
{
    if (isnan(f) || isinf(f))
        return fail(d, x->line, x->col, "json: unsupported value: %s", isnan(f) ? "NaN" : f > 0 ? "+Inf" : "-Inf");
    double a = fabs(f);
    bool exponent = a != 0 && (a < 1e-6 || a >= 1e21);
    size_t at = b->len;
    put_float(b, f, false, exponent ? 'e' : 'f');
    size_t n = b->len - at;
    char *s = b->p + at;
    if (exponent && n >= 4 && s[n - 4] == 'e' && s[n - 3] == '-' && s[n - 2] == '0') {
        s[n - 2] = s[n - 1];
        b->p[--b->len] = '\0';
    }
    return 0;
}

static void put_string(host_buf *b, const char *s, size_t n)
{
    host_buf_reserve(b, HOST_JSON_ESCAPED_MAX(n) + 2);
    b->p[b->len++] = '"';
    b->len += host_json_escape(b->p + b->len, s, n, HOST_JSON_HTML);
    b->p[b->len++] = '"';
    b->p[b->len] = '\0';
}

/* ---- writing JSON ---- */

/* go-yaml's guard against alias bombs: past 100 aliased nodes and 1,000 decoded, the share of
 * aliased ones may not exceed 99% up to 400,000 nodes, falling to 10% at 4,000,000. */
static int count_node(doc *d, const node *x)
{
    d->decoded++;
    if (d->alias_depth > 0)
        d->aliased++;
    if (d->aliased > 100 && d->decoded > 1000) {
        double ratio = d->decoded <= 400000 ? 0.99 : d->decoded >= 4000000 ? 0.10
                       : 0.99 - 0.89 * ((double)(d->decoded - 400000) / 3600000.0);
        if ((double)d->aliased / (double)d->decoded > ratio)
            return fail(d, x->line, x->col, "document contains excessive aliasing");
    }
    return 0;
}

/* Follows an alias to its node, counting it and refusing an anchor that contains itself; the
 * caller calls alias_leave after the node is written. */
static int alias_enter(doc *d, size_t *id)
{
    node *x = &d->nodes[*id];
    if (x->kind != N_ALIAS)
        return 0;
    if (x->expanding)
        return fail(d, x->line, x->col, "anchor '%s' value contains itself", x->text);
    x->expanding = true;
    d->alias_depth++;
    *id = x->target;
    return count_node(d, &d->nodes[*id]);
}

static void alias_leave(doc *d, size_t alias)
{
    if (d->nodes[alias].kind == N_ALIAS) {
        d->nodes[alias].expanding = false;
        d->alias_depth--;
    }
}

static int write_node(doc *d, size_t id, host_buf *out, unsigned depth);

typedef struct {
    size_t key, klen;   /* into the mapping's key buffer */
    size_t value;       /* a node */
    size_t order;       /* of writing: of equal keys the last wins */
} entry;

typedef struct {
    entry *e;
    size_t n, cap;
    host_buf keys;
} entries;

/* A mapping key as sigs.k8s.io/yaml turns it into a JSON key. */
static int key_string(doc *d, size_t id, host_buf *keys)
{
    size_t at = id;
    if (count_node(d, &d->nodes[id]) != 0 || alias_enter(d, &id) != 0)
        return -1;
    const node *x = &d->nodes[id];
    int rc = 0;
    value v;
    if (x->kind != N_SCALAR)
        rc = fail(d, x->line, x->col, "invalid map key: a %s", x->kind == N_SEQ ? "sequence" : "mapping");
    else if ((rc = resolve(d, x, &v)) == 0) {
        switch (v.type) {
        case V_STR: host_buf_put(keys, x->text, x->len); break;
        case V_BOOL: host_buf_puts(keys, v.b ? "true" : "false"); break;
        case V_INT: host_buf_printf(keys, "%" PRId64, v.i); break;
        case V_FLOAT: {
            /* strconv.FormatFloat(k, 'g', -1, 32), with go-yaml's names for the infinities: a
             * float64 past float32's range (1e300) is one too */
            double k = (double)(float)v.f;
            if (isnan(k) || isinf(k)) {
                host_buf_puts(keys, isnan(k) ? ".nan" : k > 0 ? ".inf" : "-.inf");
                break;
            }
            put_float(keys, k, true, 'g');
            break;
        }
        default:
            rc = fail(d, x->line, x->col, "unsupported map key of type: %s",
                      v.type == V_NULL ? "<nil>" : "uint64");
        }
    }
    alias_leave(d, at);
    return rc;
}

static int collect(doc *d, size_t map, entries *es, unsigned depth);

/* The value of a merge key: a mapping, or a sequence of them merged last to first. */
static int merge(doc *d, size_t id, entries *es, unsigned depth)
{
    size_t at = id;
    int rc = count_node(d, &d->nodes[id]);
    if (rc == 0)
        rc = alias_enter(d, &id);
    const node *x = &d->nodes[id];
    if (rc == 0 && x->kind == N_MAP)
        rc = collect(d, id, es, depth + 1);
    else if (rc == 0 && x->kind == N_SEQ) {
        for (size_t i = x->nkids; rc == 0 && i-- > 0;) {
            size_t k = x->kids[i], ka = k;
            if ((rc = count_node(d, &d->nodes[k])) == 0 && (rc = alias_enter(d, &k)) == 0) {
                if (d->nodes[k].kind != N_MAP)
                    rc = fail(d, d->nodes[k].line, d->nodes[k].col, "map merge requires map or sequence of maps as the value");
                else
                    rc = collect(d, k, es, depth + 1);
            }
            alias_leave(d, ka);
        }
    } else if (rc == 0)
        rc = fail(d, x->line, x->col, "map merge requires map or sequence of maps as the value");
    alias_leave(d, at);
    return rc;
}

static bool is_merge_key(const node *k)
{
    return k->kind == N_SCALAR && k->len == 2 && memcmp(k->text, "<<", 2) == 0 && (k->plain || is_tag(k->tag, "merge"));
}

/* A mapping's entries in writing order, merges expanded where they stand. */
static int collect(doc *d, size_t map, entries *es, unsigned depth)
{
    if (depth > MAX_DEPTH)   /* merges of merges, through aliases */
        return fail(d, d->nodes[map].line, d->nodes[map].col, "exceeded max depth of %d", MAX_DEPTH);
    for (size_t i = 0; i + 1 < d->nodes[map].nkids; i += 2) {
        size_t k = d->nodes[map].kids[i], v = d->nodes[map].kids[i + 1];
        if (is_merge_key(&d->nodes[k])) {
            if (merge(d, v, es, depth) != 0)
                return -1;
            continue;
        }
        size_t at = es->keys.len;
        if (key_string(d, k, &es->keys) != 0)
            return -1;
        if (es->n == es->cap) {
            es->cap = es->cap ? 2 * es->cap : 8;
            es->e = host_xrealloc(es->e, es->cap * sizeof *es->e);
        }
        es->e[es->n] = (entry){at, es->keys.len - at, v, es->n};
        es->n++;
    }
    return 0;
}

/* json.Marshal's order of map keys: by their bytes; then the order of writing. */
static int by_key(const void *a, const void *b, void *keys)
{
    const entry *x = a, *y = b;
    size_t n = x->klen < y->klen ? x->klen : y->klen;
    int c = memcmp((const char *)keys + x->key, (const char *)keys + y->key, n);
    if (c == 0)
        c = x->klen < y->klen ? -1 : x->klen > y->klen;
    return c ? c : x->order < y->order ? -1 : 1;
}

static int write_map(doc *d, size_t id, host_buf *out, unsigned depth)
{
    entries es = {0};
    int rc = collect(d, id, &es, depth);
    if (rc == 0 && es.n)
        qsort_r(es.e, es.n, sizeof *es.e, by_key, es.keys.p);
    host_buf_puts(out, "{");
    host_buf overridden = {0};   /* values a later key replaced: go-yaml decoded them too */
    bool first = true;
    for (size_t i = 0; rc == 0 && i < es.n; i++) {
        const entry *e = &es.e[i];
        bool last = i + 1 == es.n || e[1].klen != e->klen || memcmp(es.keys.p + e[1].key, es.keys.p + e->key, e->klen);
        if (!last) {
            overridden.len = 0;
            rc = write_node(d, e->value, &overridden, depth + 1);
            continue;
        }
        if (!first)
            host_buf_puts(out, ",");
        first = false;
        put_string(out, es.keys.p + e->key, e->klen);
        host_buf_puts(out, ":");
        rc = write_node(d, e->value, out, depth + 1);
    }
    host_buf_puts(out, "}");
    host_buf_free(&overridden);
    host_buf_free(&es.keys);
    free(es.e);
    return rc;
}

static int write_scalar(doc *d, const node *x, host_buf *out)
{
    value v;
    if (resolve(d, x, &v) != 0)
        return -1;
    switch (v.type) {
    case V_NULL: host_buf_puts(out, "null"); return 0;
    case V_BOOL: host_buf_puts(out, v.b ? "true" : "false"); return 0;
    case V_INT: host_buf_printf(out, "%" PRId64, v.i); return 0;
    case V_UINT: host_buf_printf(out, "%" PRIu64, v.u); return 0;
    case V_FLOAT: return put_json_float(d, x, out, v.f);
    case V_STR: put_string(out, x->text, x->len); return 0;
    }
    return 0;
}

static int write_node(doc *d, size_t id, host_buf *out, unsigned depth)
{
    size_t at = id;
    if (depth > MAX_DEPTH)   /* aliases can nest what the parser's bound let through */
        return fail(d, d->nodes[id].line, d->nodes[id].col, "exceeded max depth of %d", MAX_DEPTH);
    if (count_node(d, &d->nodes[id]) != 0 || alias_enter(d, &id) != 0)
        return -1;
    const node *x = &d->nodes[id];
    int rc = 0;
    if (x->kind == N_SCALAR)
        rc = write_scalar(d, x, out);
    else if (x->kind == N_SEQ) {
        host_buf_puts(out, "[");
        for (size_t i = 0; rc == 0 && i < x->nkids; i++) {
            if (i)
                host_buf_puts(out, ",");
            rc = write_node(d, d->nodes[id].kids[i], out, depth + 1);
        }
        host_buf_puts(out, "]");
    } else
        rc = write_map(d, id, out, depth);
    alias_leave(d, at);
    return rc;
}

/* ---- the event loop ---- */

static void parser_error(doc *d, const yaml_parser_t *p, const char *yaml, size_t len)
{
    if (p->error == YAML_MEMORY_ERROR) {
        snprintf(d->err, d->errlen, "out of memory");
        return;
    }
    yaml_mark_t m = p->problem_mark;
    if (p->error == YAML_READER_ERROR) {   /* the reader gives a byte offset, not a mark */
        m = (yaml_mark_t){0};
        for (size_t i = 0; i < p->problem_offset && i < len; i++)
            if (yaml[i] == '\n')
                m.line++, m.column = 0;
            else
                m.column++;
    }
    if (p->context)
        fail(d, (unsigned)m.line + 1, (unsigned)m.column + 1, "%s (%s at line %zu, column %zu)", p->problem,
             p->context, p->context_mark.line + 1, p->context_mark.column + 1);
    else
        fail(d, (unsigned)m.line + 1, (unsigned)m.column + 1, "%s", p->problem ? p->problem : "invalid YAML");
}

int host_yaml_to_json(const char *yaml, size_t len, host_yaml_doc_fn fn, void *cls, char *err, size_t errlen)
{
    yaml_parser_t p;
    if (!yaml_parser_initialize(&p))
        host_oom(sizeof p);
    yaml_parser_set_input_string(&p, (const unsigned char *)yaml, len);
    doc d = {.err = err, .errlen = errlen};
    size_t *stack = NULL, depth = 0, stack_cap = 0, root = SIZE_MAX;
    host_buf out = {0};
    int rc = 0;
    for (bool done = false; !done && rc == 0;) {
        yaml_event_t ev;
        if (!yaml_parser_parse(&p, &ev)) {
            parser_error(&d, &p, yaml, len);
            rc = -1;
            break;
        }
        size_t id = SIZE_MAX;
        const char *anchor_name = NULL;
        switch (ev.type) {
        case YAML_STREAM_END_EVENT: done = true; break;
        case YAML_DOCUMENT_START_EVENT: doc_reset(&d); root = SIZE_MAX; break;
        case YAML_DOCUMENT_END_EVENT: {
            if (root == SIZE_MAX)
                break;
            out.len = 0;
            if (write_node(&d, root, &out, 0) != 0)
                rc = -1;
            else if (strcmp(out.p, "null") != 0)   /* kubectl skips an empty document */
                rc = fn(cls, out.p, out.len);
            break;
        }
        case YAML_ALIAS_EVENT: {
            anchor *a = d.anchor_cap ? anchor_slot(&d, (const char *)ev.data.alias.anchor) : NULL;
            if (!a || !a->name) {
                rc = fail(&d, (unsigned)ev.start_mark.line + 1, (unsigned)ev.start_mark.column + 1,
                          "unknown anchor '%s' referenced", ev.data.alias.anchor);
                break;
            }
            id = node_new(&d, N_ALIAS, &ev.start_mark, NULL);
            d.nodes[id].target = a->node;
            d.nodes[id].text = host_xstrdup((const char *)ev.data.alias.anchor);
            break;
        }
        case YAML_SCALAR_EVENT:
            id = node_new(&d, N_SCALAR, &ev.start_mark, ev.data.scalar.tag);
            d.nodes[id].text = host_xmalloc(ev.data.scalar.length + 1);
            memcpy(d.nodes[id].text, ev.data.scalar.value, ev.data.scalar.length + 1);
            d.nodes[id].len = ev.data.scalar.length;
            d.nodes[id].plain = !ev.data.scalar.tag && ev.data.scalar.plain_implicit;
            anchor_name = (const char *)ev.data.scalar.anchor;
            break;
        case YAML_SEQUENCE_START_EVENT:
        case YAML_MAPPING_START_EVENT: {
            bool seq = ev.type == YAML_SEQUENCE_START_EVENT;
            if (depth >= MAX_DEPTH) {
                rc = fail(&d, (unsigned)ev.start_mark.line + 1, (unsigned)ev.start_mark.column + 1,
                          "exceeded max depth of %d", MAX_DEPTH);
                break;
            }
            id = node_new(&d, seq ? N_SEQ : N_MAP, &ev.start_mark, NULL);
            anchor_name = (const char *)(seq ? ev.data.sequence_start.anchor : ev.data.mapping_start.anchor);
            break;
        }
        case YAML_SEQUENCE_END_EVENT:
        case YAML_MAPPING_END_EVENT: depth--; break;
        default: break;
        }
        if (id != SIZE_MAX) {
            if (depth)
                node_add(&d, stack[depth - 1], id);
            else
                root = id;
            if (anchor_name)
                anchor_set(&d, anchor_name, id);
            if (d.nodes[id].kind == N_SEQ || d.nodes[id].kind == N_MAP) {
                if (depth == stack_cap) {
                    stack_cap = stack_cap ? 2 * stack_cap : 16;
                    stack = host_xrealloc(stack, stack_cap * sizeof *stack);
                }
                stack[depth++] = id;
            }
        }
        yaml_event_delete(&ev);
    }
    doc_reset(&d);
    free(d.nodes);
    free(stack);
    host_buf_free(&out);
    yaml_parser_delete(&p);
    return rc;
}

bool host_yaml_looks_json(const char *s, size_t n)
{
    size_t i = 0;
    while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n'))
        i++;
    return i < n && s[i] == '{';
}
