/* kubeconfig.c - a kubeconfig read with libyaml's document API, as kubectl reads it, or the
 * in-cluster service account. A file of a few KB, read once at start: clarity over speed. */
#include "kubeconfig.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <yaml.h>

#include "readfile.h"
#include "xalloc.h"

#define ADVICE "use a token, tokenFile or client certificate"

typedef struct reader {
    const char *file;   /* the kubeconfig, absolute: every message names it */
    const char *dir;    /* its folder, for relative paths */
    yaml_document_t *doc;
    char *err;
    size_t errlen;
} reader;

static bool fail(reader *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static bool fail(reader *r, const char *fmt, ...)
{
    if (!r->err || !r->errlen)
        return false;
    int n = snprintf(r->err, r->errlen, "kubeconfig %s: ", r->file);
    if (n >= 0 && (size_t)n < r->errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(r->err + n, r->errlen - (size_t)n, fmt, ap);
        va_end(ap);
    }
    return false;
}

/* dir joined with p (p alone when absolute), with ".", ".." and repeated '/' taken out lexically,
 * as Go's filepath.Join does: kubectl does not resolve the folder through symlinks either.
 * dir must be absolute. The caller frees the result. */
static char *join_clean(const char *dir, const char *p)
{
    size_t dl = p[0] == '/' ? 0 : strlen(dir), pl = strlen(p);
    char *in = host_xmalloc(dl + 1 + pl + 1), *out = host_xmalloc(dl + 1 + pl + 2);
    memcpy(in, dir, dl);
    in[dl] = '/';
    memcpy(in + dl + 1, p, pl + 1);
    size_t o = 0;
    for (const char *s = in; *s;) {
        while (*s == '/')
            s++;
        const char *e = strchrnul(s, '/');
        size_t len = (size_t)(e - s);
        if (len == 2 && s[0] == '.' && s[1] == '.') {   /* up one: drop the last component */
            while (o > 0 && out[o - 1] != '/')
                o--;
            if (o > 0)
                o--;
        } else if (len > 0 && !(len == 1 && s[0] == '.')) {
            out[o++] = '/';
            memcpy(out + o, s, len);
            o += len;
        }
        s = e;
    }
    if (o == 0)
        out[o++] = '/';
    out[o] = '\0';
    free(in);
    return out;
}

static const char *kind_name(const yaml_node_t *n)
{
    switch (n->type) {
    case YAML_SCALAR_NODE: return "a string";
    case YAML_SEQUENCE_NODE: return "a list";
    case YAML_MAPPING_NODE: return "a mapping";
    default: return "nothing";
    }
}

/* YAML's null: absent, "~", "null" or nothing at all, unquoted. kubectl treats "" the same. */
static bool is_null(const yaml_node_t *n)
{
    if (!n)
        return true;
    if (n->type != YAML_SCALAR_NODE)
        return false;
    const char *v = (const char *)n->data.scalar.value;
    size_t len = n->data.scalar.length;
    if (len == 0)
        return true;
    return n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
           (strcmp(v, "~") == 0 || strcmp(v, "null") == 0 || strcmp(v, "Null") == 0 || strcmp(v, "NULL") == 0);
}

/* "path.key", or "key" at the top. */
static void field(char *out, size_t len, const char *path, const char *key)
{
    snprintf(out, len, "%s%s%s", path, *path ? "." : "", key);
}

/* The value under key in map (a mapping, or NULL for an absent one); NULL when absent. A key
 * given twice: the last wins, as Go's yaml decoder has it. */
static yaml_node_t *map_get(reader *r, yaml_node_t *map, const char *key)
{
    if (!map || map->type != YAML_MAPPING_NODE)
        return NULL;
    yaml_node_t *found = NULL;
    size_t klen = strlen(key);
    for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
        yaml_node_t *k = yaml_document_get_node(r->doc, p->key);
        if (k && k->type == YAML_SCALAR_NODE && k->data.scalar.length == klen &&
            memcmp(k->data.scalar.value, key, klen) == 0)
            found = yaml_document_get_node(r->doc, p->value);
    }
    return found;
}

/* The mapping under key, or NULL when it is absent or null; false when it is something else. */
static bool get_map(reader *r, yaml_node_t *map, const char *path, const char *key, yaml_node_t **out)
{
    yaml_node_t *v = map_get(r, map, key);
    *out = NULL;
    if (is_null(v))
        return true;
    if (v->type != YAML_MAPPING_NODE) {
        char f[160];
        field(f, sizeof f, path, key);
        return fail(r, "%s: expected a mapping, got %s", f, kind_name(v));
    }
    *out = v;
    return true;
}

/* The string under key in a new string, or NULL when it is absent, null or "". */
static bool get_str(reader *r, yaml_node_t *map, const char *path, const char *key, char **out)
{
    yaml_node_t *v = map_get(r, map, key);
    *out = NULL;
    if (is_null(v))
        return true;
    char f[160];
    field(f, sizeof f, path, key);
    if (v->type != YAML_SCALAR_NODE)
        return fail(r, "%s: expected a string, got %s", f, kind_name(v));
    if (memchr(v->data.scalar.value, '\0', v->data.scalar.length))
        return fail(r, "%s: holds a NUL byte", f);
    *out = host_xstrdup((const char *)v->data.scalar.value);
    return true;
}

/* A YAML 1.1 boolean, as Go's yaml decoder reads one into a bool; absent is false. */
static bool get_bool(reader *r, yaml_node_t *map, const char *path, const char *key, bool *out)
{
    static const char *const yes[] = {"true", "True", "TRUE", "yes", "Yes", "YES", "on", "On", "ON", "y", "Y"};
    static const char *const no[] = {"false", "False", "FALSE", "no", "No", "NO", "off", "Off", "OFF", "n", "N"};
    yaml_node_t *v = map_get(r, map, key);
    *out = false;
    if (is_null(v))
        return true;
    if (v->type == YAML_SCALAR_NODE && v->data.scalar.style == YAML_PLAIN_SCALAR_STYLE) {
        const char *s = (const char *)v->data.scalar.value;
        for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++) {
            if (strcmp(s, yes[i]) == 0)
                return *out = true;
            if (strcmp(s, no[i]) == 0)
                return true;
        }
    }
    char f[160];
    field(f, sizeof f, path, key);
    if (v->type != YAML_SCALAR_NODE)
        return fail(r, "%s: expected true or false, got %s", f, kind_name(v));
    return fail(r, "%s: expected true or false, got \"%s\"", f, (const char *)v->data.scalar.value);
}

/* A path under key, resolved against the kubeconfig's folder when relative (as kubectl does). */
static bool get_path(reader *r, yaml_node_t *map, const char *path, const char *key, char **out)
{
    char *s;
    if (!get_str(r, map, path, key, &s))
        return false;
    *out = s ? join_clean(r->dir, s) : NULL;
    free(s);
    return true;
}

static int b64_value(unsigned char c)
{
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
}

/* RFC 4648 base64 with padding, as Go's base64.StdEncoding decodes a kubeconfig's []byte:
 * '\r' and '\n' are skipped, anything else out of the alphabet is an error. Returns the decoded
 * bytes (NUL-terminated, *outlen of them), or NULL with the offending byte offset in *bad (the
 * length when the text ends short). The caller frees the result. */
static char *b64_decode(const char *s, size_t n, size_t *outlen, size_t *bad)
{
    unsigned char *out = host_xmalloc(n / 4 * 3 + 4);
    size_t o = 0, q = 0, pad = 0;
    unsigned acc = 0;
    bool done = false;   /* a padded group was the last one */
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '\r' || c == '\n')
            continue;
        int v = 0;
        if (c == '=')   /* padding: only the last one or two places of a group */
            pad++;
        else
            v = b64_value(c);
        if (done || v < 0 || (c == '=' && q < 2) || (c != '=' && pad)) {
            *bad = i;
            free(out);
            return NULL;
        }
        acc = acc << 6 | (unsigned)v;
        if (++q == 4) {
            for (size_t k = 0; k < 3 - pad; k++)
                out[o++] = (unsigned char)(acc >> (16 - 8 * k));
            done = pad > 0;
            q = 0;
            acc = 0;
        }
    }
    if (q != 0) {
        *bad = n;
        free(out);
        return NULL;
    }
    out[o] = '\0';
    *outlen = o;
    return (char *)out;
}

/* The base64 data under key, decoded; NULL when absent. */
static bool get_data(reader *r, yaml_node_t *map, const char *path, const char *key, char **out, size_t *len)
{
    char *s;
    *out = NULL;
    *len = 0;
    if (!get_str(r, map, path, key, &s))
        return false;
    if (!s)
        return true;
    size_t bad = 0;
    *out = b64_decode(s, strlen(s), len, &bad);
    if (!*out) {
        char f[160];
        field(f, sizeof f, path, key);
        size_t n = strlen(s);
        free(s);
        if (bad >= n)
            return fail(r, "%s: not valid base64 (it ends in the middle of a group of 4)", f);
        return fail(r, "%s: not valid base64 (at byte %zu)", f, bad);
    }
    free(s);
    if (*len == 0) {   /* "" decoded: as good as absent */
        free(*out);
        *out = NULL;
    }
    return true;
}

/* Appends ", name" (or "name") to a list of names for a not-found message, cut with "..." when
 * it would not fit. */
static void add_name(char *names, size_t len, const char *name)
{
    size_t n = strlen(names);
    if (n >= 3 && strcmp(names + n - 3, "...") == 0)
        return;
    const char *sep = n ? ", " : "";
    if (n + strlen(sep) + strlen(name) + 5 > len) {
        snprintf(names + n, len - n, "%s...", sep);
        return;
    }
    snprintf(names + n, len - n, "%s%s", sep, name);
}

/* In the list under list_key (contexts, clusters or users), the entry whose name is name: its
 * index, and in *inner its mapping under inner_key (context, cluster, user; NULL when absent).
 * Returns -1 when there is none, with the names there are in names; -2 when the list is
 * malformed or holds name twice (client-go refuses a duplicate name), with err written. */
static int find_named(reader *r, yaml_node_t *root, const char *list_key, const char *inner_key,
                      const char *name, yaml_node_t **inner, char *names, size_t nameslen)
{
    yaml_node_t *list = map_get(r, root, list_key);
    *inner = NULL;
    names[0] = '\0';
    if (is_null(list))
        return -1;
    if (list->type != YAML_SEQUENCE_NODE)
        return fail(r, "%s: expected a list, got %s", list_key, kind_name(list)), -2;
    int found = -1;
    int i = 0;
    for (yaml_node_item_t *it = list->data.sequence.items.start; it < list->data.sequence.items.top; it++, i++) {
        yaml_node_t *e = yaml_document_get_node(r->doc, *it);
        char path[64];
        snprintf(path, sizeof path, "%s[%d]", list_key, i);
        if (!e || e->type != YAML_MAPPING_NODE)
            return fail(r, "%s: expected a mapping, got %s", path, e ? kind_name(e) : "nothing"), -2;
        char *n;
        if (!get_str(r, e, path, "name", &n))
            return -2;
        if (!n)
            continue;
        bool match = strcmp(n, name) == 0;
        if (match && found >= 0) {
            fail(r, "%s.name: \"%s\" is also the name of %s[%d], and names must be unique", path, n, list_key, found);
            free(n);
            return -2;
        }
        add_name(names, nameslen, n);
        free(n);
        if (match) {
            if (!get_map(r, e, path, inner_key, inner))
                return -2;
            found = i;
        }
    }
    return found;
}

static bool url_ok(const char *s)
{
    const char *rest;
    if (strncasecmp(s, "https://", 8) == 0)
        rest = s + 8;
    else if (strncasecmp(s, "http://", 7) == 0)
        rest = s + 7;
    else
        return false;
    return *rest && !strchr("/?#", *rest);
}

static bool read_cluster(reader *r, yaml_node_t *m, const char *path, kube_config *c)
{
    if (!get_str(r, m, path, "server", &c->server))
        return false;
    if (!c->server)
        return fail(r, "%s.server: missing", path);
    if (!url_ok(c->server))
        return fail(r, "%s.server: \"%s\" is not an https:// or http:// URL", path, c->server);
    for (size_t n = strlen(c->server); c->server[n - 1] == '/'; n--)   /* url_ok: a host is left */
        c->server[n - 1] = '\0';
    if (!get_path(r, m, path, "certificate-authority", &c->ca_file) ||
        !get_data(r, m, path, "certificate-authority-data", &c->ca_data, &c->ca_data_len) ||
        !get_bool(r, m, path, "insecure-skip-tls-verify", &c->insecure) ||
        !get_str(r, m, path, "tls-server-name", &c->tls_server_name))
        return false;
    /* client-go's transport refuses the pair too: a CA that is never checked is a mistake */
    if (c->insecure && (c->ca_file || c->ca_data))
        return fail(r, "%s: insecure-skip-tls-verify is set together with a certificate-authority, "
                    "which kubectl refuses too", path);
    return true;
}

static bool read_user(reader *r, yaml_node_t *m, const char *path, const char *name, kube_config *c)
{
    yaml_node_t *v = map_get(r, m, "exec");
    if (!is_null(v))
        return fail(r, "user \"%s\" uses exec (a credential plugin), which nodegate does not run; " ADVICE, name);
    v = map_get(r, m, "auth-provider");
    if (!is_null(v)) {
        char *provider = NULL;
        char ap[160];
        field(ap, sizeof ap, path, "auth-provider");
        if (v->type == YAML_MAPPING_NODE && !get_str(r, v, ap, "name", &provider))
            return false;
        fail(r, "user \"%s\" uses auth-provider%s%s%s (a plugin kubectl ran), which nodegate does not run; " ADVICE,
             name, provider ? " \"" : "", provider ? provider : "", provider ? "\"" : "");
        free(provider);
        return false;
    }
    char *username, *password;
    if (!get_str(r, m, path, "username", &username) || !get_str(r, m, path, "password", &password))
        return false;
    bool basic = username || password;
    free(username);
    free(password);
    if (basic)
        return fail(r, "user \"%s\" uses username and password (basic authentication, which Kubernetes "
                    "removed in 1.19); " ADVICE, name);
    if (!get_str(r, m, path, "token", &c->token) || !get_path(r, m, path, "tokenFile", &c->token_file) ||
        !get_path(r, m, path, "client-certificate", &c->cert_file) ||
        !get_data(r, m, path, "client-certificate-data", &c->cert_data, &c->cert_data_len) ||
        !get_path(r, m, path, "client-key", &c->key_file) ||
        !get_data(r, m, path, "client-key-data", &c->key_data, &c->key_data_len))
        return false;
    bool cert = c->cert_file || c->cert_data, key = c->key_file || c->key_data;
    if (cert && !key)
        return fail(r, "%s: client-certificate without client-key or client-key-data", path);
    if (key && !cert)
        return fail(r, "%s: client-key without client-certificate or client-certificate-data", path);
    return true;
}

static bool load_doc(reader *r, const char *context, kube_config *c)
{
    yaml_node_t *root = yaml_document_get_root_node(r->doc);
    if (!root)
        return fail(r, "the file is empty: no current-context, contexts, clusters or users");
    if (root->type != YAML_MAPPING_NODE)
        return fail(r, "expected a mapping at the top, got %s", kind_name(root));

    char names[256];
    char *current = NULL;
    if (!get_str(r, root, "", "current-context", &current))
        return false;
    const char *want = context && *context ? context : current;
    yaml_node_t *ctx;
    int ci = find_named(r, root, "contexts", "context", want ? want : "", &ctx, names, sizeof names);
    if (ci == -2) {
        free(current);
        return false;
    }
    if (!want)
        return fail(r, "no current-context is set and no context was given (contexts: %s)",
                    *names ? names : "none");
    if (ci < 0) {
        fail(r, "%s \"%s\" not found (contexts: %s)", want == current ? "current-context" : "context", want,
             *names ? names : "none");
        free(current);
        return false;
    }
    char ctx_name[256];
    snprintf(ctx_name, sizeof ctx_name, "%s", want);
    free(current);

    char cpath[80];
    snprintf(cpath, sizeof cpath, "contexts[%d].context", ci);
    char *cluster_name, *user_name;
    if (!get_str(r, ctx, cpath, "cluster", &cluster_name))
        return false;
    if (!cluster_name)
        return fail(r, "%s.cluster: missing", cpath);
    if (!get_str(r, ctx, cpath, "user", &user_name)) {
        free(cluster_name);
        return false;
    }

    bool ok = false;
    yaml_node_t *m;
    char path[80];
    int i = find_named(r, root, "clusters", "cluster", cluster_name, &m, names, sizeof names);
    if (i == -1)
        fail(r, "%s.cluster: cluster \"%s\" not found (clusters: %s)", cpath, cluster_name, *names ? names : "none");
    if (i < 0)
        goto out;
    snprintf(path, sizeof path, "clusters[%d].cluster", i);
    if (!read_cluster(r, m, path, c))
        goto out;
    /* No user: anonymous, as kubectl allows (an API server behind an authenticating proxy). A
     * user named but not listed is refused, where kubectl would go on anonymous: a typo here
     * would otherwise show up only as 401s or 403s. */
    if (user_name) {
        i = find_named(r, root, "users", "user", user_name, &m, names, sizeof names);
        if (i == -1)
            fail(r, "%s.user: user \"%s\" not found (users: %s)", cpath, user_name, *names ? names : "none");
        if (i < 0)
            goto out;
        snprintf(path, sizeof path, "users[%d].user", i);
        if (!read_user(r, m, path, user_name, c))
            goto out;
    }
    size_t n = strlen(r->file) + strlen(ctx_name) + 32;
    c->origin = host_xmalloc(n);
    snprintf(c->origin, n, "kubeconfig %s, context %s", r->file, ctx_name);
    ok = true;
out:
    free(cluster_name);
    free(user_name);
    return ok;
}

bool kube_config_load(const char *path, const char *context, kube_config *c, char *err, size_t errlen)
{
    *c = (kube_config){0};
    char *cwd = path[0] == '/' ? NULL : get_current_dir_name();
    char *file = join_clean(cwd ? cwd : "/", path);
    free(cwd);
    char *dir = host_xstrdup(file);
    *strrchr(dir, '/') = '\0';
    reader r = {.file = file, .dir = *dir ? dir : "/", .err = err, .errlen = errlen};
    if (err && errlen)
        err[0] = '\0';

    bool ok = false;
    size_t len;
    char *text = host_read_file(file, &len);
    if (!text) {
        fail(&r, "cannot read: %s", strerror(errno));
        goto out;
    }
    yaml_parser_t parser;
    yaml_document_t doc;
    if (!yaml_parser_initialize(&parser))
        host_oom(sizeof parser);
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
    if (!yaml_parser_load(&parser, &doc)) {
        if (parser.error == YAML_MEMORY_ERROR)
            host_oom(len);
        fail(&r, "not valid YAML at line %zu, column %zu: %s%s%s", parser.problem_mark.line + 1,
             parser.problem_mark.column + 1, parser.problem ? parser.problem : "unknown error",
             parser.context ? " " : "", parser.context ? parser.context : "");
        yaml_parser_delete(&parser);
        free(text);
        goto out;
    }
    r.doc = &doc;
    ok = load_doc(&r, context, c);
    yaml_document_delete(&doc);
    yaml_parser_delete(&parser);
    free(text);
out:
    if (!ok)
        kube_config_free(c);
    free(dir);
    free(file);
    return ok;
}

/* 1..65535 in decimal. */
static bool port_ok(const char *s)
{
    long v = 0;
    for (const char *p = s; *p; p++) {
        if (*p < '0' || *p > '9' || (v = v * 10 + (*p - '0')) > 65535)
            return false;
    }
    return v > 0;
}

static bool readable(const char *path, char *err, size_t errlen)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        snprintf(err, errlen, "in-cluster config: %s: cannot read: %s", path, strerror(errno));
        return false;
    }
    close(fd);
    return true;
}

/* sa_dir/name in a new string. */
static char *sa_file(const char *sa_dir, const char *name)
{
    size_t dl = strlen(sa_dir);
    while (dl > 1 && sa_dir[dl - 1] == '/')
        dl--;
    size_t n = dl + strlen(name) + 2;
    char *p = host_xmalloc(n);
    snprintf(p, n, "%.*s/%s", (int)dl, sa_dir, name);
    return p;
}

bool kube_config_in_cluster(const char *sa_dir, kube_config *c, char *err, size_t errlen)
{
    *c = (kube_config){0};
    const char *host = getenv("KUBERNETES_SERVICE_HOST"), *port = getenv("KUBERNETES_SERVICE_PORT");
    bool no_host = !host || !*host;
    if (no_host || !port || !*port) {
        snprintf(err, errlen, "in-cluster config: %s is not set (Kubernetes sets it and %s in every pod)",
                 no_host ? "KUBERNETES_SERVICE_HOST" : "KUBERNETES_SERVICE_PORT",
                 no_host ? "KUBERNETES_SERVICE_PORT" : "KUBERNETES_SERVICE_HOST");
        return false;
    }
    if (!port_ok(port)) {
        snprintf(err, errlen, "in-cluster config: KUBERNETES_SERVICE_PORT \"%s\" is not a port number", port);
        return false;
    }
    char *token = sa_file(sa_dir, "token"), *ca = sa_file(sa_dir, "ca.crt");
    if (!readable(token, err, errlen) || !readable(ca, err, errlen)) {
        free(token);
        free(ca);
        return false;
    }
    size_t n = strlen(host) + strlen(port) + 16;
    c->server = host_xmalloc(n);
    /* an IPv6 address goes in brackets, as Go's net.JoinHostPort puts it */
    snprintf(c->server, n, strchr(host, ':') ? "https://[%s]:%s" : "https://%s:%s", host, port);
    c->token_file = token;
    c->ca_file = ca;
    c->origin = host_xstrdup("in-cluster config");
    return true;
}

bool kube_in_cluster(void)
{
    const char *host = getenv("KUBERNETES_SERVICE_HOST"), *port = getenv("KUBERNETES_SERVICE_PORT");
    return host && *host && port && *port;
}

void kube_config_free(kube_config *c)
{
    if (!c)
        return;
    free(c->server);
    free(c->ca_file);
    free(c->ca_data);
    free(c->tls_server_name);
    free(c->token);
    free(c->token_file);
    free(c->cert_file);
    free(c->key_file);
    free(c->cert_data);
    free(c->key_data);
    free(c->origin);
    *c = (kube_config){0};
}
