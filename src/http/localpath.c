/* localpath: a client-chosen redirect target is a local path, or refused. */
#include "http/localpath.h"

bool localpath_ok(const char *s, size_t len)
{
        if (!s || len == 0 || len > LOCALPATH_MAX || s[0] != '/')
                return false;
        /* "//host" and "/\host" are read by browsers as another host. */
        if (len > 1 && (s[1] == '/' || s[1] == '\\'))
                return false;
        for (size_t i = 0; i < len; i++) {
                unsigned char c = (unsigned char)s[i];
                if (c <= 0x20 || c >= 0x7f || c == '\\')
                        return false;
        }
        return true;
}
