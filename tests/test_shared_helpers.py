"""Helpers written once and shared by the stages (issue 15, "repeats"): the edge cases each
caller relies on, and the package's import graph (no module imports one that imports it back).
"""

from __future__ import annotations

import ast
from pathlib import Path

import jinja2
import pytest

import spinesite
from spinesite.diagnostics import Diagnostics, line_of, show, show_url
from spinesite.render.templates import template_error
from spinesite.siteurls import SiteBase, base_path

# ----------------------------------------------------------------------------- line_of

TEXT = "first\nsecond ](x.md)\nthird\n"


def test_line_of_counts_from_the_first_line() -> None:
    assert line_of(TEXT, "](x.md", 11, missing=0) == 12
    assert line_of(TEXT, "first", 11, missing=0) == 11


@pytest.mark.parametrize("needle", ["](y.md", ""])
def test_line_of_says_what_the_caller_wants_when_nothing_is_found(needle: str) -> None:
    # markdown.py reports at the block's first line; checks.py reports 0 ("the whole file",
    # a URL the theme wrote), so source_line() can tell the two apart.
    assert line_of(TEXT, needle, 11, missing=11) == 11
    assert line_of(TEXT, needle, 11, missing=0) == 0


# ----------------------------------------------------------------------------- show, show_url


def test_show_escapes_author_text_as_python_does_and_cuts_to_the_limit() -> None:
    assert show("a\tb\x00c\u2028") == "a\\tb\\x00c\\u2028"
    assert show("x" * 40) == "x" * 40
    assert show("x" * 41) == "x" * 39 + "…"
    assert len(show("é" * 500, 60)) == 60


def test_show_url_escapes_as_hex_and_keeps_limit_characters_before_the_ellipsis() -> None:
    assert show_url("/a\tb\x00c\u2028") == "/a\\x09b\\x00c\\u2028"
    assert show_url("x" * 80) == "x" * 80
    assert show_url("x" * 81) == "x" * 80 + "…"


# ----------------------------------------------------------------------------- base path


@pytest.mark.parametrize(
    ("url", "path"),
    [
        ("https://example.org/", "/"),
        ("https://example.org", "/"),
        ("https://user.github.io/repo/", "/repo/"),
        ("https://user.github.io/repo", "/repo/"),
        ("http://localhost:8000/a/b/", "/a/b/"),
    ],
)
def test_one_base_path_for_the_pages_and_the_checks(url: str, path: str) -> None:
    assert base_path(url) == path
    assert SiteBase.from_url(url).path == path


# ----------------------------------------------------------------------------- template errors


def test_template_errors_are_reported_where_they_can_be_fixed() -> None:
    diags = Diagnostics()
    env = jinja2.Environment(undefined=jinja2.StrictUndefined)
    with pytest.raises(jinja2.TemplateSyntaxError) as syntax:
        env.parse("line one\n{% if %}", name="page.html")
    template_error(syntax.value, "content/pages/about.md", diags)
    with pytest.raises(jinja2.UndefinedError) as undefined:
        env.from_string("{{ nope }}").render()
    template_error(undefined.value, "content/pages/about.md", diags)
    assert [d.format() for d in diags.items] == [
        "templates/page.html:2: template syntax error: Expected an expression, got 'end of statement block'",
        "content/pages/about.md: template error: 'nope' is undefined",
    ]


# ----------------------------------------------------------------------------- import graph


def _imports(package: Path) -> dict[str, set[str]]:
    """Module → the package modules it imports (``from .x import`` and ``from . import x``,
    including the imports made only for type checking)."""
    modules = {
        ".".join(p.relative_to(package).with_suffix("").parts).removesuffix("__init__").rstrip("."): p for p in package.rglob("*.py")
    }
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        here = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]  # the package it is in
        found: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level:
                base = here[: len(here) - node.level + 1]
                targets = [".".join([*base, node.module])] if node.module else [".".join([*base, a.name]) for a in node.names]
                found |= {t for t in targets if t in modules}
        graph[name] = found - {name}
    return graph


def test_no_import_loops() -> None:
    graph = _imports(Path(spinesite.__file__).parent)
    loops = []
    for start in sorted(graph):
        stack, seen = [(start, [start])], set()
        while stack:
            module, path = stack.pop()
            for nxt in sorted(graph[module]):
                if nxt == start:
                    loops.append(" → ".join([*path, start]))
                elif nxt not in seen:
                    seen.add(nxt)
                    stack.append((nxt, [*path, nxt]))
    assert loops == []
