"""The build pipeline, top to bottom.

:func:`run_pipeline` reads like the pipeline: config → load and validate → site graph →
Markdown → content checks → render plan → page templates → generated pages and static
files → output checks → search index → commit → remember what was built. Every stage
reports problems to one Diagnostics collector; nothing reaches the output unless the whole
build succeeded.

It writes into an :class:`~.output.Output` and asks a memo (``incremental/memo.py``) what
the previous build left; it never asks which kind it has:

- :func:`build_to_folder` (``spinesite build``): a transaction on the output folder, the
  cache in the site's store, a lock per output folder, and the no-change fast path
  (``incremental/stamp.py``) around it;
- :func:`build_in_memory` (``spinesite serve`` and ``check``): the files held in memory,
  the previous in-memory result as the cache; with errors it still renders what it can, so
  ``check`` can check links in it.

Per-page work runs on a process pool (``pagework.py``) and is skipped for pages whose
inputs did not change since the last build.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import fcntl
import gc
import os
import time
from collections import Counter
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from pathlib import Path

from spinesite import parallel
from spinesite.buildresult import BuildResult
from spinesite.checks.site import check_output, site_checks
from spinesite.clock import check_today
from spinesite.content.codes import check_codes
from spinesite.content.config import Config, load_config
from spinesite.content.graph import build_graph
from spinesite.content.loader import content_rels, iter_content, read_body, release_text
from spinesite.content.model import Page, SourceFile, listing_id
from spinesite.content.review import check_reviews
from spinesite.content.translations import Languages
from spinesite.content.validate import validate_pages
from spinesite.diagnostics import Diagnostics
from spinesite.incremental import stamp
from spinesite.incremental.keys import digest, markdown_keys
from spinesite.incremental.memo import FolderMemo, Memo, MemoryMemo, Remembered
from spinesite.incremental.plan import Plan, plan
from spinesite.incremental.state import Cache, SourceStat
from spinesite.incremental.store import CacheFolderError, Store, bytecode_dir, cache_folder
from spinesite.output.search import BUNDLE_DIR, search_terms, searchable, write_index
from spinesite.output.transaction import MemoryOutput, Output, Transaction, Writer, write_new
from spinesite.output.writer import check_output_dir
from spinesite.pagework import (
    RenderState,
    load_markdown,
    prevalidate,
    render_all_markdown,
    render_listings,
    render_pages,
    render_what_builds,
)
from spinesite.parallel import default_jobs, run
from spinesite.render.sitefiles import copy_static, render_site_files
from spinesite.render.templates import SiteRenderer, theme_dir
from spinesite.safefiles import open_lock


@dataclass(frozen=True)
class Options:
    """How to build (the command line's choices)."""

    strict: bool = False  # warnings fail the build
    search: bool = True  # build the search index (when the config wants one too)
    jobs: int = 1  # worker processes
    incremental: bool = True  # reuse what the previous build left (False: --clean)
    base_url: str | None = None  # --base-url: replaces the config's
    drafts: bool = False  # --drafts: build the drafts too
    render_despite_errors: bool = False  # spinesite check: with errors, render what builds so its checks still run


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
    """Build ``site`` into ``out`` (default ``site/_site``), or in memory with ``write=False``
    (``result.files`` then holds every output file, and ``previous``, an earlier in-memory
    result, lets it reuse unchanged pages). Never raises for bad content.

    ``cache_dir`` (``--cache-dir``): the cache folder, default ``site/.spinesite-cache``.
    ``drafts`` (``--drafts``): the drafts are built too, marked as drafts and kept out of the
    sitemap, feed and search index; without it a reference to a draft is left out (a warning).
    ``base_url`` (``build --base-url``) replaces the config's ``base_url``.
    """
    opts = Options(strict, search, jobs or default_jobs(), incremental, base_url, drafts)
    with fewer_collections():
        if not write:
            return build_in_memory(Path(site), dataclasses.replace(opts, search=False, render_despite_errors=True), previous)
        return build_to_folder(Path(site), out, opts, writer, cache_dir)


GC_THRESHOLD = 100_000  # objects allocated between young-generation collections (Python's default: 700)


@contextlib.contextmanager
def fewer_collections() -> Iterator[None]:
    """The cycle collector runs far less often during a build (workers forked meanwhile too).

    A build makes millions of small objects that live until it ends (pages, their data, the
    previous in-memory build kept by ``serve``), and almost none of them in cycles: with
    Python's default thresholds the collector walks them again and again, a third of a
    ``serve`` rebuild of a large site. Reference counting still frees everything else at once."""
    before = gc.get_threshold()
    gc.set_threshold(GC_THRESHOLD, before[1], before[2])
    try:
        yield
    finally:
        gc.set_threshold(*before)


def build_in_memory(site: Path, opts: Options, previous: BuildResult | None = None) -> BuildResult:
    """Build into memory (``spinesite serve`` and ``check``), reusing ``previous``."""
    started = time.perf_counter()
    cache = previous.cache if opts.incremental and previous is not None and previous.cache is not None else Cache.empty()
    output = MemoryOutput(previous.files if previous is not None else None)
    return _done(run_pipeline(site, opts, check_today(), output, MemoryMemo(cache, previous), BuildResult(Diagnostics())), started)


def build_to_folder(site: Path, out: Path | None, opts: Options, writer: Writer = write_new, cache_dir: Path | None = None) -> BuildResult:
    """Build into the folder ``out``: all or nothing, skipped entirely when nothing changed."""
    started = time.perf_counter()
    out = Path(os.path.abspath(out if out is not None else site / "_site"))
    check_output_dir(site, out)
    try:
        folder = cache_folder(site, cache_dir)
    except CacheFolderError as exc:  # a planted link: refused, never followed
        result = BuildResult(Diagnostics())
        result.diagnostics.error(exc.path, 0, str(exc), "cache-folder")
        return _done(result, started)
    with output_lock(folder, out), Store.session(folder) as store:  # two builds of a site into one folder: one after the other
        return _done(_build_to_folder(site, out, opts, writer, store), started)


def _build_to_folder(site: Path, out: Path, opts: Options, writer: Writer, store: Store | None) -> BuildResult:
    started_ns, today = stamp.now_ns(), check_today()  # once per build: the pages, the checks and the stamp agree
    env = stamp.environment(out, opts.search, opts.base_url, drafts=opts.drafts, today=today)
    same, inputs = stamp.unchanged(site, out, theme_dir(), env, store) if opts.incremental else (None, stamp.input_stats(site, theme_dir()))
    racy = stamp.racy_digests(site, theme_dir(), inputs, started_ns)
    if same is not None:  # nothing changed: the output is already exactly right
        result = BuildResult(Diagnostics(), counts=Counter(same.counts))
        result.diagnostics.extend(same.warnings)
        return result
    stamp.forget(site, store)  # from here on the output may change
    memo = FolderMemo(Cache.load(store) if opts.incremental else Cache.empty(), store, out)
    txn, result = Transaction(out, writer), BuildResult(Diagnostics())
    result.lap("no-change check, cache")
    run_pipeline(site, opts, today, txn, memo, result)
    if result.committed:
        warnings, counts = result.diagnostics.warnings, dict(result.counts)
        done = stamp.made(
            env, inputs=inputs, outputs=txn.stats, started_ns=started_ns, counts=counts, warnings=warnings, digests=racy | result.digests
        )
        stamp.record(site, done, store)
    return result


def run_pipeline(site: Path, opts: Options, today: dt.date, output: Output, memo: Memo, result: BuildResult) -> BuildResult:
    """The pipeline, the same for every kind of output (see the module docstring); fills in ``result``."""
    diags = result.diagnostics
    config = result.config = load_config(site, diags, base_url=opts.base_url)
    read_ns = stamp.now_ns()
    sources, pages, validated = read_and_validate(site, config, memo, diags, opts.jobs)
    result.lap("load and validate")
    graph = result.graph = build_graph(pages, site, diags, drafts=opts.drafts, languages=Languages.of(config))
    result.codes = check_codes(graph.pages, diags, require=config.require_codes)  # against the shipped code tables
    result.counts = Counter(p.kind for p in graph.pages)
    result.digests = {s.rel: s.digest for s in sources}
    renderer = result.renderer = SiteRenderer(graph, config, site, today, bytecode_dir() if opts.incremental else None, codes=result.codes)
    state = RenderState(graph, renderer, config.limits.markdown_seconds, output, site, memo.markdown_store())
    result.lap("site graph")
    diags.extend(renderer.interface_checks())  # catalogues, and interface text a language lacks
    md_keys = markdown_keys(graph, result.digests, renderer.base_path)
    markdown = render_all_markdown(state, md_keys, memo.cache.markdown, result, opts.jobs)
    content_checks(result, graph.pages, config, today)
    result.lap("Markdown, content checks")
    if diags.failed(opts.strict):
        if opts.render_despite_errors and diags.errors:
            render_what_builds(state, result, opts.jobs)
        return result

    todo = plan(site, renderer, result.digests, memo)
    result.keys, result.listing_paths = todo.keys, [x.output_path for x in todo.listings]
    try:
        output.begin()  # inside: a Ctrl-C right after it must still remove the staging folder
        result.lap("render keys")
        render_pages(state, todo.dirty_pages, result, opts.jobs)
        result.lap("templates")
        keep = set(todo.targets.values()) | generated_files(state, todo, result, opts.jobs)
        result.lap("generated pages, static files")
        search_key = ""
        if opts.search and config.search:
            search_key = todo.search_key
            keep |= search_index(state, output, todo, memo.cache.search_key, diags)
        result.lap("search index")
        if diags.failed(opts.strict):
            output.abort()
            return result
        result.written, _deleted = output.commit(keep)
        result.committed, result.files = True, output.files
        result.lap("commit")
    except BaseException:
        output.abort()
        raise
    memo.remember(Remembered(sources, markdown, todo.keys, todo.targets, todo.dirty, search_key, read_ns, validated), result)
    result.lap("save cache")
    return result


def read_and_validate(
    site: Path, config: Config, memo: Memo, diags: Diagnostics, jobs: int
) -> tuple[list[SourceFile], list[Page], dict[str, object]]:
    """Read and validate every content file: (sources, pages, validation results by rel).
    Files the memo knows unchanged are not parsed again; many unknown ones are parsed on
    the worker pool first."""
    max_bytes, cache = config.limits.max_file_kb * 1024, memo.cache
    known, lazy = memo.known_sources()
    if memo.prevalidates(known):
        memo.let_go()  # no SQLite connection across the fork (it opens again when next used)
        fresh, found = prevalidate_all(site, cache, known, max_bytes, jobs)
        cache.validated |= fresh
        known, lazy = {**known, **found}, cache.validated_digests()  # found: just read, not read again
    sources: list[SourceFile] = []
    loading = _kept(iter_content(site, diags, max_bytes, cache.parsed, known, lazy), sources)
    validated: dict[str, object] = {}
    release = (lambda src: release_text(site, src)) if memo.rereads_text else None  # workers read the text again
    pages = validate_pages(loading, diags, cache.validated, lambda src: read_body(site, src.rel, src.digest), validated, release)
    return sources, pages, validated


def content_checks(result: BuildResult, pages: list[Page], config: Config, today: dt.date) -> None:
    """The checks every build runs on the content (review dates, orphans, reviewers)."""
    assert result.graph is not None
    diags = result.diagnostics
    found, result.notes = site_checks(result.graph, result.linked, today, config.checks, diags.errors)
    diags.extend(found)
    diags.extend(check_reviews([p for p in pages if not p.lang], config, skip={d.path for d in diags.errors}))


def generated_files(state: RenderState, todo: Plan, result: BuildResult, jobs: int) -> set[str]:
    """Put the generated pages that changed, the sitemap, feed and static files into the
    output, checked like the pages; returns their output paths."""
    assert state.output is not None
    renderer, diags = state.site, result.diagnostics
    pages = render_listings(state, todo.dirty_listings, diags, jobs)  # rendered and checked on the worker pool
    site_files = render_site_files(renderer, state.graph, todo.listings, diags)
    result.rendered_listings = sorted(x.output_path for x in todo.listings if listing_id(x) in todo.dirty_listings)
    copy_static(state.site_dir, site_files, diags, reserved=set(todo.targets.values()))
    check_output(site_files, diags, base_url=renderer.config.base)
    for rel, data in (site_files | pages).items():
        state.output.put(rel, data)
    return set(site_files) | set(pages)


def search_index(state: RenderState, output: Output, todo: Plan, last_key: str, diags: Diagnostics) -> set[str]:
    """The search index of the new output (Pagefind writes it); kept as it is when nothing a
    search could find has changed. Returns its files (to keep), none on failure."""
    if todo.search_key == last_key and (kept := output.existing(BUNDLE_DIR)):
        return kept
    graph, renderer = state.graph, state.site
    for page in graph.pages:  # search terms come from every page's links
        load_markdown(state, page)
    html = {path: output.source(path) for path in searchable(graph, [x.output_path for x in todo.listings])}
    terms = search_terms(graph, renderer.base_path)
    language = "" if renderer.config.languages else renderer.config.language  # "": by each page's <html lang>
    return output.fill(BUNDLE_DIR, lambda dest: write_index(html, language, dest, diags, terms))


def prevalidate_all(
    site: Path, cache: Cache, known: Collection[str], max_bytes: int, jobs: int
) -> tuple[dict[str, object], dict[str, SourceStat]]:
    """Validation results of the content files not known from the last build, computed on the
    worker pool when there are enough of them (see ``pagework.prevalidate``); files whose
    bytes were validated before (a copied site, a fresh checkout) are found by digest, and
    returned with their stat as just read (the loader then does not read them again)."""
    todo = [rel for rel in content_rels(site) if rel not in known]
    if jobs < 2 or len(todo) < 2 * parallel.MIN_TASKS_PER_WORKER:
        return {}, {}
    cached = cache.validated_rels(site, todo, max_bytes)
    todo = [rel for rel in todo if rel not in cached]
    if len(todo) < 2 * parallel.MIN_TASKS_PER_WORKER:
        return {}, cached
    return dict(found for found in run(prevalidate, (site, max_bytes), todo, jobs) if found is not None), cached


@contextlib.contextmanager
def output_lock(folder: Path, out: Path) -> Iterator[None]:
    """An exclusive lock (in the site's cache ``folder``) per output folder, held for the whole build."""
    fd = open_lock(folder / f"build-{digest(str(out))[:16]}.lock")
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # releases the lock


def _kept(items: Iterator[SourceFile], into: list[SourceFile]) -> Iterator[SourceFile]:
    """``items``, each also appended to ``into`` (the list of sources, filled as it is read)."""
    for item in items:
        into.append(item)
        yield item


def _done(result: BuildResult, started: float) -> BuildResult:
    result.seconds = time.perf_counter() - started
    return result
