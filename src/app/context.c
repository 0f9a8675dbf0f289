/* context: the application's per-request context (the HTTP request, the page, the cache's view). */
#include "app/context.h"

#include <string.h>

#include "view/view.h"

/* The cache's marker stands where the token goes, so the two must be as long. */
_Static_assert(CACHE_MARKER_LEN == CSRF_TOKEN_HEX, "a cached page's marker is a token's size");

void app_request_init(struct app_request *rq, FCGX_Request *fcgi, const struct config *cfg)
{
        memset(rq, 0, sizeof(*rq));
        request_init(&rq->http, fcgi, cfg);
        rowset_init(&rq->rows);
}

void app_request_cleanup(struct app_request *rq)
{
        app_request_reset(rq);
        request_cleanup(&rq->http);
        rowset_cleanup(&rq->rows);
}

void app_request_reset(struct app_request *rq)
{
        if (rq->view)
                view_dict_free(rq->view);
        rq->view = NULL;
        rq->page_ready = false;
        rowset_reset(&rq->rows);
        rq->cache_render = false;
        rq->page_has_marker = false;
        rq->has_data_gen = false;
        rq->session_checked = rq->signed_in = false;
        rq->owners_read = false;
        rq->read_only = false;
        rq->owners.n = 0;
        rq->author_id = 0;
        rq->author[0] = rq->session_hash[0] = '\0';
        request_reset(&rq->http);
}

const char *app_csrf_field(struct app_request *rq)
{
        if (!rq->cache_render)
                return request_csrf_token(&rq->http);
        rq->page_has_marker = true;
        return cache_marker();
}

const struct owner_list *app_owners(struct app_request *rq)
{
        if (!rq->owners_read) {
                rq->owners_read = true;
                owner_parse(rq->http.cookie, &rq->owners);
        }
        return &rq->owners;
}
