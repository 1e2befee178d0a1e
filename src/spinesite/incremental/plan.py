"""The render plan: every output a build makes (pages and generated pages), its render key,
and which of them must be rendered again.

A page depends on the global inputs (:func:`global_key`), on the templates it uses (their
dependency analysis is redone only when a template file changed, and kept in the cache) and
on the sources of the pages it shows (:mod:`.keys`).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from spinesite.content.graph import is_draft
from spinesite.content.model import Listing, listing_id
from spinesite.incremental.keys import digest, level_pages, listing_keys, pages_of_kinds, render_keys, tree_digests
from spinesite.incremental.memo import Memo
from spinesite.incremental.state import Cache
from spinesite.incremental.templatedeps import analyse_templates
from spinesite.render.templates import SiteRenderer, page_templates, theme_dir


@dataclass(frozen=True)
class Plan:
    listings: list[Listing]  # the generated pages
    keys: dict[str, str]  # page rel or generated-page id -> render key
    targets: dict[str, str]  # ...-> output path
    dirty: set[str]  # the targets to render this time

    @cached_property
    def dirty_pages(self) -> list[str]:
        return [t for t in self.targets if t in self.dirty and not t.startswith("listing:")]

    @cached_property
    def dirty_listings(self) -> set[str]:
        return {listing_id(x) for x in self.listings} & self.dirty

    @cached_property
    def search_key(self) -> str:
        """What a search could find: every output's render key."""
        return digest(*sorted(self.keys.values()))


def plan(site: Path, renderer: SiteRenderer, digests: dict[str, str], memo: Memo) -> Plan:
    """Keys and targets of every page and generated page, and the ones to render."""
    cache, graph = memo.cache, renderer.graph
    shared = global_key(site, renderer, cache)
    listings = renderer.listings()
    template_keys = {kind: cache.template_keys.get(name, cache.templates_key) for kind, name in page_templates().items()}
    keys = render_keys(graph, digests, shared, template_keys, renderer.build_date) | listing_keys(listings, graph, digests, shared, cache)
    targets = {p.rel: p.output_path for p in graph.pages} | {listing_id(x): x.output_path for x in listings}
    return Plan(listings, keys, targets, memo.dirty(targets, keys))


def global_key(site: Path, renderer: SiteRenderer, cache: Cache) -> str:
    """Inputs every page depends on: version, config, theme assets, build date, menu...

    Templates are not in it: each page and generated page depends on the templates it uses
    (``cache.template_keys``), so editing one template re-renders only the pages it makes.
    """
    templates_key, assets_key, locale_key = tree_digests(theme_dir(), site / "templates", prefixes=("", "assets/", "locale/"))
    if cache.templates_key != templates_key:  # analyse the templates again
        names = sorted({*page_templates().values(), *(x.template for x in renderer.listings())})
        use = analyse_templates(renderer.env, names)
        cache.templates_key = templates_key
        cache.kinds_read, cache.uses_levels, cache.uses_date = use.kinds, use.users.get("levels", set()), use.users.get("build_date", set())
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
        # the day only when a template shows it: a page's overdue notice is in its own key
        renderer.build_date.isoformat() if cache.uses_date & (templates_of_pages | {x.template for x in renderer.listings()}) else "",
        repr([p.rel for p in renderer.graph.pages if is_draft(p)]),  # drafts built (--drafts): the sitemap and feed leave them out
        repr(
            [(p.rel, p.url, p.title, p.data.get("menu")) for lang in renderer.languages.codes() for p in renderer.globals_for(lang)["menu"]]
        ),
        locale_key,  # interface text: every page shows some
        repr(sorted(renderer.languages.versions().items())),  # which pages have which versions: hreflang, switcher, url()
        every_page,
        levels,
    )
