/*
 * comment_delete: POST /comments/<id>/delete removes a comment and returns to its post (or to
 * the form's local `next`: the admin's list). With
 * comment_delete = owner (the default) only a signed-in author or the browser that wrote the
 * comment (its secret, whose hash the comment keeps) may: anyone else gets 403 and nothing
 * changes. comment_delete = anyone is the tutorial's rule.
 */
#include "pages/page.h"

#include <strings.h>

#include "app/session.h"
#include "cache/cache.h"
#include "http/localpath.h"
#include "http/owner.h"
#include "store/comments.h"

/* Whether this browser holds the secret of comment id, whose hash the database keeps. */
static bool owns(struct app_request *rq, uint32_t id, const char *stored_hash)
{
        const struct owner_entry *e = owner_find(app_owners(rq), id);
        char hash[OWNER_HASH_HEX + 1];
        return e && stored_hash[0] && owner_secret_hash(e->secret, hash) &&
               owner_hash_equal(hash, stored_hash);
}

/* The owner cookie without comment id (deleted by its writer). */
static void forget(struct app_request *rq, uint32_t id)
{
        struct owner_list l = *app_owners(rq);
        char value[OWNER_VALUE_MAX];
        if (!owner_remove(&l, id))
                return;
        /* The last one gone: the cookie goes too. */
        size_t n = owner_format(&l, value, sizeof(value));
        request_set_cookie(&rq->http, OWNER_COOKIE, n ? value : "", n ? OWNER_MAX_AGE_S : 0);
}

enum http_status page_comment_delete(struct app_request *rq, const struct route_params *p)
{
        enum http_status hs = request_read_form(&rq->http);
        if (hs != HTTP_OK)
                return hs;
        uint64_t post_id = 0;
        char stored[OWNER_HASH_HEX + 1];
        enum db_status st = comments_owner(p->id[0], &post_id, stored);
        if (st != DB_OK)
                return page_db_status(st);
        if (!post_id) {
                rq->http.error = "There is no such comment.";
                return HTTP_NOT_FOUND;
        }
        if (!request_csrf_ok(&rq->http))
                return HTTP_FORBIDDEN;
        bool anyone = strcasecmp(rq->http.cfg->comment_delete, "anyone") == 0;
        bool by_owner = !anyone && !app_signed_in(rq) && owns(rq, p->id[0], stored);
        if (!anyone && !app_signed_in(rq) && !by_owner) {
                rq->http.error =
                    "Only the browser that wrote a comment, or an author, may delete it.";
                return HTTP_FORBIDDEN;
        }
        if (!cache_write_permitted())
                return page_db_status(DB_UNAVAILABLE);
        st = comments_delete(p->id[0]);
        if (st == DB_IN_DOUBT) {
                /* The answer was lost: the comment is gone (303) or still there (503). */
                uint64_t still = 0;
                st = comments_post_of(p->id[0], &still);
                if (st == DB_OK && still)
                        st = DB_UNAVAILABLE;
        }
        if (st != DB_OK)
                return page_db_status(st);
        cache_comment_changed(post_id);
        if (by_owner)
                forget(rq, p->id[0]);
        /* Deleted meanwhile by someone else: the outcome the user asked for holds all the same.
         * Back to the post, or where the form says (a local path: the admin's list). */
        const struct form_field *next = form_get(&rq->http.form, "next");
        if (next && localpath_ok(next->value, next->value_len))
                return request_redirect(&rq->http, HTTP_SEE_OTHER, "%.*s", (int)next->value_len,
                                        next->value);
        return request_redirect(&rq->http, HTTP_SEE_OTHER, "/%llu/", (unsigned long long)post_id);
}
