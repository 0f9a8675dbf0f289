/*
 * credentials: the login form's fields (username, password, next), read and checked before
 * anything is looked up; and the form of an account name, shared with `blogd user` (pure,
 * fuzzed).
 */
#ifndef BLOGD_CREDENTIALS_H
#define BLOGD_CREDENTIALS_H

#include <stdbool.h>
#include <stddef.h>

#include "http/form.h"

#define ACCOUNT_NAME_MAX 32 /* bytes: letters, digits, ".", "_", "-"; a letter or digit first */
#define PASSWORD_MIN 8      /* characters, for a password set with `blogd user` */
#define PASSWORD_MAX 1024   /* bytes */

struct credentials {
        const char *name; /* as typed (valid UTF-8), to show again; may not be an account name */
        size_t name_len;
        const char *password;
        size_t password_len;
        const char *next; /* a local path (http/localpath.h), or NULL */
        size_t next_len;
};

enum credentials_status {
        CREDENTIALS_OK,
        CREDENTIALS_EMPTY, /* a field is missing or empty: the form is shown again */
        CREDENTIALS_BAD,   /* not UTF-8 text, or longer than any account name or password */
};

/* Reads the fields of a parsed login form into out. A `next` that is not a local path is
 * dropped (out->next = NULL), never followed. */
enum credentials_status credentials_read(const struct form *f, struct credentials *out);

/* Whether s (len bytes) has the form of an account name. */
bool account_name_valid(const char *s, size_t len);

#endif
