/* test_view: the C face of ctemplate (src/view/view.cc) on blogd's real templates: a page
 * expands with its values escaped; a value that could not be stored (a NULL dictionary, as a
 * failed allocation leaves) makes the whole page refused, never expanded with a hole, and the
 * next page starts clean. */
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "core/buf.h"
#include "view/view.h"

static struct view_dict *about_page(void)
{
        struct view_dict *d = view_dict_new();
        view_set_str(d, "TITLE", "About <you>");
        view_set_str(d, "SITE_NAME", "Site & Co");
        view_include(d, "BODY", "about.tpl");
        return d;
}

int main(void)
{
        char err[256] = "";
        CHECK(view_load(BLOGD_TEMPLATE_DIR, err, sizeof(err)));
        struct buf out;
        buf_init(&out);

        struct view_dict *d = about_page();
        CHECK(d && view_expand("layout.tpl", d, &out));
        CHECK(out.data && strstr(out.data, "About &lt;you&gt;") != NULL);
        CHECK(strstr(out.data, "Site &amp; Co") != NULL);
        view_dict_free(d);

        /* A section whose dictionary could not be made: every later call gets NULL. */
        d = about_page();
        struct view_dict *lost = view_section(NULL, "POST");
        CHECK(lost == NULL);
        view_set_str(lost, "TITLE", "never shown");
        buf_reset(&out);
        CHECK(!view_expand("layout.tpl", d, &out));
        view_dict_free(d);
        /* The same for a value set on a dictionary that is not there. */
        d = about_page();
        view_set_int(NULL, "ID", 1);
        CHECK(!view_expand("layout.tpl", d, &out));
        view_dict_free(d);

        /* A new page is whole again. */
        d = about_page();
        buf_reset(&out);
        CHECK(view_expand("layout.tpl", d, &out));
        view_dict_free(d);
        /* A template that does not exist is refused. */
        d = view_dict_new();
        CHECK(!view_expand("no-such.tpl", d, &out));
        view_dict_free(d);

        buf_cleanup(&out);
        view_unload();
        return check_summary();
}
