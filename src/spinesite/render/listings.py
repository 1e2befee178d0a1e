"""Generated pages: home, indexes per type, spine levels, handouts, urgent help, search, 404, feeds."""

from __future__ import annotations

from collections.abc import Callable

from spinesite.content import contenttypes
from spinesite.content.graph import SiteGraph, is_draft, level_url
from spinesite.content.model import Listing, Page
from spinesite.render.paging import grouped, paged_title, paginate

URGENT_HELP_URL = "/urgent-help/"  # the site's care cards on one page, linked from every page's header
URGENT_HELP_TITLE = "When to get help urgently"


def listings(
    graph: SiteGraph, urgent_help: bool = False, lang: str = "", tr: Callable[[str], str] = str, page_size: int = 100
) -> list[Listing]:
    """Every generated page in ``lang`` ("": the default language; another language has the
    generated pages of its translations, under ``/<lang>/``, and no 404 page of its own).
    ``urgent_help``: the site has care cards to show on their own page; ``tr``: gettext of ``lang``;
    ``page_size``: most entries on one page of a type's index (a longer one is split, paging.py)."""
    at = graph.languages.prefix(lang).rstrip("/") if lang else ""
    kinds = graph.kinds_in(lang)
    out = [Listing(at + "/", "home.html", tr("Home"), lang=lang)]
    for t in contenttypes.TYPES:
        if t.index_title is not None and (kinds.get(t.folder) or not lang):
            title, groups = tr(t.index_title), grouped(kinds.get(t.folder, []), t.index_groups)
            for url, items, pager in paginate(at + t.index_url, groups, page_size):
                out.append(Listing(url, t.index_template, paged_title(title, pager, tr), {"items": items, "pager": pager}, lang))
    for level, conditions in graph.levels_in(lang).items():
        draft = all(is_draft(c) for c in conditions)  # only drafts there (--drafts): a draft itself
        title = tr("%(level)s spinal level") % {"level": level}
        out.append(Listing(at + level_url(level), "level.html", title, {"level": level, "items": conditions, "draft": draft}, lang))
    for cond in kinds.get("conditions", []):
        if cond.refs.get("stretches"):
            context = {"condition": cond, "draft": is_draft(cond)}
            title = tr("Exercise handout: %(title)s") % {"title": cond.title}
            out.append(Listing(f"{at}/handouts/{cond.slug}/", "handout.html", title, context, lang))
    for stretch in kinds.get("stretches", []):
        if stretch.data.get("figure"):  # the drawn figure (figures.py), an image file beside the page
            out.append(Listing(figure_url(stretch), "figure.svg", stretch.title, {"items": [stretch], "draft": is_draft(stretch)}, lang))
    if urgent_help:
        out.append(Listing(at + URGENT_HELP_URL, "urgent_help.html", tr(URGENT_HELP_TITLE), lang=lang))
    out.append(Listing(at + "/search/", "search.html", tr("Search"), lang=lang))
    if not lang:
        out.append(Listing("/404.html", "404.html", tr("Page not found")))
    return out


def figure_url(stretch: Page) -> str:
    """Where a stretch's drawn figure is written: ``/stretches/<slug>/figure.svg``."""
    return stretch.url + "figure.svg"
