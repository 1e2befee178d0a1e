"""Plain dataclasses for the content model: what each stage passes to the next."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from spinesite.content.yamlnodes import Parsed


@dataclass
class SourceFile:
    """One content file after loading: raw front matter (with lines) and Markdown body."""

    rel: str  # path relative to the site folder, with forward slashes
    kind: str  # content type: conditions, stretches, ...
    slug: str
    parsed: Parsed
    body: str | None  # None: not read this time (unchanged since the last build); see loader.read_body
    body_line: int  # 1-based line where the body starts
    digest: str  # sha256 of the raw bytes
    stat: tuple[int, int, int, int] | None = None  # size, mtime_ns, ctime_ns, inode when read
    lang: str = ""  # a translation (content/<kind>/<slug>.<lang>.md): its language tag; "" the default language


@dataclass
class Page:
    """A validated page placed in the site graph, filled in by later stages."""

    kind: str
    slug: str
    rel: str
    url: str  # site-relative URL, always starting and ending with "/"
    data: dict[str, Any]
    body: str | None  # None until needed (see loader.read_body)
    body_line: int
    parsed: Parsed
    html: str = ""
    toc: list[dict[str, Any]] = field(default_factory=list)
    fields_html: dict[str, Any] = field(default_factory=dict)  # rendered Markdown front-matter fields
    backlinks: dict[str, list[Page]] = field(default_factory=dict)  # kind -> pages linking here
    refs: dict[str, list[Page]] = field(default_factory=dict)  # field -> referenced pages
    parent: Page | None = None
    children: list[Page] = field(default_factory=list)
    digest: str = ""  # of the source file
    markdown_key: str = ""  # set when html/toc/fields_html are kept in the Markdown store, not here
    lang: str = ""  # a translation's language tag as configured ("es"); "" the site's default language
    source: Page | None = None  # a translation: the page it translates
    translations: dict[str, Page] = field(default_factory=dict)  # a source page: language tag -> its translation
    translated: dict[str, Any] = field(default_factory=dict)  # a translation: its own validated front matter

    def in_language(self, lang: str) -> Page:
        """This page's version in ``lang`` ("": the default language), or the source page when
        it has none (a link then goes to the source-language page)."""
        origin = self.source or self
        return origin.translations.get(lang, origin) if lang else origin

    @property
    def title(self) -> str:
        return str(self.data["title"])

    @property
    def output_path(self) -> str:
        """File path inside the output folder, e.g. ``conditions/x/index.html``."""
        return self.url.strip("/") + "/index.html" if self.url != "/" else "index.html"

    def __hash__(self) -> int:
        return hash(self.rel)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Page) and other.rel == self.rel


@dataclass
class Listing:
    """A generated page (index, level page, handout, feed...) rendered from a template."""

    url: str
    template: str
    title: str
    context: dict[str, Any] = field(default_factory=dict)
    lang: str = ""  # the language it is in ("": the default language)

    @property
    def output_path(self) -> str:
        if not self.url.endswith("/"):
            return self.url.lstrip("/")
        return self.url.strip("/") + "/index.html" if self.url != "/" else "index.html"


def listing_id(listing: Listing) -> str:
    """A generated page's name among the build's outputs (page rels start with ``content/``)."""
    return "listing:" + listing.url
