"""The content-type registry: one record per type of page, read by everything else.

A content type is a folder of Markdown files (``content/<folder>/<slug>.md``). Its record
says what the rest of spinesite needs to know about it: its names (folder, singular, the
name ``spinesite new`` takes, the plural used in messages), its front-matter fields
(declared in ``schema.py``), its page template and generated index, the fields a reader
reads as prose (readability checks), the body of a new page (``spinesite new``), where its
pages are published, whether an unlinked page is an orphan, and the schema.org type of its
subject (JSON-LD).

Adding a type means adding one :class:`ContentType` to :data:`TYPES` (plus its templates in
the theme or the site's ``templates/``). Every consumer reads :data:`TYPES` when it runs,
through this module (``contenttypes.TYPES`` or the lookup functions), never a copy taken at
import time, so a test can register an extra type with
``monkeypatch.setattr(contenttypes, "TYPES", contenttypes.TYPES + (extra,))``.

Behaviour that belongs to one type stays keyed by its folder name where it lives: the
treatment JSON-LD and guideline jurisdictions, condition levels and handouts, the glossary's
first-use links and search synonyms, the footer menu of ``pages``.

Imports: ``fields`` and ``schema`` only (the bottom floor of the reading stage).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from spinesite.content import schema
from spinesite.content.fields import Field, List, Ref, object_schema


@dataclass(frozen=True, eq=False)
class ContentType:
    folder: str  # content/<folder>/, the key of graph.by_kind and Page.kind: "conditions"
    singular: str  # one page, in messages: "condition", "glossary term"
    cli_name: str  # `spinesite new <cli_name>`, archetypes/<cli_name>.md, the search "type" filter value
    plural: str  # several pages, in messages: "conditions", "glossary terms"
    fields: tuple[Field, ...]  # the front matter (schema.py)
    template: str  # the theme template of one page: "condition.html"
    label: str  # short label of a page of this type (search results): "Condition"
    index_title: str | None = None  # title of the generated index /<folder>/ (template list_<folder>.html); None: no index
    # How the index orders and groups its pages (render/paging.py): "az" (by first letter),
    # "category" (treatment categories), "frequency" (common causes first), "" (as they come).
    # A long index is split into pages between groups where it can.
    index_groups: str = ""
    search_label: str | None = None  # label of its "Type of page" filter on the search page; None: no filter
    prose_fields: tuple[str, ...] = ()  # front-matter fields a reader reads as prose (readability, placeholders)
    archetype_body: str = "TODO\n"  # the Markdown body of a new page (built-in archetype)
    at_site_root: bool = False  # pages are published at /<slug>/ instead of /<folder>/<slug>/
    orphan_check: bool = True  # warn when no other page links to one of its pages
    jsonld_type: str | None = None  # schema.org type of the page's subject (``about``); None: no ``about``
    # What a translation may hold besides title, summary and aliases (translations.py): field names,
    # ``obj.sub`` for one sub-field, ``list[].sub`` for a sub-field of every item.
    translatable: tuple[str, ...] = ()

    def url(self, slug: str) -> str:
        """Where the page ``slug`` of this type is published."""
        return f"/{slug}/" if self.at_site_root else f"/{self.folder}/{slug}/"

    @property
    def index_url(self) -> str:
        return f"/{self.folder}/"

    @property
    def index_template(self) -> str:
        return f"list_{self.folder}.html"


TYPES: tuple[ContentType, ...] = (
    ContentType(
        "conditions",
        "condition",
        "condition",
        "conditions",
        schema.CONDITION,
        "condition.html",
        "Condition",
        index_title="Conditions A to Z",
        index_groups="az",
        search_label="Conditions",
        prose_fields=("symptoms", "non_urgent", "diagnosis", "outlook", "prevention", "faq"),
        archetype_body="## What is it?\n\nTODO: explain the condition in plain words.\n\n## Why it happens\n\nTODO\n",
        jsonld_type="MedicalCondition",
        translatable=("symptoms", "non_urgent", "diagnosis", "outlook", "prevention", "faq"),
    ),
    ContentType(
        "stretches",
        "stretch",
        "stretch",
        "stretches",
        schema.STRETCH,
        "stretch.html",
        "Exercise",
        index_title="Stretches and exercises",
        search_label="Stretches and exercises",
        prose_fields=("starting_position", "steps", "stop_if", "illustration"),
        archetype_body="## How it can help\n\nTODO: say what the exercise does, in plain words.\n\n"
        "**Check with your doctor or physiotherapist before starting.**\n",
        jsonld_type="ExercisePlan",
        translatable=("starting_position", "steps", "stop_if", "repetitions", "illustration.alt", "figure.start.alt", "figure.end.alt"),
    ),
    ContentType(
        "causes",
        "cause",
        "cause",
        "causes",
        schema.CAUSE,
        "cause.html",
        "Cause",
        index_title="Causes and risk factors",
        index_groups="frequency",
        search_label="Causes and risk factors",
        archetype_body="TODO: explain how this leads to the conditions it is linked to.\n",
        jsonld_type="MedicalCause",
    ),
    ContentType(
        "treatments",
        "treatment",
        "treatment",
        "treatments",
        schema.TREATMENT,
        "treatment.html",
        "Treatment",
        index_title="Treatments",
        index_groups="category",
        search_label="Treatments",
        prose_fields=("benefits", "risks", "guidelines"),
        archetype_body="## What it is\n\nTODO: describe the treatment in plain words.\n\n## What to expect\n\nTODO\n",
        jsonld_type="MedicalTherapy",
        translatable=("benefits", "risks", "guidelines[].says", "guidelines[].applies_to"),
    ),
    ContentType(
        "glossary",
        "glossary term",
        "glossary",
        "glossary terms",
        schema.GLOSSARY,
        "glossary_term.html",
        "Glossary",
        index_title="Glossary of medical words",
        index_groups="az",
        search_label="Medical words (glossary)",
        archetype_body="TODO: a one-paragraph definition in plain words.\n",
        orphan_check=False,  # terms are reached through the glossary and first-use links
        jsonld_type="DefinedTerm",
        translatable=("also_called",),
    ),
    ContentType("pages", "page", "page", "pages", schema.PAGE, "page.html", "Page", at_site_root=True),
)


def folders() -> tuple[str, ...]:
    """The content folders, in registry order: ``("conditions", "stretches", ...)``."""
    return tuple(t.folder for t in TYPES)


def by_folder(name: str) -> ContentType:
    """The type whose pages live in ``content/<name>/``; ``KeyError`` for an unknown folder."""
    for t in TYPES:
        if t.folder == name:
            return t
    raise KeyError(name)


def by_cli_name(name: str) -> ContentType:
    """The type ``spinesite new <name>`` makes; ``KeyError`` for an unknown name."""
    for t in TYPES:
        if t.cli_name == name:
            return t
    raise KeyError(name)


def json_schema(kind: str) -> dict[str, Any]:
    """JSON Schema (draft 2020-12) of one content type's front matter."""
    t = by_folder(kind)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": f"spinesite {t.singular} front matter",
        **object_schema(t.fields),
    }


def ref_fields(kind: str) -> list[tuple[str, str]]:
    """(field name, target type) for every reference field of a content type."""
    out = []
    for f in by_folder(kind).fields:
        t = f.type.item if isinstance(f.type, List) else f.type
        if isinstance(t, Ref):
            out.append((f.name, t.target))
    return out
