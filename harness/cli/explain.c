/* explain.c - nodegate explain: a manifest's pod (or DaemonSet) through POST /explain, one row per
 * node, and what would change the outcome. */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cli.h"
#include "readfile.h"
#include "xalloc.h"
#include "yaml_json.h"

static const char help[] =
    "Explain why each node fits a pod, or not, as kube-scheduler and the DaemonSet controller decide.\n"
    "\n"
    "Usage: nodegate explain -f FILE [-o table|json]\n"
    "\n"
    "FILE (- for stdin) holds, in YAML or JSON, a Pod, a Deployment, ReplicaSet, StatefulSet, Job or\n"
    "CronJob (their pod template is explained), or a DaemonSet (the pod the controller creates for\n"
    "each node: its default tolerations, pinned to the node). One table per object: the verdict, the\n"
    "first rule that fails in the scheduler's order (for a DaemonSet the controller's) with the exact\n"
    "taint or selector term, the TaintToleration, NodeAffinity and combined scores /prioritize gives\n"
    "over these nodes, and for a DaemonSet shouldRun and shouldContinueRunning. Then what would change\n"
    "the outcome. -o json prints the server's explanation as is (an array for several objects).\n";

typedef struct {
    host_buf *bodies;   /* request bodies, NUL-separated */
    int n;
    char err[512];
} manifest;

static json_t *at(json_t *o, const char *path)
{
    char part[64];
    while (o && *path) {
        size_t n = strcspn(path, ".");
        snprintf(part, sizeof part, "%.*s", (int)n, path);
        o = json_object_get(o, part);
        path += n + (path[n] == '.');
    }
    return o;
}

/* The /explain body of one object: the object itself for a Pod or a DaemonSet, else the pod
 * its controller makes from the template (named after the workload). */
static int add_object(manifest *m, json_t *obj)
{
    static const struct { const char *kind, *template; } workloads[] = {
        {"Deployment", "spec.template"}, {"ReplicaSet", "spec.template"}, {"StatefulSet", "spec.template"},
        {"Job", "spec.template"},        {"CronJob", "spec.jobTemplate.spec.template"}};
    const char *kind = json_string_value(json_object_get(obj, "kind"));
    json_t *body = json_object();
    if (kind && strcmp(kind, "List") == 0) {
        json_t *item;
        size_t i;
        json_decref(body);
        json_array_foreach(json_object_get(obj, "items"), i, item) if (add_object(m, item)) return 1;
        return 0;
    }
    if (kind && (strcmp(kind, "Pod") == 0 || strcmp(kind, "DaemonSet") == 0)) {
        json_object_set(body, kind, obj);
    } else {
        size_t k = 0;
        while (kind && k < sizeof workloads / sizeof *workloads && strcmp(workloads[k].kind, kind) != 0)
            k++;
        if (!kind || k == sizeof workloads / sizeof *workloads) {
            snprintf(m->err, sizeof m->err,
                     "%s%s%s: nodegate explains a Pod, Deployment, ReplicaSet, StatefulSet, Job, CronJob or DaemonSet",
                     kind ? "kind " : "an object without a kind", kind ? kind : "", kind ? " is not one of them" : "");
            json_decref(body);
            return 1;
        }
        json_t *template = at(obj, workloads[k].template), *meta = json_object();
        json_object_set(meta, "name", at(obj, "metadata.name") ? at(obj, "metadata.name") : json_string(""));
        if (at(obj, "metadata.namespace"))
            json_object_set(meta, "namespace", at(obj, "metadata.namespace"));
        json_t *pod = json_pack("{s:s,s:s,s:o,s:O}", "apiVersion", "v1", "kind", "Pod", "metadata", meta, "spec",
                                json_object_get(template, "spec") ? json_object_get(template, "spec") : json_object());
        json_object_set_new(body, "Pod", pod);
    }
    char *text = json_dumps(body, JSON_COMPACT);
    host_buf_put(m->bodies, text, strlen(text) + 1);
    m->n++;
    free(text);
    json_decref(body);
    return 0;
}

static int add_document(void *cls, const char *json, size_t len)
{
    manifest *m = cls;
    json_error_t jerr;
    json_t *obj = json_loadb(json, len, 0, &jerr);
    if (!obj) {
        snprintf(m->err, sizeof m->err, "%s (line %d, column %d)", jerr.text, jerr.line, jerr.column);
        return 1;
    }
    int rc = add_object(m, obj);
    json_decref(obj);
    return rc;
}

/* key[=value]:effect, as kubectl writes a taint. */
static void put_taint(host_buf *b, json_t *t)
{
    const char *v = json_string_value(json_object_get(t, "value"));
    host_buf_printf(b, "%s%s%s:%s", json_string_value(json_object_get(t, "key")), v && v[0] ? "=" : "", v ? v : "",
                    json_string_value(json_object_get(t, "effect")));
}

static void put_requirement(host_buf *b, json_t *r)
{
    host_buf_printf(b, "%s %s", json_string_value(json_object_get(r, "key")),
                    json_string_value(json_object_get(r, "operator")));
    json_t *vals = json_object_get(r, "values"), *v;
    size_t i;
    if (vals) {
        host_buf_puts(b, " [");
        json_array_foreach(vals, i, v) host_buf_printf(b, "%s%s", i ? " " : "", json_string_value(v));
        host_buf_puts(b, "]");
    }
}

static void put_node_value(host_buf *b, json_t *holder, const char *key)
{
    json_t *v = json_object_get(holder, "nodeValue");
    if (v)
        host_buf_printf(b, " (node has %s=%s)", key, json_string_value(v));
    else
        host_buf_printf(b, " (node has no %s)", key);
}

/* The REASON column: the first failing rule, with what exactly failed. */
static void put_reason(host_buf *b, json_t *n)
{
    const char *rule = json_string_value(json_object_get(n, "rule"));
    if (!rule)
        return;
    if (strcmp(rule, "TaintToleration") == 0) {
        host_buf_puts(b, "untolerated taint ");
        put_taint(b, json_object_get(n, "taint"));
    } else if (strcmp(rule, "NodeUnschedulable") == 0) {
        host_buf_puts(b, "cordoned (spec.unschedulable)");
    } else if (strcmp(rule, "NodeName") == 0) {
        host_buf_printf(b, "spec.nodeName is %s", json_string_value(json_object_get(n, "nodeName")));
    } else if (strcmp(rule, "NodeAffinity") == 0) {
        json_t *sel = json_object_get(n, "nodeSelector"), *terms = json_object_get(n, "terms"), *t;
        if (sel) {
            const char *key = json_string_value(json_object_get(sel, "key"));
            host_buf_printf(b, "nodeSelector %s=%s", key, json_string_value(json_object_get(sel, "value")));
            put_node_value(b, sel, key);
            return;
        }
        if (!json_array_size(terms))
            host_buf_puts(b, "required affinity has no nodeSelectorTerms: no node matches");
        size_t i;
        json_array_foreach(terms, i, t) {
            host_buf_printf(b, "%sterm %lld: ", i ? "; " : "no required term matches: ",
                            (long long)json_integer_value(json_object_get(t, "term")));
            if (json_object_get(t, "empty"))
                host_buf_puts(b, "empty, matches nothing");
            else if (json_object_get(t, "invalid"))
                host_buf_puts(b, "does not parse");
            else {
                json_t *r = json_object_get(t, "requirement");
                put_requirement(b, r);
                put_node_value(b, t, json_string_value(json_object_get(r, "key")));
            }
        }
    } else {
        host_buf_puts(b, json_string_value(json_object_get(n, "reason")));
    }
}

static const char *cell(json_t *v, char *buf, size_t n)
{
    if (json_is_integer(v))
        snprintf(buf, n, "%lld", (long long)json_integer_value(v));
    else if (json_is_boolean(v))
        snprintf(buf, n, "%s", json_is_true(v) ? "true" : "false");
    else
        snprintf(buf, n, "-");
    return buf;
}

/* What would change the outcome of the refused nodes: the tolerations to paste, and the node
 * commands (nodegate's, and kubectl's for a cluster). */
static void print_hints(json_t *ex, bool daemon)
{
    json_t *nodes = json_object_get(ex, "nodes"), *n;
    host_buf tols = {0}, cmds = {0};
    size_t i, k;
    json_array_foreach(nodes, i, n) {
        if (json_is_true(json_object_get(n, "fits")))
            continue;
        const char *name = json_string_value(json_object_get(n, "name"));
        json_t *failing = json_object_get(n, "failing"), *rule, *t;
        json_array_foreach(failing, k, rule) {
            const char *r = json_string_value(rule);
            if (strcmp(r, "TaintToleration") == 0) {
                size_t j;
                json_array_foreach(json_object_get(n, "untolerated"), j, t) {
                    host_buf spec = {0};
                    put_taint(&spec, t);
                    host_buf mark = {0};
                    host_buf_printf(&mark, "# tolerates %s\n", spec.p);
                    if (!strstr(tols.p ? tols.p : "", mark.p)) {
                        const char *v = json_string_value(json_object_get(t, "value"));
                        host_buf_printf(&tols, "  - key: %s\n", json_string_value(json_object_get(t, "key")));
                        if (v[0])
                            host_buf_printf(&tols, "    operator: Equal\n    value: \"%s\"\n", v);
                        else
                            host_buf_puts(&tols, "    operator: Exists\n");
                        host_buf_printf(&tols, "    effect: %s\n    %s", json_string_value(json_object_get(t, "effect")),
                                        mark.p);
                    }
                    host_buf_free(&mark);
                    host_buf_printf(&cmds, "  nodegate taint node %s %s:%s-    (kubectl taint node %s %s:%s-)\n", name,
                                    json_string_value(json_object_get(t, "key")),
                                    json_string_value(json_object_get(t, "effect")), name,
                                    json_string_value(json_object_get(t, "key")),
                                    json_string_value(json_object_get(t, "effect")));
                    host_buf_free(&spec);
                }
            } else if (strcmp(r, "NodeUnschedulable") == 0) {
                host_buf_printf(&cmds, "  nodegate uncordon %s    (kubectl uncordon %s)\n", name, name);
            } else if (strcmp(r, "NodeAffinity") == 0 && json_object_get(n, "nodeSelector")) {
                json_t *sel = json_object_get(n, "nodeSelector");
                const char *key = json_string_value(json_object_get(sel, "key"));
                const char *val = json_string_value(json_object_get(sel, "value"));
                const char *ow = json_object_get(sel, "nodeValue") ? " --overwrite" : "";
                host_buf_printf(&cmds, "  nodegate label node %s %s=%s%s    (kubectl label node %s %s=%s%s)\n", name,
                                key, val, ow, name, key, val, ow);
            } else if (strcmp(r, "NodeAffinity") == 0) {
                host_buf_printf(&cmds, "  %s matches no required node affinity term: change the terms or the node's labels\n",
                                name);
            }
        }
    }
    if (!tols.len && !cmds.len)
        printf("\nEvery node fits.\n");
    if (tols.len)
        printf("\nTo tolerate the taints, add to %s:\n  tolerations:\n%s", daemon ? "spec.template.spec" : "the pod's spec",
               tols.p);
    if (cmds.len)
        printf("\n%s the nodes instead:\n%s", tols.len ? "Or change" : "To change the outcome, change", cmds.p);
    host_buf_free(&tols);
    host_buf_free(&cmds);
}

static void print_table(cli_ctx *c, json_t *ex)
{
    bool daemon = strcmp(json_string_value(json_object_get(ex, "kind")), "DaemonSet") == 0;
    json_t *nodes = json_object_get(ex, "nodes"), *n;
    const char *name = json_string_value(json_object_get(ex, "name"));
    printf("%s %s%s\n", daemon ? "DaemonSet" : "Pod", name && name[0] ? name : "(unnamed)",
           daemon ? ": the pod the controller creates for each node (default tolerations, pinned to it)" : "");
    if (json_object_get(ex, "scoreError"))
        printf("no scores: /prioritize refuses the pod: %s\n", json_string_value(json_object_get(ex, "scoreError")));
    size_t i, w = 4;
    json_array_foreach(nodes, i, n) {
        size_t l = strlen(json_string_value(json_object_get(n, "name")));
        w = l > w ? l : w;
    }
    if (daemon)
        printf("%-*s   %-8s %-11s %-24s %s\n", (int)w, "NODE", "VERDICT", "SHOULD-RUN", "SHOULD-CONTINUE-RUNNING",
               "REASON");
    else
        printf("%-*s   %-8s %-6s %-9s %-6s %s\n", (int)w, "NODE", "VERDICT", "TAINT", "AFFINITY", "SCORE", "REASON");
    json_array_foreach(nodes, i, n) {
        bool fits = json_is_true(json_object_get(n, "fits"));
        char a[16], b[16], s[16];
        host_buf reason = {0};
        put_reason(&reason, n);
        printf("%-*s   %s%-8s%s ", (int)w, json_string_value(json_object_get(n, "name")),
               c->color ? (fits ? "\033[32m" : "\033[31m") : "", fits ? "fits" : "refused", c->color ? "\033[0m" : "");
        if (daemon) {
            printf("%-11s %-24s ", cell(json_object_get(n, "shouldRun"), a, sizeof a),
                   cell(json_object_get(n, "shouldContinueRunning"), b, sizeof b));
        } else {
            json_t *sc = json_object_get(n, "scores");
            printf("%-6s %-9s %-6s ", cell(json_object_get(sc, "TaintToleration"), a, sizeof a),
                   cell(json_object_get(sc, "NodeAffinity"), b, sizeof b), cell(json_object_get(sc, "combined"), s, sizeof s));
        }
        printf("%s\n", reason.p ? reason.p : "");
        host_buf_free(&reason);
    }
    print_hints(ex, daemon);
}

int cli_explain_main(cli_ctx *c, int argc, char **argv)
{
    if (cli_wants_help(argc, argv)) {
        fputs(help, stdout);
        return CLI_OK;
    }
    const char *file = NULL, *output = "table";
    for (int i = 1; i < argc; i++) {
        const char **slot = strcmp(argv[i], "-f") == 0 || strcmp(argv[i], "--filename") == 0 ? &file
                            : strcmp(argv[i], "-o") == 0 || strcmp(argv[i], "--output") == 0 ? &output
                                                                                               : NULL;
        if (!slot)
            return cli_error(CLI_USAGE, "unknown argument for explain: %s\nSee 'nodegate explain --help'.", argv[i]);
        if (i + 1 >= argc)
            return cli_error(CLI_USAGE, "flag needs an argument: %s", argv[i]);
        *slot = argv[++i];
    }
    if (!file)
        return cli_error(CLI_USAGE, "must specify -f FILE (- for stdin)\nSee 'nodegate explain --help'.");
    if (strcmp(output, "table") != 0 && strcmp(output, "json") != 0)
        return cli_error(CLI_USAGE, "unable to match a printer suitable for the output format \"%s\", the formats are: json, table", output);
    size_t len;
    char *text = host_read_file(strcmp(file, "-") == 0 ? "/dev/stdin" : file, &len);
    if (!text)
        return cli_error(CLI_FAILED, "the path \"%s\" cannot be read: %s", file, strerror(errno));
    host_buf bodies = {0};
    manifest m = {.bodies = &bodies};
    char yerr[512];
    int rc = host_yaml_looks_json(text, len) ? add_document(&m, text, len)
                                             : host_yaml_to_json(text, len, add_document, &m, yerr, sizeof yerr);
    free(text);
    if (rc < 0 || rc > 0 || m.n == 0) {
        host_buf_free(&bodies);
        return cli_error(CLI_FAILED, "%s: %s", file, rc < 0 ? yerr : rc > 0 ? m.err : "no object in the file");
    }
    int status = CLI_OK;
    const char *body = bodies.p;
    if (strcmp(output, "json") == 0 && m.n > 1)
        putchar('[');
    for (int k = 0; k < m.n && status == CLI_OK; k++, body += strlen(body) + 1) {
        cli_reply r;
        cli_explain(c->b, body, strlen(body), &r);
        char err[2048];
        json_t *ex = r.status == 200 ? json_loads(r.body, 0, NULL) : NULL;
        if (!ex) {
            status = cli_error(CLI_FAILED, "%s", cli_reply_error(&r, err, sizeof err));
        } else if (strcmp(output, "json") == 0) {
            printf("%s%s", k ? "," : "", r.body);
        } else {
            if (k)
                putchar('\n');
            print_table(c, ex);
        }
        json_decref(ex);
        cli_reply_free(&r);
    }
    if (strcmp(output, "json") == 0 && status == CLI_OK)
        printf("%s\n", m.n > 1 ? "]" : "");
    host_buf_free(&bodies);
    return status;
}
