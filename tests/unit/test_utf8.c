/* test_utf8.c - UTF-8 validation: hand-picked sequences, and every position of a bad byte in strings around the word size. */
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sequences),
        cmocka_unit_test(test_every_position),
        cmocka_unit_test(test_cut_by_length),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
