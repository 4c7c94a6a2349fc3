/* test_yaml_json.c - YAML to JSON as kubectl reads a manifest (harness/lib/yaml_json.c). Each
 * expected JSON follows from go-yaml v2's resolve rules, sigs.k8s.io/yaml's key conversion and
 * encoding/json's output, as the comments beside the cases say. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lib/buf.h"
#include "lib/yaml_json.h"

/* Every document's JSON, one per line. */
static int collect_doc(void *cls, const char *json, size_t len)
{
    host_buf_put(cls, json, len);
    host_buf_puts(cls, "\n");
    return 0;
}

static char err[512];

/* The documents of yaml as lines, or NULL on error (then err says why). */
static char *convert(const char *yaml)
{
    host_buf b = {0};
    host_buf_puts(&b, "");
    err[0] = '\0';
    if (host_yaml_to_json(yaml, strlen(yaml), collect_doc, &b, err, sizeof err) != 0) {
        host_buf_free(&b);
        return NULL;
    }
    return host_buf_take(&b, NULL);
}

static void expect(const char *yaml, const char *json)
{
    char *got = convert(yaml);
    if (!got)
        fail_msg("%s: %s", yaml, err);
    assert_string_equal(got, json);
    free(got);
}

static void expect_error(const char *yaml, const char *message)
{
    char *got = convert(yaml);
    if (got)
        fail_msg("%s converted to %s", yaml, got);
    if (!strstr(err, message))
        fail_msg("%s: error %s, wanted %s", yaml, err, message);
}

static void test_booleans_and_nulls(void **state)
{
    /* YAML 1.1 as go-yaml v2 reads it: only these spellings, the whole text */
    expect("k: [y, Y, yes, Yes, YES, on, On, ON, true, True, TRUE]\n",
           "{\"k\":[true,true,true,true,true,true,true,true,true,true,true]}\n");
    expect("k: [n, N, no, No, NO, off, Off, OFF, false, False, FALSE, yEs, tRUE, oN]\n",
           "{\"k\":[false,false,false,false,false,false,false,false,false,false,false,\"yEs\",\"tRUE\",\"oN\"]}\n");
    expect("a: [~, null, Null, NULL, nUll]\nb:\n", "{\"a\":[null,null,null,null,\"nUll\"],\"b\":null}\n");
}

static void test_integers(void **state)
{
    /* strconv.ParseInt(s, 0, 64) after the underscores go: 0x, 0o, 0b and a leading 0 (octal) */
    expect("k: [0x1F, 017, 0o17, 0b101, 1_000, +5, -0x10, 0]\n", "{\"k\":[31,15,15,5,1000,5,-16,0]}\n");
    /* 08 is no octal and no decimal integer, but go-yaml's float pattern takes it: 8 */
    expect("k: 08\n", "{\"k\":8}\n");
    /* past int64: ParseUint; past uint64: the float pattern (a float64, written by encoding/json) */
    expect("k: [9223372036854775807, 9223372036854775808, 18446744073709551616, -9223372036854775809]\n",
           "{\"k\":[9223372036854775807,9223372036854775808,18446744073709552000,-9223372036854776000]}\n");
    /* none of them: a string */
    expect("k: [0x10000000000000000, 0x, 1_000x, 12:30, 2001-12-14, +, -]\n", "{\"k\":[\"0x10000000000000000\",\"0x\",\"1_000x\",\"12:30\",\"2001-12-14\",\"+\",\"-\"]}\n");
}

static void test_floats(void **state)
{
    /* encoding/json: the shortest digits, %f-style from 1e-6 up to 1e21, else %e with e-07 as e-7 */
    expect("k: [1.5, .5, +.5, 1e3, 1.0, -0.0, 1e-7, 1e21, 1e20, 0.000001, 3.0e-10]\n",
           "{\"k\":[1.5,0.5,0.5,1000,1,-0,1e-7,1e+21,100000000000000000000,0.000001,3e-10]}\n");
    expect("k: 0.1\n", "{\"k\":0.1}\n");
    /* json.Marshal refuses what JSON cannot hold */
    expect_error("k: .inf\n", "line 1, column 4: json: unsupported value: +Inf");
    expect_error("k: -.Inf\n", "json: unsupported value: -Inf");
    expect_error("k: .nan\n", "json: unsupported value: NaN");
    /* .infinity is no YAML 1.1 float and ParseFloat("1e400") overflows: both stay text */
    expect("k: [.infinity, 1e400]\n", "{\"k\":[\".infinity\",\"1e400\"]}\n");
}

static void test_strings(void **state)
{
    expect("k: [\"1\", '2', !!str 3, plain text, \"tab\\there\", \"<&>\", \"a\\0b\", é]\n",
           "{\"k\":[\"1\",\"2\",\"3\",\"plain text\",\"tab\\there\",\"\\u003c\\u0026\\u003e\",\"a\\u0000b\",\"é\"]}\n");
    expect("k: |\n  line1\n  line2\n", "{\"k\":\"line1\\nline2\\n\"}\n");
    expect("k: >\n  folded\n  line\n", "{\"k\":\"folded line\\n\"}\n");
}

static void test_tags(void **state)
{
    /* a tag makes go-yaml resolve even a quoted scalar, and refuse what the tag cannot hold */
    expect("k: [!!int \"12\", !!float 1, !!bool yes, !!null ~, !!timestamp 2001-12-14, !custom 5]\n",
           "{\"k\":[12,1,true,null,\"2001-12-14\",\"5\"]}\n");
    expect_error("k: !!int abc\n", "line 1, column 4: cannot decode !!str `abc` as a !!int");
    expect_error("k: !!bool 1\n", "cannot decode !!int `1` as a !!bool");
    expect_error("k: !!binary aGk=\n", "!!binary values are not supported");
}

static void test_keys(void **state)
{
    /* keys become strings (on -> true, which a later key then replaces), json.Marshal sorts them */
    expect("{1: a, true: b, on: c, 1.5: d, b: e, a: f}\n",
           "{\"1\":\"a\",\"1.5\":\"d\",\"a\":\"f\",\"b\":\"e\",\"true\":\"c\"}\n");
    /* a float key is written by FormatFloat(k, 'g', -1, 32) */
    expect("{1e6: a, 0.1: b}\n", "{\"0.1\":\"b\",\"1e+06\":\"a\"}\n");
    /* past float32's range it is an infinity, named as go-yaml names it (found by fuzz_yaml) */
    expect("{1e300: a, -1e300: b, .nan: c}\n", "{\"-.inf\":\"b\",\".inf\":\"a\",\".nan\":\"c\"}\n");
    expect("a: 1\nb: 2\na: 3\n", "{\"a\":3,\"b\":2}\n");
    /* YAML 1.1's y and n are booleans, keys too */
    expect("{y: 1, n: 2}\n", "{\"false\":2,\"true\":1}\n");
    expect_error("~: x\n", "line 1, column 1: unsupported map key of type: <nil>");
    expect_error("18446744073709551615: x\n", "unsupported map key of type: uint64");
    expect_error("? [1]\n: x\n", "invalid map key: a sequence");
}

static void test_merge_keys(void **state)
{
    expect("base: &b {p: 1, q: 2}\nm:\n  <<: *b\n  q: 3\n", "{\"base\":{\"p\":1,\"q\":2},\"m\":{\"p\":1,\"q\":3}}\n");
    /* go-yaml v2 merges where the key stands: a merge after q overrides it */
    expect("base: &b {p: 1, q: 2}\nm: {q: 3, <<: *b}\n", "{\"base\":{\"p\":1,\"q\":2},\"m\":{\"p\":1,\"q\":2}}\n");
    /* a sequence is merged last to first, so the first mapping's keys win */
    expect("a: &a {x: 1}\nb: &b {x: 2, z: 3}\nm: {<<: [*a, *b]}\n",
           "{\"a\":{\"x\":1},\"b\":{\"x\":2,\"z\":3},\"m\":{\"x\":1,\"z\":3}}\n");
    expect("{\"<<\": 1}\n", "{\"\\u003c\\u003c\":1}\n");
    expect_error("m: {<<: 1}\n", "map merge requires map or sequence of maps as the value");
}

static void test_aliases(void **state)
{
    expect("a: &x [1, 2]\nb: *x\n", "{\"a\":[1,2],\"b\":[1,2]}\n");
    expect_error("a: *nope\n", "line 1, column 4: unknown anchor 'nope' referenced");
    expect_error("a: &a [*a]\n", "anchor 'a' value contains itself");
    /* a billion laughs: ten aliases of ten aliases, nine deep */
    host_buf b = {0};
    host_buf_puts(&b, "l0: &l0 [x, x, x, x, x, x, x, x, x, x]\n");
    for (int i = 1; i < 10; i++)
        host_buf_printf(&b, "l%d: &l%d [*l%d, *l%d, *l%d, *l%d, *l%d, *l%d, *l%d, *l%d, *l%d, *l%d]\n", i, i, i - 1,
                        i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1);
    expect_error(b.p, "document contains excessive aliasing");
    host_buf_free(&b);
}

static void test_documents(void **state)
{
    /* kubectl skips empty and null documents; anchors do not cross documents */
    expect("a: 1\n---\n---\n# only a comment\n---\nb: 2\n...\n--- null\n--- ~\n", "{\"a\":1}\n{\"b\":2}\n");
    expect("", "");
    expect_error("a: &x 1\n---\nb: *x\n", "line 3, column 4: unknown anchor 'x' referenced");
}

static void test_errors_name_line_and_column(void **state)
{
    expect_error("a: 1\nb: [1, 2\n", "did not find expected ',' or ']' (while parsing a flow sequence at line 2, column 4)");
    expect_error("a:\n\tb: 1\n", "line 2, column 1: found character that cannot start any token");
    expect_error("a: 1\n\xff: 2\n", "line 2, column 1: invalid leading UTF-8 octet");
    host_buf b = {0};
    for (int i = 0; i < 10001; i++)
        host_buf_puts(&b, "[");
    expect_error(b.p, "line 1, column 10001: exceeded max depth of 10000");
    host_buf_free(&b);
}

static int stop_at_first(void *cls, const char *json, size_t len)
{
    ++*(int *)cls;
    return 7;
}

static void test_callback_stops(void **state)
{
    int calls = 0;
    assert_int_equal(host_yaml_to_json("a: 1\n---\nb: 2\n", 14, stop_at_first, &calls, err, sizeof err), 7);
    assert_int_equal(calls, 1);
}

static void test_looks_json(void **state)
{
    assert_true(host_yaml_looks_json(" \n\t{\"kind\":\"Node\"}", 18));
    assert_false(host_yaml_looks_json("[1]", 3));
    assert_false(host_yaml_looks_json("kind: Node", 10));
    assert_false(host_yaml_looks_json("  ", 2));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_booleans_and_nulls),
        cmocka_unit_test(test_integers),
        cmocka_unit_test(test_floats),
        cmocka_unit_test(test_strings),
        cmocka_unit_test(test_tags),
        cmocka_unit_test(test_keys),
        cmocka_unit_test(test_merge_keys),
        cmocka_unit_test(test_aliases),
        cmocka_unit_test(test_documents),
        cmocka_unit_test(test_errors_name_line_and_column),
        cmocka_unit_test(test_callback_stops),
        cmocka_unit_test(test_looks_json),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
