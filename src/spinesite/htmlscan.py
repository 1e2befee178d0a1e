"""Streaming scan of built HTML, SVG and CSS: foreign resources, scripts, unsafe URLs.

One pass of :class:`html.parser.HTMLParser` per document (fed once, never ``close()``d on an
unfinished construct, so the time stays linear in the input). The parser is taught the
few HTML5 rules where it would otherwise read a document differently from a browser and
miss something: comments end at ``-->``, ``--!>``, ``<!-->``; ``<![...`` ends at the first
``>``; raw-text elements (``script``, ``style``, ``title``, ``noscript``, ...) end only at
``</name`` followed by a space, ``/`` or ``>``, also when written ``<title/>``. Raw text is
also scanned as markup (as SVG/MathML would read it). Whatever is never closed, or cannot
be parsed, is reported instead of being skipped.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit

RAWTEXT = frozenset({"script", "style", "textarea", "title", "xmp", "iframe", "noembed", "noframes", "noscript"})
# <link rel> values that make the browser fetch (or connect to) the URL.
LOAD_RELS = frozenset(
    {
        "stylesheet", "icon", "preload", "modulepreload", "prefetch", "prerender", "preconnect",
        "dns-prefetch", "manifest", "apple-touch-icon", "apple-touch-icon-precomposed", "mask-icon", "import",
    }
)  # fmt: skip
# Attributes whose URL must not run code (javascript:, vbscript:, data:text/html).
CODE_URL_ATTRS = frozenset(
    {"href", "src", "action", "formaction", "xlink:href", "data", "poster", "background", "ping", "codebase", "cite"}
)
SVG_RESOURCE_TAGS = frozenset({"image", "use", "feimage", "script"})
SVG_ANIMATION_TAGS = frozenset({"animate", "set"})  # can write a URL into href
UNSAFE_SCHEMES = ("javascript:", "vbscript:", "data:text/html", "data:application/xhtml+xml")
THEME_SCRIPT_DIRS = ("assets/", "pagefind/")
MAX_FINDINGS = 20  # per file; the rest are counted
SNIPPET = 80

_C0_AND_SPACE = "".join(map(chr, range(0x21)))
_NOISE = re.compile(r"[\x00-\x20\x7f-\x9f\s]+")
_COMMENT_END = re.compile(r"--!?>")
_THEME_DIR_ANYWHERE = re.compile(r"^(?:[^/]+/)*?(?=(?:assets|pagefind)/)")
_CSS = re.compile(
    r"""(?P<ns>@namespace\b[^;{}]*)
      | (?P<imp>@import)\s*(?:url\(\s*(?P<iu>"[^"\n]*"|'[^'\n]*'|[^()"'\s]*)\s*\)|(?P<is>"[^"\n]*"|'[^'\n]*'))
      | url\(\s*(?P<u>"[^"\n]*"|'[^'\n]*'|[^()"'\s]*)\s*\)
      | (?:-webkit-)?image-set\((?P<set>[^()]*)\)""",
    re.IGNORECASE | re.VERBOSE,
)
_REFRESH = re.compile(r"\s*(?:[\d.]+\s*)?[;,]\s*(?:url\s*=\s*)?(['\"]?)(.*)", re.IGNORECASE | re.DOTALL)
_CSS_STRING = re.compile(r""""[^"\n]*"|'[^'\n]*'""")
_CSS_ESCAPE = re.compile(r"\\(?:([0-9a-fA-F]{1,6})[ \t\n\r\f]?|(.))", re.DOTALL)


@dataclass(frozen=True)
class Finding:
    """One problem in one file: 1-based line, message."""

    line: int
    message: str


@dataclass(frozen=True)
class SiteBase:
    """The site's origin (scheme, host, port) and base path (``/`` or ``/docs/``).

    With no origin (base URL unknown) every absolute http(s) URL counts as foreign and the
    theme's scripts may sit under any folder (``/x/assets/site.js``).
    """

    origin: tuple[str, str, int] | None
    path: str = "/"

    @classmethod
    def from_url(cls, url: str | None) -> SiteBase:
        if not url:
            return cls(None, "/")
        parts = urlsplit(url)
        path = parts.path if parts.path.endswith("/") else parts.path + "/"
        return cls(_origin(parts.scheme, parts.netloc), path)

    def doc_url(self, out_rel: str) -> str:
        """Absolute URL of an output file, to resolve the relative URLs in it."""
        scheme, host, port = self.origin or ("https", "site.invalid", 443)
        return f"{scheme}://{host}:{port}{self.path}{out_rel}"


@dataclass
class Scan:
    """What one document holds: problems, ids, same-document URLs to check, images."""

    findings: list[Finding] = field(default_factory=list)
    ids: set[str] = field(default_factory=set)
    links: list[tuple[int, str]] = field(default_factory=list)  # (line, URL) of href/src
    images: list[tuple[int, str, str | None]] = field(default_factory=list)  # (line, src, alt)
    hidden: int = 0  # findings over MAX_FINDINGS
    first_hidden: int = 0

    def add(self, line: int, message: str) -> None:
        if len(self.findings) < MAX_FINDINGS:
            self.findings.append(Finding(line, message))
        else:
            self.hidden += 1
            self.first_hidden = self.first_hidden or line

    def result(self) -> list[Finding]:
        if not self.hidden:
            return self.findings
        more = f"{self.hidden} more problem{'s' * (self.hidden != 1)} in this file not listed"
        return [*self.findings, Finding(self.first_hidden, more)]


def _origin(scheme: str, netloc: str) -> tuple[str, str, int] | None:
    scheme = scheme.lower()
    try:
        parts = urlsplit(f"{scheme}://{netloc}")
        port = parts.port or {"http": 80, "https": 443}.get(scheme, 0)
    except ValueError:
        return None
    return (scheme, (parts.hostname or "").lower(), port)


def show(text: str) -> str:
    """``text`` for a one-line message: control characters escaped, long text shortened."""
    out = "".join(c if c.isprintable() else f"\\x{ord(c):02x}" if ord(c) < 256 else f"\\u{ord(c):04x}" for c in text[: SNIPPET + 1])
    return out[:SNIPPET] + "…" if len(out) > SNIPPET else out


def unsafe_scheme(url: str) -> str | None:
    """``javascript:``, ``vbscript:`` or ``data:text/html`` when ``url`` (entity-decoded) is one.

    Whitespace and control characters anywhere are ignored, as some browsers do.
    """
    if ":" not in url:
        return None
    text = _NOISE.sub("", url).lower()
    return next((s for s in UNSAFE_SCHEMES if text.startswith(s)), None)


def _browser_url(url: str) -> str:
    """What a browser's URL parser starts from: trimmed, tabs/newlines removed, ``\\`` as ``/``."""
    return url.strip(_C0_AND_SPACE).replace("\t", "").replace("\n", "").replace("\r", "").replace("\\", "/")


def is_foreign(url: str, base: SiteBase) -> bool:
    """True when fetching ``url`` would contact another origin (``//host`` always does)."""
    u = _browser_url(url)
    if u.startswith("//"):
        return True
    if ":" not in u:
        return False  # a path: this site
    try:
        parts = urlsplit(u)
    except ValueError:
        return "//" in u
    scheme = parts.scheme.lower()
    if scheme in ("http", "https") and not parts.netloc:  # "https:evil.example/x" is read as a host
        parts = urlsplit(f"{scheme}://{parts.path.lstrip('/')}")
    if not parts.netloc:
        return False
    return base.origin is None or _origin(scheme, parts.netloc) != base.origin


def site_path(url: str, base: SiteBase, doc_url: str) -> tuple[str, str] | None:
    """(path inside the output folder, fragment) of a URL into this site, else None."""
    u = _browser_url(url)
    if u.startswith("//") or is_foreign(u, base):
        return None
    try:
        parts = urlsplit(urljoin(doc_url, u))
    except ValueError:
        return None
    if parts.scheme not in ("http", "https"):
        return None
    path = posixpath.normpath(unquote(parts.path)) + ("/" if parts.path.endswith("/") else "")
    if path.startswith("//"):
        path = path[1:]
    if not (path + "/").startswith(base.path):
        return None
    return path[len(base.path) :], unquote(parts.fragment)


def scan_css(text: str, base: SiteBase, first_line: int = 1) -> list[Finding]:
    """Foreign ``url()``, ``@import`` and ``image-set()`` in a stylesheet (linear time)."""
    text = _CSS_ESCAPE.sub(_unescape_css, _strip_css_comments(text))
    found: list[Finding] = []
    line, pos = first_line, 0
    for m in _CSS.finditer(text):
        if m.group("ns"):
            continue
        line, pos = line + text.count("\n", pos, m.start()), m.start()
        if m.group("set") is not None:
            urls, what = [s.group() for s in _CSS_STRING.finditer(m.group("set"))], "image-set()"
        else:
            urls, what = [m.group("iu") or m.group("is") or m.group("u") or ""], "@import" if m.group("imp") else "url()"
        for raw in urls:
            url = raw[1:-1] if raw[:1] in "\"'" else raw
            if unsafe_scheme(url):
                found.append(Finding(line, f"unsafe URL in CSS {what}: {show(_NOISE.sub('', url))}"))
            elif is_foreign(url, base):
                found.append(Finding(line, f"CSS {what} loads from another origin: {show(url)}"))
    return found


def _strip_css_comments(text: str) -> str:
    """Comments replaced by their newlines (an unclosed comment runs to the end)."""
    out, i = [], 0
    while True:
        j = text.find("/*", i)
        if j < 0:
            out.append(text[i:])
            return "".join(out)
        k = text.find("*/", j + 2)
        end = len(text) if k < 0 else k + 2
        out.append(text[i:j] + " " + "\n" * text.count("\n", j, end))
        i = end


def _unescape_css(m: re.Match[str]) -> str:
    if m.group(1):
        code = int(m.group(1), 16)
        return chr(code) if 0 < code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF else "\ufffd"
    return "" if m.group(2) == "\n" else m.group(2)


def scan_html(text: str, base: SiteBase, doc_url: str) -> Scan:
    """Scan one HTML or SVG document."""
    scan = Scan()
    _scan_markup(text, _Ctx(base, doc_url, scan), 0, frozenset())
    return scan


@dataclass
class _Ctx:
    base: SiteBase
    doc_url: str
    scan: Scan


def _scan_markup(text: str, ctx: _Ctx, line_offset: int, enclosing: frozenset[str]) -> None:
    parser = _Scanner(ctx, line_offset, enclosing)
    try:
        parser.feed(text)
    except Exception as exc:  # HTMLParser can raise on odd declarations; never let it pass
        ctx.scan.add(parser.line(), f"cannot parse the HTML here ({show(str(exc))}); the rest of the file was not checked")
        return
    tail = parser.rawdata
    if parser.cdata_elem is not None:
        ctx.scan.add(parser.raw_line, f"<{parser.cdata_elem}> is never closed; the rest of the file was not checked")
    elif "<" in tail.rstrip("<"):
        ctx.scan.add(parser.line(), f"markup is never closed: {show(tail[:40])}; the rest of the file was not checked")
    else:
        parser.close()  # only text is left: linear


class _Scanner(HTMLParser):
    def __init__(self, ctx: _Ctx, line_offset: int, enclosing: frozenset[str]) -> None:
        super().__init__(convert_charrefs=True)
        self.ctx, self.scan, self.base = ctx, ctx.scan, ctx.base
        self.line_offset = line_offset
        self.enclosing = enclosing
        self.raw_elem: str | None = None  # raw-text element being read
        self.raw_parts: list[str] = []
        self.raw_line = 0
        self.line_starts: list[int] | None = None

    def line(self) -> int:
        return self.getpos()[0] + self.line_offset

    # --- HTML5 rules the stdlib parser does not follow (see the module docstring) ---

    def set_cdata_mode(self, elem: str, *args: Any, **kwargs: Any) -> None:
        if self.cdata_elem == elem.lower():
            return
        super().set_cdata_mode(elem, *args, **kwargs)
        self.interesting = re.compile(rf"</{re.escape(elem.lower())}(?=[\t\n\r\f />])", re.IGNORECASE)
        self.raw_elem, self.raw_parts, self.raw_line = elem.lower(), [], self.line()

    def parse_endtag(self, i: int) -> int:
        elem = self.cdata_elem
        if elem is None:
            return super().parse_endtag(i)
        if not self.interesting.match(self.rawdata, i):
            self.handle_data("</")
            return i + 2
        gt = self.rawdata.find(">", i + 2 + len(elem))
        if gt < 0:
            return -1
        self.clear_cdata_mode()
        self.handle_endtag(elem)
        return gt + 1

    def parse_comment(self, i: int, report: bool = True) -> int:
        rawdata, start = self.rawdata, i + 4
        if rawdata.startswith(">", start) or rawdata.startswith("->", start):
            return rawdata.index(">", start) + 1
        m = _COMMENT_END.search(rawdata, start)
        if m is None:
            return -1
        if report:
            self.handle_comment(rawdata[start : m.start()])
        return m.end()

    def parse_html_declaration(self, i: int) -> int:
        if self.rawdata.startswith("<![", i):  # outside SVG/MathML a bogus comment up to ">"
            gt = self.rawdata.find(">", i + 3)
            if gt < 0:
                return -1
            self.unknown_decl(self.rawdata[i + 3 : gt])
            return gt + 1
        return super().parse_html_declaration(i)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in RAWTEXT:  # "<title/>" still opens raw text in HTML
            self.handle_endtag(tag)

    # --- content ---

    def handle_data(self, data: str) -> None:
        if self.cdata_elem is not None:
            self.raw_parts.append(data)
        elif data[:1] == "<" and data[1:2].isalpha() and self._raw_at_pos() == "<":
            self.scan.add(self.line(), f"malformed tag that browsers may read differently: {show(data[:40])}")

    def _raw_at_pos(self) -> str:
        if self.line_starts is None:
            self.line_starts = [0] + [m.end() for m in re.finditer("\n", self.rawdata)]
        lineno, col = self.getpos()
        pos = self.line_starts[lineno - 1] + col if lineno - 1 < len(self.line_starts) else -1
        return self.rawdata[pos : pos + 1] if pos >= 0 else ""

    def handle_endtag(self, tag: str) -> None:
        if tag != self.raw_elem:
            return
        content, self.raw_elem, self.raw_parts = "".join(self.raw_parts), None, []
        if tag == "style":
            for f in scan_css(content, self.base, self.raw_line):
                self.scan.add(f.line, f.message)
        if tag not in self.enclosing and "<" in content:  # as SVG/MathML would read it
            _scan_markup(content + f"</{tag}>", self.ctx, self.raw_line - 1, self.enclosing | {tag})

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        line = self.line()
        values: dict[str, str] = {}
        for name, value in attrs:
            if name.startswith("on"):
                self.scan.add(line, f"event handler attribute on <{tag}>: {show(name)}")
            if value is None:
                continue
            values.setdefault(name, value)
            self._attribute(tag, name, value, line)
        self._resources(tag, values, line)
        if tag == "script":
            self._script(values, line)
        if "id" in values:
            self.scan.ids.add(values["id"])
        if tag == "a" and "name" in values:
            self.scan.ids.add(values["name"])
        if tag in ("a", "area", "link") and "href" in values:
            self.scan.links.append((line, values["href"]))
        if "src" in values:
            self.scan.links.append((line, values["src"]))
        if tag == "img":
            self.scan.images.append((line, values.get("src", ""), values.get("alt")))
        if tag in RAWTEXT:
            self.set_cdata_mode(tag)

    def _attribute(self, tag: str, name: str, value: str, line: int) -> None:
        if name in CODE_URL_ATTRS or (name in ("to", "from", "by", "values") and tag in SVG_ANIMATION_TAGS):
            for part in value.split(";") if name == "values" else [value]:
                scheme = unsafe_scheme(part)
                if scheme:
                    self.scan.add(line, f"unsafe {scheme.rstrip(':')} URL in <{tag} {name}>: {show(_NOISE.sub('', part))}")
        elif name == "style":
            for f in scan_css(value, self.base, line):
                self.scan.add(f.line, f.message)
        elif name == "srcdoc":
            self.scan.add(line, f"<{tag} srcdoc> is not allowed (it can hold any HTML)")

    def _resources(self, tag: str, values: dict[str, str], line: int) -> None:
        urls: list[tuple[str, str]] = [(n, values[n]) for n in ("src", "poster", "background") if n in values]
        if "srcset" in values:
            urls += [("srcset", u) for u in _srcset_urls(values["srcset"])]
        if tag == "object" and "data" in values:
            urls.append(("data", values["data"]))
        if tag in ("a", "area") and "ping" in values:
            urls += [("ping", u) for u in values["ping"].split()]
        if tag == "link" and "href" in values and LOAD_RELS & set(values.get("rel", "").lower().split()):
            urls.append(("href", values["href"]))
        if tag == "base" and "href" in values:
            urls.append(("href", values["href"]))
        if tag in SVG_RESOURCE_TAGS:
            urls += [(n, values[n]) for n in ("href", "xlink:href") if n in values]
        for name, url in urls:
            if not unsafe_scheme(url) and is_foreign(url, self.base):
                self.scan.add(line, f"<{tag} {name}> loads from another origin: {show(_browser_url(url))}")
        if tag == "meta" and values.get("http-equiv", "").strip().lower() == "refresh":
            target = _refresh_url(values.get("content", ""))
            if unsafe_scheme(target):
                self.scan.add(line, f"unsafe URL in <meta http-equiv=refresh>: {show(_NOISE.sub('', target))}")
            elif is_foreign(target, self.base):
                self.scan.add(line, f"<meta http-equiv=refresh> redirects to another origin: {show(_browser_url(target))}")

    def _script(self, values: dict[str, str], line: int) -> None:
        src = values.get("src", values.get("href", values.get("xlink:href")))
        if src is None:
            if values.get("type", "").strip().lower() != "application/ld+json":
                self.scan.add(line, "script that is not the theme's: inline <script>")
            return
        if unsafe_scheme(src) or is_foreign(src, self.base):
            return  # reported above
        where = site_path(src, self.base, self.ctx.doc_url)
        if self.base.origin is None and where is not None:  # base path unknown: any depth
            where = (_THEME_DIR_ANYWHERE.sub("", where[0], count=1), where[1])
        if where is None or not where[0].startswith(THEME_SCRIPT_DIRS):
            self.scan.add(line, f"script that is not the theme's: {show(_browser_url(src))}")


def _srcset_urls(srcset: str) -> list[str]:
    """The URLs of a ``srcset`` (URL, then descriptors, comma-separated)."""
    urls, i, n = [], 0, len(srcset)
    while i < n:
        while i < n and (srcset[i].isspace() or srcset[i] == ","):
            i += 1
        j = i
        while j < n and not srcset[j].isspace():
            j += 1
        url = srcset[i:j]
        if url.endswith(","):
            url, k = url.rstrip(","), j
        else:
            k = srcset.find(",", j)
            k = n if k < 0 else k + 1
        if url:
            urls.append(url)
        i = k
    return urls


def _refresh_url(content: str) -> str:
    """The URL of ``<meta http-equiv=refresh content="5; url=...">`` ("" when none)."""
    m = _REFRESH.match(content)
    if m is None:
        return ""
    url = m.group(2).strip()
    return url[: -len(m.group(1))] if m.group(1) and url.endswith(m.group(1)) else url
