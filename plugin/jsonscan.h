/* jsonscan.h - fast lanes beside yajl for the two shapes that carry most bytes.
 *
 * A full-mode node is ~90% status (images, conditions) that nodegate skips,
 * and a names-mode request is ~99% one array of node names. yajl tokenizes
 * both at ~1.2 GB/s with a callback per token; these scanners do the same
 * bytes several times faster:
 *   - the skip lane crosses a skipped object or array, checking its grammar;
 *   - the strings lane reads an array of plain strings (no escapes).
 * Both are resumable at any byte, so chunks may split anything. Neither
 * judges bad input: where a lane meets something it does not handle (an
 * error, an escape in a read string, a null), it stops, and the walker hands
 * the bytes back to yajl from a state ngp_scan_prefix reproduces. A lane may
 * stop early, never accept what yajl rejects. */
#ifndef NGP_JSONSCAN_H
#define NGP_JSONSCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NGP_SCAN_MAX_DEPTH 128

typedef struct ngp_scan {
    uint8_t state;
    uint8_t aux;           /* hex digits read in \u; bytes of a literal matched */
    uint8_t before;        /* strings lane: the state before the current string */
    bool key;              /* the current string is an object key */
    bool high;             /* strings lane: the current string may hold bytes >= 0x80 */
    bool suspect;          /* skip lane: a string may hold what Go reads as U+FFFD (a byte
                              >= 0x80, a \uD... escape): an echo of it may need repair */
    const char *literal;   /* "true", "false" or "null" being matched */
    unsigned depth, max;   /* open containers; the most allowed */
    uint64_t objects[NGP_SCAN_MAX_DEPTH / 64];   /* bit d: container d+1 is an object */
} ngp_scan;

typedef enum {
    NGP_SCAN_MORE,     /* every byte was taken; more input is needed */
    NGP_SCAN_DONE,     /* the outermost container closed; its closer was taken */
    NGP_SCAN_STRING,   /* strings lane: a batch of strings ended (ngp_scan_strings) */
    NGP_SCAN_STOP      /* the lane cannot go on: yajl must take over (see above) */
} ngp_scan_end;

/* Starts a lane just past a container's '{' or '['; max bounds the depth,
 * counting that container (a deeper one stops the lane). */
void ngp_scan_start(ngp_scan *s, bool object, unsigned max);

/* Skip lane: crosses p[0..len). Returns the bytes taken. On STOP the state is
 * unspecified: the caller resumes yajl from a copy taken before the call. */
size_t ngp_scan_skip(ngp_scan *s, const char *p, size_t len, ngp_scan_end *end);

/* A string the strings lane read whole: its bytes are p[from..from+len) of the chunk it ended
 * in (the bytes of a string begun in an earlier chunk that came before are the caller's). */
typedef struct ngp_scan_span {
    size_t from, len;
} ngp_scan_span;

/* What one call of the strings lane read. */
typedef struct ngp_scan_strs {
    ngp_scan_span *spans;   /* the caller's room for max of them */
    size_t max;
    size_t n;               /* the strings read whole, in order */
    bool odd;               /* the last of them needs a look of its own: it began in an earlier
                               chunk, or may hold bytes >= 0x80 (then high is set) */
    size_t from;            /* MORE inside a string: where its bytes in this chunk begin */
} ngp_scan_strs;

/* Strings lane, started on an array: reads plain strings, many a call, into out's spans.
 * Returns the bytes taken. STRING: the spans are full, or the last is odd; the lane goes on
 * from the next byte. MORE, DONE and STOP may come with spans too, none odd. On STOP, p[taken]
 * is where yajl resumes and the state is the one there: if it is inside a string, the string
 * began in an earlier chunk. */
size_t ngp_scan_strings(ngp_scan *s, const char *p, size_t len, ngp_scan_end *end, ngp_scan_strs *out);

/* True when the state is inside a string (its bytes so far precede p). */
bool ngp_scan_in_string(const ngp_scan *s);

/* Writes yajl text that, fed to a fresh parser positioned where a value may
 * start, reaches s's state: its open containers and any partial token (a
 * string's text is not repeated). Returns the length; out holds at least
 * ngp_scan_prefix_max bytes. */
size_t ngp_scan_prefix(const ngp_scan *s, char *out);
#define ngp_scan_prefix_max (NGP_SCAN_MAX_DEPTH * 4 + 16)

#endif
