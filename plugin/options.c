/* options.c - index options: feature gates and score weights, from a small JSON object. */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "verbs.h"

static bool fail(char *err, size_t errlen, const char *fmt, const char *arg)
{
    if (err && errlen)
        snprintf(err, errlen, fmt, arg);
    return false;
}

static bool parse_gates(json_t *gates, ngp_options *o, char *err, size_t errlen)
{
    const char *name;
    json_t *v;
    if (!json_is_object(gates))
        return fail(err, errlen, "options: %s must be an object", "featureGates");
    json_object_foreach(gates, name, v) {
        if (strcmp(name, "TaintTolerationComparisonOperators") != 0)
            return fail(err, errlen, "options: unknown feature gate \"%s\"", name);
        if (!json_is_boolean(v))
            return fail(err, errlen, "options: feature gate %s must be true or false", name);
        o->comparison_ops = json_is_true(v);
    }
    return true;
}

static bool parse_weights(json_t *weights, ngp_options *o, char *err, size_t errlen)
{
    const char *name;
    json_t *v;
    if (!json_is_object(weights))
        return fail(err, errlen, "options: %s must be an object", "weights");
    json_object_foreach(weights, name, v) {
        int64_t *w = strcmp(name, "TaintToleration") == 0 ? &o->weight_taint
                     : strcmp(name, "NodeAffinity") == 0  ? &o->weight_affinity
                                                          : NULL;
        if (!w)
            return fail(err, errlen, "options: unknown weight \"%s\" (TaintToleration, NodeAffinity)", name);
        if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > 1000)
            return fail(err, errlen, "options: weight %s must be an integer from 0 to 1000", name);
        *w = json_integer_value(v);
    }
    if (o->weight_taint + o->weight_affinity == 0)
        return fail(err, errlen, "options: %s", "the weights must not all be 0");
    return true;
}

bool ngp_options_parse(const char *text, ngp_options *o, char *err, size_t errlen)
{
    *o = (ngp_options){.weight_taint = 3, .weight_affinity = 2};
    if (!text)
        return true;
    json_error_t je;
    json_t *root = json_loads(text, JSON_REJECT_DUPLICATES, &je);
    if (!root)
        return fail(err, errlen, "options: invalid JSON: %s", je.text);
    bool ok = json_is_object(root);
    if (!ok)
        fail(err, errlen, "options: %s", "must be a JSON object");
    const char *key;
    json_t *v;
    json_object_foreach(root, key, v) {
        if (!ok)
            break;
        if (strcmp(key, "featureGates") == 0)
            ok = parse_gates(v, o, err, errlen);
        else if (strcmp(key, "weights") == 0)
            ok = parse_weights(v, o, err, errlen);
        else
            ok = fail(err, errlen, "options: unknown key \"%s\" (featureGates, weights)", key);
    }
    json_decref(root);
    return ok;
}
