/* content_type.c - a request body's media type, read from its Content-Type header. */
#include "content_type.h"

#include <stddef.h>
#include <string.h>
#include <strings.h>

srv_body_type srv_body_type_of(const char *content_type)
{
    static const struct { const char *name; srv_body_type type; } types[] = {
        {"application/json", SRV_BODY_JSON},     {"application/merge-patch+json", SRV_BODY_MERGE_PATCH},
        {"application/yaml", SRV_BODY_YAML},     {"application/x-yaml", SRV_BODY_YAML},
        {"text/yaml", SRV_BODY_YAML},
    };
    if (!content_type)
        return SRV_BODY_NONE;
    const char *s = content_type + strspn(content_type, " \t");
    size_t n = strcspn(s, ";");
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    for (size_t i = 0; i < sizeof types / sizeof *types; i++)
        if (strlen(types[i].name) == n && strncasecmp(s, types[i].name, n) == 0)
            return types[i].type;
    return SRV_BODY_OTHER;
}
