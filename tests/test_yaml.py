"""yamlnodes.parse: safe YAML with a line for every key and list item."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from spinesite.content.yamlnodes import MAX_DEPTH, Parsed, YamlError, parse
from workmeter import watch_yaml


def error_of(text: str, first_line: int = 2) -> tuple[int, str]:
    with pytest.raises(YamlError) as info:
        parse(text, first_line)
    return info.value.line, info.value.message


def test_lines_of_keys_and_items_are_shifted_to_the_file() -> None:
    parsed = parse("title: Bridge\nstretches:\n  - a\n  - b\nfaq:\n  - question: Q\n    answer: A\n", first_line=2)
    assert parsed.value == {"title": "Bridge", "stretches": ["a", "b"], "faq": [{"question": "Q", "answer": "A"}]}
    assert parsed.lines[("title",)] == 2
    assert parsed.lines[("stretches", 0)] == 4
    assert parsed.lines[("stretches", 1)] == 5
    assert parsed.lines[("faq", 0, "answer")] == 8
    assert parsed.line(("faq", 0, "nope")) == 7  # falls back to the closest ancestor
    assert parsed.line(("missing",)) == 2  # ... or to the document


def test_flow_list_items_share_the_line() -> None:
    parsed = parse("a: 1\nstretches: [x, y, z]\n", first_line=2)
    assert [parsed.lines[("stretches", i)] for i in range(3)] == [3, 3, 3]


def test_empty_document() -> None:
    assert parse("", 2) == Parsed(None)
    assert parse("# just a comment\n", 2).value is None


def test_scalars_keep_yaml_types_and_the_text_as_written() -> None:
    parsed = parse("a: 1.10\nb: No\nc: 2026-01-01\nd: text\ne: [1, x]\n")
    assert parsed.value == {"a": 1.1, "b": False, "c": dt.date(2026, 1, 1), "d": "text", "e": [1, "x"]}
    assert parsed.source_text(("a",)) == "1.10"
    assert parsed.source_text(("b",)) == "No"
    assert parsed.source_text(("c",)) == "2026-01-01"
    assert parsed.source_text(("d",)) is None  # strings are not recorded
    assert parsed.source_text(("e", 0)) == "1"


def test_impossible_date_stays_text_for_the_validator() -> None:
    assert parse("last_reviewed: 2026-02-30\n").value == {"last_reviewed": "2026-02-30"}


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        (
            "title: [oops\nsummary: x\n",
            2,
            "the '[' at column 8 starts a list that is never closed: add the missing ']', "
            "or if the '[' is part of the text, write title: \"[oops\"",
        ),
        ("a:\n\t- x\n", 3, "YAML indents with spaces, not tabs: replace the tab at column 1 with spaces"),
        ("a: 1\n---\nb: 2\n", 3, "YAML syntax error: but found another document"),
        ("title: a\ntitle: b\n", 3, "duplicate key 'title': it is already on line 2; keep one of the two"),
        ("a: &x {b: 1}\nc:\n  <<: *x\n", 4, "YAML aliases (*x) are not allowed; write the value out"),
        ("a: {b: 1}\nc:\n  <<: {d: 2}\n", 4, "YAML merge keys (<<) are not allowed"),
        ("? [a, b]\n: c\n", 2, "a key must be plain text"),
        ("a: !!set {x, y}\n", 2, "unsupported YAML tag '!!set'"),
        ("a: !!binary aGVsbG8=\n", 2, "unsupported YAML tag '!!binary'"),
        ("a: !custom x\n", 2, "unsupported YAML tag '!custom'"),
        ("!!python/name:os.system : x\n", 2, "unsupported YAML tag '!!python/name:os.system'"),
        ("a: &k x\n*k : y\n", 3, "YAML aliases (*k) are not allowed; write the value out"),
        ("a: &a [*a]\n", 2, "YAML aliases (*a) are not allowed; write the value out"),
        ("a: " + "9" * 5000 + "\n", 2, "number '" + "9" * 39 + "…' is too long (put it in quotes if it is text)"),
        ("a: b\nc: \x1f\n", 3, "character U+001F is not allowed in front matter (control characters are not allowed)"),
        (
            "a: \ud800\n",
            2,
            "text is not valid Unicode ('utf-8' codec can't encode character '\\ud800' in position 3: surrogates not allowed)",
        ),
    ],
)
def test_errors_have_the_file_line(text: str, line: int, message: str) -> None:
    assert error_of(text) == (line, message)


def test_python_tags_are_refused_and_nothing_runs(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    for tag in ("!!python/object/apply:os.system", "!!python/object/new:os.system", "!!python/object:os.system"):
        line, message = error_of(f'menu: {tag} ["touch {marker}"]\n')
        assert (line, message) == (2, f"unsupported YAML tag '{tag}'")
    assert not marker.exists()


def test_billion_laughs_is_refused_fast(monkeypatch: pytest.MonkeyPatch) -> None:
    lines = ["a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for i, name in enumerate("bcdefghij"):
        prev = "abcdefghij"[i]
        lines.append(f"{name}: &{name} [{', '.join([f'*{prev}'] * 9)}]")
    work = watch_yaml(monkeypatch)
    assert error_of("\n".join(lines) + "\n") == (3, "YAML aliases (*a) are not allowed; write the value out")
    # Work, not time: the event stream is dropped at the first alias (its 18th event), and nothing
    # is composed (composing is where the aliases would multiply: 9**10 strings).
    assert [s.events for s in work.streams] == [18]
    assert work.composed == []


@pytest.mark.parametrize(
    "text",
    [
        "a: " + "[" * 1_000_000,  # libyaml's scanner is quadratic in depth: must stop early
        "a: " + "{b: " * 100_000,
        "a:\n" + "".join("  " * i + "-\n" for i in range(1000)),
    ],
    ids=["flow-list", "flow-map", "block-list"],
)
def test_deep_nesting_is_refused_fast(monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    work = watch_yaml(monkeypatch)
    line, message = error_of(text)
    assert message == f"YAML is nested too deeply (more than {MAX_DEPTH} levels)"
    assert line >= 2
    # Work, not time: the event stream is dropped at the first level too deep (at most a key and a
    # start event per level), or libyaml gives up at its own limit (1000 levels); libyaml never
    # reports reading more than a few KB of these 0.4–1 MB texts, and nothing is composed.
    [stream] = work.streams
    assert stream.events <= 2 * (MAX_DEPTH + 1) + 3
    assert stream.furthest < 4096
    assert work.composed == []


def test_nesting_up_to_the_limit_is_fine() -> None:
    text = "a: " + "[" * (MAX_DEPTH - 1) + "x" + "]" * (MAX_DEPTH - 1) + "\n"
    value = parse(text).value["a"]
    for _ in range(MAX_DEPTH - 2):
        value = value[0]
    assert value == ["x"]


def test_keys_are_text_whatever_they_look_like() -> None:
    assert parse("1: a\nyes: b\n~: c\n").value == {"1": "a", "yes": "b", "~": "c"}


@pytest.mark.parametrize("loader", ["C", "pure"])
@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 999, 1000, 1001, 5000])
def test_our_nesting_message_wins_whatever_libyaml_does(monkeypatch: pytest.MonkeyPatch, loader: str, depth: int) -> None:
    """libyaml 0.2.6 has its own limit (1000 levels, "exceeded maximum nesting depth") that can
    fire while it scans ahead, before our event check sees level 51; the pure-Python loader has
    none. Either way the editor reads one plain message."""
    import yaml

    from spinesite.content import yamlnodes

    if loader == "pure":
        monkeypatch.setattr(yamlnodes, "_Loader", yaml.SafeLoader)
    for text in ("a: " + "[" * depth, "a: " + "{b: " * depth, "a: " + "[" * depth + "]" * depth):
        assert error_of(text) == (2, f"YAML is nested too deeply (more than {MAX_DEPTH} levels)")


def test_a_libyaml_nesting_error_is_reported_in_our_words(monkeypatch: pytest.MonkeyPatch) -> None:
    """Whatever libyaml's wording or limit, a nesting error it raises becomes our message."""
    import yaml

    from spinesite.content import yamlnodes

    def libyaml_refuses(text: str, Loader: object) -> object:
        raise yaml.scanner.ScannerError(
            "while increasing flow level", None, "exceeded maximum nesting depth", yaml.Mark("<unicode string>", 0, 3, 4, None, None)
        )

    monkeypatch.setattr(yamlnodes.yaml, "parse", libyaml_refuses)
    assert error_of("a:\n  b:\n    c: 1\n") == (5, f"YAML is nested too deeply (more than {MAX_DEPTH} levels)")


@pytest.mark.parametrize(
    "text",
    [
        "title: T\nnext_review: 2027-01-01\n",
        "title: T\nnext_review :   2027-01-01  # soon\n",
        "title: |\n  next_review: not a key\n  more\nnext_review: 2027-01-01\n",
        "title: T\nsummary: >-\n  x\n\n\nnext_review: 2027-01-01\n",
        '"next_review": 2027-01-01\ntitle: T\n',
        "{title: T,\n next_review: 2027-01-01}\n",
        "title: T\n",
        "title: T\nnext_reviewed: 1\nnext_review: 2\n",
    ],
)
def test_a_lazy_top_level_line_is_the_parsed_line(text: str) -> None:
    """LazyParsed finds a top-level key's line without parsing when it can: the same line as parsing."""
    from spinesite.content.yamlnodes import LazyParsed

    lazy, parsed = LazyParsed(lambda: text), parse(text, 2)
    assert lazy.line(("next_review",)) == parsed.line(("next_review",))
    assert lazy.line(("title",)) == parsed.line(("title",))
