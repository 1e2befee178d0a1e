"""python-frontmatter as the format contract (test-only oracle, never the parser).

A page's file format is "YAML front matter between two '---' lines, then Markdown", the format
python-frontmatter reads. spinesite has its own loader (loader.py, yamlnodes.py) because it needs
line numbers and refuses what python-frontmatter silently accepts; this test keeps the two in
step: every bundled page and every valid fixture page gives, through ``frontmatter.loads``, the
same metadata (same YAML typing: dates, numbers, lists) and the same body (up to the surrounding
whitespace python-frontmatter strips) as spinesite's loader reads, before validation.

Each known difference is listed in CONTRIBUTING.md ("Compatibility with python-frontmatter") and
shown below with a small case giving both behaviours.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import frontmatter
import pytest
import yaml

from conftest import ROOT, SITES, run_cli
from spinesite.content.loader import load_content, load_file
from spinesite.diagnostics import Diagnostics

FIXTURE_SITES = sorted(p.name for p in SITES.iterdir() if (p / "content").is_dir())


def error_paths(capsys: pytest.CaptureFixture[str], site: Path) -> set[str]:
    """Files with an error from ``spinesite check`` (it writes nothing to the site)."""
    _, out, _ = run_cli(capsys, "check", site, "--format", "json")
    return {d["path"] for d in json.loads(out)["diagnostics"] if d["level"] == "error"}


def mismatches(site: Path, skip: set[str]) -> tuple[int, list[str]]:
    """(pages compared, one line per page where python-frontmatter reads something else)."""
    diags = Diagnostics()
    sources = load_content(site, diags)
    compared, problems = 0, []
    for src in sources:
        if src.rel in skip:
            continue
        post = frontmatter.loads((site / src.rel).read_text(encoding="utf-8"))
        assert src.body is not None
        compared += 1
        if post.metadata != src.parsed.value:
            keys = sorted(k for k in post.metadata.keys() | src.parsed.value.keys() if post.metadata.get(k) != src.parsed.value.get(k))
            problems.append(f"{src.rel}: metadata differs in {', '.join(keys)}")
        if post.content != src.body.strip():
            problems.append(f"{src.rel}: body differs")
    return compared, problems


def test_bundled_pages_read_the_same_with_python_frontmatter() -> None:
    compared, problems = mismatches(ROOT, set())
    assert compared == len(list((ROOT / "content").rglob("*.md")))
    assert compared > 50
    assert problems == []


@pytest.mark.parametrize("name", FIXTURE_SITES)
def test_valid_fixture_pages_read_the_same_with_python_frontmatter(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    site = SITES / name
    compared, problems = mismatches(site, error_paths(capsys, site))
    assert compared > 0
    assert problems == []


def test_dates_and_numbers_are_typed_alike(tmp_path: Path) -> None:
    text = "---\ntitle: X\nlast_reviewed: 2026-01-01\nhold_seconds: 30\nratio: 1.5\nflag: no\nlevels: [L4-L5]\n---\nBody\n"
    assert frontmatter.loads(text).metadata == {
        "title": "X",
        "last_reviewed": dt.date(2026, 1, 1),
        "hold_seconds": 30,
        "ratio": 1.5,
        "flag": False,
        "levels": ["L4-L5"],
    }
    assert spinesite_reads(tmp_path, text) == (frontmatter.loads(text).metadata, "Body\n", [])


# --- the known differences, each with both behaviours --------------------------------------


def spinesite_reads(tmp_path: Path, data: str | bytes) -> tuple[Any, str | None, list[str]]:
    """(front matter, body, 'line: message' errors) as spinesite's loader reads a page file."""
    path = tmp_path / "content" / "pages" / "p.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    diags = Diagnostics()
    src = load_file(path, "content/pages/p.md", "pages", diags, 1024 * 1024)
    errors = [f"{d.line}: {d.message}" for d in diags.errors]
    return (src.parsed.value, src.body, errors) if src is not None else (None, None, errors)


def test_utf8_bom_spinesite_reads_the_front_matter_python_frontmatter_ignores_it(tmp_path: Path) -> None:
    raw = b"\xef\xbb\xbf---\ntitle: X\n---\nBody\n"
    assert spinesite_reads(tmp_path, raw) == ({"title": "X"}, "Body\n", [])
    post = frontmatter.loads(raw.decode("utf-8"))
    assert post.metadata == {}
    assert post.content == "\ufeff---\ntitle: X\n---\nBody"


def test_leading_brace_python_frontmatter_reads_json_spinesite_asks_for_dashes(tmp_path: Path) -> None:
    text = '{\n"title": "X"\n}\nBody\n'
    assert spinesite_reads(tmp_path, text) == (None, None, ["1: missing front matter: the first line must be '---'"])
    post = frontmatter.loads(text)
    assert (post.metadata, post.content) == ({"title": "X"}, "Body")


def test_body_whitespace_python_frontmatter_strips_it_spinesite_keeps_it(tmp_path: Path) -> None:
    # An indented first line is a Markdown code block: stripping changes what the page says.
    text = "---\ntitle: X\n---\n\n    code block\n\nText\n\n"
    assert spinesite_reads(tmp_path, text) == ({"title": "X"}, "\n    code block\n\nText\n\n", [])
    assert frontmatter.loads(text).content == "code block\n\nText"


def test_blank_lines_before_the_front_matter_python_frontmatter_skips_them(tmp_path: Path) -> None:
    text = "\n\n---\ntitle: X\n---\nBody\n"
    assert spinesite_reads(tmp_path, text) == (None, None, ["1: missing front matter: the first line must be '---'"])
    assert frontmatter.loads(text).metadata == {"title": "X"}


def test_closing_dots_spinesite_accepts_them_python_frontmatter_finds_no_front_matter(tmp_path: Path) -> None:
    text = "---\ntitle: X\n...\nBody\n"
    assert spinesite_reads(tmp_path, text) == ({"title": "X"}, "Body\n", [])
    post = frontmatter.loads(text)
    assert (post.metadata, post.content) == ({}, "---\ntitle: X\n...\nBody")


def test_four_dashes_python_frontmatter_closes_there_spinesite_does_not(tmp_path: Path) -> None:
    text = "---\ntitle: X\n----\nBody\n"
    assert spinesite_reads(tmp_path, text) == (None, None, ["1: front matter is not closed: add a '---' line after the last key"])
    assert frontmatter.loads(text).metadata == {"title": "X"}


def test_old_mac_line_endings_spinesite_reads_them_python_frontmatter_does_not(tmp_path: Path) -> None:
    text = "---\rtitle: X\r---\rBody\r"
    assert spinesite_reads(tmp_path, text) == ({"title": "X"}, "Body\n", [])
    assert frontmatter.loads(text).metadata == {}


def test_keys_stay_text_in_spinesite_python_frontmatter_types_them(tmp_path: Path) -> None:
    text = "---\n1: a\nyes: b\nnull: c\n---\nBody\n"
    assert spinesite_reads(tmp_path, text) == ({"1": "a", "yes": "b", "null": "c"}, "Body\n", [])
    with pytest.raises(TypeError, match="keywords must be strings"):  # keys 1, True, None
        frontmatter.loads(text)


def test_impossible_date_spinesite_keeps_the_text_python_frontmatter_raises(tmp_path: Path) -> None:
    text = "---\nlast_reviewed: 2026-02-30\n---\nBody\n"
    assert spinesite_reads(tmp_path, text) == ({"last_reviewed": "2026-02-30"}, "Body\n", [])  # the schema reports it
    with pytest.raises(ValueError, match="day is out of range"):
        frontmatter.loads(text)


def test_duplicate_keys_spinesite_refuses_python_frontmatter_keeps_the_last(tmp_path: Path) -> None:
    text = "---\ntitle: A\ntitle: B\n---\nBody\n"
    assert spinesite_reads(tmp_path, text)[2] == ["3: duplicate key 'title': it is already on line 2; keep one of the two"]
    assert frontmatter.loads(text).metadata == {"title": "B"}


def test_aliases_spinesite_refuses_python_frontmatter_expands_them(tmp_path: Path) -> None:
    text = "---\na: &x [1, 2]\nb: *x\n---\nBody\n"
    assert spinesite_reads(tmp_path, text)[2] == ["3: YAML aliases (*x) are not allowed; write the value out"]
    assert frontmatter.loads(text).metadata == {"a": [1, 2], "b": [1, 2]}


def test_front_matter_that_is_not_a_mapping_spinesite_reports_python_frontmatter_drops_it(tmp_path: Path) -> None:
    text = "---\n- a\n- b\n---\nBody\n"
    assert spinesite_reads(tmp_path, text)[2] == ["2: front matter must be a mapping of 'key: value' lines, got a list"]
    post = frontmatter.loads(text)
    assert (post.metadata, post.content) == ({}, "Body")


def test_merge_keys_spinesite_refuses_python_frontmatter_merges(tmp_path: Path) -> None:
    text = "---\n<<: {a: 1}\n---\nBody\n"
    assert spinesite_reads(tmp_path, text)[2] == ["2: YAML merge keys (<<) are not allowed"]
    assert frontmatter.loads(text).metadata == {"a": 1}


def test_non_standard_tags_both_refuse_spinesite_with_a_line(tmp_path: Path) -> None:
    text = "---\ntitle: X\nrun: !!python/name:os.system\n---\nBody\n"
    assert spinesite_reads(tmp_path, text)[2] == ["3: unsupported YAML tag '!!python/name:os.system'"]
    with pytest.raises(yaml.constructor.ConstructorError):
        frontmatter.loads(text)


def test_plain_value_front_matter_spinesite_reports_python_frontmatter_drops_it(tmp_path: Path) -> None:
    text = "---\njust text\n---\nBody\n"
    assert spinesite_reads(tmp_path, text)[2] == ["2: front matter must be a mapping of 'key: value' lines, got 'just text'"]
    post = frontmatter.loads(text)
    assert (post.metadata, post.content) == ({}, "Body")
