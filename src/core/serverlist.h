/* serverlist: MariaDB servers as db_replicas names them (socket paths, host[:port]). */
#ifndef BLOGD_SERVERLIST_H
#define BLOGD_SERVERLIST_H

#include <stdbool.h>
#include <stddef.h>

#define SERVERLIST_MAX 8
#define SERVERLIST_NAME_MAX 256

/* One server: a unix socket (socket non-empty) or a host and a TCP port. */
struct server {
        char socket[SERVERLIST_NAME_MAX];
        char host[SERVERLIST_NAME_MAX];
        unsigned port;
};

struct serverlist {
        struct server server[SERVERLIST_MAX];
        size_t count;
};

/*
 * Parses "/run/mysqld/r1.sock, db2.example:3307, 10.0.0.3, [::1]:3306" (commas and/or
 * spaces): an absolute path is a socket, anything else a host with an optional port
 * (default_port if none; IPv6 addresses in brackets). An empty text is an empty list. On
 * failure writes why to err and returns false.
 */
bool serverlist_parse(const char *text, unsigned default_port, struct serverlist *out, char *err,
                      size_t errlen);

#endif
