"""Safety scan of built HTML, SVG and CSS: foreign resources, scripts, unsafe URLs.

One scanner, one rule table. Each HTML or SVG document is parsed by Lexbor
(``selectolax.lexbor``), an HTML5 parser that builds the tree a browser builds (comments,
raw text, foreign content, misnested and malformed tags, NUL bytes...), and every element
is checked against :data:`RULES`: for each URL-bearing attribute, the elements it applies to,
how its value holds URLs (:class:`Split`: one URL, a ``srcset`` list, a space-separated list,
``;``-separated animation values, a meta refresh, CSS) and what is reported (:data:`LOAD`: a
URL on another origin, which the browser fetches; :data:`CODE`: a ``javascript:``,
``vbscript:`` or ``data:text/html`` URL). Beside the table: event handler attributes (``on*``),
scripts that are not the theme's (inline, or not under its ``assets/`` or ``pagefind/``),
``<style>`` sheets (:func:`scan_css`). There is no pre-screen: every element of every page is
checked (Lexbor parses in C; the Python walk over the tree costs about as much again).

Markup is scanned where a browser can read markup, and raw text is text, with one rule each:
- the text of ``title``, ``textarea``, ``style``, ``script``, ``xmp``, ``iframe``, ``noembed``,
  ``noframes`` and ``plaintext`` is text in every browser (``style`` is scanned as CSS); inside
  SVG and MathML ``style`` and ``title`` hold markup, and the parser reads them so;
- ``<noscript>`` is text when scripting is on and markup when it is off: a document that holds
  one is read both ways (a finding found both ways is reported once);
- ``<template>`` contents (declarative shadow roots too) are scanned where they stand;
- a raw-text element that is never closed (``<title>`` without ``</title>``) turns the rest of
  the file into its text, in the scan as in a browser: it is reported, whatever it swallowed.

A document nested more than :data:`htmltokens.MAX_DEPTH` elements deep is refused unparsed (the
HTML5 tree builder is quadratic in the nesting depth; browsers stop nesting at 512).

Lines are found only for what is reported: a finding or link records its element as the n-th
start tag of its name (:class:`At`), and :meth:`Scan.line` finds that tag in the text
(:func:`htmltokens.start_tags`, which skips comments and raw text) when it is asked.

SVG and XHTML files are parsed as HTML, as the old scanner did; a browser opening one on its own
uses an XML parser (entities, namespace prefixes, ``<?xml-stylesheet?>``), which this scan does
not model.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from enum import Enum
from itertools import chain
from typing import NamedTuple

from selectolax.lexbor import LexborHTMLParser, LexborNode

from spinesite.diagnostics import show_url
from spinesite.output import htmltokens
from spinesite.output.htmltokens import RAW_TEXT
from spinesite.siteurls import (
    NOISE,
    Finding,
    SiteBase,
    browser_url,
    is_foreign,
    refresh_url,
    scan_css,
    site_path,
    srcset_urls,
    unsafe_scheme,
)

__all__ = [
    "RULES",
    "At",
    "Finding",
    "Rule",
    "Scan",
    "SiteBase",
    "Split",
    "is_foreign",
    "scan_css",
    "scan_html",
    "site_path",
    "unsafe_scheme",
]

# <link rel> values that make the browser fetch (or connect to) the URL.
LOAD_RELS = frozenset(
    {
        "stylesheet", "icon", "preload", "modulepreload", "prefetch", "prerender", "preconnect",
        "dns-prefetch", "manifest", "apple-touch-icon", "apple-touch-icon-precomposed", "mask-icon", "import",
    }
)  # fmt: skip
SVG_RESOURCE_TAGS = frozenset({"image", "use", "feimage", "script"})
SVG_ANIMATION_TAGS = frozenset({"animate", "set"})  # can write a URL into href
SVG_PAINT_ATTRS = ("fill", "stroke", "filter", "mask", "clip-path", "marker-start", "marker-mid", "marker-end", "cursor")
THEME_SCRIPT_DIRS = ("assets/", "pagefind/")
MAX_FINDINGS = 20  # per file; the rest are counted

LOAD = 1  # a URL on another origin is reported (the browser fetches it)
CODE = 2  # a javascript:, vbscript: or data:text/html URL is reported
BOTH = LOAD | CODE


class Split(Enum):
    """How an attribute value holds its URLs."""

    URL = "the whole value"
    SRCSET = "srcset candidates: URL and descriptors, comma-separated"
    SPACES = "whitespace-separated URLs"
    VALUES = "';'-separated values (SVG animation)"
    REFRESH = "meta refresh content: delay, then the URL"
    CSS = "CSS declarations: url(), image-set()"
    REFUSED = "none: the attribute is refused outright"


@dataclass(frozen=True)
class Rule:
    """``attr`` on ``tags`` (None: any element) holds URLs as ``split`` says; ``check`` says what
    is reported. ``when``: only if another attribute's words include one of these (lower case)."""

    attr: str
    tags: frozenset[str] | None
    split: Split
    check: int
    when: tuple[str, frozenset[str]] | None = None
    label: str = ""  # how messages name it; default "tag attr"
    verb: str = "loads from"


def _tags(*names: str) -> frozenset[str]:
    return frozenset(names)


RULES: tuple[Rule, ...] = (
    Rule("href", None, Split.URL, CODE),
    Rule("href", _tags("link"), Split.URL, LOAD, when=("rel", LOAD_RELS)),
    Rule("href", _tags("base"), Split.URL, LOAD),
    Rule("href", SVG_RESOURCE_TAGS, Split.URL, LOAD),
    Rule("xlink:href", None, Split.URL, CODE),
    Rule("xlink:href", SVG_RESOURCE_TAGS, Split.URL, LOAD),
    Rule("src", None, Split.URL, BOTH),
    Rule("srcset", None, Split.SRCSET, BOTH),
    Rule("imagesrcset", None, Split.SRCSET, BOTH),  # <link rel=preload as=image>
    Rule("poster", None, Split.URL, BOTH),
    Rule("background", None, Split.URL, BOTH),
    Rule("data", None, Split.URL, CODE),
    Rule("data", _tags("object"), Split.URL, LOAD),
    Rule("ping", None, Split.SPACES, BOTH),
    Rule("manifest", _tags("html"), Split.URL, BOTH),
    Rule("action", None, Split.URL, CODE),
    Rule("formaction", None, Split.URL, CODE),
    Rule("codebase", None, Split.URL, CODE),
    Rule("cite", None, Split.URL, CODE),
    *(Rule(name, SVG_ANIMATION_TAGS, Split.URL, BOTH) for name in ("to", "from", "by")),
    Rule("values", SVG_ANIMATION_TAGS, Split.VALUES, BOTH),
    Rule("content", _tags("meta"), Split.REFRESH, BOTH, ("http-equiv", _tags("refresh")), "meta http-equiv=refresh", "redirects to"),
    Rule("style", None, Split.CSS, BOTH),
    *(Rule(name, None, Split.CSS, BOTH) for name in SVG_PAINT_ATTRS),  # fill="url(...)"
    Rule("srcdoc", None, Split.REFUSED, CODE),  # it can hold any HTML
)


class _Plan(NamedTuple):
    """RULES for one attribute on one element: what is always checked, what only ``when``."""

    check: int
    rule: Rule  # its split, label and verb
    when: tuple[Rule, ...]


def _plans(rules: tuple[Rule, ...]) -> dict[str, dict[str | None, _Plan | None]]:
    """attribute → element (None: any other) → its plan, worked out once."""
    out: dict[str, dict[str | None, _Plan | None]] = {}
    for attr in dict.fromkeys(r.attr for r in rules):
        mine = [r for r in rules if r.attr == attr]
        assert len({r.split for r in mine}) == 1, f"one split per attribute ({attr})"
        out[attr] = {}
        for tag in [None, *sorted({t for r in mine for t in r.tags or ()})]:
            apply = [r for r in mine if r.tags is None or (tag is not None and tag in r.tags)]
            check = 0
            for r in apply:
                check |= r.check if r.when is None else 0
            rule = next((r for r in apply if r.label), apply[0]) if apply else None
            out[attr][tag] = _Plan(check, rule, tuple(r for r in apply if r.when)) if rule else None
    return out


_PLANS = _plans(RULES)
# Elements with one of these attributes (a rule's, or the one its ``when`` reads), or an on*, are checked.
_WATCHED = frozenset(r.attr if r.when is None else r.when[0] for r in RULES)
_ELEMENT_TAGS = RAW_TEXT | {"noscript", "template", "img", "a"}  # and these elements, always

_THEME_DIR_ANYWHERE = re.compile(r"^(?:[^/]+/)*?(?=(?:assets|pagefind)/)")


class At(NamedTuple):
    """An element: the ``nth`` (0-based) start tag named ``tag`` in the file, as read with
    scripting on or off; ``lines`` further down (a CSS line inside it)."""

    tag: str
    nth: int
    scripting: bool = True
    lines: int = 0


_new_at = tuple.__new__  # At(...) without the keyword handling: one per element checked


@dataclass
class Scan:
    """What one document holds: problems, ids, same-document URLs to check, images.

    ``links`` (where, URL of href/src) and ``images`` (where, src, alt) name their element
    (:class:`At`); :meth:`line` turns that into a line number, only when one is needed.
    """

    text: str = ""
    ids: set[str] = field(default_factory=set)
    links: list[tuple[At, str]] = field(default_factory=list)
    images: list[tuple[At, str, str | None]] = field(default_factory=list)
    found: list[tuple[At | int, str]] = field(default_factory=list)
    _starts: dict[bool, dict[str, list[int]]] = field(default_factory=dict, repr=False)
    _newlines: list[int] | None = field(default=None, repr=False)

    def add(self, where: At | int, message: str) -> None:
        """A problem at an element, or at a line."""
        self.found.append((where, message))

    def line(self, where: At | int) -> int:
        """The 1-based line of an element's start tag (plus ``where.lines``); 0 if not found."""
        if isinstance(where, int):
            return where
        offsets = self._start_tags(where.scripting).get(where.tag)
        if not offsets:
            return 0
        if self._newlines is None:
            self._newlines = [m.start() for m in re.finditer("\n", self.text)]
        return bisect.bisect_left(self._newlines, offsets[min(where.nth, len(offsets) - 1)]) + 1 + where.lines

    def closed(self, where: At) -> bool:
        """Whether the raw-text element ``where`` has its end tag."""
        offsets = self._start_tags(where.scripting).get(where.tag, [])
        return where.nth >= len(offsets) or htmltokens.closed(self.text, where.tag, offsets[where.nth])  # not found: say nothing

    def result(self) -> list[Finding]:
        """The findings in line order, each once; past MAX_FINDINGS, a count of the rest."""
        if not self.found:
            return []
        out = [Finding(self.line(w), m) for w, m in self.found if isinstance(w, int) or w.scripting]
        seen = set(out)  # the reading with scripting off adds what it alone finds
        for w, m in self.found:
            if isinstance(w, At) and not w.scripting and (f := Finding(self.line(w), m)) not in seen:
                seen.add(f)
                out.append(f)
        out.sort(key=lambda f: f.line)
        if len(out) <= MAX_FINDINGS:
            return out
        hidden = len(out) - MAX_FINDINGS
        more = f"{hidden} more problem{'s' * (hidden != 1)} in this file not listed"
        return [*out[:MAX_FINDINGS], Finding(out[MAX_FINDINGS].line, more)]

    def _start_tags(self, scripting: bool) -> dict[str, list[int]]:
        if scripting not in self._starts:
            self._starts[scripting] = htmltokens.start_tags(self.text, scripting)
        return self._starts[scripting]


# ----------------------------------------------------------------------------- the scan


def scan_html(text: str, base: SiteBase, doc_url: str) -> Scan:
    """Scan one HTML or SVG document (see the module docstring)."""
    scan = Scan(text)
    if (deep := htmltokens.too_deep(text)) is not None:
        line = text.count("\n", 0, deep) + 1
        scan.add(line, f"elements nested more than {htmltokens.MAX_DEPTH} deep (browsers stop at 512); the file was not checked")
        return scan
    if _walk(LexborHTMLParser(text, scripting=True), _Ctx(base, doc_url, scan, True)):
        _walk(LexborHTMLParser(text, scripting=False), _Ctx(base, doc_url, scan, False))
    return scan


@dataclass
class _Ctx:
    base: SiteBase
    doc_url: str
    scan: Scan
    scripting: bool
    collect: set[int] | None = None  # mem_ids of the elements whose links and images are kept (None: all)


def _walk(tree: LexborHTMLParser, ctx: _Ctx) -> bool:
    """Check every element of ``tree`` (template contents in place); True if it has a <noscript>."""
    if tree.root is None:
        return False
    if not ctx.scripting:  # the second reading adds the links and images inside <noscript> only
        ctx.collect = {n.mem_id for ns in tree.css("noscript") for n in ns.traverse()}
    counts: dict[str, int] = {}
    noscript, scripting, ids, special, watched, count = False, ctx.scripting, ctx.scan.ids, _ELEMENT_TAGS, _WATCHED, counts.get
    walks: list[Iterator[LexborNode]] = [tree.root.traverse()]
    while walks:
        for node in walks[-1]:  # the hot loop: every element of the page
            tag = node.tag or ""
            if not tag.islower():  # SVG's camelCase names (feImage)
                tag = tag.lower()
            nth = count(tag, 0)
            counts[tag] = nth + 1
            attrs = node.attributes
            if tag in special or (attrs and (not watched.isdisjoint(attrs) or " on" in " ".join(("", *attrs)))):
                _element(node, tag, _new_at(At, (tag, nth, scripting, 0)), attrs, ctx)
                noscript = noscript or tag == "noscript"
                if tag == "template":  # its contents next, then on after it
                    walks.append(chain.from_iterable(f.traverse() for f in node.template_fragments()))
                    break
            elif attrs and (value := attrs.get("id")) is not None:
                ids.add(value)
        else:
            walks.pop()
    return noscript


def _element(node: LexborNode, tag: str, at: At, attrs: Mapping[str, str | None], ctx: _Ctx) -> None:
    scan = ctx.scan
    for name, value in attrs.items():
        if value is not None and name in _PLANS:
            _attribute(tag, name, value, attrs, at, ctx)
        if name[:2] == "on":
            scan.add(at, f"event handler attribute on <{tag}>: {show_url(name)}")
    if tag == "script":
        _script(attrs, at, ctx)
    elif tag == "style":
        for f in scan_css(node.text(), ctx.base):
            scan.add(at._replace(lines=f.line - 1), f.message)
    if (tag in RAW_TEXT or (ctx.scripting and tag == "noscript")) and node.first_child and _last_in_file(node) and not scan.closed(at):
        scan.add(at, f"<{tag}> is never closed: a browser reads the rest of the file as part of it")
    if (value := attrs.get("id")) is not None:
        scan.ids.add(value)
    if tag == "a" and (value := attrs.get("name")) is not None:
        scan.ids.add(value)
    if ctx.collect is not None and node.mem_id not in ctx.collect:
        return
    if tag in ("a", "area", "link") and (value := attrs.get("href")) is not None:
        scan.links.append((at, value))
    if (value := attrs.get("src")) is not None:
        scan.links.append((at, value))
    if tag == "img":
        scan.images.append((at, attrs.get("src") or "", attrs.get("alt")))


def _attribute(tag: str, name: str, value: str, attrs: Mapping[str, str | None], at: At, ctx: _Ctx) -> None:
    """Apply the rules of ``RULES`` for attribute ``name`` of a ``tag`` element."""
    plans = _PLANS[name]
    plan = plans[tag] if tag in plans else plans[None]
    if plan is None:
        return
    check, rule = plan.check, plan.rule
    for r in plan.when:  # e.g. <link href> loads only with rel=stylesheet, icon...
        assert r.when is not None
        if not r.when[1].isdisjoint((attrs.get(r.when[0]) or "").lower().split()):
            check |= r.check
    if not check:
        return
    label = rule.label or f"{tag} {name}"
    if rule.split is Split.REFUSED:
        ctx.scan.add(at, f"<{label}> is not allowed (it can hold any HTML)")
    elif rule.split is Split.CSS:
        for f in scan_css(value, ctx.base):
            ctx.scan.add(at._replace(lines=f.line - 1), f.message)
    else:
        for url in [value] if rule.split is Split.URL else _urls(rule.split, value):
            scheme = unsafe_scheme(url)
            if scheme and check & CODE:
                ctx.scan.add(at, f"unsafe {scheme.rstrip(':')} URL in <{label}>: {show_url(NOISE.sub('', url))}")
            elif check & LOAD and not scheme and is_foreign(url, ctx.base):
                ctx.scan.add(at, f"<{label}> {rule.verb} another origin: {show_url(browser_url(url))}")


def _urls(split: Split, value: str) -> list[str]:
    if split is Split.SRCSET:
        return srcset_urls(value)
    if split is Split.SPACES:
        return value.split()
    if split is Split.VALUES:
        return value.split(";")
    if split is Split.REFRESH:
        return [refresh_url(value)]
    return [value]


def _script(attrs: Mapping[str, str | None], at: At, ctx: _Ctx) -> None:
    src = next((v for v in (attrs.get("src"), attrs.get("href"), attrs.get("xlink:href")) if v is not None), None)
    if src is None:
        if (attrs.get("type") or "").strip().lower() != "application/ld+json":
            ctx.scan.add(at, "script that is not the theme's: inline <script>")
        return
    if unsafe_scheme(src) or is_foreign(src, ctx.base):
        return  # reported by the rules
    where = site_path(src, ctx.base, ctx.doc_url)
    if ctx.base.origin is None and where is not None:  # base path unknown: any depth
        where = (_THEME_DIR_ANYWHERE.sub("", where[0], count=1), where[1])
    if where is None or not where[0].startswith(THEME_SCRIPT_DIRS):
        ctx.scan.add(at, f"script that is not the theme's: {show_url(browser_url(src))}")


def _last_in_file(node: LexborNode) -> bool:
    """Nothing follows ``node`` in the document but what the parser adds at the end (an empty body)."""
    n: LexborNode | None = node
    while n is not None:
        after = n.next
        while after is not None:
            if after.tag not in ("head", "body") or after.first_child is not None or after.attributes:
                return False
            after = after.next
        n = n.parent
    return True
