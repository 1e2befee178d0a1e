"""The build pipeline, top to bottom.

load config → load files → validate front matter → build the site graph → render
Markdown → render templates → copy static files → check the output → write atomically.
Every stage reports problems to one Diagnostics collector; nothing is written unless
the whole build succeeded.
"""

from __future__ import annotations

import datetime as dt
import os
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from .checks import check_output
from .config import Config, load_config
from .diagnostics import Diagnostics
from .graph import SiteGraph, build_graph
from .loader import load_content
from .markdown import Renderer
from .search import build_index
from .templates import SiteRenderer, theme_dir
from .validate import validate_pages
from .writer import Writer, _write_bytes, check_output_dir, write_site


@dataclass
class BuildResult:
    diagnostics: Diagnostics
    graph: SiteGraph | None = None
    config: Config | None = None
    files: dict[str, bytes] = field(default_factory=dict)
    counts: Counter[str] = field(default_factory=Counter)
    written: int = 0
    kept: int = 0
    seconds: float = 0.0
    linked: dict[str, set[str]] = field(default_factory=dict)

    def ok(self, strict: bool = False) -> bool:
        return not self.diagnostics.failed(strict)


def build(
    site: Path,
    out: Path | None = None,
    *,
    strict: bool = False,
    write: bool = True,
    search: bool = True,
    writer: Writer = _write_bytes,
) -> BuildResult:
    """Build ``site`` into ``out`` (default ``site/_site``). Never raises for bad content."""
    started = time.perf_counter()
    site = Path(site)
    out = Path(out) if out is not None else site / "_site"
    if write:
        check_output_dir(site, out)
    diags = Diagnostics()
    result = BuildResult(diags)

    config = load_config(site, diags)
    result.config = config
    sources = load_content(site, diags, max_bytes=config.limits["max_file_kb"] * 1024)
    pages = validate_pages(sources, diags)
    graph = build_graph(pages, site, diags)
    result.graph = graph

    renderer = SiteRenderer(graph, config, site, build_date(graph))
    markdown = Renderer(graph, diags, renderer.base_path, config.limits["markdown_seconds"])
    for page in graph.pages:
        markdown.render_page(page)
    result.linked = markdown.linked_pages
    if diags.failed(strict):
        return _done(result, started)

    files = render_all(renderer, graph, diags)
    copy_static(site, files, diags)
    check_output(files, diags)
    result.counts = Counter(p.kind for p in graph.pages)
    result.files = files
    if diags.failed(strict) or not write:
        return _done(result, started)
    if search and config.search:
        files.update(build_index(files, config.language, diags))
        if diags.failed(strict):
            return _done(result, started)

    result.written, result.kept = write_site(out, files, writer)
    return _done(result, started)


def _done(result: BuildResult, started: float) -> BuildResult:
    result.seconds = time.perf_counter() - started
    return result


def build_date(graph: SiteGraph) -> dt.date:
    """SOURCE_DATE_EPOCH when set, else the newest review date: never the clock."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc).date()
    dates = [p.data["last_reviewed"] for p in graph.pages if isinstance(p.data.get("last_reviewed"), dt.date)]
    return max(dates, default=dt.date(1970, 1, 1))


def render_all(renderer: SiteRenderer, graph: SiteGraph, diags: Diagnostics) -> dict[str, bytes]:
    """Every page and generated file, as output path → bytes."""
    import jinja2

    files: dict[str, bytes] = {}
    urls: list[tuple[str, dt.date | None]] = []
    for page in graph.pages:
        try:
            files[page.output_path] = renderer.render_page(page)
            urls.append((page.url, page.data.get("last_reviewed")))
        except jinja2.TemplateError as exc:
            _template_error(exc, page.rel, diags)
    for listing in renderer.listings():
        try:
            files[listing.output_path] = renderer.render_listing(listing)
            if listing.url != "/404.html":
                urls.append((listing.url, None))
        except jinja2.TemplateError as exc:
            _template_error(exc, f"templates/{listing.template}", diags)
    files["sitemap.xml"] = renderer.sitemap(urls)
    files["robots.txt"] = renderer.robots()
    try:
        files["feed.xml"] = renderer.feed()
    except jinja2.TemplateError as exc:
        _template_error(exc, "templates/feed.xml", diags)
    return files


def _template_error(exc: Exception, where: str, diags: Diagnostics) -> None:
    import jinja2

    if isinstance(exc, jinja2.TemplateSyntaxError):
        diags.error(f"templates/{exc.name or '?'}", exc.lineno or 0, f"template syntax error: {exc.message}")
    else:
        diags.error(where, 0, f"template error: {exc}")


def copy_static(site: Path, files: dict[str, bytes], diags: Diagnostics) -> None:
    """Theme assets (overridable by the site's templates/assets/) and the site's static/."""
    sources = [(theme_dir() / "assets", "assets"), (site / "templates" / "assets", "assets"), (site / "static", "")]
    generated = set(files)
    for root, prefix in sources:
        if not root.is_dir():
            continue
        root_r = root.resolve()
        for path in sorted(root.rglob("*")):
            if path.is_symlink() and not path.resolve().is_relative_to(root_r):
                diags.error(path.relative_to(site).as_posix() if path.is_relative_to(site) else str(path), 0, "symbolic link to outside the folder is not copied")
                continue
            if not path.is_file() or path.name.startswith("."):
                continue
            rel = "/".join(filter(None, [prefix, path.relative_to(root).as_posix()]))
            if rel in generated:
                diags.error(path.relative_to(site).as_posix() if path.is_relative_to(site) else rel, 0, f"static file would overwrite the generated {rel}")
                continue
            files[rel] = path.read_bytes()
