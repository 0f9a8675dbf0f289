/* logout: POST /logout ends the session on the server, deletes its cookie, and goes home. */
#include "pages/page.h"

#include "app/session.h"

enum http_status page_logout(struct app_request *rq, const struct route_params *p)
{
        (void)p;
        enum http_status hs = request_read_signed_form(&rq->http);
        if (hs != HTTP_OK)
                return hs;
        app_session_end(rq);
        return request_redirect(&rq->http, HTTP_SEE_OTHER, "/");
}
