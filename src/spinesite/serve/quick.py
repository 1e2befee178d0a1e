"""``spinesite serve``'s quick preview: a saved page whose text alone changed is shown at once.

Most saves change a page's Markdown text and nothing else. Its new HTML then depends on its
own text and on the site graph, which that edit cannot change (the graph comes from the
front matter of every page). So, before the full rebuild, :func:`quick_files` renders just
that page again with the previous build's site graph and templates, and the server shows it
at once; the full rebuild follows straight away and publishes what it finds (the same page,
and anything else the edit changed, e.g. a glossary term's "pages that use this word").

Anything else (a front-matter change, a new or deleted file, a template, an error) returns
None: the full rebuild alone shows it. Never raises for bad content.
"""

from __future__ import annotations

import copy
import hashlib
from pathlib import Path

import jinja2

from spinesite.buildresult import BuildResult
from spinesite.checks.site import check_output
from spinesite.content.loader import decode, split_front_matter
from spinesite.content.yamlnodes import YamlError, parse
from spinesite.diagnostics import Diagnostics
from spinesite.pagework import RenderState

MAX_PAGES = 5  # a save of more pages than this (a folder copied in) waits for the full rebuild


def quick_files(previous: BuildResult, site: Path, paths: set[str]) -> dict[str, bytes] | None:
    """Output path -> new bytes of the pages among ``paths`` (changed files) whose Markdown text
    alone changed since ``previous`` (the last good in-memory build); None when any changed file
    is not such a page, or one of them has a problem."""
    graph, renderer, cache, config = previous.graph, previous.renderer, previous.cache, previous.config
    if graph is None or renderer is None or cache is None or config is None or not 0 < len(paths) <= MAX_PAGES:
        return None
    out: dict[str, bytes] = {}
    root = site.resolve()
    for path in paths:
        try:
            rel = Path(path).resolve().relative_to(root).as_posix()
        except (OSError, ValueError):
            return None
        page = graph.by_rel.get(rel)
        old = cache.parsed.get(previous.digests.get(rel, ""))
        if page is None or old is None:
            return None
        try:
            raw = Path(site, rel).read_bytes()
        except OSError:
            return None
        diags = Diagnostics()
        text = decode(raw, rel, diags) if len(raw) <= config.limits.max_file_kb * 1024 else None
        split = split_front_matter(text, rel, diags) if text is not None else None
        if split is None or diags.items:
            return None
        front, body, body_line = split
        try:
            same = body_line == old[2] and parse(front, first_line=2).value == old[0].value
        except YamlError:
            return None
        if not same:
            return None
        new = copy.copy(page)
        new.body, new.digest, new.markdown_key = body, hashlib.sha256(raw).hexdigest(), ""
        state = RenderState(graph, renderer, config.limits.markdown_seconds, None, site)
        try:
            state.markdown(diags).render_page(new)
            data = renderer.render_page(new) if not diags.items else b""
        except jinja2.TemplateError:
            return None
        if diags.items:  # a problem (even a warning) is the full rebuild's to report
            return None
        check_output({new.output_path: data}, diags, base_url=config.base)
        if diags.errors:
            return None
        out[new.output_path] = data
    return out
