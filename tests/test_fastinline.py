"""The fast inline stage must render exactly what Python-Markdown's own renders."""

from __future__ import annotations

import random
import sys
from pathlib import Path

import markdown as md_lib
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from spinesite.render import fastinline
from spinesite.render.markdown import EXTENSION_CONFIGS, EXTENSIONS

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
import generate  # noqa: E402


def render(text: str, fast: bool) -> str:
    md = md_lib.Markdown(extensions=EXTENSIONS, extension_configs=EXTENSION_CONFIGS, output_format="html")
    if fast:
        fastinline.install(md)
    return md.convert(text)


def test_it_is_installed_in_place_of_the_stock_inline_stage() -> None:
    md = md_lib.Markdown(extensions=EXTENSIONS, extension_configs=EXTENSION_CONFIGS)
    fastinline.install(md)
    assert isinstance(md.treeprocessors["inline"], fastinline.FastInlineProcessor)
    assert len(md.treeprocessors) == len(md_lib.Markdown(extensions=EXTENSIONS, extension_configs=EXTENSION_CONFIGS).treeprocessors)


def test_block_level_answers_are_python_markdowns() -> None:
    md = md_lib.Markdown(extensions=EXTENSIONS, extension_configs=EXTENSION_CONFIGS)
    stock = md.is_block_level
    fastinline.install(md)
    tags = [*md.block_level_elements, "P", "DIV/", "span", "a", "em", "", "x-custom", "tr/", None, 3]
    assert [md.is_block_level(tag) for tag in tags] == [stock(tag) for tag in tags]
    assert md.is_block_level("Table") and not md.is_block_level("strong")


def test_every_pattern_has_triggers() -> None:
    """A pattern added by a new Python-Markdown or extension works (it is always tried), but
    is slow: this test says so."""
    md = md_lib.Markdown(extensions=EXTENSIONS, extension_configs=EXTENSION_CONFIGS)
    names = [md.inlinePatterns.get_index_for_name(name) for name in fastinline.TRIGGERS if name in md.inlinePatterns]
    assert len(names) == len(md.inlinePatterns)


@pytest.mark.parametrize("path", sorted((ROOT / "content").rglob("*.md")), ids=lambda p: p.name)
def test_bundled_pages_render_the_same(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert render(text, True) == render(text, False)


def test_benchmark_pages_render_the_same() -> None:
    corpus = generate.build_corpus(200, seed=3)
    for items in corpus.items.values():
        for item in items[:25]:
            assert render(item.body, True) == render(item.body, False), item.rel


PIECES = [
    "word",
    " ",
    "  \n",
    "\n",
    "\n\n",
    "*",
    "**",
    "_",
    "__",
    "`",
    "``",
    "\\",
    "[",
    "]",
    "(",
    ")",
    "![",
    "[^1]",
    "[^1]: note",
    "<",
    ">",
    "&",
    "&amp;",
    "&#35;",
    "<b>",
    "</b>",
    "<https://example.org>",
    "<a@b.org>",
    "<!-- c -->",
    "http://x.org",
    "# ",
    "- ",
    "1. ",
    "> ",
    "| a | b |\n|---|---|\n| 1 | 2 |",
    "{: .x }",
    "!!! note",
    "    ",
    "~~~",
    "[a]: https://example.org",
    "[a]",
    "[a][]",
    "![i](x.png)",
    "[l](https://example.org 'T')",
    "é",
    "\u00a0",
]


@settings(max_examples=400, derandomize=True, deadline=None, database=None)
@given(st.lists(st.sampled_from(PIECES), max_size=40))
def test_random_markdown_renders_the_same(pieces: list[str]) -> None:
    text = "".join(pieces)
    assert render(text, True) == render(text, False)


def test_random_long_texts_render_the_same() -> None:
    rng = random.Random(7)
    for _ in range(30):
        text = "".join(rng.choice(PIECES) for _ in range(400))
        assert render(text, True) == render(text, False)
