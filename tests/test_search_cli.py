"""Pagefind run as its own program (``pagefind --site``): missing, failing or hanging, it is one
diagnostic and the old output stays; only spinesite's settings reach it; an unchanged index
file is not touched."""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import error_lines, run_cli
from spinesite.diagnostics import Diagnostics
from spinesite.output import pagefindrun, search

MakeSite = Callable[..., Path]
SUFFIX = " (build with --no-search to skip it)"


def contents(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def fake_pagefind(tmp_path: Path, script: str) -> Path:
    """A program standing in for Pagefind: a shell script."""
    program = tmp_path / "fake-pagefind"
    program.write_text("#!/bin/sh\n" + script, encoding="utf-8")
    program.chmod(program.stat().st_mode | stat.S_IXUSR)
    return program


@pytest.fixture
def built(tmp_path: Path, make_site: MakeSite, capsys: pytest.CaptureFixture[str]) -> tuple[Path, Path]:
    """A site built once with search, then edited: (site, output)."""
    site = make_site(tmp_path)
    out = tmp_path / "out"
    assert run_cli(capsys, "build", site, "-o", out)[0] == 0
    about = site / "content" / "pages" / "about.md"
    about.write_text(about.read_text().replace("We write it.", "We write it again."))
    return site, out


def build_fails_with(capsys: pytest.CaptureFixture[str], site: Path, out: Path, reason: str) -> None:
    before = contents(out)
    code, _out, err = run_cli(capsys, "build", site, "-o", out)
    assert code == 1
    assert error_lines(err) == [f"search: could not build the search index: {reason}{SUFFIX}"]
    assert contents(out) == before  # the previous output stays
    assert sorted(p.name for p in out.parent.iterdir() if p.name.startswith(".out.")) == []  # no work folders left


def test_pagefind_missing(built: tuple[Path, Path], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    import pagefind_bin

    def missing() -> Path:
        raise FileNotFoundError("Could not find any of [...]")

    monkeypatch.setattr(pagefind_bin, "get_executable", missing)
    build_fails_with(capsys, *built, "Pagefind is not installed; pip install 'pagefind_bin>=1.1,<2' installs it")


def test_pagefind_failing(
    built: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    program = fake_pagefind(tmp_path, "echo 'Running Pagefind'\necho 'Error: the disk is full' >&2\nexit 3\n")
    monkeypatch.setattr(pagefindrun, "pagefind_program", lambda: program)
    build_fails_with(capsys, *built, "Pagefind stopped with exit code 3: the disk is full")


def test_pagefind_writing_no_bundle(
    built: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pagefindrun, "pagefind_program", lambda: fake_pagefind(tmp_path, "exit 0\n"))
    build_fails_with(capsys, *built, "Pagefind wrote no pagefind.js")


def test_pagefind_hanging(
    built: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    program = fake_pagefind(tmp_path, "exec sleep 600\n")  # exec: the process stopped is the one sleeping
    monkeypatch.setattr(pagefindrun, "pagefind_program", lambda: program)
    monkeypatch.setattr(pagefindrun, "TIMEOUT", (0.5, 0.0))
    build_fails_with(capsys, *built, "Pagefind took too long")


def test_only_spinesite_settings_reach_pagefind(
    tmp_path: Path, make_site: MakeSite, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Pagefind reads settings from pagefind.yml in the folder it runs in and from PAGEFIND_*
    # variables: neither may change the index (here: URLs keeping index.html, another language).
    site = make_site(tmp_path)
    assert run_cli(capsys, "build", site, "-o", tmp_path / "plain")[0] == 0
    work = tmp_path / "work"
    work.mkdir()
    (work / "pagefind.yml").write_text("keep_index_url: true\nforce_language: fr\n", encoding="utf-8")
    monkeypatch.chdir(work)
    monkeypatch.setenv("PAGEFIND_KEEP_INDEX_URL", "true")
    monkeypatch.setenv("PAGEFIND_FORCE_LANGUAGE", "fr")
    assert run_cli(capsys, "build", site, "-o", tmp_path / "odd")[0] == 0
    assert contents(tmp_path / "odd" / "pagefind") == contents(tmp_path / "plain" / "pagefind")


def test_unchanged_index_files_are_not_touched(built: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    # Like every output file: only what changed is replaced, so deploys upload only that.
    site, out = built
    before = {rel: os.stat(out / "pagefind" / rel) for rel in contents(out / "pagefind")}
    assert run_cli(capsys, "build", site, "-o", out)[0] == 0
    after = {rel: os.stat(out / "pagefind" / rel) for rel in contents(out / "pagefind")}
    kept = [
        rel
        for rel in after
        if rel in before and (after[rel].st_ino, after[rel].st_mtime_ns) == (before[rel].st_ino, before[rel].st_mtime_ns)
    ]
    assert "pagefind.js" in kept and "wasm.en.pagefind" in kept
    assert len([rel for rel in kept if rel.startswith("fragment/")]) == len([rel for rel in before if rel.startswith("fragment/")]) - 1


def test_pages_without_the_indexed_region_are_left_out_unless_no_page_has_one() -> None:
    # Pagefind reads no page without data-pagefind-body once one has it: they need not be written.
    body = b"<html><body><main data-pagefind-body><h1>A</h1></main></body></html>"
    plain = b"<html><body><h1>B</h1></body></html>"
    pages = dict(search._pages({"b/index.html": plain, "a/index.html": body, "c/index.html": plain}, {}))
    assert list(pages) == ["a/index.html"]
    pages = dict(search._pages({"b/index.html": plain, "c/index.html": plain, "x.css": b"", "../d.html": plain}, {}))
    assert list(pages) == ["b/index.html", "c/index.html"]


def test_the_preview_gets_the_bundle_as_bytes() -> None:
    page = b'<html lang="en"><body><main data-pagefind-body><h1>Sciatica</h1><p>Leg pain.</p></main></body></html>'
    bundle = search.build_index({"sciatica/index.html": page}, "en-GB", diags := Diagnostics())
    assert diags.items == []
    assert "pagefind/pagefind.js" in bundle and "pagefind/wasm.en.pagefind" in bundle
    assert not {f"pagefind/{name}" for name in search.UNUSED_FILES} & set(bundle)
