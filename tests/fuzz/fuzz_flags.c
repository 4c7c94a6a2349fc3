/* fuzz_flags.c - the server's flag values that have a syntax of their own: --feature-gates
 * (srv_parse_gates, then the plugin's index_new on the options it makes, as main.c does) and
 * durations (srv_parse_duration, srv_format_duration: --cache-stale-after and the others).
 *
 * Input: one byte (even: a --feature-gates value, odd: a duration), then the value (up to a
 * NUL, as argv holds it).
 *
 * Checks: a refused gate list has a sentence; an accepted one makes valid JSON options, which
 * index_new accepts or refuses with a sentence. An accepted duration is within Go's range, and
 * Go's printing of it parses back to the same duration, to the nanosecond (seconds are a double:
 * from about 48 days on, one nanosecond is below its precision, so the printing itself may
 * move by one). */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "drive.h"
#include "duration.h"
#include "flags.h"

static void gates(const char *value)
{
    char *error, *json = srv_parse_gates(value, &error);
    if (!json) {
        if (strncmp(error, "--feature-gates: ", 17) != 0)
            fz_fail("gates \"%s\" refused with \"%s\"", value, error);
        free(error);
        return;
    }
    char *options, err[256] = "";
    if (asprintf(&options, "{%s}", json) < 0)
        abort();
    json_t *v = json_loads(options, 0, NULL);
    if (!v)
        fz_fail("gates \"%s\" made options that are not JSON: %s", value, options);
    json_decref(v);
    ng_index *idx = fz_plugin()->index_new(options, err, sizeof err);
    if (!idx && !err[0])
        fz_fail("index_new refused %s without a sentence", options);
    fz_plugin()->index_free(idx);
    free(options);
    free(json);
}

static void duration(const char *value)
{
    double s, again;
    const char *why = NULL;
    if (srv_parse_duration(value, &s, &why) != 0) {
        if (!why || !*why)
            fz_fail("duration \"%s\" refused without a reason", value);
        return;
    }
    if (!(s >= 1e-9 && s <= 9223372036.854775807))
        fz_fail("duration \"%s\" parsed to %.17g s, outside (0, 2^63 ns]", value, s);
    char printed[64];
    srv_format_duration(s, printed, sizeof printed);
    if (srv_parse_duration(printed, &again, &why) != 0)
        fz_fail("duration \"%s\" printed as \"%s\", which does not parse: %s", value, printed, why);
    if (fabs(again - s) > 1e-9 + 4 * DBL_EPSILON * s)
        fz_fail("duration \"%s\" (%.17g s) printed as \"%s\", which parses to %.17g s", value, s, printed, again);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_input in = {data, size};
    uint8_t which = fz_byte(&in);
    char *value = strndup((const char *)in.p, in.n);
    if (which & 1)
        duration(value);
    else
        gates(value);
    free(value);
    return 0;
}
