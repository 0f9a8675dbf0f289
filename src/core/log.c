/* log: blogd's own log sink (never FastCGI stderr), one line per event, with levels. */
#include "core/log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

static int log_fd = STDERR_FILENO;
static enum log_level log_threshold = LOG_INFO;
static const char *log_request;

static const char *const level_names[] = {"error", "warn", "info", "debug"};

bool log_open(const char *path, enum log_level level)
{
        log_threshold = level;
        if (!path || !*path) {
                log_close();
                return true;
        }
        int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
        if (fd < 0)
                return false;
        log_close();
        log_fd = fd;
        return true;
}

void log_close(void)
{
        if (log_fd != STDERR_FILENO)
                close(log_fd);
        log_fd = STDERR_FILENO;
}

int log_fileno(void)
{
        return log_fd;
}

bool log_parse_level(const char *s, enum log_level *out)
{
        for (size_t i = 0; i < sizeof(level_names) / sizeof(level_names[0]); i++) {
                if (strcasecmp(s, level_names[i]) == 0) {
                        *out = (enum log_level)i;
                        return true;
                }
        }
        return false;
}

void log_set_request(const char *request_id)
{
        log_request = request_id;
}

void log_msg(enum log_level level, const char *fmt, ...)
{
        if (level > log_threshold)
                return;
        int saved_errno = errno;
        char line[2048];
        struct timespec ts;
        struct tm tm;
        clock_gettime(CLOCK_REALTIME, &ts);
        gmtime_r(&ts.tv_sec, &tm);
        int n = snprintf(line, sizeof(line), "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ [%s] pid=%ld ",
                         tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
                         tm.tm_sec, ts.tv_nsec / 1000000, level_names[level], (long)getpid());
        if (log_request && n > 0 && (size_t)n < sizeof(line))
                n += snprintf(line + n, sizeof(line) - (size_t)n, "req=%s ", log_request);
        if (n > 0 && (size_t)n < sizeof(line)) {
                va_list ap;
                va_start(ap, fmt);
                int m = vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
                va_end(ap);
                if (m > 0)
                        n += m;
        }
        if (n < 0)
                return;
        if ((size_t)n >= sizeof(line) - 1)
                n = (int)sizeof(line) - 2;
        /* One line per event: flatten embedded newlines so a hostile value cannot forge lines. */
        for (int i = 0; i < n; i++)
                if (line[i] == '\n' || line[i] == '\r')
                        line[i] = ' ';
        line[n++] = '\n';
        /* One write() on an O_APPEND fd keeps lines from several processes whole. */
        ssize_t w = write(log_fd, line, (size_t)n);
        (void)w;
        errno = saved_errno;
}
