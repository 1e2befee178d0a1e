"""The site folder is untrusted input: a link planted as (or inside) ``.spinesite-cache`` is never
followed, so nothing is ever written outside the site and output folders."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from conftest import MakeSite, run_cli, snapshot
from spinesite import cache as cachemod

REFUSED = (
    ".spinesite-cache: .spinesite-cache is a symbolic link; spinesite never follows links in the site folder: "
    "delete it (it holds only the build cache) and build again"
)


@pytest.mark.parametrize("target", ["folder", "dangling"])
def test_a_cache_folder_that_is_a_link_is_refused(
    capsys: pytest.CaptureFixture[str], make_site: MakeSite, tmp_path: Path, target: str
) -> None:
    site = make_site(tmp_path)
    elsewhere = tmp_path / "elsewhere"
    if target == "folder":
        elsewhere.mkdir()
    (site / ".spinesite-cache").symlink_to(elsewhere, target_is_directory=True)
    before = snapshot(tmp_path, cache=True)
    code, _out, err = run_cli(capsys, "build", site, "-o", tmp_path / "out")
    assert code == 1
    assert err.splitlines()[0] == REFUSED
    assert snapshot(tmp_path, cache=True) == before  # no lock, .gitignore, state or output anywhere


def test_a_cache_folder_that_is_a_file_is_refused(capsys: pytest.CaptureFixture[str], make_site: MakeSite, tmp_path: Path) -> None:
    site = make_site(tmp_path)
    (site / ".spinesite-cache").write_text("x")
    code, _out, err = run_cli(capsys, "build", site, "-o", tmp_path / "out")
    assert code == 1
    assert err.splitlines()[0] == (
        ".spinesite-cache: .spinesite-cache is not a folder; delete it (it holds only the build cache) and build again"
    )


def test_links_planted_inside_the_cache_folder_are_never_followed(
    capsys: pytest.CaptureFixture[str], make_site: MakeSite, tmp_path: Path
) -> None:
    """Every name the build writes in its cache folder, planted as a dangling link to a file
    outside: the build succeeds (twice) and none of the targets is created."""
    site = make_site(tmp_path)
    out = tmp_path / "out"
    outside = tmp_path / "outside"
    outside.mkdir()
    folder = site / cachemod.CACHE_DIR
    folder.mkdir()
    names = [
        ".gitignore",
        f"build-{cachemod.digest(str(out))[:16]}.lock",
        cachemod.CACHE_FILE,
        "stamp.pickle",
        *(f"validated-{i:02d}.pickle" for i in range(cachemod.VALIDATED_SHARDS)),
        *(f".{name}.{os.getpid()}.tmp" for name in (cachemod.CACHE_FILE, "stamp.pickle", "validated-00.pickle")),
    ]
    for i, name in enumerate(names):
        (folder / name).symlink_to(outside / f"target-{i}")
    (folder / cachemod.MARKDOWN_DIR).symlink_to(outside, target_is_directory=True)
    for _ in range(2):
        code, _out, err = run_cli(capsys, "build", site, "-o", out, "--no-search")
        assert code == 0, err
        assert list(outside.iterdir()) == []
    assert (folder / cachemod.MARKDOWN_DIR).is_symlink()  # left alone, and not used
