/* fuzz_yaml.c - YAML to JSON (harness/lib/yaml_json.c, libyaml) on any stream, each document
 * then applied as nodegate-server applies a YAML --nodes file (main.c: one NG_NODES call per
 * document, stopping at the first refused).
 *
 * Input: the YAML stream.
 *
 * Checks: every document's JSON is valid JSON text (valid UTF-8 included); a refused stream
 * has a message naming the line and column; every reply is valid JSON, errors {"Error"}. */
#include <stdlib.h>
#include <string.h>

#include "drive.h"
#include "yaml_json.h"

static int apply(void *cls, const char *json, size_t len)
{
    if (strlen(json) != len)
        fz_fail("a document's JSON has a NUL byte or a wrong length %zu: %s", len, json);
    fz_check_json("a document's JSON", json, len);
    ng_reply r = {0};
    fz_input body = {(const uint8_t *)json, len};
    int st = fz_call(cls, NG_NODES, &body, NULL, &r);
    fz_check_reply("a document as an update", &r);
    fz_plugin()->reply_free(&r);
    return st == 200 ? 0 : 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ng_index *idx = fz_index_new(false, false, false);
    char err[512] = "";
    int rc = host_yaml_to_json((const char *)data, size, apply, idx, err, sizeof err);
    if (rc < 0 && strncmp(err, "line ", 5) != 0)
        fz_fail("refused with \"%s\", which names no line", err);
    if (rc != 0 && rc != 1 && rc != -1)
        fz_fail("host_yaml_to_json returned %d", rc);
    fz_plugin()->index_free(idx);
    return 0;
}
