/* secret: the CSRF signing key, read from a file or generated into it on first run. */
#include "core/secret.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "core/hex.h"

#define SECRET_NEW 32

static bool create(const char *path, unsigned char *out, size_t *len, char *err, size_t errlen)
{
        if (getrandom(out, SECRET_NEW, 0) != SECRET_NEW) {
                snprintf(err, errlen, "getrandom: %s", strerror(errno));
                return false;
        }
        *len = SECRET_NEW;
        if (!*path)
                return true;
        int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        if (fd < 0)
                return false; /* EEXIST: another process made it first; the caller rereads */
        char text[2 * SECRET_NEW + 1];
        for (size_t i = 0; i < SECRET_NEW; i++)
                snprintf(text + 2 * i, 3, "%02x", out[i]);
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
        for (ssize_t i = 0; n > 0 && i + 1 < n && k < SECRET_MAX; i += 2) {
                int hi = hex_value(text[i]), lo = hex_value(text[i + 1]);
                if (hi < 0 || lo < 0)
                        break;
                out[k++] = (unsigned char)(hi << 4 | lo);
        }
        if (k < 32) {
                snprintf(err, errlen, "%s must hold at least 64 hex digits (a 32-byte key)", path);
                return false;
        }
        *len = k;
        return true;
}
