/* credentials: the login form's fields, read and checked; the form of an account name. */
#include "http/credentials.h"

#include "http/localpath.h"
#include "http/utf8.h"

bool account_name_valid(const char *s, size_t len)
{
        if (!s || len == 0 || len > ACCOUNT_NAME_MAX)
                return false;
        for (size_t i = 0; i < len; i++) {
                char c = s[i];
                bool alnum =
                    (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
                if (!alnum && (i == 0 || (c != '.' && c != '_' && c != '-')))
                        return false;
        }
        return true;
}

enum credentials_status credentials_read(const struct form *f, struct credentials *out)
{
        const struct form_field *name = form_get(f, "username");
        const struct form_field *password = form_get(f, "password");
        const struct form_field *next = form_get(f, "next");
        *out = (struct credentials){0};
        size_t chars;
        /* A name longer than any account's is still shown again, up to a line's worth. */
        if (name && (name->value_len > 4 * ACCOUNT_NAME_MAX ||
                     !utf8_check_text(name->value, name->value_len, &chars)))
                return CREDENTIALS_BAD;
        if (password && (password->value_len > PASSWORD_MAX ||
                         !utf8_check_text(password->value, password->value_len, &chars)))
                return CREDENTIALS_BAD;
        if (name) {
                out->name = name->value;
                out->name_len = name->value_len;
        }
        if (next && localpath_ok(next->value, next->value_len)) {
                out->next = next->value;
                out->next_len = next->value_len;
        }
        if (!name || !password || name->value_len == 0 || password->value_len == 0)
                return CREDENTIALS_EMPTY;
        out->password = password->value;
        out->password_len = password->value_len;
        return CREDENTIALS_OK;
}
