/* addrlist: a list of IPv4/IPv6 addresses and networks (CIDR), e.g. FastCGI's allow_from. */
#ifndef BLOGD_ADDRLIST_H
#define BLOGD_ADDRLIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#define ADDRLIST_MAX 32

struct addrlist_net {
        int family; /* AF_INET or AF_INET6 */
        uint8_t addr[16];
        unsigned prefix; /* leading bits that must match */
};

struct addrlist {
        struct addrlist_net net[ADDRLIST_MAX];
        size_t count;
};

/* Parses "127.0.0.1, 10.0.0.0/8, ::1" (commas and/or spaces). An empty text is an empty
 * list. On failure writes why to err and returns false. */
bool addrlist_parse(const char *text, struct addrlist *out, char *err, size_t errlen);
/* Whether the peer address sa (AF_INET or AF_INET6; an IPv4-mapped IPv6 address counts as
 * IPv4) is in the list. */
bool addrlist_match(const struct addrlist *l, const struct sockaddr *sa);
/* The address of sa as text, for the log. */
void addrlist_format(const struct sockaddr *sa, char *out, size_t outlen);

#endif
