"""A fast, conservative pre-screen for the output safety scan.

The full scan (``htmlscan``) parses every tag in Python and costs about as much as
rendering the page. Almost every page holds nothing it could flag: the page body has
already been through the sanitiser and the theme's own markup is plain. This pre-screen
uses C-speed string searches to prove a document *cannot* produce a finding; when it sees
anything at all that might (a script other than the theme's exact forms, an ``on…=``,
``script:``/``data:`` anywhere, a character reference inside a tag, a resource attribute
with an absolute URL, a ``<link>`` that loads from elsewhere, CSS ``url()``, frames,
embedded objects, SVG animation or ``<use>``, comments, ``<base>``, a refresh...), the full
scan runs. A false alarm only costs time; a miss is impossible by construction as long as
every construct the full scan reports is covered here (``tests/test_prescreen.py`` checks
the hostile corpus).
"""

from __future__ import annotations

import re

_LITERALS = ("url(", "@import", "image-set", "\x00")
_TAG_NAMES = frozenset(
    {
        "!--", "![", "?", "iframe", "frame", "embed", "object", "applet", "base", "math", "style", "animate",
        "animatemotion", "animatetransform", "set", "feimage", "foreignobject", "handler", "listener", "video",
        "audio", "source", "track", "image", "use", "noscript", "template", "xmp", "noembed", "noframes",
        "portal", "param",
    }
)  # fmt: skip
_FLAGGED_TAG = re.compile(  # an opening tag named in _TAG_NAMES (a whole name), a comment, CDATA or <?
    r"<(?:!--|!\[|\?|(?:"
    + "|".join(sorted((re.escape(n) for n in _TAG_NAMES if n[0].isalpha()), key=len, reverse=True))
    + r")(?![a-z0-9-]))"
)
_SCHEME_WORDS = (re.compile(r"script[\t\n\r ]*:"), re.compile(r"data[\t\n\r ]*:"))  # javascript:, vbscript:, data:
_REFRESH = re.compile(r"http-equiv\s*=\s*[\"']?\s*refresh")
_HANDLER = re.compile(r"(?<![a-z0-9_-])on[a-z-]+\s*=")  # not inside a longer name (content=, ...)
_ABS_VALUE = re.compile(r"""=\s*["']?\s*(?:[a-z][a-z0-9+.-]*:|[/\\]\s*[/\\])""")
_ATTR_BEFORE = re.compile(r"([a-z:-]+)\s*$")
_URL_ATTRS = frozenset({"src", "srcset", "poster", "data", "background", "xlink:href", "codebase", "formaction", "action", "ping"})
_ENTITY = re.compile(r"&(?!(?:amp|quot|lt|gt|#39|#34|#x27|#x22);)(?:#|[a-z][a-z0-9]*;)")
_LINK = re.compile(r"<link\b[^>]*>")
_LINK_REL = re.compile(r"""\brel\s*=\s*["']([^"'<>]*)["']""")
_LINK_ABS = re.compile(r"""\bhref\s*=\s*["']?\s*(?:[a-z][a-z0-9+.-]*:|[/\\]\s*[/\\])""")
_HARMLESS_RELS = frozenset({"canonical", "alternate", "author", "license", "help", "search", "next", "prev", "me"})
_CSP_META = re.compile(r'<meta http-equiv="content-security-policy" content="[^"<>&]*">')  # names data: as a source
_JSON_LD = '<script type="application/ld+json">'


def cannot_flag(text: str, base_path: str) -> bool:
    """True only when the full scan is certain to find nothing in ``text``."""
    low = _CSP_META.sub("", _without_json_ld(text.lower()))
    theme_script = re.compile(rf'<script src="{re.escape(base_path.lower())}(?:assets|pagefind)/[\w./-]+"(?: defer| async)?></script>')
    if low.count("<script") != len(theme_script.findall(low)):
        return False
    if any(token in low for token in _LITERALS) or _FLAGGED_TAG.search(low):
        return False
    if any(p.search(low) for p in _SCHEME_WORDS) or _REFRESH.search(low) or _HANDLER.search(low):
        return False
    for m in _ABS_VALUE.finditer(low):  # an absolute URL: fine in <a href>, not as a resource
        name = _ATTR_BEFORE.search(low, max(0, m.start() - 40), m.start())
        if name is None or name.group(1) in _URL_ATTRS:
            return False
    for m in _ENTITY.finditer(low):  # a character reference inside a tag could spell anything
        if low.rfind("<", 0, m.start()) > low.rfind(">", 0, m.start()):
            return False
    for tag in _LINK.findall(low):
        rel = _LINK_REL.search(tag)
        if (rel is None or not set(rel.group(1).split()) <= _HARMLESS_RELS) and _LINK_ABS.search(tag):
            return False
    return True


def _without_json_ld(low: str) -> str:
    """JSON-LD blocks are data (escaped by ``jsonld.dumps_script_safe``): their URLs are not loads."""
    out, start = [], 0
    while (i := low.find(_JSON_LD, start)) != -1:
        end = low.find("</script>", i)
        if end == -1:
            return low
        out.append(low[start:i])
        start = end + len("</script>")
    out.append(low[start:])
    return "".join(out)
