/* secret: the CSRF signing key, read from a file or generated into it on first run. */
#include "core/secret.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#define SECRET_NEW 32

static bool create(const char *path, unsigned char *out, size_t *len, char *err, size_t errlen)
{
        randombytes_buf(out, SECRET_NEW);
        *len = SECRET_NEW;
        if (!*path)
                return true;
        int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        if (fd < 0)
                return false; /* EEXIST: another process made it first; the caller rereads */
        char text[2 * SECRET_NEW + 1];
        sodium_bin2hex(text, sizeof(text), out, SECRET_NEW);
        text[2 * SECRET_NEW] = '\n';
        bool ok = write(fd, text, sizeof(text)) == (ssize_t)sizeof(text);
        ok = close(fd) == 0 && ok;
        if (!ok) {
                snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
                unlink(path);
        }
        return ok;
}

bool secret_load(const char *path, unsigned char *out, size_t *len, char *err, size_t errlen)
{
        err[0] = '\0';
        if (!*path)
                return create(path, out, len, err, errlen);
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0 && errno == ENOENT) {
                if (create(path, out, len, err, errlen))
                        return true;
                if (err[0])
                        return false;
                fd = open(path, O_RDONLY | O_CLOEXEC);
        }
        if (fd < 0) {
                snprintf(err, errlen, "cannot read %s: %s", path, strerror(errno));
                return false;
        }
        char text[4 * SECRET_MAX];
        ssize_t n = read(fd, text, sizeof(text) - 1);
        close(fd);
        size_t k = 0;
        /* The key is the leading hex digits (a newline or anything else ends them). */
        const char *end;
        if (n <= 0 || sodium_hex2bin(out, SECRET_MAX, text, (size_t)n, NULL, &k, &end) != 0)
                k = 0;
        sodium_memzero(text, sizeof(text));
        if (k < 32) {
                snprintf(err, errlen, "%s must hold 64 to %d hex digits (a key of 32 to %d bytes)",
                         path, 2 * SECRET_MAX, SECRET_MAX);
                return false;
        }
        *len = k;
        return true;
}
