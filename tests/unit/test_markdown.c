/* test_markdown: markdown_to_html (src/view/markdown.c, libcmark's safe mode) against an XSS
 * corpus: every output is checked tag by tag (only the tags and attributes cmark itself writes,
 * no script-capable URL scheme in href or src, nothing unescaped between tags) and is valid
 * UTF-8; plus ordinary Markdown, empty and 1 MiB inputs, and appending to a used buffer. */
#include "check.h"
#include "core/buf.h"
#include "http/utf8.h"
#include "view/markdown.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The tags cmark's HTML renderer writes, and the attributes each may carry. */
static const struct {
        const char *tag;
        const char *attrs[4];
} allowed[] = {
    {"p", {0}},
    {"h1", {0}},
    {"h2", {0}},
    {"h3", {0}},
    {"h4", {0}},
    {"h5", {0}},
    {"h6", {0}},
    {"blockquote", {0}},
    {"ul", {0}},
    {"ol", {"start"}},
    {"li", {0}},
    {"pre", {0}},
    {"code", {"class"}},
    {"hr", {0}},
    {"br", {0}},
    {"em", {0}},
    {"strong", {0}},
    {"a", {"href", "title"}},
    {"img", {"src", "alt", "title"}},
};

static const char OMITTED[] = "<!-- raw HTML omitted -->";

static int tag_index(const char *name, size_t n)
{
        for (size_t i = 0; i < sizeof(allowed) / sizeof(allowed[0]); i++)
                if (strlen(allowed[i].tag) == n && memcmp(allowed[i].tag, name, n) == 0)
                        return (int)i;
        return -1;
}

static bool attr_allowed(int tag, const char *name, size_t n)
{
        for (size_t k = 0; k < 4 && allowed[tag].attrs[k]; k++)
                if (strlen(allowed[tag].attrs[k]) == n &&
                    memcmp(allowed[tag].attrs[k], name, n) == 0)
                        return true;
        return false;
}

static bool prefix_ci(const char *s, size_t n, const char *p)
{
        size_t m = strlen(p);
        if (n < m)
                return false;
        for (size_t i = 0; i < m; i++)
                if (tolower((unsigned char)s[i]) != p[i])
                        return false;
        return true;
}

/*
 * Whether a URL attribute (as written, HTML-escaped) could run script. It is decoded as a
 * browser would (the two references cmark writes in URLs; anything else is refused outright),
 * tabs and newlines dropped, leading controls and spaces cut; then a scheme, if there is one,
 * must be http, https or mailto, or data: with one of the image types cmark lets through.
 */
static bool url_safe(const char *v, size_t n, char *why, size_t whylen)
{
        char d[4096];
        size_t w = 0;
        for (size_t i = 0; i < n;) {
                if (w + 1 >= sizeof(d)) {
                        snprintf(why, whylen, "URL too long to check");
                        return false;
                }
                if (v[i] == '&') {
                        if (n - i >= 5 && memcmp(v + i, "&amp;", 5) == 0) {
                                d[w++] = '&';
                                i += 5;
                        } else if (n - i >= 6 && memcmp(v + i, "&#x27;", 6) == 0) {
                                d[w++] = '\'';
                                i += 6;
                        } else {
                                snprintf(why, whylen, "unexpected character reference in a URL");
                                return false;
                        }
                        continue;
                }
                unsigned char c = (unsigned char)v[i++];
                if (c == '\t' || c == '\n' || c == '\r')
                        continue;
                if (c < 0x20 || c == 0x7f || c == '"' || c == '<' || c == '>' || c == ' ' ||
                    c == '\\' || c >= 0x80) {
                        snprintf(why, whylen, "unescaped byte 0x%02x in a URL", c);
                        return false;
                }
                d[w++] = (char)c;
        }
        size_t s = 0;
        while (s < w && (unsigned char)d[s] <= 0x20)
                s++;
        /* A scheme: a letter, then letters, digits, "+", "-", ".", up to a ":". */
        size_t e = s;
        if (e < w && isalpha((unsigned char)d[e])) {
                while (e < w &&
                       (isalnum((unsigned char)d[e]) || d[e] == '+' || d[e] == '-' || d[e] == '.'))
                        e++;
                if (e < w && d[e] == ':') {
                        const char *u = d + s;
                        size_t un = w - s;
                        if (prefix_ci(u, un, "http:") || prefix_ci(u, un, "https:") ||
                            prefix_ci(u, un, "mailto:") || prefix_ci(u, un, "data:image/png") ||
                            prefix_ci(u, un, "data:image/gif") ||
                            prefix_ci(u, un, "data:image/jpeg") ||
                            prefix_ci(u, un, "data:image/webp"))
                                return true;
                        snprintf(why, whylen, "scheme \"%.*s\" in a URL", (int)(e - s), u);
                        return false;
                }
        }
        return true;
}

/* Why html is not the shape of safe cmark output, or NULL if it is. */
static const char *unsafe_reason(const char *html, size_t len)
{
        static char why[200];
        size_t chars;
        if (!utf8_check_text(html, len, &chars))
                return "output not valid UTF-8 text";
        if (memchr(html, '\0', len))
                return "NUL in output";
        /* The plain substring checks, case-insensitive, over the whole output. */
        static const char *const banned[] = {"<script",
                                             "<iframe",
                                             "<svg",
                                             "<object",
                                             "<style",
                                             "<embed",
                                             "<math",
                                             "<form",
                                             "<base",
                                             "<meta",
                                             "<link",
                                             "<frame",
                                             "<input",
                                             "<div",
                                             "<a href=\"javascript",
                                             "<a href=\"vbscript",
                                             "<a href=\"data:text",
                                             "src=\"javascript",
                                             "src=\"data:text"};
        for (size_t k = 0; k < len; k++) {
                if (html[k] != '<' && tolower((unsigned char)html[k]) != 's')
                        continue; /* every banned string starts with one of these */
                for (size_t i = 0; i < sizeof(banned) / sizeof(banned[0]); i++)
                        if (prefix_ci(html + k, len - k, banned[i])) {
                                snprintf(why, sizeof(why), "contains %s", banned[i]);
                                return why;
                        }
        }
        /* Tag by tag. */
        for (size_t i = 0; i < len;) {
                char c = html[i];
                if (c == '>')
                        return "a raw '>' outside a tag";
                if (c != '<') {
                        i++;
                        continue;
                }
                if (len - i >= sizeof(OMITTED) - 1 &&
                    memcmp(html + i, OMITTED, sizeof(OMITTED) - 1) == 0) {
                        i += sizeof(OMITTED) - 1;
                        continue;
                }
                size_t p = i + 1;
                bool closing = p < len && html[p] == '/';
                if (closing)
                        p++;
                size_t name = p;
                while (p < len &&
                       (islower((unsigned char)html[p]) || isdigit((unsigned char)html[p])))
                        p++;
                int t = tag_index(html + name, p - name);
                if (t < 0) {
                        snprintf(why, sizeof(why), "tag not written by cmark: \"%.20s\"", html + i);
                        return why;
                }
                for (;;) {
                        if (p < len && html[p] == '>') {
                                p++;
                                break;
                        }
                        if (!closing && len - p >= 3 && memcmp(html + p, " />", 3) == 0) {
                                p += 3;
                                break;
                        }
                        if (closing || p >= len || html[p] != ' ')
                                return "malformed tag";
                        p++;
                        size_t an = p;
                        while (p < len && islower((unsigned char)html[p]))
                                p++;
                        size_t alen = p - an;
                        if (!attr_allowed(t, html + an, alen)) {
                                snprintf(why, sizeof(why), "attribute \"%.*s\" on <%s>",
                                         (int)(alen < 30 ? alen : 30), html + an, allowed[t].tag);
                                return why;
                        }
                        if (len - p < 2 || html[p] != '=' || html[p + 1] != '"')
                                return "attribute without a quoted value";
                        p += 2;
                        const char *v = html + p;
                        const char *q = memchr(v, '"', len - p);
                        if (!q)
                                return "unterminated attribute value";
                        size_t vn = (size_t)(q - v);
                        if (memchr(v, '<', vn) || memchr(v, '>', vn))
                                return "unescaped '<' or '>' in an attribute";
                        bool url = (alen == 4 && memcmp(html + an, "href", 4) == 0) ||
                                   (alen == 3 && memcmp(html + an, "src", 3) == 0);
                        char uwhy[120];
                        if (url && !url_safe(v, vn, uwhy, sizeof(uwhy))) {
                                snprintf(why, sizeof(why), "%s: \"%.60s\"", uwhy, v);
                                return why;
                        }
                        p += vn + 1;
                }
                i = p;
        }
        return NULL;
}

static bool render(const char *md, size_t len, struct buf *out)
{
        buf_reset(out);
        return markdown_to_html(md, len, out);
}

static bool contains(const struct buf *b, const char *s)
{
        return b->len && strstr(b->data, s) != NULL;
}

struct vector {
        const char *md;
        size_t len;          /* 0: strlen(md) */
        const char *must;    /* the output contains this (NULL: nothing asked) */
        const char *mustnot; /* nor this */
};

#define V(md)                                                                                      \
        {                                                                                          \
                (md), 0, NULL, NULL                                                                \
        }
#define VM(md, must)                                                                               \
        {                                                                                          \
                (md), 0, (must), NULL                                                              \
        }
#define VB(md)                                                                                     \
        {                                                                                          \
                (md), sizeof(md) - 1, NULL, NULL                                                   \
        }

static const struct vector xss[] = {
    /* Raw HTML: dropped as a block and inline. */
    VM("<script>alert(1)</script>", OMITTED),
    VM("<SCRIPT SRC=//evil.example/x.js></SCRIPT>", OMITTED),
    VM("<script\n>alert(1)</script\n>", OMITTED),
    VM("a <script>alert(1)</script> b", OMITTED),
    VM("<img src=x onerror=alert(1)>", OMITTED),
    VM("text <img src=x onerror=alert(1)> text", OMITTED),
    V("<img src=x onerror=alert(1)//"),
    VM("<img src=\"x\" alt=\"\" onerror=\"alert(1)\" />", OMITTED),
    VM("<div onclick=\"alert(1)\">x</div>", OMITTED),
    VM("<div\nonclick=alert(1)>\n\n*x*\n\n</div>", OMITTED),
    VM("a <a href=\"javascript:alert(1)\">x</a> b", OMITTED),
    VM("<a href='javascript:alert(1)'>x</a>", OMITTED),
    VM("<a href=x onmouseover=alert(1)>x", OMITTED),
    VM("<iframe src=\"https://evil.example/\"></iframe>", OMITTED),
    VM("<svg onload=alert(1)>", OMITTED),
    VM("<svg><script>alert(1)</script></svg>", OMITTED),
    VM("<style>body{display:none}</style>", OMITTED),
    VM("<object data=\"x.swf\"></object>", OMITTED),
    VM("<embed src=x.swf>", OMITTED),
    VM("<math><mi xlink:href=\"javascript:alert(1)\">x</mi></math>", OMITTED),
    VM("<form action=javascript:alert(1)><button>x</button></form>", OMITTED),
    VM("<base href=\"javascript:alert(1)//\">", OMITTED),
    VM("<meta http-equiv=\"refresh\" content=\"0;url=javascript:alert(1)\">", OMITTED),
    VM("<link rel=stylesheet href=javascript:alert(1)>", OMITTED),
    VM("<!-- x --><script>alert(1)</script>", OMITTED),
    VM("<![CDATA[<script>alert(1)</script>]]>", OMITTED),
    VM("<?php echo 1; ?>", OMITTED),
    V("<scr<script>ipt>alert(1)</script>"),
    V("<<script>script>alert(1)</script>"),
    V("[<script>alert(1)</script>](/)"),
    V("*<script>alert(1)</script>*"),
    /* Link and image targets that could run script lose their href or src. */
    VM("[x](javascript:alert(1))", "<a href=\"\">x</a>"),
    VM("[x](JaVaScRiPt:alert(1))", "<a href=\"\">x</a>"),
    VM("[x](  javascript:alert(1))", "<a href=\"\">x</a>"),
    VM("[x](<javascript:alert(1)>)", "<a href=\"\">x</a>"),
    VM("[x](javascript:alert(1) \"t\")", "<a href=\"\""),
    VM("[x](javascript&#58;alert(1))", "<a href=\"\">x</a>"),
    VM("[x](javascript&colon;alert(1))", "<a href=\"\">x</a>"),
    VM("[x](&#x6A;avascript:alert(1))", "<a href=\"\">x</a>"),
    VM("[x](&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1))",
       "<a href=\"\">x</a>"),
    V("[x](java&#x09;script:alert(1))"),
    V("[x](&#32;javascript:alert(1))"),
    V("[x](%6Aavascript:alert(1))"),
    V("[x](\\javascript:alert(1))"),
    V("[x](java\nscript:alert(1))"),
    VM("[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)", "<a href=\"\">x</a>"),
    VM("[x](DATA:text/html,<script>alert(1)</script>)", "<a href=\"\""),
    VM("[x](data:image/svg+xml;base64,PHN2Zy8+)", "<a href=\"\">x</a>"),
    VM("![x](javascript:alert(1))", "<img src=\"\" alt=\"x\" />"),
    VM("![x](data:text/html;base64,PHNjcmlwdD4=)", "<img src=\"\" alt=\"x\" />"),
    VM("![x](data:image/svg+xml;base64,PHN2Zy8+)", "<img src=\"\" alt=\"x\" />"),
    VM("<javascript:alert(1)>", "<a href=\"\">javascript:alert(1)</a>"),
    VM("<JAVASCRIPT:alert(1)>", "<a href=\"\">"),
    VM("<vbscript:msgbox>", "<a href=\"\">"),
    VM("<data:text/html,x>", "<a href=\"\">"),
    VM("[x][1]\n\n[1]: javascript:alert(1)", "<a href=\"\">x</a>"),
    VM("[x]\n\n[x]: <javascript:alert(1)> \"t\"", "<a href=\"\""),
    VM("![x][i]\n\n[i]: javascript:alert(1)", "<img src=\"\""),
    VM("[x](vbscript:msgbox)", "<a href=\"\">x</a>"),
    VM("[x](VBScript:msgbox)", "<a href=\"\">x</a>"),
    VM("[x](file:///etc/passwd)", "<a href=\"\">x</a>"),
    /* Breaking out of an attribute. */
    VM("[x](/ \"a\\\" onmouseover=\\\"alert(1)\")", "title=\"a&quot; onmouseover=&quot;alert(1)\""),
    V("[x](/ 'a\" onmouseover=\"alert(1)')"),
    V("[x](/ (a\" onmouseover=\"alert(1)))"),
    V("![\"onerror=\"alert(1)](x)"),
    V("![x](x \"y\" onerror=\"alert(1)\")"),
    V("![x](x \"y\\\" onerror=\\\"alert(1)\")"),
    VM("<http://a.example/\"onmouseover=\"alert(1)>", "%22onmouseover=%22"),
    V("[x](https://a.example/\"onmouseover=\"alert(1))"),
    V("[x](<https://a.example/\" onmouseover=\"alert(1)>)"),
    V("[x](https://a.example/'><script>alert(1)</script>)"),
    V("```\"><script>alert(1)</script>\nx\n```"),
    V("``` onmouseover=alert(1)\nx\n```"),
    /* Code keeps its text, escaped. */
    VM("`<script>alert(1)</script>`", "<code>&lt;script&gt;alert(1)&lt;/script&gt;</code>"),
    VM("    <script>alert(1)</script>", "<pre><code>&lt;script&gt;alert(1)&lt;/script&gt;"),
    VM("```\n<script>alert(1)</script>\n```", "<pre><code>&lt;script&gt;alert(1)&lt;/script&gt;"),
    VM("```html\n<img src=x onerror=alert(1)>\n```", "&lt;img src=x onerror=alert(1)&gt;"),
    /* Entities stay text. */
    VM("&lt;script&gt;alert(1)&lt;/script&gt;", "&lt;script&gt;alert(1)&lt;/script&gt;"),
    VM("&#60;script&#62;alert(1)", "&lt;script&gt;alert(1)"),
    VM("&#x3C;img src=x onerror=alert(1)&#x3E;", "&lt;img src=x onerror=alert(1)&gt;"),
    /* Invalid UTF-8, NUL and controls: replaced, never passed on. */
    VB("a\xff\xfe b\xc0\xaf c"),
    VB("<scr\xffipt>alert(1)</script>"),
    VB("[x](java\xc0script:alert(1))"),
    VB("x\0y<script>\0</script>"),
    VB("\xed\xa0\x80\xf4\x90\x80\x80\xe2\x82"),
    VB("[\xff](/\xff \"\xfe\")"),
};

static void test_xss(void)
{
        struct buf out;
        buf_init(&out);
        size_t n = sizeof(xss) / sizeof(xss[0]);
        CHECK(n >= 25);
        for (size_t i = 0; i < n; i++) {
                const struct vector *v = &xss[i];
                size_t len = v->len ? v->len : strlen(v->md);
                char what[200];
                snprintf(what, sizeof(what), "vector %zu renders: %.80s", i, v->md);
                if (!check_record_(render(v->md, len, &out), __FILE__, __LINE__, what))
                        continue;
                const char *why = unsafe_reason(out.data, out.len);
                snprintf(what, sizeof(what), "vector %zu is safe: %.80s", i, v->md);
                if (!check_record_(why == NULL, __FILE__, __LINE__, what))
                        fprintf(stderr, "    %s\n    output: %.300s\n", why, out.data);
                if (v->must) {
                        snprintf(what, sizeof(what), "vector %zu has %s", i, v->must);
                        if (!check_record_(contains(&out, v->must), __FILE__, __LINE__, what))
                                fprintf(stderr, "    output: %.300s\n", out.data);
                }
                if (v->mustnot) {
                        snprintf(what, sizeof(what), "vector %zu lacks %s", i, v->mustnot);
                        check_record_(!contains(&out, v->mustnot), __FILE__, __LINE__, what);
                }
        }
        buf_cleanup(&out);
}

/* The checker itself: unsafe shapes are caught (else the corpus would prove nothing). */
static void test_checker(void)
{
        static const char *const bad[] = {
            "<script>alert(1)</script>",
            "<p onclick=\"x\">a</p>",
            "<a href=\"javascript:alert(1)\">x</a>",
            "<a href=\" JavaScript:alert(1)\">x</a>",
            "<a href=\"java&#x09;script:x\">x</a>",
            "<a href=\"vbscript:x\">x</a>",
            "<a href=\"data:text/html,x\">x</a>",
            "<img src=\"javascript:x\" alt=\"\" />",
            "<img src=\"\" alt=\"\" onerror=\"x\" />",
            "<a href=\"/\" title=\"a\" onmouseover=\"x\">x</a>",
            "<iframe src=\"/\"></iframe>",
            "<p>a > b</p>",
            "<a href=\"/\"title=\"x\">x</a>",
            "<!-- x -->",
            "<SCRIPT>",
            "<a href=\"file:///etc/passwd\">x</a>",
        };
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                char what[120];
                snprintf(what, sizeof(what), "checker refuses %s", bad[i]);
                check_record_(unsafe_reason(bad[i], strlen(bad[i])) != NULL, __FILE__, __LINE__,
                              what);
        }
        static const char *const good[] = {
            "<p><a href=\"https://example.com/a?b=c&amp;d=e\" title=\"t&quot;\">x</a></p>\n",
            "<p><img src=\"/a.png\" alt=\"a\" /></p>\n",
            "<ol start=\"3\">\n<li>c</li>\n</ol>\n",
            "<pre><code class=\"language-c\">&lt;x&gt;\n</code></pre>\n",
            "<p>a<br />\nb</p>\n<hr />\n",
            "<!-- raw HTML omitted -->",
            "<p><a href=\"mailto:a@example.com\">a</a> <a href=\"/x:y\">b</a></p>\n",
        };
        for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
                const char *why = unsafe_reason(good[i], strlen(good[i]));
                char what[120];
                snprintf(what, sizeof(what), "checker accepts %.60s", good[i]);
                if (!check_record_(why == NULL, __FILE__, __LINE__, what))
                        fprintf(stderr, "    %s\n", why);
        }
}

/* Renders md (len bytes) and compares the whole output; checked: it also passes the checker
 * (not for text with controls, which utf8_check_text refuses on purpose). */
static void check_render(const char *md, size_t len, const char *want, bool checked, int line)
{
        struct buf out;
        buf_init(&out);
        bool ok = markdown_to_html(md, len, &out);
        char what[200];
        snprintf(what, sizeof(what), "markdown_to_html(\"%.60s\") (test line %d)", md, line);
        check_str_(ok && out.len ? out.data : ok ? "" : NULL, want, __FILE__, line, what);
        const char *why = checked ? unsafe_reason(out.data ? out.data : "", out.len) : NULL;
        if (!check_record_(why == NULL, __FILE__, line, "ordinary output passes the checker"))
                fprintf(stderr, "    %s\n", why);
        buf_cleanup(&out);
}

#define RENDERS(md, want) check_render((md), sizeof(md) - 1, (want), true, __LINE__)
#define RENDERS_RAW(md, want) check_render((md), sizeof(md) - 1, (want), false, __LINE__)

static void test_markdown(void)
{
        /* markdown_to_html drops the line break cmark ends its last block with. */
        RENDERS("# T", "<h1>T</h1>");
        RENDERS("## T ##", "<h2>T</h2>");
        RENDERS("**b**", "<p><strong>b</strong></p>");
        RENDERS("*i* _j_", "<p><em>i</em> <em>j</em></p>");
        RENDERS("[a link](https://example.com/path?q=1&r=2)",
                "<p><a href=\"https://example.com/path?q=1&amp;r=2\">a link</a></p>");
        RENDERS("[t](https://example.com/ \"Title\")",
                "<p><a href=\"https://example.com/\" title=\"Title\">t</a></p>");
        RENDERS("<https://example.com/>",
                "<p><a href=\"https://example.com/\">https://example.com/</a></p>");
        RENDERS("[local](/2/)", "<p><a href=\"/2/\">local</a></p>");
        RENDERS("![alt](/img.png)", "<p><img src=\"/img.png\" alt=\"alt\" /></p>");
        RENDERS("- a\n- b", "<ul>\n<li>a</li>\n<li>b</li>\n</ul>");
        RENDERS("> q", "<blockquote>\n<p>q</p>\n</blockquote>");
        RENDERS("```c\nint x;\n```", "<pre><code class=\"language-c\">int x;\n</code></pre>");
        RENDERS("a & b < c > d \"e\"", "<p>a &amp; b &lt; c &gt; d &quot;e&quot;</p>");
        RENDERS("caf\xc3\xa9 \xe2\x82\xac", "<p>caf\xc3\xa9 \xe2\x82\xac</p>");
        RENDERS("a\n\n---\n\nb", "<p>a</p>\n<hr />\n<p>b</p>");
        /* C0 controls other than NUL are valid UTF-8 and cmark passes them on: post text is
         * refused by utf8_check_text before it gets here (pages/post.c). NUL is replaced. */
        RENDERS_RAW("a\x01\x1b[31m\x7f", "<p>a\x01\x1b[31m\x7f</p>");
        RENDERS("a\0b", "<p>a\xef\xbf\xbd"
                        "b</p>");
        RENDERS("", "");
        RENDERS("\n\n", "");
        /* Empty and NULL text: nothing appended, the buffer stays usable. */
        struct buf out;
        buf_init(&out);
        CHECK(markdown_to_html("", 0, &out));
        CHECK_EQ_SIZE(out.len, 0);
        CHECK(markdown_to_html(NULL, 0, &out));
        CHECK_EQ_SIZE(out.len, 0);
        CHECK(markdown_to_html("# x", 0, &out)); /* len 0: nothing, whatever text says */
        CHECK_EQ_SIZE(out.len, 0);
        /* Appends after what the buffer holds. */
        CHECK(buf_puts(&out, "<!-- before -->"));
        CHECK(markdown_to_html("**b**", 5, &out));
        CHECK_EQ_STR(out.data, "<!-- before --><p><strong>b</strong></p>");
        CHECK(markdown_to_html("# T", 3, &out));
        CHECK_EQ_STR(out.data, "<!-- before --><p><strong>b</strong></p><h1>T</h1>");
        /* Only len bytes are read. */
        buf_reset(&out);
        CHECK(markdown_to_html("**b**<script>", 5, &out));
        CHECK_EQ_STR(out.data, "<p><strong>b</strong></p>");
        buf_cleanup(&out);
}

/* 1 MiB of mixed Markdown, with XSS vectors among it; and 1 MiB of one repeated pathological
 * construct each (nested brackets, emphasis, block quotes, raw HTML). */
static void test_large(void)
{
        const size_t size = 1u << 20;
        char *md = malloc(size);
        static const char chunk[] =
            "# Heading\n\nSome *text* with **bold**, `code`, a [link](/x/) and "
            "[bad](javascript:alert(1)).\n\n<script>alert(1)</script>\n\n- item\n- item\n\n"
            "```\n<img src=x onerror=alert(1)>\n```\n\n";
        for (size_t i = 0; i < size; i++)
                md[i] = chunk[i % (sizeof(chunk) - 1)];
        struct buf out;
        buf_init(&out);
        CHECK(markdown_to_html(md, size, &out));
        CHECK(out.len > size / 2);
        CHECK(contains(&out, "<h1>Heading</h1>"));
        const char *why = unsafe_reason(out.data, out.len);
        if (!check_record_(why == NULL, __FILE__, __LINE__, "1 MiB mixed output is safe"))
                fprintf(stderr, "    %s\n", why);
        static const char *const units[] = {"[", "*a", "> ", "<a>", "](", "\xff", "`"};
        for (size_t u = 0; u < sizeof(units) / sizeof(units[0]); u++) {
                size_t ul = strlen(units[u]);
                for (size_t i = 0; i < size; i++)
                        md[i] = units[u][i % ul];
                buf_reset(&out);
                char what[80];
                snprintf(what, sizeof(what), "1 MiB of \"%s\" renders safely", units[u]);
                bool ok = markdown_to_html(md, size, &out);
                why = ok ? unsafe_reason(out.data, out.len) : "render failed";
                if (!check_record_(why == NULL, __FILE__, __LINE__, what))
                        fprintf(stderr, "    %s\n", why);
        }
        buf_cleanup(&out);
        free(md);
}

int main(void)
{
        test_checker();
        test_xss();
        test_markdown();
        test_large();
        return check_summary();
}
