/*
 * ryw: the read-your-writes cookie (blogd_ryw). After a visitor's write, with replicas, it
 * carries the write's GTID to whichever host serves their next pages, which then wait for a
 * replica to have it (or read from the primary). Signed with the hosts' shared key (the CSRF
 * secret) so that nobody can make a replica wait for a GTID that was never theirs, and valid
 * only as long as a replica in use could still lack the write (replica_max_lag and a margin):
 * after that every replica that serves has it, and the cookie costs nothing (pure, fuzzed).
 */
#ifndef BLOGD_RYW_H
#define BLOGD_RYW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RYW_COOKIE "blogd_ryw"
/* A GTID as the cookie carries it: digits and dashes ("0-1-42"), or "p" (unknown: the
 * primary serves). */
#define RYW_GTID_MAX 64
/* "<gtid>.<expiry, Unix s>.<32 hex digits of HMAC-SHA256>" */
#define RYW_VALUE_MAX (RYW_GTID_MAX + 1 + 20 + 1 + 32 + 1)

/* Whether text is a GTID the cookie may carry. */
bool ryw_gtid_ok(const char *gtid, size_t len);
/* The cookie's value for gtid, valid until expires (Unix s); false if gtid is not one. */
bool ryw_format(const char *gtid, uint64_t expires, const unsigned char *key, size_t key_len,
                char out[RYW_VALUE_MAX]);
/* The GTID of a cookie value signed with key and not expired at now (Unix s); false for
 * anything else (a forged, altered, expired or malformed value). */
bool ryw_parse(const char *value, size_t len, uint64_t now, const unsigned char *key,
               size_t key_len, char gtid[RYW_GTID_MAX]);

#endif
