/* frames.h - watch event framing: the bytes of a watch stream cut into events. kube-apiserver's
 * encoder ends every event with a newline, so an event is a line. */
#ifndef KUBE_FRAMES_H
#define KUBE_FRAMES_H

#include <stdbool.h>
#include <stddef.h>

/* The event begun in an earlier chunk. Zero it to start; kube_frames_free when done. */
typedef struct kube_frames {
    char *line;
    size_t len, cap;
} kube_frames;

/* Receives one event: its bytes without the newline and without leading blanks (' ', '\r',
 * '\t'), never empty; borrowed for the call only. Returns false to stop the stream. */
typedef bool (*kube_frame_fn)(void *ctx, const char *event, size_t len);

/* Hands fn each event this chunk completes, straight from data when the event began in it, and
 * keeps the unfinished rest for the next chunk. Returns false as soon as fn does (the rest of
 * data is then dropped), else true. */
bool kube_frames_feed(kube_frames *f, const char *data, size_t len, kube_frame_fn fn, void *ctx);
/* Hands fn the kept rest, a last event without its newline, if there is one; returns what fn
 * returned, or true when there was none. */
bool kube_frames_end(kube_frames *f, kube_frame_fn fn, void *ctx);
/* Frees what f keeps and zeroes it. */
void kube_frames_free(kube_frames *f);

#endif
