/* status: the HTTP status codes blogd answers with, and their reason phrases. */
#ifndef BLOGD_STATUS_H
#define BLOGD_STATUS_H

enum http_status {
        HTTP_OK = 200,
        HTTP_MOVED_PERMANENTLY = 301,
        HTTP_SEE_OTHER = 303,
        HTTP_BAD_REQUEST = 400,
        HTTP_FORBIDDEN = 403,
        HTTP_NOT_FOUND = 404,
        HTTP_METHOD_NOT_ALLOWED = 405,
        HTTP_CONFLICT = 409,
        HTTP_PAYLOAD_TOO_LARGE = 413,
        HTTP_URI_TOO_LONG = 414,
        HTTP_UNSUPPORTED_MEDIA_TYPE = 415,
        HTTP_UNPROCESSABLE = 422,
        HTTP_TOO_MANY_REQUESTS = 429,
        HTTP_INTERNAL_ERROR = 500,
        HTTP_SERVICE_UNAVAILABLE = 503,
};

const char *http_status_reason(enum http_status st);

#endif
