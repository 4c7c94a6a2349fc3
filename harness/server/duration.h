/* duration.h - Go's time.Duration syntax for flags ("90s", "5m", "1h30m", "1.5h", "300ms"),
 * as kube components take durations, and Go's way of printing one back. */
#ifndef SRV_DURATION_H
#define SRV_DURATION_H

#include <stddef.h>

/* Parses s as Go's time.ParseDuration does: one or more decimal numbers (an optional fraction,
 * digits on at least one side of the point), each followed by its unit: ns, us (or µs), ms, s,
 * m or h. Unlike Go, no sign, no unitless "0", and the sum must be positive and at most Go's
 * longest duration (about 292 years). Returns 0 and the seconds in *seconds, or -1 with a
 * static phrase in *why ("a number needs a unit", ...). */
int srv_parse_duration(const char *s, double *seconds, const char **why);

/* Writes seconds as Go's Duration.String() does ("5m0s", "1h30m0s", "1.5s", "300ms"), to the
 * nanosecond, NUL-terminated, cut to len. Returns out. */
char *srv_format_duration(double seconds, char *out, size_t len);

#endif
