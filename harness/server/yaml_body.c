/* yaml_body.c - a YAML request body as the JSON the plugin reads. */
#include "yaml_body.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"
#include "yaml_json.h"

typedef struct {
    char *json;
    size_t len;
} first_doc;

static int take_first(void *cls, const char *json, size_t len)
{
    first_doc *d = cls;
    if (d->json)
        return 1;   /* a second document */
    d->json = host_xmalloc(len + 1);
    memcpy(d->json, json, len + 1);
    d->len = len;
    return 0;
}

char *srv_yaml_document(const char *yaml, size_t len, size_t *json_len, char *err, size_t errlen)
{
    first_doc d = {0};
    char why[512];
    int rc = host_yaml_to_json(yaml ? yaml : "", len, take_first, &d, why, sizeof why);
    if (rc < 0)
        snprintf(err, errlen, "the YAML body does not parse: %s", why);
    else if (rc > 0)
        snprintf(err, errlen, "the YAML body holds more than one document: this endpoint takes one");
    else if (!d.json)
        snprintf(err, errlen, "the YAML body holds no document");
    if (rc != 0 || !d.json) {
        free(d.json);
        return NULL;
    }
    *json_len = d.len;
    return d.json;
}
