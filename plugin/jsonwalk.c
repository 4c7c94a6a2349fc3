/* jsonwalk.c - schema-driven streaming JSON walker over yajl; tuned for ~11 MB bodies, ~95% skipped.
 *
 * Where the walk is: a stack of frames, one per open container the schema
 * names, plus a bare counter for containers inside a skipped value that yajl
 * reads (no frame, no string work). Skipped containers and arrays of strings
 * go to the fast lanes of jsonscan.h instead, with yajl stopped and put back
 * in place after them. Byte offsets in messages are absolute and point just
 * past the token being handled: the bytes fed before the current chunk plus
 * what yajl or the lane took within it (yajl reports some lexical errors at
 * the offending byte instead, one byte earlier). */
#include "jsonwalk.h"

#include "jsonscan.h"
#include "utf8.h"
#include "xalloc.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_parse.h>

#define KEY_MAX 64      /* map keys are cut to this many bytes in paths */
#define PATH_LEN 512
#define MSG_LEN 768
_Static_assert(PATH_LEN + 2 < MSG_LEN, "a path and its \": \" fit in a message");
_Static_assert(MSG_LEN <= NGP_ERR_TEXT, "a message fits in an ngp_err");
_Static_assert(NGP_SCAN_MAX_DEPTH >= NGP_JW_MAX_DEPTH, "a lane can cross what the walker may nest");

typedef struct frame {
    const ngp_jw_schema *schema;  /* OBJECT, ARRAY or MAP */
    const ngp_jw_schema *next;    /* OBJECT, MAP: schema of the current key's value; NULL skips it */
    const char *field;           /* OBJECT: the current key's field name; NULL when unknown */
    size_t count;                /* ARRAY: elements begun; the current one is count - 1 */
    size_t cap_pos;              /* captured OBJECT: where its '{' is in cap */
    unsigned keylen;             /* MAP: bytes kept of the current key */
    bool has_key, key_cut;
    char key[KEY_MAX];
} frame;

typedef struct growbuf {
    char *data;
    size_t len, cap;
} growbuf;

typedef enum { LANE_NONE, LANE_SKIP, LANE_STRINGS } lane_kind;
enum { LANE_BATCH = 64 };   /* strings a batch array's NGP_JW_STRINGS event carries at most */

struct ngp_jw {
    yajl_handle h;               /* dead while a lane runs: yajl cannot resume after a cancel */
    const ngp_jw_schema *root;
    ngp_jw_sink sink;
    void *user;
    unsigned nf;                 /* frames in use */
    unsigned skip;               /* open containers inside a skipped value */
    const char *chunk;           /* the chunk being parsed; chunk_len is 0 outside parsing */
    size_t chunk_len;
    size_t yoff;                 /* chunk offset where yajl's current yajl_parse began */
    lane_kind lane;              /* a fast lane (jsonscan.h) has the bytes instead of yajl */
    size_t lane_at;              /* chunk offset just past what the lane has taken */
    ngp_scan scan;
    growbuf part;                /* strings lane: a string begun in an earlier chunk */
    const ngp_scan_span *batch;  /* strings lane: the batch being reported (ngp_jw_fail_at) ... */
    size_t batch_at;             /* ... its chunk offset ... */
    size_t batch_count;          /* ... and its array's count before it */
    growbuf prefix;              /* resync text for a fresh yajl */
    bool replaying;              /* yajl is reading resync text: callbacks do nothing */
    uint64_t base;               /* bytes parsed before the current chunk */
    bool seen;                   /* a non-whitespace byte arrived (else: empty body) */
    bool icase;                  /* the root's: keys match Go's way in every object */
    unsigned cap_open;           /* captured objects open */
    size_t cap_from;             /* chunk offset where the not yet copied capture bytes start */
    bool cap_dirty;              /* an open capture holds what Go reads as U+FFFD (repair) */
    size_t cap_checked;          /* chunk offset up to which yajl's bytes were checked for that */
    growbuf cap;
    /* yajl's strings read again from their bytes (token_body), and yajl's one error
     * that counts back into the token it read (syntax_error) */
    size_t tok_end;              /* chunk offset past the last scalar yajl reported, or where it began */
    bool str_open;               /* yajl is inside a string begun in an earlier chunk ... */
    growbuf pend;                /* ... whose body so far is this */
    bool carried;                /* yajl is inside a token begun in an earlier chunk ... */
    uint64_t carry;              /* ... which that error counts from here */
    growbuf text;                /* strings as Go reads them, where that differs from their bytes */
    growbuf scratch;             /* NUL-terminated copies of reported numbers */
    ngp_err err;                 /* the first error; its text is cut at MSG_LEN */
    char path[PATH_LEN];
    frame frames[NGP_JW_MAX_DEPTH];
};

static const char *const type_names[] = {
    [NGP_JW_SKIP] = "any", [NGP_JW_OBJECT] = "object", [NGP_JW_ARRAY] = "array", [NGP_JW_MAP] = "object",
    [NGP_JW_STRING] = "string", [NGP_JW_BOOL] = "bool", [NGP_JW_NUMBER] = "number",
};

/* Past 1 MB a buffer (the capture of a full-mode body: 10 MB and more) grows four times over, so
 * that realloc's copies add up to a third of its size, not all of it. */
static void grow(growbuf *b, size_t need)
{
    if (need <= b->cap)
        return;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < need)
        cap *= cap < ((size_t)1 << 20) ? 2 : 4;
    b->data = ngp_xrealloc(b->data, cap);
    b->cap = cap;
}

static void append(growbuf *b, const char *p, size_t n)
{
    if (!n)   /* p may be NULL (an empty buffer) */
        return;
    grow(b, b->len + n);
    memcpy(b->data + b->len, p, n);
    b->len += n;
}

/* A number's text, NUL-terminated for the sink's parser; yajl's points into the chunk. */
static const char *terminated(ngp_jw *w, const void *p, size_t n)
{
    grow(&w->scratch, n + 1);
    memcpy(w->scratch.data, p, n);
    w->scratch.data[n] = '\0';
    return w->scratch.data;
}

/* Bytes of the current chunk taken by yajl or the lane; during
 * yajl_complete_parse yajl parses a private " ", which must not count. */
static size_t consumed(const ngp_jw *w)
{
    if (w->lane)
        return w->lane_at;
    size_t c = w->yoff + yajl_get_bytes_consumed(w->h);
    return c < w->chunk_len ? c : w->chunk_len;
}

/* The message is built in place (path, text, offset), so ngp_err_set's
 * one format does not fit; the first error still wins. */
static ngp_status fail_at(ngp_jw *w, uint64_t offset, ngp_status code, const char *fmt, va_list ap)
{
    if (ngp_err_failed(&w->err))
        return code;
    w->err.code = code;
    char *msg = w->err.text;
    const char *path = ngp_jw_path(w);
    size_t n = *path ? (size_t)snprintf(msg, MSG_LEN, "%s: ", path) : 0;
    int m = vsnprintf(msg + n, MSG_LEN - n, fmt, ap);
    n += m > 0 ? (size_t)m : 0;
    if (n < MSG_LEN)   /* else the text was cut, and the offset with it */
        snprintf(msg + n, MSG_LEN - n, " (at byte %llu)", (unsigned long long)offset);
    return code;
}

ngp_status ngp_jw_fail(ngp_jw *w, ngp_status code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fail_at(w, w->base + consumed(w), code, fmt, ap);
    va_end(ap);
    return code;
}

ngp_status ngp_jw_fail_at(ngp_jw *w, size_t k, ngp_status code, const char *fmt, ...)
{
    const ngp_scan_span *sp = &w->batch[k];
    w->frames[w->nf - 1].count = w->batch_count + k + 1;
    w->lane_at = w->batch_at + sp->from + sp->len + 1;
    va_list ap;
    va_start(ap, fmt);
    fail_at(w, w->base + consumed(w), code, fmt, ap);
    va_end(ap);
    return code;
}

/* Reports ev; returns yajl's "go on" (1) or "stop" (0). */
static int emit(ngp_jw *w, const ngp_jw_event *ev)
{
    ngp_status st = w->sink(w->user, ev);
    if (st != NGP_OK && !ngp_err_failed(&w->err))
        ngp_jw_fail(w, st, "rejected");   /* a sink that forgot ngp_jw_fail */
    return !ngp_err_failed(&w->err);
}

/* Where a value begins: returns its schema, or NULL when it is skipped. */
static const ngp_jw_schema *value_start(ngp_jw *w)
{
    const ngp_jw_schema *s;
    if (!w->nf) {
        s = w->root;
    } else {
        frame *f = &w->frames[w->nf - 1];
        if (f->schema->type == NGP_JW_ARRAY) {
            f->count++;
            s = f->schema->elem;
        } else {
            s = f->next;
        }
    }
    return s && s->type != NGP_JW_SKIP ? s : NULL;
}

static int type_error(ngp_jw *w, const ngp_jw_schema *s, ngp_jw_type got)
{
    ngp_jw_fail(w, NGP_EBADJSON, "expected %s, got %s", type_names[s->type], type_names[got]);
    return 0;
}

/* A bool or a number. */
static int scalar(ngp_jw *w, ngp_jw_type got, const char *text, size_t len, bool b)
{
    const ngp_jw_schema *s = value_start(w);
    if (!s)
        return 1;
    if (s->type != got)
        return type_error(w, s, got);
    ngp_jw_event ev = {.kind = NGP_JW_VALUE, .id = s->id, .len = len, .boolean = b,
                       .str = got == NGP_JW_NUMBER ? terminated(w, text, len) : text};
    return emit(w, &ev);
}

/* What Go's decoder reads in a string whose body is raw[0..*len), with
 * escapes only if escaped: raw itself when it is valid UTF-8 with none, else
 * its reading in w->text (utf8.h). A capture holding a string Go reads
 * otherwise than its bytes say is marked for repair. */
static const char *go_text(ngp_jw *w, const char *raw, size_t *len, bool escaped)
{
    if (!escaped && ngp_utf8_valid(raw, *len))
        return raw;
    grow(&w->text, NGP_JSON_GROWTH * *len + 1);
    bool replaced;
    *len = ngp_json_unquote(raw, *len, w->text.data, &replaced);
    w->cap_dirty |= replaced && w->cap_open;
    return w->text.data;
}

/* A string where s names a value; raw is its body (see go_text). */
static int string_value(ngp_jw *w, const ngp_jw_schema *s, const char *raw, size_t len, bool escaped)
{
    if (s->type != NGP_JW_STRING)
        return type_error(w, s, NGP_JW_STRING);
    const char *text = go_text(w, raw, &len, escaped);
    ngp_jw_event ev = {.kind = NGP_JW_VALUE, .id = s->id, .str = text, .len = len};
    return emit(w, &ev);
}

/* yajl reported a scalar that ends at chunk offset end (partial_token). */
static void token_done(ngp_jw *w, size_t end)
{
    w->tok_end = end;
    w->carried = false;
}

/* yajl reported a string token, its text at s: returns the token's body as the
 * JSON text has it. A plain string within the chunk is yajl's own bytes. yajl
 * decodes escapes its own way (a lone surrogate as '?', eating the next byte),
 * so a string with escapes, or one begun in an earlier chunk (yajl's copy),
 * is read again: it opens at the first '"' after the last string (no other
 * token holds one), or it was open when the chunk began (partial_token);
 * *escaped is set for it. */
static const char *token_body(ngp_jw *w, const unsigned char *s, size_t *len, bool *escaped)
{
    uintptr_t at = (uintptr_t)s - (uintptr_t)w->chunk;
    *escaped = at >= w->chunk_len;
    if (!*escaped) {
        w->tok_end = at + *len + 1;
        return (const char *)s;
    }
    size_t end = consumed(w) - 1;   /* the closing quote */
    const char *body;
    if (w->str_open) {
        append(&w->pend, w->chunk + w->tok_end, end - w->tok_end);
        body = w->pend.data;
        *len = w->pend.len;
    } else {
        body = (const char *)memchr(w->chunk + w->tok_end, '"', end - w->tok_end) + 1;
        *len = (size_t)(w->chunk + end - body);
    }
    w->str_open = false;
    w->pend.len = 0;   /* its bytes stay in place for the caller */
    token_done(w, end + 1);
    return body;
}

static int on_null(void *ctx)
{
    ngp_jw *w = ctx;
    if (w->replaying)
        return 1;
    token_done(w, consumed(w));
    if (w->skip)
        return 1;
    const ngp_jw_schema *s = value_start(w);
    if (!s)
        return 1;
    ngp_jw_event ev = {.kind = NGP_JW_NULL, .id = s->id};
    return emit(w, &ev);
}

static int on_bool(void *ctx, int b)
{
    ngp_jw *w = ctx;
    if (w->replaying)
        return 1;
    token_done(w, consumed(w));
    if (w->skip)
        return 1;
    return b ? scalar(w, NGP_JW_BOOL, "true", 4, true) : scalar(w, NGP_JW_BOOL, "false", 5, false);
}

static int on_number(void *ctx, const char *s, size_t len)
{
    ngp_jw *w = ctx;
    if (w->replaying)
        return 1;
    token_done(w, consumed(w));
    return w->skip ? 1 : scalar(w, NGP_JW_NUMBER, s, len, false);
}

static int on_string(void *ctx, const unsigned char *s, size_t len)
{
    ngp_jw *w = ctx;
    if (w->replaying)
        return 1;
    bool escaped;
    const char *raw = token_body(w, s, &len, &escaped);
    const ngp_jw_schema *sc = w->skip ? NULL : value_start(w);
    if (sc)
        return string_value(w, sc, raw, len, escaped);
    if (w->cap_open && escaped)   /* only to know whether the echo needs repair (check_read) */
        go_text(w, raw, &len, escaped);
    return 1;
}

static int open_skipped(ngp_jw *w)
{
    if (w->nf + w->skip >= NGP_JW_MAX_DEPTH) {
        ngp_jw_fail(w, NGP_EBADJSON, "nesting deeper than %d", NGP_JW_MAX_DEPTH);
        return 0;
    }
    w->skip++;
    return 1;
}

/* Opens a frame for s, whose '{' or '[' yajl just read. */
static int open_frame(ngp_jw *w, const ngp_jw_schema *s)
{
    if (w->nf >= NGP_JW_MAX_DEPTH) {
        ngp_jw_fail(w, NGP_EBADJSON, "nesting deeper than %d", NGP_JW_MAX_DEPTH);
        return 0;
    }
    frame *f = &w->frames[w->nf++];
    f->schema = s;
    f->next = NULL;
    f->field = NULL;
    f->count = 0;
    f->has_key = false;
    if (s->type == NGP_JW_OBJECT && s->capture) {
        size_t at = consumed(w) - 1;
        if (w->cap_open++ == 0) {
            w->cap_from = at;
            w->cap_checked = at;
        }
        f->cap_pos = w->cap.len + (at - w->cap_from);
    }
    ngp_jw_event ev = {.kind = NGP_JW_BEGIN, .id = s->id};
    return emit(w, &ev);
}

/* Whether the container whose opener yajl just read closes within the next SHORT bytes of the
 * chunk, with no container inside: a node's podCIDRs or annotations. yajl crosses that in less
 * than it costs to stop it for a lane and put a fresh one in place after (resync). A closer
 * inside a string may make this guess wrong; a wrong guess only costs time. */
enum { SHORT = 128 };
static bool closes_soon(const ngp_jw *w, bool object)
{
    size_t at = consumed(w), n = w->chunk_len - at < SHORT ? w->chunk_len - at : SHORT;
    const char *p = w->chunk + at, *closer = memchr(p, object ? '}' : ']', n);
    if (!closer)
        return false;
    n = (size_t)(closer - p);
    return !memchr(p, '{', n) && !memchr(p, '[', n);
}

/* A skipped object or array begins: the skip lane crosses it, unless it lies
 * inside one yajl is already skipping or is short. Returns 0 to stop yajl for the lane. */
static int skipped_container(ngp_jw *w, bool object)
{
    if (w->skip || w->nf >= NGP_JW_MAX_DEPTH || closes_soon(w, object))
        return open_skipped(w);
    ngp_scan_start(&w->scan, object, NGP_JW_MAX_DEPTH - w->nf);
    w->lane = LANE_SKIP;
    return 0;
}

static int on_start_map(void *ctx)
{
    ngp_jw *w = ctx;
    if (w->replaying)
        return 1;
    const ngp_jw_schema *s = w->skip ? NULL : value_start(w);
    if (!s)
        return skipped_container(w, true);
    if (s->type != NGP_JW_OBJECT && s->type != NGP_JW_MAP)
        return type_error(w, s, NGP_JW_OBJECT);
    return open_frame(w, s);
}

/* An array of strings (NodeNames above all) goes to the strings lane. */
static int on_start_array(void *ctx)
{
    ngp_jw *w = ctx;
    if (w->replaying)
        return 1;
    const ngp_jw_schema *s = w->skip ? NULL : value_start(w);
    if (!s)
        return skipped_container(w, false);
    if (s->type != NGP_JW_ARRAY)
        return type_error(w, s, NGP_JW_ARRAY);
    if (!open_frame(w, s))
        return 0;
    if (s->elem->type != NGP_JW_STRING)
        return 1;
    ngp_scan_start(&w->scan, false, 1);
    w->lane = LANE_STRINGS;
    return 0;
}

/* yajl read the chunk up to end inside a capture: a byte that is not valid
 * UTF-8 is one Go reads as U+FFFD. The lanes note their own bytes (suspect),
 * and go_text the strings with escapes; checking yajl's bytes here, a few
 * words at a time, costs less than checking each key and string it reports.
 * A check cut inside a character only costs a repair that changes nothing. */
static void check_read(ngp_jw *w, size_t end)
{
    if (w->cap_open && !w->cap_dirty && end > w->cap_checked)
        w->cap_dirty = !ngp_utf8_valid(w->chunk + w->cap_checked, end - w->cap_checked);
    w->cap_checked = end;
}

/* The captured object that just closed, from pos in cap to its end, rewritten
 * as Go would read and write it again (utf8.h), so that an echo is valid
 * UTF-8 JSON with what Go reads in it. Idempotent: an outer capture may
 * repair an inner one again. */
static void repair(ngp_jw *w, size_t pos)
{
    size_t n = w->cap.len - pos;
    grow(&w->text, NGP_JSON_GROWTH * n);
    size_t m = ngp_json_repair(w->cap.data + pos, n, w->text.data);
    w->cap.len = pos;
    append(&w->cap, w->text.data, m);
}

/* end_map and end_array alike. The frame goes first, so END's path is the container's own. */
static int on_end(void *ctx)
{
    ngp_jw *w = ctx;
    if (w->replaying)
        return 1;
    if (w->skip) {
        w->skip--;
        return 1;
    }
    frame *f = &w->frames[--w->nf];
    ngp_jw_event ev = {.kind = NGP_JW_END, .id = f->schema->id};
    if (f->schema->type == NGP_JW_OBJECT && f->schema->capture) {
        /* Copy up to the '}' now, so the sink can read a nested capture at once. */
        size_t end = consumed(w);
        append(&w->cap, w->chunk + w->cap_from, end - w->cap_from);
        w->cap_from = end;
        check_read(w, end);
        if (w->cap_dirty)
            repair(w, f->cap_pos);
        w->cap_dirty &= --w->cap_open > 0;   /* an outer capture may hold more */
        ev.off = f->cap_pos;
        ev.len_bytes = w->cap.len - f->cap_pos;
    }
    return emit(w, &ev);
}

static int upper(int c)
{
    return c >= 'a' && c <= 'z' ? c - ('a' - 'A') : c;
}

/* Go's foldName (encoding/json fold.go) maps each rune to the smallest of its
 * case-fold orbit (unicode.SimpleFold): ASCII letters to upper case, and of
 * the runes past ASCII only U+017F (long s) to 'S' and U+212A (Kelvin sign)
 * to 'K'. name is ASCII, as every field name of the schemas. */
static bool folds_equal(const char *name, const unsigned char *k, size_t len)
{
    size_t i = 0;
    for (; *name; name++) {
        int c = upper((unsigned char)*name);
        if (i < len && upper(k[i]) == c)
            i++;
        else if (c == 'S' && len - i >= 2 && k[i] == 0xC5 && k[i + 1] == 0xBF)
            i += 2;
        else if (c == 'K' && len - i >= 3 && k[i] == 0xE2 && k[i + 1] == 0x84 && k[i + 2] == 0xAA)
            i += 3;
        else
            return false;
    }
    return i == len;
}

/* Go's encoding/json: an exact match wins, else the first field whose folded
 * name is the key's (byExactName, then byFoldedName). */
static const ngp_jw_field *find_field(const ngp_jw *w, const ngp_jw_schema *s, const char *key, size_t len)
{
    const unsigned char *k = (const unsigned char *)key;
    const ngp_jw_field *folded = NULL;
    for (const ngp_jw_field *f = s->fields; f && f->name; f++) {
        size_t n = strnlen(f->name, len + 1);
        if (n > len)   /* each of the name's bytes needs one of the key's at least */
            continue;
        if (n == len && memcmp(f->name, k, len) == 0)
            return f;
        if (w->icase && !folded && folds_equal(f->name, k, len))
            folded = f;
    }
    return folded;
}

static int on_key(void *ctx, const unsigned char *s, size_t len)
{
    ngp_jw *w = ctx;
    if (w->replaying)
        return 1;
    bool escaped;
    const char *raw = token_body(w, s, &len, &escaped);
    frame *f = w->skip ? NULL : &w->frames[w->nf - 1];   /* a key needs an object, and this one is not skipped */
    /* Go matches fields by what it reads in a key; a plain key that is not
     * valid UTF-8 matches no field (all ASCII), and check_read notes it in a capture. */
    const char *key = escaped || (f && f->schema->type == NGP_JW_MAP) ? go_text(w, raw, &len, escaped) : raw;
    if (!f)
        return 1;
    if (f->schema->type == NGP_JW_OBJECT) {
        const ngp_jw_field *fd = find_field(w, f->schema, key, len);
        f->field = fd ? fd->name : NULL;
        f->next = fd ? fd->schema : NULL;
        return 1;
    }
    const unsigned char *k = (const unsigned char *)key;
    size_t n = len;
    if (n > KEY_MAX) {   /* cut at a UTF-8 character boundary: k[n] is the first byte dropped */
        n = KEY_MAX;
        while (n > 0 && (k[n] & 0xC0) == 0x80)
            n--;
    }
    memcpy(f->key, k, n);
    f->keylen = (unsigned)n;
    f->key_cut = n < len;
    f->has_key = true;
    f->next = f->schema->elem;
    ngp_jw_event ev = {.kind = NGP_JW_KEY, .id = f->schema->id, .str = key, .len = len};
    return emit(w, &ev);
}

static const yajl_callbacks callbacks = {
    .yajl_null = on_null,
    .yajl_boolean = on_bool,
    .yajl_number = on_number,
    .yajl_string = on_string,
    .yajl_start_map = on_start_map,
    .yajl_map_key = on_key,
    .yajl_end_map = on_end,
    .yajl_start_array = on_start_array,
    .yajl_end_array = on_end,
};

static void *ya_malloc(void *ctx, size_t n)
{
    (void)ctx;
    return ngp_xmalloc(n);
}

static void *ya_realloc(void *ctx, void *p, size_t n)
{
    (void)ctx;
    return ngp_xrealloc(p, n);
}

static void ya_free(void *ctx, void *p)
{
    (void)ctx;
    free(p);
}

static yajl_handle new_yajl(ngp_jw *w)
{
    yajl_alloc_funcs afs = {ya_malloc, ya_realloc, ya_free, NULL};   /* yajl copies it */
    yajl_handle h = yajl_alloc(&callbacks, &afs, w);   /* yajl defaults: one value, no trailing garbage */
    /* UTF-8 is checked only in the strings the schema reads (scalar): what is
       skipped cannot matter, and yajl's own check halved full-mode throughput */
    yajl_config(h, yajl_dont_validate_strings, 1);
    return h;
}

ngp_jw *ngp_jw_new(const ngp_jw_schema *root, ngp_jw_sink sink, void *user)
{
    /* The frames and the path, most of the walker's 16 KB, are written before they are read
     * (open_frame, ngp_jw_path): zeroing them was an eighth of a watch event's apply. */
    ngp_jw *w = ngp_xmalloc(sizeof *w);
    memset(w, 0, offsetof(ngp_jw, path));
    w->root = root;
    w->icase = root->icase;
    w->sink = sink;
    w->user = user;
    w->h = new_yajl(w);
    return w;
}

void ngp_jw_free(ngp_jw *w)
{
    if (!w)
        return;
    yajl_free(w->h);
    free(w->cap.data);
    free(w->scratch.data);
    free(w->part.data);
    free(w->prefix.data);
    free(w->pend.data);
    free(w->text.data);
    free(w);
}

static ngp_status fail_offset(ngp_jw *w, uint64_t offset, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static ngp_status fail_offset(ngp_jw *w, uint64_t offset, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    ngp_status st = fail_at(w, offset, NGP_EBADJSON, fmt, ap);
    va_end(ap);
    return st;
}

/* Records yajl's error, cut to its first line and without the final period.
 * yajl counts one error, a map's value followed by neither ',' nor '}', back
 * from the end of the token it read by the token's length (its body's, for a
 * string), but no further back than the chunk; a token begun in an earlier
 * chunk is counted from where the whole body would have it (carry). */
static void syntax_error(ngp_jw *w)
{
    unsigned char *e = yajl_get_error(w->h, 0, NULL, 0);
    size_t n = strcspn((const char *)e, "\r\n");
    while (n > 0 && (e[n - 1] == '.' || e[n - 1] == ' '))
        n--;
    uint64_t at = w->base + consumed(w);
    if (w->carried && yajl_get_bytes_consumed(w->h) == 0 && strstr((const char *)e, "after key and value"))
        at = w->carry;
    fail_offset(w, at, "invalid JSON: %.*s", (int)n, (const char *)e);
    yajl_free_error(w->h, e);
}

/* yajl can neither resume after a callback stops it nor be told where a lane
 * left off; so a fresh one reads text that puts it there (jsonscan.h): the
 * first `frames` frames, each inside a value, then tail. */
static void resync(ngp_jw *w, unsigned frames, const char *tail, size_t tail_len, const growbuf *more)
{
    w->prefix.len = 0;
    for (unsigned i = 0; i < frames; i++)
        if (w->frames[i].schema->type == NGP_JW_ARRAY)
            append(&w->prefix, "[", 1);
        else
            append(&w->prefix, "{\"\":", 4);
    append(&w->prefix, tail, tail_len);
    if (more)
        append(&w->prefix, more->data, more->len);
    yajl_free(w->h);
    w->h = new_yajl(w);
    w->replaying = true;
    yajl_status st = yajl_parse(w->h, (const unsigned char *)w->prefix.data, w->prefix.len);
    w->replaying = false;
    if (st != yajl_status_ok)
        abort();   /* resync text is valid JSON so far by construction */
}

/* A lane crossed its whole value: yajl goes on after it. */
static void lane_done(ngp_jw *w)
{
    w->lane = LANE_NONE;
    if (!w->nf) {
        resync(w, 0, "null", 4, NULL);
        return;
    }
    bool array = w->frames[w->nf - 1].schema->type == NGP_JW_ARRAY;
    resync(w, w->nf - 1, array ? "[null" : "{\"\":null", array ? 5 : 8, NULL);
}

/* The lane stops where it stands; yajl takes over from the lane's state. */
static void lane_to_yajl(ngp_jw *w)
{
    char tail[ngp_scan_prefix_max];
    size_t n = ngp_scan_prefix(&w->scan, tail);
    bool strings = w->lane == LANE_STRINGS;   /* the array's own frame is in the tail */
    w->skip = strings ? 0 : w->scan.depth;
    w->lane = LANE_NONE;
    w->str_open = ngp_scan_in_string(&w->scan);   /* begun in an earlier chunk: its body so far is part */
    w->pend.len = 0;
    if (w->str_open && strings)
        append(&w->pend, w->part.data, w->part.len);
    resync(w, w->nf - strings, tail, n, strings ? &w->part : NULL);
    w->part.len = 0;
}

static bool token_byte(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '.' || c == '+' ||
           c == '-';
}

/* yajl read to the chunk's end, perhaps into a token: keeps what the next
 * chunk needs of it. Of a string, its body so far (token_body) and where
 * syntax_error counts it from (its first byte + 2, as yajl counts a body);
 * of a number or a literal, where it began (a whole literal or a number that
 * ended was reported: token_done). No other token holds a '"' or these bytes. */
static void partial_token(ngp_jw *w)
{
    const char *c = w->chunk;
    size_t from = w->tok_end, len = w->chunk_len;
    if (w->str_open) {
        append(&w->pend, c + from, len - from);
        return;
    }
    const char *q = memchr(c + from, '"', len - from);
    if (q) {
        w->str_open = true;
        w->pend.len = 0;
        append(&w->pend, q + 1, (size_t)(c + len - q - 1));
        w->carried = true;
        w->carry = w->base + (uint64_t)(q - c) + 2;
        return;
    }
    size_t i = len;
    while (i > from && token_byte(c[i - 1]))
        i--;
    if (i > w->yoff || !w->carried) {   /* else the token goes on from an earlier chunk */
        w->carried = i < len;
        w->carry = w->base + i;
    }
}

/* yajl reads the chunk from at. Returns the bytes it took: all of them,
 * unless a callback started a lane. */
static size_t run_yajl(ngp_jw *w, size_t at)
{
    w->yoff = at;
    w->tok_end = at;
    w->cap_checked = at;
    yajl_status st = yajl_parse(w->h, (const unsigned char *)w->chunk + at, w->chunk_len - at);
    if (st == yajl_status_client_canceled && w->lane && !ngp_err_failed(&w->err)) {
        w->lane_at = at + yajl_get_bytes_consumed(w->h);
        w->carried = false;   /* a lane starts after a whole token */
        check_read(w, w->lane_at);
        return w->lane_at - at;
    }
    if (st != yajl_status_ok && !ngp_err_failed(&w->err)) {
        syntax_error(w);
    } else if (st == yajl_status_ok) {
        partial_token(w);
        check_read(w, w->chunk_len);
    }
    return w->chunk_len - at;
}

/* Returns the bytes taken; 0 when the lane stopped and yajl must read them. */
static size_t run_skip_lane(ngp_jw *w, size_t at)
{
    ngp_scan before = w->scan;
    ngp_scan_end end;
    size_t n = ngp_scan_skip(&w->scan, w->chunk + at, w->chunk_len - at, &end);
    w->lane_at = at + n;
    w->cap_dirty |= w->scan.suspect && w->cap_open;
    if (end == NGP_SCAN_DONE) {
        lane_done(w);
    } else if (end == NGP_SCAN_STOP) {   /* yajl judges the bytes this call read */
        w->scan = before;
        lane_to_yajl(w);
        return 0;
    }
    return n;
}

/* One string of the strings lane, reported alone: sp ends at chunk offset end; its bytes
 * begun in an earlier chunk are in part. */
static bool lane_string(ngp_jw *w, frame *f, const char *p, const ngp_scan_span *sp, bool high, size_t end)
{
    ngp_jw_event ev = {.kind = NGP_JW_VALUE, .id = f->schema->elem->id, .str = p + sp->from, .len = sp->len};
    f->count++;
    w->lane_at = end;
    if (w->part.len) {
        append(&w->part, ev.str, ev.len);
        ev.str = w->part.data;
        ev.len = w->part.len;
        w->part.len = 0;
    }
    if (high)
        ev.str = go_text(w, ev.str, &ev.len, false);
    return emit(w, &ev);
}

/* The strings the lane read in one step, from the chunk at offset at: a batch array's plain ones
 * in one event, anything else string by string. */
static bool lane_strings(ngp_jw *w, frame *f, size_t at, const ngp_scan_strs *got)
{
    const char *p = w->chunk + at;
    size_t plain = got->n - got->odd;
    if (f->schema->batch && plain) {
        const ngp_scan_span *last = &got->spans[plain - 1];
        w->batch = got->spans;
        w->batch_at = at;
        w->batch_count = f->count;
        f->count += plain;
        w->lane_at = at + last->from + last->len + 1;
        bool ok = emit(w, &(ngp_jw_event){.kind = NGP_JW_STRINGS, .id = f->schema->elem->id, .str = p,
                                          .spans = got->spans, .nspans = plain});
        w->batch = NULL;
        if (!ok)
            return false;
    } else {
        for (size_t i = 0; i < plain; i++) {
            const ngp_scan_span *sp = &got->spans[i];
            if (!lane_string(w, f, p, sp, false, at + sp->from + sp->len + 1))
                return false;
        }
    }
    const ngp_scan_span *odd = &got->spans[got->n - 1];
    return !got->odd || lane_string(w, f, p, odd, w->scan.high, at + odd->from + odd->len + 1);
}

/* The strings lane: the plain strings of the array go to the sink straight from the chunk (or
 * from part, when one began in an earlier chunk), many a step: a names-mode call has thousands. */
static size_t run_strings_lane(ngp_jw *w, size_t at)
{
    frame *f = &w->frames[w->nf - 1];   /* the array's; its elements are strings (on_start_array) */
    ngp_scan_span spans[LANE_BATCH];
    ngp_scan_strs got = {.spans = spans, .max = f->schema->batch ? LANE_BATCH : 1};
    size_t first = at;
    for (;;) {
        const char *p = w->chunk + at;
        ngp_scan_end end;
        size_t n = ngp_scan_strings(&w->scan, p, w->chunk_len - at, &end, &got);
        if (got.n && !lane_strings(w, f, at, &got))
            return at + n - first;
        at += n;
        w->lane_at = at;
        if (end != NGP_SCAN_STRING) {
            if (end == NGP_SCAN_MORE && ngp_scan_in_string(&w->scan))
                append(&w->part, p + got.from, n - got.from);
            else if (end == NGP_SCAN_DONE && on_end(w))   /* the array's END; lane_at is past its ']' */
                lane_done(w);
            else if (end == NGP_SCAN_STOP)
                lane_to_yajl(w);
            return at - first;
        }
    }
}

static void parse(ngp_jw *w, const char *p, size_t len)
{
    w->chunk = p;
    w->chunk_len = len;
    for (size_t at = 0; at < len && !ngp_err_failed(&w->err);)
        at += w->lane == LANE_SKIP ? run_skip_lane(w, at)
            : w->lane == LANE_STRINGS ? run_strings_lane(w, at) : run_yajl(w, at);
    if (!ngp_err_failed(&w->err) && w->cap_open) {
        append(&w->cap, p + w->cap_from, len - w->cap_from);
        w->cap_from = 0;
    }
    w->base += len;
    w->chunk = NULL;
    w->chunk_len = 0;
}

/* yajl takes \v and \f for whitespace. JSON allows neither byte raw anywhere
 * (inside strings yajl rejects them itself), so the first one ends the walk. */
static size_t clean_prefix(const char *p, size_t len)
{
    const char *f = memchr(p, '\f', len);
    size_t n = f ? (size_t)(f - p) : len;
    const char *v = memchr(p, '\v', n);
    return v ? (size_t)(v - p) : n;
}

static bool has_content(const char *p, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (p[i] != ' ' && p[i] != '\t' && p[i] != '\n' && p[i] != '\r')
            return true;
    return false;
}

ngp_status ngp_jw_feed(ngp_jw *w, const char *chunk, size_t len)
{
    if (ngp_err_failed(&w->err) || len == 0)
        return w->err.code;
    if (!w->seen)
        w->seen = has_content(chunk, len);
    size_t n = clean_prefix(chunk, len);
    parse(w, chunk, n);
    if (n < len && !ngp_err_failed(&w->err))   /* offset past the byte, as yajl's "invalid char" */
        fail_offset(w, w->base + 1, "invalid JSON: lexical error: invalid char in json text");
    return w->err.code;
}

ngp_status ngp_jw_finish(ngp_jw *w)
{
    if (ngp_err_failed(&w->err))
        return w->err.code;
    if (!w->seen)
        return ngp_jw_fail(w, NGP_EBADJSON, "empty body");
    if (w->lane)   /* the document ended inside a lane's value: yajl says how */
        lane_to_yajl(w);
    if (yajl_complete_parse(w->h) != yajl_status_ok && !ngp_err_failed(&w->err))
        syntax_error(w);
    return w->err.code;
}

static size_t put(char *buf, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static size_t put(char *buf, size_t n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int m = vsnprintf(buf + n, PATH_LEN - n, fmt, ap);
    va_end(ap);
    if (m < 0)
        return n;
    return n + (size_t)m < PATH_LEN ? n + (size_t)m : PATH_LEN - 1;
}

const char *ngp_jw_path(ngp_jw *w)
{
    size_t n = 0;
    w->path[0] = '\0';
    for (unsigned i = 0; i < w->nf; i++) {
        const frame *f = &w->frames[i];
        if (f->schema->type == NGP_JW_OBJECT && f->field)
            n = put(w->path, n, "%s%s", n ? "." : "", f->field);
        else if (f->schema->type == NGP_JW_ARRAY && f->count)
            n = put(w->path, n, "[%zu]", f->count - 1);
        else if (f->schema->type == NGP_JW_MAP && f->has_key)
            n = put(w->path, n, "[\"%.*s%s\"]", (int)f->keylen, f->key, f->key_cut ? "..." : "");
    }
    return w->path;
}

const ngp_err *ngp_jw_error(const ngp_jw *w)
{
    return &w->err;
}

const char *ngp_jw_captured(const ngp_jw *w)
{
    return w->cap.data;
}

uint64_t ngp_jw_offset(const ngp_jw *w)
{
    return w->base + w->chunk_len;
}
