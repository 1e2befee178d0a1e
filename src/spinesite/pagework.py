"""Per-page work: Markdown, then templates + safety scan, run on the worker pool.

``render_markdown``/``render_template`` run in the workers, one page each; the stage
functions (``render_all_markdown``, ``render_pages``, ``render_what_builds``) hand them out
and collect what comes back."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import jinja2

from spinesite.buildresult import BuildResult
from spinesite.checks.site import SAFETY, broken_pages, check_output, markdown_images
from spinesite.content.graph import SiteGraph, page_url
from spinesite.content.loader import load_file, read_body
from spinesite.content.model import Page, listing_id
from spinesite.content.translations import split_name
from spinesite.content.validate import validate_pages
from spinesite.diagnostics import Diagnostic, Diagnostics
from spinesite.incremental.store import MarkdownStore
from spinesite.output.htmlscan import SiteBase
from spinesite.output.transaction import Output
from spinesite.parallel import run
from spinesite.render.markdown import Renderer
from spinesite.render.sitefiles import copy_static, render_site_files
from spinesite.render.templates import SiteRenderer, template_error

R = TypeVar("R")
T = TypeVar("T")

MarkdownResult = tuple[str | None, list[dict[str, Any]] | None, dict[str, Any] | None, list[str], list[Diagnostic]]
TemplateResult = tuple[bytes | None, list[Diagnostic], bool]


@dataclass
class RenderState:
    """Everything a worker needs; inherited by forked workers, never pickled."""

    graph: SiteGraph
    site: SiteRenderer
    markdown_seconds: float
    output: Output | None  # None: only Markdown is rendered (see load_markdown)
    site_dir: Path = Path(".")
    md_store: MarkdownStore | None = None  # written builds keep rendered Markdown here, not in memory
    md_keys: dict[str, str] = field(default_factory=dict)  # page rel -> Markdown key
    _markdown: Renderer | None = None

    def markdown(self, diags: Diagnostics) -> Renderer:
        if self._markdown is None:
            languages = self.site.languages
            self._markdown = Renderer(self.graph, diags, self.site.base_path, self.markdown_seconds, languages.note, languages.generated)
        self._markdown.diags = diags
        return self._markdown


def render_markdown(state: RenderState, rel: str) -> MarkdownResult:
    """A page's Markdown (body and Markdown fields). With a store, the HTML goes there and
    only the links and diagnostics come back: the main process never holds every page's HTML."""
    diags = Diagnostics()
    page = state.graph.by_rel[rel]
    if page.body is None:
        page.body = read_body(state.site_dir, page.rel, page.digest)
        if page.body is None:
            diags.error(page.rel, 0, "the file changed during the build; build again")
            return "", [], {}, [], diags.items
    renderer = state.markdown(diags)
    renderer.render_page(page)
    diags.extend(markdown_images([page], SiteBase.from_url(state.site.config.base)))  # cached with the Markdown
    linked = sorted(renderer.linked_pages.pop(rel, set()))
    if state.md_store is None:
        return page.html, page.toc, page.fields_html, linked, diags.items
    state.md_store.put(state.md_keys[rel], (page.html, page.toc, page.fields_html))
    _forget_text(state, page)
    return None, None, None, linked, diags.items


def _forget_text(state: RenderState, page: Page) -> None:
    """Drop what a worker read or rendered for one page once it is stored (it can be loaded
    again): a worker's memory then stays that of one page, not of its share of the site."""
    page.body, page.html, page.toc, page.fields_html = None, "", [], {}
    page.markdown_key = state.md_keys.get(page.rel, "")


def load_markdown(state: RenderState, page: Page) -> None:
    """Fill in a page's rendered Markdown kept in the store (rendered again if it went missing)."""
    if not page.markdown_key:
        return
    stored = state.md_store.get(page.markdown_key) if state.md_store is not None else None
    if stored is not None:
        page.html, page.toc, page.fields_html = stored
    else:  # its diagnostics were reported when it was first rendered
        render_markdown(RenderState(state.graph, state.site, state.markdown_seconds, None, state.site_dir), page.rel)
    page.markdown_key = ""


def render_template(state: RenderState, rel: str) -> TemplateResult:
    """Render one page; stage it (outputs on disk) or return its bytes for the main process to put."""
    diags = Diagnostics()
    page = state.graph.by_rel[rel]
    load_markdown(state, page)
    try:
        data = state.site.render_page(page)
    except jinja2.TemplateError as exc:
        template_error(exc, page.rel, diags)
        return None, diags.items, False
    if state.md_store is not None:
        _forget_text(state, page)
    check_output({page.output_path: data}, diags, base_url=state.site.config.base, sources={page.output_path: page.rel})
    if state.output is not None and state.output.in_workers:  # staged here; nothing travels back
        changed = not diags.errors and state.output.put(page.output_path, data)
        return None, diags.items, changed
    return data, diags.items, False


def render_generated(state: RenderState, index: int) -> TemplateResult:
    """Render and check one generated page (``state.site.listings()[index]``) in a worker."""
    diags = Diagnostics()
    listing = state.site.listings()[index]
    try:
        data = state.site.render_listing(listing)
    except jinja2.TemplateError as exc:
        template_error(exc, f"templates/{listing.template}", diags)
        return None, diags.items, False
    check_output({listing.output_path: data}, diags, base_url=state.site.config.base)
    return data, diags.items, False


def render_listings(state: RenderState, dirty: set[str], diags: Diagnostics, jobs: int) -> dict[str, bytes]:
    """The generated pages whose id is in ``dirty`` (home, indexes, levels, handouts...),
    rendered and checked on the worker pool: output path -> bytes."""
    listings = state.site.listings()
    todo = [i for i, x in enumerate(listings) if listing_id(x) in dirty]
    files = {}
    for i, (data, found, _changed) in zip(todo, _run(render_generated, state, todo, jobs), strict=True):
        diags.extend(found)
        if data is not None:
            files[listings[i].output_path] = data
    return files


def prevalidate(job: tuple[Path, int], rel: str) -> tuple[str, Any] | None:
    """Load and validate one content file in a worker (a cold build's costliest serial step):
    (``rel + digest``, (data, diagnostics)) for the main process's validation cache, or None
    when the file has a loading problem (the main process then loads it and reports it)."""
    site, max_bytes = job
    diags = Diagnostics()
    src = load_file(site / rel, rel, rel.split("/")[1], diags, max_bytes)
    if src is None or diags.items:
        return None
    results: dict[str, Any] = {}
    validate_pages([src], Diagnostics(), results=results)
    return f"{rel}\x1f{src.digest}", results[rel]


def _run(func: Callable[[RenderState, T], R], state: RenderState, rels: list[T], jobs: int) -> list[R]:
    """``parallel.run``, the cache database closed first when workers may be forked: no SQLite
    connection is ever carried across a fork (it opens again when next used)."""
    if jobs > 1 and state.md_store is not None:
        state.md_store.close()
    return run(func, state, rels, jobs)


def render_all_markdown(
    state: RenderState, md_keys: dict[str, str], cached: dict[str, Any], result: BuildResult, jobs: int
) -> dict[str, Any]:
    """Markdown of every page, before any template; pages whose Markdown key is in ``cached``
    are not rendered again. Returns what to remember: Markdown key -> result."""
    graph = state.graph
    state.md_keys = md_keys
    todo = [p.rel for p in graph.pages if md_keys[p.rel] not in cached]
    fresh = dict(zip(todo, _run(render_markdown, state, todo, jobs), strict=True))
    kept: dict[str, Any] = {}
    for page in graph.pages:
        md = fresh.get(page.rel) or cached[md_keys[page.rel]]
        html, toc, fields_html, linked, md_diags = md
        if html is None:  # kept in the Markdown store: loaded by whoever renders the page
            page.markdown_key = md_keys[page.rel]
        else:
            page.html, page.toc, page.fields_html = html, toc or [], fields_html or {}
        result.linked[page.rel] = set(linked)
        if md_diags:
            result.diagnostics.extend(md_diags)
        kept[md_keys[page.rel]] = md
    return kept


def render_pages(state: RenderState, rels: list[str], result: BuildResult, jobs: int) -> None:
    """Render the pages ``rels`` into the output (the workers stage them, or their bytes come back)."""
    assert state.output is not None
    for rel, (data, page_diags, _changed) in zip(rels, _run(render_template, state, rels, jobs), strict=True):
        result.diagnostics.extend(page_diags)
        if data is not None:
            state.output.put(state.graph.by_rel[rel].output_path, data)
    result.rendered = [state.graph.by_rel[rel].output_path for rel in rels]


def render_what_builds(state: RenderState, result: BuildResult, jobs: int) -> None:
    """For ``spinesite check`` when there are errors: put into the output the pages without
    errors of their own, the generated pages that render and the static files, so that links,
    anchors and alt text are still checked; ``result.unrendered`` gets the output paths left
    out. Problems in what is left out are not reported (they would only echo the errors)."""
    graph, renderer, output = state.graph, state.site, state.output
    assert output is not None
    failed = broken_pages(result.diagnostics.items)
    clean = [p.rel for p in graph.pages if p.rel not in failed]
    left_out = {p.output_path for p in graph.pages if p.rel in failed}
    output.begin()
    for rel, (data, page_diags, _changed) in zip(clean, _run(render_template, state, clean, jobs), strict=True):
        if data is None:  # it shows a page with errors
            left_out.add(graph.by_rel[rel].output_path)
        else:
            output.put(graph.by_rel[rel].output_path, data)
            result.diagnostics.extend(page_diags)
    listings = renderer.listings()
    scratch = Diagnostics()
    pages = render_listings(state, {listing_id(x) for x in listings}, scratch, jobs)
    site_files = render_site_files(renderer, graph, listings, scratch)
    copy_static(state.site_dir, site_files, scratch, reserved={p.output_path for p in graph.pages} | set(pages))
    check_output(site_files, result.diagnostics, base_url=renderer.config.base)
    result.diagnostics.extend(d for d in scratch.items if d.code == SAFETY)  # what the generated pages' checks found
    site_files |= pages
    for rel, data in site_files.items():
        output.put(rel, data)
    output.commit(())
    left_out |= {x.output_path for x in listings if x.output_path not in site_files}
    left_out |= {name for name in ("sitemap.xml", "robots.txt", "feed.xml") if name not in site_files}  # e.g. a feed entry with errors
    left_out |= {unloaded_output_path(rel) for rel in graph.unloaded}
    result.files, result.unrendered = output.files, left_out


def unloaded_output_path(rel: str) -> str:
    """Where ``content/<kind>/<slug>.md`` would be built had it loaded."""
    _content, kind, name = rel.split("/", 2)
    slug, lang = split_name(name.removesuffix(".md"))
    return (f"{lang.lower()}/" if lang else "") + page_url(kind, slug).lstrip("/") + "index.html"
