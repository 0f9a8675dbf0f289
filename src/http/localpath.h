/*
 * localpath: whether a redirect target a client chose (the login form's `next`) stays on
 * this site: a path that starts with one "/", in printable ASCII without "\" (so no
 * "//evil.example", "/\evil.example", "https:", header injection or spaces), at most
 * LOCALPATH_MAX bytes (pure, fuzzed).
 */
#ifndef BLOGD_LOCALPATH_H
#define BLOGD_LOCALPATH_H

#include <stdbool.h>
#include <stddef.h>

#define LOCALPATH_MAX 200

bool localpath_ok(const char *s, size_t len);

#endif
