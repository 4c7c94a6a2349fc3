/* drive.c - the fuzz targets' shared driver: fuzz input parts, ABI calls as the server makes
 * them, reply checks. Inputs are small (libFuzzer's -max_len), so clarity over speed. */
#include "drive.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

void fz_fail(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("fuzz finding: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    abort();
}

uint8_t fz_byte(fz_input *in)
{
    if (!in->n)
        return 0;
    in->n--;
    return *in->p++;
}

void fz_read_splits(fz_input *in, fz_splits *s)
{
    s->n = fz_byte(in) & 15;
    for (size_t i = 0; i < s->n; i++) {
        unsigned hi = fz_byte(in);
        s->at[i] = (uint16_t)(hi << 8 | fz_byte(in));
    }
}

bool fz_take_part(fz_input *in, fz_input *part)
{
    const uint8_t *nul = memchr(in->p, '\0', in->n);
    if (!nul)
        return false;
    *part = (fz_input){in->p, (size_t)(nul - in->p)};
    in->n -= part->n + 1;
    in->p = nul + 1;
    return true;
}

const struct nodegate_plugin *fz_plugin(void)
{
    return nodegate_plugin_v1();
}

ng_index *fz_index_new(bool comparison_operators, bool complete_cache, bool compact_replies)
{
    char options[192], err[256] = "";
    snprintf(options, sizeof options,
             "{\"featureGates\":{\"TaintTolerationComparisonOperators\":%s},\"completeCache\":%s,"
             "\"compactReplies\":%s}",
             comparison_operators ? "true" : "false", complete_cache ? "true" : "false",
             compact_replies ? "true" : "false");
    ng_index *idx = fz_plugin()->index_new(options, err, sizeof err);
    if (!idx)
        fz_fail("index_new refused %s: %s", options, err);
    return idx;
}

static int by_offset(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    return (x > y) - (x < y);
}

size_t fz_cuts(const fz_splits *s, size_t len, size_t cut[FZ_MAX_SPLITS + 1])
{
    size_t n = 0;
    for (size_t i = 0; s && i < s->n; i++)
        cut[n++] = s->at[i] % (len + 1);
    qsort(cut, n, sizeof *cut, by_offset);
    cut[n++] = len;
    return n;
}

int fz_call(ng_index *idx, ng_verb verb, const fz_input *body, const fz_splits *s, ng_reply *r)
{
    const struct nodegate_plugin *p = fz_plugin();
    size_t cut[FZ_MAX_SPLITS + 1], n = fz_cuts(s, body->n, cut);
    ng_call *c = p->call_begin(idx, verb);
    /* the server feeds each chunk whatever call_feed said of the one before */
    for (size_t i = 0, from = 0; i < n; from = cut[i++])
        if (cut[i] > from)
            p->call_feed(c, (const char *)body->p + from, cut[i] - from);
    return p->call_end(c, r);
}

/* What jansson is given of JSON text: \u0000 becomes \u0001, as valid, since jansson refuses a
 * NUL in an object key (full mode echoes such keys as they came). A backslash is only ever
 * inside a string in JSON text, so escapes are found without tracking strings; the rest is left
 * for jansson to judge, UTF-8 included. */
static char *for_jansson(const char *s, size_t n)
{
    char *out = malloc(n + 1);
    if (!out)
        abort();
    memcpy(out, s, n);
    out[n] = '\0';
    for (size_t i = 0; i + 1 < n; i++) {
        if (out[i] != '\\')
            continue;
        if (i + 5 < n && memcmp(out + i + 1, "u0000", 5) == 0)
            out[i + 5] = '1';
        i++;   /* the escaped byte: "\\" is no start of an escape */
    }
    return out;
}

/* Parses s[0..n) with jansson (through for_jansson); fails naming what when it is not JSON.
 * Integers are read as reals: an integer past int64 is JSON text too (Go writes the float64
 * 1.4411518808899764e19 of a YAML scalar as 14411518808899764000), and jansson refuses it as an
 * integer. */
static json_t *parse(const char *what, const char *s, size_t n)
{
    json_error_t jerr;
    char *text = s ? for_jansson(s, n) : NULL;
    json_t *v = text ? json_loadb(text, n, JSON_DECODE_ANY | JSON_DECODE_INT_AS_REAL, &jerr) : NULL;
    free(text);
    if (!v)
        fz_fail("%s is not valid JSON text (%s at byte %d): %.*s", what, s ? jerr.text : "no body",
                s ? jerr.position : 0, (int)n, s ? s : "");
    return v;
}

void fz_check_json(const char *what, const char *s, size_t n)
{
    json_decref(parse(what, s, n));
}

void fz_check_reply(const char *what, const ng_reply *r)
{
    char label[128];
    snprintf(label, sizeof label, "%s: the %d reply", what, r->status);
    json_t *v = parse(label, r->data, r->len);
    if (r->status != 200) {
        json_t *msg = json_object_get(v, "Error");
        if ((r->status != 400 && r->status != 404 && r->status != 422) || json_object_size(v) != 1 ||
            !json_is_string(msg) || !json_string_length(msg))
            fz_fail("%s: error reply is not 400, 404 or 422 with {\"Error\": \"...\"}: %d %s", what,
                    r->status, r->data);
    }
    json_decref(v);
}

char *fz_state(ng_index *idx)
{
    const struct nodegate_plugin *p = fz_plugin();
    ng_reply nodes = {0}, stats = {0};
    p->nodes_get(idx, NULL, &nodes);
    fz_check_reply("nodes_get", &nodes);
    p->index_stats(idx, &stats);
    fz_check_reply("index_stats", &stats);
    char *state;
    if (asprintf(&state, "%s\n%s", nodes.data, stats.data) < 0)
        abort();
    p->reply_free(&nodes);
    p->reply_free(&stats);
    return state;
}
