"""Validate front matter against the declarative schema and turn sources into pages."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any

from spinesite.content.codes import normalise_codes
from spinesite.content.contenttypes import by_folder
from spinesite.content.fields import Ctx, validate_fields
from spinesite.content.model import Page, SourceFile
from spinesite.content.placeholders import find_body_placeholders, find_placeholders
from spinesite.content.schema import guideline_jurisdiction
from spinesite.content.translations import structure_errors, translation_fields
from spinesite.diagnostics import Diagnostics

MAX_REVIEW_GAP = dt.timedelta(days=3 * 366)


def validate_pages(
    sources: Iterable[SourceFile],
    diags: Diagnostics,
    cached: dict[str, Any] | None = None,
    read_body: Callable[[SourceFile], str | None] | None = None,
    results: dict[str, Any] | None = None,
    release: Callable[[SourceFile], None] | None = None,
) -> list[Page]:
    """One :class:`Page` per source file (drafts included; the graph leaves them out).

    Validation depends only on a file's path and bytes: ``cached`` maps ``rel + digest`` to
    an earlier (data, diagnostics); ``results`` receives this build's, keyed by rel.
    ``release`` is called on each source once validated (see ``loader.release_text``).
    """
    pages = []
    for src in sources:
        hit = (cached or {}).get(f"{src.rel}\x1f{src.digest}")
        if hit is None:
            if src.body is None and read_body is not None:
                src.body = read_body(src)
            own = Diagnostics()
            ctx = Ctx(src.rel, src.parsed, own)
            if src.lang:  # a translation: its text only (translations.py)
                value = structure_errors(src.parsed.value, src.kind, src.rel, src.parsed, own)
                data = validate_fields(value, translation_fields(src.kind), ctx)
                if src.body is not None and not src.body.strip():
                    own.error(src.rel, src.body_line, "the page text is missing: translate the source page's text below the front matter")
            else:
                data = validate_fields(src.parsed.value, by_folder(src.kind).fields, ctx)
                _check_review_dates(data, ctx)
                normalise_codes(data)
            if src.kind == "treatments" and not src.lang:
                _check_evidence(data, ctx)
            _warn_placeholders(src, own)
            hit = (data, own.items)
        data, found = hit
        if found:
            diags.extend(found)
        if results is not None:
            results[src.rel] = hit
        if release is not None:
            release(src)
        slug = data.get("slug") or src.slug
        pages.append(Page(src.kind, slug, src.rel, "", data, src.body, src.body_line, src.parsed, digest=src.digest, lang=src.lang))
    return pages


def _check_review_dates(data: dict[str, object], ctx: Ctx) -> None:
    last, nxt = data.get("last_reviewed"), data.get("next_review")
    if isinstance(last, dt.date) and isinstance(nxt, dt.date):
        if nxt <= last:
            ctx.error(("next_review",), f"must be after last_reviewed ({last.isoformat()})")
        elif nxt - last > MAX_REVIEW_GAP:
            ctx.error(("next_review",), "must be at most 3 years after last_reviewed")


def _check_evidence(data: dict[str, Any], ctx: Ctx) -> None:
    """Each guideline says where it applies, and the `evidence` badge rests on at least one of them."""
    guidelines = [g for g in data.get("guidelines") or [] if isinstance(g, dict)]
    for i, g in enumerate(guidelines):
        where = guideline_jurisdiction(g)
        if where:
            g["jurisdiction"] = where
        elif "TODO" not in str(g.get("name")):
            line = ctx.parsed.line(("guidelines", i))
            message = f"guidelines[{i}]: say where '{g.get('name')}' applies: add jurisdiction (e.g. England or USA)"
            ctx.diags.warning(ctx.path, line, message)
    evidence = data.get("evidence")
    if evidence and evidence != "experimental" and guidelines and all(g.get("status") not in (None, evidence) for g in guidelines):
        ctx.error(
            ("evidence",),
            f"'{evidence}' rests on no guideline: every guideline has a different status; "
            "leave status out on the guideline(s) the badge rests on, or change evidence",
        )


def _warn_placeholders(src: SourceFile, diags: Diagnostics) -> None:
    """``TODO`` left by ``spinesite new``: a warning (an error with --strict), never a crash."""
    for key in find_placeholders(src.parsed.value):
        label = "".join(f"[{k}]" if isinstance(k, int) else (f".{k}" if i else str(k)) for i, k in enumerate(key))
        diags.warning(src.rel, src.parsed.line(key), f"{label}: placeholder text 'TODO' still here; replace it")
    if src.body is None or "TODO" not in src.body:
        return
    for line in find_body_placeholders(src.body, src.body_line):
        diags.warning(src.rel, line, "placeholder text 'TODO' still in the page text; replace it")
