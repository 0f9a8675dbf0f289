/* serverlist: parses db_replicas' list of MariaDB servers. */
#include "core/serverlist.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "core/digits.h"

static bool host_char(char c)
{
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '.' || c == '-' || c == '_' || c == ':';
}

static bool parse_one(const char *s, size_t n, unsigned default_port, struct server *out, char *err,
                      size_t errlen)
{
        memset(out, 0, sizeof(*out));
        if (s[0] == '/') {
                /* sun_path holds 108 bytes with the NUL. */
                if (n >= 108) {
                        snprintf(err, errlen, "socket path too long: %.*s", (int)n, s);
                        return false;
                }
                memcpy(out->socket, s, n);
                return true;
        }
        const char *host = s, *port = NULL;
        size_t host_len = n, port_len = 0;
        if (s[0] == '[') {
                const char *close = memchr(s, ']', n);
                if (!close) {
                        snprintf(err, errlen, "missing ']' in \"%.*s\"", (int)n, s);
                        return false;
                }
                host = s + 1;
                host_len = (size_t)(close - host);
                size_t rest = n - (size_t)(close + 1 - s);
                if (rest) {
                        if (close[1] != ':') {
                                snprintf(err, errlen, "expected ':port' after ']' in \"%.*s\"",
                                         (int)n, s);
                                return false;
                        }
                        port = close + 2;
                        port_len = rest - 1;
                }
        } else {
                const char *colon = memchr(s, ':', n);
                if (colon && memchr(colon + 1, ':', n - (size_t)(colon + 1 - s))) {
                        snprintf(err, errlen, "an IPv6 address goes in brackets: \"%.*s\"", (int)n,
                                 s);
                        return false;
                }
                if (colon) {
                        host_len = (size_t)(colon - s);
                        port = colon + 1;
                        port_len = n - host_len - 1;
                }
        }
        bool ok = host_len > 0 && host_len < sizeof(out->host);
        for (size_t i = 0; ok && i < host_len; i++)
                ok = host_char(host[i]) && (host[i] != ':' || s[0] == '[');
        if (!ok) {
                snprintf(err, errlen, "not a host name or address: \"%.*s\"", (int)n, s);
                return false;
        }
        uint64_t p = default_port;
        if (port && (!digits_parse(port, port_len, 65535, &p) || p == 0)) {
                snprintf(err, errlen, "not a port in [1, 65535]: \"%.*s\"", (int)n, s);
                return false;
        }
        memcpy(out->host, host, host_len);
        out->port = (unsigned)p;
        return true;
}

bool serverlist_parse(const char *text, unsigned default_port, struct serverlist *out, char *err,
                      size_t errlen)
{
        memset(out, 0, sizeof(*out));
        const char *p = text;
        for (;;) {
                p += strspn(p, ", \t");
                if (!*p)
                        return true;
                size_t n = strcspn(p, ", \t");
                if (out->count == SERVERLIST_MAX) {
                        snprintf(err, errlen, "at most %d servers", SERVERLIST_MAX);
                        return false;
                }
                if (!parse_one(p, n, default_port, &out->server[out->count], err, errlen))
                        return false;
                out->count++;
                p += n;
        }
}
