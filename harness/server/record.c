/* record.c - capture of real kube-scheduler traffic for replay: one file pair per verb call. */
#include "record.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "log.h"
#include "xalloc.h"

struct srv_recorder {
    char *dir;
    atomic_ulong seq;
};

void srv_recording_add(srv_recording *rec, const char *chunk, size_t len)
{
    if (rec->cap - rec->len < len) {
        size_t cap = rec->cap ? rec->cap : 4096;
        while (cap - rec->len < len)
            cap *= 2;
        rec->data = host_xrealloc(rec->data, cap);
        rec->cap = cap;
    }
    memcpy(rec->data + rec->len, chunk, len);
    rec->len += len;
}

void srv_recording_free(srv_recording *rec)
{
    free(rec->data);
    *rec = (srv_recording){0};
}

srv_recorder *srv_recorder_new(const char *dir, char *err, size_t errlen)
{
    struct stat st;
    if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
        snprintf(err, errlen, "--record %s: %s", dir, strerror(errno));
        return NULL;
    }
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
        snprintf(err, errlen, "--record %s: not a directory", dir);
        return NULL;
    }
    srv_recorder *r = host_xcalloc(1, sizeof *r);
    r->dir = host_xstrdup(dir);
    return r;
}

static void write_file(const char *path, const char *data, size_t len)
{
    FILE *fp = fopen(path, "wb");
    if (!fp || fwrite(data, 1, len, fp) != len)
        host_log(HOST_LOG_ERROR, "--record: cannot write %s: %s", path, strerror(errno));
    if (fp)
        fclose(fp);
}

void srv_recorder_save(srv_recorder *r, const char *name, const char *body, size_t len, const char *reply,
                       size_t reply_len)
{
    unsigned long seq = atomic_fetch_add(&r->seq, 1);
    char path[4096];
    snprintf(path, sizeof path, "%s/%08lu-%s.json", r->dir, seq, name);
    write_file(path, body ? body : "", len);
    snprintf(path, sizeof path, "%s/%08lu-%s.reply.json", r->dir, seq, name);
    write_file(path, reply, reply_len);
}

void srv_recorder_free(srv_recorder *r)
{
    if (r) {
        free(r->dir);
        free(r);
    }
}
