"""URLs and stylesheets in built files: which origin a URL is on, which URLs run code, the URLs
an attribute lists (``srcset``, ``<meta http-equiv=refresh>``), ``url()`` in CSS, and the base
path of a site's address (:func:`base_path`, which the templates use too).

Used by :mod:`htmlscan` (which re-exports the public names) and by ``checks``.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from urllib.parse import unquote, urljoin, urlsplit

from spinesite.diagnostics import show_url

UNSAFE_SCHEMES = ("javascript:", "vbscript:", "data:text/html", "data:application/xhtml+xml")

_C0_AND_SPACE = "".join(map(chr, range(0x21)))
_ASCII_SPACE = "\t\n\f\r "
NOISE = re.compile(r"[\x00-\x20\x7f-\x9f\s]+")  # what unsafe_scheme ignores
_CSS = re.compile(
    r"""(?P<ns>@namespace\b[^;{}]*)
      | (?P<imp>@import)\s*(?:url\(\s*(?P<iu>"[^"\n]*"|'[^'\n]*'|[^()"'\s]*)\s*\)|(?P<is>"[^"\n]*"|'[^'\n]*'))
      | url\(\s*(?P<u>"[^"\n]*"|'[^'\n]*'|[^()"'\s]*)\s*\)
      | (?:-webkit-)?image-set\((?P<set>[^()]*)\)""",
    re.IGNORECASE | re.VERBOSE,
)
_REFRESH_TIME = re.compile(r"[\t\n\f\r ]*([0-9]*)([0-9.]*)")
_REFRESH_URL = re.compile(r"[uU][rR][lL][\t\n\f\r ]*=[\t\n\f\r ]*")
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
        return cls(_origin(parts.scheme, parts.netloc), base_path(url))

    def doc_url(self, out_rel: str) -> str:
        """Absolute URL of an output file, to resolve the relative URLs in it."""
        scheme, host, port = self.origin or ("https", "site.invalid", 443)
        return f"{scheme}://{host}:{port}{self.path}{out_rel}"


def base_path(url: str) -> str:
    """The path of a site's base URL, ending in ``/``: ``https://x.org/docs`` → ``/docs/``."""
    path = urlsplit(url).path
    return path if path.endswith("/") else path + "/"


def _origin(scheme: str, netloc: str) -> tuple[str, str, int] | None:
    scheme = scheme.lower()
    try:
        parts = urlsplit(f"{scheme}://{netloc}")
        port = parts.port or {"http": 80, "https": 443}.get(scheme, 0)
    except ValueError:
        return None
    return (scheme, (parts.hostname or "").lower(), port)


def unsafe_scheme(url: str) -> str | None:
    """``javascript:``, ``vbscript:`` or ``data:text/html`` when ``url`` (entity-decoded) is one.

    Whitespace and control characters anywhere are ignored, as some browsers do.
    """
    if ":" not in url:
        return None
    text = NOISE.sub("", url).lower()
    return next((s for s in UNSAFE_SCHEMES if text.startswith(s)), None)


def browser_url(url: str) -> str:
    """What a browser's URL parser starts from: trimmed, tabs/newlines removed, ``\\`` as ``/``."""
    return url.strip(_C0_AND_SPACE).replace("\t", "").replace("\n", "").replace("\r", "").replace("\\", "/")


def is_foreign(url: str, base: SiteBase) -> bool:
    """True when fetching ``url`` would contact another origin (``//host`` always does)."""
    u = browser_url(url)
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
    u = browser_url(url)
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
                found.append(Finding(line, f"unsafe URL in CSS {what}: {show_url(NOISE.sub('', url))}"))
            elif is_foreign(url, base):
                found.append(Finding(line, f"CSS {what} loads from another origin: {show_url(url)}"))
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


def srcset_urls(srcset: str) -> list[str]:
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


def refresh_url(content: str) -> str:
    """The URL of ``<meta http-equiv=refresh content="5; url=...">`` ("" when none), as the
    HTML standard's declarative refresh reads it ("5 https://x" and "5,'x'" redirect too)."""
    m = _REFRESH_TIME.match(content)
    assert m is not None  # every part is optional
    if not m.group(1) and not m.group(2).startswith("."):
        return ""
    rest = content[m.end() :]
    if rest:
        if rest[0] not in ";," + _ASCII_SPACE:
            return ""
        rest = rest.lstrip(_ASCII_SPACE)
        rest = rest[1:] if rest[:1] in (";", ",") else rest
        rest = rest.lstrip(_ASCII_SPACE)
    if rest[:1] in ("u", "U"):
        url = _REFRESH_URL.match(rest)
        if url is None:
            return rest
        rest = rest[url.end() :]
    if rest[:1] in ("'", '"'):
        rest = rest[1:].split(rest[0], 1)[0]
    return rest
