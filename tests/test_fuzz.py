"""Property tests: whatever a content file holds, a build either succeeds or reports
diagnostics. It never raises, and never writes outside its output folder.

Most examples build in memory (``write=False``); a few write. ``pytest --run-slow`` runs the
``slow`` variants with many more examples.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import MINIMAL, REQUIRED, REVIEW, copy_site, snapshot
from spinesite.build import build
from spinesite.content.contenttypes import TYPES as CONTENT_TYPES

SCHEMAS = {t.folder: t.fields for t in CONTENT_TYPES}
TYPES = tuple(SCHEMAS)
FUZZ = settings(max_examples=200, derandomize=True, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
FUZZ_SLOW = settings(FUZZ, max_examples=2000)
FUZZ_WRITE = settings(FUZZ, max_examples=12)

KEYS = sorted({f.name for fields in SCHEMAS.values() for f in fields})
SLUGS = ["bridge", "back-pain", "disc-wear", "keep-active", "foramen", "about", "fuzz", "knee-rotaton", "../x"]

# Text that stresses every stage: YAML, slugs, Markdown, links, the sanitiser, templates.
SNIPPETS = [
    "---",
    "...",
    "\ufeff",
    "\r\n",
    "\r",
    "\x00",
    "\u2028",
    "\t",
    "café",
    "e\u0301",
    "🙂",
    "[",
    "]",
    "](",
    "[a](../stretches/bridge.md)",
    "[b](bridge.md#x)",
    "[c](nope.md)",
    "[d](/conditions/back-pain/)",
    "![i](/images/bridge.svg)",
    "[e](javascript:alert(1))",
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<iframe src=//x>",
    "{{ 7*7 }}",
    "{% raw %}",
    "{#",
    "*",
    "**",
    "_",
    "`",
    "```",
    "> ",
    "- ",
    "1. ",
    "    ",
    "#",
    "| a | b |\n|---|---|",
    "*[HTML]: x",
    "[^1]",
    "[^1]: note",
    "!!python/object/apply:os.system",
    "&a",
    "*a",
    "<<: *a",
    "&#x09;",
    "foramen",
    "neural foramen",
]

scalars = st.one_of(
    st.text(max_size=30),
    st.sampled_from(SNIPPETS + SLUGS),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.none(),
    st.dates(min_value=dt.date(1, 1, 1)),
    st.datetimes(),
)
keys = st.sampled_from(KEYS) | st.text(max_size=10) | st.sampled_from(["a\nb", "\t", "x" * 300, "é", ""])
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(keys, inner, max_size=4),
    max_leaves=12,
)


@st.composite
def front_matter(draw: st.DrawFn, kind: str) -> str:
    """YAML text: a valid page with some keys changed, a random mapping, or raw text."""
    style = draw(st.sampled_from(["mutated", "mutated", "random", "raw"]))
    if style == "raw":
        return draw(st.lists(st.sampled_from(SNIPPETS) | st.text(max_size=20), max_size=8).map("\n".join)) + "\n"
    if style == "random":
        data: Any = draw(st.dictionaries(keys, values, max_size=8) | values)
    else:
        data = yaml.safe_load(f"title: Fuzz page\nsummary: A summary.\n{REQUIRED[kind]}{REVIEW}")
        for key in draw(st.lists(st.sampled_from(KEYS), max_size=3, unique=True)):
            if draw(st.booleans()):
                data.pop(key, None)
            else:
                data[key] = draw(values)
    try:
        return yaml.safe_dump(
            data, allow_unicode=draw(st.booleans()), default_flow_style=draw(st.sampled_from([False, None, True])), sort_keys=False
        )
    except (yaml.YAMLError, ValueError, OverflowError):
        return "title: unrepresentable\n"


@st.composite
def content_file(draw: st.DrawFn) -> tuple[str, bytes]:
    kind = draw(st.sampled_from(TYPES))
    name = draw(st.sampled_from(["fuzz.md", "fuzz.md", "fuzz.md", "Fuzz.md", "fuzz-2.md", "x y.md", "caf\u00e9.md", "new\nline.md"]))
    front = draw(front_matter(kind))
    body = draw(st.lists(st.sampled_from(SNIPPETS) | st.text(max_size=40), max_size=12).map(lambda parts: "".join(parts)))
    opening, closing = draw(
        st.sampled_from([("---\n", "---\n")] * 6 + [("", "---\n"), ("---\n", ""), ("---\r\n", "---\r\n"), ("\ufeff---\n", "...\n")])
    )
    text = opening + front + closing + body
    encoding = draw(st.sampled_from(["utf-8"] * 8 + ["utf-16", "latin-1"]))
    return f"content/{kind}/{name}", text.encode(encoding, errors="replace")


@pytest.fixture(scope="module")
def fuzz_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("fuzz")
    copy_site(root / "site", {"spinesite.yaml": (MINIMAL / "spinesite.yaml").read_text() + "search: false\n"})
    return root


def _one(root: Path, rel: str, data: bytes, write: bool) -> None:
    site, out = root / "site", root / "out"
    path = site / rel
    path.write_bytes(data)
    before = snapshot(root)
    try:
        result = build(site, out, write=write, search=False, jobs=1)
        diags = result.diagnostics.sorted()
        for d in diags:
            assert d.path and not d.path.startswith("/") and d.line >= 0 and d.message, d
            assert "\n" not in d.message and "\r" not in d.message, d
            assert "Traceback" not in d.message, d
        if result.ok():
            assert result.graph is not None
            if write:
                assert (out / ".spinesite-output").is_file()
        else:
            assert result.diagnostics.errors
        after = snapshot(root)
        changed = {k for k in before.keys() | after.keys() if before.get(k) != after.get(k)}
        assert all(k == "out" or k.startswith("out/") for k in changed), sorted(changed)[:5]
        assert not (root / "site" / "_site").exists()
    finally:
        path.unlink()
        shutil.rmtree(out, ignore_errors=True)
        shutil.rmtree(site / ".spinesite-cache", ignore_errors=True)


@FUZZ
@given(content_file())
def test_any_content_file_builds_or_is_diagnosed(fuzz_root: Path, file: tuple[str, bytes]) -> None:
    _one(fuzz_root, *file, write=False)


@FUZZ_WRITE
@given(content_file())
def test_any_content_file_writes_only_its_output(fuzz_root: Path, file: tuple[str, bytes]) -> None:
    _one(fuzz_root, *file, write=True)


@pytest.mark.slow
@FUZZ_SLOW
@given(content_file())
def test_any_content_file_many_examples(fuzz_root: Path, file: tuple[str, bytes]) -> None:
    _one(fuzz_root, *file, write=False)


@pytest.mark.slow
@settings(FUZZ, max_examples=500)
@given(st.text(max_size=3000), st.integers(min_value=1, max_value=40))
def test_any_markdown_body(fuzz_root: Path, body: str, copies: int) -> None:
    text = f"---\ntitle: Body\nsummary: S.\n{REVIEW}---\n" + body * copies
    _one(fuzz_root, "content/pages/fuzz.md", text.encode("utf-8", "surrogatepass"), write=False)
