/*
 * status: GET /_status/<code> renders blogd's error page for a status nginx answers by itself
 * (413 body too large, 414 URI too long), so those too come in the site layout with the
 * security headers. nginx reaches it only through error_page on an internal location.
 */
#include "pages/page.h"

enum http_status page_status(struct app_request *rq, const struct route_params *p)
{
        switch (p->id[0]) {
        case 400:
                return HTTP_BAD_REQUEST;
        case 413:
                rq->http.error = "The request body is too large.";
                return HTTP_PAYLOAD_TOO_LARGE;
        case 414:
                rq->http.error = "The address is too long.";
                return HTTP_URI_TOO_LONG;
        default:
                return HTTP_NOT_FOUND;
        }
}
