"""The site graph: URLs, collisions, references between pages, reverse links, levels."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from spinesite.content import contenttypes
from spinesite.content.contenttypes import by_folder, ref_fields
from spinesite.content.fields import LEVELS, _label
from spinesite.content.model import Page
from spinesite.content.translations import Languages, attach, link_back
from spinesite.diagnostics import Diagnostics, did_you_mean, show


def reserved_urls() -> frozenset[str]:
    """URLs the generator itself produces; a page may not take them."""
    fixed = ("/", "/search/", "/urgent-help/", "/levels/", "/handouts/", "/assets/", "/images/")
    return frozenset({*fixed, *(t.index_url for t in contenttypes.TYPES if not t.at_site_root)})


def generated_links() -> frozenset[str]:
    """Generated pages (no source file) that Markdown may link to by address, e.g. [get help](/urgent-help/)."""
    return frozenset({"/", "/search/", "/urgent-help/", *(t.index_url for t in contenttypes.TYPES if t.index_title is not None)})


class Backlinks(dict[str, list[Page]]):
    """kind -> pages linking here; a kind with none reads as ``[]`` (``page.backlinks.conditions``)."""

    def __missing__(self, key: str) -> list[Page]:
        return []


@dataclass
class SiteGraph:
    pages: list[Page]  # published pages, sorted by (kind, slug)
    by_kind: dict[str, list[Page]] = field(default_factory=dict)  # sorted by title
    by_rel: dict[str, Page] = field(default_factory=dict)
    by_url: dict[str, Page] = field(default_factory=dict)
    levels: dict[str, list[Page]] = field(default_factory=dict)  # spine level -> conditions
    drafts: list[Page] = field(default_factory=list)
    unloaded: set[str] = field(default_factory=set)  # rels of content files that exist but did not load
    by_slug: dict[tuple[str, str], Page] = field(default_factory=dict)  # (kind, slug) -> page
    languages: Languages = field(default_factory=Languages.of_nothing)  # the site's languages
    translated: dict[str, dict[str, list[Page]]] = field(default_factory=dict)  # language -> kind -> its translations, by title
    translated_levels: dict[str, dict[str, list[Page]]] = field(default_factory=dict)  # language -> level -> conditions

    def kinds_in(self, lang: str) -> dict[str, list[Page]]:
        """The pages of each kind in ``lang`` ("": the default language), sorted by title."""
        return self.translated.get(lang, {}) if lang else self.by_kind

    def levels_in(self, lang: str) -> dict[str, list[Page]]:
        return self.translated_levels.get(lang, {}) if lang else self.levels

    def get(self, kind: str, slug: str) -> Page | None:
        return self.by_slug.get((kind, slug))


def page_url(kind: str, slug: str) -> str:
    return by_folder(kind).url(slug)


def level_url(level: str) -> str:
    return f"/levels/{level.lower()}/"


def is_draft(page: Page) -> bool:
    """``draft: true`` in its front matter: built only with ``--drafts``, and then kept out of
    the sitemap, feed and search index."""
    return bool(page.data.get("draft"))


def build_graph(
    all_pages: list[Page], site: Path, diags: Diagnostics, *, drafts: bool = False, languages: Languages | None = None
) -> SiteGraph:
    """Place every published page (and the drafts too with ``drafts``), resolve references and
    compute reverse links. Without ``drafts``, a reference to a draft is left out with a warning.
    Translations (``languages``) are placed beside their sources (``translations.py``)."""
    langs = languages or Languages.of_nothing()
    originals = [p for p in all_pages if not p.lang]
    pages = sorted((p for p in originals if drafts or not is_draft(p)), key=lambda p: (p.kind, p.slug))
    graph = SiteGraph(pages, drafts=[] if drafts else [p for p in originals if is_draft(p)], languages=langs)
    _assign_urls(graph, diags, langs)
    kinds = contenttypes.folders()
    slugs = {kind: {p.slug: p for p in pages if p.kind == kind} for kind in kinds}
    draft_slugs = {(p.kind, p.slug): p for p in graph.drafts}
    # Files that exist but did not load already have their own error: no "unknown" cascade.
    loaded = {p.rel for p in all_pages}
    unloaded = {(k, s) for k in kinds for s in _file_slugs(site, k) if f"content/{k}/{s}.md" not in loaded}
    graph.unloaded = {f"content/{k}/{s}.md" for k, s in unloaded}
    refs_of = {kind: ref_fields(kind) for kind in kinds}
    for page in pages:
        for name, target in refs_of[page.kind]:
            value = page.data.get(name)
            items = value if isinstance(value, list) else ([value] if value else [])
            resolved = []
            for i, slug in enumerate(items):
                key = (name, i) if isinstance(value, list) else (name,)
                ref = _resolve(page, key, slug, target, slugs, draft_slugs, unloaded, diags)
                if ref is not None:
                    resolved.append(ref)
            page.refs[name] = resolved
    _link_backlinks(pages)
    _link_parents(pages, diags)
    _check_illustrations(pages, site, diags)
    graph.by_slug = {(p.kind, p.slug): p for p in pages}
    graph.by_kind = _by_kind(pages)
    graph.levels = _levels(pages)
    translated = attach([p for p in all_pages if p.lang], pages, originals, langs, diags)
    link_back(translated)
    for page in translated:
        graph.by_rel[page.rel] = page
        graph.by_url[page.url] = page
    for code in langs.others.values():
        mine = [p for p in translated if p.lang == code]
        graph.translated[code], graph.translated_levels[code] = _by_kind(mine), _levels(mine)
    graph.pages = sorted(pages + translated, key=lambda p: (p.kind, p.slug, p.lang))
    return graph


def _by_kind(pages: list[Page]) -> dict[str, list[Page]]:
    return {k: sorted((p for p in pages if p.kind == k), key=lambda p: (p.title.casefold(), p.slug)) for k in contenttypes.folders()}


def _assign_urls(graph: SiteGraph, diags: Diagnostics, langs: Languages) -> None:
    """One error per page that cannot have its URL, naming the page that holds it.

    When a ``slug:`` override causes the clash, the error is reported on the override line.
    """
    types, reserved = {t.folder: t for t in contenttypes.TYPES}, reserved_urls()
    for page in graph.pages:
        page.url = types[page.kind].url(page.slug)
        graph.by_rel[page.rel] = page
        other = graph.by_url.get(page.url)
        if other is not None:
            blame, holder = (other, page) if other.data.get("slug") and not page.data.get("slug") else (page, other)
            diags.error(
                blame.rel, _slug_line(blame), f"URL {page.url} is also used by {holder.rel}; rename one of the files or change its slug"
            )
        elif page.url in reserved:
            diags.error(page.rel, _slug_line(page), f"URL {page.url} is reserved for a generated page; choose another slug")
        elif page.url.lower() in {langs.prefix(code) for code in langs.others.values()}:
            diags.error(
                page.rel, _slug_line(page), f"URL {page.url} is the home page of the site in {page.url.strip('/')}; choose another slug"
            )
        else:
            graph.by_url[page.url] = page


def _slug_line(page: Page) -> int:
    return page.parsed.line(("slug",)) if page.data.get("slug") else 0


def _resolve(
    page: Page,
    key: tuple[str | int, ...],
    slug: str,
    target: str,
    slugs: dict[str, dict[str, Page]],
    draft_slugs: dict[tuple[str, str], Page],
    unloaded: set[tuple[str, str]],
    diags: Diagnostics,
) -> Page | None:
    found = slugs[target].get(slug)
    if found is not None:
        if found is page:
            diags.error(page.rel, page.parsed.line(key), f"{_label(key)}: a page cannot refer to itself")
            return None
        return found
    line = page.parsed.line(key)
    what = by_folder(target).singular
    if (target, slug) in unloaded:
        return None
    if (draft := draft_slugs.get((target, slug))) is not None:
        diags.warning(page.rel, line, f"{_label(key)}: {what} '{slug}' is a draft ({draft.rel}), so it is left out until it is published")
        return None
    for kind, known in slugs.items():
        if slug in known and kind != target:
            diags.error(page.rel, line, f"{_label(key)}: '{slug}' is a {by_folder(kind).singular}, not a {what} ({known[slug].rel})")
            return None
    diags.error(page.rel, line, f"{_label(key)}: unknown {what} '{slug}'{did_you_mean(slug, slugs[target])}")
    return None


def _file_slugs(site: Path, kind: str) -> list[str]:
    try:
        names = os.listdir(site / "content" / kind)
    except OSError:
        return []
    return [name[:-3] for name in names if name.endswith(".md") and not name.startswith(".")]


def _link_backlinks(pages: list[Page]) -> None:
    back: dict[str, dict[str, dict[str, Page]]] = {}  # keyed by rel: hashing a Page runs Python code
    for page in pages:
        for refs in page.refs.values():
            for ref in refs:
                back.setdefault(ref.rel, {}).setdefault(page.kind, {})[page.rel] = page
    for page in pages:
        kinds = back.get(page.rel, {})
        page.backlinks = Backlinks((k, sorted(v.values(), key=lambda p: (p.title.casefold(), p.slug))) for k, v in sorted(kinds.items()))


def _link_parents(pages: list[Page], diags: Diagnostics) -> None:
    for page in pages:
        parents = page.refs.get("parent") or []
        page.parent = parents[0] if parents else None
    for page in pages:
        if page.parent is not None:
            page.parent.children.append(page)
        seen, p = {page.rel}, page.parent
        while p is not None:
            if p.rel == page.rel:
                diags.error(page.rel, page.parsed.line(("parent",)), "parent: conditions form a loop")
                page.parent = None
                break
            if p.rel in seen:  # a loop further up: reported on the pages in it
                break
            seen.add(p.rel)
            p = p.parent
    for page in pages:
        page.children.sort(key=lambda p: (p.title.casefold(), p.slug))


def _check_illustrations(pages: list[Page], site: Path, diags: Diagnostics) -> None:
    static = (site / "static").resolve()
    found: dict[str, bool] = {}  # many pages share an image
    for page in pages:
        image = page.data.get("illustration")
        if not isinstance(image, dict) or not image.get("src"):
            continue
        src = str(image["src"])
        if src not in found:
            target = (static / src.lstrip("/")).resolve()
            found[src] = target.is_relative_to(static) and target.is_file()
        if not found[src]:
            diags.error(
                page.rel, page.parsed.line(("illustration", "src")), f"illustration.src: no file static/{show(src.lstrip('/'), 200)}"
            )


def _levels(pages: list[Page]) -> dict[str, list[Page]]:
    found: dict[str, dict[str, Page]] = {}
    for p in pages:
        if p.kind == "conditions":
            for level in p.data.get("spine_levels") or []:
                found.setdefault(level, {})[p.rel] = p
    return {level: sorted(found[level].values(), key=lambda p: (p.title.casefold(), p.slug)) for level in LEVELS if level in found}
