"""Jinja rendering: the theme (overridable file by file), per-page context, site files.

Autoescaping is on and undefined variables are errors. Page bodies arrive as already
sanitised HTML and are never evaluated as templates. Templates see no environment
variables, only the context built here.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape as xml_escape

import jinja2
from jinja2.sandbox import ImmutableSandboxedEnvironment
from markupsafe import Markup

from spinesite.content import contenttypes
from spinesite.content.config import Config
from spinesite.content.graph import SiteGraph, is_draft, level_url
from spinesite.content.model import Listing, Page
from spinesite.content.review import ReviewState, review_state
from spinesite.diagnostics import Diagnostics
from spinesite.render.figures import figure_img, figure_svg
from spinesite.render.jsonld import dumps_script_safe, page_jsonld
from spinesite.render.listings import URGENT_HELP_URL, figure_url, listings, treatments_by_category
from spinesite.render.qrcodes import qr_svg
from spinesite.render.wordforms import other_names
from spinesite.siteurls import base_path

_ID_RE = re.compile(r'\bid="([^"]*)"')


def page_templates() -> dict[str, str]:
    """Content type (folder) -> the template of one of its pages."""
    return {t.folder: t.template for t in contenttypes.TYPES}


def theme_dir() -> Path:
    """The built-in theme: shipped inside the package, or the repo's templates/ in a checkout."""
    here = Path(__file__).resolve().parents[1]  # the package: spinesite/
    for candidate in (here / "theme", here.parents[1] / "templates"):
        if (candidate / "base.html").is_file():
            return candidate
    raise FileNotFoundError("spinesite's built-in theme is missing; reinstall the package")


def make_env(site: Path, bytecode_dir: Path | None = None) -> jinja2.Environment:
    loaders: list[jinja2.BaseLoader] = []
    if (site / "templates").is_dir():
        loaders.append(jinja2.FileSystemLoader(site / "templates"))
    loaders.append(jinja2.FileSystemLoader(theme_dir()))
    env = ImmutableSandboxedEnvironment(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,
        bytecode_cache=jinja2.FileSystemBytecodeCache(str(bytecode_dir)) if bytecode_dir else None,
        extensions=["jinja2.ext.i18n"],
    )
    env.install_null_translations(newstyle=True)  # type: ignore[attr-defined]
    env.filters["longdate"] = longdate
    env.filters["jsonld"] = dumps_script_safe
    env.filters["other_names"] = other_names  # also_called without the term's own plural or case
    return env


def template_error(exc: jinja2.TemplateError, where: str, diags: Diagnostics) -> None:
    """Report a template that failed while rendering ``where`` (a page's source file, or the
    template of a generated file): a syntax error at its template file and line."""
    if isinstance(exc, jinja2.TemplateSyntaxError):
        diags.error(f"templates/{exc.name or '?'}", exc.lineno or 0, f"template syntax error: {exc.message}")
    else:
        diags.error(where, 0, f"template error: {exc}")


def az_groups(items: list[Page]) -> list[tuple[str, list[Page]]]:
    """Pages grouped by the first letter of their title (A–Z; digits and others under '#')."""
    groups: dict[str, list[Page]] = {}
    for p in items:
        first = p.title[:1].upper()
        groups.setdefault(first if first.isalpha() else "#", []).append(p)
    return sorted(groups.items())


def section_ids(page: Page) -> Callable[[str], str]:
    """``sid(name)``: an id for one of the theme's own sections that no id in the page's Markdown already uses."""
    parts = [page.html, *(v if isinstance(v, str) else "".join(v) for v in page.fields_html.values())]
    taken = set(_ID_RE.findall("".join(parts)))

    def sid(name: str) -> str:
        out = name
        while out in taken:
            out += "-section"
        return out

    return sid


def longdate(value: dt.date) -> str:
    return f"{value.day} {value:%B %Y}"


class SiteRenderer:
    """Renders every page and generated file of a site to bytes."""

    def __init__(self, graph: SiteGraph, config: Config, site: Path, build_date: dt.date, bytecode_dir: Path | None = None) -> None:
        self.graph, self.config, self.build_date = graph, config, build_date
        self.env = make_env(site, bytecode_dir)
        self.base_path = base_path(config.base)
        self.reviewers = config.reviewers
        self.globals = self._globals()
        self.env.globals.update(self.globals)  # visible to imported macros too

    def url(self, path: str) -> str:
        return self.base_path + path.lstrip("/")

    def abs_url(self, path: str) -> str:
        return self.config.base + path.lstrip("/")

    def _globals(self) -> dict[str, Any]:
        g = self.graph
        types = contenttypes.TYPES
        menu = sorted((p for p in g.by_kind.get("pages", []) if p.data.get("menu") is not None), key=lambda p: (p.data["menu"], p.slug))
        return {
            "site": self.config,
            "url": self.url,
            "abs_url": self.abs_url,
            "by_kind": g.by_kind,
            "levels": g.levels,
            "level_url": level_url,
            "menu": menu,
            "index_titles": {t.folder: t.index_title for t in types if t.index_title is not None},
            "kind_label": {t.folder: t.label for t in types},
            "type_filters": [(t.cli_name, t.folder, t.search_label) for t in types if t.search_label is not None],
            "treatments_by_category": treatments_by_category,
            "az": az_groups,
            "build_date": self.build_date,
            "regions": ("cervical", "thoracic", "lumbar", "sacral"),
            "review_of": self.review_of,  # review_of(page.data): the page's ReviewState (review.py)
            "urgent_help_url": URGENT_HELP_URL if self.config.care_cards else None,  # None: no such page
            "stretch_figure": self.stretch_figure,  # stretch_figure(page): the <img> of its drawn figure
            "stretch_figure_svg": lambda figure: Markup(figure_svg(figure)),  # the figure file itself (figure.svg)
            "qr_svg": lambda address: Markup(qr_svg(address)),  # a QR code of an address, as inline SVG (handouts)
        }

    def stretch_figure(self, page: Page, decorative: bool = False) -> Markup:
        return Markup(figure_img(self.url(figure_url(page)), page.data["figure"], decorative))

    def review_of(self, data: dict[str, Any]) -> ReviewState:
        return review_state(data, self.reviewers)

    def crumbs(self, page: Page) -> list[tuple[str, str]]:
        out = [("Home", "/")]
        kind = contenttypes.by_folder(page.kind)
        if kind.index_title is not None:
            out.append((kind.index_title, kind.index_url))
        chain, p = [], page.parent
        while p is not None:
            chain.append((p.title, p.url))
            p = p.parent
        return out + chain[::-1] + [(page.title, page.url)]

    def render_page(self, page: Page) -> bytes:
        crumbs = self.crumbs(page)
        ctx = {
            **self.globals,
            "page": page,
            "data": page.data,
            "body": Markup(page.html),
            "fields_html": {k: Markup(v) if isinstance(v, str) else [Markup(x) for x in v] for k, v in page.fields_html.items()},
            "crumbs": crumbs,
            "title": page.title,
            "description": page.data.get("summary", ""),
            "canonical": self.abs_url(page.url),
            "jsonld": page_jsonld(page, self.abs_url, self.config.title, crumbs, self.review_of(page.data)),
            "overdue": bool(page.data.get("next_review") and page.data["next_review"] < self.build_date),
            "sid": section_ids(page),
            "draft": is_draft(page),
        }
        return self.env.get_template(contenttypes.by_folder(page.kind).template).render(ctx).encode("utf-8")

    def render_listing(self, listing: Listing) -> bytes:
        crumbs = [("Home", "/")] + ([(listing.title, listing.url)] if listing.url not in ("/", "/404.html") else [])
        ctx = {
            **self.globals,
            **listing.context,
            "page": None,
            "crumbs": crumbs,
            "title": listing.title,
            "description": self.config.description or listing.title,
            "canonical": self.abs_url(listing.url),
            "listing": listing,
            "draft": bool(listing.context.get("draft")),
            "jsonld": {
                "@context": "https://schema.org",
                "@type": "WebPage" if listing.url != "/" else "WebSite",
                "name": listing.title if listing.url != "/" else self.config.title,
                "url": self.abs_url(listing.url),
            },
        }
        return self.env.get_template(listing.template).render(ctx).encode("utf-8")

    def listings(self) -> list[Listing]:
        return listings(self.graph, urgent_help=bool(self.config.care_cards))

    def sitemap(self, urls: list[tuple[str, dt.date | None]]) -> bytes:
        rows = []
        for url, lastmod in sorted(urls, key=lambda u: (u[0], u[1] or dt.date.min)):  # a URL twice: only with errors
            mod = f"<lastmod>{lastmod.isoformat()}</lastmod>" if lastmod else ""
            rows.append(f"<url><loc>{xml_escape(self.abs_url(url))}</loc>{mod}</url>")
        body = "\n".join(rows)
        return f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n{body}\n</urlset>\n'.encode()

    def robots(self) -> bytes:
        return f"User-agent: *\nAllow: /\n\nSitemap: {self.abs_url('/sitemap.xml')}\n".encode()

    def feed(self) -> bytes:
        # drafts (--drafts) are not announced; a page with errors (``check``) may have no date
        published = (p for p in self.graph.pages if not is_draft(p) and p.data.get("last_reviewed"))
        pages = sorted(published, key=lambda p: (p.data.get("last_reviewed") or dt.date.min, p.url), reverse=True)
        pages = pages[: self.config.feed_entries]
        return self.env.get_template("feed.xml").render({**self.globals, "entries": pages}).encode("utf-8")
