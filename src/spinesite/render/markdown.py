"""Markdown → safe HTML: Python-Markdown with our extensions, link rewriting, sanitising.

- Links to other pages by source path (``../stretches/bridge.md``) or slug (``bridge.md``)
  become site URLs; a link to a page that does not exist is an error with its line.
- The first use of each glossary term in a page's body links to its definition.
- The HTML is sanitised to an allowlist (nh3): no scripts, event handlers or
  ``javascript:`` URLs survive, whatever the author wrote.
- Page bodies are never treated as templates.
- Python-Markdown is super-linear on some inputs (``"[" * 8000`` takes seconds, a 1,000-deep
  list recurses past Python's limit). A cheap shape check refuses such text up front, and a
  per-text time budget (``limits.markdown_seconds``, SIGALRM in a main thread) stops the rest.
"""

from __future__ import annotations

import html as html_lib
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

from spinesite.content import contenttypes
from spinesite.content.graph import SiteGraph, generated_links, page_url
from spinesite.content.model import Page
from spinesite.diagnostics import Diagnostics, line_of, show
from spinesite.hints import link_hint
from spinesite.languagenames import language_name
from spinesite.render import fastinline

EXTENSIONS = ["tables", "footnotes", "attr_list", "toc", "admonition", "sane_lists"]
EXTENSION_CONFIGS: dict[str, dict[str, Any]] = {"toc": {"toc_depth": "2-3"}, "footnotes": {"BACKLINK_TITLE": "Back to reference %d"}}

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "code", "dd", "del", "details", "div", "dl", "dt",
    "em", "figcaption", "figure", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "ins", "kbd", "li",
    "mark", "ol", "p", "pre", "q", "s", "small", "span", "strong", "sub", "summary", "sup", "table",
    "tbody", "td", "tfoot", "th", "thead", "tr", "u", "ul",
}  # fmt: skip
ALLOWED_ATTRS = {
    "*": {"id", "class", "title", "lang", "dir"},
    "a": {"href", "hreflang"},
    "img": {"src", "alt", "width", "height", "loading"},
    "td": {"align", "colspan", "rowspan"},
    "th": {"align", "colspan", "rowspan", "scope"},
    "ol": {"start", "reversed"},
    "details": {"open"},
}
URL_SCHEMES = {"http", "https", "mailto", "tel"}
MAX_NESTING = 25  # quotes + list levels (4 columns of indentation each) on one line
# Per paragraph: more of these characters than this makes Python-Markdown slow (≈0.5 s each).
MARKUP_LIMITS = {"[": 500, "<": 10_000, "*": 20_000, "_": 20_000, "`": 20_000}
MAX_ABBREVIATIONS = 300
DRAFT_LINK = "\x00draft"  # what ``rewrite`` answers for a link to a draft (not built without --drafts)
_LEAD_RE = re.compile(r"(?:[ \t>]|[-*+](?=[ \t])|\d{1,9}[.)](?=[ \t]))*")
_DEEP_LEAD_RE = re.compile(rf"^(?:[ \t>]|[-*+](?=[ \t])|\d{{1,9}}[.)](?=[ \t])){{{MAX_NESTING + 1}}}", re.M)


class MarkdownTimeout(BaseException):
    """Raised by the SIGALRM handler; a BaseException so no ``except Exception`` swallows it."""


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

    def __init__(
        self,
        graph: SiteGraph,
        diags: Diagnostics,
        base_path: str = "/",
        time_budget: float = 10.0,
        in_language: Callable[[str, str], str] | None = None,
        generated: Callable[[str, str], str] | None = None,
    ) -> None:
        self.graph = graph
        self.diags = diags
        self.base_path = base_path
        self.time_budget = time_budget
        # in_language(reader's language, target's language): " (in English)", after a link from a
        # translation to a page with no version in the reader's language
        self.in_language = in_language or (lambda reader, target: f" (in {language_name(target)})")
        # generated(language, path): the address of a generated page (/search/, /stretches/...) in a page's language
        self.generated = generated or (lambda lang, path: path)
        self._glossaries = {"": _glossary_index(graph, "")}
        self.glossary = self._glossaries[""]
        self.md = md_lib.Markdown(extensions=EXTENSIONS, extension_configs=EXTENSION_CONFIGS, output_format="html")
        fastinline.install(self.md)  # same HTML, far fewer pattern calls (see fastinline.py)
        self.links = _LinkProcessor(self)
        self.md.treeprocessors.register(self.links, "spinesite-links", 5)
        self.page: Page | None = None
        self.linked_pages: dict[str, set[str]] = {}  # rel -> rels of pages its body links to

    def render_page(self, page: Page) -> None:
        """Fill ``page.html``, ``page.toc`` and ``page.fields_html``."""
        self.page = page
        self.linked_pages[page.rel] = set()
        if page.lang not in self._glossaries:
            self._glossaries[page.lang] = _glossary_index(self.graph, page.lang)
        self.glossary = self._glossaries[page.lang]
        page.html, toc = self.convert(page.body or "", page.body_line, glossary=True)
        page.toc = [{"id": t["id"], "name": t["name"]} for t in toc if t["level"] == 2]
        for name in ("diagnosis", "outlook"):
            if page.data.get(name):
                page.fields_html[name] = self.convert(page.data[name], page.parsed.text_line((name,)))[0]
        page.fields_html["faq"] = [
            self.convert(item["answer"], page.parsed.text_line(("faq", i, "answer")))[0]
            for i, item in enumerate(page.data.get("faq") or [])
        ]

    def convert(self, text: str, first_line: int, glossary: bool = False) -> tuple[str, list[dict[str, Any]]]:
        assert self.page is not None
        problem = shape_problem(text)
        if problem is not None:
            self.diags.error(self.page.rel, first_line + problem[0], problem[1])
            return "", []
        self.md.reset()
        self.links.start(text, first_line, glossary)
        try:
            with _time_limit(self.time_budget):
                html = self.md.convert(text)
        except MarkdownTimeout:
            self.diags.error(
                self.page.rel,
                first_line,
                f"Markdown took longer than {self.time_budget:g} s to render; simplify this text (limits.markdown_seconds)",
            )
            return "", []
        except RecursionError:
            self.diags.error(self.page.rel, first_line, "Markdown is nested too deeply to render (quotes or lists inside each other)")
            return "", []
        raw_blocks = list(getattr(self.md.htmlStash, "rawHtmlBlocks", []))
        clean = sanitise(html)
        for block in raw_blocks:
            if isinstance(block, str) and sanitiser_removes(block):
                line = line_of(text, block[:40], first_line, missing=first_line)
                self.diags.warning(
                    self.page.rel,
                    line,
                    "raw HTML was changed by the sanitiser (scripts, event handlers and unsafe URLs are removed); use Markdown instead",
                )
                break
        return clean, list(getattr(self.md, "toc_tokens", []))


_RAW_TAG = re.compile(r"<(/?)([a-zA-Z][\w-]*)((?:[^>\"']|\"[^\"]*\"|'[^']*')*)>|<!--")
_RAW_ATTR = re.compile(r"""([^\s=/>"']+)(?:\s*=\s*("[^"]*"|'[^']*'|[^\s>]+))?""")


def sanitiser_removes(raw: str) -> bool:
    """Whether the sanitiser would drop anything from an author's raw HTML (to warn about it)."""
    for m in _RAW_TAG.finditer(raw):
        if m.group(0) == "<!--":
            return True
        tag = m.group(2).lower()
        if tag not in ALLOWED_TAGS:
            return True
        allowed = ALLOWED_ATTRS["*"] | ALLOWED_ATTRS.get(tag, set())
        for attr in _RAW_ATTR.finditer(m.group(3)):
            name, value = attr.group(1).lower(), html_lib.unescape((attr.group(2) or "").strip("\"'"))
            if name not in allowed:
                return True
            scheme = re.match(r"\s*([a-zA-Z][a-zA-Z0-9+.-]*):", re.sub(r"[\x00-\x20]", "", value))
            if name in ("href", "src") and scheme and scheme.group(1).lower() not in URL_SCHEMES:
                return True
    return False


def shape_problem(text: str) -> tuple[int, str] | None:
    """(0-based line, message) when ``text`` has a shape Python-Markdown is very slow on or
    recurses on: deep nesting, or a paragraph packed with markup characters. Linear time."""
    if (
        all(text.count(ch) <= limit for ch, limit in MARKUP_LIMITS.items())  # no paragraph can have more
        and not _DEEP_LEAD_RE.search(text)  # a line's depth is at most the length of its lead
        and text.count("\n*[") < MAX_ABBREVIATIONS
    ):
        return None  # the usual case, decided by C-speed searches
    return _shape_scan(text)


def _shape_scan(text: str) -> tuple[int, str] | None:
    """:func:`shape_problem` line by line (finds the line to report)."""
    counts = dict.fromkeys(MARKUP_LIMITS, 0)
    start = abbreviations = 0
    for i, line in enumerate(text.split("\n")):
        if not line.strip():
            counts, start = dict.fromkeys(MARKUP_LIMITS, 0), i + 1
            continue
        lead = _LEAD_RE.match(line)
        head = lead.group() if lead else ""
        depth = head.count(">") + len(head.replace(">", " ").split()) + _indent(head) // 4
        if depth > MAX_NESTING:
            return i, f"Markdown is nested too deeply (more than {MAX_NESTING} levels of quotes or lists); simplify this text"
        for ch, limit in MARKUP_LIMITS.items():
            counts[ch] += line.count(ch)
            if counts[ch] > limit:
                return start, f"paragraph has too much Markdown markup (more than {limit} '{ch}' characters); split it up or simplify it"
        if line.startswith("*["):
            abbreviations += 1
            if abbreviations > MAX_ABBREVIATIONS:
                return i, f"too many abbreviation definitions (more than {MAX_ABBREVIATIONS})"
    return None


def _indent(head: str) -> int:
    """Columns of leading whitespace, tabs counting to the next multiple of 4."""
    cols = 0
    for ch in head:
        if ch == "\t":
            cols += 4 - cols % 4
        elif ch == " ":
            cols += 1
        else:
            break
    return cols


@contextmanager
def _time_limit(seconds: float) -> Iterator[None]:
    """Raise MarkdownTimeout after ``seconds`` (main thread only; elsewhere no limit)."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        yield
        return

    def _raise(signum: int, frame: Any) -> None:
        raise MarkdownTimeout

    old = signal.signal(signal.SIGALRM, _raise)
    outer, _interval = signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)
        if outer:  # someone else's alarm (e.g. a test timeout) was pending: give it back
            signal.setitimer(signal.ITIMER_REAL, outer)


def _glossary_index(graph: SiteGraph, lang: str) -> tuple[re.Pattern[str] | None, dict[str, Page]]:
    """The glossary terms of one language (its translated terms) and the pattern finding them."""
    terms: dict[str, Page] = {}
    for page in graph.kinds_in(lang).get("glossary", []):
        for name in [page.title, *(page.data.get("also_called") or [])]:
            if len(name) >= 3:
                terms.setdefault(name.casefold(), page)
    if not terms:
        return None, {}
    alternatives = sorted(terms, key=lambda t: (-len(t), t))
    pattern = re.compile(r"(?<![\w-])(" + "|".join(re.escape(t) for t in alternatives) + r")(?![\w-])", re.IGNORECASE)
    return pattern, terms


def _mark_other_language(a: etree.Element, lang: str, note: str) -> None:
    """A link to a page in another language: ``hreflang`` and a visible note, e.g. " (in English)"."""
    a.set("hreflang", lang)
    span = etree.SubElement(a, "span", {"class": "lang-note"})
    span.text = note


class _LinkProcessor(Treeprocessor):
    """Rewrites links between pages to URLs, reports broken ones, links glossary terms."""

    def __init__(self, renderer: Renderer) -> None:
        super().__init__(renderer.md)
        self.r = renderer
        self.text = ""
        self.first_line = 1
        self.glossary = False
        self.other_language = ""  # set by rewrite(): the language of a link's target, when not the page's

    def start(self, text: str, first_line: int, glossary: bool) -> None:
        self.text, self.first_line, self.glossary = text, first_line, glossary

    def run(self, root: etree.Element) -> None:
        for el in list(root.iter()):
            if el.tag == "a" and el.get("href") is not None:
                self.other_language = ""
                href = self.rewrite(el.get("href", ""), "a")
                if href == DRAFT_LINK:  # shown as plain text until the draft is published
                    el.tag = "span"
                    el.attrib.clear()
                else:
                    el.set("href", href)
                if self.other_language:  # from a translation to a page not in its language
                    _mark_other_language(el, self.other_language, self.r.in_language(self.r.page.lang, self.other_language))  # type: ignore[union-attr]
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
        rel = ""
        if path.endswith(".md"):
            rel = (
                posixpath.normpath(posixpath.join(posixpath.dirname(page.rel), path))
                if not path.startswith("/")
                else posixpath.normpath(path.lstrip("/"))
            )
            target = self.r.graph.by_rel.get(rel)
            if target is None and "/" not in path:  # a bare 'bridge.md' names a page by slug
                found = self._by_slug(path[:-3])
                if len(found) > 1:
                    line = line_of(self.text, "](" + href, self.first_line, missing=self.first_line)
                    names = ", ".join(p.rel for p in found)
                    self.r.diags.error(
                        page.rel,
                        line,
                        f"ambiguous link '{show(href, 200)}': several pages are called '{show(path[:-3], 100)}' ({names}); link by path, e.g. ../{found[0].kind}/{show(path, 100)}",
                    )
                    return href
                target = found[0] if found else None
        elif path.startswith("/"):
            target = self.r.graph.by_url.get(path if path.endswith("/") else path + "/")
            if target is None and tag == "img":
                return self.r.base_path + path.lstrip("/")
            if target is None and tag == "a" and path in generated_links():  # the built site's link check confirms it
                there = self.r.generated(page.lang, path)
                if page.lang and there == path:  # not generated in the page's language: the default language's
                    self.other_language = self.r.graph.languages.default
                return self.r.base_path + there.lstrip("/") + fragment
        if target is None:
            line = line_of(self.text, "](" + href, self.first_line, missing=self.first_line)
            draft = self._draft(path, rel)
            if draft is not None:
                self.r.diags.warning(
                    page.rel,
                    line,
                    f"link '{show(href, 200)}' goes to a draft ({draft.rel}), so it is plain text until the draft is published",
                )
                return DRAFT_LINK if tag == "a" else href
            elif rel not in self.r.graph.unloaded:  # a file that did not load has its own error
                meant = link_hint(path, page.rel, self.r.graph.by_rel) if path.endswith(".md") else None  # chin-tuk.md
                example = "link to a page by its file, e.g. ../stretches/bridge.md"
                fix = f"did you mean '{show(meant + fragment, 200)}'?" if meant else example
                self.r.diags.error(page.rel, line, f"broken link '{show(href, 200)}': no such page ({fix})")
            return href
        if page.lang:
            target = target.in_language(page.lang)
            if target.lang != page.lang:
                self.other_language = self.r.graph.languages.default
        self.r.linked_pages[page.rel].add(target.rel)
        return self.r.base_path + target.url.lstrip("/") + fragment

    def _draft(self, path: str, rel: str) -> Page | None:
        for d in self.r.graph.drafts:
            if d.rel == rel or page_url(d.kind, d.slug) in (path, path + "/") or ("/" not in path and path == f"{d.slug}.md"):
                return d
        return None

    def _by_slug(self, slug: str) -> list[Page]:
        return [p for kind in contenttypes.folders() if (p := self.r.graph.get(kind, slug))]

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
    """Link each glossary term's first use in ``parent``'s own text (its text and its children's tails)."""

    def linkify(text: str | None) -> tuple[str | None, list[etree.Element]]:
        links: list[etree.Element] = []
        head, pos = text, 0
        for m in pattern.finditer(text or ""):
            term = terms[m.group(1).casefold()]
            if term.rel in done:
                continue
            done.add(term.rel)
            assert text is not None
            a = etree.Element("a", {"href": r.base_path + term.url.lstrip("/"), "class": "glossary-link"})
            a.text = m.group(1)
            if links:
                links[-1].tail = text[pos : m.start()]
            else:
                head = text[: m.start()]
            links.append(a)
            pos = m.end()
        if links:
            assert text is not None
            links[-1].tail = text[pos:]
        return head, links

    children = list(parent)
    parent.text, new = linkify(parent.text)
    for child in children:
        child.tail, links = linkify(child.tail)
        new += [child, *links]
    if len(new) != len(children):
        for child in children:
            parent.remove(child)
        parent.extend(new)
