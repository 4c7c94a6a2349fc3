/* test_match.c - table-driven checks of plugin/match.c, validate.c, kint.c and model.c against SPEC.md sections 2 and 5.2; one cmocka test per row. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "kint.h"
#include "match.h"
#include "validate.h"
#include "model.h"

#define LEN(a) (sizeof(a) / sizeof((a)[0]))
#define I64_MAX_S "9223372036854775807"
#define I64_MIN_S "-9223372036854775808"

/* Long strings for the length limits. */
#define A10 "aaaaaaaaaa"
#define A50 A10 A10 A10 A10 A10
#define A63 A50 A10 "aaa"
#define A253 A50 A50 A50 A50 A50 "aaa"

/* Upstream's sentences, written out here independently of validate.c
 * (apimachinery api/validate/content kube.go, dns.go, errors.go). */
#define NAME_RULE "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an " \
    "alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is "  \
    "'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"
#define NAME_BAD "name part " NAME_RULE
#define NAME_EMPTY "name part must be non-empty; " NAME_BAD
#define NAME_LONG "name part must be no more than 63 bytes"
#define PREFIX_BAD "prefix part a lowercase RFC 1123 subdomain must consist of lower case alphanumeric " \
    "characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', " \
    "regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
#define PREFIX_EMPTY "prefix part must be non-empty"
#define PREFIX_LONG "prefix part must be no more than 253 bytes"
#define SLASHES "a valid label key " NAME_RULE " with an optional DNS subdomain prefix and '/' " \
    "(e.g. 'example.com/MyName')"
#define VALUE_BAD "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' " \
    "or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or " \
    "'12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"
#define VALUE_LONG "must be no more than 63 bytes"

/* ---- ngp_tolerates (SPEC 2.1, 2.2, 4) ---- */

typedef struct {
    const char *name;
    const char *key, *op, *value, *effect;  /* toleration */
    const char *tkey, *tvalue, *teffect;    /* taint */
    bool gate, want;
} tol_row;

static const tol_row tol_rows[] = {
    /* 2.1 step 1: a non-empty effect must equal the taint's; empty matches every effect. */
    {"effect NoSchedule vs NoExecute taint", "k", "Exists", "", "NoSchedule", "k", "v", "NoExecute", false, false},
    {"effect NoExecute vs NoExecute taint", "k", "Exists", "", "NoExecute", "k", "v", "NoExecute", false, true},
    {"effect PreferNoSchedule vs NoSchedule taint", "k", "Exists", "", "PreferNoSchedule", "k", "v", "NoSchedule", false, false},
    {"empty effect matches NoExecute", "k", "Exists", "", "", "k", "v", "NoExecute", false, true},
    {"empty effect matches PreferNoSchedule", "k", "Equal", "v", "", "k", "v", "PreferNoSchedule", false, true},
    {"unknown effect matches no taint", "k", "Exists", "", "Sometimes", "k", "v", "NoSchedule", false, false},
    {"effect is case-sensitive", "k", "Exists", "", "noschedule", "k", "v", "NoSchedule", false, false},
    {"effect mismatch answers before Exists", "", "Exists", "", "NoSchedule", "k", "v", "NoExecute", false, false},
    /* 2.1 step 2: a non-empty key must equal the taint's; empty matches every key. */
    {"key mismatch", "a", "Exists", "", "", "b", "v", "NoSchedule", false, false},
    {"key is case-sensitive", "Key", "Exists", "", "", "key", "v", "NoSchedule", false, false},
    {"empty key Exists tolerates everything", "", "Exists", "", "", "any", "thing", "NoExecute", false, true},
    {"key mismatch answers before Equal", "a", "Equal", "v", "", "b", "v", "NoSchedule", false, false},
    /* 2.1 step 3: operators; empty and Equal compare values; Exists ignores them. */
    {"empty op equal values", "k", "", "v", "NoSchedule", "k", "v", "NoSchedule", false, true},
    {"empty op different values", "k", "", "v", "NoSchedule", "k", "w", "NoSchedule", false, false},
    {"empty op both values empty", "k", "", "", "NoSchedule", "k", "", "NoSchedule", false, true},
    {"Equal equal values", "k", "Equal", "v", "", "k", "v", "NoSchedule", false, true},
    {"Equal different values", "k", "Equal", "v", "", "k", "w", "NoSchedule", false, false},
    {"Equal value is case-sensitive", "k", "Equal", "V", "", "k", "v", "NoSchedule", false, false},
    {"Exists ignores the value", "k", "Exists", "x", "", "k", "y", "NoSchedule", false, true},
    {"empty key Equal empty value tolerates empty-valued taint", "", "Equal", "", "", "any", "", "NoExecute", false, true},
    {"empty key Equal empty value rejects valued taint", "", "Equal", "", "", "any", "x", "NoExecute", false, false},
    {"unknown operator never matches", "k", "Foo", "v", "", "k", "v", "NoSchedule", true, false},
    {"lowercase exists is unknown", "k", "exists", "", "", "k", "v", "NoSchedule", true, false},
    /* 2.2: Lt/Gt only with the gate; canonical integers; taint value compared to toleration value. */
    {"sla 950 Gt 750 with gate", "sla", "Gt", "750", "NoSchedule", "sla", "950", "NoSchedule", true, true},
    {"sla 950 Gt 750 without gate", "sla", "Gt", "750", "NoSchedule", "sla", "950", "NoSchedule", false, false},
    {"sla 500 Gt 750", "sla", "Gt", "750", "", "sla", "500", "NoSchedule", true, false},
    {"sla 500 Lt 750 with gate", "sla", "Lt", "750", "", "sla", "500", "NoSchedule", true, true},
    {"sla 500 Lt 750 without gate", "sla", "Lt", "750", "", "sla", "500", "NoSchedule", false, false},
    {"sla 950 Lt 750", "sla", "Lt", "750", "", "sla", "950", "NoSchedule", true, false},
    {"Gt equal never matches", "sla", "Gt", "750", "", "sla", "750", "NoSchedule", true, false},
    {"Lt equal never matches", "sla", "Lt", "750", "", "sla", "750", "NoSchedule", true, false},
    {"Lt negative taint value", "t", "Lt", "0", "", "t", "-5", "NoSchedule", true, true},
    {"Lt int64 extremes", "t", "Lt", "-9223372036854775807", "", "t", I64_MIN_S, "NoSchedule", true, true},
    {"Gt int64 max taint", "t", "Gt", "0", "", "t", I64_MAX_S, "NoSchedule", true, true},
    {"Gt overflowing taint value", "t", "Gt", "0", "", "t", "9223372036854775808", "NoSchedule", true, false},
    {"Gt leading-zero taint value", "sla", "Gt", "750", "", "sla", "0950", "NoSchedule", true, false},
    {"Gt plus-signed toleration value", "sla", "Gt", "+750", "", "sla", "950", "NoSchedule", true, false},
    {"Gt empty taint value", "sla", "Gt", "750", "", "sla", "", "NoSchedule", true, false},
    {"Lt empty toleration value", "sla", "Lt", "", "", "sla", "5", "NoSchedule", true, false},
    {"Lt -0 toleration value", "sla", "Lt", "-0", "", "sla", "-1", "NoSchedule", true, false},
    {"Gt taint value with spaces", "sla", "Gt", "1", "", "sla", " 200 ", "NoSchedule", true, false},
    {"Gt decimal taint value", "sla", "Gt", "1", "", "sla", "100.5", "NoSchedule", true, false},
    {"Gt with empty key compares every taint", "", "Gt", "1", "", "other", "2", "NoExecute", true, true},
    {"Gt key mismatch", "sla", "Gt", "1", "", "other", "2", "NoSchedule", true, false},
    {"Gt effect mismatch", "sla", "Gt", "1", "NoExecute", "sla", "2", "NoSchedule", true, false},
    /* 4: the synthetic unschedulable taint {node.kubernetes.io/unschedulable, "", NoSchedule}. */
    {"unschedulable key+effect, no operator", "node.kubernetes.io/unschedulable", "", "", "NoSchedule",
     "node.kubernetes.io/unschedulable", "", "NoSchedule", false, true},
    {"unschedulable Equal true", "node.kubernetes.io/unschedulable", "Equal", "true", "NoSchedule",
     "node.kubernetes.io/unschedulable", "", "NoSchedule", false, false},
};

static ngp_toleration make_tol(const char *key, const char *op, const char *value, const char *effect)
{
    ngp_toleration t = {.key = key, .value = value, .op_text = op, .effect_text = effect,
                        .op = ngp_tol_op_parse(op), .effect = ngp_effect_parse(effect)};
    return t;
}

static void run_tol(void **state)
{
    const tol_row *r = *state;
    ngp_toleration t = make_tol(r->key, r->op, r->value, r->effect);
    ngp_taint taint = {r->tkey, r->tvalue, ngp_effect_parse(r->teffect)};
    assert_int_equal(ngp_tolerates(&t, &taint, r->gate), r->want);
}

/* 2.3: any toleration of the list. */
static void run_tol_list(void **state)
{
    (void)state;
    ngp_toleration tols[] = {make_tol("a", "Equal", "1", ""), make_tol("sla", "Gt", "750", ""),
                             make_tol("b", "Exists", "", "NoExecute")};
    ngp_taint b_exec = {"b", "x", NGP_EFFECT_NO_EXECUTE}, b_sched = {"b", "x", NGP_EFFECT_NO_SCHEDULE};
    ngp_taint sla = {"sla", "950", NGP_EFFECT_NO_SCHEDULE};
    assert_false(ngp_tolerations_tolerate(tols, 0, &b_exec, true));
    assert_true(ngp_tolerations_tolerate(tols, 3, &b_exec, false));
    assert_false(ngp_tolerations_tolerate(tols, 3, &b_sched, true));
    assert_true(ngp_tolerations_tolerate(tols, 3, &sla, true));
    assert_false(ngp_tolerations_tolerate(tols, 3, &sla, false));
}

/* ---- integer parsers (SPEC 2.2 canonical form; 5.2 strconv.ParseInt) ---- */

typedef struct {
    const char *s;
    bool ok;
    int64_t value;
} int_row;

static const int_row canonical_rows[] = {
    {"0", true, 0},
    {"1", true, 1},
    {"-1", true, -1},
    {"750", true, 750},
    {"-456", true, -456},
    {I64_MAX_S, true, INT64_MAX},
    {I64_MIN_S, true, INT64_MIN},
    {"", false, 0},
    {"-", false, 0},
    {"+100", false, 0},
    {"0100", false, 0},
    {"00", false, 0},
    {"-0", false, 0},
    {"-01", false, 0},
    {"100.5", false, 0},
    {" 200 ", false, 0},
    {"200 ", false, 0},
    {"1_000", false, 0},
    {"0x10", false, 0},
    {"1e3", false, 0},
    {"--1", false, 0},
    {"9223372036854775808", false, 0},
    {"-9223372036854775809", false, 0},
    {"99999999999999999999", false, 0},
};

static const int_row go_int_rows[] = {
    {"0", true, 0},
    {"+0", true, 0},
    {"-0", true, 0},
    {"007", true, 7},
    {"0204", true, 204},
    {"+5", true, 5},
    {"-5", true, -5},
    {"-007", true, -7},
    {I64_MAX_S, true, INT64_MAX},
    {"+" I64_MAX_S, true, INT64_MAX},
    {I64_MIN_S, true, INT64_MIN},
    {"-00009223372036854775808", true, INT64_MIN},
    {"", false, 0},
    {"+", false, 0},
    {"-", false, 0},
    {"1_000", false, 0},
    {" 1", false, 0},
    {"1 ", false, 0},
    {"1.0", false, 0},
    {"0x10", false, 0},
    {"--1", false, 0},
    {"+-1", false, 0},
    {"9223372036854775808", false, 0},
    {"-9223372036854775809", false, 0},
    {"18446744073709551616", false, 0},
};

static void check_int(const int_row *r, bool (*parse)(const char *, int64_t *))
{
    int64_t v = 12345;
    assert_int_equal(parse(r->s, &v), r->ok);
    if (r->ok)
        assert_true(v == r->value);
}

static void run_canonical(void **state)
{
    check_int(*state, ngp_parse_canonical_int);
}

static void run_go_int(void **state)
{
    check_int(*state, ngp_parse_go_int);
}

/* ---- label key and value rules (SPEC 5.2 "Additional parse rules") ---- */

typedef struct {
    const char *name, *s, *want;   /* want: NULL when valid, else the exact sentence */
} text_row;

static const text_row key_rows[] = {
    /* name only: 1-63 chars, alphanumeric ends, [-_.A-Za-z0-9] inside. */
    {"plain name", "app", NULL},
    {"one char", "a", NULL},
    {"upper case name", "MyName", NULL},
    {"inner -_.", "my_name-1.x", NULL},
    {"63-char name", A63, NULL},
    {"64-char name", A63 "a", NAME_LONG},
    {"64-char name ending in -", A63 "-", NAME_LONG "; " NAME_BAD},
    {"empty key", "", NAME_EMPTY},
    {"name starts with _", "_app", NAME_BAD},
    {"name ends with .", "app.", NAME_BAD},
    {"name with a space", "invalid key", NAME_BAD},
    {"name with @", "a@b", NAME_BAD},
    {"non-ASCII name", "caf\xc3\xa9", NAME_BAD},
    /* prefix: a lowercase DNS-1123 subdomain of <= 253 chars, then '/'. */
    {"well-known key", "node.kubernetes.io/unschedulable", NULL},
    {"prefix with digits", "1.2.3/x", NULL},
    {"prefixed upper-case name", "example.com/MyName", NULL},
    {"253-char prefix", A253 "/x", NULL},
    {"254-char prefix", A253 "a/x", PREFIX_LONG},
    {"254-char prefix ending in -", A253 "-/x", PREFIX_LONG "; " PREFIX_BAD},
    {"empty prefix", "/app", PREFIX_EMPTY},
    {"upper-case prefix", "Example.com/app", PREFIX_BAD},
    {"prefix starts with -", "-a.com/x", PREFIX_BAD},
    {"prefix with empty label", "a..b/x", PREFIX_BAD},
    {"prefix label starts with -", "a.-b/x", PREFIX_BAD},
    {"prefix label ends with -", "a-.b/x", PREFIX_BAD},
    {"prefix with _", "a_b.com/x", PREFIX_BAD},
    {"prefix ends with .", "a.com./x", PREFIX_BAD},
    {"empty name after prefix", "example.com/", NAME_EMPTY},
    {"bad name after prefix", "example.com/-x", NAME_BAD},
    {"both parts bad: prefix reported", "/-x", PREFIX_EMPTY},
    {"two slashes", "a/b/c", SLASHES},
    {"only slashes", "//", SLASHES},
};

static const text_row value_rows[] = {
    /* empty, or <= 63 chars with alphanumeric ends and [-_.A-Za-z0-9] inside. */
    {"empty value", "", NULL},
    {"one char", "a", NULL},
    {"MyValue", "MyValue", NULL},
    {"my_value", "my_value", NULL},
    {"digits", "12345", NULL},
    {"leading zero", "0204", NULL},
    {"63 chars", A63, NULL},
    {"64 chars", A63 "a", VALUE_LONG},
    {"64 chars ending in -", A63 "-", VALUE_LONG "; " VALUE_BAD},
    {"negative number", "-1", VALUE_BAD},
    {"plus-signed number", "+1", VALUE_BAD},
    {"ends with -", "a-", VALUE_BAD},
    {"starts with .", ".a", VALUE_BAD},
    {"slash", "a/b", VALUE_BAD},
    {"space", "a b", VALUE_BAD},
    {"punctuation", "invalid value: ___@#$%^", VALUE_BAD},
    {"non-ASCII", "\xc3\xa9", VALUE_BAD},
};

static void check_text(const char *got, const char *want)
{
    if (want == NULL)
        assert_null(got);
    else
        assert_string_equal(got == NULL ? "(valid)" : got, want);
}

static void run_key(void **state)
{
    const text_row *r = *state;
    check_text(ngp_check_label_key(r->s), r->want);
}

static void run_value(void **state)
{
    const text_row *r = *state;
    check_text(ngp_check_label_value(r->s), r->want);
}

/* ---- ngp_requirement_check (SPEC 5.2 table, parse rules, matchFields) ---- */

typedef struct {
    const char *name;
    bool is_field;
    const char *key, *op;
    const char *values[3];
    uint32_t nvalues;
    const char *err;   /* NULL: valid; else the exact text for path "p" */
} req_row;

#define LABEL_OPS "supported values: \"In\", \"NotIn\", \"Exists\", \"DoesNotExist\", \"Gt\", \"Lt\""
#define GTLT_INT "for 'Gt', 'Lt' operators, the value must be an integer"

static const req_row req_rows[] = {
    /* matchExpressions value counts: In/NotIn >= 1, Exists/DoesNotExist 0, Gt/Lt exactly 1. */
    {"In one value", false, "app", "In", {"a"}, 1, NULL},
    {"In empty-string value", false, "app", "In", {""}, 1, NULL},
    {"NotIn two values", false, "app", "NotIn", {"a", "b"}, 2, NULL},
    {"In no values", false, "app", "In", {NULL}, 0,
     "p.values: Invalid value: []string(nil): for 'in', 'notin' operators, values set can't be empty"},
    {"NotIn no values", false, "app", "NotIn", {NULL}, 0,
     "p.values: Invalid value: []string(nil): for 'in', 'notin' operators, values set can't be empty"},
    {"Exists no values", false, "app", "Exists", {NULL}, 0, NULL},
    {"DoesNotExist no values", false, "app", "DoesNotExist", {NULL}, 0, NULL},
    {"Exists with a value", false, "app", "Exists", {"a"}, 1,
     "p.values: Invalid value: []string{\"a\"}: values set must be empty for exists and does not exist"},
    {"DoesNotExist with an empty value", false, "app", "DoesNotExist", {""}, 1,
     "p.values: Invalid value: []string{\"\"}: values set must be empty for exists and does not exist"},
    {"Gt one integer", false, "sla", "Gt", {"750"}, 1, NULL},
    {"Lt one integer", false, "sla", "Lt", {"750"}, 1, NULL},
    {"Gt no values", false, "sla", "Gt", {NULL}, 0,
     "p.values: Invalid value: []string(nil): for 'Gt', 'Lt' operators, exactly one value is required"},
    {"Lt two values", false, "sla", "Lt", {"1", "2"}, 2,
     "p.values: Invalid value: []string{\"1\", \"2\"}: for 'Gt', 'Lt' operators, exactly one value is required"},
    /* Gt/Lt values: strconv.ParseInt, then the label value rule. */
    {"Gt leading zeros", false, "sla", "Gt", {"0204"}, 1, NULL},
    {"Gt not an integer", false, "sla", "Gt", {"abc"}, 1, "p.values[0]: Invalid value: \"abc\": " GTLT_INT},
    {"Lt empty value", false, "sla", "Lt", {""}, 1, "p.values[0]: Invalid value: \"\": " GTLT_INT},
    {"Lt overflowing value", false, "sla", "Lt", {"9223372036854775808"}, 1,
     "p.values[0]: Invalid value: \"9223372036854775808\": " GTLT_INT},
    {"Gt -1 fails the label value rule", false, "sla", "Gt", {"-1"}, 1,
     "p.values[0][sla]: Invalid value: \"-1\": " VALUE_BAD},
    {"Gt +1 fails the label value rule", false, "sla", "Gt", {"+1"}, 1,
     "p.values[0][sla]: Invalid value: \"+1\": " VALUE_BAD},
    /* every value must be a label value. */
    {"In invalid value", false, "app", "In", {"invalid value: ___@#$%^"}, 1,
     "p.values[0][app]: Invalid value: \"invalid value: ___@#$%^\": " VALUE_BAD},
    {"NotIn second value invalid", false, "app", "NotIn", {"ok", "bad!"}, 2,
     "p.values[1][app]: Invalid value: \"bad!\": " VALUE_BAD},
    {"In value quoted as Go's %q", false, "app", "In", {"a\"b\\c\n\x01"}, 1,
     "p.values[0][app]: Invalid value: \"a\\\"b\\\\c\\n\\x01\": " VALUE_BAD},
    /* the key must be a qualified name. */
    {"prefixed key", false, "kubernetes.io/hostname", "In", {"n1"}, 1, NULL},
    {"key with a space (SPEC 5.3 text)", false, "invalid key", "In", {"a"}, 1,
     "p.key: Invalid value: \"invalid key\": " NAME_BAD},
    {"empty key", false, "", "Exists", {NULL}, 0, "p.key: Invalid value: \"\": " NAME_EMPTY},
    {"key error before value errors", false, "a/b/c", "In", {"-"}, 1,
     "p.key: Invalid value: \"a/b/c\": " SLASHES},
    /* operators outside the table are invalid, case-sensitively, before any other check. */
    {"unknown operator", false, "app", "Foo", {"a"}, 1, "p.operator: Unsupported value: \"Foo\": " LABEL_OPS},
    {"lowercase in", false, "app", "in", {"a"}, 1, "p.operator: Unsupported value: \"in\": " LABEL_OPS},
    {"empty operator", false, "app", "", {NULL}, 0, "p.operator: Unsupported value: \"\": " LABEL_OPS},
    {"operator error before key error", false, "bad key", "Equal", {"a"}, 1,
     "p.operator: Unsupported value: \"Equal\": " LABEL_OPS},
    /* matchFields: In/NotIn with exactly one value; key and value not validated. */
    {"field In one value", true, "metadata.name", "In", {"n1"}, 1, NULL},
    {"field NotIn one value", true, "metadata.name", "NotIn", {"n1"}, 1, NULL},
    {"field key not validated", true, "bad key!", "In", {"x"}, 1, NULL},
    {"field value not validated", true, "metadata.name", "In", {"bad value!"}, 1, NULL},
    {"field In no values", true, "metadata.name", "In", {NULL}, 0,
     "p.values: Invalid value: []string(nil): must have one element"},
    {"field NotIn two values", true, "metadata.name", "NotIn", {"a", "b"}, 2,
     "p.values: Invalid value: []string{\"a\", \"b\"}: must have one element"},
    {"field Exists", true, "metadata.name", "Exists", {NULL}, 0,
     "p.operator: Unsupported value: \"Exists\": supported values: \"In\", \"NotIn\""},
    {"field Gt", true, "metadata.name", "Gt", {"1"}, 1,
     "p.operator: Unsupported value: \"Gt\": supported values: \"In\", \"NotIn\""},
};

static ngp_requirement make_req(const char *key, const char *op, const char *const *values, uint32_t n)
{
    ngp_requirement r = {.key = key, .op_text = op, .op = ngp_sel_op_parse(op),
                         .values = n > 0 ? (const char **)values : NULL, .nvalues = n};
    return r;
}

static void run_req(void **state)
{
    const req_row *row = *state;
    ngp_requirement r = make_req(row->key, row->op, row->values, row->nvalues);
    char err[1024];
    memset(err, 'X', sizeof err);
    bool ok = ngp_requirement_check(&r, row->is_field, "p", err, sizeof err);
    assert_int_equal(ok, row->err == NULL);
    assert_string_equal(err, row->err == NULL ? "" : row->err);
}

/* err is bounded and always terminated; NULL/0 is accepted. */
static void run_req_truncation(void **state)
{
    (void)state;
    ngp_requirement r = make_req("invalid key", "In", (const char *const[]){"a"}, 1);
    const char *path = "[0].matchExpressions[0]";
    char small[25];
    assert_false(ngp_requirement_check(&r, false, path, small, sizeof small));
    assert_string_equal(small, "[0].matchExpressions[0].");
    assert_false(ngp_requirement_check(&r, false, path, NULL, 0));
    char full[1024];
    assert_false(ngp_requirement_check(&r, false, path, full, sizeof full));
    assert_string_equal(full, "[0].matchExpressions[0].key: Invalid value: \"invalid key\": " NAME_BAD);
}

/* ---- ngp_requirement_matches_labels (SPEC 5.2 "matches when") ---- */

typedef struct {
    const char *name;
    const char *key, *op;
    const char *values[3];
    uint32_t nvalues;
    ngp_kv labels[3];
    uint32_t nlabels;
    bool want;
} label_row;

static const label_row label_rows[] = {
    /* In: present and among the values. */
    {"In present among", "zone", "In", {"a", "b"}, 2, {{"zone", "b"}}, 1, true},
    {"In present not among", "zone", "In", {"a", "b"}, 2, {{"zone", "c"}}, 1, false},
    {"In absent", "zone", "In", {"a"}, 1, {{"other", "a"}}, 1, false},
    {"In no labels", "zone", "In", {"a"}, 1, {{NULL, NULL}}, 0, false},
    {"In empty value, label empty", "zone", "In", {""}, 1, {{"zone", ""}}, 1, true},
    {"In key is case-sensitive", "zone", "In", {"a"}, 1, {{"Zone", "a"}}, 1, false},
    {"In value is case-sensitive", "zone", "In", {"a"}, 1, {{"zone", "A"}}, 1, false},
    {"In reads the right label among several", "b", "In", {"2"}, 1, {{"a", "1"}, {"b", "2"}, {"c", "3"}}, 3, true},
    /* NotIn: absent, or none of the values. */
    {"NotIn absent", "zone", "NotIn", {"a"}, 1, {{"other", "a"}}, 1, true},
    {"NotIn present among", "zone", "NotIn", {"a", "b"}, 2, {{"zone", "a"}}, 1, false},
    {"NotIn present not among", "zone", "NotIn", {"a", "b"}, 2, {{"zone", "c"}}, 1, true},
    /* Exists / DoesNotExist. */
    {"Exists with empty value", "gpu", "Exists", {NULL}, 0, {{"gpu", ""}}, 1, true},
    {"Exists absent", "gpu", "Exists", {NULL}, 0, {{"cpu", "x"}}, 1, false},
    {"DoesNotExist absent", "gpu", "DoesNotExist", {NULL}, 0, {{"cpu", "x"}}, 1, true},
    {"DoesNotExist present", "gpu", "DoesNotExist", {NULL}, 0, {{"gpu", ""}}, 1, false},
    /* Gt/Lt: present, ParseInt on both sides, strictly greater / less. */
    {"0206 Gt 0204", "v", "Gt", {"0204"}, 1, {{"v", "0206"}}, 1, true},
    {"0204 Gt 0204", "v", "Gt", {"0204"}, 1, {{"v", "0204"}}, 1, false},
    {"204 Gt 0204 (equal)", "v", "Gt", {"0204"}, 1, {{"v", "204"}}, 1, false},
    {"950 Gt 750", "sla", "Gt", {"750"}, 1, {{"sla", "950"}}, 1, true},
    {"500 Gt 750", "sla", "Gt", {"750"}, 1, {{"sla", "500"}}, 1, false},
    {"500 Lt 750", "sla", "Lt", {"750"}, 1, {{"sla", "500"}}, 1, true},
    {"750 Lt 750", "sla", "Lt", {"750"}, 1, {{"sla", "750"}}, 1, false},
    {"label +5 Gt 4", "n", "Gt", {"4"}, 1, {{"n", "+5"}}, 1, true},
    {"label 007 Lt 8", "n", "Lt", {"8"}, 1, {{"n", "007"}}, 1, true},
    {"label -3 Lt 0", "n", "Lt", {"0"}, 1, {{"n", "-3"}}, 1, true},
    {"label int64 max Gt 0", "n", "Gt", {"0"}, 1, {{"n", I64_MAX_S}}, 1, true},
    {"label overflowing Gt 0", "n", "Gt", {"0"}, 1, {{"n", "9223372036854775808"}}, 1, false},
    {"label not an integer", "n", "Gt", {"0"}, 1, {{"n", "abc"}}, 1, false},
    {"label empty", "n", "Gt", {"0"}, 1, {{"n", ""}}, 1, false},
    {"Gt label absent", "n", "Gt", {"0"}, 1, {{"m", "5"}}, 1, false},
    {"Lt label absent", "n", "Lt", {"10"}, 1, {{"m", "5"}}, 1, false},
    /* matchExpressions never look at the name: metadata.name is just a label key. */
    {"label called metadata.name", "metadata.name", "In", {"n1"}, 1, {{"metadata.name", "n1"}}, 1, true},
    {"no label called metadata.name", "metadata.name", "Exists", {NULL}, 0, {{"kubernetes.io/hostname", "n1"}}, 1, false},
};

static void run_label(void **state)
{
    const label_row *row = *state;
    ngp_requirement r = make_req(row->key, row->op, row->values, row->nvalues);
    assert_int_equal(ngp_requirement_matches_labels(&r, row->labels, row->nlabels), row->want);
}

/* ---- ngp_requirement_matches_fields (SPEC 5.2 matchFields) ---- */

typedef struct {
    const char *name;
    const char *key, *op, *value, *node;
    bool want;
} field_row;

static const field_row field_rows[] = {
    /* metadata.name is the node's name. */
    {"name In, same node", "metadata.name", "In", "node-1", "node-1", true},
    {"name In, other node", "metadata.name", "In", "node-1", "node-2", false},
    {"name NotIn, same node", "metadata.name", "NotIn", "node-1", "node-1", false},
    {"name NotIn, other node", "metadata.name", "NotIn", "node-1", "node-2", true},
    {"name In is case-sensitive", "metadata.name", "In", "Node-1", "node-1", false},
    /* every other key reads as "". */
    {"metadata.foo In [bar]", "metadata.foo", "In", "bar", "bar", false},
    {"metadata.foo NotIn [bar]", "metadata.foo", "NotIn", "bar", "node-1", true},
    {"metadata.foo In [\"\"]", "metadata.foo", "In", "", "node-1", true},
    {"metadata.foo NotIn [\"\"]", "metadata.foo", "NotIn", "", "node-1", false},
    {"Metadata.name is another key", "Metadata.name", "In", "node-1", "node-1", false},
    {"a label key is not a field", "kubernetes.io/hostname", "In", "node-1", "node-1", false},
};

static void run_field(void **state)
{
    const field_row *row = *state;
    ngp_requirement r = make_req(row->key, row->op, (const char *const[]){row->value}, 1);
    assert_int_equal(ngp_requirement_matches_fields(&r, row->node), row->want);
}

/* ---- model.c: strings to enums (case-sensitive, as Go) ---- */

typedef enum { EFFECT, TOL_OP, SEL_OP } parse_kind;

typedef struct {
    parse_kind kind;
    const char *s;
    int want;
} parse_row;

static const parse_row parse_rows[] = {
    {EFFECT, "NoSchedule", NGP_EFFECT_NO_SCHEDULE},
    {EFFECT, "PreferNoSchedule", NGP_EFFECT_PREFER_NO_SCHEDULE},
    {EFFECT, "NoExecute", NGP_EFFECT_NO_EXECUTE},
    {EFFECT, "", NGP_EFFECT_EMPTY},
    {EFFECT, "noschedule", NGP_EFFECT_OTHER},
    {EFFECT, "NoSchedule ", NGP_EFFECT_OTHER},
    {EFFECT, "Sometimes", NGP_EFFECT_OTHER},
    {TOL_OP, "", NGP_TOL_EMPTY},
    {TOL_OP, "Equal", NGP_TOL_EQUAL},
    {TOL_OP, "Exists", NGP_TOL_EXISTS},
    {TOL_OP, "Lt", NGP_TOL_LT},
    {TOL_OP, "Gt", NGP_TOL_GT},
    {TOL_OP, "equal", NGP_TOL_OTHER},
    {TOL_OP, "LT", NGP_TOL_OTHER},
    {TOL_OP, "In", NGP_TOL_OTHER},
    {SEL_OP, "In", NGP_SEL_IN},
    {SEL_OP, "NotIn", NGP_SEL_NOT_IN},
    {SEL_OP, "Exists", NGP_SEL_EXISTS},
    {SEL_OP, "DoesNotExist", NGP_SEL_DOES_NOT_EXIST},
    {SEL_OP, "Gt", NGP_SEL_GT},
    {SEL_OP, "Lt", NGP_SEL_LT},
    {SEL_OP, "in", NGP_SEL_OTHER},
    {SEL_OP, "", NGP_SEL_OTHER},
    {SEL_OP, "Equal", NGP_SEL_OTHER},
};

static void run_parse(void **state)
{
    const parse_row *r = *state;
    int got = r->kind == EFFECT   ? (int)ngp_effect_parse(r->s)
              : r->kind == TOL_OP ? (int)ngp_tol_op_parse(r->s)
                                  : (int)ngp_sel_op_parse(r->s);
    assert_int_equal(got, r->want);
}

static void run_effect_names(void **state)
{
    (void)state;
    assert_string_equal(ngp_effect_name(NGP_EFFECT_EMPTY), "");
    assert_string_equal(ngp_effect_name(NGP_EFFECT_NO_SCHEDULE), "NoSchedule");
    assert_string_equal(ngp_effect_name(NGP_EFFECT_PREFER_NO_SCHEDULE), "PreferNoSchedule");
    assert_string_equal(ngp_effect_name(NGP_EFFECT_NO_EXECUTE), "NoExecute");
    assert_string_equal(ngp_effect_name(NGP_EFFECT_OTHER), "");
}

/* ---- one cmocka test per row ---- */

#define NROWS (LEN(tol_rows) + LEN(canonical_rows) + LEN(go_int_rows) + LEN(key_rows) + \
               LEN(value_rows) + LEN(req_rows) + LEN(label_rows) + LEN(field_rows) + LEN(parse_rows))
#define NSINGLE 3

static struct CMUnitTest tests[NROWS + NSINGLE];
static char names[NROWS][128];
static size_t ntests;

static void add(const char *name, CMUnitTestFunction fn, const void *row)
{
    tests[ntests++] = (struct CMUnitTest){name, fn, NULL, NULL, (void *)row};
}

/* A row name built from a prefix and the row's input string. */
static const char *name_of(const char *what, const char *s)
{
    char *n = names[ntests];
    snprintf(n, sizeof names[0], "%s(\"%s\")", what, s);
    return n;
}

#define ADD_NAMED(rows, fn)                      \
    for (size_t i = 0; i < LEN(rows); i++)       \
    add(rows[i].name, fn, &rows[i])
#define ADD_BY_INPUT(rows, what, fn)             \
    for (size_t i = 0; i < LEN(rows); i++)       \
    add(name_of(what, rows[i].s), fn, &rows[i])

int main(void)
{
    static const char *const kinds[] = {"ngp_effect_parse", "ngp_tol_op_parse", "ngp_sel_op_parse"};
    ADD_NAMED(tol_rows, run_tol);
    ADD_BY_INPUT(canonical_rows, "ngp_parse_canonical_int", run_canonical);
    ADD_BY_INPUT(go_int_rows, "ngp_parse_go_int", run_go_int);
    ADD_NAMED(key_rows, run_key);
    ADD_NAMED(value_rows, run_value);
    ADD_NAMED(req_rows, run_req);
    ADD_NAMED(label_rows, run_label);
    ADD_NAMED(field_rows, run_field);
    for (size_t i = 0; i < LEN(parse_rows); i++)
        add(name_of(kinds[parse_rows[i].kind], parse_rows[i].s), run_parse, &parse_rows[i]);
    add("ngp_tolerations_tolerate list", run_tol_list, NULL);
    add("ngp_requirement_check truncation", run_req_truncation, NULL);
    add("ngp_effect_name", run_effect_names, NULL);
    return _cmocka_run_group_tests("match", tests, ntests, NULL, NULL);
}
