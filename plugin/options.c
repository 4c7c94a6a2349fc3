/* options.c - index options: feature gates, score weights and reply forms, from a small JSON object. */
#include <jansson.h>
#include <string.h>

#include "options.h"

static bool parse_gates(json_t *gates, ngp_options *o, ngp_err *err)
{
    const char *name;
    json_t *v;
    if (!json_is_object(gates))
        return ngp_err_set(err, NGP_EINVALID, "options: featureGates must be an object");
    json_object_foreach(gates, name, v) {
        if (strcmp(name, "TaintTolerationComparisonOperators") != 0)
            return ngp_err_set(err, NGP_EINVALID, "options: unknown feature gate \"%s\"", name);
        if (!json_is_boolean(v))
            return ngp_err_set(err, NGP_EINVALID, "options: feature gate %s must be true or false", name);
        o->comparison_ops = json_is_true(v);
    }
    return true;
}

static bool parse_weights(json_t *weights, ngp_options *o, ngp_err *err)
{
    const char *name;
    json_t *v;
    if (!json_is_object(weights))
        return ngp_err_set(err, NGP_EINVALID, "options: weights must be an object");
    json_object_foreach(weights, name, v) {
        int64_t *w = strcmp(name, "TaintToleration") == 0 ? &o->weight_taint
                     : strcmp(name, "NodeAffinity") == 0  ? &o->weight_affinity
                                                          : NULL;
        if (!w)
            return ngp_err_set(err, NGP_EINVALID,
                               "options: unknown weight \"%s\" (TaintToleration, NodeAffinity)", name);
        if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > NGP_WEIGHT_MAX)
            return ngp_err_set(err, NGP_EINVALID, "options: weight %s must be an integer from 0 to %d", name,
                               NGP_WEIGHT_MAX);
        *w = json_integer_value(v);
    }
    if (o->weight_taint + o->weight_affinity == 0)
        return ngp_err_set(err, NGP_EINVALID, "options: the weights must not all be 0");
    return true;
}

bool ngp_options_parse(const char *text, ngp_options *o, ngp_err *err)
{
    *o = (ngp_options){.weight_taint = 3, .weight_affinity = 2};
    if (!text)
        return true;
    json_error_t je;
    json_t *root = json_loads(text, JSON_REJECT_DUPLICATES, &je);
    if (!root)
        return ngp_err_set(err, NGP_EINVALID, "options: invalid JSON: %s", je.text);
    bool ok = json_is_object(root);
    if (!ok)
        ngp_err_set(err, NGP_EINVALID, "options: must be a JSON object");
    const char *key;
    json_t *v;
    json_object_foreach(root, key, v) {
        if (!ok)
            break;
        if (strcmp(key, "featureGates") == 0)
            ok = parse_gates(v, o, err);
        else if (strcmp(key, "weights") == 0)
            ok = parse_weights(v, o, err);
        else if (strcmp(key, "completeCache") == 0 && json_is_boolean(v))
            o->complete_cache = json_is_true(v);
        else if (strcmp(key, "completeCache") == 0)
            ok = ngp_err_set(err, NGP_EINVALID, "options: completeCache must be true or false");
        else if (strcmp(key, "compactReplies") == 0 && json_is_boolean(v))
            o->compact_replies = json_is_true(v);
        else if (strcmp(key, "compactReplies") == 0)
            ok = ngp_err_set(err, NGP_EINVALID, "options: compactReplies must be true or false");
        else
            ok = ngp_err_set(err, NGP_EINVALID,
                             "options: unknown key \"%s\" (featureGates, weights, completeCache, compactReplies)",
                             key);
    }
    json_decref(root);
    return ok;
}
