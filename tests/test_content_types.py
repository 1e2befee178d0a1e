"""The content-type registry (contenttypes.py): a new type is added in one place.

A fixture site registers an extra type, ``braces`` (one ``brace`` per file), with its own
fields and its two templates in the site's ``templates/`` folder, and nothing else changes:
``build --strict`` publishes its pages and index, links and references to and from it
resolve, ``spinesite schema``, ``spinesite new`` and ``spinesite check`` know it.
"""

from __future__ import annotations

import ast
import dataclasses
import json
import re
from pathlib import Path

import pytest

from conftest import REVIEW, ROOT, copy_site, error_lines, run_cli
from spinesite.checks.site import orphans, page_prose
from spinesite.content import contenttypes, schema
from spinesite.content.contenttypes import ContentType
from spinesite.content.fields import Enum, Field, List, Ref, Str
from spinesite.content.model import Page
from spinesite.content.yamlnodes import parse

BRACES = ContentType(
    "braces",
    "brace",
    "brace",
    "braces",
    schema.COMMON
    + (
        Field("material", Enum(("soft", "rigid")), required=True, doc="What the brace is made of."),
        Field("fitting", Str(max_len=300), doc="How it is fitted, in plain words."),
        Field("conditions", List(Ref("conditions"), unique=True), default=list, doc="Conditions it may help."),
    ),
    "brace.html",
    "Brace",
    index_title="Braces and supports",
    search_label="Braces",
    prose_fields=("fitting",),
    archetype_body="TODO: say what the brace does, in plain words.\n",
    jsonld_type="MedicalDevice",
)
TEMPLATES = {
    "templates/brace.html": (
        '{% extends "base.html" %}{% block main %}<h1>{{ page.title }}</h1>'
        '<p class="material">{{ data.material }}</p>'
        '{% for c in page.refs.conditions %}<a class="helps" href="{{ url(c.url) }}">{{ c.title }}</a>{% endfor %}'
        "{{ body }}{% endblock %}\n"
    ),
    "templates/list_braces.html": (
        '{% extends "base.html" %}{% block main %}<h1>{{ title }}</h1>'
        '{% for b in items %}<a class="brace" href="{{ url(b.url) }}">{{ b.title }}</a>{% endfor %}{% endblock %}\n'
    ),
}


def brace(title: str, front: str, body: str = "A brace holds the back still for a while.\n") -> str:
    return f"---\ntitle: {title}\nsummary: A support worn around the lower back.\n{front}{REVIEW}---\n{body}"


@pytest.fixture
def braces(monkeypatch: pytest.MonkeyPatch) -> ContentType:
    """Register ``braces`` for one test: the only change a new content type needs in the code."""
    monkeypatch.setattr(contenttypes, "TYPES", contenttypes.TYPES + (BRACES,))
    return BRACES


def test_a_registered_type_builds_with_its_index_links_and_references(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, braces: ContentType
) -> None:
    site = copy_site(
        tmp_path / "site",
        {
            **TEMPLATES,
            "content/braces/lumbar-brace.md": brace(
                "Lumbar brace", "material: soft\nfitting: Wrap it round you.\nconditions: [back-pain]\n"
            ),
            "content/pages/braces-guide.md": (
                f"---\ntitle: Braces guide\nsummary: When a brace helps.\nmenu: 2\n{REVIEW}---\nSee the [lumbar brace](../braces/lumbar-brace.md).\n"
            ),
        },
    )
    out = tmp_path / "out"
    code, _out, err = run_cli(capsys, "build", site, "-o", out, "--strict", "--no-search", "-j", "1")
    assert (code, error_lines(err)) == (0, [])
    assert "1 condition, 1 stretch, 1 cause, 1 treatment, 1 glossary term, 2 pages, 1 brace);" in err  # the summary counts it
    html = (out / "braces" / "lumbar-brace" / "index.html").read_text(encoding="utf-8")
    assert '<p class="material">soft</p>' in html
    assert '<a class="helps" href="/conditions/back-pain/">Back pain</a>' in html  # a reference from the new type
    assert '"@type":"MedicalDevice"' in html  # JSON-LD subject from the registry
    assert 'href="/braces/">Braces and supports</a>' in html  # breadcrumb through its index
    index = (out / "braces" / "index.html").read_text(encoding="utf-8")
    assert '<a class="brace" href="/braces/lumbar-brace/">Lumbar brace</a>' in index
    guide = (out / "braces-guide" / "index.html").read_text(encoding="utf-8")
    assert 'href="/braces/lumbar-brace/"' in guide  # a Markdown link to the new type resolves
    search = (out / "search" / "index.html").read_text(encoding="utf-8")
    assert 'id="filter-type-brace"' in search and '<a href="/braces/">Braces and supports</a>' in search


def test_a_registered_type_is_checked_scaffolded_and_has_a_schema(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, braces: ContentType
) -> None:
    site = copy_site(
        tmp_path / "site",
        {
            **TEMPLATES,
            "content/braces/bad.md": brace("Bad brace", "material: plastic\nconditions: [back-pian]\n"),
            "content/braces/no-material.md": brace("No material", "fitting: TODO\n"),
        },
    )
    code, _out, err = run_cli(capsys, "check", site)
    assert code == 1
    assert [line for line in error_lines(err) if line.startswith("content/braces/")] == [
        "content/braces/bad.md:4: material: 'plastic' is not one of: soft, rigid",
        "content/braces/bad.md:5: conditions[0]: unknown condition 'back-pian' (did you mean 'back-pain'?)",
        "content/braces/no-material.md:2: missing required key 'material'",
        "content/braces/no-material.md:4: warning: fitting: placeholder text 'TODO' still here; replace it",
    ]

    code, _out, err = run_cli(capsys, "new", "brace", "Knee strap", site)
    assert code == 0, err
    text = (site / "content" / "braces" / "knee-strap.md").read_text(encoding="utf-8")
    assert text.startswith("---\n# A new brace. Replace every TODO, then run `spinesite check`.\n")
    assert "\nmaterial: soft  # TODO: choose\n" in text and text.endswith("---\n\nTODO: say what the brace does, in plain words.\n")

    code, _out, err = run_cli(capsys, "schema", site)
    assert code == 0, err
    schema_file = json.loads((site / "schemas" / "braces.schema.json").read_text(encoding="utf-8"))
    assert schema_file["title"] == "spinesite brace front matter"
    assert schema_file["properties"]["material"]["enum"] == ["soft", "rigid"]
    assert "material" in schema_file["required"]


def test_without_registering_the_folder_is_ignored(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    site = copy_site(tmp_path / "site", {"content/braces/lumbar-brace.md": brace("Lumbar brace", "material: soft\n")})
    code, _out, err = run_cli(capsys, "check", site)
    assert (
        "content/braces/lumbar-brace.md: warning: ignored: content files belong in content/<type>/, where type is one of conditions," in err
    )
    code, _out, err = run_cli(capsys, "new", "brace", "Knee strap", site)
    assert code == 2 and "unknown page type 'brace'" in err


def test_prose_fields_and_the_orphan_check_follow_the_registry(monkeypatch: pytest.MonkeyPatch, braces: ContentType) -> None:
    data = {"title": "Knee strap", "summary": "A strap.", "fitting": "Pull it tight."}
    strap = Page("braces", "knee-strap", "content/braces/knee-strap.md", "/braces/knee-strap/", data, "", 5, parse("title: x\n"))
    assert page_prose(strap) == "Knee strap.\n\nA strap.\n\nPull it tight."
    assert [d.format() for d in orphans([strap], {})] == ["content/braces/knee-strap.md: warning: no other page links to this page"]
    monkeypatch.setattr(contenttypes, "TYPES", (*contenttypes.TYPES[:-1], dataclasses.replace(braces, orphan_check=False)))
    assert orphans([strap], {}) == []


KINDS = {"conditions", "stretches", "causes", "treatments", "glossary", "pages"}
# Source files that still name a content type's folder as a string, and why: each is behaviour
# of that one type, not a list of the types, so a new type touches none of them. ("pages" is
# left out: it is also an ordinary word there, e.g. the "pages" key of `--format json` and of
# the incremental state; checks.py and templates.py read the `pages` footer menu by name.)
TYPE_SPECIFIC = {
    "contenttypes.py": {"conditions", "stretches", "causes", "treatments", "glossary"},  # the registry itself
    "schema.py": {"conditions", "stretches", "causes", "treatments"},  # a condition's reference fields name their target types
    "jsonld.py": {"conditions", "stretches", "causes", "treatments"},  # their own schema.org builders; a condition's causes
    "listings.py": {"conditions", "stretches"},  # exercise handouts per condition, drawn stretch figures
    "graph.py": {"conditions"},  # spine-level pages list conditions
    "validate.py": {"treatments"},  # guideline jurisdictions
    "markdown.py": {"glossary"},  # first-use links to glossary terms
    "search.py": {"glossary"},  # glossary synonyms in the search index
    "keys.py": {"glossary"},  # incremental/: the glossary feeds every page's render key (first-use links)
    "codes.py": {"conditions"},  # require_codes: a condition without its diagnosis codes
}


def _type_names(path: Path) -> tuple[set[str], bool]:
    """(the type folder names ``path`` has as strings outside docstrings, whether it lists two
    or more of them in one tuple, list, set or dict)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {id(n.body[0].value) for n in ast.walk(tree) if _has_docstring(n)}  # type: ignore[attr-defined]

    def is_kind(n: ast.AST | None) -> bool:
        return isinstance(n, ast.Constant) and isinstance(n.value, str) and n.value in KINDS and id(n) not in docstrings

    names = {n.value for n in ast.walk(tree) if is_kind(n)}  # type: ignore[attr-defined]
    displays: list[list[ast.expr | None]] = [list(n.elts) for n in ast.walk(tree) if isinstance(n, (ast.Tuple, ast.List, ast.Set))]
    displays += [n.keys for n in ast.walk(tree) if isinstance(n, ast.Dict)]
    return names, any(sum(map(is_kind, items)) >= 2 for items in displays)


def test_only_the_registry_lists_the_content_types() -> None:
    """No source file lists the types (as a tuple, list, set or dict keyed by them), and every
    mention of a type's folder name outside the registry is one type's own behaviour, listed in
    TYPE_SPECIFIC."""
    found: dict[str, set[str]] = {}
    listing: list[str] = []
    for path in sorted((ROOT / "src" / "spinesite").rglob("*.py")):
        names, lists = _type_names(path)
        if names - {"pages"}:
            found[path.name] = names - {"pages"}
        if lists:
            listing.append(path.name)
    assert listing == []  # the registry itself has one record (one call) per type
    assert {name: names for name, names in found.items() if not names <= TYPE_SPECIFIC.get(name, set())} == {}
    assert found["contenttypes.py"] == KINDS - {"pages"}


def test_the_theme_names_no_type_list() -> None:
    """The theme reads the types from the registry (index_titles, kind_label, type_filters)."""
    search = (ROOT / "templates" / "search.html").read_text(encoding="utf-8")
    assert not re.search(r"set type_filters", search)


def _has_docstring(node: ast.AST) -> bool:
    body = getattr(node, "body", None)
    return (
        isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
        and isinstance(body, list)
        and bool(body)
        and isinstance(body[0], ast.Expr)
        and isinstance(body[0].value, ast.Constant)
        and isinstance(body[0].value.value, str)
    )
