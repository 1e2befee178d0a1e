"""Errors an editor can act on: YAML mistakes and "did you mean" hints, in plain words.

Every case runs through ``spinesite check`` (or ``build``) on a copy of the minimal site and
compares the exact ``path:line: message``; the YAML cases also run through PyYAML's
pure-Python parser (used where libyaml is missing), which words its errors differently.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import MINIMAL, MakeSite, error_lines, page, run_cli
from spinesite.content import yamlnodes
from spinesite.content.fields import LEVELS
from spinesite.content.yamlnodes import YamlError, parse

ABOUT = "content/pages/about.md"
BACK_PAIN = "content/conditions/back-pain.md"
ABOUT_TEXT = (MINIMAL / ABOUT).read_text()
BACK_PAIN_TEXT = (MINIMAL / BACK_PAIN).read_text()
# about.md's front matter, by line: 2 title, 3 summary, 4 menu, 5 last_reviewed, 6 next_review,
# 7 reviewed_by, 8 sources:, 9 "  - title: NICE NG59", 10 "    url: https://...".
SOURCE_URL = "    url: https://www.nice.org.uk/guidance/ng59\n"
SECOND_SOURCE = "  - title: NICE NG59\n" + SOURCE_URL
LEVEL_LIST = ", ".join(LEVELS)
REGION_LIST = "cervical, thoracic, lumbar, sacral"


def errors(capsys: pytest.CaptureFixture[str], site: Path, command: str = "check") -> tuple[int, list[str]]:
    """Exit code and error lines of a CLI run (warnings, such as reviews falling due, left out)."""
    args = ("build", site, "-o", site.parent / "out") if command == "build" else ("check", site)
    code, _out, err = run_cli(capsys, *args)
    return code, [line for line in error_lines(err) if ": warning: " not in line]


# (old text of about.md, new text, the line to fix, the message)
YAML_MISTAKES = [
    pytest.param(
        "  - title: NICE",
        "\t- title: NICE",
        9,
        "YAML indents with spaces, not tabs: replace the tab at column 1 with spaces",
        id="tab-before-list-item",
    ),
    pytest.param(
        SOURCE_URL,
        "  \t url: https://www.nice.org.uk/guidance/ng59\n",
        10,
        "YAML indents with spaces, not tabs: replace the tab at column 3 with spaces",
        id="tab-among-spaces",
    ),
    pytest.param(
        "title: About",
        "title: Back pain: what helps",
        2,
        "this text contains ': ', so it needs quotes: write title: \"Back pain: what helps\"",
        id="colon-in-text",
    ),
    pytest.param(
        "summary: About this site.",
        "summary: Causes:",
        3,
        "this text ends with ':', so it needs quotes: write summary: \"Causes:\"",
        id="colon-at-end",
    ),
    pytest.param(
        "title: About",
        'title: Back pain: "what" helps',
        2,
        "this text contains ': ', so it needs quotes: write title: 'Back pain: \"what\" helps'",
        id="colon-in-text-with-quotes",
    ),
    pytest.param(
        "summary: About",
        " summary: About",
        3,
        "'summary' is indented 1 space more than 'title' on line 2: line the two keys up",
        id="key-one-space-too-far",
    ),
    pytest.param(
        SOURCE_URL,
        " " + SOURCE_URL,
        10,
        "'url' is indented 1 space more than 'title' on line 9: line the two keys up",
        id="key-in-list-item-one-space-too-far",
    ),
    pytest.param(
        SOURCE_URL,
        SOURCE_URL[1:],
        10,
        "'url' is indented 3 spaces but 'title' on line 9 is indented 4: line the two keys up",
        id="key-in-list-item-one-space-short",
    ),
    pytest.param(
        SOURCE_URL,
        SOURCE_URL + " " + SECOND_SOURCE.replace("\n    ", "\n     "),
        11,
        "list items under 'sources' must line up: indent this '-' like the one on line 9 (2 spaces)",
        id="list-item-three-spaces",
    ),
    pytest.param(
        "menu: 1",
        "menu:1",
        4,
        "put a space after ':': write menu: 1",
        id="no-space-after-colon",
    ),
    pytest.param(
        "reviewed_by: Test",
        "reviewed_by Test",
        7,
        "this line is not 'key: value' nor a '- ' list item: add the missing ':' after the key, "
        "or indent it if it continues the text above",
        id="no-colon",
    ),
    pytest.param(
        "summary: About this site.",
        'summary: "About this site.',
        3,
        'the quote (") at column 10 is never closed: add a closing " at the end of the value',
        id="unclosed-quote",
    ),
    pytest.param(
        "summary: About this site.",
        "summary: 'About this site.",
        3,
        "the quote (') at column 10 is never closed: add a closing ' at the end of the value",
        id="unclosed-single-quote",
    ),
    pytest.param(
        "title: About",
        "title: 'Don't panic'",
        2,
        "the text goes on after the quote (') that closes at column 12, so the whole value needs quotes: write title: \"Don't panic\"",
        id="apostrophe-in-single-quotes",
    ),
    pytest.param(
        "title: About",
        'title: "Back" pain',
        2,
        'the text goes on after the quote (") that closes at column 13, so the whole value needs quotes: write title: \'"Back" pain\'',
        id="text-after-quote",
    ),
    pytest.param(
        "title: About",
        "title: [Draft] About",
        2,
        "a value starting with '[' is read as a list and cannot go on after its ']', so the whole value needs quotes: "
        'write title: "[Draft] About"',
        id="text-after-bracket",
    ),
    pytest.param(
        "title: About",
        "title: [Draft About",
        2,
        "the '[' at column 8 starts a list that is never closed: add the missing ']', "
        "or if the '[' is part of the text, write title: \"[Draft About\"",
        id="unclosed-bracket",
    ),
    pytest.param(
        "title: About",
        "title: `spinesite` help",
        2,
        "a value cannot start with '`' in YAML, so it needs quotes: write title: \"`spinesite` help\"",
        id="backtick",
    ),
    pytest.param(
        "title: About",
        "title: *Very* important",
        2,
        "a value cannot start with '*' in YAML, so it needs quotes: write title: \"*Very* important\"",
        id="asterisk",
    ),
    pytest.param(
        "summary: About this site.",
        "summary: - About this site.",
        3,
        "'- ' at the start of a value begins a list, so it needs quotes: write summary: \"- About this site.\"",
        id="dash-at-start",
    ),
    pytest.param(
        "menu: 1\n",
        "menu: 1\ntitle: Again\n",
        5,
        "duplicate key 'title': it is already on line 2; keep one of the two",
        id="duplicate-key",
    ),
]


@pytest.mark.parametrize(("old", "new", "line", "message"), YAML_MISTAKES)
def test_yaml_mistakes_say_what_to_fix(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, make_site: MakeSite, old: str, new: str, line: int, message: str
) -> None:
    assert old in ABOUT_TEXT
    site = make_site(tmp_path, {ABOUT: ABOUT_TEXT.replace(old, new, 1)})
    assert errors(capsys, site) == (1, [f"{ABOUT}:{line}: {message}"])


@pytest.mark.parametrize("loader", ["C", "pure"])
@pytest.mark.parametrize(("old", "new", "line", "message"), YAML_MISTAKES)
def test_both_yaml_parsers_give_the_same_message(
    monkeypatch: pytest.MonkeyPatch, loader: str, old: str, new: str, line: int, message: str
) -> None:
    if loader == "pure":
        monkeypatch.setattr(yamlnodes, "_Loader", yaml.SafeLoader)
    front = ABOUT_TEXT.replace(old, new, 1).split("---\n")[1]
    with pytest.raises(YamlError) as info:
        parse(front, first_line=2)
    assert (info.value.line, info.value.message) == (line, message)


@pytest.mark.parametrize("loader", ["C", "pure"])
@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        (
            "illustration:\n    src: /images/a.svg\n  alt: A drawing\n",
            3,
            "'alt' is indented 2 spaces, which lines it up with no key above it: "
            "indent it like 'src' on line 2 (4 spaces) or like 'illustration' on line 1 (0 spaces)",
        ),
        (
            "stretches:\n  - bridge\n - cat\n",
            3,
            "list items under 'stretches' must line up: indent this '-' like the one on line 2 (2 spaces)",
        ),
        (
            "stretches:\n   - bridge\n  - cat\n",
            3,
            "list items under 'stretches' must line up: indent this '-' like the one on line 2 (3 spaces)",
        ),
        # YAML reads a '- ' indented further as more text of the item above ('bridge - cat'): caught too
        (
            "stretches:\n  - bridge\n   - cat\n",
            3,
            "list items under 'stretches' must line up: indent this '-' like the one on line 2 (2 spaces)",
        ),
        (
            "symptoms:\n- Pain\n  - Stiffness\n",
            3,
            "list items under 'symptoms' must line up: indent this '-' like the one on line 2 (0 spaces)",
        ),
        (
            "title: A\nstretches:\n  - bridge\n  slug: x\n",
            4,
            "'slug' lines up with the '-' of the list on line 3: start it with '- ' if it is a new item, "
            "or indent it like the item's other keys",
        ),
        (
            "title: A\n- bridge\n",
            2,
            "this '- ' list item is not under a key: put it under the key it belongs to (a line like 'stretches:' with nothing after the ':')",
        ),
        ("title\nsummary: A\n", 1, "'title' needs a ':' after it: write title: and then its value"),
        (
            'title: "Back pain\nsummary: A\nslug: "x"\n',
            1,
            'the quote (") at column 8 is never closed: add a closing " at the end of the value',
        ),
        (
            "summary: Back pain is common\n  and it often: gets better\n",
            1,
            "the text of 'summary' runs on to line 2, where it contains ': ', so it needs quotes: put it all in double quotes",
        ),
        (
            "stretches: [bridge, cat\nsummary: A\n",
            1,
            "the '[' at column 12 starts a list that is never closed: add the missing ']', or if the '[' is part of the text, write stretches: \"[bridge, cat\"",
        ),
        ("a: [x, [y]\n", 1, "the '[' at column 4 starts a list that is never closed: add the missing ']'"),
        (
            "summary: " + "word " * 20 + "then: more\n",
            1,
            "this text contains ': ', so it needs quotes: put everything after 'summary:' in double quotes",
        ),
    ],
)
def test_more_yaml_mistakes(monkeypatch: pytest.MonkeyPatch, loader: str, text: str, line: int, message: str) -> None:
    if loader == "pure":
        monkeypatch.setattr(yamlnodes, "_Loader", yaml.SafeLoader)
    with pytest.raises(YamlError) as info:
        parse(text, first_line=1)
    assert (info.value.line, info.value.message) == (line, message)


def test_a_tab_after_a_colon_is_fine_for_libyaml_and_explained_by_the_pure_parser(monkeypatch: pytest.MonkeyPatch) -> None:
    assert parse("title:\tBridge\n").value == {"title": "Bridge"}
    monkeypatch.setattr(yamlnodes, "_Loader", yaml.SafeLoader)
    with pytest.raises(YamlError) as info:
        parse("title:\tBridge\n")
    assert (info.value.line, info.value.message) == (1, "YAML does not allow a tab here: replace the tab at column 7 with a space")


def test_a_yaml_mistake_stops_build_with_the_same_message(capsys: pytest.CaptureFixture[str], tmp_path: Path, make_site: MakeSite) -> None:
    site = make_site(tmp_path, {ABOUT: ABOUT_TEXT.replace("title: About", "title: Back pain: what helps")})
    assert errors(capsys, site, "build") == (
        1,
        [f"{ABOUT}:2: this text contains ': ', so it needs quotes: write title: \"Back pain: what helps\""],
    )


# -- hints ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "meant"),
    [("c5-c6", "C5-C6"), ("l5-s1", "L5-S1"), ("L4–L5", "L4-L5"), ("L4/L5", "L4-L5"), ("L4-5", "L4-L5"), ("c7-t1", "C7-T1")],
)
def test_levels_in_another_case_or_shorthand_suggest_the_exact_level(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, make_site: MakeSite, written: str, meant: str
) -> None:
    site = make_site(tmp_path, {BACK_PAIN: BACK_PAIN_TEXT.replace("spine_levels: [L4-L5]", f"spine_levels: [{written}]")})
    assert errors(capsys, site) == (
        1,
        [f"{BACK_PAIN}:5: spine_levels[0]: '{written}' is not one of: {LEVEL_LIST} (did you mean '{meant}'?)"],
    )


@pytest.mark.parametrize(
    ("written", "meant"),
    [
        ("neck", "cervical"),
        ("Neck", "cervical"),
        ("lower back", "lumbar"),
        ("Low-back", "lumbar"),
        ("upper back", "thoracic"),
        ("mid back", "thoracic"),
        ("tailbone", "sacral"),
        ("coccyx", "sacral"),
        ("Lumbar", "lumbar"),
        ("lumber", "lumbar"),
    ],
)
def test_region_synonyms_suggest_the_region(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, make_site: MakeSite, written: str, meant: str
) -> None:
    site = make_site(tmp_path, {BACK_PAIN: BACK_PAIN_TEXT.replace("region: lumbar", f"region: {written}")})
    assert errors(capsys, site) == (1, [f"{BACK_PAIN}:4: region: '{written}' is not one of: {REGION_LIST} (did you mean '{meant}'?)"])


def test_a_region_with_no_close_word_gets_no_guess(capsys: pytest.CaptureFixture[str], tmp_path: Path, make_site: MakeSite) -> None:
    site = make_site(tmp_path, {BACK_PAIN: BACK_PAIN_TEXT.replace("region: lumbar", "region: knee")})
    assert errors(capsys, site) == (1, [f"{BACK_PAIN}:4: region: 'knee' is not one of: {REGION_LIST}"])


@pytest.mark.parametrize(
    ("written", "hint"),
    [
        ("20/11/2025", "; write it as 2025-11-20"),
        ("20.11.2025", "; write it as 2025-11-20"),
        ("Nov 20 2025", "; write it as 2025-11-20"),
        ("20 November 2025", "; write it as 2025-11-20"),
        ("November 20th, 2025", "; write it as 2025-11-20"),
        ("2025/11/20", "; write it as 2025-11-20"),
        ("11/20/2025", "; write it as 2025-11-20"),
        ("2025-1-5", "; write it as 2025-01-05"),
        ("11/12/2025", ", which could be 11 December or 12 November: write 2025-12-11 or 2025-11-12"),
        ("31/02/2025", ""),  # no such date either way: no guess
        ("20/11/25", ""),  # a two-digit year: no guess
        ("soon", ""),
    ],
)
def test_dates_in_other_formats_suggest_yyyy_mm_dd(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, make_site: MakeSite, written: str, hint: str
) -> None:
    site = make_site(tmp_path, {ABOUT: ABOUT_TEXT.replace("last_reviewed: 2026-01-01", f"last_reviewed: {written}")})
    assert errors(capsys, site, "build") == (1, [f"{ABOUT}:5: last_reviewed: expected a date (YYYY-MM-DD), got '{written}'{hint}"])


@pytest.mark.parametrize(
    ("link", "meant"),
    [
        ("../stretches/chin-tuk.md", "../stretches/chin-tuck.md"),
        ("../stretches/chin-tuk.md#steps", "../stretches/chin-tuck.md#steps"),
        ("../strethces/chin-tuck.md", "../stretches/chin-tuck.md"),
        ("chin-tuk.md", "chin-tuck.md"),
        ("../stretches/brigde.md", "../stretches/bridge.md"),
    ],
)
def test_misspelt_body_links_suggest_the_page(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, make_site: MakeSite, link: str, meant: str
) -> None:
    site = make_site(
        tmp_path,
        {
            ABOUT: ABOUT_TEXT.replace("We write it.", f"Try the [chin tuck]({link})."),
            "content/stretches/chin-tuck.md": page("stretches", "Chin tuck"),
        },
    )
    assert errors(capsys, site) == (1, [f"{ABOUT}:12: broken link '{link}': no such page (did you mean '{meant}'?)"])


def test_a_link_with_no_close_page_keeps_the_general_advice(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, make_site: MakeSite
) -> None:
    site = make_site(tmp_path, {ABOUT: ABOUT_TEXT.replace("We write it.", "See [this](../stretches/zzz.md).")})
    assert errors(capsys, site) == (
        1,
        [f"{ABOUT}:12: broken link '../stretches/zzz.md': no such page (link to a page by its file, e.g. ../stretches/bridge.md)"],
    )


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["biuld"], "unknown command 'biuld'; did you mean 'build'?"),
        (["-q", "chekc", "."], "unknown command 'chekc'; did you mean 'check'?"),
        (["Serve"], "unknown command 'Serve'; did you mean 'serve'?"),
    ],
)
def test_misspelt_commands_suggest_the_command(capsys: pytest.CaptureFixture[str], argv: list[str], message: str) -> None:
    code, out, err = run_cli(capsys, *argv)
    assert (code, out) == (2, "")
    assert err.splitlines()[-1] == f"spinesite: error: {message}"


def test_an_unknown_command_with_no_close_match_lists_the_commands(capsys: pytest.CaptureFixture[str]) -> None:
    code, _out, err = run_cli(capsys, "frobnicate")
    assert code == 2
    last = err.splitlines()[-1]
    assert last.startswith("spinesite: error: unknown command 'frobnicate'; the commands are: build, check, ")


# -- never a traceback ---------------------------------------------------------------------------

FRAGMENTS = [
    "title",
    "summary",
    ":",
    ": ",
    " ",
    "  ",
    "\t",
    "\n",
    "- ",
    "-",
    "'",
    '"',
    "[",
    "]",
    "{",
    "}",
    ",",
    "#",
    "&a",
    "*a",
    "!",
    "|",
    ">",
    "?",
    "text",
    "%",
    "@",
    "`",
    "\r\n",
]


@settings(max_examples=300, derandomize=True, deadline=None, database=None)
@given(st.lists(st.sampled_from(FRAGMENTS), max_size=30), st.sampled_from(["C", "pure"]))
def test_any_yaml_gives_a_value_or_a_message_with_its_line(parts: list[str], loader: str) -> None:
    text = "".join(parts)
    saved = yamlnodes._Loader
    yamlnodes._Loader = yaml.SafeLoader if loader == "pure" else saved  # type: ignore[misc]
    try:
        parse(text, first_line=2)
    except YamlError as exc:
        assert 2 <= exc.line <= 2 + text.count("\n") + text.count("\r") + 1, (text, exc.line, exc.message)
        assert exc.message and "\n" not in exc.message
    finally:
        yamlnodes._Loader = saved  # type: ignore[misc]
