"""Front-matter validation through the CLI: the exact ``path:line: message`` lines and exit codes."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import REVIEW, MakeSite, error_lines, fm, page, run_cli, snapshot
from spinesite.content.fields import LEVELS

ABOUT = "content/pages/about.md"


def build_lines(capsys: pytest.CaptureFixture[str], tmp_path: Path, site: Path) -> tuple[int, list[str]]:
    """Build into a fresh folder; a failing build must leave the whole tmp tree untouched."""
    before = snapshot(tmp_path)
    code, _out, err = run_cli(capsys, "build", site, "-o", tmp_path / "out")
    if code != 0:
        assert snapshot(tmp_path) == before
    return code, error_lines(err)


@pytest.mark.parametrize(
    ("front", "expected"),
    [
        ("title: No\n", "content/pages/about.md:2: title: expected text, got a yes/no value (No) (put it in quotes)"),
        ("title: yes\n", "content/pages/about.md:2: title: expected text, got a yes/no value (yes) (put it in quotes)"),
        ("title: 1.10\n", "content/pages/about.md:2: title: expected text, got a number (1.10) (put it in quotes)"),
        ("title: 42\n", "content/pages/about.md:2: title: expected text, got a number (42) (put it in quotes)"),
        ("title: 2026-01-01\n", "content/pages/about.md:2: title: expected text, got a date (2026-01-01) (put it in quotes)"),
        ("title: [a, b]\n", "content/pages/about.md:2: title: expected text, got a list"),
        ("title: {a: b}\n", "content/pages/about.md:2: title: expected text, got a mapping"),
        ("title: ''\n", "content/pages/about.md:2: title: must not be empty"),
        ("title:\n", "content/pages/about.md:2: title: must not be empty"),
        ("title: " + "x" * 201 + "\n", "content/pages/about.md:2: title: too long (201 characters, at most 200)"),
    ],
    ids=["No", "yes", "1.10", "42", "date", "list", "mapping", "empty-string", "null", "too-long"],
)
def test_wrong_type_for_text(capsys: pytest.CaptureFixture[str], tmp_path: Path, make_site: MakeSite, front: str, expected: str) -> None:
    site = make_site(tmp_path, {ABOUT: "---\n" + front + "summary: S.\n" + REVIEW + "---\n"})
    assert build_lines(capsys, tmp_path, site) == (1, [expected])


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("soon", "last_reviewed: expected a date (YYYY-MM-DD), got 'soon'"),
        ("2026-02-30", "last_reviewed: '2026-02-30' is not a real date (day is out of range for month)"),
        ('"2026-13-01"', "last_reviewed: '2026-13-01' is not a real date (month must be in 1..12)"),
        ("2026-1-1", "last_reviewed: expected a date (YYYY-MM-DD), got '2026-1-1'; write it as 2026-01-01"),
        ('"20260101"', "last_reviewed: expected a date (YYYY-MM-DD), got '20260101'"),
        ("20260101", "last_reviewed: expected a date (YYYY-MM-DD), got a number (20260101)"),
        ("2026-01-01 10:00:00", "last_reviewed: expected a date (YYYY-MM-DD) without a time"),
        ("yes", "last_reviewed: expected a date (YYYY-MM-DD), got a yes/no value (yes)"),
    ],
)
def test_dates(capsys: pytest.CaptureFixture[str], tmp_path: Path, make_site: MakeSite, value: str, expected: str) -> None:
    site = make_site(tmp_path, {ABOUT: fm("pages").replace("last_reviewed: 2026-01-01", f"last_reviewed: {value}")})
    assert build_lines(capsys, tmp_path, site) == (1, [f"{ABOUT}:4: {expected}"])


def test_quoted_date_is_accepted(capsys: pytest.CaptureFixture[str], tmp_path: Path, make_site: MakeSite) -> None:
    site = make_site(tmp_path, {ABOUT: fm("pages", extra="menu: 1\n").replace("last_reviewed: 2026-01-01", 'last_reviewed: "2026-01-01"')})
    assert build_lines(capsys, tmp_path, site) == (0, [])


def test_missing_required_keys_point_at_the_front_matter(capsys: pytest.CaptureFixture[str], tmp_path: Path, make_site: MakeSite) -> None:
    site = make_site(tmp_path, {ABOUT: "---\nsummary: S.\n" + REVIEW.replace("reviewed_by: Test Reviewer (placeholder)\n", "") + "---\n"})
    assert build_lines(capsys, tmp_path, site) == (
        1,
        [f"{ABOUT}:2: missing required key 'reviewed_by'", f"{ABOUT}:2: missing required key 'title'"],
    )


def test_empty_front_matter(capsys: pytest.CaptureFixture[str], tmp_path: Path, make_site: MakeSite) -> None:
    site = make_site(tmp_path, {ABOUT: "---\n---\n"})
    keys = ("last_reviewed", "next_review", "reviewed_by", "summary", "title")
    assert build_lines(capsys, tmp_path, site) == (1, [f"{ABOUT}:1: missing required key '{k}'" for k in keys])


def test_unknown_keys_with_did_you_mean(capsys: pytest.CaptureFixture[str], tmp_path: Path, make_site: MakeSite) -> None:
    site = make_site(tmp_path, {ABOUT: fm("pages", extra="sumary: typo\ncolour: red\nsources_: []\n")})
    assert build_lines(capsys, tmp_path, site) == (
        1,
        [
            f"{ABOUT}:10: sumary: unknown key (did you mean 'summary'?)",
            f"{ABOUT}:11: colour: unknown key",
            f"{ABOUT}:12: sources_: unknown key (did you mean 'sources'?)",
        ],
    )


def test_nested_problems(capsys: pytest.CaptureFixture[str], tmp_path: Path, make_site: MakeSite) -> None:
    text = (
        "---\ntitle: T\nsummary: S.\nlast_reviewed: 2026-01-01\nnext_review: 2027-01-01\nreviewed_by: R\n"
        "sources:\n"
        "  - title: One\n"  # 8
        "  - title: Two\n"  # 9
        "    url: ftp://example.org\n"  # 10
        "    yeer: 2020\n"  # 11
        "  - just text\n"  # 12
        "---\n"
    )
    site = make_site(tmp_path, {ABOUT: text})
    assert build_lines(capsys, tmp_path, site) == (
        1,
        [
            f"{ABOUT}:8: missing required key 'url' in sources[0]",
            f"{ABOUT}:10: sources[1].url: 'ftp://example.org' is not a valid web address (http:// or https://)",
            f"{ABOUT}:11: sources[1].yeer: unknown key (did you mean 'year'?)",
            f"{ABOUT}:12: sources[2]: expected a source with keys title, url, publisher, year",
        ],
    )


def test_type_specific_fields(capsys: pytest.CaptureFixture[str], tmp_path: Path, make_site: MakeSite) -> None:
    text = (
        "---\ntitle: T\nsummary: S.\n"
        "region: lumber\n"  # 4
        "spine_levels: [L4-L5, L9-L10, L4-L5]\n"  # 5
        "symptoms: yes\n"  # 6
        "stretches: bridge\n"  # 7: one item is accepted
        + REVIEW.replace("next_review: 2027-01-01", "next_review: 2025-01-01")  # 8-13
        + "hold_seconds: 5\n"  # 14
        "---\n"
    )
    site = make_site(tmp_path, {"content/conditions/back-pain.md": text})
    code, lines = build_lines(capsys, tmp_path, site)
    c = "content/conditions/back-pain.md"
    assert (code, lines) == (
        1,
        [
            f"{c}:4: region: 'lumber' is not one of: cervical, thoracic, lumbar, sacral (did you mean 'lumbar'?)",
            f"{c}:5: spine_levels[1]: 'L9-L10' is not one of: {', '.join(LEVELS)} (did you mean 'T9-T10'?)",
            f"{c}:5: spine_levels[2]: 'L4-L5' is listed twice",
            f"{c}:6: symptoms[0]: expected text, got a yes/no value (yes) (put it in quotes)",
            f"{c}:9: next_review: must be after last_reviewed (2026-01-01)",
            f"{c}:14: hold_seconds: unknown key",
        ],
    )


def test_review_gap(capsys: pytest.CaptureFixture[str], tmp_path: Path, make_site: MakeSite) -> None:
    site = make_site(tmp_path, {ABOUT: fm("pages").replace("next_review: 2027-01-01", "next_review: 2030-01-01")})
    assert build_lines(capsys, tmp_path, site) == (1, [f"{ABOUT}:5: next_review: must be at most 3 years after last_reviewed"])


def test_numbers_and_booleans(capsys: pytest.CaptureFixture[str], tmp_path: Path, make_site: MakeSite) -> None:
    site = make_site(tmp_path, {ABOUT: fm("pages", extra="menu: 1.5\ndraft: maybe\n")})
    assert build_lines(capsys, tmp_path, site) == (
        1,
        [f"{ABOUT}:10: menu: expected a whole number, got a number (1.5)", f"{ABOUT}:11: draft: expected true or false, got 'maybe'"],
    )
    site2 = make_site(tmp_path, {ABOUT: fm("pages", extra="menu: 101\n")}, name="site2")
    assert build_lines(capsys, tmp_path, site2) == (1, [f"{ABOUT}:10: menu: must be between 0 and 100, got 101"])


def test_sorted_output_then_a_count(capsys: pytest.CaptureFixture[str], tmp_path: Path, make_site: MakeSite) -> None:
    site = make_site(
        tmp_path,
        {
            "content/stretches/bridge.md": fm("stretches", "No") + "Body.\n",
            ABOUT: fm("pages", extra="colour: red\n"),
            "content/causes/disc-wear.md": "---\ntitle: [\n---\n",
        },
    )
    code, _out, err = run_cli(capsys, "build", site, "-o", tmp_path / "out")
    assert code == 1
    assert err.splitlines() == [
        "content/causes/disc-wear.md:2: the '[' at column 8 starts a list that is never closed: add the missing ']', "
        "or if the '[' is part of the text, write title: \"[\"",
        f"{ABOUT}:10: colour: unknown key",
        "content/stretches/bridge.md:2: title: expected text, got a yes/no value (No) (put it in quotes)",
        "Failed: 3 errors, 0 warnings; nothing was written.",
    ]
    # back-pain.md refers to disc-wear: no "unknown cause" cascade, the file's own error says it all.


def test_same_problems_from_check(capsys: pytest.CaptureFixture[str], tmp_path: Path, make_site: MakeSite) -> None:
    site = make_site(tmp_path, {ABOUT: fm("pages", "1.10")})
    before = snapshot(tmp_path)
    code, _out, err = run_cli(capsys, "check", site)
    assert (code, error_lines(err)) == (1, [f"{ABOUT}:2: title: expected text, got a number (1.10) (put it in quotes)"])
    assert err.splitlines()[-1].startswith("Failed: 1 error, 0 warnings")
    assert snapshot(tmp_path) == before


def test_drafts_are_validated_too(capsys: pytest.CaptureFixture[str], tmp_path: Path, make_site: MakeSite) -> None:
    site = make_site(tmp_path, {"content/pages/wip.md": page("pages", "No", extra="draft: true\n")})
    assert build_lines(capsys, tmp_path, site) == (
        1,
        ["content/pages/wip.md:2: title: expected text, got a yes/no value (No) (put it in quotes)"],
    )


def test_control_characters_and_long_values_stay_on_one_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, make_site: MakeSite
) -> None:
    long = "x" * 500
    site = make_site(tmp_path, {ABOUT: fm("pages", extra=f'"bad\\nkey": 1\nmenu: "a\\tb"\nslug: "Bad\\rslug"\ndraft: "{long}"\n')})
    assert build_lines(capsys, tmp_path, site) == (
        1,
        [
            f"{ABOUT}:10: bad\\nkey: unknown key",
            f"{ABOUT}:11: menu: expected a whole number, got 'a\\tb'",
            f"{ABOUT}:12: slug: 'Bad\\rslug' is not a valid slug (lower-case letters, digits and hyphens)",
            f"{ABOUT}:13: draft: expected true or false, got '{'x' * 59}…'",
        ],
    )


@pytest.mark.parametrize("url", ["https://[x/docs", "https://x.org:99999/", "https://x.org:port/"])
def test_a_web_address_python_cannot_take_apart_is_refused(
    url: str, tmp_path: Path, make_site: MakeSite, capsys: pytest.CaptureFixture[str]
) -> None:
    """The pattern alone let these through, and the build then stopped with a traceback."""
    site = make_site(tmp_path, {"spinesite.yaml": f"title: T\nbase_url: '{url}'\n"})
    code, _out, err = run_cli(capsys, "build", site)
    assert code == 1
    assert err.splitlines()[0] == f"spinesite.yaml:2: base_url: '{url}' is not a valid web address (http:// or https://)"
    code, _out, err = run_cli(capsys, "build", make_site(tmp_path, name="ok"), "--base-url", url)
    assert (code, err) == (2, f"spinesite: error: --base-url {url!r} is not a web address; give one like https://user.github.io/repo/\n")
