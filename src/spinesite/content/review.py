"""Review state: a page is *reviewed* only when ``reviewed_by`` names a reviewer listed under
``reviewers:`` in ``spinesite.yaml``; anything else (a placeholder, an unknown name) is *not yet
reviewed*, and the theme then shows a banner instead of review dates and leaves ``reviewedBy`` and
``lastReviewed`` out of the page's JSON-LD.

The diagnostics depend on the config as well as on each file, so they are made here, after
validation (whose results are cached per file), in every build and in ``spinesite check``:

- ``reviewed_by`` naming nobody listed, and not a placeholder: a warning with "did you mean"
  (``review-unknown``; an error with ``--strict``).
- ``require_review: true``: every page not yet reviewed gets a warning (``review-required``) that
  ``spinesite check`` makes an error (:func:`require_review_errors`), as ``build --strict`` does;
  a plain build or ``spinesite serve`` still shows the page, so an editor can preview it first.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from spinesite.content.config import Config, Reviewer
from spinesite.content.graph import is_draft
from spinesite.content.model import Page
from spinesite.diagnostics import Diagnostic, Diagnostics, did_you_mean

UNKNOWN, REQUIRED = "review-unknown", "review-required"  # Diagnostic.code
# Words that say plainly that nobody has reviewed the page yet (the demo content's placeholder
# reviewer, `spinesite new`'s TODO): such a page is not yet reviewed, and no warning is needed.
PLACEHOLDER_REVIEWER_RE = re.compile(r"\b(placeholder|todo|not yet reviewed|awaiting (clinical )?review)\b", re.IGNORECASE)


@dataclass(frozen=True)
class ReviewState:
    """What a page may say about its review. ``reviewer`` is None: not yet reviewed."""

    reviewer: Reviewer | None
    last_reviewed: dt.date | None
    next_review: dt.date | None

    @property
    def reviewed(self) -> bool:
        return self.reviewer is not None


def _norm(text: str) -> str:
    return " ".join(text.split()).casefold()


def find_reviewer(name: object, reviewers: Sequence[Reviewer]) -> Reviewer | None:
    """The reviewer ``name`` (a page's ``reviewed_by``) names: their name or id, ignoring case and spacing."""
    if not isinstance(name, str) or not name.strip():
        return None
    key = _norm(name)
    return next((r for r in reviewers if key in (_norm(r.name), r.id.casefold())), None)


def is_placeholder_reviewer(name: str) -> bool:
    return bool(PLACEHOLDER_REVIEWER_RE.search(name))


def review_state(data: Mapping[str, Any], reviewers: Sequence[Reviewer]) -> ReviewState:
    """The review state of a page's validated front matter (not reviewed while a date is invalid)."""
    reviewer = find_reviewer(data.get("reviewed_by"), reviewers)
    last, due = data.get("last_reviewed"), data.get("next_review")
    if reviewer is None or not isinstance(last, dt.date) or not isinstance(due, dt.date):
        return ReviewState(None, None, None)
    return ReviewState(reviewer, last, due)


def check_reviews(pages: Iterable[Page], config: Config, skip: Collection[str] = ()) -> list[Diagnostic]:
    """Unknown reviewers, and (with ``require_review``) every page not yet reviewed; see the module doc.
    Pages with errors (source paths in ``skip``) are left out until those are fixed, as the review
    dates are in ``checks.site_checks``."""
    reviewers, required = config.reviewers, config.require_review
    out: list[Diagnostic] = []
    for page in pages:
        if page.rel in skip:
            continue
        name = page.data.get("reviewed_by")
        if not isinstance(name, str) or not name.strip() or find_reviewer(name, reviewers) is not None:
            continue
        unknown, required_here = not is_placeholder_reviewer(name), required and not is_draft(page)
        if not (unknown or required_here):
            continue
        line = page.parsed.line(("reviewed_by",))  # may read the file again (loader: lines only when needed)
        if unknown:
            choices = [r.name for r in reviewers] + [r.id for r in reviewers if r.id]
            hint = did_you_mean(name, choices) if choices else " (it lists none)"
            message = (
                f"reviewed_by: '{name}' is not a reviewer listed in spinesite.yaml{hint}, so the page shows as "
                "not yet reviewed; correct the name or add the reviewer under reviewers:"
            )
            out.append(Diagnostic(page.rel, line, message, "warning", UNKNOWN))
        if required_here:
            message = (
                "not yet reviewed, and spinesite.yaml has require_review: true; once a health professional has "
                "checked the page, set reviewed_by to their name as listed under reviewers:"
            )
            out.append(Diagnostic(page.rel, line, message, "warning", REQUIRED))
    return out


def require_review_errors(diags: Diagnostics) -> None:
    """``spinesite check``: a page not yet reviewed is an error when the site requires review."""
    diags.items = [replace(d, level="error") if d.code == REQUIRED else d for d in diags.items]


def is_overdue(data: Mapping[str, Any], today: dt.date) -> bool:
    """Whether a page's ``next_review`` has passed: the page then says its review is overdue
    (the only thing a page shows that depends on the day it is built)."""
    due = data.get("next_review")
    return isinstance(due, dt.date) and due < today
