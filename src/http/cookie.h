/* cookie: finds one cookie in a Cookie request header (pure, fuzzed). */
#ifndef BLOGD_COOKIE_H
#define BLOGD_COOKIE_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Looks for name in a header like "a=1; blogd_csrf=abc; b=2". On success points *value at
 * the value inside header (not NUL-terminated, surrounding double quotes removed).
 * The first occurrence wins.
 */
bool cookie_find(const char *header, const char *name, const char **value, size_t *len);

#endif
