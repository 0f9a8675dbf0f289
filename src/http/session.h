/*
 * session: the signed-in author's cookie. It holds a 256-bit random id as 64 lowercase hex
 * digits; the database keeps only the id's SHA-256 (so a copy of the table opens no
 * session), as 64 hex digits. Over HTTPS the cookie is called __Host-blogd_session (Secure,
 * Path=/, no Domain: no other host or plain-HTTP page can set it), over HTTP blogd_session
 * (pure, fuzzed).
 */
#ifndef BLOGD_SESSION_H
#define BLOGD_SESSION_H

#include <stdbool.h>
#include <stddef.h>

#define SESSION_COOKIE "blogd_session"
#define SESSION_COOKIE_HTTPS "__Host-blogd_session"
#define SESSION_ID_BYTES 32
#define SESSION_ID_HEX (2 * SESSION_ID_BYTES)
#define SESSION_HASH_HEX 64 /* SHA-256 */

/* The cookie's name for a request that came over HTTPS or not. */
const char *session_cookie_name(bool https);

/*
 * Finds the session cookie in a Cookie header and checks its form: exactly SESSION_ID_HEX
 * lowercase hex digits. On success copies them, NUL-terminated, into id. Over HTTPS only the
 * __Host- cookie counts; over HTTP only the plain one. False if there is none or it is
 * malformed (then the visitor is anonymous and no lookup is made).
 */
bool session_cookie_read(const char *cookie_header, bool https, char id[SESSION_ID_HEX + 1]);

/* Whether s (len bytes) is a well-formed session id. */
bool session_id_valid(const char *s, size_t len);

/* Draws a new id (libsodium's randombytes_buf; sodium_init() first). */
void session_id_new(char id[SESSION_ID_HEX + 1]);

/* The hash the database keeps for id: SHA-256 of its 32 bytes, as 64 lowercase hex digits. */
bool session_id_hash(const char *id, char out[SESSION_HASH_HEX + 1]);

#endif
