/* yaml_body.h - request bodies sent as YAML (Content-Type application/yaml), turned into JSON at
 * the host's edge as kubectl reads YAML (yaml_json.h): the plugin reads JSON only. */
#ifndef SRV_YAML_BODY_H
#define SRV_YAML_BODY_H

#include <stddef.h>

/* The JSON of the one document the YAML body yaml[0..len) must hold: malloc'd, NUL-terminated,
 * its length in *json_len. NULL with a sentence in err (a 400) when the YAML does not parse (the
 * sentence names the line and column) or the body holds no document or more than one. */
char *srv_yaml_document(const char *yaml, size_t len, size_t *json_len, char *err, size_t errlen);

#endif
