/* log: blogd's own log sink (never FastCGI stderr), one line per event, with levels. */
#ifndef BLOGD_LOG_H
#define BLOGD_LOG_H

#include <stdbool.h>

enum log_level { LOG_ERROR, LOG_WARN, LOG_INFO, LOG_DEBUG };

/* Opens (or reopens, for rotation) the log file; NULL or "" means stderr. */
bool log_open(const char *path, enum log_level level);
void log_close(void);
/* The descriptor lines go to (STDERR_FILENO when there is no log file). */
int log_fileno(void);
bool log_parse_level(const char *s, enum log_level *out);
/* The id of the request being served, printed on every line; NULL outside a request. */
void log_set_request(const char *request_id);
void log_msg(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_error(...) log_msg(LOG_ERROR, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_WARN, __VA_ARGS__)
#define log_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)

#endif
