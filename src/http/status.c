/* status: the HTTP status codes blogd answers with, and their reason phrases. */
#include "http/status.h"

const char *http_status_reason(enum http_status st)
{
        switch (st) {
        case HTTP_OK:
                return "OK";
        case HTTP_MOVED_PERMANENTLY:
                return "Moved Permanently";
        case HTTP_SEE_OTHER:
                return "See Other";
        case HTTP_BAD_REQUEST:
                return "Bad Request";
        case HTTP_FORBIDDEN:
                return "Forbidden";
        case HTTP_NOT_FOUND:
                return "Not Found";
        case HTTP_METHOD_NOT_ALLOWED:
                return "Method Not Allowed";
        case HTTP_CONFLICT:
                return "Conflict";
        case HTTP_PAYLOAD_TOO_LARGE:
                return "Content Too Large";
        case HTTP_URI_TOO_LONG:
                return "URI Too Long";
        case HTTP_UNSUPPORTED_MEDIA_TYPE:
                return "Unsupported Media Type";
        case HTTP_UNPROCESSABLE:
                return "Unprocessable Content";
        case HTTP_TOO_MANY_REQUESTS:
                return "Too Many Requests";
        case HTTP_INTERNAL_ERROR:
                return "Internal Server Error";
        case HTTP_SERVICE_UNAVAILABLE:
                return "Service Unavailable";
        }
        return "Unknown";
}
