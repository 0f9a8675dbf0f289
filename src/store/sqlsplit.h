/* sqlsplit: splits an SQL script into statements as the mariadb client does (DELIMITER, quotes,
 * comments). */
#ifndef BLOGD_SQLSPLIT_H
#define BLOGD_SQLSPLIT_H

#include <stddef.h>

struct sqlsplit {
        const char *p, *end;
        char delim[16]; /* the current delimiter, ";" until a DELIMITER line changes it */
        size_t delim_len;
        unsigned line; /* line of p, from 1 */
};

void sqlsplit_init(struct sqlsplit *s, const char *text, size_t len);
/* The next statement, without its delimiter, leading comments and surrounding blanks:
 * returns 1 and sets *stmt, *len and *line (where it starts); 0 at the end; -1 on an
 * unterminated quote or comment or a bad DELIMITER line (*stmt then says which, *line where).
 * Strings ('...', "..." with backslash escapes and doubled quotes, `...`) and comments
 * (-- and # to the end of the line, / * ... * /) never end a statement. "DELIMITER xyz" at
 * the start of a statement sets the delimiter, as in the mariadb client. */
int sqlsplit_next(struct sqlsplit *s, const char **stmt, size_t *len, unsigned *line);

#endif
