/* content_type.h - what a request body's Content-Type says it is: JSON, a merge patch or YAML. */
#ifndef SRV_CONTENT_TYPE_H
#define SRV_CONTENT_TYPE_H

typedef enum {
    SRV_BODY_NONE,          /* no Content-Type header */
    SRV_BODY_JSON,          /* application/json */
    SRV_BODY_MERGE_PATCH,   /* application/merge-patch+json (RFC 7386) */
    SRV_BODY_YAML,          /* application/yaml, application/x-yaml or text/yaml */
    SRV_BODY_OTHER,
} srv_body_type;

/* The accepted types, as error texts list them. */
#define SRV_YAML_TYPES "application/yaml, application/x-yaml or text/yaml"
#define SRV_PATCH_TYPES "application/merge-patch+json, application/json, application/yaml, application/x-yaml or text/yaml"

/* The media type of a Content-Type value (NULL when absent): matched case-insensitively,
 * parameters (; charset=utf-8) and surrounding white space ignored. */
srv_body_type srv_body_type_of(const char *content_type);

#endif
