/* sqlsplit: splits an SQL script into statements as the mariadb client does (DELIMITER, quotes,
 * comments). */
#include "store/sqlsplit.h"

#include <ctype.h>
#include <stdbool.h>
#include <string.h>
#include <strings.h>

void sqlsplit_init(struct sqlsplit *s, const char *text, size_t len)
{
        s->p = text;
        s->end = text + len;
        s->delim[0] = ';';
        s->delim[1] = '\0';
        s->delim_len = 1;
        s->line = 1;
}

static void advance(struct sqlsplit *s, size_t n)
{
        for (size_t i = 0; i < n && s->p < s->end; i++, s->p++)
                if (*s->p == '\n')
                        s->line++;
}

static bool blank(char c)
{
        return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/* "--" starts a comment only when a blank or the end follows, as in MariaDB. */
static bool dash_comment(const struct sqlsplit *s)
{
        return s->end - s->p >= 2 && s->p[0] == '-' && s->p[1] == '-' &&
               (s->end - s->p == 2 || blank(s->p[2]));
}

/* Skips a comment at p; false if there is none. *bad on an unterminated / * comment. */
static bool skip_comment(struct sqlsplit *s, bool *bad)
{
        if (dash_comment(s) || *s->p == '#') {
                while (s->p < s->end && *s->p != '\n')
                        advance(s, 1);
                return true;
        }
        if (s->end - s->p >= 2 && s->p[0] == '/' && s->p[1] == '*') {
                advance(s, 2);
                while (s->p < s->end && !(s->end - s->p >= 2 && s->p[0] == '*' && s->p[1] == '/'))
                        advance(s, 1);
                if (s->p >= s->end) {
                        *bad = true;
                        return true;
                }
                advance(s, 2);
                return true;
        }
        return false;
}

/* Skips a quoted string or identifier at p (which is its quote); false if unterminated. */
static bool skip_quoted(struct sqlsplit *s)
{
        char q = *s->p;
        advance(s, 1);
        while (s->p < s->end) {
                char c = *s->p;
                if (c == '\\' && q != '`') {
                        advance(s, 2);
                } else if (c == q) {
                        advance(s, 1);
                        if (s->p < s->end && *s->p == q) /* a doubled quote stands for itself */
                                advance(s, 1);
                        else
                                return true;
                } else {
                        advance(s, 1);
                }
        }
        return false;
}

static int fail(struct sqlsplit *s, const char *why, unsigned line, const char **stmt, size_t *len,
                unsigned *at)
{
        *stmt = why;
        *len = strlen(why);
        *at = line;
        s->p = s->end;
        return -1;
}

/* A "DELIMITER xyz" line at p: sets the delimiter. 1 if it was one, 0 if not, -1 if bad. */
static int delimiter_line(struct sqlsplit *s)
{
        static const char word[] = "DELIMITER";
        size_t n = sizeof(word) - 1;
        if ((size_t)(s->end - s->p) <= n || strncasecmp(s->p, word, n) != 0 ||
            (s->p[n] != ' ' && s->p[n] != '\t'))
                return 0;
        advance(s, n);
        while (s->p < s->end && (*s->p == ' ' || *s->p == '\t'))
                advance(s, 1);
        const char *d = s->p;
        while (s->p < s->end && !blank(*s->p))
                advance(s, 1);
        size_t dl = (size_t)(s->p - d);
        if (dl == 0 || dl >= sizeof(s->delim))
                return -1;
        /* The rest of the line must be blank. */
        while (s->p < s->end && *s->p != '\n') {
                if (!blank(*s->p))
                        return -1;
                advance(s, 1);
        }
        memcpy(s->delim, d, dl);
        s->delim[dl] = '\0';
        s->delim_len = dl;
        return 1;
}

int sqlsplit_next(struct sqlsplit *s, const char **stmt, size_t *len, unsigned *line)
{
        for (;;) {
                /* Blanks, comments and empty statements before the next one. */
                bool bad = false;
                while (s->p < s->end) {
                        if (blank(*s->p)) {
                                advance(s, 1);
                        } else if (skip_comment(s, &bad)) {
                                if (bad)
                                        return fail(s, "unterminated /* comment", s->line, stmt,
                                                    len, line);
                        } else if ((size_t)(s->end - s->p) >= s->delim_len &&
                                   memcmp(s->p, s->delim, s->delim_len) == 0) {
                                advance(s, s->delim_len);
                        } else {
                                break;
                        }
                }
                if (s->p >= s->end)
                        return 0;
                unsigned start_line = s->line;
                int d = delimiter_line(s);
                if (d < 0)
                        return fail(s, "bad DELIMITER line", start_line, stmt, len, line);
                if (d > 0)
                        continue;
                const char *start = s->p;
                const char *stop = NULL;
                while (s->p < s->end) {
                        char c = *s->p;
                        if ((size_t)(s->end - s->p) >= s->delim_len &&
                            memcmp(s->p, s->delim, s->delim_len) == 0) {
                                stop = s->p;
                                advance(s, s->delim_len);
                                break;
                        }
                        if (c == '\'' || c == '"' || c == '`') {
                                unsigned qline = s->line;
                                if (!skip_quoted(s))
                                        return fail(s, "unterminated quoted string", qline, stmt,
                                                    len, line);
                        } else if (skip_comment(s, &bad)) {
                                if (bad)
                                        return fail(s, "unterminated /* comment", s->line, stmt,
                                                    len, line);
                        } else {
                                advance(s, 1);
                        }
                }
                if (!stop)
                        stop = s->p;
                while (stop > start && blank(stop[-1]))
                        stop--;
                *stmt = start;
                *len = (size_t)(stop - start);
                *line = start_line;
                return 1;
        }
}
