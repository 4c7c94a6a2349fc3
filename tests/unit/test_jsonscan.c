/* test_jsonscan.c - the fast lanes against yajl itself: a lane may stop early, but
 * never accept what yajl rejects, and ngp_scan_prefix must put a fresh yajl
 * exactly where a lane stands (random documents, every cut, random mutations). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>
#include <yajl/yajl_parse.h>

#include "jsonscan.h"
#include "prng.h"

#define DOC_MAX 4096

typedef struct doc {
    char text[DOC_MAX];
    size_t len;
} doc;

static void put(doc *d, const char *s)
{
    size_t n = strlen(s);
    if (d->len + n < DOC_MAX)
        memcpy(d->text + d->len, s, n), d->len += n;
}

static void space(doc *d)
{
    static const char *const ws[] = {"", "", "", " ", "\n", "\t", "\r\n  "};
    put(d, ws[below(7)]);
}

static void string(doc *d)
{
    static const char *const parts[] = {"a", "node-1", "\\\"", "\\\\", "\\/", "\\n", "\\u00e9",
                                        "\\uD83D\\uDE00", "\xc3\xa9", "{[,:]}", " ", "tr", "0"};
    put(d, "\"");
    for (size_t n = below(5); n > 0; n--)
        put(d, parts[below(13)]);
    put(d, "\"");
}

static void value(doc *d, int depth);

static void container(doc *d, int depth, bool object)
{
    put(d, object ? "{" : "[");
    size_t n = below(4);
    for (size_t i = 0; i < n; i++) {
        space(d);
        if (i)
            put(d, ","), space(d);
        if (object)
            string(d), space(d), put(d, ":"), space(d);
        value(d, depth + 1);
    }
    space(d);
    put(d, object ? "}" : "]");
}

static void value(doc *d, int depth)
{
    static const char *const scalars[] = {"0", "-0", "7", "-12", "3.25", "1e5", "2E-3", "-0.5e+10",
                                          "true", "false", "null"};
    size_t pick = depth > 6 ? below(3) : below(6);
    if (pick == 0)
        put(d, scalars[below(11)]);
    else if (pick == 1)
        string(d);
    else if (pick == 2)
        put(d, scalars[below(11)]);
    else
        container(d, depth, pick & 1);
}

/* A valid document: an object or array. */
static void generate(doc *d)
{
    d->len = 0;
    container(d, 0, chance(50));
}

/* yajl's verdict on text as a whole document (0: valid), with the skip lane's configuration. */
static int yajl_verdict(const char *text, size_t len)
{
    yajl_handle h = yajl_alloc(NULL, NULL, NULL);
    yajl_config(h, yajl_dont_validate_strings, 1);
    int bad = yajl_parse(h, (const unsigned char *)text, len) != yajl_status_ok ||
              yajl_complete_parse(h) != yajl_status_ok;
    yajl_free(h);
    return bad;
}

/* Runs the skip lane over d after its opener in random chunks; returns where it
 * finished (past the closer) or 0 when it stopped or ran out; *state holds the state. */
static size_t skip_all(const doc *d, size_t upto, ngp_scan *s)
{
    ngp_scan_start(s, d->text[0] == '{', NGP_SCAN_MAX_DEPTH);
    size_t at = 1;
    while (at < upto) {
        size_t chunk = 1 + below(upto - at);
        ngp_scan_end end;
        size_t n = ngp_scan_skip(s, d->text + at, chunk, &end);
        at += n;
        if (end == NGP_SCAN_DONE)
            return at;
        if (end == NGP_SCAN_STOP)
            return 0;
        assert_int_equal(n, chunk);
    }
    return 0;
}

static void test_skip_lane_crosses_valid_documents(void **state)
{
    (void)state;
    rng = 0x5eed1;
    for (int i = 0; i < 20000; i++) {
        doc d;
        generate(&d);
        assert_int_equal(yajl_verdict(d.text, d.len), 0);
        ngp_scan s;
        assert_int_equal(skip_all(&d, d.len, &s), d.len);
    }
}

/* Cut anywhere, the prefix of the lane's state plus the rest is a valid document again. */
static void test_prefix_reaches_every_state(void **state)
{
    (void)state;
    rng = 0x5eed2;
    for (int i = 0; i < 3000; i++) {
        doc d;
        generate(&d);
        for (size_t cut = 1; cut < d.len; cut++) {
            ngp_scan s;
            assert_int_equal(skip_all(&d, cut, &s), 0);
            char text[ngp_scan_prefix_max + DOC_MAX];
            size_t n = ngp_scan_prefix(&s, text);
            memcpy(text + n, d.text + cut, d.len - cut);
            if (yajl_verdict(text, n + d.len - cut))
                fail_msg("cut %zu of %.*s: prefix %.*s", cut, (int)d.len, d.text, (int)n, text);
        }
    }
}

/* Mutated documents: whatever the lane crosses, yajl accepts too. */
static void test_skip_lane_never_accepts_what_yajl_rejects(void **state)
{
    (void)state;
    static const char bytes[] = "{}[],:\" \\/-+.0123456789eEtrufalsn\x01\x7f\xff" "x";
    rng = 0x5eed3;
    int accepted = 0, rejected = 0;
    for (int i = 0; i < 200000; i++) {
        doc d;
        generate(&d);
        for (size_t m = 1 + below(2); m > 0 && d.len > 1; m--) {
            size_t at = 1 + below(d.len - 1), kind = below(3);
            char c = bytes[below(sizeof bytes - 1)];
            if (kind == 0) {
                d.text[at] = c;
            } else if (kind == 1 && d.len + 1 < DOC_MAX) {
                memmove(d.text + at + 1, d.text + at, d.len - at);
                d.text[at] = c, d.len++;
            } else {
                memmove(d.text + at, d.text + at + 1, d.len - at - 1), d.len--;
            }
        }
        ngp_scan s;
        size_t end = skip_all(&d, d.len, &s);
        if (end) {
            if (yajl_verdict(d.text, end))
                fail_msg("lane crossed what yajl rejects: %.*s", (int)end, d.text);
            accepted++;
        } else {
            rejected++;
        }
    }
    assert_true(accepted > 1000 && rejected > 1000);   /* both sides were exercised */
}

static void test_depth_bound_stops_the_lane(void **state)
{
    (void)state;
    ngp_scan s;
    ngp_scan_end end;
    ngp_scan_start(&s, false, 3);
    assert_int_equal(ngp_scan_skip(&s, "[[]]", 4, &end), 4);
    assert_int_equal(end, NGP_SCAN_MORE);
    assert_int_equal(ngp_scan_skip(&s, ",[[[", 4, &end), 3);   /* a fourth level stops it */
    assert_int_equal(end, NGP_SCAN_STOP);
}

/* One call of the strings lane over p[0..len): the bytes it took, how it ended, the spans it read. */
static void lane_step(ngp_scan *s, const char *p, size_t len, ngp_scan_strs *got, size_t taken, ngp_scan_end want,
                      size_t n)
{
    ngp_scan_end end;
    assert_int_equal(ngp_scan_strings(s, p, len, &end, got), taken);
    assert_int_equal(end, want);
    assert_int_equal(got->n, n);
}

static void test_strings_lane(void **state)
{
    (void)state;
    const char *text = " \"ab\" ,\n\"c";
    ngp_scan s;
    ngp_scan_span spans[1];
    ngp_scan_strs got = {.spans = spans, .max = 1};
    ngp_scan_start(&s, false, 1);
    lane_step(&s, text, strlen(text), &got, 5, NGP_SCAN_STRING, 1);   /* the one span is full */
    assert_false(got.odd);
    assert_int_equal(spans[0].from, 2);
    assert_int_equal(spans[0].len, 2);
    lane_step(&s, text + 5, strlen(text) - 5, &got, 5, NGP_SCAN_MORE, 0);   /* "c runs on into the next chunk */
    assert_true(ngp_scan_in_string(&s));
    assert_int_equal(got.from, 4);
    lane_step(&s, "d\"]x", 4, &got, 2, NGP_SCAN_STRING, 1);
    assert_true(got.odd);   /* begun in the chunk before */
    assert_int_equal(spans[0].from, 0);
    assert_int_equal(spans[0].len, 1);
    lane_step(&s, "]x", 2, &got, 1, NGP_SCAN_DONE, 0);
}

/* Many strings a call: up to max, and a string that may hold a byte >= 0x80 ends the batch. */
static void test_strings_lane_batches(void **state)
{
    (void)state;
    const char *text = "\"a\",\"bb\" , \"c\"]";
    size_t len = strlen(text);
    ngp_scan s;
    ngp_scan_span spans[8];
    ngp_scan_strs got = {.spans = spans, .max = 8};
    ngp_scan_start(&s, false, 1);
    lane_step(&s, text, len, &got, len, NGP_SCAN_DONE, 3);
    assert_false(got.odd);
    const size_t want[][2] = {{1, 1}, {5, 2}, {12, 1}};
    for (size_t k = 0; k < 3; k++) {
        assert_int_equal(spans[k].from, want[k][0]);
        assert_int_equal(spans[k].len, want[k][1]);
    }

    got.max = 2;
    ngp_scan_start(&s, false, 1);
    lane_step(&s, text, len, &got, 8, NGP_SCAN_STRING, 2);
    lane_step(&s, text + 8, len - 8, &got, len - 8, NGP_SCAN_DONE, 1);
    assert_int_equal(spans[0].from, 4);

    got.max = 8;
    ngp_scan_start(&s, false, 1);
    lane_step(&s, "\"\xc3\xbc\",\"b\"]", 9, &got, 4, NGP_SCAN_STRING, 1);
    assert_true(got.odd);
    assert_true(s.high);
    lane_step(&s, ",\"b\"]", 5, &got, 5, NGP_SCAN_DONE, 1);
    assert_false(got.odd);
}

/* An escape sends the lane back to its string's quote, or to the chunk's start
 * when the string began earlier; null and trailing commas stop it where they are. */
static void test_strings_lane_stops(void **state)
{
    (void)state;
    static const struct {
        const char *first, *then;
        size_t taken;
        const char *prefix;
    } cases[] = {
        {"", "\"a\\n\"]", 0, "["},
        {"\"a\",", " \"b\\u0041\"]", 1, "[null,"},
        {"\"abc", "d\\\"\"]", 0, "[\""},
        {"", "null]", 0, "["},
        {"\"a\"", ",]", 1, "[null,"},
        {"\"a\"", " 1", 1, "[null"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ngp_scan s;
        ngp_scan_end end;
        ngp_scan_span spans[4];
        ngp_scan_strs got = {.spans = spans, .max = 4};
        ngp_scan_start(&s, false, 1);
        size_t len = strlen(cases[i].first), at = 0;
        while (at < len) {
            at += ngp_scan_strings(&s, cases[i].first + at, len - at, &end, &got);
            assert_int_not_equal(end, NGP_SCAN_STOP);
        }
        size_t taken = ngp_scan_strings(&s, cases[i].then, strlen(cases[i].then), &end, &got);
        assert_int_equal(taken, cases[i].taken);
        assert_int_equal(end, NGP_SCAN_STOP);
        char prefix[ngp_scan_prefix_max + 1];
        prefix[ngp_scan_prefix(&s, prefix)] = '\0';
        assert_string_equal(prefix, cases[i].prefix);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_skip_lane_crosses_valid_documents),
        cmocka_unit_test(test_prefix_reaches_every_state),
        cmocka_unit_test(test_skip_lane_never_accepts_what_yajl_rejects),
        cmocka_unit_test(test_depth_bound_stops_the_lane),
        cmocka_unit_test(test_strings_lane),
        cmocka_unit_test(test_strings_lane_batches),
        cmocka_unit_test(test_strings_lane_stops),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
