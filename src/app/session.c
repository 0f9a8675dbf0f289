/* session: the signed-in author of a request, looked up only when it carries the cookie. */
#include "app/session.h"

#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "core/log.h"
#include "http/session.h"
#include "store/sessions.h"

/* last_seen is written at most this often per session (a quarter of session_idle when that
 * is shorter), not at every request. */
#define TOUCH_EVERY_S 60

static void drop_cookie(struct app_request *rq)
{
        request_set_cookie(&rq->http, session_cookie_name(rq->http.https), "", 0);
}

bool app_signed_in(struct app_request *rq)
{
        if (rq->session_checked)
                return rq->signed_in;
        rq->session_checked = true;
        char id[SESSION_ID_HEX + 1];
        /* The header request_begin looked up: a visitor without a cookie costs a NULL test. */
        if (!session_cookie_read(rq->http.cookie, rq->http.https, id))
                return false;
        char hash[SESSION_HASH_HEX + 1];
        bool hashed = session_id_hash(id, hash);
        sodium_memzero(id, sizeof(id));
        if (!hashed)
                return false;
        const struct config *cfg = rq->http.cfg;
        struct session_row s;
        enum db_status st = sessions_find(hash, cfg->session_idle, cfg->session_max, &s);
        if (st != DB_OK) {
                /* Unknown now: anonymous for this request, the cookie kept. */
                log_warn("a session could not be checked (database status %d)", (int)st);
                return false;
        }
        if (!s.found) {
                drop_cookie(rq);
                return false;
        }
        /* Often enough that a session in use never reaches session_idle between two writes. */
        uint64_t every = (uint64_t)cfg->session_idle / 4;
        if (s.idle >= (every < TOUCH_EVERY_S ? every : TOUCH_EVERY_S))
                sessions_touch(hash);
        rq->signed_in = true;
        rq->author_id = s.author_id;
        snprintf(rq->author, sizeof(rq->author), "%s", s.author);
        memcpy(rq->session_hash, hash, sizeof(hash));
        rq->http.private_reply = true;
        return true;
}

bool app_session_start(struct app_request *rq, uint32_t author_id, const char *name)
{
        /* A session the browser brought (fixation: one an attacker planted) ends here. */
        if (app_signed_in(rq))
                sessions_end(rq->session_hash);
        char id[SESSION_ID_HEX + 1], hash[SESSION_HASH_HEX + 1];
        session_id_new(id);
        bool ok = session_id_hash(id, hash) && sessions_start(hash, author_id) == DB_OK;
        if (ok) {
                const struct config *cfg = rq->http.cfg;
                /* Now and then, a few expired sessions are cleared out. */
                if ((hash[0] & 0x0f) == 0)
                        sessions_purge(cfg->session_idle, cfg->session_max);
                /* The cookie list may hold the deletion of the old one: the new one follows and
                 * wins. */
                rq->http.cookies[0] = '\0';
                ok = request_set_cookie(&rq->http, session_cookie_name(rq->http.https), id,
                                        cfg->session_max);
                rq->signed_in = true;
                rq->author_id = author_id;
                snprintf(rq->author, sizeof(rq->author), "%s", name);
                memcpy(rq->session_hash, hash, sizeof(hash));
                rq->http.private_reply = true;
        }
        sodium_memzero(id, sizeof(id));
        return ok;
}

void app_session_end(struct app_request *rq)
{
        if (app_signed_in(rq))
                sessions_end(rq->session_hash);
        rq->signed_in = false;
        rq->author_id = 0;
        rq->author[0] = rq->session_hash[0] = '\0';
        rq->http.cookies[0] = '\0';
        drop_cookie(rq);
}
