"""Generated pages: home, indexes per type, spine levels, handouts, urgent help, search, 404, feeds."""

from __future__ import annotations

from spinesite.content import contenttypes
from spinesite.content.graph import SiteGraph, is_draft, level_url
from spinesite.content.model import Listing, Page
from spinesite.content.schema import TREATMENT_CATEGORIES

URGENT_HELP_URL = "/urgent-help/"  # the site's care cards on one page, linked from every page's header
URGENT_HELP_TITLE = "When to get help urgently"


def listings(graph: SiteGraph, urgent_help: bool = False) -> list[Listing]:
    """Every generated page; ``urgent_help``: the site has care cards to show on their own page."""
    out = [Listing("/", "home.html", "Home")]
    for t in contenttypes.TYPES:
        if t.index_title is not None:
            out.append(Listing(t.index_url, t.index_template, t.index_title, {"items": graph.by_kind.get(t.folder, [])}))
    for level, conditions in graph.levels.items():
        draft = all(is_draft(c) for c in conditions)  # only drafts there (--drafts): a draft itself
        out.append(Listing(level_url(level), "level.html", f"{level} spinal level", {"level": level, "items": conditions, "draft": draft}))
    for cond in graph.by_kind.get("conditions", []):
        if cond.refs.get("stretches"):
            context = {"condition": cond, "draft": is_draft(cond)}
            out.append(Listing(f"/handouts/{cond.slug}/", "handout.html", f"Exercise handout: {cond.title}", context))
    for stretch in graph.by_kind.get("stretches", []):
        if stretch.data.get("figure"):  # the drawn figure (figures.py), an image file beside the page
            out.append(Listing(figure_url(stretch), "figure.svg", stretch.title, {"items": [stretch], "draft": is_draft(stretch)}))
    if urgent_help:
        out.append(Listing(URGENT_HELP_URL, "urgent_help.html", URGENT_HELP_TITLE))
    out.append(Listing("/search/", "search.html", "Search"))
    out.append(Listing("/404.html", "404.html", "Page not found"))
    return out


def figure_url(stretch: Page) -> str:
    """Where a stretch's drawn figure is written: ``/stretches/<slug>/figure.svg``."""
    return stretch.url + "figure.svg"


def treatments_by_category(items: list) -> list[tuple[str, list]]:  # type: ignore[type-arg]
    """Treatments grouped in the fixed category order, empty groups left out."""
    groups = [(cat, [t for t in items if t.data.get("category") == cat]) for cat in TREATMENT_CATEGORIES]
    return [(cat, ts) for cat, ts in groups if ts]
