/* test_utf8.c - UTF-8 validation: hand-picked sequences, and every position of a bad byte in strings around the word size;
 * strings read and JSON repaired as Go's encoding/json reads them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "utf8.h"

static void test_sequences(void **state)
{
    (void)state;
    static const struct { const char *s; size_t want; } rows[] = {
        {"\xc3\xa9", 2},          {"\xe2\x82\xac", 3},   {"\xf0\x9f\x98\x80", 4},
        {"\xc0\xaf", 0},          /* overlong '/' */     {"\xc1\xbf", 0},
        {"\xe0\x9f\xbf", 0},      /* overlong 3-byte */  {"\xed\xa0\x80", 0},   /* surrogate */
        {"\xf4\x90\x80\x80", 0},  /* past U+10FFFF */    {"\xf5\x80\x80\x80", 0},
        {"\x80", 0},              /* lone continuation */ {"\xc3", 0},          /* truncated */
        {"\xe2\x82", 0},          {"\xc3\x28", 0},       /* bad continuation */
    };
    for (size_t i = 0; i < sizeof rows / sizeof *rows; i++)
        assert_int_equal(ngp_utf8_sequence((const unsigned char *)rows[i].s, strlen(rows[i].s)), rows[i].want);
}

/* A valid multi-byte character or a single bad byte, placed at every offset of
 * ASCII strings of 0 to 40 bytes, across the 8-byte words the check reads. */
static void test_every_position(void **state)
{
    (void)state;
    static const char *const inserts[] = {"\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80", "\xff", "\xc3", "\x80"};
    char buf[64];
    for (size_t len = 0; len <= 40; len++) {
        memset(buf, 'a', len);
        assert_true(ngp_utf8_valid(buf, len));
        for (size_t k = 0; k < sizeof inserts / sizeof *inserts; k++) {
            size_t n = strlen(inserts[k]);
            for (size_t at = 0; at + n <= len; at++) {
                memset(buf, 'a', len);
                memcpy(buf + at, inserts[k], n);
                assert_int_equal(ngp_utf8_valid(buf, len), k < 3);
            }
        }
    }
}

/* A length-bounded check: a valid sequence cut by len is invalid. */
static void test_cut_by_length(void **state)
{
    (void)state;
    const char *s = "abcdefgh\xe2\x82\xac";
    assert_true(ngp_utf8_valid(s, 11));
    assert_false(ngp_utf8_valid(s, 10));
    assert_false(ngp_utf8_valid(s, 9));
    assert_true(ngp_utf8_valid(s, 8));
}

/* Go's unquoteBytes: each row's expected text follows from its rule. A \\u
 * escape of a surrogate that does not begin a pair (U+D800-DBFF followed by
 * a \\u escape of U+DC00-DFFF) is U+FFFD, and the escape after it is read on
 * its own; each byte utf8.DecodeRune refuses (it takes one) is U+FFFD; U+0000
 * is C0 80 (model.h); the other escapes are the characters they name. */
static void test_unquote(void **state)
{
    (void)state;
    static const struct { const char *in, *out; bool replaced; } rows[] = {
        {"plain", "plain", false},
        {"a\\u00e9\\n\\t\\\"\\\\\\/\\b\\f\\r", "a\xc3\xa9\n\t\"\\/\b\f\r", false},
        {"\\ud83d\\ude00", "\xf0\x9f\x98\x80", false},          /* a pair: U+1F600 */
        {"\\uDBFF\\uDFFF", "\xf4\x8f\xbf\xbf", false},          /* the last pair: U+10FFFF */
        {"\\ud800", "\xef\xbf\xbd", true},                        /* lone high, at the end */
        {"\\ud800x", "\xef\xbf\xbdx", true},                      /* lone high, then a byte */
        {"\\ud800\\u0041", "\xef\xbf\xbd" "A", true},            /* high, then no low */
        {"\\ud800\\ud800\\udc00", "\xef\xbf\xbd\xf0\x90\x80\x80", true},   /* the second high pairs */
        {"\\udc00\\ud800", "\xef\xbf\xbd\xef\xbf\xbd", true},   /* low first: two lone ones */
        {"\\ufffd", "\xef\xbf\xbd", false},                       /* U+FFFD itself, not a replacement */
        {"x\\u0000y", "x\xc0\x80y", false},
        {"\xff", "\xef\xbf\xbd", true},
        {"\xe2\x82" "A", "\xef\xbf\xbd\xef\xbf\xbd" "A", true},  /* truncated: each byte */
        {"\xed\xa0\x80", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd", true},   /* a surrogate in UTF-8 */
        {"\xc0\x80", "\xef\xbf\xbd\xef\xbf\xbd", true},          /* overlong NUL: not how U+0000 is held */
        {"\xe2\x82\xac\xf0\x9f\x98\x80", "\xe2\x82\xac\xf0\x9f\x98\x80", false},
    };
    for (size_t i = 0; i < sizeof rows / sizeof *rows; i++) {
        char out[64];
        bool replaced = !rows[i].replaced;
        size_t in = strlen(rows[i].in);
        size_t n = ngp_json_unquote(rows[i].in, in, out, &replaced);
        assert_true(n <= NGP_JSON_GROWTH * in);
        assert_int_equal(n, strlen(rows[i].out));
        assert_memory_equal(out, rows[i].out, n);
        assert_int_equal(replaced, rows[i].replaced);
    }
}

/* Go reads the same U+FFFD from a repaired text as from the original, and the
 * repaired text is valid UTF-8 with no lone surrogate escape; everything else
 * (valid pairs, \\u0000, an escaped backslash before "ud800", bytes outside
 * strings) stays as it was. */
static void test_repair(void **state)
{
    (void)state;
    static const struct { const char *in, *out; } rows[] = {
        {"{\"a\": [1, true, \"x\"]}", "{\"a\": [1, true, \"x\"]}"},
        {"{\"k\\ud800\": \"\xff\"}", "{\"k\xef\xbf\xbd\": \"\xef\xbf\xbd\"}"},
        {"[\"\\ud83d\\ude00\\u0000\\\\ud800\\\"\\udc00\"]", "[\"\\ud83d\\ude00\\u0000\\\\ud800\\\"\xef\xbf\xbd\"]"},
        {"[\"\\uD800\\u0041\", \"\xe2\x82\", \"\xc3\xa9\"]", "[\"\xef\xbf\xbd\\u0041\", \"\xef\xbf\xbd\xef\xbf\xbd\", \"\xc3\xa9\"]"},
    };
    for (size_t i = 0; i < sizeof rows / sizeof *rows; i++) {
        char out[128];
        size_t in = strlen(rows[i].in);
        size_t n = ngp_json_repair(rows[i].in, in, out);
        assert_true(n <= NGP_JSON_GROWTH * in);
        assert_int_equal(n, strlen(rows[i].out));
        assert_memory_equal(out, rows[i].out, n);
        assert_true(ngp_utf8_valid(out, n));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sequences),
        cmocka_unit_test(test_every_position),
        cmocka_unit_test(test_cut_by_length),
        cmocka_unit_test(test_unquote),
        cmocka_unit_test(test_repair),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
