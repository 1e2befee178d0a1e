"""``spinesite translate PAGE LANG``: start a translation of a page, beside it.

Writes ``content/<type>/<slug>.<lang>.md`` holding every translatable field the source has
(``translations.translatable_paths``), each marked ``TODO:`` and followed by the source's text
to translate, ``translated_from`` set to the source's ``last_reviewed`` date, and the source's
body under a ``TODO`` line. The placeholder check makes ``build --strict`` and ``check`` fail
until every ``TODO`` is translated. Never overwrites a file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from spinesite.authoring.scaffold import Created, ScaffoldError, write_page
from spinesite.content.config import CONFIG_FILE, load_config
from spinesite.content.contenttypes import folders
from spinesite.content.fields import Ctx, validate_fields
from spinesite.content.loader import CONTENT, load_file, split_front_matter
from spinesite.content.poses import resolve
from spinesite.content.translations import split_name, translatable_paths, translation_fields
from spinesite.content.validate import validate_pages
from spinesite.content.yamlnodes import parse
from spinesite.diagnostics import Diagnostics
from spinesite.languagenames import language_name

TODO = "TODO: "


def source_rel(site: Path, page: str) -> str:
    """``content/<type>/<slug>.md`` of the page named by ``page``: a path (from here or from the
    site folder), or ``<type>/<slug>``."""
    candidates = [Path(page), site / page, site / CONTENT / page, site / CONTENT / f"{page}.md"]
    root = (site / CONTENT).resolve()
    for candidate in candidates:
        if candidate.is_file() and candidate.resolve().is_relative_to(root):
            rel = candidate.resolve().relative_to(site.resolve()).as_posix()
            parts = rel.split("/")
            if len(parts) == 3 and parts[1] in folders() and parts[2].endswith(".md"):
                if split_name(parts[2].removesuffix(".md"))[1]:
                    raise ScaffoldError(f"{rel} is itself a translation; give the page it translates", 2)
                return rel
    raise ScaffoldError(f"no page {page} in {site / CONTENT}; give its file, e.g. content/stretches/bridge.md", 2)


def create_translation(site: Path, page: str, lang_arg: str) -> Created:
    """Write the translation scaffold of ``page`` into ``lang_arg``; raises :class:`ScaffoldError`."""
    if not (site / CONFIG_FILE).is_file():
        raise ScaffoldError(f"{site} is not a spinesite site (no {CONFIG_FILE}); give the site folder as the last argument", 2)
    diags = Diagnostics()
    config = load_config(site, diags)
    lang = config.translation_language(lang_arg)
    if lang is None:
        configured = ", ".join(x.code for x in config.languages) or "none"
        raise ScaffoldError(
            f"language '{lang_arg}' is not configured (spinesite.yaml lists {configured} besides {config.language}); add it under languages: first",
            2,
        )
    rel = source_rel(site, page)
    kind, name = rel.split("/")[1], rel.split("/")[2].removesuffix(".md")
    src = load_file(site / rel, rel, kind, diags, config.limits.max_file_kb * 1024)
    data = validate_pages([src], diags)[0].data if src is not None else {}
    if diags.errors or src is None:
        raise ScaffoldError(f"{rel} has errors; fix them first (spinesite check):\n" + "\n".join(d.format() for d in diags.errors), 1)
    target = f"{CONTENT}/{kind}/{name}.{lang.code}.md"
    text = scaffold_text(kind, data, src.body or "", language_name(lang.code))
    _check(text, kind, target)
    path = write_page(site, kind, target.rsplit("/", 1)[1], text, "Edit it instead.")
    return Created(path, target, rel)


def scaffold_text(kind: str, data: dict[str, Any], body: str, language: str) -> str:
    """The translation file: front matter with every translatable text marked TODO, then the body."""
    front: dict[str, Any] = {}
    for path in translatable_paths(kind):
        _copy(front, data, path.replace("[]", ".[]").split("."))
    figure = data.get("figure")
    if isinstance(figure, dict) and "figure.start.alt" in translatable_paths(kind):  # a drawn figure's words: its pose's own
        for key in ("start", "end"):
            if isinstance(figure.get(key), dict) and not figure[key].get("alt"):
                front.setdefault("figure", {}).setdefault(key, {})["alt"] = TODO + str(resolve(figure[key])["alt"])
        if "figure" in front:  # in the order of the source: start, then end
            front["figure"] = {key: front["figure"][key] for key in ("start", "end") if key in front["figure"]}
    front = {k: v for k, v in front.items() if v not in ({}, [])}
    front["translated_from"] = data.get("last_reviewed")
    front["translated_by"] = "TODO: your name"
    yaml_text = yaml.safe_dump(front, allow_unicode=True, sort_keys=False, width=4096, default_flow_style=False)
    head = f"TODO: translate this page into {language}, then delete this line.\n\n"
    return f"---\n{yaml_text}---\n{head}{body.lstrip(chr(10))}"


def _copy(out: dict[str, Any], data: Any, parts: list[str]) -> None:
    head, rest = parts[0], parts[1:]
    value = data.get(head) if isinstance(data, dict) else None
    if value in (None, "", [], {}):
        return
    if not rest:
        out[head] = _todo(value)
    elif rest[0] == "[]" and isinstance(value, list):
        items = out.setdefault(head, [{} for _ in value])
        for item, theirs in zip(items, value, strict=True):
            _copy(item, theirs, rest[1:])
    elif isinstance(value, dict):
        inner: dict[str, Any] = {}
        _copy(inner, value, rest)
        if inner:
            out.setdefault(head, {}).update(inner)


def _todo(value: Any) -> Any:
    if isinstance(value, str):
        return TODO + value
    if isinstance(value, list):
        return [_todo(v) for v in value]
    if isinstance(value, dict):
        return {k: _todo(v) for k, v in value.items()}
    return value


def _check(text: str, kind: str, where: str) -> None:
    """The scaffold must be a valid translation (bar its TODOs): a bug here, not the editor's."""
    diags = Diagnostics()
    split = split_front_matter(text, where, diags)
    assert split is not None, diags.items
    parsed = parse(split[0], first_line=2)
    validate_fields(parsed.value, translation_fields(kind), Ctx(where, parsed, diags))
    if diags.errors:
        raise ScaffoldError("the translation scaffold is not valid:\n" + "\n".join(d.format() for d in diags.errors), 1)
