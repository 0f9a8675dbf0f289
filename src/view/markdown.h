/*
 * markdown: a post's Markdown body as HTML, through Debian's libcmark (CommonMark). cmark's
 * safe default is kept (never CMARK_OPT_UNSAFE): raw HTML becomes a comment and links or
 * images with javascript:, vbscript:, file: or data: (other than images) URLs lose their
 * target, so the HTML may be put into a page unescaped. Rendered once, when a post is saved.
 */
#ifndef BLOGD_MARKDOWN_H
#define BLOGD_MARKDOWN_H

#include <stdbool.h>
#include <stddef.h>

#include "core/buf.h"

/* Appends the HTML of text (len bytes; invalid UTF-8 is replaced, never passed on) to out;
 * false if memory ran out (out is then as it was). */
bool markdown_to_html(const char *text, size_t len, struct buf *out);

#endif
