/* secret: the CSRF signing key, read from a file or generated into it on first run. */
#ifndef BLOGD_SECRET_H
#define BLOGD_SECRET_H

#include <stdbool.h>
#include <stddef.h>

#define SECRET_MAX 64

/*
 * Reads the hex-encoded key in path (at least 32 bytes). If the file does not exist a random
 * key is written to it (mode 0600). An empty path gives a random key for this run only.
 */
bool secret_load(const char *path, unsigned char *out, size_t *len, char *err, size_t errlen);

#endif
