/* test_kubeconfig.c - harness/kube's kubeconfig reader, in-cluster config and libcurl client:
 * every field, contexts, relative paths, base64, each refusal and each bad file with its exact
 * sentence; the client's options seen by a loopback server (headers, keep-alive, tls-server-name)
 * and its token file re-read when it changes. Fixtures are written into a mkdtemp folder. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kube/client.h"
#include "kube/kubeconfig.h"
#include "nodegate.h"

#define CA_PEM "-----BEGIN CERTIFICATE-----\nMIIBca\n-----END CERTIFICATE-----\n"
#define CERT_PEM "-----BEGIN CERTIFICATE-----\nMIIBcert\n-----END CERTIFICATE-----\n"
#define KEY_PEM "-----BEGIN PRIVATE KEY-----\nMIIEkey\n-----END PRIVATE KEY-----\n"

typedef struct fixture {
    char dir[64];       /* the mkdtemp folder */
    char config[128];   /* dir/config */
} fixture;

static int setup(void **state)
{
    fixture *fx = calloc(1, sizeof *fx);
    snprintf(fx->dir, sizeof fx->dir, "/tmp/nodegate-kube-XXXXXX");
    if (!fx || !mkdtemp(fx->dir))
        return -1;
    snprintf(fx->config, sizeof fx->config, "%s/config", fx->dir);
    *state = fx;
    return 0;
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    return remove(path);
}

static int teardown(void **state)
{
    fixture *fx = *state;
    nftw(fx->dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    free(fx);
    return 0;
}

/* Writes text to dir/name (making the folders on the way) and returns the path in path. */
static void write_at(const fixture *fx, const char *name, const char *text, char *path, size_t len)
{
    snprintf(path, len, "%s/%s", fx->dir, name);
    for (char *s = strchr(path + strlen(fx->dir) + 1, '/'); s; s = strchr(s + 1, '/')) {
        *s = '\0';
        mkdir(path, 0700);
        *s = '/';
    }
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fputs(text, fp);
    assert_int_equal(fclose(fp), 0);
}

static void write_file(const fixture *fx, const char *name, const char *text)
{
    char path[256];
    write_at(fx, name, text, path, sizeof path);
}

static char *b64(const char *s)
{
    static const char abc[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t n = strlen(s);
    char *out = malloc(n / 3 * 4 + 5), *o = out;
    for (size_t i = 0; i < n; i += 3) {
        unsigned v = (unsigned char)s[i] << 16 | (i + 1 < n ? (unsigned char)s[i + 1] << 8 : 0) |
                     (i + 2 < n ? (unsigned char)s[i + 2] : 0);
        *o++ = abc[v >> 18 & 63];
        *o++ = abc[v >> 12 & 63];
        *o++ = i + 1 < n ? abc[v >> 6 & 63] : '=';
        *o++ = i + 2 < n ? abc[v & 63] : '=';
    }
    *o = '\0';
    return out;
}

/* Loads text as fx->config; asserts it loads. */
static void load_ok(const fixture *fx, const char *text, const char *context, kube_config *c)
{
    char err[512] = "";
    write_file(fx, "config", text);
    if (!kube_config_load(fx->config, context, c, err, sizeof err))
        fail_msg("kube_config_load failed: %s", err);
}

/* Loads text as fx->config; asserts it fails with "kubeconfig <config>: " want. */
static void load_fails(const fixture *fx, const char *text, const char *context, const char *want)
{
    char err[512] = "", full[640];
    kube_config c;
    write_file(fx, "config", text);
    assert_false(kube_config_load(fx->config, context, &c, err, sizeof err));
    assert_null(c.server);   /* nothing held after a failure */
    assert_null(c.origin);
    snprintf(full, sizeof full, "kubeconfig %s: %s", fx->config, want);
    assert_string_equal(err, full);
}

static void assert_path(const char *got, const fixture *fx, const char *rel)
{
    char want[256];
    snprintf(want, sizeof want, "%s/%s", fx->dir, rel);
    assert_non_null(got);
    assert_string_equal(got, want);
}

#define BASE_CLUSTER "clusters:\n- name: c1\n  cluster:\n    server: https://10.0.0.1:6443\n"
#define BASE_CONTEXT "contexts:\n- name: dev\n  context: {cluster: c1, user: u1}\ncurrent-context: dev\n"

/* ---- fields ---- */

static void test_every_field(void **state)
{
    fixture *fx = *state;
    kube_config c;
    load_ok(fx,
            "apiVersion: v1\n"
            "kind: Config\n"
            "preferences: {colors: true}\n"
            "clusters:\n"
            "- name: c1\n"
            "  cluster:\n"
            "    server: https://api.example.com:6443/\n"
            "    certificate-authority: /etc/k8s/ca.crt\n"
            "    tls-server-name: kubernetes.default.svc\n"
            "    proxy-url: http://ignored:3128\n"
            "    extensions:\n"
            "    - name: client.authentication.k8s.io/exec\n"
            "      extension: {audience: x}\n"
            "contexts:\n"
            "- name: dev\n"
            "  context:\n"
            "    cluster: c1\n"
            "    user: u1\n"
            "    namespace: kube-system\n"
            "current-context: dev\n"
            "users:\n"
            "- name: u1\n"
            "  user:\n"
            "    token: abc.def\n"
            "    tokenFile: /var/run/token\n"
            "    client-certificate: /etc/k8s/u1.crt\n"
            "    client-key: /etc/k8s/u1.key\n",
            NULL, &c);
    assert_string_equal(c.server, "https://api.example.com:6443");
    assert_string_equal(c.ca_file, "/etc/k8s/ca.crt");
    assert_null(c.ca_data);
    assert_false(c.insecure);
    assert_string_equal(c.tls_server_name, "kubernetes.default.svc");
    assert_string_equal(c.token, "abc.def");
    assert_string_equal(c.token_file, "/var/run/token");
    assert_string_equal(c.cert_file, "/etc/k8s/u1.crt");
    assert_string_equal(c.key_file, "/etc/k8s/u1.key");
    assert_null(c.cert_data);
    assert_null(c.key_data);
    char want[256];
    snprintf(want, sizeof want, "kubeconfig %s, context dev", fx->config);
    assert_string_equal(c.origin, want);
    kube_config_free(&c);
    assert_null(c.server);
    kube_config_free(&c);   /* twice, and NULL: both harmless */
    kube_config_free(NULL);
}

static void test_insecure(void **state)
{
    fixture *fx = *state;
    static const char *const yes[] = {"true", "True", "yes", "on"};
    for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++) {
        char text[512];
        snprintf(text, sizeof text, BASE_CLUSTER "    insecure-skip-tls-verify: %s\n" BASE_CONTEXT
                 "users:\n- name: u1\n  user: {token: t}\n", yes[i]);
        kube_config c;
        load_ok(fx, text, NULL, &c);
        assert_true(c.insecure);
        kube_config_free(&c);
    }
    kube_config c;
    load_ok(fx, BASE_CLUSTER "    insecure-skip-tls-verify: false\n" BASE_CONTEXT "users:\n- name: u1\n", NULL, &c);
    assert_false(c.insecure);
    assert_null(c.token);   /* a user with no user mapping: no credentials */
    kube_config_free(&c);
    load_fails(fx, BASE_CLUSTER "    insecure-skip-tls-verify: \"true\"\n" BASE_CONTEXT, NULL,
               "clusters[0].cluster.insecure-skip-tls-verify: expected true or false, got \"true\"");
    load_fails(fx, BASE_CLUSTER "    insecure-skip-tls-verify: [1]\n" BASE_CONTEXT, NULL,
               "clusters[0].cluster.insecure-skip-tls-verify: expected true or false, got a list");
    load_fails(fx, BASE_CLUSTER "    insecure-skip-tls-verify: true\n    certificate-authority: ca.crt\n" BASE_CONTEXT,
               NULL, "clusters[0].cluster: insecure-skip-tls-verify is set together with a "
               "certificate-authority, which kubectl refuses too");
}

static void test_data_decoded(void **state)
{
    fixture *fx = *state;
    char *ca = b64(CA_PEM), *cert = b64(CERT_PEM), *key = b64(KEY_PEM);
    char text[2048];
    /* the key's base64 over several lines, as a block scalar: newlines are skipped, as in Go */
    char key_lines[512] = "";
    for (size_t i = 0, n = strlen(key); i < n; i += 20)
        snprintf(key_lines + strlen(key_lines), sizeof key_lines - strlen(key_lines), "      %.20s\n", key + i);
    snprintf(text, sizeof text,
             "clusters:\n- name: c1\n  cluster:\n    server: https://10.0.0.1:6443\n"
             "    certificate-authority-data: %s\n" BASE_CONTEXT
             "users:\n- name: u1\n  user:\n    client-certificate-data: \"%s\"\n    client-key-data: |\n%s",
             ca, cert, key_lines);
    kube_config c;
    load_ok(fx, text, NULL, &c);
    assert_int_equal(c.ca_data_len, strlen(CA_PEM));
    assert_memory_equal(c.ca_data, CA_PEM, strlen(CA_PEM));
    assert_int_equal(c.cert_data_len, strlen(CERT_PEM));
    assert_string_equal(c.cert_data, CERT_PEM);
    assert_int_equal(c.key_data_len, strlen(KEY_PEM));
    assert_string_equal(c.key_data, KEY_PEM);
    kube_config_free(&c);
    free(ca), free(cert), free(key);

    /* known vectors, each padding */
    static const char *const vec[][2] = {{"aGVsbG8=", "hello"}, {"aGk=", "hi"}, {"YWJj", "abc"},
                                         {"YWJjZA==", "abcd"}, {"/+8=", "\xff\xef"}};
    for (size_t i = 0; i < sizeof vec / sizeof vec[0]; i++) {
        snprintf(text, sizeof text, BASE_CLUSTER "    certificate-authority-data: \"%s\"\n" BASE_CONTEXT
                 "users: [{name: u1}]\n", vec[i][0]);
        load_ok(fx, text, NULL, &c);
        assert_int_equal(c.ca_data_len, strlen(vec[i][1]));
        assert_memory_equal(c.ca_data, vec[i][1], c.ca_data_len);
        kube_config_free(&c);
    }
    load_ok(fx, BASE_CLUSTER "    certificate-authority-data: \"\"\n" BASE_CONTEXT "users: [{name: u1}]\n", NULL, &c);
    assert_null(c.ca_data);   /* "" is as good as absent */
    kube_config_free(&c);
}

static void test_bad_base64(void **state)
{
    fixture *fx = *state;
    load_fails(fx, BASE_CLUSTER "    certificate-authority-data: aGVs*G8=\n" BASE_CONTEXT, NULL,
               "clusters[0].cluster.certificate-authority-data: not valid base64 (at byte 4)");
    load_fails(fx, BASE_CLUSTER "    certificate-authority-data: aGVsbG8\n" BASE_CONTEXT, NULL,
               "clusters[0].cluster.certificate-authority-data: not valid base64 (it ends in the middle "
               "of a group of 4)");
    load_fails(fx, BASE_CLUSTER "    certificate-authority-data: aGk=aGk=\n" BASE_CONTEXT, NULL,
               "clusters[0].cluster.certificate-authority-data: not valid base64 (at byte 4)");
    load_fails(fx, BASE_CLUSTER "    certificate-authority-data: a===\n" BASE_CONTEXT, NULL,
               "clusters[0].cluster.certificate-authority-data: not valid base64 (at byte 1)");
    load_fails(fx, BASE_CLUSTER "    certificate-authority-data: aG k=\n" BASE_CONTEXT, NULL,
               "clusters[0].cluster.certificate-authority-data: not valid base64 (at byte 2)");
    load_fails(fx, BASE_CLUSTER BASE_CONTEXT "users:\n- name: u1\n  user:\n    client-certificate-data: \"" CA_PEM "\"\n",
               NULL, "users[0].user.client-certificate-data: not valid base64 (at byte 0)");
    load_fails(fx, BASE_CLUSTER BASE_CONTEXT "users:\n- name: u1\n  user:\n    client-key-data: YQ=\n", NULL,
               "users[0].user.client-key-data: not valid base64 (it ends in the middle of a group of 4)");
}

/* ---- contexts ---- */

/* contexts last, so that a test can append one */
#define TWO_CONTEXTS                                                                                         \
    "clusters:\n"                                                                                            \
    "- {name: c-dev, cluster: {server: 'https://dev:6443'}}\n"                                               \
    "- {name: c-prod, cluster: {server: 'https://prod:6443'}}\n"                                             \
    "users:\n"                                                                                               \
    "- {name: u-dev, user: {token: dev-token}}\n"                                                            \
    "- {name: u-prod, user: {token: prod-token}}\n"                                                          \
    "contexts:\n"                                                                                            \
    "- {name: dev, context: {cluster: c-dev, user: u-dev}}\n"                                                \
    "- {name: prod, context: {cluster: c-prod, user: u-prod}}\n"

static void test_current_and_explicit_context(void **state)
{
    fixture *fx = *state;
    kube_config c;
    load_ok(fx, TWO_CONTEXTS "current-context: dev\n", NULL, &c);
    assert_string_equal(c.server, "https://dev:6443");
    assert_string_equal(c.token, "dev-token");
    kube_config_free(&c);
    load_ok(fx, TWO_CONTEXTS "current-context: dev\n", "", &c);   /* "" is no context given */
    assert_string_equal(c.server, "https://dev:6443");
    kube_config_free(&c);
    load_ok(fx, TWO_CONTEXTS "current-context: dev\n", "prod", &c);
    assert_string_equal(c.server, "https://prod:6443");
    assert_string_equal(c.token, "prod-token");
    char want[256];
    snprintf(want, sizeof want, "kubeconfig %s, context prod", fx->config);
    assert_string_equal(c.origin, want);
    kube_config_free(&c);
    load_ok(fx, TWO_CONTEXTS, "prod", &c);   /* no current-context needed when one is given */
    assert_string_equal(c.server, "https://prod:6443");
    kube_config_free(&c);
}

static void test_context_errors(void **state)
{
    fixture *fx = *state;
    load_fails(fx, TWO_CONTEXTS "current-context: dev\n", "staging",
               "context \"staging\" not found (contexts: dev, prod)");
    load_fails(fx, TWO_CONTEXTS "current-context: gone\n", NULL,
               "current-context \"gone\" not found (contexts: dev, prod)");
    load_fails(fx, TWO_CONTEXTS, NULL, "no current-context is set and no context was given (contexts: dev, prod)");
    load_fails(fx, TWO_CONTEXTS "current-context: \"\"\n", NULL,
               "no current-context is set and no context was given (contexts: dev, prod)");
    load_fails(fx, BASE_CLUSTER, NULL, "no current-context is set and no context was given (contexts: none)");
    load_fails(fx, BASE_CLUSTER "current-context: dev\n", NULL, "current-context \"dev\" not found (contexts: none)");
    load_fails(fx, TWO_CONTEXTS "- {name: dev, context: {cluster: c-prod}}\n", "dev",
               "contexts[2].name: \"dev\" is also the name of contexts[0], and names must be unique");
    load_fails(fx, BASE_CLUSTER "contexts:\n- name: dev\ncurrent-context: dev\n", NULL,
               "contexts[0].context.cluster: missing");
    load_fails(fx, BASE_CLUSTER "contexts:\n- name: dev\n  context: [c1]\ncurrent-context: dev\n", NULL,
               "contexts[0].context: expected a mapping, got a list");
    load_fails(fx, BASE_CLUSTER "contexts: {dev: {}}\ncurrent-context: dev\n", NULL,
               "contexts: expected a list, got a mapping");
    load_fails(fx, BASE_CLUSTER "contexts: [dev]\ncurrent-context: dev\n", NULL,
               "contexts[0]: expected a mapping, got a string");
}

static void test_cluster_and_user_not_found(void **state)
{
    fixture *fx = *state;
    load_fails(fx, TWO_CONTEXTS "- {name: x, context: {cluster: c-qa, user: u-dev}}\n", "x",
               "contexts[2].context.cluster: cluster \"c-qa\" not found (clusters: c-dev, c-prod)");
    load_fails(fx, TWO_CONTEXTS "- {name: x, context: {cluster: c-dev, user: u-qa}}\n", "x",
               "contexts[2].context.user: user \"u-qa\" not found (users: u-dev, u-prod)");
    load_fails(fx, BASE_CONTEXT, NULL, "contexts[0].context.cluster: cluster \"c1\" not found (clusters: none)");
    load_fails(fx, BASE_CLUSTER BASE_CONTEXT, NULL, "contexts[0].context.user: user \"u1\" not found (users: none)");
    load_fails(fx, BASE_CLUSTER "- {name: c1, cluster: {server: 'https://other'}}\n" BASE_CONTEXT, NULL,
               "clusters[1].name: \"c1\" is also the name of clusters[0], and names must be unique");
    /* a context with no user: anonymous */
    kube_config c;
    load_ok(fx, BASE_CLUSTER "contexts:\n- {name: dev, context: {cluster: c1}}\ncurrent-context: dev\n", NULL, &c);
    assert_string_equal(c.server, "https://10.0.0.1:6443");
    assert_null(c.token);
    assert_null(c.token_file);
    assert_null(c.cert_file);
    kube_config_free(&c);
}

/* ---- paths ---- */

static void test_relative_paths(void **state)
{
    fixture *fx = *state;
    static const char text[] =
        "clusters:\n- name: c1\n  cluster:\n    server: http://127.0.0.1:8001\n"
        "    certificate-authority: certs/ca.crt\n" BASE_CONTEXT
        "users:\n- name: u1\n  user:\n"
        "    tokenFile: ./token\n"
        "    client-certificate: ../shared//u1.crt\n"
        "    client-key: /abs/u1.key\n";
    kube_config c;
    load_ok(fx, text, NULL, &c);
    assert_path(c.ca_file, fx, "certs/ca.crt");
    assert_path(c.token_file, fx, "token");
    char want[256];
    snprintf(want, sizeof want, "%.*s/shared/u1.crt", (int)(strrchr(fx->dir, '/') - fx->dir), fx->dir);
    assert_string_equal(c.cert_file, want);
    assert_string_equal(c.key_file, "/abs/u1.key");
    kube_config_free(&c);

    /* the kubeconfig named by a relative path, from another working directory: paths are taken
     * against the kubeconfig's own folder, and the origin names it absolutely */
    write_file(fx, "sub/dir/config", text);
    char cwd[512];
    assert_non_null(getcwd(cwd, sizeof cwd));
    assert_int_equal(chdir(fx->dir), 0);
    char err[512] = "";
    bool ok = kube_config_load("./sub/../sub/dir/config", NULL, &c, err, sizeof err);
    assert_int_equal(chdir(cwd), 0);
    if (!ok)
        fail_msg("%s", err);
    assert_path(c.ca_file, fx, "sub/dir/certs/ca.crt");
    assert_path(c.token_file, fx, "sub/dir/token");
    assert_path(c.cert_file, fx, "sub/shared/u1.crt");
    snprintf(want, sizeof want, "kubeconfig %s/sub/dir/config, context dev", fx->dir);
    assert_string_equal(c.origin, want);
    kube_config_free(&c);
}

/* ---- refusals ---- */

static void test_refused_users(void **state)
{
    fixture *fx = *state;
    load_fails(fx, BASE_CLUSTER BASE_CONTEXT
               "users:\n- name: u1\n  user:\n    exec:\n      apiVersion: client.authentication.k8s.io/v1\n"
               "      command: aws\n      args: [eks, get-token]\n",
               NULL, "user \"u1\" uses exec (a credential plugin), which nodegate does not run; use a token, "
               "tokenFile or client certificate");
    load_fails(fx, BASE_CLUSTER BASE_CONTEXT
               "users:\n- name: u1\n  user:\n    token: t\n    auth-provider:\n      name: gcp\n"
               "      config: {cmd-path: gcloud}\n",
               NULL, "user \"u1\" uses auth-provider \"gcp\" (a plugin kubectl ran), which nodegate does not run; "
               "use a token, tokenFile or client certificate");
    load_fails(fx, BASE_CLUSTER BASE_CONTEXT "users:\n- name: u1\n  user:\n    auth-provider: {}\n", NULL,
               "user \"u1\" uses auth-provider (a plugin kubectl ran), which nodegate does not run; "
               "use a token, tokenFile or client certificate");
    load_fails(fx, BASE_CLUSTER BASE_CONTEXT "users:\n- name: u1\n  user:\n    username: admin\n    password: pw\n",
               NULL, "user \"u1\" uses username and password (basic authentication, which Kubernetes removed in "
               "1.19); use a token, tokenFile or client certificate");
    load_fails(fx, BASE_CLUSTER BASE_CONTEXT "users:\n- name: u1\n  user:\n    password: pw\n", NULL,
               "user \"u1\" uses username and password (basic authentication, which Kubernetes removed in "
               "1.19); use a token, tokenFile or client certificate");
    /* exec: null is no exec */
    kube_config c;
    load_ok(fx, BASE_CLUSTER BASE_CONTEXT "users:\n- name: u1\n  user:\n    exec: null\n    token: t\n", NULL, &c);
    assert_string_equal(c.token, "t");
    kube_config_free(&c);
    load_fails(fx, BASE_CLUSTER BASE_CONTEXT "users:\n- name: u1\n  user:\n    client-certificate: a.crt\n", NULL,
               "users[0].user: client-certificate without client-key or client-key-data");
    load_fails(fx, BASE_CLUSTER BASE_CONTEXT "users:\n- name: u1\n  user:\n    client-key-data: YWJj\n", NULL,
               "users[0].user: client-key without client-certificate or client-certificate-data");
}

/* ---- bad files ---- */

static void test_bad_files(void **state)
{
    fixture *fx = *state;
    char err[512], want[640];
    kube_config c;
    char missing[256];
    snprintf(missing, sizeof missing, "%s/nope", fx->dir);
    assert_false(kube_config_load(missing, NULL, &c, err, sizeof err));
    snprintf(want, sizeof want, "kubeconfig %s: cannot read: No such file or directory", missing);
    assert_string_equal(err, want);
    assert_false(kube_config_load(fx->dir, NULL, &c, err, sizeof err));   /* a folder */
    snprintf(want, sizeof want, "kubeconfig %s: cannot read: Is a directory", fx->dir);
    assert_string_equal(err, want);

    write_file(fx, "config", "clusters:\n- name: c1\n  cluster: {server: x\ncontexts: [\n");
    assert_false(kube_config_load(fx->config, NULL, &c, err, sizeof err));
    snprintf(want, sizeof want, "kubeconfig %s: not valid YAML at line 4, column 9: did not find expected ',' "
             "or '}' while parsing a flow mapping", fx->config);
    assert_string_equal(err, want);
    write_file(fx, "config", "a: b\n c: d\n");
    assert_false(kube_config_load(fx->config, NULL, &c, err, sizeof err));
    snprintf(want, sizeof want, "kubeconfig %s: not valid YAML at line 2, column 3: mapping values are not "
             "allowed in this context", fx->config);
    assert_string_equal(err, want);

    load_fails(fx, "", NULL, "the file is empty: no current-context, contexts, clusters or users");
    load_fails(fx, "# only a comment\n", NULL, "the file is empty: no current-context, contexts, clusters or users");
    load_fails(fx, "- a\n- b\n", NULL, "expected a mapping at the top, got a list");
    load_fails(fx, "{}\n", NULL, "no current-context is set and no context was given (contexts: none)");
    load_fails(fx, "clusters:\n- name: c1\n  cluster: {}\n" BASE_CONTEXT, NULL, "clusters[0].cluster.server: missing");
    load_fails(fx, "clusters:\n- name: c1\n" BASE_CONTEXT, NULL, "clusters[0].cluster.server: missing");
    load_fails(fx, "clusters:\n- name: c1\n  cluster: {server: 'localhost:6443'}\n" BASE_CONTEXT, NULL,
               "clusters[0].cluster.server: \"localhost:6443\" is not an https:// or http:// URL");
    load_fails(fx, "clusters:\n- name: c1\n  cluster: {server: 'https:///api'}\n" BASE_CONTEXT, NULL,
               "clusters[0].cluster.server: \"https:///api\" is not an https:// or http:// URL");
    load_fails(fx, "clusters:\n- name: c1\n  cluster: {server: {url: x}}\n" BASE_CONTEXT, NULL,
               "clusters[0].cluster.server: expected a string, got a mapping");
    load_fails(fx, "clusters:\n- name: c1\n  cluster: {server: \"https://a\\0b\"}\n" BASE_CONTEXT, NULL,
               "clusters[0].cluster.server: holds a NUL byte");
    load_fails(fx, "clusters:\n- name: [c1]\n" BASE_CONTEXT, NULL, "clusters[0].name: expected a string, got a list");
    load_fails(fx, "current-context: [a]\n", NULL, "current-context: expected a string, got a list");

    /* a server keeps its path, and loses only its trailing slashes */
    load_ok(fx, "clusters:\n- name: c1\n  cluster: {server: 'HTTPS://rancher.example/k8s/clusters/c-1//'}\n"
            BASE_CONTEXT "users: [{name: u1}]\n", NULL, &c);
    assert_string_equal(c.server, "HTTPS://rancher.example/k8s/clusters/c-1");
    kube_config_free(&c);
    /* a key given twice: the last wins, as Go's yaml decoder has it */
    load_ok(fx, "clusters:\n- name: c1\n  cluster: {server: 'https://a', server: 'https://b'}\n"
            BASE_CONTEXT "users: [{name: u1}]\n", NULL, &c);
    assert_string_equal(c.server, "https://b");
    kube_config_free(&c);
    /* anchors and aliases are YAML too */
    load_ok(fx, "clusters:\n- name: c1\n  cluster: &c {server: 'https://anchored'}\n- name: c2\n  cluster: *c\n"
            "contexts: [{name: dev, context: {cluster: c2}}]\ncurrent-context: dev\n", NULL, &c);
    assert_string_equal(c.server, "https://anchored");
    kube_config_free(&c);
}

/* ---- in-cluster ---- */

static void test_in_cluster(void **state)
{
    fixture *fx = *state;
    char err[512] = "", want[512];
    kube_config c;
    write_file(fx, "sa/token", "eyJ.token\n");
    write_file(fx, "sa/ca.crt", CA_PEM);
    char sa[128];
    snprintf(sa, sizeof sa, "%s/sa/", fx->dir);

    setenv("KUBERNETES_SERVICE_HOST", "10.96.0.1", 1);
    setenv("KUBERNETES_SERVICE_PORT", "443", 1);
    assert_true(kube_in_cluster());
    if (!kube_config_in_cluster(sa, &c, err, sizeof err))
        fail_msg("%s", err);
    assert_string_equal(c.server, "https://10.96.0.1:443");
    assert_path(c.token_file, fx, "sa/token");
    assert_path(c.ca_file, fx, "sa/ca.crt");
    assert_null(c.token);
    assert_false(c.insecure);
    assert_string_equal(c.origin, "in-cluster config");
    kube_config_free(&c);

    setenv("KUBERNETES_SERVICE_HOST", "fd00:10:96::1", 1);
    assert_true(kube_config_in_cluster(sa, &c, err, sizeof err));
    assert_string_equal(c.server, "https://[fd00:10:96::1]:443");
    kube_config_free(&c);

    setenv("KUBERNETES_SERVICE_PORT", "https", 1);
    assert_false(kube_config_in_cluster(sa, &c, err, sizeof err));
    assert_string_equal(err, "in-cluster config: KUBERNETES_SERVICE_PORT \"https\" is not a port number");
    setenv("KUBERNETES_SERVICE_PORT", "443", 1);

    snprintf(sa, sizeof sa, "%s/none", fx->dir);
    assert_false(kube_config_in_cluster(sa, &c, err, sizeof err));
    snprintf(want, sizeof want, "in-cluster config: %s/none/token: cannot read: No such file or directory", fx->dir);
    assert_string_equal(err, want);
    write_file(fx, "only-token/token", "t");
    snprintf(sa, sizeof sa, "%s/only-token", fx->dir);
    assert_false(kube_config_in_cluster(sa, &c, err, sizeof err));
    snprintf(want, sizeof want, "in-cluster config: %s/only-token/ca.crt: cannot read: No such file or directory",
             fx->dir);
    assert_string_equal(err, want);
    assert_null(c.server);

    setenv("KUBERNETES_SERVICE_PORT", "", 1);
    assert_false(kube_in_cluster());
    assert_false(kube_config_in_cluster(sa, &c, err, sizeof err));
    assert_string_equal(err, "in-cluster config: KUBERNETES_SERVICE_PORT is not set (Kubernetes sets it and "
                        "KUBERNETES_SERVICE_HOST in every pod)");
    unsetenv("KUBERNETES_SERVICE_HOST");
    setenv("KUBERNETES_SERVICE_PORT", "443", 1);
    assert_false(kube_in_cluster());
    assert_false(kube_config_in_cluster(sa, &c, err, sizeof err));
    assert_string_equal(err, "in-cluster config: KUBERNETES_SERVICE_HOST is not set (Kubernetes sets it and "
                        "KUBERNETES_SERVICE_PORT in every pod)");
    unsetenv("KUBERNETES_SERVICE_PORT");
    assert_false(kube_in_cluster());
}

/* ---- the client against a loopback server ---- */

enum { MAX_REQ = 8, REQ_BYTES = 4096 };

/* A one-thread HTTP/1.1 server on 127.0.0.1: keeps each connection alive and answers each
 * request head with {} (or, with tls set, reads what arrives first and hangs up). */
typedef struct loopback {
    int lfd, port;
    bool tls;
    pthread_t thread;
    atomic_bool stop;
    int conns;                      /* connections accepted */
    int nreq;                       /* request heads (or first TLS bytes) read */
    char req[MAX_REQ][REQ_BYTES];
    size_t req_len[MAX_REQ];
} loopback;

/* Waits for fd to be readable, giving up when told to stop; false then. */
static bool wait_readable(loopback *s, int fd)
{
    while (!atomic_load(&s->stop)) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        if (poll(&p, 1, 50) > 0)
            return true;
    }
    return false;
}

static void *serve(void *arg)
{
    loopback *s = arg;
    while (wait_readable(s, s->lfd)) {
        int fd = accept(s->lfd, NULL, NULL);
        if (fd < 0)
            continue;
        s->conns++;
        char buf[REQ_BYTES];
        size_t n = 0;
        while (s->nreq < MAX_REQ && wait_readable(s, fd)) {
            ssize_t got = read(fd, buf + n, sizeof buf - 1 - n);
            if (got <= 0)
                break;
            n += (size_t)got;
            buf[n] = '\0';
            if (s->tls) {   /* the ClientHello, in the clear */
                memcpy(s->req[s->nreq], buf, n);
                s->req_len[s->nreq++] = n;
                break;
            }
            char *end = strstr(buf, "\r\n\r\n");
            if (!end)
                continue;
            size_t head = (size_t)(end + 4 - buf);
            memcpy(s->req[s->nreq], buf, head);
            s->req[s->nreq][head] = '\0';
            s->req_len[s->nreq++] = head;
            memmove(buf, buf + head, n - head);
            n -= head;
            static const char reply[] = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                                        "Content-Length: 2\r\n\r\n{}";
            if (write(fd, reply, sizeof reply - 1) != (ssize_t)(sizeof reply - 1))
                break;
        }
        close(fd);
    }
    return NULL;
}

static void loopback_start(loopback *s, bool tls)
{
    memset(s, 0, sizeof *s);
    s->tls = tls;
    s->lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    assert_true(s->lfd >= 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    assert_int_equal(bind(s->lfd, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(listen(s->lfd, 8), 0);
    socklen_t len = sizeof a;
    assert_int_equal(getsockname(s->lfd, (struct sockaddr *)&a, &len), 0);
    s->port = ntohs(a.sin_port);
    assert_int_equal(pthread_create(&s->thread, NULL, serve, s), 0);
}

static void loopback_stop(loopback *s)
{
    atomic_store(&s->stop, true);
    pthread_join(s->thread, NULL);
    close(s->lfd);
}

static size_t discard(char *p, size_t size, size_t n, void *arg)
{
    (void)p, (void)arg;
    return size * n;
}

/* One GET of path through k on h, the caller's options set after prepare, as a source does. */
static CURLcode get(kube_client *k, CURL *h, const char *path)
{
    struct curl_slist *headers = NULL;
    kube_client_prepare(k, h, path, &headers);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, discard);
    curl_easy_setopt(h, CURLOPT_TIMEOUT, 10L);
    CURLcode rc = curl_easy_perform(h);
    curl_slist_free_all(headers);
    return rc;
}

static bool starts_with(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

static bool has_line(const char *head, const char *line)
{
    char want[512];
    snprintf(want, sizeof want, "\r\n%s\r\n", line);
    return strstr(head, want) != NULL;
}

/* The Authorization line prepare sets, or "" when none. */
static void auth_header(kube_client *k, char *out, size_t len)
{
    CURL *h = curl_easy_init();
    struct curl_slist *headers = NULL;
    kube_client_prepare(k, h, "/api", &headers);
    out[0] = '\0';
    for (struct curl_slist *l = headers; l; l = l->next)
        if (strncmp(l->data, "Authorization: ", 15) == 0)
            snprintf(out, len, "%s", l->data);
    curl_slist_free_all(headers);
    curl_easy_cleanup(h);
}

static void test_client_request(void **state)
{
    fixture *fx = *state;
    loopback s;
    loopback_start(&s, false);
    char server[64], err[512] = "";
    snprintf(server, sizeof server, "http://127.0.0.1:%d", s.port);
    /* tls-server-name means nothing over plain http: the request goes out as it is */
    kube_config c = {.server = server, .token = "inline-token\n", .tls_server_name = "ignored.test"};
    kube_client *k = kube_client_new(&c, err, sizeof err);
    if (!k)
        fail_msg("%s", err);
    assert_string_equal(kube_client_server(k), server);
    CURL *h = curl_easy_init();
    assert_int_equal(get(k, h, "/api/v1/nodes?limit=500"), CURLE_OK);
    assert_int_equal(get(k, h, "api/v1/nodes?watch=1&resourceVersion=7"), CURLE_OK);   /* '/' added */
    long code = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
    assert_int_equal(code, 200);
    curl_easy_cleanup(h);
    kube_client_free(k);
    loopback_stop(&s);

    assert_int_equal(s.nreq, 2);
    assert_int_equal(s.conns, 1);   /* the handle was reset, its connection kept */
    assert_true(starts_with(s.req[0], "GET /api/v1/nodes?limit=500 HTTP/1.1\r\n"));
    assert_true(starts_with(s.req[1], "GET /api/v1/nodes?watch=1&resourceVersion=7 HTTP/1.1\r\n"));
    for (int i = 0; i < 2; i++) {
        char host[64];
        snprintf(host, sizeof host, "Host: 127.0.0.1:%d", s.port);
        if (!has_line(s.req[i], host) || !has_line(s.req[i], "Accept: application/json") ||
            !has_line(s.req[i], "User-Agent: nodegate/" NODEGATE_VERSION) ||
            !has_line(s.req[i], "Authorization: Bearer inline-token") ||
            strstr(s.req[i], "\r\nAccept-Encoding: "))   /* the source asks for gzip where it wants it */
            fail_msg("request %d:\n%s", i, s.req[i]);
    }
    (void)fx;
}

static void test_client_tls_server_name(void **state)
{
    (void)state;
    loopback s;
    loopback_start(&s, true);
    char server[64], err[512] = "";
    snprintf(server, sizeof server, "https://127.0.0.1:%d/prefix/", s.port);
    kube_config c = {.server = server, .insecure = true, .tls_server_name = "kube.nodegate.test"};
    kube_client *k = kube_client_new(&c, err, sizeof err);
    if (!k)
        fail_msg("%s", err);
    CURL *h = curl_easy_init();
    struct curl_slist *headers = NULL;
    kube_client_prepare(k, h, "/api", &headers);
    curl_easy_setopt(h, CURLOPT_TIMEOUT, 10L);
    assert_int_not_equal(curl_easy_perform(h), CURLE_OK);   /* the server hangs up after the hello */
    char *url = NULL, want[128];
    curl_easy_getinfo(h, CURLINFO_EFFECTIVE_URL, &url);
    snprintf(want, sizeof want, "https://kube.nodegate.test:%d/prefix/api", s.port);
    assert_string_equal(url, want);
    snprintf(want, sizeof want, "Host: 127.0.0.1:%d", s.port);
    bool host = false;
    for (struct curl_slist *l = headers; l; l = l->next)
        host |= strcmp(l->data, want) == 0;
    assert_true(host);
    curl_slist_free_all(headers);
    curl_easy_cleanup(h);
    kube_client_free(k);
    loopback_stop(&s);
    /* the connection reached 127.0.0.1 (the name does not resolve) and named kube.nodegate.test
     * in its ClientHello's SNI, the name curl then checks the certificate against */
    assert_int_equal(s.conns, 1);
    assert_int_equal(s.nreq, 1);
    assert_non_null(memmem(s.req[0], s.req_len[0], "kube.nodegate.test", 18));

    /* no port in the server: the default one, named in the mapping, not in Host */
    kube_config d = {.server = "https://127.0.0.1", .insecure = true, .tls_server_name = "kube.nodegate.test"};
    k = kube_client_new(&d, err, sizeof err);
    assert_non_null(k);
    h = curl_easy_init();
    headers = NULL;
    kube_client_prepare(k, h, "/version", &headers);
    curl_easy_setopt(h, CURLOPT_TIMEOUT, 2L);
    curl_easy_perform(h);   /* refused, or whatever listens on 443: only the URL matters here */
    curl_easy_getinfo(h, CURLINFO_EFFECTIVE_URL, &url);
    assert_string_equal(url, "https://kube.nodegate.test:443/version");
    host = false;
    for (struct curl_slist *l = headers; l; l = l->next)
        host |= strcmp(l->data, "Host: 127.0.0.1") == 0;
    assert_true(host);
    curl_slist_free_all(headers);
    curl_easy_cleanup(h);
    kube_client_free(k);
}

/* Rewrites path in place (same inode) and sets its mtime to mtime, or to now when NULL. */
static void rewrite(const char *path, const char *text, const struct timespec *mtime)
{
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fputs(text, fp);
    assert_int_equal(fclose(fp), 0);
    struct timespec t[2] = {{.tv_nsec = UTIME_OMIT}, {.tv_nsec = UTIME_NOW}};
    if (mtime)
        t[1] = *mtime;
    assert_int_equal(utimensat(AT_FDCWD, path, t, 0), 0);
}

static void test_client_token_file(void **state)
{
    fixture *fx = *state;
    char path[256], err[512] = "", auth[256];
    write_at(fx, "token", "  first-token \r\n", path, sizeof path);
    kube_config c = {.server = "https://10.0.0.1:6443", .token = "inline-loses", .token_file = path};
    kube_client *k = kube_client_new(&c, err, sizeof err);
    if (!k)
        fail_msg("%s", err);
    auth_header(k, auth, sizeof auth);
    assert_string_equal(auth, "Authorization: Bearer first-token");   /* trimmed; the file wins */

    rewrite(path, "second-token\n", NULL);   /* another size */
    auth_header(k, auth, sizeof auth);
    assert_string_equal(auth, "Authorization: Bearer second-token");

    /* same size, same inode, same mtime: nothing says it changed, so the old token stays until
     * the API server rejects it */
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    rewrite(path, "third-token!\n", &st.st_mtim);
    auth_header(k, auth, sizeof auth);
    assert_string_equal(auth, "Authorization: Bearer second-token");
    kube_client_token_rejected(k);
    auth_header(k, auth, sizeof auth);
    assert_string_equal(auth, "Authorization: Bearer third-token!");

    /* same size, new mtime */
    struct timespec later = {.tv_sec = st.st_mtim.tv_sec + 5, .tv_nsec = st.st_mtim.tv_nsec};
    rewrite(path, "fourth-token\n", &later);
    auth_header(k, auth, sizeof auth);
    assert_string_equal(auth, "Authorization: Bearer fourth-token");

    /* a rotation by rename (a new inode), as the kubelet does it */
    char next[256];
    write_at(fx, "token.new", "fifth-token\n\n", next, sizeof next);
    assert_int_equal(rename(next, path), 0);
    auth_header(k, auth, sizeof auth);
    assert_string_equal(auth, "Authorization: Bearer fifth-token");

    /* gone, or empty for a moment: the last token is kept (an error is logged once) */
    assert_int_equal(unlink(path), 0);
    auth_header(k, auth, sizeof auth);
    assert_string_equal(auth, "Authorization: Bearer fifth-token");
    rewrite(path, "", NULL);
    kube_client_token_rejected(k);
    auth_header(k, auth, sizeof auth);
    assert_string_equal(auth, "Authorization: Bearer fifth-token");
    rewrite(path, "sixth-token", NULL);   /* and the rejected token is still re-read */
    auth_header(k, auth, sizeof auth);
    assert_string_equal(auth, "Authorization: Bearer sixth-token");
    kube_client_free(k);

    /* an inline token alone; none at all */
    kube_config d = {.server = "https://10.0.0.1:6443", .token = "inline\n"};
    k = kube_client_new(&d, err, sizeof err);
    auth_header(k, auth, sizeof auth);
    assert_string_equal(auth, "Authorization: Bearer inline");
    kube_client_free(k);
    d.token = NULL;
    k = kube_client_new(&d, err, sizeof err);
    auth_header(k, auth, sizeof auth);
    assert_string_equal(auth, "");
    kube_client_free(k);
    kube_client_free(NULL);
}

/* kube_client_new on c must fail with origin ": " want (%s in want: fx->dir). */
static void new_fails(const fixture *fx, const kube_config *c, const char *want)
{
    char err[512] = "", full[640];
    assert_null(kube_client_new(c, err, sizeof err));
    snprintf(full, sizeof full, want, fx->dir);
    assert_string_equal(err, full);
}

static void test_client_new_errors(void **state)
{
    fixture *fx = *state;
    char ca[256], cert[256], key[256], notpem[256], empty[256], token[256], missing[256];
    write_at(fx, "ca.crt", CA_PEM, ca, sizeof ca);
    write_at(fx, "u.crt", CERT_PEM, cert, sizeof cert);
    write_at(fx, "u.key", KEY_PEM, key, sizeof key);
    write_at(fx, "notpem", "hello\n", notpem, sizeof notpem);
    write_at(fx, "empty", " \n", empty, sizeof empty);
    write_at(fx, "token", "tok\n", token, sizeof token);
    snprintf(missing, sizeof missing, "%s/missing", fx->dir);
    char err[512] = "";

    kube_config ok = {.server = "https://h:6443", .ca_file = ca, .cert_file = cert, .key_file = key,
                      .token_file = token, .origin = "O"};
    kube_client *k = kube_client_new(&ok, err, sizeof err);
    if (!k)
        fail_msg("%s", err);
    kube_client_free(k);
    kube_config data = {.server = "https://h:6443", .ca_data = CA_PEM, .ca_data_len = strlen(CA_PEM),
                        .cert_data = CERT_PEM, .cert_data_len = strlen(CERT_PEM), .key_data = KEY_PEM,
                        .key_data_len = strlen(KEY_PEM), .ca_file = missing, .origin = "O"};
    k = kube_client_new(&data, err, sizeof err);   /* the data wins: the missing file is not read */
    if (!k)
        fail_msg("%s", err);
    CURL *h = curl_easy_init();   /* prepare sets the blobs without complaint */
    struct curl_slist *headers = NULL;
    kube_client_prepare(k, h, "/api", &headers);
    curl_slist_free_all(headers);
    curl_easy_cleanup(h);
    kube_client_free(k);

    kube_config c = ok;
    c.ca_file = missing;
    new_fails(fx, &c, "O: certificate-authority %s/missing: cannot read: No such file or directory");
    c = ok;
    c.ca_file = notpem;
    new_fails(fx, &c, "O: certificate-authority %s/notpem: holds no PEM block \"CERTIFICATE-----\"");
    c = ok;
    c.cert_file = key;
    new_fails(fx, &c, "O: client-certificate %s/u.key: holds no PEM block \"CERTIFICATE-----\"");
    c = ok;
    c.key_file = missing;
    new_fails(fx, &c, "O: client-key %s/missing: cannot read: No such file or directory");
    c = ok;
    c.key_file = cert;
    new_fails(fx, &c, "O: client-key %s/u.crt: holds no PEM block \"PRIVATE KEY-----\"");
    c = data;
    c.ca_data = "junk";
    c.ca_data_len = 4;
    new_fails(fx, &c, "O: certificate-authority-data: holds no PEM block \"CERTIFICATE-----\"");
    c = data;
    c.key_data = CERT_PEM;
    c.key_data_len = strlen(CERT_PEM);
    new_fails(fx, &c, "O: client-key-data: holds no PEM block \"PRIVATE KEY-----\"");
    c = ok;
    c.token_file = missing;
    new_fails(fx, &c, "O: token file %s/missing: No such file or directory");
    c = ok;
    c.token_file = empty;
    new_fails(fx, &c, "O: token file %s/empty: empty");
    c = ok;
    c.token_file = NULL;
    c.token = "a\r\nX-Injected: 1";
    new_fails(fx, &c, "O: token: holds a control character");
    c = ok;
    c.server = "https://bad host:6443";
    new_fails(fx, &c, "O: server \"https://bad host:6443\": Bad hostname");
    c = ok;
    c.server = NULL;
    new_fails(fx, &c, "O: no server");
}

/* The reader and the client together: a kubeconfig with files beside it, to a request. */
static void test_kubeconfig_to_request(void **state)
{
    fixture *fx = *state;
    loopback s;
    loopback_start(&s, false);
    write_file(fx, "creds/token", "from-file\n");
    char text[512], err[512] = "";
    snprintf(text, sizeof text,
             "clusters:\n- name: local\n  cluster:\n    server: http://127.0.0.1:%d/\n"
             "contexts:\n- name: dev\n  context: {cluster: local, user: me}\ncurrent-context: dev\n"
             "users:\n- name: me\n  user: {tokenFile: creds/token}\n",
             s.port);
    kube_config c;
    load_ok(fx, text, NULL, &c);
    kube_client *k = kube_client_new(&c, err, sizeof err);
    kube_config_free(&c);   /* the client keeps its own copy */
    if (!k)
        fail_msg("%s", err);
    CURL *h = curl_easy_init();
    assert_int_equal(get(k, h, "/api/v1/nodes"), CURLE_OK);
    curl_easy_cleanup(h);
    kube_client_free(k);
    loopback_stop(&s);
    assert_int_equal(s.nreq, 1);
    assert_true(starts_with(s.req[0], "GET /api/v1/nodes HTTP/1.1\r\n"));
    assert_true(has_line(s.req[0], "Authorization: Bearer from-file"));
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);   /* the program's business, as client.h says */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_every_field, setup, teardown),
        cmocka_unit_test_setup_teardown(test_insecure, setup, teardown),
        cmocka_unit_test_setup_teardown(test_data_decoded, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_base64, setup, teardown),
        cmocka_unit_test_setup_teardown(test_current_and_explicit_context, setup, teardown),
        cmocka_unit_test_setup_teardown(test_context_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cluster_and_user_not_found, setup, teardown),
        cmocka_unit_test_setup_teardown(test_relative_paths, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refused_users, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_files, setup, teardown),
        cmocka_unit_test_setup_teardown(test_in_cluster, setup, teardown),
        cmocka_unit_test_setup_teardown(test_client_request, setup, teardown),
        cmocka_unit_test_setup_teardown(test_client_tls_server_name, setup, teardown),
        cmocka_unit_test_setup_teardown(test_client_token_file, setup, teardown),
        cmocka_unit_test_setup_teardown(test_client_new_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_kubeconfig_to_request, setup, teardown),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    curl_global_cleanup();
    return failed;
}
