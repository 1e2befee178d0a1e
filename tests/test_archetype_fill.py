"""Archetypes filled with sandboxed Jinja and the ``yaml`` filter (``archetypefill.py``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from spinesite.authoring.archetypefill import FillError, fill, jinja_source, to_yaml, yaml_in
from spinesite.authoring.scaffold import builtin_archetype, check_scaffold, check_title, new_types
from spinesite.content.yamlnodes import parse

NEW_TYPES = new_types()
TODAY = dt.date(2026, 3, 31)
INVISIBLE = ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp")  # refused by check_title
# A site archetype written before Jinja: bare tokens in every place front matter has.
LEGACY = (
    "---\n"
    "title: {{ title }}  # the title\n"
    "summary: About {{ title }}.\n"
    "aliases: ['{{ title }} term', \"{{ title }} words\", {{ title }}]\n"
    "also: {a: {{ title }}}\n"
    "last_reviewed: {{ today }}\n"
    "next_review: {{ next_review }}\n"
    "note: |\n"
    "  {{ title }} as text\n"
    "year: {{ year }}\n"
    "---\n"
    "# {{ title }} {#intro}\n"
)


def values(title: str) -> dict[str, Any]:
    return {"title": title, "slug": "s", "today": TODAY, "next_review": dt.date(2027, 3, 31), "year": 2026}


def front(text: str) -> Any:
    return parse(text.split("\n---\n", 1)[0].removeprefix("---\n"), first_line=2).value


titles = (
    st.one_of(
        st.text(st.characters(blacklist_categories=INVISIBLE), min_size=1, max_size=200),
        st.tuples(
            st.sampled_from(["- ", "-", "#", "? ", ": ", "'", '"', "!", "&", "*", "|", ">", "%", "@", "`", "[", "{", "~", "0", "yes "]),
            st.text(st.characters(blacklist_categories=INVISIBLE), max_size=60),
            st.sampled_from(["", ":", " #", " # c", "'", '"', "\\", "..."]),
        ).map("".join),
    )
    .map(str.strip)
    .filter(lambda t: 0 < len(t) <= 200)
)


@given(titles)
def test_any_title_gives_yaml_that_loads_back_to_it(title: str) -> None:
    assert check_title(title) == title
    page = fill(builtin_archetype("pages"), values(title), "page.md")
    assert front(page)["title"] == title
    data = front(fill(LEGACY, values(title), "archetypes/glossary.md"))
    assert data["title"] == title
    assert data["summary"] == f"About {title}."
    assert data["aliases"] == [f"{title} term", f"{title} words", title]
    assert data["also"] == {"a": title}
    assert data["note"] == f"{title} as text\n"
    assert (data["last_reviewed"], data["next_review"], data["year"]) == (TODAY, dt.date(2027, 3, 31), 2026)


@pytest.mark.parametrize("type_name", list(NEW_TYPES))
@pytest.mark.parametrize("title", ["Back pain", "- dash: #1 'tip' \"x\"", "Ödem der Wirbelsäule", "y", "2024", "w" * 200])
def test_every_builtin_archetype_fills_to_a_valid_page(type_name: str, title: str) -> None:
    kind = NEW_TYPES[type_name]
    text = fill(builtin_archetype(kind), values(title), "new.md")
    assert check_scaffold(text, kind, "new.md") == []
    assert front(text)["title"] == title


@pytest.mark.parametrize(
    ("value", "kwargs", "written"),
    [
        ("Back pain", {}, "Back pain"),
        ('Disc: "bulge" isn\'t', {}, '"Disc: \\"bulge\\" isn\'t"'),
        ("Yes", {}, '"Yes"'),
        ("y", {}, '"y"'),
        ("2024", {}, '"2024"'),
        ("Wait...", {}, "Wait..."),
        (TODAY, {}, "2026-03-31"),
        (2026, {}, "2026"),
        (True, {}, "true"),
        (TODAY, {"style": '"'}, '"2026-03-31"'),
        ("it's", {"style": "'"}, "'it''s'"),
        (["a", "b: c"], {}, "[a, 'b: c']"),
        ({"a": [1, 2]}, {}, "{a: [1, 2]}"),
        (["a", "b: c"], {"flow": False}, "- a\n- 'b: c'"),
    ],
)
def test_the_yaml_filter(value: Any, kwargs: dict[str, Any], written: str) -> None:
    assert to_yaml(value, **kwargs) == written
    assert parse(f"k: {written}\n" if "\n" not in written else f"k:\n{written}\n").value == {
        "k": value if not kwargs.get("style") else str(value)
    }


def test_yaml_in_escapes_for_the_quotes_around_it() -> None:
    title = 'Disc: "bulge" isn\'t \\ here'
    assert yaml_in(title, '"') == 'Disc: \\"bulge\\" isn\'t \\\\ here'
    assert yaml_in(title, "'") == "Disc: \"bulge\" isn''t \\ here"
    with pytest.raises(ValueError):
        yaml_in(title, "`")


def test_explicit_jinja_in_a_site_archetype() -> None:
    text = (
        "---\ntitle: {{ title | yaml }}\nsummary: {{ ('About ' ~ title) | yaml }}\n"
        "aliases: {{ [title, slug] | yaml }}\n---\n{% if year > 2025 %}New.{% endif %} {#id}\n"
    )
    out = fill(text, values("A: b"), "archetypes/page.md")
    assert out == '---\ntitle: "A: b"\nsummary: "About A: b"\naliases: [\'A: b\', s]\n---\nNew. {#id}\n'


def test_bare_tokens_are_given_the_filter_of_their_place() -> None:
    assert jinja_source(LEGACY).splitlines() == [
        "---",
        "title: {{ title | yaml }}  # the title",
        "summary: {% filter yaml %}About {{ title }}.{% endfilter %}",
        "aliases: ['{{ title | yaml_in(\"'\") }} term', \"{{ title | yaml_in('\"') }} words\", {{ title | yaml('\"') }}]",
        "also: {a: {{ title | yaml('\"') }}}",
        "last_reviewed: {{ today | yaml }}",
        "next_review: {{ next_review | yaml }}",
        "note: |",
        "  {{ title }} as text",
        "year: {{ year | yaml }}",
        "---",
        "# {{ title }} {#intro}",
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "---\ntitle: {{ title }}\nsummary: {{ sumary | yaml }}\n---\n",
            "a.md:3: unknown placeholder '{{ sumary }}' (known: next_review, slug, title, today, year)",
        ),
        ("---\ntitle: {{ title }\n---\n", "a.md:2: unexpected '}'"),
        ("---\ntitle: x\n---\n\n{{ title.__class__.__mro__ }}\n", "a.md:5: access to attribute '__class__' of 'str' object is unsafe."),
        ("---\ntitle: {{ title | yaml_in('x') }}\n---\n", "a.md:2: yaml_in takes ' or \""),
    ],
)
def test_problems_name_the_line(text: str, message: str) -> None:
    with pytest.raises(FillError) as info:
        fill(text, values("T"), "a.md")
    assert info.value.message == message
