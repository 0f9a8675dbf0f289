/* utf8: strict UTF-8 validation and code point counting (pure, fuzzed). */
#ifndef BLOGD_UTF8_H
#define BLOGD_UTF8_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Returns true if s[0..len) is well-formed UTF-8 (no overlongs, no surrogates, nothing past
 * U+10FFFF) and contains no NUL or C0 control character other than tab, LF and CR.
 * On success stores the number of code points in *chars (if chars is not NULL).
 */
bool utf8_check_text(const char *s, size_t len, size_t *chars);

#endif
