/* log.h - one-line stderr logs with a UTC timestamp and a level. */
#ifndef NG_LOG_H
#define NG_LOG_H

typedef enum { NG_LOG_ERROR = 0, NG_LOG_INFO, NG_LOG_DEBUG } ng_log_level;

extern ng_log_level ng_log_threshold;

/* Parses "error", "info" or "debug"; returns -1 for anything else. */
int ng_log_parse_level(const char *s);
void ng_log(ng_log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
