/* validate.c - label, requirement, term, pod and node checks with the API server's error text. */
#include "validate.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "kint.h"

/* Upstream's sentences (apimachinery pkg/api/validate/content: kube.go, dns.go, errors.go). */
#define KEY_RE "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]"
#define KEY_MSG "must consist of alphanumeric characters, '-', '_' or '.', and must start and end " \
    "with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', "                \
    "regex used for validation is '" KEY_RE "')"
#define DNS_RE "[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*"
#define DNS_MSG "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, " \
    "'-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', "        \
    "regex used for validation is '" DNS_RE "')"
#define VALUE_MSG "a valid label must be an empty string or consist of alphanumeric characters, " \
    "'-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  " \
    "or 'my_value',  or '12345', regex used for validation is '(" KEY_RE ")?')"
#define NAME_MAX_LEN 63
#define PREFIX_MAX_LEN 253
#define VALUE_MAX_LEN 63

/* ---- label keys and values ---- */

static bool is_alnum(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* KEY_RE: alphanumeric at both ends, [-_.A-Za-z0-9] between. */
static bool qualified_ok(const char *s, size_t n)
{
    if (n == 0 || !is_alnum(s[0]) || !is_alnum(s[n - 1]))
        return false;
    for (size_t i = 1; i + 1 < n; i++)
        if (!is_alnum(s[i]) && s[i] != '-' && s[i] != '_' && s[i] != '.')
            return false;
    return true;
}

/* DNS_RE: dot-separated labels, each [a-z0-9] at both ends with '-' allowed
 * inside; so a '.' needs a lowercase alphanumeric on each side. Table-driven:
 * every NodeNames entry of a names-mode call (thousands) passes through here. */
static bool subdomain_ok(const char *s, size_t n)
{
    enum { ALNUM = 1, SEP = 2 };   /* [a-z0-9]; '-' or '.' */
    static const unsigned char cls[256] = {['a' ... 'z'] = ALNUM, ['0' ... '9'] = ALNUM, ['-'] = SEP, ['.'] = SEP};
    const unsigned char *u = (const unsigned char *)s;
    if (n == 0 || cls[u[0]] != ALNUM || cls[u[n - 1]] != ALNUM)
        return false;
    for (size_t i = 1; i + 1 < n; i++) {
        unsigned char c = cls[u[i]];
        if (c == ALNUM)
            continue;
        if (c == 0 || (u[i] == '.' && (cls[u[i - 1]] != ALNUM || cls[u[i + 1]] != ALNUM)))
            return false;
    }
    return true;
}

/* Upstream reports every failed check joined by "; "; the combinations are few. */
static const char *check_prefix(const char *s, size_t n)
{
    if (n == 0)
        return "prefix part must be non-empty";
    bool ok = subdomain_ok(s, n);
    if (n > PREFIX_MAX_LEN)
        return ok ? "prefix part must be no more than 253 bytes"
                  : "prefix part must be no more than 253 bytes; prefix part " DNS_MSG;
    return ok ? NULL : "prefix part " DNS_MSG;
}

static const char *check_name(const char *s, size_t n)
{
    if (n == 0)
        return "name part must be non-empty; name part " KEY_MSG;
    bool ok = qualified_ok(s, n);
    if (n > NAME_MAX_LEN)
        return ok ? "name part must be no more than 63 bytes"
                  : "name part must be no more than 63 bytes; name part " KEY_MSG;
    return ok ? NULL : "name part " KEY_MSG;
}

/* When both parts are bad only the prefix's sentence is returned. */
const char *ngp_check_label_key(const char *key)
{
    const char *slash = strchr(key, '/');
    if (slash == NULL)
        return check_name(key, strlen(key));
    if (strchr(slash + 1, '/') != NULL)
        return "a valid label key " KEY_MSG " with an optional DNS subdomain prefix and '/' "
               "(e.g. 'example.com/MyName')";
    const char *why = check_prefix(key, (size_t)(slash - key));
    return why != NULL ? why : check_name(slash + 1, strlen(slash + 1));
}

const char *ngp_check_label_value(const char *value)
{
    size_t n = strlen(value);
    bool ok = n == 0 || qualified_ok(value, n);
    if (n > VALUE_MAX_LEN)
        return ok ? "must be no more than 63 bytes" : "must be no more than 63 bytes; " VALUE_MSG;
    return ok ? NULL : VALUE_MSG;
}

/* ---- requirement parsing: error text in field.Error's shape ---- */

/* A bounded writer into the caller's err buffer; output past the end is dropped. */
typedef struct {
    char *buf;
    size_t cap, len;
} err_out;

__attribute__((format(printf, 2, 3))) static void put(err_out *o, const char *fmt, ...)
{
    if (o->cap == 0)   /* only the verdict is wanted */
        return;
    size_t room = o->len < o->cap ? o->cap - o->len : 0;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(room > 0 ? o->buf + o->len : NULL, room, fmt, ap);
    va_end(ap);
    if (n > 0)
        o->len += (size_t)n;
}

/* Go's %q of s[0..n) for ASCII; bytes >= 0x80 pass through unescaped. */
static void put_quoted(err_out *o, const char *s, size_t n)
{
    static const char controls[] = "\a\b\f\n\r\t\v", letters[] = "abfnrtv";
    put(o, "\"");
    for (const char *end = s + n; s < end; s++) {
        unsigned char c = (unsigned char)*s;
        const char *named = c ? strchr(controls, c) : NULL;   /* strchr finds the NUL itself */
        if (c == 0xC0 && s + 1 < end && (unsigned char)s[1] == 0x80) {   /* U+0000, as strings hold it (model.h) */
            put(o, "\\x00");
            s++;
        } else if (c == '"' || c == '\\') {
            put(o, "\\%c", c);
        } else if (named != NULL) {
            put(o, "\\%c", letters[named - controls]);
        } else if (c < 0x20 || c == 0x7f) {
            put(o, "\\x%02x", c);
        } else {
            put(o, "%c", c);
        }
    }
    put(o, "\"");
}

/* Go's %#v of a []string: a nil slice prints as []string(nil). */
static void put_values(err_out *o, const ngp_requirement *r)
{
    if (r->values == NULL) {
        put(o, "[]string(nil)");
        return;
    }
    put(o, "[]string{");
    for (uint32_t i = 0; i < r->nvalues; i++) {
        if (i > 0)
            put(o, ", ");
        put_quoted(o, r->values[i], strlen(r->values[i]));
    }
    put(o, "}");
}

/* The ": Invalid value: "<v>": <why>" tail after a field path. */
static void put_invalid(err_out *o, const char *v, const char *why)
{
    put(o, ": Invalid value: ");
    put_quoted(o, v, strlen(v));
    put(o, ": %s", why);
}

static bool unsupported(err_out *o, const char *path, const char *op, const char *supported)
{
    put(o, "%s.operator: Unsupported value: ", path);
    put_quoted(o, op, strlen(op));
    put(o, ": supported values: %s", supported);
    return false;
}

static bool bad_values(err_out *o, const char *path, const ngp_requirement *r, const char *why)
{
    put(o, "%s.values: Invalid value: ", path);
    put_values(o, r);
    put(o, ": %s", why);
    return false;
}

/* labels.NewRequirement's check of the value count for each operator. */
static const char *count_problem(const ngp_requirement *r)
{
    switch (r->op) {
    case NGP_SEL_IN:
    case NGP_SEL_NOT_IN:
        return r->nvalues == 0 ? "for 'in', 'notin' operators, values set can't be empty" : NULL;
    case NGP_SEL_EXISTS:
    case NGP_SEL_DOES_NOT_EXIST:
        return r->nvalues != 0 ? "values set must be empty for exists and does not exist" : NULL;
    case NGP_SEL_GT:
    case NGP_SEL_LT:
        return r->nvalues != 1 ? "for 'Gt', 'Lt' operators, exactly one value is required" : NULL;
    case NGP_SEL_OTHER:
        break;
    }
    return NULL;
}

/* Value i: a Gt/Lt integer check, then the label value rule (upstream's order). */
static bool value_valid(err_out *o, const char *path, const ngp_requirement *r, uint32_t i)
{
    const char *v = r->values[i], *why;
    int64_t ignored;
    if ((r->op == NGP_SEL_GT || r->op == NGP_SEL_LT) && !ngp_parse_go_int(v, &ignored)) {
        put(o, "%s.values[%u]", path, (unsigned)i);
        put_invalid(o, v, "for 'Gt', 'Lt' operators, the value must be an integer");
        return false;
    }
    if ((why = ngp_check_label_value(v)) != NULL) {
        put(o, "%s.values[%u][%s]", path, (unsigned)i, r->key);
        put_invalid(o, v, why);
        return false;
    }
    return true;
}

/* nodeSelectorRequirementsAsSelector then labels.NewRequirement; first error wins. */
static bool expression_valid(err_out *o, const char *path, const ngp_requirement *r)
{
    const char *why;
    if (r->op == NGP_SEL_OTHER)
        return unsupported(o, path, r->op_text,
                           "\"In\", \"NotIn\", \"Exists\", \"DoesNotExist\", \"Gt\", \"Lt\"");
    if ((why = ngp_check_label_key(r->key)) != NULL) {
        put(o, "%s.key", path);
        put_invalid(o, r->key, why);
        return false;
    }
    if ((why = count_problem(r)) != NULL)
        return bad_values(o, path, r, why);
    for (uint32_t i = 0; i < r->nvalues; i++)
        if (!value_valid(o, path, r, i))
            return false;
    return true;
}

/* nodeSelectorRequirementsAsFieldSelector: key and value are not validated. */
static bool field_valid(err_out *o, const char *path, const ngp_requirement *r)
{
    if (r->op != NGP_SEL_IN && r->op != NGP_SEL_NOT_IN)
        return unsupported(o, path, r->op_text, "\"In\", \"NotIn\"");
    if (r->nvalues != 1)
        return bad_values(o, path, r, "must have one element");
    return true;
}

bool ngp_requirement_check(const ngp_requirement *r, bool is_field, const char *path, char *err,
                           size_t errlen)
{
    err_out o = {err, errlen, 0};
    if (errlen > 0)
        err[0] = '\0';
    return is_field ? field_valid(&o, path, r) : expression_valid(&o, path, r);
}

/* ---- terms, pods and nodes: verdicts stored once decoded ---- */

/* One list of a term; the requirement's own path is built only for the text of a failure. */
static bool list_check(const ngp_requirement *r, uint32_t n, bool is_field, const char *path, char *err,
                       size_t errlen)
{
    for (uint32_t i = 0; i < n; i++) {
        if (ngp_requirement_check(&r[i], is_field, NULL, NULL, 0))
            continue;
        if (err) {
            char sub[512];
            snprintf(sub, sizeof sub, "%s.%s[%u]", path, is_field ? "matchFields" : "matchExpressions", i);
            ngp_requirement_check(&r[i], is_field, sub, err, errlen);
        }
        return false;
    }
    return true;
}

bool ngp_term_check(ngp_term *t, const char *path, char *err, size_t errlen)
{
    t->valid = list_check(t->exprs, t->nexprs, false, path, err, errlen) &&
               list_check(t->fields, t->nfields, true, path, err, errlen);
    return t->valid;
}

void ngp_pod_check(ngp_pod *pod, ngp_arena *arena)
{
    for (uint32_t i = 0; i < pod->nrequired; i++)
        ngp_term_check(&pod->required[i], "", NULL, 0);
    pod->preferred_problem = NULL;
    for (uint32_t i = 0; i < pod->npreferred; i++) {
        ngp_pref_term *p = &pod->preferred[i];
        if (p->weight == 0 || ngp_term_is_empty(&p->preference))
            continue;   /* skipped unparsed, as upstream does (SPEC 5.3) */
        char path[128], err[512];
        snprintf(path, sizeof path,
                 "spec.affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution[%u].preference", i);
        if (!ngp_term_check(&p->preference, path, err, sizeof err) && !pod->preferred_problem)
            pod->preferred_problem = ngp_arena_strndup(arena, err, strlen(err));
    }
}

bool ngp_check_node_name(const char *name, size_t len, char *err, size_t errlen)
{
    if (len == 0) {
        snprintf(err, errlen, "Required value");
        return false;
    }
    /* a Node's name is a DNS subdomain (ValidateNodeName: NameIsDNSSubdomain); the API server
     * admits no other, and a name that is not one is shown cut at about 100 bytes */
    bool dns = subdomain_ok(name, len), long_name = len > PREFIX_MAX_LEN;
    if (dns && !long_name)
        return true;
    size_t shown = len > 100 ? 100 : len;
    while (shown < len && shown > 0 && ((unsigned char)name[shown] & 0xC0) == 0x80)   /* whole UTF-8 characters */
        shown--;
    char cut[104];   /* the shown part, and "..." when it is not all */
    memcpy(cut, name, shown);
    memcpy(cut + shown, "...", shown < len ? 3 : 0);
    err_out o = {err, errlen, 0};
    put(&o, "Invalid value: ");
    put_quoted(&o, cut, shown + (shown < len ? 3 : 0));
    put(&o, ": %s%s%s", long_name ? "must be no more than 253 characters" : "", long_name && !dns ? "; " : "",
        dns ? "" : DNS_MSG);
    return false;
}

bool ngp_node_check(const ngp_node_in *n, char *err, size_t errlen)
{
    char why[512];
    if (!ngp_check_node_name(n->name, strlen(n->name), why, sizeof why)) {
        snprintf(err, errlen, "metadata.name: %s", why);
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
