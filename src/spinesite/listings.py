"""Generated pages: home, indexes per type, spine levels, handouts, search, 404, feeds."""

from __future__ import annotations

from .graph import SiteGraph, level_url
from .model import Listing
from .schema import TREATMENT_CATEGORIES

INDEX_TITLES = {
    "conditions": "Conditions A to Z",
    "stretches": "Stretches and exercises",
    "causes": "Causes and risk factors",
    "treatments": "Treatments",
    "glossary": "Glossary of medical words",
}


def listings(graph: SiteGraph) -> list[Listing]:
    out = [Listing("/", "home.html", "Home")]
    for kind, title in INDEX_TITLES.items():
        out.append(Listing(f"/{kind}/", f"list_{kind}.html", title, {"items": graph.by_kind.get(kind, [])}))
    for level, conditions in graph.levels.items():
        out.append(Listing(level_url(level), "level.html", f"{level} spinal level", {"level": level, "items": conditions}))
    for cond in graph.by_kind.get("conditions", []):
        if cond.refs.get("stretches"):
            out.append(Listing(f"/handouts/{cond.slug}/", "handout.html", f"Exercise handout: {cond.title}", {"condition": cond}))
    out.append(Listing("/search/", "search.html", "Search"))
    out.append(Listing("/404.html", "404.html", "Page not found"))
    return out


def treatments_by_category(items: list) -> list[tuple[str, list]]:  # type: ignore[type-arg]
    """Treatments grouped in the fixed category order, empty groups left out."""
    groups = [(cat, [t for t in items if t.data.get("category") == cat]) for cat in TREATMENT_CATEGORIES]
    return [(cat, ts) for cat, ts in groups if ts]
