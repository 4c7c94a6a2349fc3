/* nodecmd.c - kubectl's node commands on nodegate's node cache: get, describe, taint, label, cordon
 * and uncordon, each changing only what it names through PATCH /nodes/NAME (a JSON merge patch). */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cli.h"
#include "spec.h"
#include "xalloc.h"

static const char get_help[] =
    "List the nodes as the node cache holds them.\n\n"
    "Usage: nodegate get nodes [-o wide|json]\n\n"
    "NAME, SCHEDULING (SchedulingDisabled when cordoned), ROLES (from node-role.kubernetes.io/ labels,\n"
    "as kubectl shows them) and TAINTS; -o wide adds LABELS; -o json prints the NodeList.\n";
static const char describe_help[] =
    "Show one node as the node cache holds it: its labels, taints and whether it is cordoned.\n\n"
    "Usage: nodegate describe node NAME\n";
static const char taint_help[] =
    "Update the taints on a node, as kubectl taint does.\n\n"
    "Usage: nodegate taint node NAME KEY[=VALUE]:EFFECT ... [KEY[:EFFECT]- ...] [--overwrite]\n\n"
    "  KEY=VALUE:EFFECT   add a taint (EFFECT: NoSchedule, PreferNoSchedule or NoExecute); a taint of\n"
    "                     the same key and effect is replaced only with --overwrite\n"
    "  KEY:EFFECT-        remove the taint of that key and effect\n"
    "  KEY-               remove every taint of that key\n\n"
    "Example (the lesson): nodegate taint node master node-role.kubernetes.io/master:NoSchedule-\n"
    "Refused offline (--nodes FILE) and while the server's cache follows the API server (use kubectl).\n";
static const char label_help[] =
    "Update the labels on a node, as kubectl label does.\n\n"
    "Usage: nodegate label node NAME KEY=VALUE ... [KEY- ...] [--overwrite]\n\n"
    "A label that has another value is changed only with --overwrite. Refused offline (--nodes FILE)\n"
    "and while the server's cache follows the API server (use kubectl).\n";
static const char cordon_help[] =
    "Mark a node unschedulable (cordon) or schedulable (uncordon), as kubectl does.\n\n"
    "Usage: nodegate cordon NAME\n       nodegate uncordon NAME\n\n"
    "Only spec.unschedulable changes: in a cluster the node lifecycle controller adds or removes the\n"
    "node.kubernetes.io/unschedulable:NoSchedule taint; nodegate has no controller, so that taint is\n"
    "left as it is (nodegate taint changes it). Refused offline and while the API server owns the cache.\n";

/* The node name of "node NAME", "nodes NAME", "no NAME" or "node/NAME" at argv[*i]; advances *i. */
static const char *node_arg(int argc, char **argv, int *i, int *rc)
{
    const char *a = argv[*i];
    *rc = CLI_OK;
    if (strncmp(a, "node/", 5) == 0 || strncmp(a, "nodes/", 6) == 0) {
        (*i)++;
        return strchr(a, '/') + 1;
    }
    if (strcmp(a, "node") != 0 && strcmp(a, "nodes") != 0 && strcmp(a, "no") != 0) {
        *rc = cli_error(CLI_USAGE, "invalid resource type %s, only node types are supported", a);
        return NULL;
    }
    if (*i + 1 >= argc) {
        *rc = cli_error(CLI_USAGE, "one or more resources must be specified as <resource> <name>");
        return NULL;
    }
    *i += 2;
    return argv[*i - 1];
}

/* The node as the backend holds it, or NULL after printing kubectl's error. */
static json_t *fetch(cli_ctx *c, const char *name, int *rc)
{
    cli_reply r;
    cli_get_nodes(c->b, name, &r);
    json_t *node = r.status == 200 ? json_loads(r.body, 0, NULL) : NULL;
    char err[2048];
    if (r.status == 404)
        *rc = (fprintf(stderr, "Error from server (NotFound): nodes \"%s\" not found\n", name), CLI_FAILED);
    else if (!node)
        *rc = cli_error(CLI_FAILED, "%s", cli_reply_error(&r, err, sizeof err));
    cli_reply_free(&r);
    return node;
}

/* Sends patch; prints "node/NAME what" on success. argv is the command as typed, for the 409's
 * advice to run it with kubectl. */
static int send_patch(cli_ctx *c, const char *name, json_t *patch, const char *what, int argc, char **argv)
{
    char *text = json_dumps(patch, JSON_COMPACT);
    cli_reply r;
    cli_patch_node(c->b, name, text, &r);
    free(text);
    char err[2048];
    int rc = CLI_OK;
    if (r.status == 200) {
        printf("node/%s %s\n", name, what);
    } else if (r.status == 409) {
        host_buf cmd = {0};
        for (int i = 0; i < argc; i++)
            host_buf_printf(&cmd, " %s", argv[i]);
        rc = cli_error(CLI_FAILED, "the server's node cache follows the API server, so nodegate does not change it: "
                                   "run kubectl%s", cmd.p);
        host_buf_free(&cmd);
    } else {
        rc = cli_error(CLI_FAILED, "%s", cli_reply_error(&r, err, sizeof err));
    }
    cli_reply_free(&r);
    return rc;
}

static void put_taint(host_buf *b, json_t *t)
{
    const char *v = json_string_value(json_object_get(t, "value"));
    const char *e = json_string_value(json_object_get(t, "effect"));
    host_buf_printf(b, "%s%s%s%s%s", json_string_value(json_object_get(t, "key")), v && v[0] ? "=" : "",
                    v ? v : "", e ? ":" : "", e ? e : "");
}

static int by_key(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The label keys of node, sorted (kubectl sorts them). The caller frees the array. */
static const char **sorted_keys(json_t *labels, size_t *n)
{
    const char **keys = host_xcalloc(json_object_size(labels) + 1, sizeof *keys);
    const char *k;
    json_t *v;
    *n = 0;
    json_object_foreach(labels, k, v) keys[(*n)++] = k;
    qsort(keys, *n, sizeof *keys, by_key);
    return keys;
}

/* kubectl's ROLES: node-role.kubernetes.io/ROLE labels and kubernetes.io/role's value, sorted. */
static void put_roles(host_buf *b, json_t *labels)
{
    size_t n, shown = 0;
    const char **keys = sorted_keys(labels, &n);
    for (size_t i = 0; i < n; i++) {
        const char *role = strncmp(keys[i], "node-role.kubernetes.io/", 24) == 0 ? keys[i] + 24
                           : strcmp(keys[i], "kubernetes.io/role") == 0 ? json_string_value(json_object_get(labels, keys[i]))
                                                                         : NULL;
        if (role && role[0])
            host_buf_printf(b, "%s%s", shown++ ? "," : "", role);
    }
    if (!shown)
        host_buf_puts(b, "<none>");
    free(keys);
}

int cli_get_main(cli_ctx *c, int argc, char **argv)
{
    if (cli_wants_help(argc, argv))
        return fputs(get_help, stdout), CLI_OK;
    const char *output = "";
    if (argc < 2 || (strcmp(argv[1], "nodes") != 0 && strcmp(argv[1], "node") != 0 && strcmp(argv[1], "no") != 0))
        return cli_error(CLI_USAGE, "nodegate gets nodes only: nodegate get nodes [-o wide|json]");
    for (int i = 2; i < argc; i++) {
        if ((strcmp(argv[i], "-o") == 0 || strcmp(argv[i], "--output") == 0) && i + 1 < argc)
            output = argv[++i];
        else
            return cli_error(CLI_USAGE, "unknown argument for get: %s\nSee 'nodegate get --help'.", argv[i]);
    }
    bool wide = strcmp(output, "wide") == 0, json = strcmp(output, "json") == 0;
    if (output[0] && !wide && !json)
        return cli_error(CLI_USAGE, "unable to match a printer suitable for the output format \"%s\", the formats are: json, wide", output);
    int rc = CLI_OK;
    json_t *list = fetch(c, NULL, &rc), *n;
    if (!list)
        return rc;
    if (json) {
        char *text = json_dumps(list, JSON_INDENT(4) | JSON_PRESERVE_ORDER);
        printf("%s\n", text);
        free(text);
        json_decref(list);
        return CLI_OK;
    }
    size_t i, w = 4;
    json_array_foreach(json_object_get(list, "items"), i, n) {
        size_t l = strlen(json_string_value(json_object_get(json_object_get(n, "metadata"), "name")));
        w = l > w ? l : w;
    }
    printf("%-*s   %-18s   %-22s   %s%s\n", (int)w, "NAME", "SCHEDULING", "ROLES", wide ? "TAINTS   " : "TAINTS",
           wide ? "LABELS" : "");
    json_array_foreach(json_object_get(list, "items"), i, n) {
        json_t *meta = json_object_get(n, "metadata"), *spec = json_object_get(n, "spec"), *t;
        host_buf roles = {0}, taints = {0}, labels = {0};
        put_roles(&roles, json_object_get(meta, "labels"));
        size_t k;
        json_array_foreach(json_object_get(spec, "taints"), k, t) {
            if (k)
                host_buf_puts(&taints, ",");
            put_taint(&taints, t);
        }
        size_t nkeys;
        const char **keys = sorted_keys(json_object_get(meta, "labels"), &nkeys);
        for (k = 0; k < nkeys; k++)
            host_buf_printf(&labels, "%s%s=%s", k ? "," : "", keys[k],
                            json_string_value(json_object_get(json_object_get(meta, "labels"), keys[k])));
        free(keys);
        printf("%-*s   %-18s   %-22s   %s%s%s\n", (int)w, json_string_value(json_object_get(meta, "name")),
               json_is_true(json_object_get(spec, "unschedulable")) ? "SchedulingDisabled" : "Enabled", roles.p,
               taints.p ? taints.p : "<none>", wide ? "   " : "", wide ? (labels.p ? labels.p : "<none>") : "");
        host_buf_free(&roles);
        host_buf_free(&taints);
        host_buf_free(&labels);
    }
    json_decref(list);
    return CLI_OK;
}

int cli_describe_main(cli_ctx *c, int argc, char **argv)
{
    if (cli_wants_help(argc, argv))
        return fputs(describe_help, stdout), CLI_OK;
    int i = 1, rc;
    if (argc < 2)
        return cli_error(CLI_USAGE, "You must specify the type of resource to describe: nodegate describe node NAME");
    const char *name = node_arg(argc, argv, &i, &rc);
    if (!name)
        return rc;
    if (i < argc)
        return cli_error(CLI_USAGE, "nodegate describes one node: unexpected %s", argv[i]);
    json_t *node = fetch(c, name, &rc), *t;
    if (!node)
        return rc;
    json_t *meta = json_object_get(node, "metadata"), *spec = json_object_get(node, "spec");
    json_t *labels = json_object_get(meta, "labels");
    host_buf roles = {0};
    put_roles(&roles, labels);
    printf("%-20s%s\n%-20s%s\n", "Name:", name, "Roles:", roles.p);
    host_buf_free(&roles);
    size_t n, k;
    const char **keys = sorted_keys(labels, &n);
    for (k = 0; k < n; k++)
        printf("%-20s%s=%s\n", k ? "" : "Labels:", keys[k], json_string_value(json_object_get(labels, keys[k])));
    if (!n)
        printf("%-20s<none>\n", "Labels:");
    free(keys);
    json_array_foreach(json_object_get(spec, "taints"), k, t) {
        host_buf s = {0};
        put_taint(&s, t);
        printf("%-20s%s\n", k ? "" : "Taints:", s.p);
        host_buf_free(&s);
    }
    if (!json_array_size(json_object_get(spec, "taints")))
        printf("%-20s<none>\n", "Taints:");
    printf("%-20s%s\n", "Unschedulable:", json_is_true(json_object_get(spec, "unschedulable")) ? "true" : "false");
    json_decref(node);
    return CLI_OK;
}

/* Taint.MatchTaint: the same key and effect. */
static bool same_taint(json_t *t, const char *key, const char *effect)
{
    const char *e = json_string_value(json_object_get(t, "effect"));
    return strcmp(json_string_value(json_object_get(t, "key")), key) == 0 && strcmp(e ? e : "", effect) == 0;
}

int cli_taint_main(cli_ctx *c, int argc, char **argv)
{
    if (cli_wants_help(argc, argv))
        return fputs(taint_help, stdout), CLI_OK;
    bool overwrite = false;
    char *specs[argc], *names[argc];
    int nspecs = 0, nnames = 0;
    const char *type = NULL;
    for (int i = 1; i < argc; i++) {   /* kubectl: resources first, then taint changes */
        const char *a = argv[i];
        size_t len = strlen(a);
        if (strcmp(a, "--overwrite") == 0 || strcmp(a, "--overwrite=true") == 0) {
            overwrite = true;
            continue;
        }
        if (strchr(a, '=') || strchr(a, ':') || (len && a[len - 1] == '-'))
            specs[nspecs++] = argv[i];
        else if (nspecs)
            return cli_error(CLI_USAGE, "all resources must be specified before taint changes: %s", a);
        else if (!type)
            type = a;
        else
            names[nnames++] = argv[i];
    }
    if (!type)
        return cli_error(CLI_USAGE, "one or more resources must be specified as <resource> <name>");
    if (strncmp(type, "node/", 5) == 0)
        names[nnames++] = (char *)type + 5;
    else if (strcmp(type, "node") != 0 && strcmp(type, "nodes") != 0 && strcmp(type, "no") != 0)
        return cli_error(CLI_USAGE, "invalid resource type %s, only node types are supported", type);
    if (!nspecs)
        return cli_error(CLI_USAGE, "at least one taint update is required");
    if (!nnames)
        return cli_error(CLI_USAGE, "at least one resource name must be specified since 'all' parameter is not set");
    char err[2048];
    cli_taint_spec *s = cli_parse_taints(c->b->plugin.api, specs, nspecs, err, sizeof err);
    if (!s)
        return cli_error(CLI_USAGE, "%s\nSee 'nodegate taint --help' for help and examples", err);
    int rc = CLI_OK;
    for (int k = 0; k < nnames && rc == CLI_OK; k++) {
        json_t *node = fetch(c, names[k], &rc);
        if (!node)
            break;
        json_t *old = json_object_get(json_object_get(node, "spec"), "taints"), *t;
        json_t *now = json_array();
        host_buf exists = {0};
        size_t i;
        for (int j = 0; j < nspecs; j++) {   /* the added taints first, as kubectl orders them */
            if (s[j].remove)
                continue;
            json_array_foreach(old, i, t) if (same_taint(t, s[j].key, s[j].effect))
                host_buf_printf(&exists, "%s%s", exists.len ? "," : "", s[j].key);
            json_t *nt = json_pack("{s:s}", "key", s[j].key);
            if (s[j].value[0])
                json_object_set_new(nt, "value", json_string(s[j].value));
            json_object_set_new(nt, "effect", json_string(s[j].effect));
            json_array_append_new(now, nt);
        }
        if (exists.len && !overwrite) {
            rc = cli_error(CLI_FAILED, "node %s already has %s taint(s) with same effect(s) and --overwrite is false",
                           names[k], exists.p);
            host_buf_free(&exists);
            json_decref(now);
            json_decref(node);
            break;
        }
        host_buf_free(&exists);
        size_t added_from = json_array_size(now);
        json_array_foreach(old, i, t) {   /* addTaints: the old ones not replaced */
            bool replaced = false;
            for (size_t j = 0; j < added_from; j++) {
                json_t *a = json_array_get(now, j);
                replaced |= same_taint(t, json_string_value(json_object_get(a, "key")),
                                       json_string_value(json_object_get(a, "effect")));
            }
            if (!replaced)
                json_array_append(now, t);
        }
        bool added = json_array_size(old) != json_array_size(now), removed = false;
        host_buf missing = {0};
        int nmissing = 0;
        for (int j = 0; j < nspecs; j++) {   /* deleteTaints; kubectl keeps the last removal's result */
            if (!s[j].remove)
                continue;
            size_t before = json_array_size(now);
            for (i = json_array_size(now); i-- > 0;) {
                t = json_array_get(now, i);
                if (strcmp(json_string_value(json_object_get(t, "key")), s[j].key) == 0 &&
                    (!s[j].effect[0] || same_taint(t, s[j].key, s[j].effect)))
                    json_array_remove(now, i);
            }
            removed = json_array_size(now) != before;
            if (!removed)
                host_buf_printf(&missing, "%staint \"%s%s%s\" not found", nmissing++ ? ", " : "", s[j].key,
                                s[j].effect[0] ? ":" : "", s[j].effect);
        }
        if (nmissing) {   /* utilerrors.NewAggregate: one error as it is, more in brackets */
            rc = cli_error(CLI_FAILED, nmissing > 1 ? "[%s]" : "%s", missing.p);
        } else {
            const char *op = (added && removed) || overwrite ? "modified" : added ? "tainted" : "untainted";
            json_t *patch = json_pack("{s:{s:O}}", "spec", "taints", now);
            rc = send_patch(c, names[k], patch, op, argc, argv);
            json_decref(patch);
        }
        host_buf_free(&missing);
        json_decref(now);
        json_decref(node);
    }
    cli_taint_specs_free(s, nspecs);
    return rc;
}

int cli_label_main(cli_ctx *c, int argc, char **argv)
{
    if (cli_wants_help(argc, argv))
        return fputs(label_help, stdout), CLI_OK;
    bool overwrite = false;
    char *specs[argc];
    int nspecs = 0, i = 1, rc;
    if (argc < 2)
        return cli_error(CLI_USAGE, "one or more resources must be specified as <resource> <name>");
    const char *name = node_arg(argc, argv, &i, &rc);
    if (!name)
        return rc;
    for (; i < argc; i++) {
        if (strcmp(argv[i], "--overwrite") == 0 || strcmp(argv[i], "--overwrite=true") == 0)
            overwrite = true;
        else
            specs[nspecs++] = argv[i];
    }
    if (!nspecs)
        return cli_error(CLI_USAGE, "at least one label update is required");
    char err[2048];
    cli_label_spec *s = cli_parse_labels(c->b->plugin.api, specs, nspecs, err, sizeof err);
    if (!s)
        return cli_error(CLI_USAGE, "%s\nSee 'nodegate label --help' for help and examples", err);
    json_t *node = fetch(c, name, &rc);
    if (!node) {
        cli_label_specs_free(s, nspecs);
        return rc;
    }
    json_t *labels = json_object_get(json_object_get(node, "metadata"), "labels");
    json_t *now = labels ? json_deep_copy(labels) : json_object(), *patch_labels = json_object();
    host_buf clash = {0};
    int nclash = 0;
    for (int j = 0; j < nspecs; j++) {
        const char *cur = json_string_value(json_object_get(labels, s[j].key));
        if (!s[j].remove && cur && strcmp(cur, s[j].value) != 0 && !overwrite)
            host_buf_printf(&clash, "%s'%s' already has a value (%s), and --overwrite is false", nclash++ ? ", " : "",
                            s[j].key, cur);
    }
    if (nclash) {
        rc = cli_error(CLI_FAILED, nclash > 1 ? "[%s]" : "%s", clash.p);
    } else {
        for (int j = 0; j < nspecs; j++) {
            if (s[j].remove) {
                if (!json_object_get(now, s[j].key))
                    printf("label \"%s\" not found.\n", s[j].key);
                json_object_del(now, s[j].key);
                json_object_set_new(patch_labels, s[j].key, json_null());
            } else {
                json_object_set_new(now, s[j].key, json_string(s[j].value));
                json_object_set_new(patch_labels, s[j].key, json_string(s[j].value));
            }
        }
        /* kubectl's message: labeled, unlabeled when (without --overwrite) the object got shorter */
        char *before = json_dumps(labels ? labels : json_object(), JSON_COMPACT | JSON_SORT_KEYS);
        char *after = json_dumps(now, JSON_COMPACT | JSON_SORT_KEYS);
        const char *what = strcmp(before, after) == 0                   ? "not labeled"
                           : !overwrite && strlen(after) < strlen(before) ? "unlabeled"
                                                                          : "labeled";
        if (strcmp(before, after) == 0)
            printf("node/%s %s\n", name, what);
        else {
            json_t *patch = json_pack("{s:{s:O}}", "metadata", "labels", patch_labels);
            rc = send_patch(c, name, patch, what, argc, argv);
            json_decref(patch);
        }
        free(before);
        free(after);
    }
    host_buf_free(&clash);
    json_decref(patch_labels);
    json_decref(now);
    json_decref(node);
    cli_label_specs_free(s, nspecs);
    return rc;
}

int cli_cordon_main(cli_ctx *c, int argc, char **argv)
{
    if (cli_wants_help(argc, argv))
        return fputs(cordon_help, stdout), CLI_OK;
    bool cordon = strcmp(argv[0], "cordon") == 0;
    if (argc != 2)
        return cli_error(CLI_USAGE, "USAGE: nodegate %s NAME", argv[0]);
    const char *name = strncmp(argv[1], "node/", 5) == 0 ? argv[1] + 5 : argv[1];
    int rc = CLI_OK;
    json_t *node = fetch(c, name, &rc);
    if (!node)
        return rc;
    bool now = json_is_true(json_object_get(json_object_get(node, "spec"), "unschedulable"));
    json_decref(node);
    if (now == cordon) {
        printf("node/%s already %s\n", name, cordon ? "cordoned" : "uncordoned");
        return CLI_OK;
    }
    json_t *patch = json_pack("{s:{s:b}}", "spec", "unschedulable", cordon);
    rc = send_patch(c, name, patch, cordon ? "cordoned" : "uncordoned", argc, argv);
    json_decref(patch);
    return rc;
}
