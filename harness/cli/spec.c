/* spec.c - taint and label arguments, as kubectl splits and checks them (pkg/cmd/taint/utils.go:
 * parseTaints, parseTaint; taint.go: Validate; pkg/cmd/label/label.go: parseLabels). */
#include "spec.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

static char *dup_n(const char *s, size_t n)
{
    char *d = host_xmalloc(n + 1);
    memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

static size_t count(const char *s, char c)
{
    size_t n = 0;
    for (; *s; s++)
        n += *s == c;
    return n;
}

static bool known_effect(const char *e)
{
    return strcmp(e, "NoSchedule") == 0 || strcmp(e, "PreferNoSchedule") == 0 || strcmp(e, "NoExecute") == 0;
}

/* parseTaint: KEY, KEY:EFFECT or KEY=VALUE:EFFECT (st without a removal's '-'); whole is the
 * argument as typed, for the messages, which quote it as kubectl does (st itself). */
static bool parse_taint(const struct nodegate_plugin *api, const char *st, cli_taint_spec *t, char *err, size_t errlen)
{
    const char *colon = strchr(st, ':');
    const char *why;
    size_t keylen = strlen(st);
    *t = (cli_taint_spec){0};
    if (count(st, ':') > 1) {
        snprintf(err, errlen, "invalid taint spec: %s", st);
        return false;
    }
    if (colon) {
        if (!known_effect(colon + 1)) {
            snprintf(err, errlen, "invalid taint effect: %s, unsupported taint effect", colon + 1);
            return false;
        }
        const char *eq = memchr(st, '=', (size_t)(colon - st));
        size_t kv = (size_t)(colon - st);
        if (eq && memchr(eq + 1, '=', (size_t)(colon - eq - 1))) {
            snprintf(err, errlen, "invalid taint spec: %s", st);
            return false;
        }
        keylen = eq ? (size_t)(eq - st) : kv;
        t->value = eq ? dup_n(eq + 1, (size_t)(colon - eq - 1)) : host_xstrdup("");
        t->effect = host_xstrdup(colon + 1);
        if ((why = api->label_value_problem(t->value)) != NULL) {
            snprintf(err, errlen, "invalid taint spec: %s, %s", st, why);
            return false;
        }
    } else {
        t->value = host_xstrdup("");
        t->effect = host_xstrdup("");
    }
    t->key = dup_n(st, keylen);
    if ((why = api->label_key_problem(t->key)) != NULL) {
        snprintf(err, errlen, "invalid taint spec: %s, %s", st, why);
        return false;
    }
    return true;
}

static void taint_free(cli_taint_spec *t)
{
    free(t->key);
    free(t->value);
    free(t->effect);
}

void cli_taint_specs_free(cli_taint_spec *s, int n)
{
    for (int i = 0; s && i < n; i++)
        taint_free(&s[i]);
    free(s);
}

cli_taint_spec *cli_parse_taints(const struct nodegate_plugin *api, char **args, int n, char *err, size_t errlen)
{
    cli_taint_spec *s = host_xcalloc((size_t)n + 1, sizeof *s);
    for (int i = 0; i < n; i++) {
        size_t len = strlen(args[i]);
        bool remove = len && args[i][len - 1] == '-';
        char *st = dup_n(args[i], remove ? len - 1 : len);
        bool ok = parse_taint(api, st, &s[i], err, errlen);
        free(st);
        s[i].remove = remove;
        if (ok && !remove && !s[i].effect[0]) {
            snprintf(err, errlen, "invalid taint spec: %s", args[i]);
            ok = false;
        }
        for (int j = 0; ok && !remove && j < i; j++)
            if (!s[j].remove && strcmp(s[j].key, s[i].key) == 0 && strcmp(s[j].effect, s[i].effect) == 0) {
                /* Go's %v of a Taint struct */
                snprintf(err, errlen, "duplicated taints with the same key and effect: {%s %s %s <nil>}", s[i].key,
                         s[i].value, s[i].effect);
                ok = false;
            }
        if (!ok) {
            cli_taint_specs_free(s, i + 1);
            return NULL;
        }
    }
    /* Validate: a key (and effect, when the removal names one) both added and removed */
    char conflicts[1024] = "";
    size_t used = 0;
    for (int a = 0; a < n; a++)
        for (int r = 0; !s[a].remove && r < n; r++)
            if (s[r].remove && strcmp(s[a].key, s[r].key) == 0 &&
                (!s[r].effect[0] || strcmp(s[a].effect, s[r].effect) == 0) && used < sizeof conflicts)
                used += (size_t)snprintf(conflicts + used, sizeof conflicts - used, "%s{\"%s\":\"%s\"}",
                                         used ? ", " : "", s[r].key, s[r].effect);
    if (used) {
        snprintf(err, errlen, "can not both modify and remove the following taint(s) in the same command: %s",
                 conflicts);
        cli_taint_specs_free(s, n);
        return NULL;
    }
    return s;
}

void cli_label_specs_free(cli_label_spec *s, int n)
{
    for (int i = 0; s && i < n; i++) {
        free(s[i].key);
        free(s[i].value);
    }
    free(s);
}

cli_label_spec *cli_parse_labels(const struct nodegate_plugin *api, char **args, int n, char *err, size_t errlen)
{
    cli_label_spec *s = host_xcalloc((size_t)n + 1, sizeof *s);
    for (int i = 0; i < n; i++) {
        const char *a = args[i], *eq = strchr(a, '=');
        size_t len = strlen(a);
        const char *why;
        bool ok = true;
        if (eq) {
            if (count(a, '=') != 1) {
                snprintf(err, errlen, "invalid label spec: %s", a);
                ok = false;
            } else if ((why = api->label_value_problem(eq + 1)) != NULL) {
                snprintf(err, errlen, "invalid label value: \"%s\": %s", a, why);
                ok = false;
            } else {
                s[i] = (cli_label_spec){dup_n(a, (size_t)(eq - a)), host_xstrdup(eq + 1), false};
            }
        } else if (len && a[len - 1] == '-') {
            s[i] = (cli_label_spec){dup_n(a, len - 1), NULL, true};
        } else {
            snprintf(err, errlen, "unknown label spec: %s", a);
            ok = false;
        }
        /* kubectl leaves keys to the API server; nodegate has no API server to ask, so it checks
         * them here, with the API server's sentence */
        if (ok && (why = api->label_key_problem(s[i].key)) != NULL) {
            snprintf(err, errlen, "metadata.labels: Invalid value: \"%s\": %s", s[i].key, why);
            ok = false;
        }
        if (!ok) {
            cli_label_specs_free(s, i + 1);
            return NULL;
        }
    }
    for (int r = 0; r < n; r++)
        for (int a = 0; s[r].remove && a < n; a++)
            if (!s[a].remove && strcmp(s[a].key, s[r].key) == 0) {
                snprintf(err, errlen, "can not both modify and remove a label in the same command");
                cli_label_specs_free(s, n);
                return NULL;
            }
    return s;
}
