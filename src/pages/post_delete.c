/* post_delete: POST /admin/posts/<id>/delete deletes a post and its comments (the button asks
 * first), then goes back to the admin's list. */
#include "pages/page.h"

#include "cache/cache.h"
#include "core/log.h"
#include "store/posts.h"

enum http_status page_post_delete(struct app_request *rq, const struct route_params *p)
{
        enum http_status hs = request_read_signed_form(&rq->http);
        if (hs != HTTP_OK)
                return hs;
        if (!cache_write_permitted())
                return page_db_status(DB_UNAVAILABLE);
        bool deleted = false;
        enum db_status st = posts_delete(p->id[0], &deleted);
        if (st != DB_OK)
                return page_db_status(st);
        if (!deleted) {
                rq->http.error = "There is no such post.";
                return HTTP_NOT_FOUND;
        }
        cache_post_changed(p->id[0]);
        log_info("%s deleted post %lu", rq->author, (unsigned long)p->id[0]);
        return request_redirect(&rq->http, HTTP_SEE_OTHER, "/admin/");
}
