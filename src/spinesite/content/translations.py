"""Translations: ``content/<type>/<slug>.<lang>.md`` beside its source ``<slug>.md``.

A translation carries only translatable text (its type's ``translatable`` paths in the
content-type registry, plus title, summary and aliases); structure (references, levels,
evidence, hold time, images, review dates) comes from the source page and cannot be
overridden. This module declares what a translation may hold (:func:`translation_fields`),
finds structure set in one (:func:`structure_errors`), and places translations beside their
sources in the site graph (:func:`attach`): their URL under ``/<lang>/``, their merged data,
and the warnings that matter most in health content: a translation older than its source,
and text shown untranslated.

Imports: ``contenttypes``, ``fields``, ``model``, ``config`` (the reading stage).
"""

from __future__ import annotations

import copy
import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any

from spinesite.content import contenttypes
from spinesite.content.config import Config
from spinesite.content.fields import Date, Field, List, Obj, Str
from spinesite.content.model import Page
from spinesite.content.yamlnodes import Parsed
from spinesite.diagnostics import Diagnostics, did_you_mean
from spinesite.languagenames import language_name

_NAME_RE = re.compile(r"^(?P<slug>[a-z0-9]+(?:-[a-z0-9]+)*)\.(?P<lang>[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*)$")
COMMON_TEXT = ("title", "summary", "aliases")  # translatable in every type
SEARCH_ONLY = frozenset({"aliases"})  # not shown on the page: no warning when left untranslated

TRANSLATION_FIELDS: tuple[Field, ...] = (
    Field("translated_from", Date(), required=True, doc="The source page's `last_reviewed` date this translation was made from."),
    Field("translated_by", Str(max_len=200), required=True, doc="Who translated the page."),
    Field(
        "translation_checked_by",
        Str(max_len=200),
        doc="The qualified medical translator who checked the translation; leave out until one has (the page then says so).",
    ),
)


def split_name(stem: str) -> tuple[str, str]:
    """(slug, language) of a content file's name without ``.md``: ``bridge.es`` -> ("bridge", "es");
    ("bridge", "") for a page in the default language (or a name that is neither)."""
    m = _NAME_RE.match(stem)
    return (m["slug"], m["lang"]) if m else (stem, "")


def translatable_paths(kind: str) -> tuple[str, ...]:
    """What a translation of ``kind`` may hold: ``steps``, ``illustration.alt``, ``guidelines[].says``..."""
    return COMMON_TEXT + contenttypes.by_folder(kind).translatable


@cache
def _fields_for(kind: str, types: tuple[contenttypes.ContentType, ...]) -> tuple[Field, ...]:
    paths = translatable_paths(kind)
    own = {f.name: f for f in contenttypes.by_folder(kind).fields}
    out = []
    for name in dict.fromkeys(p.split(".")[0].removesuffix("[]") for p in paths):
        f = own[name]
        subs = [p[len(name) :].lstrip(".").removeprefix("[].") for p in paths if p.split(".")[0].removesuffix("[]") == name]
        ftype = _narrow(f.type, [s for s in subs if s])
        out.append(Field(name, ftype, required=name in ("title", "summary"), default=None, doc=f.doc))
    return (*out, *TRANSLATION_FIELDS)


def translation_fields(kind: str) -> tuple[Field, ...]:
    """The front matter of a translation of ``kind``: its translatable fields (none required
    but the title and summary) and the translation's own three."""
    return _fields_for(kind, contenttypes.TYPES)


def _narrow(ftype: Any, subs: list[str]) -> Any:
    """``ftype`` keeping only the sub-fields ``subs`` (dotted) of an object or list of objects."""
    if not subs:
        return ftype
    if isinstance(ftype, List):
        return List(_narrow(ftype.item, subs), ftype.min_items, ftype.unique)
    assert isinstance(ftype, Obj), ftype
    keep = []
    for f in ftype.fields:
        inner = [s[len(f.name) :].lstrip(".") for s in subs if s.split(".")[0] == f.name]
        if inner:
            keep.append(Field(f.name, _narrow(f.type, [s for s in inner if s]), f.required, f.default, f.doc))
    return Obj(tuple(keep), ftype.hint)


def structure_errors(value: dict[str, Any], kind: str, rel: str, parsed: Parsed, diags: Diagnostics) -> dict[str, Any]:
    """Report (and drop) every key of a translation's front matter that belongs to the source's
    structure; returns what is left to validate against :func:`translation_fields`."""
    source = f"{rel.rsplit('/', 1)[0]}/{split_name(rel.rsplit('/', 1)[1].removesuffix('.md'))[0]}.md"
    left: dict[str, Any] = _drop_structure(
        value, contenttypes.by_folder(kind).fields, translation_fields(kind), (), source, parsed, rel, diags
    )
    return left


def _drop_structure(
    value: Any,
    full: Iterable[Field],
    allowed: Iterable[Field],
    key: tuple[Any, ...],
    source: str,
    parsed: Parsed,
    rel: str,
    diags: Diagnostics,
) -> Any:
    if not isinstance(value, dict):
        return value
    full_by, allowed_by = {f.name: f for f in full}, {f.name: f for f in allowed}
    out = {}
    for name, item in value.items():
        where = (*key, name)
        if name in allowed_by:
            sub_full, sub_allowed = _obj_fields(full_by.get(name)), _obj_fields(allowed_by[name])
            if sub_full is not None and sub_allowed is not None:
                if isinstance(item, list):
                    item = [_drop_structure(x, sub_full, sub_allowed, (*where, i), source, parsed, rel, diags) for i, x in enumerate(item)]
                else:
                    item = _drop_structure(item, sub_full, sub_allowed, where, source, parsed, rel, diags)
            out[name] = item
        elif name in full_by:
            label = ".".join(str(k) if not isinstance(k, int) else f"[{k}]" for k in where).replace(".[", "[")
            diags.error(
                rel, parsed.line(where), f"{label}: comes from the source page ({source}) and cannot be set in a translation; remove it"
            )
        else:
            out[name] = item  # unknown: validation says so, with a suggestion
    return out


def _obj_fields(f: Field | None) -> tuple[Field, ...] | None:
    t = f.type if f is not None else None
    t = t.item if isinstance(t, List) else t
    return t.fields if isinstance(t, Obj) else None


@dataclass(frozen=True)
class Languages:
    """The site's languages as the graph needs them: the default tag and the others by lower-case tag."""

    default: str
    others: dict[str, str]  # lower-case tag -> tag as configured

    @classmethod
    def of(cls, config: Config) -> Languages:
        return cls(config.language, {lang.code.lower(): lang.code for lang in config.languages})

    @classmethod
    def of_nothing(cls) -> Languages:
        """A site in one language (tests and tools that build a graph without a config)."""
        return cls("en", {})

    def prefix(self, code: str) -> str:
        """The folder a language's pages are published in: ``/es/``."""
        return f"/{code.lower()}/"


def attach(translations: list[Page], sources: list[Page], all_sources: list[Page], langs: Languages, diags: Diagnostics) -> list[Page]:
    """Place each translation beside its published source: language, URL, merged data; the
    problems named in the module docstring. Returns the published translations."""
    by_rel = {p.rel: p for p in sources}
    by_slug = {(p.kind, p.slug): p for p in sources}
    known = {p.rel for p in all_sources}
    placed: dict[tuple[str, str], Page] = {}
    out = []
    for page in sorted(translations, key=lambda p: p.rel):
        folder, name = page.rel.rsplit("/", 1)
        stem, written = split_name(name.removesuffix(".md"))
        code = langs.others.get(written.lower())
        if code is None:
            _unknown_language(page, written, langs, diags)
            continue
        source = by_rel.get(f"{folder}/{stem}.md") or by_slug.get((page.kind, stem))
        if source is None:
            if f"{folder}/{stem}.md" not in known:  # a draft, or a file with its own error: nothing to add
                slugs = {p.rel.rsplit("/", 1)[1].removesuffix(".md") for p in all_sources if p.kind == page.kind}
                diags.error(
                    page.rel,
                    0,
                    f"no page {folder}/{stem}.md to translate: a translation sits beside its source, with the same name{did_you_mean(stem, slugs)}",
                )
            continue
        other = placed.get((source.rel, code))
        if other is not None:
            diags.error(
                page.rel, 0, f"duplicate translation: {other.rel} and {page.rel} both translate {source.rel} into {code}; remove one"
            )
            continue
        placed[(source.rel, code)] = page
        page.lang, page.source, page.slug = code, source, source.slug
        page.url = langs.prefix(code) + source.url.lstrip("/")
        page.translated = page.data
        page.data = merged(source.data, page.data, page.kind)
        source.translations[code] = page
        _check_translation(page, source, langs, diags)
        out.append(page)
    return out


def _unknown_language(page: Page, written: str, langs: Languages, diags: Diagnostics) -> None:
    configured = ", ".join([f"{langs.default} (default)", *langs.others.values()])
    if written.lower() == langs.default.lower():
        stem = page.rel.rsplit("/", 1)[1].split(".")[0]
        diags.error(page.rel, 0, f"'{written}' is the default language: its page is {page.rel.rsplit('/', 1)[0]}/{stem}.md")
        return
    diags.error(
        page.rel,
        0,
        f"language '{written}' is not configured (spinesite.yaml has {configured}); add it under languages: or rename the file",
    )


def merged(source: dict[str, Any], own: dict[str, Any], kind: str) -> dict[str, Any]:
    """The source's front matter with a translation's text laid over it (what is not
    translated stays the source's)."""
    out = copy.deepcopy(source)
    for path in translatable_paths(kind):
        _lay(out, own, path.replace("[]", ".[]").split("."))
    return out


def _lay(target: Any, own: Any, parts: list[str]) -> None:
    head, rest = parts[0], parts[1:]
    if head == "[]":
        if isinstance(target, list) and isinstance(own, list) and len(own) == len(target):
            for t, o in zip(target, own, strict=True):
                _lay(t, o, rest)
        return
    if not isinstance(target, dict) or not isinstance(own, dict) or own.get(head) is None:
        return
    if not rest:
        target[head] = copy.deepcopy(own[head])
    elif isinstance(target.get(head), (dict, list)):
        _lay(target[head], own[head], rest)


def _check_translation(page: Page, source: Page, langs: Languages, diags: Diagnostics) -> None:
    own = page.translated
    reviewed, made = source.data.get("last_reviewed"), own.get("translated_from")
    if isinstance(reviewed, dt.date) and isinstance(made, dt.date):
        line = page.parsed.line(("translated_from",))
        if is_stale(page):
            diags.warning(
                page.rel,
                line,
                f"translation is older than its source ({source.rel} reviewed {reviewed.isoformat()}, translated from {made.isoformat()})",
                "translation-stale",
            )
        elif made > reviewed:
            diags.warning(
                page.rel,
                line,
                f"translated_from: {made.isoformat()} is later than the source's last_reviewed ({reviewed.isoformat()}); "
                "write the last_reviewed date of the version you translated",
            )
    for path in translatable_paths(page.kind):
        name = path.split(".")[0].removesuffix("[]")
        if name in SEARCH_ONLY or not _has(source.data, path):
            continue
        if not _has(own, path):
            diags.warning(
                page.rel,
                1,
                f"{path.replace('[]', '')} is not translated, so the page shows it in {language_name(langs.default)}; translate it",
            )
        elif path.endswith(("[]", "]")) or "[]" in path:
            theirs, mine = source.data.get(name), own.get(name)
            if isinstance(theirs, list) and isinstance(mine, list) and len(theirs) != len(mine):
                diags.error(
                    page.rel,
                    page.parsed.line((name,)),
                    f"{name}: has {len(mine)} item(s) but the source has {len(theirs)}; translate each of the source's items, in order",
                )


def _has(data: Any, path: str) -> bool:
    """The value at ``path`` is there and not empty (``guidelines[].says``: in the first item)."""
    value = data
    for part in path.replace("[]", ".[]").split("."):
        if part == "[]":
            if not isinstance(value, list) or not value:
                return False
            value = value[0]
        elif isinstance(value, dict):
            value = value.get(part)
        else:
            return False
    return value not in (None, "", [], {})


def link_back(translated: list[Page]) -> None:
    """A translation's references, reverse links, parent and children: each page in the same
    language when it has a translation, else the source-language page."""
    for page in translated:
        src = page.source
        assert src is not None
        lang = page.lang
        page.refs = {name: [p.in_language(lang) for p in refs] for name, refs in src.refs.items()}
        page.backlinks = type(src.backlinks)((k, [p.in_language(lang) for p in v]) for k, v in src.backlinks.items())
        page.parent = src.parent.in_language(lang) if src.parent is not None else None
        page.children = [p.in_language(lang) for p in src.children]


def coverage(pages: Iterable[Page], langs: Languages) -> dict[str, dict[str, int]]:
    """Per other language: pages translated, translations older than their source (``stale``),
    and published pages in the default language with no translation (``missing``)."""
    pages = list(pages)
    originals = [p for p in pages if not p.lang]
    out = {}
    for code in langs.others.values():
        mine = [p for p in pages if p.lang == code]
        stale = sum(1 for p in mine if is_stale(p))
        out[code] = {"translated": len(mine), "stale": stale, "missing": sum(1 for p in originals if code not in p.translations)}
    return out


def is_stale(page: Page) -> bool:
    """A translation made from an older version of its source (reviewed since)."""
    if page.source is None:
        return False
    reviewed, made = page.source.data.get("last_reviewed"), page.translated.get("translated_from")
    return isinstance(reviewed, dt.date) and isinstance(made, dt.date) and reviewed > made


def coverage_lines(found: dict[str, dict[str, int]], default: str) -> list[str]:
    """``spinesite check``'s lines about translations, one per language."""
    return [
        f"Translations into {language_name(code)} ({code}): {c['translated']} translated, {c['stale']} older than their source, "
        f"{c['missing']} {language_name(default)} page{'s' * (c['missing'] != 1)} not translated."
        for code, c in found.items()
    ]
