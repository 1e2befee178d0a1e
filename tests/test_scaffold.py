"""``spinesite new``: archetypes, slugs, placeholders, and scaffolds that build."""

from __future__ import annotations

import datetime as dt
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conftest import run_cli
from spinesite.authoring.scaffold import BUILTIN_ARCHETYPES, ScaffoldError, builtin_archetype, create, new_types, slugify, yaml_scalar
from spinesite.build import build
from spinesite.content.contenttypes import by_folder
from spinesite.content.placeholders import find_body_placeholders, find_placeholders
from spinesite.content.yamlnodes import parse

TODAY = dt.date(2026, 3, 31)
NEW_TYPES = new_types()


def _front(path: Path) -> dict[str, object]:
    text = path.read_text(encoding="utf-8")
    front = text.split("\n---\n", 1)[0].removeprefix("---\n")
    value = parse(front).value
    assert isinstance(value, dict)
    return value


@pytest.mark.parametrize("type_name", list(NEW_TYPES))
def test_every_scaffold_builds_without_errors(tmp_path: Path, make_site, type_name: str) -> None:  # type: ignore[no-untyped-def]
    site = make_site(tmp_path)
    created = create(site, type_name, "Nerve root irritation", today=TODAY)
    kind = NEW_TYPES[type_name]
    assert created.rel == f"content/{kind}/nerve-root-irritation.md"
    result = build(site, write=False, strict=False)
    assert [d.format() for d in result.diagnostics.errors] == []
    assert result.ok()
    assert result.counts[kind] == 2

    data = _front(created.path)
    assert data["title"] == "Nerve root irritation"
    assert str(data["last_reviewed"]) == "2026-03-31"
    assert str(data["next_review"]) == "2027-03-31"
    required = {f.name for f in by_folder(kind).fields if f.required}
    assert required <= set(data)
    placeholders = find_placeholders(data)
    assert ("summary",) in placeholders
    if "sources" in required:
        assert {("reviewed_by",), ("sources", 0, "title"), ("sources", 0, "url")} <= set(placeholders)
        assert data["sources"] == [{"title": "TODO", "url": "https://example.org/TODO"}]


def test_hints_come_from_the_schema() -> None:
    text = builtin_archetype("treatments")
    assert (
        "# Evidence status from the guidelines. Required; one of: recommended, option, no-recommendation, not-recommended, experimental."
        in text
    )
    assert "evidence: experimental  # TODO: choose" in text  # never a placeholder that overstates the evidence
    assert "#benefits:\n#  - TODO" in text  # optional keys are commented out
    assert "    #url: https://example.org/TODO  # Link to the guideline." in text


@pytest.mark.parametrize("type_name", list(NEW_TYPES))
def test_builtin_archetype_files_are_current(type_name: str) -> None:
    """The shipped files are generated: run `python -m spinesite.authoring.scaffold` after changing schema.py."""
    path = BUILTIN_ARCHETYPES / f"{type_name}.md"
    assert path.read_text(encoding="utf-8") == builtin_archetype(NEW_TYPES[type_name])


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("Back pain", "back-pain"),
        ("  L4–L5 disc: bulge!  ", "l4-l5-disc-bulge"),
        ("Ödem der Wirbelsäule", "odem-der-wirbelsaule"),
        ("Straße", "strasse"),
        ("Crème brûlée", "creme-brulee"),
        ("Sciatica & you", "sciatica-you"),
        ("ﬁve ﬁngers", "five-fingers"),  # ligatures (NFKD)
        ("腰痛", ""),
        ("word " * 30, ("word-" * 16).rstrip("-")),
    ],
)
def test_slugify(title: str, slug: str) -> None:
    assert slugify(title) == slug
    assert len(slugify(title)) <= 80


def _yaml_safe(text: str) -> bool:
    return all(unicodedata.category(c) not in ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp") for c in text)


@given(st.text(min_size=1, max_size=60).filter(_yaml_safe))
def test_yaml_scalar_round_trips(text: str) -> None:
    assert parse(f"title: {yaml_scalar(text)}\n").value == {"title": text}


@pytest.mark.parametrize(
    "title", ["Yes", "null", "2024", "#1 tip", "Tip: rest", "- dash", "it's fine", 'say "no"', "back\\slash", "[x]", "a: b # c", "True"]
)
def test_tricky_titles_survive(tmp_path: Path, make_site, title: str) -> None:  # type: ignore[no-untyped-def]
    site = make_site(tmp_path)
    created = create(site, "page", title, slug="tricky", today=TODAY)
    assert _front(created.path)["title"] == title


def test_refuses_to_overwrite(tmp_path: Path, make_site, capsys: pytest.CaptureFixture[str]) -> None:  # type: ignore[no-untyped-def]
    site = make_site(tmp_path)
    before = (site / "content/conditions/back-pain.md").read_bytes()
    code, out, err = run_cli(capsys, "new", "condition", "Back pain", site)
    assert code == 1 and out == ""
    assert (
        err
        == "spinesite new: content/conditions/back-pain.md already exists; not overwritten. Edit it, or choose another title or --slug.\n"
    )
    assert (site / "content/conditions/back-pain.md").read_bytes() == before


def test_refuses_a_name_differing_only_in_case(tmp_path: Path, make_site) -> None:  # type: ignore[no-untyped-def]
    site = make_site(tmp_path, {"content/glossary/Nerve.md": "x"})
    with pytest.raises(ScaffoldError) as info:
        create(site, "glossary", "Nerve")
    assert info.value.exit_code == 1 and "content/glossary/Nerve.md already exists (names differ only in letter case)" in info.value.message


def test_unknown_type_suggests(tmp_path: Path, make_site, capsys: pytest.CaptureFixture[str]) -> None:  # type: ignore[no-untyped-def]
    site = make_site(tmp_path)
    code, _, err = run_cli(capsys, "new", "conditon", "X", site)
    assert code == 2
    assert err == (
        "spinesite new: unknown page type 'conditon' (did you mean 'condition'?); "
        "choose one of: condition, stretch, cause, treatment, glossary, page\n"
    )


def test_cli_prints_the_new_path(tmp_path: Path, make_site, capsys: pytest.CaptureFixture[str]) -> None:  # type: ignore[no-untyped-def]
    site = make_site(tmp_path)
    code, out, err = run_cli(capsys, "new", "stretches", "Cat–camel", site)
    assert code == 0
    assert out == f"{site / 'content/stretches/cat-camel.md'}\n"
    assert "Created content/stretches/cat-camel.md from the built-in stretch.md archetype." in err
    code, out, err = run_cli(capsys, "-q", "new", "cause", "Smoking", site)
    assert (code, err) == (0, "")


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (
            ("page", "Search"),
            1,
            "content/pages/search.md: the URL /search/ is reserved for a generated page; choose another slug with --slug",
        ),
        (("page", "腰痛"), 2, "cannot make a file name from the title '腰痛'; give one with --slug"),
        (("page", "   "), 2, "the title must not be empty"),
        (("page", "a\tb"), 2, "the title contains control or invisible characters; type it as plain text"),
        (("page", "x" * 201), 2, "the title is too long (201 characters, at most 200)"),
        (
            ("page", "Fine", "--slug", "Not_A_Slug"),
            2,
            "'Not_A_Slug' is not a valid slug: use lower-case letters, digits and hyphens (at most 80)",
        ),
    ],
)
def test_bad_input(tmp_path: Path, make_site, capsys: pytest.CaptureFixture[str], args: tuple[str, ...], code: int, message: str) -> None:  # type: ignore[no-untyped-def]
    site = make_site(tmp_path)
    slug = list(args[2:])
    got, _, err = run_cli(capsys, "new", args[0], args[1], site, *slug)
    assert (got, err) == (code, f"spinesite new: {message}\n")


def test_not_a_site(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli(capsys, "new", "page", "About us", tmp_path)
    assert code == 2 and "is not a spinesite site (no spinesite.yaml)" in err
    assert not (tmp_path / "content").exists()


def test_site_archetype_wins(tmp_path: Path, make_site) -> None:  # type: ignore[no-untyped-def]
    archetype = (
        "---\ntitle: {{ title }}  # the title\nsummary: About {{ title }}.\naliases: ['{{ title }} term', \"{{ title }} words\"]\n"
        "last_reviewed: {{ today }}\nnext_review: {{ next_review }}\nreviewed_by: TODO\n---\n# {{ title }}\n\nSlug: {{ slug }}\n"
    )
    site = make_site(tmp_path, {"archetypes/glossary.md": archetype})
    created = create(site, "glossary", 'Disc: "bulge" isn\'t', today=TODAY)
    assert created.archetype == "archetypes/glossary.md"
    text = created.path.read_text(encoding="utf-8")
    assert text == (
        '---\ntitle: "Disc: \\"bulge\\" isn\'t"  # the title\nsummary: "About Disc: \\"bulge\\" isn\'t."\n'
        'aliases: [\'Disc: "bulge" isn\'\'t term\', "Disc: \\"bulge\\" isn\'t words"]\n'
        'last_reviewed: 2026-03-31\nnext_review: 2027-03-31\nreviewed_by: TODO\n---\n# Disc: "bulge" isn\'t\n\nSlug: disc-bulge-isn-t\n'
    )
    data = _front(created.path)
    assert data["aliases"] == ['Disc: "bulge" isn\'t term', 'Disc: "bulge" isn\'t words']
    assert data["summary"] == 'About Disc: "bulge" isn\'t.'


def test_broken_site_archetype_is_reported_and_nothing_written(tmp_path: Path, make_site, capsys: pytest.CaptureFixture[str]) -> None:  # type: ignore[no-untyped-def]
    site = make_site(tmp_path, {"archetypes/page.md": "---\ntitle: {{ title }}\nmenu: first\n---\n"})
    code, _, err = run_cli(capsys, "new", "page", "Contact", site)
    assert code == 1
    assert err.splitlines() == [
        "spinesite new: the archetype does not make a valid page:",
        "archetypes/page.md:2: missing required key 'last_reviewed'",
        "archetypes/page.md:2: missing required key 'next_review'",
        "archetypes/page.md:2: missing required key 'reviewed_by'",
        "archetypes/page.md:2: missing required key 'summary'",
        "archetypes/page.md:3: menu: expected a whole number, got 'first'",
    ]
    assert not (site / "content/pages/contact.md").exists()
    (site / "archetypes/page.md").write_text("---\ntitle: {{ title }}\nsummary: {{ sumary }}\n---\n", encoding="utf-8")
    code, _, err = run_cli(capsys, "new", "page", "Contact", site)
    assert (code, err) == (
        1,
        "spinesite new: archetypes/page.md:3: unknown placeholder '{{ sumary }}' (known: next_review, slug, title, today, year)\n",
    )


def test_find_placeholders() -> None:
    data = {
        "title": "Back pain",
        "summary": "TODO",
        "sources": [{"title": "A", "url": "https://example.org/TODO"}],
        "faq": [{"q": "todo", "a": "TODOs"}],
        "n": 3,
    }
    assert find_placeholders(data) == [("summary",), ("sources", 0, "url")]


def test_find_body_placeholders() -> None:
    body = "Intro\n\nTODO: write this\n\n```\nTODO in code\n```\nDone. TODO\n"
    assert find_body_placeholders(body, first_line=10) == [12, 17]
