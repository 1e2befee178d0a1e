"""Search index (Pagefind): which pages it reads, and the words added to them.

``write_index`` hands the pages to index to Pagefind (``pagefindrun.run_pagefind``), which
writes the bundle straight into the folder it is given: for a build, ``pagefind/`` in the
staging folder, so that it is committed atomically with the pages. ``build_index`` gives
the bundle as bytes instead, for the preview server. Nothing is downloaded.

Pagefind has no synonym table. Each page's own other names (``aliases``, or a glossary
term's ``also_called``) and the other names of the glossary terms its body links to are
added to the copy of the page that Pagefind reads, inside its ``data-pagefind-body``
region, so a search for "pinched nerve" finds the foraminal narrowing pages. The published
HTML is not changed: nothing extra for sighted or screen-reader users.
"""

from __future__ import annotations

import html
import re
import subprocess
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from spinesite.content.graph import SiteGraph, is_draft
from spinesite.content.model import Page
from spinesite.diagnostics import Diagnostics

# Re-exported: what of the bundle handling the tests use from here.
from spinesite.output.pagefindrun import UNUSED_FILES as UNUSED_FILES
from spinesite.output.pagefindrun import _cbor as _cbor
from spinesite.output.pagefindrun import _cbor_encode as _cbor_encode
from spinesite.output.pagefindrun import bundle_files, run_pagefind
from spinesite.output.pagefindrun import check_bundle as check_bundle
from spinesite.output.pagefindrun import stable_filters as stable_filters

BUNDLE_DIR = "pagefind"
ALIAS_WEIGHT = "10"  # a page's own other names count like its title (the h1 has weight 10)
RELATED_WEIGHT = "0.5"  # other names of glossary terms it mentions rank below its own text

_BODY_TAG = re.compile(r"<([a-zA-Z][\w-]*)[^<>]*?\sdata-pagefind-body(?=[\s>/=])[^<>]*>")
_A_TAG = re.compile(r"<a\s[^<>]*>")
_HTML_TAG = re.compile(r"<html(?=[\s>])[^<>]*>", re.IGNORECASE)
_MAY_HAVE_BODY = re.compile(r"data-pagefind-body", re.IGNORECASE)  # true at least for every page that has the region
_HREF = re.compile(r"""\shref=(?:"([^"]*)"|'([^']*)')""")


@dataclass(frozen=True)
class SearchTerms:
    """Words a page should be found by that its text may not contain."""

    aliases: tuple[str, ...] = ()  # the page's own other names
    related: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (glossary term it links to, that term's other names)


def searchable(graph: SiteGraph, listing_paths: list[str]) -> list[str]:
    """Output paths of the HTML pages to index: every page but drafts (built with ``--drafts``
    for a preview, never to be found), and the generated HTML pages (not static files)."""
    pages = {p.output_path for p in graph.pages if not is_draft(p)}
    return sorted(pages | {x for x in listing_paths if x.endswith(".html")})


def search_terms(graph: SiteGraph, base_path: str = "/") -> dict[str, SearchTerms]:
    """Extra search words per output path: the page's own ``aliases``/``also_called``, and the
    title and ``also_called`` names of every glossary term its Markdown links to (the automatic
    first-use links and explicit ones)."""
    glossary = {base_path + p.url.lstrip("/"): p for p in graph.pages if p.kind == "glossary"}  # in every language
    out: dict[str, SearchTerms] = {}
    for page in graph.pages:
        aliases = _unique([*(page.data.get("aliases") or []), *(page.data.get("also_called") or [])], {page.title.casefold()})
        seen = {page.title.casefold(), *(a.casefold() for a in aliases)}
        related = []
        for href in _hrefs(page):
            term = glossary.get(href.partition("#")[0])
            if term is None or term is page or term.title.casefold() in seen:
                continue
            others = _unique(list(term.data.get("also_called") or []), seen | {term.title.casefold()})
            seen.add(term.title.casefold())
            seen.update(n.casefold() for n in others)
            related.append((term.title, tuple(others)))
        if aliases or related:
            out[page.output_path] = SearchTerms(tuple(aliases), tuple(related))
    return out


def _unique(names: list[str], skip: set[str]) -> list[str]:
    """``names`` without repeats (ignoring case) and without those in ``skip``."""
    seen = set(skip)
    out = []
    for name in names:
        if name.casefold() not in seen:
            seen.add(name.casefold())
            out.append(name)
    return out


def _hrefs(page: Page) -> list[str]:
    """Link targets in the page's Markdown (body and Markdown fields), in order."""
    parts = [page.html]
    for value in page.fields_html.values():
        parts.extend([value] if isinstance(value, str) else value)
    return [
        html.unescape(m.group(1) if m.group(1) is not None else m.group(2))
        for tag in _A_TAG.findall("".join(parts))
        if (m := _HREF.search(tag))
    ]


def with_terms(page_html: str, terms: SearchTerms) -> str:
    """The page as Pagefind should read it: the extra words at the end of its indexed region
    (so excerpts of matches in the page's own text come from that text)."""
    bounds = _region(page_html)
    if bounds is None:
        return page_html
    return page_html[: bounds[1]] + _terms_html(terms) + page_html[bounds[1] :]


def indexed_part(page_html: str, terms: SearchTerms | None = None) -> str:
    """What Pagefind needs of a page: its ``<html>`` tag (the language) and its indexed region
    (every ``data-pagefind-*`` attribute of the theme is inside it), with ``terms`` at its end,
    without the header, menus and footer it would read only to skip: the same index from a
    third of the bytes, and far less of Pagefind's memory on a large site."""
    bounds = _region(page_html)
    if bounds is None:
        return page_html
    start, end, close = bounds
    root = _HTML_TAG.search(page_html, 0, start)
    head = root.group(0) if root is not None else "<html>"
    extra = _terms_html(terms) if terms is not None else ""
    return f'<!DOCTYPE html>\n{head}<head><meta charset="utf-8"></head><body>{page_html[start:end]}{extra}{page_html[end:close]}</body></html>\n'


def _terms_html(terms: SearchTerms) -> str:
    parts = []
    if terms.aliases:
        parts.append(f'<p data-pagefind-weight="{ALIAS_WEIGHT}">Also called: {html.escape(", ".join(terms.aliases))}.</p>')
    for title, others in terms.related:
        text = f"{title}, also called {', '.join(others)}." if others else f"{title}."
        parts.append(f'<p data-pagefind-weight="{RELATED_WEIGHT}">{html.escape(text)}</p>')
    return "".join(parts)


def body_tag(page_html: str) -> re.Match[str] | None:
    """``_BODY_TAG.search(page_html)``, quickly: from each occurrence of the attribute's name
    back to the ``<`` of its tag, instead of trying the pattern at every tag of the page."""
    at = page_html.find("data-pagefind-body")
    while at >= 0:
        lt = page_html.rfind("<", 0, at)
        if lt >= 0 and (m := _BODY_TAG.match(page_html, lt)) is not None and m.end() > at:
            return m
        at = page_html.find("data-pagefind-body", at + 1)
    return None


def _region(page_html: str) -> tuple[int, int, int] | None:
    """Where the indexed region is: (its start tag's start, its end tag's start, its end tag's end)."""
    m = body_tag(page_html)
    if m is None:
        return None
    end = _end_of_element(page_html, m.group(1), m.end())
    return m.start(), end, page_html.find(">", end) + 1 or len(page_html)


_TAG_END = frozenset(" \t\n\r\f>/")


def _end_of_element(text: str, tag: str, start: int) -> int:
    """Where the element of ``tag`` opened just before ``start`` closes (its end tag's start):
    start and end tags of the same name counted (letter case ignored), as a browser nests them."""
    low, opening, closing = text.lower(), "<" + tag.lower(), "</" + tag.lower()

    def is_tag(after: int) -> bool:  # the name ends there, and a ">" closes the tag before any "<"
        if after >= len(low) or low[after] not in _TAG_END:
            return False
        gt, lt = low.find(">", after), low.find("<", after)
        return gt >= 0 and (lt < 0 or gt < lt)

    depth, pos = 1, start
    while True:
        i, j = low.find(opening, pos), low.find(closing, pos)
        if j < 0:
            return len(text)
        if 0 <= i < j:  # another element of the same name opens first
            pos = i + len(opening)
            depth += is_tag(pos)
            continue
        pos = j + len(closing)
        if is_tag(pos):
            depth -= 1
            if depth == 0:
                return j


def build_index(
    files: Mapping[str, bytes],
    language: str,
    diags: Diagnostics,
    terms: Mapping[str, SearchTerms] | None = None,
) -> dict[str, bytes]:
    """Index the built HTML pages; returns the index files (output path → bytes) to add.

    For the preview server, which serves the index from memory: Pagefind writes it into a
    scratch folder, read back here. On failure, reports an error to ``diags`` and returns nothing.
    """
    with tempfile.TemporaryDirectory(prefix="spinesite-search-") as tmp:
        bundle = Path(tmp, BUNDLE_DIR)
        if not write_index(files, language, bundle, diags, terms):
            return {}
        return {f"{BUNDLE_DIR}/{rel}": (bundle / rel).read_bytes() for rel in sorted(bundle_files(bundle))}


def write_index(
    files: Mapping[str, bytes | Path],
    language: str,
    dest: Path,
    diags: Diagnostics,
    terms: Mapping[str, SearchTerms] | None = None,
) -> bool:
    """Index the built HTML pages (output path → their bytes, or the file holding them) into
    the folder ``dest``, which Pagefind creates: the bundle as it is published.

    Only the ``data-pagefind-body`` regions of pages are indexed (Pagefind's rule once any
    page has one). ``language`` "": a site in several languages, one index per ``<html lang>``
    (each language's search page finds only its pages). On failure, reports an error to ``diags`` and returns False; ``dest`` may
    then hold part of a bundle, never to be published.
    """
    lang = language.split("-")[0].lower()  # "": each page's own <html lang> (a site in several languages)
    try:
        run_pagefind(lambda: _pages(files, terms or {}), lang, dest)
    except (OSError, ValueError, RuntimeError, subprocess.SubprocessError) as exc:
        diags.error(
            "search", 0, f"could not build the search index: {_reason(exc)} (build with --no-search to skip it)", code="search-index"
        )
        return False
    return True


def _reason(exc: Exception) -> str:
    if isinstance(exc, subprocess.TimeoutExpired):
        return "Pagefind took too long"
    if isinstance(exc, OSError) and exc.strerror:  # its first argument is a number
        return f"{exc.strerror}: {exc.filename}" if exc.filename else exc.strerror
    return str(exc.args[0] if exc.args else type(exc).__name__)


def _pages(files: Mapping[str, bytes | Path], terms: Mapping[str, SearchTerms]) -> Iterator[tuple[str, str]]:
    """The HTML pages as Pagefind should read them (output path, text), read one at a time.

    Once a page has a ``data-pagefind-body`` region Pagefind reads no page without one, so
    those are left out (they are given only when no page has one)."""
    without: list[str] = []  # pages without data-pagefind-body seen while none had it
    found = False
    for rel, data in files.items():
        if rel.endswith(".html") and not rel.startswith((BUNDLE_DIR + "/", "/")) and ".." not in rel.split("/"):
            text = _text(data)
            if "data-pagefind-body" in text or _MAY_HAVE_BODY.search(text):  # the first test is quick
                found = True
                yield rel, indexed_part(text, terms.get(rel))
            elif not found:
                without.append(rel)
    if not found:
        for rel in without:
            yield rel, _text(files[rel])  # with_terms adds nothing to a page without the region


def _text(data: bytes | Path) -> str:
    return (data.read_bytes() if isinstance(data, Path) else data).decode("utf-8", "replace")
