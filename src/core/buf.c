/* buf: a growable byte buffer, reused across requests to avoid allocation churn. */
#include "core/buf.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void buf_init(struct buf *b)
{
        b->data = NULL;
        b->len = 0;
        b->cap = 0;
}

void buf_cleanup(struct buf *b)
{
        free(b->data);
        buf_init(b);
}

void buf_reset(struct buf *b)
{
        b->len = 0;
        if (b->cap)
                b->data[0] = '\0';
}

bool buf_reserve(struct buf *b, size_t n)
{
        if (n > SIZE_MAX - b->len - 1)
                return false;
        size_t need = b->len + n + 1;
        if (need <= b->cap)
                return true;
        size_t cap = b->cap ? b->cap : 256;
        while (cap < need)
                cap = cap > SIZE_MAX / 2 ? need : cap * 2;
        char *p = realloc(b->data, cap);
        if (!p)
                return false;
        b->data = p;
        b->cap = cap;
        return true;
}

bool buf_append(struct buf *b, const void *p, size_t n)
{
        if (!buf_reserve(b, n))
                return false;
        if (n)
                memcpy(b->data + b->len, p, n);
        b->len += n;
        b->data[b->len] = '\0';
        return true;
}

bool buf_puts(struct buf *b, const char *s)
{
        return buf_append(b, s, strlen(s));
}

bool buf_vprintf(struct buf *b, const char *fmt, va_list ap)
{
        va_list cp;
        va_copy(cp, ap);
        int n = vsnprintf(NULL, 0, fmt, cp);
        va_end(cp);
        if (n < 0 || !buf_reserve(b, (size_t)n))
                return false;
        vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
        b->len += (size_t)n;
        return true;
}

bool buf_printf(struct buf *b, const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        bool ok = buf_vprintf(b, fmt, ap);
        va_end(ap);
        return ok;
}
