/* match.c - the reference matching rules (SPEC 2, 5.2): one toleration, one requirement at a time; no allocation. */
#include "match.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

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

/* ---- integers ---- */

/* Decimal digits only, at least one, value <= limit. */
static bool parse_magnitude(const char *s, uint64_t limit, uint64_t *out)
{
    uint64_t v = 0;
    if (*s == '\0')
        return false;
    for (; *s != '\0'; s++) {
        if (*s < '0' || *s > '9')
            return false;
        unsigned d = (unsigned)(*s - '0');
        if (v > (limit - d) / 10)
            return false;
        v = v * 10 + d;
    }
    *out = v;
    return true;
}

/* digits as a magnitude, negated when neg; INT64_MIN's magnitude is one more than INT64_MAX. */
static bool parse_signed(bool neg, const char *digits, int64_t *out)
{
    uint64_t mag;
    if (!parse_magnitude(digits, neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX, &mag))
        return false;
    *out = neg && mag > 0 ? -(int64_t)(mag - 1) - 1 : (int64_t)mag;
    return true;
}

bool ngp_parse_canonical_int(const char *s, int64_t *out)
{
    if (strcmp(s, "0") == 0) {
        *out = 0;
        return true;
    }
    bool neg = *s == '-';
    const char *d = s + neg;
    if (*d < '1' || *d > '9')
        return false;
    return parse_signed(neg, d, out);
}

bool ngp_parse_go_int(const char *s, int64_t *out)
{
    bool neg = *s == '-';
    if (*s == '-' || *s == '+')
        s++;
    return parse_signed(neg, s, out);
}

/* ---- taints and tolerations (SPEC 2.1, 2.2) ---- */

/* A taint carries no text for NGP_EFFECT_OTHER, so an unknown toleration
 * effect is treated as equal to none; no plugin reads such taints anyway. */
static bool effect_matches(const ngp_toleration *t, const ngp_taint *taint)
{
    return t->effect == NGP_EFFECT_EMPTY ||
           (t->effect != NGP_EFFECT_OTHER && t->effect == taint->effect);
}

static bool numeric_matches(const ngp_toleration *t, const ngp_taint *taint)
{
    int64_t limit, have;
    if (!ngp_parse_canonical_int(t->value, &limit) || !ngp_parse_canonical_int(taint->value, &have))
        return false;
    return t->op == NGP_TOL_LT ? have < limit : have > limit;
}

bool ngp_tolerates(const ngp_toleration *t, const ngp_taint *taint, bool comparison_ops)
{
    if (!effect_matches(t, taint))
        return false;
    if (t->key[0] != '\0' && strcmp(t->key, taint->key) != 0)
        return false;
    switch (t->op) {
    case NGP_TOL_EMPTY:
    case NGP_TOL_EQUAL:
        return strcmp(t->value, taint->value) == 0;
    case NGP_TOL_EXISTS:
        return true;
    case NGP_TOL_LT:
    case NGP_TOL_GT:
        return comparison_ops && numeric_matches(t, taint);
    case NGP_TOL_OTHER:
        break;
    }
    return false;
}

bool ngp_tolerations_tolerate(const ngp_toleration *t, uint32_t n, const ngp_taint *taint,
                             bool comparison_ops)
{
    for (uint32_t i = 0; i < n; i++)
        if (ngp_tolerates(&t[i], taint, comparison_ops))
            return true;
    return false;
}

/* ---- label keys and values ---- */

static bool is_alnum(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_lower_alnum(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z');
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
 * inside; so a '.' needs a lowercase alphanumeric on each side. */
static bool subdomain_ok(const char *s, size_t n)
{
    if (n == 0 || !is_lower_alnum(s[0]) || !is_lower_alnum(s[n - 1]))
        return false;
    for (size_t i = 1; i + 1 < n; i++) {
        bool ok = s[i] == '.' ? is_lower_alnum(s[i - 1]) && is_lower_alnum(s[i + 1])
                              : is_lower_alnum(s[i]) || s[i] == '-';
        if (!ok)
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
    size_t room = o->len < o->cap ? o->cap - o->len : 0;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(room > 0 ? o->buf + o->len : NULL, room, fmt, ap);
    va_end(ap);
    if (n > 0)
        o->len += (size_t)n;
}

/* Go's %q for ASCII; bytes >= 0x80 pass through unescaped. */
static void put_quoted(err_out *o, const char *s)
{
    static const char controls[] = "\a\b\f\n\r\t\v", letters[] = "abfnrtv";
    put(o, "\"");
    for (; *s != '\0'; s++) {
        unsigned char c = (unsigned char)*s;
        const char *named = strchr(controls, c);
        if (c == '"' || c == '\\')
            put(o, "\\%c", c);
        else if (named != NULL)
            put(o, "\\%c", letters[named - controls]);
        else if (c < 0x20 || c == 0x7f)
            put(o, "\\x%02x", c);
        else
            put(o, "%c", c);
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
        put_quoted(o, r->values[i]);
    }
    put(o, "}");
}

/* The ": Invalid value: "<v>": <why>" tail after a field path. */
static void put_invalid(err_out *o, const char *v, const char *why)
{
    put(o, ": Invalid value: ");
    put_quoted(o, v);
    put(o, ": %s", why);
}

static bool unsupported(err_out *o, const char *path, const char *op, const char *supported)
{
    put(o, "%s.operator: Unsupported value: ", path);
    put_quoted(o, op);
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

bool ngp_requirement_valid(const ngp_requirement *r, bool is_field, const char *path,
                          char *err, size_t errlen)
{
    err_out o = {err, errlen, 0};
    if (errlen > 0)
        err[0] = '\0';
    return is_field ? field_valid(&o, path, r) : expression_valid(&o, path, r);
}

/* ---- requirement matching (SPEC 5.2) ---- */

/* The node's value for key, NULL when absent. Scans from the end so a
 * repeated key reads as its last value, as Go's JSON map decoding keeps. */
static const char *label_get(const ngp_kv *labels, uint32_t n, const char *key)
{
    for (uint32_t i = n; i-- > 0;)
        if (strcmp(labels[i].key, key) == 0)
            return labels[i].value;
    return NULL;
}

static bool has_value(const ngp_requirement *r, const char *v)
{
    for (uint32_t i = 0; i < r->nvalues; i++)
        if (strcmp(r->values[i], v) == 0)
            return true;
    return false;
}

/* Requirement.Matches for Gt/Lt: both sides through strconv.ParseInt. */
static bool compare_matches(const ngp_requirement *r, const char *v)
{
    int64_t have, limit;
    if (v == NULL || r->nvalues != 1 || !ngp_parse_go_int(v, &have) ||
        !ngp_parse_go_int(r->values[0], &limit))
        return false;
    return r->op == NGP_SEL_GT ? have > limit : have < limit;
}

bool ngp_requirement_matches_labels(const ngp_requirement *r, const ngp_kv *labels, uint32_t nlabels)
{
    const char *v = label_get(labels, nlabels, r->key);
    switch (r->op) {
    case NGP_SEL_IN:
        return v != NULL && has_value(r, v);
    case NGP_SEL_NOT_IN:
        return v == NULL || !has_value(r, v);
    case NGP_SEL_EXISTS:
        return v != NULL;
    case NGP_SEL_DOES_NOT_EXIST:
        return v == NULL;
    case NGP_SEL_GT:
    case NGP_SEL_LT:
        return compare_matches(r, v);
    case NGP_SEL_OTHER:
        break;
    }
    return false;
}

/* fields.Set reads an absent field as "", and a node exposes only metadata.name. */
bool ngp_requirement_matches_fields(const ngp_requirement *r, const char *node_name)
{
    if (r->nvalues != 1)
        return false;
    const char *field = strcmp(r->key, "metadata.name") == 0 ? node_name : "";
    bool equal = strcmp(field, r->values[0]) == 0;
    return r->op == NGP_SEL_IN ? equal : r->op == NGP_SEL_NOT_IN && !equal;
}
