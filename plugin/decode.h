/* decode.h - request bodies streamed into their verb's request (request.h): the model builder.
 *
 * One decoder per call. It drives the schema walker (jsonwalk.h) with the
 * verb's root schema (schema.h) and fills the parts it is given, allocating
 * from the call's arena. Types are checked as Go's encoding/json would (a
 * string where a list belongs is NGP_EBADJSON); duplicate keys follow Go
 * too: a repeated list replaces, a repeated map merges, a repeated scalar
 * overwrites. Each pod and node is checked (validate.h) as its object ends,
 * and the verdict is stored in it. */
#ifndef NGP_DECODE_H
#define NGP_DECODE_H

#include "arena.h"
#include "err.h"
#include "jsonwalk.h"
#include "request.h"

typedef struct ngp_decoder ngp_decoder;

/* Starts decoding a body against root into parts (bound by the verb's shape
 * into a zeroed request), giving each part its zero values. Never NULL.
 * Free with ngp_decoder_free. */
ngp_decoder *ngp_decoder_new(const ngp_jw_schema *root, const ngp_parts *parts, ngp_arena *arena);
void ngp_decoder_free(ngp_decoder *d);
/* Feeds a chunk / ends the body. Return NGP_OK or the status of the first error. */
ngp_status ngp_decoder_feed(ngp_decoder *d, const char *chunk, size_t len);
ngp_status ngp_decoder_finish(ngp_decoder *d);
/* The first error, with the field path and byte offset in its text. */
const ngp_err *ngp_decoder_error(const ngp_decoder *d);
/* Bytes of captured node objects (full mode); node raw_off/raw_len index it. */
const char *ngp_decoder_captured(const ngp_decoder *d);

#endif
