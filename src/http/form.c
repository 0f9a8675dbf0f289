/* form: percent-decoding and application/x-www-form-urlencoded parsing (pure, fuzzed). */
#include "http/form.h"

#include <string.h>

#include "core/hex.h"

long form_percent_decode(char *s, size_t len)
{
        size_t r = 0, w = 0;
        while (r < len) {
                unsigned char c = (unsigned char)s[r];
                if (c == '+') {
                        s[w++] = ' ';
                        r++;
                } else if (c == '%') {
                        if (len - r < 3)
                                return -1;
                        int hi = hex_value((unsigned char)s[r + 1]);
                        int lo = hex_value((unsigned char)s[r + 2]);
                        if (hi < 0 || lo < 0)
                                return -1;
                        s[w++] = (char)(hi << 4 | lo);
                        r += 3;
                } else {
                        s[w++] = (char)c;
                        r++;
                }
        }
        s[w] = '\0';
        return (long)w;
}

/* Checks all len decoded bytes: an encoded NUL ("csrf%00x") must not cut the name short. */
static bool plain_name(const char *s, size_t len)
{
        for (size_t i = 0; i < len; i++) {
                unsigned char c = (unsigned char)s[i];
                if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '_' || c == '-'))
                        return false;
        }
        return true;
}

/*
 * The caller's buffer must have room for a NUL at body[len] (struct buf guarantees it):
 * each field is split at '&' and '=', which become terminators, then decoded in place.
 */
enum form_status form_parse(char *body, size_t len, struct form *out)
{
        out->count = 0;
        size_t pos = 0;
        while (pos < len) {
                char *field = body + pos;
                char *amp = memchr(field, '&', len - pos);
                size_t flen = amp ? (size_t)(amp - field) : len - pos;
                pos += flen + 1;
                if (flen == 0)
                        continue; /* "a=1&&b=2": empty pieces carry nothing */
                field[flen] = '\0';
                char *eq = memchr(field, '=', flen);
                size_t nlen = eq ? (size_t)(eq - field) : flen;
                if (nlen > FORM_MAX_NAME * 3)
                        return FORM_NAME_TOO_LONG;
                char *value = eq ? eq + 1 : field + flen;
                size_t vlen = eq ? flen - nlen - 1 : 0;
                if (eq)
                        *eq = '\0';
                long dn = form_percent_decode(field, nlen);
                if (dn < 0)
                        return FORM_BAD_ENCODING;
                if (dn > FORM_MAX_NAME)
                        return FORM_NAME_TOO_LONG;
                if (dn == 0 || !plain_name(field, (size_t)dn))
                        return FORM_BAD_ENCODING;
                long dv = eq ? form_percent_decode(value, vlen) : 0;
                if (dv < 0)
                        return FORM_BAD_ENCODING;
                if (form_get(out, field))
                        return FORM_DUPLICATE;
                if (out->count == FORM_MAX_FIELDS)
                        return FORM_TOO_MANY;
                out->fields[out->count++] = (struct form_field){field, value, (size_t)dv};
        }
        return FORM_OK;
}

const struct form_field *form_get(const struct form *f, const char *name)
{
        for (size_t i = 0; i < f->count; i++)
                if (strcmp(f->fields[i].name, name) == 0)
                        return &f->fields[i];
        return NULL;
}

const char *form_status_text(enum form_status st)
{
        switch (st) {
        case FORM_OK:
                return "ok";
        case FORM_BAD_ENCODING:
                return "The form data is not validly encoded.";
        case FORM_TOO_MANY:
                return "The form has too many fields.";
        case FORM_NAME_TOO_LONG:
                return "A form field name is too long.";
        case FORM_DUPLICATE:
                return "A form field was sent more than once.";
        }
        return "The form is malformed.";
}
