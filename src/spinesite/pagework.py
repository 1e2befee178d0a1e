"""Per-page work that runs in worker processes: Markdown, then templates + safety scan."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import jinja2

from .checks import check_output
from .diagnostics import Diagnostic, Diagnostics
from .graph import SiteGraph
from .markdown import Renderer
from .output import Transaction
from .templates import SiteRenderer

MarkdownResult = tuple[str, list[dict[str, Any]], dict[str, Any], list[str], list[Diagnostic]]
TemplateResult = tuple[bytes | None, list[Diagnostic], bool]


@dataclass
class RenderState:
    """Everything a worker needs; inherited by forked workers, never pickled."""

    graph: SiteGraph
    site: SiteRenderer
    markdown_seconds: float
    txn: Transaction | None
    keep_bytes: bool = True
    _markdown: Renderer | None = None

    def markdown(self, diags: Diagnostics) -> Renderer:
        if self._markdown is None:
            self._markdown = Renderer(self.graph, diags, self.site.base_path, self.markdown_seconds)
        self._markdown.diags = diags
        return self._markdown


def render_markdown(state: RenderState, rel: str) -> MarkdownResult:
    diags = Diagnostics()
    page = state.graph.by_rel[rel]
    renderer = state.markdown(diags)
    renderer.render_page(page)
    linked = sorted(renderer.linked_pages.pop(rel, set()))
    return page.html, page.toc, page.fields_html, linked, diags.items


def render_template(state: RenderState, rel: str) -> TemplateResult:
    """Render one page; stage it (write builds) or return its bytes (in-memory builds)."""
    diags = Diagnostics()
    page = state.graph.by_rel[rel]
    try:
        data = state.site.render_page(page)
    except jinja2.TemplateSyntaxError as exc:
        diags.error(f"templates/{exc.name or '?'}", exc.lineno or 0, f"template syntax error: {exc.message}")
        return None, diags.items, False
    except jinja2.TemplateError as exc:
        diags.error(page.rel, 0, f"template error: {exc}")
        return None, diags.items, False
    check_output({page.output_path: data}, diags, base_url=state.site.config.base, sources={page.output_path: page.rel})
    changed = False
    if state.txn is not None and not diags.errors:
        changed = state.txn.put(page.output_path, data)
    return (data if state.keep_bytes else None), diags.items, changed
