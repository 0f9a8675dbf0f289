/* log: blogd's own log sink (never FastCGI stderr), one line per event, with levels. */
#include "core/log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "core/hex.h"

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
        /* O_NOFOLLOW: started as root, blogd must not append to a file an unprivileged account
         * pointed its log at with a symlink. */
        int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0640);
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

/* Control bytes (ESC, CR, LF, NUL...), DEL and the backslash become \xNN, so a hostile value
 * can neither forge a line nor drive the terminal of whoever reads the log; the text is
 * otherwise kept as it is (UTF-8 stays readable). */
static size_t escape(char *out, size_t cap, const char *in, size_t n)
{
        size_t o = 0;
        for (size_t i = 0; i < n; i++) {
                unsigned char c = (unsigned char)in[i];
                bool plain = c >= 0x20 && c != 0x7f && c != '\\';
                if (o + (plain ? 1 : 4) > cap)
                        break;
                if (plain) {
                        out[o++] = (char)c;
                } else {
                        out[o++] = '\\';
                        out[o++] = 'x';
                        out[o++] = hex_digit(c >> 4);
                        out[o++] = hex_digit(c);
                }
        }
        return o;
}

void log_msg(enum log_level level, const char *fmt, ...)
{
        if (level > log_threshold)
                return;
        int saved_errno = errno;
        char msg[2048], line[128 + 4 * sizeof(msg)]; /* every byte may become \xNN */
        struct timespec ts;
        struct tm tm;
        clock_gettime(CLOCK_REALTIME, &ts);
        gmtime_r(&ts.tv_sec, &tm);
        int n = snprintf(line, sizeof(line), "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ [%s] pid=%ld ",
                         tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
                         tm.tm_sec, ts.tv_nsec / 1000000, level_names[level], (long)getpid());
        if (n < 0 || (size_t)n >= sizeof(line) / 2)
                return;
        size_t len = (size_t)n, mlen = 0;
        if (log_request) {
                int r = snprintf(msg, sizeof(msg), "req=%s ", log_request);
                mlen = r > 0 && (size_t)r < sizeof(msg) ? (size_t)r : 0;
        }
        va_list ap;
        va_start(ap, fmt);
        int m = vsnprintf(msg + mlen, sizeof(msg) - mlen, fmt, ap);
        va_end(ap);
        if (m > 0)
                mlen += (size_t)m < sizeof(msg) - mlen ? (size_t)m : sizeof(msg) - mlen - 1;
        len += escape(line + len, sizeof(line) - 1 - len, msg, mlen);
        line[len++] = '\n';
        /* One write() on an O_APPEND fd keeps lines from several processes whole. */
        ssize_t w = write(log_fd, line, len);
        (void)w;
        errno = saved_errno;
}
