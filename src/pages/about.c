/* about: GET /about/ says what this blog is. */
#include "pages/page.h"

enum http_status page_about(struct app_request *rq, const struct route_params *p)
{
        (void)p;
        if (!page_begin(rq, "About", "about.tpl"))
                return HTTP_INTERNAL_ERROR;
        return page_end(rq, HTTP_OK);
}
