/* yaml_json.h - YAML in, JSON out, as kubectl reads a manifest: each document of the stream
 * becomes the JSON that sigs.k8s.io/yaml's YAMLToJSON makes of it (YAML 1.1 scalars as go-yaml v2
 * resolves them, map keys as strings, sorted, the last of duplicates kept, merge keys, aliases). */
#ifndef HOST_YAML_JSON_H
#define HOST_YAML_JSON_H

#include <stdbool.h>
#include <stddef.h>

/* Called with each document's JSON (NUL-terminated); a non-zero return stops the conversion,
 * which then returns that value. Empty and null documents are skipped, as kubectl skips them. */
typedef int (*host_yaml_doc_fn)(void *cls, const char *json, size_t len);

/* Converts the YAML stream yaml[0..len). Returns 0, a callback's non-zero value, or -1 with a
 * message naming the line and column in err ("line 3, column 7: ..."). */
int host_yaml_to_json(const char *yaml, size_t len, host_yaml_doc_fn doc, void *cls, char *err, size_t errlen);

/* True when s[0..n) is JSON to kubectl: its first byte other than white space is '{'. */
bool host_yaml_looks_json(const char *s, size_t n);

#endif
