/* backend.c - the CLI's two node sources: libcurl to a nodegate-server, or the plugin in-process. */
#include "backend.h"

#include <curl/curl.h>
#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "readfile.h"
#include "xalloc.h"
#include "yaml_body.h"
#include "yaml_json.h"

/* --nodes FILE into the in-process cache, as the server reads it: JSON as one update, YAML as
 * kubectl reads it, all documents or none. */
static bool load_nodes(cli_backend *b, char *err, size_t errlen)
{
    const struct nodegate_plugin *api = b->plugin.api;
    size_t len;
    char *text = host_read_file(b->nodes_file, &len), *yaml_reply = NULL, why[1024] = "";
    if (!text) {
        snprintf(err, errlen, "--nodes %s: %s", b->nodes_file, strerror(errno));
        return false;
    }
    bool ok;
    if (host_yaml_looks_json(text, len)) {
        ng_reply r;
        ok = api->nodes_apply(b->index, text, len, &r) == 200;
        snprintf(why, sizeof why, "%s", r.data ? r.data : "");
        api->reply_free(&r);
    } else {
        ok = host_yaml_nodes_apply(api, b->index, text, len, &yaml_reply, why, sizeof why) == 200;
    }
    if (!ok)
        snprintf(err, errlen, "--nodes %s: %s", b->nodes_file, why);
    free(yaml_reply);
    free(text);
    return ok;
}

bool cli_backend_open(cli_backend *b, const char *plugin_path, char *err, size_t errlen)
{
    char path[PATH_MAX], beside[PATH_MAX];
    if (!plugin_path && !host_plugin_default_path(path, sizeof path, beside, sizeof beside)) {
        snprintf(err, errlen, "no plugin at %s or %s (--plugin PATH names one)", beside, path);
        return false;
    }
    if (host_plugin_load(plugin_path ? plugin_path : path, &b->plugin, err, errlen) != 0)
        return false;
    if (!NODEGATE_HAS(b->plugin.api, label_key_problem)) {
        snprintf(err, errlen, "plugin %s: ABI 1.2 required (it lacks the label rules)", plugin_path ? plugin_path : path);
        return false;
    }
    if (b->server) {
        curl_global_init(CURL_GLOBAL_DEFAULT);
        return true;
    }
    b->index = b->plugin.api->index_new(NULL, err, errlen);
    return b->index && load_nodes(b, err, errlen);
}

void cli_backend_close(cli_backend *b)
{
    if (b->server)
        curl_global_cleanup();
    if (b->index)
        b->plugin.api->index_free(b->index);
    host_plugin_unload(&b->plugin);
}

static size_t collect(char *data, size_t size, size_t n, void *cls)
{
    host_buf_put(cls, data, size * n);
    return size * n;
}

/* One request to the server; the body, when there is one, is JSON of content_type. */
static void http(cli_backend *b, const char *method, const char *path, const char *content_type, const char *body,
                 cli_reply *r)
{
    host_buf url = {0}, got = {0};
    size_t n = strlen(b->server);
    host_buf_printf(&url, "%.*s%s", (int)(n && b->server[n - 1] == '/' ? n - 1 : n), b->server, path);
    CURL *c = curl_easy_init();
    struct curl_slist *headers = NULL;
    char errbuf[CURL_ERROR_SIZE] = "", ctype[128];
    curl_easy_setopt(c, CURLOPT_URL, url.p);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &got);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 60L);
    if (body) {
        snprintf(ctype, sizeof ctype, "Content-Type: %s", content_type);
        headers = curl_slist_append(headers, ctype);
        curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
    }
    CURLcode rc = curl_easy_perform(c);
    long status = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    if (rc != CURLE_OK) {
        host_buf_free(&got);
        host_buf_printf(&got, "cannot reach the nodegate server at %s: %s (--server URL, or --nodes FILE to work offline)",
                        b->server, errbuf[0] ? errbuf : curl_easy_strerror(rc));
        status = 0;
    }
    r->status = (int)status;
    r->body = host_buf_take(&got, &r->len);
    curl_slist_free_all(headers);
    curl_easy_cleanup(c);
    host_buf_free(&url);
}

/* A plugin reply as the CLI's own. */
static void from_plugin(cli_backend *b, ng_reply *pr, cli_reply *r)
{
    r->status = pr->status;
    r->body = host_xstrdup(pr->data ? pr->data : "");
    r->len = strlen(r->body);
    b->plugin.api->reply_free(pr);
}

void cli_explain(cli_backend *b, const char *body, size_t len, cli_reply *r)
{
    if (b->server)
        return http(b, "POST", "/explain", "application/json", body, r);
    const struct nodegate_plugin *api = b->plugin.api;
    ng_call *c = api->call_begin(b->index, NG_EXPLAIN);
    api->call_feed(c, body, len);
    ng_reply pr;
    api->call_end(c, &pr);
    from_plugin(b, &pr, r);
}

void cli_get_nodes(cli_backend *b, const char *name, cli_reply *r)
{
    if (b->server) {
        host_buf path = {0};
        if (name) {
            char *escaped = curl_easy_escape(NULL, name, 0);
            host_buf_printf(&path, "/nodes/%s", escaped);
            curl_free(escaped);
        } else {
            host_buf_puts(&path, "/nodes?full=true");
        }
        http(b, "GET", path.p, NULL, NULL, r);
        host_buf_free(&path);
        return;
    }
    ng_reply pr;
    b->plugin.api->nodes_get(b->index, name, &pr);
    from_plugin(b, &pr, r);
}

void cli_patch_node(cli_backend *b, const char *name, const char *patch, cli_reply *r)
{
    if (!b->server) {
        r->status = 0;
        r->body = host_xstrdup("--nodes FILE is read-only: a change made here would be lost when the command ends; "
                               "edit the file, or run the command against a server (--server URL)");
        r->len = strlen(r->body);
        return;
    }
    char *escaped = curl_easy_escape(NULL, name, 0);
    host_buf path = {0};
    host_buf_printf(&path, "/nodes/%s", escaped);
    curl_free(escaped);
    http(b, "PATCH", path.p, "application/merge-patch+json", patch, r);
    host_buf_free(&path);
}

void cli_reply_free(cli_reply *r)
{
    free(r->body);
    *r = (cli_reply){0};
}

const char *cli_reply_error(const cli_reply *r, char *buf, size_t buflen)
{
    json_t *j = json_loads(r->body ? r->body : "", 0, NULL);
    const char *e = json_string_value(json_object_get(j, "Error"));
    snprintf(buf, buflen, "%s", e ? e : r->body && r->body[0] ? r->body : "no reply");
    json_decref(j);
    return buf;
}
