/* fuzz_login: form_parse then credentials_read on arbitrary login bodies: an accepted login has
 * a name and password within their limits and valid UTF-8, and its `next` is a local path or
 * nothing; localpath_ok itself never accepts "//", "/\", a backslash, a space or control, a
 * non-ASCII byte or more than LOCALPATH_MAX bytes. */
#include "fuzz.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http/credentials.h"
#include "http/form.h"
#include "http/localpath.h"
#include "http/utf8.h"

/* What localpath_ok may accept, checked here without localpath.c. */
static void check_local(const char *s, size_t len)
{
        if (!localpath_ok(s, len))
                return;
        FUZZ_CHECK(len >= 1 && len <= LOCALPATH_MAX);
        FUZZ_CHECK(s[0] == '/');
        FUZZ_CHECK(len < 2 || (s[1] != '/' && s[1] != '\\'));
        for (size_t i = 0; i < len; i++) {
                unsigned char c = (unsigned char)s[i];
                FUZZ_CHECK(c > 0x20 && c < 0x7f && c != '\\');
        }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        check_local((const char *)data, size);
        if (size >= 2 && data[0] == '/' && data[1] == '/')
                FUZZ_CHECK(!localpath_ok((const char *)data, size));
        char *body = malloc(size + 1);
        if (!body)
                return 0;
        memcpy(body, data, size);
        body[size] = '\0';
        struct form f;
        if (form_parse(body, size, &f) != FORM_OK) {
                free(body);
                return 0;
        }
        struct credentials c;
        enum credentials_status st = credentials_read(&f, &c);
        const struct form_field *name = form_get(&f, "username");
        const struct form_field *password = form_get(&f, "password");
        const struct form_field *next = form_get(&f, "next");
        if (next)
                check_local(next->value, next->value_len);
        FUZZ_CHECK(st == CREDENTIALS_OK || st == CREDENTIALS_EMPTY || st == CREDENTIALS_BAD);
        if (st == CREDENTIALS_OK) {
                FUZZ_CHECK(name && password);
                FUZZ_CHECK(c.name == name->value && c.name_len == name->value_len);
                FUZZ_CHECK(c.password == password->value && c.password_len == password->value_len);
                FUZZ_CHECK(c.name_len > 0 && c.name_len <= 4 * ACCOUNT_NAME_MAX);
                FUZZ_CHECK(c.password_len > 0 && c.password_len <= PASSWORD_MAX);
                FUZZ_CHECK(utf8_check_text(c.name, c.name_len, NULL));
                FUZZ_CHECK(utf8_check_text(c.password, c.password_len, NULL));
        } else {
                FUZZ_CHECK(c.password == NULL && c.password_len == 0);
        }
        if (st == CREDENTIALS_EMPTY)
                FUZZ_CHECK(!name || !password || name->value_len == 0 || password->value_len == 0);
        if (st != CREDENTIALS_BAD) {
                /* next is kept exactly when it is a local path. */
                bool local = next && localpath_ok(next->value, next->value_len);
                FUZZ_CHECK(local ? c.next == next->value && c.next_len == next->value_len
                                 : c.next == NULL && c.next_len == 0);
        }
        if (c.next) {
                FUZZ_CHECK(localpath_ok(c.next, c.next_len));
                FUZZ_CHECK(c.next_len < 2 || memcmp(c.next, "//", 2) != 0);
                FUZZ_CHECK(memchr(c.next, '\\', c.next_len) == NULL);
        }
        free(body);
        return 0;
}
