"""Every page's versions in the site's languages, as templates and the sitemap show them.

- :meth:`LanguageVersions.alternates`: the versions of the page at a URL (``hreflang`` links,
  the language switcher, the sitemap's ``xhtml:link``), each named in its own language;
- :meth:`LanguageVersions.url_in`: the ``url()`` of a language's templates, which takes a
  generated page (home, search, an index, a level page...) to its version in that language
  when there is one;
- :meth:`LanguageVersions.note`: " (in English)" in the reader's language, after a link from a
  translation to a page that has no version in the reader's language;
- :meth:`LanguageVersions.translation`: what a translated page says about its translation.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from markupsafe import Markup

from spinesite.content.graph import SiteGraph
from spinesite.content.model import Page
from spinesite.content.translations import is_stale
from spinesite.languagenames import language_name, own_name

if TYPE_CHECKING:
    from spinesite.render.templates import SiteRenderer


class LanguageVersions:
    def __init__(self, renderer: SiteRenderer, graph: SiteGraph) -> None:
        self.r, self.graph = renderer, graph
        self._urls: dict[str, frozenset[str]] = {}
        self._versions: dict[str, dict[str, str]] | None = None

    def codes(self) -> list[str]:
        """ "" (the default language) and the other languages' tags, in the config's order."""
        return ["", *self.graph.languages.others.values()]

    def tag(self, lang: str) -> str:
        return lang or self.r.config.language

    def urls(self, lang: str) -> frozenset[str]:
        """Every address published in ``lang``."""
        if lang not in self._urls:
            pages = {p.url for p in self.graph.pages if p.lang == lang}
            self._urls[lang] = frozenset(pages | {x.url for x in self.r.listings() if x.lang == lang})
        return self._urls[lang]

    def generated(self, lang: str, path: str) -> str:
        """``path`` in ``lang`` when that language has a version of it, else ``path``."""
        if not lang:
            return path
        there = self.graph.languages.prefix(lang) + path.lstrip("/")
        return there if there in self.urls(lang) else path

    def url_in(self, lang: str) -> Callable[[str], str]:
        """The ``url()`` global of ``lang``'s templates."""
        if not lang:
            return self.r.url

        def url(path: str) -> str:
            where, hash_, fragment = path.partition("#")
            return self.r.url(self.generated(lang, where) + hash_ + fragment)

        return url

    def versions(self) -> dict[str, dict[str, str]]:
        """URL -> {language ("" default): URL} of every page and generated page with more than one version."""
        if self._versions is None:
            groups: dict[str, dict[str, str]] = {}
            for p in self.graph.pages:
                groups.setdefault((p.source or p).url, {})[p.lang] = p.url
            for x in self.r.listings():
                base = "/" + x.url[len(self.graph.languages.prefix(x.lang)) :] if x.lang else x.url
                groups.setdefault(base, {})[x.lang] = x.url
            self._versions = {url: group for group in groups.values() if len(group) > 1 for url in group.values()}
        return self._versions

    def alternates(self, url: str, default: bool = False) -> list[dict[str, Any]]:
        """The versions of the page at ``url`` (none when it has only one), the default language
        first; ``default``: an ``x-default`` entry last (the default language's, for the sitemap)."""
        group = self.versions().get(url)
        if not group:
            return []
        out = [
            {
                "lang": self.tag(code),
                "href": self.r.abs_url(group[code]),
                "url": self.r.url(group[code]),
                "name": own_name(self.tag(code)),
                "current": group[code] == url,
                "default": not code,
            }
            for code in self.codes()
            if code in group
        ]
        if default and "" in group:
            out.append({**out[0], "lang": "x-default", "current": False})
        return out

    def note(self, reader: str, target: str) -> str:
        """ " (in English)" in the reader's language (``reader``, ``target``: language tags)."""
        tr = self.r.catalogue("" if reader == self.r.config.language else reader).gettext
        return " " + tr("(in %(language)s)") % {"language": language_name(target, reader)}

    def note_for(self, lang: str) -> Callable[[Page], Markup]:
        """The ``in_other_language(p)`` of ``lang``'s templates: ``hreflang`` and the note, for a
        link to ``p`` when ``p`` is not in ``lang``, as HTML to put in the link."""

        return lambda page: self.note_html(lang, page.lang)

    def note_html(self, lang: str, target: str) -> Markup:
        """The note for a link from a page in ``lang`` to one in ``target``, as HTML ("" when the same)."""
        if lang == target:
            return Markup("")
        reader = self.tag(lang)
        return Markup('<span class="lang-note" lang="{}">{}</span>').format(reader, self.note(reader, self.tag(target)))

    def hreflang_for(self, lang: str) -> Callable[[Page], Markup]:
        """The ``hreflang_of(p)`` of ``lang``'s templates: `` hreflang="en-GB" lang="en-GB"`` for a
        link to ``p`` showing its title, when ``p`` is not in ``lang`` (attributes for the ``<a>``
        tag), else nothing."""

        def hreflang(page: Page) -> Markup:
            return Markup("") if page.lang == lang else Markup(' hreflang="{0}" lang="{0}"').format(self.tag(page.lang))

        return hreflang

    def lang_for(self, lang: str) -> Callable[[Page], Markup]:
        """The ``lang_of(p)`` of ``lang``'s templates: `` lang="en-GB"`` for an element showing
        ``p``'s text when ``p`` is not in ``lang`` (WCAG 3.1.2, language of parts), else nothing."""

        def lang_attr(page: Page) -> Markup:
            return Markup("") if page.lang == lang else Markup(' lang="{}"').format(self.tag(page.lang))

        return lang_attr

    def translation(self, page: Page) -> dict[str, Any] | None:
        """What a translated page says about itself: who translated it, from which version,
        whether a medical translator checked it, and whether its source changed since."""
        source = page.source
        if source is None:
            return None
        return {
            "source_url": self.r.url(source.url),
            "source_lang": self.r.config.language,
            "source_language": language_name(self.r.config.language, page.lang),
            "stale": is_stale(page),
            "reviewed": source.data.get("last_reviewed"),
            "translated_from": page.translated.get("translated_from"),
            "translated_by": page.translated.get("translated_by") or "",
            "checked_by": page.translated.get("translation_checked_by") or "",
        }
