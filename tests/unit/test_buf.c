/* test_buf.c - buf.c: appends and growth checked against a plain array, take/free, and ngp_buf_json_str's escaping and U+FFFD rules (every output parsed back by jansson). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"

#define LEN(a) (sizeof(a) / sizeof((a)[0]))

/* The buffer holds exactly want[0..n), NUL-terminated, with room for the NUL. */
static void assert_holds(const ngp_buf *b, const char *want, size_t n)
{
    assert_int_equal(b->len, n);
    assert_non_null(b->data);
    assert_true(b->cap > b->len);
    assert_memory_equal(b->data, want, n);
    assert_int_equal(b->data[n], '\0');
}

/* Appends of every size from 0 to 600 bytes, and a few far larger, against an oracle array. */
static void test_put_growth(void **state)
{
    (void)state;
    enum { MAX = 1 << 20 };
    char *oracle = malloc(MAX), *piece = malloc(MAX);
    assert_non_null(oracle);
    assert_non_null(piece);
    ngp_buf b = {0};
    size_t n = 0;
    unsigned seed = 1;
    static const size_t big[] = {4095, 4096, 4097, 65536, 100003};
    for (size_t size = 0; size < 600 + LEN(big); size++) {
        size_t len = size < 600 ? size : big[size - 600];
        for (size_t i = 0; i < len; i++)
            {
            seed = seed * 1103515245u + 12345u;
            piece[i] = (char)(seed >> 16);   /* NUL bytes included */
        }
        assert_true(n + len < MAX);
        memcpy(oracle + n, piece, len);
        n += len;
        ngp_buf_put(&b, piece, len);
        assert_holds(&b, oracle, n);
    }
    ngp_buf_free(&b);
    assert_null(b.data);
    assert_int_equal(b.len, 0);
    assert_int_equal(b.cap, 0);
    free(oracle);
    free(piece);
}

/* Growth across the first capacities, one byte at a time. */
static void test_putc_growth(void **state)
{
    (void)state;
    char oracle[5000];
    ngp_buf b = {0};
    for (size_t i = 0; i < sizeof oracle; i++) {
        oracle[i] = (char)('a' + i % 26);
        ngp_buf_putc(&b, oracle[i]);
        assert_holds(&b, oracle, i + 1);
    }
    ngp_buf_putc(&b, '\0');   /* a NUL byte is data too */
    assert_int_equal(b.len, sizeof oracle + 1);
    ngp_buf_free(&b);
}

static void test_puts_int_printf(void **state)
{
    (void)state;
    ngp_buf b = {0};
    ngp_buf_puts(&b, "");
    assert_holds(&b, "", 0);   /* NUL-terminated once anything, even nothing, was written */
    ngp_buf_puts(&b, "score ");
    ngp_buf_int(&b, 0);
    ngp_buf_putc(&b, ' ');
    ngp_buf_int(&b, -1);
    ngp_buf_putc(&b, ' ');
    ngp_buf_int(&b, INT64_MAX);
    ngp_buf_putc(&b, ' ');
    ngp_buf_int(&b, INT64_MIN);
    const char *want = "score 0 -1 9223372036854775807 -9223372036854775808";
    assert_holds(&b, want, strlen(want));
    ngp_buf_free(&b);

    ngp_buf_printf(&b, "%s", "");
    assert_holds(&b, "", 0);
    ngp_buf_printf(&b, "{\"%s\":%d,\"x\":\"%05d\"}", "Score", 7, 42);
    want = "{\"Score\":7,\"x\":\"00042\"}";
    assert_holds(&b, want, strlen(want));

    /* a formatted piece far larger than the buffer's first capacity */
    char long_arg[3000], oracle[4000];
    memset(long_arg, 'z', sizeof long_arg - 1);
    long_arg[sizeof long_arg - 1] = '\0';
    int n = snprintf(oracle, sizeof oracle, "%s<%s>%d", want, long_arg, 42);
    ngp_buf_printf(&b, "<%s>%d", long_arg, 42);
    assert_holds(&b, oracle, (size_t)n);
    ngp_buf_free(&b);
}

static void test_take_free(void **state)
{
    (void)state;
    ngp_buf b = {0};
    size_t len = 99;
    char *d = ngp_buf_take(&b, &len);   /* never written: "" */
    assert_non_null(d);
    assert_int_equal(len, 0);
    assert_string_equal(d, "");
    free(d);
    assert_null(b.data);

    ngp_buf_puts(&b, "hello");
    d = ngp_buf_take(&b, &len);
    assert_int_equal(len, 5);
    assert_string_equal(d, "hello");
    assert_null(b.data);   /* handed over: the buffer is empty again */
    assert_int_equal(b.len, 0);
    assert_int_equal(b.cap, 0);
    ngp_buf_puts(&b, "again");   /* and reusable */
    assert_holds(&b, "again", 5);
    assert_string_equal(d, "hello");   /* the taken data is not shared */
    free(d);

    ngp_buf_free(&b);
    ngp_buf_free(&b);   /* freeing an empty buffer is a no-op */
    assert_null(b.data);
    ngp_buf_puts(&b, "after free");
    assert_holds(&b, "after free", 10);
    ngp_buf_free(&b);
}

/* ---- ngp_buf_json_str ---- */

/* Writes in as a JSON string after a prefix, checks the exact output, then
 * parses it back with jansson and checks the decoded text is decoded. */
static void check_json(const char *in, const char *out, const char *decoded)
{
    ngp_buf b = {0};
    ngp_buf_puts(&b, "[");   /* appends, never resets */
    ngp_buf_json_str(&b, in);
    if (strcmp(b.data + 1, out) != 0)
        fail_msg("json_str of \"%s\": %s, expected %s", in, b.data + 1, out);
    ngp_buf_puts(&b, "]");
    assert_int_equal(b.len, strlen(out) + 2);
    json_error_t err;
    json_t *v = json_loads(b.data, 0, &err);
    if (!v)
        fail_msg("jansson rejects %s: %s", b.data, err.text);
    assert_true(json_is_array(v) && json_array_size(v) == 1);
    const json_t *s = json_array_get(v, 0);
    assert_true(json_is_string(s));
    assert_int_equal(json_string_length(s), strlen(decoded));
    assert_string_equal(json_string_value(s), decoded);
    json_decref(v);
    ngp_buf_free(&b);
}

/* Output when nothing needs replacing: the escapes undo to the input. */
static void check_json_same(const char *in, const char *out) { check_json(in, out, in); }

static void test_json_escapes(void **state)
{
    (void)state;
    check_json_same("", "\"\"");
    check_json_same("plain text/with:all;the=printable ~!@#$%^&*()", "\"plain text/with:all;the=printable ~!@#$%^&*()\"");
    check_json_same("a\"b", "\"a\\\"b\"");
    check_json_same("a\\b", "\"a\\\\b\"");
    check_json_same("\\\"", "\"\\\\\\\"\"");
    check_json_same("l1\nl2\rl3\tend", "\"l1\\nl2\\rl3\\tend\"");
    check_json_same("\x01\x08\x0b\x0c\x1b\x1f", "\"\\u0001\\u0008\\u000b\\u000c\\u001b\\u001f\"");
    check_json_same("\x7f <>&' /", "\"\x7f <>&' /\"");   /* DEL and HTML characters are valid JSON as they are */
}

/* A U+0000 that a string holds as C0 80 (model.h) is written as \\u0000; a
 * C0 with anything else after it is a bad byte as any other. */
static void test_json_nul_held_as_c0_80(void **state)
{
    (void)state;
    ngp_buf b = {0};
    ngp_buf_json_str(&b, "a\xc0\x80" "b\xc0\x80");
    ngp_buf_json_str(&b, "\xc0x");
    assert_string_equal(b.data, "\"a\\u0000b\\u0000\"\"\\ufffdx\"");
    ngp_buf_free(&b);
}

/* Valid UTF-8 passes through unchanged, at the boundaries of each sequence length. */
static void test_json_valid_utf8(void **state)
{
    (void)state;
    static const char *const valid[] = {
        "caf\xc3\xa9",              /* U+00E9, 2 bytes */
        "\xc2\x80 \xdf\xbf",        /* U+0080, U+07FF */
        "\xe2\x82\xac",             /* U+20AC, 3 bytes */
        "\xe0\xa0\x80 \xed\x9f\xbf \xee\x80\x80 \xef\xbf\xbf",   /* U+0800, U+D7FF, U+E000, U+FFFF */
        "\xf0\x9f\x98\x80",         /* U+1F600, 4 bytes */
        "\xf0\x90\x80\x80 \xf4\x8f\xbf\xbf",   /* U+10000, U+10FFFF */
    };
    char out[128];
    for (size_t i = 0; i < LEN(valid); i++) {
        snprintf(out, sizeof out, "\"%s\"", valid[i]);
        check_json_same(valid[i], out);
    }
    check_json_same("Z\xc3\xbcrich\t\xe6\x97\xa5\xe6\x9c\xac\"\xf0\x9f\x98\x80\n",
                    "\"Z\xc3\xbcrich\\t\xe6\x97\xa5\xe6\x9c\xac\\\"\xf0\x9f\x98\x80\\n\"");
}

#define FFFD "\\ufffd"
#define U_FFFD "\xef\xbf\xbd"

/* Each byte that is not part of valid UTF-8 becomes one U+FFFD, as Go writes it. */
static void test_json_invalid_utf8(void **state)
{
    (void)state;
    static const struct { const char *in, *out, *decoded; } rows[] = {
        {"\xff", "\"" FFFD "\"", U_FFFD},
        {"a\xff" "b", "\"a" FFFD "b\"", "a" U_FFFD "b"},
        {"\x80", "\"" FFFD "\"", U_FFFD},                                   /* a lone continuation byte */
        {"x\xe2\x82", "\"x" FFFD FFFD "\"", "x" U_FFFD U_FFFD},             /* truncated at the end */
        {"\xf0\x9f\x98", "\"" FFFD FFFD FFFD "\"", U_FFFD U_FFFD U_FFFD},
        {"\xc3", "\"" FFFD "\"", U_FFFD},
        {"\xe2\x82z", "\"" FFFD FFFD "z\"", U_FFFD U_FFFD "z"},             /* cut short mid-string */
        {"\xc0\xaf", "\"" FFFD FFFD "\"", U_FFFD U_FFFD},                   /* overlong '/' */
        {"\xc1\xbf", "\"" FFFD FFFD "\"", U_FFFD U_FFFD},
        {"\xe0\x80\xaf", "\"" FFFD FFFD FFFD "\"", U_FFFD U_FFFD U_FFFD},   /* overlong, 3 bytes */
        {"\xf0\x80\x80\xaf", "\"" FFFD FFFD FFFD FFFD "\"", U_FFFD U_FFFD U_FFFD U_FFFD},
        {"\xed\xa0\x80", "\"" FFFD FFFD FFFD "\"", U_FFFD U_FFFD U_FFFD},   /* surrogate U+D800 */
        {"\xed\xbf\xbf", "\"" FFFD FFFD FFFD "\"", U_FFFD U_FFFD U_FFFD},   /* surrogate U+DFFF */
        {"\xf4\x90\x80\x80", "\"" FFFD FFFD FFFD FFFD "\"", U_FFFD U_FFFD U_FFFD U_FFFD},   /* > U+10FFFF */
        {"\xf5\x80\x80\x80", "\"" FFFD FFFD FFFD FFFD "\"", U_FFFD U_FFFD U_FFFD U_FFFD},
        {"\xfe\xff", "\"" FFFD FFFD "\"", U_FFFD U_FFFD},
        {"\xff\xc3\xa9", "\"" FFFD "\xc3\xa9\"", U_FFFD "\xc3\xa9"},        /* valid text resumes at once */
        {"\xc3\xa9\xa9", "\"\xc3\xa9" FFFD "\"", "\xc3\xa9" U_FFFD},
        {"\xc3\"", "\"" FFFD "\\\"\"", U_FFFD "\""},                        /* an escape right after */
        {"\xe2\x82\n", "\"" FFFD FFFD "\\n\"", U_FFFD U_FFFD "\n"},
    };
    for (size_t i = 0; i < LEN(rows); i++)
        check_json(rows[i].in, rows[i].out, rows[i].decoded);
}

/* Long strings grow the buffer mid-escape: a pattern repeated n times escapes to its escape repeated. */
static void test_json_long(void **state)
{
    (void)state;
    static const char pattern[] = "ab\"\\\n\x01\xc3\xa9\xff\xf0\x9f\x98\x80.";
    static const char escaped[] = "ab\\\"\\\\\\n\\u0001\xc3\xa9" FFFD "\xf0\x9f\x98\x80.";
    static const char decoded[] = "ab\"\\\n\x01\xc3\xa9" U_FFFD "\xf0\x9f\x98\x80.";
    static const size_t counts[] = {1, 15, 16, 17, 100, 3000};
    const size_t lp = strlen(pattern), le = strlen(escaped), ld = strlen(decoded);
    for (size_t c = 0; c < LEN(counts); c++) {
        size_t n = counts[c];
        char *in = malloc(n * lp + 1), *out = malloc(n * le + 3), *dec = malloc(n * ld + 1);
        assert_true(in && out && dec);
        out[0] = '"';
        for (size_t i = 0; i < n; i++) {
            memcpy(in + i * lp, pattern, lp);
            memcpy(out + 1 + i * le, escaped, le);
            memcpy(dec + i * ld, decoded, ld);
        }
        in[n * lp] = dec[n * ld] = '\0';
        memcpy(out + 1 + n * le, "\"", 2);
        check_json(in, out, dec);
        free(in);
        free(out);
        free(dec);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_put_growth),
        cmocka_unit_test(test_putc_growth),
        cmocka_unit_test(test_puts_int_printf),
        cmocka_unit_test(test_take_free),
        cmocka_unit_test(test_json_escapes),
        cmocka_unit_test(test_json_nul_held_as_c0_80),
        cmocka_unit_test(test_json_valid_utf8),
        cmocka_unit_test(test_json_invalid_utf8),
        cmocka_unit_test(test_json_long),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
