"""htmldoc: HTML parsed into a tree of Elements (stdlib html.parser), and forms filled as a browser would send them."""

import html
import urllib.parse
from html.parser import HTMLParser

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class Element:
    def __init__(self, tag, attrs, parent=None, line=None):
        self.tag = tag
        self.attrs = dict(attrs)
        self.attr_list = list(attrs)
        self.parent = parent
        self.children = []  # Element or str
        self.line = line

    def get(self, name, default=None):
        return self.attrs.get(name, default)

    @property
    def classes(self):
        return (self.attrs.get("class") or "").split()

    def iter(self):
        yield self
        for c in self.children:
            if isinstance(c, Element):
                yield from c.iter()

    def find_all(self, tag=None, cls=None, **attrs):
        out = []
        for e in self.iter():
            if e is self:
                continue
            if tag is not None and e.tag != tag:
                continue
            if cls is not None and cls not in e.classes:
                continue
            if any(e.attrs.get(k.rstrip("_").replace("_", "-")) != v for k, v in attrs.items()):
                continue
            out.append(e)
        return out

    def find(self, tag=None, cls=None, **attrs):
        found = self.find_all(tag, cls, **attrs)
        return found[0] if found else None

    def raw_text(self):
        """All text below this element, exactly as in the document (entities decoded)."""
        parts = []
        for c in self.children:
            if isinstance(c, Element):
                if c.tag not in ("script", "style"):
                    parts.append(c.raw_text())
            else:
                parts.append(c)
        return "".join(parts)

    def text(self):
        """Visible text, whitespace collapsed."""
        return " ".join(self.raw_text().split())

    def __repr__(self):
        return "<%s %s>" % (self.tag, " ".join('%s="%s"' % kv for kv in self.attr_list))


class _TreeBuilder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Element("#document", [])
        self.cur = self.root

    def handle_starttag(self, tag, attrs):
        attrs = [(k, v if v is not None else "") for k, v in attrs]
        e = Element(tag, attrs, self.cur, self.getpos()[0])
        self.cur.children.append(e)
        if tag not in VOID:
            self.cur = e

    def handle_startendtag(self, tag, attrs):
        attrs = [(k, v if v is not None else "") for k, v in attrs]
        self.cur.children.append(Element(tag, attrs, self.cur, self.getpos()[0]))

    def handle_endtag(self, tag):
        e = self.cur
        while e is not None and e.tag != tag:
            e = e.parent
        if e is not None and e.parent is not None:
            self.cur = e.parent

    def handle_data(self, data):
        self.cur.children.append(data)


def parse_html(text):
    """The document tree of an HTML text (or of a response's body)."""
    if not isinstance(text, str):
        text = text.text
    b = _TreeBuilder()
    b.feed(text)
    b.close()
    return b.root


def visible_text(text):
    return parse_html(text).text()


class Form:
    def __init__(self, element):
        self.element = element
        self.action = element.get("action", "")
        self.method = (element.get("method") or "GET").upper()

    def fields(self):
        """(name, value) pairs a browser would send without clicking a named button."""
        out = []
        for e in self.element.iter():
            name = e.get("name")
            if e is self.element or not name or "disabled" in e.attrs:
                continue
            if e.tag == "input":
                t = (e.get("type") or "text").lower()
                if t in ("submit", "button", "reset", "image", "file"):
                    continue
                if t in ("checkbox", "radio"):
                    if "checked" in e.attrs:
                        out.append((name, e.get("value", "on")))
                    continue
                out.append((name, e.get("value", "")))
            elif e.tag == "textarea":
                v = e.raw_text()
                # The HTML parser drops one newline right after <textarea>.
                if v.startswith("\n"):
                    v = v[1:]
                out.append((name, v))
            elif e.tag == "select":
                opts = e.find_all("option")
                chosen = [o for o in opts if "selected" in o.attrs] or opts[:1]
                for o in chosen:
                    out.append((name, o.get("value", o.text())))
        return out

    def field(self, name):
        for n, v in self.fields():
            if n == name:
                return v
        return None


def find_forms(text):
    return [Form(e) for e in parse_html(text).find_all("form")]


def find_form(text, action, base="/"):
    """The form whose action resolves to `action` (paths compared after urljoin)."""
    want = urllib.parse.urlsplit(urllib.parse.urljoin(base, action)).path
    forms = find_forms(text)
    for f in forms:
        got = urllib.parse.urlsplit(urllib.parse.urljoin(base, f.action or base)).path
        if got == want:
            return f
    raise AssertionError(
        "no <form> with action %r in page; forms: %r" % (action, [f.action for f in forms])
    )


def escape(s):
    return html.escape(s, quote=True)
