/*
 * session: who is signed in. A request without the session cookie is anonymous at no cost
 * (no query); one with a well-formed cookie costs one primary-key read, once per request, and
 * its answer is then for that visitor only (Cache-Control: private, no-store; never the page
 * cache's). The cookie holds a random id; the database only its hash (http/session.h).
 */
#ifndef BLOGD_APP_SESSION_H
#define BLOGD_APP_SESSION_H

#include <stdbool.h>
#include <stdint.h>

#include "app/context.h"

/* Whether the request comes from a signed-in author (rq->author_id, rq->author). A cookie
 * that names no live session is deleted in the answer. */
bool app_signed_in(struct app_request *rq);

/* Starts a session for author with a new id (a cookie's old session ends), and sets its
 * cookie; false if it could not be stored. */
bool app_session_start(struct app_request *rq, uint32_t author_id, const char *name);

/* Ends the request's session on the server and deletes its cookie. */
void app_session_end(struct app_request *rq);

#endif
