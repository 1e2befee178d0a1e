"""``spinesite.yaml``: the site configuration, validated declaratively (every error collected)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from spinesite.content.fields import Bool, Ctx, Enum, Field, Int, List, Map, Obj, Slug, Str, Url, validate_fields
from spinesite.content.yamlnodes import Parsed, YamlError, parse
from spinesite.diagnostics import Diagnostics
from spinesite.languagenames import language_name

CONFIG_FILE = "spinesite.yaml"
LANGUAGE_TAG = r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$"

CARE_CARD = Obj(
    (
        Field("level", Enum(("emergency", "urgent", "non-urgent")), required=True, doc="How urgent."),
        Field("heading", Str(max_len=200), required=True, doc="What to do, e.g. 'Call 999 or go to A&E if you have'."),
        Field("items", List(Str(max_len=300), min_items=1), required=True, doc="The signs, one per item."),
        Field("note", Str(max_len=500), doc="An extra line under the list."),
        Field(
            "other_words",
            List(Str(max_len=100)),
            default=list,
            doc="Other words people use for these signs (e.g. 'saddle numbness'), shown on the urgent help page so searches for them find it.",
        ),
    ),
    hint="care card",
)

LIMITS = Obj(
    (
        Field("max_file_kb", Int(1, 100_000), default=1024, doc="Largest content file accepted, in KB."),
        Field("markdown_seconds", Int(1, 600), default=10, doc="Time budget to render one page's Markdown."),
    ),
    hint="limits",
)

CHECKS = Obj(
    (
        Field("reading_grade", Int(1, 20), default=8, doc="Warn when a page's reading grade is above this."),
        Field(
            "reading_ease",
            Int(0, 120),
            default=60,
            doc="Spanish pages: warn when a page's Fernández-Huerta reading ease is below this (60–70: plain; 70–80: easy).",
        ),
        Field("review_warn_days", Int(0, 3650), default=90, doc="Warn this many days before `next_review`."),
        Field("orphans", Bool(), default=True, doc="Warn about pages nothing links to."),
        Field("external_timeout", Int(1, 120), default=10, doc="`check --external`: seconds to wait for each server."),
        Field("external_retries", Int(0, 5), default=2, doc="`check --external`: tries again after a failure (with backoff)."),
        Field("external_concurrency", Int(1, 32), default=8, doc="`check --external`: links checked at the same time."),
        Field("external_cache_hours", Int(0, 720), default=24, doc="`check --external`: reuse answers this recent (0: ask again)."),
    ),
    hint="checks",
)

REVIEWER = Obj(
    (
        Field("name", Str(max_len=200), required=True, doc="Full name, as pages write it in `reviewed_by`."),
        Field("qualification", Str(max_len=200), required=True, doc="Profession and qualification, e.g. 'Physiotherapist, MCSP'."),
        Field("id", Slug(), doc="A short name pages may use in `reviewed_by` instead, e.g. `jsmith`."),
    ),
    hint="reviewer",
)

LANGUAGE = Obj(
    (
        Field("title", Str(max_len=200), doc="Site name in this language (default: the site's `title`)."),
        Field("description", Str(max_len=400), doc="One sentence about the site, in this language."),
        Field("disclaimer", Str(max_len=1000), doc="The disclaimer at the foot of every page, in this language."),
        Field("emergency_number", Str(max_len=40), doc="Emergency telephone number (default: the site's)."),
        Field("care_cards", List(CARE_CARD), doc="The site's care cards in this language, same levels as `care_cards`."),
    ),
    hint="language",
)

FIELDS: tuple[Field, ...] = (
    Field("title", Str(max_len=200), required=True, doc="Site name."),
    Field("base_url", Url(), required=True, doc="Public address of the site, e.g. `https://example.org/`."),
    Field(
        "language",
        Str(max_len=20, pattern=LANGUAGE_TAG, hint="language tag"),
        default="en-GB",
        doc="Language tag of the content.",
    ),
    Field(
        "languages",
        Map(LANGUAGE, LANGUAGE_TAG, "language tag"),
        default=dict,
        doc="Other languages the site is published in, each with its site strings, e.g. `es: {title: ..., care_cards: [...]}`."
        " A page's translation is `content/<type>/<slug>.<language>.md`, published under `/<language>/`.",
    ),
    Field("description", Str(max_len=400), default="", doc="One sentence about the site (home page, meta description)."),
    Field("publisher", Str(max_len=200), default="", doc="Who publishes the site."),
    Field("disclaimer", Str(max_len=1000), default="", doc="Short disclaimer shown at the foot of every page."),
    Field("emergency_number", Str(max_len=40), default="999", doc="Emergency telephone number shown on care cards."),
    Field("care_cards", List(CARE_CARD), default=list, doc="Site-wide red flags, shown as care cards on every condition page."),
    Field("search", Bool(), default=True, doc="Build the search index."),
    Field("feed_entries", Int(1, 1000), default=20, doc="Number of entries in the Atom feed."),
    Field(
        "index_page_size",
        Int(10, 10_000),
        default=100,
        doc="Most entries on one page of a type's index (A to Z, stretches...); a longer index is split into pages"
        " (`/stretches/`, `/stretches/page/2/`, ...) so that each stays quick to load on a phone.",
    ),
    Field(
        "reviewers",
        List(REVIEWER),
        default=list,
        doc="Health professionals who check pages; a page is reviewed only when its `reviewed_by` names one of them.",
    ),
    Field("require_review", Bool(), default=False, doc="Make every page not yet reviewed an error in `check` and `build --strict`."),
    Field("require_codes", Bool(), default=False, doc="Warn about every condition without `codes:` (its diagnosis codes)."),
    Field("limits", LIMITS, default=LIMITS.defaults, doc="Safety limits."),
    Field(
        "checks",
        CHECKS,
        default=CHECKS.defaults,
        doc="Thresholds for `spinesite check`.",
    ),
)


@dataclass(frozen=True)
class Limits:
    max_file_kb: int
    markdown_seconds: int


@dataclass(frozen=True)
class Checks:
    reading_grade: int
    reading_ease: int
    review_warn_days: int
    orphans: bool
    external_timeout: int
    external_retries: int
    external_concurrency: int
    external_cache_hours: int


@dataclass(frozen=True)
class CareCard:
    level: str
    heading: str
    items: tuple[str, ...]
    note: str | None
    other_words: tuple[str, ...]


@dataclass(frozen=True)
class Reviewer:
    """One entry of ``reviewers:`` in spinesite.yaml."""

    name: str
    qualification: str
    id: str = ""


@dataclass(frozen=True)
class Language:
    """One entry of ``languages:``: a language the site is also published in, and its site strings
    (None: the default language's is used)."""

    code: str  # as written in spinesite.yaml and in file names: "es", "pt-BR"
    title: str | None
    description: str | None
    disclaimer: str | None
    emergency_number: str | None
    care_cards: tuple[CareCard, ...] | None


def _care_cards(cards: list[dict[str, Any]]) -> tuple[CareCard, ...]:
    return tuple(CareCard(c["level"], c["heading"], tuple(c["items"]), c["note"], tuple(c["other_words"])) for c in cards)


@dataclass(frozen=True)
class Config:
    """The validated ``spinesite.yaml``: one typed attribute per setting of :data:`FIELDS`
    (whose declarations hold the defaults; a test keeps the two in step)."""

    title: str
    base_url: str
    language: str
    languages: tuple[Language, ...]
    description: str
    publisher: str
    disclaimer: str
    emergency_number: str
    care_cards: tuple[CareCard, ...]
    search: bool
    feed_entries: int
    index_page_size: int
    reviewers: tuple[Reviewer, ...]
    require_review: bool
    require_codes: bool
    limits: Limits
    checks: Checks

    @property
    def base(self) -> str:
        return self.base_url.rstrip("/") + "/"

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> Config:
        """The typed config from a complete validated mapping (see :func:`validate_fields`)."""
        return cls(
            **{k: v for k, v in data.items() if k not in _NESTED},
            care_cards=_care_cards(data["care_cards"]),
            languages=tuple(
                Language(
                    code,
                    v["title"],
                    v["description"],
                    v["disclaimer"],
                    v["emergency_number"],
                    _care_cards(v["care_cards"]) if v["care_cards"] is not None else None,
                )
                for code, v in data["languages"].items()
            ),
            reviewers=tuple(
                Reviewer(str(r["name"]), str(r.get("qualification") or ""), str(r.get("id") or ""))
                for r in data["reviewers"]
                if isinstance(r, dict) and r.get("name")
            ),
            limits=Limits(**data["limits"]),
            checks=Checks(**data["checks"]),
        )

    def language_codes(self) -> tuple[str, ...]:
        """Every language the site is published in, the default first."""
        return (self.language, *(lang.code for lang in self.languages))

    def translation_language(self, code: str) -> Language | None:
        """The configured other language ``code`` names (letter case does not matter)."""
        return next((lang for lang in self.languages if lang.code.lower() == code.lower()), None)

    def in_language(self, code: str) -> Config:
        """This config as a page in ``code`` sees it: that language's site strings (the default
        language's where it has none). ``code`` "" or the default: this config."""
        lang = self.translation_language(code) if code else None
        if lang is None:
            return self
        return dataclasses.replace(
            self,
            language=lang.code,
            title=lang.title or self.title,
            description=lang.description if lang.description is not None else self.description,
            disclaimer=lang.disclaimer if lang.disclaimer is not None else self.disclaimer,
            emergency_number=lang.emergency_number or self.emergency_number,
            care_cards=lang.care_cards if lang.care_cards is not None else self.care_cards,
        )


_NESTED = frozenset({"care_cards", "reviewers", "limits", "checks", "languages"})


def load_config(site: Path, diags: Diagnostics, *, base_url: str | None = None) -> Config:
    """Read and validate ``spinesite.yaml``; problems go to ``diags``. ``base_url`` (from the
    command line) replaces the file's ``base_url``."""
    path = site / CONFIG_FILE
    data: Any = {}
    parsed = Parsed({})
    if not path.is_file():
        diags.error(CONFIG_FILE, 0, f"no {CONFIG_FILE} found in {site}")
    else:
        try:
            parsed = parse(path.read_text(encoding="utf-8-sig"))
            data = parsed.value if parsed.value is not None else {}
        except UnicodeDecodeError as exc:
            diags.error(CONFIG_FILE, 0, f"not valid UTF-8 (byte {exc.start})")
        except YamlError as exc:
            diags.error(CONFIG_FILE, exc.line, exc.message)
    if not isinstance(data, dict):
        diags.error(CONFIG_FILE, parsed.line(()), "must be a mapping of settings")
        data = {}
    if base_url is not None:
        data = {**data, "base_url": base_url}
    ctx = Ctx(CONFIG_FILE, parsed, diags)
    clean = validate_fields(data, FIELDS, ctx)
    _unique_reviewers(data.get("reviewers"), ctx)
    _check_languages(clean, ctx)
    if not clean.get("title"):
        clean["title"] = "Untitled site"
    if not clean.get("base_url"):
        clean["base_url"] = "https://example.org/"
    return Config.from_data(clean)


def _unique_reviewers(entries: Any, ctx: Ctx) -> None:
    """Each reviewer's name and id once: ``reviewed_by`` must name exactly one of them."""
    seen: set[str] = set()
    for i, entry in enumerate(entries if isinstance(entries, list) else []):
        for key in ("name", "id") if isinstance(entry, dict) else ():
            value = entry.get(key)
            if isinstance(value, str) and value.strip():
                norm = " ".join(value.split()).casefold()
                if norm in seen:
                    ctx.error(("reviewers", i, key), f"'{value.strip()}' is listed twice")
                seen.add(norm)


def _check_languages(clean: dict[str, Any], ctx: Ctx) -> None:
    """Each other language once, not the default, with its own red flags and disclaimer."""
    default, seen = str(clean.get("language") or ""), set()
    for code, strings in list((clean.get("languages") or {}).items()):
        key = ("languages", code)
        if code.lower() == default.lower():
            ctx.error(key, f"is the default language (language: {default}); list only the other languages here")
            del clean["languages"][code]
            continue
        if code.lower() in seen:
            ctx.error(key, "is listed twice (language tags ignore letter case)")
            del clean["languages"][code]
            continue
        seen.add(code.lower())
        for name in ("care_cards", "disclaimer"):
            if strings.get(name) is None and clean.get(name):
                ctx.diags.warning(
                    ctx.path,
                    ctx.parsed.line(key),
                    f"languages.{code}: no {name}, so its pages show the {language_name(default)} {name.replace('_', ' ')}; translate them",
                )
