"""Long indexes split into pages: ``/stretches/``, ``/stretches/page/2/``, ...

A type's index lists every page of the type. Up to ``index_page_size`` entries (spinesite.yaml)
it stays one page, exactly as before; a longer one is cut into pages of at most that many
entries, in the order the index shows them (A to Z, treatment category, how common a cause
is) and, where it can, at the start of a group, so that a letter or a category is not split
for a few entries. Each page of the index gets a :class:`Pager`: where it is among the pages,
and on which page each group (letter, category) starts, so that the index's own "jump to"
navigation still reaches every group.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from spinesite.content.model import Page
from spinesite.content.schema import TREATMENT_CATEGORIES

Groups = list[tuple[str, list[Page]]]


def az_groups(items: list[Page]) -> Groups:
    """Pages grouped by the first letter of their title (A–Z; digits and others under '#')."""
    groups: dict[str, list[Page]] = {}
    for p in items:
        first = p.title[:1].upper()
        groups.setdefault(first if first.isalpha() else "#", []).append(p)
    return sorted(groups.items())


def treatments_by_category(items: list[Page]) -> Groups:
    """Treatments grouped in the fixed category order, empty groups left out."""
    groups = [(cat, [t for t in items if t.data.get("category") == cat]) for cat in TREATMENT_CATEGORIES]
    return [(cat, ts) for cat, ts in groups if ts]


def causes_by_frequency(items: list[Page]) -> Groups:
    """Causes, the common ones first (as ``list_causes.html`` shows them)."""
    groups = [(freq, [c for c in items if c.data.get("frequency") == freq]) for freq in ("common", "rare")]
    return [(freq, cs) for freq, cs in groups if cs]


def in_order(items: list[Page]) -> Groups:
    """One group: the pages in the order given."""
    return [("", list(items))] if items else []


# How each type's index orders and groups its entries (the content type's ``index_groups``).
GROUPINGS: dict[str, Callable[[list[Page]], Groups]] = {
    "az": az_groups,
    "category": treatments_by_category,
    "frequency": causes_by_frequency,
    "": in_order,
}


@dataclass(frozen=True)
class Pager:
    """One page of an index that is split into several: ``urls`` of every page in order,
    ``number`` of this one (from 1), and ``starts``: (group, page number where it starts)."""

    number: int
    urls: tuple[str, ...]
    starts: tuple[tuple[str, int], ...]
    total: int  # entries in the whole index

    @property
    def count(self) -> int:
        return len(self.urls)

    @property
    def previous(self) -> str | None:
        return self.urls[self.number - 2] if self.number > 1 else None

    @property
    def next(self) -> str | None:
        return self.urls[self.number] if self.number < self.count else None

    @property
    def groups(self) -> list[str]:
        """Every group of the whole index, in order."""
        return [group for group, _ in self.starts]

    def page_of(self, group: str) -> str | None:
        """The address of the page where ``group`` starts; None when that is this page (or no page)."""
        number = dict(self.starts).get(group)
        return None if number is None or number == self.number else self.urls[number - 1]

    def numbered(self, around: int = 1) -> list[tuple[int, str] | None]:
        """The page links to show, as GOV.UK's pagination does: the first, the last, and those
        within ``around`` of this page, with None for each gap (shown as an ellipsis)."""
        keep = [n for n in range(1, self.count + 1) if n in (1, self.count) or abs(n - self.number) <= around]
        out: list[tuple[int, str] | None] = []
        for i, n in enumerate(keep):
            if i and n - keep[i - 1] == 2:
                out.append((n - 1, self.urls[n - 2]))  # a gap of one page: its link, not an ellipsis
            elif i and n - keep[i - 1] > 2:
                out.append(None)
            out.append((n, self.urls[n - 1]))
        return out

    def key(self) -> str:
        """What the page shows of the other pages (for its render key)."""
        text = "\x1f".join([str(self.number), *self.urls, *(f"{g}\x1e{n}" for g, n in self.starts)])
        return hashlib.sha256(text.encode()).hexdigest()


def page_url(index_url: str, number: int) -> str:
    """The address of page ``number`` of the index at ``index_url``: the index itself, then ``page/N/``."""
    return index_url if number == 1 else f"{index_url}page/{number}/"


def paginate(index_url: str, groups: Groups, size: int) -> list[tuple[str, list[Page], Pager | None]]:
    """The pages of an index whose entries are ``groups`` (in order): (address, entries, pager).
    One page, without a pager, when there are at most ``size`` entries. A group starts a new
    page when it would not fit on the current one; a group longer than a page continues on the next."""
    total = sum(len(items) for _, items in groups)
    if total <= size:
        return [(index_url, [p for _, items in groups for p in items], None)]
    pages: list[list[Page]] = [[]]
    starts: list[tuple[str, int]] = []
    for group, items in groups:
        if pages[-1] and len(pages[-1]) + len(items) > size:
            pages.append([])
        starts.append((group, len(pages)))
        for item in items:
            if len(pages[-1]) == size:
                pages.append([])
            pages[-1].append(item)
    urls = tuple(page_url(index_url, n) for n in range(1, len(pages) + 1))
    return [(urls[n - 1], entries, Pager(n, urls, tuple(starts), total)) for n, entries in enumerate(pages, 1)]


def paged_title(title: str, pager: Pager | None, tr: Callable[[str], str] = str) -> str:
    """The title of one page of an index: "Treatments, page 2 of 40" (page 1 keeps the index's title)."""
    if pager is None or pager.number == 1:
        return title
    return tr("%(title)s, page %(page)d of %(pages)d") % {"title": title, "page": pager.number, "pages": pager.count}


def grouped(items: Sequence[Page], how: str) -> Groups:
    """``items`` ordered and grouped as the index of a type with ``index_groups`` ``how`` shows them."""
    return GROUPINGS[how](list(items))
