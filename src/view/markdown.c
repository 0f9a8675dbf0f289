/* markdown: Markdown to safe HTML through libcmark (its safe default, UTF-8 validated). */
#include "view/markdown.h"

#include <stdlib.h>
#include <string.h>

#include <cmark.h>

/* CMARK_OPT_UNSAFE is never set: that is what keeps raw HTML and unsafe URLs out. */
#define MARKDOWN_OPTIONS (CMARK_OPT_DEFAULT | CMARK_OPT_VALIDATE_UTF8)

_Static_assert((MARKDOWN_OPTIONS & CMARK_OPT_UNSAFE) == 0, "cmark must stay in its safe mode");

bool markdown_to_html(const char *text, size_t len, struct buf *out)
{
        char *html = cmark_markdown_to_html(text ? text : "", text ? len : 0, MARKDOWN_OPTIONS);
        if (!html)
                return false;
        size_t before = out->len, n = strlen(html);
        /* cmark ends every block with a line break: the last one is not part of the text. */
        while (n && html[n - 1] == '\n')
                n--;
        bool ok = buf_append(out, html, n);
        if (!ok && out->cap) {
                out->len = before;
                out->data[before] = '\0';
        }
        free(html);
        return ok;
}
