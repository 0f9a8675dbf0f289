/* stub_pages: stubs of the page handlers routes.c names: the real route table, no db or view. */
#include "pages/page.h"

#define STUB(name)                                                                                 \
        enum http_status name(struct app_request *rq, const struct route_params *p)                \
        {                                                                                          \
                (void)rq;                                                                          \
                (void)p;                                                                           \
                return HTTP_OK;                                                                    \
        }

STUB(page_index)
STUB(page_post_show)
STUB(page_post_comment)
STUB(page_comments)
STUB(page_comment_delete)
STUB(page_about)
STUB(page_status)
STUB(page_ops_ping)
STUB(page_ops_health)
STUB(page_ops_status)
STUB(page_ops_metrics)
STUB(page_feed)
STUB(page_login_form)
STUB(page_login)
STUB(page_logout)
STUB(page_admin)
STUB(page_post_new_form)
STUB(page_post_new)
STUB(page_post_edit_form)
STUB(page_post_edit)
STUB(page_post_delete)
STUB(page_admin_comments)
STUB(page_comment_approve)

bool post_is_private(struct app_request *rq, const struct route_params *p)
{
        (void)rq;
        (void)p;
        return false;
}

void post_for_visitor(struct app_request *rq, const struct route_params *p)
{
        (void)rq;
        (void)p;
}

void page_error(struct app_request *rq, enum http_status st)
{
        (void)rq;
        (void)st;
}
