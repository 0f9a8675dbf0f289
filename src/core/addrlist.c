/* addrlist: a list of IPv4/IPv6 addresses and networks (CIDR), e.g. FastCGI's allow_from. */
#include "core/addrlist.h"

#include "core/digits.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

static bool parse_one(const char *tok, struct addrlist *l, char *err, size_t errlen)
{
        if (l->count == ADDRLIST_MAX) {
                snprintf(err, errlen, "more than %d addresses", ADDRLIST_MAX);
                return false;
        }
        char text[INET6_ADDRSTRLEN + 8];
        if (strlen(tok) >= sizeof(text)) {
                snprintf(err, errlen, "not an address: \"%.60s\"", tok);
                return false;
        }
        strcpy(text, tok);
        char *slash = strchr(text, '/');
        if (slash)
                *slash = '\0';
        struct addrlist_net *n = &l->net[l->count];
        memset(n, 0, sizeof(*n));
        unsigned max;
        if (inet_pton(AF_INET, text, n->addr) == 1) {
                n->family = AF_INET;
                max = 32;
        } else if (inet_pton(AF_INET6, text, n->addr) == 1) {
                n->family = AF_INET6;
                max = 128;
        } else {
                snprintf(err, errlen, "not an IPv4 or IPv6 address: \"%s\"", tok);
                return false;
        }
        n->prefix = max;
        if (slash) {
                const char *p = slash + 1;
                uint64_t bits;
                if (!digits_parse(p, strlen(p), max, &bits)) {
                        snprintf(err, errlen, "bad prefix length in \"%s\"", tok);
                        return false;
                }
                n->prefix = (unsigned)bits;
        }
        l->count++;
        return true;
}

bool addrlist_parse(const char *text, struct addrlist *out, char *err, size_t errlen)
{
        memset(out, 0, sizeof(*out));
        const char *sep = ", \t";
        for (const char *p = text; *p;) {
                size_t skip = strspn(p, sep);
                p += skip;
                size_t len = strcspn(p, sep);
                if (!len)
                        break;
                char tok[96];
                if (len >= sizeof(tok)) {
                        snprintf(err, errlen, "not an address: \"%.60s...\"", p);
                        return false;
                }
                memcpy(tok, p, len);
                tok[len] = '\0';
                if (!parse_one(tok, out, err, errlen))
                        return false;
                p += len;
        }
        return true;
}

static bool prefix_equal(const uint8_t *a, const uint8_t *b, unsigned bits)
{
        unsigned whole = bits / 8, rest = bits % 8;
        if (memcmp(a, b, whole) != 0)
                return false;
        if (!rest)
                return true;
        uint8_t mask = (uint8_t)(0xff << (8 - rest));
        return (a[whole] & mask) == (b[whole] & mask);
}

/* The peer's family and address bytes; an IPv4-mapped IPv6 address becomes IPv4. */
static int peer_bytes(const struct sockaddr *sa, uint8_t out[16])
{
        if (sa->sa_family == AF_INET) {
                memcpy(out, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, 4);
                return AF_INET;
        }
        if (sa->sa_family == AF_INET6) {
                const struct in6_addr *a =
                    &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr;
                if (IN6_IS_ADDR_V4MAPPED(a)) {
                        memcpy(out, a->s6_addr + 12, 4);
                        return AF_INET;
                }
                memcpy(out, a->s6_addr, 16);
                return AF_INET6;
        }
        return AF_UNSPEC;
}

bool addrlist_match(const struct addrlist *l, const struct sockaddr *sa)
{
        uint8_t peer[16];
        int family = peer_bytes(sa, peer);
        for (size_t i = 0; i < l->count; i++)
                if (l->net[i].family == family &&
                    prefix_equal(l->net[i].addr, peer, l->net[i].prefix))
                        return true;
        return false;
}

void addrlist_format(const struct sockaddr *sa, char *out, size_t outlen)
{
        uint8_t peer[16];
        int family = peer_bytes(sa, peer);
        if (family == AF_UNSPEC || !inet_ntop(family, peer, out, (socklen_t)outlen))
                snprintf(out, outlen, "(unknown)");
}
