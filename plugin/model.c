/* model.c - effect and operator strings to enums and back, case-sensitive as Go compares them. */
#include "model.h"

#include <string.h>

/* Indexed by enum value; each enum's OTHER is one past its last name. */
static const char *const effect_names[NG_EFFECT_OTHER] = {
    [NG_EFFECT_EMPTY] = "",
    [NG_EFFECT_NO_SCHEDULE] = "NoSchedule",
    [NG_EFFECT_PREFER_NO_SCHEDULE] = "PreferNoSchedule",
    [NG_EFFECT_NO_EXECUTE] = "NoExecute",
};

static const char *const tol_op_names[NG_TOL_OTHER] = {
    [NG_TOL_EMPTY] = "",
    [NG_TOL_EQUAL] = "Equal",
    [NG_TOL_EXISTS] = "Exists",
    [NG_TOL_LT] = "Lt",
    [NG_TOL_GT] = "Gt",
};

static const char *const sel_op_names[NG_SEL_OTHER] = {
    [NG_SEL_IN] = "In",
    [NG_SEL_NOT_IN] = "NotIn",
    [NG_SEL_EXISTS] = "Exists",
    [NG_SEL_DOES_NOT_EXIST] = "DoesNotExist",
    [NG_SEL_GT] = "Gt",
    [NG_SEL_LT] = "Lt",
};

/* Index of s in names[0..n), or n (the caller's OTHER) when absent. */
static unsigned lookup(const char *const *names, unsigned n, const char *s)
{
    unsigned i = 0;
    while (i < n && strcmp(names[i], s) != 0)
        i++;
    return i;
}

ng_effect ng_effect_parse(const char *s)
{
    return (ng_effect)lookup(effect_names, NG_EFFECT_OTHER, s);
}

const char *ng_effect_name(ng_effect e)
{
    return (unsigned)e < NG_EFFECT_OTHER ? effect_names[e] : "";
}

ng_tol_op ng_tol_op_parse(const char *s)
{
    return (ng_tol_op)lookup(tol_op_names, NG_TOL_OTHER, s);
}

ng_sel_op ng_sel_op_parse(const char *s)
{
    return (ng_sel_op)lookup(sel_op_names, NG_SEL_OTHER, s);
}
