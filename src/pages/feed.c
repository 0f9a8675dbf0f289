/* feed: GET /feed.atom, the newest published posts as an Atom 1.0 feed (RFC 4287). */
#include "pages/page.h"

#include <stdio.h>
#include <time.h>

#include "core/log.h"
#include "store/posts.h"
#include "view/view.h"

#define FEED_ENTRIES 20

static void set_date(struct view_dict *d, const char *key, uint64_t unix_s)
{
        char s[PAGE_TIME_MAX];
        page_iso_time(unix_s, s);
        view_set_str(d, key, s);
}

enum http_status page_feed(struct app_request *rq, const struct route_params *p)
{
        (void)p;
        const struct config *cfg = rq->http.cfg;
        enum db_status st = posts_feed(FEED_ENTRIES, &rq->rows);
        if (st != DB_OK)
                return page_db_status(st);
        struct view_dict *d = view_dict_new();
        if (!d)
                return HTTP_INTERNAL_ERROR;
        view_set_str(d, "SITE_NAME", cfg->site_name);
        /* Every URL from base_url: a Host header cannot put another site into the feed. */
        view_set_str(d, "BASE_URL", cfg->base_url);
        const struct rowset *rs = &rq->rows;
        uint64_t newest = 0;
        bool ok = true;
        for (size_t r = 0; r < rs->count && ok; r++) {
                size_t len;
                struct view_dict *e = view_section(d, "ENTRY");
                view_set_int(e, "ID", (long long)rowset_int(rs, r, POSTS_ID));
                const char *s = rowset_text(rs, r, POSTS_TITLE, &len);
                view_set(e, "TITLE", s, len);
                s = rowset_text(rs, r, POSTS_AUTHOR, &len);
                if (len)
                        view_set(view_section(e, "BY"), "AUTHOR", s, len);
                set_date(e, "PUBLISHED", rowset_int(rs, r, POSTS_PUBLISHED));
                uint64_t updated = rowset_int(rs, r, POSTS_UPDATED);
                set_date(e, "UPDATED", updated);
                if (updated > newest)
                        newest = updated;
                s = rowset_text(rs, r, POSTS_BODY, &len);
                ok = page_set_body(e, "CONTENT", s, len, rowset_int(rs, r, POSTS_RAW) != 0);
        }
        /* A feed without entries was last updated when it was asked for. */
        set_date(d, "UPDATED", newest ? newest : (uint64_t)time(NULL));
        buf_reset(&rq->http.reply);
        ok = ok && view_expand("feed.tpl", d, &rq->http.reply);
        view_dict_free(d);
        if (!ok) {
                log_error("rendering the feed failed");
                buf_reset(&rq->http.reply);
                return HTTP_INTERNAL_ERROR;
        }
        rq->page_ready = true;
        return HTTP_OK;
}
