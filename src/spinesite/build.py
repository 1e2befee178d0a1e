"""The build pipeline, top to bottom.

load config → load files → validate front matter → build the site graph → render
Markdown → render templates → copy static files → check the output → index for search →
write atomically → remember what was built (for the next incremental build).

Every stage reports problems to one Diagnostics collector; nothing is written unless the
whole build succeeded. Per-page work runs on a process pool (``jobs``) and is skipped for
pages whose inputs did not change since the last build (see ``cache.py``).
"""

from __future__ import annotations

import datetime as dt
import os
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from . import cache as cachemod
from .checks import check_output
from .config import Config, load_config
from .diagnostics import Diagnostics
from .graph import SiteGraph, build_graph
from .loader import load_content
from .output import Transaction, Writer, write_new
from .pagework import RenderState, render_markdown, render_template
from .parallel import default_jobs, run
from .search import build_index, search_terms
from .templates import SiteRenderer, theme_dir
from .validate import validate_pages
from .writer import check_output_dir


@dataclass
class BuildResult:
    diagnostics: Diagnostics
    graph: SiteGraph | None = None
    config: Config | None = None
    files: dict[str, bytes] = field(default_factory=dict)  # every output file (in-memory builds only)
    counts: Counter[str] = field(default_factory=Counter)
    rendered: list[str] = field(default_factory=list)  # output paths of pages rendered this time
    written: int = 0  # files created or replaced in the output folder
    deleted: int = 0
    seconds: float = 0.0
    linked: dict[str, set[str]] = field(default_factory=dict)  # page rel -> rels its body links to

    def ok(self, strict: bool = False) -> bool:
        return not self.diagnostics.failed(strict)


def build(
    site: Path,
    out: Path | None = None,
    *,
    strict: bool = False,
    write: bool = True,
    search: bool = True,
    jobs: int | None = None,
    incremental: bool = True,
    previous: BuildResult | None = None,
    writer: Writer = write_new,
) -> BuildResult:
    """Build ``site`` into ``out`` (default ``site/_site``). Never raises for bad content.

    With ``write=False`` nothing is written and ``result.files`` holds every output file;
    ``previous`` (an earlier in-memory result) lets such builds reuse unchanged pages.
    """
    started = time.perf_counter()
    site, jobs = Path(site), jobs or default_jobs()
    out = Path(out) if out is not None else site / "_site"
    if write:
        check_output_dir(site, out)
    diags = Diagnostics()
    result = BuildResult(diags)
    cache = cachemod.Cache.load(site) if incremental and write else cachemod.Cache(salt=cachemod.Cache.current_salt())

    config = load_config(site, diags)
    result.config = config
    sources = load_content(site, diags, max_bytes=config.limits["max_file_kb"] * 1024, parsed_cache=cache.parsed)
    pages = validate_pages(sources, diags)
    graph = build_graph(pages, site, diags)
    result.graph = graph
    digests = {s.rel: s.digest for s in sources}

    renderer = SiteRenderer(graph, config, site, build_date(graph), cache.bytecode_dir(site) if write and incremental else None)
    templates_key = cachemod.tree_digest(theme_dir(), site / "templates")
    if cache.templates_key != templates_key:
        cache.templates_key, cache.templates_use_globals = templates_key, renderer.page_templates_use_globals()
    global_key = cachemod.digest(
        cachemod.Cache.current_salt(),
        repr(sorted(config.data.items(), key=str)),
        templates_key,
        build_date(graph).isoformat(),
        repr([(p.rel, p.url, p.title, p.data.get("menu")) for p in renderer.globals["menu"]]),
        cachemod.digest(*(f"{p.rel}\x1f{digests[p.rel]}" for p in graph.pages)) if cache.templates_use_globals else "",
    )
    keys = cachemod.render_keys(graph, digests, global_key)
    state = RenderState(graph, renderer, config.limits["markdown_seconds"], None)

    # Markdown: every page (cached by content), before any template.
    md_keys = {p.rel: cachemod.markdown_key(p, digests[p.rel], cachemod.glossary_key(graph), cachemod.url_key(graph), renderer.base_path) for p in graph.pages}
    todo = [p.rel for p in graph.pages if md_keys[p.rel] not in cache.markdown]
    fresh_md = dict(zip(todo, run(render_markdown, state, todo, jobs), strict=True))
    markdown_cache = {}
    for page in graph.pages:
        md = fresh_md.get(page.rel) or cache.markdown[md_keys[page.rel]]
        page.html, page.toc, page.fields_html, linked, md_diags = md
        result.linked[page.rel] = set(linked)
        diags.extend(md_diags)
        markdown_cache[md_keys[page.rel]] = md
    if diags.failed(strict):
        return _done(result, started)

    # Templates: only pages whose render key changed (all of them for in-memory builds).
    txn = Transaction(out, writer) if write else None
    out_abs = Path(os.path.abspath(out))
    same_out = cache.out == str(out_abs)
    prev_files = previous.files if previous is not None else {}
    dirty = [
        p
        for p in graph.pages
        if not (
            (write and same_out and cachemod.output_unchanged(out_abs, cache.pages.get(p.rel), keys[p.rel]))
            or (not write and previous is not None and previous.graph is not None and _prev_key(previous, p.rel) == keys[p.rel] and p.output_path in prev_files)
        )
    ]
    state.txn = txn
    state.keep_bytes = not write
    try:
        if txn is not None:
            txn.begin()
        rendered = run(render_template, state, [p.rel for p in dirty], jobs)
        files: dict[str, bytes] = {}
        for page, (data, page_diags, _changed) in zip(dirty, rendered, strict=True):
            diags.extend(page_diags)
            if data is not None:
                files[page.output_path] = data
        if not write:
            for page in graph.pages:
                files.setdefault(page.output_path, prev_files.get(page.output_path, b""))
        result.rendered = [p.output_path for p in dirty]

        site_files = render_site_files(renderer, graph, diags)
        copy_static(site, site_files, diags)
        check_output(site_files, diags)
        files.update(site_files)
        result.counts = Counter(p.kind for p in graph.pages)
        if diags.failed(strict):
            _abort(txn)
            return _done(result, started)
        if not write:
            result.files = files
            result.keys = keys  # type: ignore[attr-defined]
            return _done(result, started)

        assert txn is not None
        for rel, data in site_files.items():
            txn.put(rel, data)
        index: dict[str, bytes] = {}
        if search and config.search:
            html = _all_html(graph, site_files, txn, out_abs)
            index = build_index(html, config.language, diags, search_terms(graph, renderer.base_path))
            for rel, data in index.items():
                txn.put(rel, data)
            if diags.failed(strict):
                _abort(txn)
                return _done(result, started)
        keep = {p.output_path for p in graph.pages} | set(site_files) | set(index)
        result.written, result.deleted = txn.commit(keep)
    except BaseException:
        _abort(txn)
        raise

    cache.salt = cachemod.Cache.current_salt()
    cache.out = str(out_abs)
    cache.markdown = markdown_cache
    cache.parsed = {s.digest: (s.parsed, s.body, s.body_line) for s in sources}
    cache.pages = _page_states(graph, keys, out_abs, cache.pages if same_out else {}, {p.rel for p in dirty})
    cache.save(site)
    return _done(result, started)


def _prev_key(previous: BuildResult, rel: str) -> str | None:
    keys = getattr(previous, "keys", {})
    return keys.get(rel)


def _page_states(
    graph: SiteGraph, keys: dict[str, str], out: Path, old: dict[str, cachemod.PageState], dirty: set[str]
) -> dict[str, cachemod.PageState]:
    states = {}
    for page in graph.pages:
        if page.rel not in dirty and page.rel in old:
            states[page.rel] = old[page.rel]
            continue
        st = (out / page.output_path).stat()
        states[page.rel] = cachemod.PageState(keys[page.rel], page.output_path, st.st_size, st.st_mtime_ns)
    return states


def _all_html(graph: SiteGraph, site_files: dict[str, bytes], txn: Transaction, out: Path) -> dict[str, bytes]:
    """Every HTML page of the new build (staged, or unchanged in the current output)."""
    html = {rel: data for rel, data in site_files.items() if rel.endswith(".html")}
    for page in graph.pages:
        staged = txn.stage / page.output_path
        html[page.output_path] = (staged if staged.exists() else out / page.output_path).read_bytes()
    return html


def _existing(out: Path, folder: str) -> list[str]:
    root = out / folder
    if not root.is_dir():
        return []
    return [p.relative_to(out).as_posix() for p in root.rglob("*") if p.is_file()]


def _abort(txn: Transaction | None) -> None:
    if txn is not None:
        txn.abort()


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


def render_site_files(renderer: SiteRenderer, graph: SiteGraph, diags: Diagnostics) -> dict[str, bytes]:
    """Generated pages (home, indexes, levels, handouts, search, 404), sitemap, robots, feed."""
    import jinja2

    files: dict[str, bytes] = {}
    urls: list[tuple[str, dt.date | None]] = [(p.url, p.data.get("last_reviewed")) for p in graph.pages]
    for listing in renderer.listings():
        try:
            files[listing.output_path] = renderer.render_listing(listing)
            if listing.url != "/404.html":
                urls.append((listing.url, None))
        except jinja2.TemplateError as exc:
            template_error(exc, f"templates/{listing.template}", diags)
    files["sitemap.xml"] = renderer.sitemap(urls)
    files["robots.txt"] = renderer.robots()
    try:
        files["feed.xml"] = renderer.feed()
    except jinja2.TemplateError as exc:
        template_error(exc, "templates/feed.xml", diags)
    return files


def template_error(exc: Exception, where: str, diags: Diagnostics) -> None:
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
            shown = path.relative_to(site).as_posix() if path.is_relative_to(site) else str(path)
            if path.is_symlink() and not path.resolve().is_relative_to(root_r):
                diags.error(shown, 0, "symbolic link to outside the folder is not copied")
                continue
            if not path.is_file() or path.name.startswith("."):
                continue
            rel = "/".join(filter(None, [prefix, path.relative_to(root).as_posix()]))
            if rel in generated:
                diags.error(shown, 0, f"static file would overwrite the generated {rel}")
                continue
            files[rel] = path.read_bytes()
