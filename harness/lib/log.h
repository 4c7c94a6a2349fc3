/* log.h - one-line stderr logs with a UTC timestamp and a level. */
#ifndef HOST_LOG_H
#define HOST_LOG_H

typedef enum { HOST_LOG_ERROR = 0, HOST_LOG_INFO, HOST_LOG_DEBUG } host_log_level;

extern host_log_level host_log_threshold;

/* Parses "error", "info" or "debug"; returns -1 for anything else. */
int host_log_parse_level(const char *s);
void host_log(host_log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
