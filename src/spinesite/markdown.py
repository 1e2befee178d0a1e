"""Markdown → safe HTML: Python-Markdown with our extensions, link rewriting, sanitising.

- Links to other pages by source path (``../stretches/bridge.md``) or slug (``bridge.md``)
  become site URLs; a link to a page that does not exist is an error with its line.
- The first use of each glossary term in a page's body links to its definition.
- The HTML is sanitised to an allowlist (nh3): no scripts, event handlers or
  ``javascript:`` URLs survive, whatever the author wrote.
- Page bodies are never treated as templates.
"""

from __future__ import annotations

import posixpath
import re
import signal
import threading
import xml.etree.ElementTree as etree
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlsplit

import markdown as md_lib
import nh3
from markdown.treeprocessors import Treeprocessor

from .diagnostics import Diagnostics
from .graph import SiteGraph
from .model import Page

EXTENSIONS = ["tables", "footnotes", "attr_list", "toc", "admonition", "sane_lists", "def_list", "abbr"]
EXTENSION_CONFIGS: dict[str, dict[str, Any]] = {"toc": {"toc_depth": "2-3"}, "footnotes": {"BACKLINK_TITLE": "Back to reference %d"}}

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "code", "dd", "del", "details", "div", "dl", "dt",
    "em", "figcaption", "figure", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "ins", "kbd", "li",
    "mark", "ol", "p", "pre", "q", "s", "small", "span", "strong", "sub", "summary", "sup", "table",
    "tbody", "td", "tfoot", "th", "thead", "tr", "u", "ul",
}  # fmt: skip
ALLOWED_ATTRS = {
    "*": {"id", "class", "title", "lang", "dir"},
    "a": {"href"},
    "img": {"src", "alt", "width", "height", "loading"},
    "td": {"align", "colspan", "rowspan"},
    "th": {"align", "colspan", "rowspan", "scope"},
    "ol": {"start", "reversed"},
    "details": {"open"},
}
URL_SCHEMES = {"http", "https", "mailto", "tel"}
LINK_RE_TEMPLATE = r"\]\(\s*<?{}"


class MarkdownTimeout(Exception):
    pass


def sanitise(html: str) -> str:
    """Strip everything outside the allowlist (tags, attributes, URL schemes)."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        clean_content_tags={"script", "style", "iframe", "object", "embed", "template", "noscript", "textarea"},
        attributes=ALLOWED_ATTRS,
        url_schemes=URL_SCHEMES,
        link_rel=None,
        strip_comments=True,
    )


class Renderer:
    """One reusable Markdown converter for a site graph (reset between pages)."""

    def __init__(self, graph: SiteGraph, diags: Diagnostics, base_path: str = "/", time_budget: float = 10.0) -> None:
        self.graph = graph
        self.diags = diags
        self.base_path = base_path
        self.time_budget = time_budget
        self.glossary = _glossary_index(graph)
        self.md = md_lib.Markdown(extensions=EXTENSIONS, extension_configs=EXTENSION_CONFIGS, output_format="html")
        self.links = _LinkProcessor(self)
        self.md.treeprocessors.register(self.links, "spinesite-links", 5)
        self.page: Page | None = None
        self.linked_pages: dict[str, set[str]] = {}  # rel -> rels of pages its body links to

    def render_page(self, page: Page) -> None:
        """Fill ``page.html``, ``page.toc`` and ``page.fields_html``."""
        self.page = page
        self.linked_pages[page.rel] = set()
        page.html, toc = self.convert(page.body, page.body_line, glossary=True)
        page.toc = [{"id": t["id"], "name": t["name"]} for t in toc if t["level"] == 2]
        for name in ("diagnosis", "outlook"):
            if page.data.get(name):
                page.fields_html[name] = self.convert(page.data[name], page.parsed.line((name,)))[0]
        page.fields_html["faq"] = [
            self.convert(item["answer"], page.parsed.line(("faq", i, "answer")))[0]
            for i, item in enumerate(page.data.get("faq") or [])
        ]

    def convert(self, text: str, first_line: int, glossary: bool = False) -> tuple[str, list[dict[str, Any]]]:
        assert self.page is not None
        self.md.reset()
        self.links.start(text, first_line, glossary)
        try:
            with _time_limit(self.time_budget):
                html = self.md.convert(text)
        except MarkdownTimeout:
            self.diags.error(self.page.rel, first_line, f"Markdown took longer than {self.time_budget:g} s to render; simplify this text (limits.markdown_seconds)")
            return "", []
        except RecursionError:
            self.diags.error(self.page.rel, first_line, "Markdown is nested too deeply to render (quotes or lists inside each other)")
            return "", []
        raw_blocks = list(getattr(self.md.htmlStash, "rawHtmlBlocks", []))
        clean = sanitise(html)
        for block in raw_blocks:
            if isinstance(block, str) and sanitise(block) != block:
                line = _line_of(text, block[:40], first_line)
                self.diags.warning(self.page.rel, line, "raw HTML was changed by the sanitiser (scripts, event handlers and unsafe URLs are removed); use Markdown instead")
                break
        return clean, list(getattr(self.md, "toc_tokens", []))


@contextmanager
def _time_limit(seconds: float) -> Iterator[None]:
    """Raise MarkdownTimeout after ``seconds`` (main thread only; elsewhere no limit)."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        yield
        return

    def _raise(signum: int, frame: Any) -> None:
        raise MarkdownTimeout

    old = signal.signal(signal.SIGALRM, _raise)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def _line_of(text: str, needle: str, first_line: int) -> int:
    idx = text.find(needle) if needle else -1
    return first_line + (text.count("\n", 0, idx) if idx >= 0 else 0)


def _glossary_index(graph: SiteGraph) -> tuple[re.Pattern[str] | None, dict[str, Page]]:
    terms: dict[str, Page] = {}
    for page in graph.by_kind.get("glossary", []):
        for name in [page.title, *(page.data.get("also_called") or [])]:
            if len(name) >= 3:
                terms.setdefault(name.casefold(), page)
    if not terms:
        return None, {}
    alternatives = sorted(terms, key=lambda t: (-len(t), t))
    pattern = re.compile(r"(?<![\w-])(" + "|".join(re.escape(t) for t in alternatives) + r")(?![\w-])", re.IGNORECASE)
    return pattern, terms


class _LinkProcessor(Treeprocessor):
    """Rewrites links between pages to URLs, reports broken ones, links glossary terms."""

    def __init__(self, renderer: Renderer) -> None:
        super().__init__(renderer.md)
        self.r = renderer
        self.text = ""
        self.first_line = 1
        self.glossary = False

    def start(self, text: str, first_line: int, glossary: bool) -> None:
        self.text, self.first_line, self.glossary = text, first_line, glossary

    def run(self, root: etree.Element) -> None:
        for el in root.iter():
            if el.tag == "a" and el.get("href") is not None:
                el.set("href", self.rewrite(el.get("href", ""), "a"))
            elif el.tag == "img" and el.get("src") is not None:
                el.set("src", self.rewrite(el.get("src", ""), "img"))
        if self.glossary and self.r.glossary[0] is not None:
            self.link_glossary(root)

    def rewrite(self, href: str, tag: str) -> str:
        page = self.r.page
        assert page is not None
        href = href.strip()
        parts = urlsplit(href)
        if parts.scheme or parts.netloc or href.startswith("#") or not href:
            return href
        path, fragment = parts.path, ("#" + parts.fragment if parts.fragment else "")
        target: Page | None = None
        if path.endswith(".md"):
            rel = posixpath.normpath(posixpath.join(posixpath.dirname(page.rel), path)) if not path.startswith("/") else posixpath.normpath(path.lstrip("/"))
            target = self.r.graph.by_rel.get(rel) or self._by_slug(posixpath.basename(path)[:-3])
        elif path.startswith("/"):
            target = self.r.graph.by_url.get(path if path.endswith("/") else path + "/")
            if target is None and tag == "img":
                return self.r.base_path + path.lstrip("/")
        if target is None:
            line = _line_of(self.text, "](" + href, self.first_line)
            self.r.diags.error(page.rel, line, f"broken link '{href}': no such page (link to a page by its file, e.g. ../stretches/bridge.md)")
            return href
        self.r.linked_pages[page.rel].add(target.rel)
        return self.r.base_path + target.url.lstrip("/") + fragment

    def _by_slug(self, slug: str) -> Page | None:
        found = [p for kind in ("conditions", "stretches", "causes", "treatments", "glossary", "pages") if (p := self.r.graph.get(kind, slug))]
        return found[0] if len(found) == 1 else None

    def link_glossary(self, root: etree.Element) -> None:
        pattern, terms = self.r.glossary
        assert pattern is not None and self.r.page is not None
        done = {self.r.page.rel}
        for parent in list(_text_parents(root)):
            _link_in(parent, pattern, terms, done, self.r)


def _text_parents(root: etree.Element) -> Iterator[etree.Element]:
    skip = {"a", "code", "pre", "h1", "h2", "h3", "h4", "h5", "h6", "abbr", "dt"}

    def walk(el: etree.Element) -> Iterator[etree.Element]:
        if el.tag in skip:
            return
        yield el
        for child in list(el):
            yield from walk(child)

    return walk(root)


def _link_in(parent: etree.Element, pattern: re.Pattern[str], terms: dict[str, Page], done: set[str], r: Renderer) -> None:
    """Wrap the first unlinked glossary term in ``parent``'s own text in a link."""

    def split(text: str | None, insert_at: int, set_text: Callable[[str], None]) -> bool:
        if not text:
            return False
        for m in pattern.finditer(text):
            term = terms[m.group(1).casefold()]
            if term.rel in done:
                continue
            done.add(term.rel)
            a = etree.Element("a", {"href": r.base_path + term.url.lstrip("/"), "class": "glossary-link"})
            a.text = m.group(1)
            a.tail = text[m.end() :]
            set_text(text[: m.start()])
            parent.insert(insert_at, a)
            return True
        return False

    def set_parent_text(t: str) -> None:
        parent.text = t

    split(parent.text, 0, set_parent_text)
