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
from babel.dates import format_date
from jinja2.sandbox import ImmutableSandboxedEnvironment
from markupsafe import Markup

from spinesite.content import contenttypes
from spinesite.content.codes import CodeEntry
from spinesite.content.config import Config
from spinesite.content.graph import SiteGraph, is_draft, level_url
from spinesite.content.model import Listing, Page
from spinesite.content.review import ReviewState, is_overdue, review_state
from spinesite.diagnostics import Diagnostic, Diagnostics
from spinesite.languagenames import language_name
from spinesite.render.codepages import code_listings, infobutton_response, response_url
from spinesite.render.figures import LABELS, figure_img, figure_svg
from spinesite.render.i18n import Catalogue, fold_messages, load_catalogue, missing_messages
from spinesite.render.jsonld import dumps_script_safe, page_jsonld
from spinesite.render.languages import LanguageVersions
from spinesite.render.listings import URGENT_HELP_URL, figure_url, listings
from spinesite.render.paging import az_groups, treatments_by_category
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


class _Environment(ImmutableSandboxedEnvironment):
    """The sandbox, translating interface text when a template is compiled (``i18n.fold_messages``)."""

    catalogue: Catalogue | None = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._safe_attributes: dict[tuple[type, str], bool] = {}

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        """The sandbox's own answer, remembered per (type of the object, attribute name): it
        depends on nothing else (``is_internal_attribute`` and ``modifies_known_mutable`` look
        only at the object's type and the name), and templates ask it on every attribute."""
        key = (type(obj), attr)
        known = self._safe_attributes.get(key)
        if known is None:
            known = self._safe_attributes[key] = super().is_safe_attribute(obj, attr, value)
        return known

    def _parse(self, source: str, name: str | None, filename: str | None) -> jinja2.nodes.Template:
        tree = super()._parse(source, name, filename)
        if self.catalogue is not None:
            fold_messages(tree, self.catalogue, self)
        return tree


def make_env(site: Path, bytecode_dir: Path | None = None, catalogue: Catalogue | None = None) -> jinja2.Environment:
    """The template environment; with ``catalogue``, interface text is translated with it (and
    compiled templates are cached per catalogue, in a folder of ``bytecode_dir`` of their own)."""
    loaders: list[jinja2.BaseLoader] = []
    if (site / "templates").is_dir():
        loaders.append(jinja2.FileSystemLoader(site / "templates"))
    loaders.append(jinja2.FileSystemLoader(theme_dir()))
    if bytecode_dir is not None and catalogue is not None:
        bytecode_dir = bytecode_dir / f"i18n-{catalogue.digest}"
        bytecode_dir.mkdir(parents=True, exist_ok=True)
    env = _Environment(
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
    env.catalogue = catalogue
    if catalogue is None:
        env.install_null_translations(newstyle=True)  # type: ignore[attr-defined]
    else:
        env.install_gettext_translations(catalogue, newstyle=True)  # type: ignore[attr-defined]
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
    """Renders every page and generated file of a site to bytes, each in its language: one
    template environment per language, with that language's catalogue, site strings, pages
    and addresses as its globals (macros imported without context see them too)."""

    def __init__(
        self,
        graph: SiteGraph,
        config: Config,
        site: Path,
        build_date: dt.date,
        bytecode_dir: Path | None = None,
        codes: list[CodeEntry] | None = None,
    ) -> None:
        self.graph, self.config, self.build_date = graph, config, build_date
        self.codes = codes or []  # the site's clinical codes (content/codes.py)
        self.site_dir, self.bytecode_dir = site, bytecode_dir
        self.base_path = base_path(config.base)
        self.reviewers = config.reviewers
        self.catalogue_diagnostics = Diagnostics()  # catalogues that cannot be read (reported once by the build)
        self._catalogues: dict[str, Catalogue] = {}
        self._envs: dict[str, jinja2.Environment] = {}
        self._globals: dict[str, dict[str, Any]] = {}
        self._listings: list[Listing] | None = None
        self.languages = LanguageVersions(self, graph)
        self.env = self.env_for("")
        self.globals = self.globals_for("")

    def url(self, path: str) -> str:
        return self.base_path + path.lstrip("/")

    def abs_url(self, path: str) -> str:
        return self.config.base + path.lstrip("/")

    def catalogue(self, lang: str) -> Catalogue:
        """The interface text of ``lang`` ("": the default language)."""
        if lang not in self._catalogues:
            self._catalogues[lang] = load_catalogue(theme_dir(), self.site_dir, lang or self.config.language, self.catalogue_diagnostics)
        return self._catalogues[lang]

    def env_for(self, lang: str) -> jinja2.Environment:
        """The template environment of ``lang`` ("": the default language)."""
        if lang not in self._envs:
            env = make_env(self.site_dir, self.bytecode_dir, self.catalogue(lang))
            code = lang or self.config.language
            if not code.lower().startswith("en"):
                env.filters["longdate"] = lambda value: format_date(value, "long", locale=code.replace("-", "_"))
            self._envs[lang] = env
            env.globals.update(self.globals_for(lang))  # visible to imported macros too
        return self._envs[lang]

    def globals_for(self, lang: str) -> dict[str, Any]:
        if lang in self._globals:
            return self._globals[lang]
        g, tr = self.graph, self.catalogue(lang).gettext
        types = contenttypes.TYPES
        kinds = g.kinds_in(lang)
        config = self.config.in_language(lang)
        menu = sorted((p for p in kinds.get("pages", []) if p.data.get("menu") is not None), key=lambda p: (p.data["menu"], p.slug))
        urgent = self.languages.generated(lang, URGENT_HELP_URL) if config.care_cards else None
        labels = (tr(LABELS[0]), tr(LABELS[1]))  # the figure's two panels
        self._globals[lang] = out = {
            "site": config,
            "lang": config.language,
            "default_lang": self.config.language,
            # "inglés": the default language, named in this one
            "source_language_name": language_name(self.config.language, config.language),
            "url": self.languages.url_in(lang),
            # local("/search/"): the address of a generated page in this language
            "local": lambda path: self.languages.generated(lang, path),
            "abs_url": self.abs_url,
            "root": self.url("/"),  # the site's root (its base path), the same in every language: Pagefind's baseUrl
            "by_kind": kinds,
            "levels": g.levels_in(lang),
            "level_url": level_url,
            "menu": menu,
            "index_titles": {t.folder: tr(t.index_title) for t in types if t.index_title is not None},
            "kind_label": {t.folder: tr(t.label) for t in types},
            "type_filters": [(t.cli_name, t.folder, tr(t.search_label)) for t in types if t.search_label is not None],
            "treatments_by_category": treatments_by_category,
            "az": az_groups,
            "build_date": self.build_date,
            "regions": ("cervical", "thoracic", "lumbar", "sacral"),
            "review_of": self.review_of,  # review_of(page.data): the page's ReviewState (review.py)
            "urgent_help_url": urgent,  # None: no such page
            "stretch_figure": lambda page, decorative=False: self.stretch_figure(page, decorative, labels),  # the <img> of its drawn figure
            "stretch_figure_svg": lambda figure: Markup(figure_svg(figure, labels)),  # the figure file itself (figure.svg)
            "qr_svg": lambda address: Markup(qr_svg(address)),  # a QR code of an address, as inline SVG (handouts)
            # infobutton_response(code, lang, "json" | "xml"): a code's Infobutton answer (codepages.py)
            "infobutton_response": lambda entry, in_lang, fmt: Markup(
                infobutton_response(entry, in_lang, fmt, self.languages.tag, self.abs_url, self.config.in_language(in_lang).title)
            ),
            "response_url": response_url,
            # For links to a page p that is not in this language: in_other_language(p), " (in English)"
            # in this language; hreflang_of(p), its hreflang and lang attributes; lang_of(p), the lang
            # attribute of an element showing its text; source_language_note: the note for a link to a
            # default-language page.
            "in_other_language": self.languages.note_for(lang),
            "hreflang_of": self.languages.hreflang_for(lang),
            "lang_of": self.languages.lang_for(lang),
            "source_language_note": self.languages.note_html(lang, ""),
        }
        return out

    def stretch_figure(self, page: Page, decorative: bool = False, labels: tuple[str, str] = LABELS) -> Markup:
        return Markup(figure_img(self.url(figure_url(page)), page.data["figure"], decorative, labels))

    def review_of(self, data: dict[str, Any]) -> ReviewState:
        return review_state(data, self.reviewers)

    def crumbs(self, page: Page) -> list[tuple[str, str]]:
        tr, gen = self.catalogue(page.lang).gettext, self.languages.generated
        out = [(tr("Home"), gen(page.lang, "/"))]
        kind = contenttypes.by_folder(page.kind)
        if kind.index_title is not None:
            out.append((tr(kind.index_title), gen(page.lang, kind.index_url)))
        chain, p = [], page.parent
        while p is not None:
            chain.append((p.title, p.url))
            p = p.parent
        return out + chain[::-1] + [(page.title, page.url)]

    def render_page(self, page: Page) -> bytes:
        crumbs = self.crumbs(page)
        ctx = {
            **self.globals_for(page.lang),
            "page": page,
            "data": page.data,
            "body": Markup(page.html),
            "fields_html": {k: Markup(v) if isinstance(v, str) else [Markup(x) for x in v] for k, v in page.fields_html.items()},
            "crumbs": crumbs,
            "title": page.title,
            "description": page.data.get("summary", ""),
            "canonical": self.abs_url(page.url),
            # a translation's clinical review was of its source: its structured data claims none
            "jsonld": page_jsonld(
                page, self.abs_url, self.config.in_language(page.lang).title, crumbs, None if page.lang else self.review_of(page.data)
            ),
            "overdue": is_overdue(page.data, self.build_date),
            "sid": section_ids(page),
            "draft": is_draft(page),
            "alternates": self.languages.alternates(page.url),
            "translation": self.languages.translation(page),
        }
        return self.env_for(page.lang).get_template(contenttypes.by_folder(page.kind).template).render(ctx).encode("utf-8")

    def render_listing(self, listing: Listing) -> bytes:
        home = self.languages.generated(listing.lang, "/")
        at_home = listing.url in (home, "/404.html")
        crumbs = [(self.catalogue(listing.lang).gettext("Home"), home)] + ([(listing.title, listing.url)] if not at_home else [])
        config = self.config.in_language(listing.lang)
        ctx = {
            **self.globals_for(listing.lang),
            **listing.context,
            "page": None,
            "crumbs": crumbs,
            "title": listing.title,
            "description": config.description or listing.title,
            "canonical": self.abs_url(listing.url),
            "listing": listing,
            "draft": bool(listing.context.get("draft")),
            "alternates": self.languages.alternates(listing.url),
            "translation": None,
            "jsonld": {
                "@context": "https://schema.org",
                "@type": "WebPage" if listing.url != home else "WebSite",
                "name": listing.title if listing.url != home else config.title,
                "url": self.abs_url(listing.url),
            },
        }
        return self.env_for(listing.lang).get_template(listing.template).render(ctx).encode("utf-8")

    def listings(self) -> list[Listing]:
        """Every generated page, in every language (the default language's first)."""
        if self._listings is None:
            care = bool(self.config.care_cards)
            self._listings = [x for lang in ("", *self.graph.languages.others.values()) for x in self._listings_in(lang, care)]
            self._listings += code_listings(self.codes, self.graph, self.catalogue("").gettext)
        return self._listings

    def _listings_in(self, lang: str, care: bool) -> list[Listing]:
        return listings(self.graph, urgent_help=care, lang=lang, tr=self.catalogue(lang).gettext, page_size=self.config.index_page_size)

    def sitemap(self, urls: list[tuple[str, dt.date | None]]) -> bytes:
        rows, xhtml = [], False
        for url, lastmod in sorted(urls, key=lambda u: (u[0], u[1] or dt.date.min)):  # a URL twice: only with errors
            mod = f"<lastmod>{lastmod.isoformat()}</lastmod>" if lastmod else ""
            alternates = "".join(
                f'<xhtml:link rel="alternate" hreflang="{xml_escape(a["lang"])}" href="{xml_escape(a["href"])}"/>'
                for a in self.languages.alternates(url, default=True)
            )
            xhtml = xhtml or bool(alternates)
            rows.append(f"<url><loc>{xml_escape(self.abs_url(url))}</loc>{mod}{alternates}</url>")
        body = "\n".join(rows)
        ns = ' xmlns:xhtml="http://www.w3.org/1999/xhtml"' if xhtml else ""
        return f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"{ns}>\n{body}\n</urlset>\n'.encode()

    def robots(self) -> bytes:
        return f"User-agent: *\nAllow: /\n\nSitemap: {self.abs_url('/sitemap.xml')}\n".encode()

    def feed(self) -> bytes:
        # the default language's pages; drafts (--drafts) are not announced; a page with errors (``check``) may have no date
        published = (p for p in self.graph.pages if not p.lang and not is_draft(p) and p.data.get("last_reviewed"))
        pages = sorted(published, key=lambda p: (p.data.get("last_reviewed") or dt.date.min, p.url), reverse=True)
        pages = pages[: self.config.feed_entries]
        return self.env.get_template("feed.xml").render({**self.globals, "entries": pages}).encode("utf-8")

    def interface_checks(self) -> list[Diagnostic]:
        """Catalogues that cannot be read, and interface text a configured language does not translate."""
        assert self.env.loader is not None
        names = sorted(n for n in self.env.loader.list_templates() if n.endswith((".html", ".xml", ".svg")))
        found = []
        for lang in ("", *self.graph.languages.others.values()):
            found += missing_messages(self.env, names, theme_dir(), lang or self.config.language, self.catalogue(lang), self.site_dir)
        return self.catalogue_diagnostics.items + found
