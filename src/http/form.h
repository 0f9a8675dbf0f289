/* form: percent-decoding and application/x-www-form-urlencoded parsing (pure, fuzzed). */
#ifndef BLOGD_FORM_H
#define BLOGD_FORM_H

#include <stdbool.h>
#include <stddef.h>

#define FORM_MAX_FIELDS 16
#define FORM_MAX_NAME 64

struct form_field {
        const char *name; /* decoded, NUL-terminated, points into the parsed buffer */
        const char *value;
        size_t value_len; /* the value may hold NUL bytes: always use the length */
};

struct form {
        struct form_field fields[FORM_MAX_FIELDS];
        size_t count;
};

enum form_status {
        FORM_OK,
        FORM_BAD_ENCODING, /* %ZZ, a lone %, a name that is not plain */
        FORM_TOO_MANY,     /* more than FORM_MAX_FIELDS fields */
        FORM_NAME_TOO_LONG,
        FORM_DUPLICATE, /* the same name twice: ambiguous, refused */
};

/*
 * Decodes "+" and "%XX" in place; returns the decoded length or -1 on a malformed escape.
 * The result is NUL-terminated (decoding never grows the text), so s[len] must be writable.
 */
long form_percent_decode(char *s, size_t len);

/* Parses a urlencoded body in place (it is modified). */
enum form_status form_parse(char *body, size_t len, struct form *out);

/* The field called name, or NULL. */
const struct form_field *form_get(const struct form *f, const char *name);

const char *form_status_text(enum form_status st);

#endif
