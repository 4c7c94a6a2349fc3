/* record.h - nodegate-server --record: saves verb requests and replies in the form nodegate-replay reads. */
#ifndef SRV_RECORD_H
#define SRV_RECORD_H

#include <stddef.h>

/* One request body being received. */
typedef struct srv_recording {
    char *data;
    size_t len, cap;
} srv_recording;

void srv_recording_add(srv_recording *rec, const char *chunk, size_t len);
void srv_recording_free(srv_recording *rec);

typedef struct srv_recorder srv_recorder;

/* Records into dir (created if missing). NULL with a sentence in err on failure. */
srv_recorder *srv_recorder_new(const char *dir, char *err, size_t errlen);
/* Writes DIR/<seq>-<name>.json (the request body[0..len)) and DIR/<seq>-<name>.reply.json
 * (the reply), seq zero-padded to 8 digits, unique across threads and taken in call order.
 * Failures are logged, never fatal. */
void srv_recorder_save(srv_recorder *r, const char *name, const char *body, size_t len, const char *reply,
                       size_t reply_len);
void srv_recorder_free(srv_recorder *r);   /* NULL is a no-op */

#endif
