"""The site folder is untrusted input: a link planted as (or inside) ``.spinesite-cache`` is never
followed, so nothing is ever written outside the site and output folders."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import MakeSite, run_cli, snapshot
from spinesite.incremental import keys
from spinesite.incremental.store import CACHE_DIR, DB_FILE

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
    folder = site / CACHE_DIR
    folder.mkdir()
    names = [
        ".gitignore",
        f"build-{keys.digest(str(out))[:16]}.lock",
        *(DB_FILE + suffix for suffix in ("", "-wal", "-shm", "-journal")),
        "state.pickle",  # the previous version's cache files, which a build deletes
        "stamp.pickle",
    ]
    for i, name in enumerate(names):
        (folder / name).symlink_to(outside / f"target-{i}")
    (folder / "markdown").symlink_to(outside, target_is_directory=True)
    (outside / "keep.txt").write_text("not the cache's")
    for _ in range(2):
        code, _out, err = run_cli(capsys, "build", site, "-o", out, "--no-search")
        assert code == 0, err
        assert [p.name for p in outside.iterdir()] == ["keep.txt"]
    assert not (folder / "markdown").exists()
