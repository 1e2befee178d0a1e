"""The build pipeline, top to bottom.

``build`` reads like the pipeline: load config → load files → validate front matter →
build the site graph → render Markdown → render templates → site files and static →
check the output → index for search → write atomically → remember what was built.

Every stage reports problems to one Diagnostics collector; nothing is written unless the
whole build succeeded. Per-page work runs on a process pool (``jobs``) and is skipped for
pages whose inputs did not change since the last build (see ``incremental/``).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import time
from collections import Counter
from collections.abc import Collection, Iterator
from pathlib import Path

from . import checks, parallel
from .buildresult import BuildResult as BuildResult  # re-exported: serve.py imports it from here
from .checks import check_output, site_checks
from .config import Config, load_config
from .diagnostics import Diagnostics
from .graph import SiteGraph, build_graph, is_draft, page_url
from .incremental import stamp
from .incremental.keys import (
    digest,
    level_pages,
    listing_id,
    listing_keys,
    markdown_keys,
    output_unchanged,
    pages_of_kinds,
    render_keys,
    tree_digests,
)
from .incremental.state import Cache
from .incremental.store import CacheFolderError, Store, bytecode_dir, cache_folder
from .loader import content_rels, iter_content, read_body, release_text
from .model import SourceFile
from .output import Transaction, Writer, write_new
from .pagework import RenderState, load_markdown, prevalidate, render_markdown, render_template
from .parallel import default_jobs, run
from .review import check_reviews
from .safefiles import open_lock
from .search import BUNDLE_DIR, search_terms, searchable, write_index
from .sitefiles import copy_static, render_site_files
from .templates import SiteRenderer, page_templates, theme_dir
from .validate import validate_pages
from .writer import check_output_dir


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
    base_url: str | None = None,
    drafts: bool = False,
    cache_dir: Path | None = None,
) -> BuildResult:
    """Build ``site`` into ``out`` (default ``site/_site``). Never raises for bad content.

    ``cache_dir`` (``--cache-dir``): the cache folder, default ``site/.spinesite-cache``.

    With ``drafts`` (``--drafts``) the drafts are built too, marked as drafts and kept out of
    the sitemap, feed and search index; without it a reference to a draft is left out (a warning).

    ``base_url`` (``build --base-url``) replaces the config's ``base_url``.

    With ``write=False`` nothing is written and ``result.files`` holds every output file;
    ``previous`` (an earlier in-memory result) lets such builds reuse unchanged pages.
    """
    started = time.perf_counter()
    site, jobs = Path(site), jobs or default_jobs()
    out = Path(os.path.abspath(out if out is not None else site / "_site"))
    if write:
        check_output_dir(site, out)
        try:
            folder = cache_folder(site, cache_dir)
        except CacheFolderError as exc:  # a planted link: refused, never followed
            diags = Diagnostics()
            diags.error(exc.path, 0, str(exc), "cache-folder")
            return _done(BuildResult(diags), started)
        with output_lock(folder, out), Store.session(folder) as store:  # two builds of a site into one folder: one after the other
            return _build(site, out, started, strict, write, search, jobs, incremental, previous, writer, base_url, drafts, store)
    return _build(site, out, started, strict, write, search, jobs, incremental, previous, writer, base_url, drafts)


@contextlib.contextmanager
def output_lock(folder: Path, out: Path) -> Iterator[None]:
    """An exclusive lock (in the site's cache ``folder``) per output folder, held for the whole build."""
    fd = open_lock(folder / f"build-{digest(str(out))[:16]}.lock")
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # releases the lock


def _build(
    site: Path,
    out: Path,
    started: float,
    strict: bool,
    write: bool,
    search: bool,
    jobs: int,
    incremental: bool,
    previous: BuildResult | None,
    writer: Writer,
    base_url: str | None = None,
    drafts: bool = False,
    store: Store | None = None,
) -> BuildResult:
    diags = Diagnostics()
    result = BuildResult(diags)
    started_ns = stamp.now_ns()
    today = checks.check_today()  # once per build: the pages, the checks and the no-change stamp agree
    same: stamp.Stamp | None = None
    inputs: dict[str, stamp.Stat] = {}
    racy: dict[str, str] = {}
    if write:  # the inputs as found before the build, for the next build's no-change check
        same, inputs = (
            stamp.unchanged(site, out, theme_dir(), search, base_url, drafts=drafts, today=today, store=store)
            if incremental
            else (None, stamp.input_stats(site, theme_dir()))
        )
        racy = stamp.racy_digests(site, theme_dir(), inputs, started_ns)
    if same is not None:
        diags.extend(same.warnings)  # nothing changed: the output is already exactly right
        result.counts = Counter(same.counts)
        return _done(result, started)
    stamp.forget(site, store)  # from here on the output may change
    cache = _cache_for(store, write, incremental, previous)
    result.lap("no-change check, cache")

    config = result.config = load_config(site, diags, base_url=base_url)
    read_ns = stamp.now_ns()
    known, lazy = (cache.trusted_sources(), cache.validated_digests()) if write else ({}, set())
    if write and (not cache.sources or len(cache.sources) - len(known) >= 2 * parallel.MIN_TASKS_PER_WORKER):
        # many files to parse (a cold build, a checkout): in parallel first, so that the serial pass finds them validated
        cache.validated |= prevalidate_all(site, known, config.limits.max_file_kb * 1024, jobs)
        lazy = cache.validated_digests()
    sources: list[SourceFile] = []
    loading = _kept(iter_content(site, diags, config.limits.max_file_kb * 1024, cache.parsed, known, lazy), sources)
    validated: dict[str, object] = {}
    release = (lambda src: release_text(site, src)) if write else None  # workers read the text again
    pages = validate_pages(loading, diags, cache.validated, lambda src: read_body(site, src.rel, src.digest), validated, release)
    result.lap("load and validate")
    graph = result.graph = build_graph(pages, site, diags, drafts=drafts)
    result.counts = Counter(p.kind for p in graph.pages)
    renderer = SiteRenderer(graph, config, site, today, bytecode_dir() if incremental else None)
    md_store = store.markdown() if store is not None else None
    state = RenderState(graph, renderer, config.limits.markdown_seconds, None, not write, site, md_store)

    result.lap("site graph")
    digests = {s.rel: s.digest for s in sources}
    markdown_cache = render_all_markdown(state, digests, cache, result, jobs)
    found, result.notes = site_checks(graph, result.linked, today, config.checks, diags.errors)
    diags.extend(found)
    diags.extend(check_reviews(graph.pages, config, skip={d.path for d in diags.errors}))
    result.lap("Markdown, content checks")
    if diags.failed(strict) and (write or not diags.errors):
        return _done(result, started)
    if not write and diags.errors:  # spinesite check: render what can be, so that its checks still run
        result.files, result.unrendered = render_what_builds(state, graph, renderer, site, jobs, result)
        return _done(result, started)

    global_key = _global_key(site, renderer, cache)
    listings = renderer.listings()
    result.listing_paths = [x.output_path for x in listings]
    template_keys = {kind: cache.template_keys.get(name, cache.templates_key) for kind, name in page_templates().items()}
    keys = result.keys = render_keys(graph, digests, global_key, template_keys) | listing_keys(listings, graph, digests, global_key, cache)
    targets = {p.rel: p.output_path for p in graph.pages} | {listing_id(x): x.output_path for x in listings}
    txn = Transaction(out, writer) if write else None
    try:
        if txn is not None:
            txn.begin()
        state.txn = txn
        dirty = _dirty(targets, keys, out, cache, previous, write)
        result.lap("render keys")
        files = render_pages(state, [rel for rel in dirty if rel in graph.by_rel], result, jobs)
        result.lap("templates")
        dirty_listings = {listing_id(x) for x in listings} & dirty
        site_files = render_site_files(renderer, graph, listings, dirty_listings, diags)
        result.rendered_listings = sorted(x.output_path for x in listings if listing_id(x) in dirty_listings)
        if not write and previous is not None:  # reuse what the previous in-memory build rendered
            files |= {path: previous.files[path] for rel, path in targets.items() if rel not in dirty}
        copy_static(site, site_files, diags, reserved=set(targets.values()))
        check_output(site_files, diags, base_url=config.base)
        result.lap("generated pages, static files")
        if diags.failed(strict) or txn is None:
            _abort(txn)
            if txn is None and not diags.failed(strict):
                result.files = {**files, **site_files}
                result.cache = cache.remember_in_memory(sources, markdown_cache, validated)
            return _done(result, started)
        for rel, data in site_files.items():
            txn.put(rel, data)
        keep = set(targets.values()) | set(site_files)
        search_key = digest(*sorted(keys.values()))
        if search and config.search:
            if search_key == cache.search_key and (out / "pagefind").is_dir():
                keep |= _existing(out, "pagefind")  # nothing a search could find has changed
            else:
                keep |= index_for_search(state, txn, graph, renderer, [x.output_path for x in listings], config, diags)
        if diags.failed(strict):
            _abort(txn)
            return _done(result, started)
        result.lap("search index")
        result.written, _deleted = txn.commit(keep)
        result.lap("commit")
    except BaseException:
        _abort(txn)
        raise

    cache.remember(sources, markdown_cache, keys, out, targets, dirty, search_key if search and config.search else "", read_ns, validated)
    cache.save(store)
    if md_store is not None:
        md_store.prune(set(markdown_cache))
    stamp.record(
        site,
        out,
        search,
        dict(result.counts),
        diags.warnings,
        started_ns,
        inputs,
        txn.stats,
        racy | digests,
        base_url,
        drafts=drafts,
        today=today,
        store=store,
    )
    result.lap("save cache")
    return _done(result, started)


def prevalidate_all(site: Path, known: Collection[str], max_bytes: int, jobs: int) -> dict[str, object]:
    """Validation results of the content files not known from the last build, computed on the
    worker pool when there are enough of them (see ``pagework.prevalidate``)."""
    todo = [rel for rel in content_rels(site) if rel not in known]
    if jobs < 2 or len(todo) < 2 * parallel.MIN_TASKS_PER_WORKER:
        return {}
    return dict(found for found in run(prevalidate, (site, max_bytes), todo, jobs) if found is not None)


def _kept(items: Iterator[SourceFile], into: list[SourceFile]) -> Iterator[SourceFile]:
    """``items``, each also appended to ``into`` (the list of sources, filled as it is read)."""
    for item in items:
        into.append(item)
        yield item


def _cache_for(store: Store | None, write: bool, incremental: bool, previous: BuildResult | None) -> Cache:
    """The on-disk cache for builds that write; the previous result's for in-memory ones."""
    if not incremental:
        return Cache.empty()
    if write:
        return Cache.load(store)
    return previous.cache if previous is not None and previous.cache is not None else Cache.empty()


def render_all_markdown(state: RenderState, digests: dict[str, str], cache: Cache, result: BuildResult, jobs: int) -> dict[str, object]:
    """Markdown of every page, before any template; unchanged pages come from the cache."""
    graph = state.graph
    md_keys = state.md_keys = markdown_keys(graph, digests, state.site.base_path)
    todo = [p.rel for p in graph.pages if md_keys[p.rel] not in cache.markdown]
    fresh = dict(zip(todo, run(render_markdown, state, todo, jobs), strict=True))
    kept: dict[str, object] = {}
    for page in graph.pages:
        md = fresh.get(page.rel) or cache.markdown[md_keys[page.rel]]
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


def _global_key(site: Path, renderer: SiteRenderer, cache: Cache) -> str:
    """Inputs every page depends on: version, config, theme assets, build date, menu...

    Templates are not in it: each page and generated page depends on the templates it uses
    (``cache.template_keys``), so editing one template re-renders only the pages it makes.
    """
    templates_key, assets_key = tree_digests(theme_dir(), site / "templates", prefixes=("", "assets/"))
    if cache.templates_key != templates_key:  # analyse the templates again
        names = sorted({*page_templates().values(), *(x.template for x in renderer.listings())})
        use = renderer.analyse_templates(names)
        cache.templates_key = templates_key
        cache.kinds_read, cache.uses_levels = use.kinds, use.users.get("levels", set())
        cache.template_keys = {
            name: digest(templates_key) if used is None else digest(*(x for item in used.items() for x in item))
            for name, used in use.closures.items()
        }
    templates_of_pages = set(page_templates().values())
    every_page = ""  # page templates reading by_kind depend on the pages of the types they read
    if readers := [cache.kinds_read[t] for t in templates_of_pages if t in cache.kinds_read]:
        kinds = None if None in readers else frozenset().union(*(k for k in readers if k is not None))
        every_page = digest(*(f"{p.rel}\x1f{p.digest}" for p in pages_of_kinds(renderer.graph, kinds)))
    levels = ""
    if cache.uses_levels & templates_of_pages:
        levels = digest(*sorted(f"{p.rel}\x1f{p.digest}" for p in level_pages(renderer.graph)))
    return digest(
        Cache.current_salt(),
        repr(renderer.config),
        assets_key,
        renderer.build_date.isoformat(),
        repr([p.rel for p in renderer.graph.pages if is_draft(p)]),  # drafts built (--drafts): the sitemap and feed leave them out
        repr([(p.rel, p.url, p.title, p.data.get("menu")) for p in renderer.globals["menu"]]),
        every_page,
        levels,
    )


def _dirty(targets: dict[str, str], keys: dict[str, str], out: Path, cache: Cache, previous: BuildResult | None, write: bool) -> set[str]:
    """Pages and generated pages to render: their render key changed or their output is gone."""
    if write:
        same_out = cache.out == str(out)
        return {t for t in targets if not (same_out and output_unchanged(out, cache.pages.get(t), keys[t]))}
    if previous is None:
        return set(targets)
    return {t for t, path in targets.items() if previous.keys.get(t) != keys[t] or path not in previous.files}


def render_pages(state: RenderState, dirty: list[str], result: BuildResult, jobs: int) -> dict[str, bytes]:
    """Render (and stage, when writing) the dirty pages; in-memory builds get their bytes."""
    files: dict[str, bytes] = {}
    for rel, (data, page_diags, _changed) in zip(dirty, run(render_template, state, dirty, jobs), strict=True):
        result.diagnostics.extend(page_diags)
        if data is not None:
            files[state.graph.by_rel[rel].output_path] = data
    result.rendered = [state.graph.by_rel[rel].output_path for rel in dirty]
    return files


def index_for_search(
    state: RenderState,
    txn: Transaction,
    graph: SiteGraph,
    renderer: SiteRenderer,
    listing_paths: list[str],
    config: Config,
    diags: Diagnostics,
) -> set[str]:
    """Index every HTML page of the new build (staged or unchanged): Pagefind writes the index
    into the staging folder. Returns the index files' output paths (to keep), none on failure."""
    for page in graph.pages:  # search terms come from every page's links
        load_markdown(state, page)
    html = {}
    for path in searchable(graph, listing_paths):
        staged = txn.stage / path
        html[path] = staged if staged.exists() else txn.out / path
    if not write_index(html, config.language, txn.stage / BUNDLE_DIR, diags, search_terms(graph, renderer.base_path)):
        return set()
    return txn.adopt(BUNDLE_DIR)


def _existing(out: Path, folder: str) -> set[str]:
    root = out / folder
    return {p.relative_to(out).as_posix() for p in root.rglob("*") if p.is_file()} if root.is_dir() else set()


def _abort(txn: Transaction | None) -> None:
    if txn is not None:
        txn.abort()


def _done(result: BuildResult, started: float) -> BuildResult:
    result.seconds = time.perf_counter() - started
    return result


def render_what_builds(
    state: RenderState, graph: SiteGraph, renderer: SiteRenderer, site: Path, jobs: int, result: BuildResult
) -> tuple[dict[str, bytes], set[str]]:
    """For ``spinesite check`` when there are errors: the pages without errors of their own, the
    generated pages that render and the static files, so that links, anchors and alt text are still
    checked. Returns (files, output paths left out); problems in what is left out are not reported
    here (they would only echo the errors)."""
    failed = checks.broken_pages(result.diagnostics.items)
    clean = [p.rel for p in graph.pages if p.rel not in failed]
    left_out = {p.output_path for p in graph.pages if p.rel in failed}
    files: dict[str, bytes] = {}
    for rel, (data, page_diags, _changed) in zip(clean, run(render_template, state, clean, jobs), strict=True):
        if data is None:  # it shows a page with errors
            left_out.add(graph.by_rel[rel].output_path)
        else:
            files[graph.by_rel[rel].output_path] = data
            result.diagnostics.extend(page_diags)
    listings = renderer.listings()
    scratch = Diagnostics()
    site_files = render_site_files(renderer, graph, listings, {listing_id(x) for x in listings}, scratch)
    copy_static(site, site_files, scratch, reserved={p.output_path for p in graph.pages})
    check_output(site_files, result.diagnostics, base_url=renderer.config.base)
    left_out |= {x.output_path for x in listings if x.output_path not in site_files}
    left_out |= {name for name in ("sitemap.xml", "robots.txt", "feed.xml") if name not in site_files}  # e.g. a feed entry with errors
    left_out |= {unloaded_output_path(rel) for rel in graph.unloaded}
    return {**files, **site_files}, left_out


def unloaded_output_path(rel: str) -> str:
    """Where ``content/<kind>/<slug>.md`` would be built had it loaded."""
    _content, kind, name = rel.split("/", 2)
    return page_url(kind, name.removesuffix(".md")).lstrip("/") + "index.html"
