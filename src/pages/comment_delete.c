/* comment_delete: POST /comments/<id>/delete removes a comment and returns to its post. */
#include "pages/page.h"

#include "cache/cache.h"
#include "store/comments.h"

enum http_status page_comment_delete(struct app_request *rq, const struct route_params *p)
{
        enum http_status hs = request_read_form(&rq->http);
        if (hs != HTTP_OK)
                return hs;
        uint64_t post_id = 0;
        enum db_status st = comments_post_of(p->id[0], &post_id);
        if (st != DB_OK)
                return page_db_status(st);
        if (!post_id) {
                rq->http.error = "There is no such comment.";
                return HTTP_NOT_FOUND;
        }
        if (!request_csrf_ok(&rq->http))
                return HTTP_FORBIDDEN;
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
        /* Deleted meanwhile by someone else: the outcome the user asked for holds all the same. */
        return request_redirect(&rq->http, HTTP_SEE_OTHER, "/%llu/", (unsigned long long)post_id);
}
