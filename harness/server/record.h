/* record.h - nodegate-server --record: saves verb requests and replies in the form nodegate-replay reads. */
#ifndef NG_RECORD_H
#define NG_RECORD_H

#include <stddef.h>

/* One request body being received. */
typedef struct ng_recording {
    char *data;
    size_t len, cap;
} ng_recording;

void ng_recording_add(ng_recording *rec, const char *chunk, size_t len);
void ng_recording_free(ng_recording *rec);

typedef struct ng_recorder ng_recorder;

/* Records into dir (created if missing). NULL with a sentence in err on failure. */
ng_recorder *ng_recorder_new(const char *dir, char *err, size_t errlen);
/* Writes DIR/<seq>-<verb>.json (the request) and DIR/<seq>-<verb>.reply.json
 * (the reply), seq zero-padded to 8 digits and unique across threads.
 * Failures are logged, never fatal. */
void ng_recorder_save(ng_recorder *r, const char *verb, const ng_recording *req, const char *reply,
                      size_t reply_len);
void ng_recorder_free(ng_recorder *r);   /* NULL is a no-op */

#endif
