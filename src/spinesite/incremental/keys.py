"""Content digests and the keys that decide what a build renders again.

Every key is a digest of inputs (paths relative to the site, bytes, URLs, titles), never of
an absolute path, a time or an inode: a site copied to another folder, or restored on
another machine with its cache, finds its validated front matter and rendered Markdown.
The render key of a page (:func:`render_keys`) and of a generated page (:func:`listing_keys`)
hash what its output is made of (see :mod:`.state`); a Markdown key
(:func:`markdown_keys`) what its rendered Markdown is made of.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from spinesite.content.graph import SiteGraph
from spinesite.content.model import Listing, Page, listing_id
from spinesite.content.review import is_overdue

if TYPE_CHECKING:
    from spinesite.incremental.state import Cache, PageState


def digest(*parts: str | bytes) -> str:
    h = hashlib.blake2b(digest_size=16)
    for part in parts:
        data = part.encode("utf-8", "surrogatepass") if isinstance(part, str) else part
        h.update(len(data).to_bytes(8, "little"))
        h.update(data)
    return h.hexdigest()


def tree_digests(*roots: Path, prefixes: tuple[str, ...]) -> tuple[str, ...]:
    """Hash of every file (path + bytes) under the given folders whose path starts with each
    prefix ("" for all), reading every file once."""
    parts: list[list[str | bytes]] = [[] for _ in prefixes]
    for root in roots:
        if not root.is_dir():
            continue
        for path in sorted(p for p in root.rglob("*") if p.is_file()):
            rel, data = path.relative_to(root).as_posix(), path.read_bytes()
            for i, prefix in enumerate(prefixes):
                if rel.startswith(prefix):
                    parts[i] += [rel, data]
    return tuple(digest(*p) for p in parts)


def glossary_key(graph: SiteGraph) -> str:
    parts: list[str | bytes] = []
    for p in graph.by_kind.get("glossary", []):
        parts += [p.rel, p.url, p.title, "\x1f".join(p.data.get("also_called") or [])]
    return digest(*parts)


def url_key(graph: SiteGraph) -> str:
    return digest(*(f"{p.kind}\x1f{p.slug}\x1f{p.rel}\x1f{p.url}" for p in graph.pages))


def markdown_keys(graph: SiteGraph, digests: dict[str, str], base_path: str) -> dict[str, str]:
    """Markdown key per page rel: its source, and what its links and first-use glossary links
    point to (the glossary, every URL, the base path, the drafts left out)."""
    unpublished = [f"{p.rel}\x1f{p.slug}" for p in graph.drafts]  # a link to one of them is plain text
    site_key = digest(glossary_key(graph), url_key(graph), base_path, *unpublished)
    return {p.rel: digest(site_key, p.rel, digests[p.rel]) for p in graph.pages}


def neighbours(page: Page) -> list[Page]:
    """Every page whose data ``page``'s template can show (each once; keyed by rel, as
    hashing a Page runs Python code)."""
    out: dict[str, Page] = {}
    for refs in page.refs.values():
        out.update((p.rel, p) for p in refs)
    for back in page.backlinks.values():
        out.update((p.rel, p) for p in back)
    out.update((p.rel, p) for p in page.children)
    if page.source is not None:  # a translation shows its source's structure and links to it
        out[page.source.rel] = page.source
    out.update((p.rel, p) for p in (page.source or page).translations.values())  # the language switcher
    p = page.parent
    while p is not None and p.rel not in out:
        out[p.rel] = p
        p = p.parent
    out.pop(page.rel, None)
    return list(out.values())


def render_keys(
    graph: SiteGraph, digests: dict[str, str], global_key: str, template_keys: dict[str, str], today: dt.date
) -> dict[str, str]:
    """Render key per page rel (see :mod:`.state`); ``template_keys``: per content type;
    ``today``: the build date, of which a page shows only whether its review is overdue."""
    keys = {}
    for page in graph.pages:
        deps = "\x1e".join(sorted(f"{n.rel}\x1f{digests[n.rel]}" for n in neighbours(page)))  # rels are printable
        overdue = "overdue" if is_overdue(page.data, today) else ""
        keys[page.rel] = digest(global_key, template_keys[page.kind], page.rel, page.url, digests[page.rel], deps, overdue)
    return keys


def level_pages(graph: SiteGraph) -> list[Page]:
    """The pages a template can reach through the ``levels`` global (in any language)."""
    every = [graph.levels, *graph.translated_levels.values()]
    return list({p.rel: p for levels in every for pages in levels.values() for p in pages}.values())


def listing_keys(listings: list[Listing], graph: SiteGraph, digests: dict[str, str], global_key: str, cache: Cache) -> dict[str, str]:
    """Render key per generated page: the sources of the pages it lists.

    Handouts list one condition's exercises; level pages their conditions; an index every
    page of its type. A template reading ``by_kind`` depends on the pages of the types it
    reads (every page when that cannot be told, see ``templatedeps.by_kind_reads``), one reading
    ``levels`` (the spine map) on every condition with a level; a page listing nothing (404)
    depends on no page.
    """
    entry = {p.rel: f"{p.rel}\x1f{digests[p.rel]}" for p in graph.pages}
    levels = digest("\x1e".join(sorted(entry[p.rel] for p in level_pages(graph))))
    keys = {}
    for listing in listings:
        ctx = listing.context
        extra = levels if listing.template in cache.uses_levels else ""
        deps: list[Page] = []
        if "condition" in ctx:
            deps = [ctx["condition"], *neighbours(ctx["condition"])]
        elif "items" in ctx:
            deps = list(ctx["items"])
        if listing.template in cache.kinds_read:  # by_kind.conditions...: those types' pages
            deps += pages_of_kinds(graph, cache.kinds_read[listing.template])
        parts = "\x1e".join(sorted({entry[p.rel] for p in deps}))
        extra += _codes_shown(ctx)
        if ctx.get("pager") is not None:  # one page of a long index: its links to the others
            extra += ctx["pager"].key()
        template = cache.template_keys.get(listing.template, cache.templates_key)
        keys[listing_id(listing)] = digest(global_key, template, listing.url, listing.template, parts, extra)
    return keys


def _codes_shown(ctx: dict[str, Any]) -> str:
    """What a code page, a code's answer or the Infobutton page shows besides its pages: the
    codes and their official descriptions (from the shipped code tables), the index of codes."""
    codes = [ctx["code"]] if "code" in ctx else list(ctx.get("codes") or [])
    shown = [f"{c.system}\x1f{c.code}\x1f{c.description}" for c in codes]
    if "index" in ctx:
        shown.append(json.dumps(ctx["index"], sort_keys=True))
    if "response_lang" in ctx:
        shown.append(str(ctx["response_lang"]))
    return digest(*shown) if shown else ""


def pages_of_kinds(graph: SiteGraph, kinds: frozenset[str] | None) -> list[Page]:
    """The pages of the given content types (every page for None)."""
    if kinds is None:
        return list(graph.pages)
    every = [graph.by_kind, *graph.translated.values()]
    return [p for kind in sorted(kinds) for by_kind in every for p in by_kind.get(kind, [])]


def output_unchanged(out: Path, state: PageState | None, key: str) -> bool:
    """True when the previous build wrote this page with the same key and the file is untouched."""
    if state is None or state[0] != key:
        return False
    try:
        st = os.stat(os.path.join(out, state[1]))
    except OSError:
        return False
    return st.st_size == state[2] and st.st_mtime_ns == state[3]
