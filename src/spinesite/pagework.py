"""Per-page work that runs in worker processes: Markdown, then templates + safety scan."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2

from .checks import check_output, markdown_images
from .diagnostics import Diagnostic, Diagnostics
from .graph import SiteGraph
from .htmlscan import SiteBase
from .incremental.store import MarkdownStore
from .loader import load_file, read_body
from .markdown import Renderer
from .model import Page
from .output import Transaction
from .templates import SiteRenderer, template_error
from .validate import validate_pages

MarkdownResult = tuple[str | None, list[dict[str, Any]] | None, dict[str, Any] | None, list[str], list[Diagnostic]]
TemplateResult = tuple[bytes | None, list[Diagnostic], bool]


@dataclass
class RenderState:
    """Everything a worker needs; inherited by forked workers, never pickled."""

    graph: SiteGraph
    site: SiteRenderer
    markdown_seconds: float
    txn: Transaction | None
    keep_bytes: bool = True
    site_dir: Path = Path(".")
    md_store: MarkdownStore | None = None  # written builds keep rendered Markdown here, not in memory
    md_keys: dict[str, str] = field(default_factory=dict)  # page rel -> Markdown key
    _markdown: Renderer | None = None

    def markdown(self, diags: Diagnostics) -> Renderer:
        if self._markdown is None:
            self._markdown = Renderer(self.graph, diags, self.site.base_path, self.markdown_seconds)
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
        render_markdown(RenderState(state.graph, state.site, state.markdown_seconds, None, site_dir=state.site_dir), page.rel)
    page.markdown_key = ""


def render_template(state: RenderState, rel: str) -> TemplateResult:
    """Render one page; stage it (write builds) or return its bytes (in-memory builds)."""
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
    changed = False
    if state.txn is not None and not diags.errors:
        changed = state.txn.put(page.output_path, data)
    return (data if state.keep_bytes else None), diags.items, changed


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
