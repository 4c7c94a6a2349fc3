/* drive.h - what the fuzz targets share: reading the parts of a fuzz input, driving the plugin
 * through its ABI as nodegate-server does (call_begin, one call_feed per upload chunk, call_end),
 * and the checks every reply must pass. A failed check prints what and aborts, which libFuzzer
 * reports as a crash and saves the input. */
#ifndef FUZZ_DRIVE_H
#define FUZZ_DRIVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nodegate.h"

/* libFuzzer's entry point, declared for -Wmissing-prototypes. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The unread rest of a fuzz input. */
typedef struct fz_input {
    const uint8_t *p;
    size_t n;
} fz_input;

/* Where a body is cut into upload chunks: offsets, taken modulo the body's length + 1. */
enum { FZ_MAX_SPLITS = 15 };
typedef struct fz_splits {
    size_t n;
    uint16_t at[FZ_MAX_SPLITS];
} fz_splits;

/* The chunk ends s cuts a body of len bytes at: ascending, the last one len. Returns how many. */
size_t fz_cuts(const fz_splits *s, size_t len, size_t cut[FZ_MAX_SPLITS + 1]);
/* The next byte, or 0 when the input is used up. */
uint8_t fz_byte(fz_input *in);
/* Reads a split count (one byte, low 4 bits) and that many 2-byte offsets. */
void fz_read_splits(fz_input *in, fz_splits *s);
/* Takes the bytes up to the next NUL (which is consumed) into *part; false, taking nothing, when
 * the input holds no NUL. */
bool fz_take_part(fz_input *in, fz_input *part);

/* The plugin's table: linked in (so libFuzzer sees its coverage), reached only through it. */
const struct nodegate_plugin *fz_plugin(void);
/* A new index with these feature gates, completeCache and compactReplies; aborts when refused. */
ng_index *fz_index_new(bool comparison_operators, bool complete_cache, bool compact_replies);
/* One verb call with body fed in the chunks s cuts it into (an empty chunk is never fed, as
 * libmicrohttpd never delivers one; s NULL: one chunk). Returns the reply's status. */
int fz_call(ng_index *idx, ng_verb verb, const fz_input *body, const fz_splits *s, ng_reply *r);
/* Checks a reply: valid JSON text (jansson, which also refuses invalid UTF-8 and lone surrogate
 * escapes), and when not 200, {"Error": "non-empty string"} with a status of 400, 404 or 422. */
void fz_check_reply(const char *what, const ng_reply *r);
/* Checks that s[0..n) is valid JSON text, as fz_check_reply does. */
void fz_check_json(const char *what, const char *s, size_t n);
/* What the index holds: nodes_get(NULL) and index_stats, each checked, in a new string. */
char *fz_state(ng_index *idx);
/* Prints "fuzz finding: ..." on stderr and aborts. */
_Noreturn void fz_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
