/* test_host.c - harness/lib, the code both programs and the test tools share: the JSON escaper
 * against hand-written expectations, and whole-file reads of files, empty files, /proc and errors. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "json_escape.h"
#include "readfile.h"

/* Escapes n bytes of s and checks the result and that it kept within HOST_JSON_ESCAPED_MAX. */
static void expect_escape(const char *s, size_t n, unsigned flags, const char *want)
{
    char out[256];
    assert_true(HOST_JSON_ESCAPED_MAX(n) < sizeof out);
    memset(out, '#', sizeof out);
    size_t len = host_json_escape(out, s, n, flags);
    assert_true(len <= HOST_JSON_ESCAPED_MAX(n));
    assert_int_equal(out[len], '#');   /* no NUL, nothing past the returned length */
    out[len] = '\0';
    assert_string_equal(out, want);
}

static void test_escape_ascii(void **state)
{
    (void)state;
    expect_escape("", 0, 0, "");
    expect_escape("plain text /nodes?x=1 %41", 25, 0, "plain text /nodes?x=1 %41");
    expect_escape("a\"b\\c", 5, 0, "a\\\"b\\\\c");
    expect_escape("\n\r\t", 3, 0, "\\n\\r\\t");
    expect_escape("\x01\x1f\x7f", 3, 0, "\\u0001\\u001f\x7f");
    expect_escape("a\0b", 3, 0, "a\\u0000b");   /* the length counts, not the NUL */
    expect_escape("<a&b>", 5, 0, "<a&b>");
    expect_escape("<a&b>", 5, HOST_JSON_HTML, "\\u003ca\\u0026b\\u003e");
}

static void test_escape_utf8(void **state)
{
    (void)state;
    expect_escape("\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", 11, 0, "\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
    expect_escape("\xff", 1, 0, "\\ufffd");
    expect_escape("\x80", 1, 0, "\\ufffd");                     /* lone continuation */
    expect_escape("\xc0\xaf", 2, 0, "\\ufffd\\ufffd");          /* overlong '/': each byte */
    expect_escape("\xed\xa0\x80", 3, 0, "\\ufffd\\ufffd\\ufffd");   /* a UTF-16 surrogate */
    expect_escape("\xf4\x90\x80\x80", 4, 0, "\\ufffd\\ufffd\\ufffd\\ufffd");   /* past U+10FFFF */
    expect_escape("a\xe2\x82", 3, 0, "a\\ufffd\\ufffd");        /* cut short by the length */
    expect_escape("\xe2\x82\xac", 2, 0, "\\ufffd\\ufffd");      /* valid, but cut by n */
    expect_escape("\xc3(", 2, 0, "\\ufffd(");
}

/* The bound is reached, never passed: every byte a control byte or a bad byte. */
static void test_escape_bound(void **state)
{
    (void)state;
    char in[40], out[HOST_JSON_ESCAPED_MAX(40)];
    memset(in, 0x01, sizeof in);
    assert_int_equal(host_json_escape(out, in, sizeof in, 0), HOST_JSON_ESCAPED_MAX(sizeof in));
    memset(in, 0xfe, sizeof in);
    assert_int_equal(host_json_escape(out, in, sizeof in, 0), HOST_JSON_ESCAPED_MAX(sizeof in));
}

/* host_json_escaped: the same escaping, NUL-terminated in a string of its own. */
static void test_escaped_copy(void **state)
{
    (void)state;
    char *s = host_json_escaped("a\"b\\c\x01<\xff");
    assert_string_equal(s, "a\\\"b\\\\c\\u0001<\\ufffd");
    free(s);
    s = host_json_escaped("");
    assert_string_equal(s, "");
    free(s);
}

/* Writes len bytes to a fresh temporary file; returns its path (static storage). */
static const char *temp_file(const char *data, size_t len)
{
    static char path[64];
    snprintf(path, sizeof path, "/tmp/test_host.XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, data, len), (ssize_t)len);
    assert_int_equal(close(fd), 0);
    return path;
}

static void test_read_file(void **state)
{
    (void)state;
    size_t len = 99;
    const char *path = temp_file("a\0b\n", 4);
    char *p = host_read_file(path, &len);
    assert_non_null(p);
    assert_int_equal(len, 4);
    assert_memory_equal(p, "a\0b\n", 5);   /* and the NUL after it */
    free(p);
    unlink(path);

    path = temp_file("", 0);
    p = host_read_file(path, &len);
    assert_non_null(p);
    assert_int_equal(len, 0);
    assert_int_equal(p[0], '\0');
    free(p);
    unlink(path);

    /* 10,000 bytes in one read, exactly the size: no second buffer is needed */
    char *big = malloc(10000);
    assert_non_null(big);
    for (size_t i = 0; i < 10000; i++)
        big[i] = (char)('a' + i % 26);
    path = temp_file(big, 10000);
    p = host_read_file(path, NULL);
    assert_non_null(p);
    assert_memory_equal(p, big, 10000);
    assert_int_equal(p[10000], '\0');
    free(p);
    free(big);
    unlink(path);
}

/* Files whose size stat does not know (st_size 0) are read to their end all the same. */
static void test_read_file_unknown_size(void **state)
{
    (void)state;
    size_t len = 0;
    char *p = host_read_file("/proc/self/maps", &len);
    assert_non_null(p);
    assert_true(len > 0);
    assert_int_equal(strlen(p), len);
    assert_int_equal(p[len - 1], '\n');
    free(p);
}

static void test_read_file_errors(void **state)
{
    (void)state;
    size_t len = 7;
    errno = 0;
    assert_null(host_read_file("/nonexistent/file", &len));
    assert_int_equal(errno, ENOENT);
    assert_int_equal(len, 7);   /* untouched on failure */
    errno = 0;
    assert_null(host_read_file("/tmp", &len));   /* opens, but cannot be read */
    assert_int_equal(errno, EISDIR);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_escape_ascii),
        cmocka_unit_test(test_escape_utf8),
        cmocka_unit_test(test_escape_bound),
        cmocka_unit_test(test_escaped_copy),
        cmocka_unit_test(test_read_file),
        cmocka_unit_test(test_read_file_unknown_size),
        cmocka_unit_test(test_read_file_errors),
    };
    return cmocka_run_group_tests_name("host", tests, NULL, NULL);
}
