/* buf: a growable byte buffer, reused across requests to avoid allocation churn. */
#ifndef BLOGD_BUF_H
#define BLOGD_BUF_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

struct buf {
        char *data; /* always NUL-terminated when cap > 0 */
        size_t len;
        size_t cap;
};

void buf_init(struct buf *b);
void buf_cleanup(struct buf *b);
/* Empties the buffer but keeps its memory for the next request. */
void buf_reset(struct buf *b);
/* Makes room for n more bytes (plus the terminating NUL). False on overflow or OOM. */
bool buf_reserve(struct buf *b, size_t n);
bool buf_append(struct buf *b, const void *p, size_t n);
bool buf_puts(struct buf *b, const char *s);
bool buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
bool buf_vprintf(struct buf *b, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));

#ifdef __cplusplus
}
#endif

#endif
