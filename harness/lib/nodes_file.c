/* nodes_file.c - node files into the cache, JSON streamed 1 MiB at a time or YAML document by document. */
#include "nodes_file.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "readfile.h"
#include "xalloc.h"
#include "yaml_json.h"

enum { LOAD_CHUNK = 1 << 20 };   /* a JSON file is fed to the plugin 1 MiB at a time */

typedef struct {
    const struct nodegate_plugin *api;
    ng_index *index;
    int docs;
    char *last;   /* the last document's reply */
} yaml_load;

/* One document of a YAML file (a Node or a NodeList) as one update. */
static int load_document(void *cls, const char *json, size_t len)
{
    yaml_load *y = cls;
    ng_call *call = y->api->call_begin(y->index, NG_NODES);
    y->api->call_feed(call, json, len);
    ng_reply reply;
    int status = y->api->call_end(call, &reply);
    y->docs++;
    free(y->last);
    y->last = host_xstrdup(reply.data);
    y->api->reply_free(&reply);
    return status == 200 ? 0 : 1;
}

int host_nodes_load(const struct nodegate_plugin *api, ng_index *index, const char *path, char *msg, size_t msglen)
{
    FILE *fp = fopen(path, "rb");
    if (!fp) {
        snprintf(msg, msglen, "%s", strerror(errno));
        return -1;
    }
    char *chunk = host_xmalloc(LOAD_CHUNK);   /* not static: a later relist may run beside it */
    size_t n = fread(chunk, 1, LOAD_CHUNK, fp);
    bool failed;
    char *reply_text = NULL, what[64] = "";
    if (host_yaml_looks_json(chunk, n)) {
        ng_call *call = api->call_begin(index, NG_NODES);
        do
            api->call_feed(call, chunk, n);
        while ((n = fread(chunk, 1, LOAD_CHUNK, fp)) > 0);
        ng_reply reply;
        failed = api->call_end(call, &reply) != 200 || ferror(fp);
        reply_text = host_xstrdup(ferror(fp) ? "read error" : reply.data);
        api->reply_free(&reply);
    } else {
        size_t len;
        char *text = host_read_file(path, &len);
        yaml_load y = {api, index, 0, NULL};
        char err[512];
        int rc = text ? host_yaml_to_json(text, len, load_document, &y, err, sizeof err) : -1;
        failed = rc != 0;
        if (!text)
            reply_text = host_xstrdup(strerror(errno));
        else if (rc < 0)
            reply_text = host_xstrdup(err);
        else {
            reply_text = y.last ? y.last : host_xstrdup("no Node in the file");
            y.last = NULL;
            failed |= !y.docs;
        }
        if (rc > 0)
            snprintf(what, sizeof what, "document %d: ", y.docs);
        else if (!failed)
            snprintf(what, sizeof what, "YAML, %d document%s: ", y.docs, y.docs == 1 ? "" : "s");
        free(y.last);
        free(text);
    }
    fclose(fp);
    free(chunk);
    snprintf(msg, msglen, "%s%s", what, reply_text);
    free(reply_text);
    return failed ? -1 : 0;
}
